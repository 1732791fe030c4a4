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
 * (util/statedump.h), in the inspector's thread.
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
#include "util/runfile.h"
#include "util/statedump.h"
#include "util/stats.h"
#include "util/timeutil.h"

static volatile sig_atomic_t got_term;
static volatile sig_atomic_t got_hup;
/* Where SIGUSR1 asks for a dump; set before the signal is let in. */
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

/* What a reload and a state dump look at. */
struct running {
	const char *cfg_path;
	struct reader *reader;
	struct inspector *check;
	struct audit_sender *sender;
	uint64_t started_ms;
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
	};

	v.errors = log_last_error(last, sizeof(last), &v.last_error_time,
				  NULL);
	state_dump(&v, in->ck.cfg.state_file);
}

static void usage(FILE *out)
{
	fprintf(out,
"Usage: audisp-dropexec [-c FILE] [-i FILE] [--check-config] [-V] [-h]\n"
"Report executables dropped into running containers (TRC-1022).\n"
"\n"
"  -c, --config FILE  configuration file (default %s)\n"
"  -i, --input FILE   read raw audit records from FILE (e.g. an audit.log)\n"
"                     instead of standard input, finish all pending\n"
"                     checks, then exit\n"
"      --check-config validate the configuration, print what is wrong,\n"
"                     and exit 0 when it is valid, non-zero otherwise\n"
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
	sigprocmask(SIG_SETMASK, &block, NULL);
	sigemptyset(wait_mask);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "input", required_argument, NULL, 'i' },
		{ "check-config", no_argument, NULL, 'C' },
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
	struct config cfg;
	struct stats stats;
	bool check_only = false;
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

	log_init(check_only || input || isatty(STDERR_FILENO));
	umask(077);

	if (config_load(cfg_path, &cfg, &errs, true)) {
		print_errors(&errs);
		if (!check_only)
			log_msg(LOG_ERR, "%s: invalid configuration, "
				"not starting", cfg_path);
		config_errors_free(&errs);
		config_free(&cfg);
		return 1;
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
		return 1;
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
	run = (struct running){ .cfg_path = cfg_path, .check = &in,
				.reader = &reader, .sender = &sender,
				.started_ms = now_ms() };
	rc = inspector_init(&in, &cfg, &stats, &report, NULL, NULL);
	if (!rc) {
		inspector_set_dump(&in, dump_state, &run);
		rc = inspector_start(&in);
	}
	if (rc) {
		log_msg(LOG_ERR, "cannot start the inspector");
		audit_sender_stop(&sender);
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
		/* A run over a file (-i) is no daemon: no pid file. */
		if (!input && cfg.pid_file && *cfg.pid_file) {
			if (pidfile_write(cfg.pid_file, getpid()))
				log_msg(LOG_WARNING, "pid file %s: %s",
					cfg.pid_file, strerror(errno));
			else
				pid_file = cfg.pid_file;
		}
		dump_target = &in;
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
	jsonlog_sink_close(&json_sink);
	config_free(&cfg);
	if (input)
		close(fd);
	return rc;
}
