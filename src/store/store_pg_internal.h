/*
 * store_pg_internal.h — what the files of the PostgreSQL backend share (private to src/store).
 *
 * The backend mirrors the SQLite one entry for entry (store_sqlite_internal.h): the same record
 * descriptions (store_columns.h), the same error codes, the same transaction rules. Porting an
 * op is writing its pg_ twin next to the sq_ one, with $n parameters instead of ?n.
 */
#ifndef CT_STORE_PG_INTERNAL_H
#define CT_STORE_PG_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "store/store_backend.h"
#include "store/store_columns.h"

/*
 * Connections: a small pool, each opened at its first use. A transaction holds one connection from
 * begin to commit, on its thread (pg_tx); any other call takes a free one for its duration. Writers
 * are serialised as SQLite serialises them, but across every process on the database: a
 * transaction, and a write made outside one, first takes the transaction-level advisory lock
 * PG_WRITE_LOCK. So what the SQLite code reads and then writes inside a transaction (the next
 * dossier number, the audit chain's head, max(id) + 1) stays single and unforked when several nodes
 * write at once.
 */
#define PG_CONNS 6
#define PG_WRITE_LOCK 0x63745f7772  /* "ct_wr" */
#define PG_UPKEEP_LOCK 0x63745f7570 /* "ct_up" */

typedef struct pg_conn {
    PGconn *db;
    pthread_mutex_t lock;
} pg_conn;

typedef struct pg_store {
    char *url;
    pg_conn conns[PG_CONNS];
    atomic_uint next;
    pg_conn lead; /* holds the upkeep lock (PG_UPKEEP_LOCK) while this node leads; opened on
                     the first ask */
    bool leading;
    atomic_bool read_only; /* store_set_read_only, or opened on a standby */
} pg_store;

/* The connection a call runs on, and whether it was taken for the call alone. */
typedef struct pg_use {
    pg_conn *c;
    bool own;
} pg_use;

pg_use pg_acquire(pg_store *st);
void pg_release(pg_use u);
/* A write: inside the thread's transaction, under a savepoint (a failed write undoes itself and
 * leaves the transaction usable, as a failed SQLite statement does); outside, in a transaction
 * of its own under the write lock. pg_write_end commits or undoes it as rc says. */
int pg_write_begin(pg_store *st, pg_use *u, ct_error *err);
int pg_write_end(pg_use u, int rc, ct_error *err);

/* Run expr with `db` bound to a connection of the store `impl`, and return its result: the body
 * of every backend entry point. */
#define PG_READ(expr)                                                                              \
    do {                                                                                           \
        pg_use u_ = pg_acquire(impl);                                                              \
        PGconn *db = u_.c->db;                                                                     \
        int rc_ = (expr);                                                                          \
        pg_release(u_);                                                                            \
        return rc_;                                                                                \
    } while (0)

#define PG_WRITE(expr)                                                                             \
    do {                                                                                           \
        pg_use u_;                                                                                 \
        if (pg_write_begin(impl, &u_, err) != 0)                                                   \
            return -1;                                                                             \
        PGconn *db = u_.c->db;                                                                     \
        return pg_write_end(u_, (expr), err);                                                      \
    } while (0)

/* Statement parameters: text values (NULL is SQL NULL), or bytes sent as binary (a bytea). */
typedef struct pg_params {
    int n;
    const char *values[40];
    int lengths[40];
    int formats[40];
    char ints[40][24];
} pg_params;

void pg_param_text(pg_params *p, const char *v);
void pg_param_int(pg_params *p, int64_t v);
void pg_param_blob(pg_params *p, const unsigned char *data, size_t len);

int pg_db_fail(PGconn *db, const PGresult *res, ct_error *err, const char *what);
/* Run sql with p (may be NULL), results in binary; NULL on failure (err set, nothing to clear).
 * A violated constraint (SQLSTATE class 23, which the triggers raise too) fails with 409
 * "store.duplicate", as sq_insert_record reports it. */
PGresult *pg_run(PGconn *db, const char *sql, const pg_params *p, const char *what, ct_error *err);
bool pg_is_duplicate(const ct_error *err);
/* Run a statement that returns no rows; *changed (may be NULL) receives the rows it changed. */
int pg_exec(PGconn *db, const char *sql, const pg_params *p, int64_t *changed, const char *what,
            ct_error *err);
/* The first column of the first row as an integer (a count, a max + 1). */
int pg_int_query(PGconn *db, const char *sql, const pg_params *p, int64_t *out, const char *what,
                 ct_error *err);
int64_t pg_get_int(const PGresult *res, int row, int col);
void pg_copy_col(const PGresult *res, int row, int col, char *out, size_t size);

/* store_pg_record.c: records from their descriptions (as store_sqlite_record.c). */
void pg_bind_record(pg_params *p, const sq_table *t, const void *rec);
/* Read row into rec (zeroed first); pointer columns point into res or, with copy, are malloc'd
 * copies. -1 only when a copy cannot be allocated (none is left). */
int pg_read_record(const PGresult *res, int row, int first, const sq_table *t, void *rec,
                   bool copy);
/* "a, b, c": t's columns, each after prefix; "INSERT INTO t (columns[, extra_col]) VALUES ($1,
 * …[, extra_value])". */
void pg_column_list(const sq_table *t, const char *prefix, char *out, size_t size);
void pg_insert_sql(const sq_table *t, const char *extra_col, const char *extra_value, char *sql,
                   size_t size);
int pg_insert_record(PGconn *db, const sq_table *t, const void *rec, ct_error *err);
int pg_update_record(PGconn *db, const sq_table *t, const void *rec, const char *not_found_code,
                     ct_error *err);
/* SELECT t's columns, then tail (with $1… bound to p), visiting each row read into scratch
 * (pointers into the result) until visit returns non-zero. */
int pg_select_records(PGconn *db, const sq_table *t, const char *tail, const pg_params *p,
                      sq_row_fn visit, void *ctx, void *scratch, ct_error *err);
/* The first such row into out, pointer columns copied: 0, 1 when none, -1 on failure. */
int pg_select_one(PGconn *db, const sq_table *t, const char *tail, const pg_params *p, void *out,
                  ct_error *err);
/* store_pg_procedure.c: the procedure's records, approvals, papers and mail */
int pg_agency_insert(void *impl, const agency_record *rec, ct_error *err);
int pg_agency_get(void *impl, const char *code, agency_record *out, ct_error *err);
int pg_agency_list(void *impl, agency_visit_fn visit, void *ctx, ct_error *err);
int pg_agency_update(void *impl, const agency_record *rec, ct_error *err);
int pg_dossier_next_seq(void *impl, const char *day, int64_t *seq, ct_error *err);
int pg_dossier_insert(void *impl, const dossier_record *rec, ct_error *err);
int pg_dossier_get(void *impl, const char *code, dossier_record *out, ct_error *err);
int pg_dossier_update(void *impl, const dossier_record *rec, ct_error *err);
int pg_dossier_list(void *impl, const dossier_filter *f, dossier_visit_fn visit, void *ctx,
                    ct_error *err);
int pg_applicant_insert(void *impl, const applicant_record *rec, ct_error *err);
int pg_applicant_get(void *impl, const char *dossier, int64_t n, applicant_record *out,
                     ct_error *err);
int pg_applicant_update(void *impl, const applicant_record *rec, ct_error *err);
int pg_applicant_list(void *impl, const char *dossier, applicant_visit_fn visit, void *ctx,
                      ct_error *err);
int pg_applicant_delete_all(void *impl, const char *dossier, ct_error *err);
int pg_applicant_due_publication(void *impl, int64_t now, applicant_visit_fn visit, void *ctx,
                                 ct_error *err);
int pg_applicant_by_id_number(void *impl, const char *id_number, applicant_visit_fn visit,
                              void *ctx, ct_error *err);
int pg_applicant_by_cert(void *impl, const char *serial, applicant_record *out, ct_error *err);
int pg_applicant_holders(void *impl, const char *agency, applicant_visit_fn visit, void *ctx,
                         ct_error *err);
int pg_token_insert(void *impl, const token_record *rec, ct_error *err);
int pg_token_get(void *impl, const char *serial, token_record *out, ct_error *err);
int pg_token_by_cert(void *impl, const char *cert_serial, token_record *out, ct_error *err);
int pg_token_update(void *impl, const token_record *rec, ct_error *err);
int pg_token_list(void *impl, const char *state, token_visit_fn visit, void *ctx, ct_error *err);
int pg_user_insert(void *impl, const user_record *rec, ct_error *err);
int pg_user_get(void *impl, const char *username, user_record *out, ct_error *err);
int pg_user_update(void *impl, const user_record *rec, ct_error *err);
int pg_user_list(void *impl, user_visit_fn visit, void *ctx, ct_error *err);
int pg_user_get_by_os(void *impl, const char *os_user, user_record *out, ct_error *err);
int pg_login_failures(void *impl, const char *source, const char *object, int64_t since,
                      int64_t *count, ct_error *err);
int pg_session_insert(void *impl, const session_record *rec, ct_error *err);
int pg_session_get(void *impl, const char *token_hash, session_record *out, ct_error *err);
int pg_session_delete(void *impl, const char *token_hash, ct_error *err);
int pg_session_delete_user(void *impl, const char *username, const char *keep_hash, ct_error *err);
int pg_draft_insert(void *impl, draft_record *rec, ct_error *err);
int pg_draft_get(void *impl, int64_t id, draft_record *out, ct_error *err);
int pg_draft_update(void *impl, const draft_record *rec, ct_error *err);
int pg_draft_delete(void *impl, int64_t id, ct_error *err);
int pg_draft_list(void *impl, const char *agency, const char *dossier, draft_visit_fn visit,
                  void *ctx, ct_error *err);
int pg_draft_put_document(void *impl, int64_t id, draft_document which, const unsigned char *data,
                          size_t len, ct_error *err);
int pg_draft_get_document(void *impl, int64_t id, draft_document which, unsigned char **data,
                          size_t *len, ct_error *err);
int pg_paper_insert(void *impl, const paper_record *rec, ct_error *err);
int pg_paper_get(void *impl, const char *dossier, const char *kind, int64_t applicant,
                 const char *format, int64_t version, paper_record *out, ct_error *err);
int pg_claim_insert(void *impl, const claim_record *rec, ct_error *err);
int pg_claim_get(void *impl, const char *object, claim_record *out, ct_error *err);
int pg_claim_delete(void *impl, const char *object, const char *holder, ct_error *err);
int pg_approval_insert(void *impl, approval_record *rec, ct_error *err);
int pg_approval_get(void *impl, int64_t id, approval_record *out, ct_error *err);
int pg_approval_update(void *impl, const approval_record *rec, ct_error *err);
int pg_approval_list(void *impl, const char *state, approval_visit_fn visit, void *ctx,
                     ct_error *err);
int pg_outbox_next_id(void *impl, int64_t *id, ct_error *err);
int pg_outbox_insert(void *impl, const outbox_record *rec, ct_error *err);
int pg_outbox_get(void *impl, int64_t id, outbox_record *out, ct_error *err);
int pg_outbox_mark(void *impl, const outbox_record *rec, ct_error *err);
int pg_outbox_list(void *impl, const outbox_filter *f, outbox_visit_fn visit, void *ctx,
                   ct_error *err);
int pg_cert_expiring(void *impl, int64_t now, int64_t until, int threshold, int64_t limit,
                     expiring_visit_fn visit, void *ctx, ct_error *err);
int pg_expiry_notice_insert(void *impl, const char *serial, int threshold, int64_t outbox_id,
                            int64_t at, bool *inserted, ct_error *err);

/* store_pg_schema.c: the migrations (see there for their numbering) */
extern const char *const pg_migrations[];
extern const size_t pg_migration_count;
/* The schema version the first entry of pg_migrations creates. */
#define PG_BASELINE 19
/* store_pg.c: move the schema from the version it is at up to want (PG_BASELINE … the latest;
 * an empty database is made at want), under the migration lock. in_tx: inside the caller's
 * transaction, all or nothing (store_migrate.c); otherwise one transaction per version, as at
 * open. Fails with "store.schema_newer" for a database newer than the program. The tests call it
 * to make a database at an older version. */
int pg_migrate_to(PGconn *db, int want, bool in_tx, ct_error *err);
/* 500 "store.collation" unless the database collates as "C" (the order SQLite's BINARY gives). */
int pg_check_collation(PGconn *db, ct_error *err);
/* store_pg_backup.c: the backend's backup entry (pg_dump -Fc on an exported snapshot) */
int pg_backup(void *impl, const char *path, store_backup_info *info, ct_error *err);
/* One connection to a database that is to receive an instance (a migration, a restore): 400
 * `code` when it cannot be made. PQfinish it. */
int pg_connect_target(const char *url, const char *code, PGconn **out, ct_error *err);
/* 409 `code` unless the database holds no table at all (and collates as "C"). */
int pg_check_empty(PGconn *db, const char *code, ct_error *err);

#endif
