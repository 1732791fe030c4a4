/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scope.c -- is a write inside a container, and which one? */
#include "scope/scope.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <json-c/json.h>

#include "util/log.h"
#include "util/readfile.h"
#include "util/path.h"
#include "util/timeutil.h"

#define CGROUP_READ_MAX	(16 * 1024)
#define STATE_READ_MAX	(1024 * 1024)	/* a runc state.json */
#define ROOTFS_TTL_MS	30000
#define ROOTFS_MISS_TTL_MS	500

static bool is_hex_id(const char *s, size_t len)
{
	size_t i;

	if (len != CONTAINER_ID_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

struct id_prefix {
	const char *prefix;
	const char *runtime;	/* NULL: not a container (a monitor) */
};

/* Name prefixes of a cgroup component that carries a container id. */
static const struct id_prefix id_prefixes[] = {
	{ "libpod-conmon-", NULL },
	{ "crio-conmon-", NULL },
	{ "docker-", "docker" },
	{ "cri-containerd-", "containerd" },
	{ "crio-", "cri-o" },
	{ "libpod-", "podman" },
};

/* Runtime of a bare 64-hex component, from the components above it. */
static const char *runtime_from_parents(const char *path, size_t upto)
{
	char buf[512];
	size_t n = upto < sizeof(buf) - 1 ? upto : sizeof(buf) - 1;

	memcpy(buf, path, n);
	buf[n] = '\0';
	if (strstr(buf, "/docker"))
		return "docker";
	if (strstr(buf, "kubepods") || strstr(buf, "containerd"))
		return "containerd";
	if (strstr(buf, "crio"))
		return "cri-o";
	if (strstr(buf, "libpod"))
		return "podman";
	return "";
}

/* Look at one component NAME (LEN bytes) found at OFFSET in PATH. */
static bool component_container(const char *path, size_t offset,
				const char *name, size_t len,
				struct container_ref *out)
{
	size_t i;

	if (len > 6 && !memcmp(name + len - 6, ".scope", 6))
		len -= 6;
	for (i = 0; i < sizeof(id_prefixes) / sizeof(id_prefixes[0]); i++) {
		size_t pl = strlen(id_prefixes[i].prefix);

		if (len <= pl || memcmp(name, id_prefixes[i].prefix, pl))
			continue;
		if (!id_prefixes[i].runtime)
			return false;
		if (!is_hex_id(name + pl, len - pl))
			return false;
		memcpy(out->id, name + pl, CONTAINER_ID_LEN);
		out->id[CONTAINER_ID_LEN] = '\0';
		snprintf(out->runtime, sizeof(out->runtime), "%s",
			 id_prefixes[i].runtime);
		return true;
	}
	if (is_hex_id(name, len)) {
		memcpy(out->id, name, CONTAINER_ID_LEN);
		out->id[CONTAINER_ID_LEN] = '\0';
		snprintf(out->runtime, sizeof(out->runtime), "%s",
			 runtime_from_parents(path, offset));
		return true;
	}
	return false;
}

bool cgroup_find_container(const char *text, struct container_ref *out)
{
	const char *line = text;

	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t llen = eol ? (size_t)(eol - line) : strlen(line);
		const char *path = memchr(line, ':', llen);

		/* "hierarchy-id:controllers:path" */
		if (path)
			path = memchr(path + 1, ':', llen - (path + 1 - line));
		if (path) {
			size_t plen = llen - (path + 1 - line);
			const char *p = path + 1, *end = p + plen;
			struct container_ref found;
			bool any = false;

			memset(&found, 0, sizeof(found));
			/* The deepest component naming a container wins. */
			while (p < end) {
				const char *slash = memchr(p, '/', end - p);
				size_t clen = slash ? (size_t)(slash - p)
						    : (size_t)(end - p);

				if (clen && component_container(path + 1,
						p - (path + 1), p, clen, &found))
					any = true;
				p += clen + 1;
			}
			if (any) {
				memcpy(out->id, found.id, sizeof(out->id));
				memcpy(out->runtime, found.runtime,
				       sizeof(out->runtime));
				out->in_container = true;
				return true;
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	return false;
}

/* Shared memory, excluded as in Tracee: the kernel's names of memfd
 * files, and files below these directories (the check confirms that the
 * file is really on that mount). The one list of both. */
#define MEMFD_PREFIX	"memfd:"
static const char *const shm_dirs[] = { "/dev/shm", "/run/shm" };

bool path_is_memfd(const char *path)
{
	return !strncmp(path, MEMFD_PREFIX, sizeof(MEMFD_PREFIX) - 1);
}

/* The directory of shm_dirs that PATH, as written, lies below, or NULL. */
static const char *shm_dir_of(const char *path)
{
	size_t i, len;

	for (i = 0; i < sizeof(shm_dirs) / sizeof(shm_dirs[0]); i++) {
		len = strlen(shm_dirs[i]);
		if (!strncmp(path, shm_dirs[i], len) && path[len] == '/')
			return shm_dirs[i];
	}
	return NULL;
}

bool path_is_excluded(const char *path)
{
	return path_is_memfd(path) || shm_dir_of(path);
}

const char *path_shm_dir(const char *path)
{
	const char *dir;
	char *norm;

	if (!strstr(path, "shm"))
		return NULL;	/* the common case, without a copy */
	norm = strdup(path);
	if (!norm)
		return NULL;
	path_normalize(norm);
	dir = shm_dir_of(norm);
	free(norm);
	return dir;
}

void mountpoint_container(const char *mp, struct container_ref *out)
{
	const char *p;

	out->in_container = true;
	out->source = SCOPE_SRC_MOUNT;
	if (strstr(mp, "/docker/overlay2/"))
		snprintf(out->runtime, sizeof(out->runtime), "docker");
	p = strstr(mp, "/io.containerd.runtime.v2.task/");
	if (p) {
		/* .../io.containerd.runtime.v2.task/NAMESPACE/ID/rootfs */
		const char *ns = p + strlen("/io.containerd.runtime.v2.task/");
		const char *id = strchr(ns, '/');

		snprintf(out->runtime, sizeof(out->runtime), "containerd");
		if (id && runtime_id_valid(id + 1, strcspn(id + 1, "/")))
			snprintf(out->id, sizeof(out->id), "%.*s",
				 (int)strcspn(id + 1, "/"), id + 1);
	}
}

/* stat() of PROC/PID/NAME (a magic link: its target). */
static int stat_proc(const struct scope_ctx *s, pid_t pid, const char *name,
		     struct stat *st)
{
	char path[320];

	snprintf(path, sizeof(path), "%s/%d/%s", s->proc, (int)pid, name);
	return stat(path, st);
}

/* stat() of PROC/self/NAME: the plugin's own. */
static int stat_self(const struct scope_ctx *s, const char *name,
		     struct stat *st)
{
	char path[320];

	snprintf(path, sizeof(path), "%s/self/%s", s->proc, name);
	return stat(path, st);
}

int scope_init(struct scope_ctx *s, const char *proc, const char *mountinfo)
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	mount_watch_init(&s->mounts_watch);
	s->proc = strdup(proc ? proc : "/proc");
	s->mountinfo = strdup(mountinfo ? mountinfo : "/proc/self/mountinfo");
	s->state_root = strdup("");
	if (!s->proc || !s->mountinfo || !s->state_root)
		return -1;
	/* The host's root and mount namespace are the plugin's own: auditd
	 * starts it on the host. (Not init's: pid 1 may be a process whose
	 * /proc entries even root cannot stat.) */
	if (runtimes_init(&s->rt, s->proc))
		return -1;
	if (stat_self(s, "root", &st) == 0) {
		s->host_known = true;
		s->host_root_dev = st.st_dev;
		s->host_root_ino = st.st_ino;
		if (stat_self(s, "ns/mnt", &st) == 0)
			s->host_mntns = st.st_ino;
	} else {
		log_msg(LOG_ERR, "%s/self/root: %s: a writer's root file system "
			"cannot be told from the host's; the cgroup alone decides",
			s->proc, strerror(errno));
	}
	return 0;
}

int scope_set_state_root(struct scope_ctx *s, const char *root)
{
	char *copy = strdup(root ? root : "");

	if (!copy)
		return -1;
	free(s->state_root);
	s->state_root = copy;
	memset(s->rootfs, 0, sizeof(s->rootfs));
	return runtimes_configure(&s->rt, &s->rt.roots, s->state_root);
}

int scope_set_runtime_roots(struct scope_ctx *s,
			    const struct runtime_roots *roots)
{
	return runtimes_configure(&s->rt, roots, s->state_root);
}

int scope_configure(struct scope_ctx *s, const struct config *cfg)
{
	struct runtime_roots roots;
	int rc;

	rc = runtime_roots_from_config(&roots, cfg);
	if (!rc)
		rc = scope_set_runtime_roots(s, &roots);
	runtime_roots_free(&roots);
	return rc;
}

/* REF is container RC, as its runtime's state says. */
static void ref_from_runtime(struct container_ref *ref,
			     const struct runtime_container *rc)
{
	snprintf(ref->id, sizeof(ref->id), "%s", rc->id);
	snprintf(ref->runtime, sizeof(ref->runtime), "%s", rc->runtime);
	ref->root_pid = rc->init_pid;
	ref->in_container = true;
}

void container_stable_id(struct container_ref *ref)
{
	if (ref->id[0])
		return;
	if (!strcmp(ref->runtime, "chroot") && ref->root_ino)
		snprintf(ref->id, sizeof(ref->id), "root-%llx-%llx",
			 ref->root_dev, ref->root_ino);
	else if (ref->mntns)
		snprintf(ref->id, sizeof(ref->id), "mntns-%llu", ref->mntns);
}

/* The "rootfs" of a runc state.json (runc, and Docker, containerd and
 * podman through it), or NULL. */
static char *state_rootfs(const char *path)
{
	json_object *j, *v;
	char *text, *out = NULL;

	text = read_file_bounded(path, STATE_READ_MAX, NULL);
	if (!text)
		return NULL;
	j = json_tokener_parse(text);
	free(text);
	if (j && json_object_object_get_ex(j, "config", &v) &&
	    json_object_object_get_ex(v, "rootfs", &v) &&
	    json_object_is_type(v, json_type_string))
		out = strdup(json_object_get_string(v));
	json_object_put(j);
	return out;
}

/*
 * Container ID's root file system as its runtime's state gives it, cached
 * for ROOTFS_TTL_MS. False when no state says (another runtime, or the
 * container is gone): then nothing can be cross-checked.
 */
static bool container_rootfs(struct scope_ctx *s, const char *id,
			     struct stat *out)
{
	static const char *const dirs[] = {
		"/run/runc", "/run/docker/runtime-runc/moby",
		"/run/containerd/runc/k8s.io", "/run/containerd/runc/default",
		"/run/containerd/runc/moby",
	};
	struct rootfs_entry *e = NULL;
	uint64_t now = now_ms();
	char path[512], *rootfs;
	struct stat st;
	size_t i;

	/* a state file not written yet (the runtime's setup writes come
	 * first) is looked for again soon */
	for (i = 0; i < ROOTFS_CACHE_SIZE; i++)
		if (!strcmp(s->rootfs[i].id, id) &&
		    now - s->rootfs[i].when_ms <
		    (s->rootfs[i].found ? ROOTFS_TTL_MS : ROOTFS_MISS_TTL_MS))
			e = &s->rootfs[i];
	if (!e) {
		e = &s->rootfs[s->rootfs_next];
		s->rootfs_next = (s->rootfs_next + 1) % ROOTFS_CACHE_SIZE;
		memset(e, 0, sizeof(*e));
		snprintf(e->id, sizeof(e->id), "%s", id);
		e->when_ms = now;
		for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && !e->found;
		     i++) {
			snprintf(path, sizeof(path), "%s%s/%s/state.json",
				 s->state_root, dirs[i], id);
			rootfs = state_rootfs(path);
			if (!rootfs)
				continue;
			snprintf(path, sizeof(path), "%s%s", s->state_root,
				 rootfs);
			free(rootfs);
			if (stat(path, &st) == 0) {
				e->found = true;
				e->dev = st.st_dev;
				e->ino = st.st_ino;
			}
		}
	}
	if (!e->found)
		return false;
	out->st_dev = e->dev;
	out->st_ino = e->ino;
	return true;
}

/*
 * Attribute PID, whose root ROOT is not the host's, by its root file
 * system and mount namespace alone (see scope.h): the runtime whose state
 * names a container with that mount namespace, else "chroot"/"unknown".
 */
static void by_root(struct scope_ctx *s, pid_t pid, const struct stat *root,
		    struct container_ref *out)
{
	const struct runtime_container *rc = NULL;
	char claim[CONTAINER_ID_LEN + 1];
	struct stat ns;
	bool have_ns;

	snprintf(claim, sizeof(claim), "%s", out->in_container ? out->id : "");
	memset(out, 0, sizeof(*out));
	snprintf(out->cgroup_claim, sizeof(out->cgroup_claim), "%s", claim);
	out->in_container = true;
	out->source = SCOPE_SRC_ROOT;
	out->root_dev = (unsigned long long)root->st_dev;
	out->root_ino = (unsigned long long)root->st_ino;
	have_ns = stat_proc(s, pid, "ns/mnt", &ns) == 0;
	if (have_ns)
		out->mntns = (unsigned long long)ns.st_ino;
	if (have_ns && s->host_mntns && ns.st_ino == s->host_mntns) {
		snprintf(out->runtime, sizeof(out->runtime), "chroot");
		return;
	}
	if (have_ns)
		rc = runtimes_by_mntns(&s->rt, out->mntns, now_ms());
	if (rc && strcmp(rc->id, claim) == 0)
		out->cgroup_claim[0] = '\0';	/* the claim was true */
	if (rc)
		ref_from_runtime(out, rc);
	else
		snprintf(out->runtime, sizeof(out->runtime), "unknown");
}

/*
 * Does the runtime's state of container ID say that a process with root
 * ROOT is not in it (its first process has another root)? False when no
 * state says. (Not the mount namespace: a process of the container may
 * make one of its own.)
 */
static bool runtime_denies(struct scope_ctx *s, const struct stat *root,
			   const char *id)
{
	const struct runtime_container *rc;
	struct stat want;

	rc = runtimes_by_id(&s->rt, id, now_ms());
	if (!rc || stat_proc(s, rc->init_pid, "root", &want))
		return false;
	return want.st_dev != root->st_dev || want.st_ino != root->st_ino;
}

/* Cross-check the cgroup's verdict RC on PID with its root file system. */
static int check_root(struct scope_ctx *s, pid_t pid, int rc,
		      struct container_ref *out)
{
	struct stat root, want;

	if (rc < 0 || !s->host_known)
		return rc;
	if (stat_proc(s, pid, "root", &root)) {
		if (rc == 1)
			return rc;	/* the cgroup named a container */
		/* a root the host's root may not even look at (a user's
		 * FUSE mount: a rootless container on fuse-overlayfs) is
		 * not the host's */
		if (errno == EACCES || errno == EPERM) {
			memset(&root, 0, sizeof(root));
			by_root(s, pid, &root, out);
			return 1;
		}
		/* exited (a zombie still shows its cgroup, not its root):
		 * gone, not the host's; its parent decides */
		return -1;
	}
	if (root.st_dev == s->host_root_dev && root.st_ino == s->host_root_ino)
		return rc;	/* the host's root: the cgroup decides */
	if (rc == 0) {
		by_root(s, pid, &root, out);
		return 1;
	}
	if (runtime_denies(s, &root, out->id) ||
	    (container_rootfs(s, out->id, &want) &&
	     (want.st_dev != root.st_dev || want.st_ino != root.st_ino)))
		by_root(s, pid, &root, out);
	return 1;
}

static void parent_info_clear(struct parent_info *p)
{
	free(p->comm);
	free(p->exe);
	memset(p, 0, sizeof(*p));
}

void scope_free(struct scope_ctx *s)
{
	size_t i;

	for (i = 0; i < PARENT_CACHE_SIZE; i++)
		parent_info_clear(&s->parents[i]);
	mounts_free(&s->mounts);
	if (s->proc)	/* else never set up: all zeros, nothing held */
		mount_watch_close(&s->mounts_watch);
	runtimes_free(&s->rt);
	free(s->proc);
	free(s->mountinfo);
	free(s->state_root);
	s->proc = s->mountinfo = s->state_root = NULL;
}

int scope_cached_pid(struct scope_ctx *s, pid_t pid)
{
	const struct pid_verdict *v;

	if (pid <= 0 || !s->pid_ttl_ms)
		return -2;
	v = &s->pids[(unsigned int)pid % PID_CACHE_SIZE];
	if (v->pid != pid || now_ms() - v->when_ms >= s->pid_ttl_ms)
		return -2;
	return v->rc;
}

int scope_lookup_pid(struct scope_ctx *s, pid_t pid, struct container_ref *out)
{
	struct pid_verdict *v = &s->pids[(unsigned int)pid % PID_CACHE_SIZE];
	char path[64 + 256];
	uint64_t now = 0;
	char *text;
	int err, rc;

	if (pid <= 0)
		return -1;
	if (s->pid_ttl_ms) {
		now = now_ms();
		if (v->pid == pid && now - v->when_ms < s->pid_ttl_ms) {
			if (v->rc == 1)
				*out = v->ref;
			return v->rc;
		}
	}
	snprintf(path, sizeof(path), "%s/%d/cgroup", s->proc, (int)pid);
	text = read_file_bounded(path, CGROUP_READ_MAX, &err);
	if (!text) {
		rc = -1;
	} else {
		rc = cgroup_find_container(text, out) ? 1 : 0;
		free(text);
		rc = check_root(s, pid, rc, out);
	}
	if (s->pid_ttl_ms) {
		v->pid = pid;
		v->rc = rc;
		if (rc == 1)
			v->ref = *out;
		v->when_ms = now;
	}
	return rc;
}

void scope_forget_pid(struct scope_ctx *s, pid_t pid)
{
	struct pid_verdict *v;

	if (pid <= 0)
		return;
	v = &s->pids[(unsigned int)pid % PID_CACHE_SIZE];
	if (v->pid == pid)
		memset(v, 0, sizeof(*v));
	if (s->parents[(unsigned int)pid % PARENT_CACHE_SIZE].pid == pid)
		parent_info_clear(&s->parents[(unsigned int)pid %
					      PARENT_CACHE_SIZE]);
}

void scope_set_event_time(struct scope_ctx *s, uint64_t ms)
{
	s->event_ms = ms;
}

/*
 * Read the host's mountinfo again when it changed since the table was
 * read (one poll() when it did not), before answering for an event from
 * it unless it was asked after the event came (scope_set_event_time()): a
 * device number of a mount that is gone is soon another's (the lowest
 * free anonymous minor: the next container's overlay), so neither a
 * device the table lists nor one it lacks may be answered from a table
 * older than the event. An unreadable file keeps the table we have.
 */
static void reload_mounts(struct scope_ctx *s)
{
	struct mount_table fresh;
	struct mount_watch w;
	uint64_t now = now_ms();

	if (s->mounts_watch.fd >= 0 && s->event_ms &&
	    s->mounts_asked_ms > s->event_ms)
		return;
	s->mounts_asked_ms = now;	/* before the question */
	if (!mount_watch_changed(&s->mounts_watch))
		return;
	/* held before the read: a change during it shows next time */
	if (mount_watch_open(&w, s->mountinfo))
		return;
	if (mounts_parse_file(&fresh, s->mountinfo)) {
		mount_watch_close(&w);
		return;
	}
	mount_watch_close(&s->mounts_watch);
	s->mounts_watch = w;
	mounts_free(&s->mounts);
	s->mounts = fresh;
}

const struct overlay_mount *scope_find_mount(struct scope_ctx *s,
					     unsigned int major,
					     unsigned int minor)
{
	reload_mounts(s);
	return mounts_find_overlay(&s->mounts, major, minor);
}

enum mount_dev_class scope_host_dev_class(struct scope_ctx *s,
					  unsigned int major,
					  unsigned int minor)
{
	reload_mounts(s);
	return mounts_dev_class(&s->mounts, major, minor);
}

const struct mount_entry *scope_host_mount_of(struct scope_ctx *s,
					      const char *path)
{
	const struct mount_entry *best = NULL;
	size_t i, n, len = 0;

	if (!path || path[0] != '/' || strstr(path, "/../"))
		return NULL;
	reload_mounts(s);
	for (i = 0; i < s->mounts.count; i++) {
		const char *mp = s->mounts.e[i].mountpoint;

		n = strlen(mp);
		if (!strcmp(mp, "/"))
			n = 1;
		else if (strncmp(mp, path, n) ||
			 (path[n] != '/' && path[n] != '\0'))
			continue;
		if (n >= len) {	/* the last of equals: mounted over */
			len = n;
			best = &s->mounts.e[i];
		}
	}
	return best;
}

/*
 * The file's name as its writer saw it, normalised (malloc'd), or NULL:
 * C->path once the names are made; before (the reader decides scope
 * first), the PATH item of the file, absolute or against the CWD record.
 */
static char *file_name(const struct candidate *c)
{
	const struct path_item *it = NULL;
	char *name = NULL;
	size_t i;

	if (c->path) {
		name = strdup(c->path);
	} else {
		for (i = 0; i < c->npaths; i++)
			if (c->paths[i].name && c->paths[i].has_inode &&
			    c->paths[i].inode == c->inode &&
			    c->paths[i].dev_major == c->dev_major &&
			    c->paths[i].dev_minor == c->dev_minor)
				it = &c->paths[i];
		if (it && it->name[0] == '/')
			name = strdup(it->name);
		else if (it && c->dirfd == AT_FDCWD && c->cwd &&
			 c->cwd[0] == '/' &&
			 asprintf(&name, "%s/%s", c->cwd, it->name) < 0)
			name = NULL;
	}
	if (name && name[0] != '/') {
		free(name);
		return NULL;
	}
	if (name)
		path_normalize(name);
	return name;
}

void scope_decide(struct scope_ctx *s, struct candidate *c)
{
	const struct runtime_container *rt;
	const struct overlay_mount *m;
	char *name;
	int rc;

	memset(&c->container, 0, sizeof(c->container));
	scope_set_event_time(s, 0);	/* read now: asked now */
	rc = scope_lookup_pid(s, c->pid, &c->container);
	if (rc == 1) {
		if (c->container.source != SCOPE_SRC_ROOT)
			c->container.source = SCOPE_SRC_PID;
		return;
	}
	if (rc == 0)
		return;		/* a live host process */
	rc = scope_lookup_pid(s, c->ppid, &c->container);
	if (rc == 1) {
		if (c->container.source != SCOPE_SRC_ROOT)
			c->container.source = SCOPE_SRC_PPID;
		return;
	}
	/* Both gone, or the parent is on the host (an exec'd process). */
	if (!c->has_inode)
		return;
	m = scope_find_mount(s, c->dev_major, c->dev_minor);
	if (m) {
		rt = runtimes_by_rootfs(&s->rt, m->mountpoint, now_ms());
		if (rt)
			ref_from_runtime(&c->container, rt);
		else
			mountpoint_container(m->mountpoint, &c->container);
		c->container.source = SCOPE_SRC_MOUNT;
		return;
	}
	/* a volume, a tmpfs, a rootless container's FUSE root: the device
	 * as a running container's own mount table has it */
	name = file_name(c);
	rt = name ? runtimes_by_device(&s->rt, c->dev_major, c->dev_minor,
				       name, now_ms()) : NULL;
	free(name);
	if (rt) {
		ref_from_runtime(&c->container, rt);
		c->container.source = SCOPE_SRC_MOUNT;
	}
}

void scope_read_parent(struct scope_ctx *s, struct candidate *c)
{
	struct parent_info *p;
	char path[96], buf[4096];
	uint64_t now = 0;
	ssize_t n;
	char *text;
	int err;

	if (c->ppid <= 0)
		return;
	p = &s->parents[(unsigned int)c->ppid % PARENT_CACHE_SIZE];
	if (s->pid_ttl_ms) {
		now = now_ms();
		if (p->pid == c->ppid && now - p->when_ms < s->pid_ttl_ms) {
			c->parent_comm = p->comm ? strdup(p->comm) : NULL;
			c->parent_exe = p->exe ? strdup(p->exe) : NULL;
			return;
		}
	}
	snprintf(path, sizeof(path), "%s/%d/comm", s->proc, (int)c->ppid);
	text = read_file_bounded(path, 64, &err);
	if (text) {
		text[strcspn(text, "\n")] = '\0';
		c->parent_comm = text;
	}
	snprintf(path, sizeof(path), "%s/%d/exe", s->proc, (int)c->ppid);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		c->parent_exe = strdup(buf);
	}
	/* a parent that is gone is asked again: it may be a new one */
	if (!s->pid_ttl_ms || (!c->parent_comm && !c->parent_exe))
		return;
	parent_info_clear(p);
	p->pid = c->ppid;
	p->when_ms = now;
	p->comm = c->parent_comm ? strdup(c->parent_comm) : NULL;
	p->exe = c->parent_exe ? strdup(c->parent_exe) : NULL;
}
