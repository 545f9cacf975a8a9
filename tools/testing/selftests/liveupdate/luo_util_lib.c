// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers for the live update selftests; see luo_util.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "luo_util.h"

int luo_test_file(const char *payload)
{
	size_t len = strlen(payload);
	int fd, err;

	fd = open(LUO_TEST_FILE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (len && write(fd, payload, len) != (ssize_t)len) {
		err = -errno;
		close(fd);
		return err ? err : -EIO;
	}
	return fd;
}

int luo_read_payload(int fd, char *buf, size_t len)
{
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

long luo_test_stat(const char *key)
{
	char line[128], name[64];
	long value = -1, v;
	FILE *f;

	f = fopen(LUO_TEST_STATS, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %ld", name, &v) == 2 && !strcmp(name, key)) {
			value = v;
			break;
		}
	}
	fclose(f);
	return value;
}

int luo_file_has_line(const char *path, const char *want)
{
	char line[512];
	int found = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		found = !strcmp(line, want);
	}
	fclose(f);
	return found;
}

int luo_write_file(const char *path, const char *value)
{
	size_t len = strlen(value);
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, value, len) != (ssize_t)len)
		err = errno ? -errno : -EIO;
	close(fd);
	return err;
}

int luo_raise_nofile(unsigned long n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -errno;
	if (rl.rlim_cur >= n)
		return 0;
	rl.rlim_cur = n;
	if (rl.rlim_max < n)
		rl.rlim_max = n;
	return setrlimit(RLIMIT_NOFILE, &rl) ? -errno : 0;
}

int luo_is_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	return flags < 0 ? -errno : !!(flags & FD_CLOEXEC);
}
