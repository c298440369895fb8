/*
 * ocsp.c — /ocsp, RFC 6960 over HTTP: POST with an application/ocsp-request body, and GET
 * with the DER request Base64-encoded (then URL-escaped) in the path (Appendix A.1).
 *
 * The answer itself comes from app_ocsp_respond (pre-signed, from memory), or for a request
 * byte-identical to one answered in the last second by the same responder, from ocsp_cache.c. A
 * request that is not OCSP gets an OCSP malformedRequest response, not an HTTP error: that is what
 * clients understand. GET answers carry the caching headers of RFC 5019 (max-age until nextUpdate
 * or [server] cache_max_age if sooner, ETag, Last-Modified) so that nginx or a CDN in front can
 * serve them; POST answers are not cacheable by HTTP caches anyway and go out bare.
 */
#include "http/http.h"

#include <stdio.h>
#include <string.h>

/* The Base64 form of the largest request we take, with padding. */
#define MAX_GET_REQUEST ((OCSP_MAX_BODY + 2) / 3 * 4)

static int send_answer(http_request *r, const ocsp_cached *c, bool cacheable)
{
    static const http_header no_store[] = {{"Cache-Control", "no-store"}, {NULL, NULL}};
    char last_modified[40], expires[40], cache[80];
    http_header headers[] = {{"ETag", c->etag},
                             {"Last-Modified", last_modified},
                             {"Expires", expires},
                             {"Cache-Control", cache},
                             {NULL, NULL}};

    if (!cacheable || c->next_update == 0)
        return http_send(r, 200, "application/ocsp-response", c->data, c->len,
                         cacheable ? no_store : NULL);
    http_date(c->this_update, last_modified);
    http_date(c->next_update, expires);
    snprintf(cache, sizeof cache, "public, max-age=%lld, no-transform, must-revalidate",
             (long long)http_cache_max_age(r, c->next_update));
    if (http_etag_matches(http_header_value(r, "If-None-Match"), c->etag))
        return http_send(r, 304, NULL, "", 0, headers);
    return http_send(r, 200, "application/ocsp-response", c->data, c->len, headers);
}

/* cacheable: a GET, whose answer HTTP caches may keep (a POST's they do not). */
static int answer(http_request *r, const unsigned char *req, size_t len, bool cacheable)
{
    app_blob resp;
    ct_error err; /* filled on failure only: not worth clearing 1 KB per request */
    ocsp_cached c;
    int rc;

    if (ocsp_cache_get(req, len, app_ocsp_generation(r->app), &c)) {
        struct MHD_Response *prepared = cacheable ? NULL : ocsp_cache_post_response(&c);
        metrics_ocsp(true);
        if (prepared)
            return http_send_prepared(r, 200, prepared, c.len);
        return send_answer(r, &c, cacheable);
    }
    if (app_ocsp_respond(r->app, req, len, &resp, &err) != 0)
        return http_send_text(r, 500, "OCSP responder unavailable\n");
    metrics_ocsp(resp.cached);
    ocsp_cache_put(req, len, &resp);
    c = (ocsp_cached){resp.data, resp.len, resp.etag, resp.this_update, resp.next_update, NULL};
    rc = send_answer(r, &c, cacheable);
    app_blob_free(&resp);
    return rc;
}

int ocsp_post(http_request *r)
{
    const char *type = http_header_value(r, "Content-Type");

    if (type == NULL || strncmp(type, "application/ocsp-request", 24) != 0)
        return http_send_text(r, 415, "Content-Type must be application/ocsp-request\n");
    return answer(r, r->body, r->body_len, false);
}

static int base64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-') /* standard and URL-safe alphabets both seen in the wild */
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

/* Decode Base64 (padding optional); -1 if it is not Base64 or does not fit. */
long ocsp_base64_decode(const char *in, size_t n, unsigned char *out, size_t size)
{
    unsigned acc = 0;
    int bits = 0;
    size_t len = 0;

    for (int pad = 0; pad < 2 && n > 0 && in[n - 1] == '='; pad++)
        n--;
    if (n % 4 == 1)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int v = base64_value((unsigned char)in[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (len == size)
                return -1;
            out[len++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    return (long)len;
}

int ocsp_get(http_request *r, const char *rest)
{
    unsigned char req[OCSP_MAX_BODY];
    size_t n = strlen(rest);
    long len;

    /* libmicrohttpd has already undone the URL escaping (%2F, %2B, %3D) */
    if (n > MAX_GET_REQUEST)
        return http_send_text(r, 414, "OCSP request too long\n");
    len = ocsp_base64_decode(rest, n, req, sizeof req);
    if (len <= 0)
        return http_send_text(r, 400, "not a Base64 OCSP request\n");
    return answer(r, req, (size_t)len, true);
}
