/* `slinkctl metrics`: the counters of `status json` in the Prometheus text
 * exposition format (version 0.0.4): one "# HELP" and one "# TYPE" line per
 * family, then its samples, peers told apart by the labels peer (the
 * [peer NAME] section) and addr.  Families are written one at a time, every
 * peer inside each, as the format requires. */
#include "daemon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Label values: backslash, double quote and newline escaped. */
static void label_val(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            fprintf(f, "\\%c", *s);
        else if (*s == '\n')
            fputs("\\n", f);
        else
            fputc(*s, f);
    }
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample: NAME{device=..,[peer=..,addr=..,][KEY=VAL]} VALUE */
static void sample(FILE *f, const slinkd *d, const slinkd_peer *p, const char *name, const char *key,
                   const char *val, unsigned long long v)
{
    fprintf(f, "%s{device=\"", name);
    label_val(f, d->cfg.device);
    fputc('"', f);
    if (p) {
        fputs(",peer=\"", f);
        label_val(f, p->cfg.section);
        fprintf(f, "\",addr=\"%u\"", p->cfg.addr);
    }
    if (key)
        fprintf(f, ",%s=\"%s\"", key, val);
    fprintf(f, "} %llu\n", v);
}

static const slink_frame_stats *frames_of(const slinkd *d)
{
    return d->use_node ? &d->node.deframer.stats : &d->peers[0].conn.deframer.stats;
}

static void link_metrics(FILE *f, const slinkd *d, uint64_t now)
{
    const slink_frame_stats *fs = frames_of(d);
    static const char *const why[] = { "crc", "runt", "oversize", "cobs", "not_for_us", "bad_addr", "timeout" };
    unsigned v[7];
    size_t i;
    v[0] = fs->crc; v[1] = fs->runt; v[2] = fs->oversize; v[3] = fs->cobs;
    v[4] = fs->not_for_us; v[5] = fs->bad_addr; v[6] = fs->timeout;

    family(f, "slink_info", "gauge", "slinkd version (always 1)");
    fprintf(f, "slink_info{version=\"%s\"} 1\n", SLINK_VERSION_STRING);
    family(f, "slink_uptime_seconds", "gauge", "Seconds since slinkd started");
    sample(f, d, NULL, "slink_uptime_seconds", NULL, NULL, (unsigned long long)((now - d->started_ms) / 1000));
    {
        /* alert on it: peers refuse the certificate after this time */
        slinkd_cert_validity cv;
        slinkd_own_cert_validity(d, &cv);
        family(f, "slink_own_certificate_expiry_timestamp_seconds", "gauge",
               "notAfter of slinkd's own certificate, in Unix seconds");
        sample(f, d, NULL, "slink_own_certificate_expiry_timestamp_seconds", NULL, NULL,
               cv.not_after > 0 ? (unsigned long long)cv.not_after : 0u);
    }
    family(f, "slink_link_up", "gauge", "1 while the serial port is open");
    sample(f, d, NULL, "slink_link_up", NULL, NULL, port_is_open(&d->port) ? 1u : 0u);
    family(f, "slink_link_opens_total", "counter", "Times the serial port was opened");
    sample(f, d, NULL, "slink_link_opens_total", NULL, NULL, d->port_opens);
    family(f, "slink_link_losses_total", "counter", "Times the serial port was lost");
    sample(f, d, NULL, "slink_link_losses_total", NULL, NULL, d->port_losses);
    family(f, "slink_link_bytes_total", "counter", "Bytes read from (in) and written to (out) the serial port");
    sample(f, d, NULL, "slink_link_bytes_total", "direction", "in", (unsigned long long)d->port_bytes_in);
    sample(f, d, NULL, "slink_link_bytes_total", "direction", "out", (unsigned long long)d->port_bytes_out);
    family(f, "slink_link_frames_ok_total", "counter", "Frames received with a good CRC");
    sample(f, d, NULL, "slink_link_frames_ok_total", NULL, NULL, fs->frames_ok);
    family(f, "slink_link_frame_drops_total", "counter", "Frames dropped before any peer, by reason");
    for (i = 0; i < 7; i++)
        sample(f, d, NULL, "slink_link_frame_drops_total", "reason", why[i], v[i]);
}

/* Per-peer families: each row is one family with up to 9 labelled values. */
enum { PM_UP, PM_SESSIONS, PM_BYTES, PM_FRAMES, PM_RECORDS, PM_APP_BYTES, PM_DGRAMS, PM_RETX, PM_DROPS,
       PM_HS, PM_KEYUPD, PM_APPS, PM_APP_REFUSED, PM_APP_DROPPED, PM_COUNT };

static const struct {
    const char *name, *type, *help, *key;
    const char *vals[10];
} peer_fam[PM_COUNT] = {
    [PM_UP] = { "slink_peer_session_up", "gauge", "1 while the session with the peer is established", NULL,
                { NULL } },
    [PM_SESSIONS] = { "slink_peer_sessions_total", "counter", "Sessions established with the peer", NULL,
                      { NULL } },
    [PM_BYTES] = { "slink_peer_bytes_total", "counter", "Frame bytes exchanged with the peer", "direction",
                   { "in", "out", NULL } },
    [PM_FRAMES] = { "slink_peer_frames_total", "counter", "Frames exchanged with the peer", "direction",
                    { "in", "out", NULL } },
    [PM_RECORDS] = { "slink_peer_records_total", "counter", "Records exchanged with the peer", "direction",
                     { "in", "out", NULL } },
    [PM_APP_BYTES] = { "slink_peer_app_bytes_total", "counter", "Application bytes to and from the peer",
                       "direction", { "to_peer", "from_peer", NULL } },
    [PM_DGRAMS] = { "slink_peer_datagrams_total", "counter", "Application datagrams to and from the peer",
                    "direction", { "to_peer", "from_peer", NULL } },
    [PM_RETX] = { "slink_peer_retransmissions_total", "counter", "Retransmissions by kind", "kind",
                  { "stream", "stream_fast", "handshake", NULL } },
    [PM_DROPS] = { "slink_peer_record_drops_total", "counter", "Records and messages dropped, by reason",
                   "reason", { "replay", "auth", "epoch", "malformed", "records_dropped", "handshake_dropped",
                               "dgram_queue", "rate_limited", "too_long", NULL } },
    [PM_HS] = { "slink_peer_handshakes_total", "counter", "Handshakes by outcome", "result",
                { "started", "completed", "failed", "refused", NULL } },
    [PM_KEYUPD] = { "slink_peer_key_updates_total", "counter", "Key updates", "direction",
                    { "tx", "rx", NULL } },
    [PM_APPS] = { "slink_peer_app_connected", "gauge", "1 while an application is connected, by socket kind",
                  "kind", { "stream", "dgram", NULL } },
    [PM_APP_REFUSED] = { "slink_peer_app_refused_total", "counter",
                         "Application connections refused while one was connected", NULL, { NULL } },
    [PM_APP_DROPPED] = { "slink_peer_app_dropped_bytes_total", "counter",
                         "Received bytes no application read, by reason", "reason",
                         { "orphaned", "unread", NULL } },
};

static unsigned long long peer_value(const slinkd_peer *p, int fam, int i)
{
    const slink_conn *c = &p->conn;
    const slink_conn_stats *st = &c->stats;
    const slink_rec_stats *rs = &c->rec.stats;
    switch (fam) {
    case PM_UP: return slink_conn_get_state(c) == SLINK_CONN_ESTABLISHED;
    case PM_SESSIONS: return p->sessions;
    case PM_BYTES: return i ? st->bytes_out : st->bytes_in;
    case PM_FRAMES: return i ? st->frames_out : st->frames_in;
    case PM_RECORDS: return i ? st->records_out : st->records_in;
    case PM_APP_BYTES: return i ? p->app_from_peer : p->app_to_peer;
    case PM_DGRAMS: return i ? p->dgrams_from_peer : p->dgrams_to_peer;
    case PM_RETX: {
        const unsigned v[] = { c->stream.stats.retransmits, c->stream.stats.fast_retransmits, st->hs_retransmits };
        return v[i];
    }
    case PM_DROPS: {
        const unsigned v[] = { rs->replay, rs->auth_fail, rs->bad_epoch, rs->malformed, st->records_dropped,
                               st->hs_dropped, st->dgram_dropped, st->hs_rate_limited, st->records_too_long };
        return v[i];
    }
    case PM_HS: {
        const unsigned v[] = { st->hs_started, st->hs_completed, st->hs_failed, p->hs_failures };
        return v[i];
    }
    case PM_KEYUPD: return i ? rs->key_updates_rx : rs->key_updates_tx;
    case PM_APPS: return i ? p->dgram.fd >= 0 : p->stream.fd >= 0;
    case PM_APP_REFUSED: return p->app_refused;
    case PM_APP_DROPPED: return i ? p->unread_bytes : p->orphan_bytes;
    default: return 0;
    }
}

char *ctl_metrics(slinkd *d, size_t *len)
{
    char *buf = NULL;
    size_t n = 0, k;
    int fam, i;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        return NULL;
    link_metrics(f, d, slinkd_now_ms());
    for (fam = 0; fam < PM_COUNT; fam++) {
        family(f, peer_fam[fam].name, peer_fam[fam].type, peer_fam[fam].help);
        for (k = 0; k < d->npeers; k++) {
            const slinkd_peer *p = &d->peers[k];
            if (!peer_fam[fam].key) {
                sample(f, d, p, peer_fam[fam].name, NULL, NULL, peer_value(p, fam, 0));
                continue;
            }
            for (i = 0; peer_fam[fam].vals[i]; i++)
                sample(f, d, p, peer_fam[fam].name, peer_fam[fam].key, peer_fam[fam].vals[i],
                       peer_value(p, fam, i));
        }
    }
    family(f, "slink_peer_no_answer_seconds", "gauge",
           "Seconds nothing has come from the peer while there is no session (0: it answers)");
    for (k = 0; k < d->npeers; k++)
        sample(f, d, &d->peers[k], "slink_peer_no_answer_seconds", NULL, NULL,
               (unsigned long long)(peer_no_answer_ms(&d->peers[k], slinkd_now_ms()) / 1000u));
    if (ferror(f)) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}
