/*
 * cli_serve.c — `chungthu serve [--listen ADDR:PORT] [--access-log FILE] [--threads N]`: the
 * HTTP server of src/http (public site, CRLs, OCSP, /healthz, /metrics) on the instance, until
 * SIGTERM or SIGINT.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "http/http.h"

int cmd_serve(const cli_ctx *ctx, int argc, char **argv)
{
    static const cli_opt_spec specs[] = {{"listen", true, false},
                                         {"access-log", true, false},
                                         {"threads", true, false},
                                         {NULL, false, false}};
    cli_args args;
    app *a;
    ct_error err = {0};
    http_options opt = {0};
    const char *threads;
    int rc;

    if (cli_parse(argc, argv, specs, &args) != 0 || args.n_pos != 0)
        return cli_usage_error("usage: serve [--listen ADDR:PORT] [--access-log FILE] "
                               "[--threads N]");
    threads = cli_get(&args, "threads");
    if (threads) {
        char *end;
        long n = strtol(threads, &end, 10);
        if (*end != '\0' || n < 1 || n > 256)
            return cli_usage_error("--threads: a number from 1 to 256");
        opt.threads = (unsigned)n;
    }
    if ((rc = cli_open(ctx, &a)) != 0)
        return rc;
    opt.listen = cli_get(&args, "listen") ? cli_get(&args, "listen") : app_get_config(a)->listen;
    opt.access_log = cli_get(&args, "access-log");
    rc = http_serve(a, &opt, &err);
    app_close(a);
    return rc == 0 ? 0 : cli_report(&err);
}
