/*
 * an3155_session.c - one job's session: the port, the BOOT0/NRST lines
 * held for the whole job, the engine, the part and its flash geometry.
 */
#include <stdio.h>
#include <string.h>

#include "an3155_tool.h"

/* ---- session ------------------------------------------------------------ */

static void on_progress(void *ctx, uint32_t addr, size_t done, size_t total)
{
	struct a3_session *s = ctx;

	(void)addr;
	(void)total;
	if (s->phase)
		cli_progress(&s->c->cli, s->phase, s->phase_base + done, s->phase_total);
}

void a3_phase_begin(struct a3_session *s, const char *phase, uint64_t total)
{
	s->phase = phase;
	s->phase_base = 0;
	s->phase_total = total;
	cli_progress(&s->c->cli, phase, 0, total);
}

void a3_phase_end(struct a3_session *s)
{
	cli_progress(&s->c->cli, s->phase, s->phase_total, s->phase_total);
	cli_progress_done(&s->c->cli);
	s->phase = NULL;
}

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Geometry from the user's --flash-size/--page-size, or NULL-part fallback. */
int a3_explicit_geom(struct a3_session *s)
{
	struct a3_config *c = s->c;
	/* unknown part: 8, the L4 double-word, not AN3155's 4 (facts A.7, F.9) */
	uint8_t unit = (uint8_t)(c->write_unit ? c->write_unit : s->part ? s->part->write_unit : 8);
	uint32_t base = c->has_flash_base || !s->part ? c->flash_base : s->part->flash_base;

	if (sb_geom_explicit(base, c->flash_size, c->page_size, unit, &s->geom, &s->d))
		return SB_ERR_BAD_INPUT;
	if (s->part && !(s->part->flags & SB_PART_ERASED_UNSURE))
		s->geom.erased_value = s->part->flags & SB_PART_ERASED_ZERO ? 0x00 : 0xFF;
	else if (s->part)
		s->geom.erased_known = false;
	s->have_geom = true;
	return SB_OK;
}

/* Flash size register and FLASH_OPTR, where the part has them and RDP allows. */
static int read_chip_config(struct a3_session *s)
{
	uint8_t b[4];
	int err;

	s->optr = -1;
	if (s->part->flash_size_reg) {
		err = an3155_read(s->bl, s->part->flash_size_reg, b, 2, &s->d);
		if (err == SB_ERR_PROTECTED) {
			s->protected = true;
			return SB_OK;
		}
		if (err)
			return err;
		s->flash_kb = (uint32_t)b[0] | (uint32_t)b[1] << 8;
		if (s->flash_kb == 0xFFFF || s->flash_kb == 0)  /* protocol-facts E.1: 0xFFFF -> table */
			s->flash_kb = 0;
	}
	if (s->part->optr_addr) {
		err = an3155_read(s->bl, s->part->optr_addr, b, 4, &s->d);
		if (err)
			return err;
		s->optr = le32(b);
	}
	return SB_OK;
}

int a3_identify(struct a3_session *s)
{
	const struct an3155_info *info = an3155_info(s->bl);
	int err;

	s->part = info->has_pid ? sb_part_by_pid(info->pid) : NULL;
	s->have_geom = false;
	if (s->part && (err = read_chip_config(s)))
		return err;
	if (s->c->flash_size)
		err = a3_explicit_geom(s);
	else if (s->part) {
		err = sb_geom_for_part(s->part, s->flash_kb, s->optr, &s->geom, &s->d);
		s->have_geom = !err;
	} else
		return SB_OK;
	/* the engine writes and re-checks in the part's units (devtable.c) */
	if (!err && an3155_set_flash(s->bl, s->geom.write_unit, s->geom.erased_value))
		err = sb_diag_set(&s->d, SB_ERR_BAD_INPUT, "write unit %u is not a power of two up to 256",
				  s->geom.write_unit);
	return err;
}

static uint64_t clock_ms(void *ctx)
{
	(void)ctx;
	return cli_now_ms();
}

/* The ROM autobauds once per reset (protocol-facts A.1): re-enter it through the lines. */
static int lines_reset(void *ctx)
{
	struct a3_session *s = ctx;

	return sb_lineopts_enter(&s->c->lo, &s->lines, &s->c->cli.log, &s->d);
}

/* Hold the lines for the job and run the entry sequence. */
static int lines_enter(struct a3_session *s)
{
	struct a3_config *c = s->c;
	const struct sb_seq *job[2];
	size_t n = sb_lineopts_job(&c->lo, job);
	bool modem = sb_lineopts_needs_port(&c->lo, job, n);
	int err = sb_lineopts_open(&c->lo, job, n, modem ? &s->link : NULL, NULL, &s->lines, &s->d);

	if (err)
		return err;
	s->lines_open = true;
	return sb_lineopts_enter(&c->lo, &s->lines, &c->cli.log, &s->d);
}

/* No answer although the lines were driven: point at the wiring, not at a bare timeout. */
static void blame_wiring(struct a3_session *s, int err)
{
	char boot0[64], nrst[64], msg[sizeof(s->d.msg)];

	if (!s->lines_open || (err != SB_ERR_TIMEOUT && err != SB_ERR_FRAMING))
		return;
	sb_linespec_where(&s->c->lo.boot0, boot0, sizeof(boot0));
	sb_linespec_where(&s->c->lo.nrst, nrst, sizeof(nrst));
	snprintf(msg, sizeof(msg),
		 "%s; the entry sequence drove BOOT0 on %s and NRST on %s: if these two are swapped or inverted (inv) the part never starts its ROM loader - try 'bootctl enter' with the same options and watch the board",
		 s->d.msg, s->c->lo.boot0.kind ? boot0 : "(not wired)", s->c->lo.nrst.kind ? nrst : "(not wired)");
	memcpy(s->d.msg, msg, sizeof(msg));
}

int a3_session_open(struct a3_session *s, struct a3_config *c)
{
	struct serial_opts so = { .baud = c->baud, .log = &c->cli.log, .keep_latency = c->keep_latency };
	struct an3155_opts o;
	int err;

	memset(s, 0, sizeof(*s));
	s->c = c;
	s->optr = -1;
	if (!c->port) {
		sb_diag_set(&s->d, SB_ERR_NO_DEVICE, "no port given: use --port PORT or set STMBOOT_PORT (see 'an3155 list')");
		return SB_ERR_NO_DEVICE;
	}
	err = serial_open(c->port, &so, &s->link, &s->d);
	if (err)
		return err;
	s->link_open = true;
	if (c->lines && (err = lines_enter(s)))
		return err;
	an3155_default_opts(&o);
	o.retries = c->retries;
	o.sync_tries = c->sync_tries ? c->sync_tries : 1;
	if (c->write_unit)
		o.write_unit = c->write_unit;
	o.progress = on_progress;
	o.progress_ctx = s;
	o.now_ms = clock_ms;  /* BUSY bytes extend a wait only up to its deadline */
	if (s->lines_open) {
		o.reset = lines_reset;
		o.reset_ctx = s;
	}
	if ((err = an3155_new(&s->bl, &s->link, &c->cli.log, &o))) {
		sb_diag_set(&s->d, err, "cannot set up the protocol engine: %s", sb_strerror(err));
		return err;
	}
	if ((err = an3155_connect(s->bl, &s->d))) {
		blame_wiring(s, err);
		return err;
	}
	s->connected = true;
	return a3_identify(s);
}

/* After a successful job the exit sequence starts the application; after a
 * failure the part stays in the ROM loader for another try. */
int a3_session_close(struct a3_session *s, int err)
{
	if (s->lines_open) {
		if (!err)
			err = sb_lineopts_exit(&s->c->lo, &s->lines, &s->c->cli.log, &s->d);
		else if (s->connected)
			cli_info(&s->c->cli, "the part was left in its ROM loader ('bootctl run' starts the application)");
		sb_lines_close(&s->lines);
		s->lines_open = false;
	}
	an3155_free(s->bl);
	s->bl = NULL;
	if (s->link_open && s->link.ops->close)
		s->link.ops->close(s->link.h);
	s->link_open = false;
	return err;
}

/* Close the session and turn err into the exit status, reporting it. */
int a3_finish(struct a3_session *s, int err, const char *what)
{
	err = a3_session_close(s, err);
	return err ? cli_fail(&s->c->cli, err, &s->d, what) : EXIT_OK;
}

int a3_need_geom(struct a3_session *s)
{
	if (s->have_geom)
		return SB_OK;
	if (!s->part)
		return sb_diag_set(&s->d, SB_ERR_UNSUPPORTED,
				   "part with PID 0x%03X is not in the device table: give --flash-size (and --page-size to erase pages)",
				   an3155_info(s->bl)->pid);
	return sb_diag_set(&s->d, SB_ERR_BAD_INPUT, "flash geometry unknown");
}

