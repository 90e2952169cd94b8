'use strict';

// The drop-in and the strict Policy middleware in real servers over real
// HTTP on loopback: Express 4, Express 5, Connect and a plain http server.

const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const express4 = require('express4');
const express5 = require('express5');
const connect = require('connect');
const vary = require('vary');
const cors = require('..');
const { Policy } = require('..');
const { request, listen, close, quietWarnings } = require('./helpers');

quietWarnings();

const APP_ORIGIN = 'https://app.example.com';

// A routed document: mounted at /routed, so Express and Connect strip the
// mount path from req.url; the rules match req.originalUrl.
const ROUTED = Policy.fromJSON({
  version: 1,
  allowMethods: ['GET', 'PUT'],
  allowHeaders: ['content-type'],
  policies: {
    public: { allowOrigins: ['*'] },
    admin: { allowOrigins: [APP_ORIGIN], allowCredentials: true },
  },
  routes: [
    { path: '/routed/admin/**', policy: 'admin' },
    { path: '/routed/api/**', policy: 'public' },
    { path: '/routed/off/**', policy: null },
  ],
});

function expressApp(express) {
  const app = express();
  app.use('/open', cors());
  app.use('/list', cors({ origin: [APP_ORIGIN, /^https:\/\/[a-z]+\.preview\.example\.com$/], credentials: true }));
  app.use(
    '/async',
    cors((req, cb) => setImmediate(() => cb(null, { origin: (o, done) => setImmediate(() => done(null, o === APP_ORIGIN)) })))
  );
  app.use('/denied', cors({ origin: (o, cb) => cb(new Error('not allowed by CORS')) }));
  app.use('/continue', cors({ preflightContinue: true }));
  app.use(
    '/strict',
    new Policy({ allowOrigins: [APP_ORIGIN], allowMethods: ['PUT'], allowHeaders: ['content-type'] }).middleware()
  );
  app.use('/routed', ROUTED.middleware());
  app.options('/continue', (req, res) => res.status(299).send('app preflight'));
  app.use((req, res) => {
    vary(res, 'Accept-Encoding');
    res.send('app');
  });
  app.use((err, req, res, next) => res.status(500).send('error: ' + err.message));
  return app;
}

function connectApp() {
  const app = connect();
  app.use('/open', cors());
  app.use('/list', cors({ origin: [APP_ORIGIN, /^https:\/\/[a-z]+\.preview\.example\.com$/], credentials: true }));
  app.use(
    '/async',
    cors((req, cb) => setImmediate(() => cb(null, { origin: (o, done) => setImmediate(() => done(null, o === APP_ORIGIN)) })))
  );
  app.use('/denied', cors({ origin: (o, cb) => cb(new Error('not allowed by CORS')) }));
  app.use('/continue', cors({ preflightContinue: true }));
  app.use(
    '/strict',
    new Policy({ allowOrigins: [APP_ORIGIN], allowMethods: ['PUT'], allowHeaders: ['content-type'] }).middleware()
  );
  app.use('/routed', ROUTED.middleware());
  app.use('/continue', (req, res, next) => {
    if (req.method !== 'OPTIONS') return next();
    res.statusCode = 299;
    res.end('app preflight');
  });
  app.use((req, res) => {
    vary(res, 'Accept-Encoding');
    res.end('app');
  });
  app.use((err, req, res, next) => {
    res.statusCode = 500;
    res.end('error: ' + err.message);
  });
  return app;
}

/** The same routes on a bare http server: middleware then handler. */
function plainApp() {
  const routes = {
    '/open': cors(),
    '/list': cors({ origin: [APP_ORIGIN, /^https:\/\/[a-z]+\.preview\.example\.com$/], credentials: true }),
    '/async': cors((req, cb) =>
      setImmediate(() => cb(null, { origin: (o, done) => setImmediate(() => done(null, o === APP_ORIGIN)) }))
    ),
    '/denied': cors({ origin: (o, cb) => cb(new Error('not allowed by CORS')) }),
    '/continue': cors({ preflightContinue: true }),
    '/strict': new Policy({
      allowOrigins: [APP_ORIGIN],
      allowMethods: ['PUT'],
      allowHeaders: ['content-type'],
    }).middleware(),
  };
  const routed = ROUTED.middleware();
  return (req, res) => {
    const route = req.url.split('?')[0];
    const middleware = route.startsWith('/routed/') ? routed : routes[route];
    middleware(req, res, (err) => {
      if (err) {
        res.statusCode = 500;
        res.end('error: ' + err.message);
      } else if (route === '/continue' && req.method === 'OPTIONS') {
        res.statusCode = 299;
        res.end('app preflight');
      } else {
        vary(res, 'Accept-Encoding');
        res.end('app');
      }
    });
  };
}

const STACKS = [
  ['Express 4', () => expressApp(express4)],
  ['Express 5', () => expressApp(express5)],
  ['Connect', connectApp],
  ['node:http', plainApp],
];

for (const [name, make] of STACKS) {
  describe(`${name} over HTTP`, () => {
    let server;
    let port;
    before(async () => {
      server = http.createServer(make());
      port = await listen(server);
    });
    after(() => close(server));

    test('default options: * on an actual request, the app answers', async () => {
      const res = await request(port, { path: '/open', headers: { origin: APP_ORIGIN } });
      assert.equal(res.status, 200);
      assert.equal(res.body, 'app');
      assert.equal(res.headers['access-control-allow-origin'], '*');
      assert.equal(res.headers.vary, 'Accept-Encoding');
    });

    test('default options: a preflight is answered 204 with mirrored headers', async () => {
      const res = await request(port, {
        method: 'OPTIONS',
        path: '/open',
        headers: { origin: APP_ORIGIN, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-a' },
      });
      assert.equal(res.status, 204);
      assert.equal(res.body, '');
      assert.equal(res.headers['access-control-allow-methods'], 'GET,HEAD,PUT,PATCH,POST,DELETE');
      assert.equal(res.headers['access-control-allow-headers'], 'x-a');
      assert.equal(res.headers.vary, 'Access-Control-Request-Headers');
    });

    test('an origin list reflects a listed origin with credentials and merges Vary', async () => {
      const res = await request(port, { path: '/list', headers: { origin: APP_ORIGIN } });
      assert.equal(res.headers['access-control-allow-origin'], APP_ORIGIN);
      assert.equal(res.headers['access-control-allow-credentials'], 'true');
      assert.equal(res.headers.vary, 'Origin, Accept-Encoding');
    });

    test('an origin list: a RegExp entry allows a preview origin, a lookalike is refused', async () => {
      const ok = await request(port, { path: '/list', headers: { origin: 'https://pr.preview.example.com' } });
      assert.equal(ok.headers['access-control-allow-origin'], 'https://pr.preview.example.com');
      const evil = await request(port, { path: '/list', headers: { origin: 'https://pr.preview.example.com.evil.net' } });
      assert.equal(evil.headers['access-control-allow-origin'], undefined);
      assert.equal(evil.body, 'app');
    });

    test('async delegate and origin callbacks', async () => {
      const ok = await request(port, { path: '/async', headers: { origin: APP_ORIGIN } });
      assert.equal(ok.headers['access-control-allow-origin'], APP_ORIGIN);
      const refused = await request(port, { path: '/async', headers: { origin: 'https://other.example' } });
      assert.equal(refused.headers['access-control-allow-origin'], undefined);
      assert.equal(refused.headers.vary, 'Accept-Encoding');
      assert.equal(refused.body, 'app');
    });

    test('an error from the origin callback reaches the error handler', async () => {
      const res = await request(port, { path: '/denied', headers: { origin: APP_ORIGIN } });
      assert.equal(res.status, 500);
      assert.equal(res.body, 'error: not allowed by CORS');
    });

    test('preflightContinue hands the preflight to the app with the headers set', async () => {
      const res = await request(port, {
        method: 'OPTIONS',
        path: '/continue',
        headers: { origin: APP_ORIGIN, 'access-control-request-method': 'PUT' },
      });
      assert.equal(res.status, 299);
      assert.equal(res.body, 'app preflight');
      assert.equal(res.headers['access-control-allow-origin'], '*');
    });

    test('strict Policy: an allowed preflight, a refused one, an actual request', async () => {
      const ok = await request(port, {
        method: 'OPTIONS',
        path: '/strict',
        headers: { origin: APP_ORIGIN, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'Content-Type' },
      });
      assert.equal(ok.status, 204);
      assert.equal(ok.headers['access-control-allow-origin'], APP_ORIGIN);
      assert.equal(ok.headers['access-control-allow-methods'], 'PUT');
      const refused = await request(port, {
        method: 'OPTIONS',
        path: '/strict',
        headers: { origin: APP_ORIGIN, 'access-control-request-method': 'DELETE' },
      });
      assert.equal(refused.status, 403);
      assert.equal(refused.headers['access-control-allow-origin'], undefined);
      const actual = await request(port, { path: '/strict', headers: { origin: 'https://evil.example' } });
      assert.equal(actual.status, 200);
      assert.equal(actual.headers['access-control-allow-origin'], undefined);
      assert.equal(actual.headers.vary, 'Origin, Accept-Encoding');
    });

    test('routed Policy: each path is answered by the policy its first matching rule names', async () => {
      const api = await request(port, { path: '/routed/api/items', headers: { origin: APP_ORIGIN } });
      assert.equal(api.status, 200);
      assert.equal(api.body, 'app');
      assert.equal(api.headers['access-control-allow-origin'], '*');
      assert.equal(api.headers['access-control-allow-credentials'], undefined);
      const admin = await request(port, { path: '/routed/admin/users?page=2', headers: { origin: APP_ORIGIN } });
      assert.equal(admin.headers['access-control-allow-origin'], APP_ORIGIN);
      assert.equal(admin.headers['access-control-allow-credentials'], 'true');
      assert.equal(admin.headers.vary, 'Origin, Accept-Encoding');
      const preflight = await request(port, {
        method: 'OPTIONS',
        path: '/routed/admin/users',
        headers: { origin: APP_ORIGIN, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers['access-control-allow-origin'], APP_ORIGIN);
      assert.equal(preflight.headers['access-control-allow-methods'], 'GET, PUT');
      // The same request, repeated, is memoized per policy: each path keeps its own answer.
      for (let i = 0; i < 3; i++) {
        const a = await request(port, { path: '/routed/api/x', headers: { origin: APP_ORIGIN } });
        const b = await request(port, { path: '/routed/admin/x', headers: { origin: APP_ORIGIN } });
        assert.equal(a.headers['access-control-allow-origin'], '*');
        assert.equal(b.headers['access-control-allow-origin'], APP_ORIGIN);
      }
    });

    test('routed Policy: a path no policy serves reaches the app untouched, a preflight too', async () => {
      for (const path of ['/routed/static/app.js', '/routed/off/x', '/routed/api/../admin/users', '/routed/api/%2e%2e/admin']) {
        for (const method of ['GET', 'OPTIONS']) {
          const headers = { origin: APP_ORIGIN };
          if (method === 'OPTIONS') headers['access-control-request-method'] = 'PUT';
          const res = await request(port, { method, path, headers });
          assert.equal(res.status, 200, `${method} ${path}`);
          assert.equal(res.body, 'app', `${method} ${path}`);
          const cors = Object.keys(res.headers).filter((name) => name.startsWith('access-control-'));
          assert.deepEqual(cors, [], `${method} ${path}: no CORS header`);
          assert.equal(res.headers.vary, 'Accept-Encoding', `${method} ${path}: Vary is the app's`);
        }
      }
    });

    test('hostile request headers never break the server', async () => {
      const res = await request(port, {
        method: 'OPTIONS',
        path: '/open',
        headers: {
          origin: 'https://\u00e9vil.example',
          'access-control-request-method': 'PUT',
          'access-control-request-headers': ','.repeat(12000),
        },
      });
      assert.equal(res.status, 204);
      const res2 = await request(port, { path: '/list', headers: { origin: 'null' } });
      assert.equal(res2.status, 200);
    });
  });
}
