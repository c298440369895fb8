/*
 * test_app_roles.c — the role and agency checks of src/app, on a real instance (SQLite file,
 * file CA keys): every use case refuses the roles it must, and an agency sees and acts on only
 * its own dossiers and its sub-units'.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"

static char home[64];
static app *a;
static char dossier_a[64];

static const app_actor admin = {"admin", ROLE_CA_ADMIN, "test", NULL};
static const app_actor officer = {"officer", ROLE_CA_OFFICER, "test", NULL};
static const app_actor auditor = {"auditor", ROLE_AUDITOR, "test", NULL};
static const app_actor clerk_a = {"clerk.a", ROLE_AGENCY_CLERK, "test", "MIN.A"};
static const app_actor head_a = {"head.a", ROLE_AGENCY_HEAD, "test", "MIN"};
static const app_actor clerk_b = {"clerk.b", ROLE_AGENCY_CLERK, "test", "OTHER"};

static const char list[] =
    "1,Nguyễn Văn An,01/02/1980,001080000001,01/01/2021,Cục CS,an@x.gov.vn,Vụ A,Hà Nội,"
    "Chuyên viên,Công chức,0912000001,\n";

static int setup(void **state)
{
    ct_error err = {0};
    app_init_options opt = {0};
    app_agency_input min = {"MIN", "Bộ Thử nghiệm", NULL,    "Hà Nội",
                            "A",   "Bộ trưởng",     "state", NULL};
    app_agency_input unit = {"MIN.A", "Vụ A", "MIN", "Hà Nội", "B", "Vụ trưởng", "state", NULL};
    app_agency_input other = {"OTHER", "Bộ Khác", NULL, "Huế", "C", "Bộ trưởng", "state", NULL};
    app_submission sub = {0};
    dossier_record d;
    (void)state;

    snprintf(home, sizeof home, "/tmp/chungthu-roles.XXXXXX");
    if (mkdtemp(home) == NULL)
        return -1;
    opt.root_key = "p384";
    opt.issuing_key = "p256";
    if (app_init(home, &opt, &admin, &err) != 0 || app_open(home, &a, &err) != 0 ||
        app_agency_add(a, &admin, &min, NULL, &err) != 0 ||
        app_agency_add(a, &admin, &unit, NULL, &err) != 0 ||
        app_agency_add(a, &admin, &other, NULL, &err) != 0) {
        fprintf(stderr, "%s\n", err.en);
        return -1;
    }
    sub.agency = "MIN.A";
    sub.channel = "postal";
    sub.format = "csv";
    sub.data = (const unsigned char *)list;
    sub.len = sizeof list - 1;
    sub.confirmed_by = "B, Vụ trưởng";
    if (app_dossier_submit(a, &officer, &sub, &d, NULL, &err) != 0) {
        fprintf(stderr, "%s\n", err.en);
        return -1;
    }
    snprintf(dossier_a, sizeof dossier_a, "%s", d.code);
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

static void assert_refused(int rc, const ct_error *err, const char *code)
{
    assert_int_equal(rc, -1);
    assert_string_equal(err->code, code);
}

static int count_dossier(void *ctx, const dossier_record *d)
{
    (void)d;
    (*(int *)ctx)++;
    return 0;
}

static void test_intake_roles(void **state)
{
    ct_error err = {0};
    app_submission sub = {0};
    app_agency_input x = {"X", "X", NULL, "Huế", "A", "B", "state", NULL};
    (void)state;

    sub.agency = "MIN.A";
    sub.channel = "direct";
    sub.format = "csv";
    sub.data = (const unsigned char *)list;
    sub.len = sizeof list - 1;
    sub.confirmed_by = "B, Vụ trưởng";
    /* agencies submit online, through a draft only (its letter, its head's confirmation); the
     * CA records the other channels, and no one records an "online" dossier directly */
    assert_refused(app_dossier_submit(a, &clerk_a, &sub, NULL, NULL, &err), &err,
                   "dossier.draft_required");
    assert_int_equal(err.status, 403);
    sub.channel = "online";
    assert_refused(app_dossier_submit(a, &clerk_a, &sub, NULL, NULL, &err), &err,
                   "dossier.draft_required");
    assert_refused(app_dossier_submit(a, &head_a, &sub, NULL, NULL, &err), &err,
                   "dossier.draft_required");
    assert_refused(app_dossier_submit(a, &officer, &sub, NULL, NULL, &err), &err,
                   "dossier.channel");
    assert_refused(app_dossier_submit(a, &auditor, &sub, NULL, NULL, &err), &err, "role.forbidden");
    /* an agency opens drafts for itself (and its sub-units) only */
    assert_refused(app_draft_create(a, &clerk_b, "MIN.A", "x", NULL, &err), &err,
                   "agency.forbidden");
    assert_refused(app_agency_add(a, &clerk_a, &x, NULL, &err), &err, "role.forbidden");
    assert_refused(app_agency_add(a, &auditor, &x, NULL, &err), &err, "role.forbidden");
}

static void test_agency_isolation(void **state)
{
    ct_error err = {0};
    dossier_record d;
    int seen = 0;
    (void)state;

    assert_int_equal(app_dossier_get(a, &clerk_a, dossier_a, &d, &err), 0);
    /* the ministry's head sees its unit's dossier */
    assert_int_equal(app_dossier_get(a, &head_a, dossier_a, &d, &err), 0);
    /* another agency does not even learn it exists */
    assert_refused(app_dossier_get(a, &clerk_b, dossier_a, &d, &err), &err, "dossier.not_found");
    assert_refused(app_dossier_step(a, &clerk_b, dossier_a, ACT_WITHDRAW, NULL, &err), &err,
                   "dossier.not_found");
    assert_int_equal(app_dossier_list(a, &clerk_b, NULL, count_dossier, &seen, &err), 0);
    assert_int_equal(seen, 0);
    assert_int_equal(app_dossier_list(a, &clerk_a, NULL, count_dossier, &seen, &err), 0);
    assert_true(seen >= 1);
    /* the auditor reads everything */
    assert_int_equal(app_dossier_get(a, &auditor, dossier_a, &d, &err), 0);
}

static void test_steps_by_role(void **state)
{
    ct_error err = {0};
    app_step_args reason = {0};
    (void)state;

    reason.reason = "thiếu giấy tờ";
    assert_refused(app_dossier_step(a, &clerk_a, dossier_a, ACT_ACCEPT, NULL, &err), &err,
                   "role.forbidden");
    assert_refused(app_dossier_step(a, &head_a, dossier_a, ACT_REJECT, &reason, &err), &err,
                   "role.forbidden");
    assert_refused(app_dossier_step(a, &auditor, dossier_a, ACT_ACCEPT, NULL, &err), &err,
                   "role.forbidden");
    assert_int_equal(app_dossier_step(a, &officer, dossier_a, ACT_ACCEPT, NULL, &err), 0);
    /* step 2 is the CA's */
    assert_refused(app_dossier_step(a, &clerk_a, dossier_a, ACT_ISSUE, NULL, &err), &err,
                   "role.forbidden");
    assert_refused(app_dossier_step(a, &auditor, dossier_a, ACT_ISSUE, NULL, &err), &err,
                   "role.forbidden");
}

static void test_ca_functions(void **state)
{
    ct_error err = {0};
    app_audit_report report;
    cert_filter f = {0};
    app_cert_request req = {0};
    int published = 0;
    (void)state;

    assert_refused(app_cert_issue(a, &clerk_a, &req, NULL, &err), &err, "role.forbidden");
    assert_refused(app_cert_issue(a, &auditor, &req, NULL, &err), &err, "role.forbidden");
    assert_refused(app_cert_list(a, &clerk_a, &f, NULL, NULL, &err), &err, "role.forbidden");
    assert_refused(app_cert_revoke(a, &clerk_a, "01", "keyCompromise", &err), &err,
                   "role.forbidden");
    assert_refused(app_crl_generate(a, &auditor, &err), &err, "role.forbidden");
    assert_refused(app_token_stock(a, &clerk_a, 1, &err), &err, "role.forbidden");
    assert_refused(app_audit_verify(a, &clerk_a, &report, &err), &err, "role.forbidden");
    assert_int_equal(app_audit_verify(a, &auditor, &report, &err), 0);
    assert_int_equal(report.first_bad_id, 0);
    assert_refused(app_run_due(a, &clerk_a, &published, &err), &err, "role.forbidden");
    assert_int_equal(app_run_due(a, &officer, &published, &err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intake_roles),
        cmocka_unit_test(test_agency_isolation),
        cmocka_unit_test(test_steps_by_role),
        cmocka_unit_test(test_ca_functions),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
