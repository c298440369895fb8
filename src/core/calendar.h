/*
 * calendar.h — dates, the Vietnamese lunar calendar, and working days (DESIGN.md §2).
 *
 * Days off are Saturdays, Sundays and the public holidays of the Labour Code 2019 (art. 112):
 * 1 January; Tết Nguyên Đán (5 days); Giỗ Tổ Hùng Vương (10/3 lunar); 30 April; 1 May;
 * 2 September and one adjacent day. A fixed holiday on a weekend gives the next working day
 * off. The government announces each year's exact schedule (Tết days, swapped days, make-up
 * Saturdays): a data file per year, holidays/YYYY.txt, overrides the computed defaults.
 *
 * Vietnam is UTC+7 all year (no daylight saving); instants are Unix seconds, UTC.
 */
#ifndef CT_CORE_CALENDAR_H
#define CT_CORE_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct ct_date {
    int year;
    int month;
    int day;
} ct_date;

typedef struct lunar_date {
    int year;
    int month;
    int day;
    int leap; /* 1 in a leap month */
} lunar_date;

/* Julian day numbers make date arithmetic plain integer arithmetic. */
long ct_date_to_jdn(ct_date d);
ct_date ct_date_from_jdn(long jdn);
int ct_date_weekday(ct_date d); /* 0 = Sunday … 6 = Saturday */
/* Strict "YYYY-MM-DD" of a day that exists; 0 or -1. */
int ct_date_parse(const char *s, ct_date *out);
void ct_date_format(ct_date d, char out[11]);

/* Vietnamese lunar calendar, 1900–2100, new moons and solar terms computed for UTC+7. */
int lunar_from_solar(ct_date d, lunar_date *out);
int solar_from_lunar(lunar_date l, ct_date *out); /* -1 if that lunar day does not exist */

/* Local (UTC+7) day of an instant, its local minute of the day (0–1439), and the instant of a
 * local day and minute. */
ct_date ct_utc_to_local_date(int64_t t);
int ct_utc_to_local_minute(int64_t t);
int64_t ct_local_to_utc(ct_date d, int minute_of_day);
/* t in UTC as the Internet Message Format writes a date (RFC 5322 3.3, RFC 9110's
 * IMF-fixdate), with day and month names that do not follow the locale: "Tue, 24 Nov 2026
 * 19:56:55 " then zone ("GMT" for HTTP, "+0000" for e-mail). */
void ct_imf_date(int64_t t, const char *zone, char out[40]);

typedef struct ct_calendar ct_calendar;

/* Load the yearly override files of holiday_dir (missing dir: computed defaults only). A bad
 * line fails with "calendar.bad_file", naming the file and line. */
int calendar_open(const char *holiday_dir, ct_calendar **out, ct_error *err);
void calendar_free(ct_calendar *cal);

bool calendar_is_working_day(const ct_calendar *cal, ct_date d);
/* The holiday's name if d is a public holiday (or a day off in its place), else NULL. */
const char *calendar_holiday_name(const ct_calendar *cal, ct_date d);
/* The n-th working day after d (d not counted); n = 0 gives d. */
ct_date calendar_add_working_days(const ct_calendar *cal, ct_date d, int n);
/* The working days after from, up to and including to (0 when to is not after from): how long
 * something took as the deadlines count ("within n working days from D", D not counted). */
long calendar_working_days_between(const ct_calendar *cal, ct_date from, ct_date to);
/* What a date from outside (the API, the command line) may ask of the calendar: days of the
 * years 1900 to 9999, and 0 to 3650 working days (ten years) at once. */
#define CALENDAR_MIN_YEAR 1900
#define CALENDAR_MAX_YEAR 9999
#define CALENDAR_MAX_WORKING_DAYS 3650
/* calendar_add_working_days() for such a date: 400 "calendar.range" when d lies outside those
 * years, n outside 0–3650, or the answer would fall after 9999-12-31 (four-digit years only). */
int calendar_add_working_days_checked(const ct_calendar *cal, ct_date d, long n, ct_date *out,
                                      ct_error *err);
/* The holiday days off of a year (not plain weekends), in order; returns the count. */
size_t calendar_holidays(const ct_calendar *cal, int year, ct_date *days, const char **names,
                         size_t max);

/* The day a dossier counts as received: its local day if that is a working day and the time is
 * before the cut-off, else the next working day. */
ct_date calendar_effective_receipt_day(const ct_calendar *cal, int64_t received_at, int cutoff_min);
/* "Within n working days from receipt": with D the effective receipt day, the closing time
 * (local) of the n-th working day after D, D itself not counted. */
int64_t calendar_due(const ct_calendar *cal, int64_t received_at, int n, int cutoff_min,
                     int closing_min);

#endif
