/*
 * store_pg_backup.c — a PostgreSQL database backed up with pg_dump and restored with pg_restore,
 * for `chungthu backup` and `chungthu restore` (app_backup.c), as store_sqlite_backup.c does for
 * an SQLite file.
 *
 * The backup is `pg_dump -Fc` run on a snapshot this backend exports: one REPEATABLE READ
 * transaction stays open while pg_dump runs (--snapshot), so the schema version and the audit
 * head read here are those of the very state dumped, while the nodes go on writing. The restore
 * is `pg_restore --single-transaction` into a database that holds no table: all of the dump or
 * nothing of it. Both programs come from postgresql-client: the one in the server's own major
 * version's directory (/usr/lib/postgresql/N/bin, Debian's layout) when there is one, since
 * pg_dump refuses a server newer than itself, else the one on PATH. Their status is checked and
 * the first line of what they wrote on standard error is the error's message.
 */
#include "store/store_backend.h"
#include "store/store_pg_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The client program `name` for the server db talks to. */
static void client_path(PGconn *db, const char *name, char *out, size_t size)
{
    snprintf(out, size, "/usr/lib/postgresql/%d/bin/%s", PQserverVersion(db) / 10000, name);
    if (access(out, X_OK) != 0)
        snprintf(out, size, "%s", name);
}

/* Run argv (argv[0] looked up on PATH when it has no '/'), its standard error read into why;
 * 0 when it exited with status 0. */
static int run_client(char *const argv[], char *why, size_t size)
{
    posix_spawn_file_actions_t fa;
    int pipefd[2], status = 0, rc;
    pid_t pid;
    size_t got = 0;
    ssize_t n;
    char chunk[512];

    why[0] = '\0';
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        snprintf(why, size, "%s", strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
    rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pipefd[1]);
    if (rc != 0) {
        close(pipefd[0]);
        snprintf(why, size, "%s: %s", argv[0], strerror(rc));
        return -1;
    }
    while ((n = read(pipefd[0], chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR)) {
        for (ssize_t i = 0; i < n && got + 1 < size; i++)
            why[got++] = chunk[i];
    }
    why[got] = '\0';
    close(pipefd[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    why[strcspn(why, "\n")] = '\0';
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (why[0] == '\0')
        snprintf(why, size, "%s exited with status %d", argv[0],
                 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    return -1;
}

/* What the snapshot holds: its schema version and the last audit row. */
static int read_head(PGconn *db, store_backup_info *info, ct_error *err)
{
    PGresult *res;
    int64_t v = 0;

    if (pg_int_query(db, "SELECT coalesce(max(version), 0) FROM schema_version", NULL, &v,
                     "reading the schema version", err) != 0)
        return -1;
    info->schema_version = (int)v;
    res = pg_run(db, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", NULL,
                 "reading the audit head", err);
    if (res == NULL)
        return -1;
    info->audit_head_id = 0;
    info->audit_head_hash[0] = '\0';
    if (PQntuples(res) > 0) {
        info->audit_head_id = pg_get_int(res, 0, 0);
        pg_copy_col(res, 0, 1, info->audit_head_hash, sizeof info->audit_head_hash);
    }
    PQclear(res);
    return 0;
}

static int dump(pg_store *st, PGconn *db, const char *path, store_backup_info *info, ct_error *err)
{
    char program[256], snapshot[64] = "", snap_arg[80], file_arg[4200], why[512];
    PGresult *res;
    int rc;

    if (pg_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL, NULL,
                "starting the backup", err) != 0)
        return -1;
    res = pg_run(db, "SELECT pg_export_snapshot()", NULL, "starting the backup", err);
    rc = res ? 0 : -1;
    if (res) {
        pg_copy_col(res, 0, 0, snapshot, sizeof snapshot);
        PQclear(res);
    }
    if (rc == 0)
        rc = read_head(db, info, err);
    if (rc == 0) {
        char *argv[] = {program, "--format=custom", snap_arg, file_arg, "--dbname", st->url, NULL};
        client_path(db, "pg_dump", program, sizeof program);
        snprintf(snap_arg, sizeof snap_arg, "--snapshot=%s", snapshot);
        snprintf(file_arg, sizeof file_arg, "--file=%s", path);
        if (run_client(argv, why, sizeof why) != 0)
            rc = ct_fail(err, 503, "store.backup_failed", "pg_dump không xong: %s",
                         "pg_dump did not complete: %s", why);
    }
    pg_exec(db, "COMMIT", NULL, NULL, "ending the backup", NULL);
    return rc;
}

int pg_backup(void *impl, const char *path, store_backup_info *info, ct_error *err)
{
    pg_use u;
    int fd, rc;

    /* created here, 0600, and never over an existing file; pg_dump writes into it */
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return ct_fail(err, errno == EEXIST ? 409 : 500, "store.backup_file",
                       "không tạo được tệp sao lưu %s: %s", "cannot create the backup file %s: %s",
                       path, strerror(errno));
    close(fd);
    u = pg_acquire(impl);
    rc = dump(impl, u.c->db, path, info, err);
    pg_release(u);
    if (rc != 0)
        unlink(path);
    return rc;
}

int pg_check_empty(PGconn *db, const char *code, ct_error *err)
{
    int64_t tables = 0;

    if (pg_check_collation(db, err) != 0 ||
        pg_int_query(db, "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()", NULL,
                     &tables, "reading the target database", err) != 0)
        return -1;
    if (tables > 0)
        return ct_fail(err, 409, code,
                       "cơ sở dữ liệu đích đã có %lld bảng: chỉ dùng một cơ sở dữ liệu trống "
                       "(CREATE DATABASE … TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C')",
                       "the target database holds %lld tables: give an empty one "
                       "(CREATE DATABASE … TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C')",
                       (long long)tables);
    return 0;
}

/* PostgreSQL's notices are not the operator's business. */
static void quiet(void *arg, const char *message)
{
    (void)arg, (void)message;
}

int pg_connect_target(const char *url, const char *code, PGconn **out, ct_error *err)
{
    const char *keys[] = {"dbname", "fallback_application_name", NULL};
    const char *values[] = {url, "chungthu", NULL};
    PGconn *db = PQconnectdbParams(keys, values, 1);
    int rc;

    if (db == NULL || PQstatus(db) != CONNECTION_OK) {
        rc = ct_fail(err, 400, code, "không kết nối được cơ sở dữ liệu PostgreSQL đích: %s",
                     "cannot connect to the target PostgreSQL database: %s",
                     db ? PQerrorMessage(db) : "out of memory");
        PQfinish(db);
        return rc;
    }
    PQsetNoticeProcessor(db, quiet, NULL);
    *out = db;
    return 0;
}

int store_restore_postgresql(const char *url, const char *dump_path, ct_error *err)
{
    char program[256], url_arg[4200], why[512];
    PGconn *db;
    int rc;

    if (url == NULL || !store_is_url(url))
        return ct_fail(err, 400, "restore.database_url",
                       "bản sao lưu là của PostgreSQL: cần --database-url postgresql://… (một cơ "
                       "sở dữ liệu trống)",
                       "the backup is of a PostgreSQL database: --database-url postgresql://… "
                       "is needed (an empty database)");
    if (pg_connect_target(url, "restore.database_connect", &db, err) != 0)
        return -1;
    rc = pg_check_empty(db, "restore.database_not_empty", err);
    client_path(db, "pg_restore", program, sizeof program);
    PQfinish(db);
    if (rc != 0)
        return -1;
    snprintf(url_arg, sizeof url_arg, "--dbname=%s", url);
    {
        char *argv[] = {program,           "--single-transaction",
                        "--exit-on-error", "--no-owner",
                        "--no-privileges", url_arg,
                        (char *)dump_path, NULL};
        if (run_client(argv, why, sizeof why) != 0)
            return ct_fail(err, 500, "restore.pg_restore_failed",
                           "pg_restore không xong, cơ sở dữ liệu để nguyên: %s",
                           "pg_restore did not complete, the database is left as it was: %s", why);
    }
    return 0;
}
