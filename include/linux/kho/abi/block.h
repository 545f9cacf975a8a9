/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 */
#ifndef _LINUX_KHO_ABI_BLOCK_H
#define _LINUX_KHO_ABI_BLOCK_H

#include <linux/build_bug.h>
#include <linux/types.h>
#include <asm/page.h>

/**
 * DOC: KHO block sets
 *
 * A block set hands an array of fixed-size records of one kind to the next
 * kernel without needing one contiguous allocation: the records are spread
 * over blocks of KHO_BLOCK_SIZE bytes that form a singly linked list.  Each
 * block is a page the previous kernel preserved with kho_alloc_preserve()
 * and starts with a &struct kho_block_header_ser, followed by ``count``
 * records packed one after the other::
 *
 *   head --> +--------------------+    +--------------------+
 *            | next --------------+--> | next = 0           |
 *            | count = 3          |    | count = 1          |
 *            | record 0           |    | record 3           |
 *            | record 1           |    +--------------------+
 *            | record 2           |
 *            +--------------------+
 *
 * The owner of the set records the physical address of the first block
 * (0 for a set without records) in its own structure, together with
 * whatever it needs to know the size of a record.  Every block holds at
 * least one record and at most as many as fit after the header.  A writer
 * fills every block but the last; a reader accepts partly filled blocks
 * anywhere.
 *
 * Block sets are part of the KHO format: a change to this file requires a
 * new KHO_FDT_COMPATIBLE.
 */

/* Size of a block, header included. */
#define KHO_BLOCK_SIZE		PAGE_SIZE

/**
 * struct kho_block_header_ser - header at the start of every block
 * @next: physical address of the next block of the set, or 0 for the last
 * @count: number of records that follow the header, at least 1
 */
struct kho_block_header_ser {
	u64 next;
	u64 count;
} __packed;

static_assert(sizeof(struct kho_block_header_ser) == 16);

/* Records of @size bytes that fit in one block. */
#define KHO_BLOCK_CAPACITY(size)					\
	((KHO_BLOCK_SIZE - sizeof(struct kho_block_header_ser)) / (size))

#endif /* _LINUX_KHO_ABI_BLOCK_H */
