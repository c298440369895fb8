/*
 * paper_internal.h — the document model behind paper.h, shared by the builder (paper.c) and the
 * two renderers (paper_html.c, paper_pdf.c). Private to src/paper.
 */
#ifndef CT_PAPER_INTERNAL_H
#define CT_PAPER_INTERNAL_H

#include "paper/paper.h"

typedef struct paper_run_t {
    char *text;
    unsigned style;
} paper_run_t;

typedef struct paper_table_t {
    size_t n_cols;
    char *heads[PAPER_MAX_COLS];
    double widths[PAPER_MAX_COLS]; /* shares, summing to 1 */
    char **cells;                  /* n_rows * n_cols */
    size_t n_rows, cap_rows;
} paper_table_t;

typedef enum { BLOCK_PARA, BLOCK_TABLE } paper_block_kind;

typedef struct paper_block {
    paper_block_kind kind;
    /* BLOCK_PARA */
    paper_align align;
    bool indent;
    paper_run_t *items; /* runs */
    size_t n, cap;
    /* BLOCK_TABLE */
    paper_table_t table;
} paper_block;

typedef struct paper_sig {
    char *above, *title, *name;
} paper_sig;

struct paper_doc {
    bool failed; /* out of memory at some point: the renderers refuse */
    char *parent_body, *issuing_body, *number, *place_date, *form_label;
    char *title, *subtitle;
    int64_t created_at;
    paper_block *items; /* the body, in order */
    size_t n, cap;
    paper_sig sigs[PAPER_MAX_SIGNATURES];
    size_t n_sigs;
    char **recipients;
    size_t n_recipients, cap_recipients;
};

/* "" for NULL, so renderers need not check. */
static inline const char *paper_str(const char *s)
{
    return s ? s : "";
}

/* The note under a signer's title, and what stands for a name not yet known. */
#define PAPER_SIGN_NOTE "(Ký, ghi rõ họ tên)"
#define PAPER_DOTS "…………………………………"

/* The national heading and motto (Decree 30/2020, Appendix I). */
#define PAPER_NATION "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
#define PAPER_MOTTO "Độc lập - Tự do - Hạnh phúc"

#endif
