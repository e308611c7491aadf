/* SPDX-License-Identifier: MIT */
/*
 * an3155_session.c - one job's session: the port, the BOOT0/NRST lines
 * held for the whole job, the engine, the part and its flash geometry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "an3155_tool.h"
#include "jobstop.h"

/* ---- session ------------------------------------------------------------ */

static void on_progress(void *ctx, uint32_t addr, size_t done, size_t total)
{
	struct a3_session *s = ctx;

	(void)addr;
	(void)total;
	cli_phase_report(&s->c->cli, &s->phase, done);
}

void a3_phase_begin(struct a3_session *s, const char *phase, uint64_t total)
{
	cli_phase_begin(&s->c->cli, &s->phase, phase, total);
}

void a3_phase_end(struct a3_session *s)
{
	cli_phase_end(&s->c->cli, &s->phase);
}

static struct sb_bind_opts bind_opts(const struct a3_config *c)
{
	return (struct sb_bind_opts){ .flash_size = c->flash_size, .page_size = c->page_size,
				      .flash_base = c->flash_base, .has_flash_base = c->has_flash_base,
				      .write_unit = (uint8_t)c->write_unit };
}

/* The session's view of the binding (an3155_tool.h keeps these names for the commands). */
static void mirror_chip(struct a3_session *s)
{
	const struct sb_chip *ch = &s->chip;

	s->part = ch->part;
	s->geom = ch->geom;
	s->have_geom = ch->have_geom;
	s->optr = ch->optr;
	s->protected = ch->protected;
}

/* Plan without a part: the L4R5 row with factory options, or the user's geometry. */
int a3_offline_geom(struct a3_session *s, const struct sb_part *p)
{
	struct sb_bind_opts o = bind_opts(s->c);
	int err = sb_bind_offline(&s->chip, s->c->flash_size ? NULL : p, &o, &s->d);

	if (!err)
		mirror_chip(s);
	return err;
}

/* Memory reads for the binding: one Read Memory through the engine. */
static int bind_read(void *ctx, uint32_t addr, uint8_t *buf, size_t n, struct sb_diag *d)
{
	struct a3_session *s = ctx;

	return an3155_read(s->bl, addr, buf, n, d);
}

static int bind_probe(void *ctx, uint32_t addr, uint8_t *buf, size_t n, struct sb_diag *d)
{
	struct a3_session *s = ctx;

	return an3155_probe(s->bl, addr, buf, n, d);
}

/* The part's flash times into the engine's deadlines (part.h, an3155.h). */
static void engine_part_times(struct a3_session *s)
{
	const struct sb_part *p = s->chip.part;
	uint8_t unit = s->chip.have_geom ? s->chip.geom.write_unit : 0;

	an3155_set_part(s->bl, p ? p->t_page_erase_ms : 0, p ? p->t_mass_erase_ms : 0,
			p ? p->t_prog_us : 0, s->c->write_unit ? s->c->write_unit : unit);
	/* L0/L1 flash reads 0x00 when erased (devtable.c) */
	if (s->chip.have_geom)
		an3155_set_erased_value(s->bl, s->chip.geom.erased_value);
}

/*
 * What the ROM lets us read about the part (protocols/bind.h): the flash size
 * from the table (the register only tried), the bank mode and protection
 * from the option bytes. Notes on what could not be read go to the log.
 */
int a3_identify(struct a3_session *s)
{
	const struct an3155_info *info = an3155_info(s->bl);
	struct sb_bind_opts o = bind_opts(s->c);
	struct sb_mem_reader rd = { bind_read, bind_probe, s };
	int err = sb_bind(&s->chip, info->pid, info->has_pid, &o, &rd, &s->c->cli.log, &s->d);

	if (err)
		return err;
	for (unsigned i = 0; i < s->chip.nnotes; i++)
		sb_logf(&s->c->cli.log, SB_LOG_INFO, "%s", s->chip.notes[i]);
	mirror_chip(s);
	engine_part_times(s);
	return SB_OK;
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
	if (s->lines_open && (err == SB_ERR_TIMEOUT || err == SB_ERR_FRAMING))
		cli_blame_wiring(&s->c->lo, -1, "the board", &s->d);
}

/* USB-serial adapters hold received bytes for their latency timer (FTDI: 16 ms
 * by default); with the low-latency setting in effect a USB frame or two. */
static unsigned link_latency_ms(const struct sb_link *link)
{
	struct serial_status st;

	return serial_get_status(link, &st) == SB_OK && st.low_latency ? 2 : 16;
}

int a3_session_open(struct a3_session *s, struct a3_config *c)
{
	struct serial_opts so = { .baud = c->baud, .log = &c->cli.log, .keep_latency = c->keep_latency,
				  .cancelled = jobstop_armed };
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
	o.retries = c->job.retries;
	/* The ROM autobauds once per reset (protocol-facts A.1): repeating the sync
	 * helps only when the lines can reset the part in between. */
	o.sync_tries = c->lines && c->sync_tries ? c->sync_tries : 1;
	o.baud = c->baud;
	o.latency_ms = link_latency_ms(&s->link);
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
	a3_prod_chip(s);
	return a3_identify(s);
}

/*
 * After Go the application runs: the exit sequence's reset would start it a
 * second time. Leave BOOT0 low (the next reset boots the flash) and NRST
 * released, where those lines are wired; raw stm32flash -i signals have no
 * meaning we could use, so they are left as the entry sequence set them.
 */
static int park_lines(struct a3_session *s)
{
	const struct sb_lines *l = &s->lines;
	int err = SB_OK;

	cli_info(&s->c->cli, "the application was started by Go: no exit sequence");
	if (l->ops->has(l->h, SB_LINE_BOOT0, 0))
		err = l->ops->set(l->h, SB_LINE_BOOT0, 0, 0, &s->d);
	if (!err && l->ops->has(l->h, SB_LINE_NRST, 0))
		err = l->ops->set(l->h, SB_LINE_NRST, 0, 1, &s->d);
	return err;
}

/* After a successful job the exit sequence starts the application; after a
 * failure the part stays in the ROM loader for another try. */
int a3_session_close(struct a3_session *s, int err)
{
	if (s->lines_open) {
		if (!err && s->app_started)
			err = park_lines(s);
		else if (!err)
			err = sb_lineopts_exit(&s->c->lo, &s->lines, &s->c->cli.log, &s->d);
		else if (s->connected)
			cli_info(&s->c->cli, "the part was left in its ROM loader ('bootctl run' starts the application)");
		sb_lines_close(&s->lines);
		s->lines_open = false;
	}
	err = a3_prod_expect(s, err);   /* the application runs now: --expect */
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

int a3_erase_pages(struct a3_session *s, const uint32_t *pages, size_t n, const char *phase,
		   struct sb_diag *d)
{
	uint16_t *p16 = malloc((n ? n : 1) * sizeof(*p16));
	int err;

	if (!p16)
		return SB_ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		p16[i] = (uint16_t)pages[i];
	if (phase)
		a3_phase_begin(s, phase, n);
	err = an3155_erase_pages(s->bl, p16, n, d);
	if (phase)
		a3_phase_end(s);
	free(p16);
	return err;
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

