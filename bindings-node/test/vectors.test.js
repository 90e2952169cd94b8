'use strict';

// The shared conformance vectors (../../tests/vectors/*.json, format in
// their README) through the native `Policy`: every case must give the
// core's answer (decision, headers as bytes, body) or the core's error.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { Policy } = require('..');

const DIR = path.join(__dirname, '..', '..', 'tests', 'vectors');

/** A vector byte string: text, {hex}, or {repeat, times, prefix, suffix}. */
function bytes(spec) {
  if (typeof spec === 'string') return Buffer.from(spec, 'utf8');
  if (spec && typeof spec.hex === 'string') return Buffer.from(spec.hex, 'hex');
  if (spec && typeof spec.repeat === 'string') {
    return Buffer.from((spec.prefix || '') + spec.repeat.repeat(spec.times) + (spec.suffix || ''), 'utf8');
  }
  throw new Error(`not a byte string: ${JSON.stringify(spec)}`);
}

const OPTION_NAMES = {
  profile: 'profile',
  allowed_origins: 'allowedOrigins',
  fixed_origin: 'fixedOrigin',
  origin_verdict: 'originVerdict',
  allowed_methods: 'allowedMethods',
  allowed_headers: 'allowedHeaders',
  exposed_headers: 'exposedHeaders',
  credentials: 'credentials',
  max_age: 'maxAge',
  private_network: 'privateNetwork',
  preflight_continue: 'preflightContinue',
  preflight_status: 'preflightStatus',
};

function policyOptions(config) {
  const out = {};
  for (const [key, value] of Object.entries(config)) {
    const name = OPTION_NAMES[key];
    if (name === undefined) throw new Error(`unknown config key ${key}`);
    out[name] = value;
  }
  // The vectors' runner always passes the origin list (empty when absent).
  if (out.allowedOrigins === undefined) out.allowedOrigins = [];
  return out;
}

function requestOf(spec) {
  const out = { method: bytes(spec.method) };
  const map = {
    origin: 'origin',
    request_method: 'requestMethod',
    request_headers: 'requestHeaders',
    request_private_network: 'requestPrivateNetwork',
  };
  for (const [key, name] of Object.entries(map)) {
    if (spec[key] !== undefined) out[name] = bytes(spec[key]);
  }
  if (spec.origin_verdict !== undefined) out.originVerdict = spec.origin_verdict;
  return out;
}

// The vectors' messages name the Rust builder's options; Policy names its
// own (camelCase), as each binding's errors name what its users wrote.
const NODE_NAMES = {
  allowed_origins: 'allowedOrigins',
  allowed_methods: 'allowedMethods',
  allowed_headers: 'allowedHeaders',
  exposed_headers: 'exposedHeaders',
  max_age: 'maxAge',
  preflight_status: 'preflightStatus',
};
const nodeNamed = (part) => part.replace(/\b[a-z]+_[a-z_]+\b/g, (name) => NODE_NAMES[name] || name);

function runCase(c) {
  if (c.expect_error) {
    const e = c.expect_error;
    let error;
    try {
      new Policy(policyOptions(c.config));
    } catch (err) {
      error = err;
    }
    assert.ok(error, `expected error ${e.code}, got a policy`);
    assert.ok(error instanceof TypeError || error instanceof RangeError, `${error.name} is not a TypeError/RangeError`);
    assert.equal(error.code, e.code, error.message);
    if (e.problem !== undefined) assert.equal(error.problem, e.problem);
    for (const part of e.message_contains || []) assert.ok(error.message.includes(nodeNamed(part)), error.message);
    return;
  }
  const policy = new Policy(policyOptions(c.config));
  const d = policy.evaluate(requestOf(c.request), { bytes: true });
  const x = c.expect;
  if (x.kind !== undefined) assert.equal(d.kind, x.kind, 'kind');
  if (x.outcome !== undefined) assert.equal(d.outcome, x.outcome, 'outcome');
  if (x.reason !== undefined) assert.equal(d.reason, x.reason, 'reason');
  if (x.reason_detail !== undefined) assert.deepEqual(d.reasonDetail, bytes(x.reason_detail), 'reason_detail');
  if (x.failures !== undefined) assert.deepEqual(d.failures, x.failures, 'failures');
  if (x.action !== undefined) assert.equal(d.action, x.action, 'action');
  if (x.status !== undefined) assert.equal(d.status, x.status, 'status');
  if (x.headers !== undefined) {
    assert.deepEqual(
      d.headers.map(([n, v]) => [n, v.toString('hex')]),
      x.headers.map(([n, v]) => [n, bytes(v).toString('hex')]),
      'headers'
    );
  }
  if (x.body !== undefined) assert.equal(d.body, x.body, 'body');
}

const files = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

test('the vector directory has cases', () => {
  assert.ok(files.length > 0, `no vectors in ${DIR}`);
});

for (const file of files) {
  test(`vectors: ${file}`, () => {
    const { cases } = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'));
    const failures = [];
    for (const c of cases) {
      try {
        runCase(c);
      } catch (error) {
        failures.push(`${c.name}: ${error.message}`);
      }
    }
    assert.equal(failures.length, 0, `${failures.length} of ${cases.length} cases differ:\n${failures.join('\n')}`);
  });
}
