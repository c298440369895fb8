/*
 * crl.h — X.509 v2 CRLs (RFC 5280 §5), encoded in one pass.
 *
 * A CRL of a million entries is a long run of small, identical shapes; they are written straight
 * into one pre-sized buffer (no per-entry objects, no sort: the caller passes them in serial
 * order), then the TBSCertList is signed once.
 */
#ifndef CT_PKI_CRL_H
#define CT_PKI_CRL_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "pki/cert.h"

/* RFC 5280 §5.3.1 CRLReason */
enum {
    CRL_REASON_UNSPECIFIED = 0,
    CRL_REASON_KEY_COMPROMISE = 1,
    CRL_REASON_CA_COMPROMISE = 2,
    CRL_REASON_AFFILIATION_CHANGED = 3,
    CRL_REASON_SUPERSEDED = 4,
    CRL_REASON_CESSATION = 5,
    CRL_REASON_CERTIFICATE_HOLD = 6,
    CRL_REASON_PRIVILEGE_WITHDRAWN = 9,
    CRL_REASON_AA_COMPROMISE = 10,
};

typedef struct crl_entry {
    unsigned char serial[20];
    uint8_t serial_len;
    int8_t reason; /* CRL_REASON_*; unspecified is written without a reasonCode */
    int64_t revoked_at;
} crl_entry;

/* "keyCompromise" ↔ 1 … ; removeFromCRL (8) is not a revocation reason and is refused. */
int crl_reason_parse(const char *name, int *reason, ct_error *err);
const char *crl_reason_name(int reason);

/* Hex serial ("01AB…") into an entry's bytes; -1 if not hex or too long. */
int crl_entry_serial(crl_entry *e, const char *hex);

int crl_build(const cert_issuer *issuer, int64_t number, int64_t this_update, int64_t next_update,
              const crl_entry *entries, size_t n, unsigned char **der, size_t *der_len,
              ct_error *err);

/* A CRL brought from elsewhere (the offline root's key ceremony), checked against the certificate
 * of its issuer: PEM or DER, signed by that certificate's key, issued under its name, with a CRL
 * number. out->der is the DER (malloc'd). Codes: crl.malformed, crl.issuer (another CA's),
 * crl.signature. */
typedef struct crl_info {
    int64_t number;
    int64_t this_update;
    int64_t next_update;
    unsigned char *der;
    size_t der_len;
} crl_info;
int crl_read(const unsigned char *data, size_t len, const unsigned char *issuer_cert,
             size_t issuer_len, crl_info *out, ct_error *err);

/* Whether a CRL (DER, already checked by crl_read) lists the certificate serial_hex: 1 listed
 * (*reason its CRLReason, unspecified when the entry has none; *revoked_at; either may be NULL),
 * 0 not listed, -1 when the CRL or the serial cannot be read. */
int crl_lists(const unsigned char *der, size_t len, const char *serial_hex, int *reason,
              int64_t *revoked_at);

#endif
