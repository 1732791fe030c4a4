// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uringdrop -- write a copy of itself through io_uring, then execute it
 * (tests/e2e/exec.sh, built with gcc -static; no liburing needed).
 *
 *   uringdrop DEST SECONDS
 *     IORING_OP_OPENAT (O_CREAT, mode 0755) and IORING_OP_WRITE put the
 *     bytes of /proc/self/exe at DEST: no open() system call, so no audit
 *     rule sees the drop. Then DEST is executed; it stays alive SECONDS
 *     and exits 0.
 * Exit status: 0; 77 when io_uring cannot be used here (disabled by
 * sysctl, refused by seccomp: the reason on standard error); 1 on
 * another failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

struct ring {
	int fd;
	unsigned int *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int ring_setup(struct ring *r)
{
	struct io_uring_params p;
	void *sq, *cq;

	memset(&p, 0, sizeof(p));
	r->fd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return -1;
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned int),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		  IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes +
		  p.cq_entries * sizeof(struct io_uring_cqe),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		  IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		       r->fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED)
		die("mmap");
	r->sq_tail = (unsigned int *)((char *)sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)((char *)sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)((char *)sq + p.sq_off.array);
	r->cq_head = (unsigned int *)((char *)cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)((char *)cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)((char *)cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)((char *)cq + p.cq_off.cqes);
	return 0;
}

/* Submit SQE and wait for its completion; returns its result. */
static int ring_run(struct ring *r, const struct io_uring_sqe *sqe)
{
	unsigned int tail = *r->sq_tail, idx = tail & *r->sq_mask, head;
	int res;

	r->sqes[idx] = *sqe;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 1, 1,
		    IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		die("io_uring_enter");
	head = __atomic_load_n(r->cq_head, __ATOMIC_ACQUIRE);
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE)) {
		fprintf(stderr, "no completion\n");
		exit(1);
	}
	res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

int main(int argc, char **argv)
{
	struct io_uring_sqe sqe;
	struct ring r;
	struct stat st;
	char *data, *args[4];
	size_t done = 0;
	int in, fd, res;

	if (argc == 3 && !strcmp(argv[1], "--ran")) {
		sleep((unsigned int)atoi(argv[2]));
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: uringdrop DEST SECONDS\n");
		return 2;
	}
	in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (in < 0 || fstat(in, &st))
		die("/proc/self/exe");
	data = malloc((size_t)st.st_size);
	if (!data || read(in, data, (size_t)st.st_size) != st.st_size)
		die("read");
	close(in);
	if (ring_setup(&r)) {
		fprintf(stderr, "io_uring_setup: %s\n", strerror(errno));
		return 77;
	}
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_OPENAT;
	sqe.fd = AT_FDCWD;
	sqe.addr = (uint64_t)(uintptr_t)argv[1];
	sqe.len = 0755;
	sqe.open_flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
	fd = ring_run(&r, &sqe);
	if (fd == -EINVAL || fd == -EPERM || fd == -EACCES) {
		fprintf(stderr, "IORING_OP_OPENAT refused: %s\n",
			strerror(-fd));
		return 77;
	}
	if (fd < 0) {
		fprintf(stderr, "IORING_OP_OPENAT: %s\n", strerror(-fd));
		return 1;
	}
	while (done < (size_t)st.st_size) {
		memset(&sqe, 0, sizeof(sqe));
		sqe.opcode = IORING_OP_WRITE;
		sqe.fd = fd;
		sqe.addr = (uint64_t)(uintptr_t)(data + done);
		sqe.len = (uint32_t)((size_t)st.st_size - done);
		sqe.off = done;
		res = ring_run(&r, &sqe);
		if (res <= 0) {
			fprintf(stderr, "IORING_OP_WRITE: %s\n",
				strerror(-res));
			return 1;
		}
		done += (size_t)res;
	}
	close(fd);
	close(r.fd);
	args[0] = argv[1];
	args[1] = "--ran";
	args[2] = argv[2];
	args[3] = NULL;
	execv(argv[1], args);
	die("execv");
	return 1;
}
