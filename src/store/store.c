/*
 * store.c — the storage interface of store.h, forwarding to the chosen backend.
 */
#include "store/store_backend.h"

#include <stdlib.h>
#include <string.h>

static int open_backend(const store_backend *ops, const char *target, store **out, ct_error *err)
{
    store *s = calloc(1, sizeof *s);

    if (s == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    s->ops = ops;
    if ((ops == &store_pg_backend ? store_pg_open_impl(target, &s->impl, err)
                                  : store_sqlite_open_impl(target, &s->impl, err)) != 0) {
        free(s);
        return -1;
    }
    *out = s;
    return 0;
}

int store_fail_read_only(ct_error *err)
{
    return ct_fail(err, 503, "store.read_only",
                   "nút này chỉ phục vụ đọc (serve --read-only, hoặc cơ sở dữ liệu của nó là bản "
                   "dự phòng): hãy thực hiện thay đổi trên máy chính",
                   "this node serves reads only (serve --read-only, or its database is a "
                   "standby): make changes on the primary");
}

int store_open_sqlite(const char *path, store **out, ct_error *err)
{
    return open_backend(&store_sqlite_backend, path, out, err);
}

bool store_is_url(const char *target)
{
    return strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0;
}

int store_open(const char *target, store **out, ct_error *err)
{
    return open_backend(store_is_url(target) ? &store_pg_backend : &store_sqlite_backend, target,
                        out, err);
}

const char *store_backend_name(const store *s)
{
    return s->ops->name;
}

void store_close(store *s)
{
    if (s == NULL)
        return;
    s->ops->close(s->impl);
    free(s);
}

int store_schema_version(store *s)
{
    return s->ops->schema_version(s->impl);
}

int store_schema_latest(store *s)
{
    return s->ops->schema_latest(s->impl);
}

int store_integrity_check(store *s, char *problem, size_t size, ct_error *err)
{
    if (size > 0)
        problem[0] = '\0';
    return s->ops->integrity_check(s->impl, problem, size, err);
}

int store_backup(store *s, const char *path, store_backup_info *info, ct_error *err)
{
    return s->ops->backup(s->impl, path, info, err);
}

int store_begin(store *s, ct_error *err)
{
    return s->ops->begin(s->impl, err);
}

int store_commit(store *s, ct_error *err)
{
    return s->ops->commit(s->impl, err);
}

void store_rollback(store *s)
{
    s->ops->rollback(s->impl);
}

int store_cert_insert(store *s, const cert_record *rec, ct_error *err)
{
    return s->ops->cert_insert(s->impl, rec, err);
}

int store_cert_get(store *s, const char *serial, cert_record *rec, ct_error *err)
{
    memset(rec, 0, sizeof *rec);
    return s->ops->cert_get(s->impl, serial, rec, err);
}

int store_cert_list(store *s, const cert_filter *filter, cert_visit_fn visit, void *ctx,
                    ct_error *err)
{
    return s->ops->cert_list(s->impl, filter, visit, ctx, err);
}

int store_cert_count(store *s, const cert_filter *filter, int64_t *count, ct_error *err)
{
    return s->ops->cert_count(s->impl, filter, count, err);
}

int store_cert_set_status(store *s, const char *serial, const char *from, const char *to,
                          int64_t effective_at, int64_t revoked_at, int reason, ct_error *err)
{
    return s->ops->cert_set_status(s->impl, serial, from, to, effective_at, revoked_at, reason,
                                   err);
}

int store_cert_revoked_walk(store *s, const char *issuer, int64_t now, revoked_visit_fn visit,
                            void *ctx, ct_error *err)
{
    return s->ops->cert_revoked_walk(s->impl, issuer, now, visit, ctx, err);
}

int store_cert_changes(store *s, int64_t since, cert_change_fn visit, void *ctx, int64_t *last,
                       ct_error *err)
{
    return s->ops->cert_changes(s->impl, since, visit, ctx, last, err);
}

int store_crl_put(store *s, const crl_record *rec, ct_error *err)
{
    return s->ops->crl_put(s->impl, rec, err);
}

int store_crl_latest(store *s, const char *issuer, crl_record *out, ct_error *err)
{
    return s->ops->crl_latest(s->impl, issuer, out, err);
}

int store_crl_next_number(store *s, const char *issuer, int64_t *number, ct_error *err)
{
    return s->ops->crl_next_number(s->impl, issuer, number, err);
}

int store_directory_search(store *s, const char *folded_query, int64_t limit, int64_t offset,
                           cert_visit_fn visit, void *ctx, bool *has_more, ct_error *err)
{
    return s->ops->directory_search(s->impl, folded_query, limit, offset, visit, ctx, has_more,
                                    err);
}

int store_agency_insert(store *s, const agency_record *rec, ct_error *err)
{
    return s->ops->agency_insert(s->impl, rec, err);
}

int store_agency_get(store *s, const char *code, agency_record *out, ct_error *err)
{
    return s->ops->agency_get(s->impl, code, out, err);
}

int store_agency_list(store *s, agency_visit_fn visit, void *ctx, ct_error *err)
{
    return s->ops->agency_list(s->impl, visit, ctx, err);
}

int store_agency_update(store *s, const agency_record *rec, ct_error *err)
{
    return s->ops->agency_update(s->impl, rec, err);
}

int store_dossier_next_seq(store *s, const char *day, int64_t *seq, ct_error *err)
{
    return s->ops->dossier_next_seq(s->impl, day, seq, err);
}

int store_dossier_insert(store *s, const dossier_record *rec, ct_error *err)
{
    return s->ops->dossier_insert(s->impl, rec, err);
}

int store_dossier_get(store *s, const char *code, dossier_record *out, ct_error *err)
{
    return s->ops->dossier_get(s->impl, code, out, err);
}

int store_dossier_update(store *s, const dossier_record *rec, ct_error *err)
{
    return s->ops->dossier_update(s->impl, rec, err);
}

int store_dossier_list(store *s, const dossier_filter *f, dossier_visit_fn visit, void *ctx,
                       ct_error *err)
{
    return s->ops->dossier_list(s->impl, f, visit, ctx, err);
}

int store_applicant_insert(store *s, const applicant_record *rec, ct_error *err)
{
    return s->ops->applicant_insert(s->impl, rec, err);
}

int store_applicant_get(store *s, const char *dossier, int64_t n, applicant_record *out,
                        ct_error *err)
{
    return s->ops->applicant_get(s->impl, dossier, n, out, err);
}

int store_applicant_update(store *s, const applicant_record *rec, ct_error *err)
{
    return s->ops->applicant_update(s->impl, rec, err);
}

int store_applicant_list(store *s, const char *dossier, applicant_visit_fn visit, void *ctx,
                         ct_error *err)
{
    return s->ops->applicant_list(s->impl, dossier, visit, ctx, err);
}

int store_applicant_delete_all(store *s, const char *dossier, ct_error *err)
{
    return s->ops->applicant_delete_all(s->impl, dossier, err);
}

int store_applicant_due_publication(store *s, int64_t now, applicant_visit_fn visit, void *ctx,
                                    ct_error *err)
{
    return s->ops->applicant_due_publication(s->impl, now, visit, ctx, err);
}

int store_applicant_by_id_number(store *s, const char *id_number, applicant_visit_fn visit,
                                 void *ctx, ct_error *err)
{
    return s->ops->applicant_by_id_number(s->impl, id_number, visit, ctx, err);
}

int store_applicant_by_cert(store *s, const char *serial, applicant_record *out, ct_error *err)
{
    return s->ops->applicant_by_cert(s->impl, serial, out, err);
}

int store_applicant_holders(store *s, const char *agency, applicant_visit_fn visit, void *ctx,
                            ct_error *err)
{
    return s->ops->applicant_holders(s->impl, agency, visit, ctx, err);
}

int store_token_insert(store *s, const token_record *rec, ct_error *err)
{
    return s->ops->token_insert(s->impl, rec, err);
}

int store_token_get(store *s, const char *serial, token_record *out, ct_error *err)
{
    return s->ops->token_get(s->impl, serial, out, err);
}

int store_token_by_cert(store *s, const char *cert_serial, token_record *out, ct_error *err)
{
    return s->ops->token_by_cert(s->impl, cert_serial, out, err);
}

int store_token_update(store *s, const token_record *rec, ct_error *err)
{
    return s->ops->token_update(s->impl, rec, err);
}

int store_token_list(store *s, const char *state, token_visit_fn visit, void *ctx, ct_error *err)
{
    return s->ops->token_list(s->impl, state, visit, ctx, err);
}

int store_audit_for_object(store *s, const char *object_prefix, audit_visit_fn visit, void *ctx,
                           ct_error *err)
{
    return s->ops->audit_for_object(s->impl, object_prefix, visit, ctx, err);
}

int store_paper_insert(store *s, const paper_record *rec, ct_error *err)
{
    return s->ops->paper_insert(s->impl, rec, err);
}

int store_paper_get(store *s, const char *dossier, const char *kind, int64_t applicant,
                    const char *format, int64_t version, paper_record *out, ct_error *err)
{
    return s->ops->paper_get(s->impl, dossier, kind, applicant, format, version, out, err);
}

int store_user_insert(store *s, const user_record *rec, ct_error *err)
{
    return s->ops->user_insert(s->impl, rec, err);
}

int store_user_get(store *s, const char *username, user_record *out, ct_error *err)
{
    return s->ops->user_get(s->impl, username, out, err);
}

int store_user_update(store *s, const user_record *rec, ct_error *err)
{
    return s->ops->user_update(s->impl, rec, err);
}

int store_user_list(store *s, user_visit_fn visit, void *ctx, ct_error *err)
{
    return s->ops->user_list(s->impl, visit, ctx, err);
}

int store_user_get_by_os(store *s, const char *os_user, user_record *out, ct_error *err)
{
    return s->ops->user_get_by_os(s->impl, os_user, out, err);
}

int store_login_failures(store *s, const char *source, const char *object, int64_t since,
                         int64_t *count, ct_error *err)
{
    return s->ops->login_failures(s->impl, source, object, since, count, err);
}

int store_session_insert(store *s, const session_record *rec, ct_error *err)
{
    return s->ops->session_insert(s->impl, rec, err);
}

int store_session_get(store *s, const char *token_hash, session_record *out, ct_error *err)
{
    return s->ops->session_get(s->impl, token_hash, out, err);
}

int store_session_delete(store *s, const char *token_hash, ct_error *err)
{
    return s->ops->session_delete(s->impl, token_hash, err);
}

int store_session_delete_user(store *s, const char *username, const char *keep_hash, ct_error *err)
{
    return s->ops->session_delete_user(s->impl, username, keep_hash, err);
}

int store_directory_merge(store *s, bool full, bool *more, ct_error *err)
{
    return s->ops->directory_merge(s->impl, full, more, err);
}

int store_draft_insert(store *s, draft_record *rec, ct_error *err)
{
    return s->ops->draft_insert(s->impl, rec, err);
}

int store_draft_get(store *s, int64_t id, draft_record *out, ct_error *err)
{
    return s->ops->draft_get(s->impl, id, out, err);
}

int store_draft_update(store *s, const draft_record *rec, ct_error *err)
{
    return s->ops->draft_update(s->impl, rec, err);
}

int store_draft_delete(store *s, int64_t id, ct_error *err)
{
    return s->ops->draft_delete(s->impl, id, err);
}

int store_draft_list(store *s, const char *agency, const char *dossier, draft_visit_fn visit,
                     void *ctx, ct_error *err)
{
    return s->ops->draft_list(s->impl, agency, dossier, visit, ctx, err);
}

int store_draft_put_document(store *s, int64_t id, draft_document which, const unsigned char *data,
                             size_t len, ct_error *err)
{
    return s->ops->draft_put_document(s->impl, id, which, data, len, err);
}

int store_draft_get_document(store *s, int64_t id, draft_document which, unsigned char **data,
                             size_t *len, ct_error *err)
{
    return s->ops->draft_get_document(s->impl, id, which, data, len, err);
}

int store_audit_last(store *s, int64_t *id, char hash[65], ct_error *err)
{
    return s->ops->audit_last(s->impl, id, hash, err);
}

int store_checkpoint_append(store *s, const audit_checkpoint *cp, ct_error *err)
{
    return s->ops->checkpoint_append(s->impl, cp, err);
}

int store_checkpoint_last(store *s, audit_checkpoint *out, ct_error *err)
{
    return s->ops->checkpoint_last(s->impl, out, err);
}

int store_checkpoint_walk(store *s, checkpoint_visit_fn visit, void *ctx, ct_error *err)
{
    return s->ops->checkpoint_walk(s->impl, visit, ctx, err);
}

int store_audit_append(store *s, audit_entry *entry, ct_error *err)
{
    return s->ops->audit_append(s->impl, entry, err);
}

int store_audit_walk(store *s, audit_visit_fn visit, void *ctx, ct_error *err)
{
    return s->ops->audit_walk(s->impl, visit, ctx, err);
}

int store_claim_insert(store *s, const claim_record *rec, ct_error *err)
{
    return s->ops->claim_insert(s->impl, rec, err);
}

int store_claim_get(store *s, const char *object, claim_record *out, ct_error *err)
{
    return s->ops->claim_get(s->impl, object, out, err);
}

int store_claim_delete(store *s, const char *object, const char *holder, ct_error *err)
{
    return s->ops->claim_delete(s->impl, object, holder, err);
}

int store_approval_insert(store *s, approval_record *rec, ct_error *err)
{
    return s->ops->approval_insert(s->impl, rec, err);
}

int store_approval_get(store *s, int64_t id, approval_record *out, ct_error *err)
{
    return s->ops->approval_get(s->impl, id, out, err);
}

int store_approval_update(store *s, const approval_record *rec, ct_error *err)
{
    return s->ops->approval_update(s->impl, rec, err);
}

int store_approval_list(store *s, const char *state, approval_visit_fn visit, void *ctx,
                        ct_error *err)
{
    return s->ops->approval_list(s->impl, state, visit, ctx, err);
}

int store_outbox_next_id(store *s, int64_t *id, ct_error *err)
{
    return s->ops->outbox_next_id(s->impl, id, err);
}

int store_outbox_insert(store *s, const outbox_record *rec, ct_error *err)
{
    return s->ops->outbox_insert(s->impl, rec, err);
}

int store_outbox_get(store *s, int64_t id, outbox_record *out, ct_error *err)
{
    return s->ops->outbox_get(s->impl, id, out, err);
}

int store_outbox_mark(store *s, const outbox_record *rec, ct_error *err)
{
    return s->ops->outbox_mark(s->impl, rec, err);
}

int store_outbox_list(store *s, const outbox_filter *filter, outbox_visit_fn visit, void *ctx,
                      ct_error *err)
{
    return s->ops->outbox_list(s->impl, filter, visit, ctx, err);
}

int store_cert_expiring(store *s, int64_t now, int64_t until, int threshold, int64_t limit,
                        expiring_visit_fn visit, void *ctx, ct_error *err)
{
    return s->ops->cert_expiring(s->impl, now, until, threshold, limit, visit, ctx, err);
}

int store_expiry_notice_insert(store *s, const char *serial, int threshold, int64_t outbox_id,
                               int64_t at, bool *inserted, ct_error *err)
{
    return s->ops->expiry_notice_insert(s->impl, serial, threshold, outbox_id, at, inserted, err);
}

int store_lead_upkeep(store *s, int64_t now, bool *lead, ct_error *err)
{
    return s->ops->lead_upkeep(s->impl, now, lead, err);
}

bool store_limits_shared(store *s)
{
    return s->ops->limits_shared(s->impl);
}

int store_limit_take(store *s, const char *key, int max, int64_t now, int64_t window_end,
                     bool *taken, int64_t *until, ct_error *err)
{
    return s->ops->limit_take(s->impl, key, max, now, window_end, taken, until, err);
}

int store_limit_release(store *s, const char *key, bool all, int64_t now, ct_error *err)
{
    return s->ops->limit_release(s->impl, key, all, now, err);
}

int store_limit_count(store *s, const char *key, int64_t now, int *count, ct_error *err)
{
    return s->ops->limit_count(s->impl, key, now, count, err);
}

int store_standby(store *s, bool *standby, ct_error *err)
{
    return s->ops->standby(s->impl, standby, err);
}

void store_set_read_only(store *s, bool on)
{
    s->ops->set_read_only(s->impl, on);
}

bool store_read_only(store *s)
{
    return s->ops->read_only(s->impl);
}
