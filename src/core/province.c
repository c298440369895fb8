/*
 * province.c — the list of provinces and the matching of typed names. See province.h.
 */
#include "core/province.h"

#include <string.h>

#include "core/text.h"

static const char *const provinces[] = {
    "Hà Nội",     "Huế",      "Lai Châu",  "Điện Biên", "Sơn La",      "Lạng Sơn",    "Quảng Ninh",
    "Thanh Hóa",  "Nghệ An",  "Hà Tĩnh",   "Cao Bằng",  "Tuyên Quang", "Lào Cai",     "Thái Nguyên",
    "Phú Thọ",    "Bắc Ninh", "Hưng Yên",  "Hải Phòng", "Ninh Bình",   "Quảng Trị",   "Đà Nẵng",
    "Quảng Ngãi", "Gia Lai",  "Khánh Hòa", "Lâm Đồng",  "Đắk Lắk",     "Hồ Chí Minh", "Đồng Nai",
    "Tây Ninh",   "Cần Thơ",  "Vĩnh Long", "Đồng Tháp", "Cà Mau",      "An Giang",
};

/* Other names people still write for the same unit. */
static const struct {
    const char *folded;
    const char *canonical;
} aliases[] = {
    {"thua thien hue", "Huế"},  {"hcm", "Hồ Chí Minh"}, {"tphcm", "Hồ Chí Minh"},
    {"sai gon", "Hồ Chí Minh"}, {"dak lak", "Đắk Lắk"},
};

size_t province_count(void)
{
    return sizeof provinces / sizeof provinces[0];
}

const char *province_at(size_t i)
{
    return i < province_count() ? provinces[i] : NULL;
}

static const char *strip_prefix(const char *s)
{
    static const char *const prefixes[] = {"tinh ", "thanh pho ", "tp. ", "tp.", "tp "};

    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(s, prefixes[i], n) == 0)
            return s + n;
    }
    return s;
}

const char *province_canonical(const char *typed)
{
    char folded[256], candidate[64];
    const char *name;

    if (typed == NULL || text_fold(typed, folded, sizeof folded, NULL) != 0)
        return NULL;
    name = strip_prefix(folded);
    for (size_t i = 0; i < province_count(); i++) {
        if (text_fold(provinces[i], candidate, sizeof candidate, NULL) == 0 &&
            strcmp(name, candidate) == 0)
            return provinces[i];
    }
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcmp(name, aliases[i].folded) == 0)
            return aliases[i].canonical;
    return NULL;
}
