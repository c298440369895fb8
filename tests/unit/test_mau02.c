/*
 * test_mau02.c — reading an agency's request list (Mẫu 02): the shipped sample, the CSV dialects
 * spreadsheets produce, the canonical values that come out, and every refusal naming its row,
 * its field (in Vietnamese and English) and its stable code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mau02.h"
#include "core/text.h"

#define TODAY "2026-11-24"

/* A valid row; tests change one cell at a time. */
static const char *const BASE[MAU02_COLUMNS] = {
    "1",          "Nguyễn Văn An",       "01/02/1980",  "001080000001",
    "01/01/2021", "Cục CS QLHC về TTXH", "an@x.gov.vn", "Vụ A",
    "Hà Nội",     "Chuyên viên",         "Công chức",   "0912000001",
    "",
};

/* Append one CSV record, quoting a cell when it needs it (RFC 4180). */
static void append_row(char *buf, size_t size, const char *const cells[MAU02_COLUMNS], char sep)
{
    size_t len = strlen(buf);

    for (int c = 0; c < MAU02_COLUMNS; c++) {
        const char *v = cells[c] ? cells[c] : "";
        bool quote = strchr(v, sep) || strchr(v, '"') || strchr(v, '\n') || strchr(v, '\r');
        if (c > 0)
            len += (size_t)snprintf(buf + len, size - len, "%c", sep);
        if (quote) {
            len += (size_t)snprintf(buf + len, size - len, "\"");
            for (const char *p = v; *p; p++)
                len += (size_t)snprintf(buf + len, size - len, *p == '"' ? "\"\"" : "%c", *p);
            len += (size_t)snprintf(buf + len, size - len, "\"");
        } else {
            len += (size_t)snprintf(buf + len, size - len, "%s", v);
        }
    }
    snprintf(buf + len, size - len, "\r\n");
}

static void append_header(char *buf, size_t size, char sep)
{
    const char *cells[MAU02_COLUMNS];

    for (int c = 0; c < MAU02_COLUMNS; c++)
        cells[c] = mau02_column_vi(c);
    append_row(buf, size, cells, sep);
}

/* header + BASE with one cell replaced: the changed row is row 2 */
static void one_changed(char *buf, size_t size, int col, const char *value)
{
    const char *cells[MAU02_COLUMNS];

    memcpy(cells, BASE, sizeof cells);
    cells[col] = value;
    buf[0] = '\0';
    append_header(buf, size, ',');
    append_row(buf, size, cells, ',');
}

static int parse(const char *csv, mau02_applicant **list, size_t *n, ct_error *err)
{
    return mau02_parse_csv(csv, strlen(csv), TODAY, list, n, NULL, err);
}

/* Refused with code; the messages contain where_vi and where_en; nothing is output. */
static void refused_len(const char *csv, size_t len, const char *code, const char *where_vi,
                        const char *where_en)
{
    mau02_applicant *list = (mau02_applicant *)&list; /* anything but NULL */
    size_t n = 99;
    ct_error err = {0};

    if (mau02_parse_csv(csv, len, TODAY, &list, &n, NULL, &err) == 0) {
        free(list);
        fail_msg("accepted, expected %s", code);
    }
    if (strcmp(err.code, code) != 0)
        fail_msg("code %s, expected %s (%s)", err.code, code, err.en);
    if (where_vi && strstr(err.vi, where_vi) == NULL)
        fail_msg("\"%s\" not in \"%s\"", where_vi, err.vi);
    if (where_en && strstr(err.en, where_en) == NULL)
        fail_msg("\"%s\" not in \"%s\"", where_en, err.en);
    /* messages go to JSON and HTML: always valid text */
    assert_true(text_utf8_valid(err.vi, strlen(err.vi)));
    assert_true(text_utf8_valid(err.en, strlen(err.en)));
    assert_null(list);
    assert_int_equal(n, 0);
}

static void refused(const char *csv, const char *code, const char *where_vi, const char *where_en)
{
    refused_len(csv, strlen(csv), code, where_vi, where_en);
}

/* Row 2 with one cell changed is refused at that cell with code. */
static void cell_refused(int col, const char *value, const char *code)
{
    char csv[8192], vi[128], en[128];

    one_changed(csv, sizeof csv, col, value);
    snprintf(vi, sizeof vi, "dòng 2, cột \"%s\"", mau02_column_vi(col));
    snprintf(en, sizeof en, "row 2, field \"%s\"", mau02_column_en(col));
    refused(csv, code, vi, en);
}

/* Row 2 with one cell changed is accepted; the applicant is copied to *out. */
static void cell_accepted(int col, const char *value, mau02_applicant *out)
{
    char csv[8192];
    mau02_applicant *list = NULL;
    size_t n = 0;
    ct_error err = {0};

    one_changed(csv, sizeof csv, col, value);
    if (parse(csv, &list, &n, &err) != 0)
        fail_msg("\"%s\" refused: %s: %s", value, err.code, err.en);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].row, 2);
    *out = list[0];
    free(list);
}

static char *read_sample(const char *name, size_t *len)
{
    char path[1024];
    const char *src = getenv("CT_SRC");
    static char data[65536];
    FILE *f;

    snprintf(path, sizeof path, "%s/data/samples/%s", src ? src : CT_DATA_DIR "/..", name);
    f = fopen(path, "rb");
    assert_non_null(f);
    *len = fread(data, 1, sizeof data - 1, f);
    fclose(f);
    data[*len] = '\0';
    return data;
}

static void test_sample_file(void **state)
{
    size_t len, n = 0;
    const char *data = read_sample("mau02.csv", &len);
    mau02_applicant *list = NULL;
    ct_error err = {0};
    (void)state;

    /* as a clerk's Excel saves "CSV UTF-8": BOM, CRLF, a header with a quoted comma */
    assert_memory_equal(data, "\xEF\xBB\xBFSTT,", 7);
    assert_non_null(strstr(data, "\r\n"));
    if (mau02_parse_csv(data, len, TODAY, &list, &n, NULL, &err) != 0)
        fail_msg("%s: %s", err.code, err.en);
    assert_int_equal(n, 3);

    assert_int_equal(list[0].row, 2); /* the header is row 1 */
    assert_string_equal(list[0].full_name, "Nguyễn Thị Thu Hà");
    assert_string_equal(list[0].birth_date, "1985-03-12");
    assert_string_equal(list[0].id_number, "001185012345");
    assert_string_equal(list[0].id_kind, "cccd");
    assert_string_equal(list[0].id_issued_on, "2021-05-10");
    assert_string_equal(list[0].id_issued_at, "Cục Cảnh sát QLHC về TTXH");
    assert_string_equal(list[0].email, "ha.ntt@mic.gov.vn");
    assert_string_equal(list[0].unit, "Vụ Pháp chế");
    assert_string_equal(list[0].province, "Hà Nội");
    assert_string_equal(list[0].position, "Chuyên viên chính");
    assert_int_equal(list[0].category, CATEGORY_CONG_CHUC);
    assert_string_equal(list[0].phone, "0912345678");
    assert_string_equal(list[0].previous_serial, "");

    assert_int_equal(list[1].row, 3);
    assert_string_equal(list[1].full_name, "Trần Văn Đức");
    assert_string_equal(list[1].birth_date, "1979-11-02");
    assert_string_equal(list[1].id_number, "036079004567");
    assert_string_equal(list[1].id_issued_on, "2021-08-20");
    assert_string_equal(list[1].unit, "Vụ Pháp chế, Phòng 2"); /* quoted, with a comma */
    assert_string_equal(list[1].position, "Phó Vụ trưởng");
    assert_string_equal(list[1].phone, "0987654321"); /* from +84 987 654 321 */

    assert_int_equal(list[2].row, 4);
    assert_string_equal(list[2].full_name, "Lê Hoàng Yến");
    assert_string_equal(list[2].birth_date, "1992-07-25");
    assert_string_equal(list[2].id_number, "079192008910");
    assert_string_equal(list[2].id_issued_on, "2022-01-15");
    assert_string_equal(list[2].email, "yen.lh@mic.gov.vn");
    assert_string_equal(list[2].province, "Hồ Chí Minh"); /* from "TP. Hồ Chí Minh" */
    assert_string_equal(list[2].position, "Chuyên viên");
    assert_int_equal(list[2].category, CATEGORY_VIEN_CHUC);
    assert_string_equal(list[2].phone, "0905123456"); /* from 0905.123.456 */
    assert_string_equal(list[2].previous_serial, "5A3F0C11D2E4B6A7");
    free(list);
}

static void test_sample_json_matches_csv(void **state)
{
    size_t len;
    const char *json = read_sample("mau02.json", &len);
    (void)state;

    /* the JSON sample lists the same three people (it is read by the app layer) */
    assert_non_null(strstr(json, "\"Nguyễn Thị Thu Hà\""));
    assert_non_null(strstr(json, "\"Trần Văn Đức\""));
    assert_non_null(strstr(json, "\"Lê Hoàng Yến\""));
    assert_non_null(strstr(json, "\"previous_serial\": \"5A3F0C11D2E4B6A7\""));
}

static void test_header_and_rows(void **state)
{
    char csv[8192] = "";
    mau02_applicant *list = NULL;
    size_t n = 0;
    ct_error err = {0};
    const char *cells[MAU02_COLUMNS];
    (void)state;

    /* no header: the first record is row 1 */
    append_row(csv, sizeof csv, BASE, ',');
    assert_int_equal(parse(csv, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].row, 1);
    free(list);

    /* header; blank lines and a row of empty cells are skipped but keep their row numbers,
     * as the spreadsheet shows them */
    csv[0] = '\0';
    append_header(csv, sizeof csv, ',');
    strcat(csv, "\r\n,,,,,,,,,,,,\r\n");
    memcpy(cells, BASE, sizeof cells);
    cells[3] = "001080000002";
    cells[6] = "an2@x.gov.vn";
    append_row(csv, sizeof csv, cells, ',');
    assert_int_equal(parse(csv, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].row, 4);
    free(list);

    /* the header's first cell in other spellings */
    for (const char *const *h = (const char *const[]){"Stt", "S.T.T", "TT", "Số TT", NULL}; *h;
         h++) {
        snprintf(csv, sizeof csv, "%s,x,x,x,x,x,x,x,x,x,x,x,x\n", *h);
        append_row(csv, sizeof csv, BASE, ',');
        if (parse(csv, &list, &n, &err) != 0)
            fail_msg("header %s: %s", *h, err.en);
        assert_int_equal(list[0].row, 2);
        free(list);
    }

    /* a header is only the first row: later it is a row with bad values (several of them) */
    csv[0] = '\0';
    append_row(csv, sizeof csv, BASE, ',');
    append_header(csv, sizeof csv, ',');
    refused(csv, "mau02.invalid", "dòng 2, cột \"Ngày sinh\"", "row 2, field \"date of birth\"");
}

static void test_dialects(void **state)
{
    char csv[8192];
    mau02_applicant *list = NULL;
    size_t n = 0;
    ct_error err = {0};
    const char *cells[MAU02_COLUMNS];
    (void)state;

    /* quoted cells: a comma, doubled quotes, a line break typed in the cell, spaces around */
    assert_int_equal(parse("1,\"Trần Bé Ba\",01/02/1980,001080000001,01/01/2021,"
                           "\"Cục CS, Bộ Công an\",ba@x.gov.vn, \"Vụ A,\nPhòng 1\" ,Hà Nội,"
                           "\"Tổ trưởng \"\"Một cửa\"\"\",cong_chuc,0912000001,\n",
                           &list, &n, &err),
                     0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].full_name, "Trần Bé Ba");
    assert_string_equal(list[0].position, "Tổ trưởng \"Một cửa\"");
    assert_string_equal(list[0].id_issued_at, "Cục CS, Bộ Công an");
    assert_string_equal(list[0].unit, "Vụ A, Phòng 1");
    free(list);

    /* ';' separated, as spreadsheets in a Vietnamese locale export, LF only, no BOM; they
     * quote only cells with a ';', so the header's "Cơ quan, đơn vị công tác" brings a bare ','
     * that must not make the list ','-separated */
    csv[0] = '\0';
    append_header(csv, sizeof csv, ';');
    memcpy(cells, BASE, sizeof cells);
    cells[2] = "1980-02-01";
    cells[8] = "ha noi";
    cells[10] = "CÔNG CHỨC";
    cells[11] = "0912 000 001";
    cells[7] = "Vụ A, Phòng 2";
    append_row(csv, sizeof csv, cells, ';');
    assert_non_null(strstr(csv, ";Cơ quan, đơn vị công tác;"));
    for (char *p = csv; (p = strstr(p, "\r\n")) != NULL;)
        memmove(p, p + 1, strlen(p)); /* CRLF → LF */
    assert_int_equal(parse(csv, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].birth_date, "1980-02-01");
    assert_string_equal(list[0].province, "Hà Nội");
    assert_string_equal(list[0].unit, "Vụ A, Phòng 2");
    assert_int_equal(list[0].category, CATEGORY_CONG_CHUC);
    assert_string_equal(list[0].phone, "0912000001");
    free(list);

    /* ';' without a header, with a quoted ',' in the first line */
    memcpy(cells, BASE, sizeof cells);
    cells[5] = "\"Cục CS, Bộ Công an\"";
    csv[0] = '\0';
    append_row(csv, sizeof csv, cells, ';');
    assert_non_null(strstr(csv, ";\"\"\"Cục CS, Bộ Công an\"\"\";"));
    assert_int_equal(parse(csv, &list, &n, &err), 0);
    assert_int_equal(list[0].row, 1);
    assert_string_equal(list[0].id_issued_at, "\"Cục CS, Bộ Công an\"");
    free(list);
    /* a ';' inside a quoted cell of a ','-separated list stays text */
    memcpy(cells, BASE, sizeof cells);
    cells[9] = "Chuyên viên; Tổ trưởng";
    csv[0] = '\0';
    append_row(csv, sizeof csv, cells, ',');
    assert_int_equal(parse(csv, &list, &n, &err), 0);
    assert_string_equal(list[0].position, "Chuyên viên; Tổ trưởng");
    free(list);

    /* BOM + CRLF, the last line without a line end */
    csv[0] = '\0';
    strcat(csv, "\xEF\xBB\xBF");
    append_header(csv, sizeof csv, ',');
    append_row(csv, sizeof csv, BASE, ',');
    csv[strlen(csv) - 2] = '\0';
    assert_int_equal(parse(csv, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].row, 2);
    assert_string_equal(list[0].full_name, "Nguyễn Văn An");
    assert_string_equal(list[0].birth_date, "1980-02-01");
    free(list);
}

static void test_nfc(void **state)
{
    mau02_applicant composed, decomposed;
    (void)state;

    /* "Nguyễn Văn Ánh Đức" typed with combining marks (e + circumflex + tilde, …) */
    cell_accepted(1,
                  "Nguye\xcc\x82\xcc\x83n Va\xcc\x86n A\xcc\x81nh \xc4\x90u\xcc\x9b\xcc\x81"
                  "c",
                  &decomposed);
    cell_accepted(1, "Nguyễn Văn Ánh Đức", &composed);
    assert_string_equal(composed.full_name, "Nguyễn Văn Ánh Đức");
    assert_int_equal(strlen(decomposed.full_name), strlen(composed.full_name));
    assert_memory_equal(decomposed.full_name, composed.full_name, sizeof composed.full_name);
    /* trimmed, inner spaces collapsed */
    cell_accepted(1, "  Nguyễn   Văn  An ", &composed);
    assert_string_equal(composed.full_name, "Nguyễn Văn An");
}

static void test_values(void **state)
{
    mau02_applicant a;
    (void)state;

    /* dates */
    cell_accepted(2, "1/2/1980", &a);
    assert_string_equal(a.birth_date, "1980-02-01");
    cell_accepted(2, "01-02-1980", &a);
    assert_string_equal(a.birth_date, "1980-02-01");
    cell_accepted(2, "01.02.1980", &a);
    assert_string_equal(a.birth_date, "1980-02-01");
    cell_accepted(2, "01/02/1980 00:00:00", &a);
    assert_string_equal(a.birth_date, "1980-02-01");
    cell_accepted(2, "29/02/1980", &a);
    assert_string_equal(a.birth_date, "1980-02-29");
    /* age bounds, today being 2026-11-24: 18 on the birthday, still 80 the day before 81 */
    cell_accepted(2, "24/11/2008", &a);
    cell_accepted(2, "25/11/1945", &a);

    /* ID numbers */
    cell_accepted(3, "001 080 000 001", &a);
    assert_string_equal(a.id_number, "001080000001");
    assert_string_equal(a.id_kind, "cccd");
    cell_accepted(3, "123456789", &a);
    assert_string_equal(a.id_kind, "cmnd");
    /* a passport's letter typed in lower case is the same passport: stored upper-case */
    cell_accepted(3, "c1234567", &a);
    assert_string_equal(a.id_number, "C1234567");
    assert_string_equal(a.id_kind, "passport");
    cell_accepted(3, "N7654321", &a);
    assert_string_equal(a.id_number, "N7654321");

    /* issue date the same day as today is not in the future */
    cell_accepted(4, "24/11/2026", &a);
    assert_string_equal(a.id_issued_on, TODAY);

    /* e-mail: domain lower-cased */
    cell_accepted(6, "An.Nguyen@MIC.GOV.VN", &a);
    assert_string_equal(a.email, "An.Nguyen@mic.gov.vn");

    /* provinces: diacritic-insensitive, with "Tỉnh"/"TP." */
    cell_accepted(8, "tp ho chi minh", &a);
    assert_string_equal(a.province, "Hồ Chí Minh");
    cell_accepted(8, "Tỉnh Nghệ An", &a);
    assert_string_equal(a.province, "Nghệ An");

    /* categories */
    cell_accepted(10, "Cán bộ", &a);
    assert_int_equal(a.category, CATEGORY_CAN_BO);
    cell_accepted(10, "VIEN CHUC", &a);
    assert_int_equal(a.category, CATEGORY_VIEN_CHUC);

    /* phones */
    cell_accepted(11, "+84 912 345 678", &a);
    assert_string_equal(a.phone, "0912345678");
    cell_accepted(11, "84912345678", &a);
    assert_string_equal(a.phone, "0912345678");
    cell_accepted(11, "+84 0912 345 678", &a);
    assert_string_equal(a.phone, "0912345678");
    cell_accepted(11, "(091) 234-5678", &a);
    assert_string_equal(a.phone, "0912345678");
    cell_accepted(11, "0387.654.321", &a);
    assert_string_equal(a.phone, "0387654321");

    /* previous serials: as tools print them, upper-cased */
    cell_accepted(12, "5a:3f:0c:11", &a);
    assert_string_equal(a.previous_serial, "5A3F0C11");
    cell_accepted(12, " ", &a);
    assert_string_equal(a.previous_serial, "");
    cell_accepted(12, "0123456789abcdef0123456789ABCDEF01234567", &a);
    assert_string_equal(a.previous_serial, "0123456789ABCDEF0123456789ABCDEF01234567");
}

/* What ends up in a certificate, on a page and in a spreadsheet export: no markup in any of
 * it, no formula at the start of a unit or position, nothing but a name's letters in a name. */
static void test_injection_refused(void **state)
{
    mau02_applicant ap;
    char csv[8192];
    (void)state;

    cell_refused(1, "<img src=x onerror=alert(1)>", "text.name_chars");
    cell_refused(1, "=HYPERLINK(\"http://x\",\"Bấm\")", "text.name_chars");
    cell_refused(1, "+Nguyễn Văn An", "text.name_chars");
    cell_refused(1, "-Nguyễn Văn An", "text.name_chars");
    cell_refused(1, "@Nguyễn", "text.name_chars");
    cell_refused(1, "Nguyễn Văn 2", "text.name_chars");
    cell_refused(1, "Nguyễn <b>An</b>", "text.name_chars");
    cell_refused(1, "Nguyễn Văn An;", "text.name_chars");
    cell_refused(7, "=HYPERLINK(\"http://x\")", "text.formula");
    cell_refused(7, "<img src=x onerror=alert(1)>", "text.markup");
    cell_refused(7, "Vụ <A>", "text.markup");
    cell_refused(9, "=cmd|' /C calc'!A0", "text.formula");
    cell_refused(9, "+1+1", "text.formula");
    cell_refused(9, "-2+3", "text.formula");
    cell_refused(9, "@SUM(A1)", "text.formula");
    cell_refused(5, "=1+1", "text.formula");
    /* after trimming, too: a formula behind spaces is still one */
    cell_refused(9, "   =1+1", "text.formula");
    /* control characters, already refused by the cleaner, stay refused */
    cell_refused(9, "Chuyên\x01viên", "text.control_char");
    /* the messages say what is wrong, in both languages */
    one_changed(csv, sizeof csv, 9, "=cmd|' /C calc'!A0");
    refused(csv, "text.formula", "không được bắt đầu bằng \"=\"", "must not begin with \"=\"");
    one_changed(csv, sizeof csv, 1, "Nguyễn Văn 2");
    refused(csv, "text.name_chars", "chứa \"2\"", "contains \"2\"");
    /* what real lists hold passes */
    cell_accepted(1, "H'Hen Niê", &ap);
    cell_accepted(1, "Nguyễn Thị Ánh-Tuyết", &ap);
    cell_accepted(9, "Phó Trưởng phòng - Kế toán", &ap);
    assert_string_equal(ap.position, "Phó Trưởng phòng - Kế toán");
    cell_accepted(7, "Phòng Kế hoạch – Tài chính (P.KHTC)", &ap);
}

static void test_cell_refusals(void **state)
{
    char long_name[400] = "";
    (void)state;

    cell_refused(1, "", "mau02.field_missing");
    cell_refused(1, "   ", "mau02.field_missing");
    cell_refused(1, "Lê\tVăn", "text.control_char");
    cell_refused(1, "Lê\x1bVăn", "text.control_char");
    cell_refused(1, "L\xc3\x28", "text.invalid_utf8");
    for (int i = 0; i < 65; i++)
        strcat(long_name, "ễ");
    cell_refused(1, long_name, "text.too_long"); /* 65 code points: too long for a CN */
    cell_refused(2, "", "mau02.field_missing");
    cell_refused(2, "31/02/1990", "mau02.date_invalid");
    cell_refused(2, "29/02/1981", "mau02.date_invalid");
    cell_refused(2, "1990-13-01", "mau02.date_invalid");
    cell_refused(2, "01/02/80", "mau02.date_invalid");
    cell_refused(2, "01/02/1980 sáng", "mau02.date_invalid");
    cell_refused(2, "+1/+2/1980", "mau02.date_invalid");
    cell_refused(2, "01/02/2030", "mau02.date_invalid"); /* in the future */
    cell_refused(2, "01/06/2010", "mau02.age");          /* 16 */
    cell_refused(2, "25/11/2008", "mau02.age");          /* 18 tomorrow */
    cell_refused(2, "24/11/1945", "mau02.age");          /* 81 today */
    cell_refused(3, "00108000000", "mau02.id_invalid");  /* 11 digits */
    cell_refused(3, "0010800000011", "mau02.id_invalid");
    cell_refused(3, "1,08E+11", "mau02.id_invalid");
    cell_refused(3, "CC123456", "mau02.id_invalid");
    cell_refused(3, "C123456", "mau02.id_invalid");
    cell_refused(4, "01/01/2027", "mau02.date_invalid"); /* issued in the future */
    cell_refused(4, "01/01/1970", "mau02.date_invalid"); /* before birth */
    cell_refused(4, "31/04/2021", "mau02.date_invalid");
    cell_refused(5, "", "mau02.field_missing");
    cell_refused(6, "an@x", "email.invalid");
    cell_refused(6, "an x@x.gov.vn", "email.invalid");
    cell_refused(6, "nguyễn.an@x.gov.vn", "email.invalid");
    cell_refused(7, "", "mau02.field_missing");
    cell_refused(8, "Hà Tây", "province.unknown"); /* merged into Hà Nội in 2008 */
    cell_refused(9, "", "mau02.field_missing");
    cell_refused(10, "hợp đồng", "mau02.category_invalid");
    cell_refused(10, "", "mau02.field_missing");
    cell_refused(11, "0123456789", "mau02.phone_invalid"); /* 01x: not a mobile range */
    cell_refused(11, "0243 825 1234", "mau02.phone_invalid");
    cell_refused(11, "091234567", "mau02.phone_invalid");
    cell_refused(11, "+1 912 345 6789", "mau02.phone_invalid");
    cell_refused(11, "+0912345678", "mau02.phone_invalid");
    cell_refused(11, "0912 345 678 (nhà)", "mau02.phone_invalid");
    cell_refused(12, "5A3G", "mau02.serial_invalid");
    cell_refused(12, "::", "mau02.serial_invalid");
    cell_refused(12, "0123456789abcdef0123456789ABCDEF012345678", "mau02.serial_invalid");
}

static void test_messages(void **state)
{
    char csv[8192];
    char name[300] = "";
    (void)state;

    /* the brief's example: the row and the column named in both languages, with the value */
    one_changed(csv, sizeof csv, 3, "00108000000");
    refused(csv, "mau02.id_invalid", "dòng 2, cột \"Số CCCD/CMND/Hộ chiếu\": \"00108000000\"",
            "row 2, field \"ID number\": \"00108000000\"");
    /* …with a hint when a spreadsheet has eaten the leading zero */
    refused(csv, "mau02.id_invalid", "định dạng cột là Văn bản", "format the column as Text");
    one_changed(csv, sizeof csv, 11, "912345678");
    refused(csv, "mau02.phone_invalid", "số 0 ở đầu", "leading 0");
    one_changed(csv, sizeof csv, 2, "01/06/2010");
    refused(csv, "mau02.age", "16 tuổi", "is 16");
    /* a long value is cut on a character boundary in the message */
    for (int i = 0; i < 40; i++)
        strcat(name, "Việt");
    one_changed(csv, sizeof csv, 8, name);
    refused(csv, "province.unknown", "cột \"Tỉnh/thành phố\": \"ViệtViệt", "…\" is not one of");
    /* an accented e-mail is quoted whole, cut on a character boundary when long */
    one_changed(csv, sizeof csv, 6, "nguyễn.văn.an.phòng.kế.hoạch.tài.chính@x.gov.vn");
    refused(csv, "email.invalid", "\"nguyễn.văn.an.phòng.kế.hoạch.tà…\" có chữ có dấu",
            "accented letters");
    /* with several problems, the summary counts them and quotes the leftmost */
    {
        const char *cells[MAU02_COLUMNS];
        memcpy(cells, BASE, sizeof cells);
        cells[2] = "31/02/1990";
        cells[11] = "";
        csv[0] = '\0';
        append_row(csv, sizeof csv, cells, ',');
        refused(csv, "mau02.invalid",
                "2 lỗi trong danh sách; lỗi đầu tiên: dòng 1, cột \"Ngày sinh\"",
                "2 errors in the list; the first: row 1, field \"date of birth\"");
    }
}

static void test_list_refusals(void **state)
{
    static char big[1100 * 1024];
    char csv[8192];
    char cell[1100];
    const char *cells[MAU02_COLUMNS];
    size_t len;
    (void)state;

    /* duplicates: the same ID number in rows 2 and 4, the same e-mail (any case) */
    csv[0] = '\0';
    append_header(csv, sizeof csv, ',');
    append_row(csv, sizeof csv, BASE, ',');
    memcpy(cells, BASE, sizeof cells);
    cells[3] = "001080000002";
    cells[6] = "b@x.gov.vn";
    append_row(csv, sizeof csv, cells, ',');
    cells[6] = "c@x.gov.vn";
    cells[3] = "001080000001";
    append_row(csv, sizeof csv, cells, ',');
    refused(csv, "mau02.duplicate", "dòng 2 và dòng 4 trùng số giấy tờ",
            "rows 2 and 4 have the same ID number (001080000001)");
    csv[0] = '\0';
    append_row(csv, sizeof csv, BASE, ',');
    cells[3] = "001080000003";
    cells[6] = "AN@X.GOV.VN";
    append_row(csv, sizeof csv, cells, ',');
    refused(csv, "mau02.duplicate", "dòng 1 và dòng 2 trùng thư điện tử",
            "rows 1 and 2 have the same e-mail");

    /* the wrong number of cells, too few and too many */
    refused("STT,Họ và tên\n1,An,01/02/1980,001080000001\n", "mau02.columns", "dòng 2: có 4 cột",
            "row 2: 4 cells");
    csv[0] = '\0';
    append_header(csv, sizeof csv, ',');
    append_row(csv, sizeof csv, BASE, ',');
    strcpy(csv + strlen(csv) - 2, ",ghi chú\r\n");
    refused(csv, "mau02.columns", "dòng 2: có 14 cột", "row 2: 14 cells");

    /* empty lists */
    refused("", "mau02.empty", NULL, NULL);
    refused("\xEF\xBB\xBF", "mau02.empty", NULL, NULL);
    refused("\r\n\r\n", "mau02.empty", NULL, NULL);
    csv[0] = '\0';
    append_header(csv, sizeof csv, ',');
    refused(csv, "mau02.empty", NULL, NULL);

    /* quoting */
    refused("STT\n1,\"An,01/02/1980\n", "mau02.quoting", "dòng 2, cột \"Họ và tên\"",
            "row 2, field \"full name\"");
    refused("1,\"An\"x,01/02/1980,001080000001,01/01/2021,CS,an@x.gov.vn,A,Hà Nội,CV,Công chức,"
            "0912000001,\n",
            "mau02.quoting", NULL, "row 1, field \"full name\"");

    /* a NUL byte: not a CSV file */
    one_changed(csv, sizeof csv, 5, "Cục CS");
    len = strlen(csv);
    *strstr(csv, "Cục CS") = '\0';
    refused_len(csv, len, "mau02.binary", "dòng 2, cột \"Nơi cấp\"",
                "row 2, field \"ID issue place\"");

    /* cell size: 1024 bytes reach the field check, 1025 do not */
    memset(cell, 'a', 1024);
    cell[1024] = '\0';
    one_changed(csv, sizeof csv, 9, cell);
    refused(csv, "text.too_long", NULL, "row 2, field \"position\"");
    strcat(cell, "a");
    one_changed(csv, sizeof csv, 9, cell);
    refused(csv, "mau02.cell_too_long", NULL, "row 2, field \"position\"");

    /* 500 rows pass, 501 do not (the message names the row past the limit) */
    big[0] = '\0';
    append_header(big, sizeof big, ',');
    for (int i = 0; i < 501; i++) {
        char id[16], mail[32], stt[8];
        memcpy(cells, BASE, sizeof cells);
        snprintf(stt, sizeof stt, "%d", i + 1);
        snprintf(id, sizeof id, "0010800%05d", i);
        snprintf(mail, sizeof mail, "u%d@x.gov.vn", i);
        cells[0] = stt;
        cells[3] = id;
        cells[6] = mail;
        if (i == 500) {
            mau02_applicant *list = NULL;
            size_t n = 0;
            ct_error err = {0};
            assert_int_equal(parse(big, &list, &n, &err), 0);
            assert_int_equal(n, 500);
            assert_int_equal(list[499].row, 501);
            free(list);
        }
        append_row(big, sizeof big, cells, ',');
    }
    refused(big, "mau02.too_many", "dòng 502", "row 502");

    /* more than 1 MiB, whatever it holds */
    memset(big, '\n', sizeof big);
    refused_len(big, MAU02_MAX_BYTES + 1, "mau02.too_large", NULL, NULL);
}

/* Three bad rows of different kinds, a good one between them and a duplicate: every problem is
 * reported at once, at its row and column, sorted; the summary counts them; nothing is output. */
static void test_every_problem_at_once(void **state)
{
    char csv[8192];
    const char *cells[MAU02_COLUMNS];
    mau02_applicant *list = (mau02_applicant *)&list;
    size_t n = 99;
    mau02_errors errors = {0};
    ct_error err = {0};
    (void)state;

    csv[0] = '\0';
    append_header(csv, sizeof csv, ',');
    append_row(csv, sizeof csv, BASE, ','); /* row 2: good */
    memcpy(cells, BASE, sizeof cells);
    cells[2] = "31/02/1990"; /* row 3: a date that does not exist */
    cells[3] = "001080000003";
    cells[6] = "b@x.gov.vn";
    append_row(csv, sizeof csv, cells, ',');
    memcpy(cells, BASE, sizeof cells);
    cells[3] = "001080000004";
    cells[6] = "c@x.gov.vn";
    cells[8] = "Hà Tây"; /* row 4: no such province, and a bad phone */
    cells[11] = "0123456789";
    append_row(csv, sizeof csv, cells, ',');
    strcat(csv, "5,An,01/02/1980\r\n"); /* row 5: 3 cells */
    memcpy(cells, BASE, sizeof cells);
    cells[6] = "d@x.gov.vn"; /* row 6: the ID number of row 2 */
    append_row(csv, sizeof csv, cells, ',');

    assert_int_equal(mau02_parse_csv(csv, strlen(csv), TODAY, &list, &n, &errors, &err), -1);
    assert_null(list);
    assert_int_equal(n, 0);
    assert_int_equal(errors.total, 5);
    assert_int_equal(errors.count, 5);
    assert_int_equal(errors.items[0].row, 3);
    assert_int_equal(errors.items[0].column, 2);
    assert_string_equal(errors.items[0].code, "mau02.date_invalid");
    assert_non_null(strstr(errors.items[0].en, "\"31/02/1990\" is not a real date"));
    assert_null(strstr(errors.items[0].en, "row 3")); /* the place is given apart */
    assert_int_equal(errors.items[1].row, 4);
    assert_int_equal(errors.items[1].column, 8);
    assert_string_equal(errors.items[1].code, "province.unknown");
    assert_int_equal(errors.items[2].row, 4);
    assert_int_equal(errors.items[2].column, 11);
    assert_string_equal(errors.items[2].code, "mau02.phone_invalid");
    assert_int_equal(errors.items[3].row, 5);
    assert_int_equal(errors.items[3].column, -1);
    assert_string_equal(errors.items[3].code, "mau02.columns");
    assert_int_equal(errors.items[4].row, 6);
    assert_int_equal(errors.items[4].column, 3);
    assert_string_equal(errors.items[4].code, "mau02.duplicate");
    assert_non_null(strstr(errors.items[4].vi, "dòng 2 và dòng 6"));
    for (size_t i = 0; i < errors.count; i++) {
        assert_true(text_utf8_valid(errors.items[i].vi, strlen(errors.items[i].vi)));
        assert_true(text_utf8_valid(errors.items[i].en, strlen(errors.items[i].en)));
    }
    /* the summary, for callers that know only ct_error */
    assert_string_equal(err.code, "mau02.invalid");
    assert_int_equal(err.status, 400);
    assert_non_null(
        strstr(err.vi, "5 lỗi trong danh sách; lỗi đầu tiên: dòng 3, cột \"Ngày sinh\""));
    assert_non_null(
        strstr(err.en, "5 errors in the list; the first: row 3, field \"date of birth\""));
    mau02_errors_free(&errors);
    assert_null(errors.items);
    assert_int_equal(errors.total, 0);

    /* one problem alone is summarised as it always was: its own code, prefixed with its place */
    one_changed(csv, sizeof csv, 11, "0123456789");
    assert_int_equal(mau02_parse_csv(csv, strlen(csv), TODAY, &list, &n, &errors, &err), -1);
    assert_int_equal(errors.total, 1);
    assert_string_equal(err.code, "mau02.phone_invalid");
    assert_non_null(strstr(err.en, "row 2, field \"mobile phone\": \"0123456789\""));
    mau02_errors_free(&errors);

    /* a good list still parses, and leaves the list of problems empty */
    one_changed(csv, sizeof csv, 11, "0912000001");
    assert_int_equal(mau02_parse_csv(csv, strlen(csv), TODAY, &list, &n, &errors, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(errors.total, 0);
    assert_null(errors.items);
    free(list);
}

/* 150 bad rows: the first MAU02_ERRORS_KEPT are kept, in row order, and all are counted. */
static void test_problems_capped(void **state)
{
    static char csv[150 * 300];
    const char *cells[MAU02_COLUMNS];
    mau02_applicant *list = NULL;
    size_t n = 0;
    mau02_errors errors = {0};
    ct_error err = {0};
    (void)state;

    csv[0] = '\0';
    for (int i = 0; i < 150; i++) {
        char id[16], mail[32];
        memcpy(cells, BASE, sizeof cells);
        snprintf(id, sizeof id, "0010800%05d", i);
        snprintf(mail, sizeof mail, "u%d@x.gov.vn", i);
        cells[3] = id;
        cells[6] = mail;
        cells[10] = "hợp đồng";
        append_row(csv, sizeof csv, cells, ',');
    }
    assert_int_equal(mau02_parse_csv(csv, strlen(csv), TODAY, &list, &n, &errors, &err), -1);
    assert_int_equal(errors.total, 150);
    assert_int_equal(errors.count, MAU02_ERRORS_KEPT);
    for (size_t i = 0; i < errors.count; i++) {
        assert_int_equal(errors.items[i].row, (int)i + 1);
        assert_int_equal(errors.items[i].column, 10);
        assert_string_equal(errors.items[i].code, "mau02.category_invalid");
    }
    assert_string_equal(err.code, "mau02.invalid");
    assert_non_null(strstr(err.en, "150 errors in the list"));
    mau02_errors_free(&errors);
}

static void test_check_row_direct(void **state)
{
    const char *cells[MAU02_COLUMNS];
    mau02_applicant a, two[2];
    ct_error err = {0};
    (void)state;

    /* NULL cells are missing ones; the row number is the caller's */
    memcpy(cells, BASE, sizeof cells);
    cells[0] = NULL;
    cells[12] = NULL;
    assert_int_equal(mau02_check_row(cells, 7, TODAY, &a, &err), 0);
    assert_int_equal(a.row, 7);
    assert_string_equal(a.previous_serial, "");
    cells[9] = NULL;
    assert_int_equal(mau02_check_row(cells, 7, TODAY, &a, &err), -1);
    assert_string_equal(err.code, "mau02.field_missing");
    assert_non_null(strstr(err.en, "row 7, field \"position\""));
    assert_non_null(strstr(err.vi, "dòng 7, cột \"Chức vụ\""));
    /* today must be a date */
    cells[9] = "CV";
    assert_int_equal(mau02_check_row(cells, 1, "24/11/2026", &a, &err), -1);
    assert_int_equal(err.status, 500);

    /* duplicates, for lists read from other formats */
    assert_int_equal(mau02_check_row(cells, 1, TODAY, &two[0], &err), 0);
    two[1] = two[0];
    two[1].row = 2;
    snprintf(two[1].id_number, sizeof two[1].id_number, "001080000009");
    assert_int_equal(mau02_check_duplicates(two, 2, NULL, &err), -1);
    assert_string_equal(err.code, "mau02.duplicate");
    snprintf(two[1].email, sizeof two[1].email, "other@x.gov.vn");
    assert_int_equal(mau02_check_duplicates(two, 2, NULL, &err), 0);
    assert_int_equal(mau02_check_duplicates(two, 0, NULL, &err), 0);
}

static void test_categories_and_columns(void **state)
{
    position_category c;
    (void)state;

    assert_string_equal(position_category_name(CATEGORY_CAN_BO), "can_bo");
    assert_string_equal(position_category_name(CATEGORY_CONG_CHUC), "cong_chuc");
    assert_string_equal(position_category_name(CATEGORY_VIEN_CHUC), "vien_chuc");
    assert_string_equal(position_category_label_vi(CATEGORY_CAN_BO), "Cán bộ");
    assert_string_equal(position_category_label_vi(CATEGORY_CONG_CHUC), "Công chức");
    assert_string_equal(position_category_label_vi(CATEGORY_VIEN_CHUC), "Viên chức");
    assert_int_equal(position_category_parse("công chức", &c), 0);
    assert_int_equal(c, CATEGORY_CONG_CHUC);
    assert_int_equal(position_category_parse("CONG CHUC", &c), 0);
    assert_int_equal(c, CATEGORY_CONG_CHUC);
    assert_int_equal(position_category_parse("cong_chuc", &c), 0);
    assert_int_equal(c, CATEGORY_CONG_CHUC);
    assert_int_equal(position_category_parse(" Viên  Chức ", &c), 0);
    assert_int_equal(c, CATEGORY_VIEN_CHUC);
    assert_int_equal(position_category_parse("can_bo", &c), 0);
    assert_int_equal(c, CATEGORY_CAN_BO);
    assert_int_equal(position_category_parse("hợp đồng", &c), -1);
    assert_int_equal(position_category_parse("", &c), -1);
    assert_int_equal(position_category_parse(NULL, &c), -1);

    assert_string_equal(mau02_column_vi(3), "Số CCCD/CMND/Hộ chiếu");
    assert_string_equal(mau02_column_en(3), "ID number");
    assert_string_equal(mau02_column_vi(7), "Cơ quan, đơn vị công tác");
    assert_string_equal(mau02_column_vi(12), "Số hiệu chứng thư số cũ (nếu có)");
    assert_string_equal(mau02_column_vi(13), "?");
    assert_string_equal(mau02_column_en(-1), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_file),
        cmocka_unit_test(test_sample_json_matches_csv),
        cmocka_unit_test(test_header_and_rows),
        cmocka_unit_test(test_dialects),
        cmocka_unit_test(test_nfc),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_cell_refusals),
        cmocka_unit_test(test_injection_refused),
        cmocka_unit_test(test_every_problem_at_once),
        cmocka_unit_test(test_problems_capped),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_list_refusals),
        cmocka_unit_test(test_check_row_direct),
        cmocka_unit_test(test_categories_and_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
