/* Many threads evaluate requests against one shared policy at the same time,
 * without locking, and every answer equals the one computed on one thread:
 * a heap policy, one in a static buffer, and a document with routes (each
 * request for its path, with corsguard_evaluate_path).
 *
 * Usage: test_threads [iterations per thread] */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define THREADS 8
#define REQUESTS 6

typedef struct {
    const char *method, *origin, *request_method, *request_headers, *path;
} request_spec;

/* The paths matter only to the document with routes (ROUTED). */
static const request_spec specs[REQUESTS] = {
    {"OPTIONS", "http://localhost:3000", "PUT", "content-type, x-request-id", "/api/items"},
    {"OPTIONS", "http://localhost:3000", "PATCH", NULL, "/api/items"},
    {"OPTIONS", "https://evil.example", "PUT", NULL, "/public/feed"},
    {"GET", "http://localhost:3000", NULL, NULL, "/internal/metrics"},
    {"POST", "http://localhost:3001", NULL, NULL, "/api/../public/feed"},
    {"GET", NULL, NULL, NULL, "/api/hello"},
};

static const char ROUTED[] =
    "{\"version\": 1, \"allowOrigins\": [\"http://localhost:3000\"], \"allowMethods\": [\"PUT\"],"
    " \"allowHeaders\": [\"content-type\", \"x-request-id\"], \"allowCredentials\": true, \"maxAge\": 600,"
    " \"policies\": {\"open\": {\"allowOrigins\": [\"*\"], \"allowCredentials\": false}},"
    " \"routes\": [{\"path\": \"/internal/**\", \"policy\": null},"
    " {\"path\": \"/public/**\", \"policy\": \"open\"}, {\"path\": \"/api/**\", \"policy\": \"default\"}]}";

/* What one request must get: the written header lines say it all. */
typedef struct {
    corsguard_result rc; /* OK, or NO_POLICY */
    corsguard_outcome outcome;
    uint16_t status;
    char lines[1024];
    size_t lines_len;
} answer;

static const corsguard_policy *shared_policy;
static answer expected[REQUESTS];
static long iterations = 20000;

static corsguard_request make_request(const request_spec *s)
{
    corsguard_request r;
    memset(&r, 0, sizeof r);
    r.method = s->method;
    r.method_len = strlen(s->method);
    if (s->origin) { r.origin = s->origin; r.origin_len = strlen(s->origin); }
    if (s->request_method) { r.request_method = s->request_method; r.request_method_len = strlen(s->request_method); }
    if (s->request_headers) { r.request_headers = s->request_headers; r.request_headers_len = strlen(s->request_headers); }
    return r;
}

static int evaluate(const request_spec *s, answer *out)
{
    corsguard_request r = make_request(s);
    corsguard_decision d;
    out->rc = corsguard_evaluate_path(shared_policy, s->path, strlen(s->path), &r, &d);
    if (out->rc != CORSGUARD_RESULT_OK && out->rc != CORSGUARD_RESULT_NO_POLICY) {
        return 0;
    }
    out->outcome = d.outcome;
    out->status = d.status;
    return corsguard_decision_write_headers(&d, 0, out->lines, sizeof out->lines, &out->lines_len) == CORSGUARD_RESULT_OK;
}

static void *worker(void *arg)
{
    long id = (long)arg, i;
    long mismatches = 0;
    for (i = 0; i < iterations; i++) {
        size_t which = (size_t)((i + id) % REQUESTS);
        answer got;
        if (!evaluate(&specs[which], &got) || got.rc != expected[which].rc || got.outcome != expected[which].outcome ||
            got.status != expected[which].status || got.lines_len != expected[which].lines_len ||
            memcmp(got.lines, expected[which].lines, got.lines_len) != 0) {
            mismatches++;
        }
    }
    return (void *)mismatches;
}

static void run_threads(const char *what)
{
    pthread_t threads[THREADS];
    long t;
    size_t i;
    for (i = 0; i < REQUESTS; i++) {
        CHECK(evaluate(&specs[i], &expected[i]));
    }
    for (t = 0; t < THREADS; t++) {
        CHECK(pthread_create(&threads[t], NULL, worker, (void *)t) == 0);
    }
    for (t = 0; t < THREADS; t++) {
        void *mismatches = NULL;
        CHECK(pthread_join(threads[t], &mismatches) == 0);
        CHECK(mismatches == NULL);
        if (mismatches != NULL) {
            fprintf(stderr, "%s: thread %ld saw %ld wrong answers\n", what, t, (long)mismatches);
        }
    }
}

static union {
    uint64_t align;
    unsigned char bytes[CORSGUARD_POLICY_SMALL_MAX_SIZE];
} static_policy;

int main(int argc, char **argv)
{
    corsguard_config *config = NULL;
    corsguard_policy *policy = NULL;
    corsguard_error error;

    if (argc > 1) {
        iterations = strtol(argv[1], NULL, 10);
    }
    CHECK_OK(corsguard_config_new(&config));
    CHECK_OK(corsguard_config_add_origin(config, S("http://localhost:3000")));
    CHECK_OK(corsguard_config_add_method(config, S("PUT")));
    CHECK_OK(corsguard_config_add_allowed_header(config, S("content-type")));
    CHECK_OK(corsguard_config_add_allowed_header(config, S("x-request-id")));
    CHECK_OK(corsguard_config_set_credentials(config, true));
    CHECK_OK(corsguard_config_set_max_age(config, 600));

    /* A heap policy. */
    CHECK_OK(corsguard_policy_new(config, &policy, &error));
    shared_policy = policy;
    run_threads("heap policy");
    CHECK(expected[0].outcome == CORSGUARD_OUTCOME_ALLOWED && expected[0].status == 204);
    CHECK(expected[1].outcome == CORSGUARD_OUTCOME_DENIED && expected[1].status == 403);
    CHECK(expected[3].outcome == CORSGUARD_OUTCOME_ALLOWED && expected[3].lines_len > 0);
    CHECK(expected[5].outcome == CORSGUARD_OUTCOME_NOT_CORS);
    CHECK(expected[3].rc == CORSGUARD_RESULT_OK && expected[4].rc == CORSGUARD_RESULT_OK);
    CHECK_OK(corsguard_policy_free(policy));

    /* A document with routes: a policy per path, and paths without CORS. */
    CHECK_OK(corsguard_policy_from_json(ROUTED, sizeof ROUTED - 1, 0, &policy, NULL));
    shared_policy = policy;
    run_threads("routed policy");
    CHECK(expected[0].rc == CORSGUARD_RESULT_OK && expected[0].outcome == CORSGUARD_OUTCOME_ALLOWED);
    CHECK(expected[0].status == 204);
    CHECK(expected[1].outcome == CORSGUARD_OUTCOME_DENIED && expected[1].status == 403);
    /* The open policy allows any origin on /public. */
    CHECK(expected[2].rc == CORSGUARD_RESULT_OK && expected[2].outcome == CORSGUARD_OUTCOME_ALLOWED);
    CHECK(expected[3].rc == CORSGUARD_RESULT_NO_POLICY && expected[3].lines_len == 0);
    CHECK(expected[4].rc == CORSGUARD_RESULT_NO_POLICY && expected[4].lines_len == 0);
    CHECK(expected[5].rc == CORSGUARD_RESULT_OK && expected[5].outcome == CORSGUARD_OUTCOME_NOT_CORS);
    CHECK_OK(corsguard_policy_free(policy));

    /* A policy in a static buffer. */
    CHECK_OK(corsguard_policy_init(static_policy.bytes, sizeof static_policy.bytes, config,
                                   CORSGUARD_CAPACITY_CLASS_SMALL, &policy, &error));
    shared_policy = policy;
    run_threads("static policy");
    CHECK_OK(corsguard_config_free(config));
    printf("test_threads: %d threads x %ld evaluations\n", THREADS, iterations);
    return check_report("test_threads");
}
