/* SPDX-License-Identifier: GPL-2.0-or-later */
/* auparse_baseline.c -- the floor for parse throughput: feed a record
 * stream through libauparse and visit every field of every record, as
 * any auparse-based plugin must; do nothing else. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <auparse.h>

static unsigned long events, fields;

static void on_event(auparse_state_t *au, auparse_cb_event_t type, void *arg)
{
	(void)arg;
	if (type != AUPARSE_CB_EVENT_READY)
		return;
	events++;
	if (auparse_first_record(au) <= 0)
		return;
	do {
		if (auparse_first_field(au) <= 0)
			continue;
		do
			fields++;
		while (auparse_next_field(au) > 0);
	} while (auparse_next_record(au) > 0);
}

int main(int argc, char **argv)
{
	static char buf[64 * 1024];
	auparse_state_t *au;
	ssize_t n;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	au = auparse_init(AUSOURCE_FEED, NULL);
	auparse_add_callback(au, on_event, NULL, NULL);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		auparse_feed(au, buf, (size_t)n);
	auparse_flush_feed(au);
	auparse_destroy(au);
	printf("events=%lu fields=%lu\n", events, fields);
	return 0;
}
