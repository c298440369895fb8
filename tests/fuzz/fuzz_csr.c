/*
 * fuzz_csr.c — libFuzzer harness for reading a certificate request (pki/pubkey.c,
 * pubkey_from_csr), what app_cert_issue does with the CSR an operator or agency uploads, PEM or
 * DER: parsed, its signature verified, its key held to the profile. An accepted key must have
 * fuzz_pubkey.h's properties; a refused one leaves nothing allocated and names its error.
 */
#include "fuzz_pubkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pubkey_info info = {0};
    ct_error err = {0};

    if (pubkey_from_csr(data, size, &info, &err) == 0) {
        fuzz_check_key(&info, data, size);
        pubkey_info_free(&info);
    } else {
        FUZZ_CHECK(info.spki == NULL);
        fuzz_check_refusal(&err);
    }
    return 0;
}
