/*
 * test_reload.c — a reload (app_reload) on a real instance: which keys of chungthu.ini it puts in
 * force and which keep their running value until a restart (config.c's table), that a use case
 * holding the configuration keeps reading the one it started with, and that a file refused
 * (no parse, a value out of range) changes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"

static char home[64];
static app *a;
static const app_actor admin = {"admin", ROLE_CA_ADMIN, "test", NULL};

static int setup(void **state)
{
    ct_error err = {0};
    app_init_options opt = {0};
    (void)state;

    snprintf(home, sizeof home, "/tmp/chungthu-reload.XXXXXX");
    if (mkdtemp(home) == NULL)
        return -1;
    opt.root_key = "p384";
    opt.issuing_key = "p256";
    if (app_init(home, &opt, &admin, &err) != 0 || app_open(home, &a, &err) != 0) {
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

/* The setting's class in the table; fails the test if there is no such key. */
static bool live(const char *section, const char *name)
{
    app_config cfg;
    config_setting_info s;

    config_defaults(&cfg, "/nowhere");
    for (size_t i = 0; config_setting(i, &cfg, &s); i++)
        if (strcmp(s.section, section) == 0 && strcmp(s.name, name) == 0)
            return s.live;
    fail_msg("no key [%s] %s", section, name);
    return false;
}

/* What is bound at open or at the server's start needs a restart; what every use reads anew is
 * applied on reload. */
static void test_classes(void **state)
{
    static const char *const restart[][2] = {
        {"server", "listen"},         {"server", "trusted_proxies"},
        {"server", "header_timeout"}, {"server", "max_connections"},
        {"database", "backend"},      {"database", "path"},
        {"token", "module"},          {"token", "dir"},
        {"ca", "key_storage"},        {"ca", "hsm_token"},
        {"ca", "hsm_pin_env"},        {"ca", "passphrase_file"},
        {"ca", "passphrase_env"},     {"ca", "issuing_key"},
        {"ca", "issuing_name"},       {"ca", "root_offline"},
        {"profile", "base_url"},      {"profile", "policy_oid"},
    };
    static const char *const applied[][2] = {
        {"office", "cutoff"},
        {"office", "closing"},
        {"office", "name"},
        {"office", "holidays"},
        {"approvals", "revoke"},
        {"approvals", "publish"},
        {"limits", "dossiers_per_agency_day"},
        {"audit", "checkpoint_rows"},
        {"ca", "ocsp_renew_days"},
        {"profile", "max_days"},
    };
    (void)state;

    for (size_t i = 0; i < sizeof restart / sizeof restart[0]; i++)
        if (live(restart[i][0], restart[i][1]))
            fail_msg("[%s] %s should need a restart", restart[i][0], restart[i][1]);
    for (size_t i = 0; i < sizeof applied / sizeof applied[0]; i++)
        if (!live(applied[i][0], applied[i][1]))
            fail_msg("[%s] %s should be applied on reload", applied[i][0], applied[i][1]);
}

/* config_setting_copy copies the one key, nothing beside it. */
static void test_copy_one_key(void **state)
{
    app_config from, to;
    config_setting_info s;
    (void)state;

    config_defaults(&from, "/a");
    config_defaults(&to, "/a");
    snprintf(from.listen, sizeof from.listen, "127.0.0.1:9");
    from.closing_min = 18 * 60;
    for (size_t i = 0; config_setting(i, &from, &s); i++)
        if (strcmp(s.name, "listen") == 0)
            config_setting_copy(i, &to, &from);
    assert_string_equal(to.listen, "127.0.0.1:9");
    assert_int_equal(to.closing_min, 17 * 60);
}

/* Append lines to chungthu.ini (a later value of a key wins). */
static void ini_append(const char *text)
{
    char path[128];
    FILE *f;

    snprintf(path, sizeof path, "%s/chungthu.ini", home);
    f = fopen(path, "a");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void ini_save(const char *to)
{
    char cmd[256];

    snprintf(cmd, sizeof cmd, "cp %s/chungthu.ini %s/%s", home, home, to);
    assert_int_equal(system(cmd), 0);
}

static void ini_restore(const char *from)
{
    char cmd[256];

    snprintf(cmd, sizeof cmd, "cp %s/%s %s/chungthu.ini", home, from, home);
    assert_int_equal(system(cmd), 0);
}

static void test_reload(void **state)
{
    app_reload_report report;
    ct_error err = {0};
    const app_config *before, *held;
    char listen[64];
    (void)state;

    before = app_get_config(a);
    snprintf(listen, sizeof listen, "%s", before->listen);
    assert_int_equal(before->closing_min, 17 * 60);
    assert_int_equal(before->approvals_user, 2);

    /* a use case under way holds the configuration it started with */
    app_config_hold(a);
    app_config_hold(a); /* holds nest */
    ini_save("good.ini");
    ini_append("\n[office]\nclosing = 18:15\nname = Văn phòng mới\n[approvals]\nuser = 1\n"
               "[server]\nlisten = 127.0.0.1:1\n[database]\npath = elsewhere.db\n");
    assert_int_equal(app_reload(a, &report, &err), 0);
    assert_string_equal(report.applied_keys, "[office] closing, [office] name, [approvals] user");
    assert_string_equal(report.restart_keys, "[database] path, [server] listen");
    held = app_get_config(a);
    assert_ptr_equal(held, before);
    assert_int_equal(held->closing_min, 17 * 60);
    app_config_release(a);
    assert_ptr_equal(app_get_config(a), before); /* still held once */
    app_config_release(a);

    /* the next use reads the new configuration: the live keys together, the others as before */
    held = app_get_config(a);
    assert_ptr_not_equal(held, before);
    assert_int_equal(held->closing_min, 18 * 60 + 15);
    assert_string_equal(held->office_name, "Văn phòng mới");
    assert_int_equal(held->approvals_user, 1);
    assert_string_equal(held->listen, listen);
    assert_string_equal(held->db_path, "chungthu.db");
    /* the one replaced is still readable (kept until app_close) */
    assert_int_equal(before->closing_min, 17 * 60);

    /* refused: a file that does not parse, a value out of range; nothing changes */
    ini_save("reloaded.ini");
    ini_append("\n[office]\nclosing = 19:00\n[server\n");
    assert_int_equal(app_reload(a, &report, &err), -1);
    assert_ptr_equal(app_get_config(a), held);
    assert_string_equal(report.applied_keys, "");
    ini_restore("reloaded.ini");
    ini_append("\n[office]\nname = Khác\nopening = 19:00\n");
    ct_error_clear(&err);
    assert_int_equal(app_reload(a, &report, &err), -1);
    assert_string_equal(err.code, "config.invalid");
    assert_ptr_equal(app_get_config(a), held);
    assert_string_equal(app_get_config(a)->office_name, "Văn phòng mới");
    ini_restore("reloaded.ini");
    ini_append("\n[approvals]\nrevoke = 3\n");
    ct_error_clear(&err);
    assert_int_equal(app_reload(a, &report, &err), -1);
    assert_ptr_equal(app_get_config(a), held);

    /* the file as it was: the live keys back, nothing named for a restart */
    ini_restore("good.ini");
    ct_error_clear(&err);
    assert_int_equal(app_reload(a, &report, &err), 0);
    assert_string_equal(report.restart_keys, "");
    assert_int_equal(app_get_config(a)->closing_min, 17 * 60);
    assert_int_equal(app_get_config(a)->approvals_user, 2);
    ct_error_clear(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classes),
        cmocka_unit_test(test_copy_one_key),
        cmocka_unit_test(test_reload),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
