/* SPDX-License-Identifier: MIT */
/*
 * jobstop.c - the signal flag and the gate of jobstop.h.
 */
#include "jobstop.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t pending;   /* signal number, 0: none */
static volatile sig_atomic_t armed;
static volatile sig_atomic_t escalate = 1;   /* gang children: 0 (the parent passes signals on) */

static void on_signal(int sig)
{
	struct sigaction dfl;

	pending = sig;
	if (!escalate)
		return;
	/* the second signal takes the default action: a way out of anything */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, NULL);
	sigaction(sig == SIGINT ? SIGTERM : SIGINT, &dfl, NULL);
}

void jobstop_install(void)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;   /* no SA_RESTART: waits wake up, loops retry on EINTR */
	/* a SIGINT ignored by whoever started us (a shell's background job, nohup) stays ignored */
	if (sigaction(SIGINT, NULL, &old) == 0 && old.sa_handler != SIG_IGN)
		sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void jobstop_reset(void)
{
	pending = 0;
	armed = 0;
	escalate = 0;   /* a signal from the terminal and the parent's copy of it are one request */
}

int jobstop_signal(void)
{
	return pending;
}

void jobstop_boundary(void)
{
	if (pending)
		armed = 1;
}

bool jobstop_armed(void *ctx)
{
	(void)ctx;
	return armed != 0;
}

const char *jobstop_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

int jobstop_exit_code(void)
{
	return 128 + (pending ? pending : SIGINT);
}
