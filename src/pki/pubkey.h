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

/* data: PEM or DER. */
int pubkey_from_csr(const unsigned char *data, size_t len, pubkey_info *out, ct_error *err);
int pubkey_from_key_file(const unsigned char *data, size_t len, pubkey_info *out, ct_error *err);
int pubkey_from_spki(const unsigned char *spki, size_t len, pubkey_info *out, ct_error *err);
void pubkey_info_free(pubkey_info *info);

#endif
