/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The contract between the VMM (host) and the guest: guest memory map,
 * hypercall numbers and mailbox layout, and the map configuration page.
 * Both sides include this one header; nothing here may depend on either
 * side's libraries.
 *
 * Guest physical memory is identity mapped. Page 0 is left unmapped so a
 * null dereference in the guest faults instead of reading the GDT.
 *
 *   0x000000  unmapped page
 *   0x001000  GDT
 *   0x002000  page tables (PML4, PDPT, PD, PT for the first 2 MiB)
 *   0x006000  TSS (its RSP0 is the exception stack)
 *   0x007000  exception stack (ring 0, grows down from 0x8000)
 *   0x008000  map configuration (struct instar_map_config), read-only use
 *   0x009000  hypercall mailbox (struct instar_mailbox)
 *   0x00a000  the image's file name, NUL-terminated (names relative
 *             extent and data files are resolved against it)
 *   0x010000  guest binary: text, data and bss, at most 384 KiB
 *   0x080000  stack (grows down from 0x100000)
 *   0x100000  message batch buffer for EMIT
 *   0x140000  data-status run buffer
 *   0x200000  arena: driver state, tables and caches, to the end of RAM
 *   RAM end   hypercall doorbell: mapped in the page tables, backed by no
 *             memory, so a store to it exits to the VMM (KVM_EXIT_MMIO)
 *
 * Privilege: the guest's entry code runs in ring 0 only to load the IDT,
 * then drops to ring 3, where everything else runs. Besides confining the
 * parser further, this matters for speed: some KVM implementations (PVM,
 * as on these machines) emulate ring-0 guest code instruction by
 * instruction but run ring-3 code natively. Hypercalls are therefore
 * stores to the doorbell page (which work from ring 3) rather than port
 * I/O. CPU exceptions switch to ring 0 through the TSS and are reported.
 */
#ifndef INSTAR_ABI_H
#define INSTAR_ABI_H

#ifndef __ASSEMBLER__
#include <stdint.h>

#include "instar_map.h"
#endif

/*
 * The layout is also read by the guest's linker script (guest.ld.S, run
 * through the C preprocessor as assembler), where C casts do not parse.
 */
#ifdef __ASSEMBLER__
#define INSTAR_KIB(x) ((x) << 10)
#define INSTAR_MIB(x) ((x) << 20)
#else
#define INSTAR_KIB(x) ((uint64_t)(x) << 10)
#define INSTAR_MIB(x) ((uint64_t)(x) << 20)
#endif

#define GUEST_RAM_SIZE      INSTAR_MIB(64)

#define GUEST_GDT_ADDR      0x1000
#define GUEST_PML4_ADDR     0x2000
#define GUEST_PDPT_ADDR     0x3000
#define GUEST_PD_ADDR       0x4000
#define GUEST_PT_ADDR       0x5000
#define GUEST_PAGING_END    0x6000
#define GUEST_TSS_ADDR      0x6000
#define GUEST_EXC_STACK_BOTTOM 0x7000
#define GUEST_EXC_STACK_TOP 0x8000

#define GUEST_CONFIG_ADDR   0x8000
#define GUEST_CONFIG_SIZE   0x1000
#define GUEST_MAILBOX_ADDR  0x9000
#define GUEST_MAILBOX_SIZE  0x1000

#define GUEST_NAME_ADDR     0xa000
#define GUEST_NAME_SIZE     0x2000
#define GUEST_IMAGE_ADDR    0x10000
#define GUEST_IMAGE_MAX     INSTAR_KIB(384)

#define GUEST_STACK_BOTTOM  0x80000
#define GUEST_STACK_TOP     0x100000

#define GUEST_EMIT_ADDR     0x100000
#define GUEST_EMIT_SIZE     INSTAR_KIB(256)
#define GUEST_RUNS_ADDR     0x140000
#define GUEST_RUNS_SIZE     INSTAR_KIB(64)

#define GUEST_ARENA_ADDR    0x200000
#define GUEST_ARENA_SIZE    (GUEST_RAM_SIZE - GUEST_ARENA_ADDR)

/* Segment selectors of the GDT the VMM builds. */
#define GUEST_SEL_CODE      0x08   /* ring 0, 64-bit */
#define GUEST_SEL_DATA      0x10   /* ring 0 */
#define GUEST_SEL_UDATA     0x1b   /* ring 3 data (index 3, RPL 3) */
#define GUEST_SEL_UCODE     0x23   /* ring 3, 64-bit (index 4, RPL 3) */
#define GUEST_SEL_TSS       0x28   /* 16-byte system descriptor */
#define GUEST_GDT_ENTRIES   7      /* 8-byte slots, the TSS takes two */

/*
 * Hypercalls. The guest fills the mailbox, then stores the call number as
 * a 32-bit value to the doorbell. One exit per call: callers batch.
 */
#define GUEST_DOORBELL_ADDR 0x4000000  /* == GUEST_RAM_SIZE */

#ifndef __ASSEMBLER__

enum instar_hypercall {
    INSTAR_HC_READ = 1,        /* dev, offset, length, buf -> ret */
    INSTAR_HC_DATA_STATUS = 2, /* dev, offset, length(buf bytes), buf -> ret = runs */
    INSTAR_HC_EMIT = 3,        /* buf, length: GuestMessage batch */
    INSTAR_HC_EXIT = 4,        /* offset = status */
    INSTAR_HC_FAULT = 5,       /* CPU exception: arg[] = vector, error, rip, cr2 */
    INSTAR_HC_PANIC = 6,       /* buf, length: message text */
    INSTAR_HC_OPEN = 7,        /* buf, length: path -> ret = new device */
};

/* Longest path OPEN takes (PATH_MAX without the NUL). */
#define INSTAR_PATH_MAX     4095u

/* Largest single READ; drivers read at most a table or a cluster. */
#define INSTAR_READ_MAX     INSTAR_MIB(16)
/* Largest message inside a batch (length prefix bound): a result's text
 * (INSTAR_TEXT_MAX) plus the protobuf framing. */
#define INSTAR_MESSAGE_MAX  12288u
/* Largest PANIC text. */
#define INSTAR_PANIC_MAX    512u

struct instar_mailbox {
    uint32_t dev;
    uint32_t reserved;
    uint64_t offset;
    uint64_t length;
    uint64_t buf;       /* guest physical address */
    int64_t ret;        /* written by the host: >= 0, or a negative errno */
    uint64_t arg[4];
};

/*
 * One run reported by DATA_STATUS, in the order lseek would find them:
 * for run k at position p: data = lseek(p, SEEK_DATA) (or -errno); when
 * data == p, hole = lseek(p, SEEK_HOLE) (or -errno), else hole = 0. The
 * next run starts at hole (data run) or at data (hole run). The host stops
 * after an error, at the device's end, or when the buffer is full.
 */
struct instar_data_run {
    uint64_t pos;
    int64_t data;
    int64_t hole;
};

/* Devices: the image and the files it names (twoGbMaxExtent VMDKs have
 * one extent file per 2 GiB). */
#define INSTAR_MAX_DEVICES  200u

struct instar_device_info {
    uint64_t size;         /* st_size */
    uint64_t alloc_bytes;  /* st_blocks * 512 */
};

#define INSTAR_CONFIG_MAGIC   0x50414d5241545349ull /* "ISTARMAP" */
#define INSTAR_ABI_VERSION    1u
#define INSTAR_MAX_LENGTH_NONE (-1)

/* Written by the VMM before boot, at GUEST_CONFIG_ADDR. */
struct instar_map_config {
    uint64_t magic;
    uint32_t version;
    uint32_t size;          /* sizeof(struct instar_map_config) */
    int64_t start_offset;   /* >= 0 */
    int64_t max_length;     /* >= 0, or INSTAR_MAX_LENGTH_NONE */
    uint32_t format;        /* enum instar_format */
    uint32_t merge_keys;    /* INSTAR_MERGE_* of the release imitated */
    uint32_t device_count;  /* devices[0] is the image */
    uint32_t vhd_size_rule; /* enum instar_vhd_size_rule */
    uint32_t driver_rules;  /* INSTAR_RULE_* of the release imitated */
    struct instar_device_info devices[INSTAR_MAX_DEVICES];
};

/* The regions must not overlap and must fit the pages they are given. */
_Static_assert(GUEST_PAGING_END <= GUEST_TSS_ADDR, "paging overlaps TSS");
_Static_assert(GUEST_TSS_ADDR + 0x68 <= GUEST_EXC_STACK_BOTTOM,
               "TSS overlaps exception stack");
_Static_assert(GUEST_EXC_STACK_TOP <= GUEST_CONFIG_ADDR,
               "exception stack overlaps config");
_Static_assert(GUEST_DOORBELL_ADDR == GUEST_RAM_SIZE,
               "the doorbell sits right after RAM");
_Static_assert(GUEST_DOORBELL_ADDR < 0x80000000,
               "the doorbell needs a 32-bit absolute address");
_Static_assert(GUEST_CONFIG_ADDR + GUEST_CONFIG_SIZE <= GUEST_MAILBOX_ADDR,
               "config overlaps mailbox");
_Static_assert(GUEST_MAILBOX_ADDR + GUEST_MAILBOX_SIZE <= GUEST_NAME_ADDR,
               "mailbox overlaps name");
_Static_assert(GUEST_NAME_ADDR + GUEST_NAME_SIZE <= GUEST_IMAGE_ADDR,
               "name overlaps image");
_Static_assert(INSTAR_PATH_MAX < GUEST_NAME_SIZE, "name page too small");
_Static_assert(GUEST_IMAGE_ADDR + GUEST_IMAGE_MAX <= GUEST_STACK_BOTTOM,
               "image overlaps stack");
_Static_assert(GUEST_STACK_TOP <= GUEST_EMIT_ADDR, "stack overlaps batch");
_Static_assert(GUEST_EMIT_ADDR + GUEST_EMIT_SIZE <= GUEST_RUNS_ADDR,
               "batch overlaps runs");
_Static_assert(GUEST_RUNS_ADDR + GUEST_RUNS_SIZE <= GUEST_ARENA_ADDR,
               "runs overlap arena");
_Static_assert(GUEST_ARENA_ADDR < GUEST_RAM_SIZE, "arena outside RAM");
_Static_assert(sizeof(struct instar_map_config) <= GUEST_CONFIG_SIZE,
               "config does not fit its page");
_Static_assert(sizeof(struct instar_mailbox) <= GUEST_MAILBOX_SIZE,
               "mailbox does not fit its page");
_Static_assert(INSTAR_TEXT_MAX + 64 <= INSTAR_MESSAGE_MAX,
               "a message holds the longest text and its framing");
_Static_assert(GUEST_RAM_SIZE % INSTAR_MIB(2) == 0,
               "RAM is mapped with 2 MiB pages");

#endif /* __ASSEMBLER__ */

#endif
