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
    opt.offline_root = cli_flag(&c->args, "offline-root");
    opt.database_url = cli_get(&c->args, "database-url");
    if (opt.offline_root && opt.demo)
        return cli_usage_error("--offline-root and --demo: the demo keeps both sides in one step");
    if (app_init(home, &opt, &c->actor, &c->err) != 0)
        return CLI_FAILED;
    if (opt.offline_root) {
        printf("Đã tạo khóa CA cấp phát / issuing CA key made: %s\n", home);
        printf("Yêu cầu đã ghi vào / CSR written to %s/ca/issuing.csr: mang đến lễ tạo khóa, "
               "mang về chứng thư đã ký / bring back the signed certificate "
               "(chungthu ca import BUNDLE_DIR)\n",
               home);
        return 0;
    }
    printf("Đã khởi tạo / initialised: %s\n", home);
    printf("  CA gốc / root CA:          %s/ca/root.crt\n", home);
    printf("  CA cấp phát / issuing CA:  %s/ca/issuing.crt\n", home);
    printf("  OCSP:                      %s/ca/ocsp.crt\n", home);
    /* one machine holds both sides: say so, and where the production way is written */
    printf("  Khóa CA gốc nằm trên máy này (ca/root.key) / the root key is on this machine "
           "(ca/root.key)%s; production: init --offline-root and a key ceremony "
           "(docs/key-ceremony.md)\n",
           opt.demo ? ", as a demo keeps both sides in one step" : "");
    printf("  Khóa CA cấp phát đã kích hoạt ngay khi khởi tạo / the issuing CA key is active from "
           "init (one step%s); a key from a ceremony waits for `ca activate`\n",
           opt.demo ? ", as a demo does" : "");
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
