// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 */

/**
 * DOC: Live Update Orchestrator overview
 *
 * The Live Update Orchestrator (LUO) lets userspace keep chosen file
 * descriptors across a kexec.  An agent opens ``/dev/liveupdate`` (one
 * opener at a time), creates named sessions, and preserves files in them
 * under 64-bit tokens.  When the system kexecs, kernel_kexec() calls
 * liveupdate_reboot(), which freezes every file of every open session and
 * writes small records for them into memory that Kexec HandOver (KHO)
 * keeps in place.  The next kernel finds the records, and the agent takes
 * its sessions and files back by name and token and finishes them.
 *
 * Enabling: LUO is on with ``liveupdate=on`` on the command line and KHO
 * enabled (``kho=on``); otherwise ``/dev/liveupdate`` does not exist.
 *
 * Boot: an early_initcall takes the incoming hand-over apart while
 * nothing else can use it yet: the ``LUO`` KHO subtree, its session
 * and file block sets and its FLB region.  Everything is validated; the
 * file handlers themselves are looked up on the first open of
 * ``/dev/liveupdate``, because they register later in boot.  A late_initcall creates the
 * outgoing root, registers it as the ``LUO`` subtree and registers the
 * device.
 *
 * Failure: if the incoming hand-over is malformed, foreign or points at
 * memory the previous kernel did not preserve, one error line is printed
 * and LUO is disabled for this boot: nothing is handed to the next
 * kernel, file handlers cannot register, and every open of
 * ``/dev/liveupdate`` fails with EIO.  The same happens if the outgoing
 * root cannot be set up.  If the first open cannot find the handler of an
 * incoming file, that open and every later one fail with EIO.  Memory the
 * previous kernel preserved and LUO did not take back stays reserved until
 * the next reboot.  Nothing panics.
 *
 * Reboot: liveupdate_reboot() does not allocate and does no work
 * proportional to the amount of preserved memory; all blocks were
 * allocated when sessions were created and files preserved.  If a freeze
 * callback fails, everything frozen so far is unfrozen and the error is
 * returned by reboot(2); the sessions are as they were, and the agent can
 * fix the problem and try again.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kexec_handover.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "luo_internal.h"

/**
 * enum luo_state - whether LUO can be used in this boot
 * @LUO_OFF: not enabled on the command line, or KHO is off; no device
 * @LUO_ON: enabled and working
 * @LUO_FAILED: enabled, but the incoming hand-over was rejected or the
 *              outgoing one could not be set up; open fails with EIO
 */
enum luo_state {
	LUO_OFF,
	LUO_ON,
	LUO_FAILED,
};

/**
 * struct luo_global - global state of LUO
 * @state: see &enum luo_state; final after the late_initcall
 * @cmdline: ``liveupdate=`` was on
 * @has_incoming: the previous kernel handed LUO data over
 * @in_num: liveupdate number of the previous kernel, 0 after a cold boot
 * @out: the outgoing root, registered as the ``LUO`` KHO subtree
 * @in_use: ``/dev/liveupdate`` is open
 * @bind_lock: serializes the first open
 * @bind_done: the first open bound the incoming files to their handlers
 * @bind_err: error of that, returned by every later open
 */
struct luo_global {
	enum luo_state state;
	bool cmdline;
	bool has_incoming;
	u64 in_num;
	struct luo_ser *out;
	atomic_t in_use;
	struct mutex bind_lock;		/* serializes the first open */
	bool bind_done;
	int bind_err;
};

static struct luo_global luo_global = {
	.bind_lock = __MUTEX_INITIALIZER(luo_global.bind_lock),
};

static int __init luo_parse_cmdline(char *p)
{
	if (!p || kstrtobool(p, &luo_global.cmdline)) {
		pr_err("liveupdate=%s: expected on or off\n", p ? p : "");
		return -EINVAL;
	}
	return 0;
}
early_param("liveupdate", luo_parse_cmdline);

/**
 * liveupdate_enabled - is live update usable in this boot?
 *
 * Context: any.  Final once the late initcalls have run.
 * Return: true if ``liveupdate=on``, KHO is on and nothing failed.
 */
bool liveupdate_enabled(void)
{
	return READ_ONCE(luo_global.state) == LUO_ON;
}
EXPORT_SYMBOL_GPL(liveupdate_enabled);

/* The number of live updates that led to this boot; 0 after a cold boot. */
u64 luo_liveupdate_num(void)
{
	return luo_global.in_num;
}

const char *luo_state_name(void)
{
	switch (READ_ONCE(luo_global.state)) {
	case LUO_ON:
		return "on";
	case LUO_FAILED:
		return "failed";
	default:
		return "off";
	}
}

/**
 * liveupdate_reboot - hand every open session to the next kernel
 *
 * Called by kernel_kexec() before it shuts the system down.  Freezes the
 * files of every outgoing session and writes the records of sessions,
 * files and FLBs into their preserved blocks.  After success, sessions
 * can no longer change.
 *
 * Context: process context, from reboot(2); may sleep.
 * Return: 0 (also when live update is off), the error of a file
 * handler's freeze(), or -EINVAL if the FLB records are inconsistent (a
 * bug); on an error nothing was handed over and the system can continue.
 */
int liveupdate_reboot(void)
{
	int err;

	if (!liveupdate_enabled())
		return 0;
	kho_blackout_stamp(KHO_BLACKOUT_REBOOT);
	err = luo_session_serialize(luo_global.out);
	if (err) {
		pr_warn("kexec aborted: cannot freeze the sessions: %pe\n",
			ERR_PTR(err));
		return err;
	}
	kho_blackout_stamp(KHO_BLACKOUT_FROZEN);
	pr_info("handing over live update %llu\n", luo_global.out->liveupdate_num);
	return 0;
}

/* ------------------------------------------------------------------------
 * Incoming hand-over, at early boot
 */

static int __init luo_root_check(struct folio *folio, phys_addr_t phys,
				 size_t size)
{
	const struct luo_ser *root = folio_address(folio);

	if (size < sizeof(*root) || size > folio_size(folio)) {
		luo_reject("root at %pa has size %zu", &phys, size);
		return -EINVAL;
	}
	if (!luo_string_ok(root->compatible, sizeof(root->compatible)) ||
	    strcmp(root->compatible, LUO_ABI_COMPATIBLE)) {
		luo_reject("root has compatible \"%*pE\", this kernel reads \"%s\"",
			   (int)strnlen(root->compatible, sizeof(root->compatible)),
			   root->compatible, LUO_ABI_COMPATIBLE);
		return -EINVAL;
	}
	return 0;
}

static int __init luo_root_parse(struct folio *folio)
{
	const struct luo_ser *root = folio_address(folio);
	int err;

	luo_global.in_num = root->liveupdate_num;
	err = luo_flb_deserialize(root->flbs_pa);
	if (err)
		return err;
	err = luo_session_deserialize(root->sessions_pa);
	if (err)
		luo_flb_discard_incoming();
	return err;
}

static int __init luo_incoming_init(void)
{
	struct folio *folio;
	phys_addr_t phys;
	size_t size;
	int err;

	err = kho_retrieve_subtree(LUO_KHO_ENTRY_NAME, &phys, &size);
	if (err == -ENOENT)
		return 0;
	if (err) {
		luo_reject("KHO subtree %s is malformed (%pe)", LUO_KHO_ENTRY_NAME,
			   ERR_PTR(err));
		return err;
	}
	folio = kho_restore_folio(phys);
	if (!folio) {
		luo_reject("root at %pa is not preserved memory", &phys);
		return -EINVAL;
	}
	err = luo_root_check(folio, phys, size);
	if (!err)
		err = luo_root_parse(folio);
	folio_put(folio);
	if (err)
		return err;
	luo_global.has_incoming = true;
	pr_info("retrieved live update data, liveupdate number %llu\n",
		luo_global.in_num);
	return 0;
}

static int __init luo_early_init(void)
{
	if (!luo_global.cmdline)
		return 0;
	if (!kho_is_enabled()) {
		pr_warn("liveupdate=on needs kexec handover (kho=on); live update is off\n");
		return 0;
	}
	if (luo_incoming_init()) {
		luo_global.state = LUO_FAILED;
		return 0;
	}
	luo_global.state = LUO_ON;
	return 0;
}
early_initcall(luo_early_init);

/* ------------------------------------------------------------------------
 * Outgoing hand-over and the device, at late boot
 */

static int __init luo_out_init(void)
{
	struct luo_ser *root;
	int err;

	root = kho_alloc_preserve(sizeof(*root));
	if (IS_ERR(root))
		return PTR_ERR(root);
	strscpy_pad(root->compatible, LUO_ABI_COMPATIBLE, sizeof(root->compatible));
	root->liveupdate_num = luo_global.in_num + 1;
	err = luo_flb_out_init(&root->flbs_pa);
	if (err)
		goto err_free_root;
	err = kho_add_subtree(LUO_KHO_ENTRY_NAME, root, sizeof(*root));
	if (err)
		goto err_free_root;
	luo_global.out = root;
	return 0;

err_free_root:
	kho_unpreserve_free(root);
	return err;
}

/* The first open binds the incoming files to their handlers. */
static int luo_bind_once(void)
{
	guard(mutex)(&luo_global.bind_lock);
	if (!luo_global.bind_done) {
		luo_global.bind_err = luo_session_bind_incoming();
		luo_global.bind_done = true;
		if (luo_global.bind_err)
			pr_err("cannot restore the incoming sessions: %pe; /dev/liveupdate is unusable until reboot\n",
			       ERR_PTR(luo_global.bind_err));
	}
	return luo_global.bind_err ? -EIO : 0;
}

/*
 * Run a session ioctl of the device: reserve a descriptor, report it to
 * userspace, then let @get open the session by name and install it.  The
 * copy to userspace comes first, so that a fault never leaves a session
 * file behind whose release would have side effects.
 */
static int luo_install_session(struct luo_ucmd *ucmd, s32 *fdp, const __u8 *name,
			       int (*get)(const char *name, struct file **filep),
			       size_t size)
{
	struct file *file;
	int fd, err;

	if (!luo_string_ok((const char *)name, LIVEUPDATE_SESSION_NAME_LENGTH))
		return -EINVAL;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	*fdp = fd;
	err = luo_ucmd_respond(ucmd, size);
	if (err)
		goto err_put_fd;
	err = get((const char *)name, &file);
	if (err)
		goto err_put_fd;
	fd_install(fd, file);
	return 0;

err_put_fd:
	put_unused_fd(fd);
	return err;
}

static int luo_open(struct inode *inode, struct file *filp)
{
	int err;

	if (!liveupdate_enabled())
		return -EIO;
	if (atomic_cmpxchg(&luo_global.in_use, 0, 1))
		return -EBUSY;
	err = luo_bind_once();
	if (err) {
		atomic_set(&luo_global.in_use, 0);
		return err;
	}
	return nonseekable_open(inode, filp);
}

static int luo_release(struct inode *inode, struct file *filp)
{
	atomic_set(&luo_global.in_use, 0);
	return 0;
}

static int luo_ioctl_create_session(struct luo_ucmd *ucmd)
{
	struct liveupdate_ioctl_create_session *argp = ucmd->cmd;

	return luo_install_session(ucmd, &argp->fd, argp->name, luo_session_create,
				   sizeof(*argp));
}

static int luo_ioctl_retrieve_session(struct luo_ucmd *ucmd)
{
	struct liveupdate_ioctl_retrieve_session *argp = ucmd->cmd;

	return luo_install_session(ucmd, &argp->fd, argp->name, luo_session_retrieve,
				   sizeof(*argp));
}

union luo_dev_buffer {
	struct liveupdate_ioctl_create_session create;
	struct liveupdate_ioctl_retrieve_session retrieve;
};

static const struct luo_ioctl_op luo_dev_ops[] = {
	LUO_IOCTL_OP(LIVEUPDATE_CMD_BASE, union luo_dev_buffer,
		     LIVEUPDATE_IOCTL_CREATE_SESSION, luo_ioctl_create_session,
		     struct liveupdate_ioctl_create_session, name),
	LUO_IOCTL_OP(LIVEUPDATE_CMD_BASE, union luo_dev_buffer,
		     LIVEUPDATE_IOCTL_RETRIEVE_SESSION, luo_ioctl_retrieve_session,
		     struct liveupdate_ioctl_retrieve_session, name),
};

static long luo_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	union luo_dev_buffer buf;
	struct luo_ucmd ucmd = {};

	return luo_ioctl_dispatch(luo_dev_ops, ARRAY_SIZE(luo_dev_ops),
				  LIVEUPDATE_CMD_BASE, &ucmd, &buf, cmd, arg);
}

static const struct file_operations luo_fops = {
	.owner = THIS_MODULE,
	.open = luo_open,
	.release = luo_release,
	.unlocked_ioctl = luo_ioctl,
};

static struct miscdevice luo_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "liveupdate",
	.fops = &luo_fops,
};

static int __init luo_late_init(void)
{
	int err;

	if (luo_global.state == LUO_OFF)
		return 0;
	if (luo_global.state == LUO_ON) {
		err = luo_out_init();
		if (err) {
			pr_err("cannot set up the outgoing hand-over: %pe; live update is disabled\n",
			       ERR_PTR(err));
			WRITE_ONCE(luo_global.state, LUO_FAILED);
		}
	}
	err = misc_register(&luo_miscdev);
	if (err) {
		pr_err("cannot register /dev/liveupdate: %pe\n", ERR_PTR(err));
		WRITE_ONCE(luo_global.state, LUO_FAILED);
	}
	kho_blackout_stamp(KHO_BLACKOUT_LUO_READY);
	kho_blackout_report();
	luo_debugfs_init();
	return 0;
}
late_initcall(luo_late_init);

/* ------------------------------------------------------------------------
 * ioctl plumbing shared by the device and the sessions
 */

/**
 * luo_ucmd_respond - copy an ioctl's output back to userspace
 * @ucmd: the call
 * @size: size of the kernel's argument structure
 *
 * Copies no more than the user's structure holds.
 *
 * Return: 0 or -EFAULT.
 */
int luo_ucmd_respond(struct luo_ucmd *ucmd, size_t size)
{
	if (copy_to_user(ucmd->ubuffer, ucmd->cmd, min_t(size_t, ucmd->user_size, size)))
		return -EFAULT;
	return 0;
}

/**
 * luo_ioctl_dispatch - run one ioctl through a table
 * @ops: the table, indexed by command number minus @base
 * @nr_ops: entries in @ops
 * @base: command number of the first entry
 * @ucmd: the call; ubuffer, user_size and cmd are filled in here
 * @buf: kernel buffer large enough for every structure of @ops
 * @cmd: the command
 * @arg: the user pointer
 *
 * Return: the handler's result, -ENOIOCTLCMD (ENOTTY) for an unknown
 * command, -EFAULT, -EINVAL if the structure is too short or -E2BIG if
 * its unknown tail is not zero.
 */
long luo_ioctl_dispatch(const struct luo_ioctl_op *ops, unsigned int nr_ops,
			unsigned int base, struct luo_ucmd *ucmd, void *buf,
			unsigned int cmd, unsigned long arg)
{
	unsigned int nr = _IOC_NR(cmd);
	const struct luo_ioctl_op *op;
	int err;

	if (nr < base || nr - base >= nr_ops)
		return -ENOIOCTLCMD;
	op = &ops[nr - base];
	if (op->ioctl_num != cmd)
		return -ENOIOCTLCMD;
	ucmd->ubuffer = (void __user *)arg;
	if (get_user(ucmd->user_size, (u32 __user *)ucmd->ubuffer))
		return -EFAULT;
	if (ucmd->user_size < op->min_size)
		return -EINVAL;
	ucmd->cmd = buf;
	err = copy_struct_from_user(buf, op->size, ucmd->ubuffer, ucmd->user_size);
	if (err)
		return err;
	return op->execute(ucmd);
}

/**
 * luo_string_ok - is a fixed-size string field terminated and non-empty?
 * @s: the field
 * @size: its size
 *
 * Return: true if @s has a NUL within @size bytes and is not empty.
 */
bool luo_string_ok(const char *s, size_t size)
{
	size_t len = strnlen(s, size);

	return len && len < size;
}

/**
 * luo_blocks_restore - walk a KHO block set of the incoming hand-over
 * @head: physical address of its first block, or 0
 * @record_size: size of one record
 * @nr_records: records the set must hold, or KHO_BLOCK_COUNT_UNKNOWN
 * @fn: called for every record
 * @arg: passed to @fn
 * @what: what the records are, for the error message
 *
 * A malformed set is reported with luo_reject(); errors of @fn are
 * reported by @fn.
 *
 * Context: early boot.
 * Return: 0, -EINVAL or the error of @fn.
 */
int luo_blocks_restore(u64 head, size_t record_size, u64 nr_records,
		       kho_block_fn fn, void *arg, const char *what)
{
	struct kho_block_fault fault = {};
	int err;

	err = kho_block_set_restore(head, record_size, nr_records, fn, arg, &fault);
	if (err && fault.why)
		luo_reject("%s block at %#llx %s", what, fault.pa, fault.why);
	return err;
}
