/*
 * config.c — reading and writing chungthu.ini (inih). See config.h.
 */
#include "app/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

void config_defaults(app_config *c, const char *home)
{
    memset(c, 0, sizeof *c);
    snprintf(c->home, sizeof c->home, "%s", home);
    snprintf(c->unit_code, sizeof c->unit_code, "G12.35.01.H99");
    snprintf(c->operator_name, sizeof c->operator_name, "chungthu TEST CA operator");
    snprintf(c->root_name, sizeof c->root_name, "chungthu TEST Root CA (not the Government CA)");
    snprintf(c->issuing_name, sizeof c->issuing_name,
             "chungthu TEST Issuing CA (not the Government CA)");
    snprintf(c->ocsp_name, sizeof c->ocsp_name, "chungthu TEST OCSP Responder");
    snprintf(c->root_key, sizeof c->root_key, "rsa4096");
    snprintf(c->issuing_key, sizeof c->issuing_key, "rsa3072");
    c->root_days = 20 * 365 + 5;
    c->issuing_days = 10 * 365 + 2;
    c->ocsp_days = 30;
    snprintf(c->audit_name, sizeof c->audit_name, "chungthu TEST Audit Checkpoints");
    c->audit_days = 365;
    /* under the same documentation arc as the test policy (1.3.6.1.4.1.32473.1.1) */
    snprintf(c->audit_eku, sizeof c->audit_eku, "1.3.6.1.4.1.32473.1.2");
    c->checkpoint_rows = 100;
    c->checkpoint_minutes = 60;
    snprintf(c->checkpoint_file, sizeof c->checkpoint_file, "audit-checkpoints.jsonl");
    c->ocsp_renew_days = 7;
    snprintf(c->key_storage, sizeof c->key_storage, "file");
    snprintf(c->hsm_token, sizeof c->hsm_token, "chungthu-ca");
    snprintf(c->hsm_pin_env, sizeof c->hsm_pin_env, "CHUNGTHU_HSM_PIN");
    snprintf(c->passphrase_file, sizeof c->passphrase_file, "secrets/ca-passphrase");
    snprintf(c->passphrase_env, sizeof c->passphrase_env, "CHUNGTHU_CA_PASSPHRASE");
    /* A test policy under 1.3.6.1.4.1.32473, the arc RFC 5612 reserves for documentation. Its
     * arcs are small: decoders such as Go's crypto/x509 before 1.22 and Python's cryptography
     * 38 refuse a certificate whose policy OID has an arc above 2^31 - 1 (a 2.25 UUID arc). */
    snprintf(c->policy_oid, sizeof c->policy_oid, "1.3.6.1.4.1.32473.1.1");
    snprintf(c->cps_uri, sizeof c->cps_uri, "http://127.0.0.1:8080/cps");
    snprintf(c->base_url, sizeof c->base_url, "http://127.0.0.1:8080");
    snprintf(c->subscriber_key, sizeof c->subscriber_key, "rsa2048");
    c->default_days = 3 * 365;
    c->max_days = 5 * 365 + 1;
    snprintf(c->db_backend, sizeof c->db_backend, "sqlite");
    snprintf(c->db_path, sizeof c->db_path, "chungthu.db");
    snprintf(c->token_module, sizeof c->token_module, "/usr/lib/softhsm/libsofthsm2.so");
    snprintf(c->token_dir, sizeof c->token_dir, "tokens");
    c->cutoff_min = 16 * 60 + 30;
    c->opening_min = 7 * 60 + 30;
    c->closing_min = 17 * 60;
    snprintf(c->holidays_dir, sizeof c->holidays_dir, "holidays");
    snprintf(c->office_name, sizeof c->office_name,
             "Cục Chứng thực số và Bảo mật thông tin (bản thử nghiệm)");
    snprintf(c->office_address, sizeof c->office_address,
             "23 Ngụy Như Kon Tum, Thanh Xuân, Hà Nội");
    snprintf(c->office_parent, sizeof c->office_parent, "Ban Cơ yếu Chính phủ");
    snprintf(c->office_symbol, sizeof c->office_symbol, "CTS");
    snprintf(c->office_place, sizeof c->office_place, "Hà Nội");
    snprintf(c->listen, sizeof c->listen, "127.0.0.1:8080");
    c->dossiers_per_agency_day = 200;
    c->dossiers_per_account_hour = 30;
    c->header_timeout = 10;
    c->body_timeout = 120;
    c->max_connections = 4000;
    c->upkeep_interval = 60;
    c->max_connections_per_client = 256;
    c->cache_max_age = 300;
    c->ocsp_cache_entries = 1000000;
    c->approvals_revoke = 2;
    c->approvals_user = 2;
    c->approvals_role = 2;
    c->approvals_accept = 1;
    c->approvals_issue = 1;
    c->approvals_publish = 1;
    c->approvals_activate = 2;
    c->approvals_suspend = 1;
    c->suspension_days = 1;
    c->resumption_days = 1;
    c->revocation_days = 1;
    c->renewal_days = 3;
    c->change_days = 3;
    c->pin_reset_days = 1;
    c->token_lost_days = 1;
    c->token_broken_days = 1;
    c->renewal_window_days = 60;
    c->renewal_revokes_old = 0;
    c->renewal_rekey = 1;
    snprintf(c->mail_starttls, sizeof c->mail_starttls, "opportunistic");
    snprintf(c->mail_password_env, sizeof c->mail_password_env, "CHUNGTHU_SMTP_PASSWORD");
    c->mail_max_attempts = 10;
    c->mail_backoff_seconds = 60;
    c->mail_backoff_max_seconds = 6 * 3600;
    c->mail_timeout_seconds = 60;
    snprintf(c->mail_expiry_days_text, sizeof c->mail_expiry_days_text, "60, 30, 7");
    c->mail_expiry_days[0] = 60;
    c->mail_expiry_days[1] = 30;
    c->mail_expiry_days[2] = 7;
    c->mail_expiry_count = 3;
}

typedef enum { KIND_TEXT, KIND_INT, KIND_TIME, KIND_BOOL } key_kind;

typedef struct {
    const char *section;
    const char *name;
    key_kind kind;
    size_t offset;
    size_t size;       /* for text */
    const char *about; /* what it sets, for chungthu.ini(5) */
    bool live;         /* a reload applies it (see config_setting_info) */
} config_key;

/* A key bound when the instance opens or the server starts: a reload keeps its running value.
 * A new key is one of these until every reader of it takes the configuration in force at each
 * use (app_cfg); then its row says LIVE_. */
#define TEXT_KEY(sec, key, field, about)                                                           \
    {                                                                                              \
        sec, key, KIND_TEXT, offsetof(app_config, field), sizeof(((app_config *)0)->field), about, \
            false                                                                                  \
    }
#define INT_KEY(sec, key, field, about)                                                            \
    {                                                                                              \
        sec, key, KIND_INT, offsetof(app_config, field), sizeof(int), about, false                 \
    }
#define TIME_KEY(sec, key, field, about)                                                           \
    {                                                                                              \
        sec, key, KIND_TIME, offsetof(app_config, field), sizeof(int), about, false                \
    }
/* A key a reload puts in force: every reader takes it from the configuration in force at its
 * next use, and nothing made at open was derived from it. */
#define LIVE_TEXT_KEY(sec, key, field, about)                                                      \
    {                                                                                              \
        sec, key, KIND_TEXT, offsetof(app_config, field), sizeof(((app_config *)0)->field), about, \
            true                                                                                   \
    }
#define LIVE_INT_KEY(sec, key, field, about)                                                       \
    {                                                                                              \
        sec, key, KIND_INT, offsetof(app_config, field), sizeof(int), about, true                  \
    }
/* A yes/no key, written true or false (an int field: 1 or 0). */
#define LIVE_BOOL_KEY(sec, key, field, about)                                                      \
    {                                                                                              \
        sec, key, KIND_BOOL, offsetof(app_config, field), sizeof(int), about, true                 \
    }
#define LIVE_TIME_KEY(sec, key, field, about)                                                      \
    {                                                                                              \
        sec, key, KIND_TIME, offsetof(app_config, field), sizeof(int), about, true                 \
    }

static const config_key keys[] = {
    LIVE_TEXT_KEY("instance", "unit_code", unit_code,
                  "the V1V2V3.Z1Z2.Y1Y2.MX1X2 part of dossier codes: the receiving unit"),
    TEXT_KEY("ca", "operator", operator_name, "the organisation (O) in the CA certificates"),
    TEXT_KEY("ca", "root_name", root_name, "the root CA's common name"),
    TEXT_KEY("ca", "issuing_name", issuing_name, "the issuing CA's common name"),
    TEXT_KEY("ca", "ocsp_name", ocsp_name, "the OCSP responder's common name"),
    TEXT_KEY("ca", "root_key", root_key, "the root CA's key type at init: rsa4096 or p384"),
    TEXT_KEY("ca", "issuing_key", issuing_key,
             "the issuing CA's (and OCSP responder's) key type at init: rsa3072, p256 or p384"),
    INT_KEY("ca", "root_days", root_days, "the root CA certificate's validity, in days"),
    INT_KEY("ca", "root_offline", root_offline,
            "1: the root CA's key is kept offline by a key ceremony (init --offline-root); root "
            "CRLs come from the ceremony (ca import-crl)"),
    INT_KEY("ca", "issuing_days", issuing_days,
            "the issuing CA certificate's validity, in days (never past the root's)"),
    LIVE_INT_KEY("ca", "ocsp_days", ocsp_days,
                 "the OCSP responder certificate's validity, in days"),
    TEXT_KEY("audit", "signer_name", audit_name,
             "the audit-signing certificate's common name (it signs the trail's checkpoints)"),
    INT_KEY("audit", "signer_days", audit_days,
            "the audit-signing certificate's validity, in days"),
    TEXT_KEY("audit", "signer_eku", audit_eku,
             "the extended key usage OID in the audit-signing certificate"),
    LIVE_INT_KEY(
        "audit", "checkpoint_rows", checkpoint_rows,
        "a signed checkpoint of the audit trail after this many new rows (0: by time only)"),
    LIVE_INT_KEY("audit", "checkpoint_minutes", checkpoint_minutes,
                 "a signed checkpoint at least this often while the trail grows, in minutes"),
    LIVE_TEXT_KEY(
        "audit", "checkpoint_file", checkpoint_file,
        "each checkpoint is also appended to this file, one JSON line (keep a copy off the "
        "machine)"),
    LIVE_INT_KEY(
        "ca", "ocsp_renew_days", ocsp_renew_days,
        "the OCSP responder gets a new key and certificate when fewer days than this are left "
        "(at most half its life)"),
    TEXT_KEY("ca", "key_storage", key_storage,
             "where the issuing CA's key lives: file (encrypted under the passphrase) or pkcs11 "
             "(an HSM token)"),
    TEXT_KEY("ca", "hsm_token", hsm_token,
             "pkcs11: the label of the HSM token holding the issuing CA's key"),
    TEXT_KEY("ca", "hsm_pin_env", hsm_pin_env,
             "pkcs11: the environment variable holding that token's user PIN"),
    TEXT_KEY("ca", "passphrase_file", passphrase_file,
             "the file holding the CA keys' passphrase (relative to the home unless absolute), "
             "read when passphrase_env is unset"),
    TEXT_KEY("ca", "passphrase_env", passphrase_env,
             "the environment variable holding the CA keys' passphrase, read first"),
    TEXT_KEY("profile", "policy_oid", policy_oid,
             "the certificate policy OID in subscriber certificates"),
    LIVE_TEXT_KEY("profile", "cps_uri", cps_uri, "the CPS URI in the certificate policy"),
    TEXT_KEY("profile", "base_url", base_url,
             "the public URL of the CA's website: the CRL, OCSP and CA certificate URLs in "
             "certificates"),
    LIVE_TEXT_KEY("profile", "subscriber_key", subscriber_key,
                  "the subscribers' key type made on tokens: rsa2048, rsa3072 or p256"),
    LIVE_INT_KEY("profile", "default_days", default_days,
                 "a subscriber certificate's validity when none is asked for, in days"),
    LIVE_INT_KEY(
        "profile", "max_days", max_days,
        "the longest subscriber certificate validity, in days (never past the issuing CA)"),
    TEXT_KEY("database", "backend", db_backend,
             "the database engine: sqlite (the embedded default: the file at path) or postgresql "
             "(the database at url, which several nodes may share)"),
    TEXT_KEY("database", "path", db_path,
             "sqlite: the database file (relative to the home unless absolute)"),
    TEXT_KEY("database", "url", db_url,
             "postgresql: the database's libpq URL, postgresql://USER@HOST:PORT/NAME or "
             "postgresql:///NAME?host=SOCKET_DIR; the database exists, collates as \"C\" and "
             "is the instance's alone; a password belongs in ~/.pgpass or PGPASSWORD, not here"),
    TEXT_KEY("token", "module", token_module,
             "the PKCS#11 module of the subscribers' tokens (and of the HSM)"),
    TEXT_KEY("token", "dir", token_dir,
             "SoftHSM2's token directory (relative to the home unless absolute)"),
    LIVE_INT_KEY("token", "parallel", token_parallel,
                 "tokens a dossier's issue provisions at once, each its own all-or-nothing step "
                 "(0: one per core; never more than the cores; 1: one after the other)"),
    LIVE_TIME_KEY(
        "office", "cutoff", cutoff_min,
        "the intake cut-off, HH:MM Vietnam time: a dossier received later counts from the "
        "next working day"),
    LIVE_TIME_KEY("office", "opening", opening_min,
                  "the office's opening time, HH:MM: a pickup is set within opening hours"),
    LIVE_TIME_KEY("office", "closing", closing_min, "the office's closing time, HH:MM"),
    LIVE_TEXT_KEY("office", "holidays", holidays_dir,
                  "the directory of the yearly holiday files YYYY.txt (relative to the home unless "
                  "absolute)"),
    LIVE_TEXT_KEY(
        "office", "name", office_name,
        "the office where dossiers are received and results collected, printed on the slips"),
    LIVE_TEXT_KEY("office", "address", office_address,
                  "the office's address, printed on the slips"),
    LIVE_TEXT_KEY("office", "parent", office_parent,
                  "the body above the office, first line of the papers' heading"),
    LIVE_TEXT_KEY("office", "symbol", office_symbol,
                  "the office's abbreviation in the papers' number and symbol (Số: …/…-CTS)"),
    LIVE_TEXT_KEY("office", "place", office_place, "the place name before the papers' date"),
    TEXT_KEY("server", "listen", listen, "the address and port chungthu serve listens on"),
    LIVE_INT_KEY("limits", "dossiers_per_agency_day", dossiers_per_agency_day,
                 "dossiers an agency's accounts may submit in one local day (0: no limit)"),
    LIVE_INT_KEY("limits", "dossiers_per_account_hour", dossiers_per_account_hour,
                 "dossiers one agency account may submit in an hour (0: no limit)"),
    TEXT_KEY("server", "trusted_proxies", trusted_proxies,
             "addresses or CIDR ranges whose X-Forwarded-For is believed, separated by commas or "
             "spaces (empty: none)"),
    INT_KEY("server", "header_timeout", header_timeout,
            "seconds from a connection's accept (or its previous answer) to a whole request head"),
    INT_KEY("server", "body_timeout", body_timeout,
            "seconds from a request's head to its whole body"),
    INT_KEY("server", "max_connections", max_connections,
            "connections open at once, overall (0: no cap)"),
    INT_KEY("server", "max_connections_per_client", max_connections_per_client,
            "connections open at once from one address, trusted proxies exempt (0: no cap)"),
    INT_KEY("server", "upkeep_interval", upkeep_interval,
            "seconds between the upkeep's rounds, 1–3600 (scheduled publication, CRLs, e-mail, "
            "checkpoints); with several nodes on one database, also the longest a dead leading "
            "node's upkeep waits for another node to take it over"),
    LIVE_INT_KEY("server", "cache_max_age", cache_max_age,
                 "seconds an HTTP cache in front may keep an OCSP GET answer or a CRL (max-age, "
                 "never past nextUpdate): a revocation is seen through the cache within it; 0: "
                 "until nextUpdate"),
    INT_KEY("server", "ocsp_cache_entries", ocsp_cache_entries,
            "OCSP answers a process keeps pre-signed in memory, 1–1000000 (about 2 KB each; "
            "when full the oldest make room): at least the certificates relying parties check "
            "within half a day, so that none is signed again on every request"),
    LIVE_INT_KEY("approvals", "revoke", approvals_revoke,
                 "people who must agree to revoke a certificate: 1, or 2 (a second CA officer "
                 "approves the first one's request)"),
    LIVE_INT_KEY("approvals", "user", approvals_user,
                 "people who must agree to add or disable an account: 1, or 2 (a second CA "
                 "administrator approves the first one's request)"),
    LIVE_INT_KEY("approvals", "role", approvals_role,
                 "people who must agree to change an account's role: 1, or 2 (a second CA "
                 "administrator approves the first one's request)"),
    LIVE_INT_KEY("approvals", "accept", approvals_accept,
                 "people who must agree to accept a dossier as valid: 1, or 2 (a second CA officer "
                 "approves the first one's request)"),
    LIVE_INT_KEY("approvals", "issue", approvals_issue,
                 "people who must agree to issue a dossier's keys and certificates: 1, or 2 (the "
                 "second CA officer's approval carries the issue out)"),
    LIVE_INT_KEY("approvals", "publish", approvals_publish,
                 "people who must agree to publish certificates, scheduled publications included: "
                 "1, or 2 (a CA officer approves the request)"),
    LIVE_INT_KEY("approvals", "activate", approvals_activate,
                 "people who must agree to put an imported issuing CA key in use (`ca activate`): "
                 "1, or 2 (a second CA administrator or officer approves the first one's request)"),
    LIVE_INT_KEY("approvals", "suspend", approvals_suspend,
                 "people who must agree to suspend a certificate on an agency's request: 1, or 2 "
                 "(a second CA officer approves the first one's request)"),
    LIVE_INT_KEY("deadlines", "suspension_days", suspension_days,
                 "working days from receipt within which the CA suspends a certificate asked "
                 "for (1-30)"),
    LIVE_INT_KEY("deadlines", "resumption_days", resumption_days,
                 "working days from receipt within which the CA resumes a suspended certificate "
                 "(1-30)"),
    LIVE_INT_KEY("deadlines", "revocation_days", revocation_days,
                 "working days from receipt within which the CA revokes a certificate on an "
                 "agency's request (1-30)"),
    LIVE_INT_KEY("deadlines", "renewal_days", renewal_days,
                 "working days from receipt within which the CA issues a renewal and notifies "
                 "its pickup (1-30)"),
    LIVE_INT_KEY("deadlines", "change_days", change_days,
                 "working days from receipt within which the CA issues the certificate of a "
                 "change of details and notifies its pickup (1-30)"),
    LIVE_INT_KEY("deadlines", "pin_reset_days", pin_reset_days,
                 "working days from receipt within which the CA sets a new PIN on a holder's "
                 "token and writes its envelope (1-30)"),
    LIVE_INT_KEY("deadlines", "token_lost_days", token_lost_days,
                 "working days from receipt within which the CA revokes the certificate of a "
                 "token reported lost (1-30)"),
    LIVE_INT_KEY("deadlines", "token_broken_days", token_broken_days,
                 "working days from receipt within which the CA revokes the certificate of a "
                 "token reported broken (1-30)"),
    LIVE_INT_KEY("lifecycle", "renewal_window_days", renewal_window_days,
                 "a certificate may be renewed only within this many days before its end "
                 "(1-400)"),
    LIVE_INT_KEY("lifecycle", "renewal_revokes_old", renewal_revokes_old,
                 "1: the renewed certificate is revoked as superseded when the new one is "
                 "published; 0: it stays valid to its end"),
    LIVE_BOOL_KEY("lifecycle", "renewal_rekey", renewal_rekey,
                  "true: a renewal makes a new key pair on the holder's token (a new user PIN in "
                  "a new envelope); false: the new certificate is for the key already on the "
                  "token, whose user PIN stays as it is"),
    TEXT_KEY("mail", "smtp_url", mail_smtp_url,
             "the SMTP server e-mail notices go through: smtp://HOST:PORT (STARTTLS as below) or "
             "smtps://HOST:PORT (TLS from the start); empty: no e-mail is queued"),
    TEXT_KEY("mail", "starttls", mail_starttls,
             "for smtp://: required (refuse a server without STARTTLS), opportunistic (use it "
             "when offered) or off"),
    TEXT_KEY("mail", "username", mail_username,
             "the SMTP account to authenticate as (empty: no authentication)"),
    TEXT_KEY("mail", "password_env", mail_password_env,
             "the environment variable holding that account's password (never in this file)"),
    TEXT_KEY("mail", "from", mail_from,
             "the sender, \"Name <address>\" (empty: chungthu <noreply@ the host of base_url>)"),
    TEXT_KEY("mail", "ca_file", mail_ca_file,
             "a PEM file of the CA certificates the SMTP server's certificate is checked against "
             "(empty: the system's)"),
    INT_KEY("mail", "max_attempts", mail_max_attempts,
            "delivery attempts before a message is marked failed (mail retry queues it again)"),
    INT_KEY("mail", "backoff_seconds", mail_backoff_seconds,
            "the wait before the first retry, in seconds; doubled after each failure"),
    INT_KEY("mail", "backoff_max_seconds", mail_backoff_max_seconds,
            "the longest wait between two attempts, in seconds"),
    INT_KEY("mail", "timeout_seconds", mail_timeout_seconds,
            "one delivery attempt's time limit, connection included, in seconds"),
    TEXT_KEY("mail", "expiry_notice_days", mail_expiry_days_text,
             "days before a certificate's end at which the agency and the subscriber are told, "
             "each once (a list, e.g. 60, 30, 7; empty: no notices)"),
};

typedef struct {
    app_config *cfg;
    ct_error *err;
    bool failed;
} load_ctx;

static int parse_hhmm(const char *v, int *out)
{
    int h, m;
    char tail;

    if (sscanf(v, "%d:%d%c", &h, &m, &tail) != 2 || h < 0 || h > 23 || m < 0 || m > 59)
        return -1;
    *out = h * 60 + m;
    return 0;
}

static int on_value(void *user, const char *section, const char *name, const char *value)
{
    load_ctx *ctx = user;

    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const config_key *k = &keys[i];
        char *field = (char *)ctx->cfg + k->offset;
        if (strcmp(k->section, section) != 0 || strcmp(k->name, name) != 0)
            continue;
        if (k->kind == KIND_TEXT) {
            if (strlen(value) >= k->size)
                break;
            memcpy(field, value, strlen(value) + 1);
            return 1;
        }
        if (k->kind == KIND_TIME) {
            if (parse_hhmm(value, (int *)(void *)field) != 0)
                break;
            return 1;
        }
        if (k->kind == KIND_BOOL) {
            if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
                *(int *)(void *)field = 1;
            else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
                *(int *)(void *)field = 0;
            else
                break;
            return 1;
        }
        {
            char *end;
            long v = strtol(value, &end, 10);
            if (*value == '\0' || *end != '\0' || v < 0 || v > 1000000)
                break;
            *(int *)(void *)field = (int)v;
            return 1;
        }
    }
    /* The first failure is the one reported; inih tells its line number when we return. */
    if (!ctx->failed)
        ct_fail(ctx->err, 400, "config.invalid", "chungthu.ini: [%s] %s không hợp lệ",
                "chungthu.ini: [%s] %s is unknown or its value is invalid", section, name);
    ctx->failed = true;
    return 0;
}

/* [mail]: a scheme libcurl sends with, a STARTTLS policy, and the notice days as numbers. */
static int config_check_mail(app_config *cfg, ct_error *err)
{
    const char *p = cfg->mail_expiry_days_text;
    int n = 0;

    if (cfg->mail_smtp_url[0] && strncmp(cfg->mail_smtp_url, "smtp://", 7) != 0 &&
        strncmp(cfg->mail_smtp_url, "smtps://", 8) != 0)
        return ct_fail(err, 400, "config.invalid",
                       "chungthu.ini: [mail] smtp_url phải bắt đầu bằng smtp:// hoặc smtps://",
                       "chungthu.ini: [mail] smtp_url must begin with smtp:// or smtps://");
    if (strcmp(cfg->mail_starttls, "required") != 0 &&
        strcmp(cfg->mail_starttls, "opportunistic") != 0 && strcmp(cfg->mail_starttls, "off") != 0)
        return ct_fail(err, 400, "config.invalid",
                       "chungthu.ini: [mail] starttls phải là required, opportunistic hoặc off",
                       "chungthu.ini: [mail] starttls must be required, opportunistic or off");
    if (cfg->mail_max_attempts < 1 || cfg->mail_backoff_seconds < 1 ||
        cfg->mail_backoff_max_seconds < cfg->mail_backoff_seconds || cfg->mail_timeout_seconds < 1)
        return ct_fail(err, 400, "config.invalid",
                       "chungthu.ini: [mail] max_attempts, backoff_seconds, timeout_seconds phải "
                       "từ 1, backoff_max_seconds không nhỏ hơn backoff_seconds",
                       "chungthu.ini: [mail] max_attempts, backoff_seconds and timeout_seconds "
                       "must be 1 or more, backoff_max_seconds at least backoff_seconds");
    while (*p) {
        char *end;
        long v;
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == '\0')
            break;
        v = strtol(p, &end, 10);
        if (end == p || v < 1 || v > 3650 || n == CFG_EXPIRY_MAX)
            return ct_fail(err, 400, "config.invalid",
                           "chungthu.ini: [mail] expiry_notice_days: tối đa %d số ngày từ 1 đến "
                           "3650, cách nhau bằng dấu phẩy",
                           "chungthu.ini: [mail] expiry_notice_days: at most %d numbers of days "
                           "from 1 to 3650, separated by commas",
                           CFG_EXPIRY_MAX);
        cfg->mail_expiry_days[n++] = (int)v;
        p = end;
        if (*p != '\0' && *p != ',' && *p != ' ')
            return ct_fail(err, 400, "config.invalid",
                           "chungthu.ini: [mail] expiry_notice_days không hợp lệ",
                           "chungthu.ini: [mail] expiry_notice_days is invalid");
    }
    /* largest first, each once: a certificate passes the thresholds in this order */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && cfg->mail_expiry_days[j] > cfg->mail_expiry_days[j - 1]; j--) {
            int t = cfg->mail_expiry_days[j];
            cfg->mail_expiry_days[j] = cfg->mail_expiry_days[j - 1];
            cfg->mail_expiry_days[j - 1] = t;
        }
    cfg->mail_expiry_count = 0;
    for (int i = 0; i < n; i++)
        if (i == 0 || cfg->mail_expiry_days[i] != cfg->mail_expiry_days[i - 1])
            cfg->mail_expiry_days[cfg->mail_expiry_count++] = cfg->mail_expiry_days[i];
    return 0;
}

void config_path(const app_config *cfg, const char *rel, char *out, size_t size)
{
    if (rel[0] == '/')
        snprintf(out, size, "%s", rel);
    else
        snprintf(out, size, "%s/%s", cfg->home, rel);
}

int config_load(app_config *cfg, const char *home, ct_error *err)
{
    char path[CFG_PATH + 32];
    load_ctx ctx = {cfg, err, false};
    int rc;

    config_defaults(cfg, home);
    snprintf(path, sizeof path, "%s/chungthu.ini", home);
    rc = ini_parse(path, on_value, &ctx);
    if (rc == -1)
        return ct_fail(err, 404, "instance.missing",
                       "không tìm thấy %s: chạy \"chungthu --home %s init\" trước",
                       "%s not found: run \"chungthu --home %s init\" first", path, home);
    if (ctx.failed) {
        char vi[32], en[32];
        snprintf(vi, sizeof vi, "dòng %d: ", rc);
        snprintf(en, sizeof en, "line %d: ", rc);
        return ct_error_prefix(err, vi, en);
    }
    if (rc != 0)
        return ct_fail(err, 400, "config.syntax", "chungthu.ini lỗi cú pháp ở dòng %d",
                       "chungthu.ini has a syntax error on line %d", rc);
    /* four eyes counts one person or two: anything else would be a step nobody can finish */
    const int counts[] = {cfg->approvals_revoke,   cfg->approvals_user,   cfg->approvals_role,
                          cfg->approvals_accept,   cfg->approvals_issue,  cfg->approvals_publish,
                          cfg->approvals_activate, cfg->approvals_suspend};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        if (counts[i] < 1 || counts[i] > 2)
            return ct_fail(err, 400, "config.invalid",
                           "chungthu.ini: [approvals] mỗi giá trị phải là 1 hoặc 2",
                           "chungthu.ini: [approvals] each value must be 1 or 2");
    {
        const int days[] = {cfg->suspension_days, cfg->resumption_days,  cfg->revocation_days,
                            cfg->renewal_days,    cfg->change_days,      cfg->pin_reset_days,
                            cfg->token_lost_days, cfg->token_broken_days};
        for (size_t i = 0; i < sizeof days / sizeof days[0]; i++)
            if (days[i] < 1 || days[i] > 30)
                return ct_fail(err, 400, "config.invalid",
                               "chungthu.ini: [deadlines] mỗi thời hạn từ 1 đến 30 ngày làm việc",
                               "chungthu.ini: [deadlines] each is 1 to 30 working days");
    }
    if (cfg->renewal_window_days < 1 || cfg->renewal_window_days > 400 ||
        (cfg->renewal_revokes_old != 0 && cfg->renewal_revokes_old != 1))
        return ct_fail(err, 400, "config.invalid",
                       "chungthu.ini: [lifecycle] renewal_window_days từ 1 đến 400; "
                       "renewal_revokes_old là 0 hoặc 1",
                       "chungthu.ini: [lifecycle] renewal_window_days is 1 to 400; "
                       "renewal_revokes_old is 0 or 1");
    /* Checked here rather than where they are used, so that a reload refuses them with the
     * rest of the file instead of putting in force a value every later use would trip on. */
    if (cfg->opening_min >= cfg->closing_min)
        return ct_fail(err, 400, "config.invalid",
                       "chungthu.ini: [office] opening phải sớm hơn closing",
                       "chungthu.ini: [office] opening must be before closing");
    if (strcmp(cfg->subscriber_key, "rsa2048") != 0 &&
        strcmp(cfg->subscriber_key, "rsa3072") != 0 && strcmp(cfg->subscriber_key, "p256") != 0)
        return ct_fail(err, 400, "config.invalid",
                       "chungthu.ini: [profile] subscriber_key là rsa2048, rsa3072 hoặc p256",
                       "chungthu.ini: [profile] subscriber_key is rsa2048, rsa3072 or p256");
    if (cfg->default_days < 1 || cfg->max_days < 1)
        return ct_fail(err, 400, "config.invalid",
                       "chungthu.ini: [profile] default_days và max_days ít nhất là 1",
                       "chungthu.ini: [profile] default_days and max_days are at least 1");
    if (cfg->header_timeout < 1 || cfg->header_timeout > 3600 || cfg->body_timeout < 1 ||
        cfg->body_timeout > 86400 || cfg->max_connections < 1 ||
        cfg->max_connections_per_client > cfg->max_connections)
        return ct_fail(err, 400, "config.server_limits",
                       "[server]: header_timeout 1–3600, body_timeout 1–86400, max_connections "
                       "≥ 1, max_connections_per_client ≤ max_connections (0: không giới hạn)",
                       "[server]: header_timeout 1–3600, body_timeout 1–86400, max_connections "
                       "≥ 1, max_connections_per_client ≤ max_connections (0: no cap)");
    if (cfg->token_parallel < 0 || cfg->token_parallel > 64)
        return ct_fail(err, 400, "config.invalid", "chungthu.ini: [token] parallel từ 0 đến 64",
                       "chungthu.ini: [token] parallel is 0 to 64");
    if (cfg->ocsp_cache_entries < 1)
        return ct_fail(err, 400, "config.invalid",
                       "chungthu.ini: [server] ocsp_cache_entries từ 1 đến 1000000",
                       "chungthu.ini: [server] ocsp_cache_entries is 1 to 1000000");
    if (cfg->cache_max_age < 0 || cfg->cache_max_age > 7 * 86400)
        return ct_fail(err, 400, "config.invalid",
                       "chungthu.ini: [server] cache_max_age từ 0 đến 604800 giây",
                       "chungthu.ini: [server] cache_max_age is 0 to 604800 seconds");
    return config_check_mail(cfg, err);
}

/* A key's value in cfg as chungthu.ini writes it. */
static void format_value(const config_key *k, const app_config *cfg, char *out, size_t size)
{
    const char *field = (const char *)cfg + k->offset;
    int n = *(const int *)(const void *)field;

    if (k->kind == KIND_TEXT)
        snprintf(out, size, "%s", field);
    else if (k->kind == KIND_INT)
        snprintf(out, size, "%d", n);
    else if (k->kind == KIND_BOOL)
        snprintf(out, size, "%s", n ? "true" : "false");
    else
        snprintf(out, size, "%02d:%02d", n / 60, n % 60);
}

bool config_setting(size_t i, const app_config *cfg, config_setting_info *out)
{
    if (i >= sizeof keys / sizeof keys[0])
        return false;
    out->section = keys[i].section;
    out->name = keys[i].name;
    out->about = keys[i].about;
    out->live = keys[i].live;
    format_value(&keys[i], cfg, out->value, sizeof out->value);
    return true;
}

void config_setting_copy(size_t i, app_config *dst, const app_config *src)
{
    if (i < sizeof keys / sizeof keys[0])
        memcpy((char *)dst + keys[i].offset, (const char *)src + keys[i].offset, keys[i].size);
}

int config_write(const app_config *cfg, const char *path, ct_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    FILE *f;
    const char *section = "";
    char value[CFG_PATH + 16];

    if (fd < 0)
        return ct_fail(err, 500, "config.write", "không tạo được %s: %s", "cannot create %s: %s",
                       path, strerror(errno));
    f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        return ct_fail(err, 500, "config.write", "không ghi được %s", "cannot write %s", path);
    }
    fprintf(f, "; chungthu instance configuration. Times are local (Asia/Ho_Chi_Minh).\n"
               "; This is a TEST CA unless the names and policy below say otherwise.\n");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const config_key *k = &keys[i];
        if (strcmp(section, k->section) != 0) {
            section = k->section;
            fprintf(f, "\n[%s]\n", section);
        }
        format_value(k, cfg, value, sizeof value);
        fprintf(f, "%s = %s\n", k->name, value);
    }
    if (fclose(f) != 0)
        return ct_fail(err, 500, "config.write", "không ghi được %s", "cannot write %s", path);
    return 0;
}
