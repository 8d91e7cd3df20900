/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Exception handling: every CPU exception is reported to the host with
 * its vector and RIP, so a guest bug is one clear line, not a triple
 * fault. There are no interrupts; the guest runs with IF clear.
 */
#include <stdint.h>

#include "guest.h"
#include "hypercall.h"
#include "instar_abi.h"

struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate is 16 bytes");

extern const uint64_t exc_stub_table[32];

static struct idt_gate idt[32] __attribute__((aligned(16)));

void idt_install(void)
{
    for (int v = 0; v < 32; v++) {
        uint64_t h = exc_stub_table[v];
        idt[v] = (struct idt_gate){
            .offset_low = (uint16_t)h,
            .selector = GUEST_SEL_CODE,
            .ist = 0,
            .type_attr = 0x8e, /* present, DPL 0, 64-bit interrupt gate */
            .offset_mid = (uint16_t)(h >> 16),
            .offset_high = (uint32_t)(h >> 32),
        };
    }
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = { sizeof idt - 1, (uint64_t)(uintptr_t)idt };
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

/* Called from exc_common with the stub's frame. */
__attribute__((noreturn)) void guest_exception(const uint64_t *frame);

void guest_exception(const uint64_t *frame)
{
    uint64_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    hc_fault(frame[0], frame[1], frame[2], cr2);
}
