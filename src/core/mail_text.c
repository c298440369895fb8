/*
 * mail_text.c — templates and the MIME text of a message (see mail_text.h).
 */
#include "core/mail_text.h"

#include "core/calendar.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define LINE_MAX_CHARS 76

int mail_render(const char *tmpl, bool html, mail_var_fn lookup, void *ctx, ct_buf *out,
                ct_error *err)
{
    const char *p = tmpl;

    while (*p) {
        const char *open = strstr(p, "{{"), *close, *start, *end;
        char name[64];
        const char *value;

        if (open == NULL) {
            buf_append_str(out, p);
            break;
        }
        buf_append(out, p, (size_t)(open - p));
        close = strstr(open + 2, "}}");
        if (close == NULL)
            return ct_fail(err, 500, "mail.template_syntax",
                           "mẫu thư có \"{{\" không đóng bằng \"}}\"",
                           "a mail template has \"{{\" without its \"}}\"");
        start = open + 2;
        end = close;
        while (start < end && *start == ' ')
            start++;
        while (end > start && end[-1] == ' ')
            end--;
        if (end == start || (size_t)(end - start) >= sizeof name)
            return ct_fail(err, 500, "mail.template_syntax", "mẫu thư có tên biến không hợp lệ",
                           "a mail template has an invalid variable name");
        for (const char *q = start; q < end; q++)
            if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_'))
                return ct_fail(err, 500, "mail.template_syntax",
                               "mẫu thư có tên biến không hợp lệ: \"%.*s\"",
                               "a mail template has an invalid variable name: \"%.*s\"",
                               (int)(end - start), start);
        memcpy(name, start, (size_t)(end - start));
        name[end - start] = '\0';
        value = lookup(ctx, name);
        if (value == NULL)
            return ct_fail(
                err, 500, "mail.template_variable", "mẫu thư dùng biến \"%s\" mà thư này không có",
                "a mail template uses the variable \"%s\", which this message lacks", name);
        if (html)
            buf_append_html(out, value);
        else
            buf_append_str(out, value);
        p = close + 2;
    }
    return 0;
}

static bool plain_ascii(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            return false;
    return true;
}

static void base64(ct_buf *out, const unsigned char *in, size_t n)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        buf_append_byte(out, (unsigned char)alphabet[(v >> 18) & 63]);
        buf_append_byte(out, (unsigned char)alphabet[(v >> 12) & 63]);
        buf_append_byte(out, i + 1 < n ? (unsigned char)alphabet[(v >> 6) & 63] : '=');
        buf_append_byte(out, i + 2 < n ? (unsigned char)alphabet[v & 63] : '=');
    }
}

/* The length of the UTF-8 sequence whose lead byte is c (1 for anything unexpected, so that a
 * stray byte is carried on its own rather than lost). */
static size_t utf8_len(unsigned char c)
{
    return c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

/*
 * Encoded words of at most 39 bytes of text each (52 base64 characters, a word of 64): after
 * "Subject: " or a folding space, every line stays within 76 characters. A character is never
 * split between two words (RFC 2047 5(3)).
 */
#define WORD_BYTES 39

static void encoded_words(ct_buf *out, const char *value)
{
    const unsigned char *p = (const unsigned char *)value;
    bool first = true;

    while (*p) {
        size_t n = 0;
        while (p[n]) {
            size_t k = utf8_len(p[n]);
            for (size_t j = 1; j < k; j++)
                if (p[n + j] == '\0') {
                    k = j;
                    break;
                }
            if (n + k > WORD_BYTES)
                break;
            n += k;
        }
        if (!first)
            buf_append_str(out, "\r\n ");
        buf_append_str(out, "=?UTF-8?B?");
        base64(out, p, n);
        buf_append_str(out, "?=");
        p += n;
        first = false;
    }
}

void mail_header_encoded(ct_buf *out, const char *name, const char *value)
{
    buf_printf(out, "%s: ", name);
    if (plain_ascii(value) && strlen(name) + 2 + strlen(value) <= LINE_MAX_CHARS)
        buf_append_str(out, value);
    else
        encoded_words(out, value);
    buf_append_str(out, "\r\n");
}

/* "Name <addr>": the name encoded when it is not plain ASCII; the address as it is. */
static void address_header(ct_buf *out, const char *name, const char *value)
{
    const char *lt = strrchr(value, '<');
    char display[256];
    size_t n;

    if (lt == NULL || plain_ascii(value)) {
        buf_printf(out, "%s: %s\r\n", name, value);
        return;
    }
    n = (size_t)(lt - value);
    while (n > 0 && value[n - 1] == ' ')
        n--;
    if (n >= sizeof display)
        n = sizeof display - 1;
    memcpy(display, value, n);
    display[n] = '\0';
    buf_printf(out, "%s: ", name);
    encoded_words(out, display);
    buf_printf(out, "\r\n %s\r\n", lt);
}

/* "To: a, b, …" folded after a comma when the line would pass 76 characters. */
static void recipients_header(ct_buf *out, const char *to)
{
    size_t col = 4;
    const char *p = to;

    buf_append_str(out, "To: ");
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        while (n > 0 && *p == ' ') {
            p++;
            n--;
        }
        if (col > 4) {
            buf_append_byte(out, ',');
            col++;
            if (col + 1 + n > LINE_MAX_CHARS) {
                buf_append_str(out, "\r\n");
                col = 0;
            }
            buf_append_byte(out, ' ');
            col++;
        }
        buf_append(out, p, n);
        col += n;
        p += n;
        if (*p == ',')
            p++;
    }
    buf_append_str(out, "\r\n");
}

static void qp_byte(ct_buf *out, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";

    buf_append_byte(out, '=');
    buf_append_byte(out, (unsigned char)hex[c >> 4]);
    buf_append_byte(out, (unsigned char)hex[c & 15]);
}

void mail_quoted_printable(ct_buf *out, const char *text)
{
    const unsigned char *p = (const unsigned char *)text;

    while (*p) {
        size_t col = 0;
        /* one line of the text */
        while (*p && *p != '\n' && !(*p == '\r' && p[1] == '\n')) {
            unsigned char c = *p;
            bool at_end = p[1] == '\0' || p[1] == '\n' || (p[1] == '\r' && p[2] == '\n');
            bool literal =
                (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_end);
            size_t width;
            if (c == '.' && col == 0)
                literal = false;
            width = literal ? 1 : 3;
            /* a soft break ("=") leaves room for itself on the line */
            if (col + width > LINE_MAX_CHARS - 1) {
                buf_append_str(out, "=\r\n");
                col = 0;
                if (c == '.')
                    literal = false, width = 3;
            }
            if (literal)
                buf_append_byte(out, c);
            else
                qp_byte(out, c);
            col += width;
            p++;
        }
        if (*p == '\r')
            p++;
        if (*p == '\n') {
            p++;
            buf_append_str(out, "\r\n");
        }
    }
}

void mail_date(int64_t t, char out[40])
{
    ct_imf_date(t, "+0000", out);
}

void mail_compose(ct_buf *out, const mail_message *m)
{
    char date[40], boundary[96];
    unsigned long h = 5381;

    /* "=_" never occurs in quoted-printable text (a "=" is always "=XX" there), so a boundary
     * beginning with it cannot appear in a part */
    for (const char *p = m->message_id; *p; p++)
        h = h * 33 + (unsigned char)*p;
    snprintf(boundary, sizeof boundary, "=_chungthu_%016lx", h);
    mail_date(m->date, date);
    buf_printf(out, "Date: %s\r\n", date);
    address_header(out, "From", m->from);
    recipients_header(out, m->to);
    mail_header_encoded(out, "Subject", m->subject);
    buf_printf(out, "Message-ID: %s\r\n", m->message_id);
    buf_append_str(out, "MIME-Version: 1.0\r\n"
                        "Auto-Submitted: auto-generated\r\n"
                        "Content-Language: vi, en\r\n");
    buf_printf(out, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n", boundary);
    buf_printf(out, "--%s\r\n", boundary);
    buf_append_str(out, "Content-Type: text/plain; charset=UTF-8\r\n"
                        "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
    mail_quoted_printable(out, m->text);
    buf_printf(out, "\r\n--%s\r\n", boundary);
    buf_append_str(out, "Content-Type: text/html; charset=UTF-8\r\n"
                        "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
    mail_quoted_printable(out, m->html);
    buf_printf(out, "\r\n--%s--\r\n", boundary);
}
