/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_execcheck.c -- is an executed file part of the container's image? */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "check/execcheck.h"
#include "scope/mounts.h"

/*
 * A fixture of overlay storage as podman lays it out:
 *   D/overlay/UP/diff            the upper layer
 *   D/overlay/LOW1/diff          the top lower layer, named "l/ONE"
 *   D/overlay/LOW2/diff          the bottom one, named by its full path
 *   D/overlay/l/ONE -> ../LOW1/diff
 *   D/outside/secret             a file outside every layer
 * and the overlay's mountinfo line, read by the mounts module.
 */
struct layers {
	char *dir, *up, *low1, *low2, *outside;
	struct mount_table t;
	const struct mount_entry *ovl;
};

static char *join(const char *a, const char *b)
{
	char *out;

	ck_assert_int_ne(asprintf(&out, "%s/%s", a, b), -1);
	return out;
}

static void mkdirs(const char *path)
{
	char *p = strdup(path), *s;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
	free(p);
}

/* Write a regular file NAME (with its directories) below layer DIR. */
static ino_t put(const char *dir, const char *name)
{
	char *path = join(dir, name), *slash;
	struct stat st;
	int fd;

	slash = strrchr(path, '/');
	*slash = '\0';
	mkdirs(path);
	*slash = '/';
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "\177ELF", 4), 4);
	close(fd);
	ck_assert_int_eq(stat(path, &st), 0);
	free(path);
	return st.st_ino;
}

static void layers_setup(struct layers *l)
{
	char *line, *ov, *link;

	l->dir = test_mkdtemp();
	ov = join(l->dir, "overlay");
	l->up = join(ov, "UP/diff");
	l->low1 = join(ov, "LOW1/diff");
	l->low2 = join(ov, "LOW2/diff");
	l->outside = join(l->dir, "outside");
	mkdirs(l->up);
	mkdirs(l->low1);
	mkdirs(l->low2);
	mkdirs(l->outside);
	link = join(ov, "l");
	mkdirs(link);
	free(link);
	link = join(ov, "l/ONE");
	ck_assert_int_eq(symlink("../LOW1/diff", link), 0);
	free(link);
	ck_assert_int_ne(asprintf(&line,
		"97 62 0:51 / / rw,relatime - overlay overlay rw,"
		"lowerdir=l/ONE:%s,upperdir=%s,workdir=%s/overlay/UP/work\n",
		l->low2, l->up, l->dir), -1);
	ck_assert_int_eq(mounts_parse_text(&l->t, line, strlen(line)), 0);
	ck_assert_uint_eq(l->t.overlay_count, 1);
	l->ovl = l->t.overlays[0].mount;
	ck_assert_uint_eq(l->ovl->nlowers, 2);
	free(line);
	free(ov);
}

static void layers_free(struct layers *l)
{
	mounts_free(&l->t);
	test_rmtree(l->dir);
	free(l->dir);
	free(l->up);
	free(l->low1);
	free(l->low2);
	free(l->outside);
}

/* A binary of a lower layer, by name and inode: the image. */
START_TEST(test_lower_file_is_image)
{
	struct layers l;
	ino_t i1, i2;

	layers_setup(&l);
	i1 = put(l.low1, "bin/busybox");
	i2 = put(l.low2, "usr/bin/tool");
	ck_assert_int_eq(exec_layer_origin(l.ovl, "/bin/busybox", i1, 1, true),
			 EXEC_IMAGE);
	/* the bottom layer, through the relative name of the top one */
	ck_assert_int_eq(exec_layer_origin(l.ovl, "/usr/bin/tool", i2, 1,
					   true), EXEC_IMAGE);
	/* "..", "//" and "." resolve as in the container */
	ck_assert_int_eq(exec_layer_origin(l.ovl, "/bin/../bin//./busybox",
					   i1, 1, true), EXEC_IMAGE);
	layers_free(&l);
}
END_TEST

/* The same name with another inode (a copy-up, a file put there since)
 * is no proof; by name only (not strict) it is the image's. */
START_TEST(test_lower_name_other_inode)
{
	struct layers l;
	ino_t i1;

	layers_setup(&l);
	i1 = put(l.low1, "bin/busybox");
	ck_assert_int_eq(exec_layer_origin(l.ovl, "/bin/busybox", i1 + 1, 1,
					   true), EXEC_UNKNOWN);
	ck_assert_int_eq(exec_layer_origin(l.ovl, "/bin/busybox", i1 + 1, 1,
					   false), EXEC_IMAGE);
	layers_free(&l);
}
END_TEST

/* The writable layer wins over the image, as in the merged view. */
START_TEST(test_upper_file)
{
	struct layers l;
	ino_t iu;

	layers_setup(&l);
	ino_t id, ix;

	put(l.low1, "bin/busybox");
	iu = put(l.up, "bin/busybox");
	id = put(l.up, "tmp/dropped");
	ck_assert_int_eq(exec_layer_origin(l.ovl, "/bin/busybox", iu, 1, true),
			 EXEC_UPPER);
	ck_assert_int_eq(exec_layer_origin(l.ovl, "/tmp/dropped", id, 1, true),
			 EXEC_UPPER);
	/* " (deleted)" in a name is a name like any other */
	ix = put(l.up, "tmp/x (deleted)");
	ck_assert_int_eq(exec_layer_origin(l.ovl, "/tmp/x (deleted)", ix, 1,
					   false), EXEC_UPPER);
	/* another file of that name (a bind mount of an image file on
	 * it, a rename since): not this one */
	ck_assert_int_eq(exec_layer_origin(l.ovl, "/tmp/dropped", id + 1, 1,
					   false), EXEC_UNKNOWN);
	layers_free(&l);
}
END_TEST

/* A file with no name left ran from the writable layer. */
START_TEST(test_deleted)
{
	struct layers l;
	ino_t i1;

	layers_setup(&l);
	i1 = put(l.low1, "bin/busybox");
	ck_assert_int_eq(exec_layer_origin(l.ovl, "/tmp/gone", 5, 0, true),
			 EXEC_DELETED);
	/* whatever its name says */
	ck_assert_int_eq(exec_layer_origin(l.ovl, "/bin/busybox", i1, 0, true),
			 EXEC_DELETED);
	layers_free(&l);
}
END_TEST

/* A name no layer has (renamed since, a relative name) is unknown, and
 * no overlay at all is unknown. */
START_TEST(test_unknown)
{
	struct layers l;

	layers_setup(&l);
	ck_assert_int_eq(exec_layer_origin(l.ovl, "/tmp/nowhere", 5, 1, false),
			 EXEC_UNKNOWN);
	ck_assert_int_eq(exec_layer_origin(l.ovl, "bin/busybox", 5, 1, false),
			 EXEC_UNKNOWN);
	ck_assert_int_eq(exec_layer_origin(l.ovl, NULL, 5, 1, false),
			 EXEC_UNKNOWN);
	ck_assert_int_eq(exec_layer_origin(NULL, "/bin/x", 5, 1, false),
			 EXEC_UNKNOWN);
	layers_free(&l);
}
END_TEST

/*
 * Attack: a name that climbs out of the layer, or a symlink in a layer
 * that points at a file outside it (an absolute host path, "../.."),
 * whose inode the attacker knows: never found, never "image".
 */
START_TEST(test_no_escape_from_layer)
{
	struct layers l;
	ino_t secret;
	char *target, *name;

	layers_setup(&l);
	secret = put(l.outside, "secret");
	ck_assert_int_eq(exec_layer_origin(l.ovl, "/../../../outside/secret",
					   secret, 1, false), EXEC_UNKNOWN);
	target = join(l.outside, "secret");
	name = join(l.low1, "abs");
	ck_assert_int_eq(symlink(target, name), 0);
	free(name);
	name = join(l.low1, "rel");
	ck_assert_int_eq(symlink("../../../outside/secret", name), 0);
	free(name);
	ck_assert_int_eq(exec_layer_origin(l.ovl, "/abs", secret, 1, false),
			 EXEC_UNKNOWN);
	ck_assert_int_eq(exec_layer_origin(l.ovl, "/rel", secret, 1, false),
			 EXEC_UNKNOWN);
	free(target);
	layers_free(&l);
}
END_TEST

/* A symlink inside a layer is followed inside it: /bin/sh -> busybox. */
START_TEST(test_symlink_in_layer)
{
	struct layers l;
	ino_t i1;
	char *name;

	layers_setup(&l);
	i1 = put(l.low1, "bin/busybox");
	name = join(l.low1, "bin/sh");
	ck_assert_int_eq(symlink("busybox", name), 0);
	free(name);
	name = join(l.low1, "bin/abs");
	ck_assert_int_eq(symlink("/bin/busybox", name), 0);
	free(name);
	ck_assert_int_eq(exec_layer_origin(l.ovl, "/bin/sh", i1, 1, true),
			 EXEC_IMAGE);
	ck_assert_int_eq(exec_layer_origin(l.ovl, "/bin/abs", i1, 1, true),
			 EXEC_IMAGE);
	layers_free(&l);
}
END_TEST

/* A whiteout in the writable layer hides the image's file: a file of
 * that name that ran is not the image's. */
START_TEST(test_whiteout_hides_lower)
{
	struct layers l;
	ino_t i1;
	char *wh;

	layers_setup(&l);
	i1 = put(l.low1, "bin/tool");
	wh = join(l.up, "bin");
	mkdirs(wh);
	free(wh);
	wh = join(l.up, "bin/tool");
	if (mknod(wh, S_IFCHR | 0000, makedev(0, 0)) < 0) {
		free(wh);
		layers_free(&l);
		test_skip("cannot make a whiteout (mknod c 0 0: %s)",
			  strerror(errno));
	}
	free(wh);
	ck_assert_int_eq(exec_layer_origin(l.ovl, "/bin/tool", i1, 1, true),
			 EXEC_UNKNOWN);
	layers_free(&l);
}
END_TEST

START_TEST(test_origin_names)
{
	ck_assert_str_eq(exec_origin_name(EXEC_IMAGE), "image");
	ck_assert_str_eq(exec_origin_name(EXEC_UPPER), "upper");
	ck_assert_str_eq(exec_origin_name(EXEC_DELETED), "deleted");
	ck_assert_str_eq(exec_origin_name(EXEC_OTHER_DEVICE), "other-device");
	ck_assert_str_eq(exec_origin_name(EXEC_UNKNOWN), "unknown");
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("execcheck");
	TCase *tl = tcase_create("layers");

	tcase_add_test(tl, test_lower_file_is_image);
	tcase_add_test(tl, test_lower_name_other_inode);
	tcase_add_test(tl, test_upper_file);
	tcase_add_test(tl, test_deleted);
	tcase_add_test(tl, test_unknown);
	tcase_add_test(tl, test_no_escape_from_layer);
	tcase_add_test(tl, test_symlink_in_layer);
	tcase_add_test(tl, test_whiteout_hides_lower);
	tcase_add_test(tl, test_origin_names);
	suite_add_tcase(s, tl);
	return s;
}
