// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 */

/**
 * DOC: blackout phases
 *
 * The blackout of a live update is the time from reboot(2) in the old
 * kernel to the VMs' memory being back in the new one.  This file puts its
 * phases on one timeline: the CPU's cycle counter (get_cycles(), the TSC
 * on x86), which keeps running across a kexec.
 *
 * The old kernel stamps the reboot, the freeze of the sessions and the
 * jump into the next kernel into its ``lu612,blackout`` KHO subtree
 * (``include/linux/kho/abi/blackout.h``); the stamps are stores into
 * memory preserved at boot, so the reboot path stays constant time.  The
 * next kernel reads them at the fs_initcall of KHO and adds its own: the
 * hand-over found in setup_arch() (right after its first console line),
 * the two early-boot KHO passes and ``/dev/liveupdate`` ready.  The last
 * also carries CLOCK_BOOTTIME, so that userspace can continue the timeline
 * with its own clock (agent start, memory retrieved).
 *
 * ``/sys/kernel/debug/liveupdate/blackout`` shows the counter frequency
 * and one line per phase: name, counter value and milliseconds since the
 * old kernel's reboot stamp; LUO logs the same once ``/dev/liveupdate`` is
 * ready.  After a cold boot, or a kexec from a kernel without the subtree
 * (mainline), only this kernel's phases are shown, relative to its first.
 */

#define pr_fmt(fmt) "KHO: " fmt

#include <linux/init.h>
#include <linux/kexec_handover.h>
#include <linux/kho/abi/blackout.h>
#include <linux/math64.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <asm/timex.h>
#ifdef CONFIG_X86
#include <asm/tsc.h>
#endif

#include "kexec_handover_internal.h"

static const char *const kho_blackout_names[KHO_BLACKOUT_NR][2] = {
	[KHO_BLACKOUT_REBOOT]	 = { "reboot", "old kernel: reboot(2) starts the hand-over" },
	[KHO_BLACKOUT_FROZEN]	 = { "frozen", "old kernel: sessions frozen" },
	[KHO_BLACKOUT_JUMP]	 = { "jump", "old kernel: jump into this kernel" },
	[KHO_BLACKOUT_SETUP]	 = { "setup", "this kernel: setup_arch() found the hand-over" },
	[KHO_BLACKOUT_RESERVE]	 = { "kho-reserve", "this kernel: KHO reserve pass starts" },
	[KHO_BLACKOUT_RESERVED]	 = { "kho-reserved", "this kernel: KHO reserve pass done" },
	[KHO_BLACKOUT_STAMP]	 = { "kho-stamp", "this kernel: KHO stamp pass starts" },
	[KHO_BLACKOUT_STAMPED]	 = { "kho-stamped", "this kernel: KHO stamp pass done" },
	[KHO_BLACKOUT_LUO_READY] = { "luo-ready", "this kernel: /dev/liveupdate ready" },
};

/* The outgoing stamps, in preserved memory; NULL until kho_blackout_init(). */
static struct kho_blackout_ser *kho_blackout_out;
/* This boot's timeline: the previous kernel's stamps, then our own. */
static u64 kho_blackout_in[KHO_BLACKOUT_NR];
static u32 kho_blackout_in_khz;
static u64 kho_blackout_ready_boot_ns;

static u32 kho_blackout_khz(void)
{
#ifdef CONFIG_X86
	return tsc_khz;
#else
	return 0;
#endif
}

/**
 * kho_blackout_stamp - record that the blackout reached @phase
 * @phase: KHO_BLACKOUT_REBOOT, _FROZEN or _JUMP on the way out (stored in
 *         the hand-over), or a phase of &enum kho_blackout_phase of this
 *         boot
 *
 * Constant time, no locks, no allocation: callable on the reboot path
 * after the other CPUs stopped and in early boot.  A later stamp of the
 * same phase replaces the earlier one (a reboot(2) that failed and was
 * retried).
 */
void kho_blackout_stamp(unsigned int phase)
{
	u64 now = get_cycles();

	if (phase < KHO_BLACKOUT_NR_OUT) {
		if (!kho_blackout_out)
			return;
		if (phase == KHO_BLACKOUT_REBOOT)
			WRITE_ONCE(kho_blackout_out->counter_khz, kho_blackout_khz());
		WRITE_ONCE(kho_blackout_out->stamps[phase], now);
	} else if (phase < KHO_BLACKOUT_NR) {
		kho_blackout_in[phase] = now;
		if (phase == KHO_BLACKOUT_LUO_READY)
			kho_blackout_ready_boot_ns = ktime_get_boottime_ns();
	}
}

/* Can the previous kernel's stamps @blob of @size bytes be used? */
static const char * __init kho_blackout_check(const void *blob, size_t size)
{
	const struct kho_blackout_ser *b = blob;

	if (size < offsetof(struct kho_blackout_ser, stamps))
		return "is too small";
	if (strncmp(b->compatible, KHO_BLACKOUT_COMPATIBLE, sizeof(b->compatible)))
		return "has an unknown compatible string";
	if (b->nr_stamps < KHO_BLACKOUT_NR_OUT ||
	    size < offsetof(struct kho_blackout_ser, stamps) +
		   (size_t)b->nr_stamps * sizeof(b->stamps[0]))
		return "is too small for its stamps";
	return NULL;
}

static void __init kho_blackout_read_in(void)
{
	struct kho_blackout_ser b;

	if (!kho_in_copy_subtree(KHO_BLACKOUT_NODE_NAME, &b, sizeof(b),
				 kho_blackout_check))
		return;
	memcpy(kho_blackout_in, b.stamps, sizeof(b.stamps));
	kho_blackout_in_khz = b.counter_khz;
}

/**
 * kho_blackout_init - take the previous kernel's stamps, prepare ours
 *
 * Reads the ``lu612,blackout`` subtree of the incoming hand-over, if any,
 * and adds a zeroed one to the outgoing hand-over for kho_blackout_stamp().
 *
 * Context: KHO's fs_initcall, with KHO enabled.
 * Return: 0 or the error of preserving or adding the subtree.
 */
int __init kho_blackout_init(void)
{
	struct kho_blackout_ser *b;
	int err;

	if (is_kho_boot())
		kho_blackout_read_in();
	b = kho_alloc_preserve(sizeof(*b));
	if (IS_ERR(b))
		return PTR_ERR(b);
	strscpy_pad(b->compatible, KHO_BLACKOUT_COMPATIBLE);
	b->nr_stamps = KHO_BLACKOUT_NR_OUT;
	err = kho_add_subtree(KHO_BLACKOUT_NODE_NAME, b, sizeof(*b));
	if (err) {
		kho_unpreserve_free(b);
		return err;
	}
	kho_blackout_out = b;
	return 0;
}

/* The frequency to convert with: ours, else the previous kernel's. */
static u32 kho_blackout_conv_khz(void)
{
	return kho_blackout_khz() ?: kho_blackout_in_khz;
}

/* The stamp times are measured from: the reboot stamp, else our first. */
static u64 kho_blackout_origin(void)
{
	unsigned int i;

	for (i = 0; i < KHO_BLACKOUT_NR; i++)
		if (kho_blackout_in[i])
			return kho_blackout_in[i];
	return 0;
}

/* Nanoseconds from @origin to the stamp @at; -1 if either is unknown. */
static s64 kho_blackout_ns(u64 origin, u64 at)
{
	u32 khz = kho_blackout_conv_khz();

	if (!origin || !at || !khz || at < origin)
		return -1;
	return mul_u64_u32_div(at - origin, NSEC_PER_MSEC, khz);
}

/**
 * kho_blackout_show - the blackout timeline, for debugfs
 * @m: the seq_file to print to
 *
 * Prints ``counter_khz N``, ``boottime_ns N`` (CLOCK_BOOTTIME at the
 * ``luo-ready`` stamp, 0 if not reached), then for each phase its name,
 * its counter value and the milliseconds since the first known stamp
 * (the old kernel's reboot, if handed over), ``-`` for phases not
 * reached, and a description.
 */
void kho_blackout_show(struct seq_file *m)
{
	u64 origin = kho_blackout_origin();
	unsigned int i;
	s64 ns;

	seq_printf(m, "counter_khz %u\n", kho_blackout_conv_khz());
	seq_printf(m, "boottime_ns %llu\n", kho_blackout_ready_boot_ns);
	for (i = 0; i < KHO_BLACKOUT_NR; i++) {
		ns = kho_blackout_ns(origin, kho_blackout_in[i]);
		seq_printf(m, "%-13s %20llu ", kho_blackout_names[i][0],
			   kho_blackout_in[i]);
		if (ns < 0)
			seq_printf(m, "%12s", "-");
		else
			seq_printf(m, "%8lld.%03lld", ns / NSEC_PER_MSEC,
				   (ns % NSEC_PER_MSEC) / NSEC_PER_USEC);
		seq_printf(m, "  %s\n", kho_blackout_names[i][1]);
	}
}

/* Microseconds from the stamp @from to the stamp @to, for the log. */
static unsigned long kho_blackout_us(unsigned int from, unsigned int to)
{
	s64 ns = kho_blackout_ns(kho_blackout_in[from], kho_blackout_in[to]);

	return ns < 0 ? 0 : div_u64(ns, NSEC_PER_USEC);
}

/**
 * kho_blackout_report - log the blackout so far, once /dev/liveupdate is up
 *
 * One line, microseconds on the cycle counter: from the old kernel's
 * reboot stamp to the freeze, the jump, this kernel's setup_arch() and
 * /dev/liveupdate ready, and the two KHO passes.  Nothing after a cold
 * boot or a kexec from a kernel that does not record the stamps.
 */
void kho_blackout_report(void)
{
	if (!kho_blackout_in[KHO_BLACKOUT_REBOOT] || !kho_blackout_conv_khz())
		return;
	pr_info("blackout so far, us after reboot(2): frozen %lu, jump %lu, setup_arch %lu, /dev/liveupdate ready %lu; KHO passes %lu + %lu us\n",
		kho_blackout_us(KHO_BLACKOUT_REBOOT, KHO_BLACKOUT_FROZEN),
		kho_blackout_us(KHO_BLACKOUT_REBOOT, KHO_BLACKOUT_JUMP),
		kho_blackout_us(KHO_BLACKOUT_REBOOT, KHO_BLACKOUT_SETUP),
		kho_blackout_us(KHO_BLACKOUT_REBOOT, KHO_BLACKOUT_LUO_READY),
		kho_blackout_us(KHO_BLACKOUT_RESERVE, KHO_BLACKOUT_RESERVED),
		kho_blackout_us(KHO_BLACKOUT_STAMP, KHO_BLACKOUT_STAMPED));
}
