'use strict';

// Documents with named policies and path rules (`policies`, `routes`)
// through the strict Policy: which policy serves a path, `null` (no CORS)
// where none does, paths with dot segments, the middleware on mock
// requests, and the errors of every policy at once. (frameworks.test.js
// serves a routed document over HTTP; the shared vectors of
// tests/vectors/routes/ run in vectors.test.js.)

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { Policy, PolicyError } = require('..');
const { mock } = require('./helpers');

const ADMIN = 'https://admin.example.com';
const APP = 'https://app.example.com';

const DOCUMENT = {
  version: 1,
  allowMethods: ['GET', 'PUT'],
  allowHeaders: ['content-type'],
  allowOrigins: [APP],
  policies: {
    public: { allowOrigins: ['*'] },
    admin: { allowOrigins: [ADMIN], allowCredentials: true },
  },
  routes: [
    { path: '/admin/**', policy: 'admin' },
    { path: '/api/health', policy: null },
    { path: '/api/**', policy: 'public' },
    { path: '/app/*/settings', policy: 'default' },
  ],
};

const get = (origin, path) => ({ method: 'GET', origin, path });

test('a routed document: its served policies, each answering the paths its rule names', () => {
  const policy = Policy.fromJSON(DOCUMENT);
  assert.equal(policy.hasRoutes, true);
  assert.deepEqual(policy.policyNames, ['default', 'public', 'admin']);
  assert.ok(Object.isFrozen(policy.policyNames));
  assert.deepEqual(policy.sizeClasses, ['small', 'small', 'small']);
  assert.equal(policy.sizeClass, 'small');

  const admin = policy.evaluate(get(ADMIN, '/admin/users'));
  assert.equal(admin.policy, 'admin');
  assert.equal(admin.allowed, true);
  assert.deepEqual(admin.headers, [
    ['Access-Control-Allow-Origin', ADMIN],
    ['Access-Control-Allow-Credentials', 'true'],
    ['Vary', 'Origin'],
  ]);
  // The public policy allows any origin, without credentials.
  const pub = policy.evaluate(get(ADMIN, '/api/v1/items'));
  assert.equal(pub.policy, 'public');
  assert.deepEqual(pub.headers, [['Access-Control-Allow-Origin', '*']]);
  // The top-level keys are the `default` policy, and what the others inherit.
  const app = policy.evaluate(get(APP, '/app/42/settings'));
  assert.equal(app.policy, 'default');
  assert.equal(app.allowed, true);
  assert.equal(policy.evaluate(get(ADMIN, '/app/42/settings')).allowed, false);
  const preflight = policy.evaluate({ method: 'OPTIONS', origin: ADMIN, requestMethod: 'PUT', path: '/admin/x' });
  assert.equal(preflight.policy, 'admin');
  assert.equal(preflight.status, 204);
  assert.ok(preflight.headers.some(([n, v]) => n === 'Access-Control-Allow-Methods' && v === 'GET, PUT'), 'inherited allowMethods');
  // The query is not part of the path; a Buffer path is its bytes.
  assert.equal(policy.evaluate(get(ADMIN, '/admin/users?x=/api/1')).policy, 'admin');
  assert.equal(policy.evaluate(get(ADMIN, Buffer.from('/api/x'))).policy, 'public');
  assert.equal(policy.policyFor('/admin'), 'admin');
  assert.equal(policy.policyFor(Buffer.from('/api/x')), 'public');
});

test('a path no policy serves: evaluate gives null, policyFor null', () => {
  const policy = Policy.fromJSON(DOCUMENT);
  for (const path of ['/static/app.js', '/', '/API/x', '/adminx', '/app/settings', '/app//settings', '/api/health']) {
    assert.equal(policy.evaluate(get(ADMIN, path)), null, path);
    assert.equal(policy.evaluate({ method: 'OPTIONS', origin: ADMIN, requestMethod: 'PUT', path }), null, path);
    assert.equal(policy.policyFor(path), null, path);
  }
  // No path: the request is for `/`, which no rule here matches.
  assert.equal(policy.evaluate({ method: 'GET', origin: ADMIN }), null);
  assert.equal(policy.policyFor(), null);
  // A `/` rule serves a request without a path.
  const root = Policy.fromJSON({ ...DOCUMENT, routes: [{ path: '/', policy: 'public' }] });
  assert.equal(root.evaluate({ method: 'GET', origin: ADMIN }).policy, 'public');
  assert.equal(root.policyFor(undefined), 'public');
});

test('paths with dot segments, encoded slashes or backslashes match no rule, not even /**', () => {
  const policy = Policy.fromJSON({ ...DOCUMENT, routes: [...DOCUMENT.routes, { path: '/**', policy: 'public' }] });
  assert.equal(policy.policyFor('/anything/else'), 'public');
  for (const path of [
    '/api/../admin/users',
    '/admin/../api/x',
    '/api/./x',
    '/api/%2e%2e/admin',
    '/api/%2E%2e/admin',
    '/api/.%2e/admin',
    '/api%2fadmin',
    '/api/%5cadmin',
    '/api\\..\\admin',
    '/..',
  ]) {
    assert.equal(policy.evaluate(get(ADMIN, path)), null, path);
    assert.equal(policy.policyFor(path), null, path);
  }
});

test('without routes the path is ignored and the one policy is `default`', () => {
  const policy = new Policy({ allowOrigins: [APP] });
  assert.equal(policy.hasRoutes, false);
  assert.deepEqual(policy.policyNames, ['default']);
  assert.deepEqual(policy.sizeClasses, ['small']);
  for (const path of [undefined, '/', '/api/../admin', 'not a path', Buffer.from('/x')]) {
    const d = policy.evaluate(get(APP, path));
    assert.equal(d.policy, 'default');
    assert.equal(d.allowed, true);
    assert.equal(policy.policyFor(path), 'default');
  }
});

test('a path that is not a string or a Buffer is refused', () => {
  const policy = Policy.fromJSON(DOCUMENT);
  assert.throws(
    () => policy.evaluate(get(ADMIN, 42)),
    (e) => e instanceof TypeError && e.code === 'invalid_request' && /request\.path/.test(e.message)
  );
  assert.throws(() => policy.evaluate(null), (e) => e instanceof TypeError && e.code === 'invalid_request');
  assert.throws(() => policy.evaluate({ origin: ADMIN }), (e) => e instanceof TypeError && /request\.method: required/.test(e.message));
});

test('each served policy is built in the smallest class that holds it', () => {
  const many = Array.from({ length: 200 }, (_, i) => `https://host-${i}.example`);
  const policy = Policy.fromJSON({
    version: 1,
    policies: { few: { allowOrigins: [APP] }, many: { allowOrigins: many } },
    routes: [
      { path: '/few/**', policy: 'few' },
      { path: '/many/**', policy: 'many' },
    ],
  });
  assert.deepEqual(policy.policyNames, ['few', 'many']);
  assert.deepEqual(policy.sizeClasses, ['small', 'default']);
  assert.equal(policy.sizeClass, 'default');
  assert.equal(policy.evaluate(get('https://host-199.example', '/many/x')).allowed, true);
  assert.equal(policy.evaluate(get('https://host-199.example', '/few/x')).allowed, false);
  assert.equal(policy.evaluate(get(APP, '/few/x')).allowed, true);
});

test('the errors of every policy and route are reported at once', () => {
  let error;
  try {
    Policy.fromJSON({
      version: 1,
      policies: {
        public: { allowOrigins: ['*'], maxAge: 90000 },
        admin: { allowOrigins: ['*'], allowCredentials: true },
      },
      routes: [
        { path: '/api/**', policy: 'public' },
        { path: '/admin/**', policy: 'admn' },
        { path: 'admin', policy: 'admin' },
      ],
    });
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof PolicyError, String(error));
  const found = error.errors.map((p) => [p.code, p.path]);
  assert.deepEqual(found, [
    ['max_age_out_of_range', '/policies/public/maxAge'],
    ['wildcard_origin_with_credentials', '/policies/admin/allowOrigins/0'],
    ['unknown_policy', '/routes/1/policy'],
    ['bad_path_rule', '/routes/2/path'],
  ]);
  assert.match(error.errors[2].message, /did you mean `admin`/);
  assert.equal(error.errors[3].problem, 'not_absolute');
});

/** Runs `middleware` on a mock request for `url`; `originalUrl` as Express sets it when given. */
function serve(middleware, method, url, headers, { originalUrl, vary } = {}) {
  const m = mock(method, headers, vary);
  m.req.url = url;
  if (originalUrl !== undefined) m.req.originalUrl = originalUrl;
  middleware(m.req, m.res, m.next);
  return m.log;
}

test('middleware: the policy serving the request target answers; none: untouched, next()', () => {
  const middleware = Policy.fromJSON(DOCUMENT).middleware();
  assert.deepEqual(serve(middleware, 'GET', '/admin/users', { origin: ADMIN }), [
    ['setHeader', 'Access-Control-Allow-Origin', ADMIN],
    ['setHeader', 'Access-Control-Allow-Credentials', 'true'],
    ['setHeader', 'Vary', 'Origin'],
    ['next'],
  ]);
  assert.deepEqual(serve(middleware, 'GET', '/api/items', { origin: ADMIN }), [
    ['setHeader', 'Access-Control-Allow-Origin', '*'],
    ['next'],
  ]);
  // No policy: no header, no answer, even to a preflight; the app decides.
  for (const url of ['/static/x', '/api/health', '/api/../admin', '/api/%2e%2e/admin']) {
    assert.deepEqual(serve(middleware, 'OPTIONS', url, { origin: ADMIN, 'access-control-request-method': 'PUT' }), [['next']], url);
    assert.deepEqual(serve(middleware, 'GET', url, { origin: ADMIN }), [['next']], url);
  }
  // Without next (node:http), nothing at all happens.
  const m = mock('GET', { origin: ADMIN });
  m.req.url = '/static/x';
  middleware(m.req, m.res);
  assert.deepEqual(m.log, []);
  // Express's mount path is stripped from req.url, not from req.originalUrl.
  const mounted = serve(middleware, 'GET', '/users', { origin: ADMIN }, { originalUrl: '/admin/users' });
  assert.deepEqual(mounted[0], ['setHeader', 'Access-Control-Allow-Origin', ADMIN]);
  // No URL at all: the request is for `/`.
  assert.deepEqual(serve(middleware, 'GET', undefined, { origin: ADMIN }), [['next']]);
});

test('middleware: the answer memo is per served policy', () => {
  const middleware = Policy.fromJSON(DOCUMENT).middleware();
  const preflight = { origin: ADMIN, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' };
  for (let i = 0; i < 50; i++) {
    // The same headers on three paths, over and over: each keeps its policy's answer.
    const admin = serve(middleware, 'OPTIONS', `/admin/${i % 3}`, preflight);
    const pub = serve(middleware, 'OPTIONS', `/api/${i % 3}`, preflight);
    const app = serve(middleware, 'OPTIONS', `/app/${i}/settings`, preflight);
    assert.deepEqual(admin[0], ['setHeader', 'Access-Control-Allow-Origin', ADMIN], `round ${i}`);
    assert.ok(admin.some((e) => e[1] === 'Access-Control-Allow-Credentials'), `round ${i}`);
    assert.deepEqual(pub[0], ['setHeader', 'Access-Control-Allow-Origin', '*'], `round ${i}`);
    assert.ok(!pub.some((e) => e[1] === 'Access-Control-Allow-Credentials'), `round ${i}`);
    const appOrigin = app.find((e) => e[1] === 'Access-Control-Allow-Origin');
    assert.equal(appOrigin, undefined, `round ${i}: admin.example.com is not the default policy's`);
    for (const log of [admin, pub, app]) assert.deepEqual(log[log.length - 1], ['end', log === app ? 403 : 204, null]);
  }
});

test("middleware: Vary is merged as each served policy's profile says", () => {
  const middleware = Policy.fromJSON({
    version: 1,
    allowOrigins: [APP],
    policies: { legacy: { profile: 'starlette' } },
    routes: [
      { path: '/legacy/**', policy: 'legacy' },
      { path: '/**', policy: 'default' },
    ],
  }).middleware();
  const vary = (url) => serve(middleware, 'GET', url, { origin: APP }, { vary: 'Origin' }).find((e) => e[1] === 'Vary');
  // strict: the token is already listed; starlette joins without deduplicating.
  assert.deepEqual(vary('/x'), ['setHeader', 'Vary', 'Origin']);
  assert.deepEqual(vary('/legacy/x'), ['setHeader', 'Vary', 'Origin, Origin']);
});

test("findings cover every served policy, with each one's paths", () => {
  const policy = Policy.fromJSON({
    version: 1,
    allowOrigins: [APP],
    policies: {
      legacy: { profile: 'cors_npm', allowOrigins: ['https://App.example.com'] },
      plain: { allowOrigins: ['http://b.example'], allowCredentials: true },
    },
    routes: [
      { path: '/legacy/**', policy: 'legacy' },
      { path: '/**', policy: 'plain' },
    ],
  });
  assert.deepEqual(
    policy.findings.map((f) => [f.code, f.path]),
    [
      ['malformed_origin', '/policies/legacy/allowOrigins/0'],
      ['insecure_origin', '/policies/plain/allowOrigins/0'],
    ]
  );
});
