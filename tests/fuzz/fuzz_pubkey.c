/*
 * fuzz_pubkey.c — libFuzzer harness for reading a subscriber public key file (pki/pubkey.c,
 * pubkey_from_key_file: PEM or DER, RSA keys through the fast reader, the
 * others through OpenSSL), the other key source of app_cert_issue and what a token returns.
 * An accepted key must have fuzz_pubkey.h's properties; in particular an RSA SPKI the fast
 * reader accepts must be one OpenSSL reads to a key of the same size that the policy allows.
 */
#include "fuzz_pubkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pubkey_info info = {0};
    ct_error err = {0};

    if (pubkey_from_key_file(data, size, &info, &err) == 0) {
        fuzz_check_key(&info, data, size);
        pubkey_info_free(&info);
    } else {
        FUZZ_CHECK(info.spki == NULL);
        fuzz_check_refusal(&err);
    }
    return 0;
}
