/*
 * cli_calendar.c — `chungthu calendar …`: the working-day calendar, as the deadlines use it.
 *
 * Works with or without an instance: the instance's holiday files when --home has one, else
 * the files shipped with chungthu.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/calendar.h"

static int open_calendar(const cli_ctx *ctx, ct_calendar **cal, ct_error *err)
{
    char dir[1024];
    struct stat st;

    snprintf(dir, sizeof dir, "%s/holidays", ctx->home);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        snprintf(dir, sizeof dir, "%s/holidays", CT_DATA_DIR);
    return calendar_open(dir, cal, err);
}

int cmd_calendar(const cli_ctx *ctx, int argc, char **argv)
{
    static const cli_opt_spec specs[] = {{"json", false, false}, {NULL, false, false}};
    cli_args args;
    ct_calendar *cal;
    ct_error err = {0};
    ct_date d;
    char text[11];
    bool json;

    if (argc < 1 || cli_parse(argc - 1, argv + 1, specs, &args) != 0)
        return cli_usage_error("usage: calendar add-working-days DATE N | is-working-day DATE | "
                               "holidays YEAR");
    json = cli_flag(&args, "json");
    if (open_calendar(ctx, &cal, &err) != 0)
        return cli_report(&err);
    if (strcmp(argv[0], "add-working-days") == 0 && args.n_pos == 2 &&
        ct_date_parse(args.pos[0], &d) == 0) {
        char *end;
        long n = strtol(args.pos[1], &end, 10);
        ct_date result;
        if (*end != '\0' || end == args.pos[1]) {
            calendar_free(cal);
            return cli_usage_error("N must be a whole number of working days, 0–3650");
        }
        if (calendar_add_working_days_checked(cal, d, n, &result, &err) != 0) {
            calendar_free(cal);
            return cli_report(&err);
        }
        ct_date_format(result, text);
        if (json)
            printf("{\"from\": \"%s\", \"working_days\": %ld, \"date\": \"%s\"}\n", args.pos[0], n,
                   text);
        else
            printf("%s\n", text);
    } else if (strcmp(argv[0], "is-working-day") == 0 && args.n_pos == 1 &&
               ct_date_parse(args.pos[0], &d) == 0) {
        bool working = calendar_is_working_day(cal, d);
        const char *name = calendar_holiday_name(cal, d);
        if (json)
            printf("{\"date\": \"%s\", \"working_day\": %s, \"holiday\": %s%s%s}\n", args.pos[0],
                   working ? "true" : "false", name ? "\"" : "", name ? name : "null",
                   name ? "\"" : "");
        else
            printf("%s%s%s\n", working ? "yes" : "no", name ? " — " : "", name ? name : "");
        calendar_free(cal);
        return working ? 0 : 1;
    } else if (strcmp(argv[0], "holidays") == 0 && args.n_pos == 1) {
        ct_date days[64];
        const char *names[64];
        int year = atoi(args.pos[0]);
        size_t n = calendar_holidays(cal, year, days, names, 64);
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++) {
            ct_date_format(days[i], text);
            if (json)
                json_array_append_new(
                    list, json_pack("{s:s, s:s}", "date", text, "name", names[i] ? names[i] : ""));
            else
                printf("%s  %s\n", text, names[i] ? names[i] : "");
        }
        if (json) {
            json_dumpf(list, stdout, JSON_INDENT(2));
            putchar('\n');
        }
        json_decref(list);
    } else {
        calendar_free(cal);
        return cli_usage_error("usage: calendar add-working-days YYYY-MM-DD N | is-working-day "
                               "YYYY-MM-DD | holidays YYYY");
    }
    calendar_free(cal);
    return 0;
}
