/*
 * timing_module.c — libct_p11_timing.so, a PKCS#11 module for bench/token that stands in front
 * of a real one (CT_P11_REAL, default SoftHSM2) and times its C_GenerateKeyPair calls.
 *
 * Provisioning a token is key generation plus everything around it. RSA key generation time
 * varies widely from key to key, so comparing the mean of N provisionings with the mean of N
 * other, bare generations leaves the overhead in the noise. Timed through this module, each
 * provisioning's own generation is subtracted from that same provisioning's time.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST real_copy, ours;
static CK_FUNCTION_LIST_PTR real;

/* Time spent in each call of interest, for the breakdown bench/token prints. */
enum {
    T_KEYGEN,
    T_INIT_TOKEN,
    T_INIT_PIN,
    T_LOGIN,
    T_CREATE,
    T_SIGN,
    T_SLOTS,
    T_TOKEN_INFO,
    T_OPEN,
    T_N
};
static const char *const names[T_N] = {"C_GenerateKeyPair", "C_InitToken",    "C_InitPIN",
                                       "C_Login",           "C_CreateObject", "C_Sign",
                                       "C_GetSlotList",     "C_GetTokenInfo", "C_OpenSession"};
static double spent[T_N];
static unsigned long calls[T_N];

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

#define TIMED(slot, call)                                                                          \
    do {                                                                                           \
        double t0_ = now_ms();                                                                     \
        CK_RV rv_ = (call);                                                                        \
        spent[slot] += now_ms() - t0_;                                                             \
        calls[slot]++;                                                                             \
        return rv_;                                                                                \
    } while (0)

static CK_RV timed_generate_key_pair(CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pub,
                                     CK_ULONG n_pub, CK_ATTRIBUTE_PTR priv, CK_ULONG n_priv,
                                     CK_OBJECT_HANDLE_PTR hpub, CK_OBJECT_HANDLE_PTR hpriv)
{
    TIMED(T_KEYGEN, real->C_GenerateKeyPair(s, m, pub, n_pub, priv, n_priv, hpub, hpriv));
}

static CK_RV timed_init_token(CK_SLOT_ID slot, CK_UTF8CHAR_PTR pin, CK_ULONG len,
                              CK_UTF8CHAR_PTR label)
{
    TIMED(T_INIT_TOKEN, real->C_InitToken(slot, pin, len, label));
}

static CK_RV timed_init_pin(CK_SESSION_HANDLE s, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
    TIMED(T_INIT_PIN, real->C_InitPIN(s, pin, len));
}

static CK_RV timed_get_slot_list(CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count)
{
    TIMED(T_SLOTS, real->C_GetSlotList(present, list, count));
}

static CK_RV timed_get_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{
    TIMED(T_TOKEN_INFO, real->C_GetTokenInfo(slot, info));
}

static CK_RV timed_open_session(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify,
                                CK_SESSION_HANDLE_PTR s)
{
    TIMED(T_OPEN, real->C_OpenSession(slot, flags, app, notify, s));
}

static CK_RV timed_login(CK_SESSION_HANDLE s, CK_USER_TYPE who, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
    TIMED(T_LOGIN, real->C_Login(s, who, pin, len));
}

static CK_RV timed_create_object(CK_SESSION_HANDLE s, CK_ATTRIBUTE_PTR t, CK_ULONG n,
                                 CK_OBJECT_HANDLE_PTR h)
{
    TIMED(T_CREATE, real->C_CreateObject(s, t, n, h));
}

static CK_RV timed_sign(CK_SESSION_HANDLE s, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
                        CK_ULONG_PTR sig_len)
{
    TIMED(T_SIGN, real->C_Sign(s, data, len, sig, sig_len));
}

/* What the bench reads back (it dlopens this same library): key generation's total time and
 * count, and a breakdown line per timed call. */
double ct_p11_timing_keygen_ms(unsigned long *n)
{
    *n = calls[T_KEYGEN];
    return spent[T_KEYGEN];
}

int ct_p11_timing_line(int i, const char **name, double *ms, unsigned long *n)
{
    if (i < 0 || i >= T_N)
        return 0;
    *name = names[i];
    *ms = spent[i];
    *n = calls[i];
    return 1;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
    if (real == NULL) {
        const char *path = getenv("CT_P11_REAL");
        void *h = dlopen(path ? path : "/usr/lib/softhsm/libsofthsm2.so", RTLD_NOW | RTLD_LOCAL);
        CK_C_GetFunctionList get;
        CK_FUNCTION_LIST_PTR f;
        if (h == NULL)
            return CKR_GENERAL_ERROR;
        *(void **)&get = dlsym(h, "C_GetFunctionList");
        if (get == NULL || get(&f) != CKR_OK)
            return CKR_GENERAL_ERROR;
        real_copy = *f;
        real = &real_copy;
        ours = real_copy;
        ours.C_GenerateKeyPair = timed_generate_key_pair;
        ours.C_InitToken = timed_init_token;
        ours.C_InitPIN = timed_init_pin;
        ours.C_GetSlotList = timed_get_slot_list;
        ours.C_GetTokenInfo = timed_get_token_info;
        ours.C_OpenSession = timed_open_session;
        ours.C_Login = timed_login;
        ours.C_CreateObject = timed_create_object;
        ours.C_Sign = timed_sign;
    }
    *list = &ours;
    return CKR_OK;
}
