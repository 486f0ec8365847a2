// SPDX-License-Identifier: GPL-2.0
/* The /metrics endpoint, on libmicrohttpd's own thread. Everything it
 * reads comes through the fill callback (kernel maps, at scrape time). */
#define _GNU_SOURCE
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "metrics.h"

#define MAX_BODY (256 * 1024)

struct fw_metrics_server {
	struct MHD_Daemon *daemon;
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
	static const char not_found[] = "not found: try GET /metrics\n";
	struct fw_metrics_server *s = cls;
	struct fw_metrics m;
	char *buf;
	enum MHD_Result ret;
	int n;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)state;
	if ((strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) ||
	    strcmp(url, "/metrics") != 0)
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", not_found,
			     sizeof(not_found) - 1);
	memset(&m, 0, sizeof(m));
	buf = malloc(MAX_BODY);
	if (!buf || s->fill(s->cookie, &m) < 0 || (n = fw_metrics_render(&m, buf, MAX_BODY)) < 0) {
		static const char broken[] = "cannot read the counters\n";

		free(buf);
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8", broken,
			     sizeof(broken) - 1);
	}
	ret = reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", buf, (size_t)n);
	free(buf);
	return ret;
}

struct fw_metrics_server *fw_metrics_serve(const char *host, uint16_t port,
					   fw_metrics_fill_fn fill, void *cookie, char *err,
					   size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct fw_metrics_server *s;
	struct addrinfo *ai = NULL;
	char port_text[8];
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD;
	int r;

	snprintf(port_text, sizeof(port_text), "%u", port);
	r = getaddrinfo(host, port_text, &hints, &ai);
	if (r != 0 || !ai) {
		snprintf(err, errlen, "--metrics-addr: cannot resolve '%s': %s", host,
			 gai_strerror(r));
		return NULL;
	}
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s = calloc(1, sizeof(*s));
	if (!s) {
		freeaddrinfo(ai);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->fill = fill;
	s->cookie = cookie;
	/* Few, short connections: a scraper, maybe two. Limits keep a
	 * misbehaving client from holding the endpoint or much memory. */
	s->daemon = MHD_start_daemon(flags, port, NULL, NULL, on_request, s,
				     MHD_OPTION_SOCK_ADDR, ai->ai_addr,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)16,
				     MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)8,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
				     MHD_OPTION_END);
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

void fw_metrics_stop(struct fw_metrics_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->daemon);
	free(s);
}
