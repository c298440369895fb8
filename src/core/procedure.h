/*
 * procedure.h — procedure 1.010847 as data: the states of a dossier and of each applicant, and
 * one table of every allowed transition (DESIGN.md §2).
 *
 * The use cases in src/app read the procedure from this table, never from scattered ifs: to
 * know whether an action is allowed, who may take it, what state follows and what it does to
 * the deadline clocks, they ask procedure_step(). A forbidden action gets an error naming the
 * state, the action and the actions allowed from that state.
 */
#ifndef CT_CORE_PROCEDURE_H
#define CT_CORE_PROCEDURE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/role.h"

/* What a dossier asks for (DESIGN.md §8 "Dossier kinds"): new issuance, or an act on
 * certificates the agency's subscribers already hold. Each kind runs on the same intake, receipt,
 * deadlines and audit; the table's rows say which kinds they belong to. */
typedef enum {
    KIND_NEW,
    KIND_SUSPENSION,   /* certificateHold until a resumption */
    KIND_RESUMPTION,   /* a suspended certificate good again */
    KIND_REVOCATION,   /* revoked on the agency's request, with the reason it gave */
    KIND_RENEWAL,      /* a new certificate on the same token before the old one ends */
    KIND_CHANGE,       /* a new certificate with changed details; the old one superseded */
    KIND_PIN_RESET,    /* token care: a new user PIN set with the SO PIN, a new envelope */
    KIND_TOKEN_LOST,   /* token care: the certificate revoked keyCompromise, the token lost */
    KIND_TOKEN_BROKEN, /* token care: revoked cessationOfOperation, the token damaged */
    KIND_COUNT
} dossier_kind;

typedef unsigned kind_set;
#define KIND_BIT(k) (1u << (k))
#define KINDS_ALL ((1u << KIND_COUNT) - 1)
/* The kinds that issue a certificate on a token: the path of new issuance. */
#define KINDS_ISSUING (KIND_BIT(KIND_NEW) | KIND_BIT(KIND_RENEWAL) | KIND_BIT(KIND_CHANGE))
/* The kinds about the token rather than the certificate: carried out by token care. */
#define KINDS_TOKEN_CARE                                                                           \
    (KIND_BIT(KIND_PIN_RESET) | KIND_BIT(KIND_TOKEN_LOST) | KIND_BIT(KIND_TOKEN_BROKEN))

/* What a transition moves: the whole dossier (intake decides for all its applicants) or one
 * applicant (from acceptance on, each moves alone). */
typedef enum { PROC_DOSSIER, PROC_APPLICANT } proc_subject;

typedef enum {
    DOSSIER_RECEIVED,
    DOSSIER_NEEDS_SUPPLEMENT,
    DOSSIER_ACCEPTED,
    DOSSIER_REJECTED,
    DOSSIER_WITHDRAWN,
    DOSSIER_COMPLETED, /* every applicant published or cancelled: it leaves the queue */
    DOSSIER_STATE_COUNT
} dossier_state;

typedef enum {
    APPLICANT_PENDING,
    APPLICANT_ISSUED,
    APPLICANT_AWAITING_PICKUP,
    APPLICANT_WITH_AGENCY,
    APPLICANT_WITH_SUBSCRIBER,
    APPLICANT_ACTIVATION_REQUESTED,
    APPLICANT_PUBLISHED,
    APPLICANT_CANCELLED,
    APPLICANT_REFUSED,   /* the CA refused this one applicant at its check, or rejected the whole
                            dossier while the applicant was pending */
    APPLICANT_WITHDRAWN, /* the dossier was withdrawn while the applicant was pending */
    APPLICANT_DONE,      /* suspension, resumption, revocation: carried out on the certificate */
    APPLICANT_STATE_COUNT
} applicant_state;

typedef enum {
    ACT_ACCEPT,
    ACT_REJECT,
    ACT_SUPPLEMENT,
    ACT_RESUBMIT,
    ACT_WITHDRAW,
    ACT_ISSUE,
    ACT_NOTIFY_PICKUP,
    ACT_AGENCY_RECEIVED,
    ACT_HANDED_OVER,
    ACT_REQUEST_ACTIVATION,
    ACT_PUBLISH,
    ACT_CANCEL,
    ACT_REFUSE,
    ACT_SUSPEND,   /* the certificate on hold (certificateHold) */
    ACT_RESUME,    /* the certificate good again */
    ACT_REVOKE,    /* the certificate revoked with the request's reason (token lost, broken:
                      the reason of the token's move, and the token moved) */
    ACT_RESET_PIN, /* a new user PIN on the holder's token, a new envelope */
    ACT_COUNT
} proc_action;

/* What a transition does to the deadline clocks (DESIGN.md §2 "Deadlines"). */
typedef enum {
    CLOCK_NONE,
    CLOCK_STEP2_START,  /* accept: 3 working days from receipt of the valid dossier */
    CLOCK_STEP2_PAUSE,  /* supplement: the CA's clock stops until the agency resubmits */
    CLOCK_STEP2_STOP,   /* notify-pickup: step 2 done (keys, certificate, token, notice) */
    CLOCK_AGENCY_START, /* the token is the agency's from the notice to the activation request */
    CLOCK_STEP4_START,  /* request-activation: 1 working day */
    CLOCK_STEP4_STOP,   /* publish */
    CLOCK_ALL_STOP,     /* reject, withdraw, cancel, refuse */
} clock_effect;

/* Conditions a transition needs beyond state and role; app checks them with the data at hand. */
typedef enum {
    GUARD_NONE,
    GUARD_REASON_GIVEN,       /* reject, supplement, cancel, refuse: a reason text */
    GUARD_NOTHING_ISSUED,     /* withdraw: no applicant has a certificate yet */
    GUARD_PICKUP_DETAILS,     /* notify-pickup: a coming time in office hours, a real place */
    GUARD_PICKUP_TIME_COME,   /* agency-received: the pickup time has come; who received */
    GUARD_HANDED_TO,          /* handed-over: who received the token (default: its holder) */
    GUARD_EFFECTIVE_NOT_PAST, /* request-activation: a requested effective time is not past */
    GUARD_EFFECTIVE_TIME_DUE, /* publish: the requested effective time has come */
} proc_guard;

typedef struct proc_transition {
    proc_subject subject;
    int from; /* dossier_state or applicant_state */
    proc_action action;
    int to;
    role_set roles;
    proc_guard guard;
    clock_effect clock;
    kind_set kinds; /* the dossier kinds the row belongs to */
} proc_transition;

/* Find the transition for (subject, state, action) in a dossier of that kind and check the role. On
 * refusal the error names the state, the action and what is allowed (409 "procedure.wrong_state")
 * or the role (403 "role.forbidden"). */
int procedure_step(dossier_kind kind, proc_subject subject, int from, proc_action action, role r,
                   const proc_transition **out, ct_error *err);

/* Every role that may take an action from some state, in some kind: a role outside it is refused
 * before anything is looked up. */
role_set procedure_roles(proc_action action);

/* The whole table, for documentation and tests. */
const proc_transition *procedure_table(size_t *count);

/* Stable names as used on the command line and in the API ("notify-pickup"), and back. */
const char *proc_action_name(proc_action a);
int proc_action_parse(const char *name, proc_action *out, ct_error *err);
const char *dossier_state_name(dossier_state s);
const char *applicant_state_name(applicant_state s);
int dossier_state_parse(const char *name, dossier_state *out);
int applicant_state_parse(const char *name, applicant_state *out);
/* Labels for people, Vietnamese or English ("Đã tiếp nhận" / "Received"). */
const char *dossier_state_label(dossier_state s, bool english);
const char *applicant_state_label(applicant_state s, bool english);
const char *proc_action_label(proc_action a, bool english);
/* The actions role r may take on a subject of a dossier of kind `kind` in state from, in table
 * order (*n of them, each once: the table has one row per state and action). */
role_set procedure_actions_from(dossier_kind kind, proc_subject subject, int from, role r,
                                proc_action out[ACT_COUNT], size_t *n);
/* A kind's stable name ("suspension") and its label ("Tạm dừng" / "Suspension"). */
const char *dossier_kind_name(dossier_kind k);
int dossier_kind_parse(const char *name, dossier_kind *out);
const char *dossier_kind_label(dossier_kind k, bool english);

#endif
