/*
 * pin_module.c — libct_p11_pins.so, a PKCS#11 module for tests/sh/secrets.sh that stands in front
 * of a real one (CT_P11_REAL, default SoftHSM2) and writes down every PIN it is given.
 *
 * To check that no PIN reaches a log, the test has to know every PIN, including the SO PINs,
 * which chungthu keeps only encrypted. A device is the one place that sees them all in clear, so
 * this stand-in for one appends each PIN passed to C_InitToken, C_InitPIN, C_Login and C_SetPIN
 * to the file CT_P11_PIN_LOG, one a line, and then goes to the real module as usual.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <p11-kit/pkcs11.h>

#include "real_module.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER; /* calls come from two threads */

static void note_pin(CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
    const char *path = getenv("CT_P11_PIN_LOG");
    FILE *f;

    if (path == NULL || pin == NULL || len == 0)
        return;
    pthread_mutex_lock(&log_lock);
    f = fopen(path, "a");
    if (f != NULL) {
        fprintf(f, "%.*s\n", (int)len, (const char *)pin);
        fclose(f);
    }
    pthread_mutex_unlock(&log_lock);
}

static CK_RV noted_init_token(CK_SLOT_ID slot, CK_UTF8CHAR_PTR pin, CK_ULONG len,
                              CK_UTF8CHAR_PTR label)
{
    note_pin(pin, len);
    return real->C_InitToken(slot, pin, len, label);
}

static CK_RV noted_init_pin(CK_SESSION_HANDLE s, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
    note_pin(pin, len);
    return real->C_InitPIN(s, pin, len);
}

static CK_RV noted_login(CK_SESSION_HANDLE s, CK_USER_TYPE who, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
    note_pin(pin, len);
    return real->C_Login(s, who, pin, len);
}

static CK_RV noted_set_pin(CK_SESSION_HANDLE s, CK_UTF8CHAR_PTR old_pin, CK_ULONG old_len,
                           CK_UTF8CHAR_PTR new_pin, CK_ULONG new_len)
{
    note_pin(old_pin, old_len);
    note_pin(new_pin, new_len);
    return real->C_SetPIN(s, old_pin, old_len, new_pin, new_len);
}

static void take_over(CK_FUNCTION_LIST *f)
{
    f->C_InitToken = noted_init_token;
    f->C_InitPIN = noted_init_pin;
    f->C_Login = noted_login;
    f->C_SetPIN = noted_set_pin;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
    return stand_in_function_list(list, take_over);
}
