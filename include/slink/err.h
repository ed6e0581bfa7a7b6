/* One error enum for the whole library.  Codes are grouped into classes by
 * value range so a caller can decide what to do without a table:
 *   0            ok
 *   1..19        need more input / would block: try again later
 *   20..59       drop this frame or record: counted, session unaffected
 *   60..119      fatal for the session: the connection stops, the code sticks
 *   120..        programming or configuration error: fix the caller */
#ifndef SLINK_ERR_H
#define SLINK_ERR_H

typedef enum {
    SLINK_OK = 0,

    /* class: again */
    SLINK_ERR_AGAIN = 1,          /* nothing to do now (no data, no room) */
    SLINK_ERR_NEED_MORE = 2,      /* partial input consumed, feed more bytes */
    SLINK_ERR_WOULD_BLOCK = 3,    /* send window or buffer full: back-pressure */
    SLINK_ERR_NOT_READY = 4,      /* session not established yet */
    SLINK_ERR_STREAM_END = 5,     /* recv: the peer ended this application stream (§3.6.1);
                                     returned once, then the next stream's bytes follow */

    /* class: drop (frame or record discarded, session continues) */
    SLINK_ERR_FRAME_CRC = 20,
    SLINK_ERR_FRAME_RUNT = 21,
    SLINK_ERR_FRAME_OVERSIZE = 22,
    SLINK_ERR_FRAME_COBS = 23,
    SLINK_ERR_FRAME_NOT_FOR_US = 24,
    SLINK_ERR_FRAME_TIMEOUT = 25,     /* partial frame dropped after inter-byte gap */
    SLINK_ERR_FRAME_ADDR = 26,        /* reserved/invalid source address */
    SLINK_ERR_FRAME_TYPE = 27,        /* unknown frame type */
    SLINK_ERR_REC_MALFORMED = 30,     /* header or length does not parse */
    SLINK_ERR_REC_AUTH = 31,          /* AEAD tag did not verify (forgery or noise) */
    SLINK_ERR_REC_REPLAY = 32,        /* sequence number already seen or too old */
    SLINK_ERR_REC_EPOCH = 33,         /* epoch not current and not in grace */
    SLINK_ERR_REC_CONTENT = 34,       /* content type not allowed in this state */
    SLINK_ERR_HS_MALFORMED = 40,      /* handshake message does not parse */
    SLINK_ERR_HS_UNEXPECTED = 41,     /* message not valid in this state */
    SLINK_ERR_HS_DUPLICATE = 42,      /* duplicate answered from cache */
    SLINK_ERR_HS_RATE_LIMIT = 43,     /* first message refused: too soon */
    SLINK_ERR_HS_STALE = 44,          /* message from another handshake */
    SLINK_ERR_HS_TIE_BREAK = 45,      /* simultaneous open: peer's first message ignored */
    SLINK_ERR_DGRAM_DROPPED = 46,     /* datagram queue full */
    SLINK_ERR_STREAM_DUP = 47,        /* stream chunk already received */
    SLINK_ERR_STREAM_WINDOW = 48,     /* stream chunk outside the window */
    SLINK_ERR_HS_DECRYPT = 49,        /* encrypted handshake part failed AEAD: dropped, await retransmission */

    /* class: fatal for the session */
    SLINK_ERR_HS_TIMEOUT = 60,
    SLINK_ERR_HS_BAD_KEY = 62,        /* peer ephemeral key not on the curve / reflected */
    SLINK_ERR_HS_BAD_SIG = 63,        /* signature invalid or non-canonical */
    SLINK_ERR_HS_VERSION = 64,        /* unsupported version or suite */
    SLINK_ERR_HS_PLAINTEXT = 65,      /* authenticated handshake plaintext does not parse */
    SLINK_ERR_CERT_PARSE = 70,
    SLINK_ERR_CERT_CHAIN = 71,        /* not signed by the configured CA */
    SLINK_ERR_CERT_EXPIRED = 72,
    SLINK_ERR_CERT_NOT_YET_VALID = 73,
    SLINK_ERR_CERT_CA_LEAF = 74,      /* leaf has CA:TRUE */
    SLINK_ERR_CERT_KEY_USAGE = 75,    /* keyUsage present without digitalSignature */
    SLINK_ERR_CERT_KEY_TYPE = 76,     /* not an ECDSA P-256 key / not SHA-256 signed */
    SLINK_ERR_CERT_NAME = 77,         /* identity does not match the one configured for the address */
    SLINK_ERR_CERT_UNKNOWN_REF = 78,  /* certificate reference names no known certificate */
    SLINK_ERR_CERT_ENCODING = 79,     /* non-canonical DER in the certificate signature */
    SLINK_ERR_CERT_TIME_POLICY = 80,  /* no clock and no time floor configured */
    SLINK_ERR_CERT_REVOKED = 81,      /* SHA-256 of the certificate is on the deny-list */
    SLINK_ERR_CERT_PIN = 82,          /* not the certificate pinned for this address */
    SLINK_ERR_ALERT_RECEIVED = 90,    /* peer sent a fatal alert */
    SLINK_ERR_CLOSED = 91,            /* authenticated close received: clean end */
    SLINK_ERR_TRUNCATED = 92,         /* session ended without authenticated close */
    SLINK_ERR_PEER_RESET = 93,        /* peer started a new authenticated session */
    SLINK_ERR_INTEGRITY_LIMIT = 94,   /* too many forged records */
    SLINK_ERR_EPOCH_EXHAUSTED = 95,
    SLINK_ERR_RETRANSMIT_LIMIT = 96,  /* stream data unacknowledged too long */
    SLINK_ERR_IDLE_TIMEOUT = 97,      /* nothing heard from the peer */
    SLINK_ERR_RNG = 98,               /* entropy source failed its health test */
    SLINK_ERR_CRYPTO = 99,            /* crypto backend failure */

    /* class: programming / configuration error */
    SLINK_ERR_ARG = 120,
    SLINK_ERR_STATE = 121,            /* call not valid in this state */
    SLINK_ERR_BUFFER = 122,           /* caller buffer too small */
    SLINK_ERR_CONFIG = 123,
    SLINK_ERR_TOO_BIG = 124,          /* message larger than the channel allows */
    SLINK_ERR_NO_PEER = 125           /* no connection for that address */
} slink_err;

typedef enum {
    SLINK_CLASS_OK,
    SLINK_CLASS_AGAIN,
    SLINK_CLASS_DROP,
    SLINK_CLASS_FATAL,
    SLINK_CLASS_USAGE
} slink_err_class;

slink_err_class slink_err_classify(slink_err e);
const char *slink_err_str(slink_err e);   /* stable short name, e.g. "REC_AUTH" */
const char *slink_err_desc(slink_err e);  /* one human sentence */

/* The one family of guard macros. */
#define SLINK_TRY(expr) do { slink_err slink_try_e_ = (expr); \
    if (slink_try_e_ != SLINK_OK) return slink_try_e_; } while (0)
#define SLINK_CHECK(cond, err) do { if (!(cond)) return (err); } while (0)

#endif
