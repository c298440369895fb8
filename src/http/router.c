/*
 * router.c — the route table of the public face (DESIGN.md §6) and the matching of a request
 * to its handler.
 *
 * A route is a method, a path (exact, or a prefix whose remainder goes to the handler), the
 * family it is counted under, and the body it accepts. Paths are checked before any matching:
 * nothing that could name a file outside the site (dot segments, backslashes, control bytes)
 * reaches a handler, although no handler reads files; and the path and every query argument
 * must be valid UTF-8 (they end up in messages, JSON and pages, which hold nothing else).
 * Refusals take the form of the route asked for (http_refuse): JSON under /api/.
 */
#include "http/http.h"

#include <stdio.h>
#include <string.h>

#include <microhttpd.h>

/* Longer than any real URL of ours (an OCSP GET is under 300 bytes). */
#define MAX_PATH 4096

typedef struct route {
    const char *method;
    const char *path;
    bool prefix; /* path is a prefix; the handler gets the rest (never empty) */
    route_family family;
    size_t body_limit;
    int (*exact)(http_request *r);
    int (*with_rest)(http_request *r, const char *rest);
    const char *suffix; /* a prefix route: the path must also end so (NULL: any end) */
} route;

static const route routes[] = {
    /* clang-format off */
    {"GET",  "/",         false, ROUTE_HOME,    0,             site_home,   NULL, NULL},
    {"GET",  "/site.css", false, ROUTE_STATIC,  0,             site_css,    NULL, NULL},
    {"GET",  "/certs",    false, ROUTE_SEARCH,  0,             site_search, NULL, NULL},
    {"GET",  "/certs/",   true,  ROUTE_CERT,    0,             NULL,        site_certificate, NULL},
    {"GET",  "/thu-tuc",  false, ROUTE_PROCEDURE, 0,           site_procedure, NULL, NULL},
    {"GET",  "/procedure", false, ROUTE_PROCEDURE, 0,          site_procedure, NULL, NULL},
    {"GET",  "/thu-tuc/tra-cuu", false, ROUTE_PROCEDURE, 0,    site_lookup, NULL, NULL},
    {"GET",  "/procedure/lookup", false, ROUTE_PROCEDURE, 0,   site_lookup, NULL, NULL},
    {"GET",  "/forms/mau02.csv", false, ROUTE_STATIC, 0,       site_form_mau02, NULL, NULL},
    {"GET",  "/forms/mau02.xlsx", false, ROUTE_STATIC, 0,      site_form_mau02_xlsx, NULL, NULL},
    {"GET",  "/ca/",      true,  ROUTE_CA,      0,             NULL,        download_ca, NULL},
    {"GET",  "/crl/",     true,  ROUTE_CRL,     0,             NULL,        download_crl, NULL},
    {"GET",  "/audit/checkpoint", false, ROUTE_CA, 0,           download_audit_checkpoint, NULL, NULL},
    {"POST", "/ocsp",     false, ROUTE_OCSP,    OCSP_MAX_BODY, ocsp_post,   NULL, NULL},
    {"GET",  "/ocsp/",    true,  ROUTE_OCSP,    0,             NULL,        ocsp_get, NULL},
    {"GET",  "/portal",   false, ROUTE_STATIC,  0,             portal_redirect, NULL, NULL},
    {"GET",  "/portal/",  false, ROUTE_STATIC,  0,             portal_index, NULL, NULL},
    {"GET",  "/portal/",  true,  ROUTE_STATIC,  0,             NULL,        portal_file, NULL},
    {"GET",  "/healthz",  false, ROUTE_HEALTH,  0,             health,      NULL, NULL},
    {"GET",  "/metrics",  false, ROUTE_METRICS, 0,             metrics,     NULL, NULL},
    {"GET",  "/api/v1/",  true,  ROUTE_API,     0,             NULL,        api_get, NULL},
    {"POST", "/api/v1/drafts/", true, ROUTE_API, API_DRAFT_MAX_BODY, NULL,   api_post_draft, NULL},
    {"POST", "/api/v1/dossiers/", true, ROUTE_API, API_DRAFT_MAX_BODY, NULL, api_post_draft, "/letter"},
    {"POST", "/api/v1/",  true,  ROUTE_API,     API_MAX_BODY,  NULL,        api_post, NULL},
    /* clang-format on */
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

static const char *const family_names[ROUTE_COUNT] = {"home",   "search", "cert",      "ca",
                                                      "crl",    "ocsp",   "healthz",   "metrics",
                                                      "static", "api",    "procedure", "other"};

const char *route_family_name(route_family f)
{
    return (unsigned)f < ROUTE_COUNT ? family_names[f] : "other";
}

static bool path_matches(const route *rt, const char *path)
{
    size_t n = strlen(rt->path);

    if (rt->prefix) {
        size_t len = strlen(path), tail = rt->suffix ? strlen(rt->suffix) : 0;
        if (strncmp(path, rt->path, n) != 0 || path[n] == '\0')
            return false;
        /* a dossier's new letter is as large as a draft's */
        return tail == 0 || (len >= n + tail && strcmp(path + len - tail, rt->suffix) == 0);
    }
    return strcmp(path, rt->path) == 0;
}

/* HEAD is GET without the body (libmicrohttpd leaves the body out). */
static const char *effective_method(const char *method)
{
    return strcmp(method, "HEAD") == 0 ? "GET" : method;
}

bool path_is_sane(const char *path)
{
    if (path[0] != '/' || strlen(path) > MAX_PATH)
        return false;
    for (const char *p = path; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f || c == '\\')
            return false;
        /* a "." or ".." segment */
        if (c == '/' && p[1] == '.' &&
            (p[2] == '/' || p[2] == '\0' || (p[2] == '.' && (p[3] == '/' || p[3] == '\0'))))
            return false;
    }
    return true;
}

static bool utf8_valid(const char *s)
{
    size_t len = s ? strlen(s) : 0;

    for (size_t i = 0; i < len;) {
        size_t n = ct_utf8_char_len(s + i, len - i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

static enum MHD_Result check_argument(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    bool *ok = cls;
    (void)kind;

    if (!utf8_valid(key) || !utf8_valid(value)) {
        *ok = false;
        return MHD_NO;
    }
    return MHD_YES;
}

/* The path and every query argument (decoded) are valid UTF-8. */
static bool request_is_utf8(http_request *r)
{
    bool ok = utf8_valid(r->path);

    if (ok)
        MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, check_argument, &ok);
    return ok;
}

size_t router_body_limit(const char *method, const char *path)
{
    for (size_t i = 0; i < N_ROUTES; i++)
        if (strcmp(routes[i].method, method) == 0 && path_matches(&routes[i], path))
            return routes[i].body_limit;
    return 0;
}

int router_dispatch(http_request *r)
{
    const char *method = effective_method(r->method);
    char allow[64] = "";

    if (!path_is_sane(r->path))
        return http_refuse(r, 400, "http.bad_path", "Đường dẫn không hợp lệ.", "Invalid path.",
                           NULL);
    if (!request_is_utf8(r))
        return http_refuse(r, 400, "http.bad_utf8",
                           "Đường dẫn hoặc tham số truy vấn không phải UTF-8 hợp lệ.",
                           "The path or a query argument is not valid UTF-8.", NULL);
    for (size_t i = 0; i < N_ROUTES; i++) {
        const route *rt = &routes[i];
        if (!path_matches(rt, r->path))
            continue;
        if (strcmp(rt->method, method) != 0) {
            /* remember the methods this path does take, for the 405's Allow header */
            if (strstr(allow, rt->method) == NULL) {
                size_t n = strlen(allow);
                snprintf(allow + n, sizeof allow - n, "%s%s", n ? ", " : "",
                         strcmp(rt->method, "GET") == 0 ? "GET, HEAD" : rt->method);
            }
            continue;
        }
        r->route = rt->family;
        /* a read-only node (app_read_only.c) refuses a change before its handler starts one; an
         * OCSP POST only asks */
        if (strcmp(method, "POST") == 0 && rt->family != ROUTE_OCSP && app_read_only(r->app)) {
            ct_error err = {0};
            app_read_only_refuse(&err);
            return http_refuse(r, err.status, err.code, err.vi, err.en, NULL);
        }
        return rt->exact ? rt->exact(r) : rt->with_rest(r, r->path + strlen(rt->path));
    }
    if (allow[0]) {
        http_header headers[] = {{"Allow", allow}, {NULL, NULL}};
        return http_refuse(r, 405, "http.method", "Phương thức này không dùng được ở đây.",
                           "Method not allowed.", headers);
    }
    return http_refuse(r, 404, "http.not_found", "Không tìm thấy trang này.", "Page not found.",
                       NULL);
}
