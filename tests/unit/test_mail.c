/*
 * test_mail.c — the text of an e-mail (core/mail_text.h): a template's {{name}} filled, escaped
 * for HTML only in the HTML part, a missing variable or a broken brace an error and never an
 * empty hole; a Vietnamese subject as RFC 2047 words of whole characters on lines of at most 76;
 * quoted-printable that keeps every line within 76 and never lets one begin with a full stop;
 * and the whole message's headers and parts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mail_text.h"

static const char *vars(void *ctx, const char *name)
{
    (void)ctx;
    if (strcmp(name, "name") == 0)
        return "Nguyễn <Thị> & \"Hà\" 'A'";
    if (strcmp(name, "code") == 0)
        return "G12-0001";
    return NULL;
}

static char *render(const char *tmpl, bool html, ct_error *err, int *rc)
{
    ct_buf b = {0};

    *rc = mail_render(tmpl, html, vars, NULL, &b, err);
    return buf_take_text(&b);
}

static void test_render_text_and_html(void **state)
{
    ct_error err = {0};
    int rc;
    char *out;
    (void)state;

    out = render("Kính gửi {{name}}, hồ sơ {{ code }}.", false, &err, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(out, "Kính gửi Nguyễn <Thị> & \"Hà\" 'A', hồ sơ G12-0001.");
    free(out);
    out = render("<p>{{name}}</p>{{code}}", true, &err, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(out, "<p>Nguyễn &lt;Thị&gt; &amp; &quot;Hà&quot; &#39;A&#39;</p>G12-0001");
    free(out);
    /* a value is put in once, never read again as a template */
    out = render("{{code}}{", false, &err, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(out, "G12-0001{");
    free(out);
}

static void test_render_errors(void **state)
{
    ct_error err = {0};
    int rc;
    char *out;
    (void)state;

    out = render("Xin chào {{missing}}", false, &err, &rc);
    assert_int_equal(rc, -1);
    assert_string_equal(err.code, "mail.template_variable");
    assert_non_null(strstr(err.en, "missing"));
    free(out);
    out = render("Xin chào {{name", false, &err, &rc);
    assert_int_equal(rc, -1);
    assert_string_equal(err.code, "mail.template_syntax");
    free(out);
    out = render("{{Tên}}", false, &err, &rc);
    assert_int_equal(rc, -1);
    assert_string_equal(err.code, "mail.template_syntax");
    free(out);
    out = render("{{}}", true, &err, &rc);
    assert_int_equal(rc, -1);
    assert_string_equal(err.code, "mail.template_syntax");
    free(out);
}

/* Every CRLF-separated line of text is at most max characters; no bare LF or CR. */
static void lines_within(const char *text, size_t max)
{
    const char *p = text;

    while (*p) {
        const char *end = strstr(p, "\r\n");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        assert_true(n <= max);
        assert_null(memchr(p, '\n', n));
        assert_null(memchr(p, '\r', n));
        p += n + (end ? 2 : 0);
    }
}

static int b64(char c)
{
    const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *at = strchr(a, c);
    return at && c ? (int)(at - a) : -1;
}

/* The encoded words of a Subject header decoded and joined, each word's text whole UTF-8. */
static void decode_subject(const char *header, char *out, size_t size)
{
    const char *p = header;
    size_t len = 0;

    while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
        const char *end = strstr(p + 10, "?=");
        unsigned v = 0;
        int bits = 0;
        size_t start = len;
        assert_non_null(end);
        for (const char *q = p + 10; q < end && *q != '='; q++) {
            v = (v << 6) | (unsigned)b64(*q);
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                assert_true(len + 1 < size);
                out[len++] = (char)((v >> bits) & 0xff);
            }
        }
        /* a word never ends inside a character: its last byte is not a lead or continuation
         * that expects more */
        out[len] = '\0';
        assert_true(len > start);
        p = end + 2;
    }
    out[len] = '\0';
}

static void test_subject(void **state)
{
    const char *subject = "Chứng thư số của Nguyễn Thị Thu Hà hết hạn sau 30 ngày — gia hạn "
                          "trước ngày 01/02/2027 qua cổng dịch vụ công";
    char decoded[512];
    ct_buf b = {0};
    char *text;
    (void)state;

    mail_header_encoded(&b, "Subject", subject);
    text = buf_take_text(&b);
    assert_true(strncmp(text, "Subject: =?UTF-8?B?", 19) == 0);
    assert_non_null(strstr(text, "\r\n =?UTF-8?B?")); /* folded */
    lines_within(text, 76);
    decode_subject(text, decoded, sizeof decoded);
    assert_string_equal(decoded, subject);
    /* each word's text is whole characters: decode them one by one and check */
    for (const char *p = text; (p = strstr(p, "=?UTF-8?B?")) != NULL; p += 10) {
        char word[128], one[128];
        const char *end = strstr(p, "?=");
        snprintf(word, sizeof word, "%.*s", (int)(end + 2 - p), p);
        decode_subject(word, one, sizeof one);
        size_t n = strlen(one);
        /* the last character is complete: walk the string by lead bytes */
        size_t i = 0;
        while (i < n) {
            unsigned char c = (unsigned char)one[i];
            size_t k = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
            assert_true(c < 0x80 || c >= 0xc0);
            i += k;
        }
        assert_int_equal(i, n);
    }
    free(text);

    /* plain ASCII that fits stays as it is */
    mail_header_encoded(&b, "Subject", "Dossier G12 received");
    text = buf_take_text(&b);
    assert_string_equal(text, "Subject: Dossier G12 received\r\n");
    free(text);
}

static void test_quoted_printable(void **state)
{
    ct_buf b = {0};
    char *text, *long_line = malloc(1001);
    (void)state;

    memset(long_line, 'a', 1000);
    long_line[1000] = '\0';
    long_line[300] = '\n';
    long_line[301] = '.'; /* a line beginning with a full stop */
    mail_quoted_printable(&b, ".\nKính gửi: a=b \nend.\n..\n");
    mail_quoted_printable(&b, long_line);
    text = buf_take_text(&b);
    lines_within(text, 76);
    assert_true(strncmp(text, "=2E\r\nK=C3=ADnh g=E1=BB=ADi: a=3Db=20\r\nend.\r\n=2E.\r\n", 48) ==
                0);
    /* no line of the result is a lone "." nor begins with one */
    assert_null(strstr(text, "\r\n."));
    assert_true(text[0] != '.');
    free(text);
    free(long_line);
}

static void test_compose(void **state)
{
    mail_message m = {"Cục Chứng thực số <noreply@ca.example.vn>",
                      "a@x.gov.vn, b@y.gov.vn",
                      "Đã tiếp nhận hồ sơ",
                      "<outbox-7.0123456789abcdef@ca.example.vn>",
                      1796247007, /* 2026-12-02 21:30:07 UTC */
                      "Dòng một\n.\nDòng ba\n",
                      "<p>Xin chào</p>\n"};
    ct_buf b = {0};
    char *text;
    (void)state;

    mail_compose(&b, &m);
    text = buf_take_text(&b);
    lines_within(text, 76);
    assert_non_null(strstr(text, "Date: Wed, 02 Dec 2026 21:30:07 +0000\r\n"));
    assert_non_null(strstr(text, "From: =?UTF-8?B?"));
    assert_non_null(strstr(text, "\r\n <noreply@ca.example.vn>\r\n"));
    assert_non_null(strstr(text, "To: a@x.gov.vn, b@y.gov.vn\r\n"));
    assert_non_null(strstr(text, "Message-ID: <outbox-7.0123456789abcdef@ca.example.vn>\r\n"));
    assert_non_null(strstr(text, "MIME-Version: 1.0\r\n"));
    assert_non_null(strstr(text, "Content-Type: multipart/alternative;"));
    assert_non_null(strstr(text, "Content-Type: text/plain; charset=UTF-8\r\n"));
    assert_non_null(strstr(text, "Content-Type: text/html; charset=UTF-8\r\n"));
    assert_non_null(strstr(text, "D=C3=B2ng m=E1=BB=99t\r\n=2E\r\nD=C3=B2ng ba"));
    assert_null(strstr(text, "\r\n.\r\n")); /* never SMTP's end of data */
    free(text);
}

static void test_date(void **state)
{
    char out[40];
    (void)state;

    mail_date(0, out);
    assert_string_equal(out, "Thu, 01 Jan 1970 00:00:00 +0000");
    mail_date(1796247007, out);
    assert_string_equal(out, "Wed, 02 Dec 2026 21:30:07 +0000");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_text_and_html),
        cmocka_unit_test(test_render_errors),
        cmocka_unit_test(test_subject),
        cmocka_unit_test(test_quoted_printable),
        cmocka_unit_test(test_compose),
        cmocka_unit_test(test_date),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
