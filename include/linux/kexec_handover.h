/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LINUX_KEXEC_HANDOVER_H
#define LINUX_KEXEC_HANDOVER_H

#include <linux/err.h>
#include <linux/errno.h>
#include <linux/types.h>
#include <linux/kho/abi/kexec_handover.h>
#include <linux/kho/abi/blackout.h>

struct folio;
struct page;
struct kho_vmalloc;
struct seq_file;

/*
 * Phases of a live update's blackout that this kernel stamps itself
 * (kho_blackout_stamp()); the old kernel's, handed over, come first
 * (KHO_BLACKOUT_REBOOT, _FROZEN, _JUMP of <linux/kho/abi/blackout.h>).
 */
enum kho_blackout_phase {
	KHO_BLACKOUT_SETUP = KHO_BLACKOUT_NR_OUT,	/* setup_arch() */
	KHO_BLACKOUT_RESERVE,		/* kho_memory_init() starts */
	KHO_BLACKOUT_RESERVED,		/* and is done */
	KHO_BLACKOUT_STAMP,		/* kho_memory_ready() starts */
	KHO_BLACKOUT_STAMPED,		/* and is done */
	KHO_BLACKOUT_LUO_READY,		/* /dev/liveupdate registered */
	KHO_BLACKOUT_NR,
};

#ifdef CONFIG_KEXEC_HANDOVER
bool kho_is_enabled(void);
bool is_kho_boot(void);

int kho_preserve_folio(struct folio *folio);
void kho_unpreserve_folio(struct folio *folio);
int kho_preserve_pages(struct page *page, unsigned long nr_pages);
void kho_unpreserve_pages(struct page *page, unsigned long nr_pages);
int kho_preserve_vmalloc(void *ptr, struct kho_vmalloc *preservation);
void kho_unpreserve_vmalloc(struct kho_vmalloc *preservation);
void *kho_alloc_preserve(size_t size);
void kho_unpreserve_free(void *mem);

struct folio *kho_restore_folio(phys_addr_t phys);
struct folio *kho_restore_folio_order(phys_addr_t phys, unsigned int order);
struct page *kho_restore_pages(phys_addr_t phys, unsigned long nr_pages);
struct page **kho_restore_vmalloc_pages(const struct kho_vmalloc *preservation);
void *kho_restore_vmalloc(const struct kho_vmalloc *preservation);
void kho_discard_vmalloc(const struct kho_vmalloc *preservation,
			 void (*fn)(const void *page, void *arg), void *arg);
void kho_restore_free(void *mem);

int kho_add_subtree(const char *name, void *blob, size_t size);
void kho_remove_subtree(void *blob);
int kho_retrieve_subtree(const char *name, phys_addr_t *phys, size_t *size);

void kho_populate(phys_addr_t fdt_phys, u64 fdt_len,
		  phys_addr_t scratch_phys, u64 scratch_len);
void kho_memory_init(void);
void kho_memory_ready(void);

void kho_blackout_stamp(unsigned int phase);
void kho_blackout_show(struct seq_file *m);
void kho_blackout_report(void);
#else
static inline bool kho_is_enabled(void) { return false; }

static inline bool is_kho_boot(void) { return false; }

static inline int kho_preserve_folio(struct folio *folio) { return -EOPNOTSUPP; }

static inline void kho_unpreserve_folio(struct folio *folio) { }

static inline int kho_preserve_pages(struct page *page, unsigned long nr_pages)
{
	return -EOPNOTSUPP;
}

static inline void kho_unpreserve_pages(struct page *page, unsigned long nr_pages) { }

static inline int kho_preserve_vmalloc(void *ptr, struct kho_vmalloc *preservation)
{
	return -EOPNOTSUPP;
}

static inline void kho_unpreserve_vmalloc(struct kho_vmalloc *preservation) { }

static inline void *kho_alloc_preserve(size_t size) { return ERR_PTR(-EOPNOTSUPP); }

static inline void kho_unpreserve_free(void *mem) { }

static inline struct folio *kho_restore_folio(phys_addr_t phys) { return NULL; }

static inline struct folio *kho_restore_folio_order(phys_addr_t phys,
						    unsigned int order)
{
	return NULL;
}

static inline struct page *kho_restore_pages(phys_addr_t phys, unsigned long nr_pages)
{
	return NULL;
}

static inline struct page **
kho_restore_vmalloc_pages(const struct kho_vmalloc *preservation)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void *kho_restore_vmalloc(const struct kho_vmalloc *preservation)
{
	return NULL;
}

static inline void kho_discard_vmalloc(const struct kho_vmalloc *preservation,
				       void (*fn)(const void *page, void *arg), void *arg)
{
}

static inline void kho_restore_free(void *mem) { }

static inline int kho_add_subtree(const char *name, void *blob, size_t size)
{
	return -EOPNOTSUPP;
}

static inline void kho_remove_subtree(void *blob) { }

static inline int kho_retrieve_subtree(const char *name, phys_addr_t *phys, size_t *size)
{
	return -EOPNOTSUPP;
}

static inline void kho_populate(phys_addr_t fdt_phys, u64 fdt_len,
				phys_addr_t scratch_phys, u64 scratch_len) { }

static inline void kho_memory_init(void) { }

static inline void kho_memory_ready(void) { }

static inline void kho_blackout_stamp(unsigned int phase) { }

static inline void kho_blackout_show(struct seq_file *m) { }

static inline void kho_blackout_report(void) { }
#endif /* CONFIG_KEXEC_HANDOVER */

#endif /* LINUX_KEXEC_HANDOVER_H */
