/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_hash.c -- SHA-256 (FIPS 180-4, libcrypto) of dropped files, sha256_max_bytes */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/settings.h"
#include "check/hash.h"

static void hash_buf(const void *data, size_t len, char hex[65])
{
	struct sha256 s = { 0 };

	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final_hex(&s, hex);
}

/* FIPS 180-4 / NIST CSRC examples (SHA256.pdf, SHA2_Additional) */
static const struct {
	const char *msg;
	const char *digest;
} vectors[] = {
	{ "",
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	/* 448 bits */
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	/* 896 bits */
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
};

START_TEST(test_sha256_fips_vectors)
{
	char hex[65];

	hash_buf(vectors[_i].msg, strlen(vectors[_i].msg), hex);
	ck_assert_str_eq(hex, vectors[_i].digest);
	ck_assert_uint_eq(strlen(hex), 64);
}
END_TEST

START_TEST(test_sha256_million_a)
{
	static const char want[] =
		"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
	char block[1000], hex[65];
	struct sha256 s = { 0 };
	size_t i;

	/* in 1000 updates of 1000 bytes, as the FIPS example suggests */
	memset(block, 'a', sizeof(block));
	sha256_init(&s);
	for (i = 0; i < 1000; i++)
		sha256_update(&s, block, sizeof(block));
	ck_assert_uint_eq(s.len, 1000000);
	sha256_final_hex(&s, hex);
	ck_assert_str_eq(hex, want);
}
END_TEST

/* The padding boundaries: 55 bytes fit one block with the length, 56 do
 * not; a full block with nothing buffered; two blocks. */
static const struct {
	size_t n;
	const char *digest;
} a_runs[] = {
	{ 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
	{ 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
	{ 57, "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6" },
	{ 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
	{ 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
	{ 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
	{ 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
	{ 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c" },
	{ 127, "c57e9278af78fa3cab38667bef4ce29d783787a2f731d4e12200270f0c32320a" },
	{ 128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e" },
};

START_TEST(test_sha256_padding_boundaries)
{
	char buf[128], hex[65];

	memset(buf, 'a', sizeof(buf));
	hash_buf(buf, a_runs[_i].n, hex);
	ck_assert_msg(!strcmp(hex, a_runs[_i].digest),
		      "%zu x 'a': %s, expected %s", a_runs[_i].n, hex,
		      a_runs[_i].digest);
}
END_TEST

/* A pattern whose bytes differ from block to block. */
static unsigned char *pattern(size_t len)
{
	unsigned char *p = malloc(len);
	size_t i;

	ck_assert_ptr_nonnull(p);
	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 7 + 3);
	return p;
}

#define PATTERN_LEN	200003
#define PATTERN_SHA	\
	"aaa1137a572394ab285096ae86aa5e48fac554adfe277fe868729e38f469329d"

START_TEST(test_sha256_pattern_one_shot)
{
	unsigned char *p = pattern(PATTERN_LEN);
	char hex[65];

	hash_buf(p, PATTERN_LEN, hex);
	ck_assert_str_eq(hex, PATTERN_SHA);
	free(p);
}
END_TEST

/* Odd chunk sizes, each cycling through a few lengths, give the one-shot
 * digest: the partial-block buffer is filled and drained correctly. */
static const size_t chunkings[][5] = {
	{ 1, 0 },
	{ 3, 0 },
	{ 7, 13, 0 },
	{ 63, 0 },
	{ 65, 0 },
	{ 1, 64, 127, 0 },
	{ 55, 9, 0 },
	{ 100, 1, 31, 129, 0 },
	{ 4097, 0 },
	{ 0 },	/* sentinel: zero-length updates in between */
};

START_TEST(test_sha256_incremental_equals_one_shot)
{
	unsigned char *p = pattern(PATTERN_LEN);
	const size_t *sizes = chunkings[_i];
	char hex[65];
	struct sha256 s = { 0 };
	size_t off = 0, k = 0;

	sha256_init(&s);
	if (!sizes[0]) {
		/* 0-byte updates around 5000-byte ones */
		while (off < PATTERN_LEN) {
			size_t n = PATTERN_LEN - off < 5000 ? PATTERN_LEN - off
							    : 5000;

			sha256_update(&s, p + off, 0);
			sha256_update(&s, p + off, n);
			off += n;
		}
	} else {
		while (off < PATTERN_LEN) {
			size_t n = sizes[k];

			if (n > PATTERN_LEN - off)
				n = PATTERN_LEN - off;
			sha256_update(&s, p + off, n);
			off += n;
			k = sizes[k + 1] ? k + 1 : 0;
		}
	}
	ck_assert_uint_eq(s.len, PATTERN_LEN);
	sha256_final_hex(&s, hex);
	ck_assert_msg(!strcmp(hex, PATTERN_SHA), "chunking %d: %s", _i, hex);
	free(p);
}
END_TEST

/* sha256_init() resets a used context completely. */
START_TEST(test_sha256_init_resets)
{
	char hex[65];
	struct sha256 s = { 0 };

	sha256_init(&s);
	sha256_update(&s, "some bytes that leave a partial block", 37);
	sha256_init(&s);
	sha256_update(&s, "abc", 3);
	sha256_final_hex(&s, hex);
	ck_assert_str_eq(hex, vectors[1].digest);
}
END_TEST

static int open_file(const char *name, const void *data, size_t len)
{
	char *path = test_write_file(test_tmpdir, name, data, len, 0600);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	ck_assert_msg(fd >= 0, "open(%s): %s", path, strerror(errno));
	free(path);
	return fd;
}

START_TEST(test_sha256_fd_known_digest)
{
	unsigned char *p = pattern(PATTERN_LEN);
	char hex[65];
	int fd = open_file("pattern", p, PATTERN_LEN);

	/* larger than the function's read buffer: several preads */
	ck_assert_int_eq(sha256_fd(fd, 16 * 1024 * 1024, hex), 0);
	ck_assert_str_eq(hex, PATTERN_SHA);
	close(fd);
	free(p);
}
END_TEST

START_TEST(test_sha256_fd_from_offset_zero)
{
	char hex[65];
	int fd = open_file("abc", "abc", 3);

	/* the descriptor's offset does not matter: it hashes from 0 */
	ck_assert_int_eq(lseek(fd, 0, SEEK_END), 3);
	ck_assert_int_eq(sha256_fd(fd, 100, hex), 0);
	ck_assert_str_eq(hex, vectors[1].digest);
	/* and twice gives the same */
	ck_assert_int_eq(sha256_fd(fd, 100, hex), 0);
	ck_assert_str_eq(hex, vectors[1].digest);
	close(fd);
}
END_TEST

START_TEST(test_sha256_fd_empty_file)
{
	char hex[65];
	int fd = open_file("empty", "", 0);

	ck_assert_int_eq(sha256_fd(fd, 0, hex), 0);
	ck_assert_str_eq(hex, vectors[0].digest);
	close(fd);
}
END_TEST

START_TEST(test_sha256_fd_max)
{
	unsigned char *p = pattern(PATTERN_LEN);
	char hex[65];
	int fd = open_file("pattern", p, PATTERN_LEN);

	/* exactly MAX bytes is hashed */
	memset(hex, 0, sizeof(hex));
	ck_assert_int_eq(sha256_fd(fd, PATTERN_LEN, hex), 0);
	ck_assert_str_eq(hex, PATTERN_SHA);
	/* one byte more than MAX is not, whether MAX falls in the first
	 * read or in a later one */
	ck_assert_int_eq(sha256_fd(fd, PATTERN_LEN - 1, hex), 1);
	ck_assert_int_eq(sha256_fd(fd, 1000, hex), 1);
	ck_assert_int_eq(sha256_fd(fd, 70000, hex), 1);
	ck_assert_int_eq(sha256_fd(fd, 0, hex), 1);
	close(fd);
	free(p);

	fd = open_file("abc", "abc", 3);
	ck_assert_int_eq(sha256_fd(fd, 2, hex), 1);
	ck_assert_int_eq(sha256_fd(fd, 3, hex), 0);
	ck_assert_str_eq(hex, vectors[1].digest);
	close(fd);
}
END_TEST

START_TEST(test_sha256_fd_read_error)
{
	char hex[65];
	int fd;

	/* pread on a directory fails with EISDIR */
	fd = open(test_tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(sha256_fd(fd, 1000, hex), -1);
	close(fd);
	/* and on a closed descriptor with EBADF */
	ck_assert_int_eq(sha256_fd(fd, 1000, hex), -1);
}
END_TEST

/* ---------------------------------------------- [output] sha256_max_bytes */

static bool errors_have(const struct config_errors *e, const char *a,
			const char *b)
{
	size_t i;

	for (i = 0; i < e->count; i++)
		if (strstr(e->msg[i], a) && (!b || strstr(e->msg[i], b)))
			return true;
	return false;
}

START_TEST(test_sha256_max_default)
{
	struct config cfg;

	config_defaults(&cfg);
	ck_assert_uint_eq(cfg.sha256_max, 16ULL * 1024 * 1024);
	config_free(&cfg);
}
END_TEST

static const struct {
	const char *value;
	unsigned long long want;
} good_max[] = {
	{ "0", 0 },			/* off */
	{ "1", 1 },
	{ "1048576", 1048576 },
	{ "4294967296", 4294967296ULL },	/* the top of the range */
};

START_TEST(test_sha256_max_valid)
{
	struct config cfg;
	struct config_errors errs = { 0 };
	char text[128];

	snprintf(text, sizeof(text), "[output]\nsha256_max_bytes = %s\n",
		 good_max[_i].value);
	ck_assert_msg(test_config_load_text(text, &cfg, &errs) == 0,
		      "%s refused: %s", good_max[_i].value,
		      errs.count ? errs.msg[0] : "");
	ck_assert_uint_eq(cfg.sha256_max, good_max[_i].want);
	config_free(&cfg);
	config_errors_free(&errs);
}
END_TEST

static const char *bad_max[] = {
	"4294967297", "-1", "12k", "abc", "1.5", " ", "0x10", "1 000",
	"99999999999999999999999",	/* overflows unsigned long long */
};

START_TEST(test_sha256_max_invalid)
{
	struct config cfg;
	struct config_errors errs = { 0 };
	char text[128];

	snprintf(text, sizeof(text), "[output]\nsha256_max_bytes = %s\n",
		 bad_max[_i]);
	ck_assert_msg(test_config_load_text(text, &cfg, &errs) != 0,
		      "'%s' accepted", bad_max[_i]);
	ck_assert_msg(errors_have(&errs, "sha256_max_bytes", NULL),
		      "the error for '%s' does not name the key: %s",
		      bad_max[_i], errs.count ? errs.msg[0] : "(none)");
	config_free(&cfg);
	config_errors_free(&errs);
}
END_TEST

START_TEST(test_sha256_max_in_wrong_section)
{
	struct config cfg;
	struct config_errors errs = { 0 };

	ck_assert_int_ne(test_config_load_text("[detect]\n"
					       "sha256_max_bytes = 10\n",
					       &cfg, &errs), 0);
	ck_assert(errors_have(&errs, "detect:sha256_max_bytes", NULL));
	config_free(&cfg);
	config_errors_free(&errs);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("hash");
	TCase *tv = tcase_create("vectors");
	TCase *tf = tcase_create("fd");
	TCase *tc = tcase_create("config");

	tcase_add_loop_test(tv, test_sha256_fips_vectors, 0,
			    sizeof(vectors) / sizeof(vectors[0]));
	tcase_add_test(tv, test_sha256_million_a);
	tcase_add_loop_test(tv, test_sha256_padding_boundaries, 0,
			    sizeof(a_runs) / sizeof(a_runs[0]));
	tcase_add_test(tv, test_sha256_pattern_one_shot);
	tcase_add_loop_test(tv, test_sha256_incremental_equals_one_shot, 0,
			    sizeof(chunkings) / sizeof(chunkings[0]));
	tcase_add_test(tv, test_sha256_init_resets);
	suite_add_tcase(s, tv);

	tcase_add_unchecked_fixture(tf, test_tmpdir_setup,
				    test_tmpdir_teardown);
	tcase_add_test(tf, test_sha256_fd_known_digest);
	tcase_add_test(tf, test_sha256_fd_from_offset_zero);
	tcase_add_test(tf, test_sha256_fd_empty_file);
	tcase_add_test(tf, test_sha256_fd_max);
	tcase_add_test(tf, test_sha256_fd_read_error);
	suite_add_tcase(s, tf);

	tcase_add_unchecked_fixture(tc, test_tmpdir_setup,
				    test_tmpdir_teardown);
	tcase_add_test(tc, test_sha256_max_default);
	tcase_add_loop_test(tc, test_sha256_max_valid, 0,
			    sizeof(good_max) / sizeof(good_max[0]));
	tcase_add_loop_test(tc, test_sha256_max_invalid, 0,
			    sizeof(bad_max) / sizeof(bad_max[0]));
	tcase_add_test(tc, test_sha256_max_in_wrong_section);
	suite_add_tcase(s, tc);
	return s;
}
