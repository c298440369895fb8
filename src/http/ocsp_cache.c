/*
 * ocsp_cache.c — a one-second answer cache in front of app_ocsp_respond, per pool thread.
 *
 * Relying parties send byte-identical requests for the same certificate (no nonce: RFC 5019),
 * and the app already answers those from pre-signed responses; what it still pays per request
 * is decoding the request to find the certificate. Here a request whose exact bytes were
 * answered from the pre-signed set less than a second ago gets the same bytes again, found by a
 * hash and a comparison. This is the "microcache" a reverse proxy would add in front of any
 * responder.
 *
 * An answer is kept with the generation it was answered under (app_ocsp_generation), which
 * changes with each new responder and each status change the app has taken in (another
 * process's within a second): after a revocation or a rotation the answers kept before are
 * misses at once, so the cache adds nothing to the app's own bound.
 *
 * Each thread has its own table (no lock, no shared cache line on the hot path); the tables are
 * registered so that shutdown frees them.
 */
#include "http/http.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#define SLOTS 256 /* per thread; direct-mapped by hash */
#define LIFETIME_NS 1000000000LL
#define MAX_REQUEST 512 /* larger requests (several CertIDs) are not cached */
#define MAX_RESPONSE 8192

typedef struct slot {
    uint64_t hash;
    int64_t until_ns; /* 0: empty */
    size_t req_len, resp_len;
    unsigned char *req;  /* owned */
    unsigned char *resp; /* owned */
    int64_t this_update, next_update;
    unsigned generation;
    char etag[72];
    struct MHD_Response *post; /* the POST answer, made once and queued again and again */
} slot;

typedef struct table {
    slot slots[SLOTS];
    struct table *next;
} table;

static _Thread_local table *mine;
static table *tables;
static pthread_mutex_t tables_lock = PTHREAD_MUTEX_INITIALIZER;

static int64_t coarse_ns(void)
{
    struct timespec ts;

    /* the coarse clock: a few nanoseconds to read, a few milliseconds of resolution */
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* FNV-1a, 64 bits: requests are ~100 bytes; not exposed to collisions, the bytes are compared */
static uint64_t hash_of(const unsigned char *p, size_t n)
{
    uint64_t h = 14695981039346656037ULL;

    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

static table *this_thread(void)
{
    if (mine == NULL) {
        mine = calloc(1, sizeof *mine);
        if (mine == NULL)
            return NULL;
        pthread_mutex_lock(&tables_lock);
        mine->next = tables;
        tables = mine;
        pthread_mutex_unlock(&tables_lock);
    }
    return mine;
}

bool ocsp_cache_get(const unsigned char *req, size_t len, unsigned generation, ocsp_cached *out)
{
    table *t = mine;
    uint64_t h;
    slot *s;

    if (t == NULL || len == 0 || len > MAX_REQUEST)
        return false;
    h = hash_of(req, len);
    s = &t->slots[h % SLOTS];
    if (s->until_ns == 0 || s->hash != h || s->generation != generation || s->req_len != len ||
        memcmp(s->req, req, len) != 0 || coarse_ns() >= s->until_ns)
        return false;
    out->data = s->resp;
    out->len = s->resp_len;
    out->etag = s->etag;
    out->this_update = s->this_update;
    out->next_update = s->next_update;
    out->slot = s;
    return true;
}

struct MHD_Response *ocsp_cache_post_response(const ocsp_cached *c)
{
    slot *s = c->slot;

    if (s == NULL)
        return NULL;
    if (s->post == NULL) {
        /* libmicrohttpd counts the references: the connections it is queued on keep it alive
         * after the slot lets go of it */
        s->post = MHD_create_response_from_buffer(s->resp_len, s->resp, MHD_RESPMEM_MUST_COPY);
        if (s->post == NULL)
            return NULL;
        MHD_add_response_header(s->post, MHD_HTTP_HEADER_CONTENT_TYPE, "application/ocsp-response");
        MHD_add_response_header(s->post, "X-Content-Type-Options", "nosniff");
    }
    return s->post;
}

static void release_post(slot *s)
{
    if (s->post) {
        MHD_destroy_response(s->post);
        s->post = NULL;
    }
}

void ocsp_cache_put(const unsigned char *req, size_t len, const app_blob *b)
{
    table *t;
    uint64_t h;
    slot *s;
    unsigned char *rq, *rs;

    /* only what the app itself answered from its pre-signed set: no nonce, one certificate */
    if (!b->cached || len == 0 || len > MAX_REQUEST || b->len > MAX_RESPONSE ||
        (t = this_thread()) == NULL)
        return;
    h = hash_of(req, len);
    s = &t->slots[h % SLOTS];
    release_post(s);
    rq = s->req_len >= len ? s->req : realloc(s->req, len);
    if (rq == NULL)
        return;
    s->req = rq;
    rs = s->resp_len >= b->len ? s->resp : realloc(s->resp, b->len);
    if (rs == NULL) {
        s->until_ns = 0;
        return;
    }
    s->resp = rs;
    memcpy(s->req, req, len);
    memcpy(s->resp, b->data, b->len);
    s->hash = h;
    s->req_len = len;
    s->resp_len = b->len;
    s->this_update = b->this_update;
    s->next_update = b->next_update;
    s->generation = b->generation;
    memcpy(s->etag, b->etag, sizeof s->etag);
    s->until_ns = coarse_ns() + LIFETIME_NS;
}

void ocsp_cache_free_all(void)
{
    pthread_mutex_lock(&tables_lock);
    while (tables) {
        table *t = tables;
        tables = t->next;
        for (size_t i = 0; i < SLOTS; i++) {
            release_post(&t->slots[i]);
            free(t->slots[i].req);
            free(t->slots[i].resp);
        }
        free(t);
    }
    pthread_mutex_unlock(&tables_lock);
}
