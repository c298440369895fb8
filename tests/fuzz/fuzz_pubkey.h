/*
 * fuzz_pubkey.h — the properties of every subscriber key pki/pubkey.c accepts, whatever it came
 * from (a CSR, a key file, a token's SubjectPublicKeyInfo): OpenSSL reads the stored SPKI back
 * to the same key, the profile's key policy holds for it (RSA 2048–4096 bits, odd exponent
 * 65537 ≤ e < 2^256; EC on P-256 or P-384 by a named curve, the point uncompressed, RFC 5480),
 * accepting the stored SPKI again gives the same bytes (so the fast RSA reader and OpenSSL's
 * agree), and the key identifier the certificate builder needs can be computed.
 */
#ifndef CT_FUZZ_PUBKEY_H
#define CT_FUZZ_PUBKEY_H

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "fuzz_common.h"
#include "pki/cert.h"
#include "pki/pubkey.h"

static inline void fuzz_check_key_policy(EVP_PKEY *pkey, const pubkey_info *info)
{
    FUZZ_CHECK(EVP_PKEY_get_bits(pkey) == info->bits);
    if (info->is_rsa) {
        BIGNUM *e = NULL;
        FUZZ_CHECK(EVP_PKEY_is_a(pkey, "RSA"));
        FUZZ_CHECK(info->bits >= 2048 && info->bits <= 4096);
        FUZZ_CHECK(EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) == 1);
        FUZZ_CHECK(BN_is_odd(e) && BN_num_bits(e) >= 17 && BN_num_bits(e) <= 256);
        BN_free(e);
    } else {
        char curve[64] = "";
        size_t n;
        X509_PUBKEY *xpk = NULL;
        X509_ALGOR *alg;
        int ptype = 0;
        const void *pval;
        const unsigned char *p = info->spki, *point = NULL;
        int point_len = 0;
        FUZZ_CHECK(EVP_PKEY_is_a(pkey, "EC"));
        FUZZ_CHECK(EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, curve,
                                                  sizeof curve, &n) == 1);
        FUZZ_CHECK(strcmp(curve, "prime256v1") == 0 || strcmp(curve, "secp384r1") == 0);
        /* the curve by its name in the certificate, not spelt out (RFC 5480 2.1.1) */
        xpk = d2i_X509_PUBKEY(NULL, &p, (long)info->spki_len);
        FUZZ_CHECK(xpk != NULL && X509_PUBKEY_get0_param(NULL, NULL, NULL, &alg, xpk) == 1);
        X509_ALGOR_get0(NULL, &ptype, &pval, alg);
        FUZZ_CHECK(ptype == V_ASN1_OBJECT);
        /* the point uncompressed, the one form every client reads (the hybrid form is
         * forbidden, RFC 5480 2.2) */
        FUZZ_CHECK(X509_PUBKEY_get0_param(NULL, &point, &point_len, NULL, xpk) == 1);
        FUZZ_CHECK(point_len == (info->bits == 256 ? 65 : 97) && point[0] == 0x04);
        X509_PUBKEY_free(xpk);
    }
}

static inline void fuzz_check_key(const pubkey_info *info, const uint8_t *data, size_t size)
{
    const unsigned char *p = info->spki;
    EVP_PKEY *pkey;
    pubkey_info again = {0};
    unsigned char key_id[CERT_KEY_ID_LEN];
    ct_error err = {0};

    FUZZ_CHECK(info->spki != NULL && info->spki_len > 0);
    pkey = d2i_PUBKEY(NULL, &p, (long)info->spki_len);
    FUZZ_CHECK(pkey != NULL && p == info->spki + info->spki_len);
    fuzz_check_key_policy(pkey, info);
    EVP_PKEY_free(pkey);
    if (pubkey_from_key_file(info->spki, info->spki_len, &again, &err) != 0) {
        fprintf(stderr, "stored SPKI refused: [%s] %s\n", err.code, err.en);
        FUZZ_CHECK(!"an accepted key's SPKI is accepted again");
    }
    FUZZ_CHECK(again.is_rsa == info->is_rsa && again.bits == info->bits);
    FUZZ_CHECK(again.spki_len == info->spki_len &&
               memcmp(again.spki, info->spki, info->spki_len) == 0);
    pubkey_info_free(&again);
    FUZZ_CHECK(cert_key_id(info->spki, info->spki_len, key_id, &err) == 0);
    /* a token's test signature over the input never verifies against a key we did not sign
     * with: exercises the r||s conversion on whatever bytes come */
    FUZZ_CHECK(pubkey_verify(info->spki, info->spki_len, (const unsigned char *)"chungthu", 8, data,
                             size, &err) != 0);
}

#endif
