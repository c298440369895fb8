/*
 * store_pg.c — the PostgreSQL backend of the storage interface (libpq): connections,
 * transactions, the schema's migration, certificates, the audit trail, CRLs and the public
 * directory. The procedure's records are in store_pg_procedure.c, the record code in
 * store_pg_record.c, the schema in store_pg_schema.c.
 *
 * Selected by a URL ("postgresql://…", store_open). Several processes may serve one database:
 * writers take one advisory lock (store_pg_internal.h), the schema is migrated by whichever
 * process takes the migration lock first, and every answer is the one SQLite would give
 * (same error codes, same order: the database must collate as "C", i.e. by code point as
 * SQLite's BINARY does; store_open checks it).
 */
#include "store/store_pg_internal.h"

#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The store whose transaction this thread holds, and its connection. */
static _Thread_local pg_store *tx_store;
static _Thread_local pg_conn *tx_conn;

#define PG_MIGRATE_LOCK (PG_WRITE_LOCK + 1)

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* NOTICEs (an index that exists already…) are not the user's business */
}

static int connect_one(pg_conn *c, const char *url, ct_error *err)
{
    const char *keys[] = {"dbname", "fallback_application_name", NULL};
    const char *values[] = {url, "chungthu", NULL};

    c->db = PQconnectdbParams(keys, values, 1);
    if (c->db == NULL || PQstatus(c->db) != CONNECTION_OK)
        return ct_fail(err, 500, "store.open", "không kết nối được cơ sở dữ liệu PostgreSQL: %s",
                       "cannot connect to the PostgreSQL database: %s",
                       c->db ? PQerrorMessage(c->db) : "out of memory");
    PQsetNoticeProcessor(c->db, quiet, NULL);
    return 0;
}

/* A connection is opened at its first use (a command-line run needs one or two of them), and
 * one the server closed (a restart, a failover) is opened again. One that cannot be opened
 * fails the statements sent on it, with libpq's reason. */
static pg_conn *usable(pg_store *st, pg_conn *c)
{
    ct_error ignored;

    if (c->db == NULL)
        connect_one(c, st->url, &ignored);
    else if (PQstatus(c->db) != CONNECTION_OK)
        PQreset(c->db);
    return c;
}

pg_use pg_acquire(pg_store *st)
{
    unsigned start;

    if (tx_store == st)
        return (pg_use){tx_conn, false};
    start = atomic_fetch_add(&st->next, 1);
    for (unsigned k = 0; k < PG_CONNS; k++) {
        pg_conn *c = &st->conns[(start + k) % PG_CONNS];
        if (pthread_mutex_trylock(&c->lock) == 0)
            return (pg_use){usable(st, c), true};
    }
    pthread_mutex_lock(&st->conns[start % PG_CONNS].lock);
    return (pg_use){usable(st, &st->conns[start % PG_CONNS]), true};
}

void pg_release(pg_use u)
{
    if (u.own)
        pthread_mutex_unlock(&u.c->lock);
}

int pg_db_fail(PGconn *db, const PGresult *res, ct_error *err, const char *what)
{
    const char *msg = res ? PQresultErrorMessage(res) : "";
    char text[512];
    size_t n;

    snprintf(text, sizeof text, "%s", msg && *msg ? msg : PQerrorMessage(db));
    n = strlen(text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
        text[--n] = '\0';
    return ct_fail(err, 500, "store.postgresql", "lỗi cơ sở dữ liệu khi %s: %s",
                   "database error while %s: %s", what, text);
}

PGresult *pg_run(PGconn *db, const char *sql, const pg_params *p, const char *what, ct_error *err)
{
    PGresult *res = PQexecParams(db, sql, p ? p->n : 0, NULL, p ? p->values : NULL,
                                 p ? p->lengths : NULL, p ? p->formats : NULL, 1);
    ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    const char *state, *primary;

    if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK)
        return res;
    state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (state && strcmp(state, "25006") == 0) /* read_only_sql_transaction: a standby */
        store_fail_read_only(err);
    else if (state && strcmp(state, "57014") == 0)
        ct_fail(err, 503, "store.timeout", "truy vấn quá thời hạn (%s)", "query timed out (%s)",
                what);
    /* the custody trigger's refusal of a token's move is the caller's conflict, as on SQLite */
    else if (state && strcmp(state, "23000") == 0 && primary &&
             strncmp(primary, "token.custody", 13) == 0)
        ct_fail(err, 409, "token.custody",
                "cơ sở dữ liệu từ chối chuyển trạng thái thiết bị (chuỗi giám sát)",
                "the database refuses this change of the token's state (its custody)");
    else if (state && strncmp(state, "23", 2) == 0)
        ct_fail(err, 409, "store.duplicate", "bản ghi đã tồn tại hoặc vi phạm ràng buộc (%s)",
                "the record already exists or breaks a constraint (%s)", what);
    else
        pg_db_fail(db, res, err, what);
    PQclear(res);
    return NULL;
}

bool pg_is_duplicate(const ct_error *err)
{
    return err && strcmp(err->code, "store.duplicate") == 0;
}

int pg_exec(PGconn *db, const char *sql, const pg_params *p, int64_t *changed, const char *what,
            ct_error *err)
{
    PGresult *res = pg_run(db, sql, p, what, err);

    if (res == NULL)
        return -1;
    if (changed)
        *changed = strtoll(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return 0;
}

int64_t pg_get_int(const PGresult *res, int row, int col)
{
    const char *v = PQgetvalue(res, row, col);
    uint64_t u64;
    uint32_t u32;
    uint16_t u16;

    if (PQgetisnull(res, row, col))
        return 0;
    switch (PQgetlength(res, row, col)) {
    case 8:
        memcpy(&u64, v, 8);
        return (int64_t)be64toh(u64);
    case 4:
        memcpy(&u32, v, 4);
        return (int32_t)be32toh(u32);
    case 2:
        memcpy(&u16, v, 2);
        return (int16_t)be16toh(u16);
    default:
        return 0;
    }
}

int pg_int_query(PGconn *db, const char *sql, const pg_params *p, int64_t *out, const char *what,
                 ct_error *err)
{
    PGresult *res = pg_run(db, sql, p, what, err);

    if (res == NULL)
        return -1;
    *out = PQntuples(res) > 0 ? pg_get_int(res, 0, 0) : 0;
    PQclear(res);
    return 0;
}

void pg_copy_col(const PGresult *res, int row, int col, char *out, size_t size)
{
    snprintf(out, size, "%s", PQgetisnull(res, row, col) ? "" : PQgetvalue(res, row, col));
}

void pg_param_text(pg_params *p, const char *v)
{
    p->values[p->n] = v;
    p->lengths[p->n] = 0;
    p->formats[p->n] = 0;
    p->n++;
}

void pg_param_int(pg_params *p, int64_t v)
{
    snprintf(p->ints[p->n], sizeof p->ints[p->n], "%lld", (long long)v);
    pg_param_text(p, p->ints[p->n]);
}

void pg_param_blob(pg_params *p, const unsigned char *data, size_t len)
{
    p->values[p->n] = data ? (const char *)data : "";
    p->lengths[p->n] = (int)len;
    p->formats[p->n] = 1;
    p->n++;
}

/* A statement of the transaction machinery; false when it failed. */
static bool simple(PGconn *db, const char *sql, const char *expect_status, ct_error *err,
                   const char *what)
{
    PGresult *res = PQexec(db, sql);
    ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    bool ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;

    /* COMMIT of a transaction that failed answers "ROLLBACK" without an error */
    if (ok && expect_status && strcmp(PQcmdStatus(res), expect_status) != 0) {
        ok = false;
        if (err)
            ct_fail(err, 500, "store.postgresql", "giao dịch đã bị hủy khi %s",
                    "the transaction was aborted while %s", what);
    } else if (!ok && err) {
        pg_db_fail(db, res, err, what);
    }
    PQclear(res);
    return ok;
}

int pg_write_begin(pg_store *st, pg_use *u, ct_error *err)
{
    char sql[96];

    *u = (pg_use){NULL, false};
    if (atomic_load(&st->read_only))
        return store_fail_read_only(err);
    *u = pg_acquire(st);
    if (!u->own)
        return simple(u->c->db, "SAVEPOINT ct_op", NULL, err, "writing") ? 0 : -1;
    snprintf(sql, sizeof sql, "BEGIN; SELECT pg_advisory_xact_lock(%lld)",
             (long long)PG_WRITE_LOCK);
    if (!simple(u->c->db, sql, NULL, err, "starting a transaction")) {
        simple(u->c->db, "ROLLBACK", NULL, NULL, NULL);
        pg_release(*u);
        return -1;
    }
    return 0;
}

int pg_write_end(pg_use u, int rc, ct_error *err)
{
    PGconn *db = u.c->db;

    if (!u.own) {
        if (rc == 0)
            return simple(db, "RELEASE SAVEPOINT ct_op", NULL, err, "writing") ? 0 : -1;
        simple(db, "ROLLBACK TO SAVEPOINT ct_op; RELEASE SAVEPOINT ct_op", NULL, NULL, NULL);
        return rc;
    }
    if (rc == 0 && !simple(db, "COMMIT", "COMMIT", err, "committing"))
        rc = -1;
    if (rc != 0)
        simple(db, "ROLLBACK", NULL, NULL, NULL);
    pg_release(u);
    return rc;
}

static int pg_begin(void *impl, ct_error *err)
{
    pg_store *st = impl;
    pg_use u;

    if (tx_store == st)
        return ct_fail(err, 500, "store.nested", "giao dịch lồng nhau", "nested transaction");
    /* the write lock now, for the whole transaction, as SQLite's BEGIN IMMEDIATE takes its own:
     * a transaction never fails half way on a lock */
    if (pg_write_begin(st, &u, err) != 0)
        return -1;
    tx_store = st;
    tx_conn = u.c;
    return 0;
}

static void end_transaction(void)
{
    pg_conn *c = tx_conn;

    tx_store = NULL;
    tx_conn = NULL;
    pthread_mutex_unlock(&c->lock);
}

static int pg_commit(void *impl, ct_error *err)
{
    int rc = 0;

    if (tx_store != impl)
        return ct_fail(err, 500, "store.no_transaction", "không có giao dịch",
                       "no transaction to commit");
    if (!simple(tx_conn->db, "COMMIT", "COMMIT", err, "committing")) {
        simple(tx_conn->db, "ROLLBACK", NULL, NULL, NULL);
        rc = -1;
    }
    end_transaction();
    return rc;
}

static void pg_rollback(void *impl)
{
    if (tx_store != impl)
        return;
    simple(tx_conn->db, "ROLLBACK", NULL, NULL, NULL);
    end_transaction();
}

/* ---- opening: the collation, the schema's version, the migrations ---- */

static int read_version(PGconn *db, int *version, ct_error *err)
{
    int64_t v = 0;

    if (pg_exec(db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", NULL,
                NULL, "reading the schema version", err) != 0 ||
        pg_int_query(db, "SELECT coalesce(max(version), 0) FROM schema_version", NULL, &v,
                     "reading the schema version", err) != 0)
        return -1;
    *version = (int)v;
    return 0;
}

static int check_collation(PGconn *db, ct_error *err)
{
    PGresult *res =
        pg_run(db, "SELECT datcollate FROM pg_database WHERE datname = current_database()", NULL,
               "reading the database's collation", err);
    char collate[64] = "";

    if (res == NULL)
        return -1;
    if (PQntuples(res) > 0)
        pg_copy_col(res, 0, 0, collate, sizeof collate);
    PQclear(res);
    if (strcmp(collate, "C") == 0 || strcmp(collate, "POSIX") == 0 ||
        strncmp(collate, "C.", 2) == 0)
        return 0;
    return ct_fail(err, 500, "store.collation",
                   "cơ sở dữ liệu PostgreSQL phải có LC_COLLATE \"C\" (đang là \"%s\"): tạo lại "
                   "bằng CREATE DATABASE … TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'",
                   "the PostgreSQL database must collate as \"C\" (it is \"%s\"): create it with "
                   "CREATE DATABASE … TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'",
                   collate);
}

static int latest_version(void)
{
    return PG_BASELINE + (int)pg_migration_count - 1;
}

static int in_recovery(PGconn *db, bool *standby, ct_error *err)
{
    int64_t v = 0;

    if (pg_int_query(db, "SELECT pg_is_in_recovery()::int", NULL, &v,
                     "asking whether the database is a standby", err) != 0)
        return -1;
    *standby = v != 0;
    return 0;
}

/* A hot standby takes no writes, so nothing is migrated there: its schema is the primary's,
 * which must be this program's (the primary is migrated first, by a node that writes). */
static int check_standby_schema(PGconn *db, ct_error *err)
{
    int64_t v = 0;

    if (pg_int_query(db,
                     "SELECT CASE WHEN to_regclass('schema_version') IS NULL THEN 0 ELSE"
                     " (SELECT coalesce(max(version), 0) FROM schema_version) END",
                     NULL, &v, "reading the schema version", err) != 0)
        return -1;
    if (v == latest_version())
        return 0;
    return ct_fail(err, 503, "store.standby_schema",
                   "cơ sở dữ liệu dự phòng có lược đồ phiên bản %lld, chương trình cần %d: nâng "
                   "cấp máy chính trước (một nút đọc-ghi mở nó), bản dự phòng sẽ theo",
                   "the standby database's schema is version %lld, this program needs %d: "
                   "upgrade the primary first (a read-write node opens it), the standby follows",
                   (long long)v, latest_version());
}

/* Under a session lock, so that nodes starting together migrate once. */
int pg_migrate_to(PGconn *db, int want, bool in_tx, ct_error *err)
{
    char sql[96];
    int have, rc = -1;

    snprintf(sql, sizeof sql, "SELECT %s(%lld)",
             in_tx ? "pg_advisory_xact_lock" : "pg_advisory_lock", (long long)PG_MIGRATE_LOCK);
    if (!simple(db, sql, NULL, err, "migrating"))
        return -1;
    if (read_version(db, &have, err) != 0)
        goto out;
    if (have > latest_version()) {
        ct_fail(err, 500, "store.schema_newer",
                "cơ sở dữ liệu có phiên bản lược đồ %d, mới hơn chương trình (%d)",
                "the database schema is version %d, newer than this program (%d)", have,
                latest_version());
        goto out;
    }
    if (have > 0 && have < PG_BASELINE) {
        ct_fail(err, 500, "store.schema_unknown", "phiên bản lược đồ %d không có trên PostgreSQL",
                "schema version %d never existed on PostgreSQL", have);
        goto out;
    }
    for (int v = have == 0 ? PG_BASELINE - 1 : have; v < want; v++) {
        if (!in_tx && !simple(db, "BEGIN", NULL, err, "migrating"))
            goto out;
        snprintf(sql, sizeof sql,
                 "DELETE FROM schema_version; INSERT INTO schema_version VALUES (%d)", v + 1);
        if (!simple(db, pg_migrations[v - (PG_BASELINE - 1)], NULL, err, "migrating") ||
            !simple(db, sql, NULL, err, "migrating") ||
            (!in_tx && !simple(db, "COMMIT", "COMMIT", err, "migrating"))) {
            if (!in_tx)
                simple(db, "ROLLBACK", NULL, NULL, NULL);
            goto out;
        }
    }
    /* the rate limits' counters: not records, outside the versions (store_limit_take) */
    if (!simple(db,
                "CREATE UNLOGGED TABLE IF NOT EXISTS rate_limits (key TEXT PRIMARY KEY,"
                " count INTEGER NOT NULL, window_end BIGINT NOT NULL)",
                NULL, err, "migrating"))
        goto out;
    rc = 0;
out:
    if (!in_tx) {
        snprintf(sql, sizeof sql, "SELECT pg_advisory_unlock(%lld)", (long long)PG_MIGRATE_LOCK);
        simple(db, sql, NULL, NULL, NULL);
    }
    return rc;
}

static int migrate(PGconn *db, ct_error *err)
{
    return pg_migrate_to(db, latest_version(), false, err);
}

int pg_check_collation(PGconn *db, ct_error *err)
{
    return check_collation(db, err);
}

static void pg_close(void *impl)
{
    pg_store *st = impl;

    if (st == NULL)
        return;
    for (int i = 0; i < PG_CONNS; i++) {
        PQfinish(st->conns[i].db);
        pthread_mutex_destroy(&st->conns[i].lock);
    }
    PQfinish(st->lead.db); /* the upkeep lock goes with it */
    pthread_mutex_destroy(&st->lead.lock);
    free(st->url);
    free(st);
}

int store_pg_open_impl(const char *url, void **impl, ct_error *err)
{
    pg_store *st = calloc(1, sizeof *st);

    if (st == NULL || (st->url = strdup(url)) == NULL) {
        free(st);
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    for (int i = 0; i < PG_CONNS; i++)
        pthread_mutex_init(&st->conns[i].lock, NULL);
    pthread_mutex_init(&st->lead.lock, NULL);
    for (int i = 0; i < PG_CONNS; i++) {
        bool standby = false;
        if (connect_one(&st->conns[i], url, err) != 0 ||
            (i == 0 && (check_collation(st->conns[0].db, err) != 0 ||
                        in_recovery(st->conns[0].db, &standby, err) != 0 ||
                        (standby ? check_standby_schema(st->conns[0].db, err)
                                 : migrate(st->conns[0].db, err)) != 0))) {
            pg_close(st);
            return -1;
        }
        if (i == 0 && standby)
            atomic_store(&st->read_only, true);
    }
    *impl = st;
    return 0;
}

static int pg_schema_version(void *impl)
{
    pg_use u = pg_acquire(impl);
    int64_t v = -1;
    ct_error err;

    if (pg_int_query(u.c->db, "SELECT coalesce(max(version), -1) FROM schema_version", NULL, &v,
                     "reading the schema version", &err) != 0)
        v = -1;
    pg_release(u);
    return (int)v;
}

static int pg_schema_latest(void *impl)
{
    (void)impl;
    return latest_version();
}

/* PostgreSQL checks its own pages (and amcheck goes further, for its superuser); what is ours to
 * check is that the schema is the one this program expects, whole. */
static int integrity(PGconn *db, char *problem, size_t size, ct_error *err)
{
    int64_t v = 0, tables = 0;

    if (pg_int_query(db, "SELECT coalesce(max(version), 0) FROM schema_version", NULL, &v,
                     "checking the database", err) != 0 ||
        pg_int_query(db,
                     "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND"
                     " tablename IN ('certificates', 'audit', 'crls', 'directory', 'agencies',"
                     " 'dossiers', 'applicants', 'tokens', 'users', 'sessions', 'drafts',"
                     " 'claims', 'papers', 'audit_checkpoints', 'approvals', 'outbox',"
                     " 'expiry_notices')",
                     NULL, &tables, "checking the database", err) != 0)
        return -1;
    if (v != latest_version())
        snprintf(problem, size, "schema version %lld, expected %d", (long long)v, latest_version());
    else if (tables != 17)
        snprintf(problem, size, "%lld of the 17 tables found", (long long)tables);
    return 0;
}

static int pg_integrity_check(void *impl, char *problem, size_t size, ct_error *err)
{
    PG_READ(integrity(db, problem, size, err));
}

/* ---- certificates ---- */

/* A published certificate enters the public directory. */
static int directory_add(PGconn *db, const char *serial, const char *search_key, ct_error *err)
{
    pg_params p = {0};

    pg_param_text(&p, serial);
    pg_param_text(&p, search_key);
    return pg_exec(db, "INSERT INTO directory (serial, terms) VALUES ($1, ct_directory_terms($2))",
                   &p, NULL, "indexing a published certificate", err);
}

static int cert_insert(PGconn *db, const cert_record *r, ct_error *err)
{
    char sql[2048];
    pg_params p = {0};

    pg_insert_sql(&cert_table, "changed_seq",
                  "(SELECT coalesce(max(changed_seq), 0) + 1 FROM certificates)", sql, sizeof sql);
    pg_bind_record(&p, &cert_table, r);
    if (pg_exec(db, sql, &p, NULL, "storing a certificate", err) != 0)
        return pg_is_duplicate(err)
                   ? ct_fail(err, 409, "cert.serial_duplicate", "số hiệu chứng thư %s đã tồn tại",
                             "certificate serial %s already exists", r->serial)
                   : -1;
    if (strcmp(r->kind, "subscriber") == 0 && r->effective_at > 0)
        return directory_add(db, r->serial, r->search_key, err);
    return 0;
}

static int pg_cert_insert(void *impl, const cert_record *r, ct_error *err)
{
    PG_WRITE(cert_insert(db, r, err));
}

static int cert_get(PGconn *db, const char *serial, cert_record *rec, ct_error *err)
{
    pg_params p = {0};
    int rc;

    pg_param_text(&p, serial);
    rc = pg_select_one(db, &cert_table, "WHERE serial = $1", &p, rec, err);
    if (rc == 1)
        return ct_fail(err, 404, "cert.not_found", "không có chứng thư số hiệu %s",
                       "no certificate with serial %s", serial);
    return rc;
}

static int pg_cert_get(void *impl, const char *serial, cert_record *rec, ct_error *err)
{
    PG_READ(cert_get(db, serial, rec, err));
}

/* WHERE clause of a filter; the query's words are bound as LIKE patterns. */
static int build_filter(const cert_filter *f, char *sql, size_t size, pg_params *p,
                        char words[][128])
{
    size_t len = strlen(sql);
    char copy[512], *save = NULL, *w;
    int n_words = 0;

    len += (size_t)snprintf(sql + len, size - len, " WHERE true");
    if (f && f->status) {
        pg_param_text(p, f->status);
        len += (size_t)snprintf(sql + len, size - len, " AND status = $%d", p->n);
    }
    if (f && f->kind) {
        pg_param_text(p, f->kind);
        len += (size_t)snprintf(sql + len, size - len, " AND kind = $%d", p->n);
    }
    if (f && f->query) {
        snprintf(copy, sizeof copy, "%s", f->query);
        for (w = strtok_r(copy, " ", &save); w && n_words < 8; w = strtok_r(NULL, " ", &save)) {
            snprintf(words[n_words], 128, "%%%s%%", w);
            pg_param_text(p, words[n_words++]);
            len += (size_t)snprintf(sql + len, size - len, " AND search_key LIKE $%d", p->n);
        }
    }
    return len < size ? 0 : -1;
}

static int cert_list(PGconn *db, const cert_filter *f, cert_visit_fn visit, void *ctx,
                     ct_error *err)
{
    cert_record rec;
    char sql[2048] = "", words[8][128];
    pg_params p = {0};
    size_t len;

    if (build_filter(f, sql, sizeof sql, &p, words) != 0)
        return ct_fail(err, 400, "query.too_long", "truy vấn quá dài", "query too long");
    len = strlen(sql);
    if (f && f->limit > 0)
        snprintf(sql + len, sizeof sql - len, " ORDER BY created_at, serial LIMIT %lld OFFSET %lld",
                 (long long)f->limit, f->offset > 0 ? (long long)f->offset : 0LL);
    else
        snprintf(sql + len, sizeof sql - len, " ORDER BY created_at, serial OFFSET %lld",
                 f && f->offset > 0 ? (long long)f->offset : 0LL);
    return pg_select_records(db, &cert_table, sql, &p, (sq_row_fn)visit, ctx, &rec, err);
}

static int pg_cert_list(void *impl, const cert_filter *f, cert_visit_fn visit, void *ctx,
                        ct_error *err)
{
    PG_READ(cert_list(db, f, visit, ctx, err));
}

static int cert_count(PGconn *db, const cert_filter *f, int64_t *count, ct_error *err)
{
    char sql[2048] = "SELECT count(*) FROM certificates", words[8][128];
    pg_params p = {0};

    if (build_filter(f, sql, sizeof sql, &p, words) != 0)
        return ct_fail(err, 400, "query.too_long", "truy vấn quá dài", "query too long");
    return pg_int_query(db, sql, &p, count, "counting certificates", err);
}

static int pg_cert_count(void *impl, const cert_filter *f, int64_t *count, ct_error *err)
{
    PG_READ(cert_count(db, f, count, err));
}

/* The write is conditioned on the status read, under the write lock; the trigger refuses any
 * change the status table does not allow; PG_WRITE's savepoint makes the whole change one. */
static int cert_set_status(PGconn *db, const char *serial, const char *from, const char *to,
                           int64_t effective_at, int64_t revoked_at, int reason, ct_error *err)
{
    pg_params p = {0};
    PGresult *res;
    int64_t was_effective, changed = 0;
    char kind[16], search_key[1024], status[16];

    pg_param_text(&p, serial);
    res = pg_run(
        db, "SELECT effective_at, kind, search_key, status FROM certificates WHERE serial = $1", &p,
        "reading a certificate", err);
    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return ct_fail(err, 404, "cert.not_found", "không có chứng thư số hiệu %s",
                       "no certificate with serial %s", serial);
    }
    was_effective = pg_get_int(res, 0, 0);
    pg_copy_col(res, 0, 1, kind, sizeof kind);
    pg_copy_col(res, 0, 2, search_key, sizeof search_key);
    pg_copy_col(res, 0, 3, status, sizeof status);
    PQclear(res);
    if (strcmp(status, from) != 0)
        return strcmp(status, CERT_STATUS_REVOKED) == 0
                   ? cert_status_change(serial, status, to, err)
                   : ct_fail(err, 409, "cert.status_changed",
                             "trạng thái chứng thư %s vừa đổi thành \"%s\": hãy tải lại",
                             "certificate %s has just become \"%s\": reload and try again", serial,
                             status);
    p.n = 0;
    pg_param_text(&p, to);
    pg_param_int(&p, effective_at);
    pg_param_int(&p, revoked_at);
    pg_param_int(&p, reason);
    pg_param_text(&p, serial);
    pg_param_text(&p, from);
    if (pg_exec(db,
                "UPDATE certificates SET status = $1, effective_at = $2, revoked_at = $3,"
                " revocation_reason = $4,"
                " changed_seq = (SELECT coalesce(max(changed_seq), 0) + 1 FROM certificates)"
                " WHERE serial = $5 AND status = $6",
                &p, &changed, "changing a certificate's status", err) != 0)
        return pg_is_duplicate(err)
                   ? ct_fail(err, 409, "cert.status",
                             "không được đổi trạng thái chứng thư %s từ \"%s\" sang \"%s\"",
                             "certificate %s may not change from \"%s\" to \"%s\"", serial, from,
                             to)
                   : -1;
    if (changed != 1)
        return ct_fail(err, 409, "cert.status_changed", "trạng thái chứng thư %s vừa thay đổi",
                       "the status of certificate %s has just changed", serial);
    if (strcmp(kind, "subscriber") == 0 && was_effective == 0 && effective_at > 0)
        return directory_add(db, serial, search_key, err);
    return 0;
}

static int pg_cert_set_status(void *impl, const char *serial, const char *from, const char *to,
                              int64_t effective_at, int64_t revoked_at, int reason, ct_error *err)
{
    PG_WRITE(cert_set_status(db, serial, from, to, effective_at, revoked_at, reason, err));
}

static int cert_revoked_walk(PGconn *db, const char *issuer, int64_t now, revoked_visit_fn visit,
                             void *ctx, ct_error *err)
{
    pg_params p = {0};
    PGresult *res;

    pg_param_text(&p, issuer);
    pg_param_int(&p, now);
    res = pg_run(db,
                 "SELECT serial, revoked_at, revocation_reason FROM certificates"
                 " WHERE issuer = $1 AND status IN ('hold', 'revoked') AND not_after > $2"
                 " ORDER BY id",
                 &p, "listing revoked certificates", err);
    if (res == NULL)
        return -1;
    for (int i = 0; i < PQntuples(res); i++)
        if (visit(ctx, PQgetvalue(res, i, 0), pg_get_int(res, i, 1), (int)pg_get_int(res, i, 2)) !=
            0)
            break;
    PQclear(res);
    return 0;
}

static int pg_cert_revoked_walk(void *impl, const char *issuer, int64_t now, revoked_visit_fn visit,
                                void *ctx, ct_error *err)
{
    PG_READ(cert_revoked_walk(db, issuer, now, visit, ctx, err));
}

static int cert_changes(PGconn *db, int64_t since, cert_change_fn visit, void *ctx, int64_t *last,
                        ct_error *err)
{
    pg_params p = {0};
    PGresult *res;

    if (visit == NULL)
        return pg_int_query(db, "SELECT coalesce(max(changed_seq), 0) FROM certificates", NULL,
                            last, "reading certificate changes", err);
    pg_param_int(&p, since);
    res = pg_run(db,
                 "SELECT serial, changed_seq FROM certificates WHERE changed_seq > $1"
                 " ORDER BY changed_seq",
                 &p, "reading certificate changes", err);
    if (res == NULL)
        return -1;
    *last = since;
    for (int i = 0; i < PQntuples(res); i++) {
        *last = pg_get_int(res, i, 1);
        if (visit(ctx, PQgetvalue(res, i, 0)) != 0)
            break;
    }
    PQclear(res);
    return 0;
}

static int pg_cert_changes(void *impl, int64_t since, cert_change_fn visit, void *ctx,
                           int64_t *last, ct_error *err)
{
    PG_READ(cert_changes(db, since, visit, ctx, last, err));
}

/* ---- CRLs ---- */

static int crl_put(PGconn *db, const crl_record *r, ct_error *err)
{
    if (pg_insert_record(db, &crl_table, r, err) == 0)
        return 0;
    if (pg_is_duplicate(err))
        return ct_fail(err, 409, "crl.number_used", "số CRL %lld của %s đã được dùng",
                       "CRL number %lld of %s is already used", (long long)r->number, r->issuer);
    return -1;
}

static int pg_crl_put(void *impl, const crl_record *r, ct_error *err)
{
    PG_WRITE(crl_put(db, r, err));
}

static int crl_latest(PGconn *db, const char *issuer, crl_record *out, ct_error *err)
{
    pg_params p = {0};
    int rc;

    memset(out, 0, sizeof *out);
    pg_param_text(&p, issuer);
    rc = pg_select_one(db, &crl_table, "WHERE issuer = $1 ORDER BY number DESC LIMIT 1", &p, out,
                       err);
    if (rc == 1)
        return ct_fail(err, 404, "crl.none", "chưa có CRL nào của %s",
                       "no CRL of %s has been signed", issuer);
    return rc;
}

static int pg_crl_latest(void *impl, const char *issuer, crl_record *out, ct_error *err)
{
    PG_READ(crl_latest(db, issuer, out, err));
}

static int crl_next_number(PGconn *db, const char *issuer, int64_t *number, ct_error *err)
{
    pg_params p = {0};

    pg_param_text(&p, issuer);
    return pg_int_query(db, "SELECT coalesce(max(number), 0) + 1 FROM crls WHERE issuer = $1", &p,
                        number, "numbering a CRL", err);
}

static int pg_crl_next_number(void *impl, const char *issuer, int64_t *number, ct_error *err)
{
    PG_READ(crl_next_number(db, issuer, number, err));
}

/* ---- the audit trail ---- */

static int audit_last(PGconn *db, int64_t *id, char hash[65], ct_error *err)
{
    PGresult *res = pg_run(db, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", NULL,
                           "reading the audit trail", err);

    if (res == NULL)
        return -1;
    *id = 0;
    hash[0] = '\0';
    if (PQntuples(res) > 0) {
        *id = pg_get_int(res, 0, 0);
        pg_copy_col(res, 0, 1, hash, 65);
    }
    PQclear(res);
    return 0;
}

static int pg_audit_last(void *impl, int64_t *id, char hash[65], ct_error *err)
{
    PG_READ(audit_last(db, id, hash, err));
}

static int audit_append(PGconn *db, audit_entry *e, ct_error *err)
{
    audit_entry row = *e;

    if (row.detail == NULL)
        row.detail = "{}";
    if (pg_insert_record(db, &audit_table, &row, err) == 0)
        return 0;
    /* an audit row is never a duplicate the caller could act on: the id is the chain's next */
    if (pg_is_duplicate(err))
        ct_fail(err, 500, "store.postgresql", "lỗi cơ sở dữ liệu khi ghi nhật ký kiểm toán",
                "database error while writing the audit trail");
    return -1;
}

static int pg_audit_append(void *impl, audit_entry *e, ct_error *err)
{
    PG_WRITE(audit_append(db, e, err));
}

static int audit_walk(PGconn *db, const char *object_prefix, audit_visit_fn visit, void *ctx,
                      ct_error *err)
{
    audit_entry scratch;
    pg_params p = {0};

    if (object_prefix)
        pg_param_text(&p, object_prefix);
    /* the prefix's range, so that the index on object is read from its start (U+10FFFF sorts
     * after every character under the "C" collation) */
    return pg_select_records(db, &audit_table,
                             object_prefix
                                 ? "WHERE object >= $1 AND object < $1 || chr(1114111) ORDER BY id"
                                 : "ORDER BY id",
                             &p, (sq_row_fn)visit, ctx, &scratch, err);
}

static int pg_audit_walk(void *impl, audit_visit_fn visit, void *ctx, ct_error *err)
{
    PG_READ(audit_walk(db, NULL, visit, ctx, err));
}

static int pg_audit_for_object(void *impl, const char *object_prefix, audit_visit_fn visit,
                               void *ctx, ct_error *err)
{
    PG_READ(audit_walk(db, object_prefix, visit, ctx, err));
}

static int pg_checkpoint_append(void *impl, const audit_checkpoint *cp, ct_error *err)
{
    PG_WRITE(pg_insert_record(db, &checkpoint_table, cp, err));
}

static int pg_checkpoint_last(void *impl, audit_checkpoint *out, ct_error *err)
{
    PG_READ(pg_select_one(db, &checkpoint_table, "ORDER BY seq DESC LIMIT 1", NULL, out, err));
}

static int pg_checkpoint_walk(void *impl, checkpoint_visit_fn visit, void *ctx, ct_error *err)
{
    audit_checkpoint scratch;

    PG_READ(pg_select_records(db, &checkpoint_table, "ORDER BY seq", NULL, (sq_row_fn)visit, ctx,
                              &scratch, err));
}

/* ---- the public directory ---- */

/* The words of a folded query: runs of letters and digits (nothing else reaches the tsquery,
 * so no query syntax can be injected). */
#define QUERY_WORDS 32
typedef struct query_words {
    const char *w[QUERY_WORDS];
    size_t len[QUERY_WORDS];
    size_t n;
    size_t pair; /* SOME_PAIRS: the pair (words pair and pair + 1) kept whole */
} query_words;

static int split_words(const char *folded, query_words *q)
{
    q->n = 0;
    for (const char *p = folded; *p;) {
        const char *w;
        while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            p++;
        w = p;
        while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
            p++;
        if (p == w)
            break;
        if (q->n == QUERY_WORDS)
            return -1;
        q->w[q->n] = w;
        q->len[q->n++] = (size_t)(p - w);
    }
    return 0;
}

/* The four forms of a search, tried in turn as on SQLite (see build_query in store_sqlite.c),
 * written as a tsquery over the lexemes of ct_directory_terms: 'nguyen_thi' & 'thi_thu',
 * 'thi_thu' & 'nguyen' & 'ha', 'ha' & 'nguyen', 'ha' & 'nguy':*. */
typedef enum { QUERY_PAIRS, QUERY_SOME_PAIRS, QUERY_WORDS_EXACT, QUERY_PREFIX } query_form;

static int build_query(const query_words *q, query_form form, char *out, size_t size)
{
    size_t len = 0;
    int n;

    out[0] = '\0';
    if (form == QUERY_PAIRS || form == QUERY_SOME_PAIRS) {
        bool covered[QUERY_WORDS] = {false};
        for (size_t i = q->n - 1; i-- > 0;) {
            if (form == QUERY_SOME_PAIRS && i != q->pair)
                continue;
            covered[i] = covered[i + 1] = true;
            n = snprintf(out + len, size - len, "%s'%.*s_%.*s'", len ? " & " : "", (int)q->len[i],
                         q->w[i], (int)q->len[i + 1], q->w[i + 1]);
            if (n < 0 || (size_t)n >= size - len)
                return -1;
            len += (size_t)n;
        }
        for (size_t i = 0; form == QUERY_SOME_PAIRS && i < q->n; i++) {
            if (covered[i])
                continue;
            n = snprintf(out + len, size - len, " & '%.*s'", (int)q->len[i], q->w[i]);
            if (n < 0 || (size_t)n >= size - len)
                return -1;
            len += (size_t)n;
        }
        return 0;
    }
    for (size_t i = 0; i < q->n; i++) {
        n = snprintf(out + len, size - len, "%s'%.*s'%s", i ? " & " : "", (int)q->len[i], q->w[i],
                     form == QUERY_PREFIX && i + 1 == q->n ? ":*" : "");
        if (n < 0 || (size_t)n >= size - len)
            return -1;
        len += (size_t)n;
    }
    return 0;
}

static int directory_any(PGconn *db, const char *match, bool *any, ct_error *err)
{
    pg_params p = {0};
    PGresult *res;

    pg_param_text(&p, match);
    res = pg_run(db, "SELECT 1 FROM directory WHERE terms @@ $1::tsquery LIMIT 1", &p,
                 "searching the directory", err);
    if (res == NULL)
        return -1;
    *any = PQntuples(res) > 0;
    PQclear(res);
    return 0;
}

/*
 * One page of results for a tsquery ("" for the whole directory), newest publication first.
 * Two plans, measured on a million entries (docs/operations.md): walking the directory newest
 * first and testing each entry finds a page of a common form in well under a millisecond, but
 * reads the whole directory when the matches are few and old (an e-mail address: 340 ms);
 * taking the matches from the GIN index and sorting them is as fast for a rare form and takes
 * hundreds of milliseconds for a common one. PostgreSQL picks from its estimate, which a word
 * pair or an address it has no statistics for defeats; so the walk runs under a short timeout
 * (outside a transaction, where a cancelled statement costs nothing else) and a walk that runs
 * out of it has met few matches: the index then gives them (28 ms in all, measured). The timeout
 * leaves a common form's walk a wide margin on a loaded machine: sent to the index, it would
 * take ten times longer.
 */
#define WALK_TIMEOUT_MS 25

static PGresult *page_query(PGconn *db, bool walk, bool bounded, const char *match,
                            const pg_params *p, ct_error *err)
{
    char sql[2048], cols[1024], timeout[64];
    PGresult *res;

    pg_column_list(&cert_table, "c.", cols, sizeof cols);
    if (walk)
        snprintf(sql, sizeof sql,
                 "SELECT %s FROM directory d JOIN certificates c ON c.serial = d.serial%s"
                 " ORDER BY d.pos DESC LIMIT $1 OFFSET $2",
                 cols, match[0] ? " WHERE d.terms @@ $3::tsquery" : "");
    else
        snprintf(sql, sizeof sql,
                 "WITH m AS MATERIALIZED (SELECT pos, serial FROM directory"
                 " WHERE terms @@ $3::tsquery)"
                 " SELECT %s FROM m JOIN certificates c ON c.serial = m.serial"
                 " ORDER BY m.pos DESC LIMIT $1 OFFSET $2",
                 cols);
    if (!bounded)
        return pg_run(db, sql, p, "searching the directory", err);
    snprintf(timeout, sizeof timeout, "SET statement_timeout = %d", WALK_TIMEOUT_MS);
    if (pg_exec(db, timeout, NULL, NULL, "searching the directory", err) != 0)
        return NULL;
    res = pg_run(db, sql, p, "searching the directory", err);
    pg_exec(db, "RESET statement_timeout", NULL, NULL, "searching the directory", NULL);
    return res;
}

static int directory_page(PGconn *db, bool own, const char *match, int64_t limit, int64_t offset,
                          cert_visit_fn visit, void *ctx, bool *has_more, int64_t *seen,
                          ct_error *err)
{
    pg_params p = {0};
    PGresult *res;
    ct_error walk_err;
    int rows;

    *seen = 0;
    *has_more = false;
    pg_param_int(&p, limit + 1);
    pg_param_int(&p, offset);
    if (match[0])
        pg_param_text(&p, match);
    res = page_query(db, true, own && match[0], match, &p, &walk_err);
    if (res == NULL && strcmp(walk_err.code, "store.timeout") == 0)
        res = page_query(db, false, false, match, &p, err);
    else if (res == NULL && err)
        *err = walk_err;
    if (res == NULL)
        return -1;
    rows = PQntuples(res);
    for (int i = 0; i < rows; i++) {
        cert_record rec;
        if (*seen == limit) {
            *has_more = true;
            break;
        }
        (*seen)++;
        pg_read_record(res, i, 0, &cert_table, &rec, false);
        if (visit(ctx, &rec) != 0)
            break;
    }
    PQclear(res);
    return 0;
}

/* As do_directory_search in store_sqlite.c: the first page runs each form until one finds
 * something; a later page asks which form its first page used. */
static int directory_search(PGconn *db, bool own, const char *query, int64_t limit, int64_t offset,
                            cert_visit_fn visit, void *ctx, bool *has_more, ct_error *err)
{
    query_words q;
    char match[2048] = "";
    int64_t seen = 0;
    bool any;

    if (split_words(query ? query : "", &q) != 0)
        return ct_fail(err, 400, "query.too_long", "truy vấn quá dài", "query too long");
    if (q.n == 0)
        return directory_page(db, own, "", limit, offset, visit, ctx, has_more, &seen, err);
    for (query_form f = q.n > 1 ? QUERY_PAIRS : QUERY_WORDS_EXACT;; f++) {
        if (f == QUERY_SOME_PAIRS) {
            any = false;
            for (size_t i = q.n - 1; i-- > 0 && !any && q.n > 2;) {
                q.pair = i;
                if (build_query(&q, f, match, sizeof match) != 0)
                    return ct_fail(err, 400, "query.too_long", "truy vấn quá dài",
                                   "query too long");
                if (directory_any(db, match, &any, err) != 0)
                    return -1;
            }
            if (any)
                break;
            continue;
        }
        if (build_query(&q, f, match, sizeof match) != 0)
            return ct_fail(err, 400, "query.too_long", "truy vấn quá dài", "query too long");
        if (f == QUERY_PREFIX)
            break;
        if (f == QUERY_PAIRS || offset > 0) {
            if (directory_any(db, match, &any, err) != 0)
                return -1;
            if (any)
                break;
            continue;
        }
        if (directory_page(db, own, match, limit, offset, visit, ctx, has_more, &seen, err) != 0)
            return -1;
        if (seen > 0)
            return 0;
    }
    return directory_page(db, own, match, limit, offset, visit, ctx, has_more, &seen, err);
}

static int pg_directory_search(void *impl, const char *query, int64_t limit, int64_t offset,
                               cert_visit_fn visit, void *ctx, bool *has_more, ct_error *err)
{
    pg_use u = pg_acquire(impl);
    int rc = directory_search(u.c->db, u.own, query, limit, offset, visit, ctx, has_more, err);

    pg_release(u);
    return rc;
}

/* GIN keeps new entries in a pending list that every search reads until VACUUM or a full list
 * moves them into the index: this moves them now (both steps are one: the list is short). */
static int directory_merge(PGconn *db, bool *more, ct_error *err)
{
    *more = false;
    return pg_exec(db, "SELECT gin_clean_pending_list('directory_terms'::regclass)", NULL, NULL,
                   "merging the directory index", err);
}

static int pg_directory_merge(void *impl, bool full, bool *more, ct_error *err)
{
    (void)full;
    PG_WRITE(directory_merge(db, more, err));
}

/* ---- several nodes ---- */

/* The lock is the connection's: held while it lives. A node checks its connection each time it
 * asks (one round trip a minute); a node that lost it (the server restarted, the network broke)
 * asks again like any other, so two never lead at once for longer than the server takes to see
 * the old connection gone. */
static int lead_upkeep(pg_store *st, int64_t now, bool *lead, ct_error *err)
{
    char sql[80];
    PGresult *res;

    if (st->lead.db == NULL && connect_one(&st->lead, st->url, err) != 0) {
        PQfinish(st->lead.db);
        st->lead.db = NULL;
        return -1;
    }
    if (st->leading) {
        res = PQexec(st->lead.db, "SELECT 1");
        if (PQresultStatus(res) != PGRES_TUPLES_OK)
            st->leading = false;
        PQclear(res);
    }
    if (!st->leading) {
        if (PQstatus(st->lead.db) != CONNECTION_OK)
            PQreset(st->lead.db);
        snprintf(sql, sizeof sql, "SELECT pg_try_advisory_lock(%lld)", (long long)PG_UPKEEP_LOCK);
        res = PQexec(st->lead.db, sql);
        if (PQresultStatus(res) != PGRES_TUPLES_OK) {
            pg_db_fail(st->lead.db, res, err, "taking the upkeep lock");
            PQclear(res);
            return -1;
        }
        st->leading = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
        PQclear(res);
    }
    *lead = st->leading;
    /* the leader sweeps the rate limits' ended windows */
    if (st->leading) {
        snprintf(sql, sizeof sql, "DELETE FROM rate_limits WHERE window_end <= %lld",
                 (long long)now);
        PQclear(PQexec(st->lead.db, sql));
    }
    return 0;
}

static int pg_lead_upkeep(void *impl, int64_t now, bool *lead, ct_error *err)
{
    pg_store *st = impl;
    int rc;

    pthread_mutex_lock(&st->lead.lock);
    rc = lead_upkeep(st, now, lead, err);
    pthread_mutex_unlock(&st->lead.lock);
    return rc;
}

/* ---- rate limits, counted by every node ---- */

/* ---- a standby ---- */

static int pg_standby(void *impl, bool *standby, ct_error *err)
{
    PG_READ(in_recovery(db, standby, err));
}

static void pg_set_read_only(void *impl, bool on)
{
    atomic_store(&((pg_store *)impl)->read_only, on);
}

static bool pg_read_only(void *impl)
{
    return atomic_load(&((pg_store *)impl)->read_only);
}

static bool pg_limits_shared(void *impl)
{
    (void)impl;
    return true;
}

/* One statement, under the key's row lock: a window that ended opens again; a use is counted
 * while the window holds fewer than max; a refused use changes nothing and reads the end. */
static int limit_take(PGconn *db, const char *key, int max, int64_t now, int64_t window_end,
                      bool *taken, int64_t *until, ct_error *err)
{
    pg_params p = {0};
    PGresult *res;

    pg_param_text(&p, key);
    pg_param_int(&p, window_end);
    pg_param_int(&p, now);
    pg_param_int(&p, max);
    res = pg_run(db,
                 "INSERT INTO rate_limits AS r (key, count, window_end) VALUES ($1, 1, $2)"
                 " ON CONFLICT (key) DO UPDATE SET"
                 " count = CASE WHEN r.window_end <= $3 THEN 1 ELSE r.count + 1 END,"
                 " window_end = CASE WHEN r.window_end <= $3 THEN $2 ELSE r.window_end END"
                 " WHERE r.window_end <= $3 OR r.count < $4 RETURNING window_end",
                 &p, "counting a use", err);
    if (res == NULL)
        return -1;
    *taken = PQntuples(res) == 1;
    PQclear(res);
    *until = 0;
    if (*taken)
        return 0;
    p.n = 1;
    return pg_int_query(db, "SELECT window_end FROM rate_limits WHERE key = $1", &p, until,
                        "counting a use", err);
}

static int pg_limit_take(void *impl, const char *key, int max, int64_t now, int64_t window_end,
                         bool *taken, int64_t *until, ct_error *err)
{
    PG_READ(limit_take(db, key, max, now, window_end, taken, until, err));
}

static int limit_release(PGconn *db, const char *key, bool all, int64_t now, ct_error *err)
{
    pg_params p = {0};

    pg_param_text(&p, key);
    if (all)
        return pg_exec(db, "DELETE FROM rate_limits WHERE key = $1", &p, NULL,
                       "forgetting a rate limit's uses", err);
    pg_param_int(&p, now);
    return pg_exec(db,
                   "UPDATE rate_limits SET count = count - 1"
                   " WHERE key = $1 AND window_end > $2 AND count > 0",
                   &p, NULL, "giving a use back", err);
}

static int pg_limit_release(void *impl, const char *key, bool all, int64_t now, ct_error *err)
{
    PG_READ(limit_release(db, key, all, now, err));
}

static int limit_count(PGconn *db, const char *key, int64_t now, int *count, ct_error *err)
{
    pg_params p = {0};
    int64_t n = 0;

    pg_param_text(&p, key);
    pg_param_int(&p, now);
    if (pg_int_query(db,
                     "SELECT coalesce(max(count), 0) FROM rate_limits"
                     " WHERE key = $1 AND window_end > $2",
                     &p, &n, "reading a rate limit", err) != 0)
        return -1;
    *count = (int)n;
    return 0;
}

static int pg_limit_count(void *impl, const char *key, int64_t now, int *count, ct_error *err)
{
    PG_READ(limit_count(db, key, now, count, err));
}

const store_backend store_pg_backend = {
    .name = "postgresql",
    .close = pg_close,
    .schema_version = pg_schema_version,
    .schema_latest = pg_schema_latest,
    .integrity_check = pg_integrity_check,
    .backup = pg_backup,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .cert_insert = pg_cert_insert,
    .cert_get = pg_cert_get,
    .cert_list = pg_cert_list,
    .cert_count = pg_cert_count,
    .cert_set_status = pg_cert_set_status,
    .cert_revoked_walk = pg_cert_revoked_walk,
    .cert_changes = pg_cert_changes,
    .crl_put = pg_crl_put,
    .crl_latest = pg_crl_latest,
    .crl_next_number = pg_crl_next_number,
    .directory_search = pg_directory_search,
    .directory_merge = pg_directory_merge,
    .agency_insert = pg_agency_insert,
    .agency_get = pg_agency_get,
    .agency_list = pg_agency_list,
    .agency_update = pg_agency_update,
    .dossier_next_seq = pg_dossier_next_seq,
    .dossier_insert = pg_dossier_insert,
    .dossier_get = pg_dossier_get,
    .dossier_update = pg_dossier_update,
    .dossier_list = pg_dossier_list,
    .applicant_insert = pg_applicant_insert,
    .applicant_get = pg_applicant_get,
    .applicant_update = pg_applicant_update,
    .applicant_list = pg_applicant_list,
    .applicant_delete_all = pg_applicant_delete_all,
    .applicant_due_publication = pg_applicant_due_publication,
    .applicant_by_id_number = pg_applicant_by_id_number,
    .applicant_by_cert = pg_applicant_by_cert,
    .applicant_holders = pg_applicant_holders,
    .token_insert = pg_token_insert,
    .token_get = pg_token_get,
    .token_by_cert = pg_token_by_cert,
    .token_update = pg_token_update,
    .token_list = pg_token_list,
    .user_insert = pg_user_insert,
    .user_get = pg_user_get,
    .user_update = pg_user_update,
    .user_list = pg_user_list,
    .user_get_by_os = pg_user_get_by_os,
    .login_failures = pg_login_failures,
    .draft_insert = pg_draft_insert,
    .draft_get = pg_draft_get,
    .draft_update = pg_draft_update,
    .draft_delete = pg_draft_delete,
    .draft_list = pg_draft_list,
    .draft_put_document = pg_draft_put_document,
    .draft_get_document = pg_draft_get_document,
    .session_insert = pg_session_insert,
    .session_get = pg_session_get,
    .session_delete = pg_session_delete,
    .session_delete_user = pg_session_delete_user,
    .audit_for_object = pg_audit_for_object,
    .paper_insert = pg_paper_insert,
    .paper_get = pg_paper_get,
    .claim_insert = pg_claim_insert,
    .claim_get = pg_claim_get,
    .claim_delete = pg_claim_delete,
    .approval_insert = pg_approval_insert,
    .approval_get = pg_approval_get,
    .approval_update = pg_approval_update,
    .approval_list = pg_approval_list,
    .audit_last = pg_audit_last,
    .audit_append = pg_audit_append,
    .audit_walk = pg_audit_walk,
    .checkpoint_append = pg_checkpoint_append,
    .checkpoint_last = pg_checkpoint_last,
    .checkpoint_walk = pg_checkpoint_walk,
    .outbox_next_id = pg_outbox_next_id,
    .outbox_insert = pg_outbox_insert,
    .outbox_get = pg_outbox_get,
    .outbox_mark = pg_outbox_mark,
    .outbox_list = pg_outbox_list,
    .cert_expiring = pg_cert_expiring,
    .expiry_notice_insert = pg_expiry_notice_insert,
    .lead_upkeep = pg_lead_upkeep,
    .limits_shared = pg_limits_shared,
    .standby = pg_standby,
    .set_read_only = pg_set_read_only,
    .read_only = pg_read_only,
    .limit_take = pg_limit_take,
    .limit_release = pg_limit_release,
    .limit_count = pg_limit_count,
};
