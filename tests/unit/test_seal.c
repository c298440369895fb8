/*
 * test_seal.c — passphrase sealing (pki/seal.h), as a backup's secrets use it: the round trip,
 * and the refusals that keep a wrong passphrase or a changed byte from decrypting into garbage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "pki/seal.h"

static const char secret[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nnot really\n";

static void round_trip(void **state)
{
    unsigned char *sealed, *opened;
    size_t sealed_len, opened_len;
    ct_error err = {0};

    (void)state;
    assert_int_equal(pki_seal("a long passphrase", (const unsigned char *)secret, strlen(secret),
                              &sealed, &sealed_len, &err),
                     0);
    assert_null(memmem(sealed, sealed_len, "PRIVATE KEY", 11));
    assert_int_equal(
        pki_unseal("a long passphrase", sealed, sealed_len, &opened, &opened_len, &err), 0);
    assert_int_equal(opened_len, strlen(secret));
    assert_memory_equal(opened, secret, opened_len);
    free(opened);
    free(sealed);
}

static void empty_data(void **state)
{
    unsigned char *sealed, *opened;
    size_t sealed_len, opened_len;
    ct_error err = {0};

    (void)state;
    assert_int_equal(pki_seal("pass", (const unsigned char *)"", 0, &sealed, &sealed_len, &err), 0);
    assert_int_equal(pki_unseal("pass", sealed, sealed_len, &opened, &opened_len, &err), 0);
    assert_int_equal(opened_len, 0);
    free(opened);
    free(sealed);
}

static void refusals(void **state)
{
    unsigned char *sealed, *opened = NULL;
    size_t sealed_len, opened_len;
    ct_error err = {0};

    (void)state;
    assert_int_equal(pki_seal("right one", (const unsigned char *)secret, strlen(secret), &sealed,
                              &sealed_len, &err),
                     0);
    assert_int_equal(pki_unseal("wrong one", sealed, sealed_len, &opened, &opened_len, &err), -1);
    assert_string_equal(err.code, "seal.wrong_passphrase");
    assert_null(opened);
    /* a changed byte in the header (the salt), in the body, in the tag */
    for (size_t at = 20; at < sealed_len; at += sealed_len / 3) {
        sealed[at] ^= 1;
        assert_int_equal(pki_unseal("right one", sealed, sealed_len, &opened, &opened_len, &err),
                         -1);
        assert_string_equal(err.code, "seal.wrong_passphrase");
        sealed[at] ^= 1;
    }
    /* cut short, another format, a cost too high to try */
    assert_int_equal(pki_unseal("right one", sealed, 30, &opened, &opened_len, &err), -1);
    assert_string_equal(err.code, "seal.malformed");
    sealed[0] = 'X';
    assert_int_equal(pki_unseal("right one", sealed, sealed_len, &opened, &opened_len, &err), -1);
    assert_string_equal(err.code, "seal.malformed");
    sealed[0] = 'C';
    sealed[8] = 40;
    assert_int_equal(pki_unseal("right one", sealed, sealed_len, &opened, &opened_len, &err), -1);
    assert_string_equal(err.code, "seal.malformed");
    assert_null(opened);
    free(sealed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(empty_data),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
