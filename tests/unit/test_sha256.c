/* SPDX-License-Identifier: MIT */
/*
 * test_sha256.c - SHA-256 against the FIPS 180-4 example vectors (NIST
 * "SHA256.pdf": "abc", the 448-bit message, one million 'a'), the empty
 * message, and the padding boundaries (55, 56, 63, 64, 65, 119, 120 bytes;
 * digests from coreutils' sha256sum), in one call and fed in pieces.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sha256.h"

static void digest_pieces(const uint8_t *msg, size_t len, size_t piece, char hex[65])
{
	struct sb_sha256 s;
	uint8_t d[SB_SHA256_LEN];

	sb_sha256_init(&s);
	for (size_t off = 0; off < len; off += piece)
		sb_sha256_update(&s, msg + off, len - off < piece ? len - off : piece);
	sb_sha256_final(&s, d);
	for (int i = 0; i < SB_SHA256_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

static void check(const void *msg, size_t len, const char *want)
{
	char hex[65];
	static const size_t pieces[] = { 1, 3, 63, 64, 65 };

	sb_sha256_hex(msg, len, hex);
	assert_string_equal(hex, want);
	for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		digest_pieces(msg, len, pieces[i], hex);
		assert_string_equal(hex, want);
	}
}

static void test_fips_examples(void **state)
{
	(void)state;
	check("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_million_a(void **state)
{
	(void)state;
	uint8_t *m = malloc(1000000);

	assert_non_null(m);
	memset(m, 'a', 1000000);
	check(m, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(m);
}

static void test_padding_boundaries(void **state)
{
	(void)state;
	static const struct {
		size_t n;
		const char *hex;
	} v[] = {
		{ 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
		{ 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
		{ 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
		{ 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
		{ 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
		{ 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
		{ 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c" },
	};
	uint8_t a[120];

	memset(a, 'a', sizeof(a));
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		check(a, v[i].n, v[i].hex);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fips_examples),
		cmocka_unit_test(test_million_a),
		cmocka_unit_test(test_padding_boundaries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
