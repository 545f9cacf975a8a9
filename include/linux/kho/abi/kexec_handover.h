/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 */
#ifndef _LINUX_KHO_ABI_KEXEC_HANDOVER_H
#define _LINUX_KHO_ABI_KEXEC_HANDOVER_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/log2.h>
#include <linux/math.h>
#include <linux/types.h>
#include <asm/page.h>

/**
 * DOC: Kexec HandOver hand-over format
 *
 * Everything one kernel hands to the next through KHO hangs off a single
 * page: the root flattened device tree.  Its address reaches the next
 * kernel through the architecture's boot protocol (on x86, a
 * ``SETUP_KEXEC_KHO`` setup_data record that also points at the array of
 * scratch areas).  The root node looks like this::
 *
 *   / {
 *       compatible = "kho-v4";
 *       preserved-memory-map = <u64 physical address of the tracker root>;
 *
 *       some-subsystem {
 *           preserved-data = <u64 physical address of the blob>;
 *           blob-size = <u64 size of the blob in bytes>;
 *       };
 *   };
 *
 * Property values are stored in the CPU's native byte order, not as
 * big-endian FDT cells.  Each child node names one blob of a subsystem
 * (``kho_add_subtree()``); KHO does not look inside blobs.
 *
 * The preserved-memory tracker is a radix tree of whole pages linked by
 * physical address.  A preserved block of ``1 << order`` pages starting at
 * physical address ``pa`` is one key::
 *
 *   key = (1 << (KHO_ORDER_0_LOG2 - order)) | (pa >> (PAGE_SHIFT + order))
 *
 * The position of the most significant set bit encodes the order, so
 * blocks of every order live in one tree.  The low KHO_BITMAP_SIZE_LOG2
 * bits of the key select a bit in a leaf page; each further group of
 * KHO_TABLE_SIZE_LOG2 bits selects an entry in a table page one level up.
 * Table entries hold the physical address of the next level, or 0.  The
 * next kernel walks the very pages the previous kernel built; nothing is
 * serialized at reboot.
 *
 * Scratch areas: the previous kernel also hands over an array of
 * &struct kho_scratch, physically contiguous ranges that hold no
 * preserved memory.  The next kernel allocates only from them until it has
 * read the tracker.
 *
 * Compatibility: a kernel accepts a hand-over only if the root compatible
 * is exactly KHO_FDT_COMPATIBLE.  Any change to the tree layout, the key
 * encoding, a property, the scratch array, a structure in this file or in
 * ``block.h`` (block sets) must change that string.  The page size is part
 * of the format.  "kho-v4" is the format of mainline Linux 7.2, which
 * this kernel reads and writes unchanged; the previous release of this
 * backport wrote "kho-v3", which is refused by name.
 *
 * Names: compatible strings and subtree names that mainline Linux
 * defines are used only for mainline's layouts.  Formats of this backport
 * that mainline does not have carry the vendor prefix ``lu612,`` (as in
 * ``"lu612,hugetlb-v1"``); mainline never uses a comma in these names, so
 * the two can never collide.
 */

#define KHO_FDT_COMPATIBLE		"kho-v4"
#define KHO_FDT_MEMORY_MAP_PROP_NAME	"preserved-memory-map"
#define KHO_SUB_TREE_PROP_NAME		"preserved-data"
#define KHO_SUB_TREE_SIZE_PROP_NAME	"blob-size"

/* The root FDT is exactly one page. */
#define KHO_FDT_SIZE			PAGE_SIZE

/* Prefix of the names of formats mainline Linux does not define. */
#define KHO_VENDOR_PREFIX		"lu612,"

/**
 * struct kho_scratch - a scratch area handed to the next kernel
 * @addr: physical start address, page aligned
 * @size: size in bytes, page aligned, not 0
 *
 * The array of these travels to the next kernel as a kexec segment of its
 * own; on x86 the ``SETUP_KEXEC_KHO`` setup_data record gives its address
 * and size.
 */
struct kho_scratch {
	phys_addr_t addr;
	phys_addr_t size;
};

static_assert(sizeof(struct kho_scratch) == 16);

enum kho_radix_consts {
	/* Bits of a key that hold the pfn of an order-0 block. */
	KHO_ORDER_0_LOG2 = 64 - PAGE_SHIFT,
	/* Entries of a table page: PAGE_SIZE / sizeof(u64). */
	KHO_TABLE_SIZE_LOG2 = PAGE_SHIFT - 3,
	/* Bits of a leaf page. */
	KHO_BITMAP_SIZE_LOG2 = PAGE_SHIFT + 3,
	/* Table levels above the leaves, and the depth including leaves. */
	KHO_TREE_TABLE_LEVELS = DIV_ROUND_UP(KHO_ORDER_0_LOG2 + 1 - KHO_BITMAP_SIZE_LOG2,
					     KHO_TABLE_SIZE_LOG2),
	KHO_TREE_MAX_DEPTH = KHO_TREE_TABLE_LEVELS + 1,
};

/**
 * struct kho_radix_node - a table page of the preserved-memory tracker
 * @table: physical address of each child page, or 0
 */
struct kho_radix_node {
	u64 table[1 << KHO_TABLE_SIZE_LOG2];
};

/**
 * struct kho_radix_leaf - a leaf page of the preserved-memory tracker
 * @bitmap: one bit per key
 */
struct kho_radix_leaf {
	unsigned long bitmap[(1 << KHO_BITMAP_SIZE_LOG2) / BITS_PER_LONG];
};

/* A physical address stored in a hand-over structure. */
#define DECLARE_KHOSER_PTR(name, type)	\
	union {				\
		u64 phys;		\
		type ptr;		\
	} name
#define KHOSER_STORE_PTR(dest, val)					\
	({								\
		typeof(val) v = val;					\
		typecheck(typeof((dest).ptr), v);			\
		(dest).phys = virt_to_phys(v);				\
	})
#define KHOSER_LOAD_PTR(src)						\
	({								\
		typeof(src) s = src;					\
		(typeof((s).ptr))((s).phys ? phys_to_virt((s).phys) : NULL); \
	})

struct kho_vmalloc_chunk;

/**
 * struct kho_vmalloc_hdr - header of a vmalloc descriptor page
 * @next: the next descriptor page, or 0
 * @next.phys: its physical address, as handed over
 * @next.ptr: its address in this kernel (KHOSER_STORE_PTR/KHOSER_LOAD_PTR)
 */
struct kho_vmalloc_hdr {
	union {
		u64 phys;
		struct kho_vmalloc_chunk *ptr;
	} next;
};

#define KHO_VMALLOC_SIZE				\
	((PAGE_SIZE - sizeof(struct kho_vmalloc_hdr)) /	\
	 sizeof(u64))

/**
 * struct kho_vmalloc_chunk - one descriptor page of a preserved vmalloc area
 * @hdr: link to the next page
 * @phys: physical address of each block of ``1 << order`` pages, in
 *        mapping order; a 0 entry ends the list
 */
struct kho_vmalloc_chunk {
	struct kho_vmalloc_hdr hdr;
	u64 phys[KHO_VMALLOC_SIZE];
};

static_assert(sizeof(struct kho_vmalloc_chunk) == PAGE_SIZE);

#define KHO_VMALLOC_ALLOC	0x0001
#define KHO_VMALLOC_HUGE_VMAP	0x0002
#define KHO_VMALLOC_FLAGS_MASK	(KHO_VMALLOC_ALLOC | KHO_VMALLOC_HUGE_VMAP)

/**
 * struct kho_vmalloc - descriptor of a preserved vmalloc area
 * @first: the first descriptor page
 * @first.phys: its physical address, as handed over
 * @first.ptr: its address in this kernel (KHOSER_STORE_PTR/KHOSER_LOAD_PTR)
 * @total_pages: number of PAGE_SIZE pages of the area
 * @flags: KHO_VMALLOC_* flags of the area
 * @order: order of each block of pages
 *
 * The owner of the area stores this 16-byte descriptor in memory that is
 * itself handed over, and passes it to kho_restore_vmalloc() in the next
 * kernel.
 */
struct kho_vmalloc {
	union {
		u64 phys;
		struct kho_vmalloc_chunk *ptr;
	} first;
	unsigned int total_pages;
	unsigned short flags;
	unsigned short order;
};

static_assert(sizeof(struct kho_vmalloc) == 16);

#endif /* _LINUX_KHO_ABI_KEXEC_HANDOVER_H */
