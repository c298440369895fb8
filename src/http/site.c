/*
 * site.c — the public website's pages: the home page (the CA certificates with their
 * fingerprints, the CRLs, the OCSP address), the directory of published certificates
 * (diacritic-insensitive search, 20 a page), and each certificate's page.
 *
 * Certificates on hold or never published do not exist here: they are not listed and their
 * pages answer 404 (app_directory_get refuses them). Every value from the database is
 * HTML-escaped. Times are shown in Vietnam time (UTC+7, no daylight saving) and in UTC.
 */
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/calendar.h"

#define PER_PAGE 20
#define MAX_PAGE 5000 /* 100,000 results: past that, refine the search */
#define MAX_QUERY 200

static const char css[] =
    "body{font-family:system-ui,'Segoe UI',Roboto,'Noto Sans',Arial,sans-serif;margin:0;"
    "color:#1b1b1b;background:#fff;line-height:1.5}"
    "header{background:#8b0000;color:#fff;padding:.6em 1.2em;display:flex;"
    "justify-content:space-between;align-items:center;flex-wrap:wrap;gap:.5em}"
    "header a{color:#fff;text-decoration:none}.brand{font-weight:600}nav a{margin-left:1em}"
    "main{max-width:64em;margin:1.5em auto;padding:0 1em}h1{font-size:1.6em;margin:.2em 0 .6em}"
    "h2{font-size:1.2em;margin-top:1.6em}table{border-collapse:collapse;width:100%}"
    "th,td{border-bottom:1px solid #ddd;padding:.45em;text-align:left;vertical-align:top}"
    "thead th{background:#f6f1e7}table.kv th{width:14em;font-weight:600;background:#faf8f3}"
    "code{font-size:.85em;word-break:break-all}.st-active{color:#0f6b22;font-weight:600}"
    ".st-revoked,.st-expired{color:#a30000;font-weight:600}form.search{margin:1em 0;display:flex;"
    "gap:.5em}form.search input{flex:1;padding:.45em;font-size:1em}"
    "form.search button{padding:.45em 1.2em;font-size:1em}.muted{color:#666}"
    ".pager a{margin-right:1.2em}nav a{white-space:nowrap}.toc{margin:1em 0;line-height:2}.toc "
    "a{margin:0 1.2em 0 0;white-space:nowrap}"
    "form.lookup{display:flex;flex-wrap:wrap;gap:.6em;align-items:flex-end;background:#faf8f3;"
    "border:1px solid #e4dccb;padding:.8em;border-radius:4px}form.lookup label{flex:1 1 14em;"
    "display:flex;flex-direction:column;font-size:.9em}form.lookup input{padding:.45em;"
    "font-size:1rem;margin-top:.2em}form.lookup button{padding:.5em 1.2em;font-size:1em}"
    ".result{margin:1em 0}.notfound{border-left:4px solid #a30000;padding:.2em .8em;"
    "background:#fff4f4}.steps li{margin-bottom:.6em}.callout{background:#faf8f3;border:1px "
    "solid #e4dccb;padding:.6em 1em;border-radius:4px}"
    "@media (max-width:40em){main{margin-top:1em}table.kv th,table.kv td{display:block;"
    "width:auto;border:0}table.kv th{padding-bottom:0}table.kv tr{display:block;"
    "border-bottom:1px solid #ddd}table.channels thead{display:none}table.channels td{"
    "display:block;border:0;padding:.2em .45em}table.channels td:first-child{font-weight:600;"
    "padding-top:.6em}table.channels tr{display:block;border-bottom:1px solid #ddd}"
    "nav a{margin-left:0;margin-right:1em}}"
    "footer{color:#666;font-size:.85em;text-align:center;"
    "margin:3em 1em 1em}@media print{nav,form.search,.pager{display:none}"
    "header{background:none;color:#000;border-bottom:2px solid #000}header a{color:#000}"
    "a{color:#000;text-decoration:none}}\n";

int site_css(http_request *r)
{
    static const http_header cache[] = {{"Cache-Control", "public, max-age=86400"}, {NULL, NULL}};

    return http_send(r, 200, "text/css; charset=utf-8", css, sizeof css - 1, cache);
}

/* "24/11/2026 19:56 (UTC+7)"; with detail, to the second and with UTC beside it:
 * "24/11/2026 19:56:55 (UTC+7) — 2026-11-24 12:56:55 UTC" (publication is an instant). */
static void add_time(text *t, int64_t when, bool detail)
{
    ct_date d = ct_utc_to_local_date(when);
    int64_t s = ((when + 7 * 3600) % 86400 + 86400) % 86400;

    text_add(t, "%02d/%02d/%04d %02d:%02d", d.day, d.month, d.year, (int)(s / 3600),
             (int)(s / 60 % 60));
    if (detail) {
        time_t tt = (time_t)when;
        struct tm u;
        gmtime_r(&tt, &u);
        text_add(t,
                 ":%02d (UTC+7) <span class=\"muted\">— %04d-%02d-%02d %02d:%02d:%02d UTC</span>",
                 (int)(s % 60), u.tm_year + 1900, u.tm_mon + 1, u.tm_mday, u.tm_hour, u.tm_min,
                 u.tm_sec);
    } else {
        text_add(t, " (UTC+7)");
    }
}

static const char *status_label(const http_request *r, const char *status)
{
    if (strcmp(status, "active") == 0)
        return L(r, "Đang hiệu lực", "Valid");
    if (strcmp(status, "revoked") == 0)
        return L(r, "Đã thu hồi", "Revoked");
    return L(r, "Hết hạn", "Expired");
}

/* The organisation and units of a readable DN "CN=…, OU=…, O=…, L=…, C=VN", most specific
 * first: "Vụ Pháp luật, Bộ Tư pháp". */
static void add_organisation(text *t, const char *subject)
{
    bool first = true;
    const char *p = subject;

    while (p && *p) {
        const char *next = strstr(p, ", ");
        size_t n = next ? (size_t)(next - p) : strlen(p);
        size_t skip = strncmp(p, "OU=", 3) == 0 ? 3 : strncmp(p, "O=", 2) == 0 ? 2 : 0;
        if (skip) {
            char part[256];
            snprintf(part, sizeof part, "%.*s", (int)(n - skip), p + skip);
            if (!first)
                text_add(t, ", ");
            text_add_escaped(t, part);
            first = false;
        }
        p = next ? next + 2 : NULL;
    }
}

static void search_form(text *t, http_request *r, const char *q)
{
    text_add(t,
             "<form class=\"search\" method=\"get\" action=\"/certs\" role=\"search\">"
             "<input type=\"search\" name=\"q\" maxlength=\"%d\" value=\"",
             MAX_QUERY);
    text_add_escaped(t, q ? q : "");
    text_add(t, "\" placeholder=\"%s\" aria-label=\"%s\">",
             L(r, "Họ tên, cơ quan, thư điện tử hoặc số hiệu",
               "Name, agency, e-mail address or serial number"),
             L(r, "Tra cứu", "Search"));
    if (r->english)
        text_add(t, "<input type=\"hidden\" name=\"lang\" value=\"en\">");
    text_add(t, "<button type=\"submit\">%s</button></form>\n", L(r, "Tra cứu", "Search"));
}

int site_home(http_request *r)
{
    static const struct {
        const char *name;
        const char *vi;
        const char *en;
    } cas[] = {{"root", "CA gốc", "Root CA"},
               {"issuing", "CA cấp chứng thư cho cá nhân", "Issuing CA"},
               {"ocsp", "Máy chủ OCSP", "OCSP responder"}};
    const app_config *cfg = app_get_config(r->app);
    text t = {0};

    page_begin(&t, r, L(r, "Tra cứu chứng thư số", "Certificate directory"));
    text_add(&t, "<h1>%s</h1>\n<p>%s</p>\n", L(r, "Tra cứu chứng thư số", "Certificate directory"),
             L(r,
               "Chứng thư số cá nhân có hiệu lực kể từ thời điểm được công bố trên trang này "
               "(thủ tục 1.010847). Tra cứu theo họ tên, cơ quan, thư điện tử hoặc số hiệu; "
               "gõ có dấu hay không dấu đều được.",
               "An individual's certificate is valid from the moment it is published on this "
               "site (procedure 1.010847). Search by name, agency, e-mail address or serial "
               "number, with or without Vietnamese diacritics."));
    search_form(&t, r, NULL);
    text_add(&t,
             "<p class=\"callout\" id=\"procedure-link\">%s <a href=\"/thu-tuc%s\">%s</a></p>\n",
             L(r, "Cơ quan muốn đề nghị cấp chứng thư số cho cán bộ của mình?",
               "An agency asking for certificates for its people?"),
             lang_first(r),
             L(r, "Xem thủ tục, hồ sơ, lệ phí và tra cứu hồ sơ »",
               "See the procedure, documents, fee, and look up a dossier »"));
    text_add(&t,
             "<h2>%s</h2>\n<table><thead><tr><th>%s</th><th>%s</th><th>%s</th></tr></thead>\n"
             "<tbody>\n",
             L(r, "Chứng thư số của hệ thống", "CA certificates"), L(r, "Chứng thư", "Certificate"),
             L(r, "Tải về", "Download"), L(r, "Dấu vân tay SHA-256", "SHA-256 fingerprint"));
    for (size_t i = 0; i < sizeof cas / sizeof cas[0]; i++) {
        const unsigned char *der;
        size_t len;
        char fp[65] = "";
        ct_error err = {0};
        if (app_ca_cert(r->app, cas[i].name, &der, &len, &err) != 0)
            continue;
        app_fingerprint(der, len, fp);
        text_add(&t,
                 "<tr><td>%s</td><td><a href=\"/ca/%s.crt\">%s.crt</a> (DER)</td>"
                 "<td><code>%s</code></td></tr>\n",
                 L(r, cas[i].vi, cas[i].en), cas[i].name, cas[i].name, fp);
    }
    text_add(&t, "</tbody></table>\n<h2>%s</h2>\n<ul>\n",
             L(r, "Danh sách chứng thư bị thu hồi (CRL)", "Certificate revocation lists (CRL)"));
    text_add(&t, "<li><a href=\"/crl/issuing.crl\">issuing.crl</a> — %s</li>\n",
             L(r, "chứng thư cá nhân", "individual certificates"));
    text_add(&t, "<li><a href=\"/crl/root.crl\">root.crl</a> — %s</li>\n</ul>\n",
             L(r, "chứng thư CA cấp dưới", "subordinate CA certificates"));
    text_add(&t, "<h2>OCSP</h2>\n<p>%s <code>", L(r, "Địa chỉ dịch vụ:", "Responder URL:"));
    text_add_escaped(&t, cfg->base_url);
    text_add(&t, "/ocsp</code> (RFC 6960, POST %s GET)</p>\n", L(r, "và", "and"));
    page_end(&t, r);
    return http_send_html(r, 200, text_take(&t));
}

typedef struct {
    http_request *r;
    text *t;
    int rows;
    int64_t now;
} list_ctx;

static int list_row(void *user, const cert_record *c)
{
    list_ctx *l = user;
    const char *status = app_public_status(c, l->now);

    if (l->rows == 0)
        text_add(l->t,
                 "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
                 "</tr></thead>\n<tbody>\n",
                 L(l->r, "Họ và tên", "Name"), L(l->r, "Cơ quan, đơn vị", "Organisation"),
                 L(l->r, "Số hiệu", "Serial number"), L(l->r, "Trạng thái", "Status"),
                 L(l->r, "Có hiệu lực từ", "Effective from"));
    text_add(l->t, "<tr><td><a href=\"/certs/%s%s\">", c->serial, lang_first(l->r));
    text_add_escaped(l->t, c->common_name);
    text_add(l->t, "</a></td><td>");
    add_organisation(l->t, c->subject);
    text_add(l->t, "</td><td><code>%s</code></td><td class=\"st-%s\">%s</td><td>", c->serial,
             status, status_label(l->r, status));
    add_time(l->t, c->effective_at, false);
    text_add(l->t, "</td></tr>\n");
    l->rows++;
    return 0;
}

static void pager_link(text *t, http_request *r, const char *q, long page, const char *label)
{
    text_add(t, "<a href=\"/certs?q=");
    text_add_url_escaped(t, q);
    text_add(t, "&amp;page=%ld%s\">%s</a>", page, lang_more(r), label);
}

int site_search(http_request *r)
{
    const char *q = http_query(r, "q"), *page_text = http_query(r, "page");
    long page = 1;
    text t = {0};
    list_ctx l = {r, &t, 0, app_now()};
    bool more = false;
    ct_error err = {0};

    if (q == NULL)
        q = "";
    if (page_text && *page_text) {
        char *end;
        page = strtol(page_text, &end, 10);
        if (*end != '\0' || page < 1 || page > MAX_PAGE)
            return http_send_error(r, 400, "Số trang không hợp lệ.", "Invalid page number.");
    }
    if (strlen(q) > MAX_QUERY)
        return http_send_error(r, 400, "Từ khóa tra cứu quá dài (tối đa 200 ký tự).",
                               "The search text is too long (200 characters at most).");
    page_begin(&t, r, L(r, "Tra cứu chứng thư số", "Certificate directory"));
    text_add(&t, "<h1>%s</h1>\n", L(r, "Tra cứu chứng thư số", "Certificate directory"));
    search_form(&t, r, q);
    if (app_directory_search(r->app, q, PER_PAGE, (int64_t)(page - 1) * PER_PAGE, list_row, &l,
                             &more, &err) != 0) {
        free(t.data);
        if (err.status == 400)
            return http_send_error(r, 400, err.vi, err.en);
        return http_send_error(r, 500, "Lỗi máy chủ, xin thử lại sau.",
                               "Server error, please try again later.");
    }
    if (l.rows > 0)
        text_add(&t, "</tbody></table>\n");
    else
        text_add(&t, "<p>%s</p>\n",
                 L(r, "Không tìm thấy chứng thư nào.", "No certificate was found."));
    if (page > 1 || more) {
        text_add(&t, "<p class=\"pager\">");
        if (page > 1)
            pager_link(&t, r, q, page - 1, L(r, "« Trang trước", "« Previous"));
        text_add(&t, "<span class=\"muted\">%s %ld</span> ", L(r, "Trang", "Page"), page);
        if (more)
            pager_link(&t, r, q, page + 1, L(r, "Trang sau »", "Next »"));
        text_add(&t, "</p>\n");
    }
    page_end(&t, r);
    return http_send_html(r, 200, text_take(&t));
}

static void kv_begin(text *t, const char *label)
{
    text_add(t, "<tr><th>%s</th><td>", label);
}

static void cert_page(http_request *r, text *t, const cert_record *c)
{
    const app_config *cfg = app_get_config(r->app);
    const char *status = app_public_status(c, app_now());

    page_begin(t, r, c->common_name);
    text_add(t, "<h1>");
    text_add_escaped(t, c->common_name);
    text_add(t, "</h1>\n<table class=\"kv\">\n");
    kv_begin(t, L(r, "Chủ thể", "Subject"));
    text_add_escaped(t, c->subject);
    text_add(t, "</td></tr>\n");
    kv_begin(t, L(r, "Thư điện tử", "E-mail address"));
    text_add_escaped(t, c->email);
    text_add(t, "</td></tr>\n");
    kv_begin(t, L(r, "Tổ chức phát hành", "Issuer"));
    text_add(t, "CN=");
    text_add_escaped(t, strcmp(c->issuer, "root") == 0 ? cfg->root_name : cfg->issuing_name);
    text_add(t, ", O=");
    text_add_escaped(t, cfg->operator_name);
    text_add(t, ", C=VN</td></tr>\n");
    kv_begin(t, L(r, "Số hiệu (hex)", "Serial number (hex)"));
    text_add(t, "<code>%s</code></td></tr>\n", c->serial);
    kv_begin(t, L(r, "Có hiệu lực từ", "Effective from"));
    text_add(t, "<strong>");
    add_time(t, c->effective_at, true);
    text_add(t, "</strong><br><span class=\"muted\">%s</span></td></tr>\n",
             L(r, "thời điểm công bố trên trang này", "the moment it was published here"));
    kv_begin(t, L(r, "Thời hạn của chứng thư", "Validity period"));
    add_time(t, c->not_before, true);
    text_add(t, "<br>%s ", L(r, "đến", "until"));
    add_time(t, c->not_after, true);
    text_add(t, "</td></tr>\n");
    kv_begin(t, L(r, "Trạng thái", "Status"));
    text_add(t, "<span class=\"st-%s\">%s</span>", status, status_label(r, status));
    if (strcmp(status, "revoked") == 0 && c->revoked_at > 0) {
        text_add(t, " — ");
        add_time(t, c->revoked_at, false);
    }
    text_add(t, "</td></tr>\n");
    kv_begin(t, L(r, "Dấu vân tay SHA-256", "SHA-256 fingerprint"));
    text_add(t, "<code>%s</code></td></tr>\n</table>\n", c->sha256);
    text_add(t,
             "<p>%s: <a href=\"/certs/%s.pem\">%s.pem</a> · <a href=\"/certs/%s.der\">%s.der</a>"
             "</p>\n<p class=\"muted\">%s</p>\n",
             L(r, "Tải về", "Download"), c->serial, c->serial, c->serial, c->serial,
             L(r, "Trạng thái hiện thời do dịch vụ OCSP và CRL xác nhận.",
               "The current status is what the OCSP service and the CRL say."));
    page_end(t, r);
}

int site_certificate(http_request *r, const char *rest)
{
    char serial[41];
    const char *dot = strchr(rest, '.');
    size_t n = dot ? (size_t)(dot - rest) : strlen(rest);
    cert_record c;
    ct_error err = {0};
    text t = {0};

    if (n == 0 || n >= sizeof serial || strspn(rest, "0123456789abcdefABCDEF") != n ||
        (dot && strcmp(dot, ".pem") != 0 && strcmp(dot, ".der") != 0))
        return http_send_error(r, 400, "Số hiệu chứng thư không hợp lệ.",
                               "Invalid certificate serial number.");
    memcpy(serial, rest, n);
    serial[n] = '\0';
    if (app_directory_get(r->app, serial, &c, &err) != 0) {
        if (err.status == 404)
            return http_send_error(r, 404, "Không có chứng thư đã công bố nào mang số hiệu này.",
                                   "No published certificate has this serial number.");
        if (err.status == 400)
            return http_send_error(r, 400, err.vi, err.en);
        return http_send_error(r, 500, "Lỗi máy chủ, xin thử lại sau.",
                               "Server error, please try again later.");
    }
    if (dot) {
        int rc = download_certificate(r, &c, dot + 1);
        cert_record_free(&c);
        return rc;
    }
    cert_page(r, &t, &c);
    cert_record_free(&c);
    return http_send_html(r, 200, text_take(&t));
}
