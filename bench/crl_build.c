/*
 * crl_build.c — bench_crl_build: sign a CRL with chungthu's encoder from a list of entries, for
 * bench/crl.
 *
 *   bench_crl_build KEY.pem CERT.pem ENTRIES.txt OUT.der
 *
 * ENTRIES.txt: one "SERIALHEX UNIXTIME REASON" a line, in serial order. Prints the seconds spent
 * reading the list and building + signing the CRL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pki/ca.h"
#include "pki/crl.h"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    pki_signer *signer;
    pki_ca ca;
    ct_error err = {0};
    FILE *f;
    static unsigned char certbuf[1 << 16];
    unsigned char *cert_der, *der;
    size_t cert_len, n = 0, cap = 1 << 20, der_len;
    crl_entry *entries;
    char line[128];
    double t0, t1;

    if (argc != 5)
        return 2;
    if (signer_open_file(argv[1], "", &signer, &err) != 0) {
        fprintf(stderr, "%s\n", err.en);
        return 1;
    }
    f = fopen(argv[2], "rb");
    cert_len = f ? fread(certbuf, 1, sizeof certbuf, f) : 0;
    if (f)
        fclose(f);
    if (pki_cert_from_pem(certbuf, cert_len, &cert_der, &cert_len, &err) != 0 ||
        pki_ca_load(&ca, cert_der, cert_len, signer, &err) != 0) {
        fprintf(stderr, "%s\n", err.en);
        return 1;
    }
    free(cert_der);
    entries = malloc(cap * sizeof *entries);
    f = fopen(argv[3], "r");
    if (f == NULL || entries == NULL)
        return 1;
    t0 = now_s();
    while (fgets(line, sizeof line, f)) {
        char hex[64];
        long long when;
        int reason;
        if (sscanf(line, "%63s %lld %d", hex, &when, &reason) != 3)
            continue;
        if (n == cap) {
            cap *= 2;
            entries = realloc(entries, cap * sizeof *entries);
        }
        crl_entry_serial(&entries[n], hex);
        entries[n].revoked_at = when;
        entries[n].reason = (int8_t)reason;
        n++;
    }
    fclose(f);
    t1 = now_s();
    {
        cert_issuer issuer = pki_ca_issuer(&ca);
        int64_t now = (int64_t)time(NULL);
        double t2 = now_s();
        if (crl_build(&issuer, 1, now, now + 86400, entries, n, &der, &der_len, &err) != 0) {
            fprintf(stderr, "%s\n", err.en);
            return 1;
        }
        printf("entries %zu\nread_seconds %.3f\nbuild_sign_seconds %.3f\nbytes %zu\n", n,
               t1 - t0, now_s() - t2, der_len);
    }
    f = fopen(argv[4], "wb");
    fwrite(der, 1, der_len, f);
    fclose(f);
    free(der);
    free(entries);
    pki_ca_free(&ca);
    return 0;
}
