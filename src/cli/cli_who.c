/*
 * cli_who.c — who runs a command: `chungthu login`, `logout`, `whoami`, and the resolution every
 * command goes through before its handler.
 *
 * Nobody names themselves. A command that acts on the procedure acts as an account, the same
 * accounts as the API's, with the account's own role, checked by the same app functions:
 *   1. the session of `chungthu login`, kept in ~/.config/chungthu/session-HASH (0600, HASH from
 *      the instance's path), while the API would accept it (8 hours, account not disabled);
 *   2. else the account the OS user (the effective uid's name) is mapped to (`user map-os`);
 *   3. else, for the owner of the instance's home or root, the instance owner: audited as
 *      "os:NAME" from "cli:instance_owner", with the role the command's row names. Whoever owns
 *      the files can change the database and the keys anyway; refusing them here would protect
 *      nothing, and they need a way to make the first accounts;
 *   4. else refused (401 "cli.no_account").
 * The commands on the instance itself (init, demo, serve, run-due, ocsp respond, doctor) are
 * for the owner or root only, whoever is logged in.
 *
 * Run through sudo as root, the process is root's but the person is the one sudo names: such a
 * command acts as the account mapped to that person's OS user (`user map-os`), or is refused
 * (cli.no_account); never as the owner, and no session file is read (root's would be shared by
 * every sudoer). The instance's own commands stay root's, with the person named in the source.
 * SUDO_USER is believed only when the real uid is 0 and SUDO_UID is that user's uid: only root
 * can start a process whose real uid is 0, and sudo sets SUDO_USER and SUDO_UID itself from the
 * user who called it (a user cannot pass their own through unless sudoers lets them set the
 * environment, which the operator guide forbids). A user who sets them without sudo keeps their
 * own real uid, and the variables are ignored.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"

void cli_os_user(char *out, size_t size)
{
    struct passwd *pw = getpwuid(geteuid());

    if (pw && pw->pw_name && *pw->pw_name)
        snprintf(out, size, "%s", pw->pw_name);
    else
        snprintf(out, size, "uid%lu", (unsigned long)geteuid());
}

/* The person who ran this process through sudo, as above; false when it was not. */
static bool sudo_person(char *out, size_t size)
{
    const char *name = getenv("SUDO_USER"), *uid_text = getenv("SUDO_UID");
    struct passwd *pw;
    char *end;
    unsigned long uid;

    if (getuid() != 0 || name == NULL || *name == '\0' || uid_text == NULL || *uid_text == '\0')
        return false;
    errno = 0;
    uid = strtoul(uid_text, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    pw = getpwnam(name);
    /* root calling sudo is root */
    if (pw == NULL || (unsigned long)pw->pw_uid != uid || pw->pw_uid == 0)
        return false;
    snprintf(out, size, "%s", name);
    return true;
}

/* The owner of the home, or root. A home not made yet belongs to whoever makes it (init). */
static bool instance_owner(const char *home)
{
    struct stat st;

    if (geteuid() == 0)
        return true;
    if (stat(home, &st) != 0)
        return errno == ENOENT;
    return st.st_uid == geteuid();
}

/* ~/.config/chungthu (HOME, else the passwd entry's home directory); false when there is none. */
static bool session_dir(char *out, size_t size)
{
    const char *home = getenv("HOME");
    struct passwd *pw;

    if (home == NULL || home[0] != '/') {
        pw = getpwuid(geteuid());
        home = pw ? pw->pw_dir : NULL;
    }
    if (home == NULL || home[0] != '/')
        return false;
    return (size_t)snprintf(out, size, "%s/.config/chungthu", home) < size;
}

/* The session file of this instance: one per instance, so that logging in to one acts in no
 * other. */
static bool session_path(const cli_ctx *ctx, char *out, size_t size)
{
    char dir[1024], fp[65], *real = realpath(ctx->home, NULL);
    const char *name = real ? real : ctx->home;

    app_fingerprint((const unsigned char *)name, strlen(name), fp);
    free(real);
    if (!session_dir(dir, sizeof dir))
        return false;
    fp[16] = '\0';
    for (char *p = fp; *p; p++)
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    return (size_t)snprintf(out, size, "%s/session-%s", dir, fp) < size;
}

/* The token in the session file: 1 read, 0 no file; a file that is not this user's own, not
 * private or not a token is not used (-1, said on stderr). */
static int session_read(const cli_ctx *ctx, char token[65])
{
    char path[1100], buf[80];
    struct stat st;
    ssize_t n;
    int fd;

    if (!session_path(ctx, path, sizeof path))
        return 0;
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & 077) != 0) {
        close(fd);
        fprintf(stderr,
                "chungthu: bỏ qua %s: không phải tệp riêng của bạn (0600) / ignoring %s: "
                "not your own private file (0600)\n",
                path, path);
        return -1;
    }
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    if (strlen(buf) != 64)
        return -1;
    memcpy(token, buf, 65);
    return 1;
}

static int session_write(const cli_ctx *ctx, const char *token, ct_error *err)
{
    char path[1100], tmp[1200], dir[1024];
    int fd;
    bool ok;

    if (!session_path(ctx, path, sizeof path) || !session_dir(dir, sizeof dir))
        return ct_fail(err, 500, "cli.session_file", "không biết thư mục nhà của bạn ($HOME)",
                       "cannot tell your home directory ($HOME)");
    /* ~/.config may not exist yet; chungthu's own directory is private */
    *strrchr(dir, '/') = '\0';
    mkdir(dir, 0700);
    snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "/chungthu");
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return ct_fail(err, 500, "cli.session_file", "không tạo được %s", "cannot create %s", dir);
    /* written aside and renamed: a session file is whole or absent, never half a token */
    snprintf(tmp, sizeof tmp, "%s.%ld", path, (long)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return ct_fail(err, 500, "cli.session_file", "không ghi được %s", "cannot write %s", tmp);
    ok = fchmod(fd, 0600) == 0 && write(fd, token, 64) == 64 && write(fd, "\n", 1) == 1;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return ct_fail(err, 500, "cli.session_file", "không ghi được %s", "cannot write %s", path);
    }
    return 0;
}

static void act_as_owner(cli_call *c)
{
    char os[40];

    cli_os_user(os, sizeof os);
    snprintf(c->actor_name, sizeof c->actor_name, "os:%s", os);
    if (c->sudo_user[0])
        snprintf(c->actor_source, sizeof c->actor_source, "cli:instance_owner:sudo:%s",
                 c->sudo_user);
    else
        snprintf(c->actor_source, sizeof c->actor_source, "cli:instance_owner");
    c->actor = (app_actor){c->actor_name, c->cmd->role, c->actor_source, NULL};
}

static void act_as_account(cli_call *c, const char *os)
{
    if (c->sudo_user[0])
        snprintf(c->actor_source, sizeof c->actor_source, "cli:sudo:%s", os);
    else
        snprintf(c->actor_source, sizeof c->actor_source, "cli:%s", os);
    c->actor = app_session_actor(&c->account, c->actor_source);
}

/* The account of the session file or of the OS user; 1 when there is none, -1 on failure. */
static int find_account(cli_call *c, app *a, const char *os)
{
    char token[65];
    ct_error ignored = {0};
    int have = c->sudo_user[0] ? 0 : session_read(c->ctx, token);

    if (have == 1) {
        if (app_session_resolve(a, token, &c->account, &ignored) == 0)
            return 0;
        fprintf(stderr, "chungthu: phiên đăng nhập đã hết hạn hoặc bị đóng (chungthu login) / "
                        "the session has expired or was ended (chungthu login)\n");
    }
    if (app_os_account(a, os, &c->account, &c->err) == 0)
        return 0;
    return strcmp(c->err.code, "user.os_unmapped") == 0 ? 1 : -1;
}

int cli_who(cli_call *c)
{
    char os[40];
    app *a = c->a;
    int rc;

    cli_os_user(os, sizeof os);
    if (sudo_person(c->sudo_user, sizeof c->sudo_user))
        snprintf(os, sizeof os, "%s", c->sudo_user);
    if (c->cmd->acts == CLI_AS_ANYONE) {
        snprintf(c->actor_source, sizeof c->actor_source, "cli:%s", os);
        c->actor = (app_actor){"", ROLE_NONE, c->actor_source, NULL};
        return 0;
    }
    if (c->cmd->acts == CLI_AS_OWNER) {
        if (!instance_owner(c->ctx->home)) {
            ct_fail(&c->err, 403, "cli.not_instance_owner",
                    "lệnh này chỉ dành cho chủ sở hữu thư mục %s hoặc root (bạn là %s)",
                    "this command is for the owner of %s or root only (you are %s)", c->ctx->home,
                    os);
            return CLI_FAILED;
        }
        act_as_owner(c);
        return 0;
    }
    if (a == NULL && (rc = cli_open(c->ctx, &a)) != 0)
        return rc;
    rc = find_account(c, a, os);
    if (a != c->a)
        app_close(a);
    if (rc == 0) {
        act_as_account(c, os);
        return 0;
    }
    if (rc < 0)
        return CLI_FAILED;
    /* through sudo the person is known, and is not the owner */
    if (!c->sudo_user[0] && instance_owner(c->ctx->home)) {
        act_as_owner(c);
        return 0;
    }
    ct_fail(&c->err, 401, "cli.no_account",
            "người dùng hệ điều hành \"%s\" không gắn với tài khoản nào: đăng nhập bằng "
            "`chungthu login` hoặc nhờ quản trị gắn tài khoản hệ điều hành của bạn",
            "the OS user \"%s\" acts as no account: log in with `chungthu login` or ask the "
            "administrator to map your OS account",
            os);
    return CLI_FAILED;
}

/* One line from the terminal or standard input, without its newline; echo off when asked and
 * the input is a terminal. */
static bool read_line(const char *prompt, bool secret, char *out, size_t size)
{
    bool tty = isatty(STDIN_FILENO);
    struct termios saved, quiet;
    bool restore = false, ok;

    if (tty) {
        fprintf(stderr, "%s", prompt);
        fflush(stderr);
        if (secret && tcgetattr(STDIN_FILENO, &saved) == 0) {
            quiet = saved;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            quiet.c_lflag |= ECHONL;
            restore = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }
    ok = fgets(out, (int)size, stdin) != NULL;
    if (restore)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    if (!ok)
        out[0] = '\0';
    out[strcspn(out, "\r\n")] = '\0';
    return ok;
}

int cmd_login(cli_call *c)
{
    char os[40], username[80] = "", password[300] = "", old[65], until[40];
    app_session s;
    ct_error ignored = {0};
    int rc;

    if (c->sudo_user[0]) {
        ct_fail(&c->err, 403, "cli.sudo_session",
                "qua sudo bạn hành động bằng tài khoản gắn với %s: không đăng nhập qua sudo "
                "(phiên của root dùng chung cho mọi người dùng sudo)",
                "through sudo you act as the account mapped to %s: no login through sudo "
                "(root's session would be shared by everyone who uses sudo)",
                c->sudo_user);
        return CLI_FAILED;
    }
    cli_os_user(os, sizeof os);
    if (cli_get(&c->args, "username"))
        snprintf(username, sizeof username, "%s", cli_get(&c->args, "username"));
    else
        read_line("Tên đăng nhập / user name: ", false, username, sizeof username);
    read_line("Mật khẩu / password: ", true, password, sizeof password);
    rc = app_login_local(c->a, username, password, os, &s, &c->err);
    memset(password, 0, sizeof password);
    if (rc != 0)
        return CLI_FAILED;
    /* the session this one replaces ends with it */
    if (session_read(c->ctx, old) == 1)
        app_logout(c->a, old, &ignored);
    if (session_write(c->ctx, s.token, &c->err) != 0) {
        app_logout(c->a, s.token, &ignored);
        return CLI_FAILED;
    }
    cli_local_time(s.expires_at, until, sizeof until);
    printf("Đã đăng nhập / logged in: %s (%s), đến / until %s\n", s.username, role_name(s.role),
           until);
    return 0;
}

int cmd_logout(cli_call *c)
{
    char path[1100], token[65];
    ct_error ignored = {0};
    int have = session_read(c->ctx, token);

    if (have == 1)
        app_logout(c->a, token, &ignored);
    if (!session_path(c->ctx, path, sizeof path) || (unlink(path) != 0 && errno == ENOENT)) {
        printf("Chưa đăng nhập / not logged in\n");
        return 0;
    }
    if (access(path, F_OK) == 0) {
        ct_fail(&c->err, 500, "cli.session_file", "không xóa được %s", "cannot remove %s", path);
        return CLI_FAILED;
    }
    printf("Đã đăng xuất / logged out\n");
    return 0;
}

int cmd_whoami(cli_call *c)
{
    const char *how = strncmp(c->actor_source, "cli:instance_owner", 18) == 0 ? "instance_owner"
                      : c->sudo_user[0]                                       ? "sudo"
                      : c->account.token[0]                                   ? "session"
                                                                              : "os_user";

    /* the owner has no role of its own: each command acts with the one it needs */
    printf("%s %s %s\n", c->actor.name,
           strcmp(how, "instance_owner") == 0 ? "any" : role_name(c->actor.role), how);
    return 0;
}
