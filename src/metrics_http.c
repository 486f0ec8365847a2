// SPDX-License-Identifier: GPL-2.0
/* The /metrics endpoint, on libmicrohttpd's own thread. Everything it
 * reads comes through the fill callback (kernel maps, at scrape time). */
#define _GNU_SOURCE
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "metrics.h"

#define MAX_BODY (256 * 1024)

struct fw_metrics_server {
	struct MHD_Daemon *daemon;
	unsigned flags;
	fw_metrics_fill_fn fill;
	void *cookie;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     const char *body, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **state)
{
	struct fw_metrics_server *s = cls;
	struct fw_http_answer a;
	char *buf = NULL;
	enum MHD_Result ret;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)state;
	/* What is answered is decided in metrics.c (fuzzed there). */
	if (fw_metrics_wanted(method, url))
		buf = malloc(MAX_BODY);
	fw_metrics_answer(method, url, s->fill, s->cookie, buf, MAX_BODY, &a);
	ret = reply(c, a.status, a.content_type, a.body, a.len);
	free(buf);
	return ret;
}

/* Few, short connections: a scraper, maybe two. Limits keep a misbehaving
 * client from holding the endpoint or much memory. Listens on addr, or
 * serves the socket listen_fd when addr is NULL. */
static struct MHD_Daemon *start(struct fw_metrics_server *s, uint16_t port,
				const struct sockaddr *addr, MHD_socket listen_fd)
{
	if (addr)
		return MHD_start_daemon(s->flags, port, NULL, NULL, on_request, s,
					MHD_OPTION_SOCK_ADDR, addr,
					MHD_OPTION_CONNECTION_LIMIT, (unsigned)16,
					MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)8,
					MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
					MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
					MHD_OPTION_END);
	return MHD_start_daemon(s->flags, 0, NULL, NULL, on_request, s,
				MHD_OPTION_LISTEN_SOCKET, listen_fd,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)16,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)8,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
				MHD_OPTION_END);
}

struct fw_metrics_server *fw_metrics_serve(const char *host, uint16_t port,
					   fw_metrics_fill_fn fill, void *cookie, char *err,
					   size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct fw_metrics_server *s;
	struct addrinfo *ai = NULL;
	char port_text[8];
	int r;

	snprintf(port_text, sizeof(port_text), "%u", port);
	r = getaddrinfo(host, port_text, &hints, &ai);
	if (r != 0 || !ai) {
		snprintf(err, errlen, "--metrics-addr: cannot resolve '%s': %s", host,
			 gai_strerror(r));
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		freeaddrinfo(ai);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* ITC: the daemon can be quiesced and its socket handed on
	 * (fw_metrics_restart). */
	s->flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC;
	if (ai->ai_family == AF_INET6)
		s->flags |= MHD_USE_IPv6;
	s->fill = fill;
	s->cookie = cookie;
	s->daemon = start(s, port, ai->ai_addr, MHD_INVALID_SOCKET);
	freeaddrinfo(ai);
	if (!s->daemon) {
		snprintf(err, errlen,
			 "--metrics-addr: cannot listen on %s:%u (in use, or not an address of this "
			 "host?)", host, port);
		free(s);
		return NULL;
	}
	return s;
}

int fw_metrics_restart(struct fw_metrics_server *s, char *err, size_t errlen)
{
	MHD_socket fd = MHD_quiesce_daemon(s->daemon);

	if (fd == MHD_INVALID_SOCKET) {
		snprintf(err, errlen, "--metrics-addr: cannot hand the listening socket on");
		return -1;
	}
	/* Connections that arrive meanwhile wait in the socket's backlog. */
	MHD_stop_daemon(s->daemon);
	s->daemon = start(s, 0, NULL, fd);
	if (!s->daemon) {
		close(fd);
		snprintf(err, errlen, "--metrics-addr: cannot serve again after the privilege drop");
		return -1;
	}
	return 0;
}

void fw_metrics_stop(struct fw_metrics_server *s)
{
	if (!s)
		return;
	if (s->daemon)
		MHD_stop_daemon(s->daemon);
	free(s);
}
