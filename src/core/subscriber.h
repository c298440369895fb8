/*
 * subscriber.h — the identity a subscriber certificate carries, checked and normalised.
 *
 * Whatever the channel (a CSV row, a JSON body, command-line flags), the fields that end up in
 * a certificate pass through subscriber_clean(): NFC, trimmed, within the X.509 upper bounds
 * (RFC 5280 Appendix A: ub-common-name 64, ub-organization-name 64, ub-organizational-unit-name
 * 64, ub-locality-name 128), free of control characters, a real e-mail address, and one of the
 * 34 provinces. The same name typed composed or decomposed gives the same bytes.
 */
#ifndef CT_CORE_SUBSCRIBER_H
#define CT_CORE_SUBSCRIBER_H

#include <stddef.h>

#include "core/error.h"

#define SUBSCRIBER_MAX_UNITS 8
#define SUBSCRIBER_FIELD 260 /* 64 code points of up to 4 bytes, NUL */

typedef struct subscriber_input {
    const char *full_name;
    const char *email;
    const char *province;
    const char *org;
    const char *units[SUBSCRIBER_MAX_UNITS];
    size_t n_units;
} subscriber_input;

typedef struct subscriber_fields {
    char full_name[SUBSCRIBER_FIELD];
    char email[256];
    char province[SUBSCRIBER_FIELD];
    char org[SUBSCRIBER_FIELD];
    char units[SUBSCRIBER_MAX_UNITS][SUBSCRIBER_FIELD];
    size_t n_units;
} subscriber_fields;

int subscriber_clean(const subscriber_input *in, subscriber_fields *out, ct_error *err);

/* The folded search key of a certificate: name, organisation, units, e-mail, serial. */
int subscriber_search_key(const subscriber_fields *f, const char *serial_hex, char *out,
                          size_t size, ct_error *err);

#endif
