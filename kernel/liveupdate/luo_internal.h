/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 */
#ifndef _KERNEL_LIVEUPDATE_LUO_INTERNAL_H
#define _KERNEL_LIVEUPDATE_LUO_INTERNAL_H

#include <linux/kho/abi/luo.h>
#include <linux/kho_block.h>
#include <linux/liveupdate.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/xarray.h>

struct file;
struct seq_file;
struct luo_session;

/*
 * One line of error for a rejected incoming hand-over.  Callers print it
 * once, at the check that failed, and return -EINVAL up the stack.
 */
#define luo_reject(fmt, ...)						\
	pr_err("incoming hand-over rejected: " fmt			\
	       "; live update is disabled for this boot\n", ##__VA_ARGS__)

/*
 * list_for_each_entry() over a list whose link member is marked __private
 * (the handler and FLB structures of <linux/liveupdate.h>).
 */
#define luo_list_for_each_private(pos, head, member)			\
	for (struct list_head *__luo_it = (head)->next;			\
	     __luo_it != (head) &&					\
	     ((pos) = container_of(__luo_it, typeof(*(pos)), member), 1); \
	     __luo_it = __luo_it->next)

/* ---- luo_core.c: ioctl plumbing ---- */

/**
 * struct luo_ucmd - one ioctl call being executed
 * @ubuffer: the user's argument structure
 * @user_size: its size as the user gave it
 * @cmd: the kernel copy of the argument structure
 * @session: the session the ioctl was issued on, NULL for the device
 */
struct luo_ucmd {
	void __user *ubuffer;
	u32 user_size;
	void *cmd;
	struct luo_session *session;
};

/**
 * struct luo_ioctl_op - one entry of an ioctl table
 * @size: size of the kernel's argument structure
 * @min_size: smallest size userspace may pass
 * @ioctl_num: the full command number
 * @execute: the handler
 */
struct luo_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	unsigned int ioctl_num;
	int (*execute)(struct luo_ucmd *ucmd);
};

#define LUO_IOCTL_OP(_base, _union, _ioctl, _fn, _struct, _last)	\
	[_IOC_NR(_ioctl) - (_base)] = {					\
		.size = sizeof(_struct) +				\
			BUILD_BUG_ON_ZERO(sizeof(_union) < sizeof(_struct)), \
		.min_size = offsetofend(_struct, _last),		\
		.ioctl_num = _ioctl,					\
		.execute = _fn,						\
	}

long luo_ioctl_dispatch(const struct luo_ioctl_op *ops, unsigned int nr_ops,
			unsigned int base, struct luo_ucmd *ucmd, void *buf,
			unsigned int cmd, unsigned long arg);
int luo_ucmd_respond(struct luo_ucmd *ucmd, size_t size);

bool luo_string_ok(const char *s, size_t size);
int luo_blocks_restore(u64 head, size_t record_size, u64 nr_records,
		       kho_block_fn fn, void *arg, const char *what);

/* ---- luo_file.c: preserved files and file handlers ---- */

/*
 * Protects the list of file handlers, the FLBs linked to them and the
 * global list of FLBs.  Taken for reading to look handlers and FLBs up.
 */
extern struct rw_semaphore luo_register_rwsem;

/**
 * struct luo_file_set - the files of one session
 * @files: &struct luo_file, in the order they were preserved
 * @count: number of files
 * @blocks: outgoing: the blocks their records are written to at reboot
 * @lock: the session's mutex, which protects all of this
 */
struct luo_file_set {
	struct list_head files;
	unsigned long count;
	struct kho_block_set blocks;
	struct mutex *lock;	/* the session's mutex */
};

bool luo_handler_registered(struct liveupdate_file_handler *fh);
void luo_file_set_init(struct luo_file_set *set, struct mutex *lock);
int luo_preserve_file(struct luo_file_set *set, u64 token, int fd);
void luo_file_unpreserve_all(struct luo_file_set *set);
int luo_file_freeze_all(struct luo_file_set *set, struct luo_file_set_ser *ser);
void luo_file_unfreeze_all(struct luo_file_set *set);
int luo_file_deserialize(struct luo_file_set *set,
			 const struct luo_file_set_ser *ser);
int luo_file_bind_all(struct luo_file_set *set);
int luo_retrieve_file(struct luo_file_set *set, u64 token,
		      struct file **filep);
int luo_file_finish_all(struct luo_file_set *set);
void luo_file_discard_all(struct luo_file_set *set);
void luo_file_show(struct seq_file *m, struct luo_file_set *set);

/* ---- luo_flb.c: File-Lifecycle-Bound state ---- */

int luo_flb_file_preserve(struct liveupdate_file_handler *fh);
void luo_flb_file_unpreserve(struct liveupdate_file_handler *fh);
void luo_flb_file_finish(struct liveupdate_file_handler *fh);
void luo_flb_unlink_all(struct liveupdate_file_handler *fh);
int luo_flb_out_init(u64 *flbs_pa);
int luo_flb_serialize(void);
int luo_flb_deserialize(u64 flbs_pa);
void luo_flb_discard_incoming(void);
void luo_flb_show(struct seq_file *m);

/* ---- luo_session.c: sessions ---- */

int luo_session_create(const char *name, struct file **filep);
int luo_session_retrieve(const char *name, struct file **filep);
int luo_session_serialize(struct luo_ser *root);
int luo_session_deserialize(u64 sessions_pa);
void luo_session_discard_incoming(void);
int luo_session_bind_incoming(void);
void luo_session_show(struct seq_file *m);
void luo_session_counts(unsigned long *outgoing, unsigned long *incoming);

/* ---- luo_test.c ---- */

#ifdef CONFIG_LIVEUPDATE_TEST
void liveupdate_test_register(struct liveupdate_file_handler *fh);
#else
static inline void liveupdate_test_register(struct liveupdate_file_handler *fh) { }
#endif

/* ---- luo_core.c: global state ---- */

u64 luo_liveupdate_num(void);
const char *luo_state_name(void);

/* ---- luo_debugfs.c ---- */

#ifdef CONFIG_DEBUG_FS
void luo_debugfs_init(void);
#else
static inline void luo_debugfs_init(void) { }
#endif

#endif /* _KERNEL_LIVEUPDATE_LUO_INTERNAL_H */
