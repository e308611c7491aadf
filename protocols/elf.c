/* SPDX-License-Identifier: MIT */
/*
 * elf.c - ELF loader for 32-bit little-endian ARM executables (System V ABI
 * "ELF" chapter; ARM ELF for the Arm Architecture, EM_ARM = 40).
 *
 * What goes into flash is what a debugger's "load" writes: every PT_LOAD
 * segment's file bytes at its physical (load) address p_paddr. That is how
 * initialised .data, linked to run in RAM, lands in flash after .rodata
 * (its LMA). The p_memsz - p_filesz tail (.bss, NOBITS) is zeroed by the
 * startup code at run time and is not written; a segment with no file
 * bytes at all is skipped. Section headers are not used.
 */
#include "image.h"

#include <string.h>

#include "imgbuild.h"

/* ELF32 header and program header layout (System V ABI, ELF32). */
#define EHDR_SIZE 52
#define PHDR_SIZE 32
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define ELFCLASS32 1
#define ELFDATA2LSB 1
#define EM_ARM 40
#define PT_LOAD 1
#define PN_XNUM 0xffff

struct elf_hdr {
	uint16_t type, machine;
	uint32_t entry, phoff;
	uint16_t phentsize, phnum;
};

struct elf_phdr {
	uint32_t type, offset, vaddr, paddr, filesz, memsz;
};

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int check_ident(const struct sb_imgbuild *b, const uint8_t *buf, size_t len,
		       struct sb_diag *diag)
{
	if (len < 4 || memcmp(buf, "\x7f" "ELF", 4) != 0)
		return sb_imgbuild_err(b, diag, 0, "not an ELF file (no \\x7fELF magic)");
	if (len < EHDR_SIZE)
		return sb_imgbuild_err(b, diag, 0, "file too short for an ELF header (%zu bytes, needs %d)",
				       len, EHDR_SIZE);
	if (buf[EI_CLASS] != ELFCLASS32)
		return sb_imgbuild_err(b, diag, EI_CLASS, "not a 32-bit ELF file (class %u)",
				       buf[EI_CLASS]);
	if (buf[EI_DATA] != ELFDATA2LSB)
		return sb_imgbuild_err(b, diag, EI_DATA, "not a little-endian ELF file (data %u)",
				       buf[EI_DATA]);
	if (buf[EI_VERSION] != 1)
		return sb_imgbuild_err(b, diag, EI_VERSION, "unknown ELF version %u",
				       buf[EI_VERSION]);
	return SB_OK;
}

static int read_header(const struct sb_imgbuild *b, const uint8_t *buf, size_t len,
		       struct elf_hdr *h, struct sb_diag *diag)
{
	int rc = check_ident(b, buf, len, diag);
	if (rc)
		return rc;
	*h = (struct elf_hdr){ .type = le16(buf + 16), .machine = le16(buf + 18),
			       .entry = le32(buf + 24), .phoff = le32(buf + 28),
			       .phentsize = le16(buf + 42), .phnum = le16(buf + 44) };
	if (h->machine != EM_ARM)
		return sb_imgbuild_err(b, diag, 18, "not an ARM ELF file (e_machine %u)", h->machine);
	if (h->phnum == 0 || h->phoff == 0)
		return sb_imgbuild_err(b, diag, 28,
				       "no program headers (an object file? link it into an executable)");
	if (h->phnum == PN_XNUM)
		return sb_imgbuild_err(b, diag, 44, "extended program header numbering not supported");
	if (h->phentsize < PHDR_SIZE)
		return sb_imgbuild_err(b, diag, 42, "program header size %u (needs at least %d)",
				       h->phentsize, PHDR_SIZE);
	uint64_t end = (uint64_t)h->phoff + (uint64_t)h->phnum * h->phentsize;
	if (end > len)
		return sb_imgbuild_err(b, diag, h->phoff,
				       "program header table (%u entries of %u bytes) runs past the end of the file (%zu bytes)",
				       h->phnum, h->phentsize, len);
	return SB_OK;
}

static void read_phdr(const uint8_t *p, struct elf_phdr *ph)
{
	*ph = (struct elf_phdr){ .type = le32(p), .offset = le32(p + 4), .vaddr = le32(p + 8),
				 .paddr = le32(p + 12), .filesz = le32(p + 16),
				 .memsz = le32(p + 20) };
}

static int load_segment(struct sb_imgbuild *b, const uint8_t *buf, size_t len, unsigned idx,
			size_t at, struct sb_diag *diag)
{
	struct elf_phdr ph;

	read_phdr(buf + at, &ph);
	if (ph.type != PT_LOAD || ph.filesz == 0)
		return SB_OK;
	if ((uint64_t)ph.offset + ph.filesz > len)
		return sb_imgbuild_err(b, diag, at,
				       "segment %u data (offset 0x%x, 0x%x bytes) runs past the end of the file (%zu bytes)",
				       idx, (unsigned)ph.offset, (unsigned)ph.filesz, len);
	if (ph.filesz > ph.memsz)
		return sb_imgbuild_err(b, diag, at,
				       "segment %u has more file bytes (0x%x) than memory bytes (0x%x)",
				       idx, (unsigned)ph.filesz, (unsigned)ph.memsz);
	return sb_imgbuild_add_ref(b, ph.paddr, buf + ph.offset, ph.filesz, ph.offset, diag);
}

int sb_load_elf(struct sb_image *img, const uint8_t *buf, size_t len, const char *name,
		struct sb_diag *diag)
{
	struct sb_imgbuild b;
	struct elf_hdr h;

	sb_imgbuild_init(&b, name, false);
	int rc = read_header(&b, buf, len, &h, diag);
	for (unsigned i = 0; !rc && i < h.phnum; i++)
		rc = load_segment(&b, buf, len, i, h.phoff + (size_t)i * h.phentsize, diag);
	if (!rc && b.npiece == 0)
		rc = sb_imgbuild_err(&b, diag, h.phoff,
				     "no loadable data (no PT_LOAD segment with file bytes)");
	if (rc) {
		sb_imgbuild_free(&b);
		return rc;
	}
	b.entry = h.entry;
	b.has_entry = h.entry != 0;
	return sb_imgbuild_finish(&b, img, diag);
}
