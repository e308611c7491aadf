/* SPDX-License-Identifier: MIT */
/*
 * dfuse_prod.c - the production-line hooks of dfuse: the device's identity
 * for the events, the smoke check after the application starts, gang
 * programming over several DFU devices.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfuse_tool.h"
#include "events.h"
#include "job.h"
#include "serial.h"

void df_prod_device(struct df_session *s)
{
	char esc[3][300], chip[1200];

	events_set_board(s->dev.path);
	cli_event(&s->c->cli, "opened",
		  "\"command\":\"%s\",\"vid\":%u,\"pid\":%u,\"bcd_device\":%u,\"path\":\"%s\",\"serial\":\"%s\","
		  "\"product\":\"%s\",\"transfer_size\":%u",
		  s->c->command, s->dev.vid, s->dev.pid, s->dev.bcd_device,
		  cli_json_str(esc[0], sizeof(esc[0]), s->dev.path),
		  cli_json_str(esc[1], sizeof(esc[1]), s->dev.serial),
		  cli_json_str(esc[2], sizeof(esc[2]), s->dev.product), dfuse_transfer_size(s->d));
	/* DfuSe reports no product ID of the chip, and the UID is in no alt
	 * setting's memory map; the ROM's serial string is derived from the
	 * UID (protocol-facts B.1, inferred), so it is given as it is. */
	snprintf(chip, sizeof(chip),
		 "\"pid\":null,\"usb_vid\":%u,\"usb_pid\":%u,\"bcd_device\":%u,\"usb_serial\":\"%s\",\"product\":\"%s\","
		 "\"uid\":null,\"uid_note\":\"not readable over DfuSe; usb_serial is derived from it (inferred, not documented)\"",
		 s->dev.vid, s->dev.pid, s->dev.bcd_device, esc[1], esc[2]);
	events_chip(&s->c->cli, chip);
}

/* The application's own USB-serial port, once it is on the bus (--wait-app). */
static int expect_on_app_port(struct df_session *s, unsigned baud)
{
	struct df_config *c = s->c;
	struct serial_opts so = { .baud = baud, .log = &c->cli.log };
	struct sb_link link;
	char spec[32];
	int err;

	snprintf(spec, sizeof(spec), "usb:%04x:%04x", c->app_vid & 0xFFFF, c->app_pid & 0xFFFF);
	if ((err = serial_open(spec, &so, &link, &s->diag)))
		return err;
	err = prod_expect(&c->cli, &link, spec, baud, &s->diag);
	link.ops->close(link.h);
	return err;
}

int df_prod_expect(struct df_session *s, int err, bool started)
{
	struct df_config *c = s->c;
	const struct sb_link *held = prod_expect_held();
	unsigned baud = c->prod.expect_baud ? c->prod.expect_baud : 115200;

	if (err || !c->prod.expect || !started || c->job.dry_run)
		return err;
	if (held)
		return prod_expect(&c->cli, held, c->prod.expect_port, baud, &s->diag);
	if (s->link_open)   /* the adapter of the boot lines, wired to the board's UART too */
		return prod_expect(&c->cli, &s->link, c->port, baud, &s->diag);
	if (c->wait_app)
		return expect_on_app_port(s, baud);
	return SB_OK;
}

/* ---- gang ------------------------------------------------------------------ */

/* Every DFU device matching -d (and one -s), waiting up to --wait for the first. */
static int all_devices(struct df_config *c, char **boards, size_t *n)
{
	struct sb_usb_select sel = c->sel;
	struct sb_usb_device *devs = NULL;
	struct sb_diag d = { 0 };
	uint64_t deadline = cli_now_ms() + (uint64_t)sel.wait_s * 1000u;
	size_t k = 0;
	int err, rc = 0;

	sel.path = NULL;
	sel.index = -1;
	while (!(err = sb_usb_list(&sel, &devs, &k, &d)) && !k && cli_now_ms() < deadline) {
		free(devs);
		devs = NULL;
		cli_sleep_ms(100);
	}
	if (err)
		return cli_fail(&c->cli, err, &d, "gang");
	if (!k) {
		free(devs);
		sb_diag_set(&d, SB_ERR_NO_DEVICE, "--all-devices: no DFU device %04x:%04x on the bus",
			    c->sel.vid & 0xFFFF, c->sel.pid & 0xFFFF);
		return cli_fail(&c->cli, SB_ERR_NO_DEVICE, &d, "gang");
	}
	for (size_t i = 0; i < k && !rc; i++)
		rc = gang_add(&c->cli, boards, n, devs[i].path, "devices");
	free(devs);
	return rc;
}

/* Each -s SERIAL as the path of the one device that has it. */
static int by_serials(struct df_config *c, char **boards, size_t *n)
{
	int rc = 0;

	for (size_t i = 0; i < c->nserial_args && !rc; i++) {
		struct sb_usb_select sel = c->sel;
		struct sb_usb_device *devs = NULL;
		struct sb_diag d = { 0 };
		size_t k = 0;
		int err;
		sel.serial = c->serial_args[i];
		sel.path = NULL;
		if ((err = sb_usb_list(&sel, &devs, &k, &d)) || k != 1) {
			if (!err)
				sb_diag_set(&d, SB_ERR_NO_DEVICE, "%s DFU device with serial %s", k ? "more than one" : "no",
					    c->serial_args[i]);
			free(devs);
			return cli_fail(&c->cli, err ? err : SB_ERR_NO_DEVICE, &d, "gang");
		}
		rc = gang_add(&c->cli, boards, n, devs[0].path, "devices");
		free(devs);
	}
	return rc;
}

static int gang_usable(struct df_config *c)
{
	static const char *const cmds[] = { "write", "verify", "erase", "leave", NULL };
	int rc = gang_command(&c->cli, c->command, cmds);

	if (rc)
		return rc;
	if (c->lines || c->detach)
		return cli_usage(&c->cli, "gang: boot lines and --detach concern one board; run one job per board");
	if (c->prod.expect)
		return cli_usage(&c->cli, "gang: --expect needs each board's own port; run one job per board");
	return 0;
}

int df_gang_boards(struct df_config *c, char **boards, size_t *n)
{
	int rc = 0;

	*n = 0;
	if (c->all_devices)
		rc = all_devices(c, boards, n);
	else if (c->nserial_args > 1)
		rc = by_serials(c, boards, n);
	else if (c->npath_args > 1)
		for (size_t i = 0; i < c->npath_args && !rc; i++)
			rc = gang_add(&c->cli, boards, n, c->path_args[i], "devices");
	else
		return 0;
	return rc ? rc : gang_usable(c);
}

static int gang_job(void *ctx, const char *board)
{
	struct df_config *c = ctx;

	c->sel.path = board;
	c->sel.serial = NULL;
	c->sel.index = -1;
	return df_run(c);
}

int df_gang(struct df_config *c, char **boards, size_t n)
{
	struct job_files f = job_files_of(c->args, c->nargs, &c->job);

	return gang_run_checked(&c->cli, &c->prod, c->command, &f, boards, n, gang_job, c);
}
