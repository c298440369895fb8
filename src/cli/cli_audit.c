/*
 * cli_audit.c — `chungthu audit verify`: walk the audit hash chain, and list the serials
 * reserved for a token's certificate that were never issued (failed or cut-off provisionings).
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"

int cmd_audit(const cli_ctx *ctx, int argc, char **argv)
{
    static const cli_opt_spec specs[] = {{"json", false, false}, {NULL, false, false}};
    cli_args args;
    app *a;
    app_actor actor = cli_actor(ctx, ROLE_AUDITOR);
    app_audit_report report;
    ct_error err = {0};
    int rc;

    if (cli_parse(argc, argv, specs, &args) != 0 || args.n_pos != 1 ||
        strcmp(args.pos[0], "verify") != 0)
        return cli_usage_error("usage: audit verify [--json]");
    if ((rc = cli_open(ctx, &a)) != 0)
        return rc;
    rc = app_audit_verify(a, &actor, &report, &err);
    app_close(a);
    if (rc != 0)
        return cli_report(&err);
    if (cli_flag(&args, "json")) {
        json_t *unissued = json_array();
        json_t *j;
        for (size_t i = 0; i < report.unissued && i < APP_UNISSUED_LISTED; i++)
            json_array_append_new(unissued, json_pack("{s:s, s:s, s:I}", "serial",
                                                      report.unissued_list[i].serial, "token",
                                                      report.unissued_list[i].token, "at",
                                                      (json_int_t)report.unissued_list[i].at));
        j = json_pack("{s:b, s:I, s:I, s:s, s:I, s:o}", "ok", report.first_bad_id == 0, "rows",
                      (json_int_t)report.rows, "first_bad_row", (json_int_t)report.first_bad_id,
                      "problem", report.problem, "reserved_not_issued", (json_int_t)report.unissued,
                      "reserved_not_issued_first", unissued);
        json_dumpf(j, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(j);
        return report.first_bad_id == 0 ? 0 : 1;
    }
    if (report.first_bad_id == 0)
        printf("Nhật ký kiểm toán nguyên vẹn / audit chain intact: %lld rows\n",
               (long long)report.rows);
    else
        printf("Nhật ký kiểm toán bị sửa / audit chain BROKEN at row %lld: %s\n",
               (long long)report.first_bad_id, report.problem);
    if (report.unissued > 0) {
        printf("Số hiệu dành cho thiết bị nhưng không cấp (cấp phát hỏng hoặc bị ngắt) / serials "
               "reserved for a token and never issued (failed or cut-off provisionings): %zu\n",
               report.unissued);
        for (size_t i = 0; i < report.unissued && i < APP_UNISSUED_LISTED; i++) {
            char when[32];
            cli_local_time(report.unissued_list[i].at, when, sizeof when);
            printf("  %s  thiết bị / token %s  %s\n", report.unissued_list[i].serial,
                   report.unissued_list[i].token, when);
        }
    }
    return report.first_bad_id == 0 ? 0 : 1;
}
