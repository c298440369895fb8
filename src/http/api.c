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

/* ---- answers ---- */

int api_send_json(http_request *r, int status, json_t *j, const http_header *headers)
{
    /* j is NULL only when memory ran out (json_pack refuses invalid UTF-8, and every string we
     * give it is valid: error messages are made so in core, inputs are checked by the router) */
    static const char oom[] = "{\"code\":\"http.out_of_memory\",\"message\":\"hết bộ nhớ\","
                              "\"message_vi\":\"hết bộ nhớ\",\"message_en\":\"out of memory\"}";
    char *body = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
    int rc;

    json_decref(j);
    if (body == NULL)
        return http_send(r, 500, "application/json; charset=utf-8", oom, sizeof oom - 1, NULL);
    rc = http_send(r, status, "application/json; charset=utf-8", body, strlen(body), headers);
    free(body);
    return rc;
}

static json_t *error_json(http_request *r, const ct_error *err)
{
    return json_pack("{s:s, s:s, s:s, s:s}", "code", err->code, "message",
                     r->english ? err->en : err->vi, "message_vi", err->vi, "message_en", err->en);
}

int api_send_error_with(http_request *r, const ct_error *err, const http_header *headers)
{
    int status = err->status >= 400 && err->status <= 599 ? err->status : 500;
    char seconds[24];
    /* a rate limit or quota says when to come back (RFC 9110 10.2.3) */
    http_header retry[] = {{"Retry-After", seconds}, {NULL, NULL}};

    snprintf(seconds, sizeof seconds, "%d", err->retry_after);
    return api_send_json(r, status, error_json(r, err),
                         headers == NULL && status == 429 && err->retry_after > 0 ? retry
                                                                                  : headers);
}

/* One problem of a list: row and column null when it is not at one (the list as a whole, a
 * row's cell count). */
static json_t *list_problem_json(http_request *r, const mau02_problem *p)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "code", p->code, "message",
                          r->english ? p->en : p->vi, "message_vi", p->vi, "message_en", p->en);

    if (j == NULL)
        return NULL;
    json_object_set_new(j, "row", p->row > 0 ? json_integer(p->row) : json_null());
    json_object_set_new(j, "column",
                        p->column >= 0 ? json_string(mau02_column_en(p->column)) : json_null());
    json_object_set_new(j, "column_vi",
                        p->column >= 0 ? json_string(mau02_column_vi(p->column)) : json_null());
    return j;
}

int api_send_list_error(http_request *r, const ct_error *err, const app_list_errors *list)
{
    json_t *j, *items;

    if (list == NULL || list->total == 0)
        return api_send_error(r, err);
    j = error_json(r, err);
    items = json_array();
    if (j == NULL || items == NULL) {
        json_decref(j);
        json_decref(items);
        return api_send_json(r, 500, NULL, NULL);
    }
    for (size_t i = 0; i < list->count; i++)
        json_array_append_new(items, list_problem_json(r, &list->items[i]));
    json_object_set_new(j, "errors", items);
    json_object_set_new(j, "error_count", json_integer((json_int_t)list->total));
    return api_send_json(r, err->status >= 400 && err->status <= 599 ? err->status : 500, j, NULL);
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

int api_parse_time(const char *s, int64_t *out)
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

/* ---- the session ---- */

int api_require_session(http_request *r, app_session *s)
{
    const char *token = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, COOKIE);
    ct_error err = {0};

    if (app_session_resolve(r->app, token, s, &err) != 0) {
        api_send_error(r, &err);
        return -1;
    }
    snprintf(r->actor, sizeof r->actor, "%s", s->username);
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

int api_login(api_call *c)
{
    http_request *r = c->r;
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
                                       app_view_time(s.expires_at)),
                             headers);
    }
}

int api_ok(http_request *r)
{
    return api_send_json(r, 200, json_pack("{s:b}", "ok", 1), NULL);
}

/* ---- dispatch ---- */

/* Does path (under /api/v1/, no leading slash) match pattern? The {…} segments go to c; a
 * pattern segment "{name}.ext" takes a segment ending in .ext, without it. */
static bool route_matches(const char *pattern, const char *path, api_call *c)
{
    int k = 0;

    while (*pattern && *path) {
        size_t plen = strcspn(pattern, "/"), slen = strcspn(path, "/");
        if (pattern[0] == '{') {
            /* "{name}.csv": the segment must end with what follows the braces, which is not
             * part of the value */
            const char *close = memchr(pattern, '}', plen);
            size_t suffix = close ? plen - (size_t)(close + 1 - pattern) : 0;
            /* a segment too long for any key names no record: no match, never a cut one */
            if (k >= API_MAX_PARAMS || slen <= suffix || slen - suffix >= sizeof c->param[0] ||
                (suffix && strncmp(path + slen - suffix, close + 1, suffix) != 0))
                return false;
            memcpy(c->param[k], path, slen - suffix);
            c->param[k++][slen - suffix] = '\0';
        } else if (plen != slen || strncmp(pattern, path, plen) != 0) {
            return false;
        }
        pattern += plen;
        path += slen;
        if (*pattern != *path)
            return false;
        if (*pattern == '/') {
            pattern++;
            path++;
        }
    }
    return *pattern == '\0' && *path == '\0';
}

static int dispatch(http_request *r, const char *method, const char *rest)
{
    size_t n;
    const api_route *routes = api_routes(&n), *route = NULL;
    api_call c;
    bool other_method = false;
    int rc = 0;

    memset(&c, 0, sizeof c);
    c.r = r;
    for (size_t i = 0; i < n && route == NULL; i++) {
        if (!route_matches(routes[i].pattern, rest, &c))
            continue;
        if (strcmp(routes[i].method, method) == 0)
            route = &routes[i];
        else
            other_method = true;
    }
    if (route == NULL) {
        if (other_method) {
            static const http_header allow_post[] = {{"Allow", "POST"}, {NULL, NULL}};
            static const http_header allow_get[] = {{"Allow", "GET"}, {NULL, NULL}};
            return http_refuse(r, 405, "http.method", "địa chỉ này nhận phương thức khác",
                               "this route takes another method",
                               strcmp(method, "GET") == 0 ? allow_post : allow_get);
        }
        return api_fail(r, 404, "api.not_found", "không có địa chỉ này", "no such route");
    }
    c.route = route;
    if (strcmp(method, "POST") == 0 && !from_this_site(r))
        return api_fail(r, 403, "http.origin", "yêu cầu đến từ một trang khác, không được nhận",
                        "the request comes from another site and is refused");
    if (route->roles) {
        ct_error err = {0};
        if (api_require_session(r, &c.session) != 0)
            return MHD_YES;
        c.actor = app_session_actor(&c.session, r->client);
        /* the role, once, for every route: a role outside the route learns nothing more */
        if (role_require(c.actor.role, route->roles, route->pattern, &err) != 0)
            return api_send_error(r, &err);
    }
    if (route->json_body && (c.body = api_json_body(r, &rc)) == NULL)
        return rc;
    rc = route->handler(&c);
    json_decref(c.body);
    return rc;
}

int api_get(http_request *r, const char *rest)
{
    return dispatch(r, "GET", rest);
}

int api_post(http_request *r, const char *rest)
{
    return dispatch(r, "POST", rest);
}

/* The routes that take a scanned letter (a draft's, or a dossier's new one) have a larger body
 * limit; the same table serves. */
int api_post_draft(http_request *r, const char *rest)
{
    (void)rest;
    return dispatch(r, "POST", r->path + strlen("/api/v1/"));
}
