/* SPDX-License-Identifier: MIT */
/*
 * ldr_part.c - register-level model of the L4R5 for the loader's unit
 * tests (see ldr_part.h). Addresses and bits: protocol-facts E.1/E.2/E.4,
 * RM0432 §3.7 (FLASH), USART register chapter, PM0214 §4.4.4 (AIRCR).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldr_part.h"

#define F_BASE 0x08000000u
#define F_REGS 0x40022000u
#define F_ACR (F_REGS + 0x00u)
#define F_KEYR (F_REGS + 0x08u)
#define F_SR (F_REGS + 0x10u)
#define F_CR (F_REGS + 0x14u)
#define F_OPTR (F_REGS + 0x20u)
#define FSIZE 0x1FFF75E0u
#define AIRCR 0xE000ED0Cu
#define AHB1ENR 0x40021048u      /* RM0432 6.4.16; CRCEN bit 12 */
#define CRCU 0x40023000u         /* RM0432 14.4: DR +0, IDR +4, CR +8, INIT +0x10, POL +0x14 */

#define SR_EOP 1u
#define SR_PROGERR (1u << 3)
#define SR_WRPERR (1u << 4)
#define SR_PGAERR (1u << 5)
#define SR_PGSERR (1u << 7)
#define SR_ERRS 0xC3FAu          /* bits 1, 3-9, 14, 15 */
#define SR_BSY (1u << 16)
#define CR_PG 1u
#define CR_PER 2u
#define CR_BKER (1u << 11)
#define CR_STRT (1u << 16)
#define CR_LOCK (1u << 31)

#define U_CR1 0x00u
#define U_BRR 0x0Cu
#define U_ISR 0x1Cu
#define U_ICR 0x20u
#define U_RDR 0x24u
#define U_TDR 0x28u
#define UE 1u
#define RE 4u
#define TE 8u
#define OVER8 (1u << 15)
#define ISR_FE 2u
#define ISR_RXNE (1u << 5)
#define ISR_TC (1u << 6)
#define ISR_TXE (1u << 7)

static const uint32_t usart_base[3] = { 0x40013800u, 0x40004400u, 0x40004800u };

struct fusart {
	uint32_t cr1, brr, isr_err;
	bool rx_full;
	uint8_t rdr;
};

struct fpart {
	struct fp_cfg c;
	uint8_t *flash, *prog;   /* prog: one flag per double-word */
	uint32_t size;
	uint32_t sr, cr, acr, keys;
	bool hard_locked;
	unsigned busy;
	uint32_t pend_addr, pend_lo;
	bool pend;
	struct fusart u[3];
	unsigned host_baud;
	uint8_t *in, *out;       /* host -> device, device -> host */
	size_t nin, in_pos, nout, out_pos, cap_in, cap_out;
	bool reset;
	uint32_t ahb1enr;
	uint32_t crc, crc_cr, crc_init, crc_pol;   /* crc: zlib's running value (reflected) */
	char err[200];
	struct fp_stats st;
};

static void bad(struct fpart *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bad(struct fpart *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
}

struct fpart *fp_new(const struct fp_cfg *cfg)
{
	struct fpart *p = calloc(1, sizeof(*p));

	p->c = *cfg;
	if (!p->c.flash_kb)
		p->c.flash_kb = 2048;
	if (!p->c.fsize_reg)
		p->c.fsize_reg = p->c.flash_kb;
	if (!p->c.optr)
		p->c.optr = 0xFFEFF8AAu;
	if (!p->c.fck)
		p->c.fck = 16000000u;
	if (!p->c.usarts)
		p->c.usarts = 1;
	if (!p->c.baud)
		p->c.baud = 115200;
	if (!p->c.prog_reads)
		p->c.prog_reads = 3;
	if (!p->c.erase_reads)
		p->c.erase_reads = 20;
	for (unsigned i = 0; i < 3 && !p->c.host_usart; i++)
		if (p->c.usarts & (1u << i))
			p->c.host_usart = i + 1;
	p->size = p->c.flash_kb * 1024u;
	p->flash = malloc(p->size);
	memset(p->flash, 0xFF, p->size);
	p->prog = calloc(p->size / 8, 1);
	p->cr = CR_LOCK;
	p->acr = 0x600;   /* ICEN | DCEN: the reset value */
	p->ahb1enr = 0x100;   /* FLASHEN: the reset value */
	p->crc = p->crc_init = 0xFFFFFFFFu;   /* RM0432 14.4 reset values */
	p->crc_pol = 0x04C11DB7u;
	for (unsigned i = 0; i < 3; i++) {
		uint32_t div = (p->c.fck + p->c.baud / 2) / p->c.baud;
		if (!(p->c.usarts & (1u << i)))
			continue;
		p->u[i].cr1 = UE | RE | TE | (1u << 10) | (1u << 12);   /* + PCE, M0: 8E1 */
		if (p->c.over8) {
			uint32_t u8 = 2 * div;
			p->u[i].cr1 |= OVER8;
			p->u[i].brr = (u8 & 0xFFF0u) | ((u8 & 0xFu) >> 1);
		} else
			p->u[i].brr = div;
	}
	p->host_baud = p->c.baud;
	p->cap_in = p->cap_out = 1 << 16;
	p->in = malloc(p->cap_in);
	p->out = malloc(p->cap_out);
	return p;
}

void fp_free(struct fpart *p)
{
	if (!p)
		return;
	free(p->flash);
	free(p->prog);
	free(p->in);
	free(p->out);
	free(p);
}

uint8_t *fp_flash(struct fpart *p) { return p->flash; }
uint32_t fp_flash_size(const struct fpart *p) { return p->size; }
bool fp_reset_requested(const struct fpart *p) { return p->reset; }
const char *fp_error(const struct fpart *p) { return p->err[0] ? p->err : NULL; }
const struct fp_stats *fp_stats(const struct fpart *p) { return &p->st; }

/* ---- flash ---------------------------------------------------------------- */

static bool dual(const struct fpart *p)
{
	if (p->c.flash_kb == 2048)
		return p->c.optr >> 22 & 1;
	return p->c.flash_kb == 1024 && (p->c.optr >> 21 & 1);
}

static void start_busy(struct fpart *p, unsigned reads)
{
	p->busy = reads;
	p->sr |= SR_BSY;
}

static void page_erase(struct fpart *p, uint32_t cr)
{
	uint32_t page = dual(p) ? 4096u : 8192u, pnb = cr >> 3 & 0xFF, off;

	if ((cr & CR_BKER) && !dual(p)) {
		bad(p, "BKER set in single-bank mode (CR 0x%08X)", cr);
		return;
	}
	off = ((cr & CR_BKER) ? p->size / 2 : 0) + pnb * page;
	if (off + page > p->size || pnb >= (dual(p) ? p->size / 2 : p->size) / page) {
		bad(p, "erase of page %u beyond the flash (CR 0x%08X)", pnb, cr);
		return;
	}
	if (p->c.wrp_end > F_BASE + off && p->c.wrp_start < F_BASE + off + page) {
		p->sr |= SR_WRPERR;
		return;
	}
	memset(p->flash + off, 0xFF, page);
	memset(p->prog + off / 8, 0, page / 8);
	p->st.erases++;
	start_busy(p, p->c.erase_reads);
}

static void write_cr(struct fpart *p, uint32_t v)
{
	if (p->cr & CR_LOCK) {
		bad(p, "FLASH_CR written while locked (0x%08X)", v);
		return;
	}
	if (p->sr & SR_BSY)
		bad(p, "FLASH_CR written while BSY (0x%08X)", v);
	p->cr = (v & ~CR_STRT) | (v & CR_LOCK);
	if (!(v & CR_STRT))
		return;
	if ((v & (CR_PG | CR_PER)) != CR_PER || (p->sr & SR_ERRS)) {
		p->sr |= SR_PGSERR;
		return;
	}
	page_erase(p, v);
}

static void commit_dw(struct fpart *p, uint32_t a, uint32_t hi)
{
	uint32_t off = a - F_BASE;
	uint8_t b[8];

	for (int i = 0; i < 4; i++) {
		b[i] = (uint8_t)(p->pend_lo >> (8 * i));
		b[4 + i] = (uint8_t)(hi >> (8 * i));
	}
	if (a >= p->c.wrp_start && a < p->c.wrp_end) {
		p->sr |= SR_WRPERR;
		return;
	}
	if (p->prog[off / 8]) {
		p->st.double_programs++;
		p->sr |= SR_PROGERR;   /* protocol-facts E.3: once per erase */
		return;
	}
	memcpy(p->flash + off, b, 8);
	p->prog[off / 8] = 1;
	p->st.programs++;
	start_busy(p, p->c.prog_reads);
}

static void write_flash(struct fpart *p, uint32_t a, uint32_t v)
{
	if (!(p->cr & CR_PG) || (p->cr & CR_LOCK)) {
		p->sr |= SR_PGSERR;
		return;
	}
	if (p->sr & SR_BSY)
		bad(p, "flash written at 0x%08X while BSY (0x%08X)", a, v);
	if (a % 4) {
		p->sr |= SR_PGAERR;
		return;
	}
	if (a % 8 == 0) {
		if (p->sr & SR_ERRS) {
			p->sr |= SR_PGSERR;  /* errors of an earlier operation not cleared */
			return;
		}
		p->pend = true;
		p->pend_addr = a;
		p->pend_lo = v;
		return;
	}
	if (!p->pend || p->pend_addr != a - 4) {
		p->sr |= SR_PGSERR;
		return;
	}
	p->pend = false;
	commit_dw(p, a - 4, v);
}

static void write_keyr(struct fpart *p, uint32_t v)
{
	if (!(p->cr & CR_LOCK) || p->hard_locked) {
		p->hard_locked = true;
		bad(p, "FLASH_KEYR written while unlocked or after a wrong key (0x%08X)", v);
		return;
	}
	if (p->keys == 0 && v == 0x45670123u) {
		p->keys = 1;
	} else if (p->keys == 1 && v == 0xCDEF89ABu) {
		p->keys = 0;
		p->cr &= ~CR_LOCK;
	} else {
		p->hard_locked = true;
		bad(p, "wrong key 0x%08X", v);
	}
}

static void write_sr(struct fpart *p, uint32_t v)
{
	if (v & ~(SR_ERRS | SR_EOP))
		bad(p, "FLASH_SR written with bits outside the error flags and EOP (0x%08X)", v);
	p->sr &= ~(v & (SR_ERRS | SR_EOP));
}

static uint32_t read_sr(struct fpart *p)
{
	uint32_t sr = p->sr;

	if (p->busy && --p->busy == 0)
		p->sr &= ~SR_BSY;
	p->st.last_sr_errors = sr & SR_ERRS;
	return sr;
}

/* ---- USART ------------------------------------------------------------------ */

static struct fusart *usart_at(struct fpart *p, uint32_t a, uint32_t *reg, unsigned *no)
{
	for (unsigned i = 0; i < 3; i++)
		if (a >= usart_base[i] && a < usart_base[i] + 0x400) {
			*reg = a - usart_base[i];
			*no = i + 1;
			return &p->u[i];
		}
	return NULL;
}

static uint32_t usart_baud(const struct fusart *u, uint32_t fck)
{
	uint32_t div;

	if (!(u->cr1 & UE) || !u->brr)
		return 0;
	div = (u->cr1 & OVER8) ? ((u->brr & 0xFFF0u) | ((u->brr & 7u) << 1)) : 2 * u->brr;
	return div ? (uint32_t)((2ull * fck + div / 2) / div) : 0;
}

unsigned fp_usart_baud(const struct fpart *p, unsigned usart)
{
	return usart >= 1 && usart <= 3 ? usart_baud(&p->u[usart - 1], p->c.fck) : 0;
}

static bool line_ok(const struct fpart *p)
{
	uint32_t d = fp_usart_baud(p, p->c.host_usart), h = p->host_baud;
	uint64_t diff = d > h ? d - h : h - d;

	if (!d || (p->c.max_line_baud && (d > p->c.max_line_baud || h > p->c.max_line_baud)))
		return false;
	return diff * 100 <= 3ull * d;
}

static uint32_t read_usart(struct fpart *p, struct fusart *u, uint32_t reg)
{
	uint32_t isr;

	switch (reg) {
	case U_CR1: return u->cr1;
	case U_BRR: return u->brr;
	case U_ISR:
		isr = u->isr_err | (u->rx_full ? ISR_RXNE : 0);
		if (u->cr1 & UE)
			isr |= ISR_TXE | ISR_TC | ((u->cr1 & TE) ? 1u << 21 : 0) | ((u->cr1 & RE) ? 1u << 22 : 0);
		return isr;
	case U_RDR:
		u->rx_full = false;
		return u->rdr;
	default:
		bad(p, "USART register +0x%02X read", reg);
		return 0;
	}
}

static void out_byte(struct fpart *p, uint8_t b)
{
	if (!line_ok(p)) {
		b ^= 0x5A;
		p->st.garbled_out++;
	}
	if (p->nout == p->cap_out)
		p->out = realloc(p->out, p->cap_out *= 2);
	p->out[p->nout++] = b;
}

static void write_usart(struct fpart *p, struct fusart *u, unsigned no, uint32_t reg, uint32_t v)
{
	switch (reg) {
	case U_CR1:
		/* fields written only with UE = 0: OVER8, M0, PCE, FIFOEN (RM0432 50.8.1) */
		if ((u->cr1 & UE) && (v & UE) && ((u->cr1 ^ v) & (OVER8 | (1u << 12) | (1u << 10) | (1u << 29))))
			bad(p, "USART CR1 OVER8/M0/PCE/FIFOEN changed while UE = 1 (0x%08X -> 0x%08X)", u->cr1, v);
		if (!(v & UE))
			u->rx_full = false, u->isr_err = 0;
		u->cr1 = v;
		return;
	case U_BRR:
		if (u->cr1 & UE)
			bad(p, "USART BRR written while UE = 1 (0x%08X)", v);
		u->brr = v;
		return;
	case U_ICR:
		u->isr_err &= ~v;
		return;
	case U_TDR:
		if (!(u->cr1 & UE) || !(u->cr1 & TE))
			bad(p, "USART TDR written while disabled (0x%08X)", v);
		else if (no == p->c.host_usart)
			out_byte(p, (uint8_t)v);
		return;
	default:
		bad(p, "USART register +0x%02X written (0x%08X)", reg, v);
	}
}

/* ---- the seam --------------------------------------------------------------- */

/* ---- the CRC unit -------------------------------------------------------------- */

#define CRC_CR_ZLIB 0xE0u        /* REV_IN = 11 (by word), REV_OUT, POLYSIZE 32 */

static bool crc_on(const struct fpart *p)
{
	return !p->c.crc_dead && (p->ahb1enr & (1u << 12));
}

static uint32_t read_crc(struct fpart *p, uint32_t off)
{
	if (!crc_on(p))
		return 0;
	switch (off) {
	case 0x00: return p->crc;   /* with REV_OUT: the reflected register as is */
	case 0x08: return p->crc_cr;
	case 0x10: return p->crc_init;
	case 0x14: return p->crc_pol;
	}
	bad(p, "CRC unit register +0x%02X read", off);
	return 0;
}

static void write_crc(struct fpart *p, uint32_t off, uint32_t v)
{
	if (!crc_on(p))
		return;
	switch (off) {
	case 0x00:
		if (p->crc_cr != CRC_CR_ZLIB || p->crc_pol != 0x04C11DB7u || p->crc_init != 0xFFFFFFFFu) {
			bad(p, "CRC_DR written with CR 0x%02X POL 0x%08X INIT 0x%08X (only zlib's setting is modelled)",
			    p->crc_cr, p->crc_pol, p->crc_init);
			return;
		}
		/* a word reversed bit by bit, MSB first = its bytes LSB first, reflected */
		p->crc ^= v;
		for (int i = 0; i < 32; i++)
			p->crc = p->crc & 1u ? (p->crc >> 1) ^ 0xEDB88320u : p->crc >> 1;
		p->st.crc_words++;
		return;
	case 0x08:
		p->crc_cr = v & 0xF8u;
		if (v & 1u)
			p->crc = p->crc_init;   /* 0xFFFFFFFF reads the same reversed */
		return;
	case 0x10: p->crc_init = v; return;
	case 0x14: p->crc_pol = v; return;
	}
	bad(p, "CRC unit register +0x%02X written (0x%08X)", off, v);
}

uint32_t fp_rd32(void *ctx, uint32_t a)
{
	struct fpart *p = ctx;
	struct fusart *u;
	uint32_t reg;
	unsigned no;

	if (a >= F_BASE && a < F_BASE + p->size && a % 4 == 0)
		return (uint32_t)p->flash[a - F_BASE] | (uint32_t)p->flash[a - F_BASE + 1] << 8 |
		       (uint32_t)p->flash[a - F_BASE + 2] << 16 | (uint32_t)p->flash[a - F_BASE + 3] << 24;
	switch (a) {
	case F_ACR: return p->acr;
	case F_SR: return read_sr(p);
	case F_CR: return p->cr;
	case F_OPTR: return p->c.optr;
	case FSIZE: return p->c.fsize_reg | 0xFFFF0000u;
	case AIRCR: return 0xFA050000u;
	case AHB1ENR: return p->ahb1enr;
	}
	if (a >= CRCU && a < CRCU + 0x18u)
		return read_crc(p, a - CRCU);
	if ((u = usart_at(p, a, &reg, &no)))
		return read_usart(p, u, reg);
	bad(p, "read of 0x%08X", a);
	return 0;
}

void fp_wr32(void *ctx, uint32_t a, uint32_t v)
{
	struct fpart *p = ctx;
	struct fusart *u;
	uint32_t reg;
	unsigned no;

	if (a >= F_BASE && a < F_BASE + p->size) {
		write_flash(p, a, v);
		return;
	}
	switch (a) {
	case F_ACR:
		if (v & (1u << 12))
			p->st.dcache_resets++;
		p->acr = v & ~(1u << 12);
		return;
	case F_KEYR: write_keyr(p, v); return;
	case F_SR: write_sr(p, v); return;
	case F_CR: write_cr(p, v); return;
	case AHB1ENR: p->ahb1enr = v; return;
	}
	if (a >= CRCU && a < CRCU + 0x18u) {
		write_crc(p, a - CRCU, v);
		return;
	}
	if ((u = usart_at(p, a, &reg, &no))) {
		write_usart(p, u, no, reg, v);
		return;
	}
	bad(p, "write of 0x%08X (0x%08X)", a, v);
}

void fp_reset(void *ctx)
{
	((struct fpart *)ctx)->reset = true;
}

/* ---- line ----------------------------------------------------------------- */

void fp_host_send(struct fpart *p, const uint8_t *buf, size_t n)
{
	if (p->in_pos == p->nin)
		p->in_pos = p->nin = 0;
	if (p->nin + n > p->cap_in) {
		while (p->nin + n > p->cap_in)
			p->cap_in *= 2;
		p->in = realloc(p->in, p->cap_in);
	}
	memcpy(p->in + p->nin, buf, n);
	p->nin += n;
}

size_t fp_host_recv(struct fpart *p, uint8_t *buf, size_t max)
{
	size_t n = p->nout - p->out_pos < max ? p->nout - p->out_pos : max;

	memcpy(buf, p->out + p->out_pos, n);
	p->out_pos += n;
	if (p->out_pos == p->nout)
		p->out_pos = p->nout = 0;
	return n;
}

size_t fp_host_pending(const struct fpart *p)
{
	return p->nout - p->out_pos;
}

void fp_host_flush(struct fpart *p)
{
	p->out_pos = p->nout = 0;
}

void fp_set_host_baud(struct fpart *p, unsigned baud)
{
	p->host_baud = baud;
}

void fp_tick(struct fpart *p)
{
	struct fusart *u = &p->u[p->c.host_usart - 1];
	uint8_t b;

	if (p->in_pos == p->nin || !(u->cr1 & UE) || !(u->cr1 & RE) || u->rx_full)
		return;
	b = p->in[p->in_pos++];
	if (!line_ok(p)) {
		b ^= 0xA5;
		u->isr_err |= ISR_FE;
		p->st.garbled_in++;
	}
	u->rdr = b;
	u->rx_full = true;
}
