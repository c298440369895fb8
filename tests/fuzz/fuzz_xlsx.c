/*
 * fuzz_xlsx.c — libFuzzer harness for the .xlsx list reader (sheet/xlsx_read.c through
 * app/app_mau02_xlsx.c, mau02_parse_xlsx), which reads the workbooks clerks upload.
 *
 * An input is one of two things. Starting with '<', it is XML: the sheet part, then after a NUL
 * byte the shared strings part; the harness packs them with a fixed workbook into a stored
 * (uncompressed) zip, so that mutations reach the XML reading instead of dying at the zip's
 * CRC. Otherwise it is the file itself, zip and all (the seeds are whole workbooks). Properties:
 * the reader's table (rows with content, numbered upwards, widths and cells within bounds) and,
 * through the Mẫu 02 reader, those of every list reader (fuzz_mau02.h).
 */
#include "app/app_internal.h"
#include "fuzz_mau02.h"
#include "sheet/sheet.h"

static const char workbook[] =
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<workbookPr date1904=\"false\"/><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/>"
    "</sheets></workbook>";
static const char workbook_rels[] =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"x/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"x/sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"x/styles\" Target=\"styles.xml\"/></Relationships>";
static const char styles[] =
    "<styleSheet><numFmts><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/></numFmts>"
    "<cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"164\"/><xf numFmtId=\"14\"/><xf numFmtId=\"49\"/>"
    "</cellXfs></styleSheet>";

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return ~c;
}

typedef struct {
    uint8_t *data;
    size_t len, cap;
} bytes;

static void put(bytes *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2;
        b->data = realloc(b->data, b->cap);
        FUZZ_CHECK(b->data != NULL);
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put16(bytes *b, unsigned v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(b, x, 2);
}

static void put32(bytes *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(b, x, 4);
}

/* A stored zip of the named parts (no compression, no data descriptors). */
static bytes pack(const char *const names[], const uint8_t *const parts[], const size_t lens[],
                  int n)
{
    bytes z = {0}, dir = {0};
    for (int i = 0; i < n; i++) {
        uint32_t crc = crc32_of(parts[i], lens[i]), at = (uint32_t)z.len;
        size_t nl = strlen(names[i]);
        put32(&z, 0x04034b50);
        put16(&z, 20), put16(&z, 0), put16(&z, 0), put16(&z, 0), put16(&z, 0x21);
        put32(&z, crc), put32(&z, (uint32_t)lens[i]), put32(&z, (uint32_t)lens[i]);
        put16(&z, (unsigned)nl), put16(&z, 0);
        put(&z, names[i], nl);
        put(&z, parts[i], lens[i]);
        put32(&dir, 0x02014b50);
        put16(&dir, 20), put16(&dir, 20), put16(&dir, 0), put16(&dir, 0), put16(&dir, 0);
        put16(&dir, 0x21);
        put32(&dir, crc), put32(&dir, (uint32_t)lens[i]), put32(&dir, (uint32_t)lens[i]);
        put16(&dir, (unsigned)nl), put16(&dir, 0), put16(&dir, 0), put16(&dir, 0), put16(&dir, 0);
        put32(&dir, 0), put32(&dir, at);
        put(&dir, names[i], nl);
    }
    uint32_t dir_at = (uint32_t)z.len;
    put(&z, dir.data, dir.len);
    put32(&z, 0x06054b50);
    put16(&z, 0), put16(&z, 0), put16(&z, (unsigned)n), put16(&z, (unsigned)n);
    put32(&z, (uint32_t)dir.len), put32(&z, dir_at), put16(&z, 0);
    free(dir.data);
    return z;
}

static void check_table(const sheet_table *t, size_t max_rows)
{
    FUZZ_CHECK(t->count <= max_rows);
    for (size_t i = 0; i < t->count; i++) {
        const sheet_row *r = &t->rows[i];
        bool any = false;
        FUZZ_CHECK(r->number >= 1 && r->number <= 1048576);
        FUZZ_CHECK(r->width >= 1 && r->width <= 16384);
        if (i > 0)
            FUZZ_CHECK(r->number > t->rows[i - 1].number);
        for (int c = 0; c < SHEET_KEEP_COLUMNS; c++) {
            if (r->cells[c] == NULL)
                continue;
            any = true;
            FUZZ_CHECK(c < r->width);
            FUZZ_CHECK(r->cells[c][0] != '\0' && strlen(r->cells[c]) <= SHEET_MAX_CELL + 1);
        }
        FUZZ_CHECK(any || r->width > SHEET_KEEP_COLUMNS);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bytes zip = {0};
    const uint8_t *file = data;
    size_t file_len = size;
    sheet_table table;
    mau02_applicant *list = NULL;
    size_t n = 0;
    ct_error err = {0};
    mau02_errors errors = {0};

    if (size > 0 && data[0] == '<') {
        const uint8_t *nul = memchr(data, '\0', size);
        size_t sheet_len = nul ? (size_t)(nul - data) : size;
        const char *names[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                               "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"};
        const uint8_t *parts[] = {(const uint8_t *)workbook, (const uint8_t *)workbook_rels,
                                  (const uint8_t *)styles, data, nul ? nul + 1 : data};
        size_t lens[] = {sizeof workbook - 1, sizeof workbook_rels - 1, sizeof styles - 1,
                         sheet_len, nul ? size - sheet_len - 1 : 0};
        zip = pack(names, parts, lens, nul ? 5 : 4);
        file = zip.data;
        file_len = zip.len;
    }
    if (sheet_xlsx_read(file, file_len, 40, &table, &err) == 0) {
        check_table(&table, 40);
        sheet_table_free(&table);
    } else {
        fuzz_check_refusal(&err);
        FUZZ_CHECK(table.count == 0 && table.rows == NULL);
    }
    if (mau02_parse_xlsx(file, file_len, FUZZ_TODAY, &list, &n, &errors, &err) == 0) {
        fuzz_check_list(list, n, FUZZ_TODAY);
        FUZZ_CHECK(errors.total == 0 && errors.count == 0);
        free(list);
    } else {
        FUZZ_CHECK(list == NULL);
        fuzz_check_refusal(&err);
        fuzz_check_problems(&errors);
    }
    mau02_errors_free(&errors);
    free(zip.data);
    return 0;
}
