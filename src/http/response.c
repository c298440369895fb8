/*
 * response.c — sending answers: the one path every response takes (so that status and size are
 * known to the access log and /metrics), the security headers of HTML pages, error pages, and
 * the small accessors handlers use (query arguments, headers, HTTP dates, ETags).
 */
#include "http/http.h"

#include "core/calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

int http_send(http_request *r, int status, const char *content_type, const void *data, size_t len,
              const http_header *headers)
{
    struct MHD_Response *resp;
    enum MHD_Result rc;

    resp = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (resp == NULL)
        return MHD_NO;
    if (content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    /* Every answer: a browser must never guess another type (a PEM shown as HTML). */
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    for (; headers && headers->name; headers++)
        MHD_add_response_header(resp, headers->name, headers->value);
    r->status = status;
    r->bytes = len;
    /* HEAD: libmicrohttpd sends the headers only. */
    rc = MHD_queue_response(r->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return rc;
}

int http_send_prepared(http_request *r, int status, struct MHD_Response *resp, size_t len)
{
    r->status = status;
    r->bytes = len;
    return MHD_queue_response(r->conn, (unsigned)status, resp);
}

int http_send_text(http_request *r, int status, const char *message)
{
    return http_send(r, status, "text/plain; charset=utf-8", message, strlen(message), NULL);
}

/* An HTML page with the security headers and up to 4 extra ones; html is consumed. */
static int send_page(http_request *r, int status, char *html, const http_header *extra)
{
    /* No script at all, styles only from our own /site.css, never inside a frame, and no
     * Referer leaving the site (a search URL holds a person's name). */
    static const http_header security[] = {
        {"Content-Security-Policy", "default-src 'self'; script-src 'none'; object-src 'none'; "
                                    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"},
        {"X-Frame-Options", "DENY"},
        {"Referrer-Policy", "no-referrer"},
        {"Cache-Control", "no-cache"},
        {"Content-Language", NULL},
    };
    enum { N_SECURITY = sizeof security / sizeof security[0], MAX_EXTRA = 4 };
    http_header headers[N_SECURITY + MAX_EXTRA + 1];
    size_t n = N_SECURITY;
    int rc;

    if (html == NULL)
        return http_send_text(r, 500, "out of memory\n");
    memcpy(headers, security, sizeof security);
    headers[4].value = r->english ? "en" : "vi";
    for (; extra && extra->name && n < N_SECURITY + MAX_EXTRA; extra++)
        headers[n++] = *extra;
    headers[n] = (http_header){NULL, NULL};
    rc = http_send(r, status, "text/html; charset=utf-8", html, strlen(html), headers);
    free(html);
    return rc;
}

int http_send_html(http_request *r, int status, char *html)
{
    return send_page(r, status, html, NULL);
}

static int error_page(http_request *r, int status, const char *vi, const char *en,
                      const http_header *extra)
{
    text t = {0};
    char title[16];

    snprintf(title, sizeof title, "%d", status);
    r->status = status; /* the layout's language switch leads home from an error */
    page_begin(&t, r, title);
    text_add(&t, "<h1>%d</h1>\n<p>", status);
    text_add_escaped(&t, L(r, vi, en));
    text_add(&t, "</p>\n<p><a href=\"/%s\">%s</a></p>\n", lang_first(r),
             L(r, "Về trang chủ", "Home"));
    page_end(&t, r);
    return send_page(r, status, text_take(&t), extra);
}

int http_send_error(http_request *r, int status, const char *vi, const char *en)
{
    return error_page(r, status, vi, en, NULL);
}

/* A refusal in the form of the route it was meant for: the API's JSON error (docs/api.md),
 * OCSP's plain text (what its clients log), or the site's page. */
int http_refuse(http_request *r, int status, const char *code, const char *vi, const char *en,
                const http_header *headers)
{
    if (strncmp(r->path, "/api/", 5) == 0) {
        ct_error err = {0};
        ct_fail_text(&err, status, code, vi, en);
        return api_send_error_with(r, &err, headers);
    }
    if (strcmp(r->path, "/ocsp") == 0 || strncmp(r->path, "/ocsp/", 6) == 0) {
        char line[CT_ERR_MSG_MAX + 2];
        snprintf(line, sizeof line, "%s\n", en);
        return http_send(r, status, "text/plain; charset=utf-8", line, strlen(line), headers);
    }
    return error_page(r, status, vi, en, headers);
}

const char *http_query(http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header_value(http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void http_date(int64_t t, char out[40])
{
    ct_imf_date(t, "GMT", out);
}

int64_t http_cache_max_age(const http_request *r, int64_t next_update)
{
    int64_t left = next_update - app_now(), cap = app_get_config(r->app)->cache_max_age;

    if (left < 0)
        left = 0;
    return cap > 0 && cap < left ? cap : left;
}

bool http_etag_matches(const char *inm, const char *etag)
{
    size_t n = strlen(etag);

    if (inm == NULL || n == 0)
        return false;
    /* a list: "a", W/"b", "c" — compare each member, weakly (RFC 7232 3.2) */
    while (*inm) {
        const char *end, *stop;
        while (*inm == ' ' || *inm == '\t' || *inm == ',')
            inm++;
        if (*inm == '\0')
            break;
        if (*inm == '*')
            return true;
        if (strncmp(inm, "W/", 2) == 0)
            inm += 2;
        end = strchr(inm, ',');
        if (end == NULL)
            end = inm + strlen(inm);
        stop = end;
        while (stop > inm && (stop[-1] == ' ' || stop[-1] == '\t'))
            stop--;
        if ((size_t)(stop - inm) == n && strncmp(inm, etag, n) == 0)
            return true;
        inm = end;
    }
    return false;
}
