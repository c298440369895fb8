/*
 * main.c — the chungthu command: global options, then one command of the table in cli_table.c.
 *
 *   chungthu [--home DIR] [--actor NAME] COMMAND ...
 *
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
    ctx.actor_name = getenv("SUDO_USER");
    if (ctx.actor_name == NULL)
        ctx.actor_name = getenv("USER");
    if (ctx.actor_name == NULL)
        ctx.actor_name = "operator";

    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            cli_help(stdout);
            return 0;
        } else if (strcmp(argv[i], "--home") == 0 && i + 1 < argc) {
            ctx.home = argv[++i];
        } else if (strcmp(argv[i], "--actor") == 0 && i + 1 < argc) {
            ctx.actor_name = argv[++i];
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
