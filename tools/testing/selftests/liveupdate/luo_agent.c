// SPDX-License-Identifier: GPL-2.0
/*
 * luo_agent [-k KERNEL] [-i INITRD] [-c CMDLINE] COMMAND...
 *
 * A small live update agent for the VM tests.  It runs COMMANDs in order,
 * keeping its session file descriptors open, and prints one KTAP line per
 * command ("ok N - agent: ..." or "not ok N - agent: ...").  It stops at
 * the first failure with exit status 1.  "kexec" loads KERNEL with
 * kexec_file_load(2) and calls reboot(2) while the sessions are still
 * open, as a real agent does.  Fields are separated by ':'.
 *
 *   create:NAME               create an outgoing session
 *   create-many:PREFIX:N      create sessions PREFIX-0 ... PREFIX-(N-1)
 *   preserve:NAME:TOKEN:DATA  preserve a new test file holding DATA
 *   preserve-late:NAME:TOKEN:DATA:LATER
 *                             same, then write LATER to the file (which
 *                             freeze() must carry to the next kernel)
 *   preserve-many:NAME:N      preserve N test files, tokens 0 ... N-1,
 *                             holding "file-<token>"
 *   close:NAME                close a session
 *   close-dev                 close /dev/liveupdate (sessions stay)
 *   open-fail:ERRNO           opening /dev/liveupdate fails with ERRNO
 *   write:PATH:VALUE          write VALUE to PATH
 *   expect-line:PATH:LINE     PATH has the line LINE
 *   sh:COMMAND                COMMAND (run by /bin/sh) succeeds
 *   kexec                     reboot into KERNEL; fails if reboot returns
 *   kexec-fail:ERRNO          reboot(2) into KERNEL fails with ERRNO
 *   retrieve:NAME             retrieve an incoming session
 *   retrieve-fail:NAME:ERRNO  retrieving it fails with ERRNO
 *   check:NAME:TOKEN:DATA     retrieve a file, its payload is DATA (by
 *                             read() and by pread())
 *   check-fail:NAME:TOKEN:ERRNO
 *   check-many:NAME:N         retrieve the files of preserve-many
 *   finish:NAME               FINISH a session
 *   finish-fail:NAME:ERRNO    FINISH fails with ERRNO
 *   retrieve-many:PREFIX:N    retrieve, finish and close the sessions of
 *                             create-many
 *   api-in:NAME:TOKEN:DATA    the ioctl rules of a retrieved session that
 *                             holds DATA under TOKEN; closes the session
 *
 * ERRNO is a name (EBUSY, ...) or a number.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lu_kexec.h"
#include "luo_util.h"
#include "lu_tap.h"

#define MAX_FIELDS	6

struct agent_session {
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	int fd;
};

static struct agent_session *sessions;
static size_t nr_sessions, cap_sessions;
static struct lu_kexec_args next = { .cmdline = "" };
static int dev = -1, loaded;

static int device(void)
{
	if (dev < 0) {
		dev = lu_open();
		if (dev < 0)
			lu_fail("open %s: %s", LU_DEVICE, strerror(-dev));
	}
	return dev;
}

static struct agent_session *find_session(const char *name)
{
	size_t i;

	for (i = 0; i < nr_sessions; i++) {
		if (!strcmp(sessions[i].name, name))
			return &sessions[i];
	}
	return NULL;
}

static int session_fd(const char *name)
{
	struct agent_session *s = find_session(name);

	if (!s)
		lu_fail("agent holds no session %s", name);
	return s->fd;
}

static void add_session(const char *name, int fd)
{
	if (nr_sessions == cap_sessions) {
		cap_sessions = cap_sessions ? cap_sessions * 2 : 64;
		sessions = realloc(sessions, cap_sessions * sizeof(*sessions));
		if (!sessions)
			lu_fail("out of memory");
	}
	snprintf(sessions[nr_sessions].name, sizeof(sessions[0].name), "%s", name);
	sessions[nr_sessions++].fd = fd;
}

static void close_session(const char *name)
{
	struct agent_session *s = find_session(name);

	if (!s)
		lu_fail("agent holds no session %s", name);
	close(s->fd);
	*s = sessions[--nr_sessions];
}

static void create(const char *name)
{
	int fd = lu_create_session(device(), name);

	if (fd < 0)
		lu_fail("CREATE_SESSION %s: %s", name, strerror(-fd));
	add_session(name, fd);
}

static void create_many(const char *prefix, unsigned long n)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	unsigned long i;
	int err;

	err = luo_raise_nofile(n + nr_sessions + 64);
	if (err)
		lu_fail("RLIMIT_NOFILE: %s", strerror(-err));
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s-%lu", prefix, i);
		create(name);
	}
}

static void preserve(const char *name, uint64_t token, const char *data,
		     const char *later)
{
	int fd, err;

	fd = luo_test_file(data);
	if (fd < 0)
		lu_fail("test file: %s", strerror(-fd));
	err = lu_preserve_fd(session_fd(name), fd, token);
	if (err)
		lu_fail("PRESERVE_FD: %s", strerror(-err));
	if (later && write(fd, later, strlen(later)) != (ssize_t)strlen(later))
		lu_fail("write: %s", strerror(errno));
	close(fd);
}

static void preserve_many(const char *name, unsigned long n)
{
	char data[32];
	unsigned long i;

	for (i = 0; i < n; i++) {
		snprintf(data, sizeof(data), "file-%lu", i);
		preserve(name, i, data, NULL);
	}
}

static void kexec_load_once(void)
{
	if (loaded)
		return;
	if (!next.kernel)
		lu_fail("no kernel given (-k)");
	if (lu_kexec_load_args(&next))
		lu_fail("kexec_file_load failed");
	loaded = 1;
}

static void do_kexec(int want)
{
	int err;

	kexec_load_once();
	printf("# agent: reboot(LINUX_REBOOT_CMD_KEXEC) holding %zu session(s)\n",
	       nr_sessions);
	fflush(stdout);
	err = lu_reboot_kexec();
	if (!want)
		lu_fail("reboot returned: %s", strerror(-err));
	lu_expect_err("reboot", err, want);
}

static void retrieve(const char *name)
{
	int fd = lu_retrieve_session(device(), name);

	if (fd < 0)
		lu_fail("RETRIEVE_SESSION %s: %s", name, strerror(-fd));
	add_session(name, fd);
}

static void check_file(int session, uint64_t token, const char *data)
{
	char buf[LUO_TEST_PAYLOAD_MAX + 1];
	ssize_t n;
	int fd, err;

	fd = lu_retrieve_fd(session, token);
	if (fd < 0)
		lu_fail("RETRIEVE_FD %#llx: %s", (unsigned long long)token, strerror(-fd));
	if (luo_is_cloexec(fd) != 1)
		lu_fail("retrieved fd is not close-on-exec");
	err = luo_read_payload(fd, buf, sizeof(buf));
	if (err)
		lu_fail("read: %s", strerror(-err));
	if (strcmp(buf, data))
		lu_fail("token %#llx holds \"%s\", expected \"%s\"",
			(unsigned long long)token, buf, data);
	/* pread() works on it as on the file that was preserved. */
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		lu_fail("pread: %s", strerror(errno));
	buf[n] = '\0';
	if (strcmp(buf, data))
		lu_fail("pread of token %#llx returns \"%s\", expected \"%s\"",
			(unsigned long long)token, buf, data);
	close(fd);
}

static void check_many(const char *name, unsigned long n)
{
	int s = session_fd(name);
	char data[32];
	unsigned long i;

	/* Any order works: take them from the end. */
	for (i = n; i-- > 0;) {
		snprintf(data, sizeof(data), "file-%lu", i);
		check_file(s, i, data);
	}
}

static void finish(const char *name)
{
	int err = lu_finish(session_fd(name));

	if (err)
		lu_fail("FINISH %s: %s", name, strerror(-err));
}

static void retrieve_many(const char *prefix, unsigned long n)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	unsigned long i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s-%lu", prefix, n - 1 - i);
		retrieve(name);
		finish(name);
		close_session(name);
	}
}

static void api_in_retrieve_fd(int s, uint64_t token)
{
	struct {
		struct liveupdate_session_retrieve_fd arg;
		unsigned char tail[8];
	} big = { .arg = { .size = sizeof(big), .token = token } };

	big.arg.size = sizeof(big.arg) - 1;
	lu_expect_err("RETRIEVE_FD one byte short",
		      lu_ioctl(s, LIVEUPDATE_SESSION_RETRIEVE_FD, &big), EINVAL);
	big.arg.size = sizeof(big);
	big.tail[7] = 1;
	lu_expect_err("RETRIEVE_FD non-zero tail",
		      lu_ioctl(s, LIVEUPDATE_SESSION_RETRIEVE_FD, &big), E2BIG);
	lu_expect_err("RETRIEVE_FD unknown token",
		      lu_retrieve_fd(s, token ^ 0x5a5a5a5aULL), ENOENT);
}

/* Two retrievals of one token share the open file, and its offset. */
static void api_in_shared_file(int s, uint64_t token, const char *data)
{
	struct {
		struct liveupdate_session_retrieve_fd arg;
		unsigned char tail[8];
	} big = { .arg = { .size = sizeof(big), .token = token } };
	char buf[LUO_TEST_PAYLOAD_MAX + 1];
	int fd1, fd2;
	ssize_t n;

	if (lu_ioctl(s, LIVEUPDATE_SESSION_RETRIEVE_FD, &big))
		lu_fail("RETRIEVE_FD with a zero tail: %s", strerror(errno));
	fd1 = big.arg.fd;
	fd2 = lu_retrieve_fd(s, token);
	if (fd2 < 0)
		lu_fail("second RETRIEVE_FD: %s", strerror(-fd2));
	if (read(fd1, buf, 1) != 1)
		lu_fail("read");
	n = read(fd2, buf, sizeof(buf) - 1);
	if (n != (ssize_t)strlen(data) - 1)
		lu_fail("the two fds do not share the file offset (%zd)", n);
	close(fd2);
	if (luo_read_payload(fd1, buf, sizeof(buf)) || strcmp(buf, data))
		lu_fail("payload \"%s\", expected \"%s\"", buf, data);
	/* Kept for after FINISH. */
	dup2(fd1, 1000);
	close(fd1);
}

static void api_in_finish(int s, uint64_t token, const char *data)
{
	struct {
		struct liveupdate_session_finish arg;
		unsigned char tail[8];
	} big = { .arg = { .size = sizeof(big), .reserved = 1 } };
	char buf[LUO_TEST_PAYLOAD_MAX + 1];

	lu_expect_err("FINISH with reserved set",
		      lu_ioctl(s, LIVEUPDATE_SESSION_FINISH, &big), EINVAL);
	big.arg.reserved = 0;
	if (lu_ioctl(s, LIVEUPDATE_SESSION_FINISH, &big))
		lu_fail("FINISH with a zero tail: %s", strerror(errno));
	if (lu_finish(s))
		lu_fail("second FINISH: %s", strerror(errno));
	lu_expect_err("RETRIEVE_FD after FINISH", lu_retrieve_fd(s, token), ENOENT);
	if (luo_read_payload(1000, buf, sizeof(buf)) || strcmp(buf, data))
		lu_fail("retrieved file lost its data at FINISH");
	close(1000);
}

static void api_in(const char *name, uint64_t token, const char *data)
{
	char got[LIVEUPDATE_SESSION_NAME_LENGTH];
	int s = session_fd(name), fd;

	fd = luo_test_file("x");
	if (fd < 0)
		lu_fail("test file: %s", strerror(-fd));
	lu_expect_err("PRESERVE_FD on a retrieved session",
		      lu_preserve_fd(s, fd, 777), EINVAL);
	close(fd);
	lu_expect_err("RETRIEVE_SESSION of an open session",
		      lu_retrieve_session(device(), name), EINVAL);
	if (lu_get_name(s, got) || strcmp(got, name))
		lu_fail("GET_NAME");
	api_in_retrieve_fd(s, token);
	api_in_shared_file(s, token, data);
	api_in_finish(s, token, data);
	close_session(name);
	lu_expect_err("RETRIEVE_SESSION after close",
		      lu_retrieve_session(device(), name), ENOENT);
}

static void write_file(const char *path, const char *value)
{
	int err = luo_write_file(path, value);

	if (err)
		lu_fail("%s", strerror(-err));
}

enum cmd {
	C_CREATE, C_CREATE_MANY, C_PRESERVE, C_PRESERVE_LATE, C_PRESERVE_MANY,
	C_CLOSE, C_CLOSE_DEV, C_OPEN_FAIL, C_WRITE, C_EXPECT_LINE, C_KEXEC,
	C_KEXEC_FAIL, C_RETRIEVE, C_RETRIEVE_FAIL, C_CHECK, C_CHECK_FAIL,
	C_CHECK_MANY, C_FINISH, C_FINISH_FAIL, C_RETRIEVE_MANY, C_API_IN, C_SH,
};

/* Name and number of fields of each command; the last field may hold ':'. */
static const struct { const char *name; int nargs; } cmds[] = {
	[C_CREATE] = { "create", 1 },
	[C_CREATE_MANY] = { "create-many", 2 },
	[C_PRESERVE] = { "preserve", 3 },
	[C_PRESERVE_LATE] = { "preserve-late", 4 },
	[C_PRESERVE_MANY] = { "preserve-many", 2 },
	[C_CLOSE] = { "close", 1 },
	[C_CLOSE_DEV] = { "close-dev", 0 },
	[C_OPEN_FAIL] = { "open-fail", 1 },
	[C_WRITE] = { "write", 2 },
	[C_EXPECT_LINE] = { "expect-line", 2 },
	[C_KEXEC] = { "kexec", 0 },
	[C_KEXEC_FAIL] = { "kexec-fail", 1 },
	[C_RETRIEVE] = { "retrieve", 1 },
	[C_RETRIEVE_FAIL] = { "retrieve-fail", 2 },
	[C_CHECK] = { "check", 3 },
	[C_CHECK_FAIL] = { "check-fail", 3 },
	[C_CHECK_MANY] = { "check-many", 2 },
	[C_FINISH] = { "finish", 1 },
	[C_FINISH_FAIL] = { "finish-fail", 2 },
	[C_RETRIEVE_MANY] = { "retrieve-many", 2 },
	[C_API_IN] = { "api-in", 3 },
	[C_SH] = { "sh", 1 },
};

static void dispatch(enum cmd c, char **f)
{
	switch (c) {
	case C_CREATE:
		create(f[0]);
		break;
	case C_CREATE_MANY:
		create_many(f[0], lu_parse_num(f[1]));
		break;
	case C_PRESERVE:
		preserve(f[0], lu_parse_num(f[1]), f[2], NULL);
		break;
	case C_PRESERVE_LATE:
		preserve(f[0], lu_parse_num(f[1]), f[2], f[3]);
		break;
	case C_PRESERVE_MANY:
		preserve_many(f[0], lu_parse_num(f[1]));
		break;
	case C_CLOSE:
		close_session(f[0]);
		break;
	case C_CLOSE_DEV:
		close(device());
		dev = -1;
		break;
	case C_OPEN_FAIL:
		lu_expect_err("open", lu_open(), lu_parse_errno(f[0]));
		break;
	case C_WRITE:
		write_file(f[0], f[1]);
		break;
	case C_EXPECT_LINE:
		if (luo_file_has_line(f[0], f[1]) != 1)
			lu_fail("no such line in %s", f[0]);
		break;
	case C_KEXEC:
		do_kexec(0);
		break;
	case C_KEXEC_FAIL:
		do_kexec(lu_parse_errno(f[0]));
		break;
	case C_RETRIEVE:
		retrieve(f[0]);
		break;
	case C_RETRIEVE_FAIL:
		lu_expect_err("RETRIEVE_SESSION", lu_retrieve_session(device(), f[0]),
			      lu_parse_errno(f[1]));
		break;
	case C_CHECK:
		check_file(session_fd(f[0]), lu_parse_num(f[1]), f[2]);
		break;
	case C_CHECK_FAIL:
		lu_expect_err("RETRIEVE_FD",
			      lu_retrieve_fd(session_fd(f[0]), lu_parse_num(f[1])),
			      lu_parse_errno(f[2]));
		break;
	case C_CHECK_MANY:
		check_many(f[0], lu_parse_num(f[1]));
		break;
	case C_FINISH:
		finish(f[0]);
		break;
	case C_FINISH_FAIL:
		lu_expect_err("FINISH", lu_finish(session_fd(f[0])), lu_parse_errno(f[1]));
		break;
	case C_RETRIEVE_MANY:
		retrieve_many(f[0], lu_parse_num(f[1]));
		break;
	case C_API_IN:
		api_in(f[0], lu_parse_num(f[1]), f[2]);
		break;
	case C_SH:
		fflush(stdout);
		if (system(f[0]))
			lu_fail("command failed");
		break;
	}
}

/* Split "name:a:b" in place and run it. */
static void run(char *s)
{
	char *f[MAX_FIELDS], *colon = strchr(s, ':');
	size_t i;
	int n = 0;

	if (colon)
		*colon = '\0';
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (!strcmp(s, cmds[i].name))
			break;
	}
	if (i == ARRAY_SIZE(cmds))
		lu_fail("unknown command");
	for (s = colon; s && n < cmds[i].nargs; n++) {
		f[n] = s + 1;
		s = n + 1 < cmds[i].nargs ? strchr(f[n], ':') : NULL;
		if (s)
			*s = '\0';
	}
	if (n != cmds[i].nargs)
		lu_fail("needs %d field(s)", cmds[i].nargs);
	dispatch(i, f);
}

int main(int argc, char **argv)
{
	int opt;

	while ((opt = getopt(argc, argv, "k:i:c:")) != -1) {
		if (!lu_kexec_getopt(opt, optarg, &next)) {
			fprintf(stderr,
				"usage: luo_agent [-k KERNEL] [-i INITRD] [-c CMDLINE] COMMAND...\n");
			return 2;
		}
	}
	lu_run_commands(argv + optind, argc - optind, run);
	return 0;
}
