/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 */
#ifndef _LINUX_KHO_ABI_LUO_H
#define _LINUX_KHO_ABI_LUO_H

#include <linux/build_bug.h>
#include <linux/types.h>
#include <asm/page.h>
#include <uapi/linux/liveupdate.h>

/**
 * DOC: Live Update Orchestrator hand-over format
 *
 * LUO hands its state to the next kernel as one KHO subtree named
 * LUO_KHO_ENTRY_NAME.  The subtree is not a device tree but a raw, packed
 * &struct luo_ser in one page preserved with kho_alloc_preserve().  It
 * points to three chains of blocks::
 *
 *   struct luo_ser  "luo-v1"
 *     .sessions --> [block "luo-session-v1"] --> [block] --> ... --> 0
 *                      luo_session_ser[]
 *                        .files --> [block "luo-file-v1"] --> ... --> 0
 *                                      luo_file_ser[]
 *     .flbs     --> [block "luo-flb-v1"] --> ... --> 0
 *                      luo_flb_ser[]
 *
 * A block is one page (LUO_BLOCK_SIZE) preserved with
 * kho_alloc_preserve().  It starts with a &struct luo_block_header_ser
 * that names the kind of entries it holds, the physical address of the
 * next block of the chain (0 ends the chain) and the number of entries in
 * use, followed by that many entries.  Every block of a chain holds at
 * least one entry; a chain of no entries has no blocks and its head is 0.
 * So the number of sessions, of files per session and of FLBs is bounded
 * by memory only.  The blocks exist before the kexec starts: sessions and
 * files allocate them when they are created and preserved, and the kexec
 * only writes records into them.
 *
 * All integers are in the CPU's byte order; physical addresses are u64.
 * Strings are NUL-padded to their field size and must contain a NUL.
 *
 * Validation: the next kernel restores every block with
 * kho_restore_folio(), so any address that is not a block preserved by the
 * previous kernel, and any cycle, is detected.  It checks every compatible
 * string, that each block's count is between 1 and the block's capacity,
 * that the counts add up to the totals recorded one level up, and that
 * names and compatible strings are terminated and non-empty.  Anything
 * else makes it reject the whole hand-over.
 *
 * Versioning contract: a kernel accepts the hand-over only if every
 * compatible string equals its own.  Any change to a structure in this
 * file, to the meaning of a field or to the block layout must change the
 * compatible string of the structure concerned (LUO_ABI_COMPATIBLE for
 * &struct luo_ser and the chain layout).  The page size is part of the
 * format.  The data of a file or FLB is versioned separately, by the
 * compatible string of its handler or FLB.
 */

/* Name of the KHO subtree. */
#define LUO_KHO_ENTRY_NAME		"LUO"

/* Length of the compatible strings of this file, including the NUL. */
#define LUO_COMPAT_LENGTH		16

#define LUO_ABI_COMPATIBLE		"luo-v1"
#define LUO_SESSION_BLOCK_COMPATIBLE	"luo-session-v1"
#define LUO_FILE_BLOCK_COMPATIBLE	"luo-file-v1"
#define LUO_FLB_BLOCK_COMPATIBLE	"luo-flb-v1"

/* Size of every block of a chain. */
#define LUO_BLOCK_SIZE			PAGE_SIZE

/**
 * struct luo_ser - root of the hand-over (LUO_ABI_COMPATIBLE)
 * @compatible: LUO_ABI_COMPATIBLE
 * @liveupdate_num: number of live updates so far: the previous kernel's
 *                  number plus one, or 1 after a cold boot
 * @sessions: physical address of the first session block, or 0
 * @nr_sessions: number of &struct luo_session_ser in the session chain
 * @flbs: physical address of the first FLB block, or 0
 * @nr_flbs: number of &struct luo_flb_ser in the FLB chain
 */
struct luo_ser {
	char compatible[LUO_COMPAT_LENGTH];
	u64 liveupdate_num;
	u64 sessions;
	u64 nr_sessions;
	u64 flbs;
	u64 nr_flbs;
} __packed;

/**
 * struct luo_block_header_ser - header of a block (LUO_ABI_COMPATIBLE)
 * @compatible: kind of the entries that follow the header:
 *              LUO_SESSION_BLOCK_COMPATIBLE, LUO_FILE_BLOCK_COMPATIBLE or
 *              LUO_FLB_BLOCK_COMPATIBLE
 * @next: physical address of the next block of the chain, or 0
 * @count: number of entries in use, at least 1
 */
struct luo_block_header_ser {
	char compatible[LUO_COMPAT_LENGTH];
	u64 next;
	u64 count;
} __packed;

/**
 * struct luo_session_ser - a session (LUO_SESSION_BLOCK_COMPATIBLE)
 * @name: the session name, NUL-terminated, not empty, unique
 * @files: physical address of the first file block, or 0
 * @nr_files: number of &struct luo_file_ser in the file chain
 */
struct luo_session_ser {
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	u64 files;
	u64 nr_files;
} __packed;

/**
 * struct luo_file_ser - a preserved file (LUO_FILE_BLOCK_COMPATIBLE)
 * @compatible: compatible string of the file's handler
 * @data: the handler's serialized_data
 * @token: the token userspace gave the file, unique in its session
 */
struct luo_file_ser {
	char compatible[48];
	u64 data;
	u64 token;
} __packed;

/**
 * struct luo_flb_ser - a preserved FLB (LUO_FLB_BLOCK_COMPATIBLE)
 * @compatible: compatible string of the FLB, unique
 * @data: the FLB's data
 * @count: number of preserved files that depended on the FLB, at least 1
 */
struct luo_flb_ser {
	char compatible[48];
	u64 data;
	u64 count;
} __packed;

static_assert(sizeof(struct luo_ser) == 56);
static_assert(sizeof(struct luo_block_header_ser) == 32);
static_assert(sizeof(struct luo_session_ser) == 80);
static_assert(sizeof(struct luo_file_ser) == 64);
static_assert(sizeof(struct luo_flb_ser) == 64);

/* Entries of @type that fit in one block after the header. */
#define LUO_BLOCK_CAPACITY(type)					\
	((LUO_BLOCK_SIZE - sizeof(struct luo_block_header_ser)) / sizeof(type))

#endif /* _LINUX_KHO_ABI_LUO_H */
