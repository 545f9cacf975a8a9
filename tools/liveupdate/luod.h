/* SPDX-License-Identifier: GPL-2.0 */
/*
 * luod internals shared by luod.c and luod_state.c.
 */
#ifndef LUOD_H
#define LUOD_H

#include <stdint.h>
#include <sys/types.h>

#include "liblu.h"

/* luod's own session: a memfd that carries its state to the next luod. */
#define LUOD_STATE_SESSION	"luod/state"
#define LUOD_STATE_TOKEN	1
/* Kernel name of a client session: "luod/UID/NAME" (at most 63 bytes). */
#define LUOD_KNAME_FMT		"luod/%u/%s"

struct luod_file_ent {
	uint64_t token;
	uint64_t size;
};

struct luod_sess {
	char name[LUOD_NAME_MAX + 1];
	uint32_t owner, gid, pid;
	char comm[16];
	int64_t created_ns;
	enum luod_session_state state;
	int fd;			/* kernel session, -1 until retrieved */
	int claimed;		/* retrieved at least once */
	size_t nr_files;
	struct luod_file_ent *files;
};

/* The outgoing kernel's time stamps, carried in the state. */
struct luod_stamps {
	int64_t request_boot;
	int64_t reboot_boot;
	int64_t reboot_real;
};

/* luod_state.c */

/*
 * Write the outgoing sessions of SESS into a new memfd, preserved in the
 * outgoing session LUOD_STATE_SESSION on DEV.  *SESSION and *MEMFD are
 * set for luod_state_stamp() and luod_state_drop().  0 or -errno.
 */
int luod_state_save(int dev, const struct luod_sess *sess, size_t n,
		    int *session, int *memfd);
/* Put the time stamps into the saved state, just before reboot(). */
int luod_state_stamp(int memfd, const struct luod_stamps *st);
/* Release the saved state (reboot() returned). */
void luod_state_drop(int *session, int *memfd);
/*
 * Read back the state of the previous luod from DEV: 0 and the incoming
 * sessions in *SESS (*N of them) and the stamps, -ENOENT if there is
 * none, other -errno if it cannot be used (a reason is logged).
 */
int luod_state_restore(int dev, struct luod_sess **sess, size_t *n,
		       struct luod_stamps *st);

__printf(1, 2) void luod_log(const char *fmt, ...);

#endif
