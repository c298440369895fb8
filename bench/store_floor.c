/*
 * store_floor.c — bench_store_floor: the least any issuance stored in SQLite can cost, against
 * the cost of a P-256 signature, for bench/issue.
 *
 *   bench_store_floor DIR COUNT
 *
 * Bulk issuance signs on both cores, so its ratio to `openssl speed -multi 2` is the signature's
 * share of all the CPU a certificate takes. This measures two things on one core:
 *   - an ECDSA P-256 signature over a SHA-256 digest, as `openssl speed ecdsap256` makes it;
 *   - the floor of durable storage: COUNT rows holding nothing but a 32-digit serial (unique,
 *     indexed: OCSP looks certificates up by it) and 1,112 bytes of DER (a P-256-signed
 *     subscriber certificate of our profile), committed in transactions of 1,000 under the
 *     store's own settings (WAL, synchronous=FULL), with 8 KiB pages as ours and 64 KiB;
 * in turns, a transaction's worth of each at a time, so that the machine's drift falls on all;
 * and prints the ceiling sign / (sign + floor), with the lower of the two floors: the ratio a
 * P-256 issuance could reach if it did nothing but sign and store those rows, with both cores
 * busy all the time.
 */
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define DER_LEN 1112
#define CHUNK 1000

static double cpu_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One of the two databases of the floor, and the CPU its rows have cost so far. */
typedef struct floor_db {
    int page_size;
    sqlite3 *db;
    sqlite3_stmt *insert;
    double cpu;
} floor_db;

static int floor_open(floor_db *f, const char *dir, int page_size)
{
    char path[512], sql[320];

    f->page_size = page_size;
    snprintf(path, sizeof path, "%s/floor-%d.db", dir, page_size);
    snprintf(sql, sizeof sql,
             "PRAGMA page_size=%d; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
             " PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=%d;"
             " CREATE TABLE certificates (id INTEGER PRIMARY KEY, serial TEXT NOT NULL UNIQUE,"
             " der BLOB NOT NULL);",
             page_size, 5000 * 8192 / page_size); /* checkpoints every ~40 MB, as the store */
    if (sqlite3_open(path, &f->db) != SQLITE_OK ||
        sqlite3_exec(f->db, sql, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(f->db, "INSERT INTO certificates (serial, der) VALUES (?, ?)", -1,
                           &f->insert, NULL) != SQLITE_OK)
        return -1;
    return 0;
}

static void floor_close(floor_db *f)
{
    sqlite3_finalize(f->insert);
    sqlite3_close(f->db);
}

/* Store and commit one transaction of CHUNK rows, adding its CPU to f->cpu. */
static int floor_chunk(floor_db *f, char (*serials)[33], unsigned char *der)
{
    double t0 = cpu_seconds();

    if (sqlite3_exec(f->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    for (size_t i = 0; i < CHUNK; i++) {
        der[0] = (unsigned char)i; /* every row its own */
        sqlite3_bind_text(f->insert, 1, serials[i], 32, SQLITE_STATIC);
        sqlite3_bind_blob(f->insert, 2, der, DER_LEN, SQLITE_STATIC);
        if (sqlite3_step(f->insert) != SQLITE_DONE)
            return -1;
        sqlite3_reset(f->insert);
    }
    if (sqlite3_exec(f->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    f->cpu += cpu_seconds() - t0;
    return 0;
}

/* n P-256 signatures over a SHA-256 digest, adding their CPU to *cpu. */
static int sign_some(EVP_PKEY_CTX *ctx, size_t n, double *cpu)
{
    unsigned char digest[32] = {1}, sig[80];
    size_t sig_len;
    double t0 = cpu_seconds();

    for (size_t i = 0; i < n; i++) {
        sig_len = sizeof sig;
        if (EVP_PKEY_sign(ctx, sig, &sig_len, digest, sizeof digest) <= 0)
            return -1;
    }
    *cpu += cpu_seconds() - t0;
    return 0;
}

/* Random serials of 32 hex digits, drawn beforehand as bulk issuance draws them. */
static int draw_serials(char (*serials)[33], size_t n)
{
    unsigned char raw[16];

    for (size_t i = 0; i < n; i++) {
        if (RAND_bytes(raw, sizeof raw) != 1)
            return -1;
        for (size_t k = 0; k < sizeof raw; k++)
            snprintf(serials[i] + 2 * k, 3, "%02X", raw[k]);
    }
    return 0;
}

int main(int argc, char **argv)
{
    size_t count, signs = 0;
    char(*serials)[33] = malloc(CHUNK * sizeof *serials);
    unsigned char der[DER_LEN];
    floor_db ours = {0}, big = {0};
    EVP_PKEY *key = EVP_EC_gen("P-256");
    EVP_PKEY_CTX *ctx = key ? EVP_PKEY_CTX_new(key, NULL) : NULL;
    double sign_cpu = 0, sign, floor_ours, floor_big;
    int rc = 1;

    if (argc != 3 || (count = (size_t)atol(argv[2])) < CHUNK) {
        fprintf(stderr, "usage: bench_store_floor DIR COUNT (COUNT >= %d)\n", CHUNK);
        return 2;
    }
    if (serials == NULL || ctx == NULL || EVP_PKEY_sign_init(ctx) <= 0 ||
        RAND_bytes(der, sizeof der) != 1 || floor_open(&ours, argv[1], 8192) != 0 ||
        floor_open(&big, argv[1], 65536) != 0)
        goto out;
    /* The three are timed in turns, a transaction's worth at a time, so that the machine's
     * drift in speed falls on all of them alike. */
    for (size_t done = 0; done + CHUNK <= count; done += CHUNK, signs += 500)
        if (draw_serials(serials, CHUNK) != 0 || floor_chunk(&ours, serials, der) != 0 ||
            draw_serials(serials, CHUNK) != 0 || floor_chunk(&big, serials, der) != 0 ||
            sign_some(ctx, 500, &sign_cpu) != 0)
            goto out;
    sign = sign_cpu / (double)signs * 1e6;
    floor_ours = ours.cpu / (double)(count - count % CHUNK) * 1e6;
    floor_big = big.cpu / (double)(count - count % CHUNK) * 1e6;
    printf("p256_sign_us %.1f\n", sign);
    printf("floor_8k_us %.1f\n", floor_ours);
    printf("floor_64k_us %.1f\n", floor_big);
    printf("ceiling %.2f\n", sign / (sign + (floor_big < floor_ours ? floor_big : floor_ours)));
    rc = 0;
out:
    if (rc != 0)
        fprintf(stderr, "bench_store_floor: a signature or a row failed\n");
    floor_close(&ours);
    floor_close(&big);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(key);
    free(serials);
    return rc;
}
