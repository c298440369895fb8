/*
 * fuzz_ocsp.c — libFuzzer harness for OCSP request parsing and answering (pki/ocsp.c): the two
 * calls the server makes for every request body or GET path (app_status.c), the cache key and
 * the answer. The responder is a throwaway P-256 key and certificate made at start-up; the
 * issuing CA whose certificates are answered for is the fixed one the seed requests ask about
 * (fuzz_ocsp_issuer.h, from make-seeds.sh). The status lookup stands in for the database:
 * good, revoked (with a reason) or unknown by the serial's digits, or a failed lookup.
 *
 * Every answer must parse as an OCSPResponse: malformedRequest (then no cache key), or a
 * successful one whose signature verifies, with one single answer per CertID, each echoing its
 * CertID byte for byte, with the status the lookup gave for our issuer's CertIDs (recomputed
 * here independently of ocsp.c) and unknown for any other, and the nonce copied.
 */
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "fuzz_common.h"
#include "fuzz_ocsp_issuer.h"
#include "pki/ca.h"
#include "pki/cert.h"
#include "core/der.h"
#include "pki/ocsp.h"
#include "pki/signer.h"

#define NOW INT64_C(1795000000) /* 2026-11-17 */
#define VALIDITY 3600

static pki_ca issuing, responder_ca;
static ocsp_responder *responder;
static X509_STORE *no_trust;
/* the issuing CA as a CertID names it, by hash algorithm */
static unsigned char name_sha1[20], key_sha1[20], name_sha256[32], key_sha256[32];

static void die(const char *what, const ct_error *err)
{
    fprintf(stderr, "fuzz_ocsp: %s: [%s] %s\n", what, err ? err->code : "", err ? err->en : "");
    exit(1);
}

/* A self-issued delegated-responder certificate for a fresh key: only its key and certificate
 * matter to the answers (the harness does not verify the chain). */
static void make_responder(void)
{
    char dir[] = "/tmp/chungthu-fuzz-ocsp.XXXXXX", path[64];
    pki_signer *signer = NULL;
    cert_subject subject = {0};
    cert_request req = {0};
    cert_issuer self = {0};
    unsigned char *name = NULL, *der = NULL;
    size_t name_len, der_len, spki_len;
    ct_error err = {0};

    if (mkdtemp(dir) == NULL)
        die("mkdtemp", NULL);
    snprintf(path, sizeof path, "%s/ocsp.key", dir);
    if (signer_generate_file(PKI_KEY_P256, path, "fuzzing passphrase", &signer, &err) != 0)
        die("responder key", &err);
    unlink(path);
    rmdir(dir);
    subject.org = "chungthu fuzzing";
    subject.common_name = "Fuzz OCSP Responder";
    if (cert_encode_name(&subject, &name, &name_len, &err) != 0)
        die("responder name", &err);
    req.profile = CERT_PROFILE_OCSP;
    req.serial[0] = 0x01;
    req.not_before = NOW - 86400;
    req.not_after = NOW + 86400 * 365;
    req.subject_der = name;
    req.subject_len = name_len;
    req.spki = signer_spki(signer, &spki_len);
    req.spki_len = spki_len;
    self.signer = signer;
    self.name_der = name;
    self.name_len = name_len;
    if (cert_key_id(req.spki, req.spki_len, self.key_id, &err) != 0 ||
        cert_build(&req, &self, &der, &der_len, &err) != 0 ||
        pki_ca_load(&responder_ca, der, der_len, signer, &err) != 0)
        die("responder certificate", &err);
    free(name);
    free(der);
}

static void digest(const EVP_MD *md, const unsigned char *data, size_t len, unsigned char *out)
{
    if (EVP_Digest(data, len, out, NULL, md, NULL) != 1)
        die("digest", NULL);
}

static void cleanup(void)
{
    ocsp_responder_free(responder);
    pki_ca_free(&responder_ca);
    pki_ca_free(&issuing);
    X509_STORE_free(no_trust);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const unsigned char *p = fuzz_ocsp_issuer_der;
    X509 *ca = d2i_X509(NULL, &p, (long)sizeof fuzz_ocsp_issuer_der);
    const ASN1_BIT_STRING *key = ca ? X509_get0_pubkey_bitstr(ca) : NULL;
    unsigned char *name = NULL;
    int name_len = ca ? i2d_X509_NAME(X509_get_subject_name(ca), &name) : -1;
    ct_error err = {0};
    (void)argc;
    (void)argv;

    if (key == NULL || name_len <= 0)
        die("issuer certificate", NULL);
    digest(EVP_sha1(), name, (size_t)name_len, name_sha1);
    digest(EVP_sha256(), name, (size_t)name_len, name_sha256);
    digest(EVP_sha1(), key->data, (size_t)key->length, key_sha1);
    digest(EVP_sha256(), key->data, (size_t)key->length, key_sha256);
    OPENSSL_free(name);
    X509_free(ca);
    if (pki_ca_load(&issuing, fuzz_ocsp_issuer_der, sizeof fuzz_ocsp_issuer_der, NULL, &err) != 0)
        die("issuing CA", &err);
    make_responder();
    if (ocsp_responder_new(&issuing, &responder_ca, &responder, &err) != 0)
        die("responder", &err);
    no_trust = X509_STORE_new();
    atexit(cleanup);
    return 0;
}

/* The database stand-in: the serial's digits decide, so that the fuzzer reaches each answer. */
static int lookup(void *ctx, const char *serial, ocsp_answer *out)
{
    static const int reasons[] = {0, 1, 2, 3, 4, 5, 6, 8, 9, 10};
    unsigned sum = 0;
    (void)ctx;

    for (const char *p = serial; *p; p++)
        sum += (unsigned char)*p;
    memset(out, 0, sizeof *out);
    switch (sum % 4) {
    case 0:
        out->status = OCSP_STATUS_GOOD;
        return 0;
    case 1:
        out->status = OCSP_STATUS_REVOKED;
        out->revoked_at = NOW - 1000 - sum;
        out->reason = reasons[sum % (sizeof reasons / sizeof reasons[0])];
        return 0;
    case 2:
        out->status = OCSP_STATUS_UNKNOWN;
        return 0;
    default:
        return -1; /* the store failed: answered unknown */
    }
}

/* What the answer for one CertID must be, worked out here from the CertID alone. */
static int expected_status(OCSP_CERTID *id, int *reason, int64_t *revoked_at)
{
    ASN1_OCTET_STRING *name_hash, *key_hash;
    ASN1_OBJECT *md;
    ASN1_INTEGER *serial;
    const unsigned char *want_name, *want_key;
    int len, nid;
    BIGNUM *bn;
    char *hex = NULL;
    ocsp_answer ans;
    int rc;

    FUZZ_CHECK(OCSP_id_get0_info(&name_hash, &md, &key_hash, &serial, id) == 1);
    nid = OBJ_obj2nid(md);
    if (nid == NID_sha1) {
        want_name = name_sha1, want_key = key_sha1, len = 20;
    } else if (nid == NID_sha256) {
        want_name = name_sha256, want_key = key_sha256, len = 32;
    } else {
        return V_OCSP_CERTSTATUS_UNKNOWN;
    }
    if (name_hash->length != len || key_hash->length != len ||
        memcmp(name_hash->data, want_name, (size_t)len) != 0 ||
        memcmp(key_hash->data, want_key, (size_t)len) != 0)
        return V_OCSP_CERTSTATUS_UNKNOWN;
    bn = ASN1_INTEGER_to_BN(serial, NULL);
    if (bn && !BN_is_negative(bn))
        hex = BN_bn2hex(bn);
    BN_free(bn);
    if (hex == NULL || hex[0] == '\0' || strlen(hex) > 40) {
        OPENSSL_free(hex);
        return V_OCSP_CERTSTATUS_UNKNOWN;
    }
    rc = lookup(NULL, hex, &ans);
    OPENSSL_free(hex);
    if (rc != 0 || ans.status == OCSP_STATUS_UNKNOWN)
        return V_OCSP_CERTSTATUS_UNKNOWN;
    if (ans.status == OCSP_STATUS_GOOD)
        return V_OCSP_CERTSTATUS_GOOD;
    *reason = ans.reason;
    *revoked_at = ans.revoked_at;
    return V_OCSP_CERTSTATUS_REVOKED;
}

static int64_t unix_time(const ASN1_GENERALIZEDTIME *t)
{
    struct tm tm;

    FUZZ_CHECK(t != NULL && ASN1_TIME_to_tm(t, &tm) == 1);
    return (int64_t)timegm(&tm);
}

static bool same_der(OCSP_CERTID *a, OCSP_CERTID *b)
{
    unsigned char *da = NULL, *db = NULL;
    int na = i2d_OCSP_CERTID(a, &da), nb = i2d_OCSP_CERTID(b, &db);
    bool same = na > 0 && na == nb && memcmp(da, db, (size_t)na) == 0;

    OPENSSL_free(da);
    OPENSSL_free(db);
    return same;
}

/* A CertID's hashAlgorithm is the OID alone or the OID and NULL (finding 22: nothing else is
 * echoed in a signed answer). */
static bool canonical_algorithm(OCSP_CERTID *id)
{
    unsigned char *der = NULL;
    int n = i2d_OCSP_CERTID(id, &der);
    const unsigned char *seq, *alg, *oid;
    size_t seq_len, alg_len, oid_len, total, alg_total, oid_total;
    uint8_t tag;
    bool ok = n > 0 && der_read_tlv(der, (size_t)n, &tag, &seq, &seq_len, &total) &&
              der_read_tlv(seq, seq_len, &tag, &alg, &alg_len, &alg_total) && tag == DER_SEQUENCE &&
              der_read_tlv(alg, alg_len, &tag, &oid, &oid_len, &oid_total) && tag == DER_OID &&
              (alg_len == oid_total ||
               (alg_len == oid_total + 2 && memcmp(alg + oid_total, "\x05\x00", 2) == 0));

    OPENSSL_free(der);
    return ok;
}

static void check_successful(OCSP_RESPONSE *resp, const uint8_t *data, size_t size,
                             const ocsp_result *res, bool keyed, const char *key)
{
    const unsigned char *p = data;
    OCSP_REQUEST *q = d2i_OCSP_REQUEST(NULL, &p, (long)size);
    OCSP_BASICRESP *bs = OCSP_response_get1_basic(resp);
    int n;

    FUZZ_CHECK(q != NULL && p == data + size); /* ocsp.c answered it: it is a request */
    FUZZ_CHECK(bs != NULL);
    FUZZ_CHECK(OCSP_basic_verify(bs, NULL, no_trust, OCSP_NOVERIFY) == 1);
    n = OCSP_request_onereq_count(q);
    FUZZ_CHECK(n >= 1 && n <= 16 && OCSP_resp_count(bs) == n);
    for (int i = 0; i < n; i++) {
        OCSP_CERTID *asked = OCSP_onereq_get0_id(OCSP_request_onereq_get0(q, i));
        OCSP_SINGLERESP *single = OCSP_resp_get0(bs, i);
        ASN1_GENERALIZEDTIME *revtime = NULL, *this_update = NULL, *next_update = NULL;
        int reason = -1, want_reason = -1, status;
        int64_t want_revoked = 0;
        int want = expected_status(asked, &want_reason, &want_revoked);

        FUZZ_CHECK(single != NULL);
        FUZZ_CHECK(same_der((OCSP_CERTID *)OCSP_SINGLERESP_get0_id(single), asked));
        FUZZ_CHECK(canonical_algorithm(asked));
        status = OCSP_single_get0_status(single, &reason, &revtime, &this_update, &next_update);
        FUZZ_CHECK(status == want);
        FUZZ_CHECK(unix_time(this_update) == NOW && unix_time(next_update) == NOW + VALIDITY);
        if (want == V_OCSP_CERTSTATUS_REVOKED)
            FUZZ_CHECK(reason == want_reason && unix_time(revtime) == want_revoked);
    }
    FUZZ_CHECK(OCSP_check_nonce(q, bs) == 1 || OCSP_check_nonce(q, bs) == 2);
    FUZZ_CHECK(res->cacheable == keyed);
    if (keyed)
        FUZZ_CHECK(strcmp(res->cache_key, key) == 0);
    FUZZ_CHECK(res->this_update == NOW && res->next_update == NOW + VALIDITY);
    OCSP_BASICRESP_free(bs);
    OCSP_REQUEST_free(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char key[64] = "";
    bool keyed = ocsp_request_cache_key(responder, data, size, key);
    ocsp_result res;
    ct_error err = {0};
    const unsigned char *p;
    OCSP_RESPONSE *resp;
    int status;

    FUZZ_CHECK(ocsp_respond(responder, data, size, lookup, NULL, NOW, VALIDITY, &res, &err) == 0);
    FUZZ_CHECK(res.der != NULL && res.len > 0);
    p = res.der;
    resp = d2i_OCSP_RESPONSE(NULL, &p, (long)res.len);
    FUZZ_CHECK(resp != NULL && p == res.der + res.len);
    status = OCSP_response_status(resp);
    if (res.malformed) {
        FUZZ_CHECK(status == OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
        FUZZ_CHECK(!keyed && !res.cacheable);
    } else {
        FUZZ_CHECK(status == OCSP_RESPONSE_STATUS_SUCCESSFUL);
        check_successful(resp, data, size, &res, keyed, key);
    }
    OCSP_RESPONSE_free(resp);
    free(res.der);
    return 0;
}
