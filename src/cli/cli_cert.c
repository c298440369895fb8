/*
 * cli_cert.c — `chungthu cert issue|show|list`: certificate records for operators and tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"

#define MAX_KEY_FILE (64 * 1024)

static void print_json(json_t *j)
{
    json_dumpf(j, stdout, JSON_INDENT(2));
    putchar('\n');
    json_decref(j);
}

static void print_cert(const cert_record *r)
{
    char t[40];

    printf("Số hiệu / serial:        %s\n", r->serial);
    printf("Chủ thể / subject:       %s\n", r->subject);
    if (r->email[0])
        printf("E-mail:                  %s\n", r->email);
    printf("Trạng thái / status:     %s\n", r->status);
    cli_local_time(r->not_before, t, sizeof t);
    printf("Hiệu lực từ / not before: %s\n", t);
    cli_local_time(r->not_after, t, sizeof t);
    printf("Hết hạn / not after:     %s\n", t);
    if (r->effective_at) {
        cli_local_time(r->effective_at, t, sizeof t);
        printf("Có hiệu lực / effective: %s\n", t);
    }
    printf("SHA-256:                 %s\n", r->sha256);
}

static int write_out(const char *path, const char *pem)
{
    FILE *f = fopen(path, "wx");

    if (f == NULL) {
        fprintf(stderr, "chungthu: không tạo được / cannot create %s (exists?)\n", path);
        return 3;
    }
    fputs(pem, f);
    return fclose(f) == 0 ? 0 : 3;
}

static int cert_issue(const cli_ctx *ctx, int argc, char **argv)
{
    static const cli_opt_spec specs[] = {
        {"csr", true, false},   {"pubkey", true, false},   {"name", true, false},
        {"email", true, false}, {"province", true, false}, {"org", true, false},
        {"unit", true, true},   {"days", true, false},     {"hold", false, false},
        {"out", true, false},   {"json", false, false},    {NULL, false, false},
    };
    cli_args args;
    app_cert_request req = {0};
    app_actor actor = cli_actor(ctx, ROLE_CA_OFFICER);
    const char *csr, *pub, *days;
    unsigned char *key = NULL;
    size_t key_len = 0;
    cert_record rec;
    ct_error err = {0};
    app *a;
    char *pem = NULL;
    int rc;

    if (cli_parse(argc, argv, specs, &args) != 0 || args.n_pos != 0)
        return -1;
    csr = cli_get(&args, "csr");
    pub = cli_get(&args, "pubkey");
    if ((csr == NULL) == (pub == NULL))
        return cli_usage_error("cert issue needs exactly one of --csr FILE or --pubkey FILE");
    if (cli_read_file(csr ? csr : pub, MAX_KEY_FILE, &key, &key_len) != 0)
        return 1;
    if (csr) {
        req.csr = key;
        req.csr_len = key_len;
    } else {
        req.pubkey = key;
        req.pubkey_len = key_len;
    }
    req.subject.full_name = cli_get(&args, "name");
    req.subject.email = cli_get(&args, "email");
    req.subject.province = cli_get(&args, "province");
    req.subject.org = cli_get(&args, "org");
    req.subject.n_units = cli_get_all(&args, "unit", req.subject.units, SUBSCRIBER_MAX_UNITS + 1);
    req.hold = cli_flag(&args, "hold");
    days = cli_get(&args, "days");
    if (days) {
        char *end;
        long d = strtol(days, &end, 10);
        if (*days == '\0' || *end != '\0' || d < -1000000 || d > 1000000) {
            free(key);
            return cli_usage_error("--days needs a whole number");
        }
        req.days = d == 0 ? -1 : (int)d; /* 0 means "default" inside app; refuse it here */
    }
    if ((rc = cli_open(ctx, &a)) != 0) {
        free(key);
        return rc;
    }
    rc = app_cert_issue(a, &actor, &req, &rec, &err);
    app_close(a);
    free(key);
    if (rc != 0)
        return cli_report(&err);
    rc = app_cert_pem(&rec, &pem, &err) != 0 ? cli_report(&err) : 0;
    if (rc == 0 && cli_get(&args, "out"))
        rc = write_out(cli_get(&args, "out"), pem);
    if (rc == 0) {
        if (cli_flag(&args, "json")) {
            json_t *j = app_view_cert(&rec);
            json_object_set_new(j, "pem", json_string(pem));
            print_json(j);
        } else if (cli_get(&args, "out")) {
            print_cert(&rec);
        } else {
            fputs(pem, stdout);
        }
    }
    free(pem);
    cert_record_free(&rec);
    return rc;
}

static int cert_show(const cli_ctx *ctx, int argc, char **argv)
{
    static const cli_opt_spec specs[] = {
        {"json", false, false}, {"pem", false, false}, {NULL, false, false}};
    cli_args args;
    app_actor actor = cli_actor(ctx, ROLE_CA_OFFICER);
    cert_record rec;
    ct_error err = {0};
    app *a;
    int rc;

    if (cli_parse(argc, argv, specs, &args) != 0)
        return -1;
    if (args.n_pos != 1)
        return cli_usage_error("usage: cert show SERIAL [--json] [--pem]");
    if ((rc = cli_open(ctx, &a)) != 0)
        return rc;
    rc = app_cert_get(a, &actor, args.pos[0], &rec, &err);
    app_close(a);
    if (rc != 0)
        return cli_report(&err);
    if (cli_flag(&args, "pem")) {
        char *pem;
        if (app_cert_pem(&rec, &pem, &err) != 0) {
            cert_record_free(&rec);
            return cli_report(&err);
        }
        fputs(pem, stdout);
        free(pem);
    } else if (cli_flag(&args, "json")) {
        print_json(app_view_cert(&rec));
    } else {
        print_cert(&rec);
    }
    cert_record_free(&rec);
    return 0;
}

typedef struct {
    bool json;
    json_t *list;
} list_ctx;

static int list_one(void *user, const cert_record *r)
{
    list_ctx *l = user;

    if (l->json)
        json_array_append_new(l->list, app_view_cert(r));
    else
        printf("%s  %-8s %-10s %s\n", r->serial, r->status, r->kind, r->subject);
    return 0;
}

static int cert_list(const cli_ctx *ctx, int argc, char **argv)
{
    static const cli_opt_spec specs[] = {{"status", true, false}, {"kind", true, false},
                                         {"query", true, false},  {"limit", true, false},
                                         {"json", false, false},  {NULL, false, false}};
    cli_args args;
    app_actor actor = cli_actor(ctx, ROLE_CA_OFFICER);
    cert_filter filter = {0};
    list_ctx l = {0};
    ct_error err = {0};
    app *a;
    int rc;

    if (cli_parse(argc, argv, specs, &args) != 0 || args.n_pos != 0)
        return -1;
    filter.status = cli_get(&args, "status");
    filter.kind = cli_get(&args, "kind");
    filter.query = cli_get(&args, "query");
    if (cli_get(&args, "limit"))
        filter.limit = atoll(cli_get(&args, "limit"));
    l.json = cli_flag(&args, "json");
    l.list = json_array();
    if ((rc = cli_open(ctx, &a)) != 0) {
        json_decref(l.list);
        return rc;
    }
    rc = app_cert_list(a, &actor, &filter, list_one, &l, &err);
    app_close(a);
    if (rc != 0) {
        json_decref(l.list);
        return cli_report(&err);
    }
    if (l.json)
        print_json(l.list);
    else
        json_decref(l.list);
    return 0;
}

int cmd_cert(const cli_ctx *ctx, int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "issue") == 0)
        return cert_issue(ctx, argc - 1, argv + 1);
    if (argc >= 1 && strcmp(argv[0], "show") == 0)
        return cert_show(ctx, argc - 1, argv + 1);
    if (argc >= 1 && strcmp(argv[0], "list") == 0)
        return cert_list(ctx, argc - 1, argv + 1);
    if (argc >= 1 && strcmp(argv[0], "revoke") == 0)
        return cmd_cert_revoke(ctx, argc - 1, argv + 1);
    return cli_usage_error("usage: cert issue|show|list|revoke ...");
}
