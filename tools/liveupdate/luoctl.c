// SPDX-License-Identifier: GPL-2.0
/*
 * luoctl: the operator's command line for live update.  It reads the
 * kernel's state from debugfs and sysfs and talks to luod, which holds
 * /dev/liveupdate and does the update.  See luoctl --help.
 *
 * Exit status: 0 success, 1 failure (the reason is printed on stderr, or
 * in the JSON document with --json), 2 bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "luoctl.h"

#define MIB		(1024ULL * 1024)
/* Early allocations of the next kernel besides its memmap, a guess. */
#define EARLY_HEADROOM	(32 * MIB)

static const char *socket_path = LUOD_SOCKET;

static const char usage_text[] =
"usage: luoctl [--socket PATH] [--json] COMMAND [ARGS]\n"
"\n"
"Drive a live update: the kernel is replaced with kexec while luod keeps\n"
"the memory of the VMMs (their preserved memfds) for the next kernel.\n"
"\n"
"Commands:\n"
"  status                 KHO and LUO state, scratch, kexec image, luod\n"
"                         and every session with its files and sizes\n"
"  load KERNEL [--initrd FILE] [--append CMDLINE] [--reuse-cmdline]\n"
"                         load the next kernel (kexec_file_load, by luod)\n"
"  update [--dry-run] [--force]\n"
"                         check that an update can work, then do it\n"
"  blackout               the phases of the last update's blackout\n"
"\n"
"Options:\n"
"  -s, --socket PATH      luod's socket (default " LUOD_SOCKET ")\n"
"  -j, --json             one JSON document on stdout, for scripts\n"
"  -h, --help             this help; `luoctl COMMAND --help` for one command\n"
"\n"
"Exit status: 0 success, 1 failure (one line on stderr says why), 2 usage.\n";

static const char load_help[] =
"usage: luoctl load KERNEL [--initrd FILE] [--append CMDLINE] [--reuse-cmdline]\n"
"\n"
"Load KERNEL (and FILE as its initrd) for the next kexec with\n"
"kexec_file_load(2), the only loader that hands preserved memory over.\n"
"luod does the system call and remembers the sizes for `luoctl update`.\n"
"--reuse-cmdline takes this kernel's /proc/cmdline, --append adds CMDLINE\n"
"to it (or is the whole command line without --reuse-cmdline), as with\n"
"kexec(8).  The next kernel needs kho=on liveupdate=on.  Root only.\n";

static const char update_help[] =
"usage: luoctl update [--dry-run] [--force]\n"
"\n"
"Check that the update can work, then ask luod to do it: luod saves its\n"
"state, tells its clients and calls reboot(LINUX_REBOOT_CMD_KEXEC).  The\n"
"checks: a kernel image is loaded, KHO and LUO are on, luod runs and\n"
"holds every outgoing session, the next kernel's command line keeps\n"
"kho=on and liveupdate=on, and the KHO scratch can hold the next kernel,\n"
"its initrd and its early allocations.  The first failing check is\n"
"printed as one line and nothing changes.  If the kernel refuses the\n"
"reboot, luod's reason (with the errno) is printed and nothing changes.\n"
"\n"
"  -n, --dry-run   only the checks\n"
"  -f, --force     skip the checks (the kernel may still refuse)\n";

static const char status_help[] =
"usage: luoctl status\n"
"\n"
"KHO (on or off, scratch areas, pages preserved, where this boot came\n"
"from), LUO (state, liveupdate number, session counts), whether a kernel\n"
"is loaded for kexec, luod, and every session with its owner, files,\n"
"sizes and kernel state.  Reads /sys/kernel/debug (mounted debugfs) and\n"
"asks luod; what cannot be read is shown as unknown.  Root sees every\n"
"session, other users only their own.\n";

static const char blackout_help[] =
"usage: luoctl blackout\n"
"\n"
"The phases of the last update's blackout, from reboot() in the old\n"
"kernel to the last client session claimed in this one, each with the\n"
"clock it was measured with.  Needs the luod that this boot started after\n"
"a luod update.\n";

/* ---- luod ---- */

static struct luod *connect_luod(int quiet)
{
	struct luod *c;
	int err;

	c = luod_connect(socket_path, &err);
	if (!c && !quiet)
		fprintf(stderr, "luoctl: cannot reach luod at %s: %s\n", socket_path,
			strerror(-err));
	return c;
}

/* Everything `status` and `update` look at. */
struct view {
	struct sysinfo_lu sys;
	struct luod *c;
	int have_status;
	struct luod_status_rec st;
	int nr;
	struct luod_session *sess;
	char luod_error[128];
};

static void view_read(struct view *v)
{
	int err;

	memset(v, 0, sizeof(*v));
	sys_read(&v->sys);
	v->c = luod_connect(socket_path, &err);
	if (!v->c) {
		snprintf(v->luod_error, sizeof(v->luod_error), "%s", strerror(-err));
		return;
	}
	err = luod_status(v->c, &v->st);
	if (!err)
		v->have_status = 1;
	v->nr = luod_list(v->c, &v->sess);
	if (err || v->nr < 0) {
		snprintf(v->luod_error, sizeof(v->luod_error), "%s",
			 strerror(-(err ? err : v->nr)));
		v->nr = 0;
	}
}

static void view_free(struct view *v)
{
	luod_free_sessions(v->sess, v->nr);
	luod_close(v->c);
	sys_free(&v->sys);
}

static const char *state_name(enum luod_session_state s)
{
	switch (s) {
	case LUOD_S_OUTGOING:
		return "outgoing";
	case LUOD_S_INCOMING:
		return "incoming";
	case LUOD_S_RETRIEVED:
		return "retrieved";
	case LUOD_S_UNCLAIMED:
		return "unclaimed";
	}
	return "?";
}

static void kernel_name(char *buf, size_t len, const struct luod_session *s)
{
	snprintf(buf, len, "luod/%u/%s", s->owner, s->name);
}

static struct ksess *ksess_of(struct view *v, const struct luod_session *s)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];

	kernel_name(name, sizeof(name), s);
	return sys_find(&v->sys, name, s->state != LUOD_S_OUTGOING);
}

static const struct ksess_file *kfile_of(const struct ksess *k, uint64_t token)
{
	size_t i;

	for (i = 0; k && i < k->nf; i++)
		if (k->files[i].token == token)
			return &k->files[i];
	return NULL;
}

static int is_luod_session(struct view *v, const struct ksess *k)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	int i;

	for (i = 0; i < v->nr; i++) {
		kernel_name(name, sizeof(name), &v->sess[i]);
		int incoming = v->sess[i].state != LUOD_S_OUTGOING;

		if (!strcmp(name, k->name) && k->incoming == incoming)
			return 1;
	}
	return 0;
}

/* ---- status ---- */

static const char *tri_name(enum tri t)
{
	return t == T_ON ? "on" : t == T_OFF ? "off" : "unknown";
}

static void status_kernel_text(struct view *v)
{
	struct sysinfo_lu *s = &v->sys;
	char b1[32];

	printf("kexec handover:  %s", tri_name(s->kho));
	if (s->kho == T_ON)
		printf("; scratch %s in %u area(s); %lld page(s) preserved for the next kernel",
		       human_bytes(s->scratch_bytes, b1, sizeof(b1)), s->scratch_areas,
		       s->preserved_pages);
	if (s->kho == T_UNKNOWN)
		printf(" (debugfs is not mounted on /sys/kernel/debug)");
	printf("\n");
	if (s->kexec_count >= 0)
		printf("                 this boot: kexec from %s, kexec count %lld\n",
		       s->previous_release, s->kexec_count);
	else if (s->kho == T_ON)
		printf("                 this boot: %s\n",
		       s->kexec_boot ? "kexec with a hand-over" : "no hand-over (cold boot)");
	printf("live update:     %s", s->luo == T_UNKNOWN ? "unknown" :
	       s->luo_state[0] ? s->luo_state : "off");
	if (s->liveupdate_number >= 0)
		printf("; liveupdate number %lld; %lld outgoing, %lld incoming session(s)",
		       s->liveupdate_number, s->outgoing, s->incoming);
	printf("\n");
}

static const char *image_state(struct view *v)
{
	if (v->sys.kexec_loaded == T_UNKNOWN)
		return "unknown";
	if (v->sys.kexec_loaded == T_OFF)
		return "none loaded";
	return v->have_status && v->st.loaded_ns ? "loaded by luod" :
	       "loaded (not by luod: sizes and command line unknown)";
}

static void status_luod_text(struct view *v)
{
	char b1[32], b2[32], b3[32];

	printf("kexec image:     %s\n", image_state(v));
	if (v->sys.kexec_loaded == T_ON && v->have_status && v->st.loaded_ns)
		printf("                 kernel %s (%s once loaded), initrd %s\n"
		       "                 command line: %s\n",
		       human_bytes(v->st.kernel_size, b1, sizeof(b1)),
		       human_bytes(v->st.kernel_mem, b2, sizeof(b2)),
		       human_bytes(v->st.initrd_size, b3, sizeof(b3)), v->st.cmdline);
	if (!v->have_status) {
		printf("luod:            not running (%s: %s)\n", socket_path,
		       v->luod_error);
		return;
	}
	printf("luod:            running, pid %u, %u client(s), %s\n", v->st.pid,
	       v->st.clients, socket_path);
	if (v->st.previous_updates)
		printf("                 took over %s; claim timeout %u s, %u unclaimed\n",
		       "the sessions of the previous kernel", v->st.claim_timeout,
		       v->st.unclaimed);
}

static void status_session_text(struct view *v, const struct luod_session *s)
{
	const struct ksess *k = ksess_of(v, s);
	const struct ksess_file *kf;
	char b1[32];
	size_t i;

	printf("  %-6u %-24s %-10s %-14s %5zu %10s  pid %u %s\n", s->owner, s->name,
	       state_name(s->state), k ? k->state : "-", s->nr_files,
	       human_bytes(s->bytes, b1, sizeof(b1)), s->pid, s->comm);
	for (i = 0; i < s->nr_files; i++) {
		kf = kfile_of(k, s->files[i].token);
		printf("         token %#-10llx %10s  %s %s\n",
		       (unsigned long long)s->files[i].token,
		       human_bytes(s->files[i].size, b1, sizeof(b1)),
		       kf ? kf->handler : "-", kf ? kf->state : "");
	}
}

static void status_text(struct view *v)
{
	size_t i, foreign = 0;
	int j;

	status_kernel_text(v);
	status_luod_text(v);
	printf("\nsessions of luod (%d):\n", v->nr);
	if (v->nr)
		printf("  %-6s %-24s %-10s %-14s %5s %10s  %s\n", "OWNER", "SESSION",
		       "STATE", "KERNEL-STATE", "FILES", "SIZE", "CREATED BY");
	for (j = 0; j < v->nr; j++)
		status_session_text(v, &v->sess[j]);
	for (i = 0; i < v->sys.nr_ksess; i++) {
		struct ksess *k = &v->sys.ksess[i];

		if (is_luod_session(v, k))
			continue;
		if (!foreign++)
			printf("\nsessions in the kernel not held by luod:\n");
		printf("  %s session \"%s\" %s, %u file(s)\n",
		       k->incoming ? "incoming" : "outgoing", k->name, k->state,
		       k->nr_files);
	}
}

static void json_tri(const char *key, enum tri t)
{
	if (t == T_UNKNOWN)
		json_null(key);
	else
		json_bool(key, t == T_ON);
}

static void json_maybe(const char *key, long long v)
{
	if (v < 0)
		json_null(key);
	else
		json_num(key, v);
}

static void status_kernel_json(struct view *v)
{
	struct sysinfo_lu *s = &v->sys;

	json_begin("kho", '{');
	json_tri("enabled", s->kho);
	json_unum("scratch_bytes", s->scratch_bytes);
	json_num("scratch_areas", s->scratch_areas);
	json_maybe("preserved_pages", s->preserved_pages);
	json_bool("kexec_boot", s->kexec_boot);
	json_str("previous_release", s->previous_release);
	json_maybe("kexec_count", s->kexec_count);
	json_end('}');
	json_begin("luo", '{');
	json_tri("enabled", s->luo);
	json_str("state", s->luo_state);
	json_maybe("liveupdate_number", s->liveupdate_number);
	json_maybe("outgoing_sessions", s->outgoing);
	json_maybe("incoming_sessions", s->incoming);
	json_end('}');
	json_tri("kexec_loaded", s->kexec_loaded);
}

static void status_luod_json(struct view *v)
{
	json_begin("luod", '{');
	json_bool("running", v->have_status);
	json_str("socket", socket_path);
	if (!v->have_status) {
		json_str("error", v->luod_error);
		json_end('}');
		return;
	}
	json_num("pid", v->st.pid);
	json_num("clients", v->st.clients);
	json_num("claim_timeout", v->st.claim_timeout);
	json_num("unclaimed", v->st.unclaimed);
	json_bool("took_over_previous_kernel", v->st.previous_updates);
	if (v->st.loaded_ns && v->sys.kexec_loaded == T_ON) {
		json_begin("image", '{');
		json_unum("kernel_bytes", v->st.kernel_size);
		json_unum("kernel_memory_bytes", v->st.kernel_mem);
		json_unum("initrd_bytes", v->st.initrd_size);
		json_str("cmdline", v->st.cmdline);
		json_end('}');
	} else {
		json_null("image");
	}
	json_end('}');
}

static void session_json(struct view *v, const struct luod_session *s)
{
	const struct ksess *k = ksess_of(v, s);
	const struct ksess_file *kf;
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	size_t i;

	kernel_name(name, sizeof(name), s);
	json_begin(NULL, '{');
	json_num("owner", s->owner);
	json_str("name", s->name);
	json_str("kernel_name", name);
	json_str("state", state_name(s->state));
	json_str("kernel_state", k ? k->state : "");
	json_unum("bytes", s->bytes);
	json_num("creator_pid", s->pid);
	json_str("creator_comm", s->comm);
	json_num("created", s->created_ns / 1000000000LL);
	json_begin("files", '[');
	for (i = 0; i < s->nr_files; i++) {
		kf = kfile_of(k, s->files[i].token);
		json_begin(NULL, '{');
		json_unum("token", s->files[i].token);
		json_unum("bytes", s->files[i].size);
		json_str("handler", kf ? kf->handler : "");
		json_str("kernel_state", kf ? kf->state : "");
		json_end('}');
	}
	json_end(']');
	json_end('}');
}

static void status_json(struct view *v)
{
	size_t i;
	int j;

	json_begin(NULL, '{');
	status_kernel_json(v);
	status_luod_json(v);
	json_begin("sessions", '[');
	for (j = 0; j < v->nr; j++)
		session_json(v, &v->sess[j]);
	json_end(']');
	json_begin("other_kernel_sessions", '[');
	for (i = 0; i < v->sys.nr_ksess; i++) {
		struct ksess *k = &v->sys.ksess[i];

		if (is_luod_session(v, k))
			continue;
		json_begin(NULL, '{');
		json_bool("incoming", k->incoming);
		json_str("name", k->name);
		json_str("state", k->state);
		json_num("files", k->nr_files);
		json_end('}');
	}
	json_end(']');
	json_end('}');
	json_done();
}

static int cmd_status(int argc, char **argv)
{
	struct view v;

	if (argc > 1) {
		fputs(status_help, stderr);
		return 2;
	}
	view_read(&v);
	if (out_json)
		status_json(&v);
	else
		status_text(&v);
	view_free(&v);
	return 0;
}

/* ---- load ---- */

static int read_cmdline(char *buf, size_t len)
{
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int build_cmdline(char *buf, size_t len, int reuse, const char *append)
{
	size_t used;

	buf[0] = '\0';
	if (reuse && read_cmdline(buf, len)) {
		fprintf(stderr, "luoctl: load: cannot read /proc/cmdline\n");
		return -1;
	}
	used = strlen(buf);
	if (append && snprintf(buf + used, len - used, "%s%s", used ? " " : "",
			       append) >= (int)(len - used)) {
		fprintf(stderr, "luoctl: load: the command line is too long\n");
		return -1;
	}
	return 0;
}

static int open_image(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "luoctl: load: %s: %s\n", path, strerror(errno));
	return fd;
}

static int cmd_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "initrd", required_argument, NULL, 'i' },
		{ "append", required_argument, NULL, 'a' },
		{ "reuse-cmdline", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *initrd = NULL, *append = NULL;
	char cmdline[LUOD_TEXT_MAX];
	int opt, reuse = 0, kfd, ifd = -1, err;
	struct luod *c;

	while ((opt = getopt_long(argc, argv, "i:a:rh", opts, NULL)) != -1) {
		if (opt == 'i')
			initrd = optarg;
		else if (opt == 'a')
			append = optarg;
		else if (opt == 'r')
			reuse = 1;
		else if (opt == 'h')
			return fputs(load_help, stdout), 0;
		else
			return fputs(load_help, stderr), 2;
	}
	if (optind != argc - 1)
		return fputs(load_help, stderr), 2;
	if (build_cmdline(cmdline, sizeof(cmdline), reuse, append))
		return 1;
	kfd = open_image(argv[optind]);
	if (kfd < 0)
		return 1;
	if (initrd) {
		ifd = open_image(initrd);
		if (ifd < 0)
			return 1;
	}
	c = connect_luod(0);
	if (!c)
		return 1;
	err = luod_load(c, kfd, ifd, cmdline);
	if (err)
		fprintf(stderr, "luoctl: load: %s\n", luod_reason(c));
	else if (!out_json)
		printf("loaded %s%s%s\ncommand line: %s\n", argv[optind],
		       initrd ? " with initrd " : "", initrd ? initrd : "", cmdline);
	luod_close(c);
	return err ? 1 : 0;
}

/* ---- update ---- */

struct check {
	const char *name;
	int ok;
	char detail[320];
};

static __printf(3, 4) void set_check(struct check *c, int ok, const char *fmt, ...)
{
	va_list ap;

	c->ok = ok;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
}

static void check_image(struct view *v, struct check *c)
{
	c->name = "image";
	if (v->sys.kexec_loaded == T_UNKNOWN)
		set_check(c, 0, "cannot read %s", LU_KEXEC_LOADED);
	else if (v->sys.kexec_loaded == T_OFF)
		set_check(c, 0, "no kernel image is loaded (luoctl load KERNEL)");
	else
		set_check(c, 1, "a kernel image is loaded");
}

static const char *no_debugfs = "debugfs is not mounted on /sys/kernel/debug";

static void check_kho_luo(struct view *v, struct check *kho, struct check *luo)
{
	kho->name = "kho";
	if (v->sys.kho == T_UNKNOWN)
		set_check(kho, 0, "cannot tell whether KHO is on: %s", no_debugfs);
	else
		set_check(kho, v->sys.kho == T_ON, "kexec handover is %s%s",
			  tri_name(v->sys.kho), v->sys.kho == T_ON ? "" : " (boot with kho=on)");
	luo->name = "luo";
	if (v->sys.luo == T_UNKNOWN)
		set_check(luo, 0, "cannot tell whether LUO is on: %s", no_debugfs);
	else
		set_check(luo, v->sys.luo == T_ON, "live update is %s%s",
			  v->sys.luo_state[0] ? v->sys.luo_state : "off",
			  v->sys.luo == T_ON ? "" : " (boot with liveupdate=on)");
}

static void check_luod(struct view *v, struct check *c)
{
	size_t i, files = 0;
	int out = 0, j;

	c->name = "luod";
	if (!v->have_status) {
		set_check(c, 0, "luod is not running (%s: %s)", socket_path, v->luod_error);
		return;
	}
	for (i = 0; i < v->sys.nr_ksess; i++) {
		struct ksess *k = &v->sys.ksess[i];

		if (!k->incoming && !is_luod_session(v, k)) {
			set_check(c, 0, "outgoing session \"%s\" is not held by luod", k->name);
			return;
		}
	}
	for (j = 0; j < v->nr; j++) {
		if (v->sess[j].state != LUOD_S_OUTGOING)
			continue;
		out++;
		files += v->sess[j].nr_files;
	}
	set_check(c, 1, "luod (pid %u) holds %d outgoing session(s) with %zu file(s)",
		  v->st.pid, out, files);
}

/* Is the boolean parameter NAME on in CMDLINE? */
static int param_on(const char *cmdline, const char *name)
{
	static const char *const yes[] = { "on", "1", "y", "Y", "yes", "true" };
	char copy[LUOD_TEXT_MAX], *w, *save = NULL;
	size_t len = strlen(name), i;
	int on = 0;

	snprintf(copy, sizeof(copy), "%s", cmdline);
	for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (strncmp(w, name, len) || w[len] != '=')
			continue;
		on = 0;
		for (i = 0; i < ARRAY_SIZE(yes); i++)
			on |= !strcmp(w + len + 1, yes[i]);
	}
	return on;
}

static void check_cmdline(struct view *v, struct check *c)
{
	const char *cl = v->st.cmdline;

	c->name = "cmdline";
	if (!v->have_status || !v->st.loaded_ns)
		set_check(c, 0, "%s: its command line cannot be checked (luoctl load)",
			  "the image was not loaded by luod");
	else if (!param_on(cl, "kho") || !param_on(cl, "liveupdate"))
		set_check(c, 0, "the next kernel's command line lacks %s: %s",
			  param_on(cl, "kho") ? "liveupdate=on" : "kho=on",
			  "it would not take the sessions back");
	else
		set_check(c, 1, "the next kernel's command line has kho=on liveupdate=on");
}

/*
 * The next kernel boots inside the scratch areas: they hold its image
 * (init_size of the bzImage), its initrd, its memmap (64 bytes of struct
 * page per 4 KiB of RAM) and its other early allocations.
 */
static void check_scratch(struct view *v, struct check *c)
{
	uint64_t memmap = v->sys.mem_total / 64, need;
	char b[5][32];

	c->name = "scratch";
	if (!v->have_status || !v->st.loaded_ns) {
		set_check(c, 0, "the size of the next kernel is unknown (luoctl load)");
		return;
	}
	need = v->st.kernel_mem + v->st.initrd_size + memmap + EARLY_HEADROOM;
	set_check(c, v->sys.scratch_bytes >= need,
		  "scratch %s %s %s needed (kernel %s, initrd %s, memmap %s, %s)%s",
		  human_bytes(v->sys.scratch_bytes, b[0], 32),
		  v->sys.scratch_bytes >= need ? ">=" : "<", human_bytes(need, b[1], 32),
		  human_bytes(v->st.kernel_mem, b[2], 32),
		  human_bytes(v->st.initrd_size, b[3], 32), human_bytes(memmap, b[4], 32),
		  "32 MiB early allocations",
		  v->sys.scratch_bytes >= need ? "" : ": boot with a larger kho_scratch=");
}

#define NR_CHECKS	6

/* Run every check; the index of the first failure or -1. */
static int preflight(struct view *v, struct check *c)
{
	int i;

	check_image(v, &c[0]);
	check_kho_luo(v, &c[1], &c[2]);
	check_luod(v, &c[3]);
	check_cmdline(v, &c[4]);
	check_scratch(v, &c[5]);
	for (i = 0; i < NR_CHECKS; i++)
		if (!c[i].ok)
			return i;
	return -1;
}

static int unclaimed(struct view *v)
{
	int j, n = 0;

	for (j = 0; j < v->nr; j++)
		n += v->sess[j].state == LUOD_S_INCOMING ||
		     v->sess[j].state == LUOD_S_UNCLAIMED;
	return n;
}

static void checks_json(struct check *c, int n, const char *result, const char *error)
{
	int i;

	json_begin(NULL, '{');
	json_begin("checks", '[');
	for (i = 0; i < n; i++) {
		json_begin(NULL, '{');
		json_str("check", c[i].name);
		json_bool("ok", c[i].ok);
		json_str("detail", c[i].detail);
		json_end('}');
	}
	json_end(']');
	json_str("result", result);
	if (error)
		json_str("error", error);
	else
		json_null("error");
	json_end('}');
	json_done();
	fflush(stdout);
}

static int update_refused(struct check *c, int bad)
{
	if (out_json)
		checks_json(c, NR_CHECKS, "not possible", c[bad].detail);
	else
		fprintf(stderr, "luoctl: update: not possible: %s\n", c[bad].detail);
	return 1;
}

static int update_go(struct view *v, struct check *c, int force)
{
	int err;

	if (out_json)
		checks_json(c, force ? 0 : NR_CHECKS, "rebooting", NULL);
	else
		printf("luoctl: update: luod calls reboot() now\n");
	fflush(stdout);
	err = luod_update(v->c);
	if (out_json)
		checks_json(c, 0, "refused", luod_reason(v->c));
	else
		fprintf(stderr, "luoctl: update: %s\n",
			*luod_reason(v->c) ? luod_reason(v->c) : strerror(-err));
	return 1;
}

static int cmd_update(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct check c[NR_CHECKS] = { 0 };
	int opt, dry = 0, force = 0, bad, i, ret;
	struct view v;

	while ((opt = getopt_long(argc, argv, "+nfh", opts, NULL)) != -1) {
		if (opt == 'n')
			dry = 1;
		else if (opt == 'f')
			force = 1;
		else if (opt == 'h')
			return fputs(update_help, stdout), 0;
		else
			return fputs(update_help, stderr), 2;
	}
	if (optind != argc)
		return fputs(update_help, stderr), 2;
	view_read(&v);
	bad = preflight(&v, c);
	if (!out_json && unclaimed(&v))
		fprintf(stderr, "luoctl: update: warning: %d incoming %s\n", unclaimed(&v),
			"session(s) never claimed will not reach the next kernel");
	if (dry && out_json) {
		checks_json(c, NR_CHECKS, bad < 0 ? "possible" : "not possible",
			    bad < 0 ? NULL : c[bad].detail);
	} else if (dry) {
		for (i = 0; i < NR_CHECKS; i++)
			printf("%-4s %-8s %s\n", c[i].ok ? "ok" : "FAIL", c[i].name,
			       c[i].detail);
	}
	if (dry)
		ret = bad < 0 ? 0 : 1;
	else if (bad >= 0 && !force)
		ret = update_refused(c, bad);
	else if (!v.c)
		ret = update_refused(c, 3);
	else
		ret = update_go(&v, c, force);
	view_free(&v);
	return ret;
}

/* ---- blackout ---- */

struct phase {
	const char *what;
	int64_t ns;
	const char *clock;
};

#define NS_PER_MS	1000000.0

#define BLACKOUT_FILE	"/sys/kernel/debug/liveupdate/blackout"
#define NR_KSTAMPS	9

/*
 * The kernel's stamps (BLACKOUT_FILE): the old kernel's reboot, freeze
 * and jump, handed over in its "lu612,blackout" KHO subtree, then this
 * kernel's, all on the CPU's cycle counter; 0 if not reached.
 */
struct kstamps {
	uint64_t khz;
	int64_t ready_boot;	/* CLOCK_BOOTTIME at luo-ready */
	uint64_t at[NR_KSTAMPS];
};

static const char *const kstamp_names[NR_KSTAMPS] = {
	"reboot", "frozen", "jump", "setup", "kho-reserve", "kho-reserved",
	"kho-stamp", "kho-stamped", "luo-ready",
};

/* The phases between two stamps, in order. */
static const struct {
	int from, to;
	const char *what;
} kphases[] = {
	{ 0, 1, "old kernel: reboot() to sessions frozen" },
	{ 1, 2, "old kernel: frozen to jump (shutdown)" },
	{ 2, 3, "jump to this kernel's setup_arch()" },
	{ 3, 4, "this kernel: setup_arch() to KHO reserve pass" },
	{ 4, 5, "this kernel: KHO reserve pass" },
	{ 5, 6, "this kernel: between the KHO passes" },
	{ 6, 7, "this kernel: KHO stamp pass" },
	{ 7, 8, "this kernel: KHO to /dev/liveupdate ready" },
};

static void kstamp_line(struct kstamps *k, const char *line)
{
	unsigned long long v;
	char name[32];
	int i;

	if (sscanf(line, "counter_khz %llu", &v) == 1)
		k->khz = v;
	else if (sscanf(line, "boottime_ns %llu", &v) == 1)
		k->ready_boot = v;
	else if (sscanf(line, "%31s %llu", name, &v) == 2)
		for (i = 0; i < NR_KSTAMPS; i++)
			if (!strcmp(name, kstamp_names[i]))
				k->at[i] = v;
}

/* Read BLACKOUT_FILE; 0 if it has the old kernel's stamps, else -1. */
static int read_kstamps(struct kstamps *k)
{
	FILE *f = fopen(BLACKOUT_FILE, "re");
	char line[256];

	memset(k, 0, sizeof(*k));
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		kstamp_line(k, line);
	fclose(f);
	return k->khz && k->at[0] && k->at[8] && k->ready_boot ? 0 : -1;
}

/*
 * Phases the kernel measures itself, from reboot() in the old kernel to
 * /dev/liveupdate ready in this one, on the cycle counter, and from there
 * to luod's start on CLOCK_BOOTTIME (the luo-ready stamp carries both).
 * Phases whose stamps are missing are left out.  0 if the previous
 * kernel handed over no stamps (a cold boot, or mainline).
 */
static int kernel_phases(const struct luod_blackout_rec *b, struct phase *p, int max)
{
	struct kstamps k;
	unsigned int i;
	int n = 0;

	if (read_kstamps(&k))
		return 0;
	for (i = 0; i < ARRAY_SIZE(kphases) && n < max - 1; i++) {
		uint64_t t0 = k.at[kphases[i].from], t1 = k.at[kphases[i].to];

		if (!t0 || !t1 || t1 < t0)
			continue;
		p[n++] = (struct phase){ kphases[i].what,
			(int64_t)((t1 - t0) * 1000000.0 / k.khz), "cycle counter, both kernels" };
	}
	p[n++] = (struct phase){ "this kernel: /dev/liveupdate ready to luod start",
		b->start_boot - k.ready_boot, "CLOCK_BOOTTIME" };
	return n;
}

/* Fill P with the phases of B; returns how many, *total the sum. */
static int blackout_phases(const struct luod_blackout_rec *b, struct phase *p,
			   int64_t *total, int *exact)
{
	int n = 0, k, i;

	p[n++] = (struct phase){ "old kernel: luod, update request to reboot()",
		b->reboot_boot_old - b->request_boot_old, "CLOCK_BOOTTIME, old kernel" };
	k = kernel_phases(b, p + n, 11);
	*exact = k > 0;
	if (!k) {
		p[n++] = (struct phase){ "reboot() to this kernel's clock start",
			b->start_real - b->start_boot - b->reboot_real_old,
			"CLOCK_REALTIME of both kernels, +-1 s + drift" };
		p[n++] = (struct phase){ "this kernel: clock start to luod start",
			b->start_boot, "CLOCK_BOOTTIME" };
	}
	n += k;
	p[n++] = (struct phase){ "luod: start to state restored",
		b->restored_boot - b->start_boot, "CLOCK_BOOTTIME" };
	if (b->first_claim_boot)
		p[n++] = (struct phase){ "luod: state restored to first session claimed",
			b->first_claim_boot - b->restored_boot, "CLOCK_BOOTTIME" };
	if (b->last_claim_boot > b->first_claim_boot)
		p[n++] = (struct phase){ "luod: first to last session claimed",
			b->last_claim_boot - b->first_claim_boot, "CLOCK_BOOTTIME" };
	*total = 0;
	for (i = 1; i < n; i++)
		*total += p[i].ns;
	return n;
}

static const char blackout_exact_notes[] =
"From reboot() in the old kernel to /dev/liveupdate ready in this one the\n"
"phases are on the CPU's cycle counter, which runs on across the kexec:\n"
"the old kernel stamped it into its lu612,blackout hand-over, this kernel\n"
"stamped its own (" BLACKOUT_FILE ").  The\n"
"rest is on CLOCK_BOOTTIME of this kernel, which the /dev/liveupdate ready\n"
"stamp also carries, and luod's request before reboot() on the old\n"
"kernel's.  Purgatory and decompression are inside \"jump to this\n"
"kernel's setup_arch()\".\n";

static const char blackout_notes[] =
"The span across the kexec compares CLOCK_REALTIME of the two kernels.  A\n"
"kernel sets it from the RTC at boot, in whole seconds, unless a time\n"
"service sets it: that span, and so the total, are known to +-1 s at\n"
"best, and are off by however far the old kernel's clock had drifted\n"
"(without a time service, in a QEMU TCG guest, seconds).  The other\n"
"phases are on CLOCK_BOOTTIME of one kernel.  Not measured separately:\n"
"the kernel's freeze, shutdown, purgatory, decompression and KHO restore\n"
"(this kernel does not record them).\n";

#define CLOCKSOURCE "/sys/devices/system/clocksource/clocksource0/current_clocksource"

/* This kernel's clocksource, "" if unknown. */
static const char *clocksource(void)
{
	static char name[64];
	FILE *f = fopen(CLOCKSOURCE, "re");

	name[0] = '\0';
	if (f) {
		if (!fgets(name, sizeof(name), f))
			name[0] = '\0';
		name[strcspn(name, "\n")] = '\0';
		fclose(f);
	}
	return name;
}

static void blackout_json(const struct luod_blackout_rec *b, struct phase *p,
			  int n, int64_t total, int exact)
{
	int i;

	json_begin(NULL, '{');
	json_num("sessions_taken_over", b->sessions);
	json_begin("phases", '[');
	for (i = 0; i < n; i++) {
		json_begin(NULL, '{');
		json_str("phase", p[i].what);
		json_double("ms", p[i].ns / NS_PER_MS);
		json_str("clock", p[i].clock);
		json_end('}');
	}
	json_end(']');
	if (b->first_claim_boot)
		json_double("blackout_ms", total / NS_PER_MS);
	else
		json_null("blackout_ms");
	if (exact)
		json_null("realtime_resolution_ms");
	else
		json_double("realtime_resolution_ms", 1000);
	json_str("clocksource", clocksource());
	json_num("sessions_not_claimed", b->waiting);
	json_end('}');
	json_done();
}

static void blackout_text(const struct luod_blackout_rec *b, struct phase *p,
			  int n, int64_t total, int exact)
{
	int i;

	printf("blackout of the last update, phase by phase:\n");
	for (i = 0; i < n; i++)
		printf("  %-48s %10.1f ms  %s\n", p[i].what, p[i].ns / NS_PER_MS,
		       p[i].clock);
	if (b->first_claim_boot)
		printf("  %-48s %10.1f ms  %s\n", "blackout: reboot() to last session claimed",
		       total / NS_PER_MS, exact ? "sum" : "sum, as uncertain as the REALTIME span");
	if (b->waiting)
		printf("  %u of %u session(s) not claimed yet: their blackout goes on\n",
		       b->waiting, b->sessions);
	printf("\n%s", exact ? blackout_exact_notes : blackout_notes);
	if (!exact && strstr(clocksource(), "jiffies"))
		printf("Here the clocksource is %s: this machine's clocks lose time under\n"
		       "load, and the span across the kexec is mostly that drift.\n",
		       clocksource());
}

static int cmd_blackout(int argc, char **argv)
{
	struct luod_blackout_rec b;
	struct phase p[16];
	struct luod *c;
	int64_t total;
	int err, n, exact;

	(void)argv;
	if (argc > 1)
		return fputs(blackout_help, stderr), 2;
	c = connect_luod(0);
	if (!c)
		return 1;
	err = luod_blackout(c, &b);
	luod_close(c);
	if (err || !b.known) {
		fprintf(stderr, "luoctl: blackout: %s\n", err ? strerror(-err) :
			"this boot did not come from an update by luod");
		return 1;
	}
	n = blackout_phases(&b, p, &total, &exact);
	if (out_json)
		blackout_json(&b, p, n, total, exact);
	else
		blackout_text(&b, p, n, total, exact);
	return 0;
}

/* ---- main ---- */

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "status", cmd_status, status_help },
	{ "load", cmd_load, load_help },
	{ "update", cmd_update, update_help },
	{ "blackout", cmd_blackout, blackout_help },
};

static int run_command(int argc, char **argv)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[0], commands[i].name))
			continue;
		if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
			return fputs(commands[i].help, stdout), 0;
		optind = 0;	/* a full reset of getopt for the command */
		return commands[i].fn(argc, argv);
	}
	fprintf(stderr, "luoctl: unknown command %s (luoctl --help)\n", argv[0]);
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "+s:jh", opts, NULL)) != -1) {
		if (opt == 's')
			socket_path = optarg;
		else if (opt == 'j')
			out_json = 1;
		else if (opt == 'h')
			return fputs(usage_text, stdout), 0;
		else
			return fputs(usage_text, stderr), 2;
	}
	if (optind >= argc)
		return fputs(usage_text, stderr), 2;
	return run_command(argc - optind, argv + optind);
}
