'use strict';

// Benchmark (not a test): cors@2.8.6 against corsguard.
//   node bench/run.js [--micro] [--http] [--fresh-options] [--duration 5]
// 1. Middleware-call microbenchmark: both middlewares on the same mock
//    requests, many iterations, ns per call.
// 2. HTTP: Express 4 + cors vs Express 4 + corsguard on loopback, each
//    server in its own process, load from autocannon; requests per second.
// 3. --fresh-options (only that): delegates and origin callbacks that
//    return a fresh but equal options object or origin array on every
//    call, which corsguard answers from its policy cache; ns per call.

const { fork } = require('node:child_process');
const path = require('node:path');

const args = process.argv.slice(2);
const only = (flag) => args.includes(flag);
const runFresh = only('--fresh-options');
const runMicro = !runFresh && (only('--micro') || !only('--http'));
const runHttp = !runFresh && (only('--http') || !only('--micro'));
const durationArg = args.indexOf('--duration');
const DURATION = durationArg >= 0 ? Number(args[durationArg + 1]) : 5;

process.removeAllListeners('warning');

const SCENARIOS = [
  {
    name: 'defaults, GET with Origin',
    options: undefined,
    method: 'GET',
    headers: { origin: 'https://app.example.com' },
  },
  {
    name: 'defaults, preflight',
    options: undefined,
    method: 'OPTIONS',
    headers: {
      origin: 'https://app.example.com',
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'content-type, x-request-id',
    },
  },
  {
    name: 'origin list + credentials, GET allowed',
    options: { origin: ['https://admin.example.com', 'https://app.example.com'], credentials: true, exposedHeaders: ['X-Total'] },
    method: 'GET',
    headers: { origin: 'https://app.example.com' },
  },
  {
    name: 'origin list + RegExp, preflight',
    options: {
      origin: ['https://app.example.com', /^https:\/\/[a-z0-9-]+\.preview\.example\.com$/],
      credentials: true,
      allowedHeaders: ['Content-Type', 'Authorization'],
      maxAge: 600,
    },
    method: 'OPTIONS',
    headers: { origin: 'https://pr-42.preview.example.com', 'access-control-request-method': 'PUT' },
  },
  {
    // 8192 distinct origins, twice the answer memo's size: nearly every call
    // misses the memo and crosses into Rust, as under hostile traffic.
    name: 'defaults, GET, a new Origin every call',
    options: undefined,
    method: 'GET',
    headers: { origin: 'https://app.example.com' },
    distinctOrigins: 8192,
  },
  {
    name: 'list + RegExp, preflight, new Origin each',
    options: {
      origin: ['https://app.example.com', /^https:\/\/[a-z0-9-]+\.preview\.example\.com$/],
      credentials: true,
    },
    method: 'OPTIONS',
    headers: { origin: 'https://pr-42.preview.example.com', 'access-control-request-method': 'PUT' },
    distinctOrigins: 8192,
  },
  {
    name: 'origin callback, GET',
    options: { origin: (origin, cb) => cb(null, origin === 'https://app.example.com') },
    method: 'GET',
    headers: { origin: 'https://app.example.com' },
  },
];

function timer() {
  const res = {
    statusCode: 200,
    headers: Object.create(null),
    setHeader(name, value) {
      this.headers[name.toLowerCase()] = value;
    },
    getHeader(name) {
      return this.headers[name.toLowerCase()];
    },
    end() {},
  };
  const next = () => {};
  return (mw, reqs, N) => {
    const mask = reqs.length - 1; // a power of two
    for (let i = 0; i < 20000; i++) {
      res.headers = Object.create(null);
      mw(reqs[i & mask], res, next);
    }
    const start = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      res.headers = Object.create(null);
      mw(reqs[i & mask], res, next);
    }
    return Number(process.hrtime.bigint() - start) / N;
  };
}

function micro() {
  const cors = require('cors');
  const corsguard = require('..');
  const N = 400000;
  const timed = timer();
  const time = (mw, reqs) => timed(mw, reqs, N);
  console.log(`\nMiddleware calls (mock req/res, ${N} iterations, ns per call; lower is better)`);
  console.log('scenario'.padEnd(42), 'cors'.padStart(8), 'corsguard'.padStart(10), 'speed-up'.padStart(9));
  for (const s of SCENARIOS) {
    const reqs = [];
    for (let i = 0; i < (s.distinctOrigins || 1); i++) {
      const origin = s.distinctOrigins ? s.headers.origin.replace('://', `://n${i}-`) : s.headers.origin;
      reqs.push({ method: s.method, headers: { ...s.headers, origin }, url: '/' });
    }
    const a = cors(s.options);
    const b = corsguard(s.options);
    // Alternate to spread noise; keep the best of three for each.
    let ta = Infinity;
    let tb = Infinity;
    for (let round = 0; round < 3; round++) {
      ta = Math.min(ta, time(a, reqs));
      tb = Math.min(tb, time(b, reqs));
    }
    console.log(s.name.padEnd(42), ta.toFixed(0).padStart(8), tb.toFixed(0).padStart(10), (ta / tb).toFixed(2).padStart(8) + 'x');
  }
}

const ORIGINS_300 = Array.from({ length: 300 }, (_, i) => `https://app-${i}.example.com`);
const FRESH = [
  {
    name: 'delegate, fresh { origin: [300], credentials }',
    make: (lib) => lib((req, cb) => cb(null, { origin: ORIGINS_300.slice(), credentials: true })),
    origin: 'https://app-150.example.com',
  },
  {
    name: 'delegate, fresh { origin: [2], credentials }',
    make: (lib) => lib((req, cb) => cb(null, { origin: ['https://admin.example.com', 'https://app.example.com'], credentials: true })),
    origin: 'https://app.example.com',
  },
  {
    name: 'delegate, fresh { origin: [300 + RegExp] }',
    make: (lib) => lib((req, cb) => cb(null, { origin: [...ORIGINS_300, /^https:\/\/pr-\d+\.preview\.example\.com$/] })),
    origin: 'https://pr-7.preview.example.com',
  },
  {
    name: 'origin callback, fresh [300] array',
    make: (lib) => lib({ origin: (origin, cb) => cb(null, ORIGINS_300.slice()), credentials: true }),
    origin: 'https://app-299.example.com',
  },
];

function fresh() {
  const cors = require('cors');
  const corsguard = require('..');
  const N = 50000;
  const ROUNDS = 9;
  const time = timer();
  console.log(
    `\nFresh but equal options on every call (mock req/res, best of ${ROUNDS} alternating rounds of ${N} calls, ns per call; lower is better)`
  );
  console.log('scenario'.padEnd(44), 'cors'.padStart(8), 'corsguard'.padStart(10), 'corsguard/cors'.padStart(15));
  for (const s of FRESH) {
    const reqs = [{ method: 'GET', headers: { origin: s.origin }, url: '/' }];
    const a = s.make(cors);
    const b = s.make(corsguard);
    let ta = Infinity;
    let tb = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      ta = Math.min(ta, time(a, reqs, N));
      tb = Math.min(tb, time(b, reqs, N));
    }
    console.log(s.name.padEnd(44), ta.toFixed(0).padStart(8), tb.toFixed(0).padStart(10), (tb / ta).toFixed(2).padStart(14) + 'x');
  }
}

function startServer(lib) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'server.js'), [lib], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (port) => resolve({ child, port }));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

async function load(port, request) {
  const autocannon = require('autocannon');
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${request.path}`,
    method: request.method,
    headers: request.headers,
    connections: 32,
    pipelining: 1,
    duration: DURATION,
  });
  return result.requests.average;
}

async function httpBench() {
  const requests = [
    { name: 'GET /list with an allowed Origin', path: '/list', method: 'GET', headers: { origin: 'https://app.example.com' } },
    {
      name: 'preflight OPTIONS /list',
      path: '/list',
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'PUT' },
    },
    { name: 'GET /open (defaults)', path: '/open', method: 'GET', headers: { origin: 'https://app.example.com' } },
  ];
  console.log(`\nExpress 4 over HTTP (autocannon, 32 connections, ${DURATION}s each, best of 3 alternating rounds, requests/s; higher is better)`);
  console.log('request'.padEnd(42), 'cors'.padStart(9), 'corsguard'.padStart(10), 'ratio'.padStart(7));
  for (const r of requests) {
    const rates = { cors: 0, corsguard: 0 };
    // Alternating rounds; the best round of each counts, so that load from
    // other processes on the machine penalizes neither side.
    for (const lib of ['cors', 'corsguard', 'corsguard', 'cors', 'cors', 'corsguard']) {
      const { child, port } = await startServer(lib);
      try {
        rates[lib] = Math.max(rates[lib], await load(port, r));
      } finally {
        child.removeAllListeners('exit');
        child.kill();
      }
    }
    console.log(
      r.name.padEnd(42),
      rates.cors.toFixed(0).padStart(9),
      rates.corsguard.toFixed(0).padStart(10),
      (rates.corsguard / rates.cors).toFixed(2).padStart(6) + 'x'
    );
  }
}

(async () => {
  console.log(`node ${process.version}, ${require('node:os').cpus().length} CPUs`);
  if (runFresh) fresh();
  if (runMicro) micro();
  if (runHttp) await httpBench();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
