/*
 * test_der.c — the DER writer: lengths at every boundary, integers, OIDs, times, and the reader's
 * refusal of what DER forbids.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/objects.h>

#include "core/der.h"

static void test_length_boundaries(void **state)
{
    static const size_t sizes[] = {0, 1, 127, 128, 255, 256, 65535, 65536, 1 << 20};
    static const size_t header[] = {2, 2, 2, 3, 3, 4, 4, 5, 5};
    (void)state;
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        ct_buf b;
        unsigned char *content = calloc(1, sizes[k] + 1);
        uint8_t tag;
        const unsigned char *c;
        size_t clen, total;

        /* The same value written flat and through begin/end must be byte-identical. */
        buf_init(&b);
        der_tlv(&b, DER_OCTET_STRING, content, sizes[k]);
        assert_int_equal(b.len, header[k] + sizes[k]);
        ct_buf nested;
        buf_init(&nested);
        size_t mark = der_begin(&nested, DER_OCTET_STRING);
        buf_append(&nested, content, sizes[k]);
        der_end(&nested, mark);
        assert_true(buf_ok(&nested));
        assert_int_equal(nested.len, b.len);
        assert_memory_equal(nested.data, b.data, b.len);
        assert_true(der_read_tlv(b.data, b.len, &tag, &c, &clen, &total));
        assert_int_equal(tag, DER_OCTET_STRING);
        assert_int_equal(clen, sizes[k]);
        assert_int_equal(total, b.len);
        buf_free(&b);
        buf_free(&nested);
        free(content);
    }
}

static void test_integers(void **state)
{
    ct_buf b;
    static const unsigned char high[] = {0x80, 0x01};
    static const unsigned char zeros[] = {0x00, 0x00, 0x05};
    (void)state;

    buf_init(&b);
    der_uint(&b, 0);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "\x02\x01\x00", 3);
    buf_reset(&b);
    der_uint(&b, 127);
    assert_memory_equal(b.data, "\x02\x01\x7f", 3);
    buf_reset(&b);
    der_uint(&b, 128); /* top bit set: a 0x00 keeps it positive */
    assert_int_equal(b.len, 4);
    assert_memory_equal(b.data, "\x02\x02\x00\x80", 4);
    buf_reset(&b);
    der_uint_bytes(&b, high, sizeof high);
    assert_memory_equal(b.data, "\x02\x03\x00\x80\x01", 5);
    buf_reset(&b);
    der_uint_bytes(&b, zeros, sizeof zeros); /* leading zeros are not minimal */
    assert_memory_equal(b.data, "\x02\x01\x05", 3);
    buf_free(&b);
}

static void test_oids(void **state)
{
    unsigned char out[64];
    (void)state;

    assert_int_equal(der_oid_from_text("1.2.840.113549.1.1.11", out, sizeof out), 9);
    assert_memory_equal(out, "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b", 9);
    assert_int_equal(der_oid_from_text("2.5.29.19", out, sizeof out), 3);
    assert_memory_equal(out, "\x55\x1d\x13", 3);
    /* 2.25.<UUID as integer>: a 128-bit arc, encoded as OpenSSL encodes it */
    {
        const char *uuid_oid = "2.25.329800735698586629295641978511506172918";
        ASN1_OBJECT *obj = OBJ_txt2obj(uuid_oid, 1);
        size_t n = der_oid_from_text(uuid_oid, out, sizeof out);
        assert_non_null(obj);
        assert_int_equal(n, (size_t)OBJ_length(obj));
        assert_memory_equal(out, OBJ_get0_data(obj), n);
        ASN1_OBJECT_free(obj);
    }
    assert_int_equal(der_oid_from_text("1.2.0", out, sizeof out), 2);
    assert_memory_equal(out, "\x2a\x00", 2);
    assert_int_equal(der_oid_from_text("", out, sizeof out), 0);
    assert_int_equal(der_oid_from_text("1", out, sizeof out), 0);
    assert_int_equal(der_oid_from_text("3.1", out, sizeof out), 0);
    assert_int_equal(der_oid_from_text("1.40", out, sizeof out), 0);
    assert_int_equal(der_oid_from_text("1.2.", out, sizeof out), 0);
    assert_int_equal(der_oid_from_text("1..2", out, sizeof out), 0);
    assert_int_equal(der_oid_from_text("1.02", out, sizeof out), 0);
    assert_int_equal(der_oid_from_text("1.2.x", out, sizeof out), 0);
}

static void test_times(void **state)
{
    ct_buf b;
    (void)state;

    buf_init(&b);
    der_time(&b, 0);
    assert_memory_equal(b.data,
                        "\x17\x0d"
                        "700101000000Z",
                        15);
    buf_reset(&b);
    der_time(&b, INT64_C(2524607999)); /* 2049-12-31T23:59:59Z: still UTCTime */
    assert_memory_equal(b.data,
                        "\x17\x0d"
                        "491231235959Z",
                        15);
    buf_reset(&b);
    der_time(&b, INT64_C(2524608000)); /* 2050: GeneralizedTime (RFC 5280 4.1.2.5) */
    assert_memory_equal(b.data,
                        "\x18\x0f"
                        "20500101000000Z",
                        17);
    buf_free(&b);
}

static void test_reader_refuses_non_der(void **state)
{
    uint8_t tag;
    const unsigned char *c;
    size_t clen, total;
    (void)state;

    /* indefinite length */
    assert_false(
        der_read_tlv((const unsigned char *)"\x30\x80\x00\x00", 4, &tag, &c, &clen, &total));
    /* long form for a short length */
    assert_false(
        der_read_tlv((const unsigned char *)"\x04\x81\x05hello", 8, &tag, &c, &clen, &total));
    /* leading zero length octet */
    assert_false(
        der_read_tlv((const unsigned char *)"\x04\x82\x00\x85", 4, &tag, &c, &clen, &total));
    /* content runs past the buffer */
    assert_false(der_read_tlv((const unsigned char *)"\x04\x05hi", 4, &tag, &c, &clen, &total));
    /* truncated header */
    assert_false(der_read_tlv((const unsigned char *)"\x04", 1, &tag, &c, &clen, &total));
    assert_true(der_read_tlv((const unsigned char *)"\x04\x02hi", 4, &tag, &c, &clen, &total));
    assert_int_equal(clen, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_length_boundaries),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_oids),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_reader_refuses_non_der),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
