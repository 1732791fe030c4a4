/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c -- audisp-dropexec: TRC-1022 DroppedExecutable as an auditd plugin
 *
 * main() parses the options, loads the configuration, drops privileges,
 * wires the parts and handles signals. The intake thread only reads
 * auditd's stream into a bounded buffer (intake/intake.c); the main thread
 * parses from it (intake/stream.c -> intake/reader.c: records ->
 * candidates -> scope -> check queue); the inspector thread checks files
 * and reports
 * (check/inspector.c -> report/); the sender thread puts findings back
 * into the audit trail (report/audit_record.c).
 *
 * Signals (auditd starts plugins with all of them ignored, some blocked):
 * TERM/INT stop; HUP reloads the configuration and reopens the JSON log
 * (logrotate's postrotate, through the pid file); USR1 dumps the state
 * (util/statedump.h) and USR2 asks for a scan of the containers' writable
 * layers (check/scan.h), both in the inspector's thread.
 *
 * "--scan" runs one scan of the running containers' writable layers,
 * prints a JSON line per finding on standard output and exits: 0 when
 * nothing was found, 1 when something was, 2 on an error.
 */
#include "util/settings.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check/inspector.h"
#include "intake/intake.h"
#include "intake/reader.h"
#include "intake/stream.h"
#include "report/audit_record.h"
#include "report/jsonlog.h"
#include "report/sink.h"
#include "util/log.h"
#include "util/privs.h"
#include "util/recent.h"
#include "util/runfile.h"
#include "util/statedump.h"
#include "util/stats.h"
#include "util/timeutil.h"

static volatile sig_atomic_t got_term;
static volatile sig_atomic_t got_hup;
/* Where SIGUSR1 asks for a dump and SIGUSR2 for a scan; set before the
 * signals are let in. */
static struct inspector *dump_target;

static void on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	got_hup = 1;
}

/* Only a lock-free atomic store: the inspector's thread does the work. */
static void on_usr1(int sig)
{
	(void)sig;
	if (dump_target)
		inspector_request_dump(dump_target);
}

/* Only a lock-free atomic store, as for SIGUSR1. */
static void on_usr2(int sig)
{
	(void)sig;
	if (dump_target)
		inspector_request_scan(dump_target);
}

/* What a reload and a state dump look at. */
struct running {
	const char *cfg_path;
	struct reader *reader;
	struct inspector *check;
	struct audit_sender *sender;
	uint64_t started_ms;
	struct start_info start;
};

/* SIGUSR1, in the inspector's thread: the state to syslog and the state
 * file of the configuration in force. */
static void dump_state(struct inspector *in, void *arg)
{
	struct running *run = arg;
	char last[LOG_LAST_ERROR_MAX];
	struct state_view v = {
		.pid = getpid(),
		.uptime_s = (now_ms() - run->started_ms) / 1000,
		.now = time(NULL),
		.config_file = run->cfg_path,
		.cfg = &in->ck.cfg,
		.stats = in->stats,
		.check_queue = queue_length(&in->q),
		.check_queue_cap = in->q.cap,
		.audit_queue = queue_length(&run->sender->q),
		.audit_queue_cap = run->sender->q.cap,
		.pending = in->ck.pending.count,
		.pending_cap = in->ck.pending.cap,
		.last_error = last,
		.start = &run->start,
		.scan_running = in->scan.walking,
		.scan_rounds = in->scan.rounds_done,
		.scan_last_wall_ms = in->scan.last_wall_ms,
		.scan_last_work_ms = in->scan.last_work_ms,
		.scan_last_files = in->scan.last_files,
		.recent = in->ck.recent,
	};

	v.errors = log_last_error(last, sizeof(last), &v.last_error_time,
				  NULL);
	state_dump(&v, in->ck.cfg.state_file);
}

/* Is PID a live audisp-dropexec process? A killed one stays a zombie
 * under its name until auditd reaps it, which can be after auditd has
 * started the next one: that is no longer running. */
static bool is_plugin(pid_t pid)
{
	char path[64], buf[256];
	const char *close_paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* "PID (COMM) STATE ...": COMM may hold ')' */
	close_paren = strrchr(buf, ')');
	if (!close_paren || close_paren[1] != ' ' || !close_paren[2] ||
	    strchr("ZXx", close_paren[2]))
		return false;
	return !strncmp(buf + strcspn(buf, "(") + 1, "audisp-dropexec)", 16);
}

/*
 * At start, before the pid file is written: count this start (the state
 * file under /run says how many came before, since boot), and tell
 * whether the process before stopped cleanly (it removes its pid file). A
 * restart after a crash is said in syslog; what the plugin missed
 * meanwhile is looked for by a scan (the start scan, or one requested
 * here when [scan] at_start is off). The state file is written at once.
 */
static void note_start(struct running *run, const struct config *cfg)
{
	struct start_info *si = &run->start;
	pid_t prev = -1;

	si->starts = state_file_starts(cfg->state_file) + 1;
	if (cfg->pid_file && *cfg->pid_file)
		prev = pidfile_read(cfg->pid_file);
	if (prev > 0 && prev != getpid()) {
		si->previous_pid = prev;
		si->previous_unclean = !is_plugin(prev);
		if (si->previous_unclean) {
			log_msg(LOG_WARNING, "restart %llu: the previous "
				"instance (pid %d) stopped without removing "
				"%s (a crash or a kill): scanning the "
				"containers' writable layers for what it "
				"missed", si->starts - 1, (int)prev,
				cfg->pid_file);
			if (!cfg->scan_at_start)
				inspector_request_scan(run->check);
		} else {
			log_msg(LOG_WARNING, "another audisp-dropexec (pid %d) "
				"holds %s", (int)prev, cfg->pid_file);
		}
	} else if (si->starts > 1) {
		log_msg(LOG_NOTICE, "restart %llu since boot (counted in %s)",
			si->starts - 1, cfg->state_file);
	}
	inspector_request_dump(run->check);
}

/* A sink that prints each finding as one JSON line on standard output. */
struct print_sink {
	struct sink base;
	char hostname[256];
	unsigned long long failed;
};

static int print_emit(struct sink *sk, const struct finding *f)
{
	struct print_sink *ps = (struct print_sink *)sk;
	struct finding named = *f;
	char *line;
	int rc = -1;

	named.hostname = ps->hostname;
	line = finding_json_line(&named);
	if (line && printf("%s\n", line) > 0 && fflush(stdout) == 0)
		rc = 0;
	else
		ps->failed++;
	free(line);
	return rc;
}

/* audisp-dropexec --scan: one scan of the running containers' writable
 * layers; the exit status says what it found (see usage()). */
static int scan_command(const struct config *cfg)
{
	struct print_sink ps;
	struct report report;
	struct checker ck;
	struct stats stats;
	struct scan sc;
	long n;

	memset(&ps, 0, sizeof(ps));
	ps.base.name = "stdout";
	ps.base.emit = print_emit;
	if (gethostname(ps.hostname, sizeof(ps.hostname)))
		ps.hostname[0] = '\0';
	ps.hostname[sizeof(ps.hostname) - 1] = '\0';
	report_init(&report);
	report_add(&report, &ps.base);
	stats_reset(&stats);
	if (checker_init(&ck, cfg, &stats, &report, NULL, NULL)) {
		checker_free(&ck);
		return 2;
	}
	scan_init(&sc, ck.scope.mountinfo);
	n = scan_run_once(&sc, &ck);
	scan_free(&sc);
	checker_free(&ck);
	if (n < 0 || ps.failed)
		return 2;
	return n > 0 ? 1 : 0;
}

static void usage(FILE *out)
{
	fprintf(out,
"Usage: audisp-dropexec [-c FILE] [-i FILE] [--check-config] [--scan] [-V] [-h]\n"
"Report executables dropped into running containers (TRC-1022).\n"
"\n"
"  -c, --config FILE  configuration file (default %s)\n"
"  -i, --input FILE   read raw audit records from FILE (e.g. an audit.log)\n"
"                     instead of standard input, finish all pending\n"
"                     checks, then exit\n"
"      --check-config validate the configuration, print what is wrong,\n"
"                     and exit 0 when it is valid, non-zero otherwise\n"
"      --scan         scan the writable layers of the running containers,\n"
"                     print one JSON line per executable found, and exit\n"
"                     0 when none was found, 1 when some were, 2 on error\n"
"  -V, --version      print the version and exit\n"
"  -h, --help         print this help and exit\n",
		DEFAULT_CONFIG_FILE);
}

static void print_errors(const struct config_errors *errs)
{
	size_t i;

	for (i = 0; i < errs->count; i++)
		log_msg(LOG_ERR, "%s", errs->msg[i]);
}

/* SIGHUP: load the config again; keep the running one if it is bad. */
static void reload(void *arg)
{
	struct running *run = arg;
	struct config_errors errs = { 0 };
	struct config *next = malloc(sizeof(*next));

	if (!next)
		return;
	if (config_load(run->cfg_path, next, &errs, true)) {
		print_errors(&errs);
		log_msg(LOG_ERR, "%s: not reloaded, keeping the running "
			"configuration", run->cfg_path);
		config_errors_free(&errs);
		config_free(next);
		free(next);
	} else {
		reader_set_mode(run->reader, next->scope);
		inspector_set_config(run->check, next);
		log_msg(LOG_NOTICE, "%s: reloaded", run->cfg_path);
	}
	inspector_reopen_log(run->check);
}

/* Signals as auditd leaves them: all ignored, some blocked. */
static void setup_signals(sigset_t *wait_mask)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_usr2;
	sigaction(SIGUSR2, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);

	/* Keep them blocked except while waiting for input, so that none
	 * is lost between a check of the flags and the wait. Threads
	 * started after this inherit the block and never see them. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_SETMASK, &block, NULL);
	sigemptyset(wait_mask);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "input", required_argument, NULL, 'i' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "scan", no_argument, NULL, 'S' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cfg_path = DEFAULT_CONFIG_FILE, *input = NULL;
	const char *pid_file = NULL;
	struct config_errors errs = { 0 };
	struct stream_signals sig;
	struct running run;
	struct reader reader;
	struct intake intake;
	struct audit_sender sender;
	struct audit_sink audit_sink;
	struct jsonlog_sink json_sink;
	struct report report;
	struct inspector in;
	struct recent recent;
	struct config cfg;
	struct stats stats;
	bool check_only = false, scan_only = false;
	sigset_t wait_mask;
	char buf[768];
	int opt, fd = STDIN_FILENO, rc = 0;

	while ((opt = getopt_long(argc, argv, "c:i:Vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cfg_path = optarg;
			break;
		case 'i':
			input = optarg;
			break;
		case 'C':
			check_only = true;
			break;
		case 'S':
			scan_only = true;
			break;
		case 'V':
			printf("audisp-dropexec %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "audisp-dropexec: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}

	if (scan_only && (check_only || input)) {
		fprintf(stderr, "audisp-dropexec: --scan goes with neither "
			"-i nor --check-config\n");
		return 2;
	}
	log_init(check_only || scan_only || input || isatty(STDERR_FILENO));
	umask(077);

	if (config_load(cfg_path, &cfg, &errs, true)) {
		print_errors(&errs);
		if (!check_only)
			log_msg(LOG_ERR, "%s: invalid configuration, "
				"not starting", cfg_path);
		config_errors_free(&errs);
		config_free(&cfg);
		return scan_only ? 2 : 1;
	}
	if (check_only) {
		printf("%s: configuration is valid\n", cfg_path);
		config_free(&cfg);
		return 0;
	}

	if (input) {
		fd = open(input, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			log_msg(LOG_ERR, "%s: %s", input, strerror(errno));
			config_free(&cfg);
			return 1;
		}
	}

	/* libmagic reads $MAGIC to find its database: start from an empty
	 * environment, as auditd does. */
	clearenv();
	setup_signals(&wait_mask);
	stats_reset(&stats);
	/* Capabilities are per thread: drop them before starting any. */
	if (privs_drop()) {
		config_free(&cfg);
		return scan_only ? 2 : 1;
	}
	if (scan_only) {
		rc = scan_command(&cfg);
		config_free(&cfg);
		return rc;
	}

	if (audit_sender_start(&sender, cfg.queue_size, cfg.audit_record_type,
			       &stats)) {
		log_msg(LOG_ERR, "cannot start the audit sender");
		return 1;
	}
	/* Findings go to the JSON log and back into the audit trail. */
	report_init(&report);
	jsonlog_sink_init(&json_sink, &cfg, &stats);
	audit_sink_init(&audit_sink, &sender, &cfg);
	report_add(&report, &json_sink.base);
	report_add(&report, &audit_sink.base);
	/* A run over a file (-i) looks at that file only, never at the
	 * host's containers. */
	if (input) {
		cfg.scan_at_start = false;
		cfg.scan_on_loss = false;
		cfg.scan_interval = 0;
	}
	run = (struct running){ .cfg_path = cfg_path, .check = &in,
				.reader = &reader, .sender = &sender,
				.started_ms = now_ms() };
	/* without room for them, no decision is kept: nothing else lost */
	if (recent_init(&recent))
		log_msg(LOG_WARNING,
			"out of memory: recent decisions not kept");
	rc = inspector_init(&in, &cfg, &stats, &report, NULL, NULL);
	if (!rc) {
		in.ck.recent = &recent;
		inspector_set_dump(&in, dump_state, &run);
		/* live: candidates gather as auditd's records do */
		if (!input)
			inspector_set_gather(&in, INTAKE_GATHER_NS);
		rc = inspector_start(&in);
	}
	if (rc) {
		log_msg(LOG_ERR, "cannot start the inspector");
		audit_sender_stop(&sender);
		recent_free(&recent);
		return 1;
	}
	if (reader_init(&reader, &in, cfg.scope, &stats, getpid(), NULL,
			NULL)) {
		log_msg(LOG_ERR, "cannot initialise auparse");
		rc = 1;
	} else if (scope_configure(&reader.scope, &cfg)) {
		log_msg(LOG_ERR, "out of memory");
		reader_destroy(&reader);
		rc = 1;
	} else if (intake_init(&intake, fd, cfg.intake_buffer_bytes,
			       input != NULL, &stats) ||
		   intake_start(&intake)) {
		log_msg(LOG_ERR, "cannot start the intake: %s",
			strerror(errno));
		intake_destroy(&intake);
		reader_destroy(&reader);
		rc = 1;
	} else {
		sig = (struct stream_signals){ .stop = &got_term,
					       .reload = &got_hup,
					       .on_reload = reload,
					       .arg = &run,
					       .wait_mask = &wait_mask,
					       .stats = &stats };
		log_msg(LOG_INFO, "started (config %s, scope %s)", cfg_path,
			cfg.scope == SCOPE_ALL ? "all" : "container");
		/* A run over a file (-i) is no daemon: no pid file, and no
		 * scan of the host's containers. */
		if (!input)
			note_start(&run, &cfg);
		if (!input && cfg.pid_file && *cfg.pid_file) {
			if (pidfile_write(cfg.pid_file, getpid()))
				log_msg(LOG_WARNING, "pid file %s: %s",
					cfg.pid_file, strerror(errno));
			else
				pid_file = cfg.pid_file;
		}
		dump_target = &in;
		reader.recent = &recent;
		stream_run(&intake, &reader, &sig);
		intake_destroy(&intake);
		reader_destroy(&reader);
	}

	/* Finish the checks under way, send what is queued, then stop. */
	inspector_stop(&in);
	dump_target = NULL;
	audit_sender_stop(&sender);
	stats_format(&stats, buf, sizeof(buf));
	log_msg(LOG_INFO, "stopping: %s", buf);
	if (pid_file && pidfile_remove(pid_file, getpid()))
		log_msg(LOG_WARNING, "pid file %s: not removed (it no longer "
			"holds pid %d)", pid_file, (int)getpid());
	inspector_free(&in);
	recent_free(&recent);
	jsonlog_sink_close(&json_sink);
	config_free(&cfg);
	if (input)
		close(fd);
	return rc;
}
