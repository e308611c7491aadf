/* SPDX-License-Identifier: MIT */
/*
 * an3155 - program an STM32 through its USART ROM bootloader (ST AN3155).
 *
 * Thin: parse options into a struct a3_config, then run one command of
 * an3155_cmd.c. See man/an3155.1.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "an3155_tool.h"
#include "events.h"

static const char help_text[] =
	"usage: an3155 [OPTIONS] COMMAND [ARGS]\n"
	"\n"
	"Program an STM32 through its USART ROM bootloader (AN3155, 8E1, 0x7F autobaud).\n"
	"\n"
	"Commands:\n"
	"  info                      bootloader, part, flash geometry, protection, option bytes\n"
	"  write FILE[@ADDR]...      erase the pages the image touches, write, verify\n"
	"  verify FILE[@ADDR]...     compare flash with the files\n"
	"  read ADDR LEN FILE        read memory into FILE: raw binary, or Intel HEX / S-record\n"
	"                            by -f or a .hex/.srec name (- for stdout)\n"
	"  erase RANGE | --pages LIST | --bank N --force | --all --force\n"
	"                            erase pages (RANGE: ADDR:LEN or ADDR..END, page aligned)\n"
	"  crc ADDR LEN              STM32 CRC-32 of a memory range\n"
	"  go [ADDR]                 start the application (default: flash start)\n"
	"  read-protect --force      set read protection level 1\n"
	"  read-unprotect --force    remove read protection: MASS-ERASES the flash\n"
	"  write-protect CODE...     write-protect pages/sectors (ROM sector codes)\n"
	"  write-unprotect           remove all write protection\n"
	"  option-bytes              show the option bytes (raw and decoded)\n"
	"  option-bytes --write FILE|HEX|0xOPTR --force\n"
	"                            write an option-byte bank; the part resets\n"
	"  option-bytes --set FIELD=VALUE,...\n"
	"                            change OPTR fields by name (nBOOT0=1,BFB2=0); the part resets\n"
	"  list                      serial ports of this machine\n"
	"  parts [FILTER]            the device table (FILTER: part name, family or PID)\n"
	"\n"
	"Connection:\n"
	"  -p, --port PORT           /dev/ttyUSB0, a symlink, or usb:VID:PID[:SERIAL]\n"
	"                            (default: $STMBOOT_PORT); more than one -p, or a glob\n"
	"                            ('/dev/ttyUSB*'): gang, one job per port at once\n"
	"  -b, --baud RATE           baud rate (default 115200)\n"
	"      --retries N           re-sends of a block after a resync (default 3)\n"
	"      --sync-tries N        0x7F attempts (default 3)\n"
	"      --keep-latency        do not switch the adapter to low latency\n"
	"\n"
	"Part (for parts not in the table, or to override it):\n"
	"      --flash-base ADDR     flash start (default 0x08000000)\n"
	"      --flash-size SIZE     flash size (e.g. 512K)\n"
	"      --page-size SIZE      erase page size; without it an unknown part cannot page-erase\n"
	"      --write-unit N        programming unit in bytes (default from the part, else 4)\n"
	"\n"
	"write, verify:\n"
	"  -f, --format FMT          bin, ihex, srec, elf, dfu (default: from the content)\n"
	"  -a, --base ADDR           load address of raw binaries (default 0x08000000)\n"
	"      --erase MODE          pages (default), all, or none\n"
	"      --plan MODE           full (default): erase and write every touched page;\n"
	"                            read-first: read them first, skip those equal to the\n"
	"                            image, write erased ones without erasing (pays when\n"
	"                            re-flashing a similar image)\n"
	"      --no-verify           do not verify after writing\n"
	"      --keep-erased-blocks  send 256-byte blocks that are all 0xFF too\n"
	"      --read-unprotect      first remove read protection (needs --force; wipes flash)\n"
	"      --fast, --stub        write (and read) flash through a loader run from RAM\n"
	"                            (STM32L4R/L4S only; opt-in until it has run on silicon)\n"
	"      --fast-baud RATE      the loader's baud rate (implies --fast)\n"
	"  -g, --go                  start the application after writing\n"
	"      --go-addr ADDR        address of its vector table (default: image start)\n"
	"  -n, --dry-run             print the plan; erase and write nothing\n"
	"\n"
	"option-bytes:\n"
	"      --write ARG           the new bank: FILE[@ADDR] (raw), hex bytes, or 0xOPTR for bank 1\n"
	"      --set FIELD=VALUE,... OPTR fields: RDP, BOR_LEV, nRST_STOP, nRST_STDBY, nRST_SHDW,\n"
	"                            IWDG_SW, IWDG_STOP, IWDG_STDBY, WWDG_SW, BFB2, DB1M, DBANK,\n"
	"                            nBOOT1, SRAM2_PE, SRAM2_RST, nSWBOOT0, nBOOT0\n"
	"\n"
	"erase:\n"
	"      --pages LIST          page numbers: 0-3,8\n"
	"      --bank N              mass-erase bank 1 or 2 (needs --force)\n"
	"      --all                 mass-erase the whole flash (needs --force)\n"
	"\n"
	"General:\n"
	"      --force               allow destructive or irreversible commands\n"
	"      --json                newline-delimited JSON events on stdout\n"
	"  -q, --quiet               errors only\n"
	"  -v, --verbose             more detail (-vv: debug)\n"
	"      --trace               hex dump of every byte\n"
	"  -h, --help                this text\n"
	"      --version             program version\n"
	"\n";

enum {
	OPT_SYNC_TRIES = 256, OPT_KEEP_LATENCY, OPT_FLASH_BASE, OPT_FLASH_SIZE, OPT_PAGE_SIZE,
	OPT_WRITE_UNIT, OPT_GO_ADDR, OPT_BANK, OPT_FAST, OPT_FAST_BAUD,
};

static const struct option long_opts[] = {
	{ "port", required_argument, NULL, 'p' },
	{ "baud", required_argument, NULL, 'b' },
	{ "sync-tries", required_argument, NULL, OPT_SYNC_TRIES },
	{ "keep-latency", no_argument, NULL, OPT_KEEP_LATENCY },
	{ "flash-base", required_argument, NULL, OPT_FLASH_BASE },
	{ "flash-size", required_argument, NULL, OPT_FLASH_SIZE },
	{ "page-size", required_argument, NULL, OPT_PAGE_SIZE },
	{ "write-unit", required_argument, NULL, OPT_WRITE_UNIT },
	{ "fast", no_argument, NULL, OPT_FAST },
	{ "stub", no_argument, NULL, OPT_FAST },
	{ "fast-baud", required_argument, NULL, OPT_FAST_BAUD },
	{ "go", no_argument, NULL, 'g' },
	{ "go-addr", required_argument, NULL, OPT_GO_ADDR },
	{ "bank", required_argument, NULL, OPT_BANK },
	JOB_LONGOPTS,
	SB_LINEOPTS_LONGOPTS,
	PROD_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static int parse_option(struct a3_config *c, int opt, const char *arg)
{
	struct sb_diag d = { 0 };
	uint32_t v = 0;
	int r;

	switch (opt) {
	case 'p':
		if (c->nport_args == GANG_MAX_BOARDS)
			return cli_usage(&c->cli, "--port: at most %d ports", GANG_MAX_BOARDS);
		c->port_args[c->nport_args++] = (char *)arg;
		c->port = arg;
		if (sb_lineopts_set(&c->lo, SB_LO_PORT, arg, "--port", &d))
			return cli_usage(&c->cli, "%s", d.msg);
		return 0;
	case 'b': c->baud_given = true; return cli_number(&c->cli, "baud", arg, &c->baud);
	case OPT_SYNC_TRIES: return cli_number(&c->cli, "sync-tries", arg, &c->sync_tries);
	case OPT_KEEP_LATENCY: c->keep_latency = true; return 0;
	case OPT_FLASH_BASE: c->has_flash_base = true; return cli_number(&c->cli, "flash-base", arg, &c->flash_base);
	case OPT_FLASH_SIZE: return cli_number(&c->cli, "flash-size", arg, &c->flash_size);
	case OPT_PAGE_SIZE: return cli_number(&c->cli, "page-size", arg, &c->page_size);
	case OPT_WRITE_UNIT: return cli_number(&c->cli, "write-unit", arg, &c->write_unit);
	case OPT_FAST: c->fast = true; return 0;
	case OPT_FAST_BAUD: c->fast = true; return cli_number(&c->cli, "fast-baud", arg, &c->fast_baud);
	case 'g': c->go = true; return 0;
	case OPT_GO_ADDR: c->go = true; c->has_go_addr = true; return cli_number(&c->cli, "go-addr", arg, &c->go_addr);
	case OPT_BANK:
		if (cli_number(&c->cli, "bank", arg, &v) || (v != 1 && v != 2))
			return cli_usage(&c->cli, "--bank: give 1 or 2");
		c->bank = (int)v;
		return 0;
	default:
		if ((r = job_opts_parse(&c->job, &c->cli, opt, arg)) >= 0)
			return r;
		if ((r = prod_getopt(&c->prod, opt, arg, &d)) != 0)
			return r == 1 ? 0 : cli_usage(&c->cli, "%s", d.msg);
		r = sb_lineopts_getopt(&c->lo, opt, arg, &d);
		if (r == 1)
			return 0;
		return r ? cli_usage(&c->cli, "%s", d.msg) : EXIT_USAGE;
	}
}

static void config_defaults(struct a3_config *c)
{
	memset(c, 0, sizeof(*c));
	c->cli.prog = "an3155";
	c->cli.verbosity = 1;
	sb_lineopts_init(&c->lo, "an3155");
	prod_init(&c->prod);
	job_opts_init(&c->job, 3, false);   /* --plan read-first is opt-in over serial */
	c->job.base = 0x08000000;
	c->baud = 115200;
	c->sync_tries = 3;
	c->flash_base = 0x08000000;
}

/* parse_option() as cli_args wants it. */
static int option_of(void *ctx, int opt, const char *arg)
{
	return parse_option(ctx, opt, arg);
}

static int parse_config(struct a3_config *c, int argc, char **argv)
{
	struct cli_args a = { .shortopts = "+p:b:f:a:gnqvh", .longopts = long_opts, .version_opt = JOB_OPT_VERSION,
			      .help = help_text, .option = option_of, .ctx = c,
			      .args = c->args, .max_args = A3_MAX_ARGS };
	int r;

	config_defaults(c);
	cli_prescan(&c->cli, argc, argv);
	r = cli_job_args(&c->cli, argc, argv, &a);
	c->command = a.command;
	c->nargs = a.nargs;
	return r;
}

/* Options > environment > jig profile: lines, sequences, and the port. */
static int resolve_lines(struct a3_config *c)
{
	const struct sb_seq *job[2];
	size_t n;
	int r = cli_resolve_lines(&c->cli, &c->lo, &c->port, &c->lines, job, &n);

	if (r)
		return r;
	/* the jig's serial rate, unless -b says otherwise (checked when the profile was read) */
	if (!c->baud_given && sb_lineopts_extra(&c->lo, "baud"))
		c->baud = (uint32_t)strtoul(sb_lineopts_extra(&c->lo, "baud"), NULL, 10);
	return 0;
}

/* Per-board data, smoke check and gang: usage errors before anything starts. */
static int check_production(struct a3_config *c, size_t nboards)
{
	static const char *const expect_cmds[] = { "write", "go", NULL };
	struct sb_diag d = { 0 };

	if (prod_validate(&c->prod, c->command, expect_cmds, &d))
		return cli_usage(&c->cli, "%s", d.msg);
	if (c->prod.expect && !strcmp(c->command, "write") && !c->go && !c->lines)
		return cli_usage(&c->cli, "--expect: nothing starts the application; add --go or wire BOOT0/NRST");
	if (c->prod.expect_port && nboards)
		return cli_usage(&c->cli, "--expect-port: in a gang each board is read on its own port");
	c->prod.dry_run = c->job.dry_run;
	prod_activate(&c->prod);
	return 0;
}

/* Input files of the command, hashed for the start event. */
static int command_files(const struct a3_config *c)
{
	return !strcmp(c->command, "write") || !strcmp(c->command, "verify") ? c->nargs : 0;
}

int main(int argc, char **argv)
{
	struct a3_config c;
	char *boards[GANG_MAX_BOARDS];
	size_t nboards = 0;
	int rc = parse_config(&c, argc, argv);

	cli_init(&c.cli, "an3155");
	c.lo.log = &c.cli.log;
	if (!rc)
		rc = resolve_lines(&c);
	if (!rc)
		rc = a3_gang_boards(&c, boards, &nboards);
	if (!rc)
		rc = check_production(&c, nboards);
	if (rc)
		return rc;
	if (!nboards)
		events_set_board(c.port);
	if ((rc = prod_start(&c.cli, STMBOOT_VERSION, c.command, c.args, command_files(&c), boards, nboards)))
		return rc;
	if (nboards)
		return events_end(&c.cli, a3_gang(&c, boards, nboards));
	return events_end(&c.cli, a3_run(&c));
}
