/*
 * app_status.c — what relying parties check: revocation, CRLs and OCSP answers.
 *
 * OCSP answers for one certificate without a nonce are signed once per status change and then
 * served from memory: the cache is keyed by (hash algorithm, serial) and dropped for a serial
 * whenever its status changes — in this process (app_status_changed) or in another one sharing
 * the database, which app_status_refresh notices through the certificates' change counter.
 * Each answer is kept with the responder that signed it: after a rotation (app_ocsp.c) the cache
 * is emptied and an answer signed by the replaced responder is never served from it again.
 * CRLs are re-signed lazily: a change marks them stale and the next fetch (or the refresh
 * timer) signs a fresh one, which debounces a burst of changes into one CRL.
 */
#include "app/app_internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "core/calendar.h"
#include "pki/crl.h"
#include "pki/ocsp.h"

#define OCSP_VALIDITY (24 * 3600)
#define CRL_VALIDITY (24 * 3600)
#define CACHE_SLOTS (1u << 16) /* buckets; entries chain */

typedef struct cache_entry {
    struct cache_entry *next;
    char key[64];
    unsigned char *der;
    size_t len;
    int64_t this_update;
    int64_t next_update;
    char etag[72];
    const app_responder *signed_by;
} cache_entry;

struct status_state {
    pthread_rwlock_t lock; /* the cache */
    cache_entry *buckets[CACHE_SLOTS];
    size_t entries;
    size_t max_entries;       /* [server] ocsp_cache_entries */
    unsigned evict_cursor;    /* the next bucket to give up an answer when the cache is full */
    pthread_mutex_t crl_lock; /* one CRL signing at a time */
    atomic_bool crl_stale;
    atomic_llong seen_change;   /* the store's change counter already reflected here */
    atomic_llong checked_at;    /* when another process's changes were last looked for */
    atomic_llong optimized_jdn; /* the local day the directory's index was last optimised */
};

void app_blob_free(app_blob *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

static unsigned bucket_of(const char *key)
{
    unsigned h = 2166136261u; /* FNV-1a */

    for (; *key; key++)
        h = (h ^ (unsigned char)*key) * 16777619u;
    return h % CACHE_SLOTS;
}

static void make_etag(const unsigned char *der, size_t len, char out[72])
{
    unsigned char md[32];

    EVP_Digest(der, len, md, NULL, EVP_sha256(), NULL);
    out[0] = '"';
    for (int i = 0; i < 16; i++)
        snprintf(out + 1 + 2 * i, 3, "%02x", md[i]);
    out[33] = '"';
    out[34] = '\0';
}

/* Drop the cached answers of one serial (both hash algorithms). Caller holds the write lock. */
static void cache_drop_serial(struct status_state *st, const char *serial)
{
    for (int nid_index = 0; nid_index < 2; nid_index++) {
        char key[64];
        cache_entry **p;
        snprintf(key, sizeof key, "%d:%s", nid_index == 0 ? NID_sha1 : NID_sha256, serial);
        p = &st->buckets[bucket_of(key)];
        while (*p) {
            if (strcmp((*p)->key, key) == 0) {
                cache_entry *e = *p;
                *p = e->next;
                free(e->der);
                free(e);
                st->entries--;
            } else {
                p = &(*p)->next;
            }
        }
    }
}

static void cache_clear(struct status_state *st)
{
    for (unsigned i = 0; i < CACHE_SLOTS; i++) {
        while (st->buckets[i]) {
            cache_entry *e = st->buckets[i];
            st->buckets[i] = e->next;
            free(e->der);
            free(e);
        }
    }
    st->entries = 0;
}

int app_status_open(app *a, ct_error *err)
{
    struct status_state *st = calloc(1, sizeof *st);
    int64_t last = 0;

    if (st == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    pthread_rwlock_init(&st->lock, NULL);
    pthread_mutex_init(&st->crl_lock, NULL);
    /* start from the newest change: the cache is empty, nothing to invalidate yet */
    if (store_cert_changes(a->db, 0, NULL, NULL, &last, err) != 0) {
        pthread_rwlock_destroy(&st->lock);
        pthread_mutex_destroy(&st->crl_lock);
        free(st);
        return -1;
    }
    atomic_store(&st->seen_change, last);
    st->max_entries = (size_t)app_cfg(a)->ocsp_cache_entries;
    a->status = st;
    return 0;
}

void app_status_close(app *a)
{
    struct status_state *st = a->status;

    if (st == NULL)
        return;
    cache_clear(st);
    pthread_rwlock_destroy(&st->lock);
    pthread_mutex_destroy(&st->crl_lock);
    free(st);
    a->status = NULL;
}

static int drop_changed(void *user, const char *serial)
{
    cache_drop_serial(user, serial);
    return 0;
}

/* Take in the changes since the last look: drop their cached answers, mark CRLs stale. */
static int absorb_changes(app *a, ct_error *err)
{
    struct status_state *st = a->status;
    int64_t since = atomic_load(&st->seen_change), last = since;
    int rc;

    pthread_rwlock_wrlock(&st->lock);
    rc = store_cert_changes(a->db, since, drop_changed, st, &last, err);
    pthread_rwlock_unlock(&st->lock);
    if (rc != 0)
        return -1;
    if (last != since) {
        atomic_store(&st->seen_change, last);
        atomic_store(&st->crl_stale, true);
    }
    return 0;
}

/* A change made by another process (the command line, another node) reaches the answers within
 * a second: looking costs one indexed query, done at most once a second, by whichever caller
 * comes first in that second. */
unsigned app_status_epoch(app *a)
{
    struct status_state *st = a->status;
    int64_t now = app_now();

    if (st == NULL)
        return 0;
    if (now != atomic_load(&st->checked_at)) {
        atomic_store(&st->checked_at, now);
        absorb_changes(a, NULL);
    }
    return (unsigned)atomic_load(&st->seen_change);
}

unsigned app_ocsp_mix(unsigned responder_generation, unsigned epoch)
{
    return responder_generation * 2654435761u ^ epoch;
}

void app_status_changed(app *a)
{
    if (a->status)
        absorb_changes(a, NULL);
}

void app_status_responder_changed(app *a)
{
    struct status_state *st = a->status;

    if (st == NULL)
        return;
    pthread_rwlock_wrlock(&st->lock);
    cache_clear(st);
    pthread_rwlock_unlock(&st->lock);
}

/* ---- revocation ---- */

typedef struct {
    const app_actor *actor;
    char serial[41];
    int reason;
} revocation;

/* What revocation refuses, read inside the transaction that decides (the revocation's, or the
 * one recording a request for it). */
static int revocable(app *a, const char *serial, cert_record *rec, ct_error *err)
{
    if (store_cert_get(a->db, serial, rec, err) != 0)
        return -1;
    cert_record_free(rec);
    if (strcmp(rec->kind, "subscriber") != 0 && strcmp(rec->kind, "ocsp") != 0)
        return ct_fail(err, 409, "cert.is_ca", "không thu hồi chứng thư CA bằng lệnh này",
                       "a CA certificate is not revoked with this command");
    if (strcmp(rec->status, CERT_STATUS_REVOKED) == 0)
        return ct_fail(err, 409, "cert.already_revoked", "chứng thư %s đã bị thu hồi",
                       "certificate %s is already revoked", rec->serial);
    return 0;
}

int cert_revoke_in_transaction(app *a, const app_actor *actor, const char *serial, int reason,
                               ct_error *err)
{
    cert_record rec;

    if (revocable(a, serial, &rec, err) != 0)
        return -1;
    if (cert_status_change(rec.serial, rec.status, CERT_STATUS_REVOKED, err) != 0 ||
        store_cert_set_status(a->db, rec.serial, rec.status, CERT_STATUS_REVOKED, rec.effective_at,
                              app_now(), reason, err) != 0 ||
        token_follow_revocation(a, actor, rec.serial, err) != 0)
        return -1;
    if (audit_append(
            a, actor, "cert.revoke", rec.serial,
            json_pack("{s:s, s:s}", "reason", crl_reason_name(reason), "previous", rec.status),
            err) != 0)
        return -1;
    /* the subscriber and their agency are told, in the revocation's own transaction */
    return mail_cert_revoked(a, actor, &rec, reason, err);
}

/* Inside the transaction: the status read here is the one the change is decided on. */
static int revoke_in_transaction(app *a, void *ctx, ct_error *err)
{
    revocation *r = ctx;

    return cert_revoke_in_transaction(a, r->actor, r->serial, r->reason, err);
}

static int revocable_in_transaction(app *a, void *ctx, ct_error *err)
{
    cert_record rec;

    return revocable(a, ((revocation *)ctx)->serial, &rec, err);
}

int app_cert_revoke_or_request(app *a, const app_actor *actor, const char *serial,
                               const char *reason, approval_record *pending, ct_error *err)
{
    revocation r = {.actor = actor};
    int gate;

    if (role_require(actor->role, ROLES_CA, "cert revoke", err) != 0 ||
        crl_reason_parse(reason, &r.reason, err) != 0 || serial_normalize(serial, r.serial, err))
        return -1;
    /* four eyes ([approvals] revoke): a request waits for a second officer */
    gate = approval_gate(
        a, actor, APPROVAL_REVOKE, r.serial,
        json_pack("{s:s, s:s}", "serial", r.serial, "reason", crl_reason_name(r.reason)),
        revocable_in_transaction, &r, pending, err);
    if (gate != 0)
        return gate;
    if (with_transaction(a, revoke_in_transaction, &r, err) != 0)
        return -1;
    app_status_changed(a);
    return 0;
}

int app_cert_revoke(app *a, const app_actor *actor, const char *serial, const char *reason,
                    ct_error *err)
{
    return app_cert_revoke_or_request(a, actor, serial, reason, NULL, err);
}

/* ---- CRLs ---- */

typedef struct {
    crl_entry *items;
    size_t n;
    size_t cap;
    bool failed;
} entry_list;

static int collect_revoked(void *user, const char *serial, int64_t revoked_at, int reason)
{
    entry_list *l = user;

    if (!vec_grow((void **)&l->items, &l->cap, l->n, sizeof *l->items)) {
        l->failed = true;
        return 1;
    }
    if (crl_entry_serial(&l->items[l->n], serial) != 0)
        return 0; /* not a serial of ours: never stored, skip */
    l->items[l->n].revoked_at = revoked_at;
    l->items[l->n].reason = (int8_t)(reason < 0 ? 0 : reason);
    l->n++;
    return 0;
}

typedef struct {
    const app_actor *actor;
    const char *name;
    entry_list list;
    crl_record rec;
} crl_signing;

/* The entries are read in the same transaction that numbers the CRL: two CRLs signed at once
 * can never give the higher number the older list. */
static int sign_crl_in_transaction(app *a, void *ctx, ct_error *err)
{
    crl_signing *c = ctx;
    const pki_ca *ca = strcmp(c->name, "root") == 0 ? &a->root : &a->issuing;
    cert_issuer issuer = pki_ca_issuer(ca);
    int64_t now = app_now();

    c->list.n = 0;
    if (store_cert_revoked_walk(a->db, c->name, now, collect_revoked, &c->list, err) != 0)
        return -1;
    if (c->list.failed)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    c->rec.this_update = now;
    c->rec.next_update = now + CRL_VALIDITY;
    if (store_crl_next_number(a->db, c->name, &c->rec.number, err) != 0 ||
        crl_build(&issuer, c->rec.number, c->rec.this_update, c->rec.next_update, c->list.items,
                  c->list.n, &c->rec.der, &c->rec.der_len, err) != 0 ||
        store_crl_put(a->db, &c->rec, err) != 0)
        return -1;
    return audit_append(a, c->actor, "crl.generate", c->name,
                        json_pack("{s:I, s:I}", "number", (json_int_t)c->rec.number, "entries",
                                  (json_int_t)c->list.n),
                        err);
}

static int sign_crl(app *a, const app_actor *actor, const char *name, ct_error *err)
{
    crl_signing c = {.actor = actor, .name = name};
    int rc;

    snprintf(c.rec.issuer, sizeof c.rec.issuer, "%s", name);
    rc = with_transaction(a, sign_crl_in_transaction, &c, err);
    crl_record_free(&c.rec);
    free(c.list.items);
    return rc;
}

int app_crl_generate(app *a, const app_actor *actor, ct_error *err)
{
    int rc;

    if (role_require(actor->role, ROLES_CA | ROLE_SYSTEM, "crl generate", err) != 0)
        return -1;
    pthread_mutex_lock(&a->status->crl_lock);
    atomic_store(&a->status->crl_stale, false);
    /* an offline root's CRLs are signed at its key ceremony and imported (ca import-crl) */
    rc = (app_cfg(a)->root_offline || sign_crl(a, actor, "root", err) == 0) &&
                 issuing_usable(a, err) == 0 && sign_crl(a, actor, "issuing", err) == 0
             ? 0
             : -1;
    if (rc != 0)
        atomic_store(&a->status->crl_stale, true);
    pthread_mutex_unlock(&a->status->crl_lock);
    return rc;
}

int app_crl_get(app *a, const char *name, app_blob *out, ct_error *err)
{
    crl_record rec;
    app_actor system = {"chungthu", ROLE_SYSTEM, "crl", NULL};
    int64_t now = app_now();
    int rc;

    memset(out, 0, sizeof *out);
    if (strcmp(name, "root") != 0 && strcmp(name, "issuing") != 0)
        return ct_fail(err, 404, "crl.not_found", "không có CRL \"%s\"", "no CRL named \"%s\"",
                       name);
    absorb_changes(a, NULL);
    rc = store_crl_latest(a->db, name, &rec, err);
    if (app_cfg(a)->root_offline && strcmp(name, "root") == 0) {
        if (rc != 0)
            return -1; /* the import stored one: never signed here */
        goto found;
    }
    /* a read-only node serves the primary's latest: it signs nothing (app_read_only.c) */
    if (store_read_only(a->db)) {
        if (rc != 0)
            return -1;
        goto found;
    }
    /* none yet, stale after a change, or past half its life: sign a fresh one first */
    if (rc != 0 || atomic_load(&a->status->crl_stale) ||
        now >= rec.this_update + (rec.next_update - rec.this_update) / 2) {
        if (rc == 0)
            crl_record_free(&rec);
        else if (strcmp(err->code, "crl.none") != 0)
            return -1;
        if (app_crl_generate(a, &system, err) != 0 || store_crl_latest(a->db, name, &rec, err) != 0)
            return -1;
    }
found:
    out->data = rec.der;
    out->len = rec.der_len;
    out->this_update = rec.this_update;
    out->next_update = rec.next_update;
    make_etag(rec.der, rec.der_len, out->etag);
    return 0;
}

/* ---- OCSP ---- */

static int lookup_status(void *user, const char *serial, ocsp_answer *out)
{
    app *a = user;
    cert_record rec;

    /* A serial we never issued (or one of another CA) is "unknown" (RFC 6960 2.2). A failed
     * lookup fills nothing: only a record that was found is freed. */
    if (store_cert_get(a->db, serial, &rec, NULL) != 0) {
        out->status = OCSP_STATUS_UNKNOWN;
        return 0;
    }
    cert_record_free(&rec);
    if (strcmp(rec.issuer, "issuing") != 0) {
        out->status = OCSP_STATUS_UNKNOWN;
        return 0;
    }
    if (strcmp(rec.status, CERT_STATUS_HOLD) == 0 || strcmp(rec.status, CERT_STATUS_REVOKED) == 0) {
        out->status = OCSP_STATUS_REVOKED;
        out->revoked_at = rec.revoked_at;
        out->reason = rec.revocation_reason < 0 ? 0 : rec.revocation_reason;
    } else {
        out->status = OCSP_STATUS_GOOD;
    }
    return 0;
}

static int copy_entry(const cache_entry *e, app_blob *out)
{
    out->data = malloc(e->len);
    if (out->data == NULL)
        return -1;
    memcpy(out->data, e->der, e->len);
    out->len = e->len;
    out->this_update = e->this_update;
    out->next_update = e->next_update;
    memcpy(out->etag, e->etag, sizeof out->etag);
    out->cached = true;
    out->generation = e->signed_by->generation;
    return 0;
}

static void cache_entry_free(cache_entry *e)
{
    free(e->der);
    free(e);
}

/* Keep e (st->lock held for writing); NULL when kept, else e, which the caller frees. The same
 * serial's older answer goes, and so do the bucket's answers past their fresh half (never served
 * again: app_ocsp_respond signs those afresh). A full cache makes room with the oldest answer of
 * the next bucket that has one: answers enter a bucket at its head, so its tail is its oldest, and
 * the buckets give one up in turn. A certificate nobody asks about for a while leaves the cache;
 * one relying parties keep asking about is signed again at most once per round of the buckets. */
static cache_entry *cache_insert(struct status_state *st, cache_entry *e, int64_t now)
{
    unsigned b = bucket_of(e->key);

    for (cache_entry **p = &st->buckets[b]; *p;) {
        cache_entry *x = *p;
        if (strcmp(x->key, e->key) == 0 || now >= x->this_update + OCSP_VALIDITY / 2) {
            *p = x->next;
            cache_entry_free(x);
            st->entries--;
        } else {
            p = &x->next;
        }
    }
    if (st->entries >= st->max_entries) {
        for (unsigned k = 0; k < CACHE_SLOTS; k++) {
            cache_entry **p = &st->buckets[st->evict_cursor];
            st->evict_cursor = (st->evict_cursor + 1) % CACHE_SLOTS;
            if (*p == NULL)
                continue;
            while ((*p)->next)
                p = &(*p)->next;
            cache_entry_free(*p);
            *p = NULL;
            st->entries--;
            break;
        }
    }
    if (st->entries >= st->max_entries)
        return e;
    e->next = st->buckets[b];
    st->buckets[b] = e;
    st->entries++;
    return NULL;
}

int app_ocsp_respond(app *a, const unsigned char *req, size_t len, app_blob *out, ct_error *err)
{
    struct status_state *st = a->status;
    char key[64];
    bool keyed;
    ocsp_result res;
    int64_t now = app_now();
    app_responder *responder;

    unsigned epoch;

    memset(out, 0, sizeof *out);
    epoch = app_status_epoch(a);
    /* So does a rotation of the responder made by another process (one stat, at most once a
     * second). */
    responders_check_files(a);
    /* the responder taken here signs this answer, even if a rotation puts another in front
     * meanwhile (it stays alive until app_close) */
    responder = responder_current(a);
    keyed = ocsp_request_cache_key(responder->ocsp, req, len, key);
    if (keyed) {
        int found = 0;
        pthread_rwlock_rdlock(&st->lock);
        for (cache_entry *e = st->buckets[bucket_of(key)]; e; e = e->next) {
            /* fresh for the first half of its validity; then re-signed */
            if (strcmp(e->key, key) == 0 && e->signed_by == responder &&
                now < e->this_update + OCSP_VALIDITY / 2 && now >= e->this_update) {
                found = copy_entry(e, out) == 0;
                break;
            }
        }
        pthread_rwlock_unlock(&st->lock);
        if (found) {
            out->generation = app_ocsp_mix(out->generation, epoch);
            return 0;
        }
    }
    if (ocsp_respond(responder->ocsp, req, len, lookup_status, a, now, OCSP_VALIDITY, &res, err) !=
        0)
        return -1;
    out->generation = app_ocsp_mix(responder->generation, epoch);
    out->data = res.der;
    out->len = res.len;
    out->this_update = res.this_update;
    out->next_update = res.next_update;
    make_etag(res.der, res.len, out->etag);
    if (res.cacheable) {
        cache_entry *e = calloc(1, sizeof *e);
        if (e && (e->der = malloc(res.len)) != NULL) {
            snprintf(e->key, sizeof e->key, "%s", res.cache_key);
            memcpy(e->der, res.der, res.len);
            e->len = res.len;
            e->this_update = res.this_update;
            e->next_update = res.next_update;
            e->signed_by = responder;
            memcpy(e->etag, out->etag, sizeof e->etag);
            pthread_rwlock_wrlock(&st->lock);
            e = cache_insert(st, e, now);
            pthread_rwlock_unlock(&st->lock);
        }
        if (e) {
            free(e->der);
            free(e);
        }
    }
    return 0;
}

int app_upkeep_lead(app *a, bool *lead, ct_error *err)
{
    return store_lead_upkeep(a->db, app_now(), lead, err);
}

int app_status_refresh(app *a, bool lead, ct_error *err)
{
    crl_record rec;
    app_actor system = {"chungthu", ROLE_SYSTEM, "scheduler", NULL};
    int64_t now = app_now();
    bool due = false, rotated = false;

    if (absorb_changes(a, err) != 0)
        return -1;
    if (store_read_only(a->db))
        return 0; /* what follows writes: the primary's nodes do it */
    /* the responder's certificate, renewed with [ca] ocsp_renew_days left */
    if (responders_rotate(a, &system, false, &rotated, err) != 0)
        return -1;
    if (rotated)
        fprintf(stderr, "chungthu: the OCSP responder has a new key and certificate\n");
    if (!lead)
        return 0;
    for (int i = app_cfg(a)->root_offline ? 1 : 0; i < 2; i++) {
        if (store_crl_latest(a->db, i ? "issuing" : "root", &rec, NULL) != 0) {
            due = true;
            continue;
        }
        if (now >= rec.this_update + (rec.next_update - rec.this_update) / 2)
            due = true;
        crl_record_free(&rec);
    }
    /* The directory's search index: merged a little at a time as publications add to it, and
     * into one piece once a night (02:00–03:00 Vietnam time, a few seconds for a million
     * certificates), which makes searches of several common words about twice as fast. */
    {
        int local_min = ct_utc_to_local_minute(now);
        long long today = ct_date_to_jdn(ct_utc_to_local_date(now));
        bool night =
            local_min >= 120 && local_min < 180 && atomic_load(&a->status->optimized_jdn) != today;
        if (app_directory_tidy(a, 250, night, err) != 0)
            return -1;
        if (night)
            atomic_store(&a->status->optimized_jdn, today);
    }
    if (due || atomic_load(&a->status->crl_stale))
        return app_crl_generate(a, &system, err);
    return 0;
}
