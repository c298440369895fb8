/*
 * crl.c — the CRL encoder of crl.h.
 */
#include "pki/crl.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/der.h"

static const unsigned char oid_crl_number[] = {0x55, 0x1d, 0x14};
static const unsigned char oid_authority_key_id[] = {0x55, 0x1d, 0x23};

static const struct {
    int reason;
    const char *name;
} reasons[] = {
    {CRL_REASON_UNSPECIFIED, "unspecified"},
    {CRL_REASON_KEY_COMPROMISE, "keyCompromise"},
    {CRL_REASON_CA_COMPROMISE, "cACompromise"},
    {CRL_REASON_AFFILIATION_CHANGED, "affiliationChanged"},
    {CRL_REASON_SUPERSEDED, "superseded"},
    {CRL_REASON_CESSATION, "cessationOfOperation"},
    {CRL_REASON_CERTIFICATE_HOLD, "certificateHold"},
    {CRL_REASON_PRIVILEGE_WITHDRAWN, "privilegeWithdrawn"},
    {CRL_REASON_AA_COMPROMISE, "aACompromise"},
};

int crl_reason_parse(const char *name, int *reason, ct_error *err)
{
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
        if (name && strcmp(reasons[i].name, name) == 0 &&
            reasons[i].reason != CRL_REASON_CERTIFICATE_HOLD) {
            *reason = reasons[i].reason;
            return 0;
        }
    }
    return ct_fail(err, 400, "revoke.reason",
                   "lý do thu hồi \"%s\" không hợp lệ (keyCompromise, affiliationChanged, "
                   "superseded, cessationOfOperation, privilegeWithdrawn, unspecified…)",
                   "unknown revocation reason \"%s\" (keyCompromise, affiliationChanged, "
                   "superseded, cessationOfOperation, privilegeWithdrawn, unspecified…)",
                   name ? name : "");
}

const char *crl_reason_name(int reason)
{
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (reasons[i].reason == reason)
            return reasons[i].name;
    return "unspecified";
}

int crl_entry_serial(crl_entry *e, const char *hex)
{
    size_t len = strlen(hex);

    if (len == 0 || len > 40)
        return -1;
    memset(e->serial, 0, sizeof e->serial);
    e->serial_len = (uint8_t)((len + 1) / 2);
    for (size_t i = 0; i < len; i++) {
        char c = hex[len - 1 - i];
        int v = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                       : -1;
        if (v < 0)
            return -1;
        e->serial[e->serial_len - 1 - i / 2] |= (unsigned char)(i % 2 ? v << 4 : v);
    }
    return 0;
}

/* UTCTime/GeneralizedTime without gmtime: civil date from days (H. Hinnant's algorithm), since
 * a million of these are written per CRL. */
static void put_time_fast(ct_buf *b, int64_t t)
{
    int64_t days = t / 86400, secs = t % 86400;
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    unsigned h = (unsigned)(secs / 3600), mi = (unsigned)(secs / 60 % 60),
             s = (unsigned)(secs % 60);
    unsigned char out[17];
    size_t n = 0;

    y += m <= 2;
    if (y >= 2050) {
        out[n++] = (unsigned char)('0' + y / 1000 % 10);
        out[n++] = (unsigned char)('0' + y / 100 % 10);
    }
    out[n++] = (unsigned char)('0' + y / 10 % 10);
    out[n++] = (unsigned char)('0' + y % 10);
    out[n++] = (unsigned char)('0' + m / 10);
    out[n++] = (unsigned char)('0' + m % 10);
    out[n++] = (unsigned char)('0' + d / 10);
    out[n++] = (unsigned char)('0' + d % 10);
    out[n++] = (unsigned char)('0' + h / 10);
    out[n++] = (unsigned char)('0' + h % 10);
    out[n++] = (unsigned char)('0' + mi / 10);
    out[n++] = (unsigned char)('0' + mi % 10);
    out[n++] = (unsigned char)('0' + s / 10);
    out[n++] = (unsigned char)('0' + s % 10);
    out[n++] = 'Z';
    der_tlv(b, y >= 2050 ? DER_GENERALIZEDTIME : DER_UTCTIME, out, n);
}

static void put_entry(ct_buf *b, const crl_entry *e)
{
    size_t entry = der_begin(b, DER_SEQUENCE);

    der_uint_bytes(b, e->serial, e->serial_len);
    put_time_fast(b, e->revoked_at);
    if (e->reason != CRL_REASON_UNSPECIFIED) {
        /* crlEntryExtensions { reasonCode (2.5.29.21) }: one fixed shape, written whole */
        unsigned char ext[] = {0x30, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55,
                               0x1d, 0x15, 0x04, 0x03, 0x0a, 0x01, (unsigned char)e->reason};
        buf_append(b, ext, sizeof ext);
    }
    der_end(b, entry);
}

int crl_build(const cert_issuer *issuer, int64_t number, int64_t this_update, int64_t next_update,
              const crl_entry *entries, size_t n, unsigned char **der, size_t *der_len,
              ct_error *err)
{
    ct_buf b;
    const unsigned char *alg;
    size_t alg_len, outer, tbs, tbs_start, mark, list, ext, octets, seq;

    alg = signer_algorithm(issuer->signer, &alg_len);
    buf_init(&b);
    /* about 40 bytes an entry: size the buffer once */
    if (!buf_reserve(&b, 1024 + n * 48))
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    outer = der_begin(&b, DER_SEQUENCE);
    tbs_start = b.len;
    tbs = der_begin(&b, DER_SEQUENCE);
    der_uint(&b, 1); /* v2 */
    buf_append(&b, alg, alg_len);
    buf_append(&b, issuer->name_der, issuer->name_len);
    put_time_fast(&b, this_update);
    put_time_fast(&b, next_update);
    if (n > 0) { /* RFC 5280 5.1.2.6: absent, not empty, when nothing is revoked */
        list = der_begin(&b, DER_SEQUENCE);
        for (size_t i = 0; i < n; i++)
            put_entry(&b, &entries[i]);
        der_end(&b, list);
    }
    mark = der_begin(&b, DER_CONTEXT(0));
    ext = der_begin(&b, DER_SEQUENCE);
    seq = der_begin(&b, DER_SEQUENCE); /* authorityKeyIdentifier */
    der_tlv(&b, DER_OID, oid_authority_key_id, sizeof oid_authority_key_id);
    octets = der_begin(&b, DER_OCTET_STRING);
    {
        size_t aki = der_begin(&b, DER_SEQUENCE);
        der_tlv(&b, DER_CONTEXT_PRIM(0), issuer->key_id, CERT_KEY_ID_LEN);
        der_end(&b, aki);
    }
    der_end(&b, octets);
    der_end(&b, seq);
    seq = der_begin(&b, DER_SEQUENCE); /* cRLNumber */
    der_tlv(&b, DER_OID, oid_crl_number, sizeof oid_crl_number);
    octets = der_begin(&b, DER_OCTET_STRING);
    der_uint(&b, (uint64_t)number);
    der_end(&b, octets);
    der_end(&b, seq);
    der_end(&b, ext);
    der_end(&b, mark);
    der_end(&b, tbs);
    return cert_sign_wrap(&b, outer, tbs_start, issuer->signer, der, der_len, err);
}

static int64_t asn1_time_unix(const ASN1_TIME *t)
{
    struct tm tm;

    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return -1;
    return (int64_t)timegm(&tm);
}

int crl_read(const unsigned char *data, size_t len, const unsigned char *issuer_cert,
             size_t issuer_len, crl_info *out, ct_error *err)
{
    X509_CRL *crl = NULL;
    X509 *ca = NULL;
    ASN1_INTEGER *number = NULL;
    const unsigned char *p;
    unsigned char *der = NULL;
    int n, rc = -1;

    memset(out, 0, sizeof *out);
    if (len > 10 && memcmp(data, "-----BEGIN", 10) == 0) {
        BIO *bio = BIO_new_mem_buf(data, (int)len);
        if (bio)
            crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
        BIO_free(bio);
    } else {
        p = data;
        crl = d2i_X509_CRL(NULL, &p, (long)len);
    }
    p = issuer_cert;
    ca = d2i_X509(NULL, &p, (long)issuer_len);
    if (crl && ca)
        number = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
    if (crl == NULL || ca == NULL || number == NULL ||
        ASN1_INTEGER_get_int64(&out->number, number) != 1 ||
        (out->this_update = asn1_time_unix(X509_CRL_get0_lastUpdate(crl))) < 0 ||
        (out->next_update = asn1_time_unix(X509_CRL_get0_nextUpdate(crl))) < 0) {
        ct_fail(err, 400, "crl.malformed",
                "CRL không đọc được (cần có số CRL, thời điểm phát hành và hết hạn)",
                "the CRL cannot be read (it needs a CRL number, thisUpdate and nextUpdate)");
        goto out;
    }
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ca)) != 0) {
        ct_fail(err, 400, "crl.issuer", "CRL không do CA này phát hành",
                "the CRL was not issued by this CA");
        goto out;
    }
    if (X509_CRL_verify(crl, X509_get0_pubkey(ca)) != 1) {
        ct_fail(err, 400, "crl.signature", "chữ ký của CRL không hợp lệ",
                "the CRL's signature does not verify");
        goto out;
    }
    n = i2d_X509_CRL(crl, &der);
    if (n <= 0) {
        ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
        goto out;
    }
    out->der = malloc((size_t)n);
    if (out->der == NULL) {
        ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
        goto out;
    }
    memcpy(out->der, der, (size_t)n);
    out->der_len = (size_t)n;
    rc = 0;
out:
    OPENSSL_free(der);
    ASN1_INTEGER_free(number);
    X509_CRL_free(crl);
    X509_free(ca);
    ERR_clear_error();
    return rc;
}

int crl_lists(const unsigned char *der, size_t len, const char *serial_hex, int *reason,
              int64_t *revoked_at)
{
    const unsigned char *p = der;
    X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
    X509_REVOKED *entry = NULL;
    ASN1_ENUMERATED *code;
    ASN1_INTEGER *serial = NULL;
    BIGNUM *bn = NULL;
    int rc = -1;

    if (crl && BN_hex2bn(&bn, serial_hex) > 0 && (serial = BN_to_ASN1_INTEGER(bn, NULL)) != NULL) {
        rc = X509_CRL_get0_by_serial(crl, &entry, serial) == 1 ? 1 : 0;
        if (rc == 1 && reason) {
            code = X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, NULL, NULL);
            *reason = code ? (int)ASN1_ENUMERATED_get(code) : CRL_REASON_UNSPECIFIED;
            ASN1_ENUMERATED_free(code);
        }
        if (rc == 1 && revoked_at)
            *revoked_at = asn1_time_unix(X509_REVOKED_get0_revocationDate(entry));
    }
    ASN1_INTEGER_free(serial);
    BN_free(bn);
    X509_CRL_free(crl);
    ERR_clear_error();
    return rc;
}
