/*
 * app_mail_events.c — which e-mail each event queues, to whom, with what in it: a dossier
 * received, a supplement asked for, a dossier rejected, an applicant refused, a pickup notice,
 * a certificate published or revoked, and the notices before a certificate's end.
 *
 * Each function runs inside the transaction of the step it tells about (app_mail_enqueue), so
 * the message exists exactly when the step committed. The agency is told at its contact and
 * clerk addresses; the subscriber too when the event is about their own certificate. Nobody
 * with an address: no message.
 */
#include "app/app_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"

/* "09:00 ngày 05/12/2026" (Vietnam time). */
static void local_when(int64_t t, char *out, size_t size)
{
    ct_date d = ct_utc_to_local_date(t);
    int m = ct_utc_to_local_minute(t);

    snprintf(out, size, "%02d:%02d ngày %02d/%02d/%04d", m / 60, m % 60, d.day, d.month, d.year);
}

/* "2026-12-05 09:00" (Vietnam time), for the English part. */
static void local_when_en(int64_t t, char *out, size_t size)
{
    ct_date d = ct_utc_to_local_date(t);
    int m = ct_utc_to_local_minute(t);

    snprintf(out, size, "%04d-%02d-%02d %02d:%02d", d.year, d.month, d.day, m / 60, m % 60);
}

static void local_day(int64_t t, char *out, size_t size)
{
    ct_date d = ct_utc_to_local_date(t);

    snprintf(out, size, "%02d/%02d/%04d", d.day, d.month, d.year);
}

int mail_dossier_received(app *a, const app_actor *actor, const dossier_record *d, size_t count,
                          ct_error *err)
{
    app_mail m = {.kind = "received", .ref = d->code};
    char applicants[24], due[64], due_en[32], receipt[CFG_TEXT + 160];

    if (app_mail_to_agency(a, &m, d->agency, err) != 0)
        return -1;
    snprintf(applicants, sizeof applicants, "%zu", count);
    local_when(d->due_step2, due, sizeof due);
    local_when_en(d->due_step2, due_en, sizeof due_en);
    snprintf(receipt, sizeof receipt, "%s/api/v1/dossiers/%s/papers/receipt", app_cfg(a)->base_url,
             d->code);
    app_mail_var(&m, "dossier", d->code);
    app_mail_var(&m, "applicants", applicants);
    app_mail_var(&m, "due", due);
    app_mail_var(&m, "due_en", due_en);
    app_mail_var(&m, "receipt_url", receipt);
    return app_mail_enqueue(a, actor, &m, NULL, err);
}

int mail_dossier_decision(app *a, const app_actor *actor, const dossier_record *d,
                          proc_action action, ct_error *err)
{
    app_mail m = {.kind = action == ACT_SUPPLEMENT ? "supplement" : "rejected", .ref = d->code};
    char paper[CFG_TEXT + 160];

    if (action != ACT_SUPPLEMENT && action != ACT_REJECT)
        return 0;
    if (app_mail_to_agency(a, &m, d->agency, err) != 0)
        return -1;
    snprintf(paper, sizeof paper, "%s/api/v1/dossiers/%s/papers/%s", app_cfg(a)->base_url, d->code,
             action == ACT_SUPPLEMENT ? "supplement" : "refusal");
    app_mail_var(&m, "dossier", d->code);
    app_mail_var(&m, "reason", d->reason);
    app_mail_var(&m, "paper_url", paper);
    return app_mail_enqueue(a, actor, &m, NULL, err);
}

int mail_applicant_refused(app *a, const app_actor *actor, const dossier_record *d,
                           const applicant_record *ap, ct_error *err)
{
    app_mail m = {.kind = "refused"};
    char ref[96], n[24], paper[CFG_TEXT + 160];

    snprintf(ref, sizeof ref, "%s#%lld", d->code, (long long)ap->n);
    m.ref = ref;
    if (app_mail_to_agency(a, &m, d->agency, err) != 0)
        return -1;
    snprintf(n, sizeof n, "%lld", (long long)ap->n);
    snprintf(paper, sizeof paper, "%s/api/v1/dossiers/%s/papers/refusal", app_cfg(a)->base_url,
             d->code);
    app_mail_var(&m, "dossier", d->code);
    app_mail_var(&m, "applicant", n);
    app_mail_var(&m, "name", ap->full_name);
    app_mail_var(&m, "reason", ap->reason);
    app_mail_var(&m, "paper_url", paper);
    return app_mail_enqueue(a, actor, &m, NULL, err);
}

int mail_pickup(app *a, const app_actor *actor, const dossier_record *d,
                const applicant_record *aps, size_t n, ct_error *err)
{
    app_mail m = {.kind = "pickup", .ref = d->code};
    char when[64], when_en[32], people[24], paper[CFG_TEXT + 160];
    ct_buf names = {0};
    char *list = NULL;
    int rc;

    if (n == 0)
        return 0;
    if (app_mail_to_agency(a, &m, d->agency, err) != 0)
        return -1;
    /* one notice for the step: the time and place of the first, the people by name */
    for (size_t i = 0; i < n; i++)
        buf_printf(&names, "%s%s", i ? ", " : "", aps[i].full_name);
    if ((list = buf_take_text(&names)) == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    local_when(aps[0].pickup_at, when, sizeof when);
    local_when_en(aps[0].pickup_at, when_en, sizeof when_en);
    snprintf(people, sizeof people, "%zu", n);
    snprintf(paper, sizeof paper, "%s/api/v1/dossiers/%s/papers/pickup", app_cfg(a)->base_url,
             d->code);
    app_mail_var(&m, "dossier", d->code);
    app_mail_var(&m, "pickup_at", when);
    app_mail_var(&m, "pickup_at_en", when_en);
    app_mail_var(&m, "pickup_place", aps[0].pickup_place);
    app_mail_var(&m, "people", people);
    app_mail_var(&m, "names", list);
    app_mail_var(&m, "paper_url", paper);
    rc = app_mail_enqueue(a, actor, &m, NULL, err);
    free(list);
    return rc;
}

/* The certificate's own page on the public site. */
static void cert_url(app *a, const char *serial, char *out, size_t size)
{
    snprintf(out, size, "%s/certs/%s", app_cfg(a)->base_url, serial);
}

int mail_published(app *a, const app_actor *actor, const dossier_record *d,
                   const applicant_record *ap, ct_error *err)
{
    app_mail m = {.kind = "published"};
    char ref[96], when[64], when_en[32], url[CFG_TEXT + 96];

    snprintf(ref, sizeof ref, "%s#%lld", d->code, (long long)ap->n);
    m.ref = ref;
    if (app_mail_to_agency(a, &m, d->agency, err) != 0)
        return -1;
    app_mail_to(&m, ap->email);
    local_when(ap->published_at, when, sizeof when);
    local_when_en(ap->published_at, when_en, sizeof when_en);
    app_mail_var(&m, "published_at_en", when_en);
    cert_url(a, ap->cert_serial, url, sizeof url);
    app_mail_var(&m, "dossier", d->code);
    app_mail_var(&m, "name", ap->full_name);
    app_mail_var(&m, "serial", ap->cert_serial);
    app_mail_var(&m, "published_at", when);
    app_mail_var(&m, "cert_url", url);
    return app_mail_enqueue(a, actor, &m, NULL, err);
}

static const char *reason_text(int reason, bool english)
{
    switch (reason) {
    case 1:
        return english ? "key compromise" : "lộ khóa bí mật";
    case 3:
        return english ? "affiliation changed" : "thay đổi cơ quan, đơn vị";
    case 4:
        return english ? "superseded" : "được thay thế";
    case 5:
        return english ? "cessation of operation" : "không còn sử dụng";
    case 9:
        return english ? "privilege withdrawn" : "bị rút quyền";
    default:
        return english ? "unspecified" : "không nêu";
    }
}

int mail_cert_revoked(app *a, const app_actor *actor, const cert_record *cert, int reason,
                      ct_error *err)
{
    app_mail m = {.kind = "revoked", .ref = cert->serial};
    applicant_record ap;
    char when[64], when_en[32], url[CFG_TEXT + 96];

    if (strcmp(cert->kind, "subscriber") != 0)
        return 0;
    /* a certificate issued in a dossier: its agency is told too */
    if (store_applicant_by_cert(a->db, cert->serial, &ap, NULL) == 0) {
        dossier_record d;
        if (store_dossier_get(a->db, ap.dossier, &d, err) != 0 ||
            app_mail_to_agency(a, &m, d.agency, err) != 0)
            return -1;
    } else {
        app_mail_var(&m, "agency_name", "");
        app_mail_var(&m, "agency_code", "");
    }
    app_mail_to(&m, cert->email);
    local_when(app_now(), when, sizeof when);
    local_when_en(app_now(), when_en, sizeof when_en);
    app_mail_var(&m, "revoked_at_en", when_en);
    cert_url(a, cert->serial, url, sizeof url);
    app_mail_var(&m, "name", cert->common_name);
    app_mail_var(&m, "serial", cert->serial);
    app_mail_var(&m, "revoked_at", when);
    app_mail_var(&m, "reason_vi", reason_text(reason, false));
    app_mail_var(&m, "reason_en", reason_text(reason, true));
    app_mail_var(&m, "cert_url", url);
    return app_mail_enqueue(a, actor, &m, NULL, err);
}

/* A certificate suspended on its agency's request (dossier d): the subscriber and the agency. */
int mail_cert_suspended(app *a, const app_actor *actor, const dossier_record *d,
                        const cert_record *cert, ct_error *err)
{
    app_mail m = {.kind = "suspended", .ref = cert->serial};
    char when[64], when_en[32], url[CFG_TEXT + 96];

    if (app_mail_to_agency(a, &m, d->agency, err) != 0)
        return -1;
    app_mail_to(&m, cert->email);
    local_when(app_now(), when, sizeof when);
    local_when_en(app_now(), when_en, sizeof when_en);
    cert_url(a, cert->serial, url, sizeof url);
    app_mail_var(&m, "name", cert->common_name);
    app_mail_var(&m, "serial", cert->serial);
    app_mail_var(&m, "dossier", d->code);
    app_mail_var(&m, "suspended_at", when);
    app_mail_var(&m, "suspended_at_en", when_en);
    app_mail_var(&m, "cert_url", url);
    return app_mail_enqueue(a, actor, &m, NULL, err);
}

/* ---- expiry notices ---- */

typedef struct expiring_list {
    struct {
        char serial[41];
    } * items;
    size_t n, cap;
} expiring_list;

static int collect_expiring(void *user, const char *serial, int64_t not_after)
{
    expiring_list *l = user;
    (void)not_after;

    if (!vec_grow((void **)&l->items, &l->cap, l->n, sizeof *l->items))
        return 1;
    snprintf(l->items[l->n++].serial, sizeof l->items[0].serial, "%s", serial);
    return 0;
}

typedef struct notice {
    const app_actor *actor;
    const char *serial;
    int threshold_index; /* in cfg.mail_expiry_days, largest first */
    int64_t now;
    bool queued;
} notice;

/* One certificate's notice at one threshold: the message, and the notice recorded for this
 * threshold and every larger one not yet given (a certificate found already past several
 * thresholds gets one message, for the nearest). */
static int notice_in_transaction(app *a, void *ctx, ct_error *err)
{
    notice *x = ctx;
    const app_config *cfg = app_cfg(a);
    int threshold = cfg->mail_expiry_days[x->threshold_index];
    app_mail m = {.kind = "expiry", .ref = x->serial};
    cert_record cert;
    applicant_record ap;
    char days[16], end[32], threshold_text[16];
    int64_t id = 0;
    bool inserted = false;
    int rc = -1;

    x->queued = false;
    if (store_cert_get(a->db, x->serial, &cert, err) != 0)
        return -1;
    if (strcmp(cert.status, CERT_STATUS_ACTIVE) != 0 || cert.not_after <= x->now) {
        rc = 0; /* changed meanwhile: nothing to tell */
        goto out;
    }
    if (store_applicant_by_cert(a->db, cert.serial, &ap, NULL) == 0) {
        dossier_record d;
        if (store_dossier_get(a->db, ap.dossier, &d, err) != 0 ||
            app_mail_to_agency(a, &m, d.agency, err) != 0)
            goto out;
    } else {
        app_mail_var(&m, "agency_name", "");
        app_mail_var(&m, "agency_code", "");
    }
    app_mail_to(&m, cert.email);
    snprintf(days, sizeof days, "%lld", (long long)((cert.not_after - x->now + 86399) / 86400));
    snprintf(threshold_text, sizeof threshold_text, "%d", threshold);
    local_day(cert.not_after, end, sizeof end);
    app_mail_var(&m, "name", cert.common_name);
    app_mail_var(&m, "serial", cert.serial);
    app_mail_var(&m, "not_after", end);
    app_mail_var(&m, "days_left", days);
    app_mail_var(&m, "threshold", threshold_text);
    if (app_mail_enqueue(a, x->actor, &m, &id, err) != 0)
        goto out;
    for (int i = x->threshold_index; i >= 0; i--) {
        bool this_one = false;
        if (store_expiry_notice_insert(a->db, cert.serial, cfg->mail_expiry_days[i], id, x->now,
                                       &this_one, err) != 0)
            goto out;
        if (i == x->threshold_index)
            inserted = this_one;
    }
    if (!inserted) {
        /* another sender gave this notice first: this one's message goes with the rollback */
        ct_fail(err, 409, "mail.notice_exists", "thông báo này vừa được gửi ở nơi khác",
                "this notice has just been given elsewhere");
        goto out;
    }
    x->queued = id != 0;
    rc = 0;
out:
    cert_record_free(&cert);
    return rc;
}

int app_mail_expiry(app *a, const app_actor *actor, int *queued, ct_error *err)
{
    const app_config *cfg = app_cfg(a);
    int64_t now = app_now();

    *queued = 0;
    if (cfg->mail_smtp_url[0] == '\0')
        return 0;
    /* nearest threshold first: a certificate past several gets the nearest one's notice */
    for (int i = cfg->mail_expiry_count - 1; i >= 0; i--) {
        expiring_list l = {0};
        int64_t until = now + (int64_t)cfg->mail_expiry_days[i] * 86400;
        if (store_cert_expiring(a->db, now, until, cfg->mail_expiry_days[i], 500, collect_expiring,
                                &l, err) != 0) {
            free(l.items);
            return -1;
        }
        for (size_t k = 0; k < l.n; k++) {
            notice x = {actor, l.items[k].serial, i, now, false};
            ct_error one = {0};
            if (with_transaction(a, notice_in_transaction, &x, &one) != 0) {
                if (strcmp(one.code, "mail.notice_exists") == 0)
                    continue;
                *err = one;
                free(l.items);
                return -1;
            }
            *queued += x.queued;
        }
        free(l.items);
    }
    return 0;
}
