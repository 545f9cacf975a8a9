// SPDX-License-Identifier: GPL-2.0
/*
 * lu_kexec -k KERNEL [-i INITRD] [-c CMDLINE] [-m MARK] [-e]
 *
 * Load KERNEL with kexec_file_load(2); with -e also reboot(2) into it.
 * With -m, MARK is written to /dev/kmsg as the last thing before reboot(2),
 * so that the console shows when userspace handed over to the kernel.
 * Exit status 0 on success, 1 on a failure (printed on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "liblu.h"
#include "lu_kexec.h"

int main(int argc, char **argv)
{
	struct lu_kexec_args next = { .cmdline = "" };
	int opt, exec = 0, bad = 0;

	while ((opt = getopt(argc, argv, "k:i:c:m:e")) != -1) {
		if (lu_kexec_getopt(opt, optarg, &next))
			continue;
		if (opt == 'e')
			exec = 1;
		else
			bad = 1;
	}
	if (bad || !next.kernel) {
		fprintf(stderr,
			"usage: lu_kexec -k KERNEL [-i INITRD] [-c CMDLINE] [-m MARK] [-e]\n");
		return 2;
	}
	if (lu_kexec_load_args(&next))
		return 1;
	if (!exec)
		return 0;
	lu_kexec_mark(&next);
	fprintf(stderr, "lu_kexec: reboot(LINUX_REBOOT_CMD_KEXEC): %s\n",
		lu_strerror(LU_REBOOT, lu_reboot_kexec()));
	return 1;
}
