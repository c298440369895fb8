/*
 * cli_backup.c — `chungthu backup DIR` and `chungthu restore DIR --home NEWHOME`.
 *
 * The passphrase that seals a backup's secrets comes from the environment variable named by
 * --passphrase-env, or is asked on the terminal without echo (twice when it is set); it is
 * never an option's value, which other users could read from the process list.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"

/* A line from the controlling terminal, echo off; false when there is no terminal. */
static bool ask_terminal(const char *prompt, char *out, size_t size)
{
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    struct termios saved, quiet;
    bool restore = false;
    size_t n = 0;
    char ch;

    if (fd < 0)
        return false;
    if (write(fd, prompt, strlen(prompt)) < 0) {
        close(fd);
        return false;
    }
    if (tcgetattr(fd, &saved) == 0) {
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
    }
    while (read(fd, &ch, 1) == 1 && ch != '\n')
        if (n + 1 < size)
            out[n++] = ch;
    out[n] = '\0';
    if (restore)
        tcsetattr(fd, TCSAFLUSH, &saved);
    if (write(fd, "\n", 1) < 0) {
        /* nothing to do: the prompt's newline is cosmetic */
    }
    close(fd);
    return true;
}

/* The passphrase from --passphrase-env, else the terminal; confirm: asked twice. */
static int get_passphrase(cli_call *c, bool confirm, char *out, size_t size)
{
    const char *env = cli_get(&c->args, "passphrase-env");
    char again[1024];

    if (env) {
        const char *v = getenv(env);
        if (v == NULL || *v == '\0') {
            ct_fail(&c->err, 400, "backup.passphrase_missing",
                    "biến môi trường %s chưa đặt mật khẩu", "the environment variable %s is unset",
                    env);
            return -1;
        }
        snprintf(out, size, "%s", v);
        return 0;
    }
    if (!ask_terminal("Mật khẩu bản sao lưu / backup passphrase: ", out, size)) {
        ct_fail(&c->err, 400, "backup.passphrase_missing",
                "không có terminal để hỏi mật khẩu: dùng --passphrase-env TÊN",
                "no terminal to ask the passphrase on: use --passphrase-env NAME");
        return -1;
    }
    if (confirm) {
        ask_terminal("Nhập lại / again: ", again, sizeof again);
        if (strcmp(out, again) != 0) {
            explicit_bzero(again, sizeof again);
            ct_fail(&c->err, 400, "backup.passphrase_mismatch", "hai lần nhập không khớp",
                    "the two entries differ");
            return -1;
        }
        explicit_bzero(again, sizeof again);
    }
    return 0;
}

int cmd_backup(cli_call *c)
{
    app_backup_options opt = {.with_secrets = cli_flag(&c->args, "with-secrets")};
    char pass[1024] = "";
    json_t *manifest = NULL, *files, *f;
    size_t i;
    int rc;

    if (!opt.with_secrets && cli_get(&c->args, "passphrase-env"))
        return cli_usage_error("--passphrase-env is for --with-secrets");
    if (opt.with_secrets) {
        if (get_passphrase(c, true, pass, sizeof pass) != 0)
            return CLI_FAILED;
        opt.passphrase = pass;
    }
    rc = app_backup(c->a, &c->actor, cli_pos(c, 0), &opt, &manifest, &c->err);
    explicit_bzero(pass, sizeof pass);
    if (rc != 0)
        return CLI_FAILED;
    if (cli_flag(&c->args, "json")) {
        cli_print_json(manifest);
        return 0;
    }
    printf("Đã sao lưu / backed up: %s\n", cli_pos(c, 0));
    files = json_object_get(manifest, "files");
    json_array_foreach(files, i, f)
    {
        printf("  %-40s %10lld  %.16s…\n", json_string_value(json_object_get(f, "path")),
               (long long)json_integer_value(json_object_get(f, "size")),
               json_string_value(json_object_get(f, "sha256")));
    }
    printf("  schema %lld, audit head %lld, manifest sha256 %s\n",
           (long long)json_integer_value(json_object_get(manifest, "schema_version")),
           (long long)json_integer_value(
               json_object_get(json_object_get(manifest, "audit_head"), "id")),
           json_string_value(json_object_get(manifest, "manifest_sha256")));
    if (!opt.with_secrets)
        printf("  không kèm khóa / without keys: ca/*.key, secrets/ and tokens/ are not in it\n");
    json_decref(manifest);
    return 0;
}

static int restore_passphrase(void *ctx, char *out, size_t size)
{
    return get_passphrase(ctx, false, out, size);
}

int cmd_restore(cli_call *c)
{
    json_t *report = NULL, *files, *f, *verify;
    size_t i;

    if (cli_get(&c->args, "home") == NULL) {
        ct_fail(&c->err, 400, "restore.home_missing",
                "cần --home: thư mục mới cho phiên bản khôi phục",
                "--home is needed: the new directory of the restored instance");
        return CLI_FAILED;
    }
    if (app_restore(cli_pos(c, 0), c->ctx->home, cli_get(&c->args, "database-url"), &c->actor,
                    restore_passphrase, c, &report, &c->err) != 0) {
        /* a refused passphrase keeps its own code over the generic one */
        return CLI_FAILED;
    }
    if (cli_flag(&c->args, "json")) {
        cli_print_json(report);
        return 0;
    }
    printf("Đã khôi phục / restored: %s → %s (sao lưu lúc / backed up at %s)\n", cli_pos(c, 0),
           c->ctx->home, json_string_value(json_object_get(report, "created_at")));
    files = json_object_get(report, "files");
    json_array_foreach(files, i, f) printf("  %s\n", json_string_value(json_object_get(f, "to")));
    printf("  integrity_check: %s\n", json_string_value(json_object_get(report, "integrity")));
    verify = json_object_get(report, "audit_verify");
    if (json_is_string(verify))
        printf("  audit verify: %s\n", json_string_value(verify));
    else
        printf("  audit verify: ok, head %lld%s\n",
               (long long)json_integer_value(json_object_get(verify, "head_id")),
               json_is_true(json_object_get(verify, "checkpoint_file"))
                   ? ", against the checkpoint file"
                   : "");
    json_decref(report);
    return 0;
}
