/*
 * app_ceremony.c — the key ceremony: the root CA on an offline machine (docs/key-ceremony.md).
 *
 * A ceremony home is a directory of its own, never an instance's:
 *   ceremony.log        what was done, by whom, before which witnesses: one JSON object a line,
 *                       each carrying the SHA-256 of the one before ("prev") and its own
 *                       ("hash", over the line's canonical JSON without "hash"), as the audit
 *                       trail chains its rows. Line 1 (init) holds the ceremony's settings: they
 *                       are read from there, so that they are under the chain too.
 *   root.crt            the self-signed root certificate
 *   root.key            the root key, encrypted, only when no token holds it
 *   issuing/SERIAL.crt  every issuing CA certificate signed; issuing.crt the latest
 *   crl/N.crl           every root CRL signed; root.crl the latest
 * The root key lives on a PKCS#11 token (label "chungthu-root-ca", PIN from the environment) or,
 * where there is no token, in root.key under a passphrase given in the environment.
 */
#include "app/app_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "pki/cert.h"
#include "pki/crl.h"
#include "pki/csr.h"

#define LOG_NAME "ceremony.log"
#define MANIFEST_NAME "manifest.json"
#define ROOT_KEY_LABEL "chungthu-root-ca"
#define PASSPHRASE_ENV "CHUNGTHU_CEREMONY_PASSPHRASE"
#define LOG_MAX (16 << 20)

static const char zero_hash[] = "0000000000000000000000000000000000000000000000000000000000000000";

/* ---- the log ---- */

static const char *text_of(const json_t *j)
{
    return json_is_string(j) ? json_string_value(j) : "";
}

/* The hash of an entry: SHA-256 of its canonical JSON (keys sorted, compact) without "hash". */
static int entry_hash(json_t *entry, char out[65])
{
    json_t *copy = json_copy(entry);
    char *text;
    int rc;

    if (copy == NULL)
        return -1;
    json_object_del(copy, "hash");
    text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(copy);
    if (text == NULL)
        return -1;
    rc = app_fingerprint((const unsigned char *)text, strlen(text), out);
    free(text);
    return rc;
}

static void log_path(const char *home, char *out, size_t size)
{
    snprintf(out, size, "%s/" LOG_NAME, home);
}

/* The entries of the log, in order (*entries: a new array); with check, the chain is verified and
 * the first line that breaks it is named ("ceremony.log_broken", its number in *bad_line). */
static int log_read(const char *home, bool check, json_t **entries, char head[65], size_t *bad_line,
                    ct_error *err)
{
    char path[CFG_PATH + 32], prev[65], hash[65];
    unsigned char *data;
    size_t len, line = 0;
    char *p, *next;

    log_path(home, path, sizeof path);
    if (access(path, F_OK) != 0)
        return ct_fail(err, 404, "ceremony.missing", "%s không phải thư mục lễ tạo khóa",
                       "%s is not a key ceremony directory", home);
    if (app_read_file(path, &data, &len, LOG_MAX, err) != 0)
        return -1;
    *entries = json_array();
    memcpy(prev, zero_hash, sizeof prev);
    for (p = (char *)data; *p; p = next) {
        json_t *e;
        const char *stated, *stated_prev;
        json_int_t seq;

        next = strchr(p, '\n');
        if (next)
            *next++ = '\0';
        else
            next = p + strlen(p);
        line++;
        e = json_loads(p, JSON_REJECT_DUPLICATES, NULL);
        stated = json_string_value(json_object_get(e, "hash"));
        stated_prev = json_string_value(json_object_get(e, "prev"));
        seq = json_integer_value(json_object_get(e, "seq"));
        if (e == NULL || (check && (stated == NULL || stated_prev == NULL ||
                                    seq != (json_int_t)line || strcmp(stated_prev, prev) != 0 ||
                                    entry_hash(e, hash) != 0 || strcmp(hash, stated) != 0))) {
            json_decref(e);
            json_decref(*entries);
            *entries = NULL;
            free(data);
            if (bad_line)
                *bad_line = line;
            return ct_fail(err, 409, "ceremony.log_broken",
                           "nhật ký lễ tạo khóa bị sửa hoặc hỏng ở dòng %zu",
                           "the ceremony log was edited or is damaged at line %zu", line);
        }
        if (stated)
            snprintf(prev, sizeof prev, "%s", stated);
        json_array_append_new(*entries, e);
    }
    free(data);
    if (check && line == 0) {
        json_decref(*entries);
        *entries = NULL;
        if (bad_line)
            *bad_line = 1;
        return ct_fail(err, 409, "ceremony.log_broken",
                       "nhật ký lễ tạo khóa bị sửa hoặc hỏng ở dòng %zu",
                       "the ceremony log was edited or is damaged at line %zu", (size_t)1);
    }
    if (head)
        snprintf(head, 65, "%s", prev);
    return 0;
}

static void utc_text(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Append one entry after head (the chain's last hash; seq is the number of entries so far + 1).
 * detail is consumed. */
static int log_append(const char *home, size_t seq, const char *head, const char *action,
                      const app_ceremony_who *who, json_t *detail, char new_head[65], ct_error *err)
{
    json_t *e, *witnesses = json_array();
    char path[CFG_PATH + 32], at[32], hash[65], *text;
    size_t len;
    int fd, rc = -1;

    for (size_t i = 0; i < who->n_witnesses; i++)
        json_array_append_new(witnesses, json_string(who->witnesses[i]));
    utc_text(app_now(), at);
    e = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:s}", "seq", (json_int_t)seq, "at", at, "action",
                  action, "actor", who->actor->name, "witnesses", witnesses, "detail",
                  detail ? detail : json_object(), "prev", head);
    if (e == NULL || entry_hash(e, hash) != 0) {
        json_decref(e);
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    json_object_set_new(e, "hash", json_string(hash));
    text = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(e);
    if (text == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    log_path(home, path, sizeof path);
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    len = strlen(text);
    text[len++] = '\n'; /* json_dumps's terminator becomes the line's end */
    if (fd >= 0 && write(fd, text, len) == (ssize_t)len && fsync(fd) == 0)
        rc = 0;
    if (fd >= 0)
        close(fd);
    free(text);
    if (rc != 0)
        return ct_fail(err, 500, "file.write", "không ghi được %s", "cannot write %s", path);
    if (new_head)
        memcpy(new_head, hash, 65);
    return 0;
}

/* ---- the ceremony open ---- */

typedef struct ceremony {
    app *a; /* a bare app: its config (names, URLs, token) and token module, no database */
    json_t *entries;
    char head[65];
    int crl_days;
    pki_ca root;
    struct token_key *key;
} ceremony;

static void ceremony_close(ceremony *c)
{
    pki_ca_free(&c->root); /* the signer before the token key under it */
    if (c->key)
        app_token_key_close(c->key);
    json_decref(c->entries);
    app_close(c->a);
}

static int check_witnesses(const app_ceremony_who *who, size_t need, const char *step,
                           ct_error *err)
{
    for (size_t i = 0; i < who->n_witnesses; i++) {
        if (who->witnesses[i] == NULL || who->witnesses[i][0] == '\0')
            return ct_fail(err, 400, "ceremony.witnesses", "tên người chứng kiến trống",
                           "a witness's name is empty");
        for (size_t j = 0; j < i; j++)
            if (strcmp(who->witnesses[i], who->witnesses[j]) == 0)
                return ct_fail(err, 400, "ceremony.witnesses",
                               "người chứng kiến \"%s\" được kể hai lần",
                               "witness \"%s\" is named twice", who->witnesses[i]);
    }
    if (who->n_witnesses < need)
        return ct_fail(err, 400, "ceremony.witnesses",
                       "bước \"%s\" cần ít nhất %zu người chứng kiến (--witness TÊN), có %zu",
                       "step \"%s\" needs at least %zu witnesses (--witness NAME), %zu given", step,
                       need, who->n_witnesses);
    return 0;
}

/* The settings of the ceremony, as line 1 of the log holds them, into a->cfg_open. */
static void settings_to_config(json_t *s, app_config *cfg, int *crl_days)
{
#define TEXT(key, field)                                                                           \
    if (json_is_string(json_object_get(s, key)))                                                   \
        snprintf(cfg->field, sizeof cfg->field, "%s", json_string_value(json_object_get(s, key)));
    TEXT("operator", operator_name)
    TEXT("root_name", root_name)
    TEXT("root_key", root_key)
    TEXT("base_url", base_url)
    TEXT("policy_oid", policy_oid)
    TEXT("cps_uri", cps_uri)
    TEXT("key_storage", key_storage)
    TEXT("hsm_token", hsm_token)
    TEXT("hsm_pin_env", hsm_pin_env)
    TEXT("token_module", token_module)
#undef TEXT
    cfg->root_days = (int)json_integer_value(json_object_get(s, "root_days"));
    cfg->issuing_days = (int)json_integer_value(json_object_get(s, "issuing_days"));
    *crl_days = (int)json_integer_value(json_object_get(s, "crl_days"));
}

static json_t *config_to_settings(const app_config *cfg, int crl_days)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i}",
                     "operator", cfg->operator_name, "root_name", cfg->root_name, "root_key",
                     cfg->root_key, "base_url", cfg->base_url, "policy_oid", cfg->policy_oid,
                     "cps_uri", cfg->cps_uri, "key_storage", cfg->key_storage, "hsm_token",
                     cfg->hsm_token, "hsm_pin_env", cfg->hsm_pin_env, "token_module",
                     cfg->token_module, "root_days", cfg->root_days, "issuing_days",
                     cfg->issuing_days, "crl_days", crl_days);
}

/* The root's signer: the token's key or the encrypted file; generate at init. */
static int root_signer(ceremony *c, bool generate, pki_signer **out, ct_error *err)
{
    char path[CFG_PATH + 32];
    const char *pass;
    pki_key_type type;

    if (pki_key_type_parse(c->a->cfg_open.root_key, &type, err) != 0)
        return -1;
    if (strcmp(c->a->cfg_open.key_storage, "pkcs11") == 0)
        return app_token_key_signer(c->a, generate, type, ROOT_KEY_LABEL, &c->key, out, err);
    pass = getenv(PASSPHRASE_ENV);
    if (pass == NULL || strlen(pass) < 12)
        return ct_fail(err, 400, "ceremony.passphrase",
                       "khóa CA gốc trong tệp cần mật khẩu (ít nhất 12 ký tự) trong biến %s",
                       "a root key in a file needs a passphrase (12 characters or more) in %s",
                       PASSPHRASE_ENV);
    snprintf(path, sizeof path, "%s/root.key", c->a->cfg_open.home);
    return generate ? signer_generate_file(type, path, pass, out, err)
                    : signer_open_file(path, pass, out, err);
}

/* Open a ceremony home: the log verified (nothing is signed after a broken log), the settings,
 * the root certificate and, with sign, its key. */
static int ceremony_open(const char *home, bool sign, ceremony *c, ct_error *err)
{
    char path[CFG_PATH + 32];
    unsigned char *pem = NULL, *der = NULL;
    size_t pem_len, der_len;
    pki_signer *signer = NULL;
    json_t *first;

    memset(c, 0, sizeof *c);
    c->a = calloc(1, sizeof *c->a);
    if (c->a == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    config_defaults(&c->a->cfg_open, home);
    if (log_read(home, true, &c->entries, c->head, NULL, err) != 0)
        goto fail;
    first = json_array_get(c->entries, 0);
    if (strcmp(text_of(json_object_get(first, "action")), "init") != 0) {
        ct_fail(err, 409, "ceremony.log_broken", "nhật ký lễ tạo khóa bị sửa hoặc hỏng ở dòng %zu",
                "the ceremony log was edited or is damaged at line %zu", (size_t)1);
        goto fail;
    }
    settings_to_config(json_object_get(json_object_get(first, "detail"), "settings"),
                       &c->a->cfg_open, &c->crl_days);
    snprintf(path, sizeof path, "%s/root.crt", home);
    if (app_read_file(path, &pem, &pem_len, 1 << 20, err) != 0 ||
        pki_cert_from_pem(pem, pem_len, &der, &der_len, err) != 0)
        goto fail;
    if (sign && root_signer(c, false, &signer, err) != 0)
        goto fail;
    if (signer && !pki_cert_key_matches(der, der_len, signer)) {
        signer_free(signer);
        ct_fail(err, 409, "ceremony.key_mismatch", "khóa CA gốc không khớp với root.crt",
                "the root key does not match root.crt");
        goto fail;
    }
    if (pki_ca_load(&c->root, der, der_len, signer, err) != 0)
        goto fail;
    free(pem);
    free(der);
    return 0;
fail:
    free(pem);
    free(der);
    ceremony_close(c);
    memset(c, 0, sizeof *c);
    return -1;
}

static int ceremony_log(ceremony *c, const char *action, const app_ceremony_who *who,
                        json_t *detail, ct_error *err)
{
    return log_append(c->a->cfg_open.home, json_array_size(c->entries) + 1, c->head, action, who,
                      detail, c->head, err);
}

/* Write path anew through a temporary file and a rename: a reader sees the old or the new. */
static int replace_file(const char *path, const void *data, size_t len, ct_error *err)
{
    char tmp[CFG_PATH * 2 + 16];

    snprintf(tmp, sizeof tmp, "%s.new", path);
    unlink(tmp);
    if (app_write_file_excl(tmp, data, len, 0600, err) != 0)
        return -1;
    if (rename(tmp, path) != 0) {
        unlink(tmp);
        return ct_fail(err, 500, "file.write", "không ghi được %s", "cannot write %s", path);
    }
    return 0;
}

/* ---- the steps ---- */

static bool dir_empty_or_missing(const char *path, bool *existed)
{
    DIR *d = opendir(path);
    struct dirent *e;

    *existed = d != NULL;
    if (d == NULL)
        return errno == ENOENT;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            closedir(d);
            return false;
        }
    closedir(d);
    return true;
}

static void remove_made(const char *home, bool existed)
{
    static const char *const made[] = {"root.crt", "root.key", LOG_NAME, "issuing", "crl"};
    char path[CFG_PATH + 32];

    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", home, made[i]);
        if (remove(path) != 0 && errno != ENOENT)
            return;
    }
    if (!existed)
        rmdir(home);
}

int app_ceremony_init(const char *home, const app_ceremony_init_options *opt,
                      const app_ceremony_who *who, ct_error *err)
{
    ceremony c = {0};
    const ca_plan plan = {"root", CERT_PROFILE_ROOT, NULL, NULL, 0};
    ca_plan root = plan;
    pki_signer *signer = NULL;
    pki_key_type type;
    pki_cert_info info;
    char path[CFG_PATH + 32], spki_hash[65];
    const unsigned char *spki;
    size_t spki_len;
    bool existed;
    int rc = -1;
    mode_t old_mask;

    if (role_require(who->actor->role, ROLE_CA_ADMIN, "ceremony init", err) != 0 ||
        check_witnesses(who, 2, "init", err) != 0)
        return -1;
    c.a = calloc(1, sizeof *c.a);
    if (c.a == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    config_defaults(&c.a->cfg_open, home);
    c.crl_days = opt->crl_days > 0 ? opt->crl_days : 180;
    if (opt->root_key)
        snprintf(c.a->cfg_open.root_key, sizeof c.a->cfg_open.root_key, "%s", opt->root_key);
    if (opt->root_name)
        snprintf(c.a->cfg_open.root_name, sizeof c.a->cfg_open.root_name, "%s", opt->root_name);
    if (opt->operator_name)
        snprintf(c.a->cfg_open.operator_name, sizeof c.a->cfg_open.operator_name, "%s",
                 opt->operator_name);
    if (opt->base_url)
        snprintf(c.a->cfg_open.base_url, sizeof c.a->cfg_open.base_url, "%s", opt->base_url);
    snprintf(c.a->cfg_open.cps_uri, sizeof c.a->cfg_open.cps_uri, "%s/cps", c.a->cfg_open.base_url);
    if (opt->hsm_token) {
        snprintf(c.a->cfg_open.key_storage, sizeof c.a->cfg_open.key_storage, "pkcs11");
        snprintf(c.a->cfg_open.hsm_token, sizeof c.a->cfg_open.hsm_token, "%s", opt->hsm_token);
    }
    if (opt->token_module)
        snprintf(c.a->cfg_open.token_module, sizeof c.a->cfg_open.token_module, "%s",
                 opt->token_module);
    if (pki_key_type_parse(c.a->cfg_open.root_key, &type, err) != 0)
        goto out;
    if (type != PKI_KEY_RSA4096 && type != PKI_KEY_P384) {
        ct_fail(err, 400, "key.type", "khóa CA gốc phải là rsa4096 hoặc p384",
                "the root CA key must be rsa4096 or p384");
        goto out;
    }
    if (!dir_empty_or_missing(home, &existed)) {
        ct_fail(err, 409, "ceremony.exists", "thư mục %s đã có dữ liệu: không khởi tạo đè lên",
                "%s is not empty: refusing to initialise over it", home);
        goto out;
    }
    old_mask = umask(077);
    if ((!existed && mkdir(home, 0700) != 0) || chmod(home, 0700) != 0) {
        umask(old_mask);
        ct_fail(err, 500, "file.mkdir", "không tạo được thư mục %s: %s",
                "cannot create directory %s: %s", home, strerror(errno));
        goto out;
    }
    snprintf(path, sizeof path, "%s/issuing", home);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/crl", home);
    mkdir(path, 0700);
    root.key_type = c.a->cfg_open.root_key;
    root.common_name = c.a->cfg_open.root_name;
    root.days = c.a->cfg_open.root_days;
    snprintf(path, sizeof path, "%s/root.crt", home);
    if (root_signer(&c, true, &signer, err) == 0) {
        spki = signer_spki(signer, &spki_len);
        app_fingerprint(spki, spki_len, spki_hash);
        if (ca_cert_build(c.a, &root, NULL, signer, NULL, path, &c.root, err) == 0 &&
            pki_cert_info_read(c.root.cert_der, c.root.cert_len, &info, err) == 0 &&
            log_append(home, 1, zero_hash, "init", who,
                       json_pack("{s:o, s:s, s:s, s:s, s:s}", "settings",
                                 config_to_settings(&c.a->cfg_open, c.crl_days), "root_serial",
                                 info.serial_hex, "root_sha256", info.sha256_hex,
                                 "root_spki_sha256", spki_hash, "subject", info.subject),
                       NULL, err) == 0)
            rc = 0;
    }
    umask(old_mask);
    if (rc != 0)
        remove_made(home, existed);
out:
    ceremony_close(&c);
    return rc;
}

int app_ceremony_sign_issuing(const char *home, const unsigned char *csr, size_t csr_len,
                              const char *key_sha256, const app_ceremony_who *who,
                              app_ceremony_signed *out, ct_error *err)
{
    ceremony c;
    pubkey_info key = {0};
    cert_request req = {0};
    cert_issuer issuer;
    unsigned char *subject = NULL, *der = NULL;
    size_t subject_len, der_len;
    char *pem = NULL, path[CFG_PATH + 128], spki_hash[65];
    pki_cert_info info;
    int rc = -1;

    if (role_require(who->actor->role, ROLE_CA_ADMIN, "ceremony sign-issuing", err) != 0 ||
        check_witnesses(who, 2, "sign-issuing", err) != 0)
        return -1;
    /* the request is judged before the root's key is touched */
    if (csr_read(csr, csr_len, &key, &subject, &subject_len, err) != 0)
        return -1;
    app_fingerprint(key.spki, key.spki_len, spki_hash);
    if (key_sha256 && strcasecmp(key_sha256, spki_hash) != 0) {
        ct_fail(err, 409, "ceremony.csr_key_mismatch",
                "khóa trong yêu cầu (SHA-256 %s) không phải khóa đã đọc trên giấy (%s)",
                "the request's key (SHA-256 %s) is not the key read out on paper (%s)", spki_hash,
                key_sha256);
        goto out_key;
    }
    if (ceremony_open(home, true, &c, err) != 0)
        goto out_key;
    req.profile = CERT_PROFILE_ISSUING;
    if (cert_random_serials(&req.serial, 1, err) != 0)
        goto out;
    req.not_before = app_now();
    req.not_after = req.not_before + (int64_t)c.a->cfg_open.issuing_days * 86400;
    if (req.not_after > c.root.not_after)
        req.not_after = c.root.not_after;
    req.subject_der = subject;
    req.subject_len = subject_len;
    req.spki = key.spki;
    req.spki_len = key.spki_len;
    req.policy_oid = c.a->cfg_open.policy_oid;
    req.cps_uri = c.a->cfg_open.cps_uri;
    app_set_urls(c.a);
    req.crl_url = c.a->crl_url_root;
    req.ca_issuers_url = c.a->ca_url_root;
    issuer = pki_ca_issuer(&c.root);
    if (cert_build(&req, &issuer, &der, &der_len, err) != 0 ||
        pki_cert_info_read(der, der_len, &info, err) != 0 ||
        pki_cert_to_pem(der, der_len, &pem, err) != 0)
        goto out;
    snprintf(path, sizeof path, "%s/issuing/%s.crt", home, info.serial_hex);
    if (app_write_file_excl(path, pem, strlen(pem), 0600, err) != 0)
        goto out;
    snprintf(path, sizeof path, "%s/issuing.crt", home);
    if (replace_file(path, pem, strlen(pem), err) != 0 ||
        ceremony_log(&c, "sign-issuing", who,
                     json_pack("{s:s, s:s, s:s, s:s, s:I}", "serial", info.serial_hex, "subject",
                               info.subject, "sha256", info.sha256_hex, "spki_sha256", spki_hash,
                               "not_after", (json_int_t)info.not_after),
                     err) != 0)
        goto out;
    if (out) {
        snprintf(out->serial, sizeof out->serial, "%s", info.serial_hex);
        snprintf(out->sha256, sizeof out->sha256, "%s", info.sha256_hex);
        snprintf(out->path, sizeof out->path, "%s", path);
        out->number = 0;
        out->not_after = info.not_after;
    }
    rc = 0;
out:
    ceremony_close(&c);
out_key:
    free(pem);
    free(der);
    free(subject);
    pubkey_info_free(&key);
    return rc;
}

/* The number of the last root CRL the log records, 0 if none. */
static int64_t last_crl_number(json_t *entries)
{
    size_t i;
    json_t *e;
    int64_t n = 0;

    json_array_foreach(entries, i, e)
    {
        if (strcmp(text_of(json_object_get(e, "action")), "sign-crl") == 0)
            n = json_integer_value(json_object_get(json_object_get(e, "detail"), "number"));
    }
    return n;
}

/* The log's entry of the issuing CA certificate serial (any case) signed here, or NULL. */
static json_t *signed_issuing(json_t *entries, const char *serial)
{
    size_t i;
    json_t *e;

    json_array_foreach(entries, i, e)
    {
        json_t *d = json_object_get(e, "detail");
        if (strcmp(text_of(json_object_get(e, "action")), "sign-issuing") == 0 &&
            strcasecmp(text_of(json_object_get(d, "serial")), serial) == 0)
            return e;
    }
    return NULL;
}

/* The log's revocation of serial, or NULL. */
static json_t *revocation_of(json_t *entries, const char *serial)
{
    size_t i;
    json_t *e;

    json_array_foreach(entries, i, e)
    {
        json_t *d = json_object_get(e, "detail");
        if (strcmp(text_of(json_object_get(e, "action")), "revoke-issuing") == 0 &&
            strcasecmp(text_of(json_object_get(d, "serial")), serial) == 0)
            return e;
    }
    return NULL;
}

/* The reasons for which a root revokes an issuing CA at a ceremony. */
static int issuing_reason(const char *name, int *reason, ct_error *err)
{
    static const char *const allowed[] = {"keyCompromise", "cACompromise", "superseded",
                                          "cessationOfOperation"};

    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (name && strcmp(name, allowed[i]) == 0)
            return crl_reason_parse(name, reason, err);
    return ct_fail(err, 400, "ceremony.reason",
                   "lý do thu hồi CA cấp phát \"%s\" không hợp lệ: keyCompromise, cACompromise, "
                   "superseded hoặc cessationOfOperation",
                   "\"%s\" is not a reason to revoke an issuing CA: keyCompromise, cACompromise, "
                   "superseded or cessationOfOperation",
                   name ? name : "");
}

int app_ceremony_revoke_issuing(const char *home, const char *serial, const char *reason_name,
                                const app_ceremony_who *who, app_ceremony_signed *out,
                                ct_error *err)
{
    ceremony c;
    json_t *signed_entry;
    const char *stated;
    int reason, rc = -1;
    int64_t now = app_now();

    if (role_require(who->actor->role, ROLE_CA_ADMIN, "ceremony revoke-issuing", err) != 0 ||
        check_witnesses(who, 2, "revoke-issuing", err) != 0 ||
        issuing_reason(reason_name, &reason, err) != 0)
        return -1;
    if (serial == NULL || *serial == '\0')
        return ct_fail(err, 400, "ceremony.serial", "cần số hiệu (--serial) của CA cấp phát",
                       "the issuing CA's serial is needed (--serial)");
    /* the root's key is opened too: a revocation is recorded only where it can be signed */
    if (ceremony_open(home, true, &c, err) != 0)
        return -1;
    signed_entry = signed_issuing(c.entries, serial);
    if (signed_entry == NULL) {
        ct_fail(err, 404, "ceremony.unknown_serial",
                "CA gốc này chưa ký CA cấp phát nào có số hiệu %s",
                "this root signed no issuing CA with serial %s", serial);
        goto out;
    }
    stated = text_of(json_object_get(json_object_get(signed_entry, "detail"), "serial"));
    if (revocation_of(c.entries, stated) != NULL) {
        ct_fail(err, 409, "ceremony.already_revoked", "CA cấp phát %s đã bị thu hồi",
                "issuing CA %s is revoked already", stated);
        goto out;
    }
    if (ceremony_log(
            &c, "revoke-issuing", who,
            json_pack("{s:s, s:s, s:i, s:I, s:s}", "serial", stated, "reason",
                      crl_reason_name(reason), "reason_code", reason, "revoked_at", (json_int_t)now,
                      "sha256",
                      text_of(json_object_get(json_object_get(signed_entry, "detail"), "sha256"))),
            err) != 0)
        goto out;
    if (out) {
        memset(out, 0, sizeof *out);
        snprintf(out->serial, sizeof out->serial, "%s", stated);
        out->not_after = now;
    }
    rc = 0;
out:
    ceremony_close(&c);
    return rc;
}

static int entry_order(const void *x, const void *y)
{
    const crl_entry *a = x, *b = y;

    if (a->serial_len != b->serial_len)
        return a->serial_len < b->serial_len ? -1 : 1;
    return memcmp(a->serial, b->serial, a->serial_len);
}

/* Every revocation of the log, as CRL entries in serial order (*list malloc'd). */
static int revoked_entries(json_t *entries, crl_entry **list, size_t *n, ct_error *err)
{
    size_t i, count = 0;
    json_t *e;

    *list = NULL;
    *n = 0;
    json_array_foreach(entries, i, e)
    {
        if (strcmp(text_of(json_object_get(e, "action")), "revoke-issuing") == 0)
            count++;
    }
    if (count == 0)
        return 0;
    *list = calloc(count, sizeof **list);
    if (*list == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    json_array_foreach(entries, i, e)
    {
        json_t *d = json_object_get(e, "detail");
        crl_entry *x = &(*list)[*n];
        if (strcmp(text_of(json_object_get(e, "action")), "revoke-issuing") != 0)
            continue;
        if (crl_entry_serial(x, text_of(json_object_get(d, "serial"))) != 0) {
            free(*list);
            *list = NULL;
            return ct_fail(err, 409, "ceremony.log_broken",
                           "nhật ký lễ tạo khóa có số hiệu thu hồi không đọc được",
                           "the ceremony log holds a revoked serial that cannot be read");
        }
        x->reason = (int8_t)json_integer_value(json_object_get(d, "reason_code"));
        x->revoked_at = json_integer_value(json_object_get(d, "revoked_at"));
        (*n)++;
    }
    qsort(*list, *n, sizeof **list, entry_order);
    return 0;
}

int app_ceremony_sign_crl(const char *home, int days, const app_ceremony_who *who,
                          app_ceremony_signed *out, ct_error *err)
{
    ceremony c;
    cert_issuer issuer;
    unsigned char *der = NULL;
    size_t der_len, n_revoked = 0;
    crl_entry *revoked = NULL;
    char path[CFG_PATH + 64], sha[65];
    int64_t now = app_now(), number;
    int rc = -1;

    if (role_require(who->actor->role, ROLE_CA_ADMIN, "ceremony sign-crl", err) != 0 ||
        check_witnesses(who, 0, "sign-crl", err) != 0)
        return -1;
    if (days < 0 || days > 3660)
        return ct_fail(err, 400, "ceremony.days", "số ngày hiệu lực của CRL không hợp lệ",
                       "the CRL's validity in days is invalid");
    if (ceremony_open(home, true, &c, err) != 0)
        return -1;
    if (days == 0)
        days = c.crl_days > 0 ? c.crl_days : 180;
    number = last_crl_number(c.entries) + 1;
    issuer = pki_ca_issuer(&c.root);
    /* every issuing CA this ceremony revoked, as its log records them */
    if (revoked_entries(c.entries, &revoked, &n_revoked, err) != 0 ||
        crl_build(&issuer, number, now, now + (int64_t)days * 86400, revoked, n_revoked, &der,
                  &der_len, err) != 0)
        goto out;
    app_fingerprint(der, der_len, sha);
    snprintf(path, sizeof path, "%s/crl/%lld.crl", home, (long long)number);
    if (app_write_file_excl(path, der, der_len, 0600, err) != 0)
        goto out;
    snprintf(path, sizeof path, "%s/root.crl", home);
    if (replace_file(path, der, der_len, err) != 0 ||
        ceremony_log(&c, "sign-crl", who,
                     json_pack("{s:I, s:I, s:s, s:I}", "number", (json_int_t)number, "next_update",
                               (json_int_t)(now + (int64_t)days * 86400), "sha256", sha, "revoked",
                               (json_int_t)n_revoked),
                     err) != 0)
        goto out;
    if (out) {
        memset(out, 0, sizeof *out);
        snprintf(out->sha256, sizeof out->sha256, "%s", sha);
        snprintf(out->path, sizeof out->path, "%s", path);
        out->number = number;
        out->not_after = now + (int64_t)days * 86400;
    }
    rc = 0;
out:
    free(der);
    free(revoked);
    ceremony_close(&c);
    return rc;
}

static int copy_file(const char *from, const char *to, ct_error *err)
{
    unsigned char *data;
    size_t len;
    int rc;

    if (app_read_file(from, &data, &len, LOG_MAX, err) != 0)
        return -1;
    rc = app_write_file_excl(to, data, len, 0644, err);
    free(data);
    return rc;
}

/* The bundle's manifest: the log's head as copied (its line count and last hash, the value on
 * the paper record) and each file's SHA-256, so that the online side can tell a bundled log cut
 * short or a file swapped, and record the head in its own audit trail. */
static int write_manifest(ceremony *c, const char *out_dir, const char *const *files, size_t n,
                          ct_error *err)
{
    json_t *m, *sums = json_object();
    char path[CFG_PATH * 2], sha[65], head[CFG_PATH];
    unsigned char *data;
    size_t len;
    char *text;
    int rc;

    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", out_dir, files[i]);
        if (app_read_file(path, &data, &len, LOG_MAX, err) != 0) {
            json_decref(sums);
            return -1;
        }
        app_fingerprint(data, len, sha);
        free(data);
        json_object_set_new(sums, files[i], json_string(sha));
    }
    snprintf(head, sizeof head, "%zu:%s", json_array_size(c->entries), c->head);
    m = json_pack("{s:I, s:s, s:s, s:o}", "log_lines", (json_int_t)json_array_size(c->entries),
                  "log_head", c->head, "head", head, "sha256", sums);
    text = m ? json_dumps(m, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
    json_decref(m);
    if (text == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    snprintf(path, sizeof path, "%s/" MANIFEST_NAME, out_dir);
    rc = app_write_file_excl(path, text, strlen(text), 0644, err);
    free(text);
    return rc;
}

int app_ceremony_bundle(const char *home, const char *out_dir, const app_ceremony_who *who,
                        ct_error *err)
{
    static const char *const files[] = {"root.crt", "issuing.crt", "root.crl", LOG_NAME};
    ceremony c;
    char from[CFG_PATH + 32], to[CFG_PATH * 2];
    bool existed;
    int rc = -1;

    if (role_require(who->actor->role, ROLE_CA_ADMIN, "ceremony bundle", err) != 0 ||
        check_witnesses(who, 0, "bundle", err) != 0)
        return -1;
    if (ceremony_open(home, false, &c, err) != 0)
        return -1;
    for (size_t i = 0; i < 3; i++) {
        snprintf(from, sizeof from, "%s/%s", home, files[i]);
        if (access(from, F_OK) != 0) {
            ct_fail(err, 409, "ceremony.incomplete",
                    "chưa có %s: cần ký CA cấp phát và CRL gốc trước khi đóng gói",
                    "no %s yet: sign the issuing CA and a root CRL before the bundle", files[i]);
            goto out;
        }
    }
    if (!dir_empty_or_missing(out_dir, &existed)) {
        ct_fail(err, 409, "ceremony.bundle_exists", "thư mục %s đã có dữ liệu", "%s is not empty",
                out_dir);
        goto out;
    }
    if (!existed && mkdir(out_dir, 0755) != 0) {
        ct_fail(err, 500, "file.mkdir", "không tạo được thư mục %s: %s",
                "cannot create directory %s: %s", out_dir, strerror(errno));
        goto out;
    }
    /* the log goes along for the online side's records; the entry of this bundle is the one
     * after it */
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(from, sizeof from, "%s/%s", home, files[i]);
        snprintf(to, sizeof to, "%s/%s", out_dir, files[i]);
        if (copy_file(from, to, err) != 0)
            goto out;
    }
    if (write_manifest(&c, out_dir, files, sizeof files / sizeof files[0], err) != 0)
        goto out;
    rc = ceremony_log(&c, "bundle", who,
                      json_pack("{s:s, s:I}", "out", out_dir, "crl_number",
                                (json_int_t)last_crl_number(c.entries)),
                      err);
out:
    ceremony_close(&c);
    return rc;
}

int app_ceremony_log(const char *home, json_t **entries, ct_error *err)
{
    return log_read(home, false, entries, NULL, NULL, err);
}

int app_ceremony_parse_head(const char *text, size_t *lines, char hash[65], ct_error *err)
{
    char *end;
    unsigned long long n;
    const char *colon = text ? strchr(text, ':') : NULL;

    if (colon == NULL || strlen(colon + 1) != 64 ||
        strspn(colon + 1, "0123456789abcdefABCDEF") != 64)
        goto bad;
    n = strtoull(text, &end, 10);
    if (end != colon || n == 0 || text[0] == '-' || text[0] == '+')
        goto bad;
    *lines = (size_t)n;
    for (size_t i = 0; i < 64; i++)
        hash[i] =
            (char)(colon[1 + i] >= 'A' && colon[1 + i] <= 'F' ? colon[1 + i] + 32 : colon[1 + i]);
    hash[64] = '\0';
    return 0;
bad:
    return ct_fail(err, 400, "ceremony.head", "đầu nhật ký \"%s\" phải có dạng SỐ_DÒNG:SHA256",
                   "a log head \"%s\" is written LINES:SHA256", text ? text : "");
}

/* entries against the head on paper: line `lines` exists and carries hash. */
static int head_check(json_t *entries, size_t lines, const char *hash, ct_error *err)
{
    size_t have = json_array_size(entries);
    json_t *e;

    if (have < lines)
        return ct_fail(err, 409, "ceremony.log_truncated",
                       "nhật ký lễ tạo khóa bị cắt: hết ở dòng %zu, biên bản ghi %zu dòng "
                       "(mất dòng %zu đến %zu)",
                       "the ceremony log was truncated: it ends at line %zu, the paper record "
                       "says %zu lines (lines %zu to %zu are missing)",
                       have, lines, have + 1, lines);
    e = json_array_get(entries, lines - 1);
    if (strcasecmp(text_of(json_object_get(e, "hash")), hash) != 0)
        return ct_fail(err, 409, "ceremony.log_head_mismatch",
                       "dòng %zu của nhật ký không phải dòng đã ghi trên biên bản: nhật ký đã bị "
                       "thay",
                       "line %zu of the log is not the one on the paper record: the log was "
                       "replaced",
                       lines);
    return 0;
}

int app_ceremony_verify(const char *home, const char *expect_head, size_t *lines, char head[65],
                        size_t *bad_line, ct_error *err)
{
    json_t *entries;
    size_t want = 0;
    char want_hash[65];
    int rc = 0;

    *bad_line = 0;
    if (expect_head && app_ceremony_parse_head(expect_head, &want, want_hash, err) != 0)
        return -1;
    if (log_read(home, true, &entries, head, bad_line, err) != 0)
        return -1;
    *lines = json_array_size(entries);
    if (expect_head)
        rc = head_check(entries, want, want_hash, err);
    json_decref(entries);
    return rc;
}

int app_ceremony_check_bundle_log(const char *dir, char head_out[CFG_TEXT], ct_error *err)
{
    char path[CFG_PATH * 2], sha[65];
    unsigned char *data;
    size_t len, lines;
    json_t *manifest, *sums, *v, *entries;
    const char *name, *head;
    char hash[65];
    int rc = -1;

    snprintf(path, sizeof path, "%s/" MANIFEST_NAME, dir);
    if (access(path, F_OK) != 0)
        return ct_fail(err, 400, "ceremony.manifest_missing",
                       "gói không có %s (ceremony bundle ghi nó): không nhập",
                       "the bundle has no %s (ceremony bundle writes it): nothing imported",
                       MANIFEST_NAME);
    if (app_read_file(path, &data, &len, 1 << 20, err) != 0)
        return -1;
    manifest = json_loadb((const char *)data, len, 0, NULL);
    free(data);
    head = json_string_value(json_object_get(manifest, "head"));
    sums = json_object_get(manifest, "sha256");
    if (head == NULL || !json_is_object(sums) ||
        app_ceremony_parse_head(head, &lines, hash, err) != 0) {
        ct_fail(err, 400, "ceremony.manifest", "%s của gói không đọc được",
                "the bundle's %s cannot be read", MANIFEST_NAME);
        goto out;
    }
    /* every file as the ceremony wrote it */
    json_object_foreach(sums, name, v)
    {
        if (strcmp(name, LOG_NAME) == 0)
            continue; /* below, after its head: a log cut short is named as such */
        if (strchr(name, '/') != NULL) {
            ct_fail(err, 400, "ceremony.manifest", "%s của gói không đọc được",
                    "the bundle's %s cannot be read", MANIFEST_NAME);
            goto out;
        }
        snprintf(path, sizeof path, "%s/%s", dir, name);
        if (app_read_file(path, &data, &len, LOG_MAX, err) != 0)
            goto out;
        app_fingerprint(data, len, sha);
        free(data);
        if (strcasecmp(sha, text_of(v)) != 0) {
            ct_fail(err, 409, "ceremony.bundle_changed",
                    "tệp %s của gói không phải tệp lễ tạo khóa đã ghi",
                    "the bundle's %s is not the file the ceremony wrote", name);
            goto out;
        }
    }
    /* the log: its chain whole, and not cut short of the head the ceremony wrote */
    if (log_read(dir, true, &entries, NULL, NULL, err) != 0)
        goto out;
    rc = head_check(entries, lines, hash, err);
    json_decref(entries);
    if (rc == 0) {
        snprintf(path, sizeof path, "%s/" LOG_NAME, dir);
        if (app_read_file(path, &data, &len, LOG_MAX, err) != 0)
            rc = -1;
        else {
            app_fingerprint(data, len, sha);
            free(data);
            if (strcasecmp(sha, text_of(json_object_get(sums, LOG_NAME))) != 0)
                rc = ct_fail(err, 409, "ceremony.bundle_changed",
                             "tệp %s của gói không phải tệp lễ tạo khóa đã ghi",
                             "the bundle's %s is not the file the ceremony wrote", LOG_NAME);
        }
    }
    if (rc == 0)
        snprintf(head_out, CFG_TEXT, "%s", head);
out:
    json_decref(manifest);
    return rc;
}
