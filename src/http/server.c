/*
 * server.c — `chungthu serve`: the libmicrohttpd daemon, the request life cycle (headers, body,
 * dispatch, completion), the upkeep timer, a reload on SIGHUP (the access log alone on SIGUSR1),
 * and a clean stop on SIGTERM or SIGINT; under systemd it says when it is ready, reloading and
 * stopping, and feeds the watchdog from the upkeep timer (notify.c).
 *
 * The daemon runs a pool of epoll threads, one per core, with HTTP/1.1 keep-alive; all of them
 * share the one app (its reads are thread-safe: the store keeps a pool of reader connections).
 * Limits ([server] in chungthu.ini): connections overall and per client address (guard.c, which
 * exempts trusted proxies), a deadline for each request's head and body that trickling bytes do
 * not extend (guard.c), an idle timeout while answering, a per-connection memory pool that also
 * bounds the request line and headers (libmicrohttpd answers 414/431 past it), and a body only
 * where a route takes one, up to its cap (413 past it).
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- libmicrohttpd callbacks ---- */

/* A body the route does not take, or larger than it takes: refused in the route's own form (the
 * API's JSON error, the site's page). */
static int refuse_body(http_request *r)
{
    if (r->body_limit == 0)
        return http_refuse(r, 400, "http.no_body", "Yêu cầu này không nhận nội dung.",
                           "This request takes no body.", NULL);
    {
        char vi[96], en[96];
        snprintf(vi, sizeof vi, "Yêu cầu quá lớn (tối đa %zu byte).", r->body_limit);
        snprintf(en, sizeof en, "Request too large (%zu bytes at most).", r->body_limit);
        return http_refuse(r, 413, "http.too_large", vi, en, NULL);
    }
}

static unsigned long long request_count;

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls)
{
    http_request *r = *con_cls;
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
        r->id = __atomic_add_fetch(&request_count, 1, __ATOMIC_RELAXED);
        r->body_limit = router_body_limit(method, url);
        r->guard = guard_of(conn);
        guard_head_received(r->guard);
        client_address(conn, r->client, sizeof r->client);
        *con_cls = r;
        /* A body announced larger than the route takes is refused before any of it is read
         * (the client is not told to continue; the connection closes after the answer). */
        {
            const char *length =
                MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
            if (length && strtoull(length, NULL, 10) > r->body_limit) {
                r->body_too_large = true;
                return refuse_body(r);
            }
        }
        return MHD_YES;
    }
    if (r->status != 0) { /* answered already (refused on its headers): drop the rest */
        *upload_data_size = 0;
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
    if (r->body_too_large)
        return refuse_body(r);
    guard_answering(r->guard);
    return router_dispatch(r) == MHD_YES ? MHD_YES : MHD_NO;
}

/* The request handled with the configuration in force when its call began held throughout: a
 * reload meanwhile changes what the next request reads, never half of this one. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    enum MHD_Result rc;

    app_config_hold(cls);
    rc = handle(cls, conn, url, method, version, upload_data, upload_data_size, con_cls);
    app_config_release(cls);
    return rc;
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
    access_log_write(r, micros, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
    guard_answered(r->guard);
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
    unsigned watchdog; /* seconds between "WATCHDOG=1"; 0: no watchdog */
    bool lead;         /* this node ran the shared upkeep last round (store_lead_upkeep) */
    bool lead_known;   /* a round asked already */
    unsigned interval; /* seconds between rounds ([server] upkeep_interval) */
} upkeep;

/* Sleep (u->lock held) until the next round or a stop. */
static void wait_round(upkeep *u, unsigned seconds)
{
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += seconds;
    while (!u->stop && pthread_cond_timedwait(&u->wake, &u->lock, &until) != ETIMEDOUT)
        ;
}

/* Whether this round is a read-only node's (app_read_only.c): it looks at the database's role,
 * says when the mode changes, and keeps the answers in step with what the primary changed
 * (replicated here); it writes nothing and leads nothing. */
static bool read_only_round(upkeep *u)
{
    ct_error err = {0};
    bool changed = false;

    if (app_read_only_check(u->app, &changed, &err) != 0) {
        fprintf(stderr, "chungthu: upkeep: [%s] %s\n", err.code, err.en);
        ct_error_clear(&err);
    } else if (changed) {
        fprintf(stderr, "chungthu: %s\n",
                app_read_only(u->app)
                    ? "the database is a standby: serving reads only, writes answer 503"
                    : "the database was promoted: this node reads and writes again");
        u->lead_known = false;
    }
    if (!app_read_only(u->app))
        return false;
    if (app_status_refresh(u->app, false, &err) != 0)
        fprintf(stderr, "chungthu: upkeep: [%s] %s\n", err.code, err.en);
    ct_error_clear(&err);
    return true;
}

/* Every minute: re-sign CRLs and OCSP answers nearing nextUpdate, publish the certificates
 * whose requested effective time has come, and send the e-mail waiting; with several nodes on
 * one PostgreSQL database, the node that leads does what is done once for all (app_upkeep_lead)
 * and the others only keep their caches in step. Under a systemd watchdog it
 * also tells systemd it is alive, each round and at least twice per WatchdogSec: upkeep that hangs
 * then gets the service restarted. */
static void *upkeep_loop(void *arg)
{
    upkeep *u = arg;
    app_actor system = {"chungthu", ROLE_SYSTEM, "scheduler", NULL};
    unsigned every = u->watchdog && u->watchdog < u->interval ? u->watchdog : u->interval;

    pthread_mutex_lock(&u->lock);
    while (!u->stop) {
        ct_error err = {0};
        int published = 0;
        app_mail_report mail;
        bool signed_now, lead = false;
        pthread_mutex_unlock(&u->lock);
        if (u->watchdog)
            notify_systemd("WATCHDOG=1");
        app_config_hold(u->app); /* each round reads one configuration */
        if (read_only_round(u)) {
            app_config_release(u->app);
            pthread_mutex_lock(&u->lock);
            wait_round(u, 1); /* a promotion is noticed within a second */
            continue;
        }
        if (app_upkeep_lead(u->app, &lead, &err) != 0)
            fprintf(stderr, "chungthu: upkeep: [%s] %s\n", err.code, err.en);
        else if (!u->lead_known || lead != u->lead)
            fprintf(stderr, "chungthu: upkeep: %s\n",
                    lead ? "this node runs the shared upkeep (publication, CRLs, e-mail, "
                           "checkpoints)"
                         : "another node runs the shared upkeep");
        u->lead = lead;
        u->lead_known = true;
        ct_error_clear(&err);
        if (app_status_refresh(u->app, lead, &err) != 0)
            fprintf(stderr, "chungthu: upkeep: [%s] %s\n", err.code, err.en);
        ct_error_clear(&err);
        if (!lead) {
            app_config_release(u->app);
            pthread_mutex_lock(&u->lock);
            wait_round(u, every);
            continue;
        }
        if (app_run_due(u->app, &system, &published, &err) != 0)
            fprintf(stderr, "chungthu: upkeep: [%s] %s\n", err.code, err.en);
        else if (published > 0)
            fprintf(stderr, "chungthu: published %d certificate(s) as scheduled\n", published);
        ct_error_clear(&err);
        /* the expiry notices due, then the e-mail waiting (docs/operator-guide.md, E-mail) */
        if (app_mail_send_due(u->app, &system, &mail, &err) != 0)
            fprintf(stderr, "chungthu: upkeep: [%s] %s\n", err.code, err.en);
        else if (mail.sent + mail.deferred + mail.failed + mail.queued_notices > 0)
            fprintf(stderr,
                    "chungthu: e-mail: %d sent, %d deferred, %d failed; %d expiry notices "
                    "queued\n",
                    mail.sent, mail.deferred, mail.failed, mail.queued_notices);
        ct_error_clear(&err);
        if (app_audit_checkpoint(u->app, &system, false, NULL, &signed_now, &err) != 0)
            fprintf(stderr, "chungthu: upkeep: [%s] %s\n", err.code, err.en);
        app_config_release(u->app);
        pthread_mutex_lock(&u->lock);
        wait_round(u, every);
    }
    pthread_mutex_unlock(&u->lock);
    return NULL;
}

/* ---- reload (SIGHUP) ---- */

/* The access log opened again (logrotate moved it), the holidays and chungthu.ini read again and
 * put in force (app_reload: the keys a reload applies; a changed key that needs a restart is
 * named and keeps its running value); a file that does not parse or holds a value out of range
 * is refused, said why, and nothing changes. The listening socket and the connections stay as
 * they are, and so do the [server] settings held here (listen, limits, trusted proxies). */
static void reload(app *a)
{
    app_reload_report report;
    ct_error err = {0};

    notify_systemd("RELOADING=1");
    if (access_log_reopen(&err) != 0)
        fprintf(stderr, "chungthu: reload: [%s] %s\n", err.code, err.en);
    ct_error_clear(&err);
    if (app_reload(a, &report, &err) != 0) {
        fprintf(stderr, "chungthu: reload refused, still running as before: [%s] %s\n", err.code,
                err.en);
    } else {
        fprintf(stderr, "chungthu: reloaded: access log reopened, holidays read from %s\n",
                report.holidays_dir);
        if (report.applied_keys[0])
            fprintf(stderr, "chungthu: changed in chungthu.ini, applied now: %s\n",
                    report.applied_keys);
        if (report.restart_keys[0])
            fprintf(stderr, "chungthu: changed in chungthu.ini, applied at the next restart: %s\n",
                    report.restart_keys);
    }
    ct_error_clear(&err);
    notify_systemd("READY=1");
}

/* SIGUSR1: the access log alone opened again at its path. */
static void reopen_log(void)
{
    ct_error err = {0};

    if (access_log_reopen(&err) != 0)
        fprintf(stderr, "chungthu: [%s] %s\n", err.code, err.en);
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

/* The [server] limits, checked, with the connection limit brought within the descriptors the
 * process may open (raising its soft limit to the hard one first). */
static int server_limits(const app_config *cfg, guard_settings *g, unsigned *max_connections,
                         ct_error *err)
{
    struct rlimit nofile;
    /* the database, the log, the token library and the daemon's own descriptors */
    const rlim_t reserve = 64;

    if (cfg->header_timeout < 1 || cfg->header_timeout > 3600 || cfg->body_timeout < 1 ||
        cfg->body_timeout > 86400 || cfg->max_connections < 1 ||
        cfg->max_connections_per_client > cfg->max_connections || cfg->upkeep_interval < 1 ||
        cfg->upkeep_interval > 3600)
        return ct_fail(err, 400, "config.server_limits",
                       "[server]: header_timeout 1–3600, body_timeout 1–86400, max_connections "
                       "≥ 1, max_connections_per_client ≤ max_connections (0: không giới hạn), "
                       "upkeep_interval 1–3600",
                       "[server]: header_timeout 1–3600, body_timeout 1–86400, max_connections "
                       "≥ 1, max_connections_per_client ≤ max_connections (0: no cap), "
                       "upkeep_interval 1–3600");
    if (client_trust_proxies(cfg->trusted_proxies, err) != 0)
        return -1;
    g->header_timeout = (unsigned)cfg->header_timeout;
    g->body_timeout = (unsigned)cfg->body_timeout;
    g->per_client = (unsigned)cfg->max_connections_per_client;
    *max_connections = (unsigned)cfg->max_connections;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
        if (nofile.rlim_cur < nofile.rlim_max && nofile.rlim_cur < *max_connections + reserve) {
            nofile.rlim_cur = nofile.rlim_max;
            setrlimit(RLIMIT_NOFILE, &nofile);
            getrlimit(RLIMIT_NOFILE, &nofile);
        }
        if (nofile.rlim_cur != RLIM_INFINITY && nofile.rlim_cur < *max_connections + reserve) {
            *max_connections =
                nofile.rlim_cur > reserve * 2 ? (unsigned)(nofile.rlim_cur - reserve) : 64;
            fprintf(stderr,
                    "chungthu: only %llu file descriptors: at most %u connections "
                    "(max_connections is %d)\n",
                    (unsigned long long)nofile.rlim_cur, *max_connections, cfg->max_connections);
        }
    }
    if (g->per_client > *max_connections)
        g->per_client = *max_connections;
    return 0;
}

int http_serve(app *a, const http_options *opt, ct_error *err)
{
    struct sockaddr_in addr;
    struct MHD_Daemon *d;
    sigset_t signals;
    pthread_t timer;
    upkeep u = {a, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0, false, false, 0};
    int sig = 0;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = opt->threads ? opt->threads : (unsigned)(cores > 0 ? cores : 2);
    guard_settings guard = {0};
    unsigned max_connections = 0;

    if (parse_listen(opt->listen, &addr, err) != 0)
        return -1;
    if (opt->read_only)
        app_set_read_only(a);
    if (server_limits(app_get_config(a), &guard, &max_connections, err) != 0)
        return -1;
    if (access_log_open(opt->access_log, err) != 0)
        return -1;
    if (guard_start(&guard, err) != 0) {
        access_log_close();
        return -1;
    }
    /* SIGTERM, SIGINT and SIGHUP are taken by sigwait() below, in this thread: block them before
     * any thread starts, so that every thread inherits the mask and none is interrupted. */
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    sigaddset(&signals, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* No MHD_OPTION_PER_IP_CONNECTION_LIMIT: guard_accept caps each address instead, and lets
     * a trusted proxy (the address of every client behind it) through. */
    d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0,
        guard_accept, NULL, on_request, a, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT, max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)(32 * 1024), MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION, guard_notify,
        NULL, MHD_OPTION_END);
    if (d == NULL) {
        pthread_sigmask(SIG_UNBLOCK, &signals, NULL);
        guard_stop();
        guard_free_all();
        access_log_close();
        return ct_fail(err, 500, "serve.start", "không mở được cổng %s (đang bị dùng?)",
                       "cannot listen on %s (in use?)", opt->listen);
    }
    u.watchdog = notify_watchdog_interval();
    u.interval = (unsigned)app_get_config(a)->upkeep_interval;
    if (pthread_create(&timer, NULL, upkeep_loop, &u) != 0) {
        MHD_stop_daemon(d);
        guard_stop();
        guard_free_all();
        access_log_close();
        return ct_fail(err, 500, "serve.start", "không tạo được luồng", "cannot start a thread");
    }
    fprintf(stderr,
            "chungthu: serving http://%s/ (%u threads; %u connections, %u per address, %zu "
            "trusted proxies; request head within %u s, body within %u s)%s\n",
            opt->listen, threads, max_connections, guard.per_client, client_trusted_count(),
            guard.header_timeout, guard.body_timeout,
            !app_read_only(a)         ? ""
            : app_database_standby(a) ? "; reads only: the database is a standby"
                                      : "; reads only (--read-only)");
    notify_systemd("READY=1");
    while (sig != SIGTERM && sig != SIGINT) {
        if (sigwait(&signals, &sig) != 0)
            sig = 0;
        else if (sig == SIGHUP)
            reload(a);
        else if (sig == SIGUSR1)
            reopen_log(); /* logrotate's signal when nothing else is to change */
    }
    notify_systemd("STOPPING=1");
    fprintf(stderr, "chungthu: stopping (signal %d)\n", sig);
    /* Stop accepting, let the requests in flight finish, then the timer. */
    MHD_quiesce_daemon(d);
    pthread_mutex_lock(&u.lock);
    u.stop = true;
    pthread_cond_signal(&u.wake);
    pthread_mutex_unlock(&u.lock);
    pthread_join(timer, NULL);
    guard_stop();
    MHD_stop_daemon(d);
    guard_free_all();
    ocsp_cache_free_all();
    access_log_close();
    return 0;
}
