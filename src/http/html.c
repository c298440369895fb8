/*
 * html.c — building pages (in core's byte buffer, which also escapes): the layout every
 * page shares (Vietnamese by default, English with ?lang=en carried in every link, readable
 * without JavaScript, printable; the style sheet is site.c's /site.css).
 */
#include "http/http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        ((r->route == ROUTE_HOME || r->route == ROUTE_SEARCH || r->route == ROUTE_CERT) &&
         (r->status == 0 || r->status == 200)) ||
        r->route == ROUTE_PROCEDURE;
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
