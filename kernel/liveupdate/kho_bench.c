// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 */

/**
 * DOC: Kexec HandOver benchmark
 *
 * With ``CONFIG_KEXEC_HANDOVER_BENCH`` the directory
 * ``/sys/kernel/debug/kho_bench/`` measures what it costs to preserve
 * memory with KHO and, in the next kernel, to take it back.  It is a
 * benchmark, not a test: it reports numbers and checks only that what it
 * gets back is what it handed over.  ``make bench-kho`` drives it.
 *
 * ``preserve`` (write-only) takes ``SIZE ORDER``, for example ``1G 0``.
 * It allocates SIZE bytes as folios of ORDER with GFP_KERNEL |
 * __GFP_NORETRY | __GFP_NOWARN (as many as it gets), writes every folio
 * once with memset(), which is the baseline of the benchmark, and stores a
 * check word in the first u64 of every page.  Then it preserves every
 * folio with kho_preserve_folio() and counts the tracker pages KHO
 * allocated meanwhile (kho_out_tracker_pages()), the metadata cost of the
 * preservation.  The three loops (allocation, memset(), preservation) are
 * timed separately with local_clock().  The folios are listed in a
 * vmalloc'ed array, one u64 per folio (physical address ORed with the
 * order), preserved with kho_preserve_vmalloc() and described by a
 * &struct kho_bench_blob in a page from kho_alloc_preserve(), which is the
 * KHO subtree ``kho_bench``.  Only one preservation per boot is accepted.
 *
 * A kernel that finds the subtree ``kho_bench`` at boot (late_initcall)
 * restores the array, then times one loop that calls kho_restore_folio(),
 * checks the order and the check word of every page, and frees the folio
 * with folio_put(), for every folio.
 *
 * ``result`` (read-only) shows what happened in this boot as ``key=value``
 * lines, ``restore_*`` for the incoming set and ``preserve_*`` for the
 * outgoing one.  The same numbers are printed to the kernel log as one
 * line each, ``kho_bench: restore ...`` and ``kho_bench: preserve ...``.
 * Times are in nanoseconds, sizes in bytes.
 */

#define pr_fmt(fmt) "kho_bench: " fmt

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/kexec_handover.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "kexec_handover_internal.h"

#define KHO_BENCH_NAME		"kho_bench"
#define KHO_BENCH_MAGIC		0x4b484f42	/* "KHOB" */
/* Stored in each page, XORed with the page's physical address. */
#define KHO_BENCH_PATTERN	0x4b484f2d42454e43ULL	/* "KHO-BENC" */
/* An array entry is the folio's physical address ORed with its order. */
#define KHO_BENCH_ORDER_MASK	(PAGE_SIZE - 1)

/**
 * struct kho_bench_blob - the ``kho_bench`` subtree
 * @magic: KHO_BENCH_MAGIC
 * @order: order of every folio
 * @nr_folios: number of folios, and of valid entries in the array
 * @folios: the preserved vmalloc'ed array of folios
 */
struct kho_bench_blob {
	u32 magic;
	u32 order;
	u64 nr_folios;
	struct kho_vmalloc folios;
};

/**
 * struct kho_bench_preserve - the outgoing set and its measurements
 * @done: a preservation was attempted in this boot
 * @err: 0, or why it failed
 * @order: order of the folios
 * @nr_folios: folios allocated and preserved
 * @bytes: bytes preserved
 * @alloc_ns: time to allocate the folios
 * @memset_ns: time to write every folio once with memset()
 * @preserve_ns: time to preserve every folio with kho_preserve_folio()
 * @meta_pages: tracker pages allocated while preserving the folios
 * @entries: the vmalloc'ed array of folios
 * @blob: the subtree blob
 */
struct kho_bench_preserve {
	bool done;
	int err;
	unsigned int order;
	unsigned long nr_folios;
	unsigned long bytes;
	u64 alloc_ns;
	u64 memset_ns;
	u64 preserve_ns;
	unsigned long meta_pages;
	u64 *entries;
	struct kho_bench_blob *blob;
};

/**
 * struct kho_bench_restore - the incoming set and its measurements
 * @done: a ``kho_bench`` subtree was found in this boot
 * @err: 0, or why the set could not be restored
 * @order: order of the folios
 * @nr_folios: folios in the set
 * @restored: folios kho_restore_folio() gave back
 * @bad: restored folios with a wrong order or check word
 * @bytes: bytes restored
 * @restore_ns: time to restore, check and free every folio
 */
struct kho_bench_restore {
	bool done;
	int err;
	unsigned int order;
	unsigned long nr_folios;
	unsigned long restored;
	unsigned long bad;
	unsigned long bytes;
	u64 restore_ns;
};

/* Serializes the debugfs files; the initcall runs before they exist. */
static DEFINE_MUTEX(kho_bench_lock);
static struct kho_bench_preserve kho_bench_out;
static struct kho_bench_restore kho_bench_in;

static u64 kho_bench_word(phys_addr_t phys)
{
	return KHO_BENCH_PATTERN ^ phys;
}

static struct folio *kho_bench_folio(u64 entry)
{
	return pfn_folio(PHYS_PFN(entry & ~(u64)KHO_BENCH_ORDER_MASK));
}

/* ---- the incoming set ---- */

/* true if every page of @folio holds its check word */
static bool kho_bench_check(struct folio *folio)
{
	phys_addr_t phys = PFN_PHYS(folio_pfn(folio));
	char *addr = folio_address(folio);
	size_t off;

	for (off = 0; off < folio_size(folio); off += PAGE_SIZE)
		if (*(u64 *)(addr + off) != kho_bench_word(phys + off))
			return false;
	return true;
}

static void kho_bench_restore_folios(struct kho_bench_restore *in,
				     const u64 *entries)
{
	unsigned long i;
	struct folio *folio;
	u64 start;

	start = local_clock();
	for (i = 0; i < in->nr_folios; i++) {
		folio = kho_restore_folio(entries[i] & ~(u64)KHO_BENCH_ORDER_MASK);
		if (!folio)
			continue;
		in->restored++;
		in->bytes += folio_size(folio);
		if (folio_order(folio) != (entries[i] & KHO_BENCH_ORDER_MASK) ||
		    !kho_bench_check(folio))
			in->bad++;
		folio_put(folio);
		cond_resched();
	}
	in->restore_ns = local_clock() - start;
}

static int kho_bench_restore(struct kho_bench_restore *in)
{
	struct kho_bench_blob *blob;
	phys_addr_t phys;
	u64 *entries;
	size_t size;
	int err;

	err = kho_retrieve_subtree(KHO_BENCH_NAME, &phys, &size);
	if (err == -ENOENT)
		return 0;
	in->done = true;
	if (err)
		return err;
	blob = phys_to_virt(phys);
	if (size != sizeof(*blob) || blob->magic != KHO_BENCH_MAGIC ||
	    blob->order > MAX_PAGE_ORDER ||
	    blob->nr_folios > (u64)blob->folios.total_pages * PAGE_SIZE / sizeof(u64))
		return -EINVAL;
	in->order = blob->order;
	in->nr_folios = blob->nr_folios;
	entries = kho_restore_vmalloc(&blob->folios);
	kho_restore_free(blob);
	if (!entries)
		return -ENOMEM;
	kho_bench_restore_folios(in, entries);
	vfree(entries);
	return 0;
}

/* ---- the outgoing set ---- */

static void kho_bench_put_folios(struct kho_bench_preserve *out)
{
	unsigned long i;

	for (i = 0; i < out->nr_folios; i++)
		folio_put(kho_bench_folio(out->entries[i]));
}

static void kho_bench_unpreserve_folios(struct kho_bench_preserve *out,
					unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++)
		kho_unpreserve_folio(kho_bench_folio(out->entries[i]));
}

/* Allocate up to @nr folios of @order; time it. */
static int kho_bench_alloc_folios(struct kho_bench_preserve *out,
				  unsigned long nr)
{
	gfp_t gfp = GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN;
	struct folio *folio;
	u64 start;

	start = local_clock();
	while (out->nr_folios < nr) {
		folio = folio_alloc(gfp, out->order);
		if (!folio)
			break;
		out->entries[out->nr_folios++] = PFN_PHYS(folio_pfn(folio)) | out->order;
		cond_resched();
	}
	out->alloc_ns = local_clock() - start;
	out->bytes = out->nr_folios * (PAGE_SIZE << out->order);
	return out->nr_folios ? 0 : -ENOMEM;
}

/* Write every folio once (timed), then the check word of every page. */
static void kho_bench_fill_folios(struct kho_bench_preserve *out)
{
	struct folio *folio;
	phys_addr_t phys;
	unsigned long i;
	size_t off;
	u64 start;

	start = local_clock();
	for (i = 0; i < out->nr_folios; i++) {
		folio = kho_bench_folio(out->entries[i]);
		memset(folio_address(folio), 0xa5, folio_size(folio));
		cond_resched();
	}
	out->memset_ns = local_clock() - start;

	for (i = 0; i < out->nr_folios; i++) {
		folio = kho_bench_folio(out->entries[i]);
		phys = PFN_PHYS(folio_pfn(folio));
		for (off = 0; off < folio_size(folio); off += PAGE_SIZE)
			*(u64 *)(folio_address(folio) + off) = kho_bench_word(phys + off);
	}
}

/* Preserve every folio; time it and count the tracker pages it took. */
static int kho_bench_preserve_folios(struct kho_bench_preserve *out)
{
	unsigned long i, pages;
	int err = 0;
	u64 start;

	pages = kho_out_tracker_pages();
	start = local_clock();
	for (i = 0; i < out->nr_folios; i++) {
		err = kho_preserve_folio(kho_bench_folio(out->entries[i]));
		if (err)
			break;
		cond_resched();
	}
	out->preserve_ns = local_clock() - start;
	out->meta_pages = kho_out_tracker_pages() - pages;
	if (err)
		kho_bench_unpreserve_folios(out, i);
	return err;
}

/* Hand the array over as the ``kho_bench`` subtree. */
static int kho_bench_add_subtree(struct kho_bench_preserve *out)
{
	struct kho_bench_blob *blob;
	int err;

	blob = kho_alloc_preserve(sizeof(*blob));
	if (IS_ERR(blob))
		return PTR_ERR(blob);
	blob->magic = KHO_BENCH_MAGIC;
	blob->order = out->order;
	blob->nr_folios = out->nr_folios;
	err = kho_preserve_vmalloc(out->entries, &blob->folios);
	if (err)
		goto err_free_blob;
	err = kho_add_subtree(KHO_BENCH_NAME, blob, sizeof(*blob));
	if (err)
		goto err_unpreserve_array;
	out->blob = blob;
	return 0;

err_unpreserve_array:
	kho_unpreserve_vmalloc(&blob->folios);
err_free_blob:
	kho_unpreserve_free(blob);
	return err;
}

static int kho_bench_preserve(struct kho_bench_preserve *out, u64 size,
			      unsigned int order)
{
	unsigned long nr = size >> (PAGE_SHIFT + order);
	int err;

	out->order = order;
	out->entries = vcalloc(nr, sizeof(*out->entries));
	if (!out->entries)
		return -ENOMEM;
	err = kho_bench_alloc_folios(out, nr);
	if (err)
		goto err_free_array;
	kho_bench_fill_folios(out);
	err = kho_bench_preserve_folios(out);
	if (err)
		goto err_put_folios;
	err = kho_bench_add_subtree(out);
	if (err)
		goto err_unpreserve_folios;
	return 0;

err_unpreserve_folios:
	kho_bench_unpreserve_folios(out, out->nr_folios);
err_put_folios:
	kho_bench_put_folios(out);
err_free_array:
	vfree(out->entries);
	out->entries = NULL;
	return err;
}

/* ---- debugfs ---- */

static ssize_t kho_bench_preserve_write(struct file *file, const char __user *ubuf,
					size_t count, loff_t *ppos)
{
	struct kho_bench_preserve *out = &kho_bench_out;
	unsigned int order;
	char buf[32], *p;
	u64 size;

	if (!count || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';

	size = memparse(buf, &p);
	if (p == buf || *p != ' ' || kstrtouint(skip_spaces(p), 10, &order) ||
	    order > MAX_PAGE_ORDER || size < (PAGE_SIZE << order))
		return -EINVAL;
	if (!kho_is_enabled())
		return -EOPNOTSUPP;

	guard(mutex)(&kho_bench_lock);
	if (out->done)
		return -EBUSY;
	out->done = true;
	out->err = kho_bench_preserve(out, size, order);
	if (out->err) {
		pr_info("cannot preserve %llu bytes of order %u: %pe\n", size, order,
			ERR_PTR(out->err));
		return out->err;
	}
	pr_info("preserve order=%u folios=%lu bytes=%lu alloc_ns=%llu memset_ns=%llu preserve_ns=%llu meta_pages=%lu\n",
		out->order, out->nr_folios, out->bytes, out->alloc_ns,
		out->memset_ns, out->preserve_ns, out->meta_pages);
	return count;
}

static int kho_bench_result_show(struct seq_file *m, void *v)
{
	const struct kho_bench_preserve *out = &kho_bench_out;
	const struct kho_bench_restore *in = &kho_bench_in;

	guard(mutex)(&kho_bench_lock);
	if (in->done) {
		seq_printf(m, "restore_err=%d\n", in->err);
		seq_printf(m, "restore_order=%u\n", in->order);
		seq_printf(m, "restore_folios=%lu\n", in->nr_folios);
		seq_printf(m, "restore_restored=%lu\n", in->restored);
		seq_printf(m, "restore_bad=%lu\n", in->bad);
		seq_printf(m, "restore_bytes=%lu\n", in->bytes);
		seq_printf(m, "restore_ns=%llu\n", in->restore_ns);
	}
	if (out->done) {
		seq_printf(m, "preserve_err=%d\n", out->err);
		seq_printf(m, "preserve_order=%u\n", out->order);
		seq_printf(m, "preserve_folios=%lu\n", out->nr_folios);
		seq_printf(m, "preserve_bytes=%lu\n", out->bytes);
		seq_printf(m, "preserve_alloc_ns=%llu\n", out->alloc_ns);
		seq_printf(m, "preserve_memset_ns=%llu\n", out->memset_ns);
		seq_printf(m, "preserve_ns=%llu\n", out->preserve_ns);
		seq_printf(m, "preserve_meta_pages=%lu\n", out->meta_pages);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kho_bench_result);

static const struct file_operations kho_bench_preserve_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= kho_bench_preserve_write,
	.llseek	= noop_llseek,
};

static int __init kho_bench_init(void)
{
	struct kho_bench_restore *in = &kho_bench_in;
	struct dentry *dir;

	in->err = kho_bench_restore(in);
	if (in->err)
		pr_info("cannot restore the incoming set: %pe\n", ERR_PTR(in->err));
	else if (in->done)
		pr_info("restore order=%u folios=%lu restored=%lu bad=%lu bytes=%lu restore_ns=%llu\n",
			in->order, in->nr_folios, in->restored, in->bad,
			in->bytes, in->restore_ns);

	dir = debugfs_create_dir("kho_bench", NULL);
	debugfs_create_file("preserve", 0200, dir, NULL, &kho_bench_preserve_fops);
	debugfs_create_file("result", 0444, dir, NULL, &kho_bench_result_fops);
	return 0;
}
late_initcall(kho_bench_init);
