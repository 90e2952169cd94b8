'use strict';

// The drop-in for the `cors` package (2.8.6): the same options, the same
// callback protocol, the same answers. This file translates the options
// into a policy document with `"profile": "cors_npm"` (the mapping table is
// in tests/vectors/README.md) and runs the callbacks; the document is loaded
// by the core, and the answers and findings are the core's.

const native = require('./native');
const { Runner, unsafe } = require('./runner');
const { writeHeaders, respond, answerPreflight } = require('./write');
const { problemsOf, originProblems, report } = require('./lint');
const { BoundedCache } = require('./cache');
const { hooksOf, reportRefusal, keepOnErrors } = require('./hooks');

// cors 2.8.6's defaults, merged under the options the same way (Object.assign).
const DEFAULTS = {
  origin: '*',
  methods: 'GET,HEAD,PUT,PATCH,POST,DELETE',
  preflightContinue: false,
  optionsSuccessStatus: 204,
};

// Compiled policies, shared by every middleware and keyed by a canonical
// form of the options (the translated document, plus the source and flags
// of each RegExp, which only the verdict and the warnings depend on): an
// options object or origin value equal to one seen before costs a lookup,
// not a compile. A cached policy is charged its key, its native size (the
// size of its capacity class's policy, as the addon reports it) and its
// answer memo's budget.
const POLICY_LIMIT = 64;
const POLICY_BYTES = 16 * 1024 * 1024;
const policies = new BoundedCache(POLICY_LIMIT, POLICY_BYTES);
// Canonical keys are built only up to this many characters; beyond it a
// configuration is cached by the identity of its objects instead (WeakMaps,
// so the entries live as long as the caller's objects).
const KEY_CHARS = 32 * 1024;
// Per origin object so cached, the option sets it is used with.
const IDENTITY_LIMIT = 8;
const identities = new WeakMap();
// Nested origin arrays deeper than this are cached by identity too.
const KEY_DEPTH = 8;
// Lint results for option sets whose origin a callback decides later.
const BASE_LINT_LIMIT = 256;
const BASE_LINT_BYTES = 1024 * 1024;
const baseLints = new BoundedCache(BASE_LINT_LIMIT, BASE_LINT_BYTES);
// Entries for the last options objects a delegate returned (held strongly).
const SEEN_OBJECTS = 4;
// Entries for non-object values a delegate returns (strings, numbers, ...).
const VALUE_ENTRY_LIMIT = 256;
const VALUE_ENTRY_BYTES = 256 * 1024;
// A configuration whose canonical key is too long keeps a small cache of its own.
const LOCAL_LIMIT = 16;

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

/**
 * The document's keys for everything but `origin` (tests/vectors/README.md,
 * "The profiles"): each list as cors sends it, one joined entry.
 */
function baseOptions(o) {
  const out = {};
  const methods = o.methods == null ? '' : joined(o.methods);
  out.allowMethods = methods ? [String(methods)] : [];

  let headers = o.allowedHeaders || o.headers;
  if (!headers) {
    out.allowHeaders = 'mirror';
  } else {
    headers = joined(headers);
    out.allowHeaders = headers && headers.length ? [String(headers)] : [];
  }

  const exposed = o.exposedHeaders ? joined(o.exposedHeaders) : null;
  out.exposeHeaders = exposed && exposed.length ? [String(exposed)] : [];

  // A number as is (when the document can hold it), anything else cors
  // sends as the literal its toString() gives.
  if (Number.isInteger(o.maxAge) && o.maxAge >= 0 && o.maxAge <= 0xffffffff) {
    out.maxAge = o.maxAge;
  } else {
    const maxAge = (typeof o.maxAge === 'number' || o.maxAge) && o.maxAge.toString();
    if (maxAge && maxAge.length) out.maxAge = String(maxAge);
  }

  out.allowCredentials = o.credentials === true;
  out.preflightContinue = Boolean(o.preflightContinue);
  // With preflightContinue cors never uses optionsSuccessStatus (the app
  // answers the preflight), so any value is accepted then, as cors does.
  out.preflightStatus = out.preflightContinue ? 204 : preflightStatus(o.optionsSuccessStatus);
  return out;
}

/** The policy document for `base` with the origin keys `origin` (which come first). */
function documentText(base, origin) {
  return JSON.stringify(Object.assign({ version: 1, profile: 'cors_npm' }, origin, base));
}

/** A list option's part of a key: a keyword, or the (one) joined string, length first. */
function listKey(list) {
  if (!Array.isArray(list)) return 'k' + list;
  return list.length === 0 ? 'e' : list[0].length + ':' + list[0];
}

/** The canonical key of `base` with `strict`, or null when it would be too long. */
function baseKey(base, strict) {
  const chars = (list) => (Array.isArray(list) ? (list.length ? list[0].length : 0) : list.length);
  const maxAge = base.maxAge === undefined ? '' : typeof base.maxAge === 'number' ? 'n' + base.maxAge : 's' + base.maxAge;
  const size = chars(base.allowMethods) + chars(base.allowHeaders) + chars(base.exposeHeaders) + maxAge.length;
  if (size > KEY_CHARS) return null;
  // Every field of baseOptions(), each part unambiguous (lengths first).
  return (
    (strict ? 'S' : 's') +
    (base.allowCredentials ? 'c' : '-') +
    (base.preflightContinue ? 'p' : '-') +
    base.preflightStatus +
    '|' +
    listKey(base.allowMethods) +
    '|' +
    listKey(base.allowHeaders) +
    '|' +
    listKey(base.exposeHeaders) +
    '|' +
    (base.maxAge === undefined ? '-' : maxAge.length + ':' + maxAge)
  );
}

/**
 * cors's `isOriginAllowed` for what only JS can judge: regular expressions,
 * other truthy values, and the literal string `*` inside an array (which the
 * core would read as its wildcard). Plain strings are the core's to match.
 */
function hostVerdict(origin, allowed, probing = false) {
  if (Array.isArray(allowed)) {
    for (let i = 0; i < allowed.length; ++i) {
      if (hostVerdict(origin, allowed[i], probing)) return true;
    }
    return false;
  }
  if (typeof allowed === 'string') return allowed === '*' && origin === '*';
  if (allowed instanceof String) return origin === allowed;
  if (allowed instanceof RegExp) {
    if (!probing) return allowed.test(origin);
    // A probe leaves a g or y RegExp's lastIndex as it found it.
    const last = allowed.lastIndex;
    allowed.lastIndex = 0;
    const admitted = allowed.test(origin);
    allowed.lastIndex = last;
    return admitted;
  }
  return !!allowed;
}

/** The core's verdict probes an origin value's host rules admit (bit i for probe i). */
function probesOf(origin) {
  return native.probeMask((probe) => hostVerdict(probe, origin, true));
}

// Markers in a token list: unique objects, never equal to a string.
const OPEN = { token: '[' };
const CLOSE = { token: ']' };
const REGEXP = { token: '/' };
const STRING_OBJECT = { token: 'S' };
const TRUE = { token: 't' };
const TRUTHY = { token: 'o' };
const FALSY = { token: 'f' };

/**
 * Walks a non-string origin value into `out.tokens`: its strings as they
 * are, RegExps as their source and flags, markers for the rest (no string
 * is built). Notes whether JS must judge too (`out.host`). Returns false
 * when the strings pass KEY_CHARS or the nesting KEY_DEPTH (the walk stops).
 */
function tokenize(allowed, out, depth) {
  const tokens = out.tokens;
  if (Array.isArray(allowed)) {
    if (depth >= KEY_DEPTH) return false;
    // Arrays count too, so a list of empty lists is bounded as well.
    out.chars += 2;
    if (out.chars > KEY_CHARS) return false;
    tokens.push(OPEN);
    for (let i = 0; i < allowed.length; ++i) {
      if (!tokenize(allowed[i], out, depth + 1)) return false;
    }
    tokens.push(CLOSE);
    return true;
  }
  if (typeof allowed === 'string') {
    if (allowed === '*') out.host = true;
    else out.strings.push(allowed);
    tokens.push(allowed);
    out.chars += allowed.length + 8;
  } else if (allowed instanceof String) {
    out.host = true;
    tokens.push(STRING_OBJECT, String(allowed));
    out.chars += allowed.length + 8;
  } else if (allowed instanceof RegExp) {
    out.host = true;
    tokens.push(REGEXP, allowed.source, allowed.flags);
    out.chars += allowed.source.length + 16;
  } else {
    if (allowed) out.host = true;
    tokens.push(allowed === true ? TRUE : allowed ? TRUTHY : FALSY);
    out.chars += 1;
  }
  return out.chars <= KEY_CHARS;
}

/** The canonical key of a token list. */
function keyOf(tokens) {
  const parts = [];
  for (let i = 0; i < tokens.length; ++i) {
    const t = tokens[i];
    parts.push(typeof t === 'string' ? t.length + ':' + t : t.token);
  }
  return parts.join(',');
}

/**
 * Whether `allowed` walks to the same tokens as `tokens` from `at`: the
 * next position, or -1. Allocates nothing, and stops at the first
 * difference, so it never takes more steps than `tokens` has.
 */
function match(allowed, tokens, at, depth) {
  if (Array.isArray(allowed)) {
    if (depth >= KEY_DEPTH || tokens[at] !== OPEN) return -1;
    at++;
    for (let i = 0; i < allowed.length; ++i) {
      const item = allowed[i];
      // Strings inline: the common case, and the hot loop.
      if (typeof item === 'string') {
        if (tokens[at] !== item) return -1;
        at++;
      } else {
        at = match(item, tokens, at, depth + 1);
        if (at < 0) return -1;
      }
    }
    return tokens[at] === CLOSE ? at + 1 : -1;
  }
  if (typeof allowed === 'string') return tokens[at] === allowed ? at + 1 : -1;
  if (allowed instanceof String) return tokens[at] === STRING_OBJECT && tokens[at + 1] === String(allowed) ? at + 2 : -1;
  if (allowed instanceof RegExp) {
    return tokens[at] === REGEXP && tokens[at + 1] === allowed.source && tokens[at + 2] === allowed.flags ? at + 3 : -1;
  }
  return tokens[at] === (allowed === true ? TRUE : allowed ? TRUTHY : FALSY) ? at + 1 : -1;
}

// The last few origin values resolved by value, compared token by token
// before any key is built: a fresh but equal array costs a walk and a
// comparison. Bounded: RECENT_LIMIT entries of at most KEY_CHARS each.
const RECENT_LIMIT = 8;
const recent = [];

/**
 * Compiles `options` into a cache record, linting `origin` (undefined: none)
 * with them; `fromRequest`: the values came with a request (see lint.js).
 */
function build(entry, originKeys, origin, fromRequest, host = false, probes = 0) {
  const policy = native.load(documentText(entry.base, originKeys), probes, 'cors_npm');
  const problems = problemsOf(policy.takeFindings().map(native.problemOf), origin);
  report(problems, entry.strict, fromRequest);
  // A record keeps no message about request-derived values (null: not kept).
  const record = { runner: new Runner(policy), problems: fromRequest ? null : problems, host };
  record.probes = probes;
  return record;
}

/** The problems of a document built from `base` and `originKeys`, found again (no policy built). */
function findAgain(base, originKeys, probes, origin) {
  return problemsOf(native.findings(documentText(base, originKeys), probes, 'cors_npm'), origin);
}

/**
 * A cached record (built from `origin`) found again. A static configuration
 * gets its warnings (deduplicated by message). A strict record never has
 * problems (building it would have thrown), and warnings about request-
 * derived values were emitted once already.
 */
function reuse(entry, record, fromRequest, origin) {
  if (fromRequest || entry.strict) return record;
  if (record.problems === null) record.problems = findAgain(entry.base, originKeysOf(origin), record.probes, origin);
  report(record.problems, false, false);
  return record;
}

/** The document's origin keys for a non-string origin value (the strings cors matches, and the host rule). */
function originKeysOf(origin) {
  if (isString(origin)) return { fixedOrigin: String(origin) };
  const out = { strings: [], host: false };
  collectStrings(origin, out, 0);
  return listKeys(out);
}

function listKeys(out) {
  return out.host ? { allowOrigins: out.strings, originVerdict: true } : { allowOrigins: out.strings };
}

/** Everything fixed about one options object (after the defaults). */
class Entry {
  /** `fromRequest`: the options came from a delegate (see lint.js). */
  constructor(options, fromRequest) {
    const o = Object.assign({}, DEFAULTS, options);
    this.strict = o.strict === true;
    this.fromRequest = fromRequest;
    this.base = baseOptions(o);
    this.key = baseKey(this.base, this.strict);
    this.local = null;
    this.byIdentity = null;
    this.origin = undefined;
    this.originCallback = null;
    this.target = null;
    if (o.origin && typeof o.origin === 'function') {
      this.originCallback = o.origin;
      // Warn about the options themselves now; origin values as they come.
      // (Cached as in `build`: null when they came from a delegate.)
      const known = this.key === null ? undefined : baseLints.get(this.key);
      if (known === undefined || (known === null && !fromRequest && !this.strict)) {
        const problems = findAgain(this.base, {}, 0, undefined);
        report(problems, this.strict, fromRequest);
        if (this.key !== null) baseLints.set(this.key, fromRequest ? null : problems);
      } else if (known !== null && !fromRequest && !this.strict) {
        report(known, false, false);
      }
    } else if (o.origin) {
      this.origin = o.origin;
      // A string from a delegate may be the request's own origin (see
      // targetFor), so it is resolved per request; anything else now.
      if (!(fromRequest && typeof o.origin === 'string')) this.target = this.targetFor(o.origin, undefined, fromRequest);
    }
  }

  /** The cache for this entry's keys, and the key prefix. */
  cache() {
    if (this.key !== null) return policies;
    if (this.local === null) this.local = new BoundedCache(LOCAL_LIMIT, POLICY_BYTES / 4);
    return this.local;
  }

  /** The compiled record for `originKey` (built by `make` on a miss). */
  record(originKey, make, fromRequest, origin) {
    const cache = this.cache();
    const key = (this.key === null ? '' : this.key) + originKey;
    const known = cache.get(key);
    if (known !== undefined) return reuse(this, known, fromRequest, origin);
    const record = make();
    return cache.set(key, record, record.runner.native.nativeBytes + record.runner.memoBudget);
  }

  /** The record of a recently resolved origin value equal to `origin`, if any. */
  recentRecord(origin, fromRequest) {
    if (this.key === null) return undefined;
    for (let i = recent.length - 1; i >= 0; --i) {
      const r = recent[i];
      if (r.key === this.key && match(origin, r.tokens, 0, 0) === r.tokens.length) return reuse(this, r.record, fromRequest, origin);
    }
    return undefined;
  }

  /** The record of a non-string origin value: by its canonical key, or by identity when too long for one. */
  listRecord(origin, fromRequest) {
    const out = { tokens: [], host: false, chars: 0, strings: [] };
    const make = () => build(this, listKeys(out), origin, fromRequest, out.host, out.host ? probesOf(origin) : 0);
    if (tokenize(origin, out, 0)) {
      const record = this.record('\0list' + keyOf(out.tokens), make, fromRequest, origin);
      if (record.host && record.hostIndices === undefined) record.hostIndices = hostIndices(origin);
      if (this.key !== null) {
        if (recent.length >= RECENT_LIMIT) recent.shift();
        recent.push({ key: this.key, tokens: out.tokens, record });
      }
      return record;
    }
    // Too long or too deep to key by value: by the object's identity
    // (and the options' key, when they have one).
    let byBase;
    if (this.key === null) {
      if (this.byIdentity === null) this.byIdentity = new WeakMap();
      byBase = this.byIdentity.get(origin);
      if (byBase === undefined) this.byIdentity.set(origin, (byBase = new BoundedCache(1, POLICY_BYTES)));
    } else {
      byBase = identities.get(origin);
      if (byBase === undefined) identities.set(origin, (byBase = new BoundedCache(IDENTITY_LIMIT, POLICY_BYTES / 4)));
    }
    const key = this.key === null ? '' : this.key;
    let record = byBase.get(key);
    if (record === undefined) {
      out.strings = [];
      out.host = false;
      collectStrings(origin, out, 0);
      record = make();
      byBase.set(key, record, record.runner.native.nativeBytes + record.runner.memoBudget);
    } else {
      reuse(this, record, fromRequest, origin);
    }
    return record;
  }

  /**
   * The target (a runner and the JS verdict) for an origin value: the
   * options' own, or what the origin callback returned for a request whose
   * Origin is `requestOrigin`; `fromRequest`: the value came with a request.
   */
  targetFor(origin, requestOrigin, fromRequest) {
    if (isString(origin)) {
      const value = String(origin);
      if (value === requestOrigin && value !== '*' && !unsafe(value)) {
        // The request's own origin as the fixed origin: cors sends that
        // value with `Vary: Origin`, exactly what reflecting any origin
        // sends, so one reflecting policy serves every such value instead
        // of a policy per origin. The value itself is still linted.
        report(originProblems(native.findings(documentText(this.base, { fixedOrigin: value }), 0, 'cors_npm')), this.strict, true);
        // The verdict reflects every origin, but it is the callback's value,
        // not a host rule: no probe is admitted.
        const keys = { allowOrigins: [], originVerdict: true };
        const record = this.record('\0reflect', () => build(this, keys, undefined, fromRequest, true), fromRequest, undefined);
        return { runner: record.runner, verdict: reflectAll };
      }
      const make = () => build(this, { fixedOrigin: value }, value, fromRequest);
      const record = value.length > KEY_CHARS ? make() : this.record('\0fixed' + value, make, fromRequest, value);
      return { runner: record.runner, verdict: null };
    }
    const record = this.recentRecord(origin, fromRequest) || this.listRecord(origin, fromRequest);
    if (!record.host) return { runner: record.runner, verdict: null };
    const indices = record.hostIndices;
    if (!indices) return { runner: record.runner, verdict: (o) => hostVerdict(o, origin) };
    // Equal values have their RegExps (and other host items) at the same
    // places: only those are consulted, on the value of this request.
    return {
      runner: record.runner,
      verdict: (o) => {
        for (let i = 0; i < indices.length; ++i) {
          if (hostVerdict(o, origin[indices[i]])) return true;
        }
        return false;
      },
    };
  }
}

const reflectAll = () => true;

/**
 * For a flat origin array: the indices of what JS must judge (anything but
 * a plain string other than `*`, which never matches in JS). Null when the
 * array nests others (then the whole value is walked).
 */
function hostIndices(origin) {
  if (!Array.isArray(origin)) return null;
  const indices = [];
  for (let i = 0; i < origin.length; ++i) {
    const item = origin[i];
    if (Array.isArray(item)) return null;
    if (typeof item !== 'string' || item === '*') indices.push(i);
  }
  return indices;
}

/** The strings of an origin value the core matches, and whether JS must judge too. */
function collectStrings(allowed, out, depth) {
  if (Array.isArray(allowed)) {
    // cors recurses without a limit; a cycle would overflow its stack too.
    if (depth > 10000) throw new RangeError('origin: arrays nested too deeply');
    for (let i = 0; i < allowed.length; ++i) collectStrings(allowed[i], out, depth + 1);
  } else if (typeof allowed === 'string' && allowed !== '*') {
    out.strings.push(allowed);
  } else if (allowed) {
    out.host = true;
  }
}

const NO_HEADERS = Object.freeze({});

/** Judges the request with `target` and writes the answer; `hooks` as hooksOf gives. */
function answer(target, req, res, next, hooks) {
  const headers = req.headers || NO_HEADERS;
  const rawOrigin = headers.origin;
  // Only strings reach the core. An empty Origin needs no case of its own:
  // the cors_npm profile never sends an empty header value, as cors does not.
  const origin = typeof rawOrigin === 'string' ? rawOrigin : undefined;
  let requestHeaders = headers['access-control-request-headers'];
  if (typeof requestHeaders !== 'string') requestHeaders = undefined;
  const method = typeof req.method === 'string' ? req.method : undefined;
  const verdict = target.verdict === null ? undefined : target.verdict(origin);
  // Without hooks only the headers are used: an answer whose headers are
  // the same for every Origin may be reused across origins.
  const shape = target.runner.answer(method, origin, requestHeaders, verdict, 0, undefined, undefined, null, hooks === null);
  if (hooks === null) {
    if (shape.status === -1) {
      writeHeaders(shape, res, origin, requestHeaders);
      next();
    } else {
      answerPreflight(shape, res, origin, requestHeaders);
    }
    return;
  }
  writeHeaders(shape, res, origin, requestHeaders);
  const url = typeof req.originalUrl === 'string' && req.originalUrl !== '' ? req.originalUrl : req.url;
  const ask = () => target.runner.native.evaluate(undefined, method === undefined ? '' : method, origin, undefined, requestHeaders, undefined, verdict);
  const failed = reportRefusal(hooks, ask, req, url, method, origin, shape);
  if (failed !== null) {
    next(failed);
    return;
  }
  if (shape.status === -1) {
    keepOnErrors(hooks, shape, res, origin, requestHeaders);
    next();
  } else respond(shape, res);
}

function handle(entry, req, res, next, hooks = null) {
  if (entry.target !== null) {
    answer(entry.target, req, res, next, hooks);
  } else if (entry.origin !== undefined) {
    let target;
    try {
      target = entry.targetFor(entry.origin, req.headers && req.headers.origin, true);
    } catch (error) {
      next(error);
      return;
    }
    answer(target, req, res, next, hooks);
  } else if (entry.originCallback !== null) {
    entry.originCallback(req.headers && req.headers.origin, function (err2, origin) {
      if (err2 || !origin) {
        next(err2);
        return;
      }
      let target;
      try {
        target = entry.targetFor(origin, req.headers && req.headers.origin, true);
      } catch (error) {
        next(error);
        return;
      }
      answer(target, req, res, next, hooks);
    });
  } else {
    next();
  }
}

// Options objects with more own keys than this are never snapshotted.
const SNAPSHOT_KEYS = 32;

/**
 * A shallow copy of an options object's own enumerable keys and values
 * (arrays copied one level), or null when it has too many keys or nested
 * arrays. Values are compared by identity, so a RegExp or function in an
 * equal snapshot is the very object the entry was built with.
 */
function snapshot(o) {
  const keys = Object.keys(o);
  if (keys.length > SNAPSHOT_KEYS) return null;
  const values = new Array(keys.length);
  for (let i = 0; i < keys.length; ++i) {
    const value = o[keys[i]];
    if (Array.isArray(value)) {
      for (let j = 0; j < value.length; ++j) if (Array.isArray(value[j])) return null;
      values[i] = value.slice();
    } else {
      values[i] = value;
    }
  }
  return { keys, values };
}

/** Whether `o` has the snapshot's keys, in order, with identical values. */
function sameAsSnapshot(o, snap) {
  if (snap === null) return false;
  const keys = Object.keys(o);
  if (keys.length !== snap.keys.length) return false;
  for (let i = 0; i < keys.length; ++i) {
    if (keys[i] !== snap.keys[i]) return false;
    const value = o[keys[i]];
    const seen = snap.values[i];
    if (value === seen) continue;
    if (!Array.isArray(value) || !Array.isArray(seen) || value.length !== seen.length) return false;
    for (let j = 0; j < value.length; ++j) if (value[j] !== seen[j]) return false;
  }
  return true;
}

/** The request handler for `options` or a delegate (`hooks` as hooksOf gives). */
function handlerFor(options, hooks) {
  if (typeof options === 'function') {
    const delegate = options;
    // The entries of the last few options objects, each with a shallow
    // snapshot: the same object, or a fresh one with the same keys and
    // identical values, reuses its entry. (No identity map of every object:
    // a delegate returning a fresh object per request would give each one
    // an identity hash, a map slot and a longer life.) Non-object values
    // have a bounded map.
    const seen = [];
    const byValue = new BoundedCache(VALUE_ENTRY_LIMIT, VALUE_ENTRY_BYTES);
    const entryFor = (o) => {
      if (o === null || (typeof o !== 'object' && typeof o !== 'function')) {
        let entry = byValue.get(o);
        if (entry === undefined) entry = byValue.set(o, new Entry(o, true));
        return entry;
      }
      for (let i = 0; i < seen.length; ++i) if (seen[i].object === o) return seen[i].entry;
      for (let i = 0; i < seen.length; ++i) {
        if (sameAsSnapshot(o, seen[i].snapshot)) {
          seen[i].object = o;
          return seen[i].entry;
        }
      }
      const entry = new Entry(o, true);
      if (seen.length >= SEEN_OBJECTS) seen.pop();
      seen.unshift({ object: o, snapshot: snapshot(o), entry });
      return entry;
    };
    return function delegated(req, res, next) {
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
        handle(entry, req, res, next, hooks);
      });
    };
  }
  const entry = new Entry(options, false);
  return function fixed(req, res, next) {
    handle(entry, req, res, next, hooks);
  };
}

/**
 * `corsguard(options)` / `corsguard(delegate)`: the `cors` middleware.
 * Options are read once, when the middleware is made (or, for a delegate,
 * the first time each options object is seen). corsguard's own options
 * (`onRefusal`, `hookErrors`, `corsOnErrors`) are read from `options`, or
 * from `extras` (the only place for them with a delegate).
 * `middleware.reconfigure(optionsOrDelegate)` replaces the configuration
 * atomically: a request is answered wholly by the one that was current when
 * it arrived, its origin callback or delegate included.
 */
function corsguard(options, extras = undefined) {
  const hooks = hooksOf(extras !== undefined ? extras : options, 'cors');
  let current = handlerFor(options, hooks);
  function corsMiddleware(req, res, next) {
    current(req, res, next);
  }
  corsMiddleware.reconfigure = (replacement) => {
    // Built (and so validated) before it replaces anything.
    current = handlerFor(replacement, hooks);
  };
  return corsMiddleware;
}

// `caches` is for the tests; the origin helpers serve the Fastify plugin too.
module.exports = { corsguard, caches: { policies, baseLints }, hostVerdict, probesOf, collectStrings };
