/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_settings.c -- loading and validating dropexec.conf */
#include "testlib.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <libaudit.h>

#include "util/settings.h"

static char *conf_file(const char *text, mode_t mode)
{
	return test_write_file(test_tmpdir, "dropexec.conf", text, strlen(text),
			       mode);
}

/* True when some error message holds every one of the NULL-ended words. */
static bool errors_mention(const struct config_errors *e, ...)
	__attribute__((sentinel));

static bool errors_mention(const struct config_errors *e, ...)
{
	size_t i;

	for (i = 0; i < e->count; i++) {
		const char *word;
		bool all = true;
		va_list ap;

		va_start(ap, e);
		while ((word = va_arg(ap, const char *)))
			if (!strstr(e->msg[i], word))
				all = false;
		va_end(ap);
		if (all)
			return true;
	}
	return false;
}

static char *dump_errors(const struct config_errors *e)
{
	static char buf[4096];
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < e->count && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					"[%s] ", e->msg[i]);
	return buf;
}

START_TEST(test_config_defaults)
{
	struct config cfg;

	config_defaults(&cfg);
	ck_assert_int_eq(cfg.scope, SCOPE_CONTAINER);
	ck_assert_uint_eq(cfg.types, KIND_ELF_EXEC | KIND_ELF_PIE |
			  KIND_ELF_SHARED);
	ck_assert_str_eq(cfg.json_log, "/var/log/dropexec/findings.jsonl");
	ck_assert(cfg.audit_record);
	ck_assert_int_eq(cfg.audit_record_type, AUDIT_USER);
	ck_assert_uint_gt(cfg.queue_size, 0);
	ck_assert_uint_gt(cfg.dedupe_size, 0);
	config_free(&cfg);
}
END_TEST

/* pid_file and state_file: /run by default, absolute paths or nothing. */
START_TEST(test_config_run_files)
{
	struct config cfg, copy;
	struct config_errors errs = { 0 };
	char *path;

	config_defaults(&cfg);
	ck_assert_str_eq(cfg.pid_file, "/run/audisp-dropexec.pid");
	ck_assert_str_eq(cfg.state_file, "/run/audisp-dropexec.state");
	config_free(&cfg);

	path = conf_file("[output]\npid_file = /tmp/p.pid\nstate_file =\n",
			 0600);
	ck_assert_msg(config_load(path, &cfg, &errs, true) == 0, "%s",
		      dump_errors(&errs));
	ck_assert_str_eq(cfg.pid_file, "/tmp/p.pid");
	ck_assert_str_eq(cfg.state_file, "");
	ck_assert_int_eq(config_copy(&copy, &cfg), 0);
	ck_assert_str_eq(copy.pid_file, "/tmp/p.pid");
	ck_assert_ptr_ne(copy.pid_file, cfg.pid_file);
	config_free(&copy);
	config_free(&cfg);
	free(path);

	path = conf_file("[output]\npid_file = run/p.pid\n"
			 "state_file = x.state\n", 0600);
	ck_assert_int_eq(config_load(path, &cfg, &errs, true), -1);
	ck_assert_msg(errors_mention(&errs, "output:pid_file", "run/p.pid",
				     "absolute", NULL), "%s",
		      dump_errors(&errs));
	ck_assert_msg(errors_mention(&errs, "output:state_file", "x.state",
				     NULL), "%s", dump_errors(&errs));
	config_errors_free(&errs);
	config_free(&cfg);
	free(path);
}
END_TEST

/* An empty file, or one with comments only, means the defaults. */
START_TEST(test_config_empty_file_is_defaults)
{
	struct config cfg, def;
	struct config_errors errs = { 0 };
	char *path = conf_file("; nothing here\n# nor here\n\n[detect]\n",
			       0640);

	ck_assert_int_eq(config_load(path, &cfg, &errs, true), 0);
	ck_assert_uint_eq(errs.count, 0);
	config_defaults(&def);
	ck_assert_int_eq(cfg.scope, def.scope);
	ck_assert_uint_eq(cfg.types, def.types);
	ck_assert_str_eq(cfg.json_log, def.json_log);
	ck_assert_int_eq(cfg.audit_record, def.audit_record);
	ck_assert_int_eq(cfg.audit_record_type, def.audit_record_type);
	ck_assert_uint_eq(cfg.recheck_ms, def.recheck_ms);
	ck_assert_uint_eq(cfg.queue_size, def.queue_size);
	config_free(&def);
	config_free(&cfg);
	free(path);
}
END_TEST

START_TEST(test_config_every_key)
{
	struct config cfg;
	struct config_errors errs = { 0 };
	char *path = conf_file(
		"[detect]\n"
		"scope = all\n"
		"types = elf-exec, script,pe macho\n"
		"recheck_ms = 500\n"
		"magic_bytes_max = 65536\n"
		"[output]\n"
		"json_log = /srv/log/drops.jsonl\n"
		"audit_record = no\n"
		"audit_record_type = ANOM_MK_EXEC\n"
		"stats_interval = 60\n"
		"[scan]\n"
		"interval = 0\n"
		"at_start = no\n"
		"on_loss = off\n"
		"max_files = 5000\n"
		"max_ms = 250\n"
		"[limits]\n"
		"queue_size = 100\n"
		"pending_max = 200\n"
		"dedupe_size = 300\n"
		"intake_buffer_bytes = 2097152\n", 0600);

	ck_assert_msg(config_load(path, &cfg, &errs, true) == 0, "%s",
		      dump_errors(&errs));
	ck_assert_int_eq(cfg.scope, SCOPE_ALL);
	ck_assert_uint_eq(cfg.types, KIND_ELF_EXEC | KIND_SCRIPT | KIND_PE |
			  KIND_MACHO);
	ck_assert_uint_eq(cfg.recheck_ms, 500);
	ck_assert_uint_eq(cfg.magic_bytes_max, 65536);
	ck_assert_str_eq(cfg.json_log, "/srv/log/drops.jsonl");
	ck_assert(!cfg.audit_record);
	ck_assert_int_eq(cfg.audit_record_type, AUDIT_ANOM_MK_EXEC);
	ck_assert_uint_eq(cfg.stats_interval, 60);
	ck_assert_uint_eq(cfg.scan_interval, 0);
	ck_assert(!cfg.scan_at_start);
	ck_assert(!cfg.scan_on_loss);
	ck_assert_uint_eq(cfg.scan_max_files, 5000);
	ck_assert_uint_eq(cfg.scan_max_ms, 250);
	ck_assert_uint_eq(cfg.queue_size, 100);
	ck_assert_uint_eq(cfg.pending_max, 200);
	ck_assert_uint_eq(cfg.dedupe_size, 300);
	ck_assert_uint_eq(cfg.intake_buffer_bytes, 2097152);
	config_free(&cfg);
	free(path);
}
END_TEST

/* Section and key names are not case sensitive, nor are the words. */
START_TEST(test_config_case_insensitive)
{
	struct config cfg;
	struct config_errors errs = { 0 };
	char *path = conf_file("[Detect]\nScope = ALL\n[OUTPUT]\n"
			       "Audit_Record = Yes\n"
			       "audit_record_type = user\n", 0600);

	ck_assert_msg(config_load(path, &cfg, &errs, true) == 0, "%s",
		      dump_errors(&errs));
	ck_assert_int_eq(cfg.scope, SCOPE_ALL);
	ck_assert(cfg.audit_record);
	ck_assert_int_eq(cfg.audit_record_type, AUDIT_USER);
	config_free(&cfg);
	free(path);
}
END_TEST

START_TEST(test_config_empty_json_log_disables)
{
	struct config cfg;
	struct config_errors errs = { 0 };
	char *path = conf_file("[output]\njson_log =\n", 0600);

	ck_assert_msg(config_load(path, &cfg, &errs, true) == 0, "%s",
		      dump_errors(&errs));
	ck_assert(cfg.json_log == NULL || cfg.json_log[0] == '\0');
	config_free(&cfg);
	free(path);
}
END_TEST

START_TEST(test_config_unknown_key)
{
	struct config cfg;
	struct config_errors errs = { 0 };
	char *path = conf_file("[detect]\nscope = container\nbogus = 1\n",
			       0600);

	ck_assert_int_eq(config_load(path, &cfg, &errs, true), -1);
	ck_assert_uint_eq(errs.count, 1);
	ck_assert_msg(errors_mention(&errs, path, "detect:bogus", NULL),
		      "%s", dump_errors(&errs));
	config_errors_free(&errs);
	config_free(&cfg);
	free(path);
}
END_TEST

/* A key of one section written in another is unknown there. */
START_TEST(test_config_key_in_wrong_section)
{
	struct config cfg;
	struct config_errors errs = { 0 };
	char *path = conf_file("[output]\nscope = all\n", 0600);

	ck_assert_int_eq(config_load(path, &cfg, &errs, true), -1);
	ck_assert_msg(errors_mention(&errs, path, "output:scope", NULL),
		      "%s", dump_errors(&errs));
	ck_assert_int_eq(cfg.scope, SCOPE_CONTAINER);
	config_errors_free(&errs);
	config_free(&cfg);
	free(path);
}
END_TEST

START_TEST(test_config_unknown_section)
{
	struct config cfg;
	struct config_errors errs = { 0 };
	char *path = conf_file("[detect]\nscope = all\n[filters]\n"
			       "ignore = /tmp\n", 0600);

	ck_assert_int_eq(config_load(path, &cfg, &errs, true), -1);
	ck_assert_uint_ge(errs.count, 1);
	ck_assert_msg(errors_mention(&errs, path, "filters", NULL),
		      "%s", dump_errors(&errs));
	config_errors_free(&errs);
	config_free(&cfg);
	free(path);
}
END_TEST

/* One bad value each: the error names the key (section:key). */
static const struct {
	const char *text;
	const char *key;
	const char *value;
} bad_values[] = {
	{ "[detect]\nscope = everywhere\n", "detect:scope", "everywhere" },
	{ "[detect]\nscope =\n", "detect:scope", NULL },
	{ "[detect]\ntypes = elf-exec, elf-bogus\n", "detect:types",
	  "elf-bogus" },
	{ "[detect]\ntypes =\n", "detect:types", NULL },
	{ "[detect]\nrecheck_ms = 60001\n", "detect:recheck_ms", "60001" },
	{ "[detect]\nrecheck_ms = -1\n", "detect:recheck_ms", "-1" },
	{ "[detect]\nrecheck_ms = 10ms\n", "detect:recheck_ms", "10ms" },
	{ "[detect]\nmagic_bytes_max = 100\n", "detect:magic_bytes_max",
	  "100" },
	{ "[output]\njson_log = relative/findings.jsonl\n",
	  "output:json_log", "relative/findings.jsonl" },
	{ "[output]\naudit_record = maybe\n", "output:audit_record",
	  "maybe" },
	{ "[output]\naudit_record_type = SYSCALL\n",
	  "output:audit_record_type", "SYSCALL" },
	{ "[output]\naudit_record_type = 2113\n",
	  "output:audit_record_type", "2113" },
	{ "[output]\nstats_interval = 99999999999\n",
	  "output:stats_interval", NULL },
	{ "[limits]\nqueue_size = 8\n", "limits:queue_size", "8" },
	{ "[limits]\nqueue_size = 4294967297\n", "limits:queue_size", NULL },
	{ "[limits]\npending_max = lots\n", "limits:pending_max", "lots" },
	{ "[limits]\ndedupe_size = 0\n", "limits:dedupe_size", "0" },
	{ "[limits]\nintake_buffer_bytes = 65536\n",
	  "limits:intake_buffer_bytes", "65536" },
	{ "[limits]\nintake_buffer_bytes = 1073741825\n",
	  "limits:intake_buffer_bytes", "1073741825" },
	{ "[limits]\nintake_buffer_bytes = 8M\n",
	  "limits:intake_buffer_bytes", "8M" },
	{ "[runtimes]\ndocker_root = var/lib/docker\n",
	  "runtimes:docker_root", "var/lib/docker" },
	{ "[runtimes]\ndocker_exec_root = /run/../etc\n",
	  "runtimes:docker_exec_root", "/run/../etc" },
	{ "[runtimes]\ncontainers_storage = /srv/x/..\n",
	  "runtimes:containers_storage", "/srv/x/.." },
	{ "[runtimes]\ncontainers_run =\n", "runtimes:containers_run", NULL },
	{ "[runtimes]\ncontainerd_state = /run/containerd, k3s\n",
	  "runtimes:containerd_state", "k3s" },
	{ "[runtimes]\noci_state = /a /b /c /d /e /f /g /h /i\n",
	  "runtimes:oci_state", "at most 8" },
	{ "[runtimes]\nrootless = sometimes\n", "runtimes:rootless",
	  "sometimes" },
	{ "[scan]\ninterval = -1\n", "scan:interval", "-1" },
	{ "[scan]\ninterval = 604801\n", "scan:interval", "604801" },
	{ "[scan]\nat_start = maybe\n", "scan:at_start", "maybe" },
	{ "[scan]\non_loss = 2\n", "scan:on_loss", "2" },
	{ "[scan]\nmax_files = 99\n", "scan:max_files", "99" },
	{ "[scan]\nmax_ms = 5\n", "scan:max_ms", "5" },
	{ "[scan]\nmax_ms = 1s\n", "scan:max_ms", "1s" },
};

/* [runtimes]: the defaults, and moved data roots */
START_TEST(test_config_runtimes)
{
	struct config cfg;
	struct config_errors errs = { 0 };
	char *path;

	config_defaults(&cfg);
	ck_assert_str_eq(cfg.docker_root, "/var/lib/docker");
	ck_assert_uint_eq(cfg.containerd_state.n, 3);
	ck_assert(cfg.rootless);
	config_free(&cfg);
	path = conf_file("[runtimes]\ndocker_root = /srv/docker\n"
			 "docker_exec_root = /srv/run/docker\n"
			 "containerd_state = /run/k3s/containerd, /srv/ctd\n"
			 "oci_state =\nrootless = no\n", 0600);
	ck_assert_msg(config_load(path, &cfg, &errs, true) == 0, "%s",
		      dump_errors(&errs));
	ck_assert_str_eq(cfg.docker_root, "/srv/docker");
	ck_assert_str_eq(cfg.docker_exec_root, "/srv/run/docker");
	ck_assert_uint_eq(cfg.containerd_state.n, 2);
	ck_assert_str_eq(cfg.containerd_state.v[1], "/srv/ctd");
	ck_assert_uint_eq(cfg.oci_state.n, 0);
	ck_assert(!cfg.rootless);
	{
		struct config copy;

		ck_assert_int_eq(config_copy(&copy, &cfg), 0);
		ck_assert_str_eq(copy.docker_root, "/srv/docker");
		ck_assert_str_eq(copy.containerd_state.v[0],
				 "/run/k3s/containerd");
		config_free(&copy);
	}
	config_free(&cfg);
	free(path);
}
END_TEST

START_TEST(test_config_bad_value)
{
	struct config cfg;
	struct config_errors errs = { 0 };
	char *path = conf_file(bad_values[_i].text, 0600);

	ck_assert_int_eq(config_load(path, &cfg, &errs, true), -1);
	ck_assert_msg(errs.count == 1, "%s: %s", bad_values[_i].key,
		      dump_errors(&errs));
	ck_assert_msg(errors_mention(&errs, path, bad_values[_i].key,
				     bad_values[_i].value, NULL),
		      "expected %s in: %s", bad_values[_i].key,
		      dump_errors(&errs));
	config_errors_free(&errs);
	config_free(&cfg);
	free(path);
}
END_TEST

/* A configuration file chmod'ed to MODE, which lets others than its owner
 * write it: refused by a load that checks, with an error that says so.
 * Returns the file's path (malloc'd). */
static char *writable_refused(mode_t mode)
{
	struct config cfg;
	struct config_errors errs = { 0 };
	char *path = conf_file("[detect]\nscope = all\n", 0600);

	ck_assert_int_eq(chmod(path, mode), 0);
	ck_assert_int_eq(config_load(path, &cfg, &errs, true), -1);
	ck_assert_msg(errors_mention(&errs, path, "writable", NULL), "%s",
		      dump_errors(&errs));
	config_errors_free(&errs);
	config_free(&cfg);
	return path;
}

START_TEST(test_config_world_writable_refused)
{
	struct config cfg;
	struct config_errors errs = { 0 };
	char *path = writable_refused(0666);

	/* the same file, once fixed, loads */
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(config_load(path, &cfg, &errs, true), 0);
	ck_assert_int_eq(cfg.scope, SCOPE_ALL);
	config_free(&cfg);
	free(path);
}
END_TEST

/* Group-writable is refused too: the group could rewrite the rules. */
START_TEST(test_config_group_writable_refused)
{
	struct config cfg;
	struct config_errors errs = { 0 };
	char *path = writable_refused(0620);

	/* --check-config style loads without the check still parse it */
	ck_assert_int_eq(config_load(path, &cfg, &errs, false), 0);
	ck_assert_int_eq(cfg.scope, SCOPE_ALL);
	config_free(&cfg);
	free(path);
}
END_TEST

/* A key before any [section] belongs nowhere: an error, not ignored. */
START_TEST(test_config_key_outside_section)
{
	struct config cfg;
	struct config_errors errs = { 0 };
	char *path = conf_file("scope = all\n[detect]\n", 0600);

	ck_assert_int_eq(config_load(path, &cfg, &errs, true), -1);
	ck_assert_msg(errors_mention(&errs, path, "scope", NULL), "%s",
		      dump_errors(&errs));
	ck_assert_int_eq(cfg.scope, SCOPE_CONTAINER);
	config_errors_free(&errs);
	config_free(&cfg);
	free(path);
}
END_TEST

START_TEST(test_config_missing_file)
{
	struct config cfg;
	struct config_errors errs = { 0 };
	char *path;

	ck_assert_int_ne(asprintf(&path, "%s/no-such.conf", test_tmpdir), -1);
	ck_assert_int_eq(config_load(path, &cfg, &errs, true), -1);
	ck_assert_uint_eq(errs.count, 1);
	ck_assert_msg(errors_mention(&errs, path, NULL), "%s",
		      dump_errors(&errs));
	ck_assert_msg(errors_mention(&errs, "No such file", NULL), "%s",
		      dump_errors(&errs));
	config_errors_free(&errs);
	config_free(&cfg);
	free(path);
}
END_TEST

START_TEST(test_config_directory_refused)
{
	struct config cfg;
	struct config_errors errs = { 0 };

	ck_assert_int_eq(config_load(test_tmpdir, &cfg, &errs, true), -1);
	ck_assert_msg(errors_mention(&errs, test_tmpdir, NULL), "%s",
		      dump_errors(&errs));
	config_errors_free(&errs);
	config_free(&cfg);
}
END_TEST

START_TEST(test_config_syntax_error_line)
{
	struct config cfg;
	struct config_errors errs = { 0 };
	char *path = conf_file("[detect]\nscope = all\nthis line is wrong\n"
			       "[output]\n", 0600);

	ck_assert_int_eq(config_load(path, &cfg, &errs, true), -1);
	ck_assert_uint_ge(errs.count, 1);
	ck_assert_msg(errors_mention(&errs, path, "(3)", NULL), "%s",
		      dump_errors(&errs));
	ck_assert_msg(errors_mention(&errs, "this line is wrong", NULL),
		      "%s", dump_errors(&errs));
	/* each message is a single line */
	ck_assert_ptr_null(strchr(errs.msg[0], '\n'));
	config_errors_free(&errs);
	config_free(&cfg);
	free(path);
}
END_TEST

START_TEST(test_config_all_errors_reported)
{
	struct config cfg;
	struct config_errors errs = { 0 };
	char *path = conf_file("[detect]\nscope = nowhere\ntypes = exe\n"
			       "colour = blue\n"
			       "[output]\naudit_record = perhaps\n"
			       "[limits]\nqueue_size = 1\n", 0600);

	ck_assert_int_eq(config_load(path, &cfg, &errs, true), -1);
	ck_assert_msg(errs.count == 5, "%s", dump_errors(&errs));
	ck_assert(errors_mention(&errs, "detect:scope", NULL));
	ck_assert(errors_mention(&errs, "detect:types", "exe", NULL));
	ck_assert(errors_mention(&errs, "detect:colour", NULL));
	ck_assert(errors_mention(&errs, "output:audit_record", NULL));
	ck_assert(errors_mention(&errs, "limits:queue_size", NULL));
	config_errors_free(&errs);
	config_free(&cfg);
	free(path);
}
END_TEST

START_TEST(test_config_parse_types)
{
	unsigned int t = 0;
	char bad[32];

	ck_assert_int_eq(config_parse_types("elf-exec,elf-pie,elf-shared",
					    &t, bad, sizeof(bad)), 0);
	ck_assert_uint_eq(t, DEFAULT_TYPES);
	ck_assert_int_eq(config_parse_types(" ELF-CORE\telf-reloc ", &t,
					    bad, sizeof(bad)), 0);
	ck_assert_uint_eq(t, KIND_ELF_CORE | KIND_ELF_RELOC);
	t = 123;
	ck_assert_int_eq(config_parse_types("script, elf", &t, bad,
					    sizeof(bad)), -1);
	ck_assert_str_eq(bad, "elf");
	ck_assert_uint_eq(t, 123);	/* untouched on error */
	ck_assert_int_eq(config_parse_types(" , ", &t, bad, sizeof(bad)), -1);
	ck_assert_str_eq(exec_kind_name(KIND_ELF_PIE), "elf-pie");
	ck_assert_str_eq(exec_kind_name(KIND_MACHO), "macho");
	ck_assert_str_eq(exec_kind_name(KIND_NONE), "none");
}
END_TEST

/* The configuration shipped in conf/ is valid. */
START_TEST(test_config_shipped_file_valid)
{
	struct config cfg;
	struct config_errors errs = { 0 };

	ck_assert_msg(config_load(FIXTURE_DIR "/../../conf/dropexec.conf",
				  &cfg, &errs, false) == 0, "%s",
		      dump_errors(&errs));
	config_free(&cfg);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("settings");
	TCase *tc = tcase_create("load");

	/* unchecked: the directory goes even when a test fails */
	tcase_add_unchecked_fixture(tc, test_tmpdir_setup,
				    test_tmpdir_teardown);
	tcase_add_test(tc, test_config_defaults);
	tcase_add_test(tc, test_config_empty_file_is_defaults);
	tcase_add_test(tc, test_config_every_key);
	tcase_add_test(tc, test_config_runtimes);
	tcase_add_test(tc, test_config_case_insensitive);
	tcase_add_test(tc, test_config_empty_json_log_disables);
	tcase_add_test(tc, test_config_unknown_key);
	tcase_add_test(tc, test_config_key_in_wrong_section);
	tcase_add_test(tc, test_config_unknown_section);
	tcase_add_loop_test(tc, test_config_bad_value, 0,
			    sizeof(bad_values) / sizeof(bad_values[0]));
	tcase_add_test(tc, test_config_world_writable_refused);
	tcase_add_test(tc, test_config_group_writable_refused);
	tcase_add_test(tc, test_config_key_outside_section);
	tcase_add_test(tc, test_config_missing_file);
	tcase_add_test(tc, test_config_directory_refused);
	tcase_add_test(tc, test_config_syntax_error_line);
	tcase_add_test(tc, test_config_all_errors_reported);
	tcase_add_test(tc, test_config_parse_types);
	tcase_add_test(tc, test_config_shipped_file_valid);
	tcase_add_test(tc, test_config_run_files);
	suite_add_tcase(s, tc);
	return s;
}
