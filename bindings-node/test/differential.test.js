'use strict';

// The real cors@2.8.6 and corsguard on the same generated options and
// requests: identical setHeader calls (names, values, order), status, body
// and next() arguments. Mock-level for thousands of seeded cases, then a
// smaller set over real HTTP through Express 4.
//
// The generator stays inside what cors accepts and outside the documented
// deviations (README: values with CR/LF/NUL, invalid status codes,
// options mutated after construction, stateful /g regular expressions).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const cors = require('cors');
const express = require('express4');
const corsguard = require('..');
const { rng, mock, request, listen, close, quietWarnings } = require('./helpers');

quietWarnings();

const SEED = Number(process.env.CORSGUARD_SEED || 20250611);
const CASES = Number(process.env.CORSGUARD_CASES || 4000);

const ORIGINS = [
  'https://a.example',
  'https://b.example',
  'https://c.example',
  'https://sub.c.example',
  'https://evil.example',
  'https://a.example.evil.net',
  'null',
  '*',
  '',
  'HTTPS://A.EXAMPLE',
];

function originOption(r) {
  return r.pick([
    () => undefined,
    () => '*',
    () => true,
    () => false,
    () => null,
    () => 'https://a.example',
    () => ['https://a.example', 'https://b.example'],
    () => ['https://a.example', /^https:\/\/(.+\.)?c\.example$/],
    () => [/c\.example$/],
    () => /a\.example/,
    () => [],
    () => ['*'],
    () => ['null', 'https://b.example'],
    () => [['https://a.example'], [/^https:\/\/b\./]],
    () => ['https://b.example', true],
    () => ['https://b.example', 0],
    () => (origin, cb) => cb(null, true),
    () => (origin, cb) => cb(null, origin === 'https://evil.example' ? false : origin),
    () => (origin, cb) => cb(null, ['https://a.example', /b\.example$/]),
    () => (origin, cb) => (origin === 'https://evil.example' ? cb(new Error('not allowed by CORS')) : cb(null, true)),
    () => (origin, cb) => cb(null, 'https://fixed.example'),
    () => (origin, cb) => cb(null, '*'),
    () => (origin, cb) => cb(null, /c\.example$/),
    () => (origin, cb) => cb(null, undefined),
  ])();
}

function options(r) {
  const o = {};
  const maybe = (key, values) => {
    if (r.chance(0.5)) o[key] = r.pick(values);
  };
  if (r.chance(0.85)) o.origin = originOption(r);
  maybe('methods', ['GET,POST', ['GET', 'PUT'], [], '', ['GET', ''], ['PATCH'], 'GET', '*', ['GET', 'HEAD', 'DELETE']]);
  if (r.chance(0.4)) o.allowedHeaders = r.pick(['X-A', ['X-A', 'X-B'], [], '', ['Content-Type'], '*', ['']]);
  if (r.chance(0.15)) o.headers = r.pick(['X-H', ['X-H', 'X-I'], []]);
  maybe('exposedHeaders', ['X-T', ['X-T', 'X-U'], [], '', ['X-T', ''], '*']);
  maybe('credentials', [true, false, 'true', 1]);
  maybe('maxAge', [0, 600, '1000', '', 86401, 5.5, null, undefined]);
  maybe('preflightContinue', [true, false, 1, 0]);
  maybe('optionsSuccessStatus', [200, 204, 202]);
  // With preflightContinue cors never uses the status, so any value goes.
  if (o.preflightContinue && r.chance(0.3)) o.optionsSuccessStatus = r.pick([undefined, null, 'x', 1000, -1, 302]);
  return o;
}

function requestCase(r) {
  const headers = {};
  const origin = r.pick([undefined, ...ORIGINS]);
  if (origin !== undefined) headers.origin = origin;
  if (r.chance(0.4)) headers['access-control-request-method'] = r.pick(['PUT', 'DELETE', 'GET']);
  if (r.chance(0.4)) headers['access-control-request-headers'] = r.pick(['x-a', 'X-A, content-type', '', 'x-b,x-c']);
  return {
    method: r.pick(['GET', 'GET', 'POST', 'OPTIONS', 'OPTIONS', 'options', 'PUT', 'HEAD', 'DELETE']),
    headers,
    vary: r.pick([undefined, undefined, 'Accept', 'origin', '*', ['Accept', 'Cookie'], 'Accept-Encoding, Origin']),
  };
}

/** Wraps options in one of the delegate forms, or not. */
function form(r, o) {
  switch (Math.floor(r() * 8)) {
    case 0:
      return (req, cb) => cb(null, o);
    case 6:
      // A fresh but equal options object (and origin array) on every call.
      return (req, cb) => cb(null, Object.assign({}, o, Array.isArray(o.origin) ? { origin: o.origin.slice() } : {}));
    case 7:
      // The request's own origin as the fixed origin, in a fresh object.
      return (req, cb) => cb(null, Object.assign({}, o, { origin: req.headers.origin }));
    case 1:
      return (req, cb) => cb(req.headers.origin === 'https://evil.example' ? new Error('delegate refused') : null, o);
    case 2:
      return (req, cb) => cb(null, req.method === 'GET' ? o : undefined);
    default:
      return o;
  }
}

function run(middleware, c) {
  const m = mock(c.method, { ...c.headers }, c.vary);
  middleware(m.req, m.res, m.next);
  return m.log;
}

test(`differential: cors@2.8.6 vs corsguard on ${CASES} seeded cases (mock req/res)`, () => {
  const r = rng(SEED);
  let compared = 0;
  const failures = [];
  for (let i = 0; i < CASES; i++) {
    const o = form(r, options(r));
    const theirs = cors(o);
    const ours = corsguard(o);
    // Several requests per configuration, so caches and memos are exercised.
    for (let k = 0; k < 3; k++) {
      const c = requestCase(r);
      const want = run(theirs, c);
      const got = run(ours, c);
      compared++;
      try {
        assert.deepEqual(got, want);
      } catch {
        if (failures.length < 10) {
          failures.push(
            `case ${i}.${k}: options ${describe(o)}; request ${JSON.stringify(c)}\n  cors:      ${JSON.stringify(
              want
            )}\n  corsguard: ${JSON.stringify(got)}`
          );
        }
      }
    }
  }
  assert.equal(failures.length, 0, `${failures.length}+ differences in ${compared} requests:\n${failures.join('\n')}`);
});

function describe(o) {
  if (typeof o === 'function') return `delegate(${o.toString()})`;
  return JSON.stringify(o, (k, v) =>
    typeof v === 'function' ? v.toString() : v instanceof RegExp ? String(v) : v === undefined ? '<undefined>' : v
  );
}

test('differential over real HTTP: Express 4 with cors vs with corsguard', async () => {
  const r = rng(SEED + 1);
  const configs = [];
  for (let i = 0; i < 40; i++) configs.push(options(r));
  const build = (factory) => {
    const app = express();
    configs.forEach((o, i) => {
      app.use(`/c${i}`, factory(o), (req, res) => res.send('app'));
    });
    app.use((err, req, res, next) => res.status(500).send('error: ' + err.message));
    return http(app);
  };
  const http = (app) => require('node:http').createServer(app);
  const theirs = build(cors);
  const ours = build(corsguard);
  const [pt, po] = await Promise.all([listen(theirs), listen(ours)]);
  try {
    let compared = 0;
    for (let i = 0; i < configs.length; i++) {
      for (let k = 0; k < 4; k++) {
        const c = requestCase(r);
        if (c.headers.origin === '') delete c.headers.origin;
        const spec = { method: c.method.toUpperCase(), path: `/c${i}`, headers: c.headers };
        const [a, b] = await Promise.all([request(pt, spec), request(po, spec)]);
        const strip = (res) => ({
          status: res.status,
          body: res.body,
          headers: pairs(res.rawHeaders).filter(([n]) => !/^(date|etag)$/i.test(n)),
        });
        assert.deepEqual(strip(b), strip(a), `config ${describe(configs[i])}, request ${JSON.stringify(spec)}`);
        compared++;
      }
    }
    assert.equal(compared, 160);
  } finally {
    await Promise.all([close(theirs), close(ours)]);
  }
});

function pairs(raw) {
  const out = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i], raw[i + 1]]);
  return out;
}

test('differential: answers stay identical when origins never repeat (the answer memo fills, clears and steps aside)', () => {
  const options = {
    origin: ['https://app.example.com', /^https:\/\/[a-z0-9-]+\.preview\.example\.com$/],
    credentials: true,
    exposedHeaders: ['X-Total'],
  };
  const theirs = cors(options);
  const ours = corsguard(options);
  // More than four times the memo's 4096 entries, then the memo's bypass
  // window, with a repeated origin mixed in.
  for (let i = 0; i < 20000; i++) {
    const origin = i % 7 === 0 ? 'https://app.example.com' : `https://n${i}.preview.example.com`;
    const method = i % 3 === 0 ? 'OPTIONS' : 'GET';
    const headers = { origin, 'access-control-request-method': 'PUT' };
    const a = mock(method, headers);
    const b = mock(method, headers);
    theirs(a.req, a.res, a.next);
    ours(b.req, b.res, b.next);
    assert.deepEqual(b.log, a.log, `request ${i}: ${method} ${origin}`);
  }
});

test('preflightContinue with a status Node cannot send: accepted, and answered as cors does over HTTP', async () => {
  const statuses = [undefined, null, 'x', 1000, -1];
  for (const optionsSuccessStatus of statuses) {
    assert.doesNotThrow(() => corsguard({ preflightContinue: true, optionsSuccessStatus }));
  }
  // Where the status would be used, it is still refused (README, deviation 4).
  assert.throws(() => corsguard({ optionsSuccessStatus: undefined }), RangeError);

  const build = (factory) => {
    const app = express();
    statuses.forEach((optionsSuccessStatus, i) => {
      app.use(`/s${i}`, factory({ preflightContinue: true, optionsSuccessStatus, credentials: true }), (req, res) =>
        res.status(req.method === 'OPTIONS' ? 200 : 201).send('app ' + req.method)
      );
    });
    return require('node:http').createServer(app);
  };
  const theirs = build(cors);
  const ours = build(corsguard);
  const [pt, po] = await Promise.all([listen(theirs), listen(ours)]);
  try {
    for (let i = 0; i < statuses.length; i++) {
      for (const method of ['OPTIONS', 'GET']) {
        const spec = {
          method,
          path: `/s${i}`,
          headers: { origin: 'https://a.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-a' },
        };
        const [a, b] = await Promise.all([request(pt, spec), request(po, spec)]);
        const strip = (res) => ({
          status: res.status,
          body: res.body,
          headers: pairs(res.rawHeaders).filter(([n]) => !/^(date|etag)$/i.test(n)),
        });
        assert.deepEqual(strip(b), strip(a), `status ${String(statuses[i])}, ${method}`);
        assert.equal(b.status, method === 'OPTIONS' ? 200 : 201);
      }
    }
  } finally {
    await Promise.all([close(theirs), close(ours)]);
  }
});
