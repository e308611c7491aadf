/* SPDX-License-Identifier: MIT */
/*
 * dfuse_info.c - the dfuse commands that describe a device or change its
 * protection and options: list, info, option-bytes (show / --write) and
 * read-unprotect.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dfuse_tool.h"
#include "job.h"
#include "optbytes.h"

/* The memory map of each alt as a JSON array. */
static void alts_json(const struct sb_usb_device *dev, char *buf, size_t len)
{
	size_t k = 0;

	k += (size_t)snprintf(buf, len, "[");
	for (size_t i = 0; i < dev->nalts && k < len; i++) {
		char esc[600];
		struct dfuse_layout l;
		k += (size_t)snprintf(buf + k, len - k, "%s{\"alt\":%u,\"name\":\"%s\",\"regions\":[",
				      i ? "," : "", dev->alts[i].alt,
				      cli_json_str(esc, sizeof(esc), dev->alts[i].name));
		if (dfuse_layout_parse(&l, dev->alts[i].name, NULL) == SB_OK) {
			for (size_t r = 0; r < l.nregions && k < len; r++)
				k += (size_t)snprintf(buf + k, len - k,
						      "%s{\"address\":%u,\"pages\":%u,\"page_size\":%u,\"flags\":%u}",
						      r ? "," : "", l.region[r].addr, l.region[r].npages,
						      l.region[r].page_size, l.region[r].flags);
			dfuse_layout_free(&l);
		}
		if (k < len)
			k += (size_t)snprintf(buf + k, len - k, "]}");
	}
	if (k < len)
		snprintf(buf + k, len - k, "]");
}

/* "  alt 0  @Internal Flash ..." and the decoded regions under it. */
static void print_alts(const struct sb_usb_device *dev)
{
	for (size_t i = 0; i < dev->nalts; i++) {
		struct dfuse_layout l;
		struct sb_diag d;
		char map[1024], *line, *save = NULL;
		if (!dev->alts[i].name[0]) {  /* no string, or not readable (permissions) */
			printf("  alt %-2u (%s)\n", dev->alts[i].alt,
			       dev->strings_err ? "name not readable" : "no interface string");
			continue;
		}
		printf("  alt %-2u %s\n", dev->alts[i].alt, dev->alts[i].name);
		if (dfuse_layout_parse(&l, dev->alts[i].name, &d)) {
			printf("         (not a DfuSe memory layout: %s)\n", d.msg);
			continue;
		}
		dfuse_layout_describe(&l, map, sizeof(map));
		for (line = strtok_r(map, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			printf("         %s\n", line);
		dfuse_layout_free(&l);
	}
}

/* ---- list ---------------------------------------------------------------------------- */

static void list_one(struct df_config *c, const struct sb_usb_device *dev)
{
	char id[400], esc[5][300];
	static char alts[16384];

	if (c->cli.json) {
		alts_json(dev, alts, sizeof(alts));
		cli_event(&c->cli, "device",
			  "\"mode\":\"%s\",\"vid\":%u,\"pid\":%u,\"bcd_device\":%u,\"path\":\"%s\",\"bus\":%u,\"address\":%u,"
			  "\"serial\":\"%s\",\"manufacturer\":\"%s\",\"product\":\"%s\",\"transfer_size\":%u,"
			  "\"strings_error\":\"%s\",\"alts\":%s",
			  dev->runtime ? "runtime" : "dfu", dev->vid, dev->pid, dev->bcd_device,
			  cli_json_str(esc[0], sizeof(esc[0]), dev->path),
			  dev->bus, dev->address, cli_json_str(esc[1], sizeof(esc[1]), dev->serial),
			  cli_json_str(esc[2], sizeof(esc[2]), dev->manufacturer),
			  cli_json_str(esc[3], sizeof(esc[3]), dev->product), dev->func.transfer_size,
			  cli_json_str(esc[4], sizeof(esc[4]), dev->strings_err ? dev->strings_msg : ""),
			  alts);
		return;
	}
	sb_usb_describe(dev, id, sizeof(id));
	if (dev->runtime) {
		printf("%s  run-time DFU: 'dfuse detach %04x:%04x' restarts it in DFU mode\n", id,
		       dev->vid, dev->pid);
		if (dev->strings_err)
			printf("  (strings unreadable: %s)\n", dev->strings_msg);
		return;
	}
	printf("%s\n", id);
	if (dev->strings_err)
		printf("  (strings unreadable: %s)\n", dev->strings_msg);
	print_alts(dev);
}

int df_cmd_list(struct df_config *c)
{
	struct sb_usb_select sel = c->sel;
	struct sb_usb_device *devs = NULL;
	struct sb_diag d = { 0 };
	size_t n = 0, nrt = 0;
	int err;

	if (c->nargs)
		return cli_usage(&c->cli, "list takes no arguments");
	if (!c->has_device)
		sel.vid = sel.pid = -1;  /* every DFU-mode device, not only ST ROMs */
	if ((err = sb_usb_list(&sel, &devs, &n, &d)))
		return cli_fail(&c->cli, err, &d, "list");
	for (size_t i = 0; i < n; i++)
		list_one(c, &devs[i]);
	free(devs);
	/* applications that can be detached into DFU mode (any identity, --path applies) */
	sel = df_runtime_select(c, -1, -1);
	if ((err = sb_usb_list(&sel, &devs, &nrt, &d)))
		return cli_fail(&c->cli, err, &d, "list");
	for (size_t i = 0; i < nrt; i++)
		list_one(c, &devs[i]);
	free(devs);
	if (n == 0 && nrt == 0)
		cli_info(&c->cli, "no DFU device found: is the board in its ROM bootloader (BOOT0 high during reset)?");
	else if (n == 0)
		cli_info(&c->cli, "no DFU-mode device; 'dfuse detach' restarts an application above in DFU mode");
	return EXIT_OK;
}

/* ---- detach ---------------------------------------------------------------------------- */

int df_cmd_detach(struct df_config *c)
{
	int vid = -1, pid = -1, err;
	unsigned wait = c->has_wait ? c->sel.wait_s : 5;
	struct sb_diag d = { 0 };
	bool found;

	if (c->nargs > 1)
		return cli_usage(&c->cli, "detach [VID:PID]");
	if (c->nargs == 1 && sb_usb_parse_id(c->args[0], &vid, &pid, &d))
		return cli_usage(&c->cli, "detach: %s", d.msg);
	if ((err = df_detach_app(c, vid, pid, &found, &d)))
		return cli_fail(&c->cli, err, &d, "detach");
	if (!found) {
		sb_diag_set(&d, SB_ERR_NO_DEVICE, "no run-time DFU device%s%s found: is the application "
			    "running, and does it offer a DFU run-time interface? 'dfuse list' shows "
			    "the devices present", c->nargs ? " " : "", c->nargs ? c->args[0] : "");
		return cli_fail(&c->cli, SB_ERR_NO_DEVICE, &d, "detach");
	}
	if ((err = df_wait_usb_id(c->sel.vid, c->sel.pid, wait, &found, &d)))
		return cli_fail(&c->cli, err, &d, "detach");
	if (!found) {
		sb_diag_set(&d, SB_ERR_NO_DEVICE, "the application detached, but no DFU device %04x:%04x "
			    "appeared within %u s", c->sel.vid & 0xFFFF, c->sel.pid & 0xFFFF, wait);
		return cli_fail(&c->cli, SB_ERR_NO_DEVICE, &d, "detach");
	}
	cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"detach\",\"vid\":%u,\"pid\":%u",
		  (unsigned)c->sel.vid & 0xFFFF, (unsigned)c->sel.pid & 0xFFFF);
	cli_info(&c->cli, "DFU device %04x:%04x is on the bus", c->sel.vid & 0xFFFF, c->sel.pid & 0xFFFF);
	return EXIT_OK;
}

/* ---- reading the option bytes --------------------------------------------------------- */

/* The alt holding the option bytes: --alt, else "Option Bytes". */
static int ob_alt(struct df_session *s, int *alt)
{
	if (s->c->alt)
		return (*alt = df_alt_by_option(s, s->c->alt)) < 0 ? SB_ERR_BAD_INPUT : SB_OK;
	if ((*alt = df_alt_named(s, "Option Bytes")) < 0)
		return sb_diag_set(&s->diag, SB_ERR_UNSUPPORTED,
				   "the device offers no \"Option Bytes\" alt setting (see 'dfuse list'; --alt chooses one)");
	return SB_OK;
}

/* Read region r of the option-byte alt (40 bytes on the L4R5). */
static int ob_read(struct df_session *s, int alt, const struct dfuse_region *r, uint8_t *buf,
		   size_t *len)
{
	size_t got = 0;
	int err;

	*len = dfuse_region_end(r) - r->addr > 256 ? 256 : (size_t)(dfuse_region_end(r) - r->addr);
	if ((err = df_select_alt(s, alt)) || (err = dfuse_read(s->d, r->addr, buf, *len, &got, &s->diag)))
		return err;
	if (got < *len)
		return sb_diag_addr(&s->diag, SB_ERR_FRAMING, r->addr, "option bytes at 0x%08X: %zu of %zu bytes read",
				    r->addr, got, *len);
	return SB_OK;
}

/* ---- info ------------------------------------------------------------------------------ */

struct info_state {
	uint8_t cmds[16];
	size_t ncmds;
	bool protected;
	int64_t optr;   /* -1: unread */
};

static const char *cmd_name(uint8_t cmd)
{
	switch (cmd) {
	case DFUSE_CMD_GET_COMMANDS: return "get commands";
	case DFUSE_CMD_SET_ADDRESS: return "set address";
	case DFUSE_CMD_ERASE: return "erase";
	case DFUSE_CMD_READ_UNPROTECT: return "read unprotect";
	default: return "?";
	}
}

static int info_probe(struct df_session *s, struct info_state *st)
{
	int flash = df_alt_named(s, "Internal Flash"), ob = df_alt_named(s, "Option Bytes"), err;
	uint8_t b[256];
	size_t len;

	st->optr = -1;
	if ((err = df_select_alt(s, flash >= 0 ? flash : 0)) ||
	    (err = dfuse_get_commands(s->d, st->cmds, sizeof(st->cmds), &st->ncmds, &s->diag)))
		return err;
	/* read protection: errVENDOR on a read (protocol-facts B.4, B.6) */
	if (flash >= 0 && s->layout[flash].nregions) {
		err = dfuse_read(s->d, s->layout[flash].region[0].addr, b, 8, NULL, &s->diag);
		if (err == SB_ERR_PROTECTED)
			st->protected = true;
		else if (err)
			return err;
	}
	if (ob >= 0 && s->layout[ob].nregions && !st->protected) {
		err = ob_read(s, ob, &s->layout[ob].region[0], b, &len);
		if (err == SB_ERR_PROTECTED)
			st->protected = true;
		else if (err)
			return err;
		else if (len >= 4)
			st->optr = ob_le32(b);
	}
	return SB_OK;
}

/*
 * The part, named from the device table by what a DfuSe ROM lets a host
 * learn: not the STM32 PID (bcdDevice is the bootloader version, protocol-
 * facts B.1), but the memory map its alt settings describe (usb-anchors 4).
 */
static void part_text(const struct df_session *s, char *buf, size_t len)
{
	size_t k = 0;

	if (s->nparts == 0) {
		snprintf(buf, len, "not in the device table (no row has this flash map)");
		return;
	}
	if (s->nparts == 1) {
		snprintf(buf, len, "%s (PID 0x%03X): the only row whose memory map this is",
			 s->parts[0]->name, s->parts[0]->pid);
		return;
	}
	k += (size_t)snprintf(buf, len, "one of ");
	for (size_t i = 0; i < s->nparts && i < 8 && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s%s (0x%03X)", i ? ", " : "", s->parts[i]->name,
				      s->parts[i]->pid);
	if (k < len)
		snprintf(buf + k, len - k, "%s: their memory maps are alike", s->nparts > 8 ? ", ..." : "");
}

static void parts_json(const struct df_session *s, char *buf, size_t len)
{
	size_t k = (size_t)snprintf(buf, len, "[");

	for (size_t i = 0; i < s->nparts && i < 8 && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s%u", i ? "," : "", s->parts[i]->pid);
	if (k < len)
		snprintf(buf + k, len - k, "]");
}

static void attributes_text(uint8_t a, char *buf, size_t len)
{
	snprintf(buf, len, "0x%02X: %s%s%s%s", a, a & 1 ? "download, " : "", a & 2 ? "upload, " : "",
		 a & 8 ? "will-detach, " : "", a & 4 ? "manifestation-tolerant" : "not manifestation-tolerant");
}

static void info_text(struct df_session *s, const struct info_state *st)
{
	const struct sb_usb_device *dev = &s->dev;
	char id[400], attr[120], part[600];

	sb_usb_describe(dev, id, sizeof(id));
	attributes_text(dev->func.attributes, attr, sizeof(attr));
	printf("device      %s\n", id);
	part_text(s, part, sizeof(part));
	printf("part        %s\n", part);
	printf("strings     manufacturer \"%s\", product \"%s\", serial \"%s\"\n", dev->manufacturer,
	       dev->product, dev->serial);
	printf("interface   %u of configuration %u\n", dev->interface, dev->config);
	printf("dfu         bcdDFUVersion 0x%04X%s, wTransferSize %u, detach timeout %u ms\n",
	       dev->func.bcd_dfu, dev->func.bcd_dfu == 0x011A ? " (DfuSe)" : "", dev->func.transfer_size,
	       dev->func.detach_timeout_ms);
	printf("attributes  %s\n", attr);
	printf("commands   ");
	for (size_t i = 0; i < st->ncmds; i++)
		printf(" %02X (%s)%s", st->cmds[i], cmd_name(st->cmds[i]), i + 1 < st->ncmds ? "," : "");
	printf("\nmemory\n");
	print_alts(dev);
	printf("protection  %s\n", st->protected ? "read protection active: reads refused (errVENDOR)"
						 : "none (level 0)");
	if (st->optr < 0) {
		printf("options     %s\n", st->protected ? "unreadable under read protection" : "not offered");
		return;
	}
	job_print_optr((uint32_t)st->optr);
}

static void info_json(struct df_session *s, const struct info_state *st)
{
	const struct sb_usb_device *dev = &s->dev;
	char esc[4][300], cmds[64] = "", parts[80];
	static char alts[16384];
	size_t k = 0;

	parts_json(s, parts, sizeof(parts));
	for (size_t i = 0; i < st->ncmds && k + 4 < sizeof(cmds); i++)
		k += (size_t)snprintf(cmds + k, sizeof(cmds) - k, "%s%02X", i ? " " : "", st->cmds[i]);
	alts_json(dev, alts, sizeof(alts));
	cli_event(&s->c->cli, "info",
		  "\"vid\":%u,\"pid\":%u,\"bcd_device\":%u,\"path\":\"%s\",\"serial\":\"%s\",\"manufacturer\":\"%s\","
		  "\"product\":\"%s\",\"interface\":%u,\"bcd_dfu\":%u,\"attributes\":%u,\"detach_timeout\":%u,"
		  "\"transfer_size\":%u,\"commands\":\"%s\",\"alts\":%s,\"protected\":%s,\"optr\":%lld,"
		  "\"parts\":%s",
		  dev->vid, dev->pid, dev->bcd_device, cli_json_str(esc[0], sizeof(esc[0]), dev->path),
		  cli_json_str(esc[1], sizeof(esc[1]), dev->serial),
		  cli_json_str(esc[2], sizeof(esc[2]), dev->manufacturer),
		  cli_json_str(esc[3], sizeof(esc[3]), dev->product), dev->interface, dev->func.bcd_dfu,
		  dev->func.attributes, dev->func.detach_timeout_ms, dev->func.transfer_size, cmds, alts,
		  st->protected ? "true" : "false", (long long)st->optr, parts);
}

int df_cmd_info(struct df_config *c)
{
	struct df_session s;
	struct info_state st = { 0 };
	int err;

	if (c->nargs)
		return cli_usage(&c->cli, "info takes no arguments");
	err = df_session_open(&s, c);
	if (!err)
		err = info_probe(&s, &st);
	if (!err && c->cli.json)
		info_json(&s, &st);
	else if (!err)
		info_text(&s, &st);
	return df_finish(&s, err, "info");
}

/* ---- option-bytes ------------------------------------------------------------------------ */

static void ob_print_bank(struct df_session *s, unsigned bank, uint32_t addr, const uint8_t *b,
			  size_t len)
{
	char hex[800], esc[800];

	if (!s->c->cli.json) {
		ob_print(bank, addr, b, len);
		return;
	}
	ob_hex(b, len, hex, sizeof(hex));
	cli_event(&s->c->cli, "option-bytes", "\"bank\":%u,\"address\":%u,\"bytes\":\"%s\",\"word0\":%u",
		  bank, addr, cli_json_str(esc, sizeof(esc), hex), len >= 4 ? ob_le32(b) : 0);
}

static int ob_show(struct df_session *s, int alt)
{
	const struct dfuse_layout *l = &s->layout[alt];
	uint8_t b[256];
	size_t len;
	int err;

	for (size_t r = 0; r < l->nregions; r++) {
		if ((err = ob_read(s, alt, &l->region[r], b, &len)))
			return err == SB_ERR_PROTECTED
				? sb_diag_set(&s->diag, err, "read protection is active: the option bytes cannot be read over DFU")
				: err;
		ob_print_bank(s, (unsigned)r + 1, l->region[r].addr, b, len);
	}
	return SB_OK;
}

/* The block to write: from FILE[@ADDR], HEX bytes, or 0xOPTR over the current bank 1. */
static int ob_new_block(struct df_session *s, int alt, uint8_t *blk, size_t *len, uint32_t *addr)
{
	const struct dfuse_layout *l = &s->layout[alt];
	enum ob_arg kind;
	uint32_t optr;
	int err = ob_parse_write(s->c->job.ob_write, l->nregions ? l->region[0].addr : DF_OB1_ADDR,
				 &kind, blk, len, addr, &optr, &s->diag);

	if (err || kind == OB_ARG_BLOCK)
		return err;
	if ((err = ob_read(s, alt, &l->region[0], blk, len)))
		return err;
	ob_set_optr(blk, optr);
	return SB_OK;
}

static int ob_check_block(struct df_session *s, int alt, const uint8_t *blk, size_t len, uint32_t addr)
{
	const struct dfuse_region *r = dfuse_layout_find(&s->layout[alt], addr);

	if (!r || r->addr != addr || dfuse_region_end(r) - r->addr != len)
		return sb_diag_addr(&s->diag, SB_ERR_BAD_INPUT, addr,
				    "option bytes are written as one whole block: %zu bytes at 0x%08X is not a block of \"%s\"",
				    len, addr, s->layout[alt].name);
	/* RDP level 2 is permanent: no ROM loader, no debug, ever (E.4) */
	if (addr == DF_OB1_ADDR && len >= 4 && (blk[0] == 0xCC))
		return sb_diag_set(&s->diag, SB_ERR_BAD_INPUT,
				   "RDP 0xCC is read protection level 2: permanent, it disables the ROM loader and debugging for good; dfuse will not write it");
	return SB_OK;
}

/* After the reset: the options as the part reloaded them. */
static int ob_after(struct df_session *s, const uint8_t *blk, uint32_t addr)
{
	struct df_config *c = s->c;
	unsigned wait = c->has_wait ? c->sel.wait_s : 10;
	uint8_t b[256];
	size_t len;
	bool back;
	int alt, err;

	if ((err = df_reopen_after_reset(s, wait, &back)))
		return err;
	if (!back) {
		cli_info(&c->cli, "the device did not come back in DFU mode within %u s (BOOT0 low, or read protection set?)", wait);
		return SB_OK;
	}
	if (ob_alt(s, &alt))
		return SB_OK;
	err = ob_read(s, alt, dfuse_layout_find(&s->layout[alt], addr), b, &len);
	if (err == SB_ERR_PROTECTED) {
		cli_info(&c->cli, "the device is back; read protection is now active");
		return SB_OK;
	}
	if (err)
		return err;
	if (addr == DF_OB1_ADDR && ob_le32(b) != ob_le32(blk))
		return sb_diag_addr(&s->diag, SB_ERR_VERIFY, addr, "after the reset OPTR reads 0x%08X, not 0x%08X",
				    ob_le32(b), ob_le32(blk));
	cli_info(&c->cli, "the device is back with the new option bytes");
	if (!c->cli.json)
		ob_print_bank(s, addr == DF_OB1_ADDR ? 1 : 2, addr, b, len);
	return SB_OK;
}

static int ob_write(struct df_session *s, int alt)
{
	uint8_t blk[260];
	char opt[160];
	size_t len = 0;
	uint32_t addr;
	int err;

	if ((err = ob_new_block(s, alt, blk, &len, &addr)) || (err = ob_check_block(s, alt, blk, len, addr)) ||
	    (err = df_select_alt(s, alt)))
		return err;
	if (addr == DF_OB1_ADDR) {
		job_optr_text(ob_le32(blk), opt, sizeof(opt));
		cli_info(&s->c->cli, "writing option bytes bank 1, OPTR %s", opt);
	}
	if ((err = dfuse_write_will_reset(s->d, addr, blk, len, &s->diag)))
		return err;
	cli_info(&s->c->cli, "option bytes written: the part reloads them and resets");
	cli_event(&s->c->cli, "result", "\"ok\":true,\"command\":\"option-bytes\",\"write\":true,\"address\":%u,\"bytes\":%zu",
		  addr, len);
	return ob_after(s, blk, addr);
}

/* --set: the new OPTR planned from the current bank 1, handed on as --write 0xOPTR. */
static int ob_set(struct df_session *s, int alt)
{
	const struct dfuse_layout *l = &s->layout[alt];
	uint8_t b[256];
	size_t len = 0;
	int err;

	if (!l->nregions || l->region[0].addr != DF_OB1_ADDR)
		return sb_diag_set(&s->diag, SB_ERR_UNSUPPORTED, "--set knows the STM32L4+ option bytes at 0x%08X only",
				   DF_OB1_ADDR);
	if ((err = ob_read(s, alt, &l->region[0], b, &len)))
		return err;
	return ob_set_to_write(&s->c->cli, s->c->job.ob_set, ob_le32(b), s->c->job.force, &s->c->job.ob_write, &s->diag);
}

int df_cmd_option_bytes(struct df_config *c)
{
	struct df_session s;
	int alt, err;

	if (c->nargs)
		return cli_usage(&c->cli, "option-bytes [--write FILE|HEX --force | --set FIELD=VALUE,...]");
	if ((err = ob_opts_check(&c->cli, &c->job, "writing option bytes changes how the part boots and protects itself, and resets it; add --force to do it")))
		return err;
	err = df_session_open(&s, c);
	if (!err)
		err = ob_alt(&s, &alt);
	if (!err && c->job.ob_set)
		err = ob_set(&s, alt);   /* fields by name -> the --write 0xOPTR path */
	if (!err && c->job.ob_write)
		err = ob_write(&s, alt);
	else if (!err && c->job.ob_set)
		cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"option-bytes\",\"write\":false");
	else if (!err) {
		err = ob_show(&s, alt);
		if (!err)
			cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"option-bytes\",\"write\":false");
	}
	return df_finish(&s, err, "option-bytes");
}

/* ---- read-unprotect ------------------------------------------------------------------------ */

int df_cmd_read_unprotect(struct df_config *c)
{
	struct df_session s;
	unsigned wait = c->has_wait ? c->sel.wait_s : 10;
	int flash, err;
	bool back = false;

	if (!c->job.force)
		return cli_usage(&c->cli, "read-unprotect mass-erases the whole flash and resets the part; add --force to do it");
	if (c->nargs)
		return cli_usage(&c->cli, "read-unprotect takes no arguments");
	err = df_session_open(&s, c);
	if (!err) {
		flash = df_alt_named(&s, "Internal Flash");
		err = df_select_alt(&s, flash >= 0 ? flash : 0);
	}
	if (!err && !(err = dfuse_read_unprotect(s.d, &s.diag))) {
		cli_info(&c->cli, "read unprotect accepted: the part mass-erases its flash and resets");
		err = df_reopen_after_reset(&s, wait, &back);
	}
	if (!err) {
		cli_event(&c->cli, "result", "\"ok\":true,\"command\":\"read-unprotect\",\"back\":%s",
			  back ? "true" : "false");
		if (back)
			cli_info(&c->cli, "the device is back in DFU mode, unprotected");
		else
			cli_info(&c->cli, "the device did not come back in DFU mode within %u s (BOOT0 low?)", wait);
	}
	return df_finish(&s, err, "read-unprotect");
}
