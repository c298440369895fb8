/*
 * store.h — the storage interface: everything chungthu keeps durably goes through here.
 *
 * The functions below dispatch to a backend (a table of function pointers, struct
 * store_backend); SQLite is the embedded default (store_sqlite.c), PostgreSQL (store_pg.c) the
 * backend for several nodes on one database. Callers group writes in store_begin()/store_commit():
 * a use case that changes several rows (a certificate and its audit row) does it in one transaction
 * or not at all.
 */
#ifndef CT_STORE_STORE_H
#define CT_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/records.h"

typedef struct store store;

/* Certificate status values, as stored, and the table of their changes. */
#include "core/cert_status.h"

/* Open (creating and migrating if needed) the database at path. */
int store_open_sqlite(const char *path, store **out, ct_error *err);
/* Open the database target names: a PostgreSQL URL ("postgresql://…" or "postgres://…", the
 * database created beforehand, its tables made and migrated here), else an SQLite file path. */
int store_open(const char *target, store **out, ct_error *err);
bool store_is_url(const char *target);
/* "sqlite" or "postgresql". */
const char *store_backend_name(const store *s);
void store_close(store *s);
int store_schema_version(store *s);
/* The schema version this program migrates a database to (the count of its migrations). */
int store_schema_latest(store *s);
/* Check the database's structure (SQLite: PRAGMA integrity_check, read-only, seconds on a large
 * file). problem receives "" when it is sound, else the first problems found, one a line. */
int store_integrity_check(store *s, char *problem, size_t size, ct_error *err);

/* A copy of the whole database as one consistent snapshot, taken while others go on writing,
 * into a new file at path (0600; 409 "store.backup_file" if it exists): SQLite, a database file;
 * PostgreSQL, `pg_dump -Fc` output. info receives what the copy holds. On failure no file is
 * left at path. */
typedef struct store_backup_info {
    int schema_version;
    int64_t audit_head_id; /* 0 and "" for an empty trail */
    char audit_head_hash[65];
} store_backup_info;
int store_backup(store *s, const char *path, store_backup_info *info, ct_error *err);
/* A PostgreSQL backup (a store_backup of a PostgreSQL store: `pg_dump -Fc` output) restored
 * with pg_restore into the database at url, which must hold no table (409
 * "restore.database_not_empty"), in one transaction: on failure it is left as it was. */
int store_restore_postgresql(const char *url, const char *dump_path, ct_error *err);

/* Copy an SQLite store (at the program's schema version: 409 "store.migrate_version" else) into
 * the EMPTY PostgreSQL database at url (409 "store.migrate_target_not_empty" if it holds a
 * table), in one PostgreSQL transaction: the schema made at the same version, every table the two
 * schemas share copied row for row by column name, the directory's index built anew from the
 * certificates (SQLite's full-text tables are its own), the sequences set past the copied ids,
 * and each table's rows counted on both sides before the commit. The SQLite side is read under
 * its write lock (BEGIN IMMEDIATE), so no other process writes meanwhile (409
 * "store.migrate_busy" when one holds it too long). On failure the target is left as it was. */
#define STORE_COPY_TABLES 40
typedef struct store_copy_table {
    char name[64];
    int64_t source_rows, target_rows;
} store_copy_table;
typedef struct store_copy_report {
    int schema_version;
    size_t n_tables;
    store_copy_table tables[STORE_COPY_TABLES]; /* in the order copied; "directory" last */
} store_copy_report;
int store_copy_to_postgresql(store *s, const char *url, store_copy_report *report, ct_error *err);

int store_begin(store *s, ct_error *err);
int store_commit(store *s, ct_error *err);
void store_rollback(store *s);

/* Fails with "cert.serial_duplicate" (409) if the serial exists. */
int store_cert_insert(store *s, const cert_record *rec, ct_error *err);
/* Fails with "cert.not_found" (404). rec must be freed with cert_record_free; on failure it
 * holds nothing to free. */
int store_cert_get(store *s, const char *serial, cert_record *rec, ct_error *err);
int store_cert_list(store *s, const cert_filter *filter, cert_visit_fn visit, void *ctx,
                    ct_error *err);
int store_cert_count(store *s, const cert_filter *filter, int64_t *count, ct_error *err);
/* Change a certificate's status from `from` to `to`, a write conditioned on what the caller
 * read: 409 "cert.status_changed" if the status is no longer `from` (another step got there
 * first), 409 "cert.revoked" for any change of a revoked certificate (the store's trigger). */
int store_cert_set_status(store *s, const char *serial, const char *from, const char *to,
                          int64_t effective_at, int64_t revoked_at, int reason, ct_error *err);

/* Entries of a CRL: every certificate signed by issuer ("root" or "issuing") that is on hold or
 * revoked and not yet expired, in serial order. */
typedef int (*revoked_visit_fn)(void *ctx, const char *serial_hex, int64_t revoked_at, int reason);
int store_cert_revoked_walk(store *s, const char *issuer, int64_t now, revoked_visit_fn visit,
                            void *ctx, ct_error *err);

/* Certificates inserted or changed after change number since, in order; *last receives the
 * newest change number seen (since when none). With visit NULL: just the newest number. */
typedef int (*cert_change_fn)(void *ctx, const char *serial_hex);
int store_cert_changes(store *s, int64_t since, cert_change_fn visit, void *ctx, int64_t *last,
                       ct_error *err);

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

/* ---- the procedure's records ---- */

/* 409 "agency.exists" on a duplicate code */
int store_agency_insert(store *s, const agency_record *rec, ct_error *err);
/* 404 "agency.not_found" */
int store_agency_get(store *s, const char *code, agency_record *out, ct_error *err);
int store_agency_list(store *s, agency_visit_fn visit, void *ctx, ct_error *err);
/* 404 "agency.not_found" */
int store_agency_update(store *s, const agency_record *rec, ct_error *err);

/* The next sequence number of a receipt day (inside the caller's transaction). */
int store_dossier_next_seq(store *s, const char *day, int64_t *seq, ct_error *err);
int store_dossier_insert(store *s, const dossier_record *rec, ct_error *err);
/* 404 "dossier.not_found" */
int store_dossier_get(store *s, const char *code, dossier_record *out, ct_error *err);
int store_dossier_update(store *s, const dossier_record *rec, ct_error *err);
int store_dossier_list(store *s, const dossier_filter *f, dossier_visit_fn visit, void *ctx,
                       ct_error *err);

int store_applicant_insert(store *s, const applicant_record *rec, ct_error *err);
/* 404 "applicant.not_found" */
int store_applicant_get(store *s, const char *dossier, int64_t n, applicant_record *out,
                        ct_error *err);
int store_applicant_update(store *s, const applicant_record *rec, ct_error *err);
/* A dossier's applicants in list order; dossier NULL: every applicant, by dossier and row (the
 * reports read them in one pass). */
int store_applicant_list(store *s, const char *dossier, applicant_visit_fn visit, void *ctx,
                         ct_error *err);
/* Delete every applicant of a dossier (a resubmission replacing its list, in the caller's
 * transaction). */
int store_applicant_delete_all(store *s, const char *dossier, ct_error *err);
/* Applicants whose publication is due: state activation_requested and requested effective time
 * at or before now. */
int store_applicant_due_publication(store *s, int64_t now, applicant_visit_fn visit, void *ctx,
                                    ct_error *err);
/* Every applicant, in any dossier, listed with this ID number (the CA officer's check). */
int store_applicant_by_id_number(store *s, const char *id_number, applicant_visit_fn visit,
                                 void *ctx, ct_error *err);
/* The applicant a certificate was issued to; 404 "applicant.not_found" for a certificate made
 * outside a dossier (or none). */
int store_applicant_by_cert(store *s, const char *serial, applicant_record *out, ct_error *err);
/* The applicants of an agency's own dossiers (not its sub-units') who were issued a certificate,
 * by dossier and row: the certificates its subscribers hold. */
int store_applicant_holders(store *s, const char *agency, applicant_visit_fn visit, void *ctx,
                            ct_error *err);

int store_token_insert(store *s, const token_record *rec, ct_error *err);
/* 404 "token.not_found" */
int store_token_get(store *s, const char *serial, token_record *out, ct_error *err);
/* The token carrying a certificate; 404 "token.not_found" when none does (a certificate made
 * without a token). */
int store_token_by_cert(store *s, const char *cert_serial, token_record *out, ct_error *err);
int store_token_update(store *s, const token_record *rec, ct_error *err);
/* state NULL: all */
int store_token_list(store *s, const char *state, token_visit_fn visit, void *ctx, ct_error *err);

/* Tidy the directory's full-text index: merge its segments (each publication adds one), so a
 * search reads few. One bounded step; *more says whether work remains. full: merge everything
 * into one segment (after a bulk import; it holds the writer for seconds on a million rows). */
int store_directory_merge(store *s, bool full, bool *more, ct_error *err);

/* ---- drafts: an agency's online dossier while it is being prepared ---- */

/* A draft holds the list and the signed request letter until the agency head confirms and the
 * clerk submits it; submission turns it into a dossier (its code kept here) in one transaction.
 * The list and letter bytes are kept beside the record (store_draft_put/get_document). */
typedef enum { DRAFT_LIST, DRAFT_LETTER } draft_document;

/* Inserts with the next free id, written back to rec->id. */
int store_draft_insert(store *s, draft_record *rec, ct_error *err);
/* 404 "draft.not_found" */
int store_draft_get(store *s, int64_t id, draft_record *out, ct_error *err);
int store_draft_update(store *s, const draft_record *rec, ct_error *err);
int store_draft_delete(store *s, int64_t id, ct_error *err);
/* agency NULL: all; dossier non-NULL: the draft a dossier came from */
int store_draft_list(store *s, const char *agency, const char *dossier, draft_visit_fn visit,
                     void *ctx, ct_error *err);
int store_draft_put_document(store *s, int64_t id, draft_document which, const unsigned char *data,
                             size_t len, ct_error *err);
/* *data malloc'd; 404 "draft.no_document" when there is none */
int store_draft_get_document(store *s, int64_t id, draft_document which, unsigned char **data,
                             size_t *len, ct_error *err);

/* ---- accounts ---- */

int store_user_insert(store *s, const user_record *rec, ct_error *err); /* 409 "user.exists" */
int store_user_get(store *s, const char *username, user_record *out, ct_error *err); /* 404 */
int store_user_update(store *s, const user_record *rec, ct_error *err);
int store_user_list(store *s, user_visit_fn visit, void *ctx, ct_error *err);
/* The account an OS user is mapped to (404 "user.not_found" when none). */
int store_user_get_by_os(store *s, const char *os_user, user_record *out, ct_error *err);
/* How many "auth.login_failed" audit rows name object from source at or after since, after the
 * pair's last "auth.login". */
int store_login_failures(store *s, const char *source, const char *object, int64_t since,
                         int64_t *count, ct_error *err);
int store_session_insert(store *s, const session_record *rec, ct_error *err);
int store_session_get(store *s, const char *token_hash, session_record *out, ct_error *err);
int store_session_delete(store *s, const char *token_hash, ct_error *err);
/* End every session of an account but the one whose hash is keep_hash (NULL: all of them). */
int store_session_delete_user(store *s, const char *username, const char *keep_hash, ct_error *err);

/* Audit rows about one object (a dossier code), oldest first: the dossier's timeline. */
int store_audit_for_object(store *s, const char *object_prefix, audit_visit_fn visit, void *ctx,
                           ct_error *err);

/* The audit trail: append one entry (id assigned by the store); read the last hash; walk all. */
int store_audit_last(store *s, int64_t *id, char hash[65], ct_error *err);
int store_audit_append(store *s, audit_entry *entry, ct_error *err);
int store_audit_walk(store *s, audit_visit_fn visit, void *ctx, ct_error *err);
/* Signed checkpoints of the trail: append one (its seq the next), the last (1: none yet), all in
 * order. */
int store_checkpoint_append(store *s, const audit_checkpoint *cp, ct_error *err);
int store_checkpoint_last(store *s, audit_checkpoint *out, ct_error *err);
int store_checkpoint_walk(store *s, checkpoint_visit_fn visit, void *ctx, ct_error *err);

/* ---- official papers ---- */

/* Keep a paper; 409 "paper.exists" when one of the same dossier, kind, applicant, format and
 * version is kept already. */
int store_paper_insert(store *s, const paper_record *rec, ct_error *err);
/* The newest paper of that dossier, kind, applicant, format and version; 404 "paper.not_found". */
int store_paper_get(store *s, const char *dossier, const char *kind, int64_t applicant,
                    const char *format, int64_t version, paper_record *out, ct_error *err);

/* ---- claims: what a step works on outside a transaction ---- */

/* 409 "claim.taken" when object is claimed already. */
int store_claim_insert(store *s, const claim_record *rec, ct_error *err);
/* 404 "claim.not_found" when object is not claimed. */
int store_claim_get(store *s, const char *object, claim_record *out, ct_error *err);
/* Delete object's claim if holder holds it (NULL: whoever does); no error when there is none. */
int store_claim_delete(store *s, const char *object, const char *holder, ct_error *err);

/* ---- four eyes: requests waiting for a second person ---- */

/* Insert rec with the next id (set in rec->id). */
int store_approval_insert(store *s, approval_record *rec, ct_error *err);
/* 404 "approval.not_found" when there is no request id. */
int store_approval_get(store *s, int64_t id, approval_record *out, ct_error *err);
int store_approval_update(store *s, const approval_record *rec, ct_error *err);
/* The requests in state (NULL: all), oldest first. */
int store_approval_list(store *s, const char *state, approval_visit_fn visit, void *ctx,
                        ct_error *err);

/* ---- e-mail: the outbox and the expiry notices ---- */

/* The number the next message will have (inside the caller's transaction: max + 1). */
int store_outbox_next_id(store *s, int64_t *id, ct_error *err);
/* Insert a message under rec->id (from store_outbox_next_id). 409 "mail.exists". */
int store_outbox_insert(store *s, const outbox_record *rec, ct_error *err);
/* 404 "mail.not_found"; out's bodies are malloc'd (outbox_record_free). */
int store_outbox_get(store *s, int64_t id, outbox_record *out, ct_error *err);
/* Write a message's delivery fields: state, attempts, next_attempt_at, last_error, sent_at. */
int store_outbox_mark(store *s, const outbox_record *rec, ct_error *err);
/* Messages by id; filter (may be NULL) narrows them (state, due, limit). */
int store_outbox_list(store *s, const outbox_filter *filter, outbox_visit_fn visit, void *ctx,
                      ct_error *err);
/* Active subscriber certificates ending in (now, until] with no expiry notice at threshold
 * (days) yet, soonest first, at most limit (0: all). */
typedef int (*expiring_visit_fn)(void *ctx, const char *serial, int64_t not_after);
int store_cert_expiring(store *s, int64_t now, int64_t until, int threshold, int64_t limit,
                        expiring_visit_fn visit, void *ctx, ct_error *err);
/* Record that certificate serial's expiry was noticed at threshold days (outbox_id: the message
 * that says so, 0 when nobody had an address), unless it was already: *inserted says which. */
int store_expiry_notice_insert(store *s, const char *serial, int threshold, int64_t outbox_id,
                               int64_t at, bool *inserted, ct_error *err);

/* ---- several nodes on one database ---- */

/* Whether this process runs the upkeep that must run once per database (scheduled publication,
 * CRL signing, e-mail, audit checkpoints): on SQLite always (one server per file); on PostgreSQL
 * only while it holds the upkeep lock, a session lock on a connection of its own that the first
 * node to ask takes and keeps, and that the server releases when that node's process or
 * connection dies, for another node's next ask to take over. The leader also forgets the rate
 * limits' windows ended by now (store_limit_take). */
int store_lead_upkeep(store *s, int64_t now, bool *lead, ct_error *err);

/* Rate limits counted by every node together: whether this database keeps their counters
 * (PostgreSQL, in an unlogged table: counters, like a process's own, may be forgotten at a
 * crash); on SQLite each process counts for itself (app_limit.c) and the three below fail with
 * 501 "store.limits_local". A key's window ends at window_end, given when it opens (a window
 * that ended opens again). */
bool store_limits_shared(store *s);
/* One use of key: counted (*taken) when fewer than max are counted in its window, else *until
 * is when the window ends. */
int store_limit_take(store *s, const char *key, int max, int64_t now, int64_t window_end,
                     bool *taken, int64_t *until, ct_error *err);
/* One use given back, or (all) the key forgotten. */
int store_limit_release(store *s, const char *key, bool all, int64_t now, ct_error *err);
int store_limit_count(store *s, const char *key, int64_t now, int *count, ct_error *err);

/* ---- a read-only node ---- */

/* Whether the database is a PostgreSQL hot standby (in recovery) at this moment, which takes no
 * writes until it is promoted; SQLite never is. A store opened on a standby migrates nothing (its
 * schema must already be this program's: the primary's is) and starts read-only. */
int store_standby(store *s, bool *standby, ct_error *err);
/* Refuse (on) or allow again every write of this process through s: a write, or a transaction,
 * fails with 503 "store.read_only" before it reaches the database. A standby refuses writes
 * itself with the same error. */
void store_set_read_only(store *s, bool on);
bool store_read_only(store *s);
/* That refusal: 503 "store.read_only". */
int store_fail_read_only(ct_error *err);

#endif
