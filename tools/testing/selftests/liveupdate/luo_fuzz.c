// SPDX-License-Identifier: GPL-2.0
/*
 * luo_fuzz [-s SEED] [-n OPS] [-k KERNEL -i INITRD -c CMDLINE] [-x COMMAND] round1|round2
 * luo_fuzz drain NAME...
 *
 * An ioctl fuzzer for /dev/liveupdate and its session descriptors.  The
 * main thread makes OPS random calls (default 3000): every command of the
 * device and of a session, and random commands of the liveupdate ioctl
 * type; random size fields (0, short, exact, long with a zero or a
 * non-zero tail, huge); argument structures that end at, or run into, a
 * PROT_NONE page, and bad pointers; random descriptors to call on and to
 * preserve: memfds (4 KiB, 64 KiB, 2 MiB THP, hugetlb), pipes, sockets,
 * eventfds, /dev/null, test files, the device, sessions and closed
 * descriptors; random names (a small set that collides, random ones,
 * empty, unterminated, unprintable) and tokens.  Meanwhile a second
 * thread closes sessions and creates them again under the same name, and
 * a third truncates, fallocates and writes the memfds, preserved or not.
 * Every error must be one the API documents; GET_NAME must return a
 * terminated name.
 *
 * round1 then stops the threads, records what is still preserved (session
 * names, tokens, sizes and a checksum of every memfd and test file, from
 * the kernel's debugfs list) in a memfd preserved in the session
 * "fuzz-state", runs COMMAND (by /bin/sh; checks of the state round1
 * left, such as a kmemleak scan) and kexecs with reboot(2).  round2, in the next kernel,
 * checks that exactly these sessions came back with these files, byte for
 * byte, then fuzzes again on the retrieved sessions (RETRIEVE_FD,
 * FINISH, GET_NAME, PRESERVE_FD, closing them from the second thread,
 * new sessions) and closes everything.
 *
 * The seed is printed first ("# luo_fuzz: seed S"); the same seed makes
 * the same calls in the same order in each thread (their interleaving
 * differs from run to run).
 *
 * drain, for the hand-over mutation test: retrieve whatever can be
 * retrieved of the sessions NAME... (tokens 0 to 15), read every byte of
 * data (holes are skipped: a damaged size may be terabytes), finish and
 * close them; every error is reported as a "#" line and is
 * not a failure.
 *
 * KTAP output; exit status 1 at the first failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lu_kexec.h"
#include "lu_tap.h"
#include "luo_util.h"

#define LUO_SESSIONS	"/sys/kernel/debug/liveupdate/sessions"
#define STATE_SESSION	"fuzz-state"
#define STATE_SIZE	(256UL << 10)
#define NR_OBJS		48
#define NR_SESSIONS	12
#define NR_NAMES	8
#define NR_TOKENS	8
#define NAME_LEN	LIVEUPDATE_SESSION_NAME_LENGTH

enum obj_kind {
	K_NONE, K_MEMFD, K_MEMFD_THP, K_HUGETLB, K_PIPE, K_SOCK, K_EVENTFD,
	K_NULL, K_TEST, K_CLOSED, K_NR_KINDS,
};

static const char * const kind_names[K_NR_KINDS] = {
	"none", "memfd", "thp memfd", "hugetlb memfd", "pipe", "socket",
	"eventfd", "/dev/null", "test file", "closed fd",
};

struct obj {
	int fd;
	enum obj_kind kind;
	size_t size;
	uint64_t id;
};

struct session {
	int fd;			/* -1: free slot */
	int incoming;
	char name[NAME_LEN];
};

/*
 * A file preserved with success: session name and token -> object id (0:
 * an object the fuzzer does not track, whose contents are not checked).
 * The latest record of a name and token is the one that counts: a session
 * closed and created again under the same name starts without files.
 */
struct record {
	char name[NAME_LEN];
	uint64_t token;
	uint64_t id;
	enum obj_kind kind;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct obj objs[NR_OBJS];
static struct session sessions[NR_SESSIONS];
static struct record *records;
static size_t nr_records, cap_records;
static uint64_t next_id = 1;
static int dev = -1;
static int stop;		/* the helper threads end; atomic */
static unsigned long seed = 1;
static unsigned long nr_ops = 3000;
static unsigned char *guard;	/* a page followed by a PROT_NONE page */
static long page_size;
static unsigned long stats_ok, stats_err;

/* ---- random numbers, one generator per thread ---- */

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static unsigned int rnd(uint64_t *s, unsigned int n)
{
	return n ? rng_next(s) % n : 0;
}

/* ---- objects ---- */

static int make_memfd(size_t size, unsigned int flags, int thp)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC | flags);
	void *m;

	if (fd < 0)
		return -1;
	if (ftruncate(fd, size)) {
		close(fd);
		return -1;
	}
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m != MAP_FAILED) {
		if (thp)
			madvise(m, size, MADV_HUGEPAGE);
		memset(m, 0x5a, size);
		munmap(m, size);
	}
	return fd;
}

/* Make a new object of a random kind in slot @i; lock held. */
static void obj_new(uint64_t *r, int i)
{
	struct obj *o = &objs[i];
	int p[2];

	o->kind = 1 + rnd(r, K_NR_KINDS - 1);
	o->size = 0;
	o->fd = -1;
	switch (o->kind) {
	case K_MEMFD:
		o->size = rnd(r, 2) ? 4096 : 65536;
		o->fd = make_memfd(o->size, 0, 0);
		break;
	case K_MEMFD_THP:
		o->size = 2UL << 20;
		o->fd = make_memfd(o->size, 0, 1);
		break;
	case K_HUGETLB:
		o->size = 2UL << 20;
		o->fd = memfd_create("fuzz", MFD_CLOEXEC | MFD_HUGETLB);
		break;
	case K_PIPE:
		if (!pipe2(p, O_CLOEXEC)) {
			close(p[1]);
			o->fd = p[0];
		}
		break;
	case K_SOCK:
		o->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		break;
	case K_EVENTFD:
		o->fd = eventfd(0, EFD_CLOEXEC);
		break;
	case K_NULL:
		o->fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		break;
	case K_TEST:
		o->fd = luo_test_file("fuzz payload");
		break;
	default:
		o->fd = 1000 + rnd(r, 64);
		break;
	}
	if (o->fd < 0) {
		o->kind = K_CLOSED;
		o->fd = 1000 + rnd(r, 64);
	}
	o->id = next_id++;
}

static void obj_replace(uint64_t *r, int i)
{
	if (objs[i].kind != K_CLOSED && objs[i].fd >= 0)
		close(objs[i].fd);
	obj_new(r, i);
}

static void record_add(const char *name, uint64_t token, const struct obj *o)
{
	static const struct obj unknown = { .kind = K_NONE };

	if (!o)
		o = &unknown;
	if (nr_records == cap_records) {
		cap_records = cap_records ? 2 * cap_records : 256;
		records = realloc(records, cap_records * sizeof(*records));
		if (!records)
			lu_fail("out of memory");
	}
	memcpy(records[nr_records].name, name, NAME_LEN);
	records[nr_records].token = token;
	records[nr_records].id = o->id;
	records[nr_records++].kind = o->kind;
}

/* ---- arguments ---- */

static const char *name_pool[NR_NAMES] = {
	"fz-a", "fz-b", "fz-c", "fz-d", "fz-e", "fz-f", "fz-g", "fz-h",
};

/* A session name: colliding, random printable, or hostile. */
static void random_name(uint64_t *r, char *name)
{
	unsigned int i, len;

	memset(name, 0, NAME_LEN);
	switch (rnd(r, 8)) {
	case 0:
		memset(name, 'U', NAME_LEN);	/* unterminated */
		break;
	case 1:
		break;				/* empty */
	case 2:
		len = 1 + rnd(r, NAME_LEN - 1);
		for (i = 0; i < len; i++)
			name[i] = 1 + rnd(r, 255);	/* unprintable too */
		break;
	case 3:
		len = 1 + rnd(r, NAME_LEN - 1);
		for (i = 0; i < len; i++)
			name[i] = 'a' + rnd(r, 26);
		break;
	default:
		snprintf(name, NAME_LEN, "%s", name_pool[rnd(r, NR_NAMES)]);
		break;
	}
}

static int printable(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;

	for (; *p; p++) {
		if (*p < 0x21 || *p > 0x7e || *p == '"' || *p == '\\')
			return 0;
	}
	return 1;
}

static uint64_t random_token(uint64_t *r)
{
	return rnd(r, 4) ? 1 + rnd(r, NR_TOKENS) : rng_next(r);
}

/*
 * Place a copy of @arg of @size bytes for the call: in plain memory, at
 * the end of the page before the PROT_NONE page (cut short by 0 to 7
 * bytes, so that the kernel's read runs into it), or a bad pointer.
 */
static void *place(uint64_t *r, void *arg, size_t size)
{
	static __thread unsigned char buf[512];
	size_t cut;

	switch (rnd(r, 10)) {
	case 0:
		cut = rnd(r, 8);
		cut = cut < size ? cut : 0;
		memcpy(guard + page_size - (size - cut), arg, size - cut);
		return guard + page_size - (size - cut);
	case 1:
		return rnd(r, 2) ? NULL : (void *)0xffff888000000000UL;
	default:
		memcpy(buf, arg, size);
		return buf;
	}
}

/* A random size field for a structure of @size bytes. */
static uint32_t random_size(uint64_t *r, uint32_t size)
{
	switch (rnd(r, 12)) {
	case 0:
		return 0;
	case 1:
		return 4;
	case 2:
		return size - 1;
	case 3:
		return size + 8;
	case 4:
		return 0xffffffffu;
	case 5:
		return rng_next(r);
	default:
		return size;
	}
}

/* ---- checks ---- */

static int errno_ok(int err)
{
	switch (err) {
	case EINVAL: case EFAULT: case E2BIG: case ENOTTY: case EBADF:
	case ENOENT: case EEXIST: case EBUSY: case ENOMEM: case EPERM:
	case EOPNOTSUPP: case EFBIG: case EAGAIN: case EMFILE:
		return 1;
	}
	return 0;
}

static void check(const char *what, int ret, int err)
{
	pthread_mutex_lock(&lock);
	if (ret >= 0)
		stats_ok++;
	else
		stats_err++;
	pthread_mutex_unlock(&lock);
	if (ret < 0 && !errno_ok(err))
		lu_fail("%s: unexpected error %s", what, strerror(err));
}

/* ---- one random call ---- */

struct call {
	uint32_t size;
	uint32_t word1;
	uint64_t word2;
	uint8_t name[NAME_LEN];
	uint64_t pad[4];
};

static int pick_session(uint64_t *r)
{
	int i = rnd(r, NR_SESSIONS);

	return sessions[i].fd >= 0 ? i : -1;
}

static void op_create(uint64_t *r, int retrieve)
{
	struct liveupdate_ioctl_create_session a = { .size = sizeof(a) };
	unsigned long cmd = retrieve ? LIVEUPDATE_IOCTL_RETRIEVE_SESSION :
				       LIVEUPDATE_IOCTL_CREATE_SESSION;
	int hostile = rnd(r, 4) == 0, ret, err, i, slot = -1;
	void *arg;

	random_name(r, (char *)a.name);
	if (hostile)
		a.size = random_size(r, sizeof(a));
	arg = hostile ? place(r, &a, sizeof(a)) : &a;
	pthread_mutex_lock(&lock);
	for (i = 0; i < NR_SESSIONS; i++) {
		if (sessions[i].fd < 0) {
			slot = i;
			break;
		}
	}
	ret = ioctl(dev, cmd, arg);
	err = errno;
	if (ret >= 0) {
		struct liveupdate_ioctl_create_session *out = arg;

		if (slot < 0 || !printable((char *)a.name)) {
			close(out->fd);
		} else {
			sessions[slot].fd = out->fd;
			sessions[slot].incoming = retrieve;
			memcpy(sessions[slot].name, a.name, NAME_LEN);
		}
	}
	pthread_mutex_unlock(&lock);
	check(retrieve ? "RETRIEVE_SESSION" : "CREATE_SESSION", ret, err);
}

static void op_session(uint64_t *r, unsigned int which)
{
	static const unsigned long cmds[] = {
		LIVEUPDATE_SESSION_PRESERVE_FD, LIVEUPDATE_SESSION_RETRIEVE_FD,
		LIVEUPDATE_SESSION_FINISH, LIVEUPDATE_SESSION_GET_NAME,
	};
	static const char * const names[] = {
		"PRESERVE_FD", "RETRIEVE_FD", "FINISH", "GET_NAME",
	};
	static const uint32_t sizes[] = {
		sizeof(struct liveupdate_session_preserve_fd),
		sizeof(struct liveupdate_session_retrieve_fd),
		sizeof(struct liveupdate_session_finish),
		sizeof(struct liveupdate_session_get_name),
	};
	int hostile = rnd(r, 4) == 0, locked = rnd(r, 5) != 0;
	int s, o = rnd(r, NR_OBJS), fd, ret, err;
	struct call c = { .size = sizes[which] };
	struct liveupdate_session_preserve_fd *p = (void *)&c;
	struct liveupdate_session_get_name *g = (void *)&c;
	void *arg;

	if (locked)
		pthread_mutex_lock(&lock);
	s = pick_session(r);
	fd = s >= 0 ? sessions[s].fd : (rnd(r, 2) ? dev : objs[o].fd);
	if (which == 0) {
		p->fd = objs[o].fd;
		if (!rnd(r, 16))
			p->fd = rnd(r, 2) ? dev : (s >= 0 ? sessions[s].fd : -1);
		p->token = random_token(r);
	} else if (which == 1) {
		((struct liveupdate_session_retrieve_fd *)p)->token = random_token(r);
	}
	if (hostile)
		c.size = random_size(r, sizes[which]);
	arg = hostile ? place(r, &c, sizeof(c)) : &c;
	ret = ioctl(fd, cmds[which], arg);
	err = errno;
	if (ret >= 0 && which == 1)
		close(((struct liveupdate_session_retrieve_fd *)arg)->fd);
	if (ret >= 0 && which == 3 &&
	    !memchr(((struct liveupdate_session_get_name *)arg)->name, 0, NAME_LEN))
		lu_fail("GET_NAME returned an unterminated name");
	if (ret >= 0 && which == 3 && locked && s >= 0 && !hostile &&
	    strcmp((char *)g->name, sessions[s].name))
		lu_fail("GET_NAME returned \"%.64s\", not \"%.64s\"", g->name, sessions[s].name);
	/*
	 * Every file preserved with success is recorded, also by a hostile
	 * or an unlocked call: else an older record of the same name and
	 * token, from a session closed since, would describe it.  A
	 * successful call read p->fd and p->token as they are here; only
	 * this thread replaces objects, and the second thread creates a
	 * session again under the name it had.
	 */
	if (ret >= 0 && which == 0 && s >= 0)
		record_add(sessions[s].name, p->token,
			   p->fd == objs[o].fd ? &objs[o] : NULL);
	if (locked)
		pthread_mutex_unlock(&lock);
	check(names[which], ret, err);
}

/* A random command of the liveupdate type on a random descriptor. */
static void op_random_ioctl(uint64_t *r)
{
	struct call c = { .size = random_size(r, sizeof(c)) };
	unsigned long cmd = _IO(LIVEUPDATE_IOCTL_TYPE, rnd(r, 0x50));
	int fd, ret, err, s;
	void *arg;

	c.word1 = rng_next(r);
	c.word2 = rng_next(r);
	if (rnd(r, 4) == 0)
		cmd = _IOWR(LIVEUPDATE_IOCTL_TYPE, rnd(r, 0x50), struct call);
	pthread_mutex_lock(&lock);
	s = pick_session(r);
	fd = rnd(r, 3) ? dev : objs[rnd(r, NR_OBJS)].fd;
	if (s >= 0 && rnd(r, 2))
		fd = sessions[s].fd;
	pthread_mutex_unlock(&lock);
	arg = place(r, &c, sizeof(c));
	ret = ioctl(fd, cmd, arg);
	err = errno;
	/*
	 * The command may be a real one and the random words a valid
	 * argument: a session created (its name the 8 bytes of word2) or
	 * retrieved, or a file retrieved.  The new descriptor, in word1 in
	 * each of the three structures, is not one the fuzzer tracks: close
	 * it, so that no session outlives its descriptor.
	 */
	if (ret >= 0 && (cmd == LIVEUPDATE_IOCTL_CREATE_SESSION ||
			 cmd == LIVEUPDATE_IOCTL_RETRIEVE_SESSION ||
			 cmd == LIVEUPDATE_SESSION_RETRIEVE_FD))
		close(((struct call *)arg)->word1);
	check("random command", ret, err);
}

static void op_close(uint64_t *r)
{
	int s;

	pthread_mutex_lock(&lock);
	if (rnd(r, 2)) {
		obj_replace(r, rnd(r, NR_OBJS));
	} else {
		s = pick_session(r);
		if (s >= 0) {
			close(sessions[s].fd);
			sessions[s].fd = -1;
		}
	}
	pthread_mutex_unlock(&lock);
}

static void fuzz_op(uint64_t *r, int incoming)
{
	unsigned int op = rnd(r, 20);

	if (op < 3)
		op_create(r, incoming && rnd(r, 2));
	else if (op < 4)
		op_create(r, 1);
	else if (op < 12)
		op_session(r, 0);
	else if (op < 14)
		op_session(r, 1 + rnd(r, 3));
	else if (op < 17)
		op_random_ioctl(r);
	else
		op_close(r);
}

/* ---- threads ---- */

/* Close sessions and create them again under the same name. */
static void *closer(void *unused)
{
	uint64_t r = seed * 3 + 1;
	char name[NAME_LEN];
	int s, fd;

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		usleep(200 + rnd(&r, 2000));
		pthread_mutex_lock(&lock);
		s = pick_session(&r);
		if (s >= 0 && !sessions[s].incoming) {
			memcpy(name, sessions[s].name, NAME_LEN);
			close(sessions[s].fd);
			fd = lu_create_session(dev, name);
			sessions[s].fd = fd < 0 ? -1 : fd;
		} else if (s >= 0 && rnd(&r, 4) == 0) {
			close(sessions[s].fd);
			sessions[s].fd = -1;
		}
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

/* Resize, fallocate and write the memfds, preserved or not. */
static void *writer(void *unused)
{
	uint64_t r = seed * 5 + 2;
	char buf[512];
	struct obj *o;
	int fd;

	memset(buf, 0xa5, sizeof(buf));
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		usleep(100 + rnd(&r, 1000));
		pthread_mutex_lock(&lock);
		o = &objs[rnd(&r, NR_OBJS)];
		fd = (o->kind == K_MEMFD || o->kind == K_MEMFD_THP) ? o->fd : -1;
		if (fd >= 0) {
			switch (rnd(&r, 4)) {
			case 0:
				if (!ftruncate(fd, rnd(&r, 3) * 4096 + o->size))
					o->size = lseek(fd, 0, SEEK_END);
				break;
			case 1:
				if (!fallocate(fd, 0, 0, o->size + 8192))
					o->size = lseek(fd, 0, SEEK_END);
				break;
			case 2:
				fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096);
				break;
			default:
				if (pwrite(fd, buf, sizeof(buf), rnd(&r, o->size + 1)) > 0)
					o->size = lseek(fd, 0, SEEK_END);
				break;
			}
		}
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

static void fuzz(uint64_t *r, int incoming)
{
	pthread_t t1, t2;
	unsigned long i;

	__atomic_store_n(&stop, 0, __ATOMIC_RELAXED);
	if (pthread_create(&t1, NULL, closer, NULL) || pthread_create(&t2, NULL, writer, NULL))
		lu_fail("cannot start the threads");
	for (i = 0; i < nr_ops; i++)
		fuzz_op(r, incoming);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	lu_result(1, "%lu random calls, %lu succeeded, %lu failed as documented",
		  nr_ops, stats_ok, stats_err);
}

/* ---- what was handed over ---- */

static uint64_t fnv(uint64_t h, const unsigned char *p, size_t len)
{
	while (len--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

/* Size and checksum of the contents of @fd; -1 on error. */
static int digest(int fd, size_t *size, uint64_t *hash)
{
	unsigned char buf[4096];
	off_t off = 0;
	ssize_t n;

	*hash = 0xcbf29ce484222325ULL;
	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		*hash = fnv(*hash, buf, n);
		off += n;
	}
	*size = off;
	return n < 0 ? -1 : 0;
}

static const struct record *record_find(const char *name, uint64_t token)
{
	size_t i = nr_records;

	while (i--) {
		if (records[i].token == token && !strcmp(records[i].name, name))
			return &records[i];
	}
	return NULL;
}

static const struct obj *obj_find(uint64_t id)
{
	int i;

	for (i = 0; i < NR_OBJS; i++) {
		if (objs[i].id == id)
			return &objs[i];
	}
	return NULL;
}

/* The open session named @name; lu_fail() if the fuzzer holds none. */
static int session_find(const char *name)
{
	int i;

	for (i = 0; i < NR_SESSIONS; i++) {
		if (sessions[i].fd >= 0 && !strcmp(sessions[i].name, name))
			return i;
	}
	lu_fail("the kernel lists session \"%s\", which the fuzzer does not hold", name);
	return -1;
}

/*
 * Write what is preserved to @out, from the kernel's list: "S NAME" per
 * session, "F TOKEN KIND SIZE HASH" per file (KIND "-" if the fuzzer
 * cannot tell which of its files it is).  The list must hold exactly the
 * sessions the fuzzer holds open.
 */
static unsigned int describe(FILE *out)
{
	char *line = NULL, name[NAME_LEN + 1] = "";
	int seen[NR_SESSIONS] = { 0 }, i;
	const struct record *rec;
	const struct obj *o;
	unsigned long long token;
	unsigned int files = 0;
	uint64_t hash;
	size_t n = 0, size;
	FILE *in = fopen(LUO_SESSIONS, "r");

	if (!in)
		lu_fail("cannot read %s", LUO_SESSIONS);
	while (getline(&line, &n, in) > 0) {
		if (sscanf(line, "outgoing session \"%64[^\"]\"", name) == 1) {
			seen[session_find(name)] = 1;
			fprintf(out, "S %s\n", name);
			continue;
		}
		if (sscanf(line, "\tfile token=%llx", &token) != 1 || !name[0])
			continue;
		files++;
		rec = record_find(name, token);
		o = rec ? obj_find(rec->id) : NULL;
		if (o && (o->kind == K_MEMFD || o->kind == K_MEMFD_THP || o->kind == K_TEST) &&
		    !digest(o->fd, &size, &hash))
			fprintf(out, "F %llu %d %zu %llu\n", token, o->kind, size,
				(unsigned long long)hash);
		else
			fprintf(out, "F %llu - 0 0\n", token);
	}
	free(line);
	fclose(in);
	for (i = 0; i < NR_SESSIONS; i++) {
		if (sessions[i].fd >= 0 && !seen[i])
			lu_fail("session \"%s\" is open, but the kernel does not list it",
				sessions[i].name);
	}
	return files;
}

static void round1(uint64_t *r, const struct lu_kexec_args *next, const char *before)
{
	unsigned int files;
	int mfd, s;
	FILE *out;

	lu_tap_cmd = "round1";
	fuzz(r, 0);
	/* Sessions with names this program cannot list were closed already. */
	mfd = memfd_create("fuzz-state", MFD_CLOEXEC);
	out = mfd < 0 ? NULL : fdopen(dup(mfd), "w");
	if (!out)
		lu_fail("cannot make the state memfd");
	files = describe(out);
	fclose(out);
	if (ftruncate(mfd, STATE_SIZE))
		lu_fail("ftruncate: %s", strerror(errno));
	s = lu_create_session(dev, STATE_SESSION);
	if (s < 0 || lu_preserve_fd(s, mfd, 1))
		lu_fail("cannot preserve the state");
	lu_result(1, "%u file(s) preserved for the next kernel", files);
	if (before && system(before))
		lu_fail("%s failed", before);
	if (lu_kexec_load_args(next))
		lu_fail("cannot load the next kernel");
	printf("# luo_fuzz: kexec with what survived\n");
	fflush(stdout);
	lu_fail("reboot(2) returned: %s", strerror(-lu_reboot_kexec()));
}

/* Check one session that came back; keep it open for round 2. */
static unsigned int verify_session(const char *name, FILE *in, int slot)
{
	unsigned long long token, hash;
	unsigned int files = 0;
	char kind[8], line[256];
	size_t size, got_size;
	uint64_t got;
	long pos;
	int s, fd;

	s = lu_retrieve_session(dev, name);
	if (s < 0)
		lu_fail("session \"%s\" did not come back: %s", name, strerror(-s));
	for (;;) {
		pos = ftell(in);
		if (!fgets(line, sizeof(line), in))
			break;
		if (sscanf(line, "F %llu %7s %zu %llu", &token, kind, &size, &hash) != 4) {
			fseek(in, pos, SEEK_SET);
			break;
		}
		files++;
		fd = lu_retrieve_fd(s, token);
		if (fd < 0)
			lu_fail("\"%s\" token %llu did not come back: %s", name, token,
				strerror(-fd));
		if (!strcmp(kind, "-")) {
			close(fd);
			continue;
		}
		if (digest(fd, &got_size, &got))
			lu_fail("\"%s\" token %llu (%s) cannot be read: %s", name, token,
				kind_names[atoi(kind)], strerror(errno));
		if (got_size != size || got != hash)
			lu_fail("\"%s\" token %llu (%s) differs: %zu bytes, expected %zu%s",
				name, token, kind_names[atoi(kind)], got_size, size,
				got_size == size ? " (other contents)" : "");
		close(fd);
	}
	sessions[slot].fd = s;
	sessions[slot].incoming = 1;
	memcpy(sessions[slot].name, name, NAME_LEN);
	return files;
}

static void round2(uint64_t *r)
{
	unsigned int nr = 0, files = 0;
	char line[256], name[NAME_LEN] = "";
	FILE *in;
	int s, fd;

	lu_tap_cmd = "round2";
	s = lu_retrieve_session(dev, STATE_SESSION);
	fd = s < 0 ? s : lu_retrieve_fd(s, 1);
	if (fd < 0)
		lu_fail("the state did not come back");
	/* The position of the memfd came back too: at the end of the state. */
	in = lseek(fd, 0, SEEK_SET) ? NULL : fdopen(fd, "r");
	if (!in)
		lu_fail("cannot read the state");
	while (fgets(line, sizeof(line), in)) {
		if (sscanf(line, "S %63s", name) != 1)
			continue;
		if (nr == NR_SESSIONS)
			lu_fail("more sessions than the fuzzer keeps");
		files += verify_session(name, in, nr++);
	}
	lu_finish(s);
	close(s);
	snprintf(line, sizeof(line), "incoming_sessions: %u", nr);
	if (luo_file_has_line("/sys/kernel/debug/liveupdate/state", line) != 1)
		lu_fail("another number of sessions than %u came back", nr);
	lu_result(1, "%u session(s) and %u file(s) came back, byte for byte", nr, files);
	fuzz(r, 1);
	for (s = 0; s < NR_SESSIONS; s++) {
		if (sessions[s].fd >= 0)
			close(sessions[s].fd);
	}
	lu_result(1, "every session closed");
}

/* ---- drain ---- */

/*
 * Read every byte of data of @fd, skipping holes: a damaged record may
 * give a memfd a size of terabytes, which is valid (sparse), and reading
 * its holes would not end.  @size is the file size, @data the bytes read.
 * Return 0, or -1 with errno set.
 */
static int read_data(int fd, size_t *size, size_t *data)
{
	unsigned char buf[4096];
	off_t off = 0, end;
	uint64_t hash;
	ssize_t n;

	end = lseek(fd, 0, SEEK_END);
	if (end < 0)
		return -1;
	*size = end;
	*data = 0;
	for (;;) {
		off = lseek(fd, off, SEEK_DATA);
		if (off < 0 && errno == ENXIO)
			return 0;
		if (off < 0 && errno == EINVAL)	/* no SEEK_DATA: read it all */
			return digest(fd, data, &hash);
		if (off < 0)
			return -1;
		end = lseek(fd, off, SEEK_HOLE);
		if (end < 0)
			return -1;
		while (off < end) {
			n = pread(fd, buf, end - off < (off_t)sizeof(buf) ?
				  end - off : (off_t)sizeof(buf), off);
			if (n <= 0) {
				errno = n ? errno : EIO;
				return -1;
			}
			off += n;
			*data += n;
		}
	}
}

static void drain_file(int s, const char *name, int token)
{
	size_t size, data;
	int fd = lu_retrieve_fd(s, token);

	if (fd == -ENOENT)
		return;
	if (fd < 0) {
		printf("# drain: \"%s\" token %d: %s\n", name, token, strerror(-fd));
		return;
	}
	if (read_data(fd, &size, &data))
		printf("# drain: \"%s\" token %d: read error: %s\n", name, token,
		       strerror(errno));
	else
		printf("# drain: \"%s\" token %d: %zu bytes, %zu of data read\n",
		       name, token, size, data);
	close(fd);
}

static int drain_sessions(int argc, char **argv)
{
	int i, s, token, err;

	lu_tap_cmd = "drain";
	if (dev < 0) {
		printf("# drain: /dev/liveupdate: %s\n", strerror(-dev));
		lu_result(1, "nothing to retrieve");
		return 0;
	}
	for (i = 0; i < argc; i++) {
		s = lu_retrieve_session(dev, argv[i]);
		if (s < 0) {
			printf("# drain: session \"%s\": %s\n", argv[i], strerror(-s));
			continue;
		}
		for (token = 0; token < 16; token++)
			drain_file(s, argv[i], token);
		err = lu_finish(s);
		if (err)
			printf("# drain: FINISH \"%s\": %s\n", argv[i], strerror(-err));
		close(s);
	}
	lu_result(1, "retrieved what could be retrieved");
	return 0;
}

int main(int argc, char **argv)
{
	struct lu_kexec_args next = {};
	const char *before = NULL;
	uint64_t r;
	int opt, i;

	lu_tap_prefix = "luo_fuzz";
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "s:n:k:i:c:x:")) != -1) {
		if (opt == 'x')
			before = optarg;
		else if (opt == 's')
			seed = strtoul(optarg, NULL, 0);
		else if (opt == 'n')
			nr_ops = strtoul(optarg, NULL, 0);
		else if (!lu_kexec_getopt(opt, optarg, &next))
			return 2;
	}
	if (optind >= argc)
		return 2;
	dev = lu_open();
	if (!strcmp(argv[optind], "drain"))
		return drain_sessions(argc - optind - 1, argv + optind + 1);
	if (dev < 0)
		lu_fail("cannot open /dev/liveupdate: %s", strerror(-dev));
	printf("# luo_fuzz: seed %lu, %lu calls\n", seed, nr_ops);
	page_size = sysconf(_SC_PAGESIZE);
	guard = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guard == MAP_FAILED || mprotect(guard + page_size, page_size, PROT_NONE))
		lu_fail("cannot map the guard page");
	r = seed * 2 + 1;
	for (i = 0; i < NR_SESSIONS; i++)
		sessions[i].fd = -1;
	for (i = 0; i < NR_OBJS; i++)
		obj_new(&r, i);
	if (!strcmp(argv[optind], "round1"))
		round1(&r, &next, before);
	else if (!strcmp(argv[optind], "round2"))
		round2(&r);
	else
		return 2;
	return 0;
}
