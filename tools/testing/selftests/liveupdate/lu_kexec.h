/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The -k KERNEL -i INITRD -c CMDLINE options of the programs that load the
 * next kernel: the lu_kexec tool and the test agents, which must call
 * reboot() themselves (a live update agent holds its session fds across
 * the reboot).  Loading and rebooting are liblu's lu_kexec_load() and
 * lu_reboot_kexec().
 */
#ifndef LU_KEXEC_H
#define LU_KEXEC_H

/*
 * The next kernel, as given on the command line with -k, -i and -c, and
 * with -m the line written to /dev/kmsg right before reboot(2).
 */
struct lu_kexec_args {
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	const char *marker;
};

int lu_kexec_getopt(int opt, const char *arg, struct lu_kexec_args *args);
/* lu_kexec_load() of ARGS; prints what failed.  0 or -errno. */
int lu_kexec_load_args(const struct lu_kexec_args *args);
/* Write the -m marker of ARGS, if any, to the kernel log. */
void lu_kexec_mark(const struct lu_kexec_args *args);

#endif
