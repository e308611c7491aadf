/* SPDX-License-Identifier: MIT */
/*
 * periph_usart.c - USART1/2/3 (0x40013800, 0x40004400, 0x40004800),
 * RM0432 chapter 50: CR1, CR2, CR3, BRR, GTPR, RTOR, RQR, ISR, ICR, RDR,
 * TDR, PRESC in asynchronous mode.
 *
 * Receive: one receive data register, or an 8-character FIFO when FIFOEN
 * (RM0432 50.5.6); a character that arrives while it is full is lost and
 * sets ORE (unless OVRDIS). Transmit: TDR (or the 8-character FIFO) in front
 * of the shift register; a character occupies the wire for its frame
 * (start + word + stop bits at the BRR's baud), and is handed to the line
 * when its start bit begins. Not modelled: synchronous, LIN, IrDA, smartcard
 * and modem modes, auto baud rate, DMA, interrupts (IE bits are storage),
 * receiver timeout, wake-up, FIFO thresholds.
 */
#include "mcu_priv.h"

#define U_CR1 0x00u
#define U_CR2 0x04u
#define U_CR3 0x08u
#define U_BRR 0x0Cu
#define U_GTPR 0x10u
#define U_RTOR 0x14u
#define U_RQR 0x18u
#define U_ISR 0x1Cu
#define U_ICR 0x20u
#define U_RDR 0x24u
#define U_TDR 0x28u
#define U_PRESC 0x2Cu

/* CR1, RM0432 50.8.1 */
#define CR1_UE (1u << 0)
#define CR1_RE (1u << 2)
#define CR1_TE (1u << 3)
#define CR1_PS (1u << 9)
#define CR1_PCE (1u << 10)
#define CR1_M0 (1u << 12)
#define CR1_OVER8 (1u << 15)
#define CR1_M1 (1u << 28)
#define CR1_FIFOEN (1u << 29)
/* fields that "can only be written when the USART is disabled (UE=0)" */
#define CR1_LOCKED (CR1_PS | CR1_PCE | CR1_M0 | CR1_OVER8 | CR1_M1 | CR1_FIFOEN | (1u << 11) | \
		    (0x1Fu << 16) | (0x1Fu << 21))
#define CR3_OVRDIS (1u << 12)

/* ISR, RM0432 50.8.10 */
#define ISR_PE (1u << 0)
#define ISR_FE (1u << 1)
#define ISR_NE (1u << 2)
#define ISR_ORE (1u << 3)
#define ISR_IDLE (1u << 4)
#define ISR_RXNE (1u << 5)
#define ISR_TC (1u << 6)
#define ISR_TXE (1u << 7)
#define ISR_TEACK (1u << 21)
#define ISR_REACK (1u << 22)
#define ISR_TXFE (1u << 23)
#define ISR_RXFF (1u << 24)
#define ISR_STICKY (ISR_PE | ISR_FE | ISR_NE | ISR_ORE | ISR_IDLE)

/* RQR, RM0432 50.8.9 */
#define RQR_ABRRQ (1u << 0)
#define RQR_SBKRQ (1u << 1)
#define RQR_RXFRQ (1u << 3)
#define RQR_TXFRQ (1u << 4)

#define ICR_TCCF (1u << 6)

void usart_reset(struct mcu_usart *u)
{
	unsigned n = u->n;
	uint32_t base = u->base;

	*u = (struct mcu_usart){ .n = n, .base = base };
}

bool usart_clocked(const struct mcu *m, const struct mcu_usart *u)
{
	return rcc_usart_enabled(m, u->n) && !rcc_usart_in_reset(m, u->n);
}

static bool connected(const struct mcu *m, const struct mcu_usart *u)
{
	return u->n == m->cfg.rom_usart;
}

static unsigned depth(const struct mcu_usart *u)
{
	return u->cr1 & CR1_FIFOEN ? USART_FIFO : 1;
}

/* ---- frame and baud ---- */

/* Word length M1:M0, RM0432 50.8.1: 00 8 bits, 01 9 bits, 10 7 bits. */
static unsigned word_bits(const struct mcu_usart *u)
{
	return u->cr1 & CR1_M1 ? 7 : u->cr1 & CR1_M0 ? 9 : 8;
}

static unsigned presc_div(const struct mcu_usart *u)
{
	static const unsigned div[12] = { 1, 2, 4, 6, 8, 10, 12, 16, 32, 64, 128, 256 };
	unsigned p = u->presc & 0xF;

	return div[p < 12 ? p : 11];  /* RM0432 50.8.12: 1011 and above /256 */
}

/* RM0432 50.5.7: baud = usart_ker_ck_pres / USARTDIV (x2 with OVER8). */
static unsigned baud_of(const struct mcu *m, const struct mcu_usart *u)
{
	uint64_t ker = rcc_usart_kernel(m, u->n) / presc_div(u);
	uint32_t div = u->cr1 & CR1_OVER8 ? (u->brr & 0xFFF0u) | (u->brr & 7u) << 1 : u->brr & 0xFFFFu;

	if (div < 16 || !ker)
		return 0;  /* BRR below 16 is not a valid setting */
	if (u->cr1 & CR1_OVER8)
		ker *= 2;
	return (unsigned)((ker + div / 2) / div);
}

struct uart_frame usart_frame(const struct mcu *m, const struct mcu_usart *u)
{
	unsigned w = word_bits(u), stop = (u->cr2 >> 12) & 3;
	struct uart_frame f = { baud_of(m, u), w, 'N', stop >= 2 ? 2 : 1 };

	if (u->cr1 & CR1_PCE) {
		f.bits = w - 1;  /* the parity bit takes the word's MSB (50.5.8) */
		f.parity = u->cr1 & CR1_PS ? 'O' : 'E';
	} else if (w == 9) {
		f.bits = 8;      /* 9 data bits: the 9th is modelled as a space bit */
		f.parity = 'S';
	}
	return f;
}

static uint64_t frame_ns(const struct mcu *m, const struct mcu_usart *u)
{
	struct uart_frame f = usart_frame(m, u);

	return mcu_frame_ns(&f);
}

/* ---- transmit ---- */

static unsigned tx_waiting(const struct mcu *m, const struct mcu_usart *u)
{
	unsigned n = 0;

	for (unsigned i = 0; i < u->tx_n; i++)
		n += u->tx[i].start > m->now;
	return n;
}

static uint64_t tx_last_end(const struct mcu_usart *u)
{
	return u->tx_n ? u->tx[u->tx_n - 1].end : 0;
}

/* Characters whose start bit has begun leave for the line; finished ones go. */
static void tx_sync(struct mcu *m, struct mcu_usart *u)
{
	unsigned k = 0;

	for (unsigned i = 0; i < u->tx_n; i++) {
		struct tx_slot *t = &u->tx[i];

		if (!t->sent && t->start <= m->now) {
			struct uart_frame f = usart_frame(m, u);

			t->sent = true;
			if (connected(m, u) && m->hooks.tx)
				m->hooks.tx(m->hooks.ctx, t->c, t->end, &f);
		}
		if (!t->sent || t->end > m->now)
			u->tx[k++] = *t;
	}
	u->tx_n = k;
}

static void tx_send(struct mcu *m, struct mcu_usart *u, uint16_t c)
{
	uint64_t start = tx_last_end(u) > m->now ? tx_last_end(u) : m->now;
	uint64_t end = start + (m->cfg.timing ? frame_ns(m, u) : 0);

	u->tx[u->tx_n++] = (struct tx_slot){ start, end, c, false };
	u->tx_last = end;
	tx_sync(m, u);
}

static void write_tdr(struct mcu *m, struct mcu_usart *u, uint32_t val)
{
	if (!(u->cr1 & CR1_UE) || !(u->cr1 & CR1_TE)) {
		mcu_log(m, "USART%u: TDR written with UE or TE off: character 0x%02X lost", u->n,
			(unsigned)val & 0x1FF);
		return;
	}
	if (tx_waiting(m, u) >= depth(u)) {
		mcu_log(m, "USART%u: TDR written while %s full (TXE=0): character 0x%02X lost", u->n,
			depth(u) > 1 ? "the FIFO is" : "TDR is", (unsigned)val & 0x1FF);
		return;
	}
	if (!baud_of(m, u) && !u->warned_dead) {
		mcu_log(m, "USART%u: no valid baud (BRR %u, kernel clock %u Hz): the line carries "
			"nothing", u->n, (unsigned)u->brr, (unsigned)rcc_usart_kernel(m, u->n));
		u->warned_dead = true;
	}
	tx_send(m, u, (uint16_t)(val & ((1u << word_bits(u)) - 1)));
}

/* ---- receive ---- */

static bool parity_of(uint16_t data, unsigned bits)
{
	unsigned ones = 0;

	for (unsigned i = 0; i < bits; i++)
		ones += (data >> i) & 1;
	return ones & 1;
}

/* The character as RDR shows it: with parity, the parity bit in the MSB. */
static uint16_t rdr_value(const struct mcu *m, const struct mcu_usart *u, const struct rx_char *r)
{
	struct uart_frame f = usart_frame(m, u);
	bool pbit;

	if (f.parity == 'N' || f.parity == 'S')
		return r->c & ((1u << f.bits) - 1);
	pbit = parity_of(r->c, f.bits) ^ (f.parity == 'O') ^ r->pe;
	return (uint16_t)((r->c & ((1u << f.bits) - 1)) | (unsigned)pbit << f.bits);
}

static void rx_take(struct mcu *m, struct mcu_usart *u, const struct rx_char *r, unsigned *lost)
{
	if (!usart_clocked(m, u) || !(u->cr1 & CR1_UE) || !(u->cr1 & CR1_RE)) {
		(*lost)++;
		return;
	}
	if (u->rx_n == depth(u) && !(u->cr3 & CR3_OVRDIS)) {
		u->flags |= ISR_ORE;  /* RM0432 50.5.8: the new character is lost */
		return;
	}
	if (u->rx_n == depth(u))
		u->rx_n--;        /* OVRDIS: the new character overwrites RDR */
	u->rx[u->rx_n++] = rdr_value(m, u, r);
	u->flags |= (r->pe ? ISR_PE : 0) | (r->fe ? ISR_FE : 0);
	u->idle_at = r->at + frame_ns(m, u);
}

static void rx_sync(struct mcu *m, struct mcu_usart *u)
{
	size_t i = 0;
	unsigned lost = 0;

	while (i < m->wire_len && m->wire[i].at <= m->now)
		rx_take(m, u, &m->wire[i++], &lost);
	if (i) {
		m->wire_len -= i;
		for (size_t k = 0; k < m->wire_len; k++)
			m->wire[k] = m->wire[k + i];
	}
	if (lost)
		mcu_log(m, "USART%u: receiver off (UE/RE/clock): %u character(s) from the host lost",
			u->n, lost);
	/* RM0432 50.8.10 IDLE: a frame time of idle line after a character */
	if (u->idle_at && m->now >= u->idle_at && (!m->wire_len || m->wire[0].at > u->idle_at)) {
		u->flags |= ISR_IDLE;
		u->idle_at = 0;
	}
}

void usart_sync(struct mcu *m)
{
	for (unsigned i = 0; i < 3; i++)
		tx_sync(m, &m->us[i]);
	rx_sync(m, &m->us[m->cfg.rom_usart - 1]);
}

uint64_t usart_next_event(const struct mcu *m)
{
	uint64_t t = UINT64_MAX;

	for (unsigned i = 0; i < 3; i++) {
		const struct mcu_usart *u = &m->us[i];

		for (unsigned k = 0; k < u->tx_n; k++) {
			uint64_t e = u->tx[k].start > m->now ? u->tx[k].start : u->tx[k].end;

			t = e < t ? e : t;
		}
		if (u->idle_at > m->now && u->idle_at < t)
			t = u->idle_at;
	}
	if (m->wire_len && m->wire[0].at < t)
		t = m->wire[0].at;
	return t;
}

/* ---- registers ---- */

static uint32_t isr(const struct mcu *m, const struct mcu_usart *u)
{
	unsigned waiting = tx_waiting(m, u);
	bool fifo = u->cr1 & CR1_FIFOEN, ue = u->cr1 & CR1_UE;
	uint32_t v = u->flags;

	v |= u->rx_n ? ISR_RXNE : 0;
	v |= !u->tx_n && !(u->tc_cleared && u->tx_last <= u->tc_clear_at) ? ISR_TC : 0;
	v |= waiting < depth(u) ? ISR_TXE : 0;  /* TXE, or TXFNF with the FIFO */
	v |= ue && (u->cr1 & CR1_TE) ? ISR_TEACK : 0;
	v |= ue && (u->cr1 & CR1_RE) ? ISR_REACK : 0;
	v |= fifo && !waiting ? ISR_TXFE : 0;
	v |= fifo && u->rx_n == USART_FIFO ? ISR_RXFF : 0;
	return v;
}

static uint16_t read_rdr(struct mcu *m, struct mcu_usart *u)
{
	if (!u->rx_n)
		return u->rdr;
	u->rdr = u->rx[0];
	for (unsigned i = 1; i < u->rx_n; i++)
		u->rx[i - 1] = u->rx[i];
	u->rx_n--;
	mcu_progress(m);
	return u->rdr;
}

int usart_read(struct mcu *m, struct mcu_usart *u, uint32_t off, uint32_t *val)
{
	if (!usart_clocked(m, u)) {
		*val = 0;  /* bus clock off: reads as zero (RM0432 6.2.18) */
		return MCU_OK;
	}
	switch (off) {
	case U_CR1: *val = u->cr1; break;
	case U_CR2: *val = u->cr2; break;
	case U_CR3: *val = u->cr3; break;
	case U_BRR: *val = u->brr; break;
	case U_GTPR: *val = u->gtpr; break;
	case U_RTOR: *val = u->rtor; break;
	case U_ISR:
		*val = isr(m, u);
		mcu_status_read(m, u->base + off, *val);
		break;
	case U_RDR: *val = read_rdr(m, u); break;
	case U_PRESC: *val = u->presc; break;
	default: *val = 0; break;  /* RQR, ICR, TDR read as 0 here */
	}
	return MCU_OK;
}

static void disable(struct mcu *m, struct mcu_usart *u)
{
	unsigned dropped = tx_waiting(m, u);

	/* RM0432 50.8.1 UE: current operations discarded, status flags reset */
	if (dropped)
		mcu_log(m, "USART%u: disabled with %u character(s) not yet sent: lost", u->n, dropped);
	u->tx_n -= dropped;
	u->flags = 0;
	u->rx_n = 0;
	u->idle_at = 0;
}

/* A write to a field that is locked while UE=1 keeps the old value. */
static uint32_t locked(struct mcu *m, struct mcu_usart *u, const char *name, uint32_t old,
		       uint32_t val, uint32_t mask)
{
	if (!(u->cr1 & CR1_UE) || ((old ^ val) & mask) == 0)
		return val;
	mcu_log(m, "USART%u: %s written while UE=1: ignored (RM0432 50.8: only when UE=0)", u->n, name);
	return (val & ~mask) | (old & mask);
}

static void write_cr1(struct mcu *m, struct mcu_usart *u, uint32_t val)
{
	val = locked(m, u, "CR1 word/parity/OVER8/FIFOEN", u->cr1, val, CR1_LOCKED);
	if ((u->cr1 & CR1_UE) && !(val & CR1_UE))
		disable(m, u);
	u->cr1 = val;
}

static void write_rqr(struct mcu *m, struct mcu_usart *u, uint32_t val)
{
	if (val & RQR_RXFRQ)
		u->rx_n = 0;
	if (val & RQR_TXFRQ)
		u->tx_n -= tx_waiting(m, u);
	if (val & (RQR_ABRRQ | RQR_SBKRQ))
		mcu_log(m, "USART%u: RQR 0x%X (auto baud / break) not modelled: ignored", u->n,
			(unsigned)val);
}

static void write_icr(struct mcu *m, struct mcu_usart *u, uint32_t val)
{
	u->flags &= ~(val & ISR_STICKY);  /* PECF..IDLECF are bits 0-4, RM0432 50.8.11 */
	if (val & ICR_TCCF) {
		u->tc_cleared = true;
		u->tc_clear_at = m->now;
	}
}

int usart_write(struct mcu *m, struct mcu_usart *u, uint32_t off, uint32_t val)
{
	if (!usart_clocked(m, u)) {
		mcu_log(m, "USART%u: written with its bus clock off (RCC): ignored", u->n);
		return MCU_OK;
	}
	switch (off) {
	case U_CR1: write_cr1(m, u, val); break;
	case U_CR2: u->cr2 = locked(m, u, "CR2", u->cr2, val, 0xFFFFFFFFu); break;
	case U_CR3: u->cr3 = locked(m, u, "CR3 OVRDIS", u->cr3, val, CR3_OVRDIS); break;
	case U_BRR: u->brr = locked(m, u, "BRR", u->brr, val & 0xFFFFu, 0xFFFFu); break;
	case U_GTPR: u->gtpr = val & 0xFFFFu; break;
	case U_RTOR: u->rtor = val; break;
	case U_RQR: write_rqr(m, u, val); break;
	case U_ICR: write_icr(m, u, val); break;
	case U_TDR: write_tdr(m, u, val); break;
	case U_PRESC: u->presc = locked(m, u, "PRESC", u->presc, val & 0xFu, 0xFu); break;
	default: break;
	}
	return MCU_OK;
}

/* ---- the ROM's USART at Go (contract fact 1, first reading) ---- */

void usart_rom_setup(struct mcu *m, struct mcu_usart *u, unsigned baud)
{
	uint32_t ker = rcc_usart_kernel(m, u->n), div;

	/* 8 data bits + even parity = 9-bit word (protocol-facts A.1) */
	u->cr1 = CR1_UE | CR1_RE | CR1_TE | CR1_PCE | CR1_M0;
	div = baud ? (ker + baud / 2) / baud : 0;
	if (div >= 16) {
		u->brr = div;
		return;
	}
	div = baud ? (2 * ker + baud / 2) / baud : 0;  /* too slow a clock for x16: x8 */
	u->cr1 |= CR1_OVER8;
	u->brr = (div & 0xFFF0u) | (div & 0xFu) >> 1;
}
