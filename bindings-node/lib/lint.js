'use strict';

// Risky `cors` configurations: the core's findings (what its strict rules
// refuse, the same findings the Python drop-ins report, each message naming
// the option as `cors` spells it, the entry, the rule and the fix), and a JS
// rule only for what the core never sees (regular expressions, `origin:
// true`). With `strict: true` the first problem is thrown instead.
//
// Warnings are emitted once. About the static configuration: once per
// message (which names the value). About values that come with requests
// (what an origin callback or an options delegate returned): once per rule
// code, the value shortened in the message and never kept.

const { findings, configError } = require('./native');
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

/**
 * The core's findings on translated options, named as `cors` names its
 * options (`origin`, `methods`, `maxAge`). One native call, no policy built:
 * cheap enough for every value an origin callback returns.
 */
function coreFindings(options) {
  const found = findings(Object.assign({ profile: 'cors_npm', optionNames: 'cors_npm' }, options));
  for (const p of found) p.value = p.entry == null ? undefined : p.entry;
  return found;
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
  if (origin === '*') {
    if (credentials) found.push(...coreFindings({ fixedOrigin: '*', credentials }));
  } else {
    collect(origin, strings, patterns, flags);
  }
  // `*` inside an array is a literal string to cors, never the wildcard.
  const listed = strings.filter((entry) => entry !== '*');
  if (listed.length > 0) found.push(...coreFindings({ allowedOrigins: listed, credentials }));
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
  found.push(
    ...coreFindings({
      allowedMethods: base.allowedMethods,
      allowedHeaders: Array.isArray(base.allowedHeaders) ? base.allowedHeaders : undefined,
      exposedHeaders: base.exposedHeaders,
      maxAge: base.maxAge,
    })
  );
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
