/*
 * app_agency.c — managing agencies (cơ quan quản lý trực tiếp) and agency isolation.
 *
 * Agencies form a tree: a ministry or province at the top, its departments and units below.
 * A certificate's O is the top of the chain and its OUs the levels below; an agency's users see
 * the dossiers of their own agency and of its sub-units, nothing else.
 */
#include "app/app_internal.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/applicant_rules.h"
#include "core/province.h"
#include "core/text.h"

static int check_code(const char *code, ct_error *err)
{
    size_t len = code ? strlen(code) : 0;

    if (len < 2 || len > 31 || strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") != len)
        return ct_fail(err, 400, "agency.code_invalid",
                       "mã cơ quan \"%s\" không hợp lệ: 2–31 ký tự A–Z, 0–9, '.', '-', '_'",
                       "agency code \"%s\" is invalid: 2–31 characters A–Z, 0–9, '.', '-', '_'",
                       code ? code : "");
    return 0;
}

typedef struct {
    const app_actor *actor;
    const agency_record *rec;
} agency_addition;

static int agency_add_in_transaction(app *a, void *ctx, ct_error *err)
{
    agency_addition *x = ctx;
    const agency_record *rec = x->rec;

    if (store_agency_insert(a->db, rec, err) != 0)
        return -1;
    return audit_append(a, x->actor, "agency.add", rec->code,
                        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", rec->name,
                                  "parent", rec->parent, "province", rec->province, "head_name",
                                  rec->head_name, "head_title", rec->head_title, "kind", rec->kind,
                                  "email_domains", rec->email_domains),
                        err);
}

int app_agency_add(app *a, const app_actor *actor, const app_agency_input *in, agency_record *out,
                   ct_error *err)
{
    agency_record rec, parent;
    agency_addition add;
    const char *province;

    if (role_require(actor->role, ROLE_CA_ADMIN | ROLE_CA_OFFICER, "agency add", err) != 0 ||
        check_code(in->code, err) != 0)
        return -1;
    memset(&rec, 0, sizeof rec);
    snprintf(rec.code, sizeof rec.code, "%s", in->code);
    if (text_clean_field(in->name ? in->name : "", 64, "tên cơ quan", "agency name", rec.name,
                         sizeof rec.name, err) != 0 ||
        text_clean_field(in->head_name ? in->head_name : "", 64, "họ tên thủ trưởng", "head's name",
                         rec.head_name, sizeof rec.head_name, err) != 0 ||
        text_clean_field(in->head_title ? in->head_title : "", 128, "chức vụ thủ trưởng",
                         "head's title", rec.head_title, sizeof rec.head_title, err) != 0)
        return -1;
    province = province_canonical(in->province ? in->province : "");
    if (province == NULL)
        return ct_fail(err, 400, "province.unknown",
                       "không có tỉnh/thành phố \"%s\" trong danh sách 34 đơn vị hành chính",
                       "\"%s\" is not one of the 34 provinces and cities of Viet Nam",
                       in->province ? in->province : "");
    snprintf(rec.province, sizeof rec.province, "%s", province);
    if (in->kind == NULL || (strcmp(in->kind, "party") != 0 && strcmp(in->kind, "state") != 0))
        return ct_fail(err, 400, "agency.kind",
                       "loại cơ quan phải là \"party\" (cơ quan Đảng) hoặc \"state\" (cơ quan "
                       "Nhà nước)",
                       "agency kind must be \"party\" or \"state\" (only Party and State bodies "
                       "are eligible)");
    snprintf(rec.kind, sizeof rec.kind, "%s", in->kind);
    if (email_domains_clean(in->email_domains, rec.email_domains, sizeof rec.email_domains, err))
        return -1;
    if (in->parent && *in->parent) {
        if (store_agency_get(a->db, in->parent, &parent, err) != 0)
            return ct_error_prefix(err, "cơ quan cấp trên: ", "parent agency: ");
        snprintf(rec.parent, sizeof rec.parent, "%s", parent.code);
    }
    rec.created_at = app_now();
    add.actor = actor;
    add.rec = &rec;
    if (with_transaction(a, agency_add_in_transaction, &add, err) != 0)
        return -1;
    if (out)
        *out = rec;
    return 0;
}

typedef struct domains_change {
    const app_actor *actor;
    const char *code;
    const char *domains; /* cleaned */
    agency_record rec;
} domains_change;

static int set_domains_in_transaction(app *a, void *ctx, ct_error *err)
{
    domains_change *x = ctx;
    char from[sizeof x->rec.email_domains];

    if (store_agency_get(a->db, x->code, &x->rec, err) != 0)
        return -1;
    snprintf(from, sizeof from, "%s", x->rec.email_domains);
    snprintf(x->rec.email_domains, sizeof x->rec.email_domains, "%s", x->domains);
    if (store_agency_update(a->db, &x->rec, err) != 0)
        return -1;
    return audit_append(a, x->actor, "agency.domains", x->rec.code,
                        json_pack("{s:s, s:s}", "from", from, "to", x->rec.email_domains), err);
}

int app_agency_set_domains(app *a, const app_actor *actor, const char *code, const char *domains,
                           agency_record *out, ct_error *err)
{
    char clean[EMAIL_DOMAINS_MAX];
    domains_change x = {.actor = actor, .code = code, .domains = clean};

    if (role_require(actor->role, ROLE_CA_ADMIN | ROLE_CA_OFFICER, "agency set-domains", err) != 0)
        return -1;
    if (code == NULL || *code == '\0')
        return ct_fail(err, 400, "agency.missing", "thiếu mã cơ quan",
                       "the agency code is missing");
    if (domains == NULL)
        return ct_fail(
            err, 400, "agency.email_domains",
            "thiếu danh sách tên miền thư điện tử (--email-domains; \"\" để bỏ kiểm tra)",
            "the e-mail domains are missing (--email-domains; \"\" ends the check)");
    if (email_domains_clean(domains, clean, sizeof clean, err) != 0 ||
        with_transaction(a, set_domains_in_transaction, &x, err) != 0)
        return -1;
    if (out)
        *out = x.rec;
    return 0;
}

int app_agency_get(app *a, const app_actor *actor, const char *code, agency_record *out,
                   ct_error *err)
{
    if (role_require(actor->role, ROLES_ALL, "agency show", err) != 0)
        return -1;
    return store_agency_get(a->db, code, out, err);
}

int app_agency_list(app *a, const app_actor *actor, agency_visit_fn visit, void *ctx, ct_error *err)
{
    if (role_require(actor->role, ROLES_ALL, "agency list", err) != 0)
        return -1;
    return store_agency_list(a->db, visit, ctx, err);
}

int agency_chain(app *a, const char *code, agency_record chain[], size_t max, size_t *n,
                 ct_error *err)
{
    agency_record rec;
    const char *next = code;
    size_t depth = 0;

    /* Walk up to the top; the chain comes out top first. */
    while (next && *next) {
        if (depth == max)
            return ct_fail(err, 500, "agency.too_deep", "cây cơ quan quá sâu",
                           "the agency tree is too deep (or has a loop)");
        if (store_agency_get(a->db, next, &rec, err) != 0)
            return -1;
        memmove(&chain[1], &chain[0], depth * sizeof chain[0]);
        chain[0] = rec;
        depth++;
        next = chain[0].parent;
    }
    *n = depth;
    return 0;
}

bool agency_visible(app *a, const app_actor *actor, const char *agency)
{
    agency_record chain[AGENCY_MAX_DEPTH];
    size_t n = 0;

    if (actor->role & (ROLES_CA | ROLE_AUDITOR | ROLE_SYSTEM))
        return true;
    if (!(actor->role & (ROLE_AGENCY_CLERK | ROLE_AGENCY_HEAD)) || actor->agency == NULL)
        return false;
    if (agency_chain(a, agency, chain, AGENCY_MAX_DEPTH, &n, NULL) != 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(chain[i].code, actor->agency) == 0)
            return true;
    return false;
}

/* ---- contacts: where the papers and the e-mail notices go ---- */

typedef struct contact_field {
    const char *name; /* as in the view and the audit row */
    size_t offset;    /* in agency_record */
    size_t size;
} contact_field;

#define CONTACT(f)                                                                                 \
    {                                                                                              \
#f, offsetof(agency_record, f), sizeof(((agency_record *)0)->f)                            \
    }
static const contact_field contact_fields[] = {
    CONTACT(address), CONTACT(email), CONTACT(phone), CONTACT(clerk_email), CONTACT(head_email),
};

/* A telephone number as people write one: digits with + ( ) . - and spaces, 3–20 characters,
 * at least 3 digits. */
static int clean_phone(const char *in, char *out, size_t size, ct_error *err)
{
    size_t digits = 0, len;
    bool other = false;

    while (*in == ' ')
        in++;
    len = strlen(in);
    while (len > 0 && in[len - 1] == ' ')
        len--;
    for (size_t i = 0; i < len; i++) {
        if (in[i] >= '0' && in[i] <= '9')
            digits++;
        else if (strchr("+().- ", in[i]) == NULL)
            other = true;
    }
    if (other || len < 3 || len > 20 || digits < 3 || len >= size)
        return ct_fail(
            err, 400, "agency.phone_invalid",
            "số điện thoại \"%s\" không hợp lệ: 3–20 ký tự gồm chữ số, dấu cách và + ( ) "
            ". -",
            "the phone number \"%s\" is invalid: 3–20 characters of digits, spaces and "
            "+ ( ) . -",
            in);
    memcpy(out, in, len);
    out[len] = '\0';
    return 0;
}

/* One contact as given (NULL: unchanged, "": cleared), checked, into its field of rec. */
static int clean_contact(const contact_field *f, const char *in, agency_record *rec, ct_error *err)
{
    char *field = (char *)rec + f->offset;

    if (in == NULL)
        return 0;
    if (in[strspn(in, " ")] == '\0') {
        field[0] = '\0';
        return 0;
    }
    if (strcmp(f->name, "address") == 0) {
        if (text_clean_field(in, 200, "địa chỉ", "address", field, f->size, err) != 0 ||
            text_check_plain(field, "địa chỉ", "address", err) != 0)
            return -1;
        return 0;
    }
    if (strcmp(f->name, "phone") == 0)
        return clean_phone(in, field, f->size, err);
    if (text_clean_email(in, field, f->size, err) != 0) {
        char vi[64], en[64];
        snprintf(vi, sizeof vi, "%s: ",
                 strcmp(f->name, "email") == 0         ? "thư điện tử của cơ quan"
                 : strcmp(f->name, "clerk_email") == 0 ? "thư điện tử của văn thư"
                                                       : "thư điện tử của thủ trưởng");
        snprintf(en, sizeof en, "%s: ",
                 strcmp(f->name, "email") == 0         ? "agency e-mail"
                 : strcmp(f->name, "clerk_email") == 0 ? "clerk e-mail"
                                                       : "head e-mail");
        return ct_error_prefix(err, vi, en);
    }
    return 0;
}

typedef struct contacts_change {
    const app_actor *actor;
    const char *code;
    agency_record wanted; /* the cleaned values, in the contact fields */
    const char *given[5]; /* which were given (non-NULL) */
    agency_record rec;
} contacts_change;

static int set_contacts_in_transaction(app *a, void *ctx, ct_error *err)
{
    contacts_change *x = ctx;
    json_t *from = json_object(), *to = json_object();
    agency_record before;

    if (store_agency_get(a->db, x->code, &x->rec, err) != 0) {
        json_decref(from);
        json_decref(to);
        return -1;
    }
    before = x->rec;
    for (size_t i = 0; i < sizeof contact_fields / sizeof contact_fields[0]; i++) {
        const contact_field *f = &contact_fields[i];
        const char *was = (const char *)&before + f->offset;
        const char *now = (const char *)&x->wanted + f->offset;
        if (x->given[i] == NULL || strcmp(was, now) == 0)
            continue;
        memcpy((char *)&x->rec + f->offset, now, f->size);
        json_object_set_new(from, f->name, json_string(was));
        json_object_set_new(to, f->name, json_string(now));
    }
    if (json_object_size(to) == 0) {
        json_decref(from);
        json_decref(to);
        return 0; /* nothing changes: nothing written, nothing audited */
    }
    if (store_agency_update(a->db, &x->rec, err) != 0) {
        json_decref(from);
        json_decref(to);
        return -1;
    }
    return audit_append(a, x->actor, "agency.contacts", x->rec.code,
                        json_pack("{s:o, s:o}", "from", from, "to", to), err);
}

int app_agency_set_contacts(app *a, const app_actor *actor, const char *code,
                            const app_agency_contacts *in, agency_record *out, ct_error *err)
{
    contacts_change x = {.actor = actor, .code = code};
    const char *given[] = {in->address, in->email, in->phone, in->clerk_email, in->head_email};

    if (role_require(actor->role, ROLE_CA_ADMIN | ROLE_CA_OFFICER, "agency set", err) != 0)
        return -1;
    if (code == NULL || *code == '\0')
        return ct_fail(err, 400, "agency.missing", "thiếu mã cơ quan",
                       "the agency code is missing");
    for (size_t i = 0; i < sizeof contact_fields / sizeof contact_fields[0]; i++) {
        x.given[i] = given[i];
        if (clean_contact(&contact_fields[i], given[i], &x.wanted, err) != 0)
            return -1;
    }
    if (with_transaction(a, set_contacts_in_transaction, &x, err) != 0)
        return -1;
    if (out)
        *out = x.rec;
    return 0;
}
