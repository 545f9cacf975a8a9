// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 */

/**
 * DOC: LUO sessions
 *
 * A session is a named group of preserved files with its own file
 * descriptor.  Its lifetime is the lifetime of that file descriptor, so an
 * agent that dies takes its unfinished work with it.
 *
 * Outgoing sessions are created with CREATE_SESSION.  Names are unique
 * among outgoing sessions.  Files are added with PRESERVE_FD.  Closing the
 * session file descriptor unpreserves every file and destroys the
 * session; there is no other way to cancel.  Sessions whose file
 * descriptor is still open when the system kexecs are handed over: each
 * owns one record slot in the session block set, allocated at
 * CREATE_SESSION.
 *
 * Incoming sessions are rebuilt at early boot from the hand-over, and
 * their files are bound to their handlers by the first open of
 * ``/dev/liveupdate``.  RETRIEVE_SESSION opens one by name, once at a
 * time; RETRIEVE_FD gets its files back by token, in any order; FINISH
 * ends its live update.  Closing a retrieved session finishes it
 * implicitly and then destroys it.  A session that is never retrieved
 * keeps its preserved memory until the next reboot, and is not handed
 * over again.
 *
 * Direction rules: PRESERVE_FD is only valid on outgoing sessions,
 * RETRIEVE_FD and FINISH only on incoming ones (EINVAL otherwise).
 *
 * Failure paths: if freezing a session fails during the kexec, the
 * sessions frozen before it are unfrozen, last first, and the error is
 * returned to reboot(2) with every session unchanged.  If the implicit
 * finish at close fails (a handler's can_finish() refuses), the session
 * stays, with its files, and can be retrieved and finished again.
 *
 * Locking: each list of sessions (outgoing and incoming) has an rwsem
 * that protects the list, its count and its block set, and that is taken
 * before the mutex of a session.  The outgoing rwsem is taken for reading
 * by PRESERVE_FD and for writing by CREATE_SESSION, by close and by
 * liveupdate_reboot(), so the reboot sees a stable set of sessions and
 * files.  Once the reboot succeeded, the outgoing list is frozen: new
 * sessions and files are refused with EBUSY, and closing a session leaves
 * it as it was handed over.  The session mutex protects the session's
 * files and its finished state.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/jhash.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "luo_internal.h"

/**
 * struct luo_session - a session
 * @name: the name, NUL-terminated and NUL-padded
 * @hash: hash of @name, to speed up lookups
 * @incoming: handed over by the previous kernel; never changes
 * @retrieved: incoming: a session file descriptor is open; protected by
 *             the incoming rwsem
 * @finished: incoming: FINISH succeeded; protected by @mutex
 * @files: the preserved files; protected by @mutex
 * @list: on its session list
 * @mutex: protects the session
 */
struct luo_session {
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	u32 hash;
	bool incoming;
	bool retrieved;
	bool finished;
	struct luo_file_set files;
	struct list_head list;
	struct mutex mutex;		/* protects the session */
};

/**
 * struct luo_session_list - the outgoing or the incoming sessions
 * @sessions: &struct luo_session, in creation order
 * @count: number of sessions
 * @blocks: outgoing: one record slot per session
 * @frozen: outgoing: liveupdate_reboot() succeeded, nothing may change
 * @rwsem: protects all of the above
 */
struct luo_session_list {
	struct list_head sessions;
	unsigned long count;
	struct kho_block_set blocks;
	bool frozen;
	struct rw_semaphore rwsem;	/* protects all of the above */
};

static struct luo_session_list luo_outgoing = {
	.sessions = LIST_HEAD_INIT(luo_outgoing.sessions),
	.blocks = KHO_BLOCK_SET_INIT(luo_outgoing.blocks, struct luo_session_ser),
	.rwsem = __RWSEM_INITIALIZER(luo_outgoing.rwsem),
};

static struct luo_session_list luo_incoming = {
	.sessions = LIST_HEAD_INIT(luo_incoming.sessions),
	.rwsem = __RWSEM_INITIALIZER(luo_incoming.rwsem),
};

static const struct file_operations luo_session_fops;

static u32 luo_session_hash(const char *name)
{
	return jhash(name, strlen(name), 0);
}

static struct luo_session *luo_session_alloc(const char *name, bool incoming)
{
	struct luo_session *session = kzalloc_obj(*session);

	if (!session)
		return NULL;
	strscpy_pad(session->name, name, sizeof(session->name));
	session->hash = luo_session_hash(session->name);
	session->incoming = incoming;
	mutex_init(&session->mutex);
	luo_file_set_init(&session->files, &session->mutex);
	INIT_LIST_HEAD(&session->list);
	return session;
}

static void luo_session_free(struct luo_session *session)
{
	mutex_destroy(&session->mutex);
	kfree(session);
}

static struct luo_session *luo_session_find(struct luo_session_list *sl,
					    const char *name)
{
	struct luo_session *session;
	u32 hash = luo_session_hash(name);

	lockdep_assert_held(&sl->rwsem);
	list_for_each_entry(session, &sl->sessions, list) {
		if (session->hash == hash && !strcmp(session->name, name))
			return session;
	}
	return NULL;
}

/*
 * Print a session name, which may come from the previous kernel: bounded
 * by luo_name_len() and with unprintable bytes escaped.
 */
#define LUO_NAME_FMT		"\"%*pE\""

static int luo_name_len(const char *name)
{
	return strnlen(name, LIVEUPDATE_SESSION_NAME_LENGTH);
}

/* ------------------------------------------------------------------------
 * /dev/liveupdate ioctls
 */

static struct file *luo_session_file(struct luo_session *session)
{
	char name[sizeof("[luo_session] ") + LIVEUPDATE_SESSION_NAME_LENGTH];

	snprintf(name, sizeof(name), "[luo_session] %s", session->name);
	return anon_inode_getfile(name, &luo_session_fops, session, O_RDWR);
}

static int luo_session_insert(struct luo_session *session)
{
	int err;

	guard(rwsem_write)(&luo_outgoing.rwsem);
	if (luo_outgoing.frozen)
		return -EBUSY;
	if (luo_session_find(&luo_outgoing, session->name))
		return -EEXIST;
	err = kho_block_set_resize(&luo_outgoing.blocks, luo_outgoing.count + 1);
	if (err)
		return err;
	list_add_tail(&session->list, &luo_outgoing.sessions);
	luo_outgoing.count++;
	return 0;
}

static void luo_session_remove(struct luo_session *session)
{
	lockdep_assert_held_write(&luo_outgoing.rwsem);
	list_del_init(&session->list);
	luo_outgoing.count--;
	kho_block_set_resize(&luo_outgoing.blocks, luo_outgoing.count);
}

static void luo_session_unlink(struct luo_session *session)
{
	guard(rwsem_write)(&luo_outgoing.rwsem);
	luo_session_remove(session);
}

/**
 * luo_session_create - create an outgoing session
 * @name: its name, NUL-terminated, not empty
 * @filep: output: the session file, with the only reference
 *
 * Context: process context.
 * Return: 0, -EEXIST, -EBUSY after the reboot started, or -ENOMEM.
 */
int luo_session_create(const char *name, struct file **filep)
{
	struct luo_session *session;
	struct file *file;
	int err;

	session = luo_session_alloc(name, false);
	if (!session)
		return -ENOMEM;
	err = luo_session_insert(session);
	if (err)
		goto err_free;
	file = luo_session_file(session);
	if (IS_ERR(file)) {
		err = PTR_ERR(file);
		goto err_remove;
	}
	*filep = file;
	return 0;

err_remove:
	luo_session_unlink(session);
err_free:
	luo_session_free(session);
	return err;
}

static struct luo_session *luo_session_claim(const char *name)
{
	struct luo_session *session;

	guard(rwsem_write)(&luo_incoming.rwsem);
	session = luo_session_find(&luo_incoming, name);
	if (!session)
		return ERR_PTR(-ENOENT);
	if (session->retrieved)
		return ERR_PTR(-EINVAL);
	session->retrieved = true;
	return session;
}

static void luo_session_unclaim(struct luo_session *session)
{
	guard(rwsem_write)(&luo_incoming.rwsem);
	session->retrieved = false;
}

/**
 * luo_session_retrieve - open an incoming session
 * @name: its name, NUL-terminated, not empty
 * @filep: output: the session file, with the only reference
 *
 * Context: process context.
 * Return: 0, -ENOENT, -EINVAL for a session that is open already, or
 * -ENOMEM.
 */
int luo_session_retrieve(const char *name, struct file **filep)
{
	struct luo_session *session;
	struct file *file;

	session = luo_session_claim(name);
	if (IS_ERR(session))
		return PTR_ERR(session);
	file = luo_session_file(session);
	if (IS_ERR(file)) {
		luo_session_unclaim(session);
		return PTR_ERR(file);
	}
	*filep = file;
	return 0;
}

/* ------------------------------------------------------------------------
 * Session file descriptor
 */

static int luo_session_finish_locked(struct luo_session *session)
{
	int err;

	lockdep_assert_held(&session->mutex);
	if (session->finished)
		return 0;
	err = luo_file_finish_all(&session->files);
	if (err)
		return err;
	session->finished = true;
	return 0;
}

static void luo_session_release_outgoing(struct luo_session *session)
{
	guard(rwsem_write)(&luo_outgoing.rwsem);
	/* Too late to change anything: the session was handed over. */
	if (luo_outgoing.frozen)
		return;
	scoped_guard(mutex, &session->mutex)
		luo_file_unpreserve_all(&session->files);
	luo_session_remove(session);
	luo_session_free(session);
}

static int luo_session_finish_unlocked(struct luo_session *session)
{
	guard(mutex)(&session->mutex);
	return luo_session_finish_locked(session);
}

static void luo_session_release_incoming(struct luo_session *session)
{
	int err;

	guard(rwsem_write)(&luo_incoming.rwsem);
	err = luo_session_finish_unlocked(session);
	if (err) {
		session->retrieved = false;
		pr_warn("session " LUO_NAME_FMT " closed but kept: %pe\n",
			luo_name_len(session->name), session->name,
			ERR_PTR(err));
		return;
	}
	list_del_init(&session->list);
	luo_incoming.count--;
	luo_session_free(session);
}

static int luo_session_release(struct inode *inode, struct file *filp)
{
	struct luo_session *session = filp->private_data;

	if (session->incoming)
		luo_session_release_incoming(session);
	else
		luo_session_release_outgoing(session);
	return 0;
}

static int luo_session_preserve_fd(struct luo_ucmd *ucmd)
{
	struct liveupdate_session_preserve_fd *argp = ucmd->cmd;
	struct luo_session *session = ucmd->session;

	if (session->incoming)
		return -EINVAL;
	guard(rwsem_read)(&luo_outgoing.rwsem);
	if (luo_outgoing.frozen)
		return -EBUSY;
	guard(mutex)(&session->mutex);
	return luo_preserve_file(&session->files, argp->token, argp->fd);
}

static int luo_session_get_file(struct luo_session *session, u64 token,
				struct file **filep)
{
	guard(mutex)(&session->mutex);
	return luo_retrieve_file(&session->files, token, filep);
}

static int luo_session_retrieve_fd(struct luo_ucmd *ucmd)
{
	struct liveupdate_session_retrieve_fd *argp = ucmd->cmd;
	struct luo_session *session = ucmd->session;
	struct file *file;
	int fd, err;

	if (!session->incoming)
		return -EINVAL;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	err = luo_session_get_file(session, argp->token, &file);
	if (err)
		goto err_put_fd;
	argp->fd = fd;
	err = luo_ucmd_respond(ucmd, sizeof(*argp));
	if (err)
		goto err_put_file;
	fd_install(fd, file);
	return 0;

err_put_file:
	fput(file);
err_put_fd:
	put_unused_fd(fd);
	return err;
}

static int luo_session_finish(struct luo_ucmd *ucmd)
{
	struct liveupdate_session_finish *argp = ucmd->cmd;
	struct luo_session *session = ucmd->session;

	if (!session->incoming || argp->reserved)
		return -EINVAL;
	return luo_session_finish_unlocked(session);
}

static int luo_session_get_name(struct luo_ucmd *ucmd)
{
	struct liveupdate_session_get_name *argp = ucmd->cmd;
	struct luo_session *session = ucmd->session;

	if (argp->reserved)
		return -EINVAL;
	static_assert(sizeof(argp->name) == sizeof(session->name));
	memcpy(argp->name, session->name, sizeof(argp->name));
	return luo_ucmd_respond(ucmd, sizeof(*argp));
}

union luo_session_buffer {
	struct liveupdate_session_preserve_fd preserve;
	struct liveupdate_session_retrieve_fd retrieve;
	struct liveupdate_session_finish finish;
	struct liveupdate_session_get_name get_name;
};

#define LUO_SESSION_OP(_ioctl, _fn, _struct, _last)			\
	LUO_IOCTL_OP(LIVEUPDATE_CMD_SESSION_BASE, union luo_session_buffer, \
		     _ioctl, _fn, _struct, _last)

static const struct luo_ioctl_op luo_session_ops[] = {
	LUO_SESSION_OP(LIVEUPDATE_SESSION_PRESERVE_FD, luo_session_preserve_fd,
		       struct liveupdate_session_preserve_fd, token),
	LUO_SESSION_OP(LIVEUPDATE_SESSION_RETRIEVE_FD, luo_session_retrieve_fd,
		       struct liveupdate_session_retrieve_fd, token),
	LUO_SESSION_OP(LIVEUPDATE_SESSION_FINISH, luo_session_finish,
		       struct liveupdate_session_finish, reserved),
	LUO_SESSION_OP(LIVEUPDATE_SESSION_GET_NAME, luo_session_get_name,
		       struct liveupdate_session_get_name, name),
};

static long luo_session_ioctl(struct file *filp, unsigned int cmd,
			      unsigned long arg)
{
	struct luo_ucmd ucmd = { .session = filp->private_data };
	union luo_session_buffer buf;

	return luo_ioctl_dispatch(luo_session_ops, ARRAY_SIZE(luo_session_ops),
				  LIVEUPDATE_CMD_SESSION_BASE, &ucmd, &buf, cmd, arg);
}

static const struct file_operations luo_session_fops = {
	.owner = THIS_MODULE,
	.release = luo_session_release,
	.unlocked_ioctl = luo_session_ioctl,
};

/* ------------------------------------------------------------------------
 * Reboot
 */

static int luo_session_freeze(struct luo_session *session,
			      struct luo_session_ser *ser)
{
	int err;

	guard(mutex)(&session->mutex);
	err = luo_file_freeze_all(&session->files, &ser->file_set_ser);
	if (err) {
		pr_warn("cannot freeze session " LUO_NAME_FMT ": %pe\n",
			luo_name_len(session->name), session->name, ERR_PTR(err));
		return err;
	}
	memcpy(ser->name, session->name, sizeof(ser->name));
	return 0;
}

/* Unfreeze the sessions before @session, last first. */
static void luo_session_unfreeze_before(struct luo_session *session)
{
	lockdep_assert_held_write(&luo_outgoing.rwsem);
	list_for_each_entry_continue_reverse(session, &luo_outgoing.sessions, list) {
		guard(mutex)(&session->mutex);
		luo_file_unfreeze_all(&session->files);
	}
}

/**
 * luo_session_serialize - freeze and record every outgoing session
 * @root: the outgoing root; its session address is set
 *
 * Also records the FLBs.  On success the outgoing sessions are frozen for
 * good.  On an error, every session is unfrozen and @root hands over no
 * session.
 *
 * Context: from liveupdate_reboot(); takes the outgoing rwsem.
 * Return: 0, the error of a freeze() callback, or -EINVAL for
 * inconsistent FLB state (a bug).
 */
int luo_session_serialize(struct luo_ser *root)
{
	struct luo_session *session;
	unsigned long i = 0;
	int err;

	guard(rwsem_write)(&luo_outgoing.rwsem);
	root->sessions_pa = 0;
	err = luo_flb_serialize();
	if (err)
		return err;
	list_for_each_entry(session, &luo_outgoing.sessions, list) {
		err = luo_session_freeze(session,
					 kho_block_set_record(&luo_outgoing.blocks, i++));
		if (err) {
			luo_session_unfreeze_before(session);
			return err;
		}
	}
	root->sessions_pa = kho_block_set_seal(&luo_outgoing.blocks);
	luo_outgoing.frozen = true;
	return 0;
}

/* ------------------------------------------------------------------------
 * Boot
 */

static int __init luo_session_restore(const void *entry, void *arg)
{
	const struct luo_session_ser *ser = entry;
	struct luo_session *session;

	lockdep_assert_held_write(&luo_incoming.rwsem);
	if (!luo_string_ok(ser->name, sizeof(ser->name))) {
		luo_reject("session %lu has an empty or unterminated name",
			   luo_incoming.count);
		return -EINVAL;
	}
	if (luo_session_find(&luo_incoming, ser->name)) {
		luo_reject("session " LUO_NAME_FMT " is recorded twice",
			   luo_name_len(ser->name), ser->name);
		return -EINVAL;
	}
	session = luo_session_alloc(ser->name, true);
	if (!session) {
		luo_reject("out of memory");
		return -ENOMEM;
	}
	list_add_tail(&session->list, &luo_incoming.sessions);
	luo_incoming.count++;
	guard(mutex)(&session->mutex);
	return luo_file_deserialize(&session->files, &ser->file_set_ser);
}

static void __init luo_session_discard_locked(void)
{
	struct luo_session *session, *tmp;

	lockdep_assert_held_write(&luo_incoming.rwsem);
	list_for_each_entry_safe(session, tmp, &luo_incoming.sessions, list) {
		scoped_guard(mutex, &session->mutex)
			luo_file_discard_all(&session->files);
		list_del(&session->list);
		luo_session_free(session);
	}
	luo_incoming.count = 0;
}

/**
 * luo_session_deserialize - rebuild the incoming sessions
 * @sessions_pa: physical address of the first session block, or 0
 *
 * Context: early boot.
 * Return: 0, -EINVAL for a malformed hand-over (reported), or -ENOMEM;
 * then no incoming session exists.
 */
int __init luo_session_deserialize(u64 sessions_pa)
{
	int err;

	guard(rwsem_write)(&luo_incoming.rwsem);
	err = luo_blocks_restore(sessions_pa, sizeof(struct luo_session_ser),
				 KHO_BLOCK_COUNT_UNKNOWN, luo_session_restore,
				 NULL, "session");
	if (err)
		luo_session_discard_locked();
	return err;
}

static int luo_session_bind(struct luo_session *session)
{
	guard(mutex)(&session->mutex);
	return luo_file_bind_all(&session->files);
}

/**
 * luo_session_bind_incoming - bind every incoming file to its handler
 *
 * Context: on the first open of ``/dev/liveupdate``.
 * Return: 0, or -ENOENT if a handler is missing.
 */
int luo_session_bind_incoming(void)
{
	struct luo_session *session;
	int err;

	guard(rwsem_read)(&luo_incoming.rwsem);
	list_for_each_entry(session, &luo_incoming.sessions, list) {
		err = luo_session_bind(session);
		if (err) {
			pr_err("cannot restore session " LUO_NAME_FMT ": %pe\n",
			       luo_name_len(session->name), session->name, ERR_PTR(err));
			return err;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * debugfs
 */

static const char *luo_session_state(struct luo_session *session)
{
	if (!session->incoming)
		return "open";
	if (session->finished)
		return "finished";
	return session->retrieved ? "retrieved" : "not-retrieved";
}

static void luo_session_list_show(struct seq_file *m, struct luo_session_list *sl,
				  const char *dir)
{
	struct luo_session *session;

	guard(rwsem_read)(&sl->rwsem);
	list_for_each_entry(session, &sl->sessions, list) {
		guard(mutex)(&session->mutex);
		seq_printf(m, "%s session " LUO_NAME_FMT " state=%s files=%lu\n",
			   dir, luo_name_len(session->name), session->name,
			   luo_session_state(session), session->files.count);
		luo_file_show(m, &session->files);
	}
}

/**
 * luo_session_show - list every session and its files in debugfs
 * @m: the seq_file
 *
 * Context: process context; takes the session locks.
 */
void luo_session_show(struct seq_file *m)
{
	luo_session_list_show(m, &luo_outgoing, "outgoing");
	luo_session_list_show(m, &luo_incoming, "incoming");
}

static unsigned long luo_session_count(struct luo_session_list *sl)
{
	guard(rwsem_read)(&sl->rwsem);
	return sl->count;
}

/**
 * luo_session_counts - number of outgoing and incoming sessions
 * @outgoing: where to store the number of outgoing sessions
 * @incoming: where to store the number of incoming sessions
 */
void luo_session_counts(unsigned long *outgoing, unsigned long *incoming)
{
	*outgoing = luo_session_count(&luo_outgoing);
	*incoming = luo_session_count(&luo_incoming);
}
