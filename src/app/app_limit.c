/*
 * app_limit.c — rate limits and quotas: one table of rules, and the counters behind them.
 *
 * Each rule names what is counted (login attempts, failed lookups, dossiers submitted), by what
 * key (an address, a user name from an address, an agency, an account, a dossier code), how many
 * are allowed, and in what window (so many seconds from the first use, or the local calendar
 * day). A use is reserved before the work it guards (limit_take), so that parallel requests
 * cannot all pass the check before any of them is counted; work that turns out not to count
 * gives its use back (a successful lookup) or clears the key (a successful login).
 *
 * The counters live in this process (the server), in a fixed table of slots hashed with a
 * random key chosen at start, so that nobody can pick keys that collide with another's; when
 * every candidate slot is live, the one whose window ends first is reused. A restart forgets
 * them: the windows are minutes to a day, and the dossier numbers themselves are bounded in the
 * database (limit_dossier_seq). On a database several nodes share (PostgreSQL), the counters are
 * the database's instead (store_limit_take), so that N nodes allow what one does; if the
 * database cannot count a use, this process counts it.
 */
#include "app/app_internal.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "core/calendar.h"

const limit_rule limit_rules[LIMIT_COUNT] = {
    [LIMIT_LOGIN_ADDRESS] = {"login.address", LIMIT_KEY_ADDRESS, 20, 600, 0},
    [LIMIT_LOGIN_PAIR] = {"login.account_address", LIMIT_KEY_ACCOUNT_ADDRESS, 5, 900, 0},
    [LIMIT_LOOKUP_ADDRESS] = {"lookup.address", LIMIT_KEY_ADDRESS, 10, 600, 0},
    [LIMIT_LOOKUP_DOSSIER] = {"lookup.dossier", LIMIT_KEY_DOSSIER, 30, 3600, 0},
    [LIMIT_DOSSIER_AGENCY_DAY] = {"dossier.agency_day", LIMIT_KEY_AGENCY, 200, LIMIT_WINDOW_DAY,
                                  offsetof(app_config, dossiers_per_agency_day)},
    [LIMIT_DOSSIER_ACCOUNT] = {"dossier.account_hour", LIMIT_KEY_ACCOUNT, 30, 3600,
                               offsetof(app_config, dossiers_per_account_hour)},
};

#define SLOTS 4096
#define PROBES 16
#define KEY_MAX 192

typedef struct limit_entry {
    bool used;
    unsigned char id;
    char key[KEY_MAX];
    int64_t window_end;
    int count;
} limit_entry;

struct limit_state {
    pthread_mutex_t lock;
    uint64_t seed;
    limit_entry slots[SLOTS];
};

int limit_open(app *a, ct_error *err)
{
    a->limits = calloc(1, sizeof *a->limits);
    if (a->limits == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    pthread_mutex_init(&a->limits->lock, NULL);
    if (RAND_bytes((unsigned char *)&a->limits->seed, sizeof a->limits->seed) != 1) {
        limit_close(a);
        return ct_fail(err, 500, "rand", "bộ sinh số ngẫu nhiên lỗi", "the CSPRNG failed");
    }
    return 0;
}

void limit_close(app *a)
{
    if (a->limits == NULL)
        return;
    pthread_mutex_destroy(&a->limits->lock);
    free(a->limits);
    a->limits = NULL;
}

/* The rule's max as configured. */
static int limit_max(const app *a, limit_id id)
{
    const limit_rule *r = &limit_rules[id];

    return r->config_max ? *(const int *)(const void *)((const char *)app_cfg(a) + r->config_max)
                         : r->max;
}

/* The key as stored: one part, or two joined by a newline (neither part holds one). */
static void make_key(const char *k1, const char *k2, char out[KEY_MAX])
{
    snprintf(out, KEY_MAX, "%s%s%s", k1 ? k1 : "", k2 ? "\n" : "", k2 ? k2 : "");
}

static uint64_t slot_hash(uint64_t seed, limit_id id, const char *key)
{
    uint64_t h = 14695981039346656037ull ^ seed; /* FNV-1a, keyed */

    h = (h ^ (unsigned char)id) * 1099511628211ull;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return h ^ (h >> 29);
}

/* When a window that opens now ends: so many seconds on, or the next local midnight. */
static int64_t window_end(limit_id id, int64_t now)
{
    const limit_rule *r = &limit_rules[id];
    ct_date tomorrow;

    if (r->window != LIMIT_WINDOW_DAY)
        return now + r->window;
    tomorrow = ct_date_from_jdn(ct_date_to_jdn(ct_utc_to_local_date(now)) + 1);
    return ct_local_to_utc(tomorrow, 0);
}

/* The entry of (id, key), or NULL; with make, a slot for it (empty, expired, or the one whose
 * window ends first), reset. Called with the lock held. */
static limit_entry *find(struct limit_state *st, limit_id id, const char *key, int64_t now,
                         bool make)
{
    uint64_t h = slot_hash(st->seed, id, key);
    limit_entry *spare = NULL;
    bool spare_free = false;

    for (int i = 0; i < PROBES; i++) {
        limit_entry *e = &st->slots[(h + (uint64_t)i) % SLOTS];
        bool is_free = !e->used || e->window_end <= now;
        if (e->used && e->id == id && strcmp(e->key, key) == 0) {
            if (e->window_end <= now) { /* the window is over: a fresh one */
                e->count = 0;
                e->window_end = window_end(id, now);
            }
            return e;
        }
        /* a free slot first; else the live one whose window ends soonest */
        if (spare == NULL || (is_free && !spare_free) ||
            (!is_free && !spare_free && e->window_end < spare->window_end)) {
            spare = e;
            spare_free = is_free;
        }
    }
    if (!make)
        return NULL;
    memset(spare, 0, sizeof *spare);
    spare->used = true;
    spare->id = (unsigned char)id;
    snprintf(spare->key, sizeof spare->key, "%s", key);
    spare->window_end = window_end(id, now);
    return spare;
}

/* The key as the database keeps it: the rule's name first, so the rules' keys never meet. */
static bool shared_key(app *a, limit_id id, const char *key, char out[KEY_MAX + 64])
{
    /* a read-only node counts for itself (a standby's counters cannot be written) */
    if (a->db == NULL || !store_limits_shared(a->db) || store_read_only(a->db))
        return false;
    snprintf(out, KEY_MAX + 64, "%s\n%s", limit_rules[id].name, key);
    return true;
}

int limit_take(app *a, limit_id id, const char *k1, const char *k2, int64_t *retry_after)
{
    char key[KEY_MAX], shared[KEY_MAX + 64];
    int64_t now = app_now(), until = 0;
    int max = limit_max(a, id);
    limit_entry *e;
    bool taken;
    int rc = 0;

    *retry_after = 0;
    if (a->limits == NULL || max <= 0) /* no counters (init), or the limit is switched off */
        return 0;
    make_key(k1, k2, key);
    if (shared_key(a, id, key, shared) &&
        store_limit_take(a->db, shared, max, now, window_end(id, now), &taken, &until, NULL) == 0) {
        if (taken)
            return 0;
        *retry_after = until - now > 0 ? until - now : 1;
        return -1;
    }
    pthread_mutex_lock(&a->limits->lock);
    e = find(a->limits, id, key, now, true);
    if (e->count >= max) {
        *retry_after = e->window_end - now > 0 ? e->window_end - now : 1;
        rc = -1;
    } else {
        e->count++;
    }
    pthread_mutex_unlock(&a->limits->lock);
    return rc;
}

/* One use given back (all: every use forgotten) for a key, if it is counted. */
static void limit_release(app *a, limit_id id, const char *k1, const char *k2, bool all)
{
    char key[KEY_MAX], shared[KEY_MAX + 64];
    limit_entry *e;

    if (a->limits == NULL)
        return;
    make_key(k1, k2, key);
    if (shared_key(a, id, key, shared))
        store_limit_release(a->db, shared, all, app_now(), NULL);
    pthread_mutex_lock(&a->limits->lock);
    e = find(a->limits, id, key, app_now(), false);
    if (e && all)
        memset(e, 0, sizeof *e);
    else if (e && e->count > 0)
        e->count--;
    pthread_mutex_unlock(&a->limits->lock);
}

void limit_give_back(app *a, limit_id id, const char *k1, const char *k2)
{
    limit_release(a, id, k1, k2, false);
}

void limit_clear(app *a, limit_id id, const char *k1, const char *k2)
{
    limit_release(a, id, k1, k2, true);
}

int limit_count(app *a, limit_id id, const char *k1, const char *k2)
{
    char key[KEY_MAX], shared[KEY_MAX + 64];
    limit_entry *e;
    int n = 0;

    if (a->limits == NULL)
        return 0;
    make_key(k1, k2, key);
    if (shared_key(a, id, key, shared) &&
        store_limit_count(a->db, shared, app_now(), &n, NULL) == 0)
        return n;
    pthread_mutex_lock(&a->limits->lock);
    e = find(a->limits, id, key, app_now(), false);
    if (e)
        n = e->count;
    pthread_mutex_unlock(&a->limits->lock);
    return n;
}

int limit_fail(ct_error *err, const char *code, int64_t retry_after, const char *vi, const char *en)
{
    char vi_text[CT_ERR_MSG_MAX], en_text[CT_ERR_MSG_MAX];
    long long minutes = (long long)((retry_after + 59) / 60);

    snprintf(vi_text, sizeof vi_text, "%s; thử lại sau %lld phút", vi, minutes);
    snprintf(en_text, sizeof en_text, "%s; try again in %lld minute%s", en, minutes,
             minutes == 1 ? "" : "s");
    ct_fail_text(err, 429, code, vi_text, en_text);
    if (err)
        err->retry_after = (int)(retry_after > 0 ? retry_after : 1);
    return -1;
}

/* ---- dossier intake ---- */

int limit_dossier_intake(app *a, const app_actor *actor, const char *agency, ct_error *err)
{
    int64_t wait;

    /* The CA's own intake (paper dossiers recorded by its officers) is never held back by what
     * agencies' accounts did. */
    if (!(actor->role & ROLES_AGENCY))
        return 0;
    if (limit_take(a, LIMIT_DOSSIER_ACCOUNT, actor->name, NULL, &wait) != 0)
        return limit_fail(err, "dossier.rate_limited", wait,
                          "tài khoản này đã nộp quá nhiều hồ sơ trong một giờ",
                          "this account has submitted too many dossiers in an hour");
    if (limit_take(a, LIMIT_DOSSIER_AGENCY_DAY, agency, NULL, &wait) != 0) {
        limit_give_back(a, LIMIT_DOSSIER_ACCOUNT, actor->name, NULL);
        return limit_fail(err, "dossier.quota", wait,
                          "cơ quan đã nộp đủ số hồ sơ cho phép trong ngày",
                          "the agency has submitted its day's quota of dossiers");
    }
    return 0;
}

int limit_dossier_seq(const app_actor *actor, int64_t seq, ct_error *err)
{
    int64_t max = (actor->role & ROLES_AGENCY) ? DOSSIER_SEQ_AGENCY_MAX : DOSSIER_SEQ_MAX;

    if (seq > max)
        return ct_fail(err, 409, "dossier.sequence", "đã hết số thứ tự hồ sơ trong ngày",
                       "the day's dossier numbers are exhausted");
    return 0;
}

/* ---- the subscriber's lookup ---- */

int limit_lookup_take(app *a, const char *source, const char *code, ct_error *err)
{
    int64_t wait;

    source = source ? source : "";
    if (limit_take(a, LIMIT_LOOKUP_ADDRESS, source, NULL, &wait) != 0)
        return limit_fail(err, "lookup.rate_limited", wait,
                          "quá nhiều lần tra cứu không đúng từ địa chỉ này",
                          "too many lookups that found nothing from this address");
    if (limit_take(a, LIMIT_LOOKUP_DOSSIER, code ? code : "", NULL, &wait) != 0) {
        limit_give_back(a, LIMIT_LOOKUP_ADDRESS, source, NULL);
        return limit_fail(err, "lookup.rate_limited", wait,
                          "quá nhiều lần tra cứu không đúng trên mã hồ sơ này",
                          "too many lookups that found nothing on this dossier code");
    }
    return 0;
}

void limit_lookup_found(app *a, const char *source, const char *code)
{
    limit_give_back(a, LIMIT_LOOKUP_ADDRESS, source ? source : "", NULL);
    limit_give_back(a, LIMIT_LOOKUP_DOSSIER, code ? code : "", NULL);
}
