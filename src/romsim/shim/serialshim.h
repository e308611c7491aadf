/* SPDX-License-Identifier: MIT */
/*
 * serialshim.h - what serialshim.c (reports, termios, ioctl) and
 * serialshim_fs.c (open/close, /sys faking) share inside serialshim.so.
 * Nothing here is exported from the .so except the interposed libc names.
 */
#ifndef SERIALSHIM_H
#define SERIALSHIM_H

#undef _FORTIFY_SOURCE
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <termios.h>

#define SHIM_HIDDEN __attribute__((visibility("hidden")))

/* real_NAME(): the next definition of NAME (libc, or another preload such as umockdev). */
#define REAL(name) \
	static __typeof__(&name) real_##name(void) \
	{ \
		static __typeof__(&name) fn; \
		if (!fn) \
			fn = (__typeof__(&name))dlsym(RTLD_NEXT, #name); \
		return fn; \
	}

/* What the shim knows about one pty, while this process has it open. */
struct pty {
	int used;
	unsigned num;
	int dtr, rts;
	int lines_reported;
	int have_req;
	tcflag_t req_cflag;       /* requested bits under SHIM_MASK */
	int serial_flags;         /* TIOCSSERIAL flags */
	char last_cflag[96];      /* last CFLAG message sent */
};

/* The state lock (recursive); held around every use of a struct pty. */
SHIM_HIDDEN void shim_lock(void);
SHIM_HIDDEN void shim_unlock(void);
/* 1 and the pty number if fd is a Unix98 pty slave. */
SHIM_HIDDEN int shim_pty_number(int fd, unsigned *num);
/* The state of pty num, created as "never seen" if new. */
SHIM_HIDDEN struct pty *shim_pty_get(unsigned num);
/* Set DTR/RTS and report them if they changed (or were never reported). */
SHIM_HIDDEN void shim_set_lines(struct pty *p, int dtr, int rts);

#endif
