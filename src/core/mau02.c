/*
 * mau02.c — reading and checking an agency's request list (Mẫu 02). See mau02.h.
 *
 * The list is typed by a clerk in a spreadsheet and exported to CSV, so the reader accepts the
 * spellings spreadsheets and people produce (date formats, phone prefixes, ';' separators, byte
 * order marks, line breaks inside cells) and is strict about the values, because what comes out
 * goes into a certificate subject and into the CA's records. A refusal always says where: the
 * row as the spreadsheet numbers it and the column's name, so the clerk can go straight to it.
 */
#include "core/mau02.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/calendar.h"
#include "core/province.h"
#include "core/text.h"

static const char *const columns_vi[MAU02_COLUMNS] = {
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Số CCCD/CMND/Hộ chiếu",
    "Ngày cấp",
    "Nơi cấp",
    "Thư điện tử công vụ",
    "Cơ quan, đơn vị công tác",
    "Tỉnh/thành phố",
    "Chức vụ",
    "Ngạch/Vị trí",
    "Số điện thoại di động",
    "Số hiệu chứng thư số cũ (nếu có)",
};
static const char *const columns_en[MAU02_COLUMNS] = {
    "row number",
    "full name",
    "date of birth",
    "ID number",
    "ID issue date",
    "ID issue place",
    "official e-mail",
    "agency/unit",
    "province",
    "position",
    "category",
    "mobile phone",
    "previous certificate serial",
};

enum {
    COL_STT,
    COL_NAME,
    COL_BIRTH,
    COL_ID,
    COL_ISSUED_ON,
    COL_ISSUED_AT,
    COL_EMAIL,
    COL_UNIT,
    COL_PROVINCE,
    COL_POSITION,
    COL_CATEGORY,
    COL_PHONE,
    COL_SERIAL,
};

const char *mau02_column_vi(int i)
{
    return i >= 0 && i < MAU02_COLUMNS ? columns_vi[i] : "?";
}

const char *mau02_column_en(int i)
{
    return i >= 0 && i < MAU02_COLUMNS ? columns_en[i] : "?";
}

/* ---- position category ---- */

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
    char underscored[64], folded[64];
    size_t n = 0;

    if (typed == NULL || strlen(typed) >= sizeof underscored)
        return -1;
    /* the API spelling "cong_chuc" is the typed one with '_' for spaces */
    for (; typed[n]; n++)
        underscored[n] = typed[n] == '_' ? ' ' : typed[n];
    underscored[n] = '\0';
    if (text_fold(underscored, folded, sizeof folded, NULL) != 0)
        return -1;
    for (int i = 0; i < 3; i++) {
        if (strcmp(folded, categories[i].folded) == 0) {
            *out = (position_category)i;
            return 0;
        }
    }
    return -1;
}

/* ---- messages ---- */

/* The checks below fill err with the problem alone; where it is (row, column) is added by
 * the row's check, once, when the problem joins the list. */
static int cell_fail(ct_error *err, const char *code, const char *vi, const char *en)
{
    return ct_fail_text(err, 400, code, vi, en);
}

/* ---- the list of problems ---- */

void mau02_errors_add(mau02_errors *errors, int row, int column, const char *code, const char *vi,
                      const char *en)
{
    errors->total++;
    if (errors->count >= MAU02_ERRORS_KEPT)
        return;
    if (errors->items == NULL) {
        errors->items = malloc(MAU02_ERRORS_KEPT * sizeof *errors->items);
        if (errors->items == NULL)
            return; /* still counted: the summary says how many */
    }
    mau02_problem *p = &errors->items[errors->count++];
    p->row = row;
    p->column = column;
    snprintf(p->code, sizeof p->code, "%s", code);
    snprintf(p->vi, sizeof p->vi, "%s", vi);
    snprintf(p->en, sizeof p->en, "%s", en);
    ct_utf8_repair(p->vi);
    ct_utf8_repair(p->en);
}

static void add_error(mau02_errors *errors, int row, int column, const ct_error *e)
{
    mau02_errors_add(errors, row, column, e->code, e->vi, e->en);
}

static int by_place(const void *x, const void *y)
{
    const mau02_problem *a = x, *b = y;

    if (a->row != b->row)
        return a->row < b->row ? -1 : 1;
    return (a->column > b->column) - (a->column < b->column);
}

void mau02_errors_sort(mau02_errors *errors)
{
    if (errors->count > 1)
        qsort(errors->items, errors->count, sizeof *errors->items, by_place);
}

/* "dòng R, cột \"X\": " / "row R, field \"X\": " (or less, when the problem is not at a cell). */
static void where(const mau02_problem *p, char vi[160], char en[160])
{
    vi[0] = en[0] = '\0';
    if (p->row > 0 && p->column >= 0) {
        snprintf(vi, 160, "dòng %d, cột \"%s\": ", p->row, mau02_column_vi(p->column));
        snprintf(en, 160, "row %d, field \"%s\": ", p->row, mau02_column_en(p->column));
    } else if (p->row > 0) {
        snprintf(vi, 160, "dòng %d: ", p->row);
        snprintf(en, 160, "row %d: ", p->row);
    }
}

int mau02_errors_summary(const mau02_errors *errors, ct_error *err)
{
    char vi[160], en[160];

    if (errors->count == 0) /* none kept (out of memory) or none found */
        return ct_fail(err, 400, "mau02.invalid", "%zu lỗi trong danh sách",
                       "%zu errors in the list", errors->total);
    where(&errors->items[0], vi, en);
    if (errors->total == 1) {
        ct_fail_text(err, 400, errors->items[0].code, errors->items[0].vi, errors->items[0].en);
        return ct_error_prefix(err, vi, en);
    }
    {
        char mvi[CT_ERR_MSG_MAX], men[CT_ERR_MSG_MAX];
        snprintf(mvi, sizeof mvi, "%zu lỗi trong danh sách; lỗi đầu tiên: %s%s", errors->total, vi,
                 errors->items[0].vi);
        snprintf(men, sizeof men, "%zu errors in the list; the first: %s%s", errors->total, en,
                 errors->items[0].en);
        return ct_fail_text(err, 400, "mau02.invalid", mvi, men);
    }
}

void mau02_errors_free(mau02_errors *errors)
{
    if (errors == NULL)
        return;
    free(errors->items);
    errors->items = NULL;
    errors->count = errors->total = 0;
}

/*
 * A cell's value as quoted in a message: at most 40 bytes cut on a character boundary, control
 * characters shown as '?', so that the message stays valid UTF-8 on one line (messages end up in
 * JSON and HTML). Only called on cells already known to be valid UTF-8.
 */
static void shown(const char *in, char out[48])
{
    const unsigned char *p = (const unsigned char *)(in ? in : "");
    size_t n = 0;

    while (*p == ' ')
        p++;
    while (*p) {
        size_t len = 1;
        while ((p[len] & 0xC0) == 0x80)
            len++;
        if (n + len > 40) {
            memcpy(out + n, "…", 3);
            n += 3;
            break;
        }
        if (*p < 0x20 || *p == 0x7F)
            out[n] = '?';
        else
            memcpy(out + n, p, len);
        n += *p < 0x20 || *p == 0x7F ? 1 : len;
        p += len;
    }
    out[n] = '\0';
}

/* Nothing but spaces and tabs (or NULL): the cell was left empty. */
static bool empty(const char *s)
{
    if (s == NULL)
        return true;
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '\0';
}

/* ---- dates ---- */

/* min..max decimal digits at s, not followed by another digit. Returns how many, 0 if not. */
static int read_digits(const char *s, int min, int max, int *value)
{
    int n = 0, v = 0;

    while (n < max && s[n] >= '0' && s[n] <= '9')
        v = v * 10 + (s[n++] - '0');
    if (n < min || (s[n] >= '0' && s[n] <= '9'))
        return 0;
    *value = v;
    return n;
}

/*
 * DD/MM/YYYY (as Vietnamese write dates; also D/M/YYYY, '-' or '.' between) or YYYY-MM-DD, into
 * YYYY-MM-DD. A time of day after the date is ignored: some spreadsheets export date cells as
 * "12/03/1985 00:00:00". The date must exist (no 31/02).
 */
static int parse_date(const char *in, char out[11])
{
    const char *p = in;
    int y, m, d, n;
    char sep, buf[32];
    ct_date date;

    while (*p == ' ')
        p++;
    if ((n = read_digits(p, 4, 4, &y)) != 0) {
        p += n;
        sep = *p++;
        if ((sep != '-' && sep != '/' && sep != '.') || (n = read_digits(p, 1, 2, &m)) == 0)
            return -1;
        p += n;
        if (*p++ != sep || (n = read_digits(p, 1, 2, &d)) == 0)
            return -1;
        p += n;
    } else if ((n = read_digits(p, 1, 2, &d)) != 0) {
        p += n;
        sep = *p++;
        if ((sep != '/' && sep != '-' && sep != '.') || (n = read_digits(p, 1, 2, &m)) == 0)
            return -1;
        p += n;
        if (*p++ != sep || (n = read_digits(p, 4, 4, &y)) == 0)
            return -1;
        p += n;
    } else {
        return -1;
    }
    while (*p == ' ')
        p++;
    if (*p != '\0' && (strspn(p, "0123456789: ") != strlen(p) || strchr(p, ':') == NULL))
        return -1;
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    if (ct_date_parse(buf, &date) != 0)
        return -1;
    ct_date_format(date, out);
    return 0;
}

/* Whole years from birth to today (both YYYY-MM-DD): one less until the birthday is reached. */
static int age_on(const char *birth, const char *today)
{
    int years = atoi(today) - atoi(birth);

    if (strcmp(today + 5, birth + 5) < 0)
        years--;
    return years;
}

static int check_date_cell(const char *cell, char out[11], ct_error *err)
{
    char v[48], vi[160], en[160];

    if (parse_date(cell, out) == 0)
        return 0;
    shown(cell, v);
    snprintf(vi, sizeof vi, "\"%s\" không phải là một ngày có thật (viết DD/MM/YYYY)", v);
    snprintf(en, sizeof en, "\"%s\" is not a real date (write DD/MM/YYYY)", v);
    return cell_fail(err, "mau02.date_invalid", vi, en);
}

/* ---- ID number, phone, serial ---- */

/* A spreadsheet that took the column for numbers drops leading zeros (001… → 1…) or writes
 * 1,08E+11: tell the clerk how to keep the digits, since that is the usual cause. */
static const char *const hint_vi =
    " (nếu bảng tính đã bỏ số 0 ở đầu, hãy định dạng cột là Văn bản)";
static const char *const hint_en =
    " (if the spreadsheet dropped a leading 0, format the column as Text)";

static int check_id(const char *in, mau02_applicant *out, ct_error *err)
{
    char id[24], v[48], vi[400], en[400];
    size_t n = 0, digits;
    bool too_long = false;

    for (const char *p = in; *p; p++) {
        if (*p == ' ')
            continue; /* "001 080 000 001" as some people group the digits */
        if (n + 1 >= sizeof id) {
            too_long = true;
            break;
        }
        id[n++] = *p;
    }
    id[n] = '\0';
    digits = strspn(id, "0123456789");
    if (!too_long && n == 12 && digits == 12) {
        snprintf(out->id_kind, sizeof out->id_kind, "cccd");
    } else if (!too_long && n == 9 && digits == 9) {
        snprintf(out->id_kind, sizeof out->id_kind, "cmnd");
    } else if (!too_long && n == 8 &&
               ((id[0] >= 'A' && id[0] <= 'Z') || (id[0] >= 'a' && id[0] <= 'z')) &&
               strspn(id + 1, "0123456789") == 7) {
        /* passports print the letter in capitals; a lower-case one is the same passport */
        if (id[0] >= 'a')
            id[0] = (char)(id[0] - 'a' + 'A');
        snprintf(out->id_kind, sizeof out->id_kind, "passport");
    } else {
        bool lost_zero = (!too_long && digits == n && (n == 11 || n == 8)) ||
                         strstr(id, "E+") != NULL || strstr(id, "e+") != NULL;
        shown(in, v);
        snprintf(vi, sizeof vi,
                 "\"%s\" không phải số CCCD (12 chữ số), CMND (9 chữ số) hay hộ chiếu (1 chữ cái "
                 "và 7 chữ số)%s",
                 v, lost_zero ? hint_vi : "");
        snprintf(en, sizeof en,
                 "\"%s\" is not a CCCD number (12 digits), a CMND number (9 digits) or a passport "
                 "number (a letter and 7 digits)%s",
                 v, lost_zero ? hint_en : "");
        return cell_fail(err, "mau02.id_invalid", vi, en);
    }
    snprintf(out->id_number, sizeof out->id_number, "%s", id);
    return 0;
}

/*
 * A Vietnamese mobile number into its national form 0XXXXXXXXX: 10 digits, the second one 3, 5,
 * 7, 8 or 9 (the mobile ranges since the 2018 renumbering; 01x and 02x are gone or landlines).
 * "+84 912 345 678", "84912345678", "0912.345.678", "(091) 234-5678" are all 0912345678. The
 * phone is where the CA calls the applicant to hand over the token, so a landline will not do.
 */
static int check_phone(const char *in, char out[16], ct_error *err)
{
    char d[24], v[48], vi[400], en[400];
    size_t n = 0;
    bool plus = false;
    const char *p = in;

    while (*p == ' ')
        p++;
    if (*p == '+') {
        plus = true;
        p++;
    }
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n + 1 >= sizeof d)
                goto bad;
            d[n++] = *p;
        } else if (strchr(" .-()", *p) == NULL) {
            goto bad;
        }
    }
    d[n] = '\0';
    if (n == 10 && !plus && d[0] == '0')
        snprintf(out, 16, "%s", d);
    else if (n == 11 && strncmp(d, "84", 2) == 0)
        snprintf(out, 16, "0%s", d + 2); /* +84 912 345 678 */
    else if (n == 12 && strncmp(d, "840", 3) == 0)
        snprintf(out, 16, "%s", d + 2); /* +84 0912…: the trunk 0 kept after the country code */
    else
        goto bad;
    if (strchr("35789", out[1]) == NULL)
        goto bad;
    return 0;
bad:
    out[0] = '\0';
    shown(in, v);
    {
        bool lost_zero = n == 9 && !plus && strchr("35789", d[0]) != NULL;
        snprintf(vi, sizeof vi,
                 "\"%s\" không phải số di động Việt Nam (10 chữ số, bắt đầu bằng 03, 05, 07, 08 "
                 "hoặc 09)%s",
                 v, lost_zero ? hint_vi : "");
        snprintf(en, sizeof en,
                 "\"%s\" is not a Vietnamese mobile number (10 digits starting 03, 05, 07, 08 or "
                 "09)%s",
                 v, lost_zero ? hint_en : "");
    }
    return cell_fail(err, "mau02.phone_invalid", vi, en);
}

/* The serial of a certificate the applicant held before (renewal, replacement): hex digits,
 * spaces or colons between them allowed (as tools print serials), stored upper-case. */
static int check_serial(const char *in, char out[41], ct_error *err)
{
    char v[48], vi[200], en[200];
    size_t n = 0;

    for (const char *p = in; *p; p++) {
        char c = *p;
        if (c == ' ' || c == ':')
            continue;
        if (c >= 'a' && c <= 'f')
            c = (char)(c - 'a' + 'A');
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')) || n == 40) {
            n = 0;
            break;
        }
        out[n++] = c;
    }
    out[n] = '\0';
    if (n > 0)
        return 0;
    shown(in, v);
    snprintf(vi, sizeof vi, "\"%s\" không phải số hiệu chứng thư (chuỗi hex, tối đa 40 ký tự)", v);
    snprintf(en, sizeof en, "\"%s\" is not a certificate serial (hexadecimal, at most 40 digits)",
             v);
    return cell_fail(err, "mau02.serial_invalid", vi, en);
}

/* ---- one row ---- */

/* A human-entered text cell through the shared cleaner, the error placed at its cell. */
static int text_cell(const char *cell, size_t max_chars, int col, char *out, size_t out_size,
                     ct_error *err)
{
    if (text_clean_field(cell, max_chars, mau02_column_vi(col), mau02_column_en(col), out, out_size,
                         err) != 0)
        return -1;
    return 0;
}

/* A cleaned field, then what the cleaner lets through but a name must not hold, nor text that
 * is printed on pages and exported to spreadsheets (markup, formula starters), the error placed
 * at its cell. */
static int name_cell(const char *cell, size_t max_chars, int col, char *out, size_t out_size,
                     ct_error *err)
{
    if (text_cell(cell, max_chars, col, out, out_size, err) != 0)
        return -1;
    if (text_check_name(out, mau02_column_vi(col), mau02_column_en(col), err) != 0)
        return -1;
    return 0;
}

static int plain_cell(const char *cell, size_t max_chars, int col, char *out, size_t out_size,
                      ct_error *err)
{
    if (text_cell(cell, max_chars, col, out, out_size, err) != 0)
        return -1;
    if (text_check_plain(out, mau02_column_vi(col), mau02_column_en(col), err) != 0)
        return -1;
    return 0;
}

static int check_birth(const char *cell, const char *today, mau02_applicant *out, ct_error *err)
{
    int age;

    if (check_date_cell(cell, out->birth_date, err) != 0)
        return -1;
    if (strcmp(out->birth_date, today) > 0)
        return cell_fail(err, "mau02.date_invalid", "ngày sinh ở tương lai",
                         "the date of birth is in the future");
    age = age_on(out->birth_date, today);
    if (age < 18 || age > 80) {
        char vi[160], en[160];
        snprintf(vi, sizeof vi, "người đề nghị %d tuổi, phải từ 18 đến 80 tuổi", age);
        snprintf(en, sizeof en, "the applicant is %d, must be 18 to 80 years old", age);
        return cell_fail(err, "mau02.age", vi, en);
    }
    return 0;
}

/* After the date of birth, which out already holds. */
static int check_issued_on(const char *cell, const char *today, mau02_applicant *out, ct_error *err)
{
    if (check_date_cell(cell, out->id_issued_on, err) != 0)
        return -1;
    if (strcmp(out->id_issued_on, today) > 0)
        return cell_fail(err, "mau02.date_invalid", "ngày cấp ở tương lai",
                         "the issue date is in the future");
    /* compared only with a date of birth that was read (a bad one is reported on its own) */
    if (out->birth_date[0] != '\0' && strcmp(out->id_issued_on, out->birth_date) <= 0)
        return cell_fail(err, "mau02.date_invalid", "ngày cấp không sau ngày sinh",
                         "the issue date is not after the date of birth");
    return 0;
}

static int check_email(const char *cell, char *out, size_t out_size, ct_error *err)
{
    /* Letters with diacritics ("nguyễn@…") are the usual slip; they are refused here with the
     * value quoted safely, before the cleaner quotes raw bytes. */
    for (const unsigned char *p = (const unsigned char *)cell; *p; p++) {
        if (*p >= 0x80) {
            char v[48], vi[300], en[300];
            shown(cell, v);
            snprintf(vi, sizeof vi,
                     "địa chỉ thư điện tử \"%s\" có chữ có dấu: chỉ dùng chữ không dấu, "
                     "chữ số và . _ -",
                     v);
            snprintf(en, sizeof en,
                     "the e-mail address \"%s\" has accented letters: use only a-z, "
                     "digits and . _ -",
                     v);
            return cell_fail(err, "email.invalid", vi, en);
        }
    }
    if (text_clean_email(cell, out, out_size, err) != 0)
        return -1;
    return 0;
}

static int check_province(const char *cell, char *out, size_t out_size, ct_error *err)
{
    const char *province = province_canonical(cell);

    if (province == NULL) {
        char v[48], vi[200], en[200];
        shown(cell, v);
        snprintf(vi, sizeof vi, "\"%s\" không phải một trong 34 tỉnh, thành phố", v);
        snprintf(en, sizeof en, "\"%s\" is not one of the 34 provinces and cities", v);
        return cell_fail(err, "province.unknown", vi, en);
    }
    snprintf(out, out_size, "%s", province);
    return 0;
}

static int check_category(const char *cell, position_category *out, ct_error *err)
{
    if (position_category_parse(cell, out) != 0) {
        char v[48], vi[300], en[300];
        shown(cell, v);
        snprintf(vi, sizeof vi, "\"%s\": thủ tục chỉ cấp cho Cán bộ, Công chức hoặc Viên chức", v);
        snprintf(en, sizeof en,
                 "\"%s\": the procedure serves only Cán bộ, Công chức or Viên chức "
                 "(cadres, civil servants, public employees)",
                 v);
        return cell_fail(err, "mau02.category_invalid", vi, en);
    }
    return 0;
}

/* One present cell (the previous serial may be empty) into its field of out. */
static int check_cell(int c, const char *cell, const char *today, mau02_applicant *out,
                      ct_error *err)
{
    switch (c) {
    case COL_NAME:
        return name_cell(cell, 64, c, out->full_name, sizeof out->full_name, err);
    case COL_BIRTH:
        return check_birth(cell, today, out, err);
    case COL_ID:
        return check_id(cell, out, err);
    case COL_ISSUED_ON:
        return check_issued_on(cell, today, out, err);
    case COL_ISSUED_AT:
        return plain_cell(cell, 128, c, out->id_issued_at, sizeof out->id_issued_at, err);
    case COL_EMAIL:
        return check_email(cell, out->email, sizeof out->email, err);
    case COL_UNIT:
        return plain_cell(cell, 64, c, out->unit, sizeof out->unit, err);
    case COL_PROVINCE:
        return check_province(cell, out->province, sizeof out->province, err);
    case COL_POSITION:
        return plain_cell(cell, 128, c, out->position, sizeof out->position, err);
    case COL_CATEGORY:
        return check_category(cell, &out->category, err);
    case COL_PHONE:
        return check_phone(cell, out->phone, err);
    case COL_SERIAL:
        return empty(cell) ? 0 : check_serial(cell, out->previous_serial, err);
    default:
        assert(!"a Mẫu 02 column without a check");
        return 0;
    }
}

size_t mau02_check_row_all(const char *const cells[MAU02_COLUMNS], int row, const char *today,
                           mau02_applicant *out, mau02_errors *errors)
{
    size_t found = 0;
    ct_error e;

    assert(cells != NULL && out != NULL && errors != NULL);
    memset(out, 0, sizeof *out);
    out->row = row;
    /* Cell by cell in column order (the date of birth before the issue date compared with it).
     * Encoding first in each cell: quoting a value in a message needs valid text, and a list
     * saved in a legacy Vietnamese encoding (TCVN3, VNI, Windows-1258) gets advice on how to save
     * it. STT is never read, so it is not checked either. */
    for (int c = COL_NAME; c <= COL_SERIAL; c++) {
        ct_error_clear(&e);
        if (cells[c] != NULL && !text_utf8_valid(cells[c], strlen(cells[c])))
            cell_fail(&e, "text.invalid_utf8",
                      "không phải văn bản UTF-8 hợp lệ (hãy lưu danh sách dạng \"CSV UTF-8\")",
                      "not valid UTF-8 text (save the list as \"CSV UTF-8\")");
        else if (c != COL_SERIAL && empty(cells[c]))
            cell_fail(&e, "mau02.field_missing", "chưa điền (bắt buộc)", "empty (required)");
        else if (check_cell(c, cells[c], today, out, &e) == 0)
            continue;
        if (c == COL_BIRTH)
            out->birth_date[0] = '\0'; /* the issue date is not compared with a refused one */
        add_error(errors, row, c, &e);
        found++;
    }
    return found;
}

int mau02_check_row(const char *const cells[MAU02_COLUMNS], int row, const char *today,
                    mau02_applicant *out, ct_error *err)
{
    mau02_errors errors = {0};
    ct_date t;
    int rc = 0;

    assert(cells != NULL && out != NULL);
    memset(out, 0, sizeof *out);
    out->row = row;
    if (today == NULL || ct_date_parse(today, &t) != 0)
        return ct_fail(err, 500, "mau02.today", "ngày hiện tại không hợp lệ",
                       "today's date is not valid");
    if (mau02_check_row_all(cells, row, today, out, &errors) > 0) {
        /* the leftmost problem alone, as one refusal */
        errors.total = errors.count > 0 ? 1 : errors.total;
        rc = mau02_errors_summary(&errors, err);
    }
    mau02_errors_free(&errors);
    return rc;
}

/* A later row with the ID number or the e-mail of an earlier one: at the later row's cell. */
static void duplicate(mau02_errors *errors, const mau02_applicant *first,
                      const mau02_applicant *again, bool same_id)
{
    char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX];
    const char *value = same_id ? first->id_number : first->email;

    snprintf(vi, sizeof vi, "dòng %d và dòng %d trùng %s (%s)", first->row, again->row,
             same_id ? "số giấy tờ tùy thân" : "thư điện tử", value);
    snprintf(en, sizeof en, "rows %d and %d have the same %s (%s)", first->row, again->row,
             same_id ? "ID number" : "e-mail", value);
    mau02_errors_add(errors, again->row, same_id ? COL_ID : COL_EMAIL, "mau02.duplicate", vi, en);
}

int mau02_check_duplicates(const mau02_applicant *list, size_t count, mau02_errors *errors,
                           ct_error *err)
{
    mau02_errors own = {0}, *e = errors ? errors : &own;
    size_t before = e->total;
    int rc = 0;

    /* each later row once per value it repeats, naming the first row that had it */
    for (size_t j = 1; j < count; j++) {
        bool id_seen = false, email_seen = false;
        for (size_t i = 0; i < j && !(id_seen && email_seen); i++) {
            if (!id_seen && strcmp(list[i].id_number, list[j].id_number) == 0) {
                duplicate(e, &list[i], &list[j], true);
                id_seen = true;
            }
            if (!email_seen && strcasecmp(list[i].email, list[j].email) == 0) {
                duplicate(e, &list[i], &list[j], false);
                email_seen = true;
            }
        }
    }
    if (e->total > before) {
        mau02_errors_sort(e);
        rc = mau02_errors_summary(e, err);
    }
    mau02_errors_free(&own);
    return rc;
}

/* ---- CSV ---- */

typedef struct csv_reader {
    const char *p;
    const char *end;
    char sep;
    int record;   /* physical record number of the record last read, 1-based */
    int bad_cell; /* 0-based cell of a reading error */
    bool blank;   /* the record last read has nothing but spaces in its cells */
} csv_reader;

enum { CSV_END = 0, CSV_QUOTING = -1, CSV_TOO_LONG = -2, CSV_NUL = -3 };

/*
 * Read one record. The first MAU02_COLUMNS cells go to cells[0..12]; further ones are read into
 * cells[13] and dropped, only counted, so that a row with extra cells can be reported with its
 * count. Returns the number of cells, CSV_END at the end of the data, or an error (bad_cell
 * says where).
 */
static int read_record(csv_reader *r, char cells[MAU02_COLUMNS + 1][MAU02_MAX_CELL + 1])
{
    int n = 0;
    size_t len = 0;
    bool quoted = false, was_quoted = false, only_spaces = true;
    char *cell = cells[0];

    if (r->p >= r->end)
        return CSV_END;
    r->record++;
    r->blank = true;
    r->bad_cell = 0;
    while (r->p < r->end) {
        char c = *r->p++;
        if (c == '\0') {
            r->bad_cell = n;
            return CSV_NUL;
        }
        if (quoted) {
            if (c == '"') {
                if (r->p < r->end && *r->p == '"') {
                    r->p++;
                } else {
                    quoted = false;
                    continue;
                }
            } else if (c == '\r' || c == '\n') {
                /* A line break typed inside a cell (Alt+Enter) only wraps the text on screen:
                 * it becomes a space, which the field cleaner then collapses. */
                if (c == '\r' && r->p < r->end && *r->p == '\n')
                    r->p++;
                c = ' ';
            }
        } else if (c == r->sep || c == '\n' || c == '\r') {
            cell[len] = '\0';
            n++;
            len = 0;
            was_quoted = false;
            only_spaces = true;
            cell = cells[n < MAU02_COLUMNS ? n : MAU02_COLUMNS];
            if (c == '\r' && r->p < r->end && *r->p == '\n')
                r->p++;
            if (c != r->sep)
                return n;
            continue;
        } else if (c == '"' && !was_quoted && only_spaces) {
            /* an opening quote, possibly after spaces a person put after the separator */
            quoted = was_quoted = true;
            len = 0;
            continue;
        } else if (was_quoted) {
            if (c == ' ' || c == '\t')
                continue; /* spaces between the closing quote and the separator */
            r->bad_cell = n;
            return CSV_QUOTING; /* text after a closing quote */
        }
        if (len >= MAU02_MAX_CELL) {
            r->bad_cell = n;
            return CSV_TOO_LONG;
        }
        if (c != ' ' && c != '\t')
            r->blank = only_spaces = false;
        cell[len++] = c;
    }
    if (quoted) {
        r->bad_cell = n;
        return CSV_QUOTING;
    }
    cell[len] = '\0';
    return n + 1;
}

/*
 * ',' or ';', from the first line. Spreadsheets in Vietnamese locales export with ';' and quote
 * only cells holding a ';', so a header such as "Cơ quan, đơn vị công tác" brings a bare ','
 * into a ';' file: ';' is taken when the first line has no ',' outside quotes but has a ';', or
 * when its ';' split it into exactly the 13 columns and its ',' do not.
 */
static char detect_separator(const char *p, const char *end)
{
    bool quoted = false;
    int commas = 0, semicolons = 0;

    while (p < end && (*p == '\r' || *p == '\n'))
        p++;
    for (; p < end; p++) {
        if (*p == '"')
            quoted = !quoted; /* a doubled quote toggles twice */
        else if (!quoted && (*p == '\r' || *p == '\n'))
            break;
        else if (!quoted && *p == ',')
            commas++;
        else if (!quoted && *p == ';')
            semicolons++;
    }
    if (commas == 0 && semicolons > 0)
        return ';';
    if (semicolons == MAU02_COLUMNS - 1 && commas != MAU02_COLUMNS - 1)
        return ';';
    return ',';
}

/* The header row's first cell: "STT" (số thứ tự) as the form has it, or the variants seen. */
static bool is_header(const char *first_cell)
{
    static const char *const names[] = {"stt", "tt", "so tt", "so thu tu", "thu tu"};
    char folded[48], bare[48];
    size_t n = 0;

    if (text_fold(first_cell, folded, sizeof folded, NULL) != 0)
        return false;
    for (const char *p = folded; *p; p++)
        if (*p != '.')
            bare[n++] = *p;
    bare[n] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(bare, names[i]) == 0)
            return true;
    return false;
}

/* A reading error, at its cell (or its cell's number past the 13th). */
static void reader_fail(const csv_reader *r, int got, mau02_errors *errors)
{
    int col = r->bad_cell;
    char where_vi[48] = "", where_en[48] = "";
    ct_error e;

    switch (got) {
    case CSV_TOO_LONG:
        ct_fail(&e, 400, "mau02.cell_too_long", "ô dài quá %d byte",
                "the cell is longer than %d bytes", MAU02_MAX_CELL);
        break;
    case CSV_NUL:
        ct_fail(&e, 400, "mau02.binary",
                "có byte NUL: đây không phải tệp CSV (hãy lưu danh sách dạng \"CSV UTF-8\")",
                "holds a NUL byte: this is not a CSV file (save the list as \"CSV UTF-8\")");
        break;
    default:
        ct_fail(&e, 400, "mau02.quoting",
                "dấu ngoặc kép không khớp (ô mở bằng \" phải đóng bằng \"; dấu \" bên trong viết "
                "thành \"\")",
                "unbalanced quotes (a cell opened with \" must close with \"; a \" inside is "
                "written \"\")");
        break;
    }
    if (col >= MAU02_COLUMNS) {
        snprintf(where_vi, sizeof where_vi, "ô thứ %d: ", col + 1);
        snprintf(where_en, sizeof where_en, "cell %d: ", col + 1);
        ct_error_prefix(&e, where_vi, where_en);
        col = -1;
    }
    add_error(errors, r->record, col, &e);
}

/* What the rows read so far have decided, for every input read row by row (CSV, spreadsheet). */
typedef struct row_taker {
    const char *today;
    mau02_applicant *list; /* MAU02_MAX_ROWS of them */
    size_t n;              /* rows without a problem, in list */
    int rows;              /* rows taken (not blank, not the header) */
    bool first;            /* no row seen yet: the next one may be the header */
    mau02_errors *errors;
} row_taker;

/* One row of `got` cells (the first 13 in cells), numbered `record`; false when reading has to
 * stop (too many rows). Blank rows and the header are skipped; a row with another number of
 * cells is a problem of the row as a whole. */
static bool take_row(row_taker *t, const char *const cells[MAU02_COLUMNS], int got, int record,
                     bool blank)
{
    ct_error e;

    if (blank)
        return true; /* an empty line, or an empty row a spreadsheet exported as ",,,,," */
    if (t->first) {
        t->first = false;
        if (is_header(cells[0] ? cells[0] : ""))
            return true;
    }
    if (t->rows == MAU02_MAX_ROWS) {
        ct_fail(&e, 400, "mau02.too_many", "danh sách quá %d người, hãy chia thành nhiều hồ sơ",
                "more than %d applicants, split the list into several dossiers", MAU02_MAX_ROWS);
        add_error(t->errors, record, -1, &e);
        return false;
    }
    t->rows++;
    if (got != MAU02_COLUMNS) {
        ct_fail(&e, 400, "mau02.columns",
                "có %d cột, mẫu 02 có %d cột (STT, Họ và tên, … , Số hiệu chứng thư số cũ; "
                "cột cuối có thể để trống)",
                "%d cells, the Mẫu 02 list has %d columns (row number, full name, …, "
                "previous certificate serial; the last may be left empty)",
                got, MAU02_COLUMNS);
        add_error(t->errors, record, -1, &e);
        return true;
    }
    if (mau02_check_row_all(cells, record, t->today, &t->list[t->n], t->errors) == 0)
        t->n++;
    return true;
}

/* Reads every record into the taker; false when reading had to stop (a problem leaving the rest
 * unreadable, or too many rows). */
static bool read_rows(csv_reader *r, char (*cells)[MAU02_MAX_CELL + 1], row_taker *t)
{
    int got;

    while ((got = read_record(r, cells)) != CSV_END) {
        const char *row[MAU02_COLUMNS];
        if (got < 0) {
            reader_fail(r, got, t->errors);
            return false;
        }
        for (int c = 0; c < MAU02_COLUMNS; c++)
            row[c] = cells[c];
        if (!take_row(t, row, got, r->record, r->blank))
            return false;
    }
    return true;
}

/* The end of every reading: an empty list, duplicates (among the rows read, even when reading
 * stopped: they are problems too), and the answer. */
static int finish_list(row_taker *t, size_t before, mau02_applicant **out, size_t *count,
                       mau02_errors *own, ct_error *err)
{
    mau02_errors *e = t->errors;
    mau02_applicant *fit;
    ct_error one;

    if (t->n == 0 && e->total == before) {
        ct_fail(&one, 400, "mau02.empty", "danh sách không có người đề nghị nào",
                "the list has no applicant");
        add_error(e, 0, -1, &one);
    }
    mau02_check_duplicates(t->list, t->n, e, NULL);
    if (e->total > before) {
        free(t->list);
        mau02_errors_sort(e);
        mau02_errors_summary(e, err);
        mau02_errors_free(own);
        return -1;
    }
    fit = realloc(t->list, t->n * sizeof *t->list);
    *out = fit ? fit : t->list;
    *count = t->n;
    mau02_errors_free(own);
    return 0;
}

static bool blank_cell(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t')
            return false;
    return true;
}

int mau02_parse_rows(const mau02_row *rows, size_t n, const char *today, mau02_applicant **out,
                     size_t *count, mau02_errors *errors, ct_error *err)
{
    mau02_errors own = {0};
    row_taker t = {.today = today, .first = true, .errors = errors ? errors : &own};
    size_t before = t.errors->total;
    ct_date d;
    ct_error e;

    *out = NULL;
    *count = 0;
    if (today == NULL || ct_date_parse(today, &d) != 0)
        return ct_fail(err, 500, "mau02.today", "ngày hiện tại không hợp lệ",
                       "today's date is not valid");
    t.list = calloc(MAU02_MAX_ROWS, sizeof *t.list);
    if (t.list == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    for (size_t i = 0; i < n; i++) {
        const mau02_row *r = &rows[i];
        bool blank = r->width <= MAU02_COLUMNS, too_long = false;
        for (int c = 0; c < MAU02_COLUMNS; c++) {
            if (!blank_cell(r->cells[c]))
                blank = false;
            if (r->cells[c] && strlen(r->cells[c]) > MAU02_MAX_CELL) {
                ct_fail(&e, 400, "mau02.cell_too_long", "ô dài quá %d byte",
                        "the cell is longer than %d bytes", MAU02_MAX_CELL);
                add_error(t.errors, r->row, c, &e);
                too_long = true;
            }
        }
        if (too_long) {
            t.first = false;
            t.rows++;
            continue;
        }
        /* a spreadsheet row has every column: cells left empty at its end are still there */
        if (!take_row(&t, r->cells, r->width > MAU02_COLUMNS ? r->width : MAU02_COLUMNS, r->row,
                      blank))
            break;
    }
    return finish_list(&t, before, out, count, &own, err);
}

int mau02_parse_csv(const char *data, size_t len, const char *today, mau02_applicant **out,
                    size_t *count, mau02_errors *errors, ct_error *err)
{
    static const char bom[] = "\xEF\xBB\xBF";
    /* 14 cells of 1 KiB: on the heap, the reader may run on a small thread stack */
    char(*cells)[MAU02_MAX_CELL + 1];
    csv_reader r = {0};
    mau02_errors own = {0};
    row_taker t = {.today = today, .first = true, .errors = errors ? errors : &own};
    size_t before = t.errors->total;
    ct_date d;
    ct_error one;

    *out = NULL;
    *count = 0;
    if (today == NULL || ct_date_parse(today, &d) != 0)
        return ct_fail(err, 500, "mau02.today", "ngày hiện tại không hợp lệ",
                       "today's date is not valid");
    if (len > MAU02_MAX_BYTES) {
        ct_fail(&one, 400, "mau02.too_large",
                "tệp danh sách quá lớn (%zu byte, tối đa %d): hãy chia thành nhiều hồ sơ",
                "the list file is too large (%zu bytes, %d at most): split it into several "
                "dossiers",
                len, MAU02_MAX_BYTES);
        add_error(t.errors, 0, -1, &one);
        mau02_errors_sort(t.errors);
        mau02_errors_summary(t.errors, err);
        mau02_errors_free(&own);
        return -1;
    }
    r.p = data;
    r.end = data + len;
    if (len >= 3 && memcmp(data, bom, 3) == 0)
        r.p += 3; /* "CSV UTF-8" as Excel saves it */
    r.sep = detect_separator(r.p, r.end);
    cells = malloc((MAU02_COLUMNS + 1) * sizeof *cells);
    t.list = calloc(MAU02_MAX_ROWS, sizeof *t.list);
    if (cells == NULL || t.list == NULL) {
        free(cells);
        free(t.list);
        mau02_errors_free(&own);
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    read_rows(&r, cells, &t);
    free(cells);
    return finish_list(&t, before, out, count, &own, err);
}
