/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A second guest, for the VMM's tests only (never embedded in instar): it
 * runs the real entry code, IDT and hypercall wrappers, then misbehaves in
 * the way the configuration's start_offset selects, so tests can check
 * that each failure reaches the host as one clear message.
 */
#include "compat.h"
#include "guest.h"
#include "guest_mem.h"
#include "hypercall.h"
#include "instar_abi.h"

enum selftest {
    SELFTEST_EXIT_OK = 0,
    SELFTEST_NULL_READ = 1,
    SELFTEST_DIVIDE = 2,
    SELFTEST_PANIC = 3,
    SELFTEST_UD2 = 4,
    SELFTEST_PRIVILEGED = 5,
    SELFTEST_SPIN = 6,
    SELFTEST_WRITE_CODE_BEYOND_RAM = 7,
};

__attribute__((noreturn)) void guest_main(void);

void guest_main(void)
{
    const struct instar_map_config *cfg =
        (const struct instar_map_config *)GUEST_PTR(GUEST_CONFIG_ADDR);
    volatile int zero = 0;
    switch (cfg->start_offset) {
    case SELFTEST_EXIT_OK:
        hc_exit(0);
    case SELFTEST_NULL_READ:
        (void)*(volatile int *)(uintptr_t)zero;
        break;
    case SELFTEST_DIVIDE:
        /* In asm: gcc would turn a C division by 0 into something else. */
        __asm__ volatile("xor %%ecx, %%ecx\n\tdiv %%ecx"
                         ::: "eax", "ecx", "edx");
        break;
    case SELFTEST_PANIC:
        panic("selftest panic %d\nwith a newline", 42);
    case SELFTEST_UD2:
        __asm__ volatile("ud2");
        break;
    case SELFTEST_PRIVILEGED:
        __asm__ volatile("hlt"); /* ring 3: general protection */
        break;
    case SELFTEST_SPIN:
        for (;;)
            __asm__ volatile("" ::: "memory");
    case SELFTEST_WRITE_CODE_BEYOND_RAM:
        *(volatile int *)(uintptr_t)(GUEST_RAM_SIZE + INSTAR_MIB(4)) = 1;
        break;
    }
    hc_exit(99);
}
