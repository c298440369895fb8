/*
 * app_mau02_json.c — the agency's request list (Mẫu 02) sent as JSON instead of CSV: an array of
 * objects with the form's fields by name, each row checked by core/mau02.c exactly as a CSV row
 * is. On its own so that the fuzzing harness (tests/fuzz/fuzz_mau02_json.c) can drive it.
 */
#include "app/app_internal.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/calendar.h"
#include "core/mau02.h"

/* A problem of the list as a whole (row 0), into errors, and the summary into err. */
static int whole_list_fail(mau02_errors *errors, ct_error *err)
{
    mau02_errors_add(errors, 0, -1, err->code, err->vi, err->en);
    return mau02_errors_summary(errors, err);
}

/* One applicant's fields as cells: NULL when absent; false (the problem added) when a field is
 * there but not a string, or the applicant is not an object. */
static bool row_cells(json_t *row, int number, const char *cells[MAU02_COLUMNS],
                      mau02_errors *errors)
{
    static const char *const keys[MAU02_COLUMNS] = {
        "stt",  "full_name", "birth_date", "id_number", "id_issued_on", "id_issued_at",   "email",
        "unit", "province",  "position",   "category",  "phone",        "previous_serial"};
    bool ok = true;

    if (!json_is_object(row)) {
        mau02_errors_add(errors, number, -1, "json.type", "người đề nghị phải là một đối tượng",
                         "an applicant must be an object");
        return false;
    }
    for (int c = 1; c < MAU02_COLUMNS; c++) {
        json_t *v = json_object_get(row, keys[c]);
        cells[c] = json_is_string(v) ? json_string_value(v) : NULL;
        if (v && !json_is_string(v)) {
            char vi[128], en[128];
            snprintf(vi, sizeof vi, "trường \"%s\" phải là chuỗi", keys[c]);
            snprintf(en, sizeof en, "field \"%s\" must be a string", keys[c]);
            mau02_errors_add(errors, number, c, "json.type", vi, en);
            ok = false;
        }
    }
    return ok;
}

/* JSON list: an array of objects (or {"applicants": [...]}) with the Mẫu 02 fields by name. */
int mau02_parse_json(const unsigned char *data, size_t len, const char *today,
                     mau02_applicant **out, size_t *count, mau02_errors *errors, ct_error *err)
{
    json_error_t jerr;
    json_t *root, *list;
    mau02_errors own = {0}, *e = errors ? errors : &own;
    mau02_applicant *items;
    size_t n, good = 0, before = e->total;
    ct_date t;
    int rc = -1;

    *out = NULL;
    *count = 0;
    if (today == NULL || ct_date_parse(today, &t) != 0)
        return ct_fail(err, 500, "mau02.today", "ngày hiện tại không hợp lệ",
                       "today's date is not valid");
    root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        ct_fail(err, 400, "json.malformed", "JSON lỗi ở dòng %d, cột %d: %s",
                "malformed JSON at line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
        rc = whole_list_fail(e, err);
        goto done;
    }
    list = json_is_object(root) ? json_object_get(root, "applicants") : root;
    n = json_is_array(list) ? json_array_size(list) : 0;
    if (!json_is_array(list) || n == 0 || n > MAU02_MAX_ROWS) {
        json_decref(root);
        ct_fail(err, 400, "mau02.empty", "danh sách phải là một mảng từ 1 đến 500 người đề nghị",
                "the list must be an array of 1 to 500 applicants");
        rc = whole_list_fail(e, err);
        goto done;
    }
    items = calloc(n, sizeof *items);
    if (items == NULL) {
        json_decref(root);
        rc = ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
        goto done;
    }
    /* every applicant checked, every problem kept; the good ones then checked for duplicates */
    for (size_t i = 0; i < n; i++) {
        const char *cells[MAU02_COLUMNS];
        char stt[24];
        snprintf(stt, sizeof stt, "%zu", i + 1);
        cells[0] = stt;
        if (row_cells(json_array_get(list, i), (int)i + 1, cells, e) &&
            mau02_check_row_all(cells, (int)i + 1, today, &items[good], e) == 0)
            good++;
    }
    json_decref(root);
    mau02_check_duplicates(items, good, e, NULL);
    if (e->total > before) {
        free(items);
        mau02_errors_sort(e);
        rc = mau02_errors_summary(e, err);
        goto done;
    }
    *out = items;
    *count = n;
    rc = 0;
done:
    mau02_errors_free(&own);
    return rc;
}
