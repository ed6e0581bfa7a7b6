/* slink-pki: create a private root CA and host/device certificates for
 * slink, inspect them, print their certificate-by-hash reference, and run
 * the core's peer-certificate policy on them.  See docs/PKI.md. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/x509_crt.h>

#include "slink/cert.h"
#include "slink/crt.h"
#include "slink/err.h"
#include "slink/version.h"
#include "pki_lib.h"
#include "../p11/p11_key.h"
#include "../keydiag/key_diag.h"

#define FILE_MAX (64 * 1024)

static const char usage[] =
    "usage: slink-pki <command> [options]\n"
    "\n"
    "  ca     --out-cert FILE --out-key FILE [--cn NAME] [--days N] [--der] [--force]\n"
    "         create a self-signed P-256 root CA (CA:TRUE, pathlen 0,\n"
    "         keyCertSign|cRLSign); default CN \"slink root CA\", 7300 days\n"
    "  issue  --ca-cert FILE --ca-key FILE --name NAME [--addr N] [--days N]\n"
    "         [--san] --out-cert FILE (--out-key FILE | --pubkey KEY) [--der] [--force]\n"
    "         issue a device/host certificate: CN=NAME, CA:FALSE,\n"
    "         digitalSignature; --addr N adds subjectAltName dNSName\n"
    "         \"addr-N.slink\" (bus address binding) and dNSName=NAME (a SAN\n"
    "         hides the CN), --san adds dNSName=NAME; default 825 days\n"
    "  show   CERT      subject, issuer, validity, key, extensions, size,\n"
    "                   reference, fingerprint\n"
    "  ref    CERT      print the 8-byte certificate reference (hex)\n"
    "  fingerprint CERT print the SHA-256 of the DER (hex), for slinkd's pin =\n"
    "  revoke CERT      print a deny-list line for it (fingerprint, comment):\n"
    "                   slink-pki revoke pump7.crt >> /etc/slink/deny.list\n"
    "  verify --ca FILE --name NAME CERT\n"
    "         run slink's peer certificate policy with the wall clock;\n"
    "         prints OK or the error (exit 0 / 1)\n"
    "\n"
    "Certificates and keys are read as PEM or DER.  Output is PEM unless --der.\n"
    "Keys are SEC1 and written with mode 0600; an existing key file is replaced\n"
    "only with --force.\n";

static int die(const char *fmt, const char *arg)
{
    fprintf(stderr, "slink-pki: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return 2;
}

static int os_rng(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    while (len > 0) {
        ssize_t n = getrandom(out, len, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        out += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads a whole file and appends a NUL so PEM input parses (mbedTLS wants
 * the NUL counted); *len excludes it unless the content is PEM. */
static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *buf = malloc(FILE_MAX + 1);
    if (!buf) { fclose(f); return NULL; }
    size_t n = fread(buf, 1, FILE_MAX + 1, f);
    int err = ferror(f);
    fclose(f);
    if (err || n > FILE_MAX) { free(buf); errno = err ? EIO : EFBIG; return NULL; }
    buf[n] = '\0';
    *len = strstr((char *)buf, "-----BEGIN ") ? n + 1 : n;
    return buf;
}

static int write_file(const char *path, const uint8_t *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0) return -1;
    /* open's mode only applies to new files; tighten an existing one too. */
    if (fchmod(fd, mode) != 0) { close(fd); return -1; }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    return close(fd);
}

static const char *opt(int argc, char **argv, const char *name)
{
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0) return argv[i + 1];
    return NULL;
}

static int flag(int argc, char **argv, const char *name)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], name) == 0) return 1;
    return 0;
}

/* Every argument must be a known option (with its value) or the allowed
 * number of positional arguments: typos fail loudly. */
static int check_args(int argc, char **argv, const char *const *with_val,
                      const char *const *flags, int positional, const char **posarg)
{
    int pos = 0;
    for (int i = 0; i < argc; i++) {
        int known = 0;
        for (const char *const *o = with_val; o && *o; o++)
            if (strcmp(argv[i], *o) == 0) {
                if (i + 1 >= argc) return die("option %s needs a value", argv[i]);
                i++;
                known = 1;
                break;
            }
        for (const char *const *o = flags; !known && o && *o; o++)
            if (strcmp(argv[i], *o) == 0) known = 1;
        if (known) continue;
        if (argv[i][0] == '-' && argv[i][1] != '\0') return die("unknown option %s (see --help)", argv[i]);
        if (++pos > positional) return die("unexpected argument %s (see --help)", argv[i]);
        if (posarg) *posarg = argv[i];
    }
    if (pos < positional) return die("%s", "missing certificate file argument (see --help)");
    return 0;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *s == '\0' || *end != '\0' || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static int validity(const char *days_s, long def_days, char nb[15], char na[15])
{
    long days = def_days;
    if (days_s && parse_int(days_s, 1, 36500, &days) != 0)
        return die("--days must be 1..36500, got '%s'", days_s);
    int64_t now = (int64_t)time(NULL);
    /* Back-date an hour so a peer whose clock is slightly behind accepts it. */
    pki_time_str(now - 3600, nb);
    pki_time_str(now + (int64_t)days * 86400, na);
    return 0;
}

static int write_outputs(const char *cert_path, const char *key_path,
                         const uint8_t *der, size_t der_len,
                         mbedtls_pk_context *key, int as_der)
{
    uint8_t pem[4096], kbuf[1024];
    size_t plen = 0, klen = 0;
    int rc = 0;
    if (as_der) {
        if (write_file(cert_path, der, der_len, 0644) != 0) rc = die("cannot write %s", cert_path);
    } else {
        if (pki_cert_pem(der, der_len, pem, sizeof pem, &plen) != 0) return die("%s", "PEM encoding failed");
        /* plen counts the NUL terminator; files do not carry it. */
        if (write_file(cert_path, pem, plen - 1, 0644) != 0) rc = die("cannot write %s", cert_path);
    }
    if (rc == 0 && key != NULL) {
        if (pki_key_write(key, as_der ? PKI_KEY_SEC1_DER : PKI_KEY_SEC1_PEM, kbuf, sizeof kbuf, &klen) != 0)
            rc = die("%s", "key encoding failed");
        else if (write_file(key_path, kbuf, as_der ? klen : klen - 1, 0600) != 0)
            rc = die("cannot write %s", key_path);
    }
    mbedtls_platform_zeroize(kbuf, sizeof kbuf);
    return rc;
}

/* A private key may be the only copy there is (a CA's above all), so an
 * existing key file is replaced only when asked; checked before any key is
 * made, so a refusal changes nothing. */
static int key_out_allowed(int argc, char **argv, const char *key_path)
{
    struct stat st;
    if (key_path == NULL || flag(argc, argv, "--force")) return 0;
    if (lstat(key_path, &st) != 0) return errno == ENOENT ? 0 : die("cannot check %s", key_path);
    return die("refusing to overwrite the key %s (it may be the only copy of a private key); "
               "give --force to replace it", key_path);
}

static int cmd_ca(int argc, char **argv)
{
    static const char *const vals[] = {"--out-cert", "--out-key", "--cn", "--days", NULL};
    static const char *const flags[] = {"--der", "--force", NULL};
    if (check_args(argc, argv, vals, flags, 0, NULL)) return 2;
    const char *oc = opt(argc, argv, "--out-cert"), *ok = opt(argc, argv, "--out-key");
    const char *cn = opt(argc, argv, "--cn");
    if (!oc || !ok) return die("%s", "ca needs --out-cert and --out-key");
    if (key_out_allowed(argc, argv, ok)) return 2;
    char nb[15], na[15];
    if (validity(opt(argc, argv, "--days"), 7300, nb, na)) return 2;

    mbedtls_pk_context key;
    pki_cert_opts o;
    uint8_t der[2048];
    size_t len = 0;
    int rc;
    mbedtls_pk_init(&key);
    pki_ca_defaults(&o, cn ? cn : "slink root CA", nb, na);
    if ((rc = pki_key_generate(&key, os_rng, NULL)) != 0) rc = die("%s", "key generation failed");
    else if ((rc = pki_cert_issue(&o, &key, NULL, NULL, os_rng, NULL, der, sizeof der, &len)) != 0)
        rc = die("cannot create the CA certificate (CN must be 1..64 of [A-Za-z0-9 ._-]): '%s'", o.cn);
    else if ((rc = write_outputs(oc, ok, der, len, &key, flag(argc, argv, "--der"))) == 0)
        printf("CA certificate %s (%zu bytes DER), key %s\n", oc, len, ok);
    mbedtls_pk_free(&key);
    return rc ? 2 : 0;
}

static int load_crt(const char *path, mbedtls_x509_crt *crt)
{
    size_t n = 0;
    uint8_t *buf = read_file(path, &n);
    if (!buf) return die("cannot read %s", path);
    int r = mbedtls_x509_crt_parse(crt, buf, n);
    free(buf);
    if (r != 0) return die("%s is not a certificate (PEM or DER)", path);
    return 0;
}

/* A public key to certify: a pkcs11: URI (read from the token, whose
 * private key stays there) or a file holding a SubjectPublicKeyInfo (PEM or
 * DER, as `pkcs11-tool --read-object --type pubkey` or `openssl pkey
 * -pubout` write it).  P-256 is checked when the certificate is made. */
static int load_pubkey(const char *src, mbedtls_pk_context *key)
{
    if (p11_key_is_uri(src)) {
        p11_key *k = NULL;
        uint8_t pub[SLINK_ECPUB_LEN];
        char err[300];
        int r = p11_key_open(&k, src, err, sizeof err) != 0 || p11_key_public(k, pub, err, sizeof err) != 0;
        p11_key_close(k);
        if (r) {
            fprintf(stderr, "slink-pki: %s\n", err);
            return 2;
        }
        if (mbedtls_pk_setup(key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0 ||
            mbedtls_ecp_group_load(&mbedtls_pk_ec(*key)->grp, MBEDTLS_ECP_DP_SECP256R1) != 0 ||
            mbedtls_ecp_point_read_binary(&mbedtls_pk_ec(*key)->grp, &mbedtls_pk_ec(*key)->Q, pub, sizeof pub) != 0 ||
            mbedtls_ecp_check_pubkey(&mbedtls_pk_ec(*key)->grp, &mbedtls_pk_ec(*key)->Q) != 0)
            return die("%s: the token's public key is not a P-256 point", src);
        return 0;
    }
    if (mbedtls_pk_parse_public_keyfile(key, src) != 0) {
        size_t n = 0;
        uint8_t *b = read_file(src, &n);
        kd_kind k = b ? kd_classify(b, n) : KD_UNKNOWN;
        if (b) { mbedtls_platform_zeroize(b, n); free(b); }
        if (k == KD_CERT)
            return die("%s holds a certificate, not a public key: take its key with "
                       "'openssl x509 -in CERT -pubkey -noout > PUBLIC.pem'", src);
        if (k == KD_KEY || k == KD_KEY_ENCRYPTED)
            return die("%s holds a private key: --pubkey takes only its public half "
                       "('openssl pkey -in KEY -pubout -out PUBLIC.pem'), so the private key stays where it is", src);
        return die("%s is not a public key (SubjectPublicKeyInfo, PEM or DER)", src);
    }
    {
        char why[400];
        if (kd_explain_pubkey_type(key, src, why, sizeof why))
            return die("%s", why);
    }
    return 0;
}

static int cmd_issue(int argc, char **argv)
{
    static const char *const vals[] = {"--ca-cert", "--ca-key", "--name", "--addr", "--days",
                                       "--out-cert", "--out-key", "--pubkey", NULL};
    static const char *const flags[] = {"--der", "--san", "--force", NULL};
    if (check_args(argc, argv, vals, flags, 0, NULL)) return 2;
    const char *cc = opt(argc, argv, "--ca-cert"), *ck = opt(argc, argv, "--ca-key");
    const char *name = opt(argc, argv, "--name"), *addr_s = opt(argc, argv, "--addr");
    const char *oc = opt(argc, argv, "--out-cert"), *ok = opt(argc, argv, "--out-key");
    /* --pubkey: certify a key made elsewhere (a token's, a device's) */
    const char *pk = opt(argc, argv, "--pubkey");
    if (!cc || !ck || !name || !oc || (!ok == !pk))
        return die("%s", "issue needs --ca-cert, --ca-key, --name, --out-cert and one of --out-key "
                         "(a new key) or --pubkey (a given one)");
    if (key_out_allowed(argc, argv, ok)) return 2;
    long addr = 0;
    if (addr_s && parse_int(addr_s, 1, 239, &addr) != 0)
        return die("--addr must be a unicast bus address 1..239, got '%s'", addr_s);
    char nb[15], na[15];
    if (validity(opt(argc, argv, "--days"), PKI_LEAF_DAYS_DEFAULT, nb, na)) return 2;

    mbedtls_x509_crt ca;
    mbedtls_pk_context ca_key, key;
    pki_cert_opts o;
    uint8_t der[2048];
    size_t len = 0, klen = 0;
    int rc = 0;
    mbedtls_x509_crt_init(&ca);
    mbedtls_pk_init(&ca_key);
    mbedtls_pk_init(&key);
    uint8_t *kb = NULL;
    if (load_crt(cc, &ca)) { rc = 2; goto out; }
    if (!ca.ca_istrue) { rc = die("%s is not a CA certificate (basicConstraints CA:TRUE)", cc); goto out; }
    if (!(kb = read_file(ck, &klen))) { rc = die("cannot read %s", ck); goto out; }
    {
        /* a certificate, an encrypted or an RSA key: say so, and what to do */
        char why[600];
        if (kd_explain_key(kb, klen, ck, "--ca-key", KD_CREATE_CA, why, sizeof why)) { rc = die("%s", why); goto out; }
    }
    if (mbedtls_pk_parse_key(&ca_key, kb, klen, NULL, 0) != 0) { rc = die("%s is not a private key (PEM or DER, unencrypted)", ck); goto out; }
    if (mbedtls_pk_check_pair(&ca.pk, &ca_key) != 0) {
        rc = die("--ca-key %s is not the key of the CA certificate given with --ca-cert (they are not a pair: "
                 "name the key written with it by slink-pki ca --out-key)", ck);
        goto out;
    }

    pki_leaf_defaults(&o, name, nb, na);
    o.addr = (int)addr;
    /* RFC 6125: a certificate with a dNSName is identified by its SAN
     * alone, so once --addr writes one the name goes there too. */
    o.san_name = flag(argc, argv, "--san") || addr > 0;
    if (pk != NULL) {
        if (load_pubkey(pk, &key) != 0) { rc = 2; goto out; }
    } else if (pki_key_generate(&key, os_rng, NULL) != 0) { rc = die("%s", "key generation failed"); goto out; }
    int r = pki_cert_issue(&o, &key, &ca, &ca_key, os_rng, NULL, der, sizeof der, &len);
    if (r == PKI_ERR_KEY) { rc = die("%s", "the CA key is not EC P-256"); goto out; }
    if (r != 0) { rc = die("cannot issue for '%s' (name: 1..64 of [A-Za-z0-9._-])", name); goto out; }
    if (len > SLINK_CERT_MAX) { rc = die("%s", "certificate larger than SLINK_CERT_MAX"); goto out; }
    if ((rc = write_outputs(oc, ok, der, len, pk ? NULL : &key, flag(argc, argv, "--der"))) == 0)
        printf("certificate %s for '%s' (%zu bytes DER), key %s\n", oc, name, len,
               pk ? (p11_key_is_uri(pk) ? "in the PKCS#11 token" : pk) : ok);
out:
    if (kb) { mbedtls_platform_zeroize(kb, FILE_MAX + 1); free(kb); }
    mbedtls_x509_crt_free(&ca);
    mbedtls_pk_free(&ca_key);
    mbedtls_pk_free(&key);
    return rc ? 2 : 0;
}

static void print_ref(const mbedtls_x509_crt *crt)
{
    uint8_t ref[SLINK_CERT_REF_LEN];
    slink_cert_ref(crt->raw.p, crt->raw.len, ref);
    for (size_t i = 0; i < sizeof ref; i++) printf("%02x", ref[i]);
    printf("\n");
}

static void print_fingerprint(const mbedtls_x509_crt *crt)
{
    uint8_t fp[SLINK_CERT_FP_LEN];
    slink_cert_fingerprint(crt->raw.p, crt->raw.len, fp);
    for (size_t i = 0; i < sizeof fp; i++) printf("%02x", fp[i]);
}

/* fingerprint: the bare hash (for `pin =`); revoke: a deny-list line, the
 * hash then a comment saying which certificate it was (slinkd reads only
 * the first word of a line). */
static int cmd_fingerprint(int argc, char **argv, int as_deny_line)
{
    const char *path = NULL;
    if (check_args(argc, argv, NULL, NULL, 1, &path)) return 2;
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    int rc = load_crt(path, &crt);
    if (rc == 0) {
        print_fingerprint(&crt);
        if (as_deny_line) {
            char subj[256], serial[128];
            const mbedtls_x509_time *t = &crt.valid_to;
            mbedtls_x509_dn_gets(subj, sizeof subj, &crt.subject);
            mbedtls_x509_serial_gets(serial, sizeof serial, &crt.serial);
            /* keep the comment on one line whatever the subject holds */
            for (char *c = subj; *c; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
            printf("  # %s serial %s notAfter %04d-%02d-%02d", subj, serial, t->year, t->mon, t->day);
        }
        printf("\n");
    }
    mbedtls_x509_crt_free(&crt);
    return rc;
}

static int cmd_ref(int argc, char **argv)
{
    const char *path = NULL;
    if (check_args(argc, argv, NULL, NULL, 1, &path)) return 2;
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    int rc = load_crt(path, &crt);
    if (rc == 0) print_ref(&crt);
    mbedtls_x509_crt_free(&crt);
    return rc;
}

static void print_time(const char *label, const mbedtls_x509_time *t)
{
    printf("%s%04d-%02d-%02d %02d:%02d:%02d UTC\n", label, t->year, t->mon, t->day,
           t->hour, t->min, t->sec);
}

static int cmd_show(int argc, char **argv)
{
    const char *path = NULL;
    if (check_args(argc, argv, NULL, NULL, 1, &path)) return 2;
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    int rc = load_crt(path, &crt);
    if (rc) { mbedtls_x509_crt_free(&crt); return rc; }
    char buf[512];
    mbedtls_x509_dn_gets(buf, sizeof buf, &crt.subject);
    printf("subject:     %s\n", buf);
    mbedtls_x509_dn_gets(buf, sizeof buf, &crt.issuer);
    printf("issuer:      %s\n", buf);
    mbedtls_x509_serial_gets(buf, sizeof buf, &crt.serial);
    printf("serial:      %s\n", buf);
    print_time("not before:  ", &crt.valid_from);
    print_time("not after:   ", &crt.valid_to);
    const char *curve = "?";
    if (mbedtls_pk_can_do(&crt.pk, MBEDTLS_PK_ECKEY)) {
        const mbedtls_ecp_curve_info *ci = mbedtls_ecp_curve_info_from_grp_id(mbedtls_pk_ec(crt.pk)->grp.id);
        curve = ci ? ci->name : "unknown curve";
    }
    printf("key:         %s %zu bits%s%s\n", mbedtls_pk_get_name(&crt.pk), mbedtls_pk_get_bitlen(&crt.pk),
           mbedtls_pk_can_do(&crt.pk, MBEDTLS_PK_ECKEY) ? " " : "",
           mbedtls_pk_can_do(&crt.pk, MBEDTLS_PK_ECKEY) ? curve : "");
    mbedtls_x509_sig_alg_gets(buf, sizeof buf, &crt.sig_oid, crt.sig_pk, crt.sig_md, crt.sig_opts);
    printf("signature:   %s\n", buf);
    printf("extensions:\n");
    if (crt.ext_types & MBEDTLS_X509_EXT_BASIC_CONSTRAINTS) {
        if (crt.ca_istrue && crt.max_pathlen > 0)
            printf("  basicConstraints: CA:TRUE, pathlen %d\n", crt.max_pathlen - 1);
        else
            printf("  basicConstraints: CA:%s\n", crt.ca_istrue ? "TRUE" : "FALSE");
    } else {
        printf("  basicConstraints: absent (not a CA)\n");
    }
    if (crt.ext_types & MBEDTLS_X509_EXT_KEY_USAGE) {
        static const struct { unsigned bit; const char *name; } ku[] = {
            {MBEDTLS_X509_KU_DIGITAL_SIGNATURE, "digitalSignature"},
            {MBEDTLS_X509_KU_NON_REPUDIATION, "nonRepudiation"},
            {MBEDTLS_X509_KU_KEY_ENCIPHERMENT, "keyEncipherment"},
            {MBEDTLS_X509_KU_DATA_ENCIPHERMENT, "dataEncipherment"},
            {MBEDTLS_X509_KU_KEY_AGREEMENT, "keyAgreement"},
            {MBEDTLS_X509_KU_KEY_CERT_SIGN, "keyCertSign"},
            {MBEDTLS_X509_KU_CRL_SIGN, "cRLSign"},
        };
        printf("  keyUsage:");
        for (size_t i = 0; i < sizeof ku / sizeof ku[0]; i++)
            if (crt.key_usage & ku[i].bit) printf(" %s", ku[i].name);
        printf("\n");
    }
    if (crt.ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME) {
        printf("  subjectAltName:");
        for (const mbedtls_x509_sequence *s = &crt.subject_alt_names; s && s->buf.p; s = s->next) {
            if (s->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_X509_SAN_DNS_NAME))
                printf(" DNS:%.*s", (int)s->buf.len, (const char *)s->buf.p);
            else
                printf(" (other)");
        }
        printf("\n");
    }
    if (crt.ext_types & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE) printf("  extendedKeyUsage: present\n");
    int other = crt.ext_types & ~(MBEDTLS_X509_EXT_BASIC_CONSTRAINTS | MBEDTLS_X509_EXT_KEY_USAGE |
                                  MBEDTLS_X509_EXT_SUBJECT_ALT_NAME | MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE);
    if (other) printf("  other extensions present (mbedTLS ext mask 0x%x)\n", (unsigned)other);
    printf("size:        %zu bytes DER\n", crt.raw.len);
    printf("reference:   ");
    print_ref(&crt);
    printf("fingerprint: ");
    print_fingerprint(&crt);
    printf("\n");
    /* The lines above come from mbedTLS's lenient parser; whether slink
     * itself will take the certificate is its own decoder's call. */
    slink_crt sc;
    slink_err pe = slink_crt_parse(&sc, crt.raw.p, crt.raw.len);
    printf("slink:       %s\n",
           pe == SLINK_OK ? "within the profile (PKI.md 3.1)"
           : pe == SLINK_ERR_CERT_KEY_TYPE ? "REFUSED: key or signature is not P-256 / ecdsa-with-SHA256"
           : pe == SLINK_ERR_CERT_ENCODING ? "REFUSED: signature value is not canonical DER"
           : "REFUSED: not DER within the profile (PKI.md 3.1)");
    mbedtls_x509_crt_free(&crt);
    return 0;
}

static int wall_clock(void *ctx, int64_t *t)
{
    (void)ctx;
    *t = (int64_t)time(NULL);
    return 0;
}

static void log_stderr(void *ctx, int level, const char *msg)
{
    (void)ctx;
    static const char *const lv[] = {"error", "warn", "info", "debug"};
    fprintf(stderr, "slink-pki: %s: %s\n", (level >= 0 && level < 4) ? lv[level] : "log", msg);
}

static int cmd_verify(int argc, char **argv)
{
    static const char *const vals[] = {"--ca", "--name", NULL};
    const char *path = NULL;
    if (check_args(argc, argv, vals, NULL, 1, &path)) return 2;
    const char *ca_path = opt(argc, argv, "--ca"), *name = opt(argc, argv, "--name");
    if (!ca_path || !name) return die("%s", "verify needs --ca and --name");

    /* slink_creds is large on a host build (it holds DER copies) */
    static slink_creds creds;
    /* verify_peer only consults the trust anchor, so no own cert/key. */
    mbedtls_x509_crt peer;
    mbedtls_x509_crt_init(&peer);
    int rc = 0;
    size_t ca_len = 0;
    uint8_t *ca_buf = read_file(ca_path, &ca_len);
    const char *why = NULL;
    if (!ca_buf) rc = die("cannot read %s", ca_path);
    if (rc == 0 && slink_creds_set_ca(&creds, ca_buf, ca_len, &why) != SLINK_OK)
        rc = die("CA refused: %s", why ? why : "not a CA certificate");
    free(ca_buf);
    if (rc == 0) rc = load_crt(path, &peer);
    if (rc == 0) {
        slink_platform plat;
        memset(&plat, 0, sizeof plat);
        plat.wall_time = wall_clock;
        plat.log = log_stderr;
        slink_peer_policy pol;
        memset(&pol, 0, sizeof pol);
        pol.name = name;
        pol.time_mode = SLINK_TIME_CLOCK_REQUIRED;
        slink_err e = slink_cert_verify_peer(&creds, &pol, &plat, peer.raw.p, peer.raw.len, NULL);
        if (e == SLINK_OK) {
            printf("OK\n");
        } else {
            printf("%s: %s\n", slink_err_str(e), slink_err_desc(e));
            rc = 1;
        }
    }
    mbedtls_x509_crt_free(&peer);
    slink_creds_free(&creds);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("slink-pki %s\n", SLINK_VERSION_STRING);
        return 0;
    }
    if (flag(argc - 2, argv + 2, "--help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "ca") == 0) return cmd_ca(argc - 2, argv + 2);
    if (strcmp(cmd, "issue") == 0) return cmd_issue(argc - 2, argv + 2);
    if (strcmp(cmd, "show") == 0) return cmd_show(argc - 2, argv + 2);
    if (strcmp(cmd, "ref") == 0) return cmd_ref(argc - 2, argv + 2);
    if (strcmp(cmd, "fingerprint") == 0) return cmd_fingerprint(argc - 2, argv + 2, 0);
    if (strcmp(cmd, "revoke") == 0) return cmd_fingerprint(argc - 2, argv + 2, 1);
    if (strcmp(cmd, "verify") == 0) return cmd_verify(argc - 2, argv + 2);
    fprintf(stderr, "slink-pki: unknown command '%s'\n\n%s", cmd, usage);
    return 2;
}
