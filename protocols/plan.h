/*
 * plan.h - what a write will do, decided before the device is touched.
 *
 * image + geometry -> plan: the image aligned to the part's write unit
 * (padding with the erased value: 0xFF, 0x00 on L0/L1), the pages to
 * erase, the blocks to send and the blocks skipped because they hold only
 * the erased value on freshly erased flash (never when the part's erased
 * value is in doubt, sb_geom.erased_known). The plan owns its buffers;
 * free it with sb_plan_free().
 */
#ifndef SB_PLAN_H
#define SB_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "part.h"

enum sb_erase_mode {
	SB_ERASE_PAGES = 0,  /* erase exactly the pages the image touches */
	SB_ERASE_NONE,       /* the caller knows the flash is erased */
	SB_ERASE_ALL,        /* mass erase */
};

struct sb_plan_opts {
	uint32_t block_size;      /* largest block per write command (256 for AN3155) */
	bool keep_erased_blocks;  /* send all-erased blocks too (default: skip them) */
	enum sb_erase_mode erase;
};

struct sb_plan_block {
	uint32_t addr;
	uint32_t len;
	const uint8_t *data;  /* points into the plan's segments */
};

struct sb_plan {
	struct sb_segment *seg;     /* aligned, padded image: what flash must hold */
	size_t nseg;
	uint32_t *pages;            /* linear page numbers to erase, ascending */
	size_t npages;
	bool mass_erase;
	struct sb_plan_block *blocks;
	size_t nblocks;
	size_t nskipped;            /* all-erased blocks not sent */
	uint64_t image_bytes;       /* bytes in the image */
	uint64_t write_bytes;       /* bytes that will cross the wire as data */
	uint64_t erase_bytes;       /* bytes of flash erased (page erase), or whole flash */
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

void sb_plan_free(struct sb_plan *plan);

#endif
