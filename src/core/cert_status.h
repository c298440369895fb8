/*
 * cert_status.h — the life of a certificate's status as data (DESIGN.md §3, §8).
 *
 * hold → active (publication releases the hold; a resumption ends a suspension), active → hold
 * (a suspension, of a published certificate only), hold/active → revoked, hold/active → expired.
 * Nothing leaves revoked: a revocation is final. The use cases ask cert_status_change() before
 * they write, and the store refuses any other change again on its own (a trigger), so that no
 * code path, present or future, can bring a revoked certificate back.
 */
#ifndef CT_CORE_CERT_STATUS_H
#define CT_CORE_CERT_STATUS_H

#include <stdbool.h>

#include "core/error.h"

/* Stored names. */
#define CERT_STATUS_HOLD "hold"
#define CERT_STATUS_ACTIVE "active"
#define CERT_STATUS_REVOKED "revoked"
#define CERT_STATUS_EXPIRED "expired"

/* Is from → to a change the table allows? */
bool cert_status_allowed(const char *from, const char *to);
/* The same, as an error for the person who asked: 409 "cert.revoked" when the certificate is
 * revoked (nothing leaves that state), else 409 "cert.status" naming both states. */
int cert_status_change(const char *serial, const char *from, const char *to, ct_error *err);

#endif
