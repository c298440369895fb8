/*
 * mau02.c — reading and checking an agency's request list. See mau02.h.
 */
#include "core/mau02.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/province.h"
#include "core/text.h"

#define MAX_CELL 1024

static const char *const columns_vi[MAU02_COLUMNS] = {"STT",
                                                      "Họ và tên",
                                                      "Ngày sinh",
                                                      "Số CCCD/CMND/Hộ chiếu",
                                                      "Ngày cấp",
                                                      "Nơi cấp",
                                                      "Thư điện tử công vụ",
                                                      "Đơn vị công tác",
                                                      "Tỉnh/thành phố",
                                                      "Chức vụ",
                                                      "Ngạch",
                                                      "Số điện thoại di động",
                                                      "Số hiệu chứng thư số cũ"};
static const char *const columns_en[MAU02_COLUMNS] = {"row number",
                                                      "full name",
                                                      "date of birth",
                                                      "ID number",
                                                      "ID issue date",
                                                      "ID issue place",
                                                      "official e-mail",
                                                      "unit",
                                                      "province",
                                                      "position",
                                                      "category",
                                                      "mobile phone",
                                                      "previous certificate serial"};

const char *mau02_column_vi(int i)
{
    return i >= 0 && i < MAU02_COLUMNS ? columns_vi[i] : "?";
}

const char *mau02_column_en(int i)
{
    return i >= 0 && i < MAU02_COLUMNS ? columns_en[i] : "?";
}

static const struct {
    const char *name;
    const char *vi;
    const char *folded;
} categories[] = {
    {"can_bo", "Cán bộ", "can bo"},
    {"cong_chuc", "Công chức", "cong chuc"},
    {"vien_chuc", "Viên chức", "vien chuc"},
};

const char *position_category_name(position_category c)
{
    return (unsigned)c < 3 ? categories[c].name : "?";
}

const char *position_category_label_vi(position_category c)
{
    return (unsigned)c < 3 ? categories[c].vi : "?";
}

int position_category_parse(const char *typed, position_category *out)
{
    char folded[64];

    if (typed == NULL || text_fold(typed, folded, sizeof folded, NULL) != 0)
        return -1;
    for (char *p = folded; *p; p++)
        if (*p == '_')
            *p = ' ';
    for (int i = 0; i < 3; i++) {
        if (strcmp(folded, categories[i].folded) == 0) {
            *out = (position_category)i;
            return 0;
        }
    }
    return -1;
}

/* Prefix an error with its row and column. */
static int at_cell(ct_error *err, int row, int col)
{
    char vi[160], en[160];

    snprintf(vi, sizeof vi, "dòng %d, cột \"%s\": ", row, columns_vi[col]);
    snprintf(en, sizeof en, "row %d, field \"%s\": ", row, columns_en[col]);
    return ct_error_prefix(err, vi, en);
}

static int cell_fail(ct_error *err, int row, int col, const char *code, const char *vi,
                     const char *en)
{
    ct_fail_text(err, 400, code, vi, en);
    return at_cell(err, row, col);
}

static bool empty(const char *s)
{
    if (s == NULL)
        return true;
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '\0';
}

/* DD/MM/YYYY (also D/M/YYYY, '-' or '.') or YYYY-MM-DD into YYYY-MM-DD. */
static int parse_date(const char *in, char out[11])
{
    int d, m, y;
    char s1, s2, tail;
    ct_date date;
    char buf[32];

    while (*in == ' ')
        in++;
    snprintf(buf, sizeof buf, "%s", in);
    buf[strcspn(buf, " ")] = '\0';
    if (ct_date_parse(buf, &date) == 0) {
        ct_date_format(date, out);
        return 0;
    }
    if (sscanf(buf, "%2d%c%2d%c%4d%c", &d, &s1, &m, &s2, &y, &tail) != 5 || s1 != s2 ||
        (s1 != '/' && s1 != '-' && s1 != '.') || y < 1900)
        return -1;
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    if (ct_date_parse(buf, &date) != 0)
        return -1;
    ct_date_format(date, out);
    return 0;
}

static int years_between(const char *from, const char *to)
{
    int y1 = atoi(from), y2 = atoi(to);
    int years = y2 - y1;

    if (strcmp(to + 5, from + 5) < 0) /* birthday not reached yet this year */
        years--;
    return years;
}

static int check_id(const char *in, mau02_applicant *out)
{
    char id[32];
    size_t n = 0;

    for (const char *p = in; *p && n + 1 < sizeof id; p++)
        if (*p != ' ')
            id[n++] = *p;
    id[n] = '\0';
    if (n == 12 && strspn(id, "0123456789") == 12) {
        snprintf(out->id_kind, sizeof out->id_kind, "cccd");
    } else if (n == 9 && strspn(id, "0123456789") == 9) {
        snprintf(out->id_kind, sizeof out->id_kind, "cmnd");
    } else if (n == 8 && ((id[0] >= 'A' && id[0] <= 'Z') || (id[0] >= 'a' && id[0] <= 'z')) &&
               strspn(id + 1, "0123456789") == 7) {
        if (id[0] >= 'a')
            id[0] = (char)(id[0] - 32); /* passports are printed in capitals */
        snprintf(out->id_kind, sizeof out->id_kind, "passport");
    } else {
        return -1;
    }
    snprintf(out->id_number, sizeof out->id_number, "%s", id);
    return 0;
}

/* Vietnamese mobile numbers: 10 digits, 03/05/07/08/09; +84 / 84 accepted for the 0. */
static int check_phone(const char *in, char out[16])
{
    char digits[24];
    size_t n = 0;
    const char *p = in;

    while (*p == ' ')
        p++;
    if (*p == '+')
        p++;
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n + 1 >= sizeof digits)
                return -1;
            digits[n++] = *p;
        } else if (*p != ' ' && *p != '.' && *p != '-' && *p != '(' && *p != ')') {
            return -1;
        }
    }
    digits[n] = '\0';
    if (n == 11 && strncmp(digits, "84", 2) == 0) {
        memmove(digits + 1, digits + 2, 10);
        digits[0] = '0';
        n = 10;
    }
    if (n != 10 || digits[0] != '0' || strchr("35789", digits[1]) == NULL)
        return -1;
    memcpy(out, digits, 11);
    return 0;
}

int mau02_check_row(const char *const cells[MAU02_COLUMNS], int row, const char *today,
                    mau02_applicant *out, ct_error *err)
{
    const char *province;

    memset(out, 0, sizeof *out);
    out->row = row;
    for (int c = 1; c < MAU02_COLUMNS - 1; c++)
        if (empty(cells[c]))
            return cell_fail(err, row, c, "mau02.field_missing", "thiếu thông tin bắt buộc",
                             "a required value is missing");
    if (text_clean_field(cells[1], 64, "họ và tên", "full name", out->full_name,
                         sizeof out->full_name, err) != 0)
        return at_cell(err, row, 1);
    if (parse_date(cells[2], out->birth_date) != 0)
        return cell_fail(err, row, 2, "mau02.date_invalid", "ngày không hợp lệ (dạng DD/MM/YYYY)",
                         "not a valid date (DD/MM/YYYY)");
    {
        int age = years_between(out->birth_date, today);
        if (age < 18 || age > 80)
            return cell_fail(err, row, 2, "mau02.age", "người đề nghị phải từ 18 đến 80 tuổi",
                             "the applicant must be 18 to 80 years old");
    }
    if (check_id(cells[3], out) != 0)
        return cell_fail(err, row, 3, "mau02.id_invalid",
                         "số giấy tờ phải là CCCD 12 chữ số, CMND 9 chữ số hoặc hộ chiếu (1 chữ "
                         "cái và 7 chữ số)",
                         "the ID number must be a 12-digit CCCD, a 9-digit CMND or a passport "
                         "number (a letter and 7 digits)");
    if (parse_date(cells[4], out->id_issued_on) != 0)
        return cell_fail(err, row, 4, "mau02.date_invalid", "ngày không hợp lệ (dạng DD/MM/YYYY)",
                         "not a valid date (DD/MM/YYYY)");
    if (strcmp(out->id_issued_on, today) > 0 || strcmp(out->id_issued_on, out->birth_date) <= 0)
        return cell_fail(err, row, 4, "mau02.date_invalid",
                         "ngày cấp phải sau ngày sinh và không ở tương lai",
                         "the issue date must be after birth and not in the future");
    if (text_clean_field(cells[5], 128, "nơi cấp", "issue place", out->id_issued_at,
                         sizeof out->id_issued_at, err) != 0)
        return at_cell(err, row, 5);
    if (text_clean_email(cells[6], out->email, sizeof out->email, err) != 0)
        return at_cell(err, row, 6);
    if (text_clean_field(cells[7], 64, "đơn vị", "unit", out->unit, sizeof out->unit, err) != 0)
        return at_cell(err, row, 7);
    province = province_canonical(cells[8]);
    if (province == NULL)
        return cell_fail(err, row, 8, "province.unknown",
                         "không thuộc 34 tỉnh, thành phố hiện hành",
                         "not one of the 34 provinces and cities of Viet Nam");
    snprintf(out->province, sizeof out->province, "%s", province);
    if (text_clean_field(cells[9], 128, "chức vụ", "position", out->position, sizeof out->position,
                         err) != 0)
        return at_cell(err, row, 9);
    if (position_category_parse(cells[10], &out->category) != 0)
        return cell_fail(err, row, 10, "mau02.category_invalid",
                         "phải là Cán bộ, Công chức hoặc Viên chức (điều kiện của thủ tục)",
                         "must be Cán bộ, Công chức or Viên chức (the procedure's condition)");
    if (check_phone(cells[11], out->phone) != 0)
        return cell_fail(err, row, 11, "mau02.phone_invalid",
                         "số di động Việt Nam gồm 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09",
                         "a Vietnamese mobile number has 10 digits starting 03, 05, 07, 08 or 09");
    if (!empty(cells[12])) {
        const char *s = cells[12];
        size_t n = 0;
        while (*s == ' ')
            s++;
        for (; *s && *s != ' '; s++) {
            char c = *s >= 'a' && *s <= 'f' ? (char)(*s - 32) : *s;
            if (n + 1 >= sizeof out->previous_serial || !strchr("0123456789ABCDEF", c) || !c)
                return cell_fail(err, row, 12, "mau02.serial_invalid",
                                 "số hiệu chứng thư là chuỗi hex, tối đa 40 ký tự",
                                 "a certificate serial is hexadecimal, at most 40 digits");
            out->previous_serial[n++] = c;
        }
        out->previous_serial[n] = '\0';
    }
    return 0;
}

int mau02_check_duplicates(const mau02_applicant *list, size_t count, ct_error *err)
{
    for (size_t i = 0; i < count; i++) {
        for (size_t j = i + 1; j < count; j++) {
            bool same_id = strcmp(list[i].id_number, list[j].id_number) == 0;
            if (same_id || strcasecmp(list[i].email, list[j].email) == 0) {
                char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX];
                snprintf(vi, sizeof vi, "dòng %d và dòng %d trùng %s", list[i].row, list[j].row,
                         same_id ? "số giấy tờ tùy thân" : "thư điện tử");
                snprintf(en, sizeof en, "rows %d and %d have the same %s", list[i].row, list[j].row,
                         same_id ? "ID number" : "e-mail");
                return ct_fail_text(err, 400, "mau02.duplicate", vi, en);
            }
        }
    }
    return 0;
}

/* ---- CSV ---- */

typedef struct csv_reader {
    const char *p;
    const char *end;
    char sep;
    int record; /* 1-based record number of the record being read */
} csv_reader;

/* Read one record into the cell buffers. Returns the number of cells, 0 at the end, -1 on
 * malformed quoting, -2 if a cell is too long, -3 if too many cells. A blank line gives one
 * empty cell. */
static int read_record(csv_reader *r, char cells[][MAX_CELL], int max_cells)
{
    int n = 0;
    size_t len = 0;
    bool quoted = false, was_quoted = false;

    if (r->p >= r->end)
        return 0;
    r->record++;
    cells[0][0] = '\0';
    while (r->p < r->end) {
        char c = *r->p++;
        if (quoted) {
            if (c == '"') {
                if (r->p < r->end && *r->p == '"') {
                    r->p++;
                } else {
                    quoted = false;
                    continue;
                }
            }
        } else if (c == '"' && len == 0 && !was_quoted) {
            quoted = was_quoted = true;
            continue;
        } else if (c == r->sep || c == '\n' || c == '\r') {
            cells[n][len] = '\0';
            n++;
            len = 0;
            was_quoted = false;
            if (c == '\r' && r->p < r->end && *r->p == '\n')
                r->p++;
            if (c != r->sep)
                return n;
            if (n == max_cells)
                return -3;
            cells[n][0] = '\0';
            continue;
        } else if (was_quoted) {
            return -1; /* text after a closing quote */
        }
        if (len + 1 >= MAX_CELL)
            return -2;
        cells[n][len++] = c;
    }
    if (quoted)
        return -1;
    cells[n][len] = '\0';
    return n + 1;
}

int mau02_parse_csv(const char *data, size_t len, const char *today, mau02_applicant **out,
                    size_t *count, ct_error *err)
{
    char cells[MAU02_COLUMNS + 1][MAX_CELL];
    csv_reader r;
    mau02_applicant *list;
    size_t n = 0;
    const char *nl;
    int got;
    bool first = true;

    if (len > MAU02_MAX_BYTES)
        return ct_fail(err, 400, "mau02.too_large", "tệp danh sách quá lớn (tối đa 1 MiB)",
                       "the list file is too large (1 MiB at most)");
    if (!text_utf8_valid(data, len))
        return ct_fail(err, 400, "text.invalid_utf8",
                       "tệp danh sách không phải UTF-8 hợp lệ (lưu lại dạng CSV UTF-8)",
                       "the list is not valid UTF-8 (save it as CSV UTF-8)");
    if (memchr(data, '\0', len))
        return ct_fail(err, 400, "mau02.binary", "tệp danh sách chứa dữ liệu nhị phân",
                       "the list file holds binary data");
    r.p = data;
    r.end = data + len;
    r.record = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r.p += 3;
    /* Spreadsheets in Vietnamese locales export with ';': take it when the first line has no
     * comma but has semicolons. */
    nl = memchr(r.p, '\n', (size_t)(r.end - r.p));
    r.sep = ',';
    if (!memchr(r.p, ',', (size_t)((nl ? nl : r.end) - r.p)) &&
        memchr(r.p, ';', (size_t)((nl ? nl : r.end) - r.p)))
        r.sep = ';';
    list = calloc(MAU02_MAX_ROWS, sizeof *list);
    if (list == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    while ((got = read_record(&r, cells, MAU02_COLUMNS + 1)) != 0) {
        const char *ptrs[MAU02_COLUMNS];
        char folded[32];
        if (got == 1 && empty(cells[0]))
            continue; /* blank line */
        if (got < 0) {
            free(list);
            if (got == -2)
                return ct_fail(err, 400, "mau02.cell_too_long", "dòng %d: ô dài quá %d byte",
                               "row %d: a cell is longer than %d bytes", r.record, MAX_CELL - 1);
            if (got == -1)
                return ct_fail(err, 400, "mau02.quoting", "dòng %d: dấu ngoặc kép không khớp",
                               "row %d: unbalanced quotes", r.record);
            return ct_fail(err, 400, "mau02.columns", "dòng %d: cần %d cột",
                           "row %d: %d columns expected", r.record, MAU02_COLUMNS);
        }
        if (first) {
            first = false;
            if (text_fold(cells[0], folded, sizeof folded, NULL) == 0 && strcmp(folded, "stt") == 0)
                continue; /* the header row */
        }
        if (got != MAU02_COLUMNS) {
            free(list);
            return ct_fail(err, 400, "mau02.columns", "dòng %d: có %d cột, cần %d cột",
                           "row %d: %d columns, %d expected", r.record, got, MAU02_COLUMNS);
        }
        if (n == MAU02_MAX_ROWS) {
            free(list);
            return ct_fail(
                err, 400, "mau02.too_many", "danh sách quá %d người: chia thành nhiều hồ sơ",
                "more than %d applicants: split the list into several dossiers", MAU02_MAX_ROWS);
        }
        for (int c = 0; c < MAU02_COLUMNS; c++)
            ptrs[c] = cells[c];
        if (mau02_check_row(ptrs, r.record, today, &list[n], err) != 0) {
            free(list);
            return -1;
        }
        n++;
    }
    if (n == 0) {
        free(list);
        return ct_fail(err, 400, "mau02.empty", "danh sách không có người đề nghị nào",
                       "the list has no applicant");
    }
    if (mau02_check_duplicates(list, n, err) != 0) {
        free(list);
        return -1;
    }
    *out = list;
    *count = n;
    return 0;
}
