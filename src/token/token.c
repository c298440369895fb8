/*
 * token.c — the PKCS#11 layer of token.h, straight on the standard API (p11-kit's header,
 * the module loaded with dlopen).
 *
 * Each operation opens its own session on the token found by serial number and closes it, so
 * no state lingers between calls; a closed last session also ends the login. The module
 * remembers only which slot held which token at its last scan, and checks it before use.
 * Provisioning keeps its session for the steps that follow, and writes certificates from a
 * second session on a thread of its own (token_writer) while key generation or the challenge
 * runs. The CA's HSM key (token_key) keeps one logged-in session, used under a mutex since
 * sessions are not thread-safe.
 */
#include "token/token.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

#include "core/der.h"

struct token_module {
    void *handle;
    CK_FUNCTION_LIST_PTR f;
    /* Where each token was at the last scan. A scan asks every slot for its token information,
     * which a file-backed module reads from disk; a provisioning looks its token up several
     * times, and the stock can hold hundreds. */
    pthread_mutex_t slots_lock;
    token_info *slots;
    size_t n_slots;
};

struct token_key {
    token_module *m;
    CK_SESSION_HANDLE session;
    CK_OBJECT_HANDLE key;
    token_key_type type;
    unsigned char *spki;
    size_t spki_len;
    pthread_mutex_t lock;
};

/* ---- errors ---- */

static const char *ckr_name(CK_RV rv)
{
    static const struct {
        CK_RV rv;
        const char *name;
    } names[] = {
        {CKR_OK, "CKR_OK"},
        {CKR_HOST_MEMORY, "CKR_HOST_MEMORY"},
        {CKR_SLOT_ID_INVALID, "CKR_SLOT_ID_INVALID"},
        {CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR"},
        {CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED"},
        {CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD"},
        {CKR_ATTRIBUTE_VALUE_INVALID, "CKR_ATTRIBUTE_VALUE_INVALID"},
        {CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR"},
        {CKR_DEVICE_MEMORY, "CKR_DEVICE_MEMORY"},
        {CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED"},
        {CKR_KEY_HANDLE_INVALID, "CKR_KEY_HANDLE_INVALID"},
        {CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID"},
        {CKR_OBJECT_HANDLE_INVALID, "CKR_OBJECT_HANDLE_INVALID"},
        {CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT"},
        {CKR_PIN_INVALID, "CKR_PIN_INVALID"},
        {CKR_PIN_LEN_RANGE, "CKR_PIN_LEN_RANGE"},
        {CKR_PIN_LOCKED, "CKR_PIN_LOCKED"},
        {CKR_SESSION_CLOSED, "CKR_SESSION_CLOSED"},
        {CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID"},
        {CKR_SESSION_EXISTS, "CKR_SESSION_EXISTS"},
        {CKR_TEMPLATE_INCOMPLETE, "CKR_TEMPLATE_INCOMPLETE"},
        {CKR_TEMPLATE_INCONSISTENT, "CKR_TEMPLATE_INCONSISTENT"},
        {CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT"},
        {CKR_TOKEN_NOT_RECOGNIZED, "CKR_TOKEN_NOT_RECOGNIZED"},
        {CKR_TOKEN_WRITE_PROTECTED, "CKR_TOKEN_WRITE_PROTECTED"},
        {CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN"},
        {CKR_USER_PIN_NOT_INITIALIZED, "CKR_USER_PIN_NOT_INITIALIZED"},
        {CKR_USER_TYPE_INVALID, "CKR_USER_TYPE_INVALID"},
        {CKR_CRYPTOKI_NOT_INITIALIZED, "CKR_CRYPTOKI_NOT_INITIALIZED"},
    };

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].rv == rv)
            return names[i].name;
    return "CKR_?";
}

/* step_vi/step_en name the step of the operation that failed. */
static int p11_fail(ct_error *err, CK_RV rv, const char *step_vi, const char *step_en)
{
    const char *code = rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LOCKED ? "token.wrong_pin"
                       : rv == CKR_DEVICE_REMOVED || rv == CKR_TOKEN_NOT_PRESENT ||
                               rv == CKR_DEVICE_ERROR || rv == CKR_GENERAL_ERROR ||
                               rv == CKR_FUNCTION_FAILED || rv == CKR_SESSION_CLOSED ||
                               rv == CKR_SESSION_HANDLE_INVALID
                           ? "token.io"
                           : "token.failed";
    char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX];

    snprintf(vi, sizeof vi, "thiết bị lưu khóa: lỗi ở bước \"%s\" (%s, 0x%lx)", step_vi,
             ckr_name(rv), (unsigned long)rv);
    snprintf(en, sizeof en, "token: step \"%s\" failed (%s, 0x%lx)", step_en, ckr_name(rv),
             (unsigned long)rv);
    return ct_fail_text(err, rv == CKR_PIN_INCORRECT ? 403 : 500, code, vi, en);
}

/* ---- the module ---- */

int token_module_open(const char *module_path, token_module **out, ct_error *err)
{
    token_module *m = calloc(1, sizeof *m);
    CK_C_GetFunctionList get_list;
    CK_C_INITIALIZE_ARGS args;
    CK_RV rv;

    if (m == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    m->handle = dlopen(module_path, RTLD_NOW | RTLD_LOCAL);
    if (m->handle == NULL) {
        free(m);
        return ct_fail(err, 500, "token.module",
                       "không nạp được mô-đun PKCS#11 %s (kiểm tra [token] module)",
                       "cannot load the PKCS#11 module %s (check [token] module)", module_path);
    }
    *(void **)&get_list = dlsym(m->handle, "C_GetFunctionList");
    if (get_list == NULL || get_list(&m->f) != CKR_OK || m->f == NULL) {
        dlclose(m->handle);
        free(m);
        return ct_fail(err, 500, "token.module", "%s không phải mô-đun PKCS#11",
                       "%s is not a PKCS#11 module", module_path);
    }
    memset(&args, 0, sizeof args);
    args.flags = CKF_OS_LOCKING_OK; /* the server calls in from many threads */
    rv = m->f->C_Initialize(&args);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        dlclose(m->handle);
        free(m);
        return p11_fail(err, rv, "khởi động mô-đun", "initialise module");
    }
    pthread_mutex_init(&m->slots_lock, NULL);
    *out = m;
    return 0;
}

void token_module_close(token_module *m)
{
    if (m == NULL)
        return;
    m->f->C_Finalize(NULL);
    pthread_mutex_destroy(&m->slots_lock);
    free(m->slots);
    /* Not dlclose'd: some modules (SoftHSM2 among them) keep process-wide state that outlives
     * C_Finalize, and unloading them while it is referenced crashes at exit. */
    free(m);
}

static void copy_padded(char *out, size_t out_size, const unsigned char *in, size_t in_len)
{
    size_t n = in_len;

    while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\0'))
        n--;
    if (n >= out_size)
        n = out_size - 1;
    memcpy(out, in, n);
    out[n] = '\0';
}

static void pad_label(unsigned char out[32], const char *label)
{
    size_t n = strlen(label);

    memset(out, ' ', 32);
    memcpy(out, label, n > 32 ? 32 : n);
}

int token_list(token_module *m, token_info **out, size_t *count, ct_error *err)
{
    CK_SLOT_ID slots[256];
    CK_ULONG n = 0;
    token_info *list;
    size_t k = 0;
    /* The size query first: modules refresh their slot list on it (SoftHSM2 shows the new
     * free slot after a token is initialised only then). */
    CK_RV rv = m->f->C_GetSlotList(CK_TRUE, NULL, &n);

    if (rv == CKR_OK) {
        n = sizeof slots / sizeof slots[0];
        rv = m->f->C_GetSlotList(CK_TRUE, slots, &n);
    }
    if (rv != CKR_OK)
        return p11_fail(err, rv, "liệt kê khe", "list slots");
    list = calloc(n ? n : 1, sizeof *list);
    if (list == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO ti;
        if (m->f->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
            continue;
        list[k].slot_id = slots[i];
        copy_padded(list[k].label, sizeof list[k].label, ti.label, sizeof ti.label);
        copy_padded(list[k].serial, sizeof list[k].serial, ti.serialNumber, sizeof ti.serialNumber);
        copy_padded(list[k].model, sizeof list[k].model, ti.model, sizeof ti.model);
        list[k].initialized = (ti.flags & CKF_TOKEN_INITIALIZED) != 0;
        k++;
    }
    *out = list;
    *count = k;
    return 0;
}

/* The slot last seen holding the initialised token serial, if any. */
static bool remembered_slot(token_module *m, const char *serial, CK_SLOT_ID *slot)
{
    bool found = false;

    pthread_mutex_lock(&m->slots_lock);
    for (size_t i = 0; i < m->n_slots && !found; i++) {
        if (m->slots[i].initialized && strcmp(m->slots[i].serial, serial) == 0) {
            *slot = m->slots[i].slot_id;
            found = true;
        }
    }
    pthread_mutex_unlock(&m->slots_lock);
    return found;
}

static int find_slot(token_module *m, const char *serial, CK_SLOT_ID *slot, const char *step_vi,
                     const char *step_en, ct_error *err)
{
    token_info *list;
    size_t n;
    CK_TOKEN_INFO ti;
    bool found = false;
    char vi[256], en[256];

    /* Slots can move (SoftHSM2 renumbers them when a token is initialised): the remembered
     * one counts only if it still holds this initialised token. */
    if (remembered_slot(m, serial, slot) && m->f->C_GetTokenInfo(*slot, &ti) == CKR_OK &&
        (ti.flags & CKF_TOKEN_INITIALIZED)) {
        char there[17];
        copy_padded(there, sizeof there, ti.serialNumber, sizeof ti.serialNumber);
        if (strcmp(there, serial) == 0)
            return 0;
    }
    if (token_list(m, &list, &n, err) != 0)
        return -1;
    for (size_t i = 0; i < n && !found; i++) {
        if (list[i].initialized && strcmp(list[i].serial, serial) == 0) {
            *slot = list[i].slot_id;
            found = true;
        }
    }
    pthread_mutex_lock(&m->slots_lock);
    free(m->slots);
    m->slots = list;
    m->n_slots = n;
    pthread_mutex_unlock(&m->slots_lock);
    if (found)
        return 0;
    snprintf(vi, sizeof vi,
             "thiết bị lưu khóa: bước \"%s\": không thấy thiết bị số sê-ri %s (đã rút ra hoặc "
             "hỏng?)",
             step_vi, serial);
    snprintf(en, sizeof en,
             "token: step \"%s\": no token with serial %s is present (removed or damaged?)",
             step_en, serial);
    return ct_fail_text(err, 404, "token.not_found", vi, en);
}

int token_create_blank(token_module *m, const char *label, const char *so_pin, char serial_out[17],
                       ct_error *err)
{
    token_info *list;
    size_t n;
    unsigned char padded[32];
    CK_RV rv = CKR_SLOT_ID_INVALID;
    bool found = false;

    if (token_list(m, &list, &n, err) != 0)
        return -1;
    for (size_t i = 0; i < n && !found; i++) {
        if (list[i].initialized)
            continue;
        pad_label(padded, label);
        rv = m->f->C_InitToken(list[i].slot_id, (CK_UTF8CHAR_PTR)so_pin, strlen(so_pin), padded);
        found = true;
    }
    free(list);
    if (!found)
        return ct_fail(err, 409, "token.no_free_slot",
                       "không còn thiết bị trắng chưa khởi tạo trong mô-đun",
                       "the module has no uninitialised token left");
    if (rv != CKR_OK)
        return p11_fail(err, rv, "khởi tạo thiết bị", "initialise token");
    /* The serial is assigned at initialisation: find the token by its (unique) label. */
    if (token_list(m, &list, &n, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (list[i].initialized && strcmp(list[i].label, label) == 0) {
            memcpy(serial_out, list[i].serial, 17);
            free(list);
            return 0;
        }
    }
    free(list);
    return ct_fail(err, 500, "token.io", "không tìm lại được thiết bị vừa khởi tạo",
                   "the token just initialised cannot be found again");
}

/* ---- sessions ---- */

struct token_session {
    token_module *m;
    CK_SESSION_HANDLE h;
};
typedef struct token_session session;

static int open_session(token_module *m, const char *serial, CK_USER_TYPE user, const char *pin,
                        session *s, const char *step_vi, const char *step_en, ct_error *err)
{
    CK_SLOT_ID slot;
    CK_RV rv;

    s->m = m;
    s->h = CK_INVALID_HANDLE;
    if (find_slot(m, serial, &slot, step_vi, step_en, err) != 0)
        return -1;
    rv = m->f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s->h);
    if (rv != CKR_OK)
        return p11_fail(err, rv, step_vi, step_en);
    if (pin) {
        rv = m->f->C_Login(s->h, user, (CK_UTF8CHAR_PTR)pin, strlen(pin));
        if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
            m->f->C_CloseSession(s->h);
            s->h = CK_INVALID_HANDLE;
            if (rv == CKR_PIN_INCORRECT && user == CKU_SO) {
                p11_fail(err, rv, step_vi, step_en);
                snprintf(err->code, sizeof err->code, "token.wrong_so_pin");
                return -1;
            }
            return p11_fail(err, rv, step_vi, step_en);
        }
    }
    return 0;
}

static void close_session(session *s)
{
    if (s->h != CK_INVALID_HANDLE) {
        s->m->f->C_Logout(s->h);
        s->m->f->C_CloseSession(s->h);
    }
    s->h = CK_INVALID_HANDLE;
}

/* ---- public keys as SubjectPublicKeyInfo ---- */

static const unsigned char alg_rsa[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                        0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
static const unsigned char oid_p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48,
                                         0xce, 0x3d, 0x03, 0x01, 0x07};
static const unsigned char oid_p384[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
static const unsigned char oid_ec_public_key[] = {0x06, 0x07, 0x2a, 0x86, 0x48,
                                                  0xce, 0x3d, 0x02, 0x01};

static int get_attr(session *s, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type, unsigned char **val,
                    size_t *len)
{
    CK_ATTRIBUTE a = {type, NULL, 0};

    if (s->m->f->C_GetAttributeValue(s->h, obj, &a, 1) != CKR_OK ||
        a.ulValueLen == CK_UNAVAILABLE_INFORMATION || a.ulValueLen > 4096)
        return -1;
    a.pValue = malloc(a.ulValueLen ? a.ulValueLen : 1);
    if (a.pValue == NULL || s->m->f->C_GetAttributeValue(s->h, obj, &a, 1) != CKR_OK) {
        free(a.pValue);
        return -1;
    }
    *val = a.pValue;
    *len = a.ulValueLen;
    return 0;
}

/* The SubjectPublicKeyInfo of a public key object, written with core's DER writer: this layer
 * stays free of the crypto library. On success *spki is the caller's to free. */
static int public_key_spki(session *s, CK_OBJECT_HANDLE pub, token_key_type type,
                           unsigned char **spki, size_t *spki_len)
{
    ct_buf b = {0};
    size_t outer = der_begin(&b, DER_SEQUENCE);

    if (type == TOKEN_KEY_P256 || type == TOKEN_KEY_P384) {
        unsigned char *point;
        size_t point_len, alg;
        if (get_attr(s, pub, CKA_EC_POINT, &point, &point_len) != 0) {
            buf_free(&b);
            return -1;
        }
        alg = der_begin(&b, DER_SEQUENCE);
        buf_append(&b, oid_ec_public_key, sizeof oid_ec_public_key);
        if (type == TOKEN_KEY_P256)
            buf_append(&b, oid_p256, sizeof oid_p256);
        else
            buf_append(&b, oid_p384, sizeof oid_p384);
        der_end(&b, alg);
        /* CKA_EC_POINT is the DER OCTET STRING of the point; the SPKI wants the point. */
        if (point_len > 2 && point[0] == 0x04 && point[1] == point_len - 2)
            der_bit_string(&b, point + 2, point_len - 2);
        else if (point_len > 3 && point[0] == 0x04 && point[1] == 0x81 && point[2] == point_len - 3)
            der_bit_string(&b, point + 3, point_len - 3);
        else
            der_bit_string(&b, point, point_len); /* some modules return the raw point */
        free(point);
    } else {
        unsigned char *mod, *exp;
        size_t mod_len, exp_len, bits, rsa_key;
        if (get_attr(s, pub, CKA_MODULUS, &mod, &mod_len) != 0) {
            buf_free(&b);
            return -1;
        }
        if (get_attr(s, pub, CKA_PUBLIC_EXPONENT, &exp, &exp_len) != 0) {
            free(mod);
            buf_free(&b);
            return -1;
        }
        buf_append(&b, alg_rsa, sizeof alg_rsa);
        bits = der_begin(&b, DER_BIT_STRING);
        buf_append_byte(&b, 0); /* no unused bits */
        rsa_key = der_begin(&b, DER_SEQUENCE);
        der_uint_bytes(&b, mod, mod_len);
        der_uint_bytes(&b, exp, exp_len);
        der_end(&b, rsa_key);
        der_end(&b, bits);
        free(mod);
        free(exp);
    }
    der_end(&b, outer);
    if (!buf_ok(&b)) {
        buf_free(&b);
        return -1;
    }
    *spki = buf_take(&b, spki_len);
    return 0;
}

/* ---- key generation ---- */

static int generate_pair(session *s, const char *label, const unsigned char *id, size_t id_len,
                         token_key_type type, bool ca, CK_OBJECT_HANDLE *pub,
                         CK_OBJECT_HANDLE *priv, ct_error *err)
{
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_ULONG bits = type == TOKEN_KEY_RSA2048 ? 2048 : type == TOKEN_KEY_RSA3072 ? 3072 : 4096;
    CK_BYTE exponent[] = {0x01, 0x00, 0x01};
    bool ec = type == TOKEN_KEY_P256 || type == TOKEN_KEY_P384;
    CK_MECHANISM mech = {ec ? CKM_EC_KEY_PAIR_GEN : CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
    CK_ATTRIBUTE pub_tmpl[8], priv_tmpl[10];
    CK_ULONG np = 0, nk = 0;
    CK_RV rv;

    pub_tmpl[np++] = (CK_ATTRIBUTE){CKA_TOKEN, &yes, sizeof yes};
    pub_tmpl[np++] = (CK_ATTRIBUTE){CKA_VERIFY, &yes, sizeof yes};
    pub_tmpl[np++] = (CK_ATTRIBUTE){CKA_ID, (void *)id, id_len};
    pub_tmpl[np++] = (CK_ATTRIBUTE){CKA_LABEL, (void *)label, strlen(label)};
    if (ec) {
        pub_tmpl[np++] =
            (CK_ATTRIBUTE){CKA_EC_PARAMS, (void *)(type == TOKEN_KEY_P256 ? oid_p256 : oid_p384),
                           type == TOKEN_KEY_P256 ? sizeof oid_p256 : sizeof oid_p384};
    } else {
        pub_tmpl[np++] = (CK_ATTRIBUTE){CKA_MODULUS_BITS, &bits, sizeof bits};
        pub_tmpl[np++] = (CK_ATTRIBUTE){CKA_PUBLIC_EXPONENT, exponent, sizeof exponent};
        if (!ca)
            pub_tmpl[np++] = (CK_ATTRIBUTE){CKA_ENCRYPT, &yes, sizeof yes};
    }
    priv_tmpl[nk++] = (CK_ATTRIBUTE){CKA_TOKEN, &yes, sizeof yes};
    priv_tmpl[nk++] = (CK_ATTRIBUTE){CKA_PRIVATE, &yes, sizeof yes};
    priv_tmpl[nk++] = (CK_ATTRIBUTE){CKA_SENSITIVE, &yes, sizeof yes};
    priv_tmpl[nk++] = (CK_ATTRIBUTE){CKA_EXTRACTABLE, &no, sizeof no};
    priv_tmpl[nk++] = (CK_ATTRIBUTE){CKA_SIGN, &yes, sizeof yes};
    priv_tmpl[nk++] = (CK_ATTRIBUTE){CKA_ID, (void *)id, id_len};
    priv_tmpl[nk++] = (CK_ATTRIBUTE){CKA_LABEL, (void *)label, strlen(label)};
    if (!ec && !ca)
        priv_tmpl[nk++] = (CK_ATTRIBUTE){CKA_DECRYPT, &yes, sizeof yes};
    rv = s->m->f->C_GenerateKeyPair(s->h, &mech, pub_tmpl, np, priv_tmpl, nk, pub, priv);
    if (rv != CKR_OK)
        return p11_fail(err, rv, "sinh cặp khóa", "generate key pair");
    return 0;
}

/* One certificate object (CKO_CERTIFICATE, X.509), public, on the token. */
static int write_cert(session *s, const token_cert_object *c, CK_OBJECT_HANDLE *made, ct_error *err)
{
    CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
    CK_CERTIFICATE_TYPE ctype = CKC_X_509;
    CK_ULONG category = c->authority ? 2 : 1;
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_ATTRIBUTE tmpl[] = {
        {CKA_CLASS, &cls, sizeof cls},
        {CKA_CERTIFICATE_TYPE, &ctype, sizeof ctype},
        {CKA_TOKEN, &yes, sizeof yes},
        {CKA_PRIVATE, &no, sizeof no},
        {CKA_ID, (void *)c->id, c->id_len},
        {CKA_LABEL, (void *)c->label, strlen(c->label)},
        {CKA_SUBJECT, (void *)c->subject, c->subject_len},
        {CKA_VALUE, (void *)c->der, c->der_len},
        {CKA_CERTIFICATE_CATEGORY, &category, sizeof category},
    };
    CK_OBJECT_HANDLE obj;
    CK_RV rv = s->m->f->C_CreateObject(s->h, tmpl, sizeof tmpl / sizeof tmpl[0], &obj);

    if (rv != CKR_OK)
        return p11_fail(err, rv, "ghi chứng thư", "write certificate");
    if (made)
        *made = obj;
    return 0;
}

/* Certificates written from a session and a thread of their own (token.h). Login state belongs
 * to the application, not the session, so the writer's session is logged in already. */
struct token_writer {
    session s;
    char serial[17];
    const token_cert_object *certs;
    size_t n;
    pthread_t thread;
    bool threaded;
    int rc;
    ct_error err;
};

static void *write_certs(void *arg)
{
    token_writer *w = arg;

    for (size_t i = 0; i < w->n && w->rc == 0; i++)
        w->rc = write_cert(&w->s, &w->certs[i], NULL, &w->err);
    return NULL;
}

int token_write_begin(token_module *m, const char *serial, const token_cert_object *certs, size_t n,
                      token_writer **out, ct_error *err)
{
    token_writer *w = calloc(1, sizeof *w);

    if (w == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    w->certs = certs;
    w->n = n;
    snprintf(w->serial, sizeof w->serial, "%s", serial);
    if (open_session(m, serial, CKU_USER, NULL, &w->s, "ghi chứng thư", "write certificate", err) !=
        0) {
        free(w);
        return -1;
    }
    w->threaded = pthread_create(&w->thread, NULL, write_certs, w) == 0;
    if (!w->threaded)
        write_certs(w); /* no thread to be had: write them now */
    *out = w;
    return 0;
}

int token_write_end(token_writer *w, ct_error *err)
{
    CK_SLOT_ID slot;
    int rc;

    if (w->threaded)
        pthread_join(w->thread, NULL);
    w->s.m->f->C_CloseSession(w->s.h); /* no logout: it would end the caller's login too */
    rc = w->rc;
    if (rc != 0)
        *err = w->err;
    /* A module may accept a write into its cache while the device is already gone (SoftHSM2
     * does): the token must still be there once everything is written. */
    else if (find_slot(w->s.m, w->serial, &slot, "ghi chứng thư", "write certificate", err) != 0)
        rc = -1;
    free(w);
    return rc;
}

int token_provision_keys(token_module *m, const char *serial, const char *so_pin,
                         const char *user_pin, const char *label, const unsigned char *id,
                         size_t id_len, token_key_type type, const token_cert_object *chain,
                         size_t n_chain, unsigned char **spki, size_t *spki_len,
                         token_session **keep, ct_error *err)
{
    CK_SLOT_ID slot;
    unsigned char padded[32];
    session s;
    CK_OBJECT_HANDLE pub, priv;
    CK_RV rv;
    token_writer *writer = NULL;
    int rc;

    if (find_slot(m, serial, &slot, "khởi tạo thiết bị", "initialise token", err) != 0)
        return -1;
    pad_label(padded, label);
    rv = m->f->C_InitToken(slot, (CK_UTF8CHAR_PTR)so_pin, strlen(so_pin), padded);
    if (rv != CKR_OK) {
        p11_fail(err, rv, "khởi tạo thiết bị", "initialise token");
        if (rv == CKR_PIN_INCORRECT)
            snprintf(err->code, sizeof err->code, "token.wrong_so_pin");
        return -1;
    }
    /* the serial survives re-initialisation; the slot id may not (SoftHSM2) */
    if (open_session(m, serial, CKU_SO, so_pin, &s, "đặt mã PIN người dùng", "set user PIN", err) !=
        0)
        return -1;
    rv = m->f->C_InitPIN(s.h, (CK_UTF8CHAR_PTR)user_pin, strlen(user_pin));
    close_session(&s);
    if (rv != CKR_OK)
        return p11_fail(err, rv, "đặt mã PIN người dùng", "set user PIN");
    if (open_session(m, serial, CKU_USER, user_pin, &s, "sinh cặp khóa", "generate key pair",
                     err) != 0)
        return -1;
    if (n_chain > 0 && token_write_begin(m, serial, chain, n_chain, &writer, err) != 0) {
        close_session(&s);
        return -1;
    }
    rc = generate_pair(&s, label, id, id_len, type, false, &pub, &priv, err);
    if (writer != NULL) {
        ct_error write_err = {0};
        if (token_write_end(writer, &write_err) != 0 && rc == 0) {
            *err = write_err;
            rc = -1;
        }
    }
    if (rc == 0 && public_key_spki(&s, pub, type, spki, spki_len) != 0)
        rc = ct_fail(err, 500, "token.io", "không đọc được khóa công khai từ thiết bị",
                     "cannot read the public key back from the token");
    if (rc != 0 || keep == NULL) {
        close_session(&s);
        return rc;
    }
    /* Logging in costs a PIN derivation on many modules: the caller goes on in this session
     * instead of opening another. */
    *keep = malloc(sizeof **keep);
    if (*keep == NULL) {
        close_session(&s);
        free(*spki);
        *spki = NULL;
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    **keep = s;
    return 0;
}

void token_session_close(token_session *s)
{
    if (s == NULL)
        return;
    close_session(s);
    free(s);
}

static int find_object(session *s, CK_OBJECT_CLASS cls, CK_ATTRIBUTE_TYPE by, const void *value,
                       size_t len, CK_OBJECT_HANDLE *obj)
{
    CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof cls}, {by, (void *)value, len}};
    CK_ULONG found = 0;
    CK_RV rv = s->m->f->C_FindObjectsInit(s->h, tmpl, 2);

    if (rv != CKR_OK)
        return -1;
    rv = s->m->f->C_FindObjects(s->h, obj, 1, &found);
    s->m->f->C_FindObjectsFinal(s->h);
    return rv == CKR_OK && found == 1 ? 0 : -1;
}

static int key_type_of(session *s, CK_OBJECT_HANDLE key, token_key_type *type)
{
    CK_KEY_TYPE kt;
    CK_ATTRIBUTE a = {CKA_KEY_TYPE, &kt, sizeof kt};

    if (s->m->f->C_GetAttributeValue(s->h, key, &a, 1) != CKR_OK)
        return -1;
    *type = kt == CKK_EC ? TOKEN_KEY_P256 : TOKEN_KEY_RSA2048;
    return 0;
}

static int sign_in(session *sp, const unsigned char *id, size_t id_len, const unsigned char *data,
                   size_t len, unsigned char *sig, size_t *sig_len, ct_error *err)
{
    session s = *sp;
    token_module *m = s.m;
    CK_OBJECT_HANDLE key;
    token_key_type type;
    CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
    CK_ULONG n = 512;
    CK_RV rv;

    if (find_object(&s, CKO_PRIVATE_KEY, CKA_ID, id, id_len, &key) != 0 ||
        key_type_of(&s, key, &type) != 0)
        return ct_fail(
            err, 500, "token.io",
            "thiết bị lưu khóa: bước \"ký thử\": không tìm thấy khóa bí mật trên thiết bị",
            "token: step \"sign challenge\": the private key is not on the token");
    if (type == TOKEN_KEY_P256) {
        /* Not every module has CKM_ECDSA_SHA256 (SoftHSM2 2.6 has not): hash on the token,
         * then sign the hash with plain CKM_ECDSA. */
        CK_MECHANISM sha256 = {CKM_SHA256, NULL, 0};
        CK_BYTE digest[32];
        CK_ULONG digest_len = sizeof digest;
        mech.mechanism = CKM_ECDSA;
        rv = m->f->C_DigestInit(s.h, &sha256);
        if (rv == CKR_OK)
            rv = m->f->C_Digest(s.h, (CK_BYTE_PTR)data, len, digest, &digest_len);
        if (rv == CKR_OK)
            rv = m->f->C_SignInit(s.h, &mech, key);
        if (rv == CKR_OK)
            rv = m->f->C_Sign(s.h, digest, digest_len, sig, &n);
    } else {
        rv = m->f->C_SignInit(s.h, &mech, key);
        if (rv == CKR_OK)
            rv = m->f->C_Sign(s.h, (CK_BYTE_PTR)data, len, sig, &n);
    }
    if (rv != CKR_OK)
        return p11_fail(err, rv, "ký thử", "sign challenge");
    *sig_len = n;
    return 0;
}

int token_session_sign(token_session *s, const unsigned char *id, size_t id_len,
                       const unsigned char *data, size_t len, unsigned char *sig, size_t *sig_len,
                       ct_error *err)
{
    return sign_in(s, id, id_len, data, len, sig, sig_len, err);
}

int token_reset_user_pin(token_module *m, const char *serial, const char *so_pin,
                         const char *new_pin, ct_error *err)
{
    session s;
    CK_RV rv;

    if (open_session(m, serial, CKU_SO, so_pin, &s, "đặt lại mã PIN", "reset user PIN", err) != 0)
        return -1;
    rv = m->f->C_InitPIN(s.h, (CK_UTF8CHAR_PTR)new_pin, strlen(new_pin));
    close_session(&s);
    if (rv != CKR_OK)
        return p11_fail(err, rv, "đặt lại mã PIN", "reset user PIN");
    return 0;
}

/* ---- a renewal for the same key: the certificate object replaced, the key pair kept ---- */

/* The subscriber's certificate object on the token (found by its value) and its CKA_ID and
 * CKA_LABEL (each malloc'd), in a security officer's session: certificates and public keys are
 * public objects, so the holder's user PIN is not needed. */
static int find_cert_object(session *s, const unsigned char *der, size_t der_len,
                            CK_OBJECT_HANDLE *obj, unsigned char **id, size_t *id_len,
                            unsigned char **label, size_t *label_len, ct_error *err)
{
    if (find_object(s, CKO_CERTIFICATE, CKA_VALUE, der, der_len, obj) != 0)
        return ct_fail(err, 409, "token.cert_missing",
                       "thiết bị không mang chứng thư cần gia hạn: không gia hạn giữ khóa được",
                       "the token does not carry the certificate to renew: it cannot be "
                       "renewed for the same key");
    if (get_attr(s, *obj, CKA_ID, id, id_len) != 0)
        return ct_fail(err, 500, "token.io", "không đọc được CKA_ID của chứng thư trên thiết bị",
                       "cannot read the certificate's CKA_ID on the token");
    if (get_attr(s, *obj, CKA_LABEL, label, label_len) != 0) {
        free(*id);
        *id = NULL;
        return ct_fail(err, 500, "token.io", "không đọc được nhãn của chứng thư trên thiết bị",
                       "cannot read the certificate's label on the token");
    }
    return 0;
}

int token_cert_key(token_module *m, const char *serial, const char *so_pin,
                   const unsigned char *cert_der, size_t cert_len, unsigned char **spki,
                   size_t *spki_len, ct_error *err)
{
    session s;
    CK_OBJECT_HANDLE cert, pub;
    CK_KEY_TYPE kt;
    CK_ATTRIBUTE kt_attr = {CKA_KEY_TYPE, &kt, sizeof kt};
    token_key_type type = TOKEN_KEY_RSA2048;
    unsigned char *id = NULL, *label = NULL, *params = NULL;
    size_t id_len, label_len, params_len;
    int rc = -1;

    if (open_session(m, serial, CKU_SO, so_pin, &s, "tìm khóa của chứng thư",
                     "find the certificate's key", err) != 0)
        return -1;
    if (find_cert_object(&s, cert_der, cert_len, &cert, &id, &id_len, &label, &label_len, err) != 0)
        goto out;
    if (find_object(&s, CKO_PUBLIC_KEY, CKA_ID, id, id_len, &pub) != 0 ||
        m->f->C_GetAttributeValue(s.h, pub, &kt_attr, 1) != CKR_OK) {
        ct_fail(err, 409, "token.key_missing",
                "thiết bị không còn cặp khóa của chứng thư (CKA_ID của chứng thư): không gia hạn "
                "giữ khóa được",
                "the token no longer holds the certificate's key pair (by its CKA_ID): it cannot "
                "be renewed for the same key");
        goto out;
    }
    if (kt == CKK_EC) {
        type = TOKEN_KEY_P256;
        if (get_attr(&s, pub, CKA_EC_PARAMS, &params, &params_len) == 0 &&
            params_len == sizeof oid_p384 && memcmp(params, oid_p384, params_len) == 0)
            type = TOKEN_KEY_P384;
    }
    if (public_key_spki(&s, pub, type, spki, spki_len) != 0) {
        ct_fail(err, 500, "token.io", "không đọc được khóa công khai từ thiết bị",
                "cannot read the public key back from the token");
        goto out;
    }
    rc = 0;
out:
    free(params);
    free(id);
    free(label);
    close_session(&s);
    return rc;
}

int token_cert_replace(token_module *m, const char *serial, const char *so_pin,
                       const unsigned char *old_der, size_t old_len, const unsigned char *new_der,
                       size_t new_len, const unsigned char *subject, size_t subject_len,
                       ct_error *err)
{
    session s;
    CK_OBJECT_HANDLE old, made = CK_INVALID_HANDLE;
    unsigned char *id = NULL, *label = NULL;
    size_t id_len, label_len;
    char label_text[129];
    CK_RV rv;
    int rc = -1;

    if (open_session(m, serial, CKU_SO, so_pin, &s, "thay chứng thư", "replace certificate", err) !=
        0)
        return -1;
    if (find_cert_object(&s, old_der, old_len, &old, &id, &id_len, &label, &label_len, err) != 0)
        goto out;
    snprintf(label_text, sizeof label_text, "%.*s", (int)(label_len < 128 ? label_len : 128),
             (const char *)label);
    {
        const token_cert_object c = {.id = id,
                                     .id_len = id_len,
                                     .label = label_text,
                                     .der = new_der,
                                     .der_len = new_len,
                                     .subject = subject,
                                     .subject_len = subject_len};
        if (write_cert(&s, &c, &made, err) != 0)
            goto out;
    }
    /* the new object is written before the old one goes: a failure between them leaves the
     * token with the certificate it had */
    rv = m->f->C_DestroyObject(s.h, old);
    if (rv != CKR_OK) {
        m->f->C_DestroyObject(s.h, made);
        p11_fail(err, rv, "thay chứng thư", "replace certificate");
        goto out;
    }
    rc = 0;
out:
    free(id);
    free(label);
    close_session(&s);
    return rc;
}

int token_wipe(token_module *m, const char *serial, const char *so_pin, const char *blank_label,
               ct_error *err)
{
    CK_SLOT_ID slot;
    unsigned char padded[32];
    CK_RV rv;

    if (find_slot(m, serial, &slot, "xóa thiết bị", "wipe token", err) != 0)
        return -1;
    pad_label(padded, blank_label);
    rv = m->f->C_InitToken(slot, (CK_UTF8CHAR_PTR)so_pin, strlen(so_pin), padded);
    if (rv != CKR_OK)
        return p11_fail(err, rv, "xóa thiết bị", "wipe token");
    return 0;
}

/* ---- the CA's key in an HSM ---- */

static int key_open_common(token_module *m, const char *serial, const char *user_pin,
                           token_key **out, session *s, ct_error *err)
{
    token_key *k = calloc(1, sizeof *k);

    if (k == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    if (open_session(m, serial, CKU_USER, user_pin, s, "mở khóa CA", "open CA key", err) != 0) {
        free(k);
        return -1;
    }
    k->m = m;
    k->session = s->h;
    pthread_mutex_init(&k->lock, NULL);
    *out = k;
    return 0;
}

static int key_finish(token_key *k, session *s, CK_OBJECT_HANDLE pub, ct_error *err)
{
    if (public_key_spki(s, pub, k->type, &k->spki, &k->spki_len) != 0) {
        token_key_close(k);
        return ct_fail(err, 500, "token.io", "không đọc được khóa công khai của CA",
                       "cannot read the CA's public key");
    }
    return 0;
}

int token_key_generate(token_module *m, const char *serial, const char *user_pin, const char *label,
                       token_key_type type, token_key **out, ct_error *err)
{
    session s;
    CK_OBJECT_HANDLE pub;
    /* the CA key's CKA_ID is its label: one key per label on the HSM */
    if (key_open_common(m, serial, user_pin, out, &s, err) != 0)
        return -1;
    (*out)->type = type;
    if (generate_pair(&s, label, (const unsigned char *)label, strlen(label), type, true, &pub,
                      &(*out)->key, err) != 0) {
        token_key_close(*out);
        return -1;
    }
    return key_finish(*out, &s, pub, err);
}

int token_key_open(token_module *m, const char *serial, const char *user_pin, const char *label,
                   token_key **out, ct_error *err)
{
    session s;
    CK_OBJECT_HANDLE pub;
    CK_KEY_TYPE kt;
    CK_ATTRIBUTE a = {CKA_KEY_TYPE, &kt, sizeof kt};

    if (key_open_common(m, serial, user_pin, out, &s, err) != 0)
        return -1;
    if (find_object(&s, CKO_PRIVATE_KEY, CKA_LABEL, label, strlen(label), &(*out)->key) != 0 ||
        find_object(&s, CKO_PUBLIC_KEY, CKA_LABEL, label, strlen(label), &pub) != 0 ||
        m->f->C_GetAttributeValue(s.h, pub, &a, 1) != CKR_OK) {
        token_key_close(*out);
        return ct_fail(err, 404, "token.key_not_found", "không có khóa \"%s\" trên HSM",
                       "no key labelled \"%s\" on the HSM", label);
    }
    if (kt == CKK_EC) {
        unsigned char *params;
        size_t n;
        (*out)->type = TOKEN_KEY_P256;
        if (get_attr(&s, pub, CKA_EC_PARAMS, &params, &n) == 0) {
            if (n == sizeof oid_p384 && memcmp(params, oid_p384, n) == 0)
                (*out)->type = TOKEN_KEY_P384;
            free(params);
        }
    } else {
        (*out)->type = TOKEN_KEY_RSA3072;
    }
    return key_finish(*out, &s, pub, err);
}

int token_key_sign_raw(token_key *k, const unsigned char *in, size_t in_len, unsigned char *sig,
                       size_t *sig_len, ct_error *err)
{
    bool ec = k->type == TOKEN_KEY_P256 || k->type == TOKEN_KEY_P384;
    CK_MECHANISM mech = {ec ? CKM_ECDSA : CKM_RSA_PKCS, NULL, 0};
    CK_ULONG n = *sig_len;
    CK_RV rv;

    pthread_mutex_lock(&k->lock);
    rv = k->m->f->C_SignInit(k->session, &mech, k->key);
    if (rv == CKR_OK)
        rv = k->m->f->C_Sign(k->session, (CK_BYTE_PTR)in, in_len, sig, &n);
    pthread_mutex_unlock(&k->lock);
    if (rv != CKR_OK)
        return p11_fail(err, rv, "ký bằng khóa CA trên HSM", "sign with the CA key on the HSM");
    *sig_len = n;
    return 0;
}

const unsigned char *token_key_spki(const token_key *k, size_t *len)
{
    *len = k->spki_len;
    return k->spki;
}

void token_key_close(token_key *k)
{
    if (k == NULL)
        return;
    /* No C_Logout: the login belongs to every session of this process on the token (the
     * issuing CA's key and the OCSP responder's share one HSM); closing the last session ends it.
     */
    if (k->session != CK_INVALID_HANDLE)
        k->m->f->C_CloseSession(k->session);
    pthread_mutex_destroy(&k->lock);
    free(k->spki);
    free(k);
}

int token_objects_destroy(token_module *m, const char *serial, const char *user_pin,
                          const char *label, size_t *destroyed, ct_error *err)
{
    CK_ATTRIBUTE tmpl[] = {{CKA_LABEL, (void *)label, strlen(label)}};
    CK_OBJECT_HANDLE found[16];
    CK_ULONG n = 0;
    CK_RV rv = CKR_OK;
    session s;

    *destroyed = 0;
    if (open_session(m, serial, CKU_USER, user_pin, &s, "xóa khóa trên HSM",
                     "destroy a key on the HSM", err) != 0)
        return -1;
    /* found first, destroyed after the search: a search does not run over objects it deletes.
     * Rounds are bounded: a label holds a key pair, perhaps a certificate. */
    for (int round = 0; round < 8; round++) {
        rv = m->f->C_FindObjectsInit(s.h, tmpl, 1);
        if (rv == CKR_OK) {
            rv = m->f->C_FindObjects(s.h, found, sizeof found / sizeof found[0], &n);
            m->f->C_FindObjectsFinal(s.h);
        }
        if (rv != CKR_OK || n == 0)
            break;
        for (CK_ULONG i = 0; i < n && rv == CKR_OK; i++) {
            rv = m->f->C_DestroyObject(s.h, found[i]);
            if (rv == CKR_OK)
                (*destroyed)++;
        }
        if (rv != CKR_OK)
            break;
    }
    /* no C_Logout: the login is shared by this process's other sessions on the token */
    m->f->C_CloseSession(s.h);
    if (rv != CKR_OK)
        return p11_fail(err, rv, "xóa khóa trên HSM", "destroy a key on the HSM");
    return 0;
}
