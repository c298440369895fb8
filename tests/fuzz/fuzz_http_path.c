/*
 * fuzz_http_path.c — libFuzzer harness for what the HTTP face does with a request target before
 * any handler runs (src/http): the input is the target as sent ("/certs/AB%2E?q=x&lang=en").
 * It is split and percent-decoded as libmicrohttpd does before calling us (the path with
 * MHD_http_unescape; each query argument with '+' as a space first), then:
 *  - router.c's path check (path_is_sane) must agree with a reference written from its
 *    description (absolute, ≤ 4096 bytes, no control byte or backslash, no "." or ".."
 *    segment), and the route body limits be one of the four the table holds;
 *  - an OCSP GET path's Base64 (http/ocsp.c, ocsp_base64_decode) must decode to the length its
 *    characters carry, and its bytes encode back to the same text up to the unused low bits;
 *  - every query value must survive html.c's escaping: percent-encoded (text_add_url_escaped)
 *    and decoded again it is the same value; HTML-escaped (text_add_escaped) it holds no
 *    character that could end an attribute or open a tag, and unescapes back to itself;
 *  - response.c's If-None-Match matching (http_etag_matches) runs on the raw target.
 */
#include <string.h>

#include <microhttpd.h>

#include "fuzz_common.h"
#include "http/http.h"

#define MAX_TARGET 8192

static bool reference_sane(const char *path)
{
    const char *segment;

    if (path[0] != '/' || strlen(path) > 4096)
        return false;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '\\')
            return false;
    for (segment = path + 1;; segment++) {
        size_t n = strcspn(segment, "/");
        if ((n == 1 && segment[0] == '.') || (n == 2 && segment[0] == '.' && segment[1] == '.'))
            return false;
        segment += n;
        if (*segment == '\0')
            return true;
    }
}

static int b64_index(char c)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *hit;

    if (c == '-')
        c = '+';
    else if (c == '_')
        c = '/';
    hit = c ? strchr(alphabet, c) : NULL;
    return hit ? (int)(hit - alphabet) : -1;
}

static void check_ocsp_get(const char *rest)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned char out[OCSP_MAX_BODY];
    size_t n = strlen(rest), chars = n;
    long len = ocsp_base64_decode(rest, n, out, sizeof out);
    bool alphabet_only = true;

    for (int pad = 0; pad < 2 && chars > 0 && rest[chars - 1] == '='; pad++)
        chars--;
    for (size_t i = 0; i < chars; i++)
        if (b64_index(rest[i]) < 0)
            alphabet_only = false;
    if (len < 0) {
        FUZZ_CHECK(!alphabet_only || chars % 4 == 1 || chars * 6 / 8 > sizeof out);
        return;
    }
    FUZZ_CHECK(alphabet_only && chars % 4 != 1 && (size_t)len == chars * 6 / 8);
    /* encode back: every character is the input's, the last up to its unused low bits */
    for (size_t i = 0; i < chars; i++) {
        size_t bit = i * 6;
        unsigned v = 0;
        for (int k = 0; k < 6; k++, bit++) {
            unsigned b = bit / 8 < (size_t)len ? (out[bit / 8] >> (7 - bit % 8)) & 1 : 0;
            v = (v << 1) | b;
        }
        if (i + 1 < chars || chars % 4 == 0) {
            FUZZ_CHECK(alphabet[v] == alphabet[b64_index(rest[i])]);
        } else {
            unsigned used = 6 - (unsigned)((chars * 6) % 8); /* bits of the last character */
            FUZZ_CHECK((v >> (6 - used)) == ((unsigned)b64_index(rest[i]) >> (6 - used)));
        }
    }
}

static void check_path(const char *path)
{
    static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"};
    bool sane = path_is_sane(path);

    FUZZ_CHECK(sane == reference_sane(path));
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        size_t limit = router_body_limit(methods[i], path);
        FUZZ_CHECK(limit == 0 || limit == OCSP_MAX_BODY || limit == API_MAX_BODY ||
                   limit == API_DRAFT_MAX_BODY);
        if (strcmp(methods[i], "POST") != 0)
            FUZZ_CHECK(limit == 0);
    }
    if (sane && strncmp(path, "/ocsp/", 6) == 0)
        check_ocsp_get(path + 6);
}

static char *take(text *t)
{
    char *s = text_take(t);

    return s ? s : calloc(1, 1); /* nothing added: the empty text */
}

static void check_value(const char *value)
{
    text t = {0}, html = {0}; /* text_take hands the buffer over: one text per use */
    char *s;
    size_t n = 0;

    text_add_url_escaped(&t, value);
    s = take(&t);
    FUZZ_CHECK(s != NULL);
    FUZZ_CHECK(strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~%") ==
               strlen(s));
    MHD_http_unescape(s);
    FUZZ_CHECK(strcmp(s, value) == 0);
    free(s);

    text_add_escaped(&html, value);
    s = take(&html);
    FUZZ_CHECK(s != NULL && strpbrk(s, "<>\"'") == NULL);
    for (const char *p = s; *p; n++) { /* unescape: &lt; &gt; &amp; &quot; &#39; */
        static const char *const ents[] = {"&lt;", "&gt;", "&amp;", "&quot;", "&#39;"};
        static const char chars[] = "<>&\"'";
        size_t k = 0;
        if (*p == '&') {
            for (k = 0; k < 5 && strncmp(p, ents[k], strlen(ents[k])) != 0; k++)
                ;
            FUZZ_CHECK(k < 5); /* a bare '&' would be the input's, unescaped */
            FUZZ_CHECK(value[n] == chars[k]);
            p += strlen(ents[k]);
        } else {
            FUZZ_CHECK(value[n] == *p);
            p++;
        }
    }
    FUZZ_CHECK(value[n] == '\0');
    free(s);
}

static void check_query(char *query)
{
    for (char *arg = query; arg;) {
        char *next = strchr(arg, '&'), *value;
        if (next)
            *next++ = '\0';
        value = strchr(arg, '=');
        if (value)
            *value++ = '\0';
        for (char *p = arg; *p; p++)
            if (*p == '+')
                *p = ' ';
        MHD_http_unescape(arg);
        check_value(arg);
        if (value) {
            for (char *p = value; *p; p++)
                if (*p == '+')
                    *p = ' ';
            MHD_http_unescape(value);
            check_value(value);
        }
        arg = next;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *target, *query;

    if (size > MAX_TARGET || memchr(data, '\0', size))
        return 0; /* a request line carries no NUL; libmicrohttpd bounds its length */
    target = malloc(size + 1);
    FUZZ_CHECK(target != NULL);
    memcpy(target, data, size);
    target[size] = '\0';
    if (http_etag_matches(target, "\"5f3a\""))
        FUZZ_CHECK(strstr(target, "5f3a") || strchr(target, '*'));
    query = strchr(target, '?');
    if (query)
        *query++ = '\0';
    MHD_http_unescape(target);
    check_path(target);
    if (query)
        check_query(query);
    free(target);
    return 0;
}
