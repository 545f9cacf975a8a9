// SPDX-License-Identifier: GPL-2.0
/*
 * lu_kexec -k KERNEL [-i INITRD] [-c CMDLINE] [-e]
 *
 * Load KERNEL with kexec_file_load(2); with -e also reboot(2) into it.
 * Exit status 0 on success, 1 on a failure (printed on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lu_kexec.h"

int main(int argc, char **argv)
{
	const char *kernel = NULL, *initrd = NULL, *cmdline = "";
	int opt, exec = 0;

	while ((opt = getopt(argc, argv, "k:i:c:e")) != -1) {
		switch (opt) {
		case 'k': kernel = optarg; break;
		case 'i': initrd = optarg; break;
		case 'c': cmdline = optarg; break;
		case 'e': exec = 1; break;
		default: kernel = NULL; optind = argc; break;
		}
	}
	if (!kernel) {
		fprintf(stderr, "usage: lu_kexec -k KERNEL [-i INITRD] [-c CMDLINE] [-e]\n");
		return 2;
	}
	if (lu_kexec_load(kernel, initrd, cmdline))
		return 1;
	if (exec && lu_kexec_reboot())
		return 1;
	return 0;
}
