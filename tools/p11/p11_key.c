/* PKCS#11 identity keys through p11-kit (see p11_key.h). */
#include "p11_key.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>
#include <p11-kit/pkcs11.h>

struct p11_key {
    CK_FUNCTION_LIST **all;      /* p11-kit's registered modules, or NULL */
    CK_FUNCTION_LIST *one;       /* the module named by module-path, or NULL */
    CK_FUNCTION_LIST *f;         /* the module holding the token */
    CK_SESSION_HANDLE s;
    CK_OBJECT_HANDLE priv;
    int have_session;
};

/* DER of the named curve prime256v1 (1.2.840.10045.3.1.7), CKA_EC_PARAMS. */
static const uint8_t P256_OID[] = { 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 };

int p11_key_is_uri(const char *s)
{
    return s != NULL && strncmp(s, "pkcs11:", 7) == 0;
}

static int fail(char *err, size_t cap, const char *what, CK_RV rv)
{
    if (rv != CKR_OK)
        snprintf(err, cap, "%s (PKCS#11 error 0x%lx)", what, (unsigned long)rv);
    else
        snprintf(err, cap, "%s", what);
    return -1;
}

/* pin-source: a file (plain path or file: URI) whose first line is the PIN. */
static int read_pin_source(const char *src, char *pin, size_t cap)
{
    FILE *fp;
    size_t n;
    if (strncmp(src, "file:", 5) == 0) src += 5;
    fp = fopen(src, "r");
    if (fp == NULL) return -1;
    if (fgets(pin, (int)cap, fp) == NULL) {
        fclose(fp);
        return -1;
    }
    fclose(fp);
    n = strcspn(pin, "\r\n");
    pin[n] = '\0';
    return 0;
}

/* The one token the URI matches, over every loaded module. */
static int find_token(p11_key *k, CK_FUNCTION_LIST **mods, P11KitUri *u, CK_SLOT_ID *slot,
                      char *err, size_t cap)
{
    int found = 0;
    for (size_t m = 0; mods[m] != NULL; m++) {
        CK_FUNCTION_LIST *f = mods[m];
        CK_INFO info;
        CK_ULONG n = 0;
        CK_SLOT_ID *slots;
        if (f->C_GetInfo(&info) != CKR_OK || !p11_kit_uri_match_module_info(u, &info))
            continue;
        if (f->C_GetSlotList(CK_TRUE, NULL, &n) != CKR_OK || n == 0)
            continue;
        slots = calloc(n, sizeof *slots);
        if (slots == NULL) return fail(err, cap, "out of memory", CKR_OK);
        if (f->C_GetSlotList(CK_TRUE, slots, &n) == CKR_OK) {
            for (CK_ULONG i = 0; i < n; i++) {
                CK_TOKEN_INFO ti;
                if (f->C_GetTokenInfo(slots[i], &ti) != CKR_OK || !p11_kit_uri_match_token_info(u, &ti))
                    continue;
                found++;
                k->f = f;
                *slot = slots[i];
            }
        }
        free(slots);
    }
    if (found == 0) return fail(err, cap, "no PKCS#11 token matches the URI", CKR_OK);
    if (found > 1) return fail(err, cap, "more than one PKCS#11 token matches the URI (name it with token=...)", CKR_OK);
    return 0;
}

/* Exactly one object of class cls matching the URI's attributes (and id,
 * when given). */
static int find_one(p11_key *k, P11KitUri *u, CK_OBJECT_CLASS cls, const CK_ATTRIBUTE *id,
                    CK_OBJECT_HANDLE *out)
{
    CK_ATTRIBUTE tmpl[8];
    CK_ULONG nt = 0, na = 0, got = 0;
    CK_ATTRIBUTE *a = u != NULL ? p11_kit_uri_get_attributes(u, &na) : NULL;
    CK_KEY_TYPE kt = CKK_EC;
    CK_OBJECT_HANDLE h[2];
    CK_RV rv;

    tmpl[nt].type = CKA_CLASS;
    tmpl[nt].pValue = &cls;
    tmpl[nt++].ulValueLen = sizeof cls;
    tmpl[nt].type = CKA_KEY_TYPE;
    tmpl[nt].pValue = &kt;
    tmpl[nt++].ulValueLen = sizeof kt;
    for (CK_ULONG i = 0; i < na && nt < 7; i++)
        if (a[i].type == CKA_ID || a[i].type == CKA_LABEL)
            tmpl[nt++] = a[i];
    if (id != NULL)
        tmpl[nt++] = *id;
    rv = k->f->C_FindObjectsInit(k->s, tmpl, nt);
    if (rv != CKR_OK) return -1;
    rv = k->f->C_FindObjects(k->s, h, 2, &got);
    k->f->C_FindObjectsFinal(k->s);
    if (rv != CKR_OK) return -1;
    if (got != 1) return got == 0 ? -2 : -3;
    *out = h[0];
    return 0;
}

int p11_key_open(p11_key **out, const char *uri, char *err, size_t cap)
{
    P11KitUri *u = p11_kit_uri_new();
    p11_key *k = calloc(1, sizeof *k);
    CK_FUNCTION_LIST *single[2] = { NULL, NULL };
    CK_FUNCTION_LIST **mods;
    CK_SLOT_ID slot = 0;
    const char *path, *pinv, *pins;
    char pin[256];
    CK_ATTRIBUTE params;
    uint8_t pbuf[32];
    CK_RV rv;
    int r;

    *out = NULL;
    if (u == NULL || k == NULL) {
        p11_kit_uri_free(u);
        free(k);
        return fail(err, cap, "out of memory", CKR_OK);
    }
    if (p11_kit_uri_parse(uri, P11_KIT_URI_FOR_ANY, u) != P11_KIT_URI_OK) {
        fail(err, cap, "not a PKCS#11 URI (RFC 7512)", CKR_OK);
        goto bad;
    }
    path = p11_kit_uri_get_module_path(u);
    if (path != NULL) {
        k->one = p11_kit_module_load(path, 0);
        if (k->one == NULL) {
            snprintf(err, cap, "cannot load PKCS#11 module %s: %s", path, p11_kit_message());
            goto bad;
        }
        rv = p11_kit_module_initialize(k->one);
        if (rv != CKR_OK) {
            p11_kit_module_release(k->one);
            k->one = NULL;
            fail(err, cap, "PKCS#11 module does not initialise", rv);
            goto bad;
        }
        single[0] = k->one;
        mods = single;
    } else {
        k->all = p11_kit_modules_load_and_initialize(0);
        if (k->all == NULL) {
            snprintf(err, cap, "p11-kit loads no PKCS#11 module: %s", p11_kit_message());
            goto bad;
        }
        mods = k->all;
    }
    if (find_token(k, mods, u, &slot, err, cap) != 0) goto bad;
    rv = k->f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &k->s);
    if (rv != CKR_OK) {
        fail(err, cap, "cannot open a session on the token", rv);
        goto bad;
    }
    k->have_session = 1;
    pinv = p11_kit_uri_get_pin_value(u);
    pins = p11_kit_uri_get_pin_source(u);
    pin[0] = '\0';
    if (pinv != NULL) {
        snprintf(pin, sizeof pin, "%s", pinv);
    } else if (pins != NULL && read_pin_source(pins, pin, sizeof pin) != 0) {
        fail(err, cap, "cannot read the PIN from pin-source", CKR_OK);
        goto bad;
    }
    if (pinv != NULL || pins != NULL) {
        rv = k->f->C_Login(k->s, CKU_USER, (CK_UTF8CHAR *)pin, (CK_ULONG)strlen(pin));
        memset(pin, 0, sizeof pin);
        if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
            fail(err, cap, "token login refused", rv);
            goto bad;
        }
    }
    r = find_one(k, u, CKO_PRIVATE_KEY, NULL, &k->priv);
    if (r != 0) {
        fail(err, cap, r == -2 ? "no EC private key in the token matches the URI (or not logged in: give pin-value or pin-source)"
                     : r == -3 ? "more than one EC private key matches the URI (name it with id=... or object=...)"
                               : "cannot search the token", CKR_OK);
        goto bad;
    }
    /* P-256 only (suite 1); a token that does not tell is left to the
     * signature check when credentials load. */
    params.type = CKA_EC_PARAMS;
    params.pValue = pbuf;
    params.ulValueLen = sizeof pbuf;
    if (k->f->C_GetAttributeValue(k->s, k->priv, &params, 1) == CKR_OK &&
        (params.ulValueLen != sizeof P256_OID || memcmp(pbuf, P256_OID, sizeof P256_OID) != 0)) {
        fail(err, cap, "the token's key is not on P-256 (prime256v1)", CKR_OK);
        goto bad;
    }
    p11_kit_uri_free(u);
    *out = k;
    return 0;
bad:
    p11_kit_uri_free(u);
    p11_key_close(k);
    return -1;
}

static slink_err p11_sign_hash(void *ctx, const uint8_t hash[32], uint8_t sig[SLINK_SIG_LEN], slink_rng *rng)
{
    p11_key *k = ctx;
    CK_MECHANISM mech = { CKM_ECDSA, NULL, 0 };
    CK_ULONG len = SLINK_SIG_LEN;
    (void)rng;   /* the token draws its own nonce */
    if (k == NULL || k->f == NULL) return SLINK_ERR_ARG;
    if (k->f->C_SignInit(k->s, &mech, k->priv) != CKR_OK)
        return SLINK_ERR_CRYPTO;
    /* CKM_ECDSA signs the digest as given and returns r || s, each as
     * long as the order (PKCS#11 v2.40 §2.3.1): the raw form slink uses. */
    if (k->f->C_Sign(k->s, (CK_BYTE *)hash, 32, sig, &len) != CKR_OK || len != SLINK_SIG_LEN)
        return SLINK_ERR_CRYPTO;
    return SLINK_OK;
}

slink_signer p11_key_signer(p11_key *k)
{
    slink_signer s;
    s.sign_hash = p11_sign_hash;
    s.ctx = k;
    return s;
}

/* CKA_EC_POINT is a DER OCTET STRING holding the point (PKCS#11 v2.40);
 * some tokens give the bare point. */
static int ec_point(const uint8_t *v, CK_ULONG n, uint8_t pub[SLINK_ECPUB_LEN])
{
    if (n == SLINK_ECPUB_LEN + 2 && v[0] == 0x04 && v[1] == SLINK_ECPUB_LEN) {
        v += 2;
        n -= 2;
    }
    if (n != SLINK_ECPUB_LEN || v[0] != 0x04) return -1;
    memcpy(pub, v, SLINK_ECPUB_LEN);
    return 0;
}

int p11_key_public(p11_key *k, uint8_t pub[SLINK_ECPUB_LEN], char *err, size_t cap)
{
    uint8_t idb[256], pt[SLINK_ECPUB_LEN + 8];
    CK_ATTRIBUTE id = { CKA_ID, idb, sizeof idb }, point = { CKA_EC_POINT, pt, sizeof pt };
    CK_OBJECT_HANDLE pubh;

    if (k->f->C_GetAttributeValue(k->s, k->priv, &id, 1) == CKR_OK &&
        find_one(k, NULL, CKO_PUBLIC_KEY, &id, &pubh) == 0 &&
        k->f->C_GetAttributeValue(k->s, pubh, &point, 1) == CKR_OK &&
        ec_point(pt, point.ulValueLen, pub) == 0)
        return 0;
    point.ulValueLen = sizeof pt;
    if (k->f->C_GetAttributeValue(k->s, k->priv, &point, 1) == CKR_OK &&
        ec_point(pt, point.ulValueLen, pub) == 0)
        return 0;
    return fail(err, cap, "the token has no public key (CKA_EC_POINT) for this private key", CKR_OK);
}

void p11_key_close(p11_key *k)
{
    if (k == NULL) return;
    if (k->have_session && k->f != NULL)
        k->f->C_CloseSession(k->s);
    if (k->one != NULL) {
        p11_kit_module_finalize(k->one);
        p11_kit_module_release(k->one);
    }
    if (k->all != NULL)
        p11_kit_modules_finalize_and_release(k->all);
    free(k);
}
