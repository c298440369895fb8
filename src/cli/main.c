/*
 * main.c — the chungthu command: global options, then one command group.
 *
 *   chungthu [--home DIR] [--actor NAME] COMMAND ...
 *
 * The home defaults to $CHUNGTHU_HOME, else ./chungthu-home. Exit status: 0 success, 1 refused
 * input or state, 2 usage, 3 internal or environment failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char usage[] =
    "chungthu — certificate authority for procedure 1.010847 (issuing a certificate to an "
    "individual)\n"
    "\n"
    "usage: chungthu [--home DIR] [--actor NAME] COMMAND [ARGS]\n"
    "\n"
    "  init [--demo] [--root-key rsa4096|p384] [--issuing-key rsa3072|p256|p384] [--base-url URL]\n"
    "       [--hsm-token LABEL [--token-module PATH]]   issuing CA key on a PKCS#11 HSM\n"
    "  serve [--listen ADDR:PORT] [--access-log FILE] [--threads N]\n"
    "                                   HTTP: public site, CRLs, OCSP, /healthz, /metrics\n"
    "  cert issue (--csr FILE | --pubkey FILE) --name TEXT --email ADDR --province TEXT\n"
    "             --org TEXT [--unit TEXT]... [--days N] [--hold] [--out FILE] [--json]\n"
    "  cert show SERIAL [--json] [--pem]\n"
    "  cert list [--status hold|active|revoked|expired] [--kind KIND] [--query TEXT]\n"
    "            [--limit N] [--json]\n"
    "  cert revoke SERIAL --reason keyCompromise|affiliationChanged|superseded|\n"
    "              cessationOfOperation|privilegeWithdrawn|unspecified\n"
    "  crl generate | crl show root|issuing [--out FILE]\n"
    "  ocsp respond --in REQUEST.der --out RESPONSE.der\n"
    "  audit verify [--json]\n"
    "  agency add --code C --name N [--parent P] --province P --head-name N --head-title T\n"
    "             --kind party|state\n"
    "  agency list [--json]\n"
    "  dossier submit --agency CODE --channel direct|postal --file LIST.csv|LIST.json\n"
    "                 --confirmed-by \"NAME, TITLE\" [--confirmed-on YYYY-MM-DD] [--json]\n"
    "  dossier accept|reject|supplement|resubmit|withdraw CODE [--reason TEXT]\n"
    "  dossier issue CODE [--applicant N]\n"
    "  dossier notify-pickup CODE --at \"YYYY-MM-DD HH:MM\" --place TEXT [--applicant N]\n"
    "  dossier agency-received|handed-over|publish CODE [--applicant N]\n"
    "  dossier request-activation CODE [--applicant N] [--effective \"YYYY-MM-DD HH:MM\"]\n"
    "  dossier cancel CODE --applicant N --reason TEXT\n"
    "  dossier show CODE [--json] | dossier receipt|notice CODE [--html]\n"
    "  dossier list [--overdue] [--state S] [--agency CODE] [--json]\n"
    "  token stock --count N            blank tokens into the CA's stock\n"
    "  token list [--state S] [--json]\n"
    "  token provision --name … --email … --province … --org … [--unit …]… [--days N]\n"
    "                  [--token SERIAL] [--key-type rsa2048|rsa3072|p256] [--hold] [--json]\n"
    "  user add --username U --role ROLE [--agency CODE] [--name TEXT]   (password on stdin)\n"
    "  user list [--json] | user disable USERNAME\n"
    "  run-due                          publish what is due (for cron)\n"
    "  calendar add-working-days DATE N | is-working-day DATE | holidays YEAR [--json]\n"
    "  demo                             the whole procedure on sample data\n"
    "\n"
    "Home: --home, else $CHUNGTHU_HOME, else ./chungthu-home.\n";

typedef struct {
    const char *name;
    int (*run)(const cli_ctx *ctx, int argc, char **argv);
} command;

static const command commands[] = {
    /* clang-format off */
    {"init", cmd_init},
    {"serve", cmd_serve},
    {"cert", cmd_cert},
    {"crl", cmd_crl},
    {"ocsp", cmd_ocsp},
    {"agency", cmd_agency},
    {"token", cmd_token},
    {"user", cmd_user},
    {"dossier", cmd_dossier},
    {"run-due", cmd_run_due},
    {"calendar", cmd_calendar},
    {"audit", cmd_audit},
    {"demo", cmd_demo},
    /* clang-format on */
};

int main(int argc, char **argv)
{
    cli_ctx ctx = {0};
    int i = 1;

    ctx.home = getenv("CHUNGTHU_HOME");
    if (ctx.home == NULL || *ctx.home == '\0')
        ctx.home = "chungthu-home";
    ctx.actor_name = getenv("SUDO_USER");
    if (ctx.actor_name == NULL)
        ctx.actor_name = getenv("USER");
    if (ctx.actor_name == NULL)
        ctx.actor_name = "operator";

    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(argv[i], "--home") == 0 && i + 1 < argc) {
            ctx.home = argv[++i];
        } else if (strcmp(argv[i], "--actor") == 0 && i + 1 < argc) {
            ctx.actor_name = argv[++i];
        } else {
            fprintf(stderr, "chungthu: unknown or incomplete option %s\n%s", argv[i], usage);
            return 2;
        }
    }
    if (i >= argc) {
        fputs(usage, stderr);
        return 2;
    }
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
        if (strcmp(commands[c].name, argv[i]) == 0) {
            int rc = commands[c].run(&ctx, argc - i - 1, argv + i + 1);
            return rc < 0 ? 2 : rc;
        }
    }
    fprintf(stderr, "chungthu: unknown command \"%s\"\n%s", argv[i], usage);
    return 2;
}
