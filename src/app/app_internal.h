/*
 * app_internal.h — what the app_*.c files share among themselves; not for the faces.
 */
#ifndef CT_APP_INTERNAL_H
#define CT_APP_INTERNAL_H

#include <jansson.h>

#include "app/app.h"
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
};

/* Current time in Unix seconds. */
int64_t app_now(void);

/* Fill the public URLs of the config (CDP, AIA) into a. */
void app_set_urls(app *a);

/* Append an audit row (inside the caller's transaction). detail is consumed. */
int audit_append(app *a, const app_actor *actor, const char *action, const char *object,
                 json_t *detail, ct_error *err);

/* app_status.c: set up and tear down the status state (called by app_open/app_close), and the
 * hook every status change calls after its commit (a new certificate, publication,
 * revocation): the CRLs and OCSP responses are re-signed. */
int app_status_open(app *a, ct_error *err);
void app_status_close(app *a);
void app_status_changed(app *a);

#endif
