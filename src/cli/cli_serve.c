/*
 * cli_serve.c — `chungthu serve [--listen ADDR:PORT] [--access-log FILE] [--threads N]
 * [--read-only]`: the HTTP server of src/http (public site, CRLs, OCSP, /healthz, /metrics) on the
 * instance, until SIGTERM or SIGINT.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "http/http.h"

int cmd_serve(cli_call *c)
{
    const char *threads = cli_get(&c->args, "threads");
    http_options opt = {0};

    if (threads) {
        char *end;
        long n = strtol(threads, &end, 10);
        if (*end != '\0' || n < 1 || n > 256)
            return cli_usage_error("--threads: a number from 1 to 256");
        opt.threads = (unsigned)n;
    }
    opt.listen = cli_get(&c->args, "listen");
    if (opt.listen == NULL)
        opt.listen = app_get_config(c->a)->listen;
    opt.access_log = cli_get(&c->args, "access-log");
    opt.read_only = cli_flag(&c->args, "read-only");
    return http_serve(c->a, &opt, &c->err) == 0 ? 0 : CLI_FAILED;
}
