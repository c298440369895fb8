/*
 * app_audit.c — the audit trail as a hash chain.
 *
 * Each row stores the SHA-256 of the previous row and its own hash over a canonical encoding of
 * its fields (each field length-prefixed, so no choice of values can make two different rows
 * encode alike). Editing, deleting or reordering any row breaks the chain at that row, which
 * `audit verify` reports by id. Rows are appended inside the transaction of the change they
 * record: the change and its audit row commit together or not at all.
 *
 * A chain alone cannot show rows cut from its end, or a whole database put back to an older
 * copy: what is left still chains. So every checkpoint_rows rows or checkpoint_minutes minutes
 * the head (row count, last id and hash) is signed with the audit-signing key (ca/audit.*, a
 * certificate of the issuing CA with its own extended key usage) into audit_checkpoints, and
 * each checkpoint is also written outside the database: appended to checkpoint_file, sent to
 * syslog (the journal under systemd), and served at /audit/checkpoint. `audit verify` checks
 * the checkpoints in the database against the chain, and a checkpoint kept outside it
 * (--checkpoint FILE) against what the database holds now.
 *
 * The walk also accounts for the serials of token certificates: each is reserved (cert.reserve,
 * committed before anything is written to the device) and then issued (cert.issue); those never
 * issued are the provisionings that failed or were cut off, which the CA answers for too.
 */
#include "app/app_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "pki/ca.h"
#include "pki/digest.h"

static const char zero_hash[65] =
    "0000000000000000000000000000000000000000000000000000000000000000";

static void add_field(EVP_MD_CTX *md, const char *value)
{
    char prefix[24];
    size_t len = strlen(value);
    int n = snprintf(prefix, sizeof prefix, "%zu:", len);

    EVP_DigestUpdate(md, prefix, (size_t)n);
    EVP_DigestUpdate(md, value, len);
}

static int entry_hash(const audit_entry *e, char out[65])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char h[32];
    char num[32];

    if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(md);
        return -1;
    }
    snprintf(num, sizeof num, "%lld", (long long)e->id);
    add_field(md, num);
    snprintf(num, sizeof num, "%lld", (long long)e->at);
    add_field(md, num);
    add_field(md, e->actor);
    add_field(md, e->role);
    add_field(md, e->source);
    add_field(md, e->action);
    add_field(md, e->object);
    add_field(md, e->detail ? e->detail : "{}");
    add_field(md, e->prev_hash);
    EVP_DigestFinal_ex(md, h, NULL);
    EVP_MD_CTX_free(md);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
    return 0;
}

int audit_append(app *a, const app_actor *actor, const char *action, const char *object,
                 json_t *detail, ct_error *err)
{
    /* Canonical JSON: sorted keys, compact, UTF-8 as is. */
    char *text = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

    json_decref(detail);
    if (text == NULL)
        return ct_fail(err, 500, "audit.encode", "không ghi được nhật ký kiểm toán",
                       "cannot encode the audit entry");
    return audit_append_text(a, actor, action, object, text, err);
}

int audit_append_text(app *a, const app_actor *actor, const char *action, const char *object,
                      char *detail, ct_error *err)
{
    audit_entry e;
    int64_t last_id;
    int rc;

    memset(&e, 0, sizeof e);
    if (store_audit_last(a->db, &last_id, e.prev_hash, err) != 0) {
        free(detail);
        return -1;
    }
    if (last_id == 0)
        memcpy(e.prev_hash, zero_hash, sizeof zero_hash);
    e.id = last_id + 1;
    e.at = app_now();
    snprintf(e.actor, sizeof e.actor, "%s", actor->name ? actor->name : "");
    snprintf(e.role, sizeof e.role, "%s", role_name(actor->role));
    snprintf(e.source, sizeof e.source, "%s", actor->source ? actor->source : "");
    snprintf(e.action, sizeof e.action, "%s", action);
    snprintf(e.object, sizeof e.object, "%s", object ? object : "");
    e.detail = detail;
    if (entry_hash(&e, e.hash) != 0) {
        free(e.detail);
        return ct_fail(err, 500, "audit.encode", "không ghi được nhật ký kiểm toán",
                       "cannot encode the audit entry");
    }
    rc = store_audit_append(a->db, &e, err);
    free(e.detail);
    return rc;
}

/* A checkpoint the walk compares rows with: from the database, or the one kept outside it. */
typedef struct expected_head {
    int64_t seq; /* 0: the checkpoint kept outside the database */
    int64_t at;
    int64_t head_id;
    char head_hash[65];
} expected_head;

typedef struct {
    app_audit_report *report;
    char prev[65];
    int64_t prev_id;
    app_unissued *reserved; /* reserved and not issued so far, in order */
    size_t n_reserved, cap_reserved;
    expected_head *heads; /* sorted by head_id */
    size_t n_heads, cap_heads, next_head;
    bool oom;
} verify_ctx;

/* Follow a token certificate's serial from cert.reserve to cert.issue. Reservations waiting
 * for their issue are few (those in progress, and the failed ones), so a list does. */
static void account_serial(verify_ctx *v, const audit_entry *e)
{
    if (strcmp(e->action, "cert.reserve") == 0) {
        json_t *detail = json_loads(e->detail ? e->detail : "{}", 0, NULL);
        const char *token = json_string_value(json_object_get(detail, "token"));
        app_unissued *u;

        if (!vec_grow((void **)&v->reserved, &v->cap_reserved, v->n_reserved,
                      sizeof *v->reserved)) {
            v->oom = true;
            json_decref(detail);
            return;
        }
        u = &v->reserved[v->n_reserved++];
        snprintf(u->serial, sizeof u->serial, "%s", e->object);
        snprintf(u->token, sizeof u->token, "%s", token ? token : "");
        u->at = e->at;
        json_decref(detail);
    } else if (strcmp(e->action, "cert.issue") == 0) {
        for (size_t i = 0; i < v->n_reserved; i++)
            if (strcmp(v->reserved[i].serial, e->object) == 0) {
                memmove(&v->reserved[i], &v->reserved[i + 1],
                        (v->n_reserved - i - 1) * sizeof *v->reserved);
                v->n_reserved--;
                break;
            }
    }
}

static void checkpoint_name(const expected_head *h, char *out, size_t size)
{
    ct_date d = ct_utc_to_local_date(h->at);
    int m = ct_utc_to_local_minute(h->at);

    if (h->seq)
        snprintf(out, size, "checkpoint %lld (signed %02d:%02d %02d/%02d/%04d)", (long long)h->seq,
                 m / 60, m % 60, d.day, d.month, d.year);
    else
        snprintf(out, size,
                 "the checkpoint kept outside the database (signed %02d:%02d %02d/%02d/%04d)",
                 m / 60, m % 60, d.day, d.month, d.year);
}

/* A row a checkpoint ends at must be the row that was signed. */
static bool head_matches(verify_ctx *v, const audit_entry *e)
{
    for (; v->next_head < v->n_heads && v->heads[v->next_head].head_id == e->id; v->next_head++) {
        const expected_head *h = &v->heads[v->next_head];
        char name[160];
        if (strcmp(h->head_hash, e->hash) == 0)
            continue;
        checkpoint_name(h, name, sizeof name);
        snprintf(v->report->problem, sizeof v->report->problem,
                 "row %lld is not the row %s signed: the trail was rewritten from there on",
                 (long long)e->id, name);
        return false;
    }
    return true;
}

static int verify_row(void *user, const audit_entry *e)
{
    verify_ctx *v = user;
    char hash[65];

    v->report->rows++;
    if (e->id != v->prev_id + 1) {
        snprintf(v->report->problem, sizeof v->report->problem,
                 "row %lld follows row %lld: rows are missing", (long long)e->id,
                 (long long)v->prev_id);
    } else if (strcmp(e->prev_hash, v->prev) != 0) {
        snprintf(v->report->problem, sizeof v->report->problem,
                 "row %lld does not point at the hash of row %lld", (long long)e->id,
                 (long long)v->prev_id);
    } else if (entry_hash(e, hash) != 0 || strcmp(hash, e->hash) != 0) {
        snprintf(v->report->problem, sizeof v->report->problem,
                 "row %lld: its content does not match its hash (edited)", (long long)e->id);
    } else if (!head_matches(v, e)) {
        /* head_matches named it */
    } else {
        memcpy(v->prev, e->hash, sizeof v->prev);
        v->prev_id = e->id;
        account_serial(v, e);
        return 0;
    }
    v->report->first_bad_id = e->id;
    return 1;
}

/* ---- checkpoints ---- */

/* The canonical text a checkpoint signs. */
static char *checkpoint_body(const app *a, int64_t seq, int64_t at, int64_t head_id,
                             const char *head_hash)
{
    json_t *j =
        json_pack("{s:I, s:I, s:I, s:I, s:s, s:s}", "seq", (json_int_t)seq, "at", (json_int_t)at,
                  "rows", (json_int_t)head_id, "head_id", (json_int_t)head_id, "head_hash",
                  head_hash, "instance", app_cfg(a)->base_url);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

    json_decref(j);
    return text;
}

static void cert_fingerprint(const pki_ca *ca, char out[65])
{
    unsigned char h[32];

    out[0] = '\0';
    if (ca->cert_der && pki_sha256(ca->cert_der, ca->cert_len, h) == 0)
        for (int i = 0; i < 32; i++)
            snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* The checkpoint as one JSON line, for the file, syslog and the public URL: what was signed, the
 * signature and the signing certificate, so that it can be checked with nothing else. */
static char *checkpoint_line(const app *a, const audit_checkpoint *cp)
{
    json_t *body = json_loads(cp->body, 0, NULL);
    char *cert = malloc(4 * ((a->audit.cert_len + 2) / 3) + 1), *line = NULL;

    if (body && cert) {
        EVP_EncodeBlock((unsigned char *)cert, a->audit.cert_der, (int)a->audit.cert_len);
        json_t *j = json_pack("{s:O, s:s, s:s, s:s}", "checkpoint", body, "signature",
                              cp->signature, "signer", cp->signer, "certificate", cert);
        line = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(j);
    }
    json_decref(body);
    free(cert);
    return line;
}

/* A copy outside the database, as the checkpoint is made: the file (appended, one line each) and
 * syslog, which the journal keeps under systemd. Failing to write them does not undo it. */
static void checkpoint_export(app *a, const audit_checkpoint *cp)
{
    char path[CFG_PATH * 2], *line = checkpoint_line(a, cp);
    int fd;

    if (line == NULL)
        return;
    config_path(app_cfg(a), app_cfg(a)->checkpoint_file, path, sizeof path);
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) {
        size_t len = strlen(line);
        line[len] = '\n';
        if (write(fd, line, len + 1) != (ssize_t)(len + 1))
            fprintf(stderr, "chungthu: cannot append the audit checkpoint to %s\n", path);
        line[len] = '\0';
        close(fd);
    }
    openlog("chungthu", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
    syslog(LOG_NOTICE, "audit-checkpoint %s", line);
    closelog();
    free(line);
}

typedef struct checkpoint_step {
    bool force;
    audit_checkpoint cp;
    bool made;
} checkpoint_step;

static int checkpoint_in_transaction(app *a, void *ctx, ct_error *err)
{
    checkpoint_step *p = ctx;
    audit_checkpoint last;
    int64_t head_id, now = app_now();
    char head_hash[65], *body;
    unsigned char *sig = NULL;
    size_t sig_len;
    int rc;

    p->made = false;
    if (store_audit_last(a->db, &head_id, head_hash, err) != 0)
        return -1;
    rc = store_checkpoint_last(a->db, &last, err);
    if (rc < 0)
        return -1;
    if (rc == 1)
        memset(&last, 0, sizeof last);
    if (head_id == 0 || head_id == last.head_id)
        return 0; /* nothing new to sign */
    if (!p->force && last.seq != 0 &&
        !(app_cfg(a)->checkpoint_rows > 0 &&
          head_id - last.head_id >= app_cfg(a)->checkpoint_rows) &&
        now - last.at < (int64_t)app_cfg(a)->checkpoint_minutes * 60)
        return 0;
    memset(&p->cp, 0, sizeof p->cp);
    p->cp.seq = last.seq + 1;
    p->cp.at = now;
    p->cp.rows = head_id;
    p->cp.head_id = head_id;
    snprintf(p->cp.head_hash, sizeof p->cp.head_hash, "%s", head_hash);
    body = checkpoint_body(a, p->cp.seq, now, head_id, head_hash);
    if (body == NULL || strlen(body) >= sizeof p->cp.body) {
        free(body);
        return ct_fail(err, 500, "audit.encode", "không ghi được điểm kiểm tra nhật ký",
                       "cannot encode the audit checkpoint");
    }
    snprintf(p->cp.body, sizeof p->cp.body, "%s", body);
    free(body);
    if (signer_sign(a->audit.signer, (const unsigned char *)p->cp.body, strlen(p->cp.body), &sig,
                    &sig_len, err) != 0)
        return -1;
    if (4 * ((sig_len + 2) / 3) >= sizeof p->cp.signature) {
        free(sig);
        return ct_fail(err, 500, "audit.encode", "chữ ký quá dài", "the signature is too long");
    }
    EVP_EncodeBlock((unsigned char *)p->cp.signature, sig, (int)sig_len);
    free(sig);
    cert_fingerprint(&a->audit, p->cp.signer);
    if (store_checkpoint_append(a->db, &p->cp, err) != 0)
        return -1;
    p->made = true;
    return 0;
}

int app_audit_checkpoint(app *a, const app_actor *actor, bool force, audit_checkpoint *out,
                         bool *made, ct_error *err)
{
    checkpoint_step p = {.force = force};

    *made = false;
    if (role_require(actor->role, ROLES_CA | ROLE_SYSTEM, "audit checkpoint", err) != 0)
        return -1;
    if (a->audit.signer == NULL)
        return ct_fail(err, 500, "audit.no_signer", "chưa có khóa ký điểm kiểm tra nhật ký",
                       "there is no audit-signing key");
    if (with_transaction(a, checkpoint_in_transaction, &p, err) != 0)
        return -1;
    if (p.made) {
        checkpoint_export(a, &p.cp);
        if (out)
            *out = p.cp;
    }
    *made = p.made;
    return 0;
}

int app_audit_checkpoint_latest(app *a, char **line, ct_error *err)
{
    audit_checkpoint cp;
    int rc = store_checkpoint_last(a->db, &cp, err);

    *line = NULL;
    if (rc < 0)
        return -1;
    if (rc == 1)
        return ct_fail(err, 404, "audit.no_checkpoint", "chưa có điểm kiểm tra nhật ký nào",
                       "no audit checkpoint yet");
    *line = checkpoint_line(a, &cp);
    return *line ? 0 : ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
}

/* A checkpoint's signature, by the instance's audit-signing certificate. */
static bool checkpoint_signed(const app *a, const char *body, const char *signature,
                              const char *signer)
{
    unsigned char sig[1024];
    size_t n = strlen(signature);
    int len;
    char mine[65];
    ct_error ignored = {0};

    cert_fingerprint(&a->audit, mine);
    if (mine[0] == '\0' || strcmp(mine, signer) != 0 || n == 0 || n % 4 != 0 ||
        n / 4 * 3 > sizeof sig)
        return false;
    len = EVP_DecodeBlock(sig, (const unsigned char *)signature, (int)n);
    if (len < 0)
        return false;
    /* EVP_DecodeBlock counts the padding as zero bytes */
    if (n >= 1 && signature[n - 1] == '=')
        len--;
    if (n >= 2 && signature[n - 2] == '=')
        len--;
    return pki_verify_with_cert(a->audit.cert_der, a->audit.cert_len, (const unsigned char *)body,
                                strlen(body), sig, (size_t)len, &ignored) == 0;
}

/* The head a signed body names; false when the body does not say it. */
static bool body_head(const char *body, expected_head *h)
{
    json_t *j = json_loads(body, 0, NULL);
    json_t *id = json_object_get(j, "head_id"), *hash = json_object_get(j, "head_hash");
    json_t *seq = json_object_get(j, "seq"), *at = json_object_get(j, "at");
    bool ok = json_is_integer(id) && json_is_string(hash) && json_is_integer(seq) &&
              json_is_integer(at) && strlen(json_string_value(hash)) == 64;

    if (ok) {
        h->head_id = (int64_t)json_integer_value(id);
        h->seq = (int64_t)json_integer_value(seq);
        h->at = (int64_t)json_integer_value(at);
        snprintf(h->head_hash, sizeof h->head_hash, "%s", json_string_value(hash));
    }
    json_decref(j);
    return ok;
}

typedef struct checkpoint_check {
    app *a;
    verify_ctx *v;
    int64_t expected_seq;
} checkpoint_check;

static int add_head(verify_ctx *v, const expected_head *h)
{
    if (!vec_grow((void **)&v->heads, &v->cap_heads, v->n_heads, sizeof *v->heads)) {
        v->oom = true;
        return 1;
    }
    v->heads[v->n_heads++] = *h;
    return 0;
}

/* Each checkpoint in the database: in sequence, signed by our key, saying what its columns say. */
static int check_checkpoint(void *ctx, const audit_checkpoint *cp)
{
    checkpoint_check *c = ctx;
    app_audit_report *r = c->v->report;
    expected_head h = {0};

    r->checkpoints++;
    if (cp->seq != c->expected_seq)
        snprintf(r->problem, sizeof r->problem,
                 "checkpoint %lld follows checkpoint %lld: checkpoints were deleted",
                 (long long)cp->seq, (long long)c->expected_seq - 1);
    else if (!checkpoint_signed(c->a, cp->body, cp->signature, cp->signer))
        snprintf(r->problem, sizeof r->problem,
                 "checkpoint %lld: its signature does not verify with the audit-signing "
                 "certificate (forged or altered)",
                 (long long)cp->seq);
    else if (!body_head(cp->body, &h) || h.head_id != cp->head_id || h.seq != cp->seq ||
             strcmp(h.head_hash, cp->head_hash) != 0)
        snprintf(r->problem, sizeof r->problem,
                 "checkpoint %lld: its columns differ from what was signed", (long long)cp->seq);
    else {
        c->expected_seq++;
        return add_head(c->v, &h);
    }
    r->bad_checkpoint = cp->seq;
    return 1;
}

/* The checkpoint kept outside: the last JSON line of text, as checkpoint_line writes it. */
static int external_head(app *a, const char *text, expected_head *h, ct_error *err)
{
    const char *end = text + strlen(text), *start;
    char *line;
    json_t *j, *body;
    char *body_text = NULL;
    bool ok = false;

    while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
        end--;
    for (start = end; start > text && start[-1] != '\n'; start--)
        ;
    line = strndup(start, (size_t)(end - start));
    j = line ? json_loads(line, 0, NULL) : NULL;
    body = json_object_get(j, "checkpoint");
    if (json_is_object(body))
        body_text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    if (body_text && json_is_string(json_object_get(j, "signature")) &&
        json_is_string(json_object_get(j, "signer")))
        ok = checkpoint_signed(a, body_text, json_string_value(json_object_get(j, "signature")),
                               json_string_value(json_object_get(j, "signer"))) &&
             body_head(body_text, h);
    free(body_text);
    json_decref(j);
    free(line);
    if (!ok)
        return ct_fail(err, 400, "audit.checkpoint_invalid",
                       "điểm kiểm tra đưa vào không đọc được hoặc chữ ký không đúng khóa ký "
                       "nhật ký của phiên bản này",
                       "the checkpoint given cannot be read, or its signature is not by this "
                       "instance's audit-signing key");
    h->seq = 0; /* named as the one kept outside */
    return 0;
}

static int by_head_id(const void *x, const void *y)
{
    const expected_head *a = x, *b = y;
    return a->head_id < b->head_id ? -1 : a->head_id > b->head_id;
}

int app_audit_verify_with(app *a, const app_actor *actor, const char *external,
                          app_audit_report *report, ct_error *err)
{
    verify_ctx v;
    checkpoint_check c;
    expected_head outside = {0};
    int rc;

    if (role_require(actor->role, ROLE_AUDITOR | ROLES_CA | ROLE_SYSTEM, "audit verify", err) != 0)
        return -1;
    memset(report, 0, sizeof *report);
    memset(&v, 0, sizeof v);
    v.report = report;
    memcpy(v.prev, zero_hash, sizeof zero_hash);
    if (external && external_head(a, external, &outside, err) != 0)
        return -1;
    c = (checkpoint_check){a, &v, 1};
    rc = store_checkpoint_walk(a->db, check_checkpoint, &c, err);
    if (rc == 0 && report->bad_checkpoint != 0) {
        report->first_bad_id = -1; /* the chain is not to be believed */
        free(v.heads);
        return 0;
    }
    if (rc == 0 && external)
        add_head(&v, &outside);
    if (v.n_heads > 1)
        qsort(v.heads, v.n_heads, sizeof *v.heads, by_head_id);
    if (rc == 0)
        rc = store_audit_walk(a->db, verify_row, &v, err);
    /* a checkpoint beyond the last row: rows were cut from the end, or the database put back */
    if (rc == 0 && report->first_bad_id == 0 && v.next_head < v.n_heads) {
        const expected_head *h = &v.heads[v.n_heads - 1];
        char name[160];
        checkpoint_name(h, name, sizeof name);
        snprintf(report->problem, sizeof report->problem,
                 "%s covers rows up to %lld, but the trail ends at row %lld: %s", name,
                 (long long)h->head_id, (long long)v.prev_id,
                 h->seq ? "rows were deleted at the end"
                        : "rows were deleted at the end, or the database was replaced by an "
                          "older copy");
        report->first_bad_id = v.prev_id + 1;
    }
    if (external)
        report->external_checked = true;
    report->unissued = v.n_reserved;
    for (size_t i = 0; i < v.n_reserved && i < APP_UNISSUED_LISTED; i++)
        report->unissued_list[i] = v.reserved[i];
    free(v.reserved);
    free(v.heads);
    if (rc == 0 && v.oom)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    if (rc == 0)
        rc = store_audit_last(a->db, &report->head_id, report->head_hash, err);
    return rc;
}

int app_audit_verify(app *a, const app_actor *actor, app_audit_report *report, ct_error *err)
{
    return app_audit_verify_with(a, actor, NULL, report, err);
}
