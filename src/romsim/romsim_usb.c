/* SPDX-License-Identifier: MIT */
/*
 * romsim_usb.c - `romsim usb`: runs a command against one or several
 * emulated STM32L4R5 DfuSe ROM devices (0483:DF11) on a umockdev testbed.
 *
 * The testbed and the device models live in this process; the command
 * runs in a child with LD_PRELOAD=libumockdev-preload.so.0 (put before any
 * LD_PRELOAD it already had, but after a serial shim, see below) and the
 * UMOCKDEV_DIR of the testbed, so its
 * libusb finds the devices through udev/sysfs and talks to them through
 * emulated usbdevfs (testing-without-hardware §1). This process re-executes
 * itself with that preload first: umockdev sends uevents through
 * libudev, which must see the testbed's sysfs, or a device that leaves or
 * re-enumerates would never be announced to the child's libusb hotplug
 * thread. romsim prints nothing on stdout: the child owns it.
 * Exit status: the child's (128+N if it died of signal N), 2 for a usage
 * error, 3 for an unusable state file, 1 otherwise.
 *
 * With --adapter a pseudo-terminal stands for a USB-serial adapter whose
 * DTR/RTS drive the boards' BOOT0/NRST (src/romsim/usbsim_adapter.c). The child
 * needs the serial shim (src/romsim/shim/serialshim.c) preloaded for it, and
 * before umockdev's preload: umockdev calls libc directly, so a shim after
 * it would never see the child's ioctl(), open(), close() and /sys lookups.
 * A serialshim entry already in LD_PRELOAD is therefore kept first in the
 * child's, and left out of this process's own (we serve its socket).
 *
 * Bus events and pins: src/usbsim*.c; the device model: sim/dfu_dev.h.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "romsim.h"
#include "usbsim.h"

#define PRELOAD "libumockdev-preload.so.0"
#define SHIM_NAME "serialshim"

struct usb_opts {
	unsigned devices;
	const char *state[USBSIM_MAX_DEVICES];
	unsigned nstate;
	unsigned flash_kb;
	int dbank, rdp, boot0;       /* -1: leave as the state file has it */
	bool timing, verbose, trace;
	int reenum_ms;               /* -1: default */
	unsigned appear_ms;
	unsigned gone_ms;
	struct dfu_dev_faults faults;
	enum dfu_dev_prog_error prog_error;
	const char *log_path, *stats_path, *pins_path;
	const char *adapter, *adapter_link;  /* adapter: the map as given, NULL: none */
	const char *app_banner;      /* --app-banner: on the adapter when the application starts */
	bool app_dfu;                /* --app-dfu: the application offers DFU run-time */
	bool app_waits_reset;        /* ... with ":reset": no bitWillDetach */
	uint16_t app_vid, app_pid;
	struct adapter_map map;
	char **cmd;
};

struct usb_run {
	struct usb_opts o;
	struct board *board[USBSIM_MAX_DEVICES];
	char state_path[USBSIM_MAX_DEVICES][1024];
	struct usbsim *sim;
	struct usbsim_pins *pins;
	struct usbsim_adapter *adapter;
	FILE *log;
	uint64_t t0_us;
};

/* The child, for the signal handler only (a handler cannot take arguments). */
static volatile pid_t child_pid;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: romsim usb [OPTIONS] -- CMD [ARG...]\n"
		"Run CMD with emulated STM32L4R5 DfuSe ROM devices (0483:df11) on USB bus 1.\n"
		"  -n, --devices N      devices, 1..%d (default 1); port paths 1-1, 1-2, ...\n"
		"  -s, --state FILE     board state of the next device (repeat per device); a FILE\n"
		"                       containing %%d serves that and all later devices, %%d\n"
		"                       replaced by the device number; default: memory only\n"
		"      --flash-kb KB    2048 (default) or 1024\n"
		"      --dbank 0|1      single- or dual-bank flash option before start\n"
		"      --rdp 0|1        read protection before start (0 on a protected board\n"
		"                       is a Read Unprotect: the flash is erased)\n"
		"      --boot0 0|1      BOOT0 pin (default 1: the ROM runs)\n"
		"      --timing         transfers, erases and programming take their modelled time\n"
		"      --reenum-ms MS   delay before a device that reset into the ROM reappears\n"
		"                       (default 0, 200 with --timing)\n"
		"      --appear-ms MS   devices first appear MS after romsim starts (default 0)\n"
		"      --gone-ms MS     a device that left the bus stays listed MS longer, its\n"
		"                       requests failing, as until a hub reports it (default 0)\n"
		"      --app-dfu VID:PID[:reset]  the application offers a DFU run-time interface:\n"
		"                       while a board runs it, its device is VID:PID, and DFU_DETACH\n"
		"                       restarts it in the ROM loader (with :reset only after the\n"
		"                       host's USB reset: no bitWillDetach); default: off the bus\n"
		"      --faults SPEC    stall=PCT,status=PCT,busystall=N,vanish=N,starterr\n"
		"      --seed N         seed of the fault injection (default 1)\n"
		"      --prog-error errprog|errwrite|silent\n"
		"                       the answer to a block over a double-word already programmed\n"
		"                       (the ROM's choice is undocumented; default errprog)\n"
		"      --pins-sock PATH socket for \"PIN boot0|nrst 0|1\", \"GET\", \"MODE\", \"POWER\"\n"
		"                       messages (romsim serial's protocol); %%d in PATH: one per\n"
		"                       device, else device 1 only\n"
		"      --adapter MAP    a USB-serial adapter whose modem lines drive BOOT0/NRST,\n"
		"                       e.g. rts=boot0,dtr=nrst:inv (as romsim serial --adapter)\n"
		"      --adapter-link PATH  symlink PATH to the adapter's pty; %%d in PATH: one\n"
		"                       adapter per device, else device 1 only\n"
		"      --app-banner TEXT  the adapter's RX is on the board's UART: the application\n"
		"                       prints TEXT there each time it starts (with --adapter)\n"
		"      --log FILE       human log of every request and bus event\n"
		"      --stats FILE     counters and final board state per device, at exit\n"
		"      --trace-ioctl    log every usbdevfs ioctl (with --log)\n"
		"  -v, --verbose        progress on stderr\n"
		"  -h, --help\n"
		"With --adapter the command gets ROMSIM_ADAPTER=/dev/pts/N (device 1's adapter)\n"
		"and needs serialshim.so in LD_PRELOAD to set DTR/RTS; it stays first, before\n"
		"umockdev's preload. SERIALSHIM_DIR (default /tmp/serialshim) holds the shim sockets.\n"
		"Exit status: CMD's (128+N if killed by signal N), else as in romsim --help.\n"
		"Nothing is printed on stdout.\n",
		USBSIM_MAX_DEVICES);
}

enum { O_FLASH = 256, O_DBANK, O_RDP, O_BOOT0, O_TIMING, O_REENUM, O_FAULTS, O_SEED, O_LOG,
       O_STATS, O_TRACE, O_PINS, O_APPEAR, O_GONE, O_ADAPTER, O_ADAPTER_LINK, O_APP_DFU, O_PROG_ERROR,
       O_APP_BANNER };

static const struct option long_opts[] = {
	{ "devices", required_argument, NULL, 'n' },
	{ "state", required_argument, NULL, 's' },
	{ "flash-kb", required_argument, NULL, O_FLASH },
	{ "dbank", required_argument, NULL, O_DBANK },
	{ "rdp", required_argument, NULL, O_RDP },
	{ "boot0", required_argument, NULL, O_BOOT0 },
	{ "timing", no_argument, NULL, O_TIMING },
	{ "reenum-ms", required_argument, NULL, O_REENUM },
	{ "faults", required_argument, NULL, O_FAULTS },
	{ "seed", required_argument, NULL, O_SEED },
	{ "prog-error", required_argument, NULL, O_PROG_ERROR },
	{ "log", required_argument, NULL, O_LOG },
	{ "stats", required_argument, NULL, O_STATS },
	{ "trace-ioctl", no_argument, NULL, O_TRACE },
	{ "pins-sock", required_argument, NULL, O_PINS },
	{ "appear-ms", required_argument, NULL, O_APPEAR },
	{ "gone-ms", required_argument, NULL, O_GONE },
	{ "adapter", required_argument, NULL, O_ADAPTER },
	{ "app-dfu", required_argument, NULL, O_APP_DFU },
	{ "adapter-link", required_argument, NULL, O_ADAPTER_LINK },
	{ "app-banner", required_argument, NULL, O_APP_BANNER },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* --app-dfu "1209:0001[:reset]": two hex numbers of at most 4 digits. */
static bool parse_app_dfu(struct usb_opts *o, const char *arg)
{
	unsigned v, p;
	int n = 0;

	if (sscanf(arg, "%4x:%4x%n", &v, &p, &n) != 2 || !isxdigit((unsigned char)arg[0]) ||
	    (arg[n] && strcmp(arg + n, ":reset")))
		return false;
	o->app_vid = (uint16_t)v;
	o->app_pid = (uint16_t)p;
	o->app_waits_reset = arg[n] != '\0';
	o->app_dfu = true;
	return true;
}

/* --prog-error errprog|errwrite|silent (dfu_dev.h enum dfu_dev_prog_error). */
static bool parse_prog_error(struct usb_opts *o, const char *arg)
{
	static const char *const names[] = { "errprog", "errwrite", "silent" };

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(arg, names[i])) {
			o->prog_error = (enum dfu_dev_prog_error)i;
			return true;
		}
	return false;
}

/* One option; false on a bad value. */
static bool take_opt(struct usb_opts *o, int c, const char *arg, const char **faults)
{
	unsigned long v;

	switch (c) {
	case 'n':
		if (!romsim_parse_ulong(arg, USBSIM_MAX_DEVICES, &v) || v == 0)
			return false;
		o->devices = (unsigned)v;
		return true;
	case 's':
		if (o->nstate == USBSIM_MAX_DEVICES)
			return false;
		o->state[o->nstate++] = arg;
		return true;
	case O_FLASH:
		o->flash_kb = (unsigned)(romsim_parse_ulong(arg, 4096, &v) ? v : 0);
		return v == 1024 || v == 2048;
	case O_DBANK: return romsim_parse_bit(arg, &o->dbank);
	case O_RDP: return romsim_parse_bit(arg, &o->rdp);
	case O_BOOT0: return romsim_parse_bit(arg, &o->boot0);
	case O_TIMING: o->timing = true; return true;
	case O_REENUM:
		o->reenum_ms = (int)(romsim_parse_ulong(arg, 600000, &v) ? v : 0);
		return romsim_parse_ulong(arg, 600000, &v);
	case O_APPEAR:
		o->appear_ms = (unsigned)(romsim_parse_ulong(arg, 600000, &v) ? v : 0);
		return romsim_parse_ulong(arg, 600000, &v);
	case O_GONE:
		o->gone_ms = (unsigned)(romsim_parse_ulong(arg, 600000, &v) ? v : 0);
		return romsim_parse_ulong(arg, 600000, &v);
	case O_FAULTS: *faults = arg; return true;
	case O_SEED:
		o->faults.seed = (uint32_t)(romsim_parse_ulong(arg, 0xFFFFFFFFul, &v) ? v : 0);
		return romsim_parse_ulong(arg, 0xFFFFFFFFul, &v);
	case O_PROG_ERROR: return parse_prog_error(o, arg);
	case O_LOG: o->log_path = arg; return true;
	case O_STATS: o->stats_path = arg; return true;
	case O_TRACE: o->trace = true; return true;
	case O_PINS: o->pins_path = arg; return true;
	case O_ADAPTER: o->adapter = arg; return true;
	case O_APP_DFU: return parse_app_dfu(o, arg);
	case O_ADAPTER_LINK: o->adapter_link = arg; return true;
	case O_APP_BANNER: o->app_banner = arg; return true;
	case 'v': o->verbose = true; return true;
	default: return false;
	}
}

static int parse_adapter(struct usb_opts *o)
{
	char err[256];

	if (o->app_banner && !o->adapter) {
		fprintf(stderr, "romsim usb: --app-banner needs --adapter MAP (the port it prints on)\n");
		return -1;
	}
	if (o->adapter_link && !o->adapter) {
		fprintf(stderr, "romsim usb: --adapter-link needs --adapter MAP\n");
		return -1;
	}
	if (o->adapter && adapter_parse(&o->map, o->adapter, err, sizeof(err)) < 0) {
		fprintf(stderr, "romsim usb: --adapter: %s\n", err);
		return -1;
	}
	return 0;
}

/* 0 ok, 1 --help, 2 usage error (message printed). */
static int parse_opts(struct usb_opts *o, int argc, char **argv)
{
	const char *faults = NULL;
	int c;

	*o = (struct usb_opts){ .devices = 1, .flash_kb = 2048, .dbank = -1, .rdp = -1,
				.boot0 = 1, .reenum_ms = -1 };
	o->faults.seed = 1;
	optind = 1;
	opterr = 0;  /* one message of ours, then the hint */
	while ((c = getopt_long(argc, argv, "+n:s:vh", long_opts, NULL)) != -1) {
		if (c == 'h')
			return 1;
		if (c == '?' || !take_opt(o, c, optarg, &faults)) {
			if (c == '?')
				fprintf(stderr, "romsim usb: unknown option or missing argument: %s\n",
					argv[optind - 1]);
			else
				fprintf(stderr, "romsim usb: bad value '%s'\n", optarg ? optarg : "");
			return 2;
		}
	}
	if (faults && dfu_dev_parse_faults(faults, &o->faults) < 0) {
		fprintf(stderr, "romsim usb: bad --faults '%s'\n", faults);
		return 2;
	}
	if (parse_adapter(o) < 0)
		return 2;
	if (optind >= argc) {
		fprintf(stderr, "romsim usb: no command (romsim usb [OPTIONS] -- CMD ARGS)\n");
		return 2;
	}
	o->cmd = argv + optind;
	if (o->reenum_ms < 0)
		o->reenum_ms = o->timing ? 200 : 0;
	return 0;
}

/* ---- boards ---- */

/* The state file of device num (1-based): "" for memory only, NULL if not given. */
static const char *state_file(struct usb_run *r, unsigned num)
{
	const struct usb_opts *o = &r->o;
	const char *s, *pct;
	char *out = r->state_path[num - 1];

	if (o->nstate == 0)
		return "";
	s = num <= o->nstate ? o->state[num - 1] : o->state[o->nstate - 1];
	pct = strstr(s, "%d");
	if (!pct)
		return num <= o->nstate ? s : NULL;
	snprintf(out, sizeof(r->state_path[0]), "%.*s%u%s", (int)(pct - s), s, num, pct + 2);
	return out;
}

static int open_boards(struct usb_run *r)
{
	for (unsigned num = 1; num <= r->o.devices; num++) {
		const char *path = state_file(r, num);
		struct board_config bc = { .flash_kb = r->o.flash_kb,
					   .optr = board_fresh_optr(r->o.flash_kb, r->o.dbank, r->o.rdp),
					   .boot0_low = r->o.boot0 == 0 };

		if (!path) {
			fprintf(stderr, "romsim usb: no --state for device %u (give one per device "
				"or a FILE with %%d)\n", num);
			return 2;
		}
		bc.state_file = *path ? path : NULL;
		r->board[num - 1] = board_new(&bc);
		if (!r->board[num - 1]) {
			fprintf(stderr, "romsim usb: cannot use state file '%s'\n", path);
			return 3;
		}
		if (board_apply_options(r->board[num - 1], r->o.dbank, r->o.rdp) != BOARD_OK) {
			fprintf(stderr, "romsim usb: device %u: cannot apply --dbank/--rdp "
				"(read protection active?)\n", num);
			return 1;
		}
	}
	return 0;
}

/* ---- log ---- */

static void log_line(void *ctx, const char *line)
{
	struct usb_run *r = ctx;
	uint64_t t = usbsim_now_us() - r->t0_us;

	fprintf(r->log, "%6llu.%03llu %s\n", (unsigned long long)(t / 1000000u),
		(unsigned long long)(t / 1000u % 1000u), line);
	fflush(r->log);
}


/* One line per device: counters of the model and where the board ended. */
static void device_summary(struct usb_run *r, unsigned num, char *out, size_t cap)
{
	struct dfu_dev *d = usbsim_dev(r->sim, num);
	struct board *b = usbsim_board(r->sim, num);
	struct dfu_dev_stats st;

	dfu_dev_stats(d, &st);
	snprintf(out, cap,
		 "device=1-%u serial=%s mode=%s app_entry=0x%08X rdp=%d dual_bank=%d "
		 "requests=%u stalls=%u getstatus=%u commands=%u blocks=%u uploads=%u errors=%u "
		 "page_erases=%u mass_erases=%u detaches=%u enumerations=%u faults=%u "
		 "bytes_down=%llu bytes_up=%llu bus_us=%llu flash_us=%llu wait_us=%llu",
		 num, dfu_dev_serial(d), board_mode_name(board_mode(b)), (unsigned)board_app_entry(b),
		 board_rdp_level(b), board_dual_bank(b), st.requests, st.stalls, st.getstatus,
		 st.commands, st.blocks, st.uploads, st.errors, st.page_erases, st.mass_erases,
		 st.detaches, st.enumerations, st.faults, (unsigned long long)st.bytes_down,
		 (unsigned long long)st.bytes_up, (unsigned long long)st.bus_us,
		 (unsigned long long)st.flash_us, (unsigned long long)st.wait_us);
}

static void report(struct usb_run *r)
{
	FILE *stats = r->o.stats_path ? fopen(r->o.stats_path, "we") : NULL;
	char line[768];

	if (r->o.stats_path && !stats)
		fprintf(stderr, "romsim usb: cannot write %s: %s\n", r->o.stats_path, strerror(errno));
	usbsim_lock(r->sim);
	for (unsigned num = 1; num <= usbsim_count(r->sim); num++) {
		device_summary(r, num, line, sizeof(line));
		if (stats)
			fprintf(stats, "%s\n", line);
		if (r->log)
			log_line(r, line);
		if (r->o.verbose)
			fprintf(stderr, "romsim usb: %s\n", line);
	}
	usbsim_unlock(r->sim);
	if (stats)
		fclose(stats);
}

/* ---- the bus and the child ---- */

static int start_pins(struct usb_run *r)
{
	char err[256];

	if (!r->o.pins_path)
		return 0;
	r->pins = usbsim_pins_start(r->sim, r->o.pins_path, err, sizeof(err));
	if (!r->pins) {
		fprintf(stderr, "romsim usb: %s\n", err);
		return 1;
	}
	return 0;
}

static const char *shim_dir(void)
{
	const char *d = getenv("SERIALSHIM_DIR");

	return d && *d ? d : "/tmp/serialshim";
}

static int start_adapter(struct usb_run *r)
{
	char err[256];

	if (!r->o.adapter)
		return 0;
	r->adapter = usbsim_adapter_start(r->sim, &r->o.map, r->o.adapter_link, shim_dir(),
					  r->o.app_banner, err, sizeof(err));
	if (!r->adapter) {
		fprintf(stderr, "romsim usb: --adapter: %s\n", err);
		return 1;
	}
	if (setenv("ROMSIM_ADAPTER", usbsim_adapter_path(r->adapter, 1), 1) < 0)
		return 1;
	for (unsigned num = 1; r->o.verbose && usbsim_adapter_path(r->adapter, num); num++)
		fprintf(stderr, "romsim usb: 1-%u adapter %s (%s)\n", num,
			usbsim_adapter_path(r->adapter, num), r->o.adapter);
	if (!strstr(getenv("LD_PRELOAD") ? getenv("LD_PRELOAD") : "", SHIM_NAME))
		fprintf(stderr, "romsim usb: warning: no %s.so in LD_PRELOAD: the command "
			"cannot set the adapter's DTR/RTS\n", SHIM_NAME);
	return 0;
}

static int start_bus(struct usb_run *r)
{
	struct usbsim_config sc = { .timing = r->o.timing, .reenum_ms = (unsigned)r->o.reenum_ms,
				    .appear_ms = r->o.appear_ms, .gone_ms = r->o.gone_ms,
				    .trace_ioctl = r->o.trace };

	if (r->log) {
		sc.log = log_line;
		sc.log_ctx = r;
	}
	r->sim = usbsim_new(&sc);
	if (!r->sim) {
		fprintf(stderr, "romsim usb: cannot create the umockdev testbed\n");
		return 1;
	}
	for (unsigned num = 1; num <= r->o.devices; num++) {
		struct dfu_dev_config dc = { .timing = r->o.timing, .faults = r->o.faults,
					     .prog_error = r->o.prog_error,
					     .app_dfu = r->o.app_dfu, .app_vid = r->o.app_vid,
					     .app_pid = r->o.app_pid,
					     .app_waits_reset = r->o.app_waits_reset };

		if (usbsim_add(r->sim, r->board[num - 1], &dc) < 0) {
			fprintf(stderr, "romsim usb: cannot add device %u\n", num);
			return 1;
		}
		if (!r->o.appear_ms &&
		    !usbsim_wait_present(r->sim, num, board_mode(r->board[num - 1]) == BOARD_MODE_ROM,
					 5000))
			fprintf(stderr, "romsim usb: device %u did not appear\n", num);
		if (r->o.verbose)
			fprintf(stderr, "romsim usb: 1-%u serial %s, %s, board in %s mode\n", num,
				dfu_dev_serial(usbsim_dev(r->sim, num)),
				*r->state_path[num - 1] ? r->state_path[num - 1] : "state in memory",
				board_mode_name(board_mode(r->board[num - 1])));
	}
	if (r->o.verbose)
		fprintf(stderr, "romsim usb: testbed %s\n", usbsim_root(r->sim));
	return start_pins(r) ? 1 : start_adapter(r);
}

static void forward_signal(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

enum entry_kind { E_SHIM, E_UMOCKDEV, E_OTHER };

static enum entry_kind kind_of(const char *word)
{
	return strstr(word, "libumockdev-preload") ? E_UMOCKDEV
	       : strstr(word, SHIM_NAME) ? E_SHIM : E_OTHER;
}

/* Append the entries of list (':' or ' ' separated) of that kind to out;
 * with first, only the first one. */
static void add_entries(char *out, size_t cap, const char *list, enum entry_kind kind, bool first)
{
	while (list && *list) {
		size_t n = strcspn(list, ": ");
		char word[1024];

		snprintf(word, sizeof(word), "%.*s", (int)n, list);
		if (n && kind_of(word) == kind) {
			snprintf(out + strlen(out), cap - strlen(out), "%s%s", *out ? ":" : "", word);
			if (first)
				return;
		}
		list += n + (list[n] != '\0');
	}
}

/*
 * Set LD_PRELOAD to old's entries with the umockdev preload (old's, else
 * PRELOAD) in front, or (child) just behind the serial shim's: see the top
 * of the file.
 */
static int set_preload(const char *old, bool child)
{
	size_t cap = strlen(PRELOAD) + (old ? strlen(old) : 0) + 2;
	char *v = calloc(1, cap);
	size_t k;
	int rc;

	if (!v)
		return -1;
	if (child)
		add_entries(v, cap, old, E_SHIM, false);
	k = strlen(v);
	add_entries(v, cap, old, E_UMOCKDEV, true);
	if (strlen(v) == k)
		snprintf(v + k, cap - k, "%s%s", k ? ":" : "", PRELOAD);
	add_entries(v, cap, old, E_OTHER, false);
	rc = setenv("LD_PRELOAD", v, 1);
	free(v);
	return rc;
}

/* LD_PRELOAD back to old (NULL: unset). */
static void restore_preload(const char *old)
{
	if (old)
		setenv("LD_PRELOAD", old, 1);
	else
		unsetenv("LD_PRELOAD");
}

/* Set across the re-execution to the LD_PRELOAD we were started with. */
#define REEXEC_ENV "ROMSIM_USB_PRELOADED"

/*
 * Run this program again with the preload loaded (see the top of the file).
 * Returns only if that is done already or impossible; then the bus works
 * except for uevents, which umockdev reports on stderr. Either way
 * LD_PRELOAD is then the one we were started with.
 */
static void reexec_preloaded(int argc, char **argv)
{
	const char *orig = getenv(REEXEC_ENV);
	char *old = getenv("LD_PRELOAD") ? strdup(getenv("LD_PRELOAD")) : NULL;
	char **av = calloc((size_t)argc + 2, sizeof(*av));

	if (orig) {
		restore_preload(*orig ? orig : NULL);
		unsetenv(REEXEC_ENV);
	} else if (av && setenv(REEXEC_ENV, old ? old : "", 1) == 0 &&
		   set_preload(old, false) == 0) {
		av[0] = "romsim";
		memcpy(av + 1, argv, (size_t)argc * sizeof(*av));
		execv("/proc/self/exe", av);
		fprintf(stderr, "romsim usb: cannot re-execute with %s: %s\n", PRELOAD,
			strerror(errno));
		restore_preload(old);
		unsetenv(REEXEC_ENV);
	}
	free(av);
	free(old);
}

static int run_child(struct usb_run *r)
{
	struct sigaction sa = { .sa_handler = forward_signal };
	int status;
	pid_t pid;

	if (set_preload(getenv("LD_PRELOAD"), true) < 0)
		return 1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		execvp(r->o.cmd[0], r->o.cmd);
		fprintf(stderr, "romsim usb: cannot run %s: %s\n", r->o.cmd[0], strerror(errno));
		_exit(127);
	}
	child_pid = pid;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	child_pid = 0;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void cleanup(struct usb_run *r)
{
	usbsim_adapter_stop(r->adapter);
	usbsim_pins_stop(r->pins);
	usbsim_free(r->sim);
	for (unsigned i = 0; i < USBSIM_MAX_DEVICES; i++)
		board_free(r->board[i]);
	if (r->log)
		fclose(r->log);
}

int romsim_usb_main(int argc, char **argv)
{
	struct usb_run r = { .t0_us = usbsim_now_us() };
	int rc = parse_opts(&r.o, argc, argv);

	if (rc == 1) {
		usage(stdout);
		return 0;
	}
	if (rc == 2) {
		fprintf(stderr, "Try 'romsim usb --help'.\n");
		return 2;
	}
	reexec_preloaded(argc, argv);
	if (r.o.log_path && !(r.log = fopen(r.o.log_path, "we"))) {
		fprintf(stderr, "romsim usb: cannot write %s: %s\n", r.o.log_path, strerror(errno));
		return 1;
	}
	rc = open_boards(&r);
	if (rc == 0)
		rc = start_bus(&r);
	if (rc == 0) {
		rc = run_child(&r);
		usbsim_adapter_stop(r.adapter);  /* the command's last close counts */
		r.adapter = NULL;
		report(&r);
	}
	cleanup(&r);
	return rc;
}
