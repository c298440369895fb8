/*
 * pubkey.h — accepting a subscriber's public key: from a CSR (whose signature must verify), from
 * a public key file, or as the SubjectPublicKeyInfo a token returned. Only keys the profile
 * allows pass: RSA 2048–4096 bits with a sane exponent, or EC on P-256/P-384.
 */
#ifndef CT_PKI_PUBKEY_H
#define CT_PKI_PUBKEY_H

#include <stddef.h>

#include "core/error.h"

typedef struct pubkey_info {
    unsigned char *spki; /* malloc'd SubjectPublicKeyInfo DER */
    size_t spki_len;
    int is_rsa;
    int bits;
} pubkey_info;

/* data: PEM or DER (a key file's DER is a SubjectPublicKeyInfo, as a token returns it). */
int pubkey_from_csr(const unsigned char *data, size_t len, pubkey_info *out, ct_error *err);
/* The same, also giving the CSR's subject Name as DER (malloc'd; NULL subject_der: not wanted). */
int pubkey_from_csr_subject(const unsigned char *data, size_t len, pubkey_info *out,
                            unsigned char **subject_der, size_t *subject_len, ct_error *err);
int pubkey_from_key_file(const unsigned char *data, size_t len, pubkey_info *out, ct_error *err);
void pubkey_info_free(pubkey_info *info);

/* Verify a signature over data made with the key's private half: SHA-256 with RSA PKCS#1 v1.5,
 * or ECDSA with SHA-256 given as raw r||s (what a PKCS#11 token returns). Code
 * "signature.invalid" when it does not verify. */
int pubkey_verify(const unsigned char *spki, size_t spki_len, const unsigned char *data, size_t len,
                  const unsigned char *sig, size_t sig_len, ct_error *err);

#endif
