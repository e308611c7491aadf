/* SPDX-License-Identifier: MIT */
/*
 * dfu_desc.c - descriptors, strings and standard requests of the modelled
 * L4R5 ROM DFU device (protocol-facts B.1, usb-anchors 4.2).
 */
#include <stdio.h>
#include <string.h>

#include "dfu_dev_priv.h"

#define UID_ADDR 0x1FFF7590u   /* 96-bit unique ID (protocol-facts E.1) */
#define FLASH_BASE 0x08000000u

/* Stand-in when the board will not show its UID (INF: any fixed value). */
static const uint8_t default_uid[12] = {
	0x35, 0x00, 0x2F, 0x00, 0x10, 0x51, 0x38, 0x34, 0x31, 0x39, 0x36, 0x38,
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * 12 hex digits from the UID (protocol-facts B.1: "derived from the UID —
 * INF"). We use ST's USB device library derivation (UID0 + UID2 as 8
 * digits, the top 16 bits of UID1 as 4), and add index - 1 to the first
 * part so that several boards sharing one UID still enumerate with
 * distinct serials; device 1 keeps the plain derivation.
 */
static void make_serial(struct dfu_dev *d)
{
	uint8_t uid[12];
	uint32_t s0, s1;

	if (board_read(d->b, UID_ADDR, uid, sizeof(uid)) != BOARD_OK)
		memcpy(uid, default_uid, sizeof(uid));
	s0 = le32(uid) + le32(uid + 8);
	if (d->cfg.index > 1)
		s0 += d->cfg.index - 1;
	s1 = le32(uid + 4);
	snprintf(d->serial, sizeof(d->serial), "%08X%04X", (unsigned)s0, (unsigned)(s1 >> 16));
}

/*
 * Alt 0 follows the geometry in force: dual-bank "512*0004Kg" is the
 * captured L4R5 string (B.1, C2); single-bank "256*0008Kg" is INF (B.1:
 * "single-bank string not found"), built with the same zero padding.
 */
static void make_layouts(struct dfu_dev *d)
{
	snprintf(d->layout[0], sizeof(d->layout[0]), "@Internal Flash  /0x%08X/%03u*%04uKg",
		 FLASH_BASE, (unsigned)board_page_count(d->b),
		 (unsigned)(board_page_size(d->b) / 1024));
	snprintf(d->layout[1], sizeof(d->layout[1]), "%s",
		 "@Option Bytes  /0x1FF00000/01*040 e/0x1FF01000/01*040 e");
	snprintf(d->layout[2], sizeof(d->layout[2]), "%s", "@OTP Memory /0x1FFF7000/01*0001Ke");
}

void dfu_desc_init(struct dfu_dev *d)
{
	make_serial(d);
	make_layouts(d);
}

/*
 * Device descriptor: bcdUSB 0x0100 and bMaxPacketSize0 64 as dumped from
 * bcdDevice-0x2200 ROMs (usb-anchors 4.2); 0483:DF11, bcdDevice 0x2200
 * (B.1); strings 1, 2, 3; one configuration.
 */
static const uint8_t device_desc[18] = {
	18, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 64,
	0x83, 0x04, 0x11, 0xDF, 0x00, 0x22, 1, 2, 3, 1,
};

/* DFU functional descriptor (B.1): download, upload, will-detach; detach
 * timeout 255 ms; wTransferSize 2048; bcdDFUVersion 0x011A. */
static const uint8_t func_desc[9] = { 9, 0x21, 0x0B, 0xFF, 0x00, 0x00, 0x08, 0x1A, 0x01 };

#define CONFIG_LEN (9 + 9 * DFU_NUM_ALTS + 9)

/* Configuration 1: interface 0 in three alt settings, class FE/01/02 (DFU
 * mode, no endpoints; B.1), then the functional descriptor. bmAttributes
 * 0xC0, self-powered, as captured 0x2200 ROMs report (issue 8 item 7);
 * bMaxPower 100 mA: INF. */
#define ROM_BM_ATTRIBUTES 0xC0

static size_t config_desc(uint8_t *out)
{
	static const uint8_t head[9] = { 9, 0x02, CONFIG_LEN, 0, 1, 1, 0, ROM_BM_ATTRIBUTES, 50 };
	size_t n = 0;

	memcpy(out, head, sizeof(head));
	n += sizeof(head);
	for (unsigned alt = 0; alt < DFU_NUM_ALTS; alt++) {
		const uint8_t intf[9] = { 9, 0x04, 0, (uint8_t)alt, 0, 0xFE, 0x01, 0x02,
					  (uint8_t)(DFU_STR_ALT0 + alt) };
		memcpy(out + n, intf, sizeof(intf));
		n += sizeof(intf);
	}
	memcpy(out + n, func_desc, sizeof(func_desc));
	return n + sizeof(func_desc);
}

/* ---- the application's personality (dfu_dev_config.app_dfu) ---- */

/*
 * A user application offering a DFU run-time interface (DFU 1.1 §4.1, as
 * TinyUSB's or ST's USB device library's DFU run-time class do): device
 * app_vid:app_pid, bcdDevice 0x0100, one configuration with interface 0,
 * class FE/01/01, no endpoints, and a functional descriptor saying it can
 * download, with wDetachTimeOut 1000 ms, and that it detaches by itself
 * (bitWillDetach) unless app_waits_reset.
 */
#define APP_CONFIG_LEN (9 + 9 + 9)

static void app_device_desc(const struct dfu_dev *d, uint8_t out[18])
{
	const uint8_t desc[18] = {
		18, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 64,
		(uint8_t)d->cfg.app_vid, (uint8_t)(d->cfg.app_vid >> 8),
		(uint8_t)d->cfg.app_pid, (uint8_t)(d->cfg.app_pid >> 8), 0x00, 0x01, 1, 2, 3, 1,
	};
	memcpy(out, desc, sizeof(desc));
}

static void app_func_desc(const struct dfu_dev *d, uint8_t out[9])
{
	/* bitCanDnload, and bitWillDetach unless it waits for a USB reset */
	const uint8_t desc[9] = { 9, 0x21, d->cfg.app_waits_reset ? 0x01 : 0x09, 0xE8, 0x03,
				  0x00, 0x08, 0x1A, 0x01 };
	memcpy(out, desc, sizeof(desc));
}

static size_t app_config_desc(const struct dfu_dev *d, uint8_t *out)
{
	static const uint8_t head[9] = { 9, 0x02, APP_CONFIG_LEN, 0, 1, 1, 0, 0x80, 50 };
	static const uint8_t intf[9] = { 9, 0x04, 0, 0, 0, 0xFE, 0x01, 0x01, DFU_STR_ALT0 };

	memcpy(out, head, sizeof(head));
	memcpy(out + 9, intf, sizeof(intf));
	app_func_desc(d, out + 18);
	return APP_CONFIG_LEN;
}

/* ---- both personalities ---- */

size_t dfu_dev_descriptors(const struct dfu_dev *d, uint8_t *buf, size_t cap)
{
	uint8_t all[sizeof(device_desc) + CONFIG_LEN];
	size_t n;

	if (d->as_app) {
		app_device_desc(d, all);
		n = sizeof(device_desc) + app_config_desc(d, all + sizeof(device_desc));
	} else {
		memcpy(all, device_desc, sizeof(device_desc));
		n = sizeof(device_desc) + config_desc(all + sizeof(device_desc));
	}
	if (n > cap)
		n = cap;
	memcpy(buf, all, n);
	return n;
}

void dfu_dev_ids(const struct dfu_dev *d, uint16_t *vid, uint16_t *pid, uint16_t *bcd)
{
	*vid = d->as_app ? d->cfg.app_vid : 0x0483;
	*pid = d->as_app ? d->cfg.app_pid : 0xDF11;
	*bcd = d->as_app ? 0x0100 : 0x2200;
}

const char *dfu_dev_manufacturer(const struct dfu_dev *d)
{
	return d->as_app ? "stmboot" : "STMicroelectronics";
}

/* Two spaces, as captured (B.1). */
const char *dfu_dev_product(const struct dfu_dev *d)
{
	return d->as_app ? "romsim application (DFU run-time)" : "STM32  BOOTLOADER";
}

const char *dfu_dev_serial(const struct dfu_dev *d)
{
	return d->serial;
}

const char *dfu_dev_alt_name(const struct dfu_dev *d, unsigned alt)
{
	if (d->as_app)
		return alt == 0 ? "DFU run-time" : NULL;
	return alt < DFU_NUM_ALTS ? d->layout[alt] : NULL;
}

static const char *string_of(const struct dfu_dev *d, unsigned idx)
{
	switch (idx) {
	case 1: return dfu_dev_manufacturer(d);
	case 2: return dfu_dev_product(d);
	case 3: return dfu_dev_serial(d);
	default: return dfu_dev_alt_name(d, idx - DFU_STR_ALT0);
	}
}

/* String descriptor idx in UTF-16LE; index 0 is the language list (0x0409). */
static int string_desc(const struct dfu_dev *d, unsigned idx, uint8_t *out, size_t cap)
{
	uint8_t tmp[2 + 2 * 64];
	const char *s;
	size_t n;

	if (idx == 0) {
		const uint8_t langs[4] = { 4, 0x03, 0x09, 0x04 };
		n = cap < 4 ? cap : 4;
		memcpy(out, langs, n);
		return (int)n;
	}
	s = string_of(d, idx);
	if (!s)
		return DFU_DEV_STALL;
	n = 2;
	for (; *s && n + 2 <= sizeof(tmp); s++) {
		tmp[n++] = (uint8_t)*s;
		tmp[n++] = 0;
	}
	tmp[0] = (uint8_t)n;
	tmp[1] = 0x03;
	if (n > cap)
		n = cap;
	memcpy(out, tmp, n);
	return (int)n;
}

static int copy_out(uint8_t *out, size_t cap, const uint8_t *src, size_t n)
{
	if (n > cap)
		n = cap;
	memcpy(out, src, n);
	return (int)n;
}

static int get_descriptor(struct dfu_dev *d, const struct dfu_setup *s, uint8_t *data)
{
	uint8_t cfg[CONFIG_LEN], dev[sizeof(device_desc)];
	unsigned type = s->wValue >> 8, idx = s->wValue & 0xFF;

	switch (type) {
	case 0x01:
		if (d->as_app)
			app_device_desc(d, dev);
		else
			memcpy(dev, device_desc, sizeof(dev));
		return copy_out(data, s->wLength, dev, sizeof(dev));
	case 0x02:
		if (idx != 0)
			return DFU_DEV_STALL;
		return copy_out(data, s->wLength, cfg, d->as_app ? app_config_desc(d, cfg) : config_desc(cfg));
	case 0x03:
		return string_desc(d, idx, data, s->wLength);
	case 0x21:  /* DFU functional descriptor, also asked of the interface */
		if (d->as_app) {
			app_func_desc(d, dev);
			return copy_out(data, s->wLength, dev, 9);
		}
		return copy_out(data, s->wLength, func_desc, sizeof(func_desc));
	default:
		return DFU_DEV_STALL;
	}
}

/* Standard requests (USB 2.0 §9.4) the ROM needs to answer. */
int dfu_desc_standard(struct dfu_dev *d, const struct dfu_setup *s, uint8_t *data)
{
	const uint8_t zero[2] = { 0, 0 }, self_powered[2] = { 1, 0 };

	switch (s->bRequest) {
	case 0x06:  /* GET_DESCRIPTOR */
		if (!(s->bmRequestType & 0x80))
			return DFU_DEV_STALL;
		return get_descriptor(d, s, data);
	case 0x00:  /* GET_STATUS: no remote wakeup, no halt; the device's self-powered
		     * bit as its bmAttributes says (USB 2.0 §9.4.5) */
		if (!(s->bmRequestType & 0x80))
			return DFU_DEV_STALL;
		if ((s->bmRequestType & 0x1F) == 0 && !d->as_app)
			return copy_out(data, s->wLength, self_powered, 2);
		return copy_out(data, s->wLength, zero, 2);
	case 0x08:  /* GET_CONFIGURATION */
		return s->wLength ? copy_out(data, s->wLength, &d->config, 1) : 0;
	case 0x09:  /* SET_CONFIGURATION */
		return dfu_dev_set_config(d, s->wValue);
	case 0x0A: {  /* GET_INTERFACE */
		const uint8_t alt = (uint8_t)d->alt;
		return s->wIndex == 0 ? copy_out(data, s->wLength, &alt, 1) : DFU_DEV_STALL;
	}
	case 0x0B:  /* SET_INTERFACE */
		return dfu_dev_set_alt(d, s->wIndex, s->wValue);
	default:
		return DFU_DEV_STALL;
	}
}
