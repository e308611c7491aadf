/* SPDX-License-Identifier: MIT */
/*
 * dfuse_tool.h - the dfuse program's configuration, its session with one
 * DFU device, and its commands.
 *
 *   src/dfuse/dfuse.c          options, help, main
 *   src/dfuse/dfuse_session.c  the session (lines, device, engine, alt settings)
 *   src/dfuse/dfuse_cmd.c      write, verify, read, erase, leave
 *   src/dfuse/dfuse_info.c     list, info, option-bytes, read-unprotect
 *   src/dfuse/dfuse_pack.c     pack, unpack (no device)
 *   src/dfuse/dfuse_plan.c     a write plan on the device: read first, erase,
 *                              write, verify (the library's plan runner)
 *
 * Ownership: a struct df_session owns the opened device, the engine, the
 * parsed alt layouts, the serial link of modem lines and the held lines;
 * df_session_close() releases all of them. Nothing here is thread-safe.
 */
#ifndef DFUSE_TOOL_H
#define DFUSE_TOOL_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "dfuse.h"
#include "dfuse_layout.h"
#include "gang.h"
#include "jobopts.h"
#include "lineopts.h"
#include "plan.h"
#include "prod.h"
#include "usb.h"

#ifndef STMBOOT_VERSION
#define STMBOOT_VERSION "0.1"
#endif

#define DF_MAX_ARGS 64

/* The L4R5 ROM's layout in dual-bank mode (protocol-facts B.1): --dry-run without a device. */
#define DF_L4R5_LAYOUT "@Internal Flash  /0x08000000/512*0004Kg"
/* Option bytes bank 1 and 2 of the L4R5, 40 bytes each (protocol-facts C, E.4). */
#define DF_OB1_ADDR 0x1FF00000u
#define DF_OB2_ADDR 0x1FF01000u
#define DF_OB_LEN 40u

struct df_config {
	struct cli cli;
	const char *command;
	char *args[DF_MAX_ARGS];
	int nargs;
	/* device selection */
	struct sb_usb_select sel;
	bool has_device;           /* -d given (list: else every DFU-mode device) */
	bool has_wait;             /* --wait given (else 0, or 5 s with lines wired) */
	const char *alt;           /* --alt N|NAME, NULL: from the addresses */
	/* the options an3155 shares (jobopts.h): retries, format, base, erase,
	 * verify, plan, dry run, erase --pages/--all, option-bytes --write/--set, force */
	struct job_opts job;
	/* write / verify */
	bool leave, has_leave_addr;
	uint32_t leave_addr;
	/* the application's USB identity after the job: --wait-app VID:PID[:SECONDS] */
	bool wait_app;
	int app_vid, app_pid;
	unsigned app_wait_s;
	/* --detach VID:PID: the application's run-time DFU identity, detached first */
	bool detach;
	int rt_vid, rt_pid;
	/* pack / unpack */
	const char *output;        /* -o */
	bool extract;
	uint16_t vid, pid, bcd_device;
	const char *target_name;
	/* BOOT0/NRST lines (gpio/lineopts.h) and the adapter of rts/dtr lines */
	struct sb_lineopts lo;
	const char *port;
	bool lines;                /* BOOT0 or NRST is wired: entry/exit around the job */
	/* production line (prod.h): --log, --patch, serial numbers, --expect */
	struct prod_opts prod;
	/* gang (gang.h): --all-devices, or -s / --path given more than once */
	bool all_devices;
	const char *serial_args[GANG_MAX_BOARDS], *path_args[GANG_MAX_BOARDS];
	size_t nserial_args, npath_args;
};

/* One device, opened; the engine on it; its alt settings parsed. */
struct df_session {
	struct df_config *c;
	struct sb_usb usb;
	bool usb_open;
	struct sb_usb_device dev;
	struct dfuse *d;
	struct dfuse_layout layout[SB_USB_MAX_ALTS];  /* empty where the string did not parse */
	size_t nalts;
	/* device-table rows the memory map fits (dfuse_match_parts); nparts may exceed 8 */
	const struct sb_part *parts[8];
	size_t nparts;
	int alt;                   /* selected alt, -1 none */
	bool gone;                 /* the device left the bus (leave, reset) */
	struct sb_diag diag;
	struct cli_phase phase;    /* progress across engine calls */
	/* lines */
	struct sb_link link;
	bool link_open;
	struct sb_lines lines;
	bool lines_open;
	bool connected;            /* the ROM answered */
};

/* Run c->command; returns the exit status. */
int df_run(struct df_config *c);

/* ---- session (dfuse_session.c) ---- */

/* Entry sequence (lines wired), open the device, set up the engine. */
int df_session_open(struct df_session *s, struct df_config *c);
/* Exit sequence after success (lines wired), close everything; returns err. */
int df_session_close(struct df_session *s, int err);
/* Close, and turn err into the exit status, reporting it ("what: message"). */
int df_finish(struct df_session *s, int err, const char *what);
/* Geometry of alt for planning, with the flash rules of the matched parts
 * when alt is the internal flash (dfuse_geom_for_parts). */
int df_alt_geom(struct df_session *s, int alt, struct sb_geom *g);
/* Select alt and bring the device to dfuIDLE. */
int df_select_alt(struct df_session *s, int alt);
/* The alt --alt names (number or interface name), or -1 with s->diag set. */
int df_alt_by_option(struct df_session *s, const char *spec);
/* The alt whose layout holds [addr, addr+len) with `need` flags (--alt wins). */
int df_alt_for_range(struct df_session *s, uint32_t addr, uint32_t len, unsigned need, int *alt);
/* The alt named like `name` (case-insensitive, trailing blanks ignored), else -1. */
int df_alt_named(const struct df_session *s, const char *name);
/* The device reset on its own (read unprotect, option bytes): close it, run the
 * entry sequence again if lines are wired, and wait up to wait_s for it to
 * come back; *back says whether it did (then the session is open again). */
int df_reopen_after_reset(struct df_session *s, unsigned wait_s, bool *back);

/* Progress of a phase over several engine calls. */
void df_phase_begin(struct df_session *s, const char *phase, uint64_t total);
void df_phase_end(struct df_session *s);

/* ---- write plans (dfuse_plan.c) ---- */

/* Read the pages plan p touches in geometry g and classify them (plan.h). */
int df_plan_read_first(struct df_session *s, const struct sb_geom *g, struct sb_plan *p);
/* Erase, write and verify (c->verify) as p says, with the fallback of plan.h. */
int df_plan_run(struct df_session *s, const struct sb_geom *g, struct sb_plan *p);

/* ---- commands ---- */

int df_cmd_write(struct df_config *c);
int df_cmd_verify(struct df_config *c);
int df_cmd_read(struct df_config *c);
int df_cmd_erase(struct df_config *c);
int df_cmd_leave(struct df_config *c);
int df_cmd_list(struct df_config *c);
int df_cmd_detach(struct df_config *c);
/* Run-time DFU devices vid:pid (-1: any) on --path, if given. dfuse_session.c. */
struct sb_usb_select df_runtime_select(const struct df_config *c, int vid, int pid);
/* Detach the run-time DFU device vid:pid (-1: any; --path applies) into DFU
 * mode; *found false, SB_OK, when there is none. dfuse_session.c. */
int df_detach_app(struct df_config *c, int vid, int pid, bool *found, struct sb_diag *d);
int df_cmd_info(struct df_config *c);
int df_cmd_option_bytes(struct df_config *c);
int df_cmd_read_unprotect(struct df_config *c);
int df_cmd_pack(struct df_config *c);
int df_cmd_unpack(struct df_config *c);

/* ---- production hooks (dfuse_prod.c) ---- */

/* The device is open: a "device" event, the board (USB path) and identity for the events. */
void df_prod_device(struct df_session *s);
/* After the application started (leave, exit sequence): the --expect smoke check. */
int df_prod_expect(struct df_session *s, int err, bool started);
/* Gang boards (USB paths); 0 and *n = 0 when this is no gang. */
int df_gang_boards(struct df_config *c, char **boards, size_t *n);
int df_gang(struct df_config *c, char **boards, size_t n);

/* ---- helpers shared by the command files ---- */

/* Wait up to wait_s for a USB device vid:pid (any class) to be on the bus. */
int df_wait_usb_id(int vid, int pid, unsigned wait_s, bool *found, struct sb_diag *d);
/* Wait up to wait_s until no USB device vid:pid is on the bus (SB_OK either way). */
int df_wait_usb_gone(int vid, int pid, unsigned wait_s, struct sb_diag *d);

#endif
