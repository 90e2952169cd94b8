'use strict';

// Risky `cors` configurations: each is judged by the core's strict rules
// where the core has one (its message names the entry, the rule and the fix),
// and by a JS rule only for what the core never sees (regular expressions,
// `origin: true`). With `strict: true` the first problem is thrown instead.
//
// Warnings are emitted once. About the static configuration: once per
// message (which names the value). About values that come with requests
// (what an origin callback or an options delegate returned): once per rule
// code, the value shortened in the message and never kept.

const { check, configError } = require('./native');
const { keyBytes } = require('./cache');

// Messages already emitted about static configurations, bounded by count
// and bytes; once full, further static warnings are deduplicated by code.
const EMITTED_LIMIT = 256;
const EMITTED_BYTES = 256 * 1024;
const emitted = new Set();
let emittedBytes = 0;
// Rule codes already warned about for request-derived values, and for static
// ones once `emitted` is full (a small, fixed set: the core's codes and ours).
const CODES_LIMIT = 256;
const requestCodes = new Set();
const overflowCodes = new Set();

// A request-derived value longer than this is shortened in a message.
const SHOWN_CHARS = 64;

function problem(code, message, range = false, value = undefined) {
  return { code, message, range, value };
}

/** The core's strict verdict on one setting, as a problem or null. */
function strictCheck(options, value) {
  const refusal = check(Object.assign({ profile: 'strict', allowedOrigins: ['*'] }, options));
  if (!refusal || refusal.code === 'capacity_exceeded') return null;
  refusal.value = value;
  return refusal;
}

// Checking one origin must not build a native policy per value (values
// from requests come one per request, and a policy's native memory is only
// freed after a GC). The core validates origins before methods, so with an
// invalid method added a check always fails: with the origin's problem, or,
// when the origin is fine, with this method's. Verified once at load.
const SENTINEL = { allowedMethods: ['not a method'] };
const SENTINEL_CODE = (() => {
  const good = check(Object.assign({ profile: 'strict', allowedOrigins: ['https://a.example'] }, SENTINEL));
  const bad = check(Object.assign({ profile: 'strict', allowedOrigins: ['HTTPS://A.EXAMPLE'] }, SENTINEL));
  return good && bad && good.code !== bad.code && bad.code === 'malformed_origin' ? good.code : null;
})();

/** The core's strict verdict on one origin entry, as a problem or null. */
function originCheck(entry, credentials) {
  if (SENTINEL_CODE === null) return strictCheck({ allowedOrigins: [entry], credentials }, entry);
  const refusal = check(Object.assign({ profile: 'strict', allowedOrigins: [entry], credentials }, SENTINEL));
  if (!refusal || refusal.code === SENTINEL_CODE || refusal.code === 'capacity_exceeded') return null;
  refusal.value = entry;
  return refusal;
}

function collect(origin, strings, patterns, flags) {
  if (Array.isArray(origin)) {
    for (let i = 0; i < origin.length; ++i) collect(origin[i], strings, patterns, flags);
  } else if (typeof origin === 'string') {
    strings.push(origin);
  } else if (origin instanceof RegExp) {
    patterns.push(origin);
  } else if (origin === true) {
    flags.reflectAll = true;
  }
}

function names(list) {
  return list && list.length === 1
    ? list[0]
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
    : [];
}

/**
 * The problems of an origin value (a string, RegExp, `true` or an array of
 * them), under the translated options `base` (for its credentials).
 */
function lintOrigin(base, origin) {
  const found = [];
  const add = (p) => p && found.push(p);
  const credentials = base.credentials === true;
  const strings = [];
  const patterns = [];
  const flags = { reflectAll: false };
  if (origin === '*' && credentials) {
    add(strictCheck({ allowedOrigins: ['*'], credentials: true }));
  } else {
    collect(origin, strings, patterns, flags);
  }
  for (const entry of strings) {
    if (entry === '*') continue;
    add(originCheck(entry, credentials));
  }
  if (flags.reflectAll && credentials) {
    add(
      problem(
        'reflect_any_origin_with_credentials',
        'origin `true` with credentials: every site can read credentialed responses, because any origin is reflected; list the allowed origins instead'
      )
    );
  }
  for (const pattern of patterns) {
    const source = pattern.source;
    if (!source.startsWith('^') || !source.endsWith('$')) {
      add(
        problem(
          'unanchored_origin_pattern',
          `origin ${pattern}: not anchored at both ends, so lookalike origins (https://evil-example.com, https://example.com.evil.net) match too; write it as /^https:\\/\\/…$/`,
          false,
          String(pattern)
        )
      );
    }
    if (pattern.global || pattern.sticky) {
      add(
        problem(
          'stateful_origin_pattern',
          `origin ${pattern}: the g or y flag makes test() remember where it stopped, so the same origin is refused on every other request; remove the flag`,
          false,
          String(pattern)
        )
      );
    }
  }
  return found;
}

/** Adds the problems of the settings other than the origin to `found`. */
function lintBase(base, found) {
  const add = (p) => p && found.push(p);
  for (const method of names(base.allowedMethods)) {
    add(strictCheck({ allowedMethods: [method] }));
  }
  if (Array.isArray(base.allowedHeaders)) {
    for (const header of names(base.allowedHeaders)) add(strictCheck({ allowedHeaders: [header] }));
  }
  for (const header of names(base.exposedHeaders)) add(strictCheck({ exposedHeaders: [header] }));
  if (base.maxAge !== undefined && /^[0-9]{1,10}$/.test(base.maxAge)) {
    const seconds = Number(base.maxAge);
    if (seconds <= 0xffffffff) add(strictCheck({ maxAge: seconds }));
  }
}

/** `value` as a message shows it when it came from a request. */
function shown(value) {
  return value.length <= SHOWN_CHARS ? value : `${value.slice(0, SHOWN_CHARS)}… (${value.length} characters)`;
}

/** Whether to emit `message` (about `code`) now; records that it was. */
function firstTime(code, message, fromRequest) {
  if (!fromRequest) {
    if (emitted.has(message)) return false;
    const cost = keyBytes(message);
    if (emitted.size < EMITTED_LIMIT && emittedBytes + cost <= EMITTED_BYTES) {
      emitted.add(message);
      emittedBytes += cost;
      return true;
    }
    // Full: from here on, static warnings too are emitted once per code.
  }
  const codes = fromRequest ? requestCodes : overflowCodes;
  if (codes.has(code) || codes.size >= CODES_LIMIT) return false;
  codes.add(code);
  return true;
}

/**
 * Warns once (see above), or throws the first problem in strict mode.
 * `fromRequest`: the values came from an origin callback or a delegate.
 */
function report(problems, strict, fromRequest = false) {
  if (problems.length === 0) return;
  if (strict) throw configError(problems[0]);
  for (const p of problems) {
    const code = 'CORSGUARD_' + p.code.toUpperCase();
    let message = 'corsguard: ' + p.message;
    if (fromRequest) {
      if (requestCodes.has(code)) continue;
      if (typeof p.value === 'string' && p.value.length > SHOWN_CHARS) message = message.split(p.value).join(shown(p.value));
      message += ' (a value returned by an origin callback or options delegate; warned once per rule)';
    }
    if (!firstTime(code, message, fromRequest)) continue;
    process.emitWarning(message, { type: 'CorsguardWarning', code });
  }
}

module.exports = { lintOrigin, lintBase, report };
