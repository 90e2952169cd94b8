/* The corsguard demo on libmicrohttpd and the C library: a frontend page on
 * http://localhost:3000 and a JSON API on http://localhost:8080 that a
 * corsguard policy protects, the same API the Node, Python and Rust demo
 * servers answer.
 *
 *   make -C examples/c-server && ./examples/c-server/corsguard-c-server [api-port]
 *
 * Environment:
 *   DEMO_API_PORT   the API port when no argument is given (else $PORT, else 8080)
 *   DEMO_PAGE_PORT  the page port (3000); 0 serves no page
 *   DEMO_ALT_PAGE_PORT  a second page port (the page port + 1; 0: none): the
 *                   same page on another origin, for the page's playground
 *   DEMO_POLICY     the policy file (examples/demo/policy.json): a policy
 *                   document (docs/policy.md), loaded by corsguard_policy_from_json;
 *                   with `routes`, each path gets the policy its routes say
 *   DEMO_PAGE       the page (examples/demo/index.html)
 *   DEMO_WASM       the playground's explainer (target/demo/corsguard-explain.wasm,
 *                   built by examples/demo/build.sh)
 *   DEMO_HOST       the IPv4 address to listen on (127.0.0.1)
 *
 * API routes: GET /api/hello, POST /api/items, DELETE /api/items/<id>,
 * POST /api/login (sets the cookie demo_session), GET /api/me (reads it),
 * GET /api/exposed (X-Corsguard-Demo, exposed; X-Hidden, not), GET and POST
 * /api/decisions (the decision log; POST clears it), POST /api/case/<id>
 * (tags the next decisions); anything else 404. Page routes (on both page
 * ports): GET / (the page), GET /corsguard-explain.wasm and GET /policy.json
 * (the DEMO_WASM and DEMO_POLICY files, read on each request).
 *
 * Every API request goes through the policy first (corsguard_evaluate_path:
 * the policy serving its path): a preflight is answered by the decision, any
 * other request by the application, with the decision's headers added (Vary
 * merged into the application's own, never replacing it); a path no policy
 * serves gets no CORS headers at all. Refusals are logged on stderr. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <corsguard.h>
#include <microhttpd.h>

#define RUNTIME_JSON "\"runtime\":\"c\",\"server\":\"libmicrohttpd + libcorsguard (C)\""
#define LOG_LIMIT 200
#define ENTRY_MAX 4096

static corsguard_policy *policy;

/* The page, with the API URL and the second page port filled in. */
static char *page;
static size_t page_len;
/* The files the page's playground loads. */
static const char *policy_file;
static const char *wasm_file;
static char *read_file(const char *path, size_t *len);

/* Marks a request whose body is still arriving. */
static int request_started;

/* ---- the decision log ------------------------------------------------------ */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char current_case[64];
static char *log_entries[LOG_LIMIT]; /* each one rendered JSON object */
static size_t log_count;

/* A growing string; on allocation failure it stays marked failed. */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
    int failed;
} buf;

static void buf_add(buf *b, const char *s, size_t n)
{
    if (b->failed) {
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *grown;
        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        grown = realloc(b->data, cap);
        if (grown == NULL) {
            b->failed = 1;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void buf_str(buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

/* Appends bytes as a JSON string; bytes that are not printable ASCII are
 * written as \u00XX (Latin-1), so the output is always valid JSON. */
static void buf_json(buf *b, const char *s, size_t n)
{
    size_t i;
    buf_add(b, "\"", 1);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            buf_add(b, esc, 2);
        } else if (c < 0x20 || c >= 0x7f) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            buf_add(b, esc, 6);
        } else {
            buf_add(b, (const char *)&s[i], 1);
        }
    }
    buf_add(b, "\"", 1);
}

static void record(const char *method, const char *url, const corsguard_decision *d)
{
    buf b = {0};
    char message[512];
    size_t len = 0;
    size_t i;

    pthread_mutex_lock(&log_lock);
    if (log_count >= LOG_LIMIT) {
        pthread_mutex_unlock(&log_lock);
        return;
    }
    buf_str(&b, "{\"case\":");
    buf_json(&b, current_case, strlen(current_case));
    pthread_mutex_unlock(&log_lock);

    buf_str(&b, ",\"method\":");
    buf_json(&b, method, strlen(method));
    buf_str(&b, ",\"path\":");
    buf_json(&b, url, strlen(url));
    buf_str(&b, ",\"outcome\":");
    buf_str(&b, "\"");
    buf_str(&b, corsguard_outcome_code(d->outcome).ptr);
    buf_str(&b, "\",\"reason\":");
    if (d->reason != CORSGUARD_REASON_NONE &&
        corsguard_decision_reason_message(d, message, sizeof message, &len) == CORSGUARD_RESULT_OK) {
        buf_json(&b, message, len);
    } else {
        buf_str(&b, "null");
    }
    buf_str(&b, ",\"headers\":[");
    for (i = 0; i < d->header_count; i++) {
        buf line = {0};
        if (i > 0) {
            buf_str(&b, ",");
        }
        buf_add(&line, d->headers[i].name, d->headers[i].name_len);
        buf_str(&line, ": ");
        buf_add(&line, d->headers[i].value, d->headers[i].value_len);
        if (line.failed) {
            b.failed = 1;
        } else {
            buf_json(&b, line.data, line.len);
        }
        free(line.data);
    }
    buf_str(&b, "]}");
    if (b.failed || b.len > ENTRY_MAX) {
        free(b.data);
        return;
    }
    pthread_mutex_lock(&log_lock);
    if (log_count < LOG_LIMIT) {
        log_entries[log_count++] = b.data;
        b.data = NULL;
    }
    pthread_mutex_unlock(&log_lock);
    free(b.data);
}

static char *decisions_json(size_t *len)
{
    buf b = {0};
    size_t i;
    buf_str(&b, "[");
    pthread_mutex_lock(&log_lock);
    for (i = 0; i < log_count; i++) {
        if (i > 0) {
            buf_str(&b, ",");
        }
        buf_str(&b, log_entries[i]);
    }
    pthread_mutex_unlock(&log_lock);
    buf_str(&b, "]");
    if (b.failed) {
        free(b.data);
        return NULL;
    }
    *len = b.len;
    return b.data;
}

static void clear_log(void)
{
    size_t i;
    pthread_mutex_lock(&log_lock);
    for (i = 0; i < log_count; i++) {
        free(log_entries[i]);
    }
    log_count = 0;
    pthread_mutex_unlock(&log_lock);
}

/* Tags later decisions with `id`, keeping only [A-Za-z0-9._-]. */
static void tag_case(const char *id)
{
    size_t i, n = 0;
    pthread_mutex_lock(&log_lock);
    for (i = 0; id[i] != '\0' && n + 1 < sizeof current_case; i++) {
        unsigned char c = (unsigned char)id[i];
        if (isalnum(c) || c == '-' || c == '_' || c == '.') {
            current_case[n++] = (char)c;
        }
    }
    current_case[n] = '\0';
    pthread_mutex_unlock(&log_lock);
}

/* ---- CORS ------------------------------------------------------------------ */

/* The CORS request headers, as (pointer, length) ranges into MHD's copies.
 * Access-Control-Request-Headers may come on several lines: they are joined
 * with "," as the Fetch standard's header list does. */
typedef struct {
    const char *origin;
    size_t origin_len;
    const char *request_method;
    size_t request_method_len;
    const char *request_private_network;
    size_t request_private_network_len;
    char request_headers[8192];
    size_t request_headers_len;
    int has_request_headers;
    int request_headers_too_long;
} cors_headers;

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                               const char *value, size_t value_size)
{
    cors_headers *h = cls;
    (void)kind;
    (void)key_size;
    if (strcasecmp(key, "Origin") == 0 && h->origin == NULL) {
        h->origin = value;
        h->origin_len = value_size;
    } else if (strcasecmp(key, "Access-Control-Request-Method") == 0 && h->request_method == NULL) {
        h->request_method = value;
        h->request_method_len = value_size;
    } else if (strcasecmp(key, "Access-Control-Request-Private-Network") == 0 && h->request_private_network == NULL) {
        h->request_private_network = value;
        h->request_private_network_len = value_size;
    } else if (strcasecmp(key, "Access-Control-Request-Headers") == 0) {
        size_t extra = h->has_request_headers ? 1 : 0;
        if (h->request_headers_len + extra + value_size > sizeof h->request_headers) {
            h->request_headers_too_long = 1;
        } else {
            if (extra) {
                h->request_headers[h->request_headers_len++] = ',';
            }
            memcpy(h->request_headers + h->request_headers_len, value, value_size);
            h->request_headers_len += value_size;
            h->has_request_headers = 1;
        }
    }
    return MHD_YES;
}

/* Adds the decision's headers to the response. Vary is merged into the
 * response's own Vary as the policy says; every other header is set. */
static int add_cors_headers(struct MHD_Response *response, const corsguard_decision *d)
{
    size_t i;
    for (i = 0; i < d->header_count; i++) {
        const corsguard_header *h = &d->headers[i];
        char value[8192];
        size_t len = 0;
        if (h->id == CORSGUARD_HEADER_NAME_VARY) {
            const char *existing = MHD_get_response_header(response, "Vary");
            size_t existing_len = existing ? strlen(existing) : 0;
            if (corsguard_vary_merge(d->vary_merge, existing, existing_len, h->value, h->value_len,
                                     value, sizeof value - 1, &len) != CORSGUARD_RESULT_OK) {
                return 0;
            }
            value[len] = '\0';
            if (existing != NULL) {
                char old[8192];
                snprintf(old, sizeof old, "%s", existing);
                MHD_del_response_header(response, "Vary", old);
            }
        } else {
            if (h->value_len >= sizeof value) {
                return 0;
            }
            memcpy(value, h->value, h->value_len);
            value[h->value_len] = '\0';
        }
        if (MHD_add_response_header(response, h->name, value) != MHD_YES) {
            return 0;
        }
    }
    return 1;
}

static void log_refusal(const char *method, const char *url, const corsguard_decision *d)
{
    char message[512];
    size_t len = 0;
    if (d->reason == CORSGUARD_REASON_NONE) {
        return;
    }
    if (corsguard_decision_reason_message(d, message, sizeof message, &len) != CORSGUARD_RESULT_OK) {
        len = 0;
    }
    fprintf(stderr, "cors: refused %s %s (%s): %.*s\n", method, url, corsguard_reason_code(d->reason).ptr,
            (int)len, message);
}

/* ---- the application ------------------------------------------------------- */

static int is_bookkeeping(const char *url)
{
    return strcmp(url, "/api/decisions") == 0 || strncmp(url, "/api/case/", 10) == 0;
}

static struct MHD_Response *json_response(const char *body)
{
    return MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
}

/* What the API answers, CORS aside. */
static struct MHD_Response *application(struct MHD_Connection *connection, const char *method, const char *url,
                                        unsigned *status)
{
    struct MHD_Response *response = NULL;
    int is_get = strcmp(method, "GET") == 0;
    int is_post = strcmp(method, "POST") == 0;
    *status = MHD_HTTP_OK;

    if (is_get && strcmp(url, "/api/hello") == 0) {
        response = json_response("{\"message\":\"hello from the API\"," RUNTIME_JSON "}");
    } else if (is_post && strcmp(url, "/api/items") == 0) {
        *status = MHD_HTTP_CREATED;
        response = json_response("{\"created\":\"teapot\"}");
    } else if (strcmp(method, "DELETE") == 0 && strncmp(url, "/api/items/", 11) == 0) {
        response = json_response("{\"deleted\":true}");
    } else if (is_post && strcmp(url, "/api/login") == 0) {
        response = json_response("{\"logged_in\":true}");
        if (response != NULL) {
            MHD_add_response_header(response, "Set-Cookie", "demo_session=s3cr3t; Path=/; SameSite=Lax; HttpOnly");
        }
    } else if (is_get && strcmp(url, "/api/me") == 0) {
        const char *session = MHD_lookup_connection_value(connection, MHD_COOKIE_KIND, "demo_session");
        buf b = {0};
        buf_str(&b, "{\"session\":");
        buf_json(&b, session ? session : "", session ? strlen(session) : 0);
        buf_str(&b, "}");
        if (!b.failed) {
            response = MHD_create_response_from_buffer(b.len, b.data, MHD_RESPMEM_MUST_FREE);
        } else {
            free(b.data);
        }
    } else if (is_get && strcmp(url, "/api/exposed") == 0) {
        response = json_response("{\"headers\":\"X-Corsguard-Demo is exposed, X-Hidden is not\"}");
        if (response != NULL) {
            MHD_add_response_header(response, "X-Corsguard-Demo", "exposed-value");
            MHD_add_response_header(response, "X-Hidden", "hidden-value");
        }
    } else if (is_get && strcmp(url, "/api/decisions") == 0) {
        size_t len = 0;
        char *body = decisions_json(&len);
        if (body != NULL) {
            response = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
        }
    } else if (is_post && strcmp(url, "/api/decisions") == 0) {
        clear_log();
        response = json_response("{}");
    } else if (is_post && strncmp(url, "/api/case/", 10) == 0) {
        tag_case(url + 10);
        response = json_response("{}");
    } else {
        *status = MHD_HTTP_NOT_FOUND;
        response = json_response("{\"error\":\"not found\"}");
    }
    if (response != NULL) {
        MHD_add_response_header(response, "Content-Type", "application/json");
        /* The application's own Vary, which CORS must add to, not replace. */
        MHD_add_response_header(response, "Vary", "Accept-Encoding");
    }
    return response;
}

static enum MHD_Result handle_api(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **request_state)
{
    cors_headers h;
    corsguard_request request;
    corsguard_decision d;
    struct MHD_Response *response;
    unsigned status = 0;
    enum MHD_Result queued;
    corsguard_result rc;
    (void)cls;
    (void)version;
    (void)upload_data;

    /* Read the whole request (this API ignores bodies) before answering. */
    if (*request_state == NULL) {
        *request_state = &request_started;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0;
        return MHD_YES;
    }

    memset(&h, 0, sizeof h);
    MHD_get_connection_values_n(connection, MHD_HEADER_KIND, collect, &h);
    if (h.request_headers_too_long) {
        response = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        queued = MHD_queue_response(connection, MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE, response);
        MHD_destroy_response(response);
        return queued;
    }
    memset(&request, 0, sizeof request);
    request.method = method;
    request.method_len = strlen(method);
    request.origin = h.origin;
    request.origin_len = h.origin_len;
    request.request_method = h.request_method;
    request.request_method_len = h.request_method_len;
    request.request_private_network = h.request_private_network;
    request.request_private_network_len = h.request_private_network_len;
    if (h.has_request_headers) {
        request.request_headers = h.request_headers;
        request.request_headers_len = h.request_headers_len;
    }
    /* The path as libmicrohttpd hands it to the application below (query
     * removed, percent-decoded): a policy document with routes picks its
     * policy by the same path the application dispatches on. */
    rc = corsguard_evaluate_path(policy, url, strlen(url), &request, &d);
    if (rc == CORSGUARD_RESULT_OK) {
        log_refusal(method, url, &d);
        if (!is_bookkeeping(url)) {
            record(method, url, &d);
        }
    } else if (rc != CORSGUARD_RESULT_NO_POLICY) {
        return MHD_NO;
    }
    /* With NO_POLICY the routes leave CORS off this path: `d` then says
     * continue, with no headers, so the application answers alone. */

    if (d.action == CORSGUARD_ACTION_RESPOND) {
        /* A preflight, answered by the policy alone. */
        response = MHD_create_response_from_buffer(d.body_len, (void *)d.body, MHD_RESPMEM_MUST_COPY);
        if (response != NULL && d.body != NULL) {
            MHD_add_response_header(response, "Content-Type", "text/plain; charset=utf-8");
        }
        status = d.status;
    } else {
        response = application(connection, method, url, &status);
    }
    if (response == NULL || !add_cors_headers(response, &d)) {
        if (response != NULL) {
            MHD_destroy_response(response);
        }
        return MHD_NO;
    }
    queued = MHD_queue_response(connection, status, response);
    MHD_destroy_response(response);
    return queued;
}

static enum MHD_Result handle_page(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                                   const char *version, const char *upload_data, size_t *upload_data_size,
                                   void **request_state)
{
    struct MHD_Response *response;
    enum MHD_Result queued;
    unsigned status = MHD_HTTP_OK;
    (void)cls;
    (void)version;
    (void)upload_data;
    if (*request_state == NULL) {
        *request_state = &request_started;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (strcmp(method, "GET") == 0 && strcmp(url, "/") == 0) {
        response = MHD_create_response_from_buffer(page_len, page, MHD_RESPMEM_PERSISTENT);
        if (response != NULL) {
            MHD_add_response_header(response, "Content-Type", "text/html; charset=utf-8");
        }
    } else if (strcmp(method, "GET") == 0 &&
               (strcmp(url, "/corsguard-explain.wasm") == 0 || strcmp(url, "/policy.json") == 0)) {
        int wasm = strcmp(url, "/corsguard-explain.wasm") == 0;
        size_t len = 0;
        char *bytes = read_file(wasm ? wasm_file : policy_file, &len);
        if (bytes != NULL) {
            response = MHD_create_response_from_buffer(len, bytes, MHD_RESPMEM_MUST_FREE);
            if (response == NULL) {
                free(bytes);
            } else {
                MHD_add_response_header(response, "Content-Type", wasm ? "application/wasm" : "application/json");
                MHD_add_response_header(response, "Cache-Control", "no-store");
            }
        } else {
            static const char missing[] = "not found (run examples/demo/build.sh)";
            status = MHD_HTTP_NOT_FOUND;
            response = MHD_create_response_from_buffer(sizeof missing - 1, (void *)missing, MHD_RESPMEM_PERSISTENT);
        }
    } else {
        status = MHD_HTTP_NOT_FOUND;
        response = MHD_create_response_from_buffer(9, (void *)"not found", MHD_RESPMEM_PERSISTENT);
    }
    if (response == NULL) {
        return MHD_NO;
    }
    queued = MHD_queue_response(connection, status, response);
    MHD_destroy_response(response);
    return queued;
}

/* ---- files ----------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    buf b = {0};
    char chunk[4096];
    size_t n;
    if (f == NULL) {
        return NULL;
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        buf_add(&b, chunk, n);
    }
    if (ferror(f) || b.failed || b.data == NULL) {
        fclose(f);
        free(b.data);
        return NULL;
    }
    fclose(f);
    *len = b.len;
    return b.data;
}

/* `text` (freed here) with every `from` replaced by `to`; NULL when out of memory. */
static char *replace_all(char *text, const char *from, const char *to, size_t *len)
{
    const char *p, *hit;
    buf b = {0};
    for (p = text; (hit = strstr(p, from)) != NULL; p = hit + strlen(from)) {
        buf_add(&b, p, (size_t)(hit - p));
        buf_str(&b, to);
    }
    buf_str(&b, p);
    free(text);
    if (b.failed) {
        free(b.data);
        return NULL;
    }
    *len = b.len;
    return b.data;
}

/* The page with every "http://localhost:8080" replaced by the API's URL, and
 * "http://localhost:3001" by the second page port's. */
static char *load_page(const char *path, long api_port, long alt_port, size_t *len)
{
    char api[64], alt[64];
    char *text = read_file(path, len);
    snprintf(api, sizeof api, "http://localhost:%ld", api_port);
    snprintf(alt, sizeof alt, "http://localhost:%ld", alt_port);
    if (text != NULL) {
        text = replace_all(text, "http://localhost:8080", api, len);
    }
    if (text != NULL) {
        text = replace_all(text, "http://localhost:3001", alt, len);
    }
    return text;
}

/* ---- the policy file ------------------------------------------------------- */

/* Loads the policy document (docs/policy.md) with the library's loader; on
 * failure prints every problem it found, with its path, and returns NULL. */
static corsguard_policy *load_policy(const char *path)
{
    size_t len = 0;
    char *text = read_file(path, &len);
    corsguard_policy *built = NULL;
    corsguard_document_errors *errors = NULL;
    corsguard_str message;
    corsguard_result rc;

    if (text == NULL) {
        fprintf(stderr, "cannot read the policy file %s: %s\n", path, strerror(errno));
        return NULL;
    }
    rc = corsguard_policy_from_json(text, len, 0, &built, &errors);
    free(text);
    if (rc == CORSGUARD_RESULT_OK) {
        return built;
    }
    if (errors != NULL && corsguard_document_errors_message(errors, &message) == CORSGUARD_RESULT_OK) {
        fprintf(stderr, "invalid policy file %s (%s): %.*s\n", path, corsguard_result_code(rc).ptr,
                (int)message.len, message.ptr);
    } else {
        fprintf(stderr, "invalid policy file %s: %s\n", path, corsguard_result_message(rc).ptr);
    }
    corsguard_document_errors_free(errors);
    return NULL;
}

/* ---- main ------------------------------------------------------------------ */

static long env_port(const char *name, long fallback)
{
    const char *text = getenv(name);
    return text != NULL && *text != '\0' ? strtol(text, NULL, 10) : fallback;
}

static struct MHD_Daemon *start(const char *host, long port, MHD_AccessHandlerCallback handler, unsigned threads)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, "DEMO_HOST %s: not an IPv4 address\n", host);
        return NULL;
    }
    if (threads <= 1) {
        return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL,
                                handler, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_END);
    }
    return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL,
                            handler, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                            MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_END);
}

int main(int argc, char **argv)
{
    const char *port_text = argc > 1 ? argv[1] : NULL;
    const char *policy_path = getenv("DEMO_POLICY");
    const char *page_path = getenv("DEMO_PAGE");
    const char *host = getenv("DEMO_HOST");
    long api_port = port_text != NULL ? strtol(port_text, NULL, 10) : env_port("DEMO_API_PORT", env_port("PORT", 8080));
    long page_port = env_port("DEMO_PAGE_PORT", 3000);
    long alt_port = page_port != 0 ? env_port("DEMO_ALT_PAGE_PORT", page_port + 1) : 0;
    const char *wasm_path = getenv("DEMO_WASM");
    struct MHD_Daemon *api, *pages = NULL, *alt_pages = NULL;
    sigset_t signals;
    int signal_number = 0;

    if (api_port <= 0 || api_port > 65535 || page_port < 0 || page_port > 65535 || alt_port < 0 || alt_port > 65535) {
        fprintf(stderr, "usage: %s [api-port]  (DEMO_API_PORT, DEMO_PAGE_PORT, DEMO_ALT_PAGE_PORT: 1 to 65535)\n",
                argv[0]);
        return 2;
    }
    policy_path = policy_path != NULL && *policy_path ? policy_path : "examples/demo/policy.json";
    page_path = page_path != NULL && *page_path ? page_path : "examples/demo/index.html";
    host = host != NULL && *host ? host : "127.0.0.1";
    policy_file = policy_path;
    wasm_file = wasm_path != NULL && *wasm_path ? wasm_path : "target/demo/corsguard-explain.wasm";
    policy = load_policy(policy_path);
    if (policy == NULL) {
        return 1;
    }
    if (page_port != 0) {
        page = load_page(page_path, api_port, alt_port, &page_len);
        if (page == NULL) {
            fprintf(stderr, "cannot read the page %s\n", page_path);
            corsguard_policy_free(policy);
            return 1;
        }
    }
    /* Wait for SIGINT or SIGTERM on this thread; MHD's threads must not take them. */
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);

    /* Several polling threads share the one immutable policy. */
    api = start(host, api_port, handle_api, 4u);
    if (api == NULL) {
        fprintf(stderr, "cannot listen on %s:%ld\n", host, api_port);
        corsguard_policy_free(policy);
        free(page);
        return 1;
    }
    if (page_port != 0) {
        pages = start(host, page_port, handle_page, 1u);
        if (pages == NULL) {
            fprintf(stderr, "cannot listen on %s:%ld\n", host, page_port);
            MHD_stop_daemon(api);
            corsguard_policy_free(policy);
            free(page);
            return 1;
        }
    }
    if (alt_port != 0) {
        alt_pages = start(host, alt_port, handle_page, 1u);
        if (alt_pages == NULL) {
            fprintf(stderr, "cannot listen on %s:%ld\n", host, alt_port);
            MHD_stop_daemon(pages);
            MHD_stop_daemon(api);
            corsguard_policy_free(policy);
            free(page);
            return 1;
        }
    }
    printf("corsguard demo (libmicrohttpd + libcorsguard %s), policy %s\n", corsguard_version().ptr, policy_path);
    if (pages != NULL) {
        printf("  frontend: http://localhost:%ld/   <- open this in a browser\n", page_port);
    }
    if (alt_pages != NULL) {
        printf("  the same page on a second origin: http://localhost:%ld/\n", alt_port);
    }
    printf("  API:      http://localhost:%ld/api/hello\nPress Ctrl-C to stop.\n", api_port);
    fflush(stdout);
    sigwait(&signals, &signal_number);
    if (alt_pages != NULL) {
        MHD_stop_daemon(alt_pages);
    }
    if (pages != NULL) {
        MHD_stop_daemon(pages);
    }
    MHD_stop_daemon(api);
    corsguard_policy_free(policy);
    clear_log();
    free(page);
    return 0;
}
