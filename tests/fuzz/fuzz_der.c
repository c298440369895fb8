/*
 * fuzz_der.c — libFuzzer harness for the DER reader of core/der.c (der_read_tlv, which the fast
 * RSA key reader, the key identifier and the OCSP CertID check rely on) and, from the same
 * bytes, the small conversions around it.
 *
 * Properties: every TLV der_read_tlv accepts lies within its input, is one OpenSSL's own
 * reader sees alike (tag, class, form, length), and is DER: written back by the writer
 * (der_tlv, and der_begin/buf_append/der_end) it gives the same bytes; constructed values are
 * walked down to a fixed depth. cert_key_id runs on the input as on any SPKI. A dotted OID
 * der_oid_from_text accepts is one OpenSSL prints back the same. An unsigned integer written by
 * der_uint is read back by OpenSSL to the same value.
 */
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/objects.h>

#include "fuzz_common.h"
#include "pki/cert.h"
#include "core/der.h"

#define MAX_DEPTH 24

static void check_rewrite(uint8_t tag, const unsigned char *content, size_t len,
                          const unsigned char *original, size_t total)
{
    ct_buf b;
    size_t mark;

    buf_init(&b);
    der_tlv(&b, tag, content, len);
    FUZZ_CHECK(buf_ok(&b) && b.len == total && memcmp(b.data, original, total) == 0);
    buf_reset(&b);
    mark = der_begin(&b, tag);
    buf_append(&b, content, len);
    der_end(&b, mark);
    FUZZ_CHECK(buf_ok(&b) && b.len == total && memcmp(b.data, original, total) == 0);
    buf_free(&b);
}

static void check_like_openssl(uint8_t tag, size_t len, const unsigned char *p, size_t total)
{
    const unsigned char *q = p;
    long olen = 0;
    int otag = 0, oclass = 0;
    int ret = ASN1_get_object(&q, &olen, &otag, &oclass, (long)total);

    FUZZ_CHECK(!(ret & 0x80)); /* no error */
    FUZZ_CHECK((ret & V_ASN1_CONSTRUCTED) == (tag & 0x20));
    FUZZ_CHECK(otag == (tag & 0x1f) && oclass == (tag & 0xc0));
    FUZZ_CHECK(olen >= 0 && (size_t)olen == len && (size_t)(q - p) + len == total);
}

static void walk(const unsigned char *p, size_t len, int depth)
{
    while (len > 0) {
        uint8_t tag;
        const unsigned char *content;
        size_t content_len, total;
        if (!der_read_tlv(p, len, &tag, &content, &content_len, &total))
            return;
        FUZZ_CHECK(total >= 2 && total <= len);
        FUZZ_CHECK(content > p && content + content_len == p + total);
        FUZZ_CHECK((tag & 0x1f) != 0x1f);
        check_like_openssl(tag, content_len, p, total);
        check_rewrite(tag, content, content_len, p, total);
        if ((tag & 0x20) && depth < MAX_DEPTH)
            walk(content, content_len, depth + 1);
        p += total;
        len -= total;
    }
}

static void check_oid_text(const uint8_t *data, size_t size)
{
    char text[256], back[512];
    unsigned char oid[128], tlv[130];
    const unsigned char *p = tlv;
    ASN1_OBJECT *obj;
    size_t n;

    if (size >= sizeof text || memchr(data, '\0', size))
        return;
    memcpy(text, data, size);
    text[size] = '\0';
    n = der_oid_from_text(text, oid, sizeof oid);
    if (n == 0)
        return;
    FUZZ_CHECK(n <= sizeof oid && n < 0x80);
    tlv[0] = DER_OID;
    tlv[1] = (unsigned char)n;
    memcpy(tlv + 2, oid, n);
    obj = d2i_ASN1_OBJECT(NULL, &p, (long)(n + 2));
    FUZZ_CHECK(obj != NULL && p == tlv + n + 2);
    FUZZ_CHECK(OBJ_obj2txt(back, sizeof back, obj, 1) > 0);
    if (strcmp(back, text) != 0) {
        fprintf(stderr, "OID \"%s\" written, read back as \"%s\"\n", text, back);
        FUZZ_CHECK(!"an OID reads back as written");
    }
    ASN1_OBJECT_free(obj);
}

static void check_uint(const uint8_t *data, size_t size)
{
    uint64_t v = 0;
    ct_buf b;
    const unsigned char *p;
    ASN1_INTEGER *ai;
    uint64_t back = 0;

    for (size_t i = 0; i < size && i < 8; i++)
        v = (v << 8) | data[i];
    buf_init(&b);
    der_uint(&b, v);
    FUZZ_CHECK(buf_ok(&b));
    p = b.data;
    ai = d2i_ASN1_INTEGER(NULL, &p, (long)b.len);
    FUZZ_CHECK(ai != NULL && p == b.data + b.len);
    FUZZ_CHECK(ASN1_INTEGER_get_uint64(&back, ai) == 1 && back == v);
    ASN1_INTEGER_free(ai);
    buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char key_id[CERT_KEY_ID_LEN];
    ct_error err = {0};

    walk(data, size, 0);
    if (cert_key_id(data, size, key_id, &err) != 0)
        fuzz_check_refusal(&err);
    check_oid_text(data, size);
    check_uint(data, size);
    return 0;
}
