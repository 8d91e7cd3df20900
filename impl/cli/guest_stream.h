/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Turns the guest's message stream into output. Every message is checked
 * before it reaches the renderer: the guest is untrusted, so an extent
 * that does not continue exactly where the last one ended, leaves the
 * requested range, or arrives out of order ends the run with an error.
 */
#ifndef INSTAR_CLI_GUEST_STREAM_H
#define INSTAR_CLI_GUEST_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "guest.pb-c.h"
#include "render.h"

enum stream_state {
    STREAM_WAIT_OPEN,   /* nothing yet */
    STREAM_WALKING,     /* opened: extents, logs, then a result */
    STREAM_DONE,        /* result received */
};

struct guest_stream {
    enum stream_state state;
    struct render_ctx *render;
    FILE *err;
    const char *prog;
    const char *display_name;   /* the image as the user named it */
    /* device index -> name for human output, NULL if there is none */
    const char *(*file_name)(void *ctx, uint32_t file);
    void *file_name_ctx;
    int64_t start;
    int64_t max_length;         /* -1: none */
    int64_t end;                /* computed at open, as qemu-img does */
    int64_t next;               /* where the next extent must start */
    uint64_t extents;
    unsigned logs;
    int exit_status;            /* valid once state == STREAM_DONE */
    bool failed;                /* an error was printed; stop the guest */
    bool output_lost;           /* stdout failed: the run was stopped */
};

void guest_stream_init(struct guest_stream *s, struct render_ctx *r,
                       FILE *err, const char *prog, const char *display_name,
                       const char *(*file_name)(void *, uint32_t),
                       void *file_name_ctx, int64_t start,
                       int64_t max_length);

/* Batch callback for guest_batch_decode: 0 to go on, 1 to stop. */
int guest_stream_message(void *ctx, const Instar__GuestMessage *m);

/* A line from the VMM for the user (e.g. a refused file name). */
void guest_stream_notice(struct guest_stream *s, const char *text);

/* Report a failure of the run itself (fault, timeout, bad batch). */
void guest_stream_fail(struct guest_stream *s, const char *what);

#endif
