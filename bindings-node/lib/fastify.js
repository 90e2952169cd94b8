'use strict';

// The Fastify plugin: @fastify/cors 11's options and hooks, corsguard's
// answers. Each options object (the plugin's, a route's `config.cors` merged
// over them, or what a delegator returns) is translated into a policy
// document with `"profile": "fastify_cors"`, which the core loads; RegExps,
// `true` and origin callbacks are judged here and only their verdict goes
// to the core, as in the `cors` drop-in (lib/compat.js), whose origin
// walk and probes are used for it.

const native = require('./native');
const { Runner } = require('./runner');
const { writeHeaders } = require('./write');
const { BoundedCache } = require('./cache');
const { problemsOf, report } = require('./lint');
const { probesOf, collectStrings } = require('./compat');
const { hooksOf, reportRefusal } = require('./hooks');

const PROFILE = 'fastify_cors';

// @fastify/cors 11's defaults, spread under the options as it does.
const DEFAULTS = {
  origin: '*',
  methods: 'GET,HEAD,POST',
  hook: 'onRequest',
  preflightContinue: false,
  optionsSuccessStatus: 204,
  credentials: false,
  exposedHeaders: null,
  allowedHeaders: null,
  maxAge: null,
  preflight: true,
  strictPreflight: true,
};

const HOOKS = ['onRequest', 'preParsing', 'preValidation', 'preHandler', 'preSerialization'];
const HOOKS_WITH_PAYLOAD = ['preParsing', 'preSerialization'];

// Compiled documents, shared by every plugin instance: keyed by the
// document text and the probes its host rule admits.
const POLICY_LIMIT = 64;
const POLICY_BYTES = 16 * 1024 * 1024;
const policies = new BoundedCache(POLICY_LIMIT, POLICY_BYTES);

// A policy of the profile with no origin, for merging `Vary` where the
// answer depends on the origin before the core is asked (an origin
// callback, a delegator): the core's merge, as for every other `Vary`.
let varyPolicy = null;

/** Adds `Vary: Origin` as @fastify/cors does for an origin decided per request. */
function varyOnOrigin(reply) {
  if (varyPolicy === null) varyPolicy = native.load(JSON.stringify({ version: 1, profile: PROFILE }), 0, 'cors_npm');
  const current = reply.getHeader('Vary') || '';
  const existing = Array.isArray(current) ? current.join(', ') : String(current);
  const merged = varyPolicy.mergeVary(existing, 'Origin', 0);
  if (merged) reply.header('Vary', merged);
}

/** A list option as @fastify/cors sends it: an array joined with `, `, else the value. */
function joined(value) {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The document's keys for everything but the origin. */
function baseKeys(o) {
  const out = {};
  const methods = String(joined(o.methods));
  out.allowMethods = methods === '' ? [] : [methods];
  if (o.allowedHeaders === null || o.allowedHeaders === undefined) {
    out.allowHeaders = 'mirror';
  } else {
    const headers = String(joined(o.allowedHeaders));
    out.allowHeaders = headers === '' ? [] : [headers];
  }
  if (o.exposedHeaders !== null && o.exposedHeaders !== undefined) {
    const exposed = String(joined(o.exposedHeaders));
    out.exposeHeaders = exposed === '' ? [] : [exposed];
  }
  if (o.maxAge !== null && o.maxAge !== undefined) {
    out.maxAge = Number.isInteger(o.maxAge) && o.maxAge >= 0 && o.maxAge <= 0xffffffff ? o.maxAge : String(o.maxAge);
  }
  out.allowCredentials = Boolean(o.credentials);
  out.preflightContinue = Boolean(o.preflightContinue);
  out.preflightStatus = out.preflightContinue ? 204 : o.optionsSuccessStatus;
  // Which OPTIONS requests are preflights: none without `preflight`, and
  // with `strictPreflight` an incomplete one is refused (by the core).
  out.preflightDetection = o.preflight !== true ? 'never' : o.strictPreflight === true ? 'refuseIncomplete' : 'anyOptions';
  return out;
}

/**
 * @fastify/cors's verdict for what the core does not match (RegExps, `true`,
 * other truthy values, `*` nested in an array): plain strings are the
 * core's. A RegExp's lastIndex is reset before its test, as there; unlike
 * the `cors` package, any truthy object (a String object too) admits.
 */
function hostVerdict(origin, allowed) {
  if (Array.isArray(allowed)) {
    for (let i = 0; i < allowed.length; ++i) if (hostVerdict(origin, allowed[i])) return true;
    return false;
  }
  if (typeof allowed === 'string') return allowed === '*' && origin === '*';
  if (allowed instanceof RegExp) {
    allowed.lastIndex = 0;
    return allowed.test(origin);
  }
  return !!allowed;
}

/** The compiled record (a runner) for `base` and the origin keys, built once. */
function recordFor(base, originKeys, probes, origin, fromRequest) {
  const text = JSON.stringify(Object.assign({ version: 1, profile: PROFILE }, originKeys, base));
  const key = probes + '\0' + text;
  const known = policies.get(key);
  if (known !== undefined) return known;
  const policy = native.load(text, probes, 'cors_npm');
  report(problemsOf(policy.takeFindings().map(native.problemOf), origin), false, fromRequest);
  const record = { runner: new Runner(policy) };
  return policies.set(key, record, policy.nativeBytes + record.runner.memoBudget);
}

/**
 * The target for an origin value (not a function, not false): the runner
 * and the host's verdict (null when the core judges alone). An array
 * holding `*` is the wildcard, as @fastify/cors reads it.
 */
function targetFor(base, value, fromRequest, requestOrigin) {
  if (typeof value === 'string' && fromRequest && value === requestOrigin && value !== '*') {
    // The request's own origin, from a callback or a delegator (whose
    // answers vary on Origin anyway): sent back exactly as reflecting every
    // origin sends it, so one policy serves every such value instead of
    // one per origin.
    return { runner: recordFor(base, { allowOrigins: [], originVerdict: true }, 0, undefined, true).runner, verdict: reflectAll };
  }
  if (typeof value === 'string') return { runner: recordFor(base, { fixedOrigin: value }, 0, value, fromRequest).runner, verdict: null };
  if (Array.isArray(value) && value.indexOf('*') !== -1) {
    return { runner: recordFor(base, { fixedOrigin: '*' }, 0, '*', fromRequest).runner, verdict: null, wildcardList: true };
  }
  const out = { strings: [], host: false };
  collectStrings(value, out, 0);
  if (!out.host) return { runner: recordFor(base, { allowOrigins: out.strings }, 0, value, fromRequest).runner, verdict: null };
  const keys = { allowOrigins: out.strings, originVerdict: true };
  const runner = recordFor(base, keys, probesOf(value), value, fromRequest).runner;
  return { runner, verdict: (origin) => hostVerdict(origin, value) };
}

const reflectAll = () => true;

/** Everything fixed about one options object (after the defaults). */
class Entry {
  constructor(o, dynamic) {
    this.options = o;
    this.dynamic = dynamic;
    this.base = baseKeys(o);
    this.originCallback = typeof o.origin === 'function' ? o.origin : null;
    this.disabled = o.origin === false;
    this.target = null;
    // A delegator's string origin may be the request's own: resolved per request.
    this.perRequest = dynamic && typeof o.origin === 'string' && o.origin !== '';
    if (this.originCallback === null && !this.disabled && o.origin && !this.perRequest) this.target = targetFor(this.base, o.origin, dynamic);
    // @fastify/cors varies on Origin for every origin option but a string
    // (and false), before judging. The core says so for the lists and host
    // rules it is given; the rest is decided here: callbacks, delegators,
    // invalid values (an error follows), and an array holding `*` in a
    // route's options (the plugin's own are normalized to the string).
    this.varyFirst =
      dynamic ||
      this.originCallback !== null ||
      (typeof o.origin !== 'string' && !this.disabled && (this.target === null || this.target.wildcardList === true));
    this.cacheControl = o.cacheControl;
    this.routeEntries = new WeakMap();
  }

  /** The entry for a route's `config.cors` object merged over these options. */
  forRoute(routeCors) {
    let entry = this.routeEntries.get(routeCors);
    if (entry === undefined) {
      entry = new Entry(Object.assign({}, this.options, routeCors), this.dynamic);
      this.routeEntries.set(routeCors, entry);
    }
    return entry;
  }
}

/** Options as @fastify/cors normalizes them (the defaults, `*` in an array, `cacheControl`). */
function normalize(opts, dynamic) {
  const o = Object.assign({}, DEFAULTS, opts);
  if (Array.isArray(opts.origin) && opts.origin.indexOf('*') !== -1) o.origin = '*';
  if (Number.isInteger(o.cacheControl)) o.cacheControl = `max-age=${o.cacheControl}`;
  else if (typeof o.cacheControl !== 'string') o.cacheControl = null;
  return new Entry(o, dynamic);
}

/** A response adapter for writeHeaders: Fastify's reply keeps its own headers. */
function headersOf(reply) {
  return {
    getHeader: (name) => reply.getHeader(name),
    setHeader: (name, value) => reply.header(name, value),
  };
}

/** Answers one request with `entry` (the hook's work). */
function handle(fastify, entry, request, reply, next, hooks = null) {
  const routeCors = request.routeOptions.config && request.routeOptions.config.cors;
  if (routeCors === false) return next();
  if (routeCors !== undefined && routeCors !== null && typeof routeCors === 'object') entry = entry.forRoute(routeCors);

  // An origin decided per request (a callback, a delegator) varies on
  // Origin whatever the callback says, even when it disables CORS.
  if (entry.varyFirst) varyOnOrigin(reply);

  if (entry.originCallback === null) {
    if (entry.disabled) return next();
    if (entry.perRequest) return settle(entry, request, reply, next, null, entry.options.origin, hooks);
    if (entry.target === null) return next(new Error('Invalid CORS origin option'));
    return answer(entry, entry.target, request, reply, next, hooks);
  }
  const resolved = (error, value) => settle(entry, request, reply, next, error, value, hooks);
  const result = entry.originCallback.call(fastify, request.headers.origin, resolved);
  if (result && typeof result.then === 'function') result.then((value) => resolved(null, value), resolved);
}

/** Answers with the origin value a callback or delegator gave (`error` as the callback's). */
function settle(entry, request, reply, next, error, value, hooks) {
  if (error !== null) return next(error);
  if (value === false) return next();
  if (!value) return next(new Error('Invalid CORS origin option'));
  let target;
  try {
    target = targetFor(entry.base, value, true, request.headers.origin);
  } catch (e) {
    return next(e);
  }
  return answer(entry, target, request, reply, next, hooks);
}

/** A request header's value, or undefined when absent or empty (@fastify/cors tests them for truthiness). */
function given(value) {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Judges the request with `target`, writes the core's answer, and ends it when the core answers it. */
function answer(entry, target, request, reply, next, hooks) {
  const headers = request.headers;
  const origin = given(headers.origin);
  const requestMethod = given(headers['access-control-request-method']);
  const requestHeaders =
    typeof headers['access-control-request-headers'] === 'string' ? headers['access-control-request-headers'] : undefined;
  const method = request.raw.method;
  const verdict = target.verdict === null ? undefined : target.verdict(origin);
  const shape = target.runner.shape(method, origin, requestMethod, requestHeaders, undefined, verdict);
  writeHeaders(shape, headersOf(reply), origin, requestHeaders);
  if (hooks !== null) {
    const decide = () => target.runner.native.evaluate(undefined, method, origin, requestMethod, requestHeaders, undefined, verdict);
    const failed = reportRefusal(hooks, decide, request, request.url, request.method, origin, shape);
    if (failed !== null) return next(failed);
  }
  if (shape.body !== null) {
    // The core's refusal of an incomplete preflight (strictPreflight).
    reply.status(shape.status).type('text/plain').send(shape.body);
    return;
  }
  // A preflight the core passes on (preflightContinue) is still one for
  // the OPTIONS route; the core's kind tells it from a plain OPTIONS.
  const preflight = shape.status !== -1 || shape.kind === 'preflight';
  if (!preflight) return next();
  request.corsPreflightEnabled = true;
  if (entry.cacheControl) reply.header('Cache-Control', entry.cacheControl);
  if (shape.status === -1) return next();
  // Content-Length 0, as @fastify/cors sends (Safari waits for a body otherwise).
  reply.code(shape.status).header('Content-Length', '0').send();
}

/** Adds `handler(request, reply, done)` to `hook`, with the payload argument where the hook has one. */
function addHook(fastify, hook, handler) {
  if (HOOKS_WITH_PAYLOAD.indexOf(hook) !== -1) {
    fastify.addHook(hook, (request, reply, _payload, done) => handler(request, reply, done));
  } else {
    fastify.addHook(hook, handler);
  }
}

/** A delegator's hook: options per request, from a callback `(request, cb)` or a promise. */
function delegate(fastify, resolver, hooks) {
  // The entries of the options objects it returned, by identity.
  const entries = new WeakMap();
  const entryFor = (options) => {
    if (options === null || typeof options !== 'object') return normalize(Object(options), true);
    let entry = entries.get(options);
    if (entry === undefined) {
      entry = normalize(options, true);
      entries.set(options, entry);
    }
    return entry;
  };
  const run = (request, reply, next, options) => {
    let entry;
    try {
      entry = entryFor(options);
    } catch (e) {
      return next(e);
    }
    handle(fastify, entry, request, reply, next, hooks);
  };
  if (resolver.length === 2) {
    return (request, reply, next) =>
      resolver(request, (error, options) => (error ? next(error) : run(request, reply, next, options)));
  }
  return (request, reply, next) => {
    const result = resolver(request);
    if (result && typeof result.then === 'function') {
      result.then((options) => run(request, reply, next, options)).catch(next);
      return;
    }
    next(new Error('Invalid CORS origin option'));
  };
}

function invalidHook(hook) {
  return HOOKS.indexOf(hook) === -1 ? new TypeError(`corsguard/fastify: invalid hook option ${JSON.stringify(hook)}.`) : null;
}

/**
 * The hook and the request handler for `opts` (options or a delegator),
 * built (and so checked) whole; an Error (not thrown) when the hook name is
 * invalid.
 */
function handlerOf(fastify, opts, hooks) {
  if (typeof opts === 'function' || opts.delegator) {
    const resolver = typeof opts === 'function' ? opts : opts.delegator;
    const hook = (typeof opts === 'function' ? undefined : opts.hook) || DEFAULTS.hook;
    const error = invalidHook(hook);
    if (error) return { error };
    return { hook, handler: delegate(fastify, resolver, hooks) };
  }
  const entry = normalize(opts, false);
  const error = invalidHook(entry.options.hook);
  if (error) return { error };
  return { hook: entry.options.hook, handler: (request, reply, next) => handle(fastify, entry, request, reply, next, hooks) };
}

/**
 * The plugin: `fastify.register(require('corsguard/fastify'), options)`.
 * corsguard's own options: `onRefusal(request, refusal)` and `hookErrors`.
 * `fastify.corsguard.reconfigure(options)` replaces the options atomically
 * (same hook): a request is answered wholly by the ones current when its
 * hook ran, an origin callback or delegator included.
 */
function fastifyCorsguard(fastify, opts, done) {
  fastify.decorateRequest('corsPreflightEnabled', false);
  let current;
  let hook;
  try {
    const hooks = hooksOf(typeof opts === 'function' ? undefined : opts, 'corsguard/fastify');
    const made = handlerOf(fastify, opts, hooks);
    if (made.error) return done(made.error);
    hook = made.hook;
    current = made.handler;
    addHook(fastify, hook, (request, reply, next) => current(request, reply, next));
    if (!fastify.hasDecorator('corsguard')) {
      fastify.decorate('corsguard', {
        reconfigure(replacement) {
          const next = handlerOf(fastify, replacement, hooks);
          if (next.error) throw next.error;
          if (next.hook !== hook) throw new TypeError(`corsguard/fastify: reconfigure cannot move the hook from ${hook} to ${next.hook}`);
          current = next.handler;
        },
      });
    }
  } catch (error) {
    return done(error);
  }
  const hide = opts.hideOptionsRoute !== undefined ? opts.hideOptionsRoute : true;
  // The route that lets Fastify accept preflights (they are answered in the
  // hook, before authentication plugins); an OPTIONS that CORS did not take
  // is not found, as with @fastify/cors.
  fastify.options('*', { schema: { hide }, logLevel: opts.logLevel }, (request, reply) => {
    if (!request.corsPreflightEnabled) {
      reply.callNotFound();
      return;
    }
    reply.send();
  });
  done();
}

// What fastify-plugin marks: not encapsulated (the hook covers the parent's
// routes), and the plugin's name and Fastify version.
fastifyCorsguard[Symbol.for('skip-override')] = true;
fastifyCorsguard[Symbol.for('fastify.display-name')] = 'corsguard';
fastifyCorsguard[Symbol.for('plugin-meta')] = { fastify: '5.x', name: 'corsguard' };

module.exports = fastifyCorsguard;
module.exports.fastifyCors = fastifyCorsguard;
module.exports.fastifyCorsguard = fastifyCorsguard;
module.exports.default = fastifyCorsguard;
// For the tests.
module.exports.caches = { policies };
