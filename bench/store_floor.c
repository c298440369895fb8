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

/* CPU microseconds of one P-256 signature, over at least half a second of signing. */
static double sign_us(void)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    EVP_PKEY_CTX *ctx = key ? EVP_PKEY_CTX_new(key, NULL) : NULL;
    unsigned char digest[32] = {1}, sig[80];
    size_t n = 0, sig_len;
    double t0;

    if (ctx == NULL || EVP_PKEY_sign_init(ctx) <= 0)
        return -1;
    t0 = cpu_seconds();
    do {
        for (int i = 0; i < 1000; i++, n++) {
            sig_len = sizeof sig;
            if (EVP_PKEY_sign(ctx, sig, &sig_len, digest, sizeof digest) <= 0)
                return -1;
        }
    } while (cpu_seconds() - t0 < 0.5);
    t0 = (cpu_seconds() - t0) / (double)n * 1e6;
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(key);
    return t0;
}

/* CPU microseconds to store and commit one row of the floor, with pages of page_size. */
static double store_us(const char *dir, int page_size, size_t count)
{
    char path[512], sql[256], (*serials)[33] = malloc(count * sizeof *serials);
    unsigned char der[DER_LEN], raw[16];
    sqlite3 *db = NULL;
    sqlite3_stmt *insert = NULL;
    double t0, us = -1;

    /* the serials are drawn beforehand, as bulk issuance draws them: only storing is timed */
    for (size_t i = 0; serials != NULL && i < count; i++) {
        if (RAND_bytes(raw, sizeof raw) != 1)
            goto out;
        for (size_t k = 0; k < sizeof raw; k++)
            snprintf(serials[i] + 2 * k, 3, "%02X", raw[k]);
    }
    snprintf(path, sizeof path, "%s/floor-%d.db", dir, page_size);
    snprintf(sql, sizeof sql,
             "PRAGMA page_size=%d; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
             " PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=%d;"
             " CREATE TABLE certificates (id INTEGER PRIMARY KEY, serial TEXT NOT NULL UNIQUE,"
             " der BLOB NOT NULL);",
             page_size, 5000 * 8192 / page_size); /* checkpoints every ~40 MB, as the store */
    if (serials == NULL || sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO certificates (serial, der) VALUES (?, ?)", -1, &insert,
                           NULL) != SQLITE_OK ||
        RAND_bytes(der, sizeof der) != 1)
        goto out;
    t0 = cpu_seconds();
    for (size_t done = 0; done < count; done += CHUNK) {
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
            goto out;
        for (size_t i = done; i < done + CHUNK; i++) {
            der[0] = (unsigned char)i; /* every row its own */
            sqlite3_bind_text(insert, 1, serials[i], 32, SQLITE_STATIC);
            sqlite3_bind_blob(insert, 2, der, sizeof der, SQLITE_STATIC);
            if (sqlite3_step(insert) != SQLITE_DONE)
                goto out;
            sqlite3_reset(insert);
        }
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            goto out;
    }
    us = (cpu_seconds() - t0) / (double)count * 1e6;
out:
    sqlite3_finalize(insert);
    sqlite3_close(db);
    free(serials);
    return us;
}

int main(int argc, char **argv)
{
    size_t count;
    double sign, ours, best;

    if (argc != 3 || (count = (size_t)atol(argv[2])) < CHUNK) {
        fprintf(stderr, "usage: bench_store_floor DIR COUNT (COUNT >= %d)\n", CHUNK);
        return 2;
    }
    count -= count % CHUNK;
    sign = sign_us();
    ours = store_us(argv[1], 8192, count);
    best = store_us(argv[1], 65536, count);
    if (sign < 0 || ours < 0 || best < 0) {
        fprintf(stderr, "bench_store_floor: a signature or a row failed\n");
        return 1;
    }
    printf("p256_sign_us %.1f\n", sign);
    printf("floor_8k_us %.1f\n", ours);
    printf("floor_64k_us %.1f\n", best);
    printf("ceiling %.2f\n", sign / (sign + (best < ours ? best : ours)));
    return 0;
}
