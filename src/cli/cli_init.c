/*
 * cli_init.c — `chungthu init`: create an instance.
 */
#include <stdio.h>

#include "cli/cli.h"

int cmd_init(cli_call *c)
{
    const char *home = c->ctx->home;
    app_init_options opt = {0};

    opt.demo = cli_flag(&c->args, "demo");
    opt.root_key = cli_get(&c->args, "root-key");
    opt.issuing_key = cli_get(&c->args, "issuing-key");
    opt.base_url = cli_get(&c->args, "base-url");
    opt.hsm_token = cli_get(&c->args, "hsm-token");
    opt.token_module = cli_get(&c->args, "token-module");
    if (app_init(home, &opt, &c->actor, &c->err) != 0)
        return CLI_FAILED;
    printf("Đã khởi tạo / initialised: %s\n", home);
    printf("  CA gốc / root CA:          %s/ca/root.crt\n", home);
    printf("  CA cấp phát / issuing CA:  %s/ca/issuing.crt\n", home);
    printf("  OCSP:                      %s/ca/ocsp.crt\n", home);
    if (opt.demo) {
        char path[1024], line[256];
        FILE *f;
        snprintf(path, sizeof path, "%s/demo-accounts.txt", home);
        f = fopen(path, "r");
        while (f && fgets(line, sizeof line, f))
            fputs(line, stdout);
        if (f)
            fclose(f);
    }
    return 0;
}
