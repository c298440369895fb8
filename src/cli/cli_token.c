/*
 * cli_token.c — `chungthu token …`: the CA's private-key storage devices: the stock, provisioning,
 * the PIN envelope, and token care (reset-pin, lost, broken, returned, destroy).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "cli/cli.h"

typedef struct token_listing {
    const app_actor *actor;
    json_t *list; /* --json, else NULL */
} token_listing;

static int list_token(void *user, const token_record *t)
{
    token_listing *l = user;

    if (l->list) {
        json_array_append_new(l->list, app_view_token(l->actor, t));
        return 0;
    }
    printf("%-18s %-28s %-16s %s%s%s\n", t->serial, t->label, t->state,
           t->cert_serial[0] ? t->cert_serial : "-", t->note[0] ? "  " : "", t->note);
    return 0;
}

int cmd_token_stock(cli_call *c)
{
    const char *count = cli_get(&c->args, "count");
    int n = count ? atoi(count) : 1;

    if (app_token_stock(c->a, &c->actor, n, &c->err) != 0)
        return CLI_FAILED;
    printf("Đã nhập kho / added to stock: %d\n", n);
    return 0;
}

int cmd_token_list(cli_call *c)
{
    token_listing l = {&c->actor, cli_flag(&c->args, "json") ? json_array() : NULL};

    if (app_token_list(c->a, &c->actor, cli_get(&c->args, "state"), list_token, &l, &c->err) != 0) {
        json_decref(l.list);
        return CLI_FAILED;
    }
    if (l.list)
        cli_print_json(l.list);
    return 0;
}

/* One move of token care; the token as it now stands. */
static int token_care(cli_call *c, token_action action)
{
    token_record t;
    token_listing one = {&c->actor, NULL};

    if (app_token_care(c->a, &c->actor, cli_pos(c, 0), action, cli_get(&c->args, "reason"), &t,
                       &c->err) != 0)
        return CLI_FAILED;
    if (cli_flag(&c->args, "json")) {
        cli_print_json(app_view_token(&c->actor, &t));
        return 0;
    }
    list_token(&one, &t);
    if (action == TOKEN_ACT_RESET_PIN)
        printf("Phong bì mã PIN mới chờ in / a new PIN envelope waits: chungthu token envelope "
               "%s\n",
               t.serial);
    return 0;
}

int cmd_token_reset_pin(cli_call *c)
{
    return token_care(c, TOKEN_ACT_RESET_PIN);
}

int cmd_token_lost(cli_call *c)
{
    return token_care(c, TOKEN_ACT_LOST);
}

int cmd_token_broken(cli_call *c)
{
    return token_care(c, TOKEN_ACT_BROKEN);
}

int cmd_token_returned(cli_call *c)
{
    return token_care(c, TOKEN_ACT_RETURNED);
}

int cmd_token_destroy(cli_call *c)
{
    return token_care(c, TOKEN_ACT_DESTROY);
}

int cmd_token_envelope(cli_call *c)
{
    const char *path = cli_get(&c->args, "output");
    app_paper page;
    FILE *f;
    int rc = 0;

    if (app_token_envelope_print(c->a, &c->actor, cli_pos(c, 0),
                                 cli_flag(&c->args, "pdf") ? APP_PAPER_PDF : APP_PAPER_HTML, &page,
                                 &c->err) != 0)
        return CLI_FAILED;
    f = path ? fopen(path, "wxe") : stdout; /* never over an existing file */
    if (f == NULL || fwrite(page.bytes, 1, page.len, f) != page.len)
        rc = -1;
    if (f && f != stdout && fclose(f) != 0)
        rc = -1;
    if (path && f)
        chmod(path, 0600);
    app_token_envelope_discard(&page);
    if (rc != 0) {
        ct_fail(&c->err, 500, "file.write",
                "không ghi được %s: phong bì đã được in, mã PIN không còn lưu ở đâu",
                "cannot write %s: the envelope counts as printed, the PIN is kept nowhere",
                path ? path : "stdout");
        return CLI_FAILED;
    }
    return 0;
}

int cmd_token_provision(cli_call *c)
{
    const cli_args *args = &c->args;
    app_provision_request req = {0};
    app_provisioned out;

    req.subject.full_name = cli_get(args, "name");
    req.subject.email = cli_get(args, "email");
    req.subject.province = cli_get(args, "province");
    req.subject.org = cli_get(args, "org");
    req.subject.n_units = cli_get_all(args, "unit", req.subject.units, SUBSCRIBER_MAX_UNITS + 1);
    req.days = cli_get(args, "days") ? atoi(cli_get(args, "days")) : 0;
    req.key_type = cli_get(args, "key-type");
    req.token = cli_get(args, "token");
    req.hold = cli_flag(args, "hold");
    if (app_token_provision(c->a, &c->actor, &req, &out, &c->err) != 0)
        return CLI_FAILED;
    /* The PIN is shown once, for the operator who prints the envelope. */
    if (cli_flag(args, "json"))
        cli_print_json(json_pack("{s:s, s:s, s:s, s:s}", "cert_serial", out.cert_serial,
                                 "token_serial", out.token_serial, "token_label", out.token_label,
                                 "envelope", out.envelope_path));
    else
        printf("Thiết bị / token: %s (%s)\nChứng thư / certificate: %s\n"
               "Phong bì mã PIN / PIN envelope: %s\n",
               out.token_serial, out.token_label, out.cert_serial, out.envelope_path);
    return 0;
}
