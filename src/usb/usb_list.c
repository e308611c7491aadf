/* SPDX-License-Identifier: MIT */
/*
 * usb_list.c - finding and describing DFU-mode interfaces with libusb.
 */
#include "usb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* DFU mode: class 0xFE, subclass 1, protocol 2 (protocol-facts B.1); run-time: protocol 1. */
enum { DFU_CLASS = 0xFE, DFU_SUBCLASS = 0x01, DFU_PROTO_RUNTIME = 0x01, DFU_PROTO_DFU_MODE = 0x02 };
enum { DT_DFU_FUNCTIONAL = 0x21 };

_Static_assert(sizeof(((struct sb_usb_device *)0)->strings_msg) ==
		       sizeof(((struct sb_diag *)0)->msg),
	       "strings_msg holds a whole diag message");

/* ---- descriptors ---------------------------------------------------------------- */

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/*
 * The DFU functional descriptor among the descriptors in p (an interface's
 * or a configuration's "extra" bytes). 7 bytes is DFU 1.0 (no bcdDFU).
 */
static bool parse_func(const unsigned char *p, int len, struct sb_usb_dfu_func *f)
{
	for (int i = 0; i + 2 <= len && p[i] >= 2; i += p[i]) {
		if (p[i + 1] != DT_DFU_FUNCTIONAL || p[i] < 7 || i + p[i] > len)
			continue;
		f->present = true;
		f->attributes = p[i + 2];
		f->detach_timeout_ms = le16(p + i + 3);
		f->transfer_size = le16(p + i + 5);
		f->bcd_dfu = p[i] >= 9 ? le16(p + i + 7) : 0;
		return true;
	}
	return false;
}

static bool is_dfu(const struct libusb_interface_descriptor *a, bool runtime)
{
	return a->bInterfaceClass == DFU_CLASS && a->bInterfaceSubClass == DFU_SUBCLASS &&
	       a->bInterfaceProtocol == (runtime ? DFU_PROTO_RUNTIME : DFU_PROTO_DFU_MODE);
}

/* The first DFU interface (d->runtime: run-time, else DFU mode) of one
 * configuration: its alts (string indexes in istr). */
static bool scan_config(const struct libusb_config_descriptor *cfg, struct sb_usb_device *d,
			uint8_t *istr)
{
	for (int i = 0; i < cfg->bNumInterfaces; i++) {
		const struct libusb_interface *in = &cfg->interface[i];
		for (int j = 0; j < in->num_altsetting; j++) {
			const struct libusb_interface_descriptor *a = &in->altsetting[j];
			if (!is_dfu(a, d->runtime) || d->nalts >= SB_USB_MAX_ALTS)
				continue;
			if (d->nalts && a->bInterfaceNumber != d->interface)
				continue;
			d->interface = a->bInterfaceNumber;
			d->alts[d->nalts].alt = a->bAlternateSetting;
			istr[d->nalts++] = a->iInterface;
			if (!d->func.present)
				parse_func(a->extra, a->extra_length, &d->func);
		}
	}
	if (d->nalts && !d->func.present)
		parse_func(cfg->extra, cfg->extra_length, &d->func);
	return d->nalts > 0;
}

static bool find_dfu_interface(libusb_device *dev, uint8_t nconfigs, struct sb_usb_device *d,
			       uint8_t *istr)
{
	for (uint8_t c = 0; c < nconfigs; c++) {
		struct libusb_config_descriptor *cfg;
		bool found;
		if (libusb_get_config_descriptor(dev, c, &cfg) < 0)
			continue;
		found = scan_config(cfg, d, istr);
		if (found)
			d->config = cfg->bConfigurationValue;
		libusb_free_config_descriptor(cfg);
		if (found)
			return true;
	}
	return false;
}

static void port_path(libusb_device *dev, char *buf, size_t len)
{
	uint8_t ports[8];
	int n = libusb_get_port_numbers(dev, ports, (int)sizeof(ports));
	size_t k = (size_t)snprintf(buf, len, "%u", libusb_get_bus_number(dev));

	for (int i = 0; i < n && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%c%u", i ? '.' : '-', ports[i]);
}

/* ---- strings ---------------------------------------------------------------------- */

/*
 * A string descriptor as ASCII ('?' for anything else). Uses the bytes
 * actually received: the STM32F427 ROM sends truncated descriptors
 * (usb-anchors 1.3), so bLength is not trusted beyond them.
 */
static void read_string(libusb_device_handle *h, uint16_t lang, uint8_t idx, char *out,
			size_t len)
{
	unsigned char b[255];
	int rc, n;
	size_t o = 0;

	out[0] = '\0';
	if (!idx)
		return;
	rc = libusb_get_string_descriptor(h, idx, lang, b, (int)sizeof(b));
	if (rc < 2 || b[1] != LIBUSB_DT_STRING)
		return;
	n = b[0] < rc ? b[0] : rc;
	for (int i = 2; i + 1 < n && o + 1 < len; i += 2)
		out[o++] = (char)(b[i + 1] == 0 && b[i] >= 0x20 && b[i] < 0x7F ? b[i] : '?');
	out[o] = '\0';
}

static uint16_t first_langid(libusb_device_handle *h)
{
	unsigned char b[8];
	int rc = libusb_get_string_descriptor(h, 0, 0, b, (int)sizeof(b));

	return rc >= 4 ? le16(b + 2) : 0x0409;
}

static void read_strings(libusb_device_handle *h, const struct libusb_device_descriptor *dd,
			 struct sb_usb_device *d, const uint8_t *istr)
{
	uint16_t lang = first_langid(h);
	unsigned char fd[9];

	read_string(h, lang, dd->iManufacturer, d->manufacturer, sizeof(d->manufacturer));
	read_string(h, lang, dd->iProduct, d->product, sizeof(d->product));
	read_string(h, lang, dd->iSerialNumber, d->serial, sizeof(d->serial));
	for (size_t i = 0; i < d->nalts; i++)
		read_string(h, lang, istr[i], d->alts[i].name, sizeof(d->alts[i].name));
	/* not among the configuration's descriptors: ask for it (DFU 1.1 §4.2.4) */
	if (!d->func.present) {
		int rc = libusb_get_descriptor(h, DT_DFU_FUNCTIONAL, 0, fd, (int)sizeof(fd));
		if (rc > 0)
			parse_func(fd, rc, &d->func);
	}
}

/* ---- one device ------------------------------------------------------------------- */

static bool id_matches(const struct sb_usb_select *sel, const struct libusb_device_descriptor *dd)
{
	return (sel->vid < 0 || sel->vid == dd->idVendor) &&
	       (sel->pid < 0 || sel->pid == dd->idProduct);
}

/* Describe dev into d if it is a DFU device of the kind sel asks for and
 * may match (before the serial test). */
static bool examine(libusb_device *dev, const struct sb_usb_select *sel, struct sb_usb_device *d)
{
	struct libusb_device_descriptor dd;
	libusb_device_handle *h;
	uint8_t istr[SB_USB_MAX_ALTS];
	int rc;

	memset(d, 0, sizeof(*d));
	d->runtime = sel->runtime;
	if (libusb_get_device_descriptor(dev, &dd) < 0 || !id_matches(sel, &dd))
		return false;
	port_path(dev, d->path, sizeof(d->path));
	if (sel->path && strcmp(sel->path, d->path))
		return false;
	if (!find_dfu_interface(dev, dd.bNumConfigurations, d, istr))
		return false;
	d->vid = dd.idVendor;
	d->pid = dd.idProduct;
	d->bcd_device = dd.bcdDevice;
	d->bus = libusb_get_bus_number(dev);
	d->address = libusb_get_device_address(dev);
	if ((rc = libusb_open(dev, &h)) < 0) {
		struct sb_diag diag;
		d->strings_err = sb_usb_fail(&diag, rc, d, "opening");
		memcpy(d->strings_msg, diag.msg, sizeof(d->strings_msg));
		return true;
	}
	read_strings(h, &dd, d, istr);
	libusb_close(h);
	return true;
}

/* ---- the list ------------------------------------------------------------------------ */

/* "1-1.10" after "1-1.9": digit runs compare as numbers. */
static int natural_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			unsigned long x = strtoul(a, (char **)&a, 10);
			unsigned long y = strtoul(b, (char **)&b, 10);
			if (x != y)
				return x < y ? -1 : 1;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

static int match_cmp(const void *x, const void *y)
{
	return natural_cmp(((const struct sb_usb_match *)x)->d.path,
			   ((const struct sb_usb_match *)y)->d.path);
}

void sb_usb_matches_free(struct sb_usb_match *m, size_t n)
{
	if (!m)
		return;
	for (size_t i = 0; i < n; i++)
		libusb_unref_device(m[i].dev);
	free(m);
}

/* Keep d in m (taking a reference on dev), unless the serial criterion rules it out. */
static void consider(libusb_device *dev, const struct sb_usb_select *sel,
		     const struct sb_usb_device *d, struct sb_usb_match *m, size_t *n,
		     struct sb_usb_device *denied)
{
	if (sel->serial && d->strings_err) {
		*denied = *d;
		return;
	}
	if (sel->serial && strcmp(sel->serial, d->serial))
		return;
	m[*n].dev = libusb_ref_device(dev);
	m[*n].d = *d;
	(*n)++;
}

int sb_usb_collect(libusb_context *ctx, const struct sb_usb_select *sel, struct sb_usb_match **m,
		   size_t *n, struct sb_usb_device *denied, struct sb_diag *diag)
{
	libusb_device **list;
	struct sb_usb_device *d = malloc(sizeof(*d));
	ssize_t count = libusb_get_device_list(ctx, &list);

	*m = NULL;
	*n = 0;
	denied->strings_err = SB_OK;
	if (count < 0 || !d) {
		free(d);
		if (count >= 0)
			libusb_free_device_list(list, 1);
		return sb_diag_set(diag, count < 0 ? sb_usb_err((int)count) : SB_ERR_NOMEM,
				   "listing USB devices: %s",
				   count < 0 ? libusb_strerror((int)count) : "out of memory");
	}
	*m = calloc((size_t)count + 1, sizeof(**m));
	for (ssize_t i = 0; *m && i < count; i++)
		if (examine(list[i], sel, d))
			consider(list[i], sel, d, *m, n, denied);
	libusb_free_device_list(list, 1);
	free(d);
	if (!*m)
		return sb_diag_set(diag, SB_ERR_NOMEM, "out of memory");
	qsort(*m, *n, sizeof(**m), match_cmp);
	return SB_OK;
}

int sb_usb_list(const struct sb_usb_select *sel, struct sb_usb_device **out, size_t *n,
		struct sb_diag *diag)
{
	libusb_context *ctx;
	struct sb_usb_match *m;
	struct sb_usb_device denied;
	int rc = sb_usb_init(&ctx, diag);

	*out = NULL;
	*n = 0;
	if (rc)
		return rc;
	rc = sb_usb_collect(ctx, sel, &m, n, &denied, diag);
	if (!rc && *n) {
		*out = malloc(*n * sizeof(**out));
		if (!*out)
			rc = sb_diag_set(diag, SB_ERR_NOMEM, "out of memory");
		for (size_t i = 0; *out && i < *n; i++)
			(*out)[i] = m[i].d;
	}
	if (!rc && *n == 0 && denied.strings_err)
		rc = sb_diag_set(diag, denied.strings_err, "%s", denied.strings_msg);
	sb_usb_matches_free(m, *n);
	if (rc)
		*n = 0;
	libusb_exit(ctx);
	return rc;
}

void sb_usb_describe(const struct sb_usb_device *d, char *buf, size_t len)
{
	snprintf(buf, len, "%04x:%04x ver=%04x path=%s serial=%s \"%s\"", d->vid, d->pid,
		 d->bcd_device, d->path, d->serial[0] ? d->serial : "?", d->product);
}
