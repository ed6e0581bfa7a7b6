/* Handshake message layouts (docs/PROTOCOL.md §4.2-4.4).  Byte-by-byte,
 * big-endian, every length checked before the bytes are touched. */
#include "hs_msg.h"
#include <string.h>

/* The structs are the layouts (hs_msg.h): no padding, nothing else. */
typedef char hs_msg1_is_its_layout[sizeof(hs_msg1) == SLINK_HS1_LEN ? 1 : -1];
typedef char hs_msg2_clear_is_its_layout[sizeof(hs_msg2_clear) == SLINK_HS2_CLEAR_LEN ? 1 : -1];

/* flags and mtu_code of msg1 or msg2's clear part.  Only the defined flags
 * (§4.2, §4.3: msg1 has one more than msg2) may be set, so a later version
 * can give the rest meaning without being misread; the smallest mtu_code
 * is HS_MTU_CODE_MIN. */
static int fields_ok(const uint8_t *flags_mtu, uint8_t defined)
{
    return (flags_mtu[0] & (uint8_t)~defined) == 0 && flags_mtu[1] >= HS_MTU_CODE_MIN;
}

#define MSG1_FLAGS (SLINK_HS_F_HAVE_PEER_CERT | SLINK_HS_F_AUTO)
#define MSG2_FLAGS SLINK_HS_F_HAVE_PEER_CERT

slink_err hs_msg1_encode(const hs_msg1 *m, uint8_t *out, size_t cap, size_t *len)
{
    SLINK_CHECK(cap >= SLINK_HS1_LEN, SLINK_ERR_BUFFER);
    SLINK_CHECK(m->vs == SLINK_VERSION_SUITE && fields_ok(&m->flags, MSG1_FLAGS), SLINK_ERR_ARG);
    memcpy(out, m, SLINK_HS1_LEN);
    *len = SLINK_HS1_LEN;
    return SLINK_OK;
}

slink_err hs_msg1_decode(const uint8_t *in, size_t len, hs_msg1 *m)
{
    SLINK_CHECK(len >= 1, SLINK_ERR_HS_MALFORMED);
    SLINK_CHECK(in[0] == SLINK_VERSION_SUITE, SLINK_ERR_HS_VERSION);
    SLINK_CHECK(len == SLINK_HS1_LEN && fields_ok(in + 1, MSG1_FLAGS), SLINK_ERR_HS_MALFORMED);
    memcpy(m, in, SLINK_HS1_LEN);
    return SLINK_OK;
}

slink_err hs_msg2_clear_encode(const hs_msg2_clear *m, uint8_t *out, size_t cap, size_t *len)
{
    SLINK_CHECK(cap >= SLINK_HS2_CLEAR_LEN, SLINK_ERR_BUFFER);
    SLINK_CHECK(fields_ok(&m->flags, MSG2_FLAGS), SLINK_ERR_ARG);
    memcpy(out, m, SLINK_HS2_CLEAR_LEN);
    *len = SLINK_HS2_CLEAR_LEN;
    return SLINK_OK;
}

slink_err hs_msg2_decode(const uint8_t *in, size_t len, hs_msg2_clear *m,
                         const uint8_t **ct, size_t *ct_len, const uint8_t **tag)
{
    SLINK_CHECK(len >= HS_MSG2_MIN && len <= HS_MSG2_MAX, SLINK_ERR_HS_MALFORMED);
    SLINK_CHECK(fields_ok(in, MSG2_FLAGS), SLINK_ERR_HS_MALFORMED);
    memcpy(m, in, SLINK_HS2_CLEAR_LEN);
    *ct = in + SLINK_HS2_CLEAR_LEN;
    *ct_len = len - SLINK_HS2_CLEAR_LEN - SLINK_TAG_LEN;
    *tag = in + len - SLINK_TAG_LEN;
    return SLINK_OK;
}

slink_err hs_msg3_decode(const uint8_t *in, size_t len,
                         const uint8_t **ct, size_t *ct_len, const uint8_t **tag)
{
    SLINK_CHECK(len >= HS_MSG3_MIN && len <= HS_MSG3_MAX, SLINK_ERR_HS_MALFORMED);
    *ct = in;
    *ct_len = len - SLINK_TAG_LEN;
    *tag = in + len - SLINK_TAG_LEN;
    return SLINK_OK;
}

slink_err hs_plain_encode(const hs_cred *c, const uint8_t sig[SLINK_SIG_LEN],
                          uint8_t *out, size_t cap, size_t *len)
{
    size_t n;

    if (c->type == SLINK_CRED_REF) {
        SLINK_CHECK(cap >= HS_CRED_REF_LEN + SLINK_SIG_LEN, SLINK_ERR_BUFFER);
        out[0] = SLINK_CRED_REF;
        memcpy(out + 1, c->ref, SLINK_CERT_REF_LEN);
        n = HS_CRED_REF_LEN;
    } else if (c->type == SLINK_CRED_FULL) {
        SLINK_CHECK(c->der && c->der_len > 0 && c->der_len <= SLINK_CERT_MAX, SLINK_ERR_ARG);
        SLINK_CHECK(cap >= HS_CRED_FULL_HDR + c->der_len + SLINK_SIG_LEN, SLINK_ERR_BUFFER);
        out[0] = SLINK_CRED_FULL;
        slink_put_u16(out + 1, (uint16_t)c->der_len);
        memcpy(out + HS_CRED_FULL_HDR, c->der, c->der_len);
        n = HS_CRED_FULL_HDR + c->der_len;
    } else {
        return SLINK_ERR_ARG;
    }
    if (sig != NULL)
        memcpy(out + n, sig, SLINK_SIG_LEN);
    else
        memset(out + n, 0, SLINK_SIG_LEN);
    *len = n + SLINK_SIG_LEN;
    return SLINK_OK;
}

slink_err hs_plain_decode(const uint8_t *in, size_t len, hs_cred *c,
                          uint8_t sig[SLINK_SIG_LEN])
{
    size_t n;

    SLINK_CHECK(len >= HS_PLAIN_MIN, SLINK_ERR_HS_MALFORMED);
    memset(c, 0, sizeof *c);
    if (in[0] == SLINK_CRED_REF) {
        n = HS_CRED_REF_LEN;
        c->type = SLINK_CRED_REF;
        memcpy(c->ref, in + 1, SLINK_CERT_REF_LEN);
    } else if (in[0] == SLINK_CRED_FULL) {
        /* len >= HS_PLAIN_MIN > 3, so the length field is inside. */
        size_t der_len = slink_get_u16(in + 1);
        SLINK_CHECK(der_len > 0 && der_len <= SLINK_CERT_MAX, SLINK_ERR_HS_MALFORMED);
        SLINK_CHECK(der_len <= len - HS_CRED_FULL_HDR, SLINK_ERR_HS_MALFORMED);
        n = HS_CRED_FULL_HDR + der_len;
        c->type = SLINK_CRED_FULL;
        c->der = in + HS_CRED_FULL_HDR;
        c->der_len = der_len;
    } else {
        return SLINK_ERR_HS_MALFORMED;
    }
    /* Exactly one signature after the credential: no trailing bytes. */
    SLINK_CHECK(len - n == SLINK_SIG_LEN, SLINK_ERR_HS_MALFORMED);
    memcpy(sig, in + n, SLINK_SIG_LEN);
    return SLINK_OK;
}

slink_err hs_repair_decode(const uint8_t *in, size_t len, hs_repair *r)
{
    size_t total, grans, n, i;
    uint8_t any = 0;

    SLINK_CHECK(len >= SLINK_HS_REPAIR_HDR, SLINK_ERR_HS_MALFORMED);
    total = ((size_t)in[1] << 8) | in[2];
    grans = (total + SLINK_HS_GRANULE - 1u) / SLINK_HS_GRANULE;
    n = (grans + 7u) / 8u;                 /* SLINK_HS_REPAIR_MAP_LEN(total) */
    SLINK_CHECK((in[0] == 2 || in[0] == 3) && total <= SLINK_HS_MSG_MAX &&
                len == SLINK_HS_REPAIR_HDR + n, SLINK_ERR_HS_MALFORMED);
    for (i = 0; i < n; i++) any |= in[SLINK_HS_REPAIR_HDR + i];
    /* The map names at least one granule of the message (total 0: nothing
     * has arrived, no map) and nothing past its end. */
    SLINK_CHECK(total == 0 ||
                (any != 0 && (grans % 8u == 0 || (in[len - 1u] >> (grans % 8u)) == 0)),
                SLINK_ERR_HS_MALFORMED);
    memset(r, 0, sizeof *r);
    r->msgno = in[0];
    r->total = (uint16_t)total;
    memcpy(r->map, in + SLINK_HS_REPAIR_HDR, n);
    return SLINK_OK;
}
