/*
 * ca.h — a certificate authority as the rest of pki sees it: its certificate, parsed once, and
 * its signer. Also reading back any certificate we hold (subject text, validity, fingerprint).
 */
#ifndef CT_PKI_CA_H
#define CT_PKI_CA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "pki/cert.h"
#include "pki/signer.h"

typedef struct pki_ca {
    unsigned char *cert_der;
    size_t cert_len;
    unsigned char *subject_der; /* its subject Name: the issuer Name of what it signs */
    size_t subject_len;
    unsigned char key_id[CERT_KEY_ID_LEN];
    int64_t not_before;
    int64_t not_after;
    pki_signer *signer; /* owned; NULL for a CA we only verify against */
} pki_ca;

/* Parse cert_der (copied) and take ownership of signer (also on failure). */
int pki_ca_load(pki_ca *ca, const unsigned char *cert_der, size_t cert_len, pki_signer *signer,
                ct_error *err);
void pki_ca_free(pki_ca *ca);
cert_issuer pki_ca_issuer(const pki_ca *ca);

typedef struct pki_cert_info {
    char subject[1024]; /* RFC 2253 order reversed for reading: "CN=…, OU=…, O=…, L=…, C=VN" */
    char issuer[1024];
    char serial_hex[80];
    char sha256_hex[65];
    int64_t not_before;
    int64_t not_after;
} pki_cert_info;

int pki_cert_info_read(const unsigned char *der, size_t len, pki_cert_info *out, ct_error *err);

/* Whether the certificate der chains to a trust anchor through its issuers: up[0] signed it,
 * up[1] signed up[0], …, up[n_up - 1] is the self-signed anchor (n_up 0: der is the anchor and
 * must sign itself). Signatures, names and the issuers' CA constraints are checked; validity
 * dates are not, so that the caller judges time by its own clock. 0 when it verifies; otherwise
 * -1 with "ca.chain" and OpenSSL's reason. */
int pki_chain_verify(const unsigned char *der, size_t len, const pki_ca *const *up, size_t n_up,
                     ct_error *err);

/* The subject Name and the SubjectPublicKeyInfo of a certificate, as DER (each malloc'd, the
 * caller's to free): what a token stores beside a certificate, and the key a renewal for the same
 * key is signed for. */
int pki_cert_subject_spki(const unsigned char *der, size_t len, unsigned char **subject,
                          size_t *subject_len, unsigned char **spki, size_t *spki_len,
                          ct_error *err);

/* Whether the certificate der carries the public key of signer. */
bool pki_cert_key_matches(const unsigned char *der, size_t len, const pki_signer *signer);

/* PEM text of a DER certificate; *pem malloc'd and NUL-terminated. */
int pki_cert_to_pem(const unsigned char *der, size_t len, char **pem, ct_error *err);
/* DER from a PEM (or DER) certificate file's bytes. *der malloc'd. */
int pki_cert_from_pem(const unsigned char *data, size_t len, unsigned char **der, size_t *der_len,
                      ct_error *err);

/* Check a signature made with the key of the certificate cert_der over data (SHA-384 for a P-384
 * key, SHA-256 otherwise, as signer_sign makes them): 0 when it verifies, -1 (400
 * "signature.invalid") when not. */
int pki_verify_with_cert(const unsigned char *cert_der, size_t cert_len, const unsigned char *data,
                         size_t data_len, const unsigned char *sig, size_t sig_len, ct_error *err);

#endif
