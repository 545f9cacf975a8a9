// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 *
 * Live Update file handler for memfds.
 */

/**
 * DOC: memfd preservation
 *
 * A VMM keeps guest memory in a memfd.  This handler lets the Live Update
 * Orchestrator (LUO) carry such a memfd across a kexec: its contents, size,
 * file position and seals.  The hand-over format is described in
 * ``include/linux/kho/abi/memfd.h``.
 *
 * Eligible files: unlinked shmem files, that is memfds without
 * MFD_HUGETLB.  Linked tmpfs files are refused (PRESERVE_FD fails with
 * ENOENT); hugetlbfs memfds have their own handler (mm/hugetlb_luo.c,
 * CONFIG_LIVEUPDATE_HUGETLB) and are refused without it.
 *
 * Preserve: the size and folio layout of the file are frozen with
 * shmem_freeze(); from then on resizing, fallocate(), hole punching and
 * writes beyond the end of the file fail with EPERM, while writes inside
 * the file and through mappings keep working.  Every folio of the file is
 * pinned with memfd_pin_folios(), which brings swapped-out pages back,
 * migrates folios out of movable and CMA memory (the KHO scratch areas)
 * and allocates a zeroed folio for each hole: a hole costs memory from
 * then on.  Each folio is preserved whole with kho_preserve_folio(), a
 * large folio as one large folio.  Its pfn and index go into a vmalloc'ed
 * record array preserved with kho_preserve_vmalloc().  The preserved
 * folios are the live folios of the file, so the next kernel sees the
 * contents as of the kexec.
 *
 * Freeze (inside reboot(2)): only the file position and the seals are
 * refreshed, so seals added after preservation are handed over too; no
 * work proportional to the file size is done.  Unpreserve: every folio is
 * unpreserved and unpinned and the file is thawed.
 *
 * Retrieve (next kernel): a new memfd is created with the size, position
 * and seals of the old one, the folio records are checked, and the file is
 * handed back at once; the folios reach its page cache in the background
 * (see "Background fill" below).  They are inserted uptodate and dirty, so
 * they are never dropped as clean, and accounted like folios shmem
 * allocates itself.  The memfd is an ordinary memfd: it can grow if its
 * seals allow, its memory can be swapped, and it is freed on the last
 * close.  Finishing a file that was never retrieved frees its folios, and
 * allocates nothing to do so.
 *
 * A retrieve that fails for lack of memory loses nothing: what it took
 * back (the record page, the new file, the pages of the folio records) is
 * kept in &struct memfd_luo_in, and the next RETRIEVE_FD goes on from
 * there; FINISH frees it.  Every allocation that can fail comes before the
 * fill, which cannot fail.
 *
 * Background fill: RETRIEVE_FD does work proportional to the number of
 * folio records only to check them (no page is touched); a work item on
 * system_unbound_wq restores and inserts the folios.  It takes
 * inode_lock() of the new file before RETRIEVE_FD returns and keeps it
 * until every folio is in, and shmem's SHMEM_F_POPULATING flag is set for
 * that time (shmem_set_populating()).  So every access is ordered after
 * the fill: writes, fallocate(), truncation, SEEK_DATA/SEEK_HOLE, seals
 * and another PRESERVE_FD take inode_lock(); reads, faults, splice and
 * pinning go through shmem_get_folio_gfp(), which waits while the flag is
 * set; and no huge folio is allocated or collapsed over a range still to
 * be filled (shmem_allowable_huge_orders() allows none meanwhile).  Folios
 * already inserted are complete, so fault-around may map them early.  The
 * work holds a reference to the file, so closing it early only delays the
 * release.  It charges the memory cgroup of the task that retrieved the
 * file and cannot fail for lack of memory (__GFP_NOFAIL); a folio that is
 * not preserved memory (a corrupted hand-over) is reported and left a
 * hole.
 *
 * Locking: preserve() and unpreserve() take inode_lock() of the file to
 * change the frozen flag and to read a stable size; the flag then keeps
 * the layout stable without the lock.  LUO never runs two callbacks of one
 * file concurrently.  The other callbacks touch only the handler's own
 * preserved structures, or a file nobody else can see yet.
 */

#define pr_fmt(fmt) "memfd_luo: " fmt

#include <linux/completion.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/kexec_handover.h>
#include <linux/kho/abi/memfd.h>
#include <linux/liveupdate.h>
#include <linux/memcontrol.h>
#include <linux/memfd.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <uapi/linux/memfd.h>

#include "internal.h"
#include "memfd_luo.h"

/* Name of a retrieved memfd (the user-given name is not preserved). */
#define MEMFD_LUO_NAME	"memfd:"

static bool memfd_luo_can_preserve(struct liveupdate_file_handler *handler,
				   struct file *file)
{
	struct inode *inode = file_inode(file);

	return shmem_file(file) && !inode->i_nlink;
}

/**
 * memfd_luo_get_seals - the seals of a memfd, if a format can carry them
 * @file: a shmem or hugetlbfs memfd
 * @carried: the F_SEAL_* bits the caller's format carries
 *
 * Context: any context in which the seals may be read; seals only ever
 * grow, so the result is a lower bound of what the file has later.
 * Return: the seals, -EOPNOTSUPP if the file has a seal outside @carried,
 * or the error of memfd_get_seals().
 */
int memfd_luo_get_seals(struct file *file, u32 carried)
{
	int seals = memfd_get_seals(file);

	if (seals < 0)
		return seals;
	return seals & ~carried ? -EOPNOTSUPP : seals;
}

/**
 * memfd_luo_freeze_state - record the file position and seals at reboot
 * @file: the preserved memfd
 * @carried: the F_SEAL_* bits the caller's format carries
 * @pos: where to store the file position
 * @seals: where to store the seals
 *
 * The freeze() step of both memfd handlers: seals added after PRESERVE_FD
 * and the last file position are handed over; nothing else is done.
 *
 * Context: inside reboot(2); constant time.
 * Return: 0, or the error of memfd_luo_get_seals() (the kexec is then
 * aborted).
 */
int memfd_luo_freeze_state(struct file *file, u32 carried, u64 *pos, u32 *seals)
{
	int ret = memfd_luo_get_seals(file, carried);

	if (ret < 0)
		return ret;
	*pos = READ_ONCE(file->f_pos);
	*seals = ret;
	return 0;
}

/**
 * memfd_luo_new_file - a new, empty memfd for a preserved one
 * @mfd_flags: MFD_HUGETLB and its size flags, or 0 for a shmem memfd
 * @seals: the seals the file will get, so that it can carry them
 *
 * The file is named "memfd:"; the name of the preserved file is not kept.
 *
 * Return: the file, with one reference, or an ERR_PTR(): -ENOMEM if
 * memory ran out.
 */
struct file *memfd_luo_new_file(unsigned int mfd_flags, u32 seals)
{
	unsigned int flags = mfd_flags | MFD_ALLOW_SEALING;
	struct file *file;

	/* F_SEAL_EXEC on an executable file would imply the write seals. */
	if (seals & F_SEAL_EXEC)
		flags |= MFD_NOEXEC_SEAL;
	file = memfd_alloc_file(MEMFD_LUO_NAME, flags);
	/*
	 * A failed inode allocation is -ENOSPC; the internal mounts have no
	 * limits, so that can only be a lack of memory.
	 */
	if (IS_ERR(file) && PTR_ERR(file) == -ENOSPC)
		return ERR_PTR(-ENOMEM);
	return file;
}

/**
 * memfd_luo_restore_state - give a rebuilt memfd its position and seals
 * @file: the new memfd, sized
 * @pos: the file position handed over
 * @seals: the seals handed over
 *
 * Call once the file has its size and no later step of the caller needs
 * to grow or write it through the file: the seals may forbid that.  A
 * fill that inserts folios into the page cache directly (the background
 * fill of a shmem memfd) is not affected and may come after.
 *
 * Return: 0, or the error of setting the position or adding the seals.
 */
int memfd_luo_restore_state(struct file *file, u64 pos, u32 seals)
{
	loff_t ret = vfs_setpos(file, pos, MAX_LFS_FILESIZE);

	if (ret < 0)
		return ret;
	/* F_SEAL_EXEC came with the file (memfd_luo_new_file()). */
	return memfd_add_seals(file, seals & ~F_SEAL_EXEC);
}

/* Make @folio uptodate, zeroing it if it never was written. */
static void memfd_luo_make_uptodate(struct folio *folio)
{
	folio_lock(folio);
	if (!folio_test_uptodate(folio)) {
		folio_zero_range(folio, 0, folio_size(folio));
		flush_dcache_folio(folio);
		folio_mark_uptodate(folio);
	}
	folio_unlock(folio);
}

/* Unpreserve and unpin the first @nr folios of @recs. */
static void memfd_luo_release_folios(struct memfd_luo_folio_ser *recs,
				     unsigned long nr)
{
	struct folio *folio;
	unsigned long i;

	for (i = 0; i < nr; i++) {
		folio = pfn_folio(recs[i].pfn);
		kho_unpreserve_folio(folio);
		unpin_folio(folio);
	}
}

/*
 * Preserve the @nr pinned @folios into @recs.  On error nothing stays
 * preserved, and the folios not recorded yet are unpinned.
 */
static int memfd_luo_record_folios(struct folio **folios, unsigned long nr,
				   struct memfd_luo_folio_ser *recs)
{
	unsigned long i;
	int err;

	for (i = 0; i < nr; i++) {
		memfd_luo_make_uptodate(folios[i]);
		err = kho_preserve_folio(folios[i]);
		if (err) {
			memfd_luo_release_folios(recs, i);
			unpin_folios(folios + i, nr - i);
			return err;
		}
		recs[i].pfn = folio_pfn(folios[i]);
		recs[i].flags = MEMFD_LUO_FOLIO_FLAGS;
		recs[i].index = folios[i]->index;
	}
	return 0;
}

/* Pin and record every folio of the first @size bytes of @file. */
static struct memfd_luo_folio_ser *
memfd_luo_pin_folios(struct file *file, loff_t size, unsigned long *nrp)
{
	unsigned long max = DIV_ROUND_UP(size, PAGE_SIZE);
	struct memfd_luo_folio_ser *recs;
	struct folio **folios;
	pgoff_t offset;
	long nr;
	int err;

	if (max > UINT_MAX)
		return ERR_PTR(-EFBIG);
	folios = kvmalloc_array(max, sizeof(*folios), GFP_KERNEL);
	if (!folios)
		return ERR_PTR(-ENOMEM);
	nr = memfd_pin_folios(file, 0, size - 1, folios, max, &offset);
	if (nr < 0) {
		err = nr;
		goto err_free;
	}
	recs = vcalloc(nr, sizeof(*recs));
	if (!recs) {
		unpin_folios(folios, nr);
		err = -ENOMEM;
		goto err_free;
	}
	err = memfd_luo_record_folios(folios, nr, recs);
	if (err)
		goto err_vfree;
	kvfree(folios);
	*nrp = nr;
	return recs;

err_vfree:
	vfree(recs);
err_free:
	kvfree(folios);
	return ERR_PTR(err);
}

/* Preserve the folios of @file into @ser; the file is frozen. */
static int memfd_luo_preserve_contents(struct file *file,
				       struct memfd_luo_ser *ser,
				       struct memfd_luo_folio_ser **recsp)
{
	struct memfd_luo_folio_ser *recs;
	unsigned long nr;
	int err;

	*recsp = NULL;
	if (!ser->size)
		return 0;
	recs = memfd_luo_pin_folios(file, ser->size, &nr);
	if (IS_ERR(recs))
		return PTR_ERR(recs);
	err = kho_preserve_vmalloc(recs, &ser->folios);
	if (err) {
		memfd_luo_release_folios(recs, nr);
		vfree(recs);
		return err;
	}
	ser->nr_folios = nr;
	*recsp = recs;
	return 0;
}

/**
 * memfd_luo_preserve - preserve a memfd for the next kernel
 * @args: LUO arguments; @args->file is the memfd
 *
 * Context: takes inode_lock() of the file; may sleep.
 * Return: 0, -EOPNOTSUPP for seals the format cannot carry, -EFBIG for a
 * file of more than UINT_MAX pages, -ENOMEM, or another error of pinning
 * or preserving the folios.  On error nothing stays pinned or preserved
 * and the file is not frozen.
 */
static int memfd_luo_preserve(struct liveupdate_file_op_args *args)
{
	struct inode *inode = file_inode(args->file);
	struct memfd_luo_folio_ser *recs;
	struct memfd_luo_ser *ser;
	int seals, err;

	inode_lock(inode);
	seals = memfd_luo_get_seals(args->file, MEMFD_LUO_ALL_SEALS);
	if (seals < 0) {
		err = seals;
		goto err_unlock;
	}
	ser = kho_alloc_preserve(sizeof(*ser));
	if (IS_ERR(ser)) {
		err = PTR_ERR(ser);
		goto err_unlock;
	}
	shmem_freeze(inode, true);
	ser->pos = args->file->f_pos;
	ser->size = i_size_read(inode);
	ser->seals = seals;
	err = memfd_luo_preserve_contents(args->file, ser, &recs);
	if (err)
		goto err_thaw;
	inode_unlock(inode);

	args->serialized_data = virt_to_phys(ser);
	args->private_data = recs;
	return 0;

err_thaw:
	shmem_freeze(inode, false);
	kho_unpreserve_free(ser);
err_unlock:
	inode_unlock(inode);
	return err;
}

/**
 * memfd_luo_unpreserve - undo memfd_luo_preserve()
 * @args: LUO arguments of the preserved file
 *
 * Context: takes inode_lock() of the file; may sleep.
 */
static void memfd_luo_unpreserve(struct liveupdate_file_op_args *args)
{
	struct memfd_luo_ser *ser = phys_to_virt(args->serialized_data);
	struct memfd_luo_folio_ser *recs = args->private_data;
	struct inode *inode = file_inode(args->file);

	if (recs) {
		kho_unpreserve_vmalloc(&ser->folios);
		memfd_luo_release_folios(recs, ser->nr_folios);
		vfree(recs);
	}
	kho_unpreserve_free(ser);

	inode_lock(inode);
	shmem_freeze(inode, false);
	inode_unlock(inode);
}

/**
 * memfd_luo_freeze - record the final file position and seals
 * @args: LUO arguments of the preserved file
 *
 * Context: inside reboot(2); constant time.
 * Return: 0, or the error of reading the seals (then the kexec is
 * aborted).
 */
static int memfd_luo_freeze(struct liveupdate_file_op_args *args)
{
	struct memfd_luo_ser *ser = phys_to_virt(args->serialized_data);

	return memfd_luo_freeze_state(args->file, MEMFD_LUO_ALL_SEALS,
				      &ser->pos, &ser->seals);
}

/* Restore the folio of @rec and free it. */
static void memfd_luo_free_folio(const struct memfd_luo_folio_ser *rec)
{
	struct folio *folio;

	if (!rec->pfn)
		return;
	folio = kho_restore_folio(PFN_PHYS(rec->pfn));
	if (folio)
		folio_put(folio);
	else
		pr_warn("folio at pfn %#llx was not preserved\n",
			(unsigned long long)rec->pfn);
}

static void memfd_luo_free_folios(const struct memfd_luo_folio_ser *recs,
				  unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++)
		memfd_luo_free_folio(&recs[i]);
}

/* Insert the locked, charged @folio at @index into the memfd @inode. */
static int memfd_luo_add_folio(struct inode *inode, struct folio *folio,
			       pgoff_t index, gfp_t gfp)
{
	struct address_space *mapping = inode->i_mapping;
	long nr = folio_nr_pages(folio);
	int err;

	if (!IS_ALIGNED(index, nr))
		return -EINVAL;
	err = shmem_add_to_page_cache(folio, mapping, index, NULL, gfp);
	if (err)
		return err;
	err = shmem_inode_acct_blocks(inode, nr);
	if (err) {
		filemap_remove_folio(folio);
		return err;
	}
	shmem_recalc_inode(inode, nr, 0);
	return 0;
}

/* Restore the folio of @rec and put it into the page cache of @inode. */
static int memfd_luo_restore_folio(struct inode *inode,
				   const struct memfd_luo_folio_ser *rec)
{
	gfp_t gfp = mapping_gfp_mask(inode->i_mapping) | __GFP_NOFAIL;
	struct folio *folio;
	int err;

	if (!rec->pfn)
		return 0;
	folio = kho_restore_folio(PFN_PHYS(rec->pfn));
	if (!folio)
		return -EINVAL;
	folio = page_rmappable_folio(&folio->page);
	__folio_set_locked(folio);
	__folio_set_swapbacked(folio);
	folio_mark_uptodate(folio);
	err = mem_cgroup_charge(folio, NULL, gfp);
	if (!err)
		err = memfd_luo_add_folio(inode, folio, rec->index, gfp);
	if (!err) {
		folio_mark_dirty(folio);
		folio_add_lru(folio);
	}
	folio_unlock(folio);
	folio_put(folio);
	return err;
}

/* Folio records in one page of the folio array. */
#define MEMFD_LUO_RECS_PER_PAGE	(PAGE_SIZE / sizeof(struct memfd_luo_folio_ser))

/**
 * struct memfd_luo_in - a memfd of the previous kernel being retrieved
 * @ser: the page of its &struct memfd_luo_ser, taken back; NULL if there
 *       is none
 * @err: 0, or -EINVAL once its hand-over proved malformed: every later
 *       retrieve fails with it, and finish() frees what can be freed
 * @file: the new memfd, sized; NULL until it is created
 * @rec_pages: the pages of the folio records, taken back; NULL until then
 * @work: the background fill, memfd_luo_fill_work() on system_unbound_wq
 * @memcg: memory cgroup of the task that retrieved the file, which the
 *         fill charges
 * @locked: completed once the fill holds inode_lock(); on the stack of
 *          the task that retrieves the file, which waits for it
 *
 * The first retrieve allocates it.  While retrieves fail, LUO keeps it in
 * the file's private_data for the next retrieve and for finish(); once
 * one succeeds, the fill owns it and frees it when done.
 */
struct memfd_luo_in {
	struct folio *ser;
	int err;
	struct file *file;
	struct page **rec_pages;
	struct work_struct work;
	struct mem_cgroup *memcg;
	struct completion *locked;
};

static const struct memfd_luo_ser *memfd_luo_in_ser(const struct memfd_luo_in *in)
{
	return folio_address(in->ser);
}

/* Record @i of the folio array of @in. */
static const struct memfd_luo_folio_ser *
memfd_luo_in_rec(const struct memfd_luo_in *in, u64 i)
{
	const struct memfd_luo_folio_ser *recs;

	recs = page_address(in->rec_pages[i / MEMFD_LUO_RECS_PER_PAGE]);
	return &recs[i % MEMFD_LUO_RECS_PER_PAGE];
}

/* Free the pages of the folio records of @in. */
static void memfd_luo_in_free_recs(struct memfd_luo_in *in)
{
	unsigned int i;

	for (i = 0; i < memfd_luo_in_ser(in)->folios.total_pages; i++)
		__free_page(in->rec_pages[i]);
	kvfree(in->rec_pages);
	in->rec_pages = NULL;
}

/*
 * Check the folio records of @in: known flags, indices inside the file
 * and strictly increasing.  Reads the records only.
 */
static int memfd_luo_check_records(const struct memfd_luo_in *in)
{
	const struct memfd_luo_ser *ser = memfd_luo_in_ser(in);
	pgoff_t end = DIV_ROUND_UP(ser->size, PAGE_SIZE), next = 0;
	const struct memfd_luo_folio_ser *rec;
	u64 i;

	for (i = 0; i < ser->nr_folios; i++) {
		rec = memfd_luo_in_rec(in, i);
		if (!rec->pfn)
			continue;
		if ((rec->flags & ~MEMFD_LUO_FOLIO_FLAGS) ||
		    rec->index < next || rec->index >= end)
			return -EINVAL;
		next = rec->index + 1;
	}
	return 0;
}

/*
 * Insert every folio of @in into its file, then free @in.  Holds
 * inode_lock() of the file throughout, with SHMEM_F_POPULATING set until
 * the last folio is in.
 */
static void memfd_luo_fill_work(struct work_struct *work)
{
	struct memfd_luo_in *in = container_of(work, struct memfd_luo_in, work);
	u64 i, nr = memfd_luo_in_ser(in)->nr_folios, bad = 0;
	struct inode *inode = file_inode(in->file);
	struct mem_cgroup *old;

	inode_lock(inode);
	complete(in->locked);
	old = set_active_memcg(in->memcg);
	for (i = 0; i < nr; i++) {
		if (memfd_luo_restore_folio(inode, memfd_luo_in_rec(in, i)))
			bad++;
		cond_resched();
	}
	set_active_memcg(old);
	shmem_set_populating(inode, false);
	inode_unlock(inode);
	if (bad)
		pr_err("%llu folio(s) of a memfd are not preserved memory; they read as zero\n",
		       bad);
	mem_cgroup_put(in->memcg);
	memfd_luo_in_free_recs(in);
	fput(in->file);
	folio_put(in->ser);
	kfree(in);
}

/*
 * Start the background fill of the file of @in, which then owns @in.
 * Returns once the fill holds inode_lock() of the file.  Cannot fail.
 */
static void memfd_luo_fill_start(struct memfd_luo_in *in)
{
	DECLARE_COMPLETION_ONSTACK(locked);

	INIT_WORK(&in->work, memfd_luo_fill_work);
	get_file(in->file);
	in->memcg = get_mem_cgroup_from_current();
	in->locked = &locked;
	shmem_set_populating(file_inode(in->file), true);
	queue_work(system_unbound_wq, &in->work);
	wait_for_completion(&locked);
}

/* Folio records the folio array of @ser has room for. */
static u64 memfd_luo_capacity(const struct memfd_luo_ser *ser)
{
	return (u64)ser->folios.total_pages * MEMFD_LUO_RECS_PER_PAGE;
}

/* Free the folios of the records in one page of a folio array. */
static void memfd_luo_discard_page(const void *page, void *arg)
{
	u64 *left = arg, n = min_t(u64, *left, MEMFD_LUO_RECS_PER_PAGE);

	memfd_luo_free_folios(page, n);
	*left -= n;
}

/*
 * Free every folio of @ser, which nothing uses.  This allocates nothing,
 * so that FINISH frees everything also when memory is short.
 */
static void memfd_luo_discard(const struct memfd_luo_ser *ser)
{
	u64 left = ser->nr_folios;

	if (left)
		kho_discard_vmalloc(&ser->folios, memfd_luo_discard_page, &left);
}

/* Whether the next kernel can use @ser; frees its folios if not. */
static bool memfd_luo_ser_ok(const struct memfd_luo_ser *ser)
{
	if (ser->nr_folios > memfd_luo_capacity(ser)) {
		pr_err("a memfd record claims %llu folios, its folio array holds %llu\n",
		       ser->nr_folios, memfd_luo_capacity(ser));
		memfd_luo_discard(ser);
		return false;
	}
	if (ser->flags || (ser->seals & ~MEMFD_LUO_ALL_SEALS) ||
	    ser->size > MAX_LFS_FILESIZE || ser->pos > MAX_LFS_FILESIZE) {
		pr_err("a memfd record has invalid flags, seals, size or position\n");
		memfd_luo_discard(ser);
		return false;
	}
	return true;
}

/**
 * memfd_luo_claim_record - take back the page of a file's record
 * @phys: physical address the previous kernel gave for the record
 * @size: size of the record
 * @what: the kind of file, for the error line
 *
 * Shared by the memfd handlers of shmem and hugetlbfs.
 *
 * Return: the folio with one reference, or NULL, with an error line, if
 * the previous kernel preserved no folio of at least @size bytes there.
 */
struct folio *memfd_luo_claim_record(u64 phys, size_t size, const char *what)
{
	struct folio *folio = kho_restore_folio(phys);

	if (folio && folio_size(folio) >= size)
		return folio;
	pr_err("the record of a %s at %#llx is not preserved memory\n", what, phys);
	if (folio)
		folio_put(folio);
	return NULL;
}

static struct folio *memfd_luo_claim(u64 phys)
{
	return memfd_luo_claim_record(phys, sizeof(struct memfd_luo_ser), "memfd");
}

/* The state of the first retrieve of the memfd whose record is at @phys. */
static struct memfd_luo_in *memfd_luo_in_new(u64 phys)
{
	struct memfd_luo_in *in = kzalloc(sizeof(*in), GFP_KERNEL);

	if (!in)
		return NULL;
	in->ser = memfd_luo_claim(phys);
	if (!in->ser || !memfd_luo_ser_ok(memfd_luo_in_ser(in)))
		in->err = -EINVAL;
	return in;
}

/*
 * Free @in of a memfd whose retrieve never succeeded, with the new file,
 * the folios and whatever else of the memfd is still preserved.
 */
static void memfd_luo_in_free(struct memfd_luo_in *in)
{
	const struct memfd_luo_ser *ser;
	u64 i;

	if (in->file)
		fput(in->file);
	if (!in->ser)
		goto out;
	ser = memfd_luo_in_ser(in);
	if (in->rec_pages) {
		for (i = 0; i < ser->nr_folios; i++)
			memfd_luo_free_folio(memfd_luo_in_rec(in, i));
		memfd_luo_in_free_recs(in);
	} else if (!in->err) {
		memfd_luo_discard(ser);
	}
	folio_put(in->ser);
out:
	kfree(in);
}

/*
 * Take back what the memfd of @in needs and build its new file, going on
 * from where the last try stopped: each step either completes or leaves
 * @in as it was.  The folios are left to the fill.
 */
static int memfd_luo_prepare(struct memfd_luo_in *in)
{
	const struct memfd_luo_ser *ser = memfd_luo_in_ser(in);
	struct page **rec_pages;
	struct file *file;

	if (!in->file) {
		file = memfd_luo_new_file(0, ser->seals);
		if (IS_ERR(file))
			return PTR_ERR(file);
		i_size_write(file_inode(file), ser->size);
		in->file = file;
	}
	if (ser->nr_folios && !in->rec_pages) {
		rec_pages = kho_restore_vmalloc_pages(&ser->folios);
		if (IS_ERR(rec_pages)) {
			if (PTR_ERR(rec_pages) == -ENOMEM)
				return -ENOMEM;
			pr_err("the folio array of a memfd is not preserved memory\n");
			in->err = -EINVAL;
			return in->err;
		}
		in->rec_pages = rec_pages;
		if (memfd_luo_check_records(in)) {
			pr_err("the folio records of a memfd are malformed\n");
			in->err = -EINVAL;
			return in->err;
		}
	}
	return memfd_luo_restore_state(in->file, ser->pos, ser->seals);
}

/**
 * memfd_luo_retrieve - rebuild a preserved memfd in the next kernel
 * @args: LUO arguments; @args->file is set on success
 *
 * A retrieve that fails keeps what it took back in @args->private_data
 * (&struct memfd_luo_in), so that the next one goes on from there and
 * finish() can free it; a malformed hand-over fails every retrieve the
 * same way.  On success the folios reach the file in the background.
 *
 * Context: may sleep.
 * Return: 0, -EINVAL for a malformed hand-over, -ENOMEM, or the error of
 * creating or sealing the new memfd.
 */
static int memfd_luo_retrieve(struct liveupdate_file_op_args *args)
{
	struct memfd_luo_in *in = args->private_data;
	struct file *file;
	int err;

	if (!in) {
		in = memfd_luo_in_new(args->serialized_data);
		if (!in)
			return -ENOMEM;
		args->private_data = in;
	}
	if (in->err)
		return in->err;
	err = memfd_luo_prepare(in);
	if (err)
		return err;
	args->private_data = NULL;
	file = in->file;
	if (in->rec_pages) {
		memfd_luo_fill_start(in);
	} else {
		folio_put(in->ser);
		kfree(in);
	}
	args->file = file;
	return 0;
}

/**
 * memfd_luo_finish - release a preserved memfd in the next kernel
 * @args: LUO arguments of the incoming file
 *
 * A retrieved file has nothing left to release.  The folios of a file
 * never retrieved are freed, and so is what failed retrieves kept.  This
 * allocates nothing.
 *
 * Context: may sleep.
 */
static void memfd_luo_finish(struct liveupdate_file_op_args *args)
{
	struct folio *folio;

	if (args->retrieve_status)
		return;
	if (args->private_data) {
		memfd_luo_in_free(args->private_data);
		return;
	}
	folio = memfd_luo_claim(args->serialized_data);
	if (!folio)
		return;
	memfd_luo_discard(folio_address(folio));
	folio_put(folio);
}

/**
 * memfd_luo_get_id - the identity of a memfd for LUO
 * @file: a shmem or hugetlbfs memfd
 *
 * The inode, so that a memfd reached through two descriptors (dup(), or a
 * reopen through /proc/self/fd) cannot be preserved twice.
 *
 * Return: the inode pointer as a number.
 */
unsigned long memfd_luo_get_id(struct file *file)
{
	return (unsigned long)file_inode(file);
}

static const struct liveupdate_file_ops memfd_luo_file_ops = {
	.can_preserve = memfd_luo_can_preserve,
	.preserve = memfd_luo_preserve,
	.unpreserve = memfd_luo_unpreserve,
	.freeze = memfd_luo_freeze,
	.retrieve = memfd_luo_retrieve,
	.finish = memfd_luo_finish,
	.get_id = memfd_luo_get_id,
	.owner = THIS_MODULE,
};

static struct liveupdate_file_handler memfd_luo_handler = {
	.ops = &memfd_luo_file_ops,
	.compatible = MEMFD_LUO_FH_COMPATIBLE,
};

static int __init memfd_luo_init(void)
{
	int err;

	if (!liveupdate_enabled())
		return 0;
	err = liveupdate_register_file_handler(&memfd_luo_handler);
	if (err)
		pr_err("cannot register the memfd handler: %d\n", err);
	return 0;
}
late_initcall(memfd_luo_init);
