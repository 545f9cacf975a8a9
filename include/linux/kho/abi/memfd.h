/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 *
 * Hand-over format of memfds preserved by the Live Update Orchestrator.
 */
#ifndef _LINUX_KHO_ABI_MEMFD_H
#define _LINUX_KHO_ABI_MEMFD_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/fcntl.h>
#include <linux/types.h>
#include <linux/kho/abi/kexec_handover.h>

/**
 * DOC: memfd hand-over format
 *
 * A preserved memfd is described by one &struct memfd_luo_ser, allocated
 * with kho_alloc_preserve().  The physical address of that structure is
 * the serialized_data LUO hands to the next kernel for the file.  Its
 * @folios member describes a vmalloc'ed array of @nr_folios
 * &struct memfd_luo_folio_ser records preserved with
 * kho_preserve_vmalloc(); each record names one folio of the file, whole
 * (large folios are never split), by its pfn and page index.  The folios
 * themselves are preserved with kho_preserve_folio().
 *
 * Versioning contract: the handler compatible string,
 * MEMFD_LUO_FH_COMPATIBLE, names this exact layout.  Any change to the
 * layout or the meaning of a field, including giving meaning to a bit that
 * must be zero today, requires a new compatible string ("memfd-v3", ...).
 * A kernel only retrieves memfds whose compatible it knows; others stay
 * unclaimed and LUO frees nothing of them.  Reserved fields and flag bits
 * are written as zero, and a record with a set unknown bit is refused.
 *
 * "memfd-v2" carries the file position, size and seals of the memfd and
 * every folio of its contents.  Holes are not preserved as such: the old
 * kernel fills them with zeroed folios before preserving.
 */

/* Compatible string of the memfd file handler and this format. */
#define MEMFD_LUO_FH_COMPATIBLE		"memfd-v2"

/* The seals "memfd-v2" carries. */
#define MEMFD_LUO_ALL_SEALS		(F_SEAL_SEAL | F_SEAL_SHRINK | \
					 F_SEAL_GROW | F_SEAL_WRITE | \
					 F_SEAL_FUTURE_WRITE | F_SEAL_EXEC)

/* Per-folio flags; "memfd-v2" always sets both. */
#define MEMFD_LUO_FOLIO_DIRTY		BIT(0)
#define MEMFD_LUO_FOLIO_UPTODATE	BIT(1)
#define MEMFD_LUO_FOLIO_FLAGS		(MEMFD_LUO_FOLIO_DIRTY | \
					 MEMFD_LUO_FOLIO_UPTODATE)

/**
 * struct memfd_luo_folio_ser - one preserved folio of a memfd
 * @pfn: page frame number of the folio's first page; 0 means no folio
 * @flags: MEMFD_LUO_FOLIO_* flags
 * @index: page offset of the folio in the file, a multiple of its size
 */
struct memfd_luo_folio_ser {
	u64 pfn:52;
	u64 flags:12;
	u64 index;
} __packed;

static_assert(sizeof(struct memfd_luo_folio_ser) == 16);

/**
 * struct memfd_luo_ser - a preserved memfd
 * @pos: file position (f_pos) as of the kexec
 * @size: file size (i_size) in bytes
 * @seals: F_SEAL_* seals of the file, within MEMFD_LUO_ALL_SEALS
 * @flags: reserved, zero
 * @nr_folios: number of records in @folios
 * @folios: the preserved vmalloc'ed array of folio records; empty when
 *          @nr_folios is 0
 */
struct memfd_luo_ser {
	u64 pos;
	u64 size;
	u32 seals;
	u32 flags;
	u64 nr_folios;
	struct kho_vmalloc folios;
} __packed;

static_assert(sizeof(struct memfd_luo_ser) == 48);

#endif /* _LINUX_KHO_ABI_MEMFD_H */
