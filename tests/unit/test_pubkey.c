/*
 * test_pubkey.c — subscriber EC keys in the forms RFC 5480 speaks of: a curve given by explicit
 * parameters is refused (from a key file and from a CSR), a compressed or hybrid point is
 * certified uncompressed, and a named, uncompressed key passes unchanged. Found by fuzzing
 * (tests/fuzz/fuzz_pubkey.c); the keys are made here with OpenSSL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "pki/pubkey.h"

static EVP_PKEY *p256;

static int setup(void **state)
{
    (void)state;
    p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    return p256 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    EVP_PKEY_free(p256);
    return 0;
}

/* The SPKI of a copy of the key with one encoding parameter set. *der OPENSSL_malloc'd. */
static int spki_with(const char *param, const char *value, unsigned char **der)
{
    EVP_PKEY *k = EVP_PKEY_dup(p256);
    int n;

    assert_non_null(k);
    if (param)
        assert_int_equal(EVP_PKEY_set_utf8_string_param(k, param, value), 1);
    *der = NULL;
    n = i2d_PUBKEY(k, der);
    EVP_PKEY_free(k);
    assert_true(n > 0);
    return n;
}

/* The uncompressed point inside an SPKI (the last 65 bytes of a P-256 one). */
static const unsigned char *point_of(const unsigned char *spki, size_t len)
{
    assert_true(len > 65);
    return spki + len - 65;
}

static void test_named_uncompressed_unchanged(void **state)
{
    unsigned char *der;
    int n = spki_with(NULL, NULL, &der);
    pubkey_info info;
    ct_error err = {0};
    (void)state;

    assert_int_equal(pubkey_from_key_file(der, (size_t)n, &info, &err), 0);
    assert_int_equal(info.bits, 256);
    assert_int_equal(info.is_rsa, 0);
    assert_int_equal(info.spki_len, n);
    assert_memory_equal(info.spki, der, (size_t)n);
    pubkey_info_free(&info);
    OPENSSL_free(der);
}

static void test_explicit_curve_refused(void **state)
{
    unsigned char *der;
    int n = spki_with(OSSL_PKEY_PARAM_EC_ENCODING, OSSL_PKEY_EC_ENCODING_EXPLICIT, &der);
    pubkey_info info = {0};
    ct_error err = {0};
    (void)state;

    assert_true(n > 200); /* the curve spelt out */
    assert_int_equal(pubkey_from_key_file(der, (size_t)n, &info, &err), -1);
    assert_string_equal(err.code, "key.curve");
    assert_non_null(strstr(err.en, "named"));
    assert_null(info.spki);
    OPENSSL_free(der);
}

static void test_explicit_curve_csr_refused(void **state)
{
    EVP_PKEY *k = EVP_PKEY_dup(p256);
    X509_REQ *req = X509_REQ_new();
    X509_NAME *name = X509_NAME_new();
    unsigned char *der = NULL;
    int n;
    pubkey_info info = {0};
    ct_error err = {0};
    (void)state;

    assert_int_equal(EVP_PKEY_set_utf8_string_param(k, OSSL_PKEY_PARAM_EC_ENCODING,
                                                    OSSL_PKEY_EC_ENCODING_EXPLICIT),
                     1);
    assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                                (const unsigned char *)"explicit", -1, -1, 0),
                     1);
    assert_int_equal(X509_REQ_set_subject_name(req, name), 1);
    assert_int_equal(X509_REQ_set_pubkey(req, k), 1);
    assert_true(X509_REQ_sign(req, k, EVP_sha256()) > 0);
    n = i2d_X509_REQ(req, &der);
    assert_true(n > 0);
    assert_int_equal(pubkey_from_csr(der, (size_t)n, &info, &err), -1);
    assert_string_equal(err.code, "key.curve");
    assert_null(info.spki);
    OPENSSL_free(der);
    X509_NAME_free(name);
    X509_REQ_free(req);
    EVP_PKEY_free(k);
}

static void check_certified_uncompressed(const char *form)
{
    unsigned char *plain, *der;
    int plain_len = spki_with(NULL, NULL, &plain);
    int n = spki_with(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, form, &der);
    pubkey_info info;
    ct_error err = {0};

    assert_int_equal(pubkey_from_key_file(der, (size_t)n, &info, &err), 0);
    /* the same key, its point in the one form every client reads */
    assert_int_equal(info.spki_len, plain_len);
    assert_memory_equal(info.spki, plain, (size_t)plain_len);
    assert_int_equal(point_of(info.spki, info.spki_len)[0], 0x04);
    pubkey_info_free(&info);
    OPENSSL_free(plain);
    OPENSSL_free(der);
}

static void test_compressed_point_certified_uncompressed(void **state)
{
    (void)state;
    check_certified_uncompressed(OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_COMPRESSED);
}

static void test_hybrid_point_certified_uncompressed(void **state)
{
    (void)state;
    check_certified_uncompressed(OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_HYBRID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_named_uncompressed_unchanged),
        cmocka_unit_test(test_explicit_curve_refused),
        cmocka_unit_test(test_explicit_curve_csr_refused),
        cmocka_unit_test(test_compressed_point_certified_uncompressed),
        cmocka_unit_test(test_hybrid_point_certified_uncompressed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
