/*
 * province.h — the 34 provincial-level administrative units of Viet Nam in force since
 * 1 July 2025 (Resolution 202/2025/QH15), as a certificate's L and an applicant's province.
 */
#ifndef CT_CORE_PROVINCE_H
#define CT_CORE_PROVINCE_H

#include <stddef.h>

/* Match what a person typed, case- and diacritic-insensitively, with or without "Tỉnh",
 * "Thành phố", "TP."; returns the canonical name ("Hà Nội", "Hồ Chí Minh") or NULL. */
const char *province_canonical(const char *typed);
size_t province_count(void);
const char *province_at(size_t i);

#endif
