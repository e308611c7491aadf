/* SPDX-License-Identifier: MIT */
/*
 * dfu_dev_priv.h - internals shared by dfu_dev.c (state machine, DfuSe
 * commands) and dfu_desc.c (descriptors, strings, standard requests).
 * Not for use outside sim/.
 */
#ifndef SIM_DFU_DEV_PRIV_H
#define SIM_DFU_DEV_PRIV_H

#include "dfu_dev.h"

/* wTransferSize of the functional descriptor (protocol-facts B.1). */
#define DFU_XFER_SIZE 2048u
/* Alt settings: internal flash, option bytes, OTP (B.1). */
#define DFU_NUM_ALTS 3u
/* String indices: 1 manufacturer, 2 product, 3 serial, 4.. alt names. */
#define DFU_STR_ALT0 4u

/* DFU states, protocol-facts B.3. */
enum {
	ST_APP_IDLE = 0,
	ST_APP_DETACH = 1,
	ST_IDLE = 2,
	ST_DNLOAD_SYNC = 3,
	ST_DNBUSY = 4,
	ST_DNLOAD_IDLE = 5,
	ST_MANIFEST_SYNC = 6,
	ST_MANIFEST = 7,
	ST_UPLOAD_IDLE = 9,
	ST_ERROR = 10,
};

/* DFU status codes, protocol-facts B.4. */
enum {
	S_OK = 0x00,
	S_TARGET = 0x01,
	S_WRITE = 0x03,
	S_ERASE = 0x04,
	S_PROG = 0x06,
	S_ADDRESS = 0x08,
	S_VENDOR = 0x0B,
	S_UNKNOWN = 0x0E,
	S_STALLEDPKT = 0x0F,
};

/* What happens to the bus once the reply that ran a command has gone out. */
enum dfu_after {
	AFTER_NONE,
	AFTER_RESET,   /* Read Unprotect, option-byte write: the board resets (B.5) */
	AFTER_LEAVE,   /* manifestation: jump to the pointer (B.7) */
};

struct dfu_dev {
	struct board *b;
	struct dfu_dev_config cfg;

	bool connected, vanished;
	bool as_app;                   /* enumerated as the application (DFU run-time), not the ROM */
	bool after_reply;              /* as_app: DETACH answered, leave the bus after the reply */
	enum dfu_dev_event event;
	unsigned resets_seen;          /* board_reset_count() when it last enumerated */

	char serial[13];
	char layout[3][64];            /* interface strings of alts 0..2 */

	uint8_t state, status;
	uint32_t ptr;                  /* DfuSe address pointer (B.5) */
	unsigned alt;
	uint8_t config;

	uint8_t buf[DFU_XFER_SIZE];    /* DNLOAD payload waiting for GETSTATUS */
	uint16_t buf_len, block;
	uint8_t result;                /* status the dfuDNBUSY GETSTATUS turns into */
	unsigned busy_stalls_left;

	uint64_t bus_free_us;          /* timing: control pipe busy until */
	uint64_t busy_until_us;        /* timing: flash busy until */
	uint64_t op_busy_us;           /* flash time of the command just run */
	uint32_t rng;
	unsigned xfers;
	struct dfu_dev_stats st;
};

/* dfu_dev.c */
void dfu_dlog(struct dfu_dev *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool dfu_chance(struct dfu_dev *d, unsigned pct);   /* fault fires (counted) */
void dfu_detach(struct dfu_dev *d, enum dfu_dev_event ev);

/* dfu_mem.c */
uint8_t dfu_mem_run(struct dfu_dev *d, enum dfu_after *after);
int dfu_mem_read(struct dfu_dev *d, uint16_t block, uint8_t *data, uint16_t len, uint8_t *status);
void dfu_mem_leave(struct dfu_dev *d);

/* dfu_desc.c */
void dfu_desc_init(struct dfu_dev *d);
int dfu_desc_standard(struct dfu_dev *d, const struct dfu_setup *s, uint8_t *data);

#endif
