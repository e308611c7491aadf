/* SPDX-License-Identifier: MIT */
/*
 * an3155_cmd.c - Extended Erase / legacy Erase, Go, and the protection
 * commands that reset the ROM. Facts cite protocol-facts.md.
 */
#include "an3155_priv.h"

#include <stdio.h>
#include <string.h>

/* ---- erase (facts A.5, Erase and Extended Erase rows) --------------------- */

/* Legacy 0x43: N <= 254 in one byte (0xFF means global), so <= 255 pages. */
enum { A3_LEGACY_MAX = 255, A3_EXT_MAX = 511 };

struct er {
	bool ext;              /* 0x44 with 2-byte pages, else 0x43 */
	const uint16_t *pages;
	size_t n;
	uint16_t special;      /* AN3155_ERASE_* when n == 0 */
};

/* The command's parameter block: count, pages (or the special code), XOR. */
static size_t erase_frame(const struct er *a, uint8_t *f)
{
	size_t len = 0;

	if (a->n == 0 && a->ext) {
		/* The code replaces N (facts A.5; facts F.5: AN3155 Rev 15 Fig. 16 is wrong). */
		f[len++] = (uint8_t)(a->special >> 8);
		f[len++] = (uint8_t)a->special;
	} else if (a->n == 0) {
		f[0] = 0xFF;       /* legacy global erase is "FF 00" (facts A.5) */
		f[1] = 0x00;
		return 2;
	} else if (a->ext) {
		f[len++] = (uint8_t)((a->n - 1) >> 8);
		f[len++] = (uint8_t)(a->n - 1);
		for (size_t i = 0; i < a->n; i++) {
			f[len++] = (uint8_t)(a->pages[i] >> 8);
			f[len++] = (uint8_t)a->pages[i];
		}
	} else {
		f[len++] = (uint8_t)(a->n - 1);
		for (size_t i = 0; i < a->n; i++)
			f[len++] = (uint8_t)a->pages[i];
	}
	/* XOR of every byte after the command (facts A.3). */
	f[len] = a3_xor(f, len);
	return len + 1;
}

/*
 * The erase's work for its deadline (a3_deadline): the part's datasheet
 * times when known (part.h, set in opts.t_page_erase_ms / t_mass_erase_ms),
 * else stm32flash's generic ones (facts A.8: 5 s a page, 35 s a mass
 * erase), which with no baud are the whole deadline (*fixed_ms). A bank
 * erase takes one mass erase time.
 */
static uint64_t erase_work_us(const struct an3155 *b, const struct er *a, unsigned *fixed_ms)
{
	if (a->n == 0) {
		*fixed_ms = b->o.t.mass_erase_ms;
		return (uint64_t)(b->o.t_mass_erase_ms ? b->o.t_mass_erase_ms : *fixed_ms) * 1000u;
	}
	*fixed_ms = b->o.t.ack_ms + b->o.t.page_erase_ms * (unsigned)a->n;
	return (uint64_t)(b->o.t_page_erase_ms ? b->o.t_page_erase_ms : b->o.t.page_erase_ms) *
	       1000u * a->n;
}

static int erase_once(struct an3155 *b, void *arg)
{
	const struct er *a = arg;
	uint8_t f[2 + 2 * A3_EXT_MAX + 1];
	size_t len = erase_frame(a, f);
	unsigned fixed_ms;
	uint64_t work_us = erase_work_us(b, a, &fixed_ms);
	int r = a3_cmd(b, a->ext ? AN3155_CMD_EXT_ERASE : AN3155_CMD_ERASE);

	return r ? r : a3_send_acked(b, A3_ST_DATA, f, len, work_us, fixed_ms);
}

/* Extended Erase when listed, else legacy Erase (facts A.4: mutually exclusive). */
static int pick_erase(struct an3155 *b, bool *ext, struct sb_diag *d)
{
	int r = a3_need(b, AN3155_CMD_EXT_ERASE, "Extended Erase", NULL);

	*ext = r == SB_OK;
	if (r == SB_ERR_UNSUPPORTED)
		r = a3_need(b, AN3155_CMD_ERASE, "Extended Erase 0x44 or Erase", d);
	else if (r)
		r = a3_need(b, AN3155_CMD_EXT_ERASE, "Extended Erase", d);
	return r;
}

static int check_pages(const uint16_t *pages, size_t n, bool ext, struct sb_diag *d)
{
	for (size_t i = 0; i < n; i++) {
		if (ext && pages[i] >= 0xFFF0)  /* protocol-facts A.5 */
			return sb_diag_set(d, SB_ERR_BAD_INPUT, "page number 0x%04X is a special"
					   " or reserved erase code", pages[i]);
		if (!ext && pages[i] > 0xFF)
			return sb_diag_set(d, SB_ERR_BAD_INPUT, "page %u does not fit the legacy"
					   " Erase command's 1-byte page numbers", pages[i]);
	}
	return SB_OK;
}

static int erase_run(struct an3155 *b, struct er *a, struct sb_diag *d)
{
	char what[64];
	int r = a3_retry(b, erase_once, a, true);

	if (r == SB_OK)
		return r;
	if (a->n == 0)
		snprintf(what, sizeof(what), "%s erase (0x%04X)",
			 a->special == AN3155_ERASE_MASS ? "mass" : "bank", a->special);
	else
		snprintf(what, sizeof(what), "erase of %zu page(s) from page %u", a->n,
			 a->pages[0]);
	return a3_fail(b, d, r, what, 0, false);
}

int an3155_erase_pages(struct an3155 *b, const uint16_t *pages, size_t n,
		       struct sb_diag *d)
{
	struct er a = { 0 };
	size_t max, done = 0;
	int r = pick_erase(b, &a.ext, d);

	if (r == SB_OK)
		r = check_pages(pages, n, a.ext, d);
	/* Chunk size: opts.erase_chunk (an3155.h cites facts A.8 / serial-anchors 1.8). */
	max = a.ext ? b->o.erase_chunk : (b->o.erase_chunk < A3_LEGACY_MAX ?
					    b->o.erase_chunk : A3_LEGACY_MAX);
	while (r == SB_OK && done < n) {
		a.pages = pages + done;
		a.n = n - done < max ? n - done : max;
		r = erase_run(b, &a, d);
		done += a.n;
		if (r == SB_OK)
			a3_progress(b, a.pages[0], done, n);
	}
	return r;
}

int an3155_erase_special(struct an3155 *b, uint16_t code, struct sb_diag *d)
{
	struct er a = { .special = code };
	int r = pick_erase(b, &a.ext, d);

	if (r)
		return r;
	if (code != AN3155_ERASE_MASS && code != AN3155_ERASE_BANK1 &&
	    code != AN3155_ERASE_BANK2)  /* protocol-facts A.5 */
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "0x%04X is not a mass or bank erase code",
				   code);
	if (!a.ext && code != AN3155_ERASE_MASS)
		return sb_diag_set(d, SB_ERR_UNSUPPORTED, "bank erase needs Extended Erase"
				   " (0x44); this bootloader offers only Erase (0x43)");
	r = erase_run(b, &a, d);
	if (r == SB_OK)
		a3_progress(b, code, 1, 1);
	return r;
}

/* ---- Go (facts A.5) ------------------------------------------------------- */

static int cmd_once(struct an3155 *b, void *arg)
{
	return a3_cmd(b, *(const uint8_t *)arg);
}

/*
 * Only the command byte is retried: once the address is ACKed the
 * application runs, and a second Go would reach it instead of the ROM.
 */
int an3155_go(struct an3155 *b, uint32_t addr, struct sb_diag *d)
{
	uint8_t code = AN3155_CMD_GO;
	int r = a3_need(b, code, "Go", d);

	if (r)
		return r;
	r = a3_retry(b, cmd_once, &code, true);   /* Go is refused under RDP (facts A.4) */
	if (r == SB_OK)
		r = a3_addr(b, addr);
	if (r)
		return a3_fail(b, d, r, "go", addr, true);
	b->state = A3_LEFT;
	sb_logf(&b->log, SB_LOG_INFO, "an3155: started the application at 0x%08lX",
		(unsigned long)addr);
	return SB_OK;
}

/* ---- protection: the ROM resets after the final ACK (facts A.4) ---------- */

/*
 * Command byte (retried), optional parameter block, final ACK. The final
 * part is not retried: once the command byte is ACKed the ROM may reset at
 * any time, so the handle is marked for reconnect from that point on.
 */
static int protect_cmd(struct an3155 *b, uint8_t code, const char *name, bool rdp_gated,
		       const uint8_t *param, size_t plen, unsigned ms, unsigned settle,
		       struct sb_diag *d)
{
	int r = a3_need(b, code, name, d);

	if (r)
		return r;
	r = a3_retry(b, cmd_once, &code, rdp_gated);
	if (r == SB_OK) {
		a3_mark_reset(b, name, settle);
		b->stage = param ? A3_ST_DATA : A3_ST_REPLY;
		r = param ? a3_tx(b, param, plen) : SB_OK;
	}
	if (r == SB_OK)
		r = a3_wait_ack(b, ms);
	if (r)
		return a3_fail(b, d, r, name, 0, false);
	sb_logf(&b->log, SB_LOG_INFO, "an3155: %s done; the bootloader resets now", name);
	return SB_OK;
}

int an3155_write_protect(struct an3155 *b, const uint8_t *codes, size_t n,
			 struct sb_diag *d)
{
	uint8_t f[1 + 256 + 1];

	if (n < 1 || n > 256)  /* protocol-facts A.5 */
		return sb_diag_set(d, SB_ERR_BAD_INPUT, "write protect needs 1 to 256 sector"
				   " codes, got %zu", n);
	/* N = codes - 1, the codes, XOR of all (facts A.3 data block). */
	f[0] = (uint8_t)(n - 1);
	memcpy(f + 1, codes, n);
	f[n + 1] = a3_xor(f, n + 1);
	return protect_cmd(b, AN3155_CMD_WRITE_PROTECT, "write protect", true, f, n + 2,
			   b->o.t.protect_ms, b->o.t.settle_ms, d);
}

int an3155_write_unprotect(struct an3155 *b, struct sb_diag *d)
{
	return protect_cmd(b, AN3155_CMD_WRITE_UNPROTECT, "write unprotect", true, NULL, 0,
			   b->o.t.protect_ms, b->o.t.settle_ms, d);
}

/* A NACK at the first byte means RDP is already active (facts A.5). */
int an3155_readout_protect(struct an3155 *b, struct sb_diag *d)
{
	return protect_cmd(b, AN3155_CMD_READOUT_PROTECT, "readout protect", true, NULL, 0,
			   b->o.t.protect_ms, b->o.t.settle_ms, d);
}

/* Accepted under RDP (facts A.4); the second ACK follows the mass erase. */
int an3155_readout_unprotect(struct an3155 *b, struct sb_diag *d)
{
	return protect_cmd(b, AN3155_CMD_READOUT_UNPROTECT, "readout unprotect", false, NULL,
			   0, b->o.t.unprotect_ms, b->o.t.unprotect_settle_ms, d);
}
