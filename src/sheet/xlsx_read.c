/*
 * xlsx_read.c — the cell values of an .xlsx workbook's first sheet (see sheet.h).
 *
 * An .xlsx file is a zip of XML parts: _rels/.rels names the workbook, the workbook names its
 * sheets in order and its relationships file says where each one is; the sheet refers to the
 * shared strings by index and to the styles (whose number format tells a date from a number) by
 * index. Every part is unpacked into memory up to SHEET_PART_MAX and read with libxml2's
 * streaming reader, so that memory stays near the size of the parts; DTDs are refused (no part
 * of a real workbook has one, and they are where entity expansion attacks live).
 */
#include "sheet/sheet.h"

#include <libxml/xmlreader.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#include "core/calendar.h"

#define MAX_PATH 512
#define MAX_STYLES 65536 /* cell formats looked at; beyond, a cell is not a date */
#define MAX_COLUMN 16384 /* XFD, the last column of a spreadsheet */
#define MAX_ROW 1048576  /* the last row */

static int invalid(ct_error *err, const char *vi_why, const char *en_why)
{
    char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX];

    snprintf(vi, sizeof vi,
             "tệp không phải bảng tính .xlsx đọc được (%s): hãy lưu lại bằng Excel hoặc "
             "LibreOffice dạng \"Excel Workbook (.xlsx)\"",
             vi_why);
    snprintf(en, sizeof en,
             "the file is not a readable .xlsx workbook (%s): save it again from Excel or "
             "LibreOffice as \"Excel Workbook (.xlsx)\"",
             en_why);
    return ct_fail_text(err, 400, "list.xlsx_invalid", vi, en);
}

static int too_large(ct_error *err, const char *what)
{
    return ct_fail(err, 400, "list.xlsx_too_large",
                   "bảng tính quá lớn (%s vượt giới hạn): hãy chia danh sách thành nhiều hồ sơ",
                   "the workbook is too large (%s over the limit): split the list into several "
                   "dossiers",
                   what);
}

static int encrypted(ct_error *err)
{
    return ct_fail(err, 400, "list.xlsx_encrypted",
                   "bảng tính có mật khẩu hoặc là tệp .xls cũ: hãy bỏ mật khẩu và lưu lại dạng "
                   "\"Excel Workbook (.xlsx)\"",
                   "the workbook is password-protected or an old .xls file: remove the password "
                   "and save it as \"Excel Workbook (.xlsx)\"");
}

bool sheet_is_zip(const unsigned char *data, size_t len)
{
    return len >= 4 && memcmp(data, "PK\3\4", 4) == 0;
}

/* ---- dates ---- */

int sheet_serial_date(double serial, bool date1904, char out[11])
{
    long epoch1900 = ct_date_to_jdn((ct_date){1899, 12, 30});
    long epoch1904 = ct_date_to_jdn((ct_date){1904, 1, 1});
    ct_date d;
    double day;

    if (!isfinite(serial) || serial < (date1904 ? 0 : 1) || serial >= 2958466)
        return -1;
    day = floor(serial);
    if (date1904) {
        d = ct_date_from_jdn(epoch1904 + (long)day);
    } else if (day == 60) {
        snprintf(out, 11, "1900-02-29"); /* Lotus 1-2-3's leap day, kept by Excel */
        return 0;
    } else {
        /* from 61 on, day 0 is 1899-12-30 (the phantom 29 February took one day); before, the
         * count started a day later */
        d = ct_date_from_jdn(epoch1900 + (long)day + (day < 60 ? 1 : 0));
    }
    if (d.year > 9999)
        return -1;
    ct_date_format(d, out);
    return 0;
}

/* Whether a number format shows a date: the built-in date formats, or a format code with a day
 * or year in it (month alone could be minutes), quoted text and [colour] sections left out. */
static bool builtin_date_format(long id)
{
    return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58);
}

static bool code_is_date(const char *code)
{
    bool quoted = false;
    int bracket = 0;

    for (const char *p = code; *p; p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (quoted)
            continue;
        else if (*p == '\\' && p[1])
            p++;
        else if (*p == '[')
            bracket++;
        else if (*p == ']' && bracket > 0)
            bracket--;
        else if (bracket == 0 && strchr("dDyY", *p))
            return true;
    }
    return false;
}

/* ---- the zip ---- */

typedef struct {
    zip_t *zip;
    size_t unpacked; /* bytes unpacked so far, over every part */
} package;

/* One part's bytes, NUL-terminated; *out NULL (and 0) when the part is absent and not required. */
static int read_part(package *p, const char *name, bool required, char **out, size_t *len,
                     ct_error *err)
{
    zip_stat_t st;
    zip_file_t *f;
    zip_int64_t index = zip_name_locate(p->zip, name, 0), got;
    size_t have = 0;
    char *buf, extra;

    *out = NULL;
    *len = 0;
    if (index < 0) {
        if (!required)
            return 0;
        char vi[MAX_PATH + 32], en[MAX_PATH + 32];
        snprintf(vi, sizeof vi, "thiếu phần %s", name);
        snprintf(en, sizeof en, "part %s is missing", name);
        return invalid(err, vi, en);
    }
    zip_stat_init(&st);
    if (zip_stat_index(p->zip, (zip_uint64_t)index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
        return invalid(err, "mục lục zip hỏng", "broken zip directory");
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
        return encrypted(err);
    if ((st.valid & ZIP_STAT_COMP_METHOD) && !zip_compression_method_supported(st.comp_method, 0))
        return invalid(err, "kiểu nén lạ", "unsupported compression");
    if (st.size > SHEET_PART_MAX || p->unpacked + st.size > 3 * (size_t)SHEET_PART_MAX)
        return too_large(err, name);
    buf = malloc((size_t)st.size + 1);
    if (buf == NULL)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    f = zip_fopen_index(p->zip, (zip_uint64_t)index, 0);
    if (f == NULL) {
        free(buf);
        return invalid(err, "không mở được phần trong zip", "cannot open a part of the zip");
    }
    /* never more than the declared size: libzip stops there and checks the CRC at the end */
    while (have < st.size && (got = zip_fread(f, buf + have, st.size - have)) > 0)
        have += (size_t)got;
    /* one read past the end: 0 at a clean end, -1 when the CRC does not match */
    got = have == st.size ? zip_fread(f, &extra, 1) : -1;
    zip_fclose(f);
    if (got != 0 || have != st.size) {
        free(buf);
        return invalid(err, "dữ liệu nén hỏng", "corrupt compressed data");
    }
    buf[have] = '\0';
    p->unpacked += have;
    *out = buf;
    *len = have;
    return 0;
}

/* ---- XML ---- */

static void quiet(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    (void)e; /* a broken part is reported as one refusal, not on the server's stderr */
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static void xml_init(void)
{
    xmlInitParser();
}

static xmlTextReaderPtr xml_open(const char *data, size_t len)
{
    xmlTextReaderPtr r;

    pthread_once(&xml_once, xml_init);
    if (len > (size_t)SHEET_PART_MAX)
        return NULL;
    r = xmlReaderForMemory(data, (int)len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOWARNING);
    if (r)
        xmlTextReaderSetStructuredErrorHandler(r, quiet, NULL);
    return r;
}

/* The next node; 1, 0 at the end, -1 on malformed XML or a DTD. */
static int xml_next(xmlTextReaderPtr r)
{
    int rc = xmlTextReaderRead(r);
    if (rc == 1 && xmlTextReaderNodeType(r) == XML_READER_TYPE_DOCUMENT_TYPE)
        return -1;
    return rc;
}

static bool is_start(xmlTextReaderPtr r, const char *local)
{
    return xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT &&
           strcmp((const char *)xmlTextReaderConstLocalName(r), local) == 0;
}

static bool is_end(xmlTextReaderPtr r, const char *local)
{
    return xmlTextReaderNodeType(r) == XML_READER_TYPE_END_ELEMENT &&
           strcmp((const char *)xmlTextReaderConstLocalName(r), local) == 0;
}

/* An attribute by local name (any namespace, a prefixed one if want_prefixed), malloc'd. */
static char *attr(xmlTextReaderPtr r, const char *local, bool want_prefixed)
{
    char *value = NULL;

    if (xmlTextReaderMoveToFirstAttribute(r) != 1)
        return NULL;
    do {
        const char *name = (const char *)xmlTextReaderConstLocalName(r);
        bool prefixed = xmlTextReaderConstPrefix(r) != NULL;
        if (strcmp(name, local) == 0 && prefixed == want_prefixed) {
            value = (char *)xmlTextReaderValue(r);
            break;
        }
    } while (xmlTextReaderMoveToNextAttribute(r) == 1);
    xmlTextReaderMoveToElement(r);
    return value;
}

static bool text_node(xmlTextReaderPtr r)
{
    int t = xmlTextReaderNodeType(r);
    return t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA ||
           t == XML_READER_TYPE_SIGNIFICANT_WHITESPACE || t == XML_READER_TYPE_WHITESPACE;
}

/* A growing text, cut at SHEET_MAX_CELL + 1 bytes. */
typedef struct {
    char data[SHEET_MAX_CELL + 2];
    size_t len;
} cell_text;

static void text_add(cell_text *t, const char *s)
{
    size_t n = strlen(s);
    if (n > SHEET_MAX_CELL + 1 - t->len)
        n = SHEET_MAX_CELL + 1 - t->len;
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
}

/* ---- relationships ---- */

/* Target of the relationship whose Id is `id` (or whose Type ends with `type_suffix`), resolved
 * against the directory of the part the relationships belong to (`base_dir`, "" or ending '/'). */
static int rel_target(const char *rels, size_t len, const char *base_dir, const char *id,
                      const char *type_suffix, char out[MAX_PATH])
{
    xmlTextReaderPtr r = xml_open(rels, len);
    int rc = 0, found = 0;

    out[0] = '\0';
    if (r == NULL)
        return -1;
    while (!found && (rc = xml_next(r)) == 1) {
        if (!is_start(r, "Relationship"))
            continue;
        char *rid = attr(r, "Id", false), *type = attr(r, "Type", false),
             *target = attr(r, "Target", false);
        size_t tl = type ? strlen(type) : 0, sl = type_suffix ? strlen(type_suffix) : 0;
        bool match = id ? (rid && strcmp(rid, id) == 0)
                        : (type && tl >= sl && strcmp(type + tl - sl, type_suffix) == 0);
        if (match && target) {
            if (target[0] == '/')
                snprintf(out, MAX_PATH, "%s", target + 1);
            else
                snprintf(out, MAX_PATH, "%s%s", base_dir, target);
            found = 1;
        }
        xmlFree(rid);
        xmlFree(type);
        xmlFree(target);
    }
    xmlFreeTextReader(r);
    return rc < 0 ? -1 : found ? 0 : 1;
}

/* "xl/workbook.xml" → dir "xl/", rels "xl/_rels/workbook.xml.rels" */
static void part_paths(const char *part, char dir[MAX_PATH], char rels[MAX_PATH])
{
    const char *slash = strrchr(part, '/');
    int n = slash ? (int)(slash - part + 1) : 0;
    snprintf(dir, MAX_PATH, "%.*s", n, part);
    snprintf(rels, MAX_PATH, "%.*s_rels/%s.rels", n, part, part + n);
}

/* ---- the workbook ---- */

typedef struct {
    package pkg;
    char workbook[MAX_PATH], sheet[MAX_PATH], strings[MAX_PATH], styles[MAX_PATH];
    bool date1904;
    char **shared; /* shared strings */
    size_t shared_count;
    bool *date_style; /* per cellXfs index */
    size_t style_count;
} workbook;

/* The first sheet's relationship id and the date system, from the workbook part. */
static int read_workbook(workbook *w, const char *xml, size_t len, char **first_sheet,
                         ct_error *err)
{
    xmlTextReaderPtr r = xml_open(xml, len);
    int rc;

    *first_sheet = NULL;
    if (r == NULL)
        return invalid(err, "không đọc được workbook", "cannot read the workbook");
    while ((rc = xml_next(r)) == 1) {
        if (is_start(r, "workbookPr")) {
            char *v = attr(r, "date1904", false);
            w->date1904 = v && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0);
            xmlFree(v);
        } else if (is_start(r, "sheet") && *first_sheet == NULL) {
            *first_sheet = attr(r, "id", true);
        }
    }
    xmlFreeTextReader(r);
    if (rc < 0)
        return invalid(err, "workbook không phải XML hợp lệ", "the workbook is not valid XML");
    if (*first_sheet == NULL)
        return invalid(err, "workbook không có trang tính nào", "the workbook has no sheet");
    return 0;
}

static int read_shared_strings(workbook *w, const char *xml, size_t len, ct_error *err)
{
    xmlTextReaderPtr r = xml_open(xml, len);
    cell_text *t = malloc(sizeof *t);
    size_t cap = 0;
    int rc, in_si = 0, in_t = 0, in_rph = 0;

    if (r == NULL || t == NULL) {
        xmlFreeTextReader(r);
        free(t);
        return invalid(err, "không đọc được bảng chuỗi", "cannot read the shared strings");
    }
    while ((rc = xml_next(r)) == 1) {
        bool empty = xmlTextReaderIsEmptyElement(r);
        if (is_start(r, "si")) {
            in_si = 1;
            t->len = 0;
            t->data[0] = '\0';
            if (!empty)
                continue;
        } else if (in_si && is_start(r, "rPh") && !empty) {
            in_rph = 1; /* phonetic reading of East Asian text: not the cell's value */
            continue;
        } else if (in_si && is_end(r, "rPh")) {
            in_rph = 0;
            continue;
        } else if (in_si && is_start(r, "t") && !empty) {
            in_t = 1;
            continue;
        } else if (is_end(r, "t")) {
            in_t = 0;
            continue;
        } else if (in_si && in_t && !in_rph && text_node(r)) {
            text_add(t, (const char *)xmlTextReaderConstValue(r));
            continue;
        }
        if (in_si && (is_end(r, "si") || (is_start(r, "si") && empty))) {
            in_si = in_t = in_rph = 0;
            if (w->shared_count == SHEET_MAX_STRINGS) {
                rc = -2;
                break;
            }
            if (w->shared_count == cap) {
                size_t ncap = cap ? cap * 2 : 64;
                char **grown = realloc(w->shared, ncap * sizeof *grown);
                if (grown == NULL) {
                    rc = -3;
                    break;
                }
                w->shared = grown;
                cap = ncap;
            }
            w->shared[w->shared_count] = strdup(t->data);
            if (w->shared[w->shared_count] == NULL) {
                rc = -3;
                break;
            }
            w->shared_count++;
        }
    }
    xmlFreeTextReader(r);
    free(t);
    if (rc == -2)
        return too_large(err, "sharedStrings");
    if (rc == -3)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    if (rc < 0)
        return invalid(err, "bảng chuỗi không phải XML hợp lệ",
                       "the shared strings are not valid XML");
    return 0;
}

/* Which cell formats (cellXfs) show dates. */
static int read_styles(workbook *w, const char *xml, size_t len, ct_error *err)
{
    xmlTextReaderPtr r = xml_open(xml, len);
    long *custom_ids = NULL;
    bool *custom_date = NULL;
    size_t customs = 0, cap = 0;
    int rc, in_xfs = 0;

    if (r == NULL)
        return invalid(err, "không đọc được kiểu ô", "cannot read the styles");
    w->date_style = calloc(MAX_STYLES, sizeof *w->date_style);
    if (w->date_style == NULL) {
        xmlFreeTextReader(r);
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    while ((rc = xml_next(r)) == 1) {
        if (is_start(r, "numFmt")) {
            char *id = attr(r, "numFmtId", false), *code = attr(r, "formatCode", false);
            if (id && code && customs < MAX_STYLES) {
                if (customs == cap) {
                    size_t ncap = cap ? cap * 2 : 16;
                    long *ids = realloc(custom_ids, ncap * sizeof *ids);
                    if (ids)
                        custom_ids = ids;
                    bool *dates = ids ? realloc(custom_date, ncap * sizeof *dates) : NULL;
                    if (dates)
                        custom_date = dates;
                    if (ids && dates)
                        cap = ncap;
                }
                if (customs < cap) {
                    custom_ids[customs] = strtol(id, NULL, 10);
                    custom_date[customs++] = code_is_date(code);
                }
            }
            xmlFree(id);
            xmlFree(code);
        } else if (is_start(r, "cellXfs") && !xmlTextReaderIsEmptyElement(r)) {
            in_xfs = 1;
        } else if (is_end(r, "cellXfs")) {
            in_xfs = 0;
        } else if (in_xfs && is_start(r, "xf")) {
            char *id = attr(r, "numFmtId", false);
            long fmt = id ? strtol(id, NULL, 10) : 0;
            bool date = builtin_date_format(fmt);
            for (size_t i = 0; i < customs; i++)
                if (custom_ids[i] == fmt)
                    date = custom_date[i];
            if (w->style_count < MAX_STYLES)
                w->date_style[w->style_count++] = date;
            xmlFree(id);
        }
    }
    xmlFreeTextReader(r);
    free(custom_ids);
    free(custom_date);
    if (rc < 0)
        return invalid(err, "kiểu ô không phải XML hợp lệ", "the styles are not valid XML");
    return 0;
}

/* ---- the sheet ---- */

/* "BC12" → column 54 (0-based), row 12; -1 when malformed or out of range. Row 0 when the
 * reference has no digits (a whole-column reference is not a cell's). */
static int cell_ref(const char *ref, int *col, int *row)
{
    long c = 0, r = 0;
    const char *p = ref;

    for (; *p >= 'A' && *p <= 'Z'; p++) {
        c = c * 26 + (*p - 'A' + 1);
        if (c > MAX_COLUMN)
            return -1;
    }
    if (p == ref)
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        r = r * 10 + (*p - '0');
        if (r > MAX_ROW)
            return -1;
    }
    if (*p != '\0')
        return -1;
    *col = (int)c - 1;
    *row = (int)r;
    return 0;
}

/* A number in its shortest form: integers without a fraction ("1234567890"), else %.15g. */
static void number_text(double v, char out[64])
{
    if (fabs(v) < 1e15 && v == floor(v))
        snprintf(out, 64, "%.0f", v);
    else
        snprintf(out, 64, "%.15g", v);
}

typedef struct {
    workbook *w;
    sheet_table *table;
    size_t max_rows;
    sheet_row row; /* the row being read */
    int last_row, last_col;
    /* the cell being read */
    int col;
    char type[16];
    long style;
    cell_text value;
} sheet_reader;

/* The cell just read into the row; -1 (err filled) when it cannot be. */
static int end_cell(sheet_reader *s, ct_error *err)
{
    char number[64];
    const char *text = s->value.data;
    const char *t = s->type;

    if (strcmp(t, "s") == 0) {
        char *end;
        unsigned long i;
        if (s->value.len == 0)
            return 0;
        i = strtoul(s->value.data, &end, 10);
        if (*end != '\0' || i >= s->w->shared_count)
            return invalid(err, "ô trỏ tới chuỗi không có", "a cell refers to a missing string");
        text = s->w->shared[i];
    } else if (strcmp(t, "b") == 0) {
        text = s->value.len == 0 ? "" : strcmp(s->value.data, "0") == 0 ? "FALSE" : "TRUE";
    } else if (strcmp(t, "d") == 0) {
        if (s->value.len > 10)
            s->value.data[10] = '\0'; /* "2024-03-01T00:00:00": the date */
    } else if (t[0] == '\0' || strcmp(t, "n") == 0) {
        char *end;
        double v;
        if (s->value.len == 0)
            return 0;
        v = strtod(s->value.data, &end);
        if (*end != '\0' || end == s->value.data || !isfinite(v))
            return invalid(err, "ô số không phải số", "a number cell holds no number");
        if (s->style >= 0 && (size_t)s->style < s->w->style_count && s->w->date_style[s->style] &&
            sheet_serial_date(v, s->w->date1904, number) == 0)
            text = number;
        else {
            number_text(v, number);
            text = number;
        }
    } /* "str" (a formula's text), "inlineStr", "e" (an error such as #N/A): as they are */
    if (text[0] == '\0')
        return 0;
    if (s->col + 1 > s->row.width)
        s->row.width = s->col + 1;
    if (s->col < SHEET_KEEP_COLUMNS) {
        free(s->row.cells[s->col]);
        s->row.cells[s->col] = strndup(text, SHEET_MAX_CELL + 1);
        if (s->row.cells[s->col] == NULL)
            return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    return 0;
}

static void row_clear(sheet_row *row)
{
    for (int c = 0; c < SHEET_KEEP_COLUMNS; c++) {
        free(row->cells[c]);
        row->cells[c] = NULL;
    }
    row->width = 0;
}

/* The row just read into the table (when it holds something); 1 when the table is full. */
static int end_row(sheet_reader *s, ct_error *err)
{
    sheet_table *t = s->table;

    if (s->row.width == 0)
        return 0;
    if (t->count == s->max_rows) {
        t->more = true;
        row_clear(&s->row);
        return 1;
    }
    if (t->rows == NULL) {
        t->rows = calloc(s->max_rows, sizeof *t->rows);
        if (t->rows == NULL)
            return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    t->rows[t->count++] = s->row; /* the cells move to the table */
    memset(&s->row, 0, sizeof s->row);
    return 0;
}

static int start_row(sheet_reader *s, xmlTextReaderPtr r, ct_error *err)
{
    char *ref = attr(r, "r", false);
    long n = ref ? strtol(ref, NULL, 10) : s->last_row + 1;

    xmlFree(ref);
    if (n <= s->last_row || n > MAX_ROW)
        return invalid(err, "số dòng sai thứ tự", "row numbers out of order");
    s->last_row = (int)n;
    s->last_col = -1;
    row_clear(&s->row);
    s->row.number = (int)n;
    return 0;
}

static int start_cell(sheet_reader *s, xmlTextReaderPtr r, ct_error *err)
{
    char *ref = attr(r, "r", false), *type = attr(r, "t", false), *style = attr(r, "s", false);
    int col = s->last_col + 1, row = s->last_row, rc = 0;

    if (ref && (cell_ref(ref, &col, &row) != 0 || (row != 0 && row != s->last_row)))
        rc = invalid(err, "địa chỉ ô sai", "a cell reference is wrong");
    else if (col <= s->last_col || col >= MAX_COLUMN)
        rc = invalid(err, "ô sai thứ tự", "cells out of order");
    snprintf(s->type, sizeof s->type, "%s", type ? type : "");
    s->style = style ? strtol(style, NULL, 10) : 0;
    s->col = s->last_col = col;
    s->value.len = 0;
    s->value.data[0] = '\0';
    xmlFree(ref);
    xmlFree(type);
    xmlFree(style);
    return rc;
}

static int read_sheet(workbook *w, const char *xml, size_t len, size_t max_rows, sheet_table *out,
                      ct_error *err)
{
    xmlTextReaderPtr r = xml_open(xml, len);
    sheet_reader *s = calloc(1, sizeof *s);
    int rc = 0, next = 0, in_data = 0, in_row = 0, in_c = 0, in_v = 0, in_is = 0, in_t = 0,
        in_rph = 0;

    if (r == NULL || s == NULL) {
        xmlFreeTextReader(r);
        free(s);
        return invalid(err, "không đọc được trang tính", "cannot read the sheet");
    }
    s->w = w;
    s->table = out;
    s->max_rows = max_rows;
    while (rc == 0 && (next = xml_next(r)) == 1) {
        bool empty = xmlTextReaderIsEmptyElement(r);
        if (is_start(r, "sheetData")) {
            in_data = !empty;
        } else if (is_end(r, "sheetData")) {
            break;
        } else if (!in_data) {
            continue;
        } else if (is_start(r, "row")) {
            rc = start_row(s, r, err);
            in_row = !empty;
        } else if (is_end(r, "row")) {
            in_row = 0;
            rc = end_row(s, err);
        } else if (in_row && is_start(r, "c")) {
            rc = start_cell(s, r, err);
            in_c = !empty;
            if (rc == 0 && empty)
                rc = end_cell(s, err);
        } else if (in_c && is_end(r, "c")) {
            in_c = in_v = in_is = in_t = in_rph = 0;
            rc = end_cell(s, err);
        } else if (in_c && is_start(r, "v") && !empty) {
            in_v = 1;
        } else if (is_end(r, "v")) {
            in_v = 0;
        } else if (in_c && is_start(r, "is") && !empty) {
            in_is = 1;
        } else if (is_end(r, "is")) {
            in_is = 0;
        } else if (in_is && is_start(r, "rPh") && !empty) {
            in_rph = 1;
        } else if (is_end(r, "rPh")) {
            in_rph = 0;
        } else if (in_is && is_start(r, "t") && !empty) {
            in_t = 1;
        } else if (is_end(r, "t")) {
            in_t = 0;
        } else if (text_node(r) && (in_v || (in_is && in_t && !in_rph))) {
            text_add(&s->value, (const char *)xmlTextReaderConstValue(r));
        }
    }
    if (rc == 0 && next < 0)
        rc = invalid(err, "trang tính không phải XML hợp lệ", "the sheet is not valid XML");
    if (rc == 1)
        rc = 0; /* the table is full: the rest is not read */
    row_clear(&s->row);
    xmlFreeTextReader(r);
    free(s);
    return rc;
}

/* ---- the whole ---- */

static int read_package(workbook *w, size_t max_rows, sheet_table *out, ct_error *err)
{
    char *xml = NULL, *first = NULL, dir[MAX_PATH], rels_path[MAX_PATH];
    size_t len;
    int rc;

    /* the workbook part, as the package's relationships name it (xl/workbook.xml by default) */
    if (read_part(&w->pkg, "_rels/.rels", false, &xml, &len, err) != 0)
        return -1;
    if (xml == NULL || rel_target(xml, len, "", NULL, "/officeDocument", w->workbook) != 0)
        snprintf(w->workbook, sizeof w->workbook, "xl/workbook.xml");
    free(xml);
    if (read_part(&w->pkg, w->workbook, true, &xml, &len, err) != 0)
        return -1;
    rc = read_workbook(w, xml, len, &first, err);
    free(xml);
    if (rc != 0)
        return -1;
    /* the sheet, the shared strings and the styles, as the workbook's relationships place them */
    part_paths(w->workbook, dir, rels_path);
    rc = read_part(&w->pkg, rels_path, true, &xml, &len, err);
    if (rc == 0) {
        if (rel_target(xml, len, dir, first, NULL, w->sheet) != 0)
            rc = invalid(err, "không tìm thấy trang tính đầu", "the first sheet is not found");
        if (rel_target(xml, len, dir, NULL, "/sharedStrings", w->strings) < 0 ||
            rel_target(xml, len, dir, NULL, "/styles", w->styles) < 0)
            rc = invalid(err, "quan hệ workbook hỏng", "broken workbook relationships");
    }
    free(xml);
    xmlFree(first);
    if (rc != 0)
        return -1;
    if (w->strings[0]) {
        if (read_part(&w->pkg, w->strings, false, &xml, &len, err) != 0)
            return -1;
        rc = xml ? read_shared_strings(w, xml, len, err) : 0;
        free(xml);
        if (rc != 0)
            return -1;
    }
    if (w->styles[0]) {
        if (read_part(&w->pkg, w->styles, false, &xml, &len, err) != 0)
            return -1;
        rc = xml ? read_styles(w, xml, len, err) : 0;
        free(xml);
        if (rc != 0)
            return -1;
    }
    if (read_part(&w->pkg, w->sheet, true, &xml, &len, err) != 0)
        return -1;
    rc = read_sheet(w, xml, len, max_rows, out, err);
    free(xml);
    return rc;
}

int sheet_xlsx_read(const unsigned char *data, size_t len, size_t max_rows, sheet_table *out,
                    ct_error *err)
{
    static const unsigned char ole[8] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};
    workbook w = {0};
    zip_source_t *src;
    zip_error_t zerr;
    zip_int64_t entries;
    int rc;

    memset(out, 0, sizeof *out);
    if (len >= sizeof ole && memcmp(data, ole, sizeof ole) == 0)
        return encrypted(err); /* an encrypted .xlsx is an OLE file holding the zip */
    if (len > SHEET_XLSX_MAX_BYTES)
        return too_large(err, "tệp / file");
    if (!sheet_is_zip(data, len))
        return invalid(err, "không phải tệp zip", "not a zip file");
    if (max_rows == 0)
        max_rows = 1;
    zip_error_init(&zerr);
    src = zip_source_buffer_create(data, len, 0, &zerr);
    if (src == NULL) {
        zip_error_fini(&zerr);
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    w.pkg.zip = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
    zip_error_fini(&zerr);
    if (w.pkg.zip == NULL) {
        zip_source_free(src);
        return invalid(err, "tệp zip hỏng", "broken zip file");
    }
    entries = zip_get_num_entries(w.pkg.zip, 0);
    if (entries < 0 || entries > SHEET_MAX_ENTRIES)
        rc = too_large(err, "số tệp trong zip / entries in the zip");
    else
        rc = read_package(&w, max_rows, out, err);
    zip_discard(w.pkg.zip); /* frees the source too */
    for (size_t i = 0; i < w.shared_count; i++)
        free(w.shared[i]);
    free(w.shared);
    free(w.date_style);
    if (rc != 0)
        sheet_table_free(out);
    return rc;
}

void sheet_table_free(sheet_table *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->count; i++)
        row_clear(&t->rows[i]);
    free(t->rows);
    memset(t, 0, sizeof *t);
}
