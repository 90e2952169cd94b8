/* Runs the shared conformance vectors (the JSON files of tests/vectors) through the C
 * API. The JSON is transcribed into a line format by
 * ffi-c/examples/vectors_to_lines.rs (its header documents the format); each
 * case's policy is its document's JSON text, loaded here with
 * corsguard_policy_from_json (in the smallest capacity class that holds it),
 * and every answer compared here comes from the C API, checked as
 * core/tests/vectors.rs checks the core's. Each request is evaluated for its
 * path (`/` when the case gives none) with corsguard_evaluate_path, after
 * corsguard_policy_route and corsguard_policy_served_name say which policy
 * serves it; corsguard_evaluate must give the same decision, or
 * CORSGUARD_RESULT_NEEDS_PATH for a document with routes.
 *
 * Usage: test_vectors <lines file> */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define MAX_EXPECTED_HEADERS 32
#define MAX_EXPECTED_ERRORS 16

/* A byte string decoded from `x<hex>`. */
typedef struct {
    char *ptr;
    size_t len;
    int present;
} bytes;

typedef struct {
    char name[96];
    bytes value;
} expected_header;

typedef struct {
    char code[64];
    bytes path;
} expected_error;

/* One case, as read from the file. */
typedef struct {
    bytes name;
    bytes policy; /* the document's JSON text */
    /* request */
    bytes method, origin, request_method, request_headers, request_private_network;
    int origin_verdict; /* -1 none, 0, 1 */
    bytes path; /* the request target; `/` when not present */
    int has_request;
    /* expect */
    int served_expected;
    bytes served; /* the served policy's name; present == 0 means none */
    char kind[32], outcome[32], reason[64], failures[96], action[32];
    bytes reason_detail;
    long status; /* -1 when not expected */
    long header_count; /* -1 when not expected */
    expected_header headers[MAX_EXPECTED_HEADERS];
    int body_expected;
    bytes body; /* present == 0 means null */
    /* expect_error */
    char error_code[64], error_problem[64];
    bytes error_path; /* of the first problem; present == 0 when not given */
    long error_count; /* -1 when the full list is not given */
    expected_error errors[MAX_EXPECTED_ERRORS];
    bytes contains[16];
    int contains_count;
    /* the host's verdict on the probe origins */
    unsigned probes;
    /* expect_findings: -1 when not a findings case */
    long finding_count;
    expected_error findings[MAX_EXPECTED_ERRORS];
} test_case;

static unsigned long cases_run;
static unsigned long cases_failed;
/* How many evaluated cases' policies were built in each capacity class. */
static unsigned long classes_used[4];
/* Evaluations that needed the path (documents with routes), and requests
 * that no policy served. */
static unsigned long routed_evaluations;
static unsigned long unserved_requests;

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes `x<hex>` into newly allocated bytes; exits on a malformed file. */
static bytes decode(const char *token)
{
    bytes b;
    size_t digits, i;
    if (token == NULL || token[0] != 'x') {
        fprintf(stderr, "test_vectors: malformed byte string %s\n", token ? token : "(missing)");
        exit(2);
    }
    digits = strlen(token + 1);
    b.len = digits / 2;
    b.ptr = malloc(b.len + 1);
    b.present = 1;
    if (b.ptr == NULL) {
        exit(2);
    }
    for (i = 0; i < b.len; i++) {
        int hi = hex_value(token[1 + 2 * i]), lo = hex_value(token[2 + 2 * i]);
        if (hi < 0 || lo < 0) {
            fprintf(stderr, "test_vectors: bad hex\n");
            exit(2);
        }
        b.ptr[i] = (char)(hi * 16 + lo);
    }
    b.ptr[b.len] = '\0';
    return b;
}

static void release(bytes *b)
{
    free(b->ptr);
    b->ptr = NULL;
    b->len = 0;
    b->present = 0;
}

static void copy_word(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) {
        fprintf(stderr, "test_vectors: word too long: %s\n", src);
        exit(2);
    }
    memcpy(dst, src, n + 1);
}

/* Reports one mismatch of the current case. */
static int case_ok;
static void mismatch(const test_case *c, const char *what, const char *want, const char *got)
{
    if (case_ok) {
        fprintf(stderr, "vector \"%s\":\n", c->name.ptr);
    }
    case_ok = 0;
    fprintf(stderr, "    %s: expected %s, got %s\n", what, want, got);
}

static void show_bytes(char *out, size_t cap, const char *ptr, size_t len)
{
    size_t i, at = 0;
    if (ptr == NULL) {
        snprintf(out, cap, "(none)");
        return;
    }
    for (i = 0; i < len && at + 8 < cap; i++) {
        unsigned char ch = (unsigned char)ptr[i];
        if (ch >= 0x20 && ch < 0x7f) {
            out[at++] = (char)ch;
        } else {
            at += (size_t)snprintf(out + at, cap - at, "\\x%02x", ch);
        }
    }
    if (i < len) {
        snprintf(out + at, cap - at, "...");
    } else {
        out[at] = '\0';
    }
}

static void failures_text(uint32_t bits, char *out, size_t cap)
{
    static const char *names[4] = {"origin", "method", "headers", "private-network"};
    size_t i;
    out[0] = '\0';
    for (i = 0; i < 4; i++) {
        if (bits & (1u << i)) {
            if (out[0] != '\0') {
                strncat(out, ",", cap - strlen(out) - 1);
            }
            strncat(out, names[i], cap - strlen(out) - 1);
        }
    }
    if (out[0] == '\0') {
        snprintf(out, cap, "-");
    }
}

static void build_request(const test_case *c, corsguard_request *r)
{
    memset(r, 0, sizeof *r);
    r->method = c->method.ptr;
    r->method_len = c->method.len;
    if (c->origin.present) { r->origin = c->origin.ptr; r->origin_len = c->origin.len; }
    if (c->request_method.present) { r->request_method = c->request_method.ptr; r->request_method_len = c->request_method.len; }
    if (c->request_headers.present) { r->request_headers = c->request_headers.ptr; r->request_headers_len = c->request_headers.len; }
    if (c->request_private_network.present) { r->request_private_network = c->request_private_network.ptr; r->request_private_network_len = c->request_private_network.len; }
    r->origin_verdict = c->origin_verdict < 0 ? CORSGUARD_VERDICT_NONE : c->origin_verdict ? CORSGUARD_VERDICT_ALLOWED : CORSGUARD_VERDICT_DENIED;
}

/* Whether two decisions are the same answer, borrowing the same bytes. */
static int same_decision(const corsguard_decision *a, const corsguard_decision *b)
{
    size_t i;
    if (a->kind != b->kind || a->outcome != b->outcome || a->reason != b->reason ||
        a->reason_detail != b->reason_detail || a->reason_detail_len != b->reason_detail_len ||
        a->failures != b->failures || a->action != b->action || a->status != b->status ||
        a->body != b->body || a->body_len != b->body_len || a->vary_merge != b->vary_merge ||
        a->header_count != b->header_count) {
        return 0;
    }
    for (i = 0; i < a->header_count; i++) {
        const corsguard_header *x = &a->headers[i], *y = &b->headers[i];
        if (x->id != y->id || x->name != y->name || x->name_len != y->name_len || x->value != y->value ||
            x->value_len != y->value_len) {
            return 0;
        }
    }
    return 1;
}

static void run_evaluation(test_case *c, corsguard_policy *policy, const char *path, size_t path_len)
{
    corsguard_request r;
    corsguard_decision d, plain;
    corsguard_result rc;
    char want[512], got[512];
    size_t i;

    build_request(c, &r);
    rc = corsguard_evaluate_path(policy, path, path_len, &r, &d);
    if (rc != CORSGUARD_RESULT_OK) {
        mismatch(c, "corsguard_evaluate_path", "ok", corsguard_result_code(rc).ptr);
        return;
    }
    /* Without routes the path is ignored: corsguard_evaluate answers the same. */
    rc = corsguard_evaluate(policy, &r, &plain);
    if (rc == CORSGUARD_RESULT_NEEDS_PATH) {
        routed_evaluations++;
    } else if (rc != CORSGUARD_RESULT_OK) {
        mismatch(c, "corsguard_evaluate", "ok or needs_path", corsguard_result_code(rc).ptr);
    } else if (!same_decision(&d, &plain)) {
        mismatch(c, "corsguard_evaluate", "the decision of corsguard_evaluate_path", "another one");
    }
    if (c->kind[0] && strcmp(c->kind, corsguard_kind_code(d.kind).ptr) != 0) {
        mismatch(c, "kind", c->kind, corsguard_kind_code(d.kind).ptr);
    }
    if (c->outcome[0] && strcmp(c->outcome, corsguard_outcome_code(d.outcome).ptr) != 0) {
        mismatch(c, "outcome", c->outcome, corsguard_outcome_code(d.outcome).ptr);
    }
    if (c->reason[0] && strcmp(c->reason, corsguard_reason_code(d.reason).ptr) != 0) {
        mismatch(c, "reason", c->reason, corsguard_reason_code(d.reason).ptr);
    }
    if (c->reason_detail.present) {
        if (d.reason_detail == NULL || d.reason_detail_len != c->reason_detail.len ||
            memcmp(d.reason_detail, c->reason_detail.ptr, d.reason_detail_len) != 0) {
            show_bytes(want, sizeof want, c->reason_detail.ptr, c->reason_detail.len);
            show_bytes(got, sizeof got, d.reason_detail, d.reason_detail_len);
            mismatch(c, "reason_detail", want, got);
        }
    }
    if (c->failures[0]) {
        failures_text(d.failures, got, sizeof got);
        if (strcmp(c->failures, got) != 0) {
            mismatch(c, "failures", c->failures, got);
        }
    }
    if (c->action[0]) {
        const char *action = d.action == CORSGUARD_ACTION_RESPOND ? "respond" : "continue";
        if (strcmp(c->action, action) != 0) {
            mismatch(c, "action", c->action, action);
        }
    }
    if (c->status >= 0 && (d.action != CORSGUARD_ACTION_RESPOND || d.status != c->status)) {
        snprintf(want, sizeof want, "%ld", c->status);
        snprintf(got, sizeof got, "%u (%s)", d.status, d.action == CORSGUARD_ACTION_RESPOND ? "respond" : "continue");
        mismatch(c, "status", want, got);
    }
    if (c->header_count >= 0) {
        int same = (size_t)c->header_count == d.header_count;
        for (i = 0; same && i < d.header_count; i++) {
            const corsguard_header *h = &d.headers[i];
            const expected_header *e = &c->headers[i];
            same = strlen(e->name) == h->name_len && memcmp(e->name, h->name, h->name_len) == 0 &&
                   e->value.len == h->value_len && memcmp(e->value.ptr, h->value, h->value_len) == 0;
        }
        if (!same) {
            size_t at = 0;
            for (i = 0; i < (size_t)c->header_count && at < sizeof want - 1; i++) {
                char v[160];
                show_bytes(v, sizeof v, c->headers[i].value.ptr, c->headers[i].value.len);
                at += (size_t)snprintf(want + at, sizeof want - at, "(%s, %s) ", c->headers[i].name, v);
            }
            if (c->header_count == 0) snprintf(want, sizeof want, "[]");
            at = 0;
            got[0] = '\0';
            for (i = 0; i < d.header_count && at < sizeof got - 1; i++) {
                char v[160];
                show_bytes(v, sizeof v, d.headers[i].value, d.headers[i].value_len);
                at += (size_t)snprintf(got + at, sizeof got - at, "(%s, %s) ", d.headers[i].name, v);
            }
            if (d.header_count == 0) snprintf(got, sizeof got, "[]");
            mismatch(c, "headers", want, got);
        }
    }
    for (i = 0; i < d.header_count; i++) {
        if (memchr(d.headers[i].value, '\r', d.headers[i].value_len) || memchr(d.headers[i].value, '\n', d.headers[i].value_len) ||
            memchr(d.headers[i].value, '\0', d.headers[i].value_len)) {
            mismatch(c, "header value", "no CR, LF or NUL", d.headers[i].name);
        }
    }
    if (c->body_expected) {
        int same = c->body.present ? (d.body != NULL && d.body_len == c->body.len && memcmp(d.body, c->body.ptr, d.body_len) == 0)
                                   : d.body == NULL;
        if (!same) {
            show_bytes(want, sizeof want, c->body.present ? c->body.ptr : NULL, c->body.len);
            show_bytes(got, sizeof got, d.body, d.body_len);
            mismatch(c, "body", want, got);
        }
    }
    /* Every decision also goes through the two writers. */
    {
        size_t needed = 0, len = 0;
        rc = corsguard_decision_write_headers(&d, 0, NULL, 0, &needed);
        if (rc != CORSGUARD_RESULT_OK && rc != CORSGUARD_RESULT_BUFFER_TOO_SMALL) {
            mismatch(c, "write_headers", "ok", corsguard_result_code(rc).ptr);
        } else {
            char *lines = malloc(needed + 1);
            if (lines != NULL && corsguard_decision_write_headers(&d, 0, lines, needed, &len) != CORSGUARD_RESULT_OK) {
                mismatch(c, "write_headers", "ok", "error");
            }
            free(lines);
        }
        rc = corsguard_decision_reason_message(&d, NULL, 0, &needed);
        if ((d.reason == CORSGUARD_REASON_NONE) != (rc == CORSGUARD_RESULT_OK && needed == 0)) {
            mismatch(c, "reason message", "one exactly when there is a reason", corsguard_result_code(rc).ptr);
        }
    }
}

/* Whether the `len` bytes at `ptr` are the `want` bytes. */
static int same(const char *ptr, size_t len, const bytes *want)
{
    return len == want->len && memcmp(ptr, want->ptr, len) == 0;
}

/* Which policy serves the case's path, checked against `expect.policy`; then
 * the evaluation with it, or, when none serves it, that nothing is written. */
static void run_routed(test_case *c, corsguard_policy *policy)
{
    const char *path = c->path.present ? c->path.ptr : "/";
    size_t path_len = c->path.present ? c->path.len : 1;
    size_t index = (size_t)-1, count = 0;
    corsguard_str name = {"", 0};
    corsguard_request r;
    corsguard_decision d;
    corsguard_result rc;
    int served;

    rc = corsguard_policy_route(policy, path, path_len, &index);
    if (rc != CORSGUARD_RESULT_OK && rc != CORSGUARD_RESULT_NO_POLICY) {
        mismatch(c, "corsguard_policy_route", "ok or no_policy", corsguard_result_code(rc).ptr);
        return;
    }
    served = rc == CORSGUARD_RESULT_OK;
    if (served && (corsguard_policy_served_count(policy, &count) != CORSGUARD_RESULT_OK || index >= count ||
                   corsguard_policy_served_name(policy, index, &name) != CORSGUARD_RESULT_OK ||
                   name.ptr[name.len] != '\0')) {
        mismatch(c, "corsguard_policy_served_name", "the name of the served policy", "an error");
        return;
    }
    if (c->served_expected && (c->served.present != served || (served && !same(name.ptr, name.len, &c->served)))) {
        mismatch(c, "policy", c->served.present ? c->served.ptr : "none (no CORS)", served ? name.ptr : "none (no CORS)");
    }
    if (served) {
        run_evaluation(c, policy, path, path_len);
        return;
    }
    unserved_requests++;
    build_request(c, &r);
    memset(&d, 0xa5, sizeof d);
    rc = corsguard_evaluate_path(policy, path, path_len, &r, &d);
    if (rc != CORSGUARD_RESULT_NO_POLICY) {
        mismatch(c, "corsguard_evaluate_path", "no_policy", corsguard_result_code(rc).ptr);
    } else if (d.header_count != 0 || d.action != CORSGUARD_ACTION_CONTINUE || d.outcome != CORSGUARD_OUTCOME_NOT_CORS) {
        mismatch(c, "decision without a policy", "no headers, continue, not_cors", "another decision");
    }
    if (c->header_count > 0) {
        mismatch(c, "headers", "some headers", "none: no policy serves the path");
    }
}

/* Checks a refused document's errors against `expect_error`. */
static void check_errors(test_case *c, corsguard_result rc, const corsguard_document_errors *errors)
{
    corsguard_problem first, p;
    corsguard_str message;
    size_t count = 0, i;
    char got[256];

    if (corsguard_document_errors_count(errors, &count) != CORSGUARD_RESULT_OK || count == 0 ||
        corsguard_document_errors_get(errors, 0, &first) != CORSGUARD_RESULT_OK ||
        corsguard_document_errors_message(errors, &message) != CORSGUARD_RESULT_OK) {
        mismatch(c, "errors", "at least one problem", "none");
        return;
    }
    if (strcmp(c->error_code, first.code.ptr) != 0) {
        mismatch(c, "code", c->error_code, message.ptr);
    }
    /* The result code is the first problem's. */
    if (rc != first.result || strcmp(corsguard_result_code(rc).ptr, first.code.ptr) != 0) {
        mismatch(c, "result code", first.code.ptr, corsguard_result_code(rc).ptr);
    }
    if (c->error_path.present && !same(first.path.ptr, first.path.len, &c->error_path)) {
        mismatch(c, "path", c->error_path.ptr, first.path.ptr);
    }
    for (i = 0; i < count; i++) {
        if (corsguard_document_errors_get(errors, i, &p) != CORSGUARD_RESULT_OK) {
            mismatch(c, "corsguard_document_errors_get", "ok", "an error");
        } else if (p.rule.len == 0 || p.fix.len == 0) {
            mismatch(c, "problem", "a rule and a fix", p.message.ptr);
        }
    }
    if (c->error_count >= 0) {
        if ((long)count != c->error_count) {
            snprintf(got, sizeof got, "%zu problems: %s", count, message.ptr);
            mismatch(c, "errors", "another number of problems", got);
        }
        for (i = 0; i < count && (long)i < c->error_count; i++) {
            if (corsguard_document_errors_get(errors, i, &p) != CORSGUARD_RESULT_OK) continue;
            if (strcmp(p.code.ptr, c->errors[i].code) != 0 || !same(p.path.ptr, p.path.len, &c->errors[i].path)) {
                snprintf(got, sizeof got, "problem %zu: %s at %s", i, p.code.ptr, p.path.ptr);
                mismatch(c, "errors", c->errors[i].code, got);
            }
        }
    } else if (count > 1) {
        mismatch(c, "errors", "one problem", message.ptr);
    }
    if (c->error_problem[0]) {
        if (strcmp(c->error_problem, first.problem.ptr) != 0) {
            mismatch(c, "problem", c->error_problem, first.problem.len ? first.problem.ptr : "none");
        }
    } else if (strcmp(c->error_code, "malformed_origin") == 0) {
        mismatch(c, "problem", "a malformed_origin error with its `problem`", "none given");
    }
    for (i = 0; i < (size_t)c->contains_count; i++) {
        /* The message may hold a NUL (an entry quoted verbatim). */
        size_t n = c->contains[i].len, at;
        int found = 0;
        for (at = 0; !found && at + n <= message.len; at++) {
            found = memcmp(message.ptr + at, c->contains[i].ptr, n) == 0;
        }
        if (!found) {
            mismatch(c, "message contains", c->contains[i].ptr, message.ptr);
        }
    }
}

/* Checks corsguard_document_findings against `expect_findings`. */
static void run_findings(test_case *c)
{
    corsguard_document_errors *found = NULL;
    corsguard_problem p;
    corsguard_str message;
    size_t count = 0, i;
    char got[160];
    corsguard_result rc = corsguard_document_findings(c->policy.ptr, c->policy.len, (uint8_t)c->probes, &found);
    if (rc != CORSGUARD_RESULT_OK || found == NULL) {
        mismatch(c, "corsguard_document_findings", "ok", corsguard_result_code(rc).ptr);
        corsguard_document_errors_free(found);
        return;
    }
    corsguard_document_errors_count(found, &count);
    if ((long)count != c->finding_count) {
        corsguard_document_errors_message(found, &message);
        mismatch(c, "findings", "another number of findings", message.ptr);
    } else {
        for (i = 0; i < count; i++) {
            corsguard_document_errors_get(found, i, &p);
            if (strcmp(p.code.ptr, c->findings[i].code) != 0 || !same(p.path.ptr, p.path.len, &c->findings[i].path)) {
                snprintf(got, sizeof got, "%s at %s", p.code.ptr, p.path.ptr);
                mismatch(c, "finding", c->findings[i].code, got);
            }
            if (p.rule.len == 0 || p.fix.len == 0) {
                mismatch(c, "finding", "a rule and a fix", p.message.ptr);
            }
        }
    }
    corsguard_document_errors_free(found);
}

static void run_case(test_case *c)
{
    corsguard_policy *policy = NULL;
    corsguard_document_errors *errors = NULL;
    corsguard_str message;
    corsguard_result rc;

    cases_run++;
    case_ok = 1;
    if (c->finding_count >= 0) {
        run_findings(c);
        if (!case_ok) {
            cases_failed++;
        }
        return;
    }
    rc = corsguard_policy_from_json(c->policy.ptr, c->policy.len, (uint8_t)c->probes, &policy, &errors);
    if (c->error_code[0]) {
        if (rc == CORSGUARD_RESULT_OK) {
            mismatch(c, "error", c->error_code, "a policy");
            corsguard_policy_free(policy);
        } else if (errors == NULL) {
            mismatch(c, "errors", c->error_code, corsguard_result_code(rc).ptr);
        } else {
            check_errors(c, rc, errors);
        }
    } else if (rc != CORSGUARD_RESULT_OK) {
        if (errors != NULL && corsguard_document_errors_message(errors, &message) == CORSGUARD_RESULT_OK) {
            mismatch(c, "corsguard_policy_from_json", "ok", message.ptr);
        } else {
            mismatch(c, "corsguard_policy_from_json", "ok", corsguard_result_code(rc).ptr);
        }
    } else {
        corsguard_capacity_class class = CORSGUARD_CAPACITY_CLASS_AUTO;
        if (corsguard_policy_class(policy, &class) == CORSGUARD_RESULT_OK && class > 0 && class < 4) {
            classes_used[class]++;
        }
        run_routed(c, policy);
        corsguard_policy_free(policy);
    }
    corsguard_document_errors_free(errors);
    if (!case_ok) {
        cases_failed++;
    }
}

static void reset(test_case *c)
{
    int i;
    release(&c->name);
    release(&c->policy);
    release(&c->error_path);
    for (i = 0; i < MAX_EXPECTED_ERRORS; i++) {
        release(&c->errors[i].path);
        release(&c->findings[i].path);
    }
    release(&c->method);
    release(&c->origin);
    release(&c->request_method);
    release(&c->request_headers);
    release(&c->request_private_network);
    release(&c->path);
    release(&c->served);
    release(&c->reason_detail);
    release(&c->body);
    for (i = 0; i < MAX_EXPECTED_HEADERS; i++) {
        release(&c->headers[i].value);
    }
    for (i = 0; i < c->contains_count; i++) {
        release(&c->contains[i]);
    }
    memset(c, 0, sizeof *c);
    c->origin_verdict = -1;
    c->status = -1;
    c->header_count = -1;
    c->error_count = -1;
    c->finding_count = -1;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data;
    long size;
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = malloc((size_t)size + 1);
    if (data == NULL || fread(data, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "test_vectors: cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    data[size] = '\0';
    *len = (size_t)size;
    return data;
}

int main(int argc, char **argv)
{
    size_t len;
    char *data, *line, *next;
    test_case *c;
    long expected_headers_seen = 0, expected_errors_seen = 0, expected_findings_seen = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: %s <vectors.lines>\n", argv[0]);
        return 2;
    }
    data = read_file(argv[1], &len);
    c = calloc(1, sizeof *c);
    if (c == NULL) {
        return 2;
    }
    reset(c);
    for (line = data; line < data + len; line = next) {
        char *section, *key, *value, *rest;
        next = strchr(line, '\n');
        if (next == NULL) {
            next = data + len;
        } else {
            *next++ = '\0';
        }
        section = line;
        key = strchr(section, ' ');
        if (key != NULL) *key++ = '\0';
        value = key ? strchr(key, ' ') : NULL;
        if (value != NULL) *value++ = '\0';

        if (strcmp(section, "case") == 0) {
            reset(c);
            c->name = decode(key);
            expected_headers_seen = 0;
            expected_errors_seen = 0;
            expected_findings_seen = 0;
        } else if (strcmp(section, "end") == 0) {
            run_case(c);
        } else if (strcmp(section, "policy") == 0) {
            release(&c->policy);
            c->policy = decode(key);
        } else if (strcmp(section, "req") == 0) {
            c->has_request = 1;
            if (strcmp(key, "origin_verdict") == 0) c->origin_verdict = value[0] == '1';
            else if (strcmp(key, "method") == 0) c->method = decode(value);
            else if (strcmp(key, "origin") == 0) c->origin = decode(value);
            else if (strcmp(key, "request_method") == 0) c->request_method = decode(value);
            else if (strcmp(key, "request_headers") == 0) c->request_headers = decode(value);
            else if (strcmp(key, "request_private_network") == 0) c->request_private_network = decode(value);
            else if (strcmp(key, "path") == 0) c->path = decode(value);
            else { fprintf(stderr, "test_vectors: unknown request key %s\n", key); return 2; }
        } else if (strcmp(section, "exp") == 0) {
            if (strcmp(key, "policy") == 0) {
                c->served_expected = 1;
                if (strcmp(value, "none") != 0) c->served = decode(value);
            } else if (strcmp(key, "kind") == 0) copy_word(c->kind, sizeof c->kind, value);
            else if (strcmp(key, "outcome") == 0) copy_word(c->outcome, sizeof c->outcome, value);
            else if (strcmp(key, "reason") == 0) copy_word(c->reason, sizeof c->reason, value);
            else if (strcmp(key, "failures") == 0) copy_word(c->failures, sizeof c->failures, value);
            else if (strcmp(key, "action") == 0) copy_word(c->action, sizeof c->action, value);
            else if (strcmp(key, "reason_detail") == 0) c->reason_detail = decode(value);
            else if (strcmp(key, "status") == 0) c->status = strtol(value, NULL, 10);
            else if (strcmp(key, "headers") == 0) {
                c->header_count = strtol(value, NULL, 10);
                if (c->header_count > MAX_EXPECTED_HEADERS) { fprintf(stderr, "test_vectors: too many headers\n"); return 2; }
            } else if (strcmp(key, "header") == 0) {
                rest = strchr(value, ' ');
                if (rest == NULL || expected_headers_seen >= MAX_EXPECTED_HEADERS) { fprintf(stderr, "test_vectors: bad header line\n"); return 2; }
                *rest++ = '\0';
                copy_word(c->headers[expected_headers_seen].name, sizeof c->headers[0].name, value);
                c->headers[expected_headers_seen].value = decode(rest);
                expected_headers_seen++;
            } else if (strcmp(key, "body") == 0) {
                c->body_expected = 1;
                if (strcmp(value, "none") != 0) c->body = decode(value);
            } else { fprintf(stderr, "test_vectors: unknown expect key %s\n", key); return 2; }
        } else if (strcmp(section, "err") == 0) {
            if (strcmp(key, "code") == 0) copy_word(c->error_code, sizeof c->error_code, value);
            else if (strcmp(key, "problem") == 0) copy_word(c->error_problem, sizeof c->error_problem, value);
            else if (strcmp(key, "path") == 0) c->error_path = decode(value);
            else if (strcmp(key, "errors") == 0) {
                c->error_count = strtol(value, NULL, 10);
                if (c->error_count > MAX_EXPECTED_ERRORS) { fprintf(stderr, "test_vectors: too many errors\n"); return 2; }
            } else if (strcmp(key, "error") == 0) {
                rest = strchr(value, ' ');
                if (rest == NULL || expected_errors_seen >= MAX_EXPECTED_ERRORS) { fprintf(stderr, "test_vectors: bad error line\n"); return 2; }
                *rest++ = '\0';
                copy_word(c->errors[expected_errors_seen].code, sizeof c->errors[0].code, value);
                c->errors[expected_errors_seen].path = decode(rest);
                expected_errors_seen++;
            }
            else if (strcmp(key, "contains") == 0 && c->contains_count < 16) c->contains[c->contains_count++] = decode(value);
            else { fprintf(stderr, "test_vectors: unknown error key %s\n", key); return 2; }
        } else if (strcmp(section, "probes") == 0) {
            c->probes = (unsigned)strtoul(key, NULL, 10);
        } else if (strcmp(section, "findings") == 0) {
            c->finding_count = strtol(key, NULL, 10);
            if (c->finding_count > MAX_EXPECTED_ERRORS) { fprintf(stderr, "test_vectors: too many findings\n"); return 2; }
        } else if (strcmp(section, "finding") == 0) {
            if (value == NULL || expected_findings_seen >= MAX_EXPECTED_ERRORS) { fprintf(stderr, "test_vectors: bad finding line\n"); return 2; }
            copy_word(c->findings[expected_findings_seen].code, sizeof c->findings[0].code, key);
            c->findings[expected_findings_seen].path = decode(value);
            expected_findings_seen++;
        } else if (section[0] != '\0') {
            fprintf(stderr, "test_vectors: unknown line %s\n", section);
            return 2;
        }
    }
    reset(c);
    free(c);
    free(data);
    printf("test_vectors: policies built in SMALL %lu, DEFAULT %lu, LARGE %lu\n", classes_used[1],
           classes_used[2], classes_used[3]);
    printf("test_vectors: %lu evaluations routed by path, %lu requests no policy served\n", routed_evaluations,
           unserved_requests);
    printf("test_vectors: %lu vector cases, %lu failed\n", cases_run, cases_failed);
    check_count = cases_run;
    check_failed = cases_failed;
    if (cases_run == 0) {
        fprintf(stderr, "test_vectors: no cases\n");
        return 1;
    }
    return cases_failed == 0 ? 0 : 1;
}
