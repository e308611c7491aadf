/* SPDX-License-Identifier: MIT */
/*
 * usbsim_ioctl.c - Linux usbdevfs emulated for the DfuSe model: the
 * umockdev "handle-ioctl" handler of each device node.
 *
 * URBs complete when submitted (testing-without-hardware §1): the setup
 * packet goes to the model, status and actual_length are set (a STALL is
 * -EPIPE) and the URB waits in a per-device FIFO until its client reaps it.
 * Client memory is only touched through umockdev_ioctl_data_resolve() and
 * _set_ptr(), which is what lets the same handler serve a child process:
 * URB contents are edited in the SUBMIT handler only (the copies are
 * written back when that ioctl completes); REAP just hands the pointer back.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <sys/ioctl.h>
#include <linux/usbdevice_fs.h>

#include "usbsim_priv.h"

#define SPEED_FULL 2   /* enum usb_device_speed USB_SPEED_FULL (linux/usb/ch9.h) */

struct reply {
	long result;
	int err;
	uint64_t due_us;
};

static void fail(struct reply *r, int err)
{
	r->result = -1;
	r->err = err;
}

static UMockdevIoctlData *resolve(UMockdevIoctlData *d, size_t off, size_t len)
{
	GError *e = NULL;
	UMockdevIoctlData *res = umockdev_ioctl_data_resolve(d, off, len, &e);

	if (e)
		g_error_free(e);
	return res;
}

static bool node_live(const struct usbsim_node *node)
{
	return node->slot->cur == node && dfu_dev_connected(node->slot->d);
}

/* ---- reap queue ---- */

static void urb_free(struct usbsim_urb *u)
{
	g_object_unref(u->client);
	umockdev_ioctl_data_unref(u->urb);
	free(u);
}

static void enqueue(struct usbsim_slot *slot, UMockdevIoctlClient *client, UMockdevIoctlData *urb)
{
	struct usbsim_urb *u = calloc(1, sizeof(*u)), **p = &slot->urbs;

	if (!u) {
		umockdev_ioctl_data_unref(urb);
		return;
	}
	u->client = g_object_ref(client);
	u->urb = urb;
	while (*p)
		p = &(*p)->next;
	*p = u;
}

/* The oldest URB of client; entries of clients that closed their fd go. */
static struct usbsim_urb *dequeue(struct usbsim_slot *slot, UMockdevIoctlClient *client)
{
	struct usbsim_urb **p = &slot->urbs;

	while (*p) {
		struct usbsim_urb *u = *p;

		if (u->client == client) {
			*p = u->next;
			return u;
		}
		if (!umockdev_ioctl_client_get_connected(u->client)) {
			*p = u->next;
			urb_free(u);
			continue;
		}
		p = &u->next;
	}
	return NULL;
}

void usbsim_drop_urbs(struct usbsim_slot *slot)
{
	while (slot->urbs) {
		struct usbsim_urb *u = slot->urbs;

		slot->urbs = u->next;
		urb_free(u);
	}
	if (slot->claimed_by) {
		g_object_unref(slot->claimed_by);
		slot->claimed_by = NULL;
	}
}

/* ---- transfers ---- */

static void parse_setup(const uint8_t *p, struct dfu_setup *s)
{
	s->bmRequestType = p[0];
	s->bRequest = p[1];
	s->wValue = (uint16_t)(p[2] | p[3] << 8);
	s->wIndex = (uint16_t)(p[4] | p[5] << 8);
	s->wLength = (uint16_t)(p[6] | p[7] << 8);
}

/* Model result -> ioctl result: STALL is EPIPE, a gone device ENODEV. */
static void control_result(struct reply *r, int rc)
{
	if (rc == DFU_DEV_GONE)
		fail(r, ENODEV);
	else if (rc == DFU_DEV_STALL)
		fail(r, EPIPE);
	else
		r->result = rc;
}

static int run_control(struct usbsim_slot *slot, const struct dfu_setup *s, uint8_t *data,
		       struct reply *r)
{
	int rc = dfu_dev_control(slot->d, s, data, usbsim_now_us(), &r->due_us);

	if (!dfu_dev_connected(slot->d))
		pthread_cond_signal(&slot->sim->kick);
	return rc;
}

static void do_submit(struct usbsim_slot *slot, UMockdevIoctlClient *client,
		      UMockdevIoctlData *arg, struct reply *r)
{
	UMockdevIoctlData *ud = resolve(arg, 0, sizeof(struct usbdevfs_urb)), *bd;
	struct usbdevfs_urb *urb;
	struct dfu_setup s;
	int rc;

	if (!ud) {
		fail(r, EFAULT);
		return;
	}
	urb = (struct usbdevfs_urb *)ud->data;
	if (urb->type != USBDEVFS_URB_TYPE_CONTROL || (urb->endpoint & 0x7F) ||
	    urb->buffer_length < 8 || urb->buffer_length > 8 + 0xFFFF) {
		umockdev_ioctl_data_unref(ud);
		fail(r, EINVAL);
		return;
	}
	bd = resolve(ud, offsetof(struct usbdevfs_urb, buffer), (size_t)urb->buffer_length);
	if (!bd) {
		umockdev_ioctl_data_unref(ud);
		fail(r, EFAULT);
		return;
	}
	parse_setup(bd->data, &s);
	rc = 8 + (int)s.wLength > urb->buffer_length ? -EINVAL
		: run_control(slot, &s, bd->data + 8, r);
	umockdev_ioctl_data_unref(bd);
	if (rc == -EINVAL || rc == DFU_DEV_GONE) {
		umockdev_ioctl_data_unref(ud);
		fail(r, rc == -EINVAL ? EINVAL : ENODEV);
		return;
	}
	urb->status = rc == DFU_DEV_STALL ? -EPIPE : 0;
	urb->actual_length = rc > 0 ? rc : 0;
	enqueue(slot, client, ud);
}

static void do_reap(struct usbsim_node *node, UMockdevIoctlClient *client,
		    UMockdevIoctlData *arg, struct reply *r)
{
	struct usbsim_urb *u = dequeue(node->slot, client);
	UMockdevIoctlData *pd;

	if (!u) {
		fail(r, node_live(node) ? EAGAIN : ENODEV);
		return;
	}
	pd = resolve(arg, 0, sizeof(void *));
	if (pd) {
		umockdev_ioctl_data_set_ptr(pd, 0, u->urb);
		umockdev_ioctl_data_unref(pd);
	} else {
		fail(r, EFAULT);
	}
	urb_free(u);
}

/* Synchronous USBDEVFS_CONTROL (libusb uses URBs, other programs may not). */
static void do_control(struct usbsim_slot *slot, UMockdevIoctlData *arg, struct reply *r)
{
	UMockdevIoctlData *cd = resolve(arg, 0, sizeof(struct usbdevfs_ctrltransfer)), *dd = NULL;
	struct usbdevfs_ctrltransfer *ct;
	struct dfu_setup s;
	uint8_t none[1];

	if (!cd) {
		fail(r, EFAULT);
		return;
	}
	ct = (struct usbdevfs_ctrltransfer *)cd->data;
	s = (struct dfu_setup){ ct->bRequestType, ct->bRequest, ct->wValue, ct->wIndex, ct->wLength };
	if (s.wLength)
		dd = resolve(cd, offsetof(struct usbdevfs_ctrltransfer, data), s.wLength);
	if (s.wLength && !dd)
		fail(r, EFAULT);
	else
		control_result(r, run_control(slot, &s, dd ? dd->data : none, r));
	if (dd)
		umockdev_ioctl_data_unref(dd);
	umockdev_ioctl_data_unref(cd);
}

/* ---- the other usbdevfs requests ---- */

static bool get_uint(UMockdevIoctlData *arg, unsigned *out)
{
	UMockdevIoctlData *d = resolve(arg, 0, sizeof(unsigned));

	if (!d)
		return false;
	memcpy(out, d->data, sizeof(unsigned));
	umockdev_ioctl_data_unref(d);
	return true;
}

static void do_claim(struct usbsim_slot *slot, UMockdevIoctlClient *client,
		     UMockdevIoctlData *arg, struct reply *r)
{
	unsigned intf;

	if (!get_uint(arg, &intf)) {
		fail(r, EFAULT);
		return;
	}
	if (intf != 0) {
		fail(r, ENOENT);
		return;
	}
	if (slot->claimed_by && slot->claimed_by != client &&
	    umockdev_ioctl_client_get_connected(slot->claimed_by)) {
		fail(r, EBUSY);   /* another program holds it: "device busy" */
		return;
	}
	if (slot->claimed_by != client) {
		if (slot->claimed_by)
			g_object_unref(slot->claimed_by);
		slot->claimed_by = g_object_ref(client);
	}
}

static void do_release(struct usbsim_slot *slot, UMockdevIoctlClient *client,
		       UMockdevIoctlData *arg, struct reply *r)
{
	unsigned intf;

	if (!get_uint(arg, &intf)) {
		fail(r, EFAULT);
		return;
	}
	if (intf != 0 || slot->claimed_by != client) {
		fail(r, EINVAL);
		return;
	}
	g_object_unref(slot->claimed_by);
	slot->claimed_by = NULL;
}

static void do_setinterface(struct usbsim_slot *slot, UMockdevIoctlData *arg, struct reply *r)
{
	UMockdevIoctlData *d = resolve(arg, 0, sizeof(struct usbdevfs_setinterface));
	struct usbdevfs_setinterface si;
	int rc;

	if (!d) {
		fail(r, EFAULT);
		return;
	}
	memcpy(&si, d->data, sizeof(si));
	umockdev_ioctl_data_unref(d);
	rc = dfu_dev_set_alt(slot->d, si.interface, si.altsetting);
	if (rc == DFU_DEV_STALL)
		fail(r, EINVAL);   /* no such alt setting: the kernel refuses before sending */
	else if (rc < 0)
		fail(r, ENODEV);
}

static void do_setconfig(struct usbsim_slot *slot, UMockdevIoctlData *arg, struct reply *r)
{
	unsigned cfg;

	if (!get_uint(arg, &cfg)) {
		fail(r, EFAULT);
		return;
	}
	if (dfu_dev_set_config(slot->d, cfg == (unsigned)-1 ? 0 : cfg) < 0)
		fail(r, EINVAL);
}

static void put_u32(UMockdevIoctlData *arg, uint32_t v, struct reply *r)
{
	UMockdevIoctlData *d = resolve(arg, 0, sizeof(v));

	if (!d) {
		fail(r, EFAULT);
		return;
	}
	memcpy(d->data, &v, sizeof(v));
	umockdev_ioctl_data_unref(d);
}

static void do_connectinfo(struct usbsim_node *node, UMockdevIoctlData *arg, struct reply *r)
{
	UMockdevIoctlData *d = resolve(arg, 0, sizeof(struct usbdevfs_connectinfo));
	struct usbdevfs_connectinfo ci = { 0, 0 };

	if (!d) {
		fail(r, EFAULT);
		return;
	}
	ci.devnum = (unsigned)strtoul(node->devnode + strlen(node->devnode) - 3, NULL, 10);
	memcpy(d->data, &ci, sizeof(ci));
	umockdev_ioctl_data_unref(d);
}

/* GET_CAPABILITIES: what a current kernel offers for a full-speed device. */
#define CAPS (USBDEVFS_CAP_ZERO_PACKET | USBDEVFS_CAP_BULK_CONTINUATION | \
	      USBDEVFS_CAP_NO_PACKET_SIZE_LIM | USBDEVFS_CAP_REAP_AFTER_DISCONNECT)

static void dispatch_live(struct usbsim_node *node, UMockdevIoctlClient *client,
			  unsigned long req, UMockdevIoctlData *arg, struct reply *r)
{
	struct usbsim_slot *slot = node->slot;

	switch (req) {
	case USBDEVFS_SUBMITURB: do_submit(slot, client, arg, r); return;
	case USBDEVFS_CONTROL: do_control(slot, arg, r); return;
	case USBDEVFS_GET_CAPABILITIES: put_u32(arg, CAPS, r); return;
	case USBDEVFS_CLAIMINTERFACE: do_claim(slot, client, arg, r); return;
	case USBDEVFS_DISCONNECT_CLAIM: do_claim(slot, client, arg, r); return;
	case USBDEVFS_RELEASEINTERFACE: do_release(slot, client, arg, r); return;
	case USBDEVFS_SETINTERFACE: do_setinterface(slot, arg, r); return;
	case USBDEVFS_SETCONFIGURATION: do_setconfig(slot, arg, r); return;
	case USBDEVFS_CONNECTINFO: do_connectinfo(node, arg, r); return;
	case USBDEVFS_GETDRIVER:
	case USBDEVFS_IOCTL:
		fail(r, ENODATA);   /* no kernel driver bound to the interface */
		return;
	case USBDEVFS_RESET:
		if (dfu_dev_usb_reset(slot->d) < 0)
			fail(r, ENODEV);
		else if (!dfu_dev_connected(slot->d))
			pthread_cond_signal(&slot->sim->kick);   /* it left the bus: follow */
		return;
	case USBDEVFS_CLEAR_HALT:
	case USBDEVFS_RESETEP:
		return;
	case USBDEVFS_GET_SPEED:
		r->result = SPEED_FULL;
		return;
	default:
		usbsim_logf(slot->sim, "1-%u: unknown usbdevfs ioctl 0x%lx -> ENOTTY", slot->num, req);
		fail(r, ENOTTY);
		return;
	}
}

static void dispatch(struct usbsim_node *node, UMockdevIoctlClient *client, unsigned long req,
		     UMockdevIoctlData *arg, struct reply *r)
{
	switch (req) {
	case USBDEVFS_REAPURB:
	case USBDEVFS_REAPURBNDELAY:
		/* Reaping stays possible after a disconnect (CAP_REAP_AFTER_DISCONNECT). */
		do_reap(node, client, arg, r);
		return;
	case USBDEVFS_DISCARDURB:
		/* Every URB completed at submit: nothing in flight to unlink. */
		fail(r, EINVAL);
		return;
	default:
		if (!node_live(node)) {
			fail(r, ENODEV);
			return;
		}
		dispatch_live(node, client, req, arg, r);
	}
}

gboolean usbsim_handle_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *client,
			     gpointer data)
{
	struct usbsim_node *node = data;
	struct usbsim *s = node->slot->sim;
	unsigned long req = umockdev_ioctl_client_get_request(client);
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	struct reply r = { 0, 0, 0 };

	(void)handler;
	pthread_mutex_lock(&s->lock);
	dispatch(node, client, req, arg, &r);
	if (s->cfg.trace_ioctl && req != USBDEVFS_REAPURBNDELAY)
		usbsim_logf(s, "%s: ioctl 0x%lx -> %ld errno %d", node->devnode, req, r.result, r.err);
	pthread_mutex_unlock(&s->lock);
	usbsim_complete(s, client, r.result, r.err, r.due_us);
	return TRUE;
}
