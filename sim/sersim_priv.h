/*
 * sersim_priv.h - insides of struct sersim shared by sim/sersim.c (bytes,
 * timing, banner) and sim/sersim_ctl.c (line model, adapter, messages).
 */
#ifndef SIM_SERSIM_PRIV_H
#define SIM_SERSIM_PRIV_H

#include "adapter.h"
#include "sersim.h"
#include "uart_line.h"

struct faults;

struct qbyte {
	uint8_t c;
	uint64_t due;
};

struct sersim {
	struct board *b;
	struct an3155dev *dev;
	struct faults *faults;
	struct sersim_config cfg;     /* string fields not used after sersim_new */
	char *banner;
	uint64_t banner_due;          /* app_baud: when the pending banner goes out; 0: none */
	struct adapter_map adapter;
	bool host_known;              /* a CFLAG message told the host's settings */
	struct uart_frame host;
	unsigned rom_baud;            /* autobauded rate; 0: the host's, whatever it is */
	uint64_t byte_ns, latency_ns, rx_t, tx_t;
	struct qbyte *q;
	size_t q_len, q_cap;
	unsigned seen_resets;
	enum board_mode seen_mode;
	void (*log_fn)(void *ctx, const char *line);
	void *log_ctx;
};

__attribute__((format(printf, 2, 3)))
void sersim_log(struct sersim *s, const char *fmt, ...);
void sersim_schedule(struct sersim *s, const uint8_t *p, size_t n, uint64_t t);
void sersim_follow_board(struct sersim *s, uint64_t t);
void sersim_cut_output(struct sersim *s, uint64_t now);

/* sersim_ctl.c */
void sersim_autobaud(struct sersim *s);
size_t sersim_line_in(struct sersim *s, const uint8_t *in, size_t n, uint8_t *out, size_t max);
size_t sersim_line_out(struct sersim *s, const uint8_t *in, size_t n, uint8_t *out, size_t max);

#endif
