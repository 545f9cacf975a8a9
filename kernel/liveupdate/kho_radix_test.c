// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 */

/**
 * DOC: KUnit tests of the KHO preserved-memory tracker
 *
 * Every case gets a private &struct kho_radix_tree with its own root page,
 * so the tracker of the running kernel is never touched, and every page of
 * that tree is freed after the case by a post-order walk (the
 * &kho_radix_walk_ops.node_done callback).  Keys are pure arithmetic, so
 * the cases use physical addresses anywhere below 2^52 whether or not the
 * machine has memory there: nothing but the tree pages is ever accessed.
 *
 * The cases cover the key encoding, add/test/del and their error codes,
 * leaf and table boundaries, a large run of pages walked in key order, a
 * walk stopped by a callback, and a walk of a corrupted tree.
 */

#include <kunit/test.h>
#include <linux/bitops.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sizes.h>

#include "kexec_handover_internal.h"

/* Keys describe blocks that end below 2^52 bytes (KHO_RADIX_MAX_ORDER). */
#define KHO_TEST_PHYS_LIMIT	BIT_ULL(52)
#define KHO_TEST_LEAF_BITS	BIT_ULL(KHO_BITMAP_SIZE_LOG2)
#define KHO_TEST_GIB_ORDER	(30 - PAGE_SHIFT)
#define KHO_TEST_MAX_NODES	64

struct kho_test_blk {
	unsigned long pfn;
	unsigned int order;
};

/**
 * struct kho_walk_log - what a walk reported to the logging callbacks
 * @want: returns true if a visited block is expected; NULL accepts all
 * @blks: expected blocks, for kho_walk_want_blks()
 * @nr_blks: number of entries in @blks
 * @stop_at: stop the walk at this block (1-based) by returning @stop_ret
 * @stop_ret: value returned by the block callback at @stop_at
 * @leaf_ret: value returned by the node callback for the first leaf
 * @nr_blocks: blocks visited
 * @last_key: key of the last block visited
 * @bad_order: blocks visited out of increasing key order
 * @unexpected: blocks visited that @want rejected
 * @nr_nodes: node callbacks
 * @nr_leaves: node callbacks for leaves
 * @nr_done: node_done callbacks
 * @dup_nodes: pages seen more than once by the node callback
 * @nodes: pages seen by the node callback, KHO_TEST_MAX_NODES entries
 */
struct kho_walk_log {
	bool (*want)(struct kho_walk_log *log, phys_addr_t phys,
		     unsigned int order);
	const struct kho_test_blk *blks;
	unsigned int nr_blks;
	unsigned long stop_at;
	int stop_ret;
	int leaf_ret;
	unsigned long nr_blocks;
	u64 last_key;
	unsigned long bad_order;
	unsigned long unexpected;
	unsigned int nr_nodes;
	unsigned int nr_leaves;
	unsigned int nr_done;
	unsigned int dup_nodes;
	phys_addr_t *nodes;
};

static int kho_log_block(phys_addr_t phys, unsigned int order, void *arg)
{
	struct kho_walk_log *log = arg;
	u64 key = kho_radix_encode_key(phys, order);

	if (log->nr_blocks && key <= log->last_key)
		log->bad_order++;
	if (log->want && !log->want(log, phys, order))
		log->unexpected++;
	log->last_key = key;
	log->nr_blocks++;
	if (log->nr_blocks == log->stop_at)
		return log->stop_ret;
	return 0;
}

static int kho_log_node(phys_addr_t phys, unsigned int level, void *arg)
{
	struct kho_walk_log *log = arg;
	unsigned int i, n = min(log->nr_nodes, KHO_TEST_MAX_NODES);

	for (i = 0; i < n; i++)
		if (log->nodes[i] == phys)
			log->dup_nodes++;
	if (n < KHO_TEST_MAX_NODES)
		log->nodes[n] = phys;
	log->nr_nodes++;
	if (level)
		return 0;
	log->nr_leaves++;
	return log->nr_leaves == 1 ? log->leaf_ret : 0;
}

static void kho_log_node_done(phys_addr_t phys, unsigned int level, void *arg)
{
	struct kho_walk_log *log = arg;

	log->nr_done++;
}

static const struct kho_radix_walk_ops kho_log_ops = {
	.node = kho_log_node,
	.block = kho_log_block,
	.node_done = kho_log_node_done,
};

static bool kho_walk_want_blks(struct kho_walk_log *log, phys_addr_t phys,
			       unsigned int order)
{
	unsigned int i;

	for (i = 0; i < log->nr_blks; i++)
		if (PFN_PHYS(log->blks[i].pfn) == phys &&
		    log->blks[i].order == order)
			return true;
	return false;
}

static phys_addr_t kho_test_root(struct kunit *test)
{
	struct kho_radix_tree *tree = test->priv;

	return virt_to_phys(tree->root);
}

/* Walk the case's tree into @log; check what holds for every full walk. */
static int kho_test_walk(struct kunit *test, struct kho_walk_log *log)
{
	int err;

	log->nodes = kunit_kcalloc(test, KHO_TEST_MAX_NODES, sizeof(*log->nodes),
				   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, log->nodes);
	err = kho_radix_walk(kho_test_root(test), &kho_log_ops, log);
	KUNIT_EXPECT_EQ(test, log->bad_order, 0);
	KUNIT_EXPECT_EQ(test, log->unexpected, 0);
	KUNIT_EXPECT_EQ(test, log->dup_nodes, 0);
	KUNIT_EXPECT_LE(test, log->nr_nodes, KHO_TEST_MAX_NODES);
	if (!err)
		KUNIT_EXPECT_EQ(test, log->nr_done, log->nr_nodes);
	return err;
}

static void kho_test_add_all(struct kunit *test, const struct kho_test_blk *b,
			     unsigned int n)
{
	struct kho_radix_tree *tree = test->priv;
	unsigned int i;

	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, kho_radix_add_page(tree, b[i].pfn, b[i].order),
				    0, "pfn %#lx order %u", b[i].pfn, b[i].order);
}

static void kho_radix_key_round_trip(struct kunit *test)
{
	unsigned int order, got_order, i;
	phys_addr_t got;
	u64 key;

	for (order = 0; order <= KHO_RADIX_MAX_ORDER; order++) {
		u64 size = (u64)PAGE_SIZE << order;
		u64 addrs[] = { 0, size, ALIGN_DOWN(0x123456789abcdULL, size),
				KHO_TEST_PHYS_LIMIT - size };

		for (i = 0; i < ARRAY_SIZE(addrs); i++) {
			if (addrs[i] >= KHO_TEST_PHYS_LIMIT)
				continue;
			key = kho_radix_encode_key(addrs[i], order);
			KUNIT_EXPECT_EQ(test, fls64(key) - 1,
					KHO_ORDER_0_LOG2 - order);
			KUNIT_ASSERT_EQ(test, kho_radix_decode_key(key, &got, &got_order), 0);
			KUNIT_EXPECT_EQ(test, got, addrs[i]);
			KUNIT_EXPECT_EQ(test, got_order, order);
		}
	}
}

static void kho_radix_key_invalid(struct kunit *test)
{
	const u64 bad[] = {
		0,					/* no order bit */
		1,					/* order 52 */
		BIT_ULL(KHO_ORDER_0_LOG2 - KHO_RADIX_MAX_ORDER - 1), /* order too big */
		BIT_ULL(KHO_ORDER_0_LOG2 + 1),		/* order below 0 */
		BIT_ULL(63),
		U64_MAX,
	};
	unsigned int order, i;
	phys_addr_t phys;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, kho_radix_decode_key(bad[i], &phys, &order),
				    -EINVAL, "key %#llx", bad[i]);

	/* The smallest valid key: one block of the largest order at 0. */
	KUNIT_EXPECT_EQ(test, kho_radix_decode_key(BIT_ULL(KHO_ORDER_0_LOG2 -
							   KHO_RADIX_MAX_ORDER),
						   &phys, &order), 0);
	KUNIT_EXPECT_EQ(test, phys, 0);
	KUNIT_EXPECT_EQ(test, order, KHO_RADIX_MAX_ORDER);
}

static const struct kho_test_blk kho_mixed[] = {
	{ 0, 0 }, { 1, 0 }, { 2, 1 }, { 4, 2 }, { 512, 9 },
	{ 0, 9 }, { 0, KHO_TEST_GIB_ORDER }, { 0, KHO_RADIX_MAX_ORDER },
	{ BIT(KHO_RADIX_MAX_ORDER) - 1, 0 },	/* the highest pfn */
};

static void kho_radix_add_test_del(struct kunit *test)
{
	struct kho_walk_log log = {
		.want = kho_walk_want_blks,
		.blks = kho_mixed,
		.nr_blks = ARRAY_SIZE(kho_mixed),
	};
	struct kho_radix_tree *tree = test->priv;
	const struct kho_test_blk *b;
	unsigned int i;

	kho_test_add_all(test, kho_mixed, ARRAY_SIZE(kho_mixed));
	for (i = 0; i < ARRAY_SIZE(kho_mixed); i++) {
		b = &kho_mixed[i];
		KUNIT_EXPECT_TRUE(test, kho_radix_test_page(tree, b->pfn, b->order));
	}
	/* Same pfn, other order, or a neighbour: not recorded. */
	KUNIT_EXPECT_FALSE(test, kho_radix_test_page(tree, 2, 0));
	KUNIT_EXPECT_FALSE(test, kho_radix_test_page(tree, 3, 0));
	KUNIT_EXPECT_FALSE(test, kho_radix_test_page(tree, 0, 1));

	KUNIT_EXPECT_EQ(test, kho_test_walk(test, &log), 0);
	KUNIT_EXPECT_EQ(test, log.nr_blocks, ARRAY_SIZE(kho_mixed));

	for (i = 0; i < ARRAY_SIZE(kho_mixed); i++) {
		b = &kho_mixed[i];
		KUNIT_EXPECT_EQ(test, kho_radix_del_page(tree, b->pfn, b->order), 0);
		KUNIT_EXPECT_FALSE(test, kho_radix_test_page(tree, b->pfn, b->order));
	}
}

static void kho_radix_errors(struct kunit *test)
{
	struct kho_radix_tree *tree = test->priv;

	KUNIT_EXPECT_EQ(test, kho_radix_add_page(tree, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, kho_radix_add_page(tree, 0, 0), -EEXIST);

	KUNIT_EXPECT_EQ(test, kho_radix_del_page(tree, 1, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, kho_radix_del_page(tree, 0, 1), -ENOENT);
	KUNIT_EXPECT_EQ(test, kho_radix_del_page(tree, BIT(20), 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, kho_radix_del_page(tree, 0, KHO_RADIX_MAX_ORDER + 1),
			-ENOENT);
	KUNIT_EXPECT_FALSE(test, kho_radix_test_page(tree, 0, KHO_RADIX_MAX_ORDER + 1));

	KUNIT_EXPECT_EQ(test, kho_radix_add_page(tree, 1, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, kho_radix_add_page(tree, 768, 9), -EINVAL);
	KUNIT_EXPECT_EQ(test, kho_radix_add_page(tree, 0, KHO_RADIX_MAX_ORDER + 1),
			-EINVAL);

	KUNIT_EXPECT_EQ(test, kho_radix_del_page(tree, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, kho_radix_del_page(tree, 0, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, kho_radix_add_page(tree, 0, 0), 0);
}

/* Page count of the tree: the root and one page per level for one key. */
static unsigned int kho_test_nr_pages(struct kunit *test)
{
	struct kho_walk_log log = {};

	KUNIT_EXPECT_EQ(test, kho_test_walk(test, &log), 0);
	return log.nr_nodes;
}

static void kho_radix_boundaries(struct kunit *test)
{
	const unsigned long last = KHO_TEST_LEAF_BITS - 1;
	const unsigned long next_l1 = BIT(KHO_BITMAP_SIZE_LOG2 + KHO_TABLE_SIZE_LOG2);
	const struct kho_test_blk blks[] = {
		{ 0, 0 }, { last, 0 }, { last + 1, 0 }, { next_l1, 0 },
	};
	struct kho_walk_log log = {
		.want = kho_walk_want_blks, .blks = blks, .nr_blks = ARRAY_SIZE(blks),
	};
	struct kho_radix_tree *tree = test->priv;

	KUNIT_EXPECT_EQ(test, kho_test_nr_pages(test), 1);

	/* First and last bit of one leaf. */
	kho_test_add_all(test, blks, 2);
	KUNIT_EXPECT_EQ(test, kho_test_nr_pages(test), KHO_TREE_MAX_DEPTH);
	KUNIT_EXPECT_FALSE(test, kho_radix_test_page(tree, last - 1, 0));

	/* The next pfn is bit 0 of the next leaf under the same table. */
	kho_test_add_all(test, &blks[2], 1);
	KUNIT_EXPECT_EQ(test, kho_test_nr_pages(test), KHO_TREE_MAX_DEPTH + 1);
	KUNIT_EXPECT_FALSE(test, kho_radix_test_page(tree, last + 2, 0));

	/* Another level-1 table and its leaf. */
	kho_test_add_all(test, &blks[3], 1);
	KUNIT_EXPECT_EQ(test, kho_test_nr_pages(test), KHO_TREE_MAX_DEPTH + 3);

	KUNIT_EXPECT_EQ(test, kho_test_walk(test, &log), 0);
	KUNIT_EXPECT_EQ(test, log.nr_blocks, ARRAY_SIZE(blks));
}

#define KHO_TEST_RUN_BASE	(32 * KHO_TEST_LEAF_BITS)
#define KHO_TEST_RUN_PAGES	(8 * KHO_TEST_LEAF_BITS)

static bool kho_walk_want_run(struct kho_walk_log *log, phys_addr_t phys,
			      unsigned int order)
{
	/* Key order: the GiB block first, then the pages by address. */
	if (!log->nr_blocks)
		return order == KHO_TEST_GIB_ORDER && phys == SZ_1G;
	return !order && phys == PFN_PHYS(KHO_TEST_RUN_BASE + log->nr_blocks - 1);
}

static void kho_radix_large_walk(struct kunit *test)
{
	struct kho_walk_log log = { .want = kho_walk_want_run };
	struct kho_radix_tree *tree = test->priv;
	unsigned long pfn;
	int err = 0;

	/* 2^18 pages with 4 KiB pages: eight full leaves under one table. */
	for (pfn = KHO_TEST_RUN_BASE; pfn < KHO_TEST_RUN_BASE + KHO_TEST_RUN_PAGES; pfn++) {
		err = kho_radix_add_page(tree, pfn, 0);
		if (err)
			break;
	}
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "pfn %#lx", pfn);
	KUNIT_ASSERT_EQ(test, kho_radix_add_page(tree, PHYS_PFN(SZ_1G),
						 KHO_TEST_GIB_ORDER), 0);

	KUNIT_EXPECT_EQ(test, kho_test_walk(test, &log), 0);
	KUNIT_EXPECT_EQ(test, log.nr_blocks, KHO_TEST_RUN_PAGES + 1);
	KUNIT_EXPECT_EQ(test, log.nr_leaves, 9);
	/*
	 * The two keys differ in the root index: the root, then one table
	 * per remaining level on each path, and the nine leaves.
	 */
	KUNIT_EXPECT_EQ(test, log.nr_nodes, 1 + 2 * (KHO_TREE_TABLE_LEVELS - 1) + 9);
}

static void kho_radix_walk_stop(struct kunit *test)
{
	static const struct kho_test_blk blks[] = { { 0, 0 }, { 1, 0 }, { 2, 0 } };
	struct kho_walk_log by_block = { .stop_at = 2, .stop_ret = -ECANCELED };
	struct kho_walk_log by_node = { .leaf_ret = 7 };

	kho_test_add_all(test, blks, ARRAY_SIZE(blks));

	KUNIT_EXPECT_EQ(test, kho_test_walk(test, &by_block), -ECANCELED);
	KUNIT_EXPECT_EQ(test, by_block.nr_blocks, 2);

	KUNIT_EXPECT_EQ(test, kho_test_walk(test, &by_node), 7);
	KUNIT_EXPECT_EQ(test, by_node.nr_blocks, 0);
	KUNIT_EXPECT_EQ(test, by_node.nr_done, 0);
}

/* The level-1 table entry that points at the first leaf. */
static u64 *kho_test_first_leaf_slot(struct kunit *test)
{
	struct kho_radix_tree *tree = test->priv;
	struct kho_radix_node *node = tree->root;
	unsigned int level, i;

	for (level = KHO_TREE_TABLE_LEVELS; level > 0; level--) {
		for (i = 0; i < ARRAY_SIZE(node->table) && !node->table[i]; i++)
			;
		if (i == ARRAY_SIZE(node->table))
			return NULL;
		if (level == 1)
			return &node->table[i];
		node = phys_to_virt(node->table[i]);
	}
	return NULL;
}

static void kho_radix_walk_corrupt(struct kunit *test)
{
	struct kho_radix_tree *tree = test->priv;
	struct kho_walk_log bad = {}, good = {};
	u64 *slot, saved;

	KUNIT_ASSERT_EQ(test, kho_radix_add_page(tree, 0, 0), 0);
	slot = kho_test_first_leaf_slot(test);
	KUNIT_ASSERT_NOT_NULL(test, slot);

	/* Restore the entry before checking, so the tree can be freed. */
	saved = *slot;
	*slot = saved + 8;
	KUNIT_EXPECT_EQ(test, kho_test_walk(test, &bad), -EINVAL);
	*slot = saved;
	KUNIT_EXPECT_EQ(test, bad.nr_blocks, 0);
	KUNIT_EXPECT_EQ(test, bad.nr_leaves, 0);

	KUNIT_EXPECT_EQ(test, kho_test_walk(test, &good), 0);
	KUNIT_EXPECT_EQ(test, good.nr_blocks, 1);
}

static int kho_radix_test_init(struct kunit *test)
{
	struct kho_radix_tree *tree;

	tree = kunit_kzalloc(test, sizeof(*tree), GFP_KERNEL);
	if (!tree)
		return -ENOMEM;
	tree->root = (struct kho_radix_node *)get_zeroed_page(GFP_KERNEL);
	if (!tree->root)
		return -ENOMEM;
	mutex_init(&tree->lock);
	test->priv = tree;
	return 0;
}

static int kho_free_block(phys_addr_t phys, unsigned int order, void *arg)
{
	return 0;
}

static void kho_free_node(phys_addr_t phys, unsigned int level, void *arg)
{
	free_page((unsigned long)phys_to_virt(phys));
}

static const struct kho_radix_walk_ops kho_free_ops = {
	.block = kho_free_block,
	.node_done = kho_free_node,
};

static void kho_radix_test_exit(struct kunit *test)
{
	struct kho_radix_tree *tree = test->priv;

	if (!tree || !tree->root)
		return;
	/* Post-order: a page is freed only after everything below it. */
	KUNIT_EXPECT_EQ(test, kho_radix_walk(virt_to_phys(tree->root),
					     &kho_free_ops, NULL), 0);
	mutex_destroy(&tree->lock);
}

static struct kunit_case kho_radix_cases[] = {
	KUNIT_CASE(kho_radix_key_round_trip),
	KUNIT_CASE(kho_radix_key_invalid),
	KUNIT_CASE(kho_radix_add_test_del),
	KUNIT_CASE(kho_radix_errors),
	KUNIT_CASE(kho_radix_boundaries),
	/* The slowest case: 2^18 insertions, each under the tree mutex. */
	KUNIT_CASE_SLOW(kho_radix_large_walk),
	KUNIT_CASE(kho_radix_walk_stop),
	KUNIT_CASE(kho_radix_walk_corrupt),
	{}
};

static struct kunit_suite kho_radix_suite = {
	.name = "kho_radix",
	.init = kho_radix_test_init,
	.exit = kho_radix_test_exit,
	.test_cases = kho_radix_cases,
};

kunit_test_suite(kho_radix_suite);

MODULE_DESCRIPTION("KUnit tests for the KHO preserved-memory tracker");
MODULE_LICENSE("GPL");
