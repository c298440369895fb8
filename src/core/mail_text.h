/*
 * mail_text.h — the text of an e-mail: templates filled with {{name}} values, and the message
 * as it goes over SMTP (RFC 5322 headers, RFC 2047 encoded subject, RFC 2045 quoted-printable
 * parts of a multipart/alternative, CRLF lines). libc only; app_mail.c sends what this writes.
 */
#ifndef CT_CORE_MAIL_TEXT_H
#define CT_CORE_MAIL_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

/* The value of a template variable, or NULL when there is none. */
typedef const char *(*mail_var_fn)(void *ctx, const char *name);

/*
 * Fill a template: each {{name}} (name of a–z, 0–9, _; spaces inside the braces allowed) is
 * replaced by its value, HTML-escaped when html is set (& < > " '). Everything else is copied as
 * it is. A variable without a value is an error, never an empty hole: 500
 * "mail.template_variable" naming it; "{{" without its "}}" or with another name is 500
 * "mail.template_syntax". Appends to out (check buf_ok).
 */
int mail_render(const char *tmpl, bool html, mail_var_fn lookup, void *ctx, ct_buf *out,
                ct_error *err);

/* A header "Name: value" with its CRLF, value encoded as RFC 2047 UTF-8 "B" words when it holds
 * anything but printable ASCII, every line at most 76 characters (folded between words). */
void mail_header_encoded(ct_buf *out, const char *name, const char *value);

/* text (UTF-8, lines ending in \n or \r\n) as quoted-printable (RFC 2045 6.7): lines at most 76
 * characters with soft breaks, CRLF line ends, and a full stop that begins a line encoded as
 * =2E, so that no line of the message is ever a lone "." (SMTP's end of data). */
void mail_quoted_printable(ct_buf *out, const char *text);

/* "Wed, 02 Dec 2026 21:30:07 +0000" (RFC 5322 3.3), UTC. */
void mail_date(int64_t t, char out[40]);

typedef struct mail_message {
    const char *from;       /* "Name <addr>" or "addr"; a non-ASCII name is encoded */
    const char *to;         /* addresses separated by ", " */
    const char *subject;    /* UTF-8 */
    const char *message_id; /* "<…@…>" */
    int64_t date;
    const char *text; /* the plain text part, UTF-8 */
    const char *html; /* the HTML part, UTF-8 */
} mail_message;

/* The whole message, headers and a multipart/alternative body of text/plain and text/html
 * (UTF-8, quoted-printable), CRLF line ends, appended to out (check buf_ok). */
void mail_compose(ct_buf *out, const mail_message *m);

#endif
