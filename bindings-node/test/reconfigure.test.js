'use strict';

// Live reconfiguration: `middleware.reconfigure(...)` replaces a running
// middleware's policy atomically. Under concurrent load over real HTTP on
// loopback, with the policy flipped between two configurations in a loop
// (and, for the drop-in, inside the asynchronous origin callback, so the
// request is in flight while its policy is replaced), every response must
// be wholly one configuration's answer. A refused configuration throws and
// changes nothing.

const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const express5 = require('express5');
const Fastify = require('fastify');
const cors = require('..');
const { Policy, PolicyError } = require('..');
const fastifyCors = require('../fastify');
const { request, listen, close } = require('./helpers');

const A = 'https://a.example.com';
const B = 'https://b.example.com';

// Two configurations that differ in every header they write, and in the
// preflight status.
const DROPIN = {
  A: { origin: (origin, cb) => later(() => cb(null, [A])), exposedHeaders: 'X-Policy-A', maxAge: 10, methods: 'GET,PUT', optionsSuccessStatus: 204, credentials: true },
  B: { origin: (origin, cb) => later(() => cb(null, [B])), exposedHeaders: 'X-Policy-B', maxAge: 20, methods: 'GET,PATCH', optionsSuccessStatus: 200 },
};
const DOCUMENTS = {
  A: { version: 1, allowOrigins: [A], exposeHeaders: ['X-Policy-A'], maxAge: 10, allowMethods: ['GET', 'PUT'], allowCredentials: true },
  B: { version: 1, allowOrigins: [B], exposeHeaders: ['X-Policy-B'], maxAge: 20, allowMethods: ['GET', 'PATCH'], preflightStatus: 200 },
};

// Set by the test: called inside the drop-in's origin callbacks, between
// the request's start and its answer.
let inFlight = () => {};
function later(fn) {
  inFlight();
  setImmediate(fn);
}

const REQUESTS = [
  { method: 'GET', headers: { origin: A } },
  { method: 'GET', headers: { origin: B } },
  { method: 'OPTIONS', headers: { origin: A, 'access-control-request-method': 'PUT' } },
  { method: 'OPTIONS', headers: { origin: B, 'access-control-request-method': 'PATCH' } },
];

/** A response's answer: its status and every CORS header, in a comparable form. */
function signature(res) {
  const pairs = [];
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    const name = res.rawHeaders[i].toLowerCase();
    if (name.startsWith('access-control-') || name === 'vary') pairs.push(name + ': ' + res.rawHeaders[i + 1]);
  }
  return res.status + ' ' + pairs.sort().join(' | ');
}

/** One request on a keep-alive agent; resolves with status and raw headers. */
function send(agent, port, path, { method, headers }) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, rawHeaders: res.rawHeaders }));
    });
    req.setTimeout(10000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Sends `total` requests (the REQUESTS in turn), `concurrency` at a time,
 * while `flip` runs in a setImmediate loop; returns the signatures and the
 * number of flips.
 */
async function underLoad(port, path, total, concurrency, flip) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let flips = 0;
  let running = true;
  const loop = () => {
    if (!running) return;
    flip();
    flips++;
    setImmediate(loop);
  };
  setImmediate(loop);
  const answers = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const kind = i % REQUESTS.length;
      answers.push({ kind, signature: signature(await send(agent, port, path, REQUESTS[kind])) });
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    running = false;
    agent.destroy();
  }
  return { answers, flips };
}

/** Each request kind's answer under configuration A and under B, each alone. */
async function expected(port, path, use) {
  const out = { A: [], B: [] };
  for (const name of ['A', 'B']) {
    use(name);
    for (const r of REQUESTS) out[name].push(signature(await request(port, { path, ...r })));
  }
  return out;
}

/** Counts the answers that are neither wholly A's nor wholly B's. */
function mixed(answers, sigs) {
  let count = 0;
  const tally = { A: 0, B: 0 };
  for (const { kind, signature: s } of answers) {
    if (s === sigs.A[kind]) tally.A++;
    else if (s === sigs.B[kind]) tally.B++;
    else count++;
  }
  return { count, tally };
}

describe('reconfigure under concurrent load (Express 5)', () => {
  let server;
  let port;
  const dropin = cors(DROPIN.A);
  const policyA = Policy.fromJSON(DOCUMENTS.A);
  const policyB = Policy.fromJSON(DOCUMENTS.B);
  const strict = policyA.middleware();

  before(async () => {
    const app = express5();
    app.use('/dropin', dropin);
    app.use('/strict', strict);
    // Each answer takes an asynchronous step in the route too.
    app.use((req, res) => setImmediate(() => res.send('ok')));
    server = http.createServer(app);
    port = await listen(server);
  });
  after(() => close(server));

  test('the two configurations answer every request differently', async () => {
    const sigs = await expected(port, '/dropin/x', (name) => dropin.reconfigure(DROPIN[name]));
    for (let k = 0; k < REQUESTS.length; k++) assert.notEqual(sigs.A[k], sigs.B[k]);
    assert.match(sigs.A[0], /access-control-allow-origin: https:\/\/a\.example\.com/);
    assert.doesNotMatch(sigs.B[0], /access-control-allow-origin/);
  });

  test('the drop-in: every response is wholly one configuration, its policy replaced while in flight', async (t) => {
    const sigs = await expected(port, '/dropin/x', (name) => dropin.reconfigure(DROPIN[name]));
    let current = 'A';
    const flip = () => {
      current = current === 'A' ? 'B' : 'A';
      dropin.reconfigure(DROPIN[current]);
    };
    let midFlight = 0;
    inFlight = () => {
      flip();
      midFlight++;
    };
    let result;
    try {
      result = await underLoad(port, '/dropin/x', 4000, 48, flip);
    } finally {
      inFlight = () => {};
    }
    const { count, tally } = mixed(result.answers, sigs);
    t.diagnostic(`drop-in: ${result.answers.length} requests, ${result.flips + midFlight} reconfigurations (${midFlight} inside an origin callback), ${tally.A} answered by A, ${tally.B} by B, ${count} mixed`);
    assert.equal(result.answers.length, 4000);
    assert.equal(count, 0);
    assert.ok(tally.A > 0 && tally.B > 0, 'both configurations answered');
    assert.ok(midFlight >= 4000, 'every request was reconfigured while in flight');
  });

  test('the Policy middleware: every response is wholly one policy', async (t) => {
    const sigs = await expected(port, '/strict/x', (name) => strict.reconfigure(DOCUMENTS[name]));
    let current = 'A';
    const result = await underLoad(port, '/strict/x', 4000, 48, () => {
      current = current === 'A' ? 'B' : 'A';
      // A Policy and a document are both accepted.
      strict.reconfigure(current === 'A' ? policyA : DOCUMENTS.B);
    });
    const { count, tally } = mixed(result.answers, sigs);
    t.diagnostic(`Policy middleware: ${result.answers.length} requests, ${result.flips} reconfigurations, ${tally.A} answered by A, ${tally.B} by B, ${count} mixed`);
    assert.equal(count, 0);
    assert.ok(tally.A > 0 && tally.B > 0, 'both policies answered');
    assert.ok(policyB.policyNames.length === 1);
  });

  test('a refused configuration throws and changes nothing', async () => {
    strict.reconfigure(DOCUMENTS.A);
    assert.throws(() => strict.reconfigure({ version: 1, allowOrigins: ['not an origin'] }), PolicyError);
    assert.throws(() => strict.reconfigure({ version: 1, allowOrigins: ['*'], allowCredentials: true }), PolicyError);
    const res = await request(port, { path: '/strict/x', headers: { origin: A } });
    assert.equal(res.headers['access-control-allow-origin'], A);

    dropin.reconfigure({ origin: [A] });
    assert.throws(() => dropin.reconfigure({ origin: 'https://a.example.com\r\nX-Injected: 1' }));
    assert.throws(() => dropin.reconfigure({ origin: '*', credentials: true, strict: true }));
    const after = await request(port, { path: '/dropin/x', headers: { origin: A } });
    assert.equal(after.headers['access-control-allow-origin'], A);
  });
});

describe('reconfigure with Fastify', () => {
  let app;
  let port;
  before(async () => {
    app = Fastify();
    await app.register(fastifyCors, {
      origin: (origin, cb) => later(() => cb(null, [A])),
      exposedHeaders: 'X-Policy-A',
      methods: ['GET', 'PUT'],
    });
    app.get('/x', async () => 'ok');
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = app.server.address().port;
  });
  after(() => app.close());

  const FASTIFY = {
    A: { origin: (origin, cb) => later(() => cb(null, [A])), exposedHeaders: 'X-Policy-A', methods: ['GET', 'PUT'], maxAge: 10 },
    B: { origin: (origin, cb) => later(() => cb(null, [B])), exposedHeaders: 'X-Policy-B', methods: ['GET', 'PATCH'], maxAge: 20, optionsSuccessStatus: 200 },
  };

  test('every response is wholly one configuration', async (t) => {
    const sigs = await expected(port, '/x', (name) => app.corsguard.reconfigure(FASTIFY[name]));
    for (let k = 0; k < REQUESTS.length; k++) assert.notEqual(sigs.A[k], sigs.B[k]);
    let current = 'A';
    const flip = () => {
      current = current === 'A' ? 'B' : 'A';
      app.corsguard.reconfigure(FASTIFY[current]);
    };
    let midFlight = 0;
    inFlight = () => {
      flip();
      midFlight++;
    };
    let result;
    try {
      result = await underLoad(port, '/x', 2000, 32, flip);
    } finally {
      inFlight = () => {};
    }
    const { count, tally } = mixed(result.answers, sigs);
    t.diagnostic(`Fastify: ${result.answers.length} requests, ${result.flips + midFlight} reconfigurations, ${tally.A} answered by A, ${tally.B} by B, ${count} mixed`);
    assert.equal(count, 0);
    assert.ok(tally.A > 0 && tally.B > 0);
  });

  test('a different hook is refused and changes nothing', async () => {
    app.corsguard.reconfigure({ origin: [A] });
    assert.throws(() => app.corsguard.reconfigure({ origin: [B], hook: 'preHandler' }), /cannot move the hook/);
    assert.throws(() => app.corsguard.reconfigure({ origin: [B], hook: 'nope' }), /invalid hook/);
    const res = await request(port, { path: '/x', headers: { origin: A } });
    assert.equal(res.headers['access-control-allow-origin'], A);
  });
});
