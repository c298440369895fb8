/*
 * token_custody.c — the token's chain of custody (see token_custody.h). The store's triggers
 * (store_sqlite.c and store_pg_schema.c, migration 21) spell the same moves in SQL, and
 * tests/unit/test_token_custody.c and test_store.c check that they agree on every pair of states.
 */
#include "core/token_custody.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    const char *vi;
    const char *en;
} states[TOKEN_STATE_COUNT] = {
    [TOKEN_BLANK] = {"blank", "Trắng (trong kho)", "Blank (in stock)"},
    [TOKEN_PROVISIONED] = {"provisioned", "Đã nạp chứng thư", "Certificate loaded"},
    [TOKEN_WITH_AGENCY] = {"with_agency", "Cơ quan đã nhận", "With the agency"},
    [TOKEN_WITH_SUBSCRIBER] = {"with_subscriber", "Thuê bao đang giữ", "With the subscriber"},
    [TOKEN_DAMAGED] = {"damaged", "Hỏng", "Damaged"},
    [TOKEN_WIPED] = {"wiped", "Đã xóa trắng", "Wiped"},
    [TOKEN_LOST] = {"lost", "Bị mất", "Lost"},
    [TOKEN_REVOKED] = {"revoked", "Chứng thư đã thu hồi", "Certificate revoked"},
    [TOKEN_RETURNED] = {"returned", "Đã thu về", "Returned to the CA"},
    [TOKEN_DESTROYED] = {"destroyed", "Đã tiêu hủy", "Destroyed"},
};

static const struct {
    const char *name;
    const char *vi;
    const char *en;
    bool care;
} actions[TOKEN_ACT_COUNT] = {
    [TOKEN_ACT_PROVISION] = {"provision", "Nạp chứng thư", "Load the certificate", false},
    [TOKEN_ACT_WIPE] = {"wipe", "Xóa trắng", "Wipe", false},
    [TOKEN_ACT_DAMAGE] = {"damage", "Ghi nhận hỏng khi nạp", "Set aside as damaged", false},
    [TOKEN_ACT_AGENCY_RECEIVED] = {"agency-received", "Cơ quan nhận thiết bị",
                                   "Collected by the agency", false},
    [TOKEN_ACT_HANDED_OVER] = {"handed-over", "Bàn giao cho thuê bao",
                               "Handed over to the subscriber", false},
    [TOKEN_ACT_CERT_REVOKED] = {"cert-revoked", "Chứng thư bị thu hồi", "Certificate revoked",
                                false},
    [TOKEN_ACT_RESET_PIN] = {"reset-pin", "Đặt lại mã PIN", "Reset the PIN", true},
    [TOKEN_ACT_LOST] = {"lost", "Báo mất thiết bị", "Report lost", true},
    [TOKEN_ACT_BROKEN] = {"broken", "Báo hỏng thiết bị", "Report broken", true},
    [TOKEN_ACT_RETURNED] = {"returned", "Thu hồi thiết bị về CA", "Returned to the CA", true},
    [TOKEN_ACT_DESTROY] = {"destroy", "Tiêu hủy thiết bị", "Destroy", true},
};

/* Issuance and the procedure check their own roles (core/procedure.c); their rows here say what
 * the token does, for everyone who may take those steps. */
#define BY_PROCEDURE (ROLES_CA | ROLES_AGENCY | ROLE_SYSTEM)

static const token_move table[] = {
    {TOKEN_BLANK, TOKEN_ACT_PROVISION, TOKEN_PROVISIONED, BY_PROCEDURE},
    {TOKEN_WIPED, TOKEN_ACT_PROVISION, TOKEN_PROVISIONED, BY_PROCEDURE},
    /* a renewal or a change of details: the holder's token, brought back by the agency, is
     * initialised again with a new key (app_token.c); wiped when that fails half-way */
    {TOKEN_WITH_SUBSCRIBER, TOKEN_ACT_PROVISION, TOKEN_PROVISIONED, ROLES_CA | ROLE_SYSTEM},
    {TOKEN_WITH_SUBSCRIBER, TOKEN_ACT_WIPE, TOKEN_WIPED, ROLES_CA | ROLE_SYSTEM},
    {TOKEN_BLANK, TOKEN_ACT_WIPE, TOKEN_WIPED, BY_PROCEDURE},
    {TOKEN_PROVISIONED, TOKEN_ACT_WIPE, TOKEN_WIPED, BY_PROCEDURE},
    {TOKEN_BLANK, TOKEN_ACT_DAMAGE, TOKEN_DAMAGED, BY_PROCEDURE},
    {TOKEN_WIPED, TOKEN_ACT_DAMAGE, TOKEN_DAMAGED, BY_PROCEDURE},
    {TOKEN_PROVISIONED, TOKEN_ACT_DAMAGE, TOKEN_DAMAGED, BY_PROCEDURE},
    {TOKEN_PROVISIONED, TOKEN_ACT_AGENCY_RECEIVED, TOKEN_WITH_AGENCY, BY_PROCEDURE},
    {TOKEN_WITH_AGENCY, TOKEN_ACT_HANDED_OVER, TOKEN_WITH_SUBSCRIBER, BY_PROCEDURE},
    {TOKEN_PROVISIONED, TOKEN_ACT_CERT_REVOKED, TOKEN_REVOKED, ROLES_CA | ROLE_SYSTEM},
    {TOKEN_WITH_AGENCY, TOKEN_ACT_CERT_REVOKED, TOKEN_REVOKED, ROLES_CA | ROLE_SYSTEM},
    {TOKEN_WITH_SUBSCRIBER, TOKEN_ACT_CERT_REVOKED, TOKEN_REVOKED, ROLES_CA | ROLE_SYSTEM},
    /* a new PIN while the token is in use: the state stays */
    {TOKEN_PROVISIONED, TOKEN_ACT_RESET_PIN, TOKEN_PROVISIONED, ROLES_CA},
    {TOKEN_WITH_AGENCY, TOKEN_ACT_RESET_PIN, TOKEN_WITH_AGENCY, ROLES_CA},
    {TOKEN_WITH_SUBSCRIBER, TOKEN_ACT_RESET_PIN, TOKEN_WITH_SUBSCRIBER, ROLES_CA},
    /* lost away from the CA: reported by the CA or by the holder's agency */
    {TOKEN_WITH_AGENCY, TOKEN_ACT_LOST, TOKEN_LOST, ROLES_CA | ROLE_AGENCY_CLERK},
    {TOKEN_WITH_SUBSCRIBER, TOKEN_ACT_LOST, TOKEN_LOST, ROLES_CA | ROLE_AGENCY_CLERK},
    {TOKEN_REVOKED, TOKEN_ACT_LOST, TOKEN_LOST, ROLES_CA | ROLE_AGENCY_CLERK},
    /* broken: the CA sees the device */
    {TOKEN_PROVISIONED, TOKEN_ACT_BROKEN, TOKEN_DAMAGED, ROLES_CA},
    {TOKEN_WITH_AGENCY, TOKEN_ACT_BROKEN, TOKEN_DAMAGED, ROLES_CA},
    {TOKEN_WITH_SUBSCRIBER, TOKEN_ACT_BROKEN, TOKEN_DAMAGED, ROLES_CA},
    {TOKEN_REVOKED, TOKEN_ACT_BROKEN, TOKEN_DAMAGED, ROLES_CA},
    /* back at the CA (a lost one found again too) */
    {TOKEN_PROVISIONED, TOKEN_ACT_RETURNED, TOKEN_RETURNED, ROLES_CA},
    {TOKEN_WITH_AGENCY, TOKEN_ACT_RETURNED, TOKEN_RETURNED, ROLES_CA},
    {TOKEN_WITH_SUBSCRIBER, TOKEN_ACT_RETURNED, TOKEN_RETURNED, ROLES_CA},
    {TOKEN_REVOKED, TOKEN_ACT_RETURNED, TOKEN_RETURNED, ROLES_CA},
    {TOKEN_LOST, TOKEN_ACT_RETURNED, TOKEN_RETURNED, ROLES_CA},
    /* destroyed only once the CA holds it, or when a lost one is found and brought in */
    {TOKEN_RETURNED, TOKEN_ACT_DESTROY, TOKEN_DESTROYED, ROLES_CA},
    {TOKEN_DAMAGED, TOKEN_ACT_DESTROY, TOKEN_DESTROYED, ROLES_CA},
    {TOKEN_LOST, TOKEN_ACT_DESTROY, TOKEN_DESTROYED, ROLES_CA},
};
#define N_MOVES (sizeof table / sizeof table[0])

const char *token_state_name(token_state s)
{
    return (unsigned)s < TOKEN_STATE_COUNT ? states[s].name : "?";
}

int token_state_parse(const char *name)
{
    for (int i = 0; name && i < TOKEN_STATE_COUNT; i++)
        if (strcmp(states[i].name, name) == 0)
            return i;
    return -1;
}

const char *token_action_name(token_action a)
{
    return (unsigned)a < TOKEN_ACT_COUNT ? actions[a].name : "?";
}

const char *token_state_label(token_state s, bool english)
{
    if ((unsigned)s >= TOKEN_STATE_COUNT)
        return "?";
    return english ? states[s].en : states[s].vi;
}

const char *token_action_label(token_action a, bool english)
{
    if ((unsigned)a >= TOKEN_ACT_COUNT)
        return "?";
    return english ? actions[a].en : actions[a].vi;
}

role_set token_action_roles(token_action a)
{
    role_set roles = 0;

    for (size_t i = 0; i < N_MOVES; i++)
        if (table[i].action == a)
            roles |= table[i].roles;
    return roles;
}

bool token_action_is_care(token_action a)
{
    return (unsigned)a < TOKEN_ACT_COUNT && actions[a].care;
}

const token_move *token_custody_table(size_t *n)
{
    *n = N_MOVES;
    return table;
}

bool token_custody_allowed(token_state from, token_state to)
{
    for (size_t i = 0; i < N_MOVES; i++)
        if (table[i].from == from && table[i].to == to && from != to)
            return true;
    return false;
}

int token_custody_step(const char *from, token_action action, role r, token_state *to,
                       ct_error *err)
{
    int s = token_state_parse(from);
    char allowed[256] = "";
    size_t len = 0;

    for (size_t i = 0; s >= 0 && i < N_MOVES; i++) {
        if (table[i].from != (token_state)s)
            continue;
        if (table[i].action == action) {
            *to = table[i].to;
            return role_require(r, table[i].roles, token_action_name(action), err);
        }
        if (actions[table[i].action].care && len < sizeof allowed)
            len += (size_t)snprintf(allowed + len, sizeof allowed - len, "%s%s", len ? ", " : "",
                                    actions[table[i].action].name);
    }
    return ct_fail(err, 409, "token.custody",
                   "thiết bị đang ở trạng thái \"%s\": không thể \"%s\" (được phép: %s)",
                   "the token is \"%s\": \"%s\" is not allowed (allowed: %s)", from,
                   token_action_name(action), len ? allowed : "không gì / nothing");
}

size_t token_custody_actions(const char *from, role r, token_action out[], size_t max)
{
    int s = token_state_parse(from);
    size_t n = 0;

    for (size_t i = 0; s >= 0 && i < N_MOVES && n < max; i++)
        if (table[i].from == (token_state)s && actions[table[i].action].care &&
            (table[i].roles & r) != 0)
            out[n++] = table[i].action;
    return n;
}
