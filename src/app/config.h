/*
 * config.h — an instance's configuration: the INI file chungthu.ini in the instance's home.
 *
 * Every value has a default fit for a demonstration CA (clearly marked as a test CA, not the
 * Government's); `init` writes the file with them so an operator sees every knob in one place.
 */
#ifndef CT_APP_CONFIG_H
#define CT_APP_CONFIG_H

#include <stdbool.h>

#include "core/error.h"

#define CFG_PATH 512
#define CFG_TEXT 256

typedef struct app_config {
    char home[CFG_PATH];

    /* [instance] */
    char unit_code[CFG_TEXT]; /* V1V2V3.Z1Z2.Y1Y2.MX1X2 part of dossier codes */

    /* [ca] */
    char operator_name[CFG_TEXT]; /* O of the CA certificates */
    char root_name[CFG_TEXT];
    char issuing_name[CFG_TEXT];
    char ocsp_name[CFG_TEXT];
    char root_key[16];    /* rsa4096 | p384 */
    char issuing_key[16]; /* rsa3072 | p256 | p384 */
    int root_days;
    /* 1: the root's key is kept offline (key ceremony): no ca/root.key here, root CRLs are
     * imported (`ca import-crl`), never signed by the instance */
    int root_offline;
    int issuing_days;
    int ocsp_days;
    char audit_name[CFG_TEXT]; /* the audit-signing certificate's common name */
    int audit_days;
    char audit_eku[64];             /* its extended key usage OID */
    int checkpoint_rows;            /* a signed checkpoint every this many audit rows… */
    int checkpoint_minutes;         /* …or this many minutes, whichever comes first */
    char checkpoint_file[CFG_PATH]; /* each checkpoint also appended here, one JSON line */

    int ocsp_renew_days;  /* the responder certificate is renewed with this many days left */
    char key_storage[16]; /* the issuing CA's key: file | pkcs11 */
    char hsm_token[40];   /* pkcs11: the HSM token's label */
    char hsm_pin_env[64]; /* pkcs11: the environment variable holding its user PIN */
    char passphrase_file[CFG_PATH]; /* relative to home unless absolute */
    char passphrase_env[64];

    /* [profile] */
    char policy_oid[CFG_TEXT];
    char cps_uri[CFG_TEXT];
    char base_url[CFG_TEXT]; /* public URL of this CA's website: CDP, AIA, OCSP */
    char subscriber_key[16]; /* rsa2048 | rsa3072 | p256 */
    int default_days;
    int max_days;

    /* [database] */
    char db_backend[16];
    char db_path[CFG_PATH];
    char db_url[CFG_PATH];

    /* [token] */
    char token_module[CFG_PATH];
    char token_dir[CFG_PATH];
    /* tokens a dossier's issue provisions at once, one thread each (0: one per core); never
     * more than the cores, since key generation on the token is what takes the time */
    int token_parallel;

    /* [office] */
    int cutoff_min;  /* intake cut-off, minutes after local midnight */
    int opening_min; /* office opening time: pickups are within opening..closing */
    int closing_min; /* office closing time */
    char holidays_dir[CFG_PATH];
    char office_name[CFG_TEXT]; /* where dossiers are received and results collected */
    char office_address[CFG_TEXT];
    /* the heading of the office's official papers (Decree 30/2020): the body above it, its own
     * abbreviation in the papers' symbols, and the place in "Hà Nội, ngày …" */
    char office_parent[CFG_TEXT];
    char office_symbol[32];
    char office_place[64];

    /* [server] */
    char listen[64];
    /* Peers whose X-Forwarded-For is believed: addresses or CIDR ranges, separated by commas
     * or spaces (e.g. "127.0.0.1, ::1" for nginx on the same machine); empty: none. */
    char trusted_proxies[CFG_TEXT];
    int header_timeout;  /* seconds from accept (or the previous answer) to a whole request head */
    int body_timeout;    /* seconds from the head to the whole body */
    int max_connections; /* open at once, overall */
    int max_connections_per_client; /* open at once from one address (trusted proxies exempt) */
    int upkeep_interval; /* seconds between the upkeep's rounds (publication, CRLs, e-mail…) */
    /* How long an HTTP cache in front (nginx, a CDN) may keep an OCSP GET answer or a CRL:
     * max-age is the smaller of this and the time to nextUpdate, so a revocation is seen through
     * the cache within it. 0: until nextUpdate (RFC 5019's bound). */
    int cache_max_age;
    /* OCSP answers a process keeps pre-signed in memory (about 2 KB each); when full, the oldest
     * of a bucket go first (app_status.c). */
    int ocsp_cache_entries;

    /* [limits] (0: no limit) */
    int dossiers_per_agency_day;   /* dossiers an agency's accounts may submit in one day */
    int dossiers_per_account_hour; /* dossiers one agency account may submit in an hour */

    /* [approvals] four eyes: how many distinct people must agree to a step (1: the one doing
     * it; 2: a second person approves the first one's request) */
    int approvals_revoke;   /* certificate revocation */
    int approvals_user;     /* accounts: user add, disable */
    int approvals_role;     /* an account's role changed */
    int approvals_accept;   /* a dossier accepted as valid */
    int approvals_issue;    /* keys and certificates issued for a dossier's applicants */
    int approvals_publish;  /* certificates published (taken off hold) */
    int approvals_activate; /* the issuing CA's key put in use after `ca import` */
    int approvals_suspend;  /* a certificate suspended on an agency's request */

    /* [deadlines] the CA's working days for each kind of request, from receipt (a new
     * issuance's step 2 is the procedure's 3 working days, fixed) */
    int suspension_days;
    int resumption_days;
    int revocation_days;
    int renewal_days;
    int change_days;
    int pin_reset_days; /* token care as dossier kinds */
    int token_lost_days;
    int token_broken_days;

    /* [lifecycle] renewal and change of details */
    int renewal_window_days; /* a certificate is renewed only this close to its end */
    int renewal_revokes_old; /* 1: the renewed certificate is revoked (superseded) at the new
                                one's publication; 0: it runs to its end */
    int renewal_rekey;       /* 1: a renewal makes a new key pair on the token; 0: the new
                                certificate is for the key the token holds (app_token.c) */

    /* [mail] e-mail notices through an SMTP server (docs/operator-guide.md, "E-mail") */
    char mail_smtp_url[CFG_TEXT];   /* smtp://host:port or smtps://host:port; "": no e-mail */
    char mail_starttls[16];         /* required | opportunistic | off (smtp:// only) */
    char mail_username[CFG_TEXT];   /* "": no authentication */
    char mail_password_env[64];     /* the environment variable holding the password */
    char mail_from[CFG_TEXT];       /* "Name <addr>"; "": noreply@ the host of base_url */
    char mail_ca_file[CFG_PATH];    /* CA certificates the server's is checked against; "": the
                                       system's */
    int mail_max_attempts;          /* a message is failed after this many attempts */
    int mail_backoff_seconds;       /* the first retry's wait; doubled each time… */
    int mail_backoff_max_seconds;   /* …up to this */
    int mail_timeout_seconds;       /* one delivery attempt, connection to end */
    char mail_expiry_days_text[64]; /* "60, 30, 7" */
    /* the same, parsed by config_load: days before a certificate's end, largest first */
#define CFG_EXPIRY_MAX 8
    int mail_expiry_days[CFG_EXPIRY_MAX];
    int mail_expiry_count;
} app_config;

void config_defaults(app_config *cfg, const char *home);
/* Read home/chungthu.ini over the defaults. Unknown keys are errors (a typo must not silently
 * leave a default in force). */
int config_load(app_config *cfg, const char *home, ct_error *err);
int config_write(const app_config *cfg, const char *path, ct_error *err);
/* One setting of chungthu.ini, for its manual page: section, key, what it sets, whether a
 * reload applies it, and its value in a config as the file writes it. */
typedef struct config_setting_info {
    const char *section;
    const char *name;
    const char *about;
    /* true: a reload puts a new value in force (every reader takes it at its next use); false:
     * it is bound when the instance opens or the server starts, and needs a restart */
    bool live;
    char value[CFG_PATH + 16];
} config_setting_info;
/* The i-th setting, in the order the file lists them; false past the last. */
bool config_setting(size_t i, const app_config *cfg, config_setting_info *out);
/* The i-th setting's value copied from src into dst (a reload keeping a restart key's running
 * value in the configuration it puts in force). */
void config_setting_copy(size_t i, app_config *dst, const app_config *src);
/* Resolve a path from the config: absolute as is, else relative to home. */
void config_path(const app_config *cfg, const char *rel, char *out, size_t size);

#endif
