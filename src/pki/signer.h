/*
 * signer.h — a CA's private key, wherever it lives, seen as "sign these bytes".
 *
 * Two kinds: a PEM file encrypted with a passphrase (the embedded default), and a key on a
 * PKCS#11 token or HSM (through src/token). Certificates, CRLs and OCSP responses are all signed
 * through signer_sign(), which is safe to call from several threads at once.
 */
#ifndef CT_PKI_SIGNER_H
#define CT_PKI_SIGNER_H

#include <stddef.h>

#include "core/error.h"

typedef enum {
    PKI_KEY_RSA2048,
    PKI_KEY_RSA3072,
    PKI_KEY_RSA4096,
    PKI_KEY_P256,
    PKI_KEY_P384,
} pki_key_type;

/* "rsa2048", "rsa3072", "rsa4096", "p256", "p384" */
int pki_key_type_parse(const char *text, pki_key_type *out, ct_error *err);

typedef struct pki_signer pki_signer;

/* Generate a key pair and write it to path as encrypted PKCS#8 PEM (AES-256, mode 0600; the file
 * must not exist yet). */
int signer_generate_file(pki_key_type type, const char *path, const char *passphrase,
                         pki_signer **out, ct_error *err);
int signer_open_file(const char *path, const char *passphrase, pki_signer **out, ct_error *err);

/* A signer whose private operation happens elsewhere (an HSM): raw_sign receives the digest
 * (ECDSA) or the DER DigestInfo (RSA PKCS#1 v1.5) and must return the raw signature (RSA) or
 * r||s (ECDSA). spki is the key's SubjectPublicKeyInfo DER; ctx is the caller's and outlives
 * the signer. */
typedef int (*signer_raw_sign_fn)(void *ctx, const unsigned char *in, size_t in_len,
                                  unsigned char *sig, size_t *sig_len, ct_error *err);
int signer_open_external(const unsigned char *spki, size_t spki_len, signer_raw_sign_fn raw_sign,
                         void *ctx, pki_signer **out, ct_error *err);

void signer_free(pki_signer *s);

/* The AlgorithmIdentifier DER this signer's signatures carry. */
const unsigned char *signer_algorithm(const pki_signer *s, size_t *len);
/* The SubjectPublicKeyInfo DER of the key. */
const unsigned char *signer_spki(const pki_signer *s, size_t *len);

/* The OpenSSL key of a file signer (NULL for an external one): for the OCSP responder, whose
 * responses OpenSSL's OCSP code signs. */
void *signer_evp_pkey(const pki_signer *s);

/* Sign data with the signer's hash (SHA-256, or SHA-384 for P-384). *sig is malloc'd. */
int signer_sign(pki_signer *s, const unsigned char *data, size_t len, unsigned char **sig,
                size_t *sig_len, ct_error *err);

#endif
