/*
 * error.h — the one error value every fallible function in chungthu fills.
 *
 * A failure has a stable machine code ("name.too_long") that scripts and the HTTP API can rely
 * on, and a human message in Vietnamese and in English; the face chooses which to show. Functions
 * return 0 on success and -1 on failure, and on failure have called ct_fail() exactly once.
 */
#ifndef CT_CORE_ERROR_H
#define CT_CORE_ERROR_H

#include <stddef.h>

#define CT_ERR_MSG_MAX 512

typedef struct ct_error {
    char code[64];           /* stable code, e.g. "email.invalid"; "" when no error */
    char vi[CT_ERR_MSG_MAX]; /* Vietnamese message */
    char en[CT_ERR_MSG_MAX]; /* English message */
    int status;              /* HTTP-like class: 400 input, 403 role, 404, 409 state, 500 */
    int retry_after;         /* 429 (a rate limit or quota): seconds until trying again may succeed;
                                0 otherwise. Set after ct_fail(), which clears it. */
} ct_error;

/*
 * Messages are always valid UTF-8, whatever went into them: a request's path, a header, a file
 * name. A message cut at its buffer's end loses the whole last character, never half of it, and
 * any byte that is not part of a valid character becomes '?'; a JSON encoder or an HTML page can
 * take every message as it is.
 *
 * Record a failure and return -1. The two formats take the same arguments in the same order.
 * status is 400 for bad input, 403 forbidden, 404 not found, 409 wrong state/conflict, 429 too
 * many attempts (rate limits and quotas), 500 for internal or environment failures.
 */
int ct_fail(ct_error *err, int status, const char *code, const char *vi_fmt, const char *en_fmt,
            ...) __attribute__((format(printf, 5, 6)));

/* The same with plain (already formatted) messages. */
int ct_fail_text(ct_error *err, int status, const char *code, const char *vi, const char *en);

/* Prefix the messages with context ("row 3: "), keeping the code. Returns -1. */
int ct_error_prefix(ct_error *err, const char *vi_prefix, const char *en_prefix);

void ct_error_clear(ct_error *err);

/* Length of the strict UTF-8 character (no overlong form, no surrogate, nothing above
 * U+10FFFF) that starts at s, reading at most avail bytes; 0 when there is none. */
size_t ct_utf8_char_len(const char *s, size_t avail);

/* Make s valid UTF-8 in place without making it longer: an incomplete character at the end is
 * dropped (what a cut at a buffer's size leaves), every other invalid byte becomes '?'. Returns
 * the number of bytes changed or dropped. */
size_t ct_utf8_repair(char *s);

#endif
