/* SPDX-License-Identifier: MIT */
/*
 * libc.c - the two functions the compiler may call on its own in a
 * freestanding build (struct copies and zeroed arrays), since the loader
 * links without a C library (-nostdlib).
 */
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}
