/* In-memory test PKI: deterministic CA and leaf certificates for unit tests
 * (no files, no system RNG).  Same seed, same bytes.
 *
 * Typical use:
 *     slink_creds creds;
 *     ck_assert_int_eq(test_pki_load_creds(&creds, test_pki_default_ca(),
 *                                          test_pki_default_host()), SLINK_OK);
 *     ... peer policy name TEST_PKI_DEVICE_NAME, peer cert
 *         test_pki_default_device()->der / der_len ...
 *     slink_creds_free(&creds);
 *
 * Default validity is 2025-01-01..2035-01-01, which contains the fake
 * platform's wall time (1800000000 = 2027-01-15). */
#ifndef SLINK_TEST_PKI_H
#define SLINK_TEST_PKI_H

#include <stddef.h>
#include <stdint.h>
#include "slink/cert.h"
#include "slink/config.h"

typedef struct {
    uint8_t der[SLINK_CERT_MAX];  /* certificate, DER */
    size_t der_len;
    uint8_t key[512];             /* private key, SEC1 DER */
    size_t key_len;
} test_cred;

#define TEST_PKI_CA_NAME      "slink test CA"
#define TEST_PKI_HOST_NAME    "host-1"     /* default host leaf CN (bus address 1) */
#define TEST_PKI_DEVICE_NAME  "dev-7"      /* default device leaf CN (bus address 7) */
#define TEST_PKI_DEVICE2_NAME "dev-9"      /* a second device from the same CA */
#define TEST_PKI_NOT_BEFORE   "20250101000000"
#define TEST_PKI_NOT_AFTER    "20350101000000"

/* Self-signed P-256 root: CA:TRUE pathlen 0, keyCertSign|cRLSign.
 * Returns 0 on success. */
int test_pki_ca(test_cred *ca, const char *cn, uint64_t seed);

/* The root from re-issued: same key and subject (TEST_PKI_CA_NAME), new
 * validity end and serial, so another DER that issued the same leaves.
 * Returns 0 on success. */
int test_pki_ca_reissue(const test_cred *from, test_cred *ca, const char *not_after);

typedef struct {
    const char *name;        /* subject CN; NULL = "leaf" */
    int is_ca;               /* basicConstraints CA:TRUE (a bad leaf) */
    int key_usage;           /* MBEDTLS_X509_KU_* bits; -1 = omit the extension;
                                0 = default (digitalSignature) */
    const char *not_before;  /* "YYYYMMDDhhmmss"; NULL = TEST_PKI_NOT_BEFORE */
    const char *not_after;   /* NULL = TEST_PKI_NOT_AFTER */
    int omit_bc;             /* no basicConstraints extension */
    int san_name;            /* add subjectAltName dNSName = name */
    const char *san_only;    /* if set: CN = name, and SAN dNSName = this (not name) */
    int addr;                /* > 0: add SAN dNSName "addr-<N>.slink" */
} test_leaf_opts;

/* Leaf signed by ca.  o NULL = defaults: CN "leaf", CA:FALSE,
 * digitalSignature, valid TEST_PKI_NOT_BEFORE..TEST_PKI_NOT_AFTER.
 * Returns 0 on success. */
int test_pki_leaf(const test_cred *ca, test_cred *leaf, const test_leaf_opts *o, uint64_t seed);

/* slink_creds_load over DER fixtures; returns its slink_err (SLINK_OK).
 * In a build without it (SLINK_CFG_CREDS_COPY 0) slink_creds_load_static,
 * which keeps pointing into ca and leaf: they must outlive c. */
int test_pki_load_creds(slink_creds *c, const test_cred *ca, const test_cred *leaf);

/* Cached fixtures (built on first use, constant afterwards): one CA and
 * three leaves it issued (host-1, dev-7, dev-9), plus a second, unrelated
 * CA with a leaf named dev-7 (for "wrong CA" tests). */
const test_cred *test_pki_default_ca(void);
const test_cred *test_pki_default_host(void);
const test_cred *test_pki_default_device(void);
const test_cred *test_pki_default_device2(void);
const test_cred *test_pki_other_ca(void);
const test_cred *test_pki_other_device(void);

/* A policy with name, CLOCK_OR_FLOOR and no floor (the fake platform has a
 * clock by default). */
slink_peer_policy test_pki_policy(const char *name);

/* Writes the default CA as dir/ourca.crt and its key as dir/ourca.key
 * (PEM, SEC 1), so tests that run the openssl CLI can issue under it.
 * 0 on success. */
int test_pki_write_default_ca_pem(const char *dir);

#endif
