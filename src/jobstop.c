/*
 * jobstop.c - the signal flag and the gate of jobstop.h.
 */
#include "jobstop.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t pending;   /* signal number, 0: none */
static volatile sig_atomic_t armed;

static void on_signal(int sig)
{
	struct sigaction dfl;

	pending = sig;
	/* the second signal takes the default action: a way out of anything */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGINT, &dfl, NULL);
	sigaction(SIGTERM, &dfl, NULL);
}

void jobstop_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;   /* no SA_RESTART: waits wake up, loops retry on EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void jobstop_reset(void)
{
	pending = 0;
	armed = 0;
	jobstop_install();
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
