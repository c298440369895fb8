/*
 * app_report_svg.c — the report's charts as SVG text, drawn here so that the portal shows them
 * as plain images (no script draws them) and anyone can save one into a document.
 *
 * Each chart is 360 units wide: shown in a phone's 375 px its 15-unit text stays about 14 px.
 * Labels go above their bars, on a line of their own, so a long Vietnamese agency name needs
 * no room beside the bar. Every text from the records is escaped (buf_append_html escapes the
 * five XML specials); <title> and <desc> say what the chart shows, for screen readers.
 */
#include "app/app_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define WIDTH 360
#define BAR_MAX 260    /* the longest bar; the count goes after it */
#define LABEL_CHARS 42 /* what fits on a 360-unit line in bold at 15 units */
#define COLOR_RECEIVED "#1f4e79"
#define COLOR_COMPLETED "#2e7d32"
#define COLOR_TRACK "#e6e6e6"
#define COLOR_LATE "#b3261e"

/* text, escaped, cut after max characters (never inside one) with an ellipsis */
static void svg_text(ct_buf *b, const char *text, size_t max)
{
    size_t chars = 0, i = 0;
    char cut[1024];

    for (; text[i] && i < sizeof cut - 4; i++) {
        if (((unsigned char)text[i] & 0xC0) != 0x80 && chars++ == max)
            break;
    }
    /* back to the start of a character if the copy's room ran out inside one */
    while (i > 0 && ((unsigned char)text[i] & 0xC0) == 0x80)
        i--;
    memcpy(cut, text, i);
    cut[i] = '\0';
    if (text[i])
        strcat(cut, "…");
    buf_append_html(b, cut);
}

static void svg_begin(ct_buf *b, int height, const char *title, const app_report_data *r)
{
    buf_printf(b,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
               "height=\"%d\" role=\"img\" aria-labelledby=\"chart-title chart-desc\" "
               "font-family=\"Liberation Sans, Arial, sans-serif\" font-size=\"15\">"
               "<title id=\"chart-title\">",
               WIDTH, height, WIDTH, height);
    buf_append_html(b, title);
    buf_printf(b, ", %s – %s", r->from, r->to);
    if (r->agency[0]) {
        buf_append_str(b, " (");
        buf_append_html(b, r->agency);
        buf_append_str(b, ")");
    }
    buf_append_str(b, "</title>");
    buf_printf(b, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>", WIDTH, height);
}

static int svg_take(ct_buf *b, char **out, ct_error *err)
{
    buf_append_str(b, "</svg>\n");
    if ((*out = buf_take_text(b)) == NULL)
        return ct_fail(err, 500, "report.memory", "không đủ bộ nhớ để vẽ biểu đồ",
                       "out of memory while drawing the chart");
    return 0;
}

static int bar_width(int64_t value, int64_t max)
{
    if (value <= 0 || max <= 0)
        return 0;
    /* a non-zero count is always visible */
    return (int)fmax(2.0, round((double)BAR_MAX * (double)value / (double)max));
}

/* Dossiers received and completed, two bars per agency. */
static void chart_agencies(ct_buf *b, const app_report_data *r)
{
    int64_t max = 0;
    int row_h = 68, top = 40;
    int height = top + (int)(r->rows.n ? r->rows.n : 1) * row_h + 8;

    for (size_t i = 0; i < r->rows.n; i++) {
        if (r->rows.items[i].received > max)
            max = r->rows.items[i].received;
        if (r->rows.items[i].completed > max)
            max = r->rows.items[i].completed;
    }
    svg_begin(b, height, "Hồ sơ tiếp nhận và hoàn thành theo cơ quan", r);
    buf_printf(b, "<desc id=\"chart-desc\">");
    for (size_t i = 0; i < r->rows.n; i++) {
        buf_append_html(b, r->rows.items[i].name);
        buf_printf(b, ": tiếp nhận %lld, hoàn thành %lld. ", (long long)r->rows.items[i].received,
                   (long long)r->rows.items[i].completed);
    }
    buf_append_str(b, "</desc>");
    /* the legend */
    buf_printf(b,
               "<rect x=\"0\" y=\"8\" width=\"15\" height=\"15\" fill=\"" COLOR_RECEIVED "\"/>"
               "<text x=\"21\" y=\"21\">Tiếp nhận</text>"
               "<rect x=\"120\" y=\"8\" width=\"15\" height=\"15\" fill=\"" COLOR_COMPLETED "\"/>"
               "<text x=\"141\" y=\"21\">Hoàn thành</text>");
    if (r->rows.n == 0)
        buf_printf(b, "<text x=\"0\" y=\"%d\" fill=\"#555555\">Không có hồ sơ trong kỳ</text>",
                   top + 20);
    for (size_t i = 0; i < r->rows.n; i++) {
        const app_report_row *row = &r->rows.items[i];
        int y = top + (int)i * row_h;
        int w1 = bar_width(row->received, max), w2 = bar_width(row->completed, max);

        buf_printf(b, "<text x=\"0\" y=\"%d\" font-weight=\"bold\">", y + 15);
        svg_text(b, row->name, LABEL_CHARS);
        buf_printf(b, "</text>");
        buf_printf(b,
                   "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"16\" fill=\"" COLOR_RECEIVED
                   "\"/><text x=\"%d\" y=\"%d\">%lld</text>",
                   y + 22, w1, w1 + 6, y + 36, (long long)row->received);
        buf_printf(b,
                   "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"16\" fill=\"" COLOR_COMPLETED
                   "\"/><text x=\"%d\" y=\"%d\">%lld</text>",
                   y + 42, w2, w2 + 6, y + 56, (long long)row->completed);
    }
}

/* "85,7%" as Vietnamese writes it */
static void percent_text(char *out, size_t size, const app_report_step *s)
{
    double p = round(1000.0 * (double)s->on_time / (double)s->done) / 10.0;
    char *dot;

    snprintf(out, size, "%.1f%% (%lld/%lld)", p, (long long)s->on_time, (long long)s->done);
    if ((dot = strchr(out, '.')) != NULL)
        *dot = ',';
}

static void median_text(char *out, size_t size, double days)
{
    char *dot;

    snprintf(out, size, "%g", days);
    if ((dot = strchr(out, '.')) != NULL)
        *dot = ',';
}

/* The on-time rate of steps 2 and 4 as bars out of 100%; step 3 beside them, as text. */
static void chart_on_time(ct_buf *b, const app_report_data *r)
{
    const struct {
        const char *label;
        const app_report_step *s;
    } steps[] = {
        {"Bước 2 — hạn 3 ngày làm việc", &r->total.step2},
        {"Bước 4 — hạn 1 ngày làm việc", &r->total.step4},
    };
    const app_report_step *s3 = &r->total.step3;
    int row_h = 72, height = 2 * row_h + 108;
    char text[96], days[32];

    svg_begin(b, height, "Tỉ lệ đúng hạn theo bước", r);
    buf_append_str(b, "<desc id=\"chart-desc\">");
    for (size_t i = 0; i < 2; i++) {
        buf_append_str(b, steps[i].label);
        if (steps[i].s->done) {
            percent_text(text, sizeof text, steps[i].s);
            buf_printf(b, ": đúng hạn %s. ", text);
        } else {
            buf_append_str(b, ": chưa có bước nào xong trong kỳ. ");
        }
    }
    buf_append_str(b,
                   "Bước 2: từ tiếp nhận đến thông báo hẹn nhận thiết bị. Bước 4: từ đề nghị thời "
                   "điểm có hiệu lực đến công bố. Bước 3 là thời gian của cơ quan, không tính "
                   "cho Cục.</desc>");
    for (size_t i = 0; i < 2; i++) {
        const app_report_step *s = steps[i].s;
        int y = (int)i * row_h + 4, on = 0;

        buf_printf(b, "<text x=\"0\" y=\"%d\" font-weight=\"bold\">%s</text>", y + 15,
                   steps[i].label);
        buf_printf(b,
                   "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"20\" fill=\"" COLOR_TRACK "\"/>",
                   y + 22, BAR_MAX);
        if (s->done) {
            on = (int)round((double)BAR_MAX * (double)s->on_time / (double)s->done);
            percent_text(text, sizeof text, s);
            buf_printf(b,
                       "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"20\" fill=\"" COLOR_COMPLETED
                       "\"/><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"20\" fill=\"" COLOR_LATE
                       "\"/><text x=\"0\" y=\"%d\">đúng hạn %s",
                       y + 22, on, on, y + 22, BAR_MAX - on, y + 60, text);
            if (s->median_days >= 0) {
                median_text(days, sizeof days, s->median_days);
                buf_printf(b, ", trung vị %s ngày", days);
            }
            buf_append_str(b, "</text>");
        } else {
            buf_printf(b, "<text x=\"8\" y=\"%d\" fill=\"#555555\">chưa có</text>", y + 38);
        }
    }
    buf_printf(b,
               "<text x=\"0\" y=\"%d\" font-weight=\"bold\">Bước 3 — thời gian của cơ quan</text>"
               "<text x=\"0\" y=\"%d\" fill=\"#555555\">(không tính cho Cục)</text>",
               2 * row_h + 19, 2 * row_h + 38);
    if (s3->done) {
        median_text(days, sizeof days, s3->median_days);
        buf_printf(b, "<text x=\"0\" y=\"%d\">%lld lượt, trung vị %s ngày làm việc</text>",
                   2 * row_h + 60, (long long)s3->done, days);
    } else {
        buf_printf(b, "<text x=\"0\" y=\"%d\" fill=\"#555555\">chưa có</text>", 2 * row_h + 60);
    }
    /* the legend of the bars' two colours */
    buf_printf(b,
               "<rect x=\"0\" y=\"%d\" width=\"15\" height=\"15\" fill=\"" COLOR_COMPLETED
               "\"/><text x=\"21\" y=\"%d\">đúng hạn</text><rect x=\"120\" y=\"%d\" width=\"15\" "
               "height=\"15\" fill=\"" COLOR_LATE "\"/><text x=\"141\" y=\"%d\">trễ hạn</text>",
               height - 22, height - 9, height - 22, height - 9);
}

int app_report_svg(const app_report_data *r, const char *chart, char **out, ct_error *err)
{
    ct_buf b = {0};

    if (strcmp(chart, "agencies") == 0)
        chart_agencies(&b, r);
    else if (strcmp(chart, "on_time") == 0)
        chart_on_time(&b, r);
    else
        return ct_fail(err, 404, "report.no_chart",
                       "không có biểu đồ \"%.40s\" (agencies, on_time)",
                       "no chart \"%.40s\" (agencies, on_time)", chart);
    return svg_take(&b, out, err);
}
