/* SPDX-License-Identifier: MIT */
/*
 * an3155_dev_erase43.c - the legacy Erase command 0x43 of the protocol
 * v2.x ROMs (STM32F1: devtable.c), which list it instead of Extended Erase
 * (protocol-facts A.4: mutually exclusive). Frame (A.5 Erase row): after
 * the opcode's ACK either "FF 00" (global erase) or "N p0 .. pN X", N + 1
 * one-byte page numbers (N <= 254) and X the XOR of N and the pages; ACK
 * when done. Pages are linear as in Extended Erase.
 */
#include "an3155_dev_priv.h"
#include "part.h"

static void e43_global(struct an3155dev *d)
{
	int st;

	if (d->buf[0] != 0x00) {   /* the checksum of "FF" alone */
		adev_fail(d, "global: bad checksum 0x%02X", d->buf[0]);
		return;
	}
	if (adev_late_nack(d))
		return;
	st = board_mass_erase(d->b, 0);
	if (st != BOARD_OK) {
		adev_fail(d, "global: %s", board_status_str(st));
		return;
	}
	adev_ack(d);
	adev_finish(d, true, "legacy-erase all: ack");
}

static uint32_t e43_page(const struct an3155dev *d, size_t i)
{
	return d->buf[i];
}

static void e43_pages(struct an3155dev *d)
{
	size_t count = (size_t)d->n + 1;

	if ((uint8_t)(d->n ^ adev_xor(d->buf, count)) != d->buf[count]) {
		adev_fail(d, "%zu pages: bad checksum", count);
		return;
	}
	if (adev_late_nack(d))
		return;
	adev_erase_pages(d, count, e43_page, true);
}

static void e43_count(struct an3155dev *d)
{
	d->n = d->buf[0];
	if (d->n == 0xFF)
		adev_expect(d, 1, e43_global);
	else
		adev_expect(d, d->n + 2u, e43_pages);   /* pages, then the checksum */
}

void adev_cmd_erase43(struct an3155dev *d)
{
	adev_ack(d);
	adev_expect(d, 1, e43_count);
}
