/*
 * role.c — role names and the one permission check every app function uses. See role.h.
 */
#include "core/role.h"

#include <stdio.h>
#include <string.h>

static const struct {
    role r;
    const char *name;
    const char *vi;
} roles[] = {
    {ROLE_AGENCY_CLERK, "agency_clerk", "cán bộ cơ quan quản lý"},
    {ROLE_AGENCY_HEAD, "agency_head", "thủ trưởng cơ quan"},
    {ROLE_CA_OFFICER, "ca_officer", "cán bộ Cục Chứng thực số"},
    {ROLE_CA_ADMIN, "ca_admin", "quản trị hệ thống"},
    {ROLE_AUDITOR, "auditor", "kiểm toán viên"},
    {ROLE_SYSTEM, "system", "hệ thống"},
};

const char *role_name(role r)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (roles[i].r == r)
            return roles[i].name;
    return "none";
}

/* Vietnamese name for messages, e.g. "cán bộ Cục Chứng thực số" */
static const char *role_name_vi(role r)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (roles[i].r == r)
            return roles[i].vi;
    return "không có vai trò";
}

int role_parse(const char *text, role *out, ct_error *err)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        if (strcmp(roles[i].name, text) == 0) {
            *out = roles[i].r;
            return 0;
        }
    }
    return ct_fail(err, 400, "role.unknown", "vai trò không hợp lệ: \"%s\"", "unknown role \"%s\"",
                   text);
}

int role_require(role r, role_set allowed, const char *action, ct_error *err)
{
    char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX];

    if (r != ROLE_NONE && (allowed & (role_set)r))
        return 0;
    snprintf(vi, sizeof vi, "%s không được phép thực hiện \"%s\"", role_name_vi(r), action);
    snprintf(en, sizeof en, "role %s may not perform \"%s\"", role_name(r), action);
    return ct_fail_text(err, 403, "role.forbidden", vi, en);
}
