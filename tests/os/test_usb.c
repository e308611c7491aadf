/* SPDX-License-Identifier: MIT */
/*
 * test_usb.c - the libusb backend (src/usb/) and the DfuSe engine through
 * real libusb, against the virtual board's emulated USB devices. Run under
 * `romsim usb [OPTIONS] -- usb_os_test SCENARIO`; tests/cli/usb_transport.sh
 * runs every scenario with the romsim options it needs:
 *
 *   one     1 device, default board       listing, selection, erase/write/
 *                                         verify/read, errTARGET, busy, leave
 *   multi   --devices 3                   ambiguity error, --path, --index
 *   rdp     --rdp 1                       errVENDOR -> SB_ERR_PROTECTED
 *   quirks  --faults busystall=2,starterr STALLed GETSTATUS, dfuERROR at start
 *   vanish  --faults vanish=N             device gone mid-write, address named
 *   faults  --faults stall=P,status=P     random STALLs and failed blocks: the
 *                                         job still ends verified
 *   reenum  --reenum-ms 1500              after leave the ROM comes back (blank
 *                                         flash, BOOT0 high): --wait finds it
 *
 * $USB_TEST_OUT, if set, names a file where `one` writes the image it
 * flashed at IMG_ADDR, for the script to compare with the board state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfuse.h"
#include "dfuse_layout.h"
#include "usb.h"
#include "usb_int.h"

#define IMG_ADDR 0x08002000u
#define IMG_LEN 10000u

static uint8_t img_data[IMG_LEN];

static void make_image(struct sb_image *img, struct sb_segment *seg)
{
	for (size_t i = 0; i < IMG_LEN; i++)
		img_data[i] = (uint8_t)(i * 13 + (i >> 8));
	*seg = (struct sb_segment){ IMG_ADDR, IMG_LEN, img_data };
	*img = (struct sb_image){ .seg = seg, .nseg = 1, .cap = 1 };
}

static struct sb_usb_select sel_default(void)
{
	struct sb_usb_select sel;

	sb_usb_select_default(&sel);
	return sel;
}

/* An engine on an opened device, alt 0 selected, in dfuIDLE. */
struct rig {
	struct sb_usb usb;
	struct sb_usb_device dev;
	struct dfuse *d;
	struct sb_diag diag;
};

static void rig_open(struct rig *r, const struct sb_usb_select *sel)
{
	struct dfuse_config cfg = { 0 };
	int rc;

	memset(r, 0, sizeof(*r));
	rc = sb_usb_open(sel, &r->usb, &r->dev, &r->diag);
	if (rc)
		fail_msg("open: %s", r->diag.msg);
	cfg.interface = r->dev.interface;
	cfg.transfer_size = r->dev.func.transfer_size;
	r->d = dfuse_new(&r->usb, &cfg);
	assert_non_null(r->d);
	assert_int_equal(dfuse_set_alt(r->d, 0, &r->diag), SB_OK);
	rc = dfuse_start(r->d, &r->diag);
	if (rc)
		fail_msg("start: %s", r->diag.msg);
}

static void rig_close(struct rig *r)
{
	dfuse_free(r->d);
	r->usb.ops->close(r->usb.h);
}

/* ---- one ------------------------------------------------------------------- */

static void test_list_describes_rom(void **state)
{
	struct sb_usb_select sel = sel_default();
	struct sb_usb_device *devs = NULL;
	struct sb_diag diag = { 0 };
	size_t n = 0;

	(void)state;
	assert_int_equal(sb_usb_list(&sel, &devs, &n, &diag), SB_OK);
	assert_int_equal(n, 1);
	assert_int_equal(devs[0].vid, 0x0483);
	assert_int_equal(devs[0].pid, 0xDF11);
	assert_int_equal(devs[0].bcd_device, 0x2200);
	assert_string_equal(devs[0].path, "1-1");
	assert_string_equal(devs[0].manufacturer, "STMicroelectronics");
	assert_string_equal(devs[0].product, "STM32  BOOTLOADER");
	assert_int_equal(strlen(devs[0].serial), 12);
	assert_int_equal(devs[0].strings_err, SB_OK);
	assert_true(devs[0].func.present);
	assert_int_equal(devs[0].func.attributes, 0x0B);
	assert_int_equal(devs[0].func.detach_timeout_ms, 255);
	assert_int_equal(devs[0].func.transfer_size, 2048);
	assert_int_equal(devs[0].func.bcd_dfu, 0x011A);
	assert_int_equal(devs[0].nalts, 3);
	assert_string_equal(devs[0].alts[0].name, "@Internal Flash  /0x08000000/512*0004Kg");
	assert_string_equal(devs[0].alts[1].name,
			    "@Option Bytes  /0x1FF00000/01*040 e/0x1FF01000/01*040 e");
	assert_string_equal(devs[0].alts[2].name, "@OTP Memory /0x1FFF7000/01*0001Ke");
	for (size_t i = 0; i < devs[0].nalts; i++) {
		struct dfuse_layout l;
		assert_int_equal(devs[0].alts[i].alt, i);
		assert_int_equal(dfuse_layout_parse(&l, devs[0].alts[i].name, &diag), SB_OK);
		dfuse_layout_free(&l);
	}
	free(devs);
}

static void test_any_id_lists_it_too(void **state)
{
	struct sb_usb_select sel = sel_default();
	struct sb_usb_device *devs = NULL;
	size_t n = 0;

	(void)state;
	sel.vid = sel.pid = -1;
	assert_int_equal(sb_usb_list(&sel, &devs, &n, NULL), SB_OK);
	assert_int_equal(n, 1);
	free(devs);
}

static void test_select_by_serial_path_index(void **state)
{
	struct sb_usb_select sel = sel_default();
	struct sb_usb_device *devs = NULL;
	struct sb_usb_device dev;
	struct sb_usb usb;
	struct sb_diag diag = { 0 };
	size_t n = 0;
	char serial[128];

	(void)state;
	assert_int_equal(sb_usb_list(&sel, &devs, &n, &diag), SB_OK);
	assert_int_equal(n, 1);
	strcpy(serial, devs[0].serial);
	free(devs);

	sel.serial = serial;
	assert_int_equal(sb_usb_open(&sel, &usb, &dev, &diag), SB_OK);
	assert_string_equal(dev.serial, serial);
	usb.ops->close(usb.h);

	sel = sel_default();
	sel.path = "1-1";
	assert_int_equal(sb_usb_open(&sel, &usb, NULL, &diag), SB_OK);
	usb.ops->close(usb.h);

	sel = sel_default();
	sel.index = 0;
	assert_int_equal(sb_usb_open(&sel, &usb, NULL, &diag), SB_OK);
	usb.ops->close(usb.h);

	sel.index = 1;
	assert_int_equal(sb_usb_open(&sel, &usb, NULL, &diag), SB_ERR_NO_DEVICE);
	assert_non_null(strstr(diag.msg, "no device #1"));

	sel = sel_default();
	sel.serial = "NOSUCHSERIAL";
	assert_int_equal(sb_usb_open(&sel, &usb, NULL, &diag), SB_ERR_NO_DEVICE);
	assert_non_null(strstr(diag.msg, "with serial NOSUCHSERIAL"));

	sel = sel_default();
	sel.path = "1-2";
	assert_int_equal(sb_usb_open(&sel, &usb, NULL, &diag), SB_ERR_NO_DEVICE);
	assert_non_null(strstr(diag.msg, "at path 1-2"));
}

static void test_wait_for_absent_device(void **state)
{
	struct sb_usb_select sel = sel_default();
	struct sb_usb usb;
	struct sb_diag diag = { 0 };

	(void)state;
	assert_int_equal(sb_usb_parse_id("1234:5678", &sel.vid, &sel.pid, &diag), SB_OK);
	sel.wait_s = 1;
	assert_int_equal(sb_usb_open(&sel, &usb, NULL, &diag), SB_ERR_NO_DEVICE);
	assert_non_null(strstr(diag.msg, "1234:5678"));
	assert_non_null(strstr(diag.msg, "in time"));
}

static void test_parse_id(void **state)
{
	int vid = 0, pid = 0;

	(void)state;
	assert_int_equal(sb_usb_parse_id("0483:DF11", &vid, &pid, NULL), SB_OK);
	assert_int_equal(vid, 0x0483);
	assert_int_equal(pid, 0xDF11);
	assert_int_equal(sb_usb_parse_id("0483:", &vid, &pid, NULL), SB_OK);
	assert_int_equal(pid, -1);
	assert_int_equal(sb_usb_parse_id("*:df11", &vid, &pid, NULL), SB_OK);
	assert_int_equal(vid, -1);
	assert_int_equal(sb_usb_parse_id("0483df11", &vid, &pid, NULL), SB_ERR_BAD_INPUT);
	assert_int_equal(sb_usb_parse_id("0483:df1g", &vid, &pid, NULL), SB_ERR_BAD_INPUT);
	assert_int_equal(sb_usb_parse_id("10483:df11", &vid, &pid, NULL), SB_ERR_BAD_INPUT);
}

/* libusb codes are translated at this edge, with messages that say what to do. */
static void test_error_translation(void **state)
{
	struct sb_usb_device d = { .vid = 0x0483, .pid = 0xDF11, .path = "1-4", .bus = 1,
				   .address = 7 };
	struct sb_diag diag = { 0 };

	(void)state;
	assert_int_equal(sb_usb_err(LIBUSB_ERROR_PIPE), SB_ERR_NACK);
	assert_int_equal(sb_usb_err(LIBUSB_ERROR_TIMEOUT), SB_ERR_TIMEOUT);
	assert_int_equal(sb_usb_err(LIBUSB_ERROR_NO_DEVICE), SB_ERR_NO_DEVICE);
	assert_int_equal(sb_usb_err(LIBUSB_ERROR_IO), SB_ERR_IO);
	assert_int_equal(sb_usb_fail(&diag, LIBUSB_ERROR_ACCESS, &d, "opening"),
			 SB_ERR_NO_DEVICE);
	assert_non_null(strstr(diag.msg, "0483:df11 at 1-4"));
	assert_non_null(strstr(diag.msg, "permission denied"));
	assert_non_null(strstr(diag.msg, "udev/" SB_UDEV_RULE));
	assert_non_null(strstr(diag.msg, SB_UDEV_RULES_DIR));
	assert_int_equal(sb_usb_fail(&diag, LIBUSB_ERROR_BUSY, &d, "claiming"), SB_ERR_NO_DEVICE);
	assert_non_null(strstr(diag.msg, "held by another program"));
	assert_int_equal(sb_usb_fail(&diag, LIBUSB_ERROR_NO_DEVICE, &d, "opening"),
			 SB_ERR_NO_DEVICE);
	assert_non_null(strstr(diag.msg, "device gone"));
}

static void save_image(void)
{
	const char *path = getenv("USB_TEST_OUT");
	FILE *f;

	if (!path)
		return;
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(img_data, 1, IMG_LEN, f), IMG_LEN);
	fclose(f);
}

static void test_erase_write_verify_read(void **state)
{
	struct rig r;
	struct sb_image img;
	struct sb_segment seg;
	struct dfuse_layout l;
	uint32_t *pages;
	size_t npages, got = 0;
	uint8_t cmds[8], back[100];
	size_t ncmds = 0;

	(void)state;
	make_image(&img, &seg);
	rig_open(&r, &(struct sb_usb_select){ .vid = 0x0483, .pid = 0xDF11, .index = -1 });
	assert_int_equal(dfuse_transfer_size(r.d), 2048);
	assert_int_equal(dfuse_get_commands(r.d, cmds, sizeof(cmds), &ncmds, &r.diag), SB_OK);
	assert_int_equal(ncmds, 4);
	assert_memory_equal(cmds, ((const uint8_t[]){ 0x00, 0x21, 0x41, 0x92 }), 4);
	assert_int_equal(dfuse_layout_parse(&l, r.dev.alts[0].name, &r.diag), SB_OK);
	assert_int_equal(dfuse_layout_pages(&l, &img, &pages, &npages, &r.diag), SB_OK);
	assert_int_equal(npages, 3);
	if (dfuse_erase_pages(r.d, pages, npages, &r.diag) ||
	    dfuse_write_image(r.d, &img, &l, &r.diag) || dfuse_verify_image(r.d, &img, &r.diag))
		fail_msg("%s", r.diag.msg);
	assert_int_equal(dfuse_read(r.d, IMG_ADDR + 50, back, sizeof(back), &got, &r.diag), SB_OK);
	assert_int_equal(got, sizeof(back));
	assert_memory_equal(back, img_data + 50, sizeof(back));
	save_image();
	/*
	 * Writing programmed flash again: the device fails the block; the
	 * read-back finds the same data (done) or other data (an error naming
	 * the address), never a second programming.
	 */
	if (dfuse_write(r.d, IMG_ADDR + 2048, img_data + 2048, 16, &r.diag))
		fail_msg("%s", r.diag.msg);
	assert_int_equal(dfuse_write(r.d, IMG_ADDR, (const uint8_t[8]){ 0 }, 8, &r.diag),
			 SB_ERR_NACK);
	assert_true(r.diag.has_addr);
	assert_int_equal(r.diag.addr, IMG_ADDR);
	assert_non_null(strstr(r.diag.msg, "erase the page"));
	assert_int_equal(dfuse_verify_image(r.d, &img, &r.diag), SB_OK);
	free(pages);
	dfuse_layout_free(&l);
	rig_close(&r);
}

static void test_bad_address_is_errtarget(void **state)
{
	struct rig r;
	struct sb_usb_select sel = sel_default();

	(void)state;
	rig_open(&r, &sel);
	assert_int_equal(dfuse_erase_page(r.d, 0x09000000, &r.diag), SB_ERR_BAD_INPUT);
	assert_non_null(strstr(r.diag.msg, "0x09000000"));
	assert_non_null(strstr(r.diag.msg, "errTARGET"));
	assert_int_equal(dfuse_start(r.d, &r.diag), SB_OK);
	rig_close(&r);
}

static void test_busy_interface(void **state)
{
	struct rig r;
	struct sb_usb_select sel = sel_default();
	struct sb_usb usb;
	struct sb_diag diag = { 0 };

	(void)state;
	rig_open(&r, &sel);
	assert_int_equal(sb_usb_open(&sel, &usb, NULL, &diag), SB_ERR_NO_DEVICE);
	assert_non_null(strstr(diag.msg, "held by another program"));
	rig_close(&r);
}

static void test_leave(void **state)
{
	struct rig r;
	struct sb_usb_select sel = sel_default();

	(void)state;
	rig_open(&r, &sel);
	if (dfuse_leave(r.d, 0x08000000, &r.diag))
		fail_msg("%s", r.diag.msg);
	rig_close(&r);
}

/* ---- multi ----------------------------------------------------------------- */

static void test_multi_list_sorted(void **state)
{
	struct sb_usb_select sel = sel_default();
	struct sb_usb_device *devs = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(sb_usb_list(&sel, &devs, &n, NULL), SB_OK);
	assert_int_equal(n, 3);
	assert_string_equal(devs[0].path, "1-1");
	assert_string_equal(devs[1].path, "1-2");
	assert_string_equal(devs[2].path, "1-3");
	assert_string_not_equal(devs[0].serial, devs[1].serial);
	assert_string_not_equal(devs[1].serial, devs[2].serial);
	free(devs);
}

static void test_multi_ambiguous(void **state)
{
	struct sb_usb_select sel = sel_default();
	struct sb_usb usb;
	struct sb_diag diag = { 0 };

	(void)state;
	assert_int_equal(sb_usb_open(&sel, &usb, NULL, &diag), SB_ERR_NO_DEVICE);
	assert_non_null(strstr(diag.msg, "3 of DFU device 0483:df11 found"));
	assert_non_null(strstr(diag.msg, "--serial, --path or --index"));
	assert_non_null(strstr(diag.msg, "#0 path=1-1"));
	assert_non_null(strstr(diag.msg, "#2 path=1-3"));
}

static void test_multi_select(void **state)
{
	struct sb_usb_select sel = sel_default();
	struct sb_usb_device *devs = NULL, dev;
	struct sb_usb usb;
	struct sb_diag diag = { 0 };
	size_t n = 0;

	(void)state;
	assert_int_equal(sb_usb_list(&sel, &devs, &n, NULL), SB_OK);
	sel.index = 2;
	assert_int_equal(sb_usb_open(&sel, &usb, &dev, &diag), SB_OK);
	assert_string_equal(dev.path, "1-3");
	usb.ops->close(usb.h);
	sel = sel_default();
	sel.path = "1-2";
	assert_int_equal(sb_usb_open(&sel, &usb, &dev, &diag), SB_OK);
	assert_string_equal(dev.serial, devs[1].serial);
	usb.ops->close(usb.h);
	sel = sel_default();
	sel.serial = devs[0].serial;
	assert_int_equal(sb_usb_open(&sel, &usb, &dev, &diag), SB_OK);
	assert_string_equal(dev.path, "1-1");
	usb.ops->close(usb.h);
	free(devs);
}

/* ---- rdp, quirks, vanish ----------------------------------------------------- */

static void test_rdp_read_is_protected(void **state)
{
	struct rig r;
	struct sb_usb_select sel = sel_default();
	uint8_t buf[64];

	(void)state;
	rig_open(&r, &sel);
	assert_int_equal(dfuse_read(r.d, 0x08000000, buf, sizeof(buf), NULL, &r.diag),
			 SB_ERR_PROTECTED);
	assert_non_null(strstr(r.diag.msg, "errVENDOR"));
	rig_close(&r);
}

static void test_quirks_write_verify(void **state)
{
	struct rig r;
	struct sb_usb_select sel = sel_default();
	struct sb_image img;
	struct sb_segment seg;
	const uint32_t pages[3] = { 0x08002000, 0x08003000, 0x08004000 };

	(void)state;
	make_image(&img, &seg);
	rig_open(&r, &sel);  /* starts in dfuERROR: dfuse_start clears it */
	if (dfuse_erase_pages(r.d, pages, 3, &r.diag) ||
	    dfuse_write_image(r.d, &img, NULL, &r.diag) || dfuse_verify_image(r.d, &img, &r.diag))
		fail_msg("%s", r.diag.msg);
	rig_close(&r);
}

static void test_vanish_mid_write(void **state)
{
	struct rig r;
	struct sb_usb_select sel = sel_default();
	struct sb_image img;
	struct sb_segment seg;
	int rc;

	(void)state;
	make_image(&img, &seg);
	rig_open(&r, &sel);
	rc = dfuse_write_image(r.d, &img, NULL, &r.diag);
	assert_int_equal(rc, SB_ERR_NO_DEVICE);
	assert_true(r.diag.has_addr);
	assert_non_null(strstr(r.diag.msg, "device gone"));
	assert_true(r.diag.addr >= IMG_ADDR && r.diag.addr < IMG_ADDR + IMG_LEN);
	rig_close(&r);
}

static void test_wait_for_reenumeration(void **state)
{
	struct rig r, again;
	struct sb_usb_select sel = sel_default();

	(void)state;
	rig_open(&r, &sel);
	if (dfuse_leave(r.d, 0x08000000, &r.diag))
		fail_msg("%s", r.diag.msg);
	rig_close(&r);
	sel.wait_s = 20;
	rig_open(&again, &sel);  /* waits while the device is off the bus */
	assert_int_equal(again.dev.nalts, 3);
	rig_close(&again);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest one[] = {
		cmocka_unit_test(test_parse_id),
		cmocka_unit_test(test_error_translation),
		cmocka_unit_test(test_list_describes_rom),
		cmocka_unit_test(test_any_id_lists_it_too),
		cmocka_unit_test(test_select_by_serial_path_index),
		cmocka_unit_test(test_wait_for_absent_device),
		cmocka_unit_test(test_erase_write_verify_read),
		cmocka_unit_test(test_bad_address_is_errtarget),
		cmocka_unit_test(test_busy_interface),
		cmocka_unit_test(test_leave),
	};
	const struct CMUnitTest multi[] = {
		cmocka_unit_test(test_multi_list_sorted),
		cmocka_unit_test(test_multi_ambiguous),
		cmocka_unit_test(test_multi_select),
	};
	const struct CMUnitTest rdp[] = { cmocka_unit_test(test_rdp_read_is_protected) };
	const struct CMUnitTest quirks[] = { cmocka_unit_test(test_quirks_write_verify) };
	const struct CMUnitTest vanish[] = { cmocka_unit_test(test_vanish_mid_write) };
	const struct CMUnitTest faults[] = { cmocka_unit_test(test_quirks_write_verify) };
	const struct CMUnitTest reenum[] = { cmocka_unit_test(test_wait_for_reenumeration) };
	const char *s = argc > 1 ? argv[1] : "";

	if (argc > 2)
		cmocka_set_test_filter(argv[2]);  /* one test by name, for debugging */

	if (!strcmp(s, "one"))
		return cmocka_run_group_tests_name("usb one", one, NULL, NULL);
	if (!strcmp(s, "multi"))
		return cmocka_run_group_tests_name("usb multi", multi, NULL, NULL);
	if (!strcmp(s, "rdp"))
		return cmocka_run_group_tests_name("usb rdp", rdp, NULL, NULL);
	if (!strcmp(s, "quirks"))
		return cmocka_run_group_tests_name("usb quirks", quirks, NULL, NULL);
	if (!strcmp(s, "vanish"))
		return cmocka_run_group_tests_name("usb vanish", vanish, NULL, NULL);
	if (!strcmp(s, "faults"))
		return cmocka_run_group_tests_name("usb faults", faults, NULL, NULL);
	if (!strcmp(s, "reenum"))
		return cmocka_run_group_tests_name("usb reenum", reenum, NULL, NULL);
	fprintf(stderr, "usage: usb_os_test one|multi|rdp|quirks|vanish|faults|reenum "
		"(under romsim usb)\n");
	return 2;
}
