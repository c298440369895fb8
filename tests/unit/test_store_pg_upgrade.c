/*
 * test_store_pg_upgrade.c — a PostgreSQL database made at the baseline schema (version 19, as the
 * first PostgreSQL release made them) with rows in it, then opened by this program: it is
 * migrated to the current version, the rows are all there, and what the later versions added
 * works on them (a dossier's kind defaults to 'new', the token custody states and their trigger,
 * a published certificate suspended, a token and an applicant found by their certificate). And a
 * database at a version newer than the program is refused, with its code, and left as it was.
 * First, while the database is still empty: `store migrate` refuses an SQLite file that is not at
 * the program's version, and writes nothing.
 *
 * It needs a PostgreSQL database (CT_DATABASE_URL, an empty one: tests/with-postgresql.sh, the
 * unit_test_store_pg_upgrade_pg case); run plainly, it is skipped (exit status 77).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store.h"
#include "store/store_pg_internal.h"

static const char *url;

static PGconn *connect_raw(void)
{
    PGconn *db = PQconnectdb(url);

    assert_int_equal(PQstatus(db), CONNECTION_OK);
    return db;
}

static void exec_ok(PGconn *db, const char *sql)
{
    PGresult *res = PQexec(db, sql);
    ExecStatusType st = PQresultStatus(res);

    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(res));
    PQclear(res);
}

static long long int_of(PGconn *db, const char *sql)
{
    PGresult *res = PQexec(db, sql);
    long long v;

    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
        fail_msg("%s: %s", sql, PQresultErrorMessage(res));
    v = atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    return v;
}

/* Rows as version 19's schema holds them, written with its own columns only. */
static void fill_baseline(PGconn *db)
{
    exec_ok(db, "INSERT INTO agencies (code, name, province, head_name, head_title, kind,"
                " created_at) VALUES ('BNV', 'Bộ Nội vụ', 'Hà Nội', 'Trà', 'Bộ trưởng', 'state',"
                " 1000)");
    exec_ok(db, "INSERT INTO dossiers (code, agency, channel, state, day, seq, received_at,"
                " counted_from, confirmed_name, confirmed_title, confirmed_on, created_by,"
                " updated_at) VALUES ('OLD-1', 'BNV', 'direct', 'issued', '2025-06-02', 1, 1000,"
                " '2025-06-02', 'Trà', 'Bộ trưởng', '2025-06-01', 'officer', 1000)");
    exec_ok(db, "INSERT INTO applicants (dossier, n, full_name, birth_date, id_number,"
                " id_issued_on, id_issued_at, email, unit, province, position, category, phone,"
                " state, cert_serial, token_serial, updated_at) VALUES ('OLD-1', 1, 'Nguyễn Thị"
                " Thu Hà', '1985-03-12', '001185012345', '2021-05-10', 'Cục', 'ha@mic.gov.vn',"
                " 'Vụ Pháp chế', 'Hà Nội', 'Chuyên viên', 'cong_chuc', '0912345678', 'published',"
                " 'AA01', 'TK-OLD', 1000)");
    exec_ok(db, "INSERT INTO tokens (serial, label, state, cert_serial, dossier, applicant,"
                " so_pin, updated_at) VALUES ('TK-OLD', 'old', 'with_subscriber', 'AA01', 'OLD-1',"
                " 1, 'sealed', 1000)");
    exec_ok(db, "INSERT INTO certificates (serial, kind, issuer, status, subject, common_name,"
                " sha256, not_before, not_after, created_at, effective_at, der) VALUES ('AA01',"
                " 'subscriber', 'issuing', 'active', 'CN=Ha', 'Nguyễn Thị Thu Hà', 'ab', 1000,"
                " 2000000000, 1000, 1500, '\\x3003020100'::bytea)");
    exec_ok(db, "INSERT INTO audit (id, at, actor, role, source, action, object, detail,"
                " prev_hash, hash) VALUES (1, 1000, 'officer', 'ca_officer', 'cli',"
                " 'dossier.submit', 'OLD-1', '{}', '00', '11')");
}

/* An SQLite store whose file says an older version than the program's (as if its migrations
 * had not run) is not copied: the target stays empty. */
static void migrate_refuses_other_version(void **state)
{
    char dir[] = "/tmp/ct-upgrade.XXXXXX", path[64], cmd[96];
    sqlite3 *raw = NULL;
    store *s = NULL;
    store_copy_report rep;
    ct_error err;
    PGconn *db;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/old.db", dir);
    assert_int_equal(store_open_sqlite(path, &s, &err), 0);
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    snprintf(cmd, sizeof cmd, "PRAGMA user_version = %d", store_schema_latest(s) - 1);
    assert_int_equal(sqlite3_exec(raw, cmd, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);
    assert_int_equal(store_copy_to_postgresql(s, url, &rep, &err), -1);
    assert_string_equal(err.code, "store.migrate_version");
    assert_non_null(strstr(err.en, "open it with this version of chungthu first"));
    store_close(s);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    db = connect_raw();
    assert_int_equal(int_of(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), 0);
    PQfinish(db);
}

static void upgrade_from_baseline(void **state)
{
    PGconn *db = connect_raw();
    ct_error err;
    store *s = NULL;
    dossier_record d;
    applicant_record p;
    token_record t;
    cert_record c;
    int64_t head = 0;
    char hash[65];

    (void)state;
    assert_int_equal(int_of(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), 0);
    assert_int_equal(pg_migrate_to(db, PG_BASELINE, false, &err), 0);
    assert_int_equal(int_of(db, "SELECT max(version) FROM schema_version"), PG_BASELINE);
    /* really the old schema: no dossier kind yet, no custody trigger */
    assert_int_equal(int_of(db, "SELECT count(*) FROM information_schema.columns WHERE"
                                " table_name = 'dossiers' AND column_name = 'kind'"),
                     0);
    assert_int_equal(int_of(db, "SELECT count(*) FROM pg_trigger WHERE tgname = 'tokens_custody'"),
                     0);
    fill_baseline(db);
    PQfinish(db);

    /* opened by this program: migrated */
    assert_int_equal(store_open(url, &s, &err), 0);
    assert_int_equal(store_schema_version(s), store_schema_latest(s));
    assert_true(store_schema_latest(s) > PG_BASELINE);

    /* the rows are there, with the later versions' defaults */
    assert_int_equal(store_dossier_get(s, "OLD-1", &d, &err), 0);
    assert_string_equal(d.kind, "new");
    assert_string_equal(d.request_reason, "");
    assert_int_equal(d.seq, 1);
    assert_int_equal(store_applicant_by_cert(s, "AA01", &p, &err), 0); /* index of 20 */
    assert_string_equal(p.dossier, "OLD-1");
    assert_string_equal(p.state, "published");
    assert_int_equal(store_audit_last(s, &head, hash, &err), 0);
    assert_int_equal(head, 1);
    assert_string_equal(hash, "11");

    /* 21: the token found by its certificate, its custody guarded */
    assert_int_equal(store_token_by_cert(s, "AA01", &t, &err), 0);
    assert_string_equal(t.serial, "TK-OLD");
    snprintf(t.state, sizeof t.state, "lost");
    assert_int_equal(store_token_update(s, &t, &err), 0);
    snprintf(t.state, sizeof t.state, "with_agency");
    assert_int_equal(store_token_update(s, &t, &err), -1);
    assert_string_equal(err.code, "token.custody");

    /* 20 and 22: an old dossier takes a later kind; the published certificate is suspended */
    snprintf(d.kind, sizeof d.kind, "token_lost");
    assert_int_equal(store_dossier_update(s, &d, &err), 0);
    assert_int_equal(store_dossier_get(s, "OLD-1", &d, &err), 0);
    assert_string_equal(d.kind, "token_lost");
    assert_int_equal(store_cert_set_status(s, "AA01", "active", "hold", 1500, 0, -1, &err), 0);
    assert_int_equal(store_cert_get(s, "AA01", &c, &err), 0);
    assert_string_equal(c.status, "hold");
    cert_record_free(&c);
    store_close(s);
}

static void newer_refused(void **state)
{
    PGconn *db = connect_raw();
    ct_error err;
    store *s = NULL;
    char sql[128];
    int latest = PG_BASELINE + (int)pg_migration_count - 1;

    (void)state;
    snprintf(sql, sizeof sql, "UPDATE schema_version SET version = %d", latest + 1);
    exec_ok(db, sql);
    assert_int_equal(store_open(url, &s, &err), -1);
    assert_null(s);
    assert_string_equal(err.code, "store.schema_newer");
    assert_non_null(strstr(err.en, "newer than this program"));
    /* left as it was: not migrated down, nothing dropped */
    assert_int_equal(int_of(db, "SELECT max(version) FROM schema_version"), latest + 1);
    assert_int_equal(int_of(db, "SELECT count(*) FROM dossiers"), 1);
    snprintf(sql, sizeof sql, "UPDATE schema_version SET version = %d", latest);
    exec_ok(db, sql);
    PQfinish(db);
    assert_int_equal(store_open(url, &s, &err), 0);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest cases[] = {
        cmocka_unit_test(migrate_refuses_other_version),
        cmocka_unit_test(upgrade_from_baseline),
        cmocka_unit_test(newer_refused),
    };

    url = getenv("CT_DATABASE_URL");
    if (url == NULL || !store_is_url(url)) {
        printf("skipped: no PostgreSQL database (CT_DATABASE_URL); the "
               "unit_test_store_pg_upgrade_pg case runs it\n");
        return 77;
    }
    return cmocka_run_group_tests_name("postgresql upgrade", cases, NULL, NULL);
}
