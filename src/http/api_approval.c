/*
 * api_approval.c — four eyes over the API: the pending requests a CA role may decide, and
 * their approval or refusal. A gated step itself (a revocation, an account) answers 202 with
 * its request (api_send_pending).
 */
#include "http/http.h"

#include <stdlib.h>

int api_send_pending(http_request *r, const approval_record *pending)
{
    return api_send_json(r, 202, app_view_approval(pending), NULL);
}

/* The {id} of an approval route: a positive number, else no request has it. */
static int approval_id(api_call *c, int64_t *id)
{
    const char *s = c->param[0];
    char *end;
    long long v;

    if (*s < '1' || *s > '9')
        return api_fail(c->r, 404, "approval.not_found", "không có yêu cầu phê duyệt này",
                        "no such request for approval");
    v = strtoll(s, &end, 10);
    if (v <= 0 || *end != '\0')
        return api_fail(c->r, 404, "approval.not_found", "không có yêu cầu phê duyệt này",
                        "no such request for approval");
    *id = v;
    return 0;
}

static int list_approval(void *list, const approval_record *rec)
{
    return json_array_append_new(list, app_view_approval(rec)) == 0 ? 0 : 1;
}

int api_approvals_list(api_call *c)
{
    json_t *list = json_array();
    ct_error err = {0};

    if (app_approval_list(c->r->app, &c->actor, list_approval, list, &err) != 0) {
        json_decref(list);
        return api_send_error(c->r, &err);
    }
    return api_send_json(c->r, 200, list, NULL);
}

int api_approval_approve(api_call *c)
{
    approval_record rec;
    ct_error err = {0};
    int64_t id = 0;
    int rc = approval_id(c, &id);

    if (id == 0)
        return rc;
    if (app_approval_approve(c->r->app, &c->actor, id, &rec, &err) != 0)
        return api_send_error(c->r, &err);
    return api_send_json(c->r, 200, app_view_approval(&rec), NULL);
}

int api_approval_decline(api_call *c)
{
    approval_record rec;
    const char *reason = NULL;
    ct_error err = {0};
    int64_t id = 0;
    int rc = approval_id(c, &id);

    if (id == 0)
        return rc;
    if (api_get_string(c->r, c->body, "reason", &reason, &rc) != 0)
        return rc;
    if (app_approval_decline(c->r->app, &c->actor, id, reason, &rec, &err) != 0)
        return api_send_error(c->r, &err);
    return api_send_json(c->r, 200, app_view_approval(&rec), NULL);
}
