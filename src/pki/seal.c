/*
 * seal.c — passphrase sealing: scrypt + AES-256-GCM (see seal.h).
 *
 * Layout: "CTSEAL01" | log2(N) r p 0 | salt[16] | nonce[12] | ciphertext | tag[16]; the first
 * 40 bytes are the GCM's additional data. scrypt's cost is N = 2^15, r = 8, p = 1 (32 MiB,
 * ~0.1 s): what OpenSSL and RFC 7914 suggest for interactive use. Unsealing accepts only modest
 * parameters, so that a crafted header cannot make it allocate gigabytes.
 */
#include "pki/seal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define MAGIC "CTSEAL01"
#define MAGIC_LEN 8
#define SALT_LEN 16
#define NONCE_LEN 12
#define TAG_LEN 16
#define HEADER_LEN (MAGIC_LEN + 4 + SALT_LEN + NONCE_LEN)
#define SEAL_LOG2_N 15
#define SEAL_R 8
#define SEAL_P 1

static int derive(const char *passphrase, const unsigned char *salt, int log2_n, int r, int p,
                  unsigned char key[32])
{
    uint64_t n = (uint64_t)1 << log2_n;
    uint64_t maxmem = 128u * (uint64_t)r * (n + (uint64_t)p + 2) + (1u << 20);

    return EVP_PBE_scrypt(passphrase, strlen(passphrase), salt, SALT_LEN, n, (uint64_t)r,
                          (uint64_t)p, maxmem, key, 32) == 1
               ? 0
               : -1;
}

/* AES-256-GCM one way or the other; decrypting checks the tag. */
static int gcm(int encrypt, const unsigned char key[32], const unsigned char *header,
               const unsigned char *in, size_t len, unsigned char *out, unsigned char tag[TAG_LEN])
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    const unsigned char *nonce = header + MAGIC_LEN + 4 + SALT_LEN;
    int n, ok = ctx != NULL && len <= INT32_MAX &&
                EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, encrypt) == 1 &&
                EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) == 1 &&
                EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, encrypt) == 1 &&
                EVP_CipherUpdate(ctx, NULL, &n, header, HEADER_LEN) == 1 &&
                (len == 0 || EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1);

    if (ok && !encrypt)
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1;
    ok = ok && EVP_CipherFinal_ex(ctx, out + len, &n) == 1;
    if (ok && encrypt)
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok ? 0 : -1;
}

int pki_seal(const char *passphrase, const unsigned char *in, size_t len, unsigned char **out,
             size_t *out_len, ct_error *err)
{
    size_t total = HEADER_LEN + len + TAG_LEN;
    unsigned char *buf = malloc(total), key[32];
    int rc;

    if (buf == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    memcpy(buf, MAGIC, MAGIC_LEN);
    buf[MAGIC_LEN] = SEAL_LOG2_N;
    buf[MAGIC_LEN + 1] = SEAL_R;
    buf[MAGIC_LEN + 2] = SEAL_P;
    buf[MAGIC_LEN + 3] = 0;
    if (RAND_bytes(buf + MAGIC_LEN + 4, SALT_LEN + NONCE_LEN) != 1 ||
        derive(passphrase, buf + MAGIC_LEN + 4, SEAL_LOG2_N, SEAL_R, SEAL_P, key) != 0) {
        free(buf);
        return ct_fail(err, 500, "seal.failed", "không dẫn xuất được khóa từ mật khẩu",
                       "cannot derive a key from the passphrase");
    }
    rc = gcm(1, key, buf, in, len, buf + HEADER_LEN, buf + HEADER_LEN + len);
    OPENSSL_cleanse(key, sizeof key);
    if (rc != 0) {
        free(buf);
        return ct_fail(err, 500, "seal.failed", "không mã hóa được", "cannot encrypt");
    }
    *out = buf;
    *out_len = total;
    return 0;
}

int pki_unseal(const char *passphrase, const unsigned char *in, size_t len, unsigned char **out,
               size_t *out_len, ct_error *err)
{
    unsigned char key[32], tag[TAG_LEN], *buf;
    size_t body;
    int log2_n, r, p, rc;

    if (len < HEADER_LEN + TAG_LEN || memcmp(in, MAGIC, MAGIC_LEN) != 0)
        return ct_fail(err, 400, "seal.malformed", "không phải dữ liệu niêm phong của chungthu",
                       "not data sealed by chungthu");
    log2_n = in[MAGIC_LEN];
    r = in[MAGIC_LEN + 1];
    p = in[MAGIC_LEN + 2];
    if (log2_n < 10 || log2_n > 20 || r < 1 || r > 16 || p < 1 || p > 4)
        return ct_fail(err, 400, "seal.malformed", "tham số dẫn xuất khóa không hợp lệ",
                       "key derivation parameters out of range");
    body = len - HEADER_LEN - TAG_LEN;
    buf = malloc(body + 1);
    if (buf == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    if (derive(passphrase, in + MAGIC_LEN + 4, log2_n, r, p, key) != 0) {
        free(buf);
        return ct_fail(err, 500, "seal.failed", "không dẫn xuất được khóa từ mật khẩu",
                       "cannot derive a key from the passphrase");
    }
    memcpy(tag, in + HEADER_LEN + body, TAG_LEN);
    rc = gcm(0, key, in, in + HEADER_LEN, body, buf, tag);
    OPENSSL_cleanse(key, sizeof key);
    if (rc != 0) {
        OPENSSL_cleanse(buf, body);
        free(buf);
        return ct_fail(err, 400, "seal.wrong_passphrase",
                       "sai mật khẩu, hoặc dữ liệu niêm phong đã bị sửa",
                       "wrong passphrase, or the sealed data was altered");
    }
    buf[body] = 0;
    *out = buf;
    *out_len = body;
    return 0;
}
