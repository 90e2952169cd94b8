'use strict';

// Host verdicts in the strict Policy: a RegExp matches whole origins, and a
// verdict that admits the core's probe origins is refused with credentials.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { Policy } = require('..');

const allowed = (policy, origin) => policy.evaluate({ method: 'GET', origin }).allowed;

test('a RegExp verdict must match the whole origin, anchored or not', () => {
  const policy = new Policy({ originVerdict: /https:\/\/[a-z]+\.example\.com/, allowCredentials: true });
  assert.equal(allowed(policy, 'https://a.example.com'), true);
  assert.equal(allowed(policy, 'https://a.example.com.evil.net'), false);
  assert.equal(allowed(policy, 'https://evil.net/?https://a.example.com'), false);
  assert.equal(allowed(policy, 'xhttps://a.example.com'), false);
  const reflected = policy.evaluate({ method: 'GET', origin: 'https://a.example.com.evil.net' });
  assert.equal(reflected.headers.find(([n]) => n === 'Access-Control-Allow-Origin'), undefined);
});

test('a whole-origin RegExp keeps alternation and flags, like fullmatch', () => {
  const policy = new Policy({ originVerdict: /https:\/\/A\.example\.com|https:\/\/ab\.example\.com/i });
  assert.equal(allowed(policy, 'https://a.example.com'), true);
  assert.equal(allowed(policy, 'https://ab.example.com'), true);
  assert.equal(allowed(policy, 'https://a.example.com.evil.net'), false);
});

test('a global or sticky RegExp verdict gives the same answer every time', () => {
  const policy = new Policy({ originVerdict: /https:\/\/app\.example\.com/gy });
  for (let i = 0; i < 4; ++i) assert.equal(allowed(policy, 'https://app.example.com'), true);
});

test('a multiline RegExp verdict is refused', () => {
  assert.throws(
    () => new Policy({ originVerdict: /^https:\/\/app\.example\.com$/m }),
    (e) => e instanceof TypeError && e.code === 'multiline_origin_pattern' && e.path === '/originVerdict' && /m flag/.test(e.message)
  );
});

test('a verdict that admits every origin is refused with credentials', () => {
  for (const verdict of [/.*/, /https:\/\/.*/, /http:\/\/.+/, () => true, /[a-z.:/]+/]) {
    assert.throws(
      () => new Policy({ originVerdict: verdict, allowCredentials: true }),
      (e) =>
        e instanceof TypeError &&
        e.code === 'wide_verdict_with_credentials' &&
        e.path === '/originVerdict' &&
        /^originVerdict allows `https?:\/\/evil\.test`.*allowWideVerdictWithCredentials$/.test(e.errors[0].message),
      String(verdict)
    );
  }
});

test('a wide verdict is accepted without credentials, or with the opt-in', () => {
  const open = new Policy({ originVerdict: () => true });
  assert.equal(allowed(open, 'https://anything.example'), true);
  const optedIn = new Policy({ originVerdict: /.*/, allowCredentials: true, allowWideVerdictWithCredentials: true });
  assert.equal(allowed(optedIn, 'https://anything.example'), true);
  assert.throws(
    () => new Policy({ originVerdict: /.*/, allowCredentials: true, allowWideVerdictWithCredentials: 'yes' }),
    (e) => e instanceof TypeError && e.errors.some((p) => p.code === 'wrong_type' && p.path === '/allowWideVerdictWithCredentials')
  );
});

test('a narrow verdict with credentials is accepted', () => {
  const policy = new Policy({
    originVerdict: (o) => /^https:\/\/pr-\d+\.preview\.example\.com$/.test(o),
    allowCredentials: true,
  });
  assert.equal(allowed(policy, 'https://pr-12.preview.example.com'), true);
  const local = new Policy({ originVerdict: /http:\/\/127\.0\.0\.1:\d+/, allowCredentials: true });
  assert.equal(allowed(local, 'http://127.0.0.1:5173'), true);
});
