// SPDX-License-Identifier: GPL-2.0
/*
 * luod_fuzz [-L SOCKET] [-u UID:GID] [-n COUNT] [-s SEED]
 *
 * A socket fuzzer for luod.  As UID:GID (a client, not root), it first
 * checks that each kind of malformed request gets its error reply (an
 * empty message, which cannot be told from EOF, ends the connection), then
 * sends COUNT (default 3000) random requests: random bytes, valid headers
 * with random fields cut at random lengths, oversized ones, with 0 to 12
 * random file descriptors (memfds, /dev/null, pipes, sockets, a named
 * tmpfs file, a directory, the connection itself), on several
 * connections, some closed without reading the reply.  Every 250 requests
 * a new connection must still get an answer to PING.  At the end, a
 * session preserved before the fuzzing must still be listed with its
 * file, and every session the fuzzer created is released, so that luod
 * holds the same descriptors as before (the test script checks that).
 * KTAP output, one line per check; exit status 1 at the first failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "liblu.h"
#include "lu_tap.h"

#define MAX_SEND_FDS	12	/* luod takes at most 2 */
#define NR_CONNS	4

static const char *path = LUOD_SOCKET;
static unsigned int seed = 1;
static unsigned long sent, replies;

static unsigned int rnd(unsigned int n)
{
	return n ? (unsigned int)random() % n : 0;
}

static int connect_raw(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		lu_fail("connect %s: %s", path, strerror(errno));
	return fd;
}

/* A random file descriptor of some kind; the caller closes it. */
static int random_fd(int sock)
{
	int p[2], fd;

	switch (rnd(8)) {
	case 0:
		fd = memfd_create("fuzz", MFD_CLOEXEC);
		if (fd >= 0 && ftruncate(fd, rnd(4) * 4096))
			break;
		return fd;
	case 1:
		return open("/dev/null", O_RDWR | O_CLOEXEC);
	case 2:
		if (pipe2(p, O_CLOEXEC))
			break;
		close(p[1]);
		return p[0];
	case 3:
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p))
			break;
		close(p[1]);
		return p[0];
	case 4:
		return open("/tmp/luod_fuzz.file", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	case 5:
		return open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	case 6:
		return dup(sock);
	default:
		return open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	}
	/* Something failed: a descriptor all the same. */
	return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/*
 * Send LEN bytes of BUF with NFDS random descriptors.  Returns 0, or -1
 * if luod has closed the connection (it does on an empty message).
 */
static int send_raw(int sock, const void *buf, size_t len, int nfds)
{
	int fds[MAX_SEND_FDS] = { 0 }, i, err;

	for (i = 0; i < nfds; i++)
		fds[i] = random_fd(sock);
	err = lu_send(sock, buf, len, fds, nfds, MSG_DONTWAIT);
	if (!err)
		sent++;
	for (i = 0; i < nfds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return err == -EPIPE || err == -ECONNRESET ? -1 : 0;
}

/*
 * Read reply messages for up to MS milliseconds, until a LUOD_R_DONE;
 * close any descriptor that comes along.  Its error, or 1 if none came.
 */
static int drain(int sock, int ms)
{
	char buf[8192];
	struct luod_done *d = (void *)buf;
	int fds[LUOD_MAX_FDS], nfds, i;
	struct pollfd p = { .fd = sock, .events = POLLIN };
	long n;

	while (poll(&p, 1, ms) == 1) {
		nfds = LUOD_MAX_FDS;
		n = lu_recv(sock, buf, sizeof(buf), fds, &nfds, NULL);
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		if (n <= 0)
			return 1;
		if (n >= (long)sizeof(d->hdr) && d->hdr.type == LUOD_R_DONE) {
			replies++;
			return d->hdr.err;
		}
	}
	return 1;
}

static void req_init(struct luod_req *q, uint16_t op, const char *session)
{
	memset(q, 0, sizeof(*q));
	q->magic = LUOD_MAGIC;
	q->version = LUOD_VERSION;
	q->op = op;
	q->owner = LUOD_OWNER_SELF;
	snprintf(q->session, sizeof(q->session), "%s", session);
}

/* One malformed request must get the error WANT. */
static void expect_reply(const char *what, const void *buf, size_t len, int nfds,
			 int want)
{
	int sock = connect_raw(), got;

	lu_tap_cmd = what;
	send_raw(sock, buf, len, nfds);
	got = drain(sock, 5000);
	close(sock);
	if (got != want)
		lu_fail("reply %d (%s), expected %s", got, got == 1 ? "none" : strerror(got),
			strerror(want));
	lu_result(1, NULL);
}

/* An empty message ends the connection; its descriptors are closed. */
static void empty_message(void)
{
	int sock = connect_raw(), got;

	lu_tap_cmd = "empty message with descriptors";
	send_raw(sock, "", 0, 2);
	got = drain(sock, 5000);
	close(sock);
	if (got != 1)
		lu_fail("a reply (%d) instead of the end of the connection", got);
	lu_result(1, NULL);
}

static void malformed(void)
{
	static char big[8192];
	struct luod_req q;

	req_init(&q, LUOD_PING, "");
	expect_reply("oversized request", big, sizeof(big), 0, EMSGSIZE);
	expect_reply("truncated request", &q, 3, 0, EINVAL);
	q.magic = 0x12345678;
	expect_reply("bad magic", &q, LUOD_REQ_MIN, 0, EPROTO);
	req_init(&q, 999, "");
	expect_reply("unknown request", &q, LUOD_REQ_MIN, 0, EOPNOTSUPP);
	req_init(&q, LUOD_PRESERVE, "fz-keep");
	expect_reply("PRESERVE without a descriptor", &q, LUOD_REQ_MIN, 0, EINVAL);
	req_init(&q, LUOD_LIST, "");
	expect_reply("LIST with descriptors", &q, LUOD_REQ_MIN, 2, EINVAL);
	expect_reply("too many descriptors", &q, LUOD_REQ_MIN, MAX_SEND_FDS, EINVAL);
	req_init(&q, LUOD_CREATE, "bad/name");
	expect_reply("bad session name", &q, LUOD_REQ_MIN, 0, EINVAL);
	memset(q.session, 'x', sizeof(q.session));
	expect_reply("unterminated session name", &q, LUOD_REQ_MIN, 0, EINVAL);
	req_init(&q, LUOD_UPDATE, "");
	expect_reply("UPDATE from a client", &q, LUOD_REQ_MIN, 0, EPERM);
	req_init(&q, LUOD_LIST, "");
	q.owner = 0;
	expect_reply("LIST of root's sessions", &q, LUOD_REQ_MIN, 0, EPERM);
	empty_message();
}

static const char *const names[] = {
	"fz-a", "fz-b", "fz-c", "", "x", "fz.c_d-e", "../etc", "fz a",
};

/* A request with random fields, or random bytes; random length. */
static int random_request(int sock)
{
	static unsigned char buf[6000];
	struct luod_req *q = (void *)buf;
	size_t len, i;

	if (rnd(4) == 0) {
		len = rnd(sizeof(buf));
		for (i = 0; i < len; i++)
			buf[i] = rnd(256);
	} else {
		req_init(q, rnd(LUOD_OP_MAX + 3), names[rnd(8)]);
		q->owner = rnd(3) ? LUOD_OWNER_SELF : rnd(2) ? 0 : random();
		q->token = rnd(4);
		q->flags = rnd(3) ? 0 : random();
		if (rnd(8) == 0)
			memset(q->text, 'c', sizeof(q->text));
		len = rnd(3) ? LUOD_REQ_MIN : rnd(sizeof(*q) + 64);
	}
	return send_raw(sock, buf, len, rnd(4) ? rnd(3) : rnd(MAX_SEND_FDS + 1));
}

static void ping_new_connection(void)
{
	struct luod *c;
	int err;

	c = luod_connect(path, &err);
	if (!c)
		lu_fail("luod stopped serving after %lu requests: %s", sent, strerror(-err));
	err = luod_ping(c);
	luod_close(c);
	if (err)
		lu_fail("PING after %lu requests: %s", sent, strerror(-err));
}

static void fuzz(unsigned long count)
{
	int socks[NR_CONNS], i;
	unsigned long n;

	lu_tap_cmd = "random requests";
	for (i = 0; i < NR_CONNS; i++)
		socks[i] = connect_raw();
	for (n = 1; n <= count; n++) {
		i = rnd(NR_CONNS);
		if (random_request(socks[i]) || rnd(10) == 0) {
			/* Gone without reading the reply. */
			close(socks[i]);
			socks[i] = connect_raw();
		} else {
			drain(socks[i], 50);
		}
		if (n % 250 == 0)
			ping_new_connection();
	}
	for (i = 0; i < NR_CONNS; i++)
		close(socks[i]);
	ping_new_connection();
	lu_result(1, "%lu sent, %lu answered, luod still serves (seed %u)", sent,
		  replies, seed);
}

/* The session of before the fuzzing is intact; release everything else. */
static void check_and_clean(struct luod *c)
{
	struct luod_session *ss;
	int n, i, kept = 0;

	lu_tap_cmd = "state after fuzzing";
	n = luod_list(c, &ss);
	if (n < 0)
		lu_fail("list: %s", strerror(-n));
	for (i = 0; i < n; i++) {
		if (!strcmp(ss[i].name, "fz-keep")) {
			kept = ss[i].nr_files == 1 && ss[i].files[0].token == 7 &&
			       ss[i].files[0].size == 8192;
			continue;
		}
		if (luod_unpreserve(c, ss[i].name) &&
		    ss[i].state == LUOD_S_OUTGOING)
			lu_fail("unpreserve %s: %s", ss[i].name, luod_reason(c));
	}
	luod_free_sessions(ss, n);
	if (!kept)
		lu_fail("session fz-keep lost its file");
	if (luod_unpreserve(c, "fz-keep"))
		lu_fail("unpreserve fz-keep: %s", luod_reason(c));
	lu_result(1, "fz-keep intact, %d other session(s) released", n - 1);
}

static struct luod *keep_session(void)
{
	struct luod *c;
	int fd, err;

	lu_tap_cmd = "a session before fuzzing";
	c = luod_connect(path, &err);
	if (!c)
		lu_fail("connect: %s", strerror(-err));
	fd = memfd_create("keep", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 8192))
		lu_fail("memfd: %s", strerror(errno));
	err = luod_create(c, "fz-keep");
	if (!err)
		err = luod_preserve(c, "fz-keep", 7, fd);
	if (err)
		lu_fail("%s", luod_reason(c));
	close(fd);
	lu_result(1, NULL);
	return c;
}

static const char usage[] =
	"usage: luod_fuzz [-L SOCKET] [-u UID:GID] [-n COUNT] [-s SEED]\n";

int main(int argc, char **argv)
{
	unsigned long count = 3000;
	unsigned int uid = 0, gid = 0;
	struct luod *c;
	int opt;

	lu_tap_prefix = "luod_fuzz";
	while ((opt = getopt(argc, argv, "L:u:n:s:")) != -1) {
		if (opt == 'L')
			path = optarg;
		else if (opt == 'u' && sscanf(optarg, "%u:%u", &uid, &gid) == 2)
			continue;
		else if (opt == 'n')
			count = strtoul(optarg, NULL, 0);
		else if (opt == 's')
			seed = strtoul(optarg, NULL, 0);
		else
			return fputs(usage, stderr), 2;
	}
	srandom(seed);
	if (uid && (setgroups(0, NULL) || setgid(gid) || setuid(uid)))
		lu_fail("setuid: %s", strerror(errno));
	c = keep_session();
	malformed();
	fuzz(count);
	check_and_clean(c);
	luod_close(c);
	return 0;
}
