/*
 * test_procedure.c — the transition table of procedure 1.010847: the path of DESIGN.md §2 is
 * allowed step by step, everything else is refused with the state, the action and what is
 * allowed, and roles are checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/procedure.h"

static void test_happy_path(void **state)
{
    const proc_transition *t;
    ct_error err = {0};
    static const struct {
        proc_action action;
        role r;
        int to;
    } path[] = {
        {ACT_ISSUE, ROLE_CA_OFFICER, APPLICANT_ISSUED},
        {ACT_NOTIFY_PICKUP, ROLE_CA_OFFICER, APPLICANT_AWAITING_PICKUP},
        {ACT_AGENCY_RECEIVED, ROLE_AGENCY_CLERK, APPLICANT_WITH_AGENCY},
        {ACT_HANDED_OVER, ROLE_AGENCY_CLERK, APPLICANT_WITH_SUBSCRIBER},
        {ACT_REQUEST_ACTIVATION, ROLE_AGENCY_HEAD, APPLICANT_ACTIVATION_REQUESTED},
        {ACT_PUBLISH, ROLE_CA_OFFICER, APPLICANT_PUBLISHED},
    };
    int s = APPLICANT_PENDING;
    (void)state;

    assert_int_equal(procedure_step(KIND_NEW, PROC_DOSSIER, DOSSIER_RECEIVED, ACT_ACCEPT,
                                    ROLE_CA_OFFICER, &t, &err),
                     0);
    assert_int_equal(t->to, DOSSIER_ACCEPTED);
    assert_int_equal(t->clock, CLOCK_STEP2_START);
    for (size_t i = 0; i < sizeof path / sizeof path[0]; i++) {
        assert_int_equal(
            procedure_step(KIND_NEW, PROC_APPLICANT, s, path[i].action, path[i].r, &t, &err), 0);
        assert_int_equal(t->to, path[i].to);
        s = t->to;
    }
    assert_int_equal(s, APPLICANT_PUBLISHED);
}

static void test_wrong_state_names_what_is_allowed(void **state)
{
    const proc_transition *t;
    ct_error err = {0};
    (void)state;

    assert_int_equal(procedure_step(KIND_NEW, PROC_APPLICANT, APPLICANT_PENDING, ACT_PUBLISH,
                                    ROLE_CA_OFFICER, &t, &err),
                     -1);
    assert_string_equal(err.code, "procedure.wrong_state");
    assert_int_equal(err.status, 409);
    assert_non_null(strstr(err.en, "\"publish\""));
    /* the state in each language's words, not its code name */
    assert_non_null(strstr(err.en, applicant_state_label(APPLICANT_PENDING, true)));
    assert_non_null(strstr(err.vi, applicant_state_label(APPLICANT_PENDING, false)));
    assert_null(strstr(err.vi, "\"pending\""));
    assert_non_null(strstr(err.en, "allowed: issue"));
    assert_non_null(strstr(err.vi, "được phép: issue"));
    /* terminal states allow nothing */
    assert_int_equal(procedure_step(KIND_NEW, PROC_APPLICANT, APPLICANT_PUBLISHED, ACT_CANCEL,
                                    ROLE_CA_OFFICER, &t, &err),
                     -1);
    assert_non_null(strstr(err.en, "allowed: none"));
    assert_int_equal(procedure_step(KIND_NEW, PROC_DOSSIER, DOSSIER_REJECTED, ACT_ACCEPT,
                                    ROLE_CA_OFFICER, &t, &err),
                     -1);
}

static void test_roles(void **state)
{
    const proc_transition *t;
    ct_error err = {0};
    (void)state;

    /* an agency may not accept its own dossier, nor publish */
    assert_int_equal(procedure_step(KIND_NEW, PROC_DOSSIER, DOSSIER_RECEIVED, ACT_ACCEPT,
                                    ROLE_AGENCY_CLERK, &t, &err),
                     -1);
    assert_string_equal(err.code, "role.forbidden");
    assert_int_equal(err.status, 403);
    assert_int_equal(procedure_step(KIND_NEW, PROC_APPLICANT, APPLICANT_ACTIVATION_REQUESTED,
                                    ACT_PUBLISH, ROLE_AGENCY_HEAD, &t, &err),
                     -1);
    /* the auditor changes nothing, anywhere */
    size_t n;
    const proc_transition *table = procedure_table(&n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(table[i].roles & ROLE_AUDITOR, 0);
        for (int k = 0; k < KIND_COUNT; k++) {
            if (!(table[i].kinds & KIND_BIT(k)))
                continue;
            assert_int_equal(procedure_step((dossier_kind)k, table[i].subject, table[i].from,
                                            table[i].action, ROLE_AUDITOR, &t, &err),
                             -1);
            assert_string_equal(err.code, "role.forbidden");
        }
    }
    /* the scheduler may publish and nothing else */
    for (size_t i = 0; i < n; i++)
        if (table[i].roles & ROLE_SYSTEM)
            assert_int_equal(table[i].action, ACT_PUBLISH);
}

static void test_table_is_a_function(void **state)
{
    size_t n;
    const proc_transition *table = procedure_table(&n);
    (void)state;

    /* at most one row per (subject, state, action) and states in range */
    for (size_t i = 0; i < n; i++) {
        int max = table[i].subject == PROC_DOSSIER ? DOSSIER_STATE_COUNT : APPLICANT_STATE_COUNT;
        assert_true(table[i].from >= 0 && table[i].from < max);
        assert_true(table[i].to >= 0 && table[i].to < max);
        for (size_t j = i + 1; j < n; j++)
            assert_false(table[i].subject == table[j].subject && table[i].from == table[j].from &&
                         table[i].action == table[j].action);
    }
    /* cancel is possible from every state between issue and publication */
    for (int s = APPLICANT_ISSUED; s <= APPLICANT_ACTIVATION_REQUESTED; s++) {
        const proc_transition *t;
        ct_error err = {0};
        assert_int_equal(
            procedure_step(KIND_NEW, PROC_APPLICANT, s, ACT_CANCEL, ROLE_CA_OFFICER, &t, &err), 0);
        assert_int_equal(t->to, APPLICANT_CANCELLED);
        assert_int_equal(t->guard, GUARD_REASON_GIVEN);
    }
}

/* Each kind has its rows: new issuance exactly the path it always had; suspension, resumption
 * and revocation one officer's step from pending to done; renewal and change the issuing path;
 * intake, refusal and withdrawal for every kind. */
static void test_kinds(void **state)
{
    const proc_transition *t;
    ct_error err = {0};
    size_t n;
    const proc_transition *table = procedure_table(&n);
    static const struct {
        dossier_kind kind;
        proc_action action;
    } own[] = {{KIND_SUSPENSION, ACT_SUSPEND}, {KIND_RESUMPTION, ACT_RESUME},
               {KIND_REVOCATION, ACT_REVOKE},  {KIND_PIN_RESET, ACT_RESET_PIN},
               {KIND_TOKEN_LOST, ACT_REVOKE},  {KIND_TOKEN_BROKEN, ACT_REVOKE}};
    (void)state;

    for (size_t i = 0; i < n; i++)
        assert_true(table[i].kinds != 0 && (table[i].kinds & ~KINDS_ALL) == 0);
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) {
        proc_action acts[ACT_COUNT];
        size_t m;
        assert_int_equal(procedure_step(own[i].kind, PROC_APPLICANT, APPLICANT_PENDING,
                                        own[i].action, ROLE_CA_OFFICER, &t, &err),
                         0);
        assert_int_equal(t->to, APPLICANT_DONE);
        assert_int_equal(t->clock, CLOCK_STEP2_STOP);
        /* an agency never carries it out itself */
        assert_int_equal(procedure_step(own[i].kind, PROC_APPLICANT, APPLICANT_PENDING,
                                        own[i].action, ROLE_AGENCY_HEAD, &t, &err),
                         -1);
        assert_string_equal(err.code, "role.forbidden");
        /* no issue in these kinds, and no other kind's step */
        assert_int_equal(procedure_step(own[i].kind, PROC_APPLICANT, APPLICANT_PENDING, ACT_ISSUE,
                                        ROLE_CA_OFFICER, &t, &err),
                         -1);
        assert_string_equal(err.code, "procedure.wrong_state");
        for (size_t j = 0; j < sizeof own / sizeof own[0]; j++) {
            if (own[j].action == own[i].action)
                continue;
            assert_int_equal(procedure_step(own[i].kind, PROC_APPLICANT, APPLICANT_PENDING,
                                            own[j].action, ROLE_CA_OFFICER, &t, &err),
                             -1);
            assert_int_equal(procedure_step(KIND_NEW, PROC_APPLICANT, APPLICANT_PENDING,
                                            own[j].action, ROLE_CA_OFFICER, &t, &err),
                             -1);
        }
        /* the officer's choices from pending: the kind's step or a refusal */
        procedure_actions_from(own[i].kind, PROC_APPLICANT, APPLICANT_PENDING, ROLE_CA_OFFICER,
                               acts, &m);
        assert_int_equal(m, 2);
        assert_int_equal(acts[0], ACT_REFUSE);
        assert_int_equal(acts[1], own[i].action);
        /* done is terminal */
        procedure_actions_from(own[i].kind, PROC_APPLICANT, APPLICANT_DONE, ROLE_CA_OFFICER, acts,
                               &m);
        assert_int_equal(m, 0);
        /* intake as for every dossier */
        assert_int_equal(procedure_step(own[i].kind, PROC_DOSSIER, DOSSIER_RECEIVED, ACT_ACCEPT,
                                        ROLE_CA_OFFICER, &t, &err),
                         0);
        assert_int_equal(procedure_step(own[i].kind, PROC_DOSSIER, DOSSIER_RECEIVED, ACT_WITHDRAW,
                                        ROLE_AGENCY_CLERK, &t, &err),
                         0);
    }
    /* renewal and change walk the new issuance's path to publication */
    for (dossier_kind k = KIND_RENEWAL; k <= KIND_CHANGE; k++) {
        int s = APPLICANT_PENDING;
        static const proc_action path[] = {
            ACT_ISSUE,       ACT_NOTIFY_PICKUP,      ACT_AGENCY_RECEIVED,
            ACT_HANDED_OVER, ACT_REQUEST_ACTIVATION, ACT_PUBLISH};
        for (size_t i = 0; i < sizeof path / sizeof path[0]; i++) {
            assert_int_equal(
                procedure_step(k, PROC_APPLICANT, s, path[i], ROLE_CA_OFFICER, &t, &err), 0);
            s = t->to;
        }
        assert_int_equal(s, APPLICANT_PUBLISHED);
        assert_int_equal(procedure_step(k, PROC_APPLICANT, APPLICANT_PENDING, ACT_SUSPEND,
                                        ROLE_CA_OFFICER, &t, &err),
                         -1);
    }
    /* new issuance: the rows of every kind or of the issuing ones, never a lifecycle step */
    for (size_t i = 0; i < n; i++)
        if (table[i].action == ACT_SUSPEND || table[i].action == ACT_RESUME ||
            table[i].action == ACT_REVOKE || table[i].action == ACT_RESET_PIN)
            assert_false(table[i].kinds & KIND_BIT(KIND_NEW));
        else
            assert_true(table[i].kinds & KIND_BIT(KIND_NEW));
    /* kinds by name and label */
    for (int k = 0; k < KIND_COUNT; k++) {
        dossier_kind back;
        assert_int_equal(dossier_kind_parse(dossier_kind_name((dossier_kind)k), &back), 0);
        assert_int_equal(back, k);
        assert_string_not_equal(dossier_kind_label((dossier_kind)k, false), "?");
    }
    assert_string_equal(dossier_kind_label(KIND_CHANGE, false), "Thay đổi nội dung thông tin");
    assert_int_equal(dossier_kind_parse("lost", &(dossier_kind){0}), -1);
    /* token care: the kinds in Vietnamese; a PIN reset only in its own kind, none of them on
     * the path of issuance */
    assert_string_equal(dossier_kind_label(KIND_PIN_RESET, false), "Đặt lại mã PIN");
    assert_string_equal(dossier_kind_label(KIND_TOKEN_LOST, false), "Báo mất thiết bị");
    assert_string_equal(dossier_kind_label(KIND_TOKEN_BROKEN, false), "Báo hỏng thiết bị");
    for (size_t i = 0; i < n; i++) {
        if (table[i].action == ACT_RESET_PIN)
            assert_int_equal(table[i].kinds, KIND_BIT(KIND_PIN_RESET));
        if (table[i].action == ACT_ISSUE || table[i].action == ACT_PUBLISH)
            assert_false(table[i].kinds & KINDS_TOKEN_CARE);
    }
    assert_int_equal(procedure_step(KIND_PIN_RESET, PROC_APPLICANT, APPLICANT_PENDING, ACT_REVOKE,
                                    ROLE_CA_OFFICER, &t, &err),
                     -1);
    assert_string_equal(err.code, "procedure.wrong_state");
    assert_int_equal(procedure_step(KIND_TOKEN_LOST, PROC_APPLICANT, APPLICANT_PENDING,
                                    ACT_RESET_PIN, ROLE_CA_OFFICER, &t, &err),
                     -1);
    assert_int_equal(procedure_roles(ACT_RESET_PIN), ROLE_CA_OFFICER);
}

static void test_names_round_trip(void **state)
{
    ct_error err = {0};
    proc_action a;
    (void)state;

    for (int i = 0; i < ACT_COUNT; i++) {
        assert_int_equal(proc_action_parse(proc_action_name((proc_action)i), &a, &err), 0);
        assert_int_equal(a, i);
        assert_string_not_equal(proc_action_label((proc_action)i, false), "?");
    }
    assert_int_equal(proc_action_parse("approve", &a, &err), -1);
    assert_string_equal(err.code, "procedure.unknown_action");
    for (int i = 0; i < DOSSIER_STATE_COUNT; i++) {
        dossier_state s;
        assert_int_equal(dossier_state_parse(dossier_state_name((dossier_state)i), &s), 0);
        assert_int_equal(s, i);
    }
    for (int i = 0; i < APPLICANT_STATE_COUNT; i++) {
        applicant_state s;
        assert_int_equal(applicant_state_parse(applicant_state_name((applicant_state)i), &s), 0);
        assert_int_equal(s, i);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_happy_path), cmocka_unit_test(test_wrong_state_names_what_is_allowed),
        cmocka_unit_test(test_roles),      cmocka_unit_test(test_table_is_a_function),
        cmocka_unit_test(test_kinds),      cmocka_unit_test(test_names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
