#include "duo.h"
#include <check.h>
#include <stdlib.h>
#include <string.h>

void duo_opts(hw_peer_opts *oa, hw_peer_opts *ob, uint64_t seed, uint32_t baud)
{
    memset(oa, 0, sizeof *oa);
    memset(ob, 0, sizeof *ob);
    oa->local = 1; oa->peer = 7; oa->role = SLINK_START_INITIATOR; oa->seed = seed * 2 + 1;
    ob->local = 7; ob->peer = 1; ob->role = SLINK_START_RESPONDER; ob->seed = seed * 2 + 2;
    oa->baud = ob->baud = baud;
}

duo *duo_new2(const hw_peer_opts *oa, const hw_peer_opts *ob, uint32_t baud)
{
    duo *d = calloc(1, sizeof *d);
    ck_assert_ptr_nonnull(d);
    d->a = calloc(1, sizeof *d->a);
    d->b = calloc(1, sizeof *d->b);
    ck_assert(d->a && d->b);
    hostile_init(&d->h, baud);
    ck_assert_int_eq(hw_peer_init(d->a, oa, 0), SLINK_OK);
    ck_assert_int_eq(hw_peer_init(d->b, ob, 0), SLINK_OK);
    d->ia = hostile_add_conn(&d->h, &d->a->conn);
    d->ib = hostile_add_conn(&d->h, &d->b->conn);
    d->h.capture = 1;
    return d;
}

duo *duo_new(uint64_t seed)
{
    hw_peer_opts oa, ob;
    duo_opts(&oa, &ob, seed, 0);
    return duo_new2(&oa, &ob, 115200);
}

void duo_free(duo *d)
{
    hw_peer_free(d->a);
    hw_peer_free(d->b);
    hostile_free(&d->h);
    free(d->a);
    free(d->b);
    free(d);
}

int duo_count_events(slink_conn *c, slink_event_type t, slink_err *err)
{
    slink_event ev;
    int n = 0;
    while (slink_conn_poll_event(c, &ev))
        if (ev.type == t) { n++; if (err) *err = ev.err; }
    return n;
}
