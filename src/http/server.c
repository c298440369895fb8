/*
 * server.c — `chungthu serve`: the libmicrohttpd daemon, the request life cycle (headers, body,
 * dispatch, completion), the JSON-lines access log, the upkeep timer, and a clean stop on
 * SIGTERM or SIGINT.
 *
 * The daemon runs a pool of epoll threads, one per core, with HTTP/1.1 keep-alive; all of them
 * share the one app (its reads are thread-safe: the store keeps a pool of reader connections).
 * Limits: connections overall and per client address, an idle timeout, a per-connection memory
 * pool that also bounds the request line and headers (libmicrohttpd answers 414/431 past it),
 * and a body only where a route takes one, up to its cap (413 past it).
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#define UPKEEP_SECONDS 60

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- the access log ---- */

static int access_log_fd = -1;

typedef struct line {
    char buf[1024];
    size_t len;
} line;

static void line_add(line *l, const char *s)
{
    size_t n = strlen(s);

    if (n > sizeof l->buf - 1 - l->len)
        n = sizeof l->buf - 1 - l->len;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

/* A JSON string of at most max bytes of s (a longer one ends in "..."). */
static void line_add_string(line *l, const char *s, size_t max)
{
    char esc[8] = {0};
    size_t n = 0;

    line_add(l, "\"");
    for (; s && *s; s++, n++) {
        unsigned char c = (unsigned char)*s;
        if (n == max) {
            line_add(l, "...");
            break;
        }
        if (c == '"' || c == '\\')
            snprintf(esc, sizeof esc, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            snprintf(esc, sizeof esc, "\\u%04x", c);
        else
            esc[0] = (char)c, esc[1] = '\0';
        line_add(l, esc);
    }
    line_add(l, "\"");
}

/* One line per request, written with one write(2) so that lines from the pool's threads never
 * interleave and no lock is held. The path is logged without its query string: a search holds
 * a person's name. */
static void log_request(const http_request *r, int64_t micros, bool completed)
{
    time_t now = time(NULL);
    struct tm tm;
    char part[160];
    line l = {.len = 0};

    if (access_log_fd < 0)
        return;
    gmtime_r(&now, &tm);
    strftime(part, sizeof part, "{\"time\":\"%Y-%m-%dT%H:%M:%SZ\",\"client\":", &tm);
    line_add(&l, part);
    line_add_string(&l, r->client, 64);
    line_add(&l, ",\"method\":");
    line_add_string(&l, r->method, 16);
    line_add(&l, ",\"path\":");
    line_add_string(&l, r->path, 512);
    snprintf(part, sizeof part,
             ",\"route\":\"%s\",\"status\":%d,\"bytes\":%zu,\"micros\":%lld,\"completed\":%s}",
             route_family_name(r->route), r->status, r->bytes, (long long)micros,
             completed ? "true" : "false");
    line_add(&l, part);
    l.buf[l.len++] = '\n';
    if (write(access_log_fd, l.buf, l.len) < 0) {
        /* nowhere left to report it; the request itself was answered */
    }
}

/* ---- libmicrohttpd callbacks ---- */

static void client_address(struct MHD_Connection *conn, char *out, size_t size)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = info ? info->client_addr : NULL;

    out[0] = '\0';
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)size);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)size);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    http_request *r = *con_cls;
    const char *lang;
    (void)version;

    if (r == NULL) { /* first call: the headers are in */
        r = calloc(1, sizeof *r);
        if (r == NULL)
            return MHD_NO;
        r->conn = conn;
        r->app = cls;
        r->method = method;
        r->path = url;
        r->route = ROUTE_OTHER;
        r->started_ns = now_ns();
        r->body_limit = router_body_limit(method, url);
        client_address(conn, r->client, sizeof r->client);
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_data_size > 0) { /* a piece of the body */
        size_t n = *upload_data_size;
        if (r->body_too_large || r->body_len + n > r->body_limit) {
            /* Keep reading (and dropping) so that the answer can be sent on a connection in a
             * known state; the memory held stays within the limit. */
            r->body_too_large = true;
        } else {
            unsigned char *p = realloc(r->body, r->body_len + n);
            if (p == NULL)
                return MHD_NO;
            memcpy(p + r->body_len, upload_data, n);
            r->body = p;
            r->body_len += n;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    lang = http_query(r, "lang");
    r->english = lang && strcmp(lang, "en") == 0;
    if (r->body_too_large)
        return r->body_limit ? http_send_error(r, 413, "Yêu cầu quá lớn.", "Request too large.")
                             : http_send_error(r, 400, "Yêu cầu này không nhận nội dung.",
                                               "This request takes no body.");
    return router_dispatch(r) == MHD_YES ? MHD_YES : MHD_NO;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    http_request *r = *con_cls;
    int64_t micros;
    (void)cls;
    (void)conn;

    if (r == NULL)
        return;
    micros = (now_ns() - r->started_ns) / 1000;
    if (r->status == 0) /* the connection ended before an answer was queued */
        r->status = 499;
    metrics_record(r->route, r->status, micros);
    log_request(r, micros, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
    free(r->body);
    free(r);
    *con_cls = NULL;
}

/* ---- upkeep ---- */

typedef struct upkeep {
    app *app;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
} upkeep;

/* Every minute: re-sign CRLs and OCSP answers nearing nextUpdate, and publish the
 * certificates whose requested effective time has come. */
static void *upkeep_loop(void *arg)
{
    upkeep *u = arg;
    app_actor system = {"chungthu", ROLE_SYSTEM, "scheduler", NULL};

    pthread_mutex_lock(&u->lock);
    while (!u->stop) {
        struct timespec until;
        ct_error err = {0};
        int published = 0;
        pthread_mutex_unlock(&u->lock);
        if (app_status_refresh(u->app, &err) != 0)
            fprintf(stderr, "chungthu: upkeep: [%s] %s\n", err.code, err.en);
        ct_error_clear(&err);
        if (app_run_due(u->app, &system, &published, &err) != 0)
            fprintf(stderr, "chungthu: upkeep: [%s] %s\n", err.code, err.en);
        else if (published > 0)
            fprintf(stderr, "chungthu: published %d certificate(s) as scheduled\n", published);
        pthread_mutex_lock(&u->lock);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += UPKEEP_SECONDS;
        while (!u->stop && pthread_cond_timedwait(&u->wake, &u->lock, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&u->lock);
    return NULL;
}

/* ---- the daemon ---- */

static int parse_listen(const char *listen, struct sockaddr_in *addr, ct_error *err)
{
    char host[64];
    const char *colon = listen ? strrchr(listen, ':') : NULL;
    long port;
    char *end;

    memset(addr, 0, sizeof *addr);
    if (colon == NULL || (size_t)(colon - listen) >= sizeof host)
        goto bad;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    port = strtol(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || port < 1 || port > 65535 ||
        inet_pton(AF_INET, host, &addr->sin_addr) != 1)
        goto bad;
    addr->sin_family = AF_INET;
    addr->sin_port = htons((uint16_t)port);
    return 0;
bad:
    return ct_fail(err, 400, "serve.listen", "địa chỉ lắng nghe \"%s\" không hợp lệ (IP:CỔNG)",
                   "listen address \"%s\" is invalid (IP:PORT)", listen ? listen : "");
}

int http_serve(app *a, const http_options *opt, ct_error *err)
{
    struct sockaddr_in addr;
    struct MHD_Daemon *d;
    sigset_t signals;
    pthread_t timer;
    upkeep u = {a, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};
    int sig = 0;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = opt->threads ? opt->threads : (unsigned)(cores > 0 ? cores : 2);
    int log_fd = -1;

    if (parse_listen(opt->listen, &addr, err) != 0)
        return -1;
    if (opt->access_log) {
        log_fd = open(opt->access_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (log_fd < 0)
            return ct_fail(err, 500, "serve.log", "không mở được tệp nhật ký %s",
                           "cannot open the access log %s", opt->access_log);
    }
    access_log_fd = log_fd >= 0 ? log_fd : STDERR_FILENO;
    /* SIGTERM and SIGINT are taken by sigwait() below, in this thread: block them before any
     * thread starts, so that every thread inherits the mask and none is interrupted. */
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0, NULL,
        NULL, on_request, a, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)1000, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)30, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        NULL, MHD_OPTION_END);
    if (d == NULL) {
        pthread_sigmask(SIG_UNBLOCK, &signals, NULL);
        if (log_fd >= 0)
            close(log_fd);
        access_log_fd = -1;
        return ct_fail(err, 500, "serve.start", "không mở được cổng %s (đang bị dùng?)",
                       "cannot listen on %s (in use?)", opt->listen);
    }
    if (pthread_create(&timer, NULL, upkeep_loop, &u) != 0) {
        MHD_stop_daemon(d);
        if (log_fd >= 0)
            close(log_fd);
        access_log_fd = -1;
        return ct_fail(err, 500, "serve.start", "không tạo được luồng", "cannot start a thread");
    }
    fprintf(stderr, "chungthu: serving http://%s/ (%u threads)\n", opt->listen, threads);
    while (sig != SIGTERM && sig != SIGINT)
        if (sigwait(&signals, &sig) != 0)
            sig = 0;
    fprintf(stderr, "chungthu: stopping (signal %d)\n", sig);
    /* Stop accepting, let the requests in flight finish, then the timer. */
    MHD_quiesce_daemon(d);
    pthread_mutex_lock(&u.lock);
    u.stop = true;
    pthread_cond_signal(&u.wake);
    pthread_mutex_unlock(&u.lock);
    pthread_join(timer, NULL);
    MHD_stop_daemon(d);
    access_log_fd = -1;
    if (log_fd >= 0)
        close(log_fd);
    return 0;
}
