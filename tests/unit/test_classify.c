/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_classify.c -- ELF header checks and libmagic confirmation */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/classify.h"

#define ET_REL	1
#define ET_EXEC	2
#define ET_DYN	3
#define ET_CORE	4

static void put(unsigned char *p, size_t n, unsigned long long v, bool big)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[big ? n - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

/*
 * Build an ELF header of class IS64, byte order BIG and type TYPE in BUF,
 * followed by two program headers: PT_LOAD, then PT_INTERP when INTERP
 * or PT_DYNAMIC when not. Returns the length written.
 */
static size_t make_elf(unsigned char *buf, bool is64, bool big,
		       unsigned int type, bool interp)
{
	size_t ehsize = is64 ? 64 : 52, phentsize = is64 ? 56 : 32;
	size_t phoff = ehsize, i;

	memset(buf, 0, ehsize + 2 * phentsize);
	memcpy(buf, "\x7f" "ELF", 4);
	buf[4] = is64 ? 2 : 1;
	buf[5] = big ? 2 : 1;
	buf[6] = 1;
	put(buf + 16, 2, type, big);
	put(buf + 18, 2, is64 ? 62 : 3, big);		/* machine */
	put(buf + 20, 4, 1, big);			/* version */
	if (is64) {
		put(buf + 32, 8, phoff, big);
		put(buf + 52, 2, ehsize, big);
		put(buf + 54, 2, phentsize, big);
		put(buf + 56, 2, 2, big);
	} else {
		put(buf + 28, 4, phoff, big);
		put(buf + 40, 2, ehsize, big);
		put(buf + 42, 2, phentsize, big);
		put(buf + 44, 2, 2, big);
	}
	for (i = 0; i < 2; i++) {
		unsigned char *ph = buf + phoff + i * phentsize;

		put(ph, 4, i == 0 ? 1 : (interp ? 3 : 2), big);
	}
	return phoff + 2 * phentsize;
}

/* The four layouts: ELF64 LE, ELF64 BE, ELF32 LE, ELF32 BE. */
#define LAYOUT_IS64(i)	((i) < 2)
#define LAYOUT_BIG(i)	((i) % 2 == 1)

static const struct {
	unsigned int type;
	bool interp;
	unsigned int kind;
} elf_types[] = {
	{ ET_EXEC, false, KIND_ELF_EXEC },
	{ ET_EXEC, true, KIND_ELF_EXEC },
	{ ET_DYN, true, KIND_ELF_PIE },
	{ ET_DYN, false, KIND_ELF_SHARED },
	{ ET_REL, false, KIND_ELF_RELOC },
	{ ET_CORE, false, KIND_ELF_CORE },
};

START_TEST(test_head_elf_kinds)
{
	size_t layout = (size_t)_i % 4, t = (size_t)_i / 4;
	unsigned char buf[256];
	unsigned int kind = 12345;
	size_t len;

	len = make_elf(buf, LAYOUT_IS64(layout), LAYOUT_BIG(layout),
		       elf_types[t].type, elf_types[t].interp);
	ck_assert_int_eq(classify_head(buf, len, 100000, &kind),
			 HEAD_CANDIDATE);
	ck_assert_msg(kind == elf_types[t].kind,
		      "ELF%d %s type %u interp %d: kind %s, expected %s",
		      LAYOUT_IS64(layout) ? 64 : 32,
		      LAYOUT_BIG(layout) ? "BE" : "LE", elf_types[t].type,
		      elf_types[t].interp, exec_kind_name(kind),
		      exec_kind_name(elf_types[t].kind));
}
END_TEST

/* Byte order matters: a BE ET_DYN read as LE would have type 0x300. */
START_TEST(test_head_elf_byte_order_respected)
{
	unsigned char buf[256];
	unsigned int kind;
	size_t len = make_elf(buf, true, true, ET_DYN, true);

	buf[5] = 1;	/* claim little endian: type reads as 0x0300 */
	ck_assert_int_eq(classify_head(buf, len, 100000, &kind),
			 HEAD_NOT_EXEC);
	ck_assert_uint_eq(kind, KIND_NONE);
}
END_TEST

START_TEST(test_head_elf_bad_ident)
{
	unsigned char buf[256];
	unsigned int kind;
	size_t len;

	len = make_elf(buf, true, false, ET_EXEC, false);
	buf[4] = 3;		/* no such class */
	ck_assert_int_eq(classify_head(buf, len, 100000, &kind),
			 HEAD_NOT_EXEC);
	len = make_elf(buf, true, false, ET_EXEC, false);
	buf[5] = 0;		/* no such data encoding */
	ck_assert_int_eq(classify_head(buf, len, 100000, &kind),
			 HEAD_NOT_EXEC);
	len = make_elf(buf, true, false, 0, false);	/* ET_NONE */
	ck_assert_int_eq(classify_head(buf, len, 100000, &kind),
			 HEAD_NOT_EXEC);
	ck_assert_uint_eq(kind, KIND_NONE);
}
END_TEST

/* An ET_DYN whose program headers lie beyond the head is still an ELF
 * candidate (libmagic, reading the whole file, decides PIE or not). */
START_TEST(test_head_elf_dyn_phdrs_beyond_head)
{
	unsigned char buf[256];
	unsigned int kind;

	memset(buf, 0, sizeof(buf));
	make_elf(buf, true, false, ET_DYN, true);
	ck_assert_int_eq(classify_head(buf, 40, 100000, &kind),
			 HEAD_CANDIDATE);
	ck_assert(kind & (KIND_ELF_PIE | KIND_ELF_SHARED));

	/* phnum absurd: the walk stops at the end of the head (ASan
	 * reports a read past it, the copy is exactly LEN bytes) */
	memset(buf, 0, sizeof(buf));
	make_elf(buf, true, false, ET_DYN, false);
	put(buf + 56, 2, 0xffff, false);
	{
		unsigned char *exact = malloc(200);

		memcpy(exact, buf, 200);
		ck_assert_int_eq(classify_head(exact, 200, 100000, &kind),
				 HEAD_CANDIDATE);
		ck_assert(kind & (KIND_ELF_PIE | KIND_ELF_SHARED));
		/* phoff pointing far outside */
		put(exact + 32, 8, 0xffffffffffffff00ULL, false);
		ck_assert_int_eq(classify_head(exact, 200, 100000, &kind),
				 HEAD_CANDIDATE);
		free(exact);
	}
}
END_TEST

START_TEST(test_head_empty_is_short)
{
	unsigned int kind = 99;

	ck_assert_int_eq(classify_head((const unsigned char *)"", 0, 0,
				       &kind), HEAD_SHORT);
	ck_assert_uint_eq(kind, KIND_NONE);
	/* nothing read yet, even if stat says there is data */
	ck_assert_int_eq(classify_head((const unsigned char *)"", 0, 5000,
				       &kind), HEAD_SHORT);
}
END_TEST

/* The first write may be shorter than the magic: look again. */
START_TEST(test_head_elf_magic_prefix_is_short)
{
	const unsigned char *magic = (const unsigned char *)"\x7f" "ELF";
	size_t len = (size_t)_i + 1;	/* 1..3 */
	unsigned int kind;

	ck_assert_int_eq(classify_head(magic, len, len, &kind), HEAD_SHORT);
}
END_TEST

START_TEST(test_head_not_magic_prefix_is_final)
{
	unsigned int kind;

	ck_assert_int_eq(classify_head((const unsigned char *)"\x7f" "EX", 3,
				       3, &kind), HEAD_NOT_EXEC);
	ck_assert_int_eq(classify_head((const unsigned char *)"hi", 2, 2,
				       &kind), HEAD_NOT_EXEC);
	ck_assert_int_eq(classify_head((const unsigned char *)"x", 1, 1,
				       &kind), HEAD_NOT_EXEC);
}
END_TEST

START_TEST(test_head_elf_shorter_than_min_header)
{
	unsigned char buf[256];
	unsigned int kind;
	size_t len;

	make_elf(buf, true, false, ET_EXEC, false);
	for (len = 4; len < ELF_MIN_HEADER; len++)
		ck_assert_msg(classify_head(buf, len, len, &kind) ==
			      HEAD_SHORT, "len %zu", len);
	/* from ELF_MIN_HEADER on, e_type is known */
	ck_assert_int_eq(classify_head(buf, ELF_MIN_HEADER, ELF_MIN_HEADER,
				       &kind), HEAD_CANDIDATE);
	ck_assert_uint_eq(kind, KIND_ELF_EXEC);
}
END_TEST

START_TEST(test_head_script_pe_macho_text)
{
	unsigned int kind;

	ck_assert_int_eq(classify_head((const unsigned char *)"#!/bin/sh\n",
				       10, 10, &kind), HEAD_CANDIDATE);
	ck_assert_uint_eq(kind, KIND_SCRIPT);
	ck_assert_int_eq(classify_head((const unsigned char *)"#", 1, 1,
				       &kind), HEAD_SHORT);
	ck_assert_int_eq(classify_head((const unsigned char *)"# comment\n",
				       10, 10, &kind), HEAD_NOT_EXEC);
	ck_assert_int_eq(classify_head((const unsigned char *)"MZ\x90\0", 4,
				       4096, &kind), HEAD_CANDIDATE);
	ck_assert_uint_eq(kind, KIND_PE);
	ck_assert_int_eq(classify_head((const unsigned char *)
				       "\xcf\xfa\xed\xfe\x07\0\0\x01", 8,
				       8, &kind), HEAD_CANDIDATE);
	ck_assert_uint_eq(kind, KIND_MACHO);
	ck_assert_int_eq(classify_head((const unsigned char *)
				       "hello world\n", 12, 12, &kind),
			 HEAD_NOT_EXEC);
	ck_assert_uint_eq(kind, KIND_NONE);
}
END_TEST

START_TEST(test_mime_kind)
{
	ck_assert_uint_eq(classify_mime_kind("application/x-executable"),
			  KIND_ELF_EXEC);
	ck_assert_uint_eq(classify_mime_kind("application/x-pie-executable"),
			  KIND_ELF_PIE);
	ck_assert_uint_eq(classify_mime_kind("application/x-sharedlib"),
			  KIND_ELF_SHARED);
	ck_assert_uint_eq(classify_mime_kind("application/x-object"),
			  KIND_ELF_RELOC);
	ck_assert_uint_eq(classify_mime_kind("application/x-coredump"),
			  KIND_ELF_CORE);
	ck_assert_uint_eq(classify_mime_kind(
		"application/vnd.microsoft.portable-executable"), KIND_PE);
	ck_assert_uint_eq(classify_mime_kind("application/x-dosexec"),
			  KIND_PE);
	ck_assert_uint_eq(classify_mime_kind("application/x-mach-binary"),
			  KIND_MACHO);
	ck_assert_uint_eq(classify_mime_kind("text/x-shellscript"),
			  KIND_SCRIPT);
	ck_assert_uint_eq(classify_mime_kind("text/x-script.python"),
			  KIND_SCRIPT);
	ck_assert_uint_eq(classify_mime_kind("application/octet-stream"),
			  KIND_NONE);
	ck_assert_uint_eq(classify_mime_kind("application/x-executable2"),
			  KIND_NONE);
	ck_assert_uint_eq(classify_mime_kind("application/x-empty"),
			  KIND_NONE);
	ck_assert_uint_eq(classify_mime_kind(""), KIND_NONE);
	ck_assert_uint_eq(classify_mime_kind(NULL), KIND_NONE);
}
END_TEST

/* --- libmagic ------------------------------------------------------------- */

static struct classifier cl;

static void magic_setup(void)
{
	ck_assert_int_eq(classifier_init(&cl, 1024 * 1024), 0);
	test_tmpdir_setup();
}

static void magic_teardown(void)
{
	classifier_free(&cl);
	test_tmpdir_teardown();
}

/* Both steps, as the inspector runs them, on the file PATH. */
static int classify_path(const char *path, unsigned int types,
			 struct classification *out,
			 enum head_verdict *hv_out, unsigned int *head_kind)
{
	unsigned char head[CLASSIFY_HEAD_LEN];
	enum head_verdict hv;
	unsigned int kind;
	ssize_t n;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	ck_assert_msg(fd >= 0, "open(%s): %s", path, strerror(errno));
	n = pread(fd, head, sizeof(head), 0);
	ck_assert_int_ge(n, 0);
	hv = classify_head(head, (size_t)n, (unsigned long long)n, &kind);
	if (hv_out)
		*hv_out = hv;
	if (head_kind)
		*head_kind = kind;
	rc = classify_confirm(&cl, fd, kind, types, out);
	close(fd);
	return rc;
}

START_TEST(test_confirm_static_executable)
{
	struct classification out;
	enum head_verdict hv;
	unsigned int hk;

	ck_assert_int_eq(classify_path("/bin/busybox", DEFAULT_TYPES, &out,
				       &hv, &hk), 0);
	ck_assert_int_eq(hv, HEAD_CANDIDATE);
	ck_assert_uint_eq(hk, KIND_ELF_EXEC);
	ck_assert_str_eq(out.mime, "application/x-executable");
	ck_assert_uint_eq(out.kind, KIND_ELF_EXEC);
	ck_assert_msg(strstr(out.description, "ELF 64-bit") != NULL, "%s",
		      out.description);
}
END_TEST

START_TEST(test_confirm_pie)
{
	struct classification out;
	unsigned int hk;

	ck_assert_int_eq(classify_path("/bin/true", DEFAULT_TYPES, &out,
				       NULL, &hk), 0);
	ck_assert_uint_eq(hk, KIND_ELF_PIE);
	ck_assert_str_eq(out.mime, "application/x-pie-executable");
	ck_assert_uint_eq(out.kind, KIND_ELF_PIE);
	ck_assert_ptr_nonnull(strstr(out.description, "pie executable"));
}
END_TEST

/* A library (no PT_INTERP: libm, not libc, which runs as a program). */
START_TEST(test_confirm_shared_library)
{
	static const char *libc = "/lib/x86_64-linux-gnu/libm.so.6";
	struct classification out;

	ck_assert_int_eq(classify_path(libc, DEFAULT_TYPES, &out, NULL,
				       NULL), 0);
	ck_assert_str_eq(out.mime, "application/x-sharedlib");
	ck_assert_uint_eq(out.kind, KIND_ELF_SHARED);
	/* not reported when the user asked for programs only */
	ck_assert_int_eq(classify_path(libc, KIND_ELF_EXEC | KIND_ELF_PIE,
				       &out, NULL, NULL), 1);
	ck_assert_uint_eq(out.kind, KIND_ELF_SHARED);
}
END_TEST

/*
 * A PIE whose dynamic section lies beyond what libmagic may read (here
 * a 4 KiB bound; a padded file does it under any bound): libmagic calls
 * it a shared library, but its PT_INTERP says program, and a site that
 * asks for programs only is still told.
 */
START_TEST(test_confirm_pie_dynamic_beyond_bound)
{
	struct classifier small;
	struct classification out;
	unsigned char head[CLASSIFY_HEAD_LEN];
	unsigned int hk;
	ssize_t n;
	int fd;

	ck_assert_int_eq(classifier_init(&small, 4096), 0);
	fd = open("/bin/true", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	n = pread(fd, head, sizeof(head), 0);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(classify_head(head, (size_t)n, (unsigned long long)n,
				       &hk), HEAD_CANDIDATE);
	ck_assert_uint_eq(hk, KIND_ELF_PIE);
	ck_assert_int_eq(classify_confirm(&small, fd, hk,
					  KIND_ELF_EXEC | KIND_ELF_PIE, &out),
			 0);
	ck_assert_str_eq(out.mime, "application/x-sharedlib");
	ck_assert_uint_eq(out.kind, KIND_ELF_PIE);
	close(fd);
	classifier_free(&small);
}
END_TEST

START_TEST(test_confirm_script_only_when_asked)
{
	static const char script[] = "#!/bin/sh\nwhile :; do\n\techo hi\n"
				     "done\n";
	char *path = test_write_file(test_tmpdir, "run.sh", script,
				     sizeof(script) - 1, 0755);
	struct classification out;
	enum head_verdict hv;

	ck_assert_int_eq(classify_path(path, DEFAULT_TYPES, &out, &hv, NULL),
			 1);
	ck_assert_int_eq(hv, HEAD_CANDIDATE);
	ck_assert_str_eq(out.mime, "text/x-shellscript");
	ck_assert_int_eq(classify_path(path, DEFAULT_TYPES | KIND_SCRIPT,
				       &out, NULL, NULL), 0);
	ck_assert_uint_eq(out.kind, KIND_SCRIPT);
	free(path);
}
END_TEST

/* A text file never passes for a script, even with scripts enabled. */
START_TEST(test_confirm_text_not_script)
{
	static const char text[] = "hello\nthis is text\n";
	char *path = test_write_file(test_tmpdir, "t.txt", text,
				     sizeof(text) - 1, 0644);
	struct classification out;
	enum head_verdict hv;
	unsigned int hk;

	ck_assert_int_eq(classify_path(path, ~0u, &out, &hv, &hk), 1);
	ck_assert_int_eq(hv, HEAD_NOT_EXEC);
	ck_assert_uint_eq(out.kind, KIND_NONE);
	free(path);
}
END_TEST

/* "\x7fELF" then text: the header check already refuses it, and
 * libmagic does not call it ELF, so it is never an executable. */
START_TEST(test_confirm_fake_elf_magic)
{
	static const char fake[] = "\x7f" "ELFthis is not really an elf "
				   "file, just text after the magic\n";
	char *path = test_write_file(test_tmpdir, "fake", fake,
				     sizeof(fake) - 1, 0755);
	struct classification out;
	enum head_verdict hv;

	ck_assert_int_eq(classify_path(path, ~0u, &out, &hv, NULL), 1);
	ck_assert_int_eq(hv, HEAD_NOT_EXEC);
	ck_assert_uint_eq(out.kind, KIND_NONE);
	ck_assert_str_ne(out.mime, "application/x-executable");

	/* even if a caller insisted that the header claimed ELF */
	{
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(classify_confirm(&cl, fd, KIND_ELF_EXEC,
						  ~0u, &out), 1);
		ck_assert_uint_eq(out.kind, KIND_NONE);
		close(fd);
	}
	free(path);
}
END_TEST

/*
 * A valid ELF64 identification and e_type, then garbage: libmagic 5.44
 * still says application/x-executable, so this is reported like Tracee
 * would (it only looks at the first four bytes).
 */
START_TEST(test_confirm_elf_header_then_garbage)
{
	unsigned char buf[256];
	struct classification out;
	enum head_verdict hv;
	char *path;
	int rc;

	make_elf(buf, true, false, ET_EXEC, false);
	memset(buf + 24, 'g', sizeof(buf) - 24);
	path = test_write_file(test_tmpdir, "garbage", buf, sizeof(buf), 0755);
	rc = classify_path(path, DEFAULT_TYPES, &out, &hv, NULL);
	ck_assert_int_eq(hv, HEAD_CANDIDATE);
	ck_assert_str_eq(out.mime, "application/x-executable");
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(out.kind, KIND_ELF_EXEC);
	free(path);
}
END_TEST

/* libmagic must agree with the family the header claimed: a script
 * header on an ELF, or an ELF header on a script, confirms nothing. */
START_TEST(test_confirm_kind_mismatch)
{
	static const char script[] = "#!/bin/sh\necho hi\n";
	char *path = test_write_file(test_tmpdir, "s.sh", script,
				     sizeof(script) - 1, 0755);
	struct classification out;
	int fd = open("/bin/busybox", O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(classify_confirm(&cl, fd, KIND_SCRIPT, ~0u, &out),
			 1);
	ck_assert_uint_eq(out.kind, KIND_NONE);
	close(fd);

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(classify_confirm(&cl, fd, KIND_ELF_EXEC, ~0u, &out),
			 1);
	ck_assert_str_eq(out.mime, "text/x-shellscript");
	ck_assert_uint_eq(out.kind, KIND_NONE);
	close(fd);
	free(path);
}
END_TEST

START_TEST(test_confirm_empty_file)
{
	char *path = test_write_file(test_tmpdir, "empty", "", 0, 0755);
	struct classification out;
	enum head_verdict hv;

	ck_assert_int_eq(classify_path(path, ~0u, &out, &hv, NULL), 1);
	ck_assert_int_eq(hv, HEAD_SHORT);
	ck_assert_uint_eq(out.kind, KIND_NONE);
	free(path);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("classify");
	TCase *th = tcase_create("head");
	TCase *tm = tcase_create("libmagic");

	tcase_add_loop_test(th, test_head_elf_kinds, 0,
			    4 * (int)(sizeof(elf_types) /
				      sizeof(elf_types[0])));
	tcase_add_test(th, test_head_elf_byte_order_respected);
	tcase_add_test(th, test_head_elf_bad_ident);
	tcase_add_test(th, test_head_elf_dyn_phdrs_beyond_head);
	tcase_add_test(th, test_head_empty_is_short);
	tcase_add_loop_test(th, test_head_elf_magic_prefix_is_short, 0, 3);
	tcase_add_test(th, test_head_not_magic_prefix_is_final);
	tcase_add_test(th, test_head_elf_shorter_than_min_header);
	tcase_add_test(th, test_head_script_pe_macho_text);
	tcase_add_test(th, test_mime_kind);
	suite_add_tcase(s, th);

	/* unchecked: set up once, removed even when a test fails */
	tcase_add_unchecked_fixture(tm, magic_setup, magic_teardown);
	tcase_set_timeout(tm, 20);
	tcase_add_test(tm, test_confirm_static_executable);
	tcase_add_test(tm, test_confirm_pie);
	tcase_add_test(tm, test_confirm_shared_library);
	tcase_add_test(tm, test_confirm_pie_dynamic_beyond_bound);
	tcase_add_test(tm, test_confirm_script_only_when_asked);
	tcase_add_test(tm, test_confirm_text_not_script);
	tcase_add_test(tm, test_confirm_fake_elf_magic);
	tcase_add_test(tm, test_confirm_elf_header_then_garbage);
	tcase_add_test(tm, test_confirm_kind_mismatch);
	tcase_add_test(tm, test_confirm_empty_file);
	suite_add_tcase(s, tm);
	return s;
}
