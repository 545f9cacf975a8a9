// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 */

/**
 * DOC: LUO debugfs interface
 *
 * When live update is enabled (or failed), ``/sys/kernel/debug/liveupdate/``
 * shows operators what LUO holds.  All files are read-only text:
 *
 * ``state``
 *   ``state:`` on or failed; ``liveupdate_number:`` the number of live
 *   updates that led to this boot (0 after a cold boot); the number of
 *   ``outgoing_sessions:`` and ``incoming_sessions:``.
 *
 * ``sessions``
 *   One line per session: ``outgoing`` or ``incoming``, the name (quoted,
 *   unprintable bytes escaped), its state (``open``; ``not-retrieved``,
 *   ``retrieved`` or ``finished``) and its number of files; then one
 *   indented line per file with its token, the compatible string of its
 *   handler and its state (``preserved``; ``not-retrieved``,
 *   ``retrieved`` or ``retrieve-failed``).
 *
 * ``flbs``
 *   One line per FLB linked to a handler, with its number of handlers,
 *   its outgoing reference count and its incoming state, then one line
 *   per FLB record handed over by the previous kernel.
 *
 * ``blackout``
 *   The phases of the blackout that led to this boot, on the CPU's cycle
 *   counter: see kho_blackout_show().
 *
 * The format is meant for people; it may change.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/kexec_handover.h>
#include <linux/seq_file.h>

#include "luo_internal.h"

static int luo_state_show(struct seq_file *m, void *unused)
{
	unsigned long outgoing, incoming;

	luo_session_counts(&outgoing, &incoming);
	seq_printf(m, "state: %s\n", luo_state_name());
	seq_printf(m, "liveupdate_number: %llu\n", luo_liveupdate_num());
	seq_printf(m, "outgoing_sessions: %lu\n", outgoing);
	seq_printf(m, "incoming_sessions: %lu\n", incoming);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(luo_state);

static int luo_sessions_show(struct seq_file *m, void *unused)
{
	luo_session_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(luo_sessions);

static int luo_flbs_show(struct seq_file *m, void *unused)
{
	luo_flb_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(luo_flbs);

static int luo_blackout_show(struct seq_file *m, void *unused)
{
	kho_blackout_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(luo_blackout);

/**
 * luo_debugfs_init - create /sys/kernel/debug/liveupdate/
 *
 * Context: late boot.
 */
void __init luo_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("liveupdate", NULL);

	debugfs_create_file("state", 0400, dir, NULL, &luo_state_fops);
	debugfs_create_file("sessions", 0400, dir, NULL, &luo_sessions_fops);
	debugfs_create_file("flbs", 0400, dir, NULL, &luo_flbs_fops);
	debugfs_create_file("blackout", 0400, dir, NULL, &luo_blackout_fops);
}
