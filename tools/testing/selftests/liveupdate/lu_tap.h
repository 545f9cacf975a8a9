/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP output of the test agents: each command given on the command line
 * reports one line, "ok N - PREFIX: COMMAND[: detail]", or "not ok" and
 * the agent stops.  Also the parsing of numbers and errno names in their
 * command fields.
 */
#ifndef LU_TAP_H
#define LU_TAP_H

#include <stdlib.h>

/* Set by the agent: its name, and the command being run. */
extern const char *lu_tap_prefix;
extern const char *lu_tap_cmd;

void lu_result(int ok, const char *fmt, ...);

/*
 * Run each of the N commands of CMDS with RUN, on a copy it may split,
 * and report "ok" for it; RUN reports a failure itself and stops.
 */
void lu_run_commands(char **cmds, int n, void (*run)(char *cmd));

/* Report a failure of the current command and stop. */
#define lu_fail(...) do { lu_result(0, __VA_ARGS__); exit(1); } while (0)

/* The result GOT (0 or -errno) of WHAT must be -WANT, else fail. */
void lu_expect_err(const char *what, int got, int want);

int lu_parse_errno(const char *s);
unsigned long lu_parse_num(const char *s);

/*
 * Fault injection per thread (/proc/self/task/TID/fail-nth): open the
 * calling thread's file; arm it so that the thread's N-th allocation from
 * now fails (0 disarms); read what is left of it, 0 once the armed
 * failure was injected.  Each fails the command if the file does not
 * work.
 */
int lu_fail_nth_open(void);
void lu_fail_nth_set(int fd, unsigned int n);
unsigned int lu_fail_nth_get(int fd);

#endif
