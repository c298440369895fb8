/*
 * test_token_custody.c — the token's chain of custody (core/token_custody.c): the moves and who
 * may make them, the actions offered to each role, and the store's trigger, which must allow
 * exactly the changes of state the table has a row for (every pair of states tried with plain
 * SQL on the database, as a future code path or a careless repair would write), and whose
 * refusal comes back through the store as 409 token.custody.
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

#include <sqlite3.h>

#include "core/token_custody.h"
#include "store/store.h"

static void moves_and_roles(void **state)
{
    ct_error err = {0};
    token_state to;
    (void)state;

    assert_int_equal(
        token_custody_step("with_subscriber", TOKEN_ACT_LOST, ROLE_AGENCY_CLERK, &to, &err), 0);
    assert_int_equal(to, TOKEN_LOST);
    assert_int_equal(
        token_custody_step("with_subscriber", TOKEN_ACT_BROKEN, ROLE_CA_OFFICER, &to, &err), 0);
    assert_int_equal(to, TOKEN_DAMAGED);
    assert_int_equal(
        token_custody_step("with_agency", TOKEN_ACT_RESET_PIN, ROLE_CA_ADMIN, &to, &err), 0);
    assert_int_equal(to, TOKEN_WITH_AGENCY);
    assert_int_equal(token_custody_step("lost", TOKEN_ACT_DESTROY, ROLE_CA_OFFICER, &to, &err), 0);
    assert_int_equal(to, TOKEN_DESTROYED);

    /* a token in its holder's hands is not destroyed: named state, action and what is allowed */
    assert_int_equal(
        token_custody_step("with_subscriber", TOKEN_ACT_DESTROY, ROLE_CA_OFFICER, &to, &err), -1);
    assert_int_equal(err.status, 409);
    assert_string_equal(err.code, "token.custody");
    assert_non_null(strstr(err.en, "\"with_subscriber\""));
    assert_non_null(strstr(err.en, "reset-pin, lost, broken, returned"));
    /* destroyed is final */
    for (int a = 0; a < TOKEN_ACT_COUNT; a++)
        assert_int_equal(token_custody_step("destroyed", (token_action)a, ROLE_CA_ADMIN, &to, &err),
                         -1);
    assert_int_equal(token_custody_step("no such", TOKEN_ACT_LOST, ROLE_CA_ADMIN, &to, &err), -1);
    /* the move exists, not for this role */
    assert_int_equal(token_custody_step("with_subscriber", TOKEN_ACT_LOST, ROLE_AUDITOR, &to, &err),
                     -1);
    assert_int_equal(err.status, 403);
    assert_int_equal(
        token_custody_step("returned", TOKEN_ACT_DESTROY, ROLE_AGENCY_CLERK, &to, &err), -1);
    assert_int_equal(err.status, 403);
    assert_int_equal(token_action_roles(TOKEN_ACT_LOST), ROLES_CA | ROLE_AGENCY_CLERK);
    assert_int_equal(token_action_roles(TOKEN_ACT_DESTROY), ROLES_CA);
}

static void offered_actions(void **state)
{
    token_action acts[TOKEN_ACT_COUNT];
    size_t n;
    (void)state;

    n = token_custody_actions("with_subscriber", ROLE_CA_OFFICER, acts, TOKEN_ACT_COUNT);
    assert_int_equal(n, 4);
    assert_int_equal(acts[0], TOKEN_ACT_RESET_PIN);
    assert_int_equal(acts[3], TOKEN_ACT_RETURNED);
    n = token_custody_actions("with_subscriber", ROLE_AGENCY_CLERK, acts, TOKEN_ACT_COUNT);
    assert_int_equal(n, 1);
    assert_int_equal(acts[0], TOKEN_ACT_LOST);
    assert_int_equal(token_custody_actions("with_subscriber", ROLE_AUDITOR, acts, TOKEN_ACT_COUNT),
                     0);
    assert_int_equal(token_custody_actions("blank", ROLE_CA_ADMIN, acts, TOKEN_ACT_COUNT), 0);
    assert_int_equal(token_custody_actions("destroyed", ROLE_CA_ADMIN, acts, TOKEN_ACT_COUNT), 0);
    n = token_custody_actions("returned", ROLE_CA_ADMIN, acts, TOKEN_ACT_COUNT);
    assert_int_equal(n, 1);
    assert_int_equal(acts[0], TOKEN_ACT_DESTROY);
    for (int s = 0; s < TOKEN_STATE_COUNT; s++) {
        assert_int_equal(token_state_parse(token_state_name((token_state)s)), s);
        assert_string_not_equal(token_state_label((token_state)s, false), "?");
        assert_string_not_equal(token_state_label((token_state)s, true), "?");
    }
}

/* Every pair of states, written with plain SQL: the trigger allows exactly the table's moves. */
static void trigger_agrees(void **state)
{
    char dir[] = "/tmp/chungthu-custody.XXXXXX", path[64], cmd[96];
    store *s;
    sqlite3 *db;
    ct_error err = {0};
    int allowed = 0;
    (void)state;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/chungthu.db", dir);
    assert_int_equal(store_open_sqlite(path, &s, &err), 0); /* migrated to the newest schema */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    for (int from = 0; from < TOKEN_STATE_COUNT; from++) {
        for (int to = 0; to < TOKEN_STATE_COUNT; to++) {
            sqlite3_stmt *ins, *upd;
            int rc;
            assert_int_equal(sqlite3_prepare_v2(db,
                                                "INSERT INTO tokens (serial, label, state, so_pin,"
                                                " updated_at) VALUES ('T', 'l', ?, 'x', 1)",
                                                -1, &ins, NULL),
                             SQLITE_OK);
            sqlite3_bind_text(ins, 1, token_state_name((token_state)from), -1, SQLITE_STATIC);
            assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
            sqlite3_finalize(ins);
            assert_int_equal(sqlite3_prepare_v2(db,
                                                "UPDATE tokens SET state = ? WHERE serial = 'T'",
                                                -1, &upd, NULL),
                             SQLITE_OK);
            sqlite3_bind_text(upd, 1, token_state_name((token_state)to), -1, SQLITE_STATIC);
            rc = sqlite3_step(upd);
            sqlite3_finalize(upd);
            if (from == to || token_custody_allowed((token_state)from, (token_state)to)) {
                if (rc != SQLITE_DONE)
                    fail_msg("%s → %s refused by the trigger: %s",
                             token_state_name((token_state)from), token_state_name((token_state)to),
                             sqlite3_errmsg(db));
                allowed += from != to;
            } else if (rc != SQLITE_CONSTRAINT) {
                fail_msg("%s → %s allowed by the trigger, not by the table",
                         token_state_name((token_state)from), token_state_name((token_state)to));
            }
            assert_int_equal(sqlite3_exec(db, "DELETE FROM tokens", NULL, NULL, NULL), SQLITE_OK);
        }
    }
    assert_true(allowed > 20);
    sqlite3_close(db);

    /* through the store: a move the table refuses is the caller's conflict, nothing changed */
    token_record t = {
        .serial = "S1", .label = "l", .state = "with_subscriber", .so_pin = "x", .updated_at = 1};
    token_record back;
    assert_int_equal(store_token_insert(s, &t, &err), 0);
    snprintf(t.state, sizeof t.state, "destroyed");
    assert_int_equal(store_token_update(s, &t, &err), -1);
    assert_int_equal(err.status, 409);
    assert_string_equal(err.code, "token.custody");
    assert_int_equal(store_token_get(s, "S1", &back, &err), 0);
    assert_string_equal(back.state, "with_subscriber");
    store_close(s);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(moves_and_roles),
        cmocka_unit_test(offered_actions),
        cmocka_unit_test(trigger_agrees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
