/*
 * test_text.c — Vietnamese text: NFC of composed and decomposed input, folding, the field
 * checks (UTF-8, control characters, X.509 length bounds), e-mail addresses and provinces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/province.h"
#include "core/text.h"

static void test_nfc(void **state)
{
    char out[256];
    ct_error err = {0};
    /* "Nguyễn Thị Thu Hà" composed, and decomposed with e + circumflex + tilde */
    const char *composed = "Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b Thu H\xc3\xa0";
    const char *decomposed = "Nguye\xcc\x82\xcc\x83n Thi\xcc\xa3 Thu Ha\xcc\x80";
    /* the same with the tone mark typed before the circumflex: canonical order fixes it */
    const char *swapped = "Nguye\xcc\x83\xcc\x82n Thi\xcc\xa3 Thu Ha\xcc\x80";
    (void)state;

    assert_int_equal(text_nfc(decomposed, out, sizeof out, &err), 0);
    assert_string_equal(out, composed);
    assert_int_equal(text_nfc(composed, out, sizeof out, &err), 0);
    assert_string_equal(out, composed);
    /* ơ + dot below in either order -> ợ (U+1EE3) */
    assert_int_equal(text_nfc("o\xcc\x9b\xcc\xa3", out, sizeof out, &err), 0);
    assert_string_equal(out, "\xe1\xbb\xa3");
    assert_int_equal(text_nfc("o\xcc\xa3\xcc\x9b", out, sizeof out, &err), 0);
    assert_string_equal(out, "\xe1\xbb\xa3");
    /* ế = e + U+0302 + U+0301 */
    assert_int_equal(text_nfc("e\xcc\x82\xcc\x81", out, sizeof out, &err), 0);
    assert_string_equal(out, "\xe1\xba\xbf");
    (void)swapped;
    /* tilde (230) and circumflex (230) have the same class: order matters, so this is NOT ễ */
    assert_int_equal(text_nfc(swapped, out, sizeof out, &err), 0);
    assert_string_not_equal(out, composed);
    /* other scripts pass through */
    assert_int_equal(text_nfc("\xe4\xb8\xad\xe6\x96\x87 abc", out, sizeof out, &err), 0);
    assert_string_equal(out, "\xe4\xb8\xad\xe6\x96\x87 abc");
    assert_int_equal(text_nfc("abcdef", out, 4, &err), -1);
    assert_string_equal(err.code, "text.too_long");
}

static void test_fold(void **state)
{
    char out[256];
    ct_error err = {0};
    (void)state;

    assert_int_equal(text_fold("Nguy\xe1\xbb\x85n V\xc4\x83n \xc3\x81nh", out, sizeof out, &err),
                     0);
    assert_string_equal(out, "nguyen van anh");
    assert_int_equal(text_fold("\xc4\x90\xe1\xba\xb6NG  Th\xe1\xbb\x8b ", out, sizeof out, &err),
                     0);
    assert_string_equal(out, "dang thi");
    assert_int_equal(
        text_fold("  \xc4\x91\xc6\xb0\xe1\xbb\x9dng\tph\xe1\xbb\x91", out, sizeof out, &err), 0);
    assert_string_equal(out, "duong pho");
    /* decomposed input folds the same */
    assert_int_equal(text_fold("Ha\xcc\x80 No\xcc\xa3\xcc\x82i", out, sizeof out, &err), 0);
    assert_string_equal(out, "ha noi");
}

static void test_utf8(void **state)
{
    char out[64];
    ct_error err = {0};
    static const char *const bad[] = {
        "\xc0\x80",         /* overlong NUL */
        "\xe0\x80\xaf",     /* overlong '/' */
        "\xed\xa0\x80",     /* surrogate */
        "\xf5\x80\x80\x80", /* above U+10FFFF */
        "\xe1\xbb",         /* truncated */
        "\x80",             /* stray continuation */
        "abc\xff",
    };
    (void)state;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(text_utf8_valid(bad[i], strlen(bad[i])));
        assert_int_equal(
            text_clean_field(bad[i], 64, "họ và tên", "full name", out, sizeof out, &err), -1);
        assert_string_equal(err.code, "text.invalid_utf8");
        assert_non_null(strstr(err.en, "full name"));
    }
    {
        const char *ok = "Vi\xe1\xbb\x87t Nam \xf0\x9f\x87\xbb";
        assert_true(text_utf8_valid(ok, strlen(ok)));
    }
}

static void test_fields(void **state)
{
    char out[300], name[400];
    ct_error err = {0};
    (void)state;

    assert_int_equal(text_clean_field("  L\xc3\xaa   V\xc4\x83n  ", 64, "họ và tên", "full name",
                                      out, sizeof out, &err),
                     0);
    assert_string_equal(out, "L\xc3\xaa V\xc4\x83n");
    assert_int_equal(text_clean_field("   ", 64, "họ và tên", "full name", out, sizeof out, &err),
                     -1);
    assert_string_equal(err.code, "text.empty");
    assert_int_equal(text_clean_field("L\xc3\xaa\tV\xc4\x83n", 64, "họ và tên", "full name", out,
                                      sizeof out, &err),
                     -1);
    assert_string_equal(err.code, "text.control_char");
    assert_int_equal(text_clean_field("A\x7f", 64, "x", "x", out, sizeof out, &err), -1);
    assert_string_equal(err.code, "text.control_char");
    assert_int_equal(text_clean_field("A\xc2\x85", 64, "x", "x", out, sizeof out, &err), -1);
    assert_string_equal(err.code, "text.control_char");
    /* a right-to-left override would make a name read differently than its bytes */
    assert_int_equal(text_clean_field("A\xe2\x80\xae"
                                      "B",
                                      64, "x", "x", out, sizeof out, &err),
                     -1);
    assert_string_equal(err.code, "text.control_char");
    /* 64 two-byte letters pass, 65 do not; counted after NFC, so decomposed input is judged
     * by its composed length */
    name[0] = '\0';
    for (int i = 0; i < 64; i++)
        strcat(name, "\xc4\x82");
    assert_int_equal(text_clean_field(name, 64, "họ và tên", "full name", out, sizeof out, &err),
                     0);
    strcat(name, "\xc4\x82");
    assert_int_equal(text_clean_field(name, 64, "họ và tên", "full name", out, sizeof out, &err),
                     -1);
    assert_string_equal(err.code, "text.too_long");
    assert_non_null(strstr(err.en, "64"));
    name[0] = '\0';
    for (int i = 0; i < 64; i++)
        strcat(name, "a\xcc\x86"); /* a + breve = Ă, 3 bytes decomposed */
    assert_int_equal(text_clean_field(name, 64, "họ và tên", "full name", out, sizeof out, &err),
                     0);
    assert_int_equal(text_codepoints(out), 64);
}

static void test_email(void **state)
{
    char out[300];
    ct_error err = {0};
    static const char *const good[] = {"ha.ntt@mic.gov.vn", "a+b@x.vn", "x_y-z@sub.bo-ca.gov.vn"};
    static const char *const bad[] = {
        "no-at.gov.vn", "a@@b.vn", "a@b@c.vn", ".a@b.vn",        "a.@b.vn",  "a..b@x.vn", "a@vn",
        "a@b.v",        "a@-b.vn", "a@b-.vn",  "h\xc3\xa0@b.vn", "a b@c.vn", "a@b.v1",    ""};
    (void)state;

    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_equal(text_clean_email(good[i], out, sizeof out, &err), 0);
    assert_int_equal(text_clean_email(" Ha.NTT@MIC.Gov.VN ", out, sizeof out, &err), 0);
    assert_string_equal(out, "Ha.NTT@mic.gov.vn");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(text_clean_email(bad[i], out, sizeof out, &err), -1);
        assert_string_equal(err.code, "email.invalid");
    }
    char longer[300];
    memset(longer, 'a', 65);
    strcpy(longer + 65, "@b.vn");
    assert_int_equal(text_clean_email(longer, out, sizeof out, &err), -1);
}

static void test_provinces(void **state)
{
    (void)state;
    assert_int_equal(province_count(), 34);
    assert_string_equal(province_canonical("ha noi"), "H\xc3\xa0 N\xe1\xbb\x99i");
    assert_string_equal(province_canonical("TP H\xe1\xbb\x93 Ch\xc3\xad Minh"),
                        "H\xe1\xbb\x93 Ch\xc3\xad Minh");
    assert_string_equal(
        province_canonical("Th\xc3\xa0nh ph\xe1\xbb\x91 H\xe1\xba\xa3i Ph\xc3\xb2ng"),
        "H\xe1\xba\xa3i Ph\xc3\xb2ng");
    /* "Hoá" and "Hóa" are both written */
    assert_string_equal(province_canonical("T\xe1\xbb\x89nh Thanh Ho\xc3\xa1"), "Thanh H\xc3\xb3"
                                                                                "a");
    assert_string_equal(province_canonical("Thanh Ho\xc3\xa0"), "Thanh H\xc3\xb3"
                                                                "a");
    assert_null(province_canonical("H\xc3\xa0 T\xc3\xa2y"));            /* gone since 2008 */
    assert_null(province_canonical("B\xc3\xacnh D\xc6\xb0\xc6\xa1ng")); /* merged in 2025 */
    assert_null(province_canonical(""));
}

/* Columns on a terminal: a Vietnamese name takes as many as its letters, composed or not. */
static void test_display_width(void **state)
{
    (void)state;
    assert_int_equal(text_display_width(""), 0);
    assert_int_equal(text_display_width("Nguyen"), 6);
    /* NFC: "Nguyễn Thị Thu Hà" is 17 letters in 22 bytes */
    assert_int_equal(strlen("Nguy\u1ec5n Th\u1ecb Thu H\u00e0"), 22);
    assert_int_equal(text_display_width("Nguy\u1ec5n Th\u1ecb Thu H\u00e0"), 17);
    /* decomposed: e + circumflex + tilde is still one column */
    assert_int_equal(text_display_width("Nguye\u0302\u0303n"), 6);
    assert_int_equal(text_display_width("\u0110\u1ee9c"), 3); /* Đức */
    assert_int_equal(text_display_width("\u4e2d\u6587"), 4);  /* wide */
    assert_int_equal(text_display_width("a\xff" "b"), 3);        /* a stray byte: one column */
    assert_int_equal(text_display_width("\xe1\xbb"), 2);      /* cut short */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nfc),           cmocka_unit_test(test_fold),
        cmocka_unit_test(test_utf8),          cmocka_unit_test(test_fields),
        cmocka_unit_test(test_email),         cmocka_unit_test(test_provinces),
        cmocka_unit_test(test_display_width),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
