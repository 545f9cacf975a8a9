// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 */

/**
 * DOC: Kexec HandOver overview
 *
 * Kexec HandOver (KHO) lets the running kernel leave memory in place for
 * the kernel it kexecs into.  Subsystems preserve folios, page ranges or
 * vmalloc areas and describe them in blobs they add as subtrees of one
 * root FDT.  The next kernel finds the root FDT through the boot protocol,
 * keeps every preserved page out of its allocator and gives the blobs back
 * to their owners by name.
 *
 * There is no finalize step and no abort.  The root FDT page and the
 * preserved-memory tracker exist from kho_init() on and always describe the
 * current state, so a kexec image may be loaded at any time and a reboot
 * costs KHO nothing, however much memory is preserved.
 *
 * Scratch memory: until the next kernel has read the tracker, it must not
 * allocate anything outside the scratch areas, physically contiguous
 * ranges that never hold preserved memory.  A cold boot reserves them
 * (``kho_scratch=``) and, once the buddy allocator runs, lends them out for
 * movable allocations only (CMA pageblocks), which preservation never uses.
 * kexec places every segment of the next kernel inside them, and the array
 * of areas is handed over so that the next kernel boots from the same
 * areas and can hand them on again.
 *
 * Validation: the next kernel checks the compatible string, the sizes and
 * the addresses of everything it is handed.  A hand-over it cannot trust
 * is ignored with one error message and KHO is off for that boot.  Memory
 * the next kernel can still identify as preserved stays reserved; nothing
 * panics.
 */

#define pr_fmt(fmt) "KHO: " fmt

#include <linux/cma.h>
#include <linux/io.h>
#include <linux/kexec.h>
#include <linux/kexec_handover.h>
#include <linux/kho/abi/kexec_metadata.h>
#include <linux/kmemleak.h>
#include <linux/libfdt.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/page-isolation.h>
#include <linux/sched/clock.h>
#include <linux/unaligned.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>

#include "../../mm/internal.h"
#include "../kexec_internal.h"
#include "kexec_handover_internal.h"

/* Stamped into page->private of each preserved block's head at boot. */
#define KHO_PAGE_MAGIC		0x4b484f50U	/* "KHOP" */
/* At most two global areas plus one per NUMA node. */
#define KHO_MAX_SCRATCH		(2 + MAX_NUMNODES)
/* Largest blob a subtree may describe. */
#define KHO_MAX_BLOB_SIZE	SZ_1G

static bool kho_enable __ro_after_init = IS_ENABLED(CONFIG_KEXEC_HANDOVER_ENABLE_DEFAULT);

struct kho_scratch *kho_scratch;
unsigned int kho_scratch_cnt;

/* Outgoing state: the tracker and the root FDT page. */
static struct kho_radix_tree kho_tree = {
	.lock = __MUTEX_INITIALIZER(kho_tree.lock),
};

static void *kho_fdt;

/* Serializes edits of the outgoing root FDT (kho_fdt) and its debugfs view. */
DEFINE_MUTEX(kho_out_fdt_lock);

/* Pages currently preserved, for debugfs. */
static atomic_long_t kho_out_pages;

/**
 * struct kho_in_state - what this kernel was handed
 * @fdt_phys: the incoming root FDT, 0 if none was accepted
 * @scratch_phys: the incoming array of scratch areas
 * @failed: the hand-over was accepted for memory tracking but turned out
 *          to be unusable; KHO is off for this boot
 * @rejected: a hand-over was found but not accepted; KHO is off for this
 *            boot
 * @pages: number of preserved pages found in the tracker
 * @blocks: number of preserved blocks found in the tracker
 */
struct kho_in_state {
	phys_addr_t fdt_phys;
	phys_addr_t scratch_phys;
	bool failed;
	bool rejected;
	unsigned long pages;
	unsigned long blocks;
};

static struct kho_in_state kho_in __ro_after_init;

/* Pages of preserved blocks taken back by a restore function so far. */
static atomic_long_t kho_in_claimed;

/* The previous kernel's kexec-metadata; version 0 if there was none. */
static struct kho_kexec_metadata kho_in_meta __ro_after_init;

/* Scratch memory reserved at boot, released as CMA pageblocks in kho_init(). */
static struct kho_scratch *kho_release __initdata;
static unsigned int kho_release_cnt __initdata;
static unsigned int kho_release_cap __initdata;
static bool kho_release_leaktracked __initdata;

/**
 * kho_is_enabled - is kexec handover enabled?
 *
 * Context: Final after kho_init() (fs_initcall).
 * Return: true if this kernel can hand memory over to the next one.
 */
bool kho_is_enabled(void)
{
	return kho_enable;
}
EXPORT_SYMBOL_GPL(kho_is_enabled);

/**
 * is_kho_boot - did this kernel receive a usable hand-over?
 *
 * Return: true if a previous kernel handed memory over and the hand-over
 * passed validation, independent of kho=.
 */
bool is_kho_boot(void)
{
	return kho_in.fdt_phys && !kho_in.failed;
}
EXPORT_SYMBOL_GPL(is_kho_boot);

void *kho_out_fdt(void)
{
	return kho_fdt;
}

const void *kho_in_fdt(void)
{
	return is_kho_boot() ? phys_to_virt(kho_in.fdt_phys) : NULL;
}

unsigned long kho_out_preserved_pages(void)
{
	return atomic_long_read(&kho_out_pages);
}

unsigned long kho_in_preserved_pages(void)
{
	return kho_in.pages;
}

const struct kho_kexec_metadata *kho_in_metadata(void)
{
	return kho_in_meta.version ? &kho_in_meta : NULL;
}

/**
 * kho_out_tracker_pages - pages of the outgoing preserved-memory tracker
 *
 * Counts the table and leaf pages the tracker allocated below its root
 * page to record preserved blocks, i.e. the metadata KHO hands over for
 * them.  Tracker pages are never freed while the kernel runs, so the
 * difference of two readings is what the preservations in between cost.
 *
 * Context: may sleep; takes the tracker lock.
 * Return: the number of pages.
 */
unsigned long kho_out_tracker_pages(void)
{
	guard(mutex)(&kho_tree.lock);
	return kho_tree.nr_pages;
}

static int __init kho_parse_enable(char *p)
{
	if (!p || kstrtobool(p, &kho_enable)) {
		pr_err("kho=%s: expected on or off\n", p ? p : "");
		return -EINVAL;
	}
	return 0;
}
early_param("kho", kho_parse_enable);

/* ------------------------------------------------------------------------
 * Preserving memory
 */

/* Preserved memory must never lie in a scratch area. */
static int kho_check_range(phys_addr_t phys, phys_addr_t size)
{
	unsigned int i;

	if (!IS_ENABLED(CONFIG_KEXEC_HANDOVER_DEBUG))
		return 0;
	for (i = 0; i < kho_scratch_cnt; i++) {
		if (phys < kho_scratch[i].addr + kho_scratch[i].size &&
		    kho_scratch[i].addr < phys + size) {
			pr_err("cannot preserve %pa+%pa: it overlaps scratch area %u\n",
			       &phys, &size, i);
			return -EINVAL;
		}
	}
	return 0;
}

static int kho_add_block(unsigned long pfn, unsigned int order)
{
	int err;

	if (!kho_tree.root)
		return -EINVAL;
	err = kho_radix_add_page(&kho_tree, pfn, order);
	if (!err)
		atomic_long_add(1UL << order, &kho_out_pages);
	return err;
}

static void kho_del_block(unsigned long pfn, unsigned int order)
{
	if (WARN_ON_ONCE(!kho_tree.root || kho_radix_del_page(&kho_tree, pfn, order)))
		return;
	atomic_long_sub(1UL << order, &kho_out_pages);
}

/**
 * kho_preserve_folio - preserve a folio across kexec
 * @folio: the folio
 *
 * Records the folio and its order; the next kernel gets it back with
 * kho_restore_folio().  No reference is taken: the caller keeps the folio
 * allocated and in place until kexec or kho_unpreserve_folio().
 *
 * Context: may sleep.
 * Return: 0, -EINVAL if KHO is not initialized or the folio lies in a
 * scratch area, -EEXIST if it is already preserved, or -ENOMEM.
 */
int kho_preserve_folio(struct folio *folio)
{
	int err = kho_check_range(folio_pfn(folio) << PAGE_SHIFT, folio_size(folio));

	return err ?: kho_add_block(folio_pfn(folio), folio_order(folio));
}
EXPORT_SYMBOL_GPL(kho_preserve_folio);

/**
 * kho_unpreserve_folio - stop preserving a folio
 * @folio: a folio preserved with kho_preserve_folio()
 *
 * Context: may sleep.
 */
void kho_unpreserve_folio(struct folio *folio)
{
	kho_del_block(folio_pfn(folio), folio_order(folio));
}
EXPORT_SYMBOL_GPL(kho_unpreserve_folio);

/*
 * Order of the next naturally aligned block of a page range.  A block never
 * spans two NUMA nodes, so that the next kernel can restore it as one
 * unit; mainline splits ranges the same way, which both kernels rely on
 * when they restore each other's ranges with kho_restore_pages().
 */
static unsigned int kho_block_order(unsigned long pfn, unsigned long nr)
{
	unsigned int order = min_t(unsigned int, ilog2(nr), KHO_RADIX_MAX_ORDER);

	if (pfn)
		order = min_t(unsigned int, order, __ffs(pfn));
	while (order && pfn_to_nid(pfn) != pfn_to_nid(pfn + (1UL << order) - 1))
		order--;
	return order;
}

/**
 * kho_unpreserve_pages - stop preserving a page range
 * @page: first page of a range preserved with kho_preserve_pages()
 * @nr_pages: the number of pages given to kho_preserve_pages()
 *
 * Context: may sleep.
 */
void kho_unpreserve_pages(struct page *page, unsigned long nr_pages)
{
	unsigned long pfn = page_to_pfn(page), end = pfn + nr_pages;
	unsigned int order;

	for (; pfn < end; pfn += 1UL << order) {
		order = kho_block_order(pfn, end - pfn);
		kho_del_block(pfn, order);
	}
}
EXPORT_SYMBOL_GPL(kho_unpreserve_pages);

/**
 * kho_preserve_pages - preserve a physically contiguous range of pages
 * @page: first page
 * @nr_pages: number of pages
 *
 * The range is recorded as naturally aligned blocks; the next kernel gets
 * it back as order-0 pages with kho_restore_pages().
 *
 * Context: may sleep.
 * Return: 0, -EINVAL, -EEXIST or -ENOMEM; on error nothing stays preserved.
 */
int kho_preserve_pages(struct page *page, unsigned long nr_pages)
{
	unsigned long start = page_to_pfn(page), end = start + nr_pages, pfn;
	unsigned int order;
	int err;

	if (!nr_pages)
		return -EINVAL;
	err = kho_check_range(PFN_PHYS(start), PFN_PHYS(nr_pages));
	if (err)
		return err;
	for (pfn = start; pfn < end; pfn += 1UL << order) {
		order = kho_block_order(pfn, end - pfn);
		err = kho_add_block(pfn, order);
		if (err) {
			if (pfn > start)
				kho_unpreserve_pages(page, pfn - start);
			return err;
		}
	}
	return 0;
}
EXPORT_SYMBOL_GPL(kho_preserve_pages);

/**
 * kho_alloc_preserve - allocate zeroed memory and preserve it
 * @size: bytes; rounded up to a power-of-two number of pages
 *
 * Context: may sleep.
 * Return: the linear-map address, or ERR_PTR(-EINVAL) for size 0,
 * ERR_PTR(-E2BIG) above MAX_PAGE_ORDER, ERR_PTR(-ENOMEM), or the error of
 * kho_preserve_folio().
 */
void *kho_alloc_preserve(size_t size)
{
	struct folio *folio;
	int order, err;

	if (!size)
		return ERR_PTR(-EINVAL);
	order = get_order(size);
	if (order > MAX_PAGE_ORDER)
		return ERR_PTR(-E2BIG);
	folio = folio_alloc(GFP_KERNEL | __GFP_ZERO, order);
	if (!folio)
		return ERR_PTR(-ENOMEM);
	err = kho_preserve_folio(folio);
	if (err) {
		folio_put(folio);
		return ERR_PTR(err);
	}
	return folio_address(folio);
}
EXPORT_SYMBOL_GPL(kho_alloc_preserve);

/**
 * kho_unpreserve_free - unpreserve and free memory from kho_alloc_preserve()
 * @mem: the address kho_alloc_preserve() returned, or NULL
 *
 * Context: may sleep.
 */
void kho_unpreserve_free(void *mem)
{
	struct folio *folio;

	if (!mem)
		return;
	folio = virt_to_folio(mem);
	kho_unpreserve_folio(folio);
	folio_put(folio);
}
EXPORT_SYMBOL_GPL(kho_unpreserve_free);

/* ------------------------------------------------------------------------
 * Restoring memory in the next kernel
 */

static unsigned long kho_page_stamp(unsigned int order)
{
	return ((unsigned long)KHO_PAGE_MAGIC << 32) | order;
}

/*
 * Preserved blocks are reserved "noinit" unless struct pages are initialized
 * late.  memmap_init() has initialized the struct page of every preserved
 * page as an in-use page by now, and MEMBLOCK_RSRV_NOINIT keeps
 * memblock_free_all() from walking them all again to mark them reserved, a
 * walk whose cost grows with the preserved memory, not with the number of
 * blocks.  Only the head of each block gets PG_reserved, with the stamp;
 * the tail pages stay as memmap_init() left them until a restore function
 * takes the block.  With CONFIG_DEFERRED_STRUCT_PAGE_INIT, memmap_init()
 * skips most memory and only that walk initializes reserved struct pages,
 * so every page of a preserved block is reserved and initialized there.
 */
static bool kho_in_noinit(void)
{
	return !IS_ENABLED(CONFIG_DEFERRED_STRUCT_PAGE_INIT);
}

/*
 * Whether the struct page of a preserved page is as the first pass over the
 * tracker left it, not claimed and in nobody's hands: reserved, or, for a
 * block reserved noinit (see kho_in_noinit()), an in-use page that nothing
 * took, with one reference, no flags and no mapping.  A page on a free
 * list has no reference; one that is allocated has flags or a mapping, or
 * more references, in almost every case.
 */
static bool kho_page_unclaimed(struct page *page)
{
	if (PageReserved(page))
		return true;
	return kho_in_noinit() && page_ref_count(page) == 1 &&
	       !(page->flags & PAGEFLAGS_MASK) && !page->mapping;
}

/* Head page of a preserved block of @order at @pfn, with its stamp cleared. */
static struct page *kho_claim_block(unsigned long pfn, unsigned int order)
{
	struct page *page = pfn_to_online_page(pfn);

	if (!page || !PageReserved(page) || page->private != kho_page_stamp(order)) {
		pr_warn("no preserved block of order %u at pfn %#lx\n", order, pfn);
		return NULL;
	}
	page->private = 0;
	atomic_long_add(1UL << order, &kho_in_claimed);
	return page;
}

/* Turn the reserved pages of a claimed block into allocated pages. */
static void kho_init_block_pages(struct page *page, unsigned int order,
				 unsigned int head_refs, unsigned int tail_refs)
{
	unsigned long i, nr = 1UL << order;

	for (i = 0; i < nr; i++) {
		__ClearPageReserved(page + i);
		set_page_count(page + i, i ? tail_refs : head_refs);
	}
	adjust_managed_page_count(page, nr);
}

/*
 * Turn the reserved pages of a claimed block into one allocated compound
 * folio with a reference: what kho_init_block_pages() and
 * prep_compound_page() do, in one pass over the struct pages, which for a
 * 1 GiB block span more memory than the CPU caches.
 */
static void kho_init_compound_pages(struct page *head, unsigned int order)
{
	unsigned long i, nr = 1UL << order;

	for (i = 1; i < nr; i++) {
		__ClearPageReserved(head + i);
		set_page_count(head + i, 0);
		prep_compound_tail(head, i);
	}
	__ClearPageReserved(head);
	set_page_count(head, 1);
	__SetPageHead(head);
	prep_compound_head(head, order);
	adjust_managed_page_count(head, nr);
}

/*
 * Take back the folio preserved at @phys if its order is accepted: at most
 * MAX_PAGE_ORDER for @want < 0, exactly @want otherwise.
 */
static struct folio *kho_restore_block_folio(phys_addr_t phys, int want)
{
	unsigned long pfn = PHYS_PFN(phys);
	struct page *page = pfn_to_online_page(pfn);
	unsigned int order;

	if (!page || !PageReserved(page) || !PAGE_ALIGNED(phys))
		return NULL;
	if ((page->private >> 32) != KHO_PAGE_MAGIC)
		return NULL;
	order = page->private & U32_MAX;
	if (want < 0 ? order > MAX_PAGE_ORDER : order != want)
		return NULL;
	/* A gigantic block must lie in one zone to become one folio. */
	if (order > MAX_PAGE_ORDER &&
	    !zone_spans_pfn(page_zone(page), pfn + (1UL << order) - 1))
		return NULL;
	if (!kho_claim_block(pfn, order))
		return NULL;
	if (order)
		kho_init_compound_pages(page, order);
	else
		kho_init_block_pages(page, 0, 1, 0);
	return page_folio(page);
}

/**
 * kho_restore_folio - take back a folio preserved by the previous kernel
 * @phys: physical address of the folio
 *
 * Context: after early boot; may not be called twice for the same folio.
 * Return: the folio with one reference, or NULL if no folio of at most
 * MAX_PAGE_ORDER was preserved at @phys (or it was already restored).
 * Free it with folio_put().
 */
struct folio *kho_restore_folio(phys_addr_t phys)
{
	return kho_restore_block_folio(phys, -1);
}
EXPORT_SYMBOL_GPL(kho_restore_folio);

/**
 * kho_restore_folio_order - take back a folio of a known order
 * @phys: physical address of the folio
 * @order: the order it was preserved with; may exceed MAX_PAGE_ORDER
 *
 * Like kho_restore_folio(), for a folio that must have been preserved with
 * exactly @order, including gigantic folios (a 1 GiB huge page is order
 * 18 with 4 KiB pages) that the buddy allocator never hands out.  Their
 * struct pages are initialized like those of any preserved memory, also
 * with DEFERRED_STRUCT_PAGE_INIT, whose deferred pass only covers free
 * memory: see kho_in_noinit().  This function turns them into one
 * compound folio in one zone; hugetlb makes it a huge page from there.
 *
 * folio_put() frees a gigantic folio to the buddy allocator in
 * pageblock-sized pieces, but its owner normally keeps or frees it the
 * way it frees such folios itself.
 *
 * Context: after early boot; may not be called twice for the same folio.
 * Return: the folio with one reference, or NULL if no folio of @order was
 * preserved at @phys (or it was already restored), if it spans zones, or
 * if @order is larger than any folio can be (MAX_FOLIO_NR_PAGES).
 */
struct folio *kho_restore_folio_order(phys_addr_t phys, unsigned int order)
{
	if (order >= BITS_PER_LONG || (1UL << order) > MAX_FOLIO_NR_PAGES)
		return NULL;
	return kho_restore_block_folio(phys, order);
}
EXPORT_SYMBOL_GPL(kho_restore_folio_order);

/**
 * kho_restore_pages - take back a page range preserved by the previous kernel
 * @phys: physical address of the first page
 * @nr_pages: number of pages, as given to kho_preserve_pages()
 *
 * Context: after early boot.
 * Return: the first page; every page holds one reference.  NULL if the
 * range was not preserved like this; blocks restored before the failing
 * one stay restored.
 */
struct page *kho_restore_pages(phys_addr_t phys, unsigned long nr_pages)
{
	unsigned long start = PHYS_PFN(phys), end = start + nr_pages, pfn;
	unsigned int order;
	struct page *page;

	if (!nr_pages || !PAGE_ALIGNED(phys))
		return NULL;
	for (pfn = start; pfn < end; pfn += 1UL << order) {
		order = kho_block_order(pfn, end - pfn);
		page = kho_claim_block(pfn, order);
		if (!page)
			return NULL;
		kho_init_block_pages(page, order, 1, 1);
	}
	return pfn_to_page(start);
}
EXPORT_SYMBOL_GPL(kho_restore_pages);

/**
 * kho_restore_free - free memory from kho_alloc_preserve() of the previous kernel
 * @mem: linear-map address of the preserved memory in this kernel
 *
 * Context: after early boot; may sleep.
 */
void kho_restore_free(void *mem)
{
	struct folio *folio = kho_restore_folio(virt_to_phys(mem));

	if (!WARN_ON(!folio))
		folio_put(folio);
}
EXPORT_SYMBOL_GPL(kho_restore_free);

/**
 * kho_in_account - how the preserved memory of this boot is used
 * @acct: filled in
 *
 * Every page the previous kernel preserved is either still reserved and
 * claimable (the head of its block carries the KHO stamp), or was claimed
 * once by a restore function: claimed + unclaimed = preserved.  A
 * claimable block with a page that somebody else took (in the allocator
 * while the stamp still points at it) is counted as bad.
 * Walks every page of memory: a debugging aid.
 *
 * Context: process context; may sleep.
 */
void kho_in_account(struct kho_in_account *acct)
{
	unsigned long pfn, i, nr;
	struct page *page;

	*acct = (struct kho_in_account) {
		.preserved = kho_in.pages,
		.claimed = atomic_long_read(&kho_in_claimed),
	};
	for (pfn = 0; pfn < max_pfn; pfn++) {
		if (!(pfn % SZ_64K))
			cond_resched();
		page = pfn_to_online_page(pfn);
		if (!page || !PageReserved(page) || (page->private >> 32) != KHO_PAGE_MAGIC)
			continue;
		nr = 1UL << min_t(unsigned long, page->private & U32_MAX, KHO_RADIX_MAX_ORDER);
		for (i = 0; i < nr && pfn + i < max_pfn; i++)
			acct->bad += !kho_page_unclaimed(page + i);
		acct->unclaimed += nr;
		pfn += nr - 1;
	}
}

/* ------------------------------------------------------------------------
 * Subtrees of the root FDT
 */

static int kho_fdt_find_blob(const void *fdt, phys_addr_t phys)
{
	const void *prop;
	int off, len;

	fdt_for_each_subnode(off, fdt, 0) {
		prop = fdt_getprop(fdt, off, KHO_SUB_TREE_PROP_NAME, &len);
		if (prop && len == sizeof(u64) && get_unaligned((const u64 *)prop) == phys)
			return off;
	}
	return -FDT_ERR_NOTFOUND;
}

/* Add node @name to the open root FDT.  Called with kho_out_fdt_lock held. */
static int kho_fdt_add_node(void *fdt, const char *name, u64 phys, u64 size)
{
	int off, err;

	if (fdt_subnode_offset(fdt, 0, name) >= 0)
		return -EEXIST;
	off = fdt_add_subnode(fdt, 0, name);
	if (off < 0)
		return off == -FDT_ERR_NOSPACE ? -ENOMEM : -EINVAL;
	err = fdt_setprop(fdt, off, KHO_SUB_TREE_PROP_NAME, &phys, sizeof(phys));
	err = err ?: fdt_setprop(fdt, off, KHO_SUB_TREE_SIZE_PROP_NAME, &size, sizeof(size));
	if (err) {
		fdt_del_node(fdt, off);
		return -ENOMEM;
	}
	return 0;
}

/**
 * kho_add_subtree - hand a blob over to the next kernel under a name
 * @name: node name under the root FDT, unique
 * @blob: the blob; the caller preserves its memory (kho_alloc_preserve())
 * @size: size of the blob in bytes
 *
 * Only the address and size are recorded: the blob may change until the
 * kexec.  The next kernel finds it with kho_retrieve_subtree().
 *
 * Context: may sleep; takes kho_out_fdt_lock.
 * Return: 0, -EOPNOTSUPP if KHO is off, -EINVAL for a bad argument or
 * name, -EEXIST if @name is taken, or -ENOMEM if the root FDT is full.
 */
int kho_add_subtree(const char *name, void *blob, size_t size)
{
	int err;

	if (!kho_fdt)
		return -EOPNOTSUPP;
	if (!name || !*name || !blob || !size || size > KHO_MAX_BLOB_SIZE)
		return -EINVAL;

	guard(mutex)(&kho_out_fdt_lock);
	if (fdt_open_into(kho_fdt, kho_fdt, KHO_FDT_SIZE))
		return -EINVAL;
	err = kho_fdt_add_node(kho_fdt, name, virt_to_phys(blob), size);
	fdt_pack(kho_fdt);
	if (!err && kho_debugfs_blob_add(name, blob, size))
		pr_warn("no debugfs file for subtree %s\n", name);
	return err;
}
EXPORT_SYMBOL_GPL(kho_add_subtree);

/**
 * kho_remove_subtree - stop handing a blob over
 * @blob: a blob added with kho_add_subtree()
 *
 * Does nothing if @blob was not added.
 *
 * Context: may sleep; takes kho_out_fdt_lock.
 */
void kho_remove_subtree(void *blob)
{
	int off;

	if (!kho_fdt)
		return;
	guard(mutex)(&kho_out_fdt_lock);
	off = kho_fdt_find_blob(kho_fdt, virt_to_phys(blob));
	if (off < 0)
		return;
	fdt_del_node(kho_fdt, off);
	fdt_pack(kho_fdt);
	kho_debugfs_blob_remove(blob);
}
EXPORT_SYMBOL_GPL(kho_remove_subtree);

/* Address and size of the blob of subtree node @off, checked for sanity. */
static int kho_fdt_blob(const void *fdt, int off, phys_addr_t *phys, u64 *size)
{
	const void *addr, *sz;
	int alen, slen;

	addr = fdt_getprop(fdt, off, KHO_SUB_TREE_PROP_NAME, &alen);
	sz = fdt_getprop(fdt, off, KHO_SUB_TREE_SIZE_PROP_NAME, &slen);
	if (!addr || alen != sizeof(u64) || !sz || slen != sizeof(u64))
		return -EINVAL;
	*phys = get_unaligned((const u64 *)addr);
	*size = get_unaligned((const u64 *)sz);
	if (!*phys || !*size || *size > KHO_MAX_BLOB_SIZE || *phys + *size < *phys)
		return -EINVAL;
	return 0;
}

/**
 * kho_retrieve_subtree - find a blob handed over by the previous kernel
 * @name: node name the previous kernel used with kho_add_subtree()
 * @phys: where to store the physical address of the blob
 * @size: where to store its size, or NULL
 *
 * The blob is preserved memory; read it through phys_to_virt() and give it
 * back with the restore function matching how it was preserved.
 *
 * Context: after early boot (the linear map must cover the FDT).
 * Return: 0, -ENOENT if this is not a KHO boot or there is no such blob,
 * or -EINVAL for a bad argument or a malformed node.
 */
int kho_retrieve_subtree(const char *name, phys_addr_t *phys, size_t *size)
{
	const void *fdt = kho_in_fdt();
	u64 blob_size;
	int off;

	if (!fdt)
		return -ENOENT;
	if (!name || !phys)
		return -EINVAL;
	off = fdt_subnode_offset(fdt, 0, name);
	if (off < 0)
		return -ENOENT;
	if (kho_fdt_blob(fdt, off, phys, &blob_size))
		return -EINVAL;
	if (size)
		*size = blob_size;
	return 0;
}
EXPORT_SYMBOL_GPL(kho_retrieve_subtree);

/* ------------------------------------------------------------------------
 * kexec_file_load() integration
 */

/**
 * kho_fill_kimage - attach the hand-over to a kexec image
 * @image: the image being loaded
 *
 * Records the root FDT address and adds the array of scratch areas as a
 * segment.  Crash kernels get nothing: they must not depend on the state
 * of the crashed kernel.
 *
 * Return: 0 or the error of kexec_add_buffer().
 */
int kho_fill_kimage(struct kimage *image)
{
	struct kexec_buf buf = {
		.image = image,
		.buffer = kho_scratch,
		.bufsz = kho_scratch_cnt * sizeof(*kho_scratch),
		.mem = KEXEC_BUF_MEM_UNKNOWN,
		.memsz = kho_scratch_cnt * sizeof(*kho_scratch),
		.buf_align = SZ_64K,
		.buf_max = ULONG_MAX,
		.top_down = true,
	};
	int err;

	if (!kho_enable || !kho_fdt || image->type == KEXEC_TYPE_CRASH)
		return 0;
	err = kexec_add_buffer(&buf);
	if (err)
		return err;
	image->kho.scratch = &image->segment[image->nr_segments - 1];
	image->kho.fdt = virt_to_phys(kho_fdt);
	return 0;
}

/**
 * kho_locate_mem_hole - place a kexec segment in a scratch area
 * @kbuf: the segment
 * @func: the generic placement callback, tried on each scratch area
 *
 * Return: 0 when placed, -EADDRNOTAVAIL if no scratch area fits, or 1 to
 * use the generic placement (KHO off, or a crash kernel).
 */
int kho_locate_mem_hole(struct kexec_buf *kbuf,
			int (*func)(struct resource *, void *))
{
	unsigned int i;
	int ret;

	if (!kho_enable || !kho_fdt || kbuf->image->type == KEXEC_TYPE_CRASH)
		return 1;
	for (i = 0; i < kho_scratch_cnt; i++) {
		struct resource res = DEFINE_RES_MEM(kho_scratch[i].addr,
						     kho_scratch[i].size);

		ret = func(&res, kbuf);
		if (ret)
			return ret == 1 ? 0 : ret;
	}
	return -EADDRNOTAVAIL;
}

/* ------------------------------------------------------------------------
 * vmalloc areas
 */

static void kho_vmalloc_unpreserve_chunk(struct kho_vmalloc_chunk *chunk,
					 unsigned short order)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(chunk->phys) && chunk->phys[i]; i++)
		kho_unpreserve_pages(pfn_to_page(PHYS_PFN(chunk->phys[i])), 1UL << order);
	kho_unpreserve_pages(virt_to_page(chunk), 1);
}

/* Unpreserve and free the descriptor pages starting at @first. */
static void kho_vmalloc_free_chunks(struct kho_vmalloc_chunk *first,
				    unsigned short order)
{
	struct kho_vmalloc_chunk *chunk = first, *next;

	while (chunk) {
		next = KHOSER_LOAD_PTR(chunk->hdr.next);
		kho_vmalloc_unpreserve_chunk(chunk, order);
		free_page((unsigned long)chunk);
		chunk = next;
	}
}

static struct kho_vmalloc_chunk *kho_vmalloc_new_chunk(struct kho_vmalloc_chunk *prev)
{
	struct kho_vmalloc_chunk *chunk;

	chunk = (void *)get_zeroed_page(GFP_KERNEL);
	if (!chunk)
		return NULL;
	if (kho_preserve_pages(virt_to_page(chunk), 1)) {
		free_page((unsigned long)chunk);
		return NULL;
	}
	if (prev)
		KHOSER_STORE_PTR(prev->hdr.next, chunk);
	return chunk;
}

static unsigned short kho_vm_order(struct vm_struct *vm)
{
#ifdef CONFIG_HAVE_ARCH_HUGE_VMALLOC
	return vm->page_order;
#else
	return 0;
#endif
}

/* Preserve the blocks of @vm and list them in descriptor pages. */
static int kho_vmalloc_preserve_blocks(struct vm_struct *vm, unsigned short order,
				       struct kho_vmalloc_chunk **firstp)
{
	struct kho_vmalloc_chunk *chunk = NULL;
	unsigned int i, n = KHO_VMALLOC_SIZE;
	int err;

	*firstp = NULL;
	for (i = 0; i < vm->nr_pages; i += 1U << order) {
		if (n == KHO_VMALLOC_SIZE) {
			chunk = kho_vmalloc_new_chunk(chunk);
			if (!chunk)
				return -ENOMEM;
			if (!*firstp)
				*firstp = chunk;
			n = 0;
		}
		err = kho_preserve_pages(vm->pages[i], 1U << order);
		if (err)
			return err;
		chunk->phys[n++] = page_to_phys(vm->pages[i]);
	}
	return 0;
}

/**
 * kho_preserve_vmalloc - preserve a vmalloc area across kexec
 * @ptr: start of an area from vmalloc(), or from kho_restore_vmalloc()
 * @preservation: filled in; hand it over inside preserved memory
 *
 * Preserves every page of the area and a list of descriptor pages.  The
 * area itself stays allocated and usable.
 *
 * Context: may sleep.
 * Return: 0, -EINVAL if @ptr is not the start of such an area,
 * -EOPNOTSUPP for areas of other kinds, -ENOMEM, or a preserve error; on
 * error nothing stays preserved.
 */
int kho_preserve_vmalloc(void *ptr, struct kho_vmalloc *preservation)
{
	struct vm_struct *vm = find_vm_area(ptr);
	struct kho_vmalloc_chunk *first;
	unsigned short order;
	int err;

	if (!vm || vm->addr != ptr || !vm->pages || !vm->nr_pages)
		return -EINVAL;
	if (!(vm->flags & (VM_ALLOC | VM_MAP_PUT_PAGES)) ||
	    (vm->flags & ~(VM_ALLOC | VM_MAP | VM_MAP_PUT_PAGES | VM_ALLOW_HUGE_VMAP |
			   VM_UNINITIALIZED)))
		return -EOPNOTSUPP;
	order = kho_vm_order(vm);
	err = kho_vmalloc_preserve_blocks(vm, order, &first);
	if (err) {
		kho_vmalloc_free_chunks(first, order);
		return err;
	}
	KHOSER_STORE_PTR(preservation->first, first);
	preservation->total_pages = vm->nr_pages;
	preservation->order = order;
	preservation->flags = KHO_VMALLOC_ALLOC;
	if (vm->flags & VM_ALLOW_HUGE_VMAP)
		preservation->flags |= KHO_VMALLOC_HUGE_VMAP;
	return 0;
}
EXPORT_SYMBOL_GPL(kho_preserve_vmalloc);

/**
 * kho_unpreserve_vmalloc - stop preserving a vmalloc area
 * @preservation: filled in by kho_preserve_vmalloc()
 *
 * Frees the descriptor pages; the area itself stays allocated.
 *
 * Context: may sleep.
 */
void kho_unpreserve_vmalloc(struct kho_vmalloc *preservation)
{
	kho_vmalloc_free_chunks(KHOSER_LOAD_PTR(preservation->first),
				preservation->order);
	memset(preservation, 0, sizeof(*preservation));
}
EXPORT_SYMBOL_GPL(kho_unpreserve_vmalloc);

/* Restore the blocks listed in one descriptor page into @pages. */
static int kho_vmalloc_restore_chunk(const struct kho_vmalloc_chunk *chunk,
				     unsigned short order, struct page **pages,
				     unsigned int *nr, unsigned int total)
{
	unsigned int i, j;
	struct page *page;

	for (i = 0; i < ARRAY_SIZE(chunk->phys) && chunk->phys[i]; i++) {
		if (*nr + (1U << order) > total)
			return -EINVAL;
		page = kho_restore_pages(chunk->phys[i], 1UL << order);
		if (!page)
			return -EINVAL;
		for (j = 0; j < (1U << order); j++)
			pages[(*nr)++] = page + j;
	}
	return 0;
}

static void kho_vmalloc_put_pages(struct page **pages, unsigned int nr)
{
	while (nr)
		__free_page(pages[--nr]);
}

/**
 * kho_restore_vmalloc_pages - take back the pages of a vmalloc area, unmapped
 * @preservation: what kho_preserve_vmalloc() filled in
 *
 * For a user that reads the area a page at a time and must not lose it
 * when memory is short: the only allocation, that of the returned array,
 * is made before any page is taken back.  The descriptor pages are freed.
 *
 * Context: after early boot; may sleep.
 * Return: an array of the @preservation->total_pages pages of the area,
 * in order, each a base page with one reference (free each page with
 * __free_page() and the array with kvfree()); ERR_PTR(-ENOMEM) with
 * nothing taken back; or ERR_PTR(-EINVAL) if the descriptor is
 * inconsistent, with the pages taken back until then freed.
 */
struct page **kho_restore_vmalloc_pages(const struct kho_vmalloc *preservation)
{
	struct kho_vmalloc_chunk *chunk = KHOSER_LOAD_PTR(preservation->first);
	unsigned int total = preservation->total_pages, nr = 0;
	unsigned short order = preservation->order;
	struct page **pages;
	phys_addr_t next;
	int err;

	if (!chunk || !total || total > max_pfn ||
	    (preservation->flags & ~KHO_VMALLOC_FLAGS_MASK) ||
	    order > PUD_ORDER || total % (1U << order))
		return ERR_PTR(-EINVAL);
	pages = kvmalloc_array(total, sizeof(*pages), GFP_KERNEL | __GFP_NOWARN);
	if (!pages)
		return ERR_PTR(-ENOMEM);
	while (chunk) {
		if (!kho_restore_pages(virt_to_phys(chunk), 1)) {
			err = -EINVAL;
			goto err_put;
		}
		err = kho_vmalloc_restore_chunk(chunk, order, pages, &nr, total);
		next = chunk->hdr.next.phys;
		__free_page(virt_to_page(chunk));
		if (err)
			goto err_put;
		chunk = next ? phys_to_virt(next) : NULL;
	}
	if (nr == total)
		return pages;
	err = -EINVAL;
err_put:
	kho_vmalloc_put_pages(pages, nr);
	kvfree(pages);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_GPL(kho_restore_vmalloc_pages);

/**
 * kho_restore_vmalloc - take back a vmalloc area preserved by the previous kernel
 * @preservation: what kho_preserve_vmalloc() filled in
 *
 * The area is mapped with base pages, also if it was a huge-page vmalloc
 * area; its descriptor pages are freed.  If the mapping fails, the pages
 * of the area are freed: use kho_restore_vmalloc_pages() for an area that
 * must outlive a failure.
 *
 * Context: after early boot; may sleep.
 * Return: the new address of the area (free it with vfree()), or NULL if
 * the descriptor is inconsistent or memory ran out.
 */
void *kho_restore_vmalloc(const struct kho_vmalloc *preservation)
{
	unsigned int total = preservation->total_pages;
	struct page **pages;
	void *addr;

	pages = kho_restore_vmalloc_pages(preservation);
	if (IS_ERR(pages))
		return NULL;
	addr = vmap(pages, total, VM_MAP_PUT_PAGES, PAGE_KERNEL);
	if (addr)
		return addr;
	kho_vmalloc_put_pages(pages, total);
	kvfree(pages);
	return NULL;
}
EXPORT_SYMBOL_GPL(kho_restore_vmalloc);

/**
 * kho_discard_vmalloc - free a vmalloc area of the previous kernel unmapped
 * @preservation: what kho_preserve_vmalloc() filled in
 * @fn: called with the linear-map address of each page of the area, in
 *      order, before the page is freed; may be NULL
 * @arg: passed to @fn
 *
 * For an area that is read once and freed: nothing is allocated, so this
 * cannot fail for lack of memory, as kho_restore_vmalloc() can.  A
 * descriptor page or block that was not preserved ends the walk; what
 * follows it stays reserved.
 *
 * Context: after early boot; may sleep.
 */
void kho_discard_vmalloc(const struct kho_vmalloc *preservation,
			 void (*fn)(const void *page, void *arg), void *arg)
{
	struct kho_vmalloc_chunk *chunk = KHOSER_LOAD_PTR(preservation->first);
	unsigned long nr = 1UL << min_t(unsigned short, preservation->order, PUD_ORDER);
	unsigned long left = preservation->total_pages, j;
	struct page *page = NULL;
	phys_addr_t next;
	unsigned int i;

	while (chunk && kho_restore_pages(virt_to_phys(chunk), 1)) {
		for (i = 0; i < ARRAY_SIZE(chunk->phys) && chunk->phys[i] && left >= nr; i++) {
			page = kho_restore_pages(chunk->phys[i], nr);
			if (!page)
				break;
			for (j = 0; j < nr; j++) {
				if (fn)
					fn(page_address(page + j), arg);
				__free_page(page + j);
			}
			left -= nr;
		}
		next = page ? chunk->hdr.next.phys : 0;
		__free_page(virt_to_page(chunk));
		chunk = next ? phys_to_virt(next) : NULL;
	}
}
EXPORT_SYMBOL_GPL(kho_discard_vmalloc);

/* ------------------------------------------------------------------------
 * Scratch areas of a cold boot
 */

static unsigned int kho_scratch_scale __initdata = 200;
static phys_addr_t kho_scratch_fixed[3] __initdata;	/* lowmem, global, per node */
static bool kho_scratch_is_fixed __initdata;

static int __init kho_parse_scratch_sizes(char *p)
{
	phys_addr_t sizes[3];
	char *end;
	int i;

	for (i = 0; i < 3; i++) {
		sizes[i] = memparse(p, &end);
		if (end == p || *end != (i < 2 ? ',' : '\0'))
			return -EINVAL;
		p = end + 1;
	}
	if (!(sizes[0] | sizes[1] | sizes[2]))
		return -EINVAL;
	memcpy(kho_scratch_fixed, sizes, sizeof(sizes));
	kho_scratch_is_fixed = true;
	return 0;
}

static int __init kho_parse_scratch_scale(char *p)
{
	size_t len = strlen(p);
	unsigned int scale;
	char buf[8];

	if (len < 2 || len > sizeof(buf) || p[len - 1] != '%')
		return -EINVAL;
	memcpy(buf, p, len - 1);
	buf[len - 1] = '\0';
	if (kstrtouint(buf, 10, &scale) || !scale || scale > 10000)
		return -EINVAL;
	kho_scratch_scale = scale;
	return 0;
}

/* kho_scratch=N% scales the default; kho_scratch=L,G,N sets sizes. */
static int __init kho_parse_scratch(char *p)
{
	int err;

	if (!p)
		return -EINVAL;
	err = strchr(p, '%') ? kho_parse_scratch_scale(p) : kho_parse_scratch_sizes(p);
	if (err)
		pr_err("kho_scratch=%s: expected N%% or LOWMEM,GLOBAL,PERNODE sizes; using the default\n",
		       p);
	return err;
}
early_param("kho_scratch", kho_parse_scratch);

/*
 * Bytes of memblock.reserved in [start, end), on node @nid if not
 * NUMA_NO_NODE.  Regions whose struct pages their owner initializes
 * (MEMBLOCK_RSRV_NOINIT: boot-time gigantic huge pages) are pool memory,
 * not early allocations the next kernel would repeat in scratch.
 */
static phys_addr_t __init kho_reserved_bytes(phys_addr_t start, phys_addr_t end, int nid)
{
	struct memblock_region *r;
	phys_addr_t sum = 0, s, e;

	for_each_reserved_mem_region(r) {
		if (memblock_is_reserved_noinit(r))
			continue;
		if (nid != NUMA_NO_NODE && early_pfn_to_nid(PFN_DOWN(r->base)) != nid)
			continue;
		s = max(r->base, start);
		e = min(r->base + r->size, end);
		if (s < e)
			sum += e - s;
	}
	return sum;
}

static phys_addr_t __init kho_scratch_size(int which, phys_addr_t start,
					   phys_addr_t end, int nid)
{
	phys_addr_t bytes;

	if (kho_scratch_is_fixed)
		return round_up(kho_scratch_fixed[which], CMA_MIN_ALIGNMENT_BYTES);
	bytes = kho_reserved_bytes(start, end, nid);
	return round_up(div_u64(bytes * kho_scratch_scale, 100), CMA_MIN_ALIGNMENT_BYTES);
}

static int __init kho_alloc_scratch_area(phys_addr_t size, phys_addr_t end, int nid)
{
	phys_addr_t addr;

	if (!size)
		return 0;
	addr = memblock_alloc_range_nid(size, CMA_MIN_ALIGNMENT_BYTES, 0, end, nid,
					nid != NUMA_NO_NODE);
	if (!addr) {
		pr_err("cannot allocate %pa bytes of scratch on node %d (limit %pa)\n",
		       &size, nid, &end);
		return -ENOMEM;
	}
	kho_scratch[kho_scratch_cnt].addr = addr;
	kho_scratch[kho_scratch_cnt].size = size;
	kho_scratch_cnt++;
	return 0;
}

/*
 * Sizes: a share of what early boot reserved, see Documentation.  All are
 * taken before the first area is allocated: the areas are reserved memory
 * themselves and must not size the ones that follow.
 */
static phys_addr_t kho_node_scratch_size[MAX_NUMNODES] __initdata;

static int __init kho_alloc_scratch_areas(void)
{
	phys_addr_t low_end = (phys_addr_t)ARCH_LOW_ADDRESS_LIMIT + 1;
	bool per_node = kho_scratch_is_fixed || num_node_state(N_MEMORY) > 1;
	phys_addr_t *node_size = kho_node_scratch_size;
	phys_addr_t low, global;
	int nid, err;

	low = kho_scratch_size(0, 0, low_end, NUMA_NO_NODE);
	global = kho_scratch_size(1, low_end, PHYS_ADDR_MAX, NUMA_NO_NODE);
	if (per_node)
		for_each_node_state(nid, N_MEMORY)
			node_size[nid] = kho_scratch_size(2, 0, PHYS_ADDR_MAX, nid);

	err = kho_alloc_scratch_area(low, ARCH_LOW_ADDRESS_LIMIT, NUMA_NO_NODE);
	err = err ?: kho_alloc_scratch_area(global, MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE);
	if (per_node)
		for_each_node_state(nid, N_MEMORY)
			err = err ?: kho_alloc_scratch_area(node_size[nid],
							    MEMBLOCK_ALLOC_ACCESSIBLE, nid);
	return err;
}

static void __init kho_reserve_scratch(void)
{
	phys_addr_t total = 0;
	unsigned int i;

	kho_scratch = memblock_alloc(KHO_MAX_SCRATCH * sizeof(*kho_scratch), PAGE_SIZE);
	if (kho_scratch && !kho_alloc_scratch_areas() && kho_scratch_cnt) {
		for (i = 0; i < kho_scratch_cnt; i++)
			total += kho_scratch[i].size;
		pr_info("reserved %u scratch area(s), %pa bytes\n", kho_scratch_cnt, &total);
		kho_release = kho_scratch;
		kho_release_cnt = kho_scratch_cnt;
		kho_release_leaktracked = true;
		return;
	}
	for (i = 0; i < kho_scratch_cnt; i++)
		memblock_phys_free(kho_scratch[i].addr, kho_scratch[i].size);
	if (kho_scratch)
		memblock_free(kho_scratch, KHO_MAX_SCRATCH * sizeof(*kho_scratch));
	kho_scratch = NULL;
	kho_scratch_cnt = 0;
	kho_enable = false;
	pr_err("cannot reserve scratch memory; kexec handover is disabled\n");
}

/* ------------------------------------------------------------------------
 * Receiving a hand-over: validation and reservation at early boot
 */

static bool kho_overlaps(phys_addr_t phys, phys_addr_t size,
			 const struct kho_scratch *s, unsigned int cnt)
{
	unsigned int i;

	for (i = 0; i < cnt; i++)
		if (phys < s[i].addr + s[i].size && s[i].addr < phys + size)
			return true;
	return false;
}

static const char * __init kho_check_scratch(const struct kho_scratch *s,
					     unsigned int cnt, phys_addr_t fdt_phys)
{
	phys_addr_t total = 0;
	unsigned int i;

	/*
	 * An empty area is allowed: mainline writes one when all memory is
	 * below 4 GiB and its global area has nothing left to hold.
	 */
	for (i = 0; i < cnt; i++) {
		if (!PAGE_ALIGNED(s[i].addr) || !PAGE_ALIGNED(s[i].size) ||
		    s[i].addr + s[i].size < s[i].addr)
			return "a scratch area is misaligned or wraps around";
		if (kho_overlaps(s[i].addr, s[i].size, s, i))
			return "scratch areas overlap";
		total += s[i].size;
	}
	if (!total)
		return "every scratch area is empty";
	if (kho_overlaps(fdt_phys, KHO_FDT_SIZE, s, cnt))
		return "the root FDT lies in a scratch area";
	return NULL;
}

/* Blobs are checked once here; a bad one makes the data unusable. */
static bool __init kho_check_blobs(const void *fdt, const struct kho_scratch *s,
				   unsigned int cnt)
{
	phys_addr_t phys;
	u64 size;
	int off;

	fdt_for_each_subnode(off, fdt, 0) {
		if (kho_fdt_blob(fdt, off, &phys, &size) || kho_overlaps(phys, size, s, cnt)) {
			pr_err("subtree \"%.32s\" has an invalid address or size; kexec handover is off for this boot, preserved memory stays reserved\n",
			       fdt_get_name(fdt, off, NULL) ?: "?");
			return false;
		}
	}
	return true;
}

/* Name the root compatible of a foreign hand-over in the error message. */
static const char * __init kho_why_compatible(const void *fdt)
{
	static char why[128] __initdata;
	const char *compat;
	int len;

	compat = fdt_getprop(fdt, 0, "compatible", &len);
	if (!compat || len <= 0)
		return "the root has no compatible";
	snprintf(why, sizeof(why),
		 "the root compatible is \"%*pE\", this kernel reads \"%s\"",
		 (int)min(strnlen(compat, len), 32), compat, KHO_FDT_COMPATIBLE);
	return why;
}

static const char * __init kho_check_fdt(const void *fdt, const struct kho_scratch *s,
					 unsigned int cnt, bool *blobs_ok)
{
	const void *prop;
	u64 map;
	int len;

	if (fdt_check_header(fdt) || fdt_totalsize(fdt) > KHO_FDT_SIZE)
		return "the root FDT header is invalid";
	if (fdt_node_check_compatible(fdt, 0, KHO_FDT_COMPATIBLE))
		return kho_why_compatible(fdt);
	prop = fdt_getprop(fdt, 0, KHO_FDT_MEMORY_MAP_PROP_NAME, &len);
	if (!prop || len != sizeof(u64))
		return "the preserved-memory map is missing";
	map = get_unaligned((const u64 *)prop);
	if (!map || !PAGE_ALIGNED(map) || kho_overlaps(map, PAGE_SIZE, s, cnt))
		return "the preserved-memory map address is invalid";
	*blobs_ok = kho_check_blobs(fdt, s, cnt);
	return NULL;
}

static void __init kho_accept(const struct kho_scratch *s, unsigned int cnt,
			      phys_addr_t fdt_phys, phys_addr_t scratch_phys,
			      u64 scratch_len, bool blobs_ok)
{
	unsigned int i;

	for (i = 0; i < cnt; i++) {
		if (!s[i].size)
			continue;
		memblock_add(s[i].addr, s[i].size);
		memblock_mark_kho_scratch(s[i].addr, s[i].size);
	}
	memblock_reserve(scratch_phys, scratch_len);
	memblock_set_kho_scratch_only();
	kho_in.fdt_phys = fdt_phys;
	kho_in.scratch_phys = scratch_phys;
	kho_in.failed = !blobs_ok;
	kho_scratch_cnt = cnt;
}

/**
 * kho_populate - accept a hand-over found by the architecture's boot code
 * @fdt_phys: physical address of the root FDT
 * @fdt_len: its size, KHO_FDT_SIZE
 * @scratch_phys: physical address of the array of scratch areas
 * @scratch_len: its size in bytes
 *
 * Validates what it can see this early.  On success memblock allocates
 * only from the scratch areas until kho_memory_init().  Otherwise the
 * hand-over is ignored with one error message, the boot continues as a
 * cold boot and KHO stays off until the next boot.
 *
 * Context: early boot, before memblock allocations that matter.
 */
void __init kho_populate(phys_addr_t fdt_phys, u64 fdt_len,
			 phys_addr_t scratch_phys, u64 scratch_len)
{
	unsigned int cnt = scratch_len / sizeof(struct kho_scratch);
	struct kho_scratch *scratch = NULL;
	const char *why = NULL;
	bool blobs_ok = true;
	void *fdt = NULL;

	kho_blackout_stamp(KHO_BLACKOUT_SETUP);
	if (!fdt_phys || !PAGE_ALIGNED(fdt_phys) || fdt_len != KHO_FDT_SIZE)
		why = "the root FDT address or size is invalid";
	else if (!scratch_phys || !cnt || cnt > KHO_MAX_SCRATCH ||
		 scratch_len % sizeof(*scratch))
		why = "the scratch array address or size is invalid";
	if (!why) {
		fdt = early_memremap(fdt_phys, fdt_len);
		scratch = early_memremap(scratch_phys, scratch_len);
		if (!fdt || !scratch)
			why = "cannot map the hand-over";
	}
	why = why ?: kho_check_scratch(scratch, cnt, fdt_phys);
	why = why ?: kho_check_fdt(fdt, scratch, cnt, &blobs_ok);
	if (!why)
		kho_accept(scratch, cnt, fdt_phys, scratch_phys, scratch_len, blobs_ok);
	else
		pr_err("ignoring the kexec hand-over: %s; kexec handover is off for this boot\n",
		       why);
	kho_in.rejected = !!why;
	if (scratch)
		early_memunmap(scratch, scratch_len);
	if (fdt)
		early_memunmap(fdt, fdt_len);
}

/* A run of adjacent preserved blocks, reserved in one go. */
struct kho_run {
	phys_addr_t start;
	phys_addr_t end;
};

/* Memory handed over must be RAM, outside scratch and not reserved yet. */
static bool __init kho_in_usable(phys_addr_t phys, phys_addr_t size)
{
	return memblock_is_memory(phys) && memblock_is_memory(phys + size - 1) &&
	       !kho_overlaps(phys, size, kho_scratch, kho_scratch_cnt) &&
	       !memblock_is_region_reserved(phys, size);
}

static int __init kho_reserve_run(struct kho_run *run)
{
	phys_addr_t size = run->end - run->start, start = run->start;

	if (!size)
		return 0;
	if (!kho_in_usable(start, size))
		return -EINVAL;
	run->start = run->end;
	if (memblock_reserve(start, size))
		return -ENOMEM;
	if (kho_in_noinit() && memblock_reserved_mark_noinit(start, size))
		return -ENOMEM;
	return 0;
}

static int __init kho_reserve_node(phys_addr_t phys, unsigned int level, void *arg)
{
	if (!kho_in_usable(phys, PAGE_SIZE))
		return -EINVAL;
	return memblock_reserve(phys, PAGE_SIZE) ? -ENOMEM : 0;
}

static int __init kho_reserve_block(phys_addr_t phys, unsigned int order, void *arg)
{
	phys_addr_t size = (phys_addr_t)PAGE_SIZE << order;
	struct kho_run *run = arg;
	int err;

	if (phys + size < phys)
		return -EINVAL;
	/* A gigantic block must be RAM throughout, not just at both ends. */
	if (order > MAX_PAGE_ORDER && !memblock_is_region_memory(phys, size))
		return -EINVAL;
	if (run->end != phys) {
		err = kho_reserve_run(run);
		if (err)
			return err;
		run->start = phys;
	}
	run->end = phys + size;
	kho_in.pages += 1UL << order;
	kho_in.blocks++;
	return 0;
}

/* First pass over the tracker: reserve tracker pages and preserved blocks. */
static void __init kho_in_reserve(void)
{
	static const struct kho_radix_walk_ops ops __initconst = {
		.node = kho_reserve_node,
		.block = kho_reserve_block,
	};
	const void *fdt = phys_to_virt(kho_in.fdt_phys);
	struct kho_run run = {};
	const void *map;
	int err;

	map = fdt_getprop(fdt, 0, KHO_FDT_MEMORY_MAP_PROP_NAME, NULL);
	err = kho_radix_walk(get_unaligned((const u64 *)map), &ops, &run);
	err = err ?: kho_reserve_run(&run);
	if (!err) {
		pr_info("found %lu preserved block(s), %lu page(s), in the hand-over\n",
			kho_in.blocks, kho_in.pages);
		return;
	}
	kho_reserve_run(&run);
	kho_in.failed = true;
	pr_err("the preserved-memory map is corrupt (%pe); kexec handover is off for this boot, %lu preserved page(s) found so far stay reserved\n",
	       ERR_PTR(err), kho_in.pages);
}

/* Record the free parts of the scratch areas; true if there were any. */
static bool __init kho_find_free_scratch(unsigned int *first)
{
	phys_addr_t start, end, s, e;
	unsigned int i;
	u64 idx;

	*first = kho_release_cnt;
	for (i = 0; i < kho_scratch_cnt; i++) {
		for_each_free_mem_range(idx, NUMA_NO_NODE, MEMBLOCK_NONE, &start, &end, NULL) {
			s = max(start, kho_scratch[i].addr);
			e = min(end, kho_scratch[i].addr + kho_scratch[i].size);
			if (s >= e || kho_release_cnt == kho_release_cap)
				continue;
			kho_release[kho_release_cnt].addr = s;
			kho_release[kho_release_cnt++].size = e - s;
		}
	}
	return kho_release_cnt > *first;
}

/*
 * The free parts of the inherited scratch areas stay reserved until
 * kho_init() lends them out as CMA pageblocks: that way no unmovable
 * allocation of this kernel, which it might preserve, lands in scratch,
 * and no page of a scratch pageblock is on a free list before the
 * pageblock becomes CMA.  Reserving may make memblock move its own region
 * arrays into scratch memory and free the old ones there, so repeat until
 * nothing in scratch is free.
 */
static void __init kho_reserve_free_scratch(void)
{
	unsigned int i, first, cap = 2 * (memblock.reserved.cnt + kho_scratch_cnt) + 16;

	kho_release = memblock_alloc(cap * sizeof(*kho_release), SMP_CACHE_BYTES);
	if (!kho_release)
		return;
	kho_release_cap = cap;
	while (kho_find_free_scratch(&first)) {
		for (i = first; i < kho_release_cnt; i++)
			memblock_reserve(kho_release[i].addr, kho_release[i].size);
	}
	if (kho_release_cnt == cap)
		pr_warn("too many free scratch ranges; some scratch stays unused\n");
}

/**
 * kho_memory_init - reserve preserved memory, or scratch for the next kernel
 *
 * Called from memblock_free_all() while memblock still describes memory.
 * On a KHO boot, reserves every preserved block and every tracker page,
 * ends scratch-only allocation and reports how long this took; on a cold
 * boot with KHO enabled, reserves the scratch areas.
 */
void __init kho_memory_init(void)
{
	u64 start = local_clock();

	if (kho_in.fdt_phys) {
		kho_blackout_stamp(KHO_BLACKOUT_RESERVE);
		kho_scratch = phys_to_virt(kho_in.scratch_phys);
		kho_in_reserve();
		if (!kho_in.failed)
			kho_reserve_free_scratch();
		memblock_clear_kho_scratch_only();
		if (kho_in.failed)
			kho_enable = false;
		kho_blackout_stamp(KHO_BLACKOUT_RESERVED);
		pr_info("reserved preserved memory in %llu us\n",
			div_u64(local_clock() - start, NSEC_PER_USEC));
	} else if (kho_in.rejected) {
		kho_enable = false;
	} else if (kho_enable) {
		kho_reserve_scratch();
	}
}

static int __init kho_stamp_block(phys_addr_t phys, unsigned int order, void *arg)
{
	struct page *page = pfn_to_page(PHYS_PFN(phys));

	if (!kho_page_unclaimed(page))
		return -EINVAL;
	__SetPageReserved(page);
	page->private = kho_page_stamp(order);
	return 0;
}

/*
 * The incoming root FDT is read in place for the life of this kernel:
 * claim its page, so that no restore function can hand it out (a record
 * of the hand-over that points at it is damaged).  The page stays
 * reserved.
 */
static void __init kho_in_claim_fdt(void)
{
	unsigned long pfn = PHYS_PFN(kho_in.fdt_phys);
	struct page *page = pfn_to_page(pfn);

	if (PageReserved(page) && page->private == kho_page_stamp(0))
		kho_claim_block(pfn, 0);
}

static void __init kho_free_node(phys_addr_t phys, unsigned int level, void *arg)
{
	free_reserved_page(pfn_to_page(PHYS_PFN(phys)));
}

/* Make full pageblocks of the scratch areas CMA: movable allocations only. */
static void __init kho_scratch_set_cma(void)
{
	unsigned long pfn, end;
	unsigned int i;

	for (i = 0; i < kho_scratch_cnt; i++) {
		pfn = ALIGN(PHYS_PFN(kho_scratch[i].addr), pageblock_nr_pages);
		end = PHYS_PFN(kho_scratch[i].addr + kho_scratch[i].size);
		for (; pfn + pageblock_nr_pages <= end; pfn += pageblock_nr_pages)
			set_pageblock_migratetype(pfn_to_page(pfn), MIGRATE_CMA);
	}
}

/**
 * kho_memory_ready - finish receiving preserved memory
 *
 * Called from memblock_free_all() once the struct pages of reserved memory
 * are initialized (also with deferred struct page init): stamps the head
 * of every preserved block so it can be restored, gives the tracker pages
 * back and turns the scratch areas into CMA pageblocks.  On a KHO boot,
 * reports how long this took, like kho_memory_init().
 */
void __init kho_memory_ready(void)
{
	static const struct kho_radix_walk_ops ops __initconst = {
		.block = kho_stamp_block,
		.node_done = kho_free_node,
	};
	u64 start = local_clock();
	const void *map;
	int err;

	kho_blackout_stamp(KHO_BLACKOUT_STAMP);
	if (kho_in.fdt_phys && !kho_in.failed) {
		map = fdt_getprop(phys_to_virt(kho_in.fdt_phys), 0,
				  KHO_FDT_MEMORY_MAP_PROP_NAME, NULL);
		err = kho_radix_walk(get_unaligned((const u64 *)map), &ops, NULL);
		if (err) {
			pr_err("preserved memory changed during boot (%pe); kexec handover is off for this boot\n",
			       ERR_PTR(err));
			kho_in.failed = true;
			kho_enable = false;
		} else {
			kho_in_claim_fdt();
		}
	}
	if (kho_release_cnt)
		kho_scratch_set_cma();
	kho_blackout_stamp(KHO_BLACKOUT_STAMPED);
	if (kho_in.fdt_phys && !kho_in.failed)
		pr_info("stamped preserved memory in %llu us\n",
			div_u64(local_clock() - start, NSEC_PER_USEC));
}

/* ------------------------------------------------------------------------
 * Initialization once the page allocator runs
 */

static bool __init kho_pageblock_reserved(unsigned long pfn)
{
	unsigned long end = pfn + pageblock_nr_pages;

	for (; pfn < end; pfn++)
		if (!PageReserved(pfn_to_page(pfn)))
			return false;
	return true;
}

/*
 * Free the pages of a range kho_reserve_free_scratch() reserved.  Only
 * pages that are still reserved are freed: while those ranges were being
 * reserved, memblock may have put its own region arrays there, and it gives
 * them to the buddy allocator when it is done.
 */
static void __init kho_release_range(phys_addr_t addr, phys_addr_t size)
{
	unsigned long pfn = PFN_UP(addr), end = PFN_DOWN(addr + size);

	while (pfn < end) {
		if (IS_ALIGNED(pfn, pageblock_nr_pages) && pfn + pageblock_nr_pages <= end &&
		    kho_pageblock_reserved(pfn)) {
			init_cma_reserved_pageblock(pfn_to_page(pfn));
			pfn += pageblock_nr_pages;
			continue;
		}
		if (PageReserved(pfn_to_page(pfn)))
			free_reserved_page(pfn_to_page(pfn));
		pfn++;
	}
}

/* Lend the reserved free scratch memory out for movable allocations. */
static void __init kho_release_scratch(void)
{
	unsigned int i;

	for (i = 0; i < kho_release_cnt; i++) {
		if (kho_release_leaktracked)
			kmemleak_free_part_phys(kho_release[i].addr, kho_release[i].size);
		kho_release_range(kho_release[i].addr, kho_release[i].size);
	}
	if (kho_release_cap)
		memblock_free_late(__pa(kho_release), kho_release_cap * sizeof(*kho_release));
	kho_release_cnt = 0;
}

static int __init kho_out_fdt_build(void *fdt)
{
	u64 map = virt_to_phys(kho_tree.root);
	int err;

	err = fdt_create(fdt, KHO_FDT_SIZE);
	err = err ?: fdt_finish_reservemap(fdt);
	err = err ?: fdt_begin_node(fdt, "");
	err = err ?: fdt_property_string(fdt, "compatible", KHO_FDT_COMPATIBLE);
	err = err ?: fdt_property(fdt, KHO_FDT_MEMORY_MAP_PROP_NAME, &map, sizeof(map));
	err = err ?: fdt_end_node(fdt);
	err = err ?: fdt_finish(fdt);
	return err ? -ENOMEM : 0;
}

static int __init kho_out_init(void)
{
	void *fdt;
	int err;

	kho_tree.root = (void *)get_zeroed_page(GFP_KERNEL);
	if (!kho_tree.root)
		return -ENOMEM;
	fdt = kho_alloc_preserve(KHO_FDT_SIZE);
	if (IS_ERR(fdt)) {
		err = PTR_ERR(fdt);
		goto err_free_root;
	}
	err = kho_out_fdt_build(fdt);
	if (err)
		goto err_free_fdt;
	kho_fdt = fdt;
	return 0;

err_free_fdt:
	kho_unpreserve_free(fdt);
err_free_root:
	free_page((unsigned long)kho_tree.root);
	kho_tree.root = NULL;
	return err;
}

/**
 * kho_in_copy_subtree - copy a small blob of the incoming hand-over
 * @name: name of the subtree
 * @buf: where to copy the blob, @len bytes at most
 * @len: size of @buf
 * @check: returns NULL if the blob at its first argument, of the size in
 *         its second, can be used; otherwise why not
 *
 * The memory of the blob is freed.  A blob that is not preserved memory,
 * is larger than its memory or is rejected by @check is reported with one
 * warning and ignored.
 *
 * Context: boot, after kho_memory_ready().
 * Return: true if @buf holds the blob now.
 */
bool __init kho_in_copy_subtree(const char *name, void *buf, size_t len,
				const char *(*check)(const void *blob, size_t size))
{
	struct folio *folio;
	const char *why;
	phys_addr_t phys;
	size_t size;

	if (kho_retrieve_subtree(name, &phys, &size))
		return false;
	folio = kho_restore_folio(phys);
	if (!folio) {
		pr_warn("%s is not preserved memory; ignored\n", name);
		return false;
	}
	why = size > folio_size(folio) ? "is larger than its memory" :
	      check(folio_address(folio), size);
	if (why)
		pr_warn("%s %s; ignored\n", name, why);
	else
		memcpy(buf, folio_address(folio), min(len, size));
	folio_put(folio);
	return !why;
}

/* Can the previous kernel's kexec-metadata @blob of @size bytes be used? */
static const char * __init kho_check_metadata(const void *blob, size_t size)
{
	const struct kho_kexec_metadata *m = blob;

	if (size < sizeof(m->version))
		return "is too small";
	if (m->version != KHO_KEXEC_METADATA_VERSION)
		return "has an unknown version";
	if (size < sizeof(*m))
		return "is too small for its version";
	return NULL;
}

static void __init kho_in_read_metadata(void)
{
	if (!kho_in_copy_subtree(KHO_METADATA_NODE_NAME, &kho_in_meta,
				 sizeof(kho_in_meta), kho_check_metadata))
		return;
	kho_in_meta.previous_release[sizeof(kho_in_meta.previous_release) - 1] = '\0';
	pr_info("exec from: %*pE (count %u)\n",
		(int)strlen(kho_in_meta.previous_release),
		kho_in_meta.previous_release, kho_in_meta.kexec_count);
}

/* Tell the next kernel who we are and how many kexecs led here. */
static int __init kho_out_write_metadata(void)
{
	struct kho_kexec_metadata *m;
	int err;

	m = kho_alloc_preserve(sizeof(*m));
	if (IS_ERR(m))
		return PTR_ERR(m);
	m->version = KHO_KEXEC_METADATA_VERSION;
	strscpy(m->previous_release, init_uts_ns.name.release,
		sizeof(m->previous_release));
	m->kexec_count = kho_in_meta.kexec_count + 1;
	err = kho_add_subtree(KHO_METADATA_NODE_NAME, m, sizeof(*m));
	if (err)
		kho_unpreserve_free(m);
	return err;
}

static int __init kho_init(void)
{
	int err;

	kho_release_scratch();
	if (!kho_enable)
		return 0;
	err = kho_out_init();
	if (err) {
		pr_err("cannot set up the outgoing hand-over (%pe); kexec handover is disabled\n",
		       ERR_PTR(err));
		kho_enable = false;
		return 0;
	}
	if (kho_debugfs_init() || kho_out_debugfs_init(kho_fdt))
		pr_warn("debugfs interface not available\n");
	if (is_kho_boot()) {
		kho_in_read_metadata();
		kho_in_debugfs_init(kho_in_fdt());
	}
	err = kho_out_write_metadata();
	if (err)
		pr_warn("cannot hand over the %s subtree: %pe\n",
			KHO_METADATA_NODE_NAME, ERR_PTR(err));
	err = kho_blackout_init();
	if (err)
		pr_warn("cannot hand over the %s subtree: %pe\n",
			KHO_BLACKOUT_NODE_NAME, ERR_PTR(err));
	return 0;
}
fs_initcall(kho_init);
