/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the live update selftests: access to the test file type of
 * CONFIG_LIVEUPDATE_TEST and small file utilities.  The /dev/liveupdate
 * ioctls themselves are liblu's (tools/liveupdate/liblu.h): each fills in
 * the size of its structure and returns a file descriptor or 0 on
 * success, -errno on failure.
 */
#ifndef LUO_UTIL_H
#define LUO_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "liblu.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif

#define LUO_TEST_DIR		"/sys/kernel/debug/liveupdate_test"
#define LUO_TEST_FILE		LUO_TEST_DIR "/file"
#define LUO_TEST_STATS		LUO_TEST_DIR "/stats"
#define LUO_TEST_PAYLOAD_MAX	256

/* A new test file holding @payload, or -errno. */
int luo_test_file(const char *payload);
/* Read up to @len - 1 bytes of @fd from offset 0 into @buf; -errno. */
int luo_read_payload(int fd, char *buf, size_t len);
/* The value of line @key of the test handler's stats file, or -1. */
long luo_test_stat(const char *key);
/* Does @path contain the line @line? 1, 0 or -errno. */
int luo_file_has_line(const char *path, const char *line);
/* Write @value to @path; 0 or -errno. */
int luo_write_file(const char *path, const char *value);
/* Raise RLIMIT_NOFILE to at least @n; 0 or -errno. */
int luo_raise_nofile(unsigned long n);
/* Is @fd close-on-exec?  1, 0 or -errno. */
int luo_is_cloexec(int fd);

#endif
