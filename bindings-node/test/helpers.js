'use strict';

// Shared test helpers: a seeded random source, mock req/res objects that
// record everything a middleware does, and a bounded HTTP client.

const http = require('node:http');

/** mulberry32: a small seeded PRNG, so every run generates the same cases. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.pick = (list) => list[Math.floor(next() * list.length)];
  next.chance = (p) => next() < p;
  return next;
}

/**
 * A request and a response that record, in order, every setHeader call,
 * the status at end(), the body, and next()'s arguments.
 */
function mock(method, headers, initialVary) {
  const log = [];
  const store = new Map();
  if (initialVary !== undefined) store.set('vary', initialVary);
  const res = {
    statusCode: 200,
    setHeader(name, value) {
      log.push(['setHeader', name, value]);
      store.set(String(name).toLowerCase(), value);
      return this;
    },
    getHeader(name) {
      return store.get(String(name).toLowerCase());
    },
    removeHeader(name) {
      store.delete(String(name).toLowerCase());
    },
    end(body) {
      log.push(['end', this.statusCode, body === undefined ? null : String(body)]);
    },
  };
  const req = { method, headers, url: '/' };
  const next = (...args) => {
    log.push(['next', ...args.map((a) => (a instanceof Error ? `Error: ${a.message}` : a))]);
  };
  return { req, res, next, log };
}

/** One HTTP request on loopback; resolves with status, raw headers and body. */
function request(port, { method = 'GET', path = '/', headers = {} } = {}, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          rawHeaders: res.rawHeaders,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('latin1'),
        })
      );
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`request timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Starts `server` on an ephemeral loopback port. */
function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

function close(server) {
  return new Promise((resolve) => {
    if (server.closeAllConnections) server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Silences corsguard's construction warnings in tests that expect them. */
function quietWarnings() {
  process.removeAllListeners('warning');
}

module.exports = { rng, mock, request, listen, close, quietWarnings };
