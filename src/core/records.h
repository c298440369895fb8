/*
 * records.h — the records chungthu keeps, as plain values: what the store reads and writes and
 * what the use cases (app) hand to the faces.
 *
 * Only the types, the filters of their listings, the callbacks that walk them and the functions
 * freeing what a record owns live here; reading and writing them is the store's (store/store.h),
 * which the faces never see. libc only.
 */
#ifndef CT_CORE_RECORDS_H
#define CT_CORE_RECORDS_H

#include <stddef.h>
#include <stdint.h>

/* Certificate status values (cert_record.status). */
#include "core/cert_status.h"

/* ---- certificates and CRLs ---- */

typedef struct cert_record {
    char serial[41];    /* upper-case hex */
    char kind[16];      /* "subscriber", "root", "issuing", "ocsp" */
    char issuer[32];    /* name of the CA that signed it: "root" or "issuing" */
    char status[16];    /* CERT_STATUS_* */
    char subject[1024]; /* readable DN */
    char common_name[256];
    char email[256];
    char search_key[1024]; /* diacritic-folded name, organisation, e-mail, serial */
    char sha256[65];
    int64_t not_before;
    int64_t not_after;
    int64_t created_at;
    int64_t effective_at;  /* publication instant; 0 while never published */
    int64_t revoked_at;    /* 0 unless revoked or on hold */
    int revocation_reason; /* RFC 5280 CRLReason; -1 for none */
    unsigned char *der;    /* owned; freed by cert_record_free */
    size_t der_len;
} cert_record;

void cert_record_free(cert_record *rec);

typedef struct cert_filter {
    const char *status; /* NULL: any */
    const char *kind;   /* NULL: any */
    const char *query;  /* folded words that must all appear in search_key; NULL: any */
    int64_t limit;      /* 0: no limit */
    int64_t offset;
} cert_filter;

/* Called once per row; the record is only valid during the call. Return non-zero to stop. */
typedef int (*cert_visit_fn)(void *ctx, const cert_record *rec);

/* Signed CRLs, one row per (issuer, CRL number). */
typedef struct crl_record {
    char issuer[32];
    int64_t number;
    int64_t this_update;
    int64_t next_update;
    unsigned char *der; /* owned; freed by crl_record_free */
    size_t der_len;
} crl_record;

void crl_record_free(crl_record *rec);

/* ---- the audit trail ---- */

typedef struct audit_entry {
    int64_t id;
    int64_t at; /* Unix seconds, UTC */
    char actor[128];
    char role[32];
    char source[64];  /* "cli", an IP address, "scheduler" */
    char action[64];  /* "cert.issue", "dossier.accept", … */
    char object[128]; /* what it acted on: a serial, a dossier code */
    char *detail;     /* canonical JSON of what changed; owned */
    char prev_hash[65];
    char hash[65];
} audit_entry;

typedef int (*audit_visit_fn)(void *ctx, const audit_entry *entry);

/* A signed checkpoint of the audit trail: how many rows it had and the hash of the last, signed
 * with the audit-signing key, so that rows deleted at the end, or a whole database put back to
 * an older copy, no longer verify. body is the canonical JSON that was signed. */
typedef struct audit_checkpoint {
    int64_t seq; /* 1, 2, … */
    int64_t at;
    int64_t rows;
    int64_t head_id;
    char head_hash[65];
    char body[512];
    char signature[1024]; /* base64 of the signature over body */
    char signer[65];      /* SHA-256 of the audit-signing certificate */
} audit_checkpoint;

typedef int (*checkpoint_visit_fn)(void *ctx, const audit_checkpoint *cp);

/* ---- the procedure's records ---- */

typedef struct agency_record {
    char code[32];
    char name[260];
    char parent[32]; /* "" for a top-level body (ministry, province) */
    char province[64];
    char head_name[260];
    char head_title[260];
    char kind[8]; /* "party" | "state" */
    int64_t created_at;
    char email_domains[512]; /* official e-mail domains, "mic.gov.vn, bnv.gov.vn"; "": no check */
    /* contacts: where the papers and the e-mail notices go ("" when unknown) */
    char address[260]; /* postal address */
    char email[256];   /* the agency's contact e-mail */
    char phone[32];
    char clerk_email[256]; /* the clerk (văn thư) handling certificates */
    char head_email[256];  /* the head (thủ trưởng) */
} agency_record;

typedef struct dossier_record {
    char code[64];
    char agency[32];
    char channel[16]; /* direct | online | postal */
    char state[24];   /* dossier_state_name() */
    char day[8];      /* YYMMDD of receipt, local */
    int64_t seq;      /* per-day sequence */
    int64_t received_at;
    char counted_from[11]; /* YYYY-MM-DD: the day receipt counts from (cut-off, days off) */
    int64_t due_step2;     /* 0 while the clock does not run */
    int64_t step2_done_at;
    char confirmed_name[260];
    char confirmed_title[260];
    char confirmed_on[11];
    char reason[512];
    char created_by[128];
    int64_t updated_at;
    char kind[16];           /* dossier_kind_name(): new | suspension | … */
    char request_reason[32]; /* revocation: the RFC 5280 reason asked for */
} dossier_record;

typedef struct applicant_record {
    char dossier[64];
    int64_t n; /* row number in the agency's list, from 1 */
    char full_name[260];
    char birth_date[11];
    char id_number[16];
    char id_issued_on[11];
    char id_issued_at[260];
    char email[256];
    char unit[260];
    char province[64];
    char position[260];
    char category[16]; /* can_bo | cong_chuc | vien_chuc */
    char phone[20];
    char previous_serial[41];
    char state[24]; /* applicant_state_name() */
    char cert_serial[41];
    char token_serial[40];
    int64_t pickup_at;
    char pickup_place[260];
    int64_t notified_at;
    int64_t agency_received_at;
    char received_by[260]; /* the agency's person who collected the token from the CA */
    int64_t handed_over_at;
    char handed_to[260]; /* who received the token from the agency (normally its holder) */
    int64_t activation_requested_at;
    int64_t requested_effective_at;
    int64_t due_step4;
    int64_t published_at;
    char reason[512];
    int64_t updated_at;
} applicant_record;

typedef struct token_record {
    char serial[40]; /* the device's hardware serial */
    char label[40];
    char state[24]; /* core/token_custody.h: blank, provisioned, with_agency, … destroyed */
    char cert_serial[41];
    char dossier[64];
    int64_t applicant;
    char so_pin[256]; /* encrypted at rest (app), base64 */
    char note[512];
    int64_t updated_at;
} token_record;

typedef struct dossier_filter {
    const char *agency; /* NULL: any */
    const char *state;  /* NULL: any */
    int64_t due_before; /* 0: any; else running step-2 clock due before this instant */
    bool overdue;       /* only the overdue ones (app_dossier_overdue and step-4 delays; app) */
} dossier_filter;

typedef int (*agency_visit_fn)(void *ctx, const agency_record *rec);
typedef int (*dossier_visit_fn)(void *ctx, const dossier_record *rec);
typedef int (*applicant_visit_fn)(void *ctx, const applicant_record *rec);
typedef int (*token_visit_fn)(void *ctx, const token_record *rec);

/* ---- drafts: an agency's online dossier while it is being prepared ---- */

typedef struct draft_record {
    int64_t id;
    char agency[32];
    char state[16]; /* open | confirmed | submitted */
    char title[260];
    char list_format[8]; /* csv | json; "" while there is no list */
    int64_t applicants;
    char letter_name[128];
    char letter_type[32]; /* application/pdf | image/jpeg | image/png, sniffed */
    int64_t letter_size;
    char letter_sha256[65];
    char list_sha256[65];
    /* what the head confirmed: the list's and the letter's SHA-256 at that moment */
    char confirmed_list_sha256[65];
    char confirmed_letter_sha256[65];
    char confirmed_name[260];
    char confirmed_title[260];
    char confirmed_by[64]; /* the head's user name */
    int64_t confirmed_at;
    char dossier[64]; /* once submitted */
    char created_by[64];
    int64_t created_at;
    int64_t updated_at;
} draft_record;

typedef int (*draft_visit_fn)(void *ctx, const draft_record *rec);

/* ---- accounts ---- */

typedef struct user_record {
    char username[64];
    char display_name[260];
    char role[32];
    char agency[32];
    char password_hash[160]; /* Argon2id, encoded */
    int64_t disabled;
    int64_t failed_logins;
    int64_t locked_until;
    int64_t created_at;
    int64_t updated_at;
    char os_user[40]; /* the operating-system account acting as this one on the command line;
                         "" when none */
} user_record;

typedef struct session_record {
    char token_hash[65];
    char username[64];
    int64_t created_at;
    int64_t expires_at;
} session_record;

typedef int (*user_visit_fn)(void *ctx, const user_record *rec);

/* ---- claims: what a step works on outside a transaction ---- */

/* A step that cannot hold a transaction for its whole length (a token's key generation takes
 * seconds) claims what it works on, in a transaction together with the checks that allow it,
 * and releases the claim in the transaction that records its result. object names the thing
 * ("applicant:CODE#N", "token:SERIAL"); holder names the claimant (the app's process and a
 * nonce), so that the app can tell a claim whose process died. */
typedef struct claim_record {
    char object[128];
    char holder[128];
    int64_t at;
} claim_record;

/* ---- official papers, kept byte for byte as first issued ---- */

typedef struct paper_record {
    char dossier[64];
    char kind[24];     /* receipt, pickup, supplement, refusal, handover, handover_subscriber,
                          mau01, mau02 */
    int64_t applicant; /* 0: the whole dossier */
    char format[8];    /* html | pdf */
    int64_t version;   /* the dossier's state the paper shows (app: a digest of its content) */
    char sha256[65];
    unsigned char *bytes; /* owned; freed by paper_record_free */
    size_t len;
    int64_t created_at;
    char created_by[128];
} paper_record;

void paper_record_free(paper_record *rec);

/* ---- four eyes: a step waiting for a second person (app_approval.c) ---- */

typedef struct approval_record {
    int64_t id;
    char action[32];       /* "revoke", "user.add", "user.disable" */
    char object[128];      /* what the step acts on: a serial, a user name */
    char parameters[2048]; /* JSON: what the step will do, exactly */
    char requested_by[64];
    int64_t requested_at;
    char state[16]; /* pending | approved | declined */
    char decided_by[64];
    int64_t decided_at;
    char reason[512]; /* why it was declined */
} approval_record;

typedef int (*approval_visit_fn)(void *ctx, const approval_record *rec);

/* ---- e-mail: the outbox (app_mail.c) ---- */

/* One message, written in the transaction of the step that causes it and delivered later by
 * the sender. Its Message-ID is fixed when it is queued, so that a delivery repeated after a
 * crash carries the same one. */
typedef struct outbox_record {
    int64_t id;
    char message_id[160]; /* "<outbox-ID.RANDOM@HOST>" */
    int64_t created_at;
    char kind[32];         /* received, supplement, rejected, refused, pickup, published, revoked,
                              expiry */
    char ref[128];         /* what it is about: a dossier code, "CODE#N", a certificate serial */
    char recipients[1024]; /* addresses, separated by ", " */
    char subject[512];     /* UTF-8, not yet encoded */
    char *body_text;       /* owned; freed by outbox_record_free */
    char *body_html;       /* owned */
    char state[16];        /* queued | sent | failed */
    int64_t attempts;
    int64_t next_attempt_at;
    char last_error[512];
    int64_t sent_at;
} outbox_record;

void outbox_record_free(outbox_record *rec);

typedef struct outbox_filter {
    const char *state; /* NULL: any */
    int64_t due_at;    /* non-zero: only queued messages with next_attempt_at <= due_at */
    int64_t limit;     /* 0: no limit */
} outbox_filter;

/* The record is valid only during the call (its bodies are not filled in listings). */
typedef int (*outbox_visit_fn)(void *ctx, const outbox_record *rec);

#endif
