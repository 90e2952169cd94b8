'use strict';

// The real @fastify/cors 11.4.3 and corsguard/fastify on Fastify 5, on the
// same generated options and requests, over HTTP on loopback: two apps, each
// option set registered in its own prefixed scope of both (the plugins are
// not encapsulated, so each one covers its scope's routes). Every response
// must be the same: status, every header (names, values and order, which
// Fastify keeps as set), and body.
//
// The generator stays outside the README's differences (values with
// CR/LF/NUL, empty `exposedHeaders` lists, a Vary that
// lists `*` among other names).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const Fastify = require('fastify');
const peer = require('@fastify/cors');
const corsguard = require('../fastify');
const { rng, request, quietWarnings } = require('./helpers');

quietWarnings();

const SEED = Number(process.env.CORSGUARD_SEED || 20261202);
const SETS = Number(process.env.CORSGUARD_FASTIFY_SETS || 500);
const REQUESTS = 12;
// The whole run must stay well under a minute.
const BUDGET_MS = 50000;

const ORIGINS = [
  'https://a.example',
  'https://b.example',
  'https://sub.c.example',
  'https://evil.example',
  'https://a.example.evil.net',
  'https://fixed.example',
  'null',
  '*',
  'HTTPS://A.EXAMPLE',
  '',
];

/** An origin value (what the option, or an origin callback, gives). */
function originValue(r) {
  const values = [
    () => '*',
    () => 'https://a.example',
    () => 'https://fixed.example',
    () => true,
    () => false,
    () => /^https:\/\/(.+\.)?c\.example$/,
    () => /a\.example/,
    () => /b\.example$/g,
    () => ['https://a.example', 'https://b.example'],
    () => ['https://a.example', /^https:\/\/(.+\.)?c\.example$/],
    () => ['null', 'https://b.example'],
    () => [['https://a.example'], [/^https:\/\/b\./]],
    () => [],
    () => ['https://b.example', 1],
    () => ['https://a.example', '*'],
    () => [['*']],
    () => new String('https://b.example'),
    () => null,
    () => 0,
  ];
  return r.pick(values)();
}

/** An origin option: a value, or a callback or async function returning one. */
function originOption(r) {
  const kind = r();
  if (kind < 0.6) return originValue(r);
  const value = originValue(r);
  const style = r.pick(['callback', 'async', 'byOrigin', 'error']);
  if (style === 'callback') return (origin, cb) => cb(null, value);
  if (style === 'async') return async () => value;
  if (style === 'byOrigin') return (origin, cb) => cb(null, origin === 'https://evil.example' ? false : value);
  return (origin, cb) => (origin === 'https://evil.example' ? cb(new Error('not allowed')) : cb(null, value));
}

function listOption(r, names) {
  const n = 1 + Math.floor(r() * 3);
  const list = [];
  for (let i = 0; i < n; i++) list.push(r.pick(names));
  return r.chance(0.5) ? list : list.join(r.pick([',', ', ']));
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const HEADERS = ['Content-Type', 'X-Requested-With', 'x-api-key', 'Authorization'];

/** One options object (route options get fewer keys). */
function options(r, inRoute = false) {
  const o = {};
  if (r.chance(0.85)) o.origin = originOption(r);
  if (r.chance(0.4)) o.methods = r.chance(0.05) ? null : listOption(r, METHODS);
  if (r.chance(0.4)) o.allowedHeaders = r.chance(0.1) ? r.pick(['', []]) : listOption(r, HEADERS);
  if (r.chance(0.3)) o.exposedHeaders = listOption(r, ['X-Total', 'X-Page', 'ETag']);
  if (r.chance(0.4)) o.credentials = r.chance(0.7);
  if (r.chance(0.3)) o.maxAge = r.pick([0, 600, 86400, '600']);
  if (r.chance(0.2)) o.cacheControl = r.pick([300, 'no-store', 'max-age=60']);
  if (r.chance(0.2)) o.preflightContinue = r.chance(0.6);
  if (r.chance(0.2)) o.optionsSuccessStatus = r.pick([200, 204]);
  if (r.chance(0.15)) o.preflight = r.chance(0.3);
  if (r.chance(0.25)) o.strictPreflight = r.chance(0.3);
  if (!inRoute && r.chance(0.12)) o.hook = r.pick(['preHandler', 'preValidation', 'preParsing', 'preSerialization']);
  return o;
}

/** One option set: the plugin's options (maybe a delegator) and a route's `config.cors`. */
function optionSet(r) {
  const base = options(r);
  let plugin = base;
  const delegated = r();
  if (delegated < 0.08) plugin = { delegator: (req, cb) => cb(null, base) };
  else if (delegated < 0.14) plugin = { delegator: async () => base };
  else if (delegated < 0.18) plugin = Object.assign({ hideOptionsRoute: false }, base);
  const route = r.chance(0.5) ? options(r, true) : false;
  return { plugin, route };
}

/** One request: method, path and CORS request headers. */
function requestFor(r) {
  const method = r.pick(['GET', 'POST', 'DELETE', 'OPTIONS', 'OPTIONS', 'OPTIONS']);
  const path = r.pick(['/r', '/r', '/off', '/route', '/own', '/missing']);
  const headers = {};
  if (r.chance(0.85)) headers.origin = r.pick(ORIGINS);
  if (method === 'OPTIONS' && r.chance(0.8)) headers['access-control-request-method'] = r.pick(['PUT', 'GET', 'DELETE', 'patch', '']);
  if (method === 'OPTIONS' && r.chance(0.6)) {
    headers['access-control-request-headers'] = r.pick(['content-type', 'x-api-key, content-type', 'X-Other', '']);
  }
  // A Vary set before the plugin's hook runs (by an earlier onRequest hook).
  if (r.chance(0.2)) headers['x-set-vary'] = r.pick(['Accept', 'accept-encoding, ORIGIN', '*', 'Access-Control-Request-Headers']);
  return { method, path, headers };
}

/** Registers option set `i` of `sets` with `plugin` in scope `/s<i>` of `app`. */
function scope(app, plugin, set, i) {
  app.register(
    async (child) => {
      child.addHook('onRequest', async (req, reply) => {
        if (req.headers['x-set-vary'] !== undefined) reply.header('Vary', req.headers['x-set-vary']);
      });
      await child.register(plugin, set.plugin);
      // An object body too, so that a preSerialization hook runs.
      const handler = async (req) => (req.method === 'DELETE' ? { ok: true } : 'ok');
      child.route({ method: ['GET', 'POST', 'DELETE'], url: '/r', handler });
      child.route({ method: ['GET', 'POST', 'DELETE'], url: '/off', config: { cors: false }, handler });
      child.route({ method: ['GET', 'POST', 'DELETE', 'OPTIONS'], url: '/route', config: { cors: set.route }, handler });
      child.route({ method: ['GET', 'OPTIONS'], url: '/own', handler: async () => 'own' });
    },
    { prefix: `/s${i}` }
  );
}

async function start(plugin, sets) {
  const app = Fastify();
  sets.forEach((set, i) => scope(app, plugin, set, i));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

// Headers every response has, whose values are not the plugins' (the date).
const IGNORED = new Set(['date', 'connection', 'keep-alive']);

function comparable(response) {
  const headers = [];
  for (let i = 0; i < response.rawHeaders.length; i += 2) {
    const name = response.rawHeaders[i].toLowerCase();
    if (!IGNORED.has(name)) headers.push([name, response.rawHeaders[i + 1]]);
  }
  return { status: response.status, headers, body: response.body };
}

function describe(set) {
  return JSON.stringify(set, (key, value) => {
    if (value instanceof RegExp) return String(value);
    if (typeof value === 'function') return `[function ${value.toString()}]`;
    return value;
  });
}

test(`@fastify/cors 11.4.3 and corsguard/fastify answer the same (${SETS} option sets x ${REQUESTS} requests, over HTTP)`, async () => {
  const started = Date.now();
  const r = rng(SEED);
  const sets = [];
  for (let i = 0; i < SETS; i++) sets.push(optionSet(r));
  const requests = sets.map(() => Array.from({ length: REQUESTS }, () => requestFor(r)));

  const peerApp = await start(peer, sets);
  const ourApp = await start(corsguard, sets);
  const peerPort = peerApp.server.address().port;
  const ourPort = ourApp.server.address().port;
  const differences = [];
  let compared = 0;
  // What the answers were, so a run that only compares 404s shows it.
  const statuses = {};
  let allowed = 0;
  try {
    for (let i = 0; i < SETS; i++) {
      assert.ok(Date.now() - started < BUDGET_MS, `the run passed its ${BUDGET_MS} ms budget at option set ${i}`);
      await Promise.all(
        requests[i].map(async (req) => {
          const shaped = { method: req.method, path: `/s${i}${req.path}`, headers: req.headers };
          const [theirs, ours] = await Promise.all([request(peerPort, shaped), request(ourPort, shaped)]);
          compared++;
          statuses[theirs.status] = (statuses[theirs.status] || 0) + 1;
          if (theirs.headers['access-control-allow-origin'] !== undefined) allowed++;
          const a = comparable(theirs);
          const b = comparable(ours);
          try {
            assert.deepStrictEqual(b, a);
          } catch {
            differences.push({ set: describe(sets[i]), request: shaped, fastifyCors: a, corsguard: b });
          }
        })
      );
    }
  } finally {
    await peerApp.close();
    await ourApp.close();
  }
  assert.equal(compared, SETS * REQUESTS);
  // The generator reaches every kind of answer.
  for (const status of [200, 204, 400, 404, 500]) assert.ok(statuses[status] > 0, `no ${status} answer was compared`);
  assert.ok(allowed > compared / 4, `only ${allowed} answers allowed an origin`);
  assert.deepStrictEqual(differences.slice(0, 3), [], `${differences.length} of ${compared} responses differ`);
  console.log(`# fastify differential: ${SETS} option sets x ${REQUESTS} requests, ${compared} compared, 0 differences (statuses ${JSON.stringify(statuses)}, ${allowed} with Access-Control-Allow-Origin), ${Date.now() - started} ms`);
});
