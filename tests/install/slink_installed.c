/* Built by install_check.sh against an installed slink (pkg-config and
 * CMake), never against the source tree: known answers through the public
 * headers, the frame layer and the crypto backend (so mbedTLS is linked
 * too).  Prints one line and exits 0, or names the first mismatch. */
#include <slink/slink.h>

#include <stdio.h>
#include <string.h>

static int fails;

static void expect(const char *what, int ok)
{
    if (!ok) {
        fprintf(stderr, "slink_installed: %s: wrong answer\n", what);
        fails++;
    }
}

int main(void)
{
    /* CRC-16/CCITT-FALSE check value (the catalogue's "123456789") */
    static const uint8_t check[] = "123456789";
    /* COBS: the example of Cheshire and Baker */
    static const uint8_t raw[] = {0x11, 0x22, 0x00, 0x33};
    static const uint8_t cobs[] = {0x03, 0x11, 0x22, 0x02, 0x33};
    /* SHA-256("abc"), FIPS 180-2 appendix B.1 */
    static const uint8_t abc_hash[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
        0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    /* AES-128-GCM, McGrew and Viega test case 2: zero key, IV, plaintext */
    static const uint8_t gcm_ct[16] = {0x03, 0x88, 0xda, 0xce, 0x60, 0xb6, 0xa3, 0x92,
                                       0xf3, 0x28, 0xc2, 0xb9, 0x71, 0xb2, 0xfe, 0x78};
    static const uint8_t gcm_tag[16] = {0xab, 0x6e, 0x47, 0xd4, 0x2c, 0xec, 0x13, 0xbd,
                                        0xf5, 0x3a, 0x67, 0xb2, 0x12, 0x57, 0xbd, 0xdf};
    static const uint8_t body[] = "READ REG 42\n";
    uint8_t out[64], dec[64], hash[32], key[16] = {0}, nonce[12] = {0}, pt[16] = {0}, ct[16], tag[16];
    size_t n = 0, m = 0;
    slink_aead aead;

    expect("crc16", slink_crc16(check, 9) == 0x29b1);
    expect("cobs encode", slink_cobs_encode(raw, sizeof raw, out, sizeof out, &n) == SLINK_OK && n == sizeof cobs &&
                              memcmp(out, cobs, n) == 0);
    /* a frame: COBS(dst src type body crc) 0x00, and back */
    expect("frame encode", slink_frame_encode(7, 1, 0x10, body, sizeof body - 1, out, sizeof out, &n) == SLINK_OK &&
                               n > 1 && out[n - 1] == 0 && memchr(out, 0, n - 1) == NULL);
    expect("frame decode", slink_cobs_decode(out, n - 1, dec, sizeof dec, &m) == SLINK_OK &&
                               m == 3 + (sizeof body - 1) + 2 && dec[0] == 7 && dec[1] == 1 && dec[2] == 0x10 &&
                               memcmp(dec + 3, body, sizeof body - 1) == 0);
    expect("sha256", slink_sha256((const uint8_t *)"abc", 3, hash) == SLINK_OK && memcmp(hash, abc_hash, 32) == 0);
    memset(&aead, 0, sizeof aead);
    expect("aes-gcm seal", slink_aead_setkey(&aead, key, sizeof key) == SLINK_OK &&
                               slink_aead_seal(&aead, nonce, 12, NULL, 0, pt, 16, ct, tag, 16) == SLINK_OK &&
                               memcmp(ct, gcm_ct, 16) == 0 && memcmp(tag, gcm_tag, 16) == 0);
    tag[0] ^= 1;
    expect("aes-gcm forged tag", slink_aead_open(&aead, nonce, 12, NULL, 0, ct, 16, pt, tag, 16) == SLINK_ERR_REC_AUTH);
    slink_aead_free(&aead);
    if (fails)
        return 1;
    printf("slink %s installed: 7 known answers OK (crc16, cobs, frame, sha256, aes-gcm)\n", SLINK_VERSION_STRING);
    return 0;
}
