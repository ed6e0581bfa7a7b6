/* Verified-certificate cache (include/slink/cert.h): which certificates'
 * CA signatures have verified under which anchor, so that src/cert/cert.c can
 * skip that one ECDSA verification on the next handshake with the same
 * peer.  Everything else about the certificate is checked there as
 * always; this file only remembers. */
#include "cert_cache.h"
#include "slink/crypto.h"

#include <string.h>

void slink_cert_cache_clear(slink_cert_cache *cc)
{
    if (cc == NULL) return;
    slink_memzero(cc, sizeof *cc);
}

/* SHA-256("slink1 verified" || SHA-256(CA DER) || certificate DER): the
 * anchor's hash has a fixed length, so the two inputs cannot be shifted
 * against each other, and the label keeps the value apart from the
 * certificate's fingerprint (the deny-list and pin value), which an
 * operator handles and could otherwise paste into memory as an entry. */
slink_err slink_cert_cache_key(const slink_crt *ca, const slink_crt *crt,
                               uint8_t key[SLINK_CERT_FP_LEN])
{
    static const uint8_t label[] = "slink1 verified";
    uint8_t ca_hash[32];
    slink_cbuf part[3];
    slink_err e;
    if (ca == NULL || crt == NULL || ca->raw.p == NULL || crt->raw.p == NULL ||
        ca->raw.len == 0 || crt->raw.len == 0)
        return SLINK_ERR_ARG;
    e = slink_sha256(ca->raw.p, ca->raw.len, ca_hash);
    if (e != SLINK_OK) return e;
    part[0].p = label;       part[0].n = sizeof label - 1;
    part[1].p = ca_hash;     part[1].n = sizeof ca_hash;
    part[2].p = crt->raw.p;  part[2].n = crt->raw.len;
    return slink_sha256_v(part, 3, key);
}

int slink_cert_cache_has(const slink_cert_cache *cc, const uint8_t key[SLINK_CERT_FP_LEN])
{
    int hit = 0;
    size_t n, i;
    if (cc == NULL) return 0;
    /* a corrupted count reads no further than the array */
    n = cc->used <= SLINK_CERT_CACHE_ENTRIES ? cc->used : SLINK_CERT_CACHE_ENTRIES;
    for (i = 0; i < n; i++) hit |= slink_ct_equal(cc->entry[i], key, SLINK_CERT_FP_LEN);
    return hit;
}

void slink_cert_cache_add(slink_cert_cache *cc, const uint8_t key[SLINK_CERT_FP_LEN])
{
    size_t slot;
    if (cc == NULL || slink_cert_cache_has(cc, key)) return;
    if (cc->used < SLINK_CERT_CACHE_ENTRIES) {
        slot = cc->used++;
    } else {
        slot = cc->next < SLINK_CERT_CACHE_ENTRIES ? cc->next : 0;
        cc->next = (uint8_t)((slot + 1u) % SLINK_CERT_CACHE_ENTRIES);
    }
    memcpy(cc->entry[slot], key, SLINK_CERT_FP_LEN);
}
