/* SPDX-License-Identifier: MIT */
/*
 * plan.h - what a write will do, decided before the device is touched.
 *
 * image + geometry -> plan: the image aligned to the part's write unit
 * (padding with the erased value: 0xFF, 0x00 on L0/L1), the pages to
 * erase, the blocks to send and the blocks skipped because they hold only
 * the erased value on freshly erased flash (never when the part's erased
 * value is in doubt, sb_geom.erased_known). The plan owns its buffers;
 * free it with sb_plan_free().
 *
 * Read-first plans (sb_plan_read_first, sb_plan_classify). What a write
 * leaves in flash does not depend on the plan: every page the image touches
 * ends holding the image, and 0xFF wherever the image has no data, as if
 * the page had been erased and written (the contract of SB_ERASE_PAGES; the
 * rest of a page the image covers only in part is not kept). Reading the
 * touched pages first only finds which of that work the flash already
 * holds. Each page is compared with that target unit by unit (the write
 * unit, the L4's 64-bit double-word):
 *
 *   SB_PAGE_SAME   every unit equals the target: neither erased nor written;
 *   SB_PAGE_BLANK  every unit equals the target or reads erased (all 0xFF):
 *                  the erased units whose target is not 0xFF are programmed,
 *                  without erasing the page;
 *   SB_PAGE_ERASE  anything else: erased, then written.
 *
 * On the L4 a double-word programmed since its last erase, even with
 * 0xFF..FF, cannot be programmed again, and reading cannot tell it from an
 * erased one (protocol-facts A.7, E.3). So when the device refuses to
 * program a BLANK page (errPROG/errWRITE over DfuSe, NACK over AN3155), or
 * its read-back differs (a ROM that does not report the failure, A.7), that
 * page is erased and written again (sb_plan_run; counted in nreerased).
 * Nothing outside the touched pages is ever erased, and a page is erased
 * only when the plan or a failure on it says so: never by a guess.
 *
 * Threads: a plan is used by one thread at a time. No global state.
 */
#ifndef SB_PLAN_H
#define SB_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "part.h"
#include "sb_log.h"

enum sb_erase_mode {
	SB_ERASE_PAGES = 0,  /* erase exactly the pages the image touches */
	SB_ERASE_NONE,       /* the caller knows the flash is erased */
	SB_ERASE_ALL,        /* mass erase */
};

struct sb_plan_opts {
	uint32_t block_size;      /* largest block per write command (256 for AN3155) */
	bool keep_erased_blocks;  /* send all-0xFF blocks too (default: skip them) */
	enum sb_erase_mode erase;
};

struct sb_plan_block {
	uint32_t addr;
	uint32_t len;
	const uint8_t *data;  /* points into the plan's segments */
};

enum sb_page_action {
	SB_PAGE_ERASE = 0,    /* erased, then written (every page of a plan that did not read) */
	SB_PAGE_SAME,         /* flash equals the target: left alone */
	SB_PAGE_BLANK,        /* reads erased where data is needed: written without erase */
};

/* A page the image touches (SB_ERASE_PAGES plans). */
struct sb_plan_page {
	uint32_t page;        /* linear page number */
	uint32_t addr, size;
	enum sb_page_action action;
	bool reerased;        /* BLANK, but erased and written again after a failure (sb_plan_run) */
};

struct sb_plan {
	struct sb_segment *seg;     /* aligned, padded image: what flash must hold */
	size_t nseg;
	uint32_t *pages;            /* linear page numbers to erase, ascending */
	size_t npages;
	bool mass_erase;
	struct sb_plan_block *blocks;
	size_t nblocks;
	size_t nskipped;            /* all-0xFF blocks not sent */
	uint64_t image_bytes;       /* bytes in the image */
	uint64_t write_bytes;       /* bytes that will cross the wire as data */
	uint64_t erase_bytes;       /* bytes of flash erased (page erase), or whole flash */
	/* as built */
	enum sb_erase_mode erase;
	uint32_t block_size, unit;
	bool keep_erased_blocks;
	uint8_t erased;             /* what erased flash reads as: 0xFF, 0x00 on L0/L1 */
	bool erased_known;          /* false: never skip a block as erased */
	/* every page the image touches, ascending (SB_ERASE_PAGES plans) */
	struct sb_plan_page *touched;
	size_t ntouched;
	/* read-first plans */
	bool read_first;
	size_t nsame, nblank;       /* pages left alone / to be written without erase */
	uint64_t read_bytes;        /* flash read to make the plan */
	uint64_t verify_bytes;      /* image bytes a verify after writing reads back */
	size_t nreerased;           /* BLANK pages erased after all (sb_plan_run) */
};

/*
 * Every byte of img must lie inside g's flash (and not in a gap between
 * banks); otherwise SB_ERR_BAD_INPUT naming `name` and the first range
 * outside ("fw.hex: 0x09000000-0x0900000F is outside flash
 * 0x08000000-0x081FFFFF").
 */
int sb_plan_check(const struct sb_image *img, const struct sb_geom *g, const char *name,
		  struct sb_diag *diag);

/* Build the plan. Page erase needs a geometry with pages. */
int sb_plan_build(const struct sb_image *img, const struct sb_geom *g,
		  const struct sb_plan_opts *opts, struct sb_plan *plan, struct sb_diag *diag);

/*
 * Make a page-erase plan (SB_ERASE_PAGES, all-0xFF blocks skipped) a
 * read-first plan: cur holds the current contents of every touched page
 * (SB_ERR_BAD_INPUT naming the page if it does not). Pages, blocks and
 * counts are planned again from the classification above; blocks never
 * cross a page edge.
 */
int sb_plan_classify(struct sb_plan *plan, const struct sb_image *cur, struct sb_diag *diag);

/* Whether a plan can read first: it erases pages and skips 0xFF blocks
 * (with SB_ERASE_ALL/NONE or keep_erased_blocks a plan is always full). */
bool sb_plan_can_read_first(const struct sb_plan *plan);

/* Every byte of d[0..n) reads as erased flash does (plan->erased: 0xFF,
 * 0x00 on L0/L1). It does not look at erased_known: callers skip a block
 * only where that holds (a page-erase plan, or a BLANK page, which only a
 * plan with erased_known can classify). */
bool sb_plan_block_erased(const struct sb_plan *plan, const uint8_t *d, size_t n);

/* The part [*lo, *hi) of segment s inside page pg: false when they do not meet. */
bool sb_plan_overlap(const struct sb_segment *s, const struct sb_plan_page *pg, uint64_t *lo,
		     uint64_t *hi);

/* The index in plan->touched of the page holding addr, or -1. */
long sb_plan_page_at(const struct sb_plan *plan, uint32_t addr);

void sb_plan_free(struct sb_plan *plan);

/* ---- running a plan (plan_run.c) ------------------------------------------------ */

/*
 * What a program's device session offers the plan runner. Every slot
 * returns SB_OK or an sb_err and fills d (with d->addr where a failure
 * concerns one address). ctx is the program's.
 */
struct sb_flash_ops {
	/* Read exactly len bytes at addr. */
	int (*read)(void *ctx, uint32_t addr, uint8_t *buf, size_t len, struct sb_diag *d);
	/* Erase n pages (linear numbers of the plan's geometry), ascending. */
	int (*erase)(void *ctx, const uint32_t *pages, size_t n, struct sb_diag *d);
	/* Mass erase; only for plans with mass_erase (may be NULL otherwise). */
	int (*mass_erase)(void *ctx, struct sb_diag *d);
	/*
	 * Program [addr, addr+len), whole units of flash that reads erased. On
	 * failure *refused says the device refused to program (errPROG/errWRITE
	 * over DfuSe, a NACK over AN3155): what it does for a unit programmed
	 * since its last erase (protocol-facts A.7, E.3); d->addr says where.
	 */
	int (*write)(void *ctx, uint32_t addr, const uint8_t *data, size_t len, bool *refused,
		     struct sb_diag *d);
	/* Compare flash with data: SB_ERR_VERIFY with d->addr at the first
	 * difference. erased: this job erased that flash before writing it. */
	int (*verify)(void *ctx, uint32_t addr, const uint8_t *data, size_t len, bool erased,
		      struct sb_diag *d);
	/* Progress: a phase ("read", "erase", "write", "verify") of total units
	 * (pages for erase, else bytes) starts / ends. Either may be NULL. */
	void (*phase)(void *ctx, const char *name, uint64_t total);
	void (*phase_end)(void *ctx);
};

struct sb_flash {
	const struct sb_flash_ops *ops;
	void *ctx;
	const struct sb_log *log;   /* may be NULL */
};

/*
 * Read every page a page-erase plan touches (in runs of adjacent pages)
 * and classify them (sb_plan_classify). A failed read returns its error
 * with nothing erased or written, and leaves the plan as it was.
 */
int sb_plan_read_first(struct sb_plan *plan, const struct sb_flash *f, struct sb_diag *diag);

/*
 * Run the plan: erase (its pages, or mass erase), write its blocks, and
 * read back what was written: with verify, every range of the image in
 * pages that were erased or written; without, still the BLANK pages (the
 * only check for a double-word programmed with 0xFF on a ROM that does not
 * report it: protocol-facts A.7). A BLANK page whose programming is
 * refused or whose read-back differs is erased and written again, once
 * (plan->nreerased); any other failure ends the run with its error.
 */
int sb_plan_run(struct sb_plan *plan, const struct sb_flash *f, bool verify,
		struct sb_diag *diag);

#endif
