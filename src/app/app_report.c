/*
 * app_report.c — how procedure 1.010847 is doing, per agency and period: dossiers received and
 * where they stand, certificates signed, published and revoked, and for each step of the
 * procedure how many ended on time and the median time it took, in working days as the
 * deadlines count them (core/calendar.h). The CSV tables are built here too, so that the API and
 * the command line hand out the same bytes; the charts are in app_report_svg.c.
 *
 * The figures are read from the records as they stand (dossiers, applicants, certificates), not
 * from the audit trail: each step leaves its instant on its record (step2_done_at,
 * activation_requested_at, published_at, a certificate's created_at, effective_at, revoked_at).
 * A rejected dossier is final, so its last change is its rejection.
 */
#include "app/app_internal.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPORT_MAX_DAYS 3660 /* ten years at once */

/* ---- the period ---- */

static int parse_day(const char *text, const char *name, ct_date *out, ct_error *err)
{
    if (ct_date_parse(text, out) != 0 || out->year < CALENDAR_MIN_YEAR ||
        out->year > CALENDAR_MAX_YEAR)
        return ct_fail(err, 400, "report.bad_date", "%s không phải một ngày YYYY-MM-DD: \"%.40s\"",
                       "%s is not a YYYY-MM-DD day: \"%.40s\"", name, text);
    return 0;
}

static ct_date first_of_next_month(ct_date d)
{
    return d.month == 12 ? (ct_date){d.year + 1, 1, 1} : (ct_date){d.year, d.month + 1, 1};
}

/* [from, to) from the options: missing ends make the month of the other one (this month when
 * both are missing). */
static int report_period(const app_report_options *opt, ct_date *from, ct_date *to, ct_error *err)
{
    bool has_from = opt && opt->from && opt->from[0], has_to = opt && opt->to && opt->to[0];
    long span;

    if (has_from && parse_day(opt->from, "from", from, err) != 0)
        return -1;
    if (has_to && parse_day(opt->to, "to", to, err) != 0)
        return -1;
    if (!has_from) {
        ct_date month =
            has_to ? ct_date_from_jdn(ct_date_to_jdn(*to) - 1) : ct_utc_to_local_date(app_now());
        *from = (ct_date){month.year, month.month, 1};
    }
    if (!has_to)
        *to = first_of_next_month(*from);
    span = ct_date_to_jdn(*to) - ct_date_to_jdn(*from);
    if (span <= 0 || span > REPORT_MAX_DAYS)
        return ct_fail(err, 400, "report.bad_period",
                       "kỳ báo cáo phải từ 1 đến %d ngày, ngày kết thúc (to, không tính) sau ngày "
                       "bắt đầu (from)",
                       "the period must be 1 to %d days, its end (to, not included) after its "
                       "first day (from)",
                       REPORT_MAX_DAYS);
    return 0;
}

/* ---- tallies ---- */

typedef struct day_list {
    int64_t *items;
    size_t n, cap;
} day_list;

/* An agency's figures while they are counted: the row, and each step's durations for the
 * median. */
typedef struct tally {
    app_report_row row;
    day_list days[3]; /* steps 2, 3, 4 */
    bool any;
} tally;

typedef struct dossier_ref {
    char code[64];
    size_t agency; /* index into the tallies */
} dossier_ref;

typedef struct applicant_ref {
    size_t agency;
    char cert_serial[41];
    int64_t notified_at, activation_requested_at, requested_effective_at, due_step4, published_at;
} applicant_ref;

typedef struct report_ctx {
    app *a;
    const char *only; /* one agency's code, or NULL */
    int64_t from, to; /* the period as instants */
    struct {
        tally *items;
        size_t n, cap;
    } agencies; /* every agency, by code */
    struct {
        dossier_ref *items;
        size_t n, cap;
    } dossiers; /* in scope, by code */
    struct {
        applicant_ref *items;
        size_t n, cap;
    } applicants;
    tally total;
    bool failed; /* out of memory in a visitor */
} report_ctx;

static bool in_period(const report_ctx *c, int64_t t)
{
    return t != 0 && t >= c->from && t < c->to;
}

/* How long from start to end in working days: the start counts from the day it takes effect
 * (after the intake cut-off or on a day off: the next working day), as a due time does. */
static int64_t working_days(app *a, int64_t start, int64_t end)
{
    ct_date d = calendar_effective_receipt_day(a->cal, start, app_cfg(a)->cutoff_min);

    return calendar_working_days_between(a->cal, d, ct_utc_to_local_date(end));
}

static int compare_agency(const void *x, const void *y)
{
    return strcmp(((const tally *)x)->row.agency, ((const tally *)y)->row.agency);
}

static int compare_dossier(const void *x, const void *y)
{
    return strcmp(((const dossier_ref *)x)->code, ((const dossier_ref *)y)->code);
}

static tally *find_agency(report_ctx *c, const char *code)
{
    tally key;

    snprintf(key.row.agency, sizeof key.row.agency, "%s", code);
    return bsearch(&key, c->agencies.items, c->agencies.n, sizeof key, compare_agency);
}

/* One step that ended: counted for its agency and in the total. due 0: a step without a due
 * time (step 3). */
static void count_step(report_ctx *c, tally *t, int which, int64_t started, int64_t ended,
                       int64_t due)
{
    tally *both[2] = {t, &c->total};
    int64_t days = working_days(c->a, started, ended);

    for (int i = 0; i < 2; i++) {
        app_report_step *s = which == 0   ? &both[i]->row.step2
                             : which == 1 ? &both[i]->row.step3
                                          : &both[i]->row.step4;
        s->done++;
        if (due && ended <= due)
            s->on_time++;
        else if (due)
            s->late++;
        if (vec_push(&both[i]->days[which], days) != 0)
            c->failed = true;
        both[i]->any = true;
    }
}

/* Add one to the field at offset of the agency's row and of the total. */
static void count(report_ctx *c, tally *t, size_t offset)
{
    (*(int64_t *)(void *)((char *)&t->row + offset))++;
    (*(int64_t *)(void *)((char *)&c->total.row + offset))++;
    t->any = c->total.any = true;
}

static int collect_agency(void *ctx, const agency_record *rec)
{
    report_ctx *c = ctx;
    tally t;

    memset(&t, 0, sizeof t);
    snprintf(t.row.agency, sizeof t.row.agency, "%s", rec->code);
    snprintf(t.row.name, sizeof t.row.name, "%s", rec->name);
    if (vec_push(&c->agencies, t) != 0) {
        c->failed = true;
        return 1;
    }
    return 0;
}

/* The day a dossier was first received, from its code's YYMMDD (a resubmission keeps the
 * code, and its receipt restarts the clock only). */
static ct_date receipt_day(const dossier_record *d)
{
    int yy, mm, dd;
    ct_date day;

    if (strlen(d->day) == 6 && sscanf(d->day, "%2d%2d%2d", &yy, &mm, &dd) == 3) {
        day = (ct_date){2000 + yy, mm, dd};
        return day;
    }
    return ct_utc_to_local_date(d->received_at);
}

static int visit_dossier(void *ctx, const dossier_record *d)
{
    report_ctx *c = ctx;
    tally *t = find_agency(c, d->agency);
    dossier_ref ref;
    dossier_state state;
    int64_t received = ct_local_to_utc(receipt_day(d), 0), ended;

    if (t == NULL || dossier_state_parse(d->state, &state) != 0)
        return 0; /* a record this version does not know: not counted, not guessed */
    memset(&ref, 0, sizeof ref);
    snprintf(ref.code, sizeof ref.code, "%s", d->code);
    ref.agency = (size_t)(t - c->agencies.items);
    if (vec_push(&c->dossiers, ref) != 0) {
        c->failed = true;
        return 1;
    }
    if (in_period(c, received)) {
        static const size_t by_state[DOSSIER_STATE_COUNT] = {
            [DOSSIER_RECEIVED] = offsetof(app_report_row, waiting),
            [DOSSIER_NEEDS_SUPPLEMENT] = offsetof(app_report_row, needs_supplement),
            [DOSSIER_ACCEPTED] = offsetof(app_report_row, accepted),
            [DOSSIER_REJECTED] = offsetof(app_report_row, rejected),
            [DOSSIER_WITHDRAWN] = offsetof(app_report_row, withdrawn),
            [DOSSIER_COMPLETED] = offsetof(app_report_row, completed),
        };
        count(c, t, offsetof(app_report_row, received));
        count(c, t, by_state[state]);
    }
    /* step 2 ends with the last pickup notice, or with the rejection (a final state: its last
     * change is the rejection); its due time is gone from a rejected dossier, so it is worked out
     * again from the receipt as intake did */
    ended = state == DOSSIER_REJECTED ? d->updated_at : d->step2_done_at;
    if (in_period(c, ended)) {
        int64_t due = d->due_step2
                          ? d->due_step2
                          : calendar_due(c->a->cal, d->received_at, STEP2_DAYS,
                                         app_cfg(c->a)->cutoff_min, app_cfg(c->a)->closing_min);
        count_step(c, t, 0, d->received_at, ended, due);
    }
    return 0;
}

static int visit_applicant(void *ctx, const applicant_record *ap)
{
    report_ctx *c = ctx;
    dossier_ref key, *d;
    applicant_ref ref;

    snprintf(key.code, sizeof key.code, "%s", ap->dossier);
    d = bsearch(&key, c->dossiers.items, c->dossiers.n, sizeof key, compare_dossier);
    if (d == NULL)
        return 0; /* another agency's */
    memset(&ref, 0, sizeof ref);
    ref.agency = d->agency;
    snprintf(ref.cert_serial, sizeof ref.cert_serial, "%s", ap->cert_serial);
    ref.notified_at = ap->notified_at;
    ref.activation_requested_at = ap->activation_requested_at;
    ref.requested_effective_at = ap->requested_effective_at;
    ref.due_step4 = ap->due_step4;
    ref.published_at = ap->published_at;
    if (vec_push(&c->applicants, ref) != 0) {
        c->failed = true;
        return 1;
    }
    return 0;
}

/* Steps 3 and 4 and the certificate of one applicant. */
static int count_applicant(report_ctx *c, const applicant_ref *ap, ct_error *err)
{
    tally *t = &c->agencies.items[ap->agency];

    if (ap->notified_at && in_period(c, ap->activation_requested_at))
        count_step(c, t, 1, ap->notified_at, ap->activation_requested_at, 0);
    if (ap->activation_requested_at && in_period(c, ap->published_at)) {
        /* a later effective time asked for by the agency is the agency's wish, not the CA's delay
         */
        int64_t start = ap->requested_effective_at > ap->activation_requested_at
                            ? ap->requested_effective_at
                            : ap->activation_requested_at;
        count_step(c, t, 2, start, ap->published_at, ap->due_step4);
    }
    if (ap->cert_serial[0]) {
        cert_record cert;
        if (store_cert_get(c->a->db, ap->cert_serial, &cert, err) != 0)
            return -1;
        if (in_period(c, cert.created_at))
            count(c, t, offsetof(app_report_row, issued));
        if (in_period(c, cert.effective_at))
            count(c, t, offsetof(app_report_row, published));
        if (strcmp(cert.status, CERT_STATUS_REVOKED) == 0 && in_period(c, cert.revoked_at))
            count(c, t, offsetof(app_report_row, revoked));
        cert_record_free(&cert);
    }
    return 0;
}

static int compare_days(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

    return (a > b) - (a < b);
}

static double median(day_list *l)
{
    if (l->n == 0)
        return -1;
    qsort(l->items, l->n, sizeof l->items[0], compare_days);
    if (l->n % 2)
        return (double)l->items[l->n / 2];
    return (double)(l->items[l->n / 2 - 1] + l->items[l->n / 2]) / 2.0;
}

static void finish_tally(tally *t)
{
    t->row.step2.median_days = median(&t->days[0]);
    t->row.step3.median_days = median(&t->days[1]);
    t->row.step4.median_days = median(&t->days[2]);
    for (int i = 0; i < 3; i++)
        free(t->days[i].items);
}

static void free_ctx(report_ctx *c)
{
    for (size_t i = 0; i < c->agencies.n; i++)
        for (int k = 0; k < 3; k++)
            free(c->agencies.items[i].days[k].items);
    for (int k = 0; k < 3; k++)
        free(c->total.days[k].items);
    free(c->agencies.items);
    free(c->dossiers.items);
    free(c->applicants.items);
}

static int out_of_memory(ct_error *err)
{
    return ct_fail(err, 500, "report.memory", "không đủ bộ nhớ để lập báo cáo",
                   "out of memory while building the report");
}

int app_report(app *a, const app_actor *actor, const app_report_options *opt, app_report_data *out,
               ct_error *err)
{
    report_ctx c;
    ct_date from, to;
    dossier_filter filter = {0};
    int rc = -1;

    memset(out, 0, sizeof *out);
    memset(&c, 0, sizeof c);
    if (role_require(actor->role, ROLES_CA | ROLE_AUDITOR, "report", err) != 0)
        return -1;
    if (report_period(opt, &from, &to, err) != 0)
        return -1;
    c.a = a;
    c.only = opt && opt->agency && opt->agency[0] ? opt->agency : NULL;
    c.from = ct_local_to_utc(from, 0);
    c.to = ct_local_to_utc(to, 0);
    ct_date_format(from, out->from);
    ct_date_format(to, out->to);
    snprintf(out->agency, sizeof out->agency, "%s", c.only ? c.only : "");
    out->generated_at = app_now();
    snprintf(c.total.row.name, sizeof c.total.row.name, "%s", "Tổng cộng");
    if (c.only) {
        agency_record one;
        if (store_agency_get(a->db, c.only, &one, err) != 0)
            return -1;
    }

    /* read everything first, then count: a visitor must not read the store again */
    if (store_agency_list(a->db, collect_agency, &c, err) != 0 || c.failed)
        goto out;
    qsort(c.agencies.items, c.agencies.n, sizeof c.agencies.items[0], compare_agency);
    filter.agency = c.only;
    if (store_dossier_list(a->db, &filter, visit_dossier, &c, err) != 0 || c.failed)
        goto out;
    qsort(c.dossiers.items, c.dossiers.n, sizeof c.dossiers.items[0], compare_dossier);
    if (store_applicant_list(a->db, NULL, visit_applicant, &c, err) != 0 || c.failed)
        goto out;
    for (size_t i = 0; i < c.applicants.n; i++)
        if (count_applicant(&c, &c.applicants.items[i], err) != 0)
            goto out;
    if (c.failed)
        goto out;

    for (size_t i = 0; i < c.agencies.n; i++) {
        tally *t = &c.agencies.items[i];
        if (!t->any && !(c.only && strcmp(t->row.agency, c.only) == 0))
            continue;
        finish_tally(t);
        memset(t->days, 0, sizeof t->days);
        if (vec_push(&out->rows, t->row) != 0) {
            c.failed = true;
            goto out;
        }
    }
    finish_tally(&c.total);
    memset(c.total.days, 0, sizeof c.total.days);
    out->total = c.total.row;
    rc = 0;
out:
    if (rc != 0 && c.failed)
        out_of_memory(err);
    free_ctx(&c);
    return rc;
}

void app_report_free(app_report_data *r)
{
    free(r->rows.items);
    memset(&r->rows, 0, sizeof r->rows);
}

/* ---- the JSON view ---- */

static json_t *rate_json(const app_report_step *s)
{
    /* one decimal, as people read a percentage */
    return s->done ? json_real(round(1000.0 * (double)s->on_time / (double)s->done) / 10.0)
                   : json_null();
}

static json_t *median_json(const app_report_step *s)
{
    return s->median_days < 0 ? json_null() : json_real(s->median_days);
}

static json_t *step_json(const app_report_step *s, bool counted)
{
    json_t *j = json_pack("{s:I, s:o, s:b}", "done", (json_int_t)s->done, "median_days",
                          median_json(s), "counted", counted);

    if (counted) {
        json_object_set_new(j, "on_time", json_integer((json_int_t)s->on_time));
        json_object_set_new(j, "late", json_integer((json_int_t)s->late));
        json_object_set_new(j, "on_time_percent", rate_json(s));
    }
    return j;
}

static json_t *row_json(const app_report_row *r, bool total)
{
    json_t *j =
        json_pack("{s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I}, s:{s:o, s:o, s:o}}",
                  "dossiers", "received", (json_int_t)r->received, "waiting",
                  (json_int_t)r->waiting, "accepted", (json_int_t)r->accepted, "needs_supplement",
                  (json_int_t)r->needs_supplement, "rejected", (json_int_t)r->rejected, "withdrawn",
                  (json_int_t)r->withdrawn, "completed", (json_int_t)r->completed, "certificates",
                  "issued", (json_int_t)r->issued, "published", (json_int_t)r->published, "revoked",
                  (json_int_t)r->revoked, "steps", "step2", step_json(&r->step2, true), "step3",
                  step_json(&r->step3, false), "step4", step_json(&r->step4, true));

    json_t *row;

    if (total)
        return j;
    /* the agency first, as people read a row */
    row = json_pack("{s:s, s:s}", "agency", r->agency, "name", r->name);
    json_object_update(row, j);
    json_decref(j);
    return row;
}

json_t *app_report_view(const app_report_data *r)
{
    json_t *rows = json_array();

    for (size_t i = 0; i < r->rows.n; i++)
        json_array_append_new(rows, row_json(&r->rows.items[i], false));
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "from", r->from, "to", r->to, "agency",
                     r->agency[0] ? json_string(r->agency) : json_null(), "generated_at",
                     app_view_time(r->generated_at), "agencies", rows, "total",
                     row_json(&r->total, true));
}

/* ---- CSV ---- */

/* A field as a spreadsheet reads it: quoted when it holds a separator, a quote or a line break;
 * text a spreadsheet would take for a formula (= + - @ first) is kept as text. */
static void csv_field(ct_buf *b, const char *s)
{
    bool formula = s[0] != '\0' && strchr("=+-@\t", s[0]) != NULL;

    if (!formula && strpbrk(s, ",\"\r\n") == NULL) {
        buf_append_str(b, s);
        return;
    }
    buf_append_byte(b, '"');
    if (formula)
        buf_append_byte(b, '\'');
    for (; *s; s++) {
        if (*s == '"')
            buf_append_byte(b, '"');
        buf_append_byte(b, (unsigned char)*s);
    }
    buf_append_byte(b, '"');
}

static void csv_step(ct_buf *b, const app_report_step *s, bool counted)
{
    buf_printf(b, ",%lld", (long long)s->done);
    if (counted) {
        buf_printf(b, ",%lld,%lld,", (long long)s->on_time, (long long)s->late);
        if (s->done)
            buf_printf(b, "%.1f", round(1000.0 * (double)s->on_time / (double)s->done) / 10.0);
    }
    buf_append_byte(b, ',');
    if (s->median_days >= 0)
        buf_printf(b, "%g", s->median_days);
}

static void csv_row(ct_buf *b, const char *table, const app_report_row *r)
{
    csv_field(b, r->agency);
    buf_append_byte(b, ',');
    csv_field(b, r->name);
    if (strcmp(table, "dossiers") == 0)
        buf_printf(b, ",%lld,%lld,%lld,%lld,%lld,%lld,%lld", (long long)r->received,
                   (long long)r->waiting, (long long)r->accepted, (long long)r->needs_supplement,
                   (long long)r->rejected, (long long)r->withdrawn, (long long)r->completed);
    else if (strcmp(table, "certificates") == 0)
        buf_printf(b, ",%lld,%lld,%lld", (long long)r->issued, (long long)r->published,
                   (long long)r->revoked);
    else {
        csv_step(b, &r->step2, true);
        csv_step(b, &r->step3, false);
        csv_step(b, &r->step4, true);
    }
    buf_append_str(b, "\r\n");
}

int app_report_csv(const app_report_data *r, const char *table, char **out, ct_error *err)
{
    static const struct {
        const char *name;
        const char *headings;
    } tables[] = {
        {"dossiers", "Tiếp nhận,Chờ kiểm tra,Đã tiếp nhận hợp lệ,Chờ bổ sung,Từ chối,Rút,"
                     "Hoàn thành"},
        {"certificates", "Đã ký,Đã công bố (có hiệu lực),Đã thu hồi"},
        {"steps", "Bước 2: đã xong,Bước 2: đúng hạn,Bước 2: trễ hạn,Bước 2: tỉ lệ đúng hạn (%),"
                  "Bước 2: trung vị (ngày làm việc),Bước 3 (cơ quan): đã xong,"
                  "Bước 3 (cơ quan): trung vị (ngày làm việc),Bước 4: đã xong,Bước 4: đúng hạn,"
                  "Bước 4: trễ hạn,Bước 4: tỉ lệ đúng hạn (%),Bước 4: trung vị (ngày làm việc)"},
    };
    ct_buf b = {0};
    size_t k = 0;

    while (k < sizeof tables / sizeof tables[0] && strcmp(tables[k].name, table) != 0)
        k++;
    if (k == sizeof tables / sizeof tables[0])
        return ct_fail(err, 404, "report.no_table",
                       "không có bảng \"%.40s\" (dossiers, certificates, steps)",
                       "no table \"%.40s\" (dossiers, certificates, steps)", table);
    /* the byte-order mark tells a spreadsheet the file is UTF-8 */
    buf_append_str(&b, "\xEF\xBB\xBF");
    buf_printf(&b, "Mã cơ quan,Tên cơ quan,%s\r\n", tables[k].headings);
    for (size_t i = 0; i < r->rows.n; i++)
        csv_row(&b, table, &r->rows.items[i]);
    csv_row(&b, table, &r->total);
    if ((*out = buf_take_text(&b)) == NULL)
        return out_of_memory(err);
    return 0;
}
