/*
 * test_cert_batch.c — bulk issuance (app_cert_issue_many) on a real instance: certificates are
 * stored a whole transaction at a time or not at all, the error of a failing request names that
 * request and what was stored before it, and the certificates signed on several threads, through
 * a ring of slots reused many times over, are all there, distinct, each one's own, and listed
 * in order in one audit row a transaction. A process killed in the middle of a bulk issuance
 * (SIGKILL at a chosen write, through tests/crash/crash_vfs.c) leaves whole transactions only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <openssl/x509.h>

#include "app/app.h"

#define BATCH 64
#define CHUNK 16   /* four transactions a call; the ring of two chunks is reused twice over */
#define KILLED 160 /* requests of the call that is killed: ten transactions */

static char home[64];
static app *a;
static unsigned char *spki;
static size_t spki_len;
static const app_actor admin = {"admin", ROLE_CA_ADMIN, "test", NULL};
static const app_actor officer = {"officer", ROLE_CA_OFFICER, "test", NULL};

static int setup(void **state)
{
    ct_error err = {0};
    app_init_options opt = {0};
    EVP_PKEY *key = EVP_EC_gen("P-256");
    int len;
    (void)state;

    snprintf(home, sizeof home, "/tmp/chungthu-batch.XXXXXX");
    if (mkdtemp(home) == NULL || key == NULL)
        return -1;
    opt.root_key = "p384";
    opt.issuing_key = "p256";
    if (app_init(home, &opt, &admin, &err) != 0 || app_open(home, &a, &err) != 0) {
        fprintf(stderr, "%s\n", err.en);
        return -1;
    }
    len = i2d_PUBKEY(key, &spki);
    EVP_PKEY_free(key);
    if (len <= 0)
        return -1;
    spki_len = (size_t)len;
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;

    app_close(a);
    OPENSSL_free(spki);
    snprintf(cmd, sizeof cmd, "rm -rf %s", home);
    return system(cmd) == 0 ? 0 : -1;
}

static int count_one(void *ctx, const cert_record *c)
{
    (void)c;
    ++*(int *)ctx;
    return 0;
}

static int subscribers(void)
{
    cert_filter f = {NULL, "subscriber", NULL, 100000, 0};
    ct_error err = {0};
    int n = 0;

    assert_int_equal(app_cert_list(a, &officer, &f, count_one, &n, &err), 0);
    return n;
}

static void fill(app_cert_request *reqs, char (*emails)[64], size_t n)
{
    memset(reqs, 0, n * sizeof *reqs);
    for (size_t i = 0; i < n; i++) {
        snprintf(emails[i], 64, "nguoi%zu@mic.gov.vn", i);
        reqs[i].subject.full_name = "Nguyễn Thị Thu Hà";
        reqs[i].subject.email = emails[i];
        reqs[i].subject.province = "Hà Nội";
        reqs[i].subject.org = "Bộ Khoa học và Công nghệ";
        reqs[i].pubkey = spki;
        reqs[i].pubkey_len = spki_len;
        reqs[i].hold = true;
    }
}

/* One bad request in the middle: the transactions before its own are stored, its own and the
 * rest are not, and the error names it and says how many were stored. */
static void test_a_bad_request_stops_the_batch(void **state)
{
    app_cert_request reqs[BATCH];
    char emails[BATCH][64];
    ct_error err = {0};
    app_issue_options whole = {2, BATCH}, chunked = {2, CHUNK};
    size_t stored = 99;
    int before = subscribers();
    (void)state;

    fill(reqs, emails, BATCH);
    reqs[41].subject.email = "not an e-mail address";
    assert_int_equal(app_cert_issue_many(a, &officer, reqs, BATCH, &whole, NULL, &stored, &err),
                     -1);
    assert_non_null(strstr(err.en, "request 42: "));
    assert_non_null(strstr(err.vi, "yêu cầu 42: "));
    assert_int_equal(stored, 0);
    assert_int_equal(subscribers(), before);

    memset(&err, 0, sizeof err);
    assert_int_equal(app_cert_issue_many(a, &officer, reqs, BATCH, &chunked, NULL, &stored, &err),
                     -1);
    assert_string_equal(err.code, "email.invalid");
    assert_non_null(strstr(err.en, "request 42 (32 certificates stored before it): "));
    assert_int_equal(stored, 32);
    assert_int_equal(subscribers(), before + 32);
}

/* Two threads sign, one stores, four transactions: every certificate is there once, each with its
 * own serial, and each is the one the request asked for. */
static void test_a_batch_on_two_threads(void **state)
{
    app_cert_request reqs[BATCH];
    char emails[BATCH][64];
    char serials[BATCH][41];
    ct_error err = {0};
    app_issue_options opt = {2, CHUNK};
    size_t stored = 0;
    int before = subscribers();
    (void)state;

    fill(reqs, emails, BATCH);
    assert_int_equal(app_cert_issue_many(a, &officer, reqs, BATCH, &opt, serials, &stored, &err),
                     0);
    assert_int_equal(stored, BATCH);
    assert_int_equal(subscribers(), before + BATCH);
    for (size_t i = 0; i < BATCH; i++) {
        cert_record c;
        /* 16 bytes drawn for the batch at once: positive, first octet non-zero, all distinct */
        assert_int_equal(strlen(serials[i]), 32);
        assert_non_null(strchr("01234567", serials[i][0]));
        assert_false(serials[i][0] == '0' && serials[i][1] == '0');
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(serials[i], serials[j]);
        assert_int_equal(app_cert_get(a, &officer, serials[i], &c, &err), 0);
        assert_string_equal(c.email, emails[i]);
        assert_string_equal(c.status, "hold");
        cert_record_free(&c);
    }
    /* One audit row a transaction lists its certificates, serial and fingerprint, in order;
     * the chain holds. */
    {
        char path[96];
        sqlite3 *db;
        sqlite3_stmt *stmt;
        app_audit_report report = {0};
        size_t i = 0;
        snprintf(path, sizeof path, "%s/chungthu.db", home);
        assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db,
                                            "SELECT detail FROM (SELECT id, detail FROM audit"
                                            " WHERE action = 'cert.issue_batch' ORDER BY id DESC"
                                            " LIMIT 4) ORDER BY id",
                                            -1, &stmt, NULL),
                         SQLITE_OK);
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            json_t *detail = json_loads((const char *)sqlite3_column_text(stmt, 0), 0, NULL);
            json_t *list = json_object_get(detail, "certificates");
            assert_non_null(detail);
            assert_int_equal(json_integer_value(json_object_get(detail, "count")), CHUNK);
            assert_int_equal(json_array_size(list), CHUNK);
            for (size_t k = 0; k < CHUNK; k++, i++) {
                cert_record c;
                json_t *pair = json_array_get(list, k);
                assert_string_equal(json_string_value(json_array_get(pair, 0)), serials[i]);
                assert_int_equal(app_cert_get(a, &officer, serials[i], &c, &err), 0);
                assert_string_equal(json_string_value(json_array_get(pair, 1)), c.sha256);
                cert_record_free(&c);
            }
            json_decref(detail);
        }
        sqlite3_finalize(stmt);
        sqlite3_close(db);
        assert_int_equal(i, BATCH);
        assert_int_equal(app_audit_verify(a, &officer, &report, &err), 0);
        assert_int_equal(report.first_bad_id, 0);
    }
}

static int count_rows(const char *sql)
{
    char path[96];
    sqlite3 *db;
    sqlite3_stmt *stmt;
    int n;

    snprintf(path, sizeof path, "%s/chungthu.db", home);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    n = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
}

/* Issue KILLED certificates in a child process whose SQLite writes go through the crash VFS,
 * killed just before its write number `at` (0: never); its number of writes is left in
 * count_path when it exits. Returns the child's wait status. */
static int issue_in_child(long at, const char *count_path)
{
    pid_t pid;
    int status;

    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        static app_cert_request reqs[KILLED];
        static char emails[KILLED][64];
        app *child;
        ct_error err = {0};
        app_issue_options opt = {2, CHUNK};
        char text[32];

        snprintf(text, sizeof text, "%ld", at);
        setenv("CT_CRASH_AT", text, 1);
        setenv("CT_CRASH_COUNT", count_path, 1);
        if (getenv("CT_CRASH_VFS") == NULL || dlopen(getenv("CT_CRASH_VFS"), RTLD_NOW) == NULL)
            _exit(3);
        if (app_open(home, &child, &err) != 0)
            _exit(4);
        fill(reqs, emails, KILLED);
        if (app_cert_issue_many(child, &officer, reqs, KILLED, &opt, NULL, NULL, &err) != 0)
            _exit(5);
        app_close(child);
        exit(0); /* not _exit: the VFS writes its count when the process exits */
    }
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

/* What a killed bulk issuance leaves: whole transactions, each certificate named by its
 * transaction's audit row, an intact audit chain and database. Returns the certificates added. */
static int whole_transactions(int certs_before, int batches_before)
{
    ct_error err = {0};
    app_audit_report report = {0};
    int added, batches;

    assert_int_equal(app_open(home, &a, &err), 0);
    added = subscribers() - certs_before;
    batches =
        count_rows("SELECT count(*) FROM audit WHERE action = 'cert.issue_batch'") - batches_before;
    assert_int_equal(added % CHUNK, 0);
    assert_int_equal(batches, added / CHUNK);
    assert_int_equal(count_rows("SELECT count(*) FROM certificates c WHERE kind = 'subscriber'"
                                " AND NOT EXISTS (SELECT 1 FROM audit WHERE action ="
                                " 'cert.issue_batch' AND instr(detail, c.serial) > 0)"),
                     0);
    assert_int_equal(count_rows("SELECT count(*) FROM pragma_integrity_check WHERE"
                                " integrity_check <> 'ok'"),
                     0);
    assert_int_equal(app_audit_verify(a, &officer, &report, &err), 0);
    assert_int_equal(report.first_bad_id, 0);
    return added;
}

/* Killed at a quarter, a half and three quarters of its writes: whole transactions only. */
static void test_killed_midway(void **state)
{
    char count_path[96];
    FILE *f;
    long writes = 0;
    int status, certs, batches, added[3];
    (void)state;

    snprintf(count_path, sizeof count_path, "%s/writes", home);
    certs = subscribers();
    batches = count_rows("SELECT count(*) FROM audit WHERE action = 'cert.issue_batch'");
    app_close(a); /* the child opens its own; nothing of ours crosses the fork */
    status = issue_in_child(0, count_path);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(whole_transactions(certs, batches), KILLED);
    f = fopen(count_path, "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%ld", &writes), 1);
    fclose(f);
    assert_true(writes > 40);
    for (int k = 1; k <= 3; k++) {
        certs = subscribers();
        batches = count_rows("SELECT count(*) FROM audit WHERE action = 'cert.issue_batch'");
        app_close(a);
        status = issue_in_child(writes * k / 4, count_path);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        added[k - 1] = whole_transactions(certs, batches);
        print_message("killed at write %ld of %ld: %d of %d certificates stored\n",
                      writes * k / 4, writes, added[k - 1], KILLED);
    }
    /* killed mid-way indeed: some transactions stored, not all */
    assert_true(added[0] < KILLED && added[2] > 0);
}

/* Only the CA issues. */
static void test_only_the_ca(void **state)
{
    app_cert_request reqs[2];
    char emails[2][64];
    ct_error err = {0};
    app_actor clerk = {"clerk", ROLE_AGENCY_CLERK, "test", "MIN"};
    (void)state;

    fill(reqs, emails, 2);
    assert_int_equal(app_cert_issue_many(a, &clerk, reqs, 2, NULL, NULL, NULL, &err), -1);
    assert_string_equal(err.code, "role.forbidden");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_bad_request_stops_the_batch),
        cmocka_unit_test(test_a_batch_on_two_threads),
        cmocka_unit_test(test_killed_midway),
        cmocka_unit_test(test_only_the_ca),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
