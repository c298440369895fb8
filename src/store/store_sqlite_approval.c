/*
 * store_sqlite_approval.c — four eyes in SQLite: the requests that wait for a second person.
 *
 * A request is numbered max(id) + 1 inside the writer's transaction, as drafts are. At most one
 * request per action and object is pending at a time (a partial unique index): a second one is
 * refused with 409 "approval.exists" instead of waiting twice for the same thing.
 */
#include "store/store_sqlite_internal.h"

#include <stdio.h>

static const sq_column approval_cols[] = {
    INT(approval_record, id),
    TEXT(approval_record, action),
    TEXT(approval_record, object),
    TEXT(approval_record, parameters),
    TEXT(approval_record, requested_by),
    INT(approval_record, requested_at),
    TEXT(approval_record, state),
    TEXT(approval_record, decided_by),
    INT(approval_record, decided_at),
    TEXT(approval_record, reason),
};
const sq_table approval_table = SQ_TABLE("approvals", approval_cols, 1, approval_record);

static int approval_insert(sqlite3 *db, approval_record *rec, ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;

    if (sq_prepare(db, "SELECT coalesce(max(id), 0) + 1 FROM approvals", &stmt, err) != 0)
        return -1;
    rc = sqlite3_step(stmt);
    rec->id = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW)
        return sq_db_fail(db, err, "numbering a request for approval");
    if (sq_insert_record(db, &approval_table, rec, err) == 0)
        return 0;
    if (sq_is_duplicate(err))
        return ct_fail(
            err, 409, "approval.exists", "đã có một yêu cầu \"%s\" cho \"%s\" đang chờ phê duyệt",
            "a request \"%s\" on \"%s\" is already waiting for approval", rec->action, rec->object);
    return -1;
}

int sq_approval_insert(void *impl, approval_record *rec, ct_error *err)
{
    WITH_WRITE(approval_insert(db, rec, err));
}

static int approval_get(sqlite3 *db, int64_t id, approval_record *out, ct_error *err)
{
    int rc = sq_select_one(db, &approval_table, "WHERE id = ?1", NULL, 0, &id, out, err);

    if (rc == 1)
        return ct_fail(err, 404, "approval.not_found", "không có yêu cầu phê duyệt số %lld",
                       "no request for approval %lld", (long long)id);
    return rc;
}

int sq_approval_get(void *impl, int64_t id, approval_record *out, ct_error *err)
{
    WITH_READ(approval_get(db, id, out, err));
}

int sq_approval_update(void *impl, const approval_record *rec, ct_error *err)
{
    WITH_WRITE(sq_update_record(db, &approval_table, rec, "approval.not_found", err));
}

int sq_approval_list(void *impl, const char *state, approval_visit_fn visit, void *ctx,
                     ct_error *err)
{
    approval_record scratch;
    const char *b[] = {state};

    WITH_READ(sq_select_records(db, &approval_table,
                                state ? "WHERE state = ? ORDER BY id" : "ORDER BY id", b,
                                state ? 1 : 0, NULL, (sq_row_fn)visit, ctx, &scratch, err));
}
