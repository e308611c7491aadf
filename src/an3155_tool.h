/*
 * an3155_tool.h - the an3155 program's configuration and commands.
 */
#ifndef AN3155_TOOL_H
#define AN3155_TOOL_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "lineopts.h"
#include "plan.h"

#ifndef STMBOOT_VERSION
#define STMBOOT_VERSION "0.1"
#endif

#define A3_MAX_ARGS 64

struct a3_config {
	struct cli cli;
	const char *command;
	char *args[A3_MAX_ARGS];
	int nargs;
	/* connection */
	const char *port;
	uint32_t baud, retries, sync_tries;
	bool keep_latency;
	/* part overrides */
	uint32_t flash_base, flash_size, page_size, write_unit;
	bool has_flash_base;
	/* write / verify */
	enum sb_format format;
	uint32_t base;
	bool has_base;
	enum sb_erase_mode erase;
	bool verify, keep_erased_blocks, read_unprotect, go, has_go_addr, dry_run;
	uint32_t go_addr;
	/* erase */
	const char *pages;
	int bank;
	bool all;
	bool force;
	/* BOOT0/NRST lines (gpio/lineopts.h): options, environment, jig profile */
	struct sb_lineopts lo;
	bool lines;          /* BOOT0 or NRST is wired: run entry/exit around the job */
};

/* Run c->command; returns the exit status. */
int a3_run(struct a3_config *c);

#endif
