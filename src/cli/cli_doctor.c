/*
 * cli_doctor.c — `chungthu doctor [--json]`: the health check of the instance at --home, one
 * line pair a check (Vietnamese, then English), or one JSON object for monitoring. Exit status
 * 0 when every check is ok, 1 when the worst is a warning, 2 when any is an error.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"

static void print_json(const char *home, const app_doctor_report *r)
{
    json_t *checks = json_array();

    for (size_t i = 0; i < r->n; i++) {
        const app_doctor_check *c = &r->checks[i];
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:s}", "name", c->name, "status",
                      app_doctor_status_name(c->status), "message_vi", c->vi, "message_en", c->en);
        if (c->figures)
            json_object_update_missing(o, c->figures);
        json_array_append_new(checks, o);
    }
    cli_print_json(json_pack("{s:s, s:s, s:o}", "home", home, "status",
                             app_doctor_status_name(r->worst), "checks", checks));
}

static void print_text(const char *home, const app_doctor_report *r)
{
    size_t errors = 0, warnings = 0;

    printf("chungthu doctor: %s\n", home);
    for (size_t i = 0; i < r->n; i++) {
        const app_doctor_check *c = &r->checks[i];
        const char *word = c->status == APP_DOCTOR_ERROR     ? "ERROR"
                           : c->status == APP_DOCTOR_WARNING ? "WARNING"
                                                             : "ok";
        errors += c->status == APP_DOCTOR_ERROR;
        warnings += c->status == APP_DOCTOR_WARNING;
        printf("  %-8s %-13s %s\n  %-8s %-13s %s\n", word, c->name, c->vi, "", "", c->en);
    }
    if (errors == 0 && warnings == 0)
        printf("Mọi kiểm tra đều ổn / every check is ok\n");
    else
        printf("%zu lỗi, %zu cảnh báo / %zu errors, %zu warnings\n", errors, warnings, errors,
               warnings);
}

int cmd_doctor(cli_call *c)
{
    app_doctor_report report;
    int rc;

    if (app_doctor(c->ctx->home, &c->actor, &report, &c->err) != 0) {
        app_doctor_report_free(&report);
        return CLI_FAILED;
    }
    if (cli_flag(&c->args, "json"))
        print_json(c->ctx->home, &report);
    else
        print_text(c->ctx->home, &report);
    rc = report.worst == APP_DOCTOR_ERROR ? 2 : report.worst == APP_DOCTOR_WARNING ? 1 : 0;
    app_doctor_report_free(&report);
    return rc;
}
