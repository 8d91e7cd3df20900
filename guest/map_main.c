/*
 * The map operation: read the configuration the VMM left at a fixed
 * address, open the image, walk it and stream the entries to the host.
 */
#include "compat.h"
#include "guest.h"
#include "hypercall.h"
#include "instar_abi.h"
#include "map.h"
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
    emit_result((uint32_t)err->kind, err->errnum, err->msg, extents_sent);
    emit_flush();
    hc_exit(err->kind == MAP_ERR_NONE ? 0 : 1);
}

__attribute__((noreturn)) void guest_main(void);

void guest_main(void)
{
    const struct instar_map_config *cfg =
        (const struct instar_map_config *)(uintptr_t)GUEST_CONFIG_ADDR;
    if (cfg->magic != INSTAR_CONFIG_MAGIC || cfg->version != INSTAR_ABI_VERSION ||
        cfg->size != sizeof *cfg)
        panic("bad map configuration (magic, version or size)");
    if (cfg->device_count == 0 || cfg->device_count > INSTAR_MAX_DEVICES)
        panic("bad device count %u", cfg->device_count);

    static struct io_ops io;
    static struct arena arena;
    guest_io_init(&io, cfg);
    arena_init(&arena, (void *)(uintptr_t)GUEST_ARENA_ADDR, GUEST_ARENA_SIZE);
    /* The image's name, for resolving names inside it as qemu does. */
    char *name = (char *)(uintptr_t)GUEST_NAME_ADDR;
    name[GUEST_NAME_SIZE - 1] = 0;
    _Static_assert(INSTAR_RULE_LENGTH_AT_OPEN == NODE_RULE_LENGTH_AT_OPEN &&
                   INSTAR_RULE_PREAD_RETURNS_0 == NODE_RULE_PREAD_RETURNS_0,
                   "driver rules differ between the ABI and the drivers");
    static struct meta_cache cache;
    struct open_ctx octx = { .io = &io, .arena = &arena, .filename = name,
                             .cache = &cache,
                             .vhd_size_rule = cfg->vhd_size_rule,
                             .driver_rules = cfg->driver_rules };

    static struct map_error err;
    struct node *top = image_open(&octx, 0, (enum image_format)cfg->format,
                                  &err);
    if (!top)
        finish(&err);
    emit_opened(top->length, (uint32_t)cfg->format);

    struct map_request rq = {
        .start = cfg->start_offset,
        .max_length = cfg->max_length,
        .merge_keys = cfg->merge_keys,
    };
    err.kind = MAP_ERR_NONE;
    err.msg[0] = 0;
    map_image(top, &rq, send_extent, NULL, &err);
    finish(&err);
}
