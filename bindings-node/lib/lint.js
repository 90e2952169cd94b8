'use strict';

// Risky `cors` configurations: the core's findings on the translated
// document (what its strict rules refuse, the same findings the Python
// drop-ins report, each message naming the option as `cors` spells it, the
// entry, the rule and the fix; `origin: true` and wide RegExps through the
// verdict probes), and JS rules only for what the core never sees (the
// syntax of regular expressions). With `strict: true` the first problem is
// thrown instead (with every problem in its `errors`).
//
// Warnings are emitted once. About the static configuration: once per
// message (which names the value). About values that come with requests
// (what an origin callback or an options delegate returned): once per rule
// code, the value shortened in the message and never kept.

const { policyError, jsProblem } = require('./native');
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
// A value quoted in backticks in a message, longer than that.
const LONG_QUOTED = new RegExp('`([^`]{' + (SHOWN_CHARS + 1) + ',})`', 'g');

// The translated document's keys that come from cors's `origin`.
const ORIGIN_PATH = /^\/(allowOrigins|fixedOrigin|originVerdict)(\/|$)/;

/** The findings about the origin keys of the translated document. */
function originProblems(found) {
  return found.filter((p) => ORIGIN_PATH.test(p.path));
}

function collectPatterns(origin, patterns, depth) {
  if (Array.isArray(origin)) {
    // cors recurses without a limit; a cycle would overflow its stack too.
    if (depth > 10000) throw new RangeError('origin: arrays nested too deeply');
    for (let i = 0; i < origin.length; ++i) collectPatterns(origin[i], patterns, depth + 1);
  } else if (origin instanceof RegExp) {
    patterns.push(origin);
  }
}

/**
 * What only JS can judge in an origin value: its RegExps (the core sees
 * only their verdicts, and judges those by its probe origins).
 */
function patternProblems(origin) {
  const found = [];
  const patterns = [];
  collectPatterns(origin, patterns, 0);
  for (const pattern of patterns) {
    const source = pattern.source;
    if (!source.startsWith('^') || !source.endsWith('$')) {
      found.push(
        jsProblem(
          '/originVerdict',
          'unanchored_origin_pattern',
          `origin ${pattern}: not anchored at both ends, so lookalike origins (https://evil-example.com, https://example.com.evil.net) match too; write it as /^https:\\/\\/…$/`
        )
      );
    }
    if (pattern.global || pattern.sticky) {
      found.push(
        jsProblem(
          '/originVerdict',
          'stateful_origin_pattern',
          `origin ${pattern}: the g or y flag makes test() remember where it stopped, so the same origin is refused on every other request; remove the flag`
        )
      );
    }
  }
  return found;
}

/**
 * The problems of a translated document: the core's findings (named as cors
 * names its options), the ones about `origin` first, then what only JS can
 * judge of `origin` (undefined: not known yet), then the other options'.
 */
function problemsOf(found, origin) {
  const problems = originProblems(found);
  if (origin !== undefined) problems.push(...patternProblems(origin));
  for (const p of found) if (!ORIGIN_PATH.test(p.path)) problems.push(p);
  return problems;
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
  if (strict) throw policyError(problems[0].message, problems);
  for (const p of problems) {
    const code = 'CORSGUARD_' + p.code.toUpperCase();
    let message = 'corsguard: ' + p.message;
    if (fromRequest) {
      if (requestCodes.has(code)) continue;
      // Values are quoted in backticks: a long one is shortened.
      message = message.replace(LONG_QUOTED, (_, value) => '`' + shown(value) + '`');
      message += ' (a value returned by an origin callback or options delegate; warned once per rule)';
    }
    if (!firstTime(code, message, fromRequest)) continue;
    process.emitWarning(message, { type: 'CorsguardWarning', code });
  }
}

module.exports = { problemsOf, originProblems, report };
