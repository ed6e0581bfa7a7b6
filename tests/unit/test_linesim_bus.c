/* Unit tests of slink-linesim's shared bus medium (tools/linesim/bus_model.c). */
#include "testutil.h"
#include "bus_model.h"

#include <stdlib.h>
#include <string.h>

static lbus_params params(size_t n, uint32_t baud)
{
    lbus_params p;
    lbus_params_default(&p, n, baud);
    return p;
}

/* Drains every receiver (and the tap) up to `now`. */
static void drain_all(lbus_model *m, uint64_t now, uint8_t out[][4096], size_t *got)
{
    for (size_t r = 0; r <= m->p.n; r++) {
        if (r == m->p.n && !m->tap) continue;
        got[r] += lbus_pop(m, r, now, out[r] + got[r], 4096 - got[r]);
    }
}

static uint8_t g_out[LBUS_MAX_NODES + 1][4096];

START_TEST(every_other_node_hears_a_byte_at_line_speed)
{
    lbus_params p = params(4, 9600);
    lbus_model m;
    size_t got[5] = { 0 };
    ck_assert_int_eq(lbus_init(&m, &p, 1), 0);
    ck_assert_uint_eq(m.byte_ns, 1041667u);
    uint8_t msg[50];
    for (size_t i = 0; i < sizeof msg; i++) msg[i] = (uint8_t)(i * 7u + 1u);
    lbus_push(&m, 2, msg, sizeof msg, 0);
    /* Nothing before the first byte has left the line. */
    drain_all(&m, m.byte_ns - 1, g_out, got);
    for (size_t r = 0; r < 5; r++) ck_assert_uint_eq(got[r], 0);
    ck_assert_uint_eq(lbus_next_arrival(&m, 0), m.byte_ns);
    drain_all(&m, 50 * m.byte_ns, g_out, got);
    for (size_t r = 0; r < 5; r++) {
        if (r == 2) {
            ck_assert_uint_eq(got[r], 0);  /* a node never hears itself */
            continue;
        }
        ck_assert_uint_eq(got[r], sizeof msg);
        ck_assert_mem_eq(g_out[r], msg, sizeof msg);
    }
    ck_assert_uint_eq(m.nd[2].st.bytes_tx, 50);
    ck_assert_uint_eq(m.nd[0].st.bytes_rx, 50);
    ck_assert_uint_eq(m.collisions, 0);
    /* Everyone took everything: the sender's queue is empty again. */
    ck_assert_uint_eq(m.nd[2].len, 0);
    lbus_free(&m);
}
END_TEST

START_TEST(one_sender_is_paced_by_its_own_line)
{
    lbus_params p = params(3, 115200);
    lbus_model m;
    ck_assert_int_eq(lbus_init(&m, &p, 0), 0);
    uint8_t b[200];
    memset(b, 0x41, sizeof b);
    lbus_push(&m, 0, b, 100, 0);
    lbus_push(&m, 0, b, 100, 0);   /* queued behind the first 100 */
    uint8_t out[400];
    ck_assert_uint_eq(lbus_pop(&m, 1, 150 * m.byte_ns, out, sizeof out), 150);
    ck_assert_uint_eq(lbus_pop(&m, 1, 200 * m.byte_ns, out, sizeof out), 50);
    ck_assert_uint_eq(lbus_pop(&m, 2, 200 * m.byte_ns, out, sizeof out), 200);
    lbus_free(&m);
}
END_TEST

START_TEST(tx_buffer_gives_backpressure)
{
    lbus_params p = params(2, 9600);
    p.tx_buffer = 64;
    lbus_model m;
    ck_assert_int_eq(lbus_init(&m, &p, 0), 0);
    ck_assert_uint_eq(lbus_room(&m, 0, 0), 64);
    uint8_t b[64] = { 0 };
    lbus_push(&m, 0, b, 64, 0);
    ck_assert_uint_eq(lbus_room(&m, 0, 0), 0);
    ck_assert_uint_eq(lbus_room_time(&m, 0, 0), m.byte_ns);
    ck_assert_uint_eq(lbus_room(&m, 0, m.byte_ns), 1);
    ck_assert_uint_eq(lbus_room(&m, 1, 0), 64);  /* per node */
    lbus_free(&m);
}
END_TEST

START_TEST(overlapping_senders_garble_both_for_everyone)
{
    lbus_params p = params(4, 9600);
    lbus_model m;
    size_t got[5] = { 0 };
    ck_assert_int_eq(lbus_init(&m, &p, 1), 0);
    uint8_t a[20], b[20];
    memset(a, 0xAA, sizeof a);
    memset(b, 0x55, sizeof b);
    lbus_push(&m, 0, a, 20, 0);
    /* Node 1 starts half a byte into node 0's 11th byte and sends 5 bytes:
     * they overlap bytes 10..15 of node 0. */
    lbus_push(&m, 1, b, 5, 10 * m.byte_ns + m.byte_ns / 2);
    ck_assert_uint_eq(m.collisions, 5);
    ck_assert_uint_eq(m.nd[1].st.collided, 5);
    ck_assert_uint_eq(m.nd[0].st.collided, 6);
    drain_all(&m, 40 * m.byte_ns, g_out, got);
    /* Node 2 hears both transmissions, the overlapping bytes garbled; so
     * does the tap, byte for byte the same. */
    ck_assert_uint_eq(got[2], 25);
    ck_assert_uint_eq(got[4], 25);
    ck_assert_mem_eq(g_out[2], g_out[4], 25);
    /* In order of arrival: node 0's bytes 0..9 clean, then node 0's and
     * node 1's bytes alternate (ends at 11, 11.5, 12, ... 16 byte times),
     * all garbled, then node 0's bytes 16..19 clean. */
    for (size_t i = 0; i < 25; i++) {
        int from_b = i >= 11 && i <= 19 && (i % 2) == 1;
        uint8_t orig = from_b ? 0x55 : 0xAA;
        if (i < 10 || i > 20) ck_assert_uint_eq(g_out[2][i], orig);
        else ck_assert_uint_ne(g_out[2][i], orig);
    }
    /* Node 0 hears node 1's garbled bytes, node 1 node 0's. */
    ck_assert_uint_eq(got[0], 5);
    ck_assert_uint_eq(got[1], 20);
    lbus_free(&m);
}
END_TEST

START_TEST(back_to_back_turns_do_not_collide)
{
    lbus_params p = params(3, 115200);
    lbus_model m;
    ck_assert_int_eq(lbus_init(&m, &p, 0), 0);
    uint8_t b[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
    lbus_push(&m, 0, b, 10, 0);
    lbus_push(&m, 1, b, 10, 10 * m.byte_ns);  /* starts as the last byte ends */
    lbus_push(&m, 2, b, 10, 20 * m.byte_ns);
    ck_assert_uint_eq(m.collisions, 0);
    uint8_t out[64];
    ck_assert_uint_eq(lbus_pop(&m, 0, 30 * m.byte_ns, out, sizeof out), 20);
    ck_assert_mem_eq(out, b, 10);
    ck_assert_mem_eq(out + 10, b, 10);
    lbus_free(&m);
}
END_TEST

START_TEST(receive_noise_is_per_node_and_seeded)
{
    lbus_params p = params(3, 115200);
    p.node[1].ber = 1e-2;
    p.seed = 42;
    lbus_model m, m2;
    ck_assert_int_eq(lbus_init(&m, &p, 1), 0);
    ck_assert_int_eq(lbus_init(&m2, &p, 1), 0);
    static uint8_t in[4000], o1[4000], o2[4000], ot[4000], o1b[4000];
    for (size_t i = 0; i < sizeof in; i++) in[i] = (uint8_t)(i * 31u);
    lbus_push(&m, 0, in, sizeof in, 0);
    lbus_push(&m2, 0, in, sizeof in, 0);
    uint64_t end = 4000 * m.byte_ns;
    ck_assert_uint_eq(lbus_pop(&m, 1, end, o1, sizeof o1), 4000);
    ck_assert_uint_eq(lbus_pop(&m, 2, end, o2, sizeof o2), 4000);
    ck_assert_uint_eq(lbus_pop(&m, 3, end, ot, sizeof ot), 4000);
    ck_assert_uint_eq(lbus_pop(&m2, 1, end, o1b, sizeof o1b), 4000);
    ck_assert_mem_eq(o2, in, sizeof in);   /* node 2's drop cable is clean */
    ck_assert_mem_eq(ot, in, sizeof in);   /* the tap sees the medium */
    uint64_t flips = 0;
    for (size_t i = 0; i < sizeof in; i++) flips += (uint64_t)__builtin_popcount(o1[i] ^ in[i]);
    ck_assert_uint_eq(flips, m.nd[1].st.bits_flipped);
    /* 32000 bits at 1e-2: 320 expected; 5 sigma either way */
    ck_assert_uint_gt(flips, 230);
    ck_assert_uint_lt(flips, 410);
    ck_assert_mem_eq(o1, o1b, sizeof o1);  /* same seed, same faults */
    lbus_free(&m);
    lbus_free(&m2);
}
END_TEST

START_TEST(bursts_randomise_received_bytes)
{
    lbus_params p = params(2, 115200);
    p.node[1].burst_rate = 0.01;
    p.node[1].burst_len = 8;
    lbus_model m;
    ck_assert_int_eq(lbus_init(&m, &p, 0), 0);
    static uint8_t in[4000], out[4000];
    lbus_push(&m, 0, in, sizeof in, 0);
    ck_assert_uint_eq(lbus_pop(&m, 1, 4000 * m.byte_ns, out, sizeof out), 4000);
    size_t bad = 0;
    for (size_t i = 0; i < sizeof in; i++) bad += out[i] != 0;
    ck_assert_uint_gt(m.nd[1].st.bursts, 10);
    ck_assert_uint_le(bad, m.nd[1].st.burst_bytes);
    ck_assert_uint_gt(bad, m.nd[1].st.burst_bytes / 2);
    lbus_free(&m);
}
END_TEST

START_TEST(dead_node_neither_sends_nor_hears)
{
    lbus_params p = params(3, 9600);
    p.node[2].dead = 1;
    lbus_model m;
    size_t got[4] = { 0 };
    ck_assert_int_eq(lbus_init(&m, &p, 0), 0);
    uint8_t b[10] = { 9, 9, 9, 9, 9, 9, 9, 9, 9, 9 };
    lbus_push(&m, 2, b, 10, 0);            /* would collide with node 0 */
    lbus_push(&m, 0, b, 10, 0);
    ck_assert_uint_eq(m.collisions, 0);
    ck_assert_uint_eq(m.nd[2].st.dead_bytes, 10);
    drain_all(&m, 20 * m.byte_ns, g_out, got);
    ck_assert_uint_eq(got[1], 10);
    ck_assert_mem_eq(g_out[1], b, 10);
    ck_assert_uint_eq(got[2], 0);
    /* The dead receiver still releases the queue. */
    ck_assert_uint_eq(m.nd[0].len, 0);
    lbus_free(&m);
}
END_TEST

START_TEST(babbler_fills_its_share_and_collides)
{
    lbus_params p = params(3, 115200);
    p.node[2].babble = 0.05;
    p.node[2].babble_len = 16;
    lbus_model m;
    ck_assert_int_eq(lbus_init(&m, &p, 0), 0);
    /* One simulated second with node 0 sending the whole time. */
    uint64_t t = 0, sec = 1000000000ull;
    static uint8_t zeros[512], out[65536];
    size_t heard = 0;
    while (t < sec) {
        size_t room = lbus_room(&m, 0, t);
        if (room > sizeof zeros) room = sizeof zeros;
        lbus_push(&m, 0, zeros, room, t);
        uint64_t nb = lbus_next_babble(&m);
        t = t + 1000000ull < nb ? t + 1000000ull : nb;
        lbus_advance(&m, t);
        heard += lbus_pop(&m, 1, t, out, sizeof out);
        (void)lbus_pop(&m, 2, t, out, sizeof out);
    }
    double share = (double)m.nd[2].st.babble_bytes / 11520.0;
    ck_assert_double_gt(share, 0.03);
    ck_assert_double_lt(share, 0.07);
    ck_assert_uint_gt(m.collisions, m.nd[2].st.babble_bytes / 2);
    ck_assert_uint_gt(m.nd[0].st.collided, 0);
    ck_assert_uint_gt(heard, 0);
    lbus_free(&m);
}
END_TEST

START_TEST(bad_parameters_rejected)
{
    lbus_params p = params(1, 9600);
    lbus_model m;
    ck_assert_int_eq(lbus_init(&m, &p, 0), -1);
    p = params(3, 0);
    ck_assert_int_eq(lbus_init(&m, &p, 0), -1);
    p = params(LBUS_MAX_NODES + 1, 9600);
    ck_assert_int_eq(lbus_init(&m, &p, 0), -1);
    p = params(3, 9600);
    p.node[1].ber = 1.5;
    ck_assert_int_eq(lbus_init(&m, &p, 0), -1);
    p = params(3, 9600);
    p.node[0].babble = -0.1;
    ck_assert_int_eq(lbus_init(&m, &p, 0), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("linesim_bus");
    TCase *tc = tcase_create("bus");
    tcase_add_test(tc, every_other_node_hears_a_byte_at_line_speed);
    tcase_add_test(tc, one_sender_is_paced_by_its_own_line);
    tcase_add_test(tc, tx_buffer_gives_backpressure);
    tcase_add_test(tc, overlapping_senders_garble_both_for_everyone);
    tcase_add_test(tc, back_to_back_turns_do_not_collide);
    tcase_add_test(tc, receive_noise_is_per_node_and_seeded);
    tcase_add_test(tc, bursts_randomise_received_bytes);
    tcase_add_test(tc, dead_node_neither_sends_nor_hears);
    tcase_add_test(tc, babbler_fills_its_share_and_collides);
    tcase_add_test(tc, bad_parameters_rejected);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
