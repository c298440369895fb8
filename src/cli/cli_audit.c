/*
 * cli_audit.c — `chungthu audit verify`: walk the audit hash chain against its signed
 * checkpoints (and one kept outside the database, --checkpoint), and list the serials reserved
 * for a token's certificate that were never issued (failed or cut-off provisionings);
 * `chungthu audit checkpoint`: sign one now.
 */
#include <stdio.h>
#include <stdlib.h>

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
    cli_print_json(json_pack(
        "{s:b, s:I, s:I, s:s, s:I, s:I, s:b, s:I, s:o}", "ok", report->first_bad_id == 0, "rows",
        (json_int_t)report->rows, "first_bad_row", (json_int_t)report->first_bad_id, "problem",
        report->problem, "checkpoints", (json_int_t)report->checkpoints, "bad_checkpoint",
        (json_int_t)report->bad_checkpoint, "external_checkpoint_checked", report->external_checked,
        "reserved_not_issued", (json_int_t)report->unissued, "reserved_not_issued_first",
        unissued));
}

static void print_report(const app_audit_report *report)
{
    if (report->first_bad_id == 0)
        printf("Nhật ký kiểm toán nguyên vẹn / audit chain intact: %lld rows, %lld signed "
               "checkpoints%s\n",
               (long long)report->rows, (long long)report->checkpoints,
               report->external_checked ? ", and the checkpoint kept outside" : "");
    else if (report->bad_checkpoint)
        printf("Nhật ký kiểm toán bị sửa / audit trail BROKEN at checkpoint %lld: %s\n",
               (long long)report->bad_checkpoint, report->problem);
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
    const char *path = cli_get(&c->args, "checkpoint");
    unsigned char *external = NULL;
    size_t len = 0;
    int rc;

    /* "-": from standard input, e.g. `curl …/audit/checkpoint | chungthu audit verify
     * --checkpoint -` */
    if (path && cli_read_file(path, 1 << 20, &external, &len) != 0) {
        ct_fail(&c->err, 400, "file.read", "không đọc được %s", "cannot read %s", path);
        return CLI_FAILED;
    }
    if (external)
        external[len] = '\0'; /* cli_read_file leaves room for it */
    rc = app_audit_verify_with(c->a, &c->actor, (const char *)external, &report, &c->err);
    free(external);
    if (rc != 0)
        return CLI_FAILED;
    if (cli_flag(&c->args, "json"))
        print_report_json(&report);
    else
        print_report(&report);
    return report.first_bad_id == 0 ? 0 : 1;
}

int cmd_audit_checkpoint(cli_call *c)
{
    audit_checkpoint cp;
    bool made;

    if (app_audit_checkpoint(c->a, &c->actor, true, &cp, &made, &c->err) != 0)
        return CLI_FAILED;
    if (made)
        printf("Điểm kiểm tra nhật ký / audit checkpoint %lld: %lld rows, head %s\n",
               (long long)cp.seq, (long long)cp.rows, cp.head_hash);
    else
        printf("Không có gì mới để ký / nothing new to sign since the last checkpoint\n");
    return 0;
}
