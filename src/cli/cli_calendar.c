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

int cmd_calendar_add(cli_call *c)
{
    const char *from = cli_pos(c, 0), *count = cli_pos(c, 1);
    ct_calendar *cal;
    ct_date d, result;
    char *end, text[11];
    long n = strtol(count, &end, 10);
    int rc;

    if (ct_date_parse(from, &d) != 0)
        return cli_usage_error("DATE is YYYY-MM-DD");
    if (*end != '\0' || end == count)
        return cli_usage_error("N must be a whole number of working days, 0–3650");
    if (open_calendar(c->ctx, &cal, &c->err) != 0)
        return CLI_FAILED;
    rc = calendar_add_working_days_checked(cal, d, n, &result, &c->err);
    calendar_free(cal);
    if (rc != 0)
        return CLI_FAILED;
    ct_date_format(result, text);
    if (cli_flag(&c->args, "json"))
        printf("{\"from\": \"%s\", \"working_days\": %ld, \"date\": \"%s\"}\n", from, n, text);
    else
        printf("%s\n", text);
    return 0;
}

int cmd_calendar_is_working_day(cli_call *c)
{
    const char *day = cli_pos(c, 0), *name;
    ct_calendar *cal;
    ct_date d;
    bool working;

    if (ct_date_parse(day, &d) != 0)
        return cli_usage_error("DATE is YYYY-MM-DD");
    if (open_calendar(c->ctx, &cal, &c->err) != 0)
        return CLI_FAILED;
    working = calendar_is_working_day(cal, d);
    name = calendar_holiday_name(cal, d);
    if (cli_flag(&c->args, "json"))
        printf("{\"date\": \"%s\", \"working_day\": %s, \"holiday\": %s%s%s}\n", day,
               working ? "true" : "false", name ? "\"" : "", name ? name : "null",
               name ? "\"" : "");
    else
        printf("%s%s%s\n", working ? "yes" : "no", name ? " — " : "", name ? name : "");
    calendar_free(cal);
    return working ? 0 : 1;
}

int cmd_calendar_holidays(cli_call *c)
{
    bool json = cli_flag(&c->args, "json");
    ct_calendar *cal;
    ct_date days[64];
    const char *names[64];
    char text[11];
    json_t *list;
    size_t n;

    if (open_calendar(c->ctx, &cal, &c->err) != 0)
        return CLI_FAILED;
    n = calendar_holidays(cal, atoi(cli_pos(c, 0)), days, names, 64);
    list = json ? json_array() : NULL;
    for (size_t i = 0; i < n; i++) {
        ct_date_format(days[i], text);
        if (json)
            json_array_append_new(
                list, json_pack("{s:s, s:s}", "date", text, "name", names[i] ? names[i] : ""));
        else
            printf("%s  %s\n", text, names[i] ? names[i] : "");
    }
    calendar_free(cal);
    if (json)
        cli_print_json(list);
    return 0;
}
