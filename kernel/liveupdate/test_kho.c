// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 */

/**
 * DOC: Kexec HandOver test across a kexec
 *
 * With ``CONFIG_TEST_KEXEC_HANDOVER`` every boot with KHO enabled first
 * verifies what the previous kernel of the test left behind, then leaves a
 * new set for the next kernel.  A set is generation N:
 *
 * - folios of random orders (at least one of order 0 and one of order 9
 *   when memory allows), at most ``test_kho.max_mem`` bytes in total
 *   (16 MiB by default), each filled with a pseudo-random pattern derived
 *   from a random 64-bit seed and the index of the folio, and preserved
 *   with kho_preserve_folio();
 * - a vmalloc'ed array with one u64 per folio, its physical address ORed
 *   with its order, preserved with kho_preserve_vmalloc();
 * - the subtree ``kho_test`` in the layout of mainline's test
 *   (``lib/test_kho.c``): a flattened device tree whose root has
 *   ``compatible = "kho-test-v1"`` and ``magic`` (u32 0x4b484f21), and
 *   whose node ``data`` has ``nr_folios`` (u32), ``folios_info`` (the
 *   &struct kho_vmalloc of the array) and ``csum`` (the csum_partial() of
 *   all folios in array order), every value in the CPU's byte order;
 * - the subtree ``lu612,kho-test`` with what only this backport checks:
 *   ``compatible = "lu612,kho-test-v1"``, ``generation`` (u32), ``seed``
 *   (u64), both as big-endian FDT cells, and ``huge``, the
 *   &struct kho_vmalloc of a vmalloc_huge() area filled with a pattern.
 *
 * So mainline's test verifies what this kernel preserved, and this test
 * verifies what mainline's preserved: from mainline only the checksum,
 * from this backport also every byte and the huge-page area.
 *
 * The next kernel restores the array and every folio, checks every order,
 * the checksum and, with ``lu612,kho-test``, every byte, frees
 * everything, checks that the restored pages were added to the managed
 * memory and that as many pages can be allocated again, and prints one
 * KTAP-style line per check at the start of a console line ("ok N
 * kho_test: ..." or "not ok N kho_test: ..."), then "kho_test: verified
 * generation N" or "kho_test: FAILED generation N".  A set without
 * ``lu612,kho-test`` counts as generation 1.  A boot without a
 * ``kho_test`` subtree is generation 0 and verifies nothing.
 *
 * With ``test_kho.expect_damage=1`` (the previous kernel damaged the
 * hand-over on purpose) a failed check is reported as "# damage found:"
 * instead of "not ok".
 *
 * The write-only file ``/sys/kernel/debug/kho_test/test_corrupt`` damages
 * the outgoing hand-over on purpose, so that the next kernel's validation
 * can be tested: ``compatible`` changes the root compatible to "kho-v3",
 * the name our previous release wrote, ``size`` makes the ``blob-size`` of
 * the ``kho_test`` subtree absurd, ``address`` makes the root
 * ``preserved-memory-map`` point at a misaligned address, and ``scratch``
 * makes the last scratch area a copy of the first, so that two overlap
 * (with a single area, it makes its size misaligned instead).
 * The root FDT is read by the next kernel in place, so the first three
 * work until the kexec; the scratch array is copied when the next kernel
 * is loaded, so ``scratch`` must be written before ``kexec -s -l``.
 */

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/kexec_handover.h>
#include <linux/libfdt.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>
#include <net/checksum.h>

#include "../kexec_internal.h"
#include "kexec_handover_internal.h"

/* Mainline's test format. */
#define KHO_TEST_NAME		"kho_test"
#define KHO_TEST_COMPATIBLE	"kho-test-v1"
#define KHO_TEST_MAGIC		0x4b484f21	/* "KHO!" */
/* What this backport adds. */
#define KHO_TEST_EXT_NAME	KHO_VENDOR_PREFIX "kho-test"
#define KHO_TEST_EXT_COMPATIBLE	KHO_VENDOR_PREFIX "kho-test-v1"
#define KHO_TEST_FDT_SIZE	PAGE_SIZE
/* An array entry is the folio's physical address ORed with its order. */
#define KHO_TEST_ORDER_MASK	(PAGE_SIZE - 1)
#define KHO_TEST_BIG_ORDER	min(9, MAX_PAGE_ORDER)
/* A vmalloc area big enough to be mapped with huge pages, and its pattern index. */
#define KHO_TEST_HUGE_SIZE	(2 * PMD_SIZE)
#define KHO_TEST_HUGE_IDX	U32_MAX

static unsigned long max_mem = SZ_16M;
module_param(max_mem, ulong, 0444);
MODULE_PARM_DESC(max_mem, "Bytes of folios preserved for the next kernel (default 16 MiB)");

static bool expect_damage;
module_param(expect_damage, bool, 0444);
MODULE_PARM_DESC(expect_damage, "The previous kernel damaged the hand-over on purpose: report failed checks as damage found, not as failures");

/* How a failed check starts its line. */
static const char *kho_test_nok(void)
{
	return expect_damage ? "# damage found:" : "not ok";
}

/**
 * struct kho_test_out - the set this kernel hands to the next one
 * @entries: vmalloc'ed array, one entry per folio
 * @desc: preservation descriptor of @entries
 * @fdt: the ``kho_test`` subtree blob
 * @ext: the ``lu612,kho-test`` subtree blob
 * @huge: a vmalloc_huge() area filled with a pattern
 * @huge_desc: preservation descriptor of @huge
 * @seed: seed of the folio contents
 * @csum: csum_partial() of all folios, in array order
 * @nr_folios: valid entries in @entries
 * @nr_pages: pages of all folios
 * @generation: generation of the set
 */
struct kho_test_out {
	u64 *entries;
	struct kho_vmalloc desc;
	void *fdt;
	void *ext;
	u64 *huge;
	struct kho_vmalloc huge_desc;
	u64 seed;
	__wsum csum;
	u32 nr_folios;
	unsigned long nr_pages;
	u32 generation;
};

/**
 * struct kho_test_in - the set handed over by the previous kernel
 * @fdt: the ``kho_test`` subtree blob
 * @ext: the ``lu612,kho-test`` subtree blob, or NULL
 * @desc: preservation descriptor of the folio array
 * @huge_desc: preservation descriptor of the huge vmalloc area (@ext only)
 * @seed: seed of the folio contents (@ext only)
 * @csum: checksum of all folios
 * @nr_folios: number of folios
 * @generation: generation of the set; 1 without @ext
 */
struct kho_test_in {
	void *fdt;
	void *ext;
	struct kho_vmalloc desc;
	struct kho_vmalloc huge_desc;
	u64 seed;
	__wsum csum;
	u32 nr_folios;
	u32 generation;
};

/**
 * struct kho_test_result - outcome of the checks of an incoming set
 * @restored: folios restored
 * @bad_order: restored folios whose order differs from their entry
 * @checked: folios whose contents were checked
 * @bad_data: checked folios that differ from their pattern
 * @first_bad: index of the first folio in @bad_data
 * @first_off: offset of the first differing u64 in that folio
 * @pages: pages of the restored folios
 * @ram_delta: change of totalram_pages() across the restores
 * @csum: checksum of the restored folios
 * @array_ok: the vmalloc array was restored
 * @reuse_ok: @pages pages could be allocated again after the frees
 * @huge_ok: the huge vmalloc area was restored with its contents
 */
struct kho_test_result {
	unsigned int restored;
	unsigned int bad_order;
	unsigned int checked;
	unsigned int bad_data;
	unsigned int first_bad;
	size_t first_off;
	unsigned long pages;
	long ram_delta;
	__wsum csum;
	bool array_ok;
	bool reuse_ok;
	bool huge_ok;
};

static struct kho_test_out kho_test_out;

/* xorshift64: cheap, deterministic, never returns 0 from a non-zero state. */
static u64 kho_test_next(u64 *state)
{
	u64 x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

static u64 kho_test_start(u64 seed, unsigned int idx)
{
	u64 state = seed ^ ((idx + 1ULL) * 0x9e3779b97f4a7c15ULL);

	return state ?: 1;
}

/* Fill @len bytes at @buf with the pattern of (@seed, @idx). */
static void kho_test_fill_buf(u64 *buf, size_t len, u64 seed, unsigned int idx)
{
	u64 state = kho_test_start(seed, idx);
	size_t i;

	for (i = 0; i < len / sizeof(u64); i++)
		buf[i] = kho_test_next(&state);
}

/*
 * Does @buf hold the pattern of (@seed, @idx)?  Returns the offset of the
 * first u64 that differs, or @len.
 */
static size_t kho_test_check_buf(const u64 *buf, size_t len, u64 seed,
				 unsigned int idx)
{
	u64 state = kho_test_start(seed, idx);
	size_t i;

	for (i = 0; i < len / sizeof(u64); i++)
		if (buf[i] != kho_test_next(&state))
			return i * sizeof(u64);
	return len;
}

/* ---- verification of the incoming set ---- */

/* A property of @node holding exactly @len bytes, or NULL. */
static const void *kho_test_prop(const void *fdt, int node, const char *name,
				 int len)
{
	const void *p;
	int plen;

	if (node < 0)
		return NULL;
	p = fdt_getprop(fdt, node, name, &plen);
	return p && plen == len ? p : NULL;
}

/* Check a subtree blob and map it; NULL or the reason it is unusable. */
static const char *kho_test_blob(const char *name, const char *compatible,
				 const void **fdtp)
{
	const void *fdt;
	phys_addr_t phys;
	size_t size;

	if (kho_retrieve_subtree(name, &phys, &size))
		return "cannot be retrieved";
	if (!pfn_valid(PHYS_PFN(phys)))
		return "is not in memory";
	fdt = phys_to_virt(phys);
	if (size < sizeof(struct fdt_header) || fdt_check_header(fdt) ||
	    fdt_totalsize(fdt) > size)
		return "is not an FDT of the announced size";
	if (fdt_node_check_compatible(fdt, 0, compatible))
		return "has the wrong compatible";
	*fdtp = fdt;
	return NULL;
}

/* Parse the ``kho_test`` blob, in mainline's layout. */
static const char *kho_test_parse(struct kho_test_in *in)
{
	const void *fdt, *p;
	const char *why;
	int data;

	why = kho_test_blob(KHO_TEST_NAME, KHO_TEST_COMPATIBLE, &fdt);
	if (why)
		return why;
	p = kho_test_prop(fdt, 0, "magic", sizeof(u32));
	if (!p || get_unaligned((const u32 *)p) != KHO_TEST_MAGIC)
		return "has a bad magic";
	data = fdt_subnode_offset(fdt, 0, "data");
	p = kho_test_prop(fdt, data, "nr_folios", sizeof(u32));
	if (!p)
		return "has no nr_folios";
	in->nr_folios = get_unaligned((const u32 *)p);
	p = kho_test_prop(fdt, data, "csum", sizeof(__wsum));
	if (!p)
		return "has no csum";
	memcpy(&in->csum, p, sizeof(in->csum));
	p = kho_test_prop(fdt, data, "folios_info", sizeof(in->desc));
	if (!p)
		return "has no folios_info";
	memcpy(&in->desc, p, sizeof(in->desc));
	if ((u64)in->nr_folios * sizeof(u64) > (u64)in->desc.total_pages * PAGE_SIZE)
		return "has a folio array smaller than nr_folios";
	in->fdt = (void *)fdt;
	return NULL;
}

/* Parse the ``lu612,kho-test`` blob, if the previous kernel sent one. */
static const char *kho_test_parse_ext(struct kho_test_in *in)
{
	const void *fdt, *p;
	phys_addr_t phys;
	const char *why;

	in->generation = 1;
	if (kho_retrieve_subtree(KHO_TEST_EXT_NAME, &phys, NULL) == -ENOENT)
		return NULL;
	why = kho_test_blob(KHO_TEST_EXT_NAME, KHO_TEST_EXT_COMPATIBLE, &fdt);
	if (why)
		return why;
	p = kho_test_prop(fdt, 0, "generation", sizeof(u32));
	if (!p || !fdt32_ld(p))
		return "has a bad generation";
	in->generation = fdt32_ld(p);
	p = kho_test_prop(fdt, 0, "seed", sizeof(u64));
	if (!p)
		return "has no seed";
	in->seed = fdt64_ld(p);
	p = kho_test_prop(fdt, 0, "huge", sizeof(in->huge_desc));
	if (!p)
		return "has no huge";
	memcpy(&in->huge_desc, p, sizeof(in->huge_desc));
	in->ext = (void *)fdt;
	return NULL;
}

/* Check the contents of one restored folio. */
static void kho_test_check_folio(const struct kho_test_in *in,
				 struct folio *folio, unsigned int idx,
				 struct kho_test_result *res)
{
	size_t bad;

	res->csum = csum_partial(folio_address(folio), folio_size(folio), res->csum);
	if (!in->ext)
		return;
	res->checked++;
	bad = kho_test_check_buf(folio_address(folio), folio_size(folio), in->seed, idx);
	if (bad < folio_size(folio) && !res->bad_data++) {
		res->first_bad = idx;
		res->first_off = bad;
	}
}

/* Restore, check and free one folio described by array entry @idx. */
static void kho_test_restore_one(const struct kho_test_in *in, u64 entry,
				 unsigned int idx, struct kho_test_result *res)
{
	unsigned int order = entry & KHO_TEST_ORDER_MASK;
	phys_addr_t phys = entry & ~(u64)KHO_TEST_ORDER_MASK;
	struct folio *folio;

	if (order >= NR_PAGE_ORDERS || !IS_ALIGNED(phys, PAGE_SIZE << order))
		return;
	folio = kho_restore_folio(phys);
	if (!folio)
		return;
	res->restored++;
	res->pages += folio_nr_pages(folio);
	if (folio_order(folio) != order)
		res->bad_order++;
	else
		kho_test_check_folio(in, folio, idx, res);
	folio_put(folio);
	cond_resched();
}

/* Allocate @nr pages, write to each, free them; true on success. */
static bool kho_test_reuse(unsigned long nr)
{
	gfp_t gfp = GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN;
	struct page *page, *tmp;
	unsigned long got = 0;
	LIST_HEAD(pages);

	for (got = 0; got < nr; got++) {
		page = alloc_page(gfp);
		if (!page)
			break;
		memset_page(page, 0, 0x5a, PAGE_SIZE);
		list_add(&page->lru, &pages);
	}
	list_for_each_entry_safe(page, tmp, &pages, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
	return got == nr;
}

/* Free a blob of the previous kernel if it is preserved memory of its own. */
static void kho_test_free_blob(void *blob)
{
	struct folio *folio;

	if (!blob)
		return;
	folio = kho_restore_folio(virt_to_phys(blob));
	if (folio)
		folio_put(folio);
}

static void kho_test_restore_all(struct kho_test_in *in,
				 struct kho_test_result *res)
{
	unsigned long before;
	unsigned int i;
	u64 *entries;

	entries = kho_restore_vmalloc(&in->desc);
	res->array_ok = !!entries;
	if (entries) {
		before = totalram_pages();
		for (i = 0; i < in->nr_folios; i++)
			kho_test_restore_one(in, entries[i], i, res);
		res->ram_delta = totalram_pages() - before;
		vfree(entries);
	}
	kho_test_free_blob(in->fdt);
	kho_test_free_blob(in->ext);
	res->reuse_ok = !res->pages || kho_test_reuse(res->pages);
}

static void kho_test_restore_huge(struct kho_test_in *in, struct kho_test_result *res)
{
	u64 *huge;

	if (!in->ext)
		return;
	huge = kho_restore_vmalloc(&in->huge_desc);
	if (!huge)
		return;
	res->huge_ok = in->huge_desc.total_pages == KHO_TEST_HUGE_SIZE / PAGE_SIZE &&
		       kho_test_check_buf(huge, KHO_TEST_HUGE_SIZE, in->seed,
					  KHO_TEST_HUGE_IDX) == KHO_TEST_HUGE_SIZE;
	vfree(huge);
}

static bool kho_test_report_data(const struct kho_test_in *in,
				 const struct kho_test_result *res)
{
	bool ok = res->csum == in->csum && !res->bad_data &&
		  (!in->ext || res->checked == in->nr_folios);

	if (ok && in->ext)
		pr_info("ok 2 kho_test: the checksum and every byte match\n");
	else if (ok)
		pr_info("ok 2 kho_test: the checksum matches (no lu612,kho-test: no byte check)\n");
	else if (res->bad_data)
		pr_info("%s 2 kho_test: %u of %u folios differ, first folio %u at offset %#zx\n",
			kho_test_nok(),
			res->bad_data, res->checked, res->first_bad,
			res->first_off);
	else
		pr_info("%s 2 kho_test: checksum %#x, expected %#x; %u of %u folios checked\n",
			kho_test_nok(),
			(__force u32)res->csum, (__force u32)in->csum,
			res->checked, in->nr_folios);
	return ok;
}

/* Print the result lines; return true if every check passed. */
static bool kho_test_report(const struct kho_test_in *in,
			    const struct kho_test_result *res)
{
	bool ok1, ok2, ok4, ok5 = true;

	ok1 = res->restored == in->nr_folios && !res->bad_order;
	if (ok1)
		pr_info("ok 1 kho_test: restored %u folios of generation %u\n",
			res->restored, in->generation);
	else
		pr_info("%s 1 kho_test: restored %u of %u folios of generation %u, %u with a wrong order\n",
			kho_test_nok(),
			res->restored, in->nr_folios, in->generation,
			res->bad_order);

	ok2 = kho_test_report_data(in, res);

	if (res->array_ok)
		pr_info("ok 3 kho_test: vmalloc array restored\n");
	else
		pr_info("%s 3 kho_test: cannot restore the vmalloc array\n", kho_test_nok());

	ok4 = res->ram_delta == (long)res->pages && res->reuse_ok;
	if (ok4)
		pr_info("ok 4 kho_test: freed memory returned to the allocator\n");
	else if (res->ram_delta != (long)res->pages)
		pr_info("%s 4 kho_test: totalram_pages() rose by %ld, expected %lu\n",
			kho_test_nok(),
			res->ram_delta, res->pages);
	else
		pr_info("%s 4 kho_test: cannot allocate %lu pages again\n", kho_test_nok(),
			res->pages);

	if (in->ext) {
		ok5 = res->huge_ok;
		if (ok5)
			pr_info("ok 5 kho_test: huge-page vmalloc area of order %u restored, every byte matches\n",
				in->huge_desc.order);
		else
			pr_info("%s 5 kho_test: huge-page vmalloc area lost or changed\n",
				kho_test_nok());
	}

	return ok1 && ok2 && res->array_ok && ok4 && ok5;
}

/* Verify the incoming set, if any; return its generation (0 if none). */
static u32 kho_test_verify(void)
{
	struct kho_test_result res = {};
	struct kho_test_in in = {};
	const char *why, *what = KHO_TEST_NAME;
	phys_addr_t phys;

	if (kho_retrieve_subtree(KHO_TEST_NAME, &phys, NULL) == -ENOENT) {
		pr_info("kho_test: no incoming test data, this is generation 0\n");
		return 0;
	}
	why = kho_test_parse(&in);
	if (!why) {
		what = KHO_TEST_EXT_NAME;
		why = kho_test_parse_ext(&in);
	}
	if (why) {
		pr_info("%s 1 kho_test: incoming subtree %s %s\n", kho_test_nok(), what, why);
		pr_info("kho_test: FAILED generation %u\n", in.generation);
		return in.generation;
	}
	if (!in.ext)
		pr_info("kho_test: no %s subtree: the previous kernel is not this backport\n",
			KHO_TEST_EXT_NAME);

	kho_test_restore_huge(&in, &res);
	kho_test_restore_all(&in, &res);
	if (kho_test_report(&in, &res))
		pr_info("kho_test: verified generation %u\n", in.generation);
	else
		pr_info("kho_test: FAILED generation %u\n", in.generation);
	return in.generation;
}

/* ---- preservation of the outgoing set ---- */

static unsigned int kho_test_pick_order(unsigned int idx, unsigned long left)
{
	unsigned int order;

	if (!idx)
		order = 0;
	else if (idx == 1)
		order = KHO_TEST_BIG_ORDER;
	else
		order = get_random_u32() % NR_PAGE_ORDERS;
	return min_t(unsigned int, order, ilog2(left));
}

static struct folio *kho_test_alloc_folio(unsigned int order)
{
	gfp_t gfp = GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN;
	struct folio *folio;

	for (;;) {
		folio = folio_alloc(gfp, order);
		if (folio || !order)
			return folio;
		order--;
	}
}

static void kho_test_put_folios(struct kho_test_out *out, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		folio_put(pfn_folio(PHYS_PFN(out->entries[i])));
}

/* Allocate and fill up to @max_pages pages of folios into @out. */
static int kho_test_alloc_folios(struct kho_test_out *out,
				 unsigned long max_pages)
{
	unsigned long left = max_pages;
	struct folio *folio;
	void *addr;

	while (left) {
		folio = kho_test_alloc_folio(kho_test_pick_order(out->nr_folios,
								 left));
		if (!folio)
			break;
		addr = folio_address(folio);
		kho_test_fill_buf(addr, folio_size(folio), out->seed, out->nr_folios);
		out->csum = csum_partial(addr, folio_size(folio), out->csum);
		out->entries[out->nr_folios++] = PFN_PHYS(folio_pfn(folio)) |
						 folio_order(folio);
		out->nr_pages += folio_nr_pages(folio);
		left -= folio_nr_pages(folio);
		cond_resched();
	}
	return out->nr_folios ? 0 : -ENOMEM;
}

static void kho_test_unpreserve_folios(struct kho_test_out *out,
				       unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		kho_unpreserve_folio(pfn_folio(PHYS_PFN(out->entries[i])));
}

static int kho_test_preserve_folios(struct kho_test_out *out)
{
	unsigned int i;
	int err;

	for (i = 0; i < out->nr_folios; i++) {
		err = kho_preserve_folio(pfn_folio(PHYS_PFN(out->entries[i])));
		if (err) {
			kho_test_unpreserve_folios(out, i);
			return err;
		}
	}
	return 0;
}

/* The ``kho_test`` blob, in mainline's layout and byte order. */
static int kho_test_write_fdt(struct kho_test_out *out, void *fdt)
{
	u32 magic = KHO_TEST_MAGIC;
	int err;

	err = fdt_create(fdt, KHO_TEST_FDT_SIZE);
	err = err ?: fdt_finish_reservemap(fdt);
	err = err ?: fdt_begin_node(fdt, "");
	err = err ?: fdt_property_string(fdt, "compatible", KHO_TEST_COMPATIBLE);
	err = err ?: fdt_property(fdt, "magic", &magic, sizeof(magic));
	err = err ?: fdt_begin_node(fdt, "data");
	err = err ?: fdt_property(fdt, "nr_folios", &out->nr_folios,
				  sizeof(out->nr_folios));
	err = err ?: fdt_property(fdt, "folios_info", &out->desc, sizeof(out->desc));
	err = err ?: fdt_property(fdt, "csum", &out->csum, sizeof(out->csum));
	err = err ?: fdt_end_node(fdt);
	err = err ?: fdt_end_node(fdt);
	err = err ?: fdt_finish(fdt);
	return err ? -ENOSPC : 0;
}

/* The ``lu612,kho-test`` blob. */
static int kho_test_write_ext(struct kho_test_out *out, void *fdt)
{
	int err;

	err = fdt_create(fdt, KHO_TEST_FDT_SIZE);
	err = err ?: fdt_finish_reservemap(fdt);
	err = err ?: fdt_begin_node(fdt, "");
	err = err ?: fdt_property_string(fdt, "compatible", KHO_TEST_EXT_COMPATIBLE);
	err = err ?: fdt_property_u32(fdt, "generation", out->generation);
	err = err ?: fdt_property_u64(fdt, "seed", out->seed);
	err = err ?: fdt_property(fdt, "huge", &out->huge_desc, sizeof(out->huge_desc));
	err = err ?: fdt_end_node(fdt);
	err = err ?: fdt_finish(fdt);
	return err ? -ENOSPC : 0;
}

/* Allocate, write and register one subtree blob. */
static int kho_test_add_blob(const char *name, void **blobp,
			     int (*write)(struct kho_test_out *out, void *fdt),
			     struct kho_test_out *out)
{
	void *fdt;
	int err;

	fdt = kho_alloc_preserve(KHO_TEST_FDT_SIZE);
	if (IS_ERR(fdt))
		return PTR_ERR(fdt);
	err = write(out, fdt);
	if (!err)
		err = kho_add_subtree(name, fdt, fdt_totalsize(fdt));
	if (err) {
		kho_unpreserve_free(fdt);
		return err;
	}
	*blobp = fdt;
	return 0;
}

/* Preserve the huge vmalloc area and register both subtrees. */
static int kho_test_preserve_blobs(struct kho_test_out *out)
{
	int err;

	out->huge = vmalloc_huge(KHO_TEST_HUGE_SIZE, GFP_KERNEL);
	if (!out->huge)
		return -ENOMEM;
	kho_test_fill_buf(out->huge, KHO_TEST_HUGE_SIZE, out->seed, KHO_TEST_HUGE_IDX);
	err = kho_preserve_vmalloc(out->huge, &out->huge_desc);
	if (err)
		goto err_free_huge;
	err = kho_test_add_blob(KHO_TEST_EXT_NAME, &out->ext, kho_test_write_ext, out);
	if (err)
		goto err_unpreserve_huge;
	err = kho_test_add_blob(KHO_TEST_NAME, &out->fdt, kho_test_write_fdt, out);
	if (err)
		goto err_remove_ext;
	return 0;

err_remove_ext:
	kho_remove_subtree(out->ext);
	kho_unpreserve_free(out->ext);
err_unpreserve_huge:
	kho_unpreserve_vmalloc(&out->huge_desc);
err_free_huge:
	vfree(out->huge);
	return err;
}

static int kho_test_preserve(u32 generation)
{
	unsigned long max_pages = max(max_mem >> PAGE_SHIFT, 1UL);
	struct kho_test_out *out = &kho_test_out;
	int err;

	out->generation = generation;
	out->seed = get_random_u64();
	out->entries = vcalloc(max_pages, sizeof(*out->entries));
	if (!out->entries)
		return -ENOMEM;

	err = kho_test_alloc_folios(out, max_pages);
	if (err)
		goto err_free_array;
	err = kho_test_preserve_folios(out);
	if (err)
		goto err_put_folios;
	err = kho_preserve_vmalloc(out->entries, &out->desc);
	if (err)
		goto err_unpreserve_folios;
	err = kho_test_preserve_blobs(out);
	if (err)
		goto err_unpreserve_array;

	pr_info("kho_test: preserved %u folios (%lu pages) of generation %u for the next kernel\n",
		out->nr_folios, out->nr_pages, generation);
	pr_info("kho_test: preserved a vmalloc_huge() area of %lu pages in blocks of order %u\n",
		KHO_TEST_HUGE_SIZE / PAGE_SIZE, out->huge_desc.order);
	return 0;

err_unpreserve_array:
	kho_unpreserve_vmalloc(&out->desc);
err_unpreserve_folios:
	kho_test_unpreserve_folios(out, out->nr_folios);
err_put_folios:
	kho_test_put_folios(out, out->nr_folios);
err_free_array:
	vfree(out->entries);
	memset(out, 0, sizeof(*out));
	return err;
}

/* ---- deliberate corruption of the outgoing hand-over ---- */

/* Overwrite the native-endian u64 property @name of @node in place. */
static int kho_test_set_u64(void *fdt, int node, const char *name, u64 val)
{
	void *prop;
	int len;

	if (node < 0)
		return -ENOENT;
	prop = fdt_getprop_w(fdt, node, name, &len);
	if (!prop || len != sizeof(u64))
		return -ENOENT;
	put_unaligned(val, (u64 *)prop);
	return 0;
}

enum kho_test_corruption {
	KHO_CORRUPT_COMPATIBLE,
	KHO_CORRUPT_SIZE,
	KHO_CORRUPT_ADDRESS,
	KHO_CORRUPT_SCRATCH,
};

static const char * const kho_test_corruptions[] = {
	[KHO_CORRUPT_COMPATIBLE]	= "compatible",
	[KHO_CORRUPT_SIZE]		= "size",
	[KHO_CORRUPT_ADDRESS]		= "address",
	[KHO_CORRUPT_SCRATCH]		= "scratch",
};

static int kho_test_corrupt_fdt(enum kho_test_corruption what)
{
	/* The root compatible of our previous release. */
	static const char foreign[] = "kho-v3";
	void *fdt;
	int err;

	BUILD_BUG_ON(sizeof(foreign) != sizeof(KHO_FDT_COMPATIBLE));

	mutex_lock(&kho_out_fdt_lock);
	fdt = kho_out_fdt();
	if (!fdt) {
		err = -ENODEV;
		goto out;
	}
	switch (what) {
	case KHO_CORRUPT_COMPATIBLE:
		err = fdt_setprop_inplace(fdt, 0, "compatible", foreign,
					  sizeof(foreign)) ? -EINVAL : 0;
		break;
	case KHO_CORRUPT_SIZE:
		err = kho_test_set_u64(fdt, fdt_subnode_offset(fdt, 0, KHO_TEST_NAME),
				       KHO_SUB_TREE_SIZE_PROP_NAME, 1ULL << 62);
		break;
	case KHO_CORRUPT_ADDRESS:
		/* Misaligned, so it can never be the address of a page. */
		err = kho_test_set_u64(fdt, 0, KHO_FDT_MEMORY_MAP_PROP_NAME,
				       virt_to_phys(fdt) + 1);
		break;
	default:
		err = -EINVAL;
		break;
	}
out:
	mutex_unlock(&kho_out_fdt_lock);
	return err;
}

/*
 * Make the last scratch area a copy of the first, so that they overlap.
 * With a single area, cut half a page off its end instead, so that its
 * size is misaligned.  Either way every area still lies inside an original
 * one, so this kernel can still place the next kernel's segments.
 */
static int kho_test_corrupt_scratch(void)
{
	unsigned int last = kho_scratch_cnt - 1;

	if (!kho_scratch || !kho_scratch_cnt || kho_scratch[0].size < PAGE_SIZE)
		return -ENODEV;
	/* Keep a concurrent kexec_file_load() from copying half an entry. */
	if (!kexec_trylock())
		return -EBUSY;
	if (last)
		kho_scratch[last] = kho_scratch[0];
	else
		kho_scratch[0].size -= PAGE_SIZE / 2;
	kexec_unlock();
	if (last)
		pr_info("kho_test: scratch area %u is now a copy of area 0\n", last);
	else
		pr_info("kho_test: the only scratch area now has a misaligned size\n");
	return 0;
}

static ssize_t kho_test_corrupt_write(struct file *file, const char __user *ubuf,
				      size_t count, loff_t *ppos)
{
	char buf[16];
	int what, err;

	if (!count || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';

	what = sysfs_match_string(kho_test_corruptions, buf);
	if (what < 0)
		return what;
	if (what == KHO_CORRUPT_SCRATCH)
		err = kho_test_corrupt_scratch();
	else
		err = kho_test_corrupt_fdt(what);
	if (err) {
		pr_info("kho_test: cannot corrupt %s: %d\n",
			kho_test_corruptions[what], err);
		return err;
	}
	pr_info("kho_test: corrupted %s on purpose\n", kho_test_corruptions[what]);
	return count;
}

static const struct file_operations kho_test_corrupt_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= kho_test_corrupt_write,
	.llseek	= noop_llseek,
};

static void kho_test_debugfs_init(void)
{
	struct dentry *dir, *file;

	dir = debugfs_create_dir("kho_test", NULL);
	if (IS_ERR(dir))
		goto err;
	file = debugfs_create_file("test_corrupt", 0200, dir, NULL,
				   &kho_test_corrupt_fops);
	if (IS_ERR(file)) {
		debugfs_remove(dir);
		dir = file;
		goto err;
	}
	return;
err:
	pr_info("kho_test: no debugfs file test_corrupt: %pe\n", dir);
}

static int __init kho_test_init(void)
{
	u32 generation;
	int err;

	if (!kho_is_enabled()) {
		pr_info("kho_test: KHO is off, nothing to do\n");
		return 0;
	}

	generation = kho_test_verify() + 1;
	err = kho_test_preserve(generation);
	if (err)
		pr_info("%s 6 kho_test: cannot preserve generation %u: %d\n", kho_test_nok(),
			generation, err);
	kho_test_debugfs_init();
	return 0;
}
late_initcall(kho_test_init);
