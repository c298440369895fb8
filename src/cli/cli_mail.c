/*
 * cli_mail.c — `chungthu agency set` (an agency's contacts) and the `mail` group: the outbox
 * listed, its due messages sent now, a failed one queued again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"

int cmd_agency_set(cli_call *c)
{
    agency_record rec;
    app_agency_contacts in = {cli_get(&c->args, "address"), cli_get(&c->args, "email"),
                              cli_get(&c->args, "phone"), cli_get(&c->args, "clerk-email"),
                              cli_get(&c->args, "head-email")};

    if (!in.address && !in.email && !in.phone && !in.clerk_email && !in.head_email)
        return cli_usage_error("agency set: give at least one of --address, --email, --phone, "
                               "--clerk-email, --head-email (\"\" clears one)");
    if (app_agency_set_contacts(c->a, &c->actor, cli_pos(c, 0), &in, &rec, &c->err) != 0)
        return CLI_FAILED;
    if (cli_flag(&c->args, "json")) {
        cli_print_json(app_view_agency(&rec));
        return 0;
    }
    printf("%s — %s\n", rec.code, rec.name);
    printf("  địa chỉ / address:          %s\n", rec.address);
    printf("  thư điện tử / e-mail:       %s\n", rec.email);
    printf("  điện thoại / phone:         %s\n", rec.phone);
    printf("  văn thư / clerk e-mail:     %s\n", rec.clerk_email);
    printf("  thủ trưởng / head e-mail:   %s\n", rec.head_email);
    return 0;
}

typedef struct mail_rows {
    json_t *list; /* --json */
} mail_rows;

static int print_mail(void *user, const outbox_record *r)
{
    mail_rows *m = user;
    char when[40];

    if (m->list)
        return json_array_append_new(m->list, app_view_mail(r)) == 0 ? 0 : 1;
    cli_local_time(r->state[0] == 's' ? r->sent_at : r->created_at, when, sizeof when);
    printf("%-6lld %-7s %-10s %s  %s → %s\n", (long long)r->id, r->state, r->kind, when, r->ref,
           r->recipients);
    printf("       %s (%lld)\n", r->subject, (long long)r->attempts);
    if (r->last_error[0])
        printf("       ! %s\n", r->last_error);
    return 0;
}

int cmd_mail_list(cli_call *c)
{
    mail_rows m = {cli_flag(&c->args, "json") ? json_array() : NULL};

    if (app_mail_list(c->a, &c->actor, cli_get(&c->args, "state"), print_mail, &m, &c->err) != 0) {
        json_decref(m.list);
        return CLI_FAILED;
    }
    if (m.list)
        cli_print_json(m.list);
    return 0;
}

void cli_print_mail_report(const app_mail_report *r)
{
    printf("Thư đã gửi / e-mail sent: %d; chờ gửi lại / deferred: %d; thất bại / failed: %d; "
           "báo sắp hết hạn / expiry notices queued: %d\n",
           r->sent, r->deferred, r->failed, r->queued_notices);
}

int cmd_mail_send_due(cli_call *c)
{
    app_mail_report r;

    if (app_mail_send_due(c->a, &c->actor, &r, &c->err) != 0)
        return CLI_FAILED;
    cli_print_mail_report(&r);
    return 0;
}

int cmd_mail_retry(cli_call *c)
{
    char *end;
    long long id = strtoll(cli_pos(c, 0), &end, 10);

    if (*end != '\0' || id < 1)
        return cli_usage_error("mail retry: ID is a message's number (mail list)");
    if (app_mail_retry(c->a, &c->actor, (int64_t)id, &c->err) != 0)
        return CLI_FAILED;
    printf("Thư %lld chờ gửi lại / message %lld queued again\n", id, id);
    return 0;
}
