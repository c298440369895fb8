/*
 * app_draft.c — the online channel before the CA: an agency prepares a dossier as a draft (the
 * Mẫu 02 list and the signed request letter), its head confirms it in the system, and the clerk
 * submits it. Submission turns the draft into a received dossier in one transaction, so a
 * draft is either still a draft or exactly one dossier, never both or neither.
 *
 * Any change to the list or the letter after the head confirmed withdraws the confirmation:
 * the head confirms what is sent, not something like it.
 */
#include "app/app_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/mau02.h"
#include "core/text.h"

static const char *const DRAFT_OPEN = "open";
static const char *const DRAFT_CONFIRMED = "confirmed";
static const char *const DRAFT_SUBMITTED = "submitted";

/* A draft the actor may see: its own agency's (or a sub-unit's), or the auditor's reading.
 * Anything else is 404, as if it did not exist. */
static int visible_draft(app *a, const app_actor *actor, int64_t id, draft_record *d, ct_error *err)
{
    if (store_draft_get(a->db, id, d, err) != 0)
        return -1;
    if (!(actor->role & ROLE_AUDITOR) &&
        (!(actor->role & ROLES_AGENCY) || !agency_visible(a, actor, d->agency)))
        return ct_fail(err, 404, "draft.not_found", "không tìm thấy bản nháp %lld", "no draft %lld",
                       (long long)id);
    return 0;
}

/* A draft the actor may change: visible, and not yet submitted. */
static int changeable_draft(app *a, const app_actor *actor, int64_t id, role_set roles,
                            const char *action, draft_record *d, ct_error *err)
{
    if (role_require(actor->role, roles, action, err) != 0 || visible_draft(a, actor, id, d, err))
        return -1;
    if (strcmp(d->state, DRAFT_SUBMITTED) == 0)
        return ct_fail(err, 409, "draft.submitted",
                       "bản nháp %lld đã được nộp thành hồ sơ %s, không sửa được nữa",
                       "draft %lld was already submitted as dossier %s and cannot change",
                       (long long)id, d->dossier);
    return 0;
}

/* A draft's name in the audit trail. */
static void draft_object(int64_t id, char out[32])
{
    snprintf(out, 32, "draft:%lld", (long long)id);
}

/* A change to a draft: the draft is read, checked and written, with its document and its
 * audit row, in one transaction, so that what a change decides on (the draft's state, whether
 * the head confirmed) is what it changes. apply() makes the change on c->d and sets c->detail;
 * the document, if c->doc is set, is stored with it. */
typedef struct draft_change draft_change;
struct draft_change {
    const app_actor *actor;
    int64_t id;
    role_set roles;
    const char *what;   /* the action as the role check names it: "draft list" */
    const char *action; /* the audit row's action: "draft.list" */
    int (*apply)(app *a, draft_change *c, ct_error *err);
    draft_document which;
    const unsigned char *doc;
    size_t doc_len;
    /* what apply() works with */
    const char *format;
    size_t applicants;
    const char *letter_name;
    const char *letter_type;
    const char *expect_list_sha256; /* confirm: what the head saw (NULL: not said) */
    const char *expect_letter_sha256;
    draft_record d;
    json_t *detail;
};

static int draft_change_in_transaction(app *a, void *ctx, ct_error *err)
{
    draft_change *c = ctx;
    char object[32];
    json_t *detail;

    if (changeable_draft(a, c->actor, c->id, c->roles, c->what, &c->d, err) != 0 ||
        c->apply(a, c, err) != 0)
        return -1;
    c->d.updated_at = app_now();
    draft_object(c->d.id, object);
    detail = c->detail;
    c->detail = NULL;
    if (store_draft_update(a->db, &c->d, err) != 0 ||
        (c->doc && store_draft_put_document(a->db, c->d.id, c->which, c->doc, c->doc_len, err))) {
        json_decref(detail);
        return -1;
    }
    return audit_append(a, c->actor, c->action, object, detail, err);
}

static int draft_change_run(app *a, draft_change *c, draft_record *out, ct_error *err)
{
    int rc = with_transaction(a, draft_change_in_transaction, c, err);

    json_decref(c->detail);
    if (rc == 0 && out)
        *out = c->d;
    return rc;
}

/* Changing what the head confirmed takes the confirmation back. */
static void withdraw_confirmation(draft_record *d)
{
    snprintf(d->state, sizeof d->state, "%s", DRAFT_OPEN);
    d->confirmed_name[0] = d->confirmed_title[0] = d->confirmed_by[0] = '\0';
    d->confirmed_list_sha256[0] = d->confirmed_letter_sha256[0] = '\0';
    d->confirmed_at = 0;
}

typedef struct {
    const app_actor *actor;
    draft_record *d;
} draft_creation;

static int create_in_transaction(app *a, void *ctx, ct_error *err)
{
    draft_creation *c = ctx;
    char object[32];

    if (store_draft_insert(a->db, c->d, err) != 0)
        return -1;
    draft_object(c->d->id, object);
    return audit_append(a, c->actor, "draft.create", object,
                        json_pack("{s:s, s:s}", "agency", c->d->agency, "title", c->d->title), err);
}

int app_draft_create(app *a, const app_actor *actor, const char *agency, const char *title,
                     draft_record *out, ct_error *err)
{
    draft_record d;
    agency_record ag;
    draft_creation c;

    if (role_require(actor->role, ROLE_AGENCY_CLERK, "draft create", err) != 0)
        return -1;
    if (agency == NULL || agency[0] == '\0')
        agency = actor->agency;
    if (agency == NULL || store_agency_get(a->db, agency, &ag, err) != 0)
        return agency ? -1
                      : ct_fail(err, 400, "agency.missing", "thiếu mã cơ quan",
                                "the agency code is missing");
    if (!agency_visible(a, actor, ag.code))
        return ct_fail(err, 403, "agency.forbidden", "không được lập hồ sơ thay cơ quan khác",
                       "you may not prepare a dossier for another agency");
    memset(&d, 0, sizeof d);
    if (title && title[0] &&
        text_clean_field(title, 120, "tên bản nháp", "draft title", d.title, sizeof d.title, err) !=
            0)
        return -1;
    snprintf(d.agency, sizeof d.agency, "%s", ag.code);
    snprintf(d.state, sizeof d.state, "%s", DRAFT_OPEN);
    snprintf(d.created_by, sizeof d.created_by, "%s", actor->name ? actor->name : "");
    d.created_at = d.updated_at = app_now();
    c.actor = actor;
    c.d = &d;
    if (with_transaction(a, create_in_transaction, &c, err) != 0)
        return -1;
    if (out)
        *out = d;
    return 0;
}

int app_draft_get(app *a, const app_actor *actor, int64_t id, draft_record *out, ct_error *err)
{
    if (role_require(actor->role, ROLES_AGENCY | ROLE_AUDITOR, "draft show", err) != 0)
        return -1;
    return visible_draft(a, actor, id, out, err);
}

typedef struct {
    app *a;
    const app_actor *actor;
    draft_visit_fn visit;
    void *ctx;
} draft_list_ctx;

static int visit_visible_draft(void *user, const draft_record *d)
{
    draft_list_ctx *c = user;

    if ((c->actor->role & ROLE_AUDITOR) || agency_visible(c->a, c->actor, d->agency))
        return c->visit(c->ctx, d);
    return 0;
}

int app_draft_list(app *a, const app_actor *actor, draft_visit_fn visit, void *ctx, ct_error *err)
{
    draft_list_ctx c = {a, actor, visit, ctx};

    if (role_require(actor->role, ROLES_AGENCY | ROLE_AUDITOR, "draft list", err) != 0)
        return -1;
    return store_draft_list(a->db, NULL, NULL, visit_visible_draft, &c, err);
}

static int apply_list(app *a, draft_change *c, ct_error *err)
{
    (void)a;
    (void)err;
    snprintf(c->d.list_format, sizeof c->d.list_format, "%s", c->format);
    c->d.applicants = (int64_t)c->applicants;
    app_fingerprint(c->doc, c->doc_len, c->d.list_sha256);
    withdraw_confirmation(&c->d);
    c->detail = json_pack("{s:s, s:I, s:s}", "format", c->d.list_format, "applicants",
                          (json_int_t)c->applicants, "sha256", c->d.list_sha256);
    return 0;
}

int app_draft_set_list(app *a, const app_actor *actor, int64_t id, const char *format,
                       const unsigned char *data, size_t len, draft_record *out,
                       app_list_errors *list_errors, ct_error *err)
{
    draft_record d;
    dossier_record check;
    mau02_applicant *list = NULL;
    size_t count = 0;
    app_submission in = {0};
    draft_change c = {.actor = actor,
                      .id = id,
                      .roles = ROLE_AGENCY_CLERK,
                      .what = "draft list",
                      .action = "draft.list",
                      .apply = apply_list,
                      .which = DRAFT_LIST,
                      .doc = data,
                      .doc_len = len};

    /* who may, and which draft, before the list is read */
    if (changeable_draft(a, actor, id, ROLE_AGENCY_CLERK, "draft list", &d, err) != 0)
        return -1;
    /* The list is checked now, row by row, exactly as submission will check it; the
     * confirmation is not given yet, so a placeholder stands in for it. */
    in.agency = d.agency;
    in.channel = "online";
    in.format = format ? format : "csv";
    in.data = data;
    in.len = len;
    in.confirmed_by = "-, -";
    if (dossier_check_submission(a, actor, &in, &check, &list, &count, list_errors, err) != 0)
        return -1;
    free(list);
    c.format = in.format;
    c.applicants = count;
    return draft_change_run(a, &c, out, err);
}

/* ---- the signed request letter ---- */

typedef struct letter_kind {
    const char *type;
    const char *label;
    const char *ext[3];
} letter_kind;

static const letter_kind letter_kinds[] = {
    {"application/pdf", "PDF", {".pdf", NULL, NULL}},
    {"image/jpeg", "JPEG", {".jpg", ".jpeg", NULL}},
    {"image/png", "PNG", {".png", NULL, NULL}},
};

static bool ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    if (m > n)
        return false;
    for (size_t i = 0; i < m; i++) {
        char c = s[n - m + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != suffix[i])
            return false;
    }
    return true;
}

static bool find_bytes(const unsigned char *data, size_t len, const char *needle)
{
    size_t m = strlen(needle);

    for (size_t i = 0; i + m <= len; i++)
        if (memcmp(data + i, needle, m) == 0)
            return true;
    return false;
}

/* What the bytes are, judged from their content alone; NULL if none of ours. A truncated file
 * (a PDF without its end marker, a PNG without IEND, a JPEG without EOI) is not one. */
static const letter_kind *sniff_letter(const unsigned char *d, size_t len)
{
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    size_t tail = len < 1024 ? len : 1024;

    if (len >= 8 && memcmp(d, "%PDF-", 5) == 0 && find_bytes(d + len - tail, tail, "%%EOF"))
        return &letter_kinds[0];
    if (len >= 4 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff) {
        /* the end-of-image marker, allowing for padding some scanners append */
        for (size_t i = len - 1; i > 0 && i + 64 > len; i--)
            if (d[i - 1] == 0xff && d[i] == 0xd9)
                return &letter_kinds[1];
        return NULL;
    }
    if (len >= 24 && memcmp(d, png, 8) == 0 && memcmp(d + 12, "IHDR", 4) == 0 &&
        find_bytes(d + len - (len < 32 ? len : 32), len < 32 ? len : 32, "IEND"))
        return &letter_kinds[2];
    return NULL;
}

static int letter_check(const char *name, const char *declared_type, const unsigned char *data,
                        size_t len, const letter_kind **out, ct_error *err)
{
    const letter_kind *sniffed;
    const letter_kind *by_name = NULL;

    if (name == NULL || name[0] == '\0' || strlen(name) > 120 ||
        !text_utf8_valid(name, strlen(name)) || strpbrk(name, "/\\\"") != NULL)
        return ct_fail(err, 400, "letter.name",
                       "tên tệp văn bản đề nghị thiếu hoặc không hợp lệ (tối đa 120 byte, không "
                       "chứa / \\ \")",
                       "the request letter's file name is missing or invalid (at most 120 bytes, "
                       "no / \\ \")");
    for (const char *p = name; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return ct_fail(err, 400, "letter.name", "tên tệp chứa ký tự điều khiển",
                           "the file name holds control characters");
    if (len == 0)
        return ct_fail(err, 400, "letter.empty", "tệp văn bản đề nghị rỗng",
                       "the request letter file is empty");
    if (len > DRAFT_LETTER_MAX)
        return ct_fail(err, 413, "letter.too_large", "tệp văn bản đề nghị lớn hơn %d MB",
                       "the request letter is larger than %d MB", DRAFT_LETTER_MAX / (1024 * 1024));
    for (size_t i = 0; i < sizeof letter_kinds / sizeof letter_kinds[0]; i++)
        for (int e = 0; e < 3 && letter_kinds[i].ext[e]; e++)
            if (ends_with_ci(name, letter_kinds[i].ext[e]))
                by_name = &letter_kinds[i];
    sniffed = sniff_letter(data, len);
    if (by_name == NULL)
        return ct_fail(err, 415, "letter.type",
                       "văn bản đề nghị phải là tệp PDF, JPEG hoặc PNG (.pdf, .jpg, .png); \"%s\" "
                       "thì không",
                       "the request letter must be a PDF, JPEG or PNG file (.pdf, .jpg, .png); "
                       "\"%s\" is not",
                       name);
    if (sniffed == NULL)
        return ct_fail(err, 415, "letter.content",
                       "nội dung tệp \"%s\" không phải là %s hợp lệ (tệp hỏng, bị cắt, hoặc "
                       "loại khác)",
                       "the content of \"%s\" is not a valid %s (damaged, truncated, or "
                       "another kind of file)",
                       name, by_name->label);
    if (sniffed != by_name)
        return ct_fail(err, 415, "letter.mismatch", "tệp \"%s\" mang đuôi %s nhưng nội dung là %s",
                       "the file \"%s\" is named as %s but its content is %s", name, by_name->label,
                       sniffed->label);
    if (declared_type && declared_type[0] &&
        strncmp(declared_type, sniffed->type, strlen(sniffed->type)) != 0 &&
        strncmp(declared_type, "application/octet-stream", 24) != 0)
        return ct_fail(err, 415, "letter.mismatch",
                       "tệp \"%s\" được gửi với kiểu \"%s\" nhưng nội dung là %s",
                       "the file \"%s\" was sent as \"%s\" but its content is %s", name,
                       declared_type, sniffed->label);
    *out = sniffed;
    return 0;
}

static int apply_letter(app *a, draft_change *c, ct_error *err)
{
    (void)a;
    (void)err;
    snprintf(c->d.letter_name, sizeof c->d.letter_name, "%s", c->letter_name);
    snprintf(c->d.letter_type, sizeof c->d.letter_type, "%s", c->letter_type);
    c->d.letter_size = (int64_t)c->doc_len;
    app_fingerprint(c->doc, c->doc_len, c->d.letter_sha256);
    withdraw_confirmation(&c->d);
    c->detail =
        json_pack("{s:s, s:s, s:I, s:s}", "name", c->d.letter_name, "type", c->d.letter_type,
                  "size", (json_int_t)c->doc_len, "sha256", c->d.letter_sha256);
    return 0;
}

int app_draft_set_letter(app *a, const app_actor *actor, int64_t id, const char *name,
                         const char *declared_type, const unsigned char *data, size_t len,
                         draft_record *out, ct_error *err)
{
    draft_record d;
    const letter_kind *kind = NULL;
    draft_change c = {.actor = actor,
                      .id = id,
                      .roles = ROLE_AGENCY_CLERK,
                      .what = "draft letter",
                      .action = "draft.letter",
                      .apply = apply_letter,
                      .which = DRAFT_LETTER,
                      .doc = data,
                      .doc_len = len};

    if (changeable_draft(a, actor, id, ROLE_AGENCY_CLERK, "draft letter", &d, err) != 0 ||
        letter_check(name, declared_type, data, len, &kind, err) != 0)
        return -1;
    c.letter_name = name;
    c.letter_type = kind->type;
    return draft_change_run(a, &c, out, err);
}

int app_draft_letter(app *a, const app_actor *actor, int64_t id, unsigned char **data, size_t *len,
                     draft_record *out, ct_error *err)
{
    if (app_draft_get(a, actor, id, out, err) != 0)
        return -1;
    return store_draft_get_document(a->db, id, DRAFT_LETTER, data, len, err);
}

typedef struct {
    draft_record rec;
    bool found;
} first_draft;

static int take_first(void *user, const draft_record *d)
{
    first_draft *f = user;

    f->rec = *d;
    f->found = true;
    return 1;
}

int app_dossier_letter(app *a, const app_actor *actor, const char *code, unsigned char **data,
                       size_t *len, draft_record *out, ct_error *err)
{
    dossier_record d;
    first_draft f = {.found = false};

    if (app_dossier_get(a, actor, code, &d, err) != 0 ||
        store_draft_list(a->db, NULL, d.code, take_first, &f, err) != 0)
        return -1;
    if (!f.found)
        return ct_fail(err, 404, "draft.no_document",
                       "hồ sơ %s không nộp trực tuyến nên không có bản quét văn bản đề nghị",
                       "dossier %s did not come online and has no scanned request letter", code);
    *out = f.rec;
    return store_draft_get_document(a->db, f.rec.id, DRAFT_LETTER, data, len, err);
}

int app_draft_rows(app *a, const app_actor *actor, int64_t id, mau02_applicant **rows,
                   size_t *count, char list_sha256[65], ct_error *err)
{
    draft_record d;
    unsigned char *data = NULL;
    size_t len = 0;
    char today[11];
    int rc;

    *rows = NULL;
    *count = 0;
    list_sha256[0] = '\0';
    if (app_draft_get(a, actor, id, &d, err) != 0 ||
        store_draft_get_document(a->db, id, DRAFT_LIST, &data, &len, err) != 0)
        return -1;
    if (data == NULL)
        return ct_fail(err, 409, "draft.no_list", "bản nháp %lld chưa có danh sách người đề nghị",
                       "draft %lld has no list of applicants yet", (long long)id);
    app_fingerprint(data, len, list_sha256);
    /* the same reading as submission's (dossier_check_submission), on the same day */
    ct_date_format(ct_utc_to_local_date(app_now()), today);
    rc = app_parse_list(d.list_format[0] ? d.list_format : NULL, data, len, today, rows, count,
                        NULL, err);
    free(data);
    if (rc != 0)
        list_sha256[0] = '\0';
    return rc;
}

/* A new letter for an online dossier the CA asked to supplement: it replaces the letter of the
 * draft the dossier came from, checked as a draft's letter is. The head's confirmation on the
 * draft stays as it was given (for the first letter); the audit row keeps both fingerprints. */
typedef struct {
    const app_actor *actor;
    const char *code;
    const char *name;
    const char *type;
    const unsigned char *data;
    size_t len;
    draft_record d;
} dossier_letter_change;

static int dossier_letter_in_transaction(app *a, void *ctx, ct_error *err)
{
    dossier_letter_change *c = ctx;
    dossier_record d;
    first_draft f = {.found = false};
    char previous[65];

    if (app_dossier_get(a, c->actor, c->code, &d, err) != 0)
        return -1;
    if (strcmp(d.state, dossier_state_name(DOSSIER_NEEDS_SUPPLEMENT)) != 0)
        return ct_fail(err, 409, "dossier.not_awaiting_supplement",
                       "hồ sơ đang ở trạng thái \"%s\": chỉ thay văn bản đề nghị khi Cục yêu cầu "
                       "bổ sung",
                       "the dossier is \"%s\": its letter is replaced only while a supplement is "
                       "asked for",
                       d.state);
    if (store_draft_list(a->db, NULL, d.code, take_first, &f, err) != 0)
        return -1;
    if (!f.found)
        return ct_fail(err, 409, "dossier.not_online",
                       "hồ sơ %s không nộp trực tuyến: văn bản bổ sung nộp trên giấy",
                       "dossier %s did not come online: a new letter comes on paper", c->code);
    c->d = f.rec;
    snprintf(previous, sizeof previous, "%s", c->d.letter_sha256);
    snprintf(c->d.letter_name, sizeof c->d.letter_name, "%s", c->name);
    snprintf(c->d.letter_type, sizeof c->d.letter_type, "%s", c->type);
    c->d.letter_size = (int64_t)c->len;
    app_fingerprint(c->data, c->len, c->d.letter_sha256);
    c->d.updated_at = app_now();
    if (store_draft_update(a->db, &c->d, err) != 0 ||
        store_draft_put_document(a->db, c->d.id, DRAFT_LETTER, c->data, c->len, err) != 0)
        return -1;
    return audit_append(a, c->actor, "dossier.letter", d.code,
                        json_pack("{s:s, s:s, s:I, s:s, s:s}", "name", c->d.letter_name, "type",
                                  c->d.letter_type, "size", (json_int_t)c->len, "sha256",
                                  c->d.letter_sha256, "previous_sha256", previous),
                        err);
}

int app_dossier_set_letter(app *a, const app_actor *actor, const char *code, const char *name,
                           const char *declared_type, const unsigned char *data, size_t len,
                           draft_record *out, ct_error *err)
{
    const letter_kind *kind = NULL;
    dossier_letter_change c = {
        .actor = actor, .code = code, .name = name, .data = data, .len = len};

    if (role_require(actor->role, ROLES_AGENCY, "dossier letter", err) != 0 ||
        letter_check(name, declared_type, data, len, &kind, err) != 0)
        return -1;
    c.type = kind->type;
    if (with_transaction(a, dossier_letter_in_transaction, &c, err) != 0)
        return -1;
    if (out)
        *out = c.d;
    return 0;
}

/* The SHA-256 of a draft's stored document, "" when there is none. */
static int document_sha256(app *a, int64_t id, draft_document which, char out[65], ct_error *err)
{
    unsigned char *data = NULL;
    size_t len = 0;

    out[0] = '\0';
    if (store_draft_get_document(a->db, id, which, &data, &len, err) != 0)
        return -1;
    if (data)
        app_fingerprint(data, len, out);
    free(data);
    return 0;
}

static int apply_confirm(app *a, draft_change *c, ct_error *err)
{
    draft_record *d = &c->d;
    agency_record ag;
    user_record u;
    char list_sha[65], letter_sha[65];

    if (d->applicants == 0 || d->letter_size == 0)
        return ct_fail(err, 409, "draft.incomplete",
                       "bản nháp %lld chưa đủ: cần danh sách người đề nghị và văn bản đề nghị "
                       "đã ký trước khi thủ trưởng xác nhận",
                       "draft %lld is incomplete: the list and the signed request letter must be "
                       "there before the head confirms",
                       (long long)d->id);
    if (strcmp(d->state, DRAFT_CONFIRMED) == 0)
        return ct_fail(err, 409, "draft.confirmed", "bản nháp %lld đã được xác nhận",
                       "draft %lld is already confirmed", (long long)d->id);
    /* The confirmation is of these exact bytes; a head who says which bytes they read (the
     * portal sends the hashes it showed) confirms nothing else. */
    if (document_sha256(a, d->id, DRAFT_LIST, list_sha, err) != 0 ||
        document_sha256(a, d->id, DRAFT_LETTER, letter_sha, err) != 0)
        return -1;
    if ((c->expect_list_sha256 && c->expect_list_sha256[0] &&
         strcasecmp(c->expect_list_sha256, list_sha) != 0) ||
        (c->expect_letter_sha256 && c->expect_letter_sha256[0] &&
         strcasecmp(c->expect_letter_sha256, letter_sha) != 0))
        return ct_fail(err, 409, "draft.changed",
                       "danh sách hoặc văn bản của bản nháp %lld vừa thay đổi: hãy xem lại rồi "
                       "xác nhận",
                       "the list or the letter of draft %lld has just changed: review it and "
                       "confirm again",
                       (long long)d->id);
    if (store_agency_get(a->db, d->agency, &ag, err) != 0 ||
        store_user_get(a->db, c->actor->name, &u, err) != 0)
        return -1;
    snprintf(d->state, sizeof d->state, "%s", DRAFT_CONFIRMED);
    snprintf(d->confirmed_name, sizeof d->confirmed_name, "%s", u.display_name);
    /* The head's title is the agency's record of it (Mẫu 01 is signed by the head). */
    snprintf(d->confirmed_title, sizeof d->confirmed_title, "%s",
             ag.head_title[0] ? ag.head_title : "Thủ trưởng cơ quan");
    snprintf(d->confirmed_by, sizeof d->confirmed_by, "%s", c->actor->name);
    snprintf(d->confirmed_list_sha256, sizeof d->confirmed_list_sha256, "%s", list_sha);
    snprintf(d->confirmed_letter_sha256, sizeof d->confirmed_letter_sha256, "%s", letter_sha);
    d->confirmed_at = app_now();
    c->detail = json_pack("{s:s, s:s, s:I, s:s, s:s}", "name", d->confirmed_name, "title",
                          d->confirmed_title, "applicants", (json_int_t)d->applicants,
                          "list_sha256", list_sha, "letter_sha256", letter_sha);
    return 0;
}

int app_draft_confirm(app *a, const app_actor *actor, int64_t id, const char *list_sha256,
                      const char *letter_sha256, draft_record *out, ct_error *err)
{
    draft_change c = {.actor = actor,
                      .id = id,
                      .roles = ROLE_AGENCY_HEAD,
                      .what = "draft confirm",
                      .action = "draft.confirm",
                      .apply = apply_confirm,
                      .expect_list_sha256 = list_sha256,
                      .expect_letter_sha256 = letter_sha256};

    return draft_change_run(a, &c, out, err);
}

typedef struct {
    const app_actor *actor;
    int64_t id;
    dossier_record dossier;
} draft_submission;

/* The whole submission in one transaction: the draft read, confirmed and unchanged since the
 * head confirmed it, the dossier created, the draft marked submitted. A second submission of
 * the same draft finds it submitted. */
static int submit_in_transaction(app *a, void *ctx, ct_error *err)
{
    draft_submission *s = ctx;
    draft_record d;
    mau02_applicant *list = NULL;
    size_t count = 0;
    unsigned char *data = NULL;
    size_t len = 0;
    char confirmed_by[600], confirmed_on[11], object[32], list_sha[65], letter_sha[65];
    app_submission in = {0};
    int rc = -1;

    if (changeable_draft(a, s->actor, s->id, ROLES_AGENCY, "draft submit", &d, err) != 0)
        return -1;
    if (strcmp(d.state, DRAFT_CONFIRMED) != 0)
        return ct_fail(err, 409, "draft.unconfirmed",
                       "bản nháp %lld chưa được thủ trưởng cơ quan xác nhận",
                       "draft %lld is not confirmed by the agency head", (long long)s->id);
    if (document_sha256(a, s->id, DRAFT_LETTER, letter_sha, err) != 0 ||
        store_draft_get_document(a->db, s->id, DRAFT_LIST, &data, &len, err) != 0)
        return -1;
    list_sha[0] = '\0';
    if (data)
        app_fingerprint(data, len, list_sha);
    if (strcmp(list_sha, d.confirmed_list_sha256) != 0 ||
        strcmp(letter_sha, d.confirmed_letter_sha256) != 0 || letter_sha[0] == '\0') {
        ct_fail(err, 409, "draft.changed",
                "danh sách hoặc văn bản của bản nháp %lld khác với bản thủ trưởng đã xác nhận",
                "the list or the letter of draft %lld is not what the head confirmed",
                (long long)s->id);
        goto out;
    }
    snprintf(confirmed_by, sizeof confirmed_by, "%s, %s", d.confirmed_name, d.confirmed_title);
    ct_date_format(ct_utc_to_local_date(d.confirmed_at), confirmed_on);
    in.agency = d.agency;
    in.channel = "online";
    in.format = d.list_format;
    in.data = data;
    in.len = len;
    in.confirmed_by = confirmed_by;
    in.confirmed_on = confirmed_on;
    if (dossier_check_submission(a, s->actor, &in, &s->dossier, &list, &count, NULL, err) != 0 ||
        dossier_create(a, s->actor, &s->dossier, list, count, err) != 0)
        goto out;
    snprintf(d.state, sizeof d.state, "%s", DRAFT_SUBMITTED);
    snprintf(d.dossier, sizeof d.dossier, "%s", s->dossier.code);
    d.updated_at = app_now();
    draft_object(d.id, object);
    if (store_draft_update(a->db, &d, err) != 0 ||
        audit_append(a, s->actor, "draft.submit", object,
                     json_pack("{s:s, s:s, s:s}", "dossier", d.dossier, "list_sha256", list_sha,
                               "letter_sha256", letter_sha),
                     err) != 0)
        goto out;
    rc = 0;
out:
    free(list);
    free(data);
    return rc;
}

int app_draft_submit(app *a, const app_actor *actor, int64_t id, dossier_record *out, ct_error *err)
{
    draft_submission s = {.actor = actor, .id = id};

    if (with_transaction(a, submit_in_transaction, &s, err) != 0)
        return -1;
    if (out)
        *out = s.dossier;
    return 0;
}

typedef struct {
    const app_actor *actor;
    int64_t id;
} draft_deletion;

static int delete_in_transaction(app *a, void *ctx, ct_error *err)
{
    draft_deletion *x = ctx;
    draft_record d;
    char object[32];

    if (changeable_draft(a, x->actor, x->id, ROLE_AGENCY_CLERK, "draft delete", &d, err) != 0)
        return -1;
    draft_object(x->id, object);
    if (store_draft_delete(a->db, x->id, err) != 0)
        return -1;
    return audit_append(a, x->actor, "draft.delete", object, json_pack("{s:s}", "agency", d.agency),
                        err);
}

int app_draft_delete(app *a, const app_actor *actor, int64_t id, ct_error *err)
{
    draft_deletion x = {actor, id};

    return with_transaction(a, delete_in_transaction, &x, err);
}
