// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <linux/kexec.h>
#include <linux/reboot.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lu_kexec.h"

/*
 * lu_kexec_getopt() - take option OPT of getopt(3), with its argument ARG,
 * into ARGS if it is -k KERNEL, -i INITRD or -c CMDLINE.  Returns 1 if it
 * was one of them, 0 otherwise.
 */
int lu_kexec_getopt(int opt, const char *arg, struct lu_kexec_args *args)
{
	switch (opt) {
	case 'k':
		args->kernel = arg;
		return 1;
	case 'i':
		args->initrd = arg;
		return 1;
	case 'c':
		args->cmdline = arg;
		return 1;
	}
	return 0;
}

/*
 * lu_kexec_load() - load KERNEL (and INITRD, if not NULL) for the next
 * kexec with CMDLINE.  Returns 0 or -errno, after printing what failed.
 */
int lu_kexec_load(const char *kernel, const char *initrd, const char *cmdline)
{
	unsigned long flags = initrd ? 0 : KEXEC_FILE_NO_INITRAMFS;
	int kfd, ifd = -1, ret = 0;

	kfd = open(kernel, O_RDONLY | O_CLOEXEC);
	if (kfd < 0) {
		ret = -errno;
		fprintf(stderr, "lu_kexec: open %s: %s\n", kernel, strerror(errno));
		return ret;
	}
	if (initrd) {
		ifd = open(initrd, O_RDONLY | O_CLOEXEC);
		if (ifd < 0) {
			ret = -errno;
			fprintf(stderr, "lu_kexec: open %s: %s\n", initrd, strerror(errno));
			goto out;
		}
	}
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1, cmdline, flags)) {
		ret = -errno;
		fprintf(stderr, "lu_kexec: kexec_file_load: %s\n", strerror(errno));
	}
	if (ifd >= 0)
		close(ifd);
out:
	close(kfd);
	return ret;
}

/* lu_kexec_reboot() - reboot into the loaded kernel; returns -errno. */
int lu_kexec_reboot(void)
{
	sync();
	syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		LINUX_REBOOT_CMD_KEXEC, NULL);
	fprintf(stderr, "lu_kexec: reboot(LINUX_REBOOT_CMD_KEXEC): %s\n", strerror(errno));
	return -errno;
}
