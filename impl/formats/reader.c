/* The read-ahead window: refill at the requested offset on a miss. */
#include "reader.h"

#include "compat.h"
#include "errnos.h"

int reader_init(struct reader *r, struct node *n, size_t cap,
                struct map_error *err)
{
    r->n = n;
    r->cap = cap;
    r->base = 0;
    r->filled = 0;
    r->buf = arena_alloc(n->ctx->arena, cap);
    if (!r->buf)
        return map_fail(err, MAP_ERR_INTERNAL, LINUX_ENOMEM,
                        "out of guest memory for a %zu-byte "
                        "metadata window", cap);
    return 0;
}

static bool window_holds(const struct reader *r, uint64_t off, size_t len)
{
    return r->filled >= len && off >= r->base &&
           off - r->base <= r->filled - len;
}

int reader_read(struct reader *r, uint64_t off, void *out, size_t len,
                struct map_error *err)
{
    if (len > r->cap)
        return map_fail(err, MAP_ERR_INTERNAL, LINUX_EINVAL,
                        "metadata read of %zu bytes exceeds the "
                        "window", len);
    if (!window_holds(r, off, len)) {
        /* Fill a whole window, but do not let read-ahead reach past the
         * maximum offset when the request itself stays below it. */
        uint64_t want = r->cap;
        if (off <= NODE_MAX_LENGTH && NODE_MAX_LENGTH - off < want)
            want = NODE_MAX_LENGTH - off < len ? len : NODE_MAX_LENGTH - off;
        r->filled = 0;
        if (node_pread(r->n, off, r->buf, want, err) < 0)
            return -1;
        r->base = off;
        r->filled = (size_t)want;
    }
    memcpy(out, r->buf + (off - r->base), len);
    return 0;
}
