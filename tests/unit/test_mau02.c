/*
 * test_mau02.c — reading an agency's request list: the sample file, CSV dialects, and every
 * refusal naming its row, field and code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mau02.h"

#define TODAY "2026-11-24"
#define HEADER                                                                                                           \
    "STT,Họ và tên,Ngày sinh,Số CCCD,Ngày cấp,Nơi cấp,Email,Đơn vị,Tỉnh,Chức vụ,Ngạch,Điện " \
    "thoại,Số hiệu cũ\n"
#define ROW1                                                                                               \
    "1,Nguyễn Văn An,01/02/1980,001080000001,01/01/2021,Cục CS,an@x.gov.vn,Vụ A,Hà Nội,Chuyên " \
    "viên,Công chức,0912000001,\n"
#define ROW2                                                                                                \
    "2,Lê Thị Bình,01/02/1981,001081000002,01/01/2021,Cục CS,binh@x.gov.vn,Vụ A,Hà Nội,Chuyên " \
    "viên,Viên chức,0912000002,\n"

static int parse(const char *csv, mau02_applicant **list, size_t *n, ct_error *err)
{
    return mau02_parse_csv(csv, strlen(csv), TODAY, list, n, err);
}

/* The list must be refused with code, and the message must name row and field. */
static void refused(const char *csv, const char *code, const char *where)
{
    mau02_applicant *list = NULL;
    size_t n = 0;
    ct_error err = {0};

    if (parse(csv, &list, &n, &err) == 0) {
        free(list);
        fail_msg("accepted, expected %s", code);
    }
    assert_string_equal(err.code, code);
    if (where && strstr(err.en, where) == NULL)
        fail_msg("\"%s\" not in \"%s\"", where, err.en);
    assert_null(list);
}

static void test_sample_file(void **state)
{
    char path[1024];
    const char *src = getenv("CT_SRC");
    FILE *f;
    static char data[65536];
    size_t len;
    mau02_applicant *list;
    size_t n;
    ct_error err = {0};
    (void)state;

    snprintf(path, sizeof path, "%s/data/samples/mau02.csv", src ? src : ".");
    f = fopen(path, "rb");
    assert_non_null(f);
    len = fread(data, 1, sizeof data, f);
    fclose(f);
    assert_int_equal(mau02_parse_csv(data, len, TODAY, &list, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(list[0].full_name, "Nguyễn Thị Thu Hà");
    assert_string_equal(list[0].birth_date, "1985-03-12");
    assert_string_equal(list[0].id_kind, "cccd");
    assert_int_equal(list[0].row, 2); /* the header is row 1 */
    assert_string_equal(list[1].unit, "Vụ Pháp chế, Phòng 2");
    assert_string_equal(list[1].phone, "0987654321");
    assert_string_equal(list[2].province, "Hồ Chí Minh");
    assert_string_equal(list[2].phone, "0905123456");
    assert_int_equal(list[2].category, CATEGORY_VIEN_CHUC);
    assert_string_equal(list[2].previous_serial, "5A3F0C11D2E4B6A7");
    free(list);
}

static void test_dialects(void **state)
{
    mau02_applicant *list;
    size_t n;
    ct_error err = {0};
    (void)state;

    /* no header, LF, doubled quotes in a quoted cell, a blank line */
    assert_int_equal(parse("1,\"Trần \"\"Bé\"\" Ba\",01/02/1980,001080000001,01/01/2021,Cục CS,"
                           "ba@x.gov.vn,Vụ A,Hà Nội,Chuyên viên,cong_chuc,0912000001,\n\n" ROW2,
                           &list, &n, &err),
                     0);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].full_name, "Trần \"Bé\" Ba");
    assert_int_equal(list[0].row, 1);
    free(list);
    /* ';' separated, as spreadsheets in a Vietnamese locale export */
    assert_int_equal(parse("1;Nguyễn Văn An;1980-02-01;001080000001;2021-01-01;Cục CS;"
                           "an@x.gov.vn;Vụ A;ha noi;Chuyên viên;CÔNG CHỨC;0912 000 001;\r\n",
                           &list, &n, &err),
                     0);
    assert_string_equal(list[0].province, "Hà Nội");
    free(list);
    /* decomposed and composed names give the same bytes */
    assert_int_equal(parse("1,Nguye\xcc\x82\xcc\x83n Va\xcc\x86n An,01/02/1980,001080000001,"
                           "01/01/2021,Cục CS,an@x.gov.vn,Vụ A,Hà Nội,Chuyên viên,Công chức,"
                           "0912000001,\n",
                           &list, &n, &err),
                     0);
    assert_string_equal(list[0].full_name, "Nguyễn Văn An");
    free(list);
    /* passport numbers: a letter and 7 digits, upper-cased */
    assert_int_equal(parse("1,Nguyễn Văn An,01/02/1980,c1234567,01/01/2021,Cục QLXNC,an@x.gov.vn,"
                           "Vụ A,Hà Nội,Chuyên viên,Công chức,0912000001,\n",
                           &list, &n, &err),
                     0);
    assert_string_equal(list[0].id_number, "C1234567");
    assert_string_equal(list[0].id_kind, "passport");
    free(list);
}

static void test_refusals(void **state)
{
    char big[700 * 200];
    (void)state;

    refused(HEADER "1,,01/02/1980,001080000001,01/01/2021,Cục CS,an@x.gov.vn,Vụ A,Hà Nội,CV,"
                   "Công chức,0912000001,\n",
            "mau02.field_missing", "row 2, field \"full name\"");
    refused(HEADER "1,An,31/02/1990,001080000001,01/01/2021,Cục CS,an@x.gov.vn,Vụ A,Hà Nội,CV,"
                   "Công chức,0912000001,\n",
            "mau02.date_invalid", "row 2, field \"date of birth\"");
    refused(HEADER "1,An,01/02/2010,001080000001,01/01/2021,Cục CS,an@x.gov.vn,Vụ A,Hà Nội,CV,"
                   "Công chức,0912000001,\n",
            "mau02.age", "row 2");
    refused(HEADER "1,An,01/02/1980,001080000001,01/01/2027,Cục CS,an@x.gov.vn,Vụ A,Hà Nội,CV,"
                   "Công chức,0912000001,\n",
            "mau02.date_invalid", "field \"ID issue date\"");
    refused(HEADER "1,An,01/02/1980,00108000000,01/01/2021,Cục CS,an@x.gov.vn,Vụ A,Hà Nội,CV,"
                   "Công chức,0912000001,\n",
            "mau02.id_invalid", "row 2, field \"ID number\"");
    refused(HEADER "1,An,01/02/1980,001080000001,01/01/2021,Cục CS,an@x.gov.vn,Vụ A,Hà Nội,CV,"
                   "Công chức,0123456789,\n",
            "mau02.phone_invalid", "field \"mobile phone\"");
    refused(HEADER "1,An,01/02/1980,001080000001,01/01/2021,Cục CS,an@x.gov.vn,Vụ A,Hà Nội,CV,"
                   "hợp đồng,0912000001,\n",
            "mau02.category_invalid", "field \"category\"");
    refused(HEADER "1,An,01/02/1980,001080000001,01/01/2021,Cục CS,an@x.gov.vn,Vụ A,Hà Tây,CV,"
                   "Công chức,0912000001,\n",
            "province.unknown", "field \"province\"");
    refused(HEADER "1,An,01/02/1980,001080000001,01/01/2021,Cục CS,an@x,Vụ A,Hà Nội,CV,"
                   "Công chức,0912000001,\n",
            "email.invalid", "field \"official e-mail\"");
    refused(HEADER "1,\"Lê\tVăn\",01/02/1980,001080000001,01/01/2021,Cục CS,an@x.gov.vn,Vụ A,"
                   "Hà Nội,CV,Công chức,0912000001,\n",
            "text.control_char", "row 2, field \"full name\"");
    refused(HEADER ROW1 ROW2 "3,Lê Văn Cường,01/02/1981,001080000001,01/01/2021,Cục CS,"
                             "cuong@x.gov.vn,Vụ A,Hà Nội,CV,Công chức,0912000003,\n",
            "mau02.duplicate", "rows 2 and 4");
    refused(HEADER "1,An,01/02/1980,001080000001\n", "mau02.columns", "row 2");
    refused("", "mau02.empty", NULL);
    refused(HEADER, "mau02.empty", NULL);
    refused(HEADER "1,\"An,01/02/1980\n", "mau02.quoting", "row 2");
    refused(HEADER "1,L\xc3\x28,01/02/1980,001080000001,01/01/2021,Cục CS,an@x.gov.vn,Vụ A,"
                   "Hà Nội,CV,Công chức,0912000001,\n",
            "text.invalid_utf8", NULL);
    /* 501 rows */
    big[0] = '\0';
    size_t len = 0;
    for (int i = 0; i < 501; i++)
        len += (size_t)snprintf(big + len, sizeof big - len,
                                "%d,Người %d,01/02/1980,0010800%05d,01/01/2021,Cục CS,"
                                "u%d@x.gov.vn,Vụ A,Hà Nội,CV,Công chức,0912%06d,\n",
                                i + 1, i, i, i, i);
    refused(big, "mau02.too_many", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_file),
        cmocka_unit_test(test_dialects),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
