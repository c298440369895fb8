/*
 * der.h — a small DER writer.
 *
 * Certificates, CRLs and OCSP responses are built here byte by byte instead of through OpenSSL's
 * object model: the profile is fixed, so most of a certificate is constant bytes, and a CRL of a
 * million entries must be encoded in one pass without a million heap objects. OpenSSL still
 * parses what we write in the tests, and independent tools judge it.
 *
 * Usage: der_begin() opens a constructed value and returns a mark; der_end() closes it and fixes
 * the length. Values are written into a ct_buf (core/buf.h), whose errors are sticky: out of
 * memory, and here also a time gmtime cannot break down. Check buf_ok() once at the end.
 */
#ifndef CT_CORE_DER_H
#define CT_CORE_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

enum {
    DER_BOOLEAN = 0x01,
    DER_INTEGER = 0x02,
    DER_BIT_STRING = 0x03,
    DER_OCTET_STRING = 0x04,
    DER_NULL = 0x05,
    DER_OID = 0x06,
    DER_ENUMERATED = 0x0a,
    DER_UTF8STRING = 0x0c,
    DER_PRINTABLESTRING = 0x13,
    DER_IA5STRING = 0x16,
    DER_UTCTIME = 0x17,
    DER_GENERALIZEDTIME = 0x18,
    DER_SEQUENCE = 0x30,
    DER_SET = 0x31,
};
#define DER_CONTEXT(n) (0xa0 | (n))      /* [n] constructed (EXPLICIT or constructed IMPLICIT) */
#define DER_CONTEXT_PRIM(n) (0x80 | (n)) /* [n] primitive IMPLICIT */

size_t der_begin(ct_buf *b, uint8_t tag);
void der_end(ct_buf *b, size_t mark);

void der_tlv(ct_buf *b, uint8_t tag, const void *content, size_t len);
/* A non-negative INTEGER from big-endian magnitude bytes (leading zeros stripped, 0x00 added when
 * the top bit is set). */
void der_uint_bytes(ct_buf *b, const unsigned char *mag, size_t len);
void der_uint(ct_buf *b, uint64_t v);
void der_bool(ct_buf *b, bool v);
void der_null(ct_buf *b);
/* Unix time as UTCTime through 2049 and GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
void der_time(ct_buf *b, int64_t t);
/* BIT STRING with no unused bits. */
void der_bit_string(ct_buf *b, const void *content, size_t len);

/* Encode a dotted OID ("1.2.840.113549") as the content bytes of an OBJECT IDENTIFIER.
 * Returns the length, or 0 if the text is not a valid OID or does not fit. */
size_t der_oid_from_text(const char *text, unsigned char *out, size_t out_size);

/* Reading: split one TLV at p (of at most len bytes). Returns false if malformed. Only the
 * definite, short- or long-form lengths DER allows are accepted. */
bool der_read_tlv(const unsigned char *p, size_t len, uint8_t *tag, const unsigned char **content,
                  size_t *content_len, size_t *total_len);

#endif
