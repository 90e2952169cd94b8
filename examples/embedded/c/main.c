/* The C firmware author's path: the policy in a static buffer built with
   corsguard_policy_init (malloc only for the configuration, freed after),
   then corsguard_evaluate per request, on the device policy of
   ../src/bin/device.rs. Exits non-zero on a wrong decision. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "corsguard.h"
#include "semihosting.h"

/* A string literal as the (pointer, length) pair of a request field:
   `.origin = S("...")` sets `origin` and `origin_len`. */
#define S(text) text, sizeof(text) - 1

/* The policy's memory: no heap, aligned for every class. */
static _Alignas(CORSGUARD_POLICY_MAX_ALIGN) unsigned char policy_mem[CORSGUARD_POLICY_SMALL_MAX_SIZE];

/* Stack painting, as ../src/lib.rs does it: the region below the stack
   pointer is filled with a pattern, the call runs, and the lowest word
   changed marks how deep its frames went. */
#define PAINTED (32 * 1024)
#define PAINT 0xC0DE5AFEu

static void paint(uintptr_t top) {
  for (uintptr_t at = top - PAINTED; at < top; at += 4) *(volatile uint32_t *)at = PAINT;
}

static size_t depth(uintptr_t top) {
  for (uintptr_t at = top - PAINTED; at < top; at += 4)
    if (*(volatile uint32_t *)at != PAINT) return top - at;
  return 0;
}

static uintptr_t stack_pointer(void) {
  uintptr_t sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  return sp & ~(uintptr_t)3;
}

/* The bounds of the C library: building any class takes at most 16 KiB
   (corsguard.h; this includes the configuration builder's document
   loader), evaluating at most 2 KiB. */
#define BUILD_STACK_BOUND (16 * 1024)
#define EVALUATE_STACK_BOUND (2 * 1024)

struct check {
  const char *name;
  corsguard_request request;
  corsguard_outcome outcome;
  corsguard_action action;
  uint16_t status;
};

static __attribute__((noinline)) bool build(corsguard_policy **policy) {
  corsguard_config *config;
  if (corsguard_config_new(&config) != CORSGUARD_RESULT_OK) return false;
  bool ok = corsguard_config_add_origin(config, S("http://192.168.1.10")) == CORSGUARD_RESULT_OK &&
            corsguard_config_add_origin(config, S("https://*.example.com")) == CORSGUARD_RESULT_OK &&
            corsguard_config_add_method(config, S("GET")) == CORSGUARD_RESULT_OK &&
            corsguard_config_add_method(config, S("POST")) == CORSGUARD_RESULT_OK &&
            corsguard_config_add_method(config, S("PUT")) == CORSGUARD_RESULT_OK &&
            corsguard_config_add_allowed_header(config, S("content-type")) == CORSGUARD_RESULT_OK &&
            corsguard_config_add_allowed_header(config, S("x-request-id")) == CORSGUARD_RESULT_OK &&
            corsguard_config_set_credentials(config, true) == CORSGUARD_RESULT_OK &&
            corsguard_config_set_max_age(config, 600) == CORSGUARD_RESULT_OK;
  corsguard_error error;
  if (ok) {
    corsguard_result built = corsguard_policy_init(policy_mem, sizeof policy_mem, config,
                                                   CORSGUARD_CAPACITY_CLASS_SMALL, policy, &error);
    if (built != CORSGUARD_RESULT_OK) {
      put("corsguard_policy_init: ");
      put(error.message);
      put("\n");
      ok = false;
    }
  }
  corsguard_config_free(config);
  return ok;
}

static __attribute__((noinline)) corsguard_result evaluate(const corsguard_policy *policy,
                                                          const corsguard_request *request,
                                                          corsguard_decision *decision) {
  return corsguard_evaluate(policy, request, decision);
}

int main(void) {
  corsguard_policy *policy;
  uintptr_t top = stack_pointer() - 64;
  paint(top);
  bool built = build(&policy);
  size_t build_stack = depth(top);
  if (!built) return 1;
  size_t evaluate_stack = 0;
  static const char long_headers[600] = {[0 ... 599] = 'a'};
  const struct check checks[] = {
      {"preflight from a subdomain",
       {.method = S("OPTIONS"), .origin = S("https://ui.example.com"),
        .request_method = S("PUT"), .request_headers = S("content-type, x-request-id")},
       CORSGUARD_OUTCOME_ALLOWED, CORSGUARD_ACTION_RESPOND, 204},
      {"actual request from the device UI", {.method = S("GET"), .origin = S("http://192.168.1.10")},
       CORSGUARD_OUTCOME_ALLOWED, CORSGUARD_ACTION_CONTINUE, 0},
      {"suffix lookalike", {.method = S("GET"), .origin = S("https://example.com.evil.test")},
       CORSGUARD_OUTCOME_DENIED, CORSGUARD_ACTION_CONTINUE, 0},
      {"preflight asking for an unlisted header",
       {.method = S("OPTIONS"), .origin = S("http://192.168.1.10"), .request_method = S("PUT"),
        .request_headers = long_headers, .request_headers_len = sizeof long_headers},
       CORSGUARD_OUTCOME_DENIED, CORSGUARD_ACTION_RESPOND, 403},
  };
  unsigned wrong = 0, count = sizeof checks / sizeof checks[0];
  for (unsigned i = 0; i < count; i++) {
    corsguard_decision decision;
    paint(top);
    corsguard_result result = evaluate(policy, &checks[i].request, &decision);
    size_t used = depth(top);
    if (used > evaluate_stack) evaluate_stack = used;
    bool right = result == CORSGUARD_RESULT_OK && decision.outcome == checks[i].outcome &&
                 decision.action == checks[i].action &&
                 (checks[i].action != CORSGUARD_ACTION_RESPOND || decision.status == checks[i].status);
    if (right && decision.outcome == CORSGUARD_OUTCOME_ALLOWED) {
      /* The allowed origin is reflected: the request's own bytes. */
      right = false;
      for (size_t h = 0; h < decision.header_count; h++) {
        const corsguard_header *header = &decision.headers[h];
        if (header->id == CORSGUARD_HEADER_NAME_ALLOW_ORIGIN)
          right = header->value_len == checks[i].request.origin_len &&
                  memcmp(header->value, checks[i].request.origin, header->value_len) == 0;
      }
    }
    if (!right) {
      put("wrong decision: ");
      put(checks[i].name);
      put("\n");
      wrong++;
    }
  }
  corsguard_policy_deinit(policy);
  put("c device: ");
  put_number(count);
  put(" decisions, ");
  put_number(wrong);
  put(" wrong (policy in a static buffer of ");
  put_number(sizeof policy_mem);
  put(" bytes)\n");
  put("c device: peak stack: construction (configuration and corsguard_policy_init) ");
  put_number(build_stack);
  put(" bytes, corsguard_evaluate ");
  put_number(evaluate_stack);
  put(" bytes\n");
  bool over = build_stack > BUILD_STACK_BOUND || evaluate_stack > EVALUATE_STACK_BOUND;
  if (over) put("c device: stack over its bound (construction <= 16 KiB, evaluate <= 2 KiB)\n");
  return wrong == 0 && !over ? 0 : 1;
}
