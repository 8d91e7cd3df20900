/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hypercall.h"

#include "compat.h"
#include "guest_mem.h"

#define mailbox ((volatile struct instar_mailbox *)GUEST_PTR(GUEST_MAILBOX_ADDR))

static int64_t hypercall(uint32_t nr)
{
#ifdef INSTAR_GUEST_INPROC
    /* Test-only build (guest_mem.h): the in-process VMM handles the call
     * as if the store below had exited, and returns only to resume. */
    inproc_doorbell(nr);
#else
    /* One 32-bit store to the doorbell; the memory clobber orders the
     * mailbox stores before it and the result load after it. */
    __asm__ volatile("movl %0, %1"
                     :
                     : "r"(nr), "m"(*(volatile uint32_t *)(uintptr_t)
                                        GUEST_DOORBELL_ADDR)
                     : "memory");
#endif
    return mailbox->ret;
}

int64_t hc_read(uint32_t dev, uint64_t off, void *buf, uint64_t len)
{
    mailbox->dev = dev;
    mailbox->offset = off;
    mailbox->length = len;
    mailbox->buf = GUEST_ADDR(buf);
    return hypercall(INSTAR_HC_READ);
}

int64_t hc_data_status(uint32_t dev, uint64_t off, struct instar_data_run *runs,
                       uint64_t max_runs)
{
    mailbox->dev = dev;
    mailbox->offset = off;
    mailbox->length = max_runs * sizeof *runs;
    mailbox->buf = GUEST_ADDR(runs);
    return hypercall(INSTAR_HC_DATA_STATUS);
}

int64_t hc_emit(const void *buf, uint64_t len)
{
    mailbox->buf = GUEST_ADDR(buf);
    mailbox->length = len;
    return hypercall(INSTAR_HC_EMIT);
}

int64_t hc_open(const char *path, uint64_t len)
{
    mailbox->buf = GUEST_ADDR(path);
    mailbox->length = len;
    return hypercall(INSTAR_HC_OPEN);
}

void hc_exit(uint64_t status)
{
    mailbox->offset = status;
    hypercall(INSTAR_HC_EXIT);
    for (;;)
        __asm__ volatile("ud2"); /* the host never resumes after EXIT */
}

void hc_fault(uint64_t vector, uint64_t error, uint64_t rip, uint64_t cr2)
{
    mailbox->arg[0] = vector;
    mailbox->arg[1] = error;
    mailbox->arg[2] = rip;
    mailbox->arg[3] = cr2;
    hypercall(INSTAR_HC_FAULT);
    for (;;)
        __asm__ volatile("hlt"); /* ring 0 here, and never resumed */
}

void panic(const char *fmt, ...)
{
#ifdef INSTAR_GUEST_INPROC
    char text[INSTAR_PANIC_MAX]; /* statics are not in guest RAM there */
#else
    static char text[INSTAR_PANIC_MAX];
#endif
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    mailbox->buf = GUEST_ADDR(text);
    mailbox->length = strlen(text);
    hypercall(INSTAR_HC_PANIC);
    for (;;)
        __asm__ volatile("ud2");
}
