/*
 * store_sqlite.c — the embedded SQLite backend of the storage interface.
 *
 * Durability first: WAL journal with synchronous=FULL, so a commit that returned is on disk even
 * if the process or the machine dies right after. The schema is versioned with PRAGMA
 * user_version and migrated forward, one step per entry of `migrations`, each in a transaction.
 * One connection per store, opened in serialized mode: the HTTP server's threads may share it.
 */
#include "store/store_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

typedef struct sqlite_store {
    sqlite3 *db;
} sqlite_store;

/* Each entry moves the schema from version i to i+1. Never edit a released entry: add one. */
static const char *const migrations[] = {
    /* 1: certificates and the audit trail */
    "CREATE TABLE certificates ("
    "  serial TEXT PRIMARY KEY NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('subscriber','root','issuing','ocsp')),"
    "  issuer TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('hold','active','revoked','expired')),"
    "  subject TEXT NOT NULL,"
    "  common_name TEXT NOT NULL,"
    "  email TEXT NOT NULL DEFAULT '',"
    "  search_key TEXT NOT NULL DEFAULT '',"
    "  sha256 TEXT NOT NULL UNIQUE,"
    "  not_before INTEGER NOT NULL,"
    "  not_after INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  effective_at INTEGER NOT NULL DEFAULT 0,"
    "  revoked_at INTEGER NOT NULL DEFAULT 0,"
    "  revocation_reason INTEGER NOT NULL DEFAULT -1,"
    "  der BLOB NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE INDEX certificates_status ON certificates(status, kind);"
    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  role TEXT NOT NULL,"
    "  source TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  object TEXT NOT NULL,"
    "  detail TEXT NOT NULL,"
    "  prev_hash TEXT NOT NULL,"
    "  hash TEXT NOT NULL"
    ");"
    /* Append-only: the database itself refuses edits and deletions made through SQL that does
     * not drop these triggers first; `audit verify` catches the rest. */
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;",
};

static int db_fail(sqlite_store *st, ct_error *err, const char *what)
{
    return ct_fail(err, 500, "store.sqlite", "lỗi cơ sở dữ liệu khi %s: %s",
                   "database error while %s: %s", what, sqlite3_errmsg(st->db));
}

static int exec_sql(sqlite_store *st, const char *sql, ct_error *err, const char *what)
{
    char *msg = NULL;

    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        ct_fail(err, 500, "store.sqlite", "lỗi cơ sở dữ liệu khi %s: %s",
                "database error while %s: %s", what, msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int user_version(sqlite_store *st)
{
    sqlite3_stmt *stmt;
    int v = -1;

    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        v = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
}

static int migrate(sqlite_store *st, ct_error *err)
{
    int have = user_version(st), want = (int)(sizeof migrations / sizeof migrations[0]);
    char sql[64];

    if (have < 0)
        return db_fail(st, err, "reading the schema version");
    if (have > want)
        return ct_fail(err, 500, "store.schema_newer",
                       "cơ sở dữ liệu có phiên bản lược đồ %d, mới hơn chương trình (%d)",
                       "the database schema is version %d, newer than this program (%d)", have,
                       want);
    for (int v = have; v < want; v++) {
        if (exec_sql(st, "BEGIN IMMEDIATE", err, "migrating") != 0)
            return -1;
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
        if (exec_sql(st, migrations[v], err, "migrating") != 0 ||
            exec_sql(st, sql, err, "migrating") != 0 ||
            exec_sql(st, "COMMIT", err, "migrating") != 0) {
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
    }
    return 0;
}

static void sqlite_close(void *impl)
{
    sqlite_store *st = impl;

    if (st == NULL)
        return;
    sqlite3_close_v2(st->db);
    free(st);
}

int store_sqlite_open_impl(const char *path, void **impl, ct_error *err)
{
    sqlite_store *st = calloc(1, sizeof *st);

    if (st == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    if (sqlite3_open_v2(path, &st->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL) != SQLITE_OK) {
        ct_fail(err, 500, "store.open", "không mở được cơ sở dữ liệu %s: %s",
                "cannot open database %s: %s", path,
                st->db ? sqlite3_errmsg(st->db) : "out of memory");
        sqlite_close(st);
        return -1;
    }
    sqlite3_busy_timeout(st->db, 10000);
    if (exec_sql(st,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
                 err, "configuring") != 0 ||
        migrate(st, err) != 0) {
        sqlite_close(st);
        return -1;
    }
    *impl = st;
    return 0;
}

static int sqlite_schema_version(void *impl)
{
    return user_version(impl);
}

static int sqlite_begin(void *impl, ct_error *err)
{
    /* IMMEDIATE: take the write lock now, so a transaction never fails half way on a lock. */
    return exec_sql(impl, "BEGIN IMMEDIATE", err, "starting a transaction");
}

static int sqlite_commit(void *impl, ct_error *err)
{
    return exec_sql(impl, "COMMIT", err, "committing");
}

static void sqlite_rollback(void *impl)
{
    sqlite_store *st = impl;

    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Statements are prepared per call: sqlite3_prepare_v2 on these short statements costs a few
 * microseconds, small beside a signature, and keeps the connection free of shared cursor state
 * between threads. */
static int prepare(sqlite_store *st, const char *sql, sqlite3_stmt **stmt, ct_error *err)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) != SQLITE_OK)
        return db_fail(st, err, "preparing a statement");
    return 0;
}

static void bind_text(sqlite3_stmt *stmt, int i, const char *v)
{
    sqlite3_bind_text(stmt, i, v, -1, SQLITE_STATIC);
}

static int sqlite_cert_insert(void *impl, const cert_record *r, ct_error *err)
{
    sqlite_store *st = impl;
    sqlite3_stmt *stmt;
    int rc;

    if (prepare(st,
                "INSERT INTO certificates (serial, kind, issuer, status, subject, common_name,"
                " email, search_key, sha256, not_before, not_after, created_at, effective_at,"
                " revoked_at, revocation_reason, der)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                &stmt, err) != 0)
        return -1;
    bind_text(stmt, 1, r->serial);
    bind_text(stmt, 2, r->kind);
    bind_text(stmt, 3, r->issuer);
    bind_text(stmt, 4, r->status);
    bind_text(stmt, 5, r->subject);
    bind_text(stmt, 6, r->common_name);
    bind_text(stmt, 7, r->email);
    bind_text(stmt, 8, r->search_key);
    bind_text(stmt, 9, r->sha256);
    sqlite3_bind_int64(stmt, 10, r->not_before);
    sqlite3_bind_int64(stmt, 11, r->not_after);
    sqlite3_bind_int64(stmt, 12, r->created_at);
    sqlite3_bind_int64(stmt, 13, r->effective_at);
    sqlite3_bind_int64(stmt, 14, r->revoked_at);
    sqlite3_bind_int(stmt, 15, r->revocation_reason);
    sqlite3_bind_blob(stmt, 16, r->der, (int)r->der_len, SQLITE_STATIC);
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc == SQLITE_CONSTRAINT)
        return ct_fail(err, 409, "cert.serial_duplicate",
                       "số hiệu chứng thư %s đã tồn tại", "certificate serial %s already exists",
                       r->serial);
    if (rc != SQLITE_DONE)
        return db_fail(st, err, "storing a certificate");
    return 0;
}

#define CERT_COLUMNS                                                                               \
    "serial, kind, issuer, status, subject, common_name, email, search_key, sha256, not_before,"  \
    " not_after, created_at, effective_at, revoked_at, revocation_reason, der"

static void copy_col(sqlite3_stmt *stmt, int i, char *out, size_t size)
{
    const unsigned char *t = sqlite3_column_text(stmt, i);

    snprintf(out, size, "%s", t ? (const char *)t : "");
}

/* Fill rec from a row; with copy_der the DER is malloc'd, else it points into the row. */
static int row_to_cert(sqlite3_stmt *stmt, cert_record *r, bool copy_der)
{
    const void *der = sqlite3_column_blob(stmt, 15);
    int n = sqlite3_column_bytes(stmt, 15);

    memset(r, 0, sizeof *r);
    copy_col(stmt, 0, r->serial, sizeof r->serial);
    copy_col(stmt, 1, r->kind, sizeof r->kind);
    copy_col(stmt, 2, r->issuer, sizeof r->issuer);
    copy_col(stmt, 3, r->status, sizeof r->status);
    copy_col(stmt, 4, r->subject, sizeof r->subject);
    copy_col(stmt, 5, r->common_name, sizeof r->common_name);
    copy_col(stmt, 6, r->email, sizeof r->email);
    copy_col(stmt, 7, r->search_key, sizeof r->search_key);
    copy_col(stmt, 8, r->sha256, sizeof r->sha256);
    r->not_before = sqlite3_column_int64(stmt, 9);
    r->not_after = sqlite3_column_int64(stmt, 10);
    r->created_at = sqlite3_column_int64(stmt, 11);
    r->effective_at = sqlite3_column_int64(stmt, 12);
    r->revoked_at = sqlite3_column_int64(stmt, 13);
    r->revocation_reason = sqlite3_column_int(stmt, 14);
    r->der_len = (size_t)n;
    if (!copy_der) {
        r->der = (unsigned char *)der;
        return 0;
    }
    r->der = malloc(n > 0 ? (size_t)n : 1);
    if (r->der == NULL)
        return -1;
    if (n > 0)
        memcpy(r->der, der, (size_t)n);
    return 0;
}

static int sqlite_cert_get(void *impl, const char *serial, cert_record *rec, ct_error *err)
{
    sqlite_store *st = impl;
    sqlite3_stmt *stmt;
    int rc;

    if (prepare(st, "SELECT " CERT_COLUMNS " FROM certificates WHERE serial = ?", &stmt, err) != 0)
        return -1;
    bind_text(stmt, 1, serial);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        rc = row_to_cert(stmt, rec, true);
        sqlite3_finalize(stmt);
        return rc == 0 ? 0 : ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return db_fail(st, err, "reading a certificate");
    return ct_fail(err, 404, "cert.not_found", "không có chứng thư số hiệu %s",
                   "no certificate with serial %s", serial);
}

/* WHERE clause of a filter; the query's words are bound as LIKE patterns. */
static int build_filter(const cert_filter *f, char *sql, size_t size, char words[][128],
                        int *n_words)
{
    size_t len = strlen(sql);
    char copy[512], *save = NULL, *w;

    *n_words = 0;
    len += (size_t)snprintf(sql + len, size - len, " WHERE 1=1");
    if (f && f->status)
        len += (size_t)snprintf(sql + len, size - len, " AND status = :status");
    if (f && f->kind)
        len += (size_t)snprintf(sql + len, size - len, " AND kind = :kind");
    if (f && f->query) {
        snprintf(copy, sizeof copy, "%s", f->query);
        for (w = strtok_r(copy, " ", &save); w && *n_words < 8; w = strtok_r(NULL, " ", &save)) {
            snprintf(words[*n_words], 128, "%%%s%%", w);
            len += (size_t)snprintf(sql + len, size - len, " AND search_key LIKE :w%d", *n_words);
            (*n_words)++;
        }
    }
    return len < size ? 0 : -1;
}

static void bind_filter(sqlite3_stmt *stmt, const cert_filter *f, char words[][128], int n_words)
{
    char name[16];

    if (f && f->status)
        sqlite3_bind_text(stmt, sqlite3_bind_parameter_index(stmt, ":status"), f->status, -1,
                          SQLITE_STATIC);
    if (f && f->kind)
        sqlite3_bind_text(stmt, sqlite3_bind_parameter_index(stmt, ":kind"), f->kind, -1,
                          SQLITE_STATIC);
    for (int i = 0; i < n_words; i++) {
        snprintf(name, sizeof name, ":w%d", i);
        sqlite3_bind_text(stmt, sqlite3_bind_parameter_index(stmt, name), words[i], -1,
                          SQLITE_STATIC);
    }
}

static int sqlite_cert_list(void *impl, const cert_filter *f, cert_visit_fn visit, void *ctx,
                            ct_error *err)
{
    sqlite_store *st = impl;
    sqlite3_stmt *stmt;
    char sql[2048] = "SELECT " CERT_COLUMNS " FROM certificates", words[8][128];
    int n_words, rc;
    size_t len;

    if (build_filter(f, sql, sizeof sql, words, &n_words) != 0)
        return ct_fail(err, 400, "query.too_long", "truy vấn quá dài", "query too long");
    len = strlen(sql);
    snprintf(sql + len, sizeof sql - len, " ORDER BY created_at, serial LIMIT %lld OFFSET %lld",
             f && f->limit > 0 ? (long long)f->limit : -1LL,
             f && f->offset > 0 ? (long long)f->offset : 0LL);
    if (prepare(st, sql, &stmt, err) != 0)
        return -1;
    bind_filter(stmt, f, words, n_words);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        cert_record rec;
        row_to_cert(stmt, &rec, false);
        if (visit(ctx, &rec) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return db_fail(st, err, "listing certificates");
    return 0;
}

static int sqlite_cert_count(void *impl, const cert_filter *f, int64_t *count, ct_error *err)
{
    sqlite_store *st = impl;
    sqlite3_stmt *stmt;
    char sql[2048] = "SELECT count(*) FROM certificates", words[8][128];
    int n_words, rc;

    if (build_filter(f, sql, sizeof sql, words, &n_words) != 0)
        return ct_fail(err, 400, "query.too_long", "truy vấn quá dài", "query too long");
    if (prepare(st, sql, &stmt, err) != 0)
        return -1;
    bind_filter(stmt, f, words, n_words);
    rc = sqlite3_step(stmt);
    *count = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW)
        return db_fail(st, err, "counting certificates");
    return 0;
}

static int sqlite_cert_set_status(void *impl, const char *serial, const char *status,
                                  int64_t effective_at, int64_t revoked_at, int reason,
                                  ct_error *err)
{
    sqlite_store *st = impl;
    sqlite3_stmt *stmt;
    int rc;

    if (prepare(st,
                "UPDATE certificates SET status = ?, effective_at = ?, revoked_at = ?,"
                " revocation_reason = ? WHERE serial = ?",
                &stmt, err) != 0)
        return -1;
    bind_text(stmt, 1, status);
    sqlite3_bind_int64(stmt, 2, effective_at);
    sqlite3_bind_int64(stmt, 3, revoked_at);
    sqlite3_bind_int(stmt, 4, reason);
    bind_text(stmt, 5, serial);
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return db_fail(st, err, "changing a certificate's status");
    if (sqlite3_changes(st->db) != 1)
        return ct_fail(err, 404, "cert.not_found", "không có chứng thư số hiệu %s",
                       "no certificate with serial %s", serial);
    return 0;
}

static int sqlite_audit_last(void *impl, int64_t *id, char hash[65], ct_error *err)
{
    sqlite_store *st = impl;
    sqlite3_stmt *stmt;
    int rc;

    if (prepare(st, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", &stmt, err) != 0)
        return -1;
    rc = sqlite3_step(stmt);
    *id = 0;
    hash[0] = '\0';
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(stmt, 0);
        copy_col(stmt, 1, hash, 65);
        rc = SQLITE_DONE;
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return db_fail(st, err, "reading the audit trail");
    return 0;
}

static int sqlite_audit_append(void *impl, audit_entry *e, ct_error *err)
{
    sqlite_store *st = impl;
    sqlite3_stmt *stmt;
    int rc;

    if (prepare(st,
                "INSERT INTO audit (id, at, actor, role, source, action, object, detail,"
                " prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
                &stmt, err) != 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, e->id);
    sqlite3_bind_int64(stmt, 2, e->at);
    bind_text(stmt, 3, e->actor);
    bind_text(stmt, 4, e->role);
    bind_text(stmt, 5, e->source);
    bind_text(stmt, 6, e->action);
    bind_text(stmt, 7, e->object);
    bind_text(stmt, 8, e->detail ? e->detail : "{}");
    bind_text(stmt, 9, e->prev_hash);
    bind_text(stmt, 10, e->hash);
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return db_fail(st, err, "writing the audit trail");
    return 0;
}

static int sqlite_audit_walk(void *impl, audit_visit_fn visit, void *ctx, ct_error *err)
{
    sqlite_store *st = impl;
    sqlite3_stmt *stmt;
    int rc;

    if (prepare(st,
                "SELECT id, at, actor, role, source, action, object, detail, prev_hash, hash"
                " FROM audit ORDER BY id",
                &stmt, err) != 0)
        return -1;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        audit_entry e;
        memset(&e, 0, sizeof e);
        e.id = sqlite3_column_int64(stmt, 0);
        e.at = sqlite3_column_int64(stmt, 1);
        copy_col(stmt, 2, e.actor, sizeof e.actor);
        copy_col(stmt, 3, e.role, sizeof e.role);
        copy_col(stmt, 4, e.source, sizeof e.source);
        copy_col(stmt, 5, e.action, sizeof e.action);
        copy_col(stmt, 6, e.object, sizeof e.object);
        e.detail = (char *)sqlite3_column_text(stmt, 7);
        copy_col(stmt, 8, e.prev_hash, sizeof e.prev_hash);
        copy_col(stmt, 9, e.hash, sizeof e.hash);
        if (visit(ctx, &e) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return db_fail(st, err, "reading the audit trail");
    return 0;
}

const store_backend store_sqlite_backend = {
    .name = "sqlite",
    .close = sqlite_close,
    .schema_version = sqlite_schema_version,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .cert_insert = sqlite_cert_insert,
    .cert_get = sqlite_cert_get,
    .cert_list = sqlite_cert_list,
    .cert_count = sqlite_cert_count,
    .cert_set_status = sqlite_cert_set_status,
    .audit_last = sqlite_audit_last,
    .audit_append = sqlite_audit_append,
    .audit_walk = sqlite_audit_walk,
};
