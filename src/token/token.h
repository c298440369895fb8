/*
 * token.h — PKCS#11 tokens: the subscriber's private-key storage device, and the CA's key when
 * it lives in an HSM.
 *
 * Any vendor's module is loaded with dlopen (SoftHSM2 by default and in every test). This layer
 * knows nothing of certificates' contents: it takes and returns DER bytes. Every failure names
 * the step that failed ("initialise token", "generate key pair", …) and the PKCS#11 return
 * code; no PIN ever appears in a message.
 */
#ifndef CT_TOKEN_TOKEN_H
#define CT_TOKEN_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

typedef struct token_module token_module;

typedef enum {
    TOKEN_KEY_RSA2048,
    TOKEN_KEY_RSA3072,
    TOKEN_KEY_RSA4096,
    TOKEN_KEY_P256,
    TOKEN_KEY_P384,
} token_key_type;

int token_module_open(const char *module_path, token_module **out, ct_error *err);
void token_module_close(token_module *m);

typedef struct token_info {
    unsigned long slot_id;
    char label[33];
    char serial[17];
    char model[17];
    bool initialized;
} token_info;

/* The tokens present. *out malloc'd. */
int token_list(token_module *m, token_info **out, size_t *count, ct_error *err);

/* SoftHSM2-style stock: initialise the first uninitialised token as a blank one with label and
 * SO PIN; its serial comes back. "token.no_free_slot" if there is none. */
int token_create_blank(token_module *m, const char *label, const char *so_pin, char serial_out[17],
                       ct_error *err);

/* A logged-in user session on one token, for several operations with one login. */
typedef struct token_session token_session;

/* A certificate to store on a token (CKO_CERTIFICATE, X.509) under CKA_ID id and the label;
 * authority marks a CA certificate (CKA_CERTIFICATE_CATEGORY 2). */
typedef struct token_cert_object {
    const unsigned char *id;
    size_t id_len;
    const char *label;
    const unsigned char *der;
    size_t der_len;
    const unsigned char *subject;
    size_t subject_len;
    bool authority;
} token_cert_object;

/* Provision a token: re-initialise it (wiping it) with the SO PIN, set the user PIN, generate the
 * key pair on it (private key: token, private, sensitive, not extractable, sign) with CKA_ID id
 * and the label, and return the public key as SubjectPublicKeyInfo DER (*spki malloc'd).
 * The n_chain certificates of chain (the CA chain, which does not depend on the new key) are
 * written from a second session while the key pair is generated: key generation is the long
 * step, and writing a token object is mostly the module's file or device I/O. */
int token_provision_keys(token_module *m, const char *serial, const char *so_pin,
                         const char *user_pin, const char *label, const unsigned char *id,
                         size_t id_len, token_key_type type, const token_cert_object *chain,
                         size_t n_chain, unsigned char **spki, size_t *spki_len,
                         token_session **keep, ct_error *err);
/* With keep non-NULL, provisioning hands back its logged-in user session, for the steps that
 * follow (one login instead of several). sign signs with the private key of CKA_ID id: SHA-256
 * with RSA PKCS#1 v1.5, or ECDSA with SHA-256 (r||s); sig must hold 512 bytes. */

/* Write certificates from a second session and a thread of their own while the caller goes on
 * with the token (writing an object is mostly the module's file or device I/O). The token must
 * be logged in as user; certs must stay valid until token_write_end, which waits for the
 * writes and returns their result, failing too if the token is gone by then. Every begun
 * writer must be ended. */
typedef struct token_writer token_writer;
int token_write_begin(token_module *m, const char *serial, const token_cert_object *certs, size_t n,
                      token_writer **out, ct_error *err);
int token_write_end(token_writer *w, ct_error *err);

int token_session_sign(token_session *s, const unsigned char *id, size_t id_len,
                       const unsigned char *data, size_t len, unsigned char *sig, size_t *sig_len,
                       ct_error *err);
void token_session_close(token_session *s);

/* A new user PIN set by the security officer (C_InitPIN in an SO session): the old PIN stops
 * working and a locked PIN is unblocked; the keys and certificates stay. A wrong SO PIN is
 * "token.wrong_so_pin". */
int token_reset_user_pin(token_module *m, const char *serial, const char *so_pin,
                         const char *new_pin, ct_error *err);

/* A renewal for the same key, in a security officer's session (certificates and public keys
 * are public objects: the holder's user PIN is neither needed nor changed). token_cert_key finds
 * the certificate object whose value is cert_der and the public key of the same CKA_ID, and
 * returns that key as SubjectPublicKeyInfo DER (*spki malloc'd); "token.cert_missing" or
 * "token.key_missing" when they are not there. token_cert_replace writes new_der under the old
 * object's CKA_ID and label, then destroys the old object; on any failure the token keeps the
 * certificate it had. The key pair is never touched. */
int token_cert_key(token_module *m, const char *serial, const char *so_pin,
                   const unsigned char *cert_der, size_t cert_len, unsigned char **spki,
                   size_t *spki_len, ct_error *err);
int token_cert_replace(token_module *m, const char *serial, const char *so_pin,
                       const unsigned char *old_der, size_t old_len, const unsigned char *new_der,
                       size_t new_len, const unsigned char *subject, size_t subject_len,
                       ct_error *err);

/* Wipe: re-initialise with the SO PIN and a blank label. */
int token_wipe(token_module *m, const char *serial, const char *so_pin, const char *blank_label,
               ct_error *err);

/* A long-lived, logged-in key for signing many times: the CA's key in an HSM. */
typedef struct token_key token_key;

/* Generate a key pair for a CA on an (initialised) HSM token and open it. */
int token_key_generate(token_module *m, const char *serial, const char *user_pin, const char *label,
                       token_key_type type, token_key **out, ct_error *err);
/* Open an existing key by its label. */
int token_key_open(token_module *m, const char *serial, const char *user_pin, const char *label,
                   token_key **out, ct_error *err);
/* Raw private operation: CKM_RSA_PKCS over a DigestInfo, or CKM_ECDSA over a hash (r||s). */
int token_key_sign_raw(token_key *k, const unsigned char *in, size_t in_len, unsigned char *sig,
                       size_t *sig_len, ct_error *err);
/* SubjectPublicKeyInfo DER of the key (owned by the key). */
const unsigned char *token_key_spki(const token_key *k, size_t *len);
void token_key_close(token_key *k);
/* Destroy every object labelled label on the token (a CA-side key pair no longer used);
 * *destroyed counts them, 0 when there was none. Other keys this process holds open stay
 * logged in. */
int token_objects_destroy(token_module *m, const char *serial, const char *user_pin,
                          const char *label, size_t *destroyed, ct_error *err);

#endif
