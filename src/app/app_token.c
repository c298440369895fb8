/*
 * app_token.c — the CA's token stock and step 2 on a token (DESIGN.md §4).
 *
 * Provisioning a subscriber's token, in order: take a blank token from stock; initialise it with
 * the CA's SO PIN and a fresh random user PIN; generate the key pair on it; sign the certificate
 * for the key it returns; write the certificate and the CA chain to it; prove the pair by
 * signing a challenge on the token and verifying it against the certificate; record token ↔
 * certificate ↔ applicant; write the PIN envelope. A failure at any step wipes the token (or
 * marks it damaged when it cannot be wiped) and leaves no certificate row.
 *
 * SO PINs are kept encrypted (AES-256-GCM) under a key file of the instance
 * (secrets/token-pin.key, 0600). User PINs are never stored: they exist in the envelope only.
 */
#include "app/app_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "pki/pubkey.h"
#include "token/token.h"

#define PIN_KEY_FILE "secrets/token-pin.key"
#define BLANK_LABEL "chungthu-blank"

struct token_state {
    token_module *module;
    token_key *ca_key; /* the issuing CA's key on an HSM, when configured */
};

/* ---- the module ---- */

/* SoftHSM2 reads its configuration file from the environment at C_Initialize; an instance keeps
 * its tokens in its own directory unless the operator points SOFTHSM2_CONF elsewhere. */
static int softhsm_config(app *a, ct_error *err)
{
    char dir[CFG_PATH * 2], store_dir[CFG_PATH * 2 + 8], conf[CFG_PATH * 2 + 32];
    FILE *f;

    if (strstr(app_cfg(a)->token_module, "softhsm") == NULL || getenv("SOFTHSM2_CONF"))
        return 0;
    config_path(app_cfg(a), app_cfg(a)->token_dir, dir, sizeof dir);
    snprintf(store_dir, sizeof store_dir, "%s/store", dir);
    snprintf(conf, sizeof conf, "%s/softhsm2.conf", dir);
    mkdir(dir, 0700);
    mkdir(store_dir, 0700);
    if (access(conf, R_OK) != 0) {
        f = fopen(conf, "w");
        if (f == NULL)
            return ct_fail(err, 500, "token.config", "không ghi được %s", "cannot write %s", conf);
        fprintf(f,
                "directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n"
                "slots.removable = false\n",
                store_dir);
        fclose(f);
    }
    setenv("SOFTHSM2_CONF", conf, 1);
    return 0;
}

static int module_of(app *a, token_module **m, ct_error *err)
{
    if (a->tokens == NULL) {
        a->tokens = calloc(1, sizeof *a->tokens);
        if (a->tokens == NULL)
            return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    if (a->tokens->module == NULL &&
        (softhsm_config(a, err) != 0 ||
         token_module_open(app_cfg(a)->token_module, &a->tokens->module, err) != 0))
        return -1;
    *m = a->tokens->module;
    return 0;
}

int app_token_slots(app *a, size_t *tokens, size_t *initialized, ct_error *err)
{
    token_module *m;
    token_info *list;
    size_t n;

    if (module_of(a, &m, err) != 0 || token_list(m, &list, &n, err) != 0)
        return -1;
    *tokens = n;
    *initialized = 0;
    for (size_t i = 0; i < n; i++)
        *initialized += list[i].initialized;
    free(list);
    return 0;
}

void app_token_close(app *a)
{
    if (a->tokens) {
        token_key_close(a->tokens->ca_key);
        token_module_close(a->tokens->module);
        free(a->tokens);
        a->tokens = NULL;
    }
}

/* ---- SO PINs at rest ---- */

static int pin_key(app *a, unsigned char key[32], ct_error *err)
{
    char path[CFG_PATH * 2];
    int fd;
    ssize_t n;

    config_path(app_cfg(a), PIN_KEY_FILE, path, sizeof path);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        /* first use: create it, 0600 from the first byte */
        if (RAND_bytes(key, 32) != 1)
            return ct_fail(err, 500, "rand", "bộ sinh số ngẫu nhiên lỗi", "the CSPRNG failed");
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 || write(fd, key, 32) != 32 || fsync(fd) != 0) {
            if (fd >= 0)
                close(fd);
            return ct_fail(err, 500, "token.pin_key", "không tạo được %s", "cannot create %s",
                           path);
        }
        close(fd);
        return 0;
    }
    if (fd < 0)
        return ct_fail(err, 500, "token.pin_key", "không đọc được %s", "cannot read %s", path);
    n = read(fd, key, 32);
    close(fd);
    if (n != 32)
        return ct_fail(err, 500, "token.pin_key", "tệp khóa %s hỏng", "key file %s is damaged",
                       path);
    return 0;
}

static void to_hex(const unsigned char *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", in[i]);
}

static int from_hex(const char *in, unsigned char *out, size_t max, size_t *n)
{
    size_t len = strlen(in);

    if (len % 2 || len / 2 > max)
        return -1;
    for (size_t i = 0; i < len / 2; i++) {
        unsigned v;
        if (sscanf(in + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (unsigned char)v;
    }
    *n = len / 2;
    return 0;
}

/* nonce(12) | ciphertext | tag(16), hex */
static int seal_pin(app *a, const char *pin, char *out, size_t out_size, ct_error *err)
{
    unsigned char key[32], buf[12 + 64 + 16];
    size_t len = strlen(pin);
    EVP_CIPHER_CTX *c;
    int n, ok;

    if (len > 64 || 2 * (12 + len + 16) + 1 > out_size || pin_key(a, key, err) != 0 ||
        RAND_bytes(buf, 12) != 1)
        return ct_fail(err, 500, "token.pin_seal", "không mã hóa được mã PIN",
                       "cannot encrypt the PIN");
    c = EVP_CIPHER_CTX_new();
    ok = c && EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, buf) == 1 &&
         EVP_EncryptUpdate(c, buf + 12, &n, (const unsigned char *)pin, (int)len) == 1 &&
         EVP_EncryptFinal_ex(c, buf + 12 + n, &n) == 1 &&
         EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, buf + 12 + len) == 1;
    EVP_CIPHER_CTX_free(c);
    OPENSSL_cleanse(key, sizeof key);
    if (!ok)
        return ct_fail(err, 500, "token.pin_seal", "không mã hóa được mã PIN",
                       "cannot encrypt the PIN");
    to_hex(buf, 12 + len + 16, out);
    return 0;
}

static int open_pin(app *a, const char *sealed, char *pin, size_t pin_size, ct_error *err)
{
    unsigned char key[32], buf[12 + 64 + 16];
    size_t n;
    int len, fin, ok;
    EVP_CIPHER_CTX *c;

    if (from_hex(sealed, buf, sizeof buf, &n) != 0 || n < 12 + 16 + 1 || n - 28 >= pin_size ||
        pin_key(a, key, err) != 0)
        return ct_fail(err, 500, "token.pin_open", "không giải mã được mã PIN quản trị",
                       "cannot decrypt the SO PIN");
    c = EVP_CIPHER_CTX_new();
    ok = c && EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, buf) == 1 &&
         EVP_DecryptUpdate(c, (unsigned char *)pin, &len, buf + 12, (int)(n - 28)) == 1 &&
         EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, buf + n - 16) == 1 &&
         EVP_DecryptFinal_ex(c, (unsigned char *)pin + len, &fin) == 1;
    EVP_CIPHER_CTX_free(c);
    OPENSSL_cleanse(key, sizeof key);
    if (!ok)
        return ct_fail(err, 500, "token.pin_open", "không giải mã được mã PIN quản trị",
                       "cannot decrypt the SO PIN");
    pin[n - 28] = '\0';
    return 0;
}

static int random_pin(char *out, size_t digits, bool alnum, ct_error *err)
{
    static const char alnum_set[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    unsigned char r[32];

    if (digits >= sizeof r || RAND_bytes(r, (int)digits) != 1)
        return ct_fail(err, 500, "rand", "bộ sinh số ngẫu nhiên lỗi", "the CSPRNG failed");
    for (size_t i = 0; i < digits; i++)
        out[i] = alnum ? alnum_set[r[i] % (sizeof alnum_set - 1)] : (char)('0' + r[i] % 10);
    out[digits] = '\0';
    OPENSSL_cleanse(r, sizeof r);
    return 0;
}

int token_care_module(app *a, token_module **m, ct_error *err)
{
    return module_of(a, m, err);
}

int token_care_so_pin(app *a, const token_record *t, char *pin, size_t size, ct_error *err)
{
    return open_pin(a, t->so_pin, pin, size, err);
}

int token_care_user_pin(char out[16], ct_error *err)
{
    return random_pin(out, 8, false, err); /* as provisioning makes it */
}

/* ---- stock ---- */

typedef struct {
    const app_actor *actor;
    const token_record *t;
} stocking;

static int stock_in_transaction(app *a, void *ctx, ct_error *err)
{
    stocking *s = ctx;

    if (store_token_insert(a->db, s->t, err) != 0)
        return -1;
    return audit_append(a, s->actor, "token.stock", s->t->serial,
                        json_pack("{s:s}", "label", s->t->label), err);
}

int app_token_stock(app *a, const app_actor *actor, int count, ct_error *err)
{
    token_module *m;
    stocking stocked = {.actor = actor};

    if (role_require(actor->role, ROLES_CA, "token stock", err) != 0)
        return -1;
    if (count < 1 || count > 1000)
        return ct_fail(err, 400, "token.count", "số thiết bị phải từ 1 đến 1000",
                       "the number of tokens must be 1 to 1000");
    if (module_of(a, &m, err) != 0)
        return -1;
    for (int i = 0; i < count; i++) {
        token_record t;
        char so_pin[24];
        unsigned char r[4];
        memset(&t, 0, sizeof t);
        if (RAND_bytes(r, sizeof r) != 1)
            return ct_fail(err, 500, "rand", "bộ sinh số ngẫu nhiên lỗi", "the CSPRNG failed");
        if (random_pin(so_pin, 16, true, err) != 0) {
            OPENSSL_cleanse(so_pin, sizeof so_pin);
            return -1;
        }
        snprintf(t.label, sizeof t.label, "%s-%02x%02x%02x%02x", BLANK_LABEL, r[0], r[1], r[2],
                 r[3]);
        if (seal_pin(a, so_pin, t.so_pin, sizeof t.so_pin, err) != 0 ||
            token_create_blank(m, t.label, so_pin, t.serial, err) != 0) {
            OPENSSL_cleanse(so_pin, sizeof so_pin);
            return -1;
        }
        OPENSSL_cleanse(so_pin, sizeof so_pin);
        snprintf(t.state, sizeof t.state, "blank");
        t.updated_at = app_now();
        stocked.t = &t;
        if (with_transaction(a, stock_in_transaction, &stocked, err) != 0)
            return -1;
    }
    return 0;
}

int app_token_list(app *a, const app_actor *actor, const char *state, token_visit_fn visit,
                   void *ctx, ct_error *err)
{
    if (role_require(actor->role, ROLES_CA | ROLE_AUDITOR, "token list", err) != 0)
        return -1;
    return store_token_list(a->db, state, visit, ctx, err);
}

int app_token_set_state(app *a, const char *serial, const char *state, ct_error *err)
{
    token_record t;

    if (serial == NULL || *serial == '\0')
        return 0;
    if (store_token_get(a->db, serial, &t, err) != 0)
        return -1;
    /* A token whose certificate was revoked stays "revoked" while the procedure hands it on:
     * the state says what matters now, that it must come back (core/token_custody.h). */
    if (strcmp(t.state, "revoked") == 0)
        return 0;
    snprintf(t.state, sizeof t.state, "%s", state);
    t.updated_at = app_now();
    return store_token_update(a->db, &t, err);
}

static void token_object(const char *serial, char out[128])
{
    snprintf(out, 128, "token:%s", serial);
}

/* Release the claim on a token, in its own transaction (a provisioning that stopped before
 * the device was touched). */
static void release_token(app *a, const char *serial, const char *holder)
{
    char object[128];

    token_object(serial, object);
    claim_release_now(a, object, holder);
}

/* Record a token's fate after a failed provisioning, and release its claim, in a transaction
 * of its own. */
typedef struct {
    const app_actor *actor;
    token_record *t;
    const char *holder;
    const char *reason;
} token_failure;

static int failure_in_transaction(app *a, void *ctx, ct_error *err)
{
    token_failure *f = ctx;
    char object[128];

    token_object(f->t->serial, object);
    if (store_token_update(a->db, f->t, err) != 0 || claim_release(a, object, f->holder, err) != 0)
        return -1;
    return audit_append(a, f->actor,
                        strcmp(f->t->state, "damaged") == 0 ? "token.damaged" : "token.wipe",
                        f->t->serial, json_pack("{s:s}", "reason", f->reason), err);
}

static void record_failure(app *a, const app_actor *actor, token_record *t, const char *state,
                           const char *holder, const ct_error *why)
{
    ct_error ignored = {0};
    token_failure f = {actor, t, holder, why->code};

    snprintf(t->state, sizeof t->state, "%s", state);
    snprintf(t->note, sizeof t->note, "%s: %s", why->code, why->en);
    t->updated_at = app_now();
    with_transaction(a, failure_in_transaction, &f, &ignored);
}

/*
 * The serial of the certificate a token will carry is on record before anything is written to
 * the device: an audit row of its own (`cert.reserve`), committed while the token generates its
 * key, so the wait for the disk costs nothing. If the process dies before the records are
 * committed, a certificate left on a token is still on record (DESIGN.md §7: a signed serial is
 * never lost); the token, still recorded as blank, is initialised afresh when next used.
 */
typedef struct reservation {
    app *a;
    const app_actor *actor;
    char serial[41];
    const char *token_serial;
    ct_error err;
    int rc;
} reservation;

static int reserve_in_transaction(app *a, void *ctx, ct_error *err)
{
    reservation *r = ctx;

    return audit_append(a, r->actor, "cert.reserve", r->serial,
                        json_pack("{s:s}", "token", r->token_serial), err);
}

static void *record_reservation(void *arg)
{
    reservation *r = arg;

    r->rc = with_transaction(r->a, reserve_in_transaction, r, &r->err);
    return NULL;
}

/* Taking a token from stock: the first blank (or wiped) one that matches ref and that no live
 * step holds, claimed in one transaction, so that two provisionings never pick the same
 * device. */
typedef struct {
    token_record *items;
    size_t n;
    size_t cap;
    const char *ref;
    /* a renewal or a change: the token named by ref is the one carrying this certificate, in
     * the subscriber's hands until the agency brought it back (NULL: a blank token) */
    const char *previous;
    const char *holder;
    token_record found;
    bool any;
} pick_ctx;

static int collect_blank(void *user, const token_record *t)
{
    pick_ctx *p = user;

    if (p->ref && strcmp(t->serial, p->ref) != 0 && strcmp(t->label, p->ref) != 0)
        return 0;
    if (p->previous)
        return strcmp(t->cert_serial, p->previous) == 0 && strcmp(t->state, "with_subscriber") == 0
                   ? vec_push(p, *t)
                   : 0;
    if (strcmp(t->state, "blank") != 0 && strcmp(t->state, "wiped") != 0)
        return 0;
    return vec_push(p, *t);
}

static int pick_in_transaction(app *a, void *ctx, ct_error *err)
{
    pick_ctx *p = ctx;

    p->n = 0;
    if (store_token_list(a->db, NULL, collect_blank, p, err) != 0)
        return -1;
    for (size_t i = 0; i < p->n; i++) {
        char object[128];
        token_object(p->items[i].serial, object);
        if (claim_busy(a, object))
            continue;
        if (claim_take(a, object, p->holder, err) != 0)
            return -1;
        p->found = p->items[i];
        p->any = true;
        return 0;
    }
    return 0;
}

static int pick_token(app *a, pick_ctx *p, ct_error *err)
{
    int rc = with_transaction(a, pick_in_transaction, p, err);

    free(p->items);
    p->items = NULL;
    if (rc != 0)
        return -1;
    if (!p->any && p->previous)
        return ct_fail(err, 409, "token.not_with_subscriber",
                       "thiết bị mang chứng thư %s không ở trạng thái đã bàn giao cho thuê bao",
                       "the token carrying certificate %s is not in its subscriber's hands",
                       p->previous);
    if (!p->any)
        return p->ref ? ct_fail(err, 409, "token.not_blank",
                                "thiết bị \"%s\" không có trong kho hoặc đã được cấp",
                                "token \"%s\" is not in stock or is already provisioned", p->ref)
                      : ct_fail(err, 409, "token.no_blank",
                                "hết thiết bị trắng trong kho (chungthu token stock)",
                                "no blank token left in stock (chungthu token stock)");
    return 0;
}

static int write_envelope(app *a, const app_issued_token *t, const subscriber_input *who,
                          const char *dossier, int64_t n, char *path, size_t size, ct_error *err)
{
    char dir[CFG_PATH * 2];
    FILE *f;
    int fd;

    config_path(app_cfg(a), "envelopes", dir, sizeof dir);
    mkdir(dir, 0700);
    snprintf(path, size, "%s/%s.txt", dir, t->token_serial);
    unlink(path); /* a previous envelope of a wiped token */
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL) {
        if (fd >= 0)
            close(fd);
        return ct_fail(err, 500, "token.envelope", "không tạo được phong bì mã PIN %s",
                       "cannot create the PIN envelope %s", path);
    }
    fprintf(f,
            "PHONG BÌ MÃ PIN — THIẾT BỊ LƯU KHÓA BÍ MẬT\n"
            "(PIN envelope — private-key storage device)\n\n"
            "Thuê bao / subscriber:      %s\n"
            "Thư điện tử / e-mail:       %s\n"
            "Hồ sơ / dossier:            %s%s%lld\n"
            "Thiết bị / token serial:    %s (%s)\n"
            "Chứng thư số / certificate: %s\n\n"
            "MÃ PIN / USER PIN:          %s\n\n"
            "Đổi mã PIN ngay khi nhận thiết bị; không tiết lộ cho bất kỳ ai.\n"
            "Change the PIN when you receive the token; never share it.\n",
            who->full_name, who->email, dossier ? dossier : "-", dossier ? " #" : "",
            dossier ? (long long)n : 0LL, t->token_serial, t->token_label, t->cert.serial,
            t->user_pin);
    if (fclose(f) != 0)
        return ct_fail(err, 500, "token.envelope", "không ghi được phong bì mã PIN %s",
                       "cannot write the PIN envelope %s", path);
    return 0;
}

static token_key_type key_type_of(const char *name)
{
    if (name && strcmp(name, "rsa3072") == 0)
        return TOKEN_KEY_RSA3072;
    if (name && strcmp(name, "p256") == 0)
        return TOKEN_KEY_P256;
    return TOKEN_KEY_RSA2048;
}

/* A CA certificate of the chain, as the token stores it beside the subscriber's. */
static token_cert_object authority_object(const pki_ca *ca, const char *label)
{
    return (token_cert_object){.id = ca->key_id,
                               .id_len = CERT_KEY_ID_LEN,
                               .label = label,
                               .der = ca->cert_der,
                               .der_len = ca->cert_len,
                               .subject = ca->subject_der,
                               .subject_len = ca->subject_len,
                               .authority = true};
}

/*
 * One provisioning, steps 1–6 of DESIGN.md §4, each a function below over this record of what
 * the steps have made so far; provision() runs them in order. The cleanup is one function,
 * provision_undo(), for every failure after the device was touched: it wipes the token (or
 * marks it damaged), removes what was written, and releases the token's claim.
 */
typedef struct provisioning {
    app *a;
    const app_actor *actor;
    const subscriber_input *who;
    subscriber_fields checked;
    const char *key_type;
    const char *dossier;
    int64_t applicant;
    const char *previous; /* the certificate the token carries now (renewal, change), or NULL */
    token_module *m;
    token_record token; /* the stock record, claimed (out->holder) */
    char so_pin[80];
    unsigned char id[16];
    unsigned char serial[1][CERT_SERIAL_LEN];
    unsigned char *spki; /* the public key the token made */
    size_t spki_len;
    token_session *session;
    token_writer *writer;
    token_cert_object user_cert; /* read by the writer's thread until token_write_end */
    unsigned char *subject;      /* the subscriber's name as DER, for the token's objects */
    size_t subject_len;
    bool in_transaction;
    app_issued_token *out;
} provisioning;

/* 1: check what can be checked before a device is touched, and claim a blank token. */
static int provision_take_token(provisioning *p, const char *token_ref, ct_error *err)
{
    pick_ctx pick = {.ref = token_ref, .previous = p->previous, .holder = p->out->holder};

    if (strcmp(p->key_type, "rsa2048") != 0 && strcmp(p->key_type, "rsa3072") != 0 &&
        strcmp(p->key_type, "p256") != 0)
        return ct_fail(err, 400, "key.type",
                       "loại khóa thuê bao phải là rsa2048, rsa3072 hoặc p256",
                       "the subscriber key type must be rsa2048, rsa3072 or p256");
    if (subscriber_clean(p->who, &p->checked, err) != 0 || module_of(p->a, &p->m, err) != 0)
        return -1;
    claim_holder(p->out->holder);
    if (pick_token(p->a, &pick, err) != 0)
        return -1;
    p->token = pick.found;
    snprintf(p->out->token_serial, sizeof p->out->token_serial, "%s", p->token.serial);
    snprintf(p->out->token_label, sizeof p->out->token_label, "chungthu-%.20s", p->token.serial);
    return 0;
}

/* 2 (the secrets): the SO PIN opened, a new user PIN, the key's CKA_ID, the serial. */
static int provision_secrets(provisioning *p, ct_error *err)
{
    if (open_pin(p->a, p->token.so_pin, p->so_pin, sizeof p->so_pin, err) != 0 ||
        random_pin(p->out->user_pin, 8, false, err) != 0 ||
        cert_random_serials(p->serial, 1, err) != 0)
        return -1;
    if (RAND_bytes(p->id, sizeof p->id) != 1)
        return ct_fail(err, 500, "rand", "bộ sinh số ngẫu nhiên lỗi", "the CSPRNG failed");
    return 0;
}

/* 2–3: initialise, set the user PIN, generate the key pair on the token; meanwhile the CA chain
 * is written and the serial recorded (the subscriber's certificate goes onto the token only
 * after that record is committed). A failure of the device itself is recorded here: a wrong SO
 * PIN changed nothing on it, but it cannot be used, so it is kept aside; anything else is wiped
 * back to blank if the device still answers. Returns 1 for that case (nothing more to undo). */
static int provision_keys(provisioning *p, ct_error *err)
{
    reservation reserve = {.a = p->a, .actor = p->actor, .token_serial = p->token.serial};
    pthread_t recorder;
    bool recording;
    int rc;
    const token_cert_object chain[2] = {
        authority_object(&p->a->issuing, "CA cấp phát / issuing CA"),
        authority_object(&p->a->root, "CA gốc / root CA"),
    };

    cert_serial_hex(p->serial[0], reserve.serial);
    recording = pthread_create(&recorder, NULL, record_reservation, &reserve) == 0;
    if (!recording)
        record_reservation(&reserve);
    rc = token_provision_keys(p->m, p->token.serial, p->so_pin, p->out->user_pin,
                              p->out->token_label, p->id, sizeof p->id, key_type_of(p->key_type),
                              chain, 2, &p->spki, &p->spki_len, &p->session, err);
    if (recording)
        pthread_join(recorder, NULL);
    if (rc != 0) {
        ct_error wipe_err = {0};
        if (strcmp(err->code, "token.wrong_so_pin") != 0 &&
            token_wipe(p->m, p->token.serial, p->so_pin, p->token.label, &wipe_err) == 0)
            record_failure(p->a, p->actor, &p->token, "wiped", p->out->holder, err);
        else
            record_failure(p->a, p->actor, &p->token, "damaged", p->out->holder, err);
        return 1;
    }
    if (reserve.rc != 0) {
        *err = reserve.err;
        return -1;
    }
    return 0;
}

/* 4: the certificate for the key on the token, and the subscriber's name as the token's
 * objects carry it. */
static int provision_sign(provisioning *p, int days, bool hold, ct_error *err)
{
    app_cert_request req = {0};
    cert_subject cs = {0};

    req.subject = *p->who;
    req.days = days;
    req.pubkey = p->spki;
    req.pubkey_len = p->spki_len;
    req.hold = hold;
    if (app_cert_sign_request(p->a, &req, p->serial[0], app_now(), &p->out->cert, err) != 0)
        return -1;
    cs.locality = p->checked.province;
    cs.org = p->checked.org;
    for (size_t i = 0; i < p->checked.n_units; i++)
        cs.units[i] = p->checked.units[i];
    cs.n_units = p->checked.n_units;
    cs.common_name = p->checked.full_name;
    return cert_encode_name(&cs, &p->subject, &p->subject_len, err);
}

/* 4: the certificate signed, and its start onto the token: from a second session, while this
 * one proves the pair and the records are prepared (the write is mostly the module's own I/O). */
static int provision_certificate(provisioning *p, int days, bool hold, ct_error *err)
{
    if (provision_sign(p, days, hold, err) != 0)
        return -1;
    p->user_cert = (token_cert_object){.id = p->id,
                                       .id_len = sizeof p->id,
                                       .label = p->out->token_label,
                                       .der = p->out->cert.der,
                                       .der_len = p->out->cert.der_len,
                                       .subject = p->subject,
                                       .subject_len = p->subject_len};
    return token_write_begin(p->m, p->token.serial, &p->user_cert, 1, &p->writer, err);
}

/* 5: prove the pair: a challenge signed on the token, verified with the public key. */
static int provision_prove(provisioning *p, ct_error *err)
{
    unsigned char challenge[32], sig[512];
    size_t sig_len = sizeof sig;

    if (RAND_bytes(challenge, sizeof challenge) != 1)
        return ct_fail(err, 500, "rand", "bộ sinh số ngẫu nhiên lỗi", "the CSPRNG failed");
    if (token_session_sign(p->session, p->id, sizeof p->id, challenge, sizeof challenge, sig,
                           &sig_len, err) != 0)
        return -1;
    return pubkey_verify(p->spki, p->spki_len, challenge, sizeof challenge, sig, sig_len, err);
}

/* 6: the envelope, then the records in a transaction left open for the caller; the token's
 * claim must still be this provisioning's, and is released with the records. The certificate's
 * write to the device completes before the caller may commit. */
static int provision_record(provisioning *p, ct_error *err)
{
    char object[128];
    token_record *t = &p->token;
    int rc;

    if (write_envelope(p->a, p->out, p->who, p->dossier, p->applicant, p->out->envelope_path,
                       sizeof p->out->envelope_path, err) != 0 ||
        store_begin(p->a->db, err) != 0)
        return -1;
    p->in_transaction = true;
    snprintf(t->state, sizeof t->state, "provisioned");
    snprintf(t->cert_serial, sizeof t->cert_serial, "%s", p->out->cert.serial);
    snprintf(t->dossier, sizeof t->dossier, "%s", p->dossier ? p->dossier : "");
    snprintf(t->label, sizeof t->label, "%s", p->out->token_label);
    t->applicant = p->applicant;
    t->note[0] = '\0';
    t->updated_at = app_now();
    token_object(t->serial, object);
    if (!claim_held(p->a, object, p->out->holder))
        return ct_fail(err, 409, "claim.lost", "thiết bị %s đã bị một bước khác nhận xử lý",
                       "token %s was taken over by another step", t->serial);
    if (app_cert_store_signed(p->a, p->actor, &p->out->cert, err) != 0 ||
        store_token_update(p->a->db, t, err) != 0 ||
        claim_release(p->a, object, p->out->holder, err) != 0 ||
        audit_append(p->a, p->actor, "token.provision", p->out->token_serial,
                     json_pack("{s:s, s:s, s:s}", "cert", p->out->cert.serial, "key", p->key_type,
                               "dossier", p->dossier ? p->dossier : ""),
                     err) != 0)
        return -1;
    rc = token_write_end(p->writer, err);
    p->writer = NULL;
    return rc;
}

/* After a failure once the device was touched: nothing of this provisioning stays. */
static void provision_undo(provisioning *p, const ct_error *why)
{
    ct_error wipe_err = {0};

    if (p->writer != NULL)
        token_write_end(p->writer, &wipe_err); /* the first error is the one reported */
    p->writer = NULL;
    if (p->in_transaction)
        store_rollback(p->a->db);
    if (p->out->envelope_path[0])
        unlink(p->out->envelope_path);
    if (token_wipe(p->m, p->token.serial, p->so_pin, p->token.label, &wipe_err) == 0)
        record_failure(p->a, p->actor, &p->token, "wiped", p->out->holder, why);
    else
        record_failure(p->a, p->actor, &p->token, "damaged", p->out->holder, why);
    cert_record_free(&p->out->cert);
    OPENSSL_cleanse(p->out->user_pin, sizeof p->out->user_pin);
}

/* Steps 1–6; on success returns with a transaction open (see app_internal.h). On failure
 * nothing is left: no record, the token wiped or set aside, its claim released. */
static int provision(app *a, const app_actor *actor, const subscriber_input *who, int days,
                     const char *key_type, const char *token_ref, const char *previous, bool hold,
                     const char *dossier, int64_t applicant, app_issued_token *out, ct_error *err)
{
    provisioning p = {.a = a,
                      .actor = actor,
                      .who = who,
                      .key_type = key_type ? key_type : app_cfg(a)->subscriber_key,
                      .dossier = dossier,
                      .applicant = applicant,
                      .previous = previous,
                      .out = out};
    int rc = -1, keys;

    for (int attempt = 1;; attempt++) {
        memset(out, 0, sizeof *out);
        if (provision_take_token(&p, token_ref, err) != 0)
            return -1;
        if (provision_secrets(&p, err) != 0) {
            OPENSSL_cleanse(out->user_pin, sizeof out->user_pin);
            release_token(a, p.token.serial, out->holder);
            goto out;
        }
        keys = provision_keys(&p, err);
        if (keys <= 0)
            break;
        OPENSSL_cleanse(out->user_pin, sizeof out->user_pin);
        /* A stock device that no longer answers at all (pulled out, or left unreadable by a
         * process killed while it was being initialised) is now set aside as damaged; when no
         * token was named, the next blank one serves, a few times at most. */
        if (token_ref != NULL || previous != NULL || strcmp(err->code, "token.not_found") != 0 ||
            attempt == 3)
            goto out;
        OPENSSL_cleanse(p.so_pin, sizeof p.so_pin);
    }
    if (keys < 0 || provision_certificate(&p, days, hold, err) != 0 ||
        provision_prove(&p, err) != 0 || provision_record(&p, err) != 0) {
        provision_undo(&p, err);
        goto out;
    }
    rc = 0;
out:
    token_session_close(p.session);
    free(p.subject);
    free(p.spki);
    OPENSSL_cleanse(p.so_pin, sizeof p.so_pin);
    return rc;
}

/*
 * A renewal for the same key ([lifecycle] renewal_rekey = false). The holder's token keeps its
 * key pair and its user PIN: the new certificate is signed for the public key the token holds
 * under the old certificate's CKA_ID (which must be the old certificate's key), and takes the old
 * certificate object's place under that CKA_ID and label, in a security officer's session.
 * Nothing is ever wiped: a failure at any step leaves the token as it was and releases its
 * claim. No envelope: the PIN has not changed. On success returns with a transaction open, as
 * provision() does.
 */
static int provision_same_key(app *a, const app_actor *actor, const subscriber_input *who,
                              const char *token_ref, const char *previous, const char *dossier,
                              int64_t applicant, app_issued_token *out, ct_error *err)
{
    provisioning p = {.a = a,
                      .actor = actor,
                      .who = who,
                      .key_type = app_cfg(a)->subscriber_key,
                      .dossier = dossier,
                      .applicant = applicant,
                      .previous = previous,
                      .out = out};
    reservation reserve = {.a = a, .actor = actor};
    cert_record old;
    unsigned char *old_subject = NULL, *old_spki = NULL;
    size_t old_subject_len = 0, old_spki_len = 0;
    token_record *t = &p.token;
    char object[128];
    int rc = -1;

    memset(out, 0, sizeof *out);
    out->same_key = true;
    snprintf(out->previous, sizeof out->previous, "%s", previous);
    if (store_cert_get(a->db, previous, &old, err) != 0)
        return -1;
    if (provision_take_token(&p, token_ref, err) != 0) {
        cert_record_free(&old);
        return -1;
    }
    snprintf(out->token_label, sizeof out->token_label, "%s", t->label);
    if (open_pin(a, t->so_pin, p.so_pin, sizeof p.so_pin, err) != 0 ||
        cert_random_serials(p.serial, 1, err) != 0 ||
        pki_cert_subject_spki(old.der, old.der_len, &old_subject, &old_subject_len, &old_spki,
                              &old_spki_len, err) != 0 ||
        token_cert_key(p.m, t->serial, p.so_pin, old.der, old.der_len, &p.spki, &p.spki_len, err) !=
            0)
        goto out;
    if (p.spki_len != old_spki_len || memcmp(p.spki, old_spki, old_spki_len) != 0) {
        ct_fail(err, 409, "token.key_mismatch",
                "khóa trên thiết bị %s không phải khóa của chứng thư %s: không gia hạn giữ khóa "
                "được",
                "the key on token %s is not certificate %s's key: it cannot be renewed for the "
                "same key",
                t->serial, previous);
        goto out;
    }
    /* the serial on record before the certificate reaches the token, as provision_keys does */
    cert_serial_hex(p.serial[0], reserve.serial);
    reserve.token_serial = t->serial;
    if (with_transaction(a, reserve_in_transaction, &reserve, err) != 0 ||
        provision_sign(&p, 0, true, err) != 0 || store_begin(a->db, err) != 0)
        goto out;
    p.in_transaction = true;
    snprintf(t->state, sizeof t->state, "provisioned");
    snprintf(t->cert_serial, sizeof t->cert_serial, "%s", out->cert.serial);
    snprintf(t->dossier, sizeof t->dossier, "%s", dossier ? dossier : "");
    t->applicant = applicant;
    t->note[0] = '\0';
    t->updated_at = app_now();
    token_object(t->serial, object);
    if (!claim_held(a, object, out->holder)) {
        ct_fail(err, 409, "claim.lost", "thiết bị %s đã bị một bước khác nhận xử lý",
                "token %s was taken over by another step", t->serial);
        goto out;
    }
    /* the device last: every record is written before the certificate object is replaced */
    if (app_cert_store_signed(a, actor, &out->cert, err) != 0 ||
        store_token_update(a->db, t, err) != 0 || claim_release(a, object, out->holder, err) != 0 ||
        audit_append(a, actor, "token.provision", t->serial,
                     json_pack("{s:s, s:s, s:s, s:s}", "cert", out->cert.serial, "key", "same",
                               "previous", previous, "dossier", dossier ? dossier : ""),
                     err) != 0 ||
        token_cert_replace(p.m, t->serial, p.so_pin, old.der, old.der_len, out->cert.der,
                           out->cert.der_len, p.subject, p.subject_len, err) != 0)
        goto out;
    rc = 0;
out:
    if (rc != 0) {
        if (p.in_transaction)
            store_rollback(a->db);
        release_token(a, t->serial, out->holder);
        cert_record_free(&out->cert);
    }
    cert_record_free(&old);
    free(old_subject);
    free(old_spki);
    free(p.subject);
    free(p.spki);
    OPENSSL_cleanse(p.so_pin, sizeof p.so_pin);
    return rc;
}

/* After a same-key renewal whose records were not committed: the certificate it replaced is put
 * back on the token (the key pair was never touched), and the token's claim released. */
static void same_key_undo(app *a, const app_issued_token *t)
{
    token_module *m = NULL;
    token_record rec;
    cert_record old;
    unsigned char *subject = NULL, *spki = NULL;
    size_t subject_len, spki_len;
    char so_pin[80];
    ct_error err = {0};

    if (module_of(a, &m, &err) == 0 && store_token_get(a->db, t->token_serial, &rec, &err) == 0 &&
        store_cert_get(a->db, t->previous, &old, &err) == 0) {
        if (pki_cert_subject_spki(old.der, old.der_len, &subject, &subject_len, &spki, &spki_len,
                                  &err) == 0 &&
            open_pin(a, rec.so_pin, so_pin, sizeof so_pin, &err) == 0)
            token_cert_replace(m, rec.serial, so_pin, t->cert.der, t->cert.der_len, old.der,
                               old.der_len, subject, subject_len, &err);
        cert_record_free(&old);
    }
    free(subject);
    free(spki);
    OPENSSL_cleanse(so_pin, sizeof so_pin);
    release_token(a, t->token_serial, t->holder);
}

void app_issued_token_free(app_issued_token *t)
{
    cert_record_free(&t->cert);
    OPENSSL_cleanse(t->user_pin, sizeof t->user_pin);
}

void app_token_issue_undo(app *a, const app_issued_token *t)
{
    token_module *m = NULL; /* module_of sets it on success only, which gcc -O2 cannot see */
    token_record rec;
    char so_pin[80];
    ct_error err = {0};
    app_actor system = {"chungthu", ROLE_SYSTEM, "rollback", NULL};

    if (t->same_key) {
        same_key_undo(a, t);
        return;
    }
    if (t->envelope_path[0])
        unlink(t->envelope_path);
    if (module_of(a, &m, &err) != 0 || store_token_get(a->db, t->token_serial, &rec, &err) != 0) {
        release_token(a, t->token_serial, t->holder);
        return;
    }
    ct_fail(&err, 500, "store.commit", "không ghi được kết quả", "the result could not be stored");
    if (open_pin(a, rec.so_pin, so_pin, sizeof so_pin, &err) == 0 &&
        token_wipe(m, rec.serial, so_pin, BLANK_LABEL, &err) == 0)
        record_failure(a, &system, &rec, "wiped", t->holder, &err);
    else
        record_failure(a, &system, &rec, "damaged", t->holder, &err);
    OPENSSL_cleanse(so_pin, sizeof so_pin);
}

int app_token_issue_applicant(app *a, const app_actor *actor, const dossier_record *d,
                              const applicant_record *ap, app_issued_token *out, ct_error *err)
{
    agency_record chain[AGENCY_MAX_DEPTH];
    size_t depth;
    subscriber_input who = {0};
    applicant_record holder;
    const char *token_ref = NULL, *previous = NULL;

    /* O is the top of the agency's chain, the OUs the levels below it, then the applicant's
     * own unit when it names something more specific. */
    if (agency_chain(a, d->agency, chain, AGENCY_MAX_DEPTH, &depth, err) != 0)
        return -1;
    who.full_name = ap->full_name;
    who.email = ap->email;
    who.province = ap->province;
    who.org = chain[0].name;
    for (size_t i = 1; i < depth && who.n_units < SUBSCRIBER_MAX_UNITS; i++)
        who.units[who.n_units++] = chain[i].name;
    if (ap->unit[0] && (depth < 2 || strcmp(ap->unit, chain[depth - 1].name) != 0) &&
        strcmp(ap->unit, chain[0].name) != 0 && who.n_units < SUBSCRIBER_MAX_UNITS)
        who.units[who.n_units++] = ap->unit;
    /* A renewal or a change is issued on the token of the certificate it concerns, brought back
     * by the agency: initialised again with a new key pair and a new user PIN (a new envelope),
     * as a token from stock would be; or, for a renewal with [lifecycle] renewal_rekey = false,
     * for the key it holds, its PIN unchanged. */
    if (ap->previous_serial[0] && app_dossier_kind(d) != KIND_NEW) {
        if (store_applicant_by_cert(a->db, ap->previous_serial, &holder, err) != 0)
            return -1;
        token_ref = holder.token_serial;
        previous = ap->previous_serial;
        if (app_dossier_kind(d) == KIND_RENEWAL && !app_cfg(a)->renewal_rekey)
            return provision_same_key(a, actor, &who, token_ref, previous, d->code, ap->n, out,
                                      err);
    }
    return provision(a, actor, &who, 0, NULL, token_ref, previous, true, d->code, ap->n, out, err);
}

int app_token_provision(app *a, const app_actor *actor, const app_provision_request *req,
                        app_provisioned *out, ct_error *err)
{
    app_issued_token t;

    if (role_require(actor->role, ROLES_CA, "token provision", err) != 0 ||
        provision(a, actor, &req->subject, req->days, req->key_type, req->token, NULL, req->hold,
                  NULL, 0, &t, err) != 0)
        return -1;
    if (store_commit(a->db, err) != 0) {
        store_rollback(a->db);
        app_token_issue_undo(a, &t);
        app_issued_token_free(&t);
        return -1;
    }
    memset(out, 0, sizeof *out);
    snprintf(out->cert_serial, sizeof out->cert_serial, "%s", t.cert.serial);
    snprintf(out->token_serial, sizeof out->token_serial, "%s", t.token_serial);
    snprintf(out->token_label, sizeof out->token_label, "%s", t.token_label);
    snprintf(out->user_pin, sizeof out->user_pin, "%s", t.user_pin);
    snprintf(out->envelope_path, sizeof out->envelope_path, "%s", t.envelope_path);
    app_issued_token_free(&t);
    app_status_changed(a);
    return 0;
}

/* ---- the issuing CA's key on an HSM ---- */

#define CA_KEY_LABEL "chungthu-issuing-ca"

static int hsm_sign(void *ctx, const unsigned char *in, size_t in_len, unsigned char *sig,
                    size_t *sig_len, ct_error *err)
{
    return token_key_sign_raw(ctx, in, in_len, sig, sig_len, err);
}

static const token_key_type hsm_key_types[] = {[PKI_KEY_RSA2048] = TOKEN_KEY_RSA2048,
                                               [PKI_KEY_RSA3072] = TOKEN_KEY_RSA3072,
                                               [PKI_KEY_RSA4096] = TOKEN_KEY_RSA4096,
                                               [PKI_KEY_P256] = TOKEN_KEY_P256,
                                               [PKI_KEY_P384] = TOKEN_KEY_P384};

/* The CA's HSM ([ca] hsm_token): its module, serial and the PIN from the environment. */
static int hsm_find(app *a, token_module **m, char serial[17], const char **pin_out, ct_error *err)
{
    token_info *list;
    size_t n;
    const char *pin = getenv(app_cfg(a)->hsm_pin_env);

    serial[0] = '\0';
    if (pin == NULL || *pin == '\0')
        return ct_fail(err, 500, "hsm.pin", "thiếu mã PIN của HSM: đặt biến môi trường %s",
                       "the HSM's PIN is missing: set %s in the environment",
                       app_cfg(a)->hsm_pin_env);
    if (module_of(a, m, err) != 0 || token_list(*m, &list, &n, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (list[i].initialized && strcmp(list[i].label, app_cfg(a)->hsm_token) == 0)
            memcpy(serial, list[i].serial, 17);
    free(list);
    if (serial[0] == '\0')
        return ct_fail(err, 404, "hsm.not_found", "không thấy HSM có nhãn \"%s\"",
                       "no HSM token labelled \"%s\"", app_cfg(a)->hsm_token);
    *pin_out = pin;
    return 0;
}

int app_token_key_destroy(app *a, const char *label, size_t *destroyed, ct_error *err)
{
    token_module *m;
    char serial[17];
    const char *pin;

    *destroyed = 0;
    if (hsm_find(a, &m, serial, &pin, err) != 0)
        return -1;
    return token_objects_destroy(m, serial, pin, label, destroyed, err);
}

/* Generate or open the key labelled label on the CA's HSM ([ca] hsm_token). */
static int hsm_key(app *a, bool generate, pki_key_type type, const char *label, token_key **out,
                   ct_error *err)
{
    token_module *m;
    char serial[17];
    const char *pin;

    if (hsm_find(a, &m, serial, &pin, err) != 0)
        return -1;
    return generate ? token_key_generate(m, serial, pin, label, hsm_key_types[type], out, err)
                    : token_key_open(m, serial, pin, label, out, err);
}

int app_token_ca_signer(app *a, bool generate, pki_key_type type, pki_signer **out, ct_error *err)
{
    const unsigned char *spki;
    size_t spki_len;
    token_key *key = NULL;

    if (a->tokens) {
        token_key_close(a->tokens->ca_key);
        a->tokens->ca_key = NULL;
    }
    if (hsm_key(a, generate, type, CA_KEY_LABEL, &key, err) != 0)
        return -1;
    a->tokens->ca_key = key; /* hsm_key made a->tokens */
    spki = token_key_spki(key, &spki_len);
    return signer_open_external(spki, spki_len, hsm_sign, a->tokens->ca_key, out, err);
}

int app_token_key_signer(app *a, bool generate, pki_key_type type, const char *label,
                         struct token_key **key, pki_signer **out, ct_error *err)
{
    const unsigned char *spki;
    size_t spki_len;

    if (hsm_key(a, generate, type, label, key, err) != 0)
        return -1;
    spki = token_key_spki(*key, &spki_len);
    if (signer_open_external(spki, spki_len, hsm_sign, *key, out, err) != 0) {
        token_key_close(*key);
        *key = NULL;
        return -1;
    }
    return 0;
}

void app_token_key_close(struct token_key *key)
{
    token_key_close(key);
}
