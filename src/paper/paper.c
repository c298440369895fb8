/*
 * paper.c — building the document model of an official paper (paper.h). Every string is copied;
 * a failed allocation marks the document failed instead of being reported per call.
 */
#include "paper/paper_internal.h"

#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *copy(paper_doc *doc, const char *s)
{
    char *c;

    if (s == NULL || s[0] == '\0')
        return NULL;
    c = strdup(s);
    if (c == NULL)
        doc->failed = true;
    return c;
}

/* Upper case, as Decree 30 sets bodies, titles and signers' titles (Vietnamese letters too). */
static char *upper(paper_doc *doc, const char *s)
{
    gchar *g;
    char *c;

    if (s == NULL || s[0] == '\0')
        return NULL;
    g = g_utf8_strup(s, -1);
    c = g ? strdup(g) : NULL;
    g_free(g);
    if (c == NULL)
        doc->failed = true;
    return c;
}

static char *vformat(paper_doc *doc, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static char *vformat(paper_doc *doc, const char *fmt, va_list ap)
{
    char *s = NULL;

    if (vasprintf(&s, fmt, ap) < 0) {
        doc->failed = true;
        return NULL;
    }
    return s;
}

paper_doc *paper_new(void)
{
    return calloc(1, sizeof(paper_doc));
}

static void block_free(paper_block *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->items[i].text);
    free(b->items);
    for (size_t c = 0; c < b->table.n_cols; c++)
        free(b->table.heads[c]);
    for (size_t i = 0; i < b->table.n_rows * b->table.n_cols; i++)
        free(b->table.cells[i]);
    free(b->table.cells);
}

void paper_free(paper_doc *doc)
{
    if (doc == NULL)
        return;
    free(doc->parent_body);
    free(doc->issuing_body);
    free(doc->number);
    free(doc->place_date);
    free(doc->form_label);
    free(doc->title);
    free(doc->subtitle);
    for (size_t i = 0; i < doc->n; i++)
        block_free(&doc->items[i]);
    free(doc->items);
    for (size_t i = 0; i < doc->n_sigs; i++) {
        free(doc->sigs[i].above);
        free(doc->sigs[i].title);
        free(doc->sigs[i].name);
    }
    for (size_t i = 0; i < doc->n_recipients; i++)
        free(doc->recipients[i]);
    free(doc->recipients);
    free(doc);
}

void paper_set_header(paper_doc *doc, const paper_header *h)
{
    doc->parent_body = upper(doc, h->parent_body);
    doc->issuing_body = upper(doc, h->issuing_body);
    doc->number = copy(doc, h->number);
    doc->place_date = copy(doc, h->place_date);
    doc->form_label = copy(doc, h->form_label);
}

void paper_set_title(paper_doc *doc, const char *title, const char *subtitle)
{
    doc->title = upper(doc, title);
    doc->subtitle = copy(doc, subtitle);
}

void paper_set_created(paper_doc *doc, int64_t at)
{
    doc->created_at = at;
}

static paper_block *new_block(paper_doc *doc, paper_block_kind kind)
{
    paper_block b = {.kind = kind};

    if (vec_push(doc, b) != 0) {
        doc->failed = true;
        return NULL;
    }
    return &doc->items[doc->n - 1];
}

void paper_para(paper_doc *doc, paper_align align, bool indent)
{
    paper_block *b = new_block(doc, BLOCK_PARA);

    if (b) {
        b->align = align;
        b->indent = indent;
    }
}

static void add_run(paper_doc *doc, unsigned style, char *text)
{
    paper_block *b = doc->n ? &doc->items[doc->n - 1] : NULL;
    paper_run_t run = {text, style};

    if (text == NULL)
        return;
    if (b == NULL || b->kind != BLOCK_PARA || vec_push(b, run) != 0) {
        free(text);
        doc->failed = true;
    }
}

void paper_run(paper_doc *doc, unsigned style, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    add_run(doc, style, vformat(doc, fmt, ap));
    va_end(ap);
}

void paper_text(paper_doc *doc, paper_align align, bool indent, unsigned style, const char *fmt,
                ...)
{
    va_list ap;

    paper_para(doc, align, indent);
    va_start(ap, fmt);
    add_run(doc, style, vformat(doc, fmt, ap));
    va_end(ap);
}

void paper_field(paper_doc *doc, const char *label, const char *fmt, ...)
{
    va_list ap;

    paper_para(doc, PAPER_LEFT, false);
    paper_run(doc, PAPER_BOLD, "%s: ", label);
    va_start(ap, fmt);
    add_run(doc, PAPER_PLAIN, vformat(doc, fmt, ap));
    va_end(ap);
}

void paper_table(paper_doc *doc, size_t n_cols, const char *const *heads, const double *widths)
{
    paper_block *b;
    double sum = 0;

    if (n_cols == 0 || n_cols > PAPER_MAX_COLS) {
        doc->failed = true;
        return;
    }
    b = new_block(doc, BLOCK_TABLE);
    if (b == NULL)
        return;
    b->table.n_cols = n_cols;
    for (size_t c = 0; c < n_cols; c++)
        sum += widths[c] > 0 ? widths[c] : 1;
    for (size_t c = 0; c < n_cols; c++) {
        b->table.heads[c] = copy(doc, heads[c]);
        b->table.widths[c] = (widths[c] > 0 ? widths[c] : 1) / sum;
    }
}

void paper_table_row(paper_doc *doc, const char *const *cells)
{
    paper_block *b = doc->n ? &doc->items[doc->n - 1] : NULL;
    paper_table_t *t;

    if (b == NULL || b->kind != BLOCK_TABLE) {
        doc->failed = true;
        return;
    }
    t = &b->table;
    if (t->n_rows == t->cap_rows) {
        size_t cap = t->cap_rows ? t->cap_rows * 2 : 16;
        char **cells2 = realloc(t->cells, cap * t->n_cols * sizeof *cells2);
        if (cells2 == NULL) {
            doc->failed = true;
            return;
        }
        t->cells = cells2;
        t->cap_rows = cap;
    }
    for (size_t c = 0; c < t->n_cols; c++)
        t->cells[t->n_rows * t->n_cols + c] = copy(doc, cells[c]);
    t->n_rows++;
}

void paper_signature(paper_doc *doc, const char *above, const char *title, const char *name)
{
    paper_sig *s;

    if (doc->n_sigs == PAPER_MAX_SIGNATURES) {
        doc->failed = true;
        return;
    }
    s = &doc->sigs[doc->n_sigs++];
    s->above = upper(doc, above);
    s->title = upper(doc, title);
    s->name = copy(doc, name);
}

void paper_recipient(paper_doc *doc, const char *fmt, ...)
{
    va_list ap;
    char *line;

    va_start(ap, fmt);
    line = vformat(doc, fmt, ap);
    va_end(ap);
    if (line == NULL)
        return;
    if (doc->n_recipients == doc->cap_recipients) {
        size_t cap = doc->cap_recipients ? doc->cap_recipients * 2 : 4;
        char **r = realloc(doc->recipients, cap * sizeof *r);
        if (r == NULL) {
            free(line);
            doc->failed = true;
            return;
        }
        doc->recipients = r;
        doc->cap_recipients = cap;
    }
    doc->recipients[doc->n_recipients++] = line;
}
