/*
 * timing_module.c — libct_p11_timing.so, a PKCS#11 module for bench/token that stands in front
 * of a real one (CT_P11_REAL, default SoftHSM2) and times its C_GenerateKeyPair calls.
 *
 * Provisioning a token is key generation plus everything around it. RSA key generation time
 * varies widely from key to key, so comparing the mean of N provisionings with the mean of N
 * other, bare generations leaves the overhead in the noise. Timed through this module, each
 * provisioning's own generation is subtracted from that same provisioning's time.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include <p11-kit/pkcs11.h>

#include "real_module.h"


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
static pthread_mutex_t tally_lock = PTHREAD_MUTEX_INITIALIZER; /* calls come from two threads */

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
        double t1_ = now_ms();                                                                     \
        pthread_mutex_lock(&tally_lock);                                                           \
        spent[slot] += t1_ - t0_;                                                                  \
        calls[slot]++;                                                                             \
        pthread_mutex_unlock(&tally_lock);                                                         \
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

static void take_over(CK_FUNCTION_LIST *f)
{
    f->C_GenerateKeyPair = timed_generate_key_pair;
    f->C_InitToken = timed_init_token;
    f->C_InitPIN = timed_init_pin;
    f->C_GetSlotList = timed_get_slot_list;
    f->C_GetTokenInfo = timed_get_token_info;
    f->C_OpenSession = timed_open_session;
    f->C_Login = timed_login;
    f->C_CreateObject = timed_create_object;
    f->C_Sign = timed_sign;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
    return stand_in_function_list(list, take_over);
}
