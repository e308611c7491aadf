/* SPDX-License-Identifier: MIT */
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

/* Code running on the CPU model (sim/sersim_cpu.c). */
enum scpu_state {
	SCPU_OFF,         /* no code runs (ROM, flash application, reset) */
	SCPU_RUN,         /* runnable now */
	SCPU_THROTTLE,    /* ahead of real time: resumes at wake, its clock unchanged */
	SCPU_SLEEP,       /* polling a timer with nothing else to do: resumes at wake */
	SCPU_WAIT_HOST,   /* pure polling loop, nothing pending: resumes on host bytes */
	SCPU_HALTED,      /* stopped until the next reset */
};

struct sersim_cpu {
	struct mcu *mcu;
	struct cpu *cpu;
	enum scpu_state state;
	uint64_t wake;            /* real time to resume from THROTTLE/SLEEP */
	uint64_t slept_at;        /* real time SLEEP/WAIT_HOST began: that time passes */
	bool waiting;             /* it waits for the host: its clock may not outrun ours */
	uint64_t anchor_vt, anchor_real;
	bool fp_valid;
	uint64_t fp;
	uint64_t now;             /* real time of the current call */
	struct uart_frame frame;  /* the code's line as last logged */
	unsigned lost;            /* host bytes while halted */
};

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
	uint64_t startup_ns, ready_t;  /* the ROM hears nothing before ready_t */
	uint64_t busy_until;           /* a late reply keeps the ROM busy until it is sent */
	int held;                      /* byte kept in the receive register meanwhile, -1 none */
	void (*log_fn)(void *ctx, const char *line);
	void *log_ctx;
	struct sersim_cpu cpu;
};

__attribute__((format(printf, 2, 3)))
void sersim_log(struct sersim *s, const char *fmt, ...);
void sersim_schedule(struct sersim *s, const uint8_t *p, size_t n, uint64_t t);
void sersim_follow_board(struct sersim *s, uint64_t t);
void sersim_cut_output(struct sersim *s, uint64_t now);
void sersim_push(struct sersim *s, uint8_t c, uint64_t due);

/* sersim_ctl.c */
void sersim_autobaud(struct sersim *s);
size_t sersim_line_in(struct sersim *s, const uint8_t *in, size_t n, uint8_t *out, size_t max);
size_t sersim_line_out(struct sersim *s, const uint8_t *in, size_t n, uint8_t *out, size_t max);
/* The same against a device frame dev (the code's USART): characters the
 * device receives from the host, and bytes the host sees from the device. */
size_t sersim_line_rx(struct sersim *s, const struct uart_frame *dev, const uint8_t *in, size_t n,
		      struct uart_rx *out, size_t max);
size_t sersim_line_tx(struct sersim *s, const struct uart_frame *dev, const uint8_t *in, size_t n,
		      uint8_t *out, size_t max);

/* sersim_cpu.c */
bool scpu_init(struct sersim *s, char *err, size_t errlen);
void scpu_free(struct sersim *s);
bool scpu_active(const struct sersim *s);
/* The board changed: stop code that no longer runs, start code that does. */
void scpu_follow(struct sersim *s, bool started, bool reset, uint64_t t);
void scpu_host_bytes(struct sersim *s, const uint8_t *buf, size_t n, uint64_t now);
void scpu_tick(struct sersim *s, uint64_t now);
uint64_t scpu_next_wake(const struct sersim *s);

#endif
