/* SPDX-License-Identifier: MIT */
/*
 * romsim_serial.c - `romsim serial`: the virtual STM32L4R5's USART ROM
 * loader (AN3155) served on a pseudo-terminal. Options are parsed here; the
 * board is sim/board.h, the wire is sim/sersim.h, the OS side is
 * romsim_serial_io.c. See man/romsim.1.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "board_part.h"
#include "part.h"
#include "cpu.h"
#include "mcu.h"
#include "romsim.h"
#include "romsim_serial_io.h"
#include "sersim.h"


struct serial_opts {
	struct board_config board;
	struct sersim_config sim;
	struct rsio_config io;
	int dbank, rdp, boot0;         /* -1: not given */
	const char *log_path;
	bool verbose;
};

static volatile sig_atomic_t stop_flag;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: romsim serial [OPTIONS]\n"
		"Serve the STM32L4R5 USART ROM bootloader (AN3155) on a pseudo-terminal.\n"
		"Prints \"ready /dev/pts/N\" when serving; runs until SIGINT or SIGTERM.\n"
		"  -l, --pty-link PATH    symlink PATH to the pty slave\n"
		"  -s, --state FILE       board state (flash, option bytes, OTP); default: memory only\n"
		"      --part PID         be another part of the device table ('an3155 parts'):\n"
		"                         its memory map, pages, write unit, ROM erase command\n"
		"                         and version (default 0x470, the STM32L4R5)\n"
		"      --flash-kb KB      the part's size or a smaller variant (L4R5: 2048 or 1024)\n"
		"      --dbank 0|1        single- or dual-bank flash option at start\n"
		"      --rdp [0|1]        read protection at start (alone: 1; 0 on a protected\n"
		"                         board is a Readout Unprotect: the flash is erased)\n"
		"      --boot0 0|1        BOOT0 pin at power-up (default 1: the ROM runs)\n"
		"      --pempty-latch     an NRST reset keeps the flash-empty latch (only power-up\n"
		"                         and option loads re-check it)\n"
		"      --protocol V       protocol version in Get: 3.1 (default, the L4R5's) or\n"
		"                         later; from 3.3 on Get lists Get Checksum (0xA1)\n"
		"      --crc              the same as --protocol 3.3\n"
		"      --crc-frame usart|i2c  Get Checksum frame: AN3155 s3.13 (default) or\n"
		"                         stm32flash's (the I2C loader's)\n"
		"      --reads strict|permissive  Read Memory of the flash-size/UID/package words,\n"
		"                         FLASH registers and DBGMCU_IDCODE: NACK (default) or served\n"
		"      --repeat-sync wait|nack  0x7F when synced: an opcode waiting for its\n"
		"                         complement (default) or an immediate NACK\n"
		"      --wrp skip|nack    writes and page erases on write-protected pages: ACK\n"
		"                         and leave them unchanged (default) or NACK\n"
		"      --ob-writes bank|any  option-byte writes: a whole bank at its base only\n"
		"                         (default) or any part of a bank\n"
		"      --startup-ms N     after power-up and each reset the ROM hears nothing for N ms\n"
		"      --silent-progerr   ACK a write to a programmed double-word (data unchanged)\n"
		"      --timing           timing model: line rate, adapter latency, flash busy time\n"
		"      --baud N           line rate of the timing model (default 115200)\n"
		"      --latency-ms N     adapter latency per reply (default 0)\n"
		"      --faults SPEC      faults, e.g. nack@write#3,corrupt-in=0.001,late@go#1:1500\n"
		"      --seed N           seed of the fault injection (default 1)\n"
		"      --app-banner TEXT  the application prints TEXT on the port when it starts\n"
		"      --rom-usart 1|2|3  the USART the ROM serves on and code started by Go\n"
		"                         finds on the line (default 1)\n"
		"      --rom-clock CLK    clocks the ROM leaves at Go: hsi16 (default), msiN,\n"
		"                         hseN, pllN (MHz), then ,apb1=D ,apb2=D ,usart=pclk|sysclk|hsi16\n"
		"      --go-deinit        the ROM resets its USART and RCC before Go\n"
		"      --crc-unit dead    the CRC unit reads 0 and ignores writes, clocked or not\n"
		"      --no-cpu           Go to SRAM does not run the code (only logs it)\n"
		"      --app-baud RATE    ... at RATE 8N1, APP-DELAY ms after it starts; a host at\n"
		"                         other settings reads garbage (default: as the host reads)\n"
		"      --app-delay-ms MS  the application's start-up before it prints (default 20)\n"
		"      --adapter MAP      modem lines to pins, e.g. rts=boot0,dtr=nrst:inv\n"
		"      --pins-sock PATH   socket for \"PIN boot0|nrst 0|1\" messages\n"
		"      --log FILE         human log of commands, faults, resets and line changes\n"
		"  -v, --verbose          the same log on stderr\n"
		"  -h, --help\n"
		"Environment: SERIALSHIM_DIR (default /tmp/serialshim) holds the serial-shim socket\n"
		"pts<N>. Exit status: 0 stopped by a signal, else as in romsim --help.\n");
}

enum { O_FLASH = 256, O_PART, O_DBANK, O_RDP, O_BOOT0, O_PEMPTY, O_CRC, O_SILENT, O_TIMING, O_BAUD,
       O_LATENCY, O_FAULTS, O_SEED, O_BANNER, O_ADAPTER, O_PINS, O_LOG, O_ROM_USART, O_ROM_CLOCK,
       O_GO_DEINIT, O_NO_CPU, O_PROTOCOL, O_CRC_FRAME, O_READS, O_RESYNC, O_WRP, O_OB_WRITES,
       O_STARTUP, O_APP_BAUD, O_APP_DELAY, O_CRC_UNIT };

static const struct option long_opts[] = {
	{ "pty-link", required_argument, NULL, 'l' },
	{ "state", required_argument, NULL, 's' },
	{ "flash-kb", required_argument, NULL, O_FLASH },
	{ "part", required_argument, NULL, O_PART },
	{ "dbank", required_argument, NULL, O_DBANK },
	{ "rdp", optional_argument, NULL, O_RDP },
	{ "boot0", required_argument, NULL, O_BOOT0 },
	{ "pempty-latch", no_argument, NULL, O_PEMPTY },
	{ "crc", no_argument, NULL, O_CRC },
	{ "protocol", required_argument, NULL, O_PROTOCOL },
	{ "crc-frame", required_argument, NULL, O_CRC_FRAME },
	{ "reads", required_argument, NULL, O_READS },
	{ "repeat-sync", required_argument, NULL, O_RESYNC },
	{ "wrp", required_argument, NULL, O_WRP },
	{ "ob-writes", required_argument, NULL, O_OB_WRITES },
	{ "startup-ms", required_argument, NULL, O_STARTUP },
	{ "silent-progerr", no_argument, NULL, O_SILENT },
	{ "timing", no_argument, NULL, O_TIMING },
	{ "baud", required_argument, NULL, O_BAUD },
	{ "latency-ms", required_argument, NULL, O_LATENCY },
	{ "faults", required_argument, NULL, O_FAULTS },
	{ "seed", required_argument, NULL, O_SEED },
	{ "app-banner", required_argument, NULL, O_BANNER },
	{ "app-baud", required_argument, NULL, O_APP_BAUD },
	{ "app-delay-ms", required_argument, NULL, O_APP_DELAY },
	{ "adapter", required_argument, NULL, O_ADAPTER },
	{ "pins-sock", required_argument, NULL, O_PINS },
	{ "log", required_argument, NULL, O_LOG },
	{ "rom-usart", required_argument, NULL, O_ROM_USART },
	{ "rom-clock", required_argument, NULL, O_ROM_CLOCK },
	{ "go-deinit", no_argument, NULL, O_GO_DEINIT },
	{ "crc-unit", required_argument, NULL, O_CRC_UNIT },
	{ "no-cpu", no_argument, NULL, O_NO_CPU },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* --rdp, --rdp=N and --rdp N (the value is optional). */
static bool parse_rdp(struct serial_opts *o, int argc, char **argv)
{
	const char *v = optarg;

	if (!v && optind < argc && (!strcmp(argv[optind], "0") || !strcmp(argv[optind], "1")))
		v = argv[optind++];
	return v ? romsim_parse_bit(v, &o->rdp) : (o->rdp = 1, true);
}

static bool parse_numeric(struct serial_opts *o, int c, const char *arg)
{
	unsigned long v;

	switch (c) {
	case O_FLASH:   /* the part's own sizes are checked with the part (open_board) */
		if (!romsim_parse_ulong(arg, 65536, &v) || v == 0)
			return false;
		o->board.flash_kb = (uint32_t)v;
		return true;
	case O_PART:
		if (!romsim_parse_ulong(arg, 0xFFFF, &v) || !sb_part_by_pid((uint16_t)v))
			return false;
		o->board.pid = (uint16_t)v;
		return true;
	case O_BAUD:
		if (!romsim_parse_ulong(arg, 100000000, &v) || v == 0)
			return false;
		o->sim.baud = (unsigned)v;
		return true;
	case O_LATENCY:
		if (!romsim_parse_ulong(arg, 60000, &v))
			return false;
		o->sim.latency_ms = (unsigned)v;
		return true;
	case O_APP_BAUD:
		if (!romsim_parse_ulong(arg, 20000000, &v) || v < 50)
			return false;
		o->sim.app_baud = (unsigned)v;
		return true;
	case O_APP_DELAY:
		if (!romsim_parse_ulong(arg, 60000, &v))
			return false;
		o->sim.app_delay_ms = (unsigned)v;
		return true;
	case O_SEED:
		if (!romsim_parse_ulong(arg, ~0ul, &v))
			return false;
		o->sim.seed = v;
		return true;
	case O_ROM_USART:
		if (!romsim_parse_ulong(arg, 3, &v) || v == 0)
			return false;
		o->sim.mcu.rom_usart = (unsigned)v;
		return true;
	case O_ROM_CLOCK:
		return mcu_parse_clock(arg, &o->sim.mcu.rom_clock);
	case O_STARTUP:
		if (!romsim_parse_ulong(arg, 600000, &v))
			return false;
		o->sim.startup_ms = (unsigned)v;
		return true;
	}
	return false;
}

/* "M.N" with one digit each, from 3.0: the version byte 0xMN of Get (A.4). */
static bool parse_version(const char *s, uint8_t *out)
{
	if (strlen(s) != 3 || s[1] != '.' || s[0] < '3' || s[0] > '9' || s[2] < '0' || s[2] > '9')
		return false;
	*out = (uint8_t)((s[0] - '0') << 4 | (s[2] - '0'));
	return true;
}

/* One of two words: *flag = (arg is the second). */
static bool parse_choice(const char *arg, const char *no, const char *yes, bool *flag)
{
	if (strcmp(arg, no) && strcmp(arg, yes))
		return false;
	*flag = !strcmp(arg, yes);
	return true;
}

/* The ROM-variant options (man/romsim.1 "ROM variants"). */
static bool parse_variant(struct serial_opts *o, int c, const char *arg)
{
	struct an3155dev_config *dc = &o->sim.dev;
	bool i2c;

	switch (c) {
	case O_CRC: dc->version = AN3155DEV_VERSION_CRC; return true;
	case O_PROTOCOL: return parse_version(arg, &dc->version);
	case O_READS: return parse_choice(arg, "strict", "permissive", &dc->permissive_reads);
	case O_RESYNC: return parse_choice(arg, "wait", "nack", &dc->sync_nack);
	case O_WRP: return parse_choice(arg, "skip", "nack", &dc->wrp_nack);
	case O_OB_WRITES: return parse_choice(arg, "bank", "any", &dc->ob_any);
	case O_CRC_FRAME:
		if (!parse_choice(arg, "usart", "i2c", &i2c))
			return false;
		dc->crc_frame = i2c ? AN3155DEV_CRC_I2C : AN3155DEV_CRC_USART;
		return true;
	}
	return parse_numeric(o, c, arg);
}

static bool parse_one(struct serial_opts *o, int c, int argc, char **argv)
{
	switch (c) {
	case 'l': o->io.pty_link = optarg; return true;
	case 's': o->board.state_file = optarg; return true;
	case O_DBANK: return romsim_parse_bit(optarg, &o->dbank);
	case O_RDP: return parse_rdp(o, argc, argv);
	case O_BOOT0: return romsim_parse_bit(optarg, &o->boot0);
	case O_PEMPTY: o->board.pempty_por_only = true; return true;
	case O_SILENT: o->sim.dev.silent_progerr = true; return true;
	case O_TIMING: o->sim.timing = true; return true;
	case O_FAULTS: o->sim.faults = optarg; return true;
	case O_BANNER: o->sim.app_banner = optarg; return true;
	case O_ADAPTER: o->sim.adapter = optarg; return true;
	case O_PINS: o->io.pins_sock = optarg; return true;
	case O_LOG: o->log_path = optarg; return true;
	case O_GO_DEINIT: o->sim.mcu.go_deinit = true; return true;
	case O_CRC_UNIT:
		o->sim.mcu.crc_dead = !strcmp(optarg, "dead");
		return o->sim.mcu.crc_dead || !strcmp(optarg, "ok");
	case O_NO_CPU: o->sim.cpu = NULL; return true;
	case 'v': o->verbose = true; return true;
	}
	return parse_variant(o, c, optarg);
}

/* 0 ok, 1 --help given, 2 usage error. */
static int parse_args(struct serial_opts *o, int argc, char **argv)
{
	int c, li = -1;

	*o = (struct serial_opts){ .dbank = -1, .rdp = -1, .boot0 = -1, .sim.seed = 1,
				   .sim.cpu = &cpu_unicorn, .sim.app_delay_ms = 20 };
	o->io.shim_dir = getenv("SERIALSHIM_DIR") ? getenv("SERIALSHIM_DIR") : "/tmp/serialshim";
	optind = 1;
	opterr = 0;  /* one message of ours, then the hint */
	while ((c = getopt_long(argc, argv, "l:s:vh", long_opts, &li)) != -1) {
		if (c == 'h')
			return 1;
		if (c == '?') {
			fprintf(stderr, "romsim serial: unknown option or missing argument: %s\n",
				argv[optind - 1]);
			return 2;
		}
		if (!parse_one(o, c, argc, argv)) {
			fprintf(stderr, "romsim serial: bad value '%s' for --%s\n", optarg ? optarg : "",
				li >= 0 ? long_opts[li].name : "?");
			return 2;
		}
		li = -1;
	}
	if (optind < argc) {
		fprintf(stderr, "romsim serial: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	return 0;
}

/* ---- board set-up ---- */

/* The part's profile, and its fresh option word from --dbank/--rdp. */
static bool part_setup(struct serial_opts *o, int *status)
{
	struct board_profile prof;
	bool inv;

	*status = 2;
	if (!board_profile_for(o->board.pid, o->board.flash_kb, &prof)) {
		fprintf(stderr, "romsim serial: PID 0x%03X does not come with %u KB of flash (or its"
			" banks are not contiguous at that size): see 'an3155 parts'\n",
			o->board.pid ? o->board.pid : BOARD_DEFAULT_PID, o->board.flash_kb);
		return false;
	}
	if (o->dbank >= 0 && board_profile_bank_bit(&prof, &inv) < 0) {
		fprintf(stderr, "romsim serial: --dbank: no option bit chooses the bank mode of %s"
			" with %u KB\n", prof.part->name, prof.flash_size / 1024);
		return false;
	}
	o->board.optr = board_profile_fresh_optr(&prof, o->dbank, o->rdp);
	if (prof.part->pid != BOARD_DEFAULT_PID)
		o->sim.cpu = NULL;   /* the CPU model's peripherals are the L4R5's */
	return true;
}

static struct board *open_board(struct serial_opts *o, int *status)
{
	struct board *b;

	if (!part_setup(o, status))
		return NULL;
	o->board.boot0_low = o->boot0 == 0;
	b = board_new(&o->board);
	if (!b) {
		fprintf(stderr, "romsim serial: cannot use state file '%s' (not a board state, "
			"or a raw flash image larger than the flash)\n",
			o->board.state_file ? o->board.state_file : "(memory)");
		*status = 3;
		return NULL;
	}
	if (board_apply_options(b, o->dbank, o->rdp) != BOARD_OK) {
		fprintf(stderr, "romsim serial: cannot apply --dbank/--rdp (read protection active?)\n");
		board_free(b);
		*status = 1;
		return NULL;
	}
	return b;
}

/* ---- log ---- */

struct log_sink {
	FILE *file;
	bool verbose;
};

static void log_line(void *ctx, const char *line)
{
	struct log_sink *l = ctx;

	if (l->file)
		fprintf(l->file, "%s\n", line);
	if (l->verbose)
		fprintf(stderr, "romsim serial: %s\n", line);
}

/* ---- main ---- */

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);   /* no SA_RESTART: poll() returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int serve(struct serial_opts *o, struct board *b, struct log_sink *log)
{
	char err[256];
	struct sersim *s;
	struct rsio *io;
	int rc = 1;

	o->sim.power_up_ns = rsio_now();  /* the start-up delay runs from here */
	s = sersim_new(b, &o->sim, err, sizeof err);

	if (!s) {
		fprintf(stderr, "romsim serial: %s\n", err);
		return 2;
	}
	sersim_set_log(s, log_line, log);
	io = rsio_open(&o->io, err, sizeof err);
	if (!io) {
		fprintf(stderr, "romsim serial: %s\n", err);
	} else {
		if (*rsio_warning(io))
			fprintf(stderr, "romsim serial: warning: %s\n", rsio_warning(io));
		printf("ready %s\n", rsio_slave_path(io));
		fflush(stdout);
		rc = rsio_run(io, s, &stop_flag) < 0 ? 1 : 0;
		if (rc)
			fprintf(stderr, "romsim serial: %s\n", strerror(errno));
	}
	rsio_close(io);
	sersim_free(s);
	return rc;
}

int romsim_serial_main(int argc, char **argv)
{
	struct serial_opts o;
	struct log_sink log = { NULL, false };
	struct board *b;
	int rc = parse_args(&o, argc, argv);

	if (rc == 1) {
		usage(stdout);
		return 0;
	}
	if (rc) {
		fprintf(stderr, "Try 'romsim serial --help'.\n");
		return 2;
	}
	catch_signals();
	b = open_board(&o, &rc);
	if (!b)
		return rc;
	log.verbose = o.verbose;
	if (o.log_path && !(log.file = fopen(o.log_path, "w"))) {
		fprintf(stderr, "romsim serial: cannot write %s: %s\n", o.log_path, strerror(errno));
		board_free(b);
		return 1;
	}
	if (log.file)
		setvbuf(log.file, NULL, _IOLBF, 0);  /* tests grep it while we run */
	rc = serve(&o, b, &log);
	if (log.file)
		fclose(log.file);
	board_free(b);
	return rc;
}
