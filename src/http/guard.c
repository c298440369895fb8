/*
 * guard.c — keeping slow or greedy clients from holding every connection: a deadline for each
 * request's head and body, and a cap on the connections one address may hold open.
 *
 * libmicrohttpd's own connection timeout restarts on every byte received, so a client that
 * sends one header line every few seconds keeps its connection for ever; a thousand of them
 * from a few addresses used to fill the whole connection table. Here every connection is
 * followed from accept (MHD_OPTION_NOTIFY_CONNECTION) to close:
 *
 *   - its request head must be complete within header_timeout seconds of the accept, or of the
 *     previous answer on a kept-alive connection, however the bytes trickle in;
 *   - its body, within body_timeout seconds of the head;
 *   - while the answer is being computed and sent, no deadline (libmicrohttpd's idle timeout
 *     still closes a peer that stops reading).
 *
 * A watchdog thread looks twice a second and shuts down (shutdown(2), not close: the socket
 * stays libmicrohttpd's) the sockets of connections past their deadline; libmicrohttpd then
 * sees the end of the stream and closes them itself. An entry leaves the watchdog's list in
 * the CLOSED notification, which libmicrohttpd gives before it closes the descriptor, so the
 * watchdog never touches a descriptor number that has been reused.
 *
 * One address may hold at most max_connections_per_client connections (the accept policy
 * refuses more); trusted proxies are exempt, since every client behind them shares their
 * address, and only the overall limit applies to them.
 */
#include "http/http.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#define WATCH_INTERVAL_MS 500
#define ADDRESS_BUCKETS 4096

/* ---- the connections, one list per pool thread ---- */

typedef struct watch_list watch_list;

struct guard_conn {
    struct guard_conn *prev, *next;
    watch_list *list;
    int fd;
    atomic_llong deadline_ms; /* monotonic; 0: none */
    atomic_int phase;         /* what the deadline is for: a guard_phase */
    bool shut;                /* the watchdog has shut it down (list lock) */
    bool counted;             /* counted against its address */
    unsigned char addr[17];   /* family byte + address, for the per-address count */
};

typedef enum { PHASE_HEAD, PHASE_BODY, PHASE_ANSWER } guard_phase;

struct watch_list {
    pthread_mutex_t lock; /* the owner thread and the watchdog */
    guard_conn *head;
    watch_list *next;
};

static watch_list *lists;
static pthread_mutex_t lists_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local watch_list *my_list;

static guard_settings settings;

static atomic_ullong open_connections, refused_per_client, closed_late[2];

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static watch_list *this_thread_list(void)
{
    if (my_list == NULL) {
        watch_list *l = calloc(1, sizeof *l);
        if (l == NULL)
            return NULL;
        pthread_mutex_init(&l->lock, NULL);
        pthread_mutex_lock(&lists_lock);
        l->next = lists;
        lists = l;
        pthread_mutex_unlock(&lists_lock);
        my_list = l;
    }
    return my_list;
}

/* ---- connections per address ---- */

typedef struct address_count {
    struct address_count *next;
    unsigned char addr[17];
    unsigned count;
} address_count;

static address_count *buckets[ADDRESS_BUCKETS];
static pthread_mutex_t buckets_lock = PTHREAD_MUTEX_INITIALIZER;

/* family byte + the address bytes (IPv4 in the first 4); false for other families */
static bool address_key(const struct sockaddr *sa, unsigned char key[17])
{
    memset(key, 0, 17);
    if (sa == NULL)
        return false;
    if (sa->sa_family == AF_INET) {
        key[0] = 4;
        memcpy(key + 1, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
        return true;
    }
    if (sa->sa_family == AF_INET6) {
        key[0] = 6;
        memcpy(key + 1, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
        return true;
    }
    return false;
}

static size_t address_hash(const unsigned char key[17])
{
    uint32_t h = 2166136261u; /* FNV-1a */

    for (int i = 0; i < 17; i++)
        h = (h ^ key[i]) * 16777619u;
    return h % ADDRESS_BUCKETS;
}

/* Count one more connection from the address unless it holds cap already (cap 0: no cap). */
static bool address_take(const unsigned char key[17], unsigned cap)
{
    address_count **slot = &buckets[address_hash(key)], *a;
    bool taken = false;

    pthread_mutex_lock(&buckets_lock);
    for (a = *slot; a; a = a->next)
        if (memcmp(a->addr, key, 17) == 0)
            break;
    if (a == NULL && (a = calloc(1, sizeof *a)) != NULL) {
        memcpy(a->addr, key, 17);
        a->next = *slot;
        *slot = a;
    }
    if (a && (cap == 0 || a->count < cap)) {
        a->count++;
        taken = true;
    }
    pthread_mutex_unlock(&buckets_lock);
    return taken;
}

static void address_remove(const unsigned char key[17])
{
    address_count **p = &buckets[address_hash(key)];

    pthread_mutex_lock(&buckets_lock);
    for (; *p; p = &(*p)->next)
        if (memcmp((*p)->addr, key, 17) == 0) {
            address_count *a = *p;
            if (a->count > 0)
                a->count--;
            if (a->count == 0) {
                *p = a->next;
                free(a);
            }
            break;
        }
    pthread_mutex_unlock(&buckets_lock);
}

/* The accept policy counts a connection as it lets it in (so that connections arriving at once
 * on several pool threads cannot overshoot the cap); libmicrohttpd then starts it in the same
 * thread, whose STARTED notification adopts the count. A connection that fails in between
 * (out of memory, the overall limit) never starts: the next accept in the thread gives its
 * count back. */
static _Thread_local bool reserved;
static _Thread_local unsigned char reserved_key[17];

/* ---- libmicrohttpd callbacks ---- */

enum MHD_Result guard_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    unsigned char key[17];
    (void)cls;
    (void)addrlen;

    if (reserved) { /* the previous connection let in by this thread never started */
        address_remove(reserved_key);
        reserved = false;
    }
    if (settings.per_client == 0 || client_peer_trusted(addr) || !address_key(addr, key))
        return MHD_YES;
    if (!address_take(key, settings.per_client)) {
        atomic_fetch_add_explicit(&refused_per_client, 1, memory_order_relaxed);
        return MHD_NO;
    }
    reserved = true;
    memcpy(reserved_key, key, sizeof reserved_key);
    return MHD_YES;
}

void guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                  enum MHD_ConnectionNotificationCode code)
{
    (void)cls;

    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fd =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *peer =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        watch_list *l = this_thread_list();
        guard_conn *g;

        *socket_context = NULL;
        if (l == NULL || fd == NULL || (g = calloc(1, sizeof *g)) == NULL) {
            if (reserved) { /* unguarded: nothing will give its count back */
                address_remove(reserved_key);
                reserved = false;
            }
            return; /* out of memory: the connection goes unguarded */
        }
        g->list = l;
        g->fd = fd->connect_fd;
        atomic_init(&g->phase, PHASE_HEAD);
        atomic_init(&g->deadline_ms, now_ms() + (int64_t)settings.header_timeout * 1000);
        if (peer && settings.per_client && !client_peer_trusted(peer->client_addr) &&
            address_key(peer->client_addr, g->addr)) {
            if (reserved && memcmp(reserved_key, g->addr, sizeof g->addr) == 0) {
                g->counted = true; /* counted by guard_accept */
                reserved = false;
            } else {
                g->counted = address_take(g->addr, 0);
            }
        }
        pthread_mutex_lock(&l->lock);
        g->next = l->head;
        if (l->head)
            l->head->prev = g;
        l->head = g;
        pthread_mutex_unlock(&l->lock);
        atomic_fetch_add_explicit(&open_connections, 1, memory_order_relaxed);
        *socket_context = g;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
        guard_conn *g = *socket_context;
        watch_list *l = g->list;
        pthread_mutex_lock(&l->lock);
        if (g->prev)
            g->prev->next = g->next;
        else
            l->head = g->next;
        if (g->next)
            g->next->prev = g->prev;
        pthread_mutex_unlock(&l->lock);
        if (g->counted)
            address_remove(g->addr);
        atomic_fetch_sub_explicit(&open_connections, 1, memory_order_relaxed);
        free(g);
        *socket_context = NULL;
    }
}

guard_conn *guard_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

    return info ? info->socket_context : NULL;
}

static void set_deadline(guard_conn *g, guard_phase phase, unsigned seconds)
{
    if (g == NULL)
        return;
    atomic_store_explicit(&g->phase, phase, memory_order_relaxed);
    atomic_store_explicit(&g->deadline_ms, seconds ? now_ms() + (int64_t)seconds * 1000 : 0,
                          memory_order_relaxed);
}

void guard_head_received(guard_conn *g)
{
    set_deadline(g, PHASE_BODY, settings.body_timeout);
}

void guard_answering(guard_conn *g)
{
    set_deadline(g, PHASE_ANSWER, 0);
}

void guard_answered(guard_conn *g)
{
    set_deadline(g, PHASE_HEAD, settings.header_timeout);
}

/* ---- the watchdog ---- */

static pthread_t watchdog;
static bool watchdog_running;
static pthread_mutex_t watchdog_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t watchdog_wake = PTHREAD_COND_INITIALIZER;
static bool watchdog_stop;

static void sweep(void)
{
    int64_t now = now_ms();

    pthread_mutex_lock(&lists_lock);
    for (watch_list *l = lists; l; l = l->next) {
        pthread_mutex_lock(&l->lock);
        for (guard_conn *g = l->head; g; g = g->next) {
            int64_t deadline = atomic_load_explicit(&g->deadline_ms, memory_order_relaxed);
            int phase = atomic_load_explicit(&g->phase, memory_order_relaxed);
            if (g->shut || deadline == 0 || now < deadline || phase == PHASE_ANSWER)
                continue;
            shutdown(g->fd, SHUT_RDWR);
            g->shut = true;
            atomic_fetch_add_explicit(&closed_late[phase == PHASE_BODY], 1, memory_order_relaxed);
        }
        pthread_mutex_unlock(&l->lock);
    }
    pthread_mutex_unlock(&lists_lock);
}

static void *watchdog_loop(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&watchdog_lock);
    while (!watchdog_stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += WATCH_INTERVAL_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&watchdog_wake, &watchdog_lock, &until);
        if (watchdog_stop)
            break;
        pthread_mutex_unlock(&watchdog_lock);
        sweep();
        pthread_mutex_lock(&watchdog_lock);
    }
    pthread_mutex_unlock(&watchdog_lock);
    return NULL;
}

int guard_start(const guard_settings *s, ct_error *err)
{
    settings = *s;
    watchdog_stop = false;
    if (pthread_create(&watchdog, NULL, watchdog_loop, NULL) != 0)
        return ct_fail(err, 500, "serve.start", "không tạo được luồng", "cannot start a thread");
    watchdog_running = true;
    return 0;
}

void guard_stop(void)
{
    if (watchdog_running) {
        pthread_mutex_lock(&watchdog_lock);
        watchdog_stop = true;
        pthread_cond_signal(&watchdog_wake);
        pthread_mutex_unlock(&watchdog_lock);
        pthread_join(watchdog, NULL);
        watchdog_running = false;
    }
}

void guard_free_all(void)
{
    pthread_mutex_lock(&lists_lock);
    while (lists) {
        watch_list *l = lists;
        lists = l->next;
        pthread_mutex_destroy(&l->lock);
        free(l);
    }
    pthread_mutex_unlock(&lists_lock);
    pthread_mutex_lock(&buckets_lock);
    for (size_t i = 0; i < ADDRESS_BUCKETS; i++)
        while (buckets[i]) {
            address_count *a = buckets[i];
            buckets[i] = a->next;
            free(a);
        }
    pthread_mutex_unlock(&buckets_lock);
}

void guard_counts(guard_stats *out)
{
    out->open = atomic_load_explicit(&open_connections, memory_order_relaxed);
    out->refused_per_client = atomic_load_explicit(&refused_per_client, memory_order_relaxed);
    out->closed_late_head = atomic_load_explicit(&closed_late[0], memory_order_relaxed);
    out->closed_late_body = atomic_load_explicit(&closed_late[1], memory_order_relaxed);
}
