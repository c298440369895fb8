/*
 * app_envelope.c — the PIN envelope of a token, printed once.
 *
 * A token's user PIN is never stored in the database: provisioning writes it into the token's
 * envelope file (envelopes/SERIAL.txt, 0600) and nowhere else. The envelope is printed from
 * the portal or the command line by a CA role, once: the file is claimed by renaming it (one
 * rename wins however many ask at once), the printable page is made from it, the printing is
 * audited (who, when, which token; never the PIN), and the file is removed. Asked again, the
 * answer is 410 "token.envelope_printed" and says when and by whom it was printed.
 */
#include "app/app_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"

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

    config_path(&a->cfg, "envelopes", dir, sizeof dir);
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

/* The printable page: the envelope as a sealed insert, Vietnamese only. */
static char *envelope_html(app *a, const token_record *t, const char *text)
{
    static const struct {
        const char *label; /* as provisioning writes it */
        const char *vi;
    } fields[] = {
        {"Thuê bao / subscriber:", "Người được cấp"},
        {"Hồ sơ / dossier:", "Hồ sơ"},
        {"Thiết bị / token serial:", "Thiết bị lưu khóa bí mật (số sê-ri)"},
        {"Chứng thư số / certificate:", "Số sê-ri chứng thư số"},
    };
    char value[300], pin[64];
    ct_buf b = {0};

    envelope_field(text, "MÃ PIN / USER PIN:", pin, sizeof pin);
    buf_printf(&b, "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
                   "<title>Phong bì mã PIN ");
    buf_append_html(&b, t->serial);
    /* the portal's own style sheet: pages of this site allow no inline style */
    buf_append_str(&b, "</title><link rel=\"stylesheet\" href=\"/portal/slip.css\"></head>"
                       "<body class=\"envelope\">\n"
                       "<table class=\"heading\"><tr><td><strong>");
    buf_append_html(&b, a->cfg.office_name);
    buf_printf(&b, "</strong></td><td><strong>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</strong><br>"
                   "<u>Độc lập - Tự do - Hạnh phúc</u></td></tr></table>\n"
                   "<h1>PHONG BÌ MÃ PIN<br>THIẾT BỊ LƯU KHÓA BÍ MẬT</h1>\n<table>\n");
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        envelope_field(text, fields[i].label, value, sizeof value);
        buf_printf(&b, "<tr><th>%s</th><td>", fields[i].vi);
        buf_append_html(&b, value);
        buf_printf(&b, "</td></tr>\n");
    }
    buf_printf(&b, "<tr><th>Mã PIN</th><td class=\"pin\"><strong>");
    buf_append_html(&b, pin);
    buf_printf(&b, "</strong></td></tr>\n</table>\n"
                   "<p>Đổi mã PIN ngay khi nhận thiết bị; không tiết lộ mã PIN cho bất kỳ ai, kể "
                   "cả cán bộ của cơ quan cấp. Phong bì này chỉ được in một lần.</p>\n"
                   "</body></html>\n");
    return buf_take_text(&b);
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
    char path[CFG_PATH * 2 + 64];
    char claimed[CFG_PATH * 2 + 64];
    char *html;
} envelope_print;

static int print_in_transaction(app *a, void *ctx, ct_error *err)
{
    envelope_print *p = ctx;
    char text[ENVELOPE_MAX], object[64];
    size_t n;
    FILE *f;

    if (rename(p->path, p->claimed) != 0)
        return errno == ENOENT ? envelope_gone(a, p->serial, err)
                               : ct_fail(err, 500, "token.envelope", "không đọc được phong bì %s",
                                         "cannot read the envelope %s", p->path);
    f = fopen(p->claimed, "re");
    n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = '\0';
    p->html = n > 0 ? envelope_html(a, p->token, text) : NULL;
    explicit_bzero(text, sizeof text);
    snprintf(object, sizeof object, "token:%s", p->serial);
    if (p->html == NULL) {
        rename(p->claimed, p->path);
        return ct_fail(err, 500, "token.envelope", "không đọc được phong bì %s",
                       "cannot read the envelope %s", p->path);
    }
    if (audit_append(a, p->actor, "token.envelope_print", object, json_object(), err) != 0) {
        explicit_bzero(p->html, strlen(p->html));
        free(p->html);
        p->html = NULL;
        rename(p->claimed, p->path); /* not printed: it waits again */
        return -1;
    }
    return 0;
}

int app_token_envelope_print(app *a, const app_actor *actor, const char *serial, char **out,
                             ct_error *err)
{
    envelope_print p = {.actor = actor, .serial = serial};
    token_record t;

    *out = NULL;
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
        if (p.html) { /* the commit failed after the page was made */
            explicit_bzero(p.html, strlen(p.html));
            free(p.html);
            rename(p.claimed, p.path);
        }
        return -1;
    }
    unlink(p.claimed);
    *out = p.html;
    return 0;
}
