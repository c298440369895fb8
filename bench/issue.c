/*
 * issue.c — bench_issue: bulk issuance throughput of an instance, for bench/issue.
 *
 *   bench_issue HOME PUBKEY_FILE COUNT BATCH THREADS
 *
 * Issues COUNT subscriber certificates to the same public key in one call, stored in
 * transactions of BATCH (one durable commit each), signing on THREADS threads, as step 2 of the
 * procedure does (on hold), and prints "certs_per_second N".
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "app/app.h"

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    app *a;
    ct_error err = {0};
    app_actor actor = {"bench", ROLE_CA_OFFICER, "bench", NULL};
    unsigned char key[16384];
    size_t key_len, count, batch;
    int threads;
    app_cert_request *reqs;
    app_issue_options opt;
    FILE *f;
    double t0, t1;

    if (argc != 6) {
        fprintf(stderr, "usage: bench_issue HOME PUBKEY COUNT BATCH THREADS\n");
        return 2;
    }
    f = fopen(argv[2], "rb");
    if (f == NULL)
        return 2;
    key_len = fread(key, 1, sizeof key, f);
    fclose(f);
    count = (size_t)atol(argv[3]);
    batch = (size_t)atol(argv[4]);
    threads = atoi(argv[5]);
    if (app_open(argv[1], &a, &err) != 0) {
        fprintf(stderr, "%s\n", err.en);
        return 1;
    }
    reqs = calloc(count, sizeof *reqs);
    if (reqs == NULL)
        return 1;
    for (size_t i = 0; i < count; i++) {
        reqs[i].subject.full_name = "Nguyễn Văn Bình";
        reqs[i].subject.email = "binh.nv@mic.gov.vn";
        reqs[i].subject.province = "Hà Nội";
        reqs[i].subject.org = "Bộ Khoa học và Công nghệ";
        reqs[i].subject.units[0] = "Cục Chứng thực số";
        reqs[i].subject.n_units = 1;
        reqs[i].pubkey = key;
        reqs[i].pubkey_len = key_len;
        reqs[i].days = 365;
        reqs[i].hold = true; /* step 2 of the procedure: signed on hold until publication */
    }
    opt.threads = threads;
    opt.chunk = batch;
    t0 = now_seconds();
    if (app_cert_issue_many(a, &actor, reqs, count, &opt, NULL, NULL, &err) != 0) {
        fprintf(stderr, "%s\n", err.en);
        return 1;
    }
    t1 = now_seconds();
    printf("certs_per_second %.1f\n", (double)count / (t1 - t0));
    free(reqs);
    app_close(a);
    return 0;
}
