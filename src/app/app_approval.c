/*
 * app_approval.c — four eyes: steps that need a second person before they are carried out.
 *
 * [approvals] in chungthu.ini says per action how many distinct people must agree. A step that
 * needs two checks its input and its own refusals as if it were done now, then records a
 * pending request holding exactly what it will do (its parameters, as JSON) instead of doing
 * it. A second person, whose role may take the action and who is not the requester, approves
 * it: the step runs in the same transaction that marks the request approved, reading the state
 * it decides on there, so twenty approvals at once carry it out once and the others find the
 * request decided (409). An issue, which makes keys on tokens for seconds and so cannot run in a
 * transaction, is carried out right after the approval's commit by the approving call alone;
 * if it fails the request is put back to pending. Or they decline it with a reason, and
 * nothing else changes. Every
 * request, approval and refusal is in the audit trail; the step's own row follows the
 * approval's, which names both people.
 */
#include "app/app_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "pki/crl.h"

#define STATE_PENDING "pending"
#define STATE_APPROVED "approved"
#define STATE_DECLINED "declined"

/* One row per action that may wait for a second person. */
typedef struct approval_action {
    const char *name;
    size_t config;  /* offset of its app_config count */
    role_set roles; /* who may take the action, and so decide a request for it */
    /* carry the step out inside the approval's transaction, as actor (the approver);
     * *status_changed: CRLs and OCSP follow after the commit */
    int (*run)(app *a, const app_actor *actor, json_t *parameters, bool *status_changed,
               ct_error *err);
    /* or, for a step that cannot run inside a transaction, right after the approval's commit,
     * in the approver's call; a failure puts the request back to pending */
    int (*after)(app *a, const app_actor *actor, json_t *parameters, ct_error *err);
    const char *vi, *en; /* the step in words */
} approval_action;

static const char *param(json_t *parameters, const char *key)
{
    const char *v = json_string_value(json_object_get(parameters, key));

    return v ? v : "";
}

static int run_revoke(app *a, const app_actor *actor, json_t *parameters, bool *status_changed,
                      ct_error *err)
{
    int reason;

    *status_changed = true;
    if (crl_reason_parse(param(parameters, "reason"), &reason, err) != 0)
        return -1;
    return cert_revoke_in_transaction(a, actor, param(parameters, "serial"), reason, err);
}

static int run_user_add(app *a, const app_actor *actor, json_t *parameters, bool *status_changed,
                        ct_error *err)
{
    (void)status_changed;
    user_record u;

    memset(&u, 0, sizeof u);
    snprintf(u.username, sizeof u.username, "%s", param(parameters, "username"));
    snprintf(u.display_name, sizeof u.display_name, "%s", param(parameters, "display_name"));
    snprintf(u.role, sizeof u.role, "%s", param(parameters, "role"));
    snprintf(u.agency, sizeof u.agency, "%s", param(parameters, "agency"));
    snprintf(u.os_user, sizeof u.os_user, "%s", param(parameters, "os_user"));
    snprintf(u.password_hash, sizeof u.password_hash, "%s", param(parameters, "password_hash"));
    u.created_at = u.updated_at = app_now();
    return user_insert_in_transaction(a, actor, &u, err);
}

static int run_user_disable(app *a, const app_actor *actor, json_t *parameters,
                            bool *status_changed, ct_error *err)
{
    (void)status_changed;
    return user_disable_in_transaction(a, actor, param(parameters, "username"), err);
}

static int run_user_role(app *a, const app_actor *actor, json_t *parameters, bool *status_changed,
                         ct_error *err)
{
    (void)status_changed;
    return user_set_role_in_transaction(a, actor, param(parameters, "username"),
                                        param(parameters, "role"), param(parameters, "agency"),
                                        err);
}

static const approval_action actions[] = {
    {APPROVAL_REVOKE, offsetof(app_config, approvals_revoke), ROLES_CA, run_revoke, NULL,
     "thu hồi chứng thư", "certificate revocation"},
    {APPROVAL_USER_ADD, offsetof(app_config, approvals_user), ROLE_CA_ADMIN, run_user_add, NULL,
     "tạo tài khoản", "account creation"},
    {APPROVAL_USER_DISABLE, offsetof(app_config, approvals_user), ROLE_CA_ADMIN, run_user_disable,
     NULL, "khóa tài khoản", "account disabling"},
    {APPROVAL_USER_ROLE, offsetof(app_config, approvals_role), ROLE_CA_ADMIN, run_user_role, NULL,
     "đổi vai trò tài khoản", "account role change"},
    {APPROVAL_ACCEPT, offsetof(app_config, approvals_accept), ROLE_CA_OFFICER,
     dossier_step_in_approval, NULL, "tiếp nhận hồ sơ", "dossier acceptance"},
    {APPROVAL_PUBLISH, offsetof(app_config, approvals_publish), ROLE_CA_OFFICER,
     dossier_step_in_approval, NULL, "công bố chứng thư", "certificate publication"},
    {APPROVAL_SUSPEND, offsetof(app_config, approvals_suspend), ROLE_CA_OFFICER,
     dossier_step_in_approval, NULL, "tạm dừng chứng thư", "certificate suspension"},
    /* keys are made on tokens for seconds, with no transaction open: the approval commits,
     * then the approver's call issues, each applicant under its claim as a direct issue */
    {APPROVAL_ISSUE, offsetof(app_config, approvals_issue), ROLE_CA_OFFICER, NULL,
     dossier_issue_after_approval, "cấp chứng thư", "certificate issue"},
    /* the key is put in use after the approval's commit: its mark is a file, not a row */
    {APPROVAL_ACTIVATE, offsetof(app_config, approvals_activate), ROLES_CA, NULL,
     ca_activate_after_approval, "kích hoạt khóa CA cấp phát", "issuing CA key activation"},
};

static const approval_action *action_find(const char *name)
{
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
        if (strcmp(actions[i].name, name) == 0)
            return &actions[i];
    return NULL;
}

static int people_needed(const app *a, const approval_action *act)
{
    return *(const int *)(const void *)((const char *)app_cfg(a) + act->config);
}

/* The parameters as people and the audit trail see them: a password hash stays in the table. */
static json_t *parameters_shown(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);

    if (!json_is_object(j)) {
        json_decref(j);
        return json_object();
    }
    json_object_del(j, "password_hash");
    return j;
}

json_t *app_view_approval(const approval_record *r)
{
    const approval_action *act = action_find(r->action);

    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:s, s:s, s:o, s:s}", "id",
                     (json_int_t)r->id, "action", r->action, "label_vi", act ? act->vi : r->action,
                     "label_en", act ? act->en : r->action, "object", r->object, "parameters",
                     parameters_shown(r->parameters), "requested_by", r->requested_by,
                     "requested_at", app_view_time(r->requested_at), "state", r->state,
                     "decided_by", r->decided_by, "decided_at", app_view_time(r->decided_at),
                     "reason", r->reason);
}

/* ---- a request ---- */

typedef struct {
    const app_actor *actor;
    transaction_fn check;
    void *check_ctx;
    approval_record *rec;
} request_ctx;

static int request_in_transaction(app *a, void *ctx, ct_error *err)
{
    request_ctx *r = ctx;

    /* what the step would refuse now it refuses as a request too: nothing waits in vain */
    if (r->check && r->check(a, r->check_ctx, err) != 0)
        return -1;
    if (store_approval_insert(a->db, r->rec, err) != 0)
        return -1;
    return audit_append(a, r->actor, "approval.request", r->rec->object,
                        json_pack("{s:I, s:s, s:o}", "approval", (json_int_t)r->rec->id, "action",
                                  r->rec->action, "parameters",
                                  parameters_shown(r->rec->parameters)),
                        err);
}

int approval_gate(app *a, const app_actor *actor, const char *action, const char *object,
                  json_t *parameters, transaction_fn check, void *check_ctx,
                  approval_record *pending, ct_error *err)
{
    const approval_action *act = action_find(action);
    approval_record rec;
    char *text;

    if (act == NULL || people_needed(a, act) < 2) {
        json_decref(parameters);
        return 0;
    }
    text = parameters ? json_dumps(parameters, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(parameters);
    if (text == NULL || strlen(text) >= sizeof rec.parameters) {
        free(text);
        return ct_fail(err, 500, "approval.encode", "không ghi được yêu cầu phê duyệt",
                       "cannot record the request for approval");
    }
    memset(&rec, 0, sizeof rec);
    snprintf(rec.action, sizeof rec.action, "%s", action);
    snprintf(rec.object, sizeof rec.object, "%s", object);
    memcpy(rec.parameters, text, strlen(text) + 1);
    free(text);
    snprintf(rec.requested_by, sizeof rec.requested_by, "%s", actor->name ? actor->name : "");
    rec.requested_at = app_now();
    snprintf(rec.state, sizeof rec.state, STATE_PENDING);
    if (with_transaction(a, request_in_transaction, &(request_ctx){actor, check, check_ctx, &rec},
                         err) != 0)
        return -1;
    if (pending == NULL)
        return ct_fail(err, 202, "approval.pending",
                       "đang chờ cán bộ thứ hai phê duyệt (yêu cầu số %lld)",
                       "waiting for a second officer to approve (request %lld)", (long long)rec.id);
    *pending = rec;
    return APP_PENDING;
}

/* ---- reading ---- */

typedef struct {
    const app_actor *actor;
    approval_visit_fn visit;
    void *ctx;
} list_ctx;

static bool may_decide(const app_actor *actor, const approval_action *act)
{
    return act != NULL && (act->roles & (role_set)actor->role) != 0;
}

static int visit_decidable(void *user, const approval_record *rec)
{
    list_ctx *l = user;

    return may_decide(l->actor, action_find(rec->action)) ? l->visit(l->ctx, rec) : 0;
}

int app_approval_list(app *a, const app_actor *actor, approval_visit_fn visit, void *ctx,
                      ct_error *err)
{
    list_ctx l = {actor, visit, ctx};

    if (role_require(actor->role, ROLES_CA, "approval list", err) != 0)
        return -1;
    return store_approval_list(a->db, STATE_PENDING, visit_decidable, &l, err);
}

int app_approval_get(app *a, const app_actor *actor, int64_t id, approval_record *out,
                     ct_error *err)
{
    if (role_require(actor->role, ROLES_CA, "approval show", err) != 0 ||
        store_approval_get(a->db, id, out, err) != 0)
        return -1;
    /* a request the role may not decide is none of its business */
    if (!may_decide(actor, action_find(out->action)))
        return ct_fail(err, 404, "approval.not_found", "không có yêu cầu phê duyệt số %lld",
                       "no request for approval %lld", (long long)id);
    return 0;
}

/* ---- deciding ---- */

typedef struct {
    const app_actor *actor;
    int64_t id;
    bool approve;
    const char *reason;
    approval_record rec;
    const approval_action *act;
    bool status_changed;
} decision;

/* The request as it stands inside the deciding transaction: still pending, and decidable by
 * this person. */
static int decidable(app *a, decision *d, ct_error *err)
{
    if (store_approval_get(a->db, d->id, &d->rec, err) != 0)
        return -1;
    d->act = action_find(d->rec.action);
    if (!may_decide(d->actor, d->act))
        return d->act ? role_require(d->actor->role, d->act->roles, d->rec.action, err)
                      : ct_fail(err, 409, "approval.unknown_action",
                                "yêu cầu số %lld là một thao tác chương trình này không biết",
                                "request %lld is for an action this program does not know",
                                (long long)d->id);
    if (strcmp(d->rec.state, STATE_PENDING) != 0) {
        char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX];
        bool approved = strcmp(d->rec.state, STATE_APPROVED) == 0;
        snprintf(vi, sizeof vi, "yêu cầu số %lld đã được %s bởi %s", (long long)d->id,
                 approved ? "phê duyệt" : "từ chối", d->rec.decided_by);
        snprintf(en, sizeof en, "request %lld was already %s by %s", (long long)d->id,
                 approved ? "approved" : "declined", d->rec.decided_by);
        return ct_fail_text(err, 409, "approval.decided", vi, en);
    }
    if (d->approve && strcmp(d->rec.requested_by, d->actor->name ? d->actor->name : "") == 0)
        return ct_fail(err, 403, "approval.own_request",
                       "không ai tự phê duyệt yêu cầu của chính mình: cần một cán bộ khác",
                       "nobody approves their own request: another officer must");
    return 0;
}

static int decide_in_transaction(app *a, void *ctx, ct_error *err)
{
    decision *d = ctx;
    json_t *parameters;
    int rc;

    if (decidable(a, d, err) != 0)
        return -1;
    snprintf(d->rec.state, sizeof d->rec.state, "%s", d->approve ? STATE_APPROVED : STATE_DECLINED);
    snprintf(d->rec.decided_by, sizeof d->rec.decided_by, "%s",
             d->actor->name ? d->actor->name : "");
    d->rec.decided_at = app_now();
    if (!d->approve)
        snprintf(d->rec.reason, sizeof d->rec.reason, "%s", d->reason);
    if (store_approval_update(a->db, &d->rec, err) != 0 ||
        audit_append(a, d->actor, d->approve ? "approval.approve" : "approval.decline",
                     d->rec.object,
                     json_pack("{s:I, s:s, s:s, s:s, s:s}", "approval", (json_int_t)d->rec.id,
                               "action", d->rec.action, "requested_by", d->rec.requested_by,
                               d->approve ? "approved_by" : "declined_by", d->rec.decided_by,
                               "reason", d->rec.reason),
                     err) != 0)
        return -1;
    if (!d->approve || d->act->run == NULL)
        return 0;
    /* the step itself, in this transaction, exactly as if done directly by the approver */
    parameters = json_loads(d->rec.parameters, 0, NULL);
    if (!json_is_object(parameters)) {
        json_decref(parameters);
        return ct_fail(err, 500, "approval.parameters", "yêu cầu số %lld bị hỏng",
                       "request %lld is damaged", (long long)d->id);
    }
    rc = d->act->run(a, d->actor, parameters, &d->status_changed, err);
    json_decref(parameters);
    return rc;
}

/* A step carried out after the approval's commit failed: the request waits again, as one whose
 * step refused inside the transaction does, and the audit trail says why. Only the approval
 * this call made is undone (state, approver and time as it wrote them). */
static int reopen_in_transaction(app *a, void *ctx, ct_error *err)
{
    decision *d = ctx;
    approval_record now;

    if (store_approval_get(a->db, d->id, &now, err) != 0)
        return -1;
    if (strcmp(now.state, STATE_APPROVED) != 0 || strcmp(now.decided_by, d->rec.decided_by) != 0 ||
        now.decided_at != d->rec.decided_at)
        return 0;
    snprintf(now.state, sizeof now.state, STATE_PENDING);
    now.decided_by[0] = '\0';
    now.decided_at = 0;
    if (store_approval_update(a->db, &now, err) != 0)
        return -1;
    d->rec = now;
    return audit_append(a, d->actor, "approval.reopen", now.object,
                        json_pack("{s:I, s:s, s:s, s:s}", "approval", (json_int_t)now.id, "action",
                                  now.action, "failed", d->reason, "requested_by",
                                  now.requested_by),
                        err);
}

/* The step of an approval that runs outside a transaction, once: only the call whose
 * transaction moved the request from pending to approved gets here. */
static int carry_out_after(app *a, decision *d, ct_error *err)
{
    json_t *parameters = json_loads(d->rec.parameters, 0, NULL);
    int rc;

    if (!json_is_object(parameters)) {
        json_decref(parameters);
        return ct_fail(err, 500, "approval.parameters", "yêu cầu số %lld bị hỏng",
                       "request %lld is damaged", (long long)d->id);
    }
    rc = d->act->after(a, d->actor, parameters, err);
    json_decref(parameters);
    if (rc != 0) {
        ct_error ignored = {0};
        d->reason = err->code;
        with_transaction(a, reopen_in_transaction, d, &ignored);
    }
    return rc;
}

static int decide(app *a, decision *d, approval_record *out, ct_error *err)
{
    if (role_require(d->actor->role, ROLES_CA, d->approve ? "approval approve" : "approval decline",
                     err) != 0)
        return -1;
    if (with_transaction(a, decide_in_transaction, d, err) != 0)
        return -1;
    if (d->approve && d->status_changed)
        app_status_changed(a);
    if (d->approve && d->act->after && carry_out_after(a, d, err) != 0)
        return -1;
    if (out)
        *out = d->rec;
    return 0;
}

int app_approval_approve(app *a, const app_actor *actor, int64_t id, approval_record *out,
                         ct_error *err)
{
    decision d = {.actor = actor, .id = id, .approve = true, .reason = ""};

    return decide(a, &d, out, err);
}

int app_approval_decline(app *a, const app_actor *actor, int64_t id, const char *reason,
                         approval_record *out, ct_error *err)
{
    char clean[512];
    decision d = {.actor = actor, .id = id, .approve = false, .reason = clean};

    if (reason == NULL || *reason == '\0')
        return ct_fail(err, 400, "approval.reason", "từ chối cần nêu lý do (--reason)",
                       "declining needs a reason (--reason)");
    if (text_clean_field(reason, 500, "lý do", "reason", clean, sizeof clean, err) != 0)
        return -1;
    return decide(a, &d, out, err);
}
