/*
 * store_sqlite_record.c — records described as columns (store_sqlite_internal.h): one piece of
 * code binds, reads, inserts, updates and selects any record type of the SQLite backend.
 *
 * The SQL is built from the description on each call, except where a caller keeps the prepared
 * statement (bulk issuance keeps its certificate insert).
 */
#include "store/store_sqlite_internal.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sq_bind_record(sqlite3_stmt *stmt, int first, const sq_table *t, const void *rec)
{
    for (size_t i = 0; i < t->n_cols; i++) {
        const sq_column *c = &t->cols[i];
        const char *field = (const char *)rec + c->offset;
        int at = first + (int)i;
        switch (c->type) {
        case COL_TEXT:
            sqlite3_bind_text(stmt, at, field, -1, SQLITE_STATIC);
            break;
        case COL_INT:
            sqlite3_bind_int64(stmt, at, *(const int64_t *)(const void *)field);
            break;
        case COL_INT32:
            sqlite3_bind_int(stmt, at, *(const int *)(const void *)field);
            break;
        case COL_TEXT_PTR:
            sqlite3_bind_text(stmt, at, *(char *const *)(const void *)field, -1, SQLITE_STATIC);
            break;
        case COL_BLOB:
            sqlite3_bind_blob64(stmt, at, *(unsigned char *const *)(const void *)field,
                                *(const size_t *)(const void *)((const char *)rec + c->size),
                                SQLITE_STATIC);
            break;
        }
    }
}

static void free_pointers(const sq_table *t, void *rec)
{
    for (size_t i = 0; i < t->n_cols; i++) {
        void **field = (void **)(void *)((char *)rec + t->cols[i].offset);
        if (t->cols[i].type == COL_TEXT_PTR || t->cols[i].type == COL_BLOB) {
            free(*field);
            *field = NULL;
        }
    }
}

/* A pointer column's bytes: into the row, or copied (with a NUL after them, so text stays a
 * string). */
static int read_pointer(sqlite3_stmt *stmt, int at, bool text, bool copy, void **out, size_t *len)
{
    const void *p =
        text ? (const void *)sqlite3_column_text(stmt, at) : sqlite3_column_blob(stmt, at);
    size_t n = (size_t)sqlite3_column_bytes(stmt, at);

    *len = n;
    if (!copy || p == NULL) {
        *out = (void *)p;
        return 0;
    }
    *out = malloc(n + 1);
    if (*out == NULL)
        return -1;
    memcpy(*out, p, n);
    ((char *)*out)[n] = '\0';
    return 0;
}

int sq_read_record(sqlite3_stmt *stmt, int first, const sq_table *t, void *rec, bool copy)
{
    memset(rec, 0, t->record_size);
    for (size_t i = 0; i < t->n_cols; i++) {
        const sq_column *c = &t->cols[i];
        char *field = (char *)rec + c->offset;
        int at = first + (int)i;
        size_t len;
        switch (c->type) {
        case COL_TEXT:
            sq_copy_col(stmt, at, field, c->size);
            break;
        case COL_INT:
            *(int64_t *)(void *)field = sqlite3_column_int64(stmt, at);
            break;
        case COL_INT32:
            *(int *)(void *)field = sqlite3_column_int(stmt, at);
            break;
        case COL_TEXT_PTR:
        case COL_BLOB:
            if (read_pointer(stmt, at, c->type == COL_TEXT_PTR, copy, (void **)(void *)field,
                             &len) != 0) {
                free_pointers(t, rec);
                return -1;
            }
            if (c->type == COL_BLOB)
                *(size_t *)(void *)((char *)rec + c->size) = len;
            break;
        }
    }
    return 0;
}

void sq_column_list(const sq_table *t, const char *prefix, char *out, size_t size)
{
    size_t len = 0;

    out[0] = '\0';
    for (size_t i = 0; i < t->n_cols && len < size; i++)
        len += (size_t)snprintf(out + len, size - len, "%s%s%s", i ? ", " : "", prefix,
                                t->cols[i].name);
    assert(len < size);
}

void sq_insert_sql(const sq_table *t, const char *extra_col, const char *extra_value, char *sql,
                   size_t size)
{
    char cols[1024];
    size_t len;

    sq_column_list(t, "", cols, sizeof cols);
    len = (size_t)snprintf(sql, size, "INSERT INTO %s (%s%s%s) VALUES (", t->name, cols,
                           extra_col ? ", " : "", extra_col ? extra_col : "");
    for (size_t i = 0; i < t->n_cols && len < size; i++)
        len += (size_t)snprintf(sql + len, size - len, "%s?", i ? "," : "");
    if (len < size)
        len += (size_t)snprintf(sql + len, size - len, "%s%s)", extra_value ? ", " : "",
                                extra_value ? extra_value : "");
    assert(len < size);
}

int sq_insert_record(sqlite3 *db, const sq_table *t, const void *rec, ct_error *err)
{
    char sql[2048];
    sqlite3_stmt *stmt;
    int rc;

    sq_insert_sql(t, NULL, NULL, sql, sizeof sql);
    if (sq_prepare(db, sql, &stmt, err) != 0)
        return -1;
    sq_bind_record(stmt, 1, t, rec);
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return ct_fail(err, 409, "store.duplicate", "bản ghi đã tồn tại trong %s",
                       "the record already exists in %s", t->name);
    if (rc != SQLITE_DONE)
        return sq_db_fail(db, err, "inserting a record");
    return 0;
}

bool sq_is_duplicate(const ct_error *err)
{
    return err && strcmp(err->code, "store.duplicate") == 0;
}

int sq_update_record(sqlite3 *db, const sq_table *t, const void *rec, const char *not_found_code,
                     ct_error *err)
{
    char sql[2048];
    size_t len;
    sqlite3_stmt *stmt;
    int rc;

    len = (size_t)snprintf(sql, sizeof sql, "UPDATE %s SET ", t->name);
    for (size_t i = t->n_keys; i < t->n_cols; i++)
        len += (size_t)snprintf(sql + len, sizeof sql - len, "%s%s = ?%zu",
                                i > t->n_keys ? ", " : "", t->cols[i].name, i + 1);
    for (size_t i = 0; i < t->n_keys; i++)
        len += (size_t)snprintf(sql + len, sizeof sql - len, "%s%s = ?%zu", i ? " AND " : " WHERE ",
                                t->cols[i].name, i + 1);
    assert(len < sizeof sql);
    if (sq_prepare(db, sql, &stmt, err) != 0)
        return -1;
    sq_bind_record(stmt, 1, t, rec);
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    /* a trigger's refusal of a token's move (the custody table) is the caller's conflict */
    if (rc == SQLITE_CONSTRAINT && strncmp(sqlite3_errmsg(db), "token.custody", 13) == 0)
        return ct_fail(err, 409, "token.custody",
                       "cơ sở dữ liệu từ chối chuyển trạng thái thiết bị (chuỗi giám sát)",
                       "the database refuses this change of the token's state (its custody)");
    if (rc != SQLITE_DONE)
        return sq_db_fail(db, err, "updating a record");
    if (sqlite3_changes(db) != 1)
        return ct_fail(err, 404, not_found_code, "không tìm thấy bản ghi trong %s",
                       "no such record in %s", t->name);
    return 0;
}

int sq_visit_rows(sqlite3 *db, sqlite3_stmt *stmt, const sq_table *t, bool copy, sq_row_fn visit,
                  void *ctx, void *scratch, const char *what, ct_error *err)
{
    int rc;

    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (sq_read_record(stmt, 0, t, scratch, copy) != 0) {
            sqlite3_finalize(stmt);
            return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
        }
        if (visit(ctx, scratch) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return sq_db_fail(db, err, what);
    return 0;
}

/* sq_select_records, the pointer columns copied or not. */
static int select_rows(sqlite3 *db, const sq_table *t, const char *tail, const char *bind[],
                       size_t n_bind, const int64_t *bind_int, sq_row_fn visit, void *ctx,
                       void *scratch, bool copy, ct_error *err)
{
    char sql[2048], cols[1024];
    sqlite3_stmt *stmt;

    sq_column_list(t, "", cols, sizeof cols);
    snprintf(sql, sizeof sql, "SELECT %s FROM %s %s", cols, t->name, tail);
    if (sq_prepare(db, sql, &stmt, err) != 0)
        return -1;
    for (size_t i = 0; i < n_bind; i++)
        sqlite3_bind_text(stmt, (int)i + 1, bind[i], -1, SQLITE_STATIC);
    if (bind_int)
        sqlite3_bind_int64(stmt, (int)n_bind + 1, *bind_int);
    return sq_visit_rows(db, stmt, t, copy, visit, ctx, scratch, "reading records", err);
}

int sq_select_records(sqlite3 *db, const sq_table *t, const char *tail, const char *bind[],
                      size_t n_bind, const int64_t *bind_int, sq_row_fn visit, void *ctx,
                      void *scratch, ct_error *err)
{
    return select_rows(db, t, tail, bind, n_bind, bind_int, visit, ctx, scratch, false, err);
}

/* The row is read into the caller's record itself: finding it is all there is to do. */
static int stop_at_first(void *ctx, const void *rec)
{
    (void)rec;
    *(bool *)ctx = true;
    return 1;
}

int sq_select_one(sqlite3 *db, const sq_table *t, const char *tail, const char *bind[],
                  size_t n_bind, const int64_t *bind_int, void *out, ct_error *err)
{
    bool found = false;

    if (select_rows(db, t, tail, bind, n_bind, bind_int, stop_at_first, &found, out, true, err) !=
        0)
        return -1;
    return found ? 0 : 1;
}
