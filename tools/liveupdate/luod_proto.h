/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The wire protocol between luod and its clients (liblu).  Private to
 * tools/liveupdate: programs use the functions of liblu.h.
 *
 * The socket is AF_UNIX, SOCK_SEQPACKET: one request is one message, one
 * reply is one or more messages.  A request is a struct luod_req of
 * LUOD_REQ_MIN to sizeof(struct luod_req) bytes (a missing tail reads as
 * zero); PRESERVE and LOAD carry file descriptors with SCM_RIGHTS.  Every
 * reply message starts with a struct luod_hdr; the last message of a
 * reply has type LUOD_R_DONE and carries the result (0 or a positive
 * errno) with a one-line reason.  Before it, LIST sends LUOD_R_SESSION
 * and LUOD_R_FILE records, RETRIEVE one LUOD_R_FILE per file with its
 * descriptor attached, STATUS one LUOD_R_STATUS and BLACKOUT one
 * LUOD_R_BLACKOUT.  Events (LUOD_EV_*) may arrive between replies.
 *
 * Both ends run on the same host: integers are in host byte order.
 */
#ifndef LUOD_PROTO_H
#define LUOD_PROTO_H

#include <stddef.h>
#include <stdint.h>

#ifndef __printf
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#endif

#define LUOD_MAGIC		0x444f554cU	/* "LUOD" */
#define LUOD_VERSION		1
/* Client session names: [A-Za-z0-9._-], 1 to 47 bytes. */
#define LUOD_NAME_MAX		47
#define LUOD_NAME_CHARS \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"
#define LUOD_TEXT_MAX		2048		/* kernel command line */
#define LUOD_REASON_MAX		200
/* Requests for the client's own uid; root may name another owner. */
#define LUOD_OWNER_SELF		0xffffffffU
/* File descriptors a request may carry. */
#define LUOD_MAX_FDS		2

enum luod_op {
	LUOD_PING = 1,
	LUOD_CREATE,		/* session */
	LUOD_PRESERVE,		/* session, token, 1 fd */
	LUOD_UNPRESERVE,	/* session: release it and all its files */
	LUOD_LIST,
	LUOD_RETRIEVE,		/* session: fds come back */
	LUOD_FINISH,		/* session */
	LUOD_LOAD,		/* text = command line, fds: kernel [, initrd] */
	LUOD_UPDATE,
	LUOD_STATUS,
	LUOD_BLACKOUT,
	LUOD_OP_MAX,
};

enum luod_type {
	LUOD_R_DONE = 0x100,
	LUOD_R_SESSION,
	LUOD_R_FILE,
	LUOD_R_STATUS,
	LUOD_R_BLACKOUT,
	LUOD_EV_UPDATE = 0x200,	/* luod is calling reboot() now */
	LUOD_EV_SHUTDOWN,	/* luod exits; every outgoing session is gone */
	LUOD_EV_ABORTED,	/* the kernel refused the update; nothing changed */
};

struct luod_req {
	uint32_t magic;
	uint16_t version;
	uint16_t op;
	uint32_t owner;
	uint32_t flags;
	uint64_t token;
	char session[LUOD_NAME_MAX + 1];
	char text[LUOD_TEXT_MAX];
};

#define LUOD_REQ_MIN		offsetof(struct luod_req, text)

struct luod_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	int32_t err;
	uint32_t len;		/* of the whole message */
};

struct luod_done {
	struct luod_hdr hdr;
	char reason[LUOD_REASON_MAX];
};

enum luod_session_state {
	LUOD_S_OUTGOING = 1,	/* created here, goes to the next kernel */
	LUOD_S_INCOMING,	/* from the previous kernel, not claimed yet */
	LUOD_S_RETRIEVED,	/* claimed (RETRIEVE), not finished yet */
	LUOD_S_UNCLAIMED,	/* incoming, not claimed in the claim time */
};

struct luod_session_rec {
	struct luod_hdr hdr;
	char name[LUOD_NAME_MAX + 1];
	uint32_t owner;
	uint32_t gid;
	uint32_t pid;		/* of the client that created it */
	uint32_t state;
	uint32_t nr_files;
	uint32_t pad;
	uint64_t bytes;
	int64_t created_ns;	/* CLOCK_REALTIME */
	char comm[16];		/* of the client that created it */
};

struct luod_file_rec {
	struct luod_hdr hdr;
	char session[LUOD_NAME_MAX + 1];
	uint32_t owner;
	int32_t err;		/* RETRIEVE: why no fd is attached */
	uint64_t token;
	uint64_t size;		/* st_size when it was preserved */
};

struct luod_status_rec {
	struct luod_hdr hdr;
	uint32_t pid;
	uint32_t clients;
	uint32_t sessions;	/* that the caller may see */
	uint32_t claim_timeout;	/* seconds */
	int64_t started_ns;	/* CLOCK_BOOTTIME */
	/* The image luod loaded (LUOD_LOAD); sizes 0 if none. */
	uint64_t kernel_size;
	uint64_t kernel_mem;	/* init_size of a bzImage, else kernel_size */
	uint64_t initrd_size;
	int64_t loaded_ns;	/* CLOCK_REALTIME, 0 if none */
	uint32_t previous_updates; /* luod states found, this boot: 0 or 1 */
	uint32_t unclaimed;
	char cmdline[LUOD_TEXT_MAX];
};

/*
 * Time stamps of the last update, in nanoseconds; 0 if not known.  _old
 * values are the outgoing kernel's clocks, carried in luod's state;
 * the others are this kernel's.
 */
struct luod_blackout_rec {
	struct luod_hdr hdr;
	uint32_t known;		/* 1 if this boot came from a luod update */
	uint32_t sessions;
	int64_t request_boot_old;	/* UPDATE received */
	int64_t reboot_boot_old;	/* just before reboot() */
	int64_t reboot_real_old;
	int64_t start_boot;		/* luod started */
	int64_t start_real;
	int64_t restored_boot;		/* state read back */
	int64_t first_claim_boot;	/* first client got its fds */
	int64_t last_claim_boot;	/* the latest first claim */
	uint32_t waiting;		/* sessions not claimed yet */
	uint32_t pad;
};

#endif
