/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runtimes.c -- running containers, as their runtimes' own state says */
#include "scope/runtimes.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <json-c/json.h>

#include "util/log.h"
#include "util/settings.h"
#include "util/timeutil.h"

#define STATE_FILE_MAX	(1024 * 1024)	/* a state.json, a config.json */
#define PID_FILE_MAX	64

static const char *const default_containerd[] = {
	"/run/containerd",
	"/run/k3s/containerd",			/* k3s, RKE2 */
	"/var/snap/microk8s/common/run/containerd",
	"/run/docker/containerd/daemon",	/* Docker's own containerd */
};
static const char *const default_oci[] = { "/run/runc", "/run/crun" };

int runtime_roots_add(char **list, size_t *n, const char *dir)
{
	if (*n >= RUNTIMES_ROOTS_MAX)
		return -1;
	list[*n] = strdup(dir);
	if (!list[*n])
		return -1;
	(*n)++;
	return 0;
}

int runtime_roots_default(struct runtime_roots *r)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < sizeof(default_containerd) / sizeof(char *); i++)
		if (runtime_roots_add(r->containerd, &r->ncontainerd,
				      default_containerd[i]))
			return -1;
	for (i = 0; i < sizeof(default_oci) / sizeof(char *); i++)
		if (runtime_roots_add(r->oci, &r->noci, default_oci[i]))
			return -1;
	r->user_run = strdup("/run/user");
	return r->user_run ? 0 : -1;
}

int runtime_roots_from_config(struct runtime_roots *r,
			      const struct config *cfg)
{
	char dir[512];
	size_t i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < cfg->containerd_state.n; i++)
		if (runtime_roots_add(r->containerd, &r->ncontainerd,
				      cfg->containerd_state.v[i]))
			return -1;
	if (cfg->docker_exec_root && *cfg->docker_exec_root) {
		snprintf(dir, sizeof(dir), "%s/containerd/daemon",
			 cfg->docker_exec_root);
		if (runtime_roots_add(r->containerd, &r->ncontainerd, dir))
			return -1;
	}
	for (i = 0; i < cfg->oci_state.n; i++)
		if (runtime_roots_add(r->oci, &r->noci, cfg->oci_state.v[i]))
			return -1;
	if (cfg->rootless) {
		r->user_run = strdup("/run/user");
		if (!r->user_run)
			return -1;
	}
	return 0;
}

void runtime_roots_free(struct runtime_roots *r)
{
	size_t i;

	for (i = 0; i < r->ncontainerd; i++)
		free(r->containerd[i]);
	for (i = 0; i < r->noci; i++)
		free(r->oci[i]);
	free(r->user_run);
	memset(r, 0, sizeof(*r));
}

int runtime_roots_copy(struct runtime_roots *dst,
		       const struct runtime_roots *src)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	for (i = 0; i < src->ncontainerd; i++)
		if (runtime_roots_add(dst->containerd, &dst->ncontainerd,
				      src->containerd[i]))
			return -1;
	for (i = 0; i < src->noci; i++)
		if (runtime_roots_add(dst->oci, &dst->noci, src->oci[i]))
			return -1;
	if (src->user_run) {
		dst->user_run = strdup(src->user_run);
		if (!dst->user_run)
			return -1;
	}
	return 0;
}

bool runtime_id_valid(const char *s, size_t len)
{
	size_t i;

	if (!len || len > CONTAINER_ID_LEN || !isalnum((unsigned char)s[0]))
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

/* ---------------------------------------------------------------- parsers */

static json_object *parse_object(const char *text)
{
	json_object *j = json_tokener_parse(text);

	if (j && !json_object_is_type(j, json_type_object)) {
		json_object_put(j);
		return NULL;
	}
	return j;
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* A positive pid from member KEY of O, or 0. */
static pid_t get_pid(json_object *o, const char *key)
{
	json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return 0;
	n = json_object_get_int64(v);
	return n > 0 && n < (1 << 30) ? (pid_t)n : 0;
}

/* A copy of absolute path P, or NULL. */
static char *abs_copy(const char *p)
{
	return p && p[0] == '/' ? strdup(p) : NULL;
}

int runtime_parse_runc_state(const char *text, pid_t *pid,
			     unsigned long long *start, char **rootfs)
{
	json_object *j = parse_object(text), *cfg, *v;
	int rc = -1;

	*pid = 0;
	*start = 0;
	*rootfs = NULL;
	if (!j)
		return -1;
	*pid = get_pid(j, "init_process_pid");
	if (json_object_object_get_ex(j, "init_process_start", &v) &&
	    json_object_is_type(v, json_type_int) &&
	    json_object_get_int64(v) > 0)
		*start = (unsigned long long)json_object_get_int64(v);
	if (json_object_object_get_ex(j, "config", &cfg))
		*rootfs = abs_copy(get_str(cfg, "rootfs"));
	if (*pid && *rootfs)
		rc = 0;
	json_object_put(j);
	if (rc) {
		free(*rootfs);
		*rootfs = NULL;
	}
	return rc;
}

int runtime_parse_crun_status(const char *text, pid_t *pid, char **rootfs)
{
	json_object *j = parse_object(text);
	int rc = -1;

	*pid = 0;
	*rootfs = NULL;
	if (!j)
		return -1;
	*pid = get_pid(j, "pid");
	*rootfs = abs_copy(get_str(j, "rootfs"));
	if (*pid && *rootfs)
		rc = 0;
	json_object_put(j);
	if (rc) {
		free(*rootfs);
		*rootfs = NULL;
	}
	return rc;
}

int runtime_parse_oci_root(const char *text, char **root_path)
{
	json_object *j = parse_object(text), *root;
	const char *p;

	*root_path = NULL;
	if (!j)
		return -1;
	if (json_object_object_get_ex(j, "root", &root)) {
		p = get_str(root, "path");
		if (p && *p && !strstr(p, ".."))
			*root_path = strdup(p);
	}
	json_object_put(j);
	return *root_path ? 0 : -1;
}

static bool is_hex64(const char *s, size_t len)
{
	size_t i;

	if (len != CONTAINER_ID_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]) ||
		    isupper((unsigned char)s[i]))
			return false;
	return true;
}

int runtime_storage_of(const char *rootfs, char **graph, char **upper)
{
	static const char tail[] = "/merged";
	size_t len = strlen(rootfs), tl = sizeof(tail) - 1;
	const char *layer;

	*graph = *upper = NULL;
	/* GRAPH/overlay/LAYER/merged */
	if (len < tl + CONTAINER_ID_LEN + 10 || strcmp(rootfs + len - tl, tail))
		return -1;
	layer = rootfs + len - tl - CONTAINER_ID_LEN;
	if (!is_hex64(layer, CONTAINER_ID_LEN) ||
	    layer - rootfs < 9 || strncmp(layer - 9, "/overlay/", 9) ||
	    layer - 9 == rootfs || strstr(rootfs, "/../"))
		return -1;
	*graph = strndup(rootfs, (size_t)(layer - 9 - rootfs));
	if (asprintf(upper, "%.*s/diff", (int)(layer + CONTAINER_ID_LEN -
					       rootfs), rootfs) < 0)
		*upper = NULL;
	if (!*graph || !*upper) {
		free(*graph);
		free(*upper);
		*graph = *upper = NULL;
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ safe reads */

/* Open directory NAME below DIRFD (or the absolute NAME when DIRFD is
 * AT_FDCWD), never through a symbolic link at its last component. */
static int open_dir_at(int dirfd, const char *name)
{
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		      O_CLOEXEC | O_NONBLOCK);
}

/* Open the regular file NAME below DIRFD, at most MAX bytes (its status
 * in *ST); -1 when it is absent, not a regular file, or a symlink. */
static int open_at(int dirfd, const char *name, size_t max, struct stat *st)
{
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) || !S_ISREG(st->st_mode) ||
	    (size_t)st->st_size > max) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The file FD of status ST, NUL terminated (FD is closed). */
static char *read_fd(int fd, const struct stat *st)
{
	size_t len = 0;
	char *buf;

	buf = malloc((size_t)st->st_size + 1);
	while (buf && len < (size_t)st->st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st->st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* The regular file NAME below DIRFD (see open_at()), or NULL. */
static char *read_at(int dirfd, const char *name, size_t max)
{
	struct stat st;
	int fd = open_at(dirfd, name, max, &st);

	return fd < 0 ? NULL : read_fd(fd, &st);
}

static long long mtime_ns(const struct stat *st)
{
	return (long long)st->st_mtim.tv_sec * 1000000000LL +
	       st->st_mtim.tv_nsec;
}

static void note_state(struct runtime_container *c, const struct stat *st)
{
	c->state_dev = st->st_dev;
	c->state_ino = st->st_ino;
	c->state_mtime_ns = mtime_ns(st);
	c->state_size = st->st_size;
}

/* The last scan's entry for ID whose state file still is the one of ST:
 * its parsed values are taken over instead of parsing it again (a
 * podman state.json is tens of KiB). */
static const struct runtime_container *
old_same(const struct runtime_index *ri, const char *id, const struct stat *st)
{
	size_t i;

	for (i = 0; i < ri->old_count; i++) {
		const struct runtime_container *o = &ri->old[i];

		if (!strcmp(o->id, id) && o->state_ino == st->st_ino &&
		    o->state_dev == st->st_dev &&
		    o->state_mtime_ns == mtime_ns(st) &&
		    o->state_size == st->st_size)
			return o;
	}
	return NULL;
}

/* May a root directory of state, open as FD, be trusted for OWNER? */
static bool root_trusted(int fd, uid_t owner)
{
	struct stat st;

	return fstat(fd, &st) == 0 && st.st_uid == owner &&
	       !(st.st_mode & S_IWOTH);
}

/* ------------------------------------------------------------- the index */

int runtimes_init(struct runtime_index *ri, const char *proc)
{
	memset(ri, 0, sizeof(*ri));
	ri->proc = strdup(proc ? proc : "/proc");
	ri->prefix = strdup("");
	if (!ri->proc || !ri->prefix || runtime_roots_default(&ri->roots))
		return -1;
	return 0;
}

static void container_free(struct runtime_container *c)
{
	free(c->rootfs);
	free(c->bundle);
	free(c->storage);
	free(c->upper);
	if (c->mounts) {
		mounts_free(c->mounts);
		free(c->mounts);
	}
	memset(c, 0, sizeof(*c));
}

static void index_clear(struct runtime_index *ri)
{
	size_t i;

	for (i = 0; i < ri->count; i++)
		container_free(&ri->c[i]);
	free(ri->c);
	ri->c = NULL;
	ri->count = 0;
}

int runtimes_configure(struct runtime_index *ri,
		       const struct runtime_roots *roots, const char *prefix)
{
	struct runtime_roots copy;
	char *p = strdup(prefix ? prefix : "");

	if (!p || runtime_roots_copy(&copy, roots)) {
		free(p);
		runtime_roots_free(&copy);
		return -1;
	}
	runtime_roots_free(&ri->roots);
	ri->roots = copy;
	free(ri->prefix);
	ri->prefix = p;
	index_clear(ri);
	ri->loaded_ms = 0;
	return 0;
}

void runtimes_free(struct runtime_index *ri)
{
	index_clear(ri);
	runtime_roots_free(&ri->roots);
	free(ri->proc);
	free(ri->prefix);
	memset(ri, 0, sizeof(*ri));
}

/* Field 22 of PROC/PID/stat: the start time in clock ticks, or 0. */
static unsigned long long proc_start_time(const struct runtime_index *ri,
					  pid_t pid)
{
	char path[128], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "%s/%d/stat", ri->proc, (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* comm may hold spaces and ')' */
	if (!p)
		return 0;
	/* after ") " come fields 3, 4, ...: skip to field 22 */
	for (i = 3; p && i <= 22; i++) {
		p = strchr(p + 1, ' ');
		if (p && i == 22)
			start = strtoull(p + 1, NULL, 10);
	}
	return start;
}

/*
 * The uid owning the user namespace of PROC/PID, or (uid_t)-1. Falls back
 * to the owner of PROC/PID/ns/user itself where the ioctl is not there
 * (a fixture tree).
 */
static uid_t userns_owner(const struct runtime_index *ri, pid_t pid)
{
	char path[128];
	struct stat st;
	uid_t uid;
	int fd;

	snprintf(path, sizeof(path), "%s/%d/ns/user", ri->proc, (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return (uid_t)-1;
	if (ioctl(fd, NS_GET_OWNER_UID, &uid) == 0) {
		close(fd);
		return uid;
	}
	uid = fstat(fd, &st) == 0 ? st.st_uid : (uid_t)-1;
	close(fd);
	return uid;
}

/* Keep NC in the index when its first process is alive and its own. */
static void index_add(struct runtime_index *ri, struct runtime_container *nc,
		      unsigned long long start, size_t *cap)
{
	char path[128];
	struct stat st;
	size_t i;

	snprintf(path, sizeof(path), "%s/%d/ns/mnt", ri->proc,
		 (int)nc->init_pid);
	if (stat(path, &st))
		goto drop;		/* not running (any more) */
	nc->mntns = (unsigned long long)st.st_ino;
	if (start && proc_start_time(ri, nc->init_pid) != start)
		goto drop;		/* the pid was reused */
	if (nc->owner && userns_owner(ri, nc->init_pid) != nc->owner)
		goto drop;		/* a user's claim on another's process */
	for (i = 0; i < ri->count; i++)
		if (!strcmp(ri->c[i].id, nc->id) ||
		    ri->c[i].mntns == nc->mntns)
			goto drop;	/* known already, from a root before */
	if (ri->count == *cap) {
		struct runtime_container *grown;
		size_t ncap = *cap ? *cap * 2 : 16;

		if (ncap > RUNTIMES_MAX)
			ncap = RUNTIMES_MAX;
		if (ncap == *cap)
			goto drop;
		grown = realloc(ri->c, ncap * sizeof(*grown));
		if (!grown)
			goto drop;
		ri->c = grown;
		*cap = ncap;
	}
	if (nc->rootfs && runtime_storage_of(nc->rootfs, &nc->storage,
					     &nc->upper))
		nc->storage = nc->upper = NULL;
	/* the same process's mount table, read lately, is kept */
	for (i = 0; i < ri->old_count; i++) {
		struct runtime_container *o = &ri->old[i];

		if (o->mounts && o->init_pid == nc->init_pid &&
		    o->mntns == nc->mntns && !strcmp(o->id, nc->id) &&
		    ri->loaded_ms - o->mounts_ms < RUNTIMES_TTL_MS) {
			nc->mounts = o->mounts;
			nc->mounts_ms = o->mounts_ms;
			o->mounts = NULL;
		}
	}
	ri->c[ri->count++] = *nc;
	memset(nc, 0, sizeof(*nc));
	return;
drop:
	container_free(nc);
}

/* The containers of one containerd state directory DIR. */
static void scan_containerd(struct runtime_index *ri, const char *dir,
			    size_t *cap)
{
	char path[4096];
	struct dirent *nde, *cde;
	int top, nsfd, cfd;
	DIR *nsd, *cd;

	snprintf(path, sizeof(path), "%s%s/io.containerd.runtime.v2.task",
		 ri->prefix, dir);
	top = open_dir_at(AT_FDCWD, path);
	if (top < 0)
		return;
	if (!root_trusted(top, 0) || !(nsd = fdopendir(top))) {
		close(top);
		return;
	}
	while ((nde = readdir(nsd))) {
		if (!runtime_id_valid(nde->d_name, strlen(nde->d_name)) ||
		    strlen(nde->d_name) >= sizeof(((struct runtime_container *)0)->ns))
			continue;
		nsfd = open_dir_at(dirfd(nsd), nde->d_name);
		if (nsfd < 0)
			continue;
		cd = fdopendir(nsfd);
		if (!cd) {
			close(nsfd);
			continue;
		}
		while ((cde = readdir(cd))) {
			struct runtime_container nc;
			char *text, *root = NULL;
			struct stat st;
			long pid;
			int fd;

			if (!runtime_id_valid(cde->d_name, strlen(cde->d_name)))
				continue;
			cfd = open_dir_at(dirfd(cd), cde->d_name);
			if (cfd < 0)
				continue;
			memset(&nc, 0, sizeof(nc));
			text = read_at(cfd, "init.pid", PID_FILE_MAX);
			pid = text ? strtol(text, NULL, 10) : 0;
			free(text);
			fd = open_at(cfd, "config.json", STATE_FILE_MAX, &st);
			if (fd >= 0) {
				const struct runtime_container *o;

				note_state(&nc, &st);
				o = old_same(ri, cde->d_name, &st);
				if (o && o->rootfs) {
					close(fd);
					root = strdup(o->rootfs);
				} else {
					text = read_fd(fd, &st);
					if (text)
						runtime_parse_oci_root(text,
								       &root);
					free(text);
				}
			}
			close(cfd);
			if (pid <= 0 || pid >= (1 << 30)) {
				free(root);
				continue;
			}
			snprintf(nc.id, sizeof(nc.id), "%s", cde->d_name);
			snprintf(nc.ns, sizeof(nc.ns), "%s", nde->d_name);
			snprintf(nc.runtime, sizeof(nc.runtime), "%s",
				 !strcmp(nde->d_name, "moby") ? "docker" :
				 "containerd");
			nc.init_pid = (pid_t)pid;
			if (asprintf(&nc.bundle,
				     "%s/io.containerd.runtime.v2.task/%s/%s",
				     dir, nde->d_name, cde->d_name) < 0)
				nc.bundle = NULL;
			/* root.path: absolute (Docker: its overlay2
			 * mount), or relative to the bundle ("rootfs"); a
			 * value taken over is the absolute one */
			if (root && root[0] == '/')
				nc.rootfs = root;
			else if (root && nc.bundle) {
				if (asprintf(&nc.rootfs, "%s/%s", nc.bundle,
					     root) < 0)
					nc.rootfs = NULL;
				free(root);
			} else {
				free(root);
			}
			index_add(ri, &nc, 0, cap);
		}
		closedir(cd);
	}
	closedir(nsd);
}

/* The containers of one runc or crun root DIR, written by OWNER. */
static void scan_oci(struct runtime_index *ri, const char *dir, uid_t owner,
		     size_t *cap)
{
	char path[4096];
	struct dirent *de;
	int top, cfd;
	DIR *d;

	snprintf(path, sizeof(path), "%s%s", ri->prefix, dir);
	top = open_dir_at(AT_FDCWD, path);
	if (top < 0)
		return;
	if (!root_trusted(top, owner) || !(d = fdopendir(top))) {
		close(top);
		return;
	}
	while ((de = readdir(d))) {
		const struct runtime_container *o;
		struct runtime_container nc;
		unsigned long long start = 0;
		char *text, *rootfs = NULL;
		struct stat st;
		pid_t pid = 0;
		int rc = -1, fd;
		bool runc;

		if (!runtime_id_valid(de->d_name, strlen(de->d_name)))
			continue;
		cfd = open_dir_at(dirfd(d), de->d_name);
		if (cfd < 0)
			continue;
		runc = true;
		fd = open_at(cfd, "state.json", STATE_FILE_MAX, &st);
		if (fd < 0) {
			runc = false;
			fd = open_at(cfd, "status", STATE_FILE_MAX, &st);
		}
		close(cfd);
		if (fd < 0)
			continue;
		o = old_same(ri, de->d_name, &st);
		if (o && o->rootfs) {
			close(fd);
			pid = o->init_pid;
			start = o->start;
			rootfs = strdup(o->rootfs);
			rc = rootfs ? 0 : -1;
		} else {
			text = read_fd(fd, &st);
			if (text && runc)
				rc = runtime_parse_runc_state(text, &pid,
							      &start, &rootfs);
			else if (text)
				rc = runtime_parse_crun_status(text, &pid,
							       &rootfs);
			free(text);
		}
		if (rc)
			continue;
		memset(&nc, 0, sizeof(nc));
		note_state(&nc, &st);
		nc.start = start;
		snprintf(nc.id, sizeof(nc.id), "%s", de->d_name);
		nc.init_pid = pid;
		nc.owner = owner;
		nc.rootfs = rootfs;
		/* podman (and CRI-O, which meta.c tells apart) keep their
		 * roots in containers-storage; otherwise the runtime's name */
		if (strstr(rootfs, "/overlay/") && strstr(rootfs, "/merged"))
			snprintf(nc.runtime, sizeof(nc.runtime), "podman");
		else
			snprintf(nc.runtime, sizeof(nc.runtime), "%s",
				 strstr(dir, "crun") ? "crun" : "runc");
		index_add(ri, &nc, start, cap);
	}
	closedir(d);
}

/* Rootless runtimes: USER_RUN/UID/{runc,crun}, each owned by UID. */
static void scan_user(struct runtime_index *ri, size_t *cap)
{
	char path[4096], sub[4096];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s%s", ri->prefix, ri->roots.user_run);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char *end;
		unsigned long uid = strtoul(de->d_name, &end, 10);

		if (!isdigit((unsigned char)de->d_name[0]) || *end ||
		    uid == 0 || uid >= (uid_t)-1)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s/runc", ri->roots.user_run,
			 de->d_name);
		scan_oci(ri, sub, (uid_t)uid, cap);
		snprintf(sub, sizeof(sub), "%s/%s/crun", ri->roots.user_run,
			 de->d_name);
		scan_oci(ri, sub, (uid_t)uid, cap);
	}
	closedir(d);
}

void runtimes_rescan(struct runtime_index *ri, uint64_t now)
{
	size_t cap = 0, i;

	ri->old = ri->c;
	ri->old_count = ri->count;
	ri->c = NULL;
	ri->count = 0;
	ri->loaded_ms = now ? now : 1;
	ri->scans++;
	/* root's state first: a rootless claim on the same process loses */
	for (i = 0; i < ri->roots.ncontainerd; i++)
		scan_containerd(ri, ri->roots.containerd[i], &cap);
	for (i = 0; i < ri->roots.noci; i++)
		scan_oci(ri, ri->roots.oci[i], 0, &cap);
	if (ri->roots.user_run)
		scan_user(ri, &cap);
	for (i = 0; i < ri->old_count; i++)
		container_free(&ri->old[i]);
	free(ri->old);
	ri->old = NULL;
	ri->old_count = 0;
}

/* Read the state again when it is older than the TTL, or, on a miss
 * (MISS), older than RUNTIMES_RESCAN_MS. True when it was read. */
static bool refresh(struct runtime_index *ri, uint64_t now, bool miss)
{
	uint64_t age = now - ri->loaded_ms;

	if (ri->loaded_ms && age < (miss ? RUNTIMES_RESCAN_MS :
				    RUNTIMES_TTL_MS))
		return false;
	runtimes_rescan(ri, now);
	return true;
}

typedef bool (*match_fn)(const struct runtime_container *c, const void *arg);

/* The first container that MATCH takes, rescanning on a miss. */
static const struct runtime_container *find(struct runtime_index *ri,
					    match_fn match, const void *arg,
					    uint64_t now)
{
	size_t i;
	int round;

	refresh(ri, now, false);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < ri->count; i++)
			if (match(&ri->c[i], arg))
				return &ri->c[i];
		if (round == 0 && !refresh(ri, now, true))
			break;
	}
	return NULL;
}

static bool match_mntns(const struct runtime_container *c, const void *arg)
{
	return c->mntns == *(const unsigned long long *)arg;
}

static bool match_rootfs(const struct runtime_container *c, const void *arg)
{
	return c->rootfs && !strcmp(c->rootfs, (const char *)arg);
}

static bool match_id(const struct runtime_container *c, const void *arg)
{
	return !strcmp(c->id, (const char *)arg);
}

const struct runtime_container *runtimes_by_mntns(struct runtime_index *ri,
						  unsigned long long mntns,
						  uint64_t now)
{
	return mntns ? find(ri, match_mntns, &mntns, now) : NULL;
}

const struct runtime_container *runtimes_by_rootfs(struct runtime_index *ri,
						   const char *mountpoint,
						   uint64_t now)
{
	return mountpoint ? find(ri, match_rootfs, mountpoint, now) : NULL;
}

const struct runtime_container *runtimes_by_id(struct runtime_index *ri,
					       const char *id, uint64_t now)
{
	return id && *id ? find(ri, match_id, id, now) : NULL;
}

/* C's first process's mount table, read once per scan; NULL if gone. */
static const struct mount_table *container_mounts(struct runtime_index *ri,
						  struct runtime_container *c)
{
	char path[128];

	if (c->mounts)
		return c->mounts;
	c->mounts = calloc(1, sizeof(*c->mounts));
	if (!c->mounts)
		return NULL;
	snprintf(path, sizeof(path), "%s/%d/mountinfo", ri->proc,
		 (int)c->init_pid);
	if (mounts_parse_file(c->mounts, path)) {
		free(c->mounts);
		c->mounts = NULL;
	}
	c->mounts_ms = ri->loaded_ms;
	return c->mounts;
}

/* Length of mount point MP when it is PATH or a directory above it. */
static size_t covers(const char *mp, const char *path)
{
	size_t n = strlen(mp);

	if (!strcmp(mp, "/"))
		return 1;
	if (strncmp(mp, path, n) || (path[n] != '/' && path[n] != '\0'))
		return 0;
	return n;
}

const struct runtime_container *runtimes_by_device(struct runtime_index *ri,
						   unsigned int major,
						   unsigned int minor,
						   const char *path,
						   uint64_t now)
{
	const struct mount_table *t;
	size_t i, j, best, len;
	bool rescanned = false;

	if (!path || path[0] != '/')
		return NULL;
	refresh(ri, now, false);
	for (;;) {
		for (i = 0; i < ri->count; i++) {
			t = container_mounts(ri, &ri->c[i]);
			if (!t)
				continue;
			/* the deepest mount above PATH must be the device */
			best = 0;
			len = 0;
			for (j = 0; j < t->count; j++) {
				size_t n = covers(t->e[j].mountpoint, path);

				if (n && n >= len) {
					len = n;
					best = j + 1;
				}
			}
			if (best && t->e[best - 1].major == major &&
			    t->e[best - 1].minor == minor)
				return &ri->c[i];
		}
		/* a miss is the common case (a host process): the state is
		 * read again at most every RUNTIMES_RESCAN_MS, the mount
		 * tables of known containers kept */
		if (rescanned || !refresh(ri, now, true))
			break;
		rescanned = true;
	}
	return NULL;
}

bool runtimes_is_root_device(struct runtime_index *ri,
			     const struct runtime_container *rc,
			     unsigned int major, unsigned int minor)
{
	const struct mount_table *t;
	const struct mount_entry *root = NULL;
	size_t i;

	for (i = 0; i < ri->count; i++)
		if (&ri->c[i] == rc)
			break;
	if (i == ri->count)
		return false;
	t = container_mounts(ri, &ri->c[i]);
	if (!t)
		return false;
	/* the last mount on "/" is the one the processes see */
	for (i = 0; i < t->count; i++)
		if (!strcmp(t->e[i].mountpoint, "/"))
			root = &t->e[i];
	return root && root->major == major && root->minor == minor;
}
