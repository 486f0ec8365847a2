// SPDX-License-Identifier: GPL-2.0
/*
 * fw-netprobe: the network traffic the examples' tests need, under a comm
 * of the test's choosing (fw-net-block and friends match by comm).
 *
 *   fw-netprobe COMM call CALL              one network call on loopback:
 *       connect, sendto, recvfrom, sendmsg, recvmsg, sendmmsg, recvmmsg
 *   fw-netprobe COMM udp-send SRC DST PORT COUNT
 *   fw-netprobe COMM udp-recv ADDR PORT SECONDS    prints "received N"
 *   fw-netprobe COMM tcp-connect SRC DST PORT MS   0 connected, 4 timed out
 *   fw-netprobe COMM tcp-listen ADDR PORT SECONDS  prints "accepted N"
 *   fw-netprobe COMM ping SRC DST MS               ICMP echo: 0 answered, 4 not
 *
 * Exit status: 0 done, 3 the kernel said EPERM, 4 timed out, 1 any other
 * error, 2 usage. SRC "-" lets the kernel choose the source address.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int fail(const char *what)
{
	int e = errno;

	printf("%s: %s\n", what, strerror(e));
	return e == EPERM ? 3 : 1;
}

static int addr_of(const char *ip, const char *port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((unsigned short)atoi(port));
	if (!strcmp(ip, "-"))
		return 0;
	return inet_pton(AF_INET, ip, &sa->sin_addr) == 1 ? 0 : -1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One call of the family on a UDP socket bound to 127.0.0.1 (sends go to
 * itself, receives find nothing and say EAGAIN: the call was made). */
static int one_call(const char *call)
{
	struct sockaddr_in self = { .sin_family = AF_INET };
	socklen_t len = sizeof(self);
	char buf[16] = "fw";
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct mmsghdr mm = { .msg_hdr = msg };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	ssize_t rc;

	if (fd < 0)
		return fail("socket");
	self.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&self, sizeof(self)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&self, &len) < 0)
		return fail("bind");
	msg.msg_name = &self;
	msg.msg_namelen = sizeof(self);
	mm.msg_hdr = msg;
	if (!strcmp(call, "connect"))
		rc = connect(fd, (struct sockaddr *)&self, sizeof(self));
	else if (!strcmp(call, "sendto"))
		rc = sendto(fd, buf, 2, 0, (struct sockaddr *)&self, sizeof(self));
	else if (!strcmp(call, "recvfrom"))
		rc = recvfrom(fd, buf, sizeof(buf), 0, NULL, NULL);
	else if (!strcmp(call, "sendmsg"))
		rc = sendmsg(fd, &msg, 0);
	else if (!strcmp(call, "recvmsg"))
		rc = recvmsg(fd, &msg, 0);
	else if (!strcmp(call, "sendmmsg"))
		rc = sendmmsg(fd, &mm, 1, 0);
	else if (!strcmp(call, "recvmmsg"))
		rc = recvmmsg(fd, &mm, 1, 0, NULL);
	else {
		fprintf(stderr, "fw-netprobe: unknown call '%s'\n", call);
		return 2;
	}
	if (rc < 0 && errno != EAGAIN)
		return fail(call);
	printf("%s ok\n", call);
	return 0;
}

static unsigned short icmp_sum(const void *p, size_t len)
{
	const unsigned short *w = p;
	unsigned long sum = 0;

	for (; len > 1; len -= 2)
		sum += *w++;
	if (len)
		sum += *(const unsigned char *)w;
	sum = (sum >> 16) + (sum & 0xffff);
	sum += sum >> 16;
	return (unsigned short)~sum;
}

/* One ICMP echo request from src to dst on a raw socket; waits ms for the
 * reply that carries our id. */
static int ping(const char *src_ip, const char *dst_ip, int ms)
{
	struct sockaddr_in src, dst;
	unsigned char req[16] = { 8, 0 }, buf[1500];
	unsigned short id = (unsigned short)getpid(), sum;
	double end = now() + ms / 1000.0;
	int fd;

	if (addr_of(src_ip, "0", &src) < 0 || addr_of(dst_ip, "0", &dst) < 0)
		return 2;
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (fd < 0)
		return fail("socket");
	if (strcmp(src_ip, "-") && bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
		return fail("bind");
	memcpy(req + 4, &id, 2);
	req[7] = 1; /* sequence */
	sum = icmp_sum(req, sizeof(req));
	memcpy(req + 2, &sum, 2);
	if (sendto(fd, req, sizeof(req), 0, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		return fail("sendto");
	while (now() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		size_t ihl;

		if (poll(&p, 1, 20) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 20)
			continue;
		ihl = (size_t)(buf[0] & 0xf) * 4;
		if ((size_t)n >= ihl + 8 && buf[ihl] == 0 && !memcmp(buf + ihl + 4, &id, 2)) {
			printf("answered\n");
			return 0;
		}
	}
	printf("ping: no answer\n");
	return 4;
}

int main(int argc, char **argv)
{
	struct sockaddr_in src, dst;
	int fd, one = 1;

	if (argc < 3)
		goto usage;
	prctl(PR_SET_NAME, argv[1]);
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(argv[2], "call") && argc == 4)
		return one_call(argv[3]);
	if (!strcmp(argv[2], "ping") && argc == 6)
		return ping(argv[3], argv[4], atoi(argv[5]));
	if (!strcmp(argv[2], "udp-send") && argc == 7) {
		int i, n = atoi(argv[6]);

		if (addr_of(argv[3], "0", &src) < 0 || addr_of(argv[4], argv[5], &dst) < 0)
			goto usage;
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd < 0)
			return fail("socket");
		if (strcmp(argv[3], "-") && bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
			return fail("bind");
		for (i = 0; i < n; i++) {
			if (sendto(fd, "fw", 2, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0)
				return fail("sendto");
			usleep(2000);
		}
		printf("sent %d\n", n);
		return 0;
	}
	if (!strcmp(argv[2], "udp-recv") && argc == 6) {
		double end = now() + atof(argv[5]);
		int n = 0;
		char buf[64];

		if (addr_of(argv[3], argv[4], &src) < 0)
			goto usage;
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
			return fail("bind");
		printf("listening\n");
		while (now() < end) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (poll(&p, 1, 50) > 0 && recv(fd, buf, sizeof(buf), 0) > 0)
				n++;
		}
		printf("received %d\n", n);
		return 0;
	}
	if (!strcmp(argv[2], "tcp-connect") && argc == 7) {
		struct pollfd p;
		int err = 0;
		socklen_t len = sizeof(err);

		if (addr_of(argv[3], "0", &src) < 0 || addr_of(argv[4], argv[5], &dst) < 0)
			goto usage;
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fd < 0)
			return fail("socket");
		if (strcmp(argv[3], "-") && bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
			return fail("bind");
		if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0 && errno != EINPROGRESS)
			return fail("connect");
		p.fd = fd;
		p.events = POLLOUT;
		if (poll(&p, 1, atoi(argv[6])) == 0) {
			printf("connect: timed out\n");
			return 4;
		}
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err) {
			errno = err;
			return fail("connect");
		}
		printf("connected\n");
		return 0;
	}
	if (!strcmp(argv[2], "tcp-listen") && argc == 6) {
		double end = now() + atof(argv[5]);
		int n = 0;

		if (addr_of(argv[3], argv[4], &src) < 0)
			goto usage;
		fd = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (fd < 0 || bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0 || listen(fd, 64) < 0)
			return fail("listen");
		printf("listening\n");
		while (now() < end) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			int c;

			if (poll(&p, 1, 50) > 0 && (c = accept(fd, NULL, NULL)) >= 0) {
				n++;
				close(c);
			}
		}
		printf("accepted %d\n", n);
		return 0;
	}
usage:
	fprintf(stderr, "usage: see the comment at the top of tests/netprobe.c\n");
	return 2;
}
