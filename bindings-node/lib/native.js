'use strict';

// Loads the addon, a source build (`make -C bindings-node`) first, else the
// platform package npm installed as an optional dependency, and wraps its
// document loader: JSON text in, a native policy (or every problem of the
// document, thrown as a PolicyError) out.
const path = require('node:path');
const { platformKey } = require('./platform');

const KEY = platformKey();
const LOCAL = path.join(__dirname, '..', `corsguard.${KEY}.node`);
const PACKAGE = `corsguard-${KEY}`;

/** An error's message without Node's "Require stack" lines. */
function firstLine(error) {
  return String(error.message).split('\n')[0];
}

/** The addon and its file: the local build when there is one, else the platform package. */
function loadAddon() {
  let localError;
  try {
    return { addon: require(LOCAL), file: LOCAL };
  } catch (error) {
    localError = error;
  }
  try {
    return { addon: require(PACKAGE), file: require.resolve(PACKAGE) };
  } catch (packageError) {
    const hint = new Error(
      `corsguard: no native addon loads for this platform (${KEY}).\n` +
        `  ${LOCAL}: ${firstLine(localError)}\n` +
        `  the package ${PACKAGE}: ${firstLine(packageError)}\n` +
        `npm installs ${PACKAGE} with corsguard as an optional dependency where it exists ` +
        '(an install that omitted optional dependencies has none). To build the addon from ' +
        'source, run `make -C bindings-node` in a corsguard checkout with Rust (cargo) on the ' +
        'PATH, then install that folder (`npm install <checkout>/bindings-node`).'
    );
    hint.cause = packageError;
    throw hint;
  }
}

const { addon: native, file: ADDON_FILE } = loadAddon();

// First problems whose codes are about a number or a capacity are thrown as
// a RangeError (PolicyRangeError), every other one as a TypeError
// (PolicyError), as the configuration errors always were.
const RANGE_CODES = new Set(['out_of_range', 'status_out_of_range', 'max_age_out_of_range', 'capacity_exceeded']);

/** One problem as JS sees it: `{path, code, problem, message, rule, fix}`, `problem` null when none. */
function problemOf(p) {
  return {
    path: p.path,
    code: p.code,
    problem: p.problem == null ? null : p.problem,
    message: p.message,
    rule: p.rule,
    fix: p.fix,
  };
}

/** A problem found in JS (a rule only JS can judge), shaped as the core's: the message split at its last `; `. */
function jsProblem(path, code, message) {
  const at = message.lastIndexOf('; ');
  const rule = at === -1 ? message : message.slice(0, at);
  const fix = at === -1 ? '' : message.slice(at + 2);
  return { path, code, problem: null, message, rule, fix };
}

/** Sets what both error classes carry: the first problem's code, problem and path, and every problem. */
function describe(error, problems) {
  const first = problems[0];
  error.code = first.code;
  if (first.problem !== null) error.problem = first.problem;
  error.path = first.path;
  error.errors = problems;
}

/**
 * A policy document (or configuration) corsguard refused. `errors` lists
 * every problem, in document order; `code`, `problem` and `path` are the
 * first one's. A TypeError, so `catch (e) { if (e instanceof TypeError) ... }`
 * keeps working; `instanceof PolicyError` is also true of a PolicyRangeError.
 */
class PolicyError extends TypeError {
  constructor(message, problems) {
    super(message);
    describe(this, problems);
  }

  static [Symbol.hasInstance](value) {
    return Function.prototype[Symbol.hasInstance].call(this, value) ||
      (this === PolicyError && Function.prototype[Symbol.hasInstance].call(PolicyRangeError, value));
  }
}
Object.defineProperty(PolicyError.prototype, 'name', { value: 'PolicyError' });

/** A PolicyError whose first problem is a number out of range or a capacity: a RangeError. */
class PolicyRangeError extends RangeError {
  constructor(message, problems) {
    super(message);
    describe(this, problems);
  }
}
Object.defineProperty(PolicyRangeError.prototype, 'name', { value: 'PolicyRangeError' });

/** The error for `problems` (JS objects, as problemOf gives), with `message`. */
function policyError(message, problems) {
  const ErrorType = RANGE_CODES.has(problems[0].code) ? PolicyRangeError : PolicyError;
  return new ErrorType(message, problems);
}

/**
 * Loads a policy document (JSON text): every policy it serves (one without
 * routes), each in the smallest capacity class that holds it, and its
 * routes. `probes`: the verdict probes the host's rule admits (bitmask);
 * `names`: how messages name the options (`document`, or `cors_npm` for the
 * drop-in). Throws a PolicyError (or PolicyRangeError) with every problem.
 */
function load(json, probes = 0, names = 'document') {
  const result = native.load(json, probes, names);
  if (result instanceof native.NativePolicy) return result;
  const problems = result.problems.map(problemOf);
  // The drop-in's users wrote no document: its messages are theirs alone.
  const message = names === 'document' ? result.message : problems.map((p) => p.message).join('\n');
  throw policyError(message, problems);
}

/** The core's findings on a document (JSON text), named as `names` says, without building a policy. */
function findings(json, probes = 0, names = 'document') {
  const result = native.findings(json, probes, names);
  if (Array.isArray(result)) return result.map(problemOf);
  throw policyError(result.message, result.problems.map(problemOf));
}

/** Origins no real policy means to allow: a host verdict is tried on them. */
const VERDICT_PROBES = Object.freeze(native.verdictProbes());

/**
 * The request methods the addon's `answer` takes as a number (name ->
 * code); any other method is passed as a string (code 0).
 */
const METHOD_CODES = new Map(native.methodCodes().map((name, code) => [name, code]).filter(([name]) => name !== ''));

/** Which of the core's probe origins `verdict` admits (bit i for probe i). */
function probeMask(verdict) {
  let mask = 0;
  for (let i = 0; i < VERDICT_PROBES.length; ++i) {
    if (verdict(VERDICT_PROBES[i])) mask |= 1 << i;
  }
  return mask;
}

module.exports = {
  load,
  findings,
  problemOf,
  jsProblem,
  policyError,
  probeMask,
  PolicyError,
  PolicyRangeError,
  NativePolicy: native.NativePolicy,
  VERDICT_PROBES,
  METHOD_CODES,
  // Internal (tests): the addon file that loaded, and its module.
  ADDON_FILE,
  addon: native,
};
