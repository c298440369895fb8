/*
 * cli_user.c — `chungthu user add|list|disable`: accounts for the portal and the API. The
 * password is read from standard input (one line), never from the command line, where any
 * user of the machine could read it.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"

static int list_user(void *user, const user_record *u)
{
    json_t *list = user;

    if (list)
        json_array_append_new(list, app_view_user(u));
    else
        printf("%-20s %-14s %-12s %s%s\n", u->username, u->role, u->agency[0] ? u->agency : "-",
               u->display_name, u->disabled ? "  (disabled)" : "");
    return 0;
}

int cmd_user(const cli_ctx *ctx, int argc, char **argv)
{
    static const cli_opt_spec specs[] = {{"username", true, false}, {"name", true, false},
                                         {"role", true, false},     {"agency", true, false},
                                         {"json", false, false},    {NULL, false, false}};
    cli_args args;
    app *a;
    app_actor actor = cli_actor(ctx, ROLE_CA_ADMIN);
    ct_error err = {0};
    int rc;

    if (argc < 1 || cli_parse(argc - 1, argv + 1, specs, &args) != 0)
        return cli_usage_error("usage: user add --username U --role R [--agency CODE] [--name "
                               "TEXT] < password | user list [--json] | user disable USERNAME");
    if ((rc = cli_open(ctx, &a)) != 0)
        return rc;
    if (strcmp(argv[0], "add") == 0 && args.n_pos == 0) {
        char password[300] = "";
        app_user_input in = {cli_get(&args, "username"), cli_get(&args, "name"),
                             cli_get(&args, "role"), cli_get(&args, "agency"), password};
        if (fgets(password, sizeof password, stdin) == NULL)
            password[0] = '\0';
        password[strcspn(password, "\r\n")] = '\0';
        rc = app_user_add(a, &actor, &in, &err);
        memset(password, 0, sizeof password);
        if (rc == 0)
            printf("Đã tạo tài khoản / account created: %s\n", in.username);
    } else if (strcmp(argv[0], "list") == 0 && args.n_pos == 0) {
        json_t *list = cli_flag(&args, "json") ? json_array() : NULL;
        rc = app_user_list(a, &actor, list_user, list, &err);
        if (list && rc == 0) {
            json_dumpf(list, stdout, JSON_INDENT(2));
            putchar('\n');
        }
        json_decref(list);
    } else if (strcmp(argv[0], "disable") == 0 && args.n_pos == 1) {
        rc = app_user_disable(a, &actor, args.pos[0], &err);
        if (rc == 0)
            printf("Đã khóa tài khoản / account disabled: %s\n", args.pos[0]);
    } else {
        app_close(a);
        return cli_usage_error("usage: user add|list|disable");
    }
    app_close(a);
    return rc == 0 ? 0 : cli_report(&err);
}
