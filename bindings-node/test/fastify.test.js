'use strict';

// corsguard/fastify on a real Fastify 5 app over HTTP on loopback: each
// option, per-route `config.cors`, the OPTIONS route, strictPreflight, a
// refused preflight and credentials, each with the answer it must give.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const Fastify = require('fastify');
const cors = require('corsguard/fastify');
const { request, quietWarnings } = require('./helpers');

quietWarnings();

const APP = 'https://app.example';
const EVIL = 'https://evil.example';

/** A listening app with `cors` registered with `options`; `routes(app)` adds routes. */
async function serve(options, routes = (app) => app.get('/r', async () => 'ok')) {
  const app = Fastify();
  await app.register(cors, options);
  routes(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = app.server.address().port;
  const send = (method, path, headers = {}) => request(port, { method, path, headers });
  return { app, send };
}

/** A preflight for `method` from `origin`. */
function preflight(origin, method = 'PUT', headers) {
  const h = { origin, 'access-control-request-method': method };
  if (headers !== undefined) h['access-control-request-headers'] = headers;
  return h;
}

async function withApp(options, run, routes) {
  const { app, send } = await serve(options, routes);
  try {
    await run(send, app);
  } finally {
    await app.close();
  }
}

test('the defaults: * to every request, a 204 preflight mirroring the requested headers', async () => {
  await withApp({}, async (send) => {
    const actual = await send('GET', '/r', { origin: APP });
    assert.equal(actual.status, 200);
    assert.equal(actual.body, 'ok');
    assert.equal(actual.headers['access-control-allow-origin'], '*');
    assert.equal(actual.headers.vary, undefined);
    const p = await send('OPTIONS', '/r', preflight(APP, 'PUT', 'x-a, content-type'));
    assert.equal(p.status, 204);
    assert.equal(p.body, '');
    assert.equal(p.headers['content-length'], '0');
    assert.equal(p.headers['access-control-allow-methods'], 'GET,HEAD,POST');
    assert.equal(p.headers['access-control-allow-headers'], 'x-a, content-type');
    assert.equal(p.headers.vary, 'Access-Control-Request-Headers');
  });
});

test('origin as a string, a RegExp, an array, true and false', async () => {
  await withApp({ origin: 'https://fixed.example' }, async (send) => {
    const r = await send('GET', '/r', { origin: EVIL });
    assert.equal(r.headers['access-control-allow-origin'], 'https://fixed.example');
    assert.equal(r.headers.vary, undefined);
  });
  await withApp({ origin: /^https:\/\/(.+\.)?app\.example$/ }, async (send) => {
    assert.equal((await send('GET', '/r', { origin: 'https://a.app.example' })).headers['access-control-allow-origin'], 'https://a.app.example');
    const refused = await send('GET', '/r', { origin: EVIL });
    assert.equal(refused.headers['access-control-allow-origin'], undefined);
    assert.equal(refused.headers.vary, 'Origin');
  });
  await withApp({ origin: ['https://other.example', /^https:\/\/app\.example$/] }, async (send) => {
    assert.equal((await send('GET', '/r', { origin: APP })).headers['access-control-allow-origin'], APP);
    assert.equal((await send('GET', '/r', { origin: 'https://other.example' })).headers['access-control-allow-origin'], 'https://other.example');
    assert.equal((await send('GET', '/r', { origin: `${APP}.evil.net` })).headers['access-control-allow-origin'], undefined);
  });
  await withApp({ origin: true }, async (send) => {
    const r = await send('GET', '/r', { origin: EVIL });
    assert.equal(r.headers['access-control-allow-origin'], EVIL);
    assert.equal(r.headers.vary, 'Origin');
    assert.equal((await send('GET', '/r')).headers['access-control-allow-origin'], undefined);
  });
  await withApp({ origin: false }, async (send) => {
    const r = await send('GET', '/r', { origin: APP });
    assert.equal(r.headers['access-control-allow-origin'], undefined);
    assert.equal(r.headers.vary, undefined);
    // CORS off: the OPTIONS route finds nothing.
    assert.equal((await send('OPTIONS', '/r', preflight(APP))).status, 404);
  });
});

test('origin as a callback and as an async function: their value decides, Vary: Origin always', async () => {
  const byCallback = (origin, cb) => (origin === EVIL ? cb(null, false) : cb(null, origin === APP ? true : ['https://x.example']));
  await withApp({ origin: byCallback }, async (send) => {
    const allowed = await send('GET', '/r', { origin: APP });
    assert.equal(allowed.headers['access-control-allow-origin'], APP);
    assert.equal(allowed.headers.vary, 'Origin');
    const off = await send('GET', '/r', { origin: EVIL });
    assert.equal(off.headers['access-control-allow-origin'], undefined);
    assert.equal(off.headers.vary, 'Origin');
    assert.equal((await send('GET', '/r', { origin: 'https://y.example' })).headers['access-control-allow-origin'], undefined);
  });
  await withApp({ origin: async (origin) => (origin === APP ? '*' : false) }, async (send) => {
    const r = await send('GET', '/r', { origin: APP });
    assert.equal(r.headers['access-control-allow-origin'], '*');
    assert.equal(r.headers.vary, 'Origin');
  });
  await withApp({ origin: (origin, cb) => cb(new Error('refused by policy')) }, async (send) => {
    const r = await send('GET', '/r', { origin: APP });
    assert.equal(r.status, 500);
    assert.match(r.body, /refused by policy/);
  });
});

test('methods, allowedHeaders, exposedHeaders, maxAge and cacheControl', async () => {
  const options = {
    origin: APP,
    methods: ['GET', 'PUT'],
    allowedHeaders: 'Content-Type,X-Api-Key',
    exposedHeaders: ['X-Total', 'X-Page'],
    maxAge: 600,
    cacheControl: 300,
  };
  await withApp(options, async (send) => {
    const p = await send('OPTIONS', '/r', preflight(APP, 'PUT', 'x-other'));
    assert.equal(p.status, 204);
    assert.equal(p.headers['access-control-allow-methods'], 'GET, PUT');
    assert.equal(p.headers['access-control-allow-headers'], 'Content-Type,X-Api-Key');
    assert.equal(p.headers['access-control-expose-headers'], 'X-Total, X-Page');
    assert.equal(p.headers['access-control-max-age'], '600');
    assert.equal(p.headers['cache-control'], 'max-age=300');
    const names = p.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    assert.deepEqual(names.slice(0, 6), [
      'access-control-allow-origin',
      'access-control-expose-headers',
      'access-control-allow-methods',
      'access-control-allow-headers',
      'access-control-max-age',
      'cache-control',
    ]);
    const actual = await send('GET', '/r', { origin: APP });
    assert.equal(actual.headers['access-control-expose-headers'], 'X-Total, X-Page');
    assert.equal(actual.headers['access-control-max-age'], undefined);
    assert.equal(actual.headers['cache-control'], undefined);
  });
});

test('credentials: Access-Control-Allow-Credentials on every answer, refused origins too', async () => {
  await withApp({ origin: [APP], credentials: true }, async (send) => {
    const allowed = await send('GET', '/r', { origin: APP });
    assert.equal(allowed.headers['access-control-allow-origin'], APP);
    assert.equal(allowed.headers['access-control-allow-credentials'], 'true');
    const refused = await send('GET', '/r', { origin: EVIL });
    assert.equal(refused.headers['access-control-allow-origin'], undefined);
    assert.equal(refused.headers['access-control-allow-credentials'], 'true');
  });
  await withApp({ credentials: false }, async (send) => {
    assert.equal((await send('GET', '/r', { origin: APP })).headers['access-control-allow-credentials'], undefined);
  });
});

test('a refused preflight: the success status, no Access-Control-Allow-Origin, the rest still sent', async () => {
  await withApp({ origin: [APP], optionsSuccessStatus: 200 }, async (send) => {
    const p = await send('OPTIONS', '/r', preflight(EVIL, 'DELETE'));
    assert.equal(p.status, 200);
    assert.equal(p.headers['access-control-allow-origin'], undefined);
    assert.equal(p.headers['access-control-allow-methods'], 'GET,HEAD,POST');
    assert.equal(p.headers.vary, 'Origin, Access-Control-Request-Headers');
  });
});

test('strictPreflight: an OPTIONS without Origin or Access-Control-Request-Method is a 400', async () => {
  await withApp({ origin: [APP] }, async (send) => {
    const noMethod = await send('OPTIONS', '/r', { origin: APP });
    assert.equal(noMethod.status, 400);
    assert.equal(noMethod.body, 'Invalid Preflight Request');
    assert.equal(noMethod.headers['content-type'], 'text/plain');
    // The headers of an actual response, not the preflight's.
    assert.equal(noMethod.headers['access-control-allow-origin'], APP);
    assert.equal(noMethod.headers['access-control-allow-methods'], undefined);
    assert.equal((await send('OPTIONS', '/r', { 'access-control-request-method': 'PUT' })).status, 400);
  });
  await withApp({ origin: [APP], strictPreflight: false }, async (send) => {
    const loose = await send('OPTIONS', '/r', { origin: APP });
    assert.equal(loose.status, 204);
    assert.equal(loose.headers['access-control-allow-methods'], 'GET,HEAD,POST');
  });
});

test('preflight: false and preflightContinue hand the OPTIONS request on', async () => {
  await withApp({ preflight: false }, async (send) => {
    const r = await send('OPTIONS', '/r', preflight(APP));
    assert.equal(r.status, 404);
    assert.equal(r.headers['access-control-allow-origin'], '*');
    assert.equal(r.headers['access-control-allow-methods'], undefined);
  });
  await withApp({ preflightContinue: true }, async (send) => {
    const r = await send('OPTIONS', '/r', preflight(APP));
    // The plugin's OPTIONS route answers it, with the preflight headers set.
    assert.equal(r.status, 200);
    assert.equal(r.headers['access-control-allow-methods'], 'GET,HEAD,POST');
  });
  const own = (app) => app.options('/own', async (req, reply) => reply.code(202).send('mine'));
  await withApp({ preflightContinue: true }, async (send) => {
    const r = await send('OPTIONS', '/own', preflight(APP));
    assert.equal(r.status, 202);
    assert.equal(r.body, 'mine');
    assert.equal(r.headers['access-control-allow-origin'], '*');
  }, own);
});

test("per-route config.cors: false turns CORS off, an object is merged over the plugin's options", async () => {
  const routes = (app) => {
    app.get('/r', async () => 'ok');
    app.get('/off', { config: { cors: false } }, async () => 'off');
    app.get('/strict', { config: { cors: { origin: [APP], credentials: true } } }, async () => 'strict');
  };
  await withApp({ exposedHeaders: 'X-Total' }, async (send) => {
    assert.equal((await send('GET', '/r', { origin: EVIL })).headers['access-control-allow-origin'], '*');
    const off = await send('GET', '/off', { origin: APP });
    assert.equal(off.body, 'off');
    assert.equal(off.headers['access-control-allow-origin'], undefined);
    assert.equal(off.headers['access-control-expose-headers'], undefined);
    const allowed = await send('GET', '/strict', { origin: APP });
    assert.equal(allowed.headers['access-control-allow-origin'], APP);
    assert.equal(allowed.headers['access-control-allow-credentials'], 'true');
    assert.equal(allowed.headers['access-control-expose-headers'], 'X-Total');
    const refused = await send('GET', '/strict', { origin: EVIL });
    assert.equal(refused.headers['access-control-allow-origin'], undefined);
    assert.equal(refused.headers.vary, 'Origin');
  }, routes);
});

test('delegator: options per request, from a callback or a promise', async () => {
  const pick = (req) => ({ origin: req.headers['x-tenant'] === 'a' ? [APP] : false });
  await withApp({ delegator: (req, cb) => cb(null, pick(req)) }, async (send) => {
    const r = await send('GET', '/r', { origin: APP, 'x-tenant': 'a' });
    assert.equal(r.headers['access-control-allow-origin'], APP);
    assert.equal(r.headers.vary, 'Origin');
    const off = await send('GET', '/r', { origin: APP, 'x-tenant': 'b' });
    assert.equal(off.headers['access-control-allow-origin'], undefined);
    assert.equal(off.headers.vary, 'Origin');
  });
  await withApp({ delegator: async (req) => pick(req) }, async (send) => {
    assert.equal((await send('GET', '/r', { origin: APP, 'x-tenant': 'a' })).headers['access-control-allow-origin'], APP);
  });
});

test('hideOptionsRoute: the OPTIONS route is hidden from schemas unless asked', async () => {
  for (const [options, hidden] of [[{}, true], [{ hideOptionsRoute: false }, false]]) {
    const app = Fastify();
    const seen = [];
    app.addHook('onRoute', (route) => seen.push(route));
    await app.register(cors, options);
    await app.ready();
    const route = seen.find((r) => r.method === 'OPTIONS' && r.url === '*');
    assert.ok(route, 'the plugin registers OPTIONS *');
    assert.equal(route.schema.hide, hidden);
    await app.close();
  }
});

test('hook: the headers are set in the hook named', async () => {
  await withApp({ hook: 'preHandler', origin: [APP] }, async (send) => {
    assert.equal((await send('GET', '/r', { origin: APP })).headers['access-control-allow-origin'], APP);
  });
  const app = Fastify();
  await assert.rejects(async () => {
    await app.register(cors, { hook: 'onSend' });
    await app.ready();
  }, /invalid hook/);
  await app.close();
});

test('a value that would split the response is refused when the plugin is registered', async () => {
  const app = Fastify();
  await assert.rejects(async () => {
    await app.register(cors, { origin: 'https://a.example\r\nSet-Cookie: x=1' });
    await app.ready();
  }, /CR, LF or NUL/);
  await app.close();
});

test("a callback or delegator answering with the request's own origin compiles one policy, not one per origin", async () => {
  const { caches } = require('../lib/fastify');
  const keys = () => new Set(caches.policies.map.keys());
  for (const options of [
    { origin: (origin, cb) => cb(null, origin), credentials: true },
    { delegator: (req, cb) => cb(null, { origin: req.headers.origin, credentials: true }) },
  ]) {
    await withApp(options, async (send) => {
      const before = keys();
      for (let i = 0; i < 40; i++) {
        const origin = `https://tenant${i}.example`;
        const r = await send('GET', '/r', { origin });
        assert.equal(r.headers['access-control-allow-origin'], origin);
        assert.equal(r.headers['access-control-allow-credentials'], 'true');
        assert.equal(r.headers.vary, 'Origin');
      }
      const added = [...keys()].filter((k) => !before.has(k));
      assert.ok(added.length <= 1, `${added.length} policies compiled for 40 origins`);
    });
  }
});
