/*
 * app_cert.c — issuing certificates to the subscriber profile, and reading them back.
 *
 * Issuance is three phases: check everything (identity fields, key, validity) before any
 * signature is made; sign (in parallel for a batch: signing is the cost); store every
 * certificate with its audit row in one transaction. A batch therefore costs one durable commit
 * however many certificates it holds, and a failure at any point leaves nothing stored. A
 * certificate is never handed out before its commit returned, so a serial that anyone has seen
 * is always on disk.
 */
#include "app/app_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "pki/cert.h"
#include "pki/pubkey.h"

/* RFC 5280 does not bound validity; the procedure does: at most 5 years. */
#define MAX_VALIDITY_DAYS (5 * 365 + 2)

typedef struct prepared {
    subscriber_fields fields;
    pubkey_info key;
    unsigned char *subject_der;
    size_t subject_len;
    cert_request req;
    bool hold;
    unsigned char *der;
    size_t der_len;
    ct_error err;
} prepared;

static void prepared_free(prepared *p)
{
    pubkey_info_free(&p->key);
    free(p->subject_der);
    free(p->der);
    memset(p, 0, sizeof *p);
}

static int check_validity(app *a, int days, int64_t now, int64_t *not_after, ct_error *err)
{
    int limit = a->cfg.max_days < MAX_VALIDITY_DAYS ? a->cfg.max_days : MAX_VALIDITY_DAYS;

    if (days == 0)
        days = a->cfg.default_days;
    if (days < 1)
        return ct_fail(err, 400, "validity.invalid", "thời hạn phải ít nhất 1 ngày",
                       "validity must be at least 1 day");
    if (days > limit)
        return ct_fail(err, 400, "validity.too_long",
                       "thời hạn %d ngày vượt quá tối đa %d ngày (5 năm)",
                       "validity of %d days exceeds the maximum of %d days (5 years)", days,
                       limit);
    *not_after = now + (int64_t)days * 86400;
    if (*not_after > a->issuing.not_after)
        return ct_fail(err, 400, "validity.beyond_issuer",
                       "thời hạn %d ngày vượt quá thời hạn của CA cấp phát",
                       "validity of %d days would end after the issuing CA's certificate", days);
    return 0;
}

static int prepare(app *a, const app_cert_request *r, int64_t now, prepared *p, ct_error *err)
{
    cert_subject subject = {0};

    memset(p, 0, sizeof *p);
    if (subscriber_clean(&r->subject, &p->fields, err) != 0)
        return -1;
    if ((r->csr != NULL) == (r->pubkey != NULL))
        return ct_fail(err, 400, "key.missing",
                       "cần đúng một nguồn khóa công khai: CSR hoặc tệp khóa công khai",
                       "exactly one public key source is needed: a CSR or a public key file");
    if (r->csr ? pubkey_from_csr(r->csr, r->csr_len, &p->key, err)
               : pubkey_from_key_file(r->pubkey, r->pubkey_len, &p->key, err))
        return -1;
    if (check_validity(a, r->days, now, &p->req.not_after, err) != 0)
        goto fail;
    subject.locality = p->fields.province;
    subject.org = p->fields.org;
    for (size_t i = 0; i < p->fields.n_units; i++)
        subject.units[i] = p->fields.units[i];
    subject.n_units = p->fields.n_units;
    subject.common_name = p->fields.full_name;
    if (cert_encode_name(&subject, &p->subject_der, &p->subject_len, err) != 0 ||
        cert_random_serial(p->req.serial, err) != 0)
        goto fail;
    p->req.profile = CERT_PROFILE_SUBSCRIBER;
    p->req.not_before = now;
    p->req.subject_der = p->subject_der;
    p->req.subject_len = p->subject_len;
    p->req.spki = p->key.spki;
    p->req.spki_len = p->key.spki_len;
    p->req.spki_is_rsa = p->key.is_rsa;
    p->req.email = p->fields.email;
    p->req.policy_oid = a->cfg.policy_oid;
    p->req.cps_uri = a->cfg.cps_uri;
    p->req.crl_url = a->crl_url_issuing;
    p->req.ocsp_url = a->ocsp_url;
    p->req.ca_issuers_url = a->ca_url_issuing;
    p->hold = r->hold;
    return 0;
fail:
    prepared_free(p);
    return -1;
}

static int sign_prepared(app *a, prepared *p, ct_error *err)
{
    cert_issuer issuer = pki_ca_issuer(&a->issuing);

    return cert_build(&p->req, &issuer, &p->der, &p->der_len, err);
}

/* The stored record of a signed certificate. rec->der points into p. */
static int record_of(const prepared *p, int64_t now, cert_record *rec, ct_error *err)
{
    unsigned char md[32];
    size_t len;
    const subscriber_fields *f = &p->fields;

    memset(rec, 0, sizeof *rec);
    cert_serial_hex(p->req.serial, rec->serial);
    snprintf(rec->kind, sizeof rec->kind, "subscriber");
    snprintf(rec->issuer, sizeof rec->issuer, "issuing");
    snprintf(rec->status, sizeof rec->status, "%s", p->hold ? CERT_STATUS_HOLD : CERT_STATUS_ACTIVE);
    len = (size_t)snprintf(rec->subject, sizeof rec->subject, "CN=%s", f->full_name);
    for (size_t i = f->n_units; i-- > 0 && len < sizeof rec->subject;)
        len += (size_t)snprintf(rec->subject + len, sizeof rec->subject - len, ", OU=%s",
                                f->units[i]);
    if (len < sizeof rec->subject)
        snprintf(rec->subject + len, sizeof rec->subject - len, ", O=%s, L=%s, C=VN", f->org,
                 f->province);
    snprintf(rec->common_name, sizeof rec->common_name, "%s", f->full_name);
    snprintf(rec->email, sizeof rec->email, "%s", f->email);
    if (subscriber_search_key(f, rec->serial, rec->search_key, sizeof rec->search_key, err) != 0)
        return -1;
    EVP_Digest(p->der, p->der_len, md, NULL, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++)
        snprintf(rec->sha256 + 2 * i, 3, "%02X", md[i]);
    rec->not_before = p->req.not_before;
    rec->not_after = p->req.not_after;
    rec->created_at = now;
    rec->effective_at = p->hold ? 0 : now;
    /* On hold from signing until publication: CRLs and OCSP say certificateHold (reason 6). */
    rec->revoked_at = p->hold ? now : 0;
    rec->revocation_reason = p->hold ? 6 : -1;
    rec->der = p->der;
    rec->der_len = p->der_len;
    return 0;
}

static int store_prepared(app *a, const app_actor *actor, const prepared *p, int64_t now,
                          cert_record *rec, ct_error *err)
{
    json_t *detail;

    if (record_of(p, now, rec, err) != 0 || store_cert_insert(a->db, rec, err) != 0)
        return -1;
    detail = json_pack("{s:s, s:s, s:s, s:s, s:I}", "subject", rec->subject, "email", rec->email,
                       "status", rec->status, "sha256", rec->sha256, "not_after",
                       (json_int_t)rec->not_after);
    return audit_append(a, actor, "cert.issue", rec->serial, detail, err);
}

int app_cert_issue(app *a, const app_actor *actor, const app_cert_request *req, cert_record *out,
                   ct_error *err)
{
    prepared p;
    cert_record rec;
    int64_t now = app_now();

    if (role_require(actor->role, ROLES_CA, "cert issue", err) != 0 ||
        prepare(a, req, now, &p, err) != 0)
        return -1;
    if (sign_prepared(a, &p, err) != 0 || store_begin(a->db, err) != 0) {
        prepared_free(&p);
        return -1;
    }
    if (store_prepared(a, actor, &p, now, &rec, err) != 0 || store_commit(a->db, err) != 0) {
        store_rollback(a->db);
        prepared_free(&p);
        return -1;
    }
    if (out) {
        *out = rec;
        out->der = p.der; /* hand the DER over */
        p.der = NULL;
    }
    prepared_free(&p);
    return 0;
}

typedef struct sign_job {
    app *a;
    prepared *items;
    size_t n;
    size_t stride;
    size_t start;
    int failed_index;
} sign_job;

static void *sign_worker(void *arg)
{
    sign_job *job = arg;

    job->failed_index = -1;
    for (size_t i = job->start; i < job->n; i += job->stride) {
        if (sign_prepared(job->a, &job->items[i], &job->items[i].err) != 0) {
            job->failed_index = (int)i;
            break;
        }
    }
    return NULL;
}

int app_cert_issue_many(app *a, const app_actor *actor, const app_cert_request *reqs, size_t n,
                        int threads, char (*serials)[41], ct_error *err)
{
    prepared *items;
    pthread_t tid[16];
    sign_job jobs[16];
    int64_t now = app_now();
    size_t ready = 0;
    int rc = -1, started = 0;

    if (role_require(actor->role, ROLES_CA, "cert issue", err) != 0)
        return -1;
    if (n == 0)
        return 0;
    if (threads < 1)
        threads = 1;
    if (threads > 16)
        threads = 16;
    items = calloc(n, sizeof *items);
    if (items == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    for (; ready < n; ready++) {
        if (prepare(a, &reqs[ready], now, &items[ready], err) != 0) {
            char vi[48], en[48];
            snprintf(vi, sizeof vi, "yêu cầu %zu: ", ready + 1);
            snprintf(en, sizeof en, "request %zu: ", ready + 1);
            ct_error_prefix(err, vi, en);
            goto out;
        }
    }
    for (int t = 0; t < threads; t++) {
        jobs[t] = (sign_job){a, items, n, (size_t)threads, (size_t)t, -1};
        if (pthread_create(&tid[t], NULL, sign_worker, &jobs[t]) != 0)
            break;
        started++;
    }
    if (started == 0) {
        ct_fail(err, 500, "thread", "không tạo được luồng ký", "cannot start signing threads");
        goto out;
    }
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    for (int t = 0; t < started; t++) {
        if (jobs[t].failed_index >= 0) {
            *err = items[jobs[t].failed_index].err;
            goto out;
        }
    }
    if (started < threads) { /* a thread failed to start: sign its share here */
        for (int t = started; t < threads; t++) {
            jobs[t] = (sign_job){a, items, n, (size_t)threads, (size_t)t, -1};
            sign_worker(&jobs[t]);
            if (jobs[t].failed_index >= 0) {
                *err = items[jobs[t].failed_index].err;
                goto out;
            }
        }
    }
    if (store_begin(a->db, err) != 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        cert_record rec;
        if (store_prepared(a, actor, &items[i], now, &rec, err) != 0) {
            store_rollback(a->db);
            goto out;
        }
        if (serials)
            snprintf(serials[i], 41, "%s", rec.serial);
    }
    if (store_commit(a->db, err) != 0) {
        store_rollback(a->db);
        goto out;
    }
    rc = 0;
out:
    for (size_t i = 0; i < ready; i++)
        prepared_free(&items[i]);
    free(items);
    return rc;
}

int app_cert_get(app *a, const app_actor *actor, const char *serial, cert_record *out,
                 ct_error *err)
{
    char upper[41];
    size_t len = strlen(serial);

    if (role_require(actor->role, ROLES_CA | ROLE_AUDITOR | ROLE_SYSTEM, "cert show", err) != 0)
        return -1;
    if (len == 0 || len > 40 || strspn(serial, "0123456789abcdefABCDEF") != len)
        return ct_fail(err, 400, "cert.serial_invalid",
                       "số hiệu chứng thư phải là chuỗi hex (tối đa 40 ký tự)",
                       "a certificate serial is hexadecimal, at most 40 digits");
    for (size_t i = 0; i <= len; i++)
        upper[i] = (serial[i] >= 'a' && serial[i] <= 'f') ? (char)(serial[i] - 32) : serial[i];
    return store_cert_get(a->db, upper, out, err);
}

int app_cert_list(app *a, const app_actor *actor, const cert_filter *filter, cert_visit_fn visit,
                  void *ctx, ct_error *err)
{
    if (role_require(actor->role, ROLES_CA | ROLE_AUDITOR | ROLE_SYSTEM, "cert list", err) != 0)
        return -1;
    return store_cert_list(a->db, filter, visit, ctx, err);
}

int app_cert_pem(const cert_record *rec, char **pem, ct_error *err)
{
    return pki_cert_to_pem(rec->der, rec->der_len, pem, err);
}
