/*
 * test_applicant_rules.c — the rules of the CA officer's check that read only the row: the year
 * of birth in a CCCD number, age on a day, an agency's e-mail domains kept and matched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/applicant_rules.h"

static void test_cccd_year(void **state)
{
    (void)state;
    assert_int_equal(cccd_birth_year("001185012345"), 1985); /* 1: a woman born in the 1900s */
    assert_int_equal(cccd_birth_year("036079004567"), 1979); /* 0: a man born in the 1900s */
    assert_int_equal(cccd_birth_year("001203012345"), 2003); /* 2: a man born in the 2000s */
    assert_int_equal(cccd_birth_year("001307012345"), 2007); /* 3: a woman born in the 2000s */
    assert_int_equal(cccd_birth_year("001405012345"), 2105);
    assert_int_equal(cccd_birth_year("001999012345"), 2399);
    /* not a CCCD number: no year */
    assert_int_equal(cccd_birth_year("123456789"), -1);
    assert_int_equal(cccd_birth_year("B1234567"), -1);
    assert_int_equal(cccd_birth_year("00118501234X"), -1);
    assert_int_equal(cccd_birth_year("0011850123456"), -1);
    assert_int_equal(cccd_birth_year(NULL), -1);
}

static void test_age(void **state)
{
    (void)state;
    assert_int_equal(age_in_years("1985-03-12", "2026-03-11"), 40);
    assert_int_equal(age_in_years("1985-03-12", "2026-03-12"), 41);
    assert_int_equal(age_in_years("2008-02-29", "2026-02-28"), 17);
    assert_int_equal(age_in_years("2008-02-29", "2026-03-01"), 18);
    assert_int_equal(age_in_years("12/03/1985", "2026-03-12"), -1);
    assert_int_equal(age_in_years("1985-03-12", ""), -1);
}

static void test_domains_clean(void **state)
{
    char out[EMAIL_DOMAINS_MAX];
    ct_error err = {0};
    (void)state;

    assert_int_equal(email_domains_clean(" MIC.gov.vn,bnv.gov.vn ;@most.gov.vn, mic.gov.vn", out,
                                         sizeof out, &err),
                     0);
    assert_string_equal(out, "mic.gov.vn, bnv.gov.vn, most.gov.vn");
    assert_int_equal(email_domains_clean("", out, sizeof out, &err), 0);
    assert_string_equal(out, "");
    assert_int_equal(email_domains_clean(" , ", out, sizeof out, &err), 0);
    assert_string_equal(out, "");
    assert_int_equal(email_domains_clean(NULL, out, sizeof out, &err), 0);
    assert_string_equal(out, "");
    /* not domains: one label, an empty label, a hyphen at an edge, other characters */
    static const char *const bad[] = {"localhost",   "mic..gov.vn", "-mic.gov.vn",   "mic-.gov.vn",
                                      "mic.gov.vn.", "mic_gov.vn",  "ha@mic.gov.vn", "bộ.gov.vn"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&err, 0, sizeof err);
        assert_int_equal(email_domains_clean(bad[i], out, sizeof out, &err), -1);
        assert_string_equal(err.code, "agency.email_domains");
        assert_int_equal(err.status, 400);
    }
    /* too long for the record */
    assert_int_equal(email_domains_clean("aaaaaaaaaa.vn, bbbbbbbbbb.vn", out, 20, &err), -1);
}

static void test_domain_allowed(void **state)
{
    (void)state;
    assert_true(email_domain_allowed("ha.ntt@mic.gov.vn", "mic.gov.vn, bnv.gov.vn"));
    assert_true(email_domain_allowed("a@BNV.gov.vn", "mic.gov.vn, bnv.gov.vn"));
    assert_true(email_domain_allowed("a@pc.mic.gov.vn", "mic.gov.vn"));
    assert_false(email_domain_allowed("a@xmic.gov.vn", "mic.gov.vn"));
    assert_false(email_domain_allowed("a@gmail.com", "mic.gov.vn, bnv.gov.vn"));
    assert_false(email_domain_allowed("a@gov.vn", "mic.gov.vn"));
    assert_false(email_domain_allowed("no-at-sign", "mic.gov.vn"));
    /* no list: no check */
    assert_true(email_domain_allowed("a@gmail.com", ""));
    assert_true(email_domain_allowed("a@gmail.com", NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cccd_year),
        cmocka_unit_test(test_age),
        cmocka_unit_test(test_domains_clean),
        cmocka_unit_test(test_domain_allowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
