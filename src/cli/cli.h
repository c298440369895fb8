/*
 * cli.h — what the command-line files share: the table of commands, parsed options, the acting
 * operator, output.
 *
 * Every command is one row of the table in cli_table.c: its group and subcommand, its operands
 * and options, who may run it, and one short handler. cli_dispatch.c finds the row, parses the
 * arguments against it, opens the instance, runs the handler and turns its result into the exit
 * status; `--help` and every usage message are printed from the same rows, so what is shown is
 * what is parsed. Handlers live in the cli_*.c file of their group and only call src/app.
 */
#ifndef CT_CLI_CLI_H
#define CT_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "app/app.h"
#include "core/buf.h"

#define CLI_MAX_OPTS 32
#define CLI_MAX_POS 8

/* How an option is shown in the usage and what the parser asks of it. */
typedef enum {
    CLI_OPTIONAL, /* shown in [brackets] */
    CLI_NEEDED,   /* shown bare; the use case refuses its absence with its own code (exit 1) */
    CLI_REQUIRED, /* shown bare; the parser refuses its absence as a usage error (exit 2) */
    CLI_ONE_OF,   /* the row's CLI_ONE_OF options are shown "(--a X | --b Y)"; exactly one */
} cli_need;

/* An option a command accepts: "--name VALUE" (value is the placeholder shown in the usage) or
 * "--flag" (value NULL). repeat allows it several times. */
typedef struct cli_opt {
    const char *name;
    const char *value;
    cli_need need;
    bool repeat;
} cli_opt;

typedef struct cli_args {
    const char *names[CLI_MAX_OPTS];
    const char *values[CLI_MAX_OPTS];
    size_t n;
    const char *pos[CLI_MAX_POS];
    size_t n_pos;
} cli_args;

/* The global options: the instance. Who acts is not an option (cli_who.c). */
typedef struct cli_ctx {
    const char *home;
} cli_ctx;

/* What a handler returns besides 0 (done) and an exit status of its own (1 refused, 3 failed,
 * already reported): */
enum {
    CLI_FAILED = -1, /* call->err says why; reported in both languages, exit 1 or 3 */
    CLI_USAGE = -2,  /* a message was printed (cli_usage_error); the row's usage follows, exit 2 */
};

typedef struct cli_call cli_call;

/* Whether the dispatcher opens the instance at --home for the handler. */
typedef enum { CLI_OPEN, CLI_NO_OPEN } cli_home;

/* Who may run a command (cli_who.c). */
typedef enum {
    /* an account: the session of `chungthu login`, else the account the OS user is mapped to,
     * else the instance owner with the row's role; refused otherwise */
    CLI_AS_ACCOUNT = 0,
    /* the instance itself (its files, keys, server): only the owner of --home, or root */
    CLI_AS_OWNER,
    /* no one in particular: the command checks nothing or authenticates itself (login) */
    CLI_AS_ANYONE,
} cli_acts;

/* One row of the command table. */
typedef struct cli_command {
    const char *group;
    const char *sub;      /* NULL: the group is the command ("init", "serve") */
    const char *operands; /* positional arguments as shown, one word each ("DATE N"); NULL: none */
    const cli_opt *opts;  /* ends with {NULL}; NULL: no options */
    int (*run)(cli_call *call);
    int data;  /* the handler's parameter: a procedure action, a slip kind */
    role role; /* the role the instance owner acts with (an account acts with its own) */
    cli_home home;
    const char *about; /* one sentence for --help */
    cli_acts acts;     /* last, so that a row without it acts as an account */
} cli_command;

/* What a handler gets: the parsed arguments, the open instance, the actor, an error to fill. */
struct cli_call {
    const cli_ctx *ctx;
    const cli_command *cmd;
    cli_args args;
    app *a; /* NULL for CLI_NO_OPEN rows */
    app_actor actor;
    ct_error err;
    /* what actor's strings point into */
    app_session account;
    char actor_name[48];
    char actor_source[96];
    char sudo_user[40]; /* the person behind sudo (cli_who.c), "" when not run through sudo */
};

/* The table, in the order --help shows it. */
const cli_command *cli_commands(size_t *count);

/* Run argv[0] (a group) and what follows; returns the exit status. */
int cli_dispatch(const cli_ctx *ctx, int argc, char **argv);
/* The whole usage, as `chungthu --help` prints it. */
void cli_help(FILE *out);
/* Each word of a row's usage after its name, as --help shows them: the operands, then the
 * options ("[--days N]", "(--csr FILE | --pubkey FILE)"); a word may hold a space. */
typedef void (*cli_word_fn)(void *ctx, const char *word, size_t len);
void cli_usage_words(const cli_command *cmd, cli_word_fn visit, void *ctx);
/* A manual page in roff, from the same tables as --help: section 1 (chungthu), 5
 * (chungthu.ini), 7 (chungthu-api). Returns 0, or -1 for another section. */
int cli_man(FILE *out, int section);

/* Parse argv against a row's options. Returns 0, CLI_USAGE after printing why, or 1 when
 * --help was asked for (before anything after it is looked at). */
int cli_parse(const cli_command *cmd, int argc, char **argv, cli_args *out);
const char *cli_get(const cli_args *a, const char *name);
bool cli_flag(const cli_args *a, const char *name);
/* All values of a repeated option, in order; returns the count. */
size_t cli_get_all(const cli_args *a, const char *name, const char **out, size_t max);
/* The first operand, the second, … */
#define cli_pos(call, i) ((call)->args.pos[(i)])

/* Print an error in Vietnamese and English; returns the exit status for it. */
int cli_report(const ct_error *err);
/* Every problem of a refused list, one a line (where, code, Vietnamese / English), on stderr. */
void cli_report_list(const app_list_errors *errors);
/* Print "chungthu: MESSAGE" on stderr; returns CLI_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cli_open(const cli_ctx *ctx, app **out);

/* Who runs this command (cli_who.c): fill call->actor as the row's acts asks, opening the
 * instance for it if the row does not; CLI_FAILED with call->err when nobody may. */
int cli_who(cli_call *call);
/* The name of the OS user running the program (its effective uid), into out. */
void cli_os_user(char *out, size_t size);

/* "2026-11-24 19:56:55 +07" (Vietnam time). */
void cli_local_time(int64_t t, char *out, size_t size);

/* s padded with spaces to width terminal columns (text_display_width: a Vietnamese name with
 * its diacritics takes as many columns as letters, not bytes), into out; s as it is when wider. */
const char *cli_pad(const char *s, size_t width, char *out, size_t size);
/* "YYYY-MM-DD HH:MM" in Vietnam time → Unix seconds; -1 when it is not one. */
int cli_parse_local_time(const char *text, int64_t *out);

int cli_read_file(const char *path, size_t max, unsigned char **data, size_t *len);
/* Pretty-print j on stdout with a newline, and release it. */
void cli_print_json(json_t *j);

/* The demo ends on the dossier's page as `dossier show` prints it. */
int cli_dossier_print(app *a, const app_actor *actor, const char *code, bool json, ct_error *err);

/* handlers, one per row or per family of rows (cli_table.c) */
int cmd_init(cli_call *c);
/* cli_ceremony.c: the key ceremony (offline) and the online side's import */
int cmd_ceremony_init(cli_call *c);
int cmd_ceremony_sign_issuing(cli_call *c);
int cmd_ceremony_sign_crl(cli_call *c);
int cmd_ceremony_bundle(cli_call *c);
int cmd_ceremony_log(cli_call *c);
int cmd_ceremony_verify(cli_call *c);
int cmd_ca_import(cli_call *c);
int cmd_ca_import_crl(cli_call *c);
int cmd_ca_activate(cli_call *c);
int cmd_ceremony_revoke_issuing(cli_call *c);
int cmd_serve(cli_call *c);
int cmd_cert_issue(cli_call *c);
int cmd_cert_show(cli_call *c);
int cmd_cert_list(cli_call *c);
int cmd_cert_revoke(cli_call *c);
/* cli_approval.c: four eyes; a gated step's "waiting for a second officer" line */
void cli_print_pending(const approval_record *pending);
int cmd_approval_list(cli_call *c);
int cmd_approval_approve(cli_call *c);
int cmd_approval_decline(cli_call *c);
int cmd_crl_generate(cli_call *c);
int cmd_crl_show(cli_call *c);
int cmd_ocsp_respond(cli_call *c);
int cmd_ocsp_rotate(cli_call *c);
int cmd_agency_add(cli_call *c);
int cmd_agency_set_domains(cli_call *c);
int cmd_agency_list(cli_call *c);
/* cli_mail.c: an agency's contacts; the outbox */
int cmd_agency_set(cli_call *c);
int cmd_mail_list(cli_call *c);
int cmd_mail_send_due(cli_call *c);
int cmd_mail_retry(cli_call *c);
void cli_print_mail_report(const app_mail_report *r);
int cmd_token_stock(cli_call *c);
int cmd_token_list(cli_call *c);
int cmd_token_provision(cli_call *c);
int cmd_token_envelope(cli_call *c);
int cmd_token_reset_pin(cli_call *c);
int cmd_token_lost(cli_call *c);
int cmd_token_broken(cli_call *c);
int cmd_token_returned(cli_call *c);
int cmd_token_destroy(cli_call *c);
int cmd_user_add(cli_call *c);
int cmd_user_list(cli_call *c);
int cmd_user_disable(cli_call *c);
int cmd_user_set_role(cli_call *c);
int cmd_user_map_os(cli_call *c);
int cmd_user_unmap_os(cli_call *c);
int cmd_login(cli_call *c);
int cmd_logout(cli_call *c);
int cmd_whoami(cli_call *c);
int cmd_dossier_submit(cli_call *c);
int cmd_dossier_request(cli_call *c);
int cmd_dossier_step(cli_call *c); /* data: the proc_action */
int cmd_dossier_show(cli_call *c);
int cmd_dossier_slip(cli_call *c); /* data: the slip_kind */
int cmd_dossier_paper(cli_call *c);
int cmd_dossier_list(cli_call *c);
int cmd_run_due(cli_call *c);
int cmd_backup(cli_call *c);
int cmd_restore(cli_call *c);
int cmd_store_migrate(cli_call *c);
int cmd_calendar_add(cli_call *c);
int cmd_calendar_is_working_day(cli_call *c);
int cmd_calendar_holidays(cli_call *c);
int cmd_audit_verify(cli_call *c);
int cmd_audit_checkpoint(cli_call *c);
int cmd_doctor(cli_call *c);
int cmd_report(cli_call *c);
int cmd_demo(cli_call *c);
int cmd_help(cli_call *c);

#endif
