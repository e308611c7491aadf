/* SPDX-License-Identifier: MIT */
/*
 * usbsim_guard.c - survive umockdev's uevent sender.
 *
 * umockdev 0.17.16 sends a uevent to every "$UMOCKDEV_DIR/event<N>" socket
 * (one per udev monitor of every client process) and calls abort() when
 * one disappears under it: a connect() that fails other than with
 * ECONNREFUSED (the socket file is being re-bound), or a sendmsg() that
 * fails (the client exited between connect and send). Clients exit when
 * they like - dfu-util right after the transfer that made the device leave
 * the bus - so without this guard romsim would die at random. The guard
 * turns such an abort() inside one testbed call into a failed call that the
 * caller may repeat; every other abort() behaves as usual.
 *
 * How: a SIGABRT handler that, only while the calling thread is inside a
 * guarded call, jumps back out of it. glibc's abort() (2.36) releases its
 * lock and resets its stage before raise(), so leaving through the handler
 * leaves libc consistent; umockdev leaks the little it had allocated.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>

#include "usbsim_priv.h"

/* Per thread: where to jump while a guarded call runs (a signal handler
 * has no other way to find it). */
static __thread sigjmp_buf *guard_jmp;
static struct sigaction old_abrt;
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;

static void on_abrt(int sig)
{
	if (guard_jmp)
		siglongjmp(*guard_jmp, 1);
	/* Not ours: whatever was there before, then the default. */
	sigaction(SIGABRT, &old_abrt, NULL);
	raise(sig);
}

static void install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_abrt;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGABRT, &sa, &old_abrt);
}

bool usbsim_guarded(void (*fn)(void *arg), void *arg)
{
	sigjmp_buf jb;
	volatile bool ok = false;

	pthread_once(&guard_once, install);
	if (sigsetjmp(jb, 1) == 0) {
		guard_jmp = &jb;
		fn(arg);
		ok = true;
	}
	guard_jmp = NULL;
	return ok;
}
