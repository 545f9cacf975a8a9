/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 *
 * Hand-over format of hugetlbfs memfds preserved by the Live Update
 * Orchestrator.
 */
#ifndef _LINUX_KHO_ABI_HUGETLB_H
#define _LINUX_KHO_ABI_HUGETLB_H

#include <linux/build_bug.h>
#include <linux/fcntl.h>
#include <linux/types.h>
#include <linux/kho/abi/kexec_handover.h>

/**
 * DOC: hugetlb memfd hand-over format
 *
 * Mainline Linux has no format for hugetlbfs memfds, so both names of
 * this format carry KHO_VENDOR_PREFIX ("lu612,") and can never collide
 * with a name mainline uses now or later.  The format lives in a header
 * of its own so that ``memfd.h`` stays the mainline format it is.
 *
 * A preserved hugetlbfs memfd is one &struct hugetlb_luo_ser, allocated
 * with kho_alloc_preserve(); its physical address is the serialized_data
 * LUO hands to the next kernel for the file, under the handler
 * compatible HUGETLB_LUO_FH_COMPATIBLE.  Its @folios member describes a
 * vmalloc'ed array of @nr_folios &struct hugetlb_luo_folio_ser records,
 * preserved with kho_preserve_vmalloc(), one per huge page present in the
 * file, in increasing @index order.  An index without a record is a
 * hole: holes are not filled and cost nothing.  Every huge page is
 * preserved whole with kho_preserve_folio(), as one block of order
 * @order (9 for 2 MiB and 18 for 1 GiB pages with 4 KiB base pages).
 *
 * Pool counts: the next kernel builds its boot-time huge page pool before
 * LUO runs.  So that it can count preserved pages toward that pool, one
 * &struct hugetlb_luo_pool_ser, a KHO subtree named
 * HUGETLB_LUO_POOL_NODE_NAME, counts the preserved huge pages of every
 * file by order and NUMA node.  It is kept up to date at PRESERVE_FD and
 * when a file is unpreserved; the reboot does not touch it.
 *
 * Versioning contract: HUGETLB_LUO_FH_COMPATIBLE names the layout of the
 * file records and HUGETLB_LUO_POOL_NODE_NAME that of the pool counts.
 * Any change to a layout or to the meaning of a field, including giving
 * meaning to a field or bit that must be zero today, requires a new name
 * ("lu612,hugetlb-v2", ...).  Reserved fields are written as zero, and a
 * record with a non-zero reserved field is refused.
 */

/* Compatible string of the hugetlb file handler and its file records. */
#define HUGETLB_LUO_FH_COMPATIBLE	KHO_VENDOR_PREFIX "hugetlb-v1"

/* Name of the KHO subtree with the pool counts. */
#define HUGETLB_LUO_POOL_NODE_NAME	KHO_VENDOR_PREFIX "hugetlb-pool-v1"

/* The seals "lu612,hugetlb-v1" carries. */
#define HUGETLB_LUO_ALL_SEALS		(F_SEAL_SEAL | F_SEAL_SHRINK | \
					 F_SEAL_GROW | F_SEAL_WRITE | \
					 F_SEAL_FUTURE_WRITE | F_SEAL_EXEC)

/**
 * struct hugetlb_luo_folio_ser - one preserved huge page of a file
 * @pfn: page frame number of the huge page's first page, aligned to
 *       ``1 << order``; never 0
 * @index: offset of the huge page in the file, in huge pages
 */
struct hugetlb_luo_folio_ser {
	u64 pfn;
	u64 index;
} __packed;

static_assert(sizeof(struct hugetlb_luo_folio_ser) == 16);

/**
 * struct hugetlb_luo_ser - a preserved hugetlbfs memfd
 * @pos: file position (f_pos) as of the kexec
 * @size: file size (i_size) in bytes, a multiple of the huge page size
 * @seals: F_SEAL_* seals of the file, within HUGETLB_LUO_ALL_SEALS
 * @order: order of the file's huge pages, in base pages
 * @flags: reserved, zero
 * @nr_folios: number of records in @folios
 * @folios: the preserved vmalloc'ed array of records; empty when
 *          @nr_folios is 0
 */
struct hugetlb_luo_ser {
	u64 pos;
	u64 size;
	u32 seals;
	u32 order;
	u64 flags;
	u64 nr_folios;
	struct kho_vmalloc folios;
} __packed;

static_assert(sizeof(struct hugetlb_luo_ser) == 56);

/**
 * struct hugetlb_luo_pool_entry - preserved huge pages of one size on one node
 * @order: order of the huge pages, in base pages
 * @nid: NUMA node of the huge pages
 * @count: number of preserved huge pages of @order on @nid; may be 0
 */
struct hugetlb_luo_pool_entry {
	u32 order;
	u32 nid;
	u64 count;
} __packed;

static_assert(sizeof(struct hugetlb_luo_pool_entry) == 16);

/* Entries that fit in the one page of a &struct hugetlb_luo_pool_ser. */
#define HUGETLB_LUO_POOL_ENTRIES	((PAGE_SIZE - 8) / \
					 sizeof(struct hugetlb_luo_pool_entry))

/**
 * struct hugetlb_luo_pool_ser - preserved huge pages by size and node
 * @nr_entries: number of valid entries, at most HUGETLB_LUO_POOL_ENTRIES
 * @flags: reserved, zero
 * @entries: one entry per (order, node) pair, each pair at most once
 *
 * The subtree's blob size is exactly ``sizeof(struct hugetlb_luo_pool_ser)``.
 */
struct hugetlb_luo_pool_ser {
	u32 nr_entries;
	u32 flags;
	struct hugetlb_luo_pool_entry entries[HUGETLB_LUO_POOL_ENTRIES];
} __packed;

static_assert(sizeof(struct hugetlb_luo_pool_ser) <= PAGE_SIZE);

#endif /* _LINUX_KHO_ABI_HUGETLB_H */
