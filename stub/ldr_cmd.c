/* SPDX-License-Identifier: MIT */
/*
 * ldr_cmd.c - the loader's commands: flash geometry, the flash sequencer
 * for the queued ERASE and WRITE, the immediate commands (IDENTIFY, CRC,
 * READ, RESET) and the baud change with its fallback.
 *
 * Flash rules: RM0432 §3.3.5 (unlock, error flags), §3.3.6 (page erase),
 * §3.3.7 (standard programming: one 64-bit double-word at a time, two
 * 32-bit writes), protocol-facts E.3. Option bytes are never touched: no
 * OPTKEYR, no OPTSTRT, no OBL_LAUNCH, FLASH_OPTR is only read.
 */
#include "ldr_priv.h"

int ldr_is_queued(uint8_t cmd)
{
	return cmd == LDRW_CMD_ERASE || cmd == LDRW_CMD_WRITE;
}

/*
 * Flash size from the flash size data register (protocol-facts E.1: 0xFFFF
 * means "not programmed", take the largest part, 2 MB); dual-bank mode from
 * FLASH_OPTR: DBANK on 2 MB parts, DB1M on 1 MB parts (E.4). Dual bank:
 * 4 KB pages, two banks of half the flash; single bank: 8 KB pages
 * (RM0432 §3.3.1, protocol-facts C).
 */
void ldr_flash_geometry(struct ldr *L)
{
	uint32_t kb = HW_RD(L, FLASH_SIZE_REG) & 0xFFFFu;
	int dual;

	if (kb == 0 || kb == 0xFFFFu || kb > 2048u)
		kb = 2048u;
	L->optr = HW_RD(L, FLASH_OPTR);
	dual = kb == 2048u ? !!(L->optr & OPTR_DBANK) : kb == 1024u ? !!(L->optr & OPTR_DB1M) : 0;
	L->flash_size = kb * 1024u;
	L->page_size = dual ? 4096u : 8192u;
	L->bank2 = dual ? FLASH_MEM + L->flash_size / 2u : 0;
}

static int in_flash(const struct ldr *L, uint32_t addr, uint32_t len)
{
	return addr >= FLASH_MEM && len <= L->flash_size && addr - FLASH_MEM <= L->flash_size - len;
}

static void set_err(struct ldr *L, uint8_t code, uint8_t seq, uint32_t addr, uint32_t detail)
{
	if (L->err)
		return;
	L->err = code;
	L->err_seq = seq;
	L->err_addr = addr;
	L->err_detail = detail;
}

/* ---- reading flash (CRC, READ): whole words, bytes taken apart --------- */

static uint8_t flash_byte(struct ldr *L, uint32_t a)
{
	return (uint8_t)(HW_RD(L, a & ~3u) >> (8u * (a & 3u)));
}

/* Whole words through the part's CRC unit when it passed its test
 * (ldr_crc_unit_init), else four bytes a step through the slicing tables
 * ("slicing by 4"): reading and summing the flash is what a delta check and
 * a verify cost the part. */
static uint32_t flash_crc(struct ldr *L, uint32_t a, uint32_t n)
{
	const uint32_t *t0 = L->crc_table[0], *t1 = L->crc_table[1];
	const uint32_t *t2 = L->crc_table[2], *t3 = L->crc_table[3];
	uint32_t crc = 0xFFFFFFFFu;
	uint8_t b;

	if (L->crc_unit && !(a & 3u) && !(n & 3u)) {
		HW_WR(L, CRC_CR, CRC_CR_ZLIB | CRC_CR_RESET);
		for (; n; a += 4, n -= 4)
			HW_WR(L, CRC_DR, HW_RD(L, a));
		return ~HW_RD(L, CRC_DR);
	}

	for (; n && (a & 3u); a++, n--) {
		b = flash_byte(L, a);
		crc = ldr_crc_update(L, crc, &b, 1);
	}
	for (; n >= 4; a += 4, n -= 4) {
		crc ^= HW_RD(L, a);
		crc = t3[crc & 0xFFu] ^ t2[(crc >> 8) & 0xFFu] ^ t1[(crc >> 16) & 0xFFu] ^ t0[crc >> 24];
	}
	for (; n; a++, n--) {
		b = flash_byte(L, a);
		crc = ldr_crc_update(L, crc, &b, 1);
	}
	return ~crc;
}

static void tx_flash(struct ldr *L, uint32_t a, uint32_t n)
{
	for (; n; a++, n--) {
		uint8_t b = flash_byte(L, a);
		ldr_tx_bytes(L, &b, 1);
	}
}

/* ---- immediate commands ---------------------------------------------------- */

static void cmd_crc(struct ldr *L, const struct ldr_slot *s)
{
	uint32_t n = s->len / 8u;
	uint8_t h[LDRW_RESP_HDR] = { LDRW_OK, 0, 0, 0 }, c[4];

	if (s->len % 8u || n == 0 || n > LDRW_MAX_RANGES) {
		ldr_send_resp(L, s->seq, LDRW_E_LEN, NULL, 0);
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		if (!in_flash(L, ldr_get32(s->data + 8 * i), ldr_get32(s->data + 8 * i + 4))) {
			ldr_send_resp(L, s->seq, LDRW_E_ADDR, NULL, 0);
			return;
		}
	ldr_tx_begin(L, LDRW_T_RESP, s->seq, (uint16_t)(LDRW_RESP_HDR + 4u * n));
	ldr_tx_bytes(L, h, sizeof(h));
	for (uint32_t i = 0; i < n; i++) {
		ldr_put32(c, flash_crc(L, ldr_get32(s->data + 8 * i), ldr_get32(s->data + 8 * i + 4)));
		ldr_tx_bytes(L, c, 4);
	}
	ldr_tx_end(L);
}

static void cmd_read(struct ldr *L, const struct ldr_slot *s)
{
	uint32_t addr = ldr_get32(s->data), len = ldr_get32(s->data + 4);
	uint8_t h[LDRW_RESP_HDR] = { LDRW_OK, 0, 0, 0 };

	if (s->len != 8u || len > LDRW_DATA_MAX) {
		ldr_send_resp(L, s->seq, LDRW_E_LEN, NULL, 0);
		return;
	}
	if (!in_flash(L, addr, len)) {
		ldr_send_resp(L, s->seq, LDRW_E_ADDR, NULL, 0);
		return;
	}
	ldr_tx_begin(L, LDRW_T_RESP, s->seq, (uint16_t)(LDRW_RESP_HDR + len));
	ldr_tx_bytes(L, h, sizeof(h));
	tx_flash(L, addr, len);
	ldr_tx_end(L);
}

/* ---- baud change --------------------------------------------------------- */

/*
 * USART baud rate generation (RM0432 §50.5.7): OVER8 = 0: baud = fck / USARTDIV, BRR = USARTDIV;
 * OVER8 = 1: baud = 2 fck / USARTDIV, BRR[15:4] = USARTDIV[15:4],
 * BRR[3] = 0, BRR[2:0] = USARTDIV[3:0] >> 1; USARTDIV >= 16 in both.
 * In half clock periods per bit (h) both read h = 2 fck / baud. The
 * kernel clock is not known here (the ROM chose it: contract, uncertain
 * fact 2), but the rate the host speaks at and the BRR the ROM's autobaud
 * set give 2 fck = h x old rate.
 */
static uint32_t half_clocks(uint32_t cr1, uint32_t brr)
{
	if (cr1 & CR1_OVER8)
		return (brr & 0xFFF0u) | ((brr & 7u) << 1);
	return 2u * brr;
}

struct baud_plan {
	uint32_t brr, cr1, actual, need;
};

/* 0: the USART cannot make `rate` within 1/LDR_BAUD_TOL_DIV. 2 fck fits 32
 * bits for any kernel clock below 2 GHz, so no 64-bit division is needed. */
static int baud_plan(uint32_t cr1, uint32_t brr, uint32_t old, uint32_t rate, struct baud_plan *p)
{
	uint32_t h = half_clocks(cr1, brr), two_fck, div, dev;

	p->need = 0;
	if (!h || h > 0xFFFFFFFFu / old || rate > 0x7FFFFFFFu)
		return 0;
	two_fck = h * old;
	div = two_fck / (2u * rate);              /* round(fck / rate) */
	if (two_fck % (2u * rate) >= rate)
		div++;
	p->need = div;
	/* With the FIFO, eight characters may arrive while the loader builds
	 * an answer or starts a flash operation; at high rates a single RDR
	 * overruns (ORE, §50.5.8) after one character time. */
	if (div >= 16u && div <= 0xFFFFu) {
		p->brr = div;
		p->cr1 = (cr1 & ~CR1_OVER8) | CR1_FIFOEN;
	} else if (div >= 8u && div < 16u) {
		uint32_t u = 2u * div;     /* USARTDIV with OVER8: even, >= 16 */
		p->brr = (u & 0xFFF0u) | ((u & 0xFu) >> 1);
		p->cr1 = cr1 | CR1_OVER8 | CR1_FIFOEN;
	} else {
		return 0;
	}
	p->actual = (two_fck / div + 1u) / 2u;
	dev = p->actual > rate ? p->actual - rate : rate - p->actual;
	return dev <= rate / LDR_BAUD_TOL_DIV;
}

static void cmd_baud(struct ldr *L, const struct ldr_slot *s)
{
	uint32_t old = ldr_get32(s->data), rate = ldr_get32(s->data + 4);
	uint32_t cr1 = HW_RD(L, L->usart + USART_CR1), brr = HW_RD(L, L->usart + USART_BRR) & 0xFFFFu;
	struct baud_plan p;
	uint8_t d[12];

	if (s->len != 8u || !old || !rate) {
		ldr_send_resp(L, s->seq, LDRW_E_LEN, NULL, 0);
		return;
	}
	if (!baud_plan(cr1, brr, old, rate, &p)) {
		ldr_put32(d, p.need);
		ldr_send_resp(L, s->seq, LDRW_E_BAUD, d, 4);
		return;
	}
	ldr_put32(d, p.brr);
	ldr_put32(d + 4, p.actual);
	ldr_put32(d + 8, p.cr1);
	ldr_send_resp(L, s->seq, LDRW_OK, d, sizeof(d));
	L->old_brr = brr;
	L->old_cr1 = cr1;
	L->new_brr = p.brr;
	L->new_cr1 = p.cr1;
	L->baud_state = BAUD_SWITCH;   /* once the answer has left the USART */
}

/* BRR, OVER8 and FIFOEN may be written only while UE = 0 (RM0432 §50.8.1
 * USART_CR1, §50.8.4 USART_BRR). TE and RE stay set; TEACK/REACK
 * say the USART is back (bounded wait: not every model sets them). */
static void usart_set(struct ldr *L, uint32_t brr, uint32_t cr1)
{
	uint32_t u = L->usart;

	HW_WR(L, u + USART_CR1, HW_RD(L, u + USART_CR1) & ~CR1_UE);
	HW_WR(L, u + USART_BRR, brr);
	HW_WR(L, u + USART_CR1, cr1 & ~CR1_UE);
	HW_WR(L, u + USART_CR1, cr1 | CR1_UE);
	for (int i = 0; i < 1000; i++)
		if ((HW_RD(L, u + USART_ISR) & (ISR_TEACK | ISR_REACK)) == (ISR_TEACK | ISR_REACK))
			break;
	L->rx_state = 0;   /* RX_HUNT: what was half received is gone */
}

void ldr_baud_poll(struct ldr *L)
{
	if (L->baud_state != BAUD_SWITCH || !ldr_tx_idle(L))
		return;
	usart_set(L, L->new_brr, L->new_cr1);
	L->baud_state = BAUD_TENTATIVE;
	L->garbage = 0;
	L->confirmed = 0;
}

/* Noise at the new rate before the handshake completed: the host is still
 * (or again) at the old rate. Go back to it. */
void ldr_baud_noise(struct ldr *L)
{
	if (L->baud_state != BAUD_TENTATIVE || ++L->garbage < LDR_BAUD_GARBAGE)
		return;
	L->tx_tail = L->tx_head;    /* anything queued at the new rate is lost anyway */
	usart_set(L, L->old_brr, L->old_cr1);
	L->baud_state = BAUD_IDLE;
}

/* The first new frame after CONFIRM proves the host heard the answer. */
void ldr_baud_good_frame(struct ldr *L, uint8_t cmd)
{
	(void)cmd;
	if (L->baud_state == BAUD_TENTATIVE && L->confirmed)
		L->baud_state = BAUD_IDLE;
}

void ldr_exec_immediate(struct ldr *L, struct ldr_slot *s)
{
	switch (s->cmd) {
	case LDRW_CMD_IDENTIFY:
		ldr_send_info(L, LDRW_T_RESP, s->seq);
		return;
	case LDRW_CMD_BAUD:
		cmd_baud(L, s);
		return;
	case LDRW_CMD_CONFIRM:
		if (L->baud_state == BAUD_TENTATIVE)
			L->confirmed = 1;
		ldr_send_resp(L, s->seq, LDRW_OK, NULL, 0);
		return;
	case LDRW_CMD_CRC:
		cmd_crc(L, s);
		return;
	case LDRW_CMD_READ:
		cmd_read(L, s);
		return;
	case LDRW_CMD_RESET:
		ldr_send_resp(L, s->seq, LDRW_OK, NULL, 0);
		L->reset_pending = 1;      /* once the answer has left */
		return;
	default:
		ldr_send_resp(L, s->seq, LDRW_E_CMD, NULL, 0);
		return;
	}
}

/* ---- flash sequencer ------------------------------------------------------ */

/*
 * Clear the error flags (and EOP) that are set, by writing 1 to exactly
 * those (RM0432 §3.7.5, rc_w1). Bits written 0 are left alone under that
 * reading; PEMPTY (bit 17) is never written 1.
 */
static void flash_clear(struct ldr *L)
{
	uint32_t f = HW_RD(L, FLASH_SR) & (SR_ERRORS | SR_EOP);

	if (f)
		HW_WR(L, FLASH_SR, f);
}

/* RM0432 §3.3.5: KEY1 then KEY2 into FLASH_KEYR unlocks FLASH_CR until the
 * next reset or LOCK; only when locked (a second key sequence would lock
 * it for good and fault). */
static int flash_unlock(struct ldr *L)
{
	if (HW_RD(L, FLASH_CR) & CR_LOCK) {
		HW_WR(L, FLASH_KEYR, FLASH_KEY1);
		HW_WR(L, FLASH_KEYR, FLASH_KEY2);
	}
	return !(HW_RD(L, FLASH_CR) & CR_LOCK);
}

/* The data cache may hold words of a page read before it was erased
 * (RM0432 §3.3.4; the HAL resets it after every erase): reset it, if on. */
static void dcache_reset(struct ldr *L)
{
	uint32_t acr = HW_RD(L, FLASH_ACR);

	if (!(acr & ACR_DCEN))
		return;
	HW_WR(L, FLASH_ACR, acr & ~ACR_DCEN);
	HW_WR(L, FLASH_ACR, (acr & ~ACR_DCEN) | ACR_DCRST);
	HW_WR(L, FLASH_ACR, acr & ~(ACR_DCEN | ACR_DCRST));
	HW_WR(L, FLASH_ACR, acr);
}

static void fail(struct ldr *L, const struct ldr_slot *s, uint8_t code, uint32_t addr, uint32_t detail)
{
	set_err(L, code, s->seq, addr, detail);
}

/* Check the operation's payload before the first register is touched. */
static int op_valid(struct ldr *L, const struct ldr_slot *s)
{
	uint32_t addr = ldr_get32(s->data), len = ldr_get32(s->data + 4);

	if (s->cmd == LDRW_CMD_WRITE) {
		len = s->len >= 8u ? s->len - 8u : 0;
		if (s->len < 16u || len % 8u) {
			fail(L, s, LDRW_E_LEN, addr, s->len);
			return 0;
		}
		if (addr % 8u) {
			fail(L, s, LDRW_E_ALIGN, addr, 8);
			return 0;
		}
	} else if (s->len != 8u || len == 0 || addr % L->page_size || len % L->page_size) {
		fail(L, s, s->len != 8u ? LDRW_E_LEN : LDRW_E_ALIGN, addr, L->page_size);
		return 0;
	}
	if (!in_flash(L, addr, len)) {
		fail(L, s, LDRW_E_ADDR, addr, len);
		return 0;
	}
	return 1;
}

/* Unlock, clear what earlier operations left in FLASH_SR (§3.3.6/§3.3.7
 * step 2), and for a write set PG once for all its double-words. */
static int op_start(struct ldr *L, const struct ldr_slot *s)
{
	if (!op_valid(L, s))
		return 0;
	if (!flash_unlock(L)) {
		fail(L, s, LDRW_E_LOCKED, ldr_get32(s->data), HW_RD(L, FLASH_CR));
		return 0;
	}
	L->x_addr = ldr_get32(s->data);
	L->x_flags = s->cmd == LDRW_CMD_WRITE ? ldr_get32(s->data + 4) : 0;
	L->x_len = s->cmd == LDRW_CMD_WRITE ? (uint32_t)s->len - 8u : ldr_get32(s->data + 4);
	L->x_data = s->data + 8;
	flash_clear(L);
	if (s->cmd == LDRW_CMD_WRITE)
		HW_WR(L, FLASH_CR, (HW_RD(L, FLASH_CR) & ~CR_PER) | CR_PG);
	L->x_started = 1;
	return 1;
}

/* Address of the double-word or page the last started step worked on. */
static uint32_t step_addr(const struct ldr *L, const struct ldr_slot *s)
{
	uint32_t unit = s->cmd == LDRW_CMD_WRITE ? 8u : L->page_size;

	return L->x_addr + (L->x_pos >= unit ? L->x_pos - unit : 0);
}

static void op_end(struct ldr *L)
{
	HW_WR(L, FLASH_CR, HW_RD(L, FLASH_CR) & ~(CR_PG | CR_PER));
}

/*
 * §3.3.7 standard programming: with PG set, the double-word as two word
 * writes, first the lower address; BSY, then the error flags, are checked
 * before the next (ldr_flash_step). All-0xFF double-words need no
 * programming on erased flash and are skipped when the host says so.
 * Between two double-words nothing else is read or written: the time the
 * flash waits for the loader is lost to every double-word.
 */
static int write_step(struct ldr *L)
{
	for (int k = 0; k < 32 && L->x_pos < L->x_len; k++) {
		uint32_t w[2], a = L->x_addr + L->x_pos;

		__builtin_memcpy(w, L->x_data + L->x_pos, 8);   /* slot data is 4-aligned */
		L->x_pos += 8u;
		if ((L->x_flags & LDRW_WF_SKIP_ERASED) && (w[0] & w[1]) == 0xFFFFFFFFu)
			continue;
		HW_WR(L, a, w[0]);
		HW_WR(L, a + 4u, w[1]);
		L->x_busy = 1;
		return 0;
	}
	if (L->x_pos < L->x_len)
		return 0;
	op_end(L);
	return 1;
}

/* §3.3.6 page erase: PER with PNB and BKER (bank 2 in dual-bank mode;
 * always 0 in single-bank mode), then STRT. */
static int erase_step(struct ldr *L)
{
	uint32_t a = L->x_addr + L->x_pos, off = a - FLASH_MEM, bank = 0, cr;

	if (L->x_pos >= L->x_len) {
		op_end(L);
		dcache_reset(L);
		return 1;
	}
	if (L->bank2 && a >= L->bank2) {
		bank = 1;
		off = a - L->bank2;
	}
	cr = HW_RD(L, FLASH_CR) & ~(CR_PG | CR_PER | CR_PNB_MASK | CR_BKER);
	cr |= CR_PER | (off / L->page_size) << CR_PNB_SHIFT | (bank ? CR_BKER : 0);
	HW_WR(L, FLASH_CR, cr);
	HW_WR(L, FLASH_CR, cr | CR_STRT);
	L->x_pos += L->page_size;
	L->x_busy = 1;
	return 0;
}

/* BSY over: 0, or 1 after reporting the error bits it left (§3.7.5). */
static int flash_done(struct ldr *L, const struct ldr_slot *s, uint32_t sr)
{
	L->x_busy = 0;
	if (!(sr & SR_ERRORS))
		return 0;
	/* every error bit goes to the host, then a clean state */
	fail(L, s, LDRW_E_FLASH, step_addr(L, s), sr & SR_ERRORS);
	flash_clear(L);
	op_end(L);
	return 1;
}

int ldr_flash_step(struct ldr *L, struct ldr_slot *s)
{
	if (L->err)
		return 1;   /* aborted: STATUS keeps reporting the first failure */
	if (!L->x_started) {
		/* §3.3.6/§3.3.7 step 1: no flash operation ongoing */
		if (HW_RD(L, FLASH_SR) & SR_BSY)
			return 0;
		if (!op_start(L, s))
			return 1;
	}
	if (L->x_busy) {
		uint32_t sr = HW_RD(L, FLASH_SR);

		/* the main loop runs meanwhile: the line, the transmitter. Between
		 * two double-words that costs the flash one trip round the loop
		 * (a few microseconds at 16 MHz, against 0.1 ms of programming) */
		if (sr & SR_BSY)
			return 0;
		if (flash_done(L, s, sr))
			return 1;
	}
	return s->cmd == LDRW_CMD_WRITE ? write_step(L) : erase_step(L);
}
