/*
 * app_cert.c — issuing certificates to the subscriber profile, and reading them back.
 *
 * Issuance is three phases: check everything (identity fields, key, validity) before any
 * signature is made; sign (in parallel for bulk issuance: signing is the cost); store the
 * certificate with its audit row in one transaction. Bulk issuance stores a thousand
 * certificates a transaction, so a thousand pay for one durable commit, and a failure leaves
 * nothing of its transaction stored. A certificate is never handed out before its commit
 * returned, so a serial that anyone has seen is always on disk.
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
    int limit = app_cfg(a)->max_days < MAX_VALIDITY_DAYS ? app_cfg(a)->max_days : MAX_VALIDITY_DAYS;

    if (days == 0)
        days = app_cfg(a)->default_days;
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
    p->req.policy_oid = app_cfg(a)->policy_oid;
    p->req.cps_uri = app_cfg(a)->cps_uri;
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

int app_cert_sign_request(app *a, const app_cert_request *req,
                          const unsigned char serial[CERT_SERIAL_LEN], int64_t now,
                          cert_record *rec, ct_error *err)
{
    prepared p;

    if (issuing_usable(a, err) != 0 || prepare(a, req, now, serial, &p, err) != 0)
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

int app_cert_store_signed(app *a, const app_actor *actor, const cert_record *rec, ct_error *err)
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
        issuing_usable(a, err) != 0 || cert_random_serials(serial, 1, err) != 0 ||
        prepare(a, req, now, serial[0], &p, err) != 0)
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
 * Bulk issuance as a pipeline. Worker threads claim requests in order from a shared counter,
 * check and sign them into a ring of slots; the calling thread stores them in request order,
 * commits every `chunk` certificates, and, whenever the next one is not ready yet, checks and
 * signs one itself instead of waiting. The ring holds two chunks, so the workers go on signing
 * the next chunk while a commit waits for the disk (a commit is ~8 % of an RSA-2048 run's
 * time, and the cores would otherwise idle through it), and the slots do not grow with n.
 */
typedef struct pipeline {
    app *a;
    const app_config *cfg; /* the caller's: every signer reads the one configuration */
    const app_cert_request *reqs;
    unsigned char (*serials)[CERT_SERIAL_LEN]; /* drawn for all n at once */
    size_t n;
    size_t ring_size;
    prepared *ring;    /* request i is prepared in ring[i % ring_size] */
    atomic_int *state; /* per slot: 0 free or being signed, 1 signed, -1 failed */
    int64_t now;
    atomic_size_t next;   /* the next request to claim */
    atomic_size_t stored; /* requests stored so far: their slots are free again */
    atomic_bool stop;
    /* Threads sleep here rather than spin, which would take a core from the signers: the
     * storing thread until the next request is signed, a worker until the ring has room. */
    pthread_mutex_t lock;
    pthread_cond_t changed; /* a request signed, a slot freed, or the pipeline stopped */
} pipeline;

enum claim { CLAIMED, RING_FULL, NOTHING_LEFT };

static enum claim claim(pipeline *pl, size_t *i)
{
    size_t next = atomic_load(&pl->next);

    do {
        if (next >= pl->n || atomic_load(&pl->stop))
            return NOTHING_LEFT;
        if (next >= atomic_load(&pl->stored) + pl->ring_size)
            return RING_FULL;
    } while (!atomic_compare_exchange_weak(&pl->next, &next, next + 1));
    *i = next;
    return CLAIMED;
}

static void wake_all(pipeline *pl)
{
    pthread_mutex_lock(&pl->lock);
    pthread_cond_broadcast(&pl->changed);
    pthread_mutex_unlock(&pl->lock);
}

/* Check and sign request i into its slot. A failure stops the pipeline: no more claims. */
static void sign_one(pipeline *pl, size_t i)
{
    size_t slot = i % pl->ring_size;
    prepared *p = &pl->ring[slot];

    if (prepare(pl->a, &pl->reqs[i], pl->now, pl->serials[i], p, &p->err) != 0 ||
        sign_prepared(pl->a, p, pl->now, &p->err) != 0) {
        atomic_store(&pl->stop, true);
        atomic_store(&pl->state[slot], -1);
    } else {
        atomic_store(&pl->state[slot], 1);
    }
    wake_all(pl);
}

static void *sign_worker(void *arg)
{
    pipeline *pl = arg;
    size_t i;

    app_config_hold_as(pl->a, pl->cfg);
    for (;;) {
        switch (claim(pl, &i)) {
        case CLAIMED:
            sign_one(pl, i);
            break;
        case RING_FULL:
            pthread_mutex_lock(&pl->lock);
            while (atomic_load(&pl->next) >= atomic_load(&pl->stored) + pl->ring_size &&
                   !atomic_load(&pl->stop))
                pthread_cond_wait(&pl->changed, &pl->lock);
            pthread_mutex_unlock(&pl->lock);
            break;
        case NOTHING_LEFT:
            return NULL;
        }
    }
}

/* Wait until request i is signed or has failed, signing others meanwhile if any are left. Every
 * request up to the first failure has been claimed (claims go in order), and a claimed request is
 * always finished. */
static int wait_signed(pipeline *pl, size_t i)
{
    size_t slot = i % pl->ring_size, j;

    while (atomic_load(&pl->state[slot]) == 0) {
        if (claim(pl, &j) == CLAIMED) {
            sign_one(pl, j); /* sign another one rather than wait */
            continue;
        }
        pthread_mutex_lock(&pl->lock);
        while (atomic_load(&pl->state[slot]) == 0)
            pthread_cond_wait(&pl->changed, &pl->lock);
        pthread_mutex_unlock(&pl->lock);
    }
    return atomic_load(&pl->state[slot]);
}

/* store_chunk's answer when a request failed (its error is in its slot, not in err) */
#define REQUEST_FAILED (-2)

/* Store requests [from, to) in one transaction with one audit row listing them. */
static int store_chunk(pipeline *pl, const app_actor *actor, size_t from, size_t to,
                       char (*serials)[41], size_t *failed, ct_error *err)
{
    /* The audit detail, {"certificates":[["SERIAL","SHA256"],...],"count":N}, is written as it
     * goes: hex needs no escaping, and building a thousand JSON objects to dump them again cost
     * 3 % of a P-256 batch. */
    static const char head[] = "{\"certificates\":[", tail[] = "],\"count\":%zu}";
    size_t entry = 2 + 40 + 3 + 64 + 2 + 1, len = sizeof head - 1;
    size_t size = sizeof head + (to - from) * entry + sizeof tail + 24;
    char *detail = malloc(size); /* audit_append_text takes it */

    if (detail == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    if (store_begin(pl->a->db, err) != 0) {
        free(detail);
        return -1;
    }
    memcpy(detail, head, len);
    for (size_t i = from; i < to; i++) {
        size_t slot = i % pl->ring_size;
        const cert_record *rec = &pl->ring[slot].rec;

        if (wait_signed(pl, i) < 0) {
            *failed = i;
            free(detail);
            store_rollback(pl->a->db);
            return REQUEST_FAILED;
        }
        if (store_cert_insert(pl->a->db, rec, err) != 0) {
            free(detail);
            store_rollback(pl->a->db);
            return -1;
        }
        len += (size_t)snprintf(detail + len, size - len, "%s[\"%s\",\"%s\"]", i > from ? "," : "",
                                rec->serial, rec->sha256);
        if (serials)
            memcpy(serials[i], rec->serial, 41);
        /* SQLite has copied the row: the slot is free for request i + ring_size */
        prepared_free(&pl->ring[slot]);
        atomic_store(&pl->state[slot], 0);
        atomic_store(&pl->stored, i + 1);
        wake_all(pl);
    }
    snprintf(detail + len, size - len, tail, to - from);
    if (audit_append_text(pl->a, actor, "cert.issue_batch", "", detail, err) != 0 ||
        store_commit(pl->a->db, err) != 0) {
        store_rollback(pl->a->db);
        return -1;
    }
    app_status_changed(pl->a);
    return 0;
}

/* Name the request that failed, and say what was stored before it. */
static void request_failed(const pipeline *pl, size_t i, size_t stored, ct_error *err)
{
    char vi[96], en[96];

    *err = pl->ring[i % pl->ring_size].err;
    if (stored > 0) {
        snprintf(vi, sizeof vi, "yêu cầu %zu (đã lưu %zu chứng thư trước đó): ", i + 1, stored);
        snprintf(en, sizeof en, "request %zu (%zu certificates stored before it): ", i + 1, stored);
    } else {
        snprintf(vi, sizeof vi, "yêu cầu %zu: ", i + 1);
        snprintf(en, sizeof en, "request %zu: ", i + 1);
    }
    ct_error_prefix(err, vi, en);
}

int app_cert_issue_many(app *a, const app_actor *actor, const app_cert_request *reqs, size_t n,
                        const app_issue_options *opt, char (*serials)[41], size_t *stored,
                        ct_error *err)
{
    pipeline pl = {0};
    pthread_t tid[16];
    int rc = -1, started = 0, threads = opt && opt->threads > 0 ? opt->threads : 1;
    size_t chunk = opt && opt->chunk > 0 ? opt->chunk : APP_ISSUE_CHUNK, failed = 0, done = 0;

    if (stored)
        *stored = 0;
    if (role_require(actor->role, ROLES_CA, "cert issue", err) != 0 || issuing_usable(a, err) != 0)
        return -1;
    if (n == 0)
        return 0;
    threads = threads > 16 ? 16 : threads;
    pl.a = a;
    pl.cfg = app_cfg(a);
    pl.reqs = reqs;
    pl.n = n;
    pl.ring_size = 2 * chunk < n ? 2 * chunk : n;
    pl.now = app_now();
    pthread_mutex_init(&pl.lock, NULL);
    pthread_cond_init(&pl.changed, NULL);
    pl.ring = calloc(pl.ring_size, sizeof *pl.ring);
    pl.state = calloc(pl.ring_size, sizeof *pl.state);
    pl.serials = malloc(n * sizeof *pl.serials);
    if (pl.ring == NULL || pl.state == NULL || pl.serials == NULL) {
        ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
        goto out;
    }
    if (cert_random_serials(pl.serials, n, err) != 0)
        goto out;
    /* The calling thread is one of the signers. */
    for (int t = 1; t < threads; t++)
        if (pthread_create(&tid[started], NULL, sign_worker, &pl) == 0)
            started++;
    for (rc = 0; rc == 0 && done < n;) {
        size_t to = n - done < chunk ? n : done + chunk;
        rc = store_chunk(&pl, actor, done, to, serials, &failed, err);
        if (rc == 0)
            done = to;
    }
    if (stored)
        *stored = done;
    atomic_store(&pl.stop, true);
    wake_all(&pl);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    if (rc == REQUEST_FAILED) {
        request_failed(&pl, failed, done, err);
        rc = -1;
    } else if (rc != 0 && done > 0) {
        char vi[64], en[64];
        snprintf(vi, sizeof vi, "(đã lưu %zu chứng thư) ", done);
        snprintf(en, sizeof en, "(%zu certificates stored) ", done);
        ct_error_prefix(err, vi, en);
    }
out:
    for (size_t i = 0; i < pl.ring_size && pl.ring; i++)
        prepared_free(&pl.ring[i]);
    free(pl.ring);
    free(pl.state);
    free(pl.serials);
    pthread_cond_destroy(&pl.changed);
    pthread_mutex_destroy(&pl.lock);
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
