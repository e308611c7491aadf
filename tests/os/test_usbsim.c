/* SPDX-License-Identifier: MIT */
/*
 * test_usbsim.c - the emulated USB bus (src/romsim/usbsim.c) driven in-process
 * through the real libusb: enumeration and descriptors, DfuSe transfers,
 * STALL and busy errors, leave with hotplug "left", re-enumeration after an
 * option-byte write, two devices. The umockdev preload is linked in
 * (mk/usb.mk), so this process's libusb sees the testbed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <libusb.h>
#include <umockdev.h>

#include "usbsim_priv.h"

#define TO 1000

struct fx {
	struct board *b[2];
	struct usbsim *sim;
	libusb_context *ctx;
	libusb_device_handle *h;
	int arrived, left;
};

static struct fx *fx_new(unsigned n)
{
	struct fx *f = test_calloc(1, sizeof(*f));
	struct usbsim_config sc = { 0 };
	struct board_config bc = { 0 };
	struct dfu_dev_config dc = { 0 };

	f->sim = usbsim_new(&sc);
	assert_non_null(f->sim);
	for (unsigned i = 0; i < n; i++) {
		f->b[i] = board_new(&bc);
		assert_non_null(f->b[i]);
		assert_int_equal(usbsim_add(f->sim, f->b[i], &dc), (int)i + 1);
		assert_true(usbsim_wait_present(f->sim, i + 1, true, 5000));
	}
	/* Fail loudly without the preload: libusb would just see no device. */
	assert_true(umockdev_in_mock_environment());
	assert_int_equal(libusb_init(&f->ctx), 0);
	return f;
}

static void fx_free(struct fx *f)
{
	if (f->h)
		libusb_close(f->h);
	libusb_exit(f->ctx);
	usbsim_free(f->sim);
	for (unsigned i = 0; i < 2; i++)
		board_free(f->b[i]);
	test_free(f);
}

static int setup1(void **state)
{
	*state = fx_new(1);
	return 0;
}

static int teardown(void **state)
{
	fx_free(*state);
	return 0;
}

/* The first 0483:df11 device (with its reference), NULL if none. */
static libusb_device *find_dev(struct fx *f, int *count)
{
	libusb_device **list, *found = NULL;
	ssize_t n = libusb_get_device_list(f->ctx, &list);

	*count = 0;
	for (ssize_t i = 0; i < n; i++) {
		struct libusb_device_descriptor dd;

		libusb_get_device_descriptor(list[i], &dd);
		if (dd.idVendor == 0x0483 && dd.idProduct == 0xdf11) {
			if (!found)
				found = libusb_ref_device(list[i]);
			(*count)++;
		}
	}
	libusb_free_device_list(list, 1);
	return found;
}

static libusb_device_handle *open_claim(struct fx *f)
{
	int count;
	libusb_device *dev = find_dev(f, &count);
	libusb_device_handle *h;

	assert_non_null(dev);
	assert_int_equal(libusb_open(dev, &h), 0);
	libusb_unref_device(dev);
	assert_int_equal(libusb_claim_interface(h, 0), 0);
	return h;
}

static int ctl(libusb_device_handle *h, uint8_t type, uint8_t req, uint16_t val, uint8_t *data,
	       uint16_t len)
{
	return libusb_control_transfer(h, type, req, val, 0, data, len, TO);
}

static int getstatus(libusb_device_handle *h, uint8_t *status)
{
	uint8_t r[6];

	assert_int_equal(ctl(h, 0xA1, 3, 0, r, 6), 6);
	if (status)
		*status = r[0];
	return r[4];
}

static uint8_t command(libusb_device_handle *h, uint16_t block, uint8_t *data, uint16_t len)
{
	uint8_t st;

	assert_int_equal(ctl(h, 0x21, 1, block, data, len), len);
	assert_int_equal(getstatus(h, NULL), 4);
	getstatus(h, &st);
	return st;
}

static uint8_t cmd_addr(libusb_device_handle *h, uint8_t op, uint32_t a)
{
	uint8_t c[5] = { op, (uint8_t)a, (uint8_t)(a >> 8), (uint8_t)(a >> 16), (uint8_t)(a >> 24) };

	return command(h, 0, c, 5);
}

/* ---- tests ---- */

static void test_enumeration(void **state)
{
	struct fx *f = *state;
	const uint8_t func[9] = { 0x09, 0x21, 0x0B, 0xFF, 0x00, 0x00, 0x08, 0x1A, 0x01 };
	struct libusb_device_descriptor dd;
	struct libusb_config_descriptor *cfg;
	uint8_t ports[8];
	int count;
	libusb_device *dev = find_dev(f, &count);

	assert_non_null(dev);
	assert_int_equal(count, 1);
	assert_int_equal(libusb_get_device_descriptor(dev, &dd), 0);
	assert_int_equal(dd.bcdDevice, 0x2200);
	assert_int_equal(libusb_get_bus_number(dev), 1);
	assert_int_equal(libusb_get_port_numbers(dev, ports, 8), 1);
	assert_int_equal(ports[0], 1);
	assert_int_equal(libusb_get_device_speed(dev), LIBUSB_SPEED_FULL);
	assert_int_equal(libusb_get_active_config_descriptor(dev, &cfg), 0);
	assert_int_equal(cfg->bNumInterfaces, 1);
	assert_int_equal(cfg->bmAttributes, 0xC0);   /* self-powered, as captured ROMs (issue 8) */
	assert_int_equal(cfg->interface[0].num_altsetting, 3);
	assert_int_equal(cfg->interface[0].altsetting[2].extra_length, 9);
	assert_memory_equal(cfg->interface[0].altsetting[2].extra, func, 9);
	libusb_free_config_descriptor(cfg);
	libusb_unref_device(dev);
}

static void test_strings(void **state)
{
	struct fx *f = *state;
	unsigned char s[128];
	libusb_device_handle *h = f->h = open_claim(f);

	assert_true(libusb_get_string_descriptor_ascii(h, 2, s, sizeof(s)) > 0);
	assert_string_equal((char *)s, "STM32  BOOTLOADER");
	assert_true(libusb_get_string_descriptor_ascii(h, 1, s, sizeof(s)) > 0);
	assert_string_equal((char *)s, "STMicroelectronics");
	assert_int_equal(libusb_get_string_descriptor_ascii(h, 3, s, sizeof(s)), 12);
	assert_true(libusb_get_string_descriptor_ascii(h, 4, s, sizeof(s)) > 0);
	assert_string_equal((char *)s, "@Internal Flash  /0x08000000/512*0004Kg");
	assert_true(libusb_get_string_descriptor_ascii(h, 5, s, sizeof(s)) > 0);
	assert_string_equal((char *)s, "@Option Bytes  /0x1FF00000/01*040 e/0x1FF01000/01*040 e");
}

static void test_download_upload(void **state)
{
	struct fx *f = *state;
	uint8_t data[2048], back[2048];
	libusb_device_handle *h = f->h = open_claim(f);

	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i ^ 0x5A);
	assert_int_equal(libusb_set_interface_alt_setting(h, 0, 0), 0);
	assert_int_equal(getstatus(h, NULL), 2);
	assert_int_equal(cmd_addr(h, 0x41, 0x08010000), 0);
	assert_int_equal(cmd_addr(h, 0x21, 0x08010000), 0);
	assert_int_equal(command(h, 2, data, 2048), 0);
	assert_int_equal(ctl(h, 0x21, 6, 0, NULL, 0), 0);
	assert_int_equal(ctl(h, 0xA1, 2, 2, back, 2048), 2048);
	assert_memory_equal(back, data, 2048);
	usbsim_lock(f->sim);
	assert_int_equal(board_read(f->b[0], 0x08010000, back, 2048), BOARD_OK);
	usbsim_unlock(f->sim);
	assert_memory_equal(back, data, 2048);
}

static void test_stall_is_pipe(void **state)
{
	struct fx *f = *state;
	uint8_t st;
	libusb_device_handle *h = f->h = open_claim(f);

	assert_int_equal(ctl(h, 0x21, 4, 0, NULL, 0), LIBUSB_ERROR_PIPE);   /* CLRSTATUS in dfuIDLE */
	assert_int_equal(getstatus(h, &st), 10);
	assert_int_equal(st, 0x0F);
	assert_int_equal(ctl(h, 0x21, 4, 0, NULL, 0), 0);
	assert_int_equal(libusb_set_interface_alt_setting(h, 0, 3), LIBUSB_ERROR_NOT_FOUND);
}

static void test_busy(void **state)
{
	struct fx *f = *state;
	int count;
	libusb_device *dev = find_dev(f, &count);
	libusb_device_handle *h2;

	f->h = open_claim(f);
	assert_int_equal(libusb_open(dev, &h2), 0);
	libusb_unref_device(dev);
	assert_int_equal(libusb_claim_interface(h2, 0), LIBUSB_ERROR_BUSY);
	libusb_close(h2);
}

static int LIBUSB_CALL hotplug_cb(libusb_context *ctx, libusb_device *dev,
				  libusb_hotplug_event ev, void *user)
{
	struct fx *f = user;

	(void)ctx;
	(void)dev;
	if (ev == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED)
		f->arrived++;
	else
		f->left++;
	return 0;
}

/*
 * Pump libusb events until *counter reaches want, 5 s at most by the clock:
 * an open handle's emulated node always polls ready, so a call may return
 * at once.
 */
static bool wait_event(struct fx *f, int *counter, int want)
{
	struct timeval tv = { 0, 20000 };
	uint64_t end = usbsim_now_us() + 5000000u;

	while (*counter < want && usbsim_now_us() < end) {
		libusb_handle_events_timeout_completed(f->ctx, &tv, NULL);
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
	return *counter >= want;
}

static void hotplug(struct fx *f)
{
	libusb_hotplug_callback_handle cb;

	assert_true(libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG));
	assert_int_equal(libusb_hotplug_register_callback(f->ctx,
		LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT, 0,
		0x0483, 0xdf11, LIBUSB_HOTPLUG_MATCH_ANY, hotplug_cb, f, &cb), 0);
}

static void test_leave(void **state)
{
	struct fx *f = *state;
	uint8_t vec[8] = { 0x00, 0x00, 0x01, 0x20, 0x01, 0x41, 0x00, 0x08 }, r[6];
	libusb_device_handle *h = f->h = open_claim(f);
	int count;

	hotplug(f);
	assert_int_equal(cmd_addr(h, 0x21, 0x08004000), 0);
	assert_int_equal(command(h, 2, vec, 8), 0);
	assert_int_equal(cmd_addr(h, 0x21, 0x08004000), 0);
	assert_int_equal(ctl(h, 0x21, 1, 0, NULL, 0), 0);
	assert_int_equal(ctl(h, 0xA1, 3, 0, r, 6), 6);
	assert_int_equal(r[4], 7);   /* dfuMANIFEST */
	assert_int_equal(ctl(h, 0xA1, 3, 0, r, 6), LIBUSB_ERROR_NO_DEVICE);
	assert_true(wait_event(f, &f->left, 1));
	assert_null(find_dev(f, &count));
	assert_int_equal(count, 0);
	usbsim_lock(f->sim);
	assert_int_equal(board_mode(f->b[0]), BOARD_MODE_APP);
	assert_int_equal(board_app_entry(f->b[0]), 0x08004000);
	usbsim_unlock(f->sim);
	assert_int_equal(f->arrived, 0);
}

static void test_reenumeration(void **state)
{
	struct fx *f = *state;
	const uint32_t optr = 0xFFEFF8AAu & ~(1u << 22);   /* single bank */
	uint8_t ob[40], r[6];
	unsigned char s[128];
	libusb_device_handle *h = f->h = open_claim(f);
	int count, old_addr = libusb_get_device_address(libusb_get_device(h));
	libusb_device *dev;

	hotplug(f);
	memset(ob, 0xFF, sizeof(ob));
	for (int i = 0; i < 4; i++) {
		ob[i] = (uint8_t)(optr >> (8 * i));
		ob[4 + i] = (uint8_t)(~optr >> (8 * i));
	}
	assert_int_equal(libusb_set_interface_alt_setting(h, 0, 1), 0);
	assert_int_equal(cmd_addr(h, 0x21, 0x1FF00000), 0);
	assert_int_equal(ctl(h, 0x21, 1, 2, ob, 40), 40);
	assert_int_equal(ctl(h, 0xA1, 3, 0, r, 6), 6);
	assert_int_equal(r[4], 4);   /* dfuDNBUSY, then the reset */
	assert_true(wait_event(f, &f->left, 1));
	assert_true(wait_event(f, &f->arrived, 1));
	libusb_close(h);
	f->h = NULL;
	dev = find_dev(f, &count);
	assert_non_null(dev);
	assert_int_equal(count, 1);
	assert_int_not_equal(libusb_get_device_address(dev), old_addr);
	assert_int_equal(libusb_open(dev, &f->h), 0);
	libusb_unref_device(dev);
	assert_true(libusb_get_string_descriptor_ascii(f->h, 4, s, sizeof(s)) > 0);
	assert_string_equal((char *)s, "@Internal Flash  /0x08000000/256*0008Kg");
	assert_int_equal(usbsim_adds(f->sim, 1), 2);
	assert_int_equal(usbsim_removes(f->sim, 1), 1);
}

static void test_two_devices(void **state)
{
	struct fx *f = fx_new(2);
	libusb_device **list;
	ssize_t n = libusb_get_device_list(f->ctx, &list);
	char serial[2][32];
	int seen = 0;

	(void)state;
	assert_int_equal(n, 2);
	for (ssize_t i = 0; i < n; i++) {
		uint8_t port;
		libusb_device_handle *h;
		struct libusb_device_descriptor dd;

		assert_int_equal(libusb_get_port_numbers(list[i], &port, 1), 1);
		assert_true(port == 1 || port == 2);
		seen |= 1 << port;
		libusb_get_device_descriptor(list[i], &dd);
		assert_int_equal(libusb_open(list[i], &h), 0);
		assert_int_equal(libusb_get_string_descriptor_ascii(h, dd.iSerialNumber,
			(unsigned char *)serial[port - 1], sizeof(serial[0])), 12);
		libusb_close(h);
	}
	libusb_free_device_list(list, 1);
	assert_int_equal(seen, 6);
	assert_string_not_equal(serial[0], serial[1]);
	fx_free(f);
}

static void call_abort(void *arg)
{
	(*(int *)arg)++;
	abort();
}

static void call_fine(void *arg)
{
	(*(int *)arg)++;
}

/* umockdev's uevent sender may abort() when a client exits under it
 * (src/romsim/usbsim_guard.c): a guarded call survives that, and can repeat. */
static void test_guard_survives_abort(void **state)
{
	int n = 0;

	(void)state;
	assert_false(usbsim_guarded(call_abort, &n));
	assert_false(usbsim_guarded(call_abort, &n));
	assert_true(usbsim_guarded(call_fine, &n));
	assert_int_equal(n, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enumeration, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_strings, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_download_upload, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_stall_is_pipe, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_busy, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_leave, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_reenumeration, setup1, teardown),
		cmocka_unit_test(test_two_devices),
		cmocka_unit_test(test_guard_survives_abort),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
