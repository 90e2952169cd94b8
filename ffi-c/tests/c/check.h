/* A tiny check library for the C tests: each failed check is reported with
 * its file and line, and the program's exit status says whether any failed. */
#ifndef CORSGUARD_TEST_CHECK_H
#define CORSGUARD_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

#include <corsguard.h>

static unsigned long check_count;
static unsigned long check_failed;

#define CHECK(cond)                                                              \
    do {                                                                         \
        check_count++;                                                           \
        if (!(cond)) {                                                           \
            check_failed++;                                                      \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                        \
    } while (0)

/* Checks that a call returns the expected corsguard_result, naming both. */
#define CHECK_RC(call, expected)                                                 \
    do {                                                                         \
        corsguard_result check_rc_ = (call);                                     \
        check_count++;                                                           \
        if (check_rc_ != (corsguard_result)(expected)) {                         \
            check_failed++;                                                      \
            fprintf(stderr, "%s:%d: %s returned %s, expected %s\n", __FILE__,    \
                    __LINE__, #call, corsguard_result_code(check_rc_).ptr,       \
                    corsguard_result_code((expected)).ptr);                      \
        }                                                                        \
    } while (0)

#define CHECK_OK(call) CHECK_RC(call, CORSGUARD_RESULT_OK)

/* A string literal as a (pointer, length) pair. */
#define S(literal) (literal), (sizeof(literal) - 1)

/* Whether `len` bytes at `ptr` are exactly the string literal. */
#define BYTES_EQ(ptr, len, literal)                                              \
    ((len) == sizeof(literal) - 1 && memcmp((ptr), (literal), (len)) == 0)

static inline int check_report(const char *program)
{
    printf("%s: %lu checks, %lu failed\n", program, check_count, check_failed);
    return check_failed == 0 ? 0 : 1;
}

#endif
