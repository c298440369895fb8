/*
 * cli_audit.c — `chungthu audit verify`: walk the audit hash chain.
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
        json_t *j = json_pack("{s:b, s:I, s:I, s:s}", "ok", report.first_bad_id == 0, "rows",
                              (json_int_t)report.rows, "first_bad_row",
                              (json_int_t)report.first_bad_id, "problem", report.problem);
        json_dumpf(j, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(j);
    } else if (report.first_bad_id == 0) {
        printf("Nhật ký kiểm toán nguyên vẹn / audit chain intact: %lld rows\n",
               (long long)report.rows);
    } else {
        printf("Nhật ký kiểm toán bị sửa / audit chain BROKEN at row %lld: %s\n",
               (long long)report.first_bad_id, report.problem);
    }
    return report.first_bad_id == 0 ? 0 : 1;
}
