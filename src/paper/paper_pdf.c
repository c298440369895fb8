/*
 * paper_pdf.c — an official paper as PDF: cairo's PDF surface written into a ct_buf, text set
 * by pango in Liberation Serif (cairo embeds the subset of the font the paper uses), laid out as
 * Decree 30/2020 asks: A4, margins 20/20/30/15 mm, the heading in two columns, page numbers at
 * the top centre from the second page on.
 *
 * Text flows line by line, so a long paragraph or table goes on to the next page instead of
 * being cut; a table row is never split, and a table that continues repeats its header row.
 */
#include "paper/paper_internal.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MM (72.0 / 25.4)
#define PAGE_W (210.0 * MM)
#define PAGE_H (297.0 * MM)
#define MARGIN_TOP (20.0 * MM)
#define MARGIN_BOTTOM (20.0 * MM)
#define MARGIN_LEFT (30.0 * MM)
#define MARGIN_RIGHT (15.0 * MM)
#define TEXT_W (PAGE_W - MARGIN_LEFT - MARGIN_RIGHT)
#define BOTTOM (PAGE_H - MARGIN_BOTTOM)
#define FONT "Liberation Serif"
#define BODY_PT 13.0
#define TABLE_PT 12.0 /* tables a point smaller, so that a serial keeps to one line */
#define CELL_PAD 3.0
#define RULE_W 0.6

typedef struct pdf {
    cairo_t *cr;
    double y; /* top of the next thing to draw */
    int page;
} pdf;

static PangoLayout *layout(pdf *p, double width, double size, unsigned style, paper_align align,
                           const char *text)
{
    PangoLayout *l = pango_cairo_create_layout(p->cr);
    PangoFontDescription *f = pango_font_description_new();

    pango_font_description_set_family(f, FONT);
    pango_font_description_set_absolute_size(f, size * PANGO_SCALE);
    pango_font_description_set_weight(f,
                                      style & PAPER_BOLD ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_style(f, style & PAPER_ITALIC ? PANGO_STYLE_ITALIC
                                                             : PANGO_STYLE_NORMAL);
    pango_layout_set_font_description(l, f);
    pango_font_description_free(f);
    pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(l, align == PAPER_CENTER  ? PANGO_ALIGN_CENTER
                                  : align == PAPER_RIGHT ? PANGO_ALIGN_RIGHT
                                                         : PANGO_ALIGN_LEFT);
    pango_layout_set_justify(l, align == PAPER_JUSTIFY);
    pango_layout_set_text(l, text ? text : "", -1);
    {
        /* a serial broken across lines must not gain a hyphen that is not in it */
        PangoAttrList *attrs = pango_attr_list_new();
        pango_attr_list_insert(attrs, pango_attr_insert_hyphens_new(FALSE));
        pango_layout_set_attributes(l, attrs);
        pango_attr_list_unref(attrs);
    }
    return l;
}

static double height_of(PangoLayout *l)
{
    int w, h;

    pango_layout_get_size(l, &w, &h);
    return (double)h / PANGO_SCALE;
}

static double width_of(PangoLayout *l)
{
    int w, h;

    pango_layout_get_size(l, &w, &h);
    return (double)w / PANGO_SCALE;
}

/* Draw a layout whole at (x, y) and unref it; gives its height. */
static double put(pdf *p, PangoLayout *l, double x, double y)
{
    double h = height_of(l);

    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, l);
    g_object_unref(l);
    return h;
}

static void rule(pdf *p, double x0, double x1, double y)
{
    cairo_set_line_width(p->cr, RULE_W);
    cairo_move_to(p->cr, x0, y);
    cairo_line_to(p->cr, x1, y);
    cairo_stroke(p->cr);
}

/* The next page: its number at the top centre (Decree 30: from the second page on). */
static void new_page(pdf *p)
{
    char n[16];

    cairo_show_page(p->cr);
    p->page++;
    p->y = MARGIN_TOP;
    snprintf(n, sizeof n, "%d", p->page);
    put(p, layout(p, TEXT_W, BODY_PT, PAPER_PLAIN, PAPER_CENTER, n), MARGIN_LEFT,
        MARGIN_TOP - 10.0 * MM);
}

/* Draw a layout line by line from p->y, turning the page where a line would cross the bottom
 * margin; unrefs it. */
static void flow(pdf *p, PangoLayout *l, double x)
{
    PangoLayoutIter *it = pango_layout_get_iter(l);
    double top_of_layout = p->y, shift = 0;

    do {
        PangoRectangle logical;
        double line_top, line_h, baseline;

        pango_layout_iter_get_line_extents(it, NULL, &logical);
        line_top = top_of_layout + shift + (double)logical.y / PANGO_SCALE;
        line_h = (double)logical.height / PANGO_SCALE;
        if (line_top + line_h > BOTTOM && line_top > MARGIN_TOP) {
            new_page(p);
            shift += MARGIN_TOP - line_top;
            line_top = MARGIN_TOP;
        }
        baseline = top_of_layout + shift + (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
        cairo_move_to(p->cr, x + (double)logical.x / PANGO_SCALE, baseline);
        pango_cairo_show_layout_line(p->cr, pango_layout_iter_get_line_readonly(it));
        p->y = line_top + line_h;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    g_object_unref(l);
}

/* The runs of a paragraph as one text with their styles as attributes. */
static PangoLayout *para_layout(pdf *p, const paper_block *b, double width)
{
    GString *text = g_string_new(NULL);
    PangoAttrList *attrs = pango_attr_list_new();
    PangoLayout *l;

    for (size_t i = 0; i < b->n; i++) {
        guint start = (guint)text->len;
        g_string_append(text, b->items[i].text);
        if (b->items[i].style & PAPER_BOLD) {
            PangoAttribute *a = pango_attr_weight_new(PANGO_WEIGHT_BOLD);
            a->start_index = start;
            a->end_index = (guint)text->len;
            pango_attr_list_insert(attrs, a);
        }
        if (b->items[i].style & PAPER_ITALIC) {
            PangoAttribute *a = pango_attr_style_new(PANGO_STYLE_ITALIC);
            a->start_index = start;
            a->end_index = (guint)text->len;
            pango_attr_list_insert(attrs, a);
        }
    }
    pango_attr_list_insert(attrs, pango_attr_insert_hyphens_new(FALSE));
    l = layout(p, width, BODY_PT, PAPER_PLAIN, b->align, text->str);
    pango_layout_set_attributes(l, attrs);
    if (b->indent)
        pango_layout_set_indent(l, (int)(12.7 * MM * PANGO_SCALE));
    pango_attr_list_unref(attrs);
    g_string_free(text, TRUE);
    return l;
}

/* Decree 30's heading: the issuing body on the left, the national heading on the right, as wide
 * as it needs to stay on one line. */
static void heading(pdf *p, const paper_doc *d)
{
    double y = p->y, left_y, right_y, right_w, left_w, x_right, w;
    PangoLayout *l;

    if (d->form_label) {
        y += put(p, layout(p, TEXT_W, BODY_PT, PAPER_BOLD, PAPER_RIGHT, d->form_label), MARGIN_LEFT,
                 y);
        y += 4;
    }
    if (d->issuing_body == NULL) {
        y +=
            put(p, layout(p, TEXT_W, 12.0, PAPER_BOLD, PAPER_CENTER, PAPER_NATION), MARGIN_LEFT, y);
        l = layout(p, TEXT_W, BODY_PT, PAPER_BOLD, PAPER_CENTER, PAPER_MOTTO);
        pango_layout_set_width(l, -1);
        w = width_of(l);
        y += put(p, l, MARGIN_LEFT + (TEXT_W - w) / 2, y);
        rule(p, MARGIN_LEFT + (TEXT_W - w) / 2, MARGIN_LEFT + (TEXT_W + w) / 2, y + 1);
        y += 8;
        if (d->place_date)
            y += put(p, layout(p, TEXT_W, BODY_PT, PAPER_ITALIC, PAPER_RIGHT, d->place_date),
                     MARGIN_LEFT, y);
        p->y = y + 12;
        return;
    }
    l = layout(p, TEXT_W, 12.0, PAPER_BOLD, PAPER_CENTER, PAPER_NATION);
    pango_layout_set_width(l, -1);
    right_w = width_of(l) + 16;
    g_object_unref(l);
    left_w = TEXT_W - right_w;
    x_right = MARGIN_LEFT + left_w;

    left_y = y;
    if (d->parent_body)
        left_y += put(p, layout(p, left_w, BODY_PT, PAPER_PLAIN, PAPER_CENTER, d->parent_body),
                      MARGIN_LEFT, left_y);
    left_y += put(p, layout(p, left_w, BODY_PT, PAPER_BOLD, PAPER_CENTER, d->issuing_body),
                  MARGIN_LEFT, left_y);
    rule(p, MARGIN_LEFT + left_w / 3, MARGIN_LEFT + 2 * left_w / 3, left_y + 1);
    left_y += 8;
    if (d->number)
        left_y += put(p, layout(p, left_w, BODY_PT, PAPER_PLAIN, PAPER_CENTER, d->number),
                      MARGIN_LEFT, left_y);

    right_y = y;
    right_y +=
        put(p, layout(p, right_w, 12.0, PAPER_BOLD, PAPER_CENTER, PAPER_NATION), x_right, right_y);
    l = layout(p, right_w, BODY_PT, PAPER_BOLD, PAPER_CENTER, PAPER_MOTTO);
    pango_layout_set_width(l, -1);
    w = width_of(l);
    right_y += put(p, l, x_right + (right_w - w) / 2, right_y);
    rule(p, x_right + (right_w - w) / 2, x_right + (right_w + w) / 2, right_y + 1);
    right_y += 8;
    if (d->place_date)
        right_y += put(p, layout(p, right_w, BODY_PT, PAPER_ITALIC, PAPER_CENTER, d->place_date),
                       x_right, right_y);
    p->y = (left_y > right_y ? left_y : right_y) + 14;
}

static void title(pdf *p, const paper_doc *d)
{
    if (d->title)
        p->y +=
            put(p, layout(p, TEXT_W, 14.0, PAPER_BOLD, PAPER_CENTER, d->title), MARGIN_LEFT, p->y);
    if (d->subtitle)
        p->y += put(p, layout(p, TEXT_W, BODY_PT, PAPER_BOLD, PAPER_CENTER, d->subtitle),
                    MARGIN_LEFT, p->y);
    p->y += 10;
}

/* One row of a table: the cells' layouts, laid out but not drawn. */
typedef struct row_layouts {
    PangoLayout *cell[PAPER_MAX_COLS];
    double height;
} row_layouts;

static void row_make(pdf *p, const paper_table_t *t, char *const *cells, bool head, row_layouts *r)
{
    r->height = 0;
    for (size_t c = 0; c < t->n_cols; c++) {
        double h;
        r->cell[c] = layout(p, t->widths[c] * TEXT_W - 2 * CELL_PAD, TABLE_PT,
                            head ? PAPER_BOLD : PAPER_PLAIN, head ? PAPER_CENTER : PAPER_LEFT,
                            paper_str(cells[c]));
        h = height_of(r->cell[c]);
        if (h > r->height)
            r->height = h;
    }
    r->height += 2 * CELL_PAD;
}

static void row_draw(pdf *p, const paper_table_t *t, row_layouts *r)
{
    double x = MARGIN_LEFT;

    cairo_set_line_width(p->cr, RULE_W);
    for (size_t c = 0; c < t->n_cols; c++) {
        double w = t->widths[c] * TEXT_W;
        cairo_rectangle(p->cr, x, p->y, w, r->height);
        cairo_stroke(p->cr);
        put(p, r->cell[c], x + CELL_PAD, p->y + CELL_PAD);
        x += w;
    }
    p->y += r->height;
}

static void table(pdf *p, const paper_table_t *t)
{
    row_layouts head, row;

    p->y += 4;
    row_make(p, t, t->heads, true, &head);
    for (size_t r = 0; r < t->n_rows; r++) {
        row_make(p, t, &t->cells[r * t->n_cols], false, &row);
        /* the header goes with the first row; a row that does not fit goes to the next page
         * under the header again (a row taller than a page is drawn and runs past the margin:
         * cells are bounded well below that) */
        if (p->y + (r == 0 ? head.height : 0) + row.height > BOTTOM && p->y > MARGIN_TOP + 1) {
            new_page(p);
            if (r > 0) {
                row_layouts again;
                row_make(p, t, t->heads, true, &again);
                row_draw(p, t, &again);
            }
        }
        if (r == 0) {
            row_draw(p, t, &head);
            head.cell[0] = NULL;
        }
        row_draw(p, t, &row);
    }
    if (t->n_rows == 0) {
        if (p->y + head.height > BOTTOM)
            new_page(p);
        row_draw(p, t, &head);
    } else if (head.cell[0] != NULL) {
        for (size_t c = 0; c < t->n_cols; c++)
            g_object_unref(head.cell[c]);
    }
    p->y += 8;
}

/* A signature block: the lines above the room to sign (what it is, the title, the note), then
 * the name. Side by side blocks put their names on one line: name_at is where the name goes
 * below p->y (0: right under the room). Gives the height of the upper lines (draw false) or
 * of the whole block. */
#define SIGN_ROOM (20.0 * MM)

static double sign_upper(pdf *p, const paper_sig *s, double x, double w, bool draw)
{
    double y = p->y;
    PangoLayout *l[3];
    size_t n = 0;

    if (s->above)
        l[n++] = layout(p, w, BODY_PT, PAPER_BOLD, PAPER_CENTER, s->above);
    if (s->title)
        l[n++] = layout(p, w, BODY_PT, PAPER_BOLD, PAPER_CENTER, s->title);
    l[n++] = layout(p, w, BODY_PT, PAPER_ITALIC, PAPER_CENTER, PAPER_SIGN_NOTE);
    for (size_t i = 0; i < n; i++) {
        if (draw)
            y += put(p, l[i], x, y);
        else {
            y += height_of(l[i]);
            g_object_unref(l[i]);
        }
    }
    return y - p->y;
}

static double sign_name(pdf *p, const paper_sig *s, double x, double w, double at, bool draw)
{
    PangoLayout *l =
        layout(p, w, BODY_PT, PAPER_BOLD, PAPER_CENTER, s->name ? s->name : PAPER_DOTS);
    double h = height_of(l);

    if (draw)
        put(p, l, x, p->y + at);
    else
        g_object_unref(l);
    return h;
}

static double recipients(pdf *p, const paper_doc *d, double x, double y0, double w, bool draw)
{
    double y = y0;
    PangoLayout *l;

    if (d->n_recipients == 0)
        return 0;
    l = layout(p, w, 12.0, PAPER_BOLD | PAPER_ITALIC, PAPER_LEFT, "Nơi nhận:");
    if (draw)
        y += put(p, l, x, y);
    else {
        y += height_of(l);
        g_object_unref(l);
    }
    for (size_t i = 0; i < d->n_recipients; i++) {
        char *line = g_strdup_printf("- %s", d->recipients[i]);
        l = layout(p, w, 11.0, PAPER_PLAIN, PAPER_LEFT, line);
        g_free(line);
        if (draw)
            y += put(p, l, x, y);
        else {
            y += height_of(l);
            g_object_unref(l);
        }
    }
    return y - y0;
}

/* The foot kept together on one page: one signer on the right beside the recipients, or two
 * side by side with the recipients under them. */
static void foot(pdf *p, const paper_doc *d)
{
    double half = TEXT_W / 2, sig_x[PAPER_MAX_SIGNATURES], sig_w, upper = 0, name_h = 0, rec_w,
           rec_h, need, sig_h;

    if (d->n_sigs == 0 && d->n_recipients == 0)
        return;
    p->y += 8;
    if (d->n_sigs == 2) {
        sig_w = half;
        sig_x[0] = MARGIN_LEFT;
        sig_x[1] = MARGIN_LEFT + half;
        rec_w = TEXT_W;
    } else {
        sig_w = TEXT_W * 0.55;
        sig_x[0] = MARGIN_LEFT + TEXT_W - sig_w;
        rec_w = TEXT_W - sig_w - 6;
    }
    for (size_t i = 0; i < d->n_sigs; i++) {
        double u = sign_upper(p, &d->sigs[i], sig_x[i], sig_w, false);
        double n = sign_name(p, &d->sigs[i], sig_x[i], sig_w, 0, false);
        upper = u > upper ? u : upper;
        name_h = n > name_h ? n : name_h;
    }
    sig_h = d->n_sigs ? upper + SIGN_ROOM + name_h : 0;
    rec_h = recipients(p, d, MARGIN_LEFT, 0, rec_w, false);
    need = d->n_sigs == 2 ? sig_h + 10 + rec_h : (sig_h > rec_h ? sig_h : rec_h);
    if (p->y + need > BOTTOM)
        new_page(p);
    for (size_t i = 0; i < d->n_sigs; i++) {
        sign_upper(p, &d->sigs[i], sig_x[i], sig_w, true);
        sign_name(p, &d->sigs[i], sig_x[i], sig_w, upper + SIGN_ROOM, true);
    }
    /* Decree 30 sets "Nơi nhận:" level with a single signer's title, under two signers */
    recipients(p, d, MARGIN_LEFT, d->n_sigs == 2 ? p->y + sig_h + 10 : p->y, rec_w, true);
    p->y += need;
}

static cairo_status_t write_to_buf(void *closure, const unsigned char *data, unsigned int length)
{
    ct_buf *b = closure;

    buf_append(b, data, length);
    return buf_ok(b) ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

int paper_pdf(const paper_doc *d, ct_buf *out, ct_error *err)
{
    cairo_surface_t *s;
    cairo_status_t st;
    pdf p = {0};

    if (d->failed)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    s = cairo_pdf_surface_create_for_stream(write_to_buf, out, PAGE_W, PAGE_H);
    if (d->title)
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, d->title);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "chungthu");
    {
        /* a fixed creation date (the paper's own) gives the same bytes for the same paper */
        time_t t = (time_t)d->created_at;
        struct tm tm;
        char when[32];
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, when);
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, when);
    }
    p.cr = cairo_create(s);
    p.page = 1;
    p.y = MARGIN_TOP;
    cairo_set_source_rgb(p.cr, 0, 0, 0);

    heading(&p, d);
    title(&p, d);
    for (size_t i = 0; i < d->n; i++) {
        if (d->items[i].kind == BLOCK_PARA) {
            flow(&p, para_layout(&p, &d->items[i], TEXT_W), MARGIN_LEFT);
            p.y += 1.5;
        } else {
            table(&p, &d->items[i].table);
        }
    }
    foot(&p, d);

    cairo_show_page(p.cr);
    st = cairo_status(p.cr);
    cairo_destroy(p.cr);
    cairo_surface_finish(s);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(s);
    cairo_surface_destroy(s);
    if (!buf_ok(out) || st == CAIRO_STATUS_NO_MEMORY || st == CAIRO_STATUS_WRITE_ERROR)
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    if (st != CAIRO_STATUS_SUCCESS)
        return ct_fail(err, 500, "paper.pdf", "không tạo được tệp PDF: %s",
                       "could not make the PDF: %s", cairo_status_to_string(st));
    return 0;
}
