/* SPDX-License-Identifier: GPL-2.0-or-later */
/* settings.h -- the detector's INI configuration */
#ifndef DROPEXEC_SETTINGS_H
#define DROPEXEC_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#define DEFAULT_CONFIG_FILE	SYSCONFDIR "/audit/dropexec.conf"
#define DEFAULT_JSON_LOG	"/var/log/dropexec/findings.jsonl"
#define DEFAULT_PID_FILE	"/run/audisp-dropexec.pid"
#define DEFAULT_STATE_FILE	"/run/audisp-dropexec.state"
#define DEFAULT_SCAN_INTERVAL	900	/* seconds: docs/cost.md, "Scan" */

enum scope_mode {
	SCOPE_CONTAINER = 0,
	SCOPE_ALL,
};

/* Kinds of file the classifier tells apart; a bit each in config.types. */
enum exec_kind {
	KIND_NONE = 0,
	KIND_ELF_EXEC = 1 << 0,		/* ET_EXEC */
	KIND_ELF_PIE = 1 << 1,		/* ET_DYN with an interpreter */
	KIND_ELF_SHARED = 1 << 2,	/* ET_DYN without one: a .so */
	KIND_ELF_RELOC = 1 << 3,	/* ET_REL: an object file */
	KIND_ELF_CORE = 1 << 4,		/* ET_CORE */
	KIND_SCRIPT = 1 << 5,		/* starts with #! */
	KIND_PE = 1 << 6,		/* MZ/PE */
	KIND_MACHO = 1 << 7,		/* Mach-O */
};

#define DEFAULT_TYPES	(KIND_ELF_EXEC | KIND_ELF_PIE | KIND_ELF_SHARED)

/* A list of glob patterns. */
struct strlist {
	char **v;
	size_t n;
};

/* [limits] intake_buffer_bytes: its range and default (intake/intake.h) */
#define INTAKE_MIN_BYTES	(1024 * 1024)
#define INTAKE_MAX_BYTES	(1024U * 1024 * 1024)
#define INTAKE_DEFAULT_BYTES	(8 * 1024 * 1024)

struct config {
	/* [detect] */
	enum scope_mode scope;
	unsigned int types;		/* enum exec_kind bits */
	unsigned int recheck_ms;	/* how long to wait for a short file */
	unsigned int magic_bytes_max;	/* libmagic read cap */

	/* [output] */
	char *json_log;			/* NULL or "" = no JSON log */
	bool audit_record;
	int audit_record_type;		/* AUDIT_USER or AUDIT_ANOM_MK_EXEC */
	unsigned int stats_interval;	/* seconds between syslog reports */
	unsigned long long sha256_max;	/* hash files up to this size; 0 off */
	char *pid_file;			/* NULL or "" = none; read at start */
	char *state_file;		/* SIGUSR1 dump; NULL or "" = none */

	/* [allow]: known-good activity, fnmatch(3) globs */
	struct strlist allow_exe;	/* writer's executable */
	struct strlist allow_path;	/* the dropped file */
	struct strlist allow_image;	/* container image */
	struct strlist allow_container;	/* container name */

	/* [scan]: the containers' writable layers (check/scan.h) */
	unsigned int scan_interval;	/* seconds between passes; 0 none */
	bool scan_at_start;		/* a pass when the plugin starts */
	bool scan_on_loss;		/* a pass after events were lost */
	unsigned int scan_max_files;	/* directory entries per pass */
	unsigned int scan_max_ms;	/* milliseconds of work per pass */

	/* [limits] */
	unsigned int queue_size;	/* candidates waiting for a check */
	unsigned int pending_max;	/* short files waiting for a recheck */
	unsigned int dedupe_size;	/* (dev, inode, size, mtime) remembered */
	unsigned int intake_buffer_bytes; /* auditd's stream not parsed yet;
					   * read at start only */
	unsigned int check_timeout_ms;	/* deadline of each file access */
	unsigned int watch_max;		/* files watched while held open for
					 * writing (0: none); read at start */
	unsigned int watch_report_after_ms; /* an executable still held open
					     * this long is reported */

	/* [runtimes]: where container runtimes keep their state; read at
	 * start (absolute paths, validated) */
	char *docker_root;		/* /var/lib/docker */
	char *docker_exec_root;		/* /run/docker */
	struct strlist containerd_state; /* containerd state directories */
	struct strlist oci_state;	/* runc and crun roots */
	char *containers_storage;	/* /var/lib/containers/storage */
	char *containers_run;		/* /run/containers/storage */
	bool rootless;			/* look in /run/user/UID too */
};

#define RUNTIMES_LIST_MAX	8	/* directories per [runtimes] list */

/* Problems found while loading, each a line naming the file and the key. */
struct config_errors {
	char **msg;
	size_t count;
};

void config_defaults(struct config *cfg);

/*
 * Load and validate PATH into CFG (which is first set to defaults).
 * Returns 0 when valid; otherwise -1 with every problem in ERRS.
 * CHECK_PERMS refuses a file that others can write.
 */
int config_load(const char *path, struct config *cfg,
		struct config_errors *errs, bool check_perms);

void config_free(struct config *cfg);
/* A deep copy of SRC into DST; -1 when out of memory. */
int config_copy(struct config *dst, const struct config *src);

/* Split a list of globs (separated by commas or white space). */
int strlist_parse(const char *text, struct strlist *out);
void strlist_free(struct strlist *l);
/* Does VALUE match one of the globs of L? (NULL matches none.) */
bool strlist_match(const struct strlist *l, const char *value);
void config_errors_free(struct config_errors *errs);

/* Parse a types list ("elf-exec, elf-pie") into KIND bits; -1 on error. */
int config_parse_types(const char *list, unsigned int *types,
		       char *bad, size_t badlen);

/* Name of a single kind bit ("elf-exec"), or "none". */
const char *exec_kind_name(unsigned int kind);

#endif
