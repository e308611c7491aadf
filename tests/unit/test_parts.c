/* SPDX-License-Identifier: MIT */
/*
 * The device table (protocols/devtable.c) checked against itself and
 * against an independent list (fixtures/parts-independent.tsv: ST's device
 * data and stm32flash, not the sources the rows cite). Every difference
 * must be explained in fixtures/parts-known-differences.tsv, and every
 * explanation must still be needed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bind.h"
#include "part.h"

#define MAX_LINES 256
#define MAX_KNOWN 64

/* One line of parts-independent.tsv. */
struct indep {
	unsigned lineno;
	uint16_t pid;
	char source[32], name[64], mode[8], bank2[16], layout[160], write[8], erased[8];
	uint32_t flash_kb;
};

/* One line of parts-known-differences.tsv. */
struct known {
	uint16_t pid;
	char source[32], field[16], ours[160], theirs[160];
	bool used;
};

static struct indep lines[MAX_LINES];
static size_t nlines;
static struct known known[MAX_KNOWN];
static size_t nknown;

static const char *fixtures(void)
{
	return getenv("SB_FIXTURES") ? getenv("SB_FIXTURES") : "fixtures";
}

/* Split a tab-separated line into at most n fields; returns how many. */
static size_t split_tabs(char *s, char **f, size_t n)
{
	size_t k = 0;

	s[strcspn(s, "\r\n")] = '\0';
	while (k < n) {
		f[k++] = s;
		if (!(s = strchr(s, '\t')))
			break;
		*s++ = '\0';
	}
	return k;
}

static FILE *open_fixture(const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fixtures(), name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	return f;
}

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

static void load_independent(void)
{
	FILE *f = open_fixture("parts-independent.tsv");
	char buf[512], *fld[9];
	unsigned lineno = 0;

	while (fgets(buf, sizeof(buf), f)) {
		struct indep *l = &lines[nlines];
		lineno++;
		if (buf[0] == '#' || buf[0] == '\n')
			continue;
		if (split_tabs(buf, fld, 9) != 9)
			fail_msg("parts-independent.tsv:%u: not 9 tab-separated fields", lineno);
		assert_true(nlines < MAX_LINES);
		l->lineno = lineno;
		l->pid = (uint16_t)strtoul(fld[0], NULL, 16);
		COPY(l->source, fld[1]);
		COPY(l->name, fld[2]);
		l->flash_kb = (uint32_t)strtoul(fld[3], NULL, 10);
		COPY(l->mode, fld[4]);
		COPY(l->bank2, fld[5]);
		COPY(l->layout, fld[6]);
		COPY(l->write, fld[7]);
		COPY(l->erased, fld[8]);
		nlines++;
	}
	fclose(f);
	assert_true(nlines > 0);
}

static void load_known(void)
{
	FILE *f = open_fixture("parts-known-differences.tsv");
	char buf[1024], *fld[6];
	unsigned lineno = 0;

	while (fgets(buf, sizeof(buf), f)) {
		struct known *k = &known[nknown];
		lineno++;
		if (buf[0] == '#' || buf[0] == '\n')
			continue;
		if (split_tabs(buf, fld, 6) != 6 || strlen(fld[5]) < 10)
			fail_msg("parts-known-differences.tsv:%u: pid, source, field, ours, theirs and a reason", lineno);
		assert_true(nknown < MAX_KNOWN);
		k->pid = (uint16_t)strtoul(fld[0], NULL, 16);
		COPY(k->source, fld[1]);
		COPY(k->field, fld[2]);
		COPY(k->ours, fld[3]);
		COPY(k->theirs, fld[4]);
		nknown++;
	}
	fclose(f);
}

/* Runs in address order, adjacent equal units merged: "256x4K". */
static void flat_layout(const struct sb_geom *g, char *buf, size_t len)
{
	struct sb_page_run r[SB_GEOM_MAX_RUNS];
	unsigned n = 0;
	size_t k = 0;

	for (unsigned i = 0; i < g->nruns; i++) {
		if (n && r[n - 1].size == g->run[i].size &&
		    r[n - 1].addr + r[n - 1].count * r[n - 1].size == g->run[i].addr)
			r[n - 1].count += g->run[i].count;
		else
			r[n++] = g->run[i];
	}
	buf[0] = '\0';
	for (unsigned i = 0; i < n && k < len; i++) {
		char size[16];
		if (r[i].size % 1024 == 0)
			snprintf(size, sizeof(size), "%uK", r[i].size / 1024);
		else
			snprintf(size, sizeof(size), "%u", r[i].size);
		if (r[i].count == 1)
			k += (size_t)snprintf(buf + k, len - k, "%s%s", i ? "+" : "", size);
		else
			k += (size_t)snprintf(buf + k, len - k, "%s%ux%s", i ? "+" : "", r[i].count, size);
	}
}

/* A difference is fine when the known list explains exactly it. */
static int differs(const struct indep *l, const char *field, const char *ours, const char *theirs)
{
	for (size_t i = 0; i < nknown; i++) {
		struct known *k = &known[i];
		if (k->pid == l->pid && !strcmp(k->source, l->source) && !strcmp(k->field, field) &&
		    !strcmp(k->ours, ours) && !strcmp(k->theirs, theirs)) {
			k->used = true;
			return 0;
		}
	}
	print_error("parts-independent.tsv:%u: PID 0x%03X %s %s: table %s, %s %s (not in parts-known-differences.tsv)\n",
		    l->lineno, l->pid, l->name, field, ours, l->source, theirs);
	return 1;
}

/* Our layout (and bank 2) of p in one mode at the line's size. */
static bool our_layout(const struct sb_part *p, uint32_t kb, bool dual, char *layout, size_t len,
		       char *bank2, size_t blen)
{
	struct sb_geom g;

	if (sb_geom_for_mode(p, kb, dual, &g, NULL) != SB_OK)
		return false;
	flat_layout(&g, layout, len);
	if (g.bank2)
		snprintf(bank2, blen, "0x%08X", g.bank2);
	else
		snprintf(bank2, blen, "-");
	return true;
}

/* Size, bank mode, bank 2 and layout of one line. */
static int check_geometry(const struct indep *l, const struct sb_part *p)
{
	char layout[2][200], bank2[2][16], ours[420];
	bool has[2];
	int bad = 0;

	for (int d = 0; d < 2; d++)
		has[d] = our_layout(p, l->flash_kb, d, layout[d], sizeof(layout[d]), bank2[d],
				    sizeof(bank2[d]));
	if (!strcmp(l->mode, "any")) {
		if ((has[0] && !strcmp(layout[0], l->layout)) || (has[1] && !strcmp(layout[1], l->layout)))
			return 0;
		snprintf(ours, sizeof(ours), "%s|%s", has[0] ? layout[0] : "-", has[1] ? layout[1] : "-");
		return differs(l, "layout", ours, l->layout);
	}
	int d = !strcmp(l->mode, "dual");
	if (!has[d])
		return differs(l, "mode", "none", l->mode);
	if (strcmp(layout[d], l->layout))
		bad += differs(l, "layout", layout[d], l->layout);
	if (strcmp(l->bank2, "-") && strcmp(bank2[d], l->bank2))
		bad += differs(l, "bank2", bank2[d], l->bank2);
	return bad;
}

static int check_line(const struct indep *l)
{
	const struct sb_part *p = sb_part_by_pid(l->pid);
	char ours[32], theirs[32];
	int bad = 0;

	if (!p) {
		print_error("parts-independent.tsv:%u: PID 0x%03X is not in the table\n", l->lineno, l->pid);
		return 1;
	}
	/* independent means: the row does not cite this source */
	if (strstr(p->source, l->source)) {
		print_error("PID 0x%03X cites %s, its own check\n", l->pid, l->source);
		return 1;
	}
	snprintf(ours, sizeof(ours), "%u", p->flash_kb);
	snprintf(theirs, sizeof(theirs), "%u", l->flash_kb);
	if (p->flash_kb != l->flash_kb)
		bad += differs(l, "flash_kb", ours, theirs);
	else
		bad += check_geometry(l, p);
	snprintf(ours, sizeof(ours), "%u", p->write_unit);
	if (strcmp(l->write, "-") && strcmp(l->write, ours))
		bad += differs(l, "write", ours, l->write);
	snprintf(ours, sizeof(ours), "%s", p->flags & SB_PART_ERASED_UNSURE ? "unsure"
					   : p->flags & SB_PART_ERASED_ZERO ? "0" : "255");
	if (strcmp(l->erased, "-") && strcmp(l->erased, ours))
		bad += differs(l, "erased", ours, l->erased);
	return bad;
}

static void test_independent_list(void **state)
{
	(void)state;
	int bad = 0;

	for (size_t i = 0; i < nlines; i++)
		bad += check_line(&lines[i]);
	for (size_t i = 0; i < nknown; i++) {
		if (known[i].used)
			continue;
		print_error("parts-known-differences.tsv: PID 0x%03X %s %s (%s / %s) no longer differs: remove it\n",
			    known[i].pid, known[i].source, known[i].field, known[i].ours, known[i].theirs);
		bad++;
	}
	assert_int_equal(bad, 0);
}

/* Every row has a line from ST's device data. */
static void test_every_row_checked(void **state)
{
	(void)state;
	size_t n;
	const struct sb_part *t = sb_part_table(&n);

	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t j = 0; j < nlines; j++)
			seen |= lines[j].pid == t[i].pid && !strcmp(lines[j].source, "stm32-data");
		if (!seen)
			fail_msg("PID 0x%03X %s has no line in parts-independent.tsv", t[i].pid, t[i].name);
	}
}

static bool pow2_unit(unsigned u)
{
	return u == 4 || u == 8 || u == 16 || u == 32;
}

/* Facts that must hold in every row, whatever its sources. */
static void check_row(const struct sb_part *p)
{
	assert_non_null(p->name);
	assert_non_null(p->family);
	assert_true(p->source && strlen(p->source) > 10);
	assert_true(pow2_unit(p->write_unit));
	/* AN3155: Extended Erase came with protocol v3.0 and replaces 0x43 */
	assert_true(p->erase_cmd == 0x43 || p->erase_cmd == 0x44);
	assert_int_equal(p->erase_cmd == 0x43, p->usart_ver < 0x30);
	assert_true(p->ram_start <= p->ram_end);
	assert_true(p->ram_start == p->ram_end || (p->ram_start >= 0x20000000 && p->ram_end <= 0x24000000));
	assert_true(p->opt_start <= p->opt_end && p->opt2_start <= p->opt2_end);
	assert_true(p->opt2_start == 0 || p->opt_start != 0);
	assert_true(p->otp_start <= p->otp_end && p->sys_start <= p->sys_end);
	assert_true((p->bl_id == 0) || p->bl_id_addr);
	if (p->dual == SB_DUAL_BIT)
		assert_true(p->dbank_bit >= 0 || p->dbank_bit_half >= 0);
	for (int dual = 0; dual < 2; dual++) {
		struct sb_geom g;
		uint64_t total = 0;
		if (!sb_part_has_mode(p, p->flash_kb, dual))
			continue;
		assert_int_equal(sb_geom_for_mode(p, 0, dual, &g, NULL), SB_OK);
		for (unsigned r = 0; r < g.nruns; r++) {
			total += (uint64_t)g.run[r].count * g.run[r].size;
			assert_int_equal(g.run[r].size % p->write_unit, 0);
		}
		assert_int_equal(total, (uint64_t)p->flash_kb * 1024);
	}
	assert_true(sb_part_has_mode(p, p->flash_kb, false) || sb_part_has_mode(p, p->flash_kb, true));
}

static void test_rows(void **state)
{
	(void)state;
	size_t n;
	const struct sb_part *t = sb_part_table(&n);

	assert_true(n >= 79);
	for (size_t i = 0; i < n; i++) {
		check_row(&t[i]);
		for (size_t j = i + 1; j < n; j++)
			assert_int_not_equal(t[i].pid, t[j].pid);
	}
}

/* One row at least for each family the issue names (issue 14, item 3). */
static void test_families(void **state)
{
	static const char *fam[] = { "F0", "F1", "F2", "F3", "F4", "F7", "G0", "G4", "H7", "L0",
				     "L1", "L4", "L4+", "L5", "U5", "WB", "WL", "C0", "H5", "U0" };
	size_t n;
	const struct sb_part *t = sb_part_table(&n);

	(void)state;
	for (size_t f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
		bool seen = false;
		for (size_t i = 0; i < n; i++)
			seen |= !strcmp(t[i].family, fam[f]);
		if (!seen)
			fail_msg("no row of family %s", fam[f]);
	}
}

/* Bank rules per family (protocol-facts E.4; RM0090, RM0410, RM0440, RM0432). */
static void test_bank_rules(void **state)
{
	struct sb_geom g;
	uint32_t page, pa, ps;

	(void)state;
	/* F42x: 2 MB always two banks; 1 MB: DB1M (OPTCR bit 30) */
	assert_int_equal(sb_geom_for_part(sb_part_by_pid(0x419), 1024, 0x0FFFAAED, &g, NULL), SB_OK);
	assert_int_equal(g.bank2, 0);
	assert_int_equal(g.npages, 12);
	assert_int_equal(sb_geom_for_part(sb_part_by_pid(0x419), 1024, 0x4FFFAAED, &g, NULL), SB_OK);
	assert_int_equal(g.bank2, 0x08080000);
	assert_int_equal(g.npages, 16);           /* 2 x (4 x 16 + 64 + 3 x 128) */
	/* F76x: nDBANK = 0 means two banks of F4-sized sectors */
	assert_int_equal(sb_geom_for_part(sb_part_by_pid(0x451), 0, 0xDFFFAAFD, &g, NULL), SB_OK);
	assert_int_equal(g.bank2, 0x08100000);
	assert_true(sb_geom_page(&g, 0x08100000, &page, &pa, &ps));
	assert_int_equal(ps, 16 * 1024);
	assert_int_equal(sb_geom_for_part(sb_part_by_pid(0x451), 0, -1, &g, NULL), SB_OK);
	assert_int_equal(g.bank2, 0);             /* factory: single bank */
	/* G47x 256 KB dual bank: bank 2 stays at 0x08040000, a gap before it */
	assert_int_equal(sb_geom_for_part(sb_part_by_pid(0x469), 256, -1, &g, NULL), SB_OK);
	assert_int_equal(g.bank2, 0x08040000);
	assert_false(sb_geom_page(&g, 0x08020000, &page, &pa, &ps));
	assert_true(sb_geom_page(&g, 0x08040000, &page, &pa, &ps));
	assert_int_equal(page, 64);
	assert_int_equal(sb_geom_end(&g), 0x08060000);
	/* L47x 512 KB: DUAL_BANK (bit 21) decides; 1 MB is always dual */
	assert_int_equal(sb_geom_for_part(sb_part_by_pid(0x415), 512, 0xFFCFF8AA, &g, NULL), SB_OK);
	assert_int_equal(g.bank2, 0);
	assert_int_equal(sb_geom_for_part(sb_part_by_pid(0x415), 1024, 0xFFCFF8AA, &g, NULL), SB_OK);
	assert_int_equal(g.bank2, 0x08080000);
	/* H74x: bank 2 at 0x08100000 */
	assert_int_equal(sb_geom_for_part(sb_part_by_pid(0x450), 0, -1, &g, NULL), SB_OK);
	assert_int_equal(g.bank2, 0x08100000);
	assert_int_equal(g.write_unit, 32);
	/* L0/L1: erased flash reads 0x00 */
	assert_int_equal(sb_geom_for_part(sb_part_by_pid(0x417), 0, -1, &g, NULL), SB_OK);
	assert_int_equal(g.erased_value, 0x00);
	assert_true(g.erased_known);
	assert_int_equal(sb_geom_for_part(sb_part_by_pid(0x494), 0, -1, &g, NULL), SB_OK);
	assert_false(g.erased_known);
	/* no such mode */
	assert_int_not_equal(sb_geom_for_mode(sb_part_by_pid(0x410), 0, true, &g, NULL), SB_OK);
	assert_int_not_equal(sb_geom_for_mode(sb_part_by_pid(0x450), 0, false, &g, NULL), SB_OK);
}

/* A geometry the user gives keeps what the part's erased flash reads. */
static void test_explicit_geom_erased(void **state)
{
	struct sb_chip c;
	struct sb_bind_opts o = { .flash_size = 64 * 1024, .page_size = 128 };

	(void)state;
	assert_int_equal(sb_bind_offline(&c, sb_part_by_pid(0x417), &o, NULL), SB_OK);
	assert_int_equal(c.geom.erased_value, 0x00);
	assert_true(c.geom.erased_known);
	assert_int_equal(c.geom.write_unit, 4);
	assert_int_equal(sb_bind_offline(&c, sb_part_by_pid(0x494), &o, NULL), SB_OK);
	assert_false(c.geom.erased_known);
	assert_int_equal(sb_bind_offline(&c, NULL, &o, NULL), SB_OK);
	assert_int_equal(c.geom.erased_value, 0xFF);
}

static void test_filter(void **state)
{
	(void)state;
	assert_true(sb_part_matches(sb_part_by_pid(0x470), "l4"));
	assert_true(sb_part_matches(sb_part_by_pid(0x470), "L4+"));
	assert_true(sb_part_matches(sb_part_by_pid(0x470), "0x470"));
	assert_true(sb_part_matches(sb_part_by_pid(0x470), "470"));
	assert_false(sb_part_matches(sb_part_by_pid(0x470), "f4"));
	assert_false(sb_part_matches(sb_part_by_pid(0x468), "l4"));
	assert_true(sb_part_matches(sb_part_by_pid(0x468), "g4"));
}

static int setup(void **state)
{
	(void)state;
	load_independent();
	load_known();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_bank_rules),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_explicit_geom_erased),
		cmocka_unit_test(test_every_row_checked),
		cmocka_unit_test(test_independent_list),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
