/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 Live Update for Linux 6.12 contributors
 *
 * File state shared by the Live Update file handlers of shmem memfds
 * (mm/memfd_luo.c) and hugetlbfs memfds (mm/hugetlb_luo.c): seals, file
 * position, the new file of the next kernel and its record.
 */
#ifndef _MM_MEMFD_LUO_H
#define _MM_MEMFD_LUO_H

#include <linux/types.h>

struct file;
struct folio;

int memfd_luo_get_seals(struct file *file, u32 carried);
int memfd_luo_freeze_state(struct file *file, u32 carried, u64 *pos, u32 *seals);
struct file *memfd_luo_new_file(unsigned int mfd_flags, u32 seals);
int memfd_luo_restore_state(struct file *file, u64 pos, u32 seals);
unsigned long memfd_luo_get_id(struct file *file);
struct folio *memfd_luo_claim_record(u64 phys, size_t size, const char *what);

#endif /* _MM_MEMFD_LUO_H */
