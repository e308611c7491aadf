/* SPDX-License-Identifier: MIT */
/*
 * sha256.h - SHA-256 (FIPS 180-4), for the factory log: every input file of
 * a job is named with its digest in the start and result events.
 *
 * Implemented here rather than linked: none of the Debian libraries stmboot
 * already depends on (libusb, libserialport, libgpiod) offers a hash, and a
 * crypto library for one digest would be a new dependency of every program.
 * Tested against the FIPS 180-4 / NIST example vectors (tests/unit/test_sha256.c).
 *
 * Pure: no allocation, no globals. A context is used by one thread at a time.
 */
#ifndef SB_SHA256_H
#define SB_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SB_SHA256_LEN 32

struct sb_sha256 {
	uint32_t h[8];
	uint64_t bytes;        /* message length so far */
	uint8_t buf[64];       /* partial block */
	size_t nbuf;
};

void sb_sha256_init(struct sb_sha256 *s);
void sb_sha256_update(struct sb_sha256 *s, const void *data, size_t len);
/* The digest; s must be initialised again before reuse. */
void sb_sha256_final(struct sb_sha256 *s, uint8_t out[SB_SHA256_LEN]);

/* One call: the digest of buf as 64 lowercase hex digits and a NUL (hex: 65 bytes). */
void sb_sha256_hex(const void *buf, size_t len, char hex[2 * SB_SHA256_LEN + 1]);

#endif
