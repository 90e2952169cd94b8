/* Every function of the C API: normal use, every error code, NULL pointers,
 * short buffers, non-UTF-8 bytes and huge headers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* The seed scenario: an API on http://localhost:8080 for a frontend on
 * http://localhost:3000. */
static corsguard_config *seed_config(void)
{
    corsguard_config *config = NULL;
    CHECK_OK(corsguard_config_new(&config));
    CHECK_OK(corsguard_config_add_origin(config, S("http://localhost:3000")));
    CHECK_OK(corsguard_config_add_method(config, S("GET")));
    CHECK_OK(corsguard_config_add_method(config, S("POST")));
    CHECK_OK(corsguard_config_add_method(config, S("PUT")));
    CHECK_OK(corsguard_config_add_method(config, S("DELETE")));
    CHECK_OK(corsguard_config_add_allowed_header(config, S("content-type")));
    CHECK_OK(corsguard_config_add_allowed_header(config, S("x-request-id")));
    CHECK_OK(corsguard_config_add_exposed_header(config, S("x-request-id")));
    CHECK_OK(corsguard_config_set_credentials(config, true));
    CHECK_OK(corsguard_config_set_max_age(config, 600));
    return config;
}

static corsguard_policy *seed_policy(void)
{
    corsguard_config *config = seed_config();
    corsguard_policy *policy = NULL;
    corsguard_error error;
    CHECK_OK(corsguard_policy_new(config, &policy, &error));
    CHECK(error.code == CORSGUARD_RESULT_OK);
    CHECK(error.message_len == 0 && error.message != NULL);
    CHECK(error.path.len == 0 && error.path.ptr != NULL && error.path.ptr[0] == '\0');
    CHECK_OK(corsguard_config_free(config));
    return policy;
}

static corsguard_request preflight(const char *method, const char *headers)
{
    corsguard_request r;
    memset(&r, 0, sizeof r);
    r.method = "OPTIONS";
    r.method_len = 7;
    r.origin = "http://localhost:3000";
    r.origin_len = strlen(r.origin);
    r.request_method = method;
    r.request_method_len = strlen(method);
    if (headers != NULL) {
        r.request_headers = headers;
        r.request_headers_len = strlen(headers);
    }
    return r;
}

static const corsguard_header *find_header(const corsguard_decision *d, corsguard_header_name id)
{
    size_t i;
    for (i = 0; i < d->header_count; i++) {
        if (d->headers[i].id == id) {
            return &d->headers[i];
        }
    }
    return NULL;
}

static int header_is(const corsguard_decision *d, corsguard_header_name id, const char *value)
{
    const corsguard_header *h = find_header(d, id);
    return h != NULL && h->value_len == strlen(value) && memcmp(h->value, value, h->value_len) == 0;
}

static void test_version_and_codes(void)
{
    corsguard_str v = corsguard_version();
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", CORSGUARD_VERSION_MAJOR,
             CORSGUARD_VERSION_MINOR, CORSGUARD_VERSION_PATCH);
    CHECK(v.len == strlen(expected) && memcmp(v.ptr, expected, v.len) == 0);
    CHECK(v.ptr[v.len] == '\0');
    CHECK(CORSGUARD_VERSION_NUMBER == CORSGUARD_VERSION_MAJOR * 10000 + CORSGUARD_VERSION_MINOR * 100 + CORSGUARD_VERSION_PATCH);

    CHECK(strcmp(corsguard_result_code(CORSGUARD_RESULT_OK).ptr, "ok") == 0);
    CHECK(strcmp(corsguard_result_code(CORSGUARD_RESULT_NULL_POINTER).ptr, "null_pointer") == 0);
    CHECK(strcmp(corsguard_result_code(CORSGUARD_RESULT_MALFORMED_ORIGIN).ptr, "malformed_origin") == 0);
    CHECK(strcmp(corsguard_result_code(CORSGUARD_RESULT_CAPACITY_EXCEEDED).ptr, "capacity_exceeded") == 0);
    CHECK(strcmp(corsguard_result_code(12345).ptr, "unknown") == 0);
    CHECK(corsguard_result_code(CORSGUARD_RESULT_OK).len == 2);
    CHECK(corsguard_result_message(CORSGUARD_RESULT_BUFFER_TOO_SMALL).len > 10);
    CHECK(strcmp(corsguard_result_message(999).ptr, "unknown result code") == 0);
    {
        /* Every code from 0 to 199 has a name, distinct for distinct codes. */
        uint32_t code;
        unsigned known = 0;
        for (code = 0; code < 200; code++) {
            corsguard_str name = corsguard_result_code(code);
            CHECK(name.ptr[name.len] == '\0');
            CHECK(corsguard_result_message(code).ptr != NULL);
            if (strcmp(name.ptr, "unknown") != 0) {
                known++;
            }
        }
        CHECK(known == 42);
    }

    CHECK(strcmp(corsguard_origin_problem_code(CORSGUARD_ORIGIN_PROBLEM_TRAILING_SLASH).ptr, "trailing_slash") == 0);
    CHECK(strcmp(corsguard_origin_problem_code(CORSGUARD_ORIGIN_PROBLEM_NONE).ptr, "none") == 0);
    CHECK(strcmp(corsguard_origin_problem_code(100).ptr, "unknown") == 0);
    CHECK(strcmp(corsguard_kind_code(CORSGUARD_KIND_PREFLIGHT).ptr, "preflight") == 0);
    CHECK(strcmp(corsguard_kind_code(CORSGUARD_KIND_PLAIN_OPTIONS).ptr, "plain_options") == 0);
    CHECK(strcmp(corsguard_kind_code(4).ptr, "unknown") == 0);
    CHECK(strcmp(corsguard_outcome_code(CORSGUARD_OUTCOME_DENIED).ptr, "denied") == 0);
    CHECK(strcmp(corsguard_outcome_code(3).ptr, "unknown") == 0);
    CHECK(strcmp(corsguard_reason_code(CORSGUARD_REASON_HEADER_NOT_ALLOWED).ptr, "header_not_allowed") == 0);
    CHECK(strcmp(corsguard_reason_code(CORSGUARD_REASON_NONE).ptr, "none") == 0);
    CHECK(strcmp(corsguard_reason_code(77).ptr, "unknown") == 0);
    CHECK(strcmp(corsguard_header_name_str(CORSGUARD_HEADER_NAME_ALLOW_ORIGIN, false).ptr, "Access-Control-Allow-Origin") == 0);
    CHECK(strcmp(corsguard_header_name_str(CORSGUARD_HEADER_NAME_VARY, true).ptr, "vary") == 0);
    CHECK(strcmp(corsguard_header_name_str(8, false).ptr, "unknown") == 0);
}

static void test_config_null_and_bad_arguments(void)
{
    corsguard_config *config = NULL;
    corsguard_error error;

    CHECK_RC(corsguard_config_new(NULL), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_OK(corsguard_config_free(NULL));

    /* Every setter refuses a NULL configuration. */
    CHECK_RC(corsguard_config_set_profile(NULL, S("strict")), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_set_refused_preflight_status(NULL, 403), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_add_origin(NULL, S("http://a.example")), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_clear_origins(NULL), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_set_fixed_origin(NULL, S("http://a.example")), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_set_origin_verdict(NULL, true), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_set_methods_mode(NULL, 0), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_add_method(NULL, S("PUT")), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_set_allowed_headers_mode(NULL, 0), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_add_allowed_header(NULL, S("x")), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_set_exposed_headers_mode(NULL, 0), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_add_exposed_header(NULL, S("x")), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_set_credentials(NULL, true), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_set_max_age(NULL, 1), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_set_max_age_literal(NULL, S("1")), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_clear_max_age(NULL), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_set_private_network(NULL, true), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_set_preflight_continue(NULL, true), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_set_preflight_status(NULL, 200), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_last_error(NULL, &error), CORSGUARD_RESULT_NULL_POINTER);

    CHECK_OK(corsguard_config_new(&config));
    /* NULL strings, with or without a length. */
    CHECK_RC(corsguard_config_add_origin(config, NULL, 0), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_add_origin(config, NULL, 5), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_set_fixed_origin(config, NULL, 0), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_add_method(config, NULL, 3), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_add_allowed_header(config, NULL, 0), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_add_exposed_header(config, NULL, 0), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_set_max_age_literal(config, NULL, 0), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_set_profile(config, NULL, 0), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_config_last_error(config, NULL), CORSGUARD_RESULT_NULL_POINTER);
    /* A length no buffer can have. */
    CHECK_RC(corsguard_config_add_origin(config, "x", SIZE_MAX), CORSGUARD_RESULT_INVALID_ARGUMENT);

    /* Nothing failed with a message yet. */
    CHECK_OK(corsguard_config_last_error(config, &error));
    CHECK(error.code == CORSGUARD_RESULT_OK && error.message_len == 0);

    /* Unknown enum values. */
    CHECK_RC(corsguard_config_set_methods_mode(config, CORSGUARD_LIST_MODE_MIRROR), CORSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK_RC(corsguard_config_set_methods_mode(config, 9), CORSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK_RC(corsguard_config_set_allowed_headers_mode(config, 3), CORSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK_RC(corsguard_config_set_exposed_headers_mode(config, CORSGUARD_LIST_MODE_MIRROR), CORSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK_RC(corsguard_config_set_refused_preflight_status(config, 70000), CORSGUARD_RESULT_INVALID_ARGUMENT);

    /* Non-UTF-8 configuration entries are refused at once, with a message. */
    CHECK_RC(corsguard_config_add_origin(config, S("https://caf\xe9.example")), CORSGUARD_RESULT_NOT_UTF8);
    CHECK_OK(corsguard_config_last_error(config, &error));
    CHECK(error.code == CORSGUARD_RESULT_NOT_UTF8);
    CHECK(strstr(error.message, "allowOrigins") != NULL);
    CHECK(strstr(error.message, "https://caf\\xe9.example") != NULL);
    CHECK(error.message[error.message_len] == '\0');
    /* The path is the entry's, at the index it would have had. */
    CHECK(BYTES_EQ(error.path.ptr, error.path.len, "/allowOrigins/0") && error.path.ptr[error.path.len] == '\0');
    CHECK_OK(corsguard_config_add_origin(config, S("https://a.example")));
    CHECK_RC(corsguard_config_add_origin(config, S("\xff")), CORSGUARD_RESULT_NOT_UTF8);
    CHECK_OK(corsguard_config_last_error(config, &error));
    CHECK(BYTES_EQ(error.path.ptr, error.path.len, "/allowOrigins/1"));
    CHECK_RC(corsguard_config_add_method(config, S("P\xffT")), CORSGUARD_RESULT_NOT_UTF8);
    CHECK_RC(corsguard_config_add_allowed_header(config, S("\xc3")), CORSGUARD_RESULT_NOT_UTF8);
    CHECK_RC(corsguard_config_add_exposed_header(config, S("\x80")), CORSGUARD_RESULT_NOT_UTF8);
    CHECK_RC(corsguard_config_set_fixed_origin(config, S("\xfe")), CORSGUARD_RESULT_NOT_UTF8);
    CHECK_RC(corsguard_config_set_max_age_literal(config, S("6\xf0")), CORSGUARD_RESULT_NOT_UTF8);
    CHECK_OK(corsguard_config_last_error(config, &error));
    CHECK(strstr(error.message, "maxAge") != NULL);
    CHECK(BYTES_EQ(error.path.ptr, error.path.len, "/maxAge"));
    CHECK_OK(corsguard_config_free(config));
}

/* The profile a configuration gets, judged by its answers. */
static corsguard_decision answer(corsguard_config *config, const corsguard_request *request)
{
    corsguard_policy *policy = NULL;
    corsguard_error error;
    corsguard_decision d;
    CHECK_OK(corsguard_policy_new(config, &policy, &error));
    CHECK_OK(corsguard_evaluate(policy, request, &d));
    /* The decision borrows from the policy: keep only what is compared. */
    CHECK_OK(corsguard_policy_free(policy));
    return d;
}

static void test_profiles(void)
{
    corsguard_config *config = NULL;
    corsguard_error error;
    corsguard_str name;
    corsguard_decision d;
    corsguard_request refused = preflight("PATCH", NULL);
    corsguard_request plain;
    const char *names[] = {"strict", "cors_npm", "starlette", "django_cors_headers", "fastify_cors", "flask_cors"};
    const size_t count = sizeof names / sizeof names[0];
    size_t i;

    /* The names are the core's table, listed from 0 until refused. */
    for (i = 0; i < count; i++) {
        CHECK_OK(corsguard_profile_name(i, &name));
        CHECK(name.len == strlen(names[i]) && memcmp(name.ptr, names[i], name.len) == 0);
        CHECK(name.ptr[name.len] == '\0');
    }
    CHECK_RC(corsguard_profile_name(count, &name), CORSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK_RC(corsguard_profile_name(0, NULL), CORSGUARD_RESULT_NULL_POINTER);

    CHECK_OK(corsguard_config_new(&config));
    CHECK_RC(corsguard_config_set_profile(config, S("express")), CORSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK_OK(corsguard_config_last_error(config, &error));
    CHECK(strstr(error.message, "`express`") != NULL && strstr(error.message, "cors_npm") != NULL);
    CHECK(BYTES_EQ(error.path.ptr, error.path.len, "/profile"));
    CHECK_RC(corsguard_config_set_profile(config, S("STRICT")), CORSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK_RC(corsguard_config_set_profile(config, "strict\xff", 7), CORSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK_OK(corsguard_config_add_origin(config, S("http://localhost:3000")));
    CHECK_OK(corsguard_config_add_method(config, S("PUT")));

    /* strict: a refused preflight is answered 403 without CORS headers. */
    d = answer(config, &refused);
    CHECK(d.outcome == CORSGUARD_OUTCOME_DENIED && d.status == 403);
    CHECK(find_header(&d, CORSGUARD_HEADER_NAME_ALLOW_ORIGIN) == NULL);
    CHECK_OK(corsguard_config_set_refused_preflight_status(config, 418));
    d = answer(config, &refused);
    CHECK(d.status == 418);

    /* cors_npm: every OPTIONS is a preflight, answered with the success status. */
    CHECK_OK(corsguard_config_set_profile(config, S("cors_npm")));
    memset(&plain, 0, sizeof plain);
    plain.method = "OPTIONS";
    plain.method_len = 7;
    d = answer(config, &plain);
    CHECK(d.kind == CORSGUARD_KIND_PREFLIGHT && d.status == 204);

    /* starlette: a refused preflight is answered 400, and the profile
     * reset the refused status set above. */
    CHECK_OK(corsguard_config_set_profile(config, S("starlette")));
    CHECK_OK(corsguard_config_set_preflight_status(config, 200));
    d = answer(config, &refused);
    CHECK(d.outcome == CORSGUARD_OUTCOME_DENIED && d.status == 400);
    CHECK_OK(corsguard_config_set_refused_preflight_status(config, 0));
    d = answer(config, &refused);
    CHECK(d.status == 200);
    CHECK_OK(corsguard_config_free(config));
}

/* Builds the configuration and checks the error it is refused with. */
static void expect_error(corsguard_config *config, corsguard_result code, corsguard_origin_problem problem,
                         const char *fragment, int line)
{
    corsguard_policy *policy = NULL;
    corsguard_error error;
    corsguard_error again;
    corsguard_result rc = corsguard_policy_new_class(config, CORSGUARD_CAPACITY_CLASS_DEFAULT, &policy, &error);
    check_count++;
    if (rc != code || error.code != code || error.problem != problem || policy != NULL ||
        strstr(error.message, fragment) == NULL || error.message[error.message_len] != '\0' ||
        strlen(error.message) > error.message_len) {
        check_failed++;
        fprintf(stderr, "test_api.c:%d: expected %s (%s) with \"%s\", got %s (%s): %s\n", line,
                corsguard_result_code(code).ptr, corsguard_origin_problem_code(problem).ptr, fragment,
                corsguard_result_code(rc).ptr, corsguard_origin_problem_code(error.problem).ptr,
                error.message);
    }
    CHECK_OK(corsguard_config_last_error(config, &again));
    CHECK(again.code == code && again.message == error.message);
    corsguard_config_free(config);
}

static corsguard_config *config_with_origin(const char *origin)
{
    corsguard_config *config = NULL;
    CHECK_OK(corsguard_config_new(&config));
    if (origin != NULL) {
        CHECK_OK(corsguard_config_add_origin(config, origin, strlen(origin)));
    }
    return config;
}

/* Builds the configuration and checks the JSON pointer of its first problem. */
static void expect_path(corsguard_config *config, corsguard_result code, const char *path, int line)
{
    corsguard_policy *policy = NULL;
    corsguard_error error;
    corsguard_result rc = corsguard_policy_new(config, &policy, &error);
    check_count++;
    if (rc != code || error.code != code || error.path.len != strlen(path) ||
        memcmp(error.path.ptr, path, error.path.len) != 0 || error.path.ptr[error.path.len] != '\0') {
        check_failed++;
        fprintf(stderr, "test_api.c:%d: expected %s at \"%s\", got %s at \"%.*s\"\n", line,
                corsguard_result_code(code).ptr, path, corsguard_result_code(rc).ptr,
                (int)error.path.len, error.path.ptr);
    }
    corsguard_config_free(config);
}

/* A build's error carries the path of the document value at fault, as
 * corsguard_policy_from_json reports it. */
static void test_error_paths(void)
{
    corsguard_config *c;

    c = config_with_origin("https://a.example");
    corsguard_config_add_origin(c, S("https://b.example/"));
    expect_path(c, CORSGUARD_RESULT_MALFORMED_ORIGIN, "/allowOrigins/1", __LINE__);

    c = config_with_origin(NULL);
    corsguard_config_set_fixed_origin(c, S("https://a.example/"));
    expect_path(c, CORSGUARD_RESULT_MALFORMED_ORIGIN, "/fixedOrigin", __LINE__);

    c = config_with_origin("https://a.example");
    corsguard_config_add_allowed_header(c, S("X-Id"));
    corsguard_config_add_allowed_header(c, S("x-id"));
    expect_path(c, CORSGUARD_RESULT_DUPLICATE, "/allowHeaders/1", __LINE__);

    c = config_with_origin("https://a.example");
    corsguard_config_set_credentials(c, true);
    corsguard_config_add_method(c, S("PUT"));
    corsguard_config_set_methods_mode(c, CORSGUARD_LIST_MODE_ANY);
    expect_path(c, CORSGUARD_RESULT_WILDCARD_WITH_CREDENTIALS, "/allowMethods", __LINE__);

    /* The names added are kept while a list is `["*"]`: back to LIST, the
     * bad one is found at its index. */
    c = config_with_origin("https://a.example");
    corsguard_config_add_method(c, S("PUT"));
    corsguard_config_add_method(c, S("TRACE"));
    corsguard_config_set_methods_mode(c, CORSGUARD_LIST_MODE_ANY);
    corsguard_config_set_methods_mode(c, CORSGUARD_LIST_MODE_LIST);
    expect_path(c, CORSGUARD_RESULT_FORBIDDEN_METHOD, "/allowMethods/1", __LINE__);

    c = config_with_origin("https://a.example");
    corsguard_config_set_max_age(c, 86401);
    expect_path(c, CORSGUARD_RESULT_MAX_AGE_OUT_OF_RANGE, "/maxAge", __LINE__);

    c = config_with_origin("https://a.example");
    corsguard_config_set_preflight_status(c, 302);
    expect_path(c, CORSGUARD_RESULT_STATUS_OUT_OF_RANGE, "/preflightStatus", __LINE__);

    /* Problems are reported in document order, the first one first. */
    c = config_with_origin("https://a.example/");
    corsguard_config_set_max_age(c, 86401);
    expect_path(c, CORSGUARD_RESULT_MALFORMED_ORIGIN, "/allowOrigins/0", __LINE__);

    expect_path(config_with_origin(NULL), CORSGUARD_RESULT_NO_ORIGINS, "/allowOrigins", __LINE__);

    /* The refused-preflight status has no document key. */
    c = config_with_origin("https://a.example");
    corsguard_config_set_refused_preflight_status(c, 1000);
    expect_path(c, CORSGUARD_RESULT_STATUS_OUT_OF_RANGE, "", __LINE__);
}

static void test_every_config_error(void)
{
    corsguard_config *c;
    char many[64];
    int i;

    c = config_with_origin("*");
    corsguard_config_set_credentials(c, true);
    expect_error(c, CORSGUARD_RESULT_WILDCARD_ORIGIN_WITH_CREDENTIALS, CORSGUARD_ORIGIN_PROBLEM_NONE,
                 "allowOrigins `*` with credentials: browsers reject a wildcard origin on credentialed requests; list the exact origins instead",
                 __LINE__);

    c = config_with_origin("https://a.example");
    corsguard_config_set_credentials(c, true);
    corsguard_config_set_methods_mode(c, CORSGUARD_LIST_MODE_ANY);
    expect_error(c, CORSGUARD_RESULT_WILDCARD_WITH_CREDENTIALS, CORSGUARD_ORIGIN_PROBLEM_NONE,
                 "allowMethods `*` with credentials", __LINE__);
    c = config_with_origin("https://a.example");
    corsguard_config_set_credentials(c, true);
    corsguard_config_set_allowed_headers_mode(c, CORSGUARD_LIST_MODE_ANY);
    expect_error(c, CORSGUARD_RESULT_WILDCARD_WITH_CREDENTIALS, CORSGUARD_ORIGIN_PROBLEM_NONE,
                 "allowHeaders `*`", __LINE__);
    c = config_with_origin("https://a.example");
    corsguard_config_set_credentials(c, true);
    corsguard_config_set_exposed_headers_mode(c, CORSGUARD_LIST_MODE_ANY);
    expect_error(c, CORSGUARD_RESULT_WILDCARD_WITH_CREDENTIALS, CORSGUARD_ORIGIN_PROBLEM_NONE,
                 "exposeHeaders `*`", __LINE__);

    c = config_with_origin("null");
    corsguard_config_set_credentials(c, true);
    expect_error(c, CORSGUARD_RESULT_NULL_ORIGIN_WITH_CREDENTIALS, CORSGUARD_ORIGIN_PROBLEM_NONE,
                 "allowOrigins `null` with credentials", __LINE__);

    c = config_with_origin("*");
    corsguard_config_add_origin(c, S("https://a.example"));
    expect_error(c, CORSGUARD_RESULT_WILDCARD_ORIGIN_AMONG_OTHERS, CORSGUARD_ORIGIN_PROBLEM_NONE,
                 "`*` together with `https://a.example`", __LINE__);

    expect_error(config_with_origin("https://app.example.com/"), CORSGUARD_RESULT_MALFORMED_ORIGIN,
                 CORSGUARD_ORIGIN_PROBLEM_TRAILING_SLASH,
                 "allowOrigins `https://app.example.com/`: an origin has no path, not even `/`; remove the trailing slash",
                 __LINE__);
    expect_error(config_with_origin(""), CORSGUARD_RESULT_MALFORMED_ORIGIN, CORSGUARD_ORIGIN_PROBLEM_EMPTY, "allowOrigins ``", __LINE__);
    expect_error(config_with_origin("app.example.com"), CORSGUARD_RESULT_MALFORMED_ORIGIN, CORSGUARD_ORIGIN_PROBLEM_MISSING_SCHEME, "scheme", __LINE__);
    expect_error(config_with_origin("https://App.example.com"), CORSGUARD_RESULT_MALFORMED_ORIGIN, CORSGUARD_ORIGIN_PROBLEM_UPPERCASE, "lowercase", __LINE__);
    expect_error(config_with_origin("https://a.example:443"), CORSGUARD_RESULT_MALFORMED_ORIGIN, CORSGUARD_ORIGIN_PROBLEM_DEFAULT_PORT, "default port", __LINE__);
    expect_error(config_with_origin("https://*.com"), CORSGUARD_RESULT_MALFORMED_ORIGIN, CORSGUARD_ORIGIN_PROBLEM_PATTERN_TOO_WIDE, "registrable", __LINE__);
    {
        /* A NUL byte in an entry is accepted by the C API and refused by the core. */
        corsguard_config *n = NULL;
        CHECK_OK(corsguard_config_new(&n));
        corsguard_policy *p = NULL;
        corsguard_error e;
        CHECK_OK(corsguard_config_add_origin(n, "https://a.example\0evil", 22));
        CHECK_RC(corsguard_policy_new(n, &p, &e), CORSGUARD_RESULT_MALFORMED_ORIGIN);
        /* The message shows the entry verbatim, NUL included: use message_len. */
        CHECK(e.problem == CORSGUARD_ORIGIN_PROBLEM_WHITESPACE);
        CHECK(strlen(e.message) < e.message_len);
        CHECK(memcmp(e.message + strlen(e.message) + 1, "evil`: ", 7) == 0);
        expect_error(n, CORSGUARD_RESULT_MALFORMED_ORIGIN, CORSGUARD_ORIGIN_PROBLEM_WHITESPACE, "allowOrigins", __LINE__);
    }

    expect_error(config_with_origin(NULL), CORSGUARD_RESULT_NO_ORIGINS, CORSGUARD_ORIGIN_PROBLEM_NONE,
                 "allowOrigins is empty", __LINE__);

    c = config_with_origin("https://a.example");
    corsguard_config_add_method(c, S("TRACE"));
    expect_error(c, CORSGUARD_RESULT_FORBIDDEN_METHOD, CORSGUARD_ORIGIN_PROBLEM_NONE, "allowMethods `TRACE`", __LINE__);

    c = config_with_origin("https://a.example");
    corsguard_config_add_method(c, S("delete"));
    expect_error(c, CORSGUARD_RESULT_METHOD_NOT_NORMALIZED, CORSGUARD_ORIGIN_PROBLEM_NONE, "allowMethods `delete`", __LINE__);

    c = config_with_origin("https://a.example");
    corsguard_config_add_allowed_header(c, S("x-a, x-b"));
    expect_error(c, CORSGUARD_RESULT_NOT_A_TOKEN, CORSGUARD_ORIGIN_PROBLEM_NONE, "allowHeaders `x-a, x-b`: a name must be an HTTP token", __LINE__);

    c = config_with_origin("https://a.example");
    corsguard_config_add_allowed_header(c, S("Cookie"));
    expect_error(c, CORSGUARD_RESULT_FORBIDDEN_REQUEST_HEADER, CORSGUARD_ORIGIN_PROBLEM_NONE, "allowHeaders `Cookie`", __LINE__);

    c = config_with_origin("https://a.example");
    corsguard_config_add_exposed_header(c, S("Set-Cookie"));
    expect_error(c, CORSGUARD_RESULT_FORBIDDEN_RESPONSE_HEADER, CORSGUARD_ORIGIN_PROBLEM_NONE, "exposeHeaders `Set-Cookie`", __LINE__);

    c = config_with_origin("https://a.example");
    corsguard_config_add_allowed_header(c, S("X-Id"));
    corsguard_config_add_allowed_header(c, S("x-id"));
    expect_error(c, CORSGUARD_RESULT_DUPLICATE, CORSGUARD_ORIGIN_PROBLEM_NONE, "allowHeaders `x-id`: listed more than once", __LINE__);

    c = config_with_origin("https://a.example");
    corsguard_config_set_profile(c, S("cors_npm"));
    corsguard_config_add_exposed_header(c, S("x-a\r\nSet-Cookie: a=b"));
    expect_error(c, CORSGUARD_RESULT_UNSAFE_VALUE, CORSGUARD_ORIGIN_PROBLEM_NONE, "exposeHeaders \"x-a\\r\\nSet-Cookie: a=b\": contains CR, LF or NUL", __LINE__);

    c = config_with_origin("https://a.example");
    corsguard_config_set_max_age(c, 86401);
    expect_error(c, CORSGUARD_RESULT_MAX_AGE_OUT_OF_RANGE, CORSGUARD_ORIGIN_PROBLEM_NONE, "maxAge 86401", __LINE__);

    c = config_with_origin("https://a.example");
    corsguard_config_set_max_age_literal(c, S("600"));
    expect_error(c, CORSGUARD_RESULT_LITERAL_NEEDS_LITERAL_SYNTAX, CORSGUARD_ORIGIN_PROBLEM_NONE, "maxAge: a literal value", __LINE__);

    c = config_with_origin("https://a.example");
    corsguard_config_set_preflight_status(c, 302);
    expect_error(c, CORSGUARD_RESULT_STATUS_OUT_OF_RANGE, CORSGUARD_ORIGIN_PROBLEM_NONE, "preflightStatus 302", __LINE__);
    c = config_with_origin("https://a.example");
    corsguard_config_set_refused_preflight_status(c, 1000);
    expect_error(c, CORSGUARD_RESULT_STATUS_OUT_OF_RANGE, CORSGUARD_ORIGIN_PROBLEM_NONE, "refused_preflight.status 1000", __LINE__);

    c = config_with_origin(NULL);
    for (i = 0; i < 257; i++) {
        int n = snprintf(many, sizeof many, "https://o%d.example.com", i);
        CHECK_OK(corsguard_config_add_origin(c, many, (size_t)n));
    }
    expect_error(c, CORSGUARD_RESULT_CAPACITY_EXCEEDED, CORSGUARD_ORIGIN_PROBLEM_NONE, "the ORIGINS capacity of the `default` class, 256 origins and patterns", __LINE__);
}

static void test_policy_lifecycle(void)
{
    corsguard_config *config = seed_config();
    corsguard_policy *policy = NULL;
    corsguard_error error;
    corsguard_capacity_class class_ = 99;
    corsguard_vary_merge_mode merge = 99;
    size_t size = 0, align = 0, origins = 0, bytes = 0;
    int i;

    /* NULL arguments. */
    CHECK_RC(corsguard_policy_new(NULL, &policy, &error), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_policy_new(config, NULL, &error), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_policy_new_class(config, 4, &policy, &error), CORSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK_RC(corsguard_policy_size(0, NULL, &align), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_policy_size(0, &size, NULL), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_policy_size(4, &size, &align), CORSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK_RC(corsguard_policy_class(NULL, &class_), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_policy_usage(NULL, &origins, &bytes), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_policy_vary_merge(NULL, &merge), CORSGUARD_RESULT_NULL_POINTER);
    CHECK(policy == NULL);

    /* The error output is optional. */
    CHECK_OK(corsguard_policy_new(config, &policy, NULL));
    CHECK(policy != NULL);
    CHECK_RC(corsguard_policy_class(policy, NULL), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_policy_usage(policy, NULL, &bytes), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_policy_usage(policy, &origins, NULL), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_policy_vary_merge(policy, NULL), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_OK(corsguard_policy_class(policy, &class_));
    CHECK(class_ == CORSGUARD_CAPACITY_CLASS_SMALL);
    CHECK_OK(corsguard_policy_usage(policy, &origins, &bytes));
    CHECK(origins == 1 && bytes > 21 && bytes <= 1024);
    CHECK_OK(corsguard_policy_vary_merge(policy, &merge));
    CHECK(merge == CORSGUARD_VARY_MERGE_MODE_DEDUP);
    CHECK_OK(corsguard_policy_free(policy));
    CHECK_OK(corsguard_policy_free(NULL));

    /* Explicit classes. */
    CHECK_OK(corsguard_policy_new_class(config, CORSGUARD_CAPACITY_CLASS_LARGE, &policy, &error));
    CHECK_OK(corsguard_policy_class(policy, &class_));
    CHECK(class_ == CORSGUARD_CAPACITY_CLASS_LARGE);
    CHECK_OK(corsguard_policy_free(policy));

    /* AUTO grows with the configuration: 100 origins need DEFAULT, 1000 LARGE. */
    for (i = 0; i < 1000; i++) {
        char origin[64];
        int n = snprintf(origin, sizeof origin, "https://tenant%d.example.com", i);
        CHECK_OK(corsguard_config_add_origin(config, origin, (size_t)n));
        if (i == 99 || i == 999) {
            CHECK_OK(corsguard_policy_new(config, &policy, &error));
            CHECK_OK(corsguard_policy_class(policy, &class_));
            CHECK(class_ == (i == 99 ? CORSGUARD_CAPACITY_CLASS_DEFAULT : CORSGUARD_CAPACITY_CLASS_LARGE));
            CHECK_OK(corsguard_policy_usage(policy, &origins, &bytes));
            CHECK(origins == (size_t)i + 2);
            CHECK_OK(corsguard_policy_free(policy));
        }
    }
    /* An explicit class that is too small. */
    policy = NULL;
    CHECK_RC(corsguard_policy_new_class(config, CORSGUARD_CAPACITY_CLASS_SMALL, &policy, &error), CORSGUARD_RESULT_CAPACITY_EXCEEDED);
    CHECK(policy == NULL);
    CHECK(strstr(error.message, "the ORIGINS capacity of the `small` class, 16 origins and patterns") != NULL);
    /* More than LARGE holds: AUTO reports the largest class's error. */
    for (i = 1000; i < 4100; i++) {
        char origin[64];
        int n = snprintf(origin, sizeof origin, "https://tenant%d.example.com", i);
        CHECK_OK(corsguard_config_add_origin(config, origin, (size_t)n));
    }
    CHECK_RC(corsguard_policy_new(config, &policy, &error), CORSGUARD_RESULT_CAPACITY_EXCEEDED);
    CHECK(strstr(error.message, "the ORIGINS capacity of the `large` class, 4096") != NULL);
    CHECK(policy == NULL);

    /* clear_origins empties the list. */
    CHECK_OK(corsguard_config_clear_origins(config));
    CHECK_RC(corsguard_policy_new(config, &policy, &error), CORSGUARD_RESULT_NO_ORIGINS);
    CHECK_OK(corsguard_config_free(config));

    /* Sizes: each class fits its documented upper bound. */
    CHECK_OK(corsguard_policy_size(CORSGUARD_CAPACITY_CLASS_SMALL, &size, &align));
    CHECK(size > 0 && size <= CORSGUARD_POLICY_SMALL_MAX_SIZE && align <= CORSGUARD_POLICY_MAX_ALIGN);
    CHECK_OK(corsguard_policy_size(CORSGUARD_CAPACITY_CLASS_DEFAULT, &size, &align));
    CHECK(size > CORSGUARD_POLICY_SMALL_MAX_SIZE && size <= CORSGUARD_POLICY_DEFAULT_MAX_SIZE);
    CHECK_OK(corsguard_policy_size(CORSGUARD_CAPACITY_CLASS_LARGE, &size, &align));
    CHECK(size > CORSGUARD_POLICY_DEFAULT_MAX_SIZE && size <= CORSGUARD_POLICY_LARGE_MAX_SIZE);
    {
        size_t auto_size = 0;
        CHECK_OK(corsguard_policy_size(CORSGUARD_CAPACITY_CLASS_AUTO, &auto_size, &align));
        CHECK(auto_size == size);
    }
}

/* Policy memory owned by the caller: the malloc-free path. */
static union {
    uint64_t align;
    unsigned char bytes[CORSGUARD_POLICY_DEFAULT_MAX_SIZE + 16];
} policy_memory;

static void test_policy_in_caller_memory(void)
{
    corsguard_config *config = seed_config();
    corsguard_policy *policy = NULL;
    corsguard_error error;
    corsguard_capacity_class class_ = 0;
    corsguard_request request = preflight("PUT", "content-type");
    corsguard_decision decision;
    size_t small = 0, align = 0;

    CHECK_OK(corsguard_policy_size(CORSGUARD_CAPACITY_CLASS_SMALL, &small, &align));
    CHECK_RC(corsguard_policy_init(NULL, small, config, CORSGUARD_CAPACITY_CLASS_SMALL, &policy, &error), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_policy_init(policy_memory.bytes, small, NULL, CORSGUARD_CAPACITY_CLASS_SMALL, &policy, &error), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_policy_init(policy_memory.bytes, small, config, CORSGUARD_CAPACITY_CLASS_SMALL, NULL, &error), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_policy_init(policy_memory.bytes, small, config, 7, &policy, &error), CORSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK_RC(corsguard_policy_init(policy_memory.bytes, small - 1, config, CORSGUARD_CAPACITY_CLASS_SMALL, &policy, &error), CORSGUARD_RESULT_MEMORY_TOO_SMALL);
    CHECK_RC(corsguard_policy_init(policy_memory.bytes, 16, config, CORSGUARD_CAPACITY_CLASS_AUTO, &policy, &error), CORSGUARD_RESULT_MEMORY_TOO_SMALL);
    CHECK_RC(corsguard_policy_init(policy_memory.bytes + 1, small, config, CORSGUARD_CAPACITY_CLASS_SMALL, &policy, &error), CORSGUARD_RESULT_BAD_ALIGNMENT);
    CHECK(policy == NULL);

    CHECK_OK(corsguard_policy_init(policy_memory.bytes, small, config, CORSGUARD_CAPACITY_CLASS_SMALL, &policy, &error));
    CHECK((void *)policy == (void *)policy_memory.bytes);
    CHECK(error.code == CORSGUARD_RESULT_OK);
    CHECK_OK(corsguard_policy_class(policy, &class_));
    CHECK(class_ == CORSGUARD_CAPACITY_CLASS_SMALL);
    CHECK_OK(corsguard_evaluate(policy, &request, &decision));
    CHECK(decision.outcome == CORSGUARD_OUTCOME_ALLOWED && decision.status == 204);
    /* Caller memory is never freed by the library. */
    CHECK_RC(corsguard_policy_free(policy), CORSGUARD_RESULT_NOT_OWNED);
    CHECK_OK(corsguard_evaluate(policy, &request, &decision));

    /* AUTO in a DEFAULT-sized buffer: the smallest class that builds. */
    CHECK_OK(corsguard_policy_init(policy_memory.bytes, sizeof policy_memory.bytes, config, CORSGUARD_CAPACITY_CLASS_AUTO, &policy, &error));
    CHECK_OK(corsguard_policy_class(policy, &class_));
    CHECK(class_ == CORSGUARD_CAPACITY_CLASS_SMALL);
    /* A configuration error in caller memory. */
    CHECK_OK(corsguard_config_set_max_age(config, 100000));
    CHECK_RC(corsguard_policy_init(policy_memory.bytes, sizeof policy_memory.bytes, config, CORSGUARD_CAPACITY_CLASS_AUTO, &policy, &error),
             CORSGUARD_RESULT_MAX_AGE_OUT_OF_RANGE);
    CHECK(strstr(error.message, "maxAge 100000") != NULL);
    CHECK_OK(corsguard_config_free(config));

    /* Garbage is not a policy. */
    memset(policy_memory.bytes, 0xab, 64);
    CHECK_RC(corsguard_evaluate((const corsguard_policy *)policy_memory.bytes, &request, &decision), CORSGUARD_RESULT_INVALID_HANDLE);
    CHECK_RC(corsguard_policy_free((corsguard_policy *)policy_memory.bytes), CORSGUARD_RESULT_INVALID_HANDLE);
    CHECK_RC(corsguard_policy_class((const corsguard_policy *)policy_memory.bytes, &class_), CORSGUARD_RESULT_INVALID_HANDLE);
}

static void test_evaluate_seed(void)
{
    corsguard_policy *policy = seed_policy();
    corsguard_request request = preflight("PUT", "content-type, x-request-id");
    corsguard_decision d;
    char message[256];
    size_t len = 0;

    /* An allowed preflight. */
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK(d.kind == CORSGUARD_KIND_PREFLIGHT);
    CHECK(d.outcome == CORSGUARD_OUTCOME_ALLOWED);
    CHECK(d.reason == CORSGUARD_REASON_NONE && d.reason_detail == NULL);
    CHECK(d.failures == 0);
    CHECK(d.action == CORSGUARD_ACTION_RESPOND && d.status == 204);
    CHECK(d.body == NULL && d.body_len == 0);
    CHECK(d.vary_merge == CORSGUARD_VARY_MERGE_MODE_DEDUP);
    CHECK(header_is(&d, CORSGUARD_HEADER_NAME_ALLOW_ORIGIN, "http://localhost:3000"));
    CHECK(find_header(&d, CORSGUARD_HEADER_NAME_ALLOW_ORIGIN)->value == request.origin); /* borrowed */
    CHECK(header_is(&d, CORSGUARD_HEADER_NAME_ALLOW_CREDENTIALS, "true"));
    CHECK(header_is(&d, CORSGUARD_HEADER_NAME_ALLOW_METHODS, "GET, POST, PUT, DELETE"));
    CHECK(header_is(&d, CORSGUARD_HEADER_NAME_ALLOW_HEADERS, "content-type, x-request-id"));
    CHECK(header_is(&d, CORSGUARD_HEADER_NAME_MAX_AGE, "600"));
    CHECK(header_is(&d, CORSGUARD_HEADER_NAME_VARY, "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"));
    CHECK(BYTES_EQ(d.headers[0].name, d.headers[0].name_len, "Access-Control-Allow-Origin"));
    CHECK(d.headers[0].name[d.headers[0].name_len] == '\0');
    CHECK_OK(corsguard_decision_reason_message(&d, message, sizeof message, &len));
    CHECK(len == 0);

    /* A refused method: 403, no CORS headers, the method named. */
    request = preflight("PATCH", NULL);
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK(d.outcome == CORSGUARD_OUTCOME_DENIED);
    CHECK(d.reason == CORSGUARD_REASON_METHOD_NOT_ALLOWED);
    CHECK(BYTES_EQ(d.reason_detail, d.reason_detail_len, "PATCH"));
    CHECK(d.failures == CORSGUARD_FAILURE_METHOD);
    CHECK(d.action == CORSGUARD_ACTION_RESPOND && d.status == 403);
    CHECK(find_header(&d, CORSGUARD_HEADER_NAME_ALLOW_ORIGIN) == NULL);
    CHECK_OK(corsguard_decision_reason_message(&d, message, sizeof message, &len));
    CHECK(BYTES_EQ(message, len, "the method `PATCH` is not allowed by the policy"));

    /* A refused header. */
    request = preflight("PUT", "content-type, x-secret");
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK(d.reason == CORSGUARD_REASON_HEADER_NOT_ALLOWED);
    CHECK(BYTES_EQ(d.reason_detail, d.reason_detail_len, "x-secret"));
    CHECK_OK(corsguard_decision_reason_message(&d, message, sizeof message, &len));
    CHECK(BYTES_EQ(message, len, "the request header `x-secret` is not allowed by the policy"));

    /* Private network access is not granted by this policy. */
    request = preflight("PUT", NULL);
    request.request_private_network = "true";
    request.request_private_network_len = 4;
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK(d.reason == CORSGUARD_REASON_PRIVATE_NETWORK_NOT_ALLOWED);
    CHECK(d.failures == CORSGUARD_FAILURE_PRIVATE_NETWORK);

    /* An allowed actual request. */
    memset(&request, 0, sizeof request);
    request.method = "GET";
    request.method_len = 3;
    request.origin = "http://localhost:3000";
    request.origin_len = 21;
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK(d.kind == CORSGUARD_KIND_ACTUAL && d.outcome == CORSGUARD_OUTCOME_ALLOWED);
    CHECK(d.action == CORSGUARD_ACTION_CONTINUE && d.status == 0);
    CHECK(header_is(&d, CORSGUARD_HEADER_NAME_EXPOSE_HEADERS, "x-request-id"));
    CHECK(header_is(&d, CORSGUARD_HEADER_NAME_VARY, "Origin"));

    /* A denied actual request: only Vary. */
    request.origin = "http://localhost:3001";
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK(d.outcome == CORSGUARD_OUTCOME_DENIED && d.reason == CORSGUARD_REASON_ORIGIN_NOT_ALLOWED);
    CHECK(d.failures == CORSGUARD_FAILURE_ORIGIN);
    CHECK(d.header_count == 1 && d.headers[0].id == CORSGUARD_HEADER_NAME_VARY);
    CHECK_OK(corsguard_decision_reason_message(&d, message, sizeof message, &len));
    CHECK(BYTES_EQ(message, len, "the origin is not allowed by the policy"));

    /* Not CORS: no Origin. */
    request.origin = NULL;
    request.origin_len = 0;
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK(d.kind == CORSGUARD_KIND_NOT_CORS && d.outcome == CORSGUARD_OUTCOME_NOT_CORS);

    /* A present but empty Origin is malformed, not absent. */
    request.origin = "";
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK(d.kind == CORSGUARD_KIND_ACTUAL && d.reason == CORSGUARD_REASON_MALFORMED_ORIGIN);

    /* OPTIONS with Origin but no request method: a plain OPTIONS request. */
    request = preflight("PUT", NULL);
    request.request_method = NULL;
    request.request_method_len = 0;
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK(d.kind == CORSGUARD_KIND_PLAIN_OPTIONS);

    CHECK_OK(corsguard_policy_free(policy));
}

static void test_evaluate_errors_and_hostile_input(void)
{
    corsguard_policy *policy = seed_policy();
    corsguard_request request = preflight("PUT", NULL);
    corsguard_decision d;
    char *huge;
    size_t huge_len = 1024 * 1024;
    char message[4096];
    size_t len = 0;

    memset(&d, 0x5a, sizeof d);
    CHECK_RC(corsguard_evaluate(NULL, &request, &d), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_evaluate(policy, NULL, &d), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_evaluate(policy, &request, NULL), CORSGUARD_RESULT_NULL_POINTER);
    request.method = NULL;
    CHECK_RC(corsguard_evaluate(policy, &request, &d), CORSGUARD_RESULT_NULL_POINTER);
    request = preflight("PUT", NULL);
    request.request_headers = NULL;
    request.request_headers_len = 3;
    CHECK_RC(corsguard_evaluate(policy, &request, &d), CORSGUARD_RESULT_NULL_POINTER);
    request = preflight("PUT", NULL);
    request.origin_verdict = 3;
    CHECK_RC(corsguard_evaluate(policy, &request, &d), CORSGUARD_RESULT_INVALID_ARGUMENT);
    request = preflight("PUT", NULL);
    request.origin_len = SIZE_MAX;
    CHECK_RC(corsguard_evaluate(policy, &request, &d), CORSGUARD_RESULT_INVALID_ARGUMENT);
    /* The output is untouched on error. */
    CHECK(d.header_count == (size_t)0x5a5a5a5a5a5a5a5aULL);

    /* Non-UTF-8 bytes: a malformed origin, a method named with \x escapes. */
    request = preflight("PUT", NULL);
    request.origin = "http://localhost:3000\xff";
    request.origin_len = 22;
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK(d.outcome == CORSGUARD_OUTCOME_DENIED && d.reason == CORSGUARD_REASON_MALFORMED_ORIGIN);
    request = preflight("P\xe9T", NULL);
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK(d.reason == CORSGUARD_REASON_METHOD_NOT_ALLOWED);
    CHECK_OK(corsguard_decision_reason_message(&d, message, sizeof message, &len));
    CHECK(BYTES_EQ(message, len, "the method `P\\xe9T` is not allowed by the policy"));
    /* An embedded NUL in the origin. */
    request = preflight("PUT", NULL);
    request.origin = "http://localhost:3000\0.evil";
    request.origin_len = 27;
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK(d.outcome == CORSGUARD_OUTCOME_DENIED);
    CHECK(find_header(&d, CORSGUARD_HEADER_NAME_ALLOW_ORIGIN) == NULL);
    /* CR LF in the origin is never reflected. */
    request.origin = "http://localhost:3000\r\nSet-Cookie: a=b";
    request.origin_len = strlen(request.origin);
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK(d.outcome == CORSGUARD_OUTCOME_DENIED && d.header_count <= 1);

    /* A megabyte of commas and spaces, then a header name that is not allowed. */
    huge = malloc(huge_len);
    CHECK(huge != NULL);
    if (huge != NULL) {
        size_t i;
        for (i = 0; i < huge_len; i++) {
            huge[i] = (i % 2 == 0) ? ',' : ' ';
        }
        memcpy(huge + huge_len - 8, "x-secret", 8);
        request = preflight("PUT", NULL);
        request.request_headers = huge;
        request.request_headers_len = huge_len;
        CHECK_OK(corsguard_evaluate(policy, &request, &d));
        CHECK(d.reason == CORSGUARD_REASON_HEADER_NOT_ALLOWED);
        CHECK(BYTES_EQ(d.reason_detail, d.reason_detail_len, "x-secret"));
        CHECK(d.reason_detail == huge + huge_len - 8);
        /* A huge origin. */
        memset(huge, 'a', huge_len);
        request = preflight("PUT", NULL);
        request.origin = huge;
        request.origin_len = huge_len;
        CHECK_OK(corsguard_evaluate(policy, &request, &d));
        CHECK(d.outcome == CORSGUARD_OUTCOME_DENIED);
        /* A huge method, named in full by the message. */
        request = preflight("PUT", NULL);
        request.request_method = huge;
        request.request_method_len = huge_len;
        CHECK_OK(corsguard_evaluate(policy, &request, &d));
        CHECK(d.reason == CORSGUARD_REASON_METHOD_NOT_ALLOWED && d.reason_detail_len == huge_len);
        CHECK_RC(corsguard_decision_reason_message(&d, message, sizeof message, &len), CORSGUARD_RESULT_BUFFER_TOO_SMALL);
        CHECK(len == huge_len + strlen("the method `` is not allowed by the policy"));
        free(huge);
    }

    /* reason_message: NULL and short buffers. */
    request = preflight("PATCH", NULL);
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK_RC(corsguard_decision_reason_message(NULL, message, sizeof message, &len), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_decision_reason_message(&d, message, sizeof message, NULL), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_decision_reason_message(&d, NULL, 0, &len), CORSGUARD_RESULT_BUFFER_TOO_SMALL);
    CHECK(len == strlen("the method `PATCH` is not allowed by the policy"));
    memset(message, '#', sizeof message);
    CHECK_RC(corsguard_decision_reason_message(&d, message, len - 1, &len), CORSGUARD_RESULT_BUFFER_TOO_SMALL);
    CHECK(message[0] == '#');
    CHECK_OK(corsguard_decision_reason_message(&d, message, len, &len));
    CHECK(message[len] == '#');
    {
        corsguard_decision forged = d;
        forged.reason = 42;
        CHECK_RC(corsguard_decision_reason_message(&forged, message, sizeof message, &len), CORSGUARD_RESULT_INVALID_ARGUMENT);
        forged.reason = CORSGUARD_REASON_MISSING_ORIGIN;
        CHECK_OK(corsguard_decision_reason_message(&forged, message, sizeof message, &len));
        CHECK(BYTES_EQ(message, len, "the OPTIONS request has no Origin header"));
        forged.reason = CORSGUARD_REASON_MALFORMED_REQUEST_HEADERS;
        CHECK_OK(corsguard_decision_reason_message(&forged, message, sizeof message, &len));
        CHECK(strstr(message, "Access-Control-Request-Headers") == message);
    }
    CHECK_OK(corsguard_policy_free(policy));
}

static void test_write_headers(void)
{
    corsguard_policy *policy = seed_policy();
    corsguard_request request = preflight("PUT", "content-type");
    corsguard_decision d;
    char buf[1024];
    size_t len = 0, needed = 0, i;
    const char *expected =
        "Access-Control-Allow-Origin: http://localhost:3000\r\n"
        "Access-Control-Allow-Credentials: true\r\n"
        "Access-Control-Allow-Methods: GET, POST, PUT, DELETE\r\n"
        "Access-Control-Allow-Headers: content-type, x-request-id\r\n"
        "Access-Control-Max-Age: 600\r\n"
        "Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers\r\n";

    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK_OK(corsguard_decision_write_headers(&d, 0, buf, sizeof buf, &len));
    CHECK(len == strlen(expected) && memcmp(buf, expected, len) == 0);
    if (len != strlen(expected) || memcmp(buf, expected, len) != 0) {
        fprintf(stderr, "got:\n%.*s\n", (int)len, buf);
    }

    /* Size query, then every short length: nothing written past the length. */
    CHECK_RC(corsguard_decision_write_headers(&d, 0, NULL, 0, &needed), CORSGUARD_RESULT_BUFFER_TOO_SMALL);
    CHECK(needed == len);
    for (i = 0; i < needed; i++) {
        memset(buf, '#', sizeof buf);
        CHECK_RC(corsguard_decision_write_headers(&d, 0, buf, i, &len), CORSGUARD_RESULT_BUFFER_TOO_SMALL);
        CHECK(len == needed && buf[0] == '#' && buf[i] == '#');
    }
    memset(buf, '#', sizeof buf);
    CHECK_OK(corsguard_decision_write_headers(&d, 0, buf, needed, &len));
    CHECK(buf[needed] == '#');

    /* Flags. */
    CHECK_OK(corsguard_decision_write_headers(&d, CORSGUARD_WRITE_SKIP_VARY, buf, sizeof buf, &len));
    CHECK(len == strlen(expected) - strlen("Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers\r\n"));
    CHECK_OK(corsguard_decision_write_headers(&d, CORSGUARD_WRITE_LOWERCASE, buf, sizeof buf, &len));
    CHECK(memcmp(buf, "access-control-allow-origin: http://localhost:3000\r\n", 52) == 0);
    CHECK_RC(corsguard_decision_write_headers(&d, 4, buf, sizeof buf, &len), CORSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK_RC(corsguard_decision_write_headers(NULL, 0, buf, sizeof buf, &len), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_decision_write_headers(&d, 0, buf, sizeof buf, NULL), CORSGUARD_RESULT_NULL_POINTER);
    {
        corsguard_decision forged = d;
        forged.header_count = CORSGUARD_MAX_HEADERS + 1;
        CHECK_RC(corsguard_decision_write_headers(&forged, 0, buf, sizeof buf, &len), CORSGUARD_RESULT_INVALID_ARGUMENT);
        forged = d;
        forged.headers[0].id = 8;
        CHECK_RC(corsguard_decision_write_headers(&forged, 0, buf, sizeof buf, &len), CORSGUARD_RESULT_INVALID_ARGUMENT);
    }

    /* A decision without headers writes nothing, successfully. */
    memset(&request, 0, sizeof request);
    request.method = "GET";
    request.method_len = 3;
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK_OK(corsguard_decision_write_headers(&d, CORSGUARD_WRITE_SKIP_VARY, NULL, 0, &len));
    CHECK(len == 0);
    CHECK_OK(corsguard_policy_free(policy));
}

static void test_vary_merge(void)
{
    char buf[256];
    size_t len = 0;

    CHECK_OK(corsguard_vary_merge(CORSGUARD_VARY_MERGE_MODE_DEDUP, S("accept-encoding"), S("Origin"), buf, sizeof buf, &len));
    CHECK(BYTES_EQ(buf, len, "accept-encoding, Origin"));
    CHECK_OK(corsguard_vary_merge(CORSGUARD_VARY_MERGE_MODE_DEDUP, NULL, 0, S("Origin"), buf, sizeof buf, &len));
    CHECK(BYTES_EQ(buf, len, "Origin"));
    CHECK_OK(corsguard_vary_merge(CORSGUARD_VARY_MERGE_MODE_DEDUP, S("origin, Accept"), S("Origin, Access-Control-Request-Method"), buf, sizeof buf, &len));
    CHECK(BYTES_EQ(buf, len, "origin, Accept, Access-Control-Request-Method"));
    CHECK_OK(corsguard_vary_merge(CORSGUARD_VARY_MERGE_MODE_DEDUP, S("*"), S("Origin"), buf, sizeof buf, &len));
    CHECK(BYTES_EQ(buf, len, "*"));
    CHECK_OK(corsguard_vary_merge(CORSGUARD_VARY_MERGE_MODE_DEDUP, S(""), S("Origin, origin"), buf, sizeof buf, &len));
    CHECK(BYTES_EQ(buf, len, "Origin"));
    CHECK_OK(corsguard_vary_merge(CORSGUARD_VARY_MERGE_MODE_JOIN, S("Origin"), S("Origin"), buf, sizeof buf, &len));
    CHECK(BYTES_EQ(buf, len, "Origin, Origin"));
    CHECK_OK(corsguard_vary_merge(CORSGUARD_VARY_MERGE_MODE_JOIN, NULL, 0, S("Origin"), buf, sizeof buf, &len));
    CHECK(BYTES_EQ(buf, len, "Origin"));
    CHECK_RC(corsguard_vary_merge(2, S("a"), S("b"), buf, sizeof buf, &len), CORSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK_RC(corsguard_vary_merge(CORSGUARD_VARY_MERGE_MODE_DEDUP, S("a\r\nb"), S("b"), buf, sizeof buf, &len), CORSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK_RC(corsguard_vary_merge(CORSGUARD_VARY_MERGE_MODE_DEDUP, NULL, 2, S("b"), buf, sizeof buf, &len), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_vary_merge(CORSGUARD_VARY_MERGE_MODE_DEDUP, S("a"), S("b"), buf, sizeof buf, NULL), CORSGUARD_RESULT_NULL_POINTER);
    memset(buf, '#', sizeof buf);
    CHECK_RC(corsguard_vary_merge(CORSGUARD_VARY_MERGE_MODE_DEDUP, S("accept"), S("Origin"), buf, 9, &len), CORSGUARD_RESULT_BUFFER_TOO_SMALL);
    CHECK(len == strlen("accept, Origin") && buf[0] == '#');
}

static corsguard_policy *build(corsguard_config *config)
{
    corsguard_policy *policy = NULL;
    corsguard_error error;
    corsguard_result rc = corsguard_policy_new(config, &policy, &error);
    CHECK_OK(rc);
    if (rc != CORSGUARD_RESULT_OK) {
        fprintf(stderr, "  %s\n", error.message);
    }
    corsguard_config_free(config);
    return policy;
}

static void test_profiles_and_options(void)
{
    corsguard_config *config;
    corsguard_policy *policy;
    corsguard_request request;
    corsguard_decision d;
    corsguard_vary_merge_mode merge = 0;

    /* Starlette: a refused preflight is 400 with a body naming the failures. */
    config = config_with_origin("http://localhost:3000");
    CHECK_OK(corsguard_config_set_profile(config, S("starlette")));
    CHECK_OK(corsguard_config_add_method(config, S("GET")));
    policy = build(config);
    request = preflight("DELETE", "x-nope");
    request.origin = "http://evil.example";
    request.origin_len = strlen(request.origin);
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK(d.status == 400 && d.outcome == CORSGUARD_OUTCOME_DENIED);
    CHECK(d.failures == (CORSGUARD_FAILURE_ORIGIN | CORSGUARD_FAILURE_METHOD | CORSGUARD_FAILURE_HEADERS));
    CHECK(BYTES_EQ(d.body, d.body_len, "Disallowed CORS origin, method, headers"));
    CHECK(d.body[d.body_len] == '\0');
    CHECK(d.vary_merge == CORSGUARD_VARY_MERGE_MODE_JOIN);
    CHECK_OK(corsguard_policy_vary_merge(policy, &merge));
    CHECK(merge == CORSGUARD_VARY_MERGE_MODE_JOIN);
    request = preflight("GET", NULL);
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK(d.status == 200 || d.status == 204);
    CHECK(BYTES_EQ(d.body, d.body_len, "OK"));
    CHECK_OK(corsguard_policy_free(policy));

    /* cors npm: every OPTIONS is a preflight; a fixed origin is always sent;
     * mirrored request headers. */
    CHECK_OK(corsguard_config_new(&config));
    CHECK_OK(corsguard_config_set_profile(config, S("cors_npm")));
    CHECK_OK(corsguard_config_set_fixed_origin(config, S("http://localhost:3000")));
    CHECK_OK(corsguard_config_set_allowed_headers_mode(config, CORSGUARD_LIST_MODE_MIRROR));
    CHECK_OK(corsguard_config_set_max_age_literal(config, S("600")));
    policy = build(config);
    memset(&request, 0, sizeof request);
    request.method = "OPTIONS";
    request.method_len = 7;
    request.request_headers = "x-anything";
    request.request_headers_len = 10;
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK(d.kind == CORSGUARD_KIND_PREFLIGHT);
    CHECK(header_is(&d, CORSGUARD_HEADER_NAME_ALLOW_ORIGIN, "http://localhost:3000"));
    CHECK(header_is(&d, CORSGUARD_HEADER_NAME_ALLOW_HEADERS, "x-anything"));
    CHECK(header_is(&d, CORSGUARD_HEADER_NAME_MAX_AGE, "600"));
    CHECK_OK(corsguard_policy_free(policy));

    /* Origin verdict: the host's own rule. */
    config = config_with_origin("https://app.example.com");
    CHECK_OK(corsguard_config_set_origin_verdict(config, true));
    policy = build(config);
    memset(&request, 0, sizeof request);
    request.method = "GET";
    request.method_len = 3;
    request.origin = "https://pr-42.preview.example.net";
    request.origin_len = strlen(request.origin);
    request.origin_verdict = CORSGUARD_VERDICT_ALLOWED;
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK(d.outcome == CORSGUARD_OUTCOME_ALLOWED);
    request.origin_verdict = CORSGUARD_VERDICT_DENIED;
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK(d.outcome == CORSGUARD_OUTCOME_DENIED);
    request.origin_verdict = CORSGUARD_VERDICT_NONE;
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK(d.outcome == CORSGUARD_OUTCOME_DENIED);
    CHECK_OK(corsguard_policy_free(policy));

    /* Wildcards, private network, preflight_continue and status 200. */
    config = config_with_origin("*");
    CHECK_OK(corsguard_config_set_methods_mode(config, CORSGUARD_LIST_MODE_ANY));
    CHECK_OK(corsguard_config_set_allowed_headers_mode(config, CORSGUARD_LIST_MODE_ANY));
    CHECK_OK(corsguard_config_set_exposed_headers_mode(config, CORSGUARD_LIST_MODE_ANY));
    CHECK_OK(corsguard_config_set_private_network(config, true));
    CHECK_OK(corsguard_config_set_preflight_status(config, 200));
    CHECK_OK(corsguard_config_set_max_age(config, 60));
    CHECK_OK(corsguard_config_clear_max_age(config));
    policy = build(config);
    request = preflight("PURGE", "x-custom");
    request.request_private_network = "true";
    request.request_private_network_len = 4;
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK(d.outcome == CORSGUARD_OUTCOME_ALLOWED && d.status == 200);
    CHECK(header_is(&d, CORSGUARD_HEADER_NAME_ALLOW_ORIGIN, "*"));
    CHECK(header_is(&d, CORSGUARD_HEADER_NAME_ALLOW_METHODS, "*"));
    CHECK(header_is(&d, CORSGUARD_HEADER_NAME_ALLOW_HEADERS, "*"));
    CHECK(header_is(&d, CORSGUARD_HEADER_NAME_ALLOW_PRIVATE_NETWORK, "true"));
    CHECK(find_header(&d, CORSGUARD_HEADER_NAME_MAX_AGE) == NULL);
    CHECK_OK(corsguard_policy_free(policy));

    config = config_with_origin("https://*.example.com");
    CHECK_OK(corsguard_config_set_preflight_continue(config, true));
    CHECK_OK(corsguard_config_add_method(config, S("PUT")));
    policy = build(config);
    request = preflight("PUT", NULL);
    request.origin = "https://a.b.example.com";
    request.origin_len = strlen(request.origin);
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK(d.outcome == CORSGUARD_OUTCOME_ALLOWED);
    CHECK(d.action == CORSGUARD_ACTION_CONTINUE && d.status == 0);
    request.origin = "https://example.com";
    request.origin_len = strlen(request.origin);
    CHECK_OK(corsguard_evaluate(policy, &request, &d));
    CHECK(d.outcome == CORSGUARD_OUTCOME_DENIED);
    CHECK_OK(corsguard_policy_free(policy));
}

int main(void)
{
    test_version_and_codes();
    test_config_null_and_bad_arguments();
    test_profiles();
    test_every_config_error();
    test_error_paths();
    test_policy_lifecycle();
    test_policy_in_caller_memory();
    test_evaluate_seed();
    test_evaluate_errors_and_hostile_input();
    test_write_headers();
    test_vary_merge();
    test_profiles_and_options();
    return check_report("test_api");
}
