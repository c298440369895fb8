/*
 * xlsx_template.c — the Mẫu 02 list template as an .xlsx workbook (see sheet.h), made with
 * libxlsxwriter so that a clerk opens a sheet that already keeps ID numbers and phones as text
 * (Excel would otherwise drop their leading zeros), shows dates as dd/mm/yyyy and offers the
 * category and the province from drop-down lists.
 */
#include "sheet/sheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "core/mau02.h"
#include "core/province.h"

#define TEMPLATE_ROWS 500 /* rows formatted and validated below the header: MAU02_MAX_ROWS */

/* Column widths in characters, and which columns hold text typed as digits or dates. */
static const double widths[MAU02_COLUMNS] = {6, 26, 12, 20, 12, 26, 28, 30, 16, 22, 14, 16, 26};
enum {
    COL_BIRTH = 2,
    COL_ID = 3,
    COL_ISSUED = 4,
    COL_PROVINCE = 8,
    COL_CATEGORY = 10,
    COL_PHONE = 11,
    COL_SERIAL = 12
};

static int fail_write(ct_error *err, const char *why)
{
    return ct_fail(err, 500, "sheet.write", "không tạo được tệp mẫu .xlsx (%s)",
                   "cannot make the .xlsx template (%s)", why);
}

/* The lists the drop-downs offer, on a second, hidden sheet: Excel limits a list typed into the
 * validation itself to 255 characters, which the 34 provinces pass. */
static void write_choices(lxw_workbook *wb, lxw_format *text)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Danh mục");

    worksheet_write_string(ws, 0, 0, "Tỉnh/thành phố", NULL);
    worksheet_write_string(ws, 0, 1, "Ngạch/Vị trí", NULL);
    for (size_t i = 0; i < province_count(); i++)
        worksheet_write_string(ws, (lxw_row_t)(i + 1), 0, province_at(i), text);
    worksheet_write_string(ws, 1, 1, position_category_label_vi(CATEGORY_CAN_BO), text);
    worksheet_write_string(ws, 2, 1, position_category_label_vi(CATEGORY_CONG_CHUC), text);
    worksheet_write_string(ws, 3, 1, position_category_label_vi(CATEGORY_VIEN_CHUC), text);
    worksheet_set_column(ws, 0, 1, 24, NULL);
    worksheet_hide(ws);
}

static void choose_from(lxw_worksheet *ws, int col, char *formula, const char *title,
                        const char *message)
{
    lxw_data_validation v = {0};

    v.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
    v.value_formula = formula;
    v.ignore_blank = LXW_VALIDATION_ON;
    v.error_type = LXW_VALIDATION_ERROR_TYPE_WARNING; /* a spelling the reader knows still goes */
    v.error_title = (char *)title;
    v.error_message = (char *)message;
    worksheet_data_validation_range(ws, 1, (lxw_col_t)col, TEMPLATE_ROWS, (lxw_col_t)col, &v);
}

static int write_workbook(const char *path)
{
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws;
    lxw_format *head, *text, *date;
    char provinces[64], categories[64];

    if (wb == NULL)
        return -1;
    ws = workbook_add_worksheet(wb, "Mẫu 02");
    head = workbook_add_format(wb);
    format_set_bold(head);
    format_set_text_wrap(head);
    format_set_align(head, LXW_ALIGN_CENTER);
    format_set_align(head, LXW_ALIGN_VERTICAL_CENTER);
    format_set_border(head, LXW_BORDER_THIN);
    format_set_bg_color(head, 0xDDEBF7);
    text = workbook_add_format(wb);
    format_set_num_format(text, "@");
    date = workbook_add_format(wb);
    format_set_num_format(date, "dd/mm/yyyy");

    for (int c = 0; c < MAU02_COLUMNS; c++) {
        lxw_format *f = NULL;
        if (c == COL_ID || c == COL_PHONE || c == COL_SERIAL)
            f = text;
        else if (c == COL_BIRTH || c == COL_ISSUED)
            f = date;
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c], f);
        worksheet_write_string(ws, 0, (lxw_col_t)c, mau02_column_vi(c), head);
    }
    worksheet_set_row(ws, 0, 32, NULL);
    worksheet_freeze_panes(ws, 1, 0);
    worksheet_activate(ws);

    write_choices(wb, text);
    snprintf(provinces, sizeof provinces, "='Danh mục'!$A$2:$A$%zu", province_count() + 1);
    snprintf(categories, sizeof categories, "='Danh mục'!$B$2:$B$4");
    choose_from(ws, COL_PROVINCE, provinces, "Tỉnh/thành phố",
                "Chọn một trong 34 tỉnh, thành phố trong danh sách.");
    choose_from(ws, COL_CATEGORY, categories, "Ngạch/Vị trí",
                "Chọn Cán bộ, Công chức hoặc Viên chức.");
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : -1;
}

int sheet_mau02_template(unsigned char **out, size_t *len, ct_error *err)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    struct stat st;
    unsigned char *data = NULL;
    FILE *f;
    int fd, rc = -1;

    *out = NULL;
    *len = 0;
    snprintf(path, sizeof path, "%s/chungthu-mau02-XXXXXX", dir && *dir ? dir : "/tmp");
    fd = mkstemp(path);
    if (fd < 0)
        return fail_write(err, "mkstemp");
    close(fd);
    if (write_workbook(path) != 0) {
        unlink(path);
        return fail_write(err, "libxlsxwriter");
    }
    f = fopen(path, "rb");
    unlink(path);
    if (f && fstat(fileno(f), &st) == 0 && st.st_size > 0 && st.st_size < SHEET_XLSX_MAX_BYTES &&
        (data = malloc((size_t)st.st_size)) != NULL &&
        fread(data, 1, (size_t)st.st_size, f) == (size_t)st.st_size) {
        *out = data;
        *len = (size_t)st.st_size;
        data = NULL;
        rc = 0;
    }
    if (f)
        fclose(f);
    free(data);
    return rc == 0 ? 0 : fail_write(err, "read");
}
