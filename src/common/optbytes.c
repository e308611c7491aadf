/* SPDX-License-Identifier: MIT */
/*
 * optbytes.c - showing and parsing STM32L4+ option-byte blocks.
 */
#include "optbytes.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"
#include "job.h"
#include "jobopts.h"

uint32_t ob_le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void put_le32(uint8_t *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

void ob_hex(const uint8_t *b, size_t n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used + 4 < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%02x", i ? " " : "", b[i]);
}

static const char *rdp_text(uint32_t optr)
{
	uint32_t rdp = optr & 0xFF;  /* 0xAA level 0, 0xCC level 2, else 1 (E.4) */

	return rdp == 0xAA ? "level 0, no protection" : rdp == 0xCC ? "level 2, permanent" : "level 1";
}

/* L4R5 option-byte slots per bank (protocol-facts E.4): value word, complement word. */
static const char *const slots[2][5] = {
	{ "OPTR", "PCROP1SR", "PCROP1ER", "WRP1AR", "WRP1BR" },
	{ "-", "PCROP2SR", "PCROP2ER", "WRP2AR", "WRP2BR" },
};

/* v: the slot's value; next: the following slot's (PCROPxER after PCROPxSR). */
static void slot_text(const char *name, uint32_t v, uint32_t next, char *buf, size_t len)
{
	if (!strcmp(name, "OPTR"))
		snprintf(buf, len, "RDP %s, DBANK=%u BFB2=%u nBOOT0=%u nSWBOOT0=%u nBOOT1=%u",
			 rdp_text(v), v >> 22 & 1, v >> 20 & 1, v >> 27 & 1, v >> 26 & 1, v >> 23 & 1);
	else if (!strncmp(name, "WRP", 3))  /* start page [7:0], end page [23:16]; start > end: none */
		snprintf(buf, len, (v & 0xFF) > (v >> 16 & 0xFF) ? "no write protection"
			 : "pages %u-%u write-protected", v & 0xFF, v >> 16 & 0xFF);
	else if (!strncmp(name, "PCROP", 5) && name[6] == 'S')  /* start [16:0] > end [16:0]: none */
		snprintf(buf, len, (v & 0x1FFFF) > (next & 0x1FFFF) ? "no PCROP area" : "PCROP area active");
	else if (!strncmp(name, "PCROP", 5))
		snprintf(buf, len, "PCROP_RDP=%u", v >> 31);
	else
		buf[0] = '\0';
}

void ob_print(unsigned bank, uint32_t addr, const uint8_t *b, size_t len)
{
	char hex[800], dec[160];

	ob_hex(b, len, hex, sizeof(hex));
	printf("bank %u at 0x%08X: %s\n", bank, addr, hex);
	for (size_t slot = 0; len == OB_L4_LEN && bank >= 1 && bank <= 2 && slot < 5; slot++) {
		uint32_t v = ob_le32(b + 8 * slot), cpl = ob_le32(b + 8 * slot + 4);
		const char *name = slots[bank - 1][slot];
		if (!strcmp(name, "-"))
			continue;
		slot_text(name, v, slot < 4 ? ob_le32(b + 8 * slot + 8) : 0, dec, sizeof(dec));
		printf("  %-9s 0x%08X%s  %s\n", name, v, cpl == ~v ? "" : " (complement differs)", dec);
	}
}

static bool parse_optr_word(const char *arg, uint32_t *v)
{
	size_t n = strlen(arg);

	if (n < 3 || n > 10 || arg[0] != '0' || (arg[1] != 'x' && arg[1] != 'X'))
		return false;
	for (size_t i = 2; i < n; i++)
		if (!isxdigit((unsigned char)arg[i]))
			return false;
	return cli_parse_u32(arg, v);
}

/* "aa f8 ef ff 55 07 ..." (blanks, colons ignored) into bytes. */
static bool parse_hex_bytes(const char *arg, uint8_t *out, size_t cap, size_t *n)
{
	int hi = -1;

	*n = 0;
	for (; *arg; arg++) {
		if (*arg == ' ' || *arg == ':' || *arg == '\t' || *arg == '\n')
			continue;
		if (!isxdigit((unsigned char)*arg) || (hi < 0 && *n == cap))
			return false;
		int v = isdigit((unsigned char)*arg) ? *arg - '0' : (tolower((unsigned char)*arg) - 'a' + 10);
		if (hi < 0)
			hi = v;
		else {
			out[(*n)++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return hi < 0 && *n > 0;
}

int ob_parse_write(const char *arg, uint32_t def_addr, enum ob_arg *kind, uint8_t *blk,
		   size_t *len, uint32_t *addr, uint32_t *optr, struct sb_diag *d)
{
	char path[4096];
	const char *at = strrchr(arg, '@');
	struct stat st;
	uint8_t *buf;
	int err;

	*addr = def_addr;
	*kind = OB_ARG_BLOCK;
	snprintf(path, sizeof(path), "%s", arg);
	if (at && cli_parse_u32(at + 1, addr))
		path[at - arg] = '\0';
	if (stat(path, &st) == 0) {
		if ((err = cli_read_file(path, &buf, len, d)))
			return err;
		if (*len > 256)
			*len = 257;  /* refused by the caller's size check */
		memcpy(blk, buf, *len < 256 ? *len : 256);
		free(buf);
		return SB_OK;
	}
	if (parse_optr_word(arg, optr)) {
		*kind = OB_ARG_OPTR;
		return SB_OK;
	}
	if (!parse_hex_bytes(arg, blk, 256, len))
		return sb_diag_set(d, SB_ERR_BAD_INPUT,
				   "--write %s: not a file, not hex bytes and not a 0xOPTR word", arg);
	return SB_OK;
}

void ob_set_optr(uint8_t *blk, uint32_t optr)
{
	put_le32(blk, optr);
	put_le32(blk + 4, ~optr);  /* complement word (E.4, INF: the ROM ignores it) */
}

/* ---- fields by name (option-bytes --set) ---- */

/* STM32L4+ FLASH_OPTR (protocol-facts E.4). */
static const struct {
	const char *name;
	uint8_t shift, width;
} fields[] = {
	{ "RDP", 0, 8 }, { "BOR_LEV", 8, 3 }, { "nRST_STOP", 12, 1 }, { "nRST_STDBY", 13, 1 },
	{ "nRST_SHDW", 14, 1 }, { "IWDG_SW", 16, 1 }, { "IWDG_STOP", 17, 1 }, { "IWDG_STDBY", 18, 1 },
	{ "WWDG_SW", 19, 1 }, { "BFB2", 20, 1 }, { "DB1M", 21, 1 }, { "DBANK", 22, 1 },
	{ "nBOOT1", 23, 1 }, { "SRAM2_PE", 24, 1 }, { "SRAM2_RST", 25, 1 }, { "nSWBOOT0", 26, 1 },
	{ "nBOOT0", 27, 1 },
};

static uint32_t field_get(uint32_t v, size_t f)
{
	return v >> fields[f].shift & ((1u << fields[f].width) - 1);
}

static int field_index(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strlen(fields[i].name) == len && !strncasecmp(fields[i].name, name, len))
			return (int)i;
	return -1;
}

/* One "NAME=VALUE" of the list into *v. */
static int apply_one(const char *item, size_t len, uint32_t *v, struct sb_diag *d)
{
	char buf[64];
	const char *eq = memchr(item, '=', len);
	uint32_t val, mask;
	int f;

	if (!eq || len >= sizeof(buf))
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "--set: expected FIELD=VALUE, got '%.*s'", (int)len, item);
	if ((f = field_index(item, (size_t)(eq - item))) < 0)
		return sb_diag_set(d, SB_ERR_BAD_INPUT,
				   "--set: unknown field '%.*s' (RDP, BOR_LEV, nRST_STOP, nRST_STDBY, nRST_SHDW, IWDG_SW, IWDG_STOP, IWDG_STDBY, WWDG_SW, BFB2, DB1M, DBANK, nBOOT1, SRAM2_PE, SRAM2_RST, nSWBOOT0, nBOOT0)",
				   (int)(eq - item), item);
	snprintf(buf, sizeof(buf), "%.*s", (int)(len - (size_t)(eq + 1 - item)), eq + 1);
	mask = (1u << fields[f].width) - 1;
	if (!cli_parse_u32(buf, &val) || val > mask || (!strcmp(fields[f].name, "BOR_LEV") && val > 4))
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "--set: %s=%s: the field takes 0 to %u", fields[f].name, buf,
				   !strcmp(fields[f].name, "BOR_LEV") ? 4 : mask);
	*v = (*v & ~(mask << fields[f].shift)) | val << fields[f].shift;
	return SB_OK;
}

int ob_fields_apply(const char *spec, uint32_t old, uint32_t *out, struct sb_diag *d)
{
	const char *p = spec;
	int err;

	*out = old;
	if (!*spec)
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "--set: give FIELD=VALUE[,FIELD=VALUE...]");
	while (*p) {
		size_t len = strcspn(p, ",");
		if ((err = apply_one(p, len, out, d)))
			return err;
		p += len + (p[len] == ',');
	}
	return SB_OK;
}

/* Whether the BOOT0 pin (or nBOOT0) can start the ROM loader with OPTR v. */
static bool ob_rom_reachable(uint32_t v)
{
	/* protocol-facts C "Boot selection": BOOT0 comes from the pin (nSWBOOT0=1)
	 * or from !nBOOT0; BOOT0=1 starts system memory when nBOOT1=1, SRAM1 when 0 */
	bool boot0_can_be_1 = (v >> 26 & 1) || !(v >> 27 & 1);

	return boot0_can_be_1 && (v >> 23 & 1);
}

static int needs_force(bool force, bool *flag, struct sb_diag *d, const char *why)
{
	*flag = true;
	return force ? SB_OK : sb_diag_set(d, SB_ERR_BAD_INPUT, "%s; add --force to write it", why);
}

/*
 * Whether old -> new may be written: RDP level 2 (0xCC) never; these need
 * force, and the message says why: read protection level 1, a change of
 * the flash organisation (DBANK, DB1M), and boot settings that take the
 * BOOT0 pin away (nSWBOOT0=0, or nBOOT0 changed while it is 0: nBOOT0 then
 * alone decides, at every reset) or turn BOOT0=1 to SRAM (nBOOT1=0);
 * protocol-facts C "Boot selection". SB_ERR_BAD_INPUT when
 * refused (the caller makes it a usage error when only --force is missing:
 * *flag).
 */
static int ob_change_check(uint32_t old, uint32_t new, bool force, bool *flag, struct sb_diag *d)
{
	uint32_t rdp = new & 0xFF;

	*flag = false;
	if (rdp == 0xCC)
		return sb_diag_set(d, SB_ERR_BAD_INPUT,
				   "RDP=0xCC is read protection level 2: permanent, it disables the ROM loader and debugging for good; stmboot never writes it");
	if ((old & 0xFF) == 0xAA && rdp != 0xAA)
		return needs_force(force, flag, d,
				   "RDP other than 0xAA sets read protection level 1: reads are refused, and removing it mass-erases the flash");
	if ((old ^ new) & (3u << 21))
		return needs_force(force, flag, d,
				   "DBANK/DB1M change the flash organisation (page size and where bank 2 starts)");
	/*
	 * protocol-facts C "Boot selection" is C1 + INF, and the empty check
	 * (PEMPTY) INF: whichever way nBOOT0 reads, with nSWBOOT0=0 the pin no
	 * longer helps - the part then boots the one source nBOOT0 names at
	 * every reset - so taking the pin away or changing nBOOT0 without it
	 * needs --force; so does nBOOT1=0 (BOOT0=1 starts SRAM1).
	 */
	if (!(new >> 26 & 1) && ((old >> 26 & 1) || ((old ^ new) >> 27 & 1)))
		return needs_force(force, flag, d, (new >> 27 & 1)
				   ? "nSWBOOT0=0 ignores the BOOT0 pin; with nBOOT0=1 the part always starts the main flash, and the ROM loader is then reachable only while the flash is empty or through the application"
				   : "nSWBOOT0=0 ignores the BOOT0 pin; with nBOOT0=0 the part starts its ROM loader at every reset and the application only through go or leave");
	if ((old >> 23 & 1) && !(new >> 23 & 1))
		return needs_force(force, flag, d,
				   "nBOOT1=0 makes BOOT0=1 start SRAM1 instead of the ROM loader: the ROM loader is then not reachable through BOOT0");
	return SB_OK;
}

/* "nSWBOOT0 1 -> 0, nBOOT0 1 -> 1"-style list of the fields that differ, into buf. */
static void ob_change_text(uint32_t old, uint32_t new, char *buf, size_t len)
{
	size_t k = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]) && k < len; i++)
		if (field_get(old, i) != field_get(new, i))
			k += (size_t)snprintf(buf + k, len - k, fields[i].width > 1 ? "%s%s 0x%X -> 0x%X" : "%s%s %u -> %u",
					      k ? ", " : "", fields[i].name, field_get(old, i), field_get(new, i));
}

/*
 * --set on bank 1 whose first word is old: apply, check (ob_change_check),
 * show the decoded words before and after (text, or an "option-change"
 * event), and put the new word as "0xOPTR" into arg for the --write path.
 * arg is "" when nothing changes. Refusals: SB_ERR_BAD_INPUT.
 */
static int ob_set_plan(struct cli *c, const char *spec, uint32_t old, bool force, char *arg, size_t len,
		       struct sb_diag *d)
{
	char before[200], after[200], changes[400];
	bool needs_force;
	uint32_t new;
	int err;

	arg[0] = '\0';
	if ((err = ob_fields_apply(spec, old, &new, d)) ||
	    (err = ob_change_check(old, new, force, &needs_force, d)))
		return err;
	job_optr_text(old, before, sizeof(before));
	job_optr_text(new, after, sizeof(after));
	ob_change_text(old, new, changes, sizeof(changes));
	cli_event(c, "option-change", "\"before\":%u,\"after\":%u,\"changes\":\"%s\",\"forced\":%s", old, new,
		  changes, needs_force ? "true" : "false");
	if (!c->json && c->verbosity > 0)
		printf("OPTR before %s\nOPTR after  %s\nchanges     %s\n", before, after,
		       new == old ? "none" : changes);
	if (new == old)
		return SB_OK;
	snprintf(arg, len, "0x%08X", new);
	if (!ob_rom_reachable(new) && ob_rom_reachable(old))
		cli_warn(c, "after this the ROM loader cannot be entered through BOOT0");
	else if (!(new >> 26 & 1) && !(new >> 27 & 1))
		cli_warn(c, "nSWBOOT0=0 with nBOOT0=0: the part starts its ROM loader at every reset; the application runs only through go or leave");
	return SB_OK;
}

int ob_set_to_write(struct cli *c, const char *spec, uint32_t old, bool force, const char **write_arg,
		    struct sb_diag *d)
{
	static char word[16];
	int err = ob_set_plan(c, spec, old, force, word, sizeof(word), d);

	if (err)
		return err;
	if (word[0])
		*write_arg = word;
	else
		cli_info(c, "the option bytes already hold these values: nothing written");
	return SB_OK;
}

int ob_opts_check(struct cli *c, const struct job_opts *o, const char *force_msg)
{
	struct sb_diag d = { 0 };
	uint32_t unused;

	if (o->ob_write && o->ob_set)
		return cli_usage(c, "option-bytes: give --write or --set, not both");
	if (o->ob_set && ob_fields_apply(o->ob_set, 0, &unused, &d))
		return cli_usage(c, "%s", d.msg);
	if (o->ob_write && !o->force)
		return cli_usage(c, "%s", force_msg);
	return 0;
}
