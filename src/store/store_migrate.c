/*
 * store_migrate.c — an SQLite store copied into an empty PostgreSQL database (`chungthu store
 * migrate`), the one place that knows both backends.
 *
 * The copy is generic over the tables the two schemas share rather than a list kept by hand: the
 * SQLite tables are listed (its full-text index, a virtual table and its shadow tables, is
 * SQLite's own), and each is copied column by column, by name, into the PostgreSQL table of the
 * same name, which the migrations made at the same version. A migration that adds a table or a
 * column to both backends is thus copied without a change here; one that adds it to SQLite only
 * makes the copy refuse (store.migrate_schema) rather than lose it. Rows go through COPY in its
 * text format: a value's text is what PostgreSQL parses for the column's type, and a bytea's is
 * its "\x" hex form. Tables are copied parents first, as PostgreSQL's foreign keys say, since
 * they are checked row by row.
 *
 * All of it is one PostgreSQL transaction (the schema, the rows, the sequences, the counts): a
 * failure anywhere leaves the target database as it was. The SQLite side is read inside BEGIN
 * IMMEDIATE, which takes SQLite's write lock: the copy is one consistent state, and a server
 * still running on the file waits (its writes fail after the busy timeout) instead of writing
 * rows the copy would miss.
 */
#include "store/store_backend.h"
#include "store/store_pg_internal.h"
#include "store/store_sqlite_internal.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"

#define MAX_COLUMNS 64
#define NAME_MAX_LEN 64

/* The PostgreSQL tables a copy does not fill from a table of the same name. */
static bool pg_own_table(const char *name)
{
    return strcmp(name, "schema_version") == 0 || strcmp(name, "rate_limits") == 0 ||
           strcmp(name, "directory") == 0;
}

static int schema_differs(ct_error *err, const char *what_vi, const char *what_en, const char *name)
{
    char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX];

    snprintf(vi, sizeof vi, "lược đồ SQLite và PostgreSQL khác nhau: %s %s", what_vi, name);
    snprintf(en, sizeof en, "the SQLite and PostgreSQL schemas differ: %s %s", what_en, name);
    return ct_fail_text(err, 409, "store.migrate_schema", vi, en);
}

/* Append one SQLite value as a field of COPY's text format. */
static void copy_field(ct_buf *b, sqlite3_stmt *stmt, int col, bool bytea)
{
    static const char digits[] = "0123456789abcdef";
    int type = sqlite3_column_type(stmt, col);

    if (type == SQLITE_NULL) {
        buf_append_str(b, "\\N");
    } else if (bytea) {
        const unsigned char *p =
            type == SQLITE_BLOB ? sqlite3_column_blob(stmt, col) : sqlite3_column_text(stmt, col);
        int n = sqlite3_column_bytes(stmt, col);

        buf_append_str(b, "\\\\x");
        for (int i = 0; i < n; i++) {
            buf_append_byte(b, (unsigned char)digits[p[i] >> 4]);
            buf_append_byte(b, (unsigned char)digits[p[i] & 15]);
        }
    } else if (type == SQLITE_INTEGER) {
        buf_printf(b, "%lld", (long long)sqlite3_column_int64(stmt, col));
    } else if (type == SQLITE_FLOAT) {
        buf_printf(b, "%.17g", sqlite3_column_double(stmt, col));
    } else {
        const unsigned char *p = sqlite3_column_text(stmt, col);
        int n = sqlite3_column_bytes(stmt, col);

        for (int i = 0; i < n; i++) {
            switch (p[i]) {
            case '\\':
                buf_append_str(b, "\\\\");
                break;
            case '\n':
                buf_append_str(b, "\\n");
                break;
            case '\r':
                buf_append_str(b, "\\r");
                break;
            case '\t':
                buf_append_str(b, "\\t");
                break;
            default:
                buf_append_byte(b, p[i]);
            }
        }
    }
}

/* Every row select_sql reads from SQLite into `table (columns)` on PostgreSQL, by COPY; bytea[i]
 * says whether column i is a bytea there. */
static int copy_rows(sqlite3 *sq, const char *select_sql, PGconn *pg, const char *table,
                     const char *columns, int n, const bool *bytea, ct_error *err)
{
    char sql[4096];
    sqlite3_stmt *stmt = NULL;
    PGresult *res;
    ct_buf b;
    int rc = 0, step;

    snprintf(sql, sizeof sql, "COPY \"%s\" (%s) FROM STDIN", table, columns);
    res = PQexec(pg, sql);
    if (res == NULL || PQresultStatus(res) != PGRES_COPY_IN) {
        rc = pg_db_fail(pg, res, err, "copying into PostgreSQL");
        PQclear(res);
        return rc;
    }
    PQclear(res);
    buf_init(&b);
    if (sq_prepare(sq, select_sql, &stmt, err) != 0)
        rc = -1;
    while (rc == 0 && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
        for (int i = 0; i < n; i++) {
            if (i > 0)
                buf_append_byte(&b, '\t');
            copy_field(&b, stmt, i, bytea[i]);
        }
        buf_append_byte(&b, '\n');
        if (!buf_ok(&b))
            rc = ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
        else if (b.len >= 1u << 16) {
            if (PQputCopyData(pg, (const char *)b.data, (int)b.len) != 1)
                rc = pg_db_fail(pg, NULL, err, "copying into PostgreSQL");
            buf_reset(&b);
        }
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = sq_db_fail(sq, err, "reading the SQLite database");
    sqlite3_finalize(stmt);
    if (rc == 0 && b.len > 0 && PQputCopyData(pg, (const char *)b.data, (int)b.len) != 1)
        rc = pg_db_fail(pg, NULL, err, "copying into PostgreSQL");
    buf_free(&b);
    /* ended either way, so the connection leaves the COPY state; an error makes COPY fail */
    PQputCopyEnd(pg, rc == 0 ? NULL : "the copy stopped");
    while ((res = PQgetResult(pg)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0) {
            char what[128];
            snprintf(what, sizeof what, "copying table %s", table);
            rc = pg_db_fail(pg, res, err, what);
        }
        PQclear(res);
    }
    return rc;
}

/* One table: the SQLite columns, each of which PostgreSQL's table must have. */
static int copy_table(sqlite3 *sq, PGconn *pg, const char *table, ct_error *err)
{
    char sql[512], columns[4096] = "", select[4096], name[NAME_MAX_LEN], type[32];
    bool bytea[MAX_COLUMNS];
    sqlite3_stmt *stmt = NULL;
    pg_params p = {0};
    PGresult *types;
    int n = 0, rc = 0;

    pg_param_text(&p, table);
    types = pg_run(pg,
                   "SELECT column_name::text, data_type::text FROM information_schema.columns"
                   " WHERE table_schema = current_schema() AND table_name = $1",
                   &p, "reading PostgreSQL's columns", err);
    if (types == NULL)
        return -1;
    snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s') ORDER BY cid", table);
    if (sq_prepare(sq, sql, &stmt, err) != 0) {
        PQclear(types);
        return -1;
    }
    while (rc == 0 && sqlite3_step(stmt) == SQLITE_ROW) {
        int found = -1;

        sq_copy_col(stmt, 0, name, sizeof name);
        for (int r = 0; r < PQntuples(types) && found < 0; r++) {
            char pg_name[NAME_MAX_LEN];
            pg_copy_col(types, r, 0, pg_name, sizeof pg_name);
            if (strcmp(pg_name, name) == 0)
                found = r;
        }
        if (found < 0 || n == MAX_COLUMNS) {
            char both[2 * NAME_MAX_LEN + 2];
            snprintf(both, sizeof both, "%s.%s", table, name);
            rc = schema_differs(err, "PostgreSQL không có cột", "PostgreSQL has no column", both);
            break;
        }
        pg_copy_col(types, found, 1, type, sizeof type);
        bytea[n] = strcmp(type, "bytea") == 0;
        snprintf(columns + strlen(columns), sizeof columns - strlen(columns), "%s\"%s\"",
                 n > 0 ? ", " : "", name);
        n++;
    }
    sqlite3_finalize(stmt);
    PQclear(types);
    if (rc == 0 && n == 0)
        rc = schema_differs(err, "SQLite không có bảng", "SQLite has no table", table);
    if (rc != 0)
        return -1;
    snprintf(select, sizeof select, "SELECT %s FROM \"%s\"", columns, table);
    return copy_rows(sq, select, pg, table, columns, n, bytea, err);
}

/* The PostgreSQL tables to fill, parents before the tables whose foreign keys name them. */
static int table_order(PGconn *pg, char names[][NAME_MAX_LEN], size_t *count, ct_error *err)
{
    PGresult *tables, *keys;
    size_t n = 0, done = 0;
    bool placed[STORE_COPY_TABLES] = {false};
    char order[STORE_COPY_TABLES][NAME_MAX_LEN];

    tables = pg_run(pg,
                    "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()"
                    " ORDER BY tablename",
                    NULL, "listing PostgreSQL's tables", err);
    if (tables == NULL)
        return -1;
    keys = pg_run(pg,
                  "SELECT a.relname::text, b.relname::text FROM pg_constraint c"
                  " JOIN pg_class a ON a.oid = c.conrelid JOIN pg_class b ON b.oid = c.confrelid"
                  " WHERE c.contype = 'f' AND a.relnamespace = current_schema()::regnamespace",
                  NULL, "listing PostgreSQL's foreign keys", err);
    if (keys == NULL) {
        PQclear(tables);
        return -1;
    }
    for (int r = 0; r < PQntuples(tables); r++) {
        char name[NAME_MAX_LEN];
        pg_copy_col(tables, r, 0, name, sizeof name);
        if (pg_own_table(name))
            continue;
        if (n == STORE_COPY_TABLES - 1) { /* one place kept for the directory */
            PQclear(tables);
            PQclear(keys);
            return schema_differs(err, "quá nhiều bảng, từ", "too many tables, from", name);
        }
        snprintf(names[n++], NAME_MAX_LEN, "%s", name);
    }
    /* a pass places every table whose parents are placed; the keys form no cycle */
    for (size_t pass = 0; pass < n && done < n; pass++) {
        for (size_t i = 0; i < n; i++) {
            bool ready = !placed[i];
            for (int k = 0; ready && k < PQntuples(keys); k++) {
                char child[NAME_MAX_LEN], parent[NAME_MAX_LEN];
                pg_copy_col(keys, k, 0, child, sizeof child);
                pg_copy_col(keys, k, 1, parent, sizeof parent);
                if (strcmp(child, names[i]) != 0 || strcmp(parent, child) == 0)
                    continue;
                for (size_t j = 0; j < n; j++)
                    if (strcmp(names[j], parent) == 0 && !placed[j])
                        ready = false;
            }
            if (ready) {
                placed[i] = true;
                snprintf(order[done++], NAME_MAX_LEN, "%s", names[i]);
            }
        }
    }
    PQclear(tables);
    PQclear(keys);
    if (done < n)
        return schema_differs(err, "khóa ngoại tạo thành vòng giữa các bảng, như",
                              "foreign keys form a cycle among the tables, as", names[0]);
    memcpy(names, order, sizeof order);
    *count = done;
    return 0;
}

static int count_sqlite(sqlite3 *sq, const char *table, int64_t *rows, ct_error *err)
{
    char sql[160];
    sqlite3_stmt *stmt = NULL;
    int rc;

    snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", table);
    if (sq_prepare(sq, sql, &stmt, err) != 0)
        return -1;
    rc = sqlite3_step(stmt);
    *rows = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
    sqlite3_finalize(stmt);
    return rc == SQLITE_ROW ? 0 : sq_db_fail(sq, err, "counting rows");
}

static int count_pg(PGconn *pg, const char *table, int64_t *rows, ct_error *err)
{
    char sql[160];

    snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", table);
    return pg_int_query(pg, sql, NULL, rows, "counting rows", err);
}

/* Every table SQLite holds is among those copied, but for its own (the full-text index). */
static int check_sqlite_tables(sqlite3 *sq, char names[][NAME_MAX_LEN], size_t count, ct_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = 0;

    if (sq_prepare(sq,
                   "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'"
                   " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
                   &stmt, err) != 0)
        return -1;
    while (rc == 0 && sqlite3_step(stmt) == SQLITE_ROW) {
        char name[NAME_MAX_LEN];
        bool known = false;

        sq_copy_col(stmt, 0, name, sizeof name);
        for (size_t i = 0; i < count && !known; i++)
            known = strcmp(names[i], name) == 0;
        if (!known)
            rc = schema_differs(err, "PostgreSQL không có bảng", "PostgreSQL has no table", name);
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* The directory's index: SQLite's entries in the order they were published (its rowids
 * descend), each with the terms PostgreSQL makes of the certificate's search key. */
static int build_directory(sqlite3 *sq, PGconn *pg, ct_error *err)
{
    static const bool text[2] = {false, false};

    if (pg_exec(pg, "CREATE TEMP TABLE ct_directory_order (n BIGINT, serial TEXT) ON COMMIT DROP",
                NULL, NULL, "building the directory", err) != 0 ||
        copy_rows(sq, "SELECT -rowid, serial FROM directory", pg, "ct_directory_order", "n, serial",
                  2, text, err) != 0)
        return -1;
    return pg_exec(pg,
                   "INSERT INTO directory (serial, terms) SELECT o.serial,"
                   " ct_directory_terms(c.search_key) FROM ct_directory_order o"
                   " JOIN certificates c ON c.serial = o.serial ORDER BY o.n",
                   NULL, NULL, "building the directory", err);
}

/* Each sequence (a bigserial) past the largest id copied, as if the rows had been inserted. */
static int set_sequences(PGconn *pg, ct_error *err)
{
    PGresult *res = pg_run(pg,
                           "SELECT table_name::text, column_name::text FROM"
                           " information_schema.columns WHERE table_schema = current_schema()"
                           " AND column_default LIKE 'nextval(%'",
                           NULL, "setting the sequences", err);
    int rc = res ? 0 : -1;

    for (int r = 0; res && rc == 0 && r < PQntuples(res); r++) {
        char table[NAME_MAX_LEN], column[NAME_MAX_LEN], sql[512];
        pg_copy_col(res, r, 0, table, sizeof table);
        pg_copy_col(res, r, 1, column, sizeof column);
        snprintf(sql, sizeof sql,
                 "SELECT setval(pg_get_serial_sequence('\"%s\"', '%s'),"
                 " coalesce((SELECT max(\"%s\") FROM \"%s\"), 0) + 1, false)",
                 table, column, column, table);
        rc = pg_exec(pg, sql, NULL, NULL, "setting the sequences", err);
    }
    PQclear(res);
    return rc;
}

/* Under SQLite's write lock and inside the PostgreSQL transaction. */
static int copy_all(sqlite3 *sq, PGconn *pg, int version, store_copy_report *rep, ct_error *err)
{
    char names[STORE_COPY_TABLES][NAME_MAX_LEN];
    size_t count = 0;

    if (pg_migrate_to(pg, version, true, err) != 0 || table_order(pg, names, &count, err) != 0 ||
        check_sqlite_tables(sq, names, count, err) != 0)
        return -1;
    for (size_t i = 0; i < count; i++)
        if (copy_table(sq, pg, names[i], err) != 0)
            return -1;
    if (build_directory(sq, pg, err) != 0 || set_sequences(pg, err) != 0)
        return -1;
    snprintf(names[count++], NAME_MAX_LEN, "directory");
    for (size_t i = 0; i < count; i++) {
        store_copy_table *t = &rep->tables[rep->n_tables++];

        snprintf(t->name, sizeof t->name, "%s", names[i]);
        if (count_sqlite(sq, names[i], &t->source_rows, err) != 0 ||
            count_pg(pg, names[i], &t->target_rows, err) != 0)
            return -1;
        if (t->source_rows != t->target_rows)
            return ct_fail(err, 500, "store.migrate_count",
                           "bảng %s: SQLite có %lld dòng, PostgreSQL %lld: không chuyển gì",
                           "table %s: SQLite holds %lld rows, PostgreSQL %lld: nothing migrated",
                           names[i], (long long)t->source_rows, (long long)t->target_rows);
    }
    return 0;
}

static int sqlite_version(sqlite3 *sq, int *version, ct_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    if (sq_prepare(sq, "PRAGMA user_version", &stmt, err) != 0)
        return -1;
    rc = sqlite3_step(stmt);
    *version = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return rc == SQLITE_ROW ? 0 : sq_db_fail(sq, err, "reading the schema version");
}

static int copy_locked(store *s, sqlite3 *sq, PGconn *pg, store_copy_report *rep, ct_error *err)
{
    int version = 0, rc;

    rc = sqlite3_exec(sq, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_BUSY)
        return ct_fail(
            err, 409, "store.migrate_busy",
            "một tiến trình khác đang ghi cơ sở dữ liệu SQLite: dừng máy chủ rồi thử lại",
            "another process is writing the SQLite database: stop the server and try "
            "again");
    if (rc != SQLITE_OK)
        return sq_db_fail(sq, err, "locking the SQLite database");
    rc = sqlite_version(sq, &version, err);
    if (rc == 0 && version != store_schema_latest(s))
        rc = ct_fail(err, 409, "store.migrate_version",
                     "tệp SQLite ở phiên bản lược đồ %d, chương trình ở %d: mở nó bằng phiên bản "
                     "này của chungthu trước (ví dụ chungthu status), rồi chuyển",
                     "the SQLite file is at schema version %d, this program at %d: open it with "
                     "this version of chungthu first (e.g. chungthu status), then migrate",
                     version, store_schema_latest(s));
    rep->schema_version = version;
    if (rc == 0 && pg_exec(pg, "BEGIN", NULL, NULL, "starting the copy", err) != 0)
        rc = -1;
    else if (rc == 0) {
        rc = copy_all(sq, pg, version, rep, err);
        if (rc == 0 && pg_exec(pg, "COMMIT", NULL, NULL, "committing the copy", err) != 0)
            rc = -1;
        if (rc != 0)
            pg_exec(pg, "ROLLBACK", NULL, NULL, "undoing the copy", NULL);
    }
    /* SQLite was only read */
    sqlite3_exec(sq, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int store_copy_to_postgresql(store *s, const char *url, store_copy_report *rep, ct_error *err)
{
    PGconn *pg;
    conn c;
    int rc;

    memset(rep, 0, sizeof *rep);
    if (s->ops != &store_sqlite_backend)
        return ct_fail(err, 409, "store.migrate_not_sqlite",
                       "phiên bản này không dùng SQLite: không có gì để chuyển",
                       "this instance is not on SQLite: there is nothing to migrate");
    if (url == NULL || !store_is_url(url))
        return ct_fail(err, 400, "store.migrate_url",
                       "cần --to postgresql://…: URL của cơ sở dữ liệu PostgreSQL trống",
                       "--to postgresql://… is needed: the URL of an empty PostgreSQL database");
    if (pg_connect_target(url, "store.migrate_connect", &pg, err) != 0)
        return -1;
    rc = pg_check_empty(pg, "store.migrate_target_not_empty", err);
    if (rc == 0) {
        c = sq_acquire_write(s->impl);
        rc = copy_locked(s, c.db, pg, rep, err);
        sq_release(c);
    }
    PQfinish(pg);
    return rc;
}
