/*
 * pull_module.c — libct_p11_pull.so, a PKCS#11 module for the token tests that stands in front of
 * a real one (CT_P11_REAL, default SoftHSM2) and pulls a token out mid-way.
 *
 * "Removed mid-way" has to happen at a chosen step to be tested at all. With
 * CT_P11_PULL=FUNCTION:N (C_GenerateKeyPair, C_CreateObject or C_Sign) and CT_P11_PULL_DIR set
 * to a SoftHSM2 token directory, the N-th call of FUNCTION in the process first deletes that
 * directory, as if the device had been unplugged, and then goes to the real module as usual.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

#include "real_module.h"

static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER; /* calls come from two threads */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* Count a call of name; pull the token if it is the one CT_P11_PULL names. */
static void maybe_pull(const char *name)
{
    static unsigned long seen[3];
    static const char *const names[3] = {"C_GenerateKeyPair", "C_CreateObject", "C_Sign"};
    const char *spec = getenv("CT_P11_PULL"), *dir = getenv("CT_P11_PULL_DIR");
    size_t len = strlen(name);
    unsigned long n = 0;

    pthread_mutex_lock(&count_lock);
    for (int i = 0; i < 3; i++)
        if (strcmp(names[i], name) == 0)
            n = ++seen[i];
    pthread_mutex_unlock(&count_lock);
    if (spec == NULL || dir == NULL || strncmp(spec, name, len) != 0 || spec[len] != ':' ||
        strtoul(spec + len + 1, NULL, 10) != n)
        return;
    if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "pull_module: cannot remove %s\n", dir);
}

static CK_RV pulled_generate_key_pair(CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pub,
                                      CK_ULONG n_pub, CK_ATTRIBUTE_PTR priv, CK_ULONG n_priv,
                                      CK_OBJECT_HANDLE_PTR hpub, CK_OBJECT_HANDLE_PTR hpriv)
{
    maybe_pull("C_GenerateKeyPair");
    return real->C_GenerateKeyPair(s, m, pub, n_pub, priv, n_priv, hpub, hpriv);
}

static CK_RV pulled_create_object(CK_SESSION_HANDLE s, CK_ATTRIBUTE_PTR t, CK_ULONG n,
                                  CK_OBJECT_HANDLE_PTR obj)
{
    maybe_pull("C_CreateObject");
    return real->C_CreateObject(s, t, n, obj);
}

static CK_RV pulled_sign(CK_SESSION_HANDLE s, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
                         CK_ULONG_PTR sig_len)
{
    maybe_pull("C_Sign");
    return real->C_Sign(s, data, len, sig, sig_len);
}

static void take_over(CK_FUNCTION_LIST *f)
{
    f->C_GenerateKeyPair = pulled_generate_key_pair;
    f->C_CreateObject = pulled_create_object;
    f->C_Sign = pulled_sign;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
    return stand_in_function_list(list, take_over);
}
