/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 */
#ifndef _LINUX_KHO_ABI_BLACKOUT_H
#define _LINUX_KHO_ABI_BLACKOUT_H

#include <linux/build_bug.h>
#include <linux/types.h>
#include <linux/kho/abi/kexec_handover.h>

/**
 * DOC: blackout time stamps
 *
 * A kernel with KHO enabled adds the subtree KHO_BLACKOUT_NODE_NAME to its
 * hand-over, a format of this backport (mainline Linux defines none, hence
 * the vendor prefix).  Its blob is one &struct kho_blackout_ser in memory
 * from kho_alloc_preserve(), zeroed at boot.  On the way into the next
 * kernel the writer stores the CPU's cycle counter (on x86 the time stamp
 * counter, TSC) at three points: when reboot(2) enters the live update
 * hand-over, when the sessions are frozen and right before the jump into
 * the next kernel.  None of this allocates or depends on the amount of
 * preserved memory.
 *
 * The counter runs on across a kexec, so the next kernel puts these
 * stamps and its own on one timeline, with no clock to convert: the
 * difference of two stamps divided by the counter frequency is the time
 * between them.  A stamp of 0 was not reached.  A reader ignores a blob
 * whose compatible string it does not know, or that is too small for
 * @nr_stamps; the stamps are informational and never stop a hand-over.
 */

#define KHO_BLACKOUT_NODE_NAME		KHO_VENDOR_PREFIX "blackout"
#define KHO_BLACKOUT_COMPATIBLE		KHO_VENDOR_PREFIX "blackout-v1"
#define KHO_BLACKOUT_COMPAT_LEN		32

/* Indices of &struct kho_blackout_ser.stamps. */
#define KHO_BLACKOUT_REBOOT		0	/* reboot(2): hand-over starts */
#define KHO_BLACKOUT_FROZEN		1	/* sessions frozen */
#define KHO_BLACKOUT_JUMP		2	/* right before machine_kexec() */
#define KHO_BLACKOUT_NR_OUT		3

/**
 * struct kho_blackout_ser - the outgoing kernel's blackout stamps
 * @compatible: KHO_BLACKOUT_COMPATIBLE, NUL-padded
 * @nr_stamps: number of entries of @stamps, KHO_BLACKOUT_NR_OUT
 * @counter_khz: frequency of the counter in kHz as the writer knew it at
 *               reboot, 0 if unknown
 * @stamps: counter values, indexed by KHO_BLACKOUT_REBOOT and the other
 *          KHO_BLACKOUT_* indices; 0 if not reached
 */
struct kho_blackout_ser {
	char compatible[KHO_BLACKOUT_COMPAT_LEN];
	u32 nr_stamps;
	u32 counter_khz;
	u64 stamps[KHO_BLACKOUT_NR_OUT];
} __packed;

static_assert(sizeof(struct kho_blackout_ser) == 64);

#endif /* _LINUX_KHO_ABI_BLACKOUT_H */
