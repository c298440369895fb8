/*
 * app.h — the use cases of chungthu: the whole surface the faces (command line, HTTP) call.
 *
 * One function per thing a person does. Each takes the acting user (name, role, where from),
 * checks the role, does the work in one database transaction together with its audit row, and
 * reports failure through ct_error with nothing changed.
 */
#ifndef CT_APP_APP_H
#define CT_APP_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/config.h"
#include "core/error.h"
#include "core/role.h"
#include "core/subscriber.h"
#include "store/store.h"

typedef struct app app;

typedef struct app_actor {
    const char *name; /* user name, or the operator's --actor on the command line */
    role role;
    const char *source; /* "cli", a client address, "scheduler" */
} app_actor;

/* ---- the instance ---- */

typedef struct app_init_options {
    const char *root_key;    /* NULL: config default (rsa4096) */
    const char *issuing_key; /* NULL: config default (rsa3072) */
    const char *base_url;    /* NULL: http://127.0.0.1:8080 */
    bool demo;
} app_init_options;

/* Create an instance in home (which must not exist or be empty): config, database, CA keys and
 * certificates. On failure nothing is left behind. */
int app_init(const char *home, const app_init_options *opt, const app_actor *actor, ct_error *err);
int app_open(const char *home, app **out, ct_error *err);
void app_close(app *a);
const app_config *app_get_config(const app *a);

/* The CA certificates: name is "root", "issuing" or "ocsp". Returned bytes belong to the app. */
int app_ca_cert(app *a, const char *name, const unsigned char **der, size_t *len, ct_error *err);

/* ---- certificates ---- */

typedef struct app_cert_request {
    subscriber_input subject;
    int days; /* 0: profile default */
    /* the subscriber's public key: exactly one of these */
    const unsigned char *csr; /* PEM or DER, signature checked */
    size_t csr_len;
    const unsigned char *pubkey; /* PEM or DER public key / SubjectPublicKeyInfo */
    size_t pubkey_len;
    bool hold; /* issue on hold (procedure step 2) instead of active */
} app_cert_request;

/* Issue one certificate and store it durably. out (may be NULL) receives the stored record. */
int app_cert_issue(app *a, const app_actor *actor, const app_cert_request *req, cert_record *out,
                   ct_error *err);
/* Issue n certificates: all are checked first, signed on `threads` threads, and stored in one
 * transaction (all or none). serials (may be NULL) receives each serial. */
int app_cert_issue_many(app *a, const app_actor *actor, const app_cert_request *reqs, size_t n,
                        int threads, char (*serials)[41], ct_error *err);

int app_cert_get(app *a, const app_actor *actor, const char *serial, cert_record *out,
                 ct_error *err);
int app_cert_list(app *a, const app_actor *actor, const cert_filter *filter, cert_visit_fn visit,
                  void *ctx, ct_error *err);
/* PEM text of a stored certificate; *pem malloc'd. */
int app_cert_pem(const cert_record *rec, char **pem, ct_error *err);

/* ---- status: revocation, CRLs, OCSP (app_status.c) ---- */

/* A signed object handed to a face: bytes plus what HTTP caching needs. */
typedef struct app_blob {
    unsigned char *data; /* owned; freed by app_blob_free */
    size_t len;
    int64_t this_update;
    int64_t next_update;
    char etag[72]; /* quoted strong ETag, e.g. "\"3f2a…\"" */
} app_blob;

void app_blob_free(app_blob *b);

/* Revoke a certificate. reason: unspecified, keyCompromise, cACompromise, affiliationChanged,
 * superseded, cessationOfOperation, privilegeWithdrawn, aACompromise. Audited; CRLs and OCSP
 * answers follow at once. */
int app_cert_revoke(app *a, const app_actor *actor, const char *serial, const char *reason,
                    ct_error *err);
/* Sign fresh CRLs for every CA now (operator's `crl generate`). */
int app_crl_generate(app *a, const app_actor *actor, ct_error *err);
/* The latest CRL of "root" or "issuing" (signed on first use if there is none). */
int app_crl_get(app *a, const char *name, app_blob *out, ct_error *err);
/* Answer an OCSP request (DER). Bad requests get an OCSP malformedRequest response, not an
 * error: only a failure to produce any response at all returns -1. */
int app_ocsp_respond(app *a, const unsigned char *req, size_t len, app_blob *out, ct_error *err);
/* Scheduled upkeep: re-sign CRLs and OCSP responses nearing nextUpdate, renew the OCSP
 * responder certificate before it expires. Called by the server's timer and `run-due`. */
int app_status_refresh(app *a, ct_error *err);

/* ---- the public directory (app_directory.c): published certificates only ---- */

int app_directory_search(app *a, const char *query, int64_t limit, int64_t offset,
                         cert_visit_fn visit, void *ctx, bool *has_more, ct_error *err);
/* 404 ("cert.not_found") unless the certificate was published. */
int app_directory_get(app *a, const char *serial, cert_record *out, ct_error *err);

/* ---- the audit trail ---- */

typedef struct app_audit_report {
    int64_t rows;
    int64_t first_bad_id; /* 0 when the chain is intact */
    char problem[256];
} app_audit_report;

int app_audit_verify(app *a, const app_actor *actor, app_audit_report *report, ct_error *err);

#endif
