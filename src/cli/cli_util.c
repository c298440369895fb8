/*
 * cli_util.c — parsing a row's arguments, error printing and small helpers shared by the
 * commands.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/calendar.h"
#include "core/text.h"

static size_t count_words(const char *text)
{
    size_t n = 0;

    for (const char *p = text; p && *p; p++)
        if (*p != ' ' && (p == text || p[-1] == ' '))
            n++;
    return n;
}

/* Name the operand number i of cmd ("CODE") into out. */
static void operand_name(const cli_command *cmd, size_t i, char *out, size_t size)
{
    const char *p = cmd->operands;

    while (i-- > 0 && p) {
        p = strchr(p, ' ');
        p = p ? p + 1 : NULL;
    }
    snprintf(out, size, "%.*s", p ? (int)strcspn(p, " ") : 0, p ? p : "");
}

/* After the arguments are read: the operand count, the required options, the one-of group. */
static int check_needs(const cli_command *cmd, const cli_args *out)
{
    const char *sp = cmd->sub ? " " : "", *sub = cmd->sub ? cmd->sub : "";
    size_t expected = count_words(cmd->operands), one_of = 0, given = 0;
    char missing[64];

    if (out->n_pos < expected) {
        operand_name(cmd, out->n_pos, missing, sizeof missing);
        return cli_usage_error("%s%s%s needs %s", cmd->group, sp, sub, missing);
    }
    if (out->n_pos > expected)
        return cli_usage_error("unexpected argument \"%s\"", out->pos[expected]);
    for (const cli_opt *o = cmd->opts; o && o->name; o++) {
        if (o->need == CLI_REQUIRED && !cli_get(out, o->name))
            return cli_usage_error("%s%s%s needs --%s %s", cmd->group, sp, sub, o->name,
                                   o->value ? o->value : "");
        if (o->need == CLI_ONE_OF) {
            one_of++;
            given += cli_get(out, o->name) != NULL;
        }
    }
    if (one_of > 0 && given != 1) {
        fprintf(stderr, "chungthu: %s%s%s needs exactly one of", cmd->group, sp, sub);
        for (const cli_opt *o = cmd->opts; o && o->name; o++)
            if (o->need == CLI_ONE_OF)
                fprintf(stderr, "%s--%s%s%s", --one_of > 0 ? " " : " or ", o->name,
                        o->value ? " " : "", o->value ? o->value : "");
        fputc('\n', stderr);
        return CLI_USAGE;
    }
    return 0;
}

int cli_parse(const cli_command *cmd, int argc, char **argv, cli_args *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        const cli_opt *opt = NULL;

        if (strcmp(arg, "-o") == 0) /* the usual short form of --output */
            arg = "--output";
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            if (out->n_pos == CLI_MAX_POS)
                return cli_usage_error("too many arguments");
            out->pos[out->n_pos++] = arg;
            continue;
        }
        if (strcmp(arg, "--help") == 0)
            return 1;
        for (const cli_opt *o = cmd->opts; o && o->name; o++)
            if (strcmp(o->name, arg + 2) == 0)
                opt = o;
        if (opt == NULL)
            return cli_usage_error("unknown option %s", arg);
        if (!opt->repeat && cli_get(out, opt->name))
            return cli_usage_error("option %s given twice", arg);
        if (out->n == CLI_MAX_OPTS)
            return cli_usage_error("too many options");
        out->names[out->n] = opt->name;
        if (opt->value) {
            if (i + 1 >= argc)
                return cli_usage_error("option %s needs a value", arg);
            out->values[out->n] = argv[++i];
        } else {
            out->values[out->n] = "";
        }
        out->n++;
    }
    return check_needs(cmd, out);
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

void cli_report_list(const app_list_errors *errors)
{
    for (size_t i = 0; i < errors->count; i++) {
        const mau02_problem *p = &errors->items[i];
        char vi[160] = "", en[160] = "";
        if (p->row > 0 && p->column >= 0) {
            snprintf(vi, sizeof vi, "dòng %d, cột \"%s\" ", p->row, mau02_column_vi(p->column));
            snprintf(en, sizeof en, "row %d, field \"%s\": ", p->row, mau02_column_en(p->column));
        } else if (p->row > 0) {
            snprintf(vi, sizeof vi, "dòng %d ", p->row);
            snprintf(en, sizeof en, "row %d: ", p->row);
        }
        fprintf(stderr, "chungthu: %s[%s]: %s / %s%s\n", vi, p->code, p->vi, en, p->en);
    }
    if (errors->total > errors->count)
        fprintf(stderr, "chungthu: … và %zu lỗi khác / and %zu more\n",
                errors->total - errors->count, errors->total - errors->count);
}

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "chungthu: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_USAGE;
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

const char *cli_pad(const char *s, size_t width, char *out, size_t size)
{
    size_t len = strlen(s), used = text_display_width(s);

    if (len >= size)
        len = size - 1;
    memcpy(out, s, len);
    while (used < width && len + 1 < size) {
        out[len++] = ' ';
        used++;
    }
    out[len] = '\0';
    return out;
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

int cli_parse_local_time(const char *text, int64_t *out)
{
    char day[11];
    int h, m;
    char tail;
    ct_date d;

    if (text == NULL || strlen(text) < 16 || text[10] != ' ')
        return -1;
    memcpy(day, text, 10);
    day[10] = '\0';
    if (ct_date_parse(day, &d) != 0 || sscanf(text + 11, "%d:%d%c", &h, &m, &tail) != 2 || h < 0 ||
        h > 23 || m < 0 || m > 59)
        return -1;
    *out = ct_local_to_utc(d, h * 60 + m);
    return 0;
}

void cli_print_json(json_t *j)
{
    json_dumpf(j, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    putchar('\n');
    json_decref(j);
}
