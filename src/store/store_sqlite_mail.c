/*
 * store_sqlite_mail.c — e-mail on SQLite: the outbox (one row per message, queued in the
 * transaction of the step that causes it) and the expiry notices given (one row per certificate
 * and threshold, written in the transaction that queues the notice).
 *
 * A message is numbered max(id) + 1 inside the writer's transaction, as drafts and approvals
 * are: the app builds the Message-ID from the number before the row is written.
 */
#include "store/store_sqlite_internal.h"

#include <stdio.h>
#include <string.h>

static const sq_column outbox_cols[] = {
    INT(outbox_record, id),
    TEXT(outbox_record, message_id),
    INT(outbox_record, created_at),
    TEXT(outbox_record, kind),
    TEXT(outbox_record, ref),
    TEXT(outbox_record, recipients),
    TEXT(outbox_record, subject),
    TEXT_PTR(outbox_record, body_text),
    TEXT_PTR(outbox_record, body_html),
    TEXT(outbox_record, state),
    INT(outbox_record, attempts),
    INT(outbox_record, next_attempt_at),
    TEXT(outbox_record, last_error),
    INT(outbox_record, sent_at),
};
const sq_table outbox_table = SQ_TABLE("outbox", outbox_cols, 1, outbox_record);

static int outbox_next_id(sqlite3 *db, int64_t *id, ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;

    if (sq_prepare(db, "SELECT coalesce(max(id), 0) + 1 FROM outbox", &stmt, err) != 0)
        return -1;
    rc = sqlite3_step(stmt);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    return rc == SQLITE_ROW ? 0 : sq_db_fail(db, err, "numbering a message");
}

int sq_outbox_next_id(void *impl, int64_t *id, ct_error *err)
{
    WITH_WRITE(outbox_next_id(db, id, err));
}

static int outbox_insert(sqlite3 *db, const outbox_record *rec, ct_error *err)
{
    if (rec->body_text == NULL || rec->body_html == NULL)
        return ct_fail(err, 500, "mail.body_missing", "thư thiếu nội dung",
                       "a message without its body");
    if (sq_insert_record(db, &outbox_table, rec, err) == 0)
        return 0;
    if (sq_is_duplicate(err))
        return ct_fail(err, 409, "mail.exists", "thư số %lld đã có trong hộp thư đi",
                       "message %lld is in the outbox already", (long long)rec->id);
    return -1;
}

int sq_outbox_insert(void *impl, const outbox_record *rec, ct_error *err)
{
    WITH_WRITE(outbox_insert(db, rec, err));
}

static int outbox_get(sqlite3 *db, int64_t id, outbox_record *out, ct_error *err)
{
    int rc = sq_select_one(db, &outbox_table, "WHERE id = ?1", NULL, 0, &id, out, err);

    if (rc == 1)
        return ct_fail(err, 404, "mail.not_found", "không có thư số %lld trong hộp thư đi",
                       "no message %lld in the outbox", (long long)id);
    return rc;
}

int sq_outbox_get(void *impl, int64_t id, outbox_record *out, ct_error *err)
{
    memset(out, 0, sizeof *out);
    WITH_READ(outbox_get(db, id, out, err));
}

static int outbox_mark(sqlite3 *db, const outbox_record *rec, ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;

    if (sq_prepare(db,
                   "UPDATE outbox SET state = ?2, attempts = ?3, next_attempt_at = ?4,"
                   " last_error = ?5, sent_at = ?6 WHERE id = ?1",
                   &stmt, err) != 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, rec->id);
    sq_bind_text(stmt, 2, rec->state);
    sqlite3_bind_int64(stmt, 3, rec->attempts);
    sqlite3_bind_int64(stmt, 4, rec->next_attempt_at);
    sq_bind_text(stmt, 5, rec->last_error);
    sqlite3_bind_int64(stmt, 6, rec->sent_at);
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return sq_db_fail(db, err, "recording a message's delivery");
    if (sqlite3_changes(db) == 0)
        return ct_fail(err, 404, "mail.not_found", "không có thư số %lld trong hộp thư đi",
                       "no message %lld in the outbox", (long long)rec->id);
    return 0;
}

int sq_outbox_mark(void *impl, const outbox_record *rec, ct_error *err)
{
    WITH_WRITE(outbox_mark(db, rec, err));
}

int sq_outbox_list(void *impl, const outbox_filter *f, outbox_visit_fn visit, void *ctx,
                   ct_error *err)
{
    outbox_record scratch;
    char tail[256];
    const char *b[1];
    size_t n = 0;
    int64_t ints[1];
    const int64_t *bind_int = NULL;
    size_t len = (size_t)snprintf(tail, sizeof tail, "WHERE 1");

    if (f && f->state) {
        b[n++] = f->state;
        len += (size_t)snprintf(tail + len, sizeof tail - len, " AND state = ?1");
    }
    if (f && f->due_at) {
        ints[0] = f->due_at;
        bind_int = ints;
        len += (size_t)snprintf(tail + len, sizeof tail - len,
                                " AND state = 'queued' AND next_attempt_at <= ?%zu", n + 1);
    }
    len += (size_t)snprintf(tail + len, sizeof tail - len, " ORDER BY id");
    if (f && f->limit > 0)
        snprintf(tail + len, sizeof tail - len, " LIMIT %lld", (long long)f->limit);
    WITH_READ(sq_select_records(db, &outbox_table, tail, b, n, bind_int, (sq_row_fn)visit, ctx,
                                &scratch, err));
}

static int expiring(sqlite3 *db, int64_t now, int64_t until, int threshold, int64_t limit,
                    expiring_visit_fn visit, void *ctx, ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;

    if (sq_prepare(db,
                   "SELECT serial, not_after FROM certificates c"
                   " WHERE status = 'active' AND kind = 'subscriber' AND not_after > ?1"
                   " AND not_after <= ?2 AND NOT EXISTS (SELECT 1 FROM expiry_notices n"
                   " WHERE n.serial = c.serial AND n.threshold_days = ?3)"
                   " ORDER BY not_after LIMIT ?4",
                   &stmt, err) != 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, now);
    sqlite3_bind_int64(stmt, 2, until);
    sqlite3_bind_int(stmt, 3, threshold);
    sqlite3_bind_int64(stmt, 4, limit > 0 ? limit : -1);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        char serial[41];
        sq_copy_col(stmt, 0, serial, sizeof serial);
        if (visit(ctx, serial, sqlite3_column_int64(stmt, 1)) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : sq_db_fail(db, err, "finding certificates near their end");
}

int sq_cert_expiring(void *impl, int64_t now, int64_t until, int threshold, int64_t limit,
                     expiring_visit_fn visit, void *ctx, ct_error *err)
{
    WITH_READ(expiring(db, now, until, threshold, limit, visit, ctx, err));
}

static int notice_insert(sqlite3 *db, const char *serial, int threshold, int64_t outbox_id,
                         int64_t at, bool *inserted, ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;

    if (sq_prepare(db,
                   "INSERT OR IGNORE INTO expiry_notices (serial, threshold_days, outbox_id, at)"
                   " VALUES (?1, ?2, ?3, ?4)",
                   &stmt, err) != 0)
        return -1;
    sq_bind_text(stmt, 1, serial);
    sqlite3_bind_int(stmt, 2, threshold);
    sqlite3_bind_int64(stmt, 3, outbox_id);
    sqlite3_bind_int64(stmt, 4, at);
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return sq_db_fail(db, err, "recording an expiry notice");
    *inserted = sqlite3_changes(db) > 0;
    return 0;
}

int sq_expiry_notice_insert(void *impl, const char *serial, int threshold, int64_t outbox_id,
                            int64_t at, bool *inserted, ct_error *err)
{
    WITH_WRITE(notice_insert(db, serial, threshold, outbox_id, at, inserted, err));
}
