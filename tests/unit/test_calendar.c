/*
 * test_calendar.c — the lunar calendar against known dates (including the years where
 * Vietnam's Tết differs from China's), the round trip for every day 1900–2100, and the
 * working-day deadlines of DESIGN.md §2 with the shipped holiday files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/calendar.h"
#include "core/text.h"

static ct_calendar *cal;

static int setup(void **state)
{
    char dir[1024];
    ct_error err = {0};
    const char *src = getenv("CT_SRC");

    (void)state;
    snprintf(dir, sizeof dir, "%s/data/holidays", src ? src : ".");
    return calendar_open(dir, &cal, &err);
}

static int teardown(void **state)
{
    (void)state;
    calendar_free(cal);
    return 0;
}

static ct_date D(int y, int m, int d)
{
    return (ct_date){y, m, d};
}

static void assert_date(ct_date got, int y, int m, int d)
{
    char a[11], b[11];

    ct_date_format(got, a);
    ct_date_format(D(y, m, d), b);
    assert_string_equal(a, b);
}

static void test_tet_and_gio_to(void **state)
{
    static const int tet[][3] = {{2024, 2, 10}, {2025, 1, 29}, {2026, 2, 17}, {2027, 2, 6},
                                 {2030, 2, 2},  {1985, 1, 21}, {2007, 2, 17}};
    static const int gio_to[][3] = {{2024, 4, 18}, {2025, 4, 7}, {2026, 4, 26}, {2027, 4, 16}};
    ct_date d;
    lunar_date l;
    (void)state;

    for (size_t i = 0; i < sizeof tet / sizeof tet[0]; i++) {
        assert_int_equal(solar_from_lunar((lunar_date){tet[i][0], 1, 1, 0}, &d), 0);
        assert_date(d, tet[i][0], tet[i][1], tet[i][2]);
        assert_int_equal(lunar_from_solar(D(tet[i][0], tet[i][1], tet[i][2]), &l), 0);
        assert_int_equal(l.month, 1);
        assert_int_equal(l.day, 1);
        assert_int_equal(l.year, tet[i][0]);
    }
    for (size_t i = 0; i < sizeof gio_to / sizeof gio_to[0]; i++) {
        assert_int_equal(solar_from_lunar((lunar_date){gio_to[i][0], 3, 10, 0}, &d), 0);
        assert_date(d, gio_to[i][0], gio_to[i][1], gio_to[i][2]);
    }
    /* 2023 has a leap 2nd month (tháng 2 nhuận): 22/3/2023 is 1/2 nhuận */
    assert_int_equal(lunar_from_solar(D(2023, 3, 22), &l), 0);
    assert_int_equal(l.month, 2);
    assert_int_equal(l.day, 1);
    assert_int_equal(l.leap, 1);
    /* no leap month in 2024: asking for one fails */
    assert_int_equal(solar_from_lunar((lunar_date){2024, 2, 1, 1}, &d), -1);
    assert_int_equal(lunar_from_solar(D(1899, 12, 31), &l), -1);
}

static void test_round_trip_every_day(void **state)
{
    long first = ct_date_to_jdn(D(1900, 1, 31)), last = ct_date_to_jdn(D(2100, 12, 31));
    (void)state;

    for (long jd = first; jd <= last; jd++) {
        ct_date d = ct_date_from_jdn(jd), back;
        lunar_date l;
        assert_int_equal(lunar_from_solar(d, &l), 0);
        assert_int_equal(solar_from_lunar(l, &back), 0);
        if (ct_date_to_jdn(back) != jd) {
            char s[11];
            ct_date_format(d, s);
            fail_msg("round trip failed for %s", s);
        }
    }
}

static void test_dates(void **state)
{
    ct_date d;
    (void)state;

    assert_int_equal(ct_date_parse("2026-02-29", &d), -1);
    assert_int_equal(ct_date_parse("2024-02-29", &d), 0);
    assert_int_equal(ct_date_parse("2026-2-1", &d), -1);
    assert_int_equal(ct_date_parse("2026-13-01", &d), -1);
    assert_int_equal(ct_date_weekday(D(2026, 2, 13)), 5); /* Friday */
    assert_date(ct_utc_to_local_date(ct_local_to_utc(D(2026, 1, 1), 0)), 2026, 1, 1);
    /* 23:30 UTC on 31 Dec is already 1 January in Hà Nội */
    assert_date(ct_utc_to_local_date(ct_local_to_utc(D(2026, 1, 1), 6 * 60 + 30)), 2026, 1, 1);
}

#define CUTOFF (16 * 60 + 30)
#define CLOSING (17 * 60)

static void test_deadlines(void **state)
{
    (void)state;
    /* received Fri 13/02/2026 10:00: Tết follows; due Wed 25/02/2026 at closing */
    assert_int_equal(
        calendar_due(cal, ct_local_to_utc(D(2026, 2, 13), 10 * 60), 3, CUTOFF, CLOSING),
        ct_local_to_utc(D(2026, 2, 25), CLOSING));
    /* received Tue 28/04/2026: 30/4 and 1/5 off; due Tue 05/05/2026 */
    assert_int_equal(calendar_due(cal, ct_local_to_utc(D(2026, 4, 28), 9 * 60), 3, CUTOFF, CLOSING),
                     ct_local_to_utc(D(2026, 5, 5), CLOSING));
    /* received Fri 13/02/2026 after the cut-off: counts from Mon 23/02; due Thu 26/02/2026 */
    assert_date(
        calendar_effective_receipt_day(cal, ct_local_to_utc(D(2026, 2, 13), 16 * 60 + 45), CUTOFF),
        2026, 2, 23);
    assert_int_equal(
        calendar_due(cal, ct_local_to_utc(D(2026, 2, 13), 16 * 60 + 45), 3, CUTOFF, CLOSING),
        ct_local_to_utc(D(2026, 2, 26), CLOSING));
    /* received on a Sunday counts from Monday */
    assert_date(calendar_effective_receipt_day(cal, ct_local_to_utc(D(2026, 3, 8), 9 * 60), CUTOFF),
                2026, 3, 9);
    assert_int_equal(calendar_due(cal, ct_local_to_utc(D(2026, 3, 8), 9 * 60), 3, CUTOFF, CLOSING),
                     ct_local_to_utc(D(2026, 3, 12), CLOSING));
    /* 1 working day from Wed 31/12/2025: 1–4 January off, so Mon 05/01/2026 */
    assert_date(calendar_add_working_days(cal, D(2025, 12, 31), 1), 2026, 1, 5);
    /* Saturday 10/01/2026 is a make-up working day */
    assert_true(calendar_is_working_day(cal, D(2026, 1, 10)));
    assert_false(calendar_is_working_day(cal, D(2026, 1, 2)));
    assert_false(calendar_is_working_day(cal, D(2026, 4, 27)));
    assert_true(calendar_is_working_day(cal, D(2026, 4, 28)));
    assert_non_null(calendar_holiday_name(cal, D(2026, 2, 17)));
    assert_null(calendar_holiday_name(cal, D(2026, 2, 24)));
}

/* How long something took, counted as the deadlines count: working days after the start day up
 * to and including the end day. */
static void test_working_days_between(void **state)
{
    (void)state;
    assert_int_equal(calendar_working_days_between(cal, D(2026, 3, 9), D(2026, 3, 9)), 0);
    assert_int_equal(calendar_working_days_between(cal, D(2026, 3, 9), D(2026, 3, 12)), 3);
    /* backwards is nothing, not a negative duration */
    assert_int_equal(calendar_working_days_between(cal, D(2026, 3, 12), D(2026, 3, 9)), 0);
    /* Fri 06/03 to Mon 09/03: the weekend does not count */
    assert_int_equal(calendar_working_days_between(cal, D(2026, 3, 6), D(2026, 3, 9)), 1);
    /* Wed 29/04 to Mon 04/05: 30/4, 1/5 and the weekend off */
    assert_int_equal(calendar_working_days_between(cal, D(2026, 4, 29), D(2026, 5, 4)), 1);
    /* ending on a day off counts the working days before it */
    assert_int_equal(calendar_working_days_between(cal, D(2026, 4, 29), D(2026, 5, 3)), 0);
    /* the inverse of calendar_add_working_days across Tết 2026 */
    assert_int_equal(calendar_working_days_between(
                         cal, D(2026, 2, 13), calendar_add_working_days(cal, D(2026, 2, 13), 3)),
                     3);
}

static void test_computed_defaults(void **state)
{
    lunar_date tet = {2027, 1, 1, 0}, gio_to = {2027, 3, 10, 0};
    ct_date t, g;
    (void)state;

    /* 2027 has no file: Tết 5 days around 06/02/2027 (a Saturday), Giỗ Tổ 16/04 */
    assert_int_equal(solar_from_lunar(tet, &t), 0);
    assert_false(calendar_is_working_day(cal, D(2027, 2, 5))); /* last day of the year */
    assert_false(calendar_is_working_day(cal, D(2027, 2, 8)));
    assert_false(calendar_is_working_day(cal, D(2027, 2, 9)));
    assert_int_equal(solar_from_lunar(gio_to, &g), 0);
    assert_false(calendar_is_working_day(cal, g));
    /* Tết 6/2 (Sat) and 7/2 (Sun) fall on a weekend: two compensatory days follow 9/2 */
    assert_false(calendar_is_working_day(cal, D(2027, 2, 10)));
    assert_false(calendar_is_working_day(cal, D(2027, 2, 11)));
    assert_true(calendar_is_working_day(cal, D(2027, 2, 12)));
    /* 1 May 2027 is a Saturday: Monday 3 May off */
    assert_false(calendar_is_working_day(cal, D(2027, 5, 3)));
    assert_true(calendar_is_working_day(cal, D(2027, 5, 4)));
    /* the holiday list of a year */
    ct_date days[64];
    const char *names[64];
    size_t n = calendar_holidays(cal, 2026, days, names, 64);
    assert_true(n >= 10);
    for (size_t i = 0; i < n; i++)
        assert_non_null(names[i]);
}

/* Write 2027.txt with the given text into a holiday folder of the test's own. */
static void write_holidays(const char *dir, char path[128], const char *text)
{
    FILE *f;

    snprintf(path, 128, "%s/2027.txt", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Working days counted from a date given from outside stay within four-digit years: no
 * answer wraps around (9999-12-31 + 3650 working days once printed as 0013-12-27). */
static void test_checked_range(void **state)
{
    ct_date out, d;
    ct_error err = {0};
    char text[11];
    (void)state;

    assert_int_equal(ct_date_parse("9999-12-31", &d), 0);
    assert_int_equal(calendar_add_working_days_checked(cal, d, 3650, &out, &err), -1);
    assert_string_equal(err.code, "calendar.range");
    assert_int_equal(err.status, 400);
    assert_int_equal(calendar_add_working_days_checked(cal, d, 1, &out, &err), -1);
    assert_int_equal(calendar_add_working_days_checked(cal, d, 0, &out, &err), 0);
    ct_date_format(out, text);
    assert_string_equal(text, "9999-12-31");
    assert_int_equal(ct_date_parse("9999-12-20", &d), 0);
    assert_int_equal(calendar_add_working_days_checked(cal, d, 3, &out, &err), 0);
    ct_date_format(out, text);
    assert_string_equal(text, "9999-12-23");
    assert_int_equal(ct_date_parse("1899-12-31", &d), 0);
    assert_int_equal(calendar_add_working_days_checked(cal, d, 1, &out, &err), -1);
    assert_string_equal(err.code, "calendar.range");
    assert_int_equal(ct_date_parse("2026-02-13", &d), 0);
    assert_int_equal(calendar_add_working_days_checked(cal, d, -1, &out, &err), -1);
    assert_int_equal(calendar_add_working_days_checked(cal, d, 3651, &out, &err), -1);
    assert_int_equal(calendar_add_working_days_checked(cal, d, 3, &out, &err), 0);
    ct_date_format(out, text);
    assert_string_equal(text, "2026-02-25"); /* across Tết */
    assert_int_equal(calendar_add_working_days_checked(cal, d, 3650, &out, &err), 0);
    assert_true(out.year >= 2039 && out.year <= 2041);
}

static void test_bad_file(void **state)
{
    char dir[] = "/tmp/chungthu-cal.XXXXXX", path[128];
    ct_calendar *bad = NULL;
    ct_error err = {0};
    (void)state;

    assert_non_null(mkdtemp(dir));
    write_holidays(dir, path, "# ok\n2027-01-01 off Tết Dương lịch\n2027-02-30 off nonsense\n");
    assert_int_equal(calendar_open(dir, &bad, &err), -1);
    assert_string_equal(err.code, "calendar.bad_file");
    assert_non_null(strstr(err.en, "line 3"));
    write_holidays(dir, path, "2028-01-01 off wrong year\n");
    assert_int_equal(calendar_open(dir, &bad, &err), -1);
    assert_non_null(strstr(err.en, "line 1"));
    unlink(path);
    rmdir(dir);
}

/* A holiday's name longer than the calendar keeps is cut between characters: what is left is
 * still UTF-8 (it goes into JSON and HTML as it is). */
static void test_long_name(void **state)
{
    char dir[] = "/tmp/chungthu-cal.XXXXXX", path[128], line[256];
    ct_calendar *c = NULL;
    ct_error err = {0};
    ct_date days[64];
    const char *names[64];
    size_t n, len;
    (void)state;

    len = (size_t)snprintf(line, sizeof line, "2027-01-01 off Tết Dương lịch");
    for (int i = 0; i < 54; i++) /* 4 bytes each: the line just fits in 255 */
        len += (size_t)snprintf(line + len, sizeof line - len, " ồ");
    snprintf(line + len, sizeof line - len, "\n");
    assert_non_null(mkdtemp(dir));
    write_holidays(dir, path, line);
    assert_int_equal(calendar_open(dir, &c, &err), 0);
    n = calendar_holidays(c, 2027, days, names, 64);
    assert_true(n >= 1);
    for (size_t i = 0; i < n; i++) {
        if (days[i].month == 1 && days[i].day == 1) {
            assert_true(strlen(names[i]) > 100);
            assert_true(text_utf8_valid(names[i], strlen(names[i])));
            assert_non_null(strstr(names[i], "Tết Dương lịch"));
        }
    }
    calendar_free(c);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tet_and_gio_to),
        cmocka_unit_test(test_round_trip_every_day),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_deadlines),
        cmocka_unit_test(test_working_days_between),
        cmocka_unit_test(test_computed_defaults),
        cmocka_unit_test(test_checked_range),
        cmocka_unit_test(test_bad_file),
        cmocka_unit_test(test_long_name),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
