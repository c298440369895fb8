/*
 * token_keygen.c — bench_token_keygen: the cost of provisioning a subscriber token against the
 * bare key generation it is built around, on the same PKCS#11 module, for bench/token.
 *
 *   bench_token_keygen MODULE HOME N TIMING_MODULE
 *
 * (a) bare: N × C_GenerateKeyPair (RSA-2048, token objects) on one logged-in session;
 * (b) full: N × app_token_provision on the instance HOME (stocked with N blank tokens, its
 *     module set to TIMING_MODULE in front of MODULE): token initialisation, PINs, key
 *     generation, certificate, chain, challenge, envelope, records;
 * (c) the key generation inside (b), timed by TIMING_MODULE.
 * Prints milliseconds per token and two overheads: (b − a) / a, which carries the spread of
 * RSA key generation times, and (b − c) / c, what provisioning adds to its own generations.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <p11-kit/pkcs11.h>

#include "app/app.h"

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* N bare key generations on the first free slot, initialised for the purpose. */
static double bare_keygen(const char *module, int n)
{
    void *h = dlopen(module, RTLD_NOW);
    CK_C_GetFunctionList get;
    CK_FUNCTION_LIST_PTR f;
    CK_SLOT_ID slots[64];
    CK_ULONG count = 64;
    CK_SESSION_HANDLE s;
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_ULONG bits = 2048;
    CK_BYTE exponent[] = {1, 0, 1};
    CK_MECHANISM mech = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
    CK_ATTRIBUTE pub[] = {{CKA_TOKEN, &yes, 1},
                          {CKA_VERIFY, &yes, 1},
                          {CKA_MODULUS_BITS, &bits, sizeof bits},
                          {CKA_PUBLIC_EXPONENT, exponent, 3}};
    CK_ATTRIBUTE priv[] = {{CKA_TOKEN, &yes, 1},
                           {CKA_PRIVATE, &yes, 1},
                           {CKA_SENSITIVE, &yes, 1},
                           {CKA_EXTRACTABLE, &no, 1},
                           {CKA_SIGN, &yes, 1}};
    CK_OBJECT_HANDLE a, b;
    unsigned char label[32];
    double t0, t1;

    if (h == NULL)
        return -1;
    *(void **)&get = dlsym(h, "C_GetFunctionList");
    if (get == NULL || get(&f) != CKR_OK || f->C_Initialize(NULL) != CKR_OK)
        return -1;
    f->C_GetSlotList(CK_TRUE, NULL, &count);
    count = 64;
    if (f->C_GetSlotList(CK_TRUE, slots, &count) != CKR_OK || count == 0)
        return -1;
    memset(label, ' ', sizeof label);
    memcpy(label, "bench-bare", 10);
    /* the last slot is SoftHSM2's free one */
    if (f->C_InitToken(slots[count - 1], (CK_UTF8CHAR_PTR) "12345678", 8, label) != CKR_OK)
        return -1;
    count = 64;
    f->C_GetSlotList(CK_TRUE, NULL, &count);
    count = 64;
    f->C_GetSlotList(CK_TRUE, slots, &count);
    for (CK_ULONG i = 0; i < count; i++) {
        CK_TOKEN_INFO ti;
        if (f->C_GetTokenInfo(slots[i], &ti) == CKR_OK && memcmp(ti.label, label, 32) == 0 &&
            f->C_OpenSession(slots[i], CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s) ==
                CKR_OK)
            break;
    }
    f->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR) "12345678", 8);
    f->C_InitPIN(s, (CK_UTF8CHAR_PTR) "87654321", 8);
    f->C_Logout(s);
    f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "87654321", 8);
    t0 = now_ms();
    for (int i = 0; i < n; i++)
        if (f->C_GenerateKeyPair(s, &mech, pub, 4, priv, 5, &a, &b) != CKR_OK)
            return -1;
    t1 = now_ms();
    f->C_CloseSession(s);
    f->C_Finalize(NULL);
    return (t1 - t0) / n;
}

int main(int argc, char **argv)
{
    app *a;
    ct_error err = {0};
    app_actor actor = {"bench", ROLE_CA_OFFICER, "bench", NULL};
    double bare, t0, full;
    int n;

    void *timing;
    double (*timing_keygen_ms)(unsigned long *);
    unsigned long calls;
    double inside;

    if (argc != 5)
        return 2;
    timing = dlopen(argv[4], RTLD_NOW);
    if (timing == NULL ||
        (*(void **)&timing_keygen_ms = dlsym(timing, "ct_p11_timing_keygen_ms")) == NULL) {
        fprintf(stderr, "cannot load %s\n", argv[4]);
        return 1;
    }
    n = atoi(argv[3]);
    bare = bare_keygen(argv[1], n);
    if (bare < 0) {
        fprintf(stderr, "bare key generation failed\n");
        return 1;
    }
    if (app_open(argv[2], &a, &err) != 0) {
        fprintf(stderr, "%s\n", err.en);
        return 1;
    }
    t0 = now_ms();
    for (int i = 0; i < n; i++) {
        app_provision_request req = {0};
        app_provisioned out;
        char email[64];
        snprintf(email, sizeof email, "user%d@mic.gov.vn", i);
        req.subject.full_name = "Nguyễn Văn Bình";
        req.subject.email = email;
        req.subject.province = "Hà Nội";
        req.subject.org = "Bộ Khoa học và Công nghệ";
        req.hold = true;
        if (app_token_provision(a, &actor, &req, &out, &err) != 0) {
            fprintf(stderr, "%s\n", err.en);
            return 1;
        }
    }
    full = (now_ms() - t0) / n;
    inside = timing_keygen_ms(&calls) / n;
    {
        int (*line)(int, const char **, double *, unsigned long *);
        const char *name;
        double ms;
        unsigned long k;
        *(void **)&line = dlsym(timing, "ct_p11_timing_line");
        for (int i = 0; line && line(i, &name, &ms, &k); i++)
            printf("  %-18s %8.1f ms a token (%lu calls)\n", name, ms / n, k);
    }
    app_close(a);
    if (calls != (unsigned long)n) {
        fprintf(stderr, "expected %d key generations through the timing module, saw %lu\n", n,
                calls);
        return 1;
    }
    printf("bare_keygen_ms %.1f\nprovision_ms %.1f\nkeygen_inside_ms %.1f\n"
           "around_keygen_ms %.1f\noverhead_vs_bare %.3f\noverhead_paired %.3f\n",
           bare, full, inside, full - inside, (full - bare) / bare, (full - inside) / inside);
    dlclose(timing);
    return 0;
}
