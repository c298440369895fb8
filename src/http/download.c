/*
 * download.c — the files a relying party fetches: a published certificate as PEM or DER, the
 * CA certificates (the AIA caIssuers URLs point here), and the CRLs (the CDP URLs), with the
 * caching headers that let a CDN or nginx in front serve them.
 */
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int send_file(http_request *r, const void *data, size_t len, const char *type,
                     const char *filename, const char *cache)
{
    char disposition[96];
    http_header headers[] = {
        {"Content-Disposition", disposition}, {"Cache-Control", cache}, {NULL, NULL}};

    snprintf(disposition, sizeof disposition, "attachment; filename=\"%s\"", filename);
    return http_send(r, 200, type, data, len, headers);
}

int download_certificate(http_request *r, const cert_record *c, const char *ext)
{
    char file[64];
    char *pem = NULL;
    ct_error err = {0};
    int rc;

    /* The bytes never change, but the status may: short caching, like the page. */
    snprintf(file, sizeof file, "%s.%s", c->serial, ext);
    if (strcmp(ext, "der") == 0)
        return send_file(r, c->der, c->der_len, "application/pkix-cert", file,
                         "public, max-age=300");
    if (app_cert_pem(c, &pem, &err) != 0)
        return http_send_error(r, 500, "Lỗi máy chủ, xin thử lại sau.",
                               "Server error, please try again later.");
    rc = send_file(r, pem, strlen(pem), "application/x-pem-file", file, "public, max-age=300");
    free(pem);
    return rc;
}

/* The part of rest before the suffix, if rest is "NAME<suffix>" with a short NAME. */
static bool strip_suffix(const char *rest, const char *suffix, char *name, size_t size)
{
    size_t n = strlen(rest), s = strlen(suffix);

    if (n <= s || n - s >= size || strcmp(rest + n - s, suffix) != 0)
        return false;
    memcpy(name, rest, n - s);
    name[n - s] = '\0';
    return true;
}

int download_ca(http_request *r, const char *rest)
{
    const unsigned char *der;
    size_t len;
    ct_error err = {0};
    char name[16];

    if (!strip_suffix(rest, ".crt", name, sizeof name) ||
        app_ca_cert(r->app, name, &der, &len, &err) != 0)
        return http_send_error(r, 404, "Không có chứng thư CA này.", "No such CA certificate.");
    return send_file(r, der, len, "application/pkix-cert", rest, "public, max-age=86400");
}

/* The audit trail's latest signed checkpoint, one JSON line: a relying party or an auditor keeps
 * copies of it, against which the database can be checked later (`audit verify --checkpoint`). */
int download_audit_checkpoint(http_request *r)
{
    static const http_header headers[] = {{"Cache-Control", "no-cache"}, {NULL, NULL}};
    char *line;
    ct_error err = {0};
    int rc;

    if (app_audit_checkpoint_latest(r->app, &line, &err) != 0)
        return err.status == 404 ? http_send_error(r, 404, "Chưa có điểm kiểm tra nhật ký nào.",
                                                   "No audit checkpoint yet.")
                                 : http_send_text(r, 503, "unavailable, try again later\n");
    rc = http_send(r, 200, "application/json", line, strlen(line), headers);
    free(line);
    return rc;
}

int download_crl(http_request *r, const char *rest)
{
    app_blob crl;
    ct_error err = {0};
    char name[16], last_modified[40], expires[40], cache[64];
    int rc;

    if (!strip_suffix(rest, ".crl", name, sizeof name) ||
        (strcmp(name, "root") != 0 && strcmp(name, "issuing") != 0))
        return http_send_error(r, 404, "Không có CRL này.", "No such CRL.");
    if (app_crl_get(r->app, name, &crl, &err) != 0)
        return http_send_text(r, 503, "CRL unavailable, try again later\n");
    http_date(crl.this_update, last_modified);
    http_date(crl.next_update, expires);
    /* A CRL is valid until its nextUpdate (RFC 5280 5.1.2.5), but a new one is signed at every
     * status change: caches keep it at most [server] cache_max_age, then revalidate by ETag,
     * which is cheap. */
    snprintf(cache, sizeof cache, "public, max-age=%lld, no-transform",
             (long long)http_cache_max_age(r, crl.next_update));
    {
        http_header headers[] = {{"ETag", crl.etag},
                                 {"Last-Modified", last_modified},
                                 {"Expires", expires},
                                 {"Cache-Control", cache},
                                 {NULL, NULL}};
        if (http_etag_matches(http_header_value(r, "If-None-Match"), crl.etag))
            rc = http_send(r, 304, NULL, "", 0, headers);
        else
            rc = http_send(r, 200, "application/pkix-crl", crl.data, crl.len, headers);
    }
    app_blob_free(&crl);
    return rc;
}
