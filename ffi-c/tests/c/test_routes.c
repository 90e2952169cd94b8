/* Documents with routes through the C API: corsguard_evaluate_path,
 * corsguard_policy_route and the served policies' names; paths no policy
 * serves (no rule, a rule to null, `.` and `..` segments), lengths that cut
 * a path short, policies of different capacity classes in one document,
 * documents without routes and policies from a configuration (the path is
 * ignored), argument errors, and the errors of routes (run under valgrind
 * and ASan by ffi-c/test.sh, so nothing may leak). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define STR_EQ(s, literal) BYTES_EQ((s).ptr, (s).len, literal)

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

/* The value of header `id` in `d`, or NULL. */
static const corsguard_header *header(const corsguard_decision *d, corsguard_header_name id)
{
    size_t i;
    for (i = 0; i < d->header_count; i++) {
        if (d->headers[i].id == id) return &d->headers[i];
    }
    return NULL;
}

/* The name of the policy serving `path`, or "(none)"; "(error)" on an error. */
static const char *served_name(const corsguard_policy *policy, const char *path)
{
    size_t index = 99;
    corsguard_str name;
    corsguard_result rc = corsguard_policy_route(policy, path, strlen(path), &index);
    if (rc == CORSGUARD_RESULT_NO_POLICY) return index == 99 ? "(none)" : "(index written)";
    if (rc != CORSGUARD_RESULT_OK) return "(error)";
    if (corsguard_policy_served_name(policy, index, &name) != CORSGUARD_RESULT_OK) return "(error)";
    return name.ptr;
}

static const char ROUTED[] =
    "{\n"
    "  \"version\": 1,\n"
    "  \"allowOrigins\": [\"https://legacy.example.com\"],\n"
    "  \"allowMethods\": [\"GET\", \"PUT\"],\n"
    "  \"policies\": {\n"
    "    \"public\": {\"allowOrigins\": [\"*\"]},\n"
    "    \"admin\": {\"allowOrigins\": [\"https://admin.example.com\"], \"allowCredentials\": true}\n"
    "  },\n"
    "  \"routes\": [\n"
    "    {\"path\": \"/api/admin/**\", \"policy\": \"admin\"},\n"
    "    {\"path\": \"/api/internal/**\", \"policy\": null},\n"
    "    {\"path\": \"/api/**\", \"policy\": \"public\"},\n"
    "    {\"path\": \"/legacy/**\", \"policy\": \"default\"}\n"
    "  ]\n"
    "}\n";

static void test_routed_document(void)
{
    corsguard_policy *policy = NULL;
    corsguard_document_errors *errors = NULL;
    corsguard_request r = get_from("https://admin.example.com");
    corsguard_decision d, before;
    corsguard_str name;
    size_t count = 0, index = 99, written = 0;
    const corsguard_header *h;

    CHECK_OK(corsguard_policy_from_json(ROUTED, sizeof ROUTED - 1, 0, &policy, &errors));
    CHECK(policy != NULL);
    CHECK(errors == NULL);

    /* The served policies, default first (a route names it), then the named
     * ones in document order. */
    CHECK_OK(corsguard_policy_served_count(policy, &count));
    CHECK(count == 3);
    CHECK_OK(corsguard_policy_served_name(policy, 0, &name));
    CHECK(STR_EQ(name, "default") && name.ptr[name.len] == '\0');
    CHECK_OK(corsguard_policy_served_name(policy, 1, &name));
    CHECK(STR_EQ(name, "public") && name.ptr[name.len] == '\0');
    CHECK_OK(corsguard_policy_served_name(policy, 2, &name));
    CHECK(STR_EQ(name, "admin") && name.ptr[name.len] == '\0');
    CHECK_RC(corsguard_policy_served_name(policy, 3, &name), CORSGUARD_RESULT_INVALID_ARGUMENT);

    /* The first matching rule serves: admin before the wider /api rule. */
    CHECK_OK(corsguard_policy_route(policy, S("/api/admin/users"), &index));
    CHECK(index == 2);
    CHECK(strcmp(served_name(policy, "/api/users"), "public") == 0);
    CHECK(strcmp(served_name(policy, "/legacy/orders"), "default") == 0);
    CHECK(strcmp(served_name(policy, "/api/admin/users?page=2"), "admin") == 0);

    /* admin: the origin itself, with credentials. */
    CHECK_OK(corsguard_evaluate_path(policy, S("/api/admin/users"), &r, &d));
    CHECK(d.outcome == CORSGUARD_OUTCOME_ALLOWED);
    h = header(&d, CORSGUARD_HEADER_NAME_ALLOW_ORIGIN);
    CHECK(h != NULL && BYTES_EQ(h->value, h->value_len, "https://admin.example.com"));
    h = header(&d, CORSGUARD_HEADER_NAME_ALLOW_CREDENTIALS);
    CHECK(h != NULL && BYTES_EQ(h->value, h->value_len, "true"));

    /* public: any origin, `*`, no credentials. */
    CHECK_OK(corsguard_evaluate_path(policy, S("/api/users"), &r, &d));
    CHECK(d.outcome == CORSGUARD_OUTCOME_ALLOWED);
    h = header(&d, CORSGUARD_HEADER_NAME_ALLOW_ORIGIN);
    CHECK(h != NULL && BYTES_EQ(h->value, h->value_len, "*"));
    CHECK(header(&d, CORSGUARD_HEADER_NAME_ALLOW_CREDENTIALS) == NULL);

    /* default: the top-level keys; the admin origin is not among them. */
    CHECK_OK(corsguard_evaluate_path(policy, S("/legacy/orders"), &r, &d));
    CHECK(d.outcome == CORSGUARD_OUTCOME_DENIED);
    CHECK(d.reason == CORSGUARD_REASON_ORIGIN_NOT_ALLOWED);
    r = get_from("https://legacy.example.com");
    CHECK_OK(corsguard_evaluate_path(policy, S("/legacy/orders"), &r, &d));
    CHECK(d.outcome == CORSGUARD_OUTCOME_ALLOWED);

    /* Without a path the policy cannot be chosen: corsguard_evaluate says so
     * and writes nothing. */
    memset(&before, 0x5a, sizeof before);
    d = before;
    CHECK_RC(corsguard_evaluate(policy, &r, &d), CORSGUARD_RESULT_NEEDS_PATH);
    CHECK(memcmp(&d, &before, sizeof d) == 0);
    CHECK(strcmp(corsguard_result_code(CORSGUARD_RESULT_NEEDS_PATH).ptr, "needs_path") == 0);

    /* The handle describes served policy 0. */
    {
        corsguard_capacity_class class = CORSGUARD_CAPACITY_CLASS_AUTO;
        CHECK_OK(corsguard_policy_class(policy, &class));
        CHECK(class == CORSGUARD_CAPACITY_CLASS_SMALL);
    }

    /* A rule to null, and a path no rule matches: no policy, and a decision
     * that writes nothing. */
    r = get_from("https://admin.example.com");
    memset(&d, 0x5a, sizeof d);
    CHECK_RC(corsguard_evaluate_path(policy, S("/api/internal/metrics"), &r, &d), CORSGUARD_RESULT_NO_POLICY);
    CHECK(d.header_count == 0);
    CHECK(d.kind == CORSGUARD_KIND_NOT_CORS && d.outcome == CORSGUARD_OUTCOME_NOT_CORS);
    CHECK(d.action == CORSGUARD_ACTION_CONTINUE && d.status == 0 && d.body == NULL);
    CHECK(d.reason == CORSGUARD_REASON_NONE && d.reason_detail == NULL && d.failures == 0);
    CHECK_OK(corsguard_decision_write_headers(&d, 0, NULL, 0, &written));
    CHECK(written == 0);
    index = 99;
    CHECK_RC(corsguard_policy_route(policy, S("/api/internal/metrics"), &index), CORSGUARD_RESULT_NO_POLICY);
    CHECK(index == 99);
    CHECK_RC(corsguard_evaluate_path(policy, S("/static/app.js"), &r, &d), CORSGUARD_RESULT_NO_POLICY);
    CHECK(d.header_count == 0);
    CHECK(strcmp(served_name(policy, "/"), "(none)") == 0);
    CHECK(strcmp(corsguard_result_code(CORSGUARD_RESULT_NO_POLICY).ptr, "no_policy") == 0);

    /* Dot segments match no rule: /api/../admin is not an /api path, and
     * neither is its percent-encoded spelling nor /api/./users. */
    CHECK_RC(corsguard_evaluate_path(policy, S("/api/../api/admin/users"), &r, &d), CORSGUARD_RESULT_NO_POLICY);
    CHECK(d.header_count == 0);
    CHECK(strcmp(served_name(policy, "/api/admin/../users"), "(none)") == 0);
    CHECK(strcmp(served_name(policy, "/api/%2e%2e/admin"), "(none)") == 0);
    CHECK(strcmp(served_name(policy, "/api/./users"), "(none)") == 0);
    CHECK(strcmp(served_name(policy, "/API/users"), "(none)") == 0);
    CHECK(strcmp(served_name(policy, "/api%2Fusers"), "(none)") == 0);

    /* The length is what counts, not a NUL: the first 4 bytes of
     * "/api/admin/users" are "/api", which the /api rule serves (as public); 3
     * bytes are "/ap", which no rule matches. */
    CHECK_OK(corsguard_policy_route(policy, "/api/admin/users", 4, &index));
    CHECK(index == 1);
    CHECK_RC(corsguard_policy_route(policy, "/api/admin/users", 3, &index), CORSGUARD_RESULT_NO_POLICY);
    CHECK_OK(corsguard_evaluate_path(policy, "/api/admin/users", 10, &r, &d));
    CHECK(d.outcome == CORSGUARD_OUTCOME_ALLOWED);
    h = header(&d, CORSGUARD_HEADER_NAME_ALLOW_ORIGIN);
    CHECK(h != NULL && BYTES_EQ(h->value, h->value_len, "https://admin.example.com"));
    /* An empty path (non-NULL) is a path no rule matches. */
    CHECK_RC(corsguard_evaluate_path(policy, "", 0, &r, &d), CORSGUARD_RESULT_NO_POLICY);

    CHECK_OK(corsguard_policy_free(policy));
}

/* A document without routes, and a policy from a configuration: one policy,
 * named default, whatever the path. */
static void test_path_ignored_without_routes(void)
{
    static const char doc[] = "{\"version\": 1, \"allowOrigins\": [\"https://app.example.com\"]}";
    corsguard_policy *from_doc = NULL, *from_config = NULL;
    corsguard_policy *policies[2];
    corsguard_config *config = NULL;
    corsguard_request r = get_from("https://app.example.com");
    corsguard_decision plain, routed;
    corsguard_str name;
    size_t count = 0, index = 99, i;

    CHECK_OK(corsguard_policy_from_json(S(doc), 0, &from_doc, NULL));
    CHECK_OK(corsguard_config_new(&config));
    CHECK_OK(corsguard_config_add_origin(config, S("https://app.example.com")));
    CHECK_OK(corsguard_policy_new(config, &from_config, NULL));
    CHECK_OK(corsguard_config_free(config));
    policies[0] = from_doc;
    policies[1] = from_config;

    for (i = 0; i < 2; i++) {
        const corsguard_policy *p = policies[i];
        CHECK_OK(corsguard_policy_served_count(p, &count));
        CHECK(count == 1);
        CHECK_OK(corsguard_policy_served_name(p, 0, &name));
        CHECK(STR_EQ(name, "default") && name.ptr[name.len] == '\0');
        CHECK_RC(corsguard_policy_served_name(p, 1, &name), CORSGUARD_RESULT_INVALID_ARGUMENT);
        index = 99;
        CHECK_OK(corsguard_policy_route(p, S("/anything/../at/all"), &index));
        CHECK(index == 0);
        CHECK_OK(corsguard_policy_route(p, NULL, 0, &index));
        CHECK(index == 0);

        CHECK_OK(corsguard_evaluate(p, &r, &plain));
        CHECK(plain.outcome == CORSGUARD_OUTCOME_ALLOWED);
        memset(&routed, 0, sizeof routed);
        CHECK_OK(corsguard_evaluate_path(p, NULL, 0, &r, &routed));
        CHECK(routed.outcome == plain.outcome && routed.header_count == plain.header_count);
        CHECK(routed.header_count > 0 && routed.headers[0].value == plain.headers[0].value);
        CHECK_OK(corsguard_evaluate_path(p, S("/static/../whatever"), &r, &routed));
        CHECK(routed.outcome == CORSGUARD_OUTCOME_ALLOWED && routed.header_count == plain.header_count);
    }
    CHECK_OK(corsguard_policy_free(from_doc));
    CHECK_OK(corsguard_policy_free(from_config));
}

/* Each served policy is built in its own smallest class: here the default
 * policy needs DEFAULT (40 origins), the named one SMALL. */
static void test_classes_per_policy(void)
{
    char doc[4096];
    size_t at = 0, i;
    int n;
    corsguard_policy *policy = NULL;
    corsguard_capacity_class class = CORSGUARD_CAPACITY_CLASS_AUTO;
    corsguard_request r;
    corsguard_decision d;
    size_t origins = 0, bytes = 0;

    at += (size_t)snprintf(doc + at, sizeof doc - at, "{\"version\": 1, \"allowOrigins\": [");
    for (i = 0; i < 40; i++) {
        at += (size_t)snprintf(doc + at, sizeof doc - at, "%s\"https://site-%zu.example.com\"", i ? ", " : "", i);
    }
    n = snprintf(doc + at, sizeof doc - at,
                 "], \"policies\": {\"small\": {\"allowOrigins\": [\"https://small.example.com\"]}},"
                 " \"routes\": [{\"path\": \"/small/**\", \"policy\": \"small\"},"
                 " {\"path\": \"/**\", \"policy\": \"default\"}]}");
    CHECK(n > 0 && at + (size_t)n < sizeof doc);
    at += (size_t)n;

    CHECK_OK(corsguard_policy_from_json(doc, at, 0, &policy, NULL));
    CHECK_OK(corsguard_policy_class(policy, &class));
    CHECK(class == CORSGUARD_CAPACITY_CLASS_DEFAULT);
    CHECK_OK(corsguard_policy_usage(policy, &origins, &bytes));
    CHECK(origins == 40);

    r = get_from("https://site-39.example.com");
    CHECK_OK(corsguard_evaluate_path(policy, S("/orders"), &r, &d));
    CHECK(d.outcome == CORSGUARD_OUTCOME_ALLOWED);
    CHECK_OK(corsguard_evaluate_path(policy, S("/small/x"), &r, &d));
    CHECK(d.outcome == CORSGUARD_OUTCOME_DENIED);
    r = get_from("https://small.example.com");
    CHECK_OK(corsguard_evaluate_path(policy, S("/small/x"), &r, &d));
    CHECK(d.outcome == CORSGUARD_OUTCOME_ALLOWED);
    CHECK(strcmp(served_name(policy, "/small"), "small") == 0);
    CHECK(strcmp(served_name(policy, "/"), "default") == 0);
    CHECK_OK(corsguard_policy_free(policy));
}

/* Routes that all say null: no policy is served at all. */
static void test_no_served_policy(void)
{
    static const char doc[] =
        "{\"version\": 1, \"allowOrigins\": [\"https://app.example.com\"],"
        " \"routes\": [{\"path\": \"/**\", \"policy\": null}]}";
    corsguard_policy *policy = NULL;
    corsguard_request r = get_from("https://app.example.com");
    corsguard_decision d;
    corsguard_str name;
    size_t count = 99, index = 99;

    CHECK_OK(corsguard_policy_from_json(S(doc), 0, &policy, NULL));
    CHECK_OK(corsguard_policy_served_count(policy, &count));
    CHECK(count == 0);
    CHECK_RC(corsguard_policy_served_name(policy, 0, &name), CORSGUARD_RESULT_INVALID_ARGUMENT);
    CHECK_RC(corsguard_policy_route(policy, S("/api"), &index), CORSGUARD_RESULT_NO_POLICY);
    CHECK_RC(corsguard_evaluate_path(policy, S("/api"), &r, &d), CORSGUARD_RESULT_NO_POLICY);
    CHECK(d.header_count == 0);
    CHECK_RC(corsguard_evaluate(policy, &r, &d), CORSGUARD_RESULT_NEEDS_PATH);
    CHECK_OK(corsguard_policy_free(policy));
}

static void test_arguments(void)
{
    corsguard_policy *policy = NULL;
    corsguard_request r = get_from("https://admin.example.com");
    corsguard_request no_method = r;
    corsguard_decision d;
    corsguard_str name;
    size_t count, index;
    uint64_t not_a_policy[8] = {0};

    CHECK_OK(corsguard_policy_from_json(ROUTED, sizeof ROUTED - 1, 0, &policy, NULL));
    no_method.method = NULL;

    CHECK_RC(corsguard_evaluate_path(NULL, S("/api"), &r, &d), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_evaluate_path(policy, S("/api"), NULL, &d), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_evaluate_path(policy, S("/api"), &r, NULL), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_evaluate_path(policy, S("/api"), &no_method, &d), CORSGUARD_RESULT_NULL_POINTER);
    /* A policy with routes needs the path; NULL with a length is an error
     * for any policy. */
    CHECK_RC(corsguard_evaluate_path(policy, NULL, 0, &r, &d), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_evaluate_path(policy, NULL, 4, &r, &d), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_evaluate_path(policy, "/api", SIZE_MAX, &r, &d), CORSGUARD_RESULT_INVALID_ARGUMENT);
    r.origin_verdict = 7;
    CHECK_RC(corsguard_evaluate_path(policy, S("/api"), &r, &d), CORSGUARD_RESULT_INVALID_ARGUMENT);
    r.origin_verdict = CORSGUARD_VERDICT_NONE;
    CHECK_RC(corsguard_evaluate_path((const corsguard_policy *)not_a_policy, S("/api"), &r, &d),
             CORSGUARD_RESULT_INVALID_HANDLE);

    CHECK_RC(corsguard_policy_route(NULL, S("/api"), &index), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_policy_route(policy, S("/api"), NULL), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_policy_route(policy, NULL, 0, &index), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_policy_route((const corsguard_policy *)not_a_policy, S("/api"), &index),
             CORSGUARD_RESULT_INVALID_HANDLE);

    CHECK_RC(corsguard_policy_served_count(NULL, &count), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_policy_served_count(policy, NULL), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_policy_served_count((const corsguard_policy *)not_a_policy, &count),
             CORSGUARD_RESULT_INVALID_HANDLE);
    CHECK_RC(corsguard_policy_served_name(NULL, 0, &name), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_policy_served_name(policy, 0, NULL), CORSGUARD_RESULT_NULL_POINTER);
    CHECK_RC(corsguard_policy_served_name(policy, SIZE_MAX, &name), CORSGUARD_RESULT_INVALID_ARGUMENT);

    CHECK_OK(corsguard_policy_free(policy));
}

/* The problems of policies and routes, with their own result codes. */
static void test_route_errors(void)
{
    static const char dot[] =
        "{\"version\": 1, \"allowOrigins\": [\"https://app.example.com\"],"
        " \"routes\": [{\"path\": \"/api/../admin\", \"policy\": \"default\"}]}";
    static const char unknown[] =
        "{\"version\": 1, \"policies\": {\"public\": {\"allowOrigins\": [\"*\"]}},"
        " \"routes\": [{\"path\": \"/api/**\", \"policy\": \"pubic\"}]}";
    static const char named_default[] =
        "{\"version\": 1, \"allowOrigins\": [\"https://app.example.com\"],"
        " \"policies\": {\"default\": {\"allowOrigins\": [\"*\"]}},"
        " \"routes\": [{\"path\": \"/**\", \"policy\": \"default\"}]}";
    static const char both[] =
        "{\"version\": 1, \"policies\": {\"a\": {\"allowOrigins\": [\"https://a.example.com/\"]},"
        " \"b\": {\"allowOrigins\": [\"*\"], \"allowCredentials\": true}},"
        " \"routes\": [{\"path\": \"/a/**\", \"policy\": \"a\"}, {\"path\": \"/b/**\", \"policy\": \"b\"}]}";
    corsguard_policy *policy = (corsguard_policy *)&policy; /* overwritten */
    corsguard_document_errors *errors = NULL;
    corsguard_problem p;
    size_t count = 0;

    CHECK_RC(corsguard_policy_from_json(S(dot), 0, &policy, &errors), CORSGUARD_RESULT_BAD_PATH_RULE);
    CHECK(policy == NULL);
    CHECK_OK(corsguard_document_errors_get(errors, 0, &p));
    CHECK(STR_EQ(p.code, "bad_path_rule") && p.result == CORSGUARD_RESULT_BAD_PATH_RULE);
    CHECK(STR_EQ(p.problem, "dot_segment"));
    CHECK(STR_EQ(p.path, "/routes/0/path"));
    CHECK_OK(corsguard_document_errors_free(errors));

    CHECK_RC(corsguard_policy_from_json(S(unknown), 0, &policy, &errors), CORSGUARD_RESULT_UNKNOWN_POLICY);
    CHECK_OK(corsguard_document_errors_get(errors, 0, &p));
    CHECK(STR_EQ(p.path, "/routes/0/policy"));
    CHECK(strstr(p.message.ptr, "public") != NULL);
    CHECK_OK(corsguard_document_errors_free(errors));

    CHECK_RC(corsguard_policy_from_json(S(named_default), 0, &policy, &errors), CORSGUARD_RESULT_BAD_POLICY_NAME);
    CHECK_OK(corsguard_document_errors_get(errors, 0, &p));
    CHECK(STR_EQ(p.path, "/policies/default"));
    CHECK_OK(corsguard_document_errors_free(errors));

    /* Every policy's problems at once, in document order. */
    CHECK_RC(corsguard_policy_from_json(S(both), 0, &policy, &errors), CORSGUARD_RESULT_MALFORMED_ORIGIN);
    CHECK_OK(corsguard_document_errors_count(errors, &count));
    CHECK(count == 2);
    CHECK_OK(corsguard_document_errors_get(errors, 0, &p));
    CHECK(STR_EQ(p.path, "/policies/a/allowOrigins/0"));
    CHECK_OK(corsguard_document_errors_get(errors, 1, &p));
    CHECK(STR_EQ(p.code, "wildcard_origin_with_credentials"));
    CHECK(p.path.len > 12 && memcmp(p.path.ptr, "/policies/b/", 12) == 0);
    CHECK_OK(corsguard_document_errors_free(errors));
}

/* Loading and freeing many routed documents, some refused: nothing leaks. */
static void test_repeated_loads(void)
{
    int i;
    for (i = 0; i < 200; i++) {
        corsguard_policy *policy = NULL;
        corsguard_document_errors *errors = NULL;
        CHECK_OK(corsguard_policy_from_json(ROUTED, sizeof ROUTED - 1, 0, &policy, &errors));
        CHECK_OK(corsguard_policy_free(policy));
        CHECK_RC(corsguard_policy_from_json(ROUTED, sizeof ROUTED - 8, 0, &policy, &errors),
                 CORSGUARD_RESULT_INVALID_JSON);
        CHECK_OK(corsguard_document_errors_free(errors));
    }
}

int main(void)
{
    test_routed_document();
    test_path_ignored_without_routes();
    test_classes_per_policy();
    test_no_served_policy();
    test_arguments();
    test_route_errors();
    test_repeated_loads();
    return check_report("test_routes");
}
