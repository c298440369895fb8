/*
 * fuzz_common.h — what the libFuzzer harnesses of tests/fuzz share: the entry point's
 * declaration and a check that stops the run (so that libFuzzer keeps the input) when a
 * property of a parser's result does not hold. assert() is not used: the fuzzing build may
 * define NDEBUG.
 */
#ifndef CT_FUZZ_COMMON_H
#define CT_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #cond);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A refusal is well formed: a code, both messages, and an HTTP-like status. */
static inline void fuzz_check_refusal(const ct_error *err)
{
    FUZZ_CHECK(err->code[0] != '\0' && err->vi[0] != '\0' && err->en[0] != '\0');
    FUZZ_CHECK(err->status >= 400 && err->status <= 599);
}

/* s is a NUL-terminated string within its field of size bytes. */
#define FUZZ_CHECK_FIELD(s) FUZZ_CHECK(memchr((s), '\0', sizeof(s)) != NULL)

#endif
