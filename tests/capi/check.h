/*
 * check.h — a tiny assertion harness for the C API tests.
 *
 * Every check has a name (the case it pins) and prints one line: "ok   <name>" or
 * "FAIL <name>: <why> (<file>:<line>)". check_summary() prints "N passed, M failed" and
 * returns the process exit status (nonzero when anything failed).
 *
 * Exactly one translation unit defines CHECK_IMPLEMENTATION before including this header.
 */
#ifndef AUTHP_TESTS_CHECK_H
#define AUTHP_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

/* Records one check; `why` (may be NULL) explains a failure. Returns ok. */
int check_record(int ok, const char* name, const char* why, const char* file, int line);
/* Prints a section header, so that the output reads by concept. */
void check_section(const char* title);
/* Prints "N passed, M failed" and returns 0 when nothing failed, 1 otherwise. */
int check_summary(void);
/* Like printf into a static buffer, for building failure messages. */
const char* check_fmt(const char* format, ...);

#define CHECK(name, cond) check_record((cond) ? 1 : 0, (name), "expected " #cond, __FILE__, __LINE__)

#define CHECK_INT(name, actual, expected)                                                                      \
    do {                                                                                                       \
        const long long check_a_ = (long long)(actual), check_e_ = (long long)(expected);                      \
        check_record(check_a_ == check_e_, (name),                                                             \
                     check_fmt("%s is %lld, expected %lld", #actual, check_a_, check_e_), __FILE__, __LINE__); \
    } while (0)

/* Compares C strings; NULL equals only NULL. */
#define CHECK_STR(name, actual, expected)                                                                              \
    do {                                                                                                               \
        const char *check_a_ = (actual), *check_e_ = (expected);                                                       \
        const int check_ok_ =                                                                                          \
            (check_a_ == NULL || check_e_ == NULL) ? check_a_ == check_e_ : strcmp(check_a_, check_e_) == 0;           \
        check_record(                                                                                                  \
            check_ok_, (name),                                                                                         \
            check_fmt("%s is %s%s%s, expected %s%s%s", #actual, check_a_ ? "\"" : "", check_a_ ? check_a_ : "NULL",    \
                      check_a_ ? "\"" : "", check_e_ ? "\"" : "", check_e_ ? check_e_ : "NULL", check_e_ ? "\"" : ""), \
            __FILE__, __LINE__);                                                                                       \
    } while (0)

/* True when `haystack` (may be NULL) contains `needle`. */
#define CHECK_CONTAINS(name, haystack, needle)                                           \
    do {                                                                                 \
        const char *check_h_ = (haystack), *check_n_ = (needle);                         \
        check_record(check_h_ != NULL && strstr(check_h_, check_n_) != NULL, (name),     \
                     check_fmt("%s is \"%s\", expected it to contain \"%s\"", #haystack, \
                               check_h_ ? check_h_ : "(NULL)", check_n_),                \
                     __FILE__, __LINE__);                                                \
    } while (0)

#ifdef CHECK_IMPLEMENTATION
#include <stdarg.h>

static int check_passed_;
static int check_failed_;

int check_record(int ok, const char* name, const char* why, const char* file, int line) {
    if (ok) {
        ++check_passed_;
        printf("ok   %s\n", name);
    } else {
        ++check_failed_;
        printf("FAIL %s: %s (%s:%d)\n", name, why ? why : "failed", file, line);
    }
    fflush(stdout);
    return ok;
}

void check_section(const char* title) {
    printf("# %s\n", title);
}

int check_summary(void) {
    printf("%d passed, %d failed\n", check_passed_, check_failed_);
    fflush(stdout);
    return check_failed_ == 0 ? 0 : 1;
}

const char* check_fmt(const char* format, ...) {
    static char buffer[2048];
    va_list args;
    va_start(args, format);
    vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    return buffer;
}
#endif /* CHECK_IMPLEMENTATION */

#endif /* AUTHP_TESTS_CHECK_H */
