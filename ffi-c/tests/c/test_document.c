/* corsguard_policy_from_json and the errors object: a good document, a
 * document with several problems (all reported, in order, with paths),
 * invalid JSON, the capacity class chosen for bigger documents, host
 * verdicts, argument errors and the free functions (run under valgrind and
 * ASan by ffi-c/test.sh, so nothing may leak). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define STR_EQ(s, literal) BYTES_EQ((s).ptr, (s).len, literal)

/* Whether `needle` occurs in the `len` bytes at `hay`. */
static int contains(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle), at;
    for (at = 0; at + n <= len; at++) {
        if (memcmp(hay + at, needle, n) == 0) return 1;
    }
    return 0;
}

static corsguard_request get_from(const char *origin)
{
    corsguard_request r;
    memset(&r, 0, sizeof r);
    r.method = "GET";
    r.method_len = 3;
    r.origin = origin;
    r.origin_len = strlen(origin);
    return r;
}

static int allows(const corsguard_policy *policy, const char *origin)
{
    corsguard_request r = get_from(origin);
    corsguard_decision d;
    if (corsguard_evaluate(policy, &r, &d) != CORSGUARD_RESULT_OK) return 0;
    return d.outcome == CORSGUARD_OUTCOME_ALLOWED;
}

static const char GOOD[] =
    "{\n"
    "  \"$schema\": \"https://corsguard.dev/policy.schema.json\",\n"
    "  \"version\": 1,\n"
    "  \"allowOrigins\": [\"https://app.example.com\", \"https://*.preview.example.com\"],\n"
    "  \"allowMethods\": [\"PUT\", \"DELETE\"],\n"
    "  \"allowHeaders\": [\"content-type\", \"x-request-id\"],\n"
    "  \"exposeHeaders\": [\"x-total-count\"],\n"
    "  \"allowCredentials\": true,\n"
    "  \"maxAge\": 600\n"
    "}\n";

static void test_good_document(void)
{
    corsguard_policy *policy = NULL;
    corsguard_document_errors *errors = (corsguard_document_errors *)&errors; /* overwritten */
    corsguard_capacity_class class = CORSGUARD_CAPACITY_CLASS_AUTO;
    corsguard_request r;
    corsguard_decision d;
    size_t i;
    int found = 0;

    CHECK_OK(corsguard_policy_from_json(GOOD, sizeof GOOD - 1, 0, &policy, &errors));
    CHECK(policy != NULL);
    CHECK(errors == NULL);
    CHECK_OK(corsguard_policy_class(policy, &class));
    CHECK(class == CORSGUARD_CAPACITY_CLASS_SMALL);

    CHECK(allows(policy, "https://app.example.com"));
    CHECK(allows(policy, "https://pr-7.preview.example.com"));
    CHECK(!allows(policy, "https://evil.example.com"));

    /* A preflight: the document's methods, headers, credentials and max-age. */
    memset(&r, 0, sizeof r);
    r.method = "OPTIONS";
    r.method_len = 7;
    r.origin = "https://app.example.com";
    r.origin_len = strlen(r.origin);
    r.request_method = "DELETE";
    r.request_method_len = 6;
    r.request_headers = "x-request-id";
    r.request_headers_len = strlen(r.request_headers);
    CHECK_OK(corsguard_evaluate(policy, &r, &d));
    CHECK(d.kind == CORSGUARD_KIND_PREFLIGHT);
    CHECK(d.outcome == CORSGUARD_OUTCOME_ALLOWED);
    for (i = 0; i < d.header_count; i++) {
        const corsguard_header *h = &d.headers[i];
        if (h->id == CORSGUARD_HEADER_NAME_MAX_AGE) {
            CHECK(BYTES_EQ(h->value, h->value_len, "600"));
            found++;
        } else if (h->id == CORSGUARD_HEADER_NAME_ALLOW_CREDENTIALS) {
            CHECK(BYTES_EQ(h->value, h->value_len, "true"));
            found++;
        } else if (h->id == CORSGUARD_HEADER_NAME_ALLOW_ORIGIN) {
            CHECK(BYTES_EQ(h->value, h->value_len, "https://app.example.com"));
            found++;
        }
    }
    CHECK(found == 3);
    r.request_method = "PATCH";
    r.request_method_len = 5;
    CHECK_OK(corsguard_evaluate(policy, &r, &d));
    CHECK(d.outcome == CORSGUARD_OUTCOME_DENIED);
    CHECK(d.reason == CORSGUARD_REASON_METHOD_NOT_ALLOWED);

    CHECK_OK(corsguard_policy_free(policy));

    /* errors_out may be NULL when the caller does not want the problems. */
    policy = NULL;
    CHECK_OK(corsguard_policy_from_json(GOOD, sizeof GOOD - 1, 0, &policy, NULL));
    CHECK(policy != NULL);
    CHECK_OK(corsguard_policy_free(policy));
}

/* Five problems in one document, each at its own path. */
static const char SEVERAL[] =
    "{\n"
    "  \"version\": 1,\n"
    "  \"allowOrigins\": [\"https://a.example.com/\", \"https://b.example.com\", \"https://b.example.com\"],\n"
    "  \"allowMethods\": [\"GET\", \"TRACE\"],\n"
    "  \"allowCredentails\": true,\n"
    "  \"maxAge\": true\n"
    "}\n";

typedef struct {
    const char *code;
    const char *path;
} expected_problem;

static void test_several_problems(void)
{
    static const expected_problem expected[] = {
        {"malformed_origin", "/allowOrigins/0"},
        {"duplicate", "/allowOrigins/2"},
        {"forbidden_method", "/allowMethods/1"},
        {"unknown_key", "/allowCredentails"},
        {"wrong_type", "/maxAge"},
    };
    const size_t n = sizeof expected / sizeof expected[0];
    corsguard_policy *policy = (corsguard_policy *)&policy; /* overwritten */
    corsguard_document_errors *errors = NULL;
    corsguard_problem p;
    corsguard_str message;
    size_t count = 0, i;

    CHECK_RC(corsguard_policy_from_json(SEVERAL, sizeof SEVERAL - 1, 0, &policy, &errors),
             CORSGUARD_RESULT_MALFORMED_ORIGIN);
    CHECK(policy == NULL);
    CHECK(errors != NULL);
    CHECK_OK(corsguard_document_errors_count(errors, &count));
    CHECK(count == n);
    for (i = 0; i < n && i < count; i++) {
        CHECK_OK(corsguard_document_errors_get(errors, i, &p));
        if (!(p.code.len == strlen(expected[i].code) && memcmp(p.code.ptr, expected[i].code, p.code.len) == 0) ||
            !(p.path.len == strlen(expected[i].path) && memcmp(p.path.ptr, expected[i].path, p.path.len) == 0)) {
            check_failed++;
            fprintf(stderr, "problem %zu: %.*s at %.*s, expected %s at %s\n", i, (int)p.code.len, p.code.ptr,
                    (int)p.path.len, p.path.ptr, expected[i].code, expected[i].path);
        }
        check_count++;
        /* The strings are also NUL-terminated. */
        CHECK(p.path.ptr[p.path.len] == '\0' && p.code.ptr[p.code.len] == '\0');
        CHECK(p.message.ptr[p.message.len] == '\0' && p.fix.ptr[p.fix.len] == '\0');
        /* Every problem names the rule and the fix, both parts of the message. */
        CHECK(p.rule.len > 0 && p.fix.len > 0);
        CHECK(p.rule.len + p.fix.len <= p.message.len);
        CHECK(memcmp(p.message.ptr, p.rule.ptr, p.rule.len) == 0);
        CHECK(memcmp(p.message.ptr + p.message.len - p.fix.len, p.fix.ptr, p.fix.len) == 0);
        CHECK(strcmp(corsguard_result_code(p.result).ptr, expected[i].code) == 0);
        if (i == 0) {
            CHECK(STR_EQ(p.problem, "trailing_slash"));
            CHECK(p.result == CORSGUARD_RESULT_MALFORMED_ORIGIN);
            CHECK(contains(p.message.ptr, p.message.len, "https://a.example.com/"));
        } else {
            CHECK(p.problem.len == 0 && p.problem.ptr != NULL);
        }
        if (i == 3) {
            /* The misspelt key, and the key it is likely meant to be. */
            CHECK(contains(p.message.ptr, p.message.len, "allowCredentails"));
            CHECK(contains(p.message.ptr, p.message.len, "allowCredentials"));
        }
    }
    CHECK_RC(corsguard_document_errors_get(errors, count, &p), CORSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK_OK(corsguard_document_errors_message(errors, &message));
    CHECK(message.ptr[message.len] == '\0');
    CHECK(contains(message.ptr, message.len, "5 problems"));
    CHECK(contains(message.ptr, message.len, "/allowOrigins/2"));
    CHECK(contains(message.ptr, message.len, "[forbidden_method]"));
    CHECK_OK(corsguard_document_errors_free(errors));
}

static void test_invalid_json(void)
{
    static const char *const broken[] = {
        "{\"version\": 1, \"allowOrigins\": [\"https://a.example.com\"",
        "",
        "{\"version\": 1} trailing",
    };
    size_t k;
    for (k = 0; k < sizeof broken / sizeof broken[0]; k++) {
        corsguard_policy *policy = NULL;
        corsguard_document_errors *errors = NULL;
        corsguard_problem p;
        size_t count = 0;
        CHECK_RC(corsguard_policy_from_json(broken[k], strlen(broken[k]), 0, &policy, &errors),
                 CORSGUARD_RESULT_INVALID_JSON);
        CHECK(policy == NULL && errors != NULL);
        CHECK_OK(corsguard_document_errors_count(errors, &count));
        CHECK(count == 1);
        CHECK_OK(corsguard_document_errors_get(errors, 0, &p));
        CHECK(STR_EQ(p.code, "invalid_json"));
        CHECK(p.result == CORSGUARD_RESULT_INVALID_JSON);
        CHECK(p.path.len == 0);
        CHECK(p.rule.len > 0 && p.fix.len > 0);
        CHECK_OK(corsguard_document_errors_free(errors));
    }
    /* A root that is no object. */
    {
        corsguard_policy *policy = NULL;
        corsguard_document_errors *errors = NULL;
        corsguard_problem p;
        CHECK_RC(corsguard_policy_from_json(S("[1, 2]"), 0, &policy, &errors), CORSGUARD_RESULT_WRONG_TYPE);
        CHECK_OK(corsguard_document_errors_get(errors, 0, &p));
        CHECK(STR_EQ(p.code, "wrong_type") && p.path.len == 0);
        CHECK_OK(corsguard_document_errors_free(errors));
    }
    /* Not UTF-8 is not JSON either; a NUL inside the range is just a byte. */
    {
        static const char bad[] = "{\"version\": 1, \"allowOrigins\": [\"https://\xff.example\"]}";
        static const char nul[] = "{\"version\": 1}\0{";
        corsguard_policy *policy = NULL;
        corsguard_document_errors *errors = NULL;
        CHECK_RC(corsguard_policy_from_json(bad, sizeof bad - 1, 0, &policy, &errors),
                 CORSGUARD_RESULT_INVALID_JSON);
        CHECK_OK(corsguard_document_errors_free(errors));
        errors = NULL;
        CHECK_RC(corsguard_policy_from_json(nul, sizeof nul - 1, 0, &policy, &errors),
                 CORSGUARD_RESULT_INVALID_JSON);
        CHECK_OK(corsguard_document_errors_free(errors));
    }
}

/* A document allowing `n` origins, in a malloc'd buffer. */
static char *document_with(int n, size_t *len)
{
    size_t cap = 64 + (size_t)n * 40, at;
    char *json = malloc(cap);
    int i;
    if (json == NULL) exit(2);
    at = (size_t)snprintf(json, cap, "{\"version\": 1, \"allowOrigins\": [");
    for (i = 0; i < n; i++) {
        at += (size_t)snprintf(json + at, cap - at, "%s\"https://o%d.example.com\"", i ? ", " : "", i);
    }
    at += (size_t)snprintf(json + at, cap - at, "]}");
    *len = at;
    return json;
}

static void test_capacity_classes(void)
{
    static const struct {
        int origins;
        corsguard_capacity_class class;
    } sizes[] = {
        {1, CORSGUARD_CAPACITY_CLASS_SMALL},
        {16, CORSGUARD_CAPACITY_CLASS_SMALL},
        {17, CORSGUARD_CAPACITY_CLASS_DEFAULT},
        {256, CORSGUARD_CAPACITY_CLASS_DEFAULT},
        {257, CORSGUARD_CAPACITY_CLASS_LARGE},
        {4000, CORSGUARD_CAPACITY_CLASS_LARGE},
    };
    size_t k, len;
    for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        char *json = document_with(sizes[k].origins, &len);
        corsguard_policy *policy = NULL;
        corsguard_document_errors *errors = NULL;
        corsguard_capacity_class class = CORSGUARD_CAPACITY_CLASS_AUTO;
        char last[64];
        CHECK_OK(corsguard_policy_from_json(json, len, 0, &policy, &errors));
        CHECK(errors == NULL);
        CHECK_OK(corsguard_policy_class(policy, &class));
        CHECK(class == sizes[k].class);
        if (class != sizes[k].class) {
            fprintf(stderr, "%d origins: class %d, expected %d\n", sizes[k].origins, (int)class,
                    (int)sizes[k].class);
        }
        snprintf(last, sizeof last, "https://o%d.example.com", sizes[k].origins - 1);
        CHECK(allows(policy, last));
        CHECK(!allows(policy, "https://other.example.com"));
        CHECK_OK(corsguard_policy_free(policy));
        free(json);
    }
    /* More origins than the largest class holds: refused, never truncated. */
    {
        char *json = document_with(4097, &len);
        corsguard_policy *policy = NULL;
        corsguard_document_errors *errors = NULL;
        corsguard_problem p;
        size_t count = 0;
        CHECK_RC(corsguard_policy_from_json(json, len, 0, &policy, &errors),
                 CORSGUARD_RESULT_CAPACITY_EXCEEDED);
        CHECK(policy == NULL);
        CHECK_OK(corsguard_document_errors_count(errors, &count));
        CHECK(count == 1);
        CHECK_OK(corsguard_document_errors_get(errors, 0, &p));
        CHECK(STR_EQ(p.code, "capacity_exceeded"));
        CHECK(p.rule.len > 0 && p.fix.len > 0);
        CHECK_OK(corsguard_document_errors_free(errors));
        free(json);
    }
}

static void test_verdict(void)
{
    static const char doc[] = "{\"version\": 1, \"originVerdict\": true, \"allowCredentials\": true}";
    corsguard_policy *policy = NULL;
    corsguard_document_errors *errors = NULL;
    corsguard_problem p;
    corsguard_request r;
    corsguard_decision d;
    size_t i;

    CHECK(CORSGUARD_VERDICT_PROBE_COUNT == 3);
    for (i = 0; i < CORSGUARD_VERDICT_PROBE_COUNT; i++) {
        corsguard_str probe = corsguard_verdict_probe(i);
        CHECK(probe.len > 0 && probe.ptr[probe.len] == '\0');
        CHECK(strncmp(probe.ptr, "http", 4) == 0);
    }
    CHECK(STR_EQ(corsguard_verdict_probe(0), "https://evil.test"));
    CHECK(corsguard_verdict_probe(CORSGUARD_VERDICT_PROBE_COUNT).len == 0);

    /* A host rule that admits no probe: accepted, and the host decides. */
    CHECK_OK(corsguard_policy_from_json(doc, sizeof doc - 1, 0, &policy, &errors));
    r = get_from("https://mine.example");
    r.origin_verdict = CORSGUARD_VERDICT_ALLOWED;
    CHECK_OK(corsguard_evaluate(policy, &r, &d));
    CHECK(d.outcome == CORSGUARD_OUTCOME_ALLOWED);
    r.origin_verdict = CORSGUARD_VERDICT_DENIED;
    CHECK_OK(corsguard_evaluate(policy, &r, &d));
    CHECK(d.outcome == CORSGUARD_OUTCOME_DENIED);
    CHECK_OK(corsguard_policy_free(policy));

    /* A host rule that admits https://evil.test, with credentials: refused. */
    policy = NULL;
    CHECK_RC(corsguard_policy_from_json(doc, sizeof doc - 1, 1u << 0, &policy, &errors),
             CORSGUARD_RESULT_WIDE_VERDICT_WITH_CREDENTIALS);
    CHECK(policy == NULL);
    CHECK_OK(corsguard_document_errors_get(errors, 0, &p));
    CHECK(STR_EQ(p.code, "wide_verdict_with_credentials"));
    CHECK(p.rule.len > 0 && p.fix.len > 0);
    CHECK_OK(corsguard_document_errors_free(errors));
    errors = NULL;
    /* Bits past the last probe are an argument error. */
    CHECK_RC(corsguard_policy_from_json(doc, sizeof doc - 1, 1u << CORSGUARD_VERDICT_PROBE_COUNT, &policy, &errors),
             CORSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK(policy == NULL && errors == NULL);
}

static void test_arguments_and_free(void)
{
    corsguard_policy *policy = (corsguard_policy *)&policy;
    corsguard_document_errors *errors = (corsguard_document_errors *)&errors;
    corsguard_problem p;
    corsguard_str s;
    size_t count;

    CHECK_RC(corsguard_policy_from_json(NULL, 0, 0, &policy, &errors), CORSGUARD_RESULT_NULL_POINTER);
    CHECK(policy == NULL && errors == NULL);
    CHECK_RC(corsguard_policy_from_json(GOOD, sizeof GOOD - 1, 0, NULL, &errors), CORSGUARD_RESULT_NULL_POINTER);
    CHECK(errors == NULL);
    CHECK_RC(corsguard_policy_from_json(GOOD, SIZE_MAX, 0, &policy, &errors), CORSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK(policy == NULL && errors == NULL);

    CHECK_RC(corsguard_document_errors_count(NULL, &count), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_document_errors_get(NULL, 0, &p), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_document_errors_message(NULL, &s), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_OK(corsguard_document_errors_free(NULL));
    CHECK_OK(corsguard_policy_free(NULL));

    /* A failing load with errors_out NULL keeps nothing (valgrind checks). */
    CHECK_RC(corsguard_policy_from_json(SEVERAL, sizeof SEVERAL - 1, 0, &policy, NULL),
             CORSGUARD_RESULT_MALFORMED_ORIGIN);
    CHECK(policy == NULL);

    CHECK_RC(corsguard_policy_from_json(S("{}"), 0, &policy, &errors), CORSGUARD_RESULT_MISSING_KEY);
    CHECK_RC(corsguard_document_errors_count(errors, NULL), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_document_errors_get(errors, 0, NULL), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_document_errors_message(errors, NULL), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_OK(corsguard_document_errors_get(errors, 0, &p));
    CHECK(STR_EQ(p.code, "missing_key"));
    CHECK(STR_EQ(p.path, "/version"));
    CHECK_OK(corsguard_document_errors_free(errors));

    /* Codes of the document's own problems have names. */
    CHECK(strcmp(corsguard_result_code(CORSGUARD_RESULT_UNKNOWN_KEY).ptr, "unknown_key") == 0);
    CHECK(strcmp(corsguard_result_code(CORSGUARD_RESULT_OUT_OF_RANGE).ptr, "out_of_range") == 0);
}

/* Loading many documents, good and bad, one after another leaks nothing. */
static void test_repeated_loads(void)
{
    int i;
    for (i = 0; i < 200; i++) {
        corsguard_policy *policy = NULL;
        corsguard_document_errors *errors = NULL;
        if (i % 2 == 0) {
            CHECK_OK(corsguard_policy_from_json(GOOD, sizeof GOOD - 1, 0, &policy, &errors));
            CHECK_OK(corsguard_policy_free(policy));
        } else {
            CHECK_RC(corsguard_policy_from_json(SEVERAL, sizeof SEVERAL - 1, 0, &policy, &errors),
                     CORSGUARD_RESULT_MALFORMED_ORIGIN);
            CHECK_OK(corsguard_document_errors_free(errors));
        }
    }
}

/* corsguard_document_findings: the findings, with the errors' accessors. */
static void test_findings(void)
{
    corsguard_document_errors *found = NULL;
    corsguard_problem p;
    size_t count = 99;
    const char risky[] = "{\"version\": 1, \"allowOrigins\": [\"https://a.example\", \"null\"], \"maxAge\": 86400}";
    const char careful[] = "{\"version\": 1, \"allowOrigins\": [\"https://a.example\"]}";
    const char verdict[] = "{\"version\": 1, \"allowOrigins\": [\"https://a.example\"], \"originVerdict\": true}";

    CHECK_OK(corsguard_document_findings(risky, sizeof risky - 1, 0, &found));
    CHECK_OK(corsguard_document_errors_count(found, &count));
    CHECK(count == 2);
    CHECK_OK(corsguard_document_errors_get(found, 0, &p));
    CHECK(strcmp(p.code.ptr, "null_origin") == 0 && strcmp(p.path.ptr, "/allowOrigins/1") == 0);
    CHECK(p.rule.len > 0 && p.fix.len > 0);
    CHECK_OK(corsguard_document_errors_get(found, 1, &p));
    CHECK(strcmp(p.code.ptr, "max_age_above_chromium_cap") == 0 && strcmp(p.path.ptr, "/maxAge") == 0);
    corsguard_document_errors_free(found);

    /* A careful document: an object with no findings. */
    CHECK_OK(corsguard_document_findings(careful, sizeof careful - 1, 0, &found));
    CHECK_OK(corsguard_document_errors_count(found, &count));
    CHECK(count == 0);
    CHECK_RC(corsguard_document_errors_get(found, 0, &p), CORSGUARD_RESULT_INVALID_ARGUMENT);
    corsguard_document_errors_free(found);

    /* The host's verdict on the probes decides the wide-verdict finding. */
    CHECK_OK(corsguard_document_findings(verdict, sizeof verdict - 1, 1, &found));
    CHECK_OK(corsguard_document_errors_count(found, &count));
    CHECK(count == 1);
    CHECK_OK(corsguard_document_errors_get(found, 0, &p));
    CHECK(strcmp(p.code.ptr, "wide_verdict") == 0 && strcmp(p.path.ptr, "/originVerdict") == 0);
    corsguard_document_errors_free(found);

    /* Not JSON: that problem's code, and the problem in the object. */
    CHECK_RC(corsguard_document_findings(S("{\"version\": 1,"), 0, &found), CORSGUARD_RESULT_INVALID_JSON);
    CHECK(found != NULL);
    CHECK_OK(corsguard_document_errors_count(found, &count));
    CHECK(count == 1);
    corsguard_document_errors_free(found);

    /* Arguments. */
    CHECK_RC(corsguard_document_findings(NULL, 0, 0, &found), CORSGUARD_RESULT_NULL_POINTER);
    CHECK(found == NULL);
    CHECK_RC(corsguard_document_findings(careful, sizeof careful - 1, 0, NULL), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_document_findings(careful, sizeof careful - 1, 8, &found), CORSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK(found == NULL);
}

int main(void)
{
    test_good_document();
    test_several_problems();
    test_invalid_json();
    test_capacity_classes();
    test_verdict();
    test_arguments_and_free();
    test_repeated_loads();
    test_findings();
    return check_report("test_document");
}
