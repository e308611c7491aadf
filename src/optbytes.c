/*
 * optbytes.c - showing and parsing STM32L4+ option-byte blocks.
 */
#include "optbytes.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

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
