/*
 * signer.c — CA signing keys: encrypted PEM files through OpenSSL, or an external (HSM) signer.
 *
 * Signatures are PKCS#1 v1.5 with SHA-256 for RSA (what every relying party in the country can
 * check) and ECDSA with SHA-256 (P-256) or SHA-384 (P-384).
 */
#include "pki/signer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pthread.h>
#include <stdatomic.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "core/der.h"
#include "pki/digest.h"

/*
 * A file key signs through "lanes": each lane is a private copy of the key with a signing
 * context set up once. Threads signing at the same time take different lanes, so they never
 * share a key object: sharing one RSA key makes OpenSSL fall back to its locked, shared
 * blinding, which costs a third of the throughput on two cores.
 */
#define SIGNER_LANES 8

typedef struct signer_lane {
    pthread_mutex_t lock;
    EVP_PKEY *pkey;
    EVP_PKEY_CTX *ctx; /* sign_init done, digest and padding set */
} signer_lane;

struct pki_signer {
    pki_key_type type;
    EVP_PKEY *pkey; /* file keys */
    signer_raw_sign_fn raw_sign;
    void *raw_ctx;
    unsigned char *spki;
    size_t spki_len;
    signer_lane lanes[SIGNER_LANES];
    atomic_uint next_lane;
};

static const unsigned char alg_sha256_rsa[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                               0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00};
static const unsigned char alg_ecdsa_sha256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                                 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
static const unsigned char alg_ecdsa_sha384[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                                 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
/* DigestInfo prefixes for PKCS#1 v1.5 (RFC 8017 9.2 note 1) */
static const unsigned char digestinfo_sha256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                                  0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                                  0x01, 0x05, 0x00, 0x04, 0x20};

static const struct {
    const char *name;
    pki_key_type type;
} key_names[] = {
    {"rsa2048", PKI_KEY_RSA2048}, {"rsa3072", PKI_KEY_RSA3072}, {"rsa4096", PKI_KEY_RSA4096},
    {"p256", PKI_KEY_P256},       {"p384", PKI_KEY_P384},
};

int pki_key_type_parse(const char *text, pki_key_type *out, ct_error *err)
{
    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++) {
        if (strcmp(text, key_names[i].name) == 0) {
            *out = key_names[i].type;
            return 0;
        }
    }
    return ct_fail(err, 400, "key.type",
                   "loại khóa không hợp lệ: \"%s\" (chọn rsa2048, rsa3072, rsa4096, p256, p384)",
                   "unknown key type \"%s\" (use rsa2048, rsa3072, rsa4096, p256 or p384)", text);
}

static int pki_key_type_is_rsa(pki_key_type type)
{
    return type == PKI_KEY_RSA2048 || type == PKI_KEY_RSA3072 || type == PKI_KEY_RSA4096;
}

/* Fail with an OpenSSL-originated error: our message, then OpenSSL's reason in brackets. */
static int openssl_fail(ct_error *err, const char *code, const char *vi, const char *en)
{
    char detail[200] = "", v[CT_ERR_MSG_MAX], e[CT_ERR_MSG_MAX];
    unsigned long code_e = ERR_get_error();

    if (code_e)
        ERR_error_string_n(code_e, detail, sizeof detail);
    ERR_clear_error();
    snprintf(v, sizeof v, "%s%s%s%s", vi, *detail ? " (" : "", detail, *detail ? ")" : "");
    snprintf(e, sizeof e, "%s%s%s%s", en, *detail ? " (" : "", detail, *detail ? ")" : "");
    return ct_fail_text(err, 500, code, v, e);
}

static pki_signer *signer_new(void)
{
    pki_signer *s = calloc(1, sizeof *s);

    if (s)
        for (int i = 0; i < SIGNER_LANES; i++)
            pthread_mutex_init(&s->lanes[i].lock, NULL);
    return s;
}

static int set_spki(pki_signer *s, ct_error *err)
{
    unsigned char *p = NULL;
    int n = i2d_PUBKEY(s->pkey, &p);

    if (n <= 0)
        return openssl_fail(err, "key.encode", "không mã hóa được khóa công khai",
                            "cannot encode the public key");
    s->spki = p;
    s->spki_len = (size_t)n;
    return 0;
}

static int key_type_of(EVP_PKEY *pkey, pki_key_type *type, ct_error *err)
{
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        switch (EVP_PKEY_get_bits(pkey)) {
        case 2048:
            *type = PKI_KEY_RSA2048;
            return 0;
        case 3072:
            *type = PKI_KEY_RSA3072;
            return 0;
        case 4096:
            *type = PKI_KEY_RSA4096;
            return 0;
        }
    } else if (EVP_PKEY_is_a(pkey, "EC")) {
        char curve[64];
        size_t n;
        if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof curve,
                                           &n)) {
            if (strcmp(curve, "prime256v1") == 0 || strcmp(curve, "P-256") == 0) {
                *type = PKI_KEY_P256;
                return 0;
            }
            if (strcmp(curve, "secp384r1") == 0 || strcmp(curve, "P-384") == 0) {
                *type = PKI_KEY_P384;
                return 0;
            }
        }
    }
    return ct_fail(err, 400, "key.type", "khóa CA không thuộc loại được hỗ trợ",
                   "the CA key is not of a supported type");
}

static EVP_PKEY *generate_pkey(pki_key_type type)
{
    switch (type) {
    case PKI_KEY_RSA2048:
        return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    case PKI_KEY_RSA3072:
        return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
    case PKI_KEY_RSA4096:
        return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)4096);
    case PKI_KEY_P256:
        return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    case PKI_KEY_P384:
        return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    }
    return NULL;
}

int signer_generate_file(pki_key_type type, const char *path, const char *passphrase,
                         pki_signer **out, ct_error *err)
{
    pki_signer *s;
    FILE *f;
    int fd, ok;

    if (passphrase == NULL || strlen(passphrase) < 8)
        return ct_fail(err, 400, "key.passphrase",
                       "mật khẩu bảo vệ khóa CA phải có ít nhất 8 ký tự",
                       "the CA key passphrase must have at least 8 characters");
    s = signer_new();
    if (s == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    s->type = type;
    s->pkey = generate_pkey(type);
    if (s->pkey == NULL) {
        signer_free(s);
        return openssl_fail(err, "key.generate", "không sinh được cặp khóa CA",
                            "cannot generate the CA key pair");
    }
    /* O_EXCL: never overwrite an existing CA key; 0600 from the first byte on. */
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        signer_free(s);
        return ct_fail(err, 500, "key.file", "không tạo được tệp khóa %s: %s",
                       "cannot create key file %s: %s", path, strerror(errno));
    }
    f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        unlink(path);
        signer_free(s);
        return ct_fail(err, 500, "key.file", "không ghi được tệp khóa %s",
                       "cannot write key file %s", path);
    }
    ok =
        PEM_write_PKCS8PrivateKey(f, s->pkey, EVP_aes_256_cbc(), NULL, 0, NULL, (void *)passphrase);
    ok = (fflush(f) == 0) && ok && fsync(fileno(f)) == 0;
    if (fclose(f) != 0)
        ok = 0;
    if (!ok || set_spki(s, err) != 0) {
        unlink(path);
        signer_free(s);
        return openssl_fail(err, "key.file", "không ghi được khóa CA", "cannot write the CA key");
    }
    *out = s;
    return 0;
}

int signer_open_file(const char *path, const char *passphrase, pki_signer **out, ct_error *err)
{
    pki_signer *s;
    FILE *f = fopen(path, "r");

    if (f == NULL)
        return ct_fail(err, 500, "key.file", "không mở được tệp khóa %s: %s",
                       "cannot open key file %s: %s", path, strerror(errno));
    s = signer_new();
    if (s == NULL) {
        fclose(f);
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    s->pkey = PEM_read_PrivateKey(f, NULL, NULL, (void *)(passphrase ? passphrase : ""));
    fclose(f);
    if (s->pkey == NULL) {
        signer_free(s);
        ERR_clear_error();
        return ct_fail(err, 500, "key.passphrase",
                       "không mở được khóa CA %s: sai mật khẩu hoặc tệp hỏng",
                       "cannot open CA key %s: wrong passphrase or damaged file", path);
    }
    if (key_type_of(s->pkey, &s->type, err) != 0 || set_spki(s, err) != 0) {
        signer_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

int signer_open_external(const unsigned char *spki, size_t spki_len, signer_raw_sign_fn raw_sign,
                         void *ctx, pki_signer **out, ct_error *err)
{
    const unsigned char *p = spki;
    EVP_PKEY *pub = d2i_PUBKEY(NULL, &p, (long)spki_len);
    pki_signer *s;

    if (pub == NULL)
        return openssl_fail(err, "key.public", "khóa công khai của HSM không hợp lệ",
                            "the HSM's public key is not valid");
    s = signer_new();
    if (s == NULL) {
        EVP_PKEY_free(pub);
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    s->pkey = pub; /* public half only: used for the type and the SPKI */
    s->raw_sign = raw_sign;
    s->raw_ctx = ctx;
    if (key_type_of(pub, &s->type, err) != 0 || set_spki(s, err) != 0) {
        signer_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

void signer_free(pki_signer *s)
{
    if (s == NULL)
        return;
    for (int i = 0; i < SIGNER_LANES; i++) {
        EVP_PKEY_CTX_free(s->lanes[i].ctx);
        EVP_PKEY_free(s->lanes[i].pkey);
        pthread_mutex_destroy(&s->lanes[i].lock);
    }
    EVP_PKEY_free(s->pkey);
    OPENSSL_free(s->spki);
    free(s);
}

void *signer_evp_pkey(const pki_signer *s)
{
    return s->raw_sign ? NULL : s->pkey;
}

const unsigned char *signer_algorithm(const pki_signer *s, size_t *len)
{
    if (pki_key_type_is_rsa(s->type)) {
        *len = sizeof alg_sha256_rsa;
        return alg_sha256_rsa;
    }
    if (s->type == PKI_KEY_P384) {
        *len = sizeof alg_ecdsa_sha384;
        return alg_ecdsa_sha384;
    }
    *len = sizeof alg_ecdsa_sha256;
    return alg_ecdsa_sha256;
}

const unsigned char *signer_spki(const pki_signer *s, size_t *len)
{
    *len = s->spki_len;
    return s->spki;
}

/* r||s from a token to the DER ECDSA-Sig-Value X.509 wants. */
static int ecdsa_raw_to_der(const unsigned char *rs, size_t len, unsigned char **sig,
                            size_t *sig_len)
{
    ct_buf b;
    size_t mark;

    buf_init(&b);
    mark = der_begin(&b, DER_SEQUENCE);
    der_uint_bytes(&b, rs, len / 2);
    der_uint_bytes(&b, rs + len / 2, len / 2);
    der_end(&b, mark);
    if (!buf_ok(&b)) {
        buf_free(&b);
        return -1;
    }
    *sig = buf_take(&b, sig_len);
    return 0;
}

static int sign_external(pki_signer *s, const unsigned char *data, size_t len, unsigned char **sig,
                         size_t *sig_len, ct_error *err)
{
    unsigned char in[sizeof digestinfo_sha256 + 64], raw[1024];
    size_t in_len, raw_len = sizeof raw;
    unsigned int md_len;
    const EVP_MD *md = s->type == PKI_KEY_P384 ? pki_md_sha384() : pki_md_sha256();

    if (pki_key_type_is_rsa(s->type)) {
        memcpy(in, digestinfo_sha256, sizeof digestinfo_sha256);
        if (!EVP_Digest(data, len, in + sizeof digestinfo_sha256, &md_len, md, NULL))
            return openssl_fail(err, "sign.digest", "lỗi băm", "digest failed");
        in_len = sizeof digestinfo_sha256 + md_len;
    } else {
        if (!EVP_Digest(data, len, in, &md_len, md, NULL))
            return openssl_fail(err, "sign.digest", "lỗi băm", "digest failed");
        in_len = md_len;
    }
    if (s->raw_sign(s->raw_ctx, in, in_len, raw, &raw_len, err) != 0)
        return -1;
    if (pki_key_type_is_rsa(s->type)) {
        *sig = malloc(raw_len);
        if (*sig == NULL)
            return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
        memcpy(*sig, raw, raw_len);
        *sig_len = raw_len;
        return 0;
    }
    if (raw_len % 2 != 0 || ecdsa_raw_to_der(raw, raw_len, sig, sig_len) != 0)
        return ct_fail(err, 500, "sign.hsm", "chữ ký ECDSA từ HSM không hợp lệ",
                       "the HSM returned a malformed ECDSA signature");
    return 0;
}

static const EVP_MD *signer_md(const pki_signer *s)
{
    return s->type == PKI_KEY_P384 ? pki_md_sha384() : pki_md_sha256();
}

/* Take a free lane (setting it up on first use); returns it locked, or NULL. */
static signer_lane *take_lane(pki_signer *s)
{
    unsigned start = atomic_fetch_add(&s->next_lane, 1);
    signer_lane *lane = NULL;

    for (unsigned k = 0; k < SIGNER_LANES && lane == NULL; k++) {
        signer_lane *l = &s->lanes[(start + k) % SIGNER_LANES];
        if (pthread_mutex_trylock(&l->lock) == 0)
            lane = l;
    }
    if (lane == NULL) {
        lane = &s->lanes[start % SIGNER_LANES];
        pthread_mutex_lock(&lane->lock);
    }
    if (lane->ctx == NULL) {
        lane->pkey = EVP_PKEY_dup(s->pkey);
        lane->ctx = lane->pkey ? EVP_PKEY_CTX_new_from_pkey(NULL, lane->pkey, NULL) : NULL;
        if (lane->ctx == NULL || EVP_PKEY_sign_init(lane->ctx) != 1 ||
            EVP_PKEY_CTX_set_signature_md(lane->ctx, signer_md(s)) != 1 ||
            (pki_key_type_is_rsa(s->type) &&
             EVP_PKEY_CTX_set_rsa_padding(lane->ctx, RSA_PKCS1_PADDING) != 1)) {
            EVP_PKEY_CTX_free(lane->ctx);
            EVP_PKEY_free(lane->pkey);
            lane->ctx = NULL;
            lane->pkey = NULL;
            pthread_mutex_unlock(&lane->lock);
            return NULL;
        }
    }
    return lane;
}

int signer_sign(pki_signer *s, const unsigned char *data, size_t len, unsigned char **sig,
                size_t *sig_len, ct_error *err)
{
    unsigned char md[EVP_MAX_MD_SIZE], *buf;
    unsigned int md_len;
    size_t n;
    signer_lane *lane;
    int ok;

    if (s->raw_sign)
        return sign_external(s, data, len, sig, sig_len, err);
    if (EVP_Digest(data, len, md, &md_len, signer_md(s), NULL) != 1)
        return openssl_fail(err, "sign.digest", "lỗi băm", "digest failed");
    n = (size_t)EVP_PKEY_get_size(s->pkey);
    buf = malloc(n);
    lane = take_lane(s);
    if (buf == NULL || lane == NULL) {
        free(buf);
        return openssl_fail(err, "sign", "không ký được", "signing failed");
    }
    ok = EVP_PKEY_sign(lane->ctx, buf, &n, md, md_len) == 1;
    pthread_mutex_unlock(&lane->lock);
    if (!ok) {
        free(buf);
        return openssl_fail(err, "sign", "không ký được", "signing failed");
    }
    *sig = buf;
    *sig_len = n;
    return 0;
}
