'use strict';

// `corsOnErrors: true` over real HTTP on loopback, with Express 4 and 5: a
// route's error (thrown, rejected, or passed to next) answered by Express's
// own final handler or by the app's error handler still carries the CORS
// headers the request's origin is entitled to, and the error still reaches
// that handler (and Express's logging).

const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const express4 = require('express4');
const express5 = require('express5');
const cors = require('..');
const { Policy } = require('..');
const { request, listen, close } = require('./helpers');

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';

/**
 * Captures what console.error writes while `run` runs and until `expect`
 * appears (bounded: finalhandler logs on a later turn than it answers).
 */
async function consoleErrors(run, expect) {
  const original = console.error;
  const lines = [];
  console.error = (...args) => lines.push(args.join(' '));
  try {
    await run();
    for (let i = 0; i < 100 && !lines.some((line) => line.includes(expect)); i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    console.error = original;
  }
  return lines;
}

/** Routes that fail: synchronously, by a rejected promise (Express 5) or next(err) later (Express 4). */
function failing(app, express) {
  app.get('/sync', () => {
    throw new Error('sync failure');
  });
  if (express === express5) {
    app.get('/async', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error('async failure');
    });
  } else {
    app.get('/async', (req, res, next) => setImmediate(() => next(new Error('async failure'))));
  }
}

/** An error handler that records the error and resets the response's headers before answering. */
function resettingHandler(seen) {
  return (err, req, res, next) => {
    seen.push(err.message);
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.status(500).json({ error: err.message });
  };
}

for (const [name, express] of [
  ['express4', express4],
  ['express5', express5],
]) {
  describe(`corsOnErrors with ${name}`, () => {
    let server;
    let port;
    const seen = [];

    before(async () => {
      const root = express();
      // Express's own final handler answers these.
      const plain = express();
      plain.use(cors({ origin: [APP], exposedHeaders: 'X-Request-Id', corsOnErrors: true }));
      failing(plain, express);
      root.use('/default', plain);
      // The app's error handler, which resets every header, answers these.
      const handled = express();
      handled.use(cors({ origin: [APP], credentials: true, corsOnErrors: true }));
      failing(handled, express);
      handled.use(resettingHandler(seen));
      root.use('/handled', handled);
      // The same without the option: the handler's reset wins.
      const without = express();
      without.use(cors({ origin: [APP] }));
      failing(without, express);
      without.use(resettingHandler(seen));
      root.use('/without', without);
      // The strict Policy middleware.
      const strict = express();
      strict.use(new Policy({ allowOrigins: [APP], exposeHeaders: ['X-Request-Id'] }).middleware({ corsOnErrors: true }));
      failing(strict, express);
      strict.use(resettingHandler(seen));
      root.use('/strict', strict);
      server = http.createServer(root);
      port = await listen(server);
    });
    after(() => close(server));

    for (const route of ['sync', 'async']) {
      test(`${route}: Express's final handler's 500 carries the allowed origin's headers, and the error is logged`, async () => {
        let res;
        const logged = await consoleErrors(async () => {
          res = await request(port, { path: `/default/${route}`, headers: { origin: APP } });
        }, `${route} failure`);
        assert.equal(res.status, 500);
        assert.equal(res.headers['access-control-allow-origin'], APP);
        assert.equal(res.headers['access-control-expose-headers'], 'X-Request-Id');
        assert.match(res.headers.vary, /Origin/);
        assert.ok(logged.some((line) => line.includes(`${route} failure`)), 'Express logged the error');

        const refused = await request(port, { path: `/default/${route}`, headers: { origin: EVIL } });
        assert.equal(refused.status, 500);
        assert.equal(refused.headers['access-control-allow-origin'], undefined);
      });

      test(`${route}: an error handler that resets the headers still answers with them`, async () => {
        seen.length = 0;
        const res = await request(port, { path: `/handled/${route}`, headers: { origin: APP } });
        assert.equal(res.status, 500);
        assert.equal(JSON.parse(res.body).error, `${route} failure`);
        assert.equal(res.headers['access-control-allow-origin'], APP);
        assert.equal(res.headers['access-control-allow-credentials'], 'true');
        assert.match(res.headers.vary, /Origin/);
        assert.deepEqual(seen, [`${route} failure`]);

        const refused = await request(port, { path: `/handled/${route}`, headers: { origin: EVIL } });
        assert.equal(refused.status, 500);
        assert.equal(refused.headers['access-control-allow-origin'], undefined);
      });

      test(`${route}: without corsOnErrors the handler's reset wins`, async () => {
        seen.length = 0;
        const res = await request(port, { path: `/without/${route}`, headers: { origin: APP } });
        assert.equal(res.status, 500);
        assert.equal(res.headers['access-control-allow-origin'], undefined);
        assert.deepEqual(seen, [`${route} failure`]);
      });

      test(`${route}: the Policy middleware with corsOnErrors`, async () => {
        seen.length = 0;
        const res = await request(port, { path: `/strict/${route}`, headers: { origin: APP } });
        assert.equal(res.status, 500);
        assert.equal(res.headers['access-control-allow-origin'], APP);
        assert.equal(res.headers['access-control-expose-headers'], 'X-Request-Id');
        assert.deepEqual(seen, [`${route} failure`]);
        const refused = await request(port, { path: `/strict/${route}`, headers: { origin: EVIL } });
        assert.equal(refused.headers['access-control-allow-origin'], undefined);
      });
    }

    test('a successful response is left as the route made it', async () => {
      const res = await request(port, { path: '/default/none', headers: { origin: APP } });
      assert.equal(res.status, 404);
      // A 404 is an error status too: the origin's headers are kept.
      assert.equal(res.headers['access-control-allow-origin'], APP);
    });
  });
}
