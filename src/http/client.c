/*
 * client.c — who the client of a request is: the peer's address, or, when the peer is one of
 * the configured trusted proxies ([server] trusted_proxies), the right-most address in
 * X-Forwarded-For that is not itself a trusted proxy.
 *
 * A proxy appends the address it took the request from; everything to the left of that came
 * from the client and may be invented. So the header is walked from the right, past our own
 * proxies, and the first hop that is not one of them is the client. With no trusted proxy
 * configured (the default) the header is ignored altogether: anybody can send it, and the
 * address it names is what the login limit and the audit trail go by.
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <microhttpd.h>

#define MAX_TRUSTED 32
#define MAX_FORWARDED_HEADERS 8

typedef struct net_range {
    int family; /* AF_INET or AF_INET6 */
    unsigned char addr[16];
    unsigned prefix; /* bits */
} net_range;

/* Set once before the daemon starts, read-only afterwards. */
static net_range trusted[MAX_TRUSTED];
static size_t n_trusted;

/* Parse an address into family and bytes; an IPv4-mapped IPv6 address counts as IPv4. */
static bool parse_ip(const char *s, int *family, unsigned char addr[16])
{
    if (inet_pton(AF_INET, s, addr) == 1) {
        *family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, s, addr) == 1) {
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        *family = AF_INET6;
        if (memcmp(addr, mapped, 12) == 0) {
            memmove(addr, addr + 12, 4);
            *family = AF_INET;
        }
        return true;
    }
    return false;
}

static bool in_range(const net_range *n, int family, const unsigned char *addr)
{
    unsigned full = n->prefix / 8, rest = n->prefix % 8;

    if (n->family != family || memcmp(n->addr, addr, full) != 0)
        return false;
    return rest == 0 || ((n->addr[full] ^ addr[full]) & (0xff00 >> rest) & 0xff) == 0;
}

static bool trusted_ip(int family, const unsigned char *addr)
{
    for (size_t i = 0; i < n_trusted; i++)
        if (in_range(&trusted[i], family, addr))
            return true;
    return false;
}

int client_trust_proxies(const char *list, ct_error *err)
{
    const char *p = list ? list : "";

    n_trusted = 0;
    while (*p) {
        char item[64], *slash;
        size_t len = strcspn(p, ", \t");
        net_range n = {0};
        unsigned max;

        if (len == 0) {
            p++;
            continue;
        }
        if (len >= sizeof item || n_trusted == MAX_TRUSTED)
            goto bad;
        memcpy(item, p, len);
        item[len] = '\0';
        p += len;
        slash = strchr(item, '/');
        if (slash)
            *slash = '\0';
        if (!parse_ip(item, &n.family, n.addr))
            goto bad;
        max = n.family == AF_INET ? 32 : 128;
        n.prefix = max;
        if (slash) {
            char *end;
            unsigned long bits = strtoul(slash + 1, &end, 10);
            if (slash[1] == '\0' || *end != '\0' || bits > max)
                goto bad;
            n.prefix = (unsigned)bits;
        }
        trusted[n_trusted++] = n;
        continue;
    bad:
        n_trusted = 0;
        return ct_fail(err, 400, "config.trusted_proxies",
                       "[server] trusted_proxies: \"%s\" không phải địa chỉ IP hay dải CIDR "
                       "(tối đa %d mục)",
                       "[server] trusted_proxies: \"%s\" is not an IP address or CIDR range "
                       "(%d entries at most)",
                       list, MAX_TRUSTED);
    }
    return 0;
}

size_t client_trusted_count(void)
{
    return n_trusted;
}

bool client_peer_trusted(const struct sockaddr *sa)
{
    if (n_trusted == 0 || sa == NULL)
        return false;
    if (sa->sa_family == AF_INET)
        return trusted_ip(
            AF_INET,
            (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr);
    if (sa->sa_family == AF_INET6) {
        unsigned char a[16];
        char shown[INET6_ADDRSTRLEN];
        int family;
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, shown,
                  sizeof shown);
        return parse_ip(shown, &family, a) && trusted_ip(family, a);
    }
    return false;
}

typedef struct forwarded {
    const char *values[MAX_FORWARDED_HEADERS];
    size_t n;
} forwarded;

static enum MHD_Result collect_forwarded(void *cls, enum MHD_ValueKind kind, const char *key,
                                         const char *value)
{
    forwarded *f = cls;
    (void)kind;

    if (strcasecmp(key, "X-Forwarded-For") == 0 && value) {
        if (f->n == MAX_FORWARDED_HEADERS) /* keep the last ones: the right-most hops */
            memmove(f->values, f->values + 1, (MAX_FORWARDED_HEADERS - 1) * sizeof f->values[0]);
        else
            f->n++;
        f->values[f->n - 1] = value;
    }
    return MHD_YES;
}

/* The hop that ends at `end` (exclusive) in value, trimmed; its start through *start. false when
 * it is not an address (then the walk stops). */
static bool hop_before(const char *value, const char *end, const char **start, int *family,
                       unsigned char addr[16])
{
    const char *b = end, *e = end;
    char hop[64];

    while (b > value && b[-1] != ',')
        b--;
    *start = b;
    while (b < e && (*b == ' ' || *b == '\t'))
        b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    if (e == b || (size_t)(e - b) >= sizeof hop)
        return false;
    memcpy(hop, b, (size_t)(e - b));
    hop[e - b] = '\0';
    return parse_ip(hop, family, addr);
}

void client_address(struct MHD_Connection *conn, char *out, size_t size)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = info ? info->client_addr : NULL;
    forwarded f = {{NULL}, 0};

    out[0] = '\0';
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)size);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)size);
    if (!client_peer_trusted(sa))
        return;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_forwarded, &f);
    /* Right to left over every hop of every X-Forwarded-For header (the last header first). */
    for (size_t h = f.n; h-- > 0;) {
        const char *value = f.values[h], *end = value + strlen(value);
        while (end >= value) {
            const char *start;
            int family;
            unsigned char addr[16];
            if (!hop_before(value, end, &start, &family, addr))
                return; /* not an address: the client is the last trusted hop */
            inet_ntop(family, addr, out, (socklen_t)size);
            if (!trusted_ip(family, addr))
                return;
            if (start == value)
                break;
            end = start - 1; /* the comma */
        }
    }
}
