/* SPDX-License-Identifier: GPL-2.0-or-later */
/* record.c -- from auditd's record stream to candidates */
#include "intake/record.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <libaudit.h>

#include "util/path.h"
#include "util/textenc.h"

#define SRC_CALL(S, OP)	((S)->ops->OP((S)->ctx))

#define AT_FDCWD_32	0xffffff9cULL
#define AT_FDCWD_64	0xffffffffffffff9cULL

/* The watched calls, by name; the name comes from libaudit's tables so
 * that every ABI it knows is covered. */
static const struct {
	const char *name;
	enum file_op op;
	int flags_arg;		/* aN holding open flags, or -1 */
	int dirfd_arg;		/* aN holding the new name's dirfd, or -1 */
} watched[] = {
	{ "open", FILE_OP_OPEN, 1, -1 },
	{ "openat", FILE_OP_OPEN, 2, 0 },
	{ "openat2", FILE_OP_OPEN, -1, 0 },
	{ "creat", FILE_OP_OPEN, -1, -1 },
	{ "rename", FILE_OP_RENAME, -1, -1 },
	{ "renameat", FILE_OP_RENAME, -1, 2 },
	{ "renameat2", FILE_OP_RENAME, -1, 2 },
	{ "link", FILE_OP_LINK, -1, -1 },
	{ "linkat", FILE_OP_LINK, -1, 2 },
	{ "execve", FILE_OP_EXEC, -1, -1 },
	{ "execveat", FILE_OP_EXEC, -1, 0 },
};

/* Unsigned number in BASE (8, 10 or 16), all of S, no sign, no
 * overflow. (strtoull costs several times more, with locale checks.) */
static int parse_u64(const char *s, int base, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	if (!s || !*s)
		return -1;
	for (; *p; p++) {
		unsigned int d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned int)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned int)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned int)(*p - 'A' + 10);
		else
			return -1;
		if (d >= (unsigned int)base ||
		    v > (UINT64_MAX - d) / (uint64_t)base)
			return -1;
		v = v * (uint64_t)base + d;
	}
	*out = v;
	return 0;
}

/* Signed decimal number, all of S. */
static int parse_ll(const char *s, long long *out)
{
	bool neg = s && *s == '-';
	uint64_t v;

	if (!s || parse_u64(s + neg, 10, &v))
		return -1;
	if (v > (uint64_t)LLONG_MAX + neg)
		return -1;
	*out = neg ? (long long)(0 - v) : (long long)v;
	return 0;
}

/* Fields of the SYSCALL record that matter, as raw strings. */
struct syscall_fields {
	const char *arch, *syscall, *success, *exit, *a[4];
	const char *pid, *ppid, *uid, *gid, *euid, *auid, *ses;
	const char *comm, *exe;
};

static void read_syscall_fields(const struct event_source *au,
				struct syscall_fields *f)
{
	memset(f, 0, sizeof(*f));
	if (SRC_CALL(au, first_field) <= 0)
		return;
	do {
		const char *n = SRC_CALL(au, field_name);
		const char *v = SRC_CALL(au, field_str);

		if (!n)
			continue;
		switch (n[0]) {
		case 'a':
			if (!strcmp(n, "arch"))
				f->arch = v;
			else if (n[1] >= '0' && n[1] <= '3' && !n[2])
				f->a[n[1] - '0'] = v;
			else if (!strcmp(n, "auid"))
				f->auid = v;
			break;
		case 's':
			if (!strcmp(n, "syscall"))
				f->syscall = v;
			else if (!strcmp(n, "success"))
				f->success = v;
			else if (!strcmp(n, "ses"))
				f->ses = v;
			break;
		case 'e':
			if (!strcmp(n, "exit"))
				f->exit = v;
			else if (!strcmp(n, "exe"))
				f->exe = v;
			else if (!strcmp(n, "euid"))
				f->euid = v;
			break;
		case 'p':
			if (!strcmp(n, "pid"))
				f->pid = v;
			else if (!strcmp(n, "ppid"))
				f->ppid = v;
			break;
		case 'u':
			if (!strcmp(n, "uid"))
				f->uid = v;
			break;
		case 'g':
			if (!strcmp(n, "gid"))
				f->gid = v;
			break;
		case 'c':
			if (!strcmp(n, "comm"))
				f->comm = v;
			break;
		}
	} while (SRC_CALL(au, next_field) > 0);
}

/* "MAJ:MIN" in hex, as PATH records give devices. */
static int parse_dev(const char *v, unsigned int *major, unsigned int *minor)
{
	uint64_t ma, mi;
	const char *colon = strchr(v, ':');
	char buf[24];
	size_t n;

	if (!colon || (n = (size_t)(colon - v)) == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (parse_u64(buf, 16, &ma) || parse_u64(colon + 1, 16, &mi) ||
	    ma > 0xfff || mi > 0xfffff)
		return -1;
	*major = (unsigned int)ma;
	*minor = (unsigned int)mi;
	return 0;
}

/*
 * Read one PATH record. An item named (null) has no name of its own:
 * overlayfs bookkeeping, or the file a create through a dangling symlink
 * made. *NAMELESS is set for it (IT->name stays NULL).
 */
static void read_path_item(const struct event_source *au, struct path_item *it,
			   bool *ok, bool *nameless)
{
	*ok = true;
	*nameless = false;
	memset(it, 0, sizeof(*it));
	it->item = -1;
	if (SRC_CALL(au, first_field) <= 0) {
		*ok = false;
		return;
	}
	do {
		const char *n = SRC_CALL(au, field_name);
		const char *v = SRC_CALL(au, field_str);
		uint64_t u;

		if (!n || !v)
			continue;
		switch (n[0]) {
		case 'i':
			if (!strcmp(n, "item")) {
				if (parse_u64(v, 10, &u) || u > 1024)
					*ok = false;
				else
					it->item = (int)u;
			} else if (!strcmp(n, "inode")) {
				if (!parse_u64(v, 10, &u)) {
					it->inode = u;
					it->has_inode = true;
				}
			}
			break;
		case 'n':
			if (!strcmp(n, "name")) {
				free(it->name);
				it->name = NULL;
				if (!strcmp(v, "(null)"))
					*nameless = true;
				else
					it->name = audit_value_decode(v);
			} else if (!strcmp(n, "nametype")) {
				size_t len = strnlen(v, sizeof(it->nametype) - 1);

				memcpy(it->nametype, v, len);
				it->nametype[len] = '\0';
				/* the kernel's last field that matters here
				 * (the cap_* fields follow) */
				goto done;
			}
			break;
		case 'd':
			if (!strcmp(n, "dev") &&
			    parse_dev(v, &it->dev_major, &it->dev_minor))
				*ok = false;
			break;
		case 'm':
			if (!strcmp(n, "mode") && !parse_u64(v, 8, &u) &&
			    u <= 0177777)
				it->mode = (unsigned int)u;
			break;
		}
	} while (SRC_CALL(au, next_field) > 0);
done:
	if (it->item < 0)
		*ok = false;
	if (*nameless && it->name) {	/* a name after (null) */
		free(it->name);
		it->name = NULL;
	}
}

#define MAX_RECORD_TEXTS	64

/* The raw record lines TEXTS, '\n' separated, at most
 * CANDIDATE_MAX_RECORDS bytes (whole records only). */
static char *join_records(const char **texts, size_t n)
{
	size_t total = 0, len = 0, i;
	char *out;

	for (i = 0; i < n; i++)
		total += strlen(texts[i]) + 1;
	if (total > CANDIDATE_MAX_RECORDS)
		total = CANDIDATE_MAX_RECORDS;
	out = malloc(total + 1);
	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		size_t tl = strlen(texts[i]);

		if (len + tl + 1 > total)
			break;
		if (len)
			out[len++] = '\n';
		memcpy(out + len, texts[i], tl);
		len += tl;
	}
	out[len] = '\0';
	return out;
}

static char *join_path(const char *cwd, const char *name)
{
	char *out;

	/* Not normalised: ".." after a symlink is not its parent, and the
	 * name is opened as the process named it. */
	if (name[0] == '/' || !cwd)
		return strdup(name);
	if (asprintf(&out, "%s%s%s", cwd,
		     cwd[0] && cwd[strlen(cwd) - 1] == '/' ? "" : "/",
		     name) < 0)
		return NULL;
	return out;
}

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t len = strnlen(src, size - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Which watched call is this? Fills C's syscall/arch names and op. */
static int identify_call(struct candidate *c, const struct syscall_fields *f,
			 size_t *idx)
{
	uint64_t arch, nr;
	const char *name, *mname;
	int machine;
	size_t i;

	if (parse_u64(f->arch, 16, &arch) || arch > UINT32_MAX ||
	    parse_u64(f->syscall, 10, &nr) || nr > 100000)
		return -1;
	machine = audit_elf_to_machine((unsigned int)arch);
	if (machine < 0)
		return -1;
	name = audit_syscall_to_name((int)nr, machine);
	if (!name)
		return 0;
	for (i = 0; i < sizeof(watched) / sizeof(watched[0]); i++) {
		if (strcmp(watched[i].name, name))
			continue;
		mname = audit_machine_to_name(machine);
		c->op = watched[i].op;
		c->syscall_nr = (int)nr;
		c->arch_code = (uint32_t)arch;
		copy_str(c->syscall, sizeof(c->syscall), name);
		copy_str(c->arch, sizeof(c->arch), mname ? mname : "unknown");
		*idx = i;
		return 1;
	}
	return 0;
}

bool record_watched_call(uint32_t arch, int nr)
{
	const char *name;
	int machine = audit_elf_to_machine(arch);
	size_t i;

	if (machine < 0 || nr < 0)
		return false;
	name = audit_syscall_to_name(nr, machine);
	if (!name)
		return false;
	for (i = 0; i < sizeof(watched) / sizeof(watched[0]); i++)
		if (!strcmp(watched[i].name, name))
			return true;
	return false;
}

/* Pick the PATH item naming the written file, and the source name. */
static int choose_target(struct candidate *c, int *target, int *source)
{
	size_t i;

	*target = *source = -1;
	for (i = 0; i < c->npaths; i++) {
		const struct path_item *it = &c->paths[i];

		if (!it->name)
			continue;	/* overlayfs internals */
		if (!strcmp(it->nametype, "PARENT"))
			continue;
		switch (c->op) {
		case FILE_OP_OPEN:
			if (*target < 0 && (!strcmp(it->nametype, "CREATE") ||
					    !strcmp(it->nametype, "NORMAL")))
				*target = (int)i;
			break;
		case FILE_OP_RENAME:
			if (!strcmp(it->nametype, "CREATE"))
				*target = (int)i;
			else if (!strcmp(it->nametype, "DELETE") &&
				 *source < 0)
				*source = (int)i;
			break;
		case FILE_OP_LINK:
			if (!strcmp(it->nametype, "CREATE"))
				*target = (int)i;
			else if (!strcmp(it->nametype, "NORMAL") &&
				 *source < 0)
				*source = (int)i;
			break;
		case FILE_OP_EXEC:
			/* the program comes first; then a script's
			 * interpreter and the ELF interpreter */
			if (*target < 0)
				*target = (int)i;
			break;
		default:
			break;
		}
	}
	return *target >= 0 ? 0 : -1;
}

/*
 * The command line of an execution, from its EXECVE record: the arguments
 * a0..aN (each quoted or hex, a long one split into aN[0], aN[1], ...)
 * decoded and joined with single spaces into C->cmdline, at most
 * CANDIDATE_MAX_CMDLINE bytes (C->cmdline_cut says when it was cut).
 */
static void read_execve_record(const struct event_source *au,
			       struct candidate *c)
{
	size_t len = 0, cap = CANDIDATE_MAX_CMDLINE;
	long last = -1;
	char *out;

	if (c->cmdline || SRC_CALL(au, first_field) <= 0)
		return;
	out = malloc(cap + 1);
	if (!out)
		return;
	do {
		const char *n = SRC_CALL(au, field_name);
		const char *v = SRC_CALL(au, field_str);
		char *arg, *end;
		size_t al;
		long idx;

		if (!n || !v || n[0] != 'a' || n[1] < '0' || n[1] > '9')
			continue;	/* argc=, aN_len= */
		idx = strtol(n + 1, &end, 10);
		if (*end != '\0' && *end != '[')
			continue;
		arg = audit_value_decode(v);
		if (!arg)
			continue;
		al = strlen(arg);
		if (idx != last && len && len < cap)
			out[len++] = ' ';	/* a new argument */
		if (idx != last)
			c->argc++;
		last = idx;
		if (al > cap - len) {
			al = cap - len;
			c->cmdline_cut = true;
		}
		memcpy(out + len, arg, al);
		len += al;
		free(arg);
	} while (SRC_CALL(au, next_field) > 0);
	out[len] = '\0';
	c->cmdline = out;
}

/* A directory descriptor argument: AT_FDCWD, a descriptor, or -1 when
 * the value is no descriptor at all. */
static int parse_dirfd(const char *v)
{
	uint64_t u;

	if (parse_u64(v, 16, &u))
		return -1;
	if (u == AT_FDCWD_32 || u == AT_FDCWD_64)
		return AT_FDCWD;
	return u <= INT32_MAX ? (int)u : -1;
}

/* The directory a readlink of /proc/PID/fd/N gave, if it is one a name
 * can be joined to: absolute, not deleted. Takes DIR. */
static char *usable_dir(char *dir)
{
	static const char deleted[] = " (deleted)";
	size_t len;

	if (!dir)
		return NULL;
	len = strlen(dir);
	if (dir[0] != '/' || (len >= sizeof(deleted) - 1 &&
			      !strcmp(dir + len - (sizeof(deleted) - 1),
				      deleted))) {
		free(dir);
		return NULL;
	}
	return dir;
}

/*
 * The path of NAME as the writer meant it: relative to descriptor DIRFD
 * when the call named one (resolved through FD_PATH while the writer
 * lives), else to the working directory CWD. *UNRESOLVED is set when the
 * directory could not be found: NAME is then returned as it was given.
 */
static char *place_name(const struct candidate *c, const char *name,
			int dirfd, const struct record_filters *flt,
			bool *unresolved)
{
	char *dir, *out;

	*unresolved = false;
	if (name[0] == '/' || dirfd == AT_FDCWD)
		return join_path(c->cwd, name);
	dir = dirfd >= 0 && flt->fd_path ?
	      usable_dir(flt->fd_path(c->pid, dirfd, flt->arg)) : NULL;
	if (!dir) {
		*unresolved = true;
		return strdup(name);
	}
	out = join_path(dir, name);
	free(dir);
	return out;
}

/* Can the nameless item IT be the file a create through a dangling
 * symlink made: a CREATE item with an inode, of a regular file? */
static bool nameless_made(const struct path_item *it)
{
	return !strcmp(it->nametype, "CREATE") && it->has_inode &&
	       (!it->mode || S_ISREG(it->mode));
}

/*
 * A create through a dangling symlink names only the link's directory (or
 * the link); the file it made is a nameless CREATE item with an inode.
 * Returns the index of that item (one on the device of LINK, the named
 * item, first), or -1.
 */
static int nameless_create(const struct candidate *c,
			   const struct path_item *nameless, size_t nnameless,
			   const struct path_item *link)
{
	int first = -1;
	size_t i;

	for (i = 0; i < nnameless; i++) {
		const struct path_item *it = &nameless[i];

		if (!nameless_made(it))
			continue;
		if (it->dev_major == link->dev_major &&
		    it->dev_minor == link->dev_minor)
			return (int)i;
		if (first < 0)
			first = (int)i;
	}
	(void)c;
	return first;
}

/* The written file is the one item IT describes. */
static void set_file(struct candidate *c, const struct path_item *it)
{
	c->has_inode = it->has_inode;
	c->inode = it->inode;
	c->dev_major = it->dev_major;
	c->dev_minor = it->dev_minor;
	c->mode = it->mode;
}

/* The first named PARENT item, or -1. */
static int named_parent(const struct candidate *c)
{
	size_t i;

	for (i = 0; i < c->npaths; i++)
		if (c->paths[i].name && !strcmp(c->paths[i].nametype, "PARENT"))
			return (int)i;
	return -1;
}

#define MAX_NAMELESS	4

/*
 * The work of record_extract() on the event AU gives. DRY: stop once the
 * writer and the file passed FLT (RECORD_CANDIDATE, no candidate made,
 * no name placed, no descriptor read): the verdict alone.
 */
static enum record_verdict extract(const struct event_source *au,
				   pid_t self_pid,
				   const struct record_filters *flt,
				   bool dry, struct candidate **out)
{
	struct syscall_fields f;
	struct candidate *c = NULL;
	enum record_verdict verdict = RECORD_IGNORED;
	bool have_syscall = false, bad_path = false, unresolved;
	const au_event_t *ev;
	size_t watch_idx = 0, ntexts = 0, nnameless = 0;
	const char *texts[MAX_RECORD_TEXTS];
	struct path_item nameless[MAX_NAMELESS];
	const struct path_item *t;
	int target, source, rc, made = -1;
	unsigned int oflag = 0;
	bool have_oflag = false;
	uint64_t u;
	long long ll;

	*out = NULL;
	if (SRC_CALL(au, first_record) <= 0)
		return RECORD_IGNORED;
	/* A SYSCALL record comes first in every syscall event. */
	if (SRC_CALL(au, get_type) != AUDIT_SYSCALL)
		return RECORD_IGNORED;

	c = candidate_new();
	if (!c)
		return RECORD_IGNORED;
	do {
		int type = SRC_CALL(au, get_type);
		const char *text = SRC_CALL(au, record_text);

		/* valid for as long as the event: joined only for a
		 * candidate, at the end */
		if (text && ntexts < MAX_RECORD_TEXTS)
			texts[ntexts++] = text;

		if (type == AUDIT_SYSCALL && !have_syscall) {
			have_syscall = true;
			read_syscall_fields(au, &f);
			if (!f.success || strcmp(f.success, "yes"))
				goto ignore;
			rc = identify_call(c, &f, &watch_idx);
			if (rc < 0)
				goto malformed;
			if (rc == 0)
				goto ignore;
			if (flt->keep && !parse_u64(f.pid, 10, &u) &&
			    u > 0 && u <= INT32_MAX && (pid_t)u != self_pid &&
			    !flt->keep((pid_t)u, flt->arg)) {
				verdict = RECORD_FILTERED;
				goto ignore;
			}
		} else if (type == AUDIT_CWD) {
			if (SRC_CALL(au, first_field) > 0 &&
			    au->ops->find_field(au->ctx, "cwd")) {
				free(c->cwd);
				c->cwd = audit_value_decode(
					SRC_CALL(au, field_str));
			}
		} else if (type == AUDIT_OPENAT2) {
			/* openat2's flags: in its own record, in octal */
			if (SRC_CALL(au, first_field) > 0 &&
			    au->ops->find_field(au->ctx, "oflag") &&
			    !parse_u64(SRC_CALL(au, field_str), 8, &u) &&
			    u <= UINT32_MAX)
				oflag = (unsigned int)u, have_oflag = true;
		} else if (type == AUDIT_PATH) {
			struct path_item it;
			bool ok, anon;

			read_path_item(au, &it, &ok, &anon);
			if (!ok)
				bad_path = true;
			/* on overlayfs the kernel adds nameless PARENT and
			 * CREATE items of the layers, some without an
			 * inode, before the one of the file: keep only
			 * those that can be it */
			if (ok && anon && nameless_made(&it) &&
			    nnameless < MAX_NAMELESS)
				nameless[nnameless++] = it;
			else if (ok && !anon &&
				 c->npaths < CANDIDATE_MAX_PATHS)
				c->paths[c->npaths++] = it;
			else
				free(it.name);
		} else if (type == AUDIT_EXECVE && c->op == FILE_OP_EXEC &&
			   !dry) {
			read_execve_record(au, c);
		}
	} while (SRC_CALL(au, next_record) > 0);

	if (!have_syscall)
		goto ignore;
	if (bad_path)
		goto malformed;

	/* The process. */
	if (parse_u64(f.pid, 10, &u) || u == 0 || u > INT32_MAX)
		goto malformed;
	c->pid = (pid_t)u;
	if (c->pid == self_pid)
		goto ignore;
	if (!parse_u64(f.ppid, 10, &u) && u <= INT32_MAX)
		c->ppid = (pid_t)u;
	c->uid = parse_ll(f.uid, &ll) ? -1 : ll;
	c->gid = parse_ll(f.gid, &ll) ? -1 : ll;
	c->euid = parse_ll(f.euid, &ll) ? -1 : ll;
	c->auid = parse_ll(f.auid, &ll) ? -1 : ll;
	c->ses = parse_ll(f.ses, &ll) ? -1 : ll;
	if (parse_ll(f.exit, &c->exit))
		goto malformed;
	c->success = true;

	/* Opens only count when they ask for write access. */
	c->new_content = !strcmp(c->syscall, "creat");
	if (c->new_content)
		c->open_flags = O_CREAT | O_WRONLY | O_TRUNC;
	if (watched[watch_idx].flags_arg >= 0) {
		if (parse_u64(f.a[watched[watch_idx].flags_arg], 16, &u) ||
		    u > UINT32_MAX)
			goto malformed;
		if ((u & O_ACCMODE) == O_RDONLY)
			goto ignore;
		c->open_flags = (unsigned int)u;
		if (u & O_TRUNC)
			c->new_content = true;
		/* a file with no name, new by definition */
		if ((u & O_TMPFILE) == O_TMPFILE)
			c->tmpfile = c->new_content = true;
	}
	if (!strcmp(c->syscall, "openat2")) {
		if (have_oflag && (oflag & O_ACCMODE) == O_RDONLY)
			goto ignore;
		c->open_flags = oflag;
		if (oflag & O_TRUNC)
			c->new_content = true;
		if ((oflag & O_TMPFILE) == O_TMPFILE)
			c->tmpfile = c->new_content = true;
	}
	if (c->op == FILE_OP_OPEN && c->exit >= 0 && c->exit <= INT32_MAX)
		c->fd = (int)c->exit;
	if (watched[watch_idx].dirfd_arg >= 0)
		c->dirfd = parse_dirfd(f.a[watched[watch_idx].dirfd_arg]);

	if (choose_target(c, &target, &source)) {
		/* no name but the directory's: a create through a dangling
		 * symlink, told by its nameless CREATE item */
		if (c->op != FILE_OP_OPEN || c->fd < 0 ||
		    (target = named_parent(c)) < 0)
			goto ignore;
	}
	t = &c->paths[target];
	if (c->op == FILE_OP_OPEN && c->fd >= 0 &&
	    ((t->mode && S_ISLNK(t->mode)) || !strcmp(t->nametype, "PARENT")))
		made = nameless_create(c, nameless, nnameless, t);
	if (!strcmp(t->nametype, "PARENT") && made < 0)
		goto ignore;
	if (made >= 0) {
		/* through a dangling symlink: the file is the nameless
		 * item, reached by the writer's descriptor */
		set_file(c, &nameless[made]);
		c->new_content = true;
	} else if (c->tmpfile) {
		/* the file's inode under its directory's name */
		if (t->mode && S_ISREG(t->mode))
			set_file(c, t);
	} else {
		if (t->mode && !S_ISREG(t->mode))
			goto ignore;	/* devices, FIFOs, directories */
		if (c->op == FILE_OP_OPEN && !strcmp(t->nametype, "CREATE"))
			c->new_content = true;
		set_file(c, t);
	}
	/* the writer and the file are known: out of scope goes now, before
	 * any name or string is made */
	/* the event's stamp, for the scope decision's record too */
	ev = au->ops->timestamp ? au->ops->timestamp(au->ctx) : NULL;
	if (ev) {
		c->sec = (uint64_t)ev->sec;
		c->milli = ev->milli;
		c->serial = ev->serial;
	}
	if (flt->keep_file && !flt->keep_file(c, flt->arg)) {
		verdict = RECORD_FILTERED;
		goto ignore;
	}
	if (dry) {
		verdict = RECORD_CANDIDATE;
		goto ignore;
	}

	if (made >= 0) {
		/* its name is the one the descriptor gives while the writer
		 * lives, else the one it knows: the link's, or the
		 * directory's */
		c->path = flt->fd_path ?
			  usable_dir(flt->fd_path(c->pid, c->fd, flt->arg)) :
			  NULL;
		if (!c->path) {
			c->path = place_name(c, t->name, c->dirfd, flt,
					     &unresolved);
			c->name_unresolved = true;
		}
	} else {
		/* O_TMPFILE: the directory it was made in; the file is
		 * reached by the writer's descriptor (exit=) until a linkat
		 * names it */
		c->path = place_name(c, t->name, c->dirfd, flt,
				     &c->name_unresolved);
	}
	if (!c->path)
		goto ignore;
	if (source >= 0) {
		/* the source of renameat and linkat is relative to a0 */
		int sdirfd = watched[watch_idx].dirfd_arg >= 0 ?
			     parse_dirfd(f.a[0]) : AT_FDCWD;

		c->old_path = place_name(c, c->paths[source].name, sdirfd,
					 flt, &unresolved);
	}
	c->comm = audit_value_decode(f.comm);
	c->exe = audit_value_decode(f.exe);

	c->records = join_records(texts, ntexts);
	if (ev && ev->host)
		c->node = strdup(ev->host);
	for (; nnameless > 0; nnameless--)
		free(nameless[nnameless - 1].name);
	*out = c;
	return RECORD_CANDIDATE;

malformed:
	verdict = RECORD_MALFORMED;
ignore:
	for (; nnameless > 0; nnameless--)
		free(nameless[nnameless - 1].name);
	candidate_free(c);
	return verdict;
}

/* auparse as an event source */
static int au_first_record(void *ctx)
{
	return auparse_first_record(ctx);
}

static int au_next_record(void *ctx)
{
	return auparse_next_record(ctx);
}

static int au_get_type(void *ctx)
{
	return auparse_get_type(ctx);
}

static const char *au_record_text(void *ctx)
{
	return auparse_get_record_text(ctx);
}

static int au_first_field(void *ctx)
{
	return auparse_first_field(ctx);
}

static int au_next_field(void *ctx)
{
	return auparse_next_field(ctx);
}

static const char *au_field_name(void *ctx)
{
	return auparse_get_field_name(ctx);
}

static const char *au_field_str(void *ctx)
{
	return auparse_get_field_str(ctx);
}

static const char *au_find_field(void *ctx, const char *name)
{
	return auparse_find_field(ctx, name);
}

static const au_event_t *au_timestamp(void *ctx)
{
	return auparse_get_timestamp(ctx);
}

static const struct event_source_ops auparse_ops = {
	.first_record = au_first_record,
	.next_record = au_next_record,
	.get_type = au_get_type,
	.record_text = au_record_text,
	.first_field = au_first_field,
	.next_field = au_next_field,
	.field_name = au_field_name,
	.field_str = au_field_str,
	.find_field = au_find_field,
	.timestamp = au_timestamp,
};

enum record_verdict record_extract(auparse_state_t *au, pid_t self_pid,
				   const struct record_filters *flt,
				   struct candidate **out)
{
	const struct event_source src = { &auparse_ops, au };

	return extract(&src, self_pid, flt, false, out);
}

enum record_verdict record_decide(const struct event_source *src,
				  pid_t self_pid,
				  const struct record_filters *flt)
{
	struct candidate *c = NULL;
	enum record_verdict v = extract(src, self_pid, flt, true, &c);

	candidate_free(c);	/* never made: NULL */
	return v;
}

void record_count(struct stats *st, enum record_verdict v)
{
	if (!st)
		return;
	atomic_fetch_add(&st->events, 1);
	if (v == RECORD_MALFORMED)
		atomic_fetch_add(&st->malformed, 1);
	if (v == RECORD_FILTERED) {
		atomic_fetch_add(&st->candidates, 1);
		atomic_fetch_add(&st->out_of_scope, 1);
	}
}

static void reader_callback(auparse_state_t *au, auparse_cb_event_t type,
			    void *data)
{
	struct record_reader *r = data;
	struct candidate *c;
	enum record_verdict v;

	if (type != AUPARSE_CB_EVENT_READY)
		return;
	v = record_extract(au, r->self_pid, &r->filters, &c);
	record_count(r->stats, v);
	if (v == RECORD_CANDIDATE)
		r->emit(c, r->arg);
}

int record_reader_init(struct record_reader *r, candidate_fn emit, void *arg,
		       struct stats *stats, pid_t self_pid)
{
	memset(r, 0, sizeof(*r));
	r->emit = emit;
	r->arg = arg;
	r->filters.arg = arg;
	r->stats = stats;
	r->self_pid = self_pid;
	r->au = auparse_init(AUSOURCE_FEED, NULL);
	if (!r->au)
		return -1;
	auparse_add_callback(r->au, reader_callback, r, NULL);
	return 0;
}

/*
 * Hand auparse the events it completed but has not given out yet. It
 * marks an event complete when the record that ends it (PROCTITLE, EOE)
 * is added, but gives it out only at its next look for ready events,
 * i.e. when more data comes. The prefilter may hand on nothing more for
 * as long as the host's own events keep coming, so without this an
 * event of a container would wait for the next kept record or for the
 * input to go idle, while its file can be deleted and its process gone.
 */
static void emit_ready(struct record_reader *r)
{
	if (auparse_feed_has_ready_event(r->au))
		auparse_feed(r->au, "", 0);	/* no data: ready ones only */
}

void record_reader_feed(struct record_reader *r, const char *buf, size_t len)
{
	const char *nul = memchr(buf, '\0', len);
	char *copy;
	size_t i;

	if (!nul) {
		auparse_feed(r->au, buf, len);
		emit_ready(r);
		return;
	}
	/* A NUL would end auparse's view of the line early: make it a
	 * space so the rest of the stream stays aligned. */
	copy = malloc(len);
	if (!copy)
		return;
	for (i = 0; i < len; i++)
		copy[i] = buf[i] ? buf[i] : ' ';
	auparse_feed(r->au, copy, len);
	free(copy);
	emit_ready(r);
}

void record_reader_age(struct record_reader *r)
{
	if (auparse_feed_has_data(r->au))
		auparse_feed_age_events(r->au);
}

void record_reader_flush(struct record_reader *r)
{
	auparse_flush_feed(r->au);
}

void record_reader_destroy(struct record_reader *r)
{
	if (r->au)
		auparse_destroy(r->au);
	r->au = NULL;
}
