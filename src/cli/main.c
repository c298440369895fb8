/*
 * main.c — the chungthu command: global options, then one command of the table in cli_table.c.
 *
 *   chungthu [--home DIR] COMMAND ...
 *
 * Who acts is not an option: see cli_who.c.
 * The home defaults to $CHUNGTHU_HOME, else ./chungthu-home. Exit status: 0 success, 1 refused
 * input or state, 2 usage, 3 internal or environment failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

int main(int argc, char **argv)
{
    cli_ctx ctx = {0};
    int i = 1;

    ctx.home = getenv("CHUNGTHU_HOME");
    if (ctx.home == NULL || *ctx.home == '\0')
        ctx.home = "chungthu-home";

    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            cli_help(stdout);
            return 0;
        } else if (strcmp(argv[i], "--home") == 0 && i + 1 < argc) {
            ctx.home = argv[++i];
        } else if (strcmp(argv[i], "--actor") == 0) {
            /* once the way to name oneself: refused with what replaced it */
            fprintf(stderr,
                    "chungthu: lỗi [cli.actor_removed]: không còn tùy chọn --actor: đăng nhập "
                    "bằng `chungthu login` hoặc nhờ quản trị gắn tài khoản hệ điều hành của bạn\n"
                    "chungthu: error [cli.actor_removed]: --actor is gone: log in with "
                    "`chungthu login` or ask the administrator to map your OS account\n");
            return 2;
        } else {
            fprintf(stderr, "chungthu: unknown or incomplete option %s (chungthu --help)\n",
                    argv[i]);
            return 2;
        }
    }
    if (i >= argc) {
        cli_help(stderr);
        return 2;
    }
    return cli_dispatch(&ctx, argc - i, argv + i);
}
