/*
 * mau02.h — the agency's request list (Mẫu 02, Circular 185/2019/TT-BQP) as input.
 *
 * One row per applicant, in the column order of a real agency list:
 *   STT | Họ và tên | Ngày sinh | Số CCCD/CMND/Hộ chiếu | Ngày cấp | Nơi cấp |
 *   Thư điện tử công vụ | Cơ quan, đơn vị công tác | Tỉnh/thành phố | Chức vụ |
 *   Ngạch (Cán bộ / Công chức / Viên chức) | Số điện thoại di động | Số hiệu chứng thư số cũ
 * Every refusal names the row (as a spreadsheet numbers it, the header being row 1 when present)
 * and the column, in Vietnamese and English.
 */
#ifndef CT_CORE_MAU02_H
#define CT_CORE_MAU02_H

#include <stddef.h>

#include "core/error.h"

#define MAU02_COLUMNS 13
#define MAU02_MAX_ROWS 500
#define MAU02_MAX_BYTES (1024 * 1024)

typedef enum { CATEGORY_CAN_BO, CATEGORY_CONG_CHUC, CATEGORY_VIEN_CHUC } position_category;

const char *position_category_name(position_category c);     /* "can_bo", … */
const char *position_category_label_vi(position_category c); /* "Cán bộ", … */
/* "công chức", "CONG CHUC", "cong_chuc" all match; 0 or -1 */
int position_category_parse(const char *typed, position_category *out);

typedef struct mau02_applicant {
    int row;
    char full_name[260];
    char birth_date[11]; /* YYYY-MM-DD */
    char id_number[16];
    char id_kind[12]; /* "cccd" | "cmnd" | "passport" */
    char id_issued_on[11];
    char id_issued_at[260];
    char email[256];
    char unit[260];
    char province[64];
    char position[260];
    position_category category;
    char phone[16]; /* 0XXXXXXXXX */
    char previous_serial[41];
} mau02_applicant;

const char *mau02_column_vi(int i);
const char *mau02_column_en(int i);

/* Check one row's cells (NULL or "" when missing). today: "YYYY-MM-DD", the local date. */
int mau02_check_row(const char *const cells[MAU02_COLUMNS], int row, const char *today,
                    mau02_applicant *out, ct_error *err);
/* No two rows with the same ID number or e-mail ("mau02.duplicate", naming both rows). */
int mau02_check_duplicates(const mau02_applicant *list, size_t count, ct_error *err);
/* A whole CSV list: RFC 4180 quoting, CRLF or LF, optional UTF-8 BOM, optional header row,
 * blank lines skipped, ',' or ';' separated. *out is malloc'd; on failure nothing is output. */
int mau02_parse_csv(const char *data, size_t len, const char *today, mau02_applicant **out,
                    size_t *count, ct_error *err);

#endif
