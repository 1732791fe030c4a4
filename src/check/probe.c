/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe.c -- what touches a container's file, in a worker process with a deadline */
#include "check/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "check/hash.h"
#include "check/leasewait.h"
#include "util/log.h"
#include "util/timeutil.h"

enum probe_op {
	OP_OPEN = 1,
	OP_CLASSIFY,
	OP_DONE,
	OP_NAME_PLAIN,
	OP_HEADS,		/* the questions in struct probe_batch */
};

/* One question, as it crosses the socket (both ends are this binary). */
struct probe_request {
	uint32_t op;
	/* OP_OPEN: the candidate's fields that safeopen.c looks at */
	int32_t pid, ppid, fd;
	uint32_t dev_major, dev_minor;
	uint64_t inode;
	uint8_t has_inode, parent_same, has_mount_root, has_path;
	uint8_t name_unresolved, tmpfile;
	uint8_t exec;		/* OP_OPEN of an execution's program */
	uint8_t close_unless_candidate;	/* probe_open_head() */
	uint8_t writer_closed;	/* FD is known to be closed: not tried */
	uint8_t has_upper;
	char shm_dir[16];
	char mount_root[PATH_MAX];
	char path[PATH_MAX];
	char upper[PATH_MAX];	/* the overlay's upper directory */
	/* OP_NAME_PLAIN: the file's device and inode (with OP_OPEN's) */
	uint64_t want_dev, want_ino;
	/* OP_CLASSIFY */
	uint32_t head_kind, types;
	uint64_t sha256_max;
	uint8_t name_check;
};

/*
 * probe_look_heads(): N questions (OP_OPEN, close_unless_candidate) and
 * their answers, in memory shared with the worker. The inspector writes
 * the questions and sends OP_HEADS; the worker answers them in turn,
 * sets STARTED_MS before each (the deadline runs from there) and DONE
 * after each, and sends one byte when all are answered. An answer below
 * DONE is never written again.
 */
struct probe_batch {
	_Atomic uint32_t done;
	_Atomic uint64_t started_ms;
	uint32_t n;
	struct probe_request req[PROBE_BATCH_MAX];
	struct probe_opened ans[PROBE_BATCH_MAX];
};

static size_t copy_str(char *dst, size_t size, const char *src)
{
	size_t len = src ? strlen(src) : 0;

	if (len >= size)
		return 0;	/* never a cut name: one that leads elsewhere */
	memcpy(dst, src ? src : "", len + 1);
	return len + 1;
}

/* --- the worker ------------------------------------------------------------ */

/* The candidate the worker's last OP_OPEN was about. */
struct worker_state {
	struct probe_request open;
	struct candidate c;
	struct file_check fc;
	struct inspect_roots *roots;	/* OP_HEADS: the run's roots */
	struct lease_waiters waiters;	/* check/leasewait.h */
};

static void worker_candidate(struct worker_state *w)
{
	struct candidate *c = &w->c;

	memset(c, 0, sizeof(*c));
	c->pid = w->open.pid;
	c->ppid = w->open.ppid;
	c->fd = w->open.writer_closed ? -1 : w->open.fd;
	c->has_inode = w->open.has_inode;
	c->inode = w->open.inode;
	c->dev_major = w->open.dev_major;
	c->dev_minor = w->open.dev_minor;
	c->path = w->open.has_path ? w->open.path : NULL;
	c->name_unresolved = w->open.name_unresolved;
	c->tmpfile = w->open.tmpfile;
}

static const char *mount_root_of(const struct worker_state *w)
{
	return w->open.has_mount_root ? w->open.mount_root : NULL;
}

static const char *upper_of(const struct worker_state *w)
{
	return w->open.has_upper ? w->open.upper : NULL;
}

/*
 * The name of the file reached through the writer's descriptor, as the
 * writer sees it: the link /proc/PID/fd/N, kept only when it resolves
 * inside the writer's root (never outside it) to the same file.
 */
static void worker_name(struct worker_state *w, const char *proc,
			struct probe_opened *out)
{
	struct candidate c = w->c;
	char link[128];
	size_t len;
	ssize_t n;

	snprintf(link, sizeof(link), "%s/%d/fd/%d", proc, (int)c.pid, c.fd);
	n = readlink(link, out->name, sizeof(out->name) - 1);
	if (n <= 0 || (size_t)n >= sizeof(out->name) - 1) {
		out->name[0] = '\0';
		return;
	}
	out->name[n] = '\0';
	len = (size_t)n;
	c.path = out->name;
	c.name_unresolved = false;
	if (out->name[0] != '/' || memchr(out->name, '\n', len) ||
	    (len > 10 && !strcmp(out->name + len - 10, " (deleted)")) ||
	    !inspect_name_is(proc, &c, w->open.parent_same, mount_root_of(w),
			     &w->fc.st))
		out->name[0] = '\0';
}

/*
 * Does the candidate's name fail to lead to the file reached through the
 * writer's descriptor? A name the reader could not place, or one that a
 * rename of a directory above the file (after the open) has made stale:
 * the last look, once the writer has closed the file, goes by name.
 */
static bool name_stale(struct worker_state *w, const char *proc)
{
	char now[PATH_MAX];

	if (!w->c.path || w->c.path[0] != '/' || w->c.name_unresolved)
		return true;
	/* the usual case, one readlink: the open file says the same */
	if (inspect_fd_name(&w->fc, now, sizeof(now)) > 0 &&
	    !strcmp(now, w->c.path))
		return false;
	/* another spelling (a symlink, "//") may still lead to the file */
	return !inspect_name_is(proc, &w->c, w->open.parent_same,
				mount_root_of(w), &w->fc.st);
}

/*
 * A write lease of another process keeps the file of W->fc out: found,
 * what it is goes into OUT, unread. A waiter opens it as a reader does,
 * which the holder cannot keep out for longer than lease-break-time
 * (check/leasewait.h); the looks after it get in. Not for an overlay's
 * file, which is read through the upper directory, where the lease is
 * not (check/pipeline.c).
 */
static void worker_leased(struct worker_state *w, struct probe_opened *out)
{
	out->st = w->fc.st;
	if (w->fc.has_lease_path && !w->fc.on_overlay)
		lease_wait(&w->waiters, w->fc.lease_path_fd, &w->fc.st);
}

/* The look of OP_OPEN, into OUT; the file may stay open, with the read
 * lease that said nobody writes it (safeopen.h): see worker_open(). */
static void worker_look(struct worker_state *w, const char *proc,
			struct probe_opened *out)
{
	inspect_close(&w->fc);
	worker_candidate(w);
	memset(out, 0, sizeof(*out));
	out->status = INSPECT_GONE;
	if (w->open.exec) {
		out->status = inspect_open_exe(proc, &w->c, &w->fc);
		if (out->status == INSPECT_LEASED)
			worker_leased(w, out);
		if (out->status == INSPECT_NOT_REGULAR ||
		    out->status == INSPECT_REMOTE ||
		    out->status == INSPECT_LEASED)
			return;
	}
	if (out->status != INSPECT_OK)
		out->status = inspect_open_in(proc, &w->c,
					      w->open.parent_same,
					      mount_root_of(w), upper_of(w),
					      w->roots, &w->fc);
	if (out->status == INSPECT_LEASED)
		worker_leased(w, out);
	if (out->status != INSPECT_OK)
		return;
	if (w->open.exec && inspect_fd_name(&w->fc, out->name,
					    sizeof(out->name)) < 0)
		out->name[0] = '\0';
	if (w->open.exec && w->open.ppid > 0) {
		char buf[128];
		struct stat pst;

		snprintf(buf, sizeof(buf), "%s/%d/exe", proc,
			 (int)w->open.ppid);
		out->parent_runs_it = stat(buf, &pst) == 0 &&
				      pst.st_dev == w->fc.st.st_dev &&
				      pst.st_ino == w->fc.st.st_ino;
	}
	out->st = w->fc.st;
	out->via = w->fc.via;
	out->writers = w->fc.writers;
	out->head_len = w->fc.head_len;
	memcpy(out->head, w->fc.head, w->fc.head_len);
	/* names are walked below (a walk may wait on a mount): no writer
	 * is kept waiting on the lease meanwhile */
	if ((!w->open.exec && w->fc.via == VIA_WRITER_FD) ||
	    w->open.shm_dir[0])
		inspect_unlease(&w->fc);
	if (!w->open.exec && w->fc.via == VIA_WRITER_FD && name_stale(w, proc))
		worker_name(w, proc, out);
	if (w->open.shm_dir[0])
		out->on_shm = inspect_on_mount_of(proc, &w->c,
						  w->open.parent_same,
						  mount_root_of(w), &w->fc,
						  w->open.shm_dir);
	if (w->open.close_unless_candidate) {
		unsigned int kind;

		if (classify_head(out->head, out->head_len,
				  (unsigned long long)out->st.st_size,
				  &kind) != HEAD_CANDIDATE) {
			inspect_close(&w->fc);
			out->closed = true;
		}
	}
}

/* OP_OPEN: the look, and the file, when it stays open, without the lease
 * (held while it is classified, it would keep writers waiting). */
static void worker_open(struct worker_state *w, const char *proc,
			struct probe_opened *out)
{
	worker_look(w, proc, out);
	inspect_unlease(&w->fc);
}

/* OP_HEADS: the questions of B, in turn; every file closed (which lets go
 * of its lease). */
static void worker_heads(struct worker_state *w, const char *proc,
			 struct probe_batch *b)
{
	uint32_t i, n = b->n < PROBE_BATCH_MAX ? b->n : PROBE_BATCH_MAX;
	struct inspect_roots roots = { 0 };

	w->roots = &roots;
	for (i = 0; i < n; i++) {
		atomic_store(&b->started_ms, now_ms());
		w->open = b->req[i];
		worker_look(w, proc, &b->ans[i]);
		inspect_close(&w->fc);
		b->ans[i].closed = true;
		atomic_store_explicit(&b->done, i + 1, memory_order_release);
	}
	w->roots = NULL;
	inspect_roots_close(&roots);
}

static void worker_classify(struct worker_state *w, struct classifier *cl,
			    const char *proc, const struct probe_request *req,
			    struct probe_classified *out)
{
	memset(out, 0, sizeof(*out));
	out->rc = -1;
	out->sha_rc = -1;
	if (w->fc.fd < 0)
		return;
	out->rc = classify_confirm(cl, w->fc.fd, req->head_kind, req->types,
				   &out->cls);
	if (out->rc == 0 && req->sha256_max)
		out->sha_rc = sha256_fd(w->fc.fd, req->sha256_max,
					out->sha256);
	if (out->rc == 0 && req->name_check)
		out->name_is = inspect_name_is(proc, &w->c,
					       w->open.parent_same,
					       mount_root_of(w), &w->fc.st);
	if (out->rc == 0)
		out->name_plain = inspect_name_is_plain(proc, &w->c,
							w->open.parent_same,
							mount_root_of(w),
							&w->fc.st);
}

/* The worker's life: answer questions until the socket closes. It holds
 * no descriptor of the plugin's but its socket (not auditd's stream, not
 * the logs) and never logs. */
static void __attribute__((noreturn)) worker_main(int sock, const char *proc,
						  struct classifier *cl,
						  struct probe_batch *batch)
{
	static struct worker_state w;
	static struct probe_request req;
	struct sigaction sa;
	sigset_t none;
	int null;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "dropexec-probe");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* sent when a read lease is broken (safeopen.h): not a reason
	 * to die */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGIO, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	if (dup2(sock, 3) < 0)
		_exit(1);
	close_range(4, ~0U, 0);
	sock = 3;
	if (cl->copy_fd >= 0)
		cl->copy_fd = -1;	/* closed above: made anew */
	w.fc.fd = -1;
	lease_waiters_init(&w.waiters);

	for (;;) {
		union {
			struct probe_opened opened;
			struct probe_classified classified;
		} rep;
		ssize_t n = recv(sock, &req, sizeof(req), 0);

		if (n != (ssize_t)sizeof(req))
			_exit(0);
		switch (req.op) {
		case OP_OPEN:
			w.open = req;
			worker_open(&w, proc, &rep.opened);
			if (rep.opened.status != INSPECT_OK) {
				/* nothing to ask about: no close awaited */
				inspect_close(&w.fc);
				rep.opened.closed = true;
			}
			n = send(sock, &rep.opened, sizeof(rep.opened),
				 MSG_NOSIGNAL);
			break;
		case OP_HEADS: {
			uint8_t all = 1;

			worker_heads(&w, proc, batch);
			n = send(sock, &all, sizeof(all), MSG_NOSIGNAL);
			break;
		}
		case OP_CLASSIFY:
			worker_classify(&w, cl, proc, &req, &rep.classified);
			n = send(sock, &rep.classified, sizeof(rep.classified),
				 MSG_NOSIGNAL);
			break;
		case OP_NAME_PLAIN: {
			struct worker_state nw;
			struct stat want;
			uint8_t plain;

			memset(&want, 0, sizeof(want));
			want.st_dev = req.want_dev;
			want.st_ino = req.want_ino;
			nw.open = req;
			worker_candidate(&nw);
			plain = inspect_name_is_plain(proc, &nw.c,
						      req.parent_same,
						      mount_root_of(&nw),
						      &want);
			n = send(sock, &plain, sizeof(plain), MSG_NOSIGNAL);
			break;
		}
		default: {
			/* OP_DONE: answered once closed (a FUSE file's
			 * close waits for its server) */
			uint8_t ack = 1;

			inspect_close(&w.fc);
			n = send(sock, &ack, sizeof(ack), MSG_NOSIGNAL);
			break;
		}
		}
		if (n < 0)
			_exit(0);
	}
}

/* --- the inspector's side -------------------------------------------------- */

/* Reap the abandoned workers that have died since. */
static void reap(struct prober *pr)
{
	size_t i;

	for (i = 0; i < PROBE_ZOMBIES_MAX; i++)
		if (pr->zombies[i] > 0 &&
		    waitpid(pr->zombies[i], NULL, WNOHANG) != 0)
			pr->zombies[i] = 0;
}

static void abandon(struct prober *pr, pid_t pid)
{
	size_t i;

	if (waitpid(pid, NULL, WNOHANG) != 0)
		return;
	for (i = 0; i < PROBE_ZOMBIES_MAX; i++) {
		if (!pr->zombies[i]) {
			pr->zombies[i] = pid;
			return;
		}
	}
}

/* Let go of the memory shared with a worker that is gone (or
 * abandoned: it keeps its own mapping). */
static void batch_unmap(struct prober *pr)
{
	if (pr->batch)
		munmap(pr->batch, sizeof(struct probe_batch));
	pr->batch = NULL;
}

static int spawn(struct prober *pr)
{
	struct probe_batch *b;
	int sv[2];
	pid_t pid;

	reap(pr);
	b = mmap(NULL, sizeof(*b), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		munmap(b, sizeof(*b));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		munmap(b, sizeof(*b));
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		worker_main(sv[1], pr->proc, pr->cl, b);
	}
	pr->batch = b;
	close(sv[1]);
	pr->pid = pid;
	pr->sock = sv[0];
	return 0;
}

/* Kill the worker (stuck in the kernel, it dies when the kernel lets it)
 * and start another. */
static void replace(struct prober *pr)
{
	if (pr->sock >= 0)
		close(pr->sock);
	pr->sock = -1;
	if (pr->pid > 0) {
		kill(pr->pid, SIGKILL);
		abandon(pr, pr->pid);
	}
	pr->pid = 0;
	batch_unmap(pr);
	pr->replaced++;
	pr->holds_file = false;
	pr->closing = false;
	if (spawn(pr))
		log_msg(LOG_ERR, "cannot start a file check worker: %s",
			strerror(errno));
}

/* Wait for a reply of LEN bytes into REPLY until DEADLINE (monotonic
 * ms); a worker that misses it or dies is replaced. */
static enum probe_result await_reply(struct prober *pr, uint64_t deadline,
				     void *reply, size_t len)
{
	struct pollfd pfd;
	ssize_t n;

	pfd.fd = pr->sock;
	pfd.events = POLLIN;
	for (;;) {
		uint64_t now = now_ms();
		int r;

		if (now >= deadline) {
			replace(pr);
			return PROBE_TIMEOUT;
		}
		r = poll(&pfd, 1, (int)(deadline - now));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;	/* the deadline decides */
		break;
	}
	n = recv(pr->sock, reply, len, 0);
	if (n != (ssize_t)len) {
		/* the worker died (a crash in libmagic, say): start anew */
		replace(pr);
		return PROBE_FAILED;
	}
	return PROBE_OK;
}

/*
 * Before question OP: let the worker finish with the last file. A close
 * can wait as long as a hung FUSE server wants (FLUSH), so it gets a
 * deadline of its own: the question asked next is never charged with
 * it. A question about another file (OP_OPEN) first closes the file
 * still open (after probe_classify(), the check does not say
 * probe_done()). A worker stuck in the close is replaced and counted in
 * close_deadlines.
 */
static void finish_last_file(struct prober *pr, uint32_t op)
{
	uint8_t ack;

	if (pr->sock < 0)
		return;
	if (op == OP_OPEN && pr->holds_file && !pr->closing) {
		struct probe_request done;

		memset(&done, 0, sizeof(done));
		done.op = OP_DONE;
		if (send(pr->sock, &done, sizeof(done), MSG_NOSIGNAL) !=
		    (ssize_t)sizeof(done)) {
			replace(pr);
			return;
		}
		pr->closing = true;
		pr->holds_file = false;
	}
	if (!pr->closing)
		return;
	if (await_reply(pr, now_ms() + pr->timeout_ms, &ack, sizeof(ack)) ==
	    PROBE_TIMEOUT) {
		pr->close_deadlines++;
		if (pr->missed)
			atomic_fetch_add(pr->missed, 1);
	}
	pr->closing = false;
}

/* Send REQ and wait for a reply of LEN bytes into REPLY, at most the
 * deadline. */
static enum probe_result ask(struct prober *pr, const struct probe_request *req,
			     void *reply, size_t len)
{
	enum probe_result r;

	finish_last_file(pr, req->op);
	if (pr->sock < 0 && spawn(pr))
		return PROBE_FAILED;
	if (send(pr->sock, req, sizeof(*req), MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(*req)) {
		replace(pr);
		return PROBE_FAILED;
	}
	r = await_reply(pr, now_ms() + pr->timeout_ms, reply, len);
	if (r == PROBE_OK && req->op == OP_OPEN)
		pr->holds_file = true;	/* until OP_DONE */
	return r;
}

/* The worker reads hostile files: what it says is bounded before use. */
static void opened_bound(struct probe_opened *out)
{
	if (out->head_len > sizeof(out->head))
		out->head_len = sizeof(out->head);
	out->name[sizeof(out->name) - 1] = '\0';
}

/* Ask OP_OPEN REQ; the file stays the worker's unless it said closed. */
static enum probe_result ask_open(struct prober *pr,
				  const struct probe_request *req,
				  struct probe_opened *out)
{
	enum probe_result r = ask(pr, req, out, sizeof(*out));

	if (r == PROBE_OK) {
		opened_bound(out);
		if (out->closed)
			pr->holds_file = false;
	}
	return r;
}

int probe_start(struct prober *pr, const char *proc, struct classifier *cl,
		unsigned int timeout_ms)
{
	memset(pr, 0, sizeof(*pr));
	pr->proc = proc;
	pr->cl = cl;
	pr->timeout_ms = timeout_ms;
	pr->sock = -1;
	pr->req = calloc(1, sizeof(struct probe_request));
	if (!pr->req)
		return -1;
	return spawn(pr);
}

void probe_stop(struct prober *pr)
{
	int i;

	if (pr->sock >= 0)
		close(pr->sock);	/* the worker sees EOF and leaves */
	pr->sock = -1;
	if (pr->pid > 0) {
		/* a moment to leave, then no more waiting */
		for (i = 0; i < 50 && waitpid(pr->pid, NULL, WNOHANG) == 0;
		     i++)
			usleep(2000);
		if (i == 50) {
			kill(pr->pid, SIGKILL);
			abandon(pr, pr->pid);
		}
	}
	pr->pid = 0;
	batch_unmap(pr);
	reap(pr);
	free(pr->req);
	pr->req = NULL;
}

/* The fields of C that safeopen.c looks at, into REQ. */
static void fill_candidate(struct probe_request *req, const struct candidate *c,
			   bool parent_same, const char *mount_root,
			   const char *upper)
{
	req->pid = c->pid;
	req->ppid = c->ppid;
	req->fd = c->fd;
	req->dev_major = c->dev_major;
	req->dev_minor = c->dev_minor;
	req->inode = c->inode;
	req->has_inode = c->has_inode;
	req->parent_same = parent_same;
	req->has_mount_root = copy_str(req->mount_root,
				       sizeof(req->mount_root),
				       mount_root) > 0 && mount_root;
	req->has_path = copy_str(req->path, sizeof(req->path), c->path) > 0 &&
			c->path;
	req->has_upper = copy_str(req->upper, sizeof(req->upper), upper) > 0 &&
			 upper;
	copy_str(req->shm_dir, sizeof(req->shm_dir), c->shm_dir);
	req->name_unresolved = c->name_unresolved;
	req->tmpfile = c->tmpfile;
}

/*
 * An OP_OPEN of C; HEAD and EXEC are the request's close_unless_candidate
 * and exec flags, which tell probe_open_head() and probe_open_exec() from
 * probe_open().
 */
static enum probe_result open_request(struct prober *pr,
				      const struct candidate *c,
				      bool parent_same, const char *mount_root,
				      const char *upper, bool head, bool exec,
				      struct probe_opened *out)
{
	struct probe_request *req = pr->req;

	memset(req, 0, sizeof(*req));
	req->op = OP_OPEN;
	req->close_unless_candidate = head;
	req->exec = exec;
	fill_candidate(req, c, parent_same, mount_root, upper);
	return ask_open(pr, req, out);
}

enum probe_result probe_open(struct prober *pr, const struct candidate *c,
			     bool parent_same, const char *mount_root,
			     struct probe_opened *out)
{
	return open_request(pr, c, parent_same, mount_root, NULL, false,
			    false, out);
}

enum probe_result probe_open_head(struct prober *pr, const struct candidate *c,
				  bool parent_same, const char *mount_root,
				  const char *upper, struct probe_opened *out)
{
	return open_request(pr, c, parent_same, mount_root, upper, true,
			    false, out);
}

enum probe_result probe_open_exec(struct prober *pr, const struct candidate *c,
				  bool parent_same, const char *mount_root,
				  struct probe_opened *out)
{
	return open_request(pr, c, parent_same, mount_root, NULL, false,
			    true, out);
}

/*
 * Wait until the worker has answered all N questions of B: PROBE_OK, or
 * PROBE_TIMEOUT when the file it is at has been looked at for longer than
 * a question's deadline (or the whole batch for N of them: a worker that
 * keeps moving STARTED_MS is stopped all the same), PROBE_FAILED when it
 * died. The worker is not replaced here: its answers are read first.
 */
static enum probe_result await_heads(struct prober *pr,
				     const struct probe_batch *b, size_t n)
{
	uint64_t cap = now_ms() + (uint64_t)n * pr->timeout_ms;
	struct pollfd pfd = { .fd = pr->sock, .events = POLLIN };
	uint8_t all;

	for (;;) {
		uint64_t now = now_ms();
		uint64_t deadline = atomic_load(&b->started_ms) +
				    pr->timeout_ms;
		int r;

		if (deadline > cap)
			deadline = cap;
		if (now >= deadline)
			return PROBE_TIMEOUT;
		r = poll(&pfd, 1, (int)(deadline - now));
		if (r > 0)
			break;
		/* a timeout or EINTR: the deadline, read again, decides */
	}
	if (recv(pr->sock, &all, sizeof(all), 0) != (ssize_t)sizeof(all))
		return PROBE_FAILED;
	return atomic_load_explicit(&b->done, memory_order_acquire) >= n ?
	       PROBE_OK : PROBE_FAILED;
}

void probe_look_heads(struct prober *pr, const struct probe_look *looks,
		      size_t n, struct probe_opened *out,
		      enum probe_result *res)
{
	struct probe_request *go = pr->req;
	struct probe_batch *b;
	enum probe_result r;
	size_t i, done;

	if (n > PROBE_BATCH_MAX)
		n = PROBE_BATCH_MAX;
	for (i = 0; i < n; i++)
		res[i] = PROBE_NOT_ASKED;
	finish_last_file(pr, OP_OPEN);
	if (!n || (pr->sock < 0 && spawn(pr)))
		return;
	b = pr->batch;
	for (i = 0; i < n; i++) {
		memset(&b->req[i], 0, sizeof(b->req[i]));
		b->req[i].op = OP_OPEN;
		b->req[i].close_unless_candidate = true;
		fill_candidate(&b->req[i], looks[i].c, looks[i].parent_same,
			       looks[i].mount_root, looks[i].upper);
		b->req[i].writer_closed = looks[i].writer_closed;
	}
	b->n = (uint32_t)n;
	atomic_store(&b->done, 0);
	atomic_store(&b->started_ms, now_ms());
	memset(go, 0, sizeof(*go));
	go->op = OP_HEADS;
	if (send(pr->sock, go, sizeof(*go), MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(*go)) {
		replace(pr);
		return;
	}
	r = await_heads(pr, b, n);
	done = atomic_load_explicit(&b->done, memory_order_acquire);
	if (done > n)
		done = n;
	for (i = 0; i < done; i++) {
		out[i] = b->ans[i];
		opened_bound(&out[i]);
		res[i] = PROBE_OK;
	}
	if (r != PROBE_OK) {
		if (done < n)
			res[done] = r;	/* the file it was at */
		replace(pr);
	}
}

enum probe_result probe_name_plain(struct prober *pr,
				   const struct candidate *c,
				   bool parent_same, const char *mount_root,
				   const struct stat *st, bool *plain)
{
	struct probe_request *req = pr->req;
	enum probe_result r;
	uint8_t answer = 0;

	memset(req, 0, sizeof(*req));
	req->op = OP_NAME_PLAIN;
	fill_candidate(req, c, parent_same, mount_root, NULL);
	req->want_dev = st->st_dev;
	req->want_ino = st->st_ino;
	r = ask(pr, req, &answer, sizeof(answer));
	*plain = r == PROBE_OK && answer;
	return r;
}

enum probe_result probe_classify(struct prober *pr, unsigned int head_kind,
				 unsigned int types,
				 unsigned long long sha256_max, bool name_check,
				 struct probe_classified *out)
{
	struct probe_request *req = pr->req;

	memset(req, 0, sizeof(*req));
	req->op = OP_CLASSIFY;
	req->head_kind = head_kind;
	req->types = types;
	req->sha256_max = sha256_max;
	req->name_check = name_check;
	return ask(pr, req, out, sizeof(*out));
}

void probe_done(struct prober *pr)
{
	struct probe_request *req = pr->req;

	if (pr->sock < 0 || pr->closing || !pr->holds_file)
		return;
	memset(req, 0, sizeof(*req));
	req->op = OP_DONE;
	if (send(pr->sock, req, sizeof(*req), MSG_NOSIGNAL | MSG_DONTWAIT) !=
	    (ssize_t)sizeof(*req)) {
		replace(pr);
		return;
	}
	/* its answer is read before the next question: finish_last_file() */
	pr->holds_file = false;
	pr->closing = true;
}
