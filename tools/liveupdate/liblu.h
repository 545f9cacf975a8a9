/* SPDX-License-Identifier: GPL-2.0 */
/*
 * liblu: live update from userspace, for VMMs and the live update tools.
 *
 * Two parts:
 *
 * - lu_*: the six ioctls of /dev/liveupdate (see
 *   Documentation/userspace-api/liveupdate.rst), kexec_file_load(2) and
 *   reboot(2).  Each returns a file descriptor or 0 on success and -errno
 *   on failure; lu_strerror() explains an error of one of them.  Only the
 *   process that holds /dev/liveupdate can use the session calls: on a
 *   host that runs luod, that is luod.
 *
 * - luod_*: the client side of luod, the daemon that holds
 *   /dev/liveupdate for every VMM of the host.  A VMM connects, creates
 *   sessions, preserves its memfds in them and disconnects; after the
 *   update it connects to the luod of the next kernel and gets them back.
 *   Each call returns 0 (or a count) on success and -errno on failure;
 *   luod_reason() then has luod's one-line reason.
 *
 * All file descriptors liblu returns are close-on-exec.  libc only.
 */
#ifndef LIBLU_H
#define LIBLU_H

#include <stddef.h>
#include <stdint.h>
#include <linux/liveupdate.h>

#include "luod_proto.h"

#define LU_DEVICE		"/dev/liveupdate"
#define LU_DEBUGFS		"/sys/kernel/debug/liveupdate"
#define LU_KHO_DEBUGFS		"/sys/kernel/debug/kho"
#define LU_KEXEC_LOADED		"/sys/kernel/kexec_loaded"
#define LUOD_SOCKET		"/run/luod/luod.sock"

/* ---- /dev/liveupdate ---- */

enum lu_op {
	LU_OPEN,
	LU_CREATE_SESSION,
	LU_RETRIEVE_SESSION,
	LU_PRESERVE_FD,
	LU_RETRIEVE_FD,
	LU_FINISH,
	LU_GET_NAME,
	LU_KEXEC_LOAD,
	LU_REBOOT,
};

int lu_open(void);
int lu_create_session(int dev, const char *name);
int lu_retrieve_session(int dev, const char *name);
int lu_preserve_fd(int session, int fd, uint64_t token);
int lu_retrieve_fd(int session, uint64_t token);
int lu_finish(int session);
int lu_get_name(int session, char name[LIVEUPDATE_SESSION_NAME_LENGTH]);
/* ioctl(2) with errno folded into the result: 0 or -errno. */
int lu_ioctl(int fd, unsigned long cmd, void *arg);

/* "EBUSY: another process holds /dev/liveupdate (luod?)" for -EBUSY. */
const char *lu_strerror(enum lu_op op, int err);

/*
 * Load the next kernel with kexec_file_load(2): from files (INITRD may be
 * NULL) or from descriptors (IFD may be -1).
 */
int lu_kexec_load(const char *kernel, const char *initrd, const char *cmdline);
int lu_kexec_load_fd(int kfd, int ifd, const char *cmdline);
/* sync(2) and reboot(LINUX_REBOOT_CMD_KEXEC); returns -errno if it returns. */
int lu_reboot_kexec(void);
/* 1 if a kernel is loaded for kexec, 0 if not, -errno. */
int lu_kexec_loaded(void);

/* Nanoseconds on CLOCK (CLOCK_BOOTTIME, CLOCK_REALTIME, ...). */
int64_t lu_now(int clock);

/* ---- luod ---- */

struct luod;

/* Connect to luod at PATH (NULL: LUOD_SOCKET); NULL with *err = -errno. */
struct luod *luod_connect(const char *path, int *err);
void luod_close(struct luod *c);
/* The socket, for poll(2): it becomes readable on an event or on EOF. */
int luod_fd(struct luod *c);
/* luod's reason for the last failed request, "" if none. */
const char *luod_reason(struct luod *c);
/*
 * Act on the sessions of UID instead of the caller's own (root only;
 * luod refuses it with EPERM for anyone else).  LUOD_OWNER_SELF resets.
 */
void luod_set_owner(struct luod *c, uint32_t uid);

int luod_ping(struct luod *c);
int luod_create(struct luod *c, const char *session);
int luod_preserve(struct luod *c, const char *session, uint64_t token, int fd);
int luod_unpreserve(struct luod *c, const char *session);
int luod_finish(struct luod *c, const char *session);

/* A preserved or retrieved file; fd is -1 unless returned by retrieve. */
struct luod_file {
	uint64_t token;
	uint64_t size;
	int fd;
	int err;		/* retrieve: why fd is -1 */
};

struct luod_session {
	char name[LUOD_NAME_MAX + 1];
	uint32_t owner, gid, pid;
	enum luod_session_state state;
	int64_t created_ns;
	char comm[16];
	uint64_t bytes;
	size_t nr_files;
	struct luod_file *files;
};

/*
 * The sessions the caller may see (its own; root: all).  Returns the
 * number of sessions in *out, to be freed with luod_free_sessions().
 */
int luod_list(struct luod *c, struct luod_session **out);
void luod_free_sessions(struct luod_session *s, int n);
/*
 * Claim an incoming session: its files come back with new descriptors.
 * Returns the number of files in *out (free() it, close the fds), or
 * -errno.  A file that could not be restored has fd -1 and err set.
 */
int luod_retrieve(struct luod *c, const char *session, struct luod_file **out);

/* Operator requests (root only). */
int luod_load(struct luod *c, int kfd, int ifd, const char *cmdline);
/* Returns only on failure, with the kernel's errno. */
int luod_update(struct luod *c);
int luod_status(struct luod *c, struct luod_status_rec *st);
int luod_blackout(struct luod *c, struct luod_blackout_rec *b);

/*
 * Wait up to TIMEOUT_MS (-1: forever) for an event: LUOD_EV_UPDATE or
 * LUOD_EV_SHUTDOWN, 0 on timeout, -EPIPE when luod closed the connection
 * (it exited: every outgoing session it held is gone).
 */
int luod_wait_event(struct luod *c, int timeout_ms);

/* Is NAME a valid client session name?  1 or 0. */
int luod_valid_name(const char *name);

/* ---- messages with descriptors, shared by luod and liblu ---- */

#define LU_SEND_MAX_FDS		16

/*
 * Send LEN bytes of BUF with NFDS (at most LU_SEND_MAX_FDS) descriptors
 * in one message, with send flags FLAGS besides MSG_NOSIGNAL; 0 or
 * -errno.  Receive one message of at most LEN bytes and up to *NFDS
 * descriptors (close-on-exec); returns its length (MSG_TRUNC: the real
 * length, larger than LEN), or -errno; *NFDS is set to the number of
 * descriptors received, *FLAGS to msg_flags.
 */
int lu_send(int sock, const void *buf, size_t len, const int *fds, int nfds,
	    int flags);
long lu_recv(int sock, void *buf, size_t len, int *fds, int *nfds, int *flags);

#endif
