/*
 * cli_audit.c — `chungthu audit verify`: walk the audit hash chain, and list the serials
 * reserved for a token's certificate that were never issued (failed or cut-off provisionings).
 */
#include <stdio.h>

#include <jansson.h>

#include "cli/cli.h"

static void print_report_json(const app_audit_report *report)
{
    json_t *unissued = json_array();

    for (size_t i = 0; i < report->unissued && i < APP_UNISSUED_LISTED; i++)
        json_array_append_new(unissued, json_pack("{s:s, s:s, s:I}", "serial",
                                                  report->unissued_list[i].serial, "token",
                                                  report->unissued_list[i].token, "at",
                                                  (json_int_t)report->unissued_list[i].at));
    cli_print_json(json_pack("{s:b, s:I, s:I, s:s, s:I, s:o}", "ok", report->first_bad_id == 0,
                             "rows", (json_int_t)report->rows, "first_bad_row",
                             (json_int_t)report->first_bad_id, "problem", report->problem,
                             "reserved_not_issued", (json_int_t)report->unissued,
                             "reserved_not_issued_first", unissued));
}

static void print_report(const app_audit_report *report)
{
    if (report->first_bad_id == 0)
        printf("Nhật ký kiểm toán nguyên vẹn / audit chain intact: %lld rows\n",
               (long long)report->rows);
    else
        printf("Nhật ký kiểm toán bị sửa / audit chain BROKEN at row %lld: %s\n",
               (long long)report->first_bad_id, report->problem);
    if (report->unissued == 0)
        return;
    printf("Số hiệu dành cho thiết bị nhưng không cấp (cấp phát hỏng hoặc bị ngắt) / serials "
           "reserved for a token and never issued (failed or cut-off provisionings): %zu\n",
           report->unissued);
    for (size_t i = 0; i < report->unissued && i < APP_UNISSUED_LISTED; i++) {
        char when[32];
        cli_local_time(report->unissued_list[i].at, when, sizeof when);
        printf("  %s  thiết bị / token %s  %s\n", report->unissued_list[i].serial,
               report->unissued_list[i].token, when);
    }
}

int cmd_audit_verify(cli_call *c)
{
    app_audit_report report;

    if (app_audit_verify(c->a, &c->actor, &report, &c->err) != 0)
        return CLI_FAILED;
    if (cli_flag(&c->args, "json"))
        print_report_json(&report);
    else
        print_report(&report);
    return report.first_bad_id == 0 ? 0 : 1;
}
