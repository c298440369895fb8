/*
 * calendar.c — dates, the Vietnamese lunar calendar and working days. See calendar.h.
 *
 * The lunar calendar follows Hồ Ngọc Đức's published algorithm (astronomical new moons and
 * solar terms, after Meeus), evaluated for UTC+7: that is what makes Vietnam's Tết differ from
 * China's (UTC+8) in some years, e.g. 1985 and 2007.
 */
#include "core/calendar.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TZ 7.0
#define FIRST_YEAR 1900
#define LAST_YEAR 2100
#define MAX_DAYS_PER_YEAR 48

/* ---- Gregorian dates ---- */

long ct_date_to_jdn(ct_date d)
{
    long a = (14 - d.month) / 12, y = d.year + 4800 - a, m = d.month + 12 * a - 3;

    return d.day + (153 * m + 2) / 5 + 365 * y + y / 4 - y / 100 + y / 400 - 32045;
}

ct_date ct_date_from_jdn(long jd)
{
    long a = jd + 32044, b = (4 * a + 3) / 146097, c = a - b * 146097 / 4;
    long d = (4 * c + 3) / 1461, e = c - 1461 * d / 4, m = (5 * e + 2) / 153;
    ct_date out;

    out.day = (int)(e - (153 * m + 2) / 5 + 1);
    out.month = (int)(m + 3 - 12 * (m / 10));
    out.year = (int)(b * 100 + d - 4800 + m / 10);
    return out;
}

int ct_date_weekday(ct_date d)
{
    return (int)((ct_date_to_jdn(d) + 1) % 7);
}

int ct_date_parse(const char *s, ct_date *out)
{
    ct_date d;

    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    d.year = atoi(s);
    d.month = atoi(s + 5);
    d.day = atoi(s + 8);
    if (d.year < 1 || d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31)
        return -1;
    /* the day exists iff it survives the round trip through its day number */
    {
        ct_date back = ct_date_from_jdn(ct_date_to_jdn(d));
        if (back.year != d.year || back.month != d.month || back.day != d.day)
            return -1;
    }
    *out = d;
    return 0;
}

void ct_date_format(ct_date d, char out[11])
{
    snprintf(out, 11, "%04d-%02d-%02d", d.year % 10000, d.month % 100, d.day % 100);
}

int ct_utc_to_local_minute(int64_t t)
{
    return (int)(((t + 7 * 3600) % 86400 + 86400) % 86400 / 60);
}

ct_date ct_utc_to_local_date(int64_t t)
{
    int64_t local = t + 7 * 3600;
    int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);

    return ct_date_from_jdn((long)(days + 2440588)); /* 1970-01-01 is JDN 2440588 */
}

int64_t ct_local_to_utc(ct_date d, int minute_of_day)
{
    return ((int64_t)ct_date_to_jdn(d) - 2440588) * 86400 + (int64_t)minute_of_day * 60 - 7 * 3600;
}

/* ---- the lunar calendar ---- */

static double new_moon(long k)
{
    const double dr = M_PI / 180;
    double T = k / 1236.85, T2 = T * T, T3 = T2 * T;
    double jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * T2 - 0.000000155 * T3;
    double M, Mpr, F, C1, deltat;

    jd1 += 0.00033 * sin((166.56 + 132.87 * T - 0.009173 * T2) * dr);
    M = 359.2242 + 29.10535608 * k - 0.0000333 * T2 - 0.00000347 * T3;
    Mpr = 306.0253 + 385.81691806 * k + 0.0107306 * T2 + 0.00001236 * T3;
    F = 21.2964 + 390.67050646 * k - 0.0016528 * T2 - 0.00000239 * T3;
    C1 = (0.1734 - 0.000393 * T) * sin(M * dr) + 0.0021 * sin(2 * dr * M);
    C1 = C1 - 0.4068 * sin(Mpr * dr) + 0.0161 * sin(dr * 2 * Mpr);
    C1 = C1 - 0.0004 * sin(dr * 3 * Mpr);
    C1 = C1 + 0.0104 * sin(dr * 2 * F) - 0.0051 * sin(dr * (M + Mpr));
    C1 = C1 - 0.0074 * sin(dr * (M - Mpr)) + 0.0004 * sin(dr * (2 * F + M));
    C1 = C1 - 0.0004 * sin(dr * (2 * F - M)) - 0.0006 * sin(dr * (2 * F + Mpr));
    C1 = C1 + 0.0010 * sin(dr * (2 * F - Mpr)) + 0.0005 * sin(dr * (2 * Mpr + M));
    if (T < -11)
        deltat = 0.001 + 0.000839 * T + 0.0002261 * T2 - 0.00000845 * T3 - 0.000000081 * T * T3;
    else
        deltat = -0.000278 + 0.000265 * T + 0.000262 * T2;
    return jd1 + C1 - deltat;
}

static long new_moon_day(long k)
{
    return (long)floor(new_moon(k) + 0.5 + TZ / 24);
}

static double sun_longitude(double jdn)
{
    const double dr = M_PI / 180;
    double T = (jdn - 2451545.0) / 36525, T2 = T * T;
    double M = 357.52910 + 35999.05030 * T - 0.0001559 * T2 - 0.00000048 * T * T2;
    double L0 = 280.46645 + 36000.76983 * T + 0.0003032 * T2;
    double DL = (1.914600 - 0.004817 * T - 0.000014 * T2) * sin(dr * M);
    double L;

    DL = DL + (0.019993 - 0.000101 * T) * sin(dr * 2 * M) + 0.000290 * sin(dr * 3 * M);
    L = (L0 + DL) * dr;
    return L - M_PI * 2 * floor(L / (M_PI * 2));
}

/* The solar term (0..11) in which a day's local midnight falls. */
static int sun_term(long day)
{
    return (int)floor(sun_longitude(day - 0.5 - TZ / 24) / M_PI * 6);
}

/* The first day of the lunar month containing the winter solstice of year y. */
static long lunar_month_11(int y)
{
    ct_date dec31 = {y, 12, 31};
    long off = ct_date_to_jdn(dec31) - 2415021;
    long k = (long)floor(off / 29.530588853);
    long nm = new_moon_day(k);

    if (sun_term(nm) >= 9)
        nm = new_moon_day(k - 1);
    return nm;
}

/* Which month after month 11 is the leap month (the first without a major solar term). */
static int leap_month_offset(long a11)
{
    long k = (long)floor((a11 - 2415021.076998695) / 29.530588853 + 0.5);
    int last, i = 1, arc = sun_term(new_moon_day(k + 1));

    do {
        last = arc;
        i++;
        arc = sun_term(new_moon_day(k + i));
    } while (arc != last && i < 14);
    return i - 1;
}

int lunar_from_solar(ct_date d, lunar_date *out)
{
    long day = ct_date_to_jdn(d), k, month_start, a11, b11;
    int year, diff;

    if (d.year < FIRST_YEAR || d.year > LAST_YEAR)
        return -1;
    k = (long)floor((day - 2415021.076998695) / 29.530588853);
    month_start = new_moon_day(k + 1);
    /* the mean-lunation estimate of k can be one month ahead near the edges */
    while (month_start > day)
        month_start = new_moon_day(k--);
    a11 = lunar_month_11(d.year);
    b11 = a11;
    if (a11 >= month_start) {
        year = d.year;
        a11 = lunar_month_11(d.year - 1);
    } else {
        year = d.year + 1;
        b11 = lunar_month_11(d.year + 1);
    }
    out->day = (int)(day - month_start + 1);
    diff = (int)floor((month_start - a11) / 29.0);
    out->leap = 0;
    out->month = diff + 11;
    if (b11 - a11 > 365) {
        int leap_diff = leap_month_offset(a11);
        if (diff >= leap_diff) {
            out->month = diff + 10;
            if (diff == leap_diff)
                out->leap = 1;
        }
    }
    if (out->month > 12)
        out->month -= 12;
    if (out->month >= 11 && diff < 4)
        year -= 1;
    out->year = year;
    return 0;
}

int solar_from_lunar(lunar_date l, ct_date *out)
{
    long a11, b11, k, start, next;
    int off;

    if (l.year < FIRST_YEAR || l.year > LAST_YEAR || l.month < 1 || l.month > 12 || l.day < 1 ||
        l.day > 30)
        return -1;
    if (l.month < 11) {
        a11 = lunar_month_11(l.year - 1);
        b11 = lunar_month_11(l.year);
    } else {
        a11 = lunar_month_11(l.year);
        b11 = lunar_month_11(l.year + 1);
    }
    off = l.month - 11;
    if (off < 0)
        off += 12;
    if (b11 - a11 > 365) {
        int leap_off = leap_month_offset(a11), leap_month = leap_off - 2;
        if (leap_month < 0)
            leap_month += 12;
        if (l.leap && l.month != leap_month)
            return -1;
        if (l.leap || off >= leap_off)
            off += 1;
    } else if (l.leap) {
        return -1;
    }
    k = (long)floor(0.5 + (a11 - 2415021.076998695) / 29.530588853);
    start = new_moon_day(k + off);
    next = new_moon_day(k + off + 1);
    if (l.day > next - start)
        return -1; /* a 29-day month has no day 30 */
    *out = ct_date_from_jdn(start + l.day - 1);
    return 0;
}

/* ---- holidays ---- */

typedef struct day_entry {
    int month;
    int day;
    bool working; /* a make-up working day (a Saturday worked in exchange) */
    char name[192];
} day_entry;

typedef struct year_days {
    bool from_file;
    size_t n;
    day_entry days[MAX_DAYS_PER_YEAR];
} year_days;

struct ct_calendar {
    year_days years[LAST_YEAR - FIRST_YEAR + 1];
};

static bool is_weekend(ct_date d)
{
    int w = ct_date_weekday(d);

    return w == 0 || w == 6;
}

static const day_entry *find_day(const year_days *y, ct_date d)
{
    for (size_t i = 0; i < y->n; i++)
        if (y->days[i].month == d.month && y->days[i].day == d.day)
            return &y->days[i];
    return NULL;
}

/* A day's name, cut between characters (never inside one) if it is longer than we keep. */
static void set_name(char *out, size_t size, const char *name)
{
    char *cut;

    snprintf(out, size, "%s", name);
    if (strlen(name) < size)
        return;
    cut = out + strlen(out);
    while (cut > out && ((unsigned char)cut[-1] & 0xC0) == 0x80)
        cut--;
    if (cut > out && ((unsigned char)cut[-1] & 0x80))
        cut--; /* the lead byte of the cut character */
    *cut = '\0';
}

static void add_day(year_days *y, ct_date d, const char *name)
{
    if (y->n == MAX_DAYS_PER_YEAR || find_day(y, d))
        return;
    y->days[y->n].month = d.month;
    y->days[y->n].day = d.day;
    y->days[y->n].working = false;
    set_name(y->days[y->n].name, sizeof y->days[y->n].name, name);
    y->n++;
}

static ct_date plus_days(ct_date d, long n)
{
    return ct_date_from_jdn(ct_date_to_jdn(d) + n);
}

/* The Labour Code's holidays of a year, with a compensatory day for each one on a weekend. */
static void compute_year(int year, year_days *y)
{
    ct_date days[16];
    const char *names[16];
    size_t n = 0;
    lunar_date tet = {year, 1, 1, 0}, gio_to = {year, 3, 10, 0};
    ct_date d, sep2 = {year, 9, 2};
    int w;

    memset(y, 0, sizeof *y);
    days[n] = (ct_date){year, 1, 1};
    names[n++] = "Tết Dương lịch";
    if (solar_from_lunar(tet, &d) == 0) {
        for (int i = -1; i <= 3; i++) {
            days[n] = plus_days(d, i);
            names[n++] = "Tết Nguyên Đán";
        }
    }
    if (solar_from_lunar(gio_to, &d) == 0) {
        days[n] = d;
        names[n++] = "Giỗ Tổ Hùng Vương";
    }
    days[n] = (ct_date){year, 4, 30};
    names[n++] = "Ngày Chiến thắng";
    days[n] = (ct_date){year, 5, 1};
    names[n++] = "Ngày Quốc tế Lao động";
    /* National Day and one adjacent day: the day that makes the longer break (the government
     * announces it; this is the default until it does). */
    w = ct_date_weekday(sep2);
    days[n] = (w == 1 || w == 4) ? (ct_date){year, 9, 3} : (ct_date){year, 9, 1};
    names[n++] = "Quốc khánh";
    days[n] = sep2;
    names[n++] = "Quốc khánh";
    for (size_t i = 0; i < n; i++)
        add_day(y, days[i], names[i]);
    /* A holiday on a Saturday or Sunday gives the next working day off. */
    for (size_t i = 0; i < n; i++) {
        if (!is_weekend(days[i]))
            continue;
        d = days[i];
        do
            d = plus_days(d, 1);
        while (is_weekend(d) || find_day(y, d));
        if (d.year == year)
            add_day(y, d, "Nghỉ bù");
    }
}

static int parse_file(const char *path, int year, year_days *y, ct_error *err)
{
    FILE *f = fopen(path, "r");
    char line[256];
    int lineno = 0;

    if (f == NULL)
        return ct_fail(err, 500, "calendar.bad_file", "không đọc được %s", "cannot read %s", path);
    memset(y, 0, sizeof *y);
    y->from_file = true;
    while (fgets(line, sizeof line, f)) {
        char date[16], kind[16];
        int consumed = 0;
        ct_date d;
        char *p = line;
        lineno++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '#' || *p == '\n' || *p == '\r' || *p == '\0')
            continue;
        if (sscanf(p, "%15s %15s %n", date, kind, &consumed) < 2 || ct_date_parse(date, &d) != 0 ||
            d.year != year || (strcmp(kind, "off") != 0 && strcmp(kind, "work") != 0) ||
            y->n == MAX_DAYS_PER_YEAR || find_day(y, d)) {
            fclose(f);
            return ct_fail(err, 400, "calendar.bad_file",
                           "%s dòng %d: cần \"YYYY-MM-DD off|work mô tả\" trong năm %d, không "
                           "trùng ngày",
                           "%s line %d: expected \"YYYY-MM-DD off|work description\" within %d, "
                           "each day once",
                           path, lineno, year);
        }
        p += consumed;
        p[strcspn(p, "\r\n")] = '\0';
        y->days[y->n].month = d.month;
        y->days[y->n].day = d.day;
        y->days[y->n].working = strcmp(kind, "work") == 0;
        set_name(y->days[y->n].name, sizeof y->days[y->n].name, p);
        y->n++;
    }
    fclose(f);
    return 0;
}

int calendar_open(const char *holiday_dir, ct_calendar **out, ct_error *err)
{
    ct_calendar *cal = calloc(1, sizeof *cal);
    DIR *dir;
    struct dirent *e;

    if (cal == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    for (int y = FIRST_YEAR; y <= LAST_YEAR; y++)
        compute_year(y, &cal->years[y - FIRST_YEAR]);
    dir = holiday_dir ? opendir(holiday_dir) : NULL;
    while (dir && (e = readdir(dir)) != NULL) {
        char path[1024];
        int year;
        char tail;
        if (strlen(e->d_name) != 8 || sscanf(e->d_name, "%4d.tx%c", &year, &tail) != 2 ||
            tail != 't' || year < FIRST_YEAR || year > LAST_YEAR)
            continue;
        snprintf(path, sizeof path, "%s/%s", holiday_dir, e->d_name);
        if (parse_file(path, year, &cal->years[year - FIRST_YEAR], err) != 0) {
            closedir(dir);
            free(cal);
            return -1;
        }
    }
    if (dir)
        closedir(dir);
    *out = cal;
    return 0;
}

void calendar_free(ct_calendar *cal)
{
    free(cal);
}

static const day_entry *entry_of(const ct_calendar *cal, ct_date d)
{
    if (d.year < FIRST_YEAR || d.year > LAST_YEAR)
        return NULL;
    return find_day(&cal->years[d.year - FIRST_YEAR], d);
}

bool calendar_is_working_day(const ct_calendar *cal, ct_date d)
{
    const day_entry *e = entry_of(cal, d);

    if (e)
        return e->working;
    return !is_weekend(d);
}

const char *calendar_holiday_name(const ct_calendar *cal, ct_date d)
{
    const day_entry *e = entry_of(cal, d);

    return e && !e->working ? e->name : NULL;
}

ct_date calendar_add_working_days(const ct_calendar *cal, ct_date d, int n)
{
    long jd = ct_date_to_jdn(d);

    while (n > 0) {
        jd++;
        if (calendar_is_working_day(cal, ct_date_from_jdn(jd)))
            n--;
    }
    return ct_date_from_jdn(jd);
}

long calendar_working_days_between(const ct_calendar *cal, ct_date from, ct_date to)
{
    long jd = ct_date_to_jdn(from), end = ct_date_to_jdn(to), n = 0;

    while (jd < end)
        if (calendar_is_working_day(cal, ct_date_from_jdn(++jd)))
            n++;
    return n;
}

int calendar_add_working_days_checked(const ct_calendar *cal, ct_date d, long n, ct_date *out,
                                      ct_error *err)
{
    const ct_date last = {CALENDAR_MAX_YEAR, 12, 31};
    long jd = ct_date_to_jdn(d), end = ct_date_to_jdn(last);

    if (d.year < CALENDAR_MIN_YEAR || d.year > CALENDAR_MAX_YEAR)
        return ct_fail(err, 400, "calendar.range", "ngày phải trong các năm %d–%d",
                       "the date must lie in the years %d–%d", CALENDAR_MIN_YEAR,
                       CALENDAR_MAX_YEAR);
    if (n < 0 || n > CALENDAR_MAX_WORKING_DAYS)
        return ct_fail(err, 400, "calendar.range", "số ngày làm việc phải từ 0 đến %d",
                       "the number of working days must be 0 to %d", CALENDAR_MAX_WORKING_DAYS);
    while (n > 0) {
        if (++jd > end)
            return ct_fail(err, 400, "calendar.range", "kết quả vượt quá ngày %04d-12-31",
                           "the result would fall after %04d-12-31", CALENDAR_MAX_YEAR);
        if (calendar_is_working_day(cal, ct_date_from_jdn(jd)))
            n--;
    }
    *out = ct_date_from_jdn(jd);
    return 0;
}

static int compare_entries(const void *a, const void *b)
{
    const day_entry *x = a, *y = b;

    return x->month != y->month ? x->month - y->month : x->day - y->day;
}

size_t calendar_holidays(const ct_calendar *cal, int year, ct_date *days, const char **names,
                         size_t max)
{
    year_days sorted;
    size_t n = 0;

    if (year < FIRST_YEAR || year > LAST_YEAR)
        return 0;
    sorted = cal->years[year - FIRST_YEAR];
    qsort(sorted.days, sorted.n, sizeof sorted.days[0], compare_entries);
    for (size_t i = 0; i < sorted.n && n < max; i++) {
        ct_date d = {year, sorted.days[i].month, sorted.days[i].day};
        if (sorted.days[i].working || is_weekend(d))
            continue;
        days[n] = d;
        /* names point into the calendar, not into the sorted copy */
        names[n] = calendar_holiday_name(cal, d);
        n++;
    }
    return n;
}

ct_date calendar_effective_receipt_day(const ct_calendar *cal, int64_t received_at, int cutoff_min)
{
    ct_date d = ct_utc_to_local_date(received_at);
    int minute = ct_utc_to_local_minute(received_at);

    if (calendar_is_working_day(cal, d) && minute < cutoff_min)
        return d;
    return calendar_add_working_days(cal, d, 1);
}

int64_t calendar_due(const ct_calendar *cal, int64_t received_at, int n, int cutoff_min,
                     int closing_min)
{
    ct_date d = calendar_effective_receipt_day(cal, received_at, cutoff_min);

    return ct_local_to_utc(calendar_add_working_days(cal, d, n), closing_min);
}

void ct_imf_date(int64_t t, const char *zone, char out[40])
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;

    /* Not strftime: its day and month names follow the locale. */
    gmtime_r(&tt, &tm);
    snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d %s", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, zone);
}
