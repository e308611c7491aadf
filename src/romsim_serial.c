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
		"      --flash-kb KB      2048 (default) or 1024\n"
		"      --dbank 0|1        single- or dual-bank flash option at start\n"
		"      --rdp [0|1]        read protection at start (alone: 1; 0 on a protected\n"
		"                         board is a Readout Unprotect: the flash is erased)\n"
		"      --boot0 0|1        BOOT0 pin at power-up (default 1: the ROM runs)\n"
		"      --pempty-latch     an NRST reset keeps the flash-empty latch (only power-up\n"
		"                         and option loads re-check it)\n"
		"      --crc              offer Get Checksum (0xA1) like newer ROMs\n"
		"      --silent-progerr   ACK a write to a programmed double-word (data unchanged)\n"
		"      --timing           timing model: line rate, adapter latency, flash busy time\n"
		"      --baud N           line rate of the timing model (default 115200)\n"
		"      --latency-ms N     adapter latency per reply (default 0)\n"
		"      --faults SPEC      fault injection, e.g. nack@write#3,corrupt-in=0.001\n"
		"      --seed N           seed of the fault injection (default 1)\n"
		"      --app-banner TEXT  the application prints TEXT on the port when it starts\n"
		"      --rom-usart 1|2|3  the USART the ROM serves on and code started by Go\n"
		"                         finds on the line (default 1)\n"
		"      --rom-clock CLK    clocks the ROM leaves at Go: hsi16 (default), msiN,\n"
		"                         hseN, pllN (MHz), then ,apb1=D ,apb2=D ,usart=pclk|sysclk|hsi16\n"
		"      --go-deinit        the ROM resets its USART and RCC before Go\n"
		"      --no-cpu           Go to SRAM does not run the code (only logs it)\n"
		"      --adapter MAP      modem lines to pins, e.g. rts=boot0,dtr=nrst:inv\n"
		"      --pins-sock PATH   socket for \"PIN boot0|nrst 0|1\" messages\n"
		"      --log FILE         human log of commands, faults, resets and line changes\n"
		"  -v, --verbose          the same log on stderr\n"
		"  -h, --help\n"
		"Environment: SERIALSHIM_DIR (default /tmp/serialshim) holds the serial-shim socket\n"
		"pts<N>. Exit status: 0 stopped by a signal; 1 failure; 2 usage; 3 bad state file.\n");
}

enum { O_FLASH = 256, O_DBANK, O_RDP, O_BOOT0, O_PEMPTY, O_CRC, O_SILENT, O_TIMING, O_BAUD,
       O_LATENCY, O_FAULTS, O_SEED, O_BANNER, O_ADAPTER, O_PINS, O_LOG, O_ROM_USART, O_ROM_CLOCK,
       O_GO_DEINIT, O_NO_CPU };

static const struct option long_opts[] = {
	{ "pty-link", required_argument, NULL, 'l' },
	{ "state", required_argument, NULL, 's' },
	{ "flash-kb", required_argument, NULL, O_FLASH },
	{ "dbank", required_argument, NULL, O_DBANK },
	{ "rdp", optional_argument, NULL, O_RDP },
	{ "boot0", required_argument, NULL, O_BOOT0 },
	{ "pempty-latch", no_argument, NULL, O_PEMPTY },
	{ "crc", no_argument, NULL, O_CRC },
	{ "silent-progerr", no_argument, NULL, O_SILENT },
	{ "timing", no_argument, NULL, O_TIMING },
	{ "baud", required_argument, NULL, O_BAUD },
	{ "latency-ms", required_argument, NULL, O_LATENCY },
	{ "faults", required_argument, NULL, O_FAULTS },
	{ "seed", required_argument, NULL, O_SEED },
	{ "app-banner", required_argument, NULL, O_BANNER },
	{ "adapter", required_argument, NULL, O_ADAPTER },
	{ "pins-sock", required_argument, NULL, O_PINS },
	{ "log", required_argument, NULL, O_LOG },
	{ "rom-usart", required_argument, NULL, O_ROM_USART },
	{ "rom-clock", required_argument, NULL, O_ROM_CLOCK },
	{ "go-deinit", no_argument, NULL, O_GO_DEINIT },
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
	case O_FLASH:
		if (!romsim_parse_ulong(arg, 2048, &v) || (v != 1024 && v != 2048))
			return false;
		o->board.flash_kb = (uint32_t)v;
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
	}
	return false;
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
	case O_CRC: o->board.offer_crc = true; return true;
	case O_SILENT: o->sim.dev.silent_progerr = true; return true;
	case O_TIMING: o->sim.timing = true; return true;
	case O_FAULTS: o->sim.faults = optarg; return true;
	case O_BANNER: o->sim.app_banner = optarg; return true;
	case O_ADAPTER: o->sim.adapter = optarg; return true;
	case O_PINS: o->io.pins_sock = optarg; return true;
	case O_LOG: o->log_path = optarg; return true;
	case O_GO_DEINIT: o->sim.mcu.go_deinit = true; return true;
	case O_NO_CPU: o->sim.cpu = NULL; return true;
	case 'v': o->verbose = true; return true;
	}
	return parse_numeric(o, c, optarg);
}

/* 0 ok, 1 --help given, 2 usage error. */
static int parse_args(struct serial_opts *o, int argc, char **argv)
{
	int c, li = -1;

	*o = (struct serial_opts){ .dbank = -1, .rdp = -1, .boot0 = -1, .sim.seed = 1,
				   .sim.cpu = &cpu_unicorn };
	o->io.shim_dir = getenv("SERIALSHIM_DIR") ? getenv("SERIALSHIM_DIR") : "/tmp/serialshim";
	optind = 1;
	while ((c = getopt_long(argc, argv, "l:s:vh", long_opts, &li)) != -1) {
		if (c == 'h')
			return 1;
		if (c == '?')
			return 2;
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

static struct board *open_board(struct serial_opts *o, int *status)
{
	struct board *b;

	o->board.optr = board_fresh_optr(o->board.flash_kb, o->dbank, o->rdp);
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
	struct sersim *s = sersim_new(b, &o->sim, err, sizeof err);
	struct rsio *io;
	int rc = 1;

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
		fprintf(stderr, "usage: romsim serial [OPTIONS]  (romsim serial --help)\n");
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
