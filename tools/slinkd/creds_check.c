/* Our own certificate's dates.  The core checks peers' certificates
 * against the clock but cannot check its own at load (no platform there),
 * and mbedTLS 2.28 here has no time checks: the notAfter the core's
 * decoder read is compared with the wall clock here, to warn before peers
 * start refusing us. */
#include "daemon.h"
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void slinkd_cert_validity_of(const slink_crt *crt, int64_t now_s, slinkd_cert_validity *v)
{
    time_t t = (time_t)crt->not_after;
    struct tm tm;
    memset(v, 0, sizeof *v);
    v->not_after = crt->not_after;
    v->left_s = crt->not_after - now_s;
    v->expired = v->left_s < 0;
    v->soon = !v->expired && v->left_s < (int64_t)CERT_WARN_DAYS * 86400;
    if (gmtime_r(&t, &tm))
        strftime(v->not_after_text, sizeof v->not_after_text, "%Y-%m-%d %H:%M:%S UTC", &tm);
    else
        snprintf(v->not_after_text, sizeof v->not_after_text, "(unix %lld)", (long long)crt->not_after);
}

void slinkd_own_cert_validity(const slinkd *d, slinkd_cert_validity *v)
{
    slinkd_cert_validity_of(&d->creds[d->creds_cur].cert, (int64_t)time(NULL), v);
}

void slinkd_warn_cert_expiry(const slink_creds *c, const char *path)
{
    slinkd_cert_validity v;
    slinkd_cert_validity_of(&c->cert, (int64_t)time(NULL), &v);
    if (v.expired)
        logm(SLINK_LOG_WARN, -1, "own certificate %s EXPIRED on %s (%lld day(s) ago): peers refuse it; issue a "
             "new one (slink-pki issue ...) and reload (slinkctl reload)", path, v.not_after_text,
             (long long)(-v.left_s / 86400));
    else if (v.soon)
        logm(SLINK_LOG_WARN, -1, "own certificate %s expires on %s (in %lld day(s)): peers will refuse it then; "
             "renew it (slink-pki issue ...) and reload (slinkctl reload)", path, v.not_after_text,
             (long long)(v.left_s / 86400));
}
