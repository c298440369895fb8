/*
 * pubkey.c — subscriber public keys. See pubkey.h.
 */
#include "pki/pubkey.h"

#include <stdbool.h>
#include <stdint.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core/der.h"

static int is_pem(const unsigned char *data, size_t len)
{
    return len >= 11 && memmem(data, len, "-----BEGIN ", 11) != NULL;
}

/* An RSA modulus is odd (the product of two odd primes); both readers refuse an even one. */
static int even_modulus(ct_error *err)
{
    return ct_fail(err, 400, "key.invalid", "khóa RSA không hợp lệ: modulus là số chẵn",
                   "invalid RSA key: the modulus is even");
}

/* The profile's key policy, applied to every key whatever its origin. */
static int check_key(EVP_PKEY *pkey, pubkey_info *out, ct_error *err)
{
    unsigned char *der = NULL;
    int n;

    memset(out, 0, sizeof *out);
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        BIGNUM *e = NULL, *mod = NULL;
        int bits = EVP_PKEY_get_bits(pkey), ok;
        if (bits < 2048)
            return ct_fail(
                err, 400, "key.too_small", "khóa RSA %d bit quá ngắn: tối thiểu 2048 bit",
                "RSA key of %d bits is too short: at least 2048 bits are required", bits);
        if (bits > 4096)
            return ct_fail(err, 400, "key.too_large", "khóa RSA %d bit quá dài: tối đa 4096 bit",
                           "RSA key of %d bits is too long: at most 4096 bits", bits);
        if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) ||
            !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &mod)) {
            BN_free(e);
            ERR_clear_error();
            return ct_fail(err, 400, "key.invalid", "khóa RSA không hợp lệ", "invalid RSA key");
        }
        /* RFC 3279/NIST SP 800-89: odd exponent, 65537 ≤ e < 2^256 */
        ok = BN_is_odd(e) && BN_num_bits(e) <= 256 && BN_cmp(e, BN_value_one()) > 0 &&
             BN_get_word(e) >= 65537;
        BN_free(e);
        if (!ok) {
            BN_free(mod);
            return ct_fail(err, 400, "key.exponent", "số mũ công khai RSA không được chấp nhận",
                           "the RSA public exponent is not acceptable (use 65537)");
        }
        ok = BN_is_odd(mod);
        BN_free(mod);
        if (!ok)
            return even_modulus(err);
        out->is_rsa = 1;
        out->bits = bits;
    } else if (EVP_PKEY_is_a(pkey, "EC")) {
        char curve[64] = "", encoding[32] = "";
        size_t cn;
        EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof curve, &cn);
        if (strcmp(curve, "prime256v1") != 0 && strcmp(curve, "secp384r1") != 0)
            return ct_fail(
                err, 400, "key.curve", "đường cong \"%s\" không được hỗ trợ: dùng P-256 hoặc P-384",
                "curve \"%s\" is not supported: use P-256 or P-384", *curve ? curve : "?");
        /* A certificate names its curve (RFC 5480 2.1.1): parameters spelt out, even those of
         * P-256, would be copied into it, and many clients refuse them. */
        EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_ENCODING, encoding, sizeof encoding,
                                       &cn);
        if (strcmp(encoding, OSSL_PKEY_EC_ENCODING_GROUP) != 0)
            return ct_fail(err, 400, "key.curve",
                           "đường cong phải được ghi bằng tên (P-256 hoặc P-384), không ghi tường "
                           "minh các tham số",
                           "the curve must be named (P-256 or P-384), not given by explicit "
                           "parameters");
        /* The point goes into the certificate uncompressed, the form every client reads: a
         * compressed one is re-encoded, a hybrid one (forbidden by RFC 5480 2.2) too. */
        if (EVP_PKEY_set_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                           OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) !=
            1) {
            ERR_clear_error();
            return ct_fail(err, 400, "key.invalid", "khóa EC không hợp lệ", "invalid EC key");
        }
        out->bits = EVP_PKEY_get_bits(pkey);
    } else {
        return ct_fail(err, 400, "key.type", "loại khóa công khai không được hỗ trợ (chỉ RSA, EC)",
                       "unsupported public key type (RSA or EC only)");
    }
    n = i2d_PUBKEY(pkey, &der);
    if (n <= 0) {
        ERR_clear_error();
        return ct_fail(err, 400, "key.invalid", "không mã hóa được khóa công khai",
                       "cannot encode the public key");
    }
    out->spki = malloc((size_t)n);
    if (out->spki == NULL) {
        OPENSSL_free(der);
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    memcpy(out->spki, der, (size_t)n);
    out->spki_len = (size_t)n;
    OPENSSL_free(der);
    return 0;
}

/* The subject Name of a CSR as DER (malloc'd, into *der). */
static int csr_subject(X509_REQ *req, unsigned char **der, size_t *len, ct_error *err)
{
    unsigned char *name = NULL;
    int n = i2d_X509_NAME(X509_REQ_get_subject_name(req), &name);

    if (n <= 0) {
        ERR_clear_error();
        return ct_fail(err, 400, "csr.malformed", "yêu cầu chứng thư (CSR) không đọc được",
                       "the certificate request (CSR) cannot be parsed");
    }
    *der = malloc((size_t)n);
    if (*der == NULL) {
        OPENSSL_free(name);
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    memcpy(*der, name, (size_t)n);
    *len = (size_t)n;
    OPENSSL_free(name);
    return 0;
}

int pubkey_from_csr(const unsigned char *data, size_t len, pubkey_info *out, ct_error *err)
{
    return pubkey_from_csr_subject(data, len, out, NULL, NULL, err);
}

int pubkey_from_csr_subject(const unsigned char *data, size_t len, pubkey_info *out,
                            unsigned char **subject_der, size_t *subject_len, ct_error *err)
{
    X509_REQ *req = NULL;
    EVP_PKEY *pkey;
    int rc;

    if (is_pem(data, len)) {
        BIO *bio = BIO_new_mem_buf(data, (int)len);
        if (bio)
            req = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL);
        BIO_free(bio);
    } else {
        const unsigned char *p = data;
        req = d2i_X509_REQ(NULL, &p, (long)len);
        if (req && p != data + len) {
            X509_REQ_free(req);
            req = NULL;
        }
    }
    ERR_clear_error();
    if (req == NULL)
        return ct_fail(err, 400, "csr.malformed", "yêu cầu chứng thư (CSR) không đọc được",
                       "the certificate request (CSR) cannot be parsed");
    pkey = X509_REQ_get0_pubkey(req);
    if (pkey == NULL || X509_REQ_verify(req, pkey) != 1) {
        ERR_clear_error();
        X509_REQ_free(req);
        return ct_fail(err, 400, "csr.signature", "chữ ký của yêu cầu chứng thư (CSR) không hợp lệ",
                       "the CSR's signature does not verify");
    }
    rc = check_key(pkey, out, err);
    if (rc == 0 && subject_der && csr_subject(req, subject_der, subject_len, err) != 0) {
        pubkey_info_free(out);
        rc = -1;
    }
    X509_REQ_free(req);
    return rc;
}

/* RSA keys are read here without OpenSSL's decoders, which cost about 0.4 ms a key — a fifth of
 * an RSA-3072 signature, so a quarter of bulk issuance. The structure is small and fixed:
 *   SEQUENCE { SEQUENCE { OID rsaEncryption, NULL }, BIT STRING { SEQUENCE { INTEGER n,
 *   INTEGER e } } }
 * and the checks are the same as check_key()'s. Returns 1 when it handled the key, 0 when the
 * input is something else (left to OpenSSL), -1 on a refused key. */
static const unsigned char rsa_alg[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                        0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

static bool minimal_positive_integer(const unsigned char *p, size_t n)
{
    if (n == 0 || (p[0] & 0x80))
        return false; /* empty or negative */
    return !(n > 1 && p[0] == 0 && !(p[1] & 0x80));
}

static int rsa_spki_fast(const unsigned char *der, size_t len, pubkey_info *out, ct_error *err)
{
    uint8_t tag;
    const unsigned char *seq, *bits, *key, *n, *e;
    size_t seq_len, bits_len, key_len, n_len, e_len, total, used, bits_total;
    int nbits;
    uint64_t exponent = 0;

    if (!der_read_tlv(der, len, &tag, &seq, &seq_len, &total) || tag != DER_SEQUENCE ||
        total != len || seq_len < sizeof rsa_alg || memcmp(seq, rsa_alg, sizeof rsa_alg) != 0)
        return 0;
    if (!der_read_tlv(seq + sizeof rsa_alg, seq_len - sizeof rsa_alg, &tag, &bits, &bits_len,
                      &bits_total) ||
        tag != DER_BIT_STRING || bits_total != seq_len - sizeof rsa_alg || bits_len < 2 ||
        bits[0] != 0 || !der_read_tlv(bits + 1, bits_len - 1, &tag, &key, &key_len, &total) ||
        tag != DER_SEQUENCE || total != bits_len - 1 ||
        !der_read_tlv(key, key_len, &tag, &n, &n_len, &used) || tag != DER_INTEGER ||
        !der_read_tlv(key + used, key_len - used, &tag, &e, &e_len, &total) || tag != DER_INTEGER ||
        used + total != key_len || !minimal_positive_integer(n, n_len) ||
        !minimal_positive_integer(e, e_len))
        return ct_fail(err, 400, "key.malformed", "khóa công khai RSA không đúng cấu trúc",
                       "the RSA public key is malformed");
    if (n_len > 1 && n[0] == 0) {
        n++;
        n_len--;
    }
    nbits = (int)(n_len * 8);
    for (unsigned char top = n[0]; nbits > 0 && !(top & 0x80); top <<= 1)
        nbits--;
    if (nbits < 2048)
        return ct_fail(err, 400, "key.too_small", "khóa RSA %d bit quá ngắn: tối thiểu 2048 bit",
                       "RSA key of %d bits is too short: at least 2048 bits are required", nbits);
    if (nbits > 4096)
        return ct_fail(err, 400, "key.too_large", "khóa RSA %d bit quá dài: tối đa 4096 bit",
                       "RSA key of %d bits is too long: at most 4096 bits", nbits);
    if (e_len > 1 && e[0] == 0) { /* the sign octet of an exponent with its top bit set */
        e++;
        e_len--;
    }
    if (e_len > 8)
        exponent = UINT64_MAX; /* past 2^64: still odd-checked below, and within 2^256 */
    else
        for (size_t i = 0; i < e_len; i++)
            exponent = (exponent << 8) | e[i];
    if (!(e[e_len - 1] & 1) || exponent < 65537 || e_len > 32)
        return ct_fail(err, 400, "key.exponent", "số mũ công khai RSA không được chấp nhận",
                       "the RSA public exponent is not acceptable (use 65537)");
    if (!(n[n_len - 1] & 1))
        return even_modulus(err);
    memset(out, 0, sizeof *out);
    out->spki = malloc(len);
    if (out->spki == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    memcpy(out->spki, der, len);
    out->spki_len = len;
    out->is_rsa = 1;
    out->bits = nbits;
    return 1;
}

/* The DER inside a "PUBLIC KEY" PEM block, or NULL. *der malloc'd. */
static unsigned char *pem_public_key(const unsigned char *data, size_t len, size_t *der_len)
{
    static const char begin[] = "-----BEGIN PUBLIC KEY-----", end[] = "-----END PUBLIC KEY-----";
    const unsigned char *b = memmem(data, len, begin, sizeof begin - 1), *e;
    unsigned char *b64, *der;
    size_t n = 0, pad = 0;
    int out;

    if (b == NULL)
        return NULL;
    b += sizeof begin - 1;
    e = memmem(b, len - (size_t)(b - data), end, sizeof end - 1);
    if (e == NULL)
        return NULL;
    b64 = calloc(1, (size_t)(e - b) + 1);
    der = malloc((size_t)(e - b) + 1);
    if (b64 == NULL || der == NULL) {
        free(b64);
        free(der);
        return NULL;
    }
    for (const unsigned char *p = b; p < e; p++)
        if (*p != '\n' && *p != '\r' && *p != ' ' && *p != '\t')
            b64[n++] = *p;
    while (pad < n && pad < 2 && b64[n - 1 - pad] == '=')
        pad++;
    out = n % 4 == 0 ? EVP_DecodeBlock(der, b64, (int)n) : -1;
    free(b64);
    if (out < 0 || (size_t)out < pad) {
        free(der);
        return NULL;
    }
    *der_len = (size_t)out - pad; /* EVP_DecodeBlock turns '=' padding into zero bytes */
    return der;
}

int pubkey_from_key_file(const unsigned char *data, size_t len, pubkey_info *out, ct_error *err)
{
    {
        size_t der_len = 0;
        unsigned char *der = is_pem(data, len) ? pem_public_key(data, len, &der_len) : NULL;
        int rc;
        rc = rsa_spki_fast(der ? der : data, der ? der_len : len, out, err);
        free(der);
        if (rc != 0)
            return rc > 0 ? 0 : -1;
    }
    EVP_PKEY *pkey = NULL;
    int rc;

    if (is_pem(data, len)) {
        BIO *bio = BIO_new_mem_buf(data, (int)len);
        if (bio)
            pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
        BIO_free(bio);
    } else {
        const unsigned char *p = data;
        pkey = d2i_PUBKEY(NULL, &p, (long)len);
        if (pkey && p != data + len) {
            EVP_PKEY_free(pkey);
            pkey = NULL;
        }
    }
    ERR_clear_error();
    if (pkey == NULL)
        return ct_fail(err, 400, "key.malformed", "tệp khóa công khai không đọc được",
                       "the public key file cannot be parsed");
    rc = check_key(pkey, out, err);
    EVP_PKEY_free(pkey);
    return rc;
}

void pubkey_info_free(pubkey_info *info)
{
    free(info->spki);
    memset(info, 0, sizeof *info);
}

int pubkey_verify(const unsigned char *spki, size_t spki_len, const unsigned char *data, size_t len,
                  const unsigned char *sig, size_t sig_len, ct_error *err)
{
    const unsigned char *p = spki;
    EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)spki_len);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char *der = NULL;
    int ok = 0;

    if (pkey && md && EVP_PKEY_is_a(pkey, "EC") && sig_len % 2 == 0 && sig_len <= 132) {
        /* r||s to ECDSA-Sig-Value */
        ECDSA_SIG *es = ECDSA_SIG_new();
        BIGNUM *r = BN_bin2bn(sig, (int)(sig_len / 2), NULL);
        BIGNUM *s = BN_bin2bn(sig + sig_len / 2, (int)(sig_len / 2), NULL);
        int n;
        if (es && r && s && ECDSA_SIG_set0(es, r, s)) {
            r = s = NULL;
            n = i2d_ECDSA_SIG(es, &der);
            ok = n > 0 && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) == 1 &&
                 EVP_DigestVerify(md, der, (size_t)n, data, len) == 1;
        }
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(es);
    } else if (pkey && md) {
        ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) == 1 &&
             EVP_DigestVerify(md, sig, sig_len, data, len) == 1;
    }
    OPENSSL_free(der);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pkey);
    ERR_clear_error();
    if (!ok)
        return ct_fail(err, 500, "signature.invalid", "chữ ký thử không khớp với chứng thư",
                       "the test signature does not verify "
                       "against the certificate");
    return 0;
}
