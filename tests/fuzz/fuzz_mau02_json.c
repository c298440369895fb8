/*
 * fuzz_mau02_json.c — libFuzzer harness for the Mẫu 02 JSON reader (app/app_mau02_json.c,
 * mau02_parse_json), which the API's dossier submission and drafts use for "format": "json".
 * Same properties as the CSV reader's (fuzz_mau02.h).
 */
#include "app/app_internal.h"
#include "fuzz_mau02.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mau02_applicant *list = NULL;
    size_t n = 0;
    ct_error err = {0};
    mau02_errors errors = {0};

    if (mau02_parse_json(data, size, FUZZ_TODAY, &list, &n, &errors, &err) == 0) {
        fuzz_check_list(list, n, FUZZ_TODAY);
        FUZZ_CHECK(errors.total == 0 && errors.count == 0);
        free(list);
    } else {
        FUZZ_CHECK(list == NULL);
        fuzz_check_refusal(&err);
        fuzz_check_problems(&errors);
    }
    mau02_errors_free(&errors);
    return 0;
}
