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

    if (mau02_parse_json(data, size, FUZZ_TODAY, &list, &n, &err) == 0) {
        fuzz_check_list(list, n, FUZZ_TODAY);
        free(list);
    } else {
        FUZZ_CHECK(list == NULL);
        fuzz_check_refusal(&err);
    }
    return 0;
}
