'use strict';

// The drop-in's caches, memos and warning sets stay bounded under inputs
// that never repeat, and equal options reuse one compiled policy. (The
// soak test shows the same over HTTP; these pin each bound.)

const { test } = require('node:test');
const assert = require('node:assert/strict');

// Count the native policies built (by the addon, whoever asks): the module
// object the loader calls through, whichever file it loaded.
const { addon } = require('../lib/native');
let built = 0;
const addonLoad = addon.load;
addon.load = (...args) => {
  const result = addonLoad(...args);
  if (result instanceof addon.NativePolicy) built++;
  return result;
};
// Count native compiles: wrap the document loader the drop-in calls.
const native = require('../lib/native');
let compiles = 0;
const realLoad = native.load;
native.load = (...args) => {
  compiles++;
  return realLoad(...args);
};
const MIRROR_ANY = JSON.stringify({ version: 1, profile: 'cors_npm', fixedOrigin: '*', allowHeaders: 'mirror' });
// Answers that depend on the origin (each unlisted origin is its own memo key).
const MIRROR_LISTED = JSON.stringify({ version: 1, profile: 'cors_npm', allowOrigins: ['https://app.example.com'], allowHeaders: 'mirror' });
const cors = require('..');
const { Runner } = require('../lib/runner');
const { BoundedCache } = require('../lib/cache');
const { mock } = require('./helpers');

/** The warnings emitted while `fn` runs (they are delivered on a later tick). */
async function captureWarnings(fn) {
  const seen = [];
  const listeners = process.listeners('warning');
  process.removeAllListeners('warning');
  const onWarning = (w) => seen.push(w);
  process.on('warning', onWarning);
  try {
    fn();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.removeListener('warning', onWarning);
    for (const l of listeners) process.on('warning', l);
  }
  return seen;
}

function call(middleware, method, headers) {
  const m = mock(method, headers);
  middleware(m.req, m.res, m.next);
  return m.log;
}

test('BoundedCache: evicts the least recently used entry at its count bound and its byte budget', () => {
  const cache = new BoundedCache(3, 1000);
  cache.set('a', 1);
  cache.set('b', 2);
  cache.set('c', 3);
  assert.equal(cache.get('a'), 1); // now b is the oldest
  cache.set('d', 4);
  assert.equal(cache.size, 3);
  assert.equal(cache.get('b'), undefined);
  assert.equal(cache.get('a'), 1);
  cache.set('big', 5, 900); // 906 bytes: evicts until it fits
  assert.ok(cache.bytes <= 1000, `${cache.bytes} bytes`);
  assert.equal(cache.get('big'), 5);
  cache.set('huge', 6, 2000); // alone over the budget: not stored
  assert.equal(cache.get('huge'), undefined);
  assert.ok(cache.bytes <= 1000);
});

test('the answer memo has a byte budget and never keeps long inputs', () => {
  const runner = new Runner(realLoad(MIRROR_LISTED));
  // 400-character origins: about 900 bytes each, so the byte budget binds
  // long before the 4096-entry bound.
  const pad = 'a'.repeat(380);
  for (let i = 0; i < 6000; i++) {
    runner.shape('OPTIONS', `https://${i}-${pad}.example`, undefined, 'x-a', undefined, undefined);
    assert.ok(runner.memoBytes <= runner.memoBudget, `after ${i}: ${runner.memoBytes} bytes`);
  }
  assert.ok(runner.memoSize > 0 && runner.memoSize < 4096, `${runner.memoSize} entries`);
  // An 8 KB origin with 7 KB of request headers is answered, not memoized.
  const fresh = new Runner(realLoad(MIRROR_ANY));
  const shape = fresh.shape('OPTIONS', 'https://' + 'b'.repeat(8192), undefined, 'c'.repeat(7168), undefined, undefined);
  assert.equal(shape.status, 204);
  assert.equal(fresh.memoSize, 0);
  assert.equal(fresh.memo.size, 0);
});

/** Counts the native answer calls made on `policy` (`calls.runs`). */
function countAnswers(policy) {
  const calls = { runs: 0 };
  const run = policy.answer.bind(policy);
  policy.answer = (...args) => {
    calls.runs += 1;
    return run(...args);
  };
  return calls;
}

test('where the answer cannot depend on the origin, a new origin is still a memo hit: no native call', () => {
  for (const [document, free] of [
    [MIRROR_ANY, true],
    [JSON.stringify({ version: 1, profile: 'cors_npm', allowOrigins: ['*'] }), true],
    [MIRROR_LISTED, false],
  ]) {
    const policy = realLoad(document);
    assert.equal(policy.originMatters(0), !free, document);
    const calls = countAnswers(policy);
    const runner = new Runner(policy);
    const answers = new Set();
    for (let i = 0; i < 200; i++) {
      const shape = runner.shape('GET', `https://never-${i}.example`, undefined, undefined, undefined, undefined);
      answers.add(JSON.stringify([shape.status, shape.names, shape.values, shape.refusal, shape.kind]));
    }
    // Without Origin: a request of another kind, asked of the core once.
    runner.shape('GET', undefined, undefined, undefined, undefined, undefined);
    if (free) {
      assert.equal(calls.runs, 2, `${document}: one native call per kind of request`);
      assert.equal(answers.size, 1);
    } else {
      assert.ok(calls.runs > 200, `${document}: ${calls.runs} native calls`);
    }
  }
});

test('a fixed origin sent to everyone: a caller writing headers only reuses one answer for every origin; one needing the verdict does not', () => {
  const document = JSON.stringify({ version: 1, profile: 'cors_npm', fixedOrigin: 'https://app.example' });
  const policy = realLoad(document);
  assert.equal(policy.originMatters(0), true);
  assert.equal(policy.headersMatter(0), false);
  const calls = countAnswers(policy);
  const runner = new Runner(policy);
  const heads = new Set();
  for (let i = 0; i < 200; i++) {
    const shape = runner.answer('GET', `https://never-${i}.example`, undefined, undefined, 0, undefined, undefined, null, true);
    heads.add(JSON.stringify([shape.status, shape.names, shape.values]));
  }
  assert.equal(calls.runs, 1, 'one native call for 200 origins');
  assert.equal(heads.size, 1);
  // A caller that needs the verdict (a refusal hook) still asks per origin,
  // and hears that an unlisted origin is refused.
  const listed = runner.answer('GET', 'https://app.example', undefined, undefined);
  const other = runner.answer('GET', 'https://other.example', undefined, undefined);
  assert.equal(calls.runs, 3);
  assert.equal(listed.refusal, null);
  assert.notEqual(other.refusal, null);
});

test('a warning about request-derived origins is emitted once per rule, with the value shortened', async () => {
  const reflect = cors({ origin: (origin, cb) => cb(null, origin), credentials: true });
  const echo = cors((req, cb) => cb(null, { origin: req.headers.origin, credentials: true }));
  const seen = await captureWarnings(() => {
    for (let i = 0; i < 300; i++) {
      const origin = `https://${i}-${'X'.repeat(2000)}.example`;
      const log = call(i % 2 ? reflect : echo, 'GET', { origin });
      // Still answered as cors does: the value is reflected.
      assert.deepEqual(log[0], ['setHeader', 'Access-Control-Allow-Origin', origin]);
    }
  });
  assert.equal(seen.length, 1, seen.map((w) => w.code).join(' '));
  assert.equal(seen[0].code, 'CORSGUARD_MALFORMED_ORIGIN');
  assert.ok(seen[0].message.length < 600, `${seen[0].message.length} characters`);
  assert.ok(!seen[0].message.includes('X'.repeat(100)));
  assert.match(seen[0].message, /2000|\(20\d\d characters\)/);
});

test('warnings about a static configuration still name each value', async () => {
  const seen = await captureWarnings(() => {
    cors({ origin: ['https://Static-One.example'] });
    cors({ origin: ['https://Static-Two.example'] });
    cors({ origin: ['https://Static-Two.example'] });
  });
  const messages = seen.map((w) => w.message);
  assert.equal(messages.length, 2, messages.join('\n'));
  assert.ok(messages[0].includes('https://Static-One.example'));
  assert.ok(messages[1].includes('https://Static-Two.example'));
});

test('fresh but equal options compile once; the verdict still runs the RegExp of the current request', () => {
  const origins = Array.from({ length: 300 }, (_, i) => `https://o${i}.example.com`);
  let tests = 0;
  const delegate = cors((req, cb) => {
    const pattern = /^https:\/\/[a-z]+\.preview\.example\.com$/;
    const test = pattern.test.bind(pattern);
    pattern.test = (s) => {
      tests++;
      return test(s);
    };
    cb(null, { origin: [...origins, pattern], credentials: true });
  });
  const before = compiles;
  for (let i = 0; i < 200; i++) {
    const log = call(delegate, 'GET', { origin: i % 2 ? 'https://o7.example.com' : 'https://pr.preview.example.com' });
    assert.equal(log[0][2], i % 2 ? 'https://o7.example.com' : 'https://pr.preview.example.com');
  }
  assert.equal(compiles - before, 1, 'one native compile for 200 equal options objects');
  // The first object was also tried on the core's probe origins, once, when the policy was built.
  assert.equal(tests, 200 + native.VERDICT_PROBES.length, "each request's own RegExp object was consulted");

  // A different RegExp source is a different configuration (its warnings differ).
  const other = cors((req, cb) => cb(null, { origin: [...origins, /preview/], credentials: true }));
  call(other, 'GET', { origin: 'https://x.preview.example.com' });
  assert.equal(compiles - before, 2);
});

test('a callback returning fresh equal arrays, or many fixed origins, keeps the policy cache bounded', () => {
  const before = compiles;
  const list = cors({ origin: (origin, cb) => cb(null, ['https://a.example', /^https:\/\/b\.example$/]) });
  for (let i = 0; i < 100; i++) call(list, 'GET', { origin: 'https://b.example' });
  assert.equal(compiles - before, 1);

  const { policies } = require('../lib/compat').caches;
  const fixed = cors({ origin: (origin, cb) => cb(null, `https://fixed-${origin}.example`) });
  for (let i = 0; i < 1000; i++) {
    const log = call(fixed, 'GET', { origin: String(i) });
    assert.deepEqual(log[0], ['setHeader', 'Access-Control-Allow-Origin', `https://fixed-${i}.example`]);
    assert.ok(policies.size <= policies.maxEntries && policies.bytes <= policies.maxBytes);
  }
});

test('options too long to key by value are cached by identity', () => {
  // About 40,000 characters of origins: over the canonical key's limit.
  const origins = Array.from({ length: 1000 }, (_, i) => `https://origin-number-${i}.example.com`);
  const before = compiles;
  const same = cors((req, cb) => cb(null, { origin: origins }));
  for (let i = 0; i < 20; i++) {
    assert.equal(call(same, 'GET', { origin: 'https://origin-number-999.example.com' })[0][2], 'https://origin-number-999.example.com');
  }
  // Each fresh options object is a new entry, but the array is the same one.
  assert.equal(compiles - before, 1);
  const staticMiddleware = cors({ origin: origins });
  const afterStatic = compiles;
  for (let i = 0; i < 20; i++) call(staticMiddleware, 'GET', { origin: 'https://origin-number-1.example.com' });
  assert.equal(compiles, afterStatic);
});

test('fresh origin arrays that differ anywhere get their own policy', () => {
  const lists = [
    () => ['https://a.example'],
    () => ['https://a.example', 'https://b.example'],
    () => [['https://a.example'], 'https://b.example'],
    () => ['https://a.example', /^https:\/\/b\.example$/],
    () => ['https://a.example', /^https:\/\/B\.example$/],
    () => ['https://a.example', /^https:\/\/B\.example$/i],
    () => ['https://a.example', false],
    () => ['https://a.example', true],
  ];
  const allowsB = [false, true, true, true, false, true, false, true];
  let which = 0;
  const middleware = cors({ origin: (origin, cb) => cb(null, lists[which]()) });
  for (let round = 0; round < 3; round++) {
    for (which = 0; which < lists.length; which++) {
      const log = call(middleware, 'GET', { origin: 'https://b.example' });
      const allowOrigin = log.find((entry) => entry[1] === 'Access-Control-Allow-Origin');
      assert.equal(allowOrigin !== undefined, allowsB[which], `list ${which}, round ${round}: ${JSON.stringify(log)}`);
    }
  }
});

test('a fresh options object equal to the last one reuses its entry, unless a value is a different object', () => {
  let seen = 0;
  const first = (origin, cb) => {
    seen++;
    cb(null, true);
  };
  let callback = first;
  const middleware = cors((req, cb) => cb(null, { origin: callback, methods: ['GET', 'PUT'] }));
  call(middleware, 'GET', { origin: 'https://a.example' });
  call(middleware, 'GET', { origin: 'https://a.example' });
  assert.equal(seen, 2);
  // A different function (equal source) must be the one called.
  let other = 0;
  callback = (origin, cb) => {
    other++;
    cb(null, false);
  };
  const log = call(middleware, 'GET', { origin: 'https://a.example' });
  assert.equal(other, 1);
  assert.equal(seen, 2);
  assert.equal(log.find((entry) => entry[1] === 'Access-Control-Allow-Origin'), undefined);
});

test('checking request-derived origins builds no native policy per value', () => {
  const reflect = cors({ origin: (origin, cb) => cb(null, origin), credentials: true });
  call(reflect, 'GET', { origin: 'https://first.example' });
  const before = built;
  for (let i = 0; i < 200; i++) {
    const origin = `https://valid-${i}.example`;
    assert.equal(call(reflect, 'GET', { origin })[0][2], origin);
  }
  // Each native policy holds its memory until a GC finalizes it.
  assert.equal(built - before, 0);
});

test('cached records keep no message about a request-derived value; a static twin still warns', async () => {
  const value = `https://Kept-${'Q'.repeat(3000)}.example`;
  const fromCallback = cors({ origin: (origin, cb) => cb(null, value) });
  await captureWarnings(() => call(fromCallback, 'GET', { origin: 'https://other.example' }));
  const { policies } = require('../lib/compat').caches;
  for (const { value: record } of policies.map.values()) {
    assert.ok(!(record.problems || []).some((p) => p.message.includes('Q'.repeat(100))), 'a message with the value is cached');
  }
  // The same configuration written statically is warned about, naming the value.
  const seen = await captureWarnings(() => cors({ origin: value }));
  assert.equal(seen.length, 1);
  assert.ok(seen[0].message.includes(value));
});

test('a delegate alternating between static options objects reads each once (README, deviation 3)', () => {
  const a = { origin: 'https://a.example' };
  const b = { origin: 'https://b.example', credentials: true };
  const middleware = cors((req, cb) => cb(null, req.headers['x-pick'] === 'a' ? a : b));
  for (let i = 0; i < 10; i++) {
    assert.equal(call(middleware, 'GET', { origin: 'https://x.example', 'x-pick': 'a' })[0][2], 'https://a.example');
    assert.equal(call(middleware, 'GET', { origin: 'https://x.example', 'x-pick': 'b' })[0][2], 'https://b.example');
  }
  a.origin = 'https://changed.example';
  assert.equal(call(middleware, 'GET', { origin: 'https://x.example', 'x-pick': 'a' })[0][2], 'https://a.example');
});

test('an origin list of 100,000 empty lists is cached by identity, not keyed', () => {
  const origins = Array.from({ length: 100000 }, () => []);
  origins.push('https://a.example');
  const before = compiles;
  const middleware = cors((req, cb) => cb(null, { origin: origins }));
  for (let i = 0; i < 5; i++) assert.equal(call(middleware, 'GET', { origin: 'https://a.example' })[0][2], 'https://a.example');
  assert.equal(compiles - before, 1);
  const { policies } = require('../lib/compat').caches;
  for (const key of policies.map.keys()) assert.ok(key.length <= 40 * 1024, `a key of ${key.length} characters`);
});

test('a routed document: one memo for all its policies, a shape table per policy, every policy charged', () => {
  const many = Array.from({ length: 200 }, (_, i) => `https://host-${i}.example`);
  const json = JSON.stringify({
    version: 1,
    allowMethods: ['PUT'],
    policies: {
      mirror: { fixedOrigin: '*', allowHeaders: 'mirror' },
      list: { allowOrigins: many, allowCredentials: true },
      open: { allowOrigins: ['*'], allowHeaders: ['*'] },
    },
    routes: [
      { path: '/mirror/**', policy: 'mirror' },
      { path: '/list/**', policy: 'list' },
      { path: '/open/**', policy: 'open' },
    ],
  });
  const policy = realLoad(json);
  assert.deepEqual(policy.policyNames, ['mirror', 'list', 'open']);
  assert.deepEqual(policy.sizeClasses, ['small', 'default', 'small']);
  // The byte budgets charge every served policy's class, and the routes kept.
  const small = realLoad(JSON.stringify({ version: 1, allowOrigins: ['https://a.example'] })).nativeBytes;
  const middle = realLoad(JSON.stringify({ version: 1, allowOrigins: many })).nativeBytes;
  assert.ok(middle > small, `${middle} > ${small}`);
  assert.equal(policy.nativeBytes, 2 * small + middle + json.length);

  // Hostile inputs through all three: ids name their policy, each policy has
  // a handful of shapes (at most 64), and the one memo keeps its bounds.
  const runner = new Runner(policy);
  const ids = [new Set(), new Set(), new Set()];
  const pad = 'a'.repeat(200);
  for (let i = 0; i < 9000; i++) {
    const index = policy.route(['/mirror/', '/list/', '/open/'][i % 3] + i);
    assert.equal(index, i % 3);
    const origin = i % 7 ? `https://${i}-${pad}.example` : 'https://host-7.example';
    const method = i % 2 ? 'OPTIONS' : 'GET';
    const id = policy.run(index, method, origin, i % 2 ? 'PUT' : undefined, `x-${i % 50}`, undefined, undefined);
    if (id !== 0xffffffff) {
      assert.equal(id >>> 6, index, `shape id ${id} of policy ${index}`);
      ids[index].add(id);
    }
    const shape = runner.shape(method, origin, i % 2 ? 'PUT' : undefined, `x-${i % 50}`, undefined, undefined, index);
    assert.equal(shape.index, index);
    assert.ok(runner.memoBytes <= runner.memoBudget, `after ${i}: ${runner.memoBytes} bytes`);
    assert.ok(runner.memoSize <= 4096, `after ${i}: ${runner.memoSize} entries`);
    assert.ok(runner.memos.length <= 3);
  }
  for (const [index, seen] of ids.entries()) {
    assert.ok(seen.size > 0 && seen.size <= 64, `policy ${index}: ${seen.size} shapes`);
  }
  // The same request gets each policy's own answer.
  const shapes = [0, 1, 2].map((index) =>
    runner.shape('GET', 'https://host-7.example', undefined, undefined, undefined, undefined, index)
  );
  // `*`; the request's own Origin (source 1) with credentials; `*`.
  assert.deepEqual(
    shapes.map((s) => [s.sources[0], s.values[0]]),
    [
      [0, '*'],
      [1, null],
      [0, '*'],
    ]
  );
  assert.throws(() => policy.run(3, 'GET', 'https://host-7.example'), /no served policy 3/);
});

test('list + RegExp: a new admitted origin on every call is answered from the memo, byte for byte as cors', () => {
  const peer = require('cors');
  const options = { origin: ['https://app.example.com', /\.preview\.example\.com$/], credentials: true };
  const ours = cors(options);
  const theirs = peer(options);
  const calls = { runs: 0 };
  const proto = addon.NativePolicy.prototype;
  const answer = proto.answer;
  proto.answer = function (...args) {
    calls.runs += 1;
    return answer.apply(this, args);
  };
  try {
    for (const [method, extra] of [
      ['GET', {}],
      ['OPTIONS', { 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type,x-request-id' }],
    ]) {
      const before = calls.runs;
      for (let i = 0; i < 300; i++) {
        const headers = { origin: `https://pr-${i}.preview.example.com`, ...extra };
        assert.deepEqual(call(ours, method, headers), call(theirs, method, headers), `${method} #${i}`);
      }
      // The list's origin and an origin neither admits are judged by the core.
      for (const origin of ['https://app.example.com', 'https://elsewhere.example']) {
        assert.deepEqual(call(ours, method, { origin, ...extra }), call(theirs, method, { origin, ...extra }), origin);
      }
      assert.ok(calls.runs - before <= 3, `${method}: ${calls.runs - before} native calls for 302 requests`);
    }
    // An admitted value that could break a header is never answered from
    // the memo: the core refuses it, with no Access-Control-Allow-Origin.
    const log = call(ours, 'GET', { origin: 'https://x\r\nSet-Cookie: a=b; .preview.example.com' });
    assert.ok(!log.some((entry) => entry[1] === 'Access-Control-Allow-Origin'), JSON.stringify(log));
  } finally {
    proto.answer = answer;
  }
});

test('an admitted origin under strict syntax is still judged by the core: its form decides', () => {
  const strict = JSON.stringify({ version: 1, profile: 'strict', allowOrigins: ['https://app.example.com'], originVerdict: true });
  const literal = JSON.stringify({ version: 1, profile: 'cors_npm', allowOrigins: ['https://app.example.com'], originVerdict: true });
  assert.equal(realLoad(strict).admittedOriginMatters(0), true);
  assert.equal(realLoad(literal).admittedOriginMatters(0), false);
  const policy = realLoad(strict);
  const calls = countAnswers(policy);
  const runner = new Runner(policy);
  const allowed = runner.shape('GET', 'https://a.example', undefined, undefined, undefined, true);
  const malformed = runner.shape('GET', 'not an origin', undefined, undefined, undefined, true);
  assert.equal(calls.runs, 2);
  assert.equal(allowed.refusal, null);
  assert.notEqual(malformed.refusal, null);
});
