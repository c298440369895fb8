/*
 * bare_server.c — bench_bare_server: the ceiling of our HTTP stack, for bench/ocsp.
 *
 *   bench_bare_server PORT RESPONSE_FILE [THREADS]
 *
 * A libmicrohttpd daemon started with the same flags and options as `chungthu serve`
 * (src/http/server.c: internal polling thread pool with epoll, one thread per core, the same
 * limits, a completion callback) that reads any request body and answers every request with the
 * bytes of RESPONSE_FILE as application/ocsp-response. Whatever `chungthu serve` adds on top of
 * this — routing, the OCSP lookup, metrics, the access log — is what bench/ocsp's ratio
 * measures. Stops on SIGTERM or SIGINT.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

static unsigned char response[65536];
static size_t response_len;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    static int first_call_marker;
    struct MHD_Response *resp;
    enum MHD_Result rc;
    (void)cls, (void)url, (void)method, (void)version, (void)upload_data;

    if (*con_cls == NULL) { /* headers only */
        *con_cls = &first_call_marker;
        return MHD_YES;
    }
    if (*upload_data_size > 0) { /* consume the body */
        *upload_data_size = 0;
        return MHD_YES;
    }
    /* copied, as http_send does: the answer then belongs to the connection */
    resp = MHD_create_response_from_buffer(response_len, response, MHD_RESPMEM_MUST_COPY);
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/ocsp-response");
    rc = MHD_queue_response(conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return rc;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)conn, (void)toe;
    *con_cls = NULL;
}

int main(int argc, char **argv)
{
    struct sockaddr_in addr = {0};
    struct MHD_Daemon *d;
    sigset_t signals;
    FILE *f;
    int sig = 0;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = argc > 3 ? (unsigned)atoi(argv[3]) : (unsigned)(cores > 0 ? cores : 2);

    if (argc < 3) {
        fprintf(stderr, "usage: bench_bare_server PORT RESPONSE_FILE [THREADS]\n");
        return 2;
    }
    f = fopen(argv[2], "rb");
    if (f == NULL) {
        perror(argv[2]);
        return 2;
    }
    response_len = fread(response, 1, sizeof response, f);
    fclose(f);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)atoi(argv[1]));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0, NULL,
        NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)1000, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)30, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        NULL, MHD_OPTION_END);
    if (d == NULL) {
        fprintf(stderr, "bench_bare_server: cannot listen on port %s\n", argv[1]);
        return 1;
    }
    fprintf(stderr, "bench_bare_server: %zu-byte answers on 127.0.0.1:%s, %u threads\n",
            response_len, argv[1], threads);
    while (sig != SIGTERM && sig != SIGINT)
        if (sigwait(&signals, &sig) != 0)
            sig = 0;
    MHD_stop_daemon(d);
    return 0;
}
