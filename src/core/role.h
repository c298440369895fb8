/*
 * role.h — who may act (DESIGN.md §1). Every app function takes the acting user and role and
 * checks it against a set of allowed roles written next to the action.
 */
#ifndef CT_CORE_ROLE_H
#define CT_CORE_ROLE_H

#include <stdbool.h>

#include "core/error.h"

typedef enum {
    ROLE_NONE = 0,
    ROLE_AGENCY_CLERK = 1 << 0,
    ROLE_AGENCY_HEAD = 1 << 1,
    ROLE_CA_OFFICER = 1 << 2,
    ROLE_CA_ADMIN = 1 << 3,
    ROLE_AUDITOR = 1 << 4,
    ROLE_SYSTEM = 1 << 5, /* the server's own scheduled work (CRL refresh, due publications) */
} role;

typedef unsigned role_set;

#define ROLES_CA (ROLE_CA_OFFICER | ROLE_CA_ADMIN)
#define ROLES_AGENCY (ROLE_AGENCY_CLERK | ROLE_AGENCY_HEAD)
#define ROLES_ALL                                                                                  \
    (ROLE_AGENCY_CLERK | ROLE_AGENCY_HEAD | ROLE_CA_OFFICER | ROLE_CA_ADMIN | ROLE_AUDITOR |       \
     ROLE_SYSTEM)

/* "agency_clerk", "agency_head", "ca_officer", "ca_admin", "auditor", "system" */
const char *role_name(role r);
int role_parse(const char *text, role *out, ct_error *err);

/* 0 if r is in allowed; otherwise fails (403, "role.forbidden") naming the action and role. */
int role_require(role r, role_set allowed, const char *action, ct_error *err);

#endif
