'use strict';

// The refusal hook (`onRefusal`) of the three middlewares, over real HTTP
// on loopback: the `cors` drop-in and the strict Policy middleware in
// Express 4 and 5, and the Fastify plugin. Each refused request reaches the
// hook once, with the core's reason; allowed ones never do; a throwing hook
// is reported as a warning and the request answered as without it, unless
// `hookErrors: 'throw'` passes the error on.

const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const express4 = require('express4');
const express5 = require('express5');
const Fastify = require('fastify');
const cors = require('..');
const { Policy } = require('..');
const fastifyCors = require('../fastify');
const { request, listen, close } = require('./helpers');

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';

/** Collects warnings with `code` while `run` runs. */
async function warningsDuring(code, run) {
  const seen = [];
  const listener = (w) => {
    if (w.code === code) seen.push(w);
  };
  process.on('warning', listener);
  try {
    await run();
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

for (const [name, express] of [
  ['express4', express4],
  ['express5', express5],
]) {
  describe(`onRefusal with ${name}`, () => {
    let server;
    let port;
    const refusals = [];
    const errors = [];
    const record = (req, refusal) => refusals.push({ path: req.originalUrl, refusal });

    before(async () => {
      const app = express();
      app.use('/dropin', cors({ origin: [APP], onRefusal: record }));
      const policy = new Policy({ allowOrigins: [APP], allowMethods: ['GET', 'PUT'] });
      app.use('/strict', policy.middleware({ onRefusal: record }));
      app.use('/throws', cors({ origin: [APP], onRefusal: () => { throw new Error('hook broke'); } }));
      app.use('/rethrows', cors({ origin: [APP], onRefusal: () => { throw new Error('hook broke'); }, hookErrors: 'throw' }));
      app.use((req, res) => res.send('ok'));
      app.use((err, req, res, next) => {
        errors.push(err.message);
        res.status(500).send('error');
      });
      server = http.createServer(app);
      port = await listen(server);
    });
    after(() => close(server));

    test('the drop-in reports a refused origin with its reason, not an allowed one', async () => {
      refusals.length = 0;
      const allowed = await request(port, { path: '/dropin/a', headers: { origin: APP } });
      assert.equal(allowed.headers['access-control-allow-origin'], APP);
      const refused = await request(port, { path: '/dropin/b?x=1', headers: { origin: EVIL } });
      assert.equal(refused.status, 200);
      assert.equal(refused.headers['access-control-allow-origin'], undefined);
      assert.equal(refusals.length, 1);
      assert.equal(refusals[0].path, '/dropin/b?x=1');
      assert.deepEqual(refusals[0].refusal, {
        kind: 'actual',
        code: 'origin_not_allowed',
        reason: 'the origin is not allowed by the policy',
        origin: EVIL,
        method: 'GET',
        url: '/dropin/b?x=1',
      });
    });

    test('the Policy middleware reports a refused preflight method', async () => {
      refusals.length = 0;
      const ok = await request(port, {
        method: 'OPTIONS',
        path: '/strict/r',
        headers: { origin: APP, 'access-control-request-method': 'PUT' },
      });
      assert.equal(ok.status, 204);
      const refused = await request(port, {
        method: 'OPTIONS',
        path: '/strict/r',
        headers: { origin: APP, 'access-control-request-method': 'DELETE' },
      });
      assert.equal(refused.headers['access-control-allow-methods'], undefined);
      assert.equal(refusals.length, 1);
      const { refusal } = refusals[0];
      assert.equal(refusal.kind, 'preflight');
      assert.equal(refusal.code, 'method_not_allowed');
      assert.match(refusal.reason, /DELETE/);
      assert.equal(refusal.method, 'OPTIONS');
      assert.equal(refusal.url, '/strict/r');
    });

    test('a throwing hook is a warning, once, and the request is answered as without it', async () => {
      const warnings = await warningsDuring('CORSGUARD_REFUSAL_HOOK_ERROR', async () => {
        for (let i = 0; i < 3; i++) {
          const res = await request(port, { path: '/throws', headers: { origin: EVIL } });
          assert.equal(res.status, 200);
          assert.equal(res.body, 'ok');
        }
      });
      assert.equal(warnings.length, 1);
      assert.match(warnings[0].message, /hook broke/);
    });

    test("hookErrors: 'throw' passes the hook's error to the error handler", async () => {
      errors.length = 0;
      const res = await request(port, { path: '/rethrows', headers: { origin: EVIL } });
      assert.equal(res.status, 500);
      assert.deepEqual(errors, ['hook broke']);
      const allowed = await request(port, { path: '/rethrows', headers: { origin: APP } });
      assert.equal(allowed.status, 200);
    });
  });
}

describe('onRefusal with Fastify', () => {
  let app;
  let port;
  const refusals = [];

  before(async () => {
    app = Fastify();
    await app.register(fastifyCors, {
      origin: [APP, /^https:\/\/[a-z]+\.app\.example\.com$/],
      methods: ['GET', 'PUT'],
      onRefusal: (req, refusal) => refusals.push({ id: req.id, refusal }),
    });
    app.get('/thing', async () => 'ok');
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = app.server.address().port;
  });
  after(() => app.close());

  test('an origin no rule admits is reported; a RegExp-admitted one is not', async () => {
    refusals.length = 0;
    const allowed = await request(port, { path: '/thing', headers: { origin: 'https://eu.app.example.com' } });
    assert.equal(allowed.headers['access-control-allow-origin'], 'https://eu.app.example.com');
    const refused = await request(port, { path: '/thing', headers: { origin: EVIL } });
    assert.equal(refused.status, 200);
    assert.equal(refused.headers['access-control-allow-origin'], undefined);
    assert.equal(refusals.length, 1);
    assert.equal(typeof refusals[0].id, 'string');
    assert.deepEqual(refusals[0].refusal, {
      kind: 'actual',
      code: 'origin_not_allowed',
      reason: 'the origin is not allowed by the policy',
      origin: EVIL,
      method: 'GET',
      url: '/thing',
    });
  });

  test("a throwing hook warns; with hookErrors: 'throw' the request fails", async () => {
    for (const [hookErrors, status] of [
      [undefined, 200],
      ['throw', 500],
    ]) {
      const server = Fastify();
      await server.register(fastifyCors, { origin: [APP], hookErrors, onRefusal: () => { throw new Error('hook broke'); } });
      server.get('/', async () => 'ok');
      await server.listen({ port: 0, host: '127.0.0.1' });
      try {
        const warnings = await warningsDuring('CORSGUARD_REFUSAL_HOOK_ERROR', async () => {
          const res = await request(server.server.address().port, { path: '/', headers: { origin: EVIL } });
          assert.equal(res.status, status);
        });
        assert.equal(warnings.length, hookErrors === 'throw' ? 0 : 1);
      } finally {
        await server.close();
      }
    }
  });
});

test('hook options are checked when the middleware is made', () => {
  assert.throws(() => cors({ onRefusal: 'log' }), { code: 'invalid_option' });
  assert.throws(() => cors({ onRefusal() {}, hookErrors: 'ignore' }), { code: 'invalid_option' });
  assert.throws(() => new Policy({ allowOrigins: [APP] }).middleware({ corsOnErrors: 'yes' }), { code: 'invalid_option' });
  // With a delegate, the hook comes as the second argument.
  const seen = [];
  const middleware = cors((req, cb) => cb(null, { origin: [APP] }), { onRefusal: (req, r) => seen.push(r.code) });
  const res = { headers: {}, setHeader(n, v) { this.headers[n] = v; }, getHeader(n) { return this.headers[n]; } };
  middleware({ method: 'GET', url: '/', headers: { origin: EVIL } }, res, () => {});
  assert.deepEqual(seen, ['origin_not_allowed']);
});

test('with a hook, only refused requests cost a second core call (the answer says it refused)', async () => {
  const native = require('../lib/native');
  const realLoad = native.load;
  const COUNTED = 'https://counted.example.com';
  let evaluations = 0;
  let compiled = false;
  native.load = (...args) => {
    const policy = realLoad(...args);
    compiled = true;
    const evaluate = policy.evaluate.bind(policy);
    policy.evaluate = (...a) => {
      evaluations += 1;
      return evaluate(...a);
    };
    return policy;
  };
  const seen = [];
  let middleware;
  try {
    // Options no other test uses, so that the policy is compiled here.
    middleware = cors({ origin: [COUNTED], onRefusal: (req, refusal) => seen.push(refusal.code) });
  } finally {
    native.load = realLoad;
  }
  const server = http.createServer((req, res) => middleware(req, res, () => res.end('ok')));
  const port = await listen(server);
  try {
    for (let i = 0; i < 5; i++) await request(port, { headers: { origin: COUNTED } });
    assert.ok(compiled, 'the policy was compiled through the counting loader');
    assert.equal(evaluations, 0, 'allowed requests: the shape alone says no refusal');
    await request(port, { headers: { origin: EVIL } });
    assert.equal(evaluations, 1, 'a refused request: one more call, for the reason');
    assert.deepEqual(seen, ['origin_not_allowed']);
  } finally {
    await close(server);
  }
});
