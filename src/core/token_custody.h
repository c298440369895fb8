/*
 * token_custody.h — a token's chain of custody as data (issue 17, "token care").
 *
 * A token moves from the CA's stock to its holder and back: stocked blank, provisioned at the CA,
 * collected by the agency, handed to the subscriber, and then, when something happens to it,
 * lost, broken (damaged), its certificate revoked while the holder keeps it, returned to the CA,
 * destroyed. Every move is one row of one table (from, action, to, who may make it), as
 * core/procedure.c does for dossiers: the use cases ask token_custody_step() before they write,
 * the views list token_custody_actions() for the caller, and the store's trigger (migration 21 on
 * either backend) refuses any other change of state by whatever code path.
 */
#ifndef CT_CORE_TOKEN_CUSTODY_H
#define CT_CORE_TOKEN_CUSTODY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/role.h"

typedef enum {
    TOKEN_BLANK,           /* in the CA's stock, initialised with the CA's SO PIN */
    TOKEN_PROVISIONED,     /* key and certificate on it, still at the CA */
    TOKEN_WITH_AGENCY,     /* collected by the subscriber's agency */
    TOKEN_WITH_SUBSCRIBER, /* handed over to its holder */
    TOKEN_DAMAGED,         /* does not work (a failed provisioning, or reported broken) */
    TOKEN_WIPED,           /* back to blank after a failed provisioning, reusable */
    TOKEN_LOST,            /* its holder lost it; its certificate is revoked (keyCompromise) */
    TOKEN_REVOKED,         /* its certificate was revoked; the holder keeps it until returned */
    TOKEN_RETURNED,        /* back at the CA, its certificate revoked */
    TOKEN_DESTROYED,       /* final: wiped when present, and physically destroyed */
    TOKEN_STATE_COUNT
} token_state;

typedef enum {
    /* moves made by issuance and the procedure (app_token.c, app_dossier.c) */
    TOKEN_ACT_PROVISION,
    TOKEN_ACT_WIPE,
    TOKEN_ACT_DAMAGE,
    TOKEN_ACT_AGENCY_RECEIVED,
    TOKEN_ACT_HANDED_OVER,
    TOKEN_ACT_CERT_REVOKED, /* its certificate was revoked by `cert revoke` */
    /* token care: a person's decision, offered as an action (CLI, API, portal) */
    TOKEN_ACT_RESET_PIN, /* a new user PIN set with the SO PIN; the state does not change */
    TOKEN_ACT_LOST,
    TOKEN_ACT_BROKEN,
    TOKEN_ACT_RETURNED,
    TOKEN_ACT_DESTROY,
    TOKEN_ACT_COUNT
} token_action;

typedef struct token_move {
    token_state from;
    token_action action;
    token_state to;
    role_set roles; /* who may make it */
} token_move;

/* Stored names ("with_subscriber"); -1 when unknown. */
const char *token_state_name(token_state s);
int token_state_parse(const char *name);
/* Action names as the command line and the API spell them ("reset-pin", "lost", …). */
const char *token_action_name(token_action a);
/* Labels for people, Vietnamese or English. */
const char *token_state_label(token_state s, bool english);
const char *token_action_label(token_action a, bool english);
/* Everyone who may take the action from some state (a first check, before any lookup). */
role_set token_action_roles(token_action a);
/* Is the action one of token care (offered to people), not a move of issuance? */
bool token_action_is_care(token_action a);

/* The whole table, for tests and documentation. */
const token_move *token_custody_table(size_t *n);

/* Does any row move from → to (from ≠ to)? What the store's trigger allows. */
bool token_custody_allowed(token_state from, token_state to);

/* May role take action on a token in state from (stored name)? On success *to is the next
 * state. Fails 409 "token.custody" naming the state, the action and the actions allowed from
 * it; 403 "role.forbidden" when the move exists but not for this role. */
int token_custody_step(const char *from, token_action action, role r, token_state *to,
                       ct_error *err);

/* The care actions role may take now on a token in state from: up to max into out. */
size_t token_custody_actions(const char *from, role r, token_action out[], size_t max);

#endif
