/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 *
 * Hooks of hugetlb memfd preservation (mm/hugetlb_luo.c) in the boot-time
 * setup of the huge page pools.
 */
#ifndef _MM_HUGETLB_LUO_H
#define _MM_HUGETLB_LUO_H

#include <linux/types.h>

struct hstate;

#ifdef CONFIG_LIVEUPDATE_HUGETLB
bool hugetlb_luo_boot_pool(struct hstate *h);
void hugetlb_luo_bootmem_alloc(void);
#else
static inline bool hugetlb_luo_boot_pool(struct hstate *h)
{
	return false;
}

static inline void hugetlb_luo_bootmem_alloc(void) { }
#endif

#endif /* _MM_HUGETLB_LUO_H */
