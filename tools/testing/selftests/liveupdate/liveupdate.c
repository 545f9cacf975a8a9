// SPDX-License-Identifier: GPL-2.0
/*
 * API test of /dev/liveupdate without a kexec: every ioctl, its structure
 * size rules and its error cases on outgoing sessions.  Files come from
 * the test file type of CONFIG_LIVEUPDATE_TEST; tests that need one skip
 * without it.  Everything skips if /dev/liveupdate does not exist.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "luo_util.h"

#define NR_MANY_SESSIONS	2000
#define NR_MANY_FILES		500

FIXTURE(liveupdate) {
	int dev;
};

FIXTURE_SETUP(liveupdate)
{
	self->dev = lu_open();
	if (self->dev == -ENOENT)
		SKIP(return, "%s does not exist (liveupdate=on and kho=on?)", LU_DEVICE);
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(liveupdate)
{
	if (self->dev >= 0)
		close(self->dev);
}

/* A test file holding @payload; skips the test without the test handler. */
#define test_file(payload) ({						\
	int __fd = luo_test_file(payload);				\
	if (__fd == -ENOENT)						\
		SKIP(return, "no %s (CONFIG_LIVEUPDATE_TEST)", LUO_TEST_FILE); \
	ASSERT_LE(0, __fd);						\
	__fd;								\
})

TEST_F(liveupdate, open_close)
{
	ASSERT_EQ(0, close(self->dev));
	self->dev = lu_open();
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(1, luo_is_cloexec(self->dev));
}

TEST_F(liveupdate, exclusive_open)
{
	ASSERT_EQ(-EBUSY, lu_open());
}

TEST_F(liveupdate, sessions_outlive_the_device)
{
	int s, fd;

	s = lu_create_session(self->dev, "outlive");
	ASSERT_LE(0, s);
	ASSERT_EQ(0, close(self->dev));
	self->dev = -1;
	fd = test_file("data");
	EXPECT_EQ(0, lu_preserve_fd(s, fd, 1));
	close(fd);
	close(s);
}

TEST_F(liveupdate, create_session)
{
	int s = lu_create_session(self->dev, "create");

	ASSERT_LE(0, s);
	EXPECT_EQ(1, luo_is_cloexec(s));
	close(s);
}

TEST_F(liveupdate, create_duplicate_session)
{
	int s = lu_create_session(self->dev, "dup");

	ASSERT_LE(0, s);
	EXPECT_EQ(-EEXIST, lu_create_session(self->dev, "dup"));
	close(s);
}

TEST_F(liveupdate, create_distinct_sessions)
{
	int a = lu_create_session(self->dev, "distinct-a");
	int b = lu_create_session(self->dev, "distinct-b");

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	close(a);
	close(b);
}

TEST_F(liveupdate, name_free_after_close)
{
	int s = lu_create_session(self->dev, "reuse");

	ASSERT_LE(0, s);
	close(s);
	s = lu_create_session(self->dev, "reuse");
	ASSERT_LE(0, s);
	close(s);
}

TEST_F(liveupdate, create_session_empty_name)
{
	EXPECT_EQ(-EINVAL, lu_create_session(self->dev, ""));
}

TEST_F(liveupdate, create_session_no_nul)
{
	struct liveupdate_ioctl_create_session arg = { .size = sizeof(arg) };

	memset(arg.name, 'X', sizeof(arg.name));
	EXPECT_EQ(-EINVAL, lu_ioctl(self->dev, LIVEUPDATE_IOCTL_CREATE_SESSION, &arg));
}

TEST_F(liveupdate, retrieve_session_bad_names)
{
	struct liveupdate_ioctl_retrieve_session arg = { .size = sizeof(arg) };

	EXPECT_EQ(-EINVAL, lu_retrieve_session(self->dev, ""));
	memset(arg.name, 'X', sizeof(arg.name));
	EXPECT_EQ(-EINVAL, lu_ioctl(self->dev, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, &arg));
}

TEST_F(liveupdate, retrieve_session_unknown)
{
	EXPECT_EQ(-ENOENT, lu_retrieve_session(self->dev, "no-such-session"));
}

TEST_F(liveupdate, outgoing_session_is_not_incoming)
{
	int s = lu_create_session(self->dev, "only-outgoing");

	ASSERT_LE(0, s);
	EXPECT_EQ(-ENOENT, lu_retrieve_session(self->dev, "only-outgoing"));
	close(s);
}

TEST_F(liveupdate, get_session_name)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	int s = lu_create_session(self->dev, "my name");

	ASSERT_LE(0, s);
	ASSERT_EQ(0, lu_get_name(s, name));
	EXPECT_STREQ("my name", name);
	close(s);
}

TEST_F(liveupdate, get_session_name_max_length)
{
	char want[LIVEUPDATE_SESSION_NAME_LENGTH], name[LIVEUPDATE_SESSION_NAME_LENGTH];
	int s;

	memset(want, 'n', sizeof(want) - 1);
	want[sizeof(want) - 1] = '\0';
	s = lu_create_session(self->dev, want);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, lu_get_name(s, name));
	EXPECT_STREQ(want, name);
	close(s);
}

TEST_F(liveupdate, get_session_name_reserved)
{
	struct liveupdate_session_get_name arg = { .size = sizeof(arg), .reserved = 1 };
	int s = lu_create_session(self->dev, "reserved");

	ASSERT_LE(0, s);
	EXPECT_EQ(-EINVAL, lu_ioctl(s, LIVEUPDATE_SESSION_GET_NAME, &arg));
	close(s);
}

/*
 * Size rules of one ioctl: one byte short of the minimum is EINVAL, a
 * larger structure with a zero tail behaves like the exact one (@want), a
 * non-zero tail is E2BIG.
 */
static void check_sizes(struct __test_metadata *_metadata, int fd,
			unsigned long cmd, const void *arg, size_t size,
			size_t min_size, int want)
{
	unsigned char buf[256];
	uint32_t *sizep = (uint32_t *)buf;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, arg, size);
	*sizep = min_size - 1;
	EXPECT_EQ(-EINVAL, lu_ioctl(fd, cmd, buf));

	memset(buf, 0, sizeof(buf));
	memcpy(buf, arg, size);
	*sizep = size + 16;
	EXPECT_EQ(want, lu_ioctl(fd, cmd, buf));

	memset(buf, 0, sizeof(buf));
	memcpy(buf, arg, size);
	*sizep = size + 16;
	buf[size + 15] = 1;
	EXPECT_EQ(-E2BIG, lu_ioctl(fd, cmd, buf));

	*sizep = 0;
	EXPECT_EQ(-EINVAL, lu_ioctl(fd, cmd, buf));
}

TEST_F(liveupdate, struct_sizes)
{
	ASSERT_EQ(72, sizeof(struct liveupdate_ioctl_create_session));
	ASSERT_EQ(72, sizeof(struct liveupdate_ioctl_retrieve_session));
	ASSERT_EQ(16, sizeof(struct liveupdate_session_preserve_fd));
	ASSERT_EQ(16, sizeof(struct liveupdate_session_retrieve_fd));
	ASSERT_EQ(8, sizeof(struct liveupdate_session_finish));
	ASSERT_EQ(72, sizeof(struct liveupdate_session_get_name));
	ASSERT_EQ(0xBA00, LIVEUPDATE_IOCTL_CREATE_SESSION);
	ASSERT_EQ(0xBA01, LIVEUPDATE_IOCTL_RETRIEVE_SESSION);
	ASSERT_EQ(0xBA40, LIVEUPDATE_SESSION_PRESERVE_FD);
	ASSERT_EQ(0xBA41, LIVEUPDATE_SESSION_RETRIEVE_FD);
	ASSERT_EQ(0xBA42, LIVEUPDATE_SESSION_FINISH);
	ASSERT_EQ(0xBA43, LIVEUPDATE_SESSION_GET_NAME);
}

TEST_F(liveupdate, create_session_sizes)
{
	struct liveupdate_ioctl_create_session arg = { .size = sizeof(arg) };
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	struct {
		struct liveupdate_ioctl_create_session arg;
		unsigned char tail[16];
	} big = { .arg.size = sizeof(big) };
	int s;

	/* Calls that get past the size checks find the name taken. */
	s = lu_create_session(self->dev, "sized");
	ASSERT_LE(0, s);
	snprintf((char *)arg.name, sizeof(arg.name), "sized");
	check_sizes(_metadata, self->dev, LIVEUPDATE_IOCTL_CREATE_SESSION, &arg,
		    sizeof(arg), sizeof(arg), -EEXIST);
	close(s);

	/* A larger structure with a zero tail creates a session. */
	snprintf((char *)big.arg.name, sizeof(big.arg.name), "sized-big");
	ASSERT_EQ(0, lu_ioctl(self->dev, LIVEUPDATE_IOCTL_CREATE_SESSION, &big));
	ASSERT_EQ(0, lu_get_name(big.arg.fd, name));
	EXPECT_STREQ("sized-big", name);
	close(big.arg.fd);
}

TEST_F(liveupdate, retrieve_session_sizes)
{
	struct liveupdate_ioctl_retrieve_session arg = { .size = sizeof(arg) };

	snprintf((char *)arg.name, sizeof(arg.name), "not-there");
	check_sizes(_metadata, self->dev, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, &arg,
		    sizeof(arg), sizeof(arg), -ENOENT);
}

TEST_F(liveupdate, preserve_fd_sizes)
{
	struct liveupdate_session_preserve_fd arg = { .size = sizeof(arg), .token = 7 };
	int s, fd;

	s = lu_create_session(self->dev, "preserve-sizes");
	ASSERT_LE(0, s);
	fd = test_file("sizes");
	arg.fd = fd;
	check_sizes(_metadata, s, LIVEUPDATE_SESSION_PRESERVE_FD, &arg,
		    sizeof(arg), sizeof(arg), 0);
	close(fd);
	close(s);
}

TEST_F(liveupdate, retrieve_fd_sizes)
{
	struct liveupdate_session_retrieve_fd arg = { .size = sizeof(arg) };
	int s = lu_create_session(self->dev, "retrieve-fd-sizes");

	ASSERT_LE(0, s);
	/* On an outgoing session the call itself is EINVAL. */
	check_sizes(_metadata, s, LIVEUPDATE_SESSION_RETRIEVE_FD, &arg,
		    sizeof(arg), sizeof(arg), -EINVAL);
	close(s);
}

TEST_F(liveupdate, finish_sizes)
{
	struct liveupdate_session_finish arg = { .size = sizeof(arg) };
	int s = lu_create_session(self->dev, "finish-sizes");

	ASSERT_LE(0, s);
	check_sizes(_metadata, s, LIVEUPDATE_SESSION_FINISH, &arg,
		    sizeof(arg), sizeof(arg), -EINVAL);
	close(s);
}

TEST_F(liveupdate, get_name_sizes)
{
	struct liveupdate_session_get_name arg = { .size = sizeof(arg) };
	int s = lu_create_session(self->dev, "get-name-sizes");

	ASSERT_LE(0, s);
	check_sizes(_metadata, s, LIVEUPDATE_SESSION_GET_NAME, &arg,
		    sizeof(arg), sizeof(arg), 0);
	close(s);
}

TEST_F(liveupdate, short_reply_buffer)
{
	struct liveupdate_session_get_name arg;
	int s = lu_create_session(self->dev, "short-reply");

	ASSERT_LE(0, s);
	/* A 16-byte structure is below the minimum of 72. */
	memset(&arg, 0, sizeof(arg));
	arg.size = 16;
	EXPECT_EQ(-EINVAL, lu_ioctl(s, LIVEUPDATE_SESSION_GET_NAME, &arg));
	close(s);
}

TEST_F(liveupdate, bad_user_pointer)
{
	int s = lu_create_session(self->dev, "efault");

	ASSERT_LE(0, s);
	EXPECT_EQ(-EFAULT, lu_ioctl(self->dev, LIVEUPDATE_IOCTL_CREATE_SESSION, NULL));
	EXPECT_EQ(-EFAULT, lu_ioctl(s, LIVEUPDATE_SESSION_GET_NAME, (void *)8));
	close(s);
}

TEST_F(liveupdate, unknown_ioctls)
{
	struct liveupdate_ioctl_create_session arg = { .size = sizeof(arg) };
	int s = lu_create_session(self->dev, "enotty");

	ASSERT_LE(0, s);
	EXPECT_EQ(-ENOTTY, lu_ioctl(self->dev, _IO(LIVEUPDATE_IOCTL_TYPE, 0x02), &arg));
	EXPECT_EQ(-ENOTTY, lu_ioctl(self->dev, LIVEUPDATE_SESSION_PRESERVE_FD, &arg));
	EXPECT_EQ(-ENOTTY, lu_ioctl(self->dev, _IO('x', 0x00), &arg));
	EXPECT_EQ(-ENOTTY, lu_ioctl(self->dev,
				    _IOWR(LIVEUPDATE_IOCTL_TYPE, 0x00,
					  struct liveupdate_ioctl_create_session), &arg));
	EXPECT_EQ(-ENOTTY, lu_ioctl(s, LIVEUPDATE_IOCTL_CREATE_SESSION, &arg));
	EXPECT_EQ(-ENOTTY, lu_ioctl(s, _IO(LIVEUPDATE_IOCTL_TYPE, 0x44), &arg));
	EXPECT_EQ(-ENOTTY, lu_ioctl(s, _IO(LIVEUPDATE_IOCTL_TYPE, 0x3f), &arg));
	close(s);
}

TEST_F(liveupdate, preserve_test_file)
{
	long before = luo_test_stat("unpreserve");
	char buf[64];
	int s, fd;

	s = lu_create_session(self->dev, "preserve");
	ASSERT_LE(0, s);
	fd = test_file("hello live update");
	ASSERT_EQ(0, lu_preserve_fd(s, fd, 0x1234));
	/* Preservation leaves the file usable. */
	ASSERT_EQ(0, luo_read_payload(fd, buf, sizeof(buf)));
	EXPECT_STREQ("hello live update", buf);
	close(fd);
	/* Closing the session unpreserves the file. */
	close(s);
	EXPECT_EQ(before + 1, luo_test_stat("unpreserve"));
}

TEST_F(liveupdate, preserve_then_close_fd)
{
	int s, fd;

	s = lu_create_session(self->dev, "close-fd");
	ASSERT_LE(0, s);
	fd = test_file("a");
	ASSERT_EQ(0, lu_preserve_fd(s, fd, 1));
	close(fd);
	fd = test_file("b");
	EXPECT_EQ(0, lu_preserve_fd(s, fd, 2));
	close(fd);
	close(s);
}

TEST_F(liveupdate, preserve_duplicate_token)
{
	int s, a, b;

	s = lu_create_session(self->dev, "dup-token");
	ASSERT_LE(0, s);
	a = test_file("a");
	b = test_file("b");
	ASSERT_EQ(0, lu_preserve_fd(s, a, 42));
	EXPECT_EQ(-EEXIST, lu_preserve_fd(s, b, 42));
	EXPECT_EQ(0, lu_preserve_fd(s, b, 43));
	close(a);
	close(b);
	close(s);
}

TEST_F(liveupdate, same_token_in_two_sessions)
{
	int s1, s2, a, b;

	s1 = lu_create_session(self->dev, "token-1");
	s2 = lu_create_session(self->dev, "token-2");
	ASSERT_LE(0, s1);
	ASSERT_LE(0, s2);
	a = test_file("a");
	b = test_file("b");
	EXPECT_EQ(0, lu_preserve_fd(s1, a, 5));
	EXPECT_EQ(0, lu_preserve_fd(s2, b, 5));
	close(a);
	close(b);
	close(s1);
	close(s2);
}

TEST_F(liveupdate, prevent_double_preservation)
{
	int s1, s2, fd;

	s1 = lu_create_session(self->dev, "double-1");
	s2 = lu_create_session(self->dev, "double-2");
	ASSERT_LE(0, s1);
	ASSERT_LE(0, s2);
	fd = test_file("twice");
	ASSERT_EQ(0, lu_preserve_fd(s1, fd, 0x1111));
	EXPECT_EQ(-EBUSY, lu_preserve_fd(s2, fd, 0x2222));
	EXPECT_EQ(-EBUSY, lu_preserve_fd(s1, fd, 0x3333));
	/* Once unpreserved, the file can be preserved again. */
	close(s1);
	EXPECT_EQ(0, lu_preserve_fd(s2, fd, 0x2222));
	close(fd);
	close(s2);
}

TEST_F(liveupdate, preserve_unsupported_fd)
{
	int s, fd;

	s = lu_create_session(self->dev, "unsupported");
	ASSERT_LE(0, s);
	fd = open("/dev/null", O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOENT, lu_preserve_fd(s, fd, 1));
	/* Neither a session nor the device can be preserved. */
	EXPECT_EQ(-ENOENT, lu_preserve_fd(s, s, 2));
	close(fd);
	close(s);
}

TEST_F(liveupdate, preserve_bad_fd)
{
	int s, fd;

	s = lu_create_session(self->dev, "badfd");
	ASSERT_LE(0, s);
	EXPECT_EQ(-EBADF, lu_preserve_fd(s, -1, 1));
	fd = open("/dev/null", O_RDONLY);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-EBADF, lu_preserve_fd(s, fd, 1));
	close(s);
}

TEST_F(liveupdate, direction_rules_outgoing)
{
	struct liveupdate_session_finish finish = { .size = sizeof(finish) };
	int s, fd;

	s = lu_create_session(self->dev, "direction");
	ASSERT_LE(0, s);
	fd = test_file("dir");
	ASSERT_EQ(0, lu_preserve_fd(s, fd, 9));
	EXPECT_EQ(-EINVAL, lu_retrieve_fd(s, 9));
	EXPECT_EQ(-EINVAL, lu_finish(s));
	finish.reserved = 1;
	EXPECT_EQ(-EINVAL, lu_ioctl(s, LIVEUPDATE_SESSION_FINISH, &finish));
	close(fd);
	close(s);
}

TEST_F(liveupdate, operator_view)
{
	char line[128];
	int s, fd;

	if (access(LU_DEBUGFS "/sessions", R_OK))
		SKIP(return, "no %s/sessions", LU_DEBUGFS);
	s = lu_create_session(self->dev, "visible");
	ASSERT_LE(0, s);
	fd = test_file("seen");
	ASSERT_EQ(0, lu_preserve_fd(s, fd, 0xabc));
	EXPECT_EQ(1, luo_file_has_line(LU_DEBUGFS "/sessions",
				       "outgoing session \"visible\" state=open files=1"));
	snprintf(line, sizeof(line),
		 "\tfile token=0xabc handler=lu612,test-file-v1 state=preserved");
	EXPECT_EQ(1, luo_file_has_line(LU_DEBUGFS "/sessions", line));
	EXPECT_EQ(1, luo_file_has_line(LU_DEBUGFS "/state", "state: on"));
	close(fd);
	close(s);
	EXPECT_EQ(0, luo_file_has_line(LU_DEBUGFS "/sessions",
				       "outgoing session \"visible\" state=open files=1"));
}

TEST_F(liveupdate, flb_refcount)
{
	long preserved = luo_test_stat("flb_preserve");
	long unpreserved = luo_test_stat("flb_unpreserve");
	int s1, s2, a, b;

	s1 = lu_create_session(self->dev, "flb-1");
	s2 = lu_create_session(self->dev, "flb-2");
	ASSERT_LE(0, s1);
	ASSERT_LE(0, s2);
	a = test_file("a");
	b = test_file("b");
	EXPECT_EQ(1, luo_file_has_line(LUO_TEST_STATS, "flb0_outgoing none"));
	ASSERT_EQ(0, lu_preserve_fd(s1, a, 1));
	EXPECT_EQ(1, luo_file_has_line(LUO_TEST_STATS, "flb0_outgoing set"));
	ASSERT_EQ(0, lu_preserve_fd(s2, b, 1));
	/* Three test FLBs, each preserved once for both files. */
	EXPECT_EQ(preserved + 3, luo_test_stat("flb_preserve"));
	close(s1);
	EXPECT_EQ(unpreserved, luo_test_stat("flb_unpreserve"));
	EXPECT_EQ(1, luo_file_has_line(LUO_TEST_STATS, "flb2_outgoing set"));
	close(s2);
	EXPECT_EQ(unpreserved + 3, luo_test_stat("flb_unpreserve"));
	EXPECT_EQ(1, luo_file_has_line(LUO_TEST_STATS, "flb0_outgoing none"));
	close(a);
	close(b);
}

TEST_F(liveupdate, many_sessions)
{
	static int fds[NR_MANY_SESSIONS];
	char name[32];
	int i;

	if (luo_raise_nofile(NR_MANY_SESSIONS + 64))
		SKIP(return, "cannot raise RLIMIT_NOFILE");
	for (i = 0; i < NR_MANY_SESSIONS; i++) {
		snprintf(name, sizeof(name), "many-%d", i);
		fds[i] = lu_create_session(self->dev, name);
		ASSERT_LE(0, fds[i]) TH_LOG("session %d: %s", i, strerror(-fds[i]));
	}
	for (i = 0; i < NR_MANY_SESSIONS; i++)
		close(fds[i]);
	/* The blocks were given back: the first name is free again. */
	i = lu_create_session(self->dev, "many-0");
	EXPECT_LE(0, i);
	close(i);
}

TEST_F(liveupdate, many_files)
{
	char payload[32];
	int i, s, fd;

	s = lu_create_session(self->dev, "many-files");
	ASSERT_LE(0, s);
	for (i = 0; i < NR_MANY_FILES; i++) {
		snprintf(payload, sizeof(payload), "file-%d", i);
		fd = test_file(payload);
		ASSERT_EQ(0, lu_preserve_fd(s, fd, i)) TH_LOG("file %d", i);
		close(fd);
	}
	close(s);
}

TEST_HARNESS_MAIN
