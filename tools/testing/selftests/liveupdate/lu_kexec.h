/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Load a kernel with kexec_file_load(2) and reboot into it.  Shared by the
 * lu_kexec tool and by test programs that must call reboot() themselves
 * (a live update agent holds its session fds across the reboot).
 */
#ifndef LU_KEXEC_H
#define LU_KEXEC_H

int lu_kexec_load(const char *kernel, const char *initrd, const char *cmdline);
int lu_kexec_reboot(void);

#endif
