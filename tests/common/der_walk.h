/* A minimal TLV walker for test harnesses that look inside DER the core
 * has already accepted (fuzz_crt, fuzz_key): an independent second reading
 * of the bytes, so it deliberately shares no code with src/cert/crt.c.  Short
 * and long (at most two length octets) definite forms suffice for that
 * input. */
#ifndef SLINK_TEST_DER_WALK_H
#define SLINK_TEST_DER_WALK_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const uint8_t *p, *end;
} cur;

/* Reads one element: *tag, its contents in *val, and (optional) the whole
 * element with its header in *whole.  -1 if it does not fit in c. */
static inline int tlv(cur *c, uint8_t *tag, cur *val, cur *whole)
{
    const uint8_t *start = c->p;
    size_t len, n;
    if (c->end - c->p < 2) return -1;
    *tag = c->p[0];
    len = c->p[1];
    c->p += 2;
    if (len & 0x80) {
        n = len & 0x7f;
        if (n == 0 || n > 2 || (size_t)(c->end - c->p) < n) return -1;
        len = c->p[0];
        if (n == 2) len = len << 8 | c->p[1];
        c->p += n;
    }
    if ((size_t)(c->end - c->p) < len) return -1;
    val->p = c->p;
    val->end = c->p + len;
    c->p += len;
    if (whole != NULL) {
        whole->p = start;
        whole->end = c->p;
    }
    return 0;
}

#endif
