/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 */
#ifndef _LINUX_KHO_ABI_KEXEC_METADATA_H
#define _LINUX_KHO_ABI_KEXEC_METADATA_H

#include <linux/build_bug.h>
#include <linux/types.h>
#include <linux/utsname.h>

/**
 * DOC: kexec chain metadata
 *
 * Every kernel with KHO enabled adds the subtree KHO_METADATA_NODE_NAME to
 * its hand-over.  Its blob is one &struct kho_kexec_metadata in memory
 * from kho_alloc_preserve(): the release string of the kernel that wrote
 * it and the number of kexec boots since the last cold boot, the writer's
 * own boot included.  The next kernel prints both ("exec from: RELEASE
 * (count N)") and shows them in debugfs (``kho/in/previous_release`` and
 * ``kho/in/kexec_count``).
 *
 * The blob carries its own version number in its first four bytes, so it
 * can change without a new KHO_FDT_COMPATIBLE.  A reader ignores a blob of
 * another version, or one too small for its version, with a warning; the
 * metadata is informational and never stops a hand-over.
 */

#define KHO_METADATA_NODE_NAME		"kexec-metadata"
#define KHO_KEXEC_METADATA_VERSION	1

/**
 * struct kho_kexec_metadata - what a kernel tells the next about the chain
 * @version: KHO_KEXEC_METADATA_VERSION; always the first field
 * @previous_release: ``uname -r`` of the writer, NUL-terminated
 * @kexec_count: kexec boots since the last cold boot, including the one
 *               into the reader
 */
struct kho_kexec_metadata {
	u32 version;
	char previous_release[__NEW_UTS_LEN + 1];
	u32 kexec_count;
} __packed;

static_assert(sizeof(struct kho_kexec_metadata) == 73);

#endif /* _LINUX_KHO_ABI_KEXEC_METADATA_H */
