/*
 * test_cert_status.c — a revocation is final (DESIGN.md §8): the certificate status table of
 * core/cert_status.c, the use case (app_cert_revoke) on a real instance, and the store's own
 * refusal, which holds even for a write that goes around the application (plain SQL on the
 * database file, as a future code path or a careless repair would).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sqlite3.h>

#include "app/app.h"
#include "core/cert_status.h"

static char home[64];
static app *a;
static const app_actor admin = {"admin", ROLE_CA_ADMIN, "test", NULL};
static const app_actor officer = {"officer", ROLE_CA_OFFICER, "test", NULL};

/* Four eyes is approvals.sh's subject: here one person revokes and changes accounts. */
static int one_person_approvals(const char *dir)
{
    char path[600];
    FILE *f;

    snprintf(path, sizeof path, "%s/chungthu.ini", dir);
    if ((f = fopen(path, "a")) == NULL)
        return -1;
    fputs("\n[approvals]\nrevoke = 1\nuser = 1\n", f);
    return fclose(f);
}

static int setup(void **state)
{
    ct_error err = {0};
    app_init_options opt = {0};
    (void)state;

    snprintf(home, sizeof home, "/tmp/chungthu-status.XXXXXX");
    if (mkdtemp(home) == NULL)
        return -1;
    opt.root_key = "p384";
    opt.issuing_key = "p256";
    if (app_init(home, &opt, &admin, &err) != 0 || one_person_approvals(home) != 0 ||
        app_open(home, &a, &err) != 0) {
        fprintf(stderr, "%s\n", err.en);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;

    app_close(a);
    snprintf(cmd, sizeof cmd, "rm -rf %s", home);
    return system(cmd) == 0 ? 0 : -1;
}

/* Issue one subscriber certificate (on hold when hold) and return its serial. */
static void issue(bool hold, char serial[41])
{
    ct_error err = {0};
    app_cert_request req = {0};
    cert_record rec;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    unsigned char *spki = NULL;
    int len = i2d_PUBKEY(key, &spki);

    assert_true(len > 0);
    req.subject.full_name = "Nguyễn Văn An";
    req.subject.email = "an@example.gov.vn";
    req.subject.province = "Hà Nội";
    req.subject.org = "Bộ Nội vụ";
    req.pubkey = spki;
    req.pubkey_len = (size_t)len;
    req.hold = hold;
    assert_int_equal(app_cert_issue(a, &officer, &req, &rec, &err), 0);
    snprintf(serial, 41, "%s", rec.serial);
    cert_record_free(&rec);
    OPENSSL_free(spki);
    EVP_PKEY_free(key);
}

static void status_of(const char *serial, char out[16])
{
    ct_error err = {0};
    cert_record rec;

    assert_int_equal(app_cert_get(a, &officer, serial, &rec, &err), 0);
    snprintf(out, 16, "%s", rec.status);
    cert_record_free(&rec);
}

static void table(void **state)
{
    ct_error err = {0};
    (void)state;

    assert_true(cert_status_allowed(CERT_STATUS_HOLD, CERT_STATUS_ACTIVE));
    assert_true(cert_status_allowed(CERT_STATUS_HOLD, CERT_STATUS_REVOKED));
    assert_true(cert_status_allowed(CERT_STATUS_ACTIVE, CERT_STATUS_REVOKED));
    /* suspension: a published certificate on hold again */
    assert_true(cert_status_allowed(CERT_STATUS_ACTIVE, CERT_STATUS_HOLD));
    assert_false(cert_status_allowed(CERT_STATUS_HOLD, CERT_STATUS_HOLD));
    const char *all[] = {CERT_STATUS_HOLD, CERT_STATUS_ACTIVE, CERT_STATUS_REVOKED,
                         CERT_STATUS_EXPIRED};
    for (size_t i = 0; i < 4; i++)
        assert_false(cert_status_allowed(CERT_STATUS_REVOKED, all[i]));
    assert_int_equal(cert_status_change("AB", CERT_STATUS_REVOKED, CERT_STATUS_ACTIVE, &err), -1);
    assert_int_equal(err.status, 409);
    assert_string_equal(err.code, "cert.revoked");
}

/* The store refuses to revive a revoked certificate through its interface. */
static void store_refuses_revival(void **state)
{
    ct_error err = {0};
    char serial[41], status[16];
    (void)state;

    issue(true, serial);
    assert_int_equal(app_cert_revoke(a, &officer, serial, "keyCompromise", &err), 0);
    status_of(serial, status);
    assert_string_equal(status, CERT_STATUS_REVOKED);
    /* a second revocation changes nothing and says so */
    assert_int_equal(app_cert_revoke(a, &officer, serial, "superseded", &err), -1);
    assert_string_equal(err.code, "cert.already_revoked");
}

/* Plain SQL on the database file: the triggers refuse any change of a revoked certificate and
 * any change the table does not allow (expired back to active). */
static void database_refuses_revival(void **state)
{
    ct_error err = {0};
    char serial[41], active[41], path[128], sql[256], status[16];
    sqlite3 *db;
    char *msg = NULL;
    (void)state;

    issue(true, serial);
    assert_int_equal(app_cert_revoke(a, &officer, serial, "keyCompromise", &err), 0);
    issue(false, active);
    snprintf(path, sizeof path, "%s/chungthu.db", home);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    const char *attempts[] = {
        "UPDATE certificates SET status = 'active', revoked_at = 0 WHERE serial = ?",
        "UPDATE certificates SET revocation_reason = 0 WHERE serial = ?",
        "UPDATE certificates SET effective_at = 12345 WHERE serial = ?",
    };
    for (size_t i = 0; i < sizeof attempts / sizeof attempts[0]; i++) {
        sqlite3_stmt *stmt;
        assert_int_equal(sqlite3_prepare_v2(db, attempts[i], -1, &stmt, NULL), SQLITE_OK);
        sqlite3_bind_text(stmt, 1, serial, -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(stmt), SQLITE_CONSTRAINT);
        /* either trigger may speak first for a change of status; both refuse */
        assert_true(strstr(sqlite3_errmsg(db), "stays revoked") ||
                    strstr(sqlite3_errmsg(db), "not allowed"));
        sqlite3_finalize(stmt);
    }
    snprintf(sql, sizeof sql, "UPDATE certificates SET status = 'expired' WHERE serial = '%s'",
             active);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    snprintf(sql, sizeof sql, "UPDATE certificates SET status = 'active' WHERE serial = '%s'",
             active);
    assert_int_not_equal(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK);
    assert_non_null(strstr(msg, "not allowed"));
    sqlite3_free(msg);
    sqlite3_close(db);
    status_of(serial, status);
    assert_string_equal(status, CERT_STATUS_REVOKED);
    status_of(active, status);
    assert_string_equal(status, CERT_STATUS_EXPIRED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table),
        cmocka_unit_test(store_refuses_revival),
        cmocka_unit_test(database_refuses_revival),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
