// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 */

/**
 * DOC: Live Update Orchestrator test handler and FLBs
 *
 * With ``CONFIG_LIVEUPDATE_TEST`` and live update enabled, this file
 * registers a file handler for a test file type and links three test FLBs
 * to it, so that the selftests can exercise LUO across a real kexec
 * without any other preservable file type.
 *
 * Test files: every open of ``/sys/kernel/debug/liveupdate_test/file``
 * is a separate test file holding a payload of up to 256 bytes; write()
 * replaces the payload, read() returns it.  The handler
 * (``lu612,test-file-v1``) accepts exactly these files (and the
 * files it restores itself).  preserve() copies the payload into one page
 * from kho_alloc_preserve(), freeze() copies it again so that writes made
 * after PRESERVE_FD reach the next kernel, and retrieve() rebuilds an
 * anonymous test file from the page, which takes read(), write(),
 * lseek(), pread() and pwrite() as the preserved file did; a failed
 * retrieve() keeps the page it took back for the next try.  finish()
 * frees the page of a file that was not retrieved.
 *
 * Knobs in the same directory: ``fail_freeze``, an errno number that
 * freeze() returns (negated) while it is not 0, after ``fail_freeze_skip``
 * more calls succeeded, to test the reboot error path; ``fail_retrieve``,
 * an errno number that retrieve() returns (negated; the file stays
 * retrievable) while it is not 0; ``refuse_finish``,
 * which makes can_finish() refuse while it is not 0; ``stats``, the
 * number of calls of every callback and whether each FLB has an outgoing
 * object; ``corrupt``, which damages the outgoing LUO hand-over from a
 * reboot notifier, after liveupdate_reboot() wrote it, so that the next
 * kernel's validation can be tested: ``compatible`` gives the root the
 * compatible string of our previous release ("luo-v1"), ``sessions``
 * points the session set at a page that is not preserved, ``count`` makes
 * the recorded number of files of the first session one too high, and
 * ``block`` links the first session block to itself.
 *
 * Mainline's test FLBs ``liveupdate-test-flb-v0`` to ``-v2`` are linked to
 * every file handler as in mainline, with the same data, so that FLB
 * records cross between this kernel and mainline: each found in the
 * hand-over is retrieved at boot and checked.
 *
 * Test FLBs ``lu612,test-flb-v0`` to ``-v2``: preserve() hands over
 * one page holding a magic number and the FLB's index, retrieve() checks
 * it, finish() and unpreserve() check that they get the object back.
 *
 * With ``luo_test.expect_damage=1`` (the previous kernel damaged the
 * hand-over on purpose, see luo_mutate.c) a failed check is reported as
 * "# damage found:" instead of "not ok".
 *
 * At late boot the test checks the registration rules (missing
 * callbacks, duplicates, unknown links) and asks for the incoming object
 * of each test FLB.  Every check prints a KTAP line at the start of a
 * console line, "ok N - luo_test: ..." or "not ok N - luo_test: ...".
 */

/* KTAP lines must start the console line: no prefix here. */
#define pr_fmt(fmt) fmt

#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/kexec_handover.h>
#include <linux/kho/abi/luo.h>
#include <linux/libfdt.h>
#include <linux/liveupdate.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/reboot.h>
#include <linux/unaligned.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "kexec_handover_internal.h"
#include "luo_internal.h"

#define LUO_TEST_HANDLER_COMPATIBLE	KHO_VENDOR_PREFIX "test-file-v1"
#define LUO_TEST_FLB_COMPATIBLE(i)	KHO_VENDOR_PREFIX "test-flb-v" #i
#define LUO_TEST_NR_FLBS		3
#define LUO_TEST_PAYLOAD_MAX		256
#define LUO_TEST_FILE_MAGIC		0x4c554f5446494c45ULL	/* "LUOTFILE" */
#define LUO_TEST_FLB_MAGIC		0xfeedf00dcafebee0ULL

/**
 * struct luo_test_file_ser - a test file in the hand-over (one page)
 * @magic: LUO_TEST_FILE_MAGIC
 * @len: bytes of @payload in use
 * @payload: the payload
 */
struct luo_test_file_ser {
	u64 magic;
	u64 len;
	char payload[LUO_TEST_PAYLOAD_MAX];
} __packed;

/**
 * struct luo_test_flb_ser - a test FLB in the hand-over (one page)
 * @magic: LUO_TEST_FLB_MAGIC
 * @index: the FLB's index
 */
struct luo_test_flb_ser {
	u64 magic;
	u64 index;
} __packed;

/**
 * struct luo_test_obj - an open test file
 * @lock: protects @len and @payload
 * @len: bytes of @payload in use
 * @payload: the payload
 */
struct luo_test_obj {
	struct mutex lock;	/* protects @len and @payload */
	size_t len;
	char payload[LUO_TEST_PAYLOAD_MAX];
};

enum luo_test_counter {
	LT_PRESERVE, LT_UNPRESERVE, LT_FREEZE, LT_UNFREEZE, LT_RETRIEVE,
	LT_CAN_FINISH, LT_FINISH, LT_FLB_PRESERVE, LT_FLB_UNPRESERVE,
	LT_FLB_RETRIEVE, LT_FLB_FINISH, LT_NR_COUNTERS,
};

static const char * const luo_test_counter_names[LT_NR_COUNTERS] = {
	"preserve", "unpreserve", "freeze", "unfreeze", "retrieve",
	"can_finish", "finish", "flb_preserve", "flb_unpreserve",
	"flb_retrieve", "flb_finish",
};

static atomic_long_t luo_test_counters[LT_NR_COUNTERS];
static atomic_t luo_test_nr;
static u32 luo_test_fail_freeze;
static u32 luo_test_fail_freeze_skip;
static u32 luo_test_fail_retrieve;
static bool luo_test_refuse_finish;
static char luo_test_corrupt[16];

static bool expect_damage;
module_param(expect_damage, bool, 0444);
MODULE_PARM_DESC(expect_damage, "The previous kernel damaged the hand-over on purpose: report failed checks as damage found, not as failures");

static __printf(2, 3) void luo_test_report(bool ok, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (!ok && expect_damage)
		pr_info("# damage found: luo_test: %pV\n", &vaf);
	else
		pr_info("%sok %d - luo_test: %pV\n", ok ? "" : "not ",
			atomic_inc_return(&luo_test_nr), &vaf);
	va_end(args);
}

static void luo_test_count(enum luo_test_counter c)
{
	atomic_long_inc(&luo_test_counters[c]);
}

/* ------------------------------------------------------------------------
 * The test file type
 */

static const struct file_operations luo_test_file_fops;

static struct luo_test_obj *luo_test_obj_alloc(const char *payload, size_t len)
{
	struct luo_test_obj *obj = kzalloc_obj(*obj);

	if (!obj)
		return NULL;
	mutex_init(&obj->lock);
	memcpy(obj->payload, payload, len);
	obj->len = len;
	return obj;
}

static int luo_test_file_open(struct inode *inode, struct file *file)
{
	file->private_data = luo_test_obj_alloc("", 0);
	return file->private_data ? 0 : -ENOMEM;
}

static int luo_test_file_release(struct inode *inode, struct file *file)
{
	struct luo_test_obj *obj = file->private_data;

	mutex_destroy(&obj->lock);
	kfree(obj);
	return 0;
}

static ssize_t luo_test_file_read(struct file *file, char __user *buf,
				  size_t count, loff_t *ppos)
{
	struct luo_test_obj *obj = file->private_data;

	guard(mutex)(&obj->lock);
	return simple_read_from_buffer(buf, count, ppos, obj->payload, obj->len);
}

static ssize_t luo_test_file_write(struct file *file, const char __user *buf,
				   size_t count, loff_t *ppos)
{
	struct luo_test_obj *obj = file->private_data;

	if (count > LUO_TEST_PAYLOAD_MAX)
		return -EFBIG;
	guard(mutex)(&obj->lock);
	if (copy_from_user(obj->payload, buf, count))
		return -EFAULT;
	obj->len = count;
	return count;
}

static const struct file_operations luo_test_file_fops = {
	.open = luo_test_file_open,
	.release = luo_test_file_release,
	.read = luo_test_file_read,
	.write = luo_test_file_write,
	.llseek = default_llseek,
};

/* ------------------------------------------------------------------------
 * The test file handler
 */

static void luo_test_save(struct luo_test_file_ser *ser, struct luo_test_obj *obj)
{
	guard(mutex)(&obj->lock);
	ser->magic = LUO_TEST_FILE_MAGIC;
	ser->len = obj->len;
	memcpy(ser->payload, obj->payload, obj->len);
}

static bool luo_test_can_preserve(struct liveupdate_file_handler *fh,
				  struct file *file)
{
	return file->f_op == &luo_test_file_fops;
}

static int luo_test_preserve(struct liveupdate_file_op_args *args)
{
	struct luo_test_file_ser *ser;

	ser = kho_alloc_preserve(sizeof(*ser));
	if (IS_ERR(ser))
		return PTR_ERR(ser);
	luo_test_save(ser, args->file->private_data);
	args->serialized_data = virt_to_phys(ser);
	args->private_data = ser;
	luo_test_count(LT_PRESERVE);
	return 0;
}

static void luo_test_unpreserve(struct liveupdate_file_op_args *args)
{
	kho_unpreserve_free(args->private_data);
	luo_test_count(LT_UNPRESERVE);
}

static int luo_test_freeze(struct liveupdate_file_op_args *args)
{
	u32 err = READ_ONCE(luo_test_fail_freeze);
	u32 skip = READ_ONCE(luo_test_fail_freeze_skip);

	luo_test_count(LT_FREEZE);
	if (err && skip)
		WRITE_ONCE(luo_test_fail_freeze_skip, skip - 1);
	else if (err)
		return -(int)err;
	luo_test_save(args->private_data, args->file->private_data);
	return 0;
}

static void luo_test_unfreeze(struct liveupdate_file_op_args *args)
{
	luo_test_count(LT_UNFREEZE);
}

/* Take the page of a test file back; NULL if it was not preserved. */
static struct folio *luo_test_restore(u64 phys)
{
	struct folio *folio = kho_restore_folio(phys);

	if (!folio)
		luo_test_report(false, "file data at %#llx is not preserved", phys);
	return folio;
}

static bool luo_test_ser_ok(const struct luo_test_file_ser *ser)
{
	return ser->magic == LUO_TEST_FILE_MAGIC && ser->len <= LUO_TEST_PAYLOAD_MAX;
}

/*
 * The page of the file: taken back by the first retrieve(), kept in
 * @args->private_data until one succeeds.  An error pointer, kept too,
 * if there is no such page.
 */
static struct folio *luo_test_retrieve_page(struct liveupdate_file_op_args *args)
{
	struct folio *folio = args->private_data;

	if (folio)
		return folio;
	folio = luo_test_restore(args->serialized_data);
	if (!folio)
		folio = ERR_PTR(-EINVAL);
	else if (!luo_test_ser_ok(folio_address(folio)))
		luo_test_report(false, "file data at %#llx is corrupt",
				args->serialized_data);
	args->private_data = folio;
	return folio;
}

static int luo_test_retrieve(struct liveupdate_file_op_args *args)
{
	struct folio *folio = luo_test_retrieve_page(args);
	struct luo_test_file_ser *ser;
	struct luo_test_obj *obj;
	struct file *file;

	if (IS_ERR(folio))
		return PTR_ERR(folio);
	ser = folio_address(folio);
	if (!luo_test_ser_ok(ser))
		return -EINVAL;
	if (READ_ONCE(luo_test_fail_retrieve)) {
		luo_test_count(LT_RETRIEVE);
		return -(int)READ_ONCE(luo_test_fail_retrieve);
	}
	obj = luo_test_obj_alloc(ser->payload, ser->len);
	if (!obj)
		return -ENOMEM;
	file = anon_inode_getfile("[luo_test]", &luo_test_file_fops, obj, O_RDWR);
	if (IS_ERR(file)) {
		kfree(obj);
		return PTR_ERR(file);
	}
	/*
	 * A pseudo file gets no FMODE_PREAD or FMODE_PWRITE; the preserved
	 * file, opened in debugfs, had them: pread() and pwrite() must keep
	 * working on the file that comes back.
	 */
	file->f_mode |= FMODE_PREAD | FMODE_PWRITE;
	folio_put(folio);
	args->private_data = NULL;
	args->file = file;
	luo_test_count(LT_RETRIEVE);
	return 0;
}

static bool luo_test_can_finish(struct liveupdate_file_op_args *args)
{
	luo_test_count(LT_CAN_FINISH);
	return !READ_ONCE(luo_test_refuse_finish);
}

static void luo_test_finish(struct liveupdate_file_op_args *args)
{
	struct folio *folio;

	luo_test_count(LT_FINISH);
	if (args->retrieve_status)
		return;
	/* Not retrieved: free the page, kept by a failed retrieve() or not. */
	folio = args->private_data ?: luo_test_restore(args->serialized_data);
	if (!IS_ERR_OR_NULL(folio))
		folio_put(folio);
}

static unsigned long luo_test_get_id(struct file *file)
{
	return (unsigned long)file->private_data;
}

static const struct liveupdate_file_ops luo_test_file_ops = {
	.can_preserve = luo_test_can_preserve,
	.preserve = luo_test_preserve,
	.unpreserve = luo_test_unpreserve,
	.freeze = luo_test_freeze,
	.unfreeze = luo_test_unfreeze,
	.retrieve = luo_test_retrieve,
	.can_finish = luo_test_can_finish,
	.finish = luo_test_finish,
	.get_id = luo_test_get_id,
	.owner = THIS_MODULE,
};

static struct liveupdate_file_handler luo_test_handler = {
	.ops = &luo_test_file_ops,
	.compatible = LUO_TEST_HANDLER_COMPATIBLE,
};

/* ------------------------------------------------------------------------
 * The test FLBs
 */

static int luo_test_flb_index(struct liveupdate_flb *flb);

static int luo_test_flb_preserve(struct liveupdate_flb_op_args *args)
{
	int i = luo_test_flb_index(args->flb);
	struct luo_test_flb_ser *ser;

	ser = kho_alloc_preserve(sizeof(*ser));
	if (IS_ERR(ser))
		return PTR_ERR(ser);
	ser->magic = LUO_TEST_FLB_MAGIC;
	ser->index = i;
	args->data = virt_to_phys(ser);
	args->obj = ser;
	luo_test_count(LT_FLB_PRESERVE);
	luo_test_report(true, "flb%d preserved for its first dependent file", i);
	return 0;
}

static void luo_test_flb_unpreserve(struct liveupdate_flb_op_args *args)
{
	int i = luo_test_flb_index(args->flb);

	luo_test_report(args->obj && virt_to_phys(args->obj) == args->data,
			"flb%d unpreserved after its last dependent file", i);
	kho_unpreserve_free(args->obj);
	luo_test_count(LT_FLB_UNPRESERVE);
}

static int luo_test_flb_retrieve(struct liveupdate_flb_op_args *args)
{
	int i = luo_test_flb_index(args->flb);
	struct luo_test_flb_ser *ser;
	struct folio *folio;

	folio = kho_restore_folio(args->data);
	if (!folio) {
		luo_test_report(false, "flb%d data at %#llx is not preserved", i,
				args->data);
		return -EINVAL;
	}
	ser = folio_address(folio);
	if (ser->magic != LUO_TEST_FLB_MAGIC || ser->index != i) {
		luo_test_report(false, "flb%d data from the previous kernel is corrupt", i);
		folio_put(folio);
		return -EINVAL;
	}
	args->obj = ser;
	luo_test_count(LT_FLB_RETRIEVE);
	luo_test_report(true, "flb%d found its data from the previous kernel", i);
	return 0;
}

static void luo_test_flb_finish(struct liveupdate_flb_op_args *args)
{
	int i = luo_test_flb_index(args->flb);
	struct luo_test_flb_ser *ser = args->obj;

	luo_test_report(ser && ser->magic == LUO_TEST_FLB_MAGIC && ser->index == i,
			"flb%d finished after its last dependent file", i);
	if (ser)
		folio_put(virt_to_folio(ser));
	luo_test_count(LT_FLB_FINISH);
}

static const struct liveupdate_flb_ops luo_test_flb_ops = {
	.preserve = luo_test_flb_preserve,
	.unpreserve = luo_test_flb_unpreserve,
	.retrieve = luo_test_flb_retrieve,
	.finish = luo_test_flb_finish,
	.owner = THIS_MODULE,
};

static struct liveupdate_flb luo_test_flbs[LUO_TEST_NR_FLBS] = {
	{ .ops = &luo_test_flb_ops, .compatible = LUO_TEST_FLB_COMPATIBLE(0) },
	{ .ops = &luo_test_flb_ops, .compatible = LUO_TEST_FLB_COMPATIBLE(1) },
	{ .ops = &luo_test_flb_ops, .compatible = LUO_TEST_FLB_COMPATIBLE(2) },
};

static int luo_test_flb_index(struct liveupdate_flb *flb)
{
	return flb - luo_test_flbs;
}

/* ------------------------------------------------------------------------
 * The test FLBs of mainline's LUO test, linked to every file handler, so
 * that FLBs cross between this kernel and mainline in both directions
 */

static int luo_test_ml_index(struct liveupdate_flb *flb);

static int luo_test_ml_preserve(struct liveupdate_flb_op_args *args)
{
	args->data = LIVEUPDATE_TEST_FLB_MAGIC + luo_test_ml_index(args->flb);
	return 0;
}

static void luo_test_ml_unpreserve(struct liveupdate_flb_op_args *args)
{
}

static int luo_test_ml_retrieve(struct liveupdate_flb_op_args *args)
{
	u64 want = LIVEUPDATE_TEST_FLB_MAGIC + luo_test_ml_index(args->flb);

	luo_test_report(args->data == want,
			"%s: data %#llx from the previous kernel, expected %#llx",
			args->flb->compatible, args->data, want);
	if (args->data != want)
		return -EINVAL;
	args->obj = (void *)(uintptr_t)args->data;
	return 0;
}

static void luo_test_ml_finish(struct liveupdate_flb_op_args *args)
{
	u64 want = LIVEUPDATE_TEST_FLB_MAGIC + luo_test_ml_index(args->flb);

	luo_test_report(args->obj == (void *)(uintptr_t)want,
			"%s: finished with the object it retrieved",
			args->flb->compatible);
}

static const struct liveupdate_flb_ops luo_test_ml_ops = {
	.preserve = luo_test_ml_preserve,
	.unpreserve = luo_test_ml_unpreserve,
	.retrieve = luo_test_ml_retrieve,
	.finish = luo_test_ml_finish,
	.owner = THIS_MODULE,
};

static struct liveupdate_flb luo_test_ml_flbs[] = {
	{ .ops = &luo_test_ml_ops, .compatible = LIVEUPDATE_TEST_FLB_COMPATIBLE(0) },
	{ .ops = &luo_test_ml_ops, .compatible = LIVEUPDATE_TEST_FLB_COMPATIBLE(1) },
	{ .ops = &luo_test_ml_ops, .compatible = LIVEUPDATE_TEST_FLB_COMPATIBLE(2) },
};

static int luo_test_ml_index(struct liveupdate_flb *flb)
{
	return flb - luo_test_ml_flbs;
}

/* Ask once for what the previous kernel handed over of them. */
static void luo_test_ml_incoming(void)
{
	void *obj;
	int i, err;

	for (i = 0; i < ARRAY_SIZE(luo_test_ml_flbs); i++) {
		err = liveupdate_flb_get_incoming(&luo_test_ml_flbs[i], &obj);
		if (err == -ENODATA || err == -ENOENT)
			pr_info("# luo_test: %s: nothing handed over\n",
				luo_test_ml_flbs[i].compatible);
	}
}

/**
 * liveupdate_test_register - link mainline's test FLBs to a new handler
 * @fh: a file handler that was just registered
 *
 * Called by liveupdate_register_file_handler() for every handler, as
 * mainline's test does.  The first call also retrieves the incoming state
 * of the FLBs; a wrong data handle is a test failure.
 *
 * Context: process context, no LUO lock held.
 */
void liveupdate_test_register(struct liveupdate_file_handler *fh)
{
	static DEFINE_MUTEX(lock);
	static bool checked;
	int i, err;

	scoped_guard(mutex, &lock) {
		if (!checked)
			luo_test_ml_incoming();
		checked = true;
	}
	for (i = 0; i < ARRAY_SIZE(luo_test_ml_flbs); i++) {
		err = liveupdate_register_flb(fh, &luo_test_ml_flbs[i]);
		if (err)
			luo_test_report(false, "%s cannot be linked to %s: %pe",
					luo_test_ml_flbs[i].compatible,
					fh->compatible, ERR_PTR(err));
	}
}

/* ------------------------------------------------------------------------
 * debugfs and boot-time checks
 */

static int luo_test_stats_show(struct seq_file *m, void *unused)
{
	void *obj;
	int i;

	for (i = 0; i < LT_NR_COUNTERS; i++)
		seq_printf(m, "%s %ld\n", luo_test_counter_names[i],
			   atomic_long_read(&luo_test_counters[i]));
	for (i = 0; i < LUO_TEST_NR_FLBS; i++) {
		if (liveupdate_flb_get_outgoing(&luo_test_flbs[i], &obj))
			obj = NULL;
		seq_printf(m, "flb%d_outgoing %s\n", i, obj ? "set" : "none");
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(luo_test_stats);

static ssize_t luo_test_corrupt_write(struct file *file, const char __user *buf,
				      size_t count, loff_t *ppos)
{
	char mode[sizeof(luo_test_corrupt)];

	if (!count || count >= sizeof(mode))
		return -EINVAL;
	if (copy_from_user(mode, buf, count))
		return -EFAULT;
	mode[count] = '\0';
	strim(mode);
	if (strcmp(mode, "compatible") && strcmp(mode, "sessions") &&
	    strcmp(mode, "count") && strcmp(mode, "block"))
		return -EINVAL;
	strscpy(luo_test_corrupt, mode);
	return count;
}

static const struct file_operations luo_test_corrupt_fops = {
	.write = luo_test_corrupt_write,
};

/* The outgoing LUO root, found through the outgoing KHO FDT. */
static struct luo_ser *luo_test_out_root(void)
{
	const void *fdt = kho_out_fdt(), *prop;
	int off, len;

	guard(mutex)(&kho_out_fdt_lock);
	off = fdt_subnode_offset(fdt, 0, LUO_KHO_ENTRY_NAME);
	if (off < 0)
		return NULL;
	prop = fdt_getprop(fdt, off, KHO_SUB_TREE_PROP_NAME, &len);
	if (!prop || len != sizeof(u64))
		return NULL;
	return phys_to_virt(get_unaligned((const u64 *)prop));
}

/* The first block of the outgoing session set, or NULL. */
static struct kho_block_header_ser *luo_test_first_block(struct luo_ser *root)
{
	return root->sessions_pa ? phys_to_virt(root->sessions_pa) : NULL;
}

static void luo_test_damage(struct luo_ser *root)
{
	struct kho_block_header_ser *block = luo_test_first_block(root);
	struct luo_session_ser *ser = block ? (void *)(block + 1) : NULL;
	struct page *page;

	if (!strcmp(luo_test_corrupt, "compatible")) {
		/* The name our previous release wrote. */
		strscpy_pad(root->compatible, "luo-v1");
	} else if (!strcmp(luo_test_corrupt, "sessions")) {
		page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (page)
			root->sessions_pa = page_to_phys(page);
	} else if (!strcmp(luo_test_corrupt, "count") && ser) {
		ser->file_set_ser.count++;
	} else if (!strcmp(luo_test_corrupt, "block") && block) {
		block->next = root->sessions_pa;
	}
}

/* Runs in kernel_restart_prepare(), after liveupdate_reboot(). */
static int luo_test_reboot(struct notifier_block *nb, unsigned long action,
			   void *cmd)
{
	struct luo_ser *root;

	if (!luo_test_corrupt[0])
		return NOTIFY_DONE;
	root = luo_test_out_root();
	if (!root)
		return NOTIFY_DONE;
	luo_test_damage(root);
	pr_info("luo_test: damaged the outgoing LUO hand-over (%s)\n",
		luo_test_corrupt);
	return NOTIFY_DONE;
}

static struct notifier_block luo_test_reboot_nb = {
	.notifier_call = luo_test_reboot,
};

static void __init luo_test_debugfs(void)
{
	struct dentry *dir = debugfs_create_dir("liveupdate_test", NULL);

	debugfs_create_file_unsafe("file", 0600, dir, NULL, &luo_test_file_fops);
	debugfs_create_u32("fail_freeze", 0600, dir, &luo_test_fail_freeze);
	debugfs_create_u32("fail_freeze_skip", 0600, dir, &luo_test_fail_freeze_skip);
	debugfs_create_u32("fail_retrieve", 0600, dir, &luo_test_fail_retrieve);
	debugfs_create_file("corrupt", 0200, dir, NULL, &luo_test_corrupt_fops);
	debugfs_create_bool("refuse_finish", 0600, dir, &luo_test_refuse_finish);
	debugfs_create_file("stats", 0400, dir, NULL, &luo_test_stats_fops);
}

static const struct liveupdate_file_ops luo_test_bad_ops = {
	.can_preserve = luo_test_can_preserve,
	.preserve = luo_test_preserve,
};

static struct liveupdate_file_handler luo_test_bad_handler = {
	.ops = &luo_test_bad_ops,
	.compatible = KHO_VENDOR_PREFIX "test-bad-v1",
};

static struct liveupdate_file_handler luo_test_dup_handler = {
	.ops = &luo_test_file_ops,
	.compatible = LUO_TEST_HANDLER_COMPATIBLE,
};

static struct liveupdate_flb luo_test_dup_flb = {
	.ops = &luo_test_flb_ops,
	.compatible = LUO_TEST_FLB_COMPATIBLE(0),
};

static void __init luo_test_check(const char *what, int got, int want)
{
	luo_test_report(got == want, "%s (%d, expected %d)", what, got, want);
}

static void __init luo_test_registration(void)
{
	void *obj = &obj;
	int i;

	luo_test_check("a handler without retrieve and finish is refused",
		       liveupdate_register_file_handler(&luo_test_bad_handler), -EINVAL);
	luo_test_check("a second handler with the same compatible is refused",
		       liveupdate_register_file_handler(&luo_test_dup_handler), -EEXIST);
	for (i = 0; i < LUO_TEST_NR_FLBS; i++)
		luo_test_check("test flb linked to the test handler",
			       liveupdate_register_flb(&luo_test_handler,
						       &luo_test_flbs[i]), 0);
	luo_test_check("linking flb0 twice is refused",
		       liveupdate_register_flb(&luo_test_handler, &luo_test_flbs[0]),
		       -EEXIST);
	luo_test_check("another flb with the compatible of flb0 is refused",
		       liveupdate_register_flb(&luo_test_handler, &luo_test_dup_flb),
		       -EEXIST);
	luo_test_check("an flb cannot be linked to an unregistered handler",
		       liveupdate_register_flb(&luo_test_dup_handler, &luo_test_dup_flb),
		       -EINVAL);
	luo_test_check("unlinking an flb that is not linked fails",
		       liveupdate_unregister_flb(&luo_test_handler, &luo_test_dup_flb),
		       -ENOENT);
	luo_test_report(!liveupdate_flb_get_outgoing(&luo_test_flbs[0], &obj) && !obj,
			"flb0 has no outgoing object before any file is preserved");
}

static void __init luo_test_incoming(void)
{
	void *obj;
	int i, err;

	for (i = 0; i < LUO_TEST_NR_FLBS; i++) {
		err = liveupdate_flb_get_incoming(&luo_test_flbs[i], &obj);
		if (err == -ENODATA || err == -ENOENT)
			luo_test_report(true, "flb%d: nothing handed over (%pe)", i,
					ERR_PTR(err));
		else
			luo_test_report(!err && obj, "flb%d incoming object: %pe", i,
					ERR_PTR(err));
	}
}

static int __init luo_test_init(void)
{
	int err;

	if (!liveupdate_enabled())
		return 0;
	err = liveupdate_register_file_handler(&luo_test_handler);
	luo_test_report(!err, "test file handler registered (%d)", err);
	if (err)
		return 0;
	luo_test_registration();
	luo_test_incoming();
	luo_test_debugfs();
	register_reboot_notifier(&luo_test_reboot_nb);
	return 0;
}
late_initcall(luo_test_init);
