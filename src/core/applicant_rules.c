/*
 * applicant_rules.c — the CA officer's check on one row of a Mẫu 02 list. See
 * applicant_rules.h.
 */
#include "core/applicant_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool all_digits(const char *s, size_t n)
{
    return strlen(s) == n && strspn(s, "0123456789") == n;
}

int cccd_birth_year(const char *id)
{
    if (id == NULL || !all_digits(id, 12))
        return -1;
    /* Circular 59/2021/TT-BCA, art. 7: the century and sex code, then the year's last two
     * digits. Digits 1–3 are the province of birth registration, 7–12 a random number. */
    return 1900 + (id[3] - '0') / 2 * 100 + (id[4] - '0') * 10 + (id[5] - '0');
}

/* YYYY-MM-DD by its shape (the dates come from the list, checked as real dates there) */
static bool is_date(const char *s)
{
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    return true;
}

int age_in_years(const char *birth, const char *today)
{
    int years;

    if (!is_date(birth) || !is_date(today))
        return -1;
    years = atoi(today) - atoi(birth);
    if (strcmp(today + 5, birth + 5) < 0)
        years--;
    return years;
}

/* A host name of two labels or more: each label 1–63 letters, digits or hyphens, neither
 * starting nor ending with a hyphen. s is lower case already. */
static bool is_domain(const char *s, size_t len)
{
    size_t label = 0, labels = 1;

    if (len == 0 || len > 253)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-')
                return false;
            label = 0;
            labels++;
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
            if (c == '-' && label == 0)
                return false;
            if (++label > 63)
                return false;
        } else {
            return false;
        }
    }
    return label > 0 && s[len - 1] != '-' && labels >= 2;
}

/* Whether the cleaned list holds exactly the name [s, s+len). */
static bool listed(const char *list, const char *s, size_t len)
{
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n == len && memcmp(p, s, len) == 0)
            return true;
        p += n;
        while (*p == ',' || *p == ' ')
            p++;
    }
    return false;
}

int email_domains_clean(const char *in, char *out, size_t size, ct_error *err)
{
    size_t len = 0;

    if (size == 0)
        return ct_fail(err, 500, "agency.email_domains", "không có chỗ ghi danh sách tên miền",
                       "no room for the domain list");
    out[0] = '\0';
    for (const char *p = in ? in : ""; *p;) {
        char one[256];
        size_t n = 0;
        while (*p == ' ' || *p == ',' || *p == ';' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (*p == '\0')
            break;
        /* one item: up to the next separator; "@mic.gov.vn" as people sometimes write it */
        if (*p == '@')
            p++;
        while (*p && *p != ' ' && *p != ',' && *p != ';' && *p != '\t' && *p != '\n' &&
               *p != '\r') {
            if (n + 1 < sizeof one)
                one[n] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
            n++;
            p++;
        }
        if (n >= sizeof one || !is_domain(one, n)) {
            char shown[64];
            snprintf(shown, sizeof shown, "%.*s", (int)(n < sizeof one ? n : 40), one);
            ct_utf8_repair(shown);
            return ct_fail(err, 400, "agency.email_domains",
                           "\"%s\" không phải là tên miền (ví dụ: mic.gov.vn)",
                           "\"%s\" is not a domain name (for example mic.gov.vn)", shown);
        }
        if (listed(out, one, n))
            continue;
        if (len + (len ? 2 : 0) + n + 1 > size)
            return ct_fail(err, 400, "agency.email_domains", "danh sách tên miền quá dài",
                           "the domain list is too long");
        len += (size_t)snprintf(out + len, size - len, "%s%.*s", len ? ", " : "", (int)n, one);
    }
    return 0;
}

bool email_domain_allowed(const char *email, const char *domains)
{
    const char *at = email ? strrchr(email, '@') : NULL;
    const char *host;
    size_t host_len;

    if (domains == NULL || domains[0] == '\0')
        return true;
    if (at == NULL)
        return false;
    host = at + 1;
    host_len = strlen(host);
    for (const char *p = domains; *p;) {
        size_t n = strcspn(p, ",");
        if (host_len == n && strncasecmp(host, p, n) == 0)
            return true;
        /* a subdomain: the host ends with ".domain" */
        if (host_len > n + 1 && host[host_len - n - 1] == '.' &&
            strncasecmp(host + host_len - n, p, n) == 0)
            return true;
        p += n;
        while (*p == ',' || *p == ' ')
            p++;
    }
    return false;
}
