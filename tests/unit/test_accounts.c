/*
 * test_accounts.c — accounts and sessions: Argon2id passwords, login, session tokens stored
 * hashed, lock-out after repeated failures (per name and address, answered as a wrong
 * password), attempts counted before the password is checked (40 parallel guesses), disabled
 * accounts and password changes ending sessions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"

static char home[64];
static app *a;
static const app_actor admin = {"admin", ROLE_CA_ADMIN, "test", NULL};

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
    app_user_input officer = {"canbo.a", "Cán bộ A", "ca_officer", NULL, "mật khẩu đủ dài 1", NULL};
    (void)state;

    snprintf(home, sizeof home, "/tmp/chungthu-accounts.XXXXXX");
    if (mkdtemp(home) == NULL)
        return -1;
    opt.root_key = "p384";
    opt.issuing_key = "p256";
    if (app_init(home, &opt, &admin, &err) != 0 || one_person_approvals(home) != 0 ||
        app_open(home, &a, &err) != 0 || app_user_add(a, &admin, &officer, &err) != 0) {
        fprintf(stderr, "%s\n", err.en);
        return -1;
    }
    return 0;
}

/* One number from the instance's database, through the sqlite3 shell. */
static long long db_number(const char *sql)
{
    char cmd[512], out[64] = "";
    FILE *p;

    snprintf(cmd, sizeof cmd, "sqlite3 %s/chungthu.db \"%s\"", home, sql);
    p = popen(cmd, "r");
    if (p == NULL || fgets(out, sizeof out, p) == NULL)
        out[0] = '\0';
    if (p)
        pclose(p);
    return out[0] ? atoll(out) : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;

    app_close(a);
    snprintf(cmd, sizeof cmd, "rm -rf %s", home);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_refused_accounts(void **state)
{
    ct_error err = {0};
    app_user_input in = {"ab", "x", "ca_officer", NULL, "long enough pw", NULL};
    const app_actor officer = {"o", ROLE_CA_OFFICER, "test", NULL};
    (void)state;

    assert_int_equal(app_user_add(a, &admin, &in, &err), -1);
    assert_string_equal(err.code, "user.name_invalid");
    in.username = "canbo.b";
    in.password = "short";
    assert_int_equal(app_user_add(a, &admin, &in, &err), -1);
    assert_string_equal(err.code, "user.password_weak");
    in.password = "long enough pw";
    in.role = "emperor";
    assert_int_equal(app_user_add(a, &admin, &in, &err), -1);
    assert_string_equal(err.code, "role.unknown");
    in.role = "agency_clerk";
    assert_int_equal(app_user_add(a, &admin, &in, &err), -1);
    assert_string_equal(err.code, "user.agency_missing");
    in.role = "ca_officer";
    assert_int_equal(app_user_add(a, &officer, &in, &err), -1);
    assert_string_equal(err.code, "role.forbidden");
    in.username = "canbo.a";
    assert_int_equal(app_user_add(a, &admin, &in, &err), -1);
    assert_string_equal(err.code, "user.exists");
}

static int find_hash(void *ctx, const user_record *u)
{
    if (strcmp(u->username, "canbo.a") == 0)
        *(int *)ctx = u->password_hash[0] != '\0';
    return 0;
}

static void test_login_and_sessions(void **state)
{
    ct_error err = {0};
    app_session s, resolved;
    int leaked = -1;
    char cmd[256], out[256];
    FILE *p;
    (void)state;

    assert_int_equal(app_login(a, "canbo.a", "sai mật khẩu", "test", &s, &err), -1);
    assert_string_equal(err.code, "auth.failed");
    assert_int_equal(app_login(a, "nobody", "whatever pw", "test", &s, &err), -1);
    assert_string_equal(err.code, "auth.failed"); /* same answer: names are not revealed */
    assert_int_equal(app_login(a, "canbo.a", "mật khẩu đủ dài 1", "test", &s, &err), 0);
    assert_int_equal(strlen(s.token), 64);
    assert_int_equal(s.role, ROLE_CA_OFFICER);
    assert_int_equal(app_session_resolve(a, s.token, &resolved, &err), 0);
    assert_string_equal(resolved.username, "canbo.a");
    /* the database holds the Argon2id hash and the token's SHA-256, never the secrets */
    snprintf(cmd, sizeof cmd,
             "sqlite3 %s/chungthu.db \"select password_hash from users where "
             "username='canbo.a'\"",
             home);
    p = popen(cmd, "r");
    assert_non_null(fgets(out, sizeof out, p));
    pclose(p);
    assert_non_null(strstr(out, "$argon2id$"));
    snprintf(cmd, sizeof cmd,
             "sqlite3 %s/chungthu.db \"select count(*) from sessions where "
             "token_hash='%s'\"",
             home, s.token);
    p = popen(cmd, "r");
    assert_non_null(fgets(out, sizeof out, p));
    pclose(p);
    assert_string_equal(out, "0\n");
    /* listings never carry the hash */
    assert_int_equal(app_user_list(a, &admin, find_hash, &leaked, &err), 0);
    assert_int_equal(leaked, 0);
    /* garbage and unknown tokens */
    assert_int_equal(app_session_resolve(a, "not-a-token", &resolved, &err), -1);
    assert_string_equal(err.code, "session.invalid");
    assert_int_equal(app_logout(a, s.token, &err), 0);
    assert_int_equal(app_session_resolve(a, s.token, &resolved, &err), -1);
    assert_string_equal(err.code, "session.invalid");
}

static void test_lockout_and_disable(void **state)
{
    ct_error err = {0};
    app_session s, s2;
    app_user_input clerk = {"khoa.thu", NULL, "ca_officer", NULL, "mật khẩu đủ dài 2", NULL};
    (void)state;

    assert_int_equal(app_user_add(a, &admin, &clerk, &err), 0);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(app_login(a, "khoa.thu", "sai sai sai sai", "192.0.2.66", &s, &err), -1);
        assert_string_equal(err.code, "auth.failed");
    }
    /* locked from that address, even with the right password, and answered exactly as a wrong
     * password is: nothing tells the guesser the name exists */
    assert_int_equal(app_login(a, "khoa.thu", "mật khẩu đủ dài 2", "192.0.2.66", &s, &err), -1);
    assert_string_equal(err.code, "auth.failed");
    assert_int_equal(err.status, 401);
    /* a name that does not exist behaves the same, the sixth try included */
    for (int i = 0; i < 6; i++) {
        assert_int_equal(app_login(a, "khong.ton.tai", "sai sai sai sai", "192.0.2.66", &s, &err),
                         -1);
        assert_string_equal(err.code, "auth.failed");
        assert_int_equal(err.status, 401);
    }
    /* the owner, from their own address, is not locked out by the guesser */
    assert_int_equal(app_login(a, "khoa.thu", "mật khẩu đủ dài 2", "192.0.2.67", &s, &err), 0);
    assert_int_equal(app_logout(a, s.token, &err), 0);

    assert_int_equal(app_login(a, "canbo.a", "mật khẩu đủ dài 1", "test", &s, &err), 0);
    assert_int_equal(app_login(a, "canbo.a", "mật khẩu đủ dài 1", "test", &s2, &err), 0);
    assert_int_equal(app_user_disable(a, &admin, "canbo.a", &err), 0);
    /* a disabled user's sessions end at once, all of them, and no new one opens */
    assert_int_equal(app_session_resolve(a, s.token, &s, &err), -1);
    assert_string_equal(err.code, "session.invalid");
    assert_int_equal(db_number("select count(*) from sessions where username='canbo.a'"), 0);
    assert_int_equal(app_login(a, "canbo.a", "mật khẩu đủ dài 1", "test", &s, &err), -1);
    assert_string_equal(err.code, "auth.disabled");
}

typedef struct guess {
    const char *name;
    const char *source;
    int rc;
    char code[64];
} guess;

static void *try_guess(void *arg)
{
    guess *g = arg;
    app_session s;
    ct_error err = {0};

    g->rc = app_login(a, g->name, "một đoán sai nữa", g->source, &s, &err);
    snprintf(g->code, sizeof g->code, "%s", err.code);
    return NULL;
}

/* 40 guesses at once: each is counted before its password is checked, so no more are checked
 * than the limit allows, however they interleave (the audit trail has a row per check). */
static void test_parallel_guesses(void **state)
{
    ct_error err = {0};
    app_user_input u = {"song.song", NULL, "auditor", NULL, "mật khẩu đủ dài 4", NULL};
    pthread_t threads[40];
    guess guesses[40];
    char names[40][32];
    (void)state;

    assert_int_equal(app_user_add(a, &admin, &u, &err), 0);
    for (int i = 0; i < 40; i++) {
        guesses[i] = (guess){"song.song", "192.0.2.90", 0, ""};
        assert_int_equal(pthread_create(&threads[i], NULL, try_guess, &guesses[i]), 0);
    }
    for (int i = 0; i < 40; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(guesses[i].rc, -1);
        /* past the twentieth, the address itself is stopped */
        assert_true(strcmp(guesses[i].code, "auth.failed") == 0 ||
                    strcmp(guesses[i].code, "auth.rate_limited") == 0);
    }
    assert_int_equal(db_number("select count(*) from audit where action='auth.login_failed' "
                               "and object='song.song'"),
                     5);
    /* one address, forty names: the address limit (20) holds the same way */
    for (int i = 0; i < 40; i++) {
        snprintf(names[i], sizeof names[i], "ten.%d", i);
        guesses[i] = (guess){names[i], "192.0.2.91", 0, ""};
        assert_int_equal(pthread_create(&threads[i], NULL, try_guess, &guesses[i]), 0);
    }
    for (int i = 0; i < 40; i++)
        pthread_join(threads[i], NULL);
    assert_int_equal(db_number("select count(*) from audit where action='auth.login_failed' "
                               "and source='192.0.2.91'"),
                     20);
}

/* Many accounts tried from one address: the address is stopped, before any password is
 * checked; another address is not. */
static void test_one_address_many_accounts(void **state)
{
    ct_error err = {0};
    app_session s;
    app_user_input user = {"nhieu.noi", NULL, "auditor", NULL, "mật khẩu đủ dài 3", NULL};
    char name[32];
    (void)state;

    assert_int_equal(app_user_add(a, &admin, &user, &err), 0);
    for (int i = 0; i < 20; i++) {
        snprintf(name, sizeof name, "khong.co.%d", i);
        assert_int_equal(app_login(a, name, "thử mật khẩu chung", "192.0.2.7", &s, &err), -1);
        assert_string_equal(err.code, "auth.failed");
    }
    assert_int_equal(app_login(a, "nhieu.noi", "mật khẩu đủ dài 3", "192.0.2.7", &s, &err), -1);
    assert_string_equal(err.code, "auth.rate_limited");
    assert_int_equal(err.status, 429);
    assert_int_equal(app_login(a, "nhieu.noi", "mật khẩu đủ dài 3", "192.0.2.8", &s, &err), 0);
    assert_int_equal(app_logout(a, s.token, &err), 0);
}

static void test_password_change(void **state)
{
    ct_error err = {0};
    app_session s;
    app_user_input u = {"doi.mk", NULL, "auditor", NULL, "mật khẩu cũ dài", NULL};
    app_session other, resolved;
    (void)state;

    assert_int_equal(app_user_add(a, &admin, &u, &err), 0);
    assert_int_equal(app_login(a, "doi.mk", "mật khẩu cũ dài", "test", &other, &err), 0);
    assert_int_equal(app_login(a, "doi.mk", "mật khẩu cũ dài", "test", &s, &err), 0);
    assert_int_equal(app_password_change(a, &s, "sai", "mật khẩu mới dài", &err), -1);
    assert_string_equal(err.code, "auth.failed");
    assert_int_equal(app_password_change(a, &s, "mật khẩu cũ dài", "ngắn", &err), -1);
    assert_string_equal(err.code, "user.password_weak");
    assert_int_equal(app_password_change(a, &s, "mật khẩu cũ dài", "mật khẩu mới dài", &err), 0);
    /* the other session (whoever knew the old password) has ended; the one that changed it
     * goes on */
    assert_int_equal(app_session_resolve(a, other.token, &resolved, &err), -1);
    assert_string_equal(err.code, "session.invalid");
    assert_int_equal(app_session_resolve(a, s.token, &resolved, &err), 0);
    assert_int_equal(app_login(a, "doi.mk", "mật khẩu cũ dài", "test", &s, &err), -1);
    assert_int_equal(app_login(a, "doi.mk", "mật khẩu mới dài", "test", &s, &err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_accounts),
        cmocka_unit_test(test_login_and_sessions),
        cmocka_unit_test(test_lockout_and_disable),
        cmocka_unit_test(test_one_address_many_accounts),
        cmocka_unit_test(test_password_change),
        cmocka_unit_test(test_parallel_guesses),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
