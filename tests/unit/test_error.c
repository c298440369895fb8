/*
 * test_error.c — error messages stay valid UTF-8: a message cut at its buffer's size keeps whole
 * characters only, and invalid bytes that came in with user text are replaced, so that every
 * message can go into JSON (jansson refuses invalid UTF-8) and into an HTML page.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/error.h"
#include "core/text.h"

static void test_char_len(void **state)
{
    (void)state;
    assert_int_equal(ct_utf8_char_len("a", 1), 1);
    assert_int_equal(ct_utf8_char_len("\xc3\xa0", 2), 2);         /* à */
    assert_int_equal(ct_utf8_char_len("\xe1\xbb\x85", 3), 3);     /* ễ */
    assert_int_equal(ct_utf8_char_len("\xf0\x9f\x98\x80", 4), 4); /* U+1F600 */
    assert_int_equal(ct_utf8_char_len("\xe1\xbb\x85", 2), 0);     /* cut */
    assert_int_equal(ct_utf8_char_len("\xff", 1), 0);
    assert_int_equal(ct_utf8_char_len("\x80", 1), 0);             /* a lone continuation */
    assert_int_equal(ct_utf8_char_len("\xc0\xaf", 2), 0);         /* overlong '/' */
    assert_int_equal(ct_utf8_char_len("\xe0\x80\xaf", 3), 0);     /* overlong, 3 bytes */
    assert_int_equal(ct_utf8_char_len("\xed\xa0\x80", 3), 0);     /* a surrogate */
    assert_int_equal(ct_utf8_char_len("\xf4\x90\x80\x80", 4), 0); /* past U+10FFFF */
    assert_int_equal(ct_utf8_char_len("", 0), 0);
}

static void test_repair(void **state)
{
    char s[32];
    (void)state;

    strcpy(s, "Nguy\xe1\xbb\x85n");
    assert_int_equal(ct_utf8_repair(s), 0);
    assert_string_equal(s, "Nguy\xe1\xbb\x85n");
    strcpy(s, "Nguy\xe1\xbb"); /* cut inside ễ: the half character goes */
    assert_int_equal(ct_utf8_repair(s), 2);
    assert_string_equal(s, "Nguy");
    strcpy(s, "a\xff"
              "b\xe1\xbb"
              "c");
    assert_int_equal(ct_utf8_repair(s), 3);
    assert_string_equal(s, "a?b??c");
    strcpy(s, "\xc0\xaf");
    ct_utf8_repair(s);
    assert_string_equal(s, "??");
}

/* A message cut at CT_ERR_MSG_MAX inside a character: whole characters only. */
static void test_cut_message(void **state)
{
    char name[CT_ERR_MSG_MAX * 2];
    ct_error err = {0};
    (void)state;

    /* "ễ" is 3 bytes: for every offset of the cut, at least one position lands inside it */
    for (size_t pad = 0; pad < 3; pad++) {
        size_t n = 0;
        memset(name, 'x', pad);
        n = pad;
        while (n + 3 < sizeof name) {
            memcpy(name + n, "\xe1\xbb\x85", 3);
            n += 3;
        }
        name[n] = '\0';
        ct_fail(&err, 404, "dossier.not_found", "không có hồ sơ %s", "no dossier %s", name);
        assert_true(text_utf8_valid(err.vi, strlen(err.vi)));
        assert_true(text_utf8_valid(err.en, strlen(err.en)));
        assert_true(strlen(err.en) >= CT_ERR_MSG_MAX - 4);
        ct_error_prefix(&err, "dòng 3: ", "row 3: ");
        assert_true(text_utf8_valid(err.vi, strlen(err.vi)));
        assert_true(text_utf8_valid(err.en, strlen(err.en)));
        ct_fail_text(&err, 400, "x", name, name);
        assert_true(text_utf8_valid(err.vi, strlen(err.vi)));
    }
}

/* Invalid bytes from a request (a path segment, a header) become '?'. */
static void test_invalid_input(void **state)
{
    ct_error err = {0};
    (void)state;

    ct_fail(&err, 404, "dossier.not_found", "không có hồ sơ %s", "no dossier %s",
            "A\xff\xfe"
            "B");
    assert_string_equal(err.en, "no dossier A??B");
    assert_true(text_utf8_valid(err.vi, strlen(err.vi)));
    assert_string_equal(err.code, "dossier.not_found");
    assert_int_equal(err.status, 404);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_char_len),
        cmocka_unit_test(test_repair),
        cmocka_unit_test(test_cut_message),
        cmocka_unit_test(test_invalid_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
