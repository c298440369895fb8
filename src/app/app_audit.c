/*
 * app_audit.c — the audit trail as a hash chain.
 *
 * Each row stores the SHA-256 of the previous row and its own hash over a canonical encoding of
 * its fields (each field length-prefixed, so no choice of values can make two different rows
 * encode alike). Editing, deleting or reordering any row breaks the chain at that row, which
 * `audit verify` reports by id. Rows are appended inside the transaction of the change they
 * record: the change and its audit row commit together or not at all.
 *
 * The walk also accounts for the serials of token certificates: each is reserved (cert.reserve,
 * committed before anything is written to the device) and then issued (cert.issue); those never
 * issued are the provisionings that failed or were cut off, which the CA answers for too.
 */
#include "app/app_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

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

typedef struct {
    app_audit_report *report;
    char prev[65];
    int64_t prev_id;
    app_unissued *reserved; /* reserved and not issued so far, in order */
    size_t n_reserved, cap_reserved;
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
    } else {
        memcpy(v->prev, e->hash, sizeof v->prev);
        v->prev_id = e->id;
        account_serial(v, e);
        return 0;
    }
    v->report->first_bad_id = e->id;
    return 1;
}

int app_audit_verify(app *a, const app_actor *actor, app_audit_report *report, ct_error *err)
{
    verify_ctx v;
    int rc;

    if (role_require(actor->role, ROLE_AUDITOR | ROLES_CA | ROLE_SYSTEM, "audit verify", err) != 0)
        return -1;
    memset(report, 0, sizeof *report);
    memset(&v, 0, sizeof v);
    v.report = report;
    memcpy(v.prev, zero_hash, sizeof zero_hash);
    rc = store_audit_walk(a->db, verify_row, &v, err);
    report->unissued = v.n_reserved;
    for (size_t i = 0; i < v.n_reserved && i < APP_UNISSUED_LISTED; i++)
        report->unissued_list[i] = v.reserved[i];
    free(v.reserved);
    if (rc == 0 && v.oom)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    if (rc == 0)
        rc = store_audit_last(a->db, &report->head_id, report->head_hash, err);
    return rc;
}
