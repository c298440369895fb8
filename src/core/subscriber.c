/*
 * subscriber.c — checking a subscriber's identity fields. See subscriber.h.
 */
#include "core/subscriber.h"

#include <stdio.h>
#include <string.h>

#include "core/province.h"
#include "core/text.h"

int subscriber_clean(const subscriber_input *in, subscriber_fields *out, ct_error *err)
{
    const char *province;

    memset(out, 0, sizeof *out);
    if (in->full_name == NULL || in->email == NULL || in->province == NULL || in->org == NULL)
        return ct_fail(err, 400, "subscriber.missing",
                       "thiếu thông tin bắt buộc: họ tên, e-mail, tỉnh/thành phố và cơ quan",
                       "missing required field: full name, e-mail, province and organisation "
                       "are required");
    if (text_clean_field(in->full_name, 64, "họ và tên", "full name", out->full_name,
                         sizeof out->full_name, err) != 0 ||
        text_check_name(out->full_name, "họ và tên", "full name", err) != 0 ||
        text_clean_field(in->org, 64, "cơ quan", "organisation", out->org, sizeof out->org, err) !=
            0 ||
        text_check_plain(out->org, "cơ quan", "organisation", err) != 0 ||
        text_clean_field(in->province, 128, "tỉnh/thành phố", "province", out->province,
                         sizeof out->province, err) != 0 ||
        text_clean_email(in->email, out->email, sizeof out->email, err) != 0)
        return -1;
    province = province_canonical(out->province);
    if (province == NULL)
        return ct_fail(err, 400, "province.unknown",
                       "không có tỉnh/thành phố \"%s\" trong danh sách 34 đơn vị hành chính",
                       "\"%s\" is not one of the 34 provinces and cities of Viet Nam",
                       out->province);
    snprintf(out->province, sizeof out->province, "%s", province);
    if (in->n_units > SUBSCRIBER_MAX_UNITS)
        return ct_fail(err, 400, "subscriber.units", "tối đa %d cấp đơn vị",
                       "at most %d organisational units", SUBSCRIBER_MAX_UNITS);
    for (size_t i = 0; i < in->n_units; i++) {
        if (text_clean_field(in->units[i], 64, "đơn vị", "unit", out->units[i],
                             sizeof out->units[i], err) != 0 ||
            text_check_plain(out->units[i], "đơn vị", "unit", err) != 0)
            return -1;
    }
    out->n_units = in->n_units;
    return 0;
}

int subscriber_search_key(const subscriber_fields *f, const char *serial_hex, char *out,
                          size_t size, ct_error *err)
{
    char joined[2400];
    size_t len;

    len = (size_t)snprintf(joined, sizeof joined, "%s %s %s", f->full_name, f->org, f->email);
    for (size_t i = 0; i < f->n_units && len < sizeof joined; i++)
        len += (size_t)snprintf(joined + len, sizeof joined - len, " %s", f->units[i]);
    if (len < sizeof joined)
        snprintf(joined + len, sizeof joined - len, " %s", serial_hex ? serial_hex : "");
    return text_fold(joined, out, size, err);
}
