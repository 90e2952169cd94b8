'use strict';

// The strict, native API for new code: `Policy.fromJSON(document)` loads a
// policy document, and `new Policy(options)` is sugar for the same document
// (its options are the document's keys). The core validates the whole
// document (a refusal is thrown as a PolicyError with every problem),
// `evaluate()` judges one request, and `middleware()` serves Express,
// Connect and node:http. A document with `routes` holds several policies:
// the core picks the one serving each request's path, or none (then no
// CORS header is written).

const { isUtf8 } = require('node:buffer');
const { load, probeMask, policyError, problemOf, jsProblem } = require('./native');
const { Runner } = require('./runner');
const { writeHeaders, respond, answerPreflight } = require('./write');
const { hooksOf, reportRefusal, keepOnErrors } = require('./hooks');

// The options `new Policy()` took before they became the document's keys.
// Deprecated: each is renamed to its key (and the keywords `'*'` of the
// list options become `['*']`), with a warning the first time.
const DEPRECATED = {
  allowedOrigins: 'allowOrigins',
  allowedMethods: 'allowMethods',
  allowedHeaders: 'allowHeaders',
  exposedHeaders: 'exposeHeaders',
  credentials: 'allowCredentials',
  privateNetwork: 'allowPrivateNetwork',
};
const warnedDeprecated = new Set();

function deprecated(old, key) {
  if (warnedDeprecated.has(old)) return;
  warnedDeprecated.add(old);
  process.emitWarning(`corsguard: the Policy option \`${old}\` is deprecated; write \`${key}\`, the policy document's key`, {
    type: 'DeprecationWarning',
    code: 'CORSGUARD_DEPRECATED_POLICY_OPTION',
  });
}

/**
 * A RegExp verdict as a whole-origin test, as Python's `fullmatch`: the
 * pattern must match the entire origin, so `/https:\/\/[a-z]+\.example\.com/`
 * does not admit `https://a.example.com.evil.net`. The `g` and `y` flags only
 * make `test()` stateful and are dropped; `m` would let `^` and `$` match at
 * line breaks inside the value and is refused.
 */
function wholeOriginTest(pattern) {
  if (pattern.multiline) {
    const message = `originVerdict ${pattern}: the m flag lets ^ and $ match inside the origin; remove it`;
    throw policyError(message, [jsProblem('/originVerdict', 'multiline_origin_pattern', message)]);
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

/**
 * The one place options become a policy document: each option is the
 * document key of the same name (the deprecated names renamed), a RegExp or
 * function `originVerdict` becomes `originVerdict: true` (its verdict runs
 * in JS), and `version: 1` comes first unless given. Returns the JSON text
 * (entries written one by one, so two options naming one key reach the
 * core's duplicate-key rule) and the verdict function. The core judges
 * everything else, unknown keys included.
 */
function documentOf(options) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    return { json: JSON.stringify(options === undefined ? null : options), verdict: null };
  }
  const entries = Object.hasOwn(options, 'version') ? [] : ['"version":1'];
  let verdict = null;
  for (const option of Object.keys(options)) {
    let key = option;
    let value = options[option];
    if (Object.hasOwn(DEPRECATED, option)) {
      key = DEPRECATED[option];
      deprecated(option, key);
      if (value === '*' && key !== 'allowOrigins') value = ['*'];
    }
    if (key === 'originVerdict') {
      verdict = verdictFunction(value);
      if (verdict !== null) value = true;
    }
    const json = JSON.stringify(value);
    if (json !== undefined) entries.push(JSON.stringify(key) + ':' + json);
  }
  return { json: '{' + entries.join(',') + '}', verdict };
}

/** A document given to fromJSON as JSON text: a string as is, bytes as UTF-8, anything else serialized. */
function documentText(document) {
  if (typeof document === 'string') return document;
  if (document instanceof Uint8Array) return Buffer.from(document.buffer, document.byteOffset, document.byteLength).toString('utf8');
  const json = JSON.stringify(document);
  return json === undefined ? String(document) : json;
}

/** Bytes to text: UTF-8 when valid, else Latin-1 (what Node writes back as the same bytes). */
function text(buffer) {
  return isUtf8(buffer) ? buffer.toString('utf8') : buffer.toString('latin1');
}

/** A request given to `evaluate` that is not one: a TypeError, code `invalid_request`. */
function invalid(message) {
  const error = new TypeError(message);
  error.code = 'invalid_request';
  return error;
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

// Marks the constructor call Policy.fromJSON makes.
const FROM_JSON = Symbol('fromJSON');

/** A request target for routing: a string or a Buffer; `/` when absent. */
function pathValue(value) {
  return value === undefined || value === null ? '/' : requestValue('path', value);
}

class Policy {
  #native;
  #findings;
  #runner;
  #verdict;
  #names;
  #routed;

  /**
   * @param {object} options the policy document's keys (see index.d.ts,
   *   PolicyOptions); `originVerdict` may also be a RegExp or a function
   * @throws {PolicyError|PolicyRangeError} every problem the core found
   */
  constructor(options = {}, loaded = undefined) {
    const { json, verdict } = loaded !== undefined && loaded.token === FROM_JSON ? loaded : documentOf(options);
    this.#native = load(json, verdict === null ? 0 : probeMask(verdict));
    this.#findings = Object.freeze(this.#native.takeFindings().map((p) => Object.freeze(problemOf(p))));
    this.#runner = new Runner(this.#native);
    this.#verdict = verdict;
    this.#names = Object.freeze(this.#native.policyNames);
    this.#routed = this.#native.hasRoutes;
    Object.freeze(this);
  }

  /**
   * Loads a version-1 policy document (docs/policy.md): JSON text (a string,
   * or bytes as UTF-8) or an object, which is serialized with JSON.stringify.
   * For a document with `"originVerdict": true`, `originVerdict` (a RegExp,
   * matched against the whole origin, or a function) is the host's rule for
   * the origins the lists do not allow, tried on the probe origins when the
   * policy is built, as with `new Policy({ originVerdict })`; without one,
   * each request carries the verdict (`evaluate({ originVerdict })`).
   * @throws {PolicyError|PolicyRangeError} every problem of the document
   */
  static fromJSON(document, { originVerdict } = {}) {
    const verdict = originVerdict === undefined ? null : verdictFunction(originVerdict);
    if (originVerdict !== undefined && verdict === null) {
      throw new TypeError('originVerdict: expected a RegExp or a function');
    }
    return new Policy(undefined, { token: FROM_JSON, json: documentText(document), verdict });
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
   * `request.path` (the request target) picks the policy of a document with
   * routes (`/` when absent; ignored without routes); `null` when no policy
   * serves it: the response gets no CORS headers.
   */
  evaluate(request, { bytes = false } = {}) {
    if (request === null || typeof request !== 'object') throw invalid('request: expected an object');
    const method = requestValue('method', request.method);
    if (method === undefined) throw invalid('request.method: required');
    const origin = requestValue('origin', request.origin);
    let given = request.originVerdict;
    if (given !== undefined && typeof given !== 'boolean') throw invalid('request.originVerdict: expected a boolean');
    const path = this.#routed ? pathValue(request.path) : undefined;
    const d = this.#native.evaluate(
      path,
      method,
      origin,
      requestValue('requestMethod', request.requestMethod),
      requestValue('requestHeaders', request.requestHeaders),
      requestValue('requestPrivateNetwork', request.requestPrivateNetwork),
      this.#judge(origin, given)
    );
    if (d === null || d === undefined) return null;
    const headers = d.names.map((name, i) => [name, bytes ? d.values[i] : text(d.values[i])]);
    return {
      policy: d.policy,
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

  /** What a middleware serves requests with (one object: replaced whole by `reconfigure`). */
  #served() {
    const native = this.#native;
    return {
      runner: this.#runner,
      native,
      routed: this.#routed,
      judge: (origin) => this.#judge(origin, undefined),
    };
  }

  /**
   * A middleware for Express, Connect and node:http (`next` optional):
   * answers preflights, adds the headers to every other response. With
   * routes, the policy serving `req.originalUrl || req.url` (Express and
   * Connect strip a mount path from `req.url`, not from `originalUrl`)
   * answers; when none does, the response is left untouched.
   *
   * `options`: `onRefusal(req, refusal)`, called for every refused request;
   * `hookErrors` (`'warn'` or `'throw'`); `corsOnErrors` (the decision's
   * headers are written again on an error response). The middleware's
   * `reconfigure(document)` replaces its policy atomically.
   */
  middleware(options = undefined) {
    const hooks = hooksOf(options, 'Policy.middleware');
    let current = this.#served();
    function corsguardPolicy(req, res, next) {
      // One policy for the whole request, even if it is replaced meanwhile.
      const { runner, native, routed, judge } = current;
      const url = typeof req.originalUrl === 'string' && req.originalUrl !== '' ? req.originalUrl : req.url;
      let index = 0;
      if (routed) {
        index = native.route(url);
        if (index === -1) {
          if (typeof next === 'function') next();
          return;
        }
      }
      const h = req.headers || {};
      const method = typeof req.method === 'string' ? req.method : undefined;
      const origin = headerString(h.origin);
      const requestMethod = headerString(h['access-control-request-method']);
      const requestHeaders = headerString(h['access-control-request-headers']);
      const privateNetwork = headerString(h['access-control-request-private-network']);
      const verdict = judge(origin);
      const shape = runner.shape(method, origin, requestMethod, requestHeaders, privateNetwork, verdict, index);
      if (hooks === null && shape.status !== -1) {
        answerPreflight(shape, res, origin, requestHeaders);
        return;
      }
      writeHeaders(shape, res, origin, requestHeaders);
      const failed = reportRefusal(
        hooks,
        () => native.evaluate(routed ? url : undefined, method === undefined ? '' : method, origin, requestMethod, requestHeaders, privateNetwork, verdict),
        req,
        url,
        method,
        origin,
        shape
      );
      if (failed !== null) {
        if (typeof next === 'function') return next(failed);
        throw failed;
      }
      if (shape.status !== -1) respond(shape, res);
      else {
        keepOnErrors(hooks, shape, res, origin, requestHeaders);
        if (typeof next === 'function') next();
      }
    }
    /**
     * Replaces the policy atomically: `document` is a Policy, or what
     * `Policy.fromJSON` loads (with its `{ originVerdict }`). A refused
     * document throws and changes nothing.
     */
    corsguardPolicy.reconfigure = (document, fromJSONOptions = undefined) => {
      const policy = document instanceof Policy ? document : Policy.fromJSON(document, fromJSONOptions);
      current = policy.#served();
      return policy;
    };
    return corsguardPolicy;
  }

  /**
   * The core's capacity class the policy was built in: `small`, `default`
   * or `large` (with routes: the largest of its policies' classes).
   */
  get sizeClass() {
    return this.#native.sizeClass;
  }

  /** The capacity class of each served policy, in the order of `policyNames`. */
  get sizeClasses() {
    return Object.freeze(this.#native.sizeClasses);
  }

  /**
   * The names of the policies requests can be served with: `['default']`
   * without routes; with routes, `default` (the top-level keys) when a
   * route names it, then each named policy, in document order.
   */
  get policyNames() {
    return this.#names;
  }

  /** Whether the document has `routes` (then `request.path` picks the policy). */
  get hasRoutes() {
    return this.#routed;
  }

  /**
   * The name of the policy serving a request for `path` (a string or a
   * Buffer; `/` when absent), or `null` when none does. Without routes,
   * always the one policy's name.
   */
  policyFor(path) {
    const index = this.#native.route(this.#routed ? pathValue(path) : undefined);
    return index === -1 ? null : this.#names[index];
  }

  /**
   * What the strict profile would refuse in a compatibility-profile document
   * (the core's findings, with paths); empty for a strict one.
   */
  get findings() {
    return this.#findings;
  }
}

module.exports = { Policy };
