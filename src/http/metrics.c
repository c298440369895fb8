/*
 * metrics.c — /healthz and /metrics (Prometheus text format 0.0.4): requests by route family
 * and status class, a latency histogram per route family, OCSP responses served (and how many
 * came pre-signed from memory), connections (open, refused per address, closed late),
 * certificates by status, dossiers by state and lateness.
 *
 * The counters are sharded: each pool thread adds to a shard of its own (relaxed atomics, no
 * cache line shared with another core), and /metrics sums the shards.
 */
#include "http/http.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

/* seconds; the upper bounds of Prometheus "le" buckets */
static const double buckets[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                 0.01,   0.025,   0.05,   0.1,   0.5,    1.0};
#define N_BUCKETS (sizeof buckets / sizeof buckets[0])
#define SHARDS 16

typedef struct shard {
    atomic_ullong requests[ROUTE_COUNT][5]; /* by status class 1xx..5xx */
    atomic_ullong histogram[ROUTE_COUNT][N_BUCKETS + 1];
    atomic_ullong micros_sum[ROUTE_COUNT];
    atomic_ullong ocsp_answers, ocsp_cache_hits;
} __attribute__((aligned(64))) shard;

static shard shards[SHARDS];
static atomic_uint next_shard;
static _Thread_local shard *my_shard;

static shard *this_thread(void)
{
    if (my_shard == NULL)
        my_shard = &shards[atomic_fetch_add(&next_shard, 1) % SHARDS];
    return my_shard;
}

static void bump(atomic_ullong *c, unsigned long long n)
{
    atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static unsigned long long total(size_t offset)
{
    unsigned long long sum = 0;

    for (int i = 0; i < SHARDS; i++)
        sum += atomic_load_explicit((atomic_ullong *)(void *)((char *)&shards[i] + offset),
                                    memory_order_relaxed);
    return sum;
}

void metrics_record(route_family route, int status, int64_t micros)
{
    shard *s = this_thread();
    int cls = status / 100 - 1;
    size_t b = 0;

    if ((unsigned)route >= ROUTE_COUNT)
        route = ROUTE_OTHER;
    if (cls < 0 || cls > 4)
        cls = 4;
    while (b < N_BUCKETS && (double)micros > buckets[b] * 1e6)
        b++;
    bump(&s->requests[route][cls], 1);
    bump(&s->histogram[route][b], 1);
    bump(&s->micros_sum[route], (unsigned long long)(micros > 0 ? micros : 0));
}

void metrics_ocsp(bool cached)
{
    shard *s = this_thread();

    bump(&s->ocsp_answers, 1);
    if (cached)
        bump(&s->ocsp_cache_hits, 1);
}

/* For a load balancer: 200 with "ok" while the database answers, 503 otherwise. */
int health(http_request *r)
{
    static const http_header no_store[] = {{"Cache-Control", "no-store"}, {NULL, NULL}};
    ct_error err = {0};
    char body[200];
    bool ok = app_health(r->app, &err) == 0;
    /* a load balancer sends writes only to a node that takes them */
    int n =
        snprintf(body, sizeof body,
                 "{\"status\":\"%s\",\"database\":\"%s\",\"read_only\":%s,"
                 "\"standby\":%s}\n",
                 ok ? "ok" : "fail", ok ? "ok" : err.code, app_read_only(r->app) ? "true" : "false",
                 app_database_standby(r->app) ? "true" : "false");

    return http_send(r, ok ? 200 : 503, "application/json", body, (size_t)n, no_store);
}

int metrics(http_request *r)
{
    text t = {0};
    app_stats s;
    ct_error err = {0};
    int rc;

    text_add(&t, "# HELP chungthu_http_requests_total HTTP requests by route and status class.\n"
                 "# TYPE chungthu_http_requests_total counter\n");
    for (int i = 0; i < ROUTE_COUNT; i++)
        for (int c = 0; c < 5; c++)
            text_add(&t, "chungthu_http_requests_total{route=\"%s\",code=\"%dxx\"} %llu\n",
                     route_family_name((route_family)i), c + 1,
                     total(offsetof(shard, requests[i][c])));
    text_add(&t, "# HELP chungthu_http_request_duration_seconds Time to answer a request.\n"
                 "# TYPE chungthu_http_request_duration_seconds histogram\n");
    for (int i = 0; i < ROUTE_COUNT; i++) {
        unsigned long long cumulative = 0;
        for (size_t b = 0; b <= N_BUCKETS; b++) {
            cumulative += total(offsetof(shard, histogram[i][b]));
            if (b < N_BUCKETS)
                text_add(&t,
                         "chungthu_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} "
                         "%llu\n",
                         route_family_name((route_family)i), buckets[b], cumulative);
            else
                text_add(&t,
                         "chungthu_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} "
                         "%llu\n",
                         route_family_name((route_family)i), cumulative);
        }
        text_add(&t, "chungthu_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n",
                 route_family_name((route_family)i),
                 (double)total(offsetof(shard, micros_sum[i])) / 1e6);
        text_add(&t, "chungthu_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                 route_family_name((route_family)i), cumulative);
    }
    text_add(&t,
             "# HELP chungthu_ocsp_responses_total OCSP responses served.\n"
             "# TYPE chungthu_ocsp_responses_total counter\n"
             "chungthu_ocsp_responses_total %llu\n"
             "# HELP chungthu_ocsp_cache_hits_total OCSP responses served pre-signed.\n"
             "# TYPE chungthu_ocsp_cache_hits_total counter\n"
             "chungthu_ocsp_cache_hits_total %llu\n",
             total(offsetof(shard, ocsp_answers)), total(offsetof(shard, ocsp_cache_hits)));
    text_add(&t,
             "# HELP chungthu_read_only 1 while this node serves reads only (a standby's node).\n"
             "# TYPE chungthu_read_only gauge\n"
             "chungthu_read_only %d\n",
             app_read_only(r->app) ? 1 : 0);
    {
        guard_stats g;
        guard_counts(&g);
        text_add(&t,
                 "# HELP chungthu_http_connections Connections open now.\n"
                 "# TYPE chungthu_http_connections gauge\n"
                 "chungthu_http_connections %llu\n"
                 "# HELP chungthu_http_connections_refused_total Connections refused because "
                 "their address held its share already.\n"
                 "# TYPE chungthu_http_connections_refused_total counter\n"
                 "chungthu_http_connections_refused_total{reason=\"per_client\"} %llu\n"
                 "# HELP chungthu_http_connections_late_total Connections closed because a "
                 "request's head or body was not in by its deadline.\n"
                 "# TYPE chungthu_http_connections_late_total counter\n"
                 "chungthu_http_connections_late_total{phase=\"head\"} %llu\n"
                 "chungthu_http_connections_late_total{phase=\"body\"} %llu\n",
                 g.open, g.refused_per_client, g.closed_late_head, g.closed_late_body);
    }
    if (app_get_stats(r->app, &s, &err) == 0) {
        text_add(&t,
                 "# HELP chungthu_certificates Subscriber certificates by status.\n"
                 "# TYPE chungthu_certificates gauge\n"
                 "chungthu_certificates{status=\"hold\"} %lld\n"
                 "chungthu_certificates{status=\"active\"} %lld\n"
                 "chungthu_certificates{status=\"revoked\"} %lld\n"
                 "chungthu_certificates{status=\"expired\"} %lld\n",
                 (long long)s.certs_hold, (long long)s.certs_active, (long long)s.certs_revoked,
                 (long long)s.certs_expired);
        text_add(&t, "# HELP chungthu_dossiers Dossiers by state.\n"
                     "# TYPE chungthu_dossiers gauge\n");
        for (int i = 0; i < DOSSIER_STATE_COUNT; i++)
            text_add(&t, "chungthu_dossiers{state=\"%s\"} %lld\n",
                     dossier_state_name((dossier_state)i), (long long)s.dossiers[i]);
        text_add(&t,
                 "# HELP chungthu_dossiers_step2 Accepted dossiers whose step-2 clock is late or "
                 "due today.\n# TYPE chungthu_dossiers_step2 gauge\n"
                 "chungthu_dossiers_step2{deadline=\"late\"} %lld\n"
                 "chungthu_dossiers_step2{deadline=\"due_today\"} %lld\n",
                 (long long)s.dossiers_late, (long long)s.dossiers_due_today);
    }
    if (t.failed) {
        free(t.data);
        return http_send_text(r, 500, "out of memory\n");
    }
    rc = http_send(r, 200, "text/plain; version=0.0.4; charset=utf-8", t.data, t.len, NULL);
    free(t.data);
    return rc;
}
