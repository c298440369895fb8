/*
 * cert.h — building and signing X.509 v3 certificates to chungthu's five profiles.
 *
 * The profiles (DESIGN.md §3, docs/certificate-profile.md) are fixed shapes: a root CA, the
 * issuing CA, the delegated OCSP responder and the individual subscriber. The builder writes the
 * TBSCertificate directly in DER (pki/der.h) and signs it with a pki_signer; it does no input
 * validation of names or e-mail — callers pass values that core/ has already checked.
 */
#ifndef CT_PKI_CERT_H
#define CT_PKI_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/der.h"
#include "pki/signer.h"

#define CERT_MAX_UNITS 8
#define CERT_SERIAL_LEN 16
#define CERT_KEY_ID_LEN 20

typedef enum {
    CERT_PROFILE_ROOT,
    CERT_PROFILE_ISSUING,
    CERT_PROFILE_OCSP,
    CERT_PROFILE_SUBSCRIBER,
    CERT_PROFILE_AUDIT, /* the key that signs the audit trail's checkpoints */
} cert_profile;

/* A subject distinguished name: C=VN, L, O, OU..., CN (all UTF8String but C). */
typedef struct cert_subject {
    const char *locality; /* L; may be NULL */
    const char *org;      /* O; may be NULL */
    const char *units[CERT_MAX_UNITS];
    size_t n_units;
    const char *common_name;
} cert_subject;

/* The CA that signs: its key, its subject Name DER and its key identifier. */
typedef struct cert_issuer {
    pki_signer *signer;
    const unsigned char *name_der;
    size_t name_len;
    unsigned char key_id[CERT_KEY_ID_LEN];
} cert_issuer;

typedef struct cert_request {
    cert_profile profile;
    unsigned char serial[CERT_SERIAL_LEN];
    int64_t not_before;
    int64_t not_after;
    const unsigned char *subject_der; /* from cert_encode_name() */
    size_t subject_len;
    const unsigned char *spki; /* SubjectPublicKeyInfo DER */
    size_t spki_len;
    int spki_is_rsa;   /* subscriber RSA keys also get keyEncipherment */
    const char *email; /* subscriber: rfc822Name in subjectAltName */
    const char *policy_oid;
    const char *eku_oid; /* audit: its extended key usage, dotted text */
    const char *cps_uri;
    const char *crl_url;        /* CRL distribution point of the issuer's CRL; may be NULL */
    const char *ocsp_url;       /* AIA id-ad-ocsp; may be NULL */
    const char *ca_issuers_url; /* AIA id-ad-caIssuers; may be NULL */
} cert_request;

/* DER Name for subject. *der is malloc'd. */
int cert_encode_name(const cert_subject *subject, unsigned char **der, size_t *len, ct_error *err);

/* RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING. */
int cert_key_id(const unsigned char *spki, size_t spki_len, unsigned char out[CERT_KEY_ID_LEN],
                ct_error *err);

/* n serials of 16 bytes from the CSPRNG, positive, first byte non-zero (so the encoding is
 * always 16 bytes), in one draw: a bulk issuance asks once, not once a certificate. */
int cert_random_serials(unsigned char (*out)[CERT_SERIAL_LEN], size_t n, ct_error *err);
/* Upper-case hex of a serial: out must hold 2*CERT_SERIAL_LEN+1 bytes. */
void cert_serial_hex(const unsigned char serial[CERT_SERIAL_LEN], char *out);

/* Close a signed structure (certificate, CRL): sign the TBS part written from tbs_start, append
 * AlgorithmIdentifier and signature, close the outer SEQUENCE opened at outer, and hand the
 * bytes over. b is consumed on success and failure. */
int cert_sign_wrap(ct_buf *b, size_t outer, size_t tbs_start, pki_signer *signer,
                   unsigned char **der, size_t *der_len, ct_error *err);

/* Build and sign. *der is malloc'd. */
int cert_build(const cert_request *req, const cert_issuer *issuer, unsigned char **der,
               size_t *der_len, ct_error *err);

#endif
