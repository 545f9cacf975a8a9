/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LINUX_KEXEC_HANDOVER_INTERNAL_H
#define LINUX_KEXEC_HANDOVER_INTERNAL_H

#include <linux/kexec_handover.h>
#include <linux/kho/abi/kexec_handover.h>
#include <linux/kho/abi/kexec_metadata.h>
#include <linux/mutex.h>
#include <linux/types.h>

/**
 * struct kho_radix_tree - the preserved-memory tracker of this kernel
 * @root: the root table page, allocated at kho_init()
 * @lock: serializes insertions and deletions; walks of the outgoing tree
 *        take it too.  Nothing else is protected by it, except @nr_pages.
 * @nr_pages: table and leaf pages the tree allocated below @root, i.e. the
 *        metadata cost of what was preserved; only ever grows
 */
struct kho_radix_tree {
	struct kho_radix_node *root;
	struct mutex lock;	/* see above */
	unsigned long nr_pages;
};

/**
 * struct kho_radix_walk_ops - callbacks of kho_radix_walk()
 * @node: called with the physical address of every table and leaf page
 *        before it is read; @level is KHO_TREE_TABLE_LEVELS for the root
 *        and 0 for leaves.  May be NULL.
 * @block: called for every preserved block.
 * @node_done: called with the physical address of every table and leaf page
 *        once the walk is done with it and everything below it.  May be
 *        NULL.
 *
 * A callback returning non-zero stops the walk; kho_radix_walk() returns
 * that value.
 */
struct kho_radix_walk_ops {
	int (*node)(phys_addr_t phys, unsigned int level, void *arg);
	int (*block)(phys_addr_t phys, unsigned int order, void *arg);
	void (*node_done)(phys_addr_t phys, unsigned int level, void *arg);
};

/* Largest order a key can describe: blocks end below 2^52 bytes. */
#define KHO_RADIX_MAX_ORDER	(52 - PAGE_SHIFT)

u64 kho_radix_encode_key(phys_addr_t phys, unsigned int order);
int kho_radix_decode_key(u64 key, phys_addr_t *phys, unsigned int *order);
int kho_radix_add_page(struct kho_radix_tree *tree, unsigned long pfn,
		       unsigned int order);
int kho_radix_del_page(struct kho_radix_tree *tree, unsigned long pfn,
		       unsigned int order);
bool kho_radix_test_page(struct kho_radix_tree *tree, unsigned long pfn,
			 unsigned int order);
int kho_radix_walk(phys_addr_t root, const struct kho_radix_walk_ops *ops,
		   void *arg);

/* kho_blackout.c: the lu612,blackout subtree, in and out. */
int kho_blackout_init(void);
bool kho_in_copy_subtree(const char *name, void *buf, size_t len,
			 const char *(*check)(const void *blob, size_t size));

/* The scratch areas of this boot: allocated on a cold boot, inherited on a KHO boot. */
extern struct kho_scratch *kho_scratch;
extern unsigned int kho_scratch_cnt;

/* The outgoing root FDT page, or NULL while KHO is not initialized. */
void *kho_out_fdt(void);
/* The incoming root FDT, or NULL if this is not a KHO boot. */
const void *kho_in_fdt(void);
/* Serializes edits of the outgoing root FDT. */
extern struct mutex kho_out_fdt_lock;
/* Pages preserved for the next kernel, and found in the incoming hand-over. */
unsigned long kho_out_preserved_pages(void);
unsigned long kho_in_preserved_pages(void);
/* The previous kernel's kexec-metadata, or NULL if it sent none. */
const struct kho_kexec_metadata *kho_in_metadata(void);
/* Pages the outgoing tracker allocated, the metadata of what is preserved. */
unsigned long kho_out_tracker_pages(void);

/**
 * struct kho_in_account - what became of the pages handed over to this boot
 * @preserved: pages of the blocks found in the tracker at boot
 * @claimed: pages of the blocks a restore function took back
 * @unclaimed: pages of the blocks still reserved and claimable
 * @bad: pages of claimable blocks that are not reserved any more
 */
struct kho_in_account {
	unsigned long preserved;
	unsigned long claimed;
	unsigned long unclaimed;
	unsigned long bad;
};

void kho_in_account(struct kho_in_account *acct);

#ifdef CONFIG_KEXEC_HANDOVER_DEBUGFS
int kho_debugfs_init(void);
int kho_out_debugfs_init(void *fdt);
void kho_in_debugfs_init(const void *fdt);
int kho_debugfs_blob_add(const char *name, const void *blob, size_t size);
void kho_debugfs_blob_remove(const void *blob);
#else
static inline int kho_debugfs_init(void) { return 0; }
static inline int kho_out_debugfs_init(void *fdt) { return 0; }
static inline void kho_in_debugfs_init(const void *fdt) { }
static inline int kho_debugfs_blob_add(const char *name, const void *blob,
				       size_t size)
{
	return 0;
}

static inline void kho_debugfs_blob_remove(const void *blob) { }
#endif

#endif /* LINUX_KEXEC_HANDOVER_INTERNAL_H */
