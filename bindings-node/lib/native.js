'use strict';

// Loads the addon that `npm install` built from source (napi build).
const path = require('node:path');

let native;
try {
  native = require(path.join(__dirname, '..', 'corsguard.node'));
} catch (error) {
  const hint = new Error(
    'corsguard: the native addon is missing or cannot load (' + error.message + '). ' +
      'It is built from source when the package is installed: run `npm install` ' +
      '(or `npm run build`) in the corsguard package with a Rust toolchain on the PATH.'
  );
  hint.cause = error;
  throw hint;
}

/** Builds a native policy, throwing the core's refusal as a TypeError or RangeError. */
function compile(options, large) {
  const result = native.compile(options, large);
  if (result instanceof native.NativePolicy) return result;
  throw configError(result);
}

/** The core's refusal as the JS error a caller expects, with its `code`. */
function configError(problem) {
  const ErrorType = problem.range ? RangeError : TypeError;
  const error = new ErrorType(problem.message);
  error.code = problem.code;
  if (problem.problem) error.problem = problem.problem;
  return error;
}

/** Like `compile`, but returns the refusal (or null) instead of throwing. */
function check(options) {
  const result = native.compile(options, false);
  return result instanceof native.NativePolicy ? null : result;
}

/**
 * The core's findings on translated options (what its strict rules refuse,
 * named as `options.optionNames` says), without building a policy.
 */
function findings(options) {
  const result = native.findings(options);
  if (Array.isArray(result)) return result;
  throw configError(result);
}

/** Origins no real policy means to allow: a host verdict is tried on them. */
const VERDICT_PROBES = Object.freeze(native.verdictProbes());

module.exports = { compile, check, findings, configError, NativePolicy: native.NativePolicy, VERDICT_PROBES };
