/* A small JSON API on libmicrohttpd with a corsguard policy: the seed
 * scenario, an API on http://localhost:8080 for a frontend on
 * http://localhost:3000.
 *
 *   make -C examples/c-server && ./examples/c-server/corsguard-c-server [port]
 *
 * The port is the first argument, else $PORT, else 8080; the frontend origin
 * is $FRONTEND_ORIGIN, else http://localhost:3000.
 *
 * Routes: GET /api/items (JSON), POST/PUT/DELETE /api/items (JSON), anything
 * else 404. Every request goes through the policy first: a preflight is
 * answered by the decision, any other request by the application, with the
 * decision's headers added (Vary merged, never overwritten). */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <corsguard.h>
#include <microhttpd.h>

static corsguard_policy *policy;

/* Marks a request whose body is still arriving. */
static int request_started;

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

/* The application: what the API answers, CORS aside. */
static struct MHD_Response *application(const char *method, const char *url, unsigned *status)
{
    const char *body;
    struct MHD_Response *response;
    if (strcmp(url, "/api/items") != 0) {
        *status = MHD_HTTP_NOT_FOUND;
        body = "{\"error\":\"not found\"}";
    } else if (strcmp(method, "GET") == 0) {
        *status = MHD_HTTP_OK;
        body = "{\"items\":[\"apple\",\"pear\"]}";
    } else if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 || strcmp(method, "DELETE") == 0) {
        *status = MHD_HTTP_OK;
        body = "{\"ok\":true}";
    } else {
        *status = MHD_HTTP_METHOD_NOT_ALLOWED;
        body = "{\"error\":\"method not allowed\"}";
    }
    response = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
    if (response != NULL) {
        MHD_add_response_header(response, "Content-Type", "application/json");
        /* The application's own Vary, which CORS must add to, not replace. */
        MHD_add_response_header(response, "Vary", "Accept-Encoding");
    }
    return response;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_data_size,
                              void **request_state)
{
    cors_headers h;
    corsguard_request request;
    corsguard_decision d;
    struct MHD_Response *response;
    unsigned status = 0;
    enum MHD_Result queued;
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
    if (corsguard_evaluate(policy, &request, &d) != CORSGUARD_RESULT_OK) {
        return MHD_NO;
    }
    log_refusal(method, url, &d);

    if (d.action == CORSGUARD_ACTION_RESPOND) {
        /* A preflight, answered by the policy alone. */
        response = MHD_create_response_from_buffer(d.body_len, (void *)d.body, MHD_RESPMEM_PERSISTENT);
        if (response != NULL && d.body != NULL) {
            MHD_add_response_header(response, "Content-Type", "text/plain; charset=utf-8");
        }
        status = d.status;
    } else {
        response = application(method, url, &status);
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

static corsguard_policy *build_policy(const char *frontend)
{
    corsguard_config *config = NULL;
    corsguard_policy *built = NULL;
    corsguard_error error;
    static const char *methods[] = {"GET", "POST", "PUT", "DELETE"};
    size_t i;

    if (corsguard_config_new(&config) != CORSGUARD_RESULT_OK) {
        return NULL;
    }
    corsguard_config_add_origin(config, frontend, strlen(frontend));
    for (i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        corsguard_config_add_method(config, methods[i], strlen(methods[i]));
    }
    corsguard_config_add_allowed_header(config, "content-type", 12);
    corsguard_config_add_allowed_header(config, "x-request-id", 12);
    corsguard_config_add_exposed_header(config, "x-request-id", 12);
    corsguard_config_set_credentials(config, true);
    corsguard_config_set_max_age(config, 600);
    if (corsguard_policy_new(config, &built, &error) != CORSGUARD_RESULT_OK) {
        fprintf(stderr, "corsguard: invalid CORS configuration (%s): %.*s\n", corsguard_result_code(error.code).ptr,
                (int)error.message_len, error.message);
        built = NULL;
    }
    corsguard_config_free(config);
    return built;
}

int main(int argc, char **argv)
{
    const char *port_text = argc > 1 ? argv[1] : getenv("PORT");
    const char *frontend = getenv("FRONTEND_ORIGIN");
    long port = port_text != NULL ? strtol(port_text, NULL, 10) : 8080;
    struct MHD_Daemon *daemon;
    sigset_t signals;
    int signal_number = 0;

    if (port <= 0 || port > 65535) {
        fprintf(stderr, "usage: %s [port]\n", argv[0]);
        return 2;
    }
    if (frontend == NULL) {
        frontend = "http://localhost:3000";
    }
    policy = build_policy(frontend);
    if (policy == NULL) {
        return 1;
    }
    /* Wait for SIGINT or SIGTERM on this thread; MHD's threads must not take them. */
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);

    /* Several polling threads share the one immutable policy. */
    daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL,
                              handle, NULL, MHD_OPTION_THREAD_POOL_SIZE, 4u, MHD_OPTION_END);
    if (daemon == NULL) {
        fprintf(stderr, "cannot listen on port %ld\n", port);
        corsguard_policy_free(policy);
        return 1;
    }
    printf("corsguard C server on http://localhost:%ld for %s (corsguard %s)\n", port, frontend,
           corsguard_version().ptr);
    fflush(stdout);
    sigwait(&signals, &signal_number);
    MHD_stop_daemon(daemon);
    corsguard_policy_free(policy);
    return 0;
}
