/*
 * store_backend.h — what a storage backend provides (private to src/store). store.c forwards
 * each public function of store.h to the backend's entry here.
 */
#ifndef CT_STORE_BACKEND_H
#define CT_STORE_BACKEND_H

#include "store/store.h"

typedef struct store_backend {
    const char *name;
    void (*close)(void *impl);
    int (*schema_version)(void *impl);
    int (*schema_latest)(void *impl);
    int (*integrity_check)(void *impl, char *problem, size_t size, ct_error *err);
    int (*backup)(void *impl, const char *path, store_backup_info *info, ct_error *err);
    int (*begin)(void *impl, ct_error *err);
    int (*commit)(void *impl, ct_error *err);
    void (*rollback)(void *impl);
    int (*cert_insert)(void *impl, const cert_record *rec, ct_error *err);
    int (*cert_get)(void *impl, const char *serial, cert_record *rec, ct_error *err);
    int (*cert_list)(void *impl, const cert_filter *f, cert_visit_fn visit, void *ctx,
                     ct_error *err);
    int (*cert_count)(void *impl, const cert_filter *f, int64_t *count, ct_error *err);
    int (*cert_set_status)(void *impl, const char *serial, const char *from, const char *to,
                           int64_t effective_at, int64_t revoked_at, int reason, ct_error *err);
    int (*cert_revoked_walk)(void *impl, const char *issuer, int64_t now, revoked_visit_fn visit,
                             void *ctx, ct_error *err);
    int (*cert_changes)(void *impl, int64_t since, cert_change_fn visit, void *ctx, int64_t *last,
                        ct_error *err);
    int (*crl_put)(void *impl, const crl_record *rec, ct_error *err);
    int (*crl_latest)(void *impl, const char *issuer, crl_record *out, ct_error *err);
    int (*crl_next_number)(void *impl, const char *issuer, int64_t *number, ct_error *err);
    int (*directory_search)(void *impl, const char *query, int64_t limit, int64_t offset,
                            cert_visit_fn visit, void *ctx, bool *has_more, ct_error *err);
    int (*directory_merge)(void *impl, bool full, bool *more, ct_error *err);
    int (*agency_insert)(void *impl, const agency_record *rec, ct_error *err);
    int (*agency_get)(void *impl, const char *code, agency_record *out, ct_error *err);
    int (*agency_list)(void *impl, agency_visit_fn visit, void *ctx, ct_error *err);
    int (*agency_update)(void *impl, const agency_record *rec, ct_error *err);
    int (*dossier_next_seq)(void *impl, const char *day, int64_t *seq, ct_error *err);
    int (*dossier_insert)(void *impl, const dossier_record *rec, ct_error *err);
    int (*dossier_get)(void *impl, const char *code, dossier_record *out, ct_error *err);
    int (*dossier_update)(void *impl, const dossier_record *rec, ct_error *err);
    int (*dossier_list)(void *impl, const dossier_filter *f, dossier_visit_fn visit, void *ctx,
                        ct_error *err);
    int (*applicant_insert)(void *impl, const applicant_record *rec, ct_error *err);
    int (*applicant_get)(void *impl, const char *dossier, int64_t n, applicant_record *out,
                         ct_error *err);
    int (*applicant_update)(void *impl, const applicant_record *rec, ct_error *err);
    int (*applicant_list)(void *impl, const char *dossier, applicant_visit_fn visit, void *ctx,
                          ct_error *err);
    int (*applicant_delete_all)(void *impl, const char *dossier, ct_error *err);
    int (*applicant_due_publication)(void *impl, int64_t now, applicant_visit_fn visit, void *ctx,
                                     ct_error *err);
    int (*applicant_by_id_number)(void *impl, const char *id_number, applicant_visit_fn visit,
                                  void *ctx, ct_error *err);
    int (*applicant_by_cert)(void *impl, const char *serial, applicant_record *out, ct_error *err);
    int (*applicant_holders)(void *impl, const char *agency, applicant_visit_fn visit, void *ctx,
                             ct_error *err);
    int (*token_insert)(void *impl, const token_record *rec, ct_error *err);
    int (*token_get)(void *impl, const char *serial, token_record *out, ct_error *err);
    int (*token_by_cert)(void *impl, const char *cert_serial, token_record *out, ct_error *err);
    int (*token_update)(void *impl, const token_record *rec, ct_error *err);
    int (*token_list)(void *impl, const char *state, token_visit_fn visit, void *ctx,
                      ct_error *err);
    int (*audit_for_object)(void *impl, const char *object_prefix, audit_visit_fn visit, void *ctx,
                            ct_error *err);
    int (*user_insert)(void *impl, const user_record *rec, ct_error *err);
    int (*user_get)(void *impl, const char *username, user_record *out, ct_error *err);
    int (*user_update)(void *impl, const user_record *rec, ct_error *err);
    int (*user_list)(void *impl, user_visit_fn visit, void *ctx, ct_error *err);
    int (*user_get_by_os)(void *impl, const char *os_user, user_record *out, ct_error *err);
    int (*login_failures)(void *impl, const char *source, const char *object, int64_t since,
                          int64_t *count, ct_error *err);
    int (*session_insert)(void *impl, const session_record *rec, ct_error *err);
    int (*session_get)(void *impl, const char *token_hash, session_record *out, ct_error *err);
    int (*session_delete)(void *impl, const char *token_hash, ct_error *err);
    int (*session_delete_user)(void *impl, const char *username, const char *keep_hash,
                               ct_error *err);
    int (*draft_insert)(void *impl, draft_record *rec, ct_error *err);
    int (*draft_get)(void *impl, int64_t id, draft_record *out, ct_error *err);
    int (*draft_update)(void *impl, const draft_record *rec, ct_error *err);
    int (*draft_delete)(void *impl, int64_t id, ct_error *err);
    int (*draft_list)(void *impl, const char *agency, const char *dossier, draft_visit_fn visit,
                      void *ctx, ct_error *err);
    int (*draft_put_document)(void *impl, int64_t id, draft_document which,
                              const unsigned char *data, size_t len, ct_error *err);
    int (*draft_get_document)(void *impl, int64_t id, draft_document which, unsigned char **data,
                              size_t *len, ct_error *err);
    int (*paper_insert)(void *impl, const paper_record *rec, ct_error *err);
    int (*paper_get)(void *impl, const char *dossier, const char *kind, int64_t applicant,
                     const char *format, int64_t version, paper_record *out, ct_error *err);
    int (*claim_insert)(void *impl, const claim_record *rec, ct_error *err);
    int (*claim_get)(void *impl, const char *object, claim_record *out, ct_error *err);
    int (*claim_delete)(void *impl, const char *object, const char *holder, ct_error *err);
    int (*approval_insert)(void *impl, approval_record *rec, ct_error *err);
    int (*approval_get)(void *impl, int64_t id, approval_record *out, ct_error *err);
    int (*approval_update)(void *impl, const approval_record *rec, ct_error *err);
    int (*approval_list)(void *impl, const char *state, approval_visit_fn visit, void *ctx,
                         ct_error *err);
    int (*audit_last)(void *impl, int64_t *id, char hash[65], ct_error *err);
    int (*audit_append)(void *impl, audit_entry *entry, ct_error *err);
    int (*audit_walk)(void *impl, audit_visit_fn visit, void *ctx, ct_error *err);
    int (*checkpoint_append)(void *impl, const audit_checkpoint *cp, ct_error *err);
    int (*checkpoint_last)(void *impl, audit_checkpoint *out, ct_error *err);
    int (*checkpoint_walk)(void *impl, checkpoint_visit_fn visit, void *ctx, ct_error *err);
    int (*outbox_next_id)(void *impl, int64_t *id, ct_error *err);
    int (*outbox_insert)(void *impl, const outbox_record *rec, ct_error *err);
    int (*outbox_get)(void *impl, int64_t id, outbox_record *out, ct_error *err);
    int (*outbox_mark)(void *impl, const outbox_record *rec, ct_error *err);
    int (*outbox_list)(void *impl, const outbox_filter *f, outbox_visit_fn visit, void *ctx,
                       ct_error *err);
    int (*cert_expiring)(void *impl, int64_t now, int64_t until, int threshold, int64_t limit,
                         expiring_visit_fn visit, void *ctx, ct_error *err);
    int (*expiry_notice_insert)(void *impl, const char *serial, int threshold, int64_t outbox_id,
                                int64_t at, bool *inserted, ct_error *err);
    int (*lead_upkeep)(void *impl, int64_t now, bool *lead, ct_error *err);
    bool (*limits_shared)(void *impl);
    int (*limit_take)(void *impl, const char *key, int max, int64_t now, int64_t window_end,
                      bool *taken, int64_t *until, ct_error *err);
    int (*limit_release)(void *impl, const char *key, bool all, int64_t now, ct_error *err);
    int (*limit_count)(void *impl, const char *key, int64_t now, int *count, ct_error *err);
    int (*standby)(void *impl, bool *standby, ct_error *err);
    void (*set_read_only)(void *impl, bool on);
    bool (*read_only)(void *impl);
} store_backend;

struct store {
    const store_backend *ops;
    void *impl;
};

extern const store_backend store_sqlite_backend;
/* Opens the SQLite implementation object (store_sqlite.c). */
int store_sqlite_open_impl(const char *path, void **impl, ct_error *err);
extern const store_backend store_pg_backend;
/* Connects the PostgreSQL implementation object to the database at url (store_pg.c). */
int store_pg_open_impl(const char *url, void **impl, ct_error *err);

#endif
