/*
 * applicant_rules.h — the rules the CA officer's check at step 2 applies to one row of a Mẫu 02
 * list that need no record but the row itself: what a CCCD number says about its holder's year
 * of birth, a person's age, and whether an e-mail address is within an agency's official
 * domains. app/app_check.c turns their answers into flags beside each applicant; none of them
 * refuses anything.
 */
#ifndef CT_CORE_APPLICANT_RULES_H
#define CT_CORE_APPLICANT_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

#define EMAIL_DOMAINS_MAX 512 /* the cleaned list, NUL included */

/* The year of birth a CCCD number (12 digits) encodes: its 4th digit gives the century and sex
 * (0/1: 1900s man/woman, 2/3: 2000s, 4/5: 2100s, 6/7: 2200s, 8/9: 2300s), its 5th and 6th the
 * last two digits of the year. -1 when id is not 12 digits (a CMND or a passport number say
 * nothing of the kind). */
int cccd_birth_year(const char *id);

/* Whole years from birth to today (both YYYY-MM-DD): one less until the birthday comes. -1 when
 * either is not of that form. */
int age_in_years(const char *birth, const char *today);

/* An agency's official e-mail domains, as typed ("MIC.gov.vn,  bnv.gov.vn") → as kept
 * ("mic.gov.vn, bnv.gov.vn"): lower case, each a host name of two labels or more (letters,
 * digits, hyphens), each once. "" (or only spaces and commas) stays "": no check. 400
 * "agency.email_domains" naming the first one that is not a domain. */
int email_domains_clean(const char *in, char *out, size_t size, ct_error *err);

/* Whether email's domain is one of domains (a cleaned list) or a subdomain of one
 * (pl.mic.gov.vn is within mic.gov.vn; xmic.gov.vn is not). An empty list allows every
 * address. */
bool email_domain_allowed(const char *email, const char *domains);

#endif
