// SPDX-License-Identifier: GPL-2.0
/*
 * luoctl: what the kernel shows of KHO and LUO.  Only existing interfaces
 * are read: /sys/kernel/debug/kho/ (CONFIG_KEXEC_HANDOVER_DEBUGFS),
 * /sys/kernel/debug/liveupdate/, /sys/kernel/kexec_loaded and
 * /proc/meminfo.  Whatever cannot be read stays "unknown".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "luoctl.h"

#define DEBUGFS		"/sys/kernel/debug"

static FILE *open_file(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return fopen(path, "re");
}

static int debugfs_mounted(void)
{
	char line[512], dir[256], type[64];
	FILE *f = fopen("/proc/mounts", "re");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %255s %63s", dir, type) == 2 &&
			!strcmp(dir, DEBUGFS) && !strcmp(type, "debugfs");
	fclose(f);
	return found;
}

/* kho/out/scratch_len: one hexadecimal size per line. */
static void read_scratch(struct sysinfo_lu *s)
{
	FILE *f = open_file(LU_KHO_DEBUGFS "/out", "scratch_len");
	unsigned long long v;

	if (!f)
		return;
	while (fscanf(f, "%llx", &v) == 1) {
		s->scratch_areas++;
		s->scratch_bytes += v;
	}
	fclose(f);
}

static void read_kho(struct sysinfo_lu *s)
{
	FILE *f;

	s->preserved_pages = -1;
	s->kexec_count = -1;
	if (access(LU_KHO_DEBUGFS, F_OK)) {
		s->kho = s->debugfs ? T_OFF : T_UNKNOWN;
		return;
	}
	s->kho = T_ON;
	read_scratch(s);
	f = open_file(LU_KHO_DEBUGFS "/out", "preserved_pages");
	if (f) {
		if (fscanf(f, "%lld", &s->preserved_pages) != 1)
			s->preserved_pages = -1;
		fclose(f);
	}
	s->kexec_boot = !access(LU_KHO_DEBUGFS "/in", F_OK);
	f = open_file(LU_KHO_DEBUGFS "/in", "kexec_metadata");
	if (f) {
		if (fscanf(f, "previous_release %64s kexec_count %lld",
			   s->previous_release, &s->kexec_count) != 2)
			s->kexec_count = -1;
		fclose(f);
	}
}

static void read_luo_state(struct sysinfo_lu *s)
{
	char line[128], key[32], val[16];
	FILE *f;

	s->liveupdate_number = -1;
	s->outgoing = -1;
	s->incoming = -1;
	f = open_file(LU_DEBUGFS, "state");
	if (!f) {
		s->luo = s->debugfs ? T_OFF : T_UNKNOWN;
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%31[^:]: %15s", key, val) != 2)
			continue;
		if (!strcmp(key, "state"))
			snprintf(s->luo_state, sizeof(s->luo_state), "%s", val);
		else if (!strcmp(key, "liveupdate_number"))
			s->liveupdate_number = atoll(val);
		else if (!strcmp(key, "outgoing_sessions"))
			s->outgoing = atoll(val);
		else if (!strcmp(key, "incoming_sessions"))
			s->incoming = atoll(val);
	}
	fclose(f);
	s->luo = strcmp(s->luo_state, "on") ? T_OFF : T_ON;
}

static int add_ksess(struct sysinfo_lu *s, const char *line)
{
	struct ksess k = { 0 }, *n;
	char dir[16];

	if (sscanf(line, "%15s session \"%255[^\"]\" state=%23s files=%u", dir,
		   k.name, k.state, &k.nr_files) != 4)
		return -EINVAL;
	k.incoming = !strcmp(dir, "incoming");
	n = realloc(s->ksess, (s->nr_ksess + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	s->ksess = n;
	n[s->nr_ksess++] = k;
	return 0;
}

static int add_kfile(struct sysinfo_lu *s, const char *line)
{
	struct ksess *k = s->nr_ksess ? &s->ksess[s->nr_ksess - 1] : NULL;
	struct ksess_file f = { 0 }, *n;
	unsigned long long token;

	if (!k || sscanf(line, " file token=%llx handler=%63s state=%23s", &token,
			 f.handler, f.state) != 3)
		return -EINVAL;
	f.token = token;
	n = realloc(k->files, (k->nf + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	k->files = n;
	n[k->nf++] = f;
	return 0;
}

static void read_sessions(struct sysinfo_lu *s)
{
	char line[512];
	FILE *f = open_file(LU_DEBUGFS, "sessions");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '\t')
			add_kfile(s, line);
		else
			add_ksess(s, line);
	}
	fclose(f);
}

static void read_meminfo(struct sysinfo_lu *s)
{
	char line[128];
	unsigned long long kb;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1)
			s->mem_total = kb << 10;
	fclose(f);
}

void sys_read(struct sysinfo_lu *s)
{
	int loaded;

	memset(s, 0, sizeof(*s));
	s->debugfs = debugfs_mounted();
	read_kho(s);
	read_luo_state(s);
	read_sessions(s);
	read_meminfo(s);
	loaded = lu_kexec_loaded();
	s->kexec_loaded = loaded < 0 ? T_UNKNOWN : loaded;
}

void sys_free(struct sysinfo_lu *s)
{
	size_t i;

	for (i = 0; i < s->nr_ksess; i++)
		free(s->ksess[i].files);
	free(s->ksess);
	s->ksess = NULL;
	s->nr_ksess = 0;
}

struct ksess *sys_find(struct sysinfo_lu *s, const char *name, int incoming)
{
	size_t i;

	for (i = 0; i < s->nr_ksess; i++)
		if (s->ksess[i].incoming == incoming && !strcmp(s->ksess[i].name, name))
			return &s->ksess[i];
	return NULL;
}
