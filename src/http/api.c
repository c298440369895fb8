/*
 * api.c — the JSON API under /api/v1/ (the online channel and the portal), over the same
 * src/app functions as the command line.
 *
 * Sessions: POST /api/v1/session with a user name and password sets an HttpOnly,
 * SameSite=Strict cookie (+Secure behind TLS); every other route resolves it and acts as that
 * user, so the role and agency checks of src/app apply to every call. State-changing calls must
 * be application/json (a cross-site form cannot send that without the browser asking first), or
 * for a draft's uploads their own declared type, and a POST that names where it comes from
 * (Origin, else Referer, as browsers send) must come from this site.
 * Errors are {"code", "message", "message_vi", "message_en"} with the HTTP status of the error's
 * class. Routes and examples: docs/api.md.
 */
#include "http/http.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <microhttpd.h>

#include "core/calendar.h"

#define COOKIE "chungthu_session"

/* ---- answers ---- */

int api_send_json(http_request *r, int status, json_t *j, const http_header *headers)
{
    /* j is NULL only when memory ran out (json_pack refuses invalid UTF-8, and every string we
     * give it is valid: error messages are made so in core, inputs are checked by the router) */
    static const char oom[] = "{\"code\":\"http.out_of_memory\",\"message\":\"hết bộ nhớ\","
                              "\"message_vi\":\"hết bộ nhớ\",\"message_en\":\"out of memory\"}";
    char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    int rc;

    json_decref(j);
    if (body == NULL)
        return http_send(r, 500, "application/json; charset=utf-8", oom, sizeof oom - 1, NULL);
    rc = http_send(r, status, "application/json; charset=utf-8", body, strlen(body), headers);
    free(body);
    return rc;
}

int api_send_error_with(http_request *r, const ct_error *err, const http_header *headers)
{
    int status = err->status >= 400 && err->status <= 599 ? err->status : 500;
    char seconds[24];
    /* a rate limit or quota says when to come back (RFC 9110 10.2.3) */
    http_header retry[] = {{"Retry-After", seconds}, {NULL, NULL}};

    snprintf(seconds, sizeof seconds, "%d", err->retry_after);
    return api_send_json(
        r, status,
        json_pack("{s:s, s:s, s:s, s:s}", "code", err->code, "message",
                  r->english ? err->en : err->vi, "message_vi", err->vi, "message_en", err->en),
        headers == NULL && status == 429 && err->retry_after > 0 ? retry : headers);
}

int api_send_error(http_request *r, const ct_error *err)
{
    return api_send_error_with(r, err, NULL);
}

int api_fail(http_request *r, int status, const char *code, const char *vi, const char *en)
{
    ct_error err = {0};

    ct_fail_text(&err, status, code, vi, en);
    return api_send_error(r, &err);
}

json_t *api_time_json(int64_t t)
{
    char buf[32];
    time_t tt = (time_t)t;
    struct tm tm;

    if (t == 0)
        return json_null();
    gmtime_r(&tt, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(buf);
}

/* "YYYY-MM-DD HH:MM" (Vietnam time) or "…T…Z" (UTC) */
static int parse_time(const char *s, int64_t *out)
{
    char day[11];
    int h, m, sec = 0;
    ct_date d;

    if (s == NULL || strlen(s) < 16)
        return -1;
    memcpy(day, s, 10);
    day[10] = '\0';
    if (ct_date_parse(day, &d) != 0 || sscanf(s + 11, "%d:%d", &h, &m) != 2 || h < 0 || h > 23 ||
        m < 0 || m > 59)
        return -1;
    if (s[10] == 'T' && strchr(s, 'Z')) {
        sscanf(s + 17, "%d", &sec);
        *out = ct_local_to_utc(d, h * 60 + m) + 7 * 3600 + sec;
    } else if (s[10] == ' ') {
        *out = ct_local_to_utc(d, h * 60 + m);
    } else {
        return -1;
    }
    return 0;
}

/* The path segment [s, s+len) into out; false when it cannot fit, for then no record has it
 * as its key (a cut one could name another record, or end inside a character). */
static bool path_segment(char *out, size_t size, const char *s, size_t len)
{
    if (len >= size)
        return false;
    memcpy(out, s, len);
    out[len] = '\0';
    return true;
}

/* ---- the session ---- */

int api_require_session(http_request *r, app_session *s)
{
    const char *token = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, COOKIE);
    ct_error err = {0};

    if (app_session_resolve(r->app, token, s, &err) != 0) {
        api_send_error(r, &err);
        return -1;
    }
    return 0;
}

bool api_content_type_is(http_request *r, const char *type)
{
    const char *t = http_header_value(r, "Content-Type");
    size_t n = strlen(type);

    /* the media type alone, before any parameter ("; charset=utf-8"); case does not matter */
    return t && strncasecmp(t, type, n) == 0 &&
           (t[n] == '\0' || t[n] == ';' || t[n] == ' ' || t[n] == '\t');
}

/* "scheme://host[:port]" of a URL as lower-case scheme and authority, the default port left out
 * (an Origin never carries it; a configured base URL might); false if it is not such a URL. */
static bool url_origin(const char *url, char *scheme, size_t scheme_size, char *authority,
                       size_t authority_size)
{
    const char *sep = url ? strstr(url, "://") : NULL;
    size_t n, k;

    if (sep == NULL || sep == url || (size_t)(sep - url) >= scheme_size)
        return false;
    for (k = 0; url + k < sep; k++)
        scheme[k] = (char)tolower((unsigned char)url[k]);
    scheme[k] = '\0';
    url = sep + 3;
    n = strcspn(url, "/?#");
    if (n == 0 || n >= authority_size)
        return false;
    for (k = 0; k < n; k++)
        authority[k] = (char)tolower((unsigned char)url[k]);
    authority[n] = '\0';
    if ((strcmp(scheme, "http") == 0 && n > 3 && strcmp(authority + n - 3, ":80") == 0) ||
        (strcmp(scheme, "https") == 0 && n > 4 && strcmp(authority + n - 4, ":443") == 0))
        *strrchr(authority, ':') = '\0';
    return true;
}

/* A browser names the page a POST comes from in Origin (or, older ones, Referer); from another
 * site is a forgery riding on the session cookie. The site is the configured public URL
 * ([profile] base_url) or the host the request was sent to (Host, which a browser sets and a
 * page cannot), over http or https. "null" (a sandboxed frame, a privacy-stripped request) is
 * not this site. A request naming neither is not from a browser's page and passes. */
static bool from_this_site(http_request *r)
{
    const char *origin = http_header_value(r, "Origin");
    const char *from = origin ? origin : http_header_value(r, "Referer");
    const char *host = http_header_value(r, "Host");
    char scheme[16], authority[256], own_scheme[16], own_authority[256];

    if (from == NULL)
        return true;
    if (!url_origin(from, scheme, sizeof scheme, authority, sizeof authority))
        return false;
    if (url_origin(app_get_config(r->app)->base_url, own_scheme, sizeof own_scheme, own_authority,
                   sizeof own_authority) &&
        strcmp(scheme, own_scheme) == 0 && strcmp(authority, own_authority) == 0)
        return true;
    if (host && (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0)) {
        char host_url[300];
        snprintf(host_url, sizeof host_url, "%s://%s", scheme, host);
        return url_origin(host_url, own_scheme, sizeof own_scheme, own_authority,
                          sizeof own_authority) &&
               strcmp(authority, own_authority) == 0;
    }
    return false;
}

/* The JSON body of a state-changing call; NULL after an error answer. */
json_t *api_json_body(http_request *r, int *rc)
{
    json_error_t jerr;
    json_t *j;

    if (!api_content_type_is(r, "application/json")) {
        *rc = api_fail(r, 415, "api.content_type", "nội dung phải là application/json",
                       "the body must be application/json");
        return NULL;
    }
    j = json_loadb((const char *)r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(j)) {
        char vi[300], en[300];
        snprintf(vi, sizeof vi, "JSON lỗi ở dòng %d, cột %d: %s", jerr.line, jerr.column,
                 jerr.text);
        snprintf(en, sizeof en, "malformed JSON at line %d, column %d: %s", jerr.line, jerr.column,
                 jerr.text);
        json_decref(j);
        *rc = api_fail(r, 400, "json.malformed", j ? "JSON phải là một đối tượng" : vi,
                       j ? "the JSON body must be an object" : en);
        return NULL;
    }
    return j;
}

/* A string member, or NULL when absent; a member of another type is an error. */
int api_get_string(http_request *r, json_t *j, const char *key, const char **out, int *rc)
{
    json_t *v = json_object_get(j, key);

    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        char vi[128], en[128];
        snprintf(vi, sizeof vi, "trường \"%s\" phải là chuỗi", key);
        snprintf(en, sizeof en, "field \"%s\" must be a string", key);
        *rc = api_fail(r, 400, "json.type", vi, en);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

static int login(http_request *r)
{
    int rc = 0;
    json_t *j = api_json_body(r, &rc);
    const char *user, *password;
    app_session s;
    ct_error err = {0};
    char cookie[200];

    if (j == NULL)
        return rc;
    if (api_get_string(r, j, "username", &user, &rc) != 0 ||
        api_get_string(r, j, "password", &password, &rc) != 0) {
        json_decref(j);
        return rc;
    }
    if (app_login(r->app, user, password, r->client, &s, &err) != 0) {
        json_decref(j);
        return api_send_error(r, &err);
    }
    json_decref(j);
    snprintf(cookie, sizeof cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
             COOKIE, s.token, 8 * 3600,
             http_header_value(r, "X-Forwarded-Proto") &&
                     strcmp(http_header_value(r, "X-Forwarded-Proto"), "https") == 0
                 ? "; Secure"
                 : "");
    {
        http_header headers[] = {
            {"Set-Cookie", cookie}, {"Cache-Control", "no-store"}, {NULL, NULL}};
        return api_send_json(r, 200,
                             json_pack("{s:s, s:s, s:s, s:s, s:o}", "username", s.username,
                                       "display_name", s.display_name, "role", role_name(s.role),
                                       "agency", s.agency, "expires_at",
                                       api_time_json(s.expires_at)),
                             headers);
    }
}

/* ---- JSON views of records ---- */

static json_t *agency_json(const agency_record *a)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "code", a->code, "name", a->name,
                     "parent", a->parent, "province", a->province, "head_name", a->head_name,
                     "head_title", a->head_title, "kind", a->kind);
}

json_t *api_dossier_json(const dossier_record *d, int64_t now)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:s, s:s, s:s, s:s, s:s}", "code",
                     d->code, "agency", d->agency, "channel", d->channel, "state", d->state,
                     "received_at", api_time_json(d->received_at), "counted_from", d->counted_from,
                     "due_step2", api_time_json(d->due_step2), "deadline",
                     d->state[0] == 'n' ? "paused"
                                        : deadline_status_name(app_deadline_status(
                                              d->due_step2, d->step2_done_at, now)),
                     "confirmed_by", d->confirmed_name, "confirmed_title", d->confirmed_title,
                     "reason", d->reason, "created_by", d->created_by);
}

static json_t *applicant_json(const applicant_record *ap, int64_t now)
{
    return json_pack(
        "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:s}",
        "n", (json_int_t)ap->n, "full_name", ap->full_name, "email", ap->email, "unit", ap->unit,
        "position", ap->position, "category", ap->category, "state", ap->state, "cert_serial",
        ap->cert_serial, "token_serial", ap->token_serial, "pickup_at",
        api_time_json(ap->pickup_at), "pickup_place", ap->pickup_place, "agency_received_at",
        api_time_json(ap->agency_received_at), "activation_requested_at",
        api_time_json(ap->activation_requested_at), "requested_effective_at",
        api_time_json(ap->requested_effective_at), "due_step4", api_time_json(ap->due_step4),
        "published_at", api_time_json(ap->published_at), "deadline_step4",
        deadline_status_name(app_deadline_status(ap->due_step4, ap->published_at, now)));
}

/* What the subscriber's own lookup shows, to anyone holding the code and an ID number: where
 * the request stands and when, nothing about the person (no name, e-mail, unit, position,
 * token serial or pickup place). */
static json_t *lookup_json(const applicant_record *ap)
{
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:s}", "state", ap->state, "pickup_at",
                     api_time_json(ap->pickup_at), "requested_effective_at",
                     api_time_json(ap->requested_effective_at), "due_step4",
                     api_time_json(ap->due_step4), "published_at", api_time_json(ap->published_at),
                     "reason", ap->reason);
}

static json_t *cert_json(const cert_record *c)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "serial", c->serial,
                     "kind", c->kind, "status", c->status, "subject", c->subject, "email", c->email,
                     "sha256", c->sha256, "not_before", api_time_json(c->not_before), "not_after",
                     api_time_json(c->not_after), "effective_at", api_time_json(c->effective_at),
                     "revoked_at", api_time_json(c->revoked_at));
}

static int collect_agency(void *ctx, const agency_record *a)
{
    json_array_append_new(ctx, agency_json(a));
    return 0;
}

typedef struct {
    json_t *list;
    int64_t now;
    bool overdue;
} dossiers_ctx;

static int collect_dossier(void *user, const dossier_record *d)
{
    dossiers_ctx *c = user;
    deadline_status st = app_deadline_status(d->due_step2, d->step2_done_at, c->now);

    if (c->overdue && !(strcmp(d->state, "accepted") == 0 && d->step2_done_at == 0 &&
                        (st == DEADLINE_LATE || st == DEADLINE_DUE_TODAY)))
        return 0;
    json_array_append_new(c->list, api_dossier_json(d, c->now));
    return 0;
}

static int collect_applicant(void *user, const applicant_record *ap)
{
    dossiers_ctx *c = user;

    json_array_append_new(c->list, applicant_json(ap, c->now));
    return 0;
}

static int collect_event(void *ctx, const audit_entry *e)
{
    json_array_append_new(ctx, json_pack("{s:I, s:o, s:s, s:s, s:s, s:s}", "id", (json_int_t)e->id,
                                         "at", api_time_json(e->at), "actor", e->actor, "role",
                                         e->role, "action", e->action, "object", e->object));
    return 0;
}

static int collect_token(void *ctx, const token_record *t)
{
    json_array_append_new(ctx,
                          json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "serial", t->serial, "label",
                                    t->label, "state", t->state, "cert_serial", t->cert_serial,
                                    "dossier", t->dossier, "applicant", (json_int_t)t->applicant));
    return 0;
}

static int collect_cert(void *ctx, const cert_record *c)
{
    json_array_append_new(ctx, cert_json(c));
    return 0;
}

static int collect_user(void *ctx, const user_record *u)
{
    json_array_append_new(ctx, json_pack("{s:s, s:s, s:s, s:s, s:b}", "username", u->username,
                                         "display_name", u->display_name, "role", u->role, "agency",
                                         u->agency, "disabled", u->disabled != 0));
    return 0;
}

/* ---- GET ---- */

static int get_dossier(http_request *r, const app_actor *actor, const char *code)
{
    dossier_record d;
    ct_error err = {0};
    dossiers_ctx c = {json_array(), app_now(), false};
    json_t *events = json_array(), *j;

    if (app_dossier_get(r->app, actor, code, &d, &err) != 0 ||
        app_dossier_applicants(r->app, actor, code, collect_applicant, &c, &err) != 0 ||
        app_dossier_timeline(r->app, actor, code, collect_event, events, &err) != 0) {
        json_decref(c.list);
        json_decref(events);
        return api_send_error(r, &err);
    }
    j = api_dossier_json(&d, c.now);
    json_object_set_new(j, "applicants", c.list);
    json_object_set_new(j, "timeline", events);
    return api_send_json(r, 200, j, NULL);
}

int api_get(http_request *r, const char *rest)
{
    app_session s;
    app_actor actor;
    ct_error err = {0};
    json_t *list;
    int rc = 0;
    bool handled;

    if (strcmp(rest, "session/logout") == 0) { /* it changes state: POST only */
        static const http_header allow[] = {{"Allow", "POST"}, {NULL, NULL}};
        return http_refuse(r, 405, "http.method", "Đăng xuất bằng POST.", "Log out with POST.",
                           allow);
    }
    if (strcmp(rest, "lookup") == 0) { /* the subscriber's own lookup: no account */
        applicant_record ap;
        if (app_applicant_lookup(r->app, http_query(r, "code"), http_query(r, "id_number"),
                                 r->client, &ap, &err) != 0)
            return api_send_error(r, &err);
        return api_send_json(r, 200, lookup_json(&ap), NULL);
    }
    if (api_require_session(r, &s) != 0)
        return MHD_YES;
    actor = app_session_actor(&s, r->client);
    rc = api_draft_get(r, &actor, rest, &handled);
    if (handled)
        return rc;
    list = json_array();
    if (strcmp(rest, "session") == 0) {
        json_decref(list);
        return api_send_json(r, 200,
                             json_pack("{s:s, s:s, s:s, s:s}", "username", s.username,
                                       "display_name", s.display_name, "role", role_name(s.role),
                                       "agency", s.agency),
                             NULL);
    } else if (strcmp(rest, "agencies") == 0) {
        rc = app_agency_list(r->app, &actor, collect_agency, list, &err);
    } else if (strcmp(rest, "dossiers") == 0) {
        dossier_filter f = {http_query(r, "agency"), http_query(r, "state"), 0};
        dossiers_ctx c = {list, app_now(), http_query(r, "overdue") != NULL};
        rc = app_dossier_list(r->app, &actor, &f, collect_dossier, &c, &err);
    } else if (strncmp(rest, "dossiers/", 9) == 0) {
        char code[64];
        const char *slash = strchr(rest + 9, '/');
        json_decref(list);
        if (!path_segment(code, sizeof code, rest + 9,
                          slash ? (size_t)(slash - rest - 9) : strlen(rest + 9)))
            return api_fail(r, 404, "dossier.not_found", "không tìm thấy hồ sơ này",
                            "no such dossier");
        if (slash && (strcmp(slash, "/receipt") == 0 || strcmp(slash, "/notice") == 0)) {
            slip_kind kind = strcmp(slash, "/notice") == 0 ? SLIP_PICKUP_NOTICE : SLIP_RECEIPT;
            char *html;
            if (app_dossier_receipt(r->app, &actor, code, kind, SLIP_HTML, &html, &err) != 0)
                return api_send_error(r, &err);
            return http_send_html(r, 200, html);
        }
        if (slash && strcmp(slash, "/letter") == 0) {
            draft_record d;
            unsigned char *data;
            size_t len;
            if (app_dossier_letter(r->app, &actor, code, &data, &len, &d, &err) != 0)
                return api_send_error(r, &err);
            return api_send_letter(r, &d, data, len);
        }
        if (slash)
            return api_fail(r, 404, "api.not_found", "không có địa chỉ này", "no such route");
        return get_dossier(r, &actor, code);
    } else if (strcmp(rest, "tokens") == 0) {
        rc = app_token_list(r->app, &actor, http_query(r, "state"), collect_token, list, &err);
    } else if (strcmp(rest, "certificates") == 0) {
        cert_filter f = {http_query(r, "status"), http_query(r, "kind"), http_query(r, "q"), 200,
                         0};
        rc = app_cert_list(r->app, &actor, &f, collect_cert, list, &err);
    } else if (strncmp(rest, "certificates/", 13) == 0) {
        cert_record c;
        json_decref(list);
        if (app_cert_get(r->app, &actor, rest + 13, &c, &err) != 0)
            return api_send_error(r, &err);
        list = cert_json(&c);
        cert_record_free(&c);
        return api_send_json(r, 200, list, NULL);
    } else if (strcmp(rest, "users") == 0) {
        rc = app_user_list(r->app, &actor, collect_user, list, &err);
    } else if (strcmp(rest, "audit/verify") == 0) {
        app_audit_report rep;
        json_decref(list);
        if (app_audit_verify(r->app, &actor, &rep, &err) != 0)
            return api_send_error(r, &err);
        return api_send_json(r, 200,
                             json_pack("{s:b, s:I, s:I, s:s}", "ok", rep.first_bad_id == 0, "rows",
                                       (json_int_t)rep.rows, "first_bad_row",
                                       (json_int_t)rep.first_bad_id, "problem", rep.problem),
                             NULL);
    } else if (strcmp(rest, "calendar/holidays") == 0) {
        ct_date days[64];
        const char *names[64];
        const char *year = http_query(r, "year");
        size_t n = calendar_holidays(app_calendar(r->app), year ? atoi(year) : 0, days, names, 64);
        for (size_t i = 0; i < n; i++) {
            char d[11];
            ct_date_format(days[i], d);
            json_array_append_new(
                list, json_pack("{s:s, s:s}", "date", d, "name", names[i] ? names[i] : ""));
        }
    } else if (strcmp(rest, "calendar/add-working-days") == 0) {
        ct_date d, result;
        const char *from = http_query(r, "date"), *n = http_query(r, "n");
        char out[11], *end = NULL;
        long days = n ? strtol(n, &end, 10) : 0;
        json_decref(list);
        if (from == NULL || n == NULL || ct_date_parse(from, &d) != 0 || end == n || *end != '\0')
            return api_fail(r, 400, "calendar.bad_date", "cần ?date=YYYY-MM-DD&n=SỐ",
                            "give ?date=YYYY-MM-DD&n=NUMBER");
        if (calendar_add_working_days_checked(app_calendar(r->app), d, days, &result, &err) != 0)
            return api_send_error(r, &err);
        ct_date_format(result, out);
        return api_send_json(
            r, 200, json_pack("{s:s, s:i, s:s}", "from", from, "n", (int)days, "date", out), NULL);
    } else {
        json_decref(list);
        return api_fail(r, 404, "api.not_found", "không có địa chỉ này", "no such route");
    }
    if (rc != 0) {
        json_decref(list);
        return api_send_error(r, &err);
    }
    return api_send_json(r, 200, list, NULL);
}

/* ---- POST ---- */

/* The draft routes have a larger body limit (the scanned letter); the same handler serves. */
int api_post_draft(http_request *r, const char *rest)
{
    (void)rest;
    return api_post(r, r->path + strlen("/api/v1/"));
}

static int post_dossier(http_request *r, const app_actor *actor, json_t *j)
{
    app_submission in = {0};
    dossier_record d;
    ct_error err = {0};
    const char *csv = NULL;
    char *list_json = NULL;
    int rc = 0;

    if (api_get_string(r, j, "agency", &in.agency, &rc) ||
        api_get_string(r, j, "channel", &in.channel, &rc) ||
        api_get_string(r, j, "confirmed_by", &in.confirmed_by, &rc) ||
        api_get_string(r, j, "confirmed_on", &in.confirmed_on, &rc) ||
        api_get_string(r, j, "csv", &csv, &rc))
        return rc;
    if (csv) {
        in.format = "csv";
        in.data = (const unsigned char *)csv;
        in.len = strlen(csv);
    } else {
        list_json = json_dumps(json_object_get(j, "applicants") ? json_object_get(j, "applicants")
                                                                : json_null(),
                               JSON_COMPACT | JSON_ENCODE_ANY);
        in.format = "json";
        in.data = (const unsigned char *)(list_json ? list_json : "null");
        in.len = strlen((const char *)in.data);
    }
    rc = app_dossier_submit(r->app, actor, &in, &d, &err);
    free(list_json);
    if (rc != 0)
        return api_send_error(r, &err);
    return api_send_json(r, 201, api_dossier_json(&d, app_now()), NULL);
}

static int post_step(http_request *r, const app_actor *actor, const char *code,
                     const char *action_name, json_t *j)
{
    proc_action action;
    app_step_args args = {0};
    ct_error err = {0};
    const char *at = NULL, *effective = NULL;
    json_t *n = json_object_get(j, "applicant");
    int rc = 0;

    if (proc_action_parse(action_name, &action, &err) != 0) {
        err.status = 404;
        return api_send_error(r, &err);
    }
    if (n && !json_is_integer(n))
        return api_fail(r, 400, "json.type", "\"applicant\" phải là số nguyên",
                        "\"applicant\" must be an integer");
    args.applicant = n ? (int64_t)json_integer_value(n) : 0;
    if (api_get_string(r, j, "reason", &args.reason, &rc) ||
        api_get_string(r, j, "place", &args.pickup_place, &rc) ||
        api_get_string(r, j, "at", &at, &rc) ||
        api_get_string(r, j, "effective_at", &effective, &rc))
        return rc;
    if ((at && parse_time(at, &args.pickup_at) != 0) ||
        (effective && parse_time(effective, &args.effective_at) != 0))
        return api_fail(r, 400, "api.time", "thời gian dạng \"YYYY-MM-DD HH:MM\" (giờ Việt Nam)",
                        "times are \"YYYY-MM-DD HH:MM\" (Vietnam time)");
    if (app_dossier_step(r->app, actor, code, action, &args, &err) != 0)
        return api_send_error(r, &err);
    return get_dossier(r, actor, code);
}

int api_post(http_request *r, const char *rest)
{
    app_session s;
    app_actor actor;
    ct_error err = {0};
    json_t *j;
    int rc = 0;
    bool handled;
    const char *str;

    if (!from_this_site(r))
        return api_fail(r, 403, "http.origin", "yêu cầu đến từ một trang khác, không được nhận",
                        "the request comes from another site and is refused");
    if (strcmp(rest, "session") == 0)
        return login(r);
    if (api_require_session(r, &s) != 0)
        return MHD_YES;
    actor = app_session_actor(&s, r->client);
    if (strcmp(rest, "session/logout") == 0) {
        static const http_header clear[] = {
            {"Set-Cookie", COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"}, {NULL, NULL}};
        /* an empty JSON object, as every state-changing call takes */
        j = api_json_body(r, &rc);
        if (j == NULL)
            return rc;
        json_decref(j);
        app_logout(r->app, s.token, &err);
        return api_send_json(r, 200, json_pack("{s:b}", "ok", 1), clear);
    }
    rc = api_draft_post(r, &actor, rest, &handled);
    if (handled)
        return rc;
    j = api_json_body(r, &rc);
    if (j == NULL)
        return rc;
    if (strcmp(rest, "session/password") == 0) {
        const char *old_pw, *new_pw;
        if (api_get_string(r, j, "old_password", &old_pw, &rc) == 0 &&
            api_get_string(r, j, "new_password", &new_pw, &rc) == 0)
            rc = app_password_change(r->app, &s, old_pw, new_pw, &err) != 0
                     ? api_send_error(r, &err)
                     : api_send_json(r, 200, json_pack("{s:b}", "ok", 1), NULL);
    } else if (strcmp(rest, "agencies") == 0) {
        app_agency_input in = {0};
        agency_record out;
        if (api_get_string(r, j, "code", &in.code, &rc) == 0 &&
            api_get_string(r, j, "name", &in.name, &rc) == 0 &&
            api_get_string(r, j, "parent", &in.parent, &rc) == 0 &&
            api_get_string(r, j, "province", &in.province, &rc) == 0 &&
            api_get_string(r, j, "head_name", &in.head_name, &rc) == 0 &&
            api_get_string(r, j, "head_title", &in.head_title, &rc) == 0 &&
            api_get_string(r, j, "kind", &in.kind, &rc) == 0)
            rc = app_agency_add(r->app, &actor, &in, &out, &err) != 0
                     ? api_send_error(r, &err)
                     : api_send_json(r, 201, agency_json(&out), NULL);
    } else if (strcmp(rest, "dossiers") == 0) {
        rc = post_dossier(r, &actor, j);
    } else if (strncmp(rest, "dossiers/", 9) == 0 && strchr(rest + 9, '/')) {
        char code[64];
        const char *slash = strchr(rest + 9, '/');
        rc = path_segment(code, sizeof code, rest + 9, (size_t)(slash - rest - 9))
                 ? post_step(r, &actor, code, slash + 1, j)
                 : api_fail(r, 404, "dossier.not_found", "không tìm thấy hồ sơ này",
                            "no such dossier");
    } else if (strcmp(rest, "tokens/stock") == 0) {
        json_t *count = json_object_get(j, "count");
        if (!json_is_integer(count))
            rc = api_fail(r, 400, "json.type", "\"count\" phải là số nguyên",
                          "\"count\" must be an integer");
        else
            rc = app_token_stock(r->app, &actor, (int)json_integer_value(count), &err) != 0
                     ? api_send_error(r, &err)
                     : api_send_json(r, 200, json_pack("{s:b}", "ok", 1), NULL);
    } else if (strncmp(rest, "certificates/", 13) == 0 && strstr(rest, "/revoke")) {
        char serial[48];
        if (!path_segment(serial, sizeof serial, rest + 13,
                          (size_t)(strstr(rest, "/revoke") - rest - 13)))
            rc =
                api_fail(r, 404, "cert.not_found", "không có chứng thư này", "no such certificate");
        else if (api_get_string(r, j, "reason", &str, &rc) == 0)
            rc = app_cert_revoke(r->app, &actor, serial, str ? str : "unspecified", &err) != 0
                     ? api_send_error(r, &err)
                     : api_send_json(r, 200, json_pack("{s:b}", "ok", 1), NULL);
    } else if (strcmp(rest, "users") == 0) {
        app_user_input in = {0};
        if (api_get_string(r, j, "username", &in.username, &rc) == 0 &&
            api_get_string(r, j, "display_name", &in.display_name, &rc) == 0 &&
            api_get_string(r, j, "role", &in.role, &rc) == 0 &&
            api_get_string(r, j, "agency", &in.agency, &rc) == 0 &&
            api_get_string(r, j, "password", &in.password, &rc) == 0)
            rc = app_user_add(r->app, &actor, &in, &err) != 0
                     ? api_send_error(r, &err)
                     : api_send_json(r, 201, json_pack("{s:s}", "username", in.username), NULL);
    } else if (strncmp(rest, "users/", 6) == 0 && strstr(rest, "/disable")) {
        char name[64];
        if (!path_segment(name, sizeof name, rest + 6,
                          (size_t)(strstr(rest, "/disable") - rest - 6)))
            rc = api_fail(r, 404, "user.not_found", "không có tài khoản này", "no such account");
        else
            rc = app_user_disable(r->app, &actor, name, &err) != 0
                     ? api_send_error(r, &err)
                     : api_send_json(r, 200, json_pack("{s:b}", "ok", 1), NULL);
    } else {
        rc = api_fail(r, 404, "api.not_found", "không có địa chỉ này", "no such route");
    }
    json_decref(j);
    return rc;
}
