/*
 * cli_user.c — `chungthu user add|list|disable|set-role`: accounts for the portal and the API. The
 * password is read from standard input (one line), never from the command line, where any
 * user of the machine could read it. `user map-os` names the OS account that acts as an
 * account on the command line (cli_who.c); it must exist on this machine, so that a name
 * mapped before anyone has it cannot hand the role to whoever is given that name later.
 */
#include <pwd.h>
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
        printf("%-20s %-14s %-12s %-12s %s%s\n", u->username, u->role,
               u->agency[0] ? u->agency : "-", u->os_user[0] ? u->os_user : "-", u->display_name,
               u->disabled ? "  (disabled)" : "");
    return 0;
}

static int os_user_exists(cli_call *c, const char *os_user)
{
    if (os_user == NULL || os_user[0] == '\0' || getpwnam(os_user) != NULL)
        return 0;
    ct_fail(&c->err, 400, "user.os_user_unknown",
            "không có người dùng hệ điều hành \"%s\" trên máy này",
            "there is no OS user \"%s\" on this machine", os_user);
    return CLI_FAILED;
}

int cmd_user_add(cli_call *c)
{
    char password[300] = "";
    const char *os_user = cli_get(&c->args, "os-user");
    app_user_input in = {cli_get(&c->args, "username"),
                         cli_get(&c->args, "name"),
                         cli_get(&c->args, "role"),
                         cli_get(&c->args, "agency"),
                         password,
                         os_user};
    approval_record pending;
    int rc;

    if (os_user_exists(c, os_user) != 0)
        return CLI_FAILED;
    if (fgets(password, sizeof password, stdin) == NULL)
        password[0] = '\0';
    password[strcspn(password, "\r\n")] = '\0';
    rc = app_user_add_or_request(c->a, &c->actor, &in, &pending, &c->err);
    memset(password, 0, sizeof password);
    if (rc < 0)
        return CLI_FAILED;
    if (rc == APP_PENDING) {
        cli_print_pending(&pending);
        return 0;
    }
    printf("Đã tạo tài khoản / account created: %s\n", in.username);
    return 0;
}

int cmd_user_list(cli_call *c)
{
    json_t *list = cli_flag(&c->args, "json") ? json_array() : NULL;

    if (app_user_list(c->a, &c->actor, list_user, list, &c->err) != 0) {
        json_decref(list);
        return CLI_FAILED;
    }
    if (list)
        cli_print_json(list);
    return 0;
}

int cmd_user_disable(cli_call *c)
{
    approval_record pending;
    int rc = app_user_disable_or_request(c->a, &c->actor, cli_pos(c, 0), &pending, &c->err);

    if (rc < 0)
        return CLI_FAILED;
    if (rc == APP_PENDING) {
        cli_print_pending(&pending);
        return 0;
    }
    printf("Đã khóa tài khoản / account disabled: %s\n", cli_pos(c, 0));
    return 0;
}

int cmd_user_set_role(cli_call *c)
{
    approval_record pending;
    int rc = app_user_set_role_or_request(c->a, &c->actor, cli_pos(c, 0), cli_pos(c, 1),
                                          cli_get(&c->args, "agency"), &pending, &c->err);

    if (rc < 0)
        return CLI_FAILED;
    if (rc == APP_PENDING) {
        cli_print_pending(&pending);
        return 0;
    }
    printf("Đã đổi vai trò / role changed: %s → %s\n", cli_pos(c, 0), cli_pos(c, 1));
    return 0;
}

int cmd_user_map_os(cli_call *c)
{
    if (os_user_exists(c, cli_pos(c, 1)) != 0 ||
        app_user_map_os(c->a, &c->actor, cli_pos(c, 0), cli_pos(c, 1), &c->err) != 0)
        return CLI_FAILED;
    printf("Người dùng hệ điều hành %s hành động với tài khoản %s / the OS user %s acts as %s\n",
           cli_pos(c, 1), cli_pos(c, 0), cli_pos(c, 1), cli_pos(c, 0));
    return 0;
}

int cmd_user_unmap_os(cli_call *c)
{
    if (app_user_map_os(c->a, &c->actor, cli_pos(c, 0), NULL, &c->err) != 0)
        return CLI_FAILED;
    printf("Tài khoản %s không còn gắn với người dùng hệ điều hành nào / the account %s is mapped "
           "to no OS user\n",
           cli_pos(c, 0), cli_pos(c, 0));
    return 0;
}
