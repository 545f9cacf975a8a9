// SPDX-License-Identifier: GPL-2.0
/*
 * liblu: the client side of luod.  See liblu.h and luod_proto.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "liblu.h"

/* Largest reply message. */
#define LUOD_MSG_MAX	sizeof(struct luod_status_rec)

struct luod {
	int sock;
	uint32_t owner;
	int event;		/* an event seen while waiting for a reply */
	char reason[LUOD_REASON_MAX];
};

struct luod *luod_connect(const char *path, int *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct luod *c;

	if (!path)
		path = LUOD_SOCKET;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		*err = -ENAMETOOLONG;
		return NULL;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	c = calloc(1, sizeof(*c));
	if (!c) {
		*err = -ENOMEM;
		return NULL;
	}
	c->owner = LUOD_OWNER_SELF;
	c->sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->sock < 0 || connect(c->sock, (struct sockaddr *)&sa, sizeof(sa))) {
		*err = -errno;
		if (c->sock >= 0)
			close(c->sock);
		free(c);
		return NULL;
	}
	return c;
}

void luod_close(struct luod *c)
{
	if (!c)
		return;
	close(c->sock);
	free(c);
}

int luod_fd(struct luod *c)
{
	return c->sock;
}

const char *luod_reason(struct luod *c)
{
	return c->reason;
}

void luod_set_owner(struct luod *c, uint32_t uid)
{
	c->owner = uid;
}

int luod_valid_name(const char *name)
{
	size_t len = strnlen(name, LUOD_NAME_MAX + 1);

	if (!len || len > LUOD_NAME_MAX)
		return 0;
	return strspn(name, LUOD_NAME_CHARS) == len;
}

static int luod_request(struct luod *c, enum luod_op op, const char *session,
			uint64_t token, const char *text, const int *fds, int nfds)
{
	struct luod_req req = {
		.magic = LUOD_MAGIC, .version = LUOD_VERSION, .op = op,
		.owner = c->owner, .token = token,
	};
	size_t len = LUOD_REQ_MIN;

	c->reason[0] = '\0';
	if (session) {
		if (strlen(session) > LUOD_NAME_MAX)
			return -ENAMETOOLONG;
		snprintf(req.session, sizeof(req.session), "%s", session);
	}
	if (text) {
		if (strlen(text) >= LUOD_TEXT_MAX)
			return -E2BIG;
		snprintf(req.text, sizeof(req.text), "%s", text);
		len = sizeof(req);
	}
	return lu_send(c->sock, &req, len, fds, nfds, 0);
}

/*
 * Receive one message into BUF (LUOD_MSG_MAX bytes); at most one
 * descriptor goes to *FD (-1 if none).  Returns its type, or -errno
 * (-EPIPE on EOF, -EPROTO for garbage).
 */
static int luod_recv_one(struct luod *c, void *buf, int *fd)
{
	struct luod_hdr *h = buf;
	int fds[LUOD_MAX_FDS], nfds = LUOD_MAX_FDS, i;
	long n;

	n = lu_recv(c->sock, buf, LUOD_MSG_MAX, fds, &nfds, NULL);
	if (n <= 0)
		return n ? n : -EPIPE;
	for (i = fd && nfds ? 1 : 0; i < nfds; i++)
		close(fds[i]);
	if (fd)
		*fd = nfds ? fds[0] : -1;
	if (n < (long)sizeof(*h) || n > (long)LUOD_MSG_MAX ||
	    h->magic != LUOD_MAGIC || h->len != n) {
		if (fd && *fd >= 0)
			close(*fd);
		return -EPROTO;
	}
	return h->type;
}

/* The next reply message, remembering the events that come first. */
static int luod_next(struct luod *c, void *buf, int *fd)
{
	int type;

	while ((type = luod_recv_one(c, buf, fd)) >= LUOD_EV_UPDATE) {
		c->event = type;
		if (fd && *fd >= 0)
			close(*fd);
	}
	return type;
}

/* The result of a LUOD_R_DONE message. */
static int luod_done(struct luod *c, const void *buf)
{
	const struct luod_done *d = buf;

	snprintf(c->reason, sizeof(c->reason), "%.*s",
		 (int)sizeof(d->reason), d->reason);
	return d->hdr.err ? -d->hdr.err : 0;
}

/* Send a request that is answered by LUOD_R_DONE alone. */
static int luod_simple(struct luod *c, enum luod_op op, const char *session,
		       uint64_t token, const char *text, const int *fds, int nfds)
{
	char buf[LUOD_MSG_MAX];
	int type;

	type = luod_request(c, op, session, token, text, fds, nfds);
	if (type)
		return type;
	type = luod_next(c, buf, NULL);
	if (type < 0)
		return type;
	return type == LUOD_R_DONE ? luod_done(c, buf) : -EPROTO;
}

int luod_ping(struct luod *c)
{
	return luod_simple(c, LUOD_PING, NULL, 0, NULL, NULL, 0);
}

int luod_create(struct luod *c, const char *session)
{
	return luod_simple(c, LUOD_CREATE, session, 0, NULL, NULL, 0);
}

int luod_preserve(struct luod *c, const char *session, uint64_t token, int fd)
{
	return luod_simple(c, LUOD_PRESERVE, session, token, NULL, &fd, 1);
}

int luod_unpreserve(struct luod *c, const char *session)
{
	return luod_simple(c, LUOD_UNPRESERVE, session, 0, NULL, NULL, 0);
}

int luod_finish(struct luod *c, const char *session)
{
	return luod_simple(c, LUOD_FINISH, session, 0, NULL, NULL, 0);
}

int luod_update(struct luod *c)
{
	return luod_simple(c, LUOD_UPDATE, NULL, 0, NULL, NULL, 0);
}

int luod_load(struct luod *c, int kfd, int ifd, const char *cmdline)
{
	int fds[2] = { kfd, ifd };

	return luod_simple(c, LUOD_LOAD, NULL, 0, cmdline, fds, ifd < 0 ? 1 : 2);
}

static int luod_add_file(struct luod_file **files, size_t *n,
			 const struct luod_file_rec *r, int fd)
{
	struct luod_file *f = realloc(*files, (*n + 1) * sizeof(**files));

	if (!f)
		return -ENOMEM;
	*files = f;
	f[*n] = (struct luod_file){
		.token = r->token, .size = r->size, .fd = fd, .err = r->err,
	};
	(*n)++;
	return 0;
}

static void luod_fill_session(struct luod_session *s,
			      const struct luod_session_rec *r)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->name, r->name, sizeof(s->name) - 1);
	s->owner = r->owner;
	s->gid = r->gid;
	s->pid = r->pid;
	s->state = r->state;
	s->created_ns = r->created_ns;
	memcpy(s->comm, r->comm, sizeof(s->comm) - 1);
	s->bytes = r->bytes;
}

void luod_free_sessions(struct luod_session *s, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(s[i].files);
	free(s);
}

/* Take one message of a LIST reply into *OUT (N sessions so far). */
static int luod_list_msg(const void *buf, int type, struct luod_session **out,
			 int *n)
{
	struct luod_session *s;

	if (type == LUOD_R_SESSION) {
		s = realloc(*out, (*n + 1) * sizeof(**out));
		if (!s)
			return -ENOMEM;
		*out = s;
		luod_fill_session(&s[(*n)++], buf);
		return 0;
	}
	if (type != LUOD_R_FILE || !*n)
		return -EPROTO;
	s = &(*out)[*n - 1];
	return luod_add_file(&s->files, &s->nr_files, buf, -1);
}

int luod_list(struct luod *c, struct luod_session **out)
{
	char buf[LUOD_MSG_MAX];
	int type, n = 0, err = 0;

	*out = NULL;
	type = luod_request(c, LUOD_LIST, NULL, 0, NULL, NULL, 0);
	if (type)
		return type;
	while ((type = luod_next(c, buf, NULL)) > 0 && type != LUOD_R_DONE) {
		if (!err)
			err = luod_list_msg(buf, type, out, &n);
	}
	if (type == LUOD_R_DONE && !err)
		err = luod_done(c, buf);
	if (type < 0)
		err = type;
	if (err) {
		luod_free_sessions(*out, n);
		*out = NULL;
		return err;
	}
	return n;
}

int luod_retrieve(struct luod *c, const char *session, struct luod_file **out)
{
	char buf[LUOD_MSG_MAX];
	size_t n = 0;
	int type, fd, err = 0;

	*out = NULL;
	type = luod_request(c, LUOD_RETRIEVE, session, 0, NULL, NULL, 0);
	if (type)
		return type;
	while ((type = luod_next(c, buf, &fd)) == LUOD_R_FILE) {
		if (!err)
			err = luod_add_file(out, &n, (void *)buf, fd);
		else if (fd >= 0)
			close(fd);
	}
	if (type == LUOD_R_DONE && !err)
		err = luod_done(c, buf);
	else if (!err)
		err = type < 0 ? type : -EPROTO;
	if (err) {
		while (n--)
			if ((*out)[n].fd >= 0)
				close((*out)[n].fd);
		free(*out);
		*out = NULL;
		return err;
	}
	return n;
}

/* Send OP and copy its one record of type TYPE and LEN bytes to OUT. */
static int luod_record(struct luod *c, enum luod_op op, int want, void *out,
		       size_t len)
{
	char buf[LUOD_MSG_MAX];
	int type, err = -EPROTO;

	type = luod_request(c, op, NULL, 0, NULL, NULL, 0);
	if (type)
		return type;
	while ((type = luod_next(c, buf, NULL)) > 0 && type != LUOD_R_DONE) {
		if (type == want && ((struct luod_hdr *)buf)->len == len) {
			memcpy(out, buf, len);
			err = 0;
		}
	}
	if (type < 0)
		return type;
	type = luod_done(c, buf);
	return type ? type : err;
}

int luod_status(struct luod *c, struct luod_status_rec *st)
{
	return luod_record(c, LUOD_STATUS, LUOD_R_STATUS, st, sizeof(*st));
}

int luod_blackout(struct luod *c, struct luod_blackout_rec *b)
{
	return luod_record(c, LUOD_BLACKOUT, LUOD_R_BLACKOUT, b, sizeof(*b));
}

int luod_wait_event(struct luod *c, int timeout_ms)
{
	struct pollfd p = { .fd = c->sock, .events = POLLIN };
	char buf[LUOD_MSG_MAX];
	int ret;

	if (c->event) {
		ret = c->event;
		c->event = 0;
		return ret;
	}
	do {
		ret = poll(&p, 1, timeout_ms);
		if (ret <= 0)
			return ret < 0 ? -errno : 0;
		ret = luod_recv_one(c, buf, NULL);
		/* A reply nobody waits for is skipped. */
	} while (ret > 0 && ret < LUOD_EV_UPDATE);
	return ret;
}
