/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The map operation: read the configuration the VMM left at a fixed
 * address, open the image, walk it and stream the entries to the host.
 */
#include "compat.h"
#include "guest.h"
#include "guest_mem.h"
#include "hypercall.h"
#include "instar_abi.h"
#include "map.h"
#include "map_words.h"
#include "meta_cache.h"
#include "node.h"

static uint64_t extents_sent;

static int send_extent(void *ctx, const struct map_extent *e,
                       struct map_error *err)
{
    (void)ctx;
    (void)err;
    emit_extent(e);
    extents_sent++;
    return 0;
}

static __attribute__((noreturn)) void finish(const struct map_error *err)
{
    emit_result(words_result_out(err->kind), err->errnum, err->msg,
                extents_sent);
    emit_flush();
    hc_exit(err->kind == MAP_ERR_NONE ? 0 : 1);
}

__attribute__((noreturn)) void guest_main(void);

void guest_main(void)
{
    const struct instar_map_config *cfg =
        (const struct instar_map_config *)GUEST_PTR(GUEST_CONFIG_ADDR);
    if (cfg->magic != INSTAR_CONFIG_MAGIC || cfg->version != INSTAR_ABI_VERSION ||
        cfg->size != sizeof *cfg)
        panic("bad map configuration (magic, version or size)");
    if (cfg->device_count == 0 || cfg->device_count > INSTAR_MAX_DEVICES)
        panic("bad device count %u", cfg->device_count);

    static struct io_ops io;
    static struct arena arena;
    guest_io_init(&io, cfg);
    arena_init(&arena, GUEST_PTR(GUEST_ARENA_ADDR), GUEST_ARENA_SIZE);
    /* The image's name, for resolving names inside it as qemu does. */
    char *name = (char *)GUEST_PTR(GUEST_NAME_ADDR);
    name[GUEST_NAME_SIZE - 1] = 0;
    /* The host is trusted more than the image, but its words are still
     * checked: a value outside the protocol is a broken VMM. */
    static struct meta_cache cache;
    struct open_ctx octx = { .io = &io, .arena = &arena, .filename = name,
                             .cache = &cache };
    enum image_format fmt;
    uint32_t merge_keys;
    if (!words_vhd_size_rule_in(cfg->vhd_size_rule, &octx.vhd_size_rule))
        panic("bad map configuration: vhd size rule %u", cfg->vhd_size_rule);
    if (!words_driver_rules_in(cfg->driver_rules, &octx.driver_rules))
        panic("bad map configuration: driver rules %#x", cfg->driver_rules);
    if (!words_format_in(cfg->format, &fmt))
        panic("bad map configuration: format %u", cfg->format);
    if (!words_merge_keys_in(cfg->merge_keys, &merge_keys))
        panic("bad map configuration: merge keys %#x", cfg->merge_keys);

    static struct map_error err;
    struct node *top = image_open(&octx, 0, fmt, &err);
    if (!top)
        finish(&err);
    emit_opened(top->length, cfg->format);

    struct map_request rq = {
        .start = cfg->start_offset,
        .max_length = cfg->max_length,
        .merge_keys = merge_keys,
    };
    err.kind = MAP_ERR_NONE;
    err.msg[0] = 0;
    map_image(top, &rq, send_extent, NULL, &err);
    finish(&err);
}
