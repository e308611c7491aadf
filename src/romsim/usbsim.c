/* SPDX-License-Identifier: MIT */
/*
 * usbsim.c - the emulated USB bus: umockdev testbed, sysfs entries of the
 * DfuSe devices, their removal and re-enumeration, and the completion
 * thread of the timing model. The usbdevfs handler is in usbsim_ioctl.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "usbsim_priv.h"

#define SYS_PARENT "/devices/pci0000:00/0000:00:14.0/usb1"
#define TICK_MS 10u

uint64_t usbsim_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void usbsim_logf(struct usbsim *s, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!s->cfg.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->cfg.log(s->cfg.log_ctx, line);
}

/* Model log lines, prefixed with the port path. */
static void slot_log(void *ctx, enum sb_log_level level, const char *msg)
{
	struct usbsim_slot *slot = ctx;

	(void)level;
	usbsim_logf(slot->sim, "1-%u: %s", slot->num, msg);
}

/* ---- delayed completion (timing model) ---- */

static void timespec_at(struct timespec *ts, uint64_t us)
{
	ts->tv_sec = (time_t)(us / 1000000u);
	ts->tv_nsec = (long)(us % 1000000u) * 1000;
}

static void *delayer_main(void *arg)
{
	struct usbsim *s = arg;

	pthread_mutex_lock(&s->dlock);
	while (s->delayer_on || s->delays) {
		struct usbsim_delay *d = s->delays;
		struct timespec ts;

		if (!d) {
			pthread_cond_wait(&s->dcond, &s->dlock);
			continue;
		}
		if (s->delayer_on && d->due_us > usbsim_now_us()) {
			timespec_at(&ts, d->due_us);
			pthread_cond_timedwait(&s->dcond, &s->dlock, &ts);
			continue;
		}
		s->delays = d->next;
		umockdev_ioctl_client_complete(d->client, d->result, d->err);
		g_object_unref(d->client);
		free(d);
	}
	pthread_mutex_unlock(&s->dlock);
	return NULL;
}

/*
 * umockdev_ioctl_client_complete() is thread-safe, so a reply can wait in
 * this thread while the worker thread serves other devices: devices on one
 * bus keep their own times.
 */
void usbsim_complete(struct usbsim *s, UMockdevIoctlClient *client, long result, int err,
		     uint64_t due_us)
{
	struct usbsim_delay *d, **p;

	if (!s->cfg.timing || due_us <= usbsim_now_us() || !(d = calloc(1, sizeof(*d)))) {
		umockdev_ioctl_client_complete(client, result, err);
		return;
	}
	d->client = g_object_ref(client);
	d->result = result;
	d->err = err;
	d->due_us = due_us;
	pthread_mutex_lock(&s->dlock);
	for (p = &s->delays; *p && (*p)->due_us <= due_us; p = &(*p)->next)
		;
	d->next = *p;
	*p = d;
	pthread_cond_signal(&s->dcond);
	pthread_mutex_unlock(&s->dlock);
}

static int start_delayer(struct usbsim *s)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&s->dlock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->dcond, &ca);
	pthread_condattr_destroy(&ca);
	s->delayer_on = true;
	if (pthread_create(&s->delayer, NULL, delayer_main, s) != 0) {
		s->delayer_on = false;
		return -1;
	}
	return 0;
}

static void stop_delayer(struct usbsim *s)
{
	pthread_mutex_lock(&s->dlock);
	s->delayer_on = false;
	pthread_cond_signal(&s->dcond);
	pthread_mutex_unlock(&s->dlock);
	pthread_join(s->delayer, NULL);
}

/* ---- sysfs entries ---- */

static void hex(char *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/*
 * The udev database record of the full-speed device on the bus (the ROM's
 * 0483:df11, or the application's identity), in umockdev's add_from_string
 * format: P path, N node, E properties, A attributes (libusb reads busnum,
 * devnum, speed, bConfigurationValue and the binary descriptors), H binary
 * attributes.
 */
static char *device_record(struct usbsim_slot *slot, unsigned devnum)
{
	uint8_t desc[128];
	char hexdesc[2 * sizeof(desc) + 1];
	const char *serial = dfu_dev_serial(slot->d);
	uint16_t vid, pid, bcd;

	dfu_dev_ids(slot->d, &vid, &pid, &bcd);
	hex(hexdesc, desc, dfu_dev_descriptors(slot->d, desc, sizeof(desc)));
	return g_strdup_printf(
		"P: " SYS_PARENT "/1-%u\n"
		"N: bus/usb/001/%03u\n"
		"E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\n"
		"E: BUSNUM=001\nE: DEVNUM=%03u\nE: DEVNAME=/dev/bus/usb/001/%03u\n"
		"E: PRODUCT=%x/%x/%x\nE: TYPE=0/0/0\n"
		"E: ID_VENDOR_ID=%04x\nE: ID_MODEL_ID=%04x\nE: ID_SERIAL_SHORT=%s\n"
		"A: busnum=1\\n\nA: devnum=%u\\n\nA: devpath=%u\\n\nA: speed=12\\n\n"
		"A: version= %s\\n\nA: bConfigurationValue=1\\n\nA: bNumConfigurations=1\\n\n"
		"A: bNumInterfaces= 1\\n\nA: bMaxPacketSize0=64\\n\nA: bDeviceClass=00\\n\n"
		"A: bmAttributes=%02x\\n\nA: bMaxPower=%umA\\n\n"
		"A: idVendor=%04x\\n\nA: idProduct=%04x\\n\nA: bcdDevice=%04x\\n\n"
		"A: manufacturer=%s\\n\nA: product=%s\\n\nA: serial=%s\\n\n"
		"H: descriptors=%s\n",
		slot->num, devnum, devnum, devnum, vid, pid, bcd, vid, pid, serial, devnum, slot->num,
		desc[3] == 0x02 ? "2.00" : "1.00", desc[18 + 7], 2u * desc[18 + 8],
		vid, pid, bcd, dfu_dev_manufacturer(slot->d),
		dfu_dev_product(slot->d), serial, hexdesc);
}

static unsigned take_devnum(struct usbsim *s)
{
	unsigned n = s->next_devnum;

	s->next_devnum = n >= 127 ? 2 : n + 1;   /* USB addresses 1..127; 1 is the root hub */
	return n;
}

/* New node for the slot's next enumeration (lock held). */
static struct usbsim_node *new_node(struct usbsim_slot *slot)
{
	struct usbsim_node *node = calloc(1, sizeof(*node));

	if (!node)
		return NULL;
	node->slot = slot;
	snprintf(node->devnode, sizeof(node->devnode), "/dev/bus/usb/001/%03u",
		 take_devnum(slot->sim));
	node->handler = umockdev_ioctl_base_new();
	g_signal_connect(node->handler, "handle-ioctl", G_CALLBACK(usbsim_handle_ioctl), node);
	node->next = slot->nodes;
	slot->nodes = node;
	return node;
}

/*
 * Put the slot's device in sysfs. The handler is attached before the device
 * is added, so that a client woken by the "add" uevent finds it
 * (testing-without-hardware §1, umockdev #173).
 */
/* A testbed call for usbsim_guarded(). */
struct tb_call {
	struct usbsim *s;
	const char *path, *action, *record;
	GError *err;
	gboolean ok;
};

static void call_uevent(void *arg)
{
	struct tb_call *c = arg;

	umockdev_testbed_uevent(c->s->tb, c->path, c->action);
}

static void call_add(void *arg)
{
	struct tb_call *c = arg;

	c->ok = umockdev_testbed_add_from_string(c->s->tb, c->record, &c->err);
}

/* A uevent, sent again (up to 3 times in all) when umockdev's sender
 * aborted under it (usbsim_guard.c); a client may see it twice, which
 * libusb ignores. Returns the number of failed attempts. */
static unsigned send_uevent(struct usbsim *s, const char *syspath, const char *action)
{
	struct tb_call c = { .s = s, .path = syspath, .action = action };
	unsigned failed = 0;

	while (failed < 3 && !usbsim_guarded(call_uevent, &c))
		failed++;
	return failed;
}

/*
 * Put the slot's device in sysfs. The handler is attached before the device
 * is added, so that a client woken by the "add" uevent finds it
 * (testing-without-hardware §1, umockdev #173). add_from_string() sends
 * that uevent last; if its sender aborted, the device is there and the
 * uevent is sent again.
 */
static int sysfs_add(struct usbsim *s, struct usbsim_node *node, const char *record,
		     const char *syspath, char *err, size_t cap)
{
	struct tb_call c = { .s = s, .record = record };
	int rc = 0;

	pthread_mutex_lock(&s->tb_lock);
	if (!umockdev_testbed_attach_ioctl(s->tb, node->devnode, node->handler, &c.err))
		rc = -1;
	else if (!usbsim_guarded(call_add, &c))
		rc = send_uevent(s, syspath, "add") == 3 ? -1 : 0;   /* added; uevent again */
	else if (!c.ok)
		rc = -1;
	if (rc < 0)
		snprintf(err, cap, "%s", c.err ? c.err->message : "uevent not sent");
	if (c.err)
		g_error_free(c.err);
	pthread_mutex_unlock(&s->tb_lock);
	return rc;
}

static void sysfs_remove(struct usbsim *s, const char *syspath)
{
	pthread_mutex_lock(&s->tb_lock);
	send_uevent(s, syspath, "remove");
	umockdev_testbed_remove_device(s->tb, syspath);
	pthread_mutex_unlock(&s->tb_lock);
}

/* ---- the service thread: bus events ---- */

/* Under the lock: what the slot needs now. Testbed calls happen after. */
enum action { ACT_NONE, ACT_REMOVE, ACT_ADD };

static enum action plan(struct usbsim_slot *slot, uint64_t now, char **record,
			struct usbsim_node **node)
{
	struct usbsim *s = slot->sim;

	dfu_dev_take_event(slot->d);
	if (slot->cur && !dfu_dev_connected(slot->d)) {
		/* A host sees a device leave only when its hub reports it: until
		 * then the node stays listed and its requests fail (--gone-ms). */
		if (!slot->left_us)
			slot->left_us = now;
		if (now - slot->left_us < (uint64_t)s->cfg.gone_ms * 1000u)
			return ACT_NONE;
		slot->left_us = 0;
		slot->cur = NULL;
		slot->gone_us = now;
		slot->removes++;
		/* Completed URBs stay reapable after the disconnect (the GETSTATUS
		 * that reported dfuMANIFEST, say): libusb waits for them. The
		 * claim goes: the next enumeration is a new device. */
		if (slot->claimed_by) {
			g_object_unref(slot->claimed_by);
			slot->claimed_by = NULL;
		}
		return ACT_REMOVE;
	}
	if (slot->cur || dfu_dev_vanished(slot->d) || !dfu_dev_wants_bus(slot->d))
		return ACT_NONE;
	if (now - slot->gone_us < (uint64_t)(slot->adds ? s->cfg.reenum_ms : s->cfg.appear_ms) * 1000u)
		return ACT_NONE;
	if (!dfu_dev_reconnect(slot->d) || !(*node = new_node(slot)))
		return ACT_NONE;
	*record = device_record(slot, (unsigned)strtoul((*node)->devnode + 17, NULL, 10));
	slot->cur = *node;
	slot->adds++;
	return ACT_ADD;
}

/* Returns true when the slot changed on the bus (look again at once). */
static bool service_slot(struct usbsim_slot *slot)
{
	struct usbsim *s = slot->sim;
	struct usbsim_node *node = NULL;
	char *record = NULL;
	enum action a;

	pthread_mutex_lock(&s->lock);
	a = plan(slot, usbsim_now_us(), &record, &node);
	pthread_mutex_unlock(&s->lock);
	if (a == ACT_REMOVE) {
		sysfs_remove(s, slot->syspath);
		pthread_mutex_lock(&s->lock);
		slot->listed = false;
		usbsim_logf(s, "1-%u: removed from the bus", slot->num);
		pthread_mutex_unlock(&s->lock);
	} else if (a == ACT_ADD) {
		char err[256];
		int rc = sysfs_add(s, node, record, slot->syspath, err, sizeof(err));

		pthread_mutex_lock(&s->lock);
		slot->listed = rc == 0;
		if (rc == 0)
			usbsim_logf(s, "1-%u: on the bus as %s, serial %s", slot->num, node->devnode,
				    dfu_dev_serial(slot->d));
		else
			usbsim_logf(s, "1-%u: cannot add to the testbed: %s", slot->num, err);
		pthread_mutex_unlock(&s->lock);
		g_free(record);
	}
	return a != ACT_NONE;
}

static void *service_main(void *arg)
{
	struct usbsim *s = arg;
	struct timespec ts;
	bool busy = false;
	unsigned n;

	for (;;) {
		pthread_mutex_lock(&s->lock);
		if (s->stop) {
			pthread_mutex_unlock(&s->lock);
			return NULL;
		}
		timespec_at(&ts, usbsim_now_us() + TICK_MS * 1000u);
		if (!busy)
			pthread_cond_timedwait(&s->kick, &s->lock, &ts);
		n = s->n;
		pthread_mutex_unlock(&s->lock);
		busy = false;
		for (unsigned i = 0; i < n; i++)
			busy |= service_slot(&s->slot[i]);
	}
}

/* ---- public ---- */

struct usbsim *usbsim_new(const struct usbsim_config *cfg)
{
	struct usbsim *s = calloc(1, sizeof(*s));
	pthread_condattr_t ca;

	if (!s)
		return NULL;
	s->cfg = *cfg;
	s->next_devnum = 2;
	s->tb = umockdev_testbed_new();
	if (!s->tb) {
		free(s);
		return NULL;
	}
	s->root = umockdev_testbed_get_root_dir(s->tb);
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->tb_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->kick, &ca);
	pthread_condattr_destroy(&ca);
	if (start_delayer(s) < 0 || pthread_create(&s->service, NULL, service_main, s) != 0) {
		usbsim_free(s);
		return NULL;
	}
	return s;
}

int usbsim_add(struct usbsim *s, struct board *b, const struct dfu_dev_config *dcfg)
{
	struct dfu_dev_config c = *dcfg;
	struct usbsim_slot *slot;

	pthread_mutex_lock(&s->lock);
	if (s->n == USBSIM_MAX_DEVICES) {
		pthread_mutex_unlock(&s->lock);
		return -1;
	}
	slot = &s->slot[s->n];
	memset(slot, 0, sizeof(*slot));
	slot->sim = s;
	slot->num = s->n + 1;
	slot->b = b;
	slot->log = (struct sb_log){ slot_log, slot, SB_LOG_DEBUG };
	snprintf(slot->syspath, sizeof(slot->syspath), "/sys" SYS_PARENT "/1-%u", slot->num);
	slot->gone_us = usbsim_now_us();
	c.index = slot->num;
	if (s->cfg.log && !c.log)
		c.log = &slot->log;
	slot->d = dfu_dev_new(b, &c);
	if (!slot->d) {
		pthread_mutex_unlock(&s->lock);
		return -1;
	}
	s->n++;
	pthread_mutex_unlock(&s->lock);
	service_slot(slot);   /* appears now if in ROM mode */
	return (int)slot->num;
}

static void free_slot(struct usbsim_slot *slot)
{
	usbsim_drop_urbs(slot);
	while (slot->nodes) {
		struct usbsim_node *node = slot->nodes;

		slot->nodes = node->next;
		g_object_unref(node->handler);
		free(node);
	}
	dfu_dev_free(slot->d);
}

void usbsim_free(struct usbsim *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->kick);
	pthread_mutex_unlock(&s->lock);
	if (s->service)
		pthread_join(s->service, NULL);
	if (s->delayer_on)
		stop_delayer(s);
	g_object_unref(s->tb);   /* removes the testbed tree, detaches handlers */
	for (unsigned i = 0; i < s->n; i++)
		free_slot(&s->slot[i]);
	g_free(s->root);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->tb_lock);
	pthread_cond_destroy(&s->kick);
	free(s);
}

unsigned usbsim_count(const struct usbsim *s) { return s->n; }
void usbsim_lock(struct usbsim *s) { pthread_mutex_lock(&s->lock); }
void usbsim_unlock(struct usbsim *s) { pthread_mutex_unlock(&s->lock); }
const char *usbsim_root(const struct usbsim *s) { return s->root; }

struct dfu_dev *usbsim_dev(struct usbsim *s, unsigned n)
{
	return n >= 1 && n <= s->n ? s->slot[n - 1].d : NULL;
}

struct board *usbsim_board(struct usbsim *s, unsigned n)
{
	return n >= 1 && n <= s->n ? s->slot[n - 1].b : NULL;
}

void usbsim_kick(struct usbsim *s)
{
	pthread_mutex_lock(&s->lock);
	pthread_cond_signal(&s->kick);
	pthread_mutex_unlock(&s->lock);
}

static unsigned slot_counter(struct usbsim *s, unsigned n, bool adds)
{
	unsigned v = 0;

	pthread_mutex_lock(&s->lock);
	if (n >= 1 && n <= s->n)
		v = adds ? s->slot[n - 1].adds : s->slot[n - 1].removes;
	pthread_mutex_unlock(&s->lock);
	return v;
}

unsigned usbsim_adds(struct usbsim *s, unsigned n) { return slot_counter(s, n, true); }
unsigned usbsim_removes(struct usbsim *s, unsigned n) { return slot_counter(s, n, false); }

bool usbsim_wait_present(struct usbsim *s, unsigned n, bool present, unsigned timeout_ms)
{
	uint64_t end = usbsim_now_us() + (uint64_t)timeout_ms * 1000u;

	for (;;) {
		bool now;

		pthread_mutex_lock(&s->lock);
		now = n >= 1 && n <= s->n && s->slot[n - 1].listed;
		pthread_mutex_unlock(&s->lock);
		if (now == present)
			return true;
		if (usbsim_now_us() >= end)
			return false;
		usbsim_kick(s);
		nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
	}
}
