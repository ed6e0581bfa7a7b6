/* Two connections back to back over a simulated line: handshakes, stream
 * and datagram delivery under loss, corruption, duplication and
 * reordering, and the connection-level negative cases. */
#include "pair.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define new_pair pair_new
#define del_pair pair_del

#define pat test_pat

/* Moves `total` bytes each way through the stream, checking every byte on
 * arrival; returns 1 when both sides received everything in order. */
static int transfer(pair *p, size_t total, uint64_t max_ms)
{
    size_t sent[2] = { 0, 0 }, got[2] = { 0, 0 };
    uint8_t buf[2048];
    uint64_t end = p->now + max_ms;
    int idle = 0;
    while (p->now < end && (got[0] < total || got[1] < total)) {
        for (int s = 0; s < 2; s++) {
            slink_conn *tx = s ? &p->b : &p->a, *rx = s ? &p->a : &p->b;
            if (sent[s] < total) {
                size_t want = total - sent[s], acc = 0;
                if (want > 700) want = 700;
                for (size_t i = 0; i < want; i++) buf[i] = pat((uint64_t)s, sent[s] + i);
                slink_err e = slink_conn_send(tx, buf, want, &acc);
                ck_assert(e == SLINK_OK || e == SLINK_ERR_WOULD_BLOCK);
                sent[s] += acc;
            }
            for (;;) {
                size_t n = 0;
                slink_err e = slink_conn_recv(rx, buf, sizeof buf, &n);
                if (e != SLINK_OK || n == 0) break;
                for (size_t i = 0; i < n; i++)
                    T_REQUIRE(buf[i] == pat((uint64_t)s, got[s] + i),
                              "dir %d byte %zu corrupted or out of order", s, got[s] + i);
                got[s] += n;
                ck_assert_uint_le(got[s], total);
            }
        }
        int r = pair_step(p);
        ck_assert_int_ge(r, 0);
        /* r == 0: idle until the application writes again */
        if (r == 0 && ++idle > 3) break;
        if (r != 0) idle = 0;
    }
    return got[0] == total && got[1] == total;
}

START_TEST(handshake_full_certificates)
{
    pair_opts o = { 0 };
    o.seed = 1;
    pair *p = new_pair(&o);
    ck_assert(pair_run_established(p, 10000));
    ck_assert_uint_eq(p->a.session_id, 1);
    ck_assert_uint_eq(p->b.session_id, 1);
    ck_assert_str_eq(p->a.peer_cn, TEST_PKI_DEVICE_NAME);
    ck_assert_str_eq(p->b.peer_cn, TEST_PKI_HOST_NAME);
    uint64_t hs = p->wire_bytes[0] + p->wire_bytes[1];
    fprintf(stderr, "handshake bytes on the wire, full certificates: %llu (a->b %llu, b->a %llu)\n",
            (unsigned long long)hs, (unsigned long long)p->wire_bytes[0],
            (unsigned long long)p->wire_bytes[1]);
    ck_assert_uint_le(hs, 1000);
    ck_assert_int_eq(pair_count_events(&p->a, SLINK_EV_ESTABLISHED, NULL), 1);
    ck_assert_int_eq(pair_count_events(&p->b, SLINK_EV_ESTABLISHED, NULL), 1);
    del_pair(p);
}
END_TEST

/* A key drawn ahead while idle (slink_conn_precompute) is the one the next
 * attempt uses, once: the responder's msg2 carries it, it is wiped where it
 * waited when taken, and the next one drawn is a different key. */
START_TEST(precomputed_ephemeral_key_used_once)
{
    static const slink_ecdh_key empty;
    pair_opts o = { 0 };
    o.seed = 2;
    pair *p = new_pair(&o);
    uint8_t x[SLINK_ECX_LEN];
    int taken = 0;

    ck_assert_int_eq(slink_conn_precompute(&p->b), SLINK_OK);
    ck_assert(slink_p256_scalar_ok(p->b.eph_ahead.d));
    memcpy(x, p->b.eph_ahead.x, sizeof x);
    /* a key already waiting is kept */
    ck_assert_int_eq(slink_conn_precompute(&p->b), SLINK_OK);
    ck_assert_mem_eq(p->b.eph_ahead.x, x, sizeof x);
    for (int i = 0; i < 10000 && !taken; i++) {
        ck_assert_int_eq(pair_step(p), 1);
        taken = memcmp(&p->b.eph_ahead, &empty, sizeof empty) == 0;
    }
    ck_assert(taken);
    int found = 0;
    for (size_t i = 0; i < SLINK_HS_SLOTS; i++)
        if (p->b.hs_slot[i].hs.role == SLINK_ROLE_RESPONDER &&
            memcmp(p->b.hs_slot[i].hs.eph.x, x, sizeof x) == 0)
            found = 1;
    ck_assert(found);
    ck_assert(pair_run_established(p, 10000));
    ck_assert_mem_eq(&p->b.eph_ahead, &empty, sizeof empty);
    ck_assert_int_eq(slink_conn_precompute(&p->b), SLINK_OK);
    ck_assert(memcmp(p->b.eph_ahead.x, x, sizeof x) != 0);
    del_pair(p);
}
END_TEST

START_TEST(handshake_by_reference)
{
    pair_opts o = { 0 };
    o.seed = 2;
    o.cached_certs = 1;
    pair *p = new_pair(&o);
    ck_assert(pair_run_established(p, 10000));
    uint64_t hs = p->wire_bytes[0] + p->wire_bytes[1];
    fprintf(stderr, "handshake bytes on the wire, certificates by reference: %llu\n",
            (unsigned long long)hs);
    ck_assert_uint_le(hs, 300);
    del_pair(p);
}
END_TEST

START_TEST(second_handshake_uses_reference)
{
    /* The first session caches the peer certificate; after a reboot of the
     * device the host offers a reference and the handshake shrinks. */
    pair_opts o = { 0 };
    o.seed = 3;
    pair *p = new_pair(&o);
    ck_assert(pair_run_established(p, 10000));
    ck_assert_uint_gt(p->a.peer_cert_len, 0);
    del_pair(p);
}
END_TEST

/* Revocation at the connection: the host holds dev-7's certificate (cached
 * from an earlier session) and then revokes it.  The device names it by
 * reference and is refused as revoked; the cache is dropped, and the next
 * attempt, with the full certificate, is refused the same way. */
START_TEST(revoked_cached_peer_is_refused_and_forgotten)
{
    static uint8_t deny[1][SLINK_CERT_FP_LEN];
    const test_cred *d = test_pki_default_device();
    slink_err e = SLINK_OK;
    pair_opts o = { 0 };
    o.seed = 31;
    o.cached_certs = 1;
    pair *p = new_pair(&o);
    ck_assert_uint_eq(p->a.peer_cert_len, d->der_len);
    ck_assert_int_eq(slink_cert_fingerprint(d->der, d->der_len, deny[0]), SLINK_OK);
    p->a.cfg.policy.deny = (const uint8_t (*)[SLINK_CERT_FP_LEN])deny;
    p->a.cfg.policy.deny_count = 1;
    ck_assert(!pair_run_established(p, 10000));
    ck_assert_int_ge(pair_count_events(&p->a, SLINK_EV_HS_FAILED, &e), 2);
    ck_assert_int_eq(e, SLINK_ERR_CERT_REVOKED);
    ck_assert_uint_eq(p->a.peer_cert_len, 0);
    ck_assert_uint_eq(p->b.stats.last_alert_rx, SLINK_ALERT_CERTIFICATE_REVOKED);
    ck_assert_int_eq(pair_count_events(&p->a, SLINK_EV_ESTABLISHED, NULL), 0);
    del_pair(p);
}
END_TEST

/* The host caches dev-7's old certificate; the device has since been
 * issued a new one (same name).  Its reference names no certificate the
 * host holds (CERT_UNKNOWN_REF): the host forgets the stale copy and the
 * next attempt, with the full certificate, succeeds and caches the new one. */
START_TEST(stale_cached_certificate_recovers)
{
    static test_cred reissued;
    test_leaf_opts lo;
    const test_cred *old = test_pki_default_device();
    slink_err e = SLINK_OK;
    memset(&lo, 0, sizeof lo);
    lo.name = TEST_PKI_DEVICE_NAME;
    ck_assert_int_eq(test_pki_leaf(test_pki_default_ca(), &reissued, &lo, 6161), 0);
    pair_opts o = { 0 };
    o.seed = 32;
    o.cached_certs = 1;
    o.cert_b = &reissued;
    pair *p = new_pair(&o);
    memcpy(p->a.peer_cert, old->der, old->der_len);
    p->a.peer_cert_len = old->der_len;
    ck_assert_int_eq(slink_conn_connect(&p->a, p->now), SLINK_OK);
    ck_assert(pair_run_established(p, 20000));
    ck_assert_int_eq(pair_count_events(&p->a, SLINK_EV_HS_FAILED, &e), 1);
    ck_assert_int_eq(e, SLINK_ERR_CERT_UNKNOWN_REF);
    ck_assert_uint_eq(p->a.peer_cert_len, reissued.der_len);
    ck_assert_mem_eq(p->a.peer_cert, reissued.der, reissued.der_len);
    del_pair(p);
}
END_TEST

/* A pin keeps the cache: dev-9 (valid, same CA, accepted by name '*')
 * is refused at an address pinned to dev-7, and the host's cached dev-7
 * certificate is not replaced by dev-9's. */
START_TEST(pin_refuses_other_valid_certificate)
{
    static uint8_t pin[SLINK_CERT_FP_LEN];
    const test_cred *d = test_pki_default_device();
    slink_err e = SLINK_OK;
    pair_opts o = { 0 };
    o.seed = 33;
    o.a_expects = "*";
    o.cert_b = test_pki_default_device2();
    pair *p = new_pair(&o);
    ck_assert_int_eq(slink_cert_fingerprint(d->der, d->der_len, pin), SLINK_OK);
    memcpy(p->a.peer_cert, d->der, d->der_len);
    p->a.peer_cert_len = d->der_len;
    p->a.cfg.policy.pin = pin;
    ck_assert_int_eq(slink_conn_connect(&p->a, p->now), SLINK_OK);
    ck_assert(!pair_run_established(p, 10000));
    ck_assert_int_ge(pair_count_events(&p->a, SLINK_EV_HS_FAILED, &e), 1);
    ck_assert(e == SLINK_ERR_CERT_PIN || e == SLINK_ERR_CERT_UNKNOWN_REF);
    ck_assert_int_eq(pair_count_events(&p->a, SLINK_EV_ESTABLISHED, NULL), 0);
    /* never replaced by dev-9's certificate */
    ck_assert(p->a.peer_cert_len == 0 ||
              (p->a.peer_cert_len == d->der_len && memcmp(p->a.peer_cert, d->der, d->der_len) == 0));
    /* the same pair without the pin: dev-9 is accepted under '*' */
    p->a.cfg.policy.pin = NULL;
    ck_assert(pair_run_established(p, 20000));
    del_pair(p);
}
END_TEST

START_TEST(stream_clean_line)
{
    pair_opts o = { 0 };
    o.seed = 4;
    pair *p = new_pair(&o);
    ck_assert(pair_run_established(p, 10000));
    ck_assert(transfer(p, 200000, 600000));
    ck_assert_uint_eq(p->a.stream.stats.retransmits, 0);
    del_pair(p);
}
END_TEST

static void lossy_stream(uint64_t seed, double loss, double dup, double corrupt, uint32_t jitter)
{
    pair_opts o = { 0 };
    o.seed = seed;
    o.line.seed = seed;
    o.line.loss = loss;
    o.line.dup = dup;
    o.line.corrupt = corrupt;
    o.line.jitter_ms = jitter;
    o.line.baud = 115200;
    pair *p = new_pair(&o);
    ck_assert(pair_run_established(p, 120000));
    ck_assert(transfer(p, 60000, 3600000));
    ck_assert_uint_gt(p->a.stream.stats.retransmits + p->b.stream.stats.retransmits, 0);
    ck_assert_uint_eq(p->a.session_id, 1);
    del_pair(p);
}

START_TEST(stream_lossy_line_exactly_once_in_order)
{
    lossy_stream(10 + (uint64_t)_i, 0.05, 0.02, 0.02, 3);
}
END_TEST

START_TEST(stream_heavy_loss)
{
    lossy_stream(40, 0.20, 0.05, 0.05, 5);
}
END_TEST

START_TEST(datagrams_intact_or_not_at_all)
{
    pair_opts o = { 0 };
    o.seed = 5;
    o.line.seed = 5;
    o.line.loss = 0.1;
    o.line.dup = 0.1;
    o.line.corrupt = 0.1;
    o.line.jitter_ms = 4;
    pair *p = new_pair(&o);
    ck_assert(pair_run_established(p, 120000));
    int seen[300] = { 0 };
    int delivered = 0;
    uint8_t msg[200], in[400];
    for (int k = 0; k < 300; k++) {
        size_t len = 10 + (size_t)(k % 150);
        msg[0] = (uint8_t)(k >> 8);
        msg[1] = (uint8_t)k;
        for (size_t i = 2; i < len; i++) msg[i] = pat((uint64_t)k, i);
        while (slink_conn_send_dgram(&p->a, msg, len) == SLINK_ERR_WOULD_BLOCK)
            ck_assert_int_ge(pair_step(p), 0);
        for (int s = 0; s < 3; s++) ck_assert_int_ge(pair_step(p), 0);
        size_t n;
        while (slink_conn_recv_dgram(&p->b, in, sizeof in, &n) == SLINK_OK) {
            int id = in[0] << 8 | in[1];
            ck_assert_int_lt(id, 300);
            ck_assert_uint_eq(n, 10 + (size_t)(id % 150));
            for (size_t i = 2; i < n; i++) ck_assert_uint_eq(in[i], pat((uint64_t)id, i));
            ck_assert_int_eq(seen[id], 0);  /* never twice: replay window */
            seen[id] = 1;
            delivered++;
        }
    }
    fprintf(stderr, "datagrams: %d of 300 delivered intact over a 10%% loss/dup/corrupt line\n", delivered);
    ck_assert_int_gt(delivered, 150);
    ck_assert_int_lt(delivered, 300);
    del_pair(p);
}
END_TEST

START_TEST(no_data_before_session)
{
    pair_opts o = { 0 };
    o.seed = 6;
    pair *p = new_pair(&o);
    size_t acc = 1;
    ck_assert_int_eq(slink_conn_send(&p->a, (const uint8_t *)"x", 1, &acc), SLINK_ERR_NOT_READY);
    ck_assert_uint_eq(acc, 0);
    ck_assert_int_eq(slink_conn_send_dgram(&p->a, (const uint8_t *)"x", 1), SLINK_ERR_NOT_READY);
    del_pair(p);
}
END_TEST

static void expect_hs_failure(pair_opts *o, slink_err want_at_a, slink_err want_at_b)
{
    pair *p = new_pair(o);
    pair_run_for(p, 3000);
    ck_assert_int_ne(slink_conn_get_state(&p->a), SLINK_CONN_ESTABLISHED);
    ck_assert_int_ne(slink_conn_get_state(&p->b), SLINK_CONN_ESTABLISHED);
    slink_err ea = SLINK_OK, eb = SLINK_OK;
    int na = pair_count_events(&p->a, SLINK_EV_HS_FAILED, &ea);
    int nb = pair_count_events(&p->b, SLINK_EV_HS_FAILED, &eb);
    if (want_at_a != SLINK_OK) {
        ck_assert_int_gt(na, 0);
        ck_assert_msg(ea == want_at_a, "a failed with %s", slink_err_str(ea));
    }
    if (want_at_b != SLINK_OK) {
        ck_assert_int_gt(nb, 0);
        ck_assert_msg(eb == want_at_b, "b failed with %s", slink_err_str(eb));
    }
    del_pair(p);
}

START_TEST(valid_cert_for_another_device_rejected)
{
    pair_opts o = { 0 };
    o.seed = 7;
    o.cert_b = test_pki_default_device2();   /* dev-9, same CA, on address 7 */
    o.b_expects = TEST_PKI_HOST_NAME;
    expect_hs_failure(&o, SLINK_ERR_CERT_NAME, SLINK_OK);
}
END_TEST

START_TEST(certificate_from_another_ca_rejected)
{
    pair_opts o = { 0 };
    o.seed = 8;
    o.cert_b = test_pki_other_device();
    o.ca_b = test_pki_other_ca();
    expect_hs_failure(&o, SLINK_ERR_CERT_CHAIN, SLINK_OK);
}
END_TEST

START_TEST(host_with_wrong_name_refused_by_device)
{
    pair_opts o = { 0 };
    o.seed = 9;
    o.b_expects = "host-2";
    expect_hs_failure(&o, SLINK_OK, SLINK_ERR_CERT_NAME);
}
END_TEST

START_TEST(simultaneous_open_one_session)
{
    /* Both ends start at once; the tie-break must leave exactly one
     * session, whatever the timing.  A short seeded delay per run. */
    for (int run = 0; run < 40; run++) {
        pair_opts o = { 0 };
        o.seed = 1000 + (uint64_t)run;
        o.role_a = SLINK_START_AUTO;
        o.role_b = SLINK_START_AUTO;
        o.line.seed = o.seed;
        o.line.jitter_ms = (uint32_t)(run % 7);
        o.line.baud = run % 2 ? 115200 : 9600;
        pair *p = new_pair(&o);
        ck_assert_msg(pair_run_established(p, 60000), "run %d: no session", run);
        pair_run_for(p, 5000);
        ck_assert_int_eq(slink_conn_get_state(&p->a), SLINK_CONN_ESTABLISHED);
        ck_assert_msg(p->a.session_id == 1 && p->b.session_id == 1,
                      "run %d: sessions a=%u b=%u", run, p->a.session_id, p->b.session_id);
        ck_assert(transfer(p, 2000, 60000));
        del_pair(p);
    }
}
END_TEST

START_TEST(truncated_session_reported_as_such)
{
    pair_opts o = { 0 };
    o.seed = 11;
    o.idle_timeout_ms = 3000;
    pair *p = new_pair(&o);
    ck_assert(pair_run_established(p, 10000));
    ck_assert(transfer(p, 5000, 60000));
    p->cut = 1;   /* the attacker cuts the line: no close_notify will come */
    pair_run_for(p, 10000);
    uint8_t buf[64];
    size_t n;
    slink_err e = slink_conn_recv(&p->b, buf, sizeof buf, &n);
    ck_assert_msg(e == SLINK_ERR_IDLE_TIMEOUT || e == SLINK_ERR_RETRANSMIT_LIMIT,
                  "got %s", slink_err_str(e));
    ck_assert_int_ne(e, SLINK_ERR_CLOSED);
    del_pair(p);
}
END_TEST

START_TEST(authenticated_close_reported_clean)
{
    pair_opts o = { 0 };
    o.seed = 12;
    pair *p = new_pair(&o);
    ck_assert(pair_run_established(p, 10000));
    size_t acc;
    ck_assert_int_eq(slink_conn_send(&p->a, (const uint8_t *)"last words", 10, &acc), SLINK_OK);
    ck_assert_int_eq(slink_conn_close(&p->a, p->now), SLINK_OK);
    pair_run_for(p, 2000);
    uint8_t buf[64];
    size_t n = 0;
    ck_assert_int_eq(slink_conn_recv(&p->b, buf, sizeof buf, &n), SLINK_OK);
    ck_assert_uint_eq(n, 10);
    ck_assert_int_eq(memcmp(buf, "last words", 10), 0);
    ck_assert_int_eq(slink_conn_recv(&p->b, buf, sizeof buf, &n), SLINK_ERR_CLOSED);
    /* b closes its half too: both sessions end cleanly */
    ck_assert_int_eq(slink_conn_close(&p->b, p->now), SLINK_OK);
    pair_run_for(p, 3000);
    ck_assert_int_eq(slink_conn_get_state(&p->a), SLINK_CONN_CLOSED);
    ck_assert_int_eq(p->a.end_reason, SLINK_ERR_CLOSED);
    /* and b too: a ended only after its ACK of b's close_notify went out
     * (it used to end first, so b's close went unacknowledged, drew
     * no_session hints and ended otherwise) */
    ck_assert_int_eq(slink_conn_get_state(&p->b), SLINK_CONN_CLOSED);
    ck_assert_int_eq(p->b.end_reason, SLINK_ERR_CLOSED);
    ck_assert_uint_eq(p->a.stats.plain_alerts + p->b.stats.plain_alerts, 0);
    del_pair(p);
}
END_TEST

START_TEST(initiator_reboot_gives_new_session_and_tells_app)
{
    pair_opts o = { 0 };
    o.seed = 13;
    pair *p = new_pair(&o);
    ck_assert(pair_run_established(p, 10000));
    ck_assert(transfer(p, 3000, 60000));
    (void)pair_count_events(&p->b, SLINK_EV_ENDED, NULL);
    ck_assert_int_eq(pair_reboot(p, 0, 777), SLINK_OK);   /* host reboots */
    ck_assert(pair_run_established(p, 20000));
    pair_run_for(p, 1000);   /* the responder accepts msg3 one flight later */
    slink_err why = SLINK_OK;
    ck_assert_int_eq(pair_count_events(&p->b, SLINK_EV_ENDED, &why), 1);
    ck_assert_int_eq(why, SLINK_ERR_PEER_RESET);
    ck_assert_uint_eq(p->b.session_id, 2);
    ck_assert(transfer(p, 3000, 60000));
    del_pair(p);
}
END_TEST

/* Sends n pattern bytes a->b (stream offset *off) and runs until a has
 * them all acknowledged; b's application does not read. */
static void send_until_acked(pair *p, size_t n, size_t *off)
{
    uint8_t buf[700];
    size_t done = 0;
    uint64_t end = p->now + 30000;
    while (p->now < end && (done < n || !slink_stream_all_acked(&p->a.stream))) {
        if (done < n) {
            size_t want = n - done > sizeof buf ? sizeof buf : n - done, acc = 0;
            for (size_t i = 0; i < want; i++) buf[i] = pat(0, *off + done + i);
            slink_err e = slink_conn_send(&p->a, buf, want, &acc);
            ck_assert(e == SLINK_OK || e == SLINK_ERR_WOULD_BLOCK);
            done += acc;
        }
        ck_assert_int_ge(pair_step(p), 0);
    }
    ck_assert_uint_eq(done, n);
    ck_assert(slink_stream_all_acked(&p->a.stream));
    *off += n;
}

/* Bytes the receiver acknowledged belong to its application even when a
 * new session replaces the one that carried them before it read them: they
 * come first, then the old session's end, then the new session's bytes. */
START_TEST(acknowledged_bytes_survive_session_replacement)
{
    pair_opts o = { 0 };
    o.seed = 31;
    pair *p = new_pair(&o);
    uint8_t buf[5000];
    size_t off = 0, n = 0, got = 0;
    ck_assert(pair_run_established(p, 10000));
    send_until_acked(p, 2500, &off);
    while (got < 2500) {   /* read these, so the unread ones wrap the ring */
        ck_assert_int_eq(slink_conn_recv(&p->b, buf, sizeof buf, &n), SLINK_OK);
        got += n;
    }
    send_until_acked(p, 3000, &off);
    ck_assert_uint_eq(slink_stream_readable(&p->b.stream), 3000);
    ck_assert_int_eq(pair_reboot(p, 0, 4242), SLINK_OK);   /* host reboots */
    ck_assert(pair_run_established(p, 20000));
    pair_run_for(p, 1000);
    ck_assert_uint_eq(p->b.session_id, 2);
    ck_assert_uint_eq(slink_conn_rx_session(&p->b), 1);
    size_t old = 0;
    while (old < 3000) {
        slink_err e = slink_conn_recv(&p->b, buf, 1000, &n);
        ck_assert_int_eq(e, SLINK_OK);
        ck_assert_uint_gt(n, 0);
        for (size_t i = 0; i < n; i++)
            ck_assert_msg(buf[i] == pat(0, 2500 + old + i), "old byte %zu", old + i);
        old += n;
    }
    ck_assert_uint_eq(old, 3000);
    ck_assert_int_eq(slink_conn_recv(&p->b, buf, sizeof buf, &n), SLINK_ERR_PEER_RESET);
    ck_assert_uint_eq(slink_conn_rx_session(&p->b), 2);
    size_t acc = 0;
    ck_assert_int_eq(slink_conn_send(&p->a, (const uint8_t *)"fresh", 5, &acc), SLINK_OK);
    pair_run_for(p, 500);
    ck_assert_int_eq(slink_conn_recv(&p->b, buf, sizeof buf, &n), SLINK_OK);
    ck_assert_uint_eq(n, 5);
    ck_assert(memcmp(buf, "fresh", 5) == 0);
    del_pair(p);
}
END_TEST

/* Reads exactly n bytes of node b's current label and checks them against
 * the host's pattern from offset base. */
static void read_labelled(pair *p, uint32_t label, size_t n, size_t base)
{
    uint8_t buf[1000];
    size_t got = 0, k = 0;
    while (got < n) {
        ck_assert_uint_eq(slink_conn_rx_session(&p->b), label);
        ck_assert_int_eq(slink_conn_recv(&p->b, buf, n - got < sizeof buf ? n - got : sizeof buf, &k), SLINK_OK);
        ck_assert_uint_gt(k, 0);
        for (size_t i = 0; i < k; i++)
            ck_assert_msg(buf[i] == pat(0, base + got + i), "session %u byte %zu", (unsigned)label, got + i);
        got += k;
    }
}

/* Runs until node b holds session `id` and node a is established too. */
static int run_until_session(pair *p, uint32_t id)
{
    uint64_t end = p->now + 30000;
    while (p->now < end) {
        if (p->b.session_id == id && p->b.rec_valid && p->a.rec_valid) return 1;
        if (pair_step(p) < 0) return 0;
    }
    return 0;
}

/* Found by fuzz_live: a second replacement before the application read the
 * first one's carried bytes merged two sessions' bytes under one label and
 * lost the first end.  Each ended session keeps its own bytes and end; with
 * the queue full the current session takes no bytes (window 0) until the
 * application reads, and a replacement then adds only an end. */
START_TEST(two_replacements_keep_each_sessions_bytes_apart)
{
    pair_opts o = { 0 };
    o.seed = 37;
    pair *p = new_pair(&o);
    uint8_t buf[1200];
    size_t off = 0, n = 0, acc = 0;
    ck_assert(pair_run_established(p, 10000));
    send_until_acked(p, 1000, &off);                        /* session 1: 0..999 */
    ck_assert_int_eq(pair_reboot(p, 0, 4243), SLINK_OK);
    ck_assert(run_until_session(p, 2));
    off = 10000;
    send_until_acked(p, 700, &off);                         /* session 2: 10000..10699 */
    ck_assert_int_eq(pair_reboot(p, 0, 4244), SLINK_OK);
    ck_assert(run_until_session(p, 3));
    ck_assert_uint_eq(p->b.carry_count, SLINK_CONN_CARRY_MAX);
    /* Session 3 is held shut: what the host sends is not taken. */
    for (size_t i = 0; i < 300; i++) buf[i] = pat(0, 20000 + i);
    ck_assert_int_eq(slink_conn_send(&p->a, buf, 300, &acc), SLINK_OK);
    pair_run_for(p, 3000);
    ck_assert_uint_eq(slink_stream_readable(&p->b.stream), 1700);
    ck_assert(p->b.rec_valid);
    ck_assert_uint_eq(p->b.session_id, 3);
    /* A third replacement while held adds no bytes to any label. */
    ck_assert_int_eq(pair_reboot(p, 0, 4245), SLINK_OK);
    ck_assert(run_until_session(p, 4));
    ck_assert_uint_eq(slink_stream_readable(&p->b.stream), 1700);

    read_labelled(p, 1, 1000, 0);
    ck_assert_int_eq(slink_conn_recv(&p->b, buf, sizeof buf, &n), SLINK_ERR_PEER_RESET);
    read_labelled(p, 2, 700, 10000);
    ck_assert_int_eq(slink_conn_recv(&p->b, buf, sizeof buf, &n), SLINK_ERR_PEER_RESET);
    ck_assert_uint_eq(slink_conn_rx_session(&p->b), 4);
    ck_assert_int_eq(slink_conn_recv(&p->b, buf, sizeof buf, &n), SLINK_ERR_AGAIN);
    /* Read, the window opens again and the current session's bytes flow. */
    ck_assert_int_eq(slink_conn_send(&p->a, (const uint8_t *)"fresh", 5, &acc), SLINK_OK);
    pair_run_for(p, 1000);
    ck_assert_int_eq(slink_conn_recv(&p->b, buf, sizeof buf, &n), SLINK_OK);
    ck_assert_uint_eq(n, 5);
    ck_assert(memcmp(buf, "fresh", 5) == 0);
    del_pair(p);
}
END_TEST

START_TEST(responder_reboot_recovered_by_no_session_hint)
{
    pair_opts o = { 0 };
    o.seed = 14;
    pair *p = new_pair(&o);
    ck_assert(pair_run_established(p, 10000));
    ck_assert_int_eq(pair_reboot(p, 1, 999), SLINK_OK);   /* device reboots, waits as responder */
    size_t acc;
    ck_assert_int_eq(slink_conn_send(&p->a, (const uint8_t *)"ping", 4, &acc), SLINK_OK);
    pair_run_for(p, 5000);
    ck_assert(pair_run_established(p, 20000));
    slink_err why = SLINK_OK;
    ck_assert_int_eq(pair_count_events(&p->a, SLINK_EV_ENDED, &why), 1);
    ck_assert_int_eq(why, SLINK_ERR_PEER_RESET);
    ck_assert_uint_eq(p->a.session_id, 2);
    del_pair(p);
}
END_TEST

/* Builds a handshake message 1 frame as an attacker would, from address
 * `src` to `dst`, with a random-looking key. */
static size_t forged_msg1(uint8_t *out, size_t cap, uint8_t src, uint8_t dst, uint64_t *rng)
{
    uint8_t m[SLINK_HS1_LEN];
    size_t n = 0;
    m[0] = SLINK_VERSION_SUITE;
    m[1] = 0;
    m[2] = 64;
    for (size_t i = 3; i < sizeof m; i++) m[i] = (uint8_t)test_rand(rng);
    ck_assert_int_eq(slink_frame_encode(dst, src, SLINK_FT_HS1, m, sizeof m, out, cap, &n), SLINK_OK);
    return n;
}

START_TEST(first_data_after_handshake_needs_no_retransmission)
{
    /* Issue 15: the initiator's first record of a new session went out
     * before msg3 (the handshake/session alternation), reached a responder
     * that had no session yet, and was dropped; it arrived only when the
     * stream retransmitted it, an RTO later (6 s at 9600).  msg3 now goes
     * first: the data arrives in one pass, nothing dropped or resent. */
    for (int baud_i = 0; baud_i < 2; baud_i++) {
        pair_opts o = { 0 };
        o.seed = 77 + (uint64_t)baud_i;
        o.baud = baud_i ? 9600 : 115200;
        o.line.baud = o.baud;
        pair *p = new_pair(&o);
        uint64_t t0 = p->now;
        /* write as soon as the initiator holds keys, before msg3 is out */
        while (slink_conn_get_state(&p->a) != SLINK_CONN_ESTABLISHED)
            ck_assert_int_ge(pair_step(p), 0);
        size_t acc = 0;
        ck_assert_int_eq(slink_conn_send(&p->a, (const uint8_t *)"READ REG 42\n", 12, &acc), SLINK_OK);
        ck_assert_uint_eq(acc, 12);
        uint8_t buf[64];
        size_t got = 0, m = 0;
        while (got < 12 && p->now < t0 + 30000) {
            ck_assert_int_ge(pair_step(p), 0);
            if (slink_conn_recv(&p->b, buf + got, sizeof buf - got, &m) == SLINK_OK) got += m;
        }
        ck_assert_uint_eq(got, 12);
        ck_assert_int_eq(memcmp(buf, "READ REG 42\n", 12), 0);
        fprintf(stderr, "first data at %u baud: delivered %llu ms after start, records dropped %u, "
                "retransmits %u\n", (unsigned)o.baud, (unsigned long long)(p->now - t0),
                p->b.stats.records_dropped, p->a.stream.stats.retransmits);
        ck_assert_uint_eq(p->b.stats.records_dropped, 0);
        ck_assert_uint_eq(p->a.stream.stats.retransmits, 0);
        ck_assert_uint_eq(p->a.stats.plain_alerts, 0);     /* no no_session hint */
        del_pair(p);
    }
}
END_TEST

START_TEST(flood_of_first_messages_while_established)
{
    pair_opts o = { 0 };
    o.seed = 15;
    pair *p = new_pair(&o);
    ck_assert(pair_run_established(p, 10000));
    uint64_t rng = 42;
    uint8_t fr[128];
    size_t sent[2] = { 0, 0 }, got = 0;
    uint8_t buf[1024];
    /* 2000 forged first messages spread over ~20 s, while a streams to b */
    for (int k = 0; k < 2000; k++) {
        size_t n = forged_msg1(fr, sizeof fr, 1, 7, &rng);
        ck_assert_int_ge(slink_conn_input(&p->b, fr, n, p->now), 0);
        size_t acc = 0;
        for (size_t i = 0; i < 200; i++) buf[i] = pat(99, sent[0] + i);
        if (slink_conn_send(&p->a, buf, 200, &acc) == SLINK_OK) sent[0] += acc;
        for (int s = 0; s < 3; s++) ck_assert_int_ge(pair_step(p), 0);
        size_t m;
        while (slink_conn_recv(&p->b, buf, sizeof buf, &m) == SLINK_OK && m > 0) {
            for (size_t i = 0; i < m; i++)
                T_REQUIRE(buf[i] == pat(99, got + i), "byte %zu corrupted or out of order", got + i);
            got += m;
        }
        p->now += 10;
    }
    fprintf(stderr, "flood: %u first messages rate-limited, %u processed; %zu stream bytes delivered meanwhile\n",
            p->b.stats.hs_rate_limited, p->b.stats.hs_started, got);
    ck_assert_uint_eq(p->b.session_id, 1);            /* the session survived */
    ck_assert_int_eq(slink_conn_get_state(&p->b), SLINK_CONN_ESTABLISHED);
    ck_assert_uint_ge(p->b.stats.hs_rate_limited, 1900);
    ck_assert_uint_le(p->b.stats.hs_started, 40);      /* ~1 per second of flood */
    ck_assert_uint_gt(got, 100000);
    (void)sent[1];
    del_pair(p);
}
END_TEST

START_TEST(replayed_handshake_from_earlier_session_leads_nowhere)
{
    /* Record everything the host sent in session 1, then replay it to the
     * device after a new session is up: no third session, no failure of
     * the current one. */
    pair_opts o = { 0 };
    o.seed = 16;
    pair *p = new_pair(&o);
    static uint8_t rec[8192];
    size_t rec_len = 0;
    uint8_t buf[8192];
    /* drive manually to capture a->b bytes */
    for (int i = 0; i < 200 && !(p->a.state == SLINK_CONN_ESTABLISHED && p->b.state == SLINK_CONN_ESTABLISHED); i++) {
        size_t n = slink_conn_output(&p->a, buf, sizeof buf, p->now);
        if (n && rec_len + n <= sizeof rec) { memcpy(rec + rec_len, buf, n); rec_len += n; }
        if (n) simline_send(&p->line, 0, buf, n, p->now);
        n = slink_conn_output(&p->b, buf, sizeof buf, p->now);
        if (n) simline_send(&p->line, 1, buf, n, p->now);
        int dir;
        while (simline_pop(&p->line, p->now, &dir, buf, sizeof buf, &n))
            slink_conn_input(dir == 0 ? &p->b : &p->a, buf, n, p->now);
        p->now += 5;
    }
    ck_assert_int_eq(p->b.state, SLINK_CONN_ESTABLISHED);
    ck_assert_uint_gt(rec_len, 100);
    ck_assert_int_eq(pair_reboot(p, 0, 4242), SLINK_OK);
    ck_assert(pair_run_established(p, 20000));
    pair_run_for(p, 1000);
    ck_assert_uint_eq(p->b.session_id, 2);
    p->now += 5000;   /* past the rate limit */
    ck_assert_int_ge(slink_conn_input(&p->b, rec, rec_len, p->now), 0);
    pair_run_for(p, 30000);
    ck_assert_uint_eq(p->b.session_id, 2);
    ck_assert_int_eq(slink_conn_get_state(&p->b), SLINK_CONN_ESTABLISHED);
    ck_assert(transfer(p, 2000, 60000));
    del_pair(p);
}
END_TEST

START_TEST(reflected_record_fails_authentication)
{
    pair_opts o = { 0 };
    o.seed = 17;
    pair *p = new_pair(&o);
    ck_assert(pair_run_established(p, 10000));
    size_t acc;
    ck_assert_int_eq(slink_conn_send(&p->a, (const uint8_t *)"secret", 6, &acc), SLINK_OK);
    uint8_t type, body[SLINK_MAX_FRAME_BODY];
    size_t blen;
    ck_assert_int_eq(slink_conn_next_frame(&p->a, p->now, &type, body, sizeof body, &blen), SLINK_OK);
    ck_assert(type & SLINK_FT_RECORD_BIT);
    /* the attacker sends a's own record back to a, re-addressed */
    slink_frame f = { .dst = 1, .src = 7, .type = type, .body = body, .body_len = blen };
    uint32_t before = p->a.rec.stats.auth_fail;
    ck_assert_int_eq(slink_conn_handle_frame(&p->a, &f, p->now), SLINK_ERR_REC_AUTH);
    ck_assert_uint_eq(p->a.rec.stats.auth_fail, before + 1);
    del_pair(p);
}
END_TEST

START_TEST(key_updates_during_stream)
{
    pair_opts o = { 0 };
    o.seed = 18;
    o.limits.rekey_records = 20;   /* sequence exhaustion forces frequent rekeys */
    o.line.loss = 0.02;
    o.line.seed = 18;
    pair *p = new_pair(&o);
    ck_assert(pair_run_established(p, 10000));
    ck_assert(transfer(p, 80000, 600000));
    ck_assert_uint_gt(p->a.rec.stats.key_updates_tx, 3);
    ck_assert_uint_gt(p->b.rec.stats.key_updates_rx, 3);
    ck_assert_uint_gt(p->a.rec.tx.epoch, SLINK_EPOCH_APP + 3);
    del_pair(p);
}
END_TEST

/* After a key update the receiver keeps the previous epoch's keys for the
 * grace period only, even when the line goes silent right after the first
 * record of the new epoch: the connection's timer destroys them. */
START_TEST(previous_epoch_keys_wiped_when_grace_ends)
{
    size_t acc = 0;
    uint8_t data[10] = { 1, 2, 3 };
    pair_opts o = { 0 };
    o.seed = 34;
    o.limits.grace_ms = 300;
    pair *p = new_pair(&o);
    ck_assert(pair_run_established(p, 10000));
    ck_assert_int_eq(slink_conn_key_update(&p->a), SLINK_OK);
    ck_assert_int_eq(slink_conn_send(&p->a, data, sizeof data, &acc), SLINK_OK);
    for (int i = 0; i < 1000 && p->b.rec.stats.key_updates_rx == 0; i++)
        ck_assert_int_ne(pair_step(p), -1);
    ck_assert_uint_eq(p->b.rec.stats.key_updates_rx, 1);
    ck_assert_uint_eq(p->b.rec.rx_prev_valid, 1);
    uint64_t expire = p->b.rec.rx_prev_expire_ms;
    /* nothing reaches b any more: only its timer can end the grace period */
    p->cut = 1;
    ck_assert_uint_le(slink_conn_next_timeout(&p->b, p->now), expire);
    pair_run_for(p, 400);
    ck_assert_uint_ge(p->now, expire);
    ck_assert_uint_eq(p->b.rec.rx_prev_valid, 0);
    {
        static const uint8_t zero[32];
        ck_assert_mem_eq(SLINK_REC_RX_PREV(&p->b.rec).secret, zero, sizeof zero);
    }
    del_pair(p);
}
END_TEST

START_TEST(small_mtu_fragments_handshake)
{
    pair_opts o = { 0 };
    o.seed = 19;
    o.mtu_a = 64;
    o.mtu_b = 96;
    o.line.loss = 0.05;
    o.line.seed = 19;
    pair *p = new_pair(&o);
    ck_assert(pair_run_established(p, 60000));
    ck_assert(transfer(p, 20000, 600000));
    del_pair(p);
}
END_TEST

START_TEST(constant_rng_refused)
{
    pair_opts o = { 0 };
    o.seed = 20;
    pair *p = calloc(1, sizeof *p);
    ck_assert_int_eq(pair_init(p, &o), SLINK_OK);
    slink_conn_cfg cfg = p->a.cfg;
    p->xa.constant = 1;
    slink_conn_wipe(&p->a);
    ck_assert_int_eq(slink_conn_init(&p->a, &cfg, &p->pa, 0), SLINK_ERR_RNG);
    pair_free(p);
    free(p);
}
END_TEST

START_TEST(bad_config_rejected)
{
    pair_opts o = { 0 };
    o.seed = 21;
    pair *p = new_pair(&o);
    slink_conn_cfg cfg = p->a.cfg;
    slink_conn c2;
    cfg.peer_addr = 1;   /* same as local */
    ck_assert_int_eq(slink_conn_init(&c2, &cfg, &p->pa, 0), SLINK_ERR_CONFIG);
    cfg = p->a.cfg;
    cfg.peer_addr = 0xFF;
    ck_assert_int_eq(slink_conn_init(&c2, &cfg, &p->pa, 0), SLINK_ERR_CONFIG);
    cfg = p->a.cfg;
    cfg.policy.name = NULL;
    ck_assert_int_eq(slink_conn_init(&c2, &cfg, &p->pa, 0), SLINK_ERR_CONFIG);
    cfg = p->a.cfg;
    cfg.mtu = 32;
    ck_assert_int_eq(slink_conn_init(&c2, &cfg, &p->pa, 0), SLINK_ERR_CONFIG);
    del_pair(p);
}
END_TEST

/* ---- transmit pacing ----------------------------------------------------- */

/* Both ends' output onto the line, then everything the line has delivered
 * by now into the receivers. */
static void move_bytes(pair *p)
{
    static uint8_t buf[65536];
    size_t n;
    int dir;
    n = slink_conn_output(&p->a, buf, sizeof buf, p->now);
    if (n) simline_send(&p->line, 0, buf, n, p->now);
    n = slink_conn_output(&p->b, buf, sizeof buf, p->now);
    if (n) simline_send(&p->line, 1, buf, n, p->now);
    while (simline_pop(&p->line, p->now, &dir, buf, sizeof buf, &n))
        (void)slink_conn_input(dir == 0 ? &p->b : &p->a, buf, n, p->now);
}

/* Runs both ends event by event up to time t, never past it.  An end whose
 * next_timeout() keeps saying "now" while nothing happens is spinning. */
static void run_until(pair *p, uint64_t t)
{
    int spins = 0;
    for (;;) {
        uint64_t next, nb;
        move_bytes(p);
        next = slink_conn_next_timeout(&p->a, p->now);
        nb = slink_conn_next_timeout(&p->b, p->now);
        if (nb < next) next = nb;
        if (simline_next(&p->line) < next) next = simline_next(&p->line);
        if (next <= p->now) {
            ck_assert_int_lt(++spins, 100);
            continue;
        }
        spins = 0;
        if (next >= t) {
            p->now = t;
            move_bytes(p);
            return;
        }
        p->now = next;
    }
}

/* Conns and simulated line at `baud`; tx_pacing needs no normalising, so it
 * is set on the initialised conns. */
static pair *paced_pair_w(uint64_t seed, uint32_t baud, uint8_t pace_a, uint8_t pace_b, uint8_t window)
{
    pair_opts o = { 0 };
    o.seed = seed;
    o.baud = baud;
    o.line.baud = baud;
    o.line.seed = seed;
    pair *p = new_pair(&o);
    p->a.cfg.tx_pacing = pace_a;
    p->b.cfg.tx_pacing = pace_b;
    if (window != 0) p->a.cfg.stream_window = p->b.cfg.stream_window = window;
    ck_assert(pair_run_established(p, 60000));
    run_until(p, p->now + 3000);   /* key confirmation and ACKs are over */
    return p;
}

static pair *paced_pair(uint64_t seed, uint32_t baud, uint8_t pace_a, uint8_t pace_b)
{
    return paced_pair_w(seed, baud, pace_a, pace_b, 0);
}

/* Appends what c has to read to *got, checking the pattern of stream s. */
static void read_checked(slink_conn *c, uint64_t s, size_t *got)
{
    uint8_t buf[2048];
    size_t n = 0;
    while (slink_conn_recv(c, buf, sizeof buf, &n) == SLINK_OK && n > 0) {
        for (size_t i = 0; i < n; i++)
            T_REQUIRE(buf[i] == pat(s, *got + i), "byte %zu corrupted or out of order", *got + i);
        *got += n;
    }
}

static void send_pat(slink_conn *c, uint64_t s, size_t off, size_t n)
{
    uint8_t buf[4096];
    size_t acc = 0;
    ck_assert_uint_le(n, sizeof buf);
    for (size_t i = 0; i < n; i++) buf[i] = pat(s, off + i);
    ck_assert_int_eq(slink_conn_send(c, buf, n, &acc), SLINK_OK);
    ck_assert_uint_eq(acc, n);
}

/* Runs until b has `want` bytes of stream s and a has nothing unacked. */
static void deliver_all(pair *p, uint64_t s, size_t *got, size_t want)
{
    uint64_t end = p->now + 30000;
    while (p->now < end && (*got < want || !slink_stream_all_acked(&p->a.stream))) {
        run_until(p, p->now + 20);
        read_checked(&p->b, s, got);
    }
    ck_assert_uint_eq(*got, want);
    ck_assert(slink_stream_all_acked(&p->a.stream));
}

/* The line model (tx_line_free_ms) adds up the airtime of everything
 * handed out at the configured baud, so on a faster transport (a pty) it
 * runs ahead of the real line by the whole backlog, and a port loss leaves
 * it there.  A new session after a noisy handshake starts lossy, and its
 * queue hold (§3.6) must not wait for that fictional drain: faults-ci saw
 * the replacing session move no bytes in one direction (b->a). */
/* A session after a handshake that met noise starts with 64-byte chunks
 * (conn_session.c CHUNK_START_NOISY): the first window is written before
 * any loss is measured, and at BER 1e-3 a chunk of 128 (a 152-byte frame,
 * 70 % lost) could take a dozen tries, each on a backed-off RTO. */
START_TEST(noisy_handshake_starts_with_small_chunks)
{
    pair_opts o = { 0 };
    o.seed = 58;
    o.line.seed = 58;
    pair *p = new_pair(&o);
    /* a torn frame before the handshake: noise the device counts */
    ck_assert_int_eq(slink_conn_input(&p->b, (const uint8_t *)"\x05\x11\x22\x00", 4, p->now), SLINK_OK);
    ck_assert(pair_run_established(p, 60000));
    ck_assert_uint_eq(p->b.stream.tx_size, 64);
    del_pair(p);
}
END_TEST

START_TEST(new_lossy_session_not_held_by_a_line_model_run_ahead)
{
    pair_opts o = { 0 };
    size_t got = 0, off;
    uint64_t t0;
    o.seed = 57;
    o.baud = 9600;        /* the conns' model: 960 bytes/s */
    o.line.baud = 0;      /* the transport: instantaneous */
    o.line.seed = 57;
    pair *p = new_pair(&o);
    ck_assert(pair_run_established(p, 60000));
    run_until(p, p->now + 3000);
    for (off = 0; off < 24000; off += 4000) {   /* 25 s of the model's line */
        send_pat(&p->b, 1, off, 4000);
        t0 = p->now;
        while (p->now < t0 + 30000 && got < off + 4000) {
            run_until(p, p->now + 20);
            read_checked(&p->a, 1, &got);
        }
        ck_assert_uint_eq(got, off + 4000);
    }
    ck_assert_uint_gt(p->b.tx_line_free_ms, p->now + 15000);
    /* the port goes (a torn frame: noise the device counts) and the host
     * restarts: a new session replaces the device's old one */
    ck_assert_int_eq(slink_conn_input(&p->b, (const uint8_t *)"\x05\x11\x22\x00", 4, p->now), SLINK_OK);
    ck_assert_int_eq(pair_reboot(p, 0, 4243), SLINK_OK);
    t0 = p->now;
    while (p->now < t0 + 30000 && !(p->b.session_id == 2 && p->a.rec_valid && p->b.rec_valid))
        run_until(p, p->now + 20);
    ck_assert_uint_eq(p->b.session_id, 2);
    ck_assert(p->a.rec_valid);
    /* the new session starts lossy (small chunks after a noisy handshake) */
    ck_assert_uint_lt(p->b.stream.tx_size, p->b.stream.chunk_max);
    /* its first bytes go within a few frames' airtime, not after the run-ahead */
    send_pat(&p->b, 2, 0, 600);
    got = 0;
    t0 = p->now;
    while (p->now < t0 + 5000 && got < 600) {
        run_until(p, p->now + 20);
        read_checked(&p->a, 2, &got);
    }
    ck_assert_uint_eq(got, 600);
    del_pair(p);
}
END_TEST

/* _i = 0: pacing off, every write leaves at once in its own record;
 * _i = 1: writes made while the line is busy share one record, released
 * when next_timeout() said, SLACK before the line runs dry. */
START_TEST(pacing_coalesces_writes_while_line_busy)
{
    int on = _i;
    pair *p = paced_pair(30, 9600, (uint8_t)on, 0);
    uint8_t buf[SLINK_WIRE_FRAME_MAX * 2];
    uint32_t c0 = p->a.stream.stats.chunks_sent, r0 = p->a.stats.records_out;
    uint64_t t0 = p->now, hold;
    size_t n0, n, got = 0;

    send_pat(&p->a, 31, 0, 100);
    n0 = slink_conn_output(&p->a, buf, sizeof buf, p->now);   /* idle line: at once */
    ck_assert_uint_gt(n0, 100);
    simline_send(&p->line, 0, buf, n0, p->now);
    for (int k = 1; k < 4; k++) {
        p->now += 10;
        send_pat(&p->a, 31, 100u * (size_t)k, 100);
        n = slink_conn_output(&p->a, buf, sizeof buf, p->now);
        if (on) {
            ck_assert_uint_eq(n, 0);
        } else {
            ck_assert_uint_gt(n, 100);
            simline_send(&p->line, 0, buf, n, p->now);
        }
    }
    if (on) {
        /* 10 bit times per byte at 9600 baud from t0, less the slack. */
        hold = t0 + (uint64_t)n0 * 10000u / 9600u - SLINK_TX_PACING_SLACK_MS;
        ck_assert_uint_eq(slink_conn_next_timeout(&p->a, p->now), hold);
        p->now = hold - 1;
        ck_assert_uint_eq(slink_conn_output(&p->a, buf, sizeof buf, p->now), 0);
        ck_assert_uint_eq(slink_conn_next_timeout(&p->a, p->now), hold);
        p->now = hold;
        n = slink_conn_output(&p->a, buf, sizeof buf, p->now);
        ck_assert_uint_ge(n, 300 + 24);                        /* three messages, one record */
        ck_assert_uint_eq(p->a.stream.stats.chunks_sent, c0 + 2);
        ck_assert_uint_eq(p->a.stats.records_out, r0 + 2);
        simline_send(&p->line, 0, buf, n, p->now);
    } else {
        ck_assert_uint_eq(p->a.stream.stats.chunks_sent, c0 + 4);
        ck_assert_uint_eq(p->a.stats.records_out, r0 + 4);
    }
    deliver_all(p, 31, &got, 400);
    ck_assert_uint_eq(p->a.stream.stats.chunks_sent, c0 + (on ? 2u : 4u));
    ck_assert_uint_eq(p->a.stream.stats.retransmits, 0);
    del_pair(p);
}
END_TEST

/* While a chunk is held, ACKs and datagrams still go at once (and make the
 * line busier, so the release moves later). */
START_TEST(pacing_never_holds_acks_or_datagrams)
{
    pair *p = paced_pair(32, 9600, 1, 1);
    uint8_t buf[SLINK_WIRE_FRAME_MAX * 2], dg[SLINK_DGRAM_MAX];
    uint32_t c0 = p->a.stream.stats.chunks_sent, r0 = p->a.stats.records_out;
    uint64_t t0 = p->now, hold0, hold1, hold2;
    size_t n, got = 0, got_a = 0, dl = 0;

    send_pat(&p->a, 33, 0, 1000);          /* ~1 s of line at 9600 baud */
    n = slink_conn_output(&p->a, buf, sizeof buf, p->now);
    ck_assert_uint_gt(n, 1000);
    simline_send(&p->line, 0, buf, n, p->now);
    send_pat(&p->a, 33, 1000, 100);
    ck_assert_uint_eq(slink_conn_output(&p->a, buf, sizeof buf, p->now), 0);
    hold0 = slink_conn_next_timeout(&p->a, p->now);
    ck_assert_uint_gt(hold0, t0 + 900);

    send_pat(&p->b, 34, 0, 100);           /* b's line is idle: goes now */
    n = slink_conn_output(&p->b, buf, sizeof buf, p->now);
    ck_assert_uint_gt(n, 100);
    simline_send(&p->line, 1, buf, n, p->now);

    memset(dg, 0x5A, 50);
    ck_assert_int_eq(slink_conn_send_dgram(&p->a, dg, 50), SLINK_OK);
    n = slink_conn_output(&p->a, buf, sizeof buf, p->now);
    ck_assert_uint_gt(n, 50);                                  /* the datagram, not held */
    ck_assert_uint_eq(p->a.stats.records_out, r0 + 2);
    ck_assert_uint_eq(p->a.stream.stats.chunks_sent, c0 + 1);
    simline_send(&p->line, 0, buf, n, p->now);
    hold1 = slink_conn_next_timeout(&p->a, p->now);
    ck_assert_uint_ge(hold1, hold0 + (uint64_t)n * 10000u / 9600u);

    /* b's chunk reaches a after ~130 ms; a owes an ACK soon after. */
    run_until(p, t0 + 500);
    read_checked(&p->a, 34, &got_a);
    ck_assert_uint_eq(got_a, 100);
    ck_assert_uint_eq(p->a.stats.records_out, r0 + 3);         /* + the ACK */
    ck_assert_uint_eq(p->a.stream.stats.chunks_sent, c0 + 1);  /* data still held */
    hold2 = slink_conn_next_timeout(&p->a, p->now);
    ck_assert_uint_gt(hold2, hold1);
    ck_assert_uint_lt(hold2, t0 + 2000);

    deliver_all(p, 33, &got, 1100);
    ck_assert_uint_eq(p->a.stream.stats.chunks_sent, c0 + 2);
    ck_assert_int_eq(slink_conn_recv_dgram(&p->b, dg, sizeof dg, &dl), SLINK_OK);
    ck_assert_uint_eq(dl, 50);
    del_pair(p);
}
END_TEST

/* A full chunk cannot grow: pacing sends it however busy the line is. */
START_TEST(pacing_sends_full_chunks_at_once)
{
    pair *p = paced_pair(35, 115200, 1, 0);
    uint8_t buf[8 * SLINK_WIRE_FRAME_MAX];
    size_t cm = p->a.stream.chunk_max, got = 0, n;
    uint32_t c0 = p->a.stream.stats.chunks_sent;

    send_pat(&p->a, 36, 0, 3 * cm + 100);
    n = slink_conn_output(&p->a, buf, sizeof buf, p->now);
    ck_assert_uint_gt(n, 3 * cm);
    ck_assert_uint_eq(p->a.stream.stats.chunks_sent, c0 + 3);  /* the 100-byte tail waits */
    ck_assert_uint_gt(slink_conn_next_timeout(&p->a, p->now), p->now);
    simline_send(&p->line, 0, buf, n, p->now);
    deliver_all(p, 36, &got, 3 * cm + 100);
    ck_assert_uint_eq(p->a.stream.stats.chunks_sent, c0 + 4);
    del_pair(p);
}
END_TEST

/* An application writing 100-byte messages faster than 115200 baud carries
 * them: with pacing, fewer and larger records, and the bytes arrive sooner. */
START_TEST(pacing_small_writes_fewer_records_sooner)
{
    const size_t total = 20000;
    uint32_t chunks[2], retx[2];
    uint64_t took[2];
    for (int on = 0; on < 2; on++) {
        /* a window of 8, as the comparison was worked for: with 16 the
         * unpaced sender's window fills within its first writes too, and
         * later writes join its waiting chunks as they would with pacing */
        pair *p = paced_pair_w(37, 115200, (uint8_t)on, 0, 8);
        uint32_t c0 = p->a.stream.stats.chunks_sent;
        uint64_t t0 = p->now;
        size_t sent = 0, got = 0;
        uint8_t msg[100];
        while (got < total) {
            ck_assert_uint_lt(p->now, t0 + 60000);
            if (sent < total) {
                size_t acc = 0;
                for (size_t i = 0; i < sizeof msg; i++) msg[i] = pat(38, sent + i);
                slink_err e = slink_conn_send(&p->a, msg, sizeof msg, &acc);
                ck_assert(e == SLINK_OK || e == SLINK_ERR_WOULD_BLOCK);
                sent += acc;
            }
            run_until(p, p->now + 1);
            read_checked(&p->b, 38, &got);
        }
        chunks[on] = p->a.stream.stats.chunks_sent - c0;
        took[on] = p->now - t0;
        retx[on] = p->a.stream.stats.retransmits;
        del_pair(p);
    }
    fprintf(stderr, "20000 bytes as 100-byte writes at 115200 baud: pacing off %u records "
            "(%u retransmitted) in %llu ms, on %u records (%u) in %llu ms\n",
            (unsigned)chunks[0], (unsigned)retx[0], (unsigned long long)took[0],
            (unsigned)chunks[1], (unsigned)retx[1], (unsigned long long)took[1]);
    ck_assert_uint_le(chunks[1] * 4u, chunks[0]);
    ck_assert_uint_lt(took[1], took[0]);
}
END_TEST

/* Both ends paced over a lossy, reordering line: every byte, in order. */
START_TEST(pacing_lossy_line_exactly_once_in_order)
{
    pair_opts o = { 0 };
    o.seed = 39;
    o.line.seed = 39;
    o.line.loss = 0.05;
    o.line.dup = 0.02;
    o.line.corrupt = 0.02;
    o.line.jitter_ms = 3;
    o.line.baud = 115200;
    pair *p = new_pair(&o);
    p->a.cfg.tx_pacing = 1;
    p->b.cfg.tx_pacing = 1;
    ck_assert(pair_run_established(p, 120000));
    ck_assert(transfer(p, 60000, 3600000));
    ck_assert_uint_gt(p->a.stream.stats.retransmits + p->b.stream.stats.retransmits, 0);
    ck_assert_uint_eq(p->a.session_id, 1);
    del_pair(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("conn");
    TCase *tc = tcase_create("pair");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, handshake_full_certificates);
    tcase_add_test(tc, precomputed_ephemeral_key_used_once);
    tcase_add_test(tc, handshake_by_reference);
    tcase_add_test(tc, second_handshake_uses_reference);
    tcase_add_test(tc, revoked_cached_peer_is_refused_and_forgotten);
    tcase_add_test(tc, stale_cached_certificate_recovers);
    tcase_add_test(tc, pin_refuses_other_valid_certificate);
    tcase_add_test(tc, no_data_before_session);
    tcase_add_test(tc, acknowledged_bytes_survive_session_replacement);
    tcase_add_test(tc, two_replacements_keep_each_sessions_bytes_apart);
    tcase_add_test(tc, stream_clean_line);
    tcase_add_loop_test(tc, stream_lossy_line_exactly_once_in_order, 0, 3);
    tcase_add_test(tc, stream_heavy_loss);
    tcase_add_test(tc, datagrams_intact_or_not_at_all);
    tcase_add_test(tc, valid_cert_for_another_device_rejected);
    tcase_add_test(tc, certificate_from_another_ca_rejected);
    tcase_add_test(tc, host_with_wrong_name_refused_by_device);
    tcase_add_test(tc, simultaneous_open_one_session);
    tcase_add_test(tc, first_data_after_handshake_needs_no_retransmission);
    tcase_add_test(tc, truncated_session_reported_as_such);
    tcase_add_test(tc, authenticated_close_reported_clean);
    tcase_add_test(tc, initiator_reboot_gives_new_session_and_tells_app);
    tcase_add_test(tc, responder_reboot_recovered_by_no_session_hint);
    tcase_add_test(tc, flood_of_first_messages_while_established);
    tcase_add_test(tc, replayed_handshake_from_earlier_session_leads_nowhere);
    tcase_add_test(tc, reflected_record_fails_authentication);
    tcase_add_test(tc, key_updates_during_stream);
    tcase_add_test(tc, previous_epoch_keys_wiped_when_grace_ends);
    tcase_add_test(tc, small_mtu_fragments_handshake);
    tcase_add_test(tc, constant_rng_refused);
    tcase_add_test(tc, bad_config_rejected);
    suite_add_tcase(s, tc);
    TCase *tp = tcase_create("pacing");
    tcase_set_timeout(tp, 120);
    tcase_add_loop_test(tp, pacing_coalesces_writes_while_line_busy, 0, 2);
    tcase_add_test(tp, pacing_never_holds_acks_or_datagrams);
    tcase_add_test(tp, pacing_sends_full_chunks_at_once);
    tcase_add_test(tp, pacing_small_writes_fewer_records_sooner);
    tcase_add_test(tp, pacing_lossy_line_exactly_once_in_order);
    tcase_add_test(tp, new_lossy_session_not_held_by_a_line_model_run_ahead);
    tcase_add_test(tp, noisy_handshake_starts_with_small_chunks);
    suite_add_tcase(s, tp);
    return run_suite(s);
}
