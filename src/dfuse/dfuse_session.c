/* SPDX-License-Identifier: MIT */
/*
 * dfuse_session.c - the dfuse program's session with one DFU device: the
 * BOOT0/NRST entry sequence, opening the device (with a wait), the DfuSe
 * engine, the alt settings' layouts, re-finding the device after it reset,
 * and the exit sequence with an optional wait for the application.
 */
#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfuse_tool.h"
#include "jobstop.h"
#include "serial.h"

/* ---- progress -------------------------------------------------------------- */

static void on_progress(void *ctx, const struct dfuse_progress *p)
{
	struct df_session *s = ctx;

	cli_phase_report(&s->c->cli, &s->phase, p->done);
}

void df_phase_begin(struct df_session *s, const char *phase, uint64_t total)
{
	cli_phase_begin(&s->c->cli, &s->phase, phase, total);
}

void df_phase_end(struct df_session *s)
{
	cli_phase_end(&s->c->cli, &s->phase);
}

/* ---- lines ------------------------------------------------------------------ */

/* Hold the lines for the job (opening the adapter for rts/dtr) and run the entry sequence. */
static int lines_enter(struct df_session *s)
{
	struct df_config *c = s->c;
	struct serial_opts so = { .log = &c->cli.log };
	const struct sb_seq *job[2];
	size_t n = sb_lineopts_job(&c->lo, job);
	bool modem = sb_lineopts_needs_port(&c->lo, job, n);
	int err;

	if (modem) {
		/* only for its modem lines (dfuse.c made sure there is a port): DfuSe goes over USB */
		if ((err = serial_open(c->port, &so, &s->link, &s->diag)))
			return err;
		s->link_open = true;
	}
	err = sb_lineopts_open(&c->lo, job, n, modem ? &s->link : NULL, NULL, &s->lines, &s->diag);
	if (err)
		return err;
	s->lines_open = true;
	return sb_lineopts_enter(&c->lo, &s->lines, &c->cli.log, &s->diag);
}

/* No DFU device although the lines were driven: point at the wiring, not at a bare "not found". */
static void blame_wiring(struct df_session *s, int err)
{
	if (s->lines_open && err == SB_ERR_NO_DEVICE)
		cli_blame_wiring(&s->c->lo, 180, "'dfuse list'", &s->diag);
}

/* ---- run-time DFU: the application restarts in DFU mode ----------------------- */

struct sb_usb_select df_runtime_select(const struct df_config *c, int vid, int pid)
{
	return (struct sb_usb_select){ .vid = vid, .pid = pid, .path = c->sel.path, .index = -1,
				       .runtime = true };
}

/* Detach the application (vid:pid, run-time DFU) into DFU mode; *found
 * false (and SB_OK) when no such application is on the bus. */
int df_detach_app(struct df_config *c, int vid, int pid, bool *found, struct sb_diag *d)
{
	struct sb_usb_select rt = df_runtime_select(c, vid, pid);
	struct sb_usb_device *devs = NULL, dev;
	char esc[300], id[300];
	size_t n = 0;
	int err = sb_usb_list(&rt, &devs, &n, d);

	free(devs);
	*found = n > 0;
	if (err || !n)
		return err;
	if ((err = sb_usb_detach(&rt, &dev, d)))
		return err;
	sb_usb_describe(&dev, id, sizeof(id));
	cli_event(&c->cli, "detach", "\"vid\":%u,\"pid\":%u,\"path\":\"%s\"", dev.vid, dev.pid,
		  cli_json_str(esc, sizeof(esc), dev.path));
	cli_info(&c->cli, "detached %s: it restarts in DFU mode", id);
	return SB_OK;
}

/* ---- device and engine ------------------------------------------------------- */

static void parse_layouts(struct df_session *s)
{
	struct sb_diag d;

	s->nalts = s->dev.nalts;
	for (size_t i = 0; i < s->nalts; i++) {
		if (dfuse_layout_parse(&s->layout[i], s->dev.alts[i].name, &d)) {
			memset(&s->layout[i], 0, sizeof(s->layout[i]));
			sb_logf(&s->c->cli.log, SB_LOG_DEBUG, "alt %zu \"%s\": %s", i,
				s->dev.alts[i].name, d.msg);
		}
	}
}

static void free_layouts(struct df_session *s)
{
	for (size_t i = 0; i < s->nalts; i++)
		dfuse_layout_free(&s->layout[i]);
	s->nalts = 0;
}

/* The flash rules of the device-table rows the memory map fits (dfuse_match_parts) into g. */
static void parts_rules(const struct df_session *s, struct sb_geom *g)
{
	if (s->nparts <= 8) {
		dfuse_geom_for_parts(g, s->parts, s->nparts);
	} else {
		g->write_unit = 32;   /* too many candidates to list: the largest unit of any row */
		g->erased_known = false;
	}
}

static int open_device(struct df_session *s, const struct sb_usb_select *sel)
{
	struct dfuse_config cfg = { 0 };
	int err = sb_usb_open(sel, &s->usb, &s->dev, &s->diag);

	if (err)
		return err;
	sb_usb_set_cancel(&s->usb, jobstop_armed, NULL);   /* SIGINT/SIGTERM: stop between blocks */
	s->usb_open = true;
	s->gone = false;
	s->alt = -1;
	parse_layouts(s);
	s->nparts = dfuse_match_parts(s->layout, s->nalts, s->parts, 8);
	if (s->nparts >= 1) {   /* no row: the engine keeps its own defaults */
		struct sb_geom g = { .write_unit = 8 };
		parts_rules(s, &g);
		cfg.write_unit = g.write_unit;
		cfg.erased_zero = g.erased_known && g.erased_value == 0x00;
	}
	dfuse_timeouts_default(&cfg.to);
	cfg.to.retries = s->c->job.retries;
	cfg.interface = s->dev.interface;
	cfg.transfer_size = s->dev.func.transfer_size;
	cfg.log = &s->c->cli.log;
	cfg.progress = on_progress;
	cfg.progress_ctx = s;
	if (!(s->d = dfuse_new(&s->usb, &cfg)))
		return sb_diag_set(&s->diag, SB_ERR_NOMEM, "out of memory");
	return SB_OK;
}

static void close_device(struct df_session *s)
{
	dfuse_free(s->d);
	s->d = NULL;
	if (s->usb_open && s->usb.ops->close)
		s->usb.ops->close(s->usb.h);
	s->usb_open = false;
	free_layouts(s);
	s->alt = -1;
}

int df_session_open(struct df_session *s, struct df_config *c)
{
	char id[300];
	bool detached = false;
	int err;

	memset(s, 0, sizeof(*s));
	s->c = c;
	s->alt = -1;
	if (c->lines && (err = lines_enter(s)))
		return err;
	if (c->detach && (err = df_detach_app(c, c->rt_vid, c->rt_pid, &detached, &s->diag)))
		return err;
	if ((err = open_device(s, &c->sel))) {
		blame_wiring(s, err);
		if (c->detach && !detached && err == SB_ERR_NO_DEVICE) {
			char msg[sizeof(s->diag.msg)];
			snprintf(msg, sizeof(msg), "%.300s; nor was the application's run-time DFU "
				 "device %04x:%04x (--detach) on the bus", s->diag.msg,
				 c->rt_vid & 0xFFFF, c->rt_pid & 0xFFFF);
			memcpy(s->diag.msg, msg, sizeof(msg));
		}
		return err;
	}
	s->connected = true;
	sb_usb_describe(&s->dev, id, sizeof(id));
	sb_logf(&c->cli.log, SB_LOG_INFO, "device %s", id);
	df_prod_device(s);
	return SB_OK;
}

/*
 * --wait-app: the application's USB identity, after the exit sequence or leave.
 * An application that enumerates as the ROM's own identity (or a board that
 * comes back in the ROM) must first be seen gone: the device just left may
 * still be listed for a moment, and that is not the application.
 */
static int wait_for_app(struct df_session *s)
{
	struct df_config *c = s->c;
	bool found = false, ours = (c->app_vid < 0 || c->app_vid == 0x0483) &&
				   (c->app_pid < 0 || c->app_pid == 0xdf11);
	int err = ours ? df_wait_usb_gone(c->app_vid, c->app_pid, c->app_wait_s, &s->diag) : SB_OK;

	if (!err)
		err = df_wait_usb_id(c->app_vid, c->app_pid, c->app_wait_s, &found, &s->diag);

	if (err)
		return err;
	if (!found)
		return sb_diag_set(&s->diag, SB_ERR_NO_DEVICE,
				   "the application's USB device %04x:%04x did not appear within %u s (the job itself succeeded)",
				   c->app_vid & 0xFFFF, c->app_pid & 0xFFFF, c->app_wait_s);
	cli_info(&c->cli, "the application is on the bus (%04x:%04x)", c->app_vid & 0xFFFF,
		 c->app_pid & 0xFFFF);
	return SB_OK;
}

/* After a successful job the exit sequence starts the application; after a
 * failure the part stays in the ROM loader for another try. */
int df_session_close(struct df_session *s, int err)
{
	bool started = s->gone;  /* left DFU through leave */

	df_phase_end(s);
	close_device(s);
	if (s->lines_open) {
		if (!err) {
			err = sb_lineopts_exit(&s->c->lo, &s->lines, &s->c->cli.log, &s->diag);
			started = started || s->c->lo.has_exit;
		} else if (s->connected && !s->gone) {
			cli_info(&s->c->cli, "the part was left in its ROM loader ('bootctl run' starts the application)");
		}
		sb_lines_close(&s->lines);
		s->lines_open = false;
	}
	if (!err && s->c->wait_app && started)
		err = wait_for_app(s);
	err = df_prod_expect(s, err, started);   /* the application runs now: --expect */
	if (s->link_open && s->link.ops->close)
		s->link.ops->close(s->link.h);
	s->link_open = false;
	return err;
}

int df_finish(struct df_session *s, int err, const char *what)
{
	err = df_session_close(s, err);
	/* the engine's messages name the operation already ("verify at 0x...") */
	if (what && !strncmp(s->diag.msg, what, strlen(what)))
		what = NULL;
	return err ? cli_fail(&s->c->cli, err, &s->diag, what) : EXIT_OK;
}


/* ---- alt settings --------------------------------------------------------------- */

int df_alt_named(const struct df_session *s, const char *name)
{
	return dfuse_layout_named(s->layout, s->nalts, *name == '@' ? name + 1 : name);
}

static void alt_names(const struct df_session *s, char *buf, size_t len)
{
	size_t k = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->nalts && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s%zu (%s)", i ? ", " : "", i,
				      s->layout[i].name[0] ? s->layout[i].name : "?");
}

int df_alt_by_option(struct df_session *s, const char *spec)
{
	char names[300];
	uint32_t n;
	int alt = -1;

	if (cli_parse_u32(spec, &n))
		alt = n < s->nalts ? (int)n : -1;
	else
		alt = df_alt_named(s, spec);
	if (alt >= 0)
		return alt;
	alt_names(s, names, sizeof(names));
	sb_diag_set(&s->diag, SB_ERR_BAD_INPUT, "--alt %s: the device has alt settings %s", spec,
		    names);
	return -1;
}

int df_alt_geom(struct df_session *s, int alt, struct sb_geom *g)
{
	int err = dfuse_layout_geom(&s->layout[alt], g, &s->diag);

	if (err || alt != df_alt_named(s, "Internal Flash"))
		return err;
	parts_rules(s, g);
	return SB_OK;
}

int df_select_alt(struct df_session *s, int alt)
{
	int err;

	if (s->alt == alt)
		return SB_OK;
	if ((err = dfuse_set_alt(s->d, alt, &s->diag)) || (err = dfuse_start(s->d, &s->diag)))
		return err;
	s->alt = alt;
	sb_logf(&s->c->cli.log, SB_LOG_INFO, "alt %d: %s", alt, s->dev.alts[alt].name);
	return SB_OK;
}

static bool range_in(const struct dfuse_layout *l, uint32_t addr, uint32_t len, unsigned need)
{
	struct sb_segment seg = { addr, len, NULL };
	struct sb_image v = { .seg = &seg, .nseg = 1, .cap = 1 };

	return l->nregions && dfuse_layout_check(l, &v, need, NULL) == SB_OK;
}

int df_alt_for_range(struct df_session *s, uint32_t addr, uint32_t len, unsigned need, int *alt)
{
	struct sb_segment seg = { addr, len, NULL };
	struct sb_image v = { .seg = &seg, .nseg = 1, .cap = 1 };
	int flash = df_alt_named(s, "Internal Flash");

	if (s->c->alt) {
		if ((*alt = df_alt_by_option(s, s->c->alt)) < 0)
			return SB_ERR_BAD_INPUT;
		return dfuse_layout_check(&s->layout[*alt], &v, need, &s->diag);
	}
	if (flash >= 0 && range_in(&s->layout[flash], addr, len, need)) {
		*alt = flash;
		return SB_OK;
	}
	for (size_t i = 0; i < s->nalts; i++) {
		if (range_in(&s->layout[i], addr, len, need)) {
			*alt = (int)i;
			return SB_OK;
		}
	}
	*alt = flash >= 0 ? flash : 0;
	if (s->nalts == 0)
		return sb_diag_set(&s->diag, SB_ERR_BAD_INPUT, "the device offers no memory layout");
	return dfuse_layout_check(&s->layout[*alt], &v, need, &s->diag);
}

/* ---- USB identities of any class (--wait-app) ------------------------------------ */

/* Which device to look for: vid/pid -1 for any; bus 0 for any bus and address. */
struct usb_id {
	int vid, pid;
	uint8_t bus, address;
};

static bool id_present(libusb_context *ctx, const struct usb_id *w)
{
	libusb_device **list;
	ssize_t n = libusb_get_device_list(ctx, &list);
	bool found = false;

	for (ssize_t i = 0; i < n && !found; i++) {
		struct libusb_device_descriptor dd;

		if (w->bus && (libusb_get_bus_number(list[i]) != w->bus ||
			       libusb_get_device_address(list[i]) != w->address))
			continue;
		if (libusb_get_device_descriptor(list[i], &dd) == 0)
			found = (w->vid < 0 || dd.idVendor == w->vid) && (w->pid < 0 || dd.idProduct == w->pid);
	}
	if (n >= 0)
		libusb_free_device_list(list, 1);
	return found;
}

/* Poll every poll_ms, up to wait_ms, until w is on the bus (want_present)
 * or off it; *present says how it was seen last. SB_OK either way. */
static int wait_usb(const struct usb_id *w, bool want_present, unsigned poll_ms, unsigned wait_ms,
		    bool *present, struct sb_diag *d)
{
	uint64_t deadline = cli_now_ms() + wait_ms;

	*present = false;
	for (;;) {
		libusb_context *ctx;
		int rc = libusb_init(&ctx);

		if (rc < 0)
			return sb_diag_set(d, SB_ERR_IO, "libusb: %s", libusb_strerror(rc));
		*present = id_present(ctx, w);
		libusb_exit(ctx);
		if (*present == want_present || cli_now_ms() >= deadline)
			return SB_OK;
		cli_sleep_ms(poll_ms);
	}
}

int df_wait_usb_gone(int vid, int pid, unsigned wait_s, struct sb_diag *d)
{
	struct usb_id w = { .vid = vid, .pid = pid };
	bool present;

	return wait_usb(&w, false, 50, wait_s * 1000u, &present, d);
}

int df_wait_usb_id(int vid, int pid, unsigned wait_s, bool *found, struct sb_diag *d)
{
	struct usb_id w = { .vid = vid, .pid = pid };

	return wait_usb(&w, true, 100, wait_s * 1000u, found, d);
}

/* How long a device that was told to reset may take to leave the bus. */
#define RESET_GONE_MS 3000u

int df_reopen_after_reset(struct df_session *s, unsigned wait_s, bool *back)
{
	struct sb_usb_select sel = s->c->sel;
	int err;

	*back = false;
	if (s->dev.serial[0]) {  /* the same board: its serial comes from the UID (B.1) */
		sel.serial = s->dev.serial;
		sel.path = NULL;
		sel.index = -1;
	}
	sel.wait_s = wait_s;
	close_device(s);
	s->gone = true;
	/*
	 * The device that reset leaves the bus first: until the host sees it go,
	 * its old address is still listed (its strings unreadable, its requests
	 * failing), and opening that would fail a job that went right. The board
	 * comes back at a new address. A device that never leaves did not reset:
	 * after RESET_GONE_MS it is opened as it is.
	 */
	if (s->dev.bus) {
		struct usb_id w = { .vid = -1, .pid = -1, .bus = s->dev.bus, .address = s->dev.address };
		bool present;

		if ((err = wait_usb(&w, false, 20, RESET_GONE_MS, &present, &s->diag)))
			return err;
		if (present)
			sb_logf(&s->c->cli.log, SB_LOG_DEBUG,
			       "the device at %u:%u did not leave the bus within %u ms; opening it as it is",
			       s->dev.bus, s->dev.address, RESET_GONE_MS);
	}
	if (s->lines_open && (err = sb_lineopts_enter(&s->c->lo, &s->lines, &s->c->cli.log, &s->diag)))
		return err;
	err = open_device(s, &sel);
	if (err == SB_ERR_NO_DEVICE)
		return SB_OK;
	if (!err)
		*back = true;
	return err;
}
