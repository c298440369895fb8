/*
 * search_fill.c — bench_search_fill: fill an instance's public directory for bench/search.
 *
 *   bench_search_fill HOME PUBKEY_FILE COUNT [BATCH] [THREADS]
 *
 * Issues COUNT subscriber certificates, published at once (status active, effective now, so
 * each enters the directory's full-text index in the same transaction), in batches of BATCH
 * (default 20000) signed on THREADS threads (default 2). The people are made up from common
 * Vietnamese family, middle and given names, agencies, units and the 34 provinces, so that the
 * directory has the shape of a real one: a few family names shared by millions ("Nguyễn"),
 * given names shared by thousands, and unique e-mail addresses. Prints progress to stderr and
 * "certs_per_second N" at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "app/app.h"
#include "core/province.h"

static const char *const family[] = {
    "Nguyễn", "Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê",  "Lê",  "Phạm", "Hoàng",
    "Huỳnh",  "Phan",   "Vũ",     "Võ",     "Đặng", "Bùi",  "Đỗ",  "Hồ",  "Ngô",  "Dương",
    "Lý",     "Đinh",   "Trương", "Lương",  "Mai",  "Tạ",   "Cao", "Lâm", "Đoàn", "Trịnh"};
static const char *const middle[] = {"Văn",    "Thị",  "Hữu", "Đức",   "Minh", "Thanh", "Quang",
                                     "Ngọc",   "Xuân", "Thu", "Hoàng", "Gia",  "Bảo",   "Kim",
                                     "Phương", "Anh",  "Thế", "Công",  "Đình", "Khánh"};
static const char *const given[] = {
    "An",    "Anh",   "Bình",  "Châu",  "Chi",   "Cường", "Dũng",   "Duy",  "Dương", "Đạt",
    "Đức",   "Giang", "Hà",    "Hải",   "Hạnh",  "Hằng",  "Hiếu",   "Hòa",  "Hoa",   "Hùng",
    "Hương", "Huy",   "Khánh", "Khoa",  "Lan",   "Linh",  "Long",   "Mai",  "Minh",  "My",
    "Nam",   "Nga",   "Ngọc",  "Nhung", "Phong", "Phúc",  "Phương", "Quân", "Quang", "Quỳnh",
    "Sơn",   "Tâm",   "Thảo",  "Thắng", "Thành", "Thu",   "Thủy",   "Tiến", "Trang", "Trung",
    "Tú",    "Tuấn",  "Vân",   "Việt",  "Yến"};
static const char *const orgs[] = {"Bộ Tư pháp",
                                   "Bộ Tài chính",
                                   "Bộ Khoa học và Công nghệ",
                                   "Bộ Nội vụ",
                                   "Bộ Y tế",
                                   "Bộ Giáo dục và Đào tạo",
                                   "Bộ Công an",
                                   "Bộ Xây dựng",
                                   "Văn phòng Chính phủ",
                                   "Ủy ban nhân dân thành phố Hà Nội",
                                   "Ủy ban nhân dân Thành phố Hồ Chí Minh",
                                   "Ủy ban nhân dân tỉnh Nghệ An"};
static const char *const units[] = {
    "Văn phòng",         "Vụ Pháp chế", "Vụ Tổ chức cán bộ", "Vụ Kế hoạch - Tài chính", "Thanh tra",
    "Cục Chứng thực số", "Sở Tư pháp",  "Sở Nội vụ",         "Phòng Hành chính"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A small deterministic generator: the same COUNT gives the same directory. */
static unsigned long long state = 0x9E3779B97F4A7C15ULL;
static unsigned next_random(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (unsigned)(state >> 11);
}

int main(int argc, char **argv)
{
    app *a;
    ct_error err = {0};
    app_actor actor = {"bench", ROLE_CA_OFFICER, "bench", NULL};
    unsigned char key[16384];
    size_t key_len, count, batch;
    int threads;
    app_issue_options opt;
    app_cert_request *reqs;
    char(*names)[128], (*emails)[64];
    FILE *f;
    double t0, t1;

    if (argc < 4) {
        fprintf(stderr, "usage: bench_search_fill HOME PUBKEY COUNT [BATCH] [THREADS]\n");
        return 2;
    }
    f = fopen(argv[2], "rb");
    if (f == NULL) {
        perror(argv[2]);
        return 2;
    }
    key_len = fread(key, 1, sizeof key, f);
    fclose(f);
    count = (size_t)atol(argv[3]);
    batch = argc > 4 ? (size_t)atol(argv[4]) : 20000;
    threads = argc > 5 ? atoi(argv[5]) : 2;
    if (batch == 0 || threads < 1)
        return 2;
    if (app_open(argv[1], &a, &err) != 0) {
        fprintf(stderr, "bench_search_fill: %s\n", err.en);
        return 1;
    }
    opt.threads = threads;
    opt.chunk = batch; /* one transaction a batch */
    reqs = calloc(batch, sizeof *reqs);
    names = calloc(batch, sizeof *names);
    emails = calloc(batch, sizeof *emails);
    if (reqs == NULL || names == NULL || emails == NULL)
        return 1;
    t0 = now_seconds();
    for (size_t done = 0; done < count;) {
        size_t n = count - done < batch ? count - done : batch;
        for (size_t i = 0; i < n; i++) {
            app_cert_request *q = &reqs[i];
            snprintf(names[i], sizeof names[i], "%s %s %s", family[next_random() % N(family)],
                     middle[next_random() % N(middle)], given[next_random() % N(given)]);
            snprintf(emails[i], sizeof emails[i], "cb%07zu@bench.gov.vn", done + i + 1);
            q->subject.full_name = names[i];
            q->subject.email = emails[i];
            q->subject.province = province_at(next_random() % province_count());
            q->subject.org = orgs[next_random() % N(orgs)];
            q->subject.units[0] = units[next_random() % N(units)];
            q->subject.n_units = 1;
            q->pubkey = key;
            q->pubkey_len = key_len;
            q->days = 365;
            q->hold = false; /* published at once: into the directory */
        }
        if (app_cert_issue_many(a, &actor, reqs, n, &opt, NULL, NULL, &err) != 0) {
            fprintf(stderr, "bench_search_fill: [%s] %s\n", err.code, err.en);
            return 1;
        }
        done += n;
        fprintf(stderr, "\r%zu / %zu", done, count);
    }
    t1 = now_seconds();
    fprintf(stderr, "\n");
    printf("certs_per_second %.1f\n", (double)count / (t1 - t0));
    /* The index as the server's nightly upkeep leaves it (merged into one piece). */
    if (app_directory_tidy(a, 0, true, &err) != 0) {
        fprintf(stderr, "bench_search_fill: [%s] %s\n", err.code, err.en);
        return 1;
    }
    printf("merge_seconds %.1f\n", now_seconds() - t1);
    free(reqs);
    free(names);
    free(emails);
    app_close(a);
    return 0;
}
