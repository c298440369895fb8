/*
 * access_log.c — the access log: one JSON line per request (time, request number, client, the
 * account it acted as, method, path without the query string, route, status, bytes,
 * microseconds), to stderr, a file, or the systemd journal ("journal" or "journal:SOCKET").
 *
 * To the journal each request is one entry of its native protocol (a datagram of KEY=value
 * lines), MESSAGE the JSON line and the fields an operator filters on beside it:
 * CHUNGTHU_REQUEST, CHUNGTHU_ROUTE, CHUNGTHU_STATUS, CHUNGTHU_ACTOR, CHUNGTHU_CLIENT
 * (`journalctl -u chungthu CHUNGTHU_STATUS=500`). The entries wait in the same buffers as lines
 * do and are sent by the flusher, so a request still makes no system call of its own.
 *
 * Each pool thread writes its lines into a buffer of its own and the buffer goes to the file
 * with one write(2) when it fills, or within a second (a flusher thread), or at shutdown: a
 * system call and a shared lock per request would cost the OCSP path a tenth of its speed.
 * Lines never interleave (each write holds whole lines). Query strings are left out on purpose:
 * a directory search holds a person's name.
 */
#include "http/http.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUFFER_SIZE 16384
#define LINE_MAX_BYTES 1024

typedef struct log_buffer {
    pthread_mutex_t lock; /* the owner thread and the flusher */
    size_t len;
    struct log_buffer *next;
    char data[BUFFER_SIZE];
} log_buffer;

static int log_fd = -1;
static bool own_fd;
static bool to_journal;     /* log_fd is a datagram socket to the journal */
#define ENTRY_END '\x1e'    /* between journal entries in a buffer (never inside one) */
static char log_path[1024]; /* the file's path, to open it again after rotation */
static log_buffer *buffers; /* every thread's, for the flusher */
static pthread_mutex_t buffers_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local log_buffer *mine;

static pthread_t flusher;
static bool flusher_running;
static pthread_mutex_t flusher_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t flusher_wake = PTHREAD_COND_INITIALIZER;
static bool flusher_stop;

/* Send a buffer's journal entries, one datagram each. */
static void drain_journal(log_buffer *b)
{
    size_t off = 0;

    while (off < b->len) {
        char *end = memchr(b->data + off, ENTRY_END, b->len - off);
        size_t n = end ? (size_t)(end - (b->data + off)) : b->len - off;
        while (send(log_fd, b->data + off, n, MSG_NOSIGNAL) < 0 && errno == EINTR)
            ;
        off += n + (end ? 1 : 0);
    }
    b->len = 0;
}

/* Write out a buffer (its lock held). */
static void drain(log_buffer *b)
{
    size_t off = 0;

    if (to_journal) {
        drain_journal(b);
        return;
    }

    while (off < b->len) {
        ssize_t n = write(log_fd, b->data + off, b->len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* nowhere left to report it; the requests themselves were answered */
        off += (size_t)n;
    }
    b->len = 0;
}

static void flush_all(void)
{
    pthread_mutex_lock(&buffers_lock);
    for (log_buffer *b = buffers; b; b = b->next) {
        pthread_mutex_lock(&b->lock);
        drain(b);
        pthread_mutex_unlock(&b->lock);
    }
    pthread_mutex_unlock(&buffers_lock);
}

static void *flusher_loop(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&flusher_lock);
    while (!flusher_stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&flusher_wake, &flusher_lock, &until);
        pthread_mutex_unlock(&flusher_lock);
        flush_all();
        pthread_mutex_lock(&flusher_lock);
    }
    pthread_mutex_unlock(&flusher_lock);
    return NULL;
}

/* The journal's native socket (systemd.journal-fields(7), sd_journal_sendv's protocol). */
static int open_journal(const char *socket_path, ct_error *err)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    if (strlen(socket_path) >= sizeof addr.sun_path || fd < 0) {
        if (fd >= 0)
            close(fd);
        return ct_fail(err, 500, "serve.log", "không mở được nhật ký hệ thống %s",
                       "cannot open the journal at %s", socket_path);
    }
    memcpy(addr.sun_path, socket_path, strlen(socket_path) + 1);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return ct_fail(err, 500, "serve.log", "không kết nối được nhật ký hệ thống %s",
                       "cannot connect to the journal at %s", socket_path);
    }
    log_fd = fd;
    own_fd = true;
    to_journal = true;
    log_path[0] = '\0';
    return 0;
}

int access_log_open(const char *path, ct_error *err)
{
    to_journal = false;
    if (path && (strcmp(path, "journal") == 0 || strncmp(path, "journal:", 8) == 0)) {
        if (open_journal(path[7] ? path + 8 : "/run/systemd/journal/socket", err) != 0)
            return -1;
    } else if (path) {
        log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (log_fd < 0)
            return ct_fail(err, 500, "serve.log", "không mở được tệp nhật ký %s",
                           "cannot open the access log %s", path);
        own_fd = true;
        snprintf(log_path, sizeof log_path, "%s", path);
    } else {
        log_fd = STDERR_FILENO;
        own_fd = false;
    }
    flusher_stop = false;
    flusher_running = pthread_create(&flusher, NULL, flusher_loop, NULL) == 0;
    return 0;
}

void access_log_close(void)
{
    if (flusher_running) {
        pthread_mutex_lock(&flusher_lock);
        flusher_stop = true;
        pthread_cond_signal(&flusher_wake);
        pthread_mutex_unlock(&flusher_lock);
        pthread_join(flusher, NULL);
        flusher_running = false;
    }
    if (log_fd >= 0)
        flush_all();
    pthread_mutex_lock(&buffers_lock);
    while (buffers) {
        log_buffer *b = buffers;
        buffers = b->next;
        pthread_mutex_destroy(&b->lock);
        free(b);
    }
    pthread_mutex_unlock(&buffers_lock);
    if (own_fd)
        close(log_fd);
    log_fd = -1;
    to_journal = false;
}

int access_log_reopen(ct_error *err)
{
    int fd;

    if (!own_fd || to_journal)
        return 0;
    fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
        return ct_fail(err, 500, "serve.log", "không mở lại được tệp nhật ký %s",
                       "cannot open the access log %s again", log_path);
    /* The lines of before go to the file they were written for (the rotated one); dup2 then puts
     * the new file under the same descriptor in one step, so a writer never sees it closed. */
    flush_all();
    dup2(fd, log_fd);
    close(fd);
    return 0;
}

typedef struct line {
    char *p;
    size_t len;
    size_t cap; /* room for len, with 2 bytes kept for the line's end */
} line;

static void add(line *l, const char *s, size_t n)
{
    if (n > l->cap - 2 - l->len)
        n = l->cap - 2 - l->len;
    memcpy(l->p + l->len, s, n);
    l->len += n;
}

/* A JSON string of s in at most max bytes of output (a longer one ends in "..."). Whole
 * characters only: valid UTF-8 is copied, an invalid byte (a path may hold any byte) is written
 * as U+FFFD, so that every line is valid UTF-8 and valid JSON. */
static void add_string(line *l, const char *s, size_t max)
{
    static const char hex[] = "0123456789abcdef";
    size_t out = 0, len = s ? strlen(s) : 0;

    add(l, "\"", 1);
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        char esc[6];
        const char *piece = esc;
        size_t n = ct_utf8_char_len(s + i, len - i), used = n ? n : 1, width;
        if (n == 0) {
            piece = "\\ufffd";
            width = 6;
        } else if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            width = 2;
        } else if (c < 0x20 || c == 0x7f) {
            memcpy(esc, (char[6]){'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]}, 6);
            width = 6;
        } else {
            piece = s + i;
            width = n;
        }
        if (out + width > max) {
            add(l, "...", 3);
            break;
        }
        add(l, piece, width);
        out += width;
        i += used;
    }
    add(l, "\"", 1);
}

/* "2026-11-24T19:56:55Z", formatted once a second per thread. */
static const char *timestamp(void)
{
    static _Thread_local time_t last = -1;
    static _Thread_local char stamp[24];
    time_t now = time(NULL);

    if (now != last) {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
        last = now;
    }
    return stamp;
}

/* A journal field of a value as written in the JSON line (escaped: it holds no newline). */
static void add_field(line *l, const char *name, const char *value, size_t n)
{
    add(l, name, strlen(name));
    add(l, "=", 1);
    add(l, value, n);
    add(l, "\n", 1);
}

/* The request as a journal entry: MESSAGE the JSON line, then the fields filtered on. */
static size_t journal_entry(const http_request *r, const char *json, size_t json_len, char *out)
{
    line l = {out, 0, 2 * LINE_MAX_BYTES};
    char num[32];
    int n;

    add_field(&l, "MESSAGE", json, json_len);
    add_field(&l, "PRIORITY", r->status >= 500 ? "3" : r->status >= 400 ? "5" : "6", 1);
    add_field(&l, "SYSLOG_IDENTIFIER", "chungthu", 8);
    n = snprintf(num, sizeof num, "%llu", r->id);
    add_field(&l, "CHUNGTHU_REQUEST", num, (size_t)n);
    add_field(&l, "CHUNGTHU_ROUTE", route_family_name(r->route),
              strlen(route_family_name(r->route)));
    n = snprintf(num, sizeof num, "%d", r->status);
    add_field(&l, "CHUNGTHU_STATUS", num, (size_t)n);
    if (r->actor[0])
        add_field(&l, "CHUNGTHU_ACTOR", r->actor, strlen(r->actor));
    add_field(&l, "CHUNGTHU_CLIENT", r->client, strlen(r->client));
    return l.len;
}

void access_log_write(const http_request *r, int64_t micros, bool completed)
{
    char buf[LINE_MAX_BYTES], entry[2 * LINE_MAX_BYTES];
    char tail[160];
    line l = {buf, 0, sizeof buf};
    int n;

    if (log_fd < 0)
        return;
    if (mine == NULL) {
        mine = calloc(1, sizeof *mine);
        if (mine == NULL)
            return;
        pthread_mutex_init(&mine->lock, NULL);
        pthread_mutex_lock(&buffers_lock);
        mine->next = buffers;
        buffers = mine;
        pthread_mutex_unlock(&buffers_lock);
    }
    add(&l, "{\"time\":\"", 9);
    add(&l, timestamp(), 20);
    n = snprintf(tail, sizeof tail, "\",\"request\":%llu,\"client\":", r->id);
    add(&l, tail, n > 0 ? (size_t)n : 0);
    add_string(&l, r->client, 64);
    if (r->actor[0]) {
        add(&l, ",\"actor\":", 9);
        add_string(&l, r->actor, 64);
    }
    add(&l, ",\"method\":", 10);
    add_string(&l, r->method, 16);
    add(&l, ",\"path\":", 8);
    add_string(&l, r->path, 512);
    n = snprintf(tail, sizeof tail,
                 ",\"route\":\"%s\",\"status\":%d,\"bytes\":%zu,\"micros\":%lld,\"completed\":%s}",
                 route_family_name(r->route), r->status, r->bytes, (long long)micros,
                 completed ? "true" : "false");
    add(&l, tail, n > 0 ? (size_t)n : 0);
    {
        const char *out = buf;
        size_t len;
        if (to_journal) {
            len = journal_entry(r, buf, l.len, entry);
            entry[len++] = ENTRY_END;
            out = entry;
        } else {
            buf[l.len++] = '\n';
            len = l.len;
        }
        pthread_mutex_lock(&mine->lock);
        if (mine->len + len > BUFFER_SIZE)
            drain(mine);
        memcpy(mine->data + mine->len, out, len);
        mine->len += len;
        pthread_mutex_unlock(&mine->lock);
    }
}
