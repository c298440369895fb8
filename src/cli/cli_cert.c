/*
 * cli_cert.c — `chungthu cert issue|show|list|revoke`: certificate records for operators and
 * tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"

#define MAX_KEY_FILE (64 * 1024)

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

/* --days N: a whole number; 0 means "the default" inside app, so it is passed as -1 (refused). */
static int parse_days(const char *days, int *out)
{
    char *end;
    long d;

    if (days == NULL)
        return 0;
    d = strtol(days, &end, 10);
    if (*days == '\0' || *end != '\0' || d < -1000000 || d > 1000000)
        return cli_usage_error("--days needs a whole number");
    *out = d == 0 ? -1 : (int)d;
    return 0;
}

/* The issued certificate: JSON with the PEM, the record when the PEM went to --out, else the
 * PEM. */
static int print_issued(const cli_args *args, const cert_record *rec, ct_error *err)
{
    const char *out = cli_get(args, "out");
    char *pem = NULL;
    int rc = 0;

    if (app_cert_pem(rec, &pem, err) != 0)
        return CLI_FAILED;
    if (out)
        rc = write_out(out, pem);
    if (rc == 0 && cli_flag(args, "json")) {
        json_t *j = app_view_cert(rec);
        json_object_set_new(j, "pem", json_string(pem));
        cli_print_json(j);
    } else if (rc == 0 && out) {
        print_cert(rec);
    } else if (rc == 0) {
        fputs(pem, stdout);
    }
    free(pem);
    return rc;
}

int cmd_cert_issue(cli_call *c)
{
    const cli_args *args = &c->args;
    const char *csr = cli_get(args, "csr");
    app_cert_request req = {0};
    unsigned char *key;
    size_t key_len;
    cert_record rec;
    int rc;

    if (parse_days(cli_get(args, "days"), &req.days) != 0)
        return CLI_USAGE;
    if (cli_read_file(csr ? csr : cli_get(args, "pubkey"), MAX_KEY_FILE, &key, &key_len) != 0)
        return 1;
    req.csr = csr ? key : NULL;
    req.csr_len = csr ? key_len : 0;
    req.pubkey = csr ? NULL : key;
    req.pubkey_len = csr ? 0 : key_len;
    req.subject.full_name = cli_get(args, "name");
    req.subject.email = cli_get(args, "email");
    req.subject.province = cli_get(args, "province");
    req.subject.org = cli_get(args, "org");
    req.subject.n_units = cli_get_all(args, "unit", req.subject.units, SUBSCRIBER_MAX_UNITS + 1);
    req.hold = cli_flag(args, "hold");
    rc = app_cert_issue(c->a, &c->actor, &req, &rec, &c->err);
    free(key);
    if (rc != 0)
        return CLI_FAILED;
    rc = print_issued(args, &rec, &c->err);
    cert_record_free(&rec);
    return rc;
}

int cmd_cert_show(cli_call *c)
{
    cert_record rec;
    char *pem = NULL;
    int rc = 0;

    if (app_cert_get(c->a, &c->actor, cli_pos(c, 0), &rec, &c->err) != 0)
        return CLI_FAILED;
    if (cli_flag(&c->args, "pem")) {
        rc = app_cert_pem(&rec, &pem, &c->err) != 0 ? CLI_FAILED : 0;
        if (rc == 0)
            fputs(pem, stdout);
        free(pem);
    } else if (cli_flag(&c->args, "json")) {
        cli_print_json(app_view_cert(&rec));
    } else {
        print_cert(&rec);
    }
    cert_record_free(&rec);
    return rc;
}

static int list_one(void *user, const cert_record *r)
{
    json_t *list = user;

    if (list)
        json_array_append_new(list, app_view_cert(r));
    else
        printf("%s  %-8s %-10s %s\n", r->serial, r->status, r->kind, r->subject);
    return 0;
}

int cmd_cert_list(cli_call *c)
{
    cert_filter filter = {0};
    json_t *list = cli_flag(&c->args, "json") ? json_array() : NULL;

    filter.status = cli_get(&c->args, "status");
    filter.kind = cli_get(&c->args, "kind");
    filter.query = cli_get(&c->args, "query");
    if (cli_get(&c->args, "limit"))
        filter.limit = atoll(cli_get(&c->args, "limit"));
    if (app_cert_list(c->a, &c->actor, &filter, list_one, list, &c->err) != 0) {
        json_decref(list);
        return CLI_FAILED;
    }
    if (list)
        cli_print_json(list);
    return 0;
}
