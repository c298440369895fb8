/*
 * store_pg_record.c — records described as columns (store_columns.h), on PostgreSQL: one piece
 * of code binds, reads, inserts, updates and selects any record type, as store_sqlite_record.c
 * does on SQLite.
 *
 * Parameters go as text (integers written in decimal) and blobs as binary; results come back in
 * binary, so a text column is its bytes, an integer its big-endian value (pg_get_int) and a
 * bytea its bytes, with nothing to unescape.
 */
#include "store/store_pg_internal.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pg_bind_record(pg_params *p, const sq_table *t, const void *rec)
{
    assert(t->n_cols <= sizeof p->values / sizeof p->values[0]);
    for (size_t i = 0; i < t->n_cols; i++) {
        const sq_column *c = &t->cols[i];
        const char *field = (const char *)rec + c->offset;
        switch (c->type) {
        case COL_TEXT:
            pg_param_text(p, field);
            break;
        case COL_INT:
            pg_param_int(p, *(const int64_t *)(const void *)field);
            break;
        case COL_INT32:
            pg_param_int(p, *(const int *)(const void *)field);
            break;
        case COL_TEXT_PTR:
            pg_param_text(p, *(char *const *)(const void *)field);
            break;
        case COL_BLOB:
            pg_param_blob(p, *(unsigned char *const *)(const void *)field,
                          *(const size_t *)(const void *)((const char *)rec + c->size));
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

int pg_read_record(const PGresult *res, int row, int first, const sq_table *t, void *rec, bool copy)
{
    memset(rec, 0, t->record_size);
    for (size_t i = 0; i < t->n_cols; i++) {
        const sq_column *c = &t->cols[i];
        char *field = (char *)rec + c->offset;
        int at = first + (int)i;
        size_t n;
        char *v;
        switch (c->type) {
        case COL_TEXT:
            pg_copy_col(res, row, at, field, c->size);
            break;
        case COL_INT:
            *(int64_t *)(void *)field = pg_get_int(res, row, at);
            break;
        case COL_INT32:
            *(int *)(void *)field = (int)pg_get_int(res, row, at);
            break;
        case COL_TEXT_PTR:
        case COL_BLOB:
            if (PQgetisnull(res, row, at))
                break;
            v = PQgetvalue(res, row, at); /* NUL-terminated by libpq, binary or not */
            n = (size_t)PQgetlength(res, row, at);
            if (copy) {
                char *dup = malloc(n + 1);
                if (dup == NULL) {
                    free_pointers(t, rec);
                    return -1;
                }
                memcpy(dup, v, n + 1);
                v = dup;
            }
            *(char **)(void *)field = v;
            if (c->type == COL_BLOB)
                *(size_t *)(void *)((char *)rec + c->size) = n;
            break;
        }
    }
    return 0;
}

void pg_column_list(const sq_table *t, const char *prefix, char *out, size_t size)
{
    size_t len = 0;

    out[0] = '\0';
    for (size_t i = 0; i < t->n_cols && len < size; i++)
        len += (size_t)snprintf(out + len, size - len, "%s%s%s", i ? ", " : "", prefix,
                                t->cols[i].name);
    assert(len < size);
}

void pg_insert_sql(const sq_table *t, const char *extra_col, const char *extra_value, char *sql,
                   size_t size)
{
    char cols[1024];
    size_t len;

    pg_column_list(t, "", cols, sizeof cols);
    len = (size_t)snprintf(sql, size, "INSERT INTO %s (%s%s%s) VALUES (", t->name, cols,
                           extra_col ? ", " : "", extra_col ? extra_col : "");
    for (size_t i = 0; i < t->n_cols && len < size; i++)
        len += (size_t)snprintf(sql + len, size - len, "%s$%zu", i ? "," : "", i + 1);
    if (len < size)
        len += (size_t)snprintf(sql + len, size - len, "%s%s)", extra_value ? ", " : "",
                                extra_value ? extra_value : "");
    assert(len < size);
}

int pg_insert_record(PGconn *db, const sq_table *t, const void *rec, ct_error *err)
{
    char sql[2048];
    pg_params p = {0};

    pg_insert_sql(t, NULL, NULL, sql, sizeof sql);
    pg_bind_record(&p, t, rec);
    if (pg_exec(db, sql, &p, NULL, "inserting a record", err) == 0)
        return 0;
    if (pg_is_duplicate(err))
        return ct_fail(err, 409, "store.duplicate", "bản ghi đã tồn tại trong %s",
                       "the record already exists in %s", t->name);
    return -1;
}

int pg_update_record(PGconn *db, const sq_table *t, const void *rec, const char *not_found_code,
                     ct_error *err)
{
    char sql[2048];
    size_t len;
    pg_params p = {0};
    int64_t changed = 0;

    len = (size_t)snprintf(sql, sizeof sql, "UPDATE %s SET ", t->name);
    for (size_t i = t->n_keys; i < t->n_cols; i++)
        len += (size_t)snprintf(sql + len, sizeof sql - len, "%s%s = $%zu",
                                i > t->n_keys ? ", " : "", t->cols[i].name, i + 1);
    for (size_t i = 0; i < t->n_keys; i++)
        len += (size_t)snprintf(sql + len, sizeof sql - len, "%s%s = $%zu", i ? " AND " : " WHERE ",
                                t->cols[i].name, i + 1);
    assert(len < sizeof sql);
    pg_bind_record(&p, t, rec);
    if (pg_exec(db, sql, &p, &changed, "updating a record", err) != 0)
        return -1;
    if (changed != 1)
        return ct_fail(err, 404, not_found_code, "không tìm thấy bản ghi trong %s",
                       "no such record in %s", t->name);
    return 0;
}

/* Visit the rows of a result as records of t (columns from 0), then clear it. */
static int visit_result(PGresult *res, const sq_table *t, sq_row_fn visit, void *ctx, void *scratch)
{
    for (int i = 0; i < PQntuples(res); i++) {
        pg_read_record(res, i, 0, t, scratch, false);
        if (visit(ctx, scratch) != 0)
            break;
    }
    PQclear(res);
    return 0;
}

int pg_select_records(PGconn *db, const sq_table *t, const char *tail, const pg_params *p,
                      sq_row_fn visit, void *ctx, void *scratch, ct_error *err)
{
    char sql[2048], cols[1024];
    PGresult *res;

    pg_column_list(t, "", cols, sizeof cols);
    snprintf(sql, sizeof sql, "SELECT %s FROM %s %s", cols, t->name, tail);
    res = pg_run(db, sql, p, "reading records", err);
    if (res == NULL)
        return -1;
    return visit_result(res, t, visit, ctx, scratch);
}

int pg_select_one(PGconn *db, const sq_table *t, const char *tail, const pg_params *p, void *out,
                  ct_error *err)
{
    char sql[2048], cols[1024];
    PGresult *res;
    int rc;

    pg_column_list(t, "", cols, sizeof cols);
    snprintf(sql, sizeof sql, "SELECT %s FROM %s %s", cols, t->name, tail);
    res = pg_run(db, sql, p, "reading records", err);
    if (res == NULL)
        return -1;
    rc = PQntuples(res) == 0 ? 1 : 0;
    if (rc == 0 && pg_read_record(res, 0, 0, t, out, true) != 0)
        rc = ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    PQclear(res);
    return rc;
}
