/*
 * paper.h — official papers as Vietnamese administrative documents (Decree 30/2020/NĐ-CP,
 * Appendix I): one document model, rendered as printable HTML and as PDF, so the two never
 * disagree.
 *
 * A paper has a heading (issuing body and its parent on the left, the national heading and
 * motto on the right, the number and symbol under the body, place and date under the motto), a
 * title, a body of paragraphs and tables, signature blocks (one, or two side by side) and the
 * recipients ("Nơi nhận:"). The layout is A4, margins 20/20/30/15 mm (top, bottom, left,
 * right), Liberation Serif (Times New Roman's metrics), 13 pt (tables 12 pt). A table cell's
 * text may hold line breaks. Tables get their column widths as
 * shares of the text width and wrap their cells, so a table never runs off the page; in the PDF
 * a table that goes on to the next page repeats its header row.
 *
 * Strings are UTF-8 and copied into the document; the bodies of the heading, the title and the
 * signers' titles are put in upper case. Running out of memory is remembered and
 * reported by the renderers (500 "oom"), so building a document needs no checks per call.
 */
#ifndef CT_PAPER_PAPER_H
#define CT_PAPER_PAPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

typedef struct paper_doc paper_doc;

/* Text styles of a run, combined with |. */
enum { PAPER_PLAIN = 0, PAPER_BOLD = 1, PAPER_ITALIC = 2 };

typedef enum { PAPER_LEFT, PAPER_CENTER, PAPER_RIGHT, PAPER_JUSTIFY } paper_align;

#define PAPER_MAX_COLS 8
#define PAPER_MAX_SIGNATURES 2

typedef struct paper_header {
    const char *parent_body;  /* above the issuing body; NULL or "": none */
    const char *issuing_body; /* bold; NULL or "": an individual's paper (the
                                 national heading is then centred) */
    const char *number;       /* "Số: 12/GTN-CTS"; NULL or "": none */
    const char *place_date;   /* "Hà Nội, ngày 02 tháng 12 năm 2026" (italic) */
    const char *form_label;   /* top right, e.g. "Mẫu 01"; NULL or "": none */
} paper_header;

paper_doc *paper_new(void);
void paper_free(paper_doc *doc);

void paper_set_header(paper_doc *doc, const paper_header *h);
/* The title is printed bold in upper case as given; the subtitle (NULL: none) under it. */
void paper_set_title(paper_doc *doc, const char *title, const char *subtitle);
/* For the PDF's metadata: when the paper was made (Unix seconds), so the same content gives the
 * same bytes. */
void paper_set_created(paper_doc *doc, int64_t at);

/* A paragraph of runs: paper_para() starts it, paper_run() adds text to the last one. indent:
 * the first line is indented (body text). */
void paper_para(paper_doc *doc, paper_align align, bool indent);
void paper_run(paper_doc *doc, unsigned style, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A one-run paragraph. */
void paper_text(paper_doc *doc, paper_align align, bool indent, unsigned style, const char *fmt,
                ...) __attribute__((format(printf, 5, 6)));
/* A labelled line: "label: " in bold, then the value, left aligned. */
void paper_field(paper_doc *doc, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A table of n_cols columns with their headings and widths (shares of the text width, any
 * positive numbers), then its rows of n_cols cells each. */
void paper_table(paper_doc *doc, size_t n_cols, const char *const *heads, const double *widths);
void paper_table_row(paper_doc *doc, const char *const *cells);

/* A signature block: above (NULL: none, e.g. "ĐẠI DIỆN BÊN GIAO"), the signer's title (bold,
 * upper case as given), the italic "(Ký, ghi rõ họ tên)" note, room to sign, the name (bold;
 * NULL or "": a dotted line to write it on). At most PAPER_MAX_SIGNATURES, side by side. */
void paper_signature(paper_doc *doc, const char *above, const char *title, const char *name);
/* A line of "Nơi nhận:" (recipients), printed at the bottom left. */
void paper_recipient(paper_doc *doc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Render into out (appended). HTML: one self-contained page with its own print style sheet. PDF:
 * fonts embedded. -1 with err filled when out of memory or when cairo fails. */
int paper_html(const paper_doc *doc, ct_buf *out, ct_error *err);
int paper_pdf(const paper_doc *doc, ct_buf *out, ct_error *err);

#endif
