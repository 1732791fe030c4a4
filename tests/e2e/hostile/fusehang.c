/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fusehang.c -- a FUSE file system that stops answering (hostile test h)
 *
 * Usage: fusehang [-w] [-t TRIGGER] [-p N] MOUNTPOINT
 *
 * Mounts a one-directory file system at MOUNTPOINT through the raw
 * /dev/fuse protocol (no libfuse), forks, and serves it from the child
 * while the parent returns 0. The root holds at most one regular file
 * (inode 2), made by CREATE and written with any bytes. The server stops
 * for good, keeping /dev/fuse open and never reading or answering again:
 *   - as soon as TRIGGER exists (default /tmp/stall; looked at before and
 *     after each read of a request), or
 *   - with -w, right after it answered the RELEASE of the file once it
 *     holds data (the last close by its writer): the next look at the file
 *     hangs, while a descriptor opened before stays open.
 * With -p N, it first bind-mounts a directory of a long name onto itself
 * N times, so that the mount table (/proc/PID/mountinfo) is long and the
 * FUSE mount is at its end.
 * Exit status: 0 mounted, 1 usage, 2 setup failed (message on stderr).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUF_SIZE	(FUSE_MIN_READ_BUFFER + 1024 * 1024)
#define MAX_WRITE	(128 * 1024)

static const char *trigger = "/tmp/stall";
static int fd, on_release, exists;
static char name[256];
static unsigned int fmode = S_IFREG | 0644;
static unsigned long long fsize;
static char buf[BUF_SIZE];

__attribute__((noreturn)) static void die(const char *what)
{
	fprintf(stderr, "fusehang: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void stall(void)
{
	for (;;)
		pause();	/* /dev/fuse stays open: a hung server */
}

static void reply(uint64_t unique, int error, const void *arg, size_t len)
{
	struct fuse_out_header h;
	char out[sizeof(h) + 256];

	h.len = (uint32_t)(sizeof(h) + len);
	h.error = error;
	h.unique = unique;
	memcpy(out, &h, sizeof(h));
	if (len)
		memcpy(out + sizeof(h), arg, len);
	if (write(fd, out, h.len) < 0 && errno != ENOENT)
		die("write /dev/fuse");
}

static void fill_attr(struct fuse_attr *a, uint64_t ino)
{
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	if (ino == FUSE_ROOT_ID) {
		a->mode = S_IFDIR | 0755;
		a->nlink = 2;
	} else {
		a->mode = fmode;
		a->nlink = 1;
		a->size = fsize;
		a->blocks = (fsize + 511) / 512;
	}
	a->blksize = 4096;
}

static void entry(uint64_t unique, struct fuse_entry_out *e)
{
	memset(e, 0, sizeof(*e));
	e->nodeid = 2;
	e->generation = 1;
	fill_attr(&e->attr, 2);
	if (unique)
		reply(unique, 0, e, sizeof(*e));
}

static void attr(uint64_t unique, uint64_t ino)
{
	struct fuse_attr_out o;

	memset(&o, 0, sizeof(o));
	fill_attr(&o.attr, ino);
	reply(unique, 0, &o, sizeof(o));
}

static void serve(void)
{
	for (;;) {
		struct fuse_in_header *in = (struct fuse_in_header *)buf;
		char *arg = buf + sizeof(*in);
		ssize_t n;

		if (access(trigger, F_OK) == 0)
			stall();
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == ENOENT || errno == EAGAIN))
			continue;
		if (n < 0)
			exit(0);	/* unmounted or aborted */
		if ((size_t)n < sizeof(*in) || access(trigger, F_OK) == 0)
			stall();
		switch (in->opcode) {
		case FUSE_INIT: {
			struct fuse_init_in *ii = (struct fuse_init_in *)arg;
			struct fuse_init_out o;

			memset(&o, 0, sizeof(o));
			o.major = FUSE_KERNEL_VERSION;
			o.minor = FUSE_KERNEL_MINOR_VERSION;
			o.max_readahead = ii->max_readahead;
			o.max_write = MAX_WRITE;
			o.flags = ii->flags & FUSE_BIG_WRITES;
			o.max_background = 16;
			o.congestion_threshold = 12;
			reply(in->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_LOOKUP:
			if (exists && in->nodeid == FUSE_ROOT_ID &&
			    strcmp(arg, name) == 0) {
				struct fuse_entry_out e;

				entry(in->unique, &e);
			} else {
				reply(in->unique, -ENOENT, NULL, 0);
			}
			break;
		case FUSE_CREATE: {
			struct fuse_create_in *ci = (struct fuse_create_in *)arg;
			struct {
				struct fuse_entry_out e;
				struct fuse_open_out o;
			} r;

			if (exists) {
				reply(in->unique, -EEXIST, NULL, 0);
				break;
			}
			snprintf(name, sizeof(name), "%.255s", arg + sizeof(*ci));
			fmode = S_IFREG | (ci->mode & 07777 & ~ci->umask);
			fsize = 0;
			exists = 1;
			entry(0, &r.e);
			memset(&r.o, 0, sizeof(r.o));
			reply(in->unique, 0, &r, sizeof(r));
			break;
		}
		case FUSE_GETATTR:
			attr(in->unique, in->nodeid);
			break;
		case FUSE_SETATTR: {
			struct fuse_setattr_in *si = (struct fuse_setattr_in *)arg;

			if (in->nodeid != FUSE_ROOT_ID) {
				if (si->valid & FATTR_SIZE)
					fsize = si->size;
				if (si->valid & FATTR_MODE)
					fmode = S_IFREG | (si->mode & 07777);
			}
			attr(in->unique, in->nodeid);
			break;
		}
		case FUSE_OPEN:
		case FUSE_OPENDIR: {
			struct fuse_open_out o;

			memset(&o, 0, sizeof(o));
			reply(in->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_WRITE: {
			struct fuse_write_in *wi = (struct fuse_write_in *)arg;
			struct fuse_write_out o;

			memset(&o, 0, sizeof(o));
			o.size = wi->size;
			if (wi->offset + wi->size > fsize)
				fsize = wi->offset + wi->size;
			reply(in->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_FLUSH:
		case FUSE_RELEASEDIR:
			reply(in->unique, 0, NULL, 0);
			break;
		case FUSE_RELEASE:
			reply(in->unique, 0, NULL, 0);
			if (on_release && in->nodeid != FUSE_ROOT_ID && fsize > 0)
				stall();
			break;
		case FUSE_STATFS: {
			struct fuse_statfs_out o;

			memset(&o, 0, sizeof(o));
			o.st.bsize = o.st.frsize = 4096;
			o.st.namelen = 255;
			reply(in->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_FORGET:
		case FUSE_BATCH_FORGET:
		case FUSE_INTERRUPT:
			break;	/* no reply */
		default:	/* GETXATTR, ACCESS, READ, ... */
			reply(in->unique, -ENOSYS, NULL, 0);
			break;
		}
	}
}

/* N bind mounts of a directory of a long name onto itself */
static void pad(long n)
{
	char dir[300];
	long i;

	snprintf(dir, sizeof(dir), "/tmp/fusehang-pad-%0200d", 0);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		die("mkdir pad");
	for (i = 0; i < n; i++)
		if (mount(dir, dir, NULL, MS_BIND, NULL) < 0)
			die("mount --bind pad");
}

int main(int argc, char **argv)
{
	char opts[128];
	long padding = 0;
	int c;

	while ((c = getopt(argc, argv, "wt:p:")) != -1) {
		switch (c) {
		case 'w': on_release = 1; break;
		case 't': trigger = optarg; break;
		case 'p': padding = atol(optarg); break;
		default: goto usage;
		}
	}
	if (optind != argc - 1)
		goto usage;
	if (padding > 0)
		pad(padding);
	fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("open /dev/fuse");
	snprintf(opts, sizeof(opts),
		 "fd=%d,rootmode=40000,user_id=0,group_id=0", fd);
	if (mount("fusehang", argv[optind], "fuse", MS_NOSUID | MS_NODEV,
		  opts) < 0)
		die("mount");
	switch (fork()) {
	case -1:
		die("fork");
	case 0:
		setsid();
		serve();
		return 0;
	default:
		return 0;	/* the kernel queues INIT until the child reads */
	}
usage:
	fprintf(stderr, "usage: fusehang [-w] [-t TRIGGER] [-p N] MOUNTPOINT\n");
	return 1;
}
