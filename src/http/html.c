/*
 * html.c — building pages: a growing text buffer, HTML and URL escaping, and the layout every
 * page shares (Vietnamese by default, English with ?lang=en carried in every link, readable
 * without JavaScript, printable; the style sheet is site.c's /site.css).
 */
#include "http/http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool text_reserve(text *t, size_t more)
{
    size_t cap;
    char *p;

    if (t->failed)
        return false;
    if (t->cap - t->len > more)
        return true;
    cap = t->cap * 2 + more + 1024;
    p = realloc(t->data, cap);
    if (p == NULL) {
        t->failed = true;
        return false;
    }
    t->data = p;
    t->cap = cap;
    return true;
}

static void text_append(text *t, const char *s, size_t n)
{
    if (!text_reserve(t, n + 1))
        return;
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
}

void text_add(text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (!text_reserve(t, 256))
        return;
    va_start(ap, fmt);
    n = vsnprintf(t->data + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n < 0) {
        t->failed = true;
        return;
    }
    if ((size_t)n >= t->cap - t->len) { /* did not fit: grow and format again */
        if (!text_reserve(t, (size_t)n + 1))
            return;
        va_start(ap, fmt);
        vsnprintf(t->data + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
    }
    t->len += (size_t)n;
}

void text_add_escaped(text *t, const char *s)
{
    const char *run = s;

    for (; s && *s; s++) {
        const char *rep;
        switch (*s) {
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '&':
            rep = "&amp;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            continue;
        }
        text_append(t, run, (size_t)(s - run));
        text_append(t, rep, strlen(rep));
        run = s + 1;
    }
    if (run)
        text_append(t, run, strlen(run));
}

void text_add_url_escaped(text *t, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            text_append(t, (const char *)&c, 1);
        } else {
            char enc[3] = {'%', hex[c >> 4], hex[c & 15]};
            text_append(t, enc, 3);
        }
    }
}

char *text_take(text *t)
{
    if (t->failed || t->data == NULL) {
        free(t->data);
        *t = (text){0};
        return NULL;
    }
    return t->data;
}

const char *L(const http_request *r, const char *vi, const char *en)
{
    return r->english ? en : vi;
}

const char *lang_first(const http_request *r)
{
    return r->english ? "?lang=en" : "";
}

const char *lang_more(const http_request *r)
{
    return r->english ? "&amp;lang=en" : "";
}

/* The other language's link leads to the same page (and the same search); error pages lead
 * home. */
static void language_switch(text *t, http_request *r)
{
    const char *q = r->route == ROUTE_SEARCH ? http_query(r, "q") : NULL;
    const char *page = r->route == ROUTE_SEARCH ? http_query(r, "page") : NULL;
    bool same_page =
        (r->route == ROUTE_HOME || r->route == ROUTE_SEARCH || r->route == ROUTE_CERT) &&
        (r->status == 0 || r->status == 200);
    char sep = '?';

    if (!same_page) {
        text_add(t, "/%s", r->english ? "" : "?lang=en");
        return;
    }
    /* the path passed the router's checks; escape it for the URL, keeping its slashes */
    for (const char *p = r->path; *p; p++) {
        char one[2] = {*p, '\0'};
        if (*p == '/')
            text_add(t, "/");
        else
            text_add_url_escaped(t, one);
    }
    if (!r->english) {
        text_add(t, "?lang=en");
        sep = '&';
    }
    if (q && *q) {
        text_add(t, "%s", sep == '?' ? "?q=" : "&amp;q=");
        text_add_url_escaped(t, q);
        sep = '&';
    }
    if (page && *page) {
        text_add(t, "%s", sep == '?' ? "?page=" : "&amp;page=");
        text_add_url_escaped(t, page);
    }
}

void page_begin(text *t, http_request *r, const char *title)
{
    const app_config *cfg = app_get_config(r->app);
    const char *lang = http_query(r, "lang");

    /* Looked up here, for pages only: the protocol endpoints never need it. */
    r->english = lang && strcmp(lang, "en") == 0;

    text_add(t,
             "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
             r->english ? "en" : "vi");
    text_add_escaped(t, title);
    text_add(t, " — ");
    text_add_escaped(t, cfg->office_name);
    text_add(t,
             "</title>\n<link rel=\"stylesheet\" href=\"/site.css\">\n</head>\n<body>\n"
             "<header><a class=\"brand\" href=\"/%s\">",
             lang_first(r));
    text_add_escaped(t, cfg->office_name);
    text_add(t,
             "</a>\n<nav><a href=\"/%s\">%s</a> <a href=\"/certs%s\">%s</a> "
             "<a href=\"/portal/\">%s</a> <a href=\"",
             lang_first(r), L(r, "Trang chủ", "Home"), lang_first(r),
             L(r, "Tra cứu chứng thư số", "Certificate directory"),
             L(r, "Cổng dịch vụ", "Service portal"));
    language_switch(t, r);
    text_add(t, "\" hreflang=\"%s\">%s</a></nav></header>\n<main>\n", r->english ? "vi" : "en",
             r->english ? "Tiếng Việt" : "English");
}

void page_end(text *t, http_request *r)
{
    text_add(t, "</main>\n<footer>");
    text_add_escaped(t, app_get_config(r->app)->office_name);
    text_add(t, " · %s</footer>\n</body>\n</html>\n",
             L(r, "Trang công bố chứng thư số, danh sách thu hồi và dịch vụ OCSP",
               "Publication of certificates, revocation lists and OCSP"));
}
