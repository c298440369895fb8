/*
 * app_lifecycle.c — the intake of dossiers about certificates already issued: suspension,
 * resumption, revocation on request, renewal, change of details, and token care: a PIN reset, a
 * lost or a broken token (DESIGN.md §8 "Dossier kinds").
 *
 * Such a dossier is received like a Mẫu 02 list (channel, agency, the head's confirmation, a
 * code, a receipt and a due time of its kind) and then moves through the same transition table,
 * in the rows of its kind (core/procedure.c). Each applicant is one certificate, named by its
 * previous_serial and carrying the details of the person it was issued to (for a change of
 * details, with the new ones). What the request may ask is checked in the transaction that
 * records it: the certificate is the agency's own and in a state that fits the kind.
 */
#include "app/app_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/mau02.h"
#include "core/text.h"
#include "core/token_custody.h"

/* The reasons an agency may give for a revocation (RFC 5280 5.3.1): the person left or moved,
 * the token lost or the key exposed, the certificate no longer needed. */
static const char *const request_reasons[] = {"affiliationChanged", "keyCompromise",
                                              "cessationOfOperation"};

typedef struct {
    const app_actor *actor;
    const app_request *in;
    dossier_kind kind;
    dossier_record *d;
    applicant_record *aps; /* one per certificate, filled in the transaction */
} request_ctx;

static int check_reason(const app_request *in, dossier_kind kind, dossier_record *d, ct_error *err)
{
    bool given = in->reason && *in->reason;

    /* token care: the circumstances in the agency's words, checked with each applicant */
    if (KIND_BIT(kind) & KINDS_TOKEN_CARE)
        return 0;
    if (kind != KIND_REVOCATION) {
        if (given)
            return ct_fail(err, 400, "request.reason_unexpected",
                           "chỉ đề nghị thu hồi mới nêu lý do thu hồi",
                           "only a revocation request gives a revocation reason");
        return 0;
    }
    for (size_t i = 0; given && i < sizeof request_reasons / sizeof request_reasons[0]; i++) {
        if (strcmp(in->reason, request_reasons[i]) == 0) {
            snprintf(d->request_reason, sizeof d->request_reason, "%s", request_reasons[i]);
            return 0;
        }
    }
    return ct_fail(err, 400, "request.reason",
                   "lý do thu hồi phải là affiliationChanged (chuyển công tác, nghỉ việc), "
                   "keyCompromise (mất thiết bị, lộ khóa) hoặc cessationOfOperation (không còn "
                   "sử dụng)",
                   "the revocation reason must be affiliationChanged (the person left or moved), "
                   "keyCompromise (the token lost or the key exposed) or cessationOfOperation "
                   "(no longer needed)");
}

/* The certificate's state fits what the kind does to it. */
static int check_cert_state(app *a, dossier_kind kind, const cert_record *cert, int64_t now,
                            ct_error *err)
{
    bool active = strcmp(cert->status, CERT_STATUS_ACTIVE) == 0 && cert->not_after > now;
    bool suspended = strcmp(cert->status, CERT_STATUS_HOLD) == 0 && cert->effective_at != 0;
    bool fits = kind == KIND_RESUMPTION ? suspended : active;

    if (!fits) {
        char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX];
        snprintf(vi, sizeof vi, "chứng thư %s đang ở trạng thái \"%s\": không thể đề nghị %s",
                 cert->serial, cert->status, dossier_kind_label(kind, false));
        snprintf(en, sizeof en, "certificate %s is \"%s\": no %s can be asked for it", cert->serial,
                 cert->status, dossier_kind_label(kind, true));
        return ct_fail_text(err, 409, "request.cert_state", vi, en);
    }
    if (kind == KIND_RENEWAL) {
        int window = app_cfg(a)->renewal_window_days;
        if (cert->not_after - now > (int64_t)window * 86400) {
            char end[11];
            ct_date_format(ct_utc_to_local_date(cert->not_after), end);
            return ct_fail(err, 409, "request.renewal_window",
                           "chứng thư %s hết hạn ngày %s: chỉ gia hạn trong %d ngày trước khi "
                           "hết hạn",
                           "certificate %s ends on %s: it is renewed only within %d days of its "
                           "end",
                           cert->serial, end, window);
        }
    }
    return 0;
}

/* Token care: the certificate's token is on record and in a custody state from which the step
 * can move it (read again, and moved, by the officer's step); a PIN is reset only for a
 * certificate still in use. The circumstances the agency gives are each applicant's reason: a
 * lost token needs them (when, where, how), as `token lost` does. */
static int check_token_care(app *a, dossier_kind kind, const cert_record *cert,
                            const app_request *in, applicant_record *ap, ct_error *err)
{
    token_record t;
    token_state to;
    ct_error why = {0};

    if (kind == KIND_PIN_RESET &&
        (strcmp(cert->status, CERT_STATUS_REVOKED) == 0 || strcmp(cert->status, "expired") == 0)) {
        char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX];
        snprintf(vi, sizeof vi, "chứng thư %s đang ở trạng thái \"%s\": không đặt lại mã PIN",
                 cert->serial, cert->status);
        snprintf(en, sizeof en, "certificate %s is \"%s\": no PIN is reset for it", cert->serial,
                 cert->status);
        return ct_fail_text(err, 409, "request.cert_state", vi, en);
    }
    if (store_token_by_cert(a->db, cert->serial, &t, &why) != 0) {
        if (why.status != 404) {
            *err = why;
            return -1;
        }
        return ct_fail(err, 409, "request.no_token",
                       "chứng thư %s không nằm trên thiết bị nào của CA",
                       "certificate %s is on none of the CA's tokens", cert->serial);
    }
    if (token_custody_step(t.state, token_care_action_of(kind), ROLE_CA_OFFICER, &to, err) != 0)
        return -1;
    snprintf(ap->token_serial, sizeof ap->token_serial, "%s", t.serial);
    if (kind == KIND_TOKEN_LOST && (in->reason == NULL || in->reason[strspn(in->reason, " ")] == 0))
        return ct_fail(err, 400, "request.reason_missing",
                       "báo mất thiết bị cần lý do (--reason): khi nào, ở đâu, hoàn cảnh mất",
                       "a lost token needs a reason (--reason): when, where and how it was lost");
    if (in->reason == NULL || in->reason[0] == '\0')
        return 0;
    /* the bound token care holds a reason to, in bytes (app_token_care.c) */
    if (strlen(in->reason) > 300)
        return ct_fail(err, 400, "text.too_long", "lý do dài quá 300 byte",
                       "the reason is longer than 300 bytes");
    return text_clean_field(in->reason, 300, "lý do", "reason", ap->reason, sizeof ap->reason, err);
}

/* A change of details: the holder's row with the new values, checked as an intake row is. */
static int apply_change(const app_request_cert *c, applicant_record *ap, ct_error *err)
{
    const char *cells[MAU02_COLUMNS] = {
        "1",
        c->full_name ? c->full_name : ap->full_name,
        ap->birth_date,
        ap->id_number,
        ap->id_issued_on,
        ap->id_issued_at,
        c->email ? c->email : ap->email,
        c->unit ? c->unit : ap->unit,
        ap->province,
        c->position ? c->position : ap->position,
        ap->category,
        ap->phone,
        "",
    };
    mau02_applicant m;
    char today[11];

    ct_date_format(ct_utc_to_local_date(app_now()), today);
    if (mau02_check_row(cells, 1, today, &m, err) != 0)
        return -1;
    if (strcmp(m.full_name, ap->full_name) == 0 && strcmp(m.email, ap->email) == 0 &&
        strcmp(m.unit, ap->unit) == 0 && strcmp(m.position, ap->position) == 0)
        return ct_fail(err, 400, "request.no_change",
                       "đề nghị thay đổi nội dung không đổi gì: nêu họ tên, đơn vị, chức vụ hoặc "
                       "thư điện tử mới",
                       "a change of details changes nothing: give a new name, unit, position or "
                       "e-mail");
    snprintf(ap->full_name, sizeof ap->full_name, "%s", m.full_name);
    snprintf(ap->email, sizeof ap->email, "%s", m.email);
    snprintf(ap->unit, sizeof ap->unit, "%s", m.unit);
    snprintf(ap->position, sizeof ap->position, "%s", m.position);
    return 0;
}

/* One certificate of the request: the agency's own, in a fitting state; its applicant row. */
static int request_applicant(app *a, request_ctx *r, size_t i, int64_t now, ct_error *err)
{
    const app_request_cert *c = &r->in->certs[i];
    applicant_record *ap = &r->aps[i];
    applicant_record holder;
    dossier_record issued_in;
    cert_record cert;
    char serial[41];
    int rc;

    if (serial_normalize(c->serial, serial, err) != 0)
        return -1;
    for (size_t j = 0; j < i; j++)
        if (strcmp(r->aps[j].previous_serial, serial) == 0)
            return ct_fail(err, 400, "request.duplicate",
                           "chứng thư %s được nêu hai lần trong đề nghị",
                           "certificate %s is named twice in the request", serial);
    if (store_cert_get(a->db, serial, &cert, NULL) != 0)
        return ct_fail(err, 404, "cert.not_found", "không có chứng thư %s", "no certificate %s",
                       serial);
    cert_record_free(&cert);
    /* a certificate the agency did not ask for is as foreign as one of another agency */
    if (strcmp(cert.kind, "subscriber") != 0 ||
        store_applicant_by_cert(a->db, serial, &holder, NULL) != 0 ||
        store_dossier_get(a->db, holder.dossier, &issued_in, err) != 0 ||
        strcmp(issued_in.agency, r->d->agency) != 0)
        return ct_fail(err, 403, "request.foreign_cert",
                       "chứng thư %s không phải của thuê bao thuộc cơ quan %s",
                       "certificate %s is not one of agency %s's subscribers", serial,
                       r->d->agency);
    if (!(KIND_BIT(r->kind) & KINDS_TOKEN_CARE) && check_cert_state(a, r->kind, &cert, now, err))
        return -1;
    /* the person's row as it was issued, and the certificate it concerns */
    memset(ap, 0, sizeof *ap);
    snprintf(ap->full_name, sizeof ap->full_name, "%s", holder.full_name);
    snprintf(ap->birth_date, sizeof ap->birth_date, "%s", holder.birth_date);
    snprintf(ap->id_number, sizeof ap->id_number, "%s", holder.id_number);
    snprintf(ap->id_issued_on, sizeof ap->id_issued_on, "%s", holder.id_issued_on);
    snprintf(ap->id_issued_at, sizeof ap->id_issued_at, "%s", holder.id_issued_at);
    snprintf(ap->email, sizeof ap->email, "%s", holder.email);
    snprintf(ap->unit, sizeof ap->unit, "%s", holder.unit);
    snprintf(ap->province, sizeof ap->province, "%s", holder.province);
    snprintf(ap->position, sizeof ap->position, "%s", holder.position);
    snprintf(ap->category, sizeof ap->category, "%s", holder.category);
    snprintf(ap->phone, sizeof ap->phone, "%s", holder.phone);
    snprintf(ap->previous_serial, sizeof ap->previous_serial, "%s", serial);
    rc = 0;
    if ((KIND_BIT(r->kind) & KINDS_TOKEN_CARE) &&
        check_token_care(a, r->kind, &cert, r->in, ap, err) != 0)
        return -1;
    if (r->kind == KIND_CHANGE)
        rc = apply_change(c, ap, err);
    else if (c->full_name || c->unit || c->position || c->email)
        rc = ct_fail(err, 400, "request.details_unexpected",
                     "chỉ đề nghị thay đổi nội dung thông tin mới nêu thông tin mới",
                     "only a change of details gives new details");
    return rc;
}

static int request_in_transaction(app *a, void *ctx, ct_error *err)
{
    request_ctx *r = ctx;
    int64_t now = app_now();
    json_t *serials = json_array();

    for (size_t i = 0; i < r->in->n_certs; i++) {
        if (request_applicant(a, r, i, now, err) != 0) {
            char vi[64], en[64];
            json_decref(serials);
            snprintf(vi, sizeof vi, "chứng thư thứ %zu: ", i + 1);
            snprintf(en, sizeof en, "certificate %zu: ", i + 1);
            ct_error_prefix(err, vi, en);
            return -1;
        }
        json_array_append_new(serials, json_string(r->aps[i].previous_serial));
    }
    if (dossier_register(a, r->actor, r->d, err) != 0) {
        json_decref(serials);
        return -1;
    }
    for (size_t i = 0; i < r->in->n_certs; i++) {
        applicant_record *ap = &r->aps[i];
        snprintf(ap->dossier, sizeof ap->dossier, "%s", r->d->code);
        ap->n = (int64_t)i + 1;
        snprintf(ap->state, sizeof ap->state, "%s", applicant_state_name(APPLICANT_PENDING));
        ap->updated_at = now;
        if (store_applicant_insert(a->db, ap, err) != 0) {
            json_decref(serials);
            return -1;
        }
    }
    if (audit_append(a, r->actor, "dossier.submit", r->d->code,
                     json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s}", "agency", r->d->agency,
                               "channel", r->d->channel, "kind", r->d->kind, "certificates",
                               serials, "reason", r->d->request_reason, "confirmed_by",
                               r->d->confirmed_name, "confirmed_title", r->d->confirmed_title,
                               "counted_from", r->d->counted_from),
                     err) != 0)
        return -1;
    return mail_dossier_received(a, r->actor, r->d, r->in->n_certs, err);
}

int app_dossier_request(app *a, const app_actor *actor, const app_request *in, dossier_record *out,
                        ct_error *err)
{
    dossier_record d;
    request_ctx r = {.actor = actor, .in = in, .d = &d};
    int rc;

    if (role_require(actor->role, ROLES_AGENCY | ROLE_CA_OFFICER, "dossier request", err) != 0)
        return -1;
    if (in->kind == NULL || dossier_kind_parse(in->kind, &r.kind) != 0 || r.kind == KIND_NEW)
        return ct_fail(err, 400, "request.kind",
                       "loại đề nghị phải là suspension (tạm dừng), resumption (khôi phục), "
                       "revocation (thu hồi), renewal (gia hạn), change (thay đổi nội dung "
                       "thông tin), pin_reset (đặt lại mã PIN), token_lost (báo mất thiết bị) "
                       "hoặc token_broken (báo hỏng thiết bị)",
                       "the kind must be suspension, resumption, revocation, renewal, change, "
                       "pin_reset, token_lost or token_broken");
    if (in->n_certs == 0 || in->n_certs > 1000)
        return ct_fail(err, 400, "request.no_certs",
                       "nêu từ 1 đến 1000 chứng thư (số hiệu) mà đề nghị liên quan",
                       "name 1 to 1000 certificates (serials) the request concerns");
    /* as for a list: online from the agency's own accounts, on paper recorded by the CA */
    if ((actor->role & ROLE_CA_OFFICER) && in->intake.channel &&
        strcmp(in->intake.channel, "online") == 0)
        return ct_fail(err, 400, "dossier.channel",
                       "đề nghị trực tuyến chỉ đến từ tài khoản của cơ quan; ở đây ghi nhận đề "
                       "nghị direct (trực tiếp) hoặc postal (bưu chính)",
                       "online requests come from the agency's own accounts; record direct or "
                       "postal ones here");
    if (dossier_check_intake(a, actor, &in->intake, &d, err) != 0 ||
        check_reason(in, r.kind, &d, err) != 0)
        return -1;
    snprintf(d.kind, sizeof d.kind, "%s", dossier_kind_name(r.kind));
    r.aps = calloc(in->n_certs, sizeof *r.aps);
    if (r.aps == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    rc = with_transaction(a, request_in_transaction, &r, err);
    free(r.aps);
    if (rc == 0 && out)
        *out = d;
    return rc;
}

/* ---- the certificates an agency may ask about ---- */

typedef struct {
    applicant_record *items;
    size_t n;
    size_t cap;
} holder_rows;

static int collect_holder(void *user, const applicant_record *rec)
{
    return vec_push((holder_rows *)user, *rec);
}

/* Where a certificate stands for the people who hold it: on hold before its publication,
 * suspended after it, active, revoked or expired. */
static const char *holder_cert_state(const cert_record *c, int64_t now)
{
    if (strcmp(c->status, CERT_STATUS_REVOKED) == 0)
        return "revoked";
    if (strcmp(c->status, CERT_STATUS_EXPIRED) == 0 || c->not_after <= now)
        return "expired";
    if (strcmp(c->status, CERT_STATUS_HOLD) == 0)
        return c->effective_at != 0 ? "suspended" : "hold";
    return "active";
}

static json_t *held_cert_view(app *a, const applicant_record *ap, const cert_record *c, int64_t now)
{
    json_t *kinds = json_array();
    json_t *j;

    /* the kinds app_dossier_request would take for it now, checked as it checks them */
    for (int k = KIND_NEW + 1; k < KIND_COUNT; k++) {
        ct_error no = {0};
        if (check_cert_state(a, (dossier_kind)k, c, now, &no) == 0)
            json_array_append_new(kinds, json_string(dossier_kind_name((dossier_kind)k)));
    }
    j = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:I, s:s}",
                  "serial", c->serial, "status", c->status, "state", holder_cert_state(c, now),
                  "not_before", app_view_time(c->not_before), "not_after",
                  app_view_time(c->not_after), "effective_at", app_view_time(c->effective_at),
                  "revoked_at", app_view_time(c->revoked_at), "full_name", ap->full_name, "unit",
                  ap->unit, "position", ap->position, "email", ap->email, "dossier", ap->dossier,
                  "applicant", (json_int_t)ap->n, "token_serial", ap->token_serial);
    json_object_set_new(j, "requests", kinds);
    return j;
}

int app_agency_certs(app *a, const app_actor *actor, const char *agency, json_t **out,
                     ct_error *err)
{
    holder_rows rows = {0};
    agency_record ag;
    json_t *kinds, *certs;
    int64_t now = app_now();
    int rc = -1;

    if (role_require(actor->role, ROLES_AGENCY | ROLES_CA | ROLE_AUDITOR, "agency certificates",
                     err) != 0)
        return -1;
    /* another agency's list is as absent as its dossiers are */
    if (store_agency_get(a->db, agency, &ag, err) != 0)
        return -1;
    if (!agency_visible(a, actor, ag.code))
        return ct_fail(err, 404, "agency.not_found", "không có cơ quan \"%s\"", "no agency \"%s\"",
                       agency);
    if (store_applicant_holders(a->db, ag.code, collect_holder, &rows, err) != 0)
        goto out;
    kinds = json_array();
    for (int k = KIND_NEW + 1; k < KIND_COUNT; k++)
        json_array_append_new(kinds, json_pack("{s:s, s:{s:s, s:s}}", "kind",
                                               dossier_kind_name((dossier_kind)k), "label", "vi",
                                               dossier_kind_label((dossier_kind)k, false), "en",
                                               dossier_kind_label((dossier_kind)k, true)));
    certs = json_array();
    *out = json_pack("{s:s, s:o, s:o}", "agency", ag.code, "kinds", kinds, "certificates", certs);
    for (size_t i = 0; i < rows.n; i++) {
        cert_record c;
        if (store_cert_get(a->db, rows.items[i].cert_serial, &c, err) != 0) {
            json_decref(*out);
            *out = NULL;
            goto out;
        }
        cert_record_free(&c);
        if (strcmp(c.kind, "subscriber") == 0)
            json_array_append_new(certs, held_cert_view(a, &rows.items[i], &c, now));
    }
    rc = 0;
out:
    free(rows.items);
    return rc;
}
