/*
 * app_internal.h — what the app_*.c files share among themselves; not for the faces.
 */
#ifndef CT_APP_INTERNAL_H
#define CT_APP_INTERNAL_H

#include <jansson.h>

#include "app/app.h"
#include "core/calendar.h"
#include "pki/ca.h"

struct app {
    app_config cfg;
    store *db;
    pki_ca root;
    pki_ca issuing;
    pki_ca ocsp;
    char crl_url_root[CFG_TEXT + 32];
    char crl_url_issuing[CFG_TEXT + 32];
    char ocsp_url[CFG_TEXT + 32];
    char ca_url_root[CFG_TEXT + 32];
    char ca_url_issuing[CFG_TEXT + 32];
    struct status_state *status; /* app_status.c: pre-signed OCSP responses, CRL schedule */
    ct_calendar *cal;            /* working days, from the instance's holiday files */
    struct token_state *tokens;  /* app_token.c: the PKCS#11 module, opened on first use */
};

/* Fill the public URLs of the config (CDP, AIA) into a. */
void app_set_urls(app *a);

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
int cert_sign_request(app *a, const app_cert_request *req,
                      const unsigned char serial[CERT_SERIAL_LEN], int64_t now, cert_record *rec,
                      ct_error *err);
int cert_store_signed(app *a, const app_actor *actor, const cert_record *rec, ct_error *err);
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
 * check a submission (list parsed, confirmation, channel, agency; *list malloc'd), then create
 * the dossier, its applicants and the audit row inside the caller's transaction. */
int dossier_check_submission(app *a, const app_actor *actor, const app_submission *in,
                             dossier_record *d, struct mau02_applicant **list, size_t *count,
                             ct_error *err);
int dossier_create(app *a, const app_actor *actor, dossier_record *d,
                   const struct mau02_applicant *list, size_t count, ct_error *err);
/* app_mau02_json.c: the list as JSON, an array of objects (or {"applicants": [...]}) with the
 * Mẫu 02 fields by name, each checked as mau02_check_row() checks a CSV row, then duplicates;
 * codes json.malformed, json.type, mau02.empty and mau02_check_row's. *out malloc'd. */
int mau02_parse_json(const unsigned char *data, size_t len, const char *today,
                     struct mau02_applicant **out, size_t *count, ct_error *err);

/* app_token.c: step 2 on a token. token_issue_applicant takes a blank token from stock,
 * provisions it (keys generated on it), signs the certificate on hold, writes it to the token,
 * proves the pair, and returns with a store transaction OPEN holding the certificate and token
 * rows: the caller adds its own rows and commits, or rolls back and calls token_issue_undo()
 * (which wipes the token back to blank). On failure nothing is left: no certificate row, the
 * token wiped or marked damaged, the error naming the step. */
typedef struct issued_token {
    cert_record cert;
    char token_serial[40];
    char token_label[40];
    char user_pin[16];
    char envelope_path[CFG_PATH + 64];
} issued_token;
int token_issue_applicant(app *a, const app_actor *actor, const dossier_record *d,
                          const applicant_record *ap, issued_token *out, ct_error *err);
void token_issue_undo(app *a, const issued_token *t);
void issued_token_free(issued_token *t);
/* Move a stock token to a new state (inside the caller's transaction). "" serial: no-op. */
int token_set_state(app *a, const char *serial, const char *state, ct_error *err);
void app_token_close(app *a);
/* The issuing CA's key on an HSM ([ca] key_storage = pkcs11): generated at init, opened after.
 * The key stays open (logged in) until app_token_close(). */
int token_ca_signer(app *a, bool generate, pki_key_type type, pki_signer **out, ct_error *err);

/* app_user.c: the demo agency and one account per role, for `init --demo`. */
int users_create_demo(app *a, const app_actor *actor, ct_error *err);

/* app_status.c: set up and tear down the status state (called by app_open/app_close), and the
 * hook every status change calls after its commit (a new certificate, publication,
 * revocation): the CRLs and OCSP responses are re-signed. */
int app_status_open(app *a, ct_error *err);
void app_status_close(app *a);
void app_status_changed(app *a);

#endif
