/*
 * ocsp.c — OCSP requests and responses with OpenSSL's OCSP code, paranoid about input: every
 * malformed or unexpected request becomes a malformedRequest response, never a crash.
 */
#include "pki/ocsp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "core/buf.h"
#include "core/der.h"

#define MAX_CERT_IDS 16

struct ocsp_responder {
    X509 *responder;
    EVP_PKEY *key; /* a file key; NULL when the key is on an HSM (external below) */
    /* A key on an HSM: OpenSSL's OCSP code builds and signs the response with a stand-in key
     * of our own (its signing step wants an EVP_PKEY it holds), the responderID's key hash is
     * set to the real responder's, and the ResponseData is signed again by the HSM. */
    pki_signer *external;
    EVP_PKEY *stand_in_key;
    X509 *stand_in_cert;
    unsigned char stand_in_sha1[20], responder_sha1[20];
    const unsigned char *cert_der; /* the responder's certificate, sent in every answer */
    size_t cert_len;
    /* the issuing CA's name and key hashes, by hash algorithm: CertIDs are matched on them */
    unsigned char name_sha1[20], key_sha1[20], name_sha256[32], key_sha256[32];
};

static int hash_of(const EVP_MD *md, const unsigned char *data, size_t len, unsigned char *out)
{
    return EVP_Digest(data, len, out, NULL, md, NULL) == 1 ? 0 : -1;
}

static int set_up_stand_in(ocsp_responder *r, pki_signer *external)
{
    unsigned int n = 0;

    r->external = external;
    r->stand_in_key = EVP_EC_gen("P-256");
    r->stand_in_cert = X509_new();
    if (r->stand_in_key == NULL || r->stand_in_cert == NULL ||
        !X509_set_pubkey(r->stand_in_cert, r->stand_in_key) ||
        !X509_pubkey_digest(r->stand_in_cert, EVP_sha1(), r->stand_in_sha1, &n) || n != 20 ||
        !X509_pubkey_digest(r->responder, EVP_sha1(), r->responder_sha1, &n) || n != 20)
        return -1;
    return 0;
}

int ocsp_responder_new(const pki_ca *issuing, const pki_ca *responder, ocsp_responder **out,
                       ct_error *err)
{
    ocsp_responder *r = calloc(1, sizeof *r);
    const unsigned char *p = responder->cert_der;
    X509 *ca;
    const ASN1_BIT_STRING *key;

    if (r == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    r->responder = d2i_X509(NULL, &p, (long)responder->cert_len);
    r->key = responder->signer ? signer_evp_pkey(responder->signer) : NULL;
    r->cert_der = responder->cert_der;
    r->cert_len = responder->cert_len;
    if (r->key == NULL && responder->signer && r->responder &&
        set_up_stand_in(r, responder->signer) != 0) {
        ocsp_responder_free(r);
        ERR_clear_error();
        return ct_fail(err, 500, "ocsp.responder", "không khởi tạo được bộ trả lời OCSP",
                       "cannot set up the OCSP responder");
    }
    p = issuing->cert_der;
    ca = d2i_X509(NULL, &p, (long)issuing->cert_len);
    key = ca ? X509_get0_pubkey_bitstr(ca) : NULL;
    if (r->responder == NULL || (r->key == NULL && r->external == NULL) || key == NULL ||
        hash_of(EVP_sha1(), issuing->subject_der, issuing->subject_len, r->name_sha1) ||
        hash_of(EVP_sha256(), issuing->subject_der, issuing->subject_len, r->name_sha256) ||
        hash_of(EVP_sha1(), key->data, (size_t)key->length, r->key_sha1) ||
        hash_of(EVP_sha256(), key->data, (size_t)key->length, r->key_sha256)) {
        X509_free(ca);
        ocsp_responder_free(r);
        ERR_clear_error();
        return ct_fail(err, 500, "ocsp.responder", "không khởi tạo được bộ trả lời OCSP",
                       "cannot set up the OCSP responder");
    }
    X509_free(ca);
    *out = r;
    return 0;
}

void ocsp_responder_free(ocsp_responder *r)
{
    if (r == NULL)
        return;
    X509_free(r->responder);
    X509_free(r->stand_in_cert);
    EVP_PKEY_free(r->stand_in_key);
    free(r);
}

static void serial_hex(const ASN1_INTEGER *serial, char out[41])
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
    char *hex = bn && !BN_is_negative(bn) ? BN_bn2hex(bn) : NULL;

    snprintf(out, 41, "%s", hex && strlen(hex) <= 40 ? hex : "");
    OPENSSL_free(hex);
    BN_free(bn);
}

/*
 * The CertID's hashAlgorithm has no parameters or NULL ones, the two forms RFC 3370 and RFC 5754
 * allow for SHA-1 and SHA-2. Anything else would be copied into the signed answer, where some
 * clients cannot parse it (or do not match it against their request): such a request is
 * malformed. OpenSSL keeps the parameters opaque, so the CertID is read back from its encoding:
 * SEQUENCE { SEQUENCE { OID, parameters? }, ... }. The answer echoes the CertID as OpenSSL
 * re-encodes it, so with these two forms it is the canonical AlgorithmIdentifier, in the form
 * the client chose (a client comparing CertIDs byte for byte still finds its own).
 */
static bool certid_algorithm_ok(OCSP_CERTID *id)
{
    unsigned char *der = NULL;
    const unsigned char *seq, *alg, *oid;
    size_t seq_len, alg_len, oid_len, total, alg_total, oid_total;
    uint8_t tag;
    int n = i2d_OCSP_CERTID(id, &der);
    bool ok;

    ok = n > 0 && der_read_tlv(der, (size_t)n, &tag, &seq, &seq_len, &total) &&
         tag == DER_SEQUENCE && der_read_tlv(seq, seq_len, &tag, &alg, &alg_len, &alg_total) &&
         tag == DER_SEQUENCE && der_read_tlv(alg, alg_len, &tag, &oid, &oid_len, &oid_total) &&
         tag == DER_OID &&
         (oid_total == alg_len ||
          (alg_len - oid_total == 2 && alg[oid_total] == DER_NULL && alg[oid_total + 1] == 0));
    OPENSSL_free(der);
    return ok;
}

/* Is this CertID about the issuing CA? Returns the hash length used (20/32) or 0. */
static int matches_issuer(const ocsp_responder *r, OCSP_CERTID *id, char serial[41], int *nid)
{
    ASN1_OCTET_STRING *name_hash, *key_hash;
    ASN1_OBJECT *md;
    ASN1_INTEGER *sn;
    const unsigned char *want_name, *want_key;
    int len;

    if (!OCSP_id_get0_info(&name_hash, &md, &key_hash, &sn, id))
        return 0;
    serial_hex(sn, serial);
    *nid = OBJ_obj2nid(md);
    if (*nid == NID_sha1) {
        want_name = r->name_sha1;
        want_key = r->key_sha1;
        len = 20;
    } else if (*nid == NID_sha256) {
        want_name = r->name_sha256;
        want_key = r->key_sha256;
        len = 32;
    } else {
        return 0;
    }
    if (name_hash->length != len || key_hash->length != len ||
        memcmp(name_hash->data, want_name, (size_t)len) != 0 ||
        memcmp(key_hash->data, want_key, (size_t)len) != 0 || serial[0] == '\0')
        return 0;
    return len;
}

static int encode_response(OCSP_RESPONSE *resp, ocsp_result *out)
{
    unsigned char *der = NULL;
    int n = i2d_OCSP_RESPONSE(resp, &der);

    if (n <= 0)
        return -1;
    out->der = malloc((size_t)n);
    if (out->der == NULL) {
        OPENSSL_free(der);
        return -1;
    }
    memcpy(out->der, der, (size_t)n);
    out->len = (size_t)n;
    OPENSSL_free(der);
    return 0;
}

static int error_response(int status, ocsp_result *out, ct_error *err)
{
    OCSP_RESPONSE *resp = OCSP_response_create(status, NULL);
    int rc = resp ? encode_response(resp, out) : -1;

    OCSP_RESPONSE_free(resp);
    out->malformed = status == OCSP_RESPONSE_STATUS_MALFORMEDREQUEST;
    if (rc != 0)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    return 0;
}

static OCSP_REQUEST *parse_request(const unsigned char *req, size_t len)
{
    const unsigned char *p = req;
    OCSP_REQUEST *r;

    if (len == 0 || len > 65536)
        return NULL;
    r = d2i_OCSP_REQUEST(NULL, &p, (long)len);
    if (r && p != req + len) { /* trailing garbage */
        OCSP_REQUEST_free(r);
        r = NULL;
    }
    ERR_clear_error();
    return r;
}

bool ocsp_request_cache_key(const ocsp_responder *r, const unsigned char *req, size_t len,
                            char key[64])
{
    OCSP_REQUEST *q = parse_request(req, len);
    OCSP_CERTID *id = q && OCSP_request_onereq_count(q) == 1
                          ? OCSP_onereq_get0_id(OCSP_request_onereq_get0(q, 0))
                          : NULL;
    char serial[41];
    int nid = 0;
    bool ok = false;

    /* a request ocsp_respond() finds malformed has no key: no cached answer is given for it */
    if (id && OCSP_REQUEST_get_ext_by_NID(q, NID_id_pkix_OCSP_Nonce, -1) < 0 &&
        certid_algorithm_ok(id) && matches_issuer(r, id, serial, &nid)) {
        snprintf(key, 64, "%d:%s", nid, serial);
        ok = true;
    }
    OCSP_REQUEST_free(q);
    return ok;
}

/* bs was signed by the stand-in key (responderID by its key hash, no certificates): put the
 * responder's key hash in its place, sign the ResponseData on the HSM and encode the
 * OCSPResponse around it with the responder's certificate. */
static int sign_externally(const ocsp_responder *r, OCSP_BASICRESP *bs, ocsp_result *out,
                           ct_error *err)
{
    /* id-pkix-ocsp-basic, 1.3.6.1.5.5.7.48.1.1 */
    static const unsigned char basic_oid[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01};
    /* responderID byKey: [2] EXPLICIT OCTET STRING of a SHA-1 hash */
    static const unsigned char by_key[] = {DER_CONTEXT(2), 22, DER_OCTET_STRING, 20};
    unsigned char *tbs = NULL, *sig = NULL;
    const unsigned char *content, *alg;
    uint8_t tag;
    size_t content_len, total, sig_len = 0, alg_len;
    int n = i2d_OCSP_RESPDATA((OCSP_RESPDATA *)OCSP_resp_get0_respdata(bs), &tbs);
    ct_buf b;
    size_t m_resp, m_bytes, m_seq, m_octets, m_basic, m_certs, m_list;
    int rc = -1;

    if (n <= 0 || !der_read_tlv(tbs, (size_t)n, &tag, &content, &content_len, &total) ||
        tag != DER_SEQUENCE || content_len < sizeof by_key + 20 ||
        memcmp(content, by_key, sizeof by_key) != 0 ||
        memcmp(content + sizeof by_key, r->stand_in_sha1, 20) != 0) {
        OPENSSL_free(tbs);
        return ct_fail(err, 500, "ocsp.sign", "không ký được câu trả lời OCSP",
                       "cannot sign the OCSP response");
    }
    memcpy((unsigned char *)content + sizeof by_key, r->responder_sha1, 20);
    if (signer_sign(r->external, tbs, (size_t)n, &sig, &sig_len, err) != 0) {
        OPENSSL_free(tbs);
        return -1;
    }
    alg = signer_algorithm(r->external, &alg_len);
    buf_init(&b);
    m_resp = der_begin(&b, DER_SEQUENCE);
    der_tlv(&b, DER_ENUMERATED, "\0", 1); /* successful */
    m_bytes = der_begin(&b, DER_CONTEXT(0));
    m_seq = der_begin(&b, DER_SEQUENCE);
    der_tlv(&b, DER_OID, basic_oid, sizeof basic_oid);
    m_octets = der_begin(&b, DER_OCTET_STRING);
    m_basic = der_begin(&b, DER_SEQUENCE);
    buf_append(&b, tbs, (size_t)n);
    buf_append(&b, alg, alg_len);
    der_bit_string(&b, sig, sig_len);
    m_certs = der_begin(&b, DER_CONTEXT(0));
    m_list = der_begin(&b, DER_SEQUENCE);
    buf_append(&b, r->cert_der, r->cert_len);
    der_end(&b, m_list);
    der_end(&b, m_certs);
    der_end(&b, m_basic);
    der_end(&b, m_octets);
    der_end(&b, m_seq);
    der_end(&b, m_bytes);
    der_end(&b, m_resp);
    if (buf_ok(&b)) {
        out->der = buf_take(&b, &out->len);
        rc = out->der ? 0 : -1;
    }
    buf_free(&b);
    OPENSSL_free(tbs);
    free(sig);
    if (rc != 0)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    return 0;
}

int ocsp_respond(ocsp_responder *r, const unsigned char *req, size_t len, ocsp_lookup_fn lookup,
                 void *ctx, int64_t now, int64_t validity, ocsp_result *out, ct_error *err)
{
    OCSP_REQUEST *q;
    OCSP_BASICRESP *bs = NULL;
    OCSP_RESPONSE *resp = NULL;
    ASN1_TIME *this_update = NULL, *next_update = NULL;
    int n, rc = -1;
    bool nonce;

    memset(out, 0, sizeof *out);
    q = parse_request(req, len);
    n = q ? OCSP_request_onereq_count(q) : 0;
    if (q == NULL || n < 1 || n > MAX_CERT_IDS) {
        OCSP_REQUEST_free(q);
        return error_response(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, out, err);
    }
    for (int i = 0; i < n; i++) {
        if (!certid_algorithm_ok(OCSP_onereq_get0_id(OCSP_request_onereq_get0(q, i)))) {
            OCSP_REQUEST_free(q);
            ERR_clear_error();
            return error_response(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, out, err);
        }
    }
    nonce = OCSP_REQUEST_get_ext_by_NID(q, NID_id_pkix_OCSP_Nonce, -1) >= 0;
    bs = OCSP_BASICRESP_new();
    this_update = ASN1_TIME_set(NULL, (time_t)now);
    next_update = ASN1_TIME_set(NULL, (time_t)(now + validity));
    if (bs == NULL || this_update == NULL || next_update == NULL)
        goto fail;
    for (int i = 0; i < n; i++) {
        OCSP_CERTID *id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(q, i));
        char serial[41];
        int nid = 0;
        ocsp_answer ans = {OCSP_STATUS_UNKNOWN, 0, 0};
        ASN1_TIME *revoked = NULL;
        OCSP_SINGLERESP *single;

        if (matches_issuer(r, id, serial, &nid)) {
            if (lookup(ctx, serial, &ans) != 0)
                ans.status = OCSP_STATUS_UNKNOWN;
            if (n == 1 && !nonce) {
                out->cacheable = true;
                snprintf(out->cache_key, sizeof out->cache_key, "%d:%s", nid, serial);
            }
        }
        if (ans.status == OCSP_STATUS_REVOKED)
            revoked = ASN1_TIME_set(NULL, (time_t)ans.revoked_at);
        single = OCSP_basic_add1_status(
            bs, id,
            ans.status == OCSP_STATUS_GOOD      ? V_OCSP_CERTSTATUS_GOOD
            : ans.status == OCSP_STATUS_REVOKED ? V_OCSP_CERTSTATUS_REVOKED
                                                : V_OCSP_CERTSTATUS_UNKNOWN,
            ans.status == OCSP_STATUS_REVOKED ? ans.reason : -1, revoked, this_update, next_update);
        ASN1_TIME_free(revoked);
        if (single == NULL)
            goto fail;
    }
    if (nonce && OCSP_copy_nonce(bs, q) <= 0)
        goto fail;
    /* responderID by key hash; the responder's certificate travels in the response */
    if (r->external) {
        if (!OCSP_basic_sign(bs, r->stand_in_cert, r->stand_in_key, EVP_sha256(), NULL,
                             OCSP_RESPID_KEY | OCSP_NOCERTS) ||
            sign_externally(r, bs, out, NULL) != 0)
            goto fail;
    } else {
        if (!OCSP_basic_sign(bs, r->responder, r->key, EVP_sha256(), NULL, OCSP_RESPID_KEY))
            goto fail;
        resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
        if (resp == NULL || encode_response(resp, out) != 0)
            goto fail;
    }
    out->this_update = now;
    out->next_update = now + validity;
    rc = 0;
fail:
    ERR_clear_error();
    OCSP_RESPONSE_free(resp);
    OCSP_BASICRESP_free(bs);
    OCSP_REQUEST_free(q);
    ASN1_TIME_free(this_update);
    ASN1_TIME_free(next_update);
    if (rc != 0) {
        free(out->der);
        memset(out, 0, sizeof *out);
        return error_response(OCSP_RESPONSE_STATUS_INTERNALERROR, out, err);
    }
    return 0;
}
