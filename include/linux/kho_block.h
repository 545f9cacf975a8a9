/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 *
 * KHO block sets: arrays of records handed to the next kernel in linked
 * one-page blocks (format in <linux/kho/abi/block.h>).
 */
#ifndef _LINUX_KHO_BLOCK_H
#define _LINUX_KHO_BLOCK_H

#include <linux/kho/abi/block.h>
#include <linux/limits.h>
#include <linux/types.h>
#include <linux/xarray.h>

/**
 * struct kho_block_set - an outgoing block set
 * @blocks: block number -> the block, a &struct kho_block_header_ser
 * @nr_blocks: number of blocks, always DIV_ROUND_UP(@nr_records, @capacity)
 * @nr_records: number of records the set holds
 * @record_size: size of one record
 * @capacity: records per block
 *
 * A block set has no lock of its own: its owner's lock protects it.
 */
struct kho_block_set {
	struct xarray blocks;
	unsigned long nr_blocks;
	unsigned long nr_records;
	unsigned int record_size;
	unsigned int capacity;
};

#define KHO_BLOCK_SET_INIT(name, type) {				\
	.blocks = XARRAY_INIT(name.blocks, 0),				\
	.record_size = sizeof(type),					\
	.capacity = KHO_BLOCK_CAPACITY(sizeof(type)),			\
}

/* For kho_block_set_restore(): the owner did not record the total. */
#define KHO_BLOCK_COUNT_UNKNOWN		U64_MAX

/**
 * struct kho_block_fault - why an incoming block set was refused
 * @pa: physical address of the block at fault (of the first block when
 *      records are missing)
 * @why: what is wrong with it
 */
struct kho_block_fault {
	u64 pa;
	const char *why;
};

typedef int (*kho_block_fn)(const void *record, void *arg);

void kho_block_set_init(struct kho_block_set *set, size_t record_size);
int kho_block_set_resize(struct kho_block_set *set, unsigned long nr_records);
void *kho_block_set_record(struct kho_block_set *set, unsigned long idx);
u64 kho_block_set_seal(struct kho_block_set *set);
int kho_block_set_restore(u64 head, size_t record_size, u64 nr_records,
			  kho_block_fn fn, void *arg,
			  struct kho_block_fault *fault);

#endif /* _LINUX_KHO_BLOCK_H */
