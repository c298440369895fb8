/*
 * error.c — filling ct_error values. See error.h.
 */
#include "core/error.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

size_t ct_utf8_char_len(const char *s, size_t avail)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned long c;
    size_t n;

    if (avail == 0)
        return 0;
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        n = 2, c = p[0] & 0x1f;
    else if (p[0] >= 0xe0 && p[0] <= 0xef)
        n = 3, c = p[0] & 0x0f;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        n = 4, c = p[0] & 0x07;
    else
        return 0; /* a continuation byte, an overlong lead (C0, C1) or past U+10FFFF (F5-FF) */
    if (avail < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3f);
    }
    if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
        (c >= 0xd800 && c <= 0xdfff))
        return 0;
    return n;
}

/* Is s (len bytes, len < 4) the start of a character that more bytes could complete? */
static bool utf8_incomplete(const unsigned char *s, size_t len)
{
    size_t want = s[0] >= 0xf0 && s[0] <= 0xf4   ? 4
                  : s[0] >= 0xe0 && s[0] <= 0xef ? 3
                  : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
                                                 : 0;

    if (want == 0 || len >= want)
        return false;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return false;
    return true;
}

size_t ct_utf8_repair(char *s)
{
    size_t len = strlen(s), changed = 0;

    for (size_t i = 0; i < len;) {
        size_t n = ct_utf8_char_len(s + i, len - i);
        if (n > 0) {
            i += n;
            continue;
        }
        if (utf8_incomplete((const unsigned char *)s + i, len - i)) {
            changed += len - i;
            s[i] = '\0';
            break;
        }
        s[i++] = '?';
        changed++;
    }
    return changed;
}

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
    ct_utf8_repair(err->vi);
    ct_utf8_repair(err->en);
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
    ct_utf8_repair(err->vi);
    ct_utf8_repair(err->en);
    return -1;
}

static void prefix_into(char *msg, size_t size, const char *prefix)
{
    char old[CT_ERR_MSG_MAX];

    snprintf(old, sizeof old, "%s", msg);
    snprintf(msg, size, "%s%s", prefix, old);
    ct_utf8_repair(msg);
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
