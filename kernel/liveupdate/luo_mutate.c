// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 */

/**
 * DOC: Hand-over mutation fuzzer
 *
 * With ``CONFIG_LIVEUPDATE_TEST``, ``/sys/kernel/debug/liveupdate_mutate/
 * mutate`` damages the outgoing hand-over at random, so that the
 * validation of the next kernel can be fuzzed across a real kexec.  Write
 * ``SEED COUNT [AREA]``: from a reboot notifier, which runs after
 * liveupdate_reboot() has written every record, COUNT mutations chosen by
 * a pseudo-random generator seeded with SEED are applied in place, and
 * each is logged on one console line (``lu_mutate: 2/3: ...``), so that a
 * seed reproduces the same damage on the same hand-over.  Writing ``0 0``
 * disarms it.
 *
 * The mutator finds every part of the hand-over from the outgoing KHO root
 * FDT, as the next kernel will: the FDT itself (its header, the address of
 * the preserved-memory map, each subtree's address, size and name), the
 * pages of the radix tree of preserved memory (table entries and leaf
 * bitmaps), the LUO root (&struct luo_ser), the session and file block
 * sets (block headers and records), the FLB region, and for each memfd
 * its &struct memfd_luo_ser, the descriptor pages of its folio array and
 * the folio records.  AREA limits the mutations to one of them: ``fdt``,
 * ``radix``, ``luo``, ``session``, ``file``, ``flb``, ``memfd``,
 * ``memfd-chunk`` or ``memfd-folio``.
 *
 * A mutation takes one field and makes it 0, random, one more or one
 * less, huge, misaligned, a physical address beyond the end of memory,
 * the address of its own page (a loop), the address of another part of
 * the hand-over (an overlap), or flips one bit of it; a string loses its
 * terminating NUL or becomes empty; a leaf bitmap gains or loses a bit
 * (a block the previous kernel did not preserve, or one it did that is
 * forgotten).
 *
 * Named mutations, for regression tests, damage one thing on purpose:
 * ``file-data=fdt`` points the data of every file record at the root FDT
 * page, and ``memfd-nr-folios=max`` makes every memfd claim more folios
 * than its folio array holds.
 *
 * Locking: the notifier runs once, in kernel_restart_prepare(), when
 * liveupdate_reboot() has frozen every session and nothing else changes
 * the hand-over; the control file is protected by luo_mutate_lock.
 */

#define pr_fmt(fmt) "lu_mutate: " fmt

#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/kexec_handover.h>
#include <linux/kho/abi/luo.h>
#include <linux/kho/abi/memfd.h>
#include <linux/libfdt.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/reboot.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/unaligned.h>

#include "kexec_handover_internal.h"
#include "luo_internal.h"

#define LUO_MUTATE_MAX_FIELDS	8192
#define LUO_MUTATE_MAX_PAGES	1024
/* Folio records and descriptor entries of one memfd taken as fields. */
#define LUO_MUTATE_PER_ARRAY	32

enum luo_mutate_area {
	LM_FDT, LM_RADIX, LM_LUO, LM_SESSION, LM_FILE, LM_FLB, LM_MEMFD,
	LM_MEMFD_CHUNK, LM_MEMFD_FOLIO, LM_NR_AREAS,
};

static const char * const luo_mutate_area_names[LM_NR_AREAS] = {
	"fdt", "radix", "luo", "session", "file", "flb", "memfd",
	"memfd-chunk", "memfd-folio",
};

enum luo_mutate_kind {
	LMK_U64,	/* an address, size or count */
	LMK_U32,
	LMK_STR,	/* a NUL-terminated name in a fixed field */
	LMK_BITMAP,	/* a radix tree leaf page */
};

/**
 * struct luo_mutate_field - one thing the mutator may damage
 * @ptr: where it is
 * @len: its size in bytes (strings and bitmaps)
 * @kind: what it is
 * @area: which part of the hand-over it belongs to
 * @what: its name, for the log
 */
struct luo_mutate_field {
	void *ptr;
	u32 len;
	u8 kind;
	u8 area;
	const char *what;
};

/**
 * struct luo_mutate_state - the fields of the outgoing hand-over
 * @fields: the fields found
 * @nr: number of @fields
 * @pages: physical addresses of the pages of the hand-over, for overlaps
 * @nr_pages: number of @pages
 * @rng: state of the generator
 */
struct luo_mutate_state {
	struct luo_mutate_field *fields;
	unsigned int nr;
	phys_addr_t *pages;
	unsigned int nr_pages;
	u64 rng;
};

static DEFINE_MUTEX(luo_mutate_lock);
static u64 luo_mutate_seed;
static unsigned int luo_mutate_count;
static int luo_mutate_area = -1;
static char luo_mutate_named[32];

/* xorshift64*: the same seed gives the same mutations. */
static u64 lm_next(struct luo_mutate_state *st)
{
	st->rng ^= st->rng >> 12;
	st->rng ^= st->rng << 25;
	st->rng ^= st->rng >> 27;
	return st->rng * 0x2545f4914f6cdd1dULL;
}

static u32 lm_below(struct luo_mutate_state *st, u32 n)
{
	return n ? lm_next(st) % n : 0;
}

static void lm_add(struct luo_mutate_state *st, void *ptr, u32 len, u8 kind,
		   u8 area, const char *what)
{
	if (st->nr < LUO_MUTATE_MAX_FIELDS)
		st->fields[st->nr++] = (struct luo_mutate_field) {
			.ptr = ptr, .len = len, .kind = kind, .area = area, .what = what,
		};
}

static void lm_page(struct luo_mutate_state *st, phys_addr_t phys)
{
	if (st->nr_pages < LUO_MUTATE_MAX_PAGES)
		st->pages[st->nr_pages++] = phys;
}

/* A physical address handed over, or NULL if it is not in the linear map. */
static void *lm_va(u64 phys)
{
	if (!phys || !PAGE_ALIGNED(phys) || !pfn_valid(PHYS_PFN(phys)))
		return NULL;
	return phys_to_virt(phys);
}

/* ---- collecting the fields ---- */

static void lm_collect_radix(struct luo_mutate_state *st, u64 phys,
			     unsigned int level)
{
	struct kho_radix_node *node = lm_va(phys);
	unsigned int i;

	if (!node)
		return;
	lm_page(st, phys);
	if (!level) {
		lm_add(st, node, PAGE_SIZE, LMK_BITMAP, LM_RADIX, "radix leaf");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(node->table); i++) {
		if (!node->table[i])
			continue;
		lm_add(st, &node->table[i], 8, LMK_U64, LM_RADIX, "radix table entry");
		lm_collect_radix(st, node->table[i], level - 1);
	}
}

static void lm_collect_memfd(struct luo_mutate_state *st, u64 phys)
{
	struct memfd_luo_ser *ser = lm_va(phys);
	struct kho_vmalloc_chunk *chunk;
	struct memfd_luo_folio_ser *recs;
	unsigned int i, n;

	if (!ser)
		return;
	lm_page(st, phys);
	lm_add(st, &ser->pos, 8, LMK_U64, LM_MEMFD, "memfd pos");
	lm_add(st, &ser->size, 8, LMK_U64, LM_MEMFD, "memfd size");
	lm_add(st, &ser->seals, 4, LMK_U32, LM_MEMFD, "memfd seals");
	lm_add(st, &ser->flags, 4, LMK_U32, LM_MEMFD, "memfd flags");
	lm_add(st, &ser->nr_folios, 8, LMK_U64, LM_MEMFD, "memfd nr_folios");
	lm_add(st, &ser->folios.first.phys, 8, LMK_U64, LM_MEMFD, "memfd folio array");
	lm_add(st, &ser->folios.total_pages, 4, LMK_U32, LM_MEMFD,
	       "memfd folio array pages");
	lm_add(st, &ser->folios.flags, 4, LMK_U32, LM_MEMFD,
	       "memfd folio array flags and order");
	for (chunk = lm_va(ser->folios.first.phys); chunk; chunk = lm_va(chunk->hdr.next.phys)) {
		lm_page(st, virt_to_phys(chunk));
		lm_add(st, &chunk->hdr.next.phys, 8, LMK_U64, LM_MEMFD_CHUNK,
		       "memfd descriptor next");
		for (i = 0; i < KHO_VMALLOC_SIZE && chunk->phys[i]; i++) {
			if (i < LUO_MUTATE_PER_ARRAY)
				lm_add(st, &chunk->phys[i], 8, LMK_U64, LM_MEMFD_CHUNK,
				       "memfd descriptor entry");
			recs = lm_va(chunk->phys[i]);
			if (!recs)
				continue;
			lm_page(st, chunk->phys[i]);
			n = min_t(u64, ser->nr_folios, LUO_MUTATE_PER_ARRAY);
			for (; n; n--, recs++) {
				lm_add(st, recs, 8, LMK_U64, LM_MEMFD_FOLIO,
				       "memfd folio pfn and flags");
				lm_add(st, &recs->index, 8, LMK_U64, LM_MEMFD_FOLIO,
				       "memfd folio index");
			}
		}
	}
}

static void lm_collect_block_header(struct luo_mutate_state *st,
				    struct kho_block_header_ser *block, u8 area)
{
	lm_page(st, virt_to_phys(block));
	lm_add(st, &block->next, 8, LMK_U64, area, "block next");
	lm_add(st, &block->count, 8, LMK_U64, area, "block count");
}

static void lm_collect_files(struct luo_mutate_state *st, u64 head)
{
	struct kho_block_header_ser *block;
	struct luo_file_ser *rec;
	u64 i;

	for (block = lm_va(head); block; block = lm_va(block->next)) {
		lm_collect_block_header(st, block, LM_FILE);
		rec = (void *)(block + 1);
		for (i = 0; i < block->count; i++, rec++) {
			lm_add(st, rec->compatible, sizeof(rec->compatible), LMK_STR,
			       LM_FILE, "file handler name");
			lm_add(st, &rec->data, 8, LMK_U64, LM_FILE, "file data");
			lm_add(st, &rec->token, 8, LMK_U64, LM_FILE, "file token");
			if (!strcmp(rec->compatible, MEMFD_LUO_FH_COMPATIBLE))
				lm_collect_memfd(st, rec->data);
		}
	}
}

static void lm_collect_sessions(struct luo_mutate_state *st, u64 head)
{
	struct kho_block_header_ser *block;
	struct luo_session_ser *rec;
	u64 i;

	for (block = lm_va(head); block; block = lm_va(block->next)) {
		lm_collect_block_header(st, block, LM_SESSION);
		rec = (void *)(block + 1);
		for (i = 0; i < block->count; i++, rec++) {
			lm_add(st, rec->name, sizeof(rec->name), LMK_STR, LM_SESSION,
			       "session name");
			lm_add(st, &rec->file_set_ser.files, 8, LMK_U64, LM_SESSION,
			       "session file set");
			lm_add(st, &rec->file_set_ser.count, 8, LMK_U64, LM_SESSION,
			       "session file count");
			lm_collect_files(st, rec->file_set_ser.files);
		}
	}
}

static void lm_collect_flbs(struct luo_mutate_state *st, u64 phys)
{
	struct luo_flb_header_ser *hdr = lm_va(phys);
	struct luo_flb_ser *rec;
	u64 i;

	if (!hdr)
		return;
	lm_page(st, phys);
	lm_add(st, &hdr->pgcnt, 8, LMK_U64, LM_FLB, "flb region pages");
	lm_add(st, &hdr->count, 8, LMK_U64, LM_FLB, "flb count");
	rec = (void *)(hdr + 1);
	for (i = 0; i < hdr->count && i < LUO_FLB_CAPACITY(1); i++, rec++) {
		lm_add(st, rec->name, sizeof(rec->name), LMK_STR, LM_FLB, "flb name");
		lm_add(st, &rec->data, 8, LMK_U64, LM_FLB, "flb data");
		lm_add(st, &rec->count, 8, LMK_U64, LM_FLB, "flb count");
	}
}

static void lm_collect_luo(struct luo_mutate_state *st, u64 phys)
{
	struct luo_ser *root = lm_va(phys);

	if (!root)
		return;
	lm_page(st, phys);
	lm_add(st, root->compatible, sizeof(root->compatible), LMK_STR, LM_LUO,
	       "luo compatible");
	lm_add(st, &root->liveupdate_num, 8, LMK_U64, LM_LUO, "luo liveupdate number");
	lm_add(st, &root->sessions_pa, 8, LMK_U64, LM_LUO, "luo session set");
	lm_add(st, &root->flbs_pa, 8, LMK_U64, LM_LUO, "luo flb region");
	lm_collect_sessions(st, root->sessions_pa);
	lm_collect_flbs(st, root->flbs_pa);
}

static void lm_collect(struct luo_mutate_state *st)
{
	void *fdt = kho_out_fdt();
	struct fdt_header *hdr = fdt;
	const char *name;
	void *prop;
	int off, len;

	lm_page(st, virt_to_phys(fdt));
	lm_add(st, &hdr->totalsize, 4, LMK_U32, LM_FDT, "fdt totalsize");
	lm_add(st, &hdr->off_dt_struct, 4, LMK_U32, LM_FDT, "fdt structure offset");
	lm_add(st, &hdr->size_dt_strings, 4, LMK_U32, LM_FDT, "fdt strings size");
	prop = fdt_getprop_w(fdt, 0, "compatible", &len);
	if (prop)
		lm_add(st, prop, len, LMK_STR, LM_FDT, "fdt compatible");
	prop = fdt_getprop_w(fdt, 0, KHO_FDT_MEMORY_MAP_PROP_NAME, &len);
	if (prop && len == 8) {
		lm_add(st, prop, 8, LMK_U64, LM_FDT, "fdt preserved-memory-map");
		lm_collect_radix(st, get_unaligned((u64 *)prop), KHO_TREE_TABLE_LEVELS);
	}
	fdt_for_each_subnode(off, fdt, 0) {
		name = fdt_get_name(fdt, off, &len);
		if (name)
			lm_add(st, (void *)name, len + 1, LMK_STR, LM_FDT, "fdt subtree name");
		prop = fdt_getprop_w(fdt, off, KHO_SUB_TREE_SIZE_PROP_NAME, &len);
		if (prop && len == 8)
			lm_add(st, prop, 8, LMK_U64, LM_FDT, "fdt subtree blob-size");
		prop = fdt_getprop_w(fdt, off, KHO_SUB_TREE_PROP_NAME, &len);
		if (!prop || len != 8)
			continue;
		lm_add(st, prop, 8, LMK_U64, LM_FDT, "fdt subtree address");
		if (name && !strcmp(name, LUO_KHO_ENTRY_NAME))
			lm_collect_luo(st, get_unaligned((u64 *)prop));
	}
}

/* ---- mutating ---- */

static u64 lm_value(struct luo_mutate_state *st, void *ptr, u64 old,
		    const char **how)
{
	phys_addr_t end = PFN_PHYS(max_pfn);

	switch (lm_below(st, 10)) {
	case 0:
		*how = "zero";
		return 0;
	case 1:
		*how = "random";
		return lm_next(st);
	case 2:
		*how = "plus one";
		return old + 1;
	case 3:
		*how = "minus one";
		return old - 1;
	case 4:
		*how = "huge";
		return lm_below(st, 2) ? U64_MAX : old << 20;
	case 5:
		*how = "misaligned";
		return old | 8;
	case 6:
		*how = "beyond the end of memory";
		return end + PFN_PHYS(lm_below(st, 1 << 20));
	case 7:
		*how = "its own page (a loop)";
		return virt_to_phys(ptr) & PAGE_MASK;
	case 8:
		*how = "another part of the hand-over (an overlap)";
		return st->pages[lm_below(st, st->nr_pages)];
	default:
		*how = "one bit flipped";
		return old ^ BIT_ULL(lm_below(st, 64));
	}
}

static void lm_mutate_one(struct luo_mutate_state *st,
			  const struct luo_mutate_field *f, unsigned int i,
			  unsigned int count)
{
	const char *how = "";
	char *s = f->ptr;
	u64 old, new;
	u32 bit;

	switch (f->kind) {
	case LMK_U64:
		old = get_unaligned((u64 *)f->ptr);
		new = lm_value(st, f->ptr, old, &how);
		put_unaligned(new, (u64 *)f->ptr);
		break;
	case LMK_U32:
		old = get_unaligned((u32 *)f->ptr);
		new = (u32)lm_value(st, f->ptr, old, &how);
		put_unaligned((u32)new, (u32 *)f->ptr);
		break;
	case LMK_STR:
		old = 0;
		new = 0;
		if (lm_below(st, 2)) {
			how = "unterminated";
			memset(s, 'X', f->len);
		} else {
			how = "empty";
			s[0] = '\0';
		}
		break;
	default:
		bit = lm_below(st, f->len * BITS_PER_BYTE);
		how = test_bit(bit, f->ptr) ? "a preserved block dropped" : "a block added";
		change_bit(bit, f->ptr);
		pr_info("%u/%u: %s %s at %#llx: %s (bit %u)\n", i + 1, count,
			luo_mutate_area_names[f->area], f->what,
			(u64)virt_to_phys(f->ptr), how, bit);
		return;
	}
	pr_info("%u/%u: %s %s at %#llx: %s (%#llx -> %#llx)\n", i + 1, count,
		luo_mutate_area_names[f->area], f->what,
		(u64)virt_to_phys(f->ptr), how, old, new);
}

/* Apply a named mutation; return the number of fields it changed. */
static unsigned int lm_named(struct luo_mutate_state *st)
{
	unsigned int i, n = 0;
	u64 fdt = virt_to_phys(kho_out_fdt());

	for (i = 0; i < st->nr; i++) {
		const struct luo_mutate_field *f = &st->fields[i];

		if (!strcmp(luo_mutate_named, "file-data=fdt") &&
		    !strcmp(f->what, "file data")) {
			put_unaligned(fdt, (u64 *)f->ptr);
		} else if (!strcmp(luo_mutate_named, "memfd-nr-folios=max") &&
			   !strcmp(f->what, "memfd nr_folios")) {
			put_unaligned(U32_MAX, (u64 *)f->ptr);
		} else {
			continue;
		}
		pr_info("%s: %s at %#llx\n", luo_mutate_named, f->what,
			(u64)virt_to_phys(f->ptr));
		n++;
	}
	return n;
}

static void lm_run(void)
{
	struct luo_mutate_state st = { .rng = luo_mutate_seed | 1 };
	unsigned int i, n, *idx;

	st.fields = kvcalloc(LUO_MUTATE_MAX_FIELDS, sizeof(*st.fields), GFP_KERNEL);
	st.pages = kvcalloc(LUO_MUTATE_MAX_PAGES, sizeof(*st.pages), GFP_KERNEL);
	idx = kvcalloc(LUO_MUTATE_MAX_FIELDS, sizeof(*idx), GFP_KERNEL);
	if (!st.fields || !st.pages || !idx) {
		pr_err("out of memory; the hand-over is not mutated\n");
		goto out;
	}
	lm_collect(&st);
	if (luo_mutate_named[0]) {
		pr_info("%s: %u field(s) changed\n", luo_mutate_named, lm_named(&st));
		goto out;
	}
	for (i = n = 0; i < st.nr; i++) {
		if (luo_mutate_area < 0 || st.fields[i].area == luo_mutate_area)
			idx[n++] = i;
	}
	pr_info("seed %llu: %u mutation(s) of %u field(s) in %u page(s)\n",
		luo_mutate_seed, luo_mutate_count, n, st.nr_pages);
	for (i = 0; i < luo_mutate_count && n; i++)
		lm_mutate_one(&st, &st.fields[idx[lm_below(&st, n)]], i, luo_mutate_count);
out:
	kvfree(idx);
	kvfree(st.pages);
	kvfree(st.fields);
}

/* Runs in kernel_restart_prepare(), after liveupdate_reboot(). */
static int luo_mutate_reboot(struct notifier_block *nb, unsigned long action,
			     void *cmd)
{
	guard(mutex)(&luo_mutate_lock);
	if (action == SYS_RESTART && kho_out_fdt() &&
	    (luo_mutate_count || luo_mutate_named[0]))
		lm_run();
	return NOTIFY_DONE;
}

static struct notifier_block luo_mutate_reboot_nb = {
	.notifier_call = luo_mutate_reboot,
};

static int luo_mutate_parse(char *buf)
{
	char area[16] = "";
	unsigned int count;
	u64 seed;
	int n;

	n = sscanf(buf, "%llu %u %15s", &seed, &count, area);
	if (n < 1) {
		if (strcmp(buf, "file-data=fdt") && strcmp(buf, "memfd-nr-folios=max"))
			return -EINVAL;
		strscpy(luo_mutate_named, buf);
		return 0;
	}
	if (n < 2)
		return -EINVAL;
	luo_mutate_area = -1;
	if (n == 3) {
		luo_mutate_area = match_string(luo_mutate_area_names, LM_NR_AREAS, area);
		if (luo_mutate_area < 0)
			return -EINVAL;
	}
	luo_mutate_seed = seed;
	luo_mutate_count = count;
	luo_mutate_named[0] = '\0';
	return 0;
}

static ssize_t luo_mutate_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	char buf[64];
	int err;

	if (!count || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	guard(mutex)(&luo_mutate_lock);
	err = luo_mutate_parse(strim(buf));
	return err ?: count;
}

static const struct file_operations luo_mutate_fops = {
	.owner = THIS_MODULE,
	.write = luo_mutate_write,
};

static int __init luo_mutate_init(void)
{
	struct dentry *dir;

	if (!liveupdate_enabled())
		return 0;
	dir = debugfs_create_dir("liveupdate_mutate", NULL);
	debugfs_create_file("mutate", 0200, dir, NULL, &luo_mutate_fops);
	register_reboot_notifier(&luo_mutate_reboot_nb);
	return 0;
}
late_initcall(luo_mutate_init);
