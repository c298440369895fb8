/*
 * ca.c — loading CA certificates and reading certificates back. See ca.h.
 */
#include "pki/ca.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static int asn1_time_to_unix(const ASN1_TIME *t, int64_t *out)
{
    struct tm tm;

    if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
        return -1;
    *out = (int64_t)timegm(&tm);
    return 0;
}

static X509 *parse_der(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);

    if (x && p != der + len) {
        X509_free(x);
        x = NULL;
    }
    ERR_clear_error();
    return x;
}

int pki_ca_load(pki_ca *ca, const unsigned char *cert_der, size_t cert_len, pki_signer *signer,
                ct_error *err)
{
    X509 *x = parse_der(cert_der, cert_len);
    const ASN1_OCTET_STRING *ski;
    unsigned char *name = NULL;
    int name_len;

    memset(ca, 0, sizeof *ca);
    ca->signer = signer;
    if (x == NULL) {
        pki_ca_free(ca);
        return ct_fail(err, 500, "ca.cert", "chứng thư CA không đọc được",
                       "the CA certificate cannot be parsed");
    }
    ski = X509_get0_subject_key_id(x);
    name_len = i2d_X509_NAME(X509_get_subject_name(x), &name);
    ca->cert_der = malloc(cert_len);
    if (ski == NULL || ski->length != CERT_KEY_ID_LEN || name_len <= 0 || ca->cert_der == NULL ||
        asn1_time_to_unix(X509_get0_notBefore(x), &ca->not_before) != 0 ||
        asn1_time_to_unix(X509_get0_notAfter(x), &ca->not_after) != 0) {
        OPENSSL_free(name);
        X509_free(x);
        pki_ca_free(ca);
        return ct_fail(err, 500, "ca.cert", "chứng thư CA thiếu trường bắt buộc",
                       "the CA certificate lacks a required field");
    }
    memcpy(ca->cert_der, cert_der, cert_len);
    ca->cert_len = cert_len;
    memcpy(ca->key_id, ski->data, CERT_KEY_ID_LEN);
    ca->subject_der = malloc((size_t)name_len);
    if (ca->subject_der == NULL) {
        OPENSSL_free(name);
        X509_free(x);
        pki_ca_free(ca);
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    memcpy(ca->subject_der, name, (size_t)name_len);
    ca->subject_len = (size_t)name_len;
    OPENSSL_free(name);
    X509_free(x);
    return 0;
}

void pki_ca_free(pki_ca *ca)
{
    free(ca->cert_der);
    free(ca->subject_der);
    signer_free(ca->signer);
    memset(ca, 0, sizeof *ca);
}

cert_issuer pki_ca_issuer(const pki_ca *ca)
{
    cert_issuer is;

    is.signer = ca->signer;
    is.name_der = ca->subject_der;
    is.name_len = ca->subject_len;
    memcpy(is.key_id, ca->key_id, CERT_KEY_ID_LEN);
    return is;
}

static void name_text(X509_NAME *name, char *out, size_t size)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *p;
    long n;

    out[0] = '\0';
    if (bio == NULL)
        return;
    /* UTF-8 as is (no \\XX escapes of multibyte characters), most specific RDN first. */
    X509_NAME_print_ex(bio, name, 0,
                       (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB & ~XN_FLAG_SEP_MASK) |
                           XN_FLAG_SEP_CPLUS_SPC);
    n = BIO_get_mem_data(bio, &p);
    if (n > 0)
        snprintf(out, size, "%.*s", (int)n, p);
    BIO_free(bio);
}

int pki_cert_info_read(const unsigned char *der, size_t len, pki_cert_info *out, ct_error *err)
{
    X509 *x = parse_der(der, len);
    unsigned char md[32];
    const ASN1_INTEGER *serial;
    BIGNUM *bn;
    char *hex;

    memset(out, 0, sizeof *out);
    if (x == NULL)
        return ct_fail(err, 400, "cert.malformed", "chứng thư không đọc được",
                       "the certificate cannot be parsed");
    name_text(X509_get_subject_name(x), out->subject, sizeof out->subject);
    name_text(X509_get_issuer_name(x), out->issuer, sizeof out->issuer);
    serial = X509_get0_serialNumber(x);
    bn = ASN1_INTEGER_to_BN(serial, NULL);
    hex = bn ? BN_bn2hex(bn) : NULL;
    snprintf(out->serial_hex, sizeof out->serial_hex, "%s", hex ? hex : "");
    OPENSSL_free(hex);
    BN_free(bn);
    asn1_time_to_unix(X509_get0_notBefore(x), &out->not_before);
    asn1_time_to_unix(X509_get0_notAfter(x), &out->not_after);
    EVP_Digest(der, len, md, NULL, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++)
        snprintf(out->sha256_hex + 2 * i, 3, "%02X", md[i]);
    X509_free(x);
    return 0;
}

int pki_cert_subject_spki(const unsigned char *der, size_t len, unsigned char **subject,
                          size_t *subject_len, unsigned char **spki, size_t *spki_len,
                          ct_error *err)
{
    X509 *x = parse_der(der, len);
    unsigned char *name = NULL, *key = NULL;
    int name_n = x ? i2d_X509_NAME(X509_get_subject_name(x), &name) : -1;
    int key_n = x ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &key) : -1;
    int rc = -1;

    if (name_n > 0 && key_n > 0) {
        *subject = malloc((size_t)name_n);
        *spki = malloc((size_t)key_n);
        if (*subject && *spki) {
            memcpy(*subject, name, (size_t)name_n);
            memcpy(*spki, key, (size_t)key_n);
            *subject_len = (size_t)name_n;
            *spki_len = (size_t)key_n;
            rc = 0;
        } else {
            free(*subject);
            free(*spki);
            *subject = *spki = NULL;
            ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
        }
    } else {
        ct_fail(err, 400, "cert.malformed", "chứng thư không đọc được",
                "the certificate cannot be parsed");
    }
    OPENSSL_free(name);
    OPENSSL_free(key);
    X509_free(x);
    return rc;
}

bool pki_cert_key_matches(const unsigned char *der, size_t len, const pki_signer *signer)
{
    X509 *x = parse_der(der, len);
    unsigned char *spki = NULL;
    const unsigned char *mine;
    size_t mine_len;
    int n = x ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki) : -1;
    bool same;

    mine = signer_spki(signer, &mine_len);
    same = n > 0 && mine && (size_t)n == mine_len && memcmp(spki, mine, mine_len) == 0;
    OPENSSL_free(spki);
    X509_free(x);
    return same;
}

int pki_cert_to_pem(const unsigned char *der, size_t len, char **pem, ct_error *err)
{
    X509 *x = parse_der(der, len);
    BIO *bio;
    char *p;
    long n;

    if (x == NULL)
        return ct_fail(err, 400, "cert.malformed", "chứng thư không đọc được",
                       "the certificate cannot be parsed");
    bio = BIO_new(BIO_s_mem());
    if (bio == NULL || !PEM_write_bio_X509(bio, x) || (n = BIO_get_mem_data(bio, &p)) <= 0 ||
        (*pem = malloc((size_t)n + 1)) == NULL) {
        BIO_free(bio);
        X509_free(x);
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    memcpy(*pem, p, (size_t)n);
    (*pem)[n] = '\0';
    BIO_free(bio);
    X509_free(x);
    return 0;
}

int pki_cert_from_pem(const unsigned char *data, size_t len, unsigned char **der, size_t *der_len,
                      ct_error *err)
{
    X509 *x;
    unsigned char *p = NULL;
    int n;

    if (len >= 11 && memmem(data, len, "-----BEGIN ", 11)) {
        BIO *bio = BIO_new_mem_buf(data, (int)len);
        x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
        BIO_free(bio);
    } else {
        x = parse_der(data, len);
    }
    ERR_clear_error();
    if (x == NULL)
        return ct_fail(err, 400, "cert.malformed", "chứng thư không đọc được",
                       "the certificate cannot be parsed");
    n = i2d_X509(x, &p);
    X509_free(x);
    if (n <= 0 || (*der = malloc((size_t)n)) == NULL) {
        OPENSSL_free(p);
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    memcpy(*der, p, (size_t)n);
    *der_len = (size_t)n;
    OPENSSL_free(p);
    return 0;
}

int pki_chain_verify(const unsigned char *der, size_t len, const pki_ca *const *up, size_t n_up,
                     ct_error *err)
{
    X509 *leaf = parse_der(der, len), *anchor = NULL;
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    int ok = 0, reason = X509_V_ERR_UNSPECIFIED;

    if (leaf == NULL || store == NULL || ctx == NULL || untrusted == NULL)
        goto out;
    for (size_t i = 0; i < n_up; i++) {
        X509 *x = parse_der(up[i]->cert_der, up[i]->cert_len);
        if (x == NULL)
            goto out;
        if (i + 1 == n_up)
            anchor = x;
        else if (!sk_X509_push(untrusted, x)) {
            X509_free(x);
            goto out;
        }
    }
    if (!X509_STORE_add_cert(store, anchor ? anchor : leaf))
        goto out;
    /* NO_CHECK_TIME: expiry is the caller's to judge; CHECK_SS_SIGNATURE: the anchor's own
     * signature too, so that a root whose certificate was altered is caught. */
    X509_STORE_set_flags(store, X509_V_FLAG_NO_CHECK_TIME | X509_V_FLAG_CHECK_SS_SIGNATURE |
                                    X509_V_FLAG_X509_STRICT);
    if (!X509_STORE_CTX_init(ctx, store, leaf, untrusted))
        goto out;
    ok = X509_verify_cert(ctx) == 1;
    if (!ok)
        reason = X509_STORE_CTX_get_error(ctx);
out:
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    sk_X509_pop_free(untrusted, X509_free);
    X509_free(anchor);
    X509_free(leaf);
    ERR_clear_error();
    if (ok)
        return 0;
    return ct_fail(err, 500, "ca.chain", "chuỗi chứng thư không kiểm tra được: %s",
                   "the certificate chain does not verify: %s",
                   X509_verify_cert_error_string(reason));
}

int pki_verify_with_cert(const unsigned char *cert_der, size_t cert_len, const unsigned char *data,
                         size_t data_len, const unsigned char *sig, size_t sig_len, ct_error *err)
{
    const unsigned char *p = cert_der;
    X509 *x = d2i_X509(NULL, &p, (long)cert_len);
    EVP_PKEY *key = x ? X509_get0_pubkey(x) : NULL;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    const EVP_MD *hash = EVP_sha256();
    int ok = 0;

    if (key && EVP_PKEY_base_id(key) == EVP_PKEY_EC && EVP_PKEY_get_bits(key) == 384)
        hash = EVP_sha384();
    if (key && md && EVP_DigestVerifyInit(md, NULL, hash, NULL, key) == 1)
        ok = EVP_DigestVerify(md, sig, sig_len, data, data_len) == 1;
    EVP_MD_CTX_free(md);
    X509_free(x);
    ERR_clear_error();
    if (!ok)
        return ct_fail(err, 400, "signature.invalid", "chữ ký không đúng",
                       "the signature is wrong");
    return 0;
}
