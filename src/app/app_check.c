/*
 * app_check.c — the CA officer's check at step 2: what the software can see about each
 * applicant of a dossier, as flags beside the applicant's row. A flag is information for the
 * officer (who may refuse the applicant, with a reason); it never blocks a step by itself.
 *
 * Flags that read only the row and its dossier (the same ID number twice in the list, an
 * e-mail outside the agency's official domains, a CCCD number that contradicts the date of
 * birth, the age) are shown to whoever may see the dossier. Flags that read other people's
 * records (the ID number already holds a certificate, a previous serial that is unknown or
 * someone else's) are shown to the CA and the auditor only: an agency does not learn from its
 * own list what another agency's applicants hold.
 *
 * The applicants are read first and each check's records after, so that no read is nested
 * inside another (a reader connection is held for the length of a walk).
 */
#include "app/app_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/applicant_rules.h"
#include "core/calendar.h"
#include "core/text.h"

#define AGE_MIN 18
#define AGE_MAX 65 /* past it the officer asks whether the holder is still in office */

typedef struct {
    applicant_record *items;
    size_t n;
    size_t cap;
} applicant_rows;

static int collect_row(void *user, const applicant_record *rec)
{
    return vec_push((applicant_rows *)user, *rec);
}

/* What one applicant's check works with. */
typedef struct {
    app *a;
    bool cross_records; /* the actor may see flags drawn from other people's records */
    const agency_record *agency;
    const applicant_rows *rows; /* the dossier's list */
    char today[11];
} check_ctx;

static void flag(json_t *flags, const char *code, const char *vi, const char *en)
{
    json_array_append_new(flags, json_pack("{s:s, s:s, s:s}", "code", code, "vi", vi, "en", en));
}

/* (b) the same ID number on another row of the same list */
static void check_twice(const check_ctx *c, const applicant_record *ap, json_t *flags)
{
    char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX];

    for (size_t i = 0; i < c->rows->n; i++) {
        const applicant_record *o = &c->rows->items[i];
        if (o->n == ap->n || strcmp(o->id_number, ap->id_number) != 0)
            continue;
        snprintf(vi, sizeof vi, "Số giấy tờ %s trùng với người số %lld trong cùng danh sách",
                 ap->id_number, (long long)o->n);
        snprintf(en, sizeof en, "ID number %s is also on row %lld of this list", ap->id_number,
                 (long long)o->n);
        flag(flags, "id_twice_in_list", vi, en);
        return;
    }
}

/* (c) an e-mail address outside the agency's official domains */
static void check_email(const check_ctx *c, const applicant_record *ap, json_t *flags)
{
    char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX];

    if (c->agency == NULL || email_domain_allowed(ap->email, c->agency->email_domains))
        return;
    snprintf(vi, sizeof vi, "Thư điện tử %s ngoài tên miền công vụ của cơ quan %s (%s)", ap->email,
             c->agency->code, c->agency->email_domains);
    snprintf(en, sizeof en, "E-mail %s is outside the official domains of agency %s (%s)",
             ap->email, c->agency->code, c->agency->email_domains);
    flag(flags, "email_domain", vi, en);
}

/* (d) the year of birth a CCCD number encodes, against the date of birth */
static void check_cccd(const applicant_record *ap, json_t *flags)
{
    char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX];
    int year = cccd_birth_year(ap->id_number);

    if (year < 0 || strlen(ap->birth_date) != 10 || year == atoi(ap->birth_date))
        return;
    /* the date as Vietnamese forms write it, DD/MM/YYYY */
    snprintf(vi, sizeof vi, "Số CCCD %s mang năm sinh %d, nhưng ngày sinh ghi %.2s/%.2s/%.4s",
             ap->id_number, year, ap->birth_date + 8, ap->birth_date + 5, ap->birth_date);
    snprintf(en, sizeof en, "CCCD number %s encodes the birth year %d, but the date of birth is %s",
             ap->id_number, year, ap->birth_date);
    flag(flags, "cccd_birth_year", vi, en);
}

/* (e) the age today */
static void check_age(const check_ctx *c, const applicant_record *ap, json_t *flags)
{
    char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX];
    int age = age_in_years(ap->birth_date, c->today);

    if (age < 0 || (age >= AGE_MIN && age <= AGE_MAX))
        return;
    snprintf(vi, sizeof vi, "%d tuổi (%s %d)", age, age < AGE_MIN ? "dưới" : "trên",
             age < AGE_MIN ? AGE_MIN : AGE_MAX);
    snprintf(en, sizeof en, "%d years old (%s %d)", age, age < AGE_MIN ? "under" : "over",
             age < AGE_MIN ? AGE_MIN : AGE_MAX);
    flag(flags, "age", vi, en);
}

/* (a) the ID number already holds a certificate that is active or on hold, on another row (in
 * this dossier or another). The certificate named as previous serial is the one a renewal
 * replaces, and is expected. */
static int check_holds(const check_ctx *c, const applicant_record *ap, json_t *flags, ct_error *err)
{
    applicant_rows same = {0};
    int rc = -1;

    if (store_applicant_by_id_number(c->a->db, ap->id_number, collect_row, &same, err) != 0)
        goto out;
    for (size_t i = 0; i < same.n; i++) {
        const applicant_record *o = &same.items[i];
        cert_record cert;
        ct_error miss = {0};
        bool active, hold;
        char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX];

        if ((strcmp(o->dossier, ap->dossier) == 0 && o->n == ap->n) || o->cert_serial[0] == '\0' ||
            strcmp(o->cert_serial, ap->previous_serial) == 0)
            continue;
        if (store_cert_get(c->a->db, o->cert_serial, &cert, &miss) != 0) {
            if (miss.status == 404)
                continue;
            *err = miss;
            goto out;
        }
        cert_record_free(&cert);
        active = strcmp(cert.status, CERT_STATUS_ACTIVE) == 0;
        hold = strcmp(cert.status, CERT_STATUS_HOLD) == 0;
        if (!active && !hold)
            continue;
        snprintf(vi, sizeof vi,
                 "Số giấy tờ %s đang có chứng thư số %s (%s; hồ sơ %s, người số %lld)",
                 ap->id_number, cert.serial, active ? "đang hiệu lực" : "tạm dừng, chưa công bố",
                 o->dossier, (long long)o->n);
        snprintf(en, sizeof en,
                 "ID number %s already holds certificate %s (%s; dossier %s, row %lld)",
                 ap->id_number, cert.serial, active ? "active" : "on hold, not yet published",
                 o->dossier, (long long)o->n);
        flag(flags, "id_holds_certificate", vi, en);
    }
    rc = 0;
out:
    free(same.items);
    return rc;
}

/* Whether two names are the same person's name as written: folded (case, diacritics, spaces). */
static bool same_name(const char *x, const char *y)
{
    char fx[1024], fy[1024];

    if (text_fold(x, fx, sizeof fx, NULL) != 0 || text_fold(y, fy, sizeof fy, NULL) != 0)
        return strcmp(x, y) == 0;
    return strcmp(fx, fy) == 0;
}

/* (f) the previous serial: a certificate of ours, held by this same person */
static int check_previous(const check_ctx *c, const applicant_record *ap, json_t *flags,
                          ct_error *err)
{
    cert_record cert;
    applicant_record holder;
    ct_error miss = {0};
    char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX];
    const char *s = ap->previous_serial;

    if (s[0] == '\0')
        return 0;
    if (store_cert_get(c->a->db, s, &cert, &miss) != 0) {
        if (miss.status != 404) {
            *err = miss;
            return -1;
        }
        snprintf(vi, sizeof vi, "Không có chứng thư số nào mang số sê-ri cũ %s", s);
        snprintf(en, sizeof en, "No certificate has the previous serial %s", s);
        flag(flags, "previous_serial_unknown", vi, en);
        return 0;
    }
    cert_record_free(&cert);
    if (strcmp(cert.kind, "subscriber") != 0) {
        snprintf(vi, sizeof vi,
                 "Số sê-ri cũ %s là của một chứng thư của Cục, không phải của thuê bao", s);
        snprintf(en, sizeof en, "The previous serial %s is a CA certificate, not a subscriber's",
                 s);
        flag(flags, "previous_serial_unknown", vi, en);
        return 0;
    }
    memset(&miss, 0, sizeof miss);
    if (store_applicant_by_cert(c->a->db, cert.serial, &holder, &miss) == 0) {
        if (strcmp(holder.id_number, ap->id_number) == 0)
            return 0;
        snprintf(vi, sizeof vi,
                 "Chứng thư số cũ %s là của người khác (hồ sơ %s, người số %lld, số giấy tờ khác)",
                 s, holder.dossier, (long long)holder.n);
        snprintf(en, sizeof en,
                 "The previous certificate %s is someone else's (dossier %s, row %lld, another ID "
                 "number)",
                 s, holder.dossier, (long long)holder.n);
        flag(flags, "previous_serial_other", vi, en);
        return 0;
    }
    if (miss.status != 404) {
        *err = miss;
        return -1;
    }
    /* issued outside a dossier (`cert issue`, `token provision`): its name is all there is */
    if (same_name(cert.common_name, ap->full_name))
        return 0;
    snprintf(vi, sizeof vi, "Chứng thư số cũ %s cấp cho \"%s\", không phải người này", s,
             cert.common_name);
    snprintf(en, sizeof en, "The previous certificate %s was issued to \"%s\", not to this person",
             s, cert.common_name);
    flag(flags, "previous_serial_other", vi, en);
    return 0;
}

static int check_one(const check_ctx *c, const applicant_record *ap, json_t *flags, ct_error *err)
{
    check_twice(c, ap, flags);
    check_email(c, ap, flags);
    check_cccd(ap, flags);
    check_age(c, ap, flags);
    if (!c->cross_records)
        return 0;
    if (check_holds(c, ap, flags, err) != 0 || check_previous(c, ap, flags, err) != 0)
        return -1;
    return 0;
}

int app_dossier_applicant_views(app *a, const app_actor *actor, const char *code, int64_t now,
                                applicant_view_fn visit, void *ctx, ct_error *err)
{
    dossier_record d;
    agency_record agency;
    applicant_rows rows = {0};
    check_ctx c = {.a = a, .rows = &rows};
    int rc = -1;

    if (app_dossier_get(a, actor, code, &d, err) != 0 ||
        store_applicant_list(a->db, code, collect_row, &rows, err) != 0)
        goto out;
    /* the dossier's agency exists (a foreign key); should it not, the e-mail goes unchecked */
    c.agency = store_agency_get(a->db, d.agency, &agency, NULL) == 0 ? &agency : NULL;
    c.cross_records = (actor->role & (ROLES_CA | ROLE_AUDITOR)) != 0;
    ct_date_format(ct_utc_to_local_date(now), c.today);
    for (size_t i = 0; i < rows.n; i++) {
        json_t *view = app_view_applicant(actor, &d, &rows.items[i], now);
        json_t *flags = json_object_get(view, "flags");
        if (check_one(&c, &rows.items[i], flags, err) != 0) {
            json_decref(view);
            goto out;
        }
        if (visit(ctx, &rows.items[i], view) != 0)
            break;
    }
    rc = 0;
out:
    free(rows.items);
    return rc;
}
