/*
 * app_internal.h — what the app_*.c files share among themselves; not for the faces.
 */
#ifndef CT_APP_INTERNAL_H
#define CT_APP_INTERNAL_H

#include <jansson.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "app/app.h"
#include "core/buf.h"
#include "core/calendar.h"
#include "pki/ca.h"
#include "store/store.h"

struct app {
    /* The configuration the app was opened (or made) with. Written only before the app is shared
     * (open, init, a key ceremony); read, like every configuration, through app_cfg(). */
    app_config cfg_open;
    /* The configuration in force when a reload replaced cfg_open (NULL until then): an atomic
     * pointer, because a reload swaps it while requests read it (app_reload.c). */
    const app_config *_Atomic cfg_now;
    store *db;
    pki_ca root;
    pki_ca issuing;
    pki_ca audit; /* signs the audit trail's checkpoints; no signer if it could not be made */
    struct token_key *audit_key; /* its key on the HSM ([ca] key_storage = pkcs11), else NULL */
    struct responder_state *responders; /* app_ocsp.c: the OCSP responder's key and certificate */
    char crl_url_root[CFG_TEXT + 32];
    char crl_url_issuing[CFG_TEXT + 32];
    char ocsp_url[CFG_TEXT + 32];
    char ca_url_root[CFG_TEXT + 32];
    char ca_url_issuing[CFG_TEXT + 32];
    struct status_state *status; /* app_status.c: pre-signed OCSP responses, CRL schedule */
    ct_calendar *_Atomic cal;    /* working days, from the instance's holiday files */
    struct token_state *tokens;  /* app_token.c: the PKCS#11 module, opened on first use */
    struct limit_state *limits;  /* app_limit.c: rate limit and quota counters */
    /* app_reload.c: the calendars a reload replaced (cal is atomic because a reload swaps it
     * while requests read it), freed at close */
    struct retired_calendar *retired_cals;
    struct retired_config *retired_cfgs; /* app_reload.c: the configurations a reload replaced */
    bool mail_ready; /* app_mail_open: libcurl's global state taken, app_close gives it back */
    /* app_read_only.c: serve --read-only asked for reads only, until a promotion is seen; and
     * whether the database was a standby when last looked at */
    atomic_bool read_only_asked;
    atomic_bool standby;
};

/* app_reload.c: the configuration a use case reads, the same from its start to its end: the one
 * this thread holds for a (app_config_hold, which a face calls for each request), else the one
 * in force now. Never freed before app_close, so a pointer taken from it stays valid. */
const app_config *app_cfg(const app *a);
/* A thread working for a use case (a worker it started) holds the use case's configuration. */
void app_config_hold_as(const app *a, const app_config *cfg);

/* app.c: open the database the configuration names ([database] backend: the SQLite file at
 * path, or the PostgreSQL database at url). */
int app_store_open(const app_config *cfg, store **out, ct_error *err);

/* The procedure's deadlines, in working days (app_dossier.c sets them, app_report.c measures
 * against them). */
#define STEP2_DAYS 3 /* step 2: within 3 working days of a valid dossier */
#define STEP4_DAYS 1 /* step 4: within 1 working day of the activation request */
/* A dossier's kind (a row written before kinds existed is a new issuance), and the CA's working
 * days for it: step 2's 3 for a new issuance, [deadlines] for the others. */
dossier_kind app_dossier_kind(const dossier_record *d);
int app_kind_days(const app *a, dossier_kind kind);

/* app_claim.c: run fn inside one store transaction: committed when fn returns 0, rolled back
 * otherwise (fn's error stands). A step reads the state it decides on inside fn, so that N
 * identical requests at once have one effect. */
typedef int (*transaction_fn)(app *a, void *ctx, ct_error *err);
int with_transaction(app *a, transaction_fn fn, void *ctx, ct_error *err);

/* app_claim.c: claims on what a step works on outside a transaction (see the file). A holder
 * names this process and a nonce: make one per step with claim_holder(). claim_take (inside a
 * transaction) fails with 409 "claim.busy" while a live process holds object, and takes over a
 * claim whose process died; claim_held tells whether holder still holds it; claim_busy whether
 * anybody alive does. */
#define CLAIM_HOLDER_MAX 128
void claim_holder(char out[CLAIM_HOLDER_MAX]);
int claim_take(app *a, const char *object, const char *holder, ct_error *err);
bool claim_held(app *a, const char *object, const char *holder);
bool claim_busy(app *a, const char *object);
int claim_release(app *a, const char *object, const char *holder, ct_error *err);
/* The same in a transaction of its own, for a step that stops before its last transaction. */
void claim_release_now(app *a, const char *object, const char *holder);

/* Append an audit row (inside the caller's transaction). detail is consumed. */
int audit_append(app *a, const app_actor *actor, const char *action, const char *object,
                 json_t *detail, ct_error *err);
/* The same with detail already canonical JSON text (compact, keys sorted; malloc'd, consumed),
 * for a detail too large to build as a JSON object cheaply: a batch's list of certificates. */
int audit_append_text(app *a, const app_actor *actor, const char *action, const char *object,
                      char *detail, ct_error *err);

/* app_cert.c: check and sign one certificate under the given serial without storing it
 * (rec->der malloc'd, freed by cert_record_free), and store a signed one with its audit row
 * (inside a transaction). */
int app_cert_sign_request(app *a, const app_cert_request *req,
                          const unsigned char serial[CERT_SERIAL_LEN], int64_t now,
                          cert_record *rec, ct_error *err);
int app_cert_store_signed(app *a, const app_actor *actor, const cert_record *rec, ct_error *err);
/* A serial as typed (hex, any case) in its stored form (upper case); "cert.serial_invalid". */
int serial_normalize(const char *serial, char out[41], ct_error *err);

/* app_agency.c: the chain of an agency from the top body down to it (chain[0] is the top), and
 * whether an actor may see an agency's dossiers (its own agency or a sub-unit of it). */
#define AGENCY_MAX_DEPTH 8
int agency_chain(app *a, const char *code, agency_record chain[], size_t max, size_t *n,
                 ct_error *err);
bool agency_visible(app *a, const app_actor *actor, const char *agency);

struct mau02_applicant;
/* app_dossier.c: intake in two parts, so that a draft's submission (app_draft.c) shares them:
 * check a submission (list parsed, confirmation, channel, agency; *list malloc'd; every problem
 * of a refused list in list_errors, when not NULL), then create
 * the dossier, its applicants and the audit row inside the caller's transaction. */
int dossier_check_submission(app *a, const app_actor *actor, const app_submission *in,
                             dossier_record *d, struct mau02_applicant **list, size_t *count,
                             app_list_errors *list_errors, ct_error *err);
int dossier_create(app *a, const app_actor *actor, dossier_record *d,
                   const struct mau02_applicant *list, size_t count, ct_error *err);
/* The intake checks without a list (channel, role, agency, confirmation), and the dossier's
 * own row (state received, code, due time of its kind) inside the caller's transaction: what
 * every kind of dossier shares (app_lifecycle.c makes the others' applicants). */
int dossier_check_intake(app *a, const app_actor *actor, const app_submission *in,
                         dossier_record *d, ct_error *err);
int dossier_register(app *a, const app_actor *actor, dossier_record *d, ct_error *err);
/* app_mau02_json.c: the list as JSON, an array of objects (or {"applicants": [...]}) with the
 * Mẫu 02 fields by name, each checked as mau02_check_row() checks a CSV row, then duplicates;
 * codes json.malformed, json.type, mau02.empty and mau02_check_row's. Every problem goes into
 * errors (NULL: none kept) as mau02_parse_csv() does, the row being the applicant's place in the
 * array (from 1); err gets the summary. *out malloc'd. */
int mau02_parse_json(const unsigned char *data, size_t len, const char *today,
                     struct mau02_applicant **out, size_t *count, app_list_errors *errors,
                     ct_error *err);
/* app_mau02_xlsx.c: the list as an .xlsx workbook, its first sheet read as a CSV file's rows
 * are (core/mau02.h, mau02_parse_rows); a file that is no readable workbook is one problem of
 * the list as a whole: list.xlsx_invalid, list.xlsx_encrypted or list.xlsx_too_large. */
int mau02_parse_xlsx(const unsigned char *data, size_t len, const char *today,
                     struct mau02_applicant **out, size_t *count, app_list_errors *errors,
                     ct_error *err);
/* app_dossier.c: a list in any of the formats ("csv", "json", "xlsx"; NULL: csv), as intake,
 * a resubmission and a draft read it. */
int app_parse_list(const char *format, const unsigned char *data, size_t len, const char *today,
                   struct mau02_applicant **list, size_t *count, app_list_errors *list_errors,
                   ct_error *err);

/* app_token.c: step 2 on a token. app_token_issue_applicant takes a blank token from stock,
 * provisions it (keys generated on it), signs the certificate on hold, writes it to the token,
 * proves the pair, and returns with a store transaction OPEN holding the certificate and token
 * rows: the caller adds its own rows and commits, or rolls back and calls app_token_issue_undo()
 * (which wipes the token back to blank). On failure nothing is left: no certificate row, the
 * token wiped or marked damaged, the error naming the step. */
typedef struct app_issued_token {
    cert_record cert;
    char token_serial[40];
    char token_label[40];
    char user_pin[16];
    char envelope_path[CFG_PATH + 64];
    char holder[CLAIM_HOLDER_MAX]; /* the claim on the token while it is provisioned */
    bool same_key;                 /* a renewal for the key the token holds: no PIN, no envelope;
                                      undone by putting back the certificate it replaced */
    char previous[41];             /* that certificate's serial */
} app_issued_token;
int app_token_issue_applicant(app *a, const app_actor *actor, const dossier_record *d,
                              const applicant_record *ap, app_issued_token *out, ct_error *err);
void app_token_issue_undo(app *a, const app_issued_token *t);
void app_issued_token_free(app_issued_token *t);
/* Move a stock token to a new state (inside the caller's transaction). "" serial: no-op. */
int app_token_set_state(app *a, const char *serial, const char *state, ct_error *err);
void app_token_close(app *a);
/* app_token.c, for token care (app_token_care.c): the module, a token's SO PIN opened from its
 * seal (pin: 80 bytes), a fresh user PIN as provisioning makes them. */
struct token_module;
int token_care_module(app *a, struct token_module **m, ct_error *err);
int token_care_so_pin(app *a, const token_record *t, char *pin, size_t size, ct_error *err);
int token_care_user_pin(char out[16], ct_error *err);
/* app_token_care.c: one move of token care (reset-pin, lost, broken, …) on the token serial,
 * inside the caller's transaction, as `token ACTION` does it in its own: the custody table
 * checked for the actor's role, the certificate revoked when the move calls for it
 * (*cert_changed set), audited; the device is worked on last (a PIN reset, its envelope). */
/* The move a token care dossier kind's step makes: reset-pin, lost or broken. */
token_action token_care_action_of(dossier_kind kind);
int token_care_in_transaction(app *a, const app_actor *actor, const char *serial,
                              token_action action, const char *reason, bool *cert_changed,
                              ct_error *err);
/* app_token_care.c: a certificate's revocation moves the token carrying it (in the holder's
 * hands or still at the CA) to "revoked", inside the revocation's transaction; a token in
 * another state (lost, returned, …) keeps it. */
/* The certificates' status as this process knows it: a number that changes whenever a status
 * change (this process's or, looked for at most once a second, another's) reaches the OCSP
 * answers; app_ocsp_mix folds it into a responder's generation, which caches of answers
 * compare (app_ocsp_generation). */
unsigned app_status_epoch(app *a);
unsigned app_ocsp_mix(unsigned responder_generation, unsigned epoch);
int token_follow_revocation(app *a, const app_actor *actor, const char *cert_serial, ct_error *err);
/* Load the token module ([token] module) if it is not yet, and count the tokens its slots
 * hold, and of them the initialised ones (the health check). */
int app_token_slots(app *a, size_t *tokens, size_t *initialized, ct_error *err);
/* The issuing CA's key on an HSM ([ca] key_storage = pkcs11): generated at init, opened after.
 * The key stays open (logged in) until app_token_close(). */
int app_token_ca_signer(app *a, bool generate, pki_key_type type, pki_signer **out, ct_error *err);

/* The same for another key on the CA's HSM, by its label; *key is the caller's to close (after
 * the signer is freed) with app_token_key_close. */
struct token_key;
int app_token_key_signer(app *a, bool generate, pki_key_type type, const char *label,
                         struct token_key **key, pki_signer **out, ct_error *err);
void app_token_key_close(struct token_key *key);
/* Destroy the objects labelled label on the CA's HSM (*destroyed: how many; 0 if none). */
int app_token_key_destroy(app *a, const char *label, size_t *destroyed, ct_error *err);
/* The audit-signing key's label on the CA's HSM. */
#define AUDIT_HSM_LABEL "chungthu-audit"

/* app.c: building the CA certificates. A plan names one; ca_cert_build signs it for signer's key
 * (consumed, also on failure) under serial (NULL: a random one) with signer_ca's key (NULL:
 * self-signed), writes it to crt_path (a new file) and loads it into out. ca_cert_record stores
 * a CA certificate and audits it as action (inside the caller's transaction; extra, consumed,
 * may add to the detail). */
typedef struct ca_plan {
    const char *name;
    cert_profile profile;
    const char *key_type;
    const char *common_name;
    int days;
} ca_plan;
int ca_cert_build(app *a, const ca_plan *plan, pki_ca *signer_ca, pki_signer *signer,
                  const unsigned char *serial, const char *crt_path, pki_ca *out, ct_error *err);
int ca_cert_record(app *a, const app_actor *actor, const char *action, const char *kind,
                   const char *issuer, const pki_ca *ca, json_t *extra, ct_error *err);
/* app.c: make a CA's key (a file under passphrase; the HSM for the issuing CA's key when [ca]
 * key_storage says so) and its certificate signed by signer_ca (NULL: self-signed); record a CA
 * certificate made at init or import with its "ca.create" audit row (inside a transaction). */
int make_ca_cert(app *a, const ca_plan *plan, pki_ca *signer_ca, const char *passphrase,
                 pki_ca *out, ct_error *err);
int record_ca_cert(app *a, const app_actor *actor, const char *kind, const char *issuer,
                   const pki_ca *ca, ct_error *err);
/* app.c: the public URLs of the config (CDP, AIA) into a. */
void app_set_urls(app *a);
/* app_offline_root.c: init --offline-root's issuing key and its request ca/issuing.csr. */
int offline_root_request(app *a, const char *passphrase, ct_error *err);
/* The CA keys' passphrase ([ca] passphrase_env, else passphrase_file). */
int app_read_passphrase(const app_config *cfg, char *out, size_t size, ct_error *err);
/* Read a whole small file (*data malloc'd and NUL-terminated); write a new one durably. */
int app_read_file(const char *path, unsigned char **data, size_t *len, size_t max, ct_error *err);
int app_write_file_excl(const char *path, const void *data, size_t len, mode_t mode, ct_error *err);
/* app_store_migrate.c: [database] backend = postgresql and url = url set in the chungthu.ini at
 * ini, its other lines (comments too) kept; through a new file renamed over it. */
int app_config_set_database(const char *ini, const char *url, ct_error *err);

/* app_ocsp.c: the OCSP responder. responders_make creates the first one at init (a key on the
 * HSM when the issuing key is there, else ca/ocsp.key), responders_open loads the newest
 * (app_open), responders_close frees it and every one it replaced (app_close, before the token
 * module closes). responder_current is the one signing now; a request holding it may go on
 * using it after a rotation: a replaced responder lives until responders_close.
 * responders_check_files takes in a rotation made by another process (at most once a second,
 * from the OCSP path; never waits). */
struct ocsp_responder;
typedef struct app_responder {
    pki_ca ca;                   /* its certificate and signer */
    struct ocsp_responder *ocsp; /* the signing set-up over ca and the issuing CA */
    struct token_key *hsm_key;   /* its key on the HSM, or NULL for a file key */
    unsigned generation;         /* 1 for the first loaded, +1 at each swap */
    struct app_responder *replaced;
} app_responder;
int responders_make(app *a, const char *pass, ct_error *err);
/* The current responder's key destroyed on the HSM: what a failed `ca import` made. */
void responders_destroy_keys(app *a);
int responders_open(app *a, const char *pass, ct_error *err);
void responders_close(app *a);
app_responder *responder_current(app *a);
void responders_check_files(app *a);
/* Renew it when due (or always with force): see app_ocsp_rotate in app.h. */
int responders_rotate(app *a, const app_actor *actor, bool force, bool *rotated, ct_error *err);

/* app_user.c: the demo agency and one account per role, for `init --demo`. */
int users_create_demo(app *a, const app_actor *actor, ct_error *err);

/*
 * app_limit.c: rate limits and quotas as data. limit_rules[] holds one row per limit: its name,
 * what its key is, how many uses it allows (a default, or a [limits] setting of chungthu.ini),
 * and its window (seconds from the first use, or the local calendar day). docs/api.md lists
 * them.
 */
typedef enum {
    LIMIT_LOGIN_ADDRESS,      /* login attempts from one address (successes given back) */
    LIMIT_LOGIN_PAIR,         /* login attempts for one user name from one address */
    LIMIT_LOOKUP_ADDRESS,     /* failed subscriber lookups from one address */
    LIMIT_LOOKUP_DOSSIER,     /* failed subscriber lookups on one dossier code */
    LIMIT_DOSSIER_AGENCY_DAY, /* dossiers an agency's accounts submit in one local day */
    LIMIT_DOSSIER_ACCOUNT,    /* dossiers one agency account submits in an hour */
    LIMIT_COUNT
} limit_id;

typedef enum {
    LIMIT_KEY_ADDRESS,         /* the client's address */
    LIMIT_KEY_ACCOUNT_ADDRESS, /* a user name (as typed, existing or not) and an address */
    LIMIT_KEY_ACCOUNT,         /* an account's user name */
    LIMIT_KEY_AGENCY,          /* an agency's code */
    LIMIT_KEY_DOSSIER,         /* a dossier code (as typed) */
} limit_key_kind;

#define LIMIT_WINDOW_DAY 0 /* the window is the local (UTC+7) calendar day */

typedef struct limit_rule {
    const char *name;
    limit_key_kind key;
    int max;           /* uses allowed in one window; 0 or less: no limit */
    int64_t window;    /* seconds, or LIMIT_WINDOW_DAY */
    size_t config_max; /* offset of the app_config int that overrides max; 0: none */
} limit_rule;

extern const limit_rule limit_rules[LIMIT_COUNT];

int limit_open(app *a, ct_error *err);
void limit_close(app *a);
/* Reserve one use under the key (k1, or k1 and k2 together; k2 may be NULL) before the work it
 * guards: 0, or -1 with *retry_after the seconds until the key's window ends (nothing taken). */
int limit_take(app *a, limit_id id, const char *k1, const char *k2, int64_t *retry_after);
/* Give one reserved use back (the work did not count). */
void limit_give_back(app *a, limit_id id, const char *k1, const char *k2);
/* Forget the key's uses (a successful login clears its failures). */
void limit_clear(app *a, limit_id id, const char *k1, const char *k2);
/* Uses counted in the key's current window. */
int limit_count(app *a, limit_id id, const char *k1, const char *k2);
/* A 429 error with code, the messages followed by when to try again, and err->retry_after. */
int limit_fail(ct_error *err, const char *code, int64_t retry_after, const char *vi,
               const char *en);

/* Dossier numbers of a day: CODE-YYMMDD-NNNN, four digits or more. Agencies' accounts may take
 * them up to DOSSIER_SEQ_AGENCY_MAX; the numbers above it stay for the CA's own intake of paper
 * dossiers, so that no flood of online submissions can stop the office's counter. */
#define DOSSIER_SEQ_MAX 999999
#define DOSSIER_SEQ_AGENCY_MAX 899999
/* Before a dossier is created: an agency account's hourly rate and its agency's daily quota
 * (429 "dossier.rate_limited" / "dossier.quota"); CA officers are not counted. */
int limit_dossier_intake(app *a, const app_actor *actor, const char *agency, ct_error *err);
/* After numbering: 409 "dossier.sequence" past the actor's share of the day's numbers. */
int limit_dossier_seq(const app_actor *actor, int64_t seq, ct_error *err);
/* The subscriber's lookup: a try reserved against its source address and its dossier code
 * before the answer (429 "lookup.rate_limited"), given back when it found the applicant, so
 * that only misses count. */
int limit_lookup_take(app *a, const char *source, const char *code, ct_error *err);
void limit_lookup_found(app *a, const char *source, const char *code);

/* app_status.c: set up and tear down the status state (called by app_open/app_close), and the
 * hook every status change calls after its commit (a new certificate, publication,
 * revocation): the CRLs and OCSP responses are re-signed. */
int app_status_open(app *a, ct_error *err);
void app_status_close(app *a);
void app_status_changed(app *a);
/* The OCSP responder changed: answers signed by the one before are no longer served. */
void app_status_responder_changed(app *a);

/* app_reload.c: free the calendars reloads replaced (called by app_close). */
void app_reload_close(app *a);

/* app_papers.c: the place and date line of a paper, "Hà Nội, ngày 02 tháng 12 năm 2026" (the
 * month with a leading zero in January and February, as Decree 30/2020 writes it). */
void app_paper_place_date(const char *place, int64_t t, char *out, size_t size);

/* app_activation.c: the issuing CA's key in use. issuing_usable is called before anything is
 * signed with it (a subscriber certificate, the issuing CRL, an OCSP responder certificate):
 * 409 "ca.not_active" while `ca import` has left it inactive, "ca.issuing_revoked" once the
 * installed root CRL lists it. ca_mark_inactive (at import) and ca_unmark (an import undone)
 * keep the mark; ca_activate_after_approval carries out an approved `ca activate`. */
int issuing_usable(app *a, ct_error *err);
int ca_mark_inactive(app *a, const char *issuing_sha256, ct_error *err);
void ca_unmark(app *a);
int ca_activate_after_approval(app *a, const app_actor *actor, json_t *parameters, ct_error *err);

/* app.c: the audit-signing certificate and key (ca/audit.*), made by the issuing CA the first
 * time an instance opens without one (instances made before checkpoints existed). */
int app_audit_signer_open(app *a, const char *passphrase, ct_error *err);
/*
 * app_approval.c: four eyes. A step that [approvals] says needs two people calls approval_gate
 * once its input is checked: 0 when one person suffices (the step goes on now); otherwise,
 * in one transaction, check (the step's own refusals, read there) runs, the request is recorded
 * with parameters (consumed: exactly what the step will do) and audited, and 1 is returned with
 * *pending filled; a caller that passed no pending gets -1 with 202 "approval.pending" instead.
 * On approval the step runs in the approval's transaction, through the functions below.
 */
#define APPROVAL_REVOKE "revoke"
#define APPROVAL_USER_ADD "user.add"
#define APPROVAL_USER_DISABLE "user.disable"
#define APPROVAL_USER_ROLE "user.role"
#define APPROVAL_ACCEPT "accept"
#define APPROVAL_ISSUE "issue"
#define APPROVAL_PUBLISH "publish"
#define APPROVAL_ACTIVATE "ca.activate"
#define APPROVAL_SUSPEND "suspend"
int approval_gate(app *a, const app_actor *actor, const char *action, const char *object,
                  json_t *parameters, transaction_fn check, void *check_ctx,
                  approval_record *pending, ct_error *err);
/* app_status.c: revoke inside the caller's transaction (reason: a CRL reason code); the caller
 * calls app_status_changed() after its commit. */
int cert_revoke_in_transaction(app *a, const app_actor *actor, const char *serial, int reason,
                               ct_error *err);
/* app_user.c: an account checked and hashed already, inserted; an account disabled. */
int user_insert_in_transaction(app *a, const app_actor *actor, user_record *u, ct_error *err);
int user_disable_in_transaction(app *a, const app_actor *actor, const char *username,
                                ct_error *err);
/* app_user.c: an account's role (and agency, "" for a CA role) changed, its sessions ended. */
int user_set_role_in_transaction(app *a, const app_actor *actor, const char *username,
                                 const char *role, const char *agency, ct_error *err);
/* app_dossier.c: a dossier step a request holds ({"code", "action", "applicant"}), as actor.
 * Accept and publish run inside the approval's transaction (*cert_changed: call
 * app_status_changed() after the commit); issue runs with no transaction open, after the
 * approval's commit (it provisions tokens), claiming each applicant as a direct issue does. */
int dossier_step_in_approval(app *a, const app_actor *actor, json_t *parameters, bool *cert_changed,
                             ct_error *err);
int dossier_issue_after_approval(app *a, const app_actor *actor, json_t *parameters, ct_error *err);

/*
 * app_mail.c: queue an e-mail inside the caller's transaction, so that the message exists if and
 * only if the step that causes it commits. The template data/mail/KIND.txt (first line the
 * subject, a blank line, the plain text) and KIND.html (the HTML part) is filled with vars and
 * with what every message knows: office_name, office_address, base_url, portal_url, ref. The
 * addresses in to[] that are empty or not an address are skipped, duplicates kept once; with no
 * address left, or while [mail] smtp_url is empty, nothing is queued and *id is 0. The Message-ID
 * is fixed now, and the queuing is audited ("mail.queue", object ref, without the body).
 */
#define APP_MAIL_TO_MAX 8
#define APP_MAIL_VARS_MAX 24
typedef struct app_mail {
    const char *kind;                /* the template's name */
    const char *ref;                 /* what it is about: a dossier code, "CODE#N", a serial */
    const char *to[APP_MAIL_TO_MAX]; /* NULL-terminated when shorter */
    const char *vars[APP_MAIL_VARS_MAX][2]; /* {name, value}, ends at a NULL name */
    agency_record agency; /* app_mail_to_agency's copy, which to[] and vars[] point into */
} app_mail;
int app_mail_enqueue(app *a, const app_actor *actor, const app_mail *m, int64_t *id, ct_error *err);
/* Add an address to m->to (NULL or "" ignored; full: ignored) and a variable to m->vars. */
void app_mail_to(app_mail *m, const char *address);
void app_mail_var(app_mail *m, const char *name, const char *value);
/* The agency's contact and clerk addresses added to m->to, and its name and code as variables
 * agency_name and agency_code (0; -1 when the agency cannot be read). */
int app_mail_to_agency(app *a, app_mail *m, const char *agency_code, ct_error *err);
/* app_mail_events.c: the messages of each event, queued inside the step's transaction (d, ap and
 * cert as the step leaves them). received: count applicants; decision: supplement or reject
 * (others queue nothing); pickup: the n applicants just notified; revoked: any subscriber
 * certificate, its agency told when it came from a dossier. */
int mail_dossier_received(app *a, const app_actor *actor, const dossier_record *d, size_t count,
                          ct_error *err);
int mail_dossier_decision(app *a, const app_actor *actor, const dossier_record *d,
                          proc_action action, ct_error *err);
int mail_applicant_refused(app *a, const app_actor *actor, const dossier_record *d,
                           const applicant_record *ap, ct_error *err);
int mail_pickup(app *a, const app_actor *actor, const dossier_record *d,
                const applicant_record *aps, size_t n, ct_error *err);
int mail_published(app *a, const app_actor *actor, const dossier_record *d,
                   const applicant_record *ap, ct_error *err);
int mail_cert_revoked(app *a, const app_actor *actor, const cert_record *cert, int reason,
                      ct_error *err);
int mail_cert_suspended(app *a, const app_actor *actor, const dossier_record *d,
                        const cert_record *cert, ct_error *err);
/* The expiry notices due now, queued (each in its own transaction with its notice rows). */
int app_mail_expiry(app *a, const app_actor *actor, int *queued, ct_error *err);
/* libcurl's global state: app_open and app_close. */
void app_mail_open(app *a);
void app_mail_close(app *a);

#endif
