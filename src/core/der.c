/*
 * der.c — the DER writer and reader of der.h.
 *
 * Lengths are fixed up when a constructed value is closed: der_begin() reserves one length byte,
 * der_end() widens it in place (a memmove of the content) when the content turns out to be 128
 * bytes or more. Small values, which are the vast majority, never move.
 */
#include "core/der.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static size_t length_octets(size_t len)
{
    size_t n = 1;

    if (len < 0x80)
        return 1;
    while (len) {
        n++;
        len >>= 8;
    }
    return n;
}

static void put_length(unsigned char *p, size_t len, size_t octets)
{
    if (octets == 1) {
        p[0] = (unsigned char)len;
        return;
    }
    p[0] = (unsigned char)(0x80 | (octets - 1));
    for (size_t i = octets - 1; i >= 1; i--) {
        p[i] = (unsigned char)(len & 0xff);
        len >>= 8;
    }
}

void der_tlv(ct_buf *b, uint8_t tag, const void *content, size_t len)
{
    size_t octets = length_octets(len);

    if (!buf_reserve(b, 1 + octets + len))
        return;
    b->data[b->len++] = tag;
    put_length(b->data + b->len, len, octets);
    b->len += octets;
    if (len)
        memcpy(b->data + b->len, content, len);
    b->len += len;
}

size_t der_begin(ct_buf *b, uint8_t tag)
{
    if (!buf_reserve(b, 2))
        return 0;
    b->data[b->len++] = tag;
    b->data[b->len++] = 0;
    return b->len;
}

void der_end(ct_buf *b, size_t mark)
{
    size_t content, octets;

    if (b->failed || mark == 0)
        return;
    content = b->len - mark;
    octets = length_octets(content);
    if (octets > 1) {
        if (!buf_reserve(b, octets - 1))
            return;
        memmove(b->data + mark + octets - 1, b->data + mark, content);
        b->len += octets - 1;
    }
    put_length(b->data + mark - 1, content, octets);
}

void der_uint_bytes(ct_buf *b, const unsigned char *mag, size_t len)
{
    unsigned char zero = 0;

    while (len > 1 && mag[0] == 0) {
        mag++;
        len--;
    }
    if (len == 0) {
        der_tlv(b, DER_INTEGER, &zero, 1);
        return;
    }
    if (mag[0] & 0x80) {
        size_t mark = der_begin(b, DER_INTEGER);
        buf_append(b, &zero, 1);
        buf_append(b, mag, len);
        der_end(b, mark);
        return;
    }
    der_tlv(b, DER_INTEGER, mag, len);
}

void der_uint(ct_buf *b, uint64_t v)
{
    unsigned char mag[8];

    for (int i = 7; i >= 0; i--) {
        mag[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
    der_uint_bytes(b, mag, sizeof mag);
}

void der_bool(ct_buf *b, bool v)
{
    unsigned char c = v ? 0xff : 0x00;

    der_tlv(b, DER_BOOLEAN, &c, 1);
}

void der_null(ct_buf *b)
{
    der_tlv(b, DER_NULL, NULL, 0);
}

static void put_time(ct_buf *b, int64_t t, bool generalized)
{
    struct tm tm;
    time_t tt = (time_t)t;
    char s[20];
    int n;

    if (gmtime_r(&tt, &tm) == NULL) {
        b->failed = true;
        return;
    }
    if (generalized)
        n = snprintf(s, sizeof s, "%04d%02d%02d%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    else
        n = snprintf(s, sizeof s, "%02d%02d%02d%02d%02d%02dZ", tm.tm_year % 100, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    der_tlv(b, generalized ? DER_GENERALIZEDTIME : DER_UTCTIME, s, (size_t)n);
}

void der_time(ct_buf *b, int64_t t)
{
    /* 2050-01-01T00:00:00Z */
    put_time(b, t, t >= INT64_C(2524608000));
}

void der_bit_string(ct_buf *b, const void *content, size_t len)
{
    unsigned char unused = 0;
    size_t mark = der_begin(b, DER_BIT_STRING);

    buf_append(b, &unused, 1);
    buf_append(b, content, len);
    der_end(b, mark);
}

static size_t put_base128(unsigned long long v, unsigned char *out, size_t room)
{
    unsigned char tmp[10];
    size_t n = 0;

    do {
        tmp[n++] = (unsigned char)(v & 0x7f);
        v >>= 7;
    } while (v);
    if (n > room)
        return 0;
    for (size_t i = 0; i < n; i++)
        out[i] = (unsigned char)(tmp[n - 1 - i] | (i + 1 < n ? 0x80 : 0));
    return n;
}

/* Base-128 of a decimal arc of any length (UUID arcs under 2.25 are 128-bit numbers), by
 * repeated division of the decimal digits. */
static size_t put_big_base128(const char *digits, size_t n, unsigned char *out, size_t room)
{
    unsigned char dec[64], tmp[64];
    size_t len = 0, start = 0;

    if (n > sizeof dec)
        return 0;
    for (size_t i = 0; i < n; i++)
        dec[i] = (unsigned char)(digits[i] - '0');
    while (start < n) {
        unsigned rem = 0;
        for (size_t i = start; i < n; i++) {
            unsigned cur = rem * 10 + dec[i];
            dec[i] = (unsigned char)(cur / 128);
            rem = cur % 128;
        }
        if (len == sizeof tmp)
            return 0;
        tmp[len++] = (unsigned char)rem;
        while (start < n && dec[start] == 0)
            start++;
    }
    if (len == 0)
        tmp[len++] = 0;
    if (len > room)
        return 0;
    for (size_t i = 0; i < len; i++)
        out[i] = (unsigned char)(tmp[len - 1 - i] | (i + 1 < len ? 0x80 : 0));
    return len;
}

size_t der_oid_from_text(const char *text, unsigned char *out, size_t out_size)
{
    unsigned long long first = 0, second = 0;
    size_t len = 0, narcs = 0;
    const char *p = text;

    while (*p) {
        const char *start = p;
        size_t n;
        if (*p < '0' || *p > '9')
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
        n = (size_t)(p - start);
        if (n > 1 && *start == '0')
            return 0; /* no leading zeros */
        if (*p == '.') {
            p++;
            if (*p == '\0')
                return 0;
        } else if (*p) {
            return 0;
        }
        if (narcs < 2) {
            unsigned long long v = 0;
            if (n > 18)
                return 0;
            for (size_t i = 0; i < n; i++)
                v = v * 10 + (unsigned long long)(start[i] - '0');
            if (narcs == 0)
                first = v;
            else
                second = v;
            narcs++;
            if (narcs == 2) {
                if (first > 2 || (first < 2 && second > 39))
                    return 0;
                len = put_base128(first * 40 + second, out, out_size);
                if (len == 0)
                    return 0;
            }
            continue;
        }
        {
            size_t k = put_big_base128(start, n, out + len, out_size - len);
            if (k == 0)
                return 0;
            len += k;
        }
        narcs++;
    }
    return narcs >= 2 ? len : 0;
}

bool der_read_tlv(const unsigned char *p, size_t len, uint8_t *tag, const unsigned char **content,
                  size_t *content_len, size_t *total_len)
{
    size_t hdr = 2, clen;

    if (len < 2 || (p[0] & 0x1f) == 0x1f)
        return false; /* we never meet multi-byte tags */
    *tag = p[0];
    if (p[1] < 0x80) {
        clen = p[1];
    } else {
        size_t n = p[1] & 0x7f;
        if (n == 0 || n > sizeof(size_t) || len < 2 + n || p[2] == 0)
            return false; /* indefinite, oversize or non-minimal length */
        clen = 0;
        for (size_t i = 0; i < n; i++)
            clen = (clen << 8) | p[2 + i];
        if (clen < 0x80)
            return false;
        hdr += n;
    }
    if (clen > len - hdr)
        return false;
    *content = p + hdr;
    *content_len = clen;
    *total_len = hdr + clen;
    return true;
}
