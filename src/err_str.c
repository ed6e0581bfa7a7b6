/* The error codes' names and descriptions (include/slink/err.h): host-side
 * text, kept apart from slink_err_classify (err.c), which the core itself
 * calls.  A device that reports numeric codes never links this object's
 * tables (about 1 KB of flash); `slinkctl err CODE` names a code on the host. */
#include "slink/err.h"
#include <stddef.h>
#include <stdint.h>
#include "slink/config.h"

#define ERRS(X) \
    X(OK, "success") \
    X(ERR_AGAIN, "nothing to do now") \
    X(ERR_NEED_MORE, "partial input, more bytes needed") \
    X(ERR_WOULD_BLOCK, "send window or buffer full") \
    X(ERR_NOT_READY, "session not established") \
    X(ERR_STREAM_END, "peer ended its application stream (the session stays up)") \
    X(ERR_FRAME_CRC, "frame CRC mismatch") \
    X(ERR_FRAME_RUNT, "frame shorter than the minimum") \
    X(ERR_FRAME_OVERSIZE, "frame longer than the maximum") \
    X(ERR_FRAME_COBS, "invalid COBS encoding") \
    X(ERR_FRAME_NOT_FOR_US, "frame addressed to another node") \
    X(ERR_FRAME_TIMEOUT, "partial frame dropped after inter-byte gap") \
    X(ERR_FRAME_ADDR, "invalid source address") \
    X(ERR_FRAME_TYPE, "unknown frame type") \
    X(ERR_REC_MALFORMED, "malformed record") \
    X(ERR_REC_AUTH, "record failed authentication") \
    X(ERR_REC_REPLAY, "replayed or too old record") \
    X(ERR_REC_EPOCH, "record from an epoch that is no longer accepted") \
    X(ERR_REC_CONTENT, "content type not allowed now") \
    X(ERR_HS_MALFORMED, "malformed handshake message") \
    X(ERR_HS_UNEXPECTED, "unexpected handshake message") \
    X(ERR_HS_DUPLICATE, "duplicate handshake message answered from cache") \
    X(ERR_HS_RATE_LIMIT, "handshake start refused by rate limit") \
    X(ERR_HS_STALE, "handshake message from another handshake") \
    X(ERR_HS_TIE_BREAK, "simultaneous open: peer's first message ignored") \
    X(ERR_DGRAM_DROPPED, "datagram queue full") \
    X(ERR_STREAM_DUP, "duplicate stream chunk") \
    X(ERR_STREAM_WINDOW, "stream chunk outside the window") \
    X(ERR_HS_TIMEOUT, "handshake timed out") \
    X(ERR_HS_DECRYPT, "handshake message failed authentication") \
    X(ERR_HS_BAD_KEY, "invalid or reflected ephemeral key") \
    X(ERR_HS_BAD_SIG, "invalid or non-canonical handshake signature") \
    X(ERR_HS_VERSION, "unsupported protocol version or suite") \
    X(ERR_HS_PLAINTEXT, "authenticated handshake message does not parse") \
    X(ERR_CERT_PARSE, "certificate does not parse") \
    X(ERR_CERT_CHAIN, "certificate not issued by the configured CA") \
    X(ERR_CERT_EXPIRED, "certificate expired") \
    X(ERR_CERT_NOT_YET_VALID, "certificate not yet valid") \
    X(ERR_CERT_CA_LEAF, "peer certificate is a CA certificate") \
    X(ERR_CERT_KEY_USAGE, "certificate key usage lacks digitalSignature") \
    X(ERR_CERT_KEY_TYPE, "certificate key is not ECDSA P-256 with SHA-256") \
    X(ERR_CERT_NAME, "certificate identity does not match the configured peer") \
    X(ERR_CERT_UNKNOWN_REF, "certificate reference names no known certificate") \
    X(ERR_CERT_ENCODING, "non-canonical certificate signature encoding") \
    X(ERR_CERT_TIME_POLICY, "no clock and no time floor to check validity") \
    X(ERR_CERT_REVOKED, "certificate revoked (on the deny-list)") \
    X(ERR_CERT_PIN, "certificate is not the one pinned for this peer") \
    X(ERR_ALERT_RECEIVED, "peer sent a fatal alert") \
    X(ERR_CLOSED, "session closed by authenticated close") \
    X(ERR_TRUNCATED, "session ended without authenticated close") \
    X(ERR_PEER_RESET, "peer started a new session") \
    X(ERR_INTEGRITY_LIMIT, "forged-record limit reached") \
    X(ERR_EPOCH_EXHAUSTED, "epoch counter exhausted") \
    X(ERR_RETRANSMIT_LIMIT, "stream data unacknowledged past the retry limit") \
    X(ERR_IDLE_TIMEOUT, "nothing heard from the peer") \
    X(ERR_RNG, "random source failed its health test") \
    X(ERR_CRYPTO, "crypto backend failure") \
    X(ERR_ARG, "invalid argument") \
    X(ERR_STATE, "call not valid in this state") \
    X(ERR_BUFFER, "buffer too small") \
    X(ERR_CONFIG, "invalid configuration") \
    X(ERR_TOO_BIG, "message too large") \
    X(ERR_NO_PEER, "no connection for that address")

/* The codes that exist, in ERRS order, and their names and descriptions as
 * NUL-separated runs: a switch over the sparse enum would compile to a
 * pointer per value 0..125 for each function. */
#define X(name, desc) SLINK_##name,
static const uint8_t err_codes[] = { ERRS(X) };
#undef X
#define X(name, desc) #name "\0"
static const char err_names[] = ERRS(X);
#undef X

/* The i-th string of a NUL-separated run, or NULL for a code not listed. */
static const char *nth(const char *run, slink_err e)
{
    size_t i;
    for (i = 0; i < sizeof err_codes; i++) {
        if ((int)err_codes[i] == (int)e) {
            while (i-- > 0)
                while (*run++ != '\0') {}
            return run;
        }
    }
    return NULL;
}

const char *slink_err_str(slink_err e)
{
    const char *n = nth(err_names, e);
    return n != NULL ? n : "UNKNOWN";
}

#if SLINK_CFG_LOG_TEXT
#define X(name, desc) desc "\0"
static const char err_descs[] = ERRS(X);
#undef X

const char *slink_err_desc(slink_err e)
{
    const char *d = nth(err_descs, e);
    return d != NULL ? d : "unknown error";
}
#else
const char *slink_err_desc(slink_err e)
{
    return slink_err_str(e);
}
#endif
