/* SPDX-License-Identifier: MIT */
/*
 * usb.c - libusb-1.0 backend: the sb_usb ops of an opened DFU interface,
 * and opening the one device a selection designates. Enumeration and
 * descriptions are in usb_list.c.
 */
#include "usb.h"
#include "usb_int.h"

#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- errors, at the edge ----------------------------------------------------- */

int sb_usb_err(int lrc)
{
	switch (lrc) {
	case LIBUSB_ERROR_PIPE:
		return SB_ERR_NACK;
	case LIBUSB_ERROR_TIMEOUT:
		return SB_ERR_TIMEOUT;
	case LIBUSB_ERROR_NO_DEVICE:
	case LIBUSB_ERROR_NOT_FOUND:
	case LIBUSB_ERROR_ACCESS:
	case LIBUSB_ERROR_BUSY:
		return SB_ERR_NO_DEVICE;
	case LIBUSB_ERROR_NO_MEM:
		return SB_ERR_NOMEM;
	default:
		return SB_ERR_IO;
	}
}

int sb_usb_fail(struct sb_diag *diag, int lrc, const struct sb_usb_device *d, const char *what)
{
	int err = sb_usb_err(lrc);
	char id[80];

	snprintf(id, sizeof(id), "%04x:%04x at %s (bus %u device %u)", d->vid, d->pid, d->path,
		 d->bus, d->address);
	if (lrc == LIBUSB_ERROR_ACCESS)
		return sb_diag_set(diag, err,
				   "%s %s: permission denied. Install the udev rule: copy udev/%s "
				   "to %s/, run 'udevadm control --reload-rules && "
				   "udevadm trigger', replug the board (or run as root)",
				   what, id, SB_UDEV_RULE, SB_UDEV_RULES_DIR);
	if (lrc == LIBUSB_ERROR_BUSY)
		return sb_diag_set(diag, err,
				   "%s %s: interface %u is held by another program (dfu-util, "
				   "STM32CubeProgrammer, another dfuse?)",
				   what, id, d->interface);
	if (lrc == LIBUSB_ERROR_NO_DEVICE)
		return sb_diag_set(diag, err, "%s %s: device gone", what, id);
	return sb_diag_set(diag, err, "%s %s: %s", what, id, libusb_strerror(lrc));
}

/* ---- the ops of an opened interface ------------------------------------------- */

struct usb_handle {
	libusb_context *ctx;
	libusb_device_handle *h;
	int interface;
	bool (*cancelled)(void *ctx);   /* sb_usb_set_cancel() */
	void *cancel_ctx;
};

static int op_control(void *hv, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
		      uint8_t *buf, uint16_t len, unsigned timeout_ms)
{
	struct usb_handle *u = hv;
	int rc;

	if (u->cancelled && u->cancelled(u->cancel_ctx))
		return SB_ERR_INTERRUPTED;
	rc = libusb_control_transfer(u->h, type, req, value, index, buf, len, timeout_ms);
	return rc < 0 ? sb_usb_err(rc) : rc;
}

static int op_set_alt(void *hv, int interface, int alt)
{
	struct usb_handle *u = hv;
	int rc = libusb_set_interface_alt_setting(u->h, interface, alt);

	return rc < 0 ? sb_usb_err(rc) : SB_OK;
}

void sb_usb_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

static void op_sleep(void *hv, unsigned ms)
{
	(void)hv;
	sb_usb_sleep_ms(ms);
}

uint64_t sb_usb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t op_now(void *hv)
{
	(void)hv;
	return sb_usb_now_ms();
}

static void op_close(void *hv)
{
	struct usb_handle *u = hv;

	if (!u)
		return;
	if (u->h) {
		libusb_release_interface(u->h, u->interface);
		libusb_close(u->h);
	}
	if (u->ctx)
		libusb_exit(u->ctx);
	free(u);
}

static const struct sb_usb_ops usb_ops = {
	.control = op_control,
	.set_alt = op_set_alt,
	.sleep_ms = op_sleep,
	.now_ms = op_now,
	.close = op_close,
};

void sb_usb_set_cancel(struct sb_usb *usb, bool (*cancelled)(void *ctx), void *ctx)
{
	struct usb_handle *u;

	if (!usb || usb->ops != &usb_ops || !(u = usb->h))
		return;
	u->cancelled = cancelled;
	u->cancel_ctx = ctx;
}

/* ---- selection and opening ---------------------------------------------------- */

void sb_usb_select_default(struct sb_usb_select *sel)
{
	*sel = (struct sb_usb_select){ .vid = SB_USB_ST_VID, .pid = SB_USB_ST_DFU_PID,
				       .index = -1 };
}

static int parse_hex16(const char *s, size_t n, int *out)
{
	unsigned v = 0;

	if (n == 0 || (n == 1 && s[0] == '*')) {
		*out = -1;
		return SB_OK;
	}
	if (n > 4)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + (unsigned)d;
	}
	*out = (int)v;
	return SB_OK;
}

int sb_usb_parse_id(const char *s, int *vid, int *pid, struct sb_diag *diag)
{
	const char *colon = strchr(s, ':');

	if (!colon || parse_hex16(s, (size_t)(colon - s), vid) ||
	    parse_hex16(colon + 1, strlen(colon + 1), pid))
		return sb_diag_set(diag, SB_ERR_BAD_INPUT,
				   "bad device id \"%s\": expected VID:PID in hex, e.g. 0483:df11",
				   s);
	return SB_OK;
}

static void describe_selection(const struct sb_usb_select *sel, char *buf, size_t len)
{
	size_t k = 0;

	k += (size_t)snprintf(buf, len, sel->runtime ? "run-time DFU device" : "DFU device");
	if (sel->vid >= 0 || sel->pid >= 0) {
		char v[12] = "*", p[12] = "*";
		if (sel->vid >= 0)
			snprintf(v, sizeof(v), "%04x", sel->vid);
		if (sel->pid >= 0)
			snprintf(p, sizeof(p), "%04x", sel->pid);
		k += (size_t)snprintf(buf + k, len - k, " %s:%s", v, p);
	}
	if (sel->serial && k < len)
		k += (size_t)snprintf(buf + k, len - k, " with serial %s", sel->serial);
	if (sel->path && k < len)
		snprintf(buf + k, len - k, " at path %s", sel->path);
}

/* Several matches and no index: an error listing them, so the user can choose. */
static int ambiguous(const struct sb_usb_select *sel, const struct sb_usb_match *m, size_t n,
		     struct sb_diag *diag)
{
	char what[160], list[400];
	size_t k = 0;
	bool dup = false;

	describe_selection(sel, what, sizeof(what));
	list[0] = '\0';
	for (size_t i = 0; i < n && k < sizeof(list); i++) {
		k += (size_t)snprintf(list + k, sizeof(list) - k, "; #%zu path=%s serial=%s", i,
				      m[i].d.path, m[i].d.serial[0] ? m[i].d.serial : "?");
		for (size_t j = 0; j < i; j++)
			dup |= m[j].d.serial[0] && !strcmp(m[i].d.serial, m[j].d.serial);
	}
	return sb_diag_set(diag, SB_ERR_NO_DEVICE,
			   "%zu of %s found; choose one with --serial, --path or --index%s%s", n,
			   what, dup ? " (serial numbers repeat: use --path)" : "", list);
}

static int not_found(const struct sb_usb_select *sel, size_t n,
		     const struct sb_usb_device *denied, struct sb_diag *diag)
{
	char what[160];

	if (denied->strings_err)
		return sb_diag_set(diag, denied->strings_err, "%s", denied->strings_msg);
	describe_selection(sel, what, sizeof(what));
	if (sel->index >= 0 && n > 0)
		return sb_diag_set(diag, SB_ERR_NO_DEVICE, "no device #%d: %zu %s%s found",
				   sel->index, n, what, n == 1 ? "" : "s");
	if (sel->runtime)
		return sb_diag_set(diag, SB_ERR_NO_DEVICE,
				   "no %s found%s: is the application running, and does it offer "
				   "a DFU run-time interface? 'dfuse list' shows the devices present",
				   what, sel->wait_s ? " in time" : "");
	return sb_diag_set(diag, SB_ERR_NO_DEVICE,
			   "no %s found%s: is the board in its ROM bootloader (BOOT0 high during "
			   "reset)? 'dfuse list' shows the DFU devices present",
			   what, sel->wait_s ? " in time" : "");
}

/* The match sel designates among m[0..n): index into m, -1 none yet, or an error. */
static int choose(const struct sb_usb_select *sel, const struct sb_usb_match *m, size_t n,
		  int *pick, struct sb_diag *diag)
{
	*pick = -1;
	if (sel->index >= 0) {
		if ((size_t)sel->index < n)
			*pick = sel->index;
		return SB_OK;
	}
	if (n > 1)
		return ambiguous(sel, m, n, diag);
	if (n == 1)
		*pick = 0;
	return SB_OK;
}

/* Wait (polling the device list) until sel designates one device. */
static int wait_for(libusb_context *ctx, const struct sb_usb_select *sel,
		    struct sb_usb_match **m, size_t *n, int *pick, struct sb_diag *diag)
{
	uint64_t deadline = sb_usb_now_ms() + (uint64_t)sel->wait_s * 1000u;
	struct sb_usb_device denied;
	int rc;

	for (;;) {
		if ((rc = sb_usb_collect(ctx, sel, m, n, &denied, diag)))
			return rc;
		if ((rc = choose(sel, *m, *n, pick, diag)) || *pick >= 0)
			return rc;
		if (sb_usb_now_ms() >= deadline) {
			rc = not_found(sel, *n, &denied, diag);
			sb_usb_matches_free(*m, *n);
			*m = NULL;
			return rc;
		}
		sb_usb_matches_free(*m, *n);
		*m = NULL;
		sb_usb_sleep_ms(200);
	}
}

static int claim(struct usb_handle *u, const struct sb_usb_device *d, struct sb_diag *diag)
{
	int cur = -1, rc;

	libusb_set_auto_detach_kernel_driver(u->h, 1);
	if (libusb_get_configuration(u->h, &cur) == 0 && cur != d->config &&
	    (rc = libusb_set_configuration(u->h, d->config)) < 0)
		return sb_usb_fail(diag, rc, d, "setting the configuration of");
	if ((rc = libusb_claim_interface(u->h, d->interface)) < 0)
		return sb_usb_fail(diag, rc, d, "claiming");
	u->interface = d->interface;
	return SB_OK;
}

static int open_match(struct usb_handle *u, const struct sb_usb_match *m, struct sb_diag *diag)
{
	int rc = libusb_open(m->dev, &u->h);

	if (rc < 0) {
		u->h = NULL;
		return sb_usb_fail(diag, rc, &m->d, "opening");
	}
	if ((rc = claim(u, &m->d, diag))) {
		libusb_close(u->h);
		u->h = NULL;
	}
	return rc;
}

int sb_usb_init(libusb_context **ctx, struct sb_diag *diag)
{
	int rc = LIBUSB_ERROR_OTHER;

	for (unsigned i = 0; i < 5 && rc == LIBUSB_ERROR_OTHER; i++) {
		if (i)
			sb_usb_sleep_ms(20u << i);
		rc = libusb_init(ctx);
	}
	if (rc < 0)
		return sb_diag_set(diag, sb_usb_err(rc), "libusb: %s", libusb_strerror(rc));
	return SB_OK;
}

int sb_usb_open(const struct sb_usb_select *sel, struct sb_usb *usb, struct sb_usb_device *dev,
		struct sb_diag *diag)
{
	struct usb_handle *u = calloc(1, sizeof(*u));
	struct sb_usb_match *m = NULL;
	size_t n = 0;
	int pick, rc;

	if (!u)
		return sb_diag_set(diag, SB_ERR_NOMEM, "out of memory");
	if ((rc = sb_usb_init(&u->ctx, diag))) {
		free(u);
		return rc;
	}
	rc = wait_for(u->ctx, sel, &m, &n, &pick, diag);
	if (!rc)
		rc = open_match(u, &m[pick], diag);
	if (!rc && dev)
		*dev = m[pick].d;
	sb_usb_matches_free(m, n);
	if (rc) {
		op_close(u);
		return rc;
	}
	*usb = (struct sb_usb){ .ops = &usb_ops, .h = u };
	return SB_OK;
}

/* ---- run-time to DFU mode ------------------------------------------------------ */

/* DFU_DETACH (protocol-facts B.2: request 0, class, interface recipient). */
enum { DFU_REQ_DETACH = 0, DFU_ATTR_WILL_DETACH = 0x08, DETACH_MAX_MS = 1000 };

int sb_usb_detach(const struct sb_usb_select *sel, struct sb_usb_device *dev,
		  struct sb_diag *diag)
{
	struct sb_usb_select rt = *sel;
	struct sb_usb h;
	struct sb_usb_device d;
	struct usb_handle *u;
	uint16_t wait_ms;
	int rc;

	rt.runtime = true;
	if ((rc = sb_usb_open(&rt, &h, &d, diag)))
		return rc;
	u = h.h;
	wait_ms = d.func.present && d.func.detach_timeout_ms < DETACH_MAX_MS
		? d.func.detach_timeout_ms : DETACH_MAX_MS;
	rc = libusb_control_transfer(u->h, LIBUSB_ENDPOINT_OUT | LIBUSB_REQUEST_TYPE_CLASS |
				     LIBUSB_RECIPIENT_INTERFACE, DFU_REQ_DETACH, wait_ms,
				     u->interface, NULL, 0, 2000);
	if (rc == LIBUSB_ERROR_PIPE)
		rc = sb_diag_set(diag, SB_ERR_NACK, "%04x:%04x at %s STALLed DFU_DETACH: the "
				 "application refused to restart in DFU mode", d.vid, d.pid, d.path);
	else if (rc < 0 && rc != LIBUSB_ERROR_NO_DEVICE && rc != LIBUSB_ERROR_IO)
		rc = sb_usb_fail(diag, rc, &d, "detaching");
	else if (!(d.func.attributes & DFU_ATTR_WILL_DETACH) &&
		 (rc = libusb_reset_device(u->h)) < 0 && rc != LIBUSB_ERROR_NOT_FOUND &&
		 rc != LIBUSB_ERROR_NO_DEVICE)
		rc = sb_usb_fail(diag, rc, &d, "resetting, after DFU_DETACH,");
	else
		rc = SB_OK;  /* gone from the bus already: it is restarting */
	op_close(u);
	if (dev)
		*dev = d;
	return rc;
}
