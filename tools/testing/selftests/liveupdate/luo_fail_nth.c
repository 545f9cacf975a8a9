// SPDX-License-Identifier: GPL-2.0
/*
 * luo_fail_nth [-k KERNEL] [-i INITRD] [-c CMDLINE] [-x COMMAND] outgoing|incoming
 *
 * Allocation-failure sweep over every /dev/liveupdate call, in the style
 * of mainline's iommufd fail_nth selftest.  For each call, with N = 1, 2,
 * ...: write N to /proc/self/task/TID/fail-nth (the N-th allocation of
 * this task fails: failslab and fail_page_alloc, GFP_KERNEL included),
 * make the call, read fail-nth back.  If the failure was not consumed, the
 * call ran without an N-th allocation: it must have succeeded, and the
 * sweep of that call ends.  Otherwise the call must have failed with
 * ENOMEM and left everything as it was (the debugfs list of sessions and
 * files, the test FLBs, the memfd not frozen), and the same call without
 * an injected failure must then succeed.  A call that succeeds in spite
 * of the failure (a fallback) is accepted if its result is right.
 *
 * outgoing (first kernel): CREATE_SESSION, PRESERVE_FD of the first test
 * file (its FLBs are preserved with it), of a 4 KiB and of a 2 MiB THP
 * memfd, GET_NAME; then reboot(2) with a loaded kernel: the test handler
 * fails the freeze of the last file, so that every attempt returns, until
 * the reboot path runs without its N-th allocation; the final reboot
 * hands over the sessions of every sweep and a pool of sessions for the
 * next kernel.  COMMAND (run by /bin/sh) runs just before it, for checks
 * of the state the sweeps left, such as a kmemleak scan.
 *
 * incoming (next kernel): every session of the first kernel is there with
 * its files, byte for byte; RETRIEVE_SESSION, RETRIEVE_FD (4 KiB memfd,
 * THP memfd, test file) and FINISH are swept, one pool session per try.
 * A failed RETRIEVE_FD must leave the file not retrieved, and the same
 * call must then return it; every file that comes back is compared byte
 * for byte, with no failure armed.
 *
 * One KTAP line per call swept ("ok N - fail_nth: ...").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/reboot.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lu_kexec.h"
#include "lu_tap.h"
#include "luo_util.h"

#define LUO_DEBUGFS	"/sys/kernel/debug/liveupdate"
#define FAULT_DIRS	{ "/sys/kernel/debug/failslab", "/sys/kernel/debug/fail_page_alloc" }
#define THP_SIZE	(2UL << 20)
#define SMALL_SIZE	4096UL
#define POOL		80
#define MAX_TRIES	400

static int dev = -1;
static int nth_fd = -1;
static int twice_fd = -1;

/* ---- fail-nth ---- */

/*
 * Whether the slab allocation right after the one fail-nth makes fail
 * fails too: fail-nth bypasses the fault attributes until it fires,
 * then failslab's "times" budget, of this task only, takes over.  The
 * failure fail-nth injects takes one from that budget too, hence 2.  For
 * a call that falls back to a second allocation when the first fails.
 */
static void nth_twice(bool on)
{
	if (write(twice_fd, on ? "2" : "0", 1) != 1)
		lu_fail("cannot write failslab/times: %s", strerror(errno));
}

/* Make failslab and fail_page_alloc fail any allocation, quietly. */
static void nth_setup(void)
{
	static const char * const dirs[] = FAULT_DIRS;
	static const char * const knobs[][2] = {
		{ "ignore-gfp-wait", "N" }, { "verbose", "0" },
	};
	char path[128];
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		for (j = 0; j < ARRAY_SIZE(knobs); j++) {
			snprintf(path, sizeof(path), "%s/%s", dirs[i], knobs[j][0]);
			if (luo_write_file(path, knobs[j][1]))
				lu_fail("cannot set %s", path);
		}
	}
	if (luo_write_file("/sys/kernel/debug/fail_page_alloc/min-order", "0") ||
	    luo_write_file("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N"))
		lu_fail("cannot set up fail_page_alloc");
	/* For nth_twice(): "times" last, once nothing else can fail. */
	if (luo_write_file("/sys/kernel/debug/failslab/task-filter", "Y") ||
	    luo_write_file("/proc/self/make-it-fail", "1") ||
	    luo_write_file("/sys/kernel/debug/failslab/interval", "1") ||
	    luo_write_file("/sys/kernel/debug/failslab/times", "0") ||
	    luo_write_file("/sys/kernel/debug/failslab/probability", "100"))
		lu_fail("cannot set up failslab for this task");
	twice_fd = open("/sys/kernel/debug/failslab/times", O_WRONLY | O_CLOEXEC);
	if (twice_fd < 0)
		lu_fail("cannot open failslab/times: %s", strerror(errno));
	nth_fd = lu_fail_nth_open();
}

/* ---- state snapshots ---- */

static char *slurp(const char *path)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf)
		lu_fail("cannot read %s", path);
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				lu_fail("out of memory");
		}
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* What a failed call must leave as it was. */
static char *snapshot(void)
{
	char *sessions = slurp(LUO_DEBUGFS "/sessions");
	char *stats = slurp(LUO_TEST_STATS);
	char *flbs = strstr(stats, "flb0_outgoing");
	char *out;

	if (asprintf(&out, "%s%s", sessions, flbs ? flbs : "") < 0)
		lu_fail("out of memory");
	free(sessions);
	free(stats);
	return out;
}

/* ---- objects ---- */

static void fill(int fd, size_t size, unsigned int seed)
{
	unsigned char *m;
	size_t i;

	if (ftruncate(fd, size))
		lu_fail("ftruncate: %s", strerror(errno));
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		lu_fail("mmap: %s", strerror(errno));
	if (size >= THP_SIZE)
		madvise(m, size, MADV_HUGEPAGE);
	for (i = 0; i < size; i++)
		m[i] = (unsigned char)(i * 7 + seed);
	munmap(m, size);
}

static int check_bytes(int fd, size_t size, unsigned int seed)
{
	unsigned char *m;
	size_t i;
	int bad = 0;

	if (lseek(fd, 0, SEEK_END) != (off_t)size)
		return -1;
	m = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return -1;
	for (i = 0; i < size && !bad; i++)
		bad = m[i] != (unsigned char)(i * 7 + seed);
	munmap(m, size);
	return bad ? -1 : 0;
}

static int new_memfd(size_t size, unsigned int seed)
{
	int fd = memfd_create("fail_nth", MFD_CLOEXEC);

	if (fd < 0)
		lu_fail("memfd_create: %s", strerror(errno));
	fill(fd, size, seed);
	return fd;
}

static int create(const char *name)
{
	int fd = lu_create_session(dev, name);

	if (fd < 0)
		lu_fail("CREATE_SESSION %s: %s", name, strerror(-fd));
	return fd;
}

static void preserve(int s, int fd, uint64_t token)
{
	int err = lu_preserve_fd(s, fd, token);

	if (err)
		lu_fail("PRESERVE_FD of token %llu: %s", (unsigned long long)token,
			strerror(-err));
}

/* ---- the sweep ---- */

/**
 * struct fn_case - one call to sweep
 * @name: for the results
 * @prep: make fresh state for one try (no failure injected)
 * @call: the call; 0 or -errno
 * @check: checks of what a successful call made (may be NULL); run with
 *         no failure armed, since they allocate too (mmap(), page faults)
 * @failed: checks after a failed call, beyond the snapshot (may be NULL)
 * @undo: drop what a try made (may be NULL)
 * @undo_last: also after the last try (else its state is kept)
 * @twice: the slab allocation after the failed one fails too (nth_twice())
 */
struct fn_case {
	const char *name;
	void (*prep)(void);
	int (*call)(void);
	void (*check)(void);
	void (*failed)(void);
	void (*undo)(void);
	bool undo_last;
	bool twice;
};

static void sweep(const struct fn_case *fc)
{
	unsigned int n, left, injected = 0, fallbacks = 0;
	char *before, *after;
	int err;

	lu_tap_cmd = fc->name;
	for (n = 1; n <= MAX_TRIES; n++) {
		if (fc->prep)
			fc->prep();
		before = snapshot();
		if (fc->twice)
			nth_twice(true);
		lu_fail_nth_set(nth_fd, n);
		err = fc->call();
		if (fc->twice)
			nth_twice(false);
		left = lu_fail_nth_get(nth_fd);
		lu_fail_nth_set(nth_fd, 0);
		if (!err && fc->check)
			fc->check();
		if (left) {
			free(before);
			if (err)
				lu_fail("fails with %s without an injected failure",
					strerror(-err));
			lu_result(1,
				  "%u allocation(s) failed %s at a time, each cleanly; no failure injected at %u",
				  injected, fc->twice ? "two" : "one", n);
			if (fallbacks)
				printf("# %s: succeeded %u time(s) despite a failed allocation\n",
				       fc->name, fallbacks);
			if (fc->undo_last && fc->undo)
				fc->undo();
			return;
		}
		injected++;
		if (!err) {
			fallbacks++;
		} else {
			if (err != -ENOMEM)
				lu_fail("allocation %u failed: %s, expected ENOMEM", n,
					strerror(-err));
			after = snapshot();
			if (strcmp(before, after)) {
				printf("# before:\n%s# after:\n%s", before, after);
				lu_fail("allocation %u failed: the state changed", n);
			}
			free(after);
			if (fc->failed)
				fc->failed();
			err = fc->call();
			if (err)
				lu_fail("allocation %u failed, then the same call failed: %s",
					n, strerror(-err));
			if (fc->check)
				fc->check();
		}
		free(before);
		if (fc->undo)
			fc->undo();
	}
	lu_fail("still failing after %u allocations", MAX_TRIES);
}

/* ---- outgoing ---- */

static int cur_s = -1, cur_fd = -1, cur_base = -1;
static size_t cur_size;

static int call_create(void)
{
	cur_s = lu_create_session(dev, "create");
	return cur_s < 0 ? cur_s : 0;
}

static void undo_session(void)
{
	close(cur_s);
	cur_s = -1;
	if (cur_fd >= 0)
		close(cur_fd);
	if (cur_base >= 0)
		close(cur_base);
	cur_fd = -1;
	cur_base = -1;
}

static void prep_test_file(void)
{
	cur_s = create("test-file");
	cur_fd = luo_test_file("first test file");
	if (cur_fd < 0)
		lu_fail("cannot open a test file");
}

static int call_preserve(void)
{
	return lu_preserve_fd(cur_s, cur_fd, 2);
}

static void prep_memfd(const char *name, size_t size)
{
	cur_s = create(name);
	cur_base = new_memfd(SMALL_SIZE, 1);
	preserve(cur_s, cur_base, 1);
	cur_size = size;
	cur_fd = new_memfd(size, 2);
}

static void prep_small(void)
{
	prep_memfd("memfd-4k", SMALL_SIZE);
}

static void prep_thp(void)
{
	prep_memfd("memfd-thp", THP_SIZE);
}

/* A memfd whose preservation failed is not frozen. */
static void memfd_not_frozen(void)
{
	if (ftruncate(cur_fd, cur_size + SMALL_SIZE) || ftruncate(cur_fd, cur_size))
		lu_fail("the memfd stayed frozen: %s", strerror(errno));
}

static int call_get_name(void)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	int err = lu_get_name(cur_s, name);

	if (!err && strcmp(name, "create"))
		lu_fail("GET_NAME returned \"%.64s\"", name);
	return err;
}

/* The freeze of the last file (of session "last") fails with EDOM. */
static void arm_freeze_failure(void)
{
	char skip[16];

	/* Test files: one per pool session, the swept one and the last. */
	snprintf(skip, sizeof(skip), "%d", POOL + 1);
	if (luo_write_file(LUO_TEST_DIR "/fail_freeze_skip", skip) ||
	    luo_write_file(LUO_TEST_DIR "/fail_freeze", "33"))
		lu_fail("cannot arm the freeze failure");
}

static void prep_reboot(void)
{
	sync();
	arm_freeze_failure();
}

/* reboot(2) itself, without the sync(2) of lu_reboot_kexec(). */
static int call_reboot(void)
{
	int err = reboot(LINUX_REBOOT_CMD_KEXEC) ? -errno : 0;

	return err == -EDOM ? 0 : err ? err : -EINVAL;
}

static void outgoing(const struct lu_kexec_args *next, const char *before)
{
	static const struct fn_case cases[] = {
		{ .name = "CREATE_SESSION", .call = call_create, .undo = undo_session },
		{ .name = "PRESERVE_FD of the first test file, with its FLBs",
		  .prep = prep_test_file, .call = call_preserve, .undo = undo_session },
		{ .name = "PRESERVE_FD of a 4 KiB memfd", .prep = prep_small,
		  .call = call_preserve, .failed = memfd_not_frozen, .undo = undo_session },
		{ .name = "PRESERVE_FD of a 2 MiB THP memfd", .prep = prep_thp,
		  .call = call_preserve, .failed = memfd_not_frozen, .undo = undo_session },
	};
	static const struct fn_case get_name = { .name = "GET_NAME", .call = call_get_name };
	static const struct fn_case reboot = {
		.name = "reboot(2): liveupdate_reboot() up to the freeze of the last file",
		.prep = prep_reboot, .call = call_reboot,
	};
	char name[32], payload[32];
	size_t i;
	int s, fd;

	/* Every sweep keeps the state of its last try for the next kernel. */
	sweep(&cases[0]);
	sweep(&get_name);
	for (i = 1; i < ARRAY_SIZE(cases); i++)
		sweep(&cases[i]);
	/* The pool for the sweeps of the next kernel. */
	for (i = 0; i < POOL; i++) {
		snprintf(name, sizeof(name), "pool-%zu", i);
		s = create(name);
		preserve(s, new_memfd(SMALL_SIZE, 10 + i), 1);
		preserve(s, new_memfd(THP_SIZE, 20 + i), 2);
		snprintf(payload, sizeof(payload), "pool file %zu", i);
		fd = luo_test_file(payload);
		if (fd < 0)
			lu_fail("cannot open a test file");
		preserve(s, fd, 3);
	}
	lu_tap_cmd = "pool";
	lu_result(1, "%d sessions, each with a 4 KiB memfd, a THP memfd and a test file", POOL);
	s = create("last");
	fd = luo_test_file("last file");
	if (fd < 0)
		lu_fail("cannot open a test file");
	preserve(s, fd, 1);
	if (lu_kexec_load_args(next))
		lu_fail("cannot load the next kernel");
	sweep(&reboot);
	if (luo_write_file(LUO_TEST_DIR "/fail_freeze", "0"))
		lu_fail("cannot disarm the freeze failure");
	if (before && system(before))
		lu_fail("%s failed", before);
	lu_tap_cmd = "kexec";
	printf("# fail_nth: kexec with every session of the sweeps\n");
	fflush(stdout);
	lu_fail("reboot(2) returned: %s", strerror(-lu_reboot_kexec()));
}

/* ---- incoming ---- */

static unsigned int pool_next;
static int in_s = -1;

static void in_session_files(int s, const char *what, int seed)
{
	int fd;

	fd = lu_retrieve_fd(s, 1);
	if (fd < 0 || check_bytes(fd, SMALL_SIZE, seed))
		lu_fail("%s: the 4 KiB memfd did not come back", what);
	close(fd);
	fd = lu_retrieve_fd(s, 2);
	if (fd < 0 || check_bytes(fd, THP_SIZE, seed + 10))
		lu_fail("%s: the THP memfd did not come back", what);
	close(fd);
}

static void pool_open(void)
{
	char name[32];

	if (pool_next == POOL)
		lu_fail("the pool of sessions is used up");
	snprintf(name, sizeof(name), "pool-%u", pool_next++);
	in_s = lu_retrieve_session(dev, name);
	if (in_s < 0)
		lu_fail("cannot retrieve %s: %s", name, strerror(-in_s));
}

static int call_retrieve_session(void)
{
	char name[32];

	snprintf(name, sizeof(name), "pool-%u", pool_next);
	in_s = lu_retrieve_session(dev, name);
	return in_s < 0 ? in_s : 0;
}

static void undo_retrieve_session(void)
{
	in_session_files(in_s, "pool", 10 + pool_next);
	if (lu_finish(in_s))
		lu_fail("FINISH of a pool session failed");
	close(in_s);
	pool_next++;
}

static void undo_pool(void)
{
	if (lu_finish(in_s))
		lu_fail("FINISH of a pool session failed");
	close(in_s);
	in_s = -1;
}

static uint64_t got_token;
static int got_fd = -1;

/* RETRIEVE_FD alone: what it returned is checked by check_retrieved(). */
static int retrieve_token(uint64_t token)
{
	int fd = lu_retrieve_fd(in_s, token);

	if (fd < 0)
		return fd;
	got_token = token;
	got_fd = fd;
	return 0;
}

/* The file of the pool session opened last, byte for byte. */
static void check_retrieved(void)
{
	unsigned int i = pool_next - 1;
	char buf[64], want[32];

	if (got_token == 1 && check_bytes(got_fd, SMALL_SIZE, 10 + i))
		lu_fail("the 4 KiB memfd differs");
	if (got_token == 2 && check_bytes(got_fd, THP_SIZE, 20 + i))
		lu_fail("the THP memfd differs");
	if (got_token == 3) {
		snprintf(want, sizeof(want), "pool file %u", i);
		if (luo_read_payload(got_fd, buf, sizeof(buf)) || strcmp(buf, want))
			lu_fail("the test file differs");
	}
	close(got_fd);
	got_fd = -1;
}

static int call_retrieve_small(void)
{
	return retrieve_token(1);
}

static int call_retrieve_thp(void)
{
	return retrieve_token(2);
}

static int call_retrieve_test(void)
{
	return retrieve_token(3);
}

static int call_finish(void)
{
	return lu_finish(in_s);
}

static void undo_finished(void)
{
	close(in_s);
	in_s = -1;
}

/* The session of a memfd sweep: its base memfd and the swept one. */
static void swept_memfd(const char *name, size_t size)
{
	int s, fd1, fd2;

	s = lu_retrieve_session(dev, name);
	fd1 = s < 0 ? s : lu_retrieve_fd(s, 1);
	fd2 = s < 0 ? s : lu_retrieve_fd(s, 2);
	if (fd1 < 0 || fd2 < 0 || check_bytes(fd1, SMALL_SIZE, 1) || check_bytes(fd2, size, 2))
		lu_fail("the memfds of session \"%s\" did not come back", name);
	close(fd1);
	close(fd2);
	if (lu_finish(s))
		lu_fail("FINISH of \"%s\" failed", name);
	close(s);
}

static void incoming(void)
{
	static const struct fn_case cases[] = {
		{ .name = "RETRIEVE_SESSION", .call = call_retrieve_session,
		  .undo = undo_retrieve_session, .undo_last = true },
		{ .name = "RETRIEVE_FD of a 4 KiB memfd", .prep = pool_open,
		  .call = call_retrieve_small, .check = check_retrieved,
		  .undo = undo_pool, .undo_last = true },
		{ .name = "RETRIEVE_FD of a THP memfd", .prep = pool_open,
		  .call = call_retrieve_thp, .check = check_retrieved,
		  .undo = undo_pool, .undo_last = true },
		{ .name = "RETRIEVE_FD of a THP memfd, two allocations failing in a row",
		  .prep = pool_open, .call = call_retrieve_thp, .check = check_retrieved,
		  .undo = undo_pool, .undo_last = true, .twice = true },
		{ .name = "RETRIEVE_FD of a test file", .prep = pool_open,
		  .call = call_retrieve_test, .check = check_retrieved,
		  .undo = undo_pool, .undo_last = true },
		{ .name = "FINISH of a session whose files were not retrieved",
		  .prep = pool_open, .call = call_finish, .undo = undo_finished,
		  .undo_last = true },
	};
	char buf[64];
	size_t i;
	int s, fd;

	/* What the sweeps of the first kernel kept. */
	lu_tap_cmd = "handed over";
	s = lu_retrieve_session(dev, "create");
	if (s < 0 || lu_finish(s))
		lu_fail("session \"create\" did not come back");
	close(s);
	s = lu_retrieve_session(dev, "test-file");
	fd = s < 0 ? s : lu_retrieve_fd(s, 2);
	if (fd < 0 || luo_read_payload(fd, buf, sizeof(buf)) || strcmp(buf, "first test file"))
		lu_fail("the first test file did not come back");
	close(fd);
	lu_finish(s);
	close(s);
	swept_memfd("memfd-4k", SMALL_SIZE);
	swept_memfd("memfd-thp", THP_SIZE);
	lu_result(1, "every session of the sweeps, with its files");
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		sweep(&cases[i]);
	/* The rest of the pool, and the last session, are finished here. */
	lu_tap_cmd = "rest";
	while (pool_next < POOL) {
		pool_open();
		undo_pool();
	}
	s = lu_retrieve_session(dev, "last");
	if (s < 0 || lu_finish(s))
		lu_fail("session \"last\" did not come back");
	close(s);
	lu_result(1, "every session finished");
}

int main(int argc, char **argv)
{
	struct lu_kexec_args next = {};
	const char *before = NULL;
	int opt;

	lu_tap_prefix = "fail_nth";
	while ((opt = getopt(argc, argv, "k:i:c:x:")) != -1) {
		if (opt == 'x')
			before = optarg;
		else if (!lu_kexec_getopt(opt, optarg, &next))
			return 2;
	}
	if (optind != argc - 1)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	dev = lu_open();
	if (dev < 0)
		lu_fail("cannot open /dev/liveupdate: %s", strerror(-dev));
	nth_setup();
	if (!strcmp(argv[optind], "outgoing"))
		outgoing(&next, before);
	else if (!strcmp(argv[optind], "incoming"))
		incoming();
	else
		return 2;
	return 0;
}
