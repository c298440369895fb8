/*
 * cli_init.c — `chungthu init`: create an instance.
 */
#include <stdio.h>

#include "cli/cli.h"

int cmd_init(const cli_ctx *ctx, int argc, char **argv)
{
    static const cli_opt_spec specs[] = {
        {"demo", false, false},    {"root-key", true, false},  {"issuing-key", true, false},
        {"base-url", true, false}, {"hsm-token", true, false}, {"token-module", true, false},
        {NULL, false, false},
    };
    cli_args args;
    app_init_options opt = {0};
    app_actor actor = cli_actor(ctx, ROLE_CA_ADMIN);
    ct_error err = {0};

    if (cli_parse(argc, argv, specs, &args) != 0 || args.n_pos != 0)
        return -1;
    opt.demo = cli_flag(&args, "demo");
    opt.root_key = cli_get(&args, "root-key");
    opt.issuing_key = cli_get(&args, "issuing-key");
    opt.base_url = cli_get(&args, "base-url");
    opt.hsm_token = cli_get(&args, "hsm-token");
    opt.token_module = cli_get(&args, "token-module");
    if (app_init(ctx->home, &opt, &actor, &err) != 0)
        return cli_report(&err);
    printf("Đã khởi tạo / initialised: %s\n", ctx->home);
    printf("  CA gốc / root CA:          %s/ca/root.crt\n", ctx->home);
    printf("  CA cấp phát / issuing CA:  %s/ca/issuing.crt\n", ctx->home);
    printf("  OCSP:                      %s/ca/ocsp.crt\n", ctx->home);
    if (opt.demo) {
        char path[1024], line[256];
        FILE *f;
        snprintf(path, sizeof path, "%s/demo-accounts.txt", ctx->home);
        f = fopen(path, "r");
        while (f && fgets(line, sizeof line, f))
            fputs(line, stdout);
        if (f)
            fclose(f);
    }
    return 0;
}
