/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Synthetic qcow2 images for unit tests, built cluster by cluster:
 * cluster 0 header, 1 refcount table, 2 refcount block (16-bit), then the
 * L1 table, then whatever the test allocates. Every cluster the builder
 * allocates gets refcount 1. Tests then poke fields to make them hostile.
 */
#ifndef INSTAR_TESTS_QCOW2_BUILDER_H
#define INSTAR_TESTS_QCOW2_BUILDER_H

#include <stdint.h>

#include "memdev.h"

struct qb {
    uint8_t *buf;
    uint64_t size;
    uint64_t cap;
    uint32_t version;
    uint32_t cluster_bits;
    uint64_t cs;
    uint64_t vsize;
    uint64_t l1_off;
    uint32_t l1_size;
    uint64_t rt_off;
    uint64_t rb_off;
};

#define QB_COPIED (1ull << 63)
#define QB_COMPRESSED (1ull << 62)
#define QB_ZERO 1ull

void qb_init(struct qb *b, uint32_t version, uint32_t cluster_bits,
             uint64_t vsize);
void qb_free(struct qb *b);
/* Append a cluster (refcount 1); returns its offset. */
uint64_t qb_alloc(struct qb *b);
/* Big-endian stores anywhere in the image (grows it as needed). */
void qb_put8(struct qb *b, uint64_t off, uint8_t v);
void qb_put16(struct qb *b, uint64_t off, uint16_t v);
void qb_put32(struct qb *b, uint64_t off, uint32_t v);
void qb_put64(struct qb *b, uint64_t off, uint64_t v);
/* The L2 table for guest offset goff, allocating it on first use. */
uint64_t qb_l2(struct qb *b, uint64_t goff);
/* Set the L2 entry of the cluster holding goff. */
void qb_set_entry(struct qb *b, uint64_t goff, uint64_t entry);
/* Allocate a data cluster for goff; returns its host offset. */
uint64_t qb_data(struct qb *b, uint64_t goff);
/* Set a refcount (16-bit) of host cluster index. */
void qb_refcount(struct qb *b, uint64_t cluster, uint16_t v);
/* Copy into a new memdev device; returns its id. */
uint32_t qb_to_memdev(const struct qb *b, struct memdevs *m);

#endif
