/*
 * store_sqlite_backup.c — a consistent copy of the SQLite database while the server writes,
 * through SQLite's online backup API.
 *
 * The copy is taken in one step from a reader connection: one read transaction, so in WAL mode
 * it is a snapshot of one committed state, and writers go on meanwhile. The copy is then turned
 * into a plain rollback-journal file, so that it is one self-contained file (no -wal beside it).
 */
#include "store/store_backend.h"
#include "store/store_sqlite_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

static void remove_copy(const char *path)
{
    char side[4096];

    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-journal", path);
    unlink(side);
}

/* What the copy holds: its schema version and the last audit row. */
static int read_copy(sqlite3 *dest, store_backup_info *info, ct_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    if (sqlite3_exec(dest, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK)
        return sq_db_fail(dest, err, "making the copy one file");
    if (sq_prepare(dest, "PRAGMA user_version", &stmt, err) != 0)
        return -1;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        info->schema_version = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    if (sq_prepare(dest, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", &stmt, err) != 0)
        return -1;
    info->audit_head_id = 0;
    info->audit_head_hash[0] = '\0';
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        info->audit_head_id = sqlite3_column_int64(stmt, 0);
        sq_copy_col(stmt, 1, info->audit_head_hash, sizeof info->audit_head_hash);
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_db_fail(dest, err, "reading the copy's audit head");
    return 0;
}

static int do_backup(sqlite3 *src, const char *path, store_backup_info *info, ct_error *err)
{
    sqlite3 *dest = NULL;
    sqlite3_backup *b;
    int fd, rc;

    /* created here, 0600, and never over an existing file */
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return ct_fail(err, errno == EEXIST ? 409 : 500, "store.backup_file",
                       "không tạo được tệp sao lưu %s: %s", "cannot create the backup file %s: %s",
                       path, strerror(errno));
    close(fd);
    if (sqlite3_open_v2(path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        rc = sq_db_fail(dest, err, "opening the backup copy");
        goto out;
    }
    b = sqlite3_backup_init(dest, "main", src, "main");
    if (b == NULL) {
        rc = sq_db_fail(dest, err, "starting the backup");
        goto out;
    }
    /* -1: every page in one step, one read transaction, one snapshot */
    rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        rc = ct_fail(err, 503, "store.backup_failed", "sao lưu cơ sở dữ liệu không xong: %s",
                     "the database backup did not complete: %s", sqlite3_errstr(rc));
        goto out;
    }
    rc = read_copy(dest, info, err);
out:
    if (sqlite3_close(dest) != SQLITE_OK && rc == 0)
        rc = ct_fail(err, 500, "store.backup_failed", "không đóng được bản sao",
                     "cannot close the copy");
    if (rc != 0)
        remove_copy(path);
    return rc;
}

int sqlite_backup(void *impl, const char *path, store_backup_info *info, ct_error *err)
{
    WITH_READ(do_backup(db, path, info, err));
}
