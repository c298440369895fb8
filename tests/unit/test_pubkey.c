/*
 * test_pubkey.c — what fuzzing found in the key readers (tests/fuzz/fuzz_pubkey.c):
 *  - EC keys in the forms RFC 5480 speaks of: a curve given by explicit parameters is refused
 *    (from a key file and from a CSR), a compressed or hybrid point is certified uncompressed,
 *    and a named, uncompressed key passes unchanged (keys made here with OpenSSL);
 *  - RSA keys read by the fast reader (the usual SubjectPublicKeyInfo) and by OpenSSL (any other
 *    spelling of rsaEncryption's parameters) get the same verdict: an even modulus is refused by
 *    both, an exponent of exactly 256 bits accepted by both (SPKIs built here byte by byte).
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

#include "core/buf.h"
#include "core/der.h"
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

/* An RSA SubjectPublicKeyInfo with a 2048-bit modulus (top bit set, last byte given) and the
 * exponent's magnitude bytes; params is the DER after the rsaEncryption OID ("" for none).
 * *len set; the result is malloc'd. */
static unsigned char *rsa_spki(unsigned char last, const unsigned char *e, size_t e_len,
                               const unsigned char *params, size_t params_len, size_t *len)
{
    static const unsigned char rsa_oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
    unsigned char n[256];
    ct_buf b;
    size_t spki, alg, bits, key;
    unsigned char zero = 0;

    memset(n, 0xa5, sizeof n);
    n[0] = 0xc3;
    n[sizeof n - 1] = last;
    buf_init(&b);
    spki = der_begin(&b, DER_SEQUENCE);
    alg = der_begin(&b, DER_SEQUENCE);
    der_tlv(&b, DER_OID, rsa_oid, sizeof rsa_oid);
    buf_append(&b, params, params_len);
    der_end(&b, alg);
    bits = der_begin(&b, DER_BIT_STRING);
    buf_append_byte(&b, zero);
    key = der_begin(&b, DER_SEQUENCE);
    der_uint_bytes(&b, n, sizeof n);
    der_uint_bytes(&b, e, e_len);
    der_end(&b, key);
    der_end(&b, bits);
    der_end(&b, spki);
    assert_true(buf_ok(&b));
    return buf_take(&b, len);
}

static const unsigned char e65537[] = {0x01, 0x00, 0x01};
static const unsigned char null_params[] = {0x05, 0x00};
static const unsigned char odd_params[] = {0xfc, 0x00}; /* what the fuzzer put there */

/* The verdict on an SPKI: "" when accepted (2048 bits), else the error code. */
static const char *verdict(const unsigned char *der, size_t len, char code[64])
{
    pubkey_info info = {0};
    ct_error err = {0};

    if (pubkey_from_key_file(der, len, &info, &err) == 0) {
        assert_int_equal(info.is_rsa, 1);
        assert_int_equal(info.bits, 2048);
        pubkey_info_free(&info);
        code[0] = '\0';
    } else {
        assert_null(info.spki);
        memcpy(code, err.code, sizeof err.code);
    }
    return code;
}

static void test_rsa_even_modulus_refused_by_both_readers(void **state)
{
    const unsigned char *params[] = {null_params, odd_params, (const unsigned char *)""};
    const size_t params_len[] = {2, 2, 0};
    char code[64];
    (void)state;

    for (int i = 0; i < 3; i++) { /* the fast reader, then OpenSSL's twice */
        size_t len;
        unsigned char *odd = rsa_spki(0x01, e65537, sizeof e65537, params[i], params_len[i], &len);
        unsigned char *even = NULL;
        assert_string_equal(verdict(odd, len, code), "");
        free(odd);
        even = rsa_spki(0x02, e65537, sizeof e65537, params[i], params_len[i], &len);
        assert_string_equal(verdict(even, len, code), "key.invalid");
        free(even);
    }
}

static void test_rsa_exponent_bounds_alike_in_both_readers(void **state)
{
    unsigned char e256[32], e257[33];
    char code[64];
    (void)state;

    memset(e256, 0, sizeof e256);
    e256[0] = 0x80; /* 2^255 + 1: 256 bits, encoded with a sign octet */
    e256[31] = 0x01;
    memset(e257, 0, sizeof e257);
    e257[0] = 0x01; /* 2^256 + 1: 257 bits */
    e257[32] = 0x01;
    for (int i = 0; i < 2; i++) {
        const unsigned char *params = i ? odd_params : null_params;
        size_t len;
        unsigned char *der = rsa_spki(0x01, e256, sizeof e256, params, 2, &len);
        assert_string_equal(verdict(der, len, code), "");
        free(der);
        der = rsa_spki(0x01, e257, sizeof e257, params, 2, &len);
        assert_string_equal(verdict(der, len, code), "key.exponent");
        free(der);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_named_uncompressed_unchanged),
        cmocka_unit_test(test_explicit_curve_refused),
        cmocka_unit_test(test_explicit_curve_csr_refused),
        cmocka_unit_test(test_compressed_point_certified_uncompressed),
        cmocka_unit_test(test_hybrid_point_certified_uncompressed),
        cmocka_unit_test(test_rsa_even_modulus_refused_by_both_readers),
        cmocka_unit_test(test_rsa_exponent_bounds_alike_in_both_readers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
