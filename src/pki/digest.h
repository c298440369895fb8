/*
 * digest.h — the hash functions the CA uses, fetched from OpenSSL once.
 *
 * In OpenSSL 3 the classic EVP_sha256() is fetched implicitly on every use: ~0.4 µs a call,
 * a third of hashing a certificate. Bulk issuance hashes each certificate three times (the TBS
 * to sign, the fingerprint, the subject key identifier), so the fetched ones are kept here.
 */
#ifndef CT_PKI_DIGEST_H
#define CT_PKI_DIGEST_H

#include <stddef.h>

#include <openssl/evp.h>

const EVP_MD *pki_md_sha256(void);
const EVP_MD *pki_md_sha384(void);

/* One-shot hashes; out holds 20 and 32 bytes. 0 on success. */
int pki_sha1(const void *data, size_t len, unsigned char out[20]);
int pki_sha256(const void *data, size_t len, unsigned char out[32]);

#endif
