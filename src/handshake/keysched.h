/* The handshake key schedule (docs/PROTOCOL.md §4.5) as small pure
 * functions, so each step has its own known-answer test
 * (tests/unit/test_keysched.c, docs/PROTOCOL.md Appendix A).
 *
 *   TH2   = SHA-256("slink1 TH2" | addr_i | addr_r | msg1 | msg2 clear part)
 *   PRK   = HKDF-Extract(salt = TH2, IKM = G)
 *   K2,IV2 = expand_label(PRK, "k2"/"iv2", TH2)       K3,IV3 likewise with TH3
 *   MACn  = expand_label(PRK, "macn", SHA-256(THn | cert DER), 16)
 *   sig input n = "slink1 sig<n>" | THn | SHA-256(cert DER) | MACn
 *   TH3   = SHA-256(TH2 | plaintext2),  TH4 = SHA-256(TH3 | plaintext3)
 *   S_i2r, S_r2i = expand_label(PRK, "i2r"/"r2i", TH4, 32)
 *
 * Internal header: only the handshake and its tests include it.  Pointer
 * arguments are the handshake's own buffers and never NULL, so they are
 * not checked (the public entry points check theirs); lengths and the
 * message selector are. */
#ifndef SLINK_KEYSCHED_H
#define SLINK_KEYSCHED_H

#include <stddef.h>
#include <stdint.h>
#include "slink/err.h"
#include "slink/wire.h"

#define KS_KEY_LEN       16u   /* AES-128-GCM */
#define KS_IV_LEN        12u
#define KS_SECRET_LEN    32u
#define KS_TH2_TAG       "slink1 TH2"
#define KS_TH2_TAG_LEN   10u
#define KS_SIG_TAG_LEN   11u   /* "slink1 sig2" / "slink1 sig3" */
#define KS_SIG_INPUT_LEN (KS_SIG_TAG_LEN + 2u * SLINK_HASH_LEN + SLINK_MAC_LEN)

/* Which encrypted message a derivation is for: selects the labels. */
typedef enum { KS_MSG2 = 2, KS_MSG3 = 3 } ks_msg;

slink_err ks_th2(uint8_t addr_i, uint8_t addr_r,
                 const uint8_t msg1[SLINK_HS1_LEN],
                 const uint8_t msg2_clear[SLINK_HS2_CLEAR_LEN],
                 uint8_t th2[SLINK_HASH_LEN]);
/* TH3 from TH2 and plaintext 2; TH4 from TH3 and plaintext 3. */
slink_err ks_th_next(const uint8_t th[SLINK_HASH_LEN], const uint8_t *plain, size_t len,
                     uint8_t out[SLINK_HASH_LEN]);
slink_err ks_prk(const uint8_t th2[SLINK_HASH_LEN], const uint8_t g[SLINK_ECX_LEN],
                 uint8_t prk[32]);
/* th is TH2 for KS_MSG2, TH3 for KS_MSG3. */
slink_err ks_msg_key(const uint8_t prk[32], ks_msg which, const uint8_t th[SLINK_HASH_LEN],
                     uint8_t key[KS_KEY_LEN], uint8_t iv[KS_IV_LEN]);
slink_err ks_mac(const uint8_t prk[32], ks_msg which, const uint8_t th[SLINK_HASH_LEN],
                 const uint8_t *cert, size_t cert_len, uint8_t mac[SLINK_MAC_LEN]);
/* The bytes the signer of message `which` signs (ECDSA over SHA-256 of it). */
slink_err ks_sig_input(ks_msg which, const uint8_t th[SLINK_HASH_LEN],
                       const uint8_t *cert, size_t cert_len,
                       const uint8_t mac[SLINK_MAC_LEN], uint8_t out[KS_SIG_INPUT_LEN]);
slink_err ks_traffic(const uint8_t prk[32], const uint8_t th4[SLINK_HASH_LEN],
                     uint8_t i2r[KS_SECRET_LEN], uint8_t r2i[KS_SECRET_LEN]);

/* AES-128-GCM of a handshake message part with the key and IV of `which`
 * and AAD = th; tag of SLINK_TAG_LEN.  Open returns SLINK_ERR_HS_DECRYPT on a
 * bad tag (pt wiped).  Keys live only inside these calls. */
slink_err ks_seal(const uint8_t prk[32], ks_msg which, const uint8_t th[SLINK_HASH_LEN],
                  const uint8_t *pt, size_t len, uint8_t *ct, uint8_t tag[SLINK_TAG_LEN]);
slink_err ks_open(const uint8_t prk[32], ks_msg which, const uint8_t th[SLINK_HASH_LEN],
                  const uint8_t *ct, size_t len, const uint8_t tag[SLINK_TAG_LEN],
                  uint8_t *pt);

#endif
