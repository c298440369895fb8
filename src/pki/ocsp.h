/*
 * ocsp.h — the OCSP responder's protocol side (RFC 6960): parse a request, decide each CertID
 * through a lookup the caller provides, and sign the answer with the delegated responder.
 *
 * Requests for one certificate without a nonce — nearly all of them — are answered the same way
 * until the certificate's status changes, so ocsp_respond() hands back a cache key for them and
 * the caller keeps the signed bytes (app_status.c).
 */
#ifndef CT_PKI_OCSP_H
#define CT_PKI_OCSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "pki/ca.h"

typedef enum { OCSP_STATUS_GOOD, OCSP_STATUS_REVOKED, OCSP_STATUS_UNKNOWN } ocsp_status;

typedef struct ocsp_answer {
    ocsp_status status;
    int64_t revoked_at;
    int reason; /* CRLReason; certificateHold (6) for a certificate on hold */
} ocsp_answer;

/* Status of a serial (upper-case hex) issued by the issuing CA. */
typedef int (*ocsp_lookup_fn)(void *ctx, const char *serial_hex, ocsp_answer *out);

typedef struct ocsp_responder ocsp_responder;

/* issuing: the CA whose certificates are answered for; responder: its delegated responder (a
 * file key, or a key on an HSM signing through signer_open_external). Both must outlive the
 * responder. */
int ocsp_responder_new(const pki_ca *issuing, const pki_ca *responder, ocsp_responder **out,
                       ct_error *err);
void ocsp_responder_free(ocsp_responder *r);

typedef struct ocsp_result {
    unsigned char *der; /* the OCSPResponse; malloc'd */
    size_t len;
    bool cacheable;     /* one CertID of ours, no nonce: valid for anyone asking the same */
    char cache_key[64]; /* "<hash>:<serial>" when cacheable */
    int64_t this_update;
    int64_t next_update;
    bool malformed; /* answered malformedRequest */
} ocsp_result;

/* Always produces a response for a request, malformed or not; returns -1 only if no response
 * at all can be produced. validity: seconds from thisUpdate to nextUpdate. malformedRequest
 * answers a request that is not DER, has no CertID or more than 16, or has a CertID whose
 * hashAlgorithm carries parameters other than none or NULL. */
int ocsp_respond(ocsp_responder *r, const unsigned char *req, size_t len, ocsp_lookup_fn lookup,
                 void *ctx, int64_t now, int64_t validity, ocsp_result *out, ct_error *err);

/* The cache key a request would have, without signing anything (hot path); false when the
 * request is not cacheable or not parseable. */
bool ocsp_request_cache_key(const ocsp_responder *r, const unsigned char *req, size_t len,
                            char key[64]);

#endif
