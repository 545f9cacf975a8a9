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
 * swapped, and it is freed on the last close.  A retrieve that fails,
 * for lack of memory say, loses nothing: the folios taken back so far
 * stay in the new memfd, kept aside with the rest of the hand-over, and
 * the next RETRIEVE_FD goes on from there (see &struct memfd_luo_in).
 * Finishing a file that was not retrieved frees its folios.
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

/* Folio records in one page of a folio array. */
#define MEMFD_LUO_RECS_PER_PAGE	(PAGE_SIZE / sizeof(struct memfd_luo_folio_ser))

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
 * struct memfd_luo_in - a memfd of the previous kernel being retrieved
 * @ser: the page of its &struct memfd_luo_ser, taken back; NULL if there
 *       is none
 * @err: 0, or -EINVAL once the hand-over of the memfd proved malformed:
 *       then what could be freed was, and retrieve() fails with it
 * @file: the new memfd; NULL until it is created
 * @rec_pages: the pages of the folio records, taken back; NULL until then
 * @next: the first record whose folio is not in @file yet
 * @folio: the folio of record @next, taken back but not in @file yet, or
 *         NULL
 *
 * Every step of a retrieve moves the memfd from the preserved memory into
 * @file and records how far it got, so that a step that fails for lack of
 * memory loses nothing: the next RETRIEVE_FD goes on from there, and
 * finish() frees what is here and what is still preserved.
 */
struct memfd_luo_in {
	struct folio *ser;
	int err;
	struct file *file;
	struct page **rec_pages;
	u64 next;
	struct folio *folio;
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

/* Free @in and everything of the memfd it still holds or that is preserved. */
static void memfd_luo_in_free(struct memfd_luo_in *in)
{
	const struct memfd_luo_ser *ser;
	unsigned int i;

	if (in->file)
		fput(in->file);
	if (in->folio) {
		folio_put(in->folio);
		in->next++;
	}
	if (!in->ser)
		goto out;
	ser = memfd_luo_in_ser(in);
	if (in->rec_pages) {
		for (; in->next < ser->nr_folios; in->next++)
			memfd_luo_free_folio(memfd_luo_in_rec(in, in->next));
		for (i = 0; i < ser->folios.total_pages; i++)
			__free_page(in->rec_pages[i]);
		kvfree(in->rec_pages);
	} else if (!in->err) {
		memfd_luo_discard(ser);
	}
	folio_put(in->ser);
out:
	kfree(in);
}

/*
 * The hand-over of the memfd of @in is malformed at record @in->next:
 * skip that record, and fail this retrieve and every later one.
 */
static int memfd_luo_in_reject(struct memfd_luo_in *in, const char *why)
{
	pr_err("record %llu of a memfd %s\n", in->next, why);
	if (in->folio) {
		folio_put(in->folio);
		in->folio = NULL;
	}
	in->next++;
	in->err = -EINVAL;
	return in->err;
}

/*
 * Insert @folio at @index into the memfd @inode, uptodate, dirty and
 * accounted as shmem does for its own folios.  On error @folio is as it
 * was: unlocked, uncharged and in no page cache.
 */
static int memfd_luo_add_folio(struct inode *inode, struct folio *folio,
			       pgoff_t index)
{
	struct address_space *mapping = inode->i_mapping;
	gfp_t gfp = mapping_gfp_mask(mapping);
	long nr = folio_nr_pages(folio);
	int err;

	__folio_set_locked(folio);
	__folio_set_swapbacked(folio);
	folio_mark_uptodate(folio);
	err = mem_cgroup_charge(folio, NULL, gfp);
	if (err)
		goto err_unlock;
	err = shmem_add_to_page_cache(folio, mapping, index, NULL, gfp);
	if (err)
		goto err_uncharge;
	err = shmem_inode_acct_blocks(inode, nr);
	if (err)
		goto err_remove;
	shmem_recalc_inode(inode, nr, 0);
	folio_mark_dirty(folio);
	folio_add_lru(folio);
	folio_unlock(folio);
	return 0;

err_remove:
	filemap_remove_folio(folio);
err_uncharge:
	mem_cgroup_uncharge(folio);
err_unlock:
	folio_unlock(folio);
	return err;
}

/*
 * Take back the folio of the record at @in->next and insert it into
 * @in->file; nothing for a record without a folio.
 */
static int memfd_luo_in_add_folio(struct memfd_luo_in *in)
{
	const struct memfd_luo_folio_ser *rec = memfd_luo_in_rec(in, in->next);
	struct folio *folio;
	int err;

	if (!in->folio) {
		if (!rec->pfn)
			return 0;
		if (rec->flags & ~MEMFD_LUO_FOLIO_FLAGS)
			return memfd_luo_in_reject(in, "has unknown flags");
		folio = kho_restore_folio(PFN_PHYS(rec->pfn));
		if (!folio)
			return memfd_luo_in_reject(in, "names no preserved folio");
		in->folio = page_rmappable_folio(&folio->page);
		if (!IS_ALIGNED(rec->index, folio_nr_pages(folio)))
			return memfd_luo_in_reject(in, "has a misaligned index");
	}
	err = memfd_luo_add_folio(file_inode(in->file), in->folio, rec->index);
	if (err == -EEXIST)
		return memfd_luo_in_reject(in, "repeats an index");
	if (err)
		return err;
	folio_put(in->folio);
	in->folio = NULL;
	return 0;
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

/*
 * Rebuild the memfd of @in in @in->file, from where the last try
 * stopped.  Each step either completes or leaves @in as it was.
 */
static int memfd_luo_rebuild(struct memfd_luo_in *in)
{
	const struct memfd_luo_ser *ser = memfd_luo_in_ser(in);
	struct page **rec_pages;
	struct file *file;
	loff_t pos;
	int err;

	if (!in->file) {
		file = memfd_luo_new_file(ser->seals);
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
	}
	while (in->next < ser->nr_folios) {
		err = memfd_luo_in_add_folio(in);
		if (err)
			return err;
		in->next++;
	}
	pos = vfs_setpos(in->file, ser->pos, MAX_LFS_FILESIZE);
	if (pos < 0)
		return pos;
	return memfd_add_seals(in->file, ser->seals & ~F_SEAL_EXEC);
}

/**
 * memfd_luo_retrieve - rebuild a preserved memfd in the next kernel
 * @args: LUO arguments; @args->file is set on success
 *
 * On error the memfd is not lost: what was taken back so far is kept in
 * @args->private_data, the next call goes on from there, and
 * memfd_luo_finish() frees it.  A malformed hand-over fails every call
 * with -EINVAL, after one error line.
 *
 * Context: may sleep.
 * Return: 0, -EINVAL for a malformed hand-over, -ENOMEM, or the error of
 * creating, filling or sealing the new memfd.
 */
static int memfd_luo_retrieve(struct liveupdate_file_op_args *args)
{
	struct memfd_luo_in *in = args->private_data;
	int err;

	if (!in) {
		in = memfd_luo_in_new(args->serialized_data);
		if (!in)
			return -ENOMEM;
		args->private_data = in;
	}
	if (in->err)
		return in->err;
	err = memfd_luo_rebuild(in);
	if (err)
		return err;
	args->file = in->file;
	in->file = NULL;
	memfd_luo_in_free(in);
	args->private_data = NULL;
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
