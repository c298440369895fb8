/*
 * fuzz_mau02_csv.c — libFuzzer harness for the Mẫu 02 CSV reader (core/mau02.c,
 * mau02_parse_csv): any bytes, as an agency's uploaded list. An accepted list must satisfy
 * fuzz_mau02.h's properties; a refused one outputs nothing and names its error.
 */
#include "fuzz_mau02.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mau02_applicant *list = (mau02_applicant *)1; /* must be reset by the reader */
    size_t n = 99;
    ct_error err = {0};
    mau02_errors errors = {0};

    if (mau02_parse_csv((const char *)data, size, FUZZ_TODAY, &list, &n, &errors, &err) == 0) {
        fuzz_check_list(list, n, FUZZ_TODAY);
        FUZZ_CHECK(errors.total == 0 && errors.count == 0);
        free(list);
    } else {
        FUZZ_CHECK(list == NULL && n == 0);
        fuzz_check_refusal(&err);
        fuzz_check_problems(&errors);
    }
    mau02_errors_free(&errors);
    return 0;
}
