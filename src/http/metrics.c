/*
 * metrics.c — /healthz and /metrics (Prometheus text format 0.0.4): requests by route family
 * and status class, a latency histogram per route family, OCSP responses served (and how many
 * came pre-signed from memory), certificates by status, dossiers by state and lateness.
 *
 * The counters are process-wide atomics: every pool thread adds to them without a lock.
 */
#include "http/http.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0};
#define N_BUCKETS (sizeof buckets / sizeof buckets[0])

static atomic_ullong requests[ROUTE_COUNT][5]; /* by status class 1xx..5xx */
static atomic_ullong histogram[ROUTE_COUNT][N_BUCKETS + 1];
static atomic_ullong micros_sum[ROUTE_COUNT];
static atomic_ullong ocsp_answers, ocsp_cache_hits;

void metrics_record(route_family route, int status, int64_t micros)
{
    int cls = status / 100 - 1;
    size_t b = 0;

    if ((unsigned)route >= ROUTE_COUNT)
        route = ROUTE_OTHER;
    if (cls < 0 || cls > 4)
        cls = 4;
    atomic_fetch_add(&requests[route][cls], 1);
    while (b < N_BUCKETS && (double)micros / 1e6 > buckets[b])
        b++;
    atomic_fetch_add(&histogram[route][b], 1);
    atomic_fetch_add(&micros_sum[route], (unsigned long long)(micros > 0 ? micros : 0));
}

void metrics_ocsp(bool cached)
{
    atomic_fetch_add(&ocsp_answers, 1);
    if (cached)
        atomic_fetch_add(&ocsp_cache_hits, 1);
}

/* For a load balancer: 200 with "ok" while the database answers, 503 otherwise. */
int health(http_request *r)
{
    static const http_header no_store[] = {{"Cache-Control", "no-store"}, {NULL, NULL}};
    ct_error err = {0};
    char body[160];
    bool ok = app_health(r->app, &err) == 0;
    int n = snprintf(body, sizeof body, "{\"status\":\"%s\",\"database\":\"%s\"}\n",
                     ok ? "ok" : "fail", ok ? "ok" : err.code);

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
                     (unsigned long long)atomic_load(&requests[i][c]));
    text_add(&t, "# HELP chungthu_http_request_duration_seconds Time to answer a request.\n"
                 "# TYPE chungthu_http_request_duration_seconds histogram\n");
    for (int i = 0; i < ROUTE_COUNT; i++) {
        unsigned long long cumulative = 0;
        for (size_t b = 0; b <= N_BUCKETS; b++) {
            cumulative += atomic_load(&histogram[i][b]);
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
                 route_family_name((route_family)i), (double)atomic_load(&micros_sum[i]) / 1e6);
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
             (unsigned long long)atomic_load(&ocsp_answers),
             (unsigned long long)atomic_load(&ocsp_cache_hits));
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
