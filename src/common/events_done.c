/* SPDX-License-Identifier: MIT */
/*
 * events_done.c - what an interrupted job had done, for its error event:
 * the plan's pages and blocks (in the order the programs send them) against
 * the progress the job record counted (events.h, events_done_text).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "job.h"

/* A copy of the plan's page list and block extents (not its data). */
static struct {
	uint32_t *pages;
	size_t npages;
	uint64_t *block_end;   /* cumulative bytes after each block */
	uint32_t *block_addr;
	size_t nblocks;
	bool mass_erase;
} plan;


void events_plan_forget(void)
{
	free(plan.pages);
	free(plan.block_end);
	free(plan.block_addr);
	plan.pages = NULL;
	plan.block_end = NULL;
	plan.block_addr = NULL;
	plan.npages = plan.nblocks = 0;
}

void events_note_plan(const struct sb_plan *p)
{
	uint64_t sum = 0;

	if (!events_active())
		return;
	events_plan_forget();
	plan.mass_erase = p->mass_erase;
	plan.pages = malloc((p->npages ? p->npages : 1) * sizeof(*plan.pages));
	plan.block_end = malloc((p->nblocks ? p->nblocks : 1) * sizeof(*plan.block_end));
	plan.block_addr = malloc((p->nblocks ? p->nblocks : 1) * sizeof(*plan.block_addr));
	if (!plan.pages || !plan.block_end || !plan.block_addr) {
		events_plan_forget();
		return;
	}
	memcpy(plan.pages, p->pages, p->npages * sizeof(*plan.pages));
	plan.npages = p->npages;
	for (size_t i = 0; i < p->nblocks; i++) {
		plan.block_addr[i] = p->blocks[i].addr;
		plan.block_end[i] = sum += p->blocks[i].len;
	}
	plan.nblocks = p->nblocks;
}

static size_t put(char *buf, size_t len, size_t k, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static size_t put(char *buf, size_t len, size_t k, const char *fmt, ...)
{
	va_list ap;

	if (k >= len)
		return k;
	va_start(ap, fmt);
	k += (size_t)vsnprintf(buf + k, len - k, fmt, ap);
	va_end(ap);
	return k < len ? k : len;
}

static size_t erase_done(char *buf, size_t len, size_t k)
{
	uint64_t done = 0, total;
	char ranges[200];
	size_t n;

	events_phase_progress("erase", &done, &total);
	if (plan.mass_erase)
		return put(buf, len, k, "%s", done ? "mass-erased the flash" : "mass erase not done");
	if (!plan.npages)
		return put(buf, len, k, "erased nothing");
	n = (size_t)(done < plan.npages ? done : plan.npages);
	if (!n)
		return put(buf, len, k, "erased nothing (%zu pages planned)", plan.npages);
	job_page_ranges(plan.pages, n, ranges, sizeof(ranges));
	return put(buf, len, k, "erased pages %s (%zu of %zu planned)", ranges, n, plan.npages);
}

/* The written blocks, in plan order, as address ranges. */
static size_t write_done(char *buf, size_t len, size_t k)
{
	uint64_t done = 0, all, total = plan.nblocks ? plan.block_end[plan.nblocks - 1] : 0;
	size_t shown = 0;

	events_phase_progress("write", &done, &all);
	if (!done)
		return put(buf, len, k, "; wrote nothing (%llu bytes planned)", (unsigned long long)total);
	k = put(buf, len, k, "; wrote");
	for (size_t i = 0; i < plan.nblocks && plan.block_end[i] <= done;) {
		size_t j = i;
		uint64_t start = i ? plan.block_end[i - 1] : 0;
		while (j + 1 < plan.nblocks && plan.block_end[j + 1] <= done &&
		       plan.block_addr[j + 1] == plan.block_addr[j] + (plan.block_end[j] - (j ? plan.block_end[j - 1] : 0)))
			j++;
		uint64_t bytes = plan.block_end[j] - start;
		if (shown++ < 4)
			k = put(buf, len, k, "%s 0x%08X-0x%08llX", shown > 1 ? "," : "", plan.block_addr[i],
				(unsigned long long)(plan.block_addr[i] + bytes - 1));
		i = j + 1;
	}
	return put(buf, len, k, "%s (%llu of %llu bytes)", shown > 4 ? ", ..." : "",
		   (unsigned long long)done, (unsigned long long)total);
}

void events_done_text(char *buf, size_t len)
{
	uint64_t done, total;
	size_t k = 0;

	buf[0] = '\0';
	if (plan.block_end || plan.pages) {
		k = erase_done(buf, len, k);
		k = write_done(buf, len, k);
		if (events_phase_progress("verify", &done, &total))
			k = put(buf, len, k, "; verified %llu of %llu bytes", (unsigned long long)done,
				(unsigned long long)total);
		else
			k = put(buf, len, k, "; not verified");
	}
	if (events_phase_progress("read", &done, &total))
		k = put(buf, len, k, "%sread %llu of %llu bytes", k ? "; " : "", (unsigned long long)done,
			(unsigned long long)total);
	if (!k)
		put(buf, len, k, "nothing was erased or written");
}

