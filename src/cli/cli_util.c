/*
 * cli_util.c — option parsing, error printing and small helpers shared by the commands.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int cli_parse(int argc, char **argv, const cli_opt_spec *specs, cli_args *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        const cli_opt_spec *spec = NULL;

        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            if (out->n_pos == CLI_MAX_POS)
                return cli_usage_error("too many arguments");
            out->pos[out->n_pos++] = arg;
            continue;
        }
        for (const cli_opt_spec *s = specs; s && s->name; s++)
            if (strcmp(s->name, arg + 2) == 0)
                spec = s;
        if (spec == NULL)
            return cli_usage_error("unknown option %s", arg);
        if (!spec->repeat && cli_get(out, spec->name))
            return cli_usage_error("option %s given twice", arg);
        if (out->n == CLI_MAX_OPTS)
            return cli_usage_error("too many options");
        out->names[out->n] = spec->name;
        if (spec->takes_value) {
            if (i + 1 >= argc)
                return cli_usage_error("option %s needs a value", arg);
            out->values[out->n] = argv[++i];
        } else {
            out->values[out->n] = "";
        }
        out->n++;
    }
    return 0;
}

const char *cli_get(const cli_args *a, const char *name)
{
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->names[i], name) == 0)
            return a->values[i];
    return NULL;
}

bool cli_flag(const cli_args *a, const char *name)
{
    return cli_get(a, name) != NULL;
}

size_t cli_get_all(const cli_args *a, const char *name, const char **out, size_t max)
{
    size_t n = 0;

    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->names[i], name) == 0 && n < max)
            out[n++] = a->values[i];
    return n;
}

int cli_report(const ct_error *err)
{
    fprintf(stderr, "chungthu: lỗi [%s]: %s\n", err->code, err->vi);
    fprintf(stderr, "chungthu: error [%s]: %s\n", err->code, err->en);
    return err->status >= 500 ? 3 : 1;
}

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "chungthu: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (chungthu --help)\n");
    return -1;
}

app_actor cli_actor(const cli_ctx *ctx, role r)
{
    app_actor a = {ctx->actor_name, r, "cli", NULL};

    return a;
}

int cli_open(const cli_ctx *ctx, app **out)
{
    ct_error err = {0};

    if (app_open(ctx->home, out, &err) != 0)
        return cli_report(&err);
    return 0;
}

void cli_local_time(int64_t t, char *out, size_t size)
{
    time_t local = (time_t)(t + 7 * 3600); /* Asia/Ho_Chi_Minh: UTC+7, no daylight saving */
    struct tm tm;

    gmtime_r(&local, &tm);
    strftime(out, size, "%Y-%m-%d %H:%M:%S +07", &tm);
}

int cli_read_file(const char *path, size_t max, unsigned char **data, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    unsigned char *buf;
    size_t n;

    if (f == NULL) {
        fprintf(stderr, "chungthu: không đọc được / cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    buf = malloc(max + 1);
    if (buf == NULL) {
        if (f != stdin)
            fclose(f);
        return -1;
    }
    n = fread(buf, 1, max + 1, f);
    if (f != stdin)
        fclose(f);
    if (n > max) {
        fprintf(stderr, "chungthu: tệp quá lớn / file too large: %s\n", path);
        free(buf);
        return -1;
    }
    *data = buf;
    *len = n;
    return 0;
}
