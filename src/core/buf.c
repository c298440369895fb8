/*
 * buf.c — the growable byte buffer of buf.h.
 *
 * Capacity doubles from 256 bytes, so a million appends cost a few dozen reallocations.
 */
#include "core/buf.h"

#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(ct_buf *b)
{
    memset(b, 0, sizeof *b);
}

void buf_free(ct_buf *b)
{
    free(b->data);
    buf_init(b);
}

void buf_reset(ct_buf *b)
{
    b->len = 0;
    b->failed = false;
}

bool buf_ok(const ct_buf *b)
{
    return !b->failed;
}

bool buf_reserve(ct_buf *b, size_t n)
{
    size_t want;
    unsigned char *p;

    if (b->failed)
        return false;
    assert(b->len <= b->cap);
    if (b->cap - b->len >= n)
        return true;
    want = b->cap ? b->cap : 256;
    while (want - b->len < n) {
        if (want > SIZE_MAX / 2) {
            b->failed = true;
            return false;
        }
        want *= 2;
    }
    p = realloc(b->data, want);
    if (p == NULL) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = want;
    return true;
}

void buf_append(ct_buf *b, const void *bytes, size_t n)
{
    if (n == 0 || !buf_reserve(b, n))
        return;
    memcpy(b->data + b->len, bytes, n);
    b->len += n;
}

void buf_append_byte(ct_buf *b, unsigned char c)
{
    if (!buf_reserve(b, 1))
        return;
    b->data[b->len++] = c;
}

void buf_append_str(ct_buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_printf(ct_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    /* Format straight into the spare room; when the text does not fit, grow once to its
     * measured size and format again. vsnprintf's NUL needs the one byte more. */
    if (!buf_reserve(b, 128))
        return;
    va_start(ap, fmt);
    n = vsnprintf((char *)b->data + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if ((size_t)n >= b->cap - b->len) {
        if (!buf_reserve(b, (size_t)n + 1))
            return;
        va_start(ap, fmt);
        vsnprintf((char *)b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

unsigned char *buf_take(ct_buf *b, size_t *len)
{
    unsigned char *p = b->data;

    *len = b->len;
    buf_init(b);
    return p;
}

char *buf_take_text(ct_buf *b)
{
    size_t len;

    buf_append_byte(b, '\0');
    if (!buf_ok(b)) {
        buf_free(b);
        return NULL;
    }
    return (char *)buf_take(b, &len);
}

void buf_append_html(ct_buf *b, const char *s)
{
    const char *run = s;

    for (; s && *s; s++) {
        const char *rep;
        switch (*s) {
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '&':
            rep = "&amp;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            continue;
        }
        buf_append(b, run, (size_t)(s - run));
        buf_append_str(b, rep);
        run = s + 1;
    }
    if (run)
        buf_append_str(b, run);
}

void buf_append_url(ct_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            buf_append_byte(b, c);
        } else {
            unsigned char enc[3] = {'%', (unsigned char)hex[c >> 4], (unsigned char)hex[c & 15]};
            buf_append(b, enc, 3);
        }
    }
}

bool vec_grow(void **items, size_t *cap, size_t n, size_t size)
{
    size_t more = *cap ? *cap * 2 : 16;
    void *p;

    if (n < *cap)
        return true;
    if (more > SIZE_MAX / size || (p = realloc(*items, more * size)) == NULL)
        return false;
    *items = p;
    *cap = more;
    return true;
}
