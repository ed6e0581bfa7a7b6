/* PEM block decoder (RFC 7468, lax about line lengths as RFC 7468 §3
 * allows parsers to be): what slink_creds_load reads key and certificate
 * files with. */
#include "pem.h"
#include "slink/crypto.h"
#include <string.h>

/* 0..63 for a base64 digit, 64 for '=', 65 for whitespace, 66 otherwise. */
static unsigned b64_value(char ch)
{
    if (ch >= 'A' && ch <= 'Z') return (unsigned)(ch - 'A');
    if (ch >= 'a' && ch <= 'z') return (unsigned)(ch - 'a') + 26u;
    if (ch >= '0' && ch <= '9') return (unsigned)(ch - '0') + 52u;
    if (ch == '+') return 62u;
    if (ch == '/') return 63u;
    if (ch == '=') return 64u;
    if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') return 65u;
    return 66u;
}

/* Base64 of [p, end) into dst: groups of four, '=' only in the last one,
 * whitespace anywhere. */
static int b64_decode(const char *p, const char *end, uint8_t *dst, size_t cap, size_t *n)
{
    uint32_t acc = 0;
    unsigned have = 0, pads = 0;
    int done = 0;
    size_t out = 0;

    for (; p < end; p++) {
        unsigned v = b64_value(*p);
        if (v == 65u) continue;
        if (v == 66u || done) return -1;
        if (v == 64u) {
            pads++;
            v = 0;
        } else if (pads != 0) {
            return -1;   /* a digit after padding */
        }
        acc = (acc << 6) | v;
        if (++have == 4u) {
            size_t take;
            if (pads > 2u) return -1;
            take = 3u - pads;
            if (out + take > cap) return -1;
            dst[out] = (uint8_t)(acc >> 16);
            if (take > 1u) dst[out + 1u] = (uint8_t)(acc >> 8);
            if (take > 2u) dst[out + 2u] = (uint8_t)acc;
            out += take;
            acc = 0;
            have = 0;
            done = pads != 0;
        }
    }
    if (have != 0 || out == 0) return -1;
    *n = out;
    return 0;
}

int slink_pem_decode(const char *in, const char *hdr, const char *ftr,
                     uint8_t *dst, size_t cap, size_t *n, size_t *used)
{
    const char *s1 = strstr(in, hdr), *s2, *end;

    if (s1 == NULL) return -1;
    s1 += strlen(hdr);
    while (*s1 == ' ') s1++;
    if (*s1 == '\r') s1++;
    if (*s1 != '\n') return -1;
    s1++;
    s2 = strstr(s1, ftr);
    if (s2 == NULL) return -1;
    end = s2 + strlen(ftr);
    while (*end == ' ') end++;
    if (*end == '\r') end++;
    if (*end == '\n') end++;
    if (b64_decode(s1, s2, dst, cap, n) != 0) {
        slink_memzero(dst, cap);
        return -1;
    }
    *used = (size_t)(end - in);
    return 0;
}
