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
 * MFD_HUGETLB.  Linked tmpfs files and hugetlbfs memfds are refused
 * (PRESERVE_FD fails with ENOENT).
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
 * Retrieve (next kernel): a new memfd is created, the folios are restored
 * and inserted into its page cache (uptodate and dirty, so they are never
 * dropped as clean), accounted like folios shmem allocates itself, size
 * and position are set and the seals applied again.  The memfd is then an
 * ordinary memfd: it can grow if its seals allow, its memory can be
 * swapped, and it is freed on the last close.  Finishing a file that was
 * never retrieved frees its folios.
 *
 * Locking: preserve() and unpreserve() take inode_lock() of the file to
 * change the frozen flag and to read a stable size; the flag then keeps
 * the layout stable without the lock.  LUO never runs two callbacks of one
 * file concurrently.  The other callbacks touch only the handler's own
 * preserved structures, or a file nobody else can see yet.
 */

#define pr_fmt(fmt) "memfd_luo: " fmt

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
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <uapi/linux/memfd.h>

#include "internal.h"

/* Name of a retrieved memfd (the user-given name is not preserved). */
#define MEMFD_LUO_NAME	"memfd:"

static bool memfd_luo_can_preserve(struct liveupdate_file_handler *handler,
				   struct file *file)
{
	struct inode *inode = file_inode(file);

	return shmem_file(file) && !inode->i_nlink;
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
	seals = memfd_get_seals(args->file);
	if (seals < 0 || (seals & ~MEMFD_LUO_ALL_SEALS)) {
		err = seals < 0 ? seals : -EOPNOTSUPP;
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
	int seals = memfd_get_seals(args->file);

	/* Seals can only be added, and only ones the format carries exist. */
	if (seals < 0 || (seals & ~MEMFD_LUO_ALL_SEALS))
		return seals < 0 ? seals : -EOPNOTSUPP;
	ser->pos = READ_ONCE(args->file->f_pos);
	ser->seals = seals;
	return 0;
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
			       pgoff_t index)
{
	struct address_space *mapping = inode->i_mapping;
	long nr = folio_nr_pages(folio);
	int err;

	if (!IS_ALIGNED(index, nr))
		return -EINVAL;
	err = shmem_add_to_page_cache(folio, mapping, index, NULL,
				      mapping_gfp_mask(mapping));
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
	struct folio *folio;
	int err;

	if (!rec->pfn)
		return 0;
	if (rec->flags & ~MEMFD_LUO_FOLIO_FLAGS)
		return -EINVAL;
	folio = kho_restore_folio(PFN_PHYS(rec->pfn));
	if (!folio)
		return -EINVAL;
	folio = page_rmappable_folio(&folio->page);
	__folio_set_locked(folio);
	__folio_set_swapbacked(folio);
	folio_mark_uptodate(folio);
	err = mem_cgroup_charge(folio, NULL, mapping_gfp_mask(inode->i_mapping));
	if (!err)
		err = memfd_luo_add_folio(inode, folio, rec->index);
	if (!err) {
		folio_mark_dirty(folio);
		folio_add_lru(folio);
	}
	folio_unlock(folio);
	folio_put(folio);
	return err;
}

/* Fill the new memfd @file with the preserved folios of @ser. */
static int memfd_luo_restore_contents(struct file *file,
				      const struct memfd_luo_ser *ser)
{
	struct memfd_luo_folio_ser *recs;
	unsigned long i;
	int err = 0;

	if (!ser->nr_folios)
		return 0;
	recs = kho_restore_vmalloc(&ser->folios);
	if (!recs)
		return -ENOMEM;
	for (i = 0; i < ser->nr_folios; i++) {
		err = memfd_luo_restore_folio(file_inode(file), &recs[i]);
		if (err) {
			memfd_luo_free_folios(recs + i + 1,
					      ser->nr_folios - i - 1);
			break;
		}
	}
	vfree(recs);
	return err;
}

/*
 * A new, empty memfd that can carry the seals @seals.  shmem reports a
 * failed inode allocation as -ENOSPC; the internal mount has no limits,
 * so that can only be a lack of memory, which RETRIEVE_FD reports as
 * -ENOMEM.
 */
static struct file *memfd_luo_new_file(u32 seals)
{
	unsigned int flags = MFD_ALLOW_SEALING;
	struct file *file;

	/* F_SEAL_EXEC on an executable file would imply the write seals. */
	if (seals & F_SEAL_EXEC)
		flags |= MFD_NOEXEC_SEAL;
	file = memfd_alloc_file(MEMFD_LUO_NAME, flags);
	if (IS_ERR(file) && PTR_ERR(file) == -ENOSPC)
		return ERR_PTR(-ENOMEM);
	return file;
}

/* Folio records the folio array of @ser has room for. */
static u64 memfd_luo_capacity(const struct memfd_luo_ser *ser)
{
	return (u64)ser->folios.total_pages * PAGE_SIZE /
	       sizeof(struct memfd_luo_folio_ser);
}

/* Free the folios of the records in one page of a folio array. */
static void memfd_luo_discard_page(const void *page, void *arg)
{
	u64 *left = arg, n = min_t(u64, *left, PAGE_SIZE / sizeof(struct memfd_luo_folio_ser));

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

/* Rebuild the memfd described by @ser. */
static struct file *memfd_luo_rebuild(const struct memfd_luo_ser *ser)
{
	struct file *file;
	loff_t pos;
	int err;

	if (ser->nr_folios > memfd_luo_capacity(ser)) {
		pr_err("a memfd record claims %llu folios, its folio array holds %llu\n",
		       ser->nr_folios, memfd_luo_capacity(ser));
		memfd_luo_discard(ser);
		return ERR_PTR(-EINVAL);
	}
	if (ser->flags || (ser->seals & ~MEMFD_LUO_ALL_SEALS) ||
	    ser->size > MAX_LFS_FILESIZE) {
		memfd_luo_discard(ser);
		return ERR_PTR(-EINVAL);
	}
	file = memfd_luo_new_file(ser->seals);
	if (IS_ERR(file)) {
		memfd_luo_discard(ser);
		return file;
	}
	i_size_write(file_inode(file), ser->size);
	err = memfd_luo_restore_contents(file, ser);
	if (err)
		goto err_put;
	pos = vfs_setpos(file, ser->pos, MAX_LFS_FILESIZE);
	if (pos < 0) {
		err = pos;
		goto err_put;
	}
	err = memfd_add_seals(file, ser->seals & ~F_SEAL_EXEC);
	if (err)
		goto err_put;
	return file;

err_put:
	fput(file);
	return ERR_PTR(err);
}

/*
 * Take back the page of the &struct memfd_luo_ser at @phys; NULL, with an
 * error line, if the previous kernel preserved no such page there.
 */
static struct folio *memfd_luo_claim(u64 phys)
{
	struct folio *folio = kho_restore_folio(phys);

	if (folio && folio_size(folio) >= sizeof(struct memfd_luo_ser))
		return folio;
	pr_err("the record of a memfd at %#llx is not preserved memory\n", phys);
	if (folio)
		folio_put(folio);
	return NULL;
}

/**
 * memfd_luo_retrieve - rebuild a preserved memfd in the next kernel
 * @args: LUO arguments; @args->file is set on success
 *
 * The preserved state is consumed in all cases: on error the folios that
 * were not put into the new file are freed, and the new file with the
 * others is released.
 *
 * Context: may sleep.
 * Return: 0, -EINVAL for a malformed hand-over, -ENOMEM, or the error of
 * creating, filling or sealing the new memfd.
 */
static int memfd_luo_retrieve(struct liveupdate_file_op_args *args)
{
	struct folio *folio = memfd_luo_claim(args->serialized_data);
	struct file *file;

	if (!folio)
		return -EINVAL;
	file = memfd_luo_rebuild(folio_address(folio));
	folio_put(folio);
	if (IS_ERR(file))
		return PTR_ERR(file);
	args->file = file;
	return 0;
}

/**
 * memfd_luo_finish - release a preserved memfd in the next kernel
 * @args: LUO arguments of the incoming file
 *
 * A retrieved file, or one whose retrieve failed, has nothing left to
 * release.  The folios of a file never retrieved are freed.
 *
 * Context: may sleep.
 */
static void memfd_luo_finish(struct liveupdate_file_op_args *args)
{
	struct folio *folio;

	if (args->retrieve_status)
		return;
	folio = memfd_luo_claim(args->serialized_data);
	if (!folio)
		return;
	memfd_luo_discard(folio_address(folio));
	folio_put(folio);
}

static unsigned long memfd_luo_get_id(struct file *file)
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
