/* Anti-replay window (RFC 4303 §3.4.3 / RFC 9147 §4.5.1) and sequence
 * number reconstruction (RFC 9147 §4.2.2).
 *
 * check and mark are split on purpose: the record layer checks before it
 * spends an AEAD open on the record and marks only once the tag verified,
 * so a forged record can neither advance the window nor burn a sequence
 * number the genuine record still needs. */
#include <string.h>
#include "slink/record.h"

void slink_replay_init(slink_replay *w)
{
    if (w != NULL)
        memset(w, 0, sizeof *w);
}

/* A window that has accepted nothing is all zero (top 0, no bits), which
 * already reads as "everything new": no special case for it. */
slink_err slink_replay_check(const slink_replay *w, uint64_t seq)
{
    SLINK_CHECK(w != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(seq <= SLINK_SEQ_MAX, SLINK_ERR_REC_REPLAY);
    if (seq > w->top)
        return SLINK_OK;
    uint64_t age = w->top - seq;
    SLINK_CHECK(age < SLINK_REPLAY_WINDOW && ((w->bitmap >> age) & 1u) == 0u, SLINK_ERR_REC_REPLAY);
    return SLINK_OK;
}

void slink_replay_mark(slink_replay *w, uint64_t seq)
{
    if (w == NULL || seq > SLINK_SEQ_MAX)
        return;
    w->any = 1;
    if (seq > w->top) {
        uint64_t shift = seq - w->top;
        w->bitmap = shift >= SLINK_REPLAY_WINDOW ? 0u : w->bitmap << shift;
        w->top = seq;
    }
    uint64_t age = w->top - seq;
    if (age < SLINK_REPLAY_WINDOW)
        w->bitmap |= 1ull << age;
}

/* The algorithm of RFC 9000 Appendix A.3, which RFC 9147 §4.2.2 refers to:
 * the value with the received low bits closest to expected, never leaving
 * 0..2^48-1.  A tie (exactly half a window away) resolves upwards: the
 * value is taken from (expected - win/2, expected + win/2], and moved one
 * window back in range if that lands below 0 (it wrapped) or past 2^48-1. */
uint64_t slink_seq_reconstruct(uint64_t expected, uint64_t low, unsigned bits)
{
    if (expected > SLINK_SEQ_MAX)
        expected = SLINK_SEQ_MAX;
    if (bits == 0u)
        return expected;
    if (bits >= 48u)
        return low & SLINK_SEQ_MAX;

    uint64_t win = 1ull << bits;
    uint64_t hwin = win / 2u;
    uint64_t v = expected - hwin + 1u + ((low - expected + hwin - 1u) & (win - 1u));
    if (v > SLINK_SEQ_MAX)
        v = (v >> 63) != 0u ? v + win : v - win;
    return v;
}
