// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* lu_parse_num() - a number in C notation (decimal, 0x..., 0...). */
unsigned long lu_parse_num(const char *s)
{
	return strtoull(s, NULL, 0);
}
