/*
 * cli.h — what the command-line files share: parsed options, the acting operator, output.
 *
 * Each cli_*.c file is one command group (`cert`, `audit`, …) and only calls src/app.
 */
#ifndef CT_CLI_CLI_H
#define CT_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"

#define CLI_MAX_OPTS 32
#define CLI_MAX_POS 8

/* An option a command accepts: "--name VALUE" (takes_value) or "--flag". repeat allows several. */
typedef struct cli_opt_spec {
    const char *name;
    bool takes_value;
    bool repeat;
} cli_opt_spec;

typedef struct cli_args {
    const char *names[CLI_MAX_OPTS];
    const char *values[CLI_MAX_OPTS];
    size_t n;
    const char *pos[CLI_MAX_POS];
    size_t n_pos;
} cli_args;

typedef struct cli_ctx {
    const char *home;
    const char *actor_name;
    bool json;
} cli_ctx;

/* Parse argv against specs; prints a message and returns -1 on an unknown or incomplete option. */
int cli_parse(int argc, char **argv, const cli_opt_spec *specs, cli_args *out);
const char *cli_get(const cli_args *a, const char *name);
bool cli_flag(const cli_args *a, const char *name);
/* All values of a repeated option, in order; returns the count. */
size_t cli_get_all(const cli_args *a, const char *name, const char **out, size_t max);

/* Print an error in Vietnamese and English; returns the exit status for it. */
int cli_report(const ct_error *err);
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

app_actor cli_actor(const cli_ctx *ctx, role r);
int cli_open(const cli_ctx *ctx, app **out);

/* "2026-11-24 19:56:55 +07" (Vietnam time). */
void cli_local_time(int64_t t, char *out, size_t size);

int cli_read_file(const char *path, size_t max, unsigned char **data, size_t *len);

/* command groups */
int cmd_init(const cli_ctx *ctx, int argc, char **argv);
int cmd_cert(const cli_ctx *ctx, int argc, char **argv);
int cmd_audit(const cli_ctx *ctx, int argc, char **argv);
int cmd_agency(const cli_ctx *ctx, int argc, char **argv);
int cmd_dossier(const cli_ctx *ctx, int argc, char **argv);
int cmd_run_due(const cli_ctx *ctx, int argc, char **argv);
int cmd_calendar(const cli_ctx *ctx, int argc, char **argv);
int cmd_demo(const cli_ctx *ctx, int argc, char **argv);
int cmd_token(const cli_ctx *ctx, int argc, char **argv);
int cmd_crl(const cli_ctx *ctx, int argc, char **argv);
int cmd_ocsp(const cli_ctx *ctx, int argc, char **argv);
int cmd_cert_revoke(const cli_ctx *ctx, int argc, char **argv);
int cmd_serve(const cli_ctx *ctx, int argc, char **argv);
int cmd_user(const cli_ctx *ctx, int argc, char **argv);

#endif
