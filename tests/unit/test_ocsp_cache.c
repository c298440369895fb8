/*
 * test_ocsp_cache.c — the responder's pre-signed answers are a bounded cache ([server]
 * ocsp_cache_entries): a full cache makes room for a new certificate's answer (so a certificate
 * asked about later is not signed again on every request, as it was when a full cache took
 * nothing more), never holds more than its size, and serves a kept answer again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "app/app.h"

#define CERTS 3

static char home[64];
static app *a;
static const app_actor admin = {"admin", ROLE_CA_ADMIN, "test", NULL};
static const app_actor officer = {"officer", ROLE_CA_OFFICER, "test", NULL};
static char serials[CERTS][41];

/* The answers kept: two, for three certificates. */
static int small_cache(const char *dir)
{
    char path[600];
    FILE *f;

    snprintf(path, sizeof path, "%s/chungthu.ini", dir);
    if ((f = fopen(path, "a")) == NULL)
        return -1;
    fputs("\n[server]\nocsp_cache_entries = 2\n", f);
    return fclose(f);
}

static void issue(char serial[41])
{
    ct_error err = {0};
    app_cert_request req = {0};
    cert_record rec;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    unsigned char *spki = NULL;
    int len = i2d_PUBKEY(key, &spki);

    assert_true(len > 0);
    req.subject.full_name = "Nguyễn Văn An";
    req.subject.email = "an@example.gov.vn";
    req.subject.province = "Hà Nội";
    req.subject.org = "Bộ Nội vụ";
    req.pubkey = spki;
    req.pubkey_len = (size_t)len;
    assert_int_equal(app_cert_issue(a, &officer, &req, &rec, &err), 0);
    snprintf(serial, 41, "%s", rec.serial);
    cert_record_free(&rec);
    OPENSSL_free(spki);
    EVP_PKEY_free(key);
}

static int setup(void **state)
{
    ct_error err = {0};
    app_init_options opt = {0};
    (void)state;

    snprintf(home, sizeof home, "/tmp/chungthu-ocspcache.XXXXXX");
    if (mkdtemp(home) == NULL)
        return -1;
    opt.root_key = "p384";
    opt.issuing_key = "p256";
    if (app_init(home, &opt, &admin, &err) != 0 || small_cache(home) != 0 ||
        app_open(home, &a, &err) != 0) {
        fprintf(stderr, "%s\n", err.en);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;

    app_close(a);
    snprintf(cmd, sizeof cmd, "rm -rf %s", home);
    return system(cmd) == 0 ? 0 : -1;
}

/* Ask about serial (no nonce: a cacheable request); whether the answer came from the cache. */
static bool ask(const char *serial)
{
    ct_error err = {0};
    const unsigned char *der;
    size_t der_len;
    X509 *issuer;
    BIGNUM *bn = NULL;
    ASN1_INTEGER *number;
    OCSP_REQUEST *req = OCSP_REQUEST_new();
    OCSP_CERTID *id;
    unsigned char *req_der = NULL;
    int req_len;
    app_blob out;
    bool cached;

    assert_int_equal(app_ca_cert(a, "issuing", &der, &der_len, &err), 0);
    issuer = d2i_X509(NULL, &der, (long)der_len);
    assert_non_null(issuer);
    assert_true(BN_hex2bn(&bn, serial) > 0);
    number = BN_to_ASN1_INTEGER(bn, NULL);
    id = OCSP_cert_id_new(EVP_sha1(), X509_get_subject_name(issuer),
                          X509_get0_pubkey_bitstr(issuer), number);
    assert_non_null(id);
    assert_non_null(OCSP_request_add0_id(req, id));
    req_len = i2d_OCSP_REQUEST(req, &req_der);
    assert_true(req_len > 0);
    assert_int_equal(app_ocsp_respond(a, req_der, (size_t)req_len, &out, &err), 0);
    assert_true(out.len > 0);
    cached = out.cached;
    app_blob_free(&out);
    OPENSSL_free(req_der);
    OCSP_REQUEST_free(req);
    ASN1_INTEGER_free(number);
    BN_free(bn);
    X509_free(issuer);
    return cached;
}

static void full_cache_makes_room(void **state)
{
    int hits = 0;
    (void)state;

    for (int i = 0; i < CERTS; i++)
        issue(serials[i]);
    /* each certificate: signed at the first request, kept, served from the cache at the second —
     * the third too, though two answers fill the cache already */
    for (int i = 0; i < CERTS; i++) {
        assert_false(ask(serials[i]));
        assert_true(ask(serials[i]));
    }
    /* the third made room with one of the first two, and is kept (a request that finds its
     * answer changes nothing) */
    assert_true(ask(serials[2]));
    assert_true(ask(serials[2]));
    /* never more than two kept: of the three asked again in turn, at most two come from it */
    for (int round = 0; round < 3; round++) {
        hits = 0;
        for (int i = 0; i < CERTS; i++)
            hits += ask(serials[i]);
        assert_true(hits <= 2);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_cache_makes_room),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
