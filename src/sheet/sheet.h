/*
 * sheet.h — spreadsheet files (.xlsx, Office Open XML) as agency clerks keep their lists in Excel
 * or LibreOffice: reading the cell values of a workbook's first sheet, and writing the Mẫu 02
 * list template. A service layer like pki and store: it includes core only, app composes it, the
 * faces never see it.
 *
 * Reading is bounded, since the file comes from outside: the file's size, each part's size once
 * unpacked (a zip bomb stops there), the number of zip entries, of shared strings and of rows
 * kept. Every refusal is one of three stable codes, in Vietnamese and English:
 *   list.xlsx_invalid    not a zip, a broken zip, a missing workbook or sheet, XML that is not
 *                        well formed or carries a DTD, a cell reference out of range
 *   list.xlsx_encrypted  a password-protected workbook (an OLE compound file, as are old .xls
 *                        files) or an encrypted zip entry
 *   list.xlsx_too_large  the file or one of its parts over the limits below
 */
#ifndef CT_SHEET_SHEET_H
#define CT_SHEET_SHEET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

#define SHEET_XLSX_MAX_BYTES (2 * 1024 * 1024) /* the .xlsx file as uploaded */
#define SHEET_PART_MAX (8 * 1024 * 1024)       /* one part (XML file) once unpacked */
#define SHEET_MAX_ENTRIES 1000                 /* files in the zip */
#define SHEET_MAX_STRINGS 100000               /* shared strings */
#define SHEET_KEEP_COLUMNS 16                  /* cells kept of each row, from column A */
#define SHEET_MAX_CELL                                                                             \
    4096 /* bytes kept of one cell; a longer one is cut to SHEET_MAX_CELL + 1                      \
            bytes (maybe mid-character), so that the reader sees it too long */

/* One row of the sheet that holds something, as the spreadsheet numbers it. */
typedef struct sheet_row {
    int number;                      /* 1-based row number */
    int width;                       /* 1 + the column (A = 0) of its last non-empty cell */
    char *cells[SHEET_KEEP_COLUMNS]; /* text of the first columns; NULL when empty */
} sheet_row;

typedef struct sheet_table {
    sheet_row *rows; /* the rows with content, in order */
    size_t count;
    bool more; /* rows with content past max_rows were left unread */
} sheet_table;

/* The zip signature an .xlsx starts with ("PK\3\4"): how an upload without a declared type is
 * told from a CSV file. */
bool sheet_is_zip(const unsigned char *data, size_t len);

/*
 * The first sheet (in the workbook's order) of an .xlsx file, as text: shared strings, inline
 * strings and formula results as they are; booleans TRUE/FALSE; numbers in their shortest form
 * ("12", "1.5"), except numbers shown as dates (a date number format, built-in or custom), which
 * become YYYY-MM-DD (sheet_serial_date, in the workbook's 1900 or 1904 date system); ISO date
 * cells (t="d") their date. Rows without a non-empty cell are skipped; at most max_rows are kept
 * (out->more says whether more were there). On success out (the caller's) holds the rows: free
 * with sheet_table_free. On failure out is empty, err filled (status 400, codes above).
 */
int sheet_xlsx_read(const unsigned char *data, size_t len, size_t max_rows, sheet_table *out,
                    ct_error *err);
void sheet_table_free(sheet_table *t);

/*
 * A spreadsheet date serial as YYYY-MM-DD. The 1900 system (Windows Excel, LibreOffice's .xlsx):
 * 1 is 1900-01-01 and, as Lotus 1-2-3 had it, 60 is the 29 February 1900 that never was (so it
 * gives "1900-02-29", which no date reader accepts) and 61 is 1900-03-01. The 1904 system (old
 * Mac workbooks): 0 is 1904-01-01. The fraction (the time of day) is dropped. -1 when the serial
 * is below the first day (1, or 0 in 1904), past 9999-12-31 or not a number.
 */
int sheet_serial_date(double serial, bool date1904, char out[11]);

/* The Mẫu 02 list template as an .xlsx: the 13 headings in Vietnamese, column widths, text
 * format for ID numbers and phones (leading zeros stay), dd/mm/yyyy for dates, the header row
 * frozen, drop-down lists for category and province. *out is malloc'd (free it). Written through
 * a temporary file (libxlsxwriter writes only files); err "sheet.write" (500) when that fails. */
int sheet_mau02_template(unsigned char **out, size_t *len, ct_error *err);

#endif
