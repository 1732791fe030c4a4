/* SPDX-License-Identifier: GPL-2.0-or-later */
/* settings.c -- load and validate /etc/audit/dropexec.conf with iniparser */
#include "util/settings.h"

#include <errno.h>
#include <fnmatch.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libaudit.h>
#include <iniparser.h>


struct key_spec {
	const char *section;
	const char *key;
};

/* Every key the file may hold; anything else is an error. */
static const struct key_spec known_keys[] = {
	{ "detect", "scope" },
	{ "detect", "types" },
	{ "detect", "recheck_ms" },
	{ "detect", "magic_bytes_max" },
	{ "output", "json_log" },
	{ "output", "audit_record" },
	{ "output", "audit_record_type" },
	{ "output", "stats_interval" },
	{ "output", "sha256_max_bytes" },
	{ "output", "pid_file" },
	{ "output", "state_file" },
	{ "allow", "exe" },
	{ "allow", "path" },
	{ "allow", "image" },
	{ "allow", "container" },
	{ "scan", "interval" },
	{ "scan", "at_start" },
	{ "scan", "on_loss" },
	{ "scan", "max_files" },
	{ "scan", "max_ms" },
	{ "limits", "queue_size" },
	{ "limits", "pending_max" },
	{ "limits", "dedupe_size" },
	{ "limits", "intake_buffer_bytes" },
	{ "limits", "check_timeout_ms" },
	{ "limits", "watch_max" },
	{ "limits", "watch_report_after_ms" },
	{ "runtimes", "docker_root" },
	{ "runtimes", "docker_exec_root" },
	{ "runtimes", "containerd_state" },
	{ "runtimes", "oci_state" },
	{ "runtimes", "containers_storage" },
	{ "runtimes", "containers_run" },
	{ "runtimes", "rootless" },
};

static const struct {
	const char *name;
	unsigned int bit;
} kind_names[] = {
	{ "elf-exec", KIND_ELF_EXEC },
	{ "elf-pie", KIND_ELF_PIE },
	{ "elf-shared", KIND_ELF_SHARED },
	{ "elf-reloc", KIND_ELF_RELOC },
	{ "elf-core", KIND_ELF_CORE },
	{ "script", KIND_SCRIPT },
	{ "pe", KIND_PE },
	{ "macho", KIND_MACHO },
};

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->scope = SCOPE_CONTAINER;
	cfg->types = DEFAULT_TYPES;
	cfg->recheck_ms = 2000;
	cfg->magic_bytes_max = 1024 * 1024;
	cfg->json_log = strdup(DEFAULT_JSON_LOG);
	cfg->pid_file = strdup(DEFAULT_PID_FILE);
	cfg->state_file = strdup(DEFAULT_STATE_FILE);
	cfg->audit_record = true;
	cfg->audit_record_type = AUDIT_USER;
	cfg->stats_interval = 3600;
	cfg->sha256_max = 16ULL * 1024 * 1024;
	cfg->queue_size = 8192;
	cfg->pending_max = 4096;
	cfg->dedupe_size = 4096;
	cfg->intake_buffer_bytes = INTAKE_DEFAULT_BYTES;
	cfg->check_timeout_ms = 2000;
	cfg->scan_interval = DEFAULT_SCAN_INTERVAL;
	cfg->scan_at_start = true;
	cfg->scan_on_loss = true;
	cfg->scan_max_files = 200000;
	cfg->scan_max_ms = 10000;
	cfg->watch_max = 1024;
	cfg->watch_report_after_ms = 10000;
	cfg->docker_root = strdup("/var/lib/docker");
	cfg->docker_exec_root = strdup("/run/docker");
	strlist_parse("/run/containerd /run/k3s/containerd "
		      "/var/snap/microk8s/common/run/containerd",
		      &cfg->containerd_state);
	strlist_parse("/run/runc /run/crun", &cfg->oci_state);
	cfg->containers_storage = strdup("/var/lib/containers/storage");
	cfg->containers_run = strdup("/run/containers/storage");
	cfg->rootless = true;
}

void strlist_free(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int strlist_parse(const char *text, struct strlist *out)
{
	const char *p = text;

	strlist_free(out);
	while (*p) {
		size_t len;
		char **grown;

		p += strspn(p, ", \t");
		len = strcspn(p, ", \t");
		if (!len)
			break;
		grown = realloc(out->v, (out->n + 1) * sizeof(*grown));
		if (!grown)
			return -1;
		out->v = grown;
		out->v[out->n] = strndup(p, len);
		if (!out->v[out->n])
			return -1;
		out->n++;
		p += len;
	}
	return 0;
}

bool strlist_match(const struct strlist *l, const char *value)
{
	size_t i;

	if (!value)
		return false;
	for (i = 0; i < l->n; i++)
		if (fnmatch(l->v[i], value, 0) == 0)
			return true;
	return false;
}

static int strlist_copy(struct strlist *dst, const struct strlist *src)
{
	size_t i;

	dst->v = NULL;
	dst->n = 0;
	if (!src->n)
		return 0;
	dst->v = calloc(src->n, sizeof(*dst->v));
	if (!dst->v)
		return -1;
	for (i = 0; i < src->n; i++) {
		dst->v[i] = strdup(src->v[i]);
		if (!dst->v[i])
			return -1;
		dst->n++;
	}
	return 0;
}

void config_free(struct config *cfg)
{
	free(cfg->json_log);
	cfg->json_log = NULL;
	free(cfg->pid_file);
	cfg->pid_file = NULL;
	free(cfg->state_file);
	cfg->state_file = NULL;
	strlist_free(&cfg->allow_exe);
	strlist_free(&cfg->allow_path);
	strlist_free(&cfg->allow_image);
	strlist_free(&cfg->allow_container);
	free(cfg->docker_root);
	free(cfg->docker_exec_root);
	free(cfg->containers_storage);
	free(cfg->containers_run);
	cfg->docker_root = cfg->docker_exec_root = NULL;
	cfg->containers_storage = cfg->containers_run = NULL;
	strlist_free(&cfg->containerd_state);
	strlist_free(&cfg->oci_state);
}

int config_copy(struct config *dst, const struct config *src)
{
	*dst = *src;
	dst->json_log = src->json_log ? strdup(src->json_log) : NULL;
	dst->pid_file = src->pid_file ? strdup(src->pid_file) : NULL;
	dst->state_file = src->state_file ? strdup(src->state_file) : NULL;
	dst->docker_root = src->docker_root ? strdup(src->docker_root) : NULL;
	dst->docker_exec_root = src->docker_exec_root ?
				strdup(src->docker_exec_root) : NULL;
	dst->containers_storage = src->containers_storage ?
				  strdup(src->containers_storage) : NULL;
	dst->containers_run = src->containers_run ?
			      strdup(src->containers_run) : NULL;
	if (strlist_copy(&dst->containerd_state, &src->containerd_state) ||
	    strlist_copy(&dst->oci_state, &src->oci_state) ||
	    strlist_copy(&dst->allow_exe, &src->allow_exe) ||
	    strlist_copy(&dst->allow_path, &src->allow_path) ||
	    strlist_copy(&dst->allow_image, &src->allow_image) ||
	    strlist_copy(&dst->allow_container, &src->allow_container))
		return -1;
	return 0;
}

void config_errors_free(struct config_errors *errs)
{
	size_t i;

	for (i = 0; i < errs->count; i++)
		free(errs->msg[i]);
	free(errs->msg);
	errs->msg = NULL;
	errs->count = 0;
}

__attribute__((format(printf, 2, 3)))
static void add_error(struct config_errors *errs, const char *fmt, ...)
{
	char **grown;
	char *msg;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	grown = realloc(errs->msg, (errs->count + 1) * sizeof(*grown));
	if (!grown) {
		free(msg);
		return;
	}
	errs->msg = grown;
	errs->msg[errs->count++] = msg;
}

const char *exec_kind_name(unsigned int kind)
{
	size_t i;

	for (i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (kind_names[i].bit == kind)
			return kind_names[i].name;
	return "none";
}

int config_parse_types(const char *list, unsigned int *types,
		       char *bad, size_t badlen)
{
	unsigned int bits = 0;
	const char *p = list;

	while (*p) {
		const char *start;
		size_t len, i;
		bool found = false;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && *p != ',' && *p != ' ' && *p != '\t')
			p++;
		len = p - start;
		for (i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]);
		     i++) {
			if (strlen(kind_names[i].name) == len &&
			    strncasecmp(kind_names[i].name, start, len) == 0) {
				bits |= kind_names[i].bit;
				found = true;
			}
		}
		if (!found) {
			if (bad && badlen)
				snprintf(bad, badlen, "%.*s", (int)len, start);
			return -1;
		}
	}
	if (!bits) {
		if (bad && badlen)
			snprintf(bad, badlen, "(empty list)");
		return -1;
	}
	*types = bits;
	return 0;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int parse_uint(const char *s, unsigned int min, unsigned int max,
		      unsigned int *out)
{
	unsigned long v;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

/* The dictionary being loaded reports syntax errors through this hook. */
static struct config_errors *load_errors;
static const char *load_path;
static const char *load_fdpath;

static int ini_error_hook(const char *fmt, ...)
{
	char buf[512], *nl;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* iniparser prints "iniparser: syntax error in F (N):\n-> LINE" */
	while ((nl = strchr(buf, '\n')))
		*nl = ' ';
	for (nl = buf + strlen(buf); nl > buf && nl[-1] == ' '; nl--)
		nl[-1] = '\0';
	if (!load_errors || !buf[0] || !strcmp(buf, " "))
		return 0;
	/* It names the file it read, /proc/self/fd/N: name the real one. */
	nl = load_fdpath ? strstr(buf, load_fdpath) : NULL;
	if (nl) {
		*nl = '\0';
		add_error(load_errors, "%s%s%s", buf, load_path,
			  nl + strlen(load_fdpath));
	} else {
		add_error(load_errors, "%s: %s", load_path, buf);
	}
	return 0;
}

static bool key_is_known(const char *fullkey)
{
	size_t i;
	char name[128];

	for (i = 0; i < sizeof(known_keys) / sizeof(known_keys[0]); i++) {
		snprintf(name, sizeof(name), "%s:%s", known_keys[i].section,
			 known_keys[i].key);
		if (strcmp(name, fullkey) == 0)
			return true;
	}
	return false;
}

static bool section_is_known(const char *sec, size_t len)
{
	static const char *sections[] = { "detect", "output", "limits",
					  "allow", "runtimes", "scan" };
	size_t i;

	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (strlen(sections[i]) == len && !strncmp(sec, sections[i], len))
			return true;
	return false;
}

/* Report each key of section SEC (known) that is not one of ours. */
static void check_section_keys(const dictionary *d, const char *sec,
			       const char *path, struct config_errors *errs)
{
	int i, n = iniparser_getsecnkeys(d, sec);
	const char **keys;

	if (n <= 0)
		return;
	keys = calloc((size_t)n, sizeof(*keys));
	if (!keys || !iniparser_getseckeys(d, sec, keys)) {
		free(keys);
		return;
	}
	for (i = 0; i < n; i++) {
		if (!*sec)	/* stored as ":key" */
			add_error(errs, "%s: key '%s' is outside any "
				  "[section]", path, keys[i] + 1);
		else if (!key_is_known(keys[i]))
			add_error(errs, "%s: unknown key %s", path, keys[i]);
	}
	free(keys);
}

/*
 * Every entry of the dictionary must be a known section or key. A key
 * before the first [section] is stored as ":key", in a section named ""
 * that iniparser lists only once it exists: it is added here, so that
 * iniparser_getseckeys() finds those keys.
 */
static void check_unknown_keys(dictionary *d, const char *path,
			       struct config_errors *errs)
{
	int i, nsec;

	iniparser_set(d, "", NULL);
	nsec = iniparser_getnsec(d);
	for (i = 0; i < nsec; i++) {
		const char *sec = iniparser_getsecname(d, i);

		if (!sec)
			continue;
		if (*sec && !section_is_known(sec, strlen(sec)))
			add_error(errs, "%s: unknown section [%s]", path, sec);
		else
			check_section_keys(d, sec, path, errs);
	}
}

static void load_uint(dictionary *d, const char *key, unsigned int min,
		      unsigned int max, unsigned int *out, const char *path,
		      struct config_errors *errs)
{
	const char *v = iniparser_getstring(d, key, NULL);

	if (!v)
		return;
	if (parse_uint(v, min, max, out))
		add_error(errs, "%s: %s = '%s': expected a whole number "
			  "from %u to %u", path, key, v, min, max);
}

/* A list of globs; each must be a usable fnmatch(3) pattern. */
static void load_list(dictionary *d, const char *key, struct strlist *out,
		      const char *path, struct config_errors *errs)
{
	const char *v = iniparser_getstring(d, key, NULL);
	size_t i;

	if (!v)
		return;
	if (strlist_parse(v, out)) {
		add_error(errs, "%s: %s: out of memory", path, key);
		return;
	}
	for (i = 0; i < out->n; i++) {
		size_t len = strlen(out->v[i]);
		int depth = 0;
		size_t j;

		for (j = 0; j < len; j++) {
			if (out->v[i][j] == '[')
				depth++;
			else if (out->v[i][j] == ']' && depth)
				depth--;
		}
		if (depth)
			add_error(errs, "%s: %s: pattern '%s' has an "
				  "unclosed '['", path, key, out->v[i]);
	}
}

/* KEY, when set, is an absolute path or nothing (= none) into *DST. */
static void load_path_key(dictionary *d, const char *key, char **dst,
			  const char *path, struct config_errors *errs)
{
	const char *v = iniparser_getstring(d, key, NULL);

	if (!v)
		return;
	if (*v && *v != '/') {
		add_error(errs, "%s: %s = '%s': expected an absolute path "
			  "or nothing", path, key, v);
		return;
	}
	free(*dst);
	*dst = strdup(v);
}

/* Is DIR a directory name a runtime's state may be looked for in: an
 * absolute path without "." or ".." components, of a sane length? */
static bool state_dir_valid(const char *dir)
{
	size_t len = strlen(dir);

	if (dir[0] != '/' || len > 255 || strstr(dir, "/./") ||
	    strstr(dir, "/../") || strchr(dir, '\n'))
		return false;
	if ((len >= 2 && !strcmp(dir + len - 2, "/.")) ||
	    (len >= 3 && !strcmp(dir + len - 3, "/..")))
		return false;
	return true;
}

/* A [runtimes] directory KEY into *DST; an error naming the key when it
 * is not an absolute, plain path. */
static void load_state_dir(dictionary *d, const char *key, char **dst,
			   const char *path, struct config_errors *errs)
{
	const char *v = iniparser_getstring(d, key, NULL);

	if (!v)
		return;
	if (!state_dir_valid(v)) {
		add_error(errs, "%s: %s = '%s': expected an absolute path "
			  "without '.' or '..' (at most 255 bytes)", path,
			  key, v);
		return;
	}
	free(*dst);
	*dst = strdup(v);
}

/* A [runtimes] list of directories KEY (empty: none). */
static void load_state_dirs(dictionary *d, const char *key,
			    struct strlist *out, const char *path,
			    struct config_errors *errs)
{
	const char *v = iniparser_getstring(d, key, NULL);
	struct strlist l = { NULL, 0 };
	size_t i;

	if (!v)
		return;
	if (strlist_parse(v, &l)) {
		add_error(errs, "%s: %s: out of memory", path, key);
		strlist_free(&l);
		return;
	}
	if (l.n > RUNTIMES_LIST_MAX) {
		add_error(errs, "%s: %s: %zu directories, at most %d", path,
			  key, l.n, RUNTIMES_LIST_MAX);
		strlist_free(&l);
		return;
	}
	for (i = 0; i < l.n; i++) {
		if (!state_dir_valid(l.v[i])) {
			add_error(errs, "%s: %s: '%s': expected absolute "
				  "paths without '.' or '..' (at most 255 "
				  "bytes)", path, key, l.v[i]);
			strlist_free(&l);
			return;
		}
	}
	strlist_free(out);
	*out = l;
}

static void load_runtimes(dictionary *d, struct config *cfg,
			  const char *path, struct config_errors *errs)
{
	const char *v;

	load_state_dir(d, "runtimes:docker_root", &cfg->docker_root, path,
		       errs);
	load_state_dir(d, "runtimes:docker_exec_root", &cfg->docker_exec_root,
		       path, errs);
	load_state_dir(d, "runtimes:containers_storage",
		       &cfg->containers_storage, path, errs);
	load_state_dir(d, "runtimes:containers_run", &cfg->containers_run,
		       path, errs);
	load_state_dirs(d, "runtimes:containerd_state",
			&cfg->containerd_state, path, errs);
	load_state_dirs(d, "runtimes:oci_state", &cfg->oci_state, path,
			errs);
	v = iniparser_getstring(d, "runtimes:rootless", NULL);
	if (v && parse_bool(v, &cfg->rootless))
		add_error(errs, "%s: runtimes:rootless = '%s': expected yes "
			  "or no", path, v);
}

static void load_values(dictionary *d, struct config *cfg, const char *path,
			struct config_errors *errs)
{
	const char *v;
	char bad[64];

	v = iniparser_getstring(d, "detect:scope", NULL);
	if (v) {
		if (!strcasecmp(v, "container"))
			cfg->scope = SCOPE_CONTAINER;
		else if (!strcasecmp(v, "all"))
			cfg->scope = SCOPE_ALL;
		else
			add_error(errs, "%s: detect:scope = '%s': expected "
				  "container or all", path, v);
	}
	v = iniparser_getstring(d, "detect:types", NULL);
	if (v && config_parse_types(v, &cfg->types, bad, sizeof(bad)))
		add_error(errs, "%s: detect:types: unknown type '%s' "
			  "(known: elf-exec elf-pie elf-shared elf-reloc "
			  "elf-core script pe macho)", path, bad);
	load_uint(d, "detect:recheck_ms", 0, 60000, &cfg->recheck_ms,
		  path, errs);
	load_uint(d, "detect:magic_bytes_max", 4096, 64 * 1024 * 1024,
		  &cfg->magic_bytes_max, path, errs);

	load_path_key(d, "output:json_log", &cfg->json_log, path, errs);
	load_path_key(d, "output:pid_file", &cfg->pid_file, path, errs);
	load_path_key(d, "output:state_file", &cfg->state_file, path, errs);
	v = iniparser_getstring(d, "output:audit_record", NULL);
	if (v && parse_bool(v, &cfg->audit_record))
		add_error(errs, "%s: output:audit_record = '%s': expected "
			  "yes or no", path, v);
	v = iniparser_getstring(d, "output:audit_record_type", NULL);
	if (v) {
		if (!strcasecmp(v, "USER"))
			cfg->audit_record_type = AUDIT_USER;
		else if (!strcasecmp(v, "ANOM_MK_EXEC"))
			cfg->audit_record_type = AUDIT_ANOM_MK_EXEC;
		else
			add_error(errs, "%s: output:audit_record_type = '%s': "
				  "expected USER or ANOM_MK_EXEC", path, v);
	}
	load_uint(d, "output:stats_interval", 0, 7 * 86400,
		  &cfg->stats_interval, path, errs);
	v = iniparser_getstring(d, "output:sha256_max_bytes", NULL);
	if (v) {
		char *end;
		unsigned long long n;

		errno = 0;
		n = strtoull(v, &end, 10);
		if (!*v || *v == '-' || *v == '+' || *end || errno ||
		    n > 4ULL * 1024 * 1024 * 1024)
			add_error(errs, "%s: output:sha256_max_bytes = '%s': "
				  "expected a whole number from 0 to "
				  "4294967296", path, v);
		else
			cfg->sha256_max = n;
	}
	load_list(d, "allow:exe", &cfg->allow_exe, path, errs);
	load_list(d, "allow:path", &cfg->allow_path, path, errs);
	load_list(d, "allow:image", &cfg->allow_image, path, errs);
	load_list(d, "allow:container", &cfg->allow_container, path, errs);
	load_uint(d, "scan:interval", 0, 7 * 86400, &cfg->scan_interval,
		  path, errs);
	v = iniparser_getstring(d, "scan:at_start", NULL);
	if (v && parse_bool(v, &cfg->scan_at_start))
		add_error(errs, "%s: scan:at_start = '%s': expected yes or no",
			  path, v);
	v = iniparser_getstring(d, "scan:on_loss", NULL);
	if (v && parse_bool(v, &cfg->scan_on_loss))
		add_error(errs, "%s: scan:on_loss = '%s': expected yes or no",
			  path, v);
	load_uint(d, "scan:max_files", 100, 100000000, &cfg->scan_max_files,
		  path, errs);
	load_uint(d, "scan:max_ms", 10, 3600000, &cfg->scan_max_ms, path,
		  errs);
	load_uint(d, "limits:queue_size", 16, 1024 * 1024, &cfg->queue_size,
		  path, errs);
	load_uint(d, "limits:pending_max", 16, 1024 * 1024,
		  &cfg->pending_max, path, errs);
	load_uint(d, "limits:dedupe_size", 16, 1024 * 1024,
		  &cfg->dedupe_size, path, errs);
	load_uint(d, "limits:intake_buffer_bytes", INTAKE_MIN_BYTES,
		  INTAKE_MAX_BYTES, &cfg->intake_buffer_bytes, path, errs);
	load_uint(d, "limits:check_timeout_ms", 50, 60000,
		  &cfg->check_timeout_ms, path, errs);
	load_uint(d, "limits:watch_max", 0, 1024 * 1024, &cfg->watch_max,
		  path, errs);
	load_uint(d, "limits:watch_report_after_ms", 100, 3600000,
		  &cfg->watch_report_after_ms, path, errs);
	load_runtimes(d, cfg, path, errs);
}

int config_load(const char *path, struct config *cfg,
		struct config_errors *errs, bool check_perms)
{
	struct stat st;
	dictionary *d;
	size_t before = errs->count;
	char fdpath[64];
	int fd;

	config_defaults(cfg);

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		add_error(errs, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		add_error(errs, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (check_perms && (st.st_mode & (S_IWOTH | S_IWGRP))) {
		add_error(errs, "%s: refused: the file is writable by %s "
			  "(chmod go-w)", path,
			  st.st_mode & S_IWOTH ? "everyone" : "its group");
		close(fd);
		return -1;
	}

	/* Parse the very file whose permissions were checked. */
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	load_errors = errs;
	load_path = path;
	load_fdpath = fdpath;
	iniparser_set_error_callback(ini_error_hook);
	d = iniparser_load(fdpath);
	close(fd);
	iniparser_set_error_callback(NULL);
	load_errors = NULL;
	load_path = NULL;
	load_fdpath = NULL;
	if (!d) {
		if (errs->count == before)
			add_error(errs, "%s: cannot be parsed", path);
		return -1;
	}
	check_unknown_keys(d, path, errs);
	load_values(d, cfg, path, errs);
	iniparser_freedict(d);
	return errs->count == before ? 0 : -1;
}
