/*
 * test_buf.c — the growable byte buffer of core/buf.h: growth keeps every byte, formatted text
 * longer than the spare room is written whole, taking hands the bytes over, and a failure is
 * sticky.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

static void test_growth(void **state)
{
    ct_buf b = {0};
    (void)state;

    for (int i = 0; i < 100000; i++)
        buf_append_byte(&b, (unsigned char)i);
    buf_append(&b, "xyz", 3);
    assert_true(buf_ok(&b));
    assert_int_equal(b.len, 100003);
    for (int i = 0; i < 100000; i++)
        assert_int_equal(b.data[i], (unsigned char)i);
    assert_memory_equal(b.data + 100000, "xyz", 3);
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    buf_free(&b);
    buf_free(&b); /* harmless twice */
    assert_null(b.data);
}

static void test_printf(void **state)
{
    ct_buf b;
    char *long_text = malloc(5001), *text;
    (void)state;

    memset(long_text, 'a', 5000);
    long_text[5000] = '\0';
    buf_init(&b);
    buf_printf(&b, "%d-%s", 42, "x");
    buf_printf(&b, "[%s]", long_text); /* far past the spare room */
    buf_append_str(&b, "!");
    assert_true(buf_ok(&b));
    assert_int_equal(b.len, 4 + 5002 + 1);
    text = buf_take_text(&b);
    assert_non_null(text);
    assert_int_equal(strlen(text), 4 + 5002 + 1);
    assert_memory_equal(text, "42-x[aaa", 8);
    assert_string_equal(text + 4 + 5001, "]!");
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    free(text);
    free(long_text);
}

static void test_take(void **state)
{
    ct_buf b = {0};
    size_t len = 99;
    unsigned char *p;
    (void)state;

    assert_null(buf_take(&b, &len));
    assert_int_equal(len, 0);
    buf_append(&b, "ab", 2);
    p = buf_take(&b, &len);
    assert_int_equal(len, 2);
    assert_memory_equal(p, "ab", 2);
    assert_null(b.data);
    free(p);
}

static void test_failure_is_sticky(void **state)
{
    ct_buf b = {0};
    (void)state;

    buf_append(&b, "ab", 2);
    assert_false(buf_reserve(&b, SIZE_MAX - 1));
    assert_false(buf_ok(&b));
    buf_append(&b, "cd", 2);
    buf_append_byte(&b, 'e');
    buf_printf(&b, "%s", "f");
    assert_int_equal(b.len, 2); /* nothing written after the failure */
    assert_null(buf_take_text(&b));
    assert_null(b.data); /* freed */
    buf_reset(&b);
    assert_true(buf_ok(&b));
    buf_free(&b);
}

/* vec_push: a growing array keeps every item in order, through many reallocations. */
static void vector_grows(void **state)
{
    struct {
        int *items;
        size_t n, cap;
    } v = {0};
    (void)state;

    for (int i = 0; i < 100003; i++)
        assert_int_equal(vec_push(&v, i * 3), 0);
    assert_int_equal(v.n, 100003);
    assert_true(v.cap >= v.n);
    for (size_t i = 0; i < v.n; i++)
        assert_int_equal(v.items[i], (int)i * 3);
    free(v.items);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vector_grows),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_printf),
        cmocka_unit_test(test_take),
        cmocka_unit_test(test_failure_is_sticky),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
