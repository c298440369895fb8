/*
 * cert.c — the certificate builder of cert.h.
 *
 * Why by hand: every certificate of a profile has the same shape, and encoding it directly is
 * both the easiest thing to audit against RFC 5280 (each extension is a few lines below, in the
 * order it appears in the certificate) and several times faster than OpenSSL's X509 object
 * model, which matters when a ministry's whole staff list is issued at once.
 */
#include "pki/cert.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "core/der.h"
#include "pki/digest.h"

/* Content bytes of the OIDs we write. */
static const unsigned char oid_c[] = {0x55, 0x04, 0x06};
static const unsigned char oid_l[] = {0x55, 0x04, 0x07};
static const unsigned char oid_o[] = {0x55, 0x04, 0x0a};
static const unsigned char oid_ou[] = {0x55, 0x04, 0x0b};
static const unsigned char oid_cn[] = {0x55, 0x04, 0x03};
static const unsigned char oid_basic_constraints[] = {0x55, 0x1d, 0x13};
static const unsigned char oid_key_usage[] = {0x55, 0x1d, 0x0f};
static const unsigned char oid_ext_key_usage[] = {0x55, 0x1d, 0x25};
static const unsigned char oid_cert_policies[] = {0x55, 0x1d, 0x20};
static const unsigned char oid_subject_alt_name[] = {0x55, 0x1d, 0x11};
static const unsigned char oid_authority_key_id[] = {0x55, 0x1d, 0x23};
static const unsigned char oid_subject_key_id[] = {0x55, 0x1d, 0x0e};
static const unsigned char oid_crl_dp[] = {0x55, 0x1d, 0x1f};
static const unsigned char oid_aia[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01};
static const unsigned char oid_ad_ocsp[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01};
static const unsigned char oid_ad_ca_issuers[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02};
static const unsigned char oid_ocsp_nocheck[] = {0x2b, 0x06, 0x01, 0x05, 0x05,
                                                 0x07, 0x30, 0x01, 0x05};
static const unsigned char oid_qt_cps[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x02, 0x01};
static const unsigned char oid_kp_client_auth[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02};
static const unsigned char oid_kp_email[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x04};
static const unsigned char oid_kp_ocsp_signing[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x09};

/* keyUsage bits (RFC 5280 4.2.1.3), numbered from the most significant bit of the first byte. */
enum {
    KU_DIGITAL_SIGNATURE = 0x80,
    KU_NON_REPUDIATION = 0x40,
    KU_KEY_ENCIPHERMENT = 0x20,
    KU_KEY_CERT_SIGN = 0x04,
    KU_CRL_SIGN = 0x02,
};

static void put_rdn(ct_buf *b, const unsigned char *oid, size_t oid_len, uint8_t string_tag,
                    const char *value)
{
    size_t set = der_begin(b, DER_SET);
    size_t seq = der_begin(b, DER_SEQUENCE);

    der_tlv(b, DER_OID, oid, oid_len);
    der_tlv(b, string_tag, value, strlen(value));
    der_end(b, seq);
    der_end(b, set);
}

int cert_encode_name(const cert_subject *subject, unsigned char **der, size_t *len, ct_error *err)
{
    ct_buf b;
    size_t name;

    buf_init(&b);
    name = der_begin(&b, DER_SEQUENCE);
    /* countryName is PrintableString SIZE(2) by X.520; everything else UTF8String. */
    put_rdn(&b, oid_c, sizeof oid_c, DER_PRINTABLESTRING, "VN");
    if (subject->locality)
        put_rdn(&b, oid_l, sizeof oid_l, DER_UTF8STRING, subject->locality);
    if (subject->org)
        put_rdn(&b, oid_o, sizeof oid_o, DER_UTF8STRING, subject->org);
    for (size_t i = 0; i < subject->n_units && i < CERT_MAX_UNITS; i++)
        put_rdn(&b, oid_ou, sizeof oid_ou, DER_UTF8STRING, subject->units[i]);
    put_rdn(&b, oid_cn, sizeof oid_cn, DER_UTF8STRING, subject->common_name);
    der_end(&b, name);
    if (!buf_ok(&b)) {
        buf_free(&b);
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    *der = buf_take(&b, len);
    return 0;
}

int cert_key_id(const unsigned char *spki, size_t spki_len, unsigned char out[CERT_KEY_ID_LEN],
                ct_error *err)
{
    uint8_t tag;
    const unsigned char *seq, *alg, *bits;
    size_t seq_len, alg_len, alg_total, bits_len, total;

    /* SEQUENCE { AlgorithmIdentifier, BIT STRING subjectPublicKey } */
    if (!der_read_tlv(spki, spki_len, &tag, &seq, &seq_len, &total) || tag != DER_SEQUENCE ||
        !der_read_tlv(seq, seq_len, &tag, &alg, &alg_len, &alg_total) || tag != DER_SEQUENCE ||
        !der_read_tlv(seq + alg_total, seq_len - alg_total, &tag, &bits, &bits_len, &total) ||
        tag != DER_BIT_STRING || bits_len < 2 || bits[0] != 0)
        return ct_fail(err, 400, "key.spki", "khóa công khai không đúng cấu trúc",
                       "the public key is not a well-formed SubjectPublicKeyInfo");
    if (pki_sha1(bits + 1, bits_len - 1, out) != 0)
        return ct_fail(err, 500, "digest", "lỗi băm", "hashing failed");
    return 0;
}

int cert_random_serials(unsigned char (*out)[CERT_SERIAL_LEN], size_t n, ct_error *err)
{
    if (n > INT_MAX / CERT_SERIAL_LEN || RAND_bytes(out[0], (int)(n * CERT_SERIAL_LEN)) != 1)
        return ct_fail(err, 500, "rand", "bộ sinh số ngẫu nhiên lỗi",
                       "the random number generator failed");
    for (size_t i = 0; i < n; i++) {
        out[i][0] &= 0x7f; /* positive */
        if (out[i][0] == 0)
            out[i][0] = 0x01; /* always 16 bytes long: no leading zero octet to strip */
    }
    return 0;
}

void cert_serial_hex(const unsigned char serial[CERT_SERIAL_LEN], char *out)
{
    static const char hex[] = "0123456789ABCDEF";

    for (size_t i = 0; i < CERT_SERIAL_LEN; i++) {
        out[2 * i] = hex[serial[i] >> 4];
        out[2 * i + 1] = hex[serial[i] & 0x0f];
    }
    out[2 * CERT_SERIAL_LEN] = '\0';
}

/* Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }.
 * ext_begin() writes up to the start of the OCTET STRING's content; ext_end() closes both. */
typedef struct {
    size_t ext;
    size_t octets;
} ext_mark;

static ext_mark ext_begin(ct_buf *b, const unsigned char *oid, size_t oid_len, bool critical)
{
    ext_mark m;

    m.ext = der_begin(b, DER_SEQUENCE);
    der_tlv(b, DER_OID, oid, oid_len);
    if (critical)
        der_bool(b, true); /* DER: FALSE, the default, is never written */
    m.octets = der_begin(b, DER_OCTET_STRING);
    return m;
}

static void ext_end(ct_buf *b, ext_mark m)
{
    der_end(b, m.octets);
    der_end(b, m.ext);
}

static void put_basic_constraints(ct_buf *b, bool ca, int path_len)
{
    ext_mark m = ext_begin(b, oid_basic_constraints, sizeof oid_basic_constraints, true);
    size_t seq = der_begin(b, DER_SEQUENCE);

    if (ca) {
        der_bool(b, true);
        if (path_len >= 0)
            der_uint(b, (uint64_t)path_len);
    }
    der_end(b, seq);
    ext_end(b, m);
}

static void put_key_usage(ct_buf *b, unsigned char bits)
{
    ext_mark m = ext_begin(b, oid_key_usage, sizeof oid_key_usage, true);
    unsigned char content[2];
    int unused = 0;

    /* DER: trailing zero bits are dropped and counted as unused (X.690 11.2.2). */
    while (unused < 7 && !(bits & (1u << unused)))
        unused++;
    content[0] = (unsigned char)unused;
    content[1] = bits;
    der_tlv(b, DER_BIT_STRING, content, 2);
    ext_end(b, m);
}

static void put_ext_key_usage(ct_buf *b, const unsigned char *const *oids, size_t n)
{
    ext_mark m = ext_begin(b, oid_ext_key_usage, sizeof oid_ext_key_usage, false);
    size_t seq = der_begin(b, DER_SEQUENCE);

    for (size_t i = 0; i < n; i++)
        der_tlv(b, DER_OID, oids[i], 8); /* every id-kp OID we use is 8 bytes */
    der_end(b, seq);
    ext_end(b, m);
}

static int put_policies(ct_buf *b, const char *policy_oid, const char *cps_uri, ct_error *err)
{
    unsigned char oid[64];
    size_t oid_len = der_oid_from_text(policy_oid, oid, sizeof oid);
    ext_mark m;
    size_t policies, info, quals, qual;

    if (oid_len == 0)
        return ct_fail(err, 400, "profile.policy_oid", "OID chính sách không hợp lệ: \"%s\"",
                       "the certificate policy OID is not valid: \"%s\"", policy_oid);
    m = ext_begin(b, oid_cert_policies, sizeof oid_cert_policies, false);
    policies = der_begin(b, DER_SEQUENCE);
    info = der_begin(b, DER_SEQUENCE);
    der_tlv(b, DER_OID, oid, oid_len);
    if (cps_uri && *cps_uri) {
        quals = der_begin(b, DER_SEQUENCE);
        qual = der_begin(b, DER_SEQUENCE);
        der_tlv(b, DER_OID, oid_qt_cps, sizeof oid_qt_cps);
        der_tlv(b, DER_IA5STRING, cps_uri, strlen(cps_uri));
        der_end(b, qual);
        der_end(b, quals);
    }
    der_end(b, info);
    der_end(b, policies);
    ext_end(b, m);
    return 0;
}

static void put_key_ids(ct_buf *b, const unsigned char *authority, const unsigned char *subject)
{
    ext_mark m;
    size_t seq;

    if (authority) {
        m = ext_begin(b, oid_authority_key_id, sizeof oid_authority_key_id, false);
        seq = der_begin(b, DER_SEQUENCE);
        der_tlv(b, DER_CONTEXT_PRIM(0), authority, CERT_KEY_ID_LEN);
        der_end(b, seq);
        ext_end(b, m);
    }
    m = ext_begin(b, oid_subject_key_id, sizeof oid_subject_key_id, false);
    der_tlv(b, DER_OCTET_STRING, subject, CERT_KEY_ID_LEN);
    ext_end(b, m);
}

static void put_crl_dp(ct_buf *b, const char *url)
{
    ext_mark m = ext_begin(b, oid_crl_dp, sizeof oid_crl_dp, false);
    size_t points = der_begin(b, DER_SEQUENCE);
    size_t point = der_begin(b, DER_SEQUENCE);
    size_t dp_name = der_begin(b, DER_CONTEXT(0));
    size_t full_name = der_begin(b, DER_CONTEXT(0));

    der_tlv(b, DER_CONTEXT_PRIM(6), url, strlen(url)); /* uniformResourceIdentifier */
    der_end(b, full_name);
    der_end(b, dp_name);
    der_end(b, point);
    der_end(b, points);
    ext_end(b, m);
}

static void put_access_description(ct_buf *b, const unsigned char *method, size_t method_len,
                                   const char *url)
{
    size_t seq = der_begin(b, DER_SEQUENCE);

    der_tlv(b, DER_OID, method, method_len);
    der_tlv(b, DER_CONTEXT_PRIM(6), url, strlen(url));
    der_end(b, seq);
}

static void put_aia(ct_buf *b, const char *ocsp_url, const char *ca_issuers_url)
{
    ext_mark m = ext_begin(b, oid_aia, sizeof oid_aia, false);
    size_t seq = der_begin(b, DER_SEQUENCE);

    if (ocsp_url)
        put_access_description(b, oid_ad_ocsp, sizeof oid_ad_ocsp, ocsp_url);
    if (ca_issuers_url)
        put_access_description(b, oid_ad_ca_issuers, sizeof oid_ad_ca_issuers, ca_issuers_url);
    der_end(b, seq);
    ext_end(b, m);
}

static void put_email_san(ct_buf *b, const char *email)
{
    ext_mark m = ext_begin(b, oid_subject_alt_name, sizeof oid_subject_alt_name, false);
    size_t seq = der_begin(b, DER_SEQUENCE);

    der_tlv(b, DER_CONTEXT_PRIM(1), email, strlen(email)); /* rfc822Name */
    der_end(b, seq);
    ext_end(b, m);
}

static void put_ocsp_nocheck(ct_buf *b)
{
    ext_mark m = ext_begin(b, oid_ocsp_nocheck, sizeof oid_ocsp_nocheck, false);

    der_null(b);
    ext_end(b, m);
}

/* What a certificate signed by the issuing CA's side carries after its usages: the policy (if
 * any), the key identifiers, where its issuer's CRL and OCSP are. */
static int put_policy_and_links(ct_buf *b, const cert_request *req, const cert_issuer *issuer,
                                const unsigned char *subject_key_id, ct_error *err)
{
    if (req->policy_oid && put_policies(b, req->policy_oid, req->cps_uri, err) != 0)
        return -1;
    put_key_ids(b, issuer->key_id, subject_key_id);
    if (req->crl_url)
        put_crl_dp(b, req->crl_url);
    if (req->ocsp_url || req->ca_issuers_url)
        put_aia(b, req->ocsp_url, req->ca_issuers_url);
    return 0;
}

/* The extensions of each profile, in the order they appear. */
static int put_extensions(ct_buf *b, const cert_request *req, const cert_issuer *issuer,
                          const unsigned char *subject_key_id, ct_error *err)
{
    static const unsigned char *const subscriber_eku[] = {oid_kp_client_auth, oid_kp_email};
    static const unsigned char *const ocsp_eku[] = {oid_kp_ocsp_signing};
    bool has_aia = req->ocsp_url || req->ca_issuers_url;

    switch (req->profile) {
    case CERT_PROFILE_ROOT:
        put_basic_constraints(b, true, -1);
        put_key_usage(b, KU_KEY_CERT_SIGN | KU_CRL_SIGN);
        put_key_ids(b, NULL, subject_key_id);
        break;
    case CERT_PROFILE_ISSUING:
        put_basic_constraints(b, true, 0);
        put_key_usage(b, KU_KEY_CERT_SIGN | KU_CRL_SIGN);
        if (put_policy_and_links(b, req, issuer, subject_key_id, err) != 0)
            return -1;
        break;
    case CERT_PROFILE_OCSP:
        put_basic_constraints(b, false, -1);
        put_key_usage(b, KU_DIGITAL_SIGNATURE);
        put_ext_key_usage(b, ocsp_eku, 1);
        put_ocsp_nocheck(b);
        put_key_ids(b, issuer->key_id, subject_key_id);
        break;
    case CERT_PROFILE_AUDIT: {
        /* an end entity of the CA itself: it signs checkpoints of the audit trail, nothing else */
        unsigned char eku[64];
        size_t eku_len = req->eku_oid ? der_oid_from_text(req->eku_oid, eku, sizeof eku) : 0;
        ext_mark m;
        size_t seq;

        if (eku_len == 0)
            return ct_fail(err, 400, "profile.eku", "OID công dụng khóa \"%s\" không hợp lệ",
                           "extended key usage OID \"%s\" is invalid",
                           req->eku_oid ? req->eku_oid : "");
        put_basic_constraints(b, false, -1);
        put_key_usage(b, KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION);
        m = ext_begin(b, oid_ext_key_usage, sizeof oid_ext_key_usage, false);
        seq = der_begin(b, DER_SEQUENCE);
        der_tlv(b, DER_OID, eku, eku_len);
        der_end(b, seq);
        ext_end(b, m);
        if (put_policy_and_links(b, req, issuer, subject_key_id, err) != 0)
            return -1;
        break;
    }
    case CERT_PROFILE_SUBSCRIBER:
        put_basic_constraints(b, false, -1);
        put_key_usage(b, KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION |
                             (req->spki_is_rsa ? KU_KEY_ENCIPHERMENT : 0));
        put_ext_key_usage(b, subscriber_eku, 2);
        if (put_policies(b, req->policy_oid, req->cps_uri, err) != 0)
            return -1;
        put_email_san(b, req->email);
        put_key_ids(b, issuer->key_id, subject_key_id);
        if (req->crl_url)
            put_crl_dp(b, req->crl_url);
        if (has_aia)
            put_aia(b, req->ocsp_url, req->ca_issuers_url);
        break;
    }
    return 0;
}

int cert_sign_wrap(ct_buf *b, size_t outer, size_t tbs_start, pki_signer *signer,
                   unsigned char **der, size_t *der_len, ct_error *err)
{
    const unsigned char *alg;
    unsigned char *sig = NULL;
    size_t alg_len, sig_len;

    if (!buf_ok(b)) {
        buf_free(b);
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    /* the outer SEQUENCE is still open: tbs_start .. len is exactly the signed structure */
    if (signer_sign(signer, b->data + tbs_start, b->len - tbs_start, &sig, &sig_len, err) != 0) {
        buf_free(b);
        return -1;
    }
    alg = signer_algorithm(signer, &alg_len);
    buf_append(b, alg, alg_len);
    der_bit_string(b, sig, sig_len);
    der_end(b, outer);
    free(sig);
    if (!buf_ok(b)) {
        buf_free(b);
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    *der = buf_take(b, der_len);
    return 0;
}

int cert_build(const cert_request *req, const cert_issuer *issuer, unsigned char **der,
               size_t *der_len, ct_error *err)
{
    ct_buf b;
    unsigned char ski[CERT_KEY_ID_LEN];
    const unsigned char *alg;
    size_t alg_len, cert, tbs, tbs_start, mark;

    if (req->profile == CERT_PROFILE_SUBSCRIBER && (req->email == NULL || req->policy_oid == NULL))
        return ct_fail(err, 500, "profile.incomplete",
                       "hồ sơ chứng thư thiếu e-mail hoặc chính sách",
                       "subscriber profile lacks e-mail or policy");
    if (cert_key_id(req->spki, req->spki_len, ski, err) != 0)
        return -1;
    alg = signer_algorithm(issuer->signer, &alg_len);

    buf_init(&b);
    cert = der_begin(&b, DER_SEQUENCE);
    tbs_start = b.len;
    tbs = der_begin(&b, DER_SEQUENCE);
    mark = der_begin(&b, DER_CONTEXT(0)); /* version v3 */
    der_uint(&b, 2);
    der_end(&b, mark);
    der_uint_bytes(&b, req->serial, CERT_SERIAL_LEN);
    buf_append(&b, alg, alg_len);
    buf_append(&b, issuer->name_der, issuer->name_len);
    mark = der_begin(&b, DER_SEQUENCE);
    der_time(&b, req->not_before);
    der_time(&b, req->not_after);
    der_end(&b, mark);
    buf_append(&b, req->subject_der, req->subject_len);
    buf_append(&b, req->spki, req->spki_len);
    mark = der_begin(&b, DER_CONTEXT(3));
    {
        size_t exts = der_begin(&b, DER_SEQUENCE);
        if (put_extensions(&b, req, issuer, ski, err) != 0) {
            buf_free(&b);
            return -1;
        }
        der_end(&b, exts);
    }
    der_end(&b, mark);
    der_end(&b, tbs);
    return cert_sign_wrap(&b, cert, tbs_start, issuer->signer, der, der_len, err);
}
