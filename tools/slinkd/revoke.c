/* Revocation and pinning in slinkd (docs/DAEMON.md, docs/PKI.md §8): the
 * deny-list the core checks on every handshake lives here, is replaced
 * as a whole on reload, and a session whose peer certificate a reload
 * revokes (or no longer matches the pin) is closed rather than left
 * running on a certificate the operator withdrew. */
#include "daemon.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

static void fp_hex(const uint8_t fp[SLINK_CERT_FP_LEN], char out[2 * SLINK_CERT_FP_LEN + 1])
{
    static const char hx[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < SLINK_CERT_FP_LEN; i++) {
        out[2 * i] = hx[fp[i] >> 4];
        out[2 * i + 1] = hx[fp[i] & 15u];
    }
    out[2 * SLINK_CERT_FP_LEN] = 0;
}

int slinkd_revocation_load(const slinkd_config *c, slinkd_denylist *out)
{
    char err[SLINKD_ERR];
    memset(out, 0, sizeof *out);
    if (slinkd_denylist_load(c, &out->fp, &out->n, err, sizeof err) != SLINKD_CFG_OK) {
        logm(SLINK_LOG_ERROR, -1, "%s", err);
        return -1;
    }
    return 0;
}

/* The session's certificate against the policy now in force: the same
 * rule as the core's (deny-list, then pin), on the certificate the session
 * was authenticated with. */
static const char *refused_now(const slinkd_peer *p, uint8_t fp[SLINK_CERT_FP_LEN])
{
    const slink_conn *c = &p->conn;
    const slink_peer_policy *pol = &c->cfg.policy;
    size_t i;
    if (slink_conn_get_state(c) != SLINK_CONN_ESTABLISHED || c->peer_cert_len == 0 ||
        slink_cert_fingerprint(c->peer_cert, c->peer_cert_len, fp) != SLINK_OK)
        return NULL;
    for (i = 0; i < pol->deny_count; i++)
        if (!memcmp(pol->deny[i], fp, SLINK_CERT_FP_LEN))
            return "is now on the deny-list";
    if (pol->pin != NULL && memcmp(pol->pin, fp, SLINK_CERT_FP_LEN) != 0)
        return "is not the certificate now pinned";
    return NULL;
}

void slinkd_revocation_apply(slinkd *d, slinkd_denylist *list, uint64_t now)
{
    size_t i;
    free(d->deny.fp);
    d->deny = *list;
    memset(list, 0, sizeof *list);
    for (i = 0; i < d->npeers; i++) {
        slinkd_peer *p = &d->peers[i];
        uint8_t fp[SLINK_CERT_FP_LEN];
        char hex[2 * SLINK_CERT_FP_LEN + 1];
        const char *why;
        /* the core reads these on every verification (the handshake keeps
         * a pointer to this policy), so the next handshake sees them */
        p->conn.cfg.policy.deny = (const uint8_t (*)[SLINK_CERT_FP_LEN])d->deny.fp;
        p->conn.cfg.policy.deny_count = d->deny.n;
        p->conn.cfg.policy.pin = p->cfg.has_pin ? p->cfg.pin : NULL;
        why = refused_now(p, fp);
        if (why == NULL)
            continue;
        fp_hex(fp, hex);
        logm(SLINK_LOG_WARN, (int)p->cfg.addr, "peer certificate sha256:%s %s: closing session %08x",
             hex, why, (unsigned)p->conn.session_id);
        snprintf(p->last_error, sizeof p->last_error, "session closed: peer certificate %s", why);
        if (!p->close_requested) {
            p->close_requested = 1;
            p->closing_session = p->conn.session_id;
            peer_note_own_close(p);
            slink_conn_close(&p->conn, now);
        }
    }
}
