/* SPDX-License-Identifier: MIT */
/*
 * dfuse - program an STM32 through its USB DFU ROM bootloader (DFU 1.1 with
 * ST's DfuSe extensions, 0483:DF11).
 *
 * Thin: parse options into a struct df_config, then run one command
 * (dfuse_cmd.c, dfuse_info.c, dfuse_pack.c). Same conventions as an3155:
 * option names, exit codes, --json events. See man/dfuse.1.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "dfuse_tool.h"
#include "events.h"

static const char help_text[] =
	"usage: dfuse [OPTIONS] COMMAND [ARGS]\n"
	"\n"
	"Program an STM32 through its USB DFU ROM bootloader (DfuSe, 0483:df11).\n"
	"\n"
	"Commands:\n"
	"  list                      DFU devices with their alt settings and memory maps\n"
	"  info                      descriptors, transfer size, memory maps, commands, option bytes\n"
	"  write FILE[@ADDR]...      erase the pages the image touches, write, verify\n"
	"  verify FILE[@ADDR]...     compare memory with the files\n"
	"  read ADDR LEN FILE        read memory into FILE: raw binary, or Intel HEX / S-record\n"
	"                            by -f or a .hex/.srec name (- for stdout)\n"
	"  erase RANGE | --pages LIST | --all --force\n"
	"                            erase pages (RANGE: ADDR:LEN or ADDR..END, page aligned)\n"
	"  leave [ADDR]              start the application (default: flash start)\n"
	"  detach [VID:PID]          ask an application with a DFU run-time interface to\n"
	"                            restart in DFU mode, and wait for the DFU device\n"
	"  read-unprotect --force    remove read protection: MASS-ERASES the flash, device resets\n"
	"  option-bytes              show the option bytes (raw and decoded)\n"
	"  option-bytes --write FILE|HEX --force\n"
	"                            write option bytes bank 1 (40 bytes, or HEX 0xOPTR); device resets\n"
	"  option-bytes --set FIELD=VALUE,...\n"
	"                            change OPTR fields by name; device resets\n"
	"  pack -o OUT.dfu FILE[@ADDR]...\n"
	"                            write a DfuSe .dfu file from any input format\n"
	"  unpack FILE.dfu [-o DIR | --extract]\n"
	"                            show a .dfu file; extract its elements as ADDR.bin files\n"
	"\n"
	"Device:\n"
	"  -d, --device VID:PID      USB identity (default 0483:df11)\n"
	"  -s, --serial SERIAL       only the device with this serial number\n"
	"      --path BUS-PORT       only the device on this port path (e.g. 1-1.2)\n"
	"      --all-devices         gang: every matching DFU device, one job each at once\n"
	"                            (so do several -s or --path)\n"
	"      --index N             the N-th matching device (0-based, in 'dfuse list' order)\n"
	"      --wait SECONDS        wait for the device to appear (default 0; 5 with BOOT0/NRST wired)\n"
	"      --alt N|NAME          alternate setting (default: the one holding the image,\n"
	"                            \"Internal Flash\" first; for pack: the target's alt number)\n"
	"      --port PORT           serial adapter whose RTS/DTR drive the lines (--boot0 rts ...)\n"
	"      --detach VID:PID      the board runs an application with a DFU run-time interface\n"
	"                            at VID:PID: detach it into DFU mode first (then --wait 5)\n"
	"      --retries N           retries of a failed request, command or block (default 5)\n"
	"\n"
	"write, verify:\n"
	"  -f, --format FMT          bin, ihex, srec, elf, dfu (default: from the content)\n"
	"  -a, --base ADDR           load address of raw binaries (default 0x08000000)\n"
	"      --erase MODE          pages (default), all, or none\n"
	"      --plan MODE           read-first (default): read the touched pages, skip those\n"
	"                            equal to the image, write erased ones without erasing;\n"
	"                            full: erase and write every touched page\n"
	"      --no-verify           do not verify after writing\n"
	"      --keep-erased-blocks  send transfer blocks that are all 0xFF too\n"
	"      --read-unprotect      first remove read protection (needs --force; wipes flash)\n"
	"      --leave               start the application after writing (DfuSe leave)\n"
	"      --leave-addr ADDR     address of its vector table (default: image start)\n"
	"      --wait-app VID:PID[:SECONDS]\n"
	"                            then wait for the application's USB identity (default 10 s)\n"
	"  -n, --dry-run             print the plan (with a device: after reading it first);\n"
	"                            erase and write nothing\n"
	"\n"
	"erase:\n"
	"      --pages LIST          page numbers: 0-3,8\n"
	"      --all                 mass-erase the whole flash (needs --force)\n"
	"\n"
	"option-bytes:\n"
	"      --write FILE|HEX      40 bytes for bank 1 (FILE@0x1FF01000: bank 2), or 0xOPTR\n"
	"      --set FIELD=VALUE,... OPTR fields by name (nBOOT0=1,BFB2=0; see an3155 --help)\n"
	"\n"
	"pack, unpack:\n"
	"  -o, --output PATH         pack: the .dfu file; unpack: directory for the elements\n"
	"      --extract             unpack: extract the elements into the current directory\n"
	"      --vid VID             pack: idVendor of the suffix (default 0x0483)\n"
	"      --pid PID             pack: idProduct (default 0xDF11)\n"
	"      --bcd-device BCD      pack: bcdDevice (default 0xFFFF: any)\n"
	"      --target-name NAME    pack: target name (default \"ST...\")\n"
	"\n"
	"General:\n"
	"      --force               allow destructive or irreversible commands\n"
	"      --json                newline-delimited JSON events on stdout\n"
	"  -q, --quiet               errors only\n"
	"  -v, --verbose             more detail (-vv: debug)\n"
	"      --trace               hex dump of every USB control transfer\n"
	"  -h, --help                this text\n"
	"      --version             program version\n"
	"\n";

enum {
	OPT_PATH = 256, OPT_INDEX, OPT_WAIT, OPT_ALT, OPT_PORT, OPT_LEAVE, OPT_LEAVE_ADDR,
	OPT_WAIT_APP, OPT_DETACH, OPT_EXTRACT, OPT_VID, OPT_PID, OPT_BCD, OPT_TNAME,
	OPT_ALL_DEVICES,
};

static const struct option long_opts[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "serial", required_argument, NULL, 's' },
	{ "path", required_argument, NULL, OPT_PATH },
	{ "index", required_argument, NULL, OPT_INDEX },
	{ "all-devices", no_argument, NULL, OPT_ALL_DEVICES },
	{ "wait", required_argument, NULL, OPT_WAIT },
	{ "alt", required_argument, NULL, OPT_ALT },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "leave", no_argument, NULL, OPT_LEAVE },
	{ "leave-addr", required_argument, NULL, OPT_LEAVE_ADDR },
	{ "wait-app", required_argument, NULL, OPT_WAIT_APP },
	{ "detach", required_argument, NULL, OPT_DETACH },
	{ "output", required_argument, NULL, 'o' },
	{ "extract", no_argument, NULL, OPT_EXTRACT },
	{ "vid", required_argument, NULL, OPT_VID },
	{ "pid", required_argument, NULL, OPT_PID },
	{ "bcd-device", required_argument, NULL, OPT_BCD },
	{ "target-name", required_argument, NULL, OPT_TNAME },
	JOB_LONGOPTS,
	SB_LINEOPTS_LONGOPTS,
	PROD_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

#define SHORT_OPTS "+d:s:f:a:no:qvh"

static int u16_opt(struct df_config *c, const char *name, const char *arg, uint16_t *out)
{
	uint32_t v;

	if (cli_number(&c->cli, name, arg, &v))
		return EXIT_USAGE;
	if (v > 0xFFFF)
		return cli_usage(&c->cli, "--%s: '%s' does not fit 16 bits", name, arg);
	*out = (uint16_t)v;
	return 0;
}

/* --wait-app VID:PID[:SECONDS] */
static int parse_wait_app(struct df_config *c, const char *arg)
{
	char id[32];
	const char *second = strchr(arg, ':');
	const char *third = second ? strchr(second + 1, ':') : NULL;
	size_t idlen = third ? (size_t)(third - arg) : strlen(arg);
	struct sb_diag d = { 0 };
	uint32_t secs = 10;

	if (idlen >= sizeof(id))
		return cli_usage(&c->cli, "--wait-app: expected VID:PID[:SECONDS], got '%s'", arg);
	memcpy(id, arg, idlen);
	id[idlen] = '\0';
	if (sb_usb_parse_id(id, &c->app_vid, &c->app_pid, &d))
		return cli_usage(&c->cli, "--wait-app: %s", d.msg);
	if (third && (!cli_parse_u32(third + 1, &secs) || secs > 3600))
		return cli_usage(&c->cli, "--wait-app: '%s' is not a number of seconds", third + 1);
	c->wait_app = true;
	c->app_wait_s = secs;
	return 0;
}

static int parse_device_option(struct df_config *c, int opt, const char *arg)
{
	struct sb_diag d = { 0 };
	uint32_t v;

	switch (opt) {
	case 'd':
		if (sb_usb_parse_id(arg, &c->sel.vid, &c->sel.pid, &d))
			return cli_usage(&c->cli, "--device: %s", d.msg);
		c->has_device = true;
		return 0;
	case 's':
		if (c->nserial_args == GANG_MAX_BOARDS)
			return cli_usage(&c->cli, "--serial: at most %d", GANG_MAX_BOARDS);
		c->serial_args[c->nserial_args++] = c->sel.serial = arg;
		return 0;
	case OPT_PATH:
		if (c->npath_args == GANG_MAX_BOARDS)
			return cli_usage(&c->cli, "--path: at most %d", GANG_MAX_BOARDS);
		c->path_args[c->npath_args++] = c->sel.path = arg;
		return 0;
	case OPT_ALL_DEVICES: c->all_devices = true; return 0;
	case OPT_INDEX:
		if (cli_number(&c->cli, "index", arg, &v) || v > 255)
			return cli_usage(&c->cli, "--index: give 0 to 255");
		c->sel.index = (int)v;
		return 0;
	case OPT_WAIT:
		if (cli_number(&c->cli, "wait", arg, &v) || v > 3600)
			return cli_usage(&c->cli, "--wait: give 0 to 3600 seconds");
		c->sel.wait_s = v;
		c->has_wait = true;
		return 0;
	case OPT_ALT: c->alt = arg; return 0;
	case OPT_PORT:
		if (sb_lineopts_set(&c->lo, SB_LO_PORT, arg, "--port", &d))
			return cli_usage(&c->cli, "%s", d.msg);
		return 0;
	case OPT_DETACH:
		if (sb_usb_parse_id(arg, &c->rt_vid, &c->rt_pid, &d))
			return cli_usage(&c->cli, "--detach: %s", d.msg);
		c->detach = true;
		return 0;
	default:
		return -1;
	}
}

static int parse_job_option(struct df_config *c, int opt, const char *arg)
{
	int r;

	switch (opt) {
	case OPT_LEAVE: c->leave = true; return 0;
	case OPT_LEAVE_ADDR:
		c->leave = c->has_leave_addr = true;
		return cli_number(&c->cli, "leave-addr", arg, &c->leave_addr);
	case OPT_WAIT_APP: return parse_wait_app(c, arg);
	default:
		if ((r = job_opts_parse(&c->job, &c->cli, opt, arg)) != 0)
			return r;
		/* dfu-util's -a is the alt setting: a small number here is that mistake */
		if (opt == 'a' && c->job.base < 0x100)
			return cli_usage(&c->cli, "-a/--base is the load address of raw binaries (as in an3155); "
					 "the alternate setting is --alt %s", arg);
		return 0;
	}
}

static int parse_other_option(struct df_config *c, int opt, const char *arg)
{
	struct sb_diag d = { 0 };
	int r;

	switch (opt) {
	case 'o': c->output = arg; return 0;
	case OPT_EXTRACT: c->extract = true; return 0;
	case OPT_VID: return u16_opt(c, "vid", arg, &c->vid);
	case OPT_PID: return u16_opt(c, "pid", arg, &c->pid);
	case OPT_BCD: return u16_opt(c, "bcd-device", arg, &c->bcd_device);
	case OPT_TNAME:
		if (strlen(arg) > 254)
			return cli_usage(&c->cli, "--target-name: at most 254 characters");
		c->target_name = arg;
		return 0;
	default:
		if ((r = prod_getopt(&c->prod, opt, arg, &d)) != 0)
			return r == 1 ? 0 : cli_usage(&c->cli, "%s", d.msg);
		r = sb_lineopts_getopt(&c->lo, opt, arg, &d);
		if (r == 1)
			return 0;
		return r ? cli_usage(&c->cli, "%s", d.msg) : EXIT_USAGE;
	}
}

static int parse_option(struct df_config *c, int opt, const char *arg)
{
	int r = parse_device_option(c, opt, arg);

	if (r < 0)
		r = parse_job_option(c, opt, arg);
	if (r < 0)
		r = parse_other_option(c, opt, arg);
	return r;
}

static void config_defaults(struct df_config *c)
{
	memset(c, 0, sizeof(*c));
	c->cli.prog = "dfuse";
	c->cli.verbosity = 1;
	sb_lineopts_init(&c->lo, "dfuse");
	prod_init(&c->prod);
	sb_usb_select_default(&c->sel);
	/* a retry costs milliseconds over USB; the engine reads a failed block back
	 * before resending it, so retrying never programs a double-word twice;
	 * USB reads cost little next to erases and programming: look first */
	job_opts_init(&c->job, 5, true);
	c->job.base = 0x08000000;
	c->vid = SB_USB_ST_VID;
	c->pid = SB_USB_ST_DFU_PID;
	c->bcd_device = 0xFFFF;  /* UM0391 / protocol-facts D.4: 0xFFFF = any version */
	c->target_name = "ST...";
}

/* parse_option() as cli_args wants it. */
static int option_of(void *ctx, int opt, const char *arg)
{
	return parse_option(ctx, opt, arg);
}

static int parse_config(struct df_config *c, int argc, char **argv)
{
	struct cli_args a = { .shortopts = SHORT_OPTS, .longopts = long_opts, .version_opt = JOB_OPT_VERSION,
			      .help = help_text, .option = option_of, .ctx = c,
			      .args = c->args, .max_args = DF_MAX_ARGS };
	int r;

	config_defaults(c);
	cli_prescan(&c->cli, argc, argv);
	r = cli_job_args(&c->cli, argc, argv, &a);
	c->command = a.command;
	c->nargs = a.nargs;
	return r;
}

/* Options > environment > jig profile: lines, sequences, and the adapter port. */
static int resolve_lines(struct df_config *c)
{
	const struct sb_seq *job[2];
	size_t n;
	int r = cli_resolve_lines(&c->cli, &c->lo, &c->port, &c->lines, job, &n);

	if (r)
		return r;
	if (c->lines && !c->port) {
		if (sb_lineopts_needs_port(&c->lo, job, n))
			return cli_usage(&c->cli, "lines on RTS/DTR need the serial adapter: give --port PORT or set STMBOOT_PORT");
	}
	/* the ROM needs a moment to enumerate after the entry sequence or a detach */
	if ((c->lines || c->detach) && !c->has_wait)
		c->sel.wait_s = 5;
	return 0;
}

/* The port --expect reads: --expect-port, the lines' adapter, or the application's USB-serial. */
static int expect_port(struct df_config *c)
{
	const struct sb_seq *job[2];
	size_t n = sb_lineopts_job(&c->lo, job);
	bool adapter_open = c->lines && sb_lineopts_needs_port(&c->lo, job, n);

	if (!c->prod.expect)
		return 0;
	if (!strcmp(c->command, "write") && !c->leave && !c->lines)
		return cli_usage(&c->cli, "--expect: nothing starts the application; add --leave or wire BOOT0/NRST");
	if (!c->prod.expect_port && c->port && !adapter_open)
		c->prod.expect_port = c->port;   /* an adapter on the board's UART */
	if (!c->prod.expect_port && !adapter_open && !c->wait_app)
		return cli_usage(&c->cli, "--expect: give --expect-port PORT (the board's UART), --port, or --wait-app VID:PID for the application's own USB-serial");
	return 0;
}

static int check_production(struct df_config *c)
{
	static const char *const expect_cmds[] = { "write", "leave", NULL };
	struct sb_diag d = { 0 };

	if (prod_validate(&c->prod, c->command, expect_cmds, &d))
		return cli_usage(&c->cli, "%s", d.msg);
	c->prod.dry_run = c->job.dry_run;
	prod_activate(&c->prod);
	return expect_port(c);
}

int main(int argc, char **argv)
{
	struct df_config c;
	char *boards[GANG_MAX_BOARDS];
	size_t nboards = 0;
	bool files;
	int rc = parse_config(&c, argc, argv);

	cli_init(&c.cli, "dfuse");
	c.lo.log = &c.cli.log;
	/* sleeps are bwPollTimeouts (B.8): wake on time, not up to 50 us late */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	if (!rc)
		rc = resolve_lines(&c);
	if (!rc)
		rc = check_production(&c);
	if (!rc)
		rc = df_gang_boards(&c, boards, &nboards);
	if (rc)
		return rc;
	files = !strcmp(c.command, "write") || !strcmp(c.command, "verify") || !strcmp(c.command, "pack");
	if ((rc = prod_start(&c.cli, STMBOOT_VERSION, c.command, c.args, files ? c.nargs : 0, boards, nboards)))
		return rc;
	if (nboards)
		return events_end(&c.cli, df_gang(&c, boards, nboards));
	return events_end(&c.cli, df_run(&c));
}
