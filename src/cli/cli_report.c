/*
 * cli_report.c — `chungthu report`: the procedure per agency over a period, as text, as JSON
 * (the API's form) or as one of the CSV tables the portal offers for download.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* "66,7%", or "—" when nothing ended */
static void print_step(const char *label, const app_report_step *s, bool counted)
{
    printf("  %s: %lld", label, (long long)s->done);
    if (counted && s->done)
        printf(", đúng hạn / on time %lld, trễ / late %lld (%.1f%%)", (long long)s->on_time,
               (long long)s->late, 100.0 * (double)s->on_time / (double)s->done);
    if (s->median_days >= 0)
        printf(", trung vị / median %g ngày làm việc / working days", s->median_days);
    putchar('\n');
}

static void print_row(const app_report_row *r)
{
    if (r->agency[0])
        printf("%s  %s\n", r->agency, r->name);
    else
        printf("Tổng cộng / total\n");
    printf("  hồ sơ / dossiers: tiếp nhận / received %lld (chờ kiểm tra / waiting %lld, hợp lệ / "
           "accepted %lld, chờ bổ sung / supplement %lld, từ chối / rejected %lld, rút / withdrawn "
           "%lld, hoàn thành / completed %lld)\n",
           (long long)r->received, (long long)r->waiting, (long long)r->accepted,
           (long long)r->needs_supplement, (long long)r->rejected, (long long)r->withdrawn,
           (long long)r->completed);
    printf("  chứng thư / certificates: đã ký / issued %lld, công bố / published %lld, thu hồi / "
           "revoked %lld\n",
           (long long)r->issued, (long long)r->published, (long long)r->revoked);
    print_step("bước 2 / step 2", &r->step2, true);
    print_step("bước 3, thời gian của cơ quan / step 3, the agency's time", &r->step3, false);
    print_step("bước 4 / step 4", &r->step4, true);
}

int cmd_report(cli_call *c)
{
    app_report_options opt = {cli_get(&c->args, "from"), cli_get(&c->args, "to"),
                              cli_get(&c->args, "agency")};
    const char *csv = cli_get(&c->args, "csv");
    app_report_data rep;
    char *text = NULL;
    int rc = CLI_FAILED;

    if (app_report(c->a, &c->actor, &opt, &rep, &c->err) != 0)
        goto out;
    if (csv) {
        if (app_report_csv(&rep, csv, &text, &c->err) != 0)
            goto out;
        fputs(text, stdout);
    } else if (cli_flag(&c->args, "json")) {
        cli_print_json(app_report_view(&rep));
    } else {
        printf("Báo cáo / report %s – %s (không gồm ngày cuối / end excluded)%s%s\n", rep.from,
               rep.to, rep.agency[0] ? ", " : "", rep.agency);
        for (size_t i = 0; i < rep.rows.n; i++)
            print_row(&rep.rows.items[i]);
        print_row(&rep.total);
    }
    rc = 0;
out:
    free(text);
    app_report_free(&rep);
    return rc;
}
