/*
 * store_sqlite_paper.c — official papers on SQLite: each kept once, byte for byte, under its
 * dossier, kind, applicant, format and version (the dossier's state it shows).
 */
#include "store/store_sqlite_internal.h"

#include <stdlib.h>
#include <string.h>

static int paper_insert(sqlite3 *db, const paper_record *rec, ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;

    if (sq_prepare(db,
                   "INSERT INTO papers (dossier, kind, applicant, format, version, sha256, bytes,"
                   " created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                   &stmt, err) != 0)
        return -1;
    sq_bind_text(stmt, 1, rec->dossier);
    sq_bind_text(stmt, 2, rec->kind);
    sqlite3_bind_int64(stmt, 3, rec->applicant);
    sq_bind_text(stmt, 4, rec->format);
    sqlite3_bind_int64(stmt, 5, rec->version);
    sq_bind_text(stmt, 6, rec->sha256);
    sqlite3_bind_blob64(stmt, 7, rec->bytes ? (const void *)rec->bytes : (const void *)"",
                        rec->len, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 8, rec->created_at);
    sq_bind_text(stmt, 9, rec->created_by);
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc == SQLITE_CONSTRAINT)
        return ct_fail(err, 409, "paper.exists", "giấy tờ này của hồ sơ %s đã được lưu",
                       "this paper of dossier %s is kept already", rec->dossier);
    return rc == SQLITE_DONE ? 0 : sq_db_fail(db, err, "keeping a paper");
}

int sq_paper_insert(void *impl, const paper_record *rec, ct_error *err)
{
    WITH_WRITE(paper_insert(db, rec, err));
}

static int paper_get(sqlite3 *db, const char *dossier, const char *kind, int64_t applicant,
                     const char *format, int64_t version, paper_record *out, ct_error *err)
{
    sqlite3_stmt *stmt;
    int rc;

    memset(out, 0, sizeof *out);
    if (sq_prepare(db,
                   "SELECT dossier, kind, applicant, format, version, sha256, bytes, created_at,"
                   " created_by FROM papers WHERE dossier = ?1 AND kind = ?2 AND applicant = ?3"
                   " AND format = ?4 AND version = ?5 ORDER BY id DESC LIMIT 1",
                   &stmt, err) != 0)
        return -1;
    sq_bind_text(stmt, 1, dossier);
    sq_bind_text(stmt, 2, kind);
    sqlite3_bind_int64(stmt, 3, applicant);
    sq_bind_text(stmt, 4, format);
    sqlite3_bind_int64(stmt, 5, version);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(stmt, 6);
        sq_copy_col(stmt, 0, out->dossier, sizeof out->dossier);
        sq_copy_col(stmt, 1, out->kind, sizeof out->kind);
        out->applicant = sqlite3_column_int64(stmt, 2);
        sq_copy_col(stmt, 3, out->format, sizeof out->format);
        out->version = sqlite3_column_int64(stmt, 4);
        sq_copy_col(stmt, 5, out->sha256, sizeof out->sha256);
        out->bytes = malloc(n ? n : 1);
        if (out->bytes == NULL) {
            sqlite3_finalize(stmt);
            return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
        }
        if (n)
            memcpy(out->bytes, sqlite3_column_blob(stmt, 6), n);
        out->len = n;
        out->created_at = sqlite3_column_int64(stmt, 7);
        sq_copy_col(stmt, 8, out->created_by, sizeof out->created_by);
        sqlite3_finalize(stmt);
        return 0;
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return sq_db_fail(db, err, "reading a paper");
    return ct_fail(err, 404, "paper.not_found", "chưa lưu giấy tờ này của hồ sơ %s",
                   "no such paper of dossier %s is kept", dossier);
}

int sq_paper_get(void *impl, const char *dossier, const char *kind, int64_t applicant,
                 const char *format, int64_t version, paper_record *out, ct_error *err)
{
    WITH_READ(paper_get(db, dossier, kind, applicant, format, version, out, err));
}
