/* SPDX-License-Identifier: MIT */
/*
 * test_plan_read.c - read-first plans (protocols/plan.h): the page
 * classification (equal, written without erase, erased and written), the
 * contract for pages the image covers only in part, and sb_plan_run on a
 * fake flash that programs each 8-byte unit once per erase, as the L4 does
 * (protocol-facts A.7, E.3): the fallback when a page that reads erased
 * refuses programming (errPROG / NACK) or takes it silently, and failures
 * that must end the job.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "plan.h"

#define BASE 0x08000000u
#define PAGE 4096u
#define NPAGES 16u
#define UNIT 8u
#define BLOCK 2048u

/* ---- a fake flash: program-once units, erase by page ------------------------------- */

struct fake {
	uint8_t mem[NPAGES * PAGE];
	bool prog[NPAGES * PAGE / UNIT];  /* programmed since the last erase */
	bool stuck[NPAGES * PAGE / UNIT]; /* refuses programming even after an erase */
	bool silent;                      /* a refused unit is ACKed, data unchanged (A.7) */
	int read_fail_at;                 /* the Nth read fails (1-based), 0: never */
	unsigned reads, writes, verifies, refusals;
	unsigned erases[NPAGES];
	unsigned nerases;
	uint64_t written;                 /* bytes passed to write */
	char ops[64][48];                 /* "erase 3", "write 0x08001000+4096", ... */
	unsigned nops;
};

static void note(struct fake *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct fake *f, const char *fmt, ...)
{
	va_list ap;

	if (f->nops == 64)
		return;
	va_start(ap, fmt);
	vsnprintf(f->ops[f->nops++], sizeof(f->ops[0]), fmt, ap);
	va_end(ap);
}

static int f_read(void *ctx, uint32_t addr, uint8_t *buf, size_t len, struct sb_diag *d)
{
	struct fake *f = ctx;

	if (++f->reads == (unsigned)f->read_fail_at)
		return sb_diag_addr(d, SB_ERR_NO_DEVICE, addr, "read at 0x%08X: device gone", addr);
	memcpy(buf, f->mem + (addr - BASE), len);
	note(f, "read 0x%08X+%zu", addr, len);
	return SB_OK;
}

static int f_erase(void *ctx, const uint32_t *pages, size_t n, struct sb_diag *d)
{
	struct fake *f = ctx;

	(void)d;
	for (size_t i = 0; i < n; i++) {
		assert_true(pages[i] < NPAGES);
		memset(f->mem + pages[i] * PAGE, 0xFF, PAGE);
		memset(f->prog + pages[i] * PAGE / UNIT, 0, PAGE / UNIT);
		f->erases[pages[i]]++;
		f->nerases++;
		note(f, "erase %u", pages[i]);
	}
	return SB_OK;
}

/* Units in order, as the ROM programs them: a refusal leaves the ones before it programmed. */
static int f_write(void *ctx, uint32_t addr, const uint8_t *data, size_t len, bool *refused,
		   struct sb_diag *d)
{
	struct fake *f = ctx;

	assert_int_equal(addr % UNIT, 0);
	assert_int_equal(len % UNIT, 0);
	f->writes++;
	f->written += len;
	note(f, "write 0x%08X+%zu", addr, len);
	for (size_t off = 0; off < len; off += UNIT) {
		uint32_t u = (addr - BASE + (uint32_t)off) / UNIT;
		if (f->prog[u] || f->stuck[u]) {
			f->refusals++;
			if (f->silent)
				continue;
			*refused = true;
			return sb_diag_addr(d, SB_ERR_NACK, addr + off,
					    "write at 0x%08lX: the device reported errPROG",
					    (unsigned long)(addr + off));
		}
		memcpy(f->mem + u * UNIT, data + off, UNIT);
		f->prog[u] = true;
	}
	return SB_OK;
}

static int f_verify(void *ctx, uint32_t addr, const uint8_t *data, size_t len, bool erased,
		    struct sb_diag *d)
{
	struct fake *f = ctx;

	(void)erased;
	f->verifies++;
	note(f, "verify 0x%08X+%zu", addr, len);
	for (size_t i = 0; i < len; i++)
		if (f->mem[addr - BASE + i] != data[i])
			return sb_diag_addr(d, SB_ERR_VERIFY, addr + i, "verify at 0x%08lX: differs",
					    (unsigned long)(addr + i));
	return SB_OK;
}

static const struct sb_flash_ops fake_ops = {
	.read = f_read, .erase = f_erase, .write = f_write, .verify = f_verify,
};

/* ---- helpers ------------------------------------------------------------------------ */

struct fx {
	struct fake fl;
	struct sb_flash f;
	struct sb_geom g;
	struct sb_plan p;
	struct sb_diag d;
	uint8_t img[NPAGES * PAGE];   /* the image's bytes (where the segment lies) */
	struct sb_segment seg[2];
	struct sb_image image;
};

static int setup(void **state)
{
	struct fx *x = test_calloc(1, sizeof(*x));

	memset(x->fl.mem, 0xFF, sizeof(x->fl.mem));
	x->f = (struct sb_flash){ &fake_ops, &x->fl, NULL };
	assert_int_equal(sb_geom_explicit(BASE, NPAGES * PAGE, PAGE, UNIT, &x->g, NULL), SB_OK);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	sb_plan_free(&x->p);
	test_free(x);
	return 0;
}

static void fill(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(i * 7 + seed * 13 + 1) | 1;  /* never 0xFF-only units */
	for (size_t i = 0; i < n; i++)
		if (b[i] == 0xFF)
			b[i] = 0x5A;
}

/* The image: one segment [off, off+len) of x->img (offsets from BASE). */
static void image_one(struct fx *x, uint32_t off, uint32_t len)
{
	x->seg[0] = (struct sb_segment){ BASE + off, len, x->img + off };
	x->image = (struct sb_image){ .seg = x->seg, .nseg = 1, .cap = 1 };
}

/* Build the page-erase plan and read first. */
static int plan_read_first(struct fx *x)
{
	struct sb_plan_opts o = { .block_size = BLOCK, .erase = SB_ERASE_PAGES };

	sb_plan_free(&x->p);
	assert_int_equal(sb_plan_build(&x->image, &x->g, &o, &x->p, &x->d), SB_OK);
	return sb_plan_read_first(&x->p, &x->f, &x->d);
}

/* Flash equals the image where it has data and 0xFF elsewhere in [lo, hi) (offsets). */
static void assert_target(const struct fx *x, uint32_t lo, uint32_t hi, uint32_t ilo, uint32_t ihi)
{
	for (uint32_t i = lo; i < hi; i++) {
		uint8_t want = i >= ilo && i < ihi ? x->img[i] : 0xFF;
		if (x->fl.mem[i] != want)
			fail_msg("flash at 0x%08X holds 0x%02X, want 0x%02X", BASE + i, x->fl.mem[i], want);
	}
}

/* Make the flash hold bytes as if written after an erase (units programmed). */
static void preload(struct fx *x, uint32_t off, const uint8_t *data, uint32_t len)
{
	memcpy(x->fl.mem + off, data, len);
	for (uint32_t u = off / UNIT; u < (off + len) / UNIT; u++)
		x->fl.prog[u] = true;
}

/* ---- classification ------------------------------------------------------------------ */

/* A blank part: every page reads erased, nothing is erased, every byte is written. */
static void test_blank_part_written_without_erase(void **state)
{
	struct fx *x = *state;

	fill(x->img, 4 * PAGE, 1);
	image_one(x, 0, 4 * PAGE);
	assert_int_equal(plan_read_first(x), SB_OK);
	assert_true(x->p.read_first);
	assert_int_equal(x->p.ntouched, 4);
	assert_int_equal(x->p.nblank, 4);
	assert_int_equal(x->p.nsame, 0);
	assert_int_equal(x->p.npages, 0);
	assert_int_equal(x->p.read_bytes, 4 * PAGE);
	assert_int_equal(x->p.write_bytes, 4 * PAGE);
	assert_int_equal(x->p.verify_bytes, 4 * PAGE);
	for (size_t i = 0; i < x->p.nblocks; i++)   /* never across a page edge */
		assert_int_equal(x->p.blocks[i].addr / PAGE,
				 (x->p.blocks[i].addr + x->p.blocks[i].len - 1) / PAGE);
	assert_int_equal(sb_plan_run(&x->p, &x->f, true, &x->d), SB_OK);
	assert_int_equal(x->fl.nerases, 0);
	assert_int_equal(x->fl.refusals, 0);
	assert_int_equal(x->fl.writes, 1);           /* one run over the four pages */
	assert_target(x, 0, NPAGES * PAGE, 0, 4 * PAGE);
}

/* Re-flashing the same image: read, nothing erased, written or read back again. */
static void test_same_image_left_alone(void **state)
{
	struct fx *x = *state;

	fill(x->img, 3 * PAGE, 2);
	preload(x, 0, x->img, 3 * PAGE);
	image_one(x, 0, 3 * PAGE);
	assert_int_equal(plan_read_first(x), SB_OK);
	assert_int_equal(x->p.nsame, 3);
	assert_int_equal(x->p.nblocks, 0);
	assert_int_equal(x->p.verify_bytes, 0);
	x->fl.nops = 0;
	assert_int_equal(sb_plan_run(&x->p, &x->f, true, &x->d), SB_OK);
	assert_int_equal(x->fl.nops, 0);
}

/* One changed page among equal ones: only it is erased, written and read back. */
static void test_one_changed_page_erased(void **state)
{
	struct fx *x = *state;

	fill(x->img, 4 * PAGE, 3);
	preload(x, 0, x->img, 4 * PAGE);
	x->img[2 * PAGE + 100] ^= 0x21;   /* the new build differs in page 2 */
	image_one(x, 0, 4 * PAGE);
	assert_int_equal(plan_read_first(x), SB_OK);
	assert_int_equal(x->p.nsame, 3);
	assert_int_equal(x->p.npages, 1);
	assert_int_equal(x->p.pages[0], 2);
	assert_int_equal(x->p.touched[2].action, SB_PAGE_ERASE);
	assert_int_equal(x->p.write_bytes, PAGE);
	assert_int_equal(sb_plan_run(&x->p, &x->f, true, &x->d), SB_OK);
	assert_int_equal(x->fl.nerases, 1);
	assert_int_equal(x->fl.erases[2], 1);
	assert_int_equal(x->fl.written, PAGE);
	assert_int_equal(x->fl.verifies, 1);
	assert_string_equal(x->fl.ops[x->fl.nops - 1], "verify 0x08002000+4096");
	assert_target(x, 0, NPAGES * PAGE, 0, 4 * PAGE);
}

/*
 * Part of a page equal, the rest erased (an interrupted job, an image that
 * grew): written without erase, and only the units that need data.
 */
static void test_partly_written_page_completes(void **state)
{
	struct fx *x = *state;

	fill(x->img, PAGE, 4);
	preload(x, 0, x->img, 1024);            /* the first KB is there already */
	preload(x, 2048, x->img + 2048, 8);     /* and one unit further on */
	image_one(x, 0, PAGE);
	assert_int_equal(plan_read_first(x), SB_OK);
	assert_int_equal(x->p.nblank, 1);
	assert_int_equal(x->p.write_bytes, PAGE - 1024 - 8);
	assert_int_equal(x->p.nblocks, 2);       /* 1024..2047, 2056..4095 */
	assert_int_equal(x->p.blocks[0].addr, BASE + 1024);
	assert_int_equal(x->p.blocks[0].len, 1024);
	assert_int_equal(x->p.blocks[1].addr, BASE + 2056);
	assert_int_equal(sb_plan_run(&x->p, &x->f, true, &x->d), SB_OK);
	assert_int_equal(x->fl.nerases, 0);
	assert_int_equal(x->fl.refusals, 0);
	assert_target(x, 0, PAGE, 0, PAGE);
}

/* Data where the image wants other data: erased and written. */
static void test_conflicting_unit_erases(void **state)
{
	struct fx *x = *state;
	uint8_t old[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	fill(x->img, PAGE, 5);
	preload(x, 512, old, sizeof(old));
	image_one(x, 0, PAGE);
	assert_int_equal(plan_read_first(x), SB_OK);
	assert_int_equal(x->p.touched[0].action, SB_PAGE_ERASE);
	assert_int_equal(sb_plan_run(&x->p, &x->f, true, &x->d), SB_OK);
	assert_int_equal(x->fl.erases[0], 1);
	assert_target(x, 0, PAGE, 0, PAGE);
}

/*
 * An image over half a page whose other half holds other data: the page
 * ends holding the image and 0xFF, as with the plan off (the contract of a
 * page-erase write): the other data is not kept, whatever the half the
 * image covers holds.
 */
static void test_partial_page_keeps_the_contract(void **state)
{
	struct fx *x = *state;
	uint8_t other[PAGE / 2];

	fill(x->img, PAGE, 6);
	fill(other, sizeof(other), 7);
	preload(x, PAGE / 2, other, sizeof(other));   /* other data in the upper half */
	image_one(x, 0, PAGE / 2);                   /* the image's half reads erased */
	assert_int_equal(plan_read_first(x), SB_OK);
	assert_int_equal(x->p.touched[0].action, SB_PAGE_ERASE);
	assert_int_equal(x->p.verify_bytes, PAGE / 2);
	assert_int_equal(sb_plan_run(&x->p, &x->f, true, &x->d), SB_OK);
	assert_target(x, 0, PAGE, 0, PAGE / 2);

	/* the image's half equal, the other half foreign data: erased too */
	preload(x, PAGE / 2, other, sizeof(other));
	assert_int_equal(plan_read_first(x), SB_OK);
	assert_int_equal(x->p.touched[0].action, SB_PAGE_ERASE);
	assert_int_equal(sb_plan_run(&x->p, &x->f, true, &x->d), SB_OK);
	assert_target(x, 0, PAGE, 0, PAGE / 2);

	/* with the rest erased it is equal: left alone */
	assert_int_equal(plan_read_first(x), SB_OK);
	assert_int_equal(x->p.touched[0].action, SB_PAGE_SAME);
}

/* 0xFF inside the image where flash holds data: the image wants it erased. */
static void test_ff_in_image_over_data_erases(void **state)
{
	struct fx *x = *state;
	uint8_t old[PAGE];

	fill(old, PAGE, 8);
	memcpy(x->img, old, PAGE);
	memset(x->img + 64, 0xFF, 16);
	preload(x, 0, old, PAGE);
	image_one(x, 0, PAGE);
	assert_int_equal(plan_read_first(x), SB_OK);
	assert_int_equal(x->p.touched[0].action, SB_PAGE_ERASE);
	assert_int_equal(sb_plan_run(&x->p, &x->f, true, &x->d), SB_OK);
	assert_target(x, 0, PAGE, 0, PAGE);
}

/* The planned pages are those the image touches, and the classifier needs all of them. */
static void test_classify_needs_every_page(void **state)
{
	struct fx *x = *state;
	struct sb_plan_opts o = { .block_size = BLOCK, .erase = SB_ERASE_PAGES };
	uint8_t cur[PAGE];
	struct sb_segment cs = { BASE, PAGE, cur };
	struct sb_image ci = { .seg = &cs, .nseg = 1, .cap = 1 };

	fill(x->img, 2 * PAGE, 9);
	memset(cur, 0xFF, sizeof(cur));
	image_one(x, 0, 2 * PAGE);
	assert_int_equal(sb_plan_build(&x->image, &x->g, &o, &x->p, NULL), SB_OK);
	assert_int_equal(sb_plan_classify(&x->p, &ci, &x->d), SB_ERR_BAD_INPUT);
	assert_non_null(strstr(x->d.msg, "page 1 at 0x08001000 was not read"));
}

/* Plans that do not erase pages, or keep 0xFF blocks, cannot read first. */
static void test_read_first_needs_page_erase(void **state)
{
	struct fx *x = *state;
	struct sb_plan_opts o = { .block_size = BLOCK, .erase = SB_ERASE_NONE };

	fill(x->img, PAGE, 10);
	image_one(x, 0, PAGE);
	assert_int_equal(sb_plan_build(&x->image, &x->g, &o, &x->p, NULL), SB_OK);
	assert_int_equal(sb_plan_read_first(&x->p, &x->f, &x->d), SB_ERR_BAD_INPUT);
	assert_int_equal(x->fl.reads, 0);
	sb_plan_free(&x->p);
	o = (struct sb_plan_opts){ .block_size = BLOCK, .erase = SB_ERASE_PAGES,
				   .keep_erased_blocks = true };
	assert_int_equal(sb_plan_build(&x->image, &x->g, &o, &x->p, NULL), SB_OK);
	assert_int_equal(sb_plan_read_first(&x->p, &x->f, &x->d), SB_ERR_BAD_INPUT);
}

/* Two segments with a gap: pages read in two runs; blocks stay inside the image. */
static void test_two_runs_of_pages(void **state)
{
	struct fx *x = *state;

	fill(x->img, NPAGES * PAGE, 11);
	x->seg[0] = (struct sb_segment){ BASE, PAGE + 100, x->img };
	x->seg[1] = (struct sb_segment){ BASE + 8 * PAGE, 2 * PAGE, x->img + 8 * PAGE };
	x->image = (struct sb_image){ .seg = x->seg, .nseg = 2, .cap = 2 };
	assert_int_equal(plan_read_first(x), SB_OK);
	assert_int_equal(x->p.ntouched, 4);
	assert_int_equal(x->fl.reads, 2);
	assert_string_equal(x->fl.ops[0], "read 0x08000000+8192");
	assert_string_equal(x->fl.ops[1], "read 0x08008000+8192");
	assert_int_equal(x->p.write_bytes, PAGE + 104 + 2 * PAGE);
	assert_int_equal(sb_plan_run(&x->p, &x->f, true, &x->d), SB_OK);
	assert_target(x, 0, 2 * PAGE, 0, PAGE + 100);
	assert_target(x, 8 * PAGE, 10 * PAGE, 8 * PAGE, 10 * PAGE);
}

/* ---- the fallback (protocol-facts A.7, E.3) ------------------------------------------ */

/* Mark units programmed with 0xFF: they read erased, but take no data until erased. */
static void programmed_ff(struct fx *x, uint32_t off, uint32_t len)
{
	for (uint32_t u = off / UNIT; u < (off + len) / UNIT; u++)
		x->fl.prog[u] = true;
}

/* A page programmed with 0xFF reads blank; the refusal makes it erase and write again. */
static void test_refused_blank_page_reerased(void **state)
{
	struct fx *x = *state;

	fill(x->img, 3 * PAGE, 12);
	programmed_ff(x, PAGE + 2048, 16);   /* two units in the middle of page 1 */
	image_one(x, 0, 3 * PAGE);
	assert_int_equal(plan_read_first(x), SB_OK);
	assert_int_equal(x->p.nblank, 3);    /* reading cannot tell */
	assert_int_equal(sb_plan_run(&x->p, &x->f, true, &x->d), SB_OK);
	assert_int_equal(x->p.nreerased, 1);
	assert_true(x->p.touched[1].reerased);
	assert_int_equal(x->fl.nerases, 1);
	assert_int_equal(x->fl.erases[1], 1);
	assert_int_equal(x->fl.refusals, 1);
	assert_target(x, 0, NPAGES * PAGE, 0, 3 * PAGE);
}

/* A ROM that ACKs without programming (A.7): the read-back finds it, same fallback. */
static void test_silent_refusal_found_by_verify(void **state)
{
	struct fx *x = *state;

	x->fl.silent = true;
	fill(x->img, 2 * PAGE, 13);
	programmed_ff(x, 0, 8);
	image_one(x, 0, 2 * PAGE);
	assert_int_equal(plan_read_first(x), SB_OK);
	assert_int_equal(sb_plan_run(&x->p, &x->f, true, &x->d), SB_OK);
	assert_int_equal(x->p.nreerased, 1);
	assert_int_equal(x->fl.erases[0], 1);
	assert_int_equal(x->fl.erases[1], 0);
	assert_target(x, 0, 2 * PAGE, 0, 2 * PAGE);
}

/* Without verify, pages written without erase are still read back. */
static void test_no_verify_still_checks_blank_pages(void **state)
{
	struct fx *x = *state;

	x->fl.silent = true;
	fill(x->img, 2 * PAGE, 14);
	preload(x, PAGE, x->img + PAGE, 8);   /* page 1: one unit with other data -> ERASE */
	x->fl.mem[PAGE] ^= 1;
	programmed_ff(x, 64, 8);             /* page 0: BLANK, one unit programmed with 0xFF */
	image_one(x, 0, 2 * PAGE);
	assert_int_equal(plan_read_first(x), SB_OK);
	assert_int_equal(x->p.touched[0].action, SB_PAGE_BLANK);
	assert_int_equal(x->p.touched[1].action, SB_PAGE_ERASE);
	assert_int_equal(sb_plan_run(&x->p, &x->f, false, &x->d), SB_OK);
	assert_int_equal(x->p.nreerased, 1);
	assert_target(x, 0, 2 * PAGE, 0, 2 * PAGE);
	for (unsigned i = 0; i < x->fl.nops; i++)   /* the erased page is not read back */
		assert_null(strstr(x->fl.ops[i], "verify 0x08001000"));
}

/* A refusal on a page this job erased is a real error: no second erase. */
static void test_refusal_on_erased_page_fails(void **state)
{
	struct fx *x = *state;
	uint8_t old[8] = { 0 };

	fill(x->img, PAGE, 15);
	preload(x, 8, old, 8);         /* -> ERASE */
	x->fl.stuck[100] = true;       /* a unit that never takes data */
	image_one(x, 0, PAGE);
	assert_int_equal(plan_read_first(x), SB_OK);
	assert_int_equal(x->p.touched[0].action, SB_PAGE_ERASE);
	assert_int_equal(sb_plan_run(&x->p, &x->f, true, &x->d), SB_ERR_NACK);
	assert_int_equal(x->d.addr, BASE + 800);
	assert_int_equal(x->fl.nerases, 1);
	assert_int_equal(x->p.nreerased, 0);
}

/* Refused again after the fallback's erase: the job fails, naming the address. */
static void test_refusal_after_reerase_fails(void **state)
{
	struct fx *x = *state;

	fill(x->img, PAGE, 16);
	x->fl.stuck[10] = true;
	image_one(x, 0, PAGE);
	assert_int_equal(plan_read_first(x), SB_OK);
	assert_int_equal(x->p.touched[0].action, SB_PAGE_BLANK);
	assert_int_equal(sb_plan_run(&x->p, &x->f, true, &x->d), SB_ERR_NACK);
	assert_int_equal(x->d.addr, BASE + 80);
	assert_int_equal(x->fl.nerases, 1);
	assert_int_equal(x->p.nreerased, 1);
}

/* A refusal without an address names no page: no erase by a guess. */
static int write_refused_no_addr(void *ctx, uint32_t addr, const uint8_t *data, size_t len,
				 bool *refused, struct sb_diag *d)
{
	(void)ctx; (void)addr; (void)data; (void)len;
	*refused = true;
	return sb_diag_set(d, SB_ERR_NACK, "write: refused");
}

static void test_refusal_without_address_fails(void **state)
{
	struct fx *x = *state;
	struct sb_flash_ops ops = fake_ops;

	ops.write = write_refused_no_addr;
	fill(x->img, PAGE, 17);
	image_one(x, 0, PAGE);
	assert_int_equal(plan_read_first(x), SB_OK);
	x->f.ops = &ops;
	assert_int_equal(sb_plan_run(&x->p, &x->f, true, &x->d), SB_ERR_NACK);
	assert_int_equal(x->fl.nerases, 0);
	assert_int_equal(x->p.nreerased, 0);
}

/* Other failures (a device gone, a timeout) are never a reason to erase. */
static int write_gone(void *ctx, uint32_t addr, const uint8_t *data, size_t len, bool *refused,
		      struct sb_diag *d)
{
	(void)ctx; (void)data; (void)len; (void)refused;
	return sb_diag_addr(d, SB_ERR_NO_DEVICE, addr, "write: device gone");
}

static void test_other_write_failure_is_final(void **state)
{
	struct fx *x = *state;
	struct sb_flash_ops ops = fake_ops;

	ops.write = write_gone;
	fill(x->img, PAGE, 18);
	image_one(x, 0, PAGE);
	assert_int_equal(plan_read_first(x), SB_OK);
	x->f.ops = &ops;
	assert_int_equal(sb_plan_run(&x->p, &x->f, true, &x->d), SB_ERR_NO_DEVICE);
	assert_int_equal(x->fl.nerases, 0);
}

/* The refused page is mid-run: pages before it stay written, the run goes on after it. */
static void test_fallback_mid_run(void **state)
{
	struct fx *x = *state;

	fill(x->img, 4 * PAGE, 19);
	programmed_ff(x, 2 * PAGE + 4000, 8);
	image_one(x, 0, 4 * PAGE);
	assert_int_equal(plan_read_first(x), SB_OK);
	assert_int_equal(sb_plan_run(&x->p, &x->f, true, &x->d), SB_OK);
	assert_int_equal(x->fl.nerases, 1);
	assert_int_equal(x->fl.erases[2], 1);
	/* the run, the page again, the rest of the run from page 3 */
	assert_string_equal(x->fl.ops[0], "read 0x08000000+16384");
	assert_string_equal(x->fl.ops[1], "write 0x08000000+16384");
	assert_string_equal(x->fl.ops[2], "erase 2");
	assert_string_equal(x->fl.ops[3], "write 0x08002000+4096");
	assert_string_equal(x->fl.ops[4], "write 0x08003000+4096");
	assert_int_equal(x->fl.refusals, 1);
	assert_target(x, 0, NPAGES * PAGE, 0, 4 * PAGE);
}

/* A read that fails mid-plan: its error, nothing erased or written, the plan still full. */
static void test_read_failure_mid_plan(void **state)
{
	struct fx *x = *state;
	struct sb_plan_opts o = { .block_size = BLOCK, .erase = SB_ERASE_PAGES };

	fill(x->img, NPAGES * PAGE, 20);
	x->seg[0] = (struct sb_segment){ BASE, PAGE, x->img };
	x->seg[1] = (struct sb_segment){ BASE + 4 * PAGE, PAGE, x->img + 4 * PAGE };
	x->image = (struct sb_image){ .seg = x->seg, .nseg = 2, .cap = 2 };
	x->fl.read_fail_at = 2;
	assert_int_equal(sb_plan_build(&x->image, &x->g, &o, &x->p, NULL), SB_OK);
	assert_int_equal(sb_plan_read_first(&x->p, &x->f, &x->d), SB_ERR_NO_DEVICE);
	assert_int_equal(x->d.addr, BASE + 4 * PAGE);
	assert_false(x->p.read_first);
	assert_int_equal(x->p.npages, 2);
	assert_int_equal(x->fl.nerases, 0);
	assert_int_equal(x->fl.writes, 0);
}

/* The full plan through the same runner: every touched page erased, all read back. */
static void test_full_plan_runs(void **state)
{
	struct fx *x = *state;
	struct sb_plan_opts o = { .block_size = BLOCK, .erase = SB_ERASE_PAGES };

	fill(x->img, 2 * PAGE, 21);
	preload(x, 0, x->img, 2 * PAGE);
	image_one(x, 0, 2 * PAGE);
	assert_int_equal(sb_plan_build(&x->image, &x->g, &o, &x->p, NULL), SB_OK);
	assert_int_equal(sb_plan_run(&x->p, &x->f, true, &x->d), SB_OK);
	assert_int_equal(x->fl.nerases, 2);
	assert_int_equal(x->fl.written, 2 * PAGE);
	assert_string_equal(x->fl.ops[x->fl.nops - 1], "verify 0x08000000+8192");
	assert_target(x, 0, 2 * PAGE, 0, 2 * PAGE);
	/* without verify: erased and written again, nothing read back */
	x->fl.nops = 0;
	assert_int_equal(sb_plan_run(&x->p, &x->f, false, &x->d), SB_OK);
	assert_int_equal(x->fl.nerases, 4);
	assert_int_equal(x->fl.verifies, 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_blank_part_written_without_erase),
		T(test_same_image_left_alone),
		T(test_one_changed_page_erased),
		T(test_partly_written_page_completes),
		T(test_conflicting_unit_erases),
		T(test_partial_page_keeps_the_contract),
		T(test_ff_in_image_over_data_erases),
		T(test_classify_needs_every_page),
		T(test_read_first_needs_page_erase),
		T(test_two_runs_of_pages),
		T(test_refused_blank_page_reerased),
		T(test_silent_refusal_found_by_verify),
		T(test_no_verify_still_checks_blank_pages),
		T(test_refusal_on_erased_page_fails),
		T(test_refusal_after_reerase_fails),
		T(test_refusal_without_address_fails),
		T(test_other_write_failure_is_final),
		T(test_fallback_mid_run),
		T(test_read_failure_mid_plan),
		T(test_full_plan_runs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
