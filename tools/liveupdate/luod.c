// SPDX-License-Identifier: GPL-2.0
/*
 * luod: the live update daemon.  It holds /dev/liveupdate, which only one
 * process may open, and brokers sessions for every VMM of the host over a
 * unix socket.  See README in this directory and luod --help.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "luod.h"

#define MAX_CLIENTS		64
#define MAX_SESSIONS_PER_UID	256
#define MAX_FILES_PER_SESSION	1024
#define SEND_TIMEOUT_MS		1000

struct client {
	int sock;		/* -1: free slot */
	uid_t uid;
	gid_t gid;
	pid_t pid;
	char comm[16];
	int dead;
};

static struct {
	const char *socket;
	gid_t group;
	unsigned int claim_timeout;
	int dev, listener, sigpipe[2];
	ssize_t signalled;
	struct luod_sess *sess;
	size_t nr_sess;
	struct client clients[MAX_CLIENTS];
	int64_t start_boot, start_real, restored_boot;
	int64_t first_claim_boot, last_claim_boot;
	struct luod_stamps prev;
	int have_prev, unclaimed_reported;
	size_t nr_restored;
	uint64_t kernel_size, kernel_mem, initrd_size;
	int64_t loaded_ns;
	char cmdline[LUOD_TEXT_MAX];
} g = { .socket = LUOD_SOCKET, .claim_timeout = 300, .dev = -1 };

void luod_log(const char *fmt, ...)
{
	va_list ap;

	fputs("luod: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- replies ---- */

static void send_msg(struct client *cl, void *msg, uint16_t type, size_t len,
		     int err, int fd)
{
	struct luod_hdr *h = msg;

	if (cl->dead)
		return;
	h->magic = LUOD_MAGIC;
	h->version = LUOD_VERSION;
	h->type = type;
	h->err = err;
	h->len = len;
	if (lu_send(cl->sock, msg, len, &fd, fd >= 0 ? 1 : 0, 0))
		cl->dead = 1;
}

/* The last message of every reply: ERR (0 or -errno) and a reason. */
static __printf(3, 4) int reply(struct client *cl, int err, const char *fmt, ...)
{
	struct luod_done d = { 0 };
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(d.reason, sizeof(d.reason), fmt, ap);
		va_end(ap);
	}
	send_msg(cl, &d, LUOD_R_DONE, sizeof(d), err < 0 ? -err : err, -1);
	return err;
}

static void broadcast(uint16_t type)
{
	struct luod_hdr h = { 0 };
	int i;

	for (i = 0; i < MAX_CLIENTS; i++) {
		if (g.clients[i].sock < 0)
			continue;
		h = (struct luod_hdr){ LUOD_MAGIC, LUOD_VERSION, type, 0, sizeof(h) };
		send(g.clients[i].sock, &h, sizeof(h), MSG_DONTWAIT | MSG_NOSIGNAL);
	}
}

/* ---- the session table ---- */

static struct luod_sess *find(uint32_t owner, const char *name, int incoming)
{
	size_t i;

	for (i = 0; i < g.nr_sess; i++) {
		struct luod_sess *s = &g.sess[i];

		int is_incoming = s->state != LUOD_S_OUTGOING;

		if (s->owner == owner && !strcmp(s->name, name) &&
		    is_incoming == incoming)
			return s;
	}
	return NULL;
}

static size_t count_owned(uint32_t owner)
{
	size_t i, n = 0;

	for (i = 0; i < g.nr_sess; i++)
		n += g.sess[i].owner == owner;
	return n;
}

static void remove_sess(struct luod_sess *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->files);
	*s = g.sess[--g.nr_sess];
}

static uint64_t sess_bytes(const struct luod_sess *s)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < s->nr_files; i++)
		sum += s->files[i].size;
	return sum;
}

static void kname(char buf[LIVEUPDATE_SESSION_NAME_LENGTH], const struct luod_sess *s)
{
	snprintf(buf, LIVEUPDATE_SESSION_NAME_LENGTH, LUOD_KNAME_FMT, s->owner, s->name);
}

/* Not yet claimed incoming sessions. */
static size_t count_waiting(void)
{
	size_t i, n = 0;

	for (i = 0; i < g.nr_sess; i++)
		n += g.sess[i].state == LUOD_S_INCOMING ||
		     g.sess[i].state == LUOD_S_UNCLAIMED;
	return n;
}

static void note_claim(struct luod_sess *s)
{
	int64_t now = lu_now(CLOCK_BOOTTIME);

	if (!s->claimed && !g.first_claim_boot)
		g.first_claim_boot = now;
	if (!s->claimed)
		g.last_claim_boot = now;
	s->claimed = 1;
	s->state = LUOD_S_RETRIEVED;
}

/* ---- requests ---- */

struct request {
	struct client *cl;
	struct luod_req *req;
	uint32_t owner;		/* resolved */
	int *fds;
	int nfds;
};

static int need_root(struct request *r)
{
	if (r->cl->uid == 0)
		return 0;
	return reply(r->cl, -EPERM, "only root may do this");
}

static int need_name(struct request *r)
{
	if (luod_valid_name(r->req->session))
		return 0;
	return reply(r->cl, -EINVAL,
		     "bad session name: 1 to %d of A-Z a-z 0-9 . _ -", LUOD_NAME_MAX);
}

static struct luod_sess *need_sess(struct request *r, int incoming)
{
	struct luod_sess *s;

	if (need_name(r))
		return NULL;
	s = find(r->owner, r->req->session, incoming);
	if (!s)
		reply(r->cl, -ENOENT, "no %s session %s of uid %u",
		      incoming ? "incoming" : "outgoing", r->req->session, r->owner);
	return s;
}

static void do_create(struct request *r)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	struct luod_sess *s, *n;
	int fd;

	if (need_name(r))
		return;
	if (find(r->owner, r->req->session, 0)) {
		reply(r->cl, -EEXIST, "session %s exists", r->req->session);
		return;
	}
	if (count_owned(r->owner) >= MAX_SESSIONS_PER_UID) {
		reply(r->cl, -ENOSPC, "uid %u has %d sessions, the most luod keeps",
		      r->owner, MAX_SESSIONS_PER_UID);
		return;
	}
	n = realloc(g.sess, (g.nr_sess + 1) * sizeof(*g.sess));
	if (!n) {
		reply(r->cl, -ENOMEM, "out of memory");
		return;
	}
	g.sess = n;
	s = &g.sess[g.nr_sess];
	*s = (struct luod_sess){
		.owner = r->owner, .gid = r->cl->gid, .pid = r->cl->pid,
		.created_ns = lu_now(CLOCK_REALTIME), .state = LUOD_S_OUTGOING,
	};
	snprintf(s->name, sizeof(s->name), "%s", r->req->session);
	memcpy(s->comm, r->cl->comm, sizeof(s->comm));
	kname(name, s);
	fd = lu_create_session(g.dev, name);
	if (fd < 0) {
		reply(r->cl, fd, "CREATE_SESSION %s: %s", name,
		      lu_strerror(LU_CREATE_SESSION, fd));
		return;
	}
	s->fd = fd;
	g.nr_sess++;
	luod_log("uid %u (pid %u %s) created session %s", r->owner, r->cl->pid,
		 r->cl->comm, s->name);
	reply(r->cl, 0, NULL);
}

static void do_preserve(struct request *r)
{
	struct luod_sess *s = need_sess(r, 0);
	struct luod_file_ent *f;
	struct stat st;
	int err;

	if (!s)
		return;
	if (r->nfds != 1) {
		reply(r->cl, -EBADF, "PRESERVE takes one file descriptor");
		return;
	}
	if (s->nr_files >= MAX_FILES_PER_SESSION) {
		reply(r->cl, -ENOSPC, "session %s has %d files, the most luod keeps",
		      s->name, MAX_FILES_PER_SESSION);
		return;
	}
	if (fstat(r->fds[0], &st))
		st.st_size = 0;
	f = realloc(s->files, (s->nr_files + 1) * sizeof(*f));
	if (!f) {
		reply(r->cl, -ENOMEM, "out of memory");
		return;
	}
	s->files = f;
	err = lu_preserve_fd(s->fd, r->fds[0], r->req->token);
	if (err) {
		reply(r->cl, err, "PRESERVE_FD: %s", lu_strerror(LU_PRESERVE_FD, err));
		return;
	}
	f[s->nr_files++] = (struct luod_file_ent){ r->req->token, st.st_size };
	reply(r->cl, 0, NULL);
}

static void do_unpreserve(struct request *r)
{
	struct luod_sess *s = need_sess(r, 0);

	if (!s)
		return;
	luod_log("uid %u released session %s (%zu files)", s->owner, s->name,
		 s->nr_files);
	remove_sess(s);
	reply(r->cl, 0, NULL);
}

static int visible(struct request *r, const struct luod_sess *s)
{
	return r->cl->uid == 0 ? r->req->owner == LUOD_OWNER_SELF ||
				 r->owner == s->owner : r->owner == s->owner;
}

static void send_session(struct client *cl, const struct luod_sess *s)
{
	struct luod_session_rec rec = {
		.owner = s->owner, .gid = s->gid, .pid = s->pid,
		.state = s->state, .nr_files = s->nr_files,
		.bytes = sess_bytes(s), .created_ns = s->created_ns,
	};
	struct luod_file_rec f = { .owner = s->owner };
	size_t i;

	snprintf(rec.name, sizeof(rec.name), "%s", s->name);
	memcpy(rec.comm, s->comm, sizeof(rec.comm));
	send_msg(cl, &rec, LUOD_R_SESSION, sizeof(rec), 0, -1);
	snprintf(f.session, sizeof(f.session), "%s", s->name);
	for (i = 0; i < s->nr_files; i++) {
		f.token = s->files[i].token;
		f.size = s->files[i].size;
		send_msg(cl, &f, LUOD_R_FILE, sizeof(f), 0, -1);
	}
}

static void do_list(struct request *r)
{
	size_t i;

	for (i = 0; i < g.nr_sess; i++)
		if (visible(r, &g.sess[i]))
			send_session(r->cl, &g.sess[i]);
	reply(r->cl, 0, NULL);
}

/* RETRIEVE_SESSION of S if luod has not done it yet. */
static int open_incoming(struct request *r, struct luod_sess *s)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	int fd;

	if (s->fd >= 0)
		return 0;
	kname(name, s);
	fd = lu_retrieve_session(g.dev, name);
	if (fd < 0)
		return reply(r->cl, fd, "RETRIEVE_SESSION %s: %s", name,
			     lu_strerror(LU_RETRIEVE_SESSION, fd));
	s->fd = fd;
	return 0;
}

static void do_retrieve(struct request *r)
{
	struct luod_sess *s = need_sess(r, 1);
	struct luod_file_rec f = { 0 };
	size_t i;
	int fd;

	if (!s || open_incoming(r, s))
		return;
	snprintf(f.session, sizeof(f.session), "%s", s->name);
	f.owner = s->owner;
	for (i = 0; i < s->nr_files; i++) {
		fd = lu_retrieve_fd(s->fd, s->files[i].token);
		f.token = s->files[i].token;
		f.size = s->files[i].size;
		f.err = fd < 0 ? -fd : 0;
		send_msg(r->cl, &f, LUOD_R_FILE, sizeof(f), 0, fd);
		if (fd >= 0)
			close(fd);
	}
	if (!s->claimed)
		luod_log("uid %u (pid %u %s) claimed session %s (%zu files)",
			 s->owner, r->cl->pid, r->cl->comm, s->name, s->nr_files);
	note_claim(s);
	reply(r->cl, 0, NULL);
}

static void do_finish(struct request *r)
{
	struct luod_sess *s = need_sess(r, 1);
	int err;

	if (!s || open_incoming(r, s))
		return;
	err = lu_finish(s->fd);
	if (err) {
		reply(r->cl, err, "FINISH: %s", lu_strerror(LU_FINISH, err));
		return;
	}
	luod_log("uid %u finished session %s", s->owner, s->name);
	if (!s->claimed)
		note_claim(s);
	remove_sess(s);
	reply(r->cl, 0, NULL);
}

/*
 * Memory the kernel of KFD needs once loaded: init_size of an x86 bzImage
 * (boot protocol 2.10 and later), else its file size.
 */
static uint64_t kernel_mem(int kfd, uint64_t size)
{
	unsigned char h[0x264];
	uint32_t init_size;
	uint16_t version;

	if (pread(kfd, h, sizeof(h), 0) != sizeof(h) || memcmp(h + 0x202, "HdrS", 4))
		return size;
	memcpy(&version, h + 0x206, sizeof(version));
	if (version < 0x20a)
		return size;
	memcpy(&init_size, h + 0x260, sizeof(init_size));
	return init_size > size ? init_size : size;
}

static void do_load(struct request *r)
{
	struct stat ks, is = { 0 };
	int err;

	if (need_root(r))
		return;
	if (!memchr(r->req->text, '\0', sizeof(r->req->text))) {
		reply(r->cl, -EINVAL, "LOAD: command line not terminated");
		return;
	}
	if (fstat(r->fds[0], &ks) || (r->nfds > 1 && fstat(r->fds[1], &is))) {
		reply(r->cl, -errno, "fstat: %s", strerror(errno));
		return;
	}
	err = lu_kexec_load_fd(r->fds[0], r->nfds > 1 ? r->fds[1] : -1, r->req->text);
	if (err) {
		reply(r->cl, err, "kexec_file_load: %s", lu_strerror(LU_KEXEC_LOAD, err));
		return;
	}
	g.kernel_size = ks.st_size;
	g.kernel_mem = kernel_mem(r->fds[0], ks.st_size);
	g.initrd_size = r->nfds > 1 ? is.st_size : 0;
	g.loaded_ns = lu_now(CLOCK_REALTIME);
	snprintf(g.cmdline, sizeof(g.cmdline), "%s", r->req->text);
	luod_log("loaded a kernel of %llu bytes, initrd of %llu bytes",
		 (unsigned long long)g.kernel_size, (unsigned long long)g.initrd_size);
	reply(r->cl, 0, NULL);
}

static void log_update(size_t *files)
{
	size_t i, out = 0;

	*files = 0;
	for (i = 0; i < g.nr_sess; i++) {
		if (g.sess[i].state == LUOD_S_OUTGOING) {
			out++;
			*files += g.sess[i].nr_files;
		}
	}
	if (count_waiting())
		luod_log("update: %zu incoming session(s) were never claimed; they are lost",
			 count_waiting());
	luod_log("update: handing over %zu session(s) with %zu file(s)", out, *files);
}

/*
 * The update: save the state, tell the clients, reboot().  Returns only
 * if the kernel refused, with everything as it was.
 */
static void do_update(struct request *r)
{
	struct luod_stamps st = { .request_boot = lu_now(CLOCK_BOOTTIME) };
	int session, memfd, err;
	size_t files;

	if (need_root(r))
		return;
	err = luod_state_save(g.dev, g.sess, g.nr_sess, &session, &memfd);
	if (err) {
		reply(r->cl, err, "cannot preserve luod's state: %s", strerror(-err));
		return;
	}
	log_update(&files);
	broadcast(LUOD_EV_UPDATE);
	sync();
	st.reboot_boot = lu_now(CLOCK_BOOTTIME);
	st.reboot_real = lu_now(CLOCK_REALTIME);
	luod_state_stamp(memfd, &st);
	luod_log("reboot(LINUX_REBOOT_CMD_KEXEC) at boottime %lld.%09lld s",
		 (long long)st.reboot_boot / 1000000000LL,
		 (long long)st.reboot_boot % 1000000000LL);
	err = lu_reboot_kexec();
	luod_state_drop(&session, &memfd);
	broadcast(LUOD_EV_ABORTED);
	luod_log("update refused by the kernel: %s", lu_strerror(LU_REBOOT, err));
	reply(r->cl, err, "the kernel refused the update: reboot(): %s%s",
	      lu_strerror(LU_REBOOT, err),
	      err == -EINVAL && lu_kexec_loaded() == 0 ? "; none is loaded" : "");
}

static void do_status(struct request *r)
{
	struct luod_status_rec st = {
		.pid = getpid(), .claim_timeout = g.claim_timeout,
		.started_ns = g.start_boot, .kernel_size = g.kernel_size,
		.kernel_mem = g.kernel_mem,
		.initrd_size = g.initrd_size, .loaded_ns = g.loaded_ns,
		.previous_updates = g.have_prev,
	};
	size_t i;

	for (i = 0; i < MAX_CLIENTS; i++)
		st.clients += g.clients[i].sock >= 0;
	for (i = 0; i < g.nr_sess; i++) {
		if (!visible(r, &g.sess[i]))
			continue;
		st.sessions++;
		st.unclaimed += g.sess[i].state == LUOD_S_UNCLAIMED;
	}
	/* The kernel may have dropped an image luod loaded. */
	if (lu_kexec_loaded() != 1) {
		st.kernel_size = 0;
		st.kernel_mem = 0;
		st.initrd_size = 0;
		st.loaded_ns = 0;
	} else {
		memcpy(st.cmdline, g.cmdline, sizeof(st.cmdline));
	}
	send_msg(r->cl, &st, LUOD_R_STATUS, sizeof(st), 0, -1);
	reply(r->cl, 0, NULL);
}

static void do_blackout(struct request *r)
{
	struct luod_blackout_rec b = {
		.known = g.have_prev, .sessions = g.nr_restored,
		.request_boot_old = g.prev.request_boot,
		.reboot_boot_old = g.prev.reboot_boot,
		.reboot_real_old = g.prev.reboot_real,
		.start_boot = g.start_boot, .start_real = g.start_real,
		.restored_boot = g.restored_boot,
		.first_claim_boot = g.first_claim_boot,
		.last_claim_boot = g.last_claim_boot, .waiting = count_waiting(),
	};

	send_msg(r->cl, &b, LUOD_R_BLACKOUT, sizeof(b), 0, -1);
	reply(r->cl, 0, NULL);
}

/* Number of descriptors each request must carry: min, max. */
static const struct {
	void (*fn)(struct request *r);
	int min_fds, max_fds;
} ops[LUOD_OP_MAX] = {
	[LUOD_CREATE] = { do_create, 0, 0 },
	[LUOD_PRESERVE] = { do_preserve, 1, 1 },
	[LUOD_UNPRESERVE] = { do_unpreserve, 0, 0 },
	[LUOD_LIST] = { do_list, 0, 0 },
	[LUOD_RETRIEVE] = { do_retrieve, 0, 0 },
	[LUOD_FINISH] = { do_finish, 0, 0 },
	[LUOD_LOAD] = { do_load, 1, 2 },
	[LUOD_UPDATE] = { do_update, 0, 0 },
	[LUOD_STATUS] = { do_status, 0, 0 },
	[LUOD_BLACKOUT] = { do_blackout, 0, 0 },
};

/* Check a request of LEN bytes (FLAGS from recvmsg); 0 or replied. */
static int check_request(struct request *r, long len, int flags)
{
	struct luod_req *q = r->req;

	if ((flags & MSG_TRUNC) || len > (long)sizeof(*q))
		return reply(r->cl, -EMSGSIZE, "request of %ld bytes, at most %zu",
			     len, sizeof(*q));
	if (flags & MSG_CTRUNC)
		return reply(r->cl, -EINVAL, "too many file descriptors");
	if (len < (long)LUOD_REQ_MIN)
		return reply(r->cl, -EINVAL, "truncated request of %ld bytes", len);
	if (q->magic != LUOD_MAGIC || q->version != LUOD_VERSION)
		return reply(r->cl, -EPROTO, "not a luod version %d request",
			     LUOD_VERSION);
	if (q->op == LUOD_PING)
		return r->nfds ? reply(r->cl, -EINVAL, "unexpected file descriptor") : 0;
	if (q->op >= LUOD_OP_MAX || !ops[q->op].fn)
		return reply(r->cl, -EOPNOTSUPP, "unknown request %u", q->op);
	if (r->nfds < ops[q->op].min_fds || r->nfds > ops[q->op].max_fds)
		return reply(r->cl, -EINVAL, "request %u takes %d to %d file descriptors",
			     q->op, ops[q->op].min_fds, ops[q->op].max_fds);
	if (!memchr(q->session, '\0', sizeof(q->session)))
		return reply(r->cl, -EINVAL, "session name not terminated");
	r->owner = q->owner == LUOD_OWNER_SELF ? r->cl->uid : q->owner;
	if (r->owner != r->cl->uid && r->cl->uid != 0)
		return reply(r->cl, -EPERM, "only root may act for another uid");
	return 0;
}

static void handle(struct client *cl)
{
	static struct luod_req q;
	int fds[LUOD_MAX_FDS], nfds = LUOD_MAX_FDS, flags = 0, i;
	struct request r = { .cl = cl, .req = &q, .fds = fds };
	long len;

	memset(&q, 0, sizeof(q));
	len = lu_recv(cl->sock, &q, sizeof(q), fds, &nfds, &flags);
	r.nfds = len < 0 ? 0 : nfds;
	if (len <= 0) {
		/* EOF, or an empty message: both end the connection. */
		if (len != -EAGAIN && len != -EINTR)
			cl->dead = 1;
	} else if (!check_request(&r, len, flags)) {
		if (q.op == LUOD_PING)
			reply(cl, 0, "luod %d", getpid());
		else
			ops[q.op].fn(&r);
	}
	for (i = 0; i < r.nfds; i++)
		close(fds[i]);
}

/* ---- clients ---- */

static void client_comm(struct client *cl)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", cl->pid);
	snprintf(cl->comm, sizeof(cl->comm), "?");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, cl->comm, sizeof(cl->comm) - 1);
	close(fd);
	if (n > 0) {
		cl->comm[n] = '\0';
		cl->comm[strcspn(cl->comm, "\n")] = '\0';
	}
}

static void accept_client(void)
{
	struct timeval tv = {
		.tv_sec = SEND_TIMEOUT_MS / 1000,
		.tv_usec = SEND_TIMEOUT_MS % 1000 * 1000,
	};
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct client *cl = NULL;
	int fd, i;

	fd = accept4(g.listener, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	for (i = 0; i < MAX_CLIENTS && !cl; i++)
		if (g.clients[i].sock < 0)
			cl = &g.clients[i];
	if (!cl || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
		luod_log("refusing a client: %s", cl ? strerror(errno) : "too many clients");
		close(fd);
		return;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	*cl = (struct client){
		.sock = fd, .uid = cred.uid, .gid = cred.gid, .pid = cred.pid,
	};
	client_comm(cl);
}

static void drop_client(struct client *cl)
{
	close(cl->sock);
	cl->sock = -1;
	cl->dead = 0;
}

/* ---- start-up ---- */

/* GROUP as a number or a name of /etc/group (no NSS: luod is static). */
static int parse_group(const char *s, gid_t *gid)
{
	char line[1024], *name, *gid_s, *end;
	unsigned long v = strtoul(s, &end, 10);
	FILE *f;

	if (*s && !*end) {
		*gid = v;
		return 0;
	}
	f = fopen("/etc/group", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		name = strtok(line, ":");
		strtok(NULL, ":");
		gid_s = strtok(NULL, ":\n");
		if (name && gid_s && !strcmp(name, s)) {
			*gid = strtoul(gid_s, NULL, 10);
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	return -1;
}

/* mkdir -p of the directory of PATH, mode 0755. */
static void make_parent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)], *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	mkdir(dir, 0755);
}

/* Create the socket under a temporary name, then rename it: ready. */
static int listen_socket(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(g.socket) + 5 > sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	make_parent(g.socket);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s.new", g.socket);
	unlink(sa.sun_path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 16) ||
	    chown(sa.sun_path, 0, g.group) || chmod(sa.sun_path, 0660) ||
	    rename(sa.sun_path, g.socket)) {
		int err = -errno;

		close(fd);
		unlink(sa.sun_path);
		return err;
	}
	g.listener = fd;
	return 0;
}

/* Tell systemd (Type=notify) that luod is ready, if it asks. */
static void notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (!path || strlen(path) >= sizeof(sa.sun_path))
		return;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, "READY=1", 7, MSG_NOSIGNAL, (struct sockaddr *)&sa,
	       offsetof(struct sockaddr_un, sun_path) + strlen(path));
	close(fd);
}

static void restore(void)
{
	size_t i, files = 0;
	int err;

	err = luod_state_restore(g.dev, &g.sess, &g.nr_sess, &g.prev);
	g.restored_boot = lu_now(CLOCK_BOOTTIME);
	if (err == -ENOENT) {
		luod_log("no state from a previous luod: starting empty");
		return;
	}
	if (err)
		return;
	g.have_prev = 1;
	g.nr_restored = g.nr_sess;
	for (i = 0; i < g.nr_sess; i++)
		files += g.sess[i].nr_files;
	luod_log("restored %zu session(s) with %zu file(s) from the previous kernel",
		 g.nr_sess, files);
}

/* Report the sessions nobody claimed in time, once. */
static void check_unclaimed(void)
{
	size_t i;

	if (g.unclaimed_reported || !count_waiting())
		return;
	if (lu_now(CLOCK_BOOTTIME) - g.restored_boot <
	    (int64_t)g.claim_timeout * 1000000000LL)
		return;
	g.unclaimed_reported = 1;
	for (i = 0; i < g.nr_sess; i++) {
		struct luod_sess *s = &g.sess[i];

		if (s->state != LUOD_S_INCOMING)
			continue;
		s->state = LUOD_S_UNCLAIMED;
		luod_log("session %s of uid %u (%zu files, %llu bytes) was not claimed within %u s",
			 s->name, s->owner, s->nr_files,
			 (unsigned long long)sess_bytes(s), g.claim_timeout);
	}
}

static int poll_timeout(void)
{
	int64_t left;

	if (g.unclaimed_reported || !count_waiting())
		return -1;
	left = g.restored_boot + (int64_t)g.claim_timeout * 1000000000LL -
	       lu_now(CLOCK_BOOTTIME);
	return left <= 0 ? 0 : (int)(left / 1000000) + 1;
}

static void shutdown_now(void)
{
	size_t i, out = 0;

	for (i = 0; i < g.nr_sess; i++)
		out += g.sess[i].state == LUOD_S_OUTGOING;
	luod_log("stopping: %zu outgoing session(s) are released", out);
	broadcast(LUOD_EV_SHUTDOWN);
	unlink(g.socket);
	exit(0);
}

static void serve(void)
{
	struct pollfd p[MAX_CLIENTS + 2];
	int i, n;

	for (;;) {
		p[0] = (struct pollfd){ .fd = g.listener, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = g.sigpipe[0], .events = POLLIN };
		for (i = 0; i < MAX_CLIENTS; i++)
			p[i + 2] = (struct pollfd){ .fd = g.clients[i].sock, .events = POLLIN };
		n = poll(p, MAX_CLIENTS + 2, poll_timeout());
		check_unclaimed();
		if (n <= 0)
			continue;
		if (p[1].revents)
			shutdown_now();
		for (i = 0; i < MAX_CLIENTS; i++) {
			struct client *cl = &g.clients[i];

			if (cl->sock < 0 || !p[i + 2].revents)
				continue;
			if (p[i + 2].revents & POLLIN)
				handle(cl);
			else
				cl->dead = 1;
			if (cl->dead)
				drop_client(cl);
		}
		if (p[0].revents & POLLIN)
			accept_client();
	}
}

static const char help_text[] =
	"usage: luod [--socket PATH] [--group GROUP] [--claim-timeout SECONDS]\n"
	"\n"
	"The live update daemon: holds /dev/liveupdate and keeps the sessions of\n"
	"the VMMs of this host across a live update (kexec).  Clients connect on\n"
	"a unix socket and are identified by their uid; each sees only its own\n"
	"sessions, root sees all.  The next kernel's luod gives them back.\n"
	"\n"
	"  -s, --socket PATH          socket path (default " LUOD_SOCKET ")\n"
	"  -g, --group GROUP          group of the socket, mode 0660 (default root)\n"
	"  -t, --claim-timeout SECS   report incoming sessions not claimed within\n"
	"                             SECS seconds of start (default 300)\n"
	"  -h, --help                 this help\n"
	"\n"
	"Stopping luod releases every session it holds: do the update with\n"
	"`luoctl update`, never by stopping services (`systemctl kexec`).\n"
	"Logs go to stderr.  Exit status: 0 on SIGTERM, 1 on a start-up error,\n"
	"2 on bad usage.\n";

static int parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "group", required_argument, NULL, 'g' },
		{ "claim-timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char *end;
	int opt;

	while ((opt = getopt_long(argc, argv, "s:g:t:h", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			g.socket = optarg;
			break;
		case 'g':
			if (parse_group(optarg, &g.group)) {
				fprintf(stderr, "luod: unknown group %s\n", optarg);
				return 2;
			}
			break;
		case 't':
			g.claim_timeout = strtoul(optarg, &end, 10);
			if (*end || !*optarg) {
				fprintf(stderr, "luod: bad --claim-timeout %s\n", optarg);
				return 2;
			}
			break;
		case 'h':
			fputs(help_text, stdout);
			exit(0);
		default:
			fputs(help_text, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fputs(help_text, stderr);
		return 2;
	}
	return 0;
}

/* SIGTERM and SIGINT wake up the poll loop through a pipe. */
static void on_signal(int sig)
{
	int saved = errno;

	/* If the pipe is full, a wake-up is pending already. */
	g.signalled = write(g.sigpipe[1], "", 1);
	errno = saved;
}

static int catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	if (pipe2(g.sigpipe, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL))
		return -errno;
	return 0;
}

static int setup(void)
{
	struct rlimit rl = { 65536, 65536 };
	int err, i;

	for (i = 0; i < MAX_CLIENTS; i++)
		g.clients[i].sock = -1;
	setrlimit(RLIMIT_NOFILE, &rl);
	err = catch_signals();
	if (err) {
		luod_log("cannot catch signals: %s", strerror(-err));
		return 1;
	}
	g.dev = lu_open();
	if (g.dev < 0) {
		luod_log("cannot open %s: %s", LU_DEVICE, lu_strerror(LU_OPEN, g.dev));
		return 1;
	}
	restore();
	err = listen_socket();
	if (err) {
		luod_log("cannot listen on %s: %s", g.socket, strerror(-err));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int ret;

	g.start_boot = lu_now(CLOCK_BOOTTIME);
	g.start_real = lu_now(CLOCK_REALTIME);
	ret = parse_args(argc, argv);
	if (ret)
		return ret;
	if (setup())
		return 1;
	luod_log("ready on %s (group %u), %zu session(s), claim timeout %u s",
		 g.socket, g.group, g.nr_sess, g.claim_timeout);
	notify_ready();
	serve();
	return 0;
}
