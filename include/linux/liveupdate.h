/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 *
 * In-kernel interface of the Live Update Orchestrator (LUO): file handlers
 * and File-Lifecycle-Bound (FLB) global state.
 */
#ifndef _LINUX_LIVEUPDATE_H
#define _LINUX_LIVEUPDATE_H

#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/kho/abi/luo.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <uapi/linux/liveupdate.h>

struct file;
struct module;
struct liveupdate_file_handler;
struct liveupdate_flb;

/**
 * struct liveupdate_file_op_args - arguments of the file handler callbacks
 * @handler: the handler called
 * @retrieve_status: 0 if the file was not retrieved (RETRIEVE_FD never
 *                   succeeded on it, though retrieve() may have failed),
 *                   a positive value once it was, or -EIO if retrieve()
 *                   returned no file.  Set for can_finish() and finish().
 * @file: the preserved file; for retrieve(), output: the restored file,
 *        with one reference that LUO owns
 * @serialized_data: the handler's handle of its preserved state (usually
 *                   the physical address of KHO-preserved memory); output
 *                   of preserve(), may be updated by freeze(), input of
 *                   everything in the next kernel
 * @private_data: runtime state of the handler for this file; output of
 *                preserve(), input of the other callbacks of this kernel.
 *                Next kernel: NULL at the first retrieve(); what a failed
 *                retrieve() leaves here is the input of the next
 *                retrieve() and of finish().
 */
struct liveupdate_file_op_args {
	struct liveupdate_file_handler *handler;
	int retrieve_status;
	struct file *file;
	u64 serialized_data;
	void *private_data;
};

/**
 * struct liveupdate_file_ops - callbacks of a file handler
 * @can_preserve: required; whether the handler can preserve @file.  The
 *                first registered handler that answers true gets the file.
 * @preserve: required; preserve the file's state for the next kernel and
 *            set @serialized_data.  Called from PRESERVE_FD.
 * @unpreserve: required; undo preserve(), when the outgoing session is
 *              closed before the kexec.
 * @freeze: optional; last chance to update the preserved state, called
 *          from liveupdate_reboot() inside reboot(2).  Must not do work
 *          proportional to the size of the file.  An error aborts the
 *          kexec and is returned by reboot(2).
 * @unfreeze: optional; undo freeze() when the kexec is aborted.
 * @retrieve: required; next kernel: rebuild the file from
 *            @serialized_data and set @file.  On error the file stays not
 *            retrieved: the preserved state must be left usable, so that
 *            a later RETRIEVE_FD calls retrieve() again (and can succeed
 *            after a transient error such as -ENOMEM) and finish() can
 *            free it; what was already taken back can be kept in
 *            @private_data.  A handler that finds its state unusable
 *            returns the same error on every call.
 * @can_finish: optional; next kernel: whether FINISH may proceed.  If any
 *              file of the session says false, FINISH fails with EBUSY.
 * @finish: required; next kernel: release the preserved state.  Called
 *          for every file of a finished session, retrieved or not.
 * @get_id: optional; a value identifying the underlying object, used to
 *          refuse preserving it twice.  Default: the struct file pointer.
 * @owner: module of the handler, pinned while a file uses the handler
 *
 * Callbacks of one file never run concurrently.  All may sleep.
 */
struct liveupdate_file_ops {
	bool (*can_preserve)(struct liveupdate_file_handler *handler,
			     struct file *file);
	int (*preserve)(struct liveupdate_file_op_args *args);
	void (*unpreserve)(struct liveupdate_file_op_args *args);
	int (*freeze)(struct liveupdate_file_op_args *args);
	void (*unfreeze)(struct liveupdate_file_op_args *args);
	int (*retrieve)(struct liveupdate_file_op_args *args);
	bool (*can_finish)(struct liveupdate_file_op_args *args);
	void (*finish)(struct liveupdate_file_op_args *args);
	unsigned long (*get_id)(struct file *file);
	struct module *owner;
};

/**
 * struct liveupdate_file_handler - a kind of file LUO can preserve
 * @ops: the callbacks
 * @compatible: names the format of @serialized_data; the next kernel
 *              gives a file to the handler with the same string
 *
 * The members after @compatible belong to LUO.
 */
struct liveupdate_file_handler {
	const struct liveupdate_file_ops *ops;
	const char compatible[LIVEUPDATE_HNDL_COMPAT_LENGTH];

	/* private: */
	/* On the global handler list; under luo_register_rwsem. */
	struct list_head __private list;
	/* FLBs linked to this handler; under luo_register_rwsem. */
	struct list_head __private flb_list;
	/* Files of any session that use this handler. */
	atomic_long_t __private nr_files;
};

/**
 * struct liveupdate_flb_op_args - arguments of the FLB callbacks
 * @flb: the FLB called
 * @data: handle of the preserved state: output of preserve(), input of
 *        unpreserve() and retrieve()
 * @obj: the live object: output of preserve() and retrieve(), input of
 *       unpreserve() and finish()
 */
struct liveupdate_flb_op_args {
	struct liveupdate_flb *flb;
	u64 data;
	void *obj;
};

/**
 * struct liveupdate_flb_ops - callbacks of an FLB, all required
 * @preserve: the first file that depends on the FLB is being preserved
 * @unpreserve: the last dependent file was unpreserved before the kexec
 * @retrieve: next kernel: rebuild the object from @data; called once, on
 *            the first liveupdate_flb_get_incoming() or when the last
 *            dependent file is finished
 * @finish: next kernel: the last dependent file was finished
 * @owner: module of the FLB, pinned while the FLB holds state
 *
 * The callbacks of one FLB are serialized by the FLB's own lock, which is
 * held while they run: they must not call liveupdate_flb_get_*() on the
 * same FLB.
 */
struct liveupdate_flb_ops {
	int (*preserve)(struct liveupdate_flb_op_args *args);
	void (*unpreserve)(struct liveupdate_flb_op_args *args);
	int (*retrieve)(struct liveupdate_flb_op_args *args);
	void (*finish)(struct liveupdate_flb_op_args *args);
	struct module *owner;
};

/**
 * struct luo_flb_private_state - one direction of an FLB, owned by LUO
 * @count: outgoing: files that depend on the FLB; incoming: files that
 *         still have to be finished
 * @data: handle of the preserved state
 * @obj: the live object
 * @lock: protects this structure and serializes the callbacks
 * @finished: incoming: finish() was called, the FLB is gone
 * @retrieved: incoming: retrieve() succeeded and @obj is valid
 * @loaded: incoming: @count and @data were taken from the hand-over
 */
struct luo_flb_private_state {
	long count;
	u64 data;
	void *obj;
	struct mutex lock;	/* protects this structure */
	bool finished;
	bool retrieved;
	bool loaded;
};

/**
 * struct luo_flb_private - the part of an FLB owned by LUO
 * @list: on the global FLB list while linked to a handler
 * @outgoing: state handed to the next kernel
 * @incoming: state handed over by the previous kernel
 * @users: number of handlers the FLB is linked to
 * @initialized: @outgoing.lock and @incoming.lock are initialized
 */
struct luo_flb_private {
	struct list_head list;
	struct luo_flb_private_state outgoing;
	struct luo_flb_private_state incoming;
	int users;
	bool initialized;
};

/**
 * struct liveupdate_flb - File-Lifecycle-Bound global state
 * @ops: the callbacks
 * @compatible: names the format of the state; unique among FLBs
 *
 * Global state shared by all preserved files of one or more handlers, for
 * example the state of a subsystem those files belong to.  It is preserved
 * when the first dependent file is preserved, kept as long as any
 * dependent file is preserved in any session, handed over once, and
 * finished in the next kernel after the last dependent file is finished.
 */
struct liveupdate_flb {
	const struct liveupdate_flb_ops *ops;
	const char compatible[LIVEUPDATE_FLB_COMPAT_LENGTH];

	/* private: */
	struct luo_flb_private __private private;
};

#ifdef CONFIG_LIVEUPDATE

bool liveupdate_enabled(void);
int liveupdate_reboot(void);

int liveupdate_register_file_handler(struct liveupdate_file_handler *fh);
int liveupdate_unregister_file_handler(struct liveupdate_file_handler *fh);

int liveupdate_register_flb(struct liveupdate_file_handler *fh,
			    struct liveupdate_flb *flb);
int liveupdate_unregister_flb(struct liveupdate_file_handler *fh,
			      struct liveupdate_flb *flb);
int liveupdate_flb_get_incoming(struct liveupdate_flb *flb, void **objp);
int liveupdate_flb_get_outgoing(struct liveupdate_flb *flb, void **objp);

#else /* CONFIG_LIVEUPDATE */

static inline bool liveupdate_enabled(void)
{
	return false;
}

static inline int liveupdate_reboot(void)
{
	return 0;
}

static inline int liveupdate_register_file_handler(struct liveupdate_file_handler *fh)
{
	return -EOPNOTSUPP;
}

static inline int liveupdate_unregister_file_handler(struct liveupdate_file_handler *fh)
{
	return -EOPNOTSUPP;
}

static inline int liveupdate_register_flb(struct liveupdate_file_handler *fh,
					  struct liveupdate_flb *flb)
{
	return -EOPNOTSUPP;
}

static inline int liveupdate_unregister_flb(struct liveupdate_file_handler *fh,
					    struct liveupdate_flb *flb)
{
	return -EOPNOTSUPP;
}

static inline int liveupdate_flb_get_incoming(struct liveupdate_flb *flb,
					      void **objp)
{
	return -EOPNOTSUPP;
}

static inline int liveupdate_flb_get_outgoing(struct liveupdate_flb *flb,
					      void **objp)
{
	return -EOPNOTSUPP;
}

#endif /* CONFIG_LIVEUPDATE */

#endif /* _LINUX_LIVEUPDATE_H */
