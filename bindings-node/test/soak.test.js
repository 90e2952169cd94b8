'use strict';

// Soak: hostile traffic over real HTTP must not grow the server's memory.
// 100,000 requests (CORSGUARD_SOAK_REQUESTS), none repeating an Origin
// (8 KB, half of them uppercase, so malformed) or an Access-Control-Request-Headers
// (7 KB), spread over five Express 4 routes: (a) an origin callback that
// reflects with credentials, (b) a delegate echoing the request's origin,
// (c) a list plus a RegExp, (d) the defaults, (e) a strict Policy of a
// document with routes, on request paths that never repeat either (the
// peer serves (e) with its defaults). Three requests in four are
// preflights. The server runs in a child process (`--expose-gc`), so its
// heap is measured alone: after a warm-up and after the load, each after
// forced GC. corsguard's retained heap must stay within 16 MiB of the
// start, its RSS within 64 MiB, and each warning code must be printed at
// most once. The same load runs through the real cors@2.8.6, whose figures
// are printed beside ours (not asserted).
//
// 8 KB + 7 KB of request headers fit Node's default limit (16 KiB), but the
// answer reflects both values, so the client's limit for response headers
// is raised (`maxHeaderSize`, also set on the server to keep the two equal).

const path = require('node:path');
const http = require('node:http');

const MAX_HEADER_SIZE = 64 * 1024;
const ORIGIN_BYTES = 8 * 1024;
const REQUEST_HEADERS_BYTES = 7 * 1024;
const ROUTES = ['a', 'b', 'c', 'd', 'e'];
const MiB = 1024 * 1024;

/** The i-th hostile request: an Origin and an ACRH never seen before. */
function hostile(i) {
  const id = i.toString(36);
  // Every other round of routes uppercase (malformed, so warned about),
  // the others valid: both kinds are checked, neither may pile up.
  const letter = Math.floor(i / ROUTES.length) % 2 ? 'x' : 'X';
  const origin = `https://${id}-${letter.repeat(ORIGIN_BYTES - id.length - 22)}.soak.example`;
  const prefix = `x-${id}-`;
  const requestHeaders = prefix + 'y'.repeat(REQUEST_HEADERS_BYTES - prefix.length);
  const route = ROUTES[i % ROUTES.length];
  const preflight = Math.floor(i / ROUTES.length) % 4 !== 3;
  const headers = { origin, 'access-control-request-headers': requestHeaders };
  if (preflight) headers['access-control-request-method'] = 'PUT';
  // Route (e) routes on the whole request target: a new one each time.
  const target = route === 'e' ? `/e/items/${id}?q=${id}` : '/' + route;
  return { method: preflight ? 'OPTIONS' : 'GET', path: target, route, headers, origin };
}

// ---------------------------------------------------------------------------
// The server (child process)
// ---------------------------------------------------------------------------

function serve(lib) {
  const express = require('express4');
  const cors = lib === 'cors' ? require('cors') : require('..');
  const warnings = new Map();
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    const code = w.code || w.name;
    const seen = warnings.get(code) || 0;
    warnings.set(code, seen + 1);
    // What the default handler would print, once per code.
    if (seen === 0) process.stderr.write(`  [server warning] ${code}: ${String(w.message).slice(0, 160)}\n`);
  });

  const app = express();
  const ok = (req, res) => res.end('ok');
  app.use('/a', cors({ origin: (origin, cb) => cb(null, origin), credentials: true }), ok);
  app.use('/b', cors((req, cb) => cb(null, { origin: req.headers.origin, credentials: true })), ok);
  app.use('/c', cors({ origin: ['https://app.example.com', /^https:\/\/[0-9a-z]+-x+\.soak\.example$/i], credentials: true }), ok);
  app.use('/d', cors(), ok);
  // A document with routes: its `open` policy serves /e/**, `admin` /admin/**.
  const routed =
    lib === 'cors'
      ? cors()
      : require('..')
          .Policy.fromJSON({
            version: 1,
            allowMethods: ['PUT'],
            policies: {
              open: { allowOrigins: ['*'], allowHeaders: ['*'] },
              admin: { allowOrigins: ['https://admin.soak.example'], allowCredentials: true },
            },
            routes: [
              { path: '/admin/**', policy: 'admin' },
              { path: '/e/**', policy: 'open' },
            ],
          })
          .middleware();
  app.use('/e', routed, ok);
  const server = http.createServer({ maxHeaderSize: MAX_HEADER_SIZE }, app);
  server.keepAliveTimeout = 30000;

  const settle = () => new Promise((resolve) => setImmediate(resolve));
  process.on('message', async (message) => {
    if (message === 'measure') {
      for (let i = 0; i < 4; i++) {
        global.gc();
        await settle();
      }
      const usage = process.memoryUsage();
      process.send({ heap: usage.heapUsed, rss: usage.rss, warnings: Object.fromEntries(warnings) });
    } else if (message === 'exit') {
      server.close();
      process.exit(0);
    }
  });
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
}

// ---------------------------------------------------------------------------
// The load (test process)
// ---------------------------------------------------------------------------

function startServer(lib) {
  const { fork } = require('node:child_process');
  const env = Object.assign({}, process.env);
  delete env.NODE_TEST_CONTEXT;
  const child = fork(__filename, ['--soak-server', lib], {
    execArgv: ['--expose-gc'],
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const reply = () =>
    new Promise((resolve, reject) => {
      const onExit = (code) => reject(new Error(`soak server exited with ${code}`));
      child.once('exit', onExit);
      child.once('message', (m) => {
        child.removeListener('exit', onExit);
        resolve(m);
      });
    });
  const ask = (message) => {
    const answer = reply();
    child.send(message);
    return answer;
  };
  return reply().then(({ port }) => ({ child, port, ask }));
}

function send(agent, port, r) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: r.method, path: r.path, headers: r.headers, agent, maxHeaderSize: MAX_HEADER_SIZE },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res));
        res.on('error', reject);
      }
    );
    req.setTimeout(10000, () => req.destroy(new Error('soak request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Sends requests `from` .. `to - 1`, `concurrency` at a time; checks each answer. */
async function drive(port, from, to, concurrency) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let nextIndex = from;
  const problems = [];
  const worker = async () => {
    while (nextIndex < to && problems.length === 0) {
      const r = hostile(nextIndex++);
      const res = await send(agent, port, r);
      const expected = r.method === 'OPTIONS' ? 204 : 200;
      const allowOrigin = res.headers['access-control-allow-origin'];
      const reflects = r.route === 'a' || r.route === 'b' || r.route === 'c';
      if (res.statusCode !== expected) problems.push(`${r.method} ${r.path}: status ${res.statusCode}`);
      else if (reflects ? allowOrigin !== r.origin : allowOrigin !== '*') {
        problems.push(`${r.method} ${r.path}: Access-Control-Allow-Origin is not the expected value`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  if (problems.length) throw new Error(problems[0]);
}

async function soak(lib, requests) {
  const started = Date.now();
  const { child, ask, port } = await startServer(lib);
  try {
    const warmup = 2000;
    await drive(port, 0, warmup, 8);
    const before = await ask('measure');
    const loadStart = Date.now();
    await drive(port, warmup, warmup + requests, 8);
    const seconds = (Date.now() - loadStart) / 1000;
    const after = await ask('measure');
    return {
      lib,
      heap: (after.heap - before.heap) / MiB,
      rss: (after.rss - before.rss) / MiB,
      warnings: after.warnings,
      seconds,
      total: (Date.now() - started) / 1000,
    };
  } finally {
    child.send('exit');
  }
}

function format(r) {
  const codes = Object.entries(r.warnings);
  const warned = codes.length ? codes.map(([c, n]) => `${c}×${n}`).join(' ') : 'none';
  return (
    `${r.lib.padEnd(9)} heap ${r.heap.toFixed(1).padStart(7)} MiB  rss ${r.rss.toFixed(1).padStart(7)} MiB  ` +
    `load ${r.seconds.toFixed(1)} s (${r.total.toFixed(1)} s in all)  warnings: ${warned}`
  );
}

if (process.argv[2] === '--soak-server') {
  serve(process.argv[3]);
} else {
  const { test } = require('node:test');
  const assert = require('node:assert/strict');
  const REQUESTS = Number(process.env.CORSGUARD_SOAK_REQUESTS || 100000);

  test(`soak: ${REQUESTS} hostile requests over HTTP keep the server's memory bounded`, { timeout: 240000 }, async () => {
    const ours = await soak('corsguard', REQUESTS);
    const peer = await soak('cors', REQUESTS);
    const lines = ['retained after forced GC, end minus start (server process):', format(ours), format(peer)];
    console.log(lines.join('\n'));
    for (const [code, count] of Object.entries(ours.warnings)) {
      assert.ok(count <= 1, `warning ${code} was emitted ${count} times`);
    }
    assert.ok(ours.heap <= 16, `corsguard retained ${ours.heap.toFixed(1)} MiB of JS heap (limit 16 MiB)`);
    assert.ok(ours.rss <= 64, `corsguard grew RSS by ${ours.rss.toFixed(1)} MiB (limit 64 MiB)`);
  });
}

module.exports = { hostile };
