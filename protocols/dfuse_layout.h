/* SPDX-License-Identifier: MIT */
/*
 * dfuse_layout.h - DfuSe memory layouts, parsed from alternate-setting
 * interface strings (protocol-facts B.9), e.g.
 *
 *   @Internal Flash  /0x08000000/512*0004Kg
 *   @Option Bytes  /0x1FF00000/01*040 e/0x1FF01000/01*040 e
 *   @Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg
 *
 * A layout is a name and a list of regions; each N*SIZE group of the string
 * is one region of N equal pages. Regions are kept in string order (which
 * is ascending address order on every ST ROM seen); lookups do not rely on
 * that order.
 *
 * Errors: parsing fails with SB_ERR_BAD_INPUT and a diag naming the 1-based
 * column of the offending character ("column 23: expected '*' after the
 * page count"). Image checks fail with SB_ERR_BAD_INPUT naming the address.
 *
 * Ownership: a parsed layout owns its region array; dfuse_layout_free()
 * releases it (and leaves the struct empty, so freeing twice is harmless).
 * Arrays returned through pointer arguments are malloc'd; the caller frees
 * them with free(). No global state.
 */
#ifndef SB_DFUSE_LAYOUT_H
#define SB_DFUSE_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "part.h"
#include "sb_err.h"

/* Page type bits: (type letter & 7), protocol-facts B.9. */
enum dfuse_mem_flags {
	DFUSE_MEM_READ = 1,
	DFUSE_MEM_ERASE = 2,
	DFUSE_MEM_WRITE = 4,
};

struct dfuse_region {
	uint32_t addr;       /* first page */
	uint32_t npages;
	uint32_t page_size;  /* bytes */
	uint8_t flags;       /* enum dfuse_mem_flags */
};

struct dfuse_layout {
	char name[128];               /* after '@', trailing spaces removed */
	struct dfuse_region *region;  /* owned */
	size_t nregions;
};

/* Parse s into l (which the function initialises). */
int dfuse_layout_parse(struct dfuse_layout *l, const char *s, struct sb_diag *diag);
void dfuse_layout_free(struct dfuse_layout *l);

/* End (exclusive, 64-bit so a region ending at 4 GiB fits) of region r. */
uint64_t dfuse_region_end(const struct dfuse_region *r);

/* The region holding addr, or NULL. */
const struct dfuse_region *dfuse_layout_find(const struct dfuse_layout *l, uint32_t addr);

/* The page holding addr: its start, size and flags. false if addr is not in l. */
bool dfuse_layout_page(const struct dfuse_layout *l, uint32_t addr, uint32_t *page_addr,
		       uint32_t *page_size, uint8_t *flags);

/*
 * Every byte of img inside l, in pages having all of the `need` flags:
 * SB_OK, else SB_ERR_BAD_INPUT naming the first address outside (or in a
 * page without the flags) and the layout's name.
 */
int dfuse_layout_check(const struct dfuse_layout *l, const struct sb_image *img,
		       unsigned need, struct sb_diag *diag);

/*
 * The start addresses of the pages img touches, ascending, each once, in
 * a malloc'd array (*pages, *n; NULL/0 for an empty image). Fails like
 * dfuse_layout_check(l, img, 0, diag) when img reaches outside l.
 */
int dfuse_layout_pages(const struct dfuse_layout *l, const struct sb_image *img,
		       uint32_t **pages, size_t *n, struct sb_diag *diag);

/*
 * Choose among the n layouts of a device's alternate settings (alts[i] is
 * alt i) the one holding every byte of img in writeable pages. When several
 * do, the one named `prefer` (NULL: "Internal Flash") wins, else the
 * lowest. SB_ERR_BAD_INPUT naming the first address no layout holds.
 */
int dfuse_layout_pick(const struct dfuse_layout *alts, size_t n, const struct sb_image *img,
		      const char *prefer, int *alt, struct sb_diag *diag);

/* The alt among alts[0..n) whose name is `name`, trailing spaces ignored on
 * both sides, in any case ("internal flash"); -1 if none. */
int dfuse_layout_named(const struct dfuse_layout *alts, size_t n, const char *name);

/*
 * The layout as a flash geometry for the write planner (plan.h): one page
 * run per region (at most SB_GEOM_MAX_RUNS), write unit 8 bytes (L4
 * double-word, protocol-facts B.6) and erased value 0xFF until
 * dfuse_geom_for_parts() knows better. SB_ERR_BAD_INPUT if it does not fit.
 */
int dfuse_layout_geom(const struct dfuse_layout *l, struct sb_geom *g, struct sb_diag *diag);

/*
 * The device-table rows (part.h) a DfuSe device's memory map fits: the
 * "Internal Flash" alt must have a row's flash base, at most its size, and
 * its page layout in one of its bank modes at that size; where an "Option
 * Bytes" alt starts at a row's option-byte address, rows that do not are
 * dropped (unless none is left). A ROM's DFU does not report the STM32 PID
 * (protocol-facts B.1: bcdDevice is the bootloader version, usb-anchors 4:
 * identify the part from bcdDevice and the interface strings). Up to max
 * rows go to out; returns how many fit.
 */
size_t dfuse_match_parts(const struct dfuse_layout *alts, size_t nalts, const struct sb_part **out,
			 size_t max);

/*
 * Flash rules of the matched rows on a geometry from dfuse_layout_geom():
 * the largest write unit of them (padding to it never leaves part of any
 * candidate's programming word unwritten), and their erased value when
 * they agree (else g->erased_known = false: no block is skipped). n = 0
 * leaves g as it is.
 */
void dfuse_geom_for_parts(struct sb_geom *g, const struct sb_part *const *parts, size_t n);

/* "512 x 4 KB at 0x08000000 (rew)" lines into buf, one per region, for `dfuse list`. */
void dfuse_layout_describe(const struct dfuse_layout *l, char *buf, size_t len);

#endif
