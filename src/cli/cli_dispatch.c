/*
 * cli_dispatch.c — the one place a command line is matched to a row of the command table
 * (cli_table.c), parsed against the row and run; and the help and usage messages, printed from
 * the same rows so that they cannot drift from what is parsed.
 *
 * Exit status: 0 success, 1 refused input or state, 2 usage, 3 internal or environment failure.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#define HELP_WIDTH 96

/* Columns a word takes: its UTF-8 characters. */
static size_t width(const char *word, size_t len)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)word[i] & 0xC0) != 0x80;
    return n;
}

/* Print a word of len bytes at column *col, wrapping under indent when it would pass the width. */
static void put_word(FILE *out, const char *word, size_t len, size_t indent, size_t *col)
{
    size_t w = width(word, len);

    if (*col + 1 + w > HELP_WIDTH && *col > indent) {
        fprintf(out, "\n%*s", (int)indent, "");
        *col = indent;
    } else {
        fputc(' ', out);
        (*col)++;
    }
    fwrite(word, 1, len, out);
    *col += w;
}

/* Print text's words from column *col, wrapped under indent. */
static void put_words(FILE *out, const char *text, size_t indent, size_t *col)
{
    for (const char *p = text + strspn(text, " "); *p; p += strspn(p, " ")) {
        size_t len = strcspn(p, " ");
        put_word(out, p, len, indent, col);
        p += len;
    }
}

/* How one option is shown: "[--days N]", "--name TEXT", "[--unit TEXT]...". */
static void option_word(const cli_opt *o, char *out, size_t size)
{
    bool optional = o->need == CLI_OPTIONAL;

    snprintf(out, size, "%s--%s%s%s%s%s", optional ? "[" : "", o->name, o->value ? " " : "",
             o->value ? o->value : "", optional ? "]" : "", o->repeat ? "..." : "");
}

/* The options of which exactly one is given, together: "(--csr FILE | --pubkey FILE)". */
static void one_of_word(const cli_opt *opts, char *out, size_t size)
{
    size_t n = 0;

    for (const cli_opt *o = opts; o->name && n < size; o++)
        if (o->need == CLI_ONE_OF)
            n += (size_t)snprintf(out + n, size - n, "%s--%s%s%s", n == 0 ? "(" : " | ", o->name,
                                  o->value ? " " : "", o->value ? o->value : "");
    if (n < size)
        snprintf(out + n, size - n, ")");
}

void cli_usage_words(const cli_command *cmd, cli_word_fn visit, void *ctx)
{
    char word[256];
    bool one_of_shown = false;

    if (cmd->operands)
        for (const char *p = cmd->operands + strspn(cmd->operands, " "); *p; p += strspn(p, " ")) {
            size_t len = strcspn(p, " ");
            visit(ctx, p, len);
            p += len;
        }
    for (const cli_opt *o = cmd->opts; o && o->name; o++) {
        if (o->need != CLI_ONE_OF) {
            option_word(o, word, sizeof word);
            visit(ctx, word, strlen(word));
        } else if (!one_of_shown) {
            one_of_word(o, word, sizeof word);
            visit(ctx, word, strlen(word));
            one_of_shown = true;
        }
    }
}

typedef struct wrap_ctx {
    FILE *out;
    size_t indent, col;
} wrap_ctx;

static void wrap_word(void *ctx, const char *word, size_t len)
{
    wrap_ctx *w = ctx;

    put_word(w->out, word, len, w->indent, &w->col);
}

/* The usage of cmd after lead ("  ", "usage: chungthu "): group, subcommand, operands, then each
 * option (the one-of options together where the first of them is), wrapped under the operands. */
static void print_usage(FILE *out, const char *lead, const cli_command *cmd)
{
    wrap_ctx w = {out, 0, 0};

    w.col = (size_t)fprintf(out, "%s%s%s%s", lead, cmd->group, cmd->sub ? " " : "",
                            cmd->sub ? cmd->sub : "");
    w.indent = w.col + 1;
    cli_usage_words(cmd, wrap_word, &w);
    fputc('\n', out);
}

/* A row with what it does, as `chungthu GROUP --help` lists it. */
static void print_row_help(FILE *out, const cli_command *cmd)
{
    size_t col = 5;

    print_usage(out, "  ", cmd);
    fputs("     ", out);
    put_words(out, cmd->about, 6, &col);
    fputc('\n', out);
}

void cli_help(FILE *out)
{
    size_t n;
    const cli_command *cmds = cli_commands(&n);

    fputs("chungthu — certificate authority for procedure 1.010847 (issuing a certificate to an "
          "individual)\n\n"
          "usage: chungthu [--home DIR] COMMAND [ARGS]\n\n",
          out);
    for (size_t i = 0; i < n; i++)
        print_usage(out, "  ", &cmds[i]);
    fputs("\n`chungthu COMMAND --help` says what each command does.\n"
          "Home: --home, else $CHUNGTHU_HOME, else ./chungthu-home.\n"
          "Who acts: the account of `chungthu login`, else the account your OS user is mapped to\n"
          "(user map-os), else, for the owner of the home or root, the instance owner.\n"
          "Exit status: 0 done, 1 refused (input or state), 2 usage, 3 internal or environment "
          "failure.\n",
          out);
}

/* Refuse an unknown or missing command, naming the ones there are: the groups (group NULL) or
 * the subcommands of a group. */
static int unknown(const char *group, const char *given)
{
    size_t n, listed = 0;
    const cli_command *cmds = cli_commands(&n);

    if (given)
        fprintf(stderr, "chungthu: unknown command \"%s%s%s\"; ", group ? group : "",
                group ? " " : "", given);
    else
        fprintf(stderr, "chungthu: %s needs a command; ", group);
    fprintf(stderr, "%s%scommands:", group ? group : "", group ? " " : "");
    for (size_t i = 0; i < n; i++) {
        const char *name = group ? cmds[i].sub : cmds[i].group;
        if (group && strcmp(cmds[i].group, group) != 0)
            continue;
        if (!group && i > 0 && strcmp(cmds[i - 1].group, name) == 0)
            continue;
        fprintf(stderr, "%s %s", listed++ ? "," : "", name);
    }
    fprintf(stderr, " (chungthu %s%s--help)\n", group ? group : "", group ? " " : "");
    return 2;
}

/* Parse argv (what follows the command's name) against cmd, open the instance, run it. */
static int run(const cli_ctx *ctx, const cli_command *cmd, int argc, char **argv)
{
    cli_call call = {0};
    int rc = cli_parse(cmd, argc, argv, &call.args);

    if (rc == 1) {
        print_row_help(stdout, cmd);
        return 0;
    }
    if (rc != 0) {
        print_usage(stderr, "usage: chungthu ", cmd);
        return 2;
    }
    /* a row with its own --home (restore: the new instance) takes it after the command too */
    cli_ctx local = *ctx;
    if (cli_get(&call.args, "home")) {
        local.home = cli_get(&call.args, "home");
        ctx = &local;
    }
    call.ctx = ctx;
    call.cmd = cmd;
    if (cmd->home == CLI_OPEN && (rc = cli_open(ctx, &call.a)) != 0)
        return rc;
    rc = cli_who(&call);
    if (rc == 0)
        rc = cmd->run(&call);
    if (call.a)
        app_close(call.a);
    if (rc == CLI_USAGE) {
        print_usage(stderr, "usage: chungthu ", cmd);
        return 2;
    }
    return rc == CLI_FAILED ? cli_report(&call.err) : rc;
}

int cli_dispatch(const cli_ctx *ctx, int argc, char **argv)
{
    size_t n;
    const cli_command *cmds = cli_commands(&n);
    const char *group = argv[0];
    bool known = false;

    for (size_t i = 0; i < n; i++) {
        if (strcmp(cmds[i].group, group) != 0)
            continue;
        known = true;
        if (cmds[i].sub == NULL)
            return run(ctx, &cmds[i], argc - 1, argv + 1);
        if (argc >= 2 && strcmp(cmds[i].sub, argv[1]) == 0)
            return run(ctx, &cmds[i], argc - 2, argv + 2);
    }
    if (!known)
        return unknown(NULL, group);
    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
        for (size_t i = 0; i < n; i++)
            if (strcmp(cmds[i].group, group) == 0)
                print_row_help(stdout, &cmds[i]);
        return 0;
    }
    return unknown(group, argc >= 2 ? argv[1] : NULL);
}
