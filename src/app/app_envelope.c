/*
 * app_envelope.c — the PIN envelope of a token, printed once.
 *
 * A token's user PIN is never stored in the database: provisioning writes it into the token's
 * envelope file (envelopes/SERIAL.txt, 0600) and nowhere else. The envelope is printed from
 * the portal or the command line by a CA role, once, as HTML or PDF laid out like the other
 * papers (never stored, unlike them: it holds the PIN). Inside one write transaction the file is
 * claimed by renaming it, the page is made from it and the printing is audited (who, when, which
 * token; never the PIN); the file is removed after the commit. Asked again, the
 * answer is 410 "token.envelope_printed" and says when and by whom it was printed.
 */
#include "app/app_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/buf.h"
#include "paper/paper.h"

#define ENVELOPE_MAX 4096

/* A token serial as provisioning names files: letters, digits, '-' and '_' only, so that no
 * serial from a request can name a file outside the folder. */
static bool serial_is_plain(const char *s)
{
    size_t n = 0;

    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'A' && s[n] <= 'Z') ||
              (s[n] >= 'a' && s[n] <= 'z') || s[n] == '-' || s[n] == '_'))
            return false;
    return n > 0 && n < 40;
}

static void envelope_path(app *a, const char *serial, const char *suffix, char *out, size_t size)
{
    char dir[CFG_PATH * 2];

    config_path(app_cfg(a), "envelopes", dir, sizeof dir);
    snprintf(out, size, "%s/%s.txt%s", dir, serial, suffix);
}

bool app_token_envelope_waiting(app *a, const char *serial)
{
    char path[CFG_PATH * 2 + 64];

    if (!serial_is_plain(serial))
        return false;
    envelope_path(a, serial, "", path, sizeof path);
    return access(path, F_OK) == 0;
}

/* The value after "label:" on its line of the envelope text, trimmed; "" when absent. */
static void envelope_field(const char *text, const char *label, char *out, size_t size)
{
    const char *p = strstr(text, label);
    size_t n;

    out[0] = '\0';
    if (p == NULL)
        return;
    p += strlen(label);
    p += strspn(p, " ");
    n = strcspn(p, "\n");
    if (n >= size)
        n = size - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

/* Wipe and free a page that held a PIN. */
static void envelope_discard(app_paper *page)
{
    if (page->bytes)
        OPENSSL_cleanse(page->bytes, page->len);
    app_paper_free(page);
}

/* The printable page, laid out as the other papers are (Decree 30/2020), Vietnamese only: the
 * envelope as a sealed insert, in HTML or PDF. */
static int envelope_page(app *a, const token_record *t, const char *text, app_paper_format format,
                         app_paper *out, ct_error *err)
{
    static const struct {
        const char *label; /* as provisioning writes it */
        const char *vi;
    } fields[] = {
        {"Thuê bao / subscriber:", "Người được cấp"},
        {"Hồ sơ / dossier:", "Hồ sơ"},
        {"Thiết bị / token serial:", "Thiết bị lưu khóa bí mật"},
        {"Chứng thư số / certificate:", "Số sê-ri chứng thư số"},
    };
    static const char *const heads[] = {"Nội dung", "Thông tin"};
    static const double widths[] = {0.38, 0.62};
    char value[300], pin[64], where[160];
    paper_header h = {0};
    paper_doc *doc = paper_new();
    ct_buf b = {0};
    int rc;

    if (doc == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    app_paper_place_date(app_cfg(a)->office_place, app_now(), where, sizeof where);
    h.parent_body = app_cfg(a)->office_parent;
    h.issuing_body = app_cfg(a)->office_name;
    h.place_date = where;
    paper_set_header(doc, &h);
    paper_set_created(doc, app_now());
    paper_set_title(doc, "PHONG BÌ MÃ PIN", "Thiết bị lưu khóa bí mật của chứng thư số");
    paper_table(doc, 2, heads, widths);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const char *row[2] = {fields[i].vi, value};
        envelope_field(text, fields[i].label, value, sizeof value);
        paper_table_row(doc, row);
    }
    envelope_field(text, "MÃ PIN / USER PIN:", pin, sizeof pin);
    paper_text(doc, PAPER_CENTER, false, PAPER_BOLD, "Mã PIN: %s", pin);
    OPENSSL_cleanse(pin, sizeof pin);
    paper_text(doc, PAPER_JUSTIFY, true, PAPER_ITALIC,
               "Đổi mã PIN ngay khi nhận thiết bị; không tiết lộ mã PIN cho bất kỳ ai, kể cả "
               "cán bộ của cơ quan cấp. Phong bì này chỉ được in một lần.");
    rc = format == APP_PAPER_PDF ? paper_pdf(doc, &b, err) : paper_html(doc, &b, err);
    paper_free(doc);
    if (rc != 0) {
        if (b.data)
            OPENSSL_cleanse(b.data, b.cap);
        buf_free(&b);
        return -1;
    }
    memset(out, 0, sizeof *out);
    out->bytes = buf_take(&b, &out->len);
    out->content_type = format == APP_PAPER_PDF ? "application/pdf" : "text/html; charset=utf-8";
    snprintf(out->filename, sizeof out->filename, "phong-bi-ma-pin-%s.%s", t->serial,
             format == APP_PAPER_PDF ? "pdf" : "html");
    out->first_issue = true;
    return 0;
}

/* The last printing of one token's envelope, from the audit trail. */
typedef struct last_print {
    const char *object;
    int64_t at;
    char actor[128];
} last_print;

static int find_print(void *ctx, const audit_entry *e)
{
    last_print *l = ctx;

    if (strcmp(e->object, l->object) == 0 && strcmp(e->action, "token.envelope_print") == 0) {
        l->at = e->at;
        snprintf(l->actor, sizeof l->actor, "%s", e->actor);
    }
    return 0;
}

/* When and by whom an envelope no longer on file was printed: 410, or 404 if it never was. */
static int envelope_gone(app *a, const char *serial, ct_error *err)
{
    char object[64];
    last_print l = {object, 0, ""};

    snprintf(object, sizeof object, "token:%s", serial);
    if (store_audit_for_object(a->db, object, find_print, &l, NULL) == 0 && l.at != 0) {
        ct_date d = ct_utc_to_local_date(l.at);
        int m = ct_utc_to_local_minute(l.at);
        return ct_fail(err, 410, "token.envelope_printed",
                       "phong bì mã PIN của thiết bị %s đã được in lúc %02d:%02d ngày "
                       "%02d/%02d/%04d (%s); mã PIN không còn lưu ở đâu khác",
                       "the PIN envelope of token %s was printed at %02d:%02d on %02d/%02d/%04d "
                       "(%s); the PIN is kept nowhere else",
                       serial, m / 60, m % 60, d.day, d.month, d.year, l.actor);
    }
    return ct_fail(err, 404, "token.no_envelope", "thiết bị %s không có phong bì mã PIN chờ in",
                   "token %s has no PIN envelope waiting to be printed", serial);
}

/* One printing, inside one write transaction: the claim (a rename), the page and the audit row
 * happen together, so that a second asker, who waits for the transaction, finds the file gone
 * and the printing on record (410) — never a printing half done. */
typedef struct envelope_print {
    const app_actor *actor;
    const char *serial;
    const token_record *token;
    app_paper_format format;
    char path[CFG_PATH * 2 + 64];
    char claimed[CFG_PATH * 2 + 64];
    app_paper page;
} envelope_print;

static int print_in_transaction(app *a, void *ctx, ct_error *err)
{
    envelope_print *p = ctx;
    char text[ENVELOPE_MAX], object[64];
    size_t n;
    FILE *f;
    int rc;

    if (rename(p->path, p->claimed) != 0)
        return errno == ENOENT ? envelope_gone(a, p->serial, err)
                               : ct_fail(err, 500, "token.envelope", "không đọc được phong bì %s",
                                         "cannot read the envelope %s", p->path);
    f = fopen(p->claimed, "re");
    n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = '\0';
    if (n == 0) {
        rename(p->claimed, p->path);
        return ct_fail(err, 500, "token.envelope", "không đọc được phong bì %s",
                       "cannot read the envelope %s", p->path);
    }
    rc = envelope_page(a, p->token, text, p->format, &p->page, err);
    OPENSSL_cleanse(text, sizeof text);
    snprintf(object, sizeof object, "token:%s", p->serial);
    if (rc != 0 ||
        audit_append(a, p->actor, "token.envelope_print", object,
                     json_pack("{s:s}", "format", p->format == APP_PAPER_PDF ? "pdf" : "html"),
                     err) != 0) {
        envelope_discard(&p->page);
        rename(p->claimed, p->path); /* not printed: it waits again */
        return -1;
    }
    return 0;
}

int app_token_envelope_print(app *a, const app_actor *actor, const char *serial,
                             app_paper_format format, app_paper *out, ct_error *err)
{
    envelope_print p = {.actor = actor, .serial = serial, .format = format};
    token_record t;

    memset(out, 0, sizeof *out);
    if (role_require(actor->role, ROLES_CA, "token envelope", err) != 0)
        return -1;
    if (serial == NULL || !serial_is_plain(serial))
        return ct_fail(err, 404, "token.not_found", "không có thiết bị \"%s\"", "no token \"%s\"",
                       serial ? serial : "");
    if (store_token_get(a->db, serial, &t, err) != 0)
        return -1;
    p.token = &t;
    envelope_path(a, serial, "", p.path, sizeof p.path);
    envelope_path(a, serial, ".printing", p.claimed, sizeof p.claimed);
    if (with_transaction(a, print_in_transaction, &p, err) != 0) {
        if (p.page.bytes) { /* the commit failed after the page was made */
            envelope_discard(&p.page);
            rename(p.claimed, p.path);
        }
        return -1;
    }
    unlink(p.claimed);
    *out = p.page;
    return 0;
}

void app_token_envelope_discard(app_paper *page)
{
    envelope_discard(page);
}
