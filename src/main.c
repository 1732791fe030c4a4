/* main.c -- audisp-dropexec: TRC-1022 DroppedExecutable as an auditd plugin
 *
 * The main thread is the reader: it takes auditd's records from stdin (or
 * -i FILE), turns complete events into candidates, decides their scope and
 * queues them. It never waits on a file check or on the audit socket: the
 * inspector thread checks files and writes findings, the sender thread
 * puts them back into the audit trail.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit_out.h"
#include "candidate.h"
#include "inspector.h"
#include "log.h"
#include "privs.h"
#include "record.h"
#include "scope.h"
#include "stats.h"

#define READ_CHUNK	(64 * 1024)

static volatile sig_atomic_t got_term;
static volatile sig_atomic_t got_hup;

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

/* What the reader needs while it runs. */
struct reader_state {
	struct inspector *in;
	struct scope_ctx scope;
	enum scope_mode mode;
	struct stats *stats;
};

/* Reader side: scope a candidate and queue it, never waiting. */
static void on_candidate(struct candidate *c, void *arg)
{
	struct reader_state *rs = arg;

	atomic_fetch_add(&rs->stats->candidates, 1);
	if (!strncmp(c->path, "memfd:", 6)) {
		atomic_fetch_add(&rs->stats->out_of_scope, 1);
		candidate_free(c);
		return;
	}
	/* A name below /dev/shm is let go once the inspector has seen that
	 * the file is really on that mount (not behind a symlink). */
	c->shm_dir = path_shm_dir(c->path);
	scope_decide(&rs->scope, c);
	if (rs->mode == SCOPE_CONTAINER && !c->container.in_container) {
		atomic_fetch_add(&rs->stats->out_of_scope, 1);
		candidate_free(c);
		return;
	}
	if (c->container.in_container)
		scope_read_parent(&rs->scope, c);
	inspector_submit(rs->in, c);
}

/* Reader side, before CWD and PATH are read: a live host process is let
 * go at once when only containers count. Its verdict is cached. */
static bool keep_process(pid_t pid, void *arg)
{
	struct reader_state *rs = arg;
	struct container_ref ref;

	if (rs->mode != SCOPE_CONTAINER)
		return true;
	memset(&ref, 0, sizeof(ref));
	return scope_lookup_pid(&rs->scope, pid, &ref) != 0;
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
static void reload(const char *path, struct reader_state *rs)
{
	struct config_errors errs = { 0 };
	struct config *next = malloc(sizeof(*next));

	if (!next)
		return;
	if (config_load(path, next, &errs, true)) {
		print_errors(&errs);
		log_msg(LOG_ERR, "%s: not reloaded, keeping the running "
			"configuration", path);
		config_errors_free(&errs);
		config_free(next);
		free(next);
	} else {
		rs->mode = next->scope;
		inspector_set_config(rs->in, next);
		log_msg(LOG_NOTICE, "%s: reloaded", path);
	}
	inspector_reopen_log(rs->in);
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
	sigprocmask(SIG_SETMASK, &block, NULL);
	sigemptyset(wait_mask);
}

static int read_loop(int fd, struct record_reader *rr, const char *cfg_path,
		     struct reader_state *rs, const sigset_t *wait_mask)
{
	char *buf = malloc(READ_CHUNK);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	const struct timespec idle = { .tv_sec = 0, .tv_nsec = 200000000 };

	if (!buf)
		return -1;
	while (!got_term) {
		ssize_t n;
		int r;

		if (got_hup) {
			got_hup = 0;
			reload(cfg_path, rs);
		}
		r = ppoll(&pfd, 1, &idle, wait_mask);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_ERR, "poll: %s", strerror(errno));
			break;
		}
		if (r == 0) {
			/* idle: finish events whose EOE never came */
			record_reader_age(rr);
			continue;
		}
		n = read(fd, buf, READ_CHUNK);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			log_msg(LOG_ERR, "read: %s", strerror(errno));
			break;
		}
		if (n == 0)
			break;
		record_reader_feed(rr, buf, (size_t)n);
	}
	free(buf);
	return 0;
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
	struct config_errors errs = { 0 };
	struct reader_state rs;
	struct record_reader rr;
	struct audit_sender sender;
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
	if (inspector_init(&in, &cfg, &stats, &sender, NULL, NULL) ||
	    inspector_start(&in)) {
		log_msg(LOG_ERR, "cannot start the inspector");
		audit_sender_stop(&sender);
		return 1;
	}
	memset(&rs, 0, sizeof(rs));
	rs.in = &in;
	rs.mode = cfg.scope;
	rs.stats = &stats;
	scope_init(&rs.scope, NULL, NULL);
	rs.scope.pid_ttl_ms = 250;
	if (record_reader_init(&rr, on_candidate, &rs, &stats, getpid())) {
		rr.keep = NULL;
		log_msg(LOG_ERR, "cannot initialise auparse");
		rc = 1;
	} else {
		rr.keep = keep_process;
		log_msg(LOG_INFO, "started (config %s, scope %s)", cfg_path,
			cfg.scope == SCOPE_ALL ? "all" : "container");
		read_loop(fd, &rr, cfg_path, &rs, &wait_mask);
		record_reader_flush(&rr);
		record_reader_destroy(&rr);
	}

	/* Finish the checks under way, send what is queued, then stop. */
	inspector_stop(&in);
	audit_sender_stop(&sender);
	stats_format(&stats, buf, sizeof(buf));
	log_msg(LOG_INFO, "stopping: %s", buf);
	inspector_free(&in);
	scope_free(&rs.scope);
	config_free(&cfg);
	if (input)
		close(fd);
	return rc;
}
