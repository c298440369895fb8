/*
 * cli_man.c — the manual pages, written from the tables the program runs on so that they cannot
 * drift from it: chungthu(1) from the command table (the usages --help prints), chungthu.ini(5)
 * from the configuration's key table with each default, chungthu-api(7) from the API's route
 * table. `chungthu help --man N` prints one; the build writes all three (CMakeLists.txt) and
 * `cmake --install` puts them under share/man.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "http/http.h"

/* s as roff running text: backslashes and hyphens escaped, so that an option stays "--name"
 * and never a typographic dash. */
static void roff_text(FILE *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len && s[i]; i++) {
        if (s[i] == '\\')
            fputs("\\e", out);
        else if (s[i] == '-')
            fputs("\\-", out);
        else
            fputc(s[i], out);
    }
}

static void roff(FILE *out, const char *s)
{
    roff_text(out, s, strlen(s));
}

/* A paragraph's text on a line of its own: a leading '.' or '\'' would be read as a request. */
static void roff_line(FILE *out, const char *s)
{
    if (s[0] == '.' || s[0] == '\'')
        fputs("\\&", out);
    roff(out, s);
    fputc('\n', out);
}

static void header(FILE *out, const char *name, int section, const char *title)
{
    fprintf(out,
            ".\\\" -*- coding: UTF-8 -*-\n"
            ".\\\" Written by `chungthu help --man %d` from the program's own tables: do not "
            "edit.\n"
            ".TH %s %d \"\" \"chungthu\" \"%s\"\n"
            ".nh\n.ad l\n",
            section, name, section, title);
}

/* A word of a usage, kept whole on its line ("[--days N]" never split at its space) but free
 * to break after a '|' of a long list of values. */
static void usage_word(void *ctx, const char *word, size_t len)
{
    FILE *out = ctx;

    fputc(' ', out);
    for (size_t i = 0; i < len; i++) {
        if (word[i] == ' ')
            fputs("\\~", out);
        else if (word[i] == '|')
            fputs("|\\:", out);
        else
            roff_text(out, word + i, 1);
    }
}

static void page_chungthu(FILE *out)
{
    size_t n;
    const cli_command *cmds = cli_commands(&n);

    header(out, "CHUNGTHU", 1, "User Commands");
    fputs(".SH NAME\nchungthu \\- certificate authority for procedure 1.010847 (issuing a "
          "certificate to an individual)\n"
          ".SH SYNOPSIS\n.B chungthu\n"
          "[\\fB\\-\\-home\\fR \\fIDIR\\fR] \\fICOMMAND\\fR "
          "[\\fIARGS\\fR]\n"
          ".br\n.B chungthu \\-\\-help\n"
          ".SH DESCRIPTION\n"
          "chungthu is a certificate authority with its registration office built in: dossier "
          "intake, keys made on the subscriber's token, issuance, hand\\-over, publication, "
          "CRLs, an OCSP responder, a public directory and an audit trail that shows any "
          "edit. One instance lives in one directory, the home.\n"
          ".SH OPTIONS\n"
          ".TP\n\\fB\\-\\-home\\fR \\fIDIR\\fR\nThe instance; else \\fB$CHUNGTHU_HOME\\fR, else "
          "\\fI./chungthu\\-home\\fR.\n"
          ".TP\n\\fB\\-\\-help\\fR\nEvery command's usage. \\fBchungthu\\fR \\fICOMMAND\\fR "
          "\\fB\\-\\-help\\fR says what each command of a group does.\n"
          ".SH WHO ACTS\n"
          "A command acts as an account, with the account's role, as in the API: the session of "
          "\\fBchungthu login\\fR (kept in \\fI~/.config/chungthu\\fR, 0600, for 8 hours), else "
          "the account the OS user is mapped to (\\fBchungthu user map\\-os\\fR), else, for the "
          "owner of the home or root, the instance owner, audited as \\fBos:\\fR\\fINAME\\fR; "
          "anyone else is refused. init, demo, serve, run\\-due, ocsp respond and doctor are "
          "for the owner of the home or root only.\n"
          ".SH COMMANDS\n"
          "Options in [brackets] may be left out; \\fB...\\fR after one means it may be given "
          "again; of options in (parentheses | like these) exactly one is given.\n",
          out);
    for (size_t i = 0; i < n; i++) {
        fputs(".TP\n\\fB", out);
        roff(out, cmds[i].group);
        if (cmds[i].sub) {
            fputc(' ', out);
            roff(out, cmds[i].sub);
        }
        fputs("\\fR", out);
        cli_usage_words(&cmds[i], usage_word, out);
        fputc('\n', out);
        roff_line(out, cmds[i].about);
    }
    fputs(".SH EXIT STATUS\n"
          "0 done; 1 refused (input or state; \\fBdoctor\\fR: a warning); 2 usage "
          "(\\fBdoctor\\fR: an error); 3 internal or environment failure.\n"
          ".SH ENVIRONMENT\n"
          ".TP\n.B CHUNGTHU_HOME\nThe instance when \\fB\\-\\-home\\fR is not given.\n"
          ".TP\n.B CHUNGTHU_NOW\nThe instance's clock, in Unix seconds, or \\fB@\\fR\\fIFILE\\fR "
          "holding them (read at each use): for rehearsals and tests of deadlines and expiry.\n"
          ".TP\n.B CHUNGTHU_CA_PASSPHRASE\nThe CA keys' passphrase (the name is "
          "\\fB[ca] passphrase_env\\fR).\n"
          ".TP\n.B CHUNGTHU_HSM_PIN\nThe HSM token's user PIN when the issuing CA's key is on "
          "one (\\fB[ca] hsm_pin_env\\fR).\n"
          ".SH FILES\n"
          ".TP\n.I HOME/chungthu.ini\nThe configuration: \\fBchungthu.ini\\fR(5).\n"
          ".TP\n.I HOME/chungthu.db\nThe database (SQLite).\n"
          ".TP\n.I HOME/ca/\nThe CA certificates and their encrypted keys.\n"
          ".TP\n.I HOME/secrets/, HOME/envelopes/\nThe passphrase and token PIN key; PIN "
          "envelopes waiting to be printed. The owner's only (0700, files 0600): "
          "\\fBchungthu doctor\\fR checks.\n"
          ".SH SEE ALSO\n\\fBchungthu.ini\\fR(5), \\fBchungthu\\-api\\fR(7)\n",
          out);
}

static void page_ini(FILE *out)
{
    app_config cfg;
    config_setting_info s;
    const char *section = "";

    config_defaults(&cfg, "HOME");
    header(out, "CHUNGTHU.INI", 5, "File Formats");
    fputs(".SH NAME\nchungthu.ini \\- configuration of a chungthu instance\n"
          ".SH DESCRIPTION\n"
          "\\fIHOME/chungthu.ini\\fR is an INI file: \\fB[section]\\fR lines, then "
          "\\fIkey\\fR \\fB=\\fR \\fIvalue\\fR lines; a line that starts with \\fB;\\fR is "
          "a comment. "
          "\\fBchungthu init\\fR writes it with every key and its default. A key not listed "
          "here, or a value out of its range, is refused with its line number: a typo never "
          "leaves a default silently in force. Paths are relative to the home unless absolute; "
          "times are HH:MM, Vietnam time.\n"
          ".PP\n"
          "A running \\fBchungthu serve\\fR reads the file again on SIGHUP (\\fBsystemctl reload "
          "chungthu\\fR). Each key below says which it is: \\fBapplied on reload\\fR (every "
          "later request uses the new value; all such keys change together, and a request "
          "under way finishes with the values it started with), or \\fBneeds a restart\\fR "
          "(bound when the instance opens or the server starts: the server keeps its running "
          "value and names the key in its log as applied at the next restart). A file that "
          "does not parse, or a value out of range, is refused whole: nothing changes and the "
          "log says why.\n"
          ".SH SETTINGS\n",
          out);
    for (size_t i = 0; config_setting(i, &cfg, &s); i++) {
        if (strcmp(section, s.section) != 0) {
            section = s.section;
            fputs(".SS [", out);
            roff(out, section);
            fputs("]\n", out);
        }
        fputs(".TP\n\\fB", out);
        roff(out, s.name);
        fputs("\\fR (default: ", out);
        if (s.value[0]) {
            fputs("\\fI", out);
            roff(out, s.value);
            fputs("\\fR", out);
        } else {
            fputs("empty", out);
        }
        fputs(s.live ? "; applied on reload)\n" : "; needs a restart)\n", out);
        roff_line(out, s.about);
    }
    fputs(".SH SEE ALSO\n\\fBchungthu\\fR(1)\n", out);
}

static void page_api(FILE *out)
{
    static const role each[] = {ROLE_AGENCY_CLERK, ROLE_AGENCY_HEAD, ROLE_CA_OFFICER, ROLE_CA_ADMIN,
                                ROLE_AUDITOR};
    size_t n;
    const api_route *routes = api_routes(&n);

    header(out, "CHUNGTHU-API", 7, "Miscellaneous");
    fputs(".SH NAME\nchungthu\\-api \\- the JSON API of chungthu serve, under /api/v1/\n"
          ".SH DESCRIPTION\n"
          "JSON over HTTP, next to the public site. Every route but those marked \"no session\" "
          "needs the session cookie that \\fBPOST /api/v1/session\\fR sets; the roles listed "
          "may call the route, and the use case checks again what depends on the record (an "
          "agency sees only its own dossiers). Errors are "
          "{\"code\", \"message\", \"message_vi\", \"message_en\"} with the HTTP status of their "
          "class. The whole reference, with every body and error code, is \\fIdocs/api.md\\fR "
          "in the source tree; \\fBGET /api/v1/routes\\fR lists the routes as JSON.\n"
          ".SH ROUTES\n",
          out);
    for (size_t i = 0; i < n; i++) {
        bool first = true;
        fputs(".TP\n\\fB", out);
        roff(out, routes[i].method);
        fputs(" /api/v1/", out);
        roff(out, routes[i].pattern);
        fputs("\\fR\n", out);
        if (routes[i].roles == 0)
            fputs("no session", out);
        for (size_t k = 0; k < sizeof each / sizeof each[0]; k++)
            if (routes[i].roles & each[k]) {
                fputs(first ? "" : ", ", out);
                roff(out, role_name(each[k]));
                first = false;
            }
        fputs(routes[i].json_body ? "; a JSON body\n" : "\n", out);
    }
    fputs(".SH SEE ALSO\n\\fBchungthu\\fR(1), \\fBchungthu.ini\\fR(5)\n", out);
}

int cli_man(FILE *out, int section)
{
    if (section == 1)
        page_chungthu(out);
    else if (section == 5)
        page_ini(out);
    else if (section == 7)
        page_api(out);
    else
        return -1;
    return 0;
}

int cmd_help(cli_call *c)
{
    const char *man = cli_get(&c->args, "man");

    if (man == NULL) {
        cli_help(stdout);
        return 0;
    }
    if (strlen(man) != 1 || cli_man(stdout, man[0] - '0') != 0)
        return cli_usage_error("--man: 1 (chungthu), 5 (chungthu.ini) or 7 (chungthu-api)");
    return 0;
}
