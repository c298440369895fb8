/*
 * store_pg_procedure.c — the procedure's records on PostgreSQL: agencies, dossiers, applicants,
 * tokens, accounts, sessions, claims, drafts; and approvals, papers, the outbox and the expiry
 * notices. Each entry is the twin of its sq_ one (store_sqlite_procedure.c, _approval.c,
 * _paper.c, _mail.c): same SQL with $n parameters, same codes.
 *
 * The numbers taken as max + 1 (a day's dossier sequence, drafts, approvals, messages) are read
 * and written under the write lock every transaction holds (store_pg_internal.h), so two nodes
 * never take the same one.
 */
#include "store/store_pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int get_one(PGconn *db, const sq_table *t, const char *tail, const pg_params *p, void *out,
                   const char *code, const char *what_vi, const char *what_en, const char *key,
                   ct_error *err)
{
    int rc = pg_select_one(db, t, tail, p, out, err);

    if (rc == 1) {
        char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX];
        snprintf(vi, sizeof vi, "không tìm thấy %s \"%s\"", what_vi, key);
        snprintf(en, sizeof en, "no %s \"%s\"", what_en, key);
        return ct_fail_text(err, 404, code, vi, en);
    }
    return rc;
}

static int insert_unique(PGconn *db, const sq_table *t, const void *rec, const char *code,
                         const char *key, ct_error *err)
{
    if (pg_insert_record(db, t, rec, err) == 0)
        return 0;
    if (pg_is_duplicate(err))
        return ct_fail(err, 409, code, "\"%s\" đã tồn tại", "\"%s\" already exists", key);
    return -1;
}

/* One key, as text or as a number, for a select. */
static pg_params text1(const char *v)
{
    pg_params p = {0};
    pg_param_text(&p, v);
    return p;
}

static pg_params int1(int64_t v)
{
    pg_params p = {0};
    pg_param_int(&p, v);
    return p;
}

int pg_agency_insert(void *impl, const agency_record *rec, ct_error *err)
{
    PG_WRITE(insert_unique(db, &agency_table, rec, "agency.exists", rec->code, err));
}

int pg_agency_get(void *impl, const char *code, agency_record *out, ct_error *err)
{
    pg_params p = text1(code);
    PG_READ(get_one(db, &agency_table, "WHERE code = $1", &p, out, "agency.not_found", "cơ quan",
                    "agency", code, err));
}

int pg_agency_update(void *impl, const agency_record *rec, ct_error *err)
{
    PG_WRITE(pg_update_record(db, &agency_table, rec, "agency.not_found", err));
}

int pg_agency_list(void *impl, agency_visit_fn visit, void *ctx, ct_error *err)
{
    agency_record scratch;
    PG_READ(pg_select_records(db, &agency_table, "ORDER BY code", NULL, (sq_row_fn)visit, ctx,
                              &scratch, err));
}

static int next_seq(PGconn *db, const char *day, int64_t *seq, ct_error *err)
{
    pg_params p = text1(day);
    return pg_int_query(db, "SELECT coalesce(max(seq), 0) + 1 FROM dossiers WHERE day = $1", &p,
                        seq, "numbering a dossier", err);
}

int pg_dossier_next_seq(void *impl, const char *day, int64_t *seq, ct_error *err)
{
    PG_WRITE(next_seq(db, day, seq, err));
}

int pg_dossier_insert(void *impl, const dossier_record *rec, ct_error *err)
{
    PG_WRITE(insert_unique(db, &dossier_table, rec, "dossier.exists", rec->code, err));
}

int pg_dossier_get(void *impl, const char *code, dossier_record *out, ct_error *err)
{
    pg_params p = text1(code);
    PG_READ(get_one(db, &dossier_table, "WHERE code = $1", &p, out, "dossier.not_found", "hồ sơ",
                    "dossier", code, err));
}

int pg_dossier_update(void *impl, const dossier_record *rec, ct_error *err)
{
    PG_WRITE(pg_update_record(db, &dossier_table, rec, "dossier.not_found", err));
}

int pg_dossier_list(void *impl, const dossier_filter *f, dossier_visit_fn visit, void *ctx,
                    ct_error *err)
{
    dossier_record scratch;
    char tail[512];
    pg_params p = {0};
    size_t len = (size_t)snprintf(tail, sizeof tail, "WHERE true");

    if (f && f->agency) {
        pg_param_text(&p, f->agency);
        len += (size_t)snprintf(tail + len, sizeof tail - len, " AND agency = $%d", p.n);
    }
    if (f && f->state) {
        pg_param_text(&p, f->state);
        len += (size_t)snprintf(tail + len, sizeof tail - len, " AND state = $%d", p.n);
    }
    if (f && f->due_before) {
        pg_param_int(&p, f->due_before);
        len +=
            (size_t)snprintf(tail + len, sizeof tail - len,
                             " AND due_step2 > 0 AND step2_done_at = 0 AND due_step2 < $%d", p.n);
    }
    snprintf(tail + len, sizeof tail - len, " ORDER BY received_at, code");
    PG_READ(pg_select_records(db, &dossier_table, tail, &p, (sq_row_fn)visit, ctx, &scratch, err));
}

int pg_applicant_insert(void *impl, const applicant_record *rec, ct_error *err)
{
    PG_WRITE(insert_unique(db, &applicant_table, rec, "applicant.exists", rec->full_name, err));
}

int pg_applicant_get(void *impl, const char *dossier, int64_t n, applicant_record *out,
                     ct_error *err)
{
    pg_params p = text1(dossier);
    char key[96];

    pg_param_int(&p, n);
    snprintf(key, sizeof key, "%s #%lld", dossier, (long long)n);
    PG_READ(get_one(db, &applicant_table, "WHERE dossier = $1 AND n = $2", &p, out,
                    "applicant.not_found", "người đề nghị", "applicant", key, err));
}

int pg_applicant_update(void *impl, const applicant_record *rec, ct_error *err)
{
    PG_WRITE(pg_update_record(db, &applicant_table, rec, "applicant.not_found", err));
}

int pg_applicant_list(void *impl, const char *dossier, applicant_visit_fn visit, void *ctx,
                      ct_error *err)
{
    applicant_record scratch;
    pg_params p = {0};

    if (dossier)
        pg_param_text(&p, dossier);
    PG_READ(pg_select_records(db, &applicant_table,
                              dossier ? "WHERE dossier = $1 ORDER BY n" : "ORDER BY dossier, n", &p,
                              (sq_row_fn)visit, ctx, &scratch, err));
}

int pg_applicant_delete_all(void *impl, const char *dossier, ct_error *err)
{
    pg_params p = text1(dossier);
    PG_WRITE(pg_exec(db, "DELETE FROM applicants WHERE dossier = $1", &p, NULL,
                     "replacing a dossier's applicants", err));
}

int pg_applicant_due_publication(void *impl, int64_t now, applicant_visit_fn visit, void *ctx,
                                 ct_error *err)
{
    applicant_record scratch;
    pg_params p = int1(now);
    PG_READ(
        pg_select_records(db, &applicant_table,
                          "WHERE state = 'activation_requested' AND requested_effective_at <= $1"
                          " ORDER BY requested_effective_at",
                          &p, (sq_row_fn)visit, ctx, &scratch, err));
}

int pg_applicant_by_id_number(void *impl, const char *id_number, applicant_visit_fn visit,
                              void *ctx, ct_error *err)
{
    applicant_record scratch;
    pg_params p = text1(id_number);
    PG_READ(pg_select_records(db, &applicant_table, "WHERE id_number = $1 ORDER BY dossier, n", &p,
                              (sq_row_fn)visit, ctx, &scratch, err));
}

int pg_applicant_by_cert(void *impl, const char *serial, applicant_record *out, ct_error *err)
{
    pg_params p = text1(serial);
    PG_READ(get_one(db, &applicant_table, "WHERE cert_serial = $1 AND cert_serial <> ''", &p, out,
                    "applicant.not_found", "người giữ chứng thư", "holder of certificate", serial,
                    err));
}

int pg_applicant_holders(void *impl, const char *agency, applicant_visit_fn visit, void *ctx,
                         ct_error *err)
{
    applicant_record scratch;
    pg_params p = text1(agency);
    PG_READ(pg_select_records(db, &applicant_table,
                              "WHERE cert_serial <> '' AND dossier IN"
                              " (SELECT code FROM dossiers WHERE agency = $1) ORDER BY dossier, n",
                              &p, (sq_row_fn)visit, ctx, &scratch, err));
}

int pg_token_insert(void *impl, const token_record *rec, ct_error *err)
{
    PG_WRITE(insert_unique(db, &token_table, rec, "token.exists", rec->serial, err));
}

int pg_token_get(void *impl, const char *serial, token_record *out, ct_error *err)
{
    pg_params p = text1(serial);
    PG_READ(get_one(db, &token_table, "WHERE serial = $1", &p, out, "token.not_found", "thiết bị",
                    "token", serial, err));
}

int pg_token_by_cert(void *impl, const char *cert_serial, token_record *out, ct_error *err)
{
    pg_params p = text1(cert_serial);
    /* the term cert_serial <> '' lets PostgreSQL use the partial index tokens_cert */
    PG_READ(get_one(db, &token_table, "WHERE cert_serial = $1 AND cert_serial <> ''", &p, out,
                    "token.not_found", "thiết bị mang chứng thư", "token carrying certificate",
                    cert_serial, err));
}

int pg_token_update(void *impl, const token_record *rec, ct_error *err)
{
    PG_WRITE(pg_update_record(db, &token_table, rec, "token.not_found", err));
}

int pg_token_list(void *impl, const char *state, token_visit_fn visit, void *ctx, ct_error *err)
{
    token_record scratch;
    pg_params p = {0};

    if (state)
        pg_param_text(&p, state);
    PG_READ(pg_select_records(db, &token_table,
                              state ? "WHERE state = $1 ORDER BY label" : "ORDER BY label", &p,
                              (sq_row_fn)visit, ctx, &scratch, err));
}

int pg_user_insert(void *impl, const user_record *rec, ct_error *err)
{
    PG_WRITE(insert_unique(db, &user_table, rec, "user.exists", rec->username, err));
}

int pg_user_get(void *impl, const char *username, user_record *out, ct_error *err)
{
    pg_params p = text1(username);
    PG_READ(get_one(db, &user_table, "WHERE username = $1", &p, out, "user.not_found", "tài khoản",
                    "account", username, err));
}

int pg_user_update(void *impl, const user_record *rec, ct_error *err)
{
    PG_WRITE(pg_update_record(db, &user_table, rec, "user.not_found", err));
}

int pg_user_list(void *impl, user_visit_fn visit, void *ctx, ct_error *err)
{
    user_record scratch;
    PG_READ(pg_select_records(db, &user_table, "ORDER BY username", NULL, (sq_row_fn)visit, ctx,
                              &scratch, err));
}

int pg_user_get_by_os(void *impl, const char *os_user, user_record *out, ct_error *err)
{
    pg_params p = text1(os_user);
    PG_READ(get_one(db, &user_table, "WHERE os_user = $1 AND os_user <> ''", &p, out,
                    "user.not_found", "tài khoản của người dùng hệ điều hành",
                    "account of the OS user", os_user, err));
}

static int count_login_failures(PGconn *db, const char *source, const char *object, int64_t since,
                                int64_t *count, ct_error *err)
{
    pg_params p = text1(source);

    pg_param_text(&p, object);
    pg_param_int(&p, since);
    return pg_int_query(db,
                        "SELECT count(*) FROM audit WHERE object = $2 AND"
                        " action = 'auth.login_failed' AND source = $1 AND at >= $3 AND id >"
                        " coalesce((SELECT max(id) FROM audit WHERE object = $2 AND"
                        " action = 'auth.login' AND source = $1), 0)",
                        &p, count, "counting failed logins", err);
}

int pg_login_failures(void *impl, const char *source, const char *object, int64_t since,
                      int64_t *count, ct_error *err)
{
    PG_READ(count_login_failures(db, source, object, since, count, err));
}

int pg_session_insert(void *impl, const session_record *rec, ct_error *err)
{
    PG_WRITE(insert_unique(db, &session_table, rec, "session.exists", "session", err));
}

int pg_session_get(void *impl, const char *token_hash, session_record *out, ct_error *err)
{
    pg_params p = text1(token_hash);
    PG_READ(get_one(db, &session_table, "WHERE token_hash = $1", &p, out, "session.not_found",
                    "phiên đăng nhập", "session", "", err));
}

int pg_session_delete(void *impl, const char *token_hash, ct_error *err)
{
    pg_params p = text1(token_hash);
    PG_WRITE(pg_exec(db, "DELETE FROM sessions WHERE token_hash = $1", &p, NULL, "ending a session",
                     err));
}

int pg_session_delete_user(void *impl, const char *username, const char *keep_hash, ct_error *err)
{
    pg_params p = text1(username);

    pg_param_text(&p, keep_hash ? keep_hash : "");
    PG_WRITE(pg_exec(db, "DELETE FROM sessions WHERE username = $1 AND token_hash <> $2", &p, NULL,
                     "ending an account's sessions", err));
}

/* ---- claims ---- */

int pg_claim_insert(void *impl, const claim_record *rec, ct_error *err)
{
    PG_WRITE(insert_unique(db, &claim_table, rec, "claim.taken", rec->object, err));
}

int pg_claim_get(void *impl, const char *object, claim_record *out, ct_error *err)
{
    pg_params p = text1(object);
    PG_READ(get_one(db, &claim_table, "WHERE object = $1", &p, out, "claim.not_found",
                    "quyền xử lý", "claim", object, err));
}

int pg_claim_delete(void *impl, const char *object, const char *holder, ct_error *err)
{
    pg_params p = text1(object);

    pg_param_text(&p, holder);
    PG_WRITE(pg_exec(db,
                     "DELETE FROM claims WHERE object = $1 AND ($2::text IS NULL OR holder = $2)",
                     &p, NULL, "releasing a claim", err));
}

/* ---- drafts ---- */

static int draft_insert(PGconn *db, draft_record *rec, ct_error *err)
{
    if (pg_int_query(db, "SELECT coalesce(max(id), 0) + 1 FROM drafts", NULL, &rec->id,
                     "numbering a draft", err) != 0)
        return -1;
    return insert_unique(db, &draft_table, rec, "draft.exists", "draft", err);
}

int pg_draft_insert(void *impl, draft_record *rec, ct_error *err)
{
    PG_WRITE(draft_insert(db, rec, err));
}

int pg_draft_get(void *impl, int64_t id, draft_record *out, ct_error *err)
{
    pg_params p = int1(id);
    char key[24];

    snprintf(key, sizeof key, "%lld", (long long)id);
    PG_READ(get_one(db, &draft_table, "WHERE id = $1", &p, out, "draft.not_found", "bản nháp",
                    "draft", key, err));
}

int pg_draft_update(void *impl, const draft_record *rec, ct_error *err)
{
    PG_WRITE(pg_update_record(db, &draft_table, rec, "draft.not_found", err));
}

/* One statement on a draft, found by id. */
static int draft_exec(PGconn *db, const char *sql, const pg_params *p, int64_t id, ct_error *err)
{
    int64_t changed = 0;

    if (pg_exec(db, sql, p, &changed, "writing a draft", err) != 0)
        return -1;
    if (changed != 1)
        return ct_fail(err, 404, "draft.not_found", "không tìm thấy bản nháp %lld", "no draft %lld",
                       (long long)id);
    return 0;
}

int pg_draft_delete(void *impl, int64_t id, ct_error *err)
{
    pg_params p = int1(id);
    PG_WRITE(draft_exec(db, "DELETE FROM drafts WHERE id = $1", &p, id, err));
}

int pg_draft_list(void *impl, const char *agency, const char *dossier, draft_visit_fn visit,
                  void *ctx, ct_error *err)
{
    draft_record scratch;
    pg_params p = {0};
    char tail[160];
    size_t len = (size_t)snprintf(tail, sizeof tail, "WHERE true");

    if (agency) {
        pg_param_text(&p, agency);
        len += (size_t)snprintf(tail + len, sizeof tail - len, " AND agency = $%d", p.n);
    }
    if (dossier) {
        pg_param_text(&p, dossier);
        len += (size_t)snprintf(tail + len, sizeof tail - len, " AND dossier = $%d", p.n);
    }
    snprintf(tail + len, sizeof tail - len, " ORDER BY id DESC");
    PG_READ(pg_select_records(db, &draft_table, tail, &p, (sq_row_fn)visit, ctx, &scratch, err));
}

int pg_draft_put_document(void *impl, int64_t id, draft_document which, const unsigned char *data,
                          size_t len, ct_error *err)
{
    pg_params p = int1(id);

    pg_param_blob(&p, data, len);
    PG_WRITE(draft_exec(db,
                        which == DRAFT_LIST ? "UPDATE drafts SET list_data = $2 WHERE id = $1"
                                            : "UPDATE drafts SET letter_data = $2 WHERE id = $1",
                        &p, id, err));
}

static int draft_document_read(PGconn *db, int64_t id, draft_document which, unsigned char **data,
                               size_t *len, ct_error *err)
{
    pg_params p = int1(id);
    PGresult *res;

    *data = NULL;
    *len = 0;
    res = pg_run(db,
                 which == DRAFT_LIST ? "SELECT list_data FROM drafts WHERE id = $1"
                                     : "SELECT letter_data FROM drafts WHERE id = $1",
                 &p, "reading a draft", err);
    if (res == NULL)
        return -1;
    if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)) {
        size_t n = (size_t)PQgetlength(res, 0, 0);
        *data = malloc(n ? n : 1);
        if (*data == NULL) {
            PQclear(res);
            return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
        }
        memcpy(*data, PQgetvalue(res, 0, 0), n);
        *len = n;
        PQclear(res);
        return 0;
    }
    PQclear(res);
    return which == DRAFT_LIST
               ? ct_fail(err, 404, "draft.no_document", "bản nháp %lld chưa có danh sách",
                         "draft %lld has no list yet", (long long)id)
               : ct_fail(err, 404, "draft.no_document", "bản nháp %lld chưa có văn bản đề nghị",
                         "draft %lld has no request letter yet", (long long)id);
}

int pg_draft_get_document(void *impl, int64_t id, draft_document which, unsigned char **data,
                          size_t *len, ct_error *err)
{
    PG_READ(draft_document_read(db, id, which, data, len, err));
}

/* ---- papers ---- */

static int paper_insert(PGconn *db, const paper_record *rec, ct_error *err)
{
    pg_params p = text1(rec->dossier);

    pg_param_text(&p, rec->kind);
    pg_param_int(&p, rec->applicant);
    pg_param_text(&p, rec->format);
    pg_param_int(&p, rec->version);
    pg_param_text(&p, rec->sha256);
    pg_param_blob(&p, rec->bytes, rec->len);
    pg_param_int(&p, rec->created_at);
    pg_param_text(&p, rec->created_by);
    if (pg_exec(db,
                "INSERT INTO papers (dossier, kind, applicant, format, version, sha256, bytes,"
                " created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &p, NULL, "keeping a paper", err) == 0)
        return 0;
    if (pg_is_duplicate(err))
        return ct_fail(err, 409, "paper.exists", "giấy tờ này của hồ sơ %s đã được lưu",
                       "this paper of dossier %s is kept already", rec->dossier);
    return -1;
}

int pg_paper_insert(void *impl, const paper_record *rec, ct_error *err)
{
    PG_WRITE(paper_insert(db, rec, err));
}

static int paper_get(PGconn *db, const char *dossier, const char *kind, int64_t applicant,
                     const char *format, int64_t version, paper_record *out, ct_error *err)
{
    pg_params p = text1(dossier);
    PGresult *res;
    size_t n;

    memset(out, 0, sizeof *out);
    pg_param_text(&p, kind);
    pg_param_int(&p, applicant);
    pg_param_text(&p, format);
    pg_param_int(&p, version);
    res = pg_run(db,
                 "SELECT dossier, kind, applicant, format, version, sha256, bytes, created_at,"
                 " created_by FROM papers WHERE dossier = $1 AND kind = $2 AND applicant = $3"
                 " AND format = $4 AND version = $5 ORDER BY id DESC LIMIT 1",
                 &p, "reading a paper", err);
    if (res == NULL)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return ct_fail(err, 404, "paper.not_found", "chưa lưu giấy tờ này của hồ sơ %s",
                       "no such paper of dossier %s is kept", dossier);
    }
    n = (size_t)PQgetlength(res, 0, 6);
    pg_copy_col(res, 0, 0, out->dossier, sizeof out->dossier);
    pg_copy_col(res, 0, 1, out->kind, sizeof out->kind);
    out->applicant = pg_get_int(res, 0, 2);
    pg_copy_col(res, 0, 3, out->format, sizeof out->format);
    out->version = pg_get_int(res, 0, 4);
    pg_copy_col(res, 0, 5, out->sha256, sizeof out->sha256);
    out->bytes = malloc(n ? n : 1);
    if (out->bytes == NULL) {
        PQclear(res);
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    memcpy(out->bytes, PQgetvalue(res, 0, 6), n);
    out->len = n;
    out->created_at = pg_get_int(res, 0, 7);
    pg_copy_col(res, 0, 8, out->created_by, sizeof out->created_by);
    PQclear(res);
    return 0;
}

int pg_paper_get(void *impl, const char *dossier, const char *kind, int64_t applicant,
                 const char *format, int64_t version, paper_record *out, ct_error *err)
{
    PG_READ(paper_get(db, dossier, kind, applicant, format, version, out, err));
}

/* ---- four eyes ---- */

static int approval_insert(PGconn *db, approval_record *rec, ct_error *err)
{
    if (pg_int_query(db, "SELECT coalesce(max(id), 0) + 1 FROM approvals", NULL, &rec->id,
                     "numbering a request for approval", err) != 0)
        return -1;
    if (pg_insert_record(db, &approval_table, rec, err) == 0)
        return 0;
    if (pg_is_duplicate(err))
        return ct_fail(
            err, 409, "approval.exists", "đã có một yêu cầu \"%s\" cho \"%s\" đang chờ phê duyệt",
            "a request \"%s\" on \"%s\" is already waiting for approval", rec->action, rec->object);
    return -1;
}

int pg_approval_insert(void *impl, approval_record *rec, ct_error *err)
{
    PG_WRITE(approval_insert(db, rec, err));
}

static int approval_get(PGconn *db, int64_t id, approval_record *out, ct_error *err)
{
    pg_params p = int1(id);
    int rc = pg_select_one(db, &approval_table, "WHERE id = $1", &p, out, err);

    if (rc == 1)
        return ct_fail(err, 404, "approval.not_found", "không có yêu cầu phê duyệt số %lld",
                       "no request for approval %lld", (long long)id);
    return rc;
}

int pg_approval_get(void *impl, int64_t id, approval_record *out, ct_error *err)
{
    PG_READ(approval_get(db, id, out, err));
}

int pg_approval_update(void *impl, const approval_record *rec, ct_error *err)
{
    PG_WRITE(pg_update_record(db, &approval_table, rec, "approval.not_found", err));
}

int pg_approval_list(void *impl, const char *state, approval_visit_fn visit, void *ctx,
                     ct_error *err)
{
    approval_record scratch;
    pg_params p = {0};

    if (state)
        pg_param_text(&p, state);
    PG_READ(pg_select_records(db, &approval_table,
                              state ? "WHERE state = $1 ORDER BY id" : "ORDER BY id", &p,
                              (sq_row_fn)visit, ctx, &scratch, err));
}

/* ---- e-mail ---- */

int pg_outbox_next_id(void *impl, int64_t *id, ct_error *err)
{
    PG_WRITE(pg_int_query(db, "SELECT coalesce(max(id), 0) + 1 FROM outbox", NULL, id,
                          "numbering a message", err));
}

static int outbox_insert(PGconn *db, const outbox_record *rec, ct_error *err)
{
    if (rec->body_text == NULL || rec->body_html == NULL)
        return ct_fail(err, 500, "mail.body_missing", "thư thiếu nội dung",
                       "a message without its body");
    if (pg_insert_record(db, &outbox_table, rec, err) == 0)
        return 0;
    if (pg_is_duplicate(err))
        return ct_fail(err, 409, "mail.exists", "thư số %lld đã có trong hộp thư đi",
                       "message %lld is in the outbox already", (long long)rec->id);
    return -1;
}

int pg_outbox_insert(void *impl, const outbox_record *rec, ct_error *err)
{
    PG_WRITE(outbox_insert(db, rec, err));
}

static int outbox_get(PGconn *db, int64_t id, outbox_record *out, ct_error *err)
{
    pg_params p = int1(id);
    int rc = pg_select_one(db, &outbox_table, "WHERE id = $1", &p, out, err);

    if (rc == 1)
        return ct_fail(err, 404, "mail.not_found", "không có thư số %lld trong hộp thư đi",
                       "no message %lld in the outbox", (long long)id);
    return rc;
}

int pg_outbox_get(void *impl, int64_t id, outbox_record *out, ct_error *err)
{
    memset(out, 0, sizeof *out);
    PG_READ(outbox_get(db, id, out, err));
}

static int outbox_mark(PGconn *db, const outbox_record *rec, ct_error *err)
{
    pg_params p = int1(rec->id);
    int64_t changed = 0;

    pg_param_text(&p, rec->state);
    pg_param_int(&p, rec->attempts);
    pg_param_int(&p, rec->next_attempt_at);
    pg_param_text(&p, rec->last_error);
    pg_param_int(&p, rec->sent_at);
    if (pg_exec(db,
                "UPDATE outbox SET state = $2, attempts = $3, next_attempt_at = $4,"
                " last_error = $5, sent_at = $6 WHERE id = $1",
                &p, &changed, "recording a message's delivery", err) != 0)
        return -1;
    if (changed == 0)
        return ct_fail(err, 404, "mail.not_found", "không có thư số %lld trong hộp thư đi",
                       "no message %lld in the outbox", (long long)rec->id);
    return 0;
}

int pg_outbox_mark(void *impl, const outbox_record *rec, ct_error *err)
{
    PG_WRITE(outbox_mark(db, rec, err));
}

int pg_outbox_list(void *impl, const outbox_filter *f, outbox_visit_fn visit, void *ctx,
                   ct_error *err)
{
    outbox_record scratch;
    char tail[256];
    pg_params p = {0};
    size_t len = (size_t)snprintf(tail, sizeof tail, "WHERE true");

    if (f && f->state) {
        pg_param_text(&p, f->state);
        len += (size_t)snprintf(tail + len, sizeof tail - len, " AND state = $%d", p.n);
    }
    if (f && f->due_at) {
        pg_param_int(&p, f->due_at);
        len += (size_t)snprintf(tail + len, sizeof tail - len,
                                " AND state = 'queued' AND next_attempt_at <= $%d", p.n);
    }
    len += (size_t)snprintf(tail + len, sizeof tail - len, " ORDER BY id");
    if (f && f->limit > 0)
        snprintf(tail + len, sizeof tail - len, " LIMIT %lld", (long long)f->limit);
    PG_READ(pg_select_records(db, &outbox_table, tail, &p, (sq_row_fn)visit, ctx, &scratch, err));
}

static int expiring(PGconn *db, int64_t now, int64_t until, int threshold, int64_t limit,
                    expiring_visit_fn visit, void *ctx, ct_error *err)
{
    pg_params p = int1(now);
    PGresult *res;
    char sql[512];

    pg_param_int(&p, until);
    pg_param_int(&p, threshold);
    snprintf(sql, sizeof sql,
             "SELECT serial, not_after FROM certificates c"
             " WHERE status = 'active' AND kind = 'subscriber' AND not_after > $1"
             " AND not_after <= $2 AND NOT EXISTS (SELECT 1 FROM expiry_notices n"
             " WHERE n.serial = c.serial AND n.threshold_days = $3)"
             " ORDER BY not_after%s",
             limit > 0 ? " LIMIT $4" : "");
    if (limit > 0)
        pg_param_int(&p, limit);
    res = pg_run(db, sql, &p, "finding certificates near their end", err);
    if (res == NULL)
        return -1;
    for (int i = 0; i < PQntuples(res); i++) {
        char serial[41];
        pg_copy_col(res, i, 0, serial, sizeof serial);
        if (visit(ctx, serial, pg_get_int(res, i, 1)) != 0)
            break;
    }
    PQclear(res);
    return 0;
}

int pg_cert_expiring(void *impl, int64_t now, int64_t until, int threshold, int64_t limit,
                     expiring_visit_fn visit, void *ctx, ct_error *err)
{
    PG_READ(expiring(db, now, until, threshold, limit, visit, ctx, err));
}

static int notice_insert(PGconn *db, const char *serial, int threshold, int64_t outbox_id,
                         int64_t at, bool *inserted, ct_error *err)
{
    pg_params p = text1(serial);
    int64_t changed = 0;

    pg_param_int(&p, threshold);
    pg_param_int(&p, outbox_id);
    pg_param_int(&p, at);
    if (pg_exec(db,
                "INSERT INTO expiry_notices (serial, threshold_days, outbox_id, at)"
                " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                &p, &changed, "recording an expiry notice", err) != 0)
        return -1;
    *inserted = changed > 0;
    return 0;
}

int pg_expiry_notice_insert(void *impl, const char *serial, int threshold, int64_t outbox_id,
                            int64_t at, bool *inserted, ct_error *err)
{
    PG_WRITE(notice_insert(db, serial, threshold, outbox_id, at, inserted, err));
}
