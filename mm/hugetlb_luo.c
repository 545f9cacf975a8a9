// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 *
 * Live Update file handler for hugetlbfs memfds.
 */

/**
 * DOC: hugetlb memfd preservation
 *
 * A VMM that backs guest memory with huge pages keeps it in a hugetlbfs
 * memfd (memfd_create() with MFD_HUGETLB and MFD_HUGE_2MB or MFD_HUGE_1GB).
 * This handler lets the Live Update Orchestrator (LUO) carry such a memfd
 * across a kexec: its huge pages, size, file position and seals.  The
 * hand-over format is described in ``include/linux/kho/abi/hugetlb.h``.
 *
 * Eligible files: unlinked hugetlbfs files of any huge page size, that is
 * memfds created with MFD_HUGETLB.  Others are left to other handlers.
 *
 * Preserve: the file is frozen with hugetlbfs_freeze(): from then on
 * resizing, fallocate() and hole punching fail with EPERM, and a fault on
 * a hole of a shared mapping gets SIGBUS, because no huge page may join
 * the file.  Huge pages already in the file are read and written as
 * before, through any mapping.  Every huge page of the file is pinned with
 * memfd_pin_folios(), which migrates it first if it lies in CMA memory
 * (where KHO's scratch areas are), and preserved whole with
 * kho_preserve_folio(): one KHO block of order 9 (2 MiB) or 18 (1 GiB)
 * per huge page, never split.  Holes are skipped: they stay holes and cost
 * nothing.  A record with the pfn and index of each huge page goes into a
 * vmalloc'ed array preserved with kho_preserve_vmalloc(), and the pages
 * are added to the pool counts handed over in a KHO subtree of their own.
 *
 * Freeze (inside reboot(2)): only the file position and the seals are
 * refreshed; no work proportional to the file size is done.  Unpreserve:
 * the pool counts are lowered, every huge page is unpreserved and
 * unpinned, and the file is thawed.
 *
 * Retrieve (next kernel): the records are checked first; if one is
 * malformed, RETRIEVE_FD fails with EINVAL, one error line names the
 * problem, and every huge page of the file stays reserved, since pfns
 * from a malformed record cannot be trusted.  Otherwise a new hugetlbfs
 * memfd of the same huge page size is created and each huge page is
 * restored with kho_restore_folio_order() and adopted into the pool of
 * its size as an in-use page, exactly as if a fault in this kernel had
 * allocated it for the file: it is counted in nr_hugepages, sits on the
 * pool's active list, has its index in the file's reserve map (no
 * reservation is consumed or left behind) and is in the page cache.  A
 * page the boot-time pool counted (see below) becomes a persistent pool
 * page; any other becomes a surplus page.  Size and position are set and
 * the seals applied again.  All of this is done before RETRIEVE_FD
 * returns, unlike the background fill of a shmem memfd: the work is per
 * huge page, and the pool counters are final when the file is handed
 * back.  From then on the file is an ordinary hugetlbfs memfd: a mapping
 * of it is PUD-mapped for 1 GiB pages and PMD-mapped for 2 MiB pages,
 * and when it is closed its huge pages go back to the pool, or to the
 * buddy allocator if the pool has surplus pages, as for any file.
 * Finishing a session frees the huge pages of a file that was never
 * retrieved the same way.  With the vmemmap of huge pages optimized
 * (HVO, hugetlb_free_vmemmap=on), a restored huge page is optimized
 * like a new one.
 *
 * Boot-time pools: hugepages= on the command line of the next kernel
 * counts the preserved huge pages of that size.  For hugepages=N with P
 * pages preserved, the next kernel allocates N - P pages at boot (none if
 * P >= N) and each preserved page joins the pool as a persistent page when
 * it is retrieved or finished, up to N; preserved pages beyond N come back
 * as surplus pages.  Node-specific requests (hugepages=0:N,...) count the
 * preserved pages of each node.  On a kexec handover boot, gigantic pages
 * cannot be allocated while the command line is parsed: memblock then
 * allocates from the scratch areas only.  Their allocation waits until
 * KHO has reserved the preserved memory (hugetlb_luo_bootmem_alloc()),
 * still from memblock, so the pool is neither lost nor built in scratch.
 *
 * Charges: huge pages come back uncharged.  They are not charged to a
 * hugetlb cgroup or a memory cgroup (memory_hugetlb_accounting) in the
 * next kernel, and the charges of the previous kernel are not carried.
 *
 * Locking: preserve() and unpreserve() take inode_lock() of the file to
 * change the frozen flag; the flag then keeps the layout stable.  Inside
 * it, preserve() takes and drops the hugetlb fault mutex of every index
 * (the order hugetlbfs_fallocate() uses), so a fault that added a page
 * before the flag was set is finished and seen.  hugetlb_luo_pool_lock
 * serializes the outgoing pool counts; the credits of the boot-time pool
 * are protected by hugetlb_lock.  LUO never runs two callbacks of one
 * file concurrently, and retrieve() fills a file nobody else can see yet.
 */

#define pr_fmt(fmt) "hugetlb_luo: " fmt

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/init.h>
#include <linux/kexec_handover.h>
#include <linux/kho/abi/hugetlb.h>
#include <linux/liveupdate.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <uapi/linux/memfd.h>

#include "internal.h"
#include "hugetlb_luo.h"
#include "hugetlb_vmemmap.h"
#include "memfd_luo.h"

/* The pool counts this kernel hands over; hugetlb_luo_pool_lock. */
static struct hugetlb_luo_pool_ser *hugetlb_luo_pool_out;
static DEFINE_MUTEX(hugetlb_luo_pool_lock);

/*
 * Preserved huge pages of the previous kernel that the boot-time pool
 * counted, per hstate and node: each becomes a persistent pool page when
 * it is restored.  Set at boot, then under hugetlb_lock.
 */
static unsigned long hugetlb_luo_credit[HUGE_MAX_HSTATE][MAX_NUMNODES];

#ifdef CONFIG_LIVEUPDATE_TEST
static void hugetlb_luo_test_damage(struct hugetlb_luo_ser *ser,
				    struct hugetlb_luo_folio_ser *recs);
#else
static inline void hugetlb_luo_test_damage(struct hugetlb_luo_ser *ser,
					   struct hugetlb_luo_folio_ser *recs) { }
#endif

/* ------------------------------------------------------------------------
 * Pool counts handed to the next kernel
 */

/* The entry of (@order, @nid), added if missing; hugetlb_luo_pool_lock held. */
static struct hugetlb_luo_pool_entry *hugetlb_luo_pool_entry(u32 order, u32 nid)
{
	struct hugetlb_luo_pool_ser *pool = hugetlb_luo_pool_out;
	struct hugetlb_luo_pool_entry *e;
	u32 i;

	for (i = 0; i < pool->nr_entries; i++) {
		e = &pool->entries[i];
		if (e->order == order && e->nid == nid)
			return e;
	}
	if (pool->nr_entries == HUGETLB_LUO_POOL_ENTRIES)
		return NULL;
	e = &pool->entries[pool->nr_entries++];
	e->order = order;
	e->nid = nid;
	return e;
}

/*
 * Add (@sign 1) or remove (@sign -1) the @nr huge pages of @recs, of
 * @order, to or from the handed-over counts.  Adding fails with -ENOSPC,
 * and changes nothing, if a new (order, node) pair does not fit.
 */
static int hugetlb_luo_pool_count(u32 order, const struct hugetlb_luo_folio_ser *recs,
				  unsigned long nr, int sign)
{
	struct hugetlb_luo_pool_entry *e;
	unsigned long i;

	guard(mutex)(&hugetlb_luo_pool_lock);
	for (i = 0; i < nr; i++)
		if (!hugetlb_luo_pool_entry(order, pfn_to_nid(recs[i].pfn)))
			return -ENOSPC;
	for (i = 0; i < nr; i++) {
		e = hugetlb_luo_pool_entry(order, pfn_to_nid(recs[i].pfn));
		if (WARN_ON_ONCE(sign < 0 && !e->count))
			continue;
		e->count += sign;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Preserving a file
 */

static bool hugetlb_luo_can_preserve(struct liveupdate_file_handler *handler,
				     struct file *file)
{
	struct inode *inode = file_inode(file);

	/* A SysV shm segment's file has shm's file operations. */
	return is_file_hugepages(file) && file->f_op == inode->i_fop &&
	       !inode->i_nlink;
}

/* Unpreserve and unpin the first @nr huge pages of @recs. */
static void hugetlb_luo_release(const struct hugetlb_luo_folio_ser *recs,
				unsigned long nr)
{
	struct folio *folio;

	while (nr--) {
		folio = pfn_folio(recs[nr].pfn);
		kho_unpreserve_folio(folio);
		unpin_folio(folio);
	}
}

/*
 * The huge page at @idx of the frozen @file, pinned, or NULL for a hole.
 * Context: inode_lock() of @file held.
 */
static struct folio *hugetlb_luo_pin(struct file *file, pgoff_t idx)
{
	struct address_space *mapping = file->f_mapping;
	struct hstate *h = hstate_file(file);
	loff_t start = (loff_t)idx << huge_page_shift(h);
	struct folio *folio;
	pgoff_t offset;
	u32 hash;
	long nr;

	/* A fault that added a page before the file was frozen is done now. */
	hash = hugetlb_fault_mutex_hash(mapping, idx);
	mutex_lock(&hugetlb_fault_mutex_table[hash]);
	folio = filemap_get_folio(mapping, idx << huge_page_order(h));
	mutex_unlock(&hugetlb_fault_mutex_table[hash]);
	if (IS_ERR(folio))
		return NULL;
	folio_put(folio);

	/* Present and frozen: this pins, and maybe migrates, never allocates. */
	nr = memfd_pin_folios(file, start, start + huge_page_size(h) - 1,
			      &folio, 1, &offset);
	if (nr < 0)
		return ERR_PTR(nr);
	return nr == 1 ? folio : ERR_PTR(-EBUSY);
}

/*
 * Pin and preserve every huge page of the first @nr_idx of the frozen
 * @file into @recs, which has room for @max.  Return the number of
 * records, or an error with nothing left pinned or preserved.
 */
static long hugetlb_luo_record(struct file *file, struct hugetlb_luo_folio_ser *recs,
			       unsigned long max, pgoff_t nr_idx)
{
	unsigned long nr = 0;
	struct folio *folio;
	pgoff_t idx;
	int err;

	for (idx = 0; idx < nr_idx; idx++) {
		folio = hugetlb_luo_pin(file, idx);
		if (!folio)
			continue;
		err = PTR_ERR_OR_ZERO(folio);
		if (!err && nr == max) {
			/* More pages than the page cache had: cannot happen. */
			unpin_folio(folio);
			err = -EBUSY;
		}
		if (!err) {
			err = kho_preserve_folio(folio);
			if (err)
				unpin_folio(folio);
		}
		if (err) {
			hugetlb_luo_release(recs, nr);
			return err;
		}
		recs[nr].pfn = folio_pfn(folio);
		recs[nr++].index = idx;
		cond_resched();
	}
	return nr;
}

/* Preserve the huge pages of the frozen @file into @ser. */
static int hugetlb_luo_preserve_contents(struct file *file,
					 struct hugetlb_luo_ser *ser,
					 struct hugetlb_luo_folio_ser **recsp)
{
	struct hstate *h = hstate_file(file);
	unsigned long max = READ_ONCE(file->f_mapping->nrpages) >> huge_page_order(h);
	struct hugetlb_luo_folio_ser *recs;
	long nr;
	int err;

	*recsp = NULL;
	if (!max)
		return 0;
	recs = vcalloc(max, sizeof(*recs));
	if (!recs)
		return -ENOMEM;
	nr = hugetlb_luo_record(file, recs, max, ser->size >> huge_page_shift(h));
	if (nr <= 0) {
		vfree(recs);
		return nr;
	}
	err = kho_preserve_vmalloc(recs, &ser->folios);
	if (err)
		goto err_release;
	err = hugetlb_luo_pool_count(ser->order, recs, nr, 1);
	if (err)
		goto err_unpreserve;
	ser->nr_folios = nr;
	*recsp = recs;
	return 0;

err_unpreserve:
	kho_unpreserve_vmalloc(&ser->folios);
err_release:
	hugetlb_luo_release(recs, nr);
	vfree(recs);
	return err;
}

/**
 * hugetlb_luo_preserve - preserve a hugetlbfs memfd for the next kernel
 * @args: LUO arguments; @args->file is the memfd
 *
 * Context: takes inode_lock() of the file, and inside it the hugetlb
 * fault mutex of each index; may sleep.
 * Return: 0, -EOPNOTSUPP for seals the format cannot carry, -ENOSPC if the
 * pool counts have no room for another (size, node) pair, -ENOMEM, or
 * another error of pinning or preserving the huge pages.  On error nothing
 * stays pinned or preserved and the file is not frozen.
 */
static int hugetlb_luo_preserve(struct liveupdate_file_op_args *args)
{
	struct inode *inode = file_inode(args->file);
	struct hugetlb_luo_folio_ser *recs;
	struct hugetlb_luo_ser *ser;
	int seals, err;

	inode_lock(inode);
	seals = memfd_luo_get_seals(args->file, HUGETLB_LUO_ALL_SEALS);
	if (seals < 0) {
		err = seals;
		goto err_unlock;
	}
	ser = kho_alloc_preserve(sizeof(*ser));
	if (IS_ERR(ser)) {
		err = PTR_ERR(ser);
		goto err_unlock;
	}
	hugetlbfs_freeze(inode, true);
	ser->pos = args->file->f_pos;
	ser->size = i_size_read(inode);
	ser->seals = seals;
	ser->order = huge_page_order(hstate_inode(inode));
	err = hugetlb_luo_preserve_contents(args->file, ser, &recs);
	if (err)
		goto err_thaw;
	inode_unlock(inode);

	args->serialized_data = virt_to_phys(ser);
	args->private_data = recs;
	return 0;

err_thaw:
	hugetlbfs_freeze(inode, false);
	kho_unpreserve_free(ser);
err_unlock:
	inode_unlock(inode);
	return err;
}

/**
 * hugetlb_luo_unpreserve - undo hugetlb_luo_preserve()
 * @args: LUO arguments of the preserved file
 *
 * Context: takes inode_lock() of the file; may sleep.
 */
static void hugetlb_luo_unpreserve(struct liveupdate_file_op_args *args)
{
	struct hugetlb_luo_ser *ser = phys_to_virt(args->serialized_data);
	struct hugetlb_luo_folio_ser *recs = args->private_data;
	struct inode *inode = file_inode(args->file);

	if (recs) {
		hugetlb_luo_pool_count(ser->order, recs, ser->nr_folios, -1);
		kho_unpreserve_vmalloc(&ser->folios);
		hugetlb_luo_release(recs, ser->nr_folios);
		vfree(recs);
	}
	kho_unpreserve_free(ser);

	inode_lock(inode);
	hugetlbfs_freeze(inode, false);
	inode_unlock(inode);
}

/**
 * hugetlb_luo_freeze - record the final file position and seals
 * @args: LUO arguments of the preserved file
 *
 * Context: inside reboot(2); constant time.
 * Return: 0, or the error of reading the seals (then the kexec is
 * aborted).
 */
static int hugetlb_luo_freeze(struct liveupdate_file_op_args *args)
{
	struct hugetlb_luo_ser *ser = phys_to_virt(args->serialized_data);
	int err;

	err = memfd_luo_freeze_state(args->file, HUGETLB_LUO_ALL_SEALS,
				     &ser->pos, &ser->seals);
	if (!err)
		hugetlb_luo_test_damage(ser, args->private_data);
	return err;
}

/* ------------------------------------------------------------------------
 * Restoring a file in the next kernel
 */

/*
 * Make @folio, just restored from KHO with one reference, an in-use huge
 * page of @h: persistent if the boot-time pool counted it, else surplus.
 */
static void hugetlb_luo_adopt(struct hstate *h, struct folio *folio)
{
	int nid = folio_nid(folio);
	unsigned long *credit = &hugetlb_luo_credit[hstate_index(h)][nid];

	/* Nobody else knows the folio: the freeze cannot fail. */
	WARN_ON_ONCE(!folio_ref_freeze(folio, 1));
	init_new_hugetlb_folio(h, folio);
	hugetlb_vmemmap_optimize_folio(h, folio);

	spin_lock_irq(&hugetlb_lock);
	__prep_account_new_huge_page(h, nid);
	if (*credit) {
		(*credit)--;
		h->max_huge_pages++;
	} else {
		h->surplus_huge_pages++;
		h->surplus_huge_pages_node[nid]++;
	}
	list_add(&folio->lru, &h->hugepage_activelist);
	spin_unlock_irq(&hugetlb_lock);
	folio_ref_unfreeze(folio, 1);
}

/* Restore and adopt the huge page of @pfn; NULL if it was not preserved. */
static struct folio *hugetlb_luo_take(struct hstate *h, u64 pfn)
{
	struct folio *folio;

	folio = kho_restore_folio_order(PFN_PHYS(pfn), huge_page_order(h));
	if (!folio) {
		pr_err("no %lu kB huge page was preserved at pfn %#llx; it stays reserved\n",
		       huge_page_size(h) / SZ_1K, (unsigned long long)pfn);
		return NULL;
	}
	hugetlb_luo_adopt(h, folio);
	return folio;
}

/* Give the huge pages of @recs, which no file uses, back to the pool. */
static void hugetlb_luo_discard(struct hstate *h,
				const struct hugetlb_luo_folio_ser *recs,
				unsigned long nr)
{
	struct folio *folio;
	unsigned long i;

	for (i = 0; i < nr; i++) {
		folio = hugetlb_luo_take(h, recs[i].pfn);
		if (folio)
			folio_put(folio);
		cond_resched();
	}
}

/*
 * Put the adopted, referenced @folio at huge page @idx of the new memfd
 * @file and record it in the reserve map, as hugetlbfs_fallocate() does.
 */
static int hugetlb_luo_insert(struct file *file, struct folio *folio, pgoff_t idx)
{
	struct address_space *mapping = file->f_mapping;
	struct hstate *h = hstate_file(file);
	unsigned long addr = idx << huge_page_shift(h);
	struct vm_area_struct pseudo_vma;
	u32 hash;
	long chg;
	int err;

	vma_init(&pseudo_vma, current->mm);
	vm_flags_init(&pseudo_vma, VM_HUGETLB | VM_MAYSHARE | VM_SHARED);
	pseudo_vma.vm_file = file;

	hash = hugetlb_fault_mutex_hash(mapping, idx);
	mutex_lock(&hugetlb_fault_mutex_table[hash]);
	chg = vma_needs_reservation(h, &pseudo_vma, addr);
	err = chg < 0 ? chg : hugetlb_add_to_page_cache(folio, mapping, idx);
	if (!err) {
		vma_commit_reservation(h, &pseudo_vma, addr);
		folio_set_hugetlb_migratable(folio);
		folio_unlock(folio);
	} else if (chg >= 0) {
		vma_end_reservation(h, &pseudo_vma, addr);
	}
	mutex_unlock(&hugetlb_fault_mutex_table[hash]);
	return err;
}

/*
 * Fill the new memfd @file with the huge pages of @recs.  On error, the
 * pages not in the file are freed, or stay reserved after a record that
 * named no preserved page (-EINVAL).
 */
static int hugetlb_luo_fill(struct file *file,
			    const struct hugetlb_luo_folio_ser *recs,
			    unsigned long nr)
{
	struct hstate *h = hstate_file(file);
	struct folio *folio;
	unsigned long i;
	int err;

	for (i = 0; i < nr; i++) {
		folio = hugetlb_luo_take(h, recs[i].pfn);
		if (!folio)
			return -EINVAL;
		err = hugetlb_luo_insert(file, folio, recs[i].index);
		folio_put(folio);
		if (err) {
			hugetlb_luo_discard(h, recs + i + 1, nr - i - 1);
			return err;
		}
		cond_resched();
	}
	return 0;
}

/* What is wrong with the header @ser, or NULL; sets *@hp to its hstate. */
static const char *hugetlb_luo_check(const struct hugetlb_luo_ser *ser,
				     struct hstate **hp)
{
	struct hstate *h = NULL;

	if (ser->flags)
		return "its reserved flags are set";
	if (ser->seals & ~HUGETLB_LUO_ALL_SEALS)
		return "it has unknown seals";
	if (ser->order < BITS_PER_LONG - PAGE_SHIFT)
		h = size_to_hstate(PAGE_SIZE << ser->order);
	if (!h)
		return "its huge page size is not available in this kernel";
	if (!IS_ALIGNED(ser->size, huge_page_size(h)) || ser->size > MAX_LFS_FILESIZE)
		return "its size is not a multiple of its huge page size";
	if (ser->nr_folios > ser->size >> huge_page_shift(h))
		return "it has more records than huge pages";
	if (ser->nr_folios > (u64)ser->folios.total_pages * PAGE_SIZE /
			     sizeof(struct hugetlb_luo_folio_ser))
		return "its record array is too small";
	*hp = h;
	return NULL;
}

/* What is wrong with the records of @ser, or NULL. */
static const char *hugetlb_luo_check_recs(const struct hugetlb_luo_ser *ser,
					  struct hstate *h,
					  const struct hugetlb_luo_folio_ser *recs)
{
	u64 nr_idx = ser->size >> huge_page_shift(h), i;

	for (i = 0; i < ser->nr_folios; i++) {
		if (!recs[i].pfn || PHYS_PFN(PFN_PHYS(recs[i].pfn)) != recs[i].pfn ||
		    !IS_ALIGNED(recs[i].pfn, pages_per_huge_page(h)))
			return "a record has an impossible or misaligned page frame number";
		if (recs[i].index >= nr_idx)
			return "a record lies beyond the end of the file";
		if (i && recs[i].index <= recs[i - 1].index)
			return "its records are not in increasing index order";
	}
	return NULL;
}

/*
 * The checked records of @ser (NULL if it has none) and its hstate, or an
 * ERR_PTR(-EINVAL) after one error line: then every page stays reserved.
 */
static struct hugetlb_luo_folio_ser *hugetlb_luo_load(const struct hugetlb_luo_ser *ser,
						      struct hstate **hp)
{
	struct hugetlb_luo_folio_ser *recs = NULL;
	const char *why;

	why = hugetlb_luo_check(ser, hp);
	if (!why && ser->nr_folios) {
		recs = kho_restore_vmalloc(&ser->folios);
		why = recs ? hugetlb_luo_check_recs(ser, *hp, recs) :
		      "its record array is not preserved memory";
	}
	if (!why)
		return recs;
	pr_err("refusing a preserved hugetlb memfd: %s; its huge pages stay reserved\n",
	       why);
	vfree(recs);
	return ERR_PTR(-EINVAL);
}

/* Rebuild the memfd described by @ser. */
static struct file *hugetlb_luo_rebuild(const struct hugetlb_luo_ser *ser)
{
	struct hugetlb_luo_folio_ser *recs;
	unsigned int mfd_flags;
	struct file *file;
	struct hstate *h;
	int err;

	recs = hugetlb_luo_load(ser, &h);
	if (IS_ERR(recs))
		return ERR_CAST(recs);
	mfd_flags = MFD_HUGETLB | (huge_page_shift(h) << MFD_HUGE_SHIFT);
	file = memfd_luo_new_file(mfd_flags, ser->seals);
	if (IS_ERR(file)) {
		hugetlb_luo_discard(h, recs, ser->nr_folios);
		vfree(recs);
		return file;
	}
	i_size_write(file_inode(file), ser->size);
	err = hugetlb_luo_fill(file, recs, ser->nr_folios);
	vfree(recs);
	if (!err)
		err = memfd_luo_restore_state(file, ser->pos, ser->seals);
	if (err) {
		fput(file);
		return ERR_PTR(err);
	}
	return file;
}

/* Take back the page of the &struct hugetlb_luo_ser at @phys, or NULL. */
static struct folio *hugetlb_luo_claim(u64 phys)
{
	return memfd_luo_claim_record(phys, sizeof(struct hugetlb_luo_ser),
				      "hugetlb memfd");
}

/* Take back the record at @phys and rebuild the memfd it describes. */
static struct file *hugetlb_luo_retrieve_file(u64 phys)
{
	struct folio *folio = hugetlb_luo_claim(phys);
	struct file *file;

	if (!folio)
		return ERR_PTR(-EINVAL);
	file = hugetlb_luo_rebuild(folio_address(folio));
	folio_put(folio);
	return file;
}

/**
 * hugetlb_luo_retrieve - rebuild a preserved hugetlbfs memfd in the next kernel
 * @args: LUO arguments; @args->file is set on success
 *
 * The preserved state is consumed in all cases.  After a malformed hand-over
 * the huge pages stay reserved; after another error the ones not in the
 * new file are freed, and the new file with the others is released.  LUO
 * calls retrieve() again after a failure, and finish() too (see
 * kernel/liveupdate/luo_file.c); so the first error is kept in
 * @args->private_data and returned again, unlike the shmem handler, whose
 * retrieve can be retried.
 *
 * Context: may sleep.
 * Return: 0, -EINVAL for a malformed hand-over, -ENOMEM, or the error of
 * creating, filling or sealing the new memfd (now or the first time).
 */
static int hugetlb_luo_retrieve(struct liveupdate_file_op_args *args)
{
	struct file *file;

	if (args->private_data)
		return PTR_ERR(args->private_data);
	file = hugetlb_luo_retrieve_file(args->serialized_data);
	if (IS_ERR(file)) {
		args->private_data = file;
		return PTR_ERR(file);
	}
	args->file = file;
	return 0;
}

/**
 * hugetlb_luo_finish - release a preserved hugetlbfs memfd in the next kernel
 * @args: LUO arguments of the incoming file
 *
 * A retrieved file, or one whose retrieve failed (its error is in
 * @args->private_data), has nothing left to release.  The huge pages of a
 * file never retrieved go back to the pool (or stay reserved if its
 * records are malformed).
 *
 * Context: may sleep.
 */
static void hugetlb_luo_finish(struct liveupdate_file_op_args *args)
{
	struct hugetlb_luo_folio_ser *recs;
	struct hugetlb_luo_ser *ser;
	struct folio *folio;
	struct hstate *h;

	if (args->retrieve_status || args->private_data)
		return;
	folio = hugetlb_luo_claim(args->serialized_data);
	if (!folio)
		return;
	ser = folio_address(folio);
	recs = hugetlb_luo_load(ser, &h);
	if (!IS_ERR(recs)) {
		hugetlb_luo_discard(h, recs, ser->nr_folios);
		vfree(recs);
	}
	folio_put(folio);
}

static const struct liveupdate_file_ops hugetlb_luo_file_ops = {
	.can_preserve = hugetlb_luo_can_preserve,
	.preserve = hugetlb_luo_preserve,
	.unpreserve = hugetlb_luo_unpreserve,
	.freeze = hugetlb_luo_freeze,
	.retrieve = hugetlb_luo_retrieve,
	.finish = hugetlb_luo_finish,
	.get_id = memfd_luo_get_id,
	.owner = THIS_MODULE,
};

static struct liveupdate_file_handler hugetlb_luo_handler = {
	.ops = &hugetlb_luo_file_ops,
	.compatible = HUGETLB_LUO_FH_COMPATIBLE,
};

/* ------------------------------------------------------------------------
 * Boot-time pools of the next kernel
 */

/* A copy of the incoming pool counts, valid if hugetlb_luo_pool_in_ok. */
static struct hugetlb_luo_pool_ser hugetlb_luo_pool_in __initdata;
static bool hugetlb_luo_pool_in_ok __initdata;
static phys_addr_t hugetlb_luo_pool_in_phys __initdata;

/* Gigantic hstates whose boot-time allocation waits for memblock. */
static unsigned long hugetlb_luo_deferred __initdata;
static bool hugetlb_luo_bootmem_ok __initdata;

static const char * __init hugetlb_luo_pool_check(phys_addr_t phys, size_t size)
{
	const struct hugetlb_luo_pool_ser *pool;
	u32 i, nid;

	if (size != sizeof(*pool) || !PAGE_ALIGNED(phys) ||
	    !memblock_is_region_memory(phys, PAGE_SIZE) || !memblock_is_reserved(phys))
		return "is not a preserved page of the right size";
	pool = phys_to_virt(phys);
	if (pool->flags || pool->nr_entries > HUGETLB_LUO_POOL_ENTRIES)
		return "has reserved flags set or too many entries";
	for (i = 0; i < pool->nr_entries; i++) {
		nid = pool->entries[i].nid;
		if (nid >= MAX_NUMNODES || !node_online(nid))
			return "names a NUMA node this kernel does not have";
	}
	return NULL;
}

/* Read the incoming pool counts, while memblock knows what is reserved. */
static void __init hugetlb_luo_pool_read(void)
{
	const char *why;
	phys_addr_t phys;
	size_t size;

	if (kho_retrieve_subtree(HUGETLB_LUO_POOL_NODE_NAME, &phys, &size))
		return;
	why = hugetlb_luo_pool_check(phys, size);
	if (why) {
		pr_err("ignoring the preserved huge page counts: the %s blob %s; preserved huge pages do not count toward the boot-time pool\n",
		       HUGETLB_LUO_POOL_NODE_NAME, why);
		return;
	}
	memcpy(&hugetlb_luo_pool_in, phys_to_virt(phys), sizeof(hugetlb_luo_pool_in));
	hugetlb_luo_pool_in_ok = true;
	hugetlb_luo_pool_in_phys = phys;
}

static bool __init hugetlb_luo_per_node(struct hstate *h)
{
	int nid;

	for_each_online_node(nid)
		if (h->max_huge_pages_node[nid])
			return true;
	return false;
}

/* Lower the boot-time allocation of @h by the preserved pages of its size. */
static void __init hugetlb_luo_take_credit(struct hstate *h)
{
	bool per_node = hugetlb_luo_per_node(h);
	unsigned long want = h->max_huge_pages, got = 0, c;
	const struct hugetlb_luo_pool_entry *e;
	u32 i;

	if (!hugetlb_luo_pool_in_ok)
		return;
	for (i = 0; i < hugetlb_luo_pool_in.nr_entries; i++) {
		e = &hugetlb_luo_pool_in.entries[i];
		if (e->order != huge_page_order(h))
			continue;
		c = min_t(u64, e->count, per_node ? h->max_huge_pages_node[e->nid] :
						    h->max_huge_pages);
		if (per_node)
			h->max_huge_pages_node[e->nid] -= c;
		h->max_huge_pages -= c;
		hugetlb_luo_credit[hstate_index(h)][e->nid] += c;
		got += c;
	}
	if (got)
		pr_info("%lu of hugepages=%lu %lu kB pages are preserved; allocating %lu now, the preserved ones join the pool when retrieved\n",
			got, want, huge_page_size(h) / SZ_1K, want - got);
}

/**
 * hugetlb_luo_boot_pool - let live update shape the boot-time pool of @h
 * @h: an hstate with huge pages requested on the command line
 *
 * Called by hugetlb_hstate_alloc_pages() before it allocates.  On a kexec
 * handover boot, the allocation of a gigantic hstate is deferred while
 * memblock allocates from the scratch areas only; it happens in
 * hugetlb_luo_bootmem_alloc().  Otherwise h->max_huge_pages (and the
 * node-specific counts) are lowered by the preserved huge pages of this
 * size, which join the pool when they are retrieved.
 *
 * Context: early boot, single-threaded.
 * Return: true if hugetlb_hstate_alloc_pages() must not allocate now.
 */
bool __init hugetlb_luo_boot_pool(struct hstate *h)
{
	if (hstate_is_gigantic(h) && !hugetlb_luo_bootmem_ok && is_kho_boot()) {
		pr_info("allocating %lu boot-time %lu kB pages once preserved memory is reserved\n",
			h->max_huge_pages, huge_page_size(h) / SZ_1K);
		__set_bit(hstate_index(h), &hugetlb_luo_deferred);
		return true;
	}
	hugetlb_luo_take_credit(h);
	return !h->max_huge_pages;
}

/**
 * hugetlb_luo_bootmem_alloc - allocate the deferred boot-time gigantic pages
 *
 * Called from memblock_free_all() right after kho_memory_init(): the
 * preserved memory is reserved, the free parts of the scratch areas too,
 * and memblock allocates from all other memory again.  Reads the incoming
 * pool counts, then allocates the gigantic hstates hugetlb_luo_boot_pool()
 * deferred, lowered by their preserved pages.  hugetlb picks the pages up
 * later like any boot-time gigantic page.
 *
 * Context: early boot, single-threaded; memblock is still active.
 */
void __init hugetlb_luo_bootmem_alloc(void)
{
	struct hstate *h;

	hugetlb_luo_bootmem_ok = true;
	hugetlb_luo_pool_read();
	for_each_hstate(h)
		if (test_bit(hstate_index(h), &hugetlb_luo_deferred))
			hugetlb_hstate_alloc_pages(h);
}

/* Free the incoming pool counts; say so if credited pages cannot come. */
static void __init hugetlb_luo_pool_release(void)
{
	unsigned long credit = 0;
	struct folio *folio;
	struct hstate *h;
	int nid;

	if (!hugetlb_luo_pool_in_phys)
		return;
	folio = kho_restore_folio(hugetlb_luo_pool_in_phys);
	if (folio)
		folio_put(folio);
	if (liveupdate_enabled())
		return;
	for_each_hstate(h)
		for_each_online_node(nid)
			credit += hugetlb_luo_credit[hstate_index(h)][nid];
	if (credit)
		pr_err("live update is off: %lu preserved huge page(s) counted toward the boot-time pool will not join it\n",
		       credit);
}

/* The outgoing pool counts, a preserved page handed over as a subtree. */
static int __init hugetlb_luo_pool_init(void)
{
	struct hugetlb_luo_pool_ser *pool;
	int err;

	pool = kho_alloc_preserve(sizeof(*pool));
	if (IS_ERR(pool))
		return PTR_ERR(pool);
	err = kho_add_subtree(HUGETLB_LUO_POOL_NODE_NAME, pool, sizeof(*pool));
	if (err) {
		kho_unpreserve_free(pool);
		return err;
	}
	hugetlb_luo_pool_out = pool;
	return 0;
}

static int __init hugetlb_luo_init(void)
{
	int err;

	hugetlb_luo_pool_release();
	if (!liveupdate_enabled())
		return 0;
	err = hugetlb_luo_pool_init();
	if (err) {
		pr_err("cannot hand over huge page counts (%pe); hugetlb memfds cannot be preserved\n",
		       ERR_PTR(err));
		return 0;
	}
	err = liveupdate_register_file_handler(&hugetlb_luo_handler);
	if (err)
		pr_err("cannot register the hugetlb memfd handler: %pe\n", ERR_PTR(err));
	return 0;
}
late_initcall(hugetlb_luo_init);

/* ------------------------------------------------------------------------
 * Test knob: damage the hand-over of the next file frozen
 */

#ifdef CONFIG_LIVEUPDATE_TEST
static char hugetlb_luo_damage[8];

/* Damage @ser or its records as /sys/kernel/debug/hugetlb_luo/damage says, once. */
static void hugetlb_luo_test_damage(struct hugetlb_luo_ser *ser,
				    struct hugetlb_luo_folio_ser *recs)
{
	if (!hugetlb_luo_damage[0])
		return;
	if (!strcmp(hugetlb_luo_damage, "index") && recs)
		recs[0].index = ser->size;
	else if (!strcmp(hugetlb_luo_damage, "pfn") && recs)
		recs[0].pfn++;
	else if (!strcmp(hugetlb_luo_damage, "order"))
		ser->order++;
	else if (!strcmp(hugetlb_luo_damage, "pool"))
		hugetlb_luo_pool_out->flags = 1;
	else
		return;
	pr_info("damaged the hand-over of a hugetlb memfd (%s)\n", hugetlb_luo_damage);
	hugetlb_luo_damage[0] = '\0';
}

static ssize_t hugetlb_luo_damage_write(struct file *file, const char __user *buf,
					size_t len, loff_t *ppos)
{
	char mode[sizeof(hugetlb_luo_damage)];

	if (!len || len >= sizeof(mode))
		return -EINVAL;
	if (copy_from_user(mode, buf, len))
		return -EFAULT;
	mode[len] = '\0';
	strscpy(hugetlb_luo_damage, strim(mode));
	return len;
}

static const struct file_operations hugetlb_luo_damage_fops = {
	.write = hugetlb_luo_damage_write,
};

static int __init hugetlb_luo_test_init(void)
{
	struct dentry *dir;

	if (!liveupdate_enabled())
		return 0;
	dir = debugfs_create_dir("hugetlb_luo", NULL);
	debugfs_create_file("damage", 0200, dir, NULL, &hugetlb_luo_damage_fops);
	return 0;
}
late_initcall(hugetlb_luo_test_init);
#endif /* CONFIG_LIVEUPDATE_TEST */
