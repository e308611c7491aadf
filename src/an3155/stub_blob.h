/* SPDX-License-Identifier: MIT */
/*
 * stub_blob.h - the RAM loader (stub/) as built by mk/stub.mk, embedded in
 * an3155 (the array is generated into BUILD/gen/stub_blob.c).
 */
#ifndef SB_STUB_BLOB_H
#define SB_STUB_BLOB_H

#include <stddef.h>
#include <stdint.h>

/* Where the image must be loaded (its vector table: initial SP, reset). */
extern const uint32_t sb_stub_addr;
extern const size_t sb_stub_len;
extern const unsigned char sb_stub_image[];

#endif
