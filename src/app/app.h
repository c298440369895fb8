/*
 * app.h — the use cases of chungthu: the whole surface the faces (command line, HTTP) call.
 *
 * One function per thing a person does. Each takes the acting user (name, role, where from),
 * checks the role, does the work in one database transaction together with its audit row, and
 * reports failure through ct_error with nothing changed.
 */
#ifndef CT_APP_APP_H
#define CT_APP_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/config.h"
#include "core/error.h"
#include "core/mau02.h"
#include "core/procedure.h"
#include "core/role.h"
#include "core/subscriber.h"
#include "core/token_custody.h"
#include "core/records.h"

typedef struct app app;
/* Jansson's value: the views of records (app_view.c) are JSON. */
typedef struct json_t json_t;

typedef struct app_actor {
    const char *name; /* user name, or the operator's --actor on the command line */
    role role;
    const char *source; /* "cli", a client address, "scheduler" */
    const char *agency; /* agency roles: the agency the user belongs to; NULL otherwise */
} app_actor;

/* ---- the instance ---- */

typedef struct app_init_options {
    const char *root_key;     /* NULL: config default (rsa4096) */
    const char *issuing_key;  /* NULL: config default (rsa3072) */
    const char *base_url;     /* NULL: http://127.0.0.1:8080 */
    const char *hsm_token;    /* non-NULL: the issuing CA's key is made on this HSM token
                                 (label), its user PIN in the environment ([ca] hsm_pin_env) */
    const char *token_module; /* NULL: SoftHSM2 */
    bool demo;
    /* the root is kept offline (docs/key-ceremony.md): init makes only the issuing key and
     * ca/issuing.csr, and the instance works after `ca import` (app_ca_import) */
    bool offline_root;
    /* non-NULL: the database is this PostgreSQL one ([database] backend = postgresql, url),
     * which must hold no instance yet; NULL: SQLite, chungthu.db in the home */
    const char *database_url;
} app_init_options;

/* Create an instance in home (which must not exist or be empty): config, database, CA keys and
 * certificates. On failure nothing is left behind. */
int app_init(const char *home, const app_init_options *opt, const app_actor *actor, ct_error *err);
int app_open(const char *home, app **out, ct_error *err);
void app_close(app *a);
/* The instance's clock, Unix seconds. CHUNGTHU_NOW (Unix seconds, or @FILE holding them, read
 * at each call) sets it for rehearsals and tests of deadlines; certificates are always signed
 * with it. */
int64_t app_now(void);
/* The configuration in force. A reload (app_reload) replaces it whole while the app serves, so
 * a face holds it for each request: between app_config_hold and app_config_release (same
 * thread; they nest) every read of it, the face's and the use cases' alike, gets the one in
 * force at the hold. A configuration read stays valid until app_close. */
const app_config *app_get_config(const app *a);
void app_config_hold(const app *a);
void app_config_release(const app *a);

/* The CA certificates: name is "root", "issuing" or "ocsp". Returned bytes belong to the app. */
int app_ca_cert(app *a, const char *name, const unsigned char **der, size_t *len, ct_error *err);

/* ---- the offline root (app_offline_root.c, docs/key-ceremony.md) ---- */

/* Install the key ceremony's bundle in an instance made with init --offline-root: bundle_dir
 * holds root.crt, issuing.crt (for this instance's issuing key, chaining to the root) and
 * root.crl. Then the OCSP responder and audit-signing certificates are made as init makes them,
 * and the instance opens. Refused with nothing changed: ca.import_key_mismatch, ca.chain,
 * crl.*, ca.already_imported, ca.not_offline. */
int app_ca_import(const char *home, const char *bundle_dir, const app_actor *actor, ct_error *err);
/* Install a newer root CRL signed at the ceremony (PEM or DER): the root's, newer than the
 * current one (crl.not_newer), not expired (crl.expired). *number (may be NULL) gets its number. */
int app_crl_import(app *a, const app_actor *actor, const unsigned char *data, size_t len,
                   int64_t *number, ct_error *err);

/* The issuing CA's key in use (app_activation.c). After `ca import` it is imported but not
 * active: nothing is signed with it until `ca activate`, gated by [approvals] activate (default
 * 2: a CA administrator requests, a second CA administrator or officer approves; 1 with
 * pending done at once). 409 ca.already_active when there is nothing to activate. */
int app_ca_activate_or_request(app *a, const app_actor *actor, approval_record *pending,
                               ct_error *err);
/* 1 when the installed root CRL lists the issuing CA (*reason, *crl_number may be NULL), 0 when
 * not or when there is no root CRL, -1 on failure. */
int app_ca_issuing_revoked(app *a, int *reason, int64_t *crl_number, ct_error *err);

/* ---- the key ceremony (app_ceremony.c): the root CA on an offline machine, in a ceremony home
 * of its own (not an instance), every step in its hash-chained log ---- */

typedef struct app_ceremony_who {
    const app_actor *actor;
    const char *const *witnesses; /* their names, as they sign the paper record */
    size_t n_witnesses;
} app_ceremony_who;

typedef struct app_ceremony_init_options {
    const char *root_key;      /* NULL: rsa4096; or p384 */
    const char *root_name;     /* NULL: the config default */
    const char *operator_name; /* NULL: the config default */
    const char *base_url;      /* the online instance's public URL, for the issuing CA's CDP/AIA */
    const char *hsm_token;     /* the token's label; NULL: an encrypted file under the passphrase
                                  in CHUNGTHU_CEREMONY_PASSPHRASE */
    const char *token_module;  /* NULL: SoftHSM2 */
    int crl_days;              /* a root CRL's validity; 0: 180 days */
} app_ceremony_init_options;

typedef struct app_ceremony_signed {
    char serial[80];
    char sha256[65];
    char path[CFG_PATH + 128];
    int64_t number;    /* a CRL's number */
    int64_t not_after; /* a certificate's notAfter, a CRL's nextUpdate */
} app_ceremony_signed;

/* The root key (on the token, or an encrypted file) and the self-signed root certificate; at
 * least two witnesses ("ceremony.witnesses"). */
int app_ceremony_init(const char *home, const app_ceremony_init_options *opt,
                      const app_ceremony_who *who, ct_error *err);
/* Sign the issuing CA certificate for a request the online instance made (init --offline-root):
 * its key and subject. key_sha256 (may be NULL): the SHA-256 of the request's key as read out on
 * paper, refused with "ceremony.csr_key_mismatch" when the file's is another. Two witnesses. */
int app_ceremony_sign_issuing(const char *home, const unsigned char *csr, size_t csr_len,
                              const char *key_sha256, const app_ceremony_who *who,
                              app_ceremony_signed *out, ct_error *err);
/* Revoke an issuing CA certificate this root signed (serial, any case; "ceremony.unknown_serial"
 * otherwise) for keyCompromise, cACompromise, superseded or cessationOfOperation
 * ("ceremony.reason"); two witnesses. Only the log records it: every root CRL signed after it
 * lists the certificate. out->serial is the serial as signed. */
int app_ceremony_revoke_issuing(const char *home, const char *serial, const char *reason,
                                const app_ceremony_who *who, app_ceremony_signed *out,
                                ct_error *err);
/* A root CRL valid for days (0: the ceremony's setting), listing every issuing CA the log
 * records as revoked. */
int app_ceremony_sign_crl(const char *home, int days, const app_ceremony_who *who,
                          app_ceremony_signed *out, ct_error *err);
/* root.crt, issuing.crt, root.crl and the log into out_dir (new or empty), for `ca import`. */
int app_ceremony_bundle(const char *home, const char *out_dir, const app_ceremony_who *who,
                        ct_error *err);
/* The log's entries as they are (a new JSON array), verified or not. */
int app_ceremony_log(const char *home, json_t **entries, ct_error *err);
/* Walk the log's chain: *lines entries and the last hash, or "ceremony.log_broken" with the
 * first line that breaks it in *bad_line. A log cut at its end still chains: expect_head (may be
 * NULL), "LINES:SHA256" as written on the paper record after a step, names that
 * ("ceremony.log_truncated": fewer lines; "ceremony.log_head_mismatch": that line is another). */
int app_ceremony_verify(const char *home, const char *expect_head, size_t *lines, char head[65],
                        size_t *bad_line, ct_error *err);
/* "LINES:SHA256", the log's head as the paper record has it. */
int app_ceremony_parse_head(const char *text, size_t *lines, char hash[65], ct_error *err);
/* A bundle's manifest.json against its files and its ceremony.log: each file's SHA-256
 * ("ceremony.bundle_changed"), the log's chain ("ceremony.log_broken") and its head
 * ("ceremony.log_truncated", "ceremony.log_head_mismatch"); head gets "LINES:SHA256". */
int app_ceremony_check_bundle_log(const char *dir, char head[CFG_TEXT], ct_error *err);

/* ---- certificates ---- */

typedef struct app_cert_request {
    subscriber_input subject;
    int days; /* 0: profile default */
    /* the subscriber's public key: exactly one of these */
    const unsigned char *csr; /* PEM or DER, signature checked */
    size_t csr_len;
    const unsigned char *pubkey; /* PEM or DER public key / SubjectPublicKeyInfo */
    size_t pubkey_len;
    bool hold; /* issue on hold (procedure step 2) instead of active */
} app_cert_request;

/* Issue one certificate and store it durably. out (may be NULL) receives the stored record. */
int app_cert_issue(app *a, const app_actor *actor, const app_cert_request *req, cert_record *out,
                   ct_error *err);
/* Mass issuance: how many threads check and sign, and how many certificates one transaction
 * stores (0: APP_ISSUE_CHUNK). */
#define APP_ISSUE_CHUNK 1000
typedef struct app_issue_options {
    int threads;
    size_t chunk;
} app_issue_options;

/* Issue n certificates. Each is checked and signed on opt->threads threads (the caller's
 * included) and stored in order, in transactions of opt->chunk certificates with one audit row
 * each listing them; a transaction commits while the next one's certificates are signed. The
 * first request that fails stops the call, and the transaction it falls in is rolled back: the
 * error names the request, and *stored (may be NULL) says how many certificates were stored
 * before it, a whole number of transactions. serials (may be NULL) receives each stored
 * serial, in request order. */
int app_cert_issue_many(app *a, const app_actor *actor, const app_cert_request *reqs, size_t n,
                        const app_issue_options *opt, char (*serials)[41], size_t *stored,
                        ct_error *err);

int app_cert_get(app *a, const app_actor *actor, const char *serial, cert_record *out,
                 ct_error *err);
int app_cert_list(app *a, const app_actor *actor, const cert_filter *filter, cert_visit_fn visit,
                  void *ctx, ct_error *err);
/* PEM text of a stored certificate; *pem malloc'd. */
int app_cert_pem(const cert_record *rec, char **pem, ct_error *err);

/* ---- tokens: the CA's stock of private-key storage devices (app_token.c) ---- */

/* Add count blank tokens to the stock (SoftHSM2: creates them; a hardware module: registers
 * the blank tokens it finds). */
int app_token_stock(app *a, const app_actor *actor, int count, ct_error *err);
/* Whether a token's PIN envelope waits to be printed (app_token_envelope_print). */
bool app_token_envelope_waiting(app *a, const char *serial);
int app_token_list(app *a, const app_actor *actor, const char *state, token_visit_fn visit,
                   void *ctx, ct_error *err);

typedef struct app_provision_request {
    subscriber_input subject;
    int days;             /* 0: profile default */
    const char *key_type; /* NULL: profile default (rsa2048); rsa3072, p256 */
    const char *token;    /* a stock token's serial or label; NULL: the first blank one */
    bool hold;            /* on hold until published (the procedure), else active now */
} app_provision_request;

typedef struct app_provisioned {
    char cert_serial[41];
    char token_serial[40];
    char token_label[40];
    char user_pin[16]; /* given out once: print the envelope, then forget it */
    char envelope_path[CFG_PATH + 64];
} app_provisioned;

/* Provision one token for a subscriber outside a dossier (operators and tests); the
 * procedure's issue step runs the same code. */
int app_token_provision(app *a, const app_actor *actor, const app_provision_request *req,
                        app_provisioned *out, ct_error *err);

/* Token care (app_token_care.c): one move of a token's chain of custody (core/token_custody.h):
 * TOKEN_ACT_RESET_PIN (a new random user PIN set with the SO PIN kept at stocking, a new PIN
 * envelope waiting to be printed; the old PIN stops working), TOKEN_ACT_LOST (reason required;
 * its certificate revoked keyCompromise), TOKEN_ACT_BROKEN (→ damaged; revoked
 * cessationOfOperation), TOKEN_ACT_RETURNED (back at the CA; a certificate still valid or on
 * hold is revoked cessationOfOperation), TOKEN_ACT_DESTROY (the device wiped when present).
 * One transaction, audited. Errors: 404 token.not_found (also another agency's token), 409
 * token.custody (the state does not allow it), 403 role.forbidden, 400 token.reason_*. *out
 * (may be NULL): the token as it now stands. */
int app_token_care(app *a, const app_actor *actor, const char *serial, token_action action,
                   const char *reason, token_record *out, ct_error *err);

/* ---- status: revocation, CRLs, OCSP (app_status.c) ---- */

/* A signed object handed to a face: bytes plus what HTTP caching needs. */
typedef struct app_blob {
    unsigned char *data; /* owned; freed by app_blob_free */
    size_t len;
    int64_t this_update;
    int64_t next_update;
    char etag[72];       /* quoted strong ETag, e.g. "\"3f2a…\"" */
    bool cached;         /* served from the pre-signed cache */
    unsigned generation; /* OCSP: app_ocsp_generation() when it was answered */
} app_blob;

void app_blob_free(app_blob *b);

/* Revoke a certificate. reason: unspecified, keyCompromise, cACompromise, affiliationChanged,
 * superseded, cessationOfOperation, privilegeWithdrawn, aACompromise. Audited; CRLs and OCSP
 * answers follow at once. */
int app_cert_revoke(app *a, const app_actor *actor, const char *serial, const char *reason,
                    ct_error *err);
/* Sign fresh CRLs for every CA now (operator's `crl generate`). */
int app_crl_generate(app *a, const app_actor *actor, ct_error *err);
/* The latest CRL of "root" or "issuing" (signed on first use if there is none). */
int app_crl_get(app *a, const char *name, app_blob *out, ct_error *err);
/* Answer an OCSP request (DER). Bad requests get an OCSP malformedRequest response, not an
 * error: only a failure to produce any response at all returns -1. */
int app_ocsp_respond(app *a, const unsigned char *req, size_t len, app_blob *out, ct_error *err);
/* Scheduled upkeep: take in other processes' certificate changes, renew the OCSP responder
 * certificate before it expires; and, where lead (the node that leads, app_upkeep_lead), re-sign
 * CRLs nearing nextUpdate and tidy the directory's index. Called by the server's timer. */
int app_status_refresh(app *a, bool lead, ct_error *err);
/* Whether this node runs the upkeep done once for every node sharing the database (scheduled
 * publication, CRLs, e-mail, audit checkpoints): store_lead_upkeep. */
int app_upkeep_lead(app *a, bool *lead, ct_error *err);
/* Give the OCSP responder a new key (on the HSM when the issuing key is there) and a new
 * certificate from the issuing CA, when fewer than [ca] ocsp_renew_days of its life are left, or
 * now with force (`ocsp rotate`). Recorded and audited ("ca.ocsp_rotate"); the old certificate
 * is kept as ca/ocsp-SERIAL.crt. Answers switch to the new responder at once in this process and
 * within a second in others. Two rotations at once make one: the other finds nothing due (or,
 * forced, is refused with 409 "claim.busy"). *rotated tells whether this call made one. */
int app_ocsp_rotate(app *a, const app_actor *actor, bool force, bool *rotated, ct_error *err);
/* Changes with each new responder in this process and with each status change that reaches
 * the answers (another process's noticed within a second): an answer kept by a cache in front
 * of app_ocsp_respond is served only while its generation is the current one. */
unsigned app_ocsp_generation(app *a);

/* ---- the public directory (app_directory.c): published certificates only ---- */

int app_directory_search(app *a, const char *query, int64_t limit, int64_t offset,
                         cert_visit_fn visit, void *ctx, bool *has_more, ct_error *err);
/* Merge the search index's segments (every publication adds one) for up to budget_ms, in short
 * steps that leave the writer free between them: the server's upkeep calls it every minute.
 * full: into one segment at once (after a bulk import; seconds on a million entries). */
int app_directory_tidy(app *a, int64_t budget_ms, bool full, ct_error *err);
/* 404 ("cert.not_found") unless the certificate was published. */
int app_directory_get(app *a, const char *serial, cert_record *out, ct_error *err);
/* Upper-case hex SHA-256 of DER bytes (a certificate's fingerprint). */
int app_fingerprint(const unsigned char *der, size_t len, char out[65]);
/* The status a relying party sees: "active", "revoked", "expired" (past not_after). */
const char *app_public_status(const cert_record *rec, int64_t now);

/* Counts for monitoring (/metrics). */
typedef struct app_stats {
    int64_t certs_hold, certs_active, certs_revoked, certs_expired;
    int64_t dossiers[DOSSIER_STATE_COUNT];
    int64_t dossiers_late, dossiers_due_today;
} app_stats;
int app_get_stats(app *a, app_stats *out, ct_error *err);
/* Does the database answer? (/healthz; one trivial read.) */
int app_health(app *a, ct_error *err);

/* ---- a read-only node (app_read_only.c): serve --read-only, a PostgreSQL hot standby ----
 *
 * A node on a standby database serves what needs no write (OCSP, CRLs, the directory, the public
 * pages, reads of the API) and refuses every write with 503 "store.read_only"; its upkeep changes
 * nothing. Once its database is promoted the node reads and writes again by itself. */

/* Reads only from now on (serve --read-only), until this process sees its database promoted
 * from standby to primary. */
void app_set_read_only(app *a);
/* Whether this process refuses writes now. */
bool app_read_only(app *a);
/* Whether the database was a standby when last looked at (open, app_read_only_check). */
bool app_database_standby(app *a);
/* Look at the database's role again (the server's upkeep, every second while read-only): a
 * standby makes the process read-only, a promotion read-write again. *changed says whether the
 * process's mode changed with this look. */
int app_read_only_check(app *a, bool *changed, ct_error *err);
/* The refusal of a write here: 503 "store.read_only", the reason in both languages. */
int app_read_only_refuse(ct_error *err);

/* ---- reports (app_report.c, charts in app_report_svg.c): the procedure per agency and period ----
 */

typedef struct app_report_options {
    const char *from;   /* first day, "YYYY-MM-DD" (Vietnam time); NULL or "": the month's first */
    const char *to;     /* the day after the last; NULL or "": the first of the month after from */
    const char *agency; /* one agency's code (404 "agency.not_found"); NULL or "": all of them */
} app_report_options;

/* One step of the procedure, over the steps that ended in the period. */
typedef struct app_report_step {
    int64_t done;
    int64_t on_time, late; /* against the step's due time; steps 2 and 4 only */
    double median_days;    /* working days from start to end, the start day not counted (as
                              deadlines count); -1 when none ended */
} app_report_step;

typedef struct app_report_row {
    char agency[32]; /* "" in the total */
    char name[260];
    /* dossiers received in the period (their receipt day), by the state they are in now:
     * received = waiting + accepted + needs_supplement + rejected + withdrawn + completed */
    int64_t received, waiting, accepted, needs_supplement, rejected, withdrawn, completed;
    /* the agency's applicants' certificates signed, published, revoked in the period */
    int64_t issued, published, revoked;
    /* step 2 (the CA: receipt to every token's pickup notice, or to the rejection; 3 working
     * days), step 3 (the agency's own time: the notice to the activation request; no due time,
     * not counted against the CA), step 4 (the CA: the activation request, or the requested
     * effective time if later, to publication; 1 working day) */
    app_report_step step2, step3, step4;
} app_report_row;

typedef struct app_report_data {
    char from[11], to[11]; /* the period [from, to), local days */
    char agency[32];       /* "": every agency */
    int64_t generated_at;
    struct {
        app_report_row *items; /* the agencies with anything in the period, by code */
        size_t n, cap;
    } rows;
    app_report_row total;
} app_report_data;

/* The report of a period (CA roles and the auditor; 403 for the others). Bad dates: 400
 * "report.bad_date"; an empty, reversed or over-ten-year period: 400 "report.bad_period". Free
 * out with app_report_free() (also after a failure). */
int app_report(app *a, const app_actor *actor, const app_report_options *opt, app_report_data *out,
               ct_error *err);
void app_report_free(app_report_data *r);
/* Its JSON form (a new reference), shared by the API and the command line. */
json_t *app_report_view(const app_report_data *r);
/* One table as CSV for a spreadsheet: UTF-8 with a byte-order mark, CRLF lines, Vietnamese
 * headings, a total row. table: "dossiers", "certificates" or "steps"; 404 "report.no_table"
 * otherwise. On success *out is a malloc'd string the caller frees. */
int app_report_csv(const app_report_data *r, const char *table, char **out, ct_error *err);
/* A chart as SVG text: "agencies" (dossiers received and completed, bars per agency) or
 * "on_time" (on-time rate of steps 2 and 4, step 3's median beside them); 404 "report.no_chart"
 * otherwise. On success *out is a malloc'd string the caller frees. */
int app_report_svg(const app_report_data *r, const char *chart, char **out, ct_error *err);

/* ---- agencies (app_agency.c) ---- */

typedef struct app_agency_input {
    const char *code;
    const char *name;
    const char *parent; /* NULL or "": a top-level body */
    const char *province;
    const char *head_name;
    const char *head_title;
    const char *kind;          /* "party" | "state" */
    const char *email_domains; /* "mic.gov.vn, bnv.gov.vn"; NULL or "": no check */
} app_agency_input;

int app_agency_add(app *a, const app_actor *actor, const app_agency_input *in, agency_record *out,
                   ct_error *err);
int app_agency_get(app *a, const app_actor *actor, const char *code, agency_record *out,
                   ct_error *err);
int app_agency_list(app *a, const app_actor *actor, agency_visit_fn visit, void *ctx,
                    ct_error *err);
/* Set an agency's official e-mail domains (CA roles; "" ends the check), audited. The CA
 * officer's check flags an applicant whose address is outside them. */
int app_agency_set_domains(app *a, const app_actor *actor, const char *code, const char *domains,
                           agency_record *out, ct_error *err);

/* An agency's contacts (each NULL: unchanged; "" or spaces: cleared): the postal address
 * (printed where the papers address the agency), the agency's e-mail, its phone, the clerk's and
 * the head's e-mail (the e-mail notices go to the agency's and the clerk's). CA roles; checked
 * before anything changes (400 "email.invalid" naming the field, "agency.phone_invalid",
 * "text.*" for the address); audited as "agency.contacts" with what changed. */
typedef struct app_agency_contacts {
    const char *address;
    const char *email;
    const char *phone;
    const char *clerk_email;
    const char *head_email;
} app_agency_contacts;
int app_agency_set_contacts(app *a, const app_actor *actor, const char *code,
                            const app_agency_contacts *in, agency_record *out, ct_error *err);

/* ---- e-mail (app_mail.c; docs/operator-guide.md, "E-mail") ---- */

/* The outbox, by id (state NULL: every message; "queued", "sent" or "failed"; another: 400
 * "mail.state_invalid"). CA roles. The visitor's record has no bodies. */
int app_mail_list(app *a, const app_actor *actor, const char *state, outbox_visit_fn visit,
                  void *ctx, ct_error *err);
typedef struct app_mail_report {
    int queued_notices; /* expiry notices queued in this round */
    int sent;
    int deferred; /* failed this time, to be tried again later */
    int failed;   /* failed for good: max_attempts reached */
} app_mail_report;
/* The upkeep's e-mail round (the server every minute, `run-due`, `mail send-due`): queue the
 * expiry notices that are due, then deliver every queued message whose time has come, each
 * claimed so that two senders never send one at once. Delivered at least once: a sender killed
 * after the server took a message and before it was marked sent sends it again, with the same
 * Message-ID. Nothing happens while [mail] smtp_url is empty. System and CA roles. */
int app_mail_send_due(app *a, const app_actor *actor, app_mail_report *out, ct_error *err);
/* A failed (or waiting) message queued again now, its attempts counted from 0; 409
 * "mail.already_sent" for a sent one. CA roles; audited as "mail.retry". */
int app_mail_retry(app *a, const app_actor *actor, int64_t id, ct_error *err);
json_t *app_view_mail(const outbox_record *r);

/* ---- dossiers: procedure 1.010847 (app_dossier.c) ---- */

typedef struct app_submission {
    const char *agency;
    const char *channel;       /* direct | online | postal */
    const char *format;        /* "csv" | "json" | "xlsx" */
    const unsigned char *data; /* the Mẫu 02 list */
    size_t len;
    const char *confirmed_by; /* the head's confirmation: "NAME, TITLE" */
    const char *confirmed_on; /* YYYY-MM-DD; NULL: today */
} app_submission;

/*
 * Every problem of a refused Mẫu 02 list, for a face to show all at once: each with its row,
 * its column (mau02_column_vi/en; -1: none), its stable code and its message in both languages
 * without the row and column (core/mau02.h, mau02_errors: the first MAU02_ERRORS_KEPT, sorted,
 * and the total). The operations that read a list fill one the face passes (zeroed; NULL: the
 * face wants only the summary in ct_error), and leave it empty when the failure was not the
 * list's. Free it with app_list_errors_free().
 */
typedef mau02_errors app_list_errors;
void app_list_errors_free(app_list_errors *errors);

/* The format of an uploaded list told by its content: "xlsx" when it is a zip (as every .xlsx
 * workbook is), else `otherwise` ("csv", "json"). */
const char *app_list_format_sniff(const unsigned char *data, size_t len, const char *otherwise);
/* The Mẫu 02 list template as an .xlsx workbook (13 Vietnamese headings, text ID and phone
 * columns, dd/mm/yyyy dates, drop-downs), made once and kept: *data is the process's copy, not
 * to be freed. 500 "sheet.write" when it cannot be made. */
int app_mau02_template_xlsx(const unsigned char **data, size_t *len, ct_error *err);

int app_dossier_submit(app *a, const app_actor *actor, const app_submission *in,
                       dossier_record *out, app_list_errors *list_errors, ct_error *err);

/* A request about certificates the agency's subscribers hold (every kind but new issuance):
 * intake as for a Mẫu 02 list (channel, agency, the head's confirmation), one applicant per
 * certificate, each with the details of the applicant it was issued to. */
typedef struct app_request_cert {
    const char *serial;
    /* change of details: the new values (NULL: unchanged) */
    const char *full_name;
    const char *unit;
    const char *position;
    const char *email;
} app_request_cert;

typedef struct app_request {
    const char *kind;   /* suspension | resumption | revocation | renewal | change */
    const char *reason; /* revocation: affiliationChanged | keyCompromise | cessationOfOperation */
    app_submission intake; /* agency, channel, confirmation (no list) */
    const app_request_cert *certs;
    size_t n_certs;
} app_request;

/* Receive a request: every certificate is the agency's own subscriber certificate, in a state
 * that fits the kind (active; on hold after publication for a resumption; within [lifecycle]
 * renewal_window_days of its end for a renewal), checked in the transaction that records the
 * dossier. Agency accounts submit online, the CA records direct and postal ones. Codes:
 * request.kind, request.no_certs, request.duplicate, request.reason, request.reason_unexpected,
 * cert.not_found, request.foreign_cert (403), request.cert_state (409),
 * request.renewal_window (409), request.no_change, and intake's. */
int app_dossier_request(app *a, const app_actor *actor, const app_request *in, dossier_record *out,
                        ct_error *err);
/* The certificates an agency's subscribers hold (issued through its own dossiers), for the
 * requests about them: *out = {"agency", "kinds": every kind of request with its label,
 * "certificates": each with its state (active, suspended, hold, revoked, expired), dates, holder
 * and "requests", the kinds app_dossier_request takes for it now}. Agency accounts see their
 * own agency and its sub-units (another: 404 "agency.not_found"), the CA and the auditor any. */
int app_agency_certs(app *a, const app_actor *actor, const char *agency, json_t **out,
                     ct_error *err);

typedef struct app_step_args {
    int64_t applicant;  /* 0: every applicant the action applies to (refuse: one, named) */
    const char *reason; /* reject, supplement, cancel, refuse */
    /* agency-received: the agency's person who collected the tokens (required); handed-over:
     * who received the token (NULL: the applicant, its holder) */
    const char *person;
    int64_t pickup_at; /* notify-pickup */
    const char *pickup_place;
    int64_t
        effective_at; /* request-activation: requested effective time; 0 = as soon as possible */
    /* resubmit: a new Mẫu 02 list replacing the dossier's applicants (list NULL: the list stays),
     * checked as at intake; its problems, all of them, go to list_errors (may be NULL) */
    const char *list_format; /* "csv" | "json" | "xlsx" */
    const unsigned char *list;
    size_t list_len;
    app_list_errors *list_errors;
} app_step_args;

/* One procedure step on a dossier or its applicants, as the transition table allows. Rejecting
 * or withdrawing a dossier moves its pending applicants to refused (with the dossier's reason)
 * or withdrawn in the same transaction; a resubmission with a new list replaces them. */
int app_dossier_step(app *a, const app_actor *actor, const char *code, proc_action action,
                     const app_step_args *args, ct_error *err);

int app_dossier_get(app *a, const app_actor *actor, const char *code, dossier_record *out,
                    ct_error *err);
int app_dossier_applicants(app *a, const app_actor *actor, const char *code,
                           applicant_visit_fn visit, void *ctx, ct_error *err);
int app_dossier_list(app *a, const app_actor *actor, const dossier_filter *filter,
                     dossier_visit_fn visit, void *ctx, ct_error *err);
int app_dossier_timeline(app *a, const app_actor *actor, const char *code, audit_visit_fn visit,
                         void *ctx, ct_error *err);

/* Deadline view of a running clock: due instant and on time / due today / late. */
typedef enum {
    DEADLINE_NONE,
    DEADLINE_ON_TIME,
    DEADLINE_DUE_TODAY,
    DEADLINE_LATE,
    DEADLINE_PAUSED /* the CA's clock stands still: the dossier waits for a supplement */
} deadline_status;
deadline_status app_deadline_status(int64_t due_at, int64_t done_at, int64_t now);
const char *deadline_status_name(deadline_status s);
/* A dossier's step-2 deadline as people see it (paused while a supplement is awaited), and
 * whether it is overdue: late or due today, received or accepted, and step 2 not done. */
deadline_status app_dossier_deadline(const dossier_record *d, int64_t now);
bool app_dossier_overdue(const dossier_record *d, int64_t now);
/* An applicant whose publication (step 4) is late or due today. A dossier list with
 * filter->overdue gives the dossiers overdue either way. */
bool app_applicant_overdue(const applicant_record *ap, int64_t now);

/* The printed papers of a dossier: the receipt and appointment slip (giấy tiếp nhận hồ sơ và
 * hẹn trả kết quả), and the notice of when and where to collect the tokens (409
 * "dossier.no_pickup" before any was announced). */
typedef enum { SLIP_RECEIPT, SLIP_PICKUP_NOTICE } slip_kind;
typedef enum { SLIP_TEXT, SLIP_HTML } slip_format;

/* The paper as printable HTML or plain text. On success *out is a malloc'd string the caller
 * frees; on failure *out is not set and there is nothing to free. */
int app_dossier_receipt(app *a, const app_actor *actor, const char *code, slip_kind kind,
                        slip_format format, char **out, ct_error *err);

/* ---- official papers (app_papers.c): Decree 30/2020 layout, as HTML or PDF ---- */

typedef enum {
    APP_PAPER_RECEIPT, /* giấy tiếp nhận hồ sơ và hẹn trả kết quả */
    APP_PAPER_PICKUP,  /* thông báo nhận thiết bị (409 before any pickup was announced) */
    APP_PAPER_SUPPLEMENT, /* phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (while one is awaited) */
    APP_PAPER_REFUSAL, /* phiếu từ chối tiếp nhận, giải quyết hồ sơ (a rejected dossier, or
                          applicants refused one by one) */
    APP_PAPER_HANDOVER, /* biên bản bàn giao, CA → agency (every token the agency received,
                           or applicant N's) */
    APP_PAPER_HANDOVER_SUBSCRIBER, /* biên bản bàn giao, agency → subscriber (applicant N) */
    APP_PAPER_MAU01,               /* applicant N's own request (Circular 185/2019, Mẫu 01) */
    APP_PAPER_MAU02,               /* the agency's list as submitted (Mẫu 02) */
    APP_PAPER_KIND_COUNT
} app_paper_kind;
typedef enum { APP_PAPER_HTML, APP_PAPER_PDF } app_paper_format;

/* "receipt", "pickup", "supplement", "refusal", "handover", "handover-subscriber", "mau01",
 * "mau02"; parse: 400 "paper.kind_invalid" naming them. */
const char *app_paper_kind_name(app_paper_kind k);
int app_paper_kind_parse(const char *name, app_paper_kind *out, ct_error *err);

typedef struct app_paper {
    unsigned char *bytes; /* malloc'd; app_paper_free */
    size_t len;
    char sha256[65];    /* lower-case hex of bytes */
    char filename[128]; /* e.g. "receipt-G12.35.01.H99-261202-0001.pdf" */
    const char *content_type;
    bool first_issue; /* made now (and stored), not read back */
} app_paper;

void app_paper_free(app_paper *p);

/* A token's PIN envelope, printed once by a CA role, as HTML or PDF laid out like the papers:
 * the page holds the PIN (the caller sends it, then app_token_envelope_discard wipes and frees
 * it), the printing is audited, and the envelope file is gone afterwards. Asked again: 410
 * "token.envelope_printed" (when, by whom); no envelope ever: 404 "token.no_envelope". Of
 * twenty asking at once, exactly one gets it. */
int app_token_envelope_print(app *a, const app_actor *actor, const char *serial,
                             app_paper_format format, app_paper *out, ct_error *err);
void app_token_envelope_discard(app_paper *page);

/*
 * One paper of a dossier, to the dossier's agency and CA roles (others 403; another agency's
 * dossier 404). applicant: 0 for the whole dossier; mau01 and handover-subscriber need one (400
 * "paper.applicant_required"), the whole-dossier kinds refuse one (400
 * "paper.applicant_unexpected"), handover takes either. A paper the dossier's state does not
 * call for yet is 409 "paper.not_available".
 *
 * The first time a paper of a given dossier, kind, applicant, format and version of the
 * dossier's state is asked for it is made, stored byte for byte and audited ("paper.issue");
 * asking again gives the stored bytes. The version is a digest of what the paper shows, so a
 * later change of the dossier that changes it (a new supplement request) makes a new paper,
 * served from then on; the earlier ones stay.
 */
int app_dossier_paper(app *a, const app_actor *actor, const char *code, app_paper_kind kind,
                      int64_t applicant, app_paper_format format, app_paper *out, ct_error *err);

/* A subscriber's own lookup, without an account: the dossier code and the applicant's ID
 * number give that applicant's record only; anything else is 404 ("dossier.not_found"). Each
 * try is counted before it is answered, and misses are limited per source address (10 in 10
 * minutes) and per dossier code (30 in an hour): 429 "lookup.rate_limited" with
 * err->retry_after. A face shows the subscriber only the state, its times and any reason. */
int app_applicant_lookup(app *a, const char *code, const char *id_number, const char *source,
                         dossier_record *dossier, applicant_record *out, ct_error *err);

/* Publish every applicant whose requested effective time has come (the server's due-work
 * runner and `chungthu run-due`); with [approvals] publish = 2, none (officers publish, two). */
int app_run_due(app *a, const app_actor *actor, int *published, ct_error *err);

/* The working-day calendar of the instance. */
typedef struct ct_calendar ct_calendar;
const ct_calendar *app_calendar(const app *a);

/* A running server's reload (SIGHUP): chungthu.ini and the holiday files are read again and put
 * in force at once, together. A file that does not parse or holds a value out of range is
 * refused (-1, err names it and where) and nothing changes. Only the keys chungthu.ini(5) marks
 * "applied on reload" take their new value; a key that needs a restart keeps its running value
 * and, when the file changed it, is named in restart_keys ("[server] listen, ..."). */
typedef struct app_reload_report {
    char holidays_dir[CFG_PATH * 2]; /* where the holidays were read */
    char applied_keys[1024];         /* changed keys now in force; "" if none */
    char restart_keys[1024];         /* changed keys a restart applies; "" if none */
} app_reload_report;
int app_reload(app *a, app_reload_report *out, ct_error *err);

/* ---- drafts of online dossiers (app_draft.c) ---- */

/* The signed request letter: a PDF, JPEG or PNG scan, its type judged from its content. */
#define DRAFT_LETTER_MAX (10 * 1024 * 1024)

/* An agency clerk opens a draft for their agency (agency NULL) or one of its sub-units. */
int app_draft_create(app *a, const app_actor *actor, const char *agency, const char *title,
                     draft_record *out, ct_error *err);
int app_draft_get(app *a, const app_actor *actor, int64_t id, draft_record *out, ct_error *err);
int app_draft_list(app *a, const app_actor *actor, draft_visit_fn visit, void *ctx, ct_error *err);
/* The Mẫu 02 list (format "csv", "json" or "xlsx"), checked row by row now as submission will. */
int app_draft_set_list(app *a, const app_actor *actor, int64_t id, const char *format,
                       const unsigned char *data, size_t len, draft_record *out,
                       app_list_errors *list_errors, ct_error *err);
/* The letter, refused (415) unless its name, the type it was sent as and its content agree. */
int app_draft_set_letter(app *a, const app_actor *actor, int64_t id, const char *name,
                         const char *declared_type, const unsigned char *data, size_t len,
                         draft_record *out, ct_error *err);
/* The letter's bytes (*data malloc'd), of a draft or of the dossier a draft became. */
int app_draft_letter(app *a, const app_actor *actor, int64_t id, unsigned char **data, size_t *len,
                     draft_record *out, ct_error *err);
int app_dossier_letter(app *a, const app_actor *actor, const char *code, unsigned char **data,
                       size_t *len, draft_record *out, ct_error *err);
/* The rows of a draft's stored list, read by the parser submission uses (today's date), so the
 * head sees what will be sent: *rows malloc'd (free() it), *count of them, and list_sha256 the
 * SHA-256 of the bytes read (what a confirmation of these rows must name). Roles and visibility
 * as app_draft_get; 409 "draft.no_list" before a list was uploaded. */
int app_draft_rows(app *a, const app_actor *actor, int64_t id, mau02_applicant **rows,
                   size_t *count, char list_sha256[65], ct_error *err);
/* A new letter for an online dossier that needs a supplement (agency roles; 409 otherwise),
 * checked as a draft's letter; it replaces the letter of the draft the dossier came from. */
int app_dossier_set_letter(app *a, const app_actor *actor, const char *code, const char *name,
                           const char *declared_type, const unsigned char *data, size_t len,
                           draft_record *out, ct_error *err);
/* The agency head confirms the list and letter as they are now (Mẫu 01's signature): the
 * confirmation is bound to their SHA-256, and submission refuses a draft whose list or letter
 * is not what was confirmed. list_sha256 / letter_sha256 (NULL: not checked): what the head
 * was shown; if either changed since, 409 "draft.changed". */
int app_draft_confirm(app *a, const app_actor *actor, int64_t id, const char *list_sha256,
                      const char *letter_sha256, draft_record *out, ct_error *err);
/* A confirmed draft becomes a received online dossier, in one transaction. */
int app_draft_submit(app *a, const app_actor *actor, int64_t id, dossier_record *out,
                     ct_error *err);
int app_draft_delete(app *a, const app_actor *actor, int64_t id, ct_error *err);

/* ---- accounts and sessions (app_user.c) ---- */

typedef struct app_user_input {
    const char *username; /* 3–32 of a–z 0–9 . _ - */
    const char *display_name;
    const char *role;     /* role_name(): agency_clerk, agency_head, ca_officer, … */
    const char *agency;   /* agency roles: their agency's code */
    const char *password; /* at least 10 characters; stored as Argon2id only */
    const char *os_user;  /* NULL or "": none; else the OS account mapped to it at once (see
                             app_user_map_os) */
} app_user_input;

int app_user_add(app *a, const app_actor *actor, const app_user_input *in, ct_error *err);
/* The visitor sees the record without its password hash. */
int app_user_list(app *a, const app_actor *actor, user_visit_fn visit, void *ctx, ct_error *err);
/* Disabling an account ends every session of it. */
int app_user_disable(app *a, const app_actor *actor, const char *username, ct_error *err);

typedef struct app_session {
    char token[65]; /* given to the client once (cookie); stored as its SHA-256 only */
    char username[64];
    char display_name[260];
    role role;
    char agency[32];
    int64_t expires_at;
} app_session;

/* Codes: "auth.failed" (401) for a wrong password, an unknown name, and a name locked from this
 * source (5 failures in 15 minutes), alike; "auth.rate_limited" (429, err->retry_after) for a
 * source after 20 failures in 10 minutes, whatever the names; "auth.disabled" (403). Each
 * attempt is counted before its password is checked. */
int app_login(app *a, const char *username, const char *password, const char *source,
              app_session *out, ct_error *err);
/* The session of a token, or "session.invalid" (401): unknown, expired, or its user disabled. */
int app_session_resolve(app *a, const char *token, app_session *out, ct_error *err);
int app_logout(app *a, const char *token, ct_error *err);
/* Ends every other session of the account (s stays open). */
int app_password_change(app *a, const app_session *s, const char *old_password,
                        const char *new_password, ct_error *err);
/* The actor of a session, for the other app functions (valid while s lives). */
app_actor app_session_actor(const app_session *s, const char *source);

/* ---- the command line's accounts: who acts when a person runs the program ---- */

/* Map an operating-system account (its login name, 1–32 of A–Z a–z 0–9 . _ -, not starting
 * with '-') to an account, or end the mapping (os_user NULL or ""). One OS account answers for
 * at most one account (409 "user.os_user_taken"). CA administrator; audited as user.map_os. */
int app_user_map_os(app *a, const app_actor *actor, const char *username, const char *os_user,
                    ct_error *err);
/* The account the OS user os_user acts as, as a session without a token (out->token "",
 * expires_at 0): 404 "user.os_unmapped" when none, 403 "auth.disabled" when it is disabled. */
int app_os_account(app *a, const char *os_user, app_session *out, ct_error *err);
/* app_login for the command line, from the OS account os_user. The failures of a name are
 * counted per OS account as the API counts them per address (5 in 15 minutes lock the name
 * from there, with the same answer as a wrong password), but from the audit trail, since each
 * command line is a process of its own. The attempt's audit row has source "cli:OS_USER". */
int app_login_local(app *a, const char *username, const char *password, const char *os_user,
                    app_session *out, ct_error *err);

/* ---- the audit trail ---- */

/* A serial recorded for a token's certificate (cert.reserve) that no cert.issue followed: a
 * provisioning that failed or was cut off. */
typedef struct app_unissued {
    char serial[41];
    char token[64];
    int64_t at;
} app_unissued;

#define APP_UNISSUED_LISTED 16

typedef struct app_audit_report {
    int64_t rows;
    int64_t first_bad_id; /* 0 when the chain is intact */
    char problem[512];
    size_t unissued; /* how many; the first APP_UNISSUED_LISTED are listed, oldest first */
    app_unissued unissued_list[APP_UNISSUED_LISTED];
    int64_t head_id; /* the newest row, whose hash every later row will chain from */
    char head_hash[65];
    int64_t checkpoints;    /* signed checkpoints in the database, checked */
    int64_t bad_checkpoint; /* the first that is not to be believed (first_bad_id is then -1) */
    bool external_checked;  /* a checkpoint kept outside the database was compared too */
} app_audit_report;

/* Walk the chain and compare it with every signed checkpoint; also account for every serial
 * reserved for a token (report->unissued). Each problem is named in report->problem: an edited
 * row, rows missing in the middle, rows out of order, rows deleted at the end (a checkpoint
 * covers more rows than there are), a forged or deleted checkpoint. */
int app_audit_verify(app *a, const app_actor *actor, app_audit_report *report, ct_error *err);
/* The same, also against a checkpoint kept outside the database (external: the text of the
 * checkpoint file, or of /audit/checkpoint; its last line counts): a database put back to an
 * older copy no longer reaches the row it signed. 400 "audit.checkpoint_invalid" when that
 * checkpoint is unreadable or not signed by this instance's audit-signing key. */
int app_audit_verify_with(app *a, const app_actor *actor, const char *external,
                          app_audit_report *report, ct_error *err);

/* Sign a checkpoint of the audit trail if one is due (every [audit] checkpoint_rows rows or
 * checkpoint_minutes minutes; force: whenever the trail grew since the last), and write it
 * outside the database too (the checkpoint file, syslog). *made says whether one was made (into
 * out, which may be NULL). CA roles and the server's upkeep. */
int app_audit_checkpoint(app *a, const app_actor *actor, bool force, audit_checkpoint *out,
                         bool *made, ct_error *err);
/* The latest checkpoint as the JSON line that is published (malloc'd); 404
 * "audit.no_checkpoint" before the first. Public: it says nothing but a count and a hash. */
int app_audit_checkpoint_latest(app *a, char **line, ct_error *err);

/* ---- backup and restore (app_backup.c) ---- */

typedef struct app_backup_options {
    bool with_secrets;      /* the keys, secrets/, the token store, sealed into one file */
    const char *passphrase; /* with_secrets: what seals them (at least 12 characters) */
} app_backup_options;

/* Copy the instance, while it serves, into dir (new or empty; 0700, files 0600): the database
 * as one snapshot, the configuration, CA certificates, holiday files, the audit checkpoint file,
 * and manifest.json describing them (sizes, SHA-256, schema version, audit head). CA
 * administrator; audited as "instance.backup". *manifest (the caller's) is the manifest plus
 * its own SHA-256. 409 "backup.dir_not_empty"; 400 "backup.passphrase_missing" / "_weak". On
 * failure nothing is left in dir. */
int app_backup(app *a, const app_actor *actor, const char *dir, const app_backup_options *opt,
               json_t **manifest, ct_error *err);

/* Asked for the backup's passphrase only when it holds sealed secrets; 0 with out filled. */
typedef int (*app_passphrase_fn)(void *ctx, char *out, size_t size);

/* Make an instance at home (new or empty) from the backup in dir: every file's hash checked
 * and the secrets opened before anything is written (400 "restore.file_corrupt" naming the
 * file, "restore.passphrase_wrong", 409 "restore.home_not_empty"), then the files written, the
 * database's integrity check, its schema and audit head compared with the manifest, `audit
 * verify` against the checkpoint file, and "instance.restore" audited in the new instance. A
 * failure after writing removes what was written. *report (the caller's): what went where.
 * A backup of a PostgreSQL instance (database.pgdump) is restored with pg_restore into the
 * database at database_url, which must hold no table (409 "restore.database_not_empty", 400
 * "restore.database_url" without one), and the restored chungthu.ini names it; database_url is
 * refused for an SQLite backup. A failure after pg_restore leaves the database filled: drop it. */
int app_restore(const char *dir, const char *home, const char *database_url, const app_actor *actor,
                app_passphrase_fn ask, void *ctx, json_t **report, ct_error *err);

/* ---- moving an SQLite instance to PostgreSQL (app_store_migrate.c) ---- */

/* Copy the instance's SQLite database into the empty PostgreSQL database at url (store.h,
 * store_copy_to_postgresql: one transaction, row counts compared table by table), after its
 * audit chain verified on SQLite (409 "store.migrate_audit_broken"); then on the copy, the chain
 * verified as `audit verify` does and "store.migrated" audited there (the SQLite file is left as
 * it was). switch_config: [database] backend and url written into chungthu.ini. The CA
 * administrator only. *report (the caller's): the counts, where from, whether switched. */
int app_store_migrate(app *a, const app_actor *actor, const char *url, bool switch_config,
                      json_t **report, ct_error *err);

/* ---- the health check (app_doctor.c): `chungthu doctor` ---- */

typedef enum { APP_DOCTOR_OK, APP_DOCTOR_WARNING, APP_DOCTOR_ERROR } app_doctor_status;
/* "ok", "warning", "error" */
const char *app_doctor_status_name(app_doctor_status s);

#define APP_DOCTOR_MAX_CHECKS 16
#define APP_DOCTOR_MESSAGE 2048

/* One check: its stable name ("file_modes", "ca_ocsp", "crl_issuing", …), its finding in words
 * an operator can act on (what is wrong, and the command that mends it), and its figures as a
 * JSON object (days left, free bytes, the audit head, …). */
typedef struct app_doctor_check {
    const char *name;
    app_doctor_status status;
    char vi[APP_DOCTOR_MESSAGE];
    char en[APP_DOCTOR_MESSAGE];
    struct json_t *figures; /* owned; freed by app_doctor_report_free */
} app_doctor_check;

typedef struct app_doctor_report {
    app_doctor_check checks[APP_DOCTOR_MAX_CHECKS];
    size_t n;
    app_doctor_status worst;
} app_doctor_report;

/* Check the instance at home, changing nothing but what opening it always does (app_open
 * tightens a loosened database file): the modes of its private files (looked at before
 * anything opens them), that it opens, its CA certificates (chain, days left), its CRLs'
 * freshness, the token module, the database's integrity and schema, the free disk space, the
 * audit chain and the clock, all by app_now(). An instance that does not open is a finding (the
 * check "instance"), not a failure: -1 only for a role that may not look (CA roles, auditor,
 * system) or no memory. Free the report with app_doctor_report_free(), also after -1. */
int app_doctor(const char *home, const app_actor *actor, app_doctor_report *out, ct_error *err);
void app_doctor_report_free(app_doctor_report *r);

/* ---- views (app_view.c): the one JSON form of each record, for the API and `--json` ---- */

/* Each returns a new reference (json_decref it); a dossier's and an applicant's view list the
 * actions actor may take now (actor NULL: none), an applicant's only while d is accepted; an
 * applicant's "flags" are empty here (app_dossier_applicant_views fills them). */
json_t *app_view_time(int64_t t);
json_t *app_view_agency(const agency_record *r);
json_t *app_view_dossier(const app_actor *actor, const dossier_record *d, int64_t now);
json_t *app_view_applicant(const app_actor *actor, const dossier_record *d,
                           const applicant_record *ap, int64_t now);
/* One row of a Mẫu 02 list as read (every field; the category with its label). */
json_t *app_view_mau02_row(const mau02_applicant *row);
/* The subscriber's lookup: the applicant's state and times, and, while the dossier is not
 * accepted, the dossier's state and reason (a supplement asked for, a rejection); no personal
 * data. */
json_t *app_view_lookup(const dossier_record *d, const applicant_record *ap);
json_t *app_view_cert(const cert_record *c);
/* A token, with the care actions the actor may take now (actor NULL: none). */
json_t *app_view_token(const app_actor *actor, const token_record *t);
json_t *app_view_user(const user_record *u);
json_t *app_view_draft(const draft_record *d);
json_t *app_view_audit(const audit_entry *e);

/* The applicants of a dossier the actor may see, in list order, each as app_view_applicant()
 * with the flags of the CA officer's check (app_check.c) in its "flags": [{code, vi, en}, …].
 * visit owns each view (json_decref it); non-zero from visit stops the walk. */
typedef int (*applicant_view_fn)(void *ctx, const applicant_record *ap, json_t *view);
int app_dossier_applicant_views(app *a, const app_actor *actor, const char *code, int64_t now,
                                applicant_view_fn visit, void *ctx, ct_error *err);

/* ---- four eyes (app_approval.c): steps that need a second person ---- */

/*
 * [approvals] in chungthu.ini says, per action, how many distinct people must agree: revoke
 * (default 2), user (account add and disable; default 2), role (default 2), accept, issue and
 * publish (dossier steps; default 1). A step that needs two does
 * nothing yet: it is checked as it would be now, recorded as a pending request (audited), and
 * the *_or_request functions return 1 with the request in *pending (0: done at once, -1:
 * refused). The plain functions (app_cert_revoke, app_user_add, app_user_disable) answer a
 * request with -1 and 202 "approval.pending". A second person whose role may take the action
 * approves (the step is carried out in the approval's transaction, exactly as if done
 * directly, audited with both names) or declines it with a reason (nothing changes).
 */
#define APP_PENDING 1
int app_cert_revoke_or_request(app *a, const app_actor *actor, const char *serial,
                               const char *reason, approval_record *pending, ct_error *err);
int app_user_add_or_request(app *a, const app_actor *actor, const app_user_input *in,
                            approval_record *pending, ct_error *err);
int app_user_disable_or_request(app *a, const app_actor *actor, const char *username,
                                approval_record *pending, ct_error *err);
/* A dossier step; accept, issue and publish are gated by [approvals] accept, issue, publish
 * (default 1). One request per step and dossier waits at a time. An approved issue is carried
 * out by the approver's own call, right after the approval's commit (it provisions tokens, which
 * cannot happen inside a transaction); if it fails, the request is pending again. */
int app_dossier_step_or_request(app *a, const app_actor *actor, const char *code,
                                proc_action action, const app_step_args *args,
                                approval_record *pending, ct_error *err);
/* An account's role changed (agency: for an agency role, its agency); every session of the
 * account ends. CA administrator; gated by [approvals] role (default 2). */
int app_user_set_role_or_request(app *a, const app_actor *actor, const char *username,
                                 const char *role, const char *agency, approval_record *pending,
                                 ct_error *err);
int app_user_set_role(app *a, const app_actor *actor, const char *username, const char *role,
                      const char *agency, ct_error *err);
/* The pending requests the actor's role may decide, oldest first. */
int app_approval_list(app *a, const app_actor *actor, approval_visit_fn visit, void *ctx,
                      ct_error *err);
int app_approval_get(app *a, const app_actor *actor, int64_t id, approval_record *out,
                     ct_error *err);
/* 403 "approval.own_request" for the requester; 403 "role.forbidden" for a role that may not
 * take the action; 409 "approval.decided" once approved or declined (of twenty approving at
 * once, exactly one carries the step out); the step's own refusal (409 "cert.already_revoked",
 * …) leaves the request pending. out (may be NULL) receives the decided request. */
int app_approval_approve(app *a, const app_actor *actor, int64_t id, approval_record *out,
                         ct_error *err);
/* reason: 1–500 characters (400 "approval.reason"). */
int app_approval_decline(app *a, const app_actor *actor, int64_t id, const char *reason,
                         approval_record *out, ct_error *err);
/* A request as JSON (parameters as an object, a password hash left out). */
json_t *app_view_approval(const approval_record *r);

#endif
