/*
 * buf.h — the one growable byte buffer: DER encodings, pages and slips are all built in it.
 *
 * Contract:
 *  - A zeroed ct_buf ({0}) is an empty buffer; buf_init() makes one too. buf_free() releases the
 *    memory and leaves an empty buffer, so freeing twice is harmless.
 *  - data[0..len) are the bytes written; cap is what is allocated. The fields may be read
 *    directly. After buf_reserve(b, n) returns true, a writer may store up to n bytes at
 *    data + len (and within data[0..len)) and advance len by as many; nothing else writes them.
 *  - Out of memory is sticky, not returned per call: the failing call sets failed, and from then
 *    on every append does nothing. Check buf_ok() once when done. A writer built on the buffer
 *    (the DER writer) may set failed itself to report a value it cannot encode.
 *  - The buffer owns data until buf_take() or buf_take_text() hands it to the caller, who frees
 *    it with free().
 */
#ifndef CT_CORE_BUF_H
#define CT_CORE_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ct_buf {
    unsigned char *data;
    size_t len;
    size_t cap;
    bool failed;
} ct_buf;

void buf_init(ct_buf *b);
void buf_free(ct_buf *b);
/* Empty the buffer and clear failed, keeping the allocation for reuse. */
void buf_reset(ct_buf *b);
bool buf_ok(const ct_buf *b);
/* Make room for n more bytes; false (and failed set) if that cannot be had. */
bool buf_reserve(ct_buf *b, size_t n);

void buf_append(ct_buf *b, const void *bytes, size_t n);
void buf_append_byte(ct_buf *b, unsigned char c);
void buf_append_str(ct_buf *b, const char *s);
/* printf-style text; no terminating NUL is counted in len. */
void buf_printf(ct_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Growing arrays of records: a struct with `T *items; size_t n, cap;` grows by vec_push(v, x),
 * which appends x and gives 0, or 1 when memory ran out (the array as it was): a visitor can
 * return its result to stop a walk. Free items with free(). */
bool vec_grow(void **items, size_t *cap, size_t n, size_t size);
#define vec_push(v, x)                                                                             \
    (((v)->n < (v)->cap || vec_grow((void **)&(v)->items, &(v)->cap, (v)->n, sizeof *(v)->items))  \
         ? ((v)->items[(v)->n++] = (x), 0)                                                         \
         : 1)

/* s escaped for HTML text and attribute values (& < > " '), and percent-encoded for a URL's
 * query value (everything but A-Z a-z 0-9 - _ . ~). NULL s appends nothing. */
void buf_append_html(ct_buf *b, const char *s);
void buf_append_url(ct_buf *b, const char *s);

/* Hand the bytes written to the caller (NULL when nothing was written); the buffer is left
 * empty. Check buf_ok() first: a failed buffer's bytes are incomplete. */
unsigned char *buf_take(ct_buf *b, size_t *len);
/* Hand the bytes over as a NUL-terminated string; NULL (and the buffer freed) if the buffer
 * failed or the terminator cannot be added. */
char *buf_take_text(ct_buf *b);

#endif
