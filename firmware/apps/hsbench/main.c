/* Handshake compute bench for `make firmware-size`: the device side's
 * share of one handshake, operation by operation, with the crypto backend
 * the image is linked with (p256-m or mbedTLS's ECP; same core, same
 * provisioning).  Run under QEMU with -icount shift=0, where the guest's
 * clock advances exactly 1 ns per instruction: instructions are read off
 * SysTick (25 MHz, 40 instructions a tick) and printed on the console,
 * which tests/integration/fw_hsbench.sh parses.
 *
 * What the responder computes (src/handshake/handshake.c): for msg1, a new
 * ephemeral key, ECDH with the initiator's key, the signature over the
 * transcript and msg2's sealing; for msg3, its opening, the initiator's
 * certificate checked against the CA (decoding, policy, one ECDSA verify)
 * and the initiator's signature (a second verify), then the session keys.
 * The public-key steps are run here through the same calls the core makes
 * (slink_ecdh_keygen, slink_ecdh_shared, slink_sign with the provisioned
 * identity, slink_cert_verify_peer, slink_ecdsa_verify); the symmetric
 * remainder (transcript hashes, key schedule, AEAD of two handshake
 * messages) is run as the same primitives over the same sizes. */
#include <string.h>
#include "board.h"
#include "fw_identity.h"
#include "fw_port.h"
#include "slink/cert.h"
#include "slink/crypto.h"

#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define INSN_PER_TICK (1000000000u / FW_SYSCLK_HZ)   /* 1 ns an instruction */

static slink_creds creds;
static slink_platform plat;
static fw_entropy_state entropy;
static slink_rng rng;

/* Instructions since reset (under -icount shift=0), to 40. */
static uint64_t insn_now(void)
{
    uint64_t ms1, ms2;
    uint32_t cvr;
    do {
        ms1 = board_millis();
        cvr = board_systick_now();
        ms2 = board_millis();
    } while (ms1 != ms2);
    uint64_t ticks = ms1 * (FW_SYSCLK_HZ / 1000u) + (SYST_RVR - cvr);
    return ticks * INSN_PER_TICK;
}

static void report(const char *op, uint64_t insns, slink_err e)
{
    console_puts("hsbench: ");
    console_puts(op);
    console_put_kv("insns", (uint32_t)insns);
    console_put_kv("ok", e == SLINK_OK);
    console_puts("\r\n");
}

#define TIMED(name, expr) do {                 \
        uint64_t t0_ = insn_now();             \
        slink_err e_ = (expr);                 \
        report(name, insn_now() - t0_, e_);    \
    } while (0)

/* The symmetric part of the responder's handshake, as the core runs it:
 * four transcript hashes over handshake-message sizes, the PRK extract,
 * ten HKDF-Expand-Label derivations (message keys, nonces, session keys,
 * finished values), msg2 sealed and msg3 opened (about 400 bytes each,
 * the certificate inside). */
static slink_err symmetric_part(void)
{
    static uint8_t msg[420], out[420];
    uint8_t h[32], prk[32], key[32], tag[16];
    slink_aead a;
    slink_err e = SLINK_OK;

    memset(msg, 0x5a, sizeof msg);
    memset(&a, 0, sizeof a);
    for (int i = 0; i < 4 && e == SLINK_OK; i++)
        e = slink_sha256(msg, sizeof msg, h);
    if (e == SLINK_OK)
        e = slink_hkdf_extract(h, sizeof h, msg, 32, prk);
    for (int i = 0; i < 10 && e == SLINK_OK; i++)
        e = slink_hkdf_expand_label(prk, "bench", h, sizeof h, key, sizeof key);
    if (e == SLINK_OK)
        e = slink_aead_setkey(&a, key, 16);
    if (e == SLINK_OK)
        e = slink_aead_seal(&a, h, 12, h, 8, msg, sizeof msg, out, tag, sizeof tag);
    if (e == SLINK_OK)
        e = slink_aead_open(&a, h, 12, h, 8, out, sizeof out, msg, tag, sizeof tag);
    slink_aead_free(&a);
    return e;
}

int main(void)
{
    static const uint8_t msg[160] = { 1, 2, 3 };
    slink_ecdh_key mine, peer;
    uint8_t shared[32], sig[SLINK_SIG_LEN];
    char cn[64];
    slink_crt crt;
    slink_peer_policy pol;
    const char *why = "";

    board_init();
    fw_alloc_init();
    if (fw_entropy_boot(&entropy, fw_prov_device_seed) != 0) {
        console_puts("hsbench: FATAL entropy\r\n");
        return 1;
    }
    fw_platform_init(&plat, &entropy);
    plat.log = NULL;
    if (slink_rng_init(&rng, &plat, (const uint8_t *)"hsbench", 7) != SLINK_OK ||
        fw_identity_load(&creds, &plat, &why) != SLINK_OK ||
        slink_crt_parse(&crt, fw_prov_cert_der, fw_prov_cert_der_len) != SLINK_OK) {
        console_puts("hsbench: FATAL setup\r\n");
        return 1;
    }
    /* The device's own certificate stands in for the initiator's: same CA,
     * same profile and size, so the same work. */
    slink_cert_subject_cn(&crt, cn, sizeof cn);
    memset(&pol, 0, sizeof pol);
    pol.name = cn;
    pol.time_mode = SLINK_TIME_CLOCK_OR_FLOOR;
    pol.time_floor = fw_prov_time_floor;
    console_puts("hsbench: backend ");
    console_puts(slink_crypto_backend);
    console_puts("\r\n");

    (void)slink_ecdh_keygen(&peer, &rng);
    TIMED("ecdh_keygen", slink_ecdh_keygen(&mine, &rng));
    TIMED("ecdh_shared", slink_ecdh_shared(&mine, peer.x, shared, &rng));
    TIMED("sign", slink_sign(&creds.signer, msg, sizeof msg, sig, &rng));
    TIMED("verify_cert", slink_cert_verify_peer(&creds, &pol, &plat, fw_prov_cert_der,
                                                fw_prov_cert_der_len, &crt));
    TIMED("verify_sig", slink_ecdsa_verify(crt.pub, msg, sizeof msg, sig));
    TIMED("symmetric", symmetric_part());
    console_put_kv("stack_peak", (uint32_t)board_stack_used());
    console_puts("\r\nhsbench: done\r\n");
    for (;;)
        board_wait_for_interrupt();
}
