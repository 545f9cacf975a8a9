/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 *
 * Userspace interface of the Live Update Orchestrator (LUO).
 */
#ifndef _UAPI_LIVEUPDATE_H
#define _UAPI_LIVEUPDATE_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * DOC: General ioctl format
 *
 * Live update is driven through two kinds of file descriptors: the device
 * ``/dev/liveupdate``, which only one process may hold open at a time, and
 * session file descriptors, which CREATE_SESSION and RETRIEVE_SESSION
 * return.  Every ioctl takes a pointer to a structure whose first member
 * is ``__u32 size``, the size of the structure as userspace knows it.  The
 * commands are defined with _IO(): the size travels in the structure, not
 * in the command number.
 *
 * A structure larger than the kernel's is accepted if the bytes the kernel
 * does not know are zero; a smaller one is accepted down to the end of its
 * last mandatory member, and the missing tail reads as zero.  Output
 * members are written back up to the smaller of the two sizes.
 *
 * Errors every command may return:
 *
 *  - ENOTTY: the command is not known on this kind of file descriptor.
 *  - E2BIG: the structure is larger than the kernel's and the extra
 *    bytes are not zero.
 *  - EINVAL: @size is below the minimum, a member has an invalid value,
 *    or the command does not apply to this kind of session.
 *  - EFAULT: the structure cannot be read or written.
 *  - ENOENT: the named session, token or handler does not exist.
 *  - ENOMEM: the kernel is out of memory.
 *
 * Every file descriptor the kernel returns (sessions and retrieved files)
 * has close-on-exec set.
 *
 * Opening ``/dev/liveupdate`` fails with ENOENT if the node does not
 * exist (live update is off: no ``liveupdate=on``, or kexec handover is
 * off), with EBUSY while another file descriptor of it is open, and with
 * EIO if live update failed for this boot (the hand-over of the previous
 * kernel was rejected or a handler of one of its files is missing; the
 * kernel log says why).  Closing it does not affect the sessions.
 */

#define LIVEUPDATE_IOCTL_TYPE		0xBA

/* Length of a session name, including the terminating NUL. */
#define LIVEUPDATE_SESSION_NAME_LENGTH	64

/* Commands of /dev/liveupdate. */
enum {
	LIVEUPDATE_CMD_BASE = 0x00,
	LIVEUPDATE_CMD_CREATE_SESSION = LIVEUPDATE_CMD_BASE,
	LIVEUPDATE_CMD_RETRIEVE_SESSION = 0x01,
};

/* Commands of a session file descriptor. */
enum {
	LIVEUPDATE_CMD_SESSION_BASE = 0x40,
	LIVEUPDATE_CMD_SESSION_PRESERVE_FD = LIVEUPDATE_CMD_SESSION_BASE,
	LIVEUPDATE_CMD_SESSION_RETRIEVE_FD = 0x41,
	LIVEUPDATE_CMD_SESSION_FINISH = 0x42,
	LIVEUPDATE_CMD_SESSION_GET_NAME = 0x43,
};

/**
 * struct liveupdate_ioctl_create_session - LIVEUPDATE_IOCTL_CREATE_SESSION
 * @size: Input; sizeof(struct liveupdate_ioctl_create_session).
 * @fd: Output; the new session file descriptor.
 * @name: Input; the session name, at least one character and
 *        NUL-terminated within LIVEUPDATE_SESSION_NAME_LENGTH bytes.
 *
 * Valid on /dev/liveupdate.  Creates an outgoing session: the files
 * preserved in it are handed to the next kernel if the session file
 * descriptor is still open when the system kexecs.  Closing the session
 * file descriptor before that discards the session and everything
 * preserved in it.
 *
 * Return: 0, or EINVAL for an empty or unterminated name, EEXIST if an
 * outgoing session of that name exists, EMFILE, ENOMEM, or EBUSY once the
 * system has started to kexec.
 */
struct liveupdate_ioctl_create_session {
	__u32 size;
	__s32 fd;
	__u8 name[LIVEUPDATE_SESSION_NAME_LENGTH];
};

#define LIVEUPDATE_IOCTL_CREATE_SESSION					\
	_IO(LIVEUPDATE_IOCTL_TYPE, LIVEUPDATE_CMD_CREATE_SESSION)

/**
 * struct liveupdate_ioctl_retrieve_session - LIVEUPDATE_IOCTL_RETRIEVE_SESSION
 * @size: Input; sizeof(struct liveupdate_ioctl_retrieve_session).
 * @fd: Output; the session file descriptor.
 * @name: Input; the name the session had in the previous kernel, with the
 *        same rules as for CREATE_SESSION.
 *
 * Valid on /dev/liveupdate.  Opens a session handed over by the previous
 * kernel.  Closing its file descriptor finishes it (see
 * LIVEUPDATE_SESSION_FINISH).
 *
 * Return: 0, or ENOENT if no such session was handed over (or it was
 * finished and closed), EINVAL for a bad name or if the session is
 * already open, EMFILE, ENOMEM.
 */
struct liveupdate_ioctl_retrieve_session {
	__u32 size;
	__s32 fd;
	__u8 name[LIVEUPDATE_SESSION_NAME_LENGTH];
};

#define LIVEUPDATE_IOCTL_RETRIEVE_SESSION				\
	_IO(LIVEUPDATE_IOCTL_TYPE, LIVEUPDATE_CMD_RETRIEVE_SESSION)

/**
 * struct liveupdate_session_preserve_fd - LIVEUPDATE_SESSION_PRESERVE_FD
 * @size: Input; sizeof(struct liveupdate_session_preserve_fd).
 * @fd: Input; the file descriptor to preserve.
 * @token: Input; the value that names the file in the next kernel,
 *         unique within the session.
 *
 * Valid on an outgoing session.  The kernel keeps its own reference to the
 * file, so @fd may be closed afterwards.
 *
 * Return: 0, or EINVAL on a retrieved session, EEXIST if @token is used
 * in this session, EBADF for a bad @fd, EBUSY if the file is preserved
 * already (in any session) or the system has started to kexec, ENOENT if
 * no handler can preserve this kind of file, ENOMEM, or an error of the
 * file's handler.
 */
struct liveupdate_session_preserve_fd {
	__u32 size;
	__s32 fd;
	__aligned_u64 token;
};

#define LIVEUPDATE_SESSION_PRESERVE_FD					\
	_IO(LIVEUPDATE_IOCTL_TYPE, LIVEUPDATE_CMD_SESSION_PRESERVE_FD)

/**
 * struct liveupdate_session_retrieve_fd - LIVEUPDATE_SESSION_RETRIEVE_FD
 * @size: Input; sizeof(struct liveupdate_session_retrieve_fd).
 * @fd: Output; a new file descriptor for the file.
 * @token: Input; the token the file was preserved with.
 *
 * Valid on a retrieved session, before FINISH.  Files may be retrieved in
 * any order; retrieving a file again returns another file descriptor for
 * the same open file.  If the handler fails to restore a file, every
 * later attempt returns the same error.
 *
 * Return: 0, or EINVAL on an outgoing session, ENOENT if no file has this
 * token (or the session is finished), EMFILE, ENOMEM, or an error of the
 * file's handler.
 */
struct liveupdate_session_retrieve_fd {
	__u32 size;
	__s32 fd;
	__aligned_u64 token;
};

#define LIVEUPDATE_SESSION_RETRIEVE_FD					\
	_IO(LIVEUPDATE_IOCTL_TYPE, LIVEUPDATE_CMD_SESSION_RETRIEVE_FD)

/**
 * struct liveupdate_session_finish - LIVEUPDATE_SESSION_FINISH
 * @size: Input; sizeof(struct liveupdate_session_finish).
 * @reserved: Input; must be 0.
 *
 * Valid on a retrieved session.  Ends the live update of the session: the
 * kernel drops what it still holds for its files, and files that were not
 * retrieved are discarded.  Retrieved files stay usable through their file
 * descriptors.  Finishing a finished session does nothing.
 *
 * Return: 0, or EINVAL on an outgoing session or for a non-zero
 * @reserved, EBUSY if a file's handler cannot finish yet (nothing was
 * changed; try again later).
 */
struct liveupdate_session_finish {
	__u32 size;
	__u32 reserved;
};

#define LIVEUPDATE_SESSION_FINISH					\
	_IO(LIVEUPDATE_IOCTL_TYPE, LIVEUPDATE_CMD_SESSION_FINISH)

/**
 * struct liveupdate_session_get_name - LIVEUPDATE_SESSION_GET_NAME
 * @size: Input; sizeof(struct liveupdate_session_get_name).
 * @reserved: Input; must be 0.
 * @name: Output; the full session name, NUL-terminated.
 *
 * Valid on any session.
 *
 * Return: 0, or EINVAL for a non-zero @reserved.
 */
struct liveupdate_session_get_name {
	__u32 size;
	__u32 reserved;
	__u8 name[LIVEUPDATE_SESSION_NAME_LENGTH];
};

#define LIVEUPDATE_SESSION_GET_NAME					\
	_IO(LIVEUPDATE_IOCTL_TYPE, LIVEUPDATE_CMD_SESSION_GET_NAME)

#endif /* _UAPI_LIVEUPDATE_H */
