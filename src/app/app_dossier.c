/*
 * app_dossier.c — procedure 1.010847, step by step: intake of an agency's list, the CA's
 * decision, issuance on tokens, the pickup notice, the agency's steps, publication.
 *
 * Every step goes through app_dossier_step(): the transition table (core/procedure.c) says
 * whether the action is allowed from the current state and for the actor's role; the guard and
 * the clock effect named in the table row are carried out here; the change and its audit row
 * are written in one transaction.
 */
#include "app/app_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/mau02.h"
#include "pki/crl.h"
#include "core/text.h"

/* ---- deadlines ---- */

deadline_status app_deadline_status(int64_t due_at, int64_t done_at, int64_t now)
{
    if (due_at == 0)
        return DEADLINE_NONE;
    if (done_at)
        return done_at <= due_at ? DEADLINE_ON_TIME : DEADLINE_LATE;
    if (now > due_at)
        return DEADLINE_LATE;
    if (ct_date_to_jdn(ct_utc_to_local_date(now)) == ct_date_to_jdn(ct_utc_to_local_date(due_at)))
        return DEADLINE_DUE_TODAY;
    return DEADLINE_ON_TIME;
}

const char *deadline_status_name(deadline_status s)
{
    switch (s) {
    case DEADLINE_ON_TIME:
        return "on_time";
    case DEADLINE_DUE_TODAY:
        return "due_today";
    case DEADLINE_LATE:
        return "late";
    case DEADLINE_PAUSED:
        return "paused";
    default:
        return "none";
    }
}

const ct_calendar *app_calendar(const app *a)
{
    return a->cal;
}

static int64_t due_after(app *a, int64_t from, int days)
{
    return calendar_due(a->cal, from, days, app_cfg(a)->cutoff_min, app_cfg(a)->closing_min);
}

dossier_kind app_dossier_kind(const dossier_record *d)
{
    dossier_kind k;

    return d->kind[0] && dossier_kind_parse(d->kind, &k) == 0 ? k : KIND_NEW;
}

int app_kind_days(const app *a, dossier_kind kind)
{
    const app_config *cfg = app_cfg(a);

    switch (kind) {
    case KIND_SUSPENSION:
        return cfg->suspension_days;
    case KIND_RESUMPTION:
        return cfg->resumption_days;
    case KIND_REVOCATION:
        return cfg->revocation_days;
    case KIND_RENEWAL:
        return cfg->renewal_days;
    case KIND_CHANGE:
        return cfg->change_days;
    case KIND_PIN_RESET:
        return cfg->pin_reset_days;
    case KIND_TOKEN_LOST:
        return cfg->token_lost_days;
    case KIND_TOKEN_BROKEN:
        return cfg->token_broken_days;
    default:
        return STEP2_DAYS;
    }
}

/* ---- intake ---- */

static void local_day(int64_t t, char out[11])
{
    ct_date_format(ct_utc_to_local_date(t), out);
}

/* "Nguyễn Văn A, Thứ trưởng" → name and title */
static int parse_confirmation(const char *text, dossier_record *d, ct_error *err)
{
    const char *comma = text ? strchr(text, ',') : NULL;
    char name[512];

    if (comma == NULL || comma == text || comma[1] == '\0')
        return ct_fail(err, 400, "dossier.confirmation",
                       "thiếu xác nhận của thủ trưởng cơ quan (dạng \"HỌ TÊN, CHỨC VỤ\")",
                       "the agency head's confirmation is missing (give \"NAME, TITLE\")");
    snprintf(name, sizeof name, "%.*s", (int)(comma - text), text);
    if (text_clean_field(name, 64, "họ tên người xác nhận", "confirming head's name",
                         d->confirmed_name, sizeof d->confirmed_name, err) != 0 ||
        text_clean_field(comma + 1, 128, "chức vụ người xác nhận", "confirming head's title",
                         d->confirmed_title, sizeof d->confirmed_title, err) != 0)
        return -1;
    return 0;
}

/* A Mẫu 02 list as CSV, JSON or an .xlsx workbook, every row checked; all its problems go to
 * list_errors. Intake, a resubmission and a draft read lists through here alike. */
int app_parse_list(const char *format, const unsigned char *data, size_t len, const char *today,
                   mau02_applicant **list, size_t *count, app_list_errors *list_errors,
                   ct_error *err)
{
    if (format && strcmp(format, "json") == 0)
        return mau02_parse_json(data, len, today, list, count, list_errors, err);
    if (format && strcmp(format, "xlsx") == 0)
        return mau02_parse_xlsx(data, len, today, list, count, list_errors, err);
    if (format == NULL || strcmp(format, "csv") == 0)
        return mau02_parse_csv((const char *)data, len, today, list, count, list_errors, err);
    return ct_fail(err, 400, "dossier.format", "định dạng danh sách phải là csv, json hoặc xlsx",
                   "the list format must be csv, json or xlsx");
}

int dossier_check_intake(app *a, const app_actor *actor, const app_submission *in,
                         dossier_record *d, ct_error *err)
{
    agency_record agency;
    char today[11];
    int64_t now = app_now();

    memset(d, 0, sizeof *d);
    if (in->channel == NULL ||
        (strcmp(in->channel, "direct") != 0 && strcmp(in->channel, "online") != 0 &&
         strcmp(in->channel, "postal") != 0))
        return ct_fail(err, 400, "dossier.channel",
                       "cách nộp phải là direct (trực tiếp), online (trực tuyến) hoặc postal "
                       "(bưu chính)",
                       "channel must be direct, online or postal");
    /* Agency users submit online only; the CA records what arrives in person or by post. */
    if ((actor->role & ROLES_AGENCY) && strcmp(in->channel, "online") != 0)
        return ct_fail(err, 403, "role.forbidden",
                       "cơ quan chỉ nộp hồ sơ trực tuyến; hồ sơ trực tiếp, bưu chính do Cục "
                       "tiếp nhận",
                       "agencies submit online; direct and postal dossiers are recorded by the CA");
    if (in->agency == NULL || store_agency_get(a->db, in->agency, &agency, err) != 0)
        return in->agency ? -1
                          : ct_fail(err, 400, "agency.missing", "thiếu mã cơ quan",
                                    "the agency code is missing");
    if (!agency_visible(a, actor, agency.code))
        return ct_fail(err, 403, "agency.forbidden", "không được nộp hồ sơ thay cơ quan khác",
                       "you may not submit for another agency");
    if (parse_confirmation(in->confirmed_by, d, err) != 0)
        return -1;
    local_day(now, today);
    if (in->confirmed_on) {
        ct_date cd;
        if (ct_date_parse(in->confirmed_on, &cd) != 0 || strcmp(in->confirmed_on, today) > 0)
            return ct_fail(err, 400, "dossier.confirmation_date",
                           "ngày xác nhận \"%s\" không hợp lệ",
                           "confirmation date \"%s\" is invalid", in->confirmed_on);
        snprintf(d->confirmed_on, sizeof d->confirmed_on, "%s", in->confirmed_on);
    } else {
        snprintf(d->confirmed_on, sizeof d->confirmed_on, "%s", today);
    }
    snprintf(d->agency, sizeof d->agency, "%s", agency.code);
    snprintf(d->channel, sizeof d->channel, "%s", in->channel);
    return 0;
}

int dossier_check_submission(app *a, const app_actor *actor, const app_submission *in,
                             dossier_record *d, mau02_applicant **list, size_t *count,
                             app_list_errors *list_errors, ct_error *err)
{
    char today[11];

    *list = NULL;
    *count = 0;
    if (dossier_check_intake(a, actor, in, d, err) != 0)
        return -1;
    local_day(app_now(), today);
    return app_parse_list(in->format, in->data, in->len, today, list, count, list_errors, err);
}

/* The applicants of a Mẫu 02 list, pending, numbered from 1 in list order. */
static int insert_applicants(app *a, const char *code, const mau02_applicant *list, size_t count,
                             int64_t now, ct_error *err)
{
    for (size_t i = 0; i < count; i++) {
        applicant_record ap;
        const mau02_applicant *m = &list[i];
        memset(&ap, 0, sizeof ap);
        snprintf(ap.dossier, sizeof ap.dossier, "%s", code);
        ap.n = (int64_t)i + 1;
        snprintf(ap.full_name, sizeof ap.full_name, "%s", m->full_name);
        snprintf(ap.birth_date, sizeof ap.birth_date, "%s", m->birth_date);
        snprintf(ap.id_number, sizeof ap.id_number, "%s", m->id_number);
        snprintf(ap.id_issued_on, sizeof ap.id_issued_on, "%s", m->id_issued_on);
        snprintf(ap.id_issued_at, sizeof ap.id_issued_at, "%s", m->id_issued_at);
        snprintf(ap.email, sizeof ap.email, "%s", m->email);
        snprintf(ap.unit, sizeof ap.unit, "%s", m->unit);
        snprintf(ap.province, sizeof ap.province, "%s", m->province);
        snprintf(ap.position, sizeof ap.position, "%s", m->position);
        snprintf(ap.category, sizeof ap.category, "%s", position_category_name(m->category));
        snprintf(ap.phone, sizeof ap.phone, "%s", m->phone);
        snprintf(ap.previous_serial, sizeof ap.previous_serial, "%s", m->previous_serial);
        snprintf(ap.state, sizeof ap.state, "%s", applicant_state_name(APPLICANT_PENDING));
        ap.updated_at = now;
        if (store_applicant_insert(a->db, &ap, err) != 0)
            return -1;
    }
    return 0;
}

int dossier_register(app *a, const app_actor *actor, dossier_record *d, ct_error *err)
{
    char today[11];
    int64_t now = app_now();

    local_day(now, today);
    snprintf(d->state, sizeof d->state, "%s", dossier_state_name(DOSSIER_RECEIVED));
    snprintf(d->day, sizeof d->day, "%.2s%.2s%.2s", today + 2, today + 5, today + 8);
    d->received_at = now;
    ct_date_format(calendar_effective_receipt_day(a->cal, now, app_cfg(a)->cutoff_min),
                   d->counted_from);
    /* The appointment on the slip: the step-2 clock (the kind's days) as it will run once the
     * dossier is found valid. It starts for real at acceptance. */
    if (d->kind[0] == '\0')
        snprintf(d->kind, sizeof d->kind, "%s", dossier_kind_name(KIND_NEW));
    d->due_step2 = due_after(a, now, app_kind_days(a, app_dossier_kind(d)));
    snprintf(d->created_by, sizeof d->created_by, "%s", actor->name ? actor->name : "");
    d->updated_at = now;

    if (limit_dossier_intake(a, actor, d->agency, err) != 0 ||
        store_dossier_next_seq(a->db, d->day, &d->seq, err) != 0 ||
        limit_dossier_seq(actor, d->seq, err) != 0)
        return -1;
    snprintf(d->code, sizeof d->code, "%s-%s-%04lld", app_cfg(a)->unit_code, d->day,
             (long long)d->seq);
    return store_dossier_insert(a->db, d, err);
}

int dossier_create(app *a, const app_actor *actor, dossier_record *d, const mau02_applicant *list,
                   size_t count, ct_error *err)
{
    if (dossier_register(a, actor, d, err) != 0 ||
        insert_applicants(a, d->code, list, count, d->received_at, err) != 0)
        return -1;
    /* The ID numbers stay in the database: the audit row names the applicants by row only. */
    if (audit_append(a, actor, "dossier.submit", d->code,
                     json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}", "agency", d->agency, "channel",
                               d->channel, "applicants", (json_int_t)count, "confirmed_by",
                               d->confirmed_name, "confirmed_title", d->confirmed_title,
                               "counted_from", d->counted_from),
                     err) != 0)
        return -1;
    return mail_dossier_received(a, actor, d, count, err);
}

typedef struct {
    const app_actor *actor;
    dossier_record *d;
    const mau02_applicant *list;
    size_t count;
} intake;

static int intake_in_transaction(app *a, void *ctx, ct_error *err)
{
    intake *in = ctx;

    return dossier_create(a, in->actor, in->d, in->list, in->count, err);
}

void app_list_errors_free(app_list_errors *errors)
{
    mau02_errors_free(errors);
}

int app_dossier_submit(app *a, const app_actor *actor, const app_submission *in,
                       dossier_record *out, app_list_errors *list_errors, ct_error *err)
{
    dossier_record d;
    mau02_applicant *list = NULL;
    size_t count = 0;
    int rc = -1;

    /* Agencies submit online through a draft (app_draft.c: the letter, the head's confirmation);
     * here the CA records what came on paper, in person or by post. */
    if (actor->role & ROLES_AGENCY)
        return ct_fail(err, 403, "dossier.draft_required",
                       "cơ quan nộp hồ sơ trực tuyến qua bản nháp (danh sách, công văn, thủ "
                       "trưởng xác nhận, gửi); hồ sơ trực tiếp, bưu chính do Cục tiếp nhận",
                       "agencies submit online through a draft (list, letter, the head's "
                       "confirmation, submit); direct and postal dossiers are recorded by the CA");
    if (role_require(actor->role, ROLE_CA_OFFICER, "dossier submit", err) != 0)
        return -1;
    if (in->channel && strcmp(in->channel, "online") == 0)
        return ct_fail(err, 400, "dossier.channel",
                       "hồ sơ trực tuyến chỉ đến qua bản nháp của cơ quan; ở đây ghi nhận hồ sơ "
                       "direct (trực tiếp) hoặc postal (bưu chính)",
                       "online dossiers arrive only through an agency's draft; record direct or "
                       "postal dossiers here");
    if (dossier_check_submission(a, actor, in, &d, &list, &count, list_errors, err) != 0)
        goto out;
    if (with_transaction(a, intake_in_transaction, &(intake){actor, &d, list, count}, err) != 0)
        goto out;
    if (out)
        *out = d;
    rc = 0;
out:
    free(list);
    return rc;
}

/* ---- reading ---- */

/* A dossier the actor may see, else 404 as if it did not exist (no leak across agencies). */
static int visible_dossier(app *a, const app_actor *actor, const char *code, dossier_record *d,
                           ct_error *err)
{
    if (store_dossier_get(a->db, code, d, err) != 0)
        return -1;
    if (!agency_visible(a, actor, d->agency))
        return ct_fail(err, 404, "dossier.not_found", "không tìm thấy hồ sơ \"%s\"",
                       "no dossier \"%s\"", code);
    return 0;
}

int app_dossier_get(app *a, const app_actor *actor, const char *code, dossier_record *out,
                    ct_error *err)
{
    if (role_require(actor->role, ROLES_ALL, "dossier show", err) != 0)
        return -1;
    return visible_dossier(a, actor, code, out, err);
}

int app_dossier_applicants(app *a, const app_actor *actor, const char *code,
                           applicant_visit_fn visit, void *ctx, ct_error *err)
{
    dossier_record d;

    if (app_dossier_get(a, actor, code, &d, err) != 0)
        return -1;
    return store_applicant_list(a->db, code, visit, ctx, err);
}

typedef struct {
    app *a;
    const app_actor *actor;
    dossier_visit_fn visit;
    void *ctx;
} list_filter_ctx;

static int visit_visible(void *user, const dossier_record *d)
{
    list_filter_ctx *l = user;

    if (!agency_visible(l->a, l->actor, d->agency))
        return 0;
    return l->visit(l->ctx, d);
}

typedef struct {
    dossier_record *items;
    size_t n;
    size_t cap;
} dossier_list;

static int collect_dossier(void *user, const dossier_record *d)
{
    return vec_push((dossier_list *)user, *d);
}

typedef struct {
    int64_t now;
    bool any;
} step4_ctx;

static int step4_late(void *user, const applicant_record *ap)
{
    step4_ctx *c = user;

    c->any = app_applicant_overdue(ap, c->now);
    return c->any;
}

/* The overdue dossiers: step 2 late (app_dossier_overdue), or an accepted dossier with an
 * applicant's publication late. The dossiers are read first and their applicants after, so that
 * no read is nested inside another. */
static int list_overdue(app *a, const dossier_filter *filter, list_filter_ctx *l, ct_error *err)
{
    dossier_list all = {0};
    dossier_filter f = *filter;
    int64_t now = app_now();
    int rc = -1;

    f.overdue = false;
    if (store_dossier_list(a->db, &f, collect_dossier, &all, err) != 0)
        goto out;
    for (size_t i = 0; i < all.n; i++) {
        const dossier_record *d = &all.items[i];
        step4_ctx late = {now, false};
        if (!app_dossier_overdue(d, now)) {
            if (strcmp(d->state, dossier_state_name(DOSSIER_ACCEPTED)) != 0)
                continue;
            if (store_applicant_list(a->db, d->code, step4_late, &late, err) != 0)
                goto out;
            if (!late.any)
                continue;
        }
        if (visit_visible(l, d) != 0)
            break;
    }
    rc = 0;
out:
    free(all.items);
    return rc;
}

int app_dossier_list(app *a, const app_actor *actor, const dossier_filter *filter,
                     dossier_visit_fn visit, void *ctx, ct_error *err)
{
    list_filter_ctx l = {a, actor, visit, ctx};

    if (role_require(actor->role, ROLES_ALL, "dossier list", err) != 0)
        return -1;
    if (filter && filter->overdue)
        return list_overdue(a, filter, &l, err);
    return store_dossier_list(a->db, filter, visit_visible, &l, err);
}

int app_dossier_timeline(app *a, const app_actor *actor, const char *code, audit_visit_fn visit,
                         void *ctx, ct_error *err)
{
    dossier_record d;

    if (app_dossier_get(a, actor, code, &d, err) != 0)
        return -1;
    return store_audit_for_object(a->db, code, visit, ctx, err);
}

/* ---- steps ---- */

static int check_reason(const app_step_args *args, char *out, size_t size, ct_error *err)
{
    if (args == NULL || args->reason == NULL || *args->reason == '\0')
        return ct_fail(err, 400, "procedure.reason_missing", "cần nêu lý do (--reason)",
                       "a reason is required (--reason)");
    return text_clean_field(args->reason, 500, "lý do", "reason", out, size, err);
}

typedef struct {
    applicant_record *items;
    size_t n;
    size_t cap;
} applicant_list;

static int collect_applicant(void *user, const applicant_record *rec)
{
    return vec_push((applicant_list *)user, *rec);
}

/* The applicant's claim while a token is provisioned for it (app_claim.c). */
static void applicant_object(const char *code, int64_t n, char out[128])
{
    snprintf(out, 128, "applicant:%s#%lld", code, (long long)n);
}

/* A new Mẫu 02 list brought with a resubmission, parsed before the transaction. */
typedef struct new_list {
    mau02_applicant *items; /* NULL: the list stays as it is */
    size_t count;
    char sha256[65];
} new_list;

/* A dossier rejected or withdrawn ends every applicant still waiting, in the step's
 * transaction: refused with the dossier's reason, or withdrawn. Nobody is left looking
 * "pending" on a dossier that will never be processed. *moved: how many. */
static int end_pending_applicants(app *a, const dossier_record *d, applicant_list *aps,
                                  applicant_state to, int64_t now, size_t *moved, ct_error *err)
{
    *moved = 0;
    for (size_t i = 0; i < aps->n; i++) {
        applicant_record *ap = &aps->items[i];
        if (strcmp(ap->state, applicant_state_name(APPLICANT_PENDING)) != 0)
            continue;
        snprintf(ap->state, sizeof ap->state, "%s", applicant_state_name(to));
        snprintf(ap->reason, sizeof ap->reason, "%s", d->reason);
        ap->updated_at = now;
        if (store_applicant_update(a->db, ap, err) != 0)
            return -1;
        ++*moved;
    }
    return 0;
}

/* A resubmission's new list replaces the applicants, all still pending (nobody moves alone
 * before acceptance). */
static int replace_applicants(app *a, const dossier_record *d, const applicant_list *aps,
                              const new_list *list, int64_t now, ct_error *err)
{
    for (size_t i = 0; i < aps->n; i++)
        if (strcmp(aps->items[i].state, applicant_state_name(APPLICANT_PENDING)) != 0)
            return ct_fail(err, 409, "dossier.not_pending",
                           "người đề nghị %lld không còn chờ cấp: không thay được danh sách",
                           "applicant %lld is no longer pending: the list cannot be replaced",
                           (long long)aps->items[i].n);
    if (store_applicant_delete_all(a->db, d->code, err) != 0)
        return -1;
    return insert_applicants(a, d->code, list->items, list->count, now, err);
}

/* Whole-dossier steps (accept, reject, supplement, resubmit, withdraw), inside the caller's
 * transaction: d was read in it. */
static int dossier_step(app *a, const app_actor *actor, dossier_record *d, proc_action action,
                        const app_step_args *args, const new_list *list, ct_error *err)
{
    const proc_transition *t;
    dossier_state from;
    applicant_list aps = {0};
    int64_t now = app_now();
    size_t moved = 0;
    json_t *detail;
    int rc = -1;

    if (dossier_state_parse(d->state, &from) != 0)
        return ct_fail(err, 500, "dossier.state", "trạng thái hồ sơ hỏng", "corrupt dossier state");
    if (procedure_step(app_dossier_kind(d), PROC_DOSSIER, (int)from, action, actor->role, &t,
                       err) != 0)
        return -1;
    if (list->items && action != ACT_RESUBMIT)
        return ct_fail(err, 400, "dossier.list_unexpected",
                       "chỉ khi nộp lại hồ sơ mới gửi kèm danh sách mới",
                       "a new list comes only with a resubmission");
    if (t->guard == GUARD_REASON_GIVEN && check_reason(args, d->reason, sizeof d->reason, err))
        return -1;
    /* a withdrawal may say why; without a reason, none is kept from an earlier step */
    if (action == ACT_WITHDRAW) {
        d->reason[0] = '\0';
        if (args && args->reason && *args->reason &&
            check_reason(args, d->reason, sizeof d->reason, err) != 0)
            return -1;
    }
    if (store_applicant_list(a->db, d->code, collect_applicant, &aps, err) != 0)
        goto out;
    if (t->guard == GUARD_NOTHING_ISSUED) {
        for (size_t i = 0; i < aps.n; i++) {
            char object[128];
            applicant_object(d->code, aps.items[i].n, object);
            /* a refused applicant was never issued anything either */
            if ((strcmp(aps.items[i].state, applicant_state_name(APPLICANT_PENDING)) != 0 &&
                 strcmp(aps.items[i].state, applicant_state_name(APPLICANT_REFUSED)) != 0) ||
                claim_busy(a, object)) {
                ct_fail(err, 409, "dossier.already_issued",
                        "không thể rút: đã cấp hoặc đang cấp chứng thư cho người đề nghị %lld",
                        "cannot withdraw: applicant %lld already has, or is being issued, a "
                        "certificate",
                        (long long)aps.items[i].n);
                goto out;
            }
        }
    }
    switch (t->clock) {
    case CLOCK_STEP2_START:
        d->due_step2 = due_after(a, d->received_at, app_kind_days(a, app_dossier_kind(d)));
        break;
    case CLOCK_STEP2_PAUSE:
    case CLOCK_ALL_STOP:
        d->due_step2 = 0;
        break;
    default:
        break;
    }
    if (action == ACT_RESUBMIT) {
        /* A supplemented dossier is received anew: its clock counts from now. The reason asked
         * for stays in the supplement's audit row, and so in the timeline. */
        d->received_at = now;
        ct_date_format(calendar_effective_receipt_day(a->cal, now, app_cfg(a)->cutoff_min),
                       d->counted_from);
        d->due_step2 = due_after(a, now, app_kind_days(a, app_dossier_kind(d)));
        d->reason[0] = '\0';
        if (list->items && replace_applicants(a, d, &aps, list, now, err) != 0)
            goto out;
    }
    if (t->to == DOSSIER_REJECTED || t->to == DOSSIER_WITHDRAWN) {
        if (end_pending_applicants(
                a, d, &aps, t->to == DOSSIER_REJECTED ? APPLICANT_REFUSED : APPLICANT_WITHDRAWN,
                now, &moved, err) != 0)
            goto out;
    }
    snprintf(d->state, sizeof d->state, "%s", dossier_state_name((dossier_state)t->to));
    d->updated_at = now;
    detail = json_pack("{s:s, s:s, s:s, s:I}", "from", dossier_state_name(from), "to", d->state,
                       "reason", d->reason, "due_step2", (json_int_t)d->due_step2);
    if (t->to == DOSSIER_REJECTED || t->to == DOSSIER_WITHDRAWN)
        json_object_set_new(detail, "applicants_ended", json_integer((json_int_t)moved));
    if (action == ACT_RESUBMIT) {
        /* the list the dossier now holds: the new one, or the one it had */
        json_object_set_new(detail, "applicants",
                            json_integer((json_int_t)(list->items ? list->count : aps.n)));
        if (list->items)
            json_object_set_new(detail, "list_sha256", json_string(list->sha256));
    }
    if (store_dossier_update(a->db, d, err) != 0) {
        json_decref(detail);
        goto out;
    }
    if (audit_append(a, actor,
                     action == ACT_ACCEPT       ? "dossier.accept"
                     : action == ACT_REJECT     ? "dossier.reject"
                     : action == ACT_SUPPLEMENT ? "dossier.supplement"
                     : action == ACT_RESUBMIT   ? "dossier.resubmit"
                                                : "dossier.withdraw",
                     d->code, detail, err) != 0 ||
        mail_dossier_decision(a, actor, d, action, err) != 0)
        goto out;
    rc = 0;
out:
    free(aps.items);
    return rc;
}

/* Every applicant reached notify-pickup (or was cancelled): step 2 is done. */
static void update_step2_done(dossier_record *d, const applicant_list *aps, int64_t now)
{
    for (size_t i = 0; i < aps->n; i++) {
        applicant_state s;
        if (applicant_state_parse(aps->items[i].state, &s) != 0 || s == APPLICANT_PENDING ||
            s == APPLICANT_ISSUED)
            return;
    }
    if (d->step2_done_at == 0)
        d->step2_done_at = now;
}

static int applicant_audit(app *a, const app_actor *actor, const dossier_record *d,
                           const applicant_record *ap, proc_action action, const char *from,
                           ct_error *err)
{
    char object[96], what[64];

    snprintf(object, sizeof object, "%s#%lld", d->code, (long long)ap->n);
    snprintf(what, sizeof what, "applicant.%s", proc_action_name(action));
    return audit_append(a, actor, what, object,
                        json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:I, s:I, s:s}", "from", from,
                                  "to", ap->state, "cert", ap->cert_serial, "token",
                                  ap->token_serial, "pickup_at", (json_int_t)ap->pickup_at,
                                  "pickup_place", ap->pickup_place, "requested_effective_at",
                                  (json_int_t)ap->requested_effective_at, "due_step4",
                                  (json_int_t)ap->due_step4, "reason", ap->reason),
                        err);
}

/* The certificate's side of publish (the hold released) and cancel (revoked, unless it is
 * revoked already: a revocation is final and keeps its own reason and time). The status is
 * read here, inside the step's transaction, and the change is checked against the
 * certificate's own table: an officer's revocation is never undone by a later publish. */
static int applicant_cert_effect(app *a, const applicant_record *ap, proc_action action,
                                 int64_t now, bool *changed, ct_error *err)
{
    cert_record cert;
    const char *to = action == ACT_PUBLISH ? CERT_STATUS_ACTIVE : CERT_STATUS_REVOKED;

    if (ap->cert_serial[0] == '\0')
        return 0;
    if (store_cert_get(a->db, ap->cert_serial, &cert, err) != 0)
        return -1;
    cert_record_free(&cert);
    if (action == ACT_CANCEL && strcmp(cert.status, CERT_STATUS_REVOKED) == 0)
        return 0;
    if (cert_status_change(cert.serial, cert.status, to, err) != 0)
        return -1;
    if (action == ACT_PUBLISH
            ? store_cert_set_status(a->db, cert.serial, cert.status, to, now, 0, -1, err)
            : store_cert_set_status(a->db, cert.serial, cert.status, to, cert.effective_at, now,
                                    5 /* cessationOfOperation */, err))
        return -1;
    *changed = true;
    return 0;
}

/* Suspension, resumption and revocation on request: the certificate the applicant's row names,
 * read here, inside the step's transaction, and changed as its own status table allows (a
 * certificate revoked or suspended meanwhile by another way is refused, 409, and nothing
 * moves). The agency and the subscriber are told of a suspension or a revocation in the same
 * transaction. */
static int lifecycle_cert_effect(app *a, const app_actor *actor, const dossier_record *d,
                                 const applicant_record *ap, proc_action action, int64_t now,
                                 bool *changed, ct_error *err)
{
    cert_record cert;
    int reason = -1;
    int rc = -1;

    if (store_cert_get(a->db, ap->previous_serial, &cert, err) != 0)
        return -1;
    if (action == ACT_REVOKE && crl_reason_parse(d->request_reason, &reason, err) != 0)
        goto out;
    /* a resumption ends a suspension only, never the hold of a certificate not yet published */
    if (action == ACT_RESUME && cert.effective_at == 0) {
        ct_fail(err, 409, "cert.status", "chứng thư %s chưa được công bố, không có gì để khôi phục",
                "certificate %s was never published: there is nothing to resume", cert.serial);
        goto out;
    }
    if (action == ACT_SUSPEND) {
        if (cert_status_change(cert.serial, cert.status, CERT_STATUS_HOLD, err) != 0 ||
            store_cert_set_status(a->db, cert.serial, cert.status, CERT_STATUS_HOLD,
                                  cert.effective_at, now, CRL_REASON_CERTIFICATE_HOLD, err) != 0 ||
            mail_cert_suspended(a, actor, d, &cert, err) != 0)
            goto out;
    } else if (action == ACT_RESUME) {
        if (cert_status_change(cert.serial, cert.status, CERT_STATUS_ACTIVE, err) != 0 ||
            store_cert_set_status(a->db, cert.serial, cert.status, CERT_STATUS_ACTIVE,
                                  cert.effective_at, 0, -1, err) != 0)
            goto out;
    } else {
        if (cert_status_change(cert.serial, cert.status, CERT_STATUS_REVOKED, err) != 0 ||
            store_cert_set_status(a->db, cert.serial, cert.status, CERT_STATUS_REVOKED,
                                  cert.effective_at, now, reason, err) != 0 ||
            token_follow_revocation(a, actor, cert.serial, err) != 0 ||
            mail_cert_revoked(a, actor, &cert, reason, err) != 0)
            goto out;
    }
    *changed = true;
    rc = 0;
out:
    cert_record_free(&cert);
    return rc;
}

/* Token care on request: the token carrying the applicant's certificate, read here, inside the
 * step's transaction, moved by the same token care as `token reset-pin|lost|broken` (its custody
 * row checked again, the certificate revoked keyCompromise or cessationOfOperation with its
 * notices, the token's own audit row, the new PIN and envelope), with the agency's reason. */
static int token_care_effect(app *a, const app_actor *actor, const dossier_record *d,
                             const applicant_record *ap, bool *changed, ct_error *err)
{
    token_record t;
    ct_error why = {0};

    if (store_token_by_cert(a->db, ap->previous_serial, &t, &why) != 0) {
        if (why.status != 404) {
            *err = why;
            return -1;
        }
        return ct_fail(
            err, 409, "request.no_token", "chứng thư %s không còn nằm trên thiết bị nào của CA",
            "certificate %s is no longer on any of the CA's tokens", ap->previous_serial);
    }
    return token_care_in_transaction(a, actor, t.serial, token_care_action_of(app_dossier_kind(d)),
                                     ap->reason[0] ? ap->reason : NULL, changed, err);
}

/* A change of details always ends the certificate it replaces; a renewal when [lifecycle]
 * renewal_revokes_old says so (else the old one runs to its end). */
static bool supersedes(const app *a, const dossier_record *d)
{
    dossier_kind kind = app_dossier_kind(d);

    return kind == KIND_CHANGE || (kind == KIND_RENEWAL && app_cfg(a)->renewal_revokes_old);
}

/* The old certificate revoked as superseded at the instant the new one is published, in the
 * publication's transaction: there is no moment with both valid, nor with neither. One revoked
 * meanwhile keeps its own revocation. */
static int supersede_previous(app *a, const app_actor *actor, const applicant_record *ap,
                              int64_t now, bool *changed, ct_error *err)
{
    cert_record old;
    int rc = -1;

    if (ap->previous_serial[0] == '\0')
        return 0;
    if (store_cert_get(a->db, ap->previous_serial, &old, err) != 0)
        return -1;
    if (strcmp(old.status, CERT_STATUS_REVOKED) == 0) {
        rc = 0;
        goto out;
    }
    if (cert_status_change(old.serial, old.status, CERT_STATUS_REVOKED, err) != 0 ||
        store_cert_set_status(a->db, old.serial, old.status, CERT_STATUS_REVOKED, old.effective_at,
                              now, CRL_REASON_SUPERSEDED, err) != 0 ||
        audit_append(a, actor, "cert.supersede", old.serial,
                     json_pack("{s:s, s:s, s:s}", "by", ap->cert_serial, "dossier", ap->dossier,
                               "previous", old.status),
                     err) != 0 ||
        mail_cert_revoked(a, actor, &old, CRL_REASON_SUPERSEDED, err) != 0)
        goto out;
    *changed = true;
    rc = 0;
out:
    cert_record_free(&old);
    return rc;
}

/* "HH:MM ngày DD/MM/YYYY", Vietnam time, for messages. */
static void local_time_text(int64_t t, char *out, size_t size)
{
    ct_date d = ct_utc_to_local_date(t);
    int m = ct_utc_to_local_minute(t);

    snprintf(out, size, "%02d:%02d ngày %02d/%02d/%04d", m / 60, m % 60, d.day, d.month, d.year);
}

/* A pickup the agency can keep: a time still to come, on a working day, within the office's
 * hours, at a place a person can find (not "x"). */
static int check_pickup(app *a, applicant_record *ap, const app_step_args *args, int64_t now,
                        ct_error *err)
{
    char place[sizeof ap->pickup_place];
    int minute;
    size_t letters = 0;

    if (args == NULL || args->pickup_at <= 0 || args->pickup_place == NULL)
        return ct_fail(err, 400, "procedure.pickup_missing",
                       "cần thời gian (--at) và địa điểm (--place) nhận thiết bị",
                       "the pickup time (--at) and place (--place) are required");
    if (args->pickup_at <= now) {
        char when[32];
        local_time_text(args->pickup_at, when, sizeof when);
        return ct_fail(err, 400, "procedure.pickup_past",
                       "thời gian nhận thiết bị (%s) đã qua: chọn một thời gian sắp tới",
                       "the pickup time (%s) is past: choose a time to come", when);
    }
    if (!calendar_is_working_day(a->cal, ct_utc_to_local_date(args->pickup_at))) {
        char day[11];
        ct_date_format(ct_utc_to_local_date(args->pickup_at), day);
        return ct_fail(err, 400, "calendar.day_off",
                       "ngày %s là ngày nghỉ: hẹn nhận thiết bị vào ngày làm việc",
                       "%s is a day off: the pickup must be on a working day", day);
    }
    minute = ct_utc_to_local_minute(args->pickup_at);
    if (minute < app_cfg(a)->opening_min || minute >= app_cfg(a)->closing_min)
        return ct_fail(err, 400, "procedure.pickup_office_hours",
                       "hẹn nhận thiết bị trong giờ làm việc, từ %02d:%02d đến trước %02d:%02d",
                       "the pickup must be within office hours, from %02d:%02d to before "
                       "%02d:%02d",
                       app_cfg(a)->opening_min / 60, app_cfg(a)->opening_min % 60,
                       app_cfg(a)->closing_min / 60, app_cfg(a)->closing_min % 60);
    if (text_clean_field(args->pickup_place, 128, "địa điểm nhận", "pickup place", place,
                         sizeof place, err) != 0)
        return -1;
    for (const unsigned char *p = (const unsigned char *)place; *p; p++)
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p >= 0x80)
            letters++;
    if (letters < 4)
        return ct_fail(err, 400, "procedure.pickup_place",
                       "địa điểm nhận \"%s\" không đủ để tìm đến: ghi phòng, tòa nhà, địa chỉ",
                       "the pickup place \"%s\" is not enough to find: give the room, building "
                       "and address",
                       place);
    snprintf(ap->pickup_place, sizeof ap->pickup_place, "%s", place);
    ap->pickup_at = args->pickup_at;
    return 0;
}

/* The guard the table row names, checked with the data at hand; what it records (a reason, the
 * pickup) goes into ap. */
static int applicant_guard(app *a, applicant_record *ap, const proc_transition *t,
                           const app_step_args *args, int64_t now, ct_error *err)
{
    switch (t->guard) {
    case GUARD_REASON_GIVEN:
        return check_reason(args, ap->reason, sizeof ap->reason, err);
    case GUARD_PICKUP_DETAILS:
        return check_pickup(a, ap, args, now, err);
    case GUARD_PICKUP_TIME_COME:
        if (now < ap->pickup_at) {
            char when[32];
            local_time_text(ap->pickup_at, when, sizeof when);
            return ct_fail(err, 409, "procedure.before_pickup",
                           "chưa đến giờ hẹn nhận thiết bị (%s): ghi nhận sau khi cơ quan đã nhận",
                           "the pickup time (%s) has not come: record the collection after it",
                           when);
        }
        if (args == NULL || args->person == NULL || args->person[0] == '\0')
            return ct_fail(err, 400, "procedure.recipient_missing",
                           "cần họ tên người của cơ quan nhận thiết bị (--by)",
                           "the name of the agency's person who collected the tokens is "
                           "required (--by)");
        return text_clean_field(args->person, 128, "người nhận", "recipient", ap->received_by,
                                sizeof ap->received_by, err);
    case GUARD_HANDED_TO:
        if (args == NULL || args->person == NULL || args->person[0] == '\0') {
            snprintf(ap->handed_to, sizeof ap->handed_to, "%s", ap->full_name);
            return 0;
        }
        return text_clean_field(args->person, 128, "người nhận", "recipient", ap->handed_to,
                                sizeof ap->handed_to, err);
    case GUARD_EFFECTIVE_NOT_PAST:
        if (args != NULL && args->effective_at != 0 && args->effective_at < now) {
            char when[32];
            local_time_text(args->effective_at, when, sizeof when);
            return ct_fail(err, 400, "procedure.effective_past",
                           "thời điểm có hiệu lực đề nghị (%s) đã qua: để trống để có hiệu lực "
                           "ngay khi công bố, hoặc chọn một thời điểm sắp tới",
                           "the requested effective time (%s) is past: leave it empty for "
                           "\"as soon as published\", or choose a time to come",
                           when);
        }
        return 0;
    case GUARD_EFFECTIVE_TIME_DUE:
        if (now < ap->requested_effective_at) {
            char when[11];
            ct_date_format(ct_utc_to_local_date(ap->requested_effective_at), when);
            return ct_fail(err, 409, "procedure.not_yet",
                           "chưa đến thời điểm có hiệu lực được đề nghị (%s)",
                           "the requested effective time (%s) has not come yet", when);
        }
        return 0;
    default:
        return 0;
    }
}

/* The clock effect the table row names. */
static void applicant_clock(app *a, applicant_record *ap, const proc_transition *t,
                            const app_step_args *args, int64_t now)
{
    switch (t->clock) {
    case CLOCK_STEP2_STOP:
        ap->notified_at = now;
        break;
    case CLOCK_AGENCY_START:
        ap->agency_received_at = now;
        break;
    case CLOCK_STEP4_START: {
        int64_t want = args && args->effective_at > now ? args->effective_at : now;
        int64_t due = due_after(a, now, STEP4_DAYS);
        ap->activation_requested_at = now;
        ap->requested_effective_at = want;
        ap->due_step4 = want > due ? want : due;
        break;
    }
    case CLOCK_STEP4_STOP:
        ap->published_at = now;
        break;
    default:
        break;
    }
}

/* One applicant, one transition (not issue: that one provisions a token first), inside the
 * caller's transaction: d, ap and aps were read in it. */
static int applicant_step(app *a, const app_actor *actor, dossier_record *d, applicant_record *ap,
                          const proc_transition *t, const app_step_args *args, applicant_list *aps,
                          bool *cert_changed, ct_error *err)
{
    char from[24];
    int64_t now = app_now();

    snprintf(from, sizeof from, "%s", ap->state);
    if (applicant_guard(a, ap, t, args, now, err) != 0)
        return -1;
    applicant_clock(a, ap, t, args, now);
    if (t->action == ACT_HANDED_OVER)
        ap->handed_over_at = now;
    snprintf(ap->state, sizeof ap->state, "%s", applicant_state_name((applicant_state)t->to));
    ap->updated_at = now;

    if ((t->action == ACT_PUBLISH || t->action == ACT_CANCEL) &&
        applicant_cert_effect(a, ap, t->action, now, cert_changed, err) != 0)
        return -1;
    if (t->action == ACT_PUBLISH && supersedes(a, d) &&
        supersede_previous(a, actor, ap, now, cert_changed, err) != 0)
        return -1;
    if ((t->action == ACT_SUSPEND || t->action == ACT_RESUME || t->action == ACT_REVOKE) &&
        !(KIND_BIT(app_dossier_kind(d)) & KINDS_TOKEN_CARE) &&
        lifecycle_cert_effect(a, actor, d, ap, t->action, now, cert_changed, err) != 0)
        return -1;
    if (t->action == ACT_AGENCY_RECEIVED || t->action == ACT_HANDED_OVER)
        if (app_token_set_state(
                a, ap->token_serial,
                t->action == ACT_AGENCY_RECEIVED ? "with_agency" : "with_subscriber", err) != 0)
            return -1;
    if (store_applicant_update(a->db, ap, err) != 0)
        return -1;
    if (t->clock == CLOCK_STEP2_STOP || t->clock == CLOCK_ALL_STOP) {
        for (size_t i = 0; i < aps->n; i++)
            if (aps->items[i].n == ap->n)
                aps->items[i] = *ap;
        update_step2_done(d, aps, now);
    }
    d->updated_at = now;
    if (store_dossier_update(a->db, d, err) != 0 ||
        applicant_audit(a, actor, d, ap, t->action, from, err) != 0)
        return -1;
    /* token care last: it may work on the device, after which nothing here may fail */
    if ((t->action == ACT_RESET_PIN || t->action == ACT_REVOKE) &&
        (KIND_BIT(app_dossier_kind(d)) & KINDS_TOKEN_CARE) &&
        token_care_effect(a, actor, d, ap, cert_changed, err) != 0)
        return -1;
    /* the messages about one person (the pickup notice is one for the whole step: below) */
    if (t->action == ACT_PUBLISH)
        return mail_published(a, actor, d, ap, err);
    if (t->action == ACT_REFUSE)
        return mail_applicant_refused(a, actor, d, ap, err);
    return 0;
}

/* What one step on a dossier works with. Everything it decides on is read inside the step's
 * transaction (the *_in_transaction functions below), so that the same step sent twenty times
 * at once, or two conflicting steps, have exactly one effect: the others find the state they
 * would change already changed, and are refused with 409. */
typedef struct step {
    const app_actor *actor;
    const char *code;
    proc_action action;
    const app_step_args *args;
    dossier_record d;
    applicant_list aps;
    bool cert_changed;
    size_t done;
    new_list list; /* resubmit: the new list, if one was brought */
} step;

static int dossier_must_be_accepted(const dossier_record *d, ct_error *err)
{
    /* a completed dossier was accepted: its applicants answer for their own (final) states */
    if (strcmp(d->state, dossier_state_name(DOSSIER_ACCEPTED)) == 0 ||
        strcmp(d->state, dossier_state_name(DOSSIER_COMPLETED)) == 0)
        return 0;
    dossier_state st;
    bool known = dossier_state_parse(d->state, &st) == 0;
    char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX];
    /* the state in the words of each message's language */
    snprintf(vi, sizeof vi,
             "hồ sơ đang ở trạng thái \"%s\": chỉ xử lý từng người sau khi hồ sơ được "
             "tiếp nhận (accept)",
             known ? dossier_state_label(st, false) : d->state);
    snprintf(en, sizeof en, "the dossier is \"%s\": applicants move only after it is accepted",
             known ? dossier_state_label(st, true) : d->state);
    return ct_fail_text(err, 409, "dossier.not_accepted", vi, en);
}

/* Read the dossier (and, for applicant steps, its applicants) afresh. */
static int step_read(app *a, step *s, bool applicants, ct_error *err)
{
    s->aps.n = 0;
    if (visible_dossier(a, s->actor, s->code, &s->d, err) != 0)
        return -1;
    if (!applicants)
        return 0;
    if (dossier_must_be_accepted(&s->d, err) != 0 ||
        store_applicant_list(a->db, s->code, collect_applicant, &s->aps, err) != 0)
        return -1;
    return 0;
}

/* Which transition the action takes for applicant ap: 0 and *t set; 1 when ap is not
 * concerned (another state, in a step for every applicant); -1 on a refusal that is the
 * answer (a named applicant, or the role). */
static int applicant_transition(const step *s, const applicant_record *ap,
                                const proc_transition **t, ct_error *err)
{
    applicant_state from;
    ct_error step_err = {0};
    bool named = s->args && s->args->applicant;

    if (named && ap->n != s->args->applicant)
        return 1;
    if (applicant_state_parse(ap->state, &from) != 0)
        return 1;
    if (procedure_step(app_dossier_kind(&s->d), PROC_APPLICANT, (int)from, s->action,
                       s->actor->role, t, &step_err) == 0)
        return 0;
    if (named || step_err.status == 403) {
        *err = step_err;
        return -1;
    }
    return 1;
}

static void prefix_applicant(int64_t n, ct_error *err)
{
    char vi[64], en[64];

    snprintf(vi, sizeof vi, "người đề nghị %lld: ", (long long)n);
    snprintf(en, sizeof en, "applicant %lld: ", (long long)n);
    ct_error_prefix(err, vi, en);
}

static int nothing_done(const step *s, ct_error *err)
{
    if (s->args && s->args->applicant)
        return ct_fail(err, 404, "applicant.not_found", "hồ sơ không có người đề nghị số %lld",
                       "the dossier has no applicant %lld", (long long)s->args->applicant);
    return ct_fail(err, 409, "procedure.wrong_state",
                   "không người đề nghị nào ở trạng thái cho phép \"%s\"",
                   "no applicant is in a state that allows \"%s\"", proc_action_name(s->action));
}

static int count_open(void *user, const applicant_record *ap)
{
    applicant_state s;

    if (applicant_state_parse(ap->state, &s) != 0 ||
        (s != APPLICANT_PUBLISHED && s != APPLICANT_CANCELLED && s != APPLICANT_REFUSED &&
         s != APPLICANT_DONE))
        ++*(size_t *)user;
    return 0;
}

/* Once every applicant is published, cancelled, refused or done, the dossier is completed and
 * leaves the queue (in the transaction of the step that finished it). */
static int dossier_complete_if_done(app *a, step *s, ct_error *err)
{
    size_t open = 0;

    if (store_applicant_list(a->db, s->code, count_open, &open, err) != 0)
        return -1;
    if (open > 0)
        return 0;
    snprintf(s->d.state, sizeof s->d.state, "%s", dossier_state_name(DOSSIER_COMPLETED));
    s->d.updated_at = app_now();
    if (store_dossier_update(a->db, &s->d, err) != 0)
        return -1;
    return audit_append(
        a, s->actor, "dossier.complete", s->d.code,
        json_pack("{s:s, s:s}", "from", dossier_state_name(DOSSIER_ACCEPTED), "to", s->d.state),
        err);
}

static int dossier_step_in_transaction(app *a, void *ctx, ct_error *err)
{
    step *s = ctx;

    if (step_read(a, s, false, err) != 0)
        return -1;
    return dossier_step(a, s->actor, &s->d, s->action, s->args, &s->list, err);
}

/* Every applicant the action concerns moves in the one transaction: all or none. */
static int applicants_step_in_transaction(app *a, void *ctx, ct_error *err)
{
    step *s = ctx;
    applicant_list notified = {0};
    int rc = -1;

    if (step_read(a, s, true, err) != 0)
        return -1;
    for (size_t i = 0; i < s->aps.n; i++) {
        applicant_record ap = s->aps.items[i];
        const proc_transition *t;
        int which = applicant_transition(s, &ap, &t, err);

        if (which < 0)
            goto out;
        if (which > 0)
            continue;
        if (applicant_step(a, s->actor, &s->d, &ap, t, s->args, &s->aps, &s->cert_changed, err)) {
            prefix_applicant(ap.n, err);
            goto out;
        }
        if (t->action == ACT_NOTIFY_PICKUP && vec_push(&notified, ap) != 0) {
            ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
            goto out;
        }
        s->done++;
    }
    if (s->done == 0) {
        nothing_done(s, err);
        goto out;
    }
    /* one pickup notice for the step, naming everyone it called */
    if (mail_pickup(a, s->actor, &s->d, notified.items, notified.n, err) != 0)
        goto out;
    rc = dossier_complete_if_done(a, s, err);
out:
    free(notified.items);
    return rc;
}

/* ---- issue: keys on a token from stock, the certificate signed on hold, all recorded ---- */

typedef struct issue_claim {
    step *s;
    int64_t n;
    char holder[CLAIM_HOLDER_MAX];
    char object[128];
    applicant_record ap;
} issue_claim;

/* The first transaction of an issue: the dossier accepted, the applicant pending and claimed
 * by this step, so that no other issue (or a withdrawal) acts on it while its token is made. */
static int issue_claim_in_transaction(app *a, void *ctx, ct_error *err)
{
    issue_claim *c = ctx;
    const proc_transition *t;
    int which;

    if (visible_dossier(a, c->s->actor, c->s->code, &c->s->d, err) != 0 ||
        dossier_must_be_accepted(&c->s->d, err) != 0 ||
        store_applicant_get(a->db, c->s->code, c->n, &c->ap, err) != 0)
        return -1;
    which = applicant_transition(c->s, &c->ap, &t, err);
    if (which != 0) {
        applicant_state st;
        bool known = applicant_state_parse(c->ap.state, &st) == 0;
        char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX];
        if (which < 0)
            return -1;
        snprintf(vi, sizeof vi, "người đề nghị đang ở trạng thái \"%s\", không cấp được nữa",
                 known ? applicant_state_label(st, false) : c->ap.state);
        snprintf(en, sizeof en, "the applicant is \"%s\" and can no longer be issued",
                 known ? applicant_state_label(st, true) : c->ap.state);
        return ct_fail_text(err, 409, "procedure.wrong_state", vi, en);
    }
    return claim_take(a, c->object, c->holder, err);
}

/* The last transaction of an issue, opened by app_token_issue_applicant: the state that allowed
 * the issue is read again (a withdrawal or cancellation may have come meanwhile), the claim
 * must still be this step's, and the applicant takes the certificate. */
static int issue_record(app *a, issue_claim *c, const app_issued_token *result, ct_error *err)
{
    step *s = c->s;
    applicant_record ap;
    char from[24];
    int64_t now = app_now();

    if (visible_dossier(a, s->actor, s->code, &s->d, err) != 0 ||
        dossier_must_be_accepted(&s->d, err) != 0 ||
        store_applicant_get(a->db, s->code, c->n, &ap, err) != 0)
        return -1;
    if (!claim_held(a, c->object, c->holder) ||
        strcmp(ap.state, applicant_state_name(APPLICANT_PENDING)) != 0)
        return ct_fail(err, 409, "procedure.wrong_state",
                       "người đề nghị vừa được xử lý ở một bước khác",
                       "the applicant has just been handled by another step");
    snprintf(from, sizeof from, "%s", ap.state);
    snprintf(ap.cert_serial, sizeof ap.cert_serial, "%s", result->cert.serial);
    snprintf(ap.token_serial, sizeof ap.token_serial, "%s", result->token_serial);
    snprintf(ap.state, sizeof ap.state, "%s", applicant_state_name(APPLICANT_ISSUED));
    ap.updated_at = now;
    s->d.updated_at = now;
    if (store_applicant_update(a->db, &ap, err) != 0 ||
        store_dossier_update(a->db, &s->d, err) != 0 ||
        applicant_audit(a, s->actor, &s->d, &ap, ACT_ISSUE, from, err) != 0 ||
        claim_release(a, c->object, c->holder, err) != 0)
        return -1;
    return 0;
}

static int applicant_issue(app *a, step *s, int64_t n, ct_error *err)
{
    issue_claim c = {.s = s, .n = n};
    app_issued_token result;

    claim_holder(c.holder);
    applicant_object(s->code, n, c.object);
    if (with_transaction(a, issue_claim_in_transaction, &c, err) != 0)
        return -1;
    if (app_token_issue_applicant(a, s->actor, &s->d, &c.ap, &result, err) != 0) {
        claim_release_now(a, c.object, c.holder);
        return -1;
    }
    /* app_token_issue_applicant left its transaction open: the applicant joins it. */
    if (issue_record(a, &c, &result, err) != 0 || store_commit(a->db, err) != 0) {
        store_rollback(a->db);
        app_token_issue_undo(a, &result);
        app_issued_token_free(&result);
        claim_release_now(a, c.object, c.holder);
        return -1;
    }
    app_issued_token_free(&result);
    app_status_changed(a);
    return 0;
}

/* Which applicants an issue concerns, as the dossier stands now (each is checked again, inside
 * its own claim, before anything is done for it). */
static int issue_candidates_in_transaction(app *a, void *ctx, ct_error *err)
{
    step *s = ctx;
    size_t keep = 0;

    if (step_read(a, s, true, err) != 0)
        return -1;
    for (size_t i = 0; i < s->aps.n; i++) {
        const proc_transition *t;
        int which = applicant_transition(s, &s->aps.items[i], &t, err);
        if (which < 0)
            return -1;
        if (which == 0)
            s->aps.items[keep++] = s->aps.items[i];
    }
    s->aps.n = keep;
    return 0;
}

/* Issue, applicant by applicant: each is its own unit (a token made, a certificate signed,
 * all recorded or nothing), so a failure part way leaves the applicants before it issued. */
static int dossier_issue(app *a, step *s, ct_error *err)
{
    if (with_transaction(a, issue_candidates_in_transaction, s, err) != 0)
        return -1;
    for (size_t i = 0; i < s->aps.n; i++) {
        ct_error one = {0};
        if (applicant_issue(a, s, s->aps.items[i].n, &one) == 0) {
            s->done++;
            continue;
        }
        /* For every applicant, one another step took meanwhile is not this step's concern. */
        if (!(s->args && s->args->applicant) && one.status == 409 &&
            (strcmp(one.code, "claim.busy") == 0 || strcmp(one.code, "procedure.wrong_state") == 0))
            continue;
        *err = one;
        prefix_applicant(s->aps.items[i].n, err);
        return -1;
    }
    return s->done ? 0 : nothing_done(s, err);
}

/* ---- four eyes on accept, issue, publish and suspend ([approvals] in chungthu.ini) ---- */

static const char *gated_action(proc_action action)
{
    return action == ACT_ACCEPT    ? APPROVAL_ACCEPT
           : action == ACT_ISSUE   ? APPROVAL_ISSUE
           : action == ACT_PUBLISH ? APPROVAL_PUBLISH
           : action == ACT_SUSPEND ? APPROVAL_SUSPEND
                                   : NULL;
}

/* What the step would refuse now, read in the request's transaction, without doing it: a
 * request that could never be carried out is refused at once instead of waiting in vain. */
static int step_possible_in_transaction(app *a, void *ctx, ct_error *err)
{
    step *s = ctx;
    const proc_transition *t;
    size_t possible = 0;

    if (s->action == ACT_ACCEPT) {
        dossier_state from;
        if (step_read(a, s, false, err) != 0)
            return -1;
        if (dossier_state_parse(s->d.state, &from) != 0)
            return ct_fail(err, 500, "dossier.state", "trạng thái hồ sơ hỏng",
                           "corrupt dossier state");
        return procedure_step(app_dossier_kind(&s->d), PROC_DOSSIER, (int)from, s->action,
                              s->actor->role, &t, err);
    }
    if (step_read(a, s, true, err) != 0)
        return -1;
    for (size_t i = 0; i < s->aps.n; i++) {
        applicant_record ap = s->aps.items[i];
        int which = applicant_transition(s, &ap, &t, err);
        if (which < 0)
            return -1;
        if (which > 0)
            continue;
        if (applicant_guard(a, &ap, t, s->args, app_now(), err) != 0) {
            if (s->args && s->args->applicant) {
                prefix_applicant(ap.n, err);
                return -1;
            }
            continue;
        }
        possible++;
    }
    return possible ? 0 : nothing_done(s, err);
}

/* A step [approvals] says needs two people: recorded as a request (1), or 0 to do it now. */
static int dossier_step_gate(app *a, step *s, approval_record *pending, ct_error *err)
{
    const char *name = gated_action(s->action);
    json_t *parameters;
    int rc;

    if (name == NULL)
        return 0;
    parameters =
        json_pack("{s:s, s:s, s:I}", "code", s->code, "action", proc_action_name(s->action),
                  "applicant", (json_int_t)(s->args ? s->args->applicant : 0));
    /* one request per step and dossier: the object is the dossier, so that it is in its
     * timeline */
    rc = approval_gate(a, s->actor, name, s->code, parameters, step_possible_in_transaction, s,
                       pending, err);
    s->aps.n = 0;
    return rc;
}

/* The step a request holds, read back. */
static int step_from_parameters(json_t *parameters, const app_actor *actor, step *s,
                                app_step_args *args, ct_error *err)
{
    const char *action = json_string_value(json_object_get(parameters, "action"));

    memset(s, 0, sizeof *s);
    memset(args, 0, sizeof *args);
    s->actor = actor;
    s->code = json_string_value(json_object_get(parameters, "code"));
    args->applicant = (int64_t)json_integer_value(json_object_get(parameters, "applicant"));
    s->args = args;
    if (s->code == NULL || action == NULL || proc_action_parse(action, &s->action, NULL) != 0 ||
        gated_action(s->action) == NULL)
        return ct_fail(err, 500, "approval.parameters", "yêu cầu phê duyệt bị hỏng",
                       "the request for approval is damaged");
    return 0;
}

int dossier_step_in_approval(app *a, const app_actor *actor, json_t *parameters, bool *cert_changed,
                             ct_error *err)
{
    step s;
    app_step_args args;
    int rc;

    if (step_from_parameters(parameters, actor, &s, &args, err) != 0)
        return -1;
    if (role_require(actor->role, procedure_roles(s.action), proc_action_name(s.action), err))
        return -1;
    rc = s.action == ACT_ACCEPT ? dossier_step_in_transaction(a, &s, err)
                                : applicants_step_in_transaction(a, &s, err);
    free(s.aps.items);
    *cert_changed = rc == 0 && s.cert_changed;
    return rc;
}

int dossier_issue_after_approval(app *a, const app_actor *actor, json_t *parameters, ct_error *err)
{
    step s;
    app_step_args args;
    int rc;

    if (step_from_parameters(parameters, actor, &s, &args, err) != 0)
        return -1;
    if (s.action != ACT_ISSUE)
        return ct_fail(err, 500, "approval.parameters", "yêu cầu phê duyệt bị hỏng",
                       "the request for approval is damaged");
    if (role_require(actor->role, procedure_roles(s.action), proc_action_name(s.action), err))
        return -1;
    rc = dossier_issue(a, &s, err);
    free(s.aps.items);
    return rc;
}

static int dossier_step_run(app *a, const app_actor *actor, const char *code, proc_action action,
                            const app_step_args *args, approval_record *pending, ct_error *err)
{
    step s = {.actor = actor, .code = code, .action = action, .args = args};
    int rc;
    bool dossier_action = action == ACT_ACCEPT || action == ACT_REJECT ||
                          action == ACT_SUPPLEMENT || action == ACT_RESUBMIT ||
                          action == ACT_WITHDRAW;

    /* the role first: a role that may never take this action learns nothing about the dossier */
    if (role_require(actor->role, procedure_roles(action), proc_action_name(action), err) != 0)
        return -1;
    /* a refusal is about one person, named: refusing the whole list is rejecting the dossier */
    if (action == ACT_REFUSE && (args == NULL || args->applicant <= 0))
        return ct_fail(err, 400, "procedure.applicant_missing",
                       "từ chối từng người: cần số thứ tự người đề nghị (--applicant N); từ chối "
                       "cả hồ sơ là \"reject\"",
                       "refuse names one applicant (--applicant N); to refuse the whole dossier, "
                       "reject it");
    if (args && args->list) {
        char today[11];
        if (action != ACT_RESUBMIT)
            return ct_fail(err, 400, "dossier.list_unexpected",
                           "chỉ khi nộp lại hồ sơ mới gửi kèm danh sách mới",
                           "a new list comes only with a resubmission");
        /* checked as at intake, all its problems at once, before anything is read or written */
        local_day(app_now(), today);
        if (app_parse_list(args->list_format, args->list, args->list_len, today, &s.list.items,
                           &s.list.count, args->list_errors, err) != 0)
            return -1;
        app_fingerprint(args->list, args->list_len, s.list.sha256);
    }
    /* four eyes: the step waits as a request for a second officer */
    rc = dossier_step_gate(a, &s, pending, err);
    if (rc != 0) {
        free(s.aps.items);
        free(s.list.items);
        return rc;
    }
    if (dossier_action)
        rc = with_transaction(a, dossier_step_in_transaction, &s, err);
    else if (action == ACT_ISSUE)
        rc = dossier_issue(a, &s, err);
    else
        rc = with_transaction(a, applicants_step_in_transaction, &s, err);
    free(s.aps.items);
    free(s.list.items);
    if (rc == 0 && s.cert_changed)
        app_status_changed(a);
    return rc;
}

int app_dossier_step_or_request(app *a, const app_actor *actor, const char *code,
                                proc_action action, const app_step_args *args,
                                approval_record *pending, ct_error *err)
{
    return dossier_step_run(a, actor, code, action, args, pending, err);
}

int app_dossier_step(app *a, const app_actor *actor, const char *code, proc_action action,
                     const app_step_args *args, ct_error *err)
{
    return dossier_step_run(a, actor, code, action, args, NULL, err);
}

/* ---- scheduled publication ---- */

int app_run_due(app *a, const app_actor *actor, int *published, ct_error *err)
{
    applicant_list due = {0};
    int rc = 0;

    *published = 0;
    if (role_require(actor->role, ROLE_SYSTEM | ROLE_CA_OFFICER, "run-due", err) != 0)
        return -1;
    /* With [approvals] publish = 2 a publication is two officers' decision, one asking and one
     * approving: a timer is nobody, so it publishes nothing (the applicants stay due, late by
     * step 4's clock, for the officers to publish). */
    if (app_cfg(a)->approvals_publish >= 2)
        return 0;
    if (store_applicant_due_publication(a->db, app_now(), collect_applicant, &due, err) != 0) {
        free(due.items);
        return -1;
    }
    for (size_t i = 0; i < due.n; i++) {
        app_step_args args = {0};
        args.applicant = due.items[i].n;
        if (app_dossier_step(a, actor, due.items[i].dossier, ACT_PUBLISH, &args, err) != 0) {
            rc = -1;
            break;
        }
        (*published)++;
    }
    free(due.items);
    return rc;
}

typedef struct {
    const char *id_number;
    applicant_record *out;
    bool found;
} lookup_ctx;

static int match_id(void *user, const applicant_record *ap)
{
    lookup_ctx *l = user;

    if (strcmp(ap->id_number, l->id_number) != 0)
        return 0;
    *l->out = *ap;
    l->found = true;
    return 1;
}

int app_applicant_lookup(app *a, const char *code, const char *id_number, const char *source,
                         dossier_record *dossier, applicant_record *out, ct_error *err)
{
    lookup_ctx l = {id_number, out, false};
    dossier_record d;

    if (limit_lookup_take(a, source, code, err) != 0)
        return -1;
    /* one answer for every miss, so the lookup tells nothing about dossiers or ID numbers */
    if (code == NULL || id_number == NULL || strlen(code) >= sizeof d.code ||
        strlen(id_number) >= sizeof out->id_number ||
        store_dossier_get(a->db, code, &d, NULL) != 0 ||
        store_applicant_list(a->db, code, match_id, &l, err) != 0 || !l.found)
        return ct_fail(err, 404, "dossier.not_found", "không có hồ sơ với mã và số giấy tờ này",
                       "no dossier matches this code and ID number");
    limit_lookup_found(a, source, code);
    if (dossier)
        *dossier = d;
    return 0;
}
