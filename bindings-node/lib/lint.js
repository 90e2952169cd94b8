'use strict';

// Risky `cors` configurations: each is judged by the core's strict rules
// where the core has one (its message names the entry, the rule and the fix),
// and by a JS rule only for what the core never sees (regular expressions,
// `origin: true`). Each warning is emitted once per process; with
// `strict: true` the first problem is thrown instead.

const { check, configError } = require('./native');

const emitted = new Set();

function problem(code, message, range = false) {
  return { code, message, range };
}

/** The core's strict verdict on one setting, as a problem or null. */
function strictCheck(options) {
  const refusal = check(Object.assign({ profile: 'strict', allowedOrigins: ['*'] }, options));
  return refusal && refusal.code !== 'capacity_exceeded' ? refusal : null;
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
 * The problems of one translated configuration (`base`: the native options
 * without origin) with `origin` (undefined when a callback decides later).
 */
function lint(base, origin) {
  const found = [];
  const add = (p) => p && found.push(p);
  const credentials = base.credentials === true;

  if (origin !== undefined) {
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
      add(strictCheck({ allowedOrigins: [entry], credentials }));
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
            `origin ${pattern}: not anchored at both ends, so lookalike origins (https://evil-example.com, https://example.com.evil.net) match too; write it as /^https:\\/\\/…$/`
          )
        );
      }
      if (pattern.global || pattern.sticky) {
        add(
          problem(
            'stateful_origin_pattern',
            `origin ${pattern}: the g or y flag makes test() remember where it stopped, so the same origin is refused on every other request; remove the flag`
          )
        );
      }
    }
  }

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
  return found;
}

/** Warns once per problem, or throws the first one in strict mode. */
function report(problems, strict) {
  if (problems.length === 0) return;
  if (strict) throw configError(problems[0]);
  for (const p of problems) {
    const message = 'corsguard: ' + p.message;
    if (emitted.has(message)) continue;
    emitted.add(message);
    process.emitWarning(message, { type: 'CorsguardWarning', code: 'CORSGUARD_' + p.code.toUpperCase() });
  }
}

module.exports = { lint, report };
