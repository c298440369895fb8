/*
 * text.c — UTF-8, NFC, folding and field checks. See text.h.
 *
 * Everything works on fixed buffers of code points: fields are short, and a bound keeps hostile
 * input from costing more than a few kilobytes.
 */
#include "core/text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/text_tables.h"

#define MAX_CPS 4096 /* code points of one field; longer input is refused */

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Decode strict UTF-8. Returns the number of code points, or -1 if invalid / too many. */
static long decode(const char *s, size_t len, uint32_t *cps, size_t max)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    size_t n = 0;

    while (p < end) {
        uint32_t c = *p, min;
        int extra;
        if (c < 0x80) {
            extra = 0;
            min = 0;
        } else if ((c & 0xe0) == 0xc0) {
            extra = 1;
            c &= 0x1f;
            min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            extra = 2;
            c &= 0x0f;
            min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            extra = 3;
            c &= 0x07;
            min = 0x10000;
        } else {
            return -1;
        }
        if (end - p <= extra)
            return -1;
        for (int i = 1; i <= extra; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return -1;
            c = (c << 6) | (p[i] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return -1;
        if (cps) {
            if (n == max)
                return -2;
            cps[n] = c;
        }
        n++;
        p += extra + 1;
    }
    return (long)n;
}

/* Encode; returns bytes written (without NUL) or -1 if out is too small. */
static long encode(const uint32_t *cps, size_t n, char *out, size_t size)
{
    size_t len = 0;

    for (size_t i = 0; i < n; i++) {
        uint32_t c = cps[i];
        unsigned char b[4];
        size_t k;
        if (c < 0x80) {
            b[0] = (unsigned char)c;
            k = 1;
        } else if (c < 0x800) {
            b[0] = (unsigned char)(0xc0 | (c >> 6));
            b[1] = (unsigned char)(0x80 | (c & 0x3f));
            k = 2;
        } else if (c < 0x10000) {
            b[0] = (unsigned char)(0xe0 | (c >> 12));
            b[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
            b[2] = (unsigned char)(0x80 | (c & 0x3f));
            k = 3;
        } else {
            b[0] = (unsigned char)(0xf0 | (c >> 18));
            b[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
            b[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
            b[3] = (unsigned char)(0x80 | (c & 0x3f));
            k = 4;
        }
        if (len + k + 1 > size)
            return -1;
        memcpy(out + len, b, k);
        len += k;
    }
    if (len + 1 > size)
        return -1;
    out[len] = '\0';
    return (long)len;
}

bool text_utf8_valid(const char *s, size_t len)
{
    return decode(s, len, NULL, 0) >= 0;
}

static int find_decomp(uint32_t cp, uint32_t *first, uint32_t *second)
{
    size_t lo = 0, hi = N_ELEMS(decomp_table);

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (decomp_table[mid].cp == cp) {
            *first = decomp_table[mid].first;
            *second = decomp_table[mid].second;
            return 1;
        }
        if (decomp_table[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static uint32_t find_comp(uint32_t first, uint32_t second)
{
    size_t lo = 0, hi = N_ELEMS(comp_table);

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (comp_table[mid].first == first && comp_table[mid].second == second)
            return comp_table[mid].cp;
        if (comp_table[mid].first < first ||
            (comp_table[mid].first == first && comp_table[mid].second < second))
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int ccc_of(uint32_t cp)
{
    if (cp < 0x0300 || cp > 0x036f)
        return 0;
    for (size_t i = 0; i < N_ELEMS(ccc_table); i++)
        if (ccc_table[i].cp == cp)
            return ccc_table[i].ccc;
    return 0;
}

/* Full canonical decomposition of one code point, appended to out. */
static int decompose_into(uint32_t cp, uint32_t *out, size_t *n, size_t max)
{
    uint32_t first, second;

    if (find_decomp(cp, &first, &second)) {
        if (decompose_into(first, out, n, max) != 0)
            return -1;
        cp = second;
    }
    if (*n == max)
        return -1;
    out[(*n)++] = cp;
    return 0;
}

/* NFD, then canonical ordering (a stable sort of each run of marks by combining class). */
static long to_nfd(const uint32_t *in, size_t n, uint32_t *out, size_t max)
{
    size_t m = 0;

    for (size_t i = 0; i < n; i++)
        if (decompose_into(in[i], out, &m, max) != 0)
            return -1;
    for (size_t i = 1; i < m; i++) {
        int c = ccc_of(out[i]);
        size_t j = i;
        if (c == 0)
            continue;
        while (j > 0 && ccc_of(out[j - 1]) > c) {
            uint32_t t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
            j--;
        }
    }
    return (long)m;
}

/* Canonical composition, as the reference code of UAX #15: a character composes with the last
 * starter unless a character of the same or higher combining class stands between them. */
static size_t compose(uint32_t *cps, size_t n)
{
    size_t starter = 0, out = 1;
    int last_class;

    if (n == 0)
        return 0;
    last_class = ccc_of(cps[0]) ? 256 : 0; /* a leading mark has no starter to join */
    for (size_t i = 1; i < n; i++) {
        uint32_t c = cps[i];
        int cls = ccc_of(c);
        uint32_t composed = find_comp(cps[starter], c);
        if (composed && (last_class < cls || last_class == 0)) {
            cps[starter] = composed;
            continue;
        }
        if (cls == 0)
            starter = out;
        last_class = cls;
        cps[out++] = c;
    }
    return out;
}

int text_nfc(const char *in, char *out, size_t out_size, ct_error *err)
{
    uint32_t cps[MAX_CPS], nfd[MAX_CPS];
    long n = decode(in, strlen(in), cps, MAX_CPS), m;

    if (n == -1)
        return ct_fail(err, 400, "text.invalid_utf8", "văn bản không phải UTF-8 hợp lệ",
                       "the text is not valid UTF-8");
    if (n < 0 || (m = to_nfd(cps, (size_t)n, nfd, MAX_CPS)) < 0)
        return ct_fail(err, 400, "text.too_long", "văn bản quá dài", "the text is too long");
    m = (long)compose(nfd, (size_t)m);
    if (encode(nfd, (size_t)m, out, out_size) < 0)
        return ct_fail(err, 400, "text.too_long", "văn bản quá dài", "the text is too long");
    return 0;
}

static char fold_letter(uint32_t cp)
{
    size_t lo = 0, hi = N_ELEMS(fold_table);

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (fold_table[mid].cp == cp)
            return fold_table[mid].ascii;
        if (fold_table[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static bool is_space(uint32_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0xa0 ||
           c == 0x3000 || (c >= 0x2000 && c <= 0x200a);
}

int text_fold(const char *in, char *out, size_t out_size, ct_error *err)
{
    uint32_t cps[MAX_CPS];
    long n = decode(in, strlen(in), cps, MAX_CPS);
    size_t m = 0;
    bool pending_space = false;

    if (n == -1)
        return ct_fail(err, 400, "text.invalid_utf8", "văn bản không phải UTF-8 hợp lệ",
                       "the text is not valid UTF-8");
    if (n < 0)
        return ct_fail(err, 400, "text.too_long", "văn bản quá dài", "the text is too long");
    for (long i = 0; i < n; i++) {
        uint32_t c = cps[i];
        char f;
        if (c >= 0x0300 && c <= 0x036f)
            continue; /* a combining mark: dropped */
        if (is_space(c)) {
            pending_space = m > 0;
            continue;
        }
        if (pending_space) {
            cps[m++] = ' ';
            pending_space = false;
        }
        if (c >= 'A' && c <= 'Z')
            c += 32;
        else if ((f = fold_letter(c)) != 0)
            c = (uint32_t)f;
        cps[m++] = c;
    }
    if (encode(cps, m, out, out_size) < 0)
        return ct_fail(err, 400, "text.too_long", "văn bản quá dài", "the text is too long");
    return 0;
}

size_t text_codepoints(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

static bool is_zero_width(uint32_t c)
{
    return (c >= 0x300 && c <= 0x36f) || (c >= 0x1ab0 && c <= 0x1aff) ||
           (c >= 0x1dc0 && c <= 0x1dff) || (c >= 0x20d0 && c <= 0x20ff) ||
           (c >= 0xfe20 && c <= 0xfe2f) || (c >= 0x200b && c <= 0x200f) || c == 0xfeff;
}

static bool is_wide(uint32_t c)
{
    return (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf && c != 0x303f) ||
           (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
           (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
           (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1faff) ||
           (c >= 0x20000 && c <= 0x3fffd);
}

size_t text_display_width(const char *s)
{
    size_t width = 0, len = strlen(s);
    const char *end = s + len;

    while (s < end) {
        uint32_t c;
        size_t step = 1;
        unsigned char b = (unsigned char)*s;
        /* one code point at a time; a malformed sequence is one column per byte */
        size_t want = b < 0x80             ? 1
                      : (b & 0xe0) == 0xc0 ? 2
                      : (b & 0xf0) == 0xe0 ? 3
                      : (b & 0xf8) == 0xf0 ? 4
                                           : 0;
        if (want > 0 && (size_t)(end - s) >= want) {
            uint32_t one[1];
            if (decode(s, want, one, 1) == 1) {
                c = one[0];
                step = want;
                width += is_zero_width(c) ? 0 : is_wide(c) ? 2 : 1;
                s += step;
                continue;
            }
        }
        width++;
        s += step;
    }
    return width;
}

/* Characters no name or address may hold: controls, line separators, bidi overrides and
 * invisible formatting (which can make two different names look alike), the replacement
 * character and noncharacters. */
static bool is_forbidden(uint32_t c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029 ||
           (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) ||
           (c >= 0x2060 && c <= 0x206f) || c == 0xfeff || c == 0xfffd ||
           (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe;
}

int text_clean_field(const char *in, size_t max_chars, const char *field_vi, const char *field_en,
                     char *out, size_t out_size, ct_error *err)
{
    uint32_t cps[MAX_CPS], nfd[MAX_CPS];
    long n = decode(in, strlen(in), cps, MAX_CPS), m;
    size_t start = 0, end, k = 0;
    char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX];

    if (n == -1) {
        snprintf(vi, sizeof vi, "%s không phải UTF-8 hợp lệ", field_vi);
        snprintf(en, sizeof en, "%s is not valid UTF-8", field_en);
        return ct_fail_text(err, 400, "text.invalid_utf8", vi, en);
    }
    if (n < 0)
        goto too_long;
    for (long i = 0; i < n; i++) {
        if (is_forbidden(cps[i]) && cps[i] != '\t' && cps[i] != 0xa0) {
            snprintf(vi, sizeof vi, "%s chứa ký tự điều khiển hoặc ký tự ẩn (U+%04X)", field_vi,
                     cps[i]);
            snprintf(en, sizeof en, "%s contains a control or invisible character (U+%04X)",
                     field_en, cps[i]);
            return ct_fail_text(err, 400, "text.control_char", vi, en);
        }
        if (cps[i] == '\t') {
            snprintf(vi, sizeof vi, "%s chứa ký tự điều khiển (U+0009, tab)", field_vi);
            snprintf(en, sizeof en, "%s contains a control character (U+0009, tab)", field_en);
            return ct_fail_text(err, 400, "text.control_char", vi, en);
        }
    }
    if ((m = to_nfd(cps, (size_t)n, nfd, MAX_CPS)) < 0)
        goto too_long;
    m = (long)compose(nfd, (size_t)m);
    /* trim, and collapse inner runs of spaces to one */
    end = (size_t)m;
    while (start < end && is_space(nfd[start]))
        start++;
    while (end > start && is_space(nfd[end - 1]))
        end--;
    for (size_t i = start; i < end; i++) {
        if (is_space(nfd[i])) {
            if (k > 0 && nfd[k - 1] == ' ')
                continue;
            nfd[k++] = ' ';
        } else {
            nfd[k++] = nfd[i];
        }
    }
    if (k == 0) {
        snprintf(vi, sizeof vi, "%s không được để trống", field_vi);
        snprintf(en, sizeof en, "%s must not be empty", field_en);
        return ct_fail_text(err, 400, "text.empty", vi, en);
    }
    if (k > max_chars)
        goto too_long;
    if (encode(nfd, k, out, out_size) < 0)
        goto too_long;
    return 0;
too_long:
    snprintf(vi, sizeof vi, "%s dài quá %zu ký tự", field_vi, max_chars);
    snprintf(en, sizeof en, "%s is longer than %zu characters", field_en, max_chars);
    return ct_fail_text(err, 400, "text.too_long", vi, en);
}

/* Letters a name may be written with: ASCII, Latin-1 (not × ÷), Latin Extended-A and -B, and
 * Latin Extended Additional (the precomposed Vietnamese vowels). Combining marks are allowed
 * after a letter (a name NFC could not compose further). */
static bool is_name_letter(uint32_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= 0xc0 && c <= 0x24f && c != 0xd7 && c != 0xf7) || (c >= 0x1e00 && c <= 0x1eff);
}

static bool is_mark(uint32_t c)
{
    return c >= 0x300 && c <= 0x36f;
}

/* The character as a message shows it: itself when printable, else U+XXXX. */
static void show_char(uint32_t c, char out[16])
{
    uint32_t one[1] = {c};

    if (c < 0x20 || c == 0x7f || is_mark(c) || encode(one, 1, out, 16) < 0)
        snprintf(out, 16, "U+%04X", (unsigned)c);
}

int text_check_name(const char *clean, const char *field_vi, const char *field_en, ct_error *err)
{
    uint32_t cps[MAX_CPS];
    long n = decode(clean, strlen(clean), cps, MAX_CPS);
    char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX], shown[16];

    if (n < 0) {
        snprintf(vi, sizeof vi, "%s không phải UTF-8 hợp lệ", field_vi);
        snprintf(en, sizeof en, "%s is not valid UTF-8", field_en);
        return ct_fail_text(err, 400, "text.invalid_utf8", vi, en);
    }
    for (long i = 0; i < n; i++) {
        uint32_t c = cps[i];
        bool ok =
            is_name_letter(c) ||
            (i > 0 && (is_mark(c) || c == ' ' || c == '\'' || c == 0x2019 || c == '-' || c == '.'));
        if (ok)
            continue;
        show_char(c, shown);
        if (i == 0) {
            snprintf(vi, sizeof vi, "%s phải bắt đầu bằng một chữ cái, không phải \"%s\"", field_vi,
                     shown);
            snprintf(en, sizeof en, "%s must begin with a letter, not \"%s\"", field_en, shown);
        } else {
            snprintf(vi, sizeof vi,
                     "%s chứa \"%s\": họ tên chỉ gồm chữ cái, dấu cách và các dấu ' - .", field_vi,
                     shown);
            snprintf(en, sizeof en,
                     "%s contains \"%s\": a name holds only letters, spaces and ' - .", field_en,
                     shown);
        }
        return ct_fail_text(err, 400, "text.name_chars", vi, en);
    }
    return 0;
}

int text_check_plain(const char *clean, const char *field_vi, const char *field_en, ct_error *err)
{
    char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX];
    const char *markup = strpbrk(clean, "<>");

    if (clean[0] != '\0' && strchr("=+-@", clean[0]) != NULL) {
        snprintf(vi, sizeof vi, "%s không được bắt đầu bằng \"%c\" (bảng tính sẽ coi là công thức)",
                 field_vi, clean[0]);
        snprintf(en, sizeof en,
                 "%s must not begin with \"%c\" (a spreadsheet would run it as a formula)",
                 field_en, clean[0]);
        return ct_fail_text(err, 400, "text.formula", vi, en);
    }
    if (markup) {
        snprintf(vi, sizeof vi, "%s không được chứa \"%c\"", field_vi, *markup);
        snprintf(en, sizeof en, "%s must not contain \"%c\"", field_en, *markup);
        return ct_fail_text(err, 400, "text.markup", vi, en);
    }
    return 0;
}

static bool is_atext(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

static int bad_email(const char *in, ct_error *err)
{
    return ct_fail(err, 400, "email.invalid", "địa chỉ thư điện tử \"%.100s\" không hợp lệ",
                   "the e-mail address \"%.100s\" is not valid", in);
}

int text_clean_email(const char *in, char *out, size_t out_size, ct_error *err)
{
    char buf[300];
    const char *at, *p;
    size_t len, local_len, labels = 0, label_len = 0;
    const char *tld = NULL;

    while (*in == ' ')
        in++;
    len = strlen(in);
    while (len > 0 && in[len - 1] == ' ')
        len--;
    if (len == 0 || len > 254 || len + 1 > out_size || len >= sizeof buf)
        return bad_email(in, err);
    memcpy(buf, in, len);
    buf[len] = '\0';
    at = strchr(buf, '@');
    if (at == NULL || strchr(at + 1, '@') != NULL)
        return bad_email(buf, err);
    local_len = (size_t)(at - buf);
    if (local_len == 0 || local_len > 64 || buf[0] == '.' || at[-1] == '.')
        return bad_email(buf, err);
    for (p = buf; p < at; p++)
        if (!(is_atext(*p) || (*p == '.' && p[1] != '.')))
            return bad_email(buf, err);
    /* domain: LDH labels */
    for (p = at + 1;; p++) {
        char c = *p;
        if (c == '.' || c == '\0') {
            if (label_len == 0 || label_len > 63 || p[-1] == '-')
                return bad_email(buf, err);
            labels++;
            if (c == '\0')
                break;
            tld = p + 1;
            label_len = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              (c == '-' && label_len > 0)))
            return bad_email(buf, err);
        label_len++;
    }
    if (labels < 2 || tld == NULL || strlen(tld) < 2)
        return bad_email(buf, err);
    for (p = tld; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
            return bad_email(buf, err);
    for (char *q = buf + local_len + 1; *q; q++)
        if (*q >= 'A' && *q <= 'Z')
            *q = (char)(*q + 32);
    memcpy(out, buf, len + 1);
    return 0;
}
