/*
 * portal.c — the portal's files under /portal/: static HTML, CSS and JavaScript shipped in
 * web/, which talk to the JSON API (api.c). There is no build step; what is in the
 * folder is what the browser gets.
 *
 * Only plain names of the folder itself are served ([a-z0-9-] and one known extension): no
 * path from a request can reach a file outside it. The pages run our scripts only, from our
 * own origin, and never inside a frame.
 */
#include "http/http.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PORTAL_FILE_MAX (1024 * 1024)

static const struct {
    const char *ext;
    const char *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
};

/* The content type of a servable name, or NULL. */
static const char *servable(const char *name)
{
    const char *dot = strchr(name, '.');

    if (dot == NULL || dot == name || dot - name > 64)
        return NULL;
    for (const char *p = name; p < dot; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return NULL;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return NULL;
}

static int send_file(http_request *r, const char *name)
{
    static const http_header headers[] = {
        {"Content-Security-Policy",
         "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
         "connect-src 'self'; object-src 'none'; frame-src 'self'; frame-ancestors 'none'; "
         "base-uri 'none'; form-action 'self'"},
        {"X-Frame-Options", "DENY"},
        /* Nothing leaves the site; within it the portal's calls keep their Origin (under
         * "no-referrer" a browser sends "Origin: null", which the API refuses as a forgery). */
        {"Referrer-Policy", "same-origin"},
        {"Cache-Control", "no-cache"},
        {NULL, NULL},
    };
    const char *type = servable(name);
    char path[1024];
    struct stat st;
    char *data;
    ssize_t got;
    int fd, rc;

    if (type == NULL)
        return http_send_error(r, 404, "Không tìm thấy trang này.", "Page not found.");
    snprintf(path, sizeof path, "%s/%s", CT_WEB_DIR, name);
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return http_send_error(r, errno == ENOENT ? 404 : 500, "Không tìm thấy trang này.",
                               "Page not found.");
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > PORTAL_FILE_MAX ||
        (data = malloc((size_t)st.st_size + 1)) == NULL) {
        close(fd);
        return http_send_error(r, 500, "Không đọc được tệp.", "Cannot read the file.");
    }
    got = read(fd, data, (size_t)st.st_size);
    close(fd);
    if (got != st.st_size) {
        free(data);
        return http_send_error(r, 500, "Không đọc được tệp.", "Cannot read the file.");
    }
    rc = http_send(r, 200, type, data, (size_t)got, headers);
    free(data);
    return rc;
}

int portal_index(http_request *r)
{
    return send_file(r, "index.html");
}

int portal_file(http_request *r, const char *rest)
{
    return send_file(r, rest);
}

int portal_redirect(http_request *r)
{
    static const http_header to[] = {{"Location", "/portal/"}, {NULL, NULL}};

    return http_send(r, 301, "text/plain; charset=utf-8", "/portal/\n", 9, to);
}
