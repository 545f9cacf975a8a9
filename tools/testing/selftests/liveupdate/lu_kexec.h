/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Load a kernel with kexec_file_load(2) and reboot into it.  Shared by the
 * lu_kexec tool and by test programs that must call reboot() themselves
 * (a live update agent holds its session fds across the reboot).
 */
#ifndef LU_KEXEC_H
#define LU_KEXEC_H

/* The next kernel, as given on the command line with -k, -i and -c. */
struct lu_kexec_args {
	const char *kernel;
	const char *initrd;
	const char *cmdline;
};

int lu_kexec_getopt(int opt, const char *arg, struct lu_kexec_args *args);
int lu_kexec_load(const char *kernel, const char *initrd, const char *cmdline);
int lu_kexec_reboot(void);

#endif
