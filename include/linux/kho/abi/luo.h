/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 */
#ifndef _LINUX_KHO_ABI_LUO_H
#define _LINUX_KHO_ABI_LUO_H

#include <linux/align.h>
#include <linux/build_bug.h>
#include <linux/types.h>
#include <linux/kho/abi/block.h>
#include <uapi/linux/liveupdate.h>

/**
 * DOC: Live Update Orchestrator hand-over format
 *
 * LUO hands its state to the next kernel as one KHO subtree named
 * LUO_KHO_ENTRY_NAME.  The subtree is not a device tree but a raw, packed
 * &struct luo_ser in memory from kho_alloc_preserve(); the subtree's
 * ``blob-size`` is the size of that structure.  It points to the sessions
 * and to the FLBs::
 *
 *   struct luo_ser  "luo-v5"
 *     .sessions_pa --> KHO block set of struct luo_session_ser
 *                        .file_set_ser.files --> KHO block set of
 *                                                struct luo_file_ser
 *     .flbs_pa     --> struct luo_flb_header_ser, then
 *                      struct luo_flb_ser[count]
 *
 * The sessions and the files of each session are KHO block sets (see
 * ``block.h``): linked one-page blocks of records.  A set without records
 * has no blocks and its address is 0.  The session set has no count of its
 * own, its blocks say how many sessions there are; a file set's count is
 * in &struct luo_file_set_ser.  The FLB records share one contiguous
 * region of ``pgcnt`` pages from kho_alloc_preserve(), starting with a
 * &struct luo_flb_header_ser; its address is never 0.
 *
 * The blocks and the FLB region exist before the kexec starts: sessions
 * and files get their block slots when they are created and preserved, the
 * FLB region at boot, and liveupdate_reboot() only writes records.
 *
 * All integers are in the CPU's byte order; physical addresses are u64.
 * Strings are NUL-padded to their field size and contain a NUL.
 *
 * This is the format of mainline Linux 7.2.  The previous release of this
 * backport wrote "luo-v1" (a different layout with chains of its own);
 * such a hand-over is refused by name.  Any change to a structure of this
 * file or to the meaning of a field must change LUO_ABI_COMPATIBLE.  The
 * data of a file or an FLB is versioned separately, by the compatible
 * string of its handler or FLB.
 */

/* Name of the KHO subtree. */
#define LUO_KHO_ENTRY_NAME		"LUO"

#define LUO_ABI_COMPATIBLE		"luo-v5"
/* Size of &struct luo_ser's compatible field. */
#define LUO_ABI_COMPAT_LEN		ALIGN(sizeof(LUO_ABI_COMPATIBLE), 8)

/* Sizes of the compatible fields of file and FLB records, with the NUL. */
#define LIVEUPDATE_HNDL_COMPAT_LENGTH	48
#define LIVEUPDATE_FLB_COMPAT_LENGTH	48

/**
 * struct luo_ser - root of the hand-over
 * @compatible: LUO_ABI_COMPATIBLE
 * @liveupdate_num: number of live updates so far: the previous kernel's
 *                  number plus one, or 1 after a cold boot
 * @sessions_pa: physical address of the first block of the session set,
 *               or 0 if no session is handed over
 * @flbs_pa: physical address of the FLB region
 */
struct luo_ser {
	char compatible[LUO_ABI_COMPAT_LEN];
	u64 liveupdate_num;
	u64 sessions_pa;
	u64 flbs_pa;
} __packed;

/**
 * struct luo_file_ser - a preserved file
 * @compatible: compatible string of the file's handler
 * @data: the handler's serialized_data
 * @token: the token userspace gave the file, unique in its session
 */
struct luo_file_ser {
	char compatible[LIVEUPDATE_HNDL_COMPAT_LENGTH];
	u64 data;
	u64 token;
} __packed;

/**
 * struct luo_file_set_ser - the files of a session
 * @files: physical address of the first block of the file set, or 0
 * @count: number of &struct luo_file_ser in the set
 */
struct luo_file_set_ser {
	u64 files;
	u64 count;
} __packed;

/**
 * struct luo_session_ser - a session
 * @name: the session name, not empty, unique among the sessions
 * @file_set_ser: its files
 */
struct luo_session_ser {
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	struct luo_file_set_ser file_set_ser;
} __packed;

/**
 * struct luo_flb_header_ser - start of the FLB region
 * @pgcnt: pages of the region, this header included; at least 1
 * @count: number of &struct luo_flb_ser that follow the header
 */
struct luo_flb_header_ser {
	u64 pgcnt;
	u64 count;
} __packed;

/**
 * struct luo_flb_ser - a preserved FLB
 * @name: compatible string of the FLB, unique
 * @data: the FLB's data
 * @count: number of preserved files that depended on the FLB, at least 1
 */
struct luo_flb_ser {
	char name[LIVEUPDATE_FLB_COMPAT_LENGTH];
	u64 data;
	u64 count;
} __packed;

static_assert(sizeof(struct luo_ser) == 32);
static_assert(sizeof(struct luo_file_ser) == 64);
static_assert(sizeof(struct luo_session_ser) == 80);
static_assert(sizeof(struct luo_flb_header_ser) == 16);
static_assert(sizeof(struct luo_flb_ser) == 64);

/* Pages of the FLB region this kernel writes. */
#define LUO_FLB_PGCNT			1
/* FLB records a region of @pgcnt pages holds. */
#define LUO_FLB_CAPACITY(pgcnt)						\
	(((pgcnt) * PAGE_SIZE - sizeof(struct luo_flb_header_ser)) /	\
	 sizeof(struct luo_flb_ser))

/*
 * The FLBs of mainline's in-kernel LUO test (CONFIG_LIVEUPDATE_TEST), which
 * this kernel's test links to every file handler too: FLB i hands over no
 * memory, its data is LIVEUPDATE_TEST_FLB_MAGIC + i.
 */
#define LIVEUPDATE_TEST_FLB_COMPATIBLE(i)	"liveupdate-test-flb-v" #i
#define LIVEUPDATE_TEST_FLB_MAGIC		0xfeedf00dcafebee0ULL

#endif /* _LINUX_KHO_ABI_LUO_H */
