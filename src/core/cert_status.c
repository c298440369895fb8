/*
 * cert_status.c — the certificate status table (see cert_status.h). The store's trigger
 * (store_sqlite.c, migrations 10 and 20; certificates_guard in store_pg_schema.c) spells the same
 * table in SQL: change them together.
 */
#include "core/cert_status.h"

#include <stddef.h>
#include <string.h>

static const struct {
    const char *from;
    const char *to;
} cert_status_table[] = {
    {CERT_STATUS_HOLD, CERT_STATUS_ACTIVE},
    {CERT_STATUS_HOLD, CERT_STATUS_REVOKED},
    {CERT_STATUS_ACTIVE, CERT_STATUS_REVOKED},
    {CERT_STATUS_HOLD, CERT_STATUS_EXPIRED},
    {CERT_STATUS_ACTIVE, CERT_STATUS_EXPIRED},
    /* suspension of a published certificate (its resumption is hold → active) */
    {CERT_STATUS_ACTIVE, CERT_STATUS_HOLD},
};

bool cert_status_allowed(const char *from, const char *to)
{
    for (size_t i = 0; i < sizeof cert_status_table / sizeof cert_status_table[0]; i++)
        if (strcmp(cert_status_table[i].from, from) == 0 &&
            strcmp(cert_status_table[i].to, to) == 0)
            return true;
    return false;
}

int cert_status_change(const char *serial, const char *from, const char *to, ct_error *err)
{
    if (cert_status_allowed(from, to))
        return 0;
    if (strcmp(from, CERT_STATUS_REVOKED) == 0)
        return ct_fail(err, 409, "cert.revoked",
                       "chứng thư %s đã bị thu hồi: thu hồi là vĩnh viễn, không thể chuyển sang "
                       "\"%s\"",
                       "certificate %s is revoked: a revocation is final, it cannot become \"%s\"",
                       serial, to);
    return ct_fail(err, 409, "cert.status",
                   "chứng thư %s đang ở trạng thái \"%s\", không chuyển được sang \"%s\"",
                   "certificate %s is \"%s\" and cannot become \"%s\"", serial, from, to);
}
