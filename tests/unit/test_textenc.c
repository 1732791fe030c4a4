/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_textenc.c -- audit value decoding, UTF-8 validation and repair, hex
 * (util/textenc.c) */
#include "testlib.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/textenc.h"

/* --- audit_value_decode --------------------------------------------------- */

START_TEST(test_decode_quoted)
{
	char *v = audit_value_decode("\"/tmp/dropped\"");

	ck_assert_str_eq(v, "/tmp/dropped");
	free(v);
	v = audit_value_decode("\"\"");
	ck_assert_str_eq(v, "");
	free(v);
}
END_TEST

START_TEST(test_decode_hex)
{
	char *v = audit_value_decode("2F746D702F612062");

	ck_assert_str_eq(v, "/tmp/a b");
	free(v);
	/* bytes that are not UTF-8 come through untouched */
	v = audit_value_decode("2FFF1D0A22");
	ck_assert_str_eq(v, "/\xff\x1d\n\"");
	free(v);
}
END_TEST

START_TEST(test_decode_rejects)
{
	/* (null) and (none) are absent values */
	ck_assert_ptr_null(audit_value_decode("(null)"));
	ck_assert_ptr_null(audit_value_decode("(none)"));
	ck_assert_ptr_null(audit_value_decode(""));
	ck_assert_ptr_null(audit_value_decode(NULL));
	/* odd number of hex digits */
	ck_assert_ptr_null(audit_value_decode("2F7"));
	/* not hex */
	ck_assert_ptr_null(audit_value_decode("2G"));
	ck_assert_ptr_null(audit_value_decode("\"unterminated"));
	/* an embedded NUL would cut the name short: refuse it */
	ck_assert_ptr_null(audit_value_decode("2F00"));
	ck_assert_ptr_null(audit_value_decode("2F746D70002F78"));
}
END_TEST

/* --- UTF-8 ---------------------------------------------------------------- */

static const struct {
	const char *s;
	size_t len;
	bool valid;
	const char *what;
} utf8_cases[] = {
	{ "plain /tmp/x", 12, true, "ASCII" },
	{ "caf\xc3\xa9", 5, true, "2-byte" },
	{ "\xe2\x82\xac", 3, true, "3-byte euro sign" },
	{ "\xf0\x9f\x98\x80", 4, true, "4-byte emoji" },
	{ "\xf4\x8f\xbf\xbf", 4, true, "U+10FFFF" },
	{ "\xef\xbf\xbd", 3, true, "U+FFFD" },
	{ "\xc0\xaf", 2, false, "overlong 2-byte '/'" },
	{ "\xc1\xbf", 2, false, "overlong 2-byte" },
	{ "\xe0\x80\xaf", 3, false, "overlong 3-byte '/'" },
	{ "\xf0\x80\x80\xaf", 4, false, "overlong 4-byte '/'" },
	{ "\xed\xa0\x80", 3, false, "high surrogate" },
	{ "\xed\xbf\xbf", 3, false, "low surrogate" },
	{ "\xf4\x90\x80\x80", 4, false, "above U+10FFFF" },
	{ "\xf5\x80\x80\x80", 4, false, "F5 lead" },
	{ "\xff", 1, false, "FF" },
	{ "\x80", 1, false, "lone continuation" },
	{ "ab\xc3", 3, false, "truncated 2-byte at end" },
	{ "\xe2\x82", 2, false, "truncated 3-byte" },
	{ "\xf0\x9f\x98", 3, false, "truncated 4-byte" },
	{ "\xe2\x82x", 3, false, "3-byte with ASCII inside" },
};

START_TEST(test_utf8_valid_table)
{
	ck_assert_msg(utf8_valid(utf8_cases[_i].s, utf8_cases[_i].len) ==
		      utf8_cases[_i].valid, "%s: expected %s",
		      utf8_cases[_i].what,
		      utf8_cases[_i].valid ? "valid" : "invalid");
}
END_TEST

/* The length argument is honoured: a prefix can be valid when the whole
 * is not, and a valid sequence cut by LEN is not. */
START_TEST(test_utf8_valid_uses_len)
{
	ck_assert(utf8_valid("ok\xff", 2));
	ck_assert(!utf8_valid("\xe2\x82\xac", 2));
	ck_assert(utf8_valid("", 0));
}
END_TEST

START_TEST(test_utf8_sanitize)
{
	char *s;

	s = utf8_sanitize("a\xff" "b", 3);
	ck_assert_str_eq(s, "a\xef\xbf\xbd" "b");
	free(s);

	/* each bad byte becomes one U+FFFD, good sequences stay */
	s = utf8_sanitize("\xe2\x82" "\xc3\xa9", 4);
	ck_assert_str_eq(s, "\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9");
	free(s);

	s = utf8_sanitize("\xc0\xaf", 2);
	ck_assert_str_eq(s, "\xef\xbf\xbd\xef\xbf\xbd");
	free(s);

	s = utf8_sanitize("\xf0\x9f\x98\x80 ok", 7);
	ck_assert_str_eq(s, "\xf0\x9f\x98\x80 ok");
	free(s);
}
END_TEST

/* Whatever comes in, the output is valid UTF-8. */
START_TEST(test_utf8_sanitize_table_is_valid)
{
	char *s = utf8_sanitize(utf8_cases[_i].s, utf8_cases[_i].len);

	ck_assert_ptr_nonnull(s);
	ck_assert_msg(utf8_valid(s, strlen(s)), "%s", utf8_cases[_i].what);
	if (utf8_cases[_i].valid)
		ck_assert_mem_eq(s, utf8_cases[_i].s, utf8_cases[_i].len);
	else
		ck_assert_ptr_nonnull(strstr(s, "\xef\xbf\xbd"));
	free(s);
}
END_TEST

START_TEST(test_hex_encode)
{
	static const unsigned char in[] = { 0x00, 0x1d, 0xff, 'A', 0x0a };
	char *h = hex_encode(in, sizeof(in));

	ck_assert_str_eq(h, "001DFF410A");
	free(h);
	h = hex_encode(in, 0);
	ck_assert_str_eq(h, "");
	free(h);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("textenc");
	TCase *tv = tcase_create("decode");
	TCase *tu = tcase_create("utf8");

	tcase_add_test(tv, test_decode_quoted);
	tcase_add_test(tv, test_decode_hex);
	tcase_add_test(tv, test_decode_rejects);
	suite_add_tcase(s, tv);

	tcase_add_loop_test(tu, test_utf8_valid_table, 0,
			    sizeof(utf8_cases) / sizeof(utf8_cases[0]));
	tcase_add_test(tu, test_utf8_valid_uses_len);
	tcase_add_test(tu, test_utf8_sanitize);
	tcase_add_loop_test(tu, test_utf8_sanitize_table_is_valid, 0,
			    sizeof(utf8_cases) / sizeof(utf8_cases[0]));
	tcase_add_test(tu, test_hex_encode);
	suite_add_tcase(s, tu);
	return s;
}
