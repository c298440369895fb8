/*
 * store_sqlite_internal.h — what the files of the SQLite backend share (private to src/store).
 */
#ifndef CT_STORE_SQLITE_INTERNAL_H
#define CT_STORE_SQLITE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store/store_backend.h"
#include "store/store_columns.h"

/*
 * Connections: one writer, held by one thread from begin to commit, and a few readers for
 * everyone else, so a reader never sees another thread's uncommitted transaction (WAL lets the
 * readers go on while the writer writes). A thread inside its own transaction reads through the
 * writer, and sees its own changes.
 */
#define READERS 4

typedef struct reader {
    sqlite3 *db;
    pthread_mutex_t lock;
} reader;

typedef struct sqlite_store {
    sqlite3 *db; /* the writer */
    pthread_mutex_t write_lock;
    sqlite3_stmt *cert_insert; /* hot path of bulk issuance: prepared once, on the writer */
    reader readers[READERS];
    atomic_uint next_reader;
    atomic_bool read_only; /* store_set_read_only: the writer under PRAGMA query_only too */
} sqlite_store;

/* The store whose transaction this thread holds, if any. */
extern _Thread_local sqlite_store *tx_owner;

typedef struct conn {
    sqlite3 *db;
    pthread_mutex_t *lock; /* to release, or NULL */
} conn;

conn sq_acquire_read(sqlite_store *st);
conn sq_acquire_write(sqlite_store *st);
void sq_release(conn c);

/* Run expr with `db` bound to a reader (or the writer, for writes) of the store `impl`, and
 * return its result: the body of every backend entry point. */
#define WITH_READ(expr)                                                                            \
    do {                                                                                           \
        conn c_ = sq_acquire_read(impl);                                                           \
        sqlite3 *db = c_.db;                                                                       \
        int rc_ = (expr);                                                                          \
        sq_release(c_);                                                                            \
        return rc_;                                                                                \
    } while (0)

#define WITH_WRITE(expr)                                                                           \
    do {                                                                                           \
        conn c_ = sq_acquire_write(impl);                                                          \
        sqlite3 *db = c_.db;                                                                       \
        int rc_ = (expr);                                                                          \
        sq_release(c_);                                                                            \
        return rc_;                                                                                \
    } while (0)

int sq_db_fail(sqlite3 *db, ct_error *err, const char *what);
/* store_sqlite_backup.c: the backend's backup entry */
int sqlite_backup(void *impl, const char *path, store_backup_info *info, ct_error *err);
int sq_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt, ct_error *err);
void sq_bind_text(sqlite3_stmt *stmt, int i, const char *v);
void sq_copy_col(sqlite3_stmt *stmt, int i, char *out, size_t size);

/* Records described as columns: store_columns.h. */

/* Bind every column of rec to the parameters first, first + 1, …; text and blobs are bound
 * without a copy, so rec must outlive the statement's step. */
void sq_bind_record(sqlite3_stmt *stmt, int first, const sq_table *t, const void *rec);
/* Read the row's columns first, first + 1, … into rec (zeroed first). Pointer columns point
 * into the row (valid until the statement steps again or is finalized) or, with copy, are
 * malloc'd copies the caller frees. -1 only when a copy cannot be allocated (none is left). */
int sq_read_record(sqlite3_stmt *stmt, int first, const sq_table *t, void *rec, bool copy);
/* "a, b, c": the table's column names, for a SELECT; each after prefix ("c." for a join). */
void sq_column_list(const sq_table *t, const char *prefix, char *out, size_t size);
/* "INSERT INTO t (columns) VALUES (?, …)"; extra_col and extra_value (or NULL) add a column the
 * database computes, bound to no parameter. */
void sq_insert_sql(const sq_table *t, const char *extra_col, const char *extra_value, char *sql,
                   size_t size);
/* Insert rec; a constraint violation fails with 409 "store.duplicate" (sq_is_duplicate), which
 * callers turn into their own code. */
int sq_insert_record(sqlite3 *db, const sq_table *t, const void *rec, ct_error *err);
bool sq_is_duplicate(const ct_error *err);
/* UPDATE all non-key columns by key; 404 code given when no row matched. */
int sq_update_record(sqlite3 *db, const sq_table *t, const void *rec, const char *not_found_code,
                     ct_error *err);
/* SELECT every column of t, then tail (WHERE/ORDER), with bind[] as the first text parameters
 * and *bind_int (if given) the next; each row is read into scratch (pointers into the row) and
 * visited until visit returns non-zero. */
int sq_select_records(sqlite3 *db, const sq_table *t, const char *tail, const char *bind[],
                      size_t n_bind, const int64_t *bind_int, sq_row_fn visit, void *ctx,
                      void *scratch, ct_error *err);
/* Step a prepared statement that selects t's columns, reading each row into scratch as
 * sq_read_record does and visiting it until visit returns non-zero; the statement is finalized.
 * what names the work in a database error. */
int sq_visit_rows(sqlite3 *db, sqlite3_stmt *stmt, const sq_table *t, bool copy, sq_row_fn visit,
                  void *ctx, void *scratch, const char *what, ct_error *err);
/* The first row of such a SELECT into out, pointer columns copied (the caller frees them): 0,
 * 1 when there is no row (err untouched, out unchanged), -1 on failure. */
int sq_select_one(sqlite3 *db, const sq_table *t, const char *tail, const char *bind[],
                  size_t n_bind, const int64_t *bind_int, void *out, ct_error *err);

/* store_sqlite_procedure.c */
int sq_agency_insert(void *impl, const agency_record *rec, ct_error *err);
int sq_agency_get(void *impl, const char *code, agency_record *out, ct_error *err);
int sq_agency_list(void *impl, agency_visit_fn visit, void *ctx, ct_error *err);
int sq_agency_update(void *impl, const agency_record *rec, ct_error *err);
int sq_dossier_next_seq(void *impl, const char *day, int64_t *seq, ct_error *err);
int sq_dossier_insert(void *impl, const dossier_record *rec, ct_error *err);
int sq_dossier_get(void *impl, const char *code, dossier_record *out, ct_error *err);
int sq_dossier_update(void *impl, const dossier_record *rec, ct_error *err);
int sq_dossier_list(void *impl, const dossier_filter *f, dossier_visit_fn visit, void *ctx,
                    ct_error *err);
int sq_applicant_insert(void *impl, const applicant_record *rec, ct_error *err);
int sq_applicant_get(void *impl, const char *dossier, int64_t n, applicant_record *out,
                     ct_error *err);
int sq_applicant_update(void *impl, const applicant_record *rec, ct_error *err);
int sq_applicant_list(void *impl, const char *dossier, applicant_visit_fn visit, void *ctx,
                      ct_error *err);
int sq_applicant_delete_all(void *impl, const char *dossier, ct_error *err);
int sq_applicant_due_publication(void *impl, int64_t now, applicant_visit_fn visit, void *ctx,
                                 ct_error *err);
int sq_applicant_by_id_number(void *impl, const char *id_number, applicant_visit_fn visit,
                              void *ctx, ct_error *err);
int sq_applicant_by_cert(void *impl, const char *serial, applicant_record *out, ct_error *err);
int sq_applicant_holders(void *impl, const char *agency, applicant_visit_fn visit, void *ctx,
                         ct_error *err);
int sq_token_insert(void *impl, const token_record *rec, ct_error *err);
int sq_token_get(void *impl, const char *serial, token_record *out, ct_error *err);
int sq_token_by_cert(void *impl, const char *cert_serial, token_record *out, ct_error *err);
int sq_token_update(void *impl, const token_record *rec, ct_error *err);
int sq_token_list(void *impl, const char *state, token_visit_fn visit, void *ctx, ct_error *err);
int sq_user_insert(void *impl, const user_record *rec, ct_error *err);
int sq_user_get(void *impl, const char *username, user_record *out, ct_error *err);
int sq_user_update(void *impl, const user_record *rec, ct_error *err);
int sq_user_list(void *impl, user_visit_fn visit, void *ctx, ct_error *err);
int sq_user_get_by_os(void *impl, const char *os_user, user_record *out, ct_error *err);
int sq_login_failures(void *impl, const char *source, const char *object, int64_t since,
                      int64_t *count, ct_error *err);
int sq_session_insert(void *impl, const session_record *rec, ct_error *err);
int sq_session_get(void *impl, const char *token_hash, session_record *out, ct_error *err);
int sq_session_delete(void *impl, const char *token_hash, ct_error *err);
int sq_session_delete_user(void *impl, const char *username, const char *keep_hash, ct_error *err);
int sq_draft_insert(void *impl, draft_record *rec, ct_error *err);
int sq_draft_get(void *impl, int64_t id, draft_record *out, ct_error *err);
int sq_draft_update(void *impl, const draft_record *rec, ct_error *err);
int sq_draft_delete(void *impl, int64_t id, ct_error *err);
int sq_draft_list(void *impl, const char *agency, const char *dossier, draft_visit_fn visit,
                  void *ctx, ct_error *err);
int sq_draft_put_document(void *impl, int64_t id, draft_document which, const unsigned char *data,
                          size_t len, ct_error *err);
int sq_draft_get_document(void *impl, int64_t id, draft_document which, unsigned char **data,
                          size_t *len, ct_error *err);
int sq_paper_insert(void *impl, const paper_record *rec, ct_error *err);
int sq_paper_get(void *impl, const char *dossier, const char *kind, int64_t applicant,
                 const char *format, int64_t version, paper_record *out, ct_error *err);
int sq_claim_insert(void *impl, const claim_record *rec, ct_error *err);
int sq_claim_get(void *impl, const char *object, claim_record *out, ct_error *err);
int sq_claim_delete(void *impl, const char *object, const char *holder, ct_error *err);
/* store_sqlite_approval.c */
int sq_approval_insert(void *impl, approval_record *rec, ct_error *err);
int sq_approval_get(void *impl, int64_t id, approval_record *out, ct_error *err);
int sq_approval_update(void *impl, const approval_record *rec, ct_error *err);
int sq_approval_list(void *impl, const char *state, approval_visit_fn visit, void *ctx,
                     ct_error *err);

/* store_sqlite_mail.c */
int sq_outbox_next_id(void *impl, int64_t *id, ct_error *err);
int sq_outbox_insert(void *impl, const outbox_record *rec, ct_error *err);
int sq_outbox_get(void *impl, int64_t id, outbox_record *out, ct_error *err);
int sq_outbox_mark(void *impl, const outbox_record *rec, ct_error *err);
int sq_outbox_list(void *impl, const outbox_filter *f, outbox_visit_fn visit, void *ctx,
                   ct_error *err);
int sq_cert_expiring(void *impl, int64_t now, int64_t until, int threshold, int64_t limit,
                     expiring_visit_fn visit, void *ctx, ct_error *err);
int sq_expiry_notice_insert(void *impl, const char *serial, int threshold, int64_t outbox_id,
                            int64_t at, bool *inserted, ct_error *err);

extern const char *const sq_migrations[];
extern const size_t sq_migration_count;

#endif
