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
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    cert_record rec; /* the stored form; rec.der points at der */
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
                       "validity of %d days exceeds the maximum of %d days (5 years)", days, limit);
    *not_after = now + (int64_t)days * 86400;
    if (*not_after > a->issuing.not_after)
        return ct_fail(err, 400, "validity.beyond_issuer",
                       "thời hạn %d ngày vượt quá thời hạn của CA cấp phát",
                       "validity of %d days would end after the issuing CA's certificate", days);
    return 0;
}

/* Check a request and get it ready to sign, under the serial drawn for it. */
static int prepare(app *a, const app_cert_request *r, int64_t now,
                   const unsigned char serial[CERT_SERIAL_LEN], prepared *p, ct_error *err)
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
    if (cert_encode_name(&subject, &p->subject_der, &p->subject_len, err) != 0)
        goto fail;
    memcpy(p->req.serial, serial, CERT_SERIAL_LEN);
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

/* Sign and build the stored record: everything per certificate that can run in parallel. */
static int sign_prepared(app *a, prepared *p, int64_t now, ct_error *err)
{
    cert_issuer issuer = pki_ca_issuer(&a->issuing);
    const subscriber_fields *f = &p->fields;
    cert_record *rec = &p->rec;
    size_t len;

    if (cert_build(&p->req, &issuer, &p->der, &p->der_len, err) != 0)
        return -1;
    memset(rec, 0, sizeof *rec);
    cert_serial_hex(p->req.serial, rec->serial);
    snprintf(rec->kind, sizeof rec->kind, "subscriber");
    snprintf(rec->issuer, sizeof rec->issuer, "issuing");
    snprintf(rec->status, sizeof rec->status, "%s",
             p->hold ? CERT_STATUS_HOLD : CERT_STATUS_ACTIVE);
    len = (size_t)snprintf(rec->subject, sizeof rec->subject, "CN=%s", f->full_name);
    for (size_t i = f->n_units; i-- > 0 && len < sizeof rec->subject;)
        len +=
            (size_t)snprintf(rec->subject + len, sizeof rec->subject - len, ", OU=%s", f->units[i]);
    if (len < sizeof rec->subject)
        snprintf(rec->subject + len, sizeof rec->subject - len, ", O=%s, L=%s, C=VN", f->org,
                 f->province);
    snprintf(rec->common_name, sizeof rec->common_name, "%s", f->full_name);
    snprintf(rec->email, sizeof rec->email, "%s", f->email);
    if (subscriber_search_key(f, rec->serial, rec->search_key, sizeof rec->search_key, err) != 0)
        return -1;
    if (app_fingerprint(p->der, p->der_len, rec->sha256) != 0)
        return ct_fail(err, 500, "digest", "lỗi băm", "hashing failed");
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

static json_t *issue_detail(const cert_record *rec)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:I}", "subject", rec->subject, "email", rec->email,
                     "status", rec->status, "sha256", rec->sha256, "not_after",
                     (json_int_t)rec->not_after);
}

int cert_sign_request(app *a, const app_cert_request *req, int64_t now, cert_record *rec,
                      ct_error *err)
{
    prepared p;
    unsigned char serial[1][CERT_SERIAL_LEN];

    if (cert_random_serials(serial, 1, err) != 0 || prepare(a, req, now, serial[0], &p, err) != 0)
        return -1;
    if (sign_prepared(a, &p, now, err) != 0) {
        prepared_free(&p);
        return -1;
    }
    *rec = p.rec;
    p.der = NULL; /* the DER now belongs to rec */
    prepared_free(&p);
    return 0;
}

int cert_store_signed(app *a, const app_actor *actor, const cert_record *rec, ct_error *err)
{
    if (store_cert_insert(a->db, rec, err) != 0)
        return -1;
    return audit_append(a, actor, "cert.issue", rec->serial, issue_detail(rec), err);
}

int app_cert_issue(app *a, const app_actor *actor, const app_cert_request *req, cert_record *out,
                   ct_error *err)
{
    prepared p;
    unsigned char serial[1][CERT_SERIAL_LEN];
    int64_t now = app_now();

    if (role_require(actor->role, ROLES_CA, "cert issue", err) != 0 ||
        cert_random_serials(serial, 1, err) != 0 || prepare(a, req, now, serial[0], &p, err) != 0)
        return -1;
    if (sign_prepared(a, &p, now, err) != 0 || store_begin(a->db, err) != 0) {
        prepared_free(&p);
        return -1;
    }
    if (store_cert_insert(a->db, &p.rec, err) != 0 ||
        audit_append(a, actor, "cert.issue", p.rec.serial, issue_detail(&p.rec), err) != 0 ||
        store_commit(a->db, err) != 0) {
        store_rollback(a->db);
        prepared_free(&p);
        return -1;
    }
    if (out) {
        *out = p.rec;
        p.der = NULL; /* the DER now belongs to out */
    }
    prepared_free(&p);
    app_status_changed(a);
    return 0;
}

/*
 * Bulk issuance as a pipeline: worker threads claim requests from a shared counter, check and
 * sign them; the calling thread stores them in order inside one transaction and, whenever the
 * next one is not ready yet, checks and signs one itself instead of waiting. So every core
 * checks and signs while the inserts ride along, and the whole batch pays for one durable
 * commit. A request that fails stops the batch: nothing of it is stored (the transaction rolls
 * back), and the error names the request.
 */
typedef struct pipeline {
    app *a;
    const app_cert_request *reqs;
    unsigned char (*serials)[CERT_SERIAL_LEN]; /* drawn for the whole batch at once */
    prepared *items;
    size_t n;
    int64_t now;
    atomic_size_t next;   /* next request to claim */
    atomic_int *state;    /* per item: 0 pending, 1 signed, -1 failed */
    atomic_size_t failed; /* the failed request with the lowest index, or n */
    atomic_bool abort;
    /* The storing thread sleeps here when every request is claimed and the next one to store
     * is still being signed: spinning would take a core from the signers. */
    pthread_mutex_t done_lock;
    pthread_cond_t done;
} pipeline;

static bool sign_next(pipeline *pl)
{
    size_t i = atomic_fetch_add(&pl->next, 1);
    prepared *p;

    if (i >= pl->n || atomic_load(&pl->abort))
        return false;
    p = &pl->items[i];
    if (prepare(pl->a, &pl->reqs[i], pl->now, pl->serials[i], p, &p->err) != 0 ||
        sign_prepared(pl->a, p, pl->now, &p->err) != 0) {
        size_t seen = atomic_load(&pl->failed);
        while (i < seen && !atomic_compare_exchange_weak(&pl->failed, &seen, i))
            ;
        atomic_store(&pl->state[i], -1);
        atomic_store(&pl->abort, true);
    } else {
        atomic_store(&pl->state[i], 1);
    }
    pthread_mutex_lock(&pl->done_lock);
    pthread_cond_broadcast(&pl->done);
    pthread_mutex_unlock(&pl->done_lock);
    return true;
}

/* Wait until item i is no longer pending (or the batch stops). */
static void wait_for(pipeline *pl, size_t i)
{
    pthread_mutex_lock(&pl->done_lock);
    while (atomic_load(&pl->state[i]) == 0 && !atomic_load(&pl->abort))
        pthread_cond_wait(&pl->done, &pl->done_lock);
    pthread_mutex_unlock(&pl->done_lock);
}

static void *sign_worker(void *arg)
{
    while (sign_next(arg))
        ;
    return NULL;
}

/* store_pipeline's answer when a request failed (its error is in its item, not in err) */
#define REQUEST_FAILED (-2)

static int store_pipeline(pipeline *pl, const app_actor *actor, char (*serials)[41], ct_error *err)
{
    /* The batch's audit detail, {"certificates":[["SERIAL","SHA256"],...],"count":N}, written
     * as it goes: hex needs no escaping, and building a thousand JSON objects to dump them
     * again cost 3 % of a P-256 batch, at its end, when the other core has nothing to do. */
    static const char head[] = "{\"certificates\":[", tail[] = "],\"count\":%zu}";
    size_t entry = 2 + 40 + 3 + 64 + 2 + 1, len = sizeof head - 1;
    size_t size = sizeof head + pl->n * entry + sizeof tail + 24;
    char *detail = malloc(size);

    if (detail == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    memcpy(detail, head, len);
    for (size_t i = 0; i < pl->n;) {
        int st = atomic_load(&pl->state[i]);
        const cert_record *rec = &pl->items[i].rec;
        if (st == 0 && !atomic_load(&pl->abort)) {
            if (!sign_next(pl))
                wait_for(pl, i); /* all claimed: item i is being signed by a worker */
            continue;
        }
        if (st <= 0) { /* this one failed, or another did and the batch stopped */
            free(detail);
            return REQUEST_FAILED;
        }
        if (store_cert_insert(pl->a->db, rec, err) != 0) {
            atomic_store(&pl->abort, true);
            free(detail);
            return -1;
        }
        len += (size_t)snprintf(detail + len, size - len, "%s[\"%s\",\"%s\"]", i ? "," : "",
                                rec->serial, rec->sha256);
        if (serials)
            memcpy(serials[i], rec->serial, 41);
        i++;
    }
    snprintf(detail + len, size - len, tail, pl->n);
    return audit_append_text(pl->a, actor, "cert.issue_batch", "", detail, err);
}

int app_cert_issue_many(app *a, const app_actor *actor, const app_cert_request *reqs, size_t n,
                        int threads, char (*serials)[41], ct_error *err)
{
    pipeline pl = {0};
    pthread_t tid[16];
    int rc = -1, started = 0;

    if (role_require(actor->role, ROLES_CA, "cert issue", err) != 0)
        return -1;
    if (n == 0)
        return 0;
    threads = threads < 1 ? 1 : threads > 16 ? 16 : threads;
    pl.a = a;
    pl.reqs = reqs;
    pl.n = n;
    pl.now = app_now();
    atomic_init(&pl.failed, n);
    pthread_mutex_init(&pl.done_lock, NULL);
    pthread_cond_init(&pl.done, NULL);
    pl.items = calloc(n, sizeof *pl.items);
    pl.state = calloc(n, sizeof *pl.state);
    pl.serials = malloc(n * sizeof *pl.serials);
    if (pl.items == NULL || pl.state == NULL || pl.serials == NULL) {
        ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
        goto out;
    }
    if (cert_random_serials(pl.serials, n, err) != 0)
        goto out;
    if (store_begin(a->db, err) != 0)
        goto out;
    /* The calling thread is one of the signers. */
    for (int t = 1; t < threads; t++)
        if (pthread_create(&tid[started], NULL, sign_worker, &pl) == 0)
            started++;
    rc = store_pipeline(&pl, actor, serials, err);
    atomic_store(&pl.abort, rc != 0);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    if (rc == REQUEST_FAILED) { /* name the lowest request that failed */
        size_t f = atomic_load(&pl.failed);
        char vi[48], en[48];
        *err = pl.items[f].err;
        snprintf(vi, sizeof vi, "yêu cầu %zu: ", f + 1);
        snprintf(en, sizeof en, "request %zu: ", f + 1);
        ct_error_prefix(err, vi, en);
        rc = -1;
    }
    if (rc == 0)
        rc = store_commit(a->db, err);
    if (rc != 0)
        store_rollback(a->db);
    else
        app_status_changed(a);
out:
    for (size_t i = 0; i < n && pl.items; i++)
        prepared_free(&pl.items[i]);
    free(pl.items);
    free(pl.state);
    free(pl.serials);
    pthread_cond_destroy(&pl.done);
    pthread_mutex_destroy(&pl.done_lock);
    return rc;
}

int serial_normalize(const char *serial, char out[41], ct_error *err)
{
    size_t len = serial ? strlen(serial) : 0;

    if (len == 0 || len > 40 || strspn(serial, "0123456789abcdefABCDEF") != len)
        return ct_fail(err, 400, "cert.serial_invalid",
                       "số hiệu chứng thư phải là chuỗi hex (tối đa 40 ký tự)",
                       "a certificate serial is hexadecimal, at most 40 digits");
    for (size_t i = 0; i <= len; i++)
        out[i] = (serial[i] >= 'a' && serial[i] <= 'f') ? (char)(serial[i] - 32) : serial[i];
    return 0;
}

int app_cert_get(app *a, const app_actor *actor, const char *serial, cert_record *out,
                 ct_error *err)
{
    char upper[41];

    if (role_require(actor->role, ROLES_CA | ROLE_AUDITOR | ROLE_SYSTEM, "cert show", err) != 0 ||
        serial_normalize(serial, upper, err) != 0)
        return -1;
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
