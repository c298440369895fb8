/*
 * cli_token.c — `chungthu token stock|list|provision`: the CA's private-key storage devices.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"

static int list_token(void *user, const token_record *t)
{
    json_t *list = user;

    if (list) {
        json_array_append_new(list, app_view_token(t));
        return 0;
    }
    printf("%-18s %-28s %-16s %s%s%s\n", t->serial, t->label, t->state,
           t->cert_serial[0] ? t->cert_serial : "-", t->note[0] ? "  " : "", t->note);
    return 0;
}

int cmd_token(const cli_ctx *ctx, int argc, char **argv)
{
    static const cli_opt_spec specs[] = {
        {"count", true, false}, {"state", true, false},    {"json", false, false},
        {"name", true, false},  {"email", true, false},    {"province", true, false},
        {"org", true, false},   {"unit", true, true},      {"days", true, false},
        {"token", true, false}, {"key-type", true, false}, {"hold", false, false},
        {NULL, false, false}};
    cli_args args;
    app *a;
    app_actor actor = cli_actor(ctx, ROLE_CA_OFFICER);
    ct_error err = {0};
    int rc;

    if (argc < 1 || cli_parse(argc - 1, argv + 1, specs, &args) != 0 || args.n_pos != 0)
        return cli_usage_error("usage: token stock --count N | token list [--state S] [--json] "
                               "| token provision --name … --email … --province … --org … "
                               "[--unit …]… [--token SERIAL] [--key-type rsa2048|rsa3072|p256]");
    if ((rc = cli_open(ctx, &a)) != 0)
        return rc;
    if (strcmp(argv[0], "stock") == 0) {
        const char *count = cli_get(&args, "count");
        int n = count ? atoi(count) : 1;
        rc = app_token_stock(a, &actor, n, &err);
        if (rc == 0)
            printf("Đã nhập kho / added to stock: %d\n", n);
    } else if (strcmp(argv[0], "list") == 0) {
        json_t *list = cli_flag(&args, "json") ? json_array() : NULL;
        rc = app_token_list(a, &actor, cli_get(&args, "state"), list_token, list, &err);
        if (list && rc == 0) {
            json_dumpf(list, stdout, JSON_INDENT(2));
            putchar('\n');
        }
        json_decref(list);
    } else if (strcmp(argv[0], "provision") == 0) {
        app_provision_request req = {0};
        app_provisioned out;
        req.subject.full_name = cli_get(&args, "name");
        req.subject.email = cli_get(&args, "email");
        req.subject.province = cli_get(&args, "province");
        req.subject.org = cli_get(&args, "org");
        req.subject.n_units =
            cli_get_all(&args, "unit", req.subject.units, SUBSCRIBER_MAX_UNITS + 1);
        req.days = cli_get(&args, "days") ? atoi(cli_get(&args, "days")) : 0;
        req.key_type = cli_get(&args, "key-type");
        req.token = cli_get(&args, "token");
        req.hold = cli_flag(&args, "hold");
        rc = app_token_provision(a, &actor, &req, &out, &err);
        if (rc == 0 && cli_flag(&args, "json")) {
            json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "cert_serial", out.cert_serial,
                                  "token_serial", out.token_serial, "token_label", out.token_label,
                                  "envelope", out.envelope_path);
            json_dumpf(j, stdout, JSON_INDENT(2));
            putchar('\n');
            json_decref(j);
        } else if (rc == 0) {
            /* The PIN is shown once, for the operator who prints the envelope. */
            printf("Thiết bị / token: %s (%s)\nChứng thư / certificate: %s\n"
                   "Phong bì mã PIN / PIN envelope: %s\n",
                   out.token_serial, out.token_label, out.cert_serial, out.envelope_path);
        }
    } else {
        rc = -1;
        ct_fail(&err, 400, "usage", "lệnh token không hợp lệ", "unknown token command");
    }
    app_close(a);
    return rc == 0 ? 0 : cli_report(&err);
}
