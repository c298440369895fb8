/*
 * text.h — Vietnamese text as chungthu handles it: strict UTF-8, NFC, search folding, and the
 * checks every human-entered field passes before it reaches a certificate or the database.
 *
 * Vietnamese letters can carry two marks (ế = e + circumflex + acute) and keyboards and
 * spreadsheets produce them composed or decomposed; NFC makes the same name the same bytes, which
 * a certificate subject must be. Folding ("Nguyễn Văn Ánh" → "nguyen van anh", đ → d) is what
 * search compares, so people find names without typing diacritics.
 */
#ifndef CT_CORE_TEXT_H
#define CT_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
bool text_utf8_valid(const char *s, size_t len);

/* NFC of in into out (NUL-terminated). Codes: "text.invalid_utf8", "text.too_long". Composes
 * every precomposed Latin letter (U+00C0–U+024F, U+1E00–U+1EFF), marks in any canonical order;
 * other text passes through unchanged. */
int text_nfc(const char *in, char *out, size_t out_size, ct_error *err);

/* Search key: decompose, drop combining marks, đ/Đ → d, lower-case, runs of white space to one
 * space, trimmed. */
int text_fold(const char *in, char *out, size_t out_size, ct_error *err);

/* Code points of valid UTF-8. */
size_t text_codepoints(const char *s);

/* Columns the text takes on a terminal, for padding columns of a table: one per code point,
 * none for combining marks (a decomposed "ế" is one column, like the NFC one) and zero-width
 * characters, two for East Asian wide ones; a byte that is not valid UTF-8 counts as one. */
size_t text_display_width(const char *s);

/* A human-entered field: valid UTF-8, NFC, trimmed, inner runs of spaces collapsed, not empty,
 * no control or invisible formatting characters, at most max_chars code points. field_vi and
 * field_en name the field in messages. Codes: "text.empty", "text.too_long",
 * "text.control_char", "text.invalid_utf8". */
int text_clean_field(const char *in, size_t max_chars, const char *field_vi, const char *field_en,
                     char *out, size_t out_size, ct_error *err);

/* A person's name, already through text_clean_field (the full name of an applicant, the CN of
 * a certificate): letters (Latin with Vietnamese and other diacritics), spaces, and the
 * apostrophe, hyphen and full stop some names hold (H'Hen Niê), beginning with a letter. Digits,
 * markup (< > " &), formula starters (= + - @) and other symbols make no sense in a name and are
 * refused: "text.name_chars", naming the character. */
int text_check_name(const char *clean, const char *field_vi, const char *field_en, ct_error *err);

/* A free-text field that ends up in a certificate, a page or a spreadsheet export (unit,
 * organisation, position), already through text_clean_field: it must not begin with = + - @
 * (a spreadsheet would run it as a formula: "text.formula") nor hold < or > (markup:
 * "text.markup"). */
int text_check_plain(const char *clean, const char *field_vi, const char *field_en, ct_error *err);

/* An official e-mail address: ASCII dot-atom local part (1–64), a domain of LDH labels with at
 * least one dot and an alphabetic TLD, at most 254 characters; the domain is lower-cased.
 * Code "email.invalid". */
int text_clean_email(const char *in, char *out, size_t out_size, ct_error *err);

#endif
