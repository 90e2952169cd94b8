/* Linked against libcorsguard.a (pkg-config --static): the embedded way, with
 * the policy built once into a static buffer and no heap for the policy. */
#include <stdint.h>
#include <string.h>

#include "check.h"

static union {
    uint64_t align; /* CORSGUARD_POLICY_MAX_ALIGN is 8 */
    unsigned char bytes[CORSGUARD_POLICY_SMALL_MAX_SIZE];
} policy_memory;

int main(void)
{
    corsguard_config *config = NULL;
    corsguard_policy *policy = NULL;
    corsguard_error error;
    corsguard_request request;
    corsguard_decision decision;
    char lines[512];
    size_t len = 0, size = 0, align = 0;

    CHECK_OK(corsguard_policy_size(CORSGUARD_CAPACITY_CLASS_SMALL, &size, &align));
    CHECK(size <= sizeof policy_memory.bytes && align <= CORSGUARD_POLICY_MAX_ALIGN);
    CHECK_OK(corsguard_config_new(&config));
    CHECK_OK(corsguard_config_add_origin(config, S("http://localhost:3000")));
    CHECK_OK(corsguard_config_add_method(config, S("PUT")));
    CHECK_OK(corsguard_policy_init(policy_memory.bytes, sizeof policy_memory.bytes, config,
                                   CORSGUARD_CAPACITY_CLASS_SMALL, &policy, &error));
    /* The policy needs nothing from the configuration once built. */
    CHECK_OK(corsguard_config_free(config));

    memset(&request, 0, sizeof request);
    request.method = "OPTIONS";
    request.method_len = 7;
    request.origin = "http://localhost:3000";
    request.origin_len = 21;
    request.request_method = "PUT";
    request.request_method_len = 3;
    CHECK_OK(corsguard_evaluate(policy, &request, &decision));
    CHECK(decision.outcome == CORSGUARD_OUTCOME_ALLOWED && decision.status == 204);
    CHECK_OK(corsguard_decision_write_headers(&decision, CORSGUARD_WRITE_SKIP_VARY, lines, sizeof lines, &len));
    CHECK(BYTES_EQ(lines, len, "Access-Control-Allow-Origin: http://localhost:3000\r\nAccess-Control-Allow-Methods: PUT\r\n"));
    CHECK_RC(corsguard_policy_free(policy), CORSGUARD_RESULT_NOT_OWNED);
    return check_report("test_static");
}
