/*
 * app_ocsp.c — the OCSP responder's key and certificate: made at init, loaded, and renewed
 * before the certificate expires ([ca] ocsp_renew_days), without a gap in the answers.
 *
 * The key lives where the issuing CA's key lives: on the HSM (labelled by the certificate's
 * serial, "chungthu-ocsp-SERIAL", so that the certificate names its key) or in ca/ocsp.key,
 * encrypted under the CA passphrase. ca/ocsp.crt is the one switch: a rotation writes the new
 * key (ca/ocsp-next.key, or a new object on the HSM) and ca/ocsp.crt.next, records the new
 * certificate and audits it, keeps the old certificate as ca/ocsp-OLDSERIAL.crt, then renames
 * ocsp.crt.next over ocsp.crt and ocsp-next.key over ocsp.key. A reader in between finds the
 * certificate's key in one of the two key files (they are checked against the certificate).
 *
 * In a running process the responder is a pointer that requests read without a lock; a swap
 * puts the new one in front and keeps the old one until app_close, since a request on another
 * thread may be signing with it at that moment. A process notices a rotation made by another
 * one through ocsp.crt's identity (device, inode, size, time), looked at most once a second.
 * Two rotations at once (the server's upkeep and `ocsp rotate`, or two nodes) are one: the
 * rotation runs under a claim (app_claim.c) and looks again at what is due once it holds it.
 *
 * A replaced responder's key on the HSM is destroyed once its certificate has expired (each
 * renewal check sweeps the kept ca/ocsp-SERIAL.crt files; a swept one becomes
 * ocsp-SERIAL.retired.crt). Not at the switch: other processes (the server, `ocsp respond`) sign
 * with the old key until their next request notices the new certificate, and a request signing
 * at that moment would fail on a destroyed key, a gap the rotation exists to avoid. Expired, the
 * certificate makes any answer signed with the key fail verification, so the key is of no more
 * use to anyone. A file key is renamed over at the switch and so is gone already.
 */
#include "app/app_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "pki/ocsp.h"

#define CLAIM_OBJECT "ca:ocsp-responder"
#define HSM_LABEL_PREFIX "chungthu-ocsp-"
#define LOAD_TRIES 3

typedef struct file_id {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
} file_id;

struct responder_state {
    _Atomic(app_responder *) current;
    pthread_mutex_t lock; /* one load, swap or rotation at a time in this process */
    file_id loaded;       /* ca/ocsp.crt as it was when current was loaded (under lock) */
    atomic_llong checked_at;
};

static void path_of(const app *a, const char *file, char *out, size_t size)
{
    snprintf(out, size, "%s/ca/%s", app_cfg(a)->home, file);
}

static bool same_file(const file_id *x, const file_id *y)
{
    return x->dev == y->dev && x->ino == y->ino && x->size == y->size &&
           x->mtime.tv_sec == y->mtime.tv_sec && x->mtime.tv_nsec == y->mtime.tv_nsec;
}

static int identify(const char *path, file_id *out)
{
    struct stat sb;

    if (stat(path, &sb) != 0)
        return -1;
    out->dev = sb.st_dev;
    out->ino = sb.st_ino;
    out->size = sb.st_size;
    out->mtime = sb.st_mtim;
    return 0;
}

static void responder_free(app_responder *r)
{
    if (r == NULL)
        return;
    ocsp_responder_free(r->ocsp);
    pki_ca_free(&r->ca); /* the signer, before the HSM key it signs with */
    app_token_key_close(r->hsm_key);
    free(r);
}

static void hsm_label(const char *serial_hex, char out[64])
{
    snprintf(out, 64, HSM_LABEL_PREFIX "%s", serial_hex);
}

static bool on_hsm(const app *a)
{
    return strcmp(app_cfg(a)->key_storage, "pkcs11") == 0;
}

/* Load ca/ocsp.crt and its key (on the HSM, else in ocsp.key or ocsp-next.key). */
static int load_once(app *a, const char *pass, app_responder **out, file_id *id, bool *mismatch,
                     ct_error *err)
{
    char crt[CFG_PATH + 32], key[CFG_PATH + 32];
    unsigned char *pem = NULL, *der = NULL;
    size_t pem_len, der_len;
    pki_cert_info info;
    pki_signer *signer = NULL;
    app_responder *r = calloc(1, sizeof *r);
    bool opened = false;
    int rc = -1;

    *mismatch = false;
    if (r == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    path_of(a, "ocsp.crt", crt, sizeof crt);
    if (identify(crt, id) != 0 || app_read_file(crt, &pem, &pem_len, 1 << 20, err) != 0) {
        if (err && !err->code[0])
            ct_fail(err, 500, "file.read", "không đọc được %s", "cannot read %s", crt);
        goto out;
    }
    if (pki_cert_from_pem(pem, pem_len, &der, &der_len, err) != 0 ||
        pki_cert_info_read(der, der_len, &info, err) != 0)
        goto out;
    if (on_hsm(a)) {
        char label[64];
        hsm_label(info.serial_hex, label);
        if (app_token_key_signer(a, false, PKI_KEY_P256, label, &r->hsm_key, &signer, err) != 0) {
            /* an instance made before responder keys went to the HSM keeps a file key */
            path_of(a, "ocsp.key", key, sizeof key);
            if (err == NULL || strcmp(err->code, "token.key_not_found") != 0 ||
                access(key, F_OK) != 0)
                goto out;
            ct_error_clear(err);
        }
    }
    for (int i = 0; signer == NULL && i < 2; i++) {
        ct_error open_err = {0};
        path_of(a, i == 0 ? "ocsp.key" : "ocsp-next.key", key, sizeof key);
        if (signer_open_file(key, pass, &signer, &open_err) != 0) {
            if (i == 0 && err)
                *err = open_err; /* the error to give if neither file has the key */
            continue;
        }
        opened = true;
        if (!pki_cert_key_matches(der, der_len, signer)) {
            signer_free(signer);
            signer = NULL;
        }
    }
    if (signer == NULL && !opened)
        goto out;
    if (signer == NULL || !pki_cert_key_matches(der, der_len, signer)) {
        /* read in the middle of a rotation: the caller reads again */
        signer_free(signer);
        *mismatch = true;
        ct_fail(err, 500, "ocsp.key_mismatch", "khóa của máy chủ OCSP không khớp với chứng thư %s",
                "the OCSP responder's key does not match its certificate %s", crt);
        goto out;
    }
    if (err)
        ct_error_clear(err);
    if (pki_ca_load(&r->ca, der, der_len, signer, err) != 0 ||
        ocsp_responder_new(&a->issuing, &r->ca, &r->ocsp, err) != 0)
        goto out;
    *out = r;
    r = NULL;
    rc = 0;
out:
    responder_free(r);
    free(pem);
    free(der);
    return rc;
}

static int load_newest(app *a, const char *pass, app_responder **out, file_id *id, ct_error *err)
{
    for (int i = 0; i < LOAD_TRIES; i++) {
        bool mismatch;
        if (err)
            ct_error_clear(err);
        if (load_once(a, pass, out, id, &mismatch, err) == 0)
            return 0;
        if (!mismatch)
            return -1;
    }
    return -1;
}

/* Put r in front (under st->lock). */
static void install(app *a, app_responder *r, const file_id *id)
{
    struct responder_state *st = a->responders;
    app_responder *old = atomic_load(&st->current);

    r->replaced = old;
    r->generation = old ? old->generation + 1 : 1;
    st->loaded = *id;
    atomic_store(&st->current, r);
    if (old)
        app_status_responder_changed(a);
}

static int state_new(app *a, ct_error *err)
{
    struct responder_state *st = calloc(1, sizeof *st);

    if (st == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    pthread_mutex_init(&st->lock, NULL);
    a->responders = st;
    return 0;
}

int responders_open(app *a, const char *pass, ct_error *err)
{
    app_responder *r;
    file_id id;

    if (state_new(a, err) != 0 || load_newest(a, pass, &r, &id, err) != 0)
        return -1;
    install(a, r, &id);
    return 0;
}

void responders_close(app *a)
{
    struct responder_state *st = a->responders;
    app_responder *r;

    if (st == NULL)
        return;
    r = atomic_load(&st->current);
    while (r) {
        app_responder *next = r->replaced;
        responder_free(r);
        r = next;
    }
    pthread_mutex_destroy(&st->lock);
    free(st);
    a->responders = NULL;
}

app_responder *responder_current(app *a)
{
    return a->responders ? atomic_load(&a->responders->current) : NULL;
}

unsigned app_ocsp_generation(app *a)
{
    app_responder *r = responder_current(a);

    return r ? app_ocsp_mix(r->generation, app_status_epoch(a)) : 0;
}

/* Under st->lock: load ocsp.crt again if it is not what is loaded. */
static int reload_if_changed(app *a, ct_error *err)
{
    struct responder_state *st = a->responders;
    char crt[CFG_PATH + 32], pass[1024];
    file_id id;
    app_responder *r;
    int rc;

    path_of(a, "ocsp.crt", crt, sizeof crt);
    if (identify(crt, &id) != 0 || same_file(&id, &st->loaded))
        return 0;
    if (app_read_passphrase(app_cfg(a), pass, sizeof pass, err) != 0)
        return -1;
    rc = load_newest(a, pass, &r, &id, err);
    OPENSSL_cleanse(pass, sizeof pass);
    if (rc != 0)
        return -1;
    install(a, r, &id);
    return 0;
}

void responders_check_files(app *a)
{
    struct responder_state *st = a->responders;
    struct timespec ts;
    int64_t now;
    ct_error err = {0};

    /* the machine's clock, not app_now(): a rehearsal's clock may stand still */
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    now = (int64_t)ts.tv_sec;
    if (st == NULL || atomic_load(&st->checked_at) == now)
        return;
    atomic_store(&st->checked_at, now);
    /* a request never waits for a rotation: the one holding the lock installs it */
    if (pthread_mutex_trylock(&st->lock) != 0)
        return;
    if (reload_if_changed(a, &err) != 0)
        fprintf(stderr, "chungthu: OCSP responder: [%s] %s\n", err.code, err.en);
    pthread_mutex_unlock(&st->lock);
}

/* A new key and a certificate for it, written to crt_path (and the key to key_path, for a file
 * key); both paths are cleared first (what an interrupted rotation left). */
static int make_responder(app *a, const char *pass, const char *crt_path, const char *key_path,
                          app_responder **out, ct_error *err)
{
    const ca_plan plan = {"ocsp", CERT_PROFILE_OCSP, app_cfg(a)->issuing_key, app_cfg(a)->ocsp_name,
                          app_cfg(a)->ocsp_days};
    unsigned char serial[CERT_SERIAL_LEN];
    char serial_hex[2 * CERT_SERIAL_LEN + 1] = "";
    pki_key_type type;
    pki_signer *signer = NULL;
    app_responder *r = calloc(1, sizeof *r);

    if (r == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    if (pki_key_type_parse(app_cfg(a)->issuing_key, &type, err) != 0 ||
        cert_random_serials(&serial, 1, err) != 0)
        goto fail;
    cert_serial_hex(serial, serial_hex);
    unlink(crt_path);
    if (on_hsm(a)) {
        char label[64];
        hsm_label(serial_hex, label);
        if (app_token_key_signer(a, true, type, label, &r->hsm_key, &signer, err) != 0)
            goto fail;
    } else {
        unlink(key_path);
        if (signer_generate_file(type, key_path, pass, &signer, err) != 0)
            goto fail;
    }
    if (ca_cert_build(a, &plan, &a->issuing, signer, serial, crt_path, &r->ca, err) != 0 ||
        ocsp_responder_new(&a->issuing, &r->ca, &r->ocsp, err) != 0)
        goto fail;
    *out = r;
    return 0;
fail:
    responder_free(r);
    if (on_hsm(a) && serial_hex[0]) {
        /* a key made for a certificate that never was: nothing will ever use it */
        char label[64];
        size_t n;
        hsm_label(serial_hex, label);
        app_token_key_destroy(a, label, &n, NULL);
    }
    if (key_path)
        unlink(key_path);
    unlink(crt_path);
    return -1;
}

void responders_destroy_keys(app *a)
{
    app_responder *r = responder_current(a);
    pki_cert_info info;
    char label[64];
    size_t n;

    if (!on_hsm(a) || r == NULL ||
        pki_cert_info_read(r->ca.cert_der, r->ca.cert_len, &info, NULL) != 0)
        return;
    hsm_label(info.serial_hex, label);
    app_token_key_destroy(a, label, &n, NULL);
}

int responders_make(app *a, const char *pass, ct_error *err)
{
    char crt[CFG_PATH + 32], key[CFG_PATH + 32];
    app_responder *r;
    file_id id;

    path_of(a, "ocsp.crt", crt, sizeof crt);
    path_of(a, "ocsp.key", key, sizeof key);
    if (state_new(a, err) != 0 || make_responder(a, pass, crt, on_hsm(a) ? NULL : key, &r, err))
        return -1;
    if (identify(crt, &id) != 0)
        memset(&id, 0, sizeof id);
    install(a, r, &id);
    return 0;
}

/* Whether r is due for renewal at now: fewer than [ca] ocsp_renew_days left, and never more
 * than half its life (a renewal window as long as the certificate would renew forever). */
static bool due(const app *a, const app_responder *r, int64_t now)
{
    int64_t window = (int64_t)app_cfg(a)->ocsp_renew_days * 86400;
    int64_t life = r->ca.not_after - r->ca.not_before;

    if (window > life / 2)
        window = life / 2;
    return now >= r->ca.not_after - window;
}

typedef struct rotation {
    const app_actor *actor;
    const char *holder;
    app_responder *old, *new;
    char old_serial[80];
} rotation;

static int claim_in_transaction(app *a, void *ctx, ct_error *err)
{
    rotation *rot = ctx;

    return claim_take(a, CLAIM_OBJECT, rot->holder, err);
}

static int record_in_transaction(app *a, void *ctx, ct_error *err)
{
    rotation *rot = ctx;

    if (!claim_held(a, CLAIM_OBJECT, rot->holder))
        return ct_fail(err, 409, "claim.lost", "quyền làm việc trên máy chủ OCSP đã mất",
                       "the claim on the OCSP responder was lost");
    return ca_cert_record(a, rot->actor, "ca.ocsp_rotate", "ocsp", "issuing", &rot->new->ca,
                          json_pack("{s:s, s:I}", "replaces", rot->old_serial, "not_after",
                                    (json_int_t)rot->new->ca.not_after),
                          err);
}

static int fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

/* The new files take the old ones' place: ocsp.crt first (the switch), then ocsp.key. */
static int switch_files(app *a, const rotation *rot, ct_error *err)
{
    char crt[CFG_PATH + 32], next_crt[CFG_PATH + 32], kept[CFG_PATH + 128];
    char key[CFG_PATH + 32], next_key[CFG_PATH + 32], dir[CFG_PATH + 8];

    path_of(a, "ocsp.crt", crt, sizeof crt);
    path_of(a, "ocsp.crt.next", next_crt, sizeof next_crt);
    path_of(a, "ocsp.key", key, sizeof key);
    path_of(a, "ocsp-next.key", next_key, sizeof next_key);
    snprintf(kept, sizeof kept, "%s/ca/ocsp-%s.crt", app_cfg(a)->home, rot->old_serial);
    snprintf(dir, sizeof dir, "%s/ca", app_cfg(a)->home);
    if (link(crt, kept) != 0 && errno != EEXIST)
        return ct_fail(err, 500, "file.write", "không giữ lại được %s: %s", "cannot keep %s: %s",
                       kept, strerror(errno));
    if (rename(next_crt, crt) != 0)
        return ct_fail(err, 500, "file.write", "không thay được %s: %s", "cannot replace %s: %s",
                       crt, strerror(errno));
    if (!on_hsm(a) && rename(next_key, key) != 0)
        return ct_fail(err, 500, "file.write", "không thay được %s: %s", "cannot replace %s: %s",
                       key, strerror(errno));
    fsync_dir(dir);
    return 0;
}

static int rotate_locked(app *a, const app_actor *actor, bool force, bool *rotated, ct_error *err)
{
    char holder[CLAIM_HOLDER_MAX], pass[1024] = "", next_crt[CFG_PATH + 32],
                                   next_key[CFG_PATH + 32], crt[CFG_PATH + 32];
    rotation rot = {.actor = actor, .holder = holder};
    pki_cert_info info;
    file_id id;
    int rc = -1;

    if (reload_if_changed(a, err) != 0)
        return -1;
    if (!force && !due(a, responder_current(a), app_now()))
        return 0;
    /* a new responder certificate is signed by the issuing CA's key */
    if (issuing_usable(a, err) != 0)
        return -1;
    claim_holder(holder);
    if (with_transaction(a, claim_in_transaction, &rot, err) != 0) {
        /* another process is renewing it: that is the one rotation */
        if (!force && strcmp(err->code, "claim.busy") == 0) {
            ct_error_clear(err);
            return 0;
        }
        return -1;
    }
    /* it may have finished one just before the claim was taken */
    if (reload_if_changed(a, err) != 0)
        goto release;
    rot.old = responder_current(a);
    if (!force && !due(a, rot.old, app_now())) {
        rc = 0;
        goto release;
    }
    if (pki_cert_info_read(rot.old->ca.cert_der, rot.old->ca.cert_len, &info, err) != 0 ||
        app_read_passphrase(app_cfg(a), pass, sizeof pass, err) != 0)
        goto release;
    snprintf(rot.old_serial, sizeof rot.old_serial, "%s", info.serial_hex);
    path_of(a, "ocsp.crt.next", next_crt, sizeof next_crt);
    path_of(a, "ocsp-next.key", next_key, sizeof next_key);
    if (make_responder(a, pass, next_crt, on_hsm(a) ? NULL : next_key, &rot.new, err) != 0)
        goto release;
    if (with_transaction(a, record_in_transaction, &rot, err) != 0) {
        responder_free(rot.new);
        unlink(next_crt);
        unlink(next_key);
        goto release;
    }
    /* recorded: the files switch and this process swaps, and only then is the claim released,
     * so that a process taking it next finds the new files and nothing due (released with the
     * record, a second process could take it before the switch and rotate once more) */
    if (switch_files(a, &rot, err) != 0) {
        responder_free(rot.new);
        goto release;
    }
    path_of(a, "ocsp.crt", crt, sizeof crt);
    if (identify(crt, &id) != 0)
        memset(&id, 0, sizeof id);
    install(a, rot.new, &id);
    *rotated = true;
    rc = 0;
release:
    claim_release_now(a, CLAIM_OBJECT, holder);
    OPENSSL_cleanse(pass, sizeof pass);
    return rc;
}

typedef struct key_destroyed {
    const app_actor *actor;
    const char *serial, *label;
    size_t objects;
    int64_t not_after;
} key_destroyed;

static int record_destroyed(app *a, void *ctx, ct_error *err)
{
    key_destroyed *k = ctx;

    return audit_append(a, k->actor, "ca.ocsp_key_destroy", k->serial,
                        json_pack("{s:s, s:I, s:I}", "label", k->label, "objects",
                                  (json_int_t)k->objects, "not_after", (json_int_t)k->not_after),
                        err);
}

/* One kept certificate (ca/NAME): its key destroyed on the HSM if it has expired. */
static void sweep_one(app *a, const app_actor *actor, const char *name, const char *current)
{
    char path[CFG_PATH + 300], retired[CFG_PATH + 320], label[64];
    unsigned char *pem = NULL, *der = NULL;
    size_t pem_len, der_len, n = 0;
    pki_cert_info info;
    ct_error err = {0};

    snprintf(path, sizeof path, "%s/ca/%s", app_cfg(a)->home, name);
    if (app_read_file(path, &pem, &pem_len, 1 << 20, &err) != 0 ||
        pki_cert_from_pem(pem, pem_len, &der, &der_len, &err) != 0 ||
        pki_cert_info_read(der, der_len, &info, &err) != 0)
        goto out;
    if (info.not_after > app_now() || strcmp(info.serial_hex, current) == 0)
        goto out;
    hsm_label(info.serial_hex, label);
    if (app_token_key_destroy(a, label, &n, &err) != 0 ||
        (n > 0 &&
         with_transaction(a, record_destroyed,
                          &(key_destroyed){actor, info.serial_hex, label, n, info.not_after},
                          &err) != 0))
        goto out;
    /* swept: the certificate is kept, under a name the sweep passes by */
    snprintf(retired, sizeof retired, "%.*s.retired.crt", (int)(strlen(path) - 4), path);
    rename(path, retired);
out:
    if (err.code[0])
        fprintf(stderr, "chungthu: OCSP responder key %s: [%s] %s\n", name, err.code, err.en);
    free(pem);
    free(der);
}

static void sweep_expired_keys(app *a, const app_actor *actor)
{
    char dir[CFG_PATH + 8], current[80] = "";
    app_responder *now = responder_current(a);
    pki_cert_info info;
    struct dirent *e;
    DIR *d;

    if (!on_hsm(a))
        return;
    if (now && pki_cert_info_read(now->ca.cert_der, now->ca.cert_len, &info, NULL) == 0)
        snprintf(current, sizeof current, "%s", info.serial_hex);
    snprintf(dir, sizeof dir, "%s/ca", app_cfg(a)->home);
    d = opendir(dir);
    while (d && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, "ocsp-", 5) == 0 && len > 9 &&
            strcmp(e->d_name + len - 4, ".crt") == 0 && strstr(e->d_name, ".retired.") == NULL)
            sweep_one(a, actor, e->d_name, current);
    }
    if (d)
        closedir(d);
}

int responders_rotate(app *a, const app_actor *actor, bool force, bool *rotated, ct_error *err)
{
    struct responder_state *st = a->responders;
    int rc;

    *rotated = false;
    pthread_mutex_lock(&st->lock);
    sweep_expired_keys(a, actor);
    rc = rotate_locked(a, actor, force, rotated, err);
    pthread_mutex_unlock(&st->lock);
    return rc;
}

int app_ocsp_rotate(app *a, const app_actor *actor, bool force, bool *rotated, ct_error *err)
{
    if (role_require(actor->role, ROLE_CA_ADMIN | ROLE_SYSTEM, "ocsp rotate", err) != 0)
        return -1;
    return responders_rotate(a, actor, force, rotated, err);
}
