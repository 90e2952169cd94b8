'use strict';

// The API surface: the strict Policy's errors, the drop-in's warnings and
// strict mode, malformed requests, capacities, and the ESM entry point.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const cors = require('..');
const { Policy, PolicyError, PolicyRangeError } = require('..');
const { mock } = require('./helpers');

test('Policy refuses a bad configuration with every problem, as a PolicyError (a TypeError) with a code', () => {
  assert.throws(
    () => new Policy({ allowOrigins: ['https://app.example.com/'] }),
    (e) =>
      e instanceof TypeError &&
      e instanceof PolicyError &&
      e.name === 'PolicyError' &&
      e.code === 'malformed_origin' &&
      e.problem === 'trailing_slash' &&
      e.path === '/allowOrigins/0' &&
      e.message.includes('allowOrigins `https://app.example.com/`')
  );
  assert.throws(
    () => new Policy({ allowOrigins: ['*'], allowCredentials: true }),
    (e) => e instanceof TypeError && e.code === 'wildcard_origin_with_credentials' && e.path === '/allowOrigins/0'
  );
  assert.throws(
    () => new Policy({ allowOrigins: ['https://a.example'], maxAge: 90000 }),
    (e) => e instanceof RangeError && e instanceof PolicyError && e instanceof PolicyRangeError && e.code === 'max_age_out_of_range'
  );
  assert.throws(
    () => new Policy({ allowOrigins: ['https://a.example'], preflightStatus: 302 }),
    (e) => e instanceof RangeError && e.code === 'status_out_of_range'
  );
  assert.throws(
    () => new Policy({ allowOrigins: 'https://a.example' }),
    (e) => e instanceof TypeError && e.code === 'wrong_type' && e.path === '/allowOrigins'
  );
  // Unknown options are the core's unknown keys, with the key meant.
  assert.throws(
    () => new Policy({ allowOrigins: ['https://a.example'], origins: [] }),
    (e) => e.code === 'unknown_key' && e.path === '/origins' && e.errors[0].fix.includes('allowOrigins')
  );
});

test('every problem at once, each with its path, rule and fix', () => {
  let error;
  try {
    Policy.fromJSON({ version: 1, allowOrigins: ['https://A.example', 'https://b.example/'], allowMethods: ['get'], maxAge: 'x' });
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof PolicyError);
  assert.deepEqual(
    error.errors.map((p) => [p.code, p.path, p.problem]),
    [
      ['malformed_origin', '/allowOrigins/0', 'uppercase'],
      ['malformed_origin', '/allowOrigins/1', 'trailing_slash'],
      ['method_not_normalized', '/allowMethods/0', null],
      ['literal_needs_literal_syntax', '/maxAge', null],
    ]
  );
  for (const p of error.errors) {
    assert.deepEqual(Object.keys(p), ['path', 'code', 'problem', 'message', 'rule', 'fix']);
    assert.ok(p.rule && p.fix && p.message.startsWith(p.rule), p.message);
    assert.ok(error.message.includes(`${p.path}: ${p.message} [${p.code}]`), error.message);
  }
});

test('Policy.fromJSON takes JSON text, bytes or an object; new Policy() is the same document', () => {
  const document = { version: 1, allowOrigins: ['https://app.example.com'], allowMethods: ['PUT'], maxAge: 600 };
  const request = { method: 'OPTIONS', origin: 'https://app.example.com', requestMethod: 'PUT' };
  const want = Policy.fromJSON(document).evaluate(request);
  assert.equal(want.outcome, 'allowed');
  assert.deepEqual(Policy.fromJSON(JSON.stringify(document)).evaluate(request), want);
  assert.deepEqual(Policy.fromJSON(Buffer.from(JSON.stringify(document))).evaluate(request), want);
  const { version, ...options } = document;
  assert.equal(version, 1);
  assert.deepEqual(new Policy(options).evaluate(request), want);
  assert.throws(() => Policy.fromJSON('{"version": 1,'), (e) => e instanceof PolicyError && e.code === 'invalid_json' && e.path === '');
  assert.throws(() => Policy.fromJSON([]), (e) => e.code === 'wrong_type' && e.path === '');
  assert.throws(() => Policy.fromJSON({ allowOrigins: ['https://a.example'] }), (e) => e.code === 'missing_key' && e.path === '/version');
});

test('a compatibility-profile document lists its findings', () => {
  const policy = Policy.fromJSON({ version: 1, profile: 'cors_npm', fixedOrigin: '*', allowCredentials: true, allowMethods: ['get'] });
  assert.deepEqual(
    policy.findings.map((p) => [p.code, p.path]),
    [
      ['wildcard_origin_with_credentials', '/fixedOrigin'],
      ['method_not_normalized', '/allowMethods/0'],
    ]
  );
  assert.deepEqual(new Policy({ allowOrigins: ['https://a.example'] }).findings, []);
});

test('the deprecated option names still work, with one DeprecationWarning each', async () => {
  const seen = await captureWarnings(() => {
    for (let i = 0; i < 2; i++) {
      const policy = new Policy({ allowedOrigins: ['https://a.example'], allowedMethods: '*', credentials: false });
      assert.equal(policy.evaluate({ method: 'OPTIONS', origin: 'https://a.example', requestMethod: 'PATCH' }).outcome, 'allowed');
    }
  });
  assert.deepEqual(
    seen.map((w) => [w.name, w.code, w.message.match(/`(\w+)`/)[1]]),
    ['allowedOrigins', 'allowedMethods', 'credentials'].map((old) => ['DeprecationWarning', 'CORSGUARD_DEPRECATED_POLICY_OPTION', old])
  );
});

test('Policy capacity: the core large class (4096 origins) is the limit, as a RangeError', () => {
  const origins = Array.from({ length: 4097 }, (_, i) => `https://o${i}.example.com`);
  assert.throws(
    () => new Policy({ allowOrigins: origins }),
    (e) => e instanceof RangeError && e.code === 'capacity_exceeded' && e.path === '/allowOrigins'
  );
  assert.equal(new Policy({ allowOrigins: origins.slice(0, 4096) }).sizeClass, 'large');
  assert.equal(new Policy({ allowOrigins: origins.slice(0, 256) }).sizeClass, 'default');
  assert.equal(new Policy({ allowOrigins: origins.slice(0, 3) }).sizeClass, 'small');
});

test('the drop-in accepts large configurations, as cors does', () => {
  const origins = Array.from({ length: 1500 }, (_, i) => `https://o${i}.example.com`);
  const m = mock('GET', { origin: 'https://o1499.example.com' });
  cors({ origin: origins })(m.req, m.res, m.next);
  assert.deepEqual(m.log[0], ['setHeader', 'Access-Control-Allow-Origin', 'https://o1499.example.com']);
});

test('Policy.evaluate: a refused preflight names the reason; a verdict function is consulted', () => {
  const policy = new Policy({
    allowOrigins: ['https://app.example.com'],
    originVerdict: (origin) => /^https:\/\/pr-\d+\.preview\.example\.com$/.test(origin),
    allowMethods: ['PUT'],
  });
  const refused = policy.evaluate({ method: 'OPTIONS', origin: 'https://app.example.com', requestMethod: 'DELETE' });
  assert.equal(refused.outcome, 'denied');
  assert.equal(refused.reason, 'method_not_allowed');
  assert.equal(refused.reasonDetail, 'DELETE');
  assert.equal(refused.status, 403);
  const preview = policy.evaluate({ method: 'GET', origin: 'https://pr-7.preview.example.com' });
  assert.equal(preview.allowed, true);
  assert.deepEqual(preview.headers[0], ['Access-Control-Allow-Origin', 'https://pr-7.preview.example.com']);
  const other = policy.evaluate({ method: 'GET', origin: 'https://pr-7.preview.example.com.evil.net' });
  assert.equal(other.allowed, false);
});

function captureWarnings(fn) {
  const seen = [];
  const listeners = process.listeners('warning');
  process.removeAllListeners('warning');
  const onWarning = (w) => seen.push(w);
  process.on('warning', onWarning);
  fn();
  // Warnings are emitted on the next tick.
  return new Promise((resolve) =>
    setImmediate(() => {
      process.removeListener('warning', onWarning);
      for (const l of listeners) process.on('warning', l);
      resolve(seen);
    })
  );
}

test('risky drop-in configurations warn once, with the core message', async () => {
  const seen = await captureWarnings(() => {
    cors({ origin: ['https://warn-once.example/'], credentials: true });
    cors({ origin: ['https://warn-once.example/'], credentials: true });
    cors({ origin: true, credentials: true });
    cors({ origin: /warn-once\.example$/ });
    cors();
  });
  const codes = seen.map((w) => w.code);
  assert.deepEqual(codes, [
    'CORSGUARD_MALFORMED_ORIGIN',
    'CORSGUARD_WIDE_VERDICT_WITH_CREDENTIALS',
    'CORSGUARD_UNANCHORED_ORIGIN_PATTERN',
  ]);
  assert.ok(seen.every((w) => w.name === 'CorsguardWarning'));
  assert.match(seen[0].message, /trailing slash/);
});

test('strict: true makes risky configurations fatal (thrown, or passed to next)', () => {
  assert.throws(
    () => cors({ origin: '*', credentials: true, strict: true }),
    (e) => e instanceof TypeError && e.code === 'wildcard_origin_with_credentials'
  );
  const m = mock('GET', { origin: 'https://a.example' });
  cors((req, cb) => cb(null, { origin: (o, done) => done(null, true), credentials: true, strict: true }))(m.req, m.res, m.next);
  assert.equal(m.log.length, 1);
  assert.equal(m.log[0][0], 'next');
  assert.match(m.log[0][1], /allows `https:\/\/evil\.test`/);
});

test('malformed request headers never throw into the app', () => {
  const weird = [
    { origin: ['https://a.example', 'https://b.example'] },
    { origin: 42 },
    { origin: 'https://a.example\r\nSet-Cookie: x=1' },
    { origin: 'https://a.example', 'access-control-request-headers': ['x-a', 'x-b'] },
    { origin: 'https://a.example', 'access-control-request-headers': 'x-a\r\ny' },
    { origin: '\u0000' },
    undefined,
  ];
  for (const headers of weird) {
    for (const method of ['GET', 'OPTIONS', undefined, 42]) {
      for (const options of [{ origin: true }, {}, { origin: ['https://a.example', /b/] }]) {
        const m = mock(method, headers);
        assert.doesNotThrow(() => cors(options)(m.req, m.res, m.next));
        for (const entry of m.log) {
          if (entry[0] === 'setHeader') assert.doesNotMatch(String(entry[2]), /[\r\n\0]/);
        }
      }
      const m = mock(method, headers);
      assert.doesNotThrow(() =>
        new Policy({ allowOrigins: ['https://a.example'], allowHeaders: 'mirror' }).middleware()(m.req, m.res, m.next)
      );
    }
  }
});

test('CommonJS and ESM entry points export the same things', () => {
  const out = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import cors, { Policy, PolicyError, corsguard } from ${JSON.stringify(path.join(__dirname, '..', 'index.mjs'))};
       console.log(typeof cors, typeof Policy, typeof PolicyError, cors === corsguard);`,
    ],
    { encoding: 'utf8' }
  );
  assert.equal(out.trim(), 'function function function true');
  assert.equal(typeof cors, 'function');
  assert.equal(cors.default, cors);
});
