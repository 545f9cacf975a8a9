// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 */

/**
 * DOC: LUO preserved files and file handlers
 *
 * A file handler (&struct liveupdate_file_handler) knows how to preserve
 * one kind of file.  Handlers register with
 * liveupdate_register_file_handler(); PRESERVE_FD gives a file to the
 * first handler whose can_preserve() accepts it.  LUO records the file in
 * its session under the user's token, keeps a reference to it, pins the
 * handler (and its module) and takes a reference on every FLB linked to
 * the handler.
 *
 * Life of a file:
 *
 * - preserve(), at PRESERVE_FD: the handler saves what the next kernel
 *   needs and returns a u64 handle, usually the physical address of KHO
 *   memory.  A block slot for the file's record is reserved now, so that
 *   the reboot never allocates.
 * - freeze(), in liveupdate_reboot(): last update of the state; the
 *   record {handler compatible, handle, token} is written.
 * - retrieve(), at RETRIEVE_FD in the next kernel: the handler rebuilds a
 *   file from the handle.  The file is kept: later calls return another
 *   reference to it.  An error is not: the file stays not retrieved, and
 *   the next RETRIEVE_FD calls retrieve() again (see below).
 * - can_finish() and finish(), at FINISH or when the session is closed:
 *   the handler drops what it still holds; for a file that was never
 *   retrieved, it frees the preserved state.
 *
 * Failure paths:
 *
 * - Closing an outgoing session before the kexec calls unpreserve() for
 *   each file, last preserved first.
 * - If freeze() fails for a file, the files of the session frozen before
 *   it are unfrozen, last first, and the error goes up to the session
 *   code, which unfreezes the sessions before it.
 * - If retrieve() fails, RETRIEVE_FD returns its error and the file stays
 *   not retrieved: the preserved state must still be there, so that the
 *   same call can succeed later (after a lack of memory, say) and finish()
 *   can free it.  What retrieve() has taken back already it keeps in
 *   &liveupdate_file_op_args.private_data, which LUO hands to the next
 *   retrieve() and to finish().  A handler whose state is unusable (a
 *   malformed hand-over) returns the same error again.
 * - If any file's can_finish() refuses, FINISH fails with EBUSY and
 *   nothing changes.
 * - The same underlying object (get_id(), by default the struct file)
 *   can only be preserved once at a time, in any session: EBUSY.
 *
 * Locking: the files of a session are protected by the session's mutex
 * (&luo_file_set.lock).  The handler list and the FLB links of handlers
 * are protected by luo_register_rwsem.  A handler with files cannot be
 * unregistered and its FLB links cannot change, so the file code walks
 * them without that lock.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "luo_internal.h"

static_assert(sizeof_field(struct luo_file_ser, compatible) ==
	      LIVEUPDATE_HNDL_COMPAT_LENGTH);

DECLARE_RWSEM(luo_register_rwsem);

/* Registered file handlers, in registration order; luo_register_rwsem. */
static LIST_HEAD(luo_file_handlers);

/* get_id() value -> &struct luo_file, for every preserved outgoing file. */
static DEFINE_XARRAY(luo_file_ids);

/**
 * struct luo_file - a file in a session
 * @fh: its handler; NULL for an incoming file before the first open
 * @file: outgoing: the preserved file; incoming: the retrieved file or NULL
 * @serialized_data: the handler's handle of the preserved state
 * @private_data: outgoing: the handler's runtime state; incoming: what a
 *                failed retrieve() left for the next one and for finish()
 * @token: the user's token
 * @id: key in luo_file_ids (outgoing)
 * @retrieve_status: incoming: 0 until RETRIEVE_FD succeeds, then 1; -EIO
 *                   if retrieve() reported success without a file
 * @compatible: incoming: compatible string of the handler to bind to
 * @list: in &luo_file_set.files
 *
 * Protected by the session's mutex.
 */
struct luo_file {
	struct liveupdate_file_handler *fh;
	struct file *file;
	u64 serialized_data;
	void *private_data;
	u64 token;
	unsigned long id;
	int retrieve_status;
	char compatible[LIVEUPDATE_HNDL_COMPAT_LENGTH];
	struct list_head list;
};

/* ------------------------------------------------------------------------
 * File handlers
 */

static struct liveupdate_file_handler *luo_handler_find(const char *compatible)
{
	struct liveupdate_file_handler *fh;

	lockdep_assert_held(&luo_register_rwsem);
	luo_list_for_each_private(fh, &luo_file_handlers, list) {
		if (!strcmp(fh->compatible, compatible))
			return fh;
	}
	return NULL;
}

/**
 * luo_handler_registered - is a handler registered?
 * @fh: the handler
 *
 * Context: luo_register_rwsem held.
 * Return: true if @fh is on the handler list.
 */
bool luo_handler_registered(struct liveupdate_file_handler *fh)
{
	struct liveupdate_file_handler *it;

	lockdep_assert_held(&luo_register_rwsem);
	luo_list_for_each_private(it, &luo_file_handlers, list) {
		if (it == fh)
			return true;
	}
	return false;
}

/* Pin @fh for one more file; luo_register_rwsem held. */
static int luo_handler_pin(struct liveupdate_file_handler *fh)
{
	lockdep_assert_held(&luo_register_rwsem);
	if (!try_module_get(fh->ops->owner))
		return -EAGAIN;
	atomic_long_inc(&ACCESS_PRIVATE(fh, nr_files));
	return 0;
}

static void luo_handler_unpin(struct liveupdate_file_handler *fh)
{
	atomic_long_dec(&ACCESS_PRIVATE(fh, nr_files));
	module_put(fh->ops->owner);
}

/* The pinned handler that accepts @file. */
static struct liveupdate_file_handler *luo_handler_for_file(struct file *file)
{
	struct liveupdate_file_handler *fh;
	int err;

	guard(rwsem_read)(&luo_register_rwsem);
	luo_list_for_each_private(fh, &luo_file_handlers, list) {
		if (fh->ops->can_preserve(fh, file)) {
			err = luo_handler_pin(fh);
			return err ? ERR_PTR(err) : fh;
		}
	}
	return ERR_PTR(-ENOENT);
}

/* The pinned handler of compatible string @compatible. */
static struct liveupdate_file_handler *luo_handler_by_compat(const char *compatible)
{
	struct liveupdate_file_handler *fh;
	int err;

	guard(rwsem_read)(&luo_register_rwsem);
	fh = luo_handler_find(compatible);
	if (!fh)
		return ERR_PTR(-ENOENT);
	err = luo_handler_pin(fh);
	return err ? ERR_PTR(err) : fh;
}

static bool luo_handler_ops_ok(const struct liveupdate_file_ops *ops)
{
	return ops && ops->can_preserve && ops->preserve && ops->unpreserve &&
	       ops->retrieve && ops->finish;
}

/**
 * liveupdate_register_file_handler - register a file handler
 * @fh: the handler, with @ops and @compatible set; must stay valid until
 *      it is unregistered
 *
 * Handlers of files handed over by the previous kernel must be registered
 * before ``/dev/liveupdate`` is opened for the first time (a late_initcall
 * is fine).
 *
 * Context: process context; takes luo_register_rwsem.
 * Return: 0, -EOPNOTSUPP if live update is off, -EINVAL if a required
 * callback is missing or @compatible is empty or unterminated, or -EEXIST
 * if a handler with the same compatible string is registered.
 */
int liveupdate_register_file_handler(struct liveupdate_file_handler *fh)
{
	if (!liveupdate_enabled())
		return -EOPNOTSUPP;
	if (!luo_handler_ops_ok(fh->ops) ||
	    !luo_string_ok(fh->compatible, sizeof(fh->compatible)))
		return -EINVAL;

	scoped_guard(rwsem_write, &luo_register_rwsem) {
		if (luo_handler_find(fh->compatible))
			return -EEXIST;
		INIT_LIST_HEAD(&ACCESS_PRIVATE(fh, flb_list));
		atomic_long_set(&ACCESS_PRIVATE(fh, nr_files), 0);
		list_add_tail(&ACCESS_PRIVATE(fh, list), &luo_file_handlers);
	}
	liveupdate_test_register(fh);
	return 0;
}
EXPORT_SYMBOL_GPL(liveupdate_register_file_handler);

/**
 * liveupdate_unregister_file_handler - unregister a file handler
 * @fh: a registered handler
 *
 * Also unlinks every FLB linked to @fh.
 *
 * Context: process context; takes luo_register_rwsem.
 * Return: 0, -EOPNOTSUPP if live update is off, -ENOENT if @fh is not
 * registered, or -EBUSY while a file of any session uses it.
 */
int liveupdate_unregister_file_handler(struct liveupdate_file_handler *fh)
{
	if (!liveupdate_enabled())
		return -EOPNOTSUPP;

	guard(rwsem_write)(&luo_register_rwsem);
	if (!luo_handler_registered(fh))
		return -ENOENT;
	if (atomic_long_read(&ACCESS_PRIVATE(fh, nr_files)))
		return -EBUSY;
	luo_flb_unlink_all(fh);
	list_del_init(&ACCESS_PRIVATE(fh, list));
	return 0;
}
EXPORT_SYMBOL_GPL(liveupdate_unregister_file_handler);

/* ------------------------------------------------------------------------
 * The files of a session
 */

/**
 * luo_file_set_init - initialize the empty file set of a session
 * @set: the set
 * @lock: the session's mutex
 */
void luo_file_set_init(struct luo_file_set *set, struct mutex *lock)
{
	INIT_LIST_HEAD(&set->files);
	set->count = 0;
	kho_block_set_init(&set->blocks, sizeof(struct luo_file_ser));
	set->lock = lock;
}

static struct luo_file *luo_file_find(struct luo_file_set *set, u64 token)
{
	struct luo_file *luo_file;

	lockdep_assert_held(set->lock);
	list_for_each_entry(luo_file, &set->files, list) {
		if (luo_file->token == token)
			return luo_file;
	}
	return NULL;
}

static struct liveupdate_file_op_args luo_file_args(struct luo_file *luo_file)
{
	return (struct liveupdate_file_op_args) {
		.handler = luo_file->fh,
		.retrieve_status = luo_file->retrieve_status,
		.file = luo_file->file,
		.serialized_data = luo_file->serialized_data,
		.private_data = luo_file->private_data,
	};
}

static int luo_file_handler_preserve(struct luo_file *luo_file, struct file *file)
{
	struct liveupdate_file_handler *fh = luo_file->fh;
	struct liveupdate_file_op_args args = { .handler = fh, .file = file };
	int err;

	err = luo_flb_file_preserve(fh);
	if (err)
		return err;
	err = fh->ops->preserve(&args);
	if (err) {
		luo_flb_file_unpreserve(fh);
		return err;
	}
	luo_file->serialized_data = args.serialized_data;
	luo_file->private_data = args.private_data;
	return 0;
}

/*
 * Preserve @file, which we hold a reference to, with its handler.  Return
 * the new &struct luo_file or an error.
 */
static struct luo_file *luo_file_preserve(struct file *file, u64 token)
{
	struct luo_file *luo_file;
	int err;

	luo_file = kzalloc_obj(*luo_file);
	if (!luo_file)
		return ERR_PTR(-ENOMEM);
	luo_file->fh = luo_handler_for_file(file);
	if (IS_ERR(luo_file->fh)) {
		err = PTR_ERR(luo_file->fh);
		goto err_free;
	}
	luo_file->id = luo_file->fh->ops->get_id ?
		       luo_file->fh->ops->get_id(file) : (unsigned long)file;
	err = xa_insert(&luo_file_ids, luo_file->id, luo_file, GFP_KERNEL);
	if (err)
		goto err_unpin;
	err = luo_file_handler_preserve(luo_file, file);
	if (err)
		goto err_erase;
	luo_file->file = file;
	luo_file->token = token;
	strscpy(luo_file->compatible, luo_file->fh->compatible,
		sizeof(luo_file->compatible));
	return luo_file;

err_erase:
	xa_erase(&luo_file_ids, luo_file->id);
err_unpin:
	luo_handler_unpin(luo_file->fh);
err_free:
	kfree(luo_file);
	return ERR_PTR(err);
}

/**
 * luo_preserve_file - preserve a file descriptor in a session
 * @set: the session's files
 * @token: the user's token, unique in the session
 * @fd: the file descriptor
 *
 * Context: the session's mutex held, and the outgoing session list locked
 * for reading.
 * Return: 0, -EEXIST if @token is used, -EBADF for a bad @fd, -ENOENT if
 * no handler accepts the file, -EBUSY if it is preserved already, -EAGAIN
 * if the handler's module is going away, -ENOMEM, or an error of an FLB's
 * or the handler's preserve().
 */
int luo_preserve_file(struct luo_file_set *set, u64 token, int fd)
{
	struct luo_file *luo_file;
	struct file *file;
	int err;

	lockdep_assert_held(set->lock);
	if (luo_file_find(set, token))
		return -EEXIST;
	err = kho_block_set_resize(&set->blocks, set->count + 1);
	if (err)
		return err;
	file = fget(fd);
	if (!file) {
		err = -EBADF;
		goto err_shrink;
	}
	luo_file = luo_file_preserve(file, token);
	if (IS_ERR(luo_file)) {
		err = PTR_ERR(luo_file);
		goto err_fput;
	}
	list_add_tail(&luo_file->list, &set->files);
	set->count++;
	return 0;

err_fput:
	fput(file);
err_shrink:
	kho_block_set_resize(&set->blocks, set->count);
	return err;
}

static void luo_file_unpreserve(struct luo_file_set *set, struct luo_file *luo_file)
{
	struct liveupdate_file_op_args args = luo_file_args(luo_file);

	luo_file->fh->ops->unpreserve(&args);
	luo_flb_file_unpreserve(luo_file->fh);
	xa_erase(&luo_file_ids, luo_file->id);
	luo_handler_unpin(luo_file->fh);
	fput(luo_file->file);
	list_del(&luo_file->list);
	set->count--;
	kfree(luo_file);
}

/**
 * luo_file_unpreserve_all - unpreserve every file of an outgoing session
 * @set: the session's files
 *
 * Last preserved first.  Frees the session's blocks.
 *
 * Context: the session's mutex held.
 */
void luo_file_unpreserve_all(struct luo_file_set *set)
{
	lockdep_assert_held(set->lock);
	while (!list_empty(&set->files))
		luo_file_unpreserve(set, list_last_entry(&set->files,
							 struct luo_file, list));
	kho_block_set_resize(&set->blocks, 0);
}

static int luo_file_freeze(struct luo_file *luo_file, struct luo_file_ser *ser)
{
	struct liveupdate_file_op_args args = luo_file_args(luo_file);
	int err;

	if (luo_file->fh->ops->freeze) {
		err = luo_file->fh->ops->freeze(&args);
		if (err) {
			pr_warn("cannot freeze the file with token %#llx (%s): %pe\n",
				luo_file->token, luo_file->compatible, ERR_PTR(err));
			return err;
		}
		luo_file->serialized_data = args.serialized_data;
	}
	strscpy_pad(ser->compatible, luo_file->compatible, sizeof(ser->compatible));
	ser->data = luo_file->serialized_data;
	ser->token = luo_file->token;
	return 0;
}

static void luo_file_unfreeze(struct luo_file *luo_file)
{
	struct liveupdate_file_op_args args = luo_file_args(luo_file);

	if (!luo_file->fh->ops->unfreeze)
		return;
	luo_file->fh->ops->unfreeze(&args);
	luo_file->serialized_data = args.serialized_data;
}

/**
 * luo_file_freeze_all - freeze the files of a session and record them
 * @set: the session's files
 * @ser: where to record the address of the first file block and the
 *       number of files
 *
 * On an error, the files frozen before the failing one are unfrozen.
 *
 * Context: the session's mutex held; from liveupdate_reboot().
 * Return: 0 or the error of a freeze() callback.
 */
int luo_file_freeze_all(struct luo_file_set *set, struct luo_file_set_ser *ser)
{
	struct luo_file *luo_file;
	unsigned long i = 0;
	int err;

	lockdep_assert_held(set->lock);
	list_for_each_entry(luo_file, &set->files, list) {
		err = luo_file_freeze(luo_file, kho_block_set_record(&set->blocks, i++));
		if (err) {
			list_for_each_entry_continue_reverse(luo_file, &set->files, list)
				luo_file_unfreeze(luo_file);
			return err;
		}
	}
	ser->files = kho_block_set_seal(&set->blocks);
	ser->count = set->count;
	return 0;
}

/**
 * luo_file_unfreeze_all - unfreeze the files of a frozen session
 * @set: the session's files
 *
 * Context: the session's mutex held.
 */
void luo_file_unfreeze_all(struct luo_file_set *set)
{
	struct luo_file *luo_file;

	lockdep_assert_held(set->lock);
	list_for_each_entry_reverse(luo_file, &set->files, list)
		luo_file_unfreeze(luo_file);
}

static int __init luo_file_restore(const void *entry, void *arg)
{
	const struct luo_file_ser *ser = entry;
	struct luo_file_set *set = arg;
	struct luo_file *luo_file;

	if (!luo_string_ok(ser->compatible, sizeof(ser->compatible))) {
		luo_reject("the handler of the file with token %#llx is unnamed",
			   ser->token);
		return -EINVAL;
	}
	if (luo_file_find(set, ser->token)) {
		luo_reject("token %#llx is used twice in one session", ser->token);
		return -EINVAL;
	}
	luo_file = kzalloc_obj(*luo_file);
	if (!luo_file) {
		luo_reject("out of memory");
		return -ENOMEM;
	}
	memcpy(luo_file->compatible, ser->compatible, sizeof(luo_file->compatible));
	luo_file->serialized_data = ser->data;
	luo_file->token = ser->token;
	list_add_tail(&luo_file->list, &set->files);
	set->count++;
	return 0;
}

/**
 * luo_file_deserialize - rebuild the files of an incoming session
 * @set: the session's empty file set
 * @ser: the session's file set as recorded by the previous kernel
 *
 * The files are not bound to handlers yet (see luo_file_bind_all()).
 *
 * Context: early boot; the session's mutex held.
 * Return: 0, -EINVAL for malformed records, or -ENOMEM.
 */
int __init luo_file_deserialize(struct luo_file_set *set,
				const struct luo_file_set_ser *ser)
{
	lockdep_assert_held(set->lock);
	return luo_blocks_restore(ser->files, sizeof(struct luo_file_ser),
				  ser->count, luo_file_restore, set, "file");
}

/**
 * luo_file_bind_all - find the handlers of the files of an incoming session
 * @set: the session's files
 *
 * Context: the session's mutex held; on the first open of the device.
 * Return: 0, or -ENOENT if a handler is not registered.
 */
int luo_file_bind_all(struct luo_file_set *set)
{
	struct liveupdate_file_handler *fh;
	struct luo_file *luo_file;

	lockdep_assert_held(set->lock);
	list_for_each_entry(luo_file, &set->files, list) {
		if (luo_file->fh)
			continue;
		fh = luo_handler_by_compat(luo_file->compatible);
		if (IS_ERR(fh)) {
			pr_err("no file handler \"%.*s\" for the file with token %#llx: %pe\n",
			       (int)sizeof(luo_file->compatible), luo_file->compatible,
			       luo_file->token, fh);
			return PTR_ERR(fh);
		}
		luo_file->fh = fh;
	}
	return 0;
}

/**
 * luo_retrieve_file - get a file of an incoming session back
 * @set: the session's files
 * @token: the file's token
 * @filep: where to store the file, with a new reference for the caller
 *
 * The first call asks the handler to rebuild the file; the file is kept
 * for later calls.  If the handler fails, the file stays not retrieved and
 * the next call asks the handler again.
 *
 * Context: the session's mutex held.
 * Return: 0, -ENOENT if no file has @token, the error of the handler's
 * retrieve(), or -EIO if it returned no file.
 */
int luo_retrieve_file(struct luo_file_set *set, u64 token, struct file **filep)
{
	struct liveupdate_file_op_args args;
	struct luo_file *luo_file;
	int err;

	lockdep_assert_held(set->lock);
	luo_file = luo_file_find(set, token);
	if (!luo_file)
		return -ENOENT;
	if (luo_file->retrieve_status < 0)
		return luo_file->retrieve_status;
	if (!luo_file->retrieve_status) {
		args = luo_file_args(luo_file);
		err = luo_file->fh->ops->retrieve(&args);
		luo_file->private_data = args.private_data;
		if (err)
			return err;
		if (WARN_ON_ONCE(!args.file)) {
			luo_file->retrieve_status = -EIO;
			return -EIO;
		}
		luo_file->file = args.file;
		luo_file->retrieve_status = 1;
	}
	*filep = get_file(luo_file->file);
	return 0;
}

static void luo_file_finish(struct luo_file_set *set, struct luo_file *luo_file)
{
	struct liveupdate_file_op_args args = luo_file_args(luo_file);

	luo_file->fh->ops->finish(&args);
	luo_flb_file_finish(luo_file->fh);
	if (luo_file->file)
		fput(luo_file->file);
	luo_handler_unpin(luo_file->fh);
	list_del(&luo_file->list);
	set->count--;
	kfree(luo_file);
}

static bool luo_file_can_finish(struct luo_file *luo_file)
{
	struct liveupdate_file_op_args args = luo_file_args(luo_file);

	if (!luo_file->fh->ops->can_finish)
		return true;
	return luo_file->fh->ops->can_finish(&args);
}

/**
 * luo_file_finish_all - finish every file of an incoming session
 * @set: the session's files
 *
 * Either every file's can_finish() agrees and all are finished, last
 * preserved first, or nothing happens.
 *
 * Context: the session's mutex held.
 * Return: 0 or -EBUSY.
 */
int luo_file_finish_all(struct luo_file_set *set)
{
	struct luo_file *luo_file;

	lockdep_assert_held(set->lock);
	list_for_each_entry(luo_file, &set->files, list) {
		if (!luo_file_can_finish(luo_file))
			return -EBUSY;
	}
	while (!list_empty(&set->files))
		luo_file_finish(set, list_last_entry(&set->files, struct luo_file,
						     list));
	return 0;
}

/**
 * luo_file_discard_all - forget the files of a rejected incoming session
 * @set: the session's files, none of them bound to a handler
 *
 * Context: early boot; the session's mutex held.
 */
void __init luo_file_discard_all(struct luo_file_set *set)
{
	struct luo_file *luo_file, *tmp;

	lockdep_assert_held(set->lock);
	list_for_each_entry_safe(luo_file, tmp, &set->files, list) {
		list_del(&luo_file->list);
		kfree(luo_file);
	}
	set->count = 0;
}

static const char *luo_file_state(struct luo_file *luo_file)
{
	if (luo_file->retrieve_status > 0)
		return "retrieved";
	if (luo_file->retrieve_status < 0)
		return "retrieve-failed";
	return luo_file->file ? "preserved" : "not-retrieved";
}

/**
 * luo_file_show - list the files of a session in debugfs
 * @m: the seq_file
 * @set: the session's files
 *
 * Context: the session's mutex held.
 */
void luo_file_show(struct seq_file *m, struct luo_file_set *set)
{
	struct luo_file *luo_file;

	lockdep_assert_held(set->lock);
	list_for_each_entry(luo_file, &set->files, list)
		seq_printf(m, "\tfile token=%#llx handler=%s state=%s\n",
			   luo_file->token, luo_file->compatible,
			   luo_file_state(luo_file));
}
