'use strict';

// The drop-in's caches, memos and warning sets stay bounded under inputs
// that never repeat. (The soak test shows the same over HTTP; these pin
// each bound.)

const { test } = require('node:test');
const assert = require('node:assert/strict');

const native = require('../lib/native');
const realCompile = native.compile;
const { Runner } = require('../lib/runner');

test('the answer memo has a byte budget and never keeps long inputs', () => {
  const runner = new Runner(realCompile({ profile: 'cors_npm', fixedOrigin: '*', allowedHeaders: 'mirror' }, true));
  // 400-character origins: about 900 bytes each, so the byte budget binds
  // long before the 4096-entry bound.
  const pad = 'a'.repeat(380);
  for (let i = 0; i < 6000; i++) {
    runner.shape('OPTIONS', `https://${i}-${pad}.example`, undefined, 'x-a', undefined, undefined);
    assert.ok(runner.memoBytes <= runner.memoBudget, `after ${i}: ${runner.memoBytes} bytes`);
  }
  assert.ok(runner.memoSize > 0 && runner.memoSize < 4096, `${runner.memoSize} entries`);
  // An 8 KB origin with 7 KB of request headers is answered, not memoized.
  const fresh = new Runner(realCompile({ profile: 'cors_npm', fixedOrigin: '*', allowedHeaders: 'mirror' }, true));
  const shape = fresh.shape('OPTIONS', 'https://' + 'b'.repeat(8192), undefined, 'c'.repeat(7168), undefined, undefined);
  assert.equal(shape.status, 204);
  assert.equal(fresh.memoSize, 0);
  assert.equal(fresh.memo.size, 0);
});
