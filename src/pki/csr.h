/*
 * csr.h — PKCS#10 certificate requests between the online instance and the offline root: the
 * online side writes one for the issuing CA's key (which may live on an HSM, so the request is
 * signed through a pki_signer), the key ceremony reads it back (signature checked) to sign the
 * issuing CA certificate for that key and that subject.
 */
#ifndef CT_PKI_CSR_H
#define CT_PKI_CSR_H

#include <stddef.h>

#include "core/error.h"
#include "pki/pubkey.h"
#include "pki/signer.h"

/* A request for signer's key under subject_der (a Name from cert_encode_name), as PEM text;
 * *pem malloc'd. */
int csr_build(pki_signer *signer, const unsigned char *subject_der, size_t subject_len, char **pem,
              ct_error *err);

/* Read a request (PEM or DER) whose signature verifies: its key as pubkey_from_csr() accepts it,
 * and its subject Name DER (*subject_der malloc'd). */
int csr_read(const unsigned char *data, size_t len, pubkey_info *key, unsigned char **subject_der,
             size_t *subject_len, ct_error *err);

#endif
