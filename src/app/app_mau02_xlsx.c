/*
 * app_mau02_xlsx.c — the agency's request list (Mẫu 02) as the .xlsx workbook a clerk keeps in
 * Excel or LibreOffice: the first sheet's cells (sheet/sheet.h) handed row by row to the same
 * reader as a CSV file's records (core/mau02.c, mau02_parse_rows), so that every check and the
 * "every problem at once" answer are the CSV list's. And the template clerks start from. On its
 * own so that the fuzzing harness (tests/fuzz/fuzz_xlsx.c) can drive it.
 */
#include "app/app_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/mau02.h"
#include "sheet/sheet.h"

int mau02_parse_xlsx(const unsigned char *data, size_t len, const char *today,
                     mau02_applicant **out, size_t *count, app_list_errors *errors, ct_error *err)
{
    sheet_table table;
    mau02_row *rows;
    ct_date t;
    int rc;

    *out = NULL;
    *count = 0;
    if (today == NULL || ct_date_parse(today, &t) != 0)
        return ct_fail(err, 500, "mau02.today", "ngày hiện tại không hợp lệ",
                       "today's date is not valid");
    /* a header and one row past the most a list may have: enough for mau02.too_many to name
     * the row where the list goes over */
    if (sheet_xlsx_read(data, len, MAU02_MAX_ROWS + 2, &table, err) != 0) {
        if (errors && err->status == 400) { /* a problem of the list as a whole, row 0 */
            mau02_errors_add(errors, 0, -1, err->code, err->vi, err->en);
            mau02_errors_summary(errors, err);
        }
        return -1;
    }
    rows = calloc(table.count ? table.count : 1, sizeof *rows);
    if (rows == NULL) {
        sheet_table_free(&table);
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    for (size_t i = 0; i < table.count; i++) {
        rows[i].row = table.rows[i].number;
        rows[i].width = table.rows[i].width;
        for (int c = 0; c < MAU02_COLUMNS; c++)
            rows[i].cells[c] = table.rows[i].cells[c];
    }
    rc = mau02_parse_rows(rows, table.count, today, out, count, errors, err);
    free(rows);
    sheet_table_free(&table);
    return rc;
}

/* The template is the same bytes every time: made once (through a temporary file) and kept for
 * the life of the process. */
static pthread_mutex_t template_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char *template_data;
static size_t template_len;

int app_mau02_template_xlsx(const unsigned char **data, size_t *len, ct_error *err)
{
    int rc = 0;

    pthread_mutex_lock(&template_lock);
    if (template_data == NULL)
        rc = sheet_mau02_template(&template_data, &template_len, err);
    *data = template_data;
    *len = template_len;
    pthread_mutex_unlock(&template_lock);
    return rc;
}

const char *app_list_format_sniff(const unsigned char *data, size_t len, const char *otherwise)
{
    return sheet_is_zip(data, len) ? "xlsx" : otherwise;
}
