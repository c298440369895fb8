/*
 * store.h — the storage interface: everything chungthu keeps durably goes through here.
 *
 * The functions below dispatch to a backend (a table of function pointers, struct
 * store_backend); SQLite is the embedded default (store_sqlite.c), PostgreSQL comes later behind
 * the same table. Callers group writes in store_begin()/store_commit(): a use case that changes
 * several rows (a certificate and its audit row) does it in one transaction or not at all.
 */
#ifndef CT_STORE_STORE_H
#define CT_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct store store;

/* Certificate status values, as stored. */
#define CERT_STATUS_HOLD "hold"
#define CERT_STATUS_ACTIVE "active"
#define CERT_STATUS_REVOKED "revoked"
#define CERT_STATUS_EXPIRED "expired"

typedef struct cert_record {
    char serial[41];    /* upper-case hex */
    char kind[16];      /* "subscriber", "root", "issuing", "ocsp" */
    char issuer[32];    /* name of the CA that signed it: "root" or "issuing" */
    char status[16];    /* CERT_STATUS_* */
    char subject[1024]; /* readable DN */
    char common_name[256];
    char email[256];
    char search_key[1024]; /* diacritic-folded name, organisation, e-mail, serial */
    char sha256[65];
    int64_t not_before;
    int64_t not_after;
    int64_t created_at;
    int64_t effective_at;  /* publication instant; 0 while never published */
    int64_t revoked_at;    /* 0 unless revoked or on hold */
    int revocation_reason; /* RFC 5280 CRLReason; -1 for none */
    unsigned char *der;    /* owned; freed by cert_record_free */
    size_t der_len;
} cert_record;

void cert_record_free(cert_record *rec);

typedef struct cert_filter {
    const char *status; /* NULL: any */
    const char *kind;   /* NULL: any */
    const char *query;  /* folded words that must all appear in search_key; NULL: any */
    int64_t limit;      /* 0: no limit */
    int64_t offset;
} cert_filter;

/* Called once per row; the record is only valid during the call. Return non-zero to stop. */
typedef int (*cert_visit_fn)(void *ctx, const cert_record *rec);

typedef struct audit_entry {
    int64_t id;
    int64_t at; /* Unix seconds, UTC */
    char actor[128];
    char role[32];
    char source[64];  /* "cli", an IP address, "scheduler" */
    char action[64];  /* "cert.issue", "dossier.accept", … */
    char object[128]; /* what it acted on: a serial, a dossier code */
    char *detail;     /* canonical JSON of what changed; owned */
    char prev_hash[65];
    char hash[65];
} audit_entry;

typedef int (*audit_visit_fn)(void *ctx, const audit_entry *entry);

/* Open (creating and migrating if needed) the database at path. */
int store_open_sqlite(const char *path, store **out, ct_error *err);
void store_close(store *s);
int store_schema_version(store *s);

int store_begin(store *s, ct_error *err);
int store_commit(store *s, ct_error *err);
void store_rollback(store *s);

/* Fails with "cert.serial_duplicate" (409) if the serial exists. */
int store_cert_insert(store *s, const cert_record *rec, ct_error *err);
/* Fails with "cert.not_found" (404). rec must be freed with cert_record_free. */
int store_cert_get(store *s, const char *serial, cert_record *rec, ct_error *err);
int store_cert_list(store *s, const cert_filter *filter, cert_visit_fn visit, void *ctx,
                    ct_error *err);
int store_cert_count(store *s, const cert_filter *filter, int64_t *count, ct_error *err);
int store_cert_set_status(store *s, const char *serial, const char *status, int64_t effective_at,
                          int64_t revoked_at, int reason, ct_error *err);

/* Entries of a CRL: every certificate signed by issuer ("root" or "issuing") that is on hold or
 * revoked and not yet expired, in serial order. */
typedef int (*revoked_visit_fn)(void *ctx, const char *serial_hex, int64_t revoked_at, int reason);
int store_cert_revoked_walk(store *s, const char *issuer, int64_t now, revoked_visit_fn visit,
                            void *ctx, ct_error *err);

/* Signed CRLs, one row per (issuer, CRL number). */
typedef struct crl_record {
    char issuer[32];
    int64_t number;
    int64_t this_update;
    int64_t next_update;
    unsigned char *der; /* owned; freed by crl_record_free */
    size_t der_len;
} crl_record;

void crl_record_free(crl_record *rec);
int store_crl_put(store *s, const crl_record *rec, ct_error *err);
/* Fails with "crl.none" (404) when no CRL was signed yet. */
int store_crl_latest(store *s, const char *issuer, crl_record *out, ct_error *err);
/* The number the next CRL of issuer must carry (RFC 5280 5.2.3: monotonically increasing). */
int store_crl_next_number(store *s, const char *issuer, int64_t *number, ct_error *err);

/* The public directory: subscriber certificates that were published (effective_at > 0),
 * matching every word of folded_query as a word prefix, newest publication first. *has_more
 * tells whether rows exist past limit. */
int store_directory_search(store *s, const char *folded_query, int64_t limit, int64_t offset,
                           cert_visit_fn visit, void *ctx, bool *has_more, ct_error *err);

/* The audit trail: append one entry (id assigned by the store); read the last hash; walk all. */
int store_audit_last(store *s, int64_t *id, char hash[65], ct_error *err);
int store_audit_append(store *s, audit_entry *entry, ct_error *err);
int store_audit_walk(store *s, audit_visit_fn visit, void *ctx, ct_error *err);

#endif
