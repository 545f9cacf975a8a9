/* SPDX-License-Identifier: GPL-2.0 */
/*
 * luoctl internals: what the kernel shows in debugfs and sysfs
 * (luoctl_sys.c) and the output helpers (luoctl_out.c).
 */
#ifndef LUOCTL_H
#define LUOCTL_H

#include <stddef.h>
#include <stdint.h>

#include "liblu.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

enum tri { T_UNKNOWN = -1, T_OFF = 0, T_ON = 1 };

struct ksess_file {
	uint64_t token;
	char handler[64];
	char state[24];
};

/* A line of /sys/kernel/debug/liveupdate/sessions with its files. */
struct ksess {
	int incoming;
	char name[LIVEUPDATE_SESSION_NAME_LENGTH * 4];
	char state[24];
	unsigned int nr_files;
	size_t nf;
	struct ksess_file *files;
};

struct sysinfo_lu {
	int debugfs;			/* debugfs is mounted */
	enum tri kho;
	unsigned int scratch_areas;
	uint64_t scratch_bytes;
	long long preserved_pages;	/* out/, -1 if unknown */
	int kexec_boot;			/* kho/in exists */
	char previous_release[65];
	long long kexec_count;		/* -1 if unknown */
	enum tri luo;
	char luo_state[16];
	long long liveupdate_number;	/* -1 if unknown */
	long long outgoing, incoming;
	size_t nr_ksess;
	struct ksess *ksess;
	enum tri kexec_loaded;
	uint64_t mem_total;		/* bytes */
};

void sys_read(struct sysinfo_lu *s);
void sys_free(struct sysinfo_lu *s);
struct ksess *sys_find(struct sysinfo_lu *s, const char *name, int incoming);

/* Output: human-readable text, or JSON with --json. */
extern int out_json;

void json_begin(const char *key, char bracket);
void json_end(char bracket);
void json_str(const char *key, const char *val);
void json_num(const char *key, long long val);
void json_unum(const char *key, uint64_t val);
void json_bool(const char *key, int val);
void json_null(const char *key);
void json_double(const char *key, double val);
void json_done(void);

/* "1.5 MiB" */
const char *human_bytes(uint64_t n, char *buf, size_t len);

#endif
