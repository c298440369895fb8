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
 *   - and, for comparison, the bytes alone: each transaction's DER as one row, no serial, no
 *     index (not a store anyone could look a certificate up in);
 * in turns, a transaction's worth of each at a time, so that the machine's drift falls on all;
 * and prints the ceiling sign / (sign + floor), with the lower of the two floors: the ratio a
 * P-256 issuance could reach if it did nothing but sign and store those rows, with both cores
 * busy all the time.
 */
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sqlite3.h>
#include <stdbool.h>
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

/* One of the databases of the floor, and the CPU its rows have cost so far. */
typedef struct floor_db {
    int page_size;
    bool bytes_only; /* one row a transaction, holding all its DER: no serial, no index */
    sqlite3 *db;
    sqlite3_stmt *insert;
    double cpu;
} floor_db;

static int floor_open(floor_db *f, const char *dir, int page_size, bool bytes_only)
{
    char path[512], sql[320];

    f->page_size = page_size;
    f->bytes_only = bytes_only;
    snprintf(path, sizeof path, "%s/floor-%d%s.db", dir, page_size, bytes_only ? "-bytes" : "");
    snprintf(sql, sizeof sql,
             "PRAGMA page_size=%d; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
             " PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=%d; %s",
             page_size, 5000 * 8192 / page_size, /* checkpoints every ~40 MB, as the store */
             bytes_only ? "CREATE TABLE transactions (id INTEGER PRIMARY KEY, ders BLOB NOT NULL);"
                        : "CREATE TABLE certificates (id INTEGER PRIMARY KEY,"
                          " serial TEXT NOT NULL UNIQUE, der BLOB NOT NULL);");
    if (sqlite3_open(path, &f->db) != SQLITE_OK ||
        sqlite3_exec(f->db, sql, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(f->db,
                           bytes_only ? "INSERT INTO transactions (ders) VALUES (?)"
                                      : "INSERT INTO certificates (serial, der) VALUES (?, ?)",
                           -1, &f->insert, NULL) != SQLITE_OK)
        return -1;
    return 0;
}

static void floor_close(floor_db *f)
{
    sqlite3_finalize(f->insert);
    sqlite3_close(f->db);
}

/* Store and commit one transaction of CHUNK certificates (ders: CHUNK × DER_LEN bytes), adding
 * its CPU to f->cpu. */
static int floor_chunk(floor_db *f, char (*serials)[33], const unsigned char *ders)
{
    double t0 = cpu_seconds();

    if (sqlite3_exec(f->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    for (size_t i = 0; i < (f->bytes_only ? 1 : CHUNK); i++) {
        if (f->bytes_only) {
            sqlite3_bind_blob(f->insert, 1, ders, CHUNK * DER_LEN, SQLITE_STATIC);
        } else {
            sqlite3_bind_text(f->insert, 1, serials[i], 32, SQLITE_STATIC);
            sqlite3_bind_blob(f->insert, 2, ders + i * DER_LEN, DER_LEN, SQLITE_STATIC);
        }
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
    unsigned char *ders = malloc(CHUNK * DER_LEN);
    floor_db dbs[3] = {{0}}; /* ours (8 KiB pages), 64 KiB pages, and the bytes alone */
    EVP_PKEY *key = EVP_EC_gen("P-256");
    EVP_PKEY_CTX *ctx = key ? EVP_PKEY_CTX_new(key, NULL) : NULL;
    double sign_cpu = 0, sign, us[3];
    int rc = 1;

    if (argc != 3 || (count = (size_t)atol(argv[2])) < CHUNK) {
        fprintf(stderr, "usage: bench_store_floor DIR COUNT (COUNT >= %d)\n", CHUNK);
        return 2;
    }
    count -= count % CHUNK;
    if (serials == NULL || ders == NULL || ctx == NULL || EVP_PKEY_sign_init(ctx) <= 0 ||
        RAND_bytes(ders, CHUNK * DER_LEN) != 1 || floor_open(&dbs[0], argv[1], 8192, false) ||
        floor_open(&dbs[1], argv[1], 65536, false) || floor_open(&dbs[2], argv[1], 65536, true))
        goto out;
    /* All are timed in turns, a transaction's worth at a time, so that the machine's drift in
     * speed falls on all of them alike. */
    for (size_t done = 0; done < count; done += CHUNK, signs += 500) {
        for (int k = 0; k < 3; k++) {
            ders[0] = (unsigned char)(done / CHUNK); /* every transaction its own bytes */
            if (draw_serials(serials, CHUNK) != 0 || floor_chunk(&dbs[k], serials, ders) != 0)
                goto out;
        }
        if (sign_some(ctx, 500, &sign_cpu) != 0)
            goto out;
    }
    sign = sign_cpu / (double)signs * 1e6;
    for (int k = 0; k < 3; k++)
        us[k] = dbs[k].cpu / (double)count * 1e6;
    printf("p256_sign_us %.1f\n", sign);
    printf("floor_8k_us %.1f\n", us[0]);
    printf("floor_64k_us %.1f\n", us[1]);
    printf("bytes_only_us %.1f\n", us[2]);
    printf("ceiling %.2f\n", sign / (sign + (us[1] < us[0] ? us[1] : us[0])));
    rc = 0;
out:
    if (rc != 0)
        fprintf(stderr, "bench_store_floor: a signature or a row failed\n");
    for (int k = 0; k < 3; k++)
        floor_close(&dbs[k]);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(key);
    free(serials);
    free(ders);
    return rc;
}
