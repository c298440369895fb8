/*
 * http.h — what the files of the HTTP face share: one request as the handlers see it, the ways
 * to answer it, and the handlers themselves.
 *
 * server.c owns the daemon and the upkeep timer; router.c matches a request to its handler;
 * access_log.c writes the access log; response.c sends answers; html.c builds pages; each other
 * file answers one family of routes, through src/app only (DESIGN.md §5).
 */
#ifndef CT_HTTP_HTTP_H
#define CT_HTTP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

#include <jansson.h>
#include <microhttpd.h>

#include "app/app.h"
#include "core/buf.h"

typedef struct guard_conn guard_conn; /* guard.c: one connection's deadline */

/* Route families, the label of the request counters in /metrics. */
typedef enum {
    ROUTE_HOME,
    ROUTE_SEARCH,
    ROUTE_CERT,
    ROUTE_CA,
    ROUTE_CRL,
    ROUTE_OCSP,
    ROUTE_HEALTH,
    ROUTE_METRICS,
    ROUTE_STATIC,
    ROUTE_API,
    ROUTE_PROCEDURE,
    ROUTE_OTHER,
    ROUTE_COUNT
} route_family;

const char *route_family_name(route_family f);

typedef struct http_request {
    struct MHD_Connection *conn;
    app *app;
    const char *method;
    const char *path; /* decoded, without the query string */
    unsigned char *body;
    size_t body_len;
    size_t body_limit; /* 0: the route takes no body */
    bool body_too_large;
    bool english; /* ?lang=en; set by page_begin */
    route_family route;
    int status;
    size_t bytes;
    int64_t started_ns;
    char client[64];
    char actor[64];        /* the account the request acted as, once its session is resolved */
    unsigned long long id; /* this process's request number, from 1: logs name requests by it */
    guard_conn *guard;     /* NULL if the connection went unguarded (out of memory) */
} http_request;

/* An OCSP request is a few hundred bytes; nothing legitimate comes near this. */
#define OCSP_MAX_BODY 10240

/* ---- response.c: answers ---- */

/* One extra header: name and value; arrays of them end with {NULL, NULL}. */
typedef struct http_header {
    const char *name;
    const char *value;
} http_header;

/* Answer with data (copied). Returns the libmicrohttpd result to hand back. */
int http_send(http_request *r, int status, const char *content_type, const void *data, size_t len,
              const http_header *headers);
/* Queue a prepared response (not consumed: the caller keeps its reference); len is for the log. */
int http_send_prepared(http_request *r, int status, struct MHD_Response *resp, size_t len);
/* Plain text answer (protocol endpoints' errors). */
int http_send_text(http_request *r, int status, const char *message);
/* An HTML page with the security headers; html is consumed (freed); NULL means out of memory. */
int http_send_html(http_request *r, int status, char *html);
/* A small HTML error page in the request's language. */
int http_send_error(http_request *r, int status, const char *vi, const char *en);
/* Refuse a request in the form its route answers in: under /api/ the JSON error with its
 * stable code, for /ocsp plain text, elsewhere the HTML error page; headers may be NULL. */
int http_refuse(http_request *r, int status, const char *code, const char *vi, const char *en,
                const http_header *headers);
const char *http_query(http_request *r, const char *name);
const char *http_header_value(http_request *r, const char *name);
/* RFC 7231 IMF-fixdate, e.g. "Tue, 24 Nov 2026 19:56:55 GMT". */
void http_date(int64_t t, char out[40]);
/* The max-age for an OCSP GET answer or a CRL valid until next_update: the time left to it,
 * capped by [server] cache_max_age so that a cache in front sees a revocation within it. */
int64_t http_cache_max_age(const http_request *r, int64_t next_update);
/* Does an If-None-Match header list this ETag (or "*")? */
bool http_etag_matches(const char *if_none_match, const char *etag);

/* ---- router.c ---- */

/* Match the request against the route table and call its handler (400 for an insane path, 404
 * for an unknown one, 405 with Allow for a known path and another method). */
int router_dispatch(http_request *r);
/* The body limit of the route a request goes to (0: it takes none). */
size_t router_body_limit(const char *method, const char *path);
/* A decoded path any handler may see: absolute, at most 4096 bytes, no control byte, no
 * backslash, no "." or ".." segment (router_dispatch answers 400 otherwise). */
bool path_is_sane(const char *path);

/* ---- html.c: building pages ---- */

/* A page is built in core's byte buffer (core/buf.h: on allocation failure `failed` is set and
 * further additions are ignored). */
typedef ct_buf text;
#define text_add buf_printf
#define text_add_escaped buf_append_html    /* HTML-escaped */
#define text_add_url_escaped buf_append_url /* percent-encoded for a query value */
/* The text as a page for http_send_html (NULL if building it failed). */
#define text_take buf_take_text
/* Page head and foot around body content; title is plain text. */
void page_begin(text *t, http_request *r, const char *title);
void page_end(text *t, http_request *r);
/* The language's string. */
const char *L(const http_request *r, const char *vi, const char *en);
/* "?lang=en" or "" (first parameter), "&amp;lang=en" or "" (a further one): links keep the
 * language. */
const char *lang_first(const http_request *r);
const char *lang_more(const http_request *r);

/* ---- handlers ---- */

int site_home(http_request *r);
int site_css(http_request *r);
int site_search(http_request *r);
int site_certificate(http_request *r, const char *rest);
/* site_procedure.c */
int site_procedure(http_request *r);
int site_lookup(http_request *r);
int site_form_mau02(http_request *r);
int site_form_mau02_xlsx(http_request *r);
/* download.c */
int download_certificate(http_request *r, const cert_record *c, const char *ext);
int download_ca(http_request *r, const char *rest);
int download_crl(http_request *r, const char *rest);
int download_audit_checkpoint(http_request *r);
int ocsp_post(http_request *r);
int ocsp_get(http_request *r, const char *rest);
/* The request in an OCSP GET path: Base64 (standard or URL-safe alphabet, padding optional);
 * its length, or -1 if it is not Base64 or does not fit in size bytes. */
long ocsp_base64_decode(const char *in, size_t n, unsigned char *out, size_t size);
int health(http_request *r);
/* api.c: the JSON API under /api/v1/ */
#define API_MAX_BODY (2 * 1024 * 1024)
/* the session cookie (HttpOnly, SameSite=Strict) */
#define COOKIE "chungthu_session"
/* Draft routes also carry the scanned request letter (app's DRAFT_LETTER_MAX and some room). */
#define API_DRAFT_MAX_BODY (DRAFT_LETTER_MAX + 64 * 1024)
int api_get(http_request *r, const char *rest);
int api_post(http_request *r, const char *rest);
int api_post_draft(http_request *r, const char *rest);

/* One API route (api_routes.c holds the table): a method, a pattern of path segments under
 * /api/v1/ where "{name}" takes one segment, the roles that may call it (0: anyone, without a
 * session), whether its body is a JSON object the dispatcher parses first, and the handler.
 * The dispatcher (api.c) finds the route, refuses a cross-site POST, resolves the session,
 * checks the role once, parses the body, then calls the handler; src/app checks again what
 * depends on the record (the agency, the state). */
typedef struct api_call api_call;
typedef struct api_route {
    const char *method;
    const char *pattern;
    role_set roles;
    bool json_body;
    int (*handler)(api_call *c);
} api_route;

#define API_MAX_PARAMS 3
struct api_call {
    http_request *r;
    const api_route *route;
    app_session session; /* routes with roles: the caller's */
    app_actor actor;
    char param[API_MAX_PARAMS][128]; /* the {…} segments, in order */
    json_t *body;                    /* json_body routes: the object (the dispatcher frees it) */
};

/* The table and its size. */
const api_route *api_routes(size_t *count);

/* what the route handlers share (api.c) */
int api_send_json(http_request *r, int status, json_t *j, const http_header *headers);
int api_send_error(http_request *r, const ct_error *err);
int api_send_error_with(http_request *r, const ct_error *err, const http_header *headers);
/* The error, with "errors" (every kept problem of a refused Mẫu 02 list: row, column, column_vi,
 * code, message, message_vi, message_en) and "error_count" (all found) when list holds any. */
int api_send_list_error(http_request *r, const ct_error *err, const app_list_errors *list);
int api_fail(http_request *r, int status, const char *code, const char *vi, const char *en);
int api_ok(http_request *r);
/* POST /session: the login (api.c, beside the cookie it sets) */
int api_login(api_call *c);
/* "YYYY-MM-DD HH:MM" (Vietnam time) or "…T…Z" (UTC) into Unix seconds. */
int api_parse_time(const char *s, int64_t *out);
/* The session of the request's cookie; -1 after answering 401. */
int api_require_session(http_request *r, app_session *s);
/* Is the request's Content-Type this media type (parameters aside, any case)? */
bool api_content_type_is(http_request *r, const char *type);
/* The JSON object body of a state-changing call; NULL after an error answer (*rc its result). */
json_t *api_json_body(http_request *r, int *rc);
/* A string member or NULL when absent; -1 after answering 400 for another type. */
int api_get_string(http_request *r, json_t *j, const char *key, const char **out, int *rc);
/* api_draft.c: the draft routes' handlers, and the letter as a download */
int api_drafts_list(api_call *c);
int api_draft_show(api_call *c);
int api_draft_letter_get(api_call *c);
int api_draft_rows(api_call *c);
int api_draft_create(api_call *c);
int api_draft_list_put(api_call *c);
int api_draft_letter_put(api_call *c);
int api_draft_confirm(api_call *c);
int api_draft_submit(api_call *c);
int api_draft_delete(api_call *c);
int api_dossier_letter_put(api_call *c);
/* api_approval.c: four eyes; a gated step's 202 answer with its request */
int api_send_pending(http_request *r, const approval_record *pending);
int api_approvals_list(api_call *c);
int api_approval_approve(api_call *c);
int api_approval_decline(api_call *c);
int api_send_letter(http_request *r, const draft_record *d, unsigned char *data, size_t len);
int metrics(http_request *r);
/* portal.c: the portal's static files (web/) */
int portal_index(http_request *r);
int portal_file(http_request *r, const char *rest);
int portal_redirect(http_request *r);

/* ---- metrics.c: counting ---- */

void metrics_record(route_family route, int status, int64_t micros);
void metrics_ocsp(bool cached);

/* ---- ocsp_cache.c: the last second's answers, per thread ---- */

typedef struct ocsp_cached {
    const unsigned char *data; /* valid until this thread's next cache call */
    size_t len;
    const char *etag;
    int64_t this_update, next_update;
    void *slot; /* NULL: not from the cache */
} ocsp_cached;

/* generation: app_ocsp_generation() now; an answer signed by an earlier responder is a miss. */
bool ocsp_cache_get(const unsigned char *req, size_t len, unsigned generation, ocsp_cached *out);
/* The prepared POST answer of a cached entry (the cache keeps it; NULL if out of memory). */
struct MHD_Response *ocsp_cache_post_response(const ocsp_cached *c);
/* Keep an answer the app gave from its pre-signed set (b->cached); others are ignored. */
void ocsp_cache_put(const unsigned char *req, size_t len, const app_blob *b);
/* At shutdown, once the pool threads are gone. */
void ocsp_cache_free_all(void);

/* ---- access_log.c ---- */

/* path NULL: stderr. */
int access_log_open(const char *path, ct_error *err);
void access_log_write(const http_request *r, int64_t micros, bool completed);
/* Flush and close; call once no thread writes any more. */
void access_log_close(void);
/* Flush what is buffered to the file as it was, then write to the file at the path opened
 * again (after logrotate moved it away), while requests go on. stderr: nothing to do. On
 * failure the old file is kept. */
int access_log_reopen(ct_error *err);

/* ---- notify.c: telling systemd how the service stands (sd_notify) ---- */

/* Send state ("READY=1", "STOPPING=1", ...) to $NOTIFY_SOCKET; nothing without it. */
void notify_systemd(const char *state);
/* How often to send "WATCHDOG=1": half of $WATCHDOG_USEC, in seconds (at least 1); 0 when
 * systemd watches no deadline for this process. */
unsigned notify_watchdog_interval(void);

/* ---- client.c: who the client is ---- */

/* Take the [server] trusted_proxies list (addresses and CIDR ranges); refused if malformed. */
int client_trust_proxies(const char *list, ct_error *err);
size_t client_trusted_count(void);
bool client_peer_trusted(const struct sockaddr *sa);
/* The peer's address, or behind a trusted proxy the right-most untrusted X-Forwarded-For hop. */
void client_address(struct MHD_Connection *conn, char *out, size_t size);

/* ---- guard.c: deadlines and per-address caps ---- */

typedef struct guard_settings {
    unsigned header_timeout; /* seconds */
    unsigned body_timeout;   /* seconds */
    unsigned per_client;     /* connections one untrusted address may hold; 0: no cap */
} guard_settings;

typedef struct guard_stats {
    unsigned long long open, refused_per_client, closed_late_head, closed_late_body;
} guard_stats;

int guard_start(const guard_settings *s, ct_error *err);
void guard_stop(void);
/* Once the daemon has stopped. */
void guard_free_all(void);
/* libmicrohttpd's accept policy and connection notification callbacks. */
enum MHD_Result guard_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen);
void guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                  enum MHD_ConnectionNotificationCode code);
guard_conn *guard_of(struct MHD_Connection *conn);
/* The request's head is in: its body's clock starts. */
void guard_head_received(guard_conn *g);
/* The request is being answered: no deadline but libmicrohttpd's idle timeout. */
void guard_answering(guard_conn *g);
/* The answer went out: the next request's head (or the close of an idle connection) is due. */
void guard_answered(guard_conn *g);
void guard_counts(guard_stats *out);

/* ---- server.c ---- */

typedef struct http_options {
    const char *listen;     /* "IP:PORT" */
    const char *access_log; /* file to append JSON lines to; NULL: stderr */
    unsigned threads;       /* 0: one per core */
    bool read_only;         /* serve --read-only (app_set_read_only) */
} http_options;

/* Serve until SIGTERM or SIGINT, reloading on SIGHUP; returns 0 after a clean stop. */
int http_serve(app *a, const http_options *opt, ct_error *err);

#endif
