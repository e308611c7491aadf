/*
 * an3155_tool.h - the an3155 program's configuration and commands.
 */
#ifndef AN3155_TOOL_H
#define AN3155_TOOL_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "lineopts.h"
#include "plan.h"

#ifndef STMBOOT_VERSION
#define STMBOOT_VERSION "0.1"
#endif

#define A3_MAX_ARGS 64

struct a3_config {
	struct cli cli;
	const char *command;
	char *args[A3_MAX_ARGS];
	int nargs;
	/* connection */
	const char *port;
	uint32_t baud, retries, sync_tries;
	bool keep_latency;
	/* part overrides */
	uint32_t flash_base, flash_size, page_size, write_unit;
	bool has_flash_base;
	/* write / verify */
	enum sb_format format;
	uint32_t base;
	bool has_base;
	enum sb_erase_mode erase;
	bool verify, keep_erased_blocks, read_unprotect, go, has_go_addr, dry_run;
	bool fast;           /* --fast: through the RAM loader (an3155_fast.c) */
	uint32_t fast_baud;  /* --fast-baud: its line rate; 0: stay at --baud */
	uint32_t go_addr;
	/* erase */
	const char *pages;
	int bank;
	bool all;
	bool force;
	const char *ob_write;   /* option-bytes --write ARG */
	/* BOOT0/NRST lines (gpio/lineopts.h): options, environment, jig profile */
	struct sb_lineopts lo;
	bool lines;          /* BOOT0 or NRST is wired: run entry/exit around the job */
};

/* Run c->command; returns the exit status. */
int a3_run(struct a3_config *c);

/* ---- a session: port, lines, engine, part, geometry (an3155_session.c) ---- */

#include "an3155.h"
#include "serial.h"

struct a3_session {
	struct a3_config *c;
	struct sb_link link;
	bool link_open;
	struct an3155 *bl;
	const struct sb_part *part;
	struct sb_geom geom;
	bool have_geom;
	uint32_t flash_kb;     /* from the chip, 0: unknown */
	int64_t optr;          /* from the chip, -1: unread */
	bool protected;        /* Read Memory refused: RDP active */
	struct sb_diag d;
	const char *phase;     /* progress accounting across engine calls */
	uint64_t phase_base, phase_total;
	struct sb_lines lines; /* BOOT0/NRST, held for the whole job */
	bool lines_open;
	bool connected;        /* the ROM loader answered */
};

/* Open the port, hold the lines and run the entry sequence, connect, identify. */
int a3_session_open(struct a3_session *s, struct a3_config *c);
/* Exit sequence after success, release the lines, close; returns err (or the exit's). */
int a3_session_close(struct a3_session *s, int err);
/* Close and turn err into the exit status, reporting it with what. */
int a3_finish(struct a3_session *s, int err, const char *what);
/* Flash size and option register from the chip; the geometry in force. */
int a3_identify(struct a3_session *s);
/* Geometry from --flash-size/--page-size. */
int a3_explicit_geom(struct a3_session *s);
/* SB_OK when the geometry is known, else an error saying which options give it. */
int a3_need_geom(struct a3_session *s);
/* What a3_fast_write() did. */
struct a3_fast_result {
	bool used;               /* the loader wrote (and verified): skip the ROM path */
	bool mass_erased;        /* the ROM mass-erased first */
	size_t erased_pages, unchanged_pages;
	uint64_t written_bytes;
	unsigned baud;           /* line rate the loader ran at */
	size_t upload_bytes;     /* the loader's image, through Write Memory */
	uint64_t tx, rx;         /* loader protocol bytes (ldrhost.h lh_counters) */
	unsigned exchanges, resends, line_errs;
};
/*
 * --fast: the plan through the RAM loader. SB_OK with r->used: written and
 * (unless --no-verify) verified by CRC on the part; with --go the ROM
 * answers again for its Go. SB_OK without r->used: the loader could not be
 * used (said why), write over the ROM protocol. Otherwise the job's error.
 */
int a3_fast_write(struct a3_session *s, struct sb_plan *p, struct a3_fast_result *r);
/* Progress of a phase across several engine calls. */
void a3_phase_begin(struct a3_session *s, const char *phase, uint64_t total);
void a3_phase_end(struct a3_session *s);

#endif
