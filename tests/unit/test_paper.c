/*
 * test_paper.c — the official paper model of src/paper: the same document gives the same PDF
 * bytes (papers are stored and served again), a long table goes on over several pages, the HTML
 * carries the Decree 30 heading and escapes what it is given, and a document that could not be
 * built is refused by both renderers rather than printed incomplete.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paper/paper.h"

static paper_doc *sample(int rows)
{
    paper_doc *d = paper_new();
    paper_header h = {"BAN CƠ YẾU CHÍNH PHỦ", "CỤC CHỨNG THỰC SỐ VÀ BẢO MẬT THÔNG TIN",
                      "Số: 12/GTN-CTS", "Hà Nội, ngày 02 tháng 12 năm 2026", NULL};
    const char *heads[] = {"STT", "Họ và tên", "Số sê-ri"};
    const double widths[] = {1, 4, 4};

    assert_non_null(d);
    paper_set_header(d, &h);
    paper_set_title(d, "GIẤY TIẾP NHẬN HỒ SƠ", "Mã hồ sơ: X-1");
    paper_set_created(d, 1796000000);
    paper_text(d, PAPER_JUSTIFY, true, PAPER_PLAIN, "Nội dung <b>&amp; \"trích\"</b>");
    paper_field(d, "Phí, lệ phí", "0 đồng");
    paper_table(d, 3, heads, widths);
    for (int i = 1; i <= rows; i++) {
        char n[12], name[64];
        snprintf(n, sizeof n, "%d", i);
        snprintf(name, sizeof name, "Nguyễn Thị Hồng Nhung %d", i);
        const char *cells[] = {n, name, "4F3A9C0D12E45B6789ABCDEF0123456789ABCDEF"};
        paper_table_row(d, cells);
    }
    paper_signature(d, NULL, "NGƯỜI TIẾP NHẬN", "Trần Văn Bình");
    paper_recipient(d, "Lưu: VT.");
    return d;
}

/* Pages of a PDF: its page objects. */
static int pages(const ct_buf *b)
{
    int n = 0;
    const char *key = "/Type /Page %"; /* cairo writes "/Type /Page % 1" */
    size_t k = strlen(key);

    for (size_t i = 0; i + k <= b->len; i++)
        if (memcmp(b->data + i, key, k) == 0)
            n++;
    return n;
}

static void test_pdf_same_bytes(void **state)
{
    paper_doc *d = sample(3);
    ct_buf a = {0}, b = {0};
    ct_error err = {0};
    (void)state;

    assert_int_equal(paper_pdf(d, &a, &err), 0);
    assert_int_equal(paper_pdf(d, &b, &err), 0);
    assert_true(a.len > 1000);
    assert_memory_equal(a.data, "%PDF-", 5);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    assert_int_equal(pages(&a), 1);
    buf_free(&a);
    buf_free(&b);
    paper_free(d);
}

static void test_long_table_breaks_pages(void **state)
{
    paper_doc *d = sample(60);
    ct_buf a = {0};
    ct_error err = {0};
    (void)state;

    assert_int_equal(paper_pdf(d, &a, &err), 0);
    assert_true(pages(&a) >= 3);
    buf_free(&a);
    paper_free(d);
}

static void test_html(void **state)
{
    paper_doc *d = sample(2);
    ct_buf a = {0};
    ct_error err = {0};
    char *html;
    (void)state;

    assert_int_equal(paper_html(d, &a, &err), 0);
    html = buf_take_text(&a);
    assert_non_null(html);
    assert_non_null(strstr(html, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
    assert_non_null(strstr(html, "Độc lập - Tự do - Hạnh phúc"));
    assert_non_null(strstr(html, "@media print"));
    assert_non_null(strstr(html, "@page{size:A4;margin:20mm 15mm 20mm 30mm}"));
    assert_non_null(strstr(html, "Nội dung &lt;b&gt;&amp;amp; &quot;trích&quot;&lt;/b&gt;"));
    assert_null(strstr(html, "<b>&amp;"));
    assert_non_null(strstr(html, "Nguyễn Thị Hồng Nhung 2"));
    assert_non_null(strstr(html, "Nơi nhận:"));
    /* self-contained: nothing fetched from elsewhere */
    assert_null(strstr(html, "href="));
    assert_null(strstr(html, "src="));
    free(html);
    paper_free(d);
}

static void test_broken_document_refused(void **state)
{
    paper_doc *d = sample(1);
    ct_buf a = {0};
    ct_error err = {0};
    (void)state;

    /* a third signature block does not fit the layout: the document is marked failed */
    paper_signature(d, NULL, "A", "B");
    paper_signature(d, NULL, "C", "D");
    assert_int_equal(paper_pdf(d, &a, &err), -1);
    assert_int_equal(paper_html(d, &a, &err), -1);
    assert_int_equal(err.status, 500);
    buf_free(&a);
    paper_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pdf_same_bytes),
        cmocka_unit_test(test_long_table_breaks_pages),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_broken_document_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
