/*
 * app.c — an instance: creating it (`init`), opening it, and its CA certificates.
 *
 * An instance is one directory (the "home"):
 *   chungthu.ini          configuration
 *   chungthu.db           SQLite database (with -wal and -shm beside it while open)
 *   ca/NAME.crt, NAME.key CA certificates (PEM) and encrypted keys: root, issuing, ocsp (no
 *                         .key for a key on the HSM); ocsp-SERIAL.crt: responders replaced
 *   secrets/              the CA key passphrase when not given through the environment (0700)
 *   envelopes/            PIN envelopes waiting to be printed (0700)
 *   tokens/               SoftHSM2's token directory, for the default token module
 *
 * The home holds ID numbers, birth dates, password hashes and the agencies' letters: it is the
 * CA operator's alone. The home and every directory in it are 0700, every file 0600 (the CA
 * certificates too: the server publishes them; nobody else needs to read them here).
 */
#include "app/app_internal.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "pki/cert.h"

int64_t app_now(void)
{
    /* CHUNGTHU_NOW lets a rehearsal or a test run the procedure at a chosen instant (Unix
     * seconds); certificates still carry the real signing time's validity from this clock.
     * "@FILE" reads the instant from FILE at each call, so that a rehearsal can move a running
     * server through the days of the procedure (a pickup set for tomorrow, then collected); an
     * empty or missing FILE is the real time. */
    const char *fake = getenv("CHUNGTHU_NOW");
    char text[32];

    if (fake && fake[0] == '@') {
        FILE *f = fopen(fake + 1, "re");
        size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
        if (f)
            fclose(f);
        text[n] = '\0';
        text[strcspn(text, "\n")] = '\0';
        fake = text;
    }
    if (fake && *fake) {
        char *end;
        long long v = strtoll(fake, &end, 10);
        if (*end == '\0' && v > 0)
            return (int64_t)v;
    }
    return (int64_t)time(NULL);
}

/* Fill the public URLs of the config (CDP, AIA) into a. */
void app_set_urls(app *a)
{
    const char *base = app_cfg(a)->base_url;

    snprintf(a->crl_url_root, sizeof a->crl_url_root, "%s/crl/root.crl", base);
    snprintf(a->crl_url_issuing, sizeof a->crl_url_issuing, "%s/crl/issuing.crl", base);
    snprintf(a->ocsp_url, sizeof a->ocsp_url, "%s/ocsp", base);
    snprintf(a->ca_url_root, sizeof a->ca_url_root, "%s/ca/root.crt", base);
    snprintf(a->ca_url_issuing, sizeof a->ca_url_issuing, "%s/ca/issuing.crt", base);
}

/* ---- files ---- */

static int read_file(const char *path, unsigned char **data, size_t *len, size_t max, ct_error *err)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    size_t n;

    if (f == NULL)
        return ct_fail(err, 500, "file.read", "không đọc được %s: %s", "cannot read %s: %s", path,
                       strerror(errno));
    buf = malloc(max + 1);
    if (buf == NULL) {
        fclose(f);
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    n = fread(buf, 1, max + 1, f);
    fclose(f);
    if (n > max) {
        free(buf);
        return ct_fail(err, 400, "file.too_large", "tệp %s quá lớn", "file %s is too large", path);
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}

static int write_file_excl(const char *path, const void *data, size_t len, mode_t mode,
                           ct_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    ssize_t n;

    if (fd < 0)
        return ct_fail(err, 500, "file.write", "không tạo được %s: %s", "cannot create %s: %s",
                       path, strerror(errno));
    n = write(fd, data, len);
    if (n < 0 || (size_t)n != len || fsync(fd) != 0) {
        close(fd);
        unlink(path);
        return ct_fail(err, 500, "file.write", "không ghi được %s", "cannot write %s", path);
    }
    close(fd);
    return 0;
}

int app_read_file(const char *path, unsigned char **data, size_t *len, size_t max, ct_error *err)
{
    return read_file(path, data, len, max, err);
}

int app_write_file_excl(const char *path, const void *data, size_t len, mode_t mode, ct_error *err)
{
    return write_file_excl(path, data, len, mode, err);
}

static int read_passphrase(const app_config *cfg, char *out, size_t size, ct_error *err)
{
    const char *env = cfg->passphrase_env[0] ? getenv(cfg->passphrase_env) : NULL;
    char path[CFG_PATH * 2];
    unsigned char *data;
    size_t len;

    if (env && *env) {
        snprintf(out, size, "%s", env);
        return 0;
    }
    config_path(cfg, cfg->passphrase_file, path, sizeof path);
    if (read_file(path, &data, &len, 1024, err) != 0)
        return ct_fail(err, 500, "key.passphrase",
                       "không có mật khẩu khóa CA: đặt biến môi trường %s hoặc tệp %s",
                       "no CA key passphrase: set %s in the environment or provide %s",
                       cfg->passphrase_env, path);
    while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
        len--;
    data[len] = '\0';
    snprintf(out, size, "%s", (char *)data);
    OPENSSL_cleanse(data, len);
    free(data);
    return 0;
}

int app_read_passphrase(const app_config *cfg, char *out, size_t size, ct_error *err)
{
    return read_passphrase(cfg, out, size, err);
}

/* ---- opening ---- */

static int load_ca(app *a, const char *name, pki_ca *ca, const char *passphrase, ct_error *err)
{
    char crt[CFG_PATH + 32], key[CFG_PATH + 32];
    unsigned char *pem, *der;
    size_t pem_len, der_len;
    pki_signer *signer = NULL;
    int rc;

    snprintf(crt, sizeof crt, "%s/ca/%s.crt", app_cfg(a)->home, name);
    snprintf(key, sizeof key, "%s/ca/%s.key", app_cfg(a)->home, name);
    if (read_file(crt, &pem, &pem_len, 1 << 20, err) != 0)
        return -1;
    rc = pki_cert_from_pem(pem, pem_len, &der, &der_len, err);
    free(pem);
    if (rc != 0)
        return -1;
    if (strcmp(name, "root") == 0 && app_cfg(a)->root_offline) {
        signer = NULL; /* kept by the key ceremony: the root is only verified against here */
    } else if (strcmp(name, "issuing") == 0 && strcmp(app_cfg(a)->key_storage, "pkcs11") == 0) {
        if (app_token_ca_signer(a, false, 0, &signer, err) != 0) {
            free(der);
            return -1;
        }
    } else if (strcmp(name, "audit") == 0 && strcmp(app_cfg(a)->key_storage, "pkcs11") == 0 &&
               access(key, F_OK) != 0) {
        /* the audit-signing key beside the issuing CA's on the HSM (an instance whose audit key
         * was made before that is a file, and stays one) */
        if (app_token_key_signer(a, false, 0, AUDIT_HSM_LABEL, &a->audit_key, &signer, err) != 0) {
            free(der);
            return -1;
        }
    } else if (signer_open_file(key, passphrase, &signer, err) != 0) {
        free(der);
        return -1;
    }
    rc = pki_ca_load(ca, der, der_len, signer, err);
    free(der);
    return rc;
}

/* An instance made with --offline-root works once `ca import` has put the root's certificate in. */
static bool offline_root_imported(const app *a)
{
    char path[CFG_PATH + 32];

    snprintf(path, sizeof path, "%s/ca/root.crt", app_cfg(a)->home);
    return access(path, F_OK) == 0;
}

int app_store_open(const app_config *cfg, store **out, ct_error *err)
{
    char db[CFG_PATH * 2];

    if (strcmp(cfg->db_backend, "postgresql") == 0) {
        if (!store_is_url(cfg->db_url))
            return ct_fail(err, 400, "config.database_url",
                           "[database] url phải là một URL postgresql://… (đang là \"%s\")",
                           "[database] url must be a postgresql://… URL (it is \"%s\")",
                           cfg->db_url);
        return store_open(cfg->db_url, out, err);
    }
    if (strcmp(cfg->db_backend, "sqlite") != 0)
        return ct_fail(err, 400, "config.backend", "cơ sở dữ liệu \"%s\" chưa được hỗ trợ",
                       "database backend \"%s\" is not supported", cfg->db_backend);
    config_path(cfg, cfg->db_path, db, sizeof db);
    return store_open_sqlite(db, out, err);
}

int app_open(const char *home, app **out, ct_error *err)
{
    app *a = calloc(1, sizeof *a);
    char pass[1024], holidays[CFG_PATH * 2];
    ct_calendar *cal = NULL;

    if (a == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    if (config_load(&a->cfg_open, home, err) != 0) {
        free(a);
        return -1;
    }
    app_set_urls(a);
    if (strcmp(app_cfg(a)->db_backend, "sqlite") != 0 &&
        strcmp(app_cfg(a)->db_backend, "postgresql") != 0) {
        ct_fail(err, 400, "config.backend", "cơ sở dữ liệu \"%s\" chưa được hỗ trợ",
                "database backend \"%s\" is not supported", app_cfg(a)->db_backend);
        free(a);
        return -1;
    }
    config_path(app_cfg(a), app_cfg(a)->holidays_dir, holidays, sizeof holidays);
    if (calendar_open(holidays, &cal, err) != 0) {
        free(a);
        return -1;
    }
    a->cal = cal;
    app_mail_open(a); /* app_close gives it back */
    if (app_cfg(a)->root_offline && !offline_root_imported(a)) {
        ct_fail(err, 409, "ca.not_imported",
                "phiên bản này chờ chứng thư CA từ lễ tạo khóa: chạy `chungthu ca import THƯ_MỤC` "
                "với gói mang về (yêu cầu là ca/issuing.csr)",
                "this instance waits for its CA certificates from the key ceremony: run "
                "`chungthu ca import DIR` with the bundle brought back (the request is "
                "ca/issuing.csr)");
        app_close(a);
        return -1;
    }
    if (read_passphrase(app_cfg(a), pass, sizeof pass, err) != 0 ||
        app_store_open(app_cfg(a), &a->db, err) != 0 ||
        load_ca(a, "root", &a->root, pass, err) != 0 ||
        load_ca(a, "issuing", &a->issuing, pass, err) != 0 || responders_open(a, pass, err) != 0 ||
        app_audit_signer_open(a, pass, err) != 0 || app_status_open(a, err) != 0 ||
        limit_open(a, err) != 0) {
        OPENSSL_cleanse(pass, sizeof pass);
        app_close(a);
        return -1;
    }
    OPENSSL_cleanse(pass, sizeof pass);
    atomic_store(&a->standby, store_read_only(a->db)); /* read-only at open: a standby */
    *out = a;
    return 0;
}

void app_close(app *a)
{
    if (a == NULL)
        return;
    app_status_close(a);
    responders_close(a); /* before the token module closes under its keys */
    pki_ca_free(&a->audit);
    app_token_key_close(a->audit_key); /* after the signer that used it, before the module */
    app_token_close(a);
    limit_close(a);
    pki_ca_free(&a->root);
    pki_ca_free(&a->issuing);
    store_close(a->db);
    app_mail_close(a);
    calendar_free(a->cal);
    app_reload_close(a);
    free(a);
}

int app_ca_cert(app *a, const char *name, const unsigned char **der, size_t *len, ct_error *err)
{
    const pki_ca *ca = NULL;

    if (strcmp(name, "root") == 0)
        ca = &a->root;
    else if (strcmp(name, "issuing") == 0)
        ca = &a->issuing;
    else if (strcmp(name, "ocsp") == 0 && responder_current(a))
        ca = &responder_current(a)->ca; /* replaced ones live until app_close */
    else if (strcmp(name, "audit") == 0)
        ca = &a->audit;
    if (ca == NULL || ca->cert_der == NULL)
        return ct_fail(err, 404, "ca.not_found", "không có CA \"%s\"", "no CA named \"%s\"", name);
    *der = ca->cert_der;
    *len = ca->cert_len;
    return 0;
}

/* ---- init ---- */

/* Everything init creates goes under home; on failure it is removed again. */
static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_tree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int dir_is_empty_or_missing(const char *path, bool *existed)
{
    DIR *d = opendir(path);
    struct dirent *e;

    *existed = d != NULL;
    if (d == NULL)
        return errno == ENOENT ? 0 : -1;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            closedir(d);
            return -1;
        }
    }
    closedir(d);
    return 0;
}

/* Build one CA certificate and write its key and certificate files. */
int make_ca_cert(app *a, const ca_plan *plan, pki_ca *signer_ca, const char *passphrase,
                 pki_ca *out, ct_error *err)
{
    char key_path[CFG_PATH + 32], crt_path[CFG_PATH + 32];
    pki_key_type type;
    pki_signer *signer = NULL;

    snprintf(key_path, sizeof key_path, "%s/ca/%s.key", app_cfg(a)->home, plan->name);
    snprintf(crt_path, sizeof crt_path, "%s/ca/%s.crt", app_cfg(a)->home, plan->name);
    if (pki_key_type_parse(plan->key_type, &type, err) != 0)
        return -1;
    if (plan->profile == CERT_PROFILE_ISSUING && strcmp(app_cfg(a)->key_storage, "pkcs11") == 0) {
        if (app_token_ca_signer(a, true, type, &signer, err) != 0)
            return -1;
    } else if (plan->profile == CERT_PROFILE_AUDIT &&
               strcmp(app_cfg(a)->key_storage, "pkcs11") == 0) {
        if (app_token_key_signer(a, true, type, AUDIT_HSM_LABEL, &a->audit_key, &signer, err) != 0)
            return -1;
    } else if (signer_generate_file(type, key_path, passphrase, &signer, err) != 0) {
        return -1;
    }
    return ca_cert_build(a, plan, signer_ca, signer, NULL, crt_path, out, err);
}

int ca_cert_build(app *a, const ca_plan *plan, pki_ca *signer_ca, pki_signer *signer,
                  const unsigned char *serial, const char *crt_path, pki_ca *out, ct_error *err)
{
    cert_subject subject = {0};
    cert_request req = {0};
    cert_issuer issuer;
    unsigned char *name_der = NULL, *der = NULL;
    size_t name_len, der_len, spki_len;
    char *pem = NULL;
    int rc = -1;

    subject.org = app_cfg(a)->operator_name;
    subject.common_name = plan->common_name;
    if (cert_encode_name(&subject, &name_der, &name_len, err) != 0)
        goto out;
    req.profile = plan->profile;
    if (serial)
        memcpy(req.serial, serial, sizeof req.serial);
    else if (cert_random_serials(&req.serial, 1, err) != 0)
        goto out;
    req.not_before = app_now();
    req.not_after = req.not_before + (int64_t)plan->days * 86400;
    if (signer_ca && req.not_after > signer_ca->not_after)
        req.not_after = signer_ca->not_after;
    req.subject_der = name_der;
    req.subject_len = name_len;
    req.spki = signer_spki(signer, &spki_len);
    req.spki_len = spki_len;
    req.policy_oid = app_cfg(a)->policy_oid;
    req.cps_uri = app_cfg(a)->cps_uri;
    if (plan->profile == CERT_PROFILE_ISSUING) {
        req.crl_url = a->crl_url_root;
        req.ca_issuers_url = a->ca_url_root;
    }
    if (plan->profile == CERT_PROFILE_AUDIT) {
        req.eku_oid = app_cfg(a)->audit_eku;
        req.crl_url = a->crl_url_issuing;
        req.ocsp_url = a->ocsp_url;
        req.ca_issuers_url = a->ca_url_issuing;
    }
    if (signer_ca) {
        issuer = pki_ca_issuer(signer_ca);
    } else { /* self-signed root */
        issuer.signer = signer;
        issuer.name_der = name_der;
        issuer.name_len = name_len;
        if (cert_key_id(req.spki, req.spki_len, issuer.key_id, err) != 0)
            goto out;
    }
    if (cert_build(&req, &issuer, &der, &der_len, err) != 0 ||
        pki_cert_to_pem(der, der_len, &pem, err) != 0 ||
        write_file_excl(crt_path, pem, strlen(pem), 0600, err) != 0)
        goto out;
    rc = pki_ca_load(out, der, der_len, signer, err);
    signer = NULL; /* owned by out now, also on failure */
out:
    signer_free(signer);
    free(name_der);
    free(der);
    free(pem);
    return rc;
}

int record_ca_cert(app *a, const app_actor *actor, const char *kind, const char *issuer,
                   const pki_ca *ca, ct_error *err)
{
    return ca_cert_record(a, actor, "ca.create", kind, issuer, ca, NULL, err);
}

int ca_cert_record(app *a, const app_actor *actor, const char *action, const char *kind,
                   const char *issuer, const pki_ca *ca, json_t *extra, ct_error *err)
{
    cert_record rec;
    pki_cert_info info;
    json_t *detail;

    if (pki_cert_info_read(ca->cert_der, ca->cert_len, &info, err) != 0) {
        json_decref(extra);
        return -1;
    }
    memset(&rec, 0, sizeof rec);
    snprintf(rec.serial, sizeof rec.serial, "%s", info.serial_hex);
    snprintf(rec.kind, sizeof rec.kind, "%s", kind);
    snprintf(rec.issuer, sizeof rec.issuer, "%s", issuer);
    snprintf(rec.status, sizeof rec.status, "%s", CERT_STATUS_ACTIVE);
    snprintf(rec.subject, sizeof rec.subject, "%s", info.subject);
    snprintf(rec.common_name, sizeof rec.common_name, "%s", info.subject);
    snprintf(rec.sha256, sizeof rec.sha256, "%s", info.sha256_hex);
    rec.not_before = info.not_before;
    rec.not_after = info.not_after;
    rec.created_at = app_now();
    rec.effective_at = rec.created_at;
    rec.revocation_reason = -1;
    rec.der = ca->cert_der;
    rec.der_len = ca->cert_len;
    if (store_cert_insert(a->db, &rec, err) != 0) {
        json_decref(extra);
        return -1;
    }
    detail = json_pack("{s:s, s:s, s:s}", "kind", kind, "subject", info.subject, "sha256",
                       info.sha256_hex);
    if (detail && extra)
        json_object_update(detail, extra);
    json_decref(extra);
    return audit_append(a, actor, action, rec.serial, detail, err);
}

static int make_passphrase(app *a, char *out, size_t size, ct_error *err)
{
    unsigned char raw[24];
    char path[CFG_PATH * 2];
    static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    if (read_passphrase(app_cfg(a), out, size, NULL) == 0)
        return 0; /* given through the environment */
    if (RAND_bytes(raw, sizeof raw) != 1)
        return ct_fail(err, 500, "rand", "bộ sinh số ngẫu nhiên lỗi", "the CSPRNG failed");
    for (size_t i = 0; i < sizeof raw && i + 1 < size; i++)
        out[i] = alphabet[raw[i] % (sizeof alphabet - 1)];
    out[sizeof raw < size - 1 ? sizeof raw : size - 1] = '\0';
    OPENSSL_cleanse(raw, sizeof raw);
    config_path(app_cfg(a), app_cfg(a)->passphrase_file, path, sizeof path);
    return write_file_excl(path, out, strlen(out), 0600, err);
}

/* The announced holiday schedules shipped with chungthu become the instance's own, for the
 * administrator to extend as each year's schedule is announced. */
static int copy_holidays(app *a, ct_error *err)
{
    char src_dir[CFG_PATH], src[CFG_PATH * 2], dst[CFG_PATH * 2];
    DIR *d;
    struct dirent *e;
    int rc = 0;

    snprintf(src_dir, sizeof src_dir, "%s/holidays", CT_DATA_DIR);
    d = opendir(src_dir);
    if (d == NULL)
        return 0; /* no shipped data: computed defaults only */
    while (rc == 0 && (e = readdir(d)) != NULL) {
        unsigned char *data;
        size_t len;
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".txt") != 0)
            continue;
        snprintf(src, sizeof src, "%s/%s", src_dir, e->d_name);
        snprintf(dst, sizeof dst, "%s/holidays/%s", app_cfg(a)->home, e->d_name);
        if (read_file(src, &data, &len, 1 << 20, err) != 0) {
            rc = -1;
            break;
        }
        rc = write_file_excl(dst, data, len, 0600, err);
        free(data);
    }
    closedir(d);
    return rc;
}

/* The options of `init` over the defaults already in app_cfg(a)-> */
static void apply_init_options(app_config *cfg, const app_init_options *opt)
{
    if (opt == NULL)
        return;
    if (opt->root_key)
        snprintf(cfg->root_key, sizeof cfg->root_key, "%s", opt->root_key);
    if (opt->issuing_key)
        snprintf(cfg->issuing_key, sizeof cfg->issuing_key, "%s", opt->issuing_key);
    if (opt->base_url)
        snprintf(cfg->base_url, sizeof cfg->base_url, "%s", opt->base_url);
    if (opt->hsm_token) {
        snprintf(cfg->key_storage, sizeof cfg->key_storage, "pkcs11");
        snprintf(cfg->hsm_token, sizeof cfg->hsm_token, "%s", opt->hsm_token);
    }
    if (opt->token_module)
        snprintf(cfg->token_module, sizeof cfg->token_module, "%s", opt->token_module);
    if (opt->offline_root)
        cfg->root_offline = 1;
    if (opt->database_url) {
        snprintf(cfg->db_backend, sizeof cfg->db_backend, "postgresql");
        snprintf(cfg->db_url, sizeof cfg->db_url, "%s", opt->database_url);
    }
}

/* A PostgreSQL database lives outside the home: init refuses one that holds an instance
 * already (its certificates or its trail), as it refuses a home that is not empty. */
static int database_empty(app *a, ct_error *err)
{
    int64_t certs = 0, last = 0;
    char hash[65];

    if (store_cert_count(a->db, NULL, &certs, err) != 0 ||
        store_audit_last(a->db, &last, hash, err) != 0)
        return -1;
    if (certs > 0 || last > 0)
        return ct_fail(err, 409, "init.database_used",
                       "cơ sở dữ liệu đã chứa một phiên bản (chứng thư, nhật ký): dùng một cơ sở "
                       "dữ liệu trống",
                       "the database holds an instance already (certificates, an audit trail): "
                       "use an empty one");
    return 0;
}

static int check_ca_key_types(const app_config *cfg, ct_error *err)
{
    pki_key_type t;

    if (pki_key_type_parse(cfg->root_key, &t, err) != 0)
        return -1;
    if (t != PKI_KEY_RSA4096 && t != PKI_KEY_P384 && t != PKI_KEY_RSA3072)
        return ct_fail(err, 400, "key.type", "khóa CA gốc phải là rsa4096 hoặc p384",
                       "the root CA key must be rsa4096 or p384");
    /* rsa2048 is accepted for an issuing CA (short-lived test CAs, benchmarks); the profile's
     * default is rsa3072. */
    return pki_key_type_parse(cfg->issuing_key, &t, err);
}

static int make_instance_dirs(const char *home, ct_error *err)
{
    static const char *const dirs[] = {"ca", "secrets", "envelopes", "tokens", "holidays"};
    char path[CFG_PATH * 2];

    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", home, dirs[i]);
        if (mkdir(path, 0700) != 0)
            return ct_fail(err, 500, "file.mkdir", "không tạo được thư mục %s: %s",
                           "cannot create directory %s: %s", path, strerror(errno));
    }
    return 0;
}

/* The root, the issuing CA and the OCSP responder: keys under pass, and certificates. */
static int make_ca_certs(app *a, const char *pass, ct_error *err)
{
    const ca_plan root = {"root", CERT_PROFILE_ROOT, app_cfg(a)->root_key, app_cfg(a)->root_name,
                          app_cfg(a)->root_days};
    const ca_plan issuing = {"issuing", CERT_PROFILE_ISSUING, app_cfg(a)->issuing_key,
                             app_cfg(a)->issuing_name, app_cfg(a)->issuing_days};
    const ca_plan audit = {"audit", CERT_PROFILE_AUDIT, app_cfg(a)->issuing_key,
                           app_cfg(a)->audit_name, app_cfg(a)->audit_days};

    /* the responder's key goes where the issuing key is: the HSM, or a file */
    if (make_ca_cert(a, &root, NULL, pass, &a->root, err) != 0 ||
        make_ca_cert(a, &issuing, &a->root, pass, &a->issuing, err) != 0 ||
        responders_make(a, pass, err) != 0 ||
        make_ca_cert(a, &audit, &a->issuing, pass, &a->audit, err) != 0)
        return -1;
    return 0;
}

/* The three CA certificates and the audit row of the init, in one transaction. */
static int record_init(app *a, const app_actor *actor, bool demo, ct_error *err)
{
    if (store_begin(a->db, err) != 0)
        return -1;
    if (record_ca_cert(a, actor, "root", "root", &a->root, err) != 0 ||
        record_ca_cert(a, actor, "issuing", "root", &a->issuing, err) != 0 ||
        record_ca_cert(a, actor, "ocsp", "issuing", &responder_current(a)->ca, err) != 0 ||
        record_ca_cert(a, actor, "audit", "issuing", &a->audit, err) != 0 ||
        audit_append(a, actor, "instance.init", app_cfg(a)->home,
                     json_pack("{s:s, s:s, s:b}", "root_key", app_cfg(a)->root_key, "issuing_key",
                               app_cfg(a)->issuing_key, "demo", demo),
                     err) != 0 ||
        /* root and issuing key made here together by one person: the key is in use at once,
         * and the trail says so (an imported one waits for `ca activate`) */
        audit_append(a, actor, "ca.activate", "issuing",
                     json_pack("{s:s}", "by", demo ? "init --demo" : "init"), err) != 0 ||
        store_commit(a->db, err) != 0) {
        store_rollback(a->db);
        return -1;
    }
    return 0;
}

/* The steps of app_init inside app_cfg(a)->home, which exists and is empty; a is the caller's and
 * is closed by it. On failure the caller removes whatever was made. */
static int init_in(app *a, const app_init_options *opt, const app_actor *actor, ct_error *err)
{
    char path[CFG_PATH * 2], pass[1024] = "";
    bool demo = opt && opt->demo;
    int rc = -1;

    assert(a != NULL && a->db == NULL);
    apply_init_options(&a->cfg_open, opt);
    if (check_ca_key_types(app_cfg(a), err) != 0)
        goto out;
    snprintf(a->cfg_open.cps_uri, sizeof a->cfg_open.cps_uri, "%s/cps", a->cfg_open.base_url);
    app_set_urls(a);
    if (make_instance_dirs(app_cfg(a)->home, err) != 0)
        goto out;
    snprintf(path, sizeof path, "%s/chungthu.ini", app_cfg(a)->home);
    if (config_write(app_cfg(a), path, err) != 0 || copy_holidays(a, err) != 0 ||
        make_passphrase(a, pass, sizeof pass, err) != 0)
        goto out;
    if (app_store_open(app_cfg(a), &a->db, err) != 0 || database_empty(a, err) != 0)
        goto out;
    if (app_cfg(a)->root_offline) {
        /* the root is made at the key ceremony: here only the issuing key and its request */
        if (offline_root_request(a, pass, err) != 0 ||
            audit_append(a, actor, "instance.init", app_cfg(a)->home,
                         json_pack("{s:s, s:s, s:b}", "issuing_key", app_cfg(a)->issuing_key,
                                   "root", "offline", "demo", demo),
                         err) != 0)
            goto out;
        rc = 0;
        goto out;
    }
    if (make_ca_certs(a, pass, err) != 0 || record_init(a, actor, demo, err) != 0)
        goto out;
    if (demo && users_create_demo(a, actor, err) != 0)
        goto out;
    rc = 0;
out:
    OPENSSL_cleanse(pass, sizeof pass);
    return rc;
}

int app_init(const char *home, const app_init_options *opt, const app_actor *actor, ct_error *err)
{
    app *a;
    bool existed;
    int rc;
    mode_t old_mask;

    if (role_require(actor->role, ROLE_CA_ADMIN, "init", err) != 0)
        return -1;
    if (dir_is_empty_or_missing(home, &existed) != 0)
        return ct_fail(err, 409, "instance.exists",
                       "thư mục %s đã có dữ liệu: không khởi tạo đè lên",
                       "%s is not empty: refusing to initialise over it", home);
    if (!existed && mkdir(home, 0700) != 0)
        return ct_fail(err, 500, "file.mkdir", "không tạo được thư mục %s: %s",
                       "cannot create directory %s: %s", home, strerror(errno));
    /* An empty directory made beforehand (mkdir with the usual umask: 0755) is closed too. */
    if (existed && chmod(home, 0700) != 0)
        return ct_fail(err, 500, "file.chmod", "không đặt được quyền 0700 cho %s: %s",
                       "cannot make %s private (0700): %s", home, strerror(errno));
    a = calloc(1, sizeof *a);
    if (a == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    config_defaults(&a->cfg_open, home);
    /* Whatever init creates, the database and its -wal/-shm files, the token module's files,
     * is the owner's only; the files it writes itself name 0600 anyway. */
    old_mask = umask(077);
    rc = init_in(a, opt, actor, err);
    app_close(a);
    umask(old_mask);
    if (rc != 0) {
        /* Leave nothing half made: no key without a certificate, no database without a CA. */
        if (existed) {
            DIR *d = opendir(home);
            struct dirent *e;
            char path[CFG_PATH * 2];
            while (d && (e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                snprintf(path, sizeof path, "%s/%s", home, e->d_name);
                remove_tree(path);
            }
            if (d)
                closedir(d);
        } else {
            remove_tree(home);
        }
    }
    return rc;
}

/* The audit-signing key and certificate: loaded, or made once by the issuing CA for an instance
 * created before the audit trail had checkpoints (two processes opening it at once: the second
 * finds the files the first wrote). A key on an HSM is not yet supported for this signer; it is
 * a file under the CA passphrase like the OCSP responder's. */
int app_audit_signer_open(app *a, const char *passphrase, ct_error *err)
{
    const ca_plan plan = {"audit", CERT_PROFILE_AUDIT, app_cfg(a)->issuing_key,
                          app_cfg(a)->audit_name, app_cfg(a)->audit_days};
    const app_actor system = {"chungthu", ROLE_SYSTEM, "upgrade", NULL};
    char crt[CFG_PATH + 32];
    ct_error made = {0};

    snprintf(crt, sizeof crt, "%s/ca/audit.crt", app_cfg(a)->home);
    if (access(crt, F_OK) == 0)
        return load_ca(a, "audit", &a->audit, passphrase, err);
    if (make_ca_cert(a, &plan, &a->issuing, passphrase, &a->audit, &made) != 0)
        return access(crt, F_OK) == 0 ? load_ca(a, "audit", &a->audit, passphrase, err)
                                      : ct_fail_text(err, made.status, made.code, made.vi, made.en);
    if (store_begin(a->db, err) != 0)
        return -1;
    if (record_ca_cert(a, &system, "audit", "issuing", &a->audit, err) != 0 ||
        store_commit(a->db, err) != 0) {
        store_rollback(a->db);
        return -1;
    }
    return 0;
}
