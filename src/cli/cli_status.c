/*
 * cli_status.c — `chungthu crl …`, `chungthu cert revoke`, `chungthu ocsp respond|rotate`:
 * what relying parties check, from the command line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int cmd_crl_generate(cli_call *c)
{
    if (app_crl_generate(c->a, &c->actor, &c->err) != 0)
        return CLI_FAILED;
    printf("Đã ký CRL mới / fresh CRLs signed: root, issuing\n");
    return 0;
}

int cmd_crl_show(cli_call *c)
{
    const char *out = cli_get(&c->args, "out");
    app_blob crl;
    int rc;

    if (app_crl_get(c->a, cli_pos(c, 0), &crl, &c->err) != 0)
        return CLI_FAILED;
    rc = write_bytes(out ? out : "-", crl.data, crl.len);
    app_blob_free(&crl);
    return rc;
}

int cmd_cert_revoke(cli_call *c)
{
    const char *reason = cli_get(&c->args, "reason");
    approval_record pending;
    int rc = app_cert_revoke_or_request(c->a, &c->actor, cli_pos(c, 0),
                                        reason ? reason : "unspecified", &pending, &c->err);

    if (rc < 0)
        return CLI_FAILED;
    if (rc == APP_PENDING) {
        cli_print_pending(&pending);
        return 0;
    }
    printf("Đã thu hồi / revoked: %s\n", cli_pos(c, 0));
    return 0;
}

int cmd_ocsp_respond(cli_call *c)
{
    unsigned char *req;
    size_t len;
    app_blob resp;
    int rc;

    if (cli_read_file(cli_get(&c->args, "in"), 65536, &req, &len) != 0)
        return 1;
    rc = app_ocsp_respond(c->a, req, len, &resp, &c->err);
    free(req);
    if (rc != 0)
        return CLI_FAILED;
    rc = write_bytes(cli_get(&c->args, "out"), resp.data, resp.len);
    app_blob_free(&resp);
    return rc;
}

int cmd_ocsp_rotate(cli_call *c)
{
    const unsigned char *der;
    size_t len;
    bool rotated;
    char fp[65];

    if (app_ocsp_rotate(c->a, &c->actor, !cli_flag(&c->args, "if-due"), &rotated, &c->err) != 0 ||
        app_ca_cert(c->a, "ocsp", &der, &len, &c->err) != 0)
        return CLI_FAILED;
    app_fingerprint(der, len, fp);
    if (rotated)
        printf("Máy chủ OCSP có khóa và chứng thư mới / the OCSP responder has a new key and "
               "certificate: SHA-256 %s\n",
               fp);
    else
        printf("Chưa đến hạn đổi khóa máy chủ OCSP / the OCSP responder is not due for renewal: "
               "SHA-256 %s\n",
               fp);
    return 0;
}
