/*
 * cli_approval.c — `chungthu approval list|approve|decline`: four eyes from the command line,
 * and the message a gated step prints when it waits for a second officer.
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "cli/cli.h"

void cli_print_pending(const approval_record *pending)
{
    printf("Đang chờ cán bộ thứ hai phê duyệt (yêu cầu số %lld: %s %s) / waiting for a second "
           "officer to approve (request %lld)\n",
           (long long)pending->id, pending->action, pending->object, (long long)pending->id);
}

static int list_approval(void *user, const approval_record *rec)
{
    json_t *list = user;
    char when[40];

    if (list) {
        json_array_append_new(list, app_view_approval(rec));
        return 0;
    }
    cli_local_time(rec->requested_at, when, sizeof when);
    printf("%-6lld %-14s %-42s %-16s %s\n", (long long)rec->id, rec->action, rec->object,
           rec->requested_by, when);
    return 0;
}

int cmd_approval_list(cli_call *c)
{
    json_t *list = cli_flag(&c->args, "json") ? json_array() : NULL;

    if (app_approval_list(c->a, &c->actor, list_approval, list, &c->err) != 0) {
        json_decref(list);
        return CLI_FAILED;
    }
    if (list)
        cli_print_json(list);
    return 0;
}

/* ID as typed: a positive number, else no request has it. */
static int approval_id(cli_call *c, int64_t *id)
{
    const char *s = cli_pos(c, 0);
    char *end;
    long long v = strtoll(s, &end, 10);

    if (*s < '1' || *s > '9' || v <= 0 || *end != '\0')
        return ct_fail(&c->err, 404, "approval.not_found", "không có yêu cầu phê duyệt \"%s\"",
                       "no request for approval \"%s\"", s);
    *id = v;
    return 0;
}

int cmd_approval_approve(cli_call *c)
{
    approval_record rec;
    int64_t id = 0;

    if (approval_id(c, &id) != 0 || app_approval_approve(c->a, &c->actor, id, &rec, &c->err) != 0)
        return CLI_FAILED;
    printf("Đã phê duyệt và thực hiện / approved and carried out: %lld (%s %s, yêu cầu của / "
           "requested by %s)\n",
           (long long)rec.id, rec.action, rec.object, rec.requested_by);
    return 0;
}

int cmd_approval_decline(cli_call *c)
{
    approval_record rec;
    int64_t id = 0;

    if (approval_id(c, &id) != 0 ||
        app_approval_decline(c->a, &c->actor, id, cli_get(&c->args, "reason"), &rec, &c->err) != 0)
        return CLI_FAILED;
    printf("Đã từ chối / declined: %lld (%s %s)\n", (long long)rec.id, rec.action, rec.object);
    return 0;
}
