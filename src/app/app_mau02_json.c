/*
 * app_mau02_json.c — the agency's request list (Mẫu 02) sent as JSON instead of CSV: an array of
 * objects with the form's fields by name, each row checked by core/mau02.c exactly as a CSV row
 * is. On its own so that the fuzzing harness (tests/fuzz/fuzz_mau02_json.c) can drive it.
 */
#include "app/app_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/mau02.h"

/* JSON list: an array of objects (or {"applicants": [...]}) with the Mẫu 02 fields by name. */
int mau02_parse_json(const unsigned char *data, size_t len, const char *today,
                     mau02_applicant **out, size_t *count, ct_error *err)
{
    static const char *const keys[MAU02_COLUMNS] = {
        "stt",  "full_name", "birth_date", "id_number", "id_issued_on", "id_issued_at",   "email",
        "unit", "province",  "position",   "category",  "phone",        "previous_serial"};
    json_error_t jerr;
    json_t *root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &jerr), *list;
    mau02_applicant *items;
    size_t n;

    if (root == NULL)
        return ct_fail(err, 400, "json.malformed", "JSON lỗi ở dòng %d, cột %d: %s",
                       "malformed JSON at line %d, column %d: %s", jerr.line, jerr.column,
                       jerr.text);
    list = json_is_object(root) ? json_object_get(root, "applicants") : root;
    n = json_is_array(list) ? json_array_size(list) : 0;
    if (!json_is_array(list) || n == 0 || n > 500) {
        json_decref(root);
        return ct_fail(err, 400, "mau02.empty",
                       "danh sách phải là một mảng từ 1 đến 500 người đề nghị",
                       "the list must be an array of 1 to 500 applicants");
    }
    items = calloc(n, sizeof *items);
    if (items == NULL) {
        json_decref(root);
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        json_t *row = json_array_get(list, i);
        const char *cells[MAU02_COLUMNS];
        char stt[24];
        snprintf(stt, sizeof stt, "%zu", i + 1);
        cells[0] = stt;
        for (int c = 1; c < MAU02_COLUMNS; c++) {
            json_t *v = json_is_object(row) ? json_object_get(row, keys[c]) : NULL;
            if (v && !json_is_string(v)) {
                free(items);
                json_decref(root);
                return ct_fail(err, 400, "json.type",
                               "người đề nghị thứ %zu: trường \"%s\" phải là chuỗi",
                               "applicant %zu: field \"%s\" must be a string", i + 1, keys[c]);
            }
            cells[c] = v ? json_string_value(v) : NULL;
        }
        if (!json_is_object(row) ||
            mau02_check_row(cells, (int)i + 1, today, &items[i], err) != 0) {
            if (!json_is_object(row))
                ct_fail(err, 400, "json.type", "người đề nghị thứ %zu phải là một đối tượng",
                        "applicant %zu must be an object", i + 1);
            free(items);
            json_decref(root);
            return -1;
        }
    }
    json_decref(root);
    if (mau02_check_duplicates(items, n, err) != 0) {
        free(items);
        return -1;
    }
    *out = items;
    *count = n;
    return 0;
}
