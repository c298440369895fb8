/*
 * error.c — filling ct_error values. See error.h.
 */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int ct_fail(ct_error *err, int status, const char *code, const char *vi_fmt, const char *en_fmt,
            ...)
{
    va_list ap, ap2;

    if (err == NULL)
        return -1;
    snprintf(err->code, sizeof err->code, "%s", code);
    err->status = status;
    err->retry_after = 0;
    va_start(ap, en_fmt);
    va_copy(ap2, ap);
    /* The Vietnamese format is not a literal the compiler can check against the arguments, but
     * ct_fail's attribute checks the English one, and both must take the same arguments. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    vsnprintf(err->vi, sizeof err->vi, vi_fmt, ap);
    vsnprintf(err->en, sizeof err->en, en_fmt, ap2);
#pragma GCC diagnostic pop
    va_end(ap2);
    va_end(ap);
    return -1;
}

int ct_fail_text(ct_error *err, int status, const char *code, const char *vi, const char *en)
{
    if (err == NULL)
        return -1;
    snprintf(err->code, sizeof err->code, "%s", code);
    err->status = status;
    err->retry_after = 0;
    snprintf(err->vi, sizeof err->vi, "%s", vi);
    snprintf(err->en, sizeof err->en, "%s", en);
    return -1;
}

static void prefix_into(char *msg, size_t size, const char *prefix)
{
    char old[CT_ERR_MSG_MAX];

    snprintf(old, sizeof old, "%s", msg);
    snprintf(msg, size, "%s%s", prefix, old);
}

int ct_error_prefix(ct_error *err, const char *vi_prefix, const char *en_prefix)
{
    if (err == NULL)
        return -1;
    prefix_into(err->vi, sizeof err->vi, vi_prefix);
    prefix_into(err->en, sizeof err->en, en_prefix);
    return -1;
}

void ct_error_clear(ct_error *err)
{
    memset(err, 0, sizeof *err);
}
