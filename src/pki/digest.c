/*
 * digest.c — the fetched hash functions of digest.h. They are fetched on first use and kept
 * for the life of the process (OpenSSL frees them at exit with the rest of its state).
 */
#include "pki/digest.h"

#include <pthread.h>

static pthread_once_t fetched = PTHREAD_ONCE_INIT;
static EVP_MD *sha1, *sha256, *sha384;

static void fetch_all(void)
{
    sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
    sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    sha384 = EVP_MD_fetch(NULL, "SHA384", NULL);
}

/* The fetched function, or the classic one should the fetch have failed (it does not with the
 * default provider, which these are part of). */
static const EVP_MD *pki_md_sha1(void)
{
    pthread_once(&fetched, fetch_all);
    return sha1 ? sha1 : EVP_sha1();
}

const EVP_MD *pki_md_sha256(void)
{
    pthread_once(&fetched, fetch_all);
    return sha256 ? sha256 : EVP_sha256();
}

const EVP_MD *pki_md_sha384(void)
{
    pthread_once(&fetched, fetch_all);
    return sha384 ? sha384 : EVP_sha384();
}

int pki_sha1(const void *data, size_t len, unsigned char out[20])
{
    return EVP_Digest(data, len, out, NULL, pki_md_sha1(), NULL) == 1 ? 0 : -1;
}

int pki_sha256(const void *data, size_t len, unsigned char out[32])
{
    return EVP_Digest(data, len, out, NULL, pki_md_sha256(), NULL) == 1 ? 0 : -1;
}
