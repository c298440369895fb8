/*
 * app_directory.c — the public directory of published certificates (step 4: "the CA publishes
 * the subscriber's certificate on its website"), and counts for monitoring.
 *
 * Only certificates that were published are visible: one on hold, or cancelled before
 * publication, is not listed and its page does not exist. No role: this is the public face.
 */
#include "app/app_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/text.h"
#include "pki/digest.h"

int app_directory_search(app *a, const char *query, int64_t limit, int64_t offset,
                         cert_visit_fn visit, void *ctx, bool *has_more, ct_error *err)
{
    char folded[512];

    if (query && strlen(query) > 200)
        return ct_fail(err, 400, "query.too_long", "từ khóa tra cứu quá dài (tối đa 200 ký tự)",
                       "the search text is too long (200 characters at most)");
    if (text_fold(query ? query : "", folded, sizeof folded, err) != 0)
        return -1;
    if (limit < 1 || limit > 100 || offset < 0 || offset > 100000)
        return ct_fail(err, 400, "query.range", "trang tra cứu không hợp lệ",
                       "invalid result page");
    return store_directory_search(a->db, folded, limit, offset, visit, ctx, has_more, err);
}

int app_directory_tidy(app *a, int64_t budget_ms, bool full, ct_error *err)
{
    struct timespec t0, t;
    bool more = true;

    if (full)
        return store_directory_merge(a->db, true, &more, err);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (more) {
        if (store_directory_merge(a->db, false, &more, err) != 0)
            return -1;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >= budget_ms)
            break;
    }
    return 0;
}

int app_directory_get(app *a, const char *serial, cert_record *out, ct_error *err)
{
    char upper[41];

    if (serial_normalize(serial, upper, err) != 0)
        return -1;
    if (store_cert_get(a->db, upper, out, err) != 0)
        return -1;
    if (strcmp(out->kind, "subscriber") != 0 || out->effective_at == 0) {
        cert_record_free(out);
        return ct_fail(err, 404, "cert.not_found", "không có chứng thư số hiệu %s",
                       "no certificate with serial %s", upper);
    }
    return 0;
}

int app_fingerprint(const unsigned char *der, size_t len, char out[65])
{
    static const char hex[] = "0123456789ABCDEF";
    unsigned char md[32];

    if (pki_sha256(der, len, md) != 0)
        return -1;
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
    return 0;
}

const char *app_public_status(const cert_record *rec, int64_t now)
{
    if (strcmp(rec->status, CERT_STATUS_REVOKED) == 0)
        return "revoked";
    if (now > rec->not_after || strcmp(rec->status, CERT_STATUS_EXPIRED) == 0)
        return "expired";
    return "active";
}

typedef struct {
    app *a;
    app_stats *out;
    int64_t now;
} stats_ctx;

static int count_dossier(void *user, const dossier_record *d)
{
    stats_ctx *s = user;
    dossier_state st;

    if (dossier_state_parse(d->state, &st) == 0)
        s->out->dossiers[st]++;
    if (st == DOSSIER_ACCEPTED && d->step2_done_at == 0) {
        deadline_status ds = app_deadline_status(d->due_step2, 0, s->now);
        s->out->dossiers_late += ds == DEADLINE_LATE;
        s->out->dossiers_due_today += ds == DEADLINE_DUE_TODAY;
    }
    return 0;
}

int app_get_stats(app *a, app_stats *out, ct_error *err)
{
    static const struct {
        const char *status;
        size_t offset;
    } kinds[] = {
        {CERT_STATUS_HOLD, offsetof(app_stats, certs_hold)},
        {CERT_STATUS_ACTIVE, offsetof(app_stats, certs_active)},
        {CERT_STATUS_REVOKED, offsetof(app_stats, certs_revoked)},
        {CERT_STATUS_EXPIRED, offsetof(app_stats, certs_expired)},
    };
    stats_ctx s = {a, out, app_now()};

    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        cert_filter f = {kinds[i].status, "subscriber", NULL, 0, 0};
        if (store_cert_count(a->db, &f, (int64_t *)(void *)((char *)out + kinds[i].offset), err) !=
            0)
            return -1;
    }
    return store_dossier_list(a->db, NULL, count_dossier, &s, err);
}

int app_health(app *a, ct_error *err)
{
    if (store_schema_version(a->db) <= 0)
        return ct_fail(err, 503, "store.unavailable", "cơ sở dữ liệu không trả lời",
                       "the database does not answer");
    return 0;
}
