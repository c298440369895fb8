/*
 * api_routes.c — the JSON API under /api/v1/, as one table: each row a method, a path pattern,
 * the roles that may call it, and a short handler that reads its input, calls src/app once and
 * answers with app's view of the record (docs/api.md is this table for people; the permission
 * test reads it back from GET /api/v1/routes). The dispatcher in api.c does everything the rows
 * share: matching, the cross-site check, the session, the role, the JSON body.
 */
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"

#define ANY_ROLE ROLES_ALL
#define READERS (ROLES_CA | ROLE_AUDITOR) /* the CA's records: the CA and the auditor */

static int send_or_error(http_request *r, int rc, const ct_error *err, int status, json_t *j)
{
    if (rc != 0) {
        json_decref(j);
        return api_send_error(r, err);
    }
    return api_send_json(r, status, j, NULL);
}

/* A list answered as a JSON array; visit appends to it. */
static int collect(void *list, json_t *item)
{
    return json_array_append_new(list, item) == 0 ? 0 : 1;
}

static int list_agency(void *l, const agency_record *x)
{
    return collect(l, app_view_agency(x));
}

/* A token in a list, with whether its PIN envelope waits to be printed. */
typedef struct token_list {
    app *app;
    const app_actor *actor;
    json_t *list;
} token_list;

static int list_token(void *l, const token_record *x)
{
    token_list *t = l;
    json_t *j = app_view_token(t->actor, x);

    json_object_set_new(j, "envelope_waiting",
                        json_boolean(app_token_envelope_waiting(t->app, x->serial)));
    return collect(t->list, j);
}

static int list_cert(void *l, const cert_record *x)
{
    return collect(l, app_view_cert(x));
}

static int list_user(void *l, const user_record *x)
{
    return collect(l, app_view_user(x));
}

static int list_event(void *l, const audit_entry *x)
{
    return collect(l, app_view_audit(x));
}

/* ---- the session ---- */

static int session_show(api_call *c)
{
    const app_session *s = &c->session;

    return api_send_json(c->r, 200,
                         json_pack("{s:s, s:s, s:s, s:s, s:o}", "username", s->username,
                                   "display_name", s->display_name, "role", role_name(s->role),
                                   "agency", s->agency, "expires_at", app_view_time(s->expires_at)),
                         NULL);
}

static int session_logout(api_call *c)
{
    static const http_header clear[] = {
        {"Set-Cookie", COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"}, {NULL, NULL}};
    ct_error err = {0};

    app_logout(c->r->app, c->session.token, &err);
    return api_send_json(c->r, 200, json_pack("{s:b}", "ok", 1), clear);
}

static int session_password(api_call *c)
{
    const char *old_pw, *new_pw;
    ct_error err = {0};
    int rc = 0;

    if (api_get_string(c->r, c->body, "old_password", &old_pw, &rc) != 0 ||
        api_get_string(c->r, c->body, "new_password", &new_pw, &rc) != 0)
        return rc;
    if (app_password_change(c->r->app, &c->session, old_pw, new_pw, &err) != 0)
        return api_send_error(c->r, &err);
    return api_ok(c->r);
}

/* The subscriber's own lookup, without an account: where the request stands, nothing else. */
static int lookup(api_call *c)
{
    applicant_record ap;
    dossier_record d;
    ct_error err = {0};
    http_request *r = c->r;

    if (app_applicant_lookup(r->app, http_query(r, "code"), http_query(r, "id_number"), r->client,
                             &d, &ap, &err) != 0)
        return api_send_error(r, &err);
    return api_send_json(r, 200, app_view_lookup(&d, &ap), NULL);
}

/* ---- agencies ---- */

static int agencies_list(api_call *c)
{
    json_t *list = json_array();
    ct_error err = {0};

    return send_or_error(c->r, app_agency_list(c->r->app, &c->actor, list_agency, list, &err), &err,
                         200, list);
}

static int agency_add(api_call *c)
{
    app_agency_input in = {0};
    agency_record out;
    ct_error err = {0};
    int rc = 0;
    http_request *r = c->r;

    if (api_get_string(r, c->body, "code", &in.code, &rc) ||
        api_get_string(r, c->body, "name", &in.name, &rc) ||
        api_get_string(r, c->body, "parent", &in.parent, &rc) ||
        api_get_string(r, c->body, "province", &in.province, &rc) ||
        api_get_string(r, c->body, "head_name", &in.head_name, &rc) ||
        api_get_string(r, c->body, "head_title", &in.head_title, &rc) ||
        api_get_string(r, c->body, "kind", &in.kind, &rc) ||
        api_get_string(r, c->body, "email_domains", &in.email_domains, &rc))
        return rc;
    if (app_agency_add(r->app, &c->actor, &in, &out, &err) != 0)
        return api_send_error(r, &err);
    return api_send_json(r, 201, app_view_agency(&out), NULL);
}

/* An agency's official e-mail domains, which the CA officer's check compares addresses with. */
static int agency_domains(api_call *c)
{
    const char *domains = NULL;
    agency_record out;
    ct_error err = {0};
    int rc = 0;

    if (api_get_string(c->r, c->body, "email_domains", &domains, &rc) != 0)
        return rc;
    if (app_agency_set_domains(c->r->app, &c->actor, c->param[0], domains, &out, &err) != 0)
        return api_send_error(c->r, &err);
    return api_send_json(c->r, 200, app_view_agency(&out), NULL);
}

/* The certificates an agency's subscribers hold, each with the requests it may be the subject of
 * now: what the portal's request form offers. */
static int agency_certs(api_call *c)
{
    json_t *out = NULL;
    ct_error err = {0};

    if (app_agency_certs(c->r->app, &c->actor, c->param[0], &out, &err) != 0)
        return api_send_error(c->r, &err);
    return api_send_json(c->r, 200, out, NULL);
}

/* An agency's contacts: each field given is set ("" clears it), the others stay. */
static int agency_contacts(api_call *c)
{
    app_agency_contacts in = {0};
    agency_record out;
    ct_error err = {0};
    int rc = 0;
    http_request *r = c->r;

    if (api_get_string(r, c->body, "address", &in.address, &rc) ||
        api_get_string(r, c->body, "email", &in.email, &rc) ||
        api_get_string(r, c->body, "phone", &in.phone, &rc) ||
        api_get_string(r, c->body, "clerk_email", &in.clerk_email, &rc) ||
        api_get_string(r, c->body, "head_email", &in.head_email, &rc))
        return rc;
    if (app_agency_set_contacts(r->app, &c->actor, c->param[0], &in, &out, &err) != 0)
        return api_send_error(r, &err);
    return api_send_json(r, 200, app_view_agency(&out), NULL);
}

/* ---- the e-mail outbox ---- */

static int list_mail(void *l, const outbox_record *x)
{
    return collect(l, app_view_mail(x));
}

static int mail_list(api_call *c)
{
    json_t *list = json_array();
    ct_error err = {0};

    return send_or_error(
        c->r, app_mail_list(c->r->app, &c->actor, http_query(c->r, "state"), list_mail, list, &err),
        &err, 200, list);
}

static int mail_retry(api_call *c)
{
    char *end;
    long long id = strtoll(c->param[0], &end, 10);
    ct_error err = {0};

    if (*end != '\0' || id < 1) {
        ct_fail(&err, 404, "mail.not_found", "không có thư \"%s\"", "no message \"%s\"",
                c->param[0]);
        return api_send_error(c->r, &err);
    }
    if (app_mail_retry(c->r->app, &c->actor, (int64_t)id, &err) != 0)
        return api_send_error(c->r, &err);
    return api_ok(c->r);
}

/* ---- dossiers ---- */

typedef struct {
    json_t *list;
    const app_actor *actor;
    const dossier_record *d;
    int64_t now;
} dossier_list_ctx;

static int list_dossier(void *user, const dossier_record *d)
{
    dossier_list_ctx *l = user;

    return collect(l->list, app_view_dossier(l->actor, d, l->now));
}

static int list_applicant(void *user, const applicant_record *ap, json_t *view)
{
    dossier_list_ctx *l = user;

    (void)ap;
    return collect(l->list, view);
}

static int dossiers_list(api_call *c)
{
    dossier_filter f = {http_query(c->r, "agency"), http_query(c->r, "state"), 0,
                        http_query(c->r, "overdue") != NULL};
    dossier_list_ctx l = {json_array(), &c->actor, NULL, app_now()};
    ct_error err = {0};

    return send_or_error(c->r, app_dossier_list(c->r->app, &c->actor, &f, list_dossier, &l, &err),
                         &err, 200, l.list);
}

/* The dossier as the caller may see it: its applicants and timeline, with what they may do. */
static int send_dossier(api_call *c, const char *code, int status)
{
    dossier_record d;
    ct_error err = {0};
    dossier_list_ctx l = {json_array(), &c->actor, &d, app_now()};
    json_t *events = json_array(), *j;

    if (app_dossier_get(c->r->app, &c->actor, code, &d, &err) != 0 ||
        app_dossier_applicant_views(c->r->app, &c->actor, code, l.now, list_applicant, &l, &err) !=
            0 ||
        app_dossier_timeline(c->r->app, &c->actor, code, list_event, events, &err) != 0) {
        json_decref(l.list);
        json_decref(events);
        return api_send_error(c->r, &err);
    }
    j = app_view_dossier(&c->actor, &d, l.now);
    json_object_set_new(j, "applicants", l.list);
    json_object_set_new(j, "timeline", events);
    return api_send_json(c->r, status, j, NULL);
}

static int dossier_show(api_call *c)
{
    return send_dossier(c, c->param[0], 200);
}

/* An official paper, as kept: HTML (its style sheet inside it, no script allowed) or PDF,
 * shown in the browser and saved under its own name. */
static int send_paper(api_call *c, app_paper_kind kind, int64_t applicant, app_paper_format format)
{
    app_paper p;
    ct_error err = {0};
    char disposition[200], etag[72];
    int rc;

    if (app_dossier_paper(c->r->app, &c->actor, c->param[0], kind, applicant, format, &p, &err) !=
        0)
        return api_send_error(c->r, &err);
    snprintf(disposition, sizeof disposition, "inline; filename=\"%s\"", p.filename);
    snprintf(etag, sizeof etag, "\"%s\"", p.sha256);
    http_header headers[] = {{"Content-Disposition", disposition},
                             {"Content-Security-Policy",
                              "default-src 'none'; style-src 'unsafe-inline'; "
                              "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"},
                             {"X-Frame-Options", "DENY"},
                             {"Cache-Control", "private, no-cache"},
                             {"ETag", etag},
                             {NULL, NULL}};
    rc = http_send(c->r, 200, p.content_type, p.bytes, p.len, headers);
    app_paper_free(&p);
    return rc;
}

/* GET dossiers/{code}/papers/{kind}?format=pdf|html[&applicant=N] */
static int dossier_paper(api_call *c)
{
    const char *format = http_query(c->r, "format"), *n = http_query(c->r, "applicant");
    app_paper_kind kind;
    app_paper_format f = APP_PAPER_HTML;
    int64_t applicant = 0;
    char *end = NULL;
    ct_error err = {0};

    if (app_paper_kind_parse(c->param[1], &kind, &err) != 0)
        return api_send_error(c->r, &err);
    if (format && strcmp(format, "pdf") == 0)
        f = APP_PAPER_PDF;
    else if (format && strcmp(format, "html") != 0)
        return api_fail(c->r, 400, "paper.format_invalid", "định dạng phải là pdf hoặc html",
                        "the format must be pdf or html");
    if (n) {
        long long v = strtoll(n, &end, 10);
        if (end == n || *end != '\0' || v <= 0)
            return api_fail(c->r, 400, "paper.applicant_invalid",
                            "số thứ tự người đề nghị không hợp lệ", "invalid applicant number");
        applicant = v;
    }
    return send_paper(c, kind, applicant, f);
}

/* The receipt and the pickup notice at their first addresses: the same papers, as HTML. */
static int dossier_receipt(api_call *c)
{
    return send_paper(c, APP_PAPER_RECEIPT, 0, APP_PAPER_HTML);
}

static int dossier_notice(api_call *c)
{
    return send_paper(c, APP_PAPER_PICKUP, 0, APP_PAPER_HTML);
}

static int dossier_letter(api_call *c)
{
    draft_record d;
    unsigned char *data;
    size_t len;
    ct_error err = {0};

    if (app_dossier_letter(c->r->app, &c->actor, c->param[0], &data, &len, &d, &err) != 0)
        return api_send_error(c->r, &err);
    return api_send_letter(c->r, &d, data, len);
}

/* A request about certificates already issued: "kind", "reason" (revocation), and
 * "certificates", each a serial or {"serial", and for a change "full_name", "unit", "position",
 * "email"}. */
static int dossier_request(api_call *c, const char *kind)
{
    app_request in = {.kind = kind};
    app_request_cert *certs = NULL;
    json_t *list = json_object_get(c->body, "certificates"), *item;
    dossier_record d;
    ct_error err = {0};
    size_t i;
    int rc = 0;
    http_request *r = c->r;

    if (api_get_string(r, c->body, "agency", &in.intake.agency, &rc) ||
        api_get_string(r, c->body, "channel", &in.intake.channel, &rc) ||
        api_get_string(r, c->body, "confirmed_by", &in.intake.confirmed_by, &rc) ||
        api_get_string(r, c->body, "confirmed_on", &in.intake.confirmed_on, &rc) ||
        api_get_string(r, c->body, "reason", &in.reason, &rc))
        return rc;
    if (list && !json_is_array(list))
        return api_fail(r, 400, "json.type", "\"certificates\" phải là mảng",
                        "\"certificates\" must be an array");
    in.n_certs = json_array_size(list);
    if (in.n_certs > 1000)
        in.n_certs = 1001; /* refused by the use case, without reading the rest */
    certs = calloc(in.n_certs ? in.n_certs : 1, sizeof *certs);
    if (certs == NULL)
        return api_fail(r, 500, "oom", "hết bộ nhớ", "out of memory");
    json_array_foreach(list, i, item)
    {
        if (i >= in.n_certs)
            break;
        if (json_is_string(item)) {
            certs[i].serial = json_string_value(item);
            continue;
        }
        if (!json_is_object(item) || api_get_string(r, item, "serial", &certs[i].serial, &rc) ||
            api_get_string(r, item, "full_name", &certs[i].full_name, &rc) ||
            api_get_string(r, item, "unit", &certs[i].unit, &rc) ||
            api_get_string(r, item, "position", &certs[i].position, &rc) ||
            api_get_string(r, item, "email", &certs[i].email, &rc)) {
            free(certs);
            return rc ? rc
                      : api_fail(r, 400, "json.type",
                                 "mỗi chứng thư là số hiệu hoặc đối tượng {\"serial\": …}",
                                 "each certificate is a serial or an object {\"serial\": …}");
        }
    }
    in.certs = certs;
    rc = app_dossier_request(r->app, &c->actor, &in, &d, &err);
    free(certs);
    if (rc != 0)
        return api_send_error(r, &err);
    return api_send_json(r, 201, app_view_dossier(&c->actor, &d, app_now()), NULL);
}

/* A dossier that came in person or by post, recorded by the CA (agencies submit online through
 * drafts). The list: "csv" text, or "applicants" objects. With a "kind" other than "new", a
 * request about certificates already issued (above), from the agency online too. */
static int dossier_submit(api_call *c)
{
    app_submission in = {0};
    dossier_record d;
    ct_error err = {0};
    app_list_errors problems = {0};
    const char *csv = NULL;
    char *list_json = NULL;
    int rc = 0;
    http_request *r = c->r;
    const char *kind = NULL;

    if (api_get_string(r, c->body, "kind", &kind, &rc))
        return rc;
    if (kind && strcmp(kind, "new") != 0)
        return dossier_request(c, kind);
    if (api_get_string(r, c->body, "agency", &in.agency, &rc) ||
        api_get_string(r, c->body, "channel", &in.channel, &rc) ||
        api_get_string(r, c->body, "confirmed_by", &in.confirmed_by, &rc) ||
        api_get_string(r, c->body, "confirmed_on", &in.confirmed_on, &rc) ||
        api_get_string(r, c->body, "csv", &csv, &rc))
        return rc;
    if (csv) {
        in.format = "csv";
        in.data = (const unsigned char *)csv;
        in.len = strlen(csv);
    } else {
        json_t *list = json_object_get(c->body, "applicants");
        list_json = json_dumps(list ? list : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
        in.format = "json";
        in.data = (const unsigned char *)(list_json ? list_json : "null");
        in.len = strlen((const char *)in.data);
    }
    rc = app_dossier_submit(r->app, &c->actor, &in, &d, &problems, &err);
    free(list_json);
    if (rc != 0) {
        rc = api_send_list_error(r, &err, &problems);
        app_list_errors_free(&problems);
        return rc;
    }
    return api_send_json(r, 201, app_view_dossier(&c->actor, &d, app_now()), NULL);
}

/* A step of the procedure; the answer is the dossier as it now stands. A resubmission may
 * bring a new list as POST dossiers does: "csv" text or "applicants" objects. */
static int dossier_step(api_call *c)
{
    proc_action action;
    app_step_args args = {0};
    ct_error err = {0};
    app_list_errors problems = {0};
    approval_record pending;
    const char *at = NULL, *effective = NULL, *csv = NULL;
    char *list_json = NULL;
    json_t *n = json_object_get(c->body, "applicant");
    json_t *applicants = json_object_get(c->body, "applicants");
    int rc = 0;
    http_request *r = c->r;

    if (proc_action_parse(c->param[1], &action, &err) != 0) {
        err.status = 404;
        return api_send_error(r, &err);
    }
    if (n && !json_is_integer(n))
        return api_fail(r, 400, "json.type", "\"applicant\" phải là số nguyên",
                        "\"applicant\" must be an integer");
    args.applicant = n ? (int64_t)json_integer_value(n) : 0;
    if (api_get_string(r, c->body, "reason", &args.reason, &rc) ||
        api_get_string(r, c->body, "place", &args.pickup_place, &rc) ||
        api_get_string(r, c->body, "at", &at, &rc) ||
        api_get_string(r, c->body, "effective_at", &effective, &rc) ||
        api_get_string(r, c->body, action == ACT_HANDED_OVER ? "handed_to" : "received_by",
                       &args.person, &rc) ||
        api_get_string(r, c->body, "csv", &csv, &rc))
        return rc;
    if ((at && api_parse_time(at, &args.pickup_at) != 0) ||
        (effective && api_parse_time(effective, &args.effective_at) != 0))
        return api_fail(r, 400, "api.time", "thời gian dạng \"YYYY-MM-DD HH:MM\" (giờ Việt Nam)",
                        "times are \"YYYY-MM-DD HH:MM\" (Vietnam time)");
    if (csv) {
        args.list_format = "csv";
        args.list = (const unsigned char *)csv;
        args.list_len = strlen(csv);
    } else if (applicants) {
        list_json = json_dumps(applicants, JSON_COMPACT | JSON_ENCODE_ANY);
        args.list_format = "json";
        args.list = (const unsigned char *)(list_json ? list_json : "null");
        args.list_len = strlen((const char *)args.list);
    }
    args.list_errors = &problems;
    rc = app_dossier_step_or_request(r->app, &c->actor, c->param[0], action, &args, &pending, &err);
    free(list_json);
    if (rc == APP_PENDING)
        return api_send_pending(r, &pending);
    if (rc != 0) {
        rc = api_send_list_error(r, &err, &problems);
        app_list_errors_free(&problems);
        return rc;
    }
    return send_dossier(c, c->param[0], 200);
}

/* ---- tokens, certificates, accounts ---- */

static int tokens_list(api_call *c)
{
    token_list t = {c->r->app, &c->actor, json_array()};
    ct_error err = {0};

    return send_or_error(
        c->r, app_token_list(c->r->app, &c->actor, http_query(c->r, "state"), list_token, &t, &err),
        &err, 200, t.list);
}

/* The PIN envelope, printed once (?format=html, the default, or pdf): the page holds the PIN,
 * so no cache may keep it, and it is wiped once sent. The portal opens it with a plain form POST
 * into a tab of its own, so the route takes no JSON body. */
static int token_envelope(api_call *c)
{
    const char *format = http_query(c->r, "format");
    app_paper page;
    ct_error err = {0};
    char disposition[200];
    int rc;

    if (format && strcmp(format, "html") != 0 && strcmp(format, "pdf") != 0)
        return api_fail(c->r, 400, "paper.format_invalid", "định dạng phải là pdf hoặc html",
                        "the format must be pdf or html");
    if (app_token_envelope_print(c->r->app, &c->actor, c->param[0],
                                 format && strcmp(format, "pdf") == 0 ? APP_PAPER_PDF
                                                                      : APP_PAPER_HTML,
                                 &page, &err) != 0)
        return api_send_error(c->r, &err);
    snprintf(disposition, sizeof disposition, "inline; filename=\"%s\"", page.filename);
    http_header headers[] = {{"Content-Disposition", disposition},
                             {"Content-Security-Policy",
                              "default-src 'none'; style-src 'unsafe-inline'; "
                              "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"},
                             {"X-Frame-Options", "DENY"},
                             {"Cache-Control", "no-store"},
                             {NULL, NULL}};
    rc = http_send(c->r, 200, page.content_type, page.bytes, page.len, headers);
    app_token_envelope_discard(&page);
    return rc;
}

/* Token care: one move of the token's custody; the answer is the token as it now stands. */
static int token_care(api_call *c, token_action action)
{
    const char *reason;
    token_record t;
    ct_error err = {0};
    int rc = 0;
    json_t *j;

    if (api_get_string(c->r, c->body, "reason", &reason, &rc) != 0)
        return rc;
    if (app_token_care(c->r->app, &c->actor, c->param[0], action, reason, &t, &err) != 0)
        return api_send_error(c->r, &err);
    j = app_view_token(&c->actor, &t);
    json_object_set_new(j, "envelope_waiting",
                        json_boolean(app_token_envelope_waiting(c->r->app, t.serial)));
    return api_send_json(c->r, 200, j, NULL);
}

static int token_reset_pin(api_call *c)
{
    return token_care(c, TOKEN_ACT_RESET_PIN);
}

static int token_lost(api_call *c)
{
    return token_care(c, TOKEN_ACT_LOST);
}

static int token_broken(api_call *c)
{
    return token_care(c, TOKEN_ACT_BROKEN);
}

static int token_returned(api_call *c)
{
    return token_care(c, TOKEN_ACT_RETURNED);
}

static int token_destroy(api_call *c)
{
    return token_care(c, TOKEN_ACT_DESTROY);
}

static int tokens_stock(api_call *c)
{
    json_t *count = json_object_get(c->body, "count");
    ct_error err = {0};

    if (!json_is_integer(count))
        return api_fail(c->r, 400, "json.type", "\"count\" phải là số nguyên",
                        "\"count\" must be an integer");
    if (app_token_stock(c->r->app, &c->actor, (int)json_integer_value(count), &err) != 0)
        return api_send_error(c->r, &err);
    return api_ok(c->r);
}

static int certs_list(api_call *c)
{
    cert_filter f = {http_query(c->r, "status"), http_query(c->r, "kind"), http_query(c->r, "q"),
                     200, 0};
    json_t *list = json_array();
    ct_error err = {0};

    return send_or_error(c->r, app_cert_list(c->r->app, &c->actor, &f, list_cert, list, &err), &err,
                         200, list);
}

static int cert_show(api_call *c)
{
    cert_record rec;
    ct_error err = {0};
    json_t *j;

    if (app_cert_get(c->r->app, &c->actor, c->param[0], &rec, &err) != 0)
        return api_send_error(c->r, &err);
    j = app_view_cert(&rec);
    cert_record_free(&rec);
    return api_send_json(c->r, 200, j, NULL);
}

static int cert_revoke(api_call *c)
{
    const char *reason;
    ct_error err = {0};
    int rc = 0;
    approval_record pending;

    if (api_get_string(c->r, c->body, "reason", &reason, &rc) != 0)
        return rc;
    rc = app_cert_revoke_or_request(c->r->app, &c->actor, c->param[0],
                                    reason ? reason : "unspecified", &pending, &err);
    if (rc < 0)
        return api_send_error(c->r, &err);
    return rc == APP_PENDING ? api_send_pending(c->r, &pending) : api_ok(c->r);
}

/* The imported issuing CA key put in use; with [approvals] activate = 2, a request. */
static int ca_activate(api_call *c)
{
    approval_record pending;
    ct_error err = {0};
    int rc = app_ca_activate_or_request(c->r->app, &c->actor, &pending, &err);

    if (rc < 0)
        return api_send_error(c->r, &err);
    return rc == APP_PENDING ? api_send_pending(c->r, &pending) : api_ok(c->r);
}

static int users_list(api_call *c)
{
    json_t *list = json_array();
    ct_error err = {0};

    return send_or_error(c->r, app_user_list(c->r->app, &c->actor, list_user, list, &err), &err,
                         200, list);
}

static int user_add(api_call *c)
{
    approval_record pending;
    app_user_input in = {0};
    ct_error err = {0};
    int rc = 0;
    http_request *r = c->r;

    if (api_get_string(r, c->body, "username", &in.username, &rc) ||
        api_get_string(r, c->body, "display_name", &in.display_name, &rc) ||
        api_get_string(r, c->body, "role", &in.role, &rc) ||
        api_get_string(r, c->body, "agency", &in.agency, &rc) ||
        api_get_string(r, c->body, "password", &in.password, &rc))
        return rc;
    rc = app_user_add_or_request(r->app, &c->actor, &in, &pending, &err);
    if (rc < 0)
        return api_send_error(r, &err);
    if (rc == APP_PENDING)
        return api_send_pending(r, &pending);
    return api_send_json(r, 201, json_pack("{s:s}", "username", in.username), NULL);
}

static int user_disable(api_call *c)
{
    approval_record pending;
    ct_error err = {0};
    int rc = app_user_disable_or_request(c->r->app, &c->actor, c->param[0], &pending, &err);

    if (rc < 0)
        return api_send_error(c->r, &err);
    return rc == APP_PENDING ? api_send_pending(c->r, &pending) : api_ok(c->r);
}

static int user_set_role(api_call *c)
{
    approval_record pending;
    const char *new_role = NULL, *agency = NULL;
    ct_error err = {0};
    int rc = 0;

    if (api_get_string(c->r, c->body, "role", &new_role, &rc) ||
        api_get_string(c->r, c->body, "agency", &agency, &rc))
        return rc;
    rc = app_user_set_role_or_request(c->r->app, &c->actor, c->param[0], new_role, agency, &pending,
                                      &err);
    if (rc < 0)
        return api_send_error(c->r, &err);
    return rc == APP_PENDING ? api_send_pending(c->r, &pending) : api_ok(c->r);
}

/* ---- the audit trail and the calendar ---- */

static int audit_verify(api_call *c)
{
    app_audit_report rep;
    ct_error err = {0};

    if (app_audit_verify(c->r->app, &c->actor, &rep, &err) != 0)
        return api_send_error(c->r, &err);
    return api_send_json(c->r, 200,
                         json_pack("{s:b, s:I, s:I, s:s}", "ok", rep.first_bad_id == 0, "rows",
                                   (json_int_t)rep.rows, "first_bad_row",
                                   (json_int_t)rep.first_bad_id, "problem", rep.problem),
                         NULL);
}

static int calendar_holidays_list(api_call *c)
{
    ct_date days[64];
    const char *names[64];
    const char *year = http_query(c->r, "year");
    size_t n = calendar_holidays(app_calendar(c->r->app), year ? atoi(year) : 0, days, names, 64);
    json_t *list = json_array();

    for (size_t i = 0; i < n; i++) {
        char d[11];
        ct_date_format(days[i], d);
        json_array_append_new(list,
                              json_pack("{s:s, s:s}", "date", d, "name", names[i] ? names[i] : ""));
    }
    return api_send_json(c->r, 200, list, NULL);
}

static int calendar_add_days(api_call *c)
{
    ct_date d, result;
    const char *from = http_query(c->r, "date"), *n = http_query(c->r, "n");
    char out[11], *end = NULL;
    long days = n ? strtol(n, &end, 10) : 0;
    ct_error err = {0};

    if (from == NULL || n == NULL || ct_date_parse(from, &d) != 0 || end == n || *end != '\0')
        return api_fail(c->r, 400, "calendar.bad_date", "cần ?date=YYYY-MM-DD&n=SỐ",
                        "give ?date=YYYY-MM-DD&n=NUMBER");
    if (calendar_add_working_days_checked(app_calendar(c->r->app), d, days, &result, &err) != 0)
        return api_send_error(c->r, &err);
    ct_date_format(result, out);
    return api_send_json(
        c->r, 200, json_pack("{s:s, s:i, s:s}", "from", from, "n", (int)days, "date", out), NULL);
}

/* ---- reports: ?from=YYYY-MM-DD&to=YYYY-MM-DD&agency=CODE ---- */

static int report_read(api_call *c, app_report_data *rep, ct_error *err)
{
    app_report_options opt = {http_query(c->r, "from"), http_query(c->r, "to"),
                              http_query(c->r, "agency")};

    return app_report(c->r->app, &c->actor, &opt, rep, err);
}

static int report_show(api_call *c)
{
    app_report_data rep;
    ct_error err = {0};
    json_t *j;

    if (report_read(c, &rep, &err) != 0) {
        app_report_free(&rep);
        return api_send_error(c->r, &err);
    }
    j = app_report_view(&rep);
    app_report_free(&rep);
    return api_send_json(c->r, 200, j, NULL);
}

/* A table (CSV) or a chart (SVG) of the report, as a file: what the portal links and shows. */
static int report_file(api_call *c, bool chart)
{
    app_report_data rep;
    ct_error err = {0};
    char *body = NULL, disposition[160];
    int rc;
    /* a chart opened on its own runs nothing and loads nothing */
    const http_header headers[] = {
        {"Cache-Control", "private, no-store"},
        {"Content-Disposition", disposition},
        {"Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"},
        {NULL, NULL}};

    if (report_read(c, &rep, &err) == 0)
        rc = chart ? app_report_svg(&rep, c->param[0], &body, &err)
                   : app_report_csv(&rep, c->param[0], &body, &err);
    else
        rc = -1;
    if (rc != 0) {
        app_report_free(&rep);
        return api_send_error(c->r, &err);
    }
    /* the name is made of the route's own word (checked by app) and the parsed dates */
    snprintf(disposition, sizeof disposition, "%s; filename=\"bao-cao-%s-%s-%s.%s\"",
             chart ? "inline" : "attachment", c->param[0], rep.from, rep.to, chart ? "svg" : "csv");
    app_report_free(&rep);
    rc = http_send(c->r, 200, chart ? "image/svg+xml; charset=utf-8" : "text/csv; charset=utf-8",
                   body, strlen(body), headers);
    free(body);
    return rc;
}

static int report_csv(api_call *c)
{
    return report_file(c, false);
}

static int report_svg(api_call *c)
{
    return report_file(c, true);
}

static int routes_list(api_call *c);

/* ---- the table ---- */

/* clang-format off */
static const api_route routes[] = {
    /* method  pattern                          roles                               json   handler */
    {"POST", "session",                         0,                                  false, api_login},
    {"GET",  "session",                         ANY_ROLE,                           false, session_show},
    {"POST", "session/logout",                  ANY_ROLE,                           true,  session_logout},
    {"POST", "session/password",                ANY_ROLE,                           true,  session_password},
    {"GET",  "lookup",                          0,                                  false, lookup},
    {"GET",  "routes",                          0,                                  false, routes_list},
    {"GET",  "agencies",                        ANY_ROLE,                           false, agencies_list},
    {"POST", "agencies",                        ROLES_CA,                           true,  agency_add},
    {"POST", "agencies/{code}/domains",         ROLES_CA,                           true,  agency_domains},
    {"POST", "agencies/{code}/contacts",        ROLES_CA,                           true,  agency_contacts},
    {"GET",  "agencies/{code}/certificates",    ROLES_AGENCY | READERS,             false, agency_certs},
    {"GET",  "dossiers",                        ANY_ROLE,                           false, dossiers_list},
    {"POST", "dossiers",                        ROLE_CA_OFFICER | ROLES_AGENCY,     true,  dossier_submit},
    {"GET",  "dossiers/{code}",                 ANY_ROLE,                           false, dossier_show},
    {"GET",  "dossiers/{code}/receipt",         ANY_ROLE,                           false, dossier_receipt},
    {"GET",  "dossiers/{code}/notice",          ANY_ROLE,                           false, dossier_notice},
    {"GET",  "dossiers/{code}/papers/{kind}",   ROLES_CA | ROLES_AGENCY | ROLE_AUDITOR, false, dossier_paper},
    {"GET",  "dossiers/{code}/letter",          ANY_ROLE,                           false, dossier_letter},
    {"POST", "dossiers/{code}/letter",          ROLES_AGENCY,                       false, api_dossier_letter_put},
    {"POST", "dossiers/{code}/{action}",        ROLE_CA_OFFICER | ROLES_AGENCY,     true,  dossier_step},
    {"GET",  "drafts",                          ROLES_AGENCY | ROLE_AUDITOR,        false, api_drafts_list},
    {"POST", "drafts",                          ROLE_AGENCY_CLERK,                  true,  api_draft_create},
    {"GET",  "drafts/{id}",                     ROLES_AGENCY | ROLE_AUDITOR,        false, api_draft_show},
    {"GET",  "drafts/{id}/letter",              ROLES_AGENCY | ROLE_AUDITOR,        false, api_draft_letter_get},
    {"GET",  "drafts/{id}/rows",                ROLES_AGENCY | ROLE_AUDITOR,        false, api_draft_rows},
    {"POST", "drafts/{id}/list",                ROLE_AGENCY_CLERK,                  false, api_draft_list_put},
    {"POST", "drafts/{id}/letter",              ROLE_AGENCY_CLERK,                  false, api_draft_letter_put},
    {"POST", "drafts/{id}/confirm",             ROLE_AGENCY_HEAD,                   true,  api_draft_confirm},
    {"POST", "drafts/{id}/submit",              ROLES_AGENCY,                       true,  api_draft_submit},
    {"POST", "drafts/{id}/delete",              ROLE_AGENCY_CLERK,                  true,  api_draft_delete},
    {"GET",  "tokens",                          READERS,                            false, tokens_list},
    {"POST", "tokens/stock",                    ROLES_CA,                           true,  tokens_stock},
    {"POST", "tokens/{serial}/envelope",        ROLES_CA,                           false, token_envelope},
    {"POST", "tokens/{serial}/reset-pin",       ROLES_CA,                           true,  token_reset_pin},
    {"POST", "tokens/{serial}/lost",            ROLES_CA | ROLE_AGENCY_CLERK,       true,  token_lost},
    {"POST", "tokens/{serial}/broken",          ROLES_CA,                           true,  token_broken},
    {"POST", "tokens/{serial}/returned",        ROLES_CA,                           true,  token_returned},
    {"POST", "tokens/{serial}/destroy",         ROLES_CA,                           true,  token_destroy},
    {"GET",  "certificates",                    READERS,                            false, certs_list},
    {"GET",  "certificates/{serial}",           READERS,                            false, cert_show},
    {"POST", "certificates/{serial}/revoke",    ROLES_CA,                           true,  cert_revoke},
    {"POST", "ca/activate",                     ROLE_CA_ADMIN,                      true,  ca_activate},
    {"GET",  "users",                           ROLE_CA_ADMIN | ROLE_AUDITOR,       false, users_list},
    {"POST", "users",                           ROLE_CA_ADMIN,                      true,  user_add},
    {"POST", "users/{username}/disable",        ROLE_CA_ADMIN,                      true,  user_disable},
    {"POST", "users/{username}/role",           ROLE_CA_ADMIN,                      true,  user_set_role},
    {"GET",  "approvals",                       ROLES_CA,                           false, api_approvals_list},
    {"POST", "approvals/{id}/approve",          ROLES_CA,                           true,  api_approval_approve},
    {"POST", "approvals/{id}/decline",          ROLES_CA,                           true,  api_approval_decline},
    {"GET",  "mail",                            READERS,                            false, mail_list},
    {"POST", "mail/{id}/retry",                 ROLES_CA,                           true,  mail_retry},
    {"GET",  "audit/verify",                    READERS,                            false, audit_verify},
    {"GET",  "reports",                         READERS,                            false, report_show},
    {"GET",  "reports/{table}.csv",             READERS,                            false, report_csv},
    {"GET",  "reports/{chart}.svg",             READERS,                            false, report_svg},
    {"GET",  "calendar/holidays",               ANY_ROLE,                           false, calendar_holidays_list},
    {"GET",  "calendar/add-working-days",       ANY_ROLE,                           false, calendar_add_days},
};
/* clang-format on */

const api_route *api_routes(size_t *count)
{
    *count = sizeof routes / sizeof routes[0];
    return routes;
}

/* The table itself, for people and tests: each route with the roles that may call it. */
static int routes_list(api_call *c)
{
    static const role each[] = {ROLE_AGENCY_CLERK, ROLE_AGENCY_HEAD, ROLE_CA_OFFICER, ROLE_CA_ADMIN,
                                ROLE_AUDITOR};
    json_t *list = json_array();

    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        json_t *roles = json_array();
        for (size_t k = 0; k < sizeof each / sizeof each[0]; k++)
            if (routes[i].roles & each[k])
                json_array_append_new(roles, json_string(role_name(each[k])));
        json_array_append_new(list, json_pack("{s:s, s:s, s:b, s:o}", "method", routes[i].method,
                                              "pattern", routes[i].pattern, "session",
                                              routes[i].roles != 0, "roles", roles));
    }
    return api_send_json(c->r, 200, list, NULL);
}
