/* SPDX-License-Identifier: MIT */
/*
 * an3155_tool.h - the an3155 program's configuration and commands.
 */
#ifndef AN3155_TOOL_H
#define AN3155_TOOL_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "jobopts.h"
#include "gang.h"
#include "lineopts.h"
#include "plan.h"
#include "prod.h"

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
	uint32_t baud, sync_tries;
	bool keep_latency;
	/* part overrides */
	uint32_t flash_base, flash_size, page_size, write_unit;
	bool has_flash_base;
	/* the options an3155 shares with dfuse (jobopts.h): files, erase, verify,
	 * plan, --pages/--all, option bytes, --force, --retries */
	struct job_opts job;
	bool go, has_go_addr;
	bool fast;           /* --fast: through the RAM loader (an3155_fast.c) */
	uint32_t fast_baud;  /* --fast-baud: its line rate; 0: stay at --baud */
	uint32_t go_addr;
	int bank;            /* erase --bank */
	bool baud_given;        /* -b: else a jig profile's "baud" */
	/* production line (prod.h): --log, --patch, serial numbers, --expect */
	struct prod_opts prod;
	/* gang (gang.h): -p given more than once, a glob, or a jig's "ports" */
	char *port_args[GANG_MAX_BOARDS];
	size_t nport_args;
	/* BOOT0/NRST lines (gpio/lineopts.h): options, environment, jig profile */
	struct sb_lineopts lo;
	bool lines;          /* BOOT0 or NRST is wired: run entry/exit around the job */
};

/* Run c->command; returns the exit status. */
int a3_run(struct a3_config *c);

/* ---- a session: port, lines, engine, part, geometry (an3155_session.c) ---- */

#include "an3155.h"
#include "bind.h"
#include "serial.h"

struct a3_session {
	struct a3_config *c;
	struct sb_link link;
	bool link_open;
	struct an3155 *bl;
	struct sb_chip chip;   /* what binding learned (protocols/bind.h); the five
				* fields below mirror it for the commands */
	const struct sb_part *part;
	struct sb_geom geom;
	bool have_geom;
	int64_t optr;          /* user option word from the option bytes, -1: unread */
	bool protected;        /* Read Memory refused: RDP active */
	struct sb_diag d;
	struct cli_phase phase; /* progress accounting across engine calls */
	struct sb_lines lines; /* BOOT0/NRST, held for the whole job */
	bool lines_open;
	bool connected;        /* the ROM loader answered */
	bool app_started;      /* Go started the application: park the lines, no exit reset */
};

/* Open the port, hold the lines and run the entry sequence, connect, identify. */
int a3_session_open(struct a3_session *s, struct a3_config *c);
/* Exit sequence after success, release the lines, close; returns err (or the exit's). */
int a3_session_close(struct a3_session *s, int err);
/* Close and turn err into the exit status, reporting it with what. */
int a3_finish(struct a3_session *s, int err, const char *what);
/* Flash size and option register from the chip; the geometry in force. */
int a3_identify(struct a3_session *s);
/* Geometry for a plan without a port: row p with factory options, or the options'. */
int a3_offline_geom(struct a3_session *s, const struct sb_part *p);
/* SB_OK when the geometry is known, else an error saying which options give it. */
int a3_need_geom(struct a3_session *s);
/* Erase pages (linear page numbers, as the engine's 16-bit list); as phase
 * phase of n pages, or inside the caller's phase when NULL. */
int a3_erase_pages(struct a3_session *s, const uint32_t *pages, size_t n, const char *phase,
		   struct sb_diag *d);
/* Erase the whole flash: a mass erase, or every page where the ROM has none
 * (an3155_cmd.c). */
int a3_erase_all(struct a3_session *s);
/* ---- production hooks (an3155_prod.c) ---- */

/* The chip answered: its identity for the events (no UID: protocol-facts A.5). */
void a3_prod_chip(struct a3_session *s);
/* After the application started (go, exit sequence): the --expect smoke check. */
int a3_prod_expect(struct a3_session *s, int err);
/* Gang boards from -p/globs/the jig's "ports"; 0 and *n = 0 when this is no gang. */
int a3_gang_boards(struct a3_config *c, char **boards, size_t *n);
/* The whole gang; returns the exit status. */
int a3_gang(struct a3_config *c, char **boards, size_t n);
/* option-bytes --set: plan the new OPTR from bank 1 at bank1 (prints before/after). */
int a3_ob_set(struct a3_session *s, uint32_t bank1);
/* write: OTP and SRAM parts of the image, behind --force (an3155_special.c). */
int a3_special_take(struct a3_session *s, struct sb_image *img, struct sb_image *special);
int a3_special_write(struct a3_session *s, const struct sb_image *special);

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
/* read --fast: flash through the loader, the same way (r->used, or the ROM's Read Memory). */
int a3_fast_read(struct a3_session *s, uint32_t addr, uint8_t *buf, uint32_t len, struct a3_fast_result *r);
/* Progress of a phase across several engine calls. */
void a3_phase_begin(struct a3_session *s, const char *phase, uint64_t total);
void a3_phase_end(struct a3_session *s);

/* ---- the read-first plan (an3155_plan.c) ---- */

/* Read the pages p touches and classify them (protocols/plan.h). */
int a3_plan_read_first(struct a3_session *s, struct sb_plan *p);
/* Erase, write and verify as p says, with the fallback of plan.h. */
int a3_plan_run(struct a3_session *s, struct sb_plan *p);
/* The plan's JSON members for the result event: ,"plan":"...",... */
void a3_plan_json(const struct sb_plan *p, char *buf, size_t len);

#endif
