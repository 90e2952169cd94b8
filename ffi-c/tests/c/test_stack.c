/* Building a policy needs only a small, bounded stack, whatever its capacity
 * class: each class is built, on the heap (corsguard_policy_new_class and
 * corsguard_policy_from_json) and into a static buffer
 * (corsguard_policy_init), on a thread whose stack is
 * only 64 KiB, with a guard page below it (an overflow is a SIGSEGV, not a
 * silent corruption). The stack is painted before the thread starts; after
 * the build the untouched part is counted, and the peak the build used is
 * printed and checked against the documented bound.
 *
 *   test_stack [STACK_KIB [BOUND_KIB]]   defaults: 64 and 16
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#endif
#endif
#ifndef VALGRIND_MAKE_MEM_DEFINED
#define VALGRIND_MAKE_MEM_DEFINED(addr, len) ((void)(addr), (void)(len))
#endif

#define PAINT 0xa5

/* Big enough for any class, aligned for every class. */
static union {
    uint64_t align;
    unsigned char bytes[CORSGUARD_POLICY_LARGE_MAX_SIZE];
} static_memory;

struct job {
    corsguard_config *config;
    const char *json; /* a policy document, loaded instead of `config` */
    size_t json_len;
    corsguard_document_errors *errors;
    uint32_t class_;
    int in_static;
    corsguard_policy *policy;
    corsguard_error error;
    corsguard_result rc;
    uintptr_t top; /* an address in the thread function's own frame */
};

static void *build(void *arg)
{
    struct job *job = arg;
    volatile char here = 0;

    job->top = (uintptr_t)&here;
    if (job->json != NULL) {
        job->rc = corsguard_policy_from_json(job->json, job->json_len, 0, &job->policy, &job->errors);
    } else if (job->in_static) {
        job->rc = corsguard_policy_init(static_memory.bytes, sizeof static_memory.bytes, job->config,
                                        job->class_, &job->policy, &job->error);
    } else {
        job->rc = corsguard_policy_new_class(job->config, job->class_, &job->policy, &job->error);
    }
    return NULL;
}

/* Runs `job` on a thread with a painted stack of `stack` bytes; returns the
 * bytes of stack the build used below the thread function's frame. */
static size_t run_on_small_stack(struct job *job, size_t stack)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    unsigned char *map, *low, *p;
    pthread_attr_t attr;
    pthread_t thread;

    map = mmap(NULL, stack + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    if (mprotect(map, page, PROT_NONE) != 0) { /* the guard page */
        perror("mprotect");
        exit(2);
    }
    low = map + page;
    memset(low, PAINT, stack);
    if (pthread_attr_init(&attr) != 0 || pthread_attr_setstack(&attr, low, stack) != 0 ||
        pthread_create(&thread, &attr, build, job) != 0 || pthread_join(thread, NULL) != 0) {
        fprintf(stderr, "cannot run a thread with a %zu-byte stack\n", stack);
        exit(2);
    }
    pthread_attr_destroy(&attr);
    /* Under valgrind, the stack of a finished thread is no longer
     * addressable; it is our memory, and we only read back what we wrote. */
    VALGRIND_MAKE_MEM_DEFINED(low, stack);
    for (p = low; p < low + stack && *p == PAINT; p++) {
    }
    munmap(map, stack + page);
    return job->top > (uintptr_t)p ? (size_t)(job->top - (uintptr_t)p) : 0;
}

static const char *class_name(uint32_t class_)
{
    static const char *names[] = {"AUTO", "SMALL", "DEFAULT", "LARGE"};
    return class_ < 4 ? names[class_] : "?";
}

/* A configuration with `origins` origins (http://host-N.example:8080). */
static corsguard_config *config_with(int origins)
{
    corsguard_config *config = NULL;
    char origin[64];
    int i, n;

    CHECK_OK(corsguard_config_new(&config));
    CHECK_OK(corsguard_config_add_origin(config, S("http://localhost:3000")));
    for (i = 1; i < origins; i++) {
        n = snprintf(origin, sizeof origin, "http://host-%d.example:8080", i);
        CHECK_OK(corsguard_config_add_origin(config, origin, (size_t)n));
    }
    CHECK_OK(corsguard_config_add_method(config, S("PUT")));
    CHECK_OK(corsguard_config_add_allowed_header(config, S("content-type")));
    CHECK_OK(corsguard_config_add_exposed_header(config, S("x-request-id")));
    CHECK_OK(corsguard_config_set_credentials(config, true));
    CHECK_OK(corsguard_config_set_max_age(config, 600));
    return config;
}

static size_t worst;

static void check_build(uint32_t class_, int origins, uint32_t expected, int in_static, size_t stack,
                        size_t bound)
{
    struct job job;
    corsguard_request request;
    corsguard_decision decision;
    corsguard_capacity_class built = CORSGUARD_CAPACITY_CLASS_AUTO;
    size_t peak;

    memset(&job, 0, sizeof job);
    job.config = config_with(origins);
    job.class_ = class_;
    job.in_static = in_static;
    peak = run_on_small_stack(&job, stack);
    CHECK_OK(job.rc);
    if (job.rc == CORSGUARD_RESULT_OK) {
        CHECK_OK(corsguard_policy_class(job.policy, &built));
        CHECK(built == (corsguard_capacity_class)expected);
        memset(&request, 0, sizeof request);
        request.method = "OPTIONS";
        request.method_len = 7;
        request.origin = "http://localhost:3000";
        request.origin_len = 21;
        request.request_method = "PUT";
        request.request_method_len = 3;
        CHECK_OK(corsguard_evaluate(job.policy, &request, &decision));
        CHECK(decision.outcome == CORSGUARD_OUTCOME_ALLOWED && decision.status == 204);
        CHECK_RC(corsguard_policy_free(job.policy), in_static ? CORSGUARD_RESULT_NOT_OWNED : CORSGUARD_RESULT_OK);
    }
    CHECK_OK(corsguard_config_free(job.config));
    printf("%-7s (%4d origins) -> %-7s %-6s peak stack %6zu bytes\n", class_name(class_), origins,
           class_name(expected), in_static ? "static" : "heap", peak);
    CHECK(peak <= bound);
    if (peak > worst) {
        worst = peak;
    }
}

/* Loads a policy document with `origins` origins on the small stack. */
static void check_document(int origins, uint32_t expected, size_t stack, size_t bound)
{
    struct job job;
    corsguard_capacity_class built = CORSGUARD_CAPACITY_CLASS_AUTO;
    size_t cap = 256 + (size_t)origins * 40, at, peak;
    char *json = malloc(cap);
    int i;

    if (json == NULL) exit(2);
    at = (size_t)snprintf(json, cap, "{\"version\": 1, \"allowOrigins\": [\"http://localhost:3000\"");
    for (i = 1; i < origins; i++) {
        at += (size_t)snprintf(json + at, cap - at, ", \"http://host-%d.example:8080\"", i);
    }
    at += (size_t)snprintf(json + at, cap - at,
                           "], \"allowMethods\": [\"PUT\"], \"allowCredentials\": true, \"maxAge\": 600}");
    memset(&job, 0, sizeof job);
    job.json = json;
    job.json_len = at;
    peak = run_on_small_stack(&job, stack);
    CHECK_OK(job.rc);
    CHECK(job.errors == NULL);
    if (job.rc == CORSGUARD_RESULT_OK) {
        CHECK_OK(corsguard_policy_class(job.policy, &built));
        CHECK(built == (corsguard_capacity_class)expected);
        CHECK_OK(corsguard_policy_free(job.policy));
    }
    CHECK_OK(corsguard_document_errors_free(job.errors));
    free(json);
    printf("document (%4d origins) -> %-7s %-6s peak stack %6zu bytes\n", origins, class_name(expected),
           "heap", peak);
    CHECK(peak <= bound);
    if (peak > worst) {
        worst = peak;
    }
}

int main(int argc, char **argv)
{
    size_t stack = (argc > 1 ? (size_t)atoi(argv[1]) : 64) * 1024;
    size_t bound = (argc > 2 ? (size_t)atoi(argv[2]) : 16) * 1024;
    int in_static;

    for (in_static = 0; in_static <= 1; in_static++) {
        check_build(CORSGUARD_CAPACITY_CLASS_SMALL, 2, CORSGUARD_CAPACITY_CLASS_SMALL, in_static, stack, bound);
        check_build(CORSGUARD_CAPACITY_CLASS_DEFAULT, 2, CORSGUARD_CAPACITY_CLASS_DEFAULT, in_static, stack, bound);
        check_build(CORSGUARD_CAPACITY_CLASS_LARGE, 2, CORSGUARD_CAPACITY_CLASS_LARGE, in_static, stack, bound);
        /* AUTO: SMALL and DEFAULT are tried and refused before LARGE builds. */
        check_build(CORSGUARD_CAPACITY_CLASS_AUTO, 1000, CORSGUARD_CAPACITY_CLASS_LARGE, in_static, stack, bound);
    }
    /* corsguard_policy_from_json: each class, chosen by the document's size. */
    check_document(2, CORSGUARD_CAPACITY_CLASS_SMALL, stack, bound);
    check_document(20, CORSGUARD_CAPACITY_CLASS_DEFAULT, stack, bound);
    check_document(1000, CORSGUARD_CAPACITY_CLASS_LARGE, stack, bound);
    printf("built every class on a %zu KiB stack; the most any build used: %zu bytes (bound %zu)\n",
           stack / 1024, worst, bound);
    return check_report("test_stack");
}
