/*
 * test_sheet.c — spreadsheet lists: date serials in both date systems (with the 1900 leap-year
 * bug), the template read back by the reader, the refusals of files that are no workbook, and
 * the Mẫu 02 reader taking a spreadsheet's rows (blank rows, header, width, long cells, count).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mau02.h"
#include "sheet/sheet.h"

#define TODAY "2026-11-24"

static const char *serial(double s, bool date1904)
{
    static char out[11];
    if (sheet_serial_date(s, date1904, out) != 0)
        return "refused";
    return out;
}

static void test_serial_1900(void **state)
{
    (void)state;
    assert_string_equal(serial(1, false), "1900-01-01");
    assert_string_equal(serial(59, false), "1900-02-28");
    /* the day Lotus 1-2-3 invented and Excel kept: shown, so that a date reader refuses it */
    assert_string_equal(serial(60, false), "1900-02-29");
    assert_string_equal(serial(61, false), "1900-03-01");
    assert_string_equal(serial(31118, false), "1985-03-12");
    assert_string_equal(serial(45658, false), "2025-01-01");
    assert_string_equal(serial(45658.99, false), "2025-01-01"); /* the time of day dropped */
    assert_string_equal(serial(2958465, false), "9999-12-31");
    assert_string_equal(serial(0, false), "refused"); /* Excel's "00/01/1900" */
    assert_string_equal(serial(0.5, false), "refused");
    assert_string_equal(serial(-1, false), "refused");
    assert_string_equal(serial(2958466, false), "refused");
    assert_string_equal(serial(NAN, false), "refused");
    assert_string_equal(serial(INFINITY, false), "refused");
}

static void test_serial_1904(void **state)
{
    (void)state;
    assert_string_equal(serial(0, true), "1904-01-01");
    assert_string_equal(serial(59, true), "1904-02-29"); /* 1904 is a leap year */
    assert_string_equal(serial(29776, true), "1985-07-10");
    assert_string_equal(serial(-1, true), "refused");
}

static void test_template_reads_back(void **state)
{
    unsigned char *data;
    size_t len;
    sheet_table t;
    ct_error err;

    (void)state;
    assert_int_equal(sheet_mau02_template(&data, &len, &err), 0);
    assert_true(sheet_is_zip(data, len));
    assert_int_equal(sheet_xlsx_read(data, len, 10, &t, &err), 0);
    assert_int_equal(t.count, 1);
    assert_false(t.more);
    assert_int_equal(t.rows[0].number, 1);
    assert_int_equal(t.rows[0].width, MAU02_COLUMNS);
    for (int c = 0; c < MAU02_COLUMNS; c++)
        assert_string_equal(t.rows[0].cells[c], mau02_column_vi(c));
    assert_null(t.rows[0].cells[MAU02_COLUMNS]);
    sheet_table_free(&t);

    /* every byte cut off at the end, or one flipped in the middle: refused, never read */
    assert_int_equal(sheet_xlsx_read(data, len - 100, 10, &t, &err), -1);
    assert_string_equal(err.code, "list.xlsx_invalid");
    assert_int_equal(t.count, 0);
    free(data);
}

static void test_refusals(void **state)
{
    static const unsigned char ole[] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0};
    sheet_table t;
    ct_error err;
    unsigned char *big;

    (void)state;
    assert_int_equal(sheet_xlsx_read((const unsigned char *)"STT,Họ", 8, 10, &t, &err), -1);
    assert_string_equal(err.code, "list.xlsx_invalid");
    assert_int_equal(err.status, 400);
    assert_int_equal(sheet_xlsx_read((const unsigned char *)"PK\3\4garbage", 11, 10, &t, &err), -1);
    assert_string_equal(err.code, "list.xlsx_invalid");
    assert_int_equal(sheet_xlsx_read(ole, sizeof ole, 10, &t, &err), -1);
    assert_string_equal(err.code, "list.xlsx_encrypted");
    assert_int_equal(sheet_xlsx_read((const unsigned char *)"", 0, 10, &t, &err), -1);
    assert_string_equal(err.code, "list.xlsx_invalid");
    big = calloc(1, SHEET_XLSX_MAX_BYTES + 1);
    assert_non_null(big);
    memcpy(big, "PK\3\4", 4);
    assert_int_equal(sheet_xlsx_read(big, SHEET_XLSX_MAX_BYTES + 1, 10, &t, &err), -1);
    assert_string_equal(err.code, "list.xlsx_too_large");
    free(big);
    assert_false(sheet_is_zip((const unsigned char *)"PK", 2));
}

/* A valid applicant row, as cells of a spreadsheet row. */
static mau02_row row(int number, const char *name, const char *id, const char *email)
{
    mau02_row r = {.row = number,
                   .width = 12,
                   .cells = {"1", name, "1985-03-12", id, "10/05/2021", "Cục CS", email, "Vụ A",
                             "Hà Nội", "Chuyên viên", "Công chức", "0912345678", NULL}};
    return r;
}

static void test_rows(void **state)
{
    mau02_row rows[6];
    mau02_applicant *list;
    mau02_errors errors = {0};
    size_t n;
    ct_error err;
    char *long_cell = malloc(MAU02_MAX_CELL + 2);

    (void)state;
    memset(long_cell, 'a', MAU02_MAX_CELL + 1);
    long_cell[MAU02_MAX_CELL + 1] = '\0';
    rows[0] = (mau02_row){.row = 1, .width = 2, .cells = {"STT", "Họ và tên"}};
    rows[1] = row(2, "Nguyễn Văn An", "001080000001", "an@x.gov.vn");
    rows[2] = (mau02_row){.row = 3, .width = 3, .cells = {" ", NULL, "  "}}; /* only spaces */
    rows[3] = row(7, "Trần Văn Bình", "001080000002", "binh@x.gov.vn");
    assert_int_equal(mau02_parse_rows(rows, 4, TODAY, &list, &n, NULL, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(list[1].row, 7);
    assert_string_equal(list[0].birth_date, "1985-03-12");
    assert_string_equal(list[1].full_name, "Trần Văn Bình");
    free(list);

    /* a cell past the 13th, a cell too long, a duplicate: each at its place */
    rows[3].width = 15;
    rows[4] = row(8, long_cell, "001080000003", "c@x.gov.vn");
    rows[5] = row(9, "Lê Văn Cường", "001080000001", "d@x.gov.vn");
    assert_int_equal(mau02_parse_rows(rows, 6, TODAY, &list, &n, &errors, &err), -1);
    assert_null(list);
    assert_int_equal(errors.total, 3);
    assert_int_equal(errors.items[0].row, 7);
    assert_string_equal(errors.items[0].code, "mau02.columns");
    assert_int_equal(errors.items[1].row, 8);
    assert_int_equal(errors.items[1].column, 1);
    assert_string_equal(errors.items[1].code, "mau02.cell_too_long");
    assert_int_equal(errors.items[2].row, 9);
    assert_string_equal(errors.items[2].code, "mau02.duplicate");
    assert_string_equal(err.code, "mau02.invalid");
    mau02_errors_free(&errors);

    /* nothing but the header and blank rows */
    assert_int_equal(mau02_parse_rows(rows, 1, TODAY, &list, &n, NULL, &err), -1);
    assert_string_equal(err.code, "mau02.empty");
    assert_int_equal(mau02_parse_rows(rows, 0, "not a day", &list, &n, NULL, &err), -1);
    assert_string_equal(err.code, "mau02.today");
    free(long_cell);
}

static void test_too_many_rows(void **state)
{
    enum { N = MAU02_MAX_ROWS + 2 };
    mau02_row *rows = calloc(N, sizeof *rows);
    char(*ids)[16] = calloc(N, 16), (*emails)[32] = calloc(N, 32);
    mau02_applicant *list;
    size_t n;
    ct_error err;

    (void)state;
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], 16, "0010800%05d", i);
        snprintf(emails[i], 32, "p%d@x.gov.vn", i);
        rows[i] = row(i + 2, "Nguyễn Văn An", ids[i], emails[i]);
    }
    assert_int_equal(mau02_parse_rows(rows, MAU02_MAX_ROWS, TODAY, &list, &n, NULL, &err), 0);
    assert_int_equal(n, MAU02_MAX_ROWS);
    free(list);
    assert_int_equal(mau02_parse_rows(rows, N, TODAY, &list, &n, NULL, &err), -1);
    assert_string_equal(err.code, "mau02.too_many");
    assert_non_null(strstr(err.en, "row 502"));
    free(rows);
    free(ids);
    free(emails);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serial_1900),
        cmocka_unit_test(test_serial_1904),
        cmocka_unit_test(test_template_reads_back),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_too_many_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
