'use strict';

// The strict, native API for new code: `new Policy(options)` validates the
// whole configuration in the core (a refusal is thrown as a TypeError or
// RangeError carrying the core's message and `code`), `evaluate()` judges
// one request, and `middleware()` serves Express, Connect and node:http.

const { isUtf8 } = require('node:buffer');
const { compile, VERDICT_PROBES } = require('./native');
const { Runner } = require('./runner');
const { writeHeaders, respond } = require('./write');

const PROFILES = new Set(['strict', 'cors_npm', 'starlette']);

function invalid(message) {
  const error = new TypeError(message);
  error.code = 'invalid_option';
  return error;
}

function stringList(name, value, keywords) {
  if (typeof value === 'string' && keywords.includes(value)) return value;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    const also = keywords.length ? ' or ' + keywords.map((k) => JSON.stringify(k)).join(' or ') : '';
    throw invalid(`${name}: expected an array of strings${also}`);
  }
  return value.slice();
}

function bool(name, value) {
  if (typeof value !== 'boolean') throw invalid(`${name}: expected true or false`);
  return value;
}

function integer(name, value, max) {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    const error = new RangeError(`${name} ${value}: expected an integer from 0 to ${max}`);
    error.code = 'invalid_option';
    throw error;
  }
  return value;
}

const KNOWN = new Set([
  'profile',
  'allowedOrigins',
  'originVerdict',
  'allowWideVerdictWithCredentials',
  'fixedOrigin',
  'allowedMethods',
  'allowedHeaders',
  'exposedHeaders',
  'credentials',
  'maxAge',
  'privateNetwork',
  'preflightContinue',
  'preflightStatus',
]);

/**
 * A RegExp verdict as a whole-origin test, as Python's `fullmatch`: the
 * pattern must match the entire origin, so `/https:\/\/[a-z]+\.example\.com/`
 * does not admit `https://a.example.com.evil.net`. The `g` and `y` flags only
 * make `test()` stateful and are dropped; `m` would let `^` and `$` match at
 * line breaks inside the value and is refused.
 */
function wholeOriginTest(pattern) {
  if (pattern.multiline) {
    throw invalid(`originVerdict ${pattern}: the m flag lets ^ and $ match inside the origin; remove it`);
  }
  const whole = new RegExp('^(?:' + pattern.source + ')$', pattern.flags.replace(/[gy]/g, ''));
  return (origin) => whole.test(origin);
}

/** The host's verdict function for an `originVerdict` option, or null. */
function verdictFunction(v) {
  if (typeof v === 'function') return (o) => v(o) === true;
  if (v instanceof RegExp) return wholeOriginTest(v);
  return null;
}

/** Which of the core's probe origins `verdict` admits (bit i for probe i). */
function probeMask(verdict) {
  let mask = 0;
  for (let i = 0; i < VERDICT_PROBES.length; ++i) {
    if (verdict(VERDICT_PROBES[i])) mask |= 1 << i;
  }
  return mask;
}

/** Checks the JS types and builds the native options. */
function nativeOptions(options, verdict) {
  if (options === null || typeof options !== 'object') throw invalid('Policy options: expected an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw invalid(`Policy option \`${key}\`: not an option; see the README for the list`);
  }
  const out = { optionNames: 'node' };
  const o = options;
  if (o.profile !== undefined) {
    if (!PROFILES.has(o.profile)) throw invalid(`profile: expected "strict", "cors_npm" or "starlette"`);
    out.profile = o.profile;
  }
  if (o.allowedOrigins !== undefined) out.allowedOrigins = stringList('allowedOrigins', o.allowedOrigins, []);
  if (o.fixedOrigin !== undefined) {
    if (typeof o.fixedOrigin !== 'string') throw invalid('fixedOrigin: expected a string');
    out.fixedOrigin = o.fixedOrigin;
  }
  if (o.originVerdict !== undefined) {
    const v = o.originVerdict;
    if (typeof v !== 'boolean' && typeof v !== 'function' && !(v instanceof RegExp)) {
      throw invalid('originVerdict: expected a function (origin) => boolean, a RegExp, or true');
    }
    out.originVerdict = v !== false;
    // The core judges what the verdict admits (refused with credentials
    // when it admits origins no policy means to allow).
    if (verdict !== null) out.originVerdictProbes = probeMask(verdict);
  }
  if (o.allowWideVerdictWithCredentials !== undefined) {
    out.allowWideVerdictWithCredentials = bool('allowWideVerdictWithCredentials', o.allowWideVerdictWithCredentials);
  }
  if (o.allowedMethods !== undefined) out.allowedMethods = stringList('allowedMethods', o.allowedMethods, ['*']);
  if (o.allowedHeaders !== undefined) {
    out.allowedHeaders = stringList('allowedHeaders', o.allowedHeaders, ['*', 'mirror']);
  }
  if (o.exposedHeaders !== undefined) out.exposedHeaders = stringList('exposedHeaders', o.exposedHeaders, ['*']);
  if (o.credentials !== undefined) out.credentials = bool('credentials', o.credentials);
  if (o.maxAge !== undefined) {
    out.maxAge = typeof o.maxAge === 'string' ? o.maxAge : integer('maxAge', o.maxAge, 0xffffffff);
  }
  if (o.privateNetwork !== undefined) out.privateNetwork = bool('privateNetwork', o.privateNetwork);
  if (o.preflightContinue !== undefined) out.preflightContinue = bool('preflightContinue', o.preflightContinue);
  if (o.preflightStatus !== undefined) out.preflightStatus = integer('preflightStatus', o.preflightStatus, 0xffff);
  return out;
}

/** Bytes to text: UTF-8 when valid, else Latin-1 (what Node writes back as the same bytes). */
function text(buffer) {
  return isUtf8(buffer) ? buffer.toString('utf8') : buffer.toString('latin1');
}

function requestValue(name, value) {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw invalid(`request.${name}: expected a string or a Buffer`);
}

function headerString(value) {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.join(', ');
  return undefined;
}

class Policy {
  #native;
  #runner;
  #verdict;

  /**
   * @param {object} options see index.d.ts (PolicyOptions)
   * @throws {TypeError|RangeError} the core's refusal, with `code`
   */
  constructor(options = {}) {
    const verdict = options !== null && typeof options === 'object' ? verdictFunction(options.originVerdict) : null;
    const native = nativeOptions(options, verdict);
    this.#native = compile(native, false);
    this.#runner = new Runner(this.#native);
    this.#verdict = verdict;
    Object.freeze(this);
  }

  /** The verdict of the host's rule for `origin` (undefined when none applies). */
  #judge(origin, given) {
    if (given !== undefined) return given;
    if (this.#verdict === null || origin === undefined) return undefined;
    return this.#verdict(typeof origin === 'string' ? origin : text(origin));
  }

  /**
   * Judges one request. Values are strings (read as UTF-8) or Buffers
   * (bytes). With `{ bytes: true }` header values come back as Buffers.
   */
  evaluate(request, { bytes = false } = {}) {
    if (request === null || typeof request !== 'object') throw invalid('request: expected an object');
    const method = requestValue('method', request.method);
    if (method === undefined) throw invalid('request.method: required');
    const origin = requestValue('origin', request.origin);
    let given = request.originVerdict;
    if (given !== undefined && typeof given !== 'boolean') throw invalid('request.originVerdict: expected a boolean');
    const d = this.#native.evaluate(
      method,
      origin,
      requestValue('requestMethod', request.requestMethod),
      requestValue('requestHeaders', request.requestHeaders),
      requestValue('requestPrivateNetwork', request.requestPrivateNetwork),
      this.#judge(origin, given)
    );
    const headers = d.names.map((name, i) => [name, bytes ? d.values[i] : text(d.values[i])]);
    return {
      kind: d.kind,
      outcome: d.outcome,
      allowed: d.outcome === 'allowed',
      reason: d.reason === undefined ? null : d.reason,
      reasonDetail: d.reasonDetail === undefined ? null : bytes ? d.reasonDetail : text(d.reasonDetail),
      message: d.message === undefined ? null : d.message,
      failures: d.failures,
      action: d.action,
      status: d.status === undefined ? null : d.status,
      headers,
      body: d.body === undefined ? null : d.body,
    };
  }

  /**
   * A middleware for Express, Connect and node:http (`next` optional):
   * answers preflights, adds the headers to every other response.
   */
  middleware() {
    const runner = this.#runner;
    const judge = (origin) => this.#judge(origin, undefined);
    return function corsguardPolicy(req, res, next) {
      const h = req.headers || {};
      const origin = headerString(h.origin);
      const requestHeaders = headerString(h['access-control-request-headers']);
      const shape = runner.shape(
        typeof req.method === 'string' ? req.method : undefined,
        origin,
        headerString(h['access-control-request-method']),
        requestHeaders,
        headerString(h['access-control-request-private-network']),
        judge(origin)
      );
      writeHeaders(shape, res, origin, requestHeaders);
      if (shape.status !== -1) respond(shape, res);
      else if (typeof next === 'function') next();
    };
  }

  /** The size class the policy was built in: `small` or `default`. */
  get sizeClass() {
    return this.#native.sizeClass;
  }
}

module.exports = { Policy };
