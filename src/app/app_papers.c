/*
 * app_papers.c — the official papers of procedure 1.010847, composed from the dossier's records
 * into src/paper's document model and rendered from it as HTML or PDF (one model, so the two
 * never disagree), then kept byte for byte: asked again, a paper is read back, not made anew.
 *
 * The papers follow the one-stop-shop forms (Circular 01/2018/TT-VPCP: receipt, supplement
 * request, refusal), Circular 185/2019/TT-BQP (Mẫu 01, Mẫu 02) and Decree 30/2020's layout.
 * Each shows the instant of the event it records (receipt, announcement, hand-over), never the
 * instant it was printed, so that the same state gives the same paper.
 */
#include "app/app_internal.h"

#include <openssl/sha.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mau02.h"
#include "paper/paper.h"

static const char *const kind_names[APP_PAPER_KIND_COUNT] = {
    "receipt", "pickup", "supplement", "refusal", "handover", "handover-subscriber",
    "mau01",   "mau02",
};

const char *app_paper_kind_name(app_paper_kind k)
{
    return (unsigned)k < APP_PAPER_KIND_COUNT ? kind_names[k] : "?";
}

int app_paper_kind_parse(const char *name, app_paper_kind *out, ct_error *err)
{
    for (int k = 0; k < APP_PAPER_KIND_COUNT; k++)
        if (name && strcmp(name, kind_names[k]) == 0) {
            *out = (app_paper_kind)k;
            return 0;
        }
    return ct_fail(err, 400, "paper.kind_invalid",
                   "không có loại giấy tờ \"%s\" (receipt, pickup, supplement, refusal, handover, "
                   "handover-subscriber, mau01, mau02)",
                   "no paper kind \"%s\" (receipt, pickup, supplement, refusal, handover, "
                   "handover-subscriber, mau01, mau02)",
                   name ? name : "");
}

void app_paper_free(app_paper *p)
{
    free(p->bytes);
    p->bytes = NULL;
    p->len = 0;
}

/* ---- what a paper is made from ---- */

typedef struct applicant_list {
    applicant_record *items;
    size_t n, cap;
} applicant_list;

static int collect(void *user, const applicant_record *ap)
{
    return vec_push((applicant_list *)user, *ap);
}

typedef struct paper_input {
    app *a;
    const app_actor *actor;
    dossier_record d;
    agency_record agency;
    char agency_parent[260]; /* the body above the agency, "" for a top-level one */
    applicant_list aps;
    const applicant_record *one; /* the applicant asked for, or NULL */
    app_paper_kind kind;
} paper_input;

/* "HH giờ MM phút, ngày DD/MM/YYYY", Vietnam time: the one way instants are written. */
static void when_text(int64_t t, char *out, size_t size)
{
    ct_date d = ct_utc_to_local_date(t);
    int m = ct_utc_to_local_minute(t);

    snprintf(out, size, "%02d giờ %02d phút, ngày %02d/%02d/%04d", m / 60, m % 60, d.day, d.month,
             d.year);
}

/* "Hà Nội, ngày 02 tháng 12 năm 2026" (Decree 30: a day under 10 and the months 1 and 2 take a
 * leading zero). */
void app_paper_place_date(const char *place, int64_t t, char *out, size_t size)
{
    ct_date d = ct_utc_to_local_date(t);

    snprintf(out, size,
             d.month <= 2 ? "%s, ngày %02d tháng %02d năm %04d" : "%s, ngày %02d tháng %d năm %04d",
             place, d.day, d.month, d.year);
}

static void date_text(const char *iso, char *out, size_t size)
{
    ct_date d;

    if (ct_date_parse(iso, &d) == 0)
        snprintf(out, size, "%02d/%02d/%04d", d.day, d.month, d.year);
    else
        snprintf(out, size, "%s", iso);
}

/* The full name of the account that took the last step `action` on the dossier (or, with
 * applicant non-zero, on that applicant); "" when none or the account is unknown. */
typedef struct last_actor {
    const char *action;
    char object[96];
    char name[128];
} last_actor;

static int find_actor(void *user, const audit_entry *e)
{
    last_actor *l = user;

    if (strcmp(e->action, l->action) == 0 && strcmp(e->object, l->object) == 0)
        snprintf(l->name, sizeof l->name, "%s", e->actor);
    return 0;
}

static void actor_full_name(paper_input *in, const char *action, int64_t applicant, char *out,
                            size_t size)
{
    last_actor l = {.action = action};
    user_record u;
    ct_error ignored = {0};

    out[0] = '\0';
    if (applicant)
        snprintf(l.object, sizeof l.object, "%s#%lld", in->d.code, (long long)applicant);
    else
        snprintf(l.object, sizeof l.object, "%s", in->d.code);
    if (store_audit_for_object(in->a->db, in->d.code, find_actor, &l, &ignored) != 0 ||
        l.name[0] == '\0')
        return;
    if (store_user_get(in->a->db, l.name, &u, &ignored) == 0 && u.display_name[0])
        snprintf(out, size, "%s", u.display_name);
}

static bool is_ca_user(paper_input *in, const char *username, char *full, size_t size)
{
    user_record u;
    ct_error ignored = {0};
    role r;

    full[0] = '\0';
    if (store_user_get(in->a->db, username, &u, &ignored) != 0)
        return false;
    snprintf(full, size, "%s", u.display_name);
    return role_parse(u.role, &r, &ignored) == 0 && (r & (ROLES_CA | ROLE_SYSTEM)) != 0;
}

static const char *category_label(const char *category)
{
    position_category cat;

    return position_category_parse(category, &cat) == 0 ? position_category_label_vi(cat)
                                                        : category;
}

static const char *channel_label(const char *channel)
{
    return strcmp(channel, "direct") == 0   ? "trực tiếp"
           : strcmp(channel, "online") == 0 ? "trực tuyến"
                                            : "qua dịch vụ bưu chính";
}

static const char *dots_if_empty(const char *s)
{
    return s && s[0] ? s : "…………………………";
}

/* The paper's number: the dossier's day and sequence, the paper's own symbol and the office's. */
static void number_text(const paper_input *in, const char *symbol, char *out, size_t size)
{
    snprintf(out, size, "Số: %s-%04lld/%s-%s", in->d.day, (long long)in->d.seq, symbol,
             app_cfg(in->a)->office_symbol);
}

/* The office's heading: the body above it and the office itself. */
static void office_heading(paper_doc *doc, const paper_input *in, const char *symbol, int64_t at)
{
    char number[160], where[160];
    paper_header h = {0};

    number_text(in, symbol, number, sizeof number);
    app_paper_place_date(app_cfg(in->a)->office_place, at, where, sizeof where);
    h.parent_body = app_cfg(in->a)->office_parent;
    h.issuing_body = app_cfg(in->a)->office_name;
    h.number = number;
    h.place_date = where;
    paper_set_header(doc, &h);
    paper_set_created(doc, at);
}

/* The legal bases the procedure cites (as the procedure's public page lists them). */
static void legal_bases(paper_doc *doc)
{
    paper_text(doc, PAPER_LEFT, false, PAPER_PLAIN,
               "- Nghị định số 130/2018/NĐ-CP ngày 27/09/2018 của Chính phủ;");
    paper_text(doc, PAPER_LEFT, false, PAPER_PLAIN,
               "- Thông tư số 185/2019/TT-BQP ngày 04/12/2019 của Bộ Quốc phòng;");
    paper_text(doc, PAPER_LEFT, false, PAPER_PLAIN,
               "- Quyết định số 1924/QĐ-BQP của Bộ Quốc phòng công bố thủ tục hành chính.");
}

/* "Nơi nhận: - Như trên;" — the agency addressed above, with its postal address when it has one
 * (the paper goes there by post: Decree 30/2020 lists the recipients at the bottom left). */
static void recipient_as_above(paper_doc *doc, const agency_record *agency)
{
    if (agency->address[0])
        paper_recipient(doc, "Như trên (%s);", agency->address);
    else
        paper_recipient(doc, "Như trên;");
}

static void addressed_to(paper_doc *doc, const char *who)
{
    paper_para(doc, PAPER_CENTER, false);
    paper_run(doc, PAPER_PLAIN, "Kính gửi: ");
    paper_run(doc, PAPER_PLAIN, "%s", who);
}

/* ---- the papers ---- */

static int receipt(paper_doc *doc, paper_input *in, ct_error *err)
{
    const dossier_record *d = &in->d;
    char when[80], due[160], receiver[260], submitter[260] = "";
    static const char *const heads[] = {"STT", "Họ và tên", "Đơn vị", "Chức vụ", "Ngạch"};
    static const double widths[] = {0.8, 3.0, 2.3, 2.0, 1.3};
    (void)err;

    office_heading(doc, in, "GTN", d->received_at);
    paper_set_title(doc, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", NULL);
    paper_text(doc, PAPER_CENTER, false, PAPER_BOLD, "Mã hồ sơ: %s", d->code);
    /* the receiver: a CA account that entered the dossier; an online dossier was received by
     * the system from the agency's own account, which is then the submitter */
    if (!is_ca_user(in, d->created_by, receiver, sizeof receiver)) {
        snprintf(submitter, sizeof submitter, "%s", receiver);
        receiver[0] = '\0';
        actor_full_name(in, "dossier.accept", 0, receiver, sizeof receiver);
    }
    paper_text(doc, PAPER_JUSTIFY, true, PAPER_PLAIN,
               "%s tiếp nhận hồ sơ của:", app_cfg(in->a)->office_name);
    paper_field(doc, "Cơ quan, tổ chức", "%s (mã %s)", in->agency.name, in->agency.code);
    paper_field(doc, "Người nộp hồ sơ", "%s", dots_if_empty(submitter));
    paper_field(doc, "Nội dung yêu cầu giải quyết",
                "Cấp mới chứng thư số cho cá nhân (thủ tục 1.010847), %zu người đề nghị; nộp %s",
                in->aps.n, channel_label(d->channel));
    paper_text(doc, PAPER_LEFT, false, PAPER_BOLD, "1. Thành phần hồ sơ nộp gồm:");
    paper_text(doc, PAPER_JUSTIFY, false, PAPER_PLAIN,
               "- Văn bản đề nghị cấp chứng thư số của cơ quan (Mẫu 02, Thông tư số "
               "185/2019/TT-BQP) có xác nhận của %s, %s: 01 bản chính, 01 bản sao;",
               d->confirmed_name, d->confirmed_title);
    paper_text(doc, PAPER_JUSTIFY, false, PAPER_PLAIN,
               "- Văn bản đề nghị cấp chứng thư số của từng cá nhân (Mẫu 01): %zu bản.", in->aps.n);
    paper_field(doc, "2. Số lượng hồ sơ", "01 bộ");
    {
        char from[16];
        date_text(d->counted_from, from, sizeof from);
        paper_field(doc, "3. Thời gian giải quyết hồ sơ theo quy định",
                    "04 ngày làm việc tính từ ngày %s (bước 2: 03 ngày; bước 4: 01 ngày kể từ khi "
                    "nhận đề nghị thời điểm có hiệu lực)",
                    from);
    }
    when_text(d->received_at, when, sizeof when);
    paper_field(doc, "4. Thời gian nhận hồ sơ", "%s", when);
    if (d->due_step2) {
        when_text(d->due_step2, due, sizeof due);
        paper_field(doc, "5. Thời gian trả kết quả (thông báo thời gian, địa điểm nhận thiết bị)",
                    "%s", due);
    } else {
        paper_field(doc, "5. Thời gian trả kết quả (thông báo thời gian, địa điểm nhận thiết bị)",
                    "sẽ hẹn khi hồ sơ đầy đủ, hợp lệ");
    }
    paper_field(doc, "6. Phí, lệ phí", "0 đồng");
    paper_text(doc, PAPER_LEFT, false, PAPER_BOLD, "7. Căn cứ pháp lý:");
    legal_bases(doc);
    paper_field(doc, "8. Nơi trả kết quả", "%s, %s", app_cfg(in->a)->office_name,
                app_cfg(in->a)->office_address);
    paper_text(doc, PAPER_LEFT, false, PAPER_BOLD, "Danh sách người đề nghị:");
    paper_table(doc, 5, heads, widths);
    for (size_t i = 0; i < in->aps.n; i++) {
        const applicant_record *ap = &in->aps.items[i];
        char n[24];
        snprintf(n, sizeof n, "%lld", (long long)ap->n);
        const char *cells[] = {n, ap->full_name, ap->unit, ap->position,
                               category_label(ap->category)};
        paper_table_row(doc, cells);
    }
    paper_signature(doc, NULL, "Người nộp hồ sơ", submitter[0] ? submitter : NULL);
    paper_signature(doc, NULL, "Người tiếp nhận hồ sơ", receiver[0] ? receiver : NULL);
    return 0;
}

static int pickup(paper_doc *doc, paper_input *in, ct_error *err)
{
    /* a serial keeps to one line of the widest column, what goes with it under it */
    static const char *const heads[] = {"STT", "Họ và tên; thiết bị",
                                        "Số sê-ri chứng thư số; thời gian, địa điểm nhận"};
    static const double widths[] = {0.8, 3.6, 6.6};
    int64_t at = 0;
    char signer[260];

    for (size_t i = 0; i < in->aps.n; i++)
        if (in->aps.items[i].notified_at > at)
            at = in->aps.items[i].notified_at;
    if (at == 0)
        return ct_fail(err, 409, "dossier.no_pickup",
                       "hồ sơ %s chưa có thiết bị nào được thông báo nhận",
                       "dossier %s has no token announced for pickup yet", in->d.code);
    office_heading(doc, in, "TB", at);
    paper_set_title(doc, "Thông báo",
                    "Về việc nhận thiết bị lưu khóa bí mật và chứng thư số cho cá nhân");
    addressed_to(doc, in->agency.name);
    paper_text(doc, PAPER_JUSTIFY, true, PAPER_PLAIN,
               "Thực hiện hồ sơ %s đề nghị cấp mới chứng thư số cho cá nhân (thủ tục 1.010847), "
               "%s đã tạo khóa, cấp chứng thư số và chuẩn bị thiết bị lưu khóa bí mật cho những "
               "người có tên dưới đây.",
               in->d.code, app_cfg(in->a)->office_name);
    paper_text(doc, PAPER_JUSTIFY, true, PAPER_PLAIN,
               "Đề nghị cơ quan cử người đến nhận thiết bị theo thời gian, địa điểm ghi trong danh "
               "sách, mang theo giấy giới thiệu. Chứng thư số chỉ có hiệu lực sau khi cơ quan đề "
               "nghị thời điểm có hiệu lực và %s công bố.",
               app_cfg(in->a)->office_name);
    paper_table(doc, 3, heads, widths);
    for (size_t i = 0; i < in->aps.n; i++) {
        const applicant_record *ap = &in->aps.items[i];
        char n[24], when[80], who[320], what[480];
        if (ap->notified_at == 0)
            continue;
        snprintf(n, sizeof n, "%lld", (long long)ap->n);
        when_text(ap->pickup_at, when, sizeof when);
        snprintf(who, sizeof who, "%s\nThiết bị: %s", ap->full_name, ap->token_serial);
        snprintf(what, sizeof what, "%s\n%s\n%s", ap->cert_serial, when, ap->pickup_place);
        const char *cells[] = {n, who, what};
        paper_table_row(doc, cells);
    }
    paper_text(doc, PAPER_LEFT, false, PAPER_PLAIN, "Liên hệ: %s, %s.", app_cfg(in->a)->office_name,
               app_cfg(in->a)->office_address);
    actor_full_name(in, "applicant.notify-pickup", in->aps.n ? in->aps.items[0].n : 0, signer,
                    sizeof signer);
    paper_signature(doc, NULL, "Người thông báo", signer[0] ? signer : NULL);
    recipient_as_above(doc, &in->agency);
    paper_recipient(doc, "Lưu: VT, hồ sơ %s.", in->d.code);
    return 0;
}

static void received_line(paper_doc *doc, paper_input *in)
{
    char when[80];

    when_text(in->d.received_at, when, sizeof when);
    paper_text(doc, PAPER_JUSTIFY, true, PAPER_PLAIN,
               "Ngày %s, %s tiếp nhận hồ sơ của %s đề nghị giải quyết thủ tục hành chính: Cấp mới "
               "chứng thư số cho cá nhân (1.010847).",
               when, app_cfg(in->a)->office_name, in->agency.name);
    paper_text(doc, PAPER_LEFT, true, PAPER_PLAIN, "Mã hồ sơ: %s.", in->d.code);
}

static int supplement(paper_doc *doc, paper_input *in, ct_error *err)
{
    char signer[260];

    if (strcmp(in->d.state, "needs_supplement") != 0)
        return ct_fail(err, 409, "paper.not_available",
                       "hồ sơ %s không chờ bổ sung: không có phiếu yêu cầu bổ sung",
                       "dossier %s awaits no supplement: there is no supplement request",
                       in->d.code);
    office_heading(doc, in, "PBS", in->d.updated_at);
    paper_set_title(doc, "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", NULL);
    addressed_to(doc, in->agency.name);
    received_line(doc, in);
    paper_text(doc, PAPER_JUSTIFY, true, PAPER_PLAIN,
               "Sau khi xem xét, %s đề nghị quý cơ quan bổ sung, hoàn thiện hồ sơ với nội dung "
               "sau:",
               app_cfg(in->a)->office_name);
    paper_text(doc, PAPER_JUSTIFY, true, PAPER_PLAIN, "%s", in->d.reason);
    paper_text(doc, PAPER_JUSTIFY, true, PAPER_PLAIN,
               "Thời hạn giải quyết tạm dừng cho đến khi nhận được hồ sơ bổ sung. Trong quá "
               "trình hoàn thiện hồ sơ nếu có vướng mắc, đề nghị liên hệ %s, %s để được hướng "
               "dẫn.",
               app_cfg(in->a)->office_name, app_cfg(in->a)->office_address);
    actor_full_name(in, "dossier.supplement", 0, signer, sizeof signer);
    paper_signature(doc, NULL, "Người hướng dẫn", signer[0] ? signer : NULL);
    recipient_as_above(doc, &in->agency);
    paper_recipient(doc, "Lưu: VT, hồ sơ %s.", in->d.code);
    return 0;
}

static int refusal(paper_doc *doc, paper_input *in, ct_error *err)
{
    static const char *const heads[] = {"STT", "Họ và tên", "Đơn vị", "Lý do"};
    static const double widths[] = {0.8, 2.6, 2.2, 4.0};
    bool rejected = strcmp(in->d.state, "rejected") == 0;
    size_t refused = 0;
    int64_t at = rejected ? in->d.updated_at : 0;
    char signer[260] = "";

    for (size_t i = 0; i < in->aps.n; i++)
        if (strcmp(in->aps.items[i].state, "refused") == 0) {
            refused++;
            if (!rejected && in->aps.items[i].updated_at > at)
                at = in->aps.items[i].updated_at;
        }
    if (!rejected && refused == 0)
        return ct_fail(err, 409, "paper.not_available",
                       "hồ sơ %s không bị từ chối và không có người đề nghị nào bị từ chối",
                       "dossier %s was not rejected and no applicant of it was refused",
                       in->d.code);
    office_heading(doc, in, "PTC", at);
    paper_set_title(doc, "Phiếu từ chối tiếp nhận, giải quyết hồ sơ", NULL);
    addressed_to(doc, in->agency.name);
    received_line(doc, in);
    if (rejected) {
        paper_text(doc, PAPER_JUSTIFY, true, PAPER_PLAIN,
                   "Qua xem xét, %s thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ "
                   "thể như sau:",
                   app_cfg(in->a)->office_name);
        paper_text(doc, PAPER_JUSTIFY, true, PAPER_PLAIN, "%s", in->d.reason);
        actor_full_name(in, "dossier.reject", 0, signer, sizeof signer);
    } else {
        paper_text(doc, PAPER_JUSTIFY, true, PAPER_PLAIN,
                   "Qua xem xét, %s thông báo không giải quyết đề nghị cấp chứng thư số của %zu "
                   "người có tên dưới đây, với lý do của từng người; đề nghị của những người còn "
                   "lại tiếp tục được giải quyết.",
                   app_cfg(in->a)->office_name, refused);
    }
    if (refused) {
        paper_table(doc, 4, heads, widths);
        for (size_t i = 0; i < in->aps.n; i++) {
            const applicant_record *ap = &in->aps.items[i];
            char n[24];
            if (strcmp(ap->state, "refused") != 0)
                continue;
            snprintf(n, sizeof n, "%lld", (long long)ap->n);
            const char *cells[] = {n, ap->full_name, ap->unit, ap->reason};
            paper_table_row(doc, cells);
            if (!rejected && signer[0] == '\0')
                actor_full_name(in, "applicant.refuse", ap->n, signer, sizeof signer);
        }
    }
    paper_text(doc, PAPER_JUSTIFY, true, PAPER_PLAIN,
               "Xin thông báo để quý cơ quan biết và thực hiện.");
    paper_signature(doc, NULL, "Người tiếp nhận, xử lý hồ sơ", signer[0] ? signer : NULL);
    recipient_as_above(doc, &in->agency);
    paper_recipient(doc, "Lưu: VT, hồ sơ %s.", in->d.code);
    return 0;
}

/* The hand-over minutes: what was handed over (tokens, certificates, to whom they belong), who
 * gave and who took. */
static void handover_table(paper_doc *doc, paper_input *in, bool to_subscriber)
{
    static const char *const heads[] = {"STT", "Người được cấp; ghi chú",
                                        "Số sê-ri thiết bị; chứng thư số"};
    static const double widths[] = {0.8, 3.6, 6.6};

    paper_table(doc, 3, heads, widths);
    for (size_t i = 0; i < in->aps.n; i++) {
        const applicant_record *ap = &in->aps.items[i];
        char n[24], serials[160], note[640];
        if (in->one ? ap != in->one
                    : (to_subscriber ? ap->handed_over_at == 0 : ap->agency_received_at == 0))
            continue;
        snprintf(n, sizeof n, "%lld", (long long)ap->n);
        snprintf(serials, sizeof serials, "Thiết bị: %s\nChứng thư số: %s", ap->token_serial,
                 ap->cert_serial);
        /* the note: the PIN envelope, and who took the token */
        const char *who = to_subscriber ? ap->handed_to : ap->received_by;
        snprintf(note, sizeof note, "%s\nKèm phong bì mã PIN%s%s", ap->full_name,
                 who[0] ? "; người nhận: " : "", who);
        const char *cells[] = {n, note, serials};
        paper_table_row(doc, cells);
    }
}

static int handover(paper_doc *doc, paper_input *in, ct_error *err)
{
    int64_t at = 0;
    size_t count = 0;
    char when[80], giver[260] = "", taker[260] = "";
    bool several = false;

    for (size_t i = 0; i < in->aps.n; i++) {
        const applicant_record *ap = &in->aps.items[i];
        if ((in->one && ap != in->one) || ap->agency_received_at == 0)
            continue;
        count++;
        if (ap->agency_received_at > at)
            at = ap->agency_received_at;
    }
    if (count == 0)
        return ct_fail(err, 409, "paper.not_available",
                       "chưa có thiết bị nào của hồ sơ %s được bàn giao cho cơ quan",
                       "no token of dossier %s has been handed to the agency yet", in->d.code);
    office_heading(doc, in, "BB", at);
    paper_set_title(doc, "Biên bản bàn giao",
                    "Thiết bị lưu khóa bí mật và chứng thư số cho cá nhân");
    paper_text(doc, PAPER_CENTER, false, PAPER_ITALIC, "Hồ sơ %s", in->d.code);
    when_text(at, when, sizeof when);
    paper_text(doc, PAPER_JUSTIFY, true, PAPER_PLAIN,
               "Hôm nay, %s, tại %s, %s, chúng tôi gồm:", when, app_cfg(in->a)->office_name,
               app_cfg(in->a)->office_address);
    /* who delivered: the CA officer who recorded the agency's receipt of the first token */
    for (size_t i = 0; i < in->aps.n && giver[0] == '\0'; i++)
        if ((in->one == NULL || &in->aps.items[i] == in->one) &&
            in->aps.items[i].agency_received_at)
            actor_full_name(in, "applicant.agency-received", in->aps.items[i].n, giver,
                            sizeof giver);
    paper_text(doc, PAPER_LEFT, false, PAPER_BOLD, "Bên giao: %s", app_cfg(in->a)->office_name);
    paper_text(doc, PAPER_LEFT, true, PAPER_PLAIN, "Ông/Bà: %s", dots_if_empty(giver));
    /* who collected: the one person recorded for the tokens listed (several: each is named in
     * the table's last column, and the side signs as a whole) */
    for (size_t i = 0; i < in->aps.n; i++) {
        const applicant_record *ap = &in->aps.items[i];
        if ((in->one && ap != in->one) || ap->agency_received_at == 0 || !ap->received_by[0])
            continue;
        if (taker[0] == '\0')
            snprintf(taker, sizeof taker, "%s", ap->received_by);
        else if (strcmp(taker, ap->received_by) != 0)
            several = true;
    }
    if (several)
        taker[0] = '\0';
    paper_text(doc, PAPER_LEFT, false, PAPER_BOLD, "Bên nhận: %s", in->agency.name);
    paper_text(doc, PAPER_LEFT, true, PAPER_PLAIN, "Ông/Bà: %s",
               several ? "những người có tên ở cột ghi chú" : dots_if_empty(taker));
    paper_text(doc, PAPER_JUSTIFY, true, PAPER_PLAIN,
               "Bên giao đã bàn giao cho Bên nhận %zu thiết bị lưu khóa bí mật đã nạp khóa và "
               "chứng thư số (đang tạm dừng, chưa có hiệu lực), mỗi thiết bị kèm phong bì niêm "
               "phong mã PIN, cụ thể như sau:",
               count);
    handover_table(doc, in, false);
    paper_text(doc, PAPER_JUSTIFY, true, PAPER_PLAIN,
               "Bên nhận có trách nhiệm bàn giao thiết bị cho đúng người được cấp và đề nghị "
               "thời điểm có hiệu lực của chứng thư số. Biên bản được lập thành 02 bản, mỗi bên "
               "giữ 01 bản có giá trị như nhau.");
    paper_signature(doc, "Đại diện bên giao", NULL, giver[0] ? giver : NULL);
    paper_signature(doc, "Đại diện bên nhận", NULL, taker[0] ? taker : NULL);
    return 0;
}

static void agency_heading(paper_doc *doc, const paper_input *in, const char *number, int64_t at)
{
    char where[160];
    paper_header h = {0};

    app_paper_place_date(in->agency.province[0] ? in->agency.province
                                                : app_cfg(in->a)->office_place,
                         at, where, sizeof where);
    h.parent_body = in->agency_parent;
    h.issuing_body = in->agency.name;
    h.number = number;
    h.place_date = where;
    paper_set_header(doc, &h);
    paper_set_created(doc, at);
}

static int handover_subscriber(paper_doc *doc, paper_input *in, ct_error *err)
{
    const applicant_record *ap = in->one;
    char when[80];

    if (ap->handed_over_at == 0)
        return ct_fail(err, 409, "paper.not_available",
                       "thiết bị của người đề nghị %lld chưa được bàn giao cho người được cấp",
                       "applicant %lld's token has not been handed to them yet", (long long)ap->n);
    agency_heading(doc, in, "Số: ……/BB", ap->handed_over_at);
    paper_set_title(doc, "Biên bản bàn giao",
                    "Thiết bị lưu khóa bí mật và chứng thư số cho người được cấp");
    paper_text(doc, PAPER_CENTER, false, PAPER_ITALIC, "Hồ sơ %s", in->d.code);
    when_text(ap->handed_over_at, when, sizeof when);
    paper_text(doc, PAPER_JUSTIFY, true, PAPER_PLAIN, "Hôm nay, %s, tại %s, chúng tôi gồm:", when,
               in->agency.name);
    paper_text(doc, PAPER_LEFT, false, PAPER_BOLD, "Bên giao: %s", in->agency.name);
    paper_text(doc, PAPER_LEFT, true, PAPER_PLAIN, "Ông/Bà: %s", dots_if_empty(ap->received_by));
    paper_text(doc, PAPER_LEFT, false, PAPER_BOLD, "Bên nhận:");
    if (ap->handed_to[0] == '\0' || strcmp(ap->handed_to, ap->full_name) == 0)
        paper_text(doc, PAPER_LEFT, true, PAPER_PLAIN,
                   "Ông/Bà: %s (người được cấp chứng thư số); chức vụ: %s; đơn vị: %s",
                   ap->full_name, ap->position, ap->unit);
    else
        paper_text(doc, PAPER_LEFT, true, PAPER_PLAIN,
                   "Ông/Bà: %s, nhận thay người được cấp chứng thư số %s (%s, %s)", ap->handed_to,
                   ap->full_name, ap->position, ap->unit);
    paper_text(doc, PAPER_JUSTIFY, true, PAPER_PLAIN,
               "Bên giao đã bàn giao cho Bên nhận thiết bị lưu khóa bí mật và chứng thư số do %s "
               "cấp (hồ sơ %s), kèm phong bì niêm phong mã PIN còn nguyên vẹn:",
               app_cfg(in->a)->office_name, in->d.code);
    handover_table(doc, in, true);
    paper_text(doc, PAPER_JUSTIFY, true, PAPER_PLAIN,
               "Bên nhận có trách nhiệm đổi mã PIN khi sử dụng lần đầu, bảo quản thiết bị và giữ "
               "bí mật mã PIN. Biên bản được lập thành 02 bản, mỗi bên giữ 01 bản.");
    paper_signature(doc, "Bên giao", NULL, ap->received_by[0] ? ap->received_by : NULL);
    paper_signature(doc, "Bên nhận", NULL, ap->handed_to[0] ? ap->handed_to : ap->full_name);
    return 0;
}

static const char *id_kind_label(const char *id_number)
{
    size_t n = strlen(id_number);

    return n == 12 ? "Căn cước công dân" : n == 9 ? "Chứng minh nhân dân" : "Hộ chiếu";
}

static int mau01(paper_doc *doc, paper_input *in, ct_error *err)
{
    const applicant_record *ap = in->one;
    char birth[16], issued[16];
    paper_header h = {0};
    (void)err;

    h.place_date = "…………, ngày …… tháng …… năm 20……";
    h.form_label = "Mẫu 01";
    paper_set_header(doc, &h);
    paper_set_created(doc, in->d.received_at);
    paper_set_title(doc, "Văn bản đề nghị cấp chứng thư số cá nhân", NULL);
    addressed_to(doc, app_cfg(in->a)->office_name);
    date_text(ap->birth_date, birth, sizeof birth);
    date_text(ap->id_issued_on, issued, sizeof issued);
    paper_field(doc, "Họ và tên", "%s", ap->full_name);
    paper_field(doc, "Ngày sinh", "%s", birth);
    paper_field(doc, id_kind_label(ap->id_number), "%s; ngày cấp: %s; nơi cấp: %s", ap->id_number,
                issued, ap->id_issued_at);
    paper_field(doc, "Chức vụ", "%s (%s)", ap->position, category_label(ap->category));
    paper_field(doc, "Cơ quan, đơn vị công tác", "%s, %s", ap->unit, in->agency.name);
    paper_field(doc, "Tỉnh, thành phố", "%s", ap->province);
    paper_field(doc, "Thư điện tử công vụ", "%s", ap->email);
    paper_field(doc, "Số điện thoại di động", "%s", ap->phone);
    if (ap->previous_serial[0])
        paper_field(doc, "Số sê-ri chứng thư số đã được cấp", "%s", ap->previous_serial);
    paper_text(doc, PAPER_JUSTIFY, true, PAPER_PLAIN,
               "Đề nghị %s cấp mới chứng thư số cho cá nhân tôi để phục vụ công tác theo chức "
               "trách, nhiệm vụ được giao (hồ sơ %s).",
               app_cfg(in->a)->office_name, in->d.code);
    paper_text(doc, PAPER_JUSTIFY, true, PAPER_PLAIN,
               "Tôi cam đoan các thông tin trên là đúng sự thật và cam kết quản lý, sử dụng thiết "
               "bị lưu khóa bí mật, chứng thư số theo đúng quy định.");
    paper_signature(doc, "Xác nhận của cơ quan, đơn vị", "Thủ trưởng cơ quan, đơn vị",
                    in->d.confirmed_name);
    paper_signature(doc, NULL, "Người đề nghị", ap->full_name);
    return 0;
}

static int mau02(paper_doc *doc, paper_input *in, ct_error *err)
{
    /* Mẫu 02's columns, two to a cell, so that the table keeps to the page's width */
    static const char *const heads[] = {"STT", "Họ và tên; ngày sinh", "Số định danh",
                                        "Đơn vị; chức vụ", "Thư điện tử; điện thoại"};
    static const double widths[] = {0.8, 3.0, 1.8, 2.6, 3.0};
    ct_date on;
    int64_t at = in->d.received_at;
    (void)err;

    if (ct_date_parse(in->d.confirmed_on, &on) == 0)
        at = ct_local_to_utc(on, 9 * 60);
    agency_heading(doc, in, "Số: ……/……", at);
    paper_set_title(doc, "Văn bản đề nghị cấp chứng thư số",
                    "Danh sách cá nhân đề nghị cấp mới chứng thư số (Mẫu 02)");
    paper_text(doc, PAPER_CENTER, false, PAPER_ITALIC, "Đã nộp, mã hồ sơ %s", in->d.code);
    addressed_to(doc, app_cfg(in->a)->office_name);
    paper_text(doc, PAPER_JUSTIFY, true, PAPER_PLAIN,
               "Căn cứ Thông tư số 185/2019/TT-BQP ngày 04/12/2019 của Bộ Quốc phòng, %s đề "
               "nghị %s cấp mới chứng thư số cho %zu cá nhân có tên dưới đây:",
               in->agency.name, app_cfg(in->a)->office_name, in->aps.n);
    paper_table(doc, 5, heads, widths);
    for (size_t i = 0; i < in->aps.n; i++) {
        const applicant_record *ap = &in->aps.items[i];
        char n[24], birth[16], who[300], where[600], reach[300];
        snprintf(n, sizeof n, "%lld", (long long)ap->n);
        date_text(ap->birth_date, birth, sizeof birth);
        snprintf(who, sizeof who, "%s\n%s", ap->full_name, birth);
        snprintf(where, sizeof where, "%s\n%s", ap->unit, ap->position);
        snprintf(reach, sizeof reach, "%s\n%s", ap->email, ap->phone);
        const char *cells[] = {n, who, ap->id_number, where, reach};
        paper_table_row(doc, cells);
    }
    paper_text(doc, PAPER_JUSTIFY, true, PAPER_PLAIN,
               "%s cam kết các cá nhân có tên trên là %s đang công tác tại cơ quan và chịu trách "
               "nhiệm về tính chính xác của các thông tin đã kê khai.",
               in->agency.name, "cán bộ, công chức, viên chức");
    paper_signature(doc, NULL, in->d.confirmed_title, in->d.confirmed_name);
    paper_recipient(doc, "Như trên;");
    paper_recipient(doc, "Lưu: VT.");
    return 0;
}

typedef int (*compose_fn)(paper_doc *doc, paper_input *in, ct_error *err);

static const compose_fn composers[APP_PAPER_KIND_COUNT] = {
    receipt, pickup, supplement, refusal, handover, handover_subscriber, mau01, mau02,
};

/* ---- made once, kept, read back ---- */

static void hex_sha256(const unsigned char *data, size_t len, char out[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];

    SHA256(data, len, md);
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* The version of the dossier's state a paper shows: a digest of what the paper says (its HTML,
 * which the PDF is laid out from), so that any change of what it shows makes a new paper and
 * nothing else does, however close in time two steps come. */
static int64_t content_version(const unsigned char *html, size_t len)
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    int64_t v = 0;

    SHA256(html, len, md);
    for (int i = 0; i < 7; i++) /* 56 bits: a positive SQLite integer */
        v = (v << 8) | md[i];
    return v;
}

static void fill_out(const paper_input *in, app_paper_format format, app_paper *out)
{
    const char *ext = format == APP_PAPER_PDF ? "pdf" : "html";

    out->content_type = format == APP_PAPER_PDF ? "application/pdf" : "text/html; charset=utf-8";
    if (in->one)
        snprintf(out->filename, sizeof out->filename, "%s-%s-%lld.%s",
                 app_paper_kind_name(in->kind), in->d.code, (long long)in->one->n, ext);
    else
        snprintf(out->filename, sizeof out->filename, "%s-%s.%s", app_paper_kind_name(in->kind),
                 in->d.code, ext);
}

typedef struct keep_ctx {
    const app_actor *actor;
    paper_record *rec; /* made now; replaced by the kept one if another request kept it first */
    bool kept_now;
} keep_ctx;

static int keep(app *a, void *user, ct_error *err)
{
    keep_ctx *k = user;
    paper_record old;
    ct_error miss = {0};

    if (store_paper_get(a->db, k->rec->dossier, k->rec->kind, k->rec->applicant, k->rec->format,
                        k->rec->version, &old, &miss) == 0) {
        paper_record_free(k->rec);
        *k->rec = old;
        return 0;
    }
    if (miss.status != 404) {
        *err = miss;
        return -1;
    }
    if (store_paper_insert(a->db, k->rec, err) != 0)
        return -1;
    k->kept_now = true;
    return audit_append(a, k->actor, "paper.issue", k->rec->dossier,
                        json_pack("{s:s, s:I, s:s, s:I, s:s, s:I}", "kind", k->rec->kind,
                                  "applicant", (json_int_t)k->rec->applicant, "format",
                                  k->rec->format, "version", (json_int_t)k->rec->version, "sha256",
                                  k->rec->sha256, "bytes", (json_int_t)k->rec->len),
                        err);
}

static int load(app *a, const app_actor *actor, const char *code, int64_t applicant,
                paper_input *in, ct_error *err)
{
    agency_record chain[AGENCY_MAX_DEPTH];
    size_t depth = 0;

    in->a = a;
    in->actor = actor;
    if (role_require(actor->role, ROLES_CA | ROLES_AGENCY | ROLE_AUDITOR, "dossier paper", err) !=
            0 ||
        app_dossier_get(a, actor, code, &in->d, err) != 0 ||
        store_agency_get(a->db, in->d.agency, &in->agency, err) != 0 ||
        store_applicant_list(a->db, in->d.code, collect, &in->aps, err) != 0)
        return -1;
    if (agency_chain(a, in->agency.code, chain, AGENCY_MAX_DEPTH, &depth, err) != 0)
        return -1;
    if (depth >= 2)
        snprintf(in->agency_parent, sizeof in->agency_parent, "%s", chain[depth - 2].name);
    if (applicant) {
        for (size_t i = 0; i < in->aps.n; i++)
            if (in->aps.items[i].n == applicant)
                in->one = &in->aps.items[i];
        if (in->one == NULL)
            return ct_fail(err, 404, "applicant.not_found",
                           "hồ sơ %s không có người đề nghị số %lld",
                           "dossier %s has no applicant %lld", code, (long long)applicant);
    }
    return 0;
}

int app_dossier_paper(app *a, const app_actor *actor, const char *code, app_paper_kind kind,
                      int64_t applicant, app_paper_format format, app_paper *out, ct_error *err)
{
    paper_input in = {.kind = kind};
    paper_record rec = {0};
    paper_doc *doc = NULL;
    ct_buf bytes = {0};
    keep_ctx k = {actor, &rec, false};
    const char *fmt = format == APP_PAPER_PDF ? "pdf" : "html";
    bool per_applicant = kind == APP_PAPER_MAU01 || kind == APP_PAPER_HANDOVER_SUBSCRIBER;
    int rc = -1;

    memset(out, 0, sizeof *out);
    if ((unsigned)kind >= APP_PAPER_KIND_COUNT)
        return app_paper_kind_parse(NULL, &kind, err);
    if (per_applicant && applicant <= 0)
        return ct_fail(err, 400, "paper.applicant_required",
                       "giấy tờ \"%s\" là của một người đề nghị: hãy cho biết số thứ tự",
                       "the \"%s\" paper is one applicant's: say which", kind_names[kind]);
    if (!per_applicant && kind != APP_PAPER_HANDOVER && applicant != 0)
        return ct_fail(err, 400, "paper.applicant_unexpected",
                       "giấy tờ \"%s\" là của cả hồ sơ, không của một người đề nghị",
                       "the \"%s\" paper is the whole dossier's, not one applicant's",
                       kind_names[kind]);
    if (applicant < 0)
        return ct_fail(err, 400, "paper.applicant_invalid", "số thứ tự người đề nghị không hợp lệ",
                       "invalid applicant number");
    if (load(a, actor, code, applicant, &in, err) != 0)
        goto out;
    fill_out(&in, format, out);

    doc = paper_new();
    if (doc == NULL) {
        ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
        goto out;
    }
    if (composers[kind](doc, &in, err) != 0 || paper_html(doc, &bytes, err) != 0)
        goto out;
    snprintf(rec.dossier, sizeof rec.dossier, "%s", in.d.code);
    snprintf(rec.kind, sizeof rec.kind, "%s", kind_names[kind]);
    rec.applicant = applicant;
    snprintf(rec.format, sizeof rec.format, "%s", fmt);
    rec.version = content_version(bytes.data, bytes.len);
    {
        /* kept already: the stored bytes, exactly */
        paper_record kept;
        ct_error miss = {0};
        if (store_paper_get(a->db, rec.dossier, rec.kind, rec.applicant, rec.format, rec.version,
                            &kept, &miss) == 0) {
            rec = kept;
            goto give;
        }
        if (miss.status != 404) {
            *err = miss;
            goto out;
        }
    }
    if (format == APP_PAPER_PDF) {
        buf_reset(&bytes);
        if (paper_pdf(doc, &bytes, err) != 0)
            goto out;
    }
    rec.bytes = buf_take(&bytes, &rec.len);
    hex_sha256(rec.bytes, rec.len, rec.sha256);
    rec.created_at = app_now();
    snprintf(rec.created_by, sizeof rec.created_by, "%s", actor->name);
    if (with_transaction(a, keep, &k, err) != 0)
        goto out;
    out->first_issue = k.kept_now;
give:
    out->bytes = rec.bytes;
    out->len = rec.len;
    rec.bytes = NULL;
    snprintf(out->sha256, sizeof out->sha256, "%s", rec.sha256);
    rc = 0;
out:
    paper_record_free(&rec);
    paper_free(doc);
    buf_free(&bytes);
    free(in.aps.items);
    return rc;
}
