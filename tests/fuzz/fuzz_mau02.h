/*
 * fuzz_mau02.h — the properties every applicant a Mẫu 02 reader accepts must have, whichever
 * the format (fuzz_mau02_csv.c, fuzz_mau02_json.c): bounded strings, one spelling of each value,
 * and canonical values being a fixed point (checking an accepted row's own output again gives
 * the same applicant), so that what is stored is what a later check would accept.
 */
#ifndef CT_FUZZ_MAU02_H
#define CT_FUZZ_MAU02_H

#include <stdbool.h>
#include <string.h>

#include "core/calendar.h"
#include "core/mau02.h"
#include "core/text.h"
#include "fuzz_common.h"

/* The date the harnesses check lists on: fixed, so that every run judges ages alike. */
#define FUZZ_TODAY "2026-11-24"

static inline bool fuzz_all_of(const char *s, const char *set)
{
    return strspn(s, set) == strlen(s);
}

static inline void fuzz_check_text(const char *s, size_t size)
{
    FUZZ_CHECK(memchr(s, '\0', size) != NULL);
    FUZZ_CHECK(s[0] != '\0' && s[0] != ' ' && s[strlen(s) - 1] != ' ');
    FUZZ_CHECK(text_utf8_valid(s, strlen(s)));
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        FUZZ_CHECK(*p >= 0x20 && *p != 0x7f);
}

static inline void fuzz_check_date(const char *s, const char *today)
{
    ct_date d;

    FUZZ_CHECK(strlen(s) == 10 && s[4] == '-' && s[7] == '-');
    FUZZ_CHECK(ct_date_parse(s, &d) == 0);
    FUZZ_CHECK(strcmp(s, today) <= 0);
}

static inline void fuzz_check_applicant(const mau02_applicant *a, const char *today)
{
    const char *cells[MAU02_COLUMNS];
    mau02_applicant again;
    ct_error err = {0};
    size_t id_len;

    FUZZ_CHECK(a->row >= 1);
    fuzz_check_text(a->full_name, sizeof a->full_name);
    fuzz_check_text(a->id_issued_at, sizeof a->id_issued_at);
    fuzz_check_text(a->unit, sizeof a->unit);
    fuzz_check_text(a->position, sizeof a->position);
    fuzz_check_text(a->province, sizeof a->province);
    FUZZ_CHECK(memchr(a->email, '\0', sizeof a->email) != NULL && strchr(a->email, '@'));
    fuzz_check_date(a->birth_date, today);
    fuzz_check_date(a->id_issued_on, today);
    FUZZ_CHECK(strcmp(a->birth_date, a->id_issued_on) < 0);
    FUZZ_CHECK(memchr(a->id_number, '\0', sizeof a->id_number) != NULL);
    id_len = strlen(a->id_number);
    if (strcmp(a->id_kind, "cccd") == 0)
        FUZZ_CHECK(id_len == 12 && fuzz_all_of(a->id_number, "0123456789"));
    else if (strcmp(a->id_kind, "cmnd") == 0)
        FUZZ_CHECK(id_len == 9 && fuzz_all_of(a->id_number, "0123456789"));
    else
        FUZZ_CHECK(strcmp(a->id_kind, "passport") == 0 && id_len == 8 && a->id_number[0] >= 'A' &&
                   a->id_number[0] <= 'Z' && fuzz_all_of(a->id_number + 1, "0123456789"));
    FUZZ_CHECK(a->category == CATEGORY_CAN_BO || a->category == CATEGORY_CONG_CHUC ||
               a->category == CATEGORY_VIEN_CHUC);
    FUZZ_CHECK(strlen(a->phone) == 10 && a->phone[0] == '0' && strchr("35789", a->phone[1]) &&
               fuzz_all_of(a->phone, "0123456789"));
    FUZZ_CHECK(memchr(a->previous_serial, '\0', sizeof a->previous_serial) != NULL &&
               fuzz_all_of(a->previous_serial, "0123456789ABCDEF"));

    /* the canonical values, checked again, are accepted and come out unchanged */
    cells[0] = "";
    cells[1] = a->full_name;
    cells[2] = a->birth_date;
    cells[3] = a->id_number;
    cells[4] = a->id_issued_on;
    cells[5] = a->id_issued_at;
    cells[6] = a->email;
    cells[7] = a->unit;
    cells[8] = a->province;
    cells[9] = a->position;
    cells[10] = position_category_name(a->category);
    cells[11] = a->phone;
    cells[12] = a->previous_serial;
    if (mau02_check_row(cells, a->row, today, &again, &err) != 0) {
        fprintf(stderr, "canonical row %d refused: [%s] %s\n", a->row, err.code, err.en);
        FUZZ_CHECK(!"canonical values are accepted");
    }
    FUZZ_CHECK(strcmp(again.full_name, a->full_name) == 0);
    FUZZ_CHECK(strcmp(again.birth_date, a->birth_date) == 0);
    FUZZ_CHECK(strcmp(again.id_number, a->id_number) == 0);
    FUZZ_CHECK(strcmp(again.id_kind, a->id_kind) == 0);
    FUZZ_CHECK(strcmp(again.id_issued_on, a->id_issued_on) == 0);
    FUZZ_CHECK(strcmp(again.id_issued_at, a->id_issued_at) == 0);
    FUZZ_CHECK(strcmp(again.email, a->email) == 0);
    FUZZ_CHECK(strcmp(again.unit, a->unit) == 0);
    FUZZ_CHECK(strcmp(again.province, a->province) == 0);
    FUZZ_CHECK(strcmp(again.position, a->position) == 0);
    FUZZ_CHECK(again.category == a->category);
    FUZZ_CHECK(strcmp(again.phone, a->phone) == 0);
    FUZZ_CHECK(strcmp(again.previous_serial, a->previous_serial) == 0);
}

/* A whole accepted list: 1 to 500 applicants, each well formed, no two sharing an ID number or
 * an e-mail address (the duplicate check ran). */
static inline void fuzz_check_list(const mau02_applicant *list, size_t n, const char *today)
{
    ct_error err = {0};

    FUZZ_CHECK(list != NULL && n >= 1 && n <= MAU02_MAX_ROWS);
    for (size_t i = 0; i < n; i++) {
        fuzz_check_applicant(&list[i], today);
        if (i > 0)
            FUZZ_CHECK(list[i].row > list[i - 1].row);
    }
    FUZZ_CHECK(mau02_check_duplicates(list, n, NULL, &err) == 0);
}

/* A refused list's problems: at least one found, at most MAU02_ERRORS_KEPT kept, sorted by row
 * then column, each with a code and valid text in both languages and a column in range. */
static inline void fuzz_check_problems(const mau02_errors *errors)
{
    FUZZ_CHECK(errors->total >= 1 && errors->count <= errors->total &&
               errors->count <= MAU02_ERRORS_KEPT);
    for (size_t i = 0; i < errors->count; i++) {
        const mau02_problem *p = &errors->items[i];
        FUZZ_CHECK(p->code[0] != '\0' && p->row >= 0);
        FUZZ_CHECK(p->column >= -1 && p->column < MAU02_COLUMNS);
        FUZZ_CHECK(text_utf8_valid(p->vi, strlen(p->vi)) && text_utf8_valid(p->en, strlen(p->en)));
        if (i > 0)
            FUZZ_CHECK(p[-1].row < p->row || (p[-1].row == p->row && p[-1].column <= p->column));
    }
}

#endif
