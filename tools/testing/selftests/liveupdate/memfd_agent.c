// SPDX-License-Identifier: GPL-2.0
/*
 * memfd_agent [-k KERNEL] [-i INITRD] [-c CMDLINE] [-m MARK] [-L SOCKET] COMMAND...
 *
 * A live update agent for the memfd preservation tests.  It runs COMMANDs
 * in order, holding its sessions and memfds by name, and prints one KTAP
 * line per command; it stops at the first failure with exit status 1.
 * "kexec" loads KERNEL with kexec_file_load(2) and calls reboot(2) while
 * everything is still open, writing MARK to /dev/kmsg right before it.
 * Fields are separated by ':'.
 *
 * With -L it is a client of luod at SOCKET instead (a VMM on a host that
 * runs luod): create, preserve, retrieve, fd, check, finish and close go
 * through luod, which holds the sessions, so the agent may exit before the
 * update.  It connects at its first luod command, after "uid".  Then also:
 *
 *   uid:UID:GID                 become UID and GID (before connecting)
 *   unpreserve:S                luod releases session S
 *   list:S=N,...                luod lists exactly these sessions (with N
 *                               files each) for this uid; "-" for none
 *   deny:UID:S                  every request on session S of UID fails
 *                               with EPERM (another uid's session)
 *   absent:S                    every request on S fails with ENOENT
 *   connect-fail:ERRNO          connecting to luod fails with ERRNO
 *   wait-luod                   wait until luod goes away (EOF or its
 *                               shutdown event), at most 120 s
 *   wait-file:PATH              wait until PATH exists, at most 120 s
 *
 * Contents: every 8-byte word of page P of a memfd filled with SEED holds
 * pattern(SEED, P, word).  MODE "full" fills every page, "sparse" only the
 * pages P % 3 == 0 (the others are never touched: holes, read as zero),
 * "thp" fills every page through a 2 MiB aligned mapping.  MODE "ones"
 * and "thp-ones" write 0x5a to every byte with memset(), "pwrite-ones"
 * with pwrite(2) of 4 MiB at a time (no page faults; THP if shmem's
 * shmem_enabled says so), which is what the benchmark times as "writing
 * the memory once".
 * For a hugetlbfs memfd (hnew) "sparse" fills the even huge pages and
 * leaves the odd ones holes, which are never touched, also not when
 * checking; its mappings are made with MAP_NORESERVE except for hugemap.
 *
 *   create:S                    create outgoing session S
 *   new:M:SIZE:SEED:MODE        new memfd M (MFD_ALLOW_SEALING), filled
 *   hnew:M:SIZE:SEED:MODE:HPS   the same with MFD_HUGETLB, huge pages of HPS
 *                               bytes
 *   seal:M:SEALS                add F_SEAL_* bits SEALS (a number)
 *   seek:M:POS                  set the file position of M
 *   preserve:S:TOKEN:M          PRESERVE_FD of M in S
 *   preserve-fail:S:TOKEN:PATH:ERRNO
 *                               PRESERVE_FD of the file PATH fails
 *   frozen:M                    M is frozen: resize, fallocate, punch
 *                               hole and writes past EOF give EPERM;
 *                               writes inside and through mmap work
 *   hfrozen:M:IDX:HOLE          hugetlbfs M is frozen: resize, fallocate
 *                               and punch hole give EPERM, huge page IDX
 *                               can be written through a mapping and a
 *                               fault on huge page HOLE gets SIGBUS (-1:
 *                               M has no hole)
 *   thawed:M                    M can grow and shrink back again
 *   hugemap:M:SIZE:MODE:KB      a mapping of hugetlbfs M, with its filled
 *                               huge pages touched, is mapped with pages
 *                               of its huge page size (/proc/self/smaps
 *                               KernelPageSize and MMUPageSize) and maps
 *                               KB of huge pages (Private_Hugetlb plus
 *                               Shared_Hugetlb)
 *   blocks:M:N                  M has N pages of its page size (st_blocks)
 *   hpool:KB:TOTAL:FREE:RSVD:SURP
 *                               the counters of the pool of KB huge pages
 *                               in /sys/kernel/mm/hugepages; prints the
 *                               HugePages lines of /proc/meminfo
 *   thp:M:SIZE                  M is mapped with PMDs (large folios)
 *   many:S:N[:BASE]             N one-page memfds, tokens 0..N-1, seeds
 *                               BASE+token (default 1000), preserved in S
 *   check-many:S:N[:BASE]       retrieve and check them, in reverse order
 *   writer:M:SIZE               fork a writer that keeps dirtying M
 *   kexec                       reboot into KERNEL
 *   retrieve:S                  RETRIEVE_SESSION S
 *   fd:S:TOKEN:M                RETRIEVE_FD into M (check and check-writer
 *                               then use M as it is)
 *   fd-fail:S:TOKEN:ERRNO       RETRIEVE_FD of TOKEN fails with ERRNO
 *   fd-nomem:S:FIRST:COUNT      RETRIEVE_FD with its 1st, 2nd, ...
 *                               allocation failing (the task's fail-nth)
 *                               fails with ENOMEM and is retried, until
 *                               a call hits no failure; a call that
 *                               succeeds anyway moves on to the next of
 *                               COUNT tokens from FIRST
 *   check:S:TOKEN:M:SIZE:SEED:MODE:POS:SEALS
 *                               RETRIEVE_FD into M, check everything
 *   check-writer:S:TOKEN:M:SIZE:SEED
 *                               retrieve M, check the writer's last state
 *                               and that the rest is the SEED pattern
 *   finish:S  close:S           FINISH or close session S
 *   grow:M:SIZE                 M grows to SIZE and the new tail is zero
 *   drop:M                      close memfd M
 *   meminfo:KEY:MIN             /proc/meminfo line KEY is at least MIN kB
 *   memfree:OUT                 drop caches, write MemFree (kB) to OUT
 *   memfree-near:FILE:PERMILLE  MemFree is at most PERMILLE/1000 below FILE
 *                               (lost memory); more free memory is fine
 *   time:LABEL                  print "# time LABEL <ns since boot> <TSC>":
 *                               CLOCK_BOOTTIME and, on x86, the time stamp
 *                               counter, which runs on across a kexec
 *   save:M:DEV                  write all of M to the block device DEV with
 *                               O_DIRECT, then fsync (a VMM that saves
 *                               guest memory to disk)
 *   load:M:DEV:SIZE             new memfd M of SIZE bytes read from DEV
 *                               with O_DIRECT (and back from disk)
 *   probe:M:SIZE:BYTE           the first byte of every page of M and its
 *                               last byte are BYTE (touches every page)
 *   show:PATH                   print the file PATH as "# PATH: LINE"
 *                               lines; nothing if it does not exist
 *   readat:M:PAGE:SEED          pread() page PAGE of M: the SEED pattern
 *   truncate:M:SIZE             ftruncate() M to SIZE
 *   punch:M:OFF:LEN             punch a hole of LEN bytes at OFF into M
 *   zero:M:FROM:TO              pread() of bytes FROM..TO-1 of M: all zero
 *   memfree-gain:FILE:KB        within 60 s MemFree is at least KB above
 *                               the value in FILE (memory given back)
 *
 * A host's shape (NUMA, memory above 4 GiB, other CPUs, other files):
 *
 *   mempolicy:NODE              later memfds get their pages on NODE
 *                               (set_mempolicy(MPOL_BIND)); "default"
 *                               undoes it
 *   on-node:M:NODE              every page of M is on NODE, as
 *                               move_pages(2) reports it in query mode
 *   above:ADDR:MIN:M...         at least MIN pages of the memfds M... (up
 *                               to 6) are at physical addresses >= ADDR
 *                               (/proc/self/pagemap)
 *   racers:STATS:N              fork N racers that keep creating sessions,
 *                               preserving a one-page memfd in each,
 *                               checking GET_NAME and closing them, until
 *                               the kexec stops them; each records its
 *                               progress and errors in its page of the
 *                               memfd STATS (N pages).  Returns once each
 *                               completed a cycle
 *   race-check:STATS:N          in the next kernel: no racer got an error
 *                               other than EBUSY, and each session a racer
 *                               may have had open at the freeze is either
 *                               absent or whole (retrieved, its memfd, if
 *                               any, checked byte for byte, finished)
 *   preserve-kind:S:TOKEN:KIND:ERRNO
 *                               PRESERVE_FD of a new file of KIND gives
 *                               ERRNO (0: success, the file is kept as
 *                               object KIND); a refused file is released
 *                               once the agent closes it, checked as KIND
 *                               allows: pipe, unix (socketpair) and
 *                               eventfd through epoll, kvm-vm through its
 *                               debugfs directory, hugetlb (a 2 MiB
 *                               MFD_HUGETLB memfd, written) through
 *                               HugePages_Free; kvm (/dev/kvm) has no
 *                               such check
 *
 * ERRNO is a name (EPERM, ENOENT, ...) or a number.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <grp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#ifdef __x86_64__
#include <x86intrin.h>
#endif
#include <unistd.h>
#include <linux/kvm.h>
#include <linux/mempolicy.h>

#include "lu_kexec.h"
#include "luo_util.h"
#include "lu_tap.h"

#define MAX_FIELDS	8
#define PAGE		4096UL
#define HUGE		(2UL << 20)
#define MAX_OBJS	1024

#ifndef MFD_HUGE_SHIFT
#define MFD_HUGE_SHIFT	26
#endif

struct obj {
	char name[64];
	int fd;
};

static struct obj objs[MAX_OBJS * 2];
static int nr_objs;
static struct lu_kexec_args next = { .cmdline = "" };
static int dev = -1;
static const char *luod_path;	/* -L: a client of luod */
static struct luod *luod_conn;

static int find(const char *name)
{
	int i;

	for (i = 0; i < nr_objs; i++)
		if (!strcmp(objs[i].name, name))
			return i;
	return -1;
}

static int get(const char *name)
{
	int i = find(name);

	if (i < 0)
		lu_fail("no object %s", name);
	return objs[i].fd;
}

static void put(const char *name, int fd)
{
	int i = find(name);

	if (i < 0) {
		if (nr_objs == MAX_OBJS * 2)
			lu_fail("too many objects");
		i = nr_objs++;
		snprintf(objs[i].name, sizeof(objs[i].name), "%s", name);
	}
	objs[i].fd = fd;
}

static void drop(const char *name)
{
	int i = find(name);

	if (i < 0)
		lu_fail("no object %s", name);
	close(objs[i].fd);
	objs[i] = objs[--nr_objs];
}

static int device(void)
{
	if (dev < 0) {
		dev = lu_open();
		if (dev < 0)
			lu_fail("open %s: %s", LU_DEVICE, strerror(-dev));
	}
	return dev;
}

static uint64_t pattern(uint64_t seed, uint64_t page, uint64_t word)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL ^ (page << 9 | word);

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 29);
}

/* Is page @page filled in @mode, for a file of @unit-page huge pages? */
static int filled(const char *mode, unsigned long page, unsigned long unit)
{
	if (strcmp(mode, "sparse"))
		return 1;
	return unit > 1 ? page / unit % 2 == 0 : page % 3 == 0;
}

/*
 * The page size of @fd: its huge page size for a hugetlbfs memfd, else
 * PAGE (st_blksize will not do: shmem reports 2 MiB while THP is on).
 */
static size_t unit_of(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf))
		lu_fail("fstatfs: %s", strerror(errno));
	return sf.f_type == HUGETLBFS_MAGIC ? (size_t)sf.f_bsize : PAGE;
}

/*
 * Map @size bytes of @fd, aligned to 2 MiB or to its huge page size.  A
 * hugetlbfs mapping reserves huge pages only with @reserve.
 */
static void *map_reserve(int fd, size_t size, int prot, int reserve)
{
	size_t unit = unit_of(fd), align = unit > HUGE ? unit : HUGE;
	int flags = MAP_SHARED | MAP_FIXED;
	size_t len = size + align;
	char *p, *a;

	if (unit > PAGE && !reserve)
		flags |= MAP_NORESERVE;
	p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		lu_fail("mmap: %s", strerror(errno));
	a = (char *)(((uintptr_t)p + align - 1) & ~(align - 1));
	if (mmap(a, size, prot, flags, fd, 0) == MAP_FAILED)
		lu_fail("mmap memfd: %s", strerror(errno));
	if (a > p)
		munmap(p, a - p);
	munmap(a + size, p + len - (a + size));
	return a;
}

static void *map(int fd, size_t size, int prot)
{
	return map_reserve(fd, size, prot, 0);
}

/*
 * Accesses to mapped memory that another process or the next kernel reads,
 * or that another process writes: neither dropped, merged nor reordered
 * by the compiler.
 */
static uint64_t shared_load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void shared_store(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static char shared_load8(const char *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void shared_store8(char *p, char v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Write @byte to all of the @size bytes of @fd with pwrite(2). */
static void fill_pwrite(int fd, size_t size, int byte)
{
	size_t chunk = 4UL << 20, off, n;
	char *buf = malloc(chunk);

	if (!buf)
		lu_fail("out of memory");
	memset(buf, byte, chunk);
	for (off = 0; off < size; off += n) {
		n = size - off < chunk ? size - off : chunk;
		if (pwrite(fd, buf, n, off) != (ssize_t)n)
			lu_fail("pwrite at %zu: %s", off, strerror(errno));
	}
	free(buf);
}

static void fill(int fd, size_t size, uint64_t seed, const char *mode)
{
	unsigned long pages = (size + PAGE - 1) / PAGE, pg, w, words;
	unsigned long unit = unit_of(fd) / PAGE;
	uint64_t *m;

	if (!size)
		return;
	if (!strcmp(mode, "pwrite-ones")) {
		fill_pwrite(fd, size, 0x5a);
		return;
	}
	m = map(fd, size, PROT_READ | PROT_WRITE);
	if (!strncmp(mode, "thp", 3) && madvise(m, size, MADV_HUGEPAGE))
		lu_fail("madvise(MADV_HUGEPAGE): %s", strerror(errno));
	if (strstr(mode, "ones")) {
		memset(m, 0x5a, size);
		munmap(m, size);
		return;
	}
	for (pg = 0; pg < pages; pg++) {
		if (!filled(mode, pg, unit))
			continue;
		words = (pg == pages - 1 && size % PAGE ? size % PAGE : PAGE) / 8;
		for (w = 0; w < words; w++)
			m[pg * 512 + w] = pattern(seed, pg, w);
	}
	munmap(m, size);
}

/* Check the contents page by page; report the first bad page. */
static void verify(int fd, size_t size, uint64_t seed, const char *mode)
{
	unsigned long pages = (size + PAGE - 1) / PAGE, pg, w, words;
	unsigned long unit = unit_of(fd) / PAGE;
	uint64_t *m, want;

	if (!size)
		return;
	m = map(fd, size, PROT_READ);
	for (pg = 0; pg < pages; pg++) {
		/* Reading a huge page hole would fill it. */
		if (unit > 1 && !filled(mode, pg, unit))
			continue;
		words = (pg == pages - 1 && size % PAGE ? size % PAGE : PAGE) / 8;
		for (w = 0; w < 512; w++) {
			want = filled(mode, pg, unit) && w < words ? pattern(seed, pg, w) : 0;
			if (strstr(mode, "ones"))
				want = 0x5a5a5a5a5a5a5a5aULL;
			if (w * 8 >= size - pg * PAGE)
				break;
			if (m[pg * 512 + w] != want)
				lu_fail("page %lu word %lu: %#llx, expected %#llx", pg, w,
					(unsigned long long)m[pg * 512 + w],
					(unsigned long long)want);
		}
	}
	munmap(m, size);
}

static void new_memfd(const char *name, size_t size, uint64_t seed, const char *mode,
		      unsigned int flags)
{
	int fd = memfd_create(name, MFD_ALLOW_SEALING | flags);

	if (fd < 0)
		lu_fail("memfd_create: %s", strerror(errno));
	if (ftruncate(fd, size))
		lu_fail("ftruncate: %s", strerror(errno));
	fill(fd, size, seed, mode);
	put(name, fd);
}

static struct luod *luod(void)
{
	int err;

	if (!luod_conn) {
		luod_conn = luod_connect(luod_path, &err);
		if (!luod_conn)
			lu_fail("connect %s: %s", luod_path, strerror(-err));
	}
	return luod_conn;
}

static void luod_check(const char *what, int err)
{
	if (err < 0)
		lu_fail("%s: %s (%s)", what, strerror(-err), luod_reason(luod()));
}

/* luod mode: retrieve S, keeping its files as objects "S/TOKEN". */
static void luod_retrieve_all(const char *s)
{
	struct luod_file *f;
	char name[80];
	int n, i;

	n = luod_retrieve(luod(), s, &f);
	luod_check("retrieve", n);
	for (i = 0; i < n; i++) {
		if (f[i].fd < 0)
			lu_fail("token %llu not restored: %s",
				(unsigned long long)f[i].token, strerror(f[i].err));
		snprintf(name, sizeof(name), "%s/%llu", s, (unsigned long long)f[i].token);
		put(name, f[i].fd);
	}
	printf("# %s: %d file(s) back from luod\n", s, n);
	free(f);
	put(s, -1);
}

static void preserve(const char *s, uint64_t token, int fd)
{
	int err;

	if (luod_path) {
		luod_check("preserve", luod_preserve(luod(), s, token, fd));
		return;
	}
	err = lu_preserve_fd(get(s), fd, token);

	if (err)
		lu_fail("PRESERVE_FD: %s", strerror(-err));
}

static void preserve_fail(const char *s, uint64_t token, const char *path, int want)
{
	int fd = open(path, O_RDWR | O_CREAT, 0600), err;

	if (fd < 0)
		lu_fail("open %s: %s", path, strerror(errno));
	err = lu_preserve_fd(get(s), fd, token);
	if (err != -want)
		lu_fail("PRESERVE_FD: %s, expected %s", err ? strerror(-err) : "success",
			strerror(want));
	close(fd);
}

static void expect_eperm(const char *what, int ret)
{
	if (ret == 0 || errno != EPERM)
		lu_fail("%s: %s, expected EPERM", what, ret ? strerror(errno) : "success");
}

/* Resizing and fallocate() of @fd, whose pages are @unit bytes, give EPERM. */
static struct stat frozen_layout(int fd, size_t unit)
{
	struct stat st;

	if (fstat(fd, &st))
		lu_fail("fstat");
	expect_eperm("grow", ftruncate(fd, st.st_size + unit));
	if (st.st_size)
		expect_eperm("shrink", ftruncate(fd, st.st_size - (unit == PAGE ? 1 : unit)));
	expect_eperm("fallocate", fallocate(fd, 0, 0, unit));
	expect_eperm("fallocate past EOF", fallocate(fd, FALLOC_FL_KEEP_SIZE,
						     st.st_size, unit));
	expect_eperm("punch hole", fallocate(fd, FALLOC_FL_PUNCH_HOLE |
					     FALLOC_FL_KEEP_SIZE, 0, unit));
	return st;
}

/* Write the first word of the @unit bytes at @off of @fd back through mmap. */
static void rewrite_mapped(int fd, off_t off, size_t unit)
{
	uint64_t *m, v;

	m = map(fd, off + unit, PROT_READ | PROT_WRITE);
	v = m[off / 8];
	m[off / 8] = ~v;
	m[off / 8] = v;
	munmap(m, off + unit);
}

static void frozen(const char *name)
{
	int fd = get(name);
	struct stat st;
	char c = 0;

	st = frozen_layout(fd, PAGE);
	expect_eperm("write past EOF", pwrite(fd, &c, 1, st.st_size) == 1 ? 0 : -1);
	if (!st.st_size)
		return;
	/* Same bytes back: inside the file, through write and mmap. */
	if (pread(fd, &c, 1, 0) != 1 || pwrite(fd, &c, 1, 0) != 1)
		lu_fail("write inside the file: %s", strerror(errno));
	rewrite_mapped(fd, 0, PAGE);
}

/* A write fault on huge page @hole of @fd kills a child with SIGBUS. */
static void expect_sigbus(int fd, size_t unit, long hole)
{
	char *m;
	int status = 0;
	pid_t pid;

	signal(SIGCHLD, SIG_DFL);
	pid = fork();
	if (!pid) {
		m = mmap(NULL, unit, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
			 fd, hole * unit);
		if (m == MAP_FAILED)
			_exit(2);
		shared_store8(m, 1);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		lu_fail("fork or wait: %s", strerror(errno));
	signal(SIGCHLD, SIG_IGN);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGBUS)
		lu_fail("a fault on hole %ld: wait status %#x, expected SIGBUS", hole, status);
}

static void hfrozen(const char *name, long idx, long hole)
{
	int fd = get(name);
	size_t unit = unit_of(fd);

	if (unit == PAGE)
		lu_fail("not a hugetlbfs memfd");
	frozen_layout(fd, unit);
	if (hole >= 0)
		expect_sigbus(fd, unit, hole);
	rewrite_mapped(fd, idx * unit, unit);
}

static void thawed(const char *name)
{
	int fd = get(name);
	size_t unit = unit_of(fd);
	struct stat st;

	if (fstat(fd, &st))
		lu_fail("fstat");
	if (ftruncate(fd, st.st_size + unit) || ftruncate(fd, st.st_size))
		lu_fail("resize: %s", strerror(errno));
}

/*
 * KernelPageSize, MMUPageSize, Private_Hugetlb and Shared_Hugetlb (kB) of
 * the mapping at @addr.
 */
static void smaps_of(const void *addr, long kb[4])
{
	static const char *const keys[4] = {
		"KernelPageSize:", "MMUPageSize:", "Private_Hugetlb:", "Shared_Hugetlb:",
	};
	FILE *f = fopen("/proc/self/smaps", "r");
	unsigned long start, end;
	char line[256];
	int in = 0, i;

	if (!f)
		lu_fail("smaps: %s", strerror(errno));
	for (i = 0; i < 4; i++)
		kb[i] = -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			in = start == (uintptr_t)addr;
			continue;
		}
		for (i = 0; in && i < 4; i++)
			if (!strncmp(line, keys[i], strlen(keys[i])))
				kb[i] = atol(line + strlen(keys[i]));
	}
	fclose(f);
}

static void hugemap(const char *name, size_t size, const char *mode, long want_kb)
{
	int fd = get(name);
	size_t unit = unit_of(fd), off;
	const uint64_t *m;
	uint64_t sum = 0;
	long kb[4];

	m = map_reserve(fd, size, PROT_READ, 1);
	for (off = 0; off < size; off += unit)
		if (filled(mode, off / PAGE, unit / PAGE))
			sum += m[off / 8];
	smaps_of(m, kb);
	munmap((void *)m, size);
	printf("# %s (sum %llx): KernelPageSize %ld kB, MMUPageSize %ld kB\n",
	       name, (unsigned long long)sum, kb[0], kb[1]);
	printf("# %s: Private_Hugetlb %ld kB, Shared_Hugetlb %ld kB\n", name, kb[2], kb[3]);
	if (kb[0] != (long)(unit >> 10) || kb[1] != kb[0])
		lu_fail("mapped with %ld kB pages, expected %zu kB", kb[1], unit >> 10);
	if (kb[2] + kb[3] != want_kb)
		lu_fail("%ld kB of huge pages mapped, expected %ld kB", kb[2] + kb[3], want_kb);
}

static void blocks(const char *name, long want)
{
	int fd = get(name);
	struct stat st;

	if (fstat(fd, &st))
		lu_fail("fstat");
	if ((long)(st.st_blocks * 512 / unit_of(fd)) != want)
		lu_fail("st_blocks %lld (512 bytes each), expected %ld pages of %zu bytes",
			(long long)st.st_blocks, want, unit_of(fd));
}

static long read_long(const char *dir, const char *file)
{
	char path[160];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%ld", &v) != 1)
		lu_fail("read %s", path);
	fclose(f);
	return v;
}

/* Print the HugePages lines of /proc/meminfo as comments. */
static void print_meminfo_huge(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];

	if (!f)
		lu_fail("meminfo");
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "HugePages_", 10) || !strncmp(line, "Hugepagesize", 12) ||
		    !strncmp(line, "Hugetlb", 7))
			printf("# meminfo %s", line);
	fclose(f);
}

static void hpool(unsigned long kb, long total, long free, long rsvd, long surp)
{
	static const char *const files[4] = {
		"nr_hugepages", "free_hugepages", "resv_hugepages", "surplus_hugepages",
	};
	long want[4] = { total, free, rsvd, surp }, got[4];
	char dir[96];
	int i;

	snprintf(dir, sizeof(dir), "/sys/kernel/mm/hugepages/hugepages-%lukB", kb);
	for (i = 0; i < 4; i++)
		got[i] = read_long(dir, files[i]);
	print_meminfo_huge();
	printf("# hugepages-%lukB: total %ld free %ld rsvd %ld surplus %ld\n",
	       kb, got[0], got[1], got[2], got[3]);
	for (i = 0; i < 4; i++)
		if (got[i] != want[i])
			lu_fail("%s is %ld, expected %ld", files[i], got[i], want[i]);
}

/* Kilobytes of PMD-mapped shmem in this process. */
static long pmd_mapped(void)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	char line[256];
	long kb = -1;

	if (!f)
		lu_fail("smaps_rollup: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "ShmemPmdMapped: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void thp(const char *name, size_t size)
{
	const uint64_t *m = map(get(name), size, PROT_READ);
	uint64_t sum = 0;
	size_t i;
	long kb;

	for (i = 0; i < size / 8; i += PAGE / 8)
		sum += m[i];
	kb = pmd_mapped();
	munmap((void *)m, size);
	printf("# %s: ShmemPmdMapped %ld kB of %zu kB (sum %llx)\n", name, kb,
	       size >> 10, (unsigned long long)sum);
	if (kb < (long)(size >> 10))
		lu_fail("only %ld kB PMD-mapped", kb);
}

/* M if the agent holds it already, else RETRIEVE_FD of TOKEN into M. */
static int retrieved(const char *s, uint64_t token, const char *name)
{
	int fd;

	if (find(name) >= 0)
		return get(name);
	if (luod_path) {
		char obj[80];

		snprintf(obj, sizeof(obj), "%s/%llu", s, (unsigned long long)token);
		fd = get(obj);
		put(name, fd);
		objs[find(obj)] = objs[--nr_objs];
		return fd;
	}
	fd = lu_retrieve_fd(get(s), token);
	if (fd < 0)
		lu_fail("RETRIEVE_FD %llu: %s", (unsigned long long)token, strerror(-fd));
	put(name, fd);
	return fd;
}

static void retrieve_fail(const char *s, uint64_t token, int want)
{
	int fd = lu_retrieve_fd(get(s), token);

	if (fd != -want)
		lu_fail("RETRIEVE_FD %llu: %s, expected %s", (unsigned long long)token,
			fd < 0 ? strerror(-fd) : "success", strerror(want));
}

/*
 * RETRIEVE_FD in session @s with its 1st, 2nd, ... allocation failing,
 * until a call runs without hitting the failure.  A call that hits it
 * fails with ENOMEM, and the next one, with the next allocation failing,
 * retrieves the same token again; a call that succeeds anyway (a
 * fallback allocation) moves on to the next token, of the @count tokens
 * from @first.
 */
static void retrieve_nomem(const char *s, uint64_t first, uint64_t count)
{
	uint64_t token = first;
	int nth = lu_fail_nth_open(), fd;
	unsigned int n, failed = 0;
	bool fired;

	for (n = 1; ; n++) {
		if (token >= first + count)
			lu_fail("no token left at allocation %u", n);
		lu_fail_nth_set(nth, n);
		fd = lu_retrieve_fd(get(s), token);
		fired = !lu_fail_nth_get(nth);
		lu_fail_nth_set(nth, 0);
		if (fd >= 0) {
			close(fd);
			if (!fired)
				break;
			token++;
			continue;
		}
		if (!fired)
			lu_fail("RETRIEVE_FD %llu failed with no failure injected: %s",
				(unsigned long long)token, strerror(-fd));
		if (fd != -ENOMEM)
			lu_fail("RETRIEVE_FD %llu with allocation %u failing: %s, expected ENOMEM",
				(unsigned long long)token, n, strerror(-fd));
		failed++;
	}
	printf("# RETRIEVE_FD: %u failure(s) gave ENOMEM, tokens %llu..%llu retrieved\n",
	       failed, (unsigned long long)first, (unsigned long long)token);
	close(nth);
}

static void check(const char *s, uint64_t token, const char *name, size_t size,
		  uint64_t seed, const char *mode, off_t pos, int seals)
{
	int fd = retrieved(s, token, name), got;
	struct stat st;

	if (fstat(fd, &st) || (size_t)st.st_size != size)
		lu_fail("size %lld, expected %zu", (long long)st.st_size, size);
	if (lseek(fd, 0, SEEK_CUR) != pos)
		lu_fail("position %lld, expected %lld", (long long)lseek(fd, 0, SEEK_CUR),
			(long long)pos);
	got = fcntl(fd, F_GET_SEALS);
	if (got != seals)
		lu_fail("seals %#x, expected %#x", got, seals);
	verify(fd, size, seed, mode);
}

static void many(const char *s, unsigned long n, uint64_t base)
{
	char name[32];
	unsigned long i;

	if (luo_raise_nofile(2 * n + 64))
		lu_fail("RLIMIT_NOFILE");
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "m%lu", i);
		new_memfd(name, PAGE, base + i, "full", 0);
		preserve(s, i, get(name));
		drop(name);
	}
}

static void check_many(const char *s, unsigned long n, uint64_t base)
{
	char name[32];
	unsigned long i;

	for (i = n; i-- > 0;) {
		snprintf(name, sizeof(name), "m%lu", i);
		check(s, i, name, PAGE, base + i, "full", 0, 0);
		drop(name);
	}
}

/*
 * The writer: page 0 word 0 is the last completed pass.  Word 0 of every
 * other page is the pass that last wrote it, word 1 that pass XOR the page
 * number.  Pass N writes word 1 then word 0 of pages 1, 2, ... in order,
 * then N into the header.  So after a kexec, with D in the header, pages
 * 1..K hold D + 1, the others D, and page K + 1 may have word 1 of D + 1.
 * The agent stamps pass 0 itself and returns once pass 1 is complete.
 */
static void writer(const char *name, size_t size)
{
	uint64_t *m = map(get(name), size, PROT_READ | PROT_WRITE);
	unsigned long pages = size / PAGE, pg;
	uint64_t pass;

	for (pg = 0; pg < pages; pg++) {
		shared_store(&m[pg * 512 + 1], pg ? pg : m[1]);
		shared_store(&m[pg * 512], 0);
	}
	if (fork()) {
		while (!shared_load(&m[0]))
			usleep(1000);
		return;
	}
	for (pass = 1;; pass++) {
		for (pg = 1; pg < pages; pg++) {
			shared_store(&m[pg * 512 + 1], pass ^ pg);
			shared_store(&m[pg * 512], pass);
		}
		shared_store(&m[0], pass);
	}
}

/* Words 2.. of every page (1.. of page 0) still hold the fill pattern. */
static void check_untouched(const uint64_t *m, unsigned long pages, uint64_t seed)
{
	unsigned long pg, w;

	for (pg = 0; pg < pages; pg++)
		for (w = pg ? 2 : 1; w < 512; w++)
			if (m[pg * 512 + w] != pattern(seed, pg, w))
				lu_fail("page %lu word %lu lost its contents", pg, w);
}

static void check_writer(const char *s, uint64_t token, const char *name, size_t size,
			 uint64_t seed)
{
	int fd = retrieved(s, token, name);
	unsigned long pages = size / PAGE, pg, ahead = 0;
	uint64_t *m, done, v;

	m = map(fd, size, PROT_READ);
	done = m[0];
	if (!done)
		lu_fail("the writer never completed a pass");
	for (pg = 1; pg < pages; pg++) {
		v = m[pg * 512];
		if (v == done + 1 && ahead == pg - 1)
			ahead = pg;
		else if (v != done)
			lu_fail("page %lu holds pass %llu, last completed pass %llu",
				pg, (unsigned long long)v, (unsigned long long)done);
		if (m[pg * 512 + 1] != (v ^ pg) &&
		    !(pg == ahead + 1 && m[pg * 512 + 1] == ((done + 1) ^ pg)))
			lu_fail("page %lu is torn", pg);
	}
	check_untouched(m, pages, seed);
	printf("# writer: %llu passes completed, pass %llu reached page %lu of %lu\n",
	       (unsigned long long)done, (unsigned long long)done + 1, ahead, pages);
	munmap(m, size);
}

static void grow(const char *name, size_t size)
{
	int fd = get(name);
	struct stat st;
	char c = 1;

	if (fstat(fd, &st))
		lu_fail("fstat");
	if (ftruncate(fd, size))
		lu_fail("ftruncate: %s", strerror(errno));
	if (pread(fd, &c, 1, size - 1) != 1 || c)
		lu_fail("the new tail is not zero");
	if (pwrite(fd, "x", 1, size - 1) != 1)
		lu_fail("write at the new end: %s", strerror(errno));
}

/* The value of line KEY of /proc/meminfo (kB or a count), -1 if none. */
static long meminfo_value(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	size_t len = strlen(key);
	char line[128];
	long v = -1;

	if (!f)
		lu_fail("cannot open /proc/meminfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':') {
			v = atol(line + len + 1);
			break;
		}
	fclose(f);
	return v;
}

static long memfree(void)
{
	sync();
	luo_write_file("/proc/sys/vm/drop_caches", "3");
	return meminfo_value("MemFree");
}

static void meminfo_min(const char *key, long min)
{
	long kb = meminfo_value(key);

	printf("# %s: %ld kB\n", key, kb);
	if (kb < min)
		lu_fail("%s is %ld kB, expected at least %ld kB", key, kb, min);
}

static void memfree_near(const char *path, long permille)
{
	FILE *f = fopen(path, "r");
	long then = -1, now = memfree();

	if (!f || fscanf(f, "%ld", &then) != 1)
		lu_fail("no MemFree in %s", path);
	fclose(f);
	printf("# MemFree: %ld kB now, %ld kB then (%+ld kB)\n", now, then, now - then);
	if ((then - now) * 1000 > then * permille)
		lu_fail("MemFree %ld kB is more than %ld/1000 below %ld kB",
			now, permille, then);
}

static unsigned long long tsc(void)
{
#ifdef __x86_64__
	return __rdtsc();
#else
	return 0;
#endif
}

static void print_time(const char *label)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	printf("# time %s %lld %llu\n", label,
	       (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, tsc());
}

#define DIO_CHUNK	(4UL << 20)

/* Move @size bytes between the mapping @m and the device @dev, O_DIRECT. */
static void dio(const char *dev, char *m, size_t size, int write)
{
	int fd = open(dev, (write ? O_WRONLY : O_RDONLY) | O_DIRECT);
	size_t off, n;
	ssize_t done;

	if (fd < 0)
		lu_fail("open %s: %s", dev, strerror(errno));
	for (off = 0; off < size; off += n) {
		n = size - off < DIO_CHUNK ? size - off : DIO_CHUNK;
		done = write ? pwrite(fd, m + off, n, off) : pread(fd, m + off, n, off);
		if (done != (ssize_t)n)
			lu_fail("%s %s at %zu: %s", write ? "write" : "read", dev, off,
				done < 0 ? strerror(errno) : "short");
	}
	if (write && fsync(fd))
		lu_fail("fsync %s: %s", dev, strerror(errno));
	close(fd);
}

static void save(const char *name, const char *dev)
{
	int fd = get(name);
	struct stat st;
	char *m;

	if (fstat(fd, &st))
		lu_fail("fstat");
	if (st.st_size % PAGE)
		lu_fail("size %lld is not a multiple of a page", (long long)st.st_size);
	if (!st.st_size)
		return;
	m = map(fd, st.st_size, PROT_READ);
	dio(dev, m, st.st_size, 1);
	munmap(m, st.st_size);
}

static void load(const char *name, const char *dev, size_t size)
{
	int fd = memfd_create(name, MFD_ALLOW_SEALING);
	char *m;

	if (fd < 0 || ftruncate(fd, size))
		lu_fail("memfd of %zu bytes: %s", size, strerror(errno));
	if (size % PAGE)
		lu_fail("size %zu is not a multiple of a page", size);
	put(name, fd);
	if (!size)
		return;
	m = map(fd, size, PROT_READ | PROT_WRITE);
	dio(dev, m, size, 0);
	munmap(m, size);
}

static void readat(const char *name, unsigned long pg, uint64_t seed)
{
	uint64_t buf[PAGE / 8];
	unsigned long w;

	if (pread(get(name), buf, PAGE, pg * PAGE) != PAGE)
		lu_fail("pread page %lu: %s", pg, strerror(errno));
	for (w = 0; w < PAGE / 8; w++)
		if (buf[w] != pattern(seed, pg, w))
			lu_fail("page %lu word %lu: %#llx, expected %#llx", pg, w,
				(unsigned long long)buf[w],
				(unsigned long long)pattern(seed, pg, w));
}

static void truncate_to(const char *name, off_t size)
{
	if (ftruncate(get(name), size))
		lu_fail("ftruncate: %s", strerror(errno));
}

static void punch(const char *name, off_t off, off_t len)
{
	if (fallocate(get(name), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len))
		lu_fail("fallocate(FALLOC_FL_PUNCH_HOLE): %s", strerror(errno));
}

static void zero(const char *name, off_t from, off_t to)
{
	char buf[PAGE];
	ssize_t n, i;

	for (; from < to; from += n) {
		n = pread(get(name), buf, to - from < (off_t)PAGE ? to - from : PAGE, from);
		if (n <= 0)
			lu_fail("pread at %lld: %s", (long long)from, n ? strerror(errno) : "EOF");
		for (i = 0; i < n; i++)
			if (buf[i])
				lu_fail("byte %lld is %#x, expected 0", (long long)from + i,
					buf[i] & 0xff);
	}
}

static void memfree_gain(const char *path, long kb)
{
	FILE *f = fopen(path, "r");
	long then = -1, now = 0;
	int i;

	if (!f || fscanf(f, "%ld", &then) != 1)
		lu_fail("no MemFree in %s", path);
	fclose(f);
	for (i = 0; i < 60; i++) {
		now = memfree();
		if (now >= then + kb)
			break;
		sleep(1);
	}
	printf("# MemFree: %ld kB now, %ld kB then (%+ld kB)\n", now, then, now - then);
	if (now < then + kb)
		lu_fail("MemFree grew by %ld kB, expected at least %ld kB", now - then, kb);
}

static void show(const char *path)
{
	FILE *f = fopen(path, "re");
	char line[256];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		printf("# %s: %s%s", path, line, strchr(line, '\n') ? "" : "\n");
	fclose(f);
}

static void probe(const char *name, size_t size, int byte)
{
	unsigned char *m;
	size_t off;

	if (!size)
		return;
	m = map(get(name), size, PROT_READ);
	for (off = 0; off < size; off += PAGE)
		if (m[off] != byte)
			lu_fail("byte %zu is %#x, expected %#x", off, m[off], byte);
	if (m[size - 1] != byte)
		lu_fail("the last byte is %#x, expected %#x", m[size - 1], byte);
	munmap((void *)m, size);
}

static void do_kexec(void)
{
	int err;

	if (!next.kernel)
		lu_fail("no kernel given (-k)");
	if (lu_kexec_load_args(&next))
		lu_fail("kexec_file_load failed");
	printf("# memfd_agent: reboot(LINUX_REBOOT_CMD_KEXEC)\n");
	print_time("reboot");
	fflush(stdout);
	lu_kexec_mark(&next);
	err = lu_reboot_kexec();
	lu_fail("reboot returned: %s", strerror(-err));
}

static void session(const char *s, int retrieve)
{
	int fd;

	if (luod_path && retrieve) {
		luod_retrieve_all(s);
		return;
	}
	if (luod_path) {
		luod_check("create", luod_create(luod(), s));
		put(s, -1);
		return;
	}
	fd = retrieve ? lu_retrieve_session(device(), s) : lu_create_session(device(), s);
	if (fd < 0)
		lu_fail("%s %s: %s", retrieve ? "RETRIEVE_SESSION" : "CREATE_SESSION", s,
			strerror(-fd));
	put(s, fd);
}

static void write_memfree(const char *path)
{
	char buf[32];
	int fd, len;

	len = snprintf(buf, sizeof(buf), "%ld\n", memfree());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, buf, len) != len)
		lu_fail("write %s: %s", path, strerror(errno));
	close(fd);
}

/* ---- a host's shape: NUMA, memory above 4 GiB, racers, other files ---- */

static void mempolicy(const char *node)
{
	unsigned long mask;
	long err;

	if (!strcmp(node, "default")) {
		err = syscall(SYS_set_mempolicy, MPOL_DEFAULT, NULL, 0);
	} else {
		mask = 1UL << lu_parse_num(node);
		err = syscall(SYS_set_mempolicy, MPOL_BIND, &mask, 8 * sizeof(mask));
	}
	if (err)
		lu_fail("set_mempolicy: %s", strerror(errno));
}

/* Size of M in pages; M mapped (and every page faulted in) at *MAP. */
static unsigned long map_all(const char *name, char **mapp)
{
	struct stat st;
	unsigned long pages, pg;
	char *m;

	if (fstat(get(name), &st))
		lu_fail("fstat: %s", strerror(errno));
	pages = st.st_size / PAGE;
	if (!pages)
		lu_fail("%s is empty", name);
	m = map(get(name), pages * PAGE, PROT_READ);
	for (pg = 0; pg < pages; pg++)
		shared_load8(&m[pg * PAGE]);
	*mapp = m;
	return pages;
}

static void on_node(const char *name, int node)
{
	char *m;
	unsigned long pages = map_all(name, &m), pg, other = 0, first = 0;
	void **addr = calloc(pages, sizeof(*addr));
	int *status = calloc(pages, sizeof(*status));

	if (!addr || !status)
		lu_fail("out of memory");
	for (pg = 0; pg < pages; pg++)
		addr[pg] = (void *)(m + pg * PAGE);
	if (syscall(SYS_move_pages, 0, pages, addr, NULL, status, 0))
		lu_fail("move_pages: %s", strerror(errno));
	for (pg = 0; pg < pages; pg++)
		if (status[pg] != node && !other++)
			first = pg;
	printf("# %s: %lu of %lu page(s) on node %d\n", name, pages - other, pages, node);
	if (other)
		lu_fail("page %lu is on node %d (%s), expected %d; %lu page(s) elsewhere",
			first, status[first], status[first] < 0 ? strerror(-status[first]) : "ok",
			node, other);
	munmap((void *)m, pages * PAGE);
	free(addr);
	free(status);
}

/* Pages of M at physical addresses >= ADDR, from /proc/self/pagemap. */
static unsigned long pages_above(const char *name, uint64_t addr)
{
	char *m;
	unsigned long pages = map_all(name, &m), pg, n = 0;
	uint64_t e[512];
	size_t k, chunk;
	int pm = open("/proc/self/pagemap", O_RDONLY);

	if (pm < 0)
		lu_fail("pagemap: %s", strerror(errno));
	for (pg = 0; pg < pages; pg += chunk) {
		chunk = pages - pg < 512 ? pages - pg : 512;
		if (pread(pm, e, chunk * 8, ((uintptr_t)m / PAGE + pg) * 8) != (ssize_t)(chunk * 8))
			lu_fail("pagemap: %s", strerror(errno));
		for (k = 0; k < chunk; k++) {
			/* Bit 63: present; bits 0-54: the PFN (0 without CAP_SYS_ADMIN). */
			if (!(e[k] >> 63) || !(e[k] & ((1ULL << 55) - 1)))
				lu_fail("page %lu of %s: no PFN in pagemap", pg + k, name);
			n += (e[k] & ((1ULL << 55) - 1)) * PAGE >= addr;
		}
	}
	close(pm);
	munmap((void *)m, pages * PAGE);
	printf("# %s: %lu of %lu page(s) at or above %#llx\n", name, n, pages,
	       (unsigned long long)addr);
	return n;
}

static void cmd_above(char **f, int n)
{
	unsigned long sum = 0, min = lu_parse_num(f[1]);
	int i;

	for (i = 2; i < n; i++)
		sum += pages_above(f[i], lu_parse_num(f[0]));
	if (sum < min)
		lu_fail("%lu page(s) at or above %s, expected at least %lu", sum, f[0], min);
}

/* One page of the STATS memfd per racer, written by the racer only. */
struct race_stat {
	uint64_t cycle;		/* the cycle in progress */
	uint64_t done;		/* the last cycle completed */
	uint64_t busy;		/* results EBUSY */
	uint64_t preserved;	/* PRESERVE_FD successes */
	uint64_t preserved_in;	/* the cycle of the last one */
	uint64_t created_in;	/* the cycle of the last CREATE_SESSION success */
	uint64_t closing;	/* the cycle whose session close() was called */
	uint64_t bad;		/* the first other error (an errno), 0 if none */
	uint64_t bad_op;	/* ... of this request (enum lu_op) */
};

static void race_name(char *buf, unsigned long p, uint64_t i)
{
	snprintf(buf, LIVEUPDATE_SESSION_NAME_LENGTH, "race-%lu-%llu", p,
		 (unsigned long long)i);
}

static uint64_t race_seed(unsigned long p, uint64_t i)
{
	return (uint64_t)p << 32 | i;
}

static void race_err(struct race_stat *st, enum lu_op op, int err)
{
	if (err == -EBUSY) {
		shared_store(&st->busy, st->busy + 1);
	} else if (!st->bad) {
		shared_store(&st->bad_op, op);
		shared_store(&st->bad, err < 0 ? -err : EINVAL);
	}
}

/*
 * Cycle I: create session race-P-I, preserve a new one-page memfd (token
 * I, seed race_seed(P, I)) in it, check its name, close it.  After the
 * freeze of the reboot, creating and preserving give EBUSY and a closed
 * session stays as it was handed over.
 */
static void racer(struct race_stat *st, unsigned long p)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH], got[LIVEUPDATE_SESSION_NAME_LENGTH];
	uint64_t i;
	int s, fd, err;

	for (i = 1;; i++) {
		shared_store(&st->cycle, i);
		race_name(name, p, i);
		s = lu_create_session(dev, name);
		if (s < 0) {
			race_err(st, LU_CREATE_SESSION, s);
			continue;
		}
		shared_store(&st->created_in, i);
		fd = memfd_create(name, 0);
		if (fd < 0 || ftruncate(fd, PAGE))
			lu_fail("race process %lu: memfd: %s", p, strerror(errno));
		fill(fd, PAGE, race_seed(p, i), "full");
		err = lu_preserve_fd(s, fd, i);
		if (err) {
			race_err(st, LU_PRESERVE_FD, err);
		} else {
			shared_store(&st->preserved, st->preserved + 1);
			shared_store(&st->preserved_in, i);
		}
		close(fd);
		err = lu_get_name(s, got);
		if (!err && strcmp(got, name))
			err = -EINVAL;
		if (err)
			race_err(st, LU_GET_NAME, err);
		shared_store(&st->closing, i);
		close(s);
		shared_store(&st->done, i);
	}
}

static void racers(const char *stats, unsigned long n)
{
	struct race_stat *st;
	unsigned long p, waited;

	device();
	st = map(get(stats), n * PAGE, PROT_READ | PROT_WRITE);
	memset(st, 0, n * PAGE);
	for (p = 0; p < n; p++) {
		if (!fork())
			racer((void *)((char *)st + p * PAGE), p);
	}
	for (p = 0; p < n; p++) {
		struct race_stat *r = (void *)((char *)st + p * PAGE);

		for (waited = 0; !shared_load(&r->done) && waited < 60000; waited++)
			usleep(1000);
		if (!shared_load(&r->done))
			lu_fail("racer %lu completed no cycle in 60 s", p);
	}
}

static const char *const lu_op_names[] = {
	[LU_CREATE_SESSION] = "CREATE_SESSION", [LU_PRESERVE_FD] = "PRESERVE_FD",
	[LU_GET_NAME] = "GET_NAME",
};

/*
 * Session race-P-I of racer R, if it was handed over, is whole: its memfd
 * came over if PRESERVE_FD succeeded, else it is empty.  It must have been
 * handed over if it was created and close() was not called yet.  1 if it
 * was handed over.
 */
static int race_session(unsigned long p, uint64_t i, const struct race_stat *r)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	uint64_t preserved_in = r->preserved_in;
	int s, fd, err;

	race_name(name, p, i);
	s = lu_retrieve_session(device(), name);
	if (s == -ENOENT && r->created_in == i && r->closing != i)
		lu_fail("%s was open at the reboot but not handed over", name);
	if (s == -ENOENT)
		return 0;
	if (s < 0)
		lu_fail("RETRIEVE_SESSION %s: %s", name, strerror(-s));
	fd = lu_retrieve_fd(s, i);
	if (fd >= 0) {
		verify(fd, PAGE, race_seed(p, i), "full");
		close(fd);
	} else if (fd != -ENOENT || preserved_in == i) {
		lu_fail("RETRIEVE_FD of %s: %s%s", name, strerror(-fd),
			preserved_in == i ? ", but PRESERVE_FD had succeeded" : "");
	}
	err = lu_finish(s);
	if (err)
		lu_fail("FINISH %s: %s", name, strerror(-err));
	close(s);
	printf("# %s was handed over, %s\n", name, fd >= 0 ? "with its memfd" : "empty");
	return 1;
}

static void race_check(const char *stats, unsigned long n)
{
	const struct race_stat *st = map(get(stats), n * PAGE, PROT_READ), *r;
	unsigned long p, busy = 0, sessions = 0;

	for (p = 0; p < n; p++) {
		r = (const void *)((const char *)st + p * PAGE);
		printf("# racer %lu: %llu cycle(s) done, %llu memfd(s) preserved, ",
		       p, (unsigned long long)r->done, (unsigned long long)r->preserved);
		printf("%llu EBUSY, in cycle %llu\n",
		       (unsigned long long)r->busy, (unsigned long long)r->cycle);
		if (r->bad)
			lu_fail("racer %lu: %s gave %s, expected success or EBUSY", p,
				r->bad_op < ARRAY_SIZE(lu_op_names) && lu_op_names[r->bad_op] ?
				lu_op_names[r->bad_op] : "?", strerror(r->bad));
		if (!r->done)
			lu_fail("racer %lu completed no cycle", p);
		busy += r->busy;
		/* Sessions of cycles before DONE were closed before the freeze. */
		sessions += race_session(p, r->done, r);
		sessions += race_session(p, r->done + 1, r);
	}
	printf("# racers: %lu EBUSY, %lu session(s) handed over\n", busy, sessions);
	munmap((void *)st, n * PAGE);
}

/* HugePages_Free from /proc/meminfo. */
static long huge_free(void)
{
	return meminfo_value("HugePages_Free");
}

/* Directories of VMs in /sys/kernel/debug/kvm ("PID-FD"). */
static int kvm_vms(void)
{
	DIR *d = opendir("/sys/kernel/debug/kvm");
	struct dirent *e;
	int n = 0;

	if (!d)
		lu_fail("/sys/kernel/debug/kvm: %s", strerror(errno));
	while ((e = readdir(d)))
		n += !!strchr(e->d_name, '-');
	closedir(d);
	return n;
}

/* A new, readable file of KIND (see above); *KEEP another fd to close later. */
static int new_kind(const char *kind, int *keep)
{
	static const char byte = 'x';
	int fd, p[2];
	char *m;

	*keep = -1;
	if (!strcmp(kind, "pipe")) {
		if (pipe(p) || write(p[1], &byte, 1) != 1)
			lu_fail("pipe: %s", strerror(errno));
		*keep = p[1];
		return p[0];
	}
	if (!strcmp(kind, "unix")) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, p) || write(p[1], &byte, 1) != 1)
			lu_fail("socketpair: %s", strerror(errno));
		*keep = p[1];
		return p[0];
	}
	if (!strcmp(kind, "eventfd")) {
		fd = eventfd(1, 0);
		if (fd < 0)
			lu_fail("eventfd: %s", strerror(errno));
		return fd;
	}
	if (!strcmp(kind, "kvm") || !strcmp(kind, "kvm-vm")) {
		fd = open("/dev/kvm", O_RDWR);
		if (fd < 0)
			lu_fail("/dev/kvm: %s", strerror(errno));
		if (!strcmp(kind, "kvm"))
			return fd;
		*keep = fd;
		fd = ioctl(fd, KVM_CREATE_VM, 0);
		if (fd < 0)
			lu_fail("KVM_CREATE_VM: %s", strerror(errno));
		return fd;
	}
	if (!strcmp(kind, "hugetlb")) {
		fd = memfd_create(kind, MFD_HUGETLB);
		if (fd < 0 || ftruncate(fd, HUGE))
			lu_fail("memfd_create(MFD_HUGETLB): %s", strerror(errno));
		m = mmap(NULL, HUGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED)
			lu_fail("mmap of the hugetlb memfd: %s", strerror(errno));
		memset(m, 0x5a, HUGE);
		munmap(m, HUGE);
		return fd;
	}
	lu_fail("unknown kind %s", kind);
}

static void preserve_kind(const char *s, uint64_t token, const char *kind, int want)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int kvm_vm = !strcmp(kind, "kvm-vm"), vms = kvm_vm ? kvm_vms() : 0;
	long huge = huge_free();
	int keep, fd, ep = -1, err;

	fd = new_kind(kind, &keep);
	if (!strcmp(kind, "pipe") || !strcmp(kind, "unix") || !strcmp(kind, "eventfd")) {
		ep = epoll_create1(0);
		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ||
		    epoll_wait(ep, &ev, 1, 0) != 1)
			lu_fail("the new %s is not readable through epoll", kind);
	}
	err = lu_preserve_fd(get(s), fd, token);
	lu_expect_err("PRESERVE_FD", err, want);
	if (!err) {
		put(kind, fd);
		return;
	}
	close(fd);
	/* The last reference went with close(): the file was released. */
	if (ep >= 0 && epoll_wait(ep, &ev, 1, 0) != 0)
		lu_fail("the %s is still alive after close (epoll still sees it)", kind);
	if (kvm_vm && kvm_vms() != vms)
		lu_fail("the VM is still alive after close (%d VM(s) in debugfs, %d before)",
			kvm_vms(), vms);
	if (!strcmp(kind, "hugetlb") && huge_free() != huge)
		lu_fail("HugePages_Free %ld after close, %ld before", huge_free(), huge);
	if (ep >= 0)
		close(ep);
	if (keep >= 0)
		close(keep);
}

/* Is the command @c @name?  Then it must have @nargs fields. */
static int is(const char *c, int n, const char *name, int nargs)
{
	if (strcmp(c, name))
		return 0;
	if (n != nargs)
		lu_fail("needs %d field(s)", nargs);
	return 1;
}

static void add_seals(const char *name, int seals)
{
	if (fcntl(get(name), F_ADD_SEALS, seals))
		lu_fail("F_ADD_SEALS: %s", strerror(errno));
}

static void seek(const char *name, off_t pos)
{
	if (lseek(get(name), pos, SEEK_SET) < 0)
		lu_fail("lseek: %s", strerror(errno));
}

static void finish(const char *s)
{
	int err;

	if (luod_path) {
		luod_check("finish", luod_finish(luod(), s));
		return;
	}
	err = lu_finish(get(s));

	if (err)
		lu_fail("FINISH: %s", strerror(-err));
}

/* ---- luod mode (-L) ---- */

static void become(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) || setgid(gid) || setuid(uid))
		lu_fail("setuid %u/%u: %s", uid, gid, strerror(errno));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* luod lists exactly WANT ("S=N,..." sorted by name, or "-"). */
static void list(const char *want)
{
	struct luod_session *ss;
	char got[1024] = "", *names[256];
	int n, i;

	n = luod_list(luod(), &ss);
	luod_check("list", n);
	if (n > 256)
		lu_fail("%d sessions", n);
	for (i = 0; i < n; i++)
		if (asprintf(&names[i], "%s=%zu", ss[i].name, ss[i].nr_files) < 0)
			lu_fail("out of memory");
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++) {
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
			 i ? "," : "", names[i]);
		free(names[i]);
	}
	luod_free_sessions(ss, n);
	if (strcmp(got, strcmp(want, "-") ? want : ""))
		lu_fail("luod lists \"%s\", expected \"%s\"", got, want);
}

/* Every request on session S (of OWNER, if not LUOD_OWNER_SELF) fails with WANT. */
static void refused(uint32_t owner, const char *s, int want)
{
	struct luod *c = luod();
	struct luod_session *ss;
	struct luod_file *f;
	int fd = memfd_create("probe", MFD_CLOEXEC), n;

	luod_set_owner(c, owner);
	lu_expect_err("retrieve", luod_retrieve(c, s, &f), want);
	lu_expect_err("finish", luod_finish(c, s), want);
	lu_expect_err("unpreserve", luod_unpreserve(c, s), want);
	lu_expect_err("preserve", luod_preserve(c, s, 1, fd), want);
	if (owner != LUOD_OWNER_SELF) {
		lu_expect_err("create", luod_create(c, s), want);
		lu_expect_err("list", luod_list(c, &ss), want);
	} else {
		n = luod_list(c, &ss);
		luod_check("list", n);
		while (n-- > 0)
			if (!strcmp(ss[n].name, s))
				lu_fail("luod lists %s", s);
	}
	luod_set_owner(c, LUOD_OWNER_SELF);
	close(fd);
}

static void wait_luod(void)
{
	int ev;

	do {
		ev = luod_wait_event(luod(), 120000);
		if (ev == LUOD_EV_SHUTDOWN)
			printf("# luod: shutdown event\n");
	} while (ev > 0 && ev != LUOD_EV_SHUTDOWN);
	if (ev == 0)
		lu_fail("luod is still there after 120 s");
	if (ev == LUOD_EV_SHUTDOWN)
		ev = luod_wait_event(luod(), 120000);
	if (ev != -EPIPE && ev != -ECONNRESET)
		lu_fail("expected EOF from luod, got %d", ev);
	printf("# luod closed the connection: the sessions it held are gone\n");
}

static void wait_file(const char *path)
{
	int i;

	for (i = 0; i < 12000 && access(path, F_OK); i++)
		usleep(10000);
	if (access(path, F_OK))
		lu_fail("%s did not appear", path);
}

static void connect_fail(int want)
{
	struct luod *c;
	int err = 0;

	c = luod_connect(luod_path, &err);
	luod_close(c);
	lu_expect_err("connect", c ? 0 : err, want);
}

/* The commands of luod mode; 0 if C is none of them. */
static int luod_dispatch(const char *c, char **f, int n)
{
	if (is(c, n, "uid", 2))
		become(lu_parse_num(f[0]), lu_parse_num(f[1]));
	else if (is(c, n, "unpreserve", 1))
		luod_check("unpreserve", luod_unpreserve(luod(), f[0]));
	else if (is(c, n, "list", 1))
		list(f[0]);
	else if (is(c, n, "deny", 2))
		refused(lu_parse_num(f[0]), f[1], EPERM);
	else if (is(c, n, "absent", 1))
		refused(LUOD_OWNER_SELF, f[0], ENOENT);
	else if (is(c, n, "connect-fail", 1))
		connect_fail(lu_parse_errno(f[0]));
	else if (is(c, n, "wait-luod", 0))
		wait_luod();
	else if (is(c, n, "wait-file", 1))
		wait_file(f[0]);
	else
		return 0;
	return 1;
}

static void dispatch(const char *c, char **f, int n)
{
#define IS(name, nargs) is(c, n, name, nargs)
	if (luod_path && luod_dispatch(c, f, n))
		return;
	if (IS("create", 1))
		session(f[0], 0);
	else if (IS("retrieve", 1))
		session(f[0], 1);
	else if (IS("new", 4))
		new_memfd(f[0], lu_parse_num(f[1]), lu_parse_num(f[2]), f[3], 0);
	else if (IS("hnew", 5))
		new_memfd(f[0], lu_parse_num(f[1]), lu_parse_num(f[2]), f[3],
			  MFD_HUGETLB | __builtin_ctzl(lu_parse_num(f[4])) << MFD_HUGE_SHIFT);
	else if (IS("seal", 2))
		add_seals(f[0], lu_parse_num(f[1]));
	else if (IS("seek", 2))
		seek(f[0], lu_parse_num(f[1]));
	else if (IS("preserve", 3))
		preserve(f[0], lu_parse_num(f[1]), get(f[2]));
	else if (IS("preserve-fail", 4))
		preserve_fail(f[0], lu_parse_num(f[1]), f[2], lu_parse_errno(f[3]));
	else if (IS("frozen", 1))
		frozen(f[0]);
	else if (IS("hfrozen", 3))
		hfrozen(f[0], strtol(f[1], NULL, 0), strtol(f[2], NULL, 0));
	else if (IS("thawed", 1))
		thawed(f[0]);
	else if (IS("hugemap", 4))
		hugemap(f[0], lu_parse_num(f[1]), f[2], lu_parse_num(f[3]));
	else if (IS("blocks", 2))
		blocks(f[0], lu_parse_num(f[1]));
	else if (IS("hpool", 5))
		hpool(lu_parse_num(f[0]), lu_parse_num(f[1]), lu_parse_num(f[2]),
		      lu_parse_num(f[3]), lu_parse_num(f[4]));
	else if (IS("thp", 2))
		thp(f[0], lu_parse_num(f[1]));
	else if (!strcmp(c, "many") && n == 3)
		many(f[0], lu_parse_num(f[1]), lu_parse_num(f[2]));
	else if (!strcmp(c, "check-many") && n == 3)
		check_many(f[0], lu_parse_num(f[1]), lu_parse_num(f[2]));
	else if (IS("many", 2))
		many(f[0], lu_parse_num(f[1]), 1000);
	else if (IS("check-many", 2))
		check_many(f[0], lu_parse_num(f[1]), 1000);
	else if (IS("writer", 2))
		writer(f[0], lu_parse_num(f[1]));
	else if (IS("kexec", 0))
		do_kexec();
	else if (IS("check", 8))
		check(f[0], lu_parse_num(f[1]), f[2], lu_parse_num(f[3]),
		      lu_parse_num(f[4]), f[5], lu_parse_num(f[6]),
		      lu_parse_num(f[7]));
	else if (IS("fd", 3))
		retrieved(f[0], lu_parse_num(f[1]), f[2]);
	else if (IS("fd-fail", 3))
		retrieve_fail(f[0], lu_parse_num(f[1]), lu_parse_errno(f[2]));
	else if (IS("fd-nomem", 3))
		retrieve_nomem(f[0], lu_parse_num(f[1]), lu_parse_num(f[2]));
	else if (IS("check-writer", 5))
		check_writer(f[0], lu_parse_num(f[1]), f[2], lu_parse_num(f[3]),
			     lu_parse_num(f[4]));
	else if (IS("finish", 1))
		finish(f[0]);
	else if (IS("close", 1) || IS("drop", 1))
		drop(f[0]);
	else if (IS("grow", 2))
		grow(f[0], lu_parse_num(f[1]));
	else if (IS("memfree", 1))
		write_memfree(f[0]);
	else if (IS("meminfo", 2))
		meminfo_min(f[0], lu_parse_num(f[1]));
	else if (IS("memfree-near", 2))
		memfree_near(f[0], lu_parse_num(f[1]));
	else if (IS("time", 1))
		print_time(f[0]);
	else if (IS("save", 2))
		save(f[0], f[1]);
	else if (IS("load", 3))
		load(f[0], f[1], lu_parse_num(f[2]));
	else if (IS("readat", 3))
		readat(f[0], lu_parse_num(f[1]), lu_parse_num(f[2]));
	else if (IS("truncate", 2))
		truncate_to(f[0], lu_parse_num(f[1]));
	else if (IS("punch", 3))
		punch(f[0], lu_parse_num(f[1]), lu_parse_num(f[2]));
	else if (IS("zero", 3))
		zero(f[0], lu_parse_num(f[1]), lu_parse_num(f[2]));
	else if (IS("memfree-gain", 2))
		memfree_gain(f[0], lu_parse_num(f[1]));
	else if (IS("show", 1))
		show(f[0]);
	else if (IS("probe", 3))
		probe(f[0], lu_parse_num(f[1]), lu_parse_num(f[2]));
	else if (IS("mempolicy", 1))
		mempolicy(f[0]);
	else if (IS("on-node", 2))
		on_node(f[0], lu_parse_num(f[1]));
	else if (!strcmp(c, "above") && n >= 3)
		cmd_above(f, n);
	else if (IS("racers", 2))
		racers(f[0], lu_parse_num(f[1]));
	else if (IS("race-check", 2))
		race_check(f[0], lu_parse_num(f[1]));
	else if (IS("preserve-kind", 4))
		preserve_kind(f[0], lu_parse_num(f[1]), f[2], lu_parse_errno(f[3]));
	else
		lu_fail("unknown command");
#undef IS
}

static void run(char *s)
{
	char *f[MAX_FIELDS], *p = strchr(s, ':');
	int n = 0;

	if (p)
		*p++ = '\0';
	while (p && n < MAX_FIELDS) {
		f[n++] = p;
		p = strchr(p, ':');
		if (p)
			*p++ = '\0';
	}
	dispatch(s, f, n);
}

int main(int argc, char **argv)
{
	int opt;

	lu_tap_prefix = "memfd_agent";
	signal(SIGCHLD, SIG_IGN);
	while ((opt = getopt(argc, argv, "k:i:c:m:L:")) != -1) {
		if (opt == 'L') {
			luod_path = optarg;
		} else if (!lu_kexec_getopt(opt, optarg, &next)) {
			fprintf(stderr,
				"usage: memfd_agent [-k KERNEL] [-i INITRD] [-c CMDLINE] [-m MARK] [-L SOCKET] COMMAND...\n");
			return 2;
		}
	}
	lu_run_commands(argv + optind, argc - optind, run);
	return 0;
}
