/*
 * cli_ceremony.c — `chungthu ceremony …` on the offline machine (its --home is the ceremony's
 * directory, not an instance), and the online side's `ca import` and `ca import-crl`.
 * docs/key-ceremony.md is the script these commands are run from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"

#define MAX_WITNESSES 16

static void who_of(cli_call *c, const char **names, app_ceremony_who *who)
{
    who->actor = &c->actor;
    who->witnesses = names;
    who->n_witnesses = cli_get_all(&c->args, "witness", names, MAX_WITNESSES);
}

/* After each step, the log's head for the paper record: a log cut at its end still chains, and
 * only this value, kept outside, names what is missing (`ceremony verify --expect-head`). */
static void print_head(cli_call *c)
{
    size_t lines, bad;
    char head[65];
    ct_error ignored = {0};

    if (app_ceremony_verify(c->ctx->home, NULL, &lines, head, &bad, &ignored) == 0)
        printf("  đầu nhật ký, ghi vào biên bản / log head, write it on the paper record: %zu:%s\n",
               lines, head);
}

static int days_of(cli_call *c, const char *name, int *out)
{
    const char *v = cli_get(&c->args, name);
    char *end;
    long n;

    *out = 0;
    if (v == NULL)
        return 0;
    n = strtol(v, &end, 10);
    if (*v == '\0' || *end != '\0' || n < 1 || n > 3660)
        return cli_usage_error("--%s: a number of days, 1 to 3660", name);
    *out = (int)n;
    return 0;
}

int cmd_ceremony_init(cli_call *c)
{
    const char *names[MAX_WITNESSES];
    app_ceremony_who who;
    app_ceremony_init_options opt = {0};

    who_of(c, names, &who);
    opt.root_key = cli_get(&c->args, "root-key");
    opt.root_name = cli_get(&c->args, "root-name");
    opt.operator_name = cli_get(&c->args, "operator");
    opt.base_url = cli_get(&c->args, "base-url");
    opt.hsm_token = cli_get(&c->args, "hsm-token");
    opt.token_module = cli_get(&c->args, "token-module");
    if (days_of(c, "crl-days", &opt.crl_days) != 0)
        return CLI_USAGE;
    if (app_ceremony_init(c->ctx->home, &opt, &who, &c->err) != 0)
        return CLI_FAILED;
    printf("Đã tạo khóa và chứng thư CA gốc / root key and certificate made: %s/root.crt\n",
           c->ctx->home);
    printf("  khóa / key: %s\n", opt.hsm_token ? "PKCS#11 token" : "root.key (encrypted)");
    print_head(c);
    return 0;
}

int cmd_ceremony_sign_issuing(cli_call *c)
{
    const char *names[MAX_WITNESSES];
    app_ceremony_who who;
    app_ceremony_signed out;
    unsigned char *csr;
    size_t len;
    int rc;

    who_of(c, names, &who);
    if (cli_read_file(cli_get(&c->args, "csr"), 1 << 20, &csr, &len) != 0)
        return cli_usage_error("--csr: cannot read %s", cli_get(&c->args, "csr"));
    rc = app_ceremony_sign_issuing(c->ctx->home, csr, len, cli_get(&c->args, "key-fingerprint"),
                                   &who, &out, &c->err);
    free(csr);
    if (rc != 0)
        return CLI_FAILED;
    printf("Đã ký CA cấp phát / issuing CA signed: %s\n", out.path);
    printf("  serial: %s\n  SHA-256: %s\n", out.serial, out.sha256);
    print_head(c);
    return 0;
}

int cmd_ceremony_sign_crl(cli_call *c)
{
    const char *names[MAX_WITNESSES];
    app_ceremony_who who;
    app_ceremony_signed out;
    int days;
    char until[64];

    who_of(c, names, &who);
    if (days_of(c, "days", &days) != 0)
        return CLI_USAGE;
    if (app_ceremony_sign_crl(c->ctx->home, days, &who, &out, &c->err) != 0)
        return CLI_FAILED;
    cli_local_time(out.not_after, until, sizeof until);
    printf("Đã ký CRL gốc số / root CRL number %lld signed: %s\n", (long long)out.number, out.path);
    printf("  hiệu lực đến / next update: %s\n  SHA-256: %s\n", until, out.sha256);
    print_head(c);
    return 0;
}

int cmd_ceremony_revoke_issuing(cli_call *c)
{
    const char *names[MAX_WITNESSES];
    app_ceremony_who who;
    app_ceremony_signed out;

    who_of(c, names, &who);
    if (app_ceremony_revoke_issuing(c->ctx->home, cli_get(&c->args, "serial"),
                                    cli_get(&c->args, "reason"), &who, &out, &c->err) != 0)
        return CLI_FAILED;
    printf("Đã ghi thu hồi CA cấp phát / issuing CA revoked in the log: %s (%s)\n", out.serial,
           cli_get(&c->args, "reason"));
    printf("  ký CRL gốc để công bố / sign a root CRL to publish it: chungthu ceremony sign-crl\n");
    print_head(c);
    return 0;
}

int cmd_ceremony_bundle(cli_call *c)
{
    const char *names[MAX_WITNESSES];
    app_ceremony_who who;
    const char *dir = cli_get(&c->args, "out");

    who_of(c, names, &who);
    if (app_ceremony_bundle(c->ctx->home, dir, &who, &c->err) != 0)
        return CLI_FAILED;
    printf("Gói mang về / bundle to carry back: %s (root.crt, issuing.crt, root.crl, "
           "ceremony.log, manifest.json)\n",
           dir);
    print_head(c);
    return 0;
}

int cmd_ceremony_log(cli_call *c)
{
    json_t *entries, *e;
    size_t i;

    if (app_ceremony_log(c->ctx->home, &entries, &c->err) != 0)
        return CLI_FAILED;
    if (cli_flag(&c->args, "json")) {
        cli_print_json(entries);
        return 0;
    }
    json_array_foreach(entries, i, e)
    {
        json_t *w;
        size_t j;
        char *detail = json_dumps(json_object_get(e, "detail"), JSON_COMPACT | JSON_SORT_KEYS);

        printf("%lld  %s  %-13s by %s", (long long)json_integer_value(json_object_get(e, "seq")),
               json_string_value(json_object_get(e, "at")),
               json_string_value(json_object_get(e, "action")),
               json_string_value(json_object_get(e, "actor")));
        printf("  witnesses:");
        json_array_foreach(json_object_get(e, "witnesses"), j, w)
        {
            printf("%s %s", j ? "," : "", json_string_value(w));
        }
        printf("\n    %s\n    hash %s\n", detail ? detail : "{}",
               json_string_value(json_object_get(e, "hash")));
        free(detail);
    }
    json_decref(entries);
    return 0;
}

int cmd_ceremony_verify(cli_call *c)
{
    size_t lines, bad;
    char head[65];
    const char *expect = cli_get(&c->args, "expect-head");

    if (app_ceremony_verify(c->ctx->home, expect, &lines, head, &bad, &c->err) != 0)
        return CLI_FAILED;
    printf("Nhật ký nguyên vẹn / log intact: %zu entries, last hash %s\n", lines, head);
    if (expect)
        printf("  khớp biên bản / matches the paper record: %s\n", expect);
    else
        printf("  một nhật ký bị cắt cuối vẫn nối chuỗi: so với đầu nhật ký trên biên bản / a log "
               "cut at its end still chains: compare with the head on the paper record "
               "(--expect-head %zu:%s)\n",
               lines, head);
    return 0;
}

int cmd_ca_import(cli_call *c)
{
    if (app_ca_import(c->ctx->home, cli_pos(c, 0), &c->actor, &c->err) != 0)
        return CLI_FAILED;
    printf("Đã nhập chứng thư CA / CA certificates imported into %s: root.crt, issuing.crt, "
           "root CRL; OCSP and audit-signing certificates made\n",
           c->ctx->home);
    printf("CA cấp phát chưa kích hoạt: chưa ký gì bằng khóa này / the issuing CA is imported "
           "but not active: nothing is signed with its key until `chungthu ca activate` "
           "(approved by a second CA officer)\n");
    return 0;
}

int cmd_ca_activate(cli_call *c)
{
    approval_record pending;
    int rc = app_ca_activate_or_request(c->a, &c->actor, &pending, &c->err);

    if (rc < 0)
        return CLI_FAILED;
    if (rc == APP_PENDING) {
        cli_print_pending(&pending);
        return 0;
    }
    printf("Đã kích hoạt khóa CA cấp phát / issuing CA key activated\n");
    return 0;
}

int cmd_ca_import_crl(cli_call *c)
{
    unsigned char *data;
    size_t len;
    int64_t number;
    int rc;

    if (cli_read_file(cli_pos(c, 0), 64 << 20, &data, &len) != 0)
        return cli_usage_error("cannot read %s", cli_pos(c, 0));
    rc = app_crl_import(c->a, &c->actor, data, len, &number, &c->err);
    free(data);
    if (rc != 0)
        return CLI_FAILED;
    printf("Đã nhập CRL gốc số / root CRL number %lld imported\n", (long long)number);
    if (app_ca_issuing_revoked(c->a, NULL, NULL, &c->err) == 1)
        printf("CRL này thu hồi CA cấp phát của phiên bản: khóa không ký gì nữa / this CRL "
               "revokes this instance's issuing CA: its key signs nothing more\n");
    return 0;
}
