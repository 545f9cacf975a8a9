// SPDX-License-Identifier: GPL-2.0
/*
 * kexec_handover_debugfs.c - debugfs view of Kexec HandOver state
 *
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 */

/**
 * DOC: KHO debugfs interface
 *
 * A hand-over is a set of blobs in memory, described by a root flattened
 * device tree (see ``include/linux/kho/abi/kexec_handover.h``).  When
 * something goes wrong across a kexec, the first question is what the old
 * kernel actually handed over and what the new kernel actually received.
 * With ``CONFIG_KEXEC_HANDOVER_DEBUGFS`` both sides are exposed read-only
 * under ``/sys/kernel/debug/kho/``, byte for byte, so that standard device
 * tree tools can decode them, for example
 * ``fdtdump /sys/kernel/debug/kho/out/fdt`` or
 * ``dtc -I dtb -O dts /sys/kernel/debug/kho/in/fdt``::
 *
 *   kho/
 *     out/                what this kernel will hand to the next one
 *       fdt               the outgoing root FDT, as it is when opened
 *       scratch_phys      start address of each scratch area, one per line
 *       scratch_len       size of each scratch area, one per line
 *       preserved_pages   number of pages preserved for the next kernel
 *       sub_fdts/<name>   each blob registered with kho_add_subtree()
 *     in/                 what the previous kernel handed over (KHO boot)
 *       fdt               the incoming root FDT
 *       preserved_pages   number of preserved pages found at boot
 *       accounting        preserved, claimed (taken back by a restore
 *                         function), unclaimed (still reserved) and bad
 *                         pages (of claimable blocks, not reserved any
 *                         more): claimed + unclaimed = preserved, bad = 0
 *       kexec_metadata    release of the previous kernel and kexec count,
 *                         if it sent its kexec-metadata subtree
 *       sub_fdts/<name>   each blob named by a child of the incoming root
 *
 * All files have mode 0400.  The outgoing root FDT is edited in place by
 * kho_add_subtree() and kho_remove_subtree(), so ``out/fdt`` takes a
 * consistent copy of it each time it is opened.  Blob files show the live
 * memory of the blob: a blob that is itself an FDT can be fed to fdtdump,
 * any other blob is opaque to KHO and shown as is.  Property values in the
 * root FDT are native-endian u64, so dtc prints them as byte-swapped cells
 * on little-endian machines.
 *
 * ``out/sub_fdts/<name>`` disappears when the blob is removed with
 * kho_remove_subtree().  The files under ``in/`` are never removed: they
 * point into preserved memory, and reading one after its owner has freed
 * the blob reads freed memory.
 *
 * KHO does not depend on debugfs.  When debugfs is disabled, every
 * function here succeeds without doing anything.  If ``kho/`` cannot be
 * created for another reason, kho_debugfs_init() returns the error and
 * the other functions still do nothing.
 */

#define pr_fmt(fmt) "KHO: " fmt

#include <linux/cleanup.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/libfdt.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include "kexec_handover_internal.h"

/**
 * struct kho_debugfs_blob - an outgoing blob shown in ``kho/out/sub_fdts/``
 * @list: entry in kho_debugfs_blobs
 * @blob: the blob passed to kho_debugfs_blob_add(); the lookup key
 * @dentry: the debugfs file showing the blob
 * @wrapper: address and size of the blob, read by the debugfs file
 */
struct kho_debugfs_blob {
	struct list_head list;
	const void *blob;
	struct dentry *dentry;
	struct debugfs_blob_wrapper wrapper;
};

/*
 * kho_debugfs_lock protects kho_debugfs_blobs and kho_debugfs_out_sub, and
 * makes creating or removing an outgoing blob file atomic with the update
 * of its list entry.  It is taken inside kho_out_fdt_lock when the core
 * adds or removes a subtree with that lock held, and nothing is acquired
 * while holding it apart from debugfs internals.  debugfs_remove() waits
 * for in-flight reads of the file, which take no KHO lock.
 */
static DEFINE_MUTEX(kho_debugfs_lock);
static LIST_HEAD(kho_debugfs_blobs);
static struct dentry *kho_debugfs_out_sub;

/*
 * kho/, or NULL when debugfs is not available.  Written only by
 * kho_debugfs_init(), which the core calls before the other functions.
 */
static struct dentry *kho_debugfs_root;

/* The incoming root FDT; in/ is created once and never removed. */
static struct debugfs_blob_wrapper kho_in_fdt_wrapper;

/**
 * struct kho_fdt_snapshot - a copy of the outgoing root FDT for one reader
 * @size: number of valid bytes in @data
 * @data: the copy
 */
struct kho_fdt_snapshot {
	size_t size;
	u8 data[] __counted_by(size);
};

/* Bytes of @fdt worth showing: its total size, or the whole page if bogus. */
static size_t kho_fdt_size(const void *fdt)
{
	if (fdt_check_header(fdt))
		return KHO_FDT_SIZE;

	return min_t(size_t, fdt_totalsize(fdt), KHO_FDT_SIZE);
}

static int kho_out_fdt_open(struct inode *inode, struct file *file)
{
	const void *fdt = inode->i_private;
	struct kho_fdt_snapshot *snap;
	size_t size;

	guard(mutex)(&kho_out_fdt_lock);
	size = kho_fdt_size(fdt);
	snap = kmalloc(struct_size(snap, data, size), GFP_KERNEL);
	if (!snap)
		return -ENOMEM;

	snap->size = size;
	memcpy(snap->data, fdt, size);
	file->private_data = snap;
	return 0;
}

static ssize_t kho_out_fdt_read(struct file *file, char __user *buf,
				size_t count, loff_t *ppos)
{
	const struct kho_fdt_snapshot *snap = file->private_data;

	return simple_read_from_buffer(buf, count, ppos, snap->data,
				       snap->size);
}

static int kho_out_fdt_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static const struct file_operations kho_out_fdt_fops = {
	.owner		= THIS_MODULE,
	.open		= kho_out_fdt_open,
	.read		= kho_out_fdt_read,
	.llseek		= default_llseek,
	.release	= kho_out_fdt_release,
};

static int kho_scratch_phys_show(struct seq_file *m, void *v)
{
	unsigned int i;

	for (i = 0; i < kho_scratch_cnt; i++)
		seq_printf(m, "0x%llx\n", (u64)kho_scratch[i].addr);

	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kho_scratch_phys);

static int kho_scratch_len_show(struct seq_file *m, void *v)
{
	unsigned int i;

	for (i = 0; i < kho_scratch_cnt; i++)
		seq_printf(m, "0x%llx\n", (u64)kho_scratch[i].size);

	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kho_scratch_len);

static int kho_out_pages_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%lu\n", kho_out_preserved_pages());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kho_out_pages);

static int kho_in_pages_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%lu\n", kho_in_preserved_pages());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kho_in_pages);

static int kho_in_accounting_show(struct seq_file *m, void *v)
{
	struct kho_in_account acct;

	kho_in_account(&acct);
	seq_printf(m, "preserved_pages %lu\nclaimed_pages %lu\nunclaimed_pages %lu\nbad_pages %lu\n",
		   acct.preserved, acct.claimed, acct.unclaimed, acct.bad);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kho_in_accounting);

/* True if @err means that debugfs is disabled or not usable at all. */
static bool kho_debugfs_unavailable(long err)
{
	return err == -ENODEV || err == -EPERM || err == -ENOENT;
}

/**
 * kho_debugfs_init() - create the KHO debugfs root directory
 *
 * Creates ``/sys/kernel/debug/kho/``.  Must be called before the other
 * kho_*debugfs* functions; without it they do nothing.
 *
 * Context: Process context, called once during KHO initialization.
 * Return: 0 on success or if debugfs is not available (disabled on the
 * command line or not initialized), otherwise a negative errno.
 */
int kho_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("kho", NULL);

	if (IS_ERR(dir))
		return kho_debugfs_unavailable(PTR_ERR(dir)) ? 0 : PTR_ERR(dir);

	kho_debugfs_root = dir;
	return 0;
}

/* Fill kho/out/; return the sub_fdts/ dentry or an ERR_PTR. */
static struct dentry *kho_out_debugfs_populate(struct dentry *dir, void *fdt)
{
	struct dentry *d;

	d = debugfs_create_file("fdt", 0400, dir, fdt, &kho_out_fdt_fops);
	if (IS_ERR(d))
		return d;

	d = debugfs_create_file("scratch_phys", 0400, dir, NULL,
				&kho_scratch_phys_fops);
	if (IS_ERR(d))
		return d;

	d = debugfs_create_file("scratch_len", 0400, dir, NULL,
				&kho_scratch_len_fops);
	if (IS_ERR(d))
		return d;

	d = debugfs_create_file("preserved_pages", 0400, dir, NULL,
				&kho_out_pages_fops);
	if (IS_ERR(d))
		return d;

	return debugfs_create_dir("sub_fdts", dir);
}

/**
 * kho_out_debugfs_init() - create the debugfs view of the outgoing state
 * @fdt: the outgoing root FDT page; must stay valid for the kernel's life
 *
 * Creates ``kho/out/`` with ``fdt``, ``scratch_phys``, ``scratch_len`` and
 * an empty ``sub_fdts/`` directory that kho_debugfs_blob_add() fills.
 * ``fdt`` is read under kho_out_fdt_lock.  Nothing is left behind on
 * failure.
 *
 * Context: Process context, called once during KHO initialization, after
 * kho_debugfs_init().
 * Return: 0 on success or if debugfs is not available, otherwise a
 * negative errno.
 */
int kho_out_debugfs_init(void *fdt)
{
	struct dentry *dir, *sub;

	if (!kho_debugfs_root)
		return 0;

	dir = debugfs_create_dir("out", kho_debugfs_root);
	if (IS_ERR(dir))
		return PTR_ERR(dir);

	sub = kho_out_debugfs_populate(dir, fdt);
	if (IS_ERR(sub)) {
		debugfs_remove(dir);
		return PTR_ERR(sub);
	}

	scoped_guard(mutex, &kho_debugfs_lock)
		kho_debugfs_out_sub = sub;

	return 0;
}

/* Read the native-endian, possibly unaligned u64 property @name of @node. */
static int kho_fdt_get_u64(const void *fdt, int node, const char *name,
			   u64 *val)
{
	const void *prop;
	int len;

	prop = fdt_getprop(fdt, node, name, &len);
	if (!prop || len != sizeof(u64))
		return -EINVAL;

	*val = get_unaligned((const u64 *)prop);
	return 0;
}

/*
 * Show the incoming blob described by child @node of the root FDT as
 * in/sub_fdts/<node name>.  The wrapper lives as long as the file, that is
 * forever.
 */
static void kho_in_debugfs_add_subtree(struct dentry *dir, const void *fdt,
				       int node)
{
	const char *name = fdt_get_name(fdt, node, NULL);
	struct debugfs_blob_wrapper *wrapper;
	struct dentry *d;
	u64 phys, size;

	if (!name)
		return;

	if (kho_fdt_get_u64(fdt, node, KHO_SUB_TREE_PROP_NAME, &phys) ||
	    kho_fdt_get_u64(fdt, node, KHO_SUB_TREE_SIZE_PROP_NAME, &size)) {
		pr_warn("incoming subtree '%s' has no valid address or size, not shown in debugfs\n",
			name);
		return;
	}

	wrapper = kmalloc(sizeof(*wrapper), GFP_KERNEL);
	if (!wrapper)
		return;

	wrapper->data = phys_to_virt(phys);
	wrapper->size = size;
	d = debugfs_create_blob(name, 0400, dir, wrapper);
	if (IS_ERR(d)) {
		pr_warn("cannot show incoming subtree '%s' in debugfs: %pe\n",
			name, d);
		kfree(wrapper);
	}
}

static int kho_in_metadata_show(struct seq_file *m, void *v)
{
	const struct kho_kexec_metadata *meta = kho_in_metadata();

	if (meta)
		seq_printf(m, "previous_release %s\nkexec_count %u\n",
			   meta->previous_release, meta->kexec_count);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kho_in_metadata);

/* Fill kho/in/; return the sub_fdts/ dentry or an ERR_PTR. */
static struct dentry *kho_in_debugfs_populate(struct dentry *dir,
					      const void *fdt)
{
	struct dentry *d;

	kho_in_fdt_wrapper.data = (void *)fdt;
	kho_in_fdt_wrapper.size = fdt_totalsize(fdt);
	d = debugfs_create_blob("fdt", 0400, dir, &kho_in_fdt_wrapper);
	if (IS_ERR(d))
		return d;

	d = debugfs_create_file("preserved_pages", 0400, dir, NULL,
				&kho_in_pages_fops);
	if (IS_ERR(d))
		return d;

	d = debugfs_create_file("accounting", 0400, dir, NULL,
				&kho_in_accounting_fops);
	if (IS_ERR(d))
		return d;

	d = debugfs_create_file("kexec_metadata", 0400, dir, NULL,
				&kho_in_metadata_fops);
	if (IS_ERR(d))
		return d;

	return debugfs_create_dir("sub_fdts", dir);
}

/**
 * kho_in_debugfs_init() - create the debugfs view of the incoming state
 * @fdt: the incoming root FDT, mapped for the kernel's life
 *
 * Creates ``kho/in/`` with ``fdt`` and one ``sub_fdts/<name>`` file per
 * child of the root that carries valid KHO_SUB_TREE_PROP_NAME and
 * KHO_SUB_TREE_SIZE_PROP_NAME properties; other children are skipped with
 * a warning.  Blobs are read through phys_to_virt().  Failures only cost
 * the debugfs view: they are reported and otherwise ignored.
 *
 * Context: Process context, called once on a KHO boot, after
 * kho_debugfs_init().
 */
void kho_in_debugfs_init(const void *fdt)
{
	struct dentry *dir, *sub;
	int node;

	if (!kho_debugfs_root || !fdt)
		return;

	if (fdt_check_header(fdt)) {
		pr_warn("incoming FDT is invalid, not shown in debugfs\n");
		return;
	}

	dir = debugfs_create_dir("in", kho_debugfs_root);
	if (IS_ERR(dir)) {
		pr_warn("cannot create debugfs kho/in: %pe\n", dir);
		return;
	}

	sub = kho_in_debugfs_populate(dir, fdt);
	if (IS_ERR(sub)) {
		pr_warn("cannot populate debugfs kho/in: %pe\n", sub);
		debugfs_remove(dir);
		return;
	}

	fdt_for_each_subnode(node, fdt, 0)
		kho_in_debugfs_add_subtree(sub, fdt, node);
}

/**
 * kho_debugfs_blob_add() - show an outgoing blob in debugfs
 * @name: file name in ``kho/out/sub_fdts/``, the subtree name
 * @blob: the blob; must stay valid until kho_debugfs_blob_remove()
 * @size: size of @blob in bytes
 *
 * The file reads the live content of @blob, so later changes to the blob
 * are visible.
 *
 * Context: Process context; takes kho_debugfs_lock.
 * Return: 0 on success or if ``kho/out/`` does not exist, -ENOMEM if the
 * bookkeeping cannot be allocated, or the errno of the debugfs file
 * creation (-EEXIST if @name is already shown).
 */
int kho_debugfs_blob_add(const char *name, const void *blob, size_t size)
{
	struct kho_debugfs_blob *entry;
	struct dentry *dentry;

	guard(mutex)(&kho_debugfs_lock);
	if (!kho_debugfs_out_sub)
		return 0;

	entry = kzalloc(sizeof(*entry), GFP_KERNEL);
	if (!entry)
		return -ENOMEM;

	entry->blob = blob;
	entry->wrapper.data = (void *)blob;
	entry->wrapper.size = size;
	dentry = debugfs_create_blob(name, 0400, kho_debugfs_out_sub,
				     &entry->wrapper);
	if (IS_ERR(dentry)) {
		kfree(entry);
		return PTR_ERR(dentry);
	}

	entry->dentry = dentry;
	list_add_tail(&entry->list, &kho_debugfs_blobs);
	return 0;
}

static struct kho_debugfs_blob *kho_debugfs_blob_find(const void *blob)
{
	struct kho_debugfs_blob *entry;

	lockdep_assert_held(&kho_debugfs_lock);
	list_for_each_entry(entry, &kho_debugfs_blobs, list) {
		if (entry->blob == blob)
			return entry;
	}

	return NULL;
}

/**
 * kho_debugfs_blob_remove() - stop showing an outgoing blob in debugfs
 * @blob: the blob passed to kho_debugfs_blob_add()
 *
 * Removes the file of @blob and frees its bookkeeping.  Returns only once
 * no reader can access @blob through the file any more, so the caller may
 * free @blob afterwards.  Does nothing if @blob is not shown.
 *
 * Context: Process context; takes kho_debugfs_lock.
 */
void kho_debugfs_blob_remove(const void *blob)
{
	struct kho_debugfs_blob *entry;

	guard(mutex)(&kho_debugfs_lock);
	entry = kho_debugfs_blob_find(blob);
	if (!entry)
		return;

	list_del(&entry->list);
	debugfs_remove(entry->dentry);
	kfree(entry);
}
