/*
 * mau02.h — the agency's request list (Mẫu 02, Circular 185/2019/TT-BQP) as input.
 *
 * An agency asks the CA for certificates for one or more of its people with one list, one row per
 * applicant, in the column order of a real agency list:
 *   STT | Họ và tên | Ngày sinh | Số CCCD/CMND/Hộ chiếu | Ngày cấp | Nơi cấp |
 *   Thư điện tử công vụ | Cơ quan, đơn vị công tác | Tỉnh/thành phố | Chức vụ |
 *   Ngạch/Vị trí (Cán bộ / Công chức / Viên chức) | Số điện thoại di động |
 *   Số hiệu chứng thư số cũ (nếu có)
 * This module turns such a row into a checked, canonical applicant (NFC text, ISO dates, one
 * spelling of the province and of the phone number), and a whole CSV export of the list into an
 * array of them. Every refusal names the row and the column, in Vietnamese and in English, so the
 * clerk who typed the list can find and fix the cell.
 *
 * Row numbers are the ones a spreadsheet shows: the physical record number in the file, the
 * header row (when present) being row 1 and blank lines counted. The STT cell itself is not
 * checked: clerks renumber, merge and leave it empty, and the row number is what locates a cell.
 */
#ifndef CT_CORE_MAU02_H
#define CT_CORE_MAU02_H

#include <stddef.h>

#include "core/error.h"

#define MAU02_COLUMNS 13
#define MAU02_MAX_ROWS 500            /* applicants in one list ("mau02.too_many") */
#define MAU02_MAX_BYTES (1024 * 1024) /* size of one CSV file ("mau02.too_large") */
#define MAU02_MAX_CELL 1024           /* bytes in one CSV cell ("mau02.cell_too_long") */

/* The procedure's eligibility condition: the applicant is one of these three. */
typedef enum { CATEGORY_CAN_BO, CATEGORY_CONG_CHUC, CATEGORY_VIEN_CHUC } position_category;

/* "can_bo", "cong_chuc", "vien_chuc": the stable names in the API and the database */
const char *position_category_name(position_category c);
/* "Cán bộ", "Công chức", "Viên chức": as printed on forms */
const char *position_category_label_vi(position_category c);
/* Case- and diacritic-insensitive: "công chức", "CONG CHUC", "cong_chuc" all match. 0 or -1
 * (no error value: the caller names the row and field). */
int position_category_parse(const char *typed, position_category *out);

/* A checked row: text in NFC, trimmed, inner spaces collapsed; everything in one spelling. */
typedef struct mau02_applicant {
    int row;                /* row in the file as a spreadsheet numbers it (see above); for
                               other inputs, whatever number the caller passed */
    char full_name[260];    /* ≤ 64 code points: it becomes the certificate's CN */
    char birth_date[11];    /* YYYY-MM-DD; 18 to 80 years old on `today` */
    char id_number[16];     /* CCCD 12 digits, CMND 9 digits, passport letter + 7 digits */
    char id_kind[12];       /* "cccd" | "cmnd" | "passport" */
    char id_issued_on[11];  /* YYYY-MM-DD, after birth, not in the future */
    char id_issued_at[260]; /* ≤ 128 code points */
    char email[256];        /* domain lower-cased */
    char unit[260];         /* ≤ 64 code points: it becomes an OU */
    char province[64];      /* canonical name, one of the 34 (province_canonical) */
    char position[260];     /* chức vụ, required, ≤ 128 code points */
    position_category category;
    char phone[16];           /* 0XXXXXXXXX, a Vietnamese mobile number */
    char previous_serial[41]; /* "" or upper-case hex, ≤ 40 digits */
} mau02_applicant;

/* Column names for messages and templates ("?" out of range). */
const char *mau02_column_vi(int i);
const char *mau02_column_en(int i);

/*
 * Every problem found in a list, so that the clerk can fix them all in one go. A problem is
 * placed at a row (as the spreadsheet numbers it; 0 for the list as a whole: its size, an empty
 * list, malformed JSON) and a column (0..12; -1 when no single column: a row with the wrong
 * number of cells, a row that is not an object). Its messages are without the "dòng R, cột …"
 * prefix, since row and column are given apart. The first MAU02_ERRORS_KEPT are kept, sorted by
 * row then column; total counts them all.
 */
#define MAU02_ERRORS_KEPT 100

typedef struct mau02_problem {
    int row;
    int column;
    char code[64];           /* as a ct_error's: "mau02.date_invalid", "text.too_long", … */
    char vi[CT_ERR_MSG_MAX]; /* Vietnamese message */
    char en[CT_ERR_MSG_MAX]; /* English message */
} mau02_problem;

typedef struct mau02_errors {
    mau02_problem *items; /* malloc'd; count of them */
    size_t count;         /* ≤ MAU02_ERRORS_KEPT */
    size_t total;         /* problems found, kept or not */
} mau02_errors;

/* Record one problem (kept while fewer than MAU02_ERRORS_KEPT are, and memory allows; always
 * counted). For readers of other formats (JSON). */
void mau02_errors_add(mau02_errors *errors, int row, int column, const char *code, const char *vi,
                      const char *en);
/* Sort the kept problems by row, then column. */
void mau02_errors_sort(mau02_errors *errors);
/* The summary for callers that know only ct_error (status 400), returns -1. One problem: its code
 * and its message prefixed with where it is ("dòng 2, cột \"Ngày sinh\": …"), as a single
 * refusal always read. Several: code "mau02.invalid", "3 lỗi trong danh sách; lỗi đầu tiên: dòng
 * 2, cột …" / "3 errors in the list; the first: row 2, field …". */
int mau02_errors_summary(const mau02_errors *errors, ct_error *err);
/* Frees the kept problems and zeroes the counts; the struct can be used again. NULL is fine. */
void mau02_errors_free(mau02_errors *errors);

/*
 * Check one row's raw cells (NULL or "" when missing; cells[0], STT, is not looked at). today is
 * "YYYY-MM-DD", the local date, passed in so that results are reproducible. Accepted spellings:
 * dates DD/MM/YYYY (also D/M/YYYY, '-' or '.' between, a trailing time of day ignored) or
 * YYYY-MM-DD; ID numbers with spaces, passport letter in either case (stored upper-case); phone
 * numbers with +84 or 84 for the leading 0, spaces, dots, dashes, parentheses; serials with
 * spaces or colons between the hex digits. Every cell is checked; the leftmost
 * problem is reported, as "dòng R, cột \"…\": …" / "row R, field \"…\": …", with one of the codes
 * mau02.field_missing, mau02.date_invalid, mau02.age, mau02.id_invalid, mau02.phone_invalid,
 * mau02.category_invalid, mau02.serial_invalid, province.unknown, email.invalid, text.empty,
 * text.too_long, text.control_char, text.invalid_utf8, text.name_chars (a full name of anything
 * but letters, spaces and ' - .), text.formula and text.markup (issue place, unit or position
 * beginning with = + - @, or holding < >) (status 400); "mau02.today" (500) when
 * today is not a date. out (the caller's) is zeroed first and filled; on failure it holds the
 * fields that passed and nothing to free. cells and out must not be NULL.
 */
int mau02_check_row(const char *const cells[MAU02_COLUMNS], int row, const char *today,
                    mau02_applicant *out, ct_error *err);

/* The same, every problem of the row added to errors (not NULL); returns how many. today must
 * be a valid date (the caller checked it: mau02_check_row's 500). */
size_t mau02_check_row_all(const char *const cells[MAU02_COLUMNS], int row, const char *today,
                           mau02_applicant *out, mau02_errors *errors);

/* No two applicants with the same ID number or the same e-mail (case-insensitive):
 * "mau02.duplicate", naming both rows, placed at the later row's cell. Every such row is added to
 * errors (NULL: none kept), and err gets errors' summary. For every input format (CSV, JSON). */
int mau02_check_duplicates(const mau02_applicant *list, size_t count, mau02_errors *errors,
                           ct_error *err);

/*
 * A whole list exported as CSV: RFC 4180 quoting ("" inside quotes, separators and line breaks
 * in quoted cells), CRLF, LF or CR line ends, an optional UTF-8 byte order mark, an optional
 * header row (its first cell folds to "stt", or "tt", "số tt", "số thứ tự"), blank lines and rows
 * of empty cells skipped. The separator is ',' unless the first line has no ',' outside quotes and
 * has a ';', or splits into the 13 columns on ';' but not on ',' (spreadsheets in Vietnamese
 * locales export with ';' and quote only cells holding a ';'). Every row is checked, then
 * duplicates. Refusals beyond mau02_check_row's: mau02.too_large (> 1 MiB), mau02.cell_too_long (>
 * 1024 bytes), mau02.columns (a row without exactly 13 cells), mau02.quoting, mau02.binary (a NUL
 * byte), mau02.too_many (> 500 rows), mau02.empty, mau02.duplicate. Every row is read and checked
 * and every problem goes into errors (NULL: a list of the call's own, freed), except that reading
 * stops at a problem that leaves the rest unreadable or is about the whole list (quoting, NUL,
 * a cell too long, too many rows, too large); err gets the summary (mau02_errors_summary). Any
 * problem: -1 and nothing output. On success *out is malloc'd (free() it) and holds *count
 * applicants. errors is the caller's, zeroed or freed before; free it with mau02_errors_free.
 */
int mau02_parse_csv(const char *data, size_t len, const char *today, mau02_applicant **out,
                    size_t *count, mau02_errors *errors, ct_error *err);

/*
 * A list read from a spreadsheet file by another module (an .xlsx workbook's first sheet): one
 * row as the spreadsheet numbers it, its first 13 cells as text (NULL when empty) and its width,
 * 1 + the column of its last non-empty cell (a row that goes on past the 13th column is a
 * mau02.columns problem; one that stops early has its last cells empty).
 */
typedef struct mau02_row {
    int row;
    int width;
    const char *cells[MAU02_COLUMNS];
} mau02_row;

/* The rows of a spreadsheet, read as mau02_parse_csv reads a CSV file's records: blank rows and
 * the header skipped, every row checked, then duplicates, every problem into errors; a cell
 * longer than MAU02_MAX_CELL is mau02.cell_too_long at its place. Same answer and ownership as
 * mau02_parse_csv. */
int mau02_parse_rows(const mau02_row *rows, size_t n, const char *today, mau02_applicant **out,
                     size_t *count, mau02_errors *errors, ct_error *err);

#endif
