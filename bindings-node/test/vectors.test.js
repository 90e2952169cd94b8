'use strict';

// The shared conformance vectors (../../tests/vectors/*.json and the routed
// documents of ../../tests/vectors/routes/*.json, format in their README)
// through `Policy.fromJSON`, as core/tests/vectors.rs runs them: every case
// must give the expected served policy (`request.path` routes it), the
// expected decision (headers as bytes) or the expected errors (code, path,
// problem, the full list, the message).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { Policy, PolicyError } = require('..');
const { VERDICT_PROBES } = require('../lib/native');

const DIR = path.join(__dirname, '..', '..', 'tests', 'vectors');
// The optional core features the addon is built with (Cargo.toml): every case runs.
const FEATURES = new Set(['psl']);
const MIN_CASES = 150;
// At least this many cases of routes/ (documents with named policies and path rules).
const MIN_ROUTE_CASES = 30;

/** A vector byte string: text, {hex}, or {repeat, times, prefix, suffix}. */
function bytes(spec) {
  if (typeof spec === 'string') return Buffer.from(spec, 'utf8');
  if (spec && typeof spec.hex === 'string') return Buffer.from(spec.hex, 'hex');
  if (spec && typeof spec.repeat === 'string') {
    return Buffer.from((spec.prefix || '') + spec.repeat.repeat(spec.times) + (spec.suffix || ''), 'utf8');
  }
  throw new Error(`not a byte string: ${JSON.stringify(spec)}`);
}

function requestOf(spec) {
  const out = { method: bytes(spec.method) };
  const map = {
    origin: 'origin',
    request_method: 'requestMethod',
    request_headers: 'requestHeaders',
    request_private_network: 'requestPrivateNetwork',
    path: 'path',
  };
  for (const [key, name] of Object.entries(map)) {
    if (spec[key] !== undefined) out[name] = bytes(spec[key]);
  }
  if (spec.origin_verdict !== undefined) out.originVerdict = spec.origin_verdict;
  return out;
}

/**
 * Loads a case's policy as a runtime does: an object as itself or as its JSON
 * text, a string as is. A case's `verdict_probes` (the probe origins the host's
 * rule admits) becomes a host rule admitting exactly those, which the addon
 * probes itself.
 */
function load(policy, asText, verdictProbes = 0) {
  const document = typeof policy === 'string' || !asText ? policy : JSON.stringify(policy);
  if (!verdictProbes) return Policy.fromJSON(document);
  const admitted = VERDICT_PROBES.filter((_, i) => (verdictProbes >> i) & 1);
  return Policy.fromJSON(document, { originVerdict: (origin) => admitted.includes(origin) });
}

/** Checks what the loader refused against `expect_error`, as core/tests/vectors.rs does. */
function checkError(e, error) {
  assert.ok(error instanceof PolicyError, `${error && error.name}: ${error && error.message} is not a PolicyError`);
  assert.ok(error instanceof TypeError || error instanceof RangeError, `${error.name} is not a TypeError/RangeError`);
  const problems = error.errors;
  assert.ok(Array.isArray(problems) && problems.length > 0, 'the error lists its problems');
  const first = problems[0];
  assert.equal(first.code, e.code, `code (${error.message})`);
  assert.equal(error.code, first.code, 'error.code is the first problem');
  if (e.path !== undefined) assert.equal(first.path, e.path, `path (${error.message})`);
  for (const p of problems) {
    assert.ok(p.rule.length > 0 && p.fix.length > 0, `${p.path}: ${p.message} [${p.code}]: a problem needs a rule and a fix`);
    for (const key of ['path', 'code', 'message', 'rule', 'fix']) assert.equal(typeof p[key], 'string', key);
  }
  if (e.errors !== undefined) {
    assert.deepEqual(
      problems.map((p) => [p.code, p.path]),
      e.errors.map((x) => [x.code, x.path]),
      'errors'
    );
  } else {
    assert.equal(problems.length, 1, `${problems.length} problems where one was expected: ${error.message}`);
  }
  if (e.problem !== undefined) assert.equal(first.problem, e.problem, 'problem');
  else assert.notEqual(e.code, 'malformed_origin', 'a malformed_origin error needs its `problem`');
  for (const part of e.message_contains || []) {
    assert.ok(error.message.includes(part), `message ${JSON.stringify(error.message)} does not contain ${JSON.stringify(part)}`);
  }
}

function runCase(c, asText) {
  const known = ['name', 'features', 'policy', 'verdict_probes', 'request', 'expect', 'expect_error', 'expect_findings'];
  for (const key of Object.keys(c)) assert.ok(known.includes(key), `unknown case key ${key}`);
  for (const feature of c.features || []) assert.ok(FEATURES.has(feature), `unknown feature ${feature}`);
  const probes = c.verdict_probes || 0;
  if (c.expect_findings) {
    assert.ok(c.request === undefined && c.expect_error === undefined, '`expect_findings` comes alone');
    const found = load(c.policy, asText, probes).findings;
    assert.deepEqual(
      found.map((p) => ({ code: p.code, path: p.path })),
      c.expect_findings,
      'findings'
    );
    for (const p of found) assert.ok(p.rule.length > 0 && p.fix.length > 0, `${p.path}: ${p.message}: a finding needs a rule and a fix`);
    return;
  }
  if (c.expect_error) {
    assert.equal(c.request, undefined, 'a case has either `request` and `expect`, or `expect_error` alone');
    let error;
    try {
      load(c.policy, asText, probes);
    } catch (err) {
      error = err;
    }
    assert.ok(error, `expected error ${c.expect_error.code}, got a policy`);
    checkError(c.expect_error, error);
    return;
  }
  assert.ok(c.request && c.expect, 'a case has either `request` and `expect`, or `expect_error` alone');
  const policy = load(c.policy, asText, probes);
  const request = requestOf(c.request);
  const d = policy.evaluate(request, { bytes: true });
  const x = c.expect;
  const served = d === null ? null : d.policy;
  if (x.policy !== undefined) assert.equal(served, x.policy, `the policy serving ${request.path || '/'}`);
  // The routing API agrees with evaluate.
  assert.equal(policy.policyFor(request.path), served, 'policyFor');
  if (d === null) {
    // No policy serves the path: no decision, so no headers.
    if (x.headers !== undefined) assert.deepEqual(x.headers, [], `no policy serves ${request.path}, so no headers are sent`);
    return;
  }
  assert.ok(policy.policyNames.includes(d.policy), `${d.policy} is a served policy`);
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
  for (const [name, value] of d.headers) {
    assert.ok(!value.includes(0x0d) && !value.includes(0x0a) && !value.includes(0), `header ${name} contains CR, LF or NUL`);
  }
}

/** The vector files of `dir` (relative to DIR), sorted. */
function filesOf(dir) {
  return fs
    .readdirSync(path.join(DIR, dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(dir, f));
}

// The top directory, then routes/, as core/tests/vectors.rs reads them.
const files = [...filesOf(''), ...filesOf('routes')];

test('the vector directory has cases', () => {
  assert.ok(files.length > 0, `no vectors in ${DIR}`);
});

const names = new Set();
let total = 0;
let routed = 0;

for (const file of files) {
  test(`vectors: ${file}`, () => {
    const { topic, cases } = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'));
    assert.equal(topic, path.basename(file, '.json'), 'topic is the file name');
    const failures = [];
    for (const c of cases) {
      total++;
      if (path.dirname(file) === 'routes') routed++;
      if (names.has(c.name)) failures.push(`${c.name}: case name used twice`);
      names.add(c.name);
      // An object policy is loaded both as an object and as its JSON text.
      for (const asText of typeof c.policy === 'string' ? [true] : [false, true]) {
        try {
          runCase(c, asText);
        } catch (error) {
          failures.push(`${c.name}${asText ? ' (as JSON text)' : ''}: ${error.message}`);
        }
      }
    }
    assert.equal(failures.length, 0, `${failures.length} failures in ${cases.length} cases:\n${failures.join('\n')}`);
  });
}

test('the vectors are a meaningful contract', () => {
  assert.ok(total >= MIN_CASES, `only ${total} cases; the contract needs at least ${MIN_CASES}`);
  assert.ok(routed >= MIN_ROUTE_CASES, `only ${routed} cases of routes/; expected at least ${MIN_ROUTE_CASES}`);
  console.log(`# ${total} vector cases run through Policy.fromJSON (${total - routed} + ${routed} of routes/)`);
});
