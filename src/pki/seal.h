/*
 * seal.h — data sealed under a passphrase, for what must leave the instance only encrypted
 * (a backup's keys and secrets).
 *
 * scrypt derives an AES-256 key from the passphrase and a random salt; AES-256-GCM encrypts and
 * authenticates the data, and the header (format, scrypt parameters, salt, nonce) too, so a
 * changed byte anywhere or a wrong passphrase is refused, never decrypted into garbage.
 */
#ifndef CT_PKI_SEAL_H
#define CT_PKI_SEAL_H

#include <stddef.h>

#include "core/error.h"

/* *out malloc'd. */
int pki_seal(const char *passphrase, const unsigned char *in, size_t len, unsigned char **out,
             size_t *out_len, ct_error *err);
/* *out malloc'd (the caller cleanses and frees it). 400 "seal.malformed" for bytes that are no
 * sealed data, 400 "seal.wrong_passphrase" when the passphrase (or the data) is not the one. */
int pki_unseal(const char *passphrase, const unsigned char *in, size_t len, unsigned char **out,
               size_t *out_len, ct_error *err);

#endif
