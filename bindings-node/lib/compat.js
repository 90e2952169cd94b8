'use strict';

// The drop-in for the `cors` package (2.8.6): the same options, the same
// callback protocol, the same answers. This file translates options and runs
// the callbacks; the answers come from the core's `cors_npm` profile.

const { compile } = require('./native');
const { Runner } = require('./runner');
const { writeHeaders, respond } = require('./write');
const { lint, report } = require('./lint');

// cors 2.8.6's defaults, merged under the options the same way (Object.assign).
const DEFAULTS = {
  origin: '*',
  methods: 'GET,HEAD,PUT,PATCH,POST,DELETE',
  preflightContinue: false,
  optionsSuccessStatus: 204,
};

// Bounded caches for policies built from values an origin callback returns.
const FIXED_ORIGIN_CACHE_LIMIT = 256;

function isString(s) {
  return typeof s === 'string' || s instanceof String;
}

/** A list option as cors sends it: an array joined with `,`, else the value. */
function joined(value) {
  return value && value.join ? value.join(',') : value;
}

/** The status an answered preflight gets, coerced the way Node's writeHead does. */
function preflightStatus(value) {
  const status = value | 0;
  return status >= 0 && status <= 0xffff ? status : 0;
}

/** The native options for everything but `origin`. */
function baseOptions(o) {
  const out = { profile: 'cors_npm' };
  const methods = o.methods == null ? '' : joined(o.methods);
  out.allowedMethods = methods ? [String(methods)] : [];

  let headers = o.allowedHeaders || o.headers;
  if (!headers) {
    out.allowedHeaders = 'mirror';
  } else {
    headers = joined(headers);
    out.allowedHeaders = headers && headers.length ? [String(headers)] : [];
  }

  const exposed = o.exposedHeaders ? joined(o.exposedHeaders) : null;
  out.exposedHeaders = exposed && exposed.length ? [String(exposed)] : [];

  const maxAge = (typeof o.maxAge === 'number' || o.maxAge) && o.maxAge.toString();
  if (maxAge && maxAge.length) out.maxAge = String(maxAge);

  out.credentials = o.credentials === true;
  out.preflightContinue = Boolean(o.preflightContinue);
  out.preflightStatus = preflightStatus(o.optionsSuccessStatus);
  return out;
}

/**
 * cors's `isOriginAllowed` for what only JS can judge: regular expressions,
 * other truthy values, and the literal string `*` inside an array (which the
 * core would read as its wildcard). Plain strings are the core's to match.
 */
function hostVerdict(origin, allowed) {
  if (Array.isArray(allowed)) {
    for (let i = 0; i < allowed.length; ++i) {
      if (hostVerdict(origin, allowed[i])) return true;
    }
    return false;
  }
  if (typeof allowed === 'string') return allowed === '*' && origin === '*';
  if (allowed instanceof String) return origin === allowed;
  if (allowed instanceof RegExp) return allowed.test(origin);
  return !!allowed;
}

/** The strings of an origin list the core matches, and whether JS must judge too. */
function splitOrigins(allowed, strings) {
  if (Array.isArray(allowed)) {
    let host = false;
    for (let i = 0; i < allowed.length; ++i) {
      if (splitOrigins(allowed[i], strings)) host = true;
    }
    return host;
  }
  if (typeof allowed === 'string' && allowed !== '*') {
    strings.push(allowed);
    return false;
  }
  return true;
}

/** A native policy for one origin value, with its verdict function. */
function makeTarget(base, origin, strict, linted = true) {
  const options = Object.assign({}, base);
  let verdict = null;
  if (origin === '*') {
    options.fixedOrigin = '*';
  } else if (isString(origin)) {
    options.fixedOrigin = String(origin);
  } else {
    const strings = [];
    const host = splitOrigins(origin, strings);
    options.allowedOrigins = strings;
    if (host) {
      options.originVerdict = true;
      verdict = (requestOrigin) => hostVerdict(requestOrigin, origin);
    }
  }
  if (linted) report(lint(base, origin), strict);
  return { runner: new Runner(compile(options, true)), verdict };
}

/** Everything fixed about one options object (after the defaults). */
class Entry {
  constructor(options) {
    const o = Object.assign({}, DEFAULTS, options);
    this.strict = o.strict === true;
    this.base = baseOptions(o);
    this.disabled = false;
    this.originCallback = null;
    this.target = null;
    if (o.origin && typeof o.origin === 'function') {
      this.originCallback = o.origin;
      this.anyTarget = null;
      this.hostTarget = null;
      this.fixedTargets = new Map();
      this.listTargets = new WeakMap();
      this.lintedObjects = new WeakSet();
      this.lintedValues = new Set();
      // Warn about the options themselves now; origin values as they come.
      report(lint(this.base, undefined), this.strict);
    } else if (o.origin) {
      this.target = makeTarget(this.base, o.origin, this.strict);
    } else {
      this.disabled = true;
    }
  }

  /** The target for a value the origin callback returned (cached). */
  targetFor(origin) {
    if (origin === '*') {
      if (this.anyTarget === null) this.anyTarget = makeTarget(this.base, origin, this.strict);
      return this.anyTarget;
    }
    if (typeof origin === 'string') {
      let target = this.fixedTargets.get(origin);
      if (target === undefined) {
        if (this.fixedTargets.size >= FIXED_ORIGIN_CACHE_LIMIT) this.fixedTargets.clear();
        target = makeTarget(this.base, origin, this.strict);
        this.fixedTargets.set(origin, target);
      }
      return target;
    }
    if (Array.isArray(origin)) {
      let target = this.listTargets.get(origin);
      if (target === undefined) {
        target = makeTarget(this.base, origin, this.strict);
        this.listTargets.set(origin, target);
      }
      return target;
    }
    if (origin instanceof String) return makeTarget(this.base, origin, this.strict);
    // true, a RegExp, any other truthy value: no listed strings, JS judges.
    const object = typeof origin === 'object' || typeof origin === 'function';
    if (object ? !this.lintedObjects.has(origin) : !this.lintedValues.has(origin)) {
      report(lint(this.base, origin), this.strict);
      if (object) this.lintedObjects.add(origin);
      else if (this.lintedValues.size < FIXED_ORIGIN_CACHE_LIMIT) this.lintedValues.add(origin);
    }
    if (this.hostTarget === null) {
      const target = makeTarget(this.base, true, this.strict, false);
      this.hostTarget = { runner: target.runner, verdict: null };
    }
    return { runner: this.hostTarget.runner, verdict: (o) => hostVerdict(o, origin) };
  }
}

/** Judges the request with `target` and writes the answer. */
function answer(target, req, res, next) {
  const headers = req.headers || {};
  const rawOrigin = headers.origin;
  // Only strings reach the core. An empty Origin needs no case of its own:
  // the cors_npm profile never sends an empty header value, as cors does not.
  const origin = typeof rawOrigin === 'string' ? rawOrigin : undefined;
  let requestHeaders = headers['access-control-request-headers'];
  if (typeof requestHeaders !== 'string') requestHeaders = undefined;
  const method = typeof req.method === 'string' ? req.method : undefined;
  const verdict =
    target.verdict === null ? undefined : target.verdict(typeof rawOrigin === 'string' ? rawOrigin : undefined);
  const shape = target.runner.shape(method, origin, undefined, requestHeaders, undefined, verdict);
  writeHeaders(shape, res, origin, requestHeaders);
  if (shape.status === -1) next();
  else respond(shape, res);
}

function handle(entry, req, res, next) {
  if (entry.target !== null) {
    answer(entry.target, req, res, next);
  } else if (entry.originCallback !== null) {
    entry.originCallback(req.headers && req.headers.origin, function (err2, origin) {
      if (err2 || !origin) {
        next(err2);
        return;
      }
      let target;
      try {
        target = entry.targetFor(origin);
      } catch (error) {
        next(error);
        return;
      }
      answer(target, req, res, next);
    });
  } else {
    next();
  }
}

/**
 * `corsguard(options)` / `corsguard(delegate)`: the `cors` middleware.
 * Options are read once, when the middleware is made (or, for a delegate,
 * the first time each options object is seen).
 */
function corsguard(options) {
  if (typeof options === 'function') {
    const delegate = options;
    const byObject = new WeakMap();
    const byValue = new Map();
    const entryFor = (o) => {
      const cache = o !== null && (typeof o === 'object' || typeof o === 'function') ? byObject : byValue;
      let entry = cache.get(o);
      if (entry === undefined) {
        if (cache === byValue && byValue.size >= FIXED_ORIGIN_CACHE_LIMIT) byValue.clear();
        entry = new Entry(o);
        cache.set(o, entry);
      }
      return entry;
    };
    return function corsMiddleware(req, res, next) {
      delegate(req, function (err, o) {
        if (err) {
          next(err);
          return;
        }
        let entry;
        try {
          entry = entryFor(o);
        } catch (error) {
          next(error);
          return;
        }
        handle(entry, req, res, next);
      });
    };
  }
  const entry = new Entry(options);
  return function corsMiddleware(req, res, next) {
    handle(entry, req, res, next);
  };
}

module.exports = { corsguard };
