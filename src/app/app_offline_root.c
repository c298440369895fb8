/*
 * app_offline_root.c — the online half of an instance whose root key is kept offline by a key
 * ceremony (docs/key-ceremony.md; the offline half is app_ceremony.c).
 *
 * `init --offline-root` makes only the issuing key and a request for it (ca/issuing.csr). The
 * ceremony signs the issuing certificate and a root CRL and hands back a bundle; `ca import`
 * checks it against this instance's own key and installs it, and only then does the instance
 * open. No root private key ever exists under the home: root CRLs come from the ceremony too
 * (`ca import-crl`) and the instance never signs one.
 */
#include "app/app_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "pki/cert.h"
#include "pki/crl.h"
#include "pki/csr.h"

/* The issuing CA's signer: the HSM's key when [ca] key_storage is pkcs11, else the file. */
static int issuing_signer(app *a, bool generate, const char *pass, pki_signer **out, ct_error *err)
{
    char key[CFG_PATH + 32];
    pki_key_type type;

    if (pki_key_type_parse(app_cfg(a)->issuing_key, &type, err) != 0)
        return -1;
    if (strcmp(app_cfg(a)->key_storage, "pkcs11") == 0)
        return app_token_ca_signer(a, generate, type, out, err);
    snprintf(key, sizeof key, "%s/ca/issuing.key", app_cfg(a)->home);
    return generate ? signer_generate_file(type, key, pass, out, err)
                    : signer_open_file(key, pass, out, err);
}

int offline_root_request(app *a, const char *passphrase, ct_error *err)
{
    cert_subject subject = {0};
    pki_signer *signer = NULL;
    unsigned char *name = NULL;
    size_t name_len;
    char *pem = NULL, path[CFG_PATH + 32];
    int rc = -1;

    subject.org = app_cfg(a)->operator_name;
    subject.common_name = app_cfg(a)->issuing_name;
    snprintf(path, sizeof path, "%s/ca/issuing.csr", app_cfg(a)->home);
    if (issuing_signer(a, true, passphrase, &signer, err) == 0 &&
        cert_encode_name(&subject, &name, &name_len, err) == 0 &&
        csr_build(signer, name, name_len, &pem, err) == 0 &&
        app_write_file_excl(path, pem, strlen(pem), 0600, err) == 0)
        rc = 0;
    signer_free(signer);
    free(name);
    free(pem);
    return rc;
}

/* A certificate of the bundle, DER. */
static int read_bundle_cert(const char *dir, const char *name, unsigned char **der, size_t *len,
                            ct_error *err)
{
    char path[CFG_PATH * 2];
    unsigned char *data;
    size_t n;
    int rc;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (app_read_file(path, &data, &n, 1 << 20, err) != 0)
        return -1;
    rc = pki_cert_from_pem(data, n, der, len, err);
    free(data);
    return rc;
}

static int write_cert(app *a, const char *name, const unsigned char *der, size_t len, ct_error *err)
{
    char path[CFG_PATH + 32], *pem;
    int rc;

    snprintf(path, sizeof path, "%s/ca/%s.crt", app_cfg(a)->home, name);
    if (pki_cert_to_pem(der, len, &pem, err) != 0)
        return -1;
    rc = app_write_file_excl(path, pem, strlen(pem), 0600, err);
    free(pem);
    return rc;
}

/* What the import made before a failure, removed again so that it can be run once more. */
static void unmake(app *a)
{
    static const char *const made[] = {"root.crt", "issuing.crt", "ocsp.crt",
                                       "ocsp.key", "audit.crt",   "audit.key"};
    char path[CFG_PATH + 32];

    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
        snprintf(path, sizeof path, "%s/ca/%s", app_cfg(a)->home, made[i]);
        unlink(path);
    }
}

typedef struct bundle {
    unsigned char *root, *issuing;
    size_t root_len, issuing_len;
    crl_info crl;
} bundle;

static void bundle_free(bundle *b)
{
    free(b->root);
    free(b->issuing);
    free(b->crl.der);
}

/* Every check of the bundle, before anything is written: the root signs itself, the issuing
 * certificate chains to it and carries this instance's own issuing key, the CRL is the root's. */
static int check_bundle(app *a, const char *dir, pki_signer *signer, bundle *b, ct_error *err)
{
    const pki_ca *up[1] = {&a->root};
    char path[CFG_PATH * 2];
    unsigned char *crl;
    size_t crl_len;
    int rc;

    if (read_bundle_cert(dir, "root.crt", &b->root, &b->root_len, err) != 0 ||
        read_bundle_cert(dir, "issuing.crt", &b->issuing, &b->issuing_len, err) != 0)
        return -1;
    if (pki_chain_verify(b->root, b->root_len, NULL, 0, err) != 0 ||
        pki_ca_load(&a->root, b->root, b->root_len, NULL, err) != 0)
        return -1;
    if (pki_chain_verify(b->issuing, b->issuing_len, up, 1, err) != 0)
        return -1;
    if (!pki_cert_key_matches(b->issuing, b->issuing_len, signer))
        return ct_fail(err, 409, "ca.import_key_mismatch",
                       "chứng thư CA cấp phát trong gói không mang khóa của phiên bản này "
                       "(ca/issuing.csr): không nhập",
                       "the bundle's issuing CA certificate is not for this instance's key "
                       "(ca/issuing.csr): nothing imported");
    snprintf(path, sizeof path, "%s/root.crl", dir);
    if (app_read_file(path, &crl, &crl_len, 64 << 20, err) != 0)
        return -1;
    rc = crl_read(crl, crl_len, b->root, b->root_len, &b->crl, err);
    free(crl);
    return rc;
}

static int import_in(app *a, const char *dir, const app_actor *actor, const char *pass,
                     ct_error *err)
{
    const ca_plan audit = {"audit", CERT_PROFILE_AUDIT, app_cfg(a)->issuing_key,
                           app_cfg(a)->audit_name, app_cfg(a)->audit_days};
    pki_signer *signer = NULL;
    bundle b = {0};
    crl_record rec = {0};
    pki_cert_info root_info, issuing_info;
    char log_head[CFG_TEXT];
    int rc = -1;

    if (app_store_open(app_cfg(a), &a->db, err) != 0 ||
        issuing_signer(a, false, pass, &signer, err) != 0)
        goto out;
    if (check_bundle(a, dir, signer, &b, err) != 0 ||
        app_ceremony_check_bundle_log(dir, log_head, err) != 0 ||
        pki_cert_info_read(b.root, b.root_len, &root_info, err) != 0 ||
        pki_cert_info_read(b.issuing, b.issuing_len, &issuing_info, err) != 0)
        goto out;
    /* checked: from here on the instance is made, and unmade on failure */
    /* imported, not active: its key signs no certificate, CRL or responder of the CA's work
     * until `ca activate` (app_activation.c); the mark is written before the certificate that
     * would make the instance open */
    if (ca_mark_inactive(a, issuing_info.sha256_hex, err) != 0 ||
        write_cert(a, "root", b.root, b.root_len, err) != 0 ||
        write_cert(a, "issuing", b.issuing, b.issuing_len, err) != 0)
        goto undo;
    rc = pki_ca_load(&a->issuing, b.issuing, b.issuing_len, signer, err);
    signer = NULL; /* the issuing CA's now */
    if (rc != 0 || responders_make(a, pass, err) != 0 ||
        make_ca_cert(a, &audit, &a->issuing, pass, &a->audit, err) != 0) {
        rc = -1;
        goto undo;
    }
    snprintf(rec.issuer, sizeof rec.issuer, "root");
    rec.number = b.crl.number;
    rec.this_update = b.crl.this_update;
    rec.next_update = b.crl.next_update;
    rec.der = b.crl.der;
    rec.der_len = b.crl.der_len;
    if (store_begin(a->db, err) != 0)
        goto undo;
    if (record_ca_cert(a, actor, "root", "root", &a->root, err) != 0 ||
        record_ca_cert(a, actor, "issuing", "root", &a->issuing, err) != 0 ||
        record_ca_cert(a, actor, "ocsp", "issuing", &responder_current(a)->ca, err) != 0 ||
        record_ca_cert(a, actor, "audit", "issuing", &a->audit, err) != 0 ||
        store_crl_put(a->db, &rec, err) != 0 ||
        audit_append(a, actor, "ca.import", dir,
                     json_pack("{s:s, s:s, s:I, s:b, s:s}", "root_sha256", root_info.sha256_hex,
                               "issuing_sha256", issuing_info.sha256_hex, "root_crl_number",
                               (json_int_t)b.crl.number, "active", 0, "ceremony_log_head",
                               log_head),
                     err) != 0 ||
        store_commit(a->db, err) != 0) {
        store_rollback(a->db);
        goto undo;
    }
    rc = 0;
    goto out;
undo:
    rc = -1;
    if (strcmp(app_cfg(a)->key_storage, "pkcs11") == 0) {
        /* the keys this import made on the HSM go with the files: the responder's and the
         * audit signer's (the issuing CA's was made by init and stays) */
        size_t n;
        responders_destroy_keys(a);
        app_token_key_destroy(a, AUDIT_HSM_LABEL, &n, NULL);
    }
    unmake(a);
    ca_unmark(a);
out:
    signer_free(signer);
    bundle_free(&b);
    return rc;
}

int app_ca_import(const char *home, const char *bundle_dir, const app_actor *actor, ct_error *err)
{
    app *a;
    char pass[1024] = "", path[CFG_PATH + 32];
    int rc = -1;

    if (role_require(actor->role, ROLE_CA_ADMIN, "ca import", err) != 0)
        return -1;
    a = calloc(1, sizeof *a);
    if (a == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    if (config_load(&a->cfg_open, home, err) != 0)
        goto out;
    app_set_urls(a);
    snprintf(path, sizeof path, "%s/ca/root.crt", app_cfg(a)->home);
    if (!app_cfg(a)->root_offline) {
        ct_fail(err, 409, "ca.not_offline",
                "phiên bản này giữ khóa CA gốc của mình: không có gì để nhập",
                "this instance keeps its own root key: there is nothing to import");
        goto out;
    }
    if (access(path, F_OK) == 0) {
        ct_fail(err, 409, "ca.already_imported", "chứng thư CA đã được nhập",
                "the CA certificates were imported already");
        goto out;
    }
    if (app_read_passphrase(app_cfg(a), pass, sizeof pass, err) != 0)
        goto out;
    rc = import_in(a, bundle_dir, actor, pass, err);
out:
    OPENSSL_cleanse(pass, sizeof pass);
    app_close(a);
    return rc;
}

int app_crl_import(app *a, const app_actor *actor, const unsigned char *data, size_t len,
                   int64_t *number, ct_error *err)
{
    crl_info info;
    crl_record rec = {0}, latest;
    pki_cert_info issuing;
    bool revoked;
    int rc, reason = 0;

    if (role_require(actor->role, ROLE_CA_ADMIN, "ca import-crl", err) != 0)
        return -1;
    if (!app_cfg(a)->root_offline)
        return ct_fail(err, 409, "ca.not_offline",
                       "phiên bản này tự ký CRL của CA gốc: không nhập CRL",
                       "this instance signs its root CRLs itself: no CRL is imported");
    if (crl_read(data, len, a->root.cert_der, a->root.cert_len, &info, err) != 0)
        return -1;
    if (info.next_update <= app_now()) {
        free(info.der);
        return ct_fail(err, 400, "crl.expired", "CRL đã hết hạn", "the CRL has expired");
    }
    if (store_crl_latest(a->db, "root", &latest, NULL) == 0) {
        int64_t newest = latest.number;
        crl_record_free(&latest);
        if (info.number <= newest) {
            free(info.der);
            return ct_fail(err, 409, "crl.not_newer",
                           "CRL số %lld không mới hơn CRL đang dùng (số %lld)",
                           "CRL number %lld is not newer than the current one (number %lld)",
                           (long long)info.number, (long long)newest);
        }
    }
    if (pki_cert_info_read(a->issuing.cert_der, a->issuing.cert_len, &issuing, err) != 0) {
        free(info.der);
        return -1;
    }
    /* a root CRL that lists this instance's issuing CA stops its key (app_activation.c) */
    revoked = crl_lists(info.der, info.der_len, issuing.serial_hex, &reason, NULL) == 1;
    snprintf(rec.issuer, sizeof rec.issuer, "root");
    rec.number = info.number;
    rec.this_update = info.this_update;
    rec.next_update = info.next_update;
    rec.der = info.der;
    rec.der_len = info.der_len;
    rc = store_begin(a->db, err);
    if (rc == 0 &&
        (store_crl_put(a->db, &rec, err) != 0 ||
         audit_append(a, actor, "crl.import", "root",
                      revoked ? json_pack("{s:I, s:s, s:s}", "number", (json_int_t)info.number,
                                          "revokes_issuing", issuing.serial_hex, "reason",
                                          crl_reason_name(reason))
                              : json_pack("{s:I}", "number", (json_int_t)info.number),
                      err) != 0 ||
         store_commit(a->db, err) != 0)) {
        store_rollback(a->db);
        rc = -1;
    }
    free(info.der);
    if (rc == 0 && number)
        *number = info.number;
    return rc;
}
