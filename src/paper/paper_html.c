/*
 * paper_html.c — an official paper as one self-contained, printable HTML page: the layout of
 * Decree 30/2020 in its own style sheet (A4, margins 20/20/30/15 mm, Liberation Serif, which has
 * Times New Roman's metrics), no outside resources, so that printing it from a browser gives
 * the paper the PDF gives.
 */
#include "paper/paper_internal.h"

static const char style_sheet[] =
    "@page{size:A4;margin:20mm 15mm 20mm 30mm}"
    "html{background:#eee}"
    "body{font-family:'Liberation Serif','Times New Roman',Times,serif;font-size:13pt;"
    "line-height:1.25;color:#000;background:#fff;width:165mm;min-height:257mm;"
    "margin:10mm auto;padding:20mm 15mm 20mm 30mm;box-sizing:content-box}"
    "@media print{html{background:none}body{margin:0;padding:0;width:auto;min-height:0}"
    ".no-print{display:none}}"
    "p{margin:0 0 4pt}"
    ".head{width:100%;border-collapse:collapse;table-layout:fixed;margin-bottom:10pt}"
    ".head td{vertical-align:top;text-align:center;padding:0}"
    ".parent{font-size:13pt}"
    ".body-name{font-size:13pt;font-weight:bold}"
    ".rule{display:inline-block;border-top:0.6pt solid #000;margin:1pt 0 4pt}"
    ".nation{font-size:12pt;font-weight:bold;white-space:nowrap}"
    ".motto{font-size:13pt;font-weight:bold;white-space:nowrap}"
    ".number{font-size:13pt;margin-top:2pt}"
    ".place{font-style:italic;font-size:13pt;margin-top:6pt}"
    ".form{text-align:right;font-weight:bold;font-size:13pt}"
    ".single-head{text-align:center;margin-bottom:10pt}"
    "h1{font-size:14pt;font-weight:bold;text-align:center;margin:12pt 0 0}"
    ".subtitle{text-align:center;font-weight:bold;margin:2pt 0 10pt}"
    ".indent{text-indent:1.27cm}"
    ".left{text-align:left}.center{text-align:center}.right{text-align:right}"
    ".justify{text-align:justify}"
    "table.grid{width:100%;border-collapse:collapse;table-layout:fixed;margin:6pt 0 8pt}"
    "table.grid th,table.grid td{border:0.6pt solid #000;padding:2pt 3pt;vertical-align:top;"
    "overflow-wrap:anywhere;word-break:break-word;font-size:12pt;white-space:pre-line}"
    "table.grid th{font-weight:bold;text-align:center}"
    "table.grid thead{display:table-header-group}"
    "table.grid tr{page-break-inside:avoid;break-inside:avoid}"
    ".foot{width:100%;border-collapse:collapse;table-layout:fixed;margin-top:12pt;"
    "page-break-inside:avoid;break-inside:avoid}"
    ".foot td{vertical-align:top;padding:0}"
    ".sig{text-align:center}"
    ".sig .above,.sig .title{font-weight:bold}"
    ".sig .note{font-style:italic}"
    ".sig .room{height:22mm}"
    ".sig .name{font-weight:bold}"
    ".recipients{font-size:11pt}"
    ".recipients .label{font-size:12pt;font-weight:bold;font-style:italic}";

static const char *align_class(paper_align a)
{
    switch (a) {
    case PAPER_CENTER:
        return "center";
    case PAPER_RIGHT:
        return "right";
    case PAPER_JUSTIFY:
        return "justify";
    case PAPER_LEFT:
        break;
    }
    return "left";
}

static void para(ct_buf *b, const paper_block *p)
{
    buf_printf(b, "<p class=\"%s%s\">", align_class(p->align), p->indent ? " indent" : "");
    for (size_t i = 0; i < p->n; i++) {
        const paper_run_t *r = &p->items[i];
        if (r->style & PAPER_BOLD)
            buf_append_str(b, "<b>");
        if (r->style & PAPER_ITALIC)
            buf_append_str(b, "<i>");
        buf_append_html(b, r->text);
        if (r->style & PAPER_ITALIC)
            buf_append_str(b, "</i>");
        if (r->style & PAPER_BOLD)
            buf_append_str(b, "</b>");
    }
    buf_append_str(b, "</p>\n");
}

static void table(ct_buf *b, const paper_table_t *t)
{
    buf_append_str(b, "<table class=\"grid\"><colgroup>");
    for (size_t c = 0; c < t->n_cols; c++)
        buf_printf(b, "<col style=\"width:%.2f%%\">", t->widths[c] * 100.0);
    buf_append_str(b, "</colgroup>\n<thead><tr>");
    for (size_t c = 0; c < t->n_cols; c++) {
        buf_append_str(b, "<th>");
        buf_append_html(b, t->heads[c]);
        buf_append_str(b, "</th>");
    }
    buf_append_str(b, "</tr></thead>\n<tbody>\n");
    for (size_t r = 0; r < t->n_rows; r++) {
        buf_append_str(b, "<tr>");
        for (size_t c = 0; c < t->n_cols; c++) {
            buf_append_str(b, "<td>");
            buf_append_html(b, t->cells[r * t->n_cols + c]);
            buf_append_str(b, "</td>");
        }
        buf_append_str(b, "</tr>\n");
    }
    buf_append_str(b, "</tbody></table>\n");
}

static void heading(ct_buf *b, const paper_doc *d)
{
    if (d->form_label) {
        buf_append_str(b, "<p class=\"form\">");
        buf_append_html(b, d->form_label);
        buf_append_str(b, "</p>\n");
    }
    if (d->issuing_body == NULL) {
        /* an individual's paper: the national heading alone, centred */
        buf_append_str(b, "<div class=\"single-head\"><div class=\"nation\">" PAPER_NATION
                          "</div><div class=\"motto\">" PAPER_MOTTO "</div>"
                          "<span class=\"rule\" style=\"width:58mm\"></span>");
        if (d->place_date) {
            buf_append_str(b, "<div class=\"place\" style=\"text-align:right\">");
            buf_append_html(b, d->place_date);
            buf_append_str(b, "</div>");
        }
        buf_append_str(b, "</div>\n");
        return;
    }
    buf_append_str(b, "<table class=\"head\"><colgroup><col style=\"width:40%\">"
                      "<col style=\"width:60%\"></colgroup><tr><td>");
    if (d->parent_body) {
        buf_append_str(b, "<div class=\"parent\">");
        buf_append_html(b, d->parent_body);
        buf_append_str(b, "</div>");
    }
    buf_append_str(b, "<div class=\"body-name\">");
    buf_append_html(b, d->issuing_body);
    buf_append_str(b, "</div><span class=\"rule\" style=\"width:25mm\"></span>");
    if (d->number) {
        buf_append_str(b, "<div class=\"number\">");
        buf_append_html(b, d->number);
        buf_append_str(b, "</div>");
    }
    buf_append_str(b, "</td><td><div class=\"nation\">" PAPER_NATION
                      "</div><div class=\"motto\">" PAPER_MOTTO
                      "</div><span class=\"rule\" style=\"width:58mm\"></span>");
    if (d->place_date) {
        buf_append_str(b, "<div class=\"place\">");
        buf_append_html(b, d->place_date);
        buf_append_str(b, "</div>");
    }
    buf_append_str(b, "</td></tr></table>\n");
}

static void signature(ct_buf *b, const paper_sig *s)
{
    buf_append_str(b, "<div class=\"sig\">");
    if (s->above) {
        buf_append_str(b, "<div class=\"above\">");
        buf_append_html(b, s->above);
        buf_append_str(b, "</div>");
    }
    buf_append_str(b, "<div class=\"title\">");
    buf_append_html(b, s->title);
    buf_append_str(b,
                   "</div><div class=\"note\">" PAPER_SIGN_NOTE "</div><div class=\"room\"></div>"
                   "<div class=\"name\">");
    buf_append_html(b, s->name ? s->name : PAPER_DOTS);
    buf_append_str(b, "</div></div>");
}

static void recipients(ct_buf *b, const paper_doc *d)
{
    if (d->n_recipients == 0)
        return;
    buf_append_str(b, "<div class=\"recipients\"><div class=\"label\">Nơi nhận:</div>");
    for (size_t i = 0; i < d->n_recipients; i++) {
        buf_append_str(b, "<div>- ");
        buf_append_html(b, d->recipients[i]);
        buf_append_str(b, "</div>");
    }
    buf_append_str(b, "</div>");
}

/* Decree 30's foot: one signer on the right with the recipients on the left beside it; two
 * signers side by side, the recipients under them. */
static void foot(ct_buf *b, const paper_doc *d)
{
    if (d->n_sigs == 0 && d->n_recipients == 0)
        return;
    buf_append_str(b, "<table class=\"foot\"><tr>");
    if (d->n_sigs == 2) {
        buf_append_str(b, "<td>");
        signature(b, &d->sigs[0]);
        buf_append_str(b, "</td><td>");
        signature(b, &d->sigs[1]);
        buf_append_str(b, "</td></tr>");
        if (d->n_recipients) {
            buf_append_str(b, "<tr><td colspan=\"2\" style=\"padding-top:10pt\">");
            recipients(b, d);
            buf_append_str(b, "</td></tr>");
        }
    } else {
        buf_append_str(b, "<td>");
        recipients(b, d);
        buf_append_str(b, "</td><td>");
        if (d->n_sigs)
            signature(b, &d->sigs[0]);
        buf_append_str(b, "</td></tr>");
    }
    buf_append_str(b, "</table>\n");
}

int paper_html(const paper_doc *d, ct_buf *b, ct_error *err)
{
    if (d->failed)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    buf_append_str(b, "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
                      "<meta name=\"viewport\" content=\"width=device-width\"><title>");
    buf_append_html(b, paper_str(d->title));
    buf_append_str(b, "</title><style>");
    buf_append_str(b, style_sheet);
    buf_append_str(b, "</style></head><body>\n");
    heading(b, d);
    if (d->title) {
        buf_append_str(b, "<h1>");
        buf_append_html(b, d->title);
        buf_append_str(b, "</h1>\n");
    }
    if (d->subtitle) {
        buf_append_str(b, "<p class=\"subtitle\">");
        buf_append_html(b, d->subtitle);
        buf_append_str(b, "</p>\n");
    } else {
        buf_append_str(b, "<p class=\"subtitle\"></p>\n");
    }
    for (size_t i = 0; i < d->n; i++) {
        if (d->items[i].kind == BLOCK_PARA)
            para(b, &d->items[i]);
        else
            table(b, &d->items[i].table);
    }
    foot(b, d);
    buf_append_str(b, "</body></html>\n");
    if (!buf_ok(b))
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    return 0;
}
