/*
 * app_receipt.c — the receipt and appointment slip (giấy tiếp nhận hồ sơ và hẹn trả kết quả)
 * given to the agency at intake.
 *
 * As plain text for the terminal; as HTML it is the official paper of app_papers.c (kept as
 * first issued), which the PDF shares.
 */
#include "app/app_internal.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mau02.h"

/* "HH giờ MM phút, ngày DD/MM/YYYY", Vietnam time, as on the printed papers. */
static void local_time_text(int64_t t, char *out, size_t size)
{
    ct_date d = ct_utc_to_local_date(t);
    int minutes = ct_utc_to_local_minute(t);

    snprintf(out, size, "%02d giờ %02d phút, ngày %02d/%02d/%04d", minutes / 60, minutes % 60,
             d.day, d.month, d.year);
}

typedef struct {
    const char *vi;
    const char *en;
    char value[600];
} slip_line;

/* A dossier's applicants, at most MAU02_MAX_ROWS (a list holds no more). */
typedef struct slip_applicants {
    applicant_record *items; /* MAU02_MAX_ROWS of them */
    size_t n;
} slip_applicants;

static int gather(void *user, const applicant_record *ap)
{
    slip_applicants *l = user;

    if (l->n >= MAU02_MAX_ROWS)
        return 1;
    l->items[l->n++] = *ap;
    return 0;
}

/* A slip's table: column headings and each applicant's cells. */
#define SLIP_COLS 6
typedef struct slip_table {
    const char *vi[SLIP_COLS];
    const char *en[SLIP_COLS];
    int n_cols;
    char (*cells)[SLIP_COLS][300]; /* one row per applicant shown */
    size_t n_rows;
} slip_table;

/* One slip as plain text for the terminal (the printable papers are app_papers.c's). */
static void render(ct_buf *b, const char *title_vi, const char *title_en, const slip_line *lines,
                   size_t n_lines, const slip_table *t)
{
    buf_printf(b, "%s (%s)\n\n", title_vi, title_en);
    for (size_t i = 0; i < n_lines; i++)
        buf_printf(b, "%s (%s): %s\n", lines[i].vi, lines[i].en, lines[i].value);
    buf_printf(b, "\nDanh sách người đề nghị (Applicants):\n");
    for (size_t r = 0; r < t->n_rows; r++) {
        buf_printf(b, " ");
        for (int c = 0; c < t->n_cols; c++)
            buf_printf(b, "%s%s", c == 0 ? " " : c == 1 ? ". " : " — ", t->cells[r][c]);
        buf_printf(b, "\n");
    }
}

/* The labelled lines of a slip. */
typedef struct slip_lines {
    slip_line line[12];
    size_t n;
} slip_lines;

static void add_line(slip_lines *l, const char *vi, const char *en, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add_line(slip_lines *l, const char *vi, const char *en, const char *fmt, ...)
{
    va_list ap;
    slip_line *line;

    assert(l->n < sizeof l->line / sizeof l->line[0]);
    line = &l->line[l->n++];
    line->vi = vi;
    line->en = en;
    va_start(ap, fmt);
    vsnprintf(line->value, sizeof line->value, fmt, ap);
    va_end(ap);
}

static const char *channel_label(const char *channel)
{
    return strcmp(channel, "direct") == 0   ? "Trực tiếp"
           : strcmp(channel, "online") == 0 ? "Trực tuyến"
                                            : "Dịch vụ bưu chính";
}

/* The receipt: what was received, when, and when and where the result is due. */
static void receipt_lines(const app *a, const dossier_record *d, slip_lines *l)
{
    char received[64], due[64];

    dossier_kind kind = app_dossier_kind(d);
    int days = app_kind_days(a, kind);

    local_time_text(d->received_at, received, sizeof received);
    local_time_text(d->due_step2, due, sizeof due);
    add_line(l, "Loại hồ sơ", "Kind", "%s", dossier_kind_label(kind, false));
    add_line(l, "Cách thức nộp", "Channel", "%s", channel_label(d->channel));
    if (kind == KIND_NEW)
        add_line(l, "Thành phần hồ sơ", "Documents received",
                 "Văn bản đề nghị cấp chứng thư số cho cá nhân (Mẫu 01, Mẫu 02, Thông tư "
                 "185/2019/TT-BQP) có xác nhận của %s, %s: 01 bản chính, 01 bản sao",
                 d->confirmed_name, d->confirmed_title);
    else if (KIND_BIT(kind) & KINDS_TOKEN_CARE)
        add_line(l, "Thành phần hồ sơ", "Documents received",
                 "Văn bản của cơ quan (%s) về thiết bị lưu khóa bí mật có xác nhận của %s, %s: "
                 "01 bản chính",
                 dossier_kind_label(kind, false), d->confirmed_name, d->confirmed_title);
    else
        add_line(l, "Thành phần hồ sơ", "Documents received",
                 "Văn bản đề nghị %s chứng thư số có xác nhận của %s, %s: 01 bản chính",
                 dossier_kind_label(kind, false), d->confirmed_name, d->confirmed_title);
    add_line(l, "Thời điểm tiếp nhận", "Received at", "%s", received);
    if (kind == KIND_NEW || kind == KIND_RENEWAL || kind == KIND_CHANGE) {
        add_line(l, "Thời hạn giải quyết", "Processing time",
                 "%d ngày làm việc (bước 2: %d ngày làm việc kể từ khi nhận hồ sơ hợp lệ; bước "
                 "4: %d ngày làm việc kể từ khi nhận đề nghị thời điểm có hiệu lực), tính từ "
                 "ngày %s",
                 days + 1, days, 1, d->counted_from);
        add_line(l, "Hẹn trả kết quả bước 2", "Step-2 result due",
                 "%s (thông báo thời gian, địa điểm nhận thiết bị lưu khóa bí mật)", due);
    } else {
        add_line(l, "Thời hạn giải quyết", "Processing time",
                 "%d ngày làm việc kể từ khi nhận hồ sơ hợp lệ, tính từ ngày %s", days,
                 d->counted_from);
        add_line(l, "Hẹn trả kết quả", "Result due", "%s", due);
    }
    add_line(l, "Nơi trả kết quả", "Where to collect", "%s, %s", app_cfg(a)->office_name,
             app_cfg(a)->office_address);
    {
        user_record u;
        ct_error ignored = {0};
        add_line(l, "Người tiếp nhận", "Received by", "%s",
                 store_user_get(a->db, d->created_by, &u, &ignored) == 0 && u.display_name[0]
                     ? u.display_name
                     : d->created_by);
    }
}

/* The pickup notice: what is ready and how to collect it. */
static void pickup_lines(const app *a, slip_lines *l)
{
    add_line(l, "Nội dung", "Notice",
             "Cục đã tạo khóa, cấp chứng thư số và chuẩn bị thiết bị lưu khóa bí mật cho những "
             "người có tên dưới đây. Đề nghị cơ quan cử người đến nhận thiết bị theo thời gian, "
             "địa điểm ghi trong danh sách, mang theo giấy giới thiệu. Chứng thư số chỉ có hiệu "
             "lực sau khi cơ quan đề nghị và Cục công bố.");
    add_line(l, "Liên hệ", "Contact", "%s, %s", app_cfg(a)->office_name,
             app_cfg(a)->office_address);
}

static const slip_table receipt_columns = {
    {"STT", "Họ và tên", "Đơn vị", "Chức vụ", "Ngạch"},
    {"No.", "Full name", "Unit", "Position", "Category"},
    5,
    NULL,
    0,
};
static const slip_table pickup_columns = {
    {"STT", "Họ và tên", "Số sê-ri chứng thư số", "Thiết bị", "Thời gian nhận", "Địa điểm nhận"},
    {"No.", "Full name", "Certificate serial", "Token", "Pickup time", "Pickup place"},
    6,
    NULL,
    0,
};

/* One row per applicant the slip shows into t->cells (room for every applicant). The notice
 * names only the tokens it announces. */
static void fill_rows(bool pickup, const slip_applicants *aps, slip_table *t)
{
    position_category cat;

    for (size_t i = 0; i < aps->n; i++) {
        const applicant_record *ap = &aps->items[i];
        char(*row)[300] = t->cells[t->n_rows];
        if (pickup && ap->notified_at == 0)
            continue;
        snprintf(row[0], 300, "%lld", (long long)ap->n);
        snprintf(row[1], 300, "%s", ap->full_name);
        if (!pickup) {
            snprintf(row[2], 300, "%s", ap->unit);
            snprintf(row[3], 300, "%s", ap->position);
            snprintf(row[4], 300, "%s",
                     position_category_parse(ap->category, &cat) == 0
                         ? position_category_label_vi(cat)
                         : ap->category);
        } else {
            snprintf(row[2], 300, "%s", ap->cert_serial);
            snprintf(row[3], 300, "%s", ap->token_serial);
            local_time_text(ap->pickup_at, row[4], 300);
            snprintf(row[5], 300, "%s", ap->pickup_place);
        }
        t->n_rows++;
    }
}

int app_dossier_receipt(app *a, const app_actor *actor, const char *code, slip_kind kind,
                        slip_format format, char **out, ct_error *err)
{
    bool pickup = kind == SLIP_PICKUP_NOTICE;
    dossier_record d;
    agency_record agency;
    slip_applicants aps = {0};
    slip_lines lines = {0};
    slip_table t = pickup ? pickup_columns : receipt_columns;
    ct_buf b = {0};
    int rc = -1;

    if (app_dossier_get(a, actor, code, &d, err) != 0 ||
        store_agency_get(a->db, d.agency, &agency, err) != 0)
        goto out;
    aps.items = calloc(MAU02_MAX_ROWS, sizeof *aps.items);
    t.cells = calloc(MAU02_MAX_ROWS, sizeof *t.cells);
    if (aps.items == NULL || t.cells == NULL) {
        ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
        goto out;
    }
    if (store_applicant_list(a->db, code, gather, &aps, err) != 0)
        goto out;
    fill_rows(pickup, &aps, &t);
    if (pickup && t.n_rows == 0) {
        ct_fail(err, 409, "dossier.no_pickup", "hồ sơ %s chưa có thiết bị nào được thông báo nhận",
                "dossier %s has no token announced for pickup yet", code);
        goto out;
    }
    add_line(&lines, "Mã hồ sơ", "Dossier code", "%s", d.code);
    add_line(&lines, "Thủ tục", "Procedure", "1.010847 — Cấp mới chứng thư số cho cá nhân");
    add_line(&lines, "Cơ quan đề nghị", "Requesting agency", "%s (%s)", agency.name, agency.code);
    if (pickup)
        pickup_lines(a, &lines);
    else
        receipt_lines(a, &d, &lines);
    if (format == SLIP_HTML) {
        /* the printable paper is the official one, kept as first issued */
        app_paper p;
        if (app_dossier_paper(a, actor, code, pickup ? APP_PAPER_PICKUP : APP_PAPER_RECEIPT, 0,
                              APP_PAPER_HTML, &p, err) != 0)
            goto out;
        buf_append(&b, p.bytes, p.len);
        app_paper_free(&p);
        *out = buf_take_text(&b);
        if (*out == NULL) {
            ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
            goto out;
        }
        rc = 0;
        goto out;
    }
    render(&b,
           pickup ? "THÔNG BÁO NHẬN THIẾT BỊ LƯU KHÓA BÍ MẬT"
                  : "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
           pickup ? "Notice to collect the private-key storage devices"
                  : "Receipt and appointment slip",
           lines.line, lines.n, &t);
    *out = buf_take_text(&b);
    if (*out == NULL) {
        ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
        goto out;
    }
    rc = 0;
out:
    free(aps.items);
    free(t.cells);
    return rc;
}
