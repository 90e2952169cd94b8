/* What the library can tell about a policy that has ended.
 *
 * In caller memory (corsguard_policy_init), the memory stays the caller's, so
 * an ended policy is detected reliably: after corsguard_policy_deinit, and
 * after a failed corsguard_policy_init into the same memory, every call with
 * the old handle returns CORSGUARD_RESULT_INVALID_HANDLE.
 *
 * On the heap, a freed policy's memory belongs to the allocator, and reading
 * it is undefined: the header promises detection only at best. What can be
 * tested without the test itself reading freed memory is the library's part:
 * this program replaces free(), keeps the policy's block instead of freeing
 * it, and checks that the marker was already cleared when the library called
 * free() (the store is in the shipped function), and that a second
 * corsguard_policy_free and an evaluation with the kept, readable block
 * return CORSGUARD_RESULT_INVALID_HANDLE instead of freeing it twice or
 * evaluating it. That part is left out under AddressSanitizer (whose own
 * free() must not be replaced) and wherever the replacement is not the
 * free() the library calls (valgrind substitutes its own); ffi-c/test.sh
 * runs it in the plain build with --require-heap.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static union {
    uint64_t align;
    unsigned char bytes[CORSGUARD_POLICY_LARGE_MAX_SIZE];
} memory;

static const uint32_t classes[] = {CORSGUARD_CAPACITY_CLASS_SMALL, CORSGUARD_CAPACITY_CLASS_DEFAULT,
                                   CORSGUARD_CAPACITY_CLASS_LARGE};

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
    return config;
}

static corsguard_request preflight(void)
{
    corsguard_request request;

    memset(&request, 0, sizeof request);
    request.method = "OPTIONS";
    request.method_len = 7;
    request.origin = "http://localhost:3000";
    request.origin_len = 21;
    request.request_method = "PUT";
    request.request_method_len = 3;
    return request;
}

/* Every call that takes a policy refuses `policy` as not live. */
static void check_refused(corsguard_policy *policy)
{
    corsguard_request request = preflight();
    corsguard_decision decision;
    corsguard_capacity_class class_;
    size_t origins, bytes;

    CHECK_RC(corsguard_evaluate(policy, &request, &decision), CORSGUARD_RESULT_INVALID_HANDLE);
    CHECK_RC(corsguard_policy_class(policy, &class_), CORSGUARD_RESULT_INVALID_HANDLE);
    CHECK_RC(corsguard_policy_usage(policy, &origins, &bytes), CORSGUARD_RESULT_INVALID_HANDLE);
    CHECK_RC(corsguard_policy_free(policy), CORSGUARD_RESULT_INVALID_HANDLE);
    CHECK_RC(corsguard_policy_deinit(policy), CORSGUARD_RESULT_INVALID_HANDLE);
}

static void check_allowed(const corsguard_policy *policy)
{
    corsguard_request request = preflight();
    corsguard_decision decision;

    CHECK_OK(corsguard_evaluate(policy, &request, &decision));
    CHECK(decision.outcome == CORSGUARD_OUTCOME_ALLOWED);
}

static void test_caller_memory(void)
{
    corsguard_config *config = config_with(2), *too_big = config_with(300);
    corsguard_policy *policy = NULL, *heap = NULL;
    corsguard_error error;
    uint32_t marker;
    size_t i, small = 0, align = 0;

    for (i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        CHECK_OK(corsguard_policy_init(memory.bytes, sizeof memory.bytes, config, classes[i], &policy, &error));
        check_allowed(policy);
        CHECK_OK(corsguard_policy_deinit(policy));
        memcpy(&marker, memory.bytes, sizeof marker);
        CHECK(marker == 0);
        check_refused(policy);
    }
    CHECK_OK(corsguard_policy_deinit(NULL));

    /* A failed build into the same memory leaves no policy behind: neither a
     * class that AUTO tried and found too small... */
    CHECK_OK(corsguard_policy_size(CORSGUARD_CAPACITY_CLASS_SMALL, &small, &align));
    CHECK_OK(corsguard_policy_init(memory.bytes, small, config, CORSGUARD_CAPACITY_CLASS_AUTO, &policy, &error));
    check_allowed(policy);
    CHECK_RC(corsguard_policy_init(memory.bytes, small, too_big, CORSGUARD_CAPACITY_CLASS_AUTO, &heap, &error),
             CORSGUARD_RESULT_CAPACITY_EXCEEDED);
    check_refused(policy);
    /* ... nor a configuration error after a class was tried. */
    CHECK_OK(corsguard_policy_init(memory.bytes, sizeof memory.bytes, config, CORSGUARD_CAPACITY_CLASS_AUTO, &policy, &error));
    check_allowed(policy);
    CHECK_OK(corsguard_config_set_max_age(too_big, 100000));
    CHECK_RC(corsguard_policy_init(memory.bytes, sizeof memory.bytes, too_big, CORSGUARD_CAPACITY_CLASS_AUTO, &heap, &error),
             CORSGUARD_RESULT_MAX_AGE_OUT_OF_RANGE);
    CHECK(strstr(error.message, "maxAge 100000") != NULL);
    check_refused(policy);
    /* Argument errors leave the memory alone. */
    CHECK_OK(corsguard_policy_init(memory.bytes, sizeof memory.bytes, config, CORSGUARD_CAPACITY_CLASS_SMALL, &policy, &error));
    CHECK_RC(corsguard_policy_init(memory.bytes, 16, config, CORSGUARD_CAPACITY_CLASS_SMALL, &heap, &error),
             CORSGUARD_RESULT_MEMORY_TOO_SMALL);
    check_allowed(policy);

    /* deinit is for caller memory only; a heap policy is left as it was. */
    CHECK_OK(corsguard_policy_new(config, &heap, &error));
    CHECK_RC(corsguard_policy_deinit(heap), CORSGUARD_RESULT_INVALID_ARGUMENT);
    check_allowed(heap);
    CHECK_OK(corsguard_policy_free(heap));

    CHECK_OK(corsguard_config_free(config));
    CHECK_OK(corsguard_config_free(too_big));
}

#if defined(__SANITIZE_ADDRESS__)
static int test_heap(void)
{
    return 0;
}
#else
/* glibc's own free(), which the replacement below forwards to. */
extern void __libc_free(void *block);

static void *kept;          /* the block the next free() of it is to keep */
static int kept_freed;      /* how many times free() was called on it */
static uint32_t marker_at_free;

void free(void *block)
{
    if (block != NULL && block == kept) {
        if (kept_freed++ == 0) {
            memcpy(&marker_at_free, block, sizeof marker_at_free);
        }
        return; /* kept: still ours, so reading it later is defined */
    }
    __libc_free(block);
}

/* Returns 1 when the heap part ran, 0 when it was skipped. */
static int test_heap(void)
{
    corsguard_config *config = config_with(2);
    corsguard_policy *policy = NULL;
    corsguard_error error;
    uint32_t marker;
    size_t i;
    int ran = 1;

    for (i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        CHECK_OK(corsguard_policy_new_class(config, classes[i], &policy, &error));
        check_allowed(policy);
        kept = policy;
        kept_freed = 0;
        marker_at_free = 0xffffffff;
        CHECK_OK(corsguard_policy_free(policy));
        if (kept_freed == 0) {
            /* Our free() is not the one the library called: the block is
             * really freed, and nothing more may be done with it. */
            ran = 0;
            kept = NULL;
            break;
        }
        CHECK(kept_freed == 1);
        /* The marker was cleared before the memory went to the allocator. */
        CHECK(marker_at_free == 0);
        memcpy(&marker, policy, sizeof marker);
        CHECK(marker == 0);
        /* A second free and any use are refused, not done. */
        check_refused(policy);
        CHECK(kept_freed == 1);
        kept = NULL;
        __libc_free(policy);
    }
    CHECK_OK(corsguard_config_free(config));
    return ran;
}
#endif

/* test_free [--require-heap]: with --require-heap, skipping the heap part
 * is a failure (the plain build must run it). */
int main(int argc, char **argv)
{
    int require_heap = argc > 1 && strcmp(argv[1], "--require-heap") == 0;

    test_caller_memory();
    if (!test_heap()) {
        printf("heap part skipped: free() is not replaceable here\n");
        CHECK(!require_heap);
    }
    return check_report("test_free");
}
