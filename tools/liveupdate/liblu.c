// SPDX-License-Identifier: GPL-2.0
/*
 * liblu: the /dev/liveupdate ioctls, kexec and messages with descriptors.
 * See liblu.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kexec.h>
#include <linux/reboot.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "liblu.h"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

int lu_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

int lu_open(void)
{
	int fd = open(LU_DEVICE, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Copy at most 63 bytes of @name; the rest of @dst is zero. */
static void lu_copy_name(__u8 *dst, const char *name)
{
	memset(dst, 0, LIVEUPDATE_SESSION_NAME_LENGTH);
	memcpy(dst, name, strnlen(name, LIVEUPDATE_SESSION_NAME_LENGTH - 1));
}

int lu_create_session(int dev, const char *name)
{
	struct liveupdate_ioctl_create_session arg = { .size = sizeof(arg) };
	int err;

	lu_copy_name(arg.name, name);
	err = lu_ioctl(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, &arg);
	return err ? err : arg.fd;
}

int lu_retrieve_session(int dev, const char *name)
{
	struct liveupdate_ioctl_retrieve_session arg = { .size = sizeof(arg) };
	int err;

	lu_copy_name(arg.name, name);
	err = lu_ioctl(dev, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, &arg);
	return err ? err : arg.fd;
}

int lu_preserve_fd(int session, int fd, uint64_t token)
{
	struct liveupdate_session_preserve_fd arg = {
		.size = sizeof(arg), .fd = fd, .token = token,
	};

	return lu_ioctl(session, LIVEUPDATE_SESSION_PRESERVE_FD, &arg);
}

int lu_retrieve_fd(int session, uint64_t token)
{
	struct liveupdate_session_retrieve_fd arg = {
		.size = sizeof(arg), .token = token,
	};
	int err;

	err = lu_ioctl(session, LIVEUPDATE_SESSION_RETRIEVE_FD, &arg);
	return err ? err : arg.fd;
}

int lu_finish(int session)
{
	struct liveupdate_session_finish arg = { .size = sizeof(arg) };

	return lu_ioctl(session, LIVEUPDATE_SESSION_FINISH, &arg);
}

int lu_get_name(int session, char name[LIVEUPDATE_SESSION_NAME_LENGTH])
{
	struct liveupdate_session_get_name arg = { .size = sizeof(arg) };
	int err;

	err = lu_ioctl(session, LIVEUPDATE_SESSION_GET_NAME, &arg);
	if (!err)
		memcpy(name, arg.name, LIVEUPDATE_SESSION_NAME_LENGTH);
	return err;
}

/* What an errno means for one call, from the uAPI documentation. */
static const struct {
	enum lu_op op;
	int err;
	const char *text;
} lu_explanations[] = {
	{ LU_OPEN, ENOENT, "no /dev/liveupdate: boot with kho=on liveupdate=on" },
	{ LU_OPEN, EBUSY, "another process holds /dev/liveupdate (luod?)" },
	{ LU_OPEN, EIO, "live update failed for this boot (see the kernel log)" },
	{ LU_CREATE_SESSION, EEXIST, "an outgoing session of this name exists" },
	{ LU_CREATE_SESSION, EBUSY, "reboot() has frozen the sessions" },
	{ LU_CREATE_SESSION, EINVAL, "empty or too long session name" },
	{ LU_RETRIEVE_SESSION, ENOENT, "no such session came from the previous kernel" },
	{ LU_RETRIEVE_SESSION, EINVAL, "bad name, or the session is open already" },
	{ LU_PRESERVE_FD, EEXIST, "the token is used in this session" },
	{ LU_PRESERVE_FD, EBUSY,
	  "the file is preserved already, or reboot() has frozen the sessions" },
	{ LU_PRESERVE_FD, ENOENT, "this kind of file cannot be preserved" },
	{ LU_PRESERVE_FD, EINVAL, "the session is incoming" },
	{ LU_PRESERVE_FD, EBADF, "not an open file descriptor" },
	{ LU_RETRIEVE_FD, ENOENT, "no file with this token, or the session is finished" },
	{ LU_RETRIEVE_FD, EINVAL, "the session is outgoing" },
	{ LU_FINISH, EBUSY, "a file's handler cannot finish yet; try again" },
	{ LU_FINISH, EINVAL, "the session is outgoing" },
	{ LU_KEXEC_LOAD, EADDRNOTAVAIL,
	  "the image does not fit in the KHO scratch areas (raise kho_scratch=)" },
	{ LU_KEXEC_LOAD, EPERM, "needs CAP_SYS_BOOT" },
	{ LU_KEXEC_LOAD, ENOEXEC, "not a kernel image this kernel can load" },
	{ LU_KEXEC_LOAD, EKEYREJECTED, "the image signature was rejected" },
	{ LU_REBOOT, EINVAL, "no kernel is loaded, or live update is inconsistent (kernel log)" },
	{ LU_REBOOT, EPERM, "needs CAP_SYS_BOOT" },
	{ LU_REBOOT, EBUSY, "a kexec is already in progress" },
};

static const char *lu_errno_name(int err)
{
	static const struct { int err; const char *name; } names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EIO, "EIO" },
		{ EBADF, "EBADF" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
		{ EBUSY, "EBUSY" }, { EEXIST, "EEXIST" }, { EINVAL, "EINVAL" },
		{ EMFILE, "EMFILE" }, { ENOTTY, "ENOTTY" }, { E2BIG, "E2BIG" },
		{ ENOEXEC, "ENOEXEC" }, { EACCES, "EACCES" }, { EFAULT, "EFAULT" },
		{ EADDRNOTAVAIL, "EADDRNOTAVAIL" }, { EKEYREJECTED, "EKEYREJECTED" },
		{ ECONNREFUSED, "ECONNREFUSED" }, { EPIPE, "EPIPE" },
		{ EMSGSIZE, "EMSGSIZE" }, { EPROTO, "EPROTO" }, { ENOSPC, "ENOSPC" },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(names); i++)
		if (names[i].err == err)
			return names[i].name;
	return NULL;
}

const char *lu_strerror(enum lu_op op, int err)
{
	static __thread char buf[160];
	const char *text = NULL, *name;
	size_t i;

	if (err < 0)
		err = -err;
	for (i = 0; i < ARRAY_LEN(lu_explanations); i++)
		if (lu_explanations[i].op == op && lu_explanations[i].err == err)
			text = lu_explanations[i].text;
	name = lu_errno_name(err);
	snprintf(buf, sizeof(buf), "%s%s%s", name ? name : "", name ? ": " : "",
		 text ? text : strerror(err));
	return buf;
}

int lu_kexec_load_fd(int kfd, int ifd, const char *cmdline)
{
	unsigned long flags = ifd < 0 ? KEXEC_FILE_NO_INITRAMFS : 0;

	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1, cmdline,
		    flags))
		return -errno;
	return 0;
}

int lu_kexec_load(const char *kernel, const char *initrd, const char *cmdline)
{
	int kfd, ifd = -1, err;

	kfd = open(kernel, O_RDONLY | O_CLOEXEC);
	if (kfd < 0)
		return -errno;
	if (initrd) {
		ifd = open(initrd, O_RDONLY | O_CLOEXEC);
		if (ifd < 0) {
			err = -errno;
			close(kfd);
			return err;
		}
	}
	err = lu_kexec_load_fd(kfd, ifd, cmdline);
	if (ifd >= 0)
		close(ifd);
	close(kfd);
	return err;
}

int lu_reboot_kexec(void)
{
	sync();
	syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		LINUX_REBOOT_CMD_KEXEC, NULL);
	return -errno;
}

int lu_kexec_loaded(void)
{
	char c = 0;
	int fd, n;

	fd = open(LU_KEXEC_LOADED, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, &c, 1);
	close(fd);
	if (n != 1)
		return -EIO;
	return c == '1';
}

int64_t lu_now(int clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int lu_send(int sock, const void *buf, size_t len, const int *fds, int nfds,
	    int flags)
{
	char ctl[CMSG_SPACE(sizeof(int) * LU_SEND_MAX_FDS)] = { 0 };
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (nfds > LU_SEND_MAX_FDS)
		return -EINVAL;
	if (nfds > 0) {
		msg.msg_control = ctl;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	if (sendmsg(sock, &msg, flags | MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

/* Collect the descriptors of every SCM_RIGHTS header; close the excess. */
static int lu_take_fds(struct msghdr *msg, int *fds, int max)
{
	struct cmsghdr *cm;
	int n = 0, i, cnt, fd;

	for (cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		cnt = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < cnt; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (n < max)
				fds[n++] = fd;
			else
				close(fd);
		}
	}
	return n;
}

long lu_recv(int sock, void *buf, size_t len, int *fds, int *nfds, int *flags)
{
	char ctl[CMSG_SPACE(sizeof(int) * LUOD_MAX_FDS * 4)];
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	ssize_t n;

	n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_TRUNC);
	if (n < 0)
		return -errno;
	*nfds = lu_take_fds(&msg, fds, *nfds);
	if (flags)
		*flags = msg.msg_flags;
	return n;
}
