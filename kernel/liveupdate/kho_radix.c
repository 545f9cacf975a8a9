// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 */

/**
 * DOC: KHO preserved-memory tracker
 *
 * KHO records every preserved block of ``1 << order`` pages as one key in
 * a radix tree made of whole pages (see the hand-over format).  Table
 * pages hold physical addresses, so the next kernel walks the tree in
 * place: preserving memory is the only work, and nothing is serialized
 * at reboot however much memory is preserved.
 *
 * Insertions allocate missing table and leaf pages with GFP_KERNEL.  These
 * pages are unmovable, so they are never in a scratch area, where the next
 * kernel allocates before it has read the tree.  Pages of the tree are
 * never freed while the kernel runs; deleting a key only clears its bit.
 * The tree counts the pages it allocated (``nr_pages`` of
 * &struct kho_radix_tree), so that the metadata cost of preserving memory
 * can be measured.
 *
 * The walker trusts nothing it reads: every page address is checked for
 * alignment and handed to the caller's @node callback before it is read,
 * which lets the next kernel validate and reserve tracker pages, and every
 * key is decoded and checked before the @block callback sees it.  The
 * depth is fixed, so a walk always ends.
 */

#define pr_fmt(fmt) "KHO: " fmt

#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>

#include "kexec_handover_internal.h"

/**
 * kho_radix_encode_key - key of a preserved block
 * @phys: physical address of the block, aligned to its size
 * @order: order of the block
 *
 * Return: the key, see the hand-over format.
 */
u64 kho_radix_encode_key(phys_addr_t phys, unsigned int order)
{
	return BIT_ULL(KHO_ORDER_0_LOG2 - order) | (phys >> (PAGE_SHIFT + order));
}

/**
 * kho_radix_decode_key - physical address and order of a key
 * @key: the key
 * @phys: where to store the physical address
 * @order: where to store the order
 *
 * Return: 0, or -EINVAL if @key does not describe a block.
 */
int kho_radix_decode_key(u64 key, phys_addr_t *phys, unsigned int *order)
{
	unsigned int msb;

	if (!key)
		return -EINVAL;
	msb = fls64(key) - 1;
	if (msb > KHO_ORDER_0_LOG2 || KHO_ORDER_0_LOG2 - msb > KHO_RADIX_MAX_ORDER)
		return -EINVAL;
	*order = KHO_ORDER_0_LOG2 - msb;
	*phys = (key & ~BIT_ULL(msb)) << (PAGE_SHIFT + *order);
	return 0;
}

/* Index of @key in a page of @level: 0 is a leaf, higher levels are tables. */
static unsigned int kho_radix_index(u64 key, unsigned int level)
{
	if (!level)
		return key & (BIT_ULL(KHO_BITMAP_SIZE_LOG2) - 1);
	key >>= KHO_BITMAP_SIZE_LOG2 + (level - 1) * KHO_TABLE_SIZE_LOG2;
	return key & (BIT_ULL(KHO_TABLE_SIZE_LOG2) - 1);
}

/*
 * Find the leaf of @key, creating missing pages when @create is set.
 * Returns the leaf, NULL if it does not exist, or an ERR_PTR().
 */
static struct kho_radix_leaf *kho_radix_leaf(struct kho_radix_tree *tree,
					     u64 key, bool create)
{
	struct kho_radix_node *node = tree->root;
	unsigned int level, idx;
	void *page;

	lockdep_assert_held(&tree->lock);
	for (level = KHO_TREE_TABLE_LEVELS; level > 0; level--) {
		idx = kho_radix_index(key, level);
		if (!node->table[idx]) {
			if (!create)
				return NULL;
			page = (void *)get_zeroed_page(GFP_KERNEL);
			if (!page)
				return ERR_PTR(-ENOMEM);
			node->table[idx] = virt_to_phys(page);
			tree->nr_pages++;
		}
		node = phys_to_virt(node->table[idx]);
	}
	return (struct kho_radix_leaf *)node;
}

/**
 * kho_radix_add_page - record a preserved block
 * @tree: the tracker
 * @pfn: first pfn of the block, aligned to its size
 * @order: order of the block
 *
 * Context: may sleep; takes @tree->lock.
 * Return: 0, -EINVAL for a misaligned block, -EEXIST if the block is
 * already recorded, or -ENOMEM.
 */
int kho_radix_add_page(struct kho_radix_tree *tree, unsigned long pfn,
		       unsigned int order)
{
	u64 key = kho_radix_encode_key(PFN_PHYS(pfn), order);
	struct kho_radix_leaf *leaf;

	if (order > KHO_RADIX_MAX_ORDER || !IS_ALIGNED(pfn, 1UL << order))
		return -EINVAL;

	guard(mutex)(&tree->lock);
	leaf = kho_radix_leaf(tree, key, true);
	if (IS_ERR(leaf))
		return PTR_ERR(leaf);
	if (__test_and_set_bit(kho_radix_index(key, 0), leaf->bitmap))
		return -EEXIST;
	return 0;
}

/* Test, and with @clear also clear, the bit of a block. */
static bool kho_radix_find(struct kho_radix_tree *tree, unsigned long pfn,
			   unsigned int order, bool clear)
{
	u64 key = kho_radix_encode_key(PFN_PHYS(pfn), order);
	struct kho_radix_leaf *leaf;
	unsigned int bit;

	if (order > KHO_RADIX_MAX_ORDER)
		return false;

	guard(mutex)(&tree->lock);
	leaf = kho_radix_leaf(tree, key, false);
	if (!leaf)
		return false;
	bit = kho_radix_index(key, 0);
	return clear ? __test_and_clear_bit(bit, leaf->bitmap) : test_bit(bit, leaf->bitmap);
}

/**
 * kho_radix_del_page - forget a preserved block
 * @tree: the tracker
 * @pfn: first pfn of the block
 * @order: order of the block, as it was added
 *
 * Context: may sleep; takes @tree->lock.
 * Return: 0, or -ENOENT if the block was not recorded.
 */
int kho_radix_del_page(struct kho_radix_tree *tree, unsigned long pfn,
		       unsigned int order)
{
	return kho_radix_find(tree, pfn, order, true) ? 0 : -ENOENT;
}

/**
 * kho_radix_test_page - is a block recorded?
 * @tree: the tracker
 * @pfn: first pfn of the block
 * @order: order of the block
 *
 * Context: may sleep; takes @tree->lock.
 * Return: true if the block of exactly this order is recorded.
 */
bool kho_radix_test_page(struct kho_radix_tree *tree, unsigned long pfn,
			 unsigned int order)
{
	return kho_radix_find(tree, pfn, order, false);
}

static int kho_radix_walk_leaf(const struct kho_radix_leaf *leaf, u64 prefix,
			       const struct kho_radix_walk_ops *ops, void *arg)
{
	unsigned int order;
	phys_addr_t phys;
	unsigned long bit;
	int err;

	for_each_set_bit(bit, leaf->bitmap, BIT(KHO_BITMAP_SIZE_LOG2)) {
		err = kho_radix_decode_key((prefix << KHO_BITMAP_SIZE_LOG2) | bit,
					   &phys, &order);
		if (err)
			return err;
		err = ops->block(phys, order, arg);
		if (err)
			return err;
	}
	return 0;
}

static int kho_radix_walk_level(phys_addr_t phys, unsigned int level, u64 prefix,
				const struct kho_radix_walk_ops *ops, void *arg)
{
	const struct kho_radix_node *node;
	unsigned int i;
	int err;

	if (!phys || !PAGE_ALIGNED(phys))
		return -EINVAL;
	if (ops->node) {
		err = ops->node(phys, level, arg);
		if (err)
			return err;
	}
	if (!level) {
		err = kho_radix_walk_leaf(phys_to_virt(phys), prefix, ops, arg);
		goto done;
	}

	node = phys_to_virt(phys);
	for (i = 0; i < ARRAY_SIZE(node->table); i++) {
		if (!node->table[i])
			continue;
		err = kho_radix_walk_level(node->table[i], level - 1,
					   (prefix << KHO_TABLE_SIZE_LOG2) | i,
					   ops, arg);
		if (err)
			return err;
	}
	err = 0;
done:
	if (!err && ops->node_done)
		ops->node_done(phys, level, arg);
	return err;
}

/**
 * kho_radix_walk - visit every page and every block of a tracker
 * @root: physical address of the root table page
 * @ops: callbacks, see &struct kho_radix_walk_ops
 * @arg: passed to the callbacks
 *
 * Walks in increasing key order, which for one order is increasing address.
 * Serializing against changes of an outgoing tree is up to the caller.
 *
 * Return: 0, -EINVAL for a malformed tree, or what a callback returned.
 */
int kho_radix_walk(phys_addr_t root, const struct kho_radix_walk_ops *ops,
		   void *arg)
{
	return kho_radix_walk_level(root, KHO_TREE_TABLE_LEVELS, 0, ops, arg);
}
