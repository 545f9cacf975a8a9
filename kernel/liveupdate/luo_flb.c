// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 */

/**
 * DOC: LUO File-Lifecycle-Bound global state
 *
 * An FLB (&struct liveupdate_flb) is state that many preserved files
 * share, for example the state of the subsystem the files belong to.  It
 * is linked to one or more file handlers with liveupdate_register_flb().
 *
 * Outgoing: every preserved file of a linked handler, in any session,
 * holds a reference on the FLB.  The first reference calls the FLB's
 * preserve(), which returns a u64 handle and a live object
 * (liveupdate_flb_get_outgoing()); dropping the last one, when the last
 * dependent file is unpreserved, calls unpreserve().  The records go to
 * one preserved page allocated at boot (LUO_FLB_PGCNT pages in the
 * format), so at most LUO_FLB_CAPACITY() FLBs can be linked to handlers
 * at a time and liveupdate_reboot() only writes {compatible, handle,
 * reference count} for those that hold state.  There is no freeze step
 * for FLBs.
 *
 * Incoming: the records are read at early boot, before any subsystem
 * could ask for them, so liveupdate_flb_get_incoming() works from the
 * core initcalls on, whether or not the FLB is registered yet.  The first
 * call asks the FLB's retrieve() to rebuild the object.  Every finished
 * file of a linked handler drops one of the references counted by the
 * previous kernel; after the last one, retrieve() is called if nobody did,
 * then finish(), and the FLB is gone for this boot (ENODATA).
 *
 * Failure paths: if preserve() of an FLB fails, the FLBs of the handler
 * taken before it are released again and PRESERVE_FD fails.  If
 * retrieve() fails, its error is returned and a later call tries again.
 * An FLB whose dependent files are never finished stays alive until the
 * next reboot.
 *
 * Locking: the links between handlers and FLBs and the global list of
 * linked FLBs are protected by luo_register_rwsem.  Each direction of an
 * FLB has its own mutex, held while its callbacks run.  A handler's links
 * cannot change while it has files, so the file paths walk them
 * unlocked.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cleanup.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/kexec_handover.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "luo_internal.h"

static_assert(sizeof_field(struct luo_flb_ser, name) ==
	      LIVEUPDATE_FLB_COMPAT_LENGTH);

/**
 * struct luo_flb_link - an FLB linked to a handler
 * @flb: the FLB
 * @list: on the handler's flb_list
 */
struct luo_flb_link {
	struct liveupdate_flb *flb;
	struct list_head list;
};

/* FLBs linked to at least one handler; luo_register_rwsem. */
static LIST_HEAD(luo_flbs);

/* Serializes the lazy initialization of FLBs. */
static DEFINE_MUTEX(luo_flb_init_lock);

/* Number of FLBs on luo_flbs; luo_register_rwsem. */
static unsigned long luo_nr_flbs;

/*
 * The outgoing FLB region, set up at late boot.  liveupdate_reboot()
 * writes it while the outgoing sessions are locked for writing, which
 * keeps every file, and with them every FLB reference, from changing.
 */
static struct luo_flb_header_ser *luo_flb_out;

/**
 * struct luo_flb_incoming - FLB records handed over by the previous kernel
 * @recs: the records, read at early boot and never changed afterwards
 * @nr: number of records
 */
static struct luo_flb_incoming {
	struct luo_flb_ser *recs;
	unsigned long nr;
} luo_flb_in;

static struct luo_flb_private *luo_flb_priv(struct liveupdate_flb *flb)
{
	return &ACCESS_PRIVATE(flb, private);
}

static void luo_flb_init(struct liveupdate_flb *flb)
{
	struct luo_flb_private *p = luo_flb_priv(flb);

	/* Pairs with the release below: the locks are initialized. */
	if (smp_load_acquire(&p->initialized))
		return;
	guard(mutex)(&luo_flb_init_lock);
	if (p->initialized)
		return;
	mutex_init(&p->outgoing.lock);
	mutex_init(&p->incoming.lock);
	INIT_LIST_HEAD(&p->list);
	/* Publish the initialized locks to the lockless check above. */
	smp_store_release(&p->initialized, true);
}

static bool luo_flb_ops_ok(const struct liveupdate_flb_ops *ops)
{
	return ops && ops->preserve && ops->unpreserve && ops->retrieve &&
	       ops->finish;
}

/* ------------------------------------------------------------------------
 * Registration
 */

static struct luo_flb_link *luo_flb_find_link(struct liveupdate_file_handler *fh,
					      struct liveupdate_flb *flb)
{
	struct luo_flb_link *link;

	lockdep_assert_held(&luo_register_rwsem);
	list_for_each_entry(link, &ACCESS_PRIVATE(fh, flb_list), list) {
		if (link->flb == flb)
			return link;
	}
	return NULL;
}

static int luo_flb_link_check(struct liveupdate_file_handler *fh,
			      struct liveupdate_flb *flb)
{
	struct luo_flb_private *p;

	lockdep_assert_held_write(&luo_register_rwsem);
	if (!luo_handler_registered(fh))
		return -EINVAL;
	if (atomic_long_read(&ACCESS_PRIVATE(fh, nr_files)))
		return -EBUSY;
	if (luo_flb_find_link(fh, flb))
		return -EEXIST;
	if (!luo_flb_priv(flb)->users &&
	    luo_nr_flbs == LUO_FLB_CAPACITY(LUO_FLB_PGCNT))
		return -ENOSPC;
	list_for_each_entry(p, &luo_flbs, list) {
		if (p != luo_flb_priv(flb) &&
		    !strcmp(container_of(p, struct liveupdate_flb, private)->compatible,
			    flb->compatible))
			return -EEXIST;
	}
	return 0;
}

/**
 * liveupdate_register_flb - link an FLB to a file handler
 * @fh: a registered handler
 * @flb: the FLB, with @ops and @compatible set; may be linked to several
 *       handlers and must stay valid while it is linked
 *
 * Files of @fh preserved from now on depend on @flb.
 *
 * Context: process context; takes luo_register_rwsem.
 * Return: 0, -EOPNOTSUPP if live update is off, -EINVAL if a callback is
 * missing, @compatible is empty or unterminated, or @fh is not registered,
 * -EBUSY while @fh has files, -EEXIST if @flb is linked to @fh already or
 * another FLB has the same compatible string, -ENOSPC if as many FLBs as
 * the hand-over holds are linked already, or -ENOMEM.
 */
int liveupdate_register_flb(struct liveupdate_file_handler *fh,
			    struct liveupdate_flb *flb)
{
	struct luo_flb_link *link __free(kfree) = NULL;
	struct luo_flb_private *p = luo_flb_priv(flb);
	int err;

	if (!liveupdate_enabled())
		return -EOPNOTSUPP;
	if (!luo_flb_ops_ok(flb->ops) ||
	    !luo_string_ok(flb->compatible, sizeof(flb->compatible)))
		return -EINVAL;
	luo_flb_init(flb);
	link = kzalloc_obj(*link);
	if (!link)
		return -ENOMEM;

	guard(rwsem_write)(&luo_register_rwsem);
	err = luo_flb_link_check(fh, flb);
	if (err)
		return err;
	link->flb = flb;
	if (!p->users++) {
		list_add_tail(&p->list, &luo_flbs);
		luo_nr_flbs++;
	}
	list_add_tail(&no_free_ptr(link)->list, &ACCESS_PRIVATE(fh, flb_list));
	return 0;
}
EXPORT_SYMBOL_GPL(liveupdate_register_flb);

static void luo_flb_unlink(struct luo_flb_link *link)
{
	struct luo_flb_private *p = luo_flb_priv(link->flb);

	lockdep_assert_held_write(&luo_register_rwsem);
	list_del(&link->list);
	if (!--p->users) {
		list_del_init(&p->list);
		luo_nr_flbs--;
	}
	kfree(link);
}

/**
 * liveupdate_unregister_flb - unlink an FLB from a file handler
 * @fh: the handler
 * @flb: an FLB linked to @fh
 *
 * Context: process context; takes luo_register_rwsem.
 * Return: 0, -EOPNOTSUPP if live update is off, -ENOENT if @flb is not
 * linked to @fh, or -EBUSY while @fh has files.
 */
int liveupdate_unregister_flb(struct liveupdate_file_handler *fh,
			      struct liveupdate_flb *flb)
{
	struct luo_flb_link *link;

	if (!liveupdate_enabled())
		return -EOPNOTSUPP;

	guard(rwsem_write)(&luo_register_rwsem);
	if (!luo_handler_registered(fh))
		return -ENOENT;
	link = luo_flb_find_link(fh, flb);
	if (!link)
		return -ENOENT;
	if (atomic_long_read(&ACCESS_PRIVATE(fh, nr_files)))
		return -EBUSY;
	luo_flb_unlink(link);
	return 0;
}
EXPORT_SYMBOL_GPL(liveupdate_unregister_flb);

/**
 * luo_flb_unlink_all - unlink every FLB of a handler being unregistered
 * @fh: the handler, without files
 *
 * Context: luo_register_rwsem held for writing.
 */
void luo_flb_unlink_all(struct liveupdate_file_handler *fh)
{
	struct luo_flb_link *link, *tmp;

	lockdep_assert_held_write(&luo_register_rwsem);
	list_for_each_entry_safe(link, tmp, &ACCESS_PRIVATE(fh, flb_list), list)
		luo_flb_unlink(link);
}

/* ------------------------------------------------------------------------
 * Outgoing
 */

static int luo_flb_preserve(struct liveupdate_flb *flb,
			    struct luo_flb_private_state *state)
{
	struct liveupdate_flb_op_args args = { .flb = flb };
	int err;

	lockdep_assert_held(&state->lock);
	if (!try_module_get(flb->ops->owner))
		return -EAGAIN;
	err = flb->ops->preserve(&args);
	if (err) {
		module_put(flb->ops->owner);
		return err;
	}
	state->data = args.data;
	state->obj = args.obj;
	return 0;
}

static int luo_flb_get(struct liveupdate_flb *flb)
{
	struct luo_flb_private_state *state = &luo_flb_priv(flb)->outgoing;
	int err;

	guard(mutex)(&state->lock);
	if (!state->count) {
		err = luo_flb_preserve(flb, state);
		if (err)
			return err;
	}
	state->count++;
	return 0;
}

static void luo_flb_put(struct liveupdate_flb *flb)
{
	struct luo_flb_private_state *state = &luo_flb_priv(flb)->outgoing;
	struct liveupdate_flb_op_args args = { .flb = flb };

	guard(mutex)(&state->lock);
	if (--state->count)
		return;
	args.data = state->data;
	args.obj = state->obj;
	flb->ops->unpreserve(&args);
	state->data = 0;
	state->obj = NULL;
	module_put(flb->ops->owner);
}

/**
 * luo_flb_file_preserve - take the FLB references of a file being preserved
 * @fh: the file's handler, pinned by the file
 *
 * Context: process context.
 * Return: 0, or the error of an FLB's preserve(), -EAGAIN or -ENOMEM; then
 * no reference is held.
 */
int luo_flb_file_preserve(struct liveupdate_file_handler *fh)
{
	struct list_head *flbs = &ACCESS_PRIVATE(fh, flb_list);
	struct luo_flb_link *link;
	int err;

	list_for_each_entry(link, flbs, list) {
		err = luo_flb_get(link->flb);
		if (err) {
			pr_warn("FLB %s: preserve failed: %pe\n",
				link->flb->compatible, ERR_PTR(err));
			list_for_each_entry_continue_reverse(link, flbs, list)
				luo_flb_put(link->flb);
			return err;
		}
	}
	return 0;
}

/**
 * luo_flb_file_unpreserve - drop the FLB references of an unpreserved file
 * @fh: the file's handler
 *
 * Context: process context.
 */
void luo_flb_file_unpreserve(struct liveupdate_file_handler *fh)
{
	struct luo_flb_link *link;

	list_for_each_entry_reverse(link, &ACCESS_PRIVATE(fh, flb_list), list)
		luo_flb_put(link->flb);
}

/**
 * liveupdate_flb_get_outgoing - the live object of an FLB in this kernel
 * @flb: the FLB
 * @objp: where to store the object preserve() returned, or NULL if no
 *        dependent file is preserved
 *
 * Context: process context; takes the FLB's outgoing lock.
 * Return: 0 or -EOPNOTSUPP if live update is off.
 */
int liveupdate_flb_get_outgoing(struct liveupdate_flb *flb, void **objp)
{
	struct luo_flb_private_state *state = &luo_flb_priv(flb)->outgoing;

	if (!liveupdate_enabled())
		return -EOPNOTSUPP;
	luo_flb_init(flb);
	guard(mutex)(&state->lock);
	*objp = state->obj;
	return 0;
}
EXPORT_SYMBOL_GPL(liveupdate_flb_get_outgoing);

static bool luo_flb_record(struct liveupdate_flb *flb, struct luo_flb_ser *ser)
{
	struct luo_flb_private_state *state = &luo_flb_priv(flb)->outgoing;

	guard(mutex)(&state->lock);
	if (!state->count)
		return false;
	strscpy_pad(ser->name, flb->compatible, sizeof(ser->name));
	ser->data = state->data;
	ser->count = state->count;
	return true;
}

/**
 * luo_flb_out_init - allocate the outgoing FLB region
 * @flbs_pa: where to store its physical address
 *
 * Context: late boot.
 * Return: 0 or the error of kho_alloc_preserve().
 */
int __init luo_flb_out_init(u64 *flbs_pa)
{
	struct luo_flb_header_ser *hdr;

	hdr = kho_alloc_preserve(LUO_FLB_PGCNT * PAGE_SIZE);
	if (IS_ERR(hdr))
		return PTR_ERR(hdr);
	hdr->pgcnt = LUO_FLB_PGCNT;
	luo_flb_out = hdr;
	*flbs_pa = virt_to_phys(hdr);
	return 0;
}

/**
 * luo_flb_serialize - record every FLB that holds state
 *
 * Context: from liveupdate_reboot(), outgoing sessions locked for writing.
 * Return: 0, or -EINVAL if more FLBs hold state than the region holds (a
 * bug: registration keeps the number of FLBs within that).
 */
int luo_flb_serialize(void)
{
	struct luo_flb_ser *recs = (void *)(luo_flb_out + 1);
	struct luo_flb_private *p;
	struct liveupdate_flb *flb;
	u64 n = 0;

	guard(rwsem_read)(&luo_register_rwsem);
	luo_flb_out->count = 0;
	list_for_each_entry(p, &luo_flbs, list) {
		flb = container_of(p, struct liveupdate_flb, private);
		if (n == LUO_FLB_CAPACITY(LUO_FLB_PGCNT))
			return -EINVAL;
		if (luo_flb_record(flb, &recs[n]))
			n++;
	}
	luo_flb_out->count = n;
	return 0;
}

/* ------------------------------------------------------------------------
 * Incoming
 */

static const struct luo_flb_ser *luo_flb_in_find(const char *name)
{
	unsigned long i;

	for (i = 0; i < luo_flb_in.nr; i++) {
		if (!strcmp(luo_flb_in.recs[i].name, name))
			return &luo_flb_in.recs[i];
	}
	return NULL;
}

static int __init luo_flb_in_add(const struct luo_flb_ser *ser)
{
	if (!luo_string_ok(ser->name, sizeof(ser->name)) || !ser->count) {
		luo_reject("FLB record %lu is malformed", luo_flb_in.nr);
		return -EINVAL;
	}
	if (luo_flb_in_find(ser->name)) {
		luo_reject("FLB %.*s is recorded twice", (int)sizeof(ser->name),
			   ser->name);
		return -EINVAL;
	}
	luo_flb_in.recs[luo_flb_in.nr++] = *ser;
	return 0;
}

static int __init luo_flb_region_check(struct folio *folio, u64 pa)
{
	const struct luo_flb_header_ser *hdr = folio_address(folio);

	if (!hdr->pgcnt || hdr->pgcnt > folio_nr_pages(folio)) {
		luo_reject("FLB region at %#llx claims %llu pages, has %ld",
			   pa, hdr->pgcnt, folio_nr_pages(folio));
		return -EINVAL;
	}
	if (hdr->count > LUO_FLB_CAPACITY(hdr->pgcnt)) {
		luo_reject("FLB region at %#llx claims %llu records, holds at most %llu",
			   pa, hdr->count, (u64)LUO_FLB_CAPACITY(hdr->pgcnt));
		return -EINVAL;
	}
	return 0;
}

static int __init luo_flb_read_region(const struct luo_flb_header_ser *hdr)
{
	const struct luo_flb_ser *recs = (const void *)(hdr + 1);
	u64 i;
	int err;

	if (!hdr->count)
		return 0;
	luo_flb_in.recs = kcalloc(hdr->count, sizeof(*recs), GFP_KERNEL);
	if (!luo_flb_in.recs) {
		luo_reject("out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < hdr->count; i++) {
		err = luo_flb_in_add(&recs[i]);
		if (err)
			return err;
	}
	return 0;
}

/**
 * luo_flb_deserialize - read the FLB records of the previous kernel
 * @flbs_pa: physical address of the FLB region, or 0
 *
 * The region is freed once its records were copied.
 *
 * Context: early boot.
 * Return: 0, -EINVAL for a malformed region or record, or -ENOMEM.
 */
int __init luo_flb_deserialize(u64 flbs_pa)
{
	struct folio *folio;
	int err;

	if (!flbs_pa)
		return 0;
	folio = kho_restore_folio(flbs_pa);
	if (!folio) {
		luo_reject("FLB region at %#llx is not preserved memory", flbs_pa);
		return -EINVAL;
	}
	err = luo_flb_region_check(folio, flbs_pa);
	if (!err)
		err = luo_flb_read_region(folio_address(folio));
	folio_put(folio);
	if (err)
		luo_flb_discard_incoming();
	return err;
}

/**
 * luo_flb_discard_incoming - forget the incoming FLB records
 *
 * Context: early boot, when the hand-over is rejected.
 */
void __init luo_flb_discard_incoming(void)
{
	kfree(luo_flb_in.recs);
	luo_flb_in.recs = NULL;
	luo_flb_in.nr = 0;
}

static int luo_flb_load(struct liveupdate_flb *flb,
			struct luo_flb_private_state *state)
{
	const struct luo_flb_ser *rec;

	lockdep_assert_held(&state->lock);
	if (state->loaded)
		return 0;
	if (!luo_flb_in.nr)
		return -ENODATA;
	rec = luo_flb_in_find(flb->compatible);
	if (!rec)
		return -ENOENT;
	state->data = rec->data;
	state->count = rec->count;
	state->loaded = true;
	return 0;
}

static int luo_flb_retrieve(struct liveupdate_flb *flb,
			    struct luo_flb_private_state *state)
{
	struct liveupdate_flb_op_args args = { .flb = flb };
	int err;

	lockdep_assert_held(&state->lock);
	if (state->retrieved)
		return 0;
	if (!try_module_get(flb->ops->owner))
		return -ENODEV;
	args.data = state->data;
	err = flb->ops->retrieve(&args);
	if (err) {
		module_put(flb->ops->owner);
		return err;
	}
	state->obj = args.obj;
	state->retrieved = true;
	return 0;
}

/**
 * liveupdate_flb_get_incoming - the object of an FLB of the previous kernel
 * @flb: the FLB, registered or not
 * @objp: where to store the object
 *
 * The first successful call rebuilds the object with the FLB's
 * retrieve(); later calls return the same object until the FLB is
 * finished.
 *
 * Context: process context, from the core initcalls on; takes the FLB's
 * incoming lock.
 * Return: 0, -EOPNOTSUPP if live update is off, -EINVAL if the FLB has no
 * retrieve(), -ENODATA if the previous kernel handed no FLB over or this
 * FLB was finished, -ENOENT if it did not hand this one over, -ENODEV if
 * the FLB's module is going away, or the error of retrieve().
 */
int liveupdate_flb_get_incoming(struct liveupdate_flb *flb, void **objp)
{
	struct luo_flb_private_state *state = &luo_flb_priv(flb)->incoming;
	int err;

	if (!liveupdate_enabled())
		return -EOPNOTSUPP;
	if (!flb->ops || !flb->ops->retrieve)
		return -EINVAL;
	luo_flb_init(flb);
	guard(mutex)(&state->lock);
	err = luo_flb_load(flb, state);
	if (err)
		return err;
	if (state->finished)
		return -ENODATA;
	err = luo_flb_retrieve(flb, state);
	if (err)
		return err;
	*objp = state->obj;
	return 0;
}
EXPORT_SYMBOL_GPL(liveupdate_flb_get_incoming);

static void luo_flb_finish(struct liveupdate_flb *flb)
{
	struct luo_flb_private_state *state = &luo_flb_priv(flb)->incoming;
	struct liveupdate_flb_op_args args = { .flb = flb };
	int err;

	guard(mutex)(&state->lock);
	if (luo_flb_load(flb, state) || state->finished || --state->count > 0)
		return;
	state->finished = true;
	err = luo_flb_retrieve(flb, state);
	if (err) {
		pr_err("FLB %s: cannot retrieve it to finish it: %pe\n",
		       flb->compatible, ERR_PTR(err));
		return;
	}
	args.data = state->data;
	args.obj = state->obj;
	flb->ops->finish(&args);
	state->obj = NULL;
	module_put(flb->ops->owner);
}

/**
 * luo_flb_file_finish - drop the FLB references of a finished file
 * @fh: the file's handler, pinned by the file
 *
 * Context: process context.
 */
void luo_flb_file_finish(struct liveupdate_file_handler *fh)
{
	struct luo_flb_link *link;

	list_for_each_entry_reverse(link, &ACCESS_PRIVATE(fh, flb_list), list)
		luo_flb_finish(link->flb);
}

/* ------------------------------------------------------------------------
 * debugfs
 */

static void luo_flb_show_one(struct seq_file *m, struct luo_flb_private *p)
{
	struct liveupdate_flb *flb = container_of(p, struct liveupdate_flb, private);

	scoped_guard(mutex, &p->outgoing.lock)
		seq_printf(m, "flb %s users=%d outgoing_refs=%ld", flb->compatible,
			   p->users, p->outgoing.count);
	scoped_guard(mutex, &p->incoming.lock) {
		if (!p->incoming.loaded)
			seq_puts(m, " incoming=none\n");
		else if (p->incoming.finished)
			seq_puts(m, " incoming=finished\n");
		else
			seq_printf(m, " incoming_refs=%ld incoming=%s\n",
				   p->incoming.count,
				   p->incoming.retrieved ? "retrieved" : "pending");
	}
}

/**
 * luo_flb_show - list the FLBs in debugfs
 * @m: the seq_file
 *
 * Context: process context; takes luo_register_rwsem.
 */
void luo_flb_show(struct seq_file *m)
{
	struct luo_flb_private *p;
	unsigned long i;

	guard(rwsem_read)(&luo_register_rwsem);
	list_for_each_entry(p, &luo_flbs, list)
		luo_flb_show_one(m, p);
	for (i = 0; i < luo_flb_in.nr; i++)
		seq_printf(m, "handed-over flb %.*s refs=%llu\n",
			   (int)sizeof(luo_flb_in.recs[i].name),
			   luo_flb_in.recs[i].name, luo_flb_in.recs[i].count);
}
