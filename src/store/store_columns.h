/*
 * store_columns.h — the records the store keeps, described as columns (private to src/store).
 *
 * One description per record type, shared by both backends (SQLite and PostgreSQL), so that a
 * field added to a record is one line here and one migration per backend; each backend's record
 * code (store_sqlite_record.c, store_pg_record.c) binds, reads, inserts, updates and selects any
 * of them from the description.
 */
#ifndef CT_STORE_COLUMNS_H
#define CT_STORE_COLUMNS_H

#include <stddef.h>
#include <stdint.h>

#include "core/records.h"

/*
 * A description lists a record's fields in the order of its
 * SQL columns, the primary key first; the macros below fill one entry each and check at compile
 * time that an integer column is an int64_t or an int.
 */
typedef enum {
    COL_TEXT,     /* char[size] */
    COL_INT,      /* int64_t */
    COL_INT32,    /* int */
    COL_TEXT_PTR, /* char *, a NUL-terminated string */
    COL_BLOB,     /* unsigned char *, with its size_t length at offset `size` */
} col_type;
typedef struct sq_column {
    const char *name;
    col_type type;
    size_t offset;
    size_t size; /* text: the char array's size; blob: the offset of its length */
} sq_column;
typedef struct sq_table {
    const char *name;
    const sq_column *cols;
    size_t n_cols;
    size_t n_keys; /* the first n_keys columns are the primary key */
    size_t record_size;
} sq_table;

#define TEXT(rec, field)                                                                           \
    {                                                                                              \
#field, COL_TEXT, offsetof(rec, field), sizeof(((rec *)0)->field)                          \
    }
#define INT(rec, field)                                                                            \
    {                                                                                              \
#field,                                                                                    \
            _Generic(((rec *)0)->field, int64_t                                                    \
                     : COL_INT, int                                                                \
                     : COL_INT32),                                                                 \
            offsetof(rec, field), 0                                                                \
    }
#define TEXT_PTR(rec, field)                                                                       \
    {                                                                                              \
#field, COL_TEXT_PTR, offsetof(rec, field), 0                                              \
    }
#define BLOB(rec, field, len_field)                                                                \
    {                                                                                              \
#field, COL_BLOB, offsetof(rec, field), offsetof(rec, len_field)                           \
    }
#define SQ_TABLE(table, cols, n_keys, rec)                                                         \
    {                                                                                              \
        table, cols, sizeof cols / sizeof cols[0], n_keys, sizeof(rec)                             \
    }

/* What a select visits: one row, read into a record. */
typedef int (*sq_row_fn)(void *ctx, const void *rec);

/* The descriptions (defined beside the SQLite code that first used them). */
extern const sq_table cert_table, audit_table, checkpoint_table, crl_table;
extern const sq_table agency_table, dossier_table, applicant_table, token_table, user_table,
    session_table, claim_table, draft_table;
extern const sq_table approval_table, outbox_table;

#endif
