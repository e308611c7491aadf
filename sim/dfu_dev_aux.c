/* SPDX-License-Identifier: MIT */
/*
 * dfu_dev_aux.c - the fault-spec parser and the direct sb_usb binding of
 * the DfuSe device model (dfu_dev.h).
 */
#include <stdlib.h>
#include <string.h>

#include "dfu_dev_priv.h"
#include "sb_err.h"

/* "NAME=NUMBER" or "NAME": *val gets the number (0 when absent). */
static int parse_item(const char *item, size_t len, char *name, size_t cap, unsigned long *val)
{
	const char *eq = memchr(item, '=', len);
	size_t nlen = eq ? (size_t)(eq - item) : len;
	char num[16], *end;

	if (nlen == 0 || nlen >= cap)
		return -1;
	memcpy(name, item, nlen);
	name[nlen] = '\0';
	*val = 0;
	if (!eq)
		return 0;
	len -= nlen + 1;
	if (len == 0 || len >= sizeof(num))
		return -1;
	memcpy(num, eq + 1, len);
	num[len] = '\0';
	*val = strtoul(num, &end, 10);
	return *end ? -1 : 0;
}

static int apply_item(struct dfu_dev_faults *f, const char *name, unsigned long v)
{
	if (!strcmp(name, "stall") && v <= 100)
		f->stall_pct = (unsigned)v;
	else if (!strcmp(name, "status") && v <= 100)
		f->status_pct = (unsigned)v;
	else if (!strcmp(name, "busystall") && v <= 1000)
		f->busy_stalls = (unsigned)v;
	else if (!strcmp(name, "vanish") && v > 0 && v <= 100000000ul)
		f->vanish_at = (unsigned)v;
	else if (!strcmp(name, "starterr") && v == 0)
		f->start_error = true;
	else if (!strcmp(name, "none") && v == 0)
		;
	else
		return -1;
	return 0;
}

int dfu_dev_parse_faults(const char *spec, struct dfu_dev_faults *out)
{
	uint32_t seed = out->seed;

	memset(out, 0, sizeof(*out));
	out->seed = seed;
	while (spec && *spec) {
		size_t len = strcspn(spec, ",");
		char name[16];
		unsigned long v;

		if (parse_item(spec, len, name, sizeof(name), &v) || apply_item(out, name, v))
			return -1;
		spec += len;
		if (*spec == ',')
			spec++;
	}
	return 0;
}

/* ---- sb_usb ops straight onto the model ---- */

static int op_control(void *h, uint8_t bmRequestType, uint8_t bRequest, uint16_t wValue,
		      uint16_t wIndex, uint8_t *buf, uint16_t wLength, unsigned timeout_ms)
{
	const struct dfu_setup s = { bmRequestType, bRequest, wValue, wIndex, wLength };
	uint8_t scratch[DFU_XFER_SIZE];
	int r;

	(void)timeout_ms;
	if (wLength > sizeof(scratch))
		return SB_ERR_IO;
	if (!(bmRequestType & 0x80) && wLength)
		memcpy(scratch, buf, wLength);
	r = dfu_dev_control(h, &s, scratch, 0, NULL);
	if (r == DFU_DEV_STALL)
		return SB_ERR_NACK;
	if (r == DFU_DEV_GONE)
		return SB_ERR_NO_DEVICE;
	if ((bmRequestType & 0x80) && r > 0)
		memcpy(buf, scratch, (size_t)r);
	return r;
}

static int op_set_alt(void *h, int interface, int alt)
{
	int r;

	if (interface < 0 || alt < 0)
		return SB_ERR_BAD_INPUT;
	r = dfu_dev_set_alt(h, (unsigned)interface, (unsigned)alt);
	if (r == DFU_DEV_GONE)
		return SB_ERR_NO_DEVICE;
	return r == 0 ? SB_OK : SB_ERR_NACK;
}

static const struct sb_usb_ops model_ops = {
	.control = op_control,
	.set_alt = op_set_alt,
	.sleep_ms = NULL,
	.now_ms = NULL,
	.close = NULL,
};

void dfu_dev_sb_usb(struct dfu_dev *d, struct sb_usb *usb)
{
	usb->ops = &model_ops;
	usb->h = d;
}
