// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 */

/**
 * DOC: LUO block chains
 *
 * Sessions, the files of each session and FLBs travel to the next kernel
 * as chains of one-page blocks (see ``include/linux/kho/abi/luo.h``).
 *
 * Outgoing, a chain always has exactly as many blocks as its entries need:
 * luo_chain_resize() is called when an entry is added or removed and
 * allocates (kho_alloc_preserve()) or frees (kho_unpreserve_free()) the
 * last block as needed, keeping the ``next`` links current.  The owner
 * writes entries with luo_chain_entry() and stamps the per-block counts
 * with luo_chain_seal() inside liveupdate_reboot(), which therefore never
 * allocates memory.  A failed resize leaves the chain as it was.
 *
 * Incoming, luo_chain_restore() takes each block back with
 * kho_restore_folio() before reading it, checks its size, compatible
 * string and count, hands every entry to a callback and frees the block.
 * An address that is not a block preserved by the previous kernel cannot
 * be restored, and a block cannot be restored twice, so bad addresses and
 * cycles end the walk.  On an error, blocks already walked are freed and
 * the rest of the chain stays reserved until the next reboot.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/io.h>
#include <linux/kexec_handover.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "luo_internal.h"

/**
 * luo_chain_init - initialize an empty outgoing chain
 * @chain: the chain
 * @compatible: compatible string of its blocks
 * @entry_size: size of one entry
 */
void luo_chain_init(struct luo_chain *chain, const char *compatible,
		    unsigned int entry_size)
{
	xa_init(&chain->blocks);
	chain->nr_blocks = 0;
	chain->nr_entries = 0;
	chain->compatible = compatible;
	chain->entry_size = entry_size;
	chain->capacity = (LUO_BLOCK_SIZE - sizeof(struct luo_block_header_ser)) /
			  entry_size;
}

static struct luo_block_header_ser *luo_chain_block(struct luo_chain *chain,
						    unsigned long nr)
{
	return xa_load(&chain->blocks, nr);
}

static int luo_chain_grow(struct luo_chain *chain)
{
	struct luo_block_header_ser *block, *prev;
	int err;

	block = kho_alloc_preserve(LUO_BLOCK_SIZE);
	if (IS_ERR(block))
		return PTR_ERR(block);
	strscpy(block->compatible, chain->compatible, sizeof(block->compatible));
	err = xa_err(xa_store(&chain->blocks, chain->nr_blocks, block, GFP_KERNEL));
	if (err) {
		kho_unpreserve_free(block);
		return err;
	}
	if (chain->nr_blocks) {
		prev = luo_chain_block(chain, chain->nr_blocks - 1);
		prev->next = virt_to_phys(block);
	}
	chain->nr_blocks++;
	return 0;
}

static void luo_chain_shrink(struct luo_chain *chain)
{
	struct luo_block_header_ser *block;

	chain->nr_blocks--;
	block = xa_erase(&chain->blocks, chain->nr_blocks);
	if (chain->nr_blocks)
		luo_chain_block(chain, chain->nr_blocks - 1)->next = 0;
	kho_unpreserve_free(block);
}

/**
 * luo_chain_resize - make a chain hold a number of entries
 * @chain: the chain
 * @nr_entries: the new number of entries
 *
 * Adds or frees blocks at the end so that the chain has just enough for
 * @nr_entries.  Entries below both the old and the new count keep their
 * contents.  Shrinking cannot fail.
 *
 * Context: may sleep; the owner's lock protects the chain.
 * Return: 0, or -ENOMEM (the chain is unchanged).
 */
int luo_chain_resize(struct luo_chain *chain, unsigned long nr_entries)
{
	unsigned long want = DIV_ROUND_UP(nr_entries, chain->capacity);
	unsigned long old = chain->nr_blocks;
	int err;

	while (chain->nr_blocks < want) {
		err = luo_chain_grow(chain);
		if (err) {
			while (chain->nr_blocks > old)
				luo_chain_shrink(chain);
			return err;
		}
	}
	while (chain->nr_blocks > want)
		luo_chain_shrink(chain);
	chain->nr_entries = nr_entries;
	return 0;
}

/**
 * luo_chain_entry - address of an entry of an outgoing chain
 * @chain: the chain
 * @idx: the entry, below the count given to luo_chain_resize()
 *
 * Return: the entry.
 */
void *luo_chain_entry(struct luo_chain *chain, unsigned long idx)
{
	struct luo_block_header_ser *block;

	block = luo_chain_block(chain, idx / chain->capacity);
	return (void *)(block + 1) + (idx % chain->capacity) * chain->entry_size;
}

/**
 * luo_chain_seal - record the entry counts in the blocks of a chain
 * @chain: the chain, its entries written
 *
 * Context: the owner's lock; called from liveupdate_reboot().
 * Return: physical address of the first block, or 0 if the chain is empty.
 */
u64 luo_chain_seal(struct luo_chain *chain)
{
	unsigned long i, left = chain->nr_entries;
	struct luo_block_header_ser *block;

	for (i = 0; i < chain->nr_blocks; i++) {
		block = luo_chain_block(chain, i);
		block->count = min_t(unsigned long, left, chain->capacity);
		left -= block->count;
	}
	return chain->nr_blocks ? virt_to_phys(luo_chain_block(chain, 0)) : 0;
}

/**
 * luo_string_ok - is a fixed-size string field terminated and non-empty?
 * @s: the field
 * @size: its size
 *
 * Return: true if @s has a NUL within @size bytes and is not empty.
 */
bool luo_string_ok(const char *s, size_t size)
{
	size_t len = strnlen(s, size);

	return len && len < size;
}

static bool luo_block_ok(struct folio *folio, u64 phys, const char *compatible,
			 unsigned int capacity, u64 left)
{
	const struct luo_block_header_ser *block = folio_address(folio);

	if (folio_size(folio) != LUO_BLOCK_SIZE) {
		luo_reject("%s block at %#llx has %zu bytes", compatible, phys,
			   folio_size(folio));
		return false;
	}
	if (!luo_string_ok(block->compatible, sizeof(block->compatible)) ||
	    strcmp(block->compatible, compatible)) {
		luo_reject("block at %#llx is not a %s block", phys, compatible);
		return false;
	}
	if (!block->count || block->count > capacity || block->count > left) {
		luo_reject("%s block at %#llx has %llu entries (capacity %u, %llu expected)",
			   compatible, phys, block->count, capacity, left);
		return false;
	}
	return true;
}

static int luo_block_walk(struct folio *folio, unsigned int entry_size,
			  luo_chain_fn fn, void *arg)
{
	const struct luo_block_header_ser *block = folio_address(folio);
	const void *entry = block + 1;
	u64 i;
	int err;

	for (i = 0; i < block->count; i++, entry += entry_size) {
		err = fn(entry, arg);
		if (err)
			return err;
	}
	return 0;
}

/**
 * luo_chain_restore - take back and walk a chain of the previous kernel
 * @head: physical address of the first block, or 0
 * @nr_entries: number of entries the chain must hold in total
 * @compatible: the compatible string every block must carry
 * @entry_size: size of one entry
 * @fn: called for every entry, in order; a non-zero return stops the walk
 * @arg: passed to @fn
 *
 * Every block is freed after its entries were walked.  Problems with the
 * chain itself are reported with luo_reject().
 *
 * Context: may sleep.
 * Return: 0, -EINVAL for a malformed chain, or the error of @fn.
 */
int luo_chain_restore(u64 head, u64 nr_entries, const char *compatible,
		      unsigned int entry_size, luo_chain_fn fn, void *arg)
{
	unsigned int capacity = (LUO_BLOCK_SIZE - sizeof(struct luo_block_header_ser)) /
				entry_size;
	const struct luo_block_header_ser *block;
	u64 phys = head, left = nr_entries;
	struct folio *folio;
	int err;

	while (phys) {
		folio = kho_restore_folio(phys);
		if (!folio) {
			luo_reject("%s block at %#llx is not preserved memory",
				   compatible, phys);
			return -EINVAL;
		}
		block = folio_address(folio);
		err = -EINVAL;
		if (luo_block_ok(folio, phys, compatible, capacity, left)) {
			err = luo_block_walk(folio, entry_size, fn, arg);
			left -= block->count;
			phys = block->next;
		}
		folio_put(folio);
		if (err)
			return err;
	}
	if (left) {
		luo_reject("%s chain at %#llx lacks %llu of its recorded entries",
			   compatible, head, left);
		return -EINVAL;
	}
	return 0;
}
