// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 */

/**
 * DOC: KHO block sets
 *
 * A KHO user that hands over an array of records whose length changes at
 * run time (LUO's sessions and the files of each session) keeps it in a
 * block set (format in ``include/linux/kho/abi/block.h``).
 *
 * Outgoing, a set always has exactly as many blocks as its records need:
 * the owner calls kho_block_set_resize() whenever a record is added or
 * removed, which allocates (kho_alloc_preserve()) or frees
 * (kho_unpreserve_free()) the last block and keeps the ``next`` links
 * current.  The owner writes records with kho_block_set_record() and
 * stamps the per-block counts with kho_block_set_seal() when it hands the
 * set over, for LUO inside liveupdate_reboot(), which therefore never
 * allocates.  A failed resize leaves the set as it was.
 *
 * Incoming, kho_block_set_restore() takes every block back with
 * kho_restore_folio() before it reads it, checks its size and count,
 * passes each record to a callback and frees the block.  An address that
 * is not a block preserved by the previous kernel cannot be restored, and
 * a block cannot be restored twice, so bad addresses and cycles end the
 * walk with an error.  On an error, blocks already walked are freed and
 * the rest of the set stays reserved until the next reboot.
 */

#define pr_fmt(fmt) "KHO: " fmt

#include <linux/err.h>
#include <linux/io.h>
#include <linux/kexec_handover.h>
#include <linux/kho_block.h>
#include <linux/minmax.h>
#include <linux/mm.h>

/**
 * kho_block_set_init - initialize an empty outgoing block set
 * @set: the set
 * @record_size: size of one record, at most what fits in a block
 */
void kho_block_set_init(struct kho_block_set *set, size_t record_size)
{
	xa_init(&set->blocks);
	set->nr_blocks = 0;
	set->nr_records = 0;
	set->record_size = record_size;
	set->capacity = KHO_BLOCK_CAPACITY(record_size);
}

static struct kho_block_header_ser *kho_block_get(struct kho_block_set *set,
						  unsigned long nr)
{
	return xa_load(&set->blocks, nr);
}

static int kho_block_set_grow(struct kho_block_set *set)
{
	struct kho_block_header_ser *block;
	int err;

	block = kho_alloc_preserve(KHO_BLOCK_SIZE);
	if (IS_ERR(block))
		return PTR_ERR(block);
	err = xa_err(xa_store(&set->blocks, set->nr_blocks, block, GFP_KERNEL));
	if (err) {
		kho_unpreserve_free(block);
		return err;
	}
	if (set->nr_blocks)
		kho_block_get(set, set->nr_blocks - 1)->next = virt_to_phys(block);
	set->nr_blocks++;
	return 0;
}

static void kho_block_set_shrink(struct kho_block_set *set)
{
	struct kho_block_header_ser *block;

	set->nr_blocks--;
	block = xa_erase(&set->blocks, set->nr_blocks);
	if (set->nr_blocks)
		kho_block_get(set, set->nr_blocks - 1)->next = 0;
	kho_unpreserve_free(block);
}

/**
 * kho_block_set_resize - make an outgoing set hold a number of records
 * @set: the set
 * @nr_records: the new number of records
 *
 * Adds or frees blocks at the end so that the set has just enough for
 * @nr_records.  Records below both the old and the new count keep their
 * contents.  Shrinking cannot fail; kho_block_set_resize(set, 0) frees
 * every block.
 *
 * Context: may sleep; the owner's lock protects the set.
 * Return: 0, or -ENOMEM (the set is unchanged).
 */
int kho_block_set_resize(struct kho_block_set *set, unsigned long nr_records)
{
	unsigned long want = DIV_ROUND_UP(nr_records, set->capacity);
	unsigned long old = set->nr_blocks;
	int err;

	while (set->nr_blocks < want) {
		err = kho_block_set_grow(set);
		if (err) {
			while (set->nr_blocks > old)
				kho_block_set_shrink(set);
			return err;
		}
	}
	while (set->nr_blocks > want)
		kho_block_set_shrink(set);
	set->nr_records = nr_records;
	return 0;
}

/**
 * kho_block_set_record - address of a record of an outgoing set
 * @set: the set
 * @idx: the record, below the count given to kho_block_set_resize()
 *
 * Return: the record.
 */
void *kho_block_set_record(struct kho_block_set *set, unsigned long idx)
{
	struct kho_block_header_ser *block;

	block = kho_block_get(set, idx / set->capacity);
	return (void *)(block + 1) + (idx % set->capacity) * set->record_size;
}

/**
 * kho_block_set_seal - record the counts in the blocks of an outgoing set
 * @set: the set, its records written
 *
 * Context: the owner's lock; does not allocate.
 * Return: physical address of the first block, or 0 if the set is empty.
 */
u64 kho_block_set_seal(struct kho_block_set *set)
{
	unsigned long i, left = set->nr_records;
	struct kho_block_header_ser *block;

	for (i = 0; i < set->nr_blocks; i++) {
		block = kho_block_get(set, i);
		block->count = min_t(unsigned long, left, set->capacity);
		left -= block->count;
	}
	return set->nr_blocks ? virt_to_phys(kho_block_get(set, 0)) : 0;
}

static int kho_block_fail(struct kho_block_fault *fault, u64 pa, const char *why)
{
	fault->pa = pa;
	fault->why = why;
	return -EINVAL;
}

/*
 * Check a restored block and pass its records to @fn.  A loop through a
 * block walked before would find that block freed and fail anyway; a link
 * back to this block or the first one is named as what it is.
 */
static int kho_block_walk(struct folio *folio, u64 pa, u64 head,
			  size_t record_size, u64 left, kho_block_fn fn,
			  void *arg, struct kho_block_fault *fault)
{
	const struct kho_block_header_ser *block = folio_address(folio);
	const void *record = block + 1;
	u64 i;
	int err;

	if (folio_size(folio) != KHO_BLOCK_SIZE)
		return kho_block_fail(fault, pa, "is not one page");
	if (block->next == pa || block->next == head)
		return kho_block_fail(fault, pa, "links back into its set");
	if (!block->count || block->count > KHO_BLOCK_CAPACITY(record_size))
		return kho_block_fail(fault, pa, "has a record count out of range");
	if (block->count > left)
		return kho_block_fail(fault, pa, "holds more records than recorded");
	for (i = 0; i < block->count; i++, record += record_size) {
		err = fn(record, arg);
		if (err)
			return err;
	}
	return 0;
}

/**
 * kho_block_set_restore - take back and walk a block set of the previous kernel
 * @head: physical address of the first block, or 0 for an empty set
 * @record_size: size of one record
 * @nr_records: number of records the set must hold, or
 *              KHO_BLOCK_COUNT_UNKNOWN
 * @fn: called for every record, in order; a non-zero return stops the walk.
 *      The record is only valid during the call.
 * @arg: passed to @fn
 * @fault: set when the set itself is malformed
 *
 * Every block is freed once its records were walked.
 *
 * Context: after KHO restored the preserved memory map; may sleep.
 * Return: 0, -EINVAL for a malformed set (with @fault set), or the error
 * of @fn.
 */
int kho_block_set_restore(u64 head, size_t record_size, u64 nr_records,
			  kho_block_fn fn, void *arg,
			  struct kho_block_fault *fault)
{
	const struct kho_block_header_ser *block;
	u64 pa = head, left = nr_records;
	struct folio *folio;
	int err;

	while (pa) {
		folio = kho_restore_folio(pa);
		if (!folio)
			return kho_block_fail(fault, pa, "is not preserved memory");
		block = folio_address(folio);
		err = kho_block_walk(folio, pa, head, record_size, left, fn, arg,
				     fault);
		if (!err) {
			left -= block->count;
			pa = block->next;
		}
		folio_put(folio);
		if (err)
			return err;
	}
	if (nr_records != KHO_BLOCK_COUNT_UNKNOWN && left)
		return kho_block_fail(fault, head, "lacks records");
	return 0;
}
