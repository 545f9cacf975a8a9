// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "lu_tap.h"
#include "luo_util.h"

const char *lu_tap_prefix = "agent";
const char *lu_tap_cmd = "";
static int lu_tap_nr;

/*
 * lu_result() - print the TAP line of the current command: "ok" if OK,
 * with the printf-style detail FMT if not NULL.
 */
void lu_result(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - %s: %s", ok ? "" : "not ", ++lu_tap_nr, lu_tap_prefix,
	       lu_tap_cmd);
	if (fmt) {
		printf(": ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("\n");
	fflush(stdout);
}

void lu_run_commands(char **cmds, int n, void (*run)(char *cmd))
{
	char *copy;
	int i;

	for (i = 0; i < n; i++) {
		lu_tap_cmd = cmds[i];
		copy = strdup(cmds[i]);
		if (!copy)
			lu_fail("out of memory");
		run(copy);
		lu_result(1, NULL);
		free(copy);
	}
}

void lu_expect_err(const char *what, int got, int want)
{
	if (got != -want)
		lu_fail("%s: got %s, expected %s", what,
			got < 0 ? strerror(-got) : "success", strerror(want));
}

static const struct {
	const char *name;
	int value;
} lu_errnos[] = {
	{ "EPERM", EPERM }, { "ENOENT", ENOENT }, { "EIO", EIO },
	{ "EBADF", EBADF }, { "EAGAIN", EAGAIN }, { "ENOMEM", ENOMEM },
	{ "EBUSY", EBUSY }, { "EEXIST", EEXIST }, { "EINVAL", EINVAL },
	{ "EDOM", EDOM }, { "E2BIG", E2BIG }, { "ENODEV", ENODEV },
	{ "ENOTTY", ENOTTY }, { "EFBIG", EFBIG }, { "EOPNOTSUPP", EOPNOTSUPP },
	{ "EACCES", EACCES }, { "ECONNREFUSED", ECONNREFUSED },
};

/* lu_parse_errno() - an errno given by name (EBUSY, ...) or number. */
int lu_parse_errno(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lu_errnos); i++) {
		if (!strcmp(s, lu_errnos[i].name))
			return lu_errnos[i].value;
	}
	return atoi(s);
}

/*
 * lu_parse_num() - a number in C notation (decimal, 0x..., 0...); anything
 * else, such as a unit suffix ("256M"), fails the test.
 */
unsigned long lu_parse_num(const char *s)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (end == s || *end || errno)
		lu_fail("\"%s\" is not a number", s);
	return v;
}

int lu_fail_nth_open(void)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth", (long)syscall(SYS_gettid));
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		lu_fail("cannot open %s: %s", path, strerror(errno));
	return fd;
}

void lu_fail_nth_set(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(fd, buf, len, 0) != len)
		lu_fail("cannot write fail-nth: %s", strerror(errno));
}

unsigned int lu_fail_nth_get(int fd)
{
	char buf[16] = "";

	if (pread(fd, buf, sizeof(buf) - 1, 0) < 0)
		lu_fail("cannot read fail-nth: %s", strerror(errno));
	return strtoul(buf, NULL, 10);
}
