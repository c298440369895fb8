/*
 * store_sqlite_procedure.c — the procedure's records in SQLite: agencies, dossiers, applicants,
 * tokens, accounts, sessions, claims, drafts.
 *
 * Each record type is described once as a list of columns (name, type, where in the struct);
 * store_sqlite_record.c binds, reads, inserts and updates any of them. Adding a field is one
 * line in the description and one in the migration.
 */
#include "store/store_sqlite_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const sq_column agency_cols[] = {
    TEXT(agency_record, code),          TEXT(agency_record, name),
    TEXT(agency_record, parent),        TEXT(agency_record, province),
    TEXT(agency_record, head_name),     TEXT(agency_record, head_title),
    TEXT(agency_record, kind),          INT(agency_record, created_at),
    TEXT(agency_record, email_domains), TEXT(agency_record, address),
    TEXT(agency_record, email),         TEXT(agency_record, phone),
    TEXT(agency_record, clerk_email),   TEXT(agency_record, head_email),
};
const sq_table agency_table = SQ_TABLE("agencies", agency_cols, 1, agency_record);

static const sq_column dossier_cols[] = {
    TEXT(dossier_record, code),
    TEXT(dossier_record, agency),
    TEXT(dossier_record, channel),
    TEXT(dossier_record, state),
    TEXT(dossier_record, day),
    INT(dossier_record, seq),
    INT(dossier_record, received_at),
    TEXT(dossier_record, counted_from),
    INT(dossier_record, due_step2),
    INT(dossier_record, step2_done_at),
    TEXT(dossier_record, confirmed_name),
    TEXT(dossier_record, confirmed_title),
    TEXT(dossier_record, confirmed_on),
    TEXT(dossier_record, reason),
    TEXT(dossier_record, created_by),
    INT(dossier_record, updated_at),
    TEXT(dossier_record, kind),
    TEXT(dossier_record, request_reason),
};
const sq_table dossier_table = SQ_TABLE("dossiers", dossier_cols, 1, dossier_record);

static const sq_column applicant_cols[] = {
    TEXT(applicant_record, dossier),
    INT(applicant_record, n),
    TEXT(applicant_record, full_name),
    TEXT(applicant_record, birth_date),
    TEXT(applicant_record, id_number),
    TEXT(applicant_record, id_issued_on),
    TEXT(applicant_record, id_issued_at),
    TEXT(applicant_record, email),
    TEXT(applicant_record, unit),
    TEXT(applicant_record, province),
    TEXT(applicant_record, position),
    TEXT(applicant_record, category),
    TEXT(applicant_record, phone),
    TEXT(applicant_record, previous_serial),
    TEXT(applicant_record, state),
    TEXT(applicant_record, cert_serial),
    TEXT(applicant_record, token_serial),
    INT(applicant_record, pickup_at),
    TEXT(applicant_record, pickup_place),
    INT(applicant_record, notified_at),
    INT(applicant_record, agency_received_at),
    INT(applicant_record, handed_over_at),
    INT(applicant_record, activation_requested_at),
    INT(applicant_record, requested_effective_at),
    INT(applicant_record, due_step4),
    INT(applicant_record, published_at),
    TEXT(applicant_record, reason),
    INT(applicant_record, updated_at),
    TEXT(applicant_record, received_by),
    TEXT(applicant_record, handed_to),
};
const sq_table applicant_table = SQ_TABLE("applicants", applicant_cols, 2, applicant_record);

static const sq_column token_cols[] = {
    TEXT(token_record, serial),      TEXT(token_record, label),   TEXT(token_record, state),
    TEXT(token_record, cert_serial), TEXT(token_record, dossier), INT(token_record, applicant),
    TEXT(token_record, so_pin),      TEXT(token_record, note),    INT(token_record, updated_at),
};
const sq_table token_table = SQ_TABLE("tokens", token_cols, 1, token_record);

static const sq_column user_cols[] = {
    TEXT(user_record, username),     TEXT(user_record, display_name),  TEXT(user_record, role),
    TEXT(user_record, agency),       TEXT(user_record, password_hash), INT(user_record, disabled),
    INT(user_record, failed_logins), INT(user_record, locked_until),   INT(user_record, created_at),
    INT(user_record, updated_at),    TEXT(user_record, os_user),
};
const sq_table user_table = SQ_TABLE("users", user_cols, 1, user_record);

static const sq_column session_cols[] = {
    TEXT(session_record, token_hash),
    TEXT(session_record, username),
    INT(session_record, created_at),
    INT(session_record, expires_at),
};
const sq_table session_table = SQ_TABLE("sessions", session_cols, 1, session_record);

static const sq_column claim_cols[] = {
    TEXT(claim_record, object),
    TEXT(claim_record, holder),
    INT(claim_record, at),
};
const sq_table claim_table = SQ_TABLE("claims", claim_cols, 1, claim_record);

static const sq_column draft_cols[] = {
    INT(draft_record, id),
    TEXT(draft_record, agency),
    TEXT(draft_record, state),
    TEXT(draft_record, title),
    TEXT(draft_record, list_format),
    INT(draft_record, applicants),
    TEXT(draft_record, letter_name),
    TEXT(draft_record, letter_type),
    INT(draft_record, letter_size),
    TEXT(draft_record, letter_sha256),
    TEXT(draft_record, list_sha256),
    TEXT(draft_record, confirmed_list_sha256),
    TEXT(draft_record, confirmed_letter_sha256),
    TEXT(draft_record, confirmed_name),
    TEXT(draft_record, confirmed_title),
    TEXT(draft_record, confirmed_by),
    INT(draft_record, confirmed_at),
    TEXT(draft_record, dossier),
    TEXT(draft_record, created_by),
    INT(draft_record, created_at),
    INT(draft_record, updated_at),
};
const sq_table draft_table = SQ_TABLE("drafts", draft_cols, 1, draft_record);

/* ---- the backend functions ---- */

static int get_one(sqlite3 *db, const sq_table *t, const char *tail, const char *bind[],
                   size_t n_bind, const int64_t *bind_int, void *out, const char *code,
                   const char *what_vi, const char *what_en, const char *key, ct_error *err)
{
    int rc = sq_select_one(db, t, tail, bind, n_bind, bind_int, out, err);

    if (rc == 1) {
        char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX];
        snprintf(vi, sizeof vi, "không tìm thấy %s \"%s\"", what_vi, key);
        snprintf(en, sizeof en, "no %s \"%s\"", what_en, key);
        return ct_fail_text(err, 404, code, vi, en);
    }
    return rc;
}

static int insert_unique(sqlite3 *db, const sq_table *t, const void *rec, const char *code,
                         const char *key, ct_error *err)
{
    if (sq_insert_record(db, t, rec, err) == 0)
        return 0;
    if (sq_is_duplicate(err))
        return ct_fail(err, 409, code, "\"%s\" đã tồn tại", "\"%s\" already exists", key);
    return -1;
}

int sq_agency_insert(void *impl, const agency_record *rec, ct_error *err)
{
    WITH_WRITE(insert_unique(db, &agency_table, rec, "agency.exists", rec->code, err));
}

int sq_agency_get(void *impl, const char *code, agency_record *out, ct_error *err)
{
    const char *b[] = {code};
    WITH_READ(get_one(db, &agency_table, "WHERE code = ?", b, 1, NULL, out, "agency.not_found",
                      "cơ quan", "agency", code, err));
}

int sq_agency_update(void *impl, const agency_record *rec, ct_error *err)
{
    WITH_WRITE(sq_update_record(db, &agency_table, rec, "agency.not_found", err));
}

int sq_agency_list(void *impl, agency_visit_fn visit, void *ctx, ct_error *err)
{
    agency_record scratch;
    WITH_READ(sq_select_records(db, &agency_table, "ORDER BY code", NULL, 0, NULL, (sq_row_fn)visit,
                                ctx, &scratch, err));
}

static int next_seq(sqlite3 *db, const char *day, int64_t *seq, ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;

    if (sq_prepare(db, "SELECT coalesce(max(seq), 0) + 1 FROM dossiers WHERE day = ?", &stmt,
                   err) != 0)
        return -1;
    sq_bind_text(stmt, 1, day);
    rc = sqlite3_step(stmt);
    *seq = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW)
        return sq_db_fail(db, err, "numbering a dossier");
    return 0;
}

int sq_dossier_next_seq(void *impl, const char *day, int64_t *seq, ct_error *err)
{
    WITH_WRITE(next_seq(db, day, seq, err));
}

int sq_dossier_insert(void *impl, const dossier_record *rec, ct_error *err)
{
    WITH_WRITE(insert_unique(db, &dossier_table, rec, "dossier.exists", rec->code, err));
}

int sq_dossier_get(void *impl, const char *code, dossier_record *out, ct_error *err)
{
    const char *b[] = {code};
    WITH_READ(get_one(db, &dossier_table, "WHERE code = ?", b, 1, NULL, out, "dossier.not_found",
                      "hồ sơ", "dossier", code, err));
}

int sq_dossier_update(void *impl, const dossier_record *rec, ct_error *err)
{
    WITH_WRITE(sq_update_record(db, &dossier_table, rec, "dossier.not_found", err));
}

int sq_dossier_list(void *impl, const dossier_filter *f, dossier_visit_fn visit, void *ctx,
                    ct_error *err)
{
    dossier_record scratch;
    char tail[512];
    const char *b[2];
    size_t n = 0, len;
    int64_t due = f ? f->due_before : 0;

    len = (size_t)snprintf(tail, sizeof tail, "WHERE 1=1");
    if (f && f->agency) {
        b[n++] = f->agency;
        len += (size_t)snprintf(tail + len, sizeof tail - len, " AND agency = ?%zu", n);
    }
    if (f && f->state) {
        b[n++] = f->state;
        len += (size_t)snprintf(tail + len, sizeof tail - len, " AND state = ?%zu", n);
    }
    if (due)
        len += (size_t)snprintf(tail + len, sizeof tail - len,
                                " AND due_step2 > 0 AND step2_done_at = 0 AND due_step2 < ?%zu",
                                n + 1);
    snprintf(tail + len, sizeof tail - len, " ORDER BY received_at, code");
    WITH_READ(sq_select_records(db, &dossier_table, tail, b, n, due ? &due : NULL, (sq_row_fn)visit,
                                ctx, &scratch, err));
}

int sq_applicant_insert(void *impl, const applicant_record *rec, ct_error *err)
{
    WITH_WRITE(insert_unique(db, &applicant_table, rec, "applicant.exists", rec->full_name, err));
}

int sq_applicant_get(void *impl, const char *dossier, int64_t n, applicant_record *out,
                     ct_error *err)
{
    const char *b[] = {dossier};
    char key[96];
    snprintf(key, sizeof key, "%s #%lld", dossier, (long long)n);
    WITH_READ(get_one(db, &applicant_table, "WHERE dossier = ?1 AND n = ?2", b, 1, &n, out,
                      "applicant.not_found", "người đề nghị", "applicant", key, err));
}

int sq_applicant_update(void *impl, const applicant_record *rec, ct_error *err)
{
    WITH_WRITE(sq_update_record(db, &applicant_table, rec, "applicant.not_found", err));
}

int sq_applicant_list(void *impl, const char *dossier, applicant_visit_fn visit, void *ctx,
                      ct_error *err)
{
    applicant_record scratch;
    const char *b[] = {dossier};
    WITH_READ(sq_select_records(db, &applicant_table,
                                dossier ? "WHERE dossier = ? ORDER BY n" : "ORDER BY dossier, n", b,
                                dossier ? 1 : 0, NULL, (sq_row_fn)visit, ctx, &scratch, err));
}

static int delete_applicants(sqlite3 *db, const char *dossier, ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;

    if (sq_prepare(db, "DELETE FROM applicants WHERE dossier = ?", &stmt, err) != 0)
        return -1;
    sq_bind_text(stmt, 1, dossier);
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : sq_db_fail(db, err, "replacing a dossier's applicants");
}

int sq_applicant_delete_all(void *impl, const char *dossier, ct_error *err)
{
    WITH_WRITE(delete_applicants(db, dossier, err));
}

int sq_applicant_due_publication(void *impl, int64_t now, applicant_visit_fn visit, void *ctx,
                                 ct_error *err)
{
    applicant_record scratch;
    WITH_READ(
        sq_select_records(db, &applicant_table,
                          "WHERE state = 'activation_requested' AND requested_effective_at <= ?1"
                          " ORDER BY requested_effective_at",
                          NULL, 0, &now, (sq_row_fn)visit, ctx, &scratch, err));
}

int sq_applicant_by_id_number(void *impl, const char *id_number, applicant_visit_fn visit,
                              void *ctx, ct_error *err)
{
    applicant_record scratch;
    const char *b[] = {id_number};
    WITH_READ(sq_select_records(db, &applicant_table, "WHERE id_number = ? ORDER BY dossier, n", b,
                                1, NULL, (sq_row_fn)visit, ctx, &scratch, err));
}

int sq_applicant_by_cert(void *impl, const char *serial, applicant_record *out, ct_error *err)
{
    const char *b[] = {serial};
    /* the term cert_serial <> '' lets SQLite use the partial index applicants_cert */
    WITH_READ(get_one(db, &applicant_table, "WHERE cert_serial = ? AND cert_serial <> ''", b, 1,
                      NULL, out, "applicant.not_found", "người giữ chứng thư",
                      "holder of certificate", serial, err));
}

int sq_applicant_holders(void *impl, const char *agency, applicant_visit_fn visit, void *ctx,
                         ct_error *err)
{
    applicant_record scratch;
    const char *b[] = {agency};
    WITH_READ(sq_select_records(db, &applicant_table,
                                "WHERE cert_serial <> '' AND dossier IN"
                                " (SELECT code FROM dossiers WHERE agency = ?) ORDER BY dossier, n",
                                b, 1, NULL, (sq_row_fn)visit, ctx, &scratch, err));
}

int sq_token_insert(void *impl, const token_record *rec, ct_error *err)
{
    WITH_WRITE(insert_unique(db, &token_table, rec, "token.exists", rec->serial, err));
}

int sq_token_get(void *impl, const char *serial, token_record *out, ct_error *err)
{
    const char *b[] = {serial};
    WITH_READ(get_one(db, &token_table, "WHERE serial = ?", b, 1, NULL, out, "token.not_found",
                      "thiết bị", "token", serial, err));
}

int sq_token_by_cert(void *impl, const char *cert_serial, token_record *out, ct_error *err)
{
    const char *b[] = {cert_serial};
    /* the term cert_serial <> '' lets SQLite use the partial index tokens_cert */
    WITH_READ(get_one(db, &token_table, "WHERE cert_serial = ? AND cert_serial <> ''", b, 1, NULL,
                      out, "token.not_found", "thiết bị mang chứng thư",
                      "token carrying certificate", cert_serial, err));
}

int sq_token_update(void *impl, const token_record *rec, ct_error *err)
{
    WITH_WRITE(sq_update_record(db, &token_table, rec, "token.not_found", err));
}

int sq_token_list(void *impl, const char *state, token_visit_fn visit, void *ctx, ct_error *err)
{
    token_record scratch;
    const char *b[] = {state};
    WITH_READ(sq_select_records(db, &token_table,
                                state ? "WHERE state = ? ORDER BY label" : "ORDER BY label", b,
                                state ? 1 : 0, NULL, (sq_row_fn)visit, ctx, &scratch, err));
}

int sq_user_insert(void *impl, const user_record *rec, ct_error *err)
{
    WITH_WRITE(insert_unique(db, &user_table, rec, "user.exists", rec->username, err));
}

int sq_user_get(void *impl, const char *username, user_record *out, ct_error *err)
{
    const char *b[] = {username};
    WITH_READ(get_one(db, &user_table, "WHERE username = ?", b, 1, NULL, out, "user.not_found",
                      "tài khoản", "account", username, err));
}

int sq_user_update(void *impl, const user_record *rec, ct_error *err)
{
    WITH_WRITE(sq_update_record(db, &user_table, rec, "user.not_found", err));
}

int sq_user_list(void *impl, user_visit_fn visit, void *ctx, ct_error *err)
{
    user_record scratch;
    WITH_READ(sq_select_records(db, &user_table, "ORDER BY username", NULL, 0, NULL,
                                (sq_row_fn)visit, ctx, &scratch, err));
}

int sq_user_get_by_os(void *impl, const char *os_user, user_record *out, ct_error *err)
{
    const char *b[] = {os_user};
    WITH_READ(get_one(db, &user_table, "WHERE os_user = ? AND os_user <> ''", b, 1, NULL, out,
                      "user.not_found", "tài khoản của người dùng hệ điều hành",
                      "account of the OS user", os_user, err));
}

/* The failed logins of a name from a source since `since`, after the pair's last success: the
 * audit trail keeps them, so a count survives the process (each command line is one). */
static int count_login_failures(sqlite3 *db, const char *source, const char *object, int64_t since,
                                int64_t *count, ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;

    if (sq_prepare(db,
                   "SELECT count(*) FROM audit WHERE object = ?2 AND action = 'auth.login_failed'"
                   " AND source = ?1 AND at >= ?3 AND id > coalesce((SELECT max(id) FROM audit"
                   " WHERE object = ?2 AND action = 'auth.login' AND source = ?1), 0)",
                   &stmt, err) != 0)
        return -1;
    sq_bind_text(stmt, 1, source);
    sq_bind_text(stmt, 2, object);
    sqlite3_bind_int64(stmt, 3, since);
    rc = sqlite3_step(stmt);
    *count = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    return rc == SQLITE_ROW ? 0 : sq_db_fail(db, err, "counting failed logins");
}

int sq_login_failures(void *impl, const char *source, const char *object, int64_t since,
                      int64_t *count, ct_error *err)
{
    WITH_READ(count_login_failures(db, source, object, since, count, err));
}

int sq_session_insert(void *impl, const session_record *rec, ct_error *err)
{
    WITH_WRITE(insert_unique(db, &session_table, rec, "session.exists", "session", err));
}

int sq_session_get(void *impl, const char *token_hash, session_record *out, ct_error *err)
{
    const char *b[] = {token_hash};
    WITH_READ(get_one(db, &session_table, "WHERE token_hash = ?", b, 1, NULL, out,
                      "session.not_found", "phiên đăng nhập", "session", "", err));
}

static int delete_session(sqlite3 *db, const char *token_hash, ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;

    if (sq_prepare(db, "DELETE FROM sessions WHERE token_hash = ?", &stmt, err) != 0)
        return -1;
    sq_bind_text(stmt, 1, token_hash);
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : sq_db_fail(db, err, "ending a session");
}

int sq_session_delete(void *impl, const char *token_hash, ct_error *err)
{
    WITH_WRITE(delete_session(db, token_hash, err));
}

static int delete_user_sessions(sqlite3 *db, const char *username, const char *keep_hash,
                                ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;

    if (sq_prepare(db, "DELETE FROM sessions WHERE username = ? AND token_hash <> ?", &stmt, err) !=
        0)
        return -1;
    sq_bind_text(stmt, 1, username);
    sq_bind_text(stmt, 2, keep_hash ? keep_hash : "");
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : sq_db_fail(db, err, "ending an account's sessions");
}

int sq_session_delete_user(void *impl, const char *username, const char *keep_hash, ct_error *err)
{
    WITH_WRITE(delete_user_sessions(db, username, keep_hash, err));
}

/* ---- claims ---- */

int sq_claim_insert(void *impl, const claim_record *rec, ct_error *err)
{
    WITH_WRITE(insert_unique(db, &claim_table, rec, "claim.taken", rec->object, err));
}

int sq_claim_get(void *impl, const char *object, claim_record *out, ct_error *err)
{
    const char *b[] = {object};
    WITH_READ(get_one(db, &claim_table, "WHERE object = ?", b, 1, NULL, out, "claim.not_found",
                      "quyền xử lý", "claim", object, err));
}

static int delete_claim(sqlite3 *db, const char *object, const char *holder, ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;

    if (sq_prepare(db, "DELETE FROM claims WHERE object = ?1 AND (?2 IS NULL OR holder = ?2)",
                   &stmt, err) != 0)
        return -1;
    sq_bind_text(stmt, 1, object);
    if (holder)
        sq_bind_text(stmt, 2, holder);
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : sq_db_fail(db, err, "releasing a claim");
}

int sq_claim_delete(void *impl, const char *object, const char *holder, ct_error *err)
{
    WITH_WRITE(delete_claim(db, object, holder, err));
}

/* ---- drafts ---- */

static int draft_insert(sqlite3 *db, draft_record *rec, ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;

    if (sq_prepare(db, "SELECT coalesce(max(id), 0) + 1 FROM drafts", &stmt, err) != 0)
        return -1;
    rc = sqlite3_step(stmt);
    rec->id = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW)
        return sq_db_fail(db, err, "numbering a draft");
    return insert_unique(db, &draft_table, rec, "draft.exists", "draft", err);
}

int sq_draft_insert(void *impl, draft_record *rec, ct_error *err)
{
    WITH_WRITE(draft_insert(db, rec, err));
}

int sq_draft_get(void *impl, int64_t id, draft_record *out, ct_error *err)
{
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)id);
    WITH_READ(get_one(db, &draft_table, "WHERE id = ?1", NULL, 0, &id, out, "draft.not_found",
                      "bản nháp", "draft", key, err));
}

int sq_draft_update(void *impl, const draft_record *rec, ct_error *err)
{
    WITH_WRITE(sq_update_record(db, &draft_table, rec, "draft.not_found", err));
}

/* One statement on the writer with an id and, optionally, a blob. */
static int draft_exec(sqlite3 *db, const char *sql, int64_t id, const unsigned char *data,
                      size_t len, bool with_blob, ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;

    if (sq_prepare(db, sql, &stmt, err) != 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, id);
    if (with_blob)
        sqlite3_bind_blob64(stmt, 2, data ? (const void *)data : (const void *)"", len,
                            SQLITE_STATIC);
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return sq_db_fail(db, err, "writing a draft");
    if (sqlite3_changes(db) != 1)
        return ct_fail(err, 404, "draft.not_found", "không tìm thấy bản nháp %lld", "no draft %lld",
                       (long long)id);
    return 0;
}

int sq_draft_delete(void *impl, int64_t id, ct_error *err)
{
    WITH_WRITE(draft_exec(db, "DELETE FROM drafts WHERE id = ?1", id, NULL, 0, false, err));
}

int sq_draft_list(void *impl, const char *agency, const char *dossier, draft_visit_fn visit,
                  void *ctx, ct_error *err)
{
    draft_record scratch;
    const char *b[2];
    size_t n = 0;
    char tail[160];
    size_t len = (size_t)snprintf(tail, sizeof tail, "WHERE 1=1");

    if (agency) {
        b[n++] = agency;
        len += (size_t)snprintf(tail + len, sizeof tail - len, " AND agency = ?%zu", n);
    }
    if (dossier) {
        b[n++] = dossier;
        len += (size_t)snprintf(tail + len, sizeof tail - len, " AND dossier = ?%zu", n);
    }
    snprintf(tail + len, sizeof tail - len, " ORDER BY id DESC");
    WITH_READ(sq_select_records(db, &draft_table, tail, b, n, NULL, (sq_row_fn)visit, ctx, &scratch,
                                err));
}

int sq_draft_put_document(void *impl, int64_t id, draft_document which, const unsigned char *data,
                          size_t len, ct_error *err)
{
    WITH_WRITE(draft_exec(db,
                          which == DRAFT_LIST ? "UPDATE drafts SET list_data = ?2 WHERE id = ?1"
                                              : "UPDATE drafts SET letter_data = ?2 WHERE id = ?1",
                          id, data, len, true, err));
}

static int draft_document_read(sqlite3 *db, int64_t id, draft_document which, unsigned char **data,
                               size_t *len, ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;

    *data = NULL;
    *len = 0;
    if (sq_prepare(db,
                   which == DRAFT_LIST ? "SELECT list_data FROM drafts WHERE id = ?1"
                                       : "SELECT letter_data FROM drafts WHERE id = ?1",
                   &stmt, err) != 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) == SQLITE_BLOB) {
        size_t n = (size_t)sqlite3_column_bytes(stmt, 0);
        *data = malloc(n ? n : 1);
        if (*data == NULL) {
            sqlite3_finalize(stmt);
            return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
        }
        memcpy(*data, sqlite3_column_blob(stmt, 0), n);
        *len = n;
        sqlite3_finalize(stmt);
        return 0;
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_db_fail(db, err, "reading a draft");
    return which == DRAFT_LIST
               ? ct_fail(err, 404, "draft.no_document", "bản nháp %lld chưa có danh sách",
                         "draft %lld has no list yet", (long long)id)
               : ct_fail(err, 404, "draft.no_document", "bản nháp %lld chưa có văn bản đề nghị",
                         "draft %lld has no request letter yet", (long long)id);
}

int sq_draft_get_document(void *impl, int64_t id, draft_document which, unsigned char **data,
                          size_t *len, ct_error *err)
{
    WITH_READ(draft_document_read(db, id, which, data, len, err));
}
