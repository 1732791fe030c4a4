/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * auditsend.c -- send one user-space audit record through a raw
 * NETLINK_AUDIT socket, as any process with CAP_AUDIT_WRITE can (test g
 * of tests/e2e/hostile.sh).
 *
 *   auditsend TYPE TEXT
 *
 * Sends TEXT as a record of TYPE (1005 = AUDIT_USER) with NLM_F_ACK and
 * waits for the kernel's answer. Prints "sent" and exits 0 when the
 * kernel accepted it; prints "refused: ERRNO-TEXT (ERRNO)" and exits 1
 * when it refused it; other failures exit 2.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct {
		struct nlmsghdr h;
		char text[8192];
	} req;
	char reply[8192];
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 5 };
	struct nlmsghdr *h = (struct nlmsghdr *)reply;
	size_t len;
	ssize_t n;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: auditsend TYPE TEXT\n");
		return 2;
	}
	len = strlen(argv[2]);
	if (len + 1 > sizeof(req.text)) {
		fprintf(stderr, "auditsend: text too long\n");
		return 2;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (fd < 0) {
		printf("refused: socket: %s (%d)\n", strerror(errno), errno);
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&req, 0, sizeof(req));
	memcpy(req.text, argv[2], len + 1);
	req.h.nlmsg_len = NLMSG_LENGTH(len + 1);
	req.h.nlmsg_type = (unsigned short)atoi(argv[1]);
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.h.nlmsg_seq = 1;
	if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&nl,
		   sizeof(nl)) < 0) {
		printf("refused: sendto: %s (%d)\n", strerror(errno), errno);
		return 1;
	}
	n = recv(fd, reply, sizeof(reply), 0);
	if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) ||
	    h->nlmsg_type != NLMSG_ERROR) {
		printf("no answer from the kernel: %s\n",
		       n < 0 ? strerror(errno) : "short or unexpected reply");
		return 2;
	}
	{
		const struct nlmsgerr *e = NLMSG_DATA(h);

		if (e->error) {
			printf("refused: %s (%d)\n", strerror(-e->error),
			       -e->error);
			return 1;
		}
	}
	printf("sent\n");
	close(fd);
	return 0;
}
