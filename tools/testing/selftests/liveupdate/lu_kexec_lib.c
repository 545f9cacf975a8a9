// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "liblu.h"
#include "lu_kexec.h"

/*
 * lu_kexec_getopt() - take option OPT of getopt(3), with its argument ARG,
 * into ARGS if it is -k KERNEL, -i INITRD, -c CMDLINE or -m MARK.  Returns
 * 1 if it was one of them, 0 otherwise.
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
	case 'm':
		args->marker = arg;
		return 1;
	}
	return 0;
}

/* lu_kexec_load_args() - load the next kernel of ARGS; see lu_kexec.h. */
int lu_kexec_load_args(const struct lu_kexec_args *args)
{
	int err = lu_kexec_load(args->kernel, args->initrd, args->cmdline);

	if (err)
		fprintf(stderr, "lu_kexec: kexec_file_load %s: %s\n", args->kernel,
			lu_strerror(LU_KEXEC_LOAD, err));
	return err;
}

/*
 * lu_kexec_mark() - write the marker of ARGS to /dev/kmsg, as the last
 * thing before reboot(2), so that the console shows when userspace handed
 * over to the kernel.  A failure is reported but not fatal.
 */
void lu_kexec_mark(const struct lu_kexec_args *args)
{
	int fd;

	if (!args->marker)
		return;
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, args->marker, strlen(args->marker)) < 0)
		perror("lu_kexec: /dev/kmsg");
	if (fd >= 0)
		close(fd);
}
