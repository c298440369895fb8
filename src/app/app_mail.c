/*
 * app_mail.c — e-mail notices: a durable outbox written in the transaction of the step that
 * causes a message, a sender that delivers it through an SMTP server with libcurl, and the
 * notices before a certificate's end.
 *
 * Delivery is at least once. A message is claimed (app_claim.c: "mail:ID") in a short
 * transaction, sent with no transaction open, and marked sent in another; the claim keeps a
 * second sender (another thread, process or node) off it meanwhile, and a claim whose process
 * died is taken over at once. So a sender killed after the server accepted a message and before
 * the mark sends it again, with the Message-ID fixed at queuing: the receiver can tell the copy.
 * A failed attempt waits backoff_seconds, doubled each time up to backoff_max_seconds; after
 * max_attempts the message is failed and waits for `mail retry`.
 */
#include "app/app_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include <curl/curl.h>
#include <openssl/rand.h>

#include "core/mail_text.h"
#include "core/text.h"

/* At most this many messages, and about this many seconds, per round: one round of the upkeep
 * stays short (the server's watchdog waits for the next), the rest waits for the next round. */
#define SEND_ROUND_MAX 200
#define SEND_ROUND_SECONDS 60
/* A template file's largest size. */
#define TEMPLATE_MAX (64 * 1024)

void app_mail_open(app *a)
{
    a->mail_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

void app_mail_close(app *a)
{
    if (a->mail_ready)
        curl_global_cleanup();
    a->mail_ready = false;
}

static bool mail_enabled(const app *a)
{
    return app_cfg(a)->mail_smtp_url[0] != '\0';
}

void app_mail_to(app_mail *m, const char *address)
{
    if (address == NULL || address[0] == '\0')
        return;
    for (size_t i = 0; i < APP_MAIL_TO_MAX; i++)
        if (m->to[i] == NULL) {
            m->to[i] = address;
            return;
        }
}

void app_mail_var(app_mail *m, const char *name, const char *value)
{
    for (size_t i = 0; i < APP_MAIL_VARS_MAX; i++)
        if (m->vars[i][0] == NULL) {
            m->vars[i][0] = name;
            m->vars[i][1] = value ? value : "";
            return;
        }
}

int app_mail_to_agency(app *a, app_mail *m, const char *agency_code, ct_error *err)
{
    if (store_agency_get(a->db, agency_code, &m->agency, err) != 0)
        return -1;
    app_mail_to(m, m->agency.email);
    app_mail_to(m, m->agency.clerk_email);
    app_mail_var(m, "agency_name", m->agency.name);
    app_mail_var(m, "agency_code", m->agency.code);
    return 0;
}

/* ---- templates ---- */

typedef struct mail_vars {
    const app_mail *m;
    const char *common[6][2];
} mail_vars;

static const char *lookup_var(void *ctx, const char *name)
{
    mail_vars *v = ctx;

    for (size_t i = 0; i < APP_MAIL_VARS_MAX && v->m->vars[i][0]; i++)
        if (strcmp(v->m->vars[i][0], name) == 0)
            return v->m->vars[i][1];
    for (size_t i = 0; i < sizeof v->common / sizeof v->common[0] && v->common[i][0]; i++)
        if (strcmp(v->common[i][0], name) == 0)
            return v->common[i][1];
    return NULL;
}

/* The template file KIND.EXT: the instance's own (HOME/mail/) if there is one, else the one
 * shipped (data/mail/). *text malloc'd. */
static int read_template(app *a, const char *kind, const char *ext, char **text, ct_error *err)
{
    char path[CFG_PATH + 160];
    unsigned char *data = NULL;
    size_t len = 0;
    ct_error ignored = {0};

    if (strspn(kind, "abcdefghijklmnopqrstuvwxyz_") != strlen(kind) || kind[0] == '\0')
        return ct_fail(err, 500, "mail.template_missing", "không có mẫu thư \"%s\"",
                       "no mail template \"%s\"", kind);
    snprintf(path, sizeof path, "%s/mail/%s.%s", app_cfg(a)->home, kind, ext);
    if (app_read_file(path, &data, &len, TEMPLATE_MAX, &ignored) != 0) {
        snprintf(path, sizeof path, "%s/mail/%s.%s", CT_DATA_DIR, kind, ext);
        if (app_read_file(path, &data, &len, TEMPLATE_MAX, err) != 0)
            return ct_error_prefix(err, "mẫu thư: ", "mail template: ");
    }
    *text = (char *)data;
    return 0;
}

/* Subject (the first line of KIND.txt), plain text (after the blank line) and HTML. */
static int render(app *a, const app_mail *m, char subject[512], char **text, char **html,
                  ct_error *err)
{
    char *txt = NULL, *htm = NULL, *body;
    ct_buf b = {0};
    mail_vars v = {m,
                   {{"office_name", app_cfg(a)->office_name},
                    {"office_address", app_cfg(a)->office_address},
                    {"base_url", app_cfg(a)->base_url},
                    {"portal_url", NULL},
                    {"ref", m->ref},
                    {NULL, NULL}}};
    char portal[CFG_TEXT + 16];
    char *line_end;
    int rc = -1;

    snprintf(portal, sizeof portal, "%s/portal/", app_cfg(a)->base_url);
    v.common[3][1] = portal;
    *text = *html = NULL;
    if (read_template(a, m->kind, "txt", &txt, err) != 0 ||
        read_template(a, m->kind, "html", &htm, err) != 0)
        goto out;
    line_end = strchr(txt, '\n');
    if (line_end == NULL || line_end[1] != '\n')
        body = NULL;
    else
        body = line_end + 2;
    if (body == NULL) {
        ct_fail(err, 500, "mail.template_syntax",
                "mẫu thư %s.txt: dòng đầu là tiêu đề, rồi một dòng trống, rồi nội dung",
                "mail template %s.txt: the subject on the first line, a blank line, then the text",
                m->kind);
        goto out;
    }
    *line_end = '\0';
    if (mail_render(txt, false, lookup_var, &v, &b, err) != 0)
        goto out;
    buf_append_byte(&b, '\0');
    if (!buf_ok(&b) || b.len > 512) {
        ct_fail(err, 500, "mail.subject_too_long", "tiêu đề thư quá dài",
                "the message's subject is too long");
        goto out;
    }
    /* one line: a value with a line break must not start a header of its own */
    for (unsigned char *p = b.data; *p; p++)
        if (*p < 0x20)
            *p = ' ';
    memcpy(subject, b.data, b.len);
    buf_reset(&b);
    if (mail_render(body, false, lookup_var, &v, &b, err) != 0)
        goto out;
    if ((*text = buf_take_text(&b)) == NULL) {
        ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
        goto out;
    }
    if (mail_render(htm, true, lookup_var, &v, &b, err) != 0)
        goto out;
    if ((*html = buf_take_text(&b)) == NULL) {
        ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
        goto out;
    }
    rc = 0;
out:
    if (rc != 0) {
        free(*text);
        free(*html);
        *text = *html = NULL;
    }
    buf_free(&b);
    free(txt);
    free(htm);
    return rc;
}

/* ---- queuing ---- */

/* The host of base_url, for the right-hand side of Message-IDs and the default sender. */
static void base_host(const app *a, char *out, size_t size)
{
    const char *p = strstr(app_cfg(a)->base_url, "://");
    size_t n;

    p = p ? p + 3 : app_cfg(a)->base_url;
    n = strcspn(p, ":/?#");
    if (n == 0 || n >= size)
        snprintf(out, size, "localhost");
    else
        snprintf(out, size, "%.*s", (int)n, p);
    for (char *q = out; *q; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
              *q == '.' || *q == '-'))
            *q = '-';
}

int app_mail_enqueue(app *a, const app_actor *actor, const app_mail *m, int64_t *id, ct_error *err)
{
    outbox_record rec;
    char clean[APP_MAIL_TO_MAX][256], host[CFG_TEXT];
    size_t n = 0, len = 0;
    unsigned char nonce[8];
    json_t *to;

    if (id)
        *id = 0;
    if (!mail_enabled(a))
        return 0;
    memset(&rec, 0, sizeof rec);
    for (size_t i = 0; i < APP_MAIL_TO_MAX && m->to[i]; i++) {
        ct_error ignored = {0};
        bool seen = false;
        if (text_clean_email(m->to[i], clean[n], sizeof clean[n], &ignored) != 0)
            continue;
        for (size_t k = 0; k < n; k++)
            seen = seen || strcasecmp(clean[k], clean[n]) == 0;
        if (!seen)
            n++;
    }
    if (n == 0)
        return 0; /* nobody to tell: no message, no error */
    to = json_array();
    for (size_t i = 0; i < n; i++) {
        if (len + strlen(clean[i]) + 3 > sizeof rec.recipients)
            break;
        len += (size_t)snprintf(rec.recipients + len, sizeof rec.recipients - len, "%s%s",
                                i ? ", " : "", clean[i]);
        json_array_append_new(to, json_string(clean[i]));
    }
    if (render(a, m, rec.subject, &rec.body_text, &rec.body_html, err) != 0 ||
        store_outbox_next_id(a->db, &rec.id, err) != 0) {
        json_decref(to);
        outbox_record_free(&rec);
        return -1;
    }
    if (RAND_bytes(nonce, sizeof nonce) != 1) {
        json_decref(to);
        outbox_record_free(&rec);
        return ct_fail(err, 500, "crypto.random", "không lấy được số ngẫu nhiên",
                       "no random bytes");
    }
    base_host(a, host, sizeof host);
    snprintf(rec.message_id, sizeof rec.message_id,
             "<outbox-%lld.%02x%02x%02x%02x%02x%02x%02x%02x@%s>", (long long)rec.id, nonce[0],
             nonce[1], nonce[2], nonce[3], nonce[4], nonce[5], nonce[6], nonce[7], host);
    rec.created_at = app_now();
    snprintf(rec.kind, sizeof rec.kind, "%s", m->kind);
    snprintf(rec.ref, sizeof rec.ref, "%s", m->ref ? m->ref : "");
    snprintf(rec.state, sizeof rec.state, "queued");
    rec.next_attempt_at = rec.created_at;
    if (store_outbox_insert(a->db, &rec, err) != 0) {
        json_decref(to);
        outbox_record_free(&rec);
        return -1;
    }
    outbox_record_free(&rec);
    if (id)
        *id = rec.id;
    return audit_append(a, actor, "mail.queue", rec.ref,
                        json_pack("{s:I, s:s, s:s, s:o, s:s}", "id", (json_int_t)rec.id,
                                  "message_id", rec.message_id, "kind", rec.kind, "to", to,
                                  "subject", rec.subject),
                        err);
}

/* ---- listing ---- */

json_t *app_view_mail(const outbox_record *r)
{
    return json_pack(
        "{s:I, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:s, s:o}", "id", (json_int_t)r->id,
        "message_id", r->message_id, "created_at", app_view_time(r->created_at), "kind", r->kind,
        "ref", r->ref, "recipients", r->recipients, "subject", r->subject, "state", r->state,
        "attempts", (json_int_t)r->attempts, "next_attempt_at",
        strcmp(r->state, "queued") == 0 ? app_view_time(r->next_attempt_at) : json_null(),
        "last_error", r->last_error, "sent_at", app_view_time(r->sent_at));
}

typedef struct list_ctx {
    outbox_visit_fn visit;
    void *ctx;
} list_ctx;

/* The bodies stay inside the app: a listing shows who, what about and how it went. */
static int visit_without_body(void *user, const outbox_record *r)
{
    list_ctx *l = user;
    outbox_record copy = *r;

    copy.body_text = copy.body_html = NULL;
    return l->visit(l->ctx, &copy);
}

int app_mail_list(app *a, const app_actor *actor, const char *state, outbox_visit_fn visit,
                  void *ctx, ct_error *err)
{
    outbox_filter f = {0};
    list_ctx l = {visit, ctx};

    if (role_require(actor->role, ROLES_CA | ROLE_AUDITOR | ROLE_SYSTEM, "mail list", err) != 0)
        return -1;
    if (state && *state) {
        if (strcmp(state, "queued") != 0 && strcmp(state, "sent") != 0 &&
            strcmp(state, "failed") != 0)
            return ct_fail(err, 400, "mail.state_invalid",
                           "trạng thái thư phải là queued, sent hoặc failed",
                           "a message's state is queued, sent or failed");
        f.state = state;
    }
    return store_outbox_list(a->db, &f, visit_without_body, &l, err);
}

/* ---- sending ---- */

typedef struct upload {
    const unsigned char *data;
    size_t len, at;
} upload;

static size_t read_upload(char *ptr, size_t size, size_t nmemb, void *user)
{
    upload *u = user;
    size_t room = size * nmemb, n = u->len - u->at;

    if (n > room)
        n = room;
    memcpy(ptr, u->data + u->at, n);
    u->at += n;
    return n;
}

/* The address inside "Name <addr>", or the whole value. */
static void address_of(const char *from, char *out, size_t size)
{
    const char *lt = strrchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;

    if (lt && gt)
        snprintf(out, size, "%.*s", (int)(gt - lt - 1), lt + 1);
    else
        snprintf(out, size, "%s", from);
}

/* One delivery attempt of rec; *connection tells a failure to reach the server at all (the
 * round stops: the others would fail alike). The password is read from the environment here
 * and never written anywhere. */
static int smtp_send(app *a, const outbox_record *rec, bool *connection, char *error, size_t size)
{
    const app_config *c = app_cfg(a);
    char from[CFG_TEXT + 64], from_addr[CFG_TEXT], host[CFG_TEXT], curl_error[CURL_ERROR_SIZE];
    ct_buf msg = {0};
    mail_message m;
    struct curl_slist *rcpt = NULL;
    upload u;
    CURL *curl;
    CURLcode rc;
    const char *p = rec->recipients;

    *connection = false;
    error[0] = curl_error[0] = '\0';
    base_host(a, host, sizeof host);
    if (c->mail_from[0])
        snprintf(from, sizeof from, "%s", c->mail_from);
    else
        snprintf(from, sizeof from, "chungthu <noreply@%s>", host);
    address_of(from, from_addr, sizeof from_addr);
    m = (mail_message){
        from,           rec->recipients, rec->subject, rec->message_id, rec->created_at,
        rec->body_text, rec->body_html};
    mail_compose(&msg, &m);
    if (!buf_ok(&msg)) {
        buf_free(&msg);
        snprintf(error, size, "out of memory");
        return -1;
    }
    while (*p) {
        char one[260];
        size_t n = strcspn(p, ",");
        snprintf(one, sizeof one, "<%.*s>", (int)n, p);
        rcpt = curl_slist_append(rcpt, one);
        p += n;
        while (*p == ',' || *p == ' ')
            p++;
    }
    curl = curl_easy_init();
    if (curl == NULL || rcpt == NULL) {
        curl_slist_free_all(rcpt);
        curl_easy_cleanup(curl);
        buf_free(&msg);
        snprintf(error, size, "libcurl could not start");
        return -1;
    }
    u = (upload){msg.data, msg.len, 0};
    snprintf(from, sizeof from, "<%s>", from_addr);
    curl_easy_setopt(curl, CURLOPT_URL, c->mail_smtp_url);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &u);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)c->mail_timeout_seconds);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT,
                     (long)(c->mail_timeout_seconds < 15 ? c->mail_timeout_seconds : 15));
    curl_easy_setopt(curl, CURLOPT_USE_SSL,
                     strcmp(c->mail_starttls, "required") == 0        ? (long)CURLUSESSL_ALL
                     : strcmp(c->mail_starttls, "opportunistic") == 0 ? (long)CURLUSESSL_TRY
                                                                      : (long)CURLUSESSL_NONE);
    if (c->mail_ca_file[0]) {
        char ca[CFG_PATH * 2];
        config_path(c, c->mail_ca_file, ca, sizeof ca);
        curl_easy_setopt(curl, CURLOPT_CAINFO, ca);
    }
    if (c->mail_username[0]) {
        const char *password = c->mail_password_env[0] ? getenv(c->mail_password_env) : NULL;
        if (password == NULL) {
            snprintf(error, size, "the SMTP password is not in the environment variable %s",
                     c->mail_password_env);
            curl_slist_free_all(rcpt);
            curl_easy_cleanup(curl);
            buf_free(&msg);
            return -1;
        }
        curl_easy_setopt(curl, CURLOPT_USERNAME, c->mail_username);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, password);
    }
    rc = curl_easy_perform(curl);
    if (rc != CURLE_OK) {
        long response = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response);
        *connection = rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
                      rc == CURLE_OPERATION_TIMEDOUT;
        snprintf(error, size, "%s%s%s (SMTP %ld)", curl_easy_strerror(rc),
                 curl_error[0] ? ": " : "", curl_error, response);
    }
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    buf_free(&msg);
    return rc == CURLE_OK ? 0 : -1;
}

typedef struct claim_next {
    int64_t now;
    char holder[CLAIM_HOLDER_MAX];
    char object[64];
    int64_t skip_below; /* ids already tried in this round */
    outbox_record rec;  /* the claimed message, bodies malloc'd */
    bool found;
    struct {
        int64_t *items;
        size_t n, cap;
    } due;
} claim_next;

static int collect_due(void *user, const outbox_record *r)
{
    claim_next *c = user;

    if (r->id <= c->skip_below)
        return 0;
    return vec_push(&c->due, r->id);
}

/* The first due message nobody alive holds, claimed for this sender. */
static int claim_in_transaction(app *a, void *ctx, ct_error *err)
{
    claim_next *c = ctx;
    outbox_filter f = {.due_at = c->now, .limit = 64};

    c->due.n = 0;
    c->found = false;
    if (store_outbox_list(a->db, &f, collect_due, c, err) != 0)
        return -1;
    for (size_t i = 0; i < c->due.n; i++) {
        snprintf(c->object, sizeof c->object, "mail:%lld", (long long)c->due.items[i]);
        if (claim_busy(a, c->object))
            continue;
        if (claim_take(a, c->object, c->holder, err) != 0 ||
            store_outbox_get(a->db, c->due.items[i], &c->rec, err) != 0)
            return -1;
        c->found = true;
        return 0;
    }
    return 0;
}

typedef struct mark {
    const app_actor *actor;
    claim_next *c;
    bool sent;
    const char *error;
    int64_t now;
    int result; /* 0 sent, 1 deferred, 2 failed */
} mark;

static int64_t backoff(const app_config *cfg, int64_t attempts)
{
    int64_t wait = cfg->mail_backoff_seconds;

    for (int64_t i = 1; i < attempts && wait < cfg->mail_backoff_max_seconds; i++)
        wait *= 2;
    return wait < cfg->mail_backoff_max_seconds ? wait : cfg->mail_backoff_max_seconds;
}

/* The attempt's outcome, with the claim released, in one transaction. */
static int mark_in_transaction(app *a, void *ctx, ct_error *err)
{
    mark *k = ctx;
    outbox_record r;
    const char *action;
    json_t *detail;

    if (store_outbox_get(a->db, k->c->rec.id, &r, err) != 0)
        return -1;
    outbox_record_free(&r);
    if (!claim_held(a, k->c->object, k->c->holder) || strcmp(r.state, "queued") != 0)
        return ct_fail(err, 409, "claim.busy", "thư %lld vừa được xử lý ở nơi khác",
                       "message %lld has just been handled elsewhere", (long long)r.id);
    r.attempts++;
    if (k->sent) {
        snprintf(r.state, sizeof r.state, "sent");
        r.sent_at = k->now;
        r.last_error[0] = '\0';
        action = "mail.sent";
        k->result = 0;
    } else {
        snprintf(r.last_error, sizeof r.last_error, "%s", k->error);
        ct_utf8_repair(r.last_error);
        if (r.attempts >= app_cfg(a)->mail_max_attempts) {
            snprintf(r.state, sizeof r.state, "failed");
            action = "mail.failed";
            k->result = 2;
        } else {
            r.next_attempt_at = k->now + backoff(app_cfg(a), r.attempts);
            action = "mail.deferred";
            k->result = 1;
        }
    }
    if (store_outbox_mark(a->db, &r, err) != 0 ||
        claim_release(a, k->c->object, k->c->holder, err) != 0)
        return -1;
    detail = json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)r.id, "message_id", r.message_id,
                       "kind", r.kind, "attempts", (json_int_t)r.attempts);
    if (!k->sent) {
        json_object_set_new(detail, "error", json_string(r.last_error));
        if (k->result == 1)
            json_object_set_new(detail, "next_attempt_at",
                                json_integer((json_int_t)r.next_attempt_at));
    }
    return audit_append(a, k->actor, action, r.ref, detail, err);
}

int app_mail_send_due(app *a, const app_actor *actor, app_mail_report *out, ct_error *err)
{
    claim_next c;
    struct timespec start, at;
    int rc = 0;

    memset(out, 0, sizeof *out);
    if (role_require(actor->role, ROLE_SYSTEM | ROLES_CA, "mail send-due", err) != 0)
        return -1;
    if (!mail_enabled(a))
        return 0;
    if (app_mail_expiry(a, actor, &out->queued_notices, err) != 0)
        return -1;
    memset(&c, 0, sizeof c);
    claim_holder(c.holder);
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int round = 0; round < SEND_ROUND_MAX; round++) {
        char error[768];
        bool connection;
        mark k = {.actor = actor, .c = &c};

        c.now = app_now();
        if (with_transaction(a, claim_in_transaction, &c, err) != 0) {
            rc = -1;
            break;
        }
        if (!c.found)
            break;
        c.skip_below = c.rec.id;
        k.sent = smtp_send(a, &c.rec, &connection, error, sizeof error) == 0;
        k.error = error;
        k.now = app_now();
        outbox_record_free(&c.rec);
        if (with_transaction(a, mark_in_transaction, &k, err) != 0) {
            claim_release_now(a, c.object, c.holder);
            rc = -1;
            break;
        }
        if (k.result == 0)
            out->sent++;
        else if (k.result == 1)
            out->deferred++;
        else
            out->failed++;
        if (!k.sent && connection)
            break; /* the server is not there: the others wait for the next round */
        clock_gettime(CLOCK_MONOTONIC, &at);
        if (at.tv_sec - start.tv_sec >= SEND_ROUND_SECONDS)
            break;
    }
    free(c.due.items);
    return rc;
}

typedef struct retry {
    const app_actor *actor;
    int64_t id;
} retry;

static int retry_in_transaction(app *a, void *ctx, ct_error *err)
{
    retry *x = ctx;
    outbox_record r;
    char from[16];

    if (store_outbox_get(a->db, x->id, &r, err) != 0)
        return -1;
    outbox_record_free(&r);
    if (strcmp(r.state, "sent") == 0)
        return ct_fail(err, 409, "mail.already_sent", "thư %lld đã được gửi",
                       "message %lld was sent already", (long long)x->id);
    snprintf(from, sizeof from, "%s", r.state);
    snprintf(r.state, sizeof r.state, "queued");
    r.attempts = 0;
    r.next_attempt_at = app_now();
    if (store_outbox_mark(a->db, &r, err) != 0)
        return -1;
    return audit_append(a, x->actor, "mail.retry", r.ref,
                        json_pack("{s:I, s:s, s:s}", "id", (json_int_t)r.id, "message_id",
                                  r.message_id, "from", from),
                        err);
}

int app_mail_retry(app *a, const app_actor *actor, int64_t id, ct_error *err)
{
    retry x = {actor, id};

    if (role_require(actor->role, ROLES_CA, "mail retry", err) != 0)
        return -1;
    return with_transaction(a, retry_in_transaction, &x, err);
}
