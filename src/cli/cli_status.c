/*
 * cli_status.c — `chungthu crl …`, `chungthu cert revoke`, `chungthu ocsp respond`: what
 * relying parties check, from the command line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"

static int write_bytes(const char *path, const unsigned char *data, size_t len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");

    if (f == NULL) {
        fprintf(stderr, "chungthu: không ghi được / cannot write %s\n", path);
        return 3;
    }
    fwrite(data, 1, len, f);
    if (f != stdout && fclose(f) != 0)
        return 3;
    return 0;
}

int cmd_crl(const cli_ctx *ctx, int argc, char **argv)
{
    static const cli_opt_spec specs[] = {
        {"out", true, false}, {"json", false, false}, {NULL, false, false}};
    cli_args args;
    app *a;
    app_actor actor = cli_actor(ctx, ROLE_CA_OFFICER);
    ct_error err = {0};
    int rc;

    if (argc < 1 || cli_parse(argc - 1, argv + 1, specs, &args) != 0)
        return cli_usage_error("usage: crl generate | crl show root|issuing [--out FILE]");
    if ((rc = cli_open(ctx, &a)) != 0)
        return rc;
    if (strcmp(argv[0], "generate") == 0 && args.n_pos == 0) {
        rc = app_crl_generate(a, &actor, &err);
        if (rc == 0)
            printf("Đã ký CRL mới / fresh CRLs signed: root, issuing\n");
    } else if (strcmp(argv[0], "show") == 0 && args.n_pos == 1) {
        app_blob crl;
        rc = app_crl_get(a, args.pos[0], &crl, &err);
        if (rc == 0) {
            rc =
                write_bytes(cli_get(&args, "out") ? cli_get(&args, "out") : "-", crl.data, crl.len);
            app_blob_free(&crl);
            app_close(a);
            return rc;
        }
    } else {
        app_close(a);
        return cli_usage_error("usage: crl generate | crl show root|issuing [--out FILE]");
    }
    app_close(a);
    return rc == 0 ? 0 : cli_report(&err);
}

int cmd_cert_revoke(const cli_ctx *ctx, int argc, char **argv)
{
    static const cli_opt_spec specs[] = {{"reason", true, false}, {NULL, false, false}};
    cli_args args;
    app *a;
    app_actor actor = cli_actor(ctx, ROLE_CA_OFFICER);
    ct_error err = {0};
    int rc;

    if (cli_parse(argc, argv, specs, &args) != 0 || args.n_pos != 1)
        return cli_usage_error("usage: cert revoke SERIAL --reason keyCompromise|"
                               "affiliationChanged|superseded|cessationOfOperation|…");
    if ((rc = cli_open(ctx, &a)) != 0)
        return rc;
    rc = app_cert_revoke(a, &actor, args.pos[0],
                         cli_get(&args, "reason") ? cli_get(&args, "reason") : "unspecified", &err);
    app_close(a);
    if (rc != 0)
        return cli_report(&err);
    printf("Đã thu hồi / revoked: %s\n", args.pos[0]);
    return 0;
}

int cmd_ocsp(const cli_ctx *ctx, int argc, char **argv)
{
    static const cli_opt_spec specs[] = {
        {"in", true, false}, {"out", true, false}, {NULL, false, false}};
    cli_args args;
    app *a;
    ct_error err = {0};
    unsigned char *req;
    size_t len;
    app_blob resp;
    int rc;

    if (argc < 1 || strcmp(argv[0], "respond") != 0 ||
        cli_parse(argc - 1, argv + 1, specs, &args) != 0 || !cli_get(&args, "in") ||
        !cli_get(&args, "out"))
        return cli_usage_error("usage: ocsp respond --in REQUEST.der --out RESPONSE.der");
    if (cli_read_file(cli_get(&args, "in"), 65536, &req, &len) != 0)
        return 1;
    if ((rc = cli_open(ctx, &a)) != 0) {
        free(req);
        return rc;
    }
    rc = app_ocsp_respond(a, req, len, &resp, &err);
    app_close(a);
    free(req);
    if (rc != 0)
        return cli_report(&err);
    rc = write_bytes(cli_get(&args, "out"), resp.data, resp.len);
    app_blob_free(&resp);
    return rc;
}
