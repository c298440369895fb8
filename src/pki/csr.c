/*
 * csr.c — PKCS#10 requests for the issuing CA's key (see csr.h). The request is written with the
 * DER writer and signed through the signer, as certificates are, so that a key on an HSM signs
 * its own request; reading uses OpenSSL.
 */
#include "pki/csr.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core/der.h"
#include "pki/ca.h"
#include "pki/cert.h"

int csr_build(pki_signer *signer, const unsigned char *subject_der, size_t subject_len, char **pem,
              ct_error *err)
{
    ct_buf b;
    size_t outer, tbs, tbs_start, spki_len, der_len;
    const unsigned char *spki = signer_spki(signer, &spki_len);
    unsigned char *der;
    BIO *bio;
    X509_REQ *req;
    const unsigned char *p;
    BUF_MEM *mem;

    buf_init(&b);
    outer = der_begin(&b, DER_SEQUENCE);
    tbs_start = b.len;                 /* the signature covers the TBS's own tag and length */
    tbs = der_begin(&b, DER_SEQUENCE); /* CertificationRequestInfo */
    der_uint(&b, 0);                   /* version v1 */
    buf_append(&b, subject_der, subject_len);
    buf_append(&b, spki, spki_len);
    der_tlv(&b, DER_CONTEXT(0), NULL, 0); /* attributes: none */
    der_end(&b, tbs);
    if (cert_sign_wrap(&b, outer, tbs_start, signer, &der, &der_len, err) != 0)
        return -1;
    p = der;
    req = d2i_X509_REQ(NULL, &p, (long)der_len);
    free(der);
    bio = BIO_new(BIO_s_mem());
    if (req == NULL || bio == NULL || PEM_write_bio_X509_REQ(bio, req) != 1) {
        X509_REQ_free(req);
        BIO_free(bio);
        ERR_clear_error();
        return ct_fail(err, 500, "csr.encode", "không tạo được yêu cầu chứng thư (CSR)",
                       "cannot encode the certificate request (CSR)");
    }
    X509_REQ_free(req);
    BIO_get_mem_ptr(bio, &mem);
    *pem = malloc(mem->length + 1);
    if (*pem == NULL) {
        BIO_free(bio);
        return ct_fail(err, 500, "oom", "hết bộ nhớ", "out of memory");
    }
    memcpy(*pem, mem->data, mem->length);
    (*pem)[mem->length] = '\0';
    BIO_free(bio);
    return 0;
}

int csr_read(const unsigned char *data, size_t len, pubkey_info *key, unsigned char **subject_der,
             size_t *subject_len, ct_error *err)
{
    /* the format, the signature and the key are checked as for any CSR we take */
    return pubkey_from_csr_subject(data, len, key, subject_der, subject_len, err);
}
