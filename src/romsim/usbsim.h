/* SPDX-License-Identifier: MIT */
/*
 * usbsim.h - emulated DfuSe devices (sim/dfu_dev.h) on an emulated USB bus:
 * a umockdev testbed whose usbdevfs nodes answer libusb's ioctls.
 *
 * What libusb sees (see ../shared/reference/testing-without-hardware.md §1):
 * bus 001, device k at sysfs /sys/devices/pci0000:00/0000:00:14.0/usb1/1-k
 * (port path "1-k") with node /dev/bus/usb/001/NNN; the descriptors come
 * from sysfs, strings and DFU requests go through control URBs. Each device
 * is backed by a struct board the caller owns.
 *
 * Who can use it: code in a process that has libumockdev-preload loaded
 * (in-process tests: link with -Wl,--no-as-needed -lumockdev-preload), or a
 * child process started with LD_PRELOAD=libumockdev-preload.so.0 and the
 * UMOCKDEV_DIR that usbsim_new() puts in the environment (romsim usb does
 * this). Without the preload libusb silently sees no device: check
 * umockdev_in_mock_environment() or the device count.
 *
 * Bus events: when a model leaves the bus (leave, Read Unprotect,
 * option-byte write, a board reset or mode change made through the board,
 * or a "vanish" fault) its node answers ENODEV at once and a service thread
 * sends the udev "remove" event and removes it from sysfs. When the board is
 * back in ROM mode (reset with BOOT0 high) it is added again, after
 * reenum_ms, with a new device number, as a real re-enumeration does.
 *
 * Threads: umockdev's worker thread runs the ioctl handler; usbsim runs a
 * service thread (bus events) and, with timing, a completion thread that
 * answers each transfer at the time the model says. All model and board
 * access happens under one lock: take usbsim_lock() around your own
 * accesses to a board or device while the bus exists.
 *
 * Ownership: usbsim_new() returns a bus freed with usbsim_free(), which
 * removes the testbed directory. Boards stay the caller's and must outlive
 * the bus; the device models are the bus's.
 */
#ifndef USBSIM_H
#define USBSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adapter.h"
#include "board.h"
#include "dfu_dev.h"

#define USBSIM_MAX_DEVICES 16

struct usbsim_config {
	bool timing;             /* answer transfers at the model's times (dfu_dev.h) */
	unsigned reenum_ms;      /* delay before a device that reset into the ROM reappears */
	unsigned appear_ms;      /* delay before devices first appear, from usbsim_add() */
	unsigned gone_ms;        /* a device that left stays listed (answering nothing) this long */
	bool trace_ioctl;        /* log every usbdevfs ioctl */
	/* Human log, one line per call (no newline); called with the bus lock
	 * held, from any of the threads above. NULL: no log. */
	void (*log)(void *ctx, const char *line);
	void *log_ctx;
};

/* Creates the testbed (and sets UMOCKDEV_DIR). NULL on failure. */
struct usbsim *usbsim_new(const struct usbsim_config *cfg);
void usbsim_free(struct usbsim *s);

/*
 * Add a DfuSe device on board b; dcfg->index is set to its number. It
 * appears at once if the board is in ROM mode. Returns the number (1..) or
 * -1 (too many devices, out of memory, testbed error).
 */
int usbsim_add(struct usbsim *s, struct board *b, const struct dfu_dev_config *dcfg);
unsigned usbsim_count(const struct usbsim *s);

void usbsim_lock(struct usbsim *s);
void usbsim_unlock(struct usbsim *s);
/* Device n's model and board (n = 1..count); hold the lock to use them. */
struct dfu_dev *usbsim_dev(struct usbsim *s, unsigned n);
struct board *usbsim_board(struct usbsim *s, unsigned n);

/* Check boards now instead of at the next 10 ms tick (after changing pins). */
void usbsim_kick(struct usbsim *s);
/* Wait until device n is (present) or is not (!present) in sysfs; false on timeout. */
bool usbsim_wait_present(struct usbsim *s, unsigned n, bool present, unsigned timeout_ms);
/* Times device n was added to / removed from sysfs. */
unsigned usbsim_adds(struct usbsim *s, unsigned n);
unsigned usbsim_removes(struct usbsim *s, unsigned n);

/*
 * Serve the boards' pins on unix sockets with the protocol of `romsim
 * serial --pins-sock` and the fake libgpiod (usbsim_pins.c): "PIN
 * boot0|nrst 0|1", "GET boot0|nrst", "MODE", "POWER". pattern: a path; "%d"
 * in it gives one socket per device (its number), else the one socket
 * drives device 1. Call after the devices are added. NULL on failure (err
 * says why). usbsim_pins_stop() closes and unlinks the sockets; call it
 * before usbsim_free().
 */
struct usbsim_pins *usbsim_pins_start(struct usbsim *s, const char *pattern, char *err,
				      size_t cap);
void usbsim_pins_stop(struct usbsim_pins *p);

/*
 * A USB-serial adapter whose DTR/RTS drive the board's BOOT0/NRST as map
 * says (sim/adapter.h; usbsim_adapter.c): a pseudo-terminal per adapter,
 * its slave linked from link (NULL: no link), and the serial-shim socket
 * "<shim_dir>/pts<N>" for the host's TIOCM reports. "%d" in link gives one
 * adapter per device (its number), else one for device 1. The host's first
 * open of the slave asserts DTR and RTS, its last close drops them; pins
 * change as through usbsim_pins_start() and are logged. Call after the
 * devices are added. banner (NULL: none): the adapter's RX is wired to the
 * board's UART, and the application writes banner there each time it starts
 * (after leave, a reset into it, the exit sequence) while the host has the
 * port open. NULL on failure (err says why). usbsim_adapter_stop()
 * closes the ptys and removes the links and sockets; call it before
 * usbsim_free().
 */
struct usbsim_adapter *usbsim_adapter_start(struct usbsim *s, const struct adapter_map *map,
					    const char *link, const char *shim_dir, const char *banner,
					    char *err, size_t cap);
/* "/dev/pts/N" of device num's adapter, or NULL if it has none. */
const char *usbsim_adapter_path(const struct usbsim_adapter *a, unsigned num);
/* Applies the opens and closes already made (a host that just exited),
 * then stops. */
void usbsim_adapter_stop(struct usbsim_adapter *a);

/* CLOCK_MONOTONIC in microseconds: the clock the timing model runs on. */
uint64_t usbsim_now_us(void);

/* The testbed root (UMOCKDEV_DIR); valid until usbsim_free(). */
const char *usbsim_root(const struct usbsim *s);

#endif
