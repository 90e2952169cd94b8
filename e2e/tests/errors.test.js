'use strict';

// CORS on error responses, in Chromium: a page on http://127.0.0.1:P fetches
// GET /api/fail from an API on another port whose handler throws (axum's
// handler panics, on /api/panic),
// in each framework corsguard serves, with the framework's option for CORS on
// errors (fixtures/errors). With it the page reads status 500 and the body;
// the exception still reaches the server's own logging (its stderr). Two
// controls without the option, where the framework's error answer loses the
// headers (Starlette's ServerErrorMiddleware sits outside the middleware; an
// Express error handler that resets the response), show the page blocked.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { describe, it, before, after } = require('node:test');
const h = require('../lib/harness');
const { startChild, demoPython } = require('../fixtures/servers');

const ERRORS = path.join(__dirname, '..', 'fixtures', 'errors');
const TARGET = process.env.CARGO_TARGET_DIR || path.join(h.ROOT, 'target');
const AXUM = path.join(TARGET, 'debug', 'examples', 'errors');

/** name -> how to start it, what the page should see, and what its log must say. */
const SERVERS = [
  { name: 'express', node: ['on'], expect: 'readable', body: 'Internal Server Error', log: 'boom from express' },
  { name: 'express (without corsOnErrors)', node: ['off'], expect: 'blocked', log: 'boom from express' },
  { name: 'axum (a panic)', axum: true, path: '/api/panic', expect: 'readable', body: 'Internal Server Error', log: 'boom from axum' },
  { name: 'fastapi', python: 'fastapi', expect: 'readable', body: 'Internal Server Error', log: 'boom from fastapi' },
  { name: 'fastapi (without cors_on_errors)', python: 'fastapi-off', expect: 'blocked', log: 'boom from fastapi' },
  { name: 'wsgi', python: 'wsgi', expect: 'readable', body: 'Internal Server Error', log: 'boom from wsgi' },
  { name: 'flask', python: 'flask', expect: 'readable', body: 'Internal Server Error', log: 'boom from flask' },
  { name: 'django', python: 'django', expect: 'readable', body: 'Server Error (500)', log: 'boom from django' },
];

function start(server, port, origin) {
  const options = { port, onSpawn: h.noteChild, timeout: 30000 };
  if (server.node) {
    return startChild(server.name, process.execPath, [path.join(ERRORS, 'express.js'), String(port), origin, ...server.node], options);
  }
  if (server.axum) {
    if (!fs.existsSync(AXUM)) {
      return Promise.reject(new Error(`${AXUM} is missing; build it: cargo build -p corsguard-tower --example errors`));
    }
    // `/` is not routed there: any answer means it listens.
    return startChild(server.name, AXUM, [], { ...options, anyStatus: true, env: { PORT: String(port), ORIGIN: origin, RUST_BACKTRACE: '0' } });
  }
  const python = demoPython();
  return startChild(server.name, python, [path.join(ERRORS, 'app.py'), server.python, String(port), origin], options);
}

describe('CORS on error responses: the page reads the 500', { timeout: 180000 }, () => {
  let page;
  let browser;
  let tab;
  const apis = new Map();

  before(async () => {
    const [pagePort, ...ports] = await h.freePorts(1 + SERVERS.length);
    page = await h.startStaticPage(pagePort, 'http://127.0.0.1:9');
    const started = await Promise.allSettled(
      SERVERS.map((server, i) => start(server, ports[i], page.origin).then((api) => apis.set(server.name, api)))
    );
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    browser = await h.launchBrowser();
    tab = await browser.context.newPage();
    await tab.goto(`${page.origin}/?autorun=0`);
  });

  after(async () => {
    if (browser) await browser.close();
    await Promise.all([...apis.values()].map((api) => api.close()));
    if (page) await page.close();
  });

  for (const server of SERVERS) {
    it(`${server.name}: ${server.expect === 'readable' ? 'status 500 and its body are readable' : 'the 500 is blocked'}`, async () => {
      const api = apis.get(server.name);
      const seen = await tab.evaluate(async (url) => {
        try {
          const res = await fetch(url, { cache: 'no-store' });
          return { ok: true, status: res.status, body: await res.text() };
        } catch (err) {
          return { ok: false, error: `${err.name}: ${err.message}` };
        }
      }, `${api.url}${server.path || '/api/fail'}`);
      if (server.expect === 'readable') {
        assert.equal(seen.ok, true, `${server.name}: the page could not read the answer (${seen.error})`);
        assert.equal(seen.status, 500);
        assert.ok(seen.body.includes(server.body), `${server.name}: body ${JSON.stringify(seen.body)}`);
      } else {
        assert.deepEqual(seen, { ok: false, error: 'TypeError: Failed to fetch' });
      }
      // The exception still reached the framework's own error logging.
      const deadline = Date.now() + 5000;
      while (!api.output().includes(server.log) && Date.now() < deadline) await h.sleep(100);
      assert.ok(api.output().includes(server.log), `${server.name} logged the error:\n${api.output()}`);
    });
  }
});
