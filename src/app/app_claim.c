/*
 * app_claim.c — claims on what a step works on outside a transaction, and one helper to run a
 * step's reads and writes in a single transaction.
 *
 * Issuing an applicant generates keys on a token, which takes seconds: too long to hold the
 * database's write lock. So the issue step claims the applicant and the token in a short
 * transaction that also checks the states allowing it, works with no transaction open, and
 * releases the claims in the transaction that records the result. A second step on the same
 * applicant or token meanwhile finds the claim and is refused (409), instead of being done
 * twice. A claim names the process holding it (host, pid, the process's start time): a claim
 * whose process is gone — killed in the middle of a provisioning — is abandoned and may be
 * taken over at once.
 */
#include "app/app_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>
#include <unistd.h>

/* A claim of another machine's process is taken as alive for this long (it cannot be asked). */
#define CLAIM_REMOTE_SECONDS (60 * 60)

int with_transaction(app *a, transaction_fn fn, void *ctx, ct_error *err)
{
    if (store_begin(a->db, err) != 0)
        return -1;
    if (fn(a, ctx, err) != 0) {
        store_rollback(a->db);
        return -1;
    }
    if (store_commit(a->db, err) != 0) {
        store_rollback(a->db);
        return -1;
    }
    return 0;
}

/* The start time of process pid in clock ticks since boot (/proc/PID/stat field 22), or 0. */
static unsigned long long process_start(long pid)
{
    char path[64], buf[1024], *p;
    FILE *f;
    size_t n;
    unsigned long long start = 0;

    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    if ((f = fopen(path, "r")) == NULL)
        return 0;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* the command name (field 2) may hold spaces and parentheses: count from its last ')' */
    if ((p = strrchr(buf, ')')) == NULL)
        return 0;
    p++;
    for (int field = 3; field < 22 && p; field++)
        p = strchr(p + 1, ' ');
    if (p)
        start = strtoull(p + 1, NULL, 10);
    return start;
}

static void host_name(char *out, size_t size)
{
    if (gethostname(out, size) != 0)
        snprintf(out, size, "?");
    out[size - 1] = '\0';
}

void claim_holder(char out[CLAIM_HOLDER_MAX])
{
    char host[64];
    unsigned char nonce[8];
    long pid = (long)getpid();

    host_name(host, sizeof host);
    if (RAND_bytes(nonce, sizeof nonce) != 1)
        memset(nonce, 0, sizeof nonce);
    snprintf(out, CLAIM_HOLDER_MAX, "%s %ld %llu %02x%02x%02x%02x%02x%02x%02x%02x", host, pid,
             process_start(pid), nonce[0], nonce[1], nonce[2], nonce[3], nonce[4], nonce[5],
             nonce[6], nonce[7]);
}

/* Is the process that wrote this claim still running? */
static bool claim_alive(const claim_record *c, int64_t now)
{
    char host[64], me[64];
    long pid;
    unsigned long long start;

    if (sscanf(c->holder, "%63s %ld %llu", host, &pid, &start) != 3)
        return false;
    host_name(me, sizeof me);
    if (strcmp(host, me) != 0)
        return now - c->at < CLAIM_REMOTE_SECONDS;
    return process_start(pid) == start && start != 0;
}

int claim_take(app *a, const char *object, const char *holder, ct_error *err)
{
    claim_record c;
    int64_t now = app_now();

    if (store_claim_get(a->db, object, &c, NULL) == 0) {
        if (claim_alive(&c, now))
            return ct_fail(err, 409, "claim.busy",
                           "đang được xử lý ở một bước khác: hãy chờ bước đó xong",
                           "another step is working on it: wait until that step is done");
        /* its process died part way: the step is taken over */
        if (store_claim_delete(a->db, object, c.holder, err) != 0)
            return -1;
    }
    memset(&c, 0, sizeof c);
    snprintf(c.object, sizeof c.object, "%s", object);
    snprintf(c.holder, sizeof c.holder, "%s", holder);
    c.at = now;
    return store_claim_insert(a->db, &c, err);
}

bool claim_held(app *a, const char *object, const char *holder)
{
    claim_record c;

    return store_claim_get(a->db, object, &c, NULL) == 0 && strcmp(c.holder, holder) == 0;
}

bool claim_busy(app *a, const char *object)
{
    claim_record c;

    return store_claim_get(a->db, object, &c, NULL) == 0 && claim_alive(&c, app_now());
}

int claim_release(app *a, const char *object, const char *holder, ct_error *err)
{
    return store_claim_delete(a->db, object, holder, err);
}

typedef struct {
    const char *object;
    const char *holder;
} claim_ref;

static int release_in_transaction(app *a, void *ctx, ct_error *err)
{
    claim_ref *c = ctx;

    return claim_release(a, c->object, c->holder, err);
}

void claim_release_now(app *a, const char *object, const char *holder)
{
    claim_ref c = {object, holder};
    ct_error ignored = {0};

    /* if even this fails, the claim is taken over once this process is gone */
    with_transaction(a, release_in_transaction, &c, &ignored);
}
