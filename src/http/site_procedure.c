/*
 * site_procedure.c — the public pages of procedure 1.010847 "Cấp mới chứng thư số cho cá
 * nhân": what it is, who may ask, the papers, the ways to submit, the conditions, the time
 * limits, the fee and the legal basis (as the national procedure database publishes it,
 * decision 1924/QĐ-BQP); the Mẫu 02 template to download; and the subscriber's own lookup
 * (dossier code and ID number → where the request stands, nothing about the person).
 *
 * Plain HTML forms, no JavaScript. The lookup goes through app_applicant_lookup, which counts
 * every try and limits misses; its answer is app_view_lookup's, the same the API gives.
 */
#include "http/http.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/calendar.h"

#define FORM_MAX (1024 * 1024)
#define LOOKUP_CODE_MAX 64
#define LOOKUP_ID_MAX 16

static const char *lookup_path(const http_request *r)
{
    return r->english ? "/procedure/lookup" : "/thu-tuc/tra-cuu";
}

/* The lookup box: a GET form to the lookup page, the code kept when given back (the ID
 * number never is: it is the person's). */
static void lookup_form(text *t, http_request *r, const char *code)
{
    text_add(t,
             "<form class=\"lookup\" method=\"get\" action=\"%s\" id=\"lookup\">\n"
             "<label><span>%s</span><input name=\"code\" required maxlength=\"%d\" "
             "autocomplete=\"off\" placeholder=\"G12.35.01.H99-260213-0001\" value=\"",
             lookup_path(r),
             L(r, "Mã hồ sơ (trên giấy tiếp nhận)", "Dossier code (on the receipt)"),
             LOOKUP_CODE_MAX - 1);
    text_add_escaped(t, code ? code : "");
    text_add(t,
             "\"></label>\n<label><span>%s</span><input name=\"id_number\" required "
             "maxlength=\"%d\" autocomplete=\"off\" inputmode=\"text\"></label>\n",
             L(r, "Số CCCD/CMND/Hộ chiếu của người đề nghị",
               "The applicant's ID card or passport number"),
             LOOKUP_ID_MAX - 1);
    if (r->english)
        text_add(t, "<input type=\"hidden\" name=\"lang\" value=\"en\">\n");
    text_add(t, "<button type=\"submit\">%s</button>\n</form>\n", L(r, "Tra cứu", "Look up"));
}

/* One row of a two-column table of facts. */
static void fact(text *t, const char *label, const char *value_html)
{
    text_add(t, "<tr><th scope=\"row\">%s</th><td>%s</td></tr>\n", label, value_html);
}

int site_procedure(http_request *r)
{
    const app_config *cfg = app_get_config(r->app);
    text t = {0};

    page_begin(&t, r,
               L(r, "Thủ tục cấp mới chứng thư số cho cá nhân",
                 "Issuing a new digital certificate to an individual"));
    text_add(&t, "<p class=\"muted\">%s 1.010847 · %s 1924/QĐ-BQP</p>\n<h1>%s</h1>\n",
             L(r, "Mã thủ tục", "Procedure code"), L(r, "Quyết định", "Decision"),
             L(r, "Thủ tục cấp mới chứng thư số cho cá nhân",
               "Issuing a new digital certificate to an individual"));
    text_add(&t, "<p>%s</p>\n",
             L(r,
               "Cấp chứng thư số và thiết bị lưu khóa bí mật (token) cho cán bộ, công chức, "
               "viên chức để ký số trong giao dịch điện tử. Chứng thư số có hiệu lực kể từ thời "
               "điểm được công bố trên trang này.",
               "A digital certificate and its private-key storage device (a token) for a cadre, "
               "civil servant or public employee, to sign electronic transactions. The "
               "certificate is valid from the moment it is published on this site."));

    text_add(&t,
             "<nav class=\"toc\" aria-label=\"%s\"><a href=\"#ai\">%s</a> "
             "<a href=\"#ho-so\">%s</a> <a href=\"#cach-nop\">%s</a> "
             "<a href=\"#trinh-tu\">%s</a> <a href=\"#can-cu\">%s</a> "
             "<a href=\"#tra-cuu\">%s</a></nav>\n",
             L(r, "Mục lục", "Contents"), L(r, "Ai được đề nghị", "Who may ask"),
             L(r, "Hồ sơ", "Documents"), L(r, "Cách nộp", "How to submit"),
             L(r, "Trình tự, thời hạn", "Steps and time limits"),
             L(r, "Căn cứ pháp lý", "Legal basis"), L(r, "Tra cứu hồ sơ", "Look up a dossier"));

    text_add(&t, "<table class=\"kv\" id=\"facts\">\n");
    fact(&t, L(r, "Phí, lệ phí", "Fee"),
         L(r, "<strong id=\"fee\">0 đồng</strong> (không thu phí, lệ phí)",
           "<strong id=\"fee\">0 VND</strong> (no fee or charge)"));
    fact(&t, L(r, "Thời hạn giải quyết", "Time limit"),
         L(r,
           "04 ngày làm việc kể từ ngày nhận đủ hồ sơ (trừ thứ Bảy, Chủ nhật và ngày nghỉ lễ, "
           "Tết), cộng thời gian cơ quan nhận và bàn giao thiết bị",
           "4 working days from receipt of a complete dossier (Saturdays, Sundays and public "
           "holidays excluded), plus the agency's own time to receive and hand over the "
           "device"));
    fact(&t, L(r, "Cơ quan thực hiện", "Performed by"),
         L(r, "Cục Chứng thực số và Bảo mật thông tin, Ban Cơ yếu Chính phủ",
           "Department of Digital Certification and Information Security, Government Cipher "
           "Committee"));
    fact(&t, L(r, "Địa chỉ tiếp nhận hồ sơ", "Where to submit"),
         "23 Ngụy Như Kon Tum, Thanh Xuân, Hà Nội");
    fact(&t, L(r, "Kết quả", "Result"),
         L(r, "Chứng thư số cho cá nhân, thiết bị lưu khóa bí mật",
           "The individual's digital certificate and the private-key storage device"));
    text_add(&t, "</table>\n");

    text_add(&t,
             "<h2 id=\"ai\">%s</h2>\n<p>%s</p>\n<h3>%s</h3>\n<ul>\n<li>%s</li>\n<li>%s</li>\n"
             "</ul>\n",
             L(r, "Ai được đề nghị cấp", "Who may ask"),
             L(r,
               "Cán bộ, công chức, viên chức thuộc các cơ quan Đảng, Nhà nước. Cơ quan, tổ chức "
               "quản lý trực tiếp lập danh sách và gửi đề nghị cho những người của mình.",
               "Cadres, civil servants and public employees of Party and State bodies. The agency "
               "or organisation that directly manages them draws up the list and sends the "
               "request for its people."),
             L(r, "Yêu cầu, điều kiện", "Conditions"),
             L(r,
               "Phải là cán bộ, công chức, viên chức thuộc các cơ quan Đảng, Nhà nước có nhu cầu "
               "giao dịch điện tử;",
               "the applicant is a cadre, civil servant or public employee of a Party or State "
               "body who needs to carry out electronic transactions;"),
             L(r,
               "Có văn bản đề nghị và được người đứng đầu cơ quan, tổ chức quản lý trực tiếp xác "
               "nhận.",
               "there is a written request, confirmed by the head of the directly managing agency "
               "or organisation."));

    text_add(&t, "<h2 id=\"ho-so\">%s</h2>\n<p>%s</p>\n<ul>\n",
             L(r, "Thành phần hồ sơ", "Documents"),
             L(r,
               "Văn bản đề nghị cấp chứng thư số cho cá nhân có xác nhận của cơ quan, tổ chức "
               "quản lý trực tiếp (bản chính: 1, bản sao: 1), gồm:",
               "A written request for a certificate for an individual, confirmed by the directly "
               "managing agency (1 original, 1 copy), made of:"));
    text_add(&t, "<li><strong>%s</strong> — %s</li>\n", L(r, "Mẫu 01", "Form 01 (Mẫu 01)"),
             L(r, "giấy đề nghị của từng người;", "each person's request;"));
    text_add(&t,
             "<li><strong>%s</strong> — %s <a href=\"/forms/mau02.xlsx\" download "
             "id=\"mau02-xlsx-link\">%s</a> · <a href=\"/forms/mau02.csv\" download "
             "id=\"mau02-link\">%s</a></li>\n",
             L(r, "Mẫu 02", "Form 02 (Mẫu 02)"),
             L(r, "danh sách người đề nghị của cơ quan (một dòng một người);",
               "the agency's list of applicants (one row per person);"),
             L(r, "Tải mẫu danh sách (Excel .xlsx)", "Download the list template (Excel .xlsx)"),
             L(r, "hoặc CSV, UTF-8", "or CSV, UTF-8"));
    text_add(&t, "<li><strong>%s</strong> — %s</li>\n</ul>\n",
             L(r, "Xác nhận của cơ quan", "The agency's confirmation"),
             L(r, "chữ ký của thủ trưởng cơ quan, tổ chức quản lý trực tiếp trên văn bản đề nghị.",
               "the signature of the head of the directly managing agency on the request."));
    text_add(&t, "<p class=\"muted\">%s</p>\n",
             L(r,
               "Mẫu danh sách có 13 cột theo Mẫu 02 (Thông tư 185/2019/TT-BQP); mở bằng Excel "
               "hoặc LibreOffice, điền, rồi gửi lại tệp .xlsx (hoặc lưu dạng CSV UTF-8).",
               "The list template has the 13 columns of Form 02 (Circular 185/2019/TT-BQP); "
               "open it in Excel or LibreOffice, fill it in, and upload the .xlsx file (or save "
               "it as CSV UTF-8)."));

    text_add(&t,
             "<h2 id=\"cach-nop\">%s</h2>\n<table class=\"channels\">\n<thead><tr><th>%s</th>"
             "<th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
             L(r, "Cách thức thực hiện", "How to submit"), L(r, "Hình thức nộp", "Channel"),
             L(r, "Cách làm", "How"), L(r, "Phí, lệ phí", "Fee"));
    text_add(&t, "<tr><td>%s</td><td>%s</td><td>%s</td></tr>\n", L(r, "Trực tiếp", "In person"),
             L(r, "Nộp tại 23 Ngụy Như Kon Tum, Thanh Xuân, Hà Nội, trong giờ hành chính.",
               "At 23 Ngụy Như Kon Tum, Thanh Xuân, Hà Nội, in office hours."),
             L(r, "0 đồng", "0 VND"));
    text_add(&t, "<tr><td>%s</td><td>%s <a href=\"/portal/\">%s</a>%s</td><td>%s</td></tr>\n",
             L(r, "Trực tuyến", "Online"),
             L(r, "Văn thư cơ quan lập hồ sơ trên", "The agency's clerk prepares the dossier on"),
             L(r, "Cổng dịch vụ", "the service portal"),
             L(r, "; thủ trưởng xem danh sách, xác nhận; văn thư nộp.",
               "; the head reviews the list and confirms; the clerk submits."),
             L(r, "0 đồng", "0 VND"));
    text_add(&t, "<tr><td>%s</td><td>%s</td><td>%s</td></tr>\n</tbody></table>\n",
             L(r, "Dịch vụ bưu chính", "By post"),
             L(r, "Gửi văn bản đề nghị và danh sách đến địa chỉ trên.",
               "Send the request and the list to the address above."),
             L(r, "0 đồng", "0 VND"));

    text_add(&t, "<h2 id=\"trinh-tu\">%s</h2>\n<ol class=\"steps\">\n",
             L(r, "Trình tự và thời hạn", "Steps and time limits"));
    text_add(&t, "<li>%s</li>\n",
             L(r,
               "Cơ quan gửi văn bản đề nghị (Mẫu 01, Mẫu 02) có xác nhận của thủ trưởng đến Cục.",
               "The agency sends the request (Forms 01 and 02), confirmed by its head, to the "
               "CA."));
    text_add(&t, "<li>%s</li>\n",
             L(r,
               "<strong id=\"limit-step2\">Trong 03 ngày làm việc</strong> kể từ ngày nhận hồ "
               "sơ hợp lệ, Cục kiểm tra hồ sơ, tạo cặp khóa, tạo chứng thư số, chuẩn bị thiết bị "
               "lưu khóa bí mật và báo cho cơ quan thời gian, địa điểm nhận thiết bị.",
               "<strong id=\"limit-step2\">Within 3 working days</strong> of receiving a valid "
               "dossier, the CA checks it, generates the key pair, creates the certificate, "
               "prepares the private-key storage device and tells the agency when and where to "
               "collect it."));
    text_add(&t, "<li>%s</li>\n",
             L(r,
               "Cơ quan nhận thiết bị, bàn giao cho từng người, rồi gửi đề nghị thời điểm có "
               "hiệu lực của chứng thư số về Cục. <span class=\"muted\">Thời gian cơ quan nhận "
               "và bàn giao thiết bị là của cơ quan, không tính vào thời hạn của Cục.</span>",
               "The agency collects the devices, hands each to its holder, then sends the CA a "
               "request for the time the certificate becomes effective. <span "
               "class=\"muted\">The agency's time to collect and hand over the devices is its "
               "own and is not counted in the CA's time limits.</span>"));
    text_add(&t, "<li>%s</li>\n</ol>\n",
             L(r,
               "<strong id=\"limit-step4\">Trong 01 ngày làm việc</strong> kể từ khi nhận được "
               "đề nghị thời điểm có hiệu lực, Cục công bố chứng thư số trên <a "
               "href=\"/certs\">trang tra cứu</a>. Chứng thư số có hiệu lực kể từ thời điểm "
               "được công bố.",
               "<strong id=\"limit-step4\">Within 1 working day</strong> of receiving the "
               "request for the effective time, the CA publishes the certificate in the <a "
               "href=\"/certs?lang=en\">directory</a>. The certificate is valid from the moment "
               "it is published."));

    text_add(&t, "<h2 id=\"can-cu\">%s</h2>\n<ul id=\"legal-basis\">\n",
             L(r, "Căn cứ pháp lý", "Legal basis"));
    text_add(&t, "<li>%s</li>\n",
             L(r, "Nghị định số 130/2018/NĐ-CP ngày 27/09/2018 của Chính phủ",
               "Decree 130/2018/NĐ-CP of 27 September 2018, Government"));
    text_add(&t, "<li>%s</li>\n",
             L(r, "Thông tư số 185/2019/TT-BQP ngày 04/12/2019 của Bộ Quốc phòng",
               "Circular 185/2019/TT-BQP of 4 December 2019, Ministry of National Defence"));
    text_add(&t, "<li>%s</li>\n</ul>\n",
             L(r, "Quyết định số 1924/QĐ-BQP của Bộ Quốc phòng công bố thủ tục hành chính",
               "Decision 1924/QĐ-BQP of the Ministry of National Defence publishing the "
               "procedure"));

    text_add(&t, "<h2 id=\"tra-cuu\">%s</h2>\n<p>%s</p>\n",
             L(r, "Tra cứu hồ sơ của mình", "Look up your own request"),
             L(r,
               "Không cần tài khoản: nhập mã hồ sơ và số giấy tờ của mình để xem hồ sơ đang ở "
               "bước nào.",
               "No account needed: enter the dossier code and your ID number to see where your "
               "request stands."));
    lookup_form(&t, r, NULL);
    text_add(&t, "<p class=\"muted\">%s ", L(r, "Nơi xử lý:", "Handled by:"));
    text_add_escaped(&t, cfg->office_name);
    text_add(&t, "</p>\n");
    page_end(&t, r);
    return http_send_html(r, 200, text_take(&t));
}

/* "24/11/2026 19:56 (UTC+7)" from the view's "2026-11-24T12:56:00Z"; nothing for null. */
static void add_view_time(text *t, json_t *v)
{
    int64_t when;
    ct_date d;
    int64_t s;

    if (!json_is_string(v) || api_parse_time(json_string_value(v), &when) != 0)
        return;
    d = ct_utc_to_local_date(when);
    s = ((when + 7 * 3600) % 86400 + 86400) % 86400;
    text_add(t, "%02d/%02d/%04d %02d:%02d (UTC+7)", d.day, d.month, d.year, (int)(s / 3600),
             (int)(s / 60 % 60));
}

static void time_row(text *t, const char *label, json_t *view, const char *key)
{
    json_t *v = json_object_get(view, key);

    if (!json_is_string(v))
        return;
    text_add(t, "<tr><th scope=\"row\">%s</th><td>", label);
    add_view_time(t, v);
    text_add(t, "</td></tr>\n");
}

int site_lookup(http_request *r)
{
    const char *code = http_query(r, "code"), *id = http_query(r, "id_number");
    applicant_record ap;
    dossier_record d;
    ct_error err = {0};
    text t = {0};
    int status = 200;
    json_t *view = NULL;

    page_begin(&t, r, L(r, "Tra cứu hồ sơ", "Look up a dossier"));
    if (code && code[0] && id && id[0]) {
        if (app_applicant_lookup(r->app, code, id, r->client, &d, &ap, &err) != 0) {
            if (err.status == 429) {
                char wait[32];
                http_header headers[] = {{"Retry-After", wait}, {NULL, NULL}};
                free(t.data);
                snprintf(wait, sizeof wait, "%lld",
                         (long long)(err.retry_after > 0 ? err.retry_after : 60));
                return http_refuse(r, 429, err.code, err.vi, err.en, headers);
            }
            if (err.status != 404) {
                free(t.data);
                return http_send_error(r, 500, "Lỗi máy chủ, xin thử lại sau.",
                                       "Server error, please try again later.");
            }
            status = 404;
        } else {
            view = app_view_lookup(&d, &ap);
        }
    } else {
        code = NULL;
    }
    text_add(&t, "<h1>%s</h1>\n", L(r, "Tra cứu hồ sơ", "Look up a dossier"));
    if (status == 404) {
        /* the same words for every miss: a wrong ID number and a missing dossier alike */
        text_add(&t,
                 "<div class=\"result notfound\" id=\"result\" role=\"status\"><p>%s</p></div>\n",
                 L(r, "Không có hồ sơ với mã và số giấy tờ này.",
                   "No dossier matches this code and ID number."));
    } else if (view) {
        json_t *label = json_object_get(view, "state_label");
        const char *reason = json_string_value(json_object_get(view, "reason"));
        const char *state = json_string_value(json_object_get(view, "state"));
        text_add(&t,
                 "<div class=\"result\" id=\"result\" role=\"status\">\n<table class=\"kv\">\n"
                 "<tr><th scope=\"row\">%s</th><td><strong data-state=\"",
                 L(r, "Trạng thái", "State"));
        text_add_escaped(&t, state ? state : "");
        text_add(&t, "\">");
        text_add_escaped(&t,
                         json_is_object(label)
                             ? json_string_value(json_object_get(label, r->english ? "en" : "vi"))
                         : state ? state
                                 : "");
        text_add(&t, "</strong></td></tr>\n");
        time_row(&t, L(r, "Thời gian nhận thiết bị", "Device collection time"), view, "pickup_at");
        time_row(&t, L(r, "Thời điểm có hiệu lực đề nghị", "Requested effective time"), view,
                 "requested_effective_at");
        if (!json_is_string(json_object_get(view, "published_at")))
            time_row(&t, L(r, "Hạn công bố", "Publication due"), view, "due_step4");
        time_row(&t, L(r, "Đã công bố, có hiệu lực từ", "Published, valid from"), view,
                 "published_at");
        if (reason && reason[0]) {
            text_add(&t, "<tr><th scope=\"row\">%s</th><td>", L(r, "Lý do", "Reason"));
            text_add_escaped(&t, reason);
            text_add(&t, "</td></tr>\n");
        }
        /* while the dossier is not accepted: its own state (a supplement asked for, a
         * rejection) and reason */
        {
            json_t *dlabel = json_object_get(view, "dossier_state_label");
            const char *dreason = json_string_value(json_object_get(view, "dossier_reason"));
            if (json_is_object(dlabel) && dreason && dreason[0]) {
                text_add(&t, "<tr><th scope=\"row\">%s</th><td>", L(r, "Hồ sơ", "Dossier"));
                text_add_escaped(
                    &t, json_string_value(json_object_get(dlabel, r->english ? "en" : "vi")));
                text_add(&t, ": ");
                text_add_escaped(&t, dreason);
                text_add(&t, "</td></tr>\n");
            }
        }
        text_add(&t, "</table>\n</div>\n");
        json_decref(view);
    }
    lookup_form(&t, r, code);
    text_add(&t, "<p><a href=\"/thu-tuc%s\">%s</a></p>\n", lang_first(r),
             L(r, "« Về trang thủ tục", "« Back to the procedure"));
    page_end(&t, r);
    return http_send_html(r, status, text_take(&t));
}

/* The Mẫu 02 list template as an .xlsx workbook, made by the app once and kept. */
int site_form_mau02_xlsx(http_request *r)
{
    static const http_header headers[] = {
        {"Content-Disposition", "attachment; filename=\"mau02.xlsx\""},
        {"Cache-Control", "public, max-age=3600"},
        {"X-Content-Type-Options", "nosniff"},
        {NULL, NULL}};
    const unsigned char *data;
    size_t len;
    ct_error err;

    if (app_mau02_template_xlsx(&data, &len, &err) != 0)
        return http_send_error(r, 500, "Không tạo được tệp mẫu.", "Cannot make the template.");
    return http_send(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     data, len, headers);
}

/* The Mẫu 02 list template (data/samples/mau02.csv), with the byte order mark that tells a
 * spreadsheet it is UTF-8, as an attachment. */
int site_form_mau02(http_request *r)
{
    static const unsigned char bom[3] = {0xef, 0xbb, 0xbf};
    static const http_header headers[] = {
        {"Content-Disposition", "attachment; filename=\"mau02.csv\""},
        {"Cache-Control", "public, max-age=3600"},
        {"X-Content-Type-Options", "nosniff"},
        {NULL, NULL}};
    char path[1024];
    struct stat st;
    unsigned char *data;
    ssize_t got;
    size_t skip;
    int fd, rc;

    snprintf(path, sizeof path, "%s/samples/mau02.csv", CT_DATA_DIR);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return http_send_error(r, errno == ENOENT ? 404 : 500, "Không tìm thấy tệp mẫu.",
                               "The template file was not found.");
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > FORM_MAX ||
        (data = malloc(sizeof bom + (size_t)st.st_size)) == NULL) {
        close(fd);
        return http_send_error(r, 500, "Không đọc được tệp.", "Cannot read the file.");
    }
    got = read(fd, data + sizeof bom, (size_t)st.st_size);
    close(fd);
    if (got != st.st_size) {
        free(data);
        return http_send_error(r, 500, "Không đọc được tệp.", "Cannot read the file.");
    }
    /* exactly one mark, whether the file has its own or not */
    memcpy(data, bom, sizeof bom);
    skip = (size_t)got >= sizeof bom && memcmp(data + sizeof bom, bom, sizeof bom) == 0 ? sizeof bom
                                                                                        : 0;
    rc = http_send(r, 200, "text/csv; charset=utf-8", data + skip, sizeof bom + (size_t)got - skip,
                   headers);
    free(data);
    return rc;
}
