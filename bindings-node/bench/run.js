'use strict';

// Benchmark (not a test): cors@2.8.6 against corsguard, in one run.
//   node bench/run.js [--micro] [--http] [--fresh-options] [--quick]
//                     [--json FILE] [--rounds R] [--duration S]
// 1. --micro: both middlewares on the same mock requests, ns per call.
//    Each scenario runs R rounds (11; --quick 5), each round timing cors
//    and corsguard back to back, the order alternating from round to
//    round; the ratio of each round is cors time / corsguard time.
// 2. --http: Express 4 + cors and Express 4 + corsguard on loopback, each
//    server in its own process (both started once), load from autocannon;
//    requests per second, R rounds (at least 15; --quick 1) alternating
//    which server is measured first, S seconds per server and round (2;
//    --quick 1), in 3 interleaved windows (--quick 1) of which the best
//    rate counts; and the server process's CPU time per request over the
//    same windows. Servers and client are kept on separate CPUs (taskset).
// 3. --fresh-options (only with that flag): delegates and origin callbacks
//    returning a fresh but equal options object or origin array on every
//    call, which corsguard answers from its policy cache; ns per call.
// Without --micro, --http or --fresh-options: --micro and --http.
// --json FILE writes every result (the issue-15 bench interface: medians,
// the median per-round ratio and its spread) besides printing the tables.

const { execFileSync, fork, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const args = process.argv.slice(2);
const only = (flag) => args.includes(flag);
function value(flag, fallback) {
  const at = args.indexOf(flag);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
}
const QUICK = only('--quick');
const runFresh = only('--fresh-options');
const runMicro = only('--micro') || (!runFresh && !only('--http'));
const runHttp = only('--http') || (!runFresh && !only('--micro'));
const JSON_FILE = value('--json', null);
const MICRO_ROUNDS = Number(value('--rounds', QUICK ? 5 : 11));
const HTTP_ROUNDS = Math.max(QUICK ? 1 : 15, Number(value('--rounds', 0)));
const DURATION = Number(value('--duration', QUICK ? 1 : 2));
// Wall time one timing of one middleware aims at (the iteration count is
// calibrated per scenario from a warm-up).
const TARGET_NS = (QUICK ? 8 : 120) * 1e6;
const MICRO_AIM = 2.0;
const HTTP_AIM = 1.0;
// Windows per round and server in the HTTP rounds (each DURATION / windows long).
const HTTP_WINDOWS = 3;

process.removeAllListeners('warning');

const results = [];

function median(values) {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A result row of the JSON report; `ratios` per round, >1: corsguard is faster. */
function record(group, scenario, unit, ours, peer, ratios, aim) {
  const row = {
    group,
    scenario,
    unit,
    ours: median(ours),
    peer: median(peer),
    ratio: median(ratios),
    ratio_min: Math.min(...ratios),
    ratio_max: Math.max(...ratios),
    rounds: ratios.length,
    aim,
  };
  results.push(row);
  return row;
}

const LIST_16 = Array.from({ length: 16 }, (_, i) => `https://app-${i}.example.com`);
const LIST_1000 = Array.from({ length: 1000 }, (_, i) => `https://app-${i}.example.com`);
const PREVIEW = /^https:\/\/[a-z0-9-]+\.preview\.example\.com$/;
// Distinct origins for the "new Origin" scenarios: far more than the answer
// memo holds, so that (as under hostile traffic) no call is a memo hit.
const DISTINCT = 65536;

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
    name: 'defaults, GET, a new Origin every call',
    options: undefined,
    method: 'GET',
    headers: { origin: 'https://app.example.com' },
    distinct: true,
  },
  {
    name: 'defaults, preflight, new Origin each',
    options: undefined,
    method: 'OPTIONS',
    headers: { origin: 'https://app.example.com', 'access-control-request-method': 'PUT' },
    distinct: true,
  },
  {
    name: 'fixed origin string, GET',
    options: { origin: 'https://app.example.com' },
    method: 'GET',
    headers: { origin: 'https://app.example.com' },
    distinct: true,
  },
  {
    name: 'origin list + credentials, GET allowed',
    options: { origin: ['https://admin.example.com', 'https://app.example.com'], credentials: true, exposedHeaders: ['X-Total'] },
    method: 'GET',
    headers: { origin: 'https://app.example.com' },
  },
  {
    name: '16-origin list + credentials, GET',
    options: { origin: LIST_16, credentials: true, maxAge: 600 },
    method: 'GET',
    headers: { origin: 'https://app-11.example.com' },
  },
  {
    name: '16-origin list + credentials, preflight',
    options: { origin: LIST_16, credentials: true, maxAge: 600 },
    method: 'OPTIONS',
    headers: {
      origin: 'https://app-11.example.com',
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'content-type,x-request-id',
    },
  },
  {
    name: '1,000-origin list, GET',
    options: { origin: LIST_1000 },
    method: 'GET',
    headers: { origin: 'https://app-777.example.com' },
  },
  {
    name: 'origin list + RegExp, preflight',
    options: {
      origin: ['https://app.example.com', PREVIEW],
      credentials: true,
      allowedHeaders: ['Content-Type', 'Authorization'],
      maxAge: 600,
    },
    method: 'OPTIONS',
    headers: { origin: 'https://pr-42.preview.example.com', 'access-control-request-method': 'PUT' },
  },
  {
    name: 'list + RegExp, GET, new Origin each',
    options: { origin: ['https://app.example.com', PREVIEW], credentials: true },
    method: 'GET',
    headers: { origin: 'https://pr-42.preview.example.com' },
    distinct: true,
  },
  {
    name: 'list + RegExp, preflight, new Origin each',
    options: { origin: ['https://app.example.com', PREVIEW], credentials: true },
    method: 'OPTIONS',
    headers: { origin: 'https://pr-42.preview.example.com', 'access-control-request-method': 'PUT' },
    distinct: true,
  },
  {
    name: 'origin callback, GET',
    options: { origin: (origin, cb) => cb(null, origin === 'https://app.example.com') },
    method: 'GET',
    headers: { origin: 'https://app.example.com' },
  },
];

/**
 * A fresh response per call. Headers are kept in two short arrays (the
 * lowercased names and the [name, value] entries), so that the mock's own
 * cost stays small beside the middlewares'; real Node's setHeader costs
 * more (validation and a dictionary store per call), which the HTTP rounds
 * include. writeHead is Node's own (ServerResponse.prototype.writeHead:
 * status checks, status line), with `_storeHeader` recording instead of
 * serializing; end() goes through it as Node's does, so both middlewares
 * pay for one writeHead per answered preflight.
 */
class MockResponse {
  constructor() {
    this.statusCode = 200;
    this.statusMessage = undefined;
    this.keys = null;
    this.entries = null;
    this._header = null;
    this.head = null;
    this.headersSent = false;
    this.finished = false;
  }

  setHeader(name, value) {
    const key = name.toLowerCase();
    if (this.keys === null) {
      this.keys = [key];
      this.entries = [[name, value]];
      return this;
    }
    const at = this.keys.indexOf(key);
    if (at === -1) {
      this.keys.push(key);
      this.entries.push([name, value]);
    } else {
      this.entries[at] = [name, value];
    }
    return this;
  }

  getHeader(name) {
    if (this.keys === null) return undefined;
    const at = this.keys.indexOf(name.toLowerCase());
    return at === -1 ? undefined : this.entries[at][1];
  }

  getHeaderNames() {
    return this.keys === null ? [] : this.keys.slice();
  }

  _storeHeader(statusLine, headers) {
    this._header = statusLine;
    this.head = headers === undefined ? this.entries : headers;
    this.headersSent = true;
  }

  end() {
    if (this._header === null) this.writeHead(this.statusCode);
    this.finished = true;
  }
}
MockResponse.prototype.writeHead = require('node:http').ServerResponse.prototype.writeHead;

function requestsOf(s) {
  const reqs = [];
  for (let i = 0; i < (s.distinct ? DISTINCT : 1); i++) {
    // A new origin per call: the same host with a numbered label in front,
    // which the list's strings never match and the RegExp does.
    const origin = s.distinct ? s.headers.origin.replace('://', `://n${i}-`) : s.headers.origin;
    reqs.push({ method: s.method, headers: { ...s.headers, origin }, url: '/' });
  }
  return reqs;
}

/**
 * Calls `mw` on `n` requests (cycling through `reqs`) with fresh
 * responses; CPU ns per call. CPU time (the process's, user and system),
 * not wall time: on a shared machine, time spent waiting for a core is
 * not either middleware's.
 */
function time(mw, reqs, n, from) {
  const mask = reqs.length - 1; // a power of two
  const next = () => {};
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) mw(reqs[(from + i) & mask], new MockResponse(), next);
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / n;
}

/**
 * Times `peer` and `ours` on `reqs` for `rounds` alternating rounds;
 * returns per-round times. Every timing starts where the last one of the
 * same middleware stopped in `reqs`, so that a new-Origin scenario never
 * replays origins a middleware saw recently.
 */
function compare(peer, ours, reqs, rounds, warm) {
  const at = { peer: 0, ours: 0 };
  const run = (name, mw, n) => {
    const t = time(mw, reqs, n, at[name]);
    at[name] += n;
    return t;
  };
  const warmPeer = run('peer', peer, warm);
  const warmOurs = run('ours', ours, warm);
  const n = Math.max(2000, Math.min(2000000, Math.round(TARGET_NS / Math.max(warmPeer, warmOurs))));
  const times = { peer: [], ours: [], ratios: [] };
  for (let round = 0; round < rounds; round++) {
    let tp;
    let to;
    if (round % 2 === 0) {
      tp = run('peer', peer, n);
      to = run('ours', ours, n);
    } else {
      to = run('ours', ours, n);
      tp = run('peer', peer, n);
    }
    times.peer.push(tp);
    times.ours.push(to);
    times.ratios.push(tp / to);
  }
  return { ...times, n };
}

function printRow(name, row, digits = 0) {
  console.log(
    name.padEnd(44),
    row.peer.toFixed(digits).padStart(9),
    row.ours.toFixed(digits).padStart(10),
    (row.ratio.toFixed(2) + 'x').padStart(8),
    `${row.ratio_min.toFixed(2)}-${row.ratio_max.toFixed(2)}`.padStart(11)
  );
}

function micro() {
  const cors = require('cors');
  const corsguard = require('..');
  console.log(
    `\nMiddleware calls (mock req/res, ${MICRO_ROUNDS} alternating rounds, CPU ns per call: medians; lower is better)`
  );
  console.log('scenario'.padEnd(44), 'cors'.padStart(9), 'corsguard'.padStart(10), 'ratio'.padStart(8), 'min-max'.padStart(11));
  for (const s of SCENARIOS) {
    const reqs = requestsOf(s);
    const t = compare(cors(s.options), corsguard(s.options), reqs, MICRO_ROUNDS, QUICK ? 10000 : 100000);
    printRow(s.name, record('micro', s.name, 'ns/call', t.ours, t.peer, t.ratios, MICRO_AIM));
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
  const rounds = Math.max(MICRO_ROUNDS, QUICK ? 3 : 9);
  console.log(`\nFresh but equal options on every call (mock req/res, ${rounds} alternating rounds, CPU ns per call: medians; lower is better)`);
  console.log('scenario'.padEnd(44), 'cors'.padStart(9), 'corsguard'.padStart(10), 'ratio'.padStart(8), 'min-max'.padStart(11));
  for (const s of FRESH) {
    const reqs = [{ method: 'GET', headers: { origin: s.origin }, url: '/' }];
    const t = compare(s.make(cors), s.make(corsguard), reqs, rounds, QUICK ? 2000 : 10000);
    printRow(s.name, record('fresh-options', s.name, 'ns/call', t.ours, t.peer, t.ratios, null));
  }
}

// On Linux with at least two CPUs and util-linux's taskset, the HTTP rounds
// keep the servers on the last CPU and the load generator (this process) on
// the others, so that neither is moved onto the other's CPU mid-window;
// both servers are treated alike. Null where that is not available.
const PINNING = (() => {
  const cpus = os.cpus().length;
  if (process.platform !== 'linux' || cpus < 2) return null;
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  return { server: String(cpus - 1), client: `0-${cpus - 2}`, all: `0-${cpus - 1}` };
})();

/** Moves this process to PINNING's `which` CPUs ('client' or 'all'), where PINNING allows. */
function pinSelf(which) {
  if (PINNING !== null) execFileSync('taskset', ['-pc', PINNING[which], String(process.pid)], { stdio: 'ignore' });
}

function startServer(lib) {
  return new Promise((resolve, reject) => {
    const script = path.join(__dirname, 'server.js');
    const stdio = ['ignore', 'inherit', 'inherit', 'ipc'];
    const child =
      PINNING === null
        ? fork(script, [lib], { stdio })
        : spawn('taskset', ['-c', PINNING.server, process.execPath, script, lib], { stdio });
    child.once('message', (port) => resolve({ child, port }));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

/** The CPU time (µs) server `s` has used so far, asked over its IPC channel. */
function serverCpu(s) {
  return new Promise((resolve) => {
    s.child.once('message', (message) => resolve(message.cpu));
    s.child.send('cpu');
  });
}

/**
 * Loads server `s` with `request` for `how`: `{ duration }` (seconds) or
 * `{ amount }` (requests). Returns its requests/s and the server's CPU time
 * per request (µs).
 */
async function load(s, request, how) {
  const autocannon = require('autocannon');
  const before = await serverCpu(s);
  const result = await autocannon({
    url: `http://127.0.0.1:${s.port}${request.path}`,
    method: request.method,
    headers: request.headers,
    connections: 32,
    pipelining: 1,
    ...how,
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${request.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  const cpu = (await serverCpu(s)) - before;
  // Every request over the whole run (autocannon's per-second average
  // leaves out a last partial second).
  return { rate: result.requests.total / result.duration, cpu: cpu / result.requests.total };
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
  const windows = QUICK ? 1 : HTTP_WINDOWS;
  console.log(
    `\nExpress 4 over HTTP (autocannon, 32 connections, ${PINNING === null ? '' : `servers on CPU ${PINNING.server}, the client on ${PINNING.client}, `}${HTTP_ROUNDS} rounds alternating which server goes first, ` +
      `each server's rate in a round its best of ${windows} interleaved windows of ${(DURATION / windows).toFixed(2)} s; ` +
      'requests/s: medians; higher is better; then the server process\'s CPU µs per request over the same windows, lower is better)'
  );
  console.log('request'.padEnd(44), 'cors'.padStart(9), 'corsguard'.padStart(10), 'ratio'.padStart(8), 'min-max'.padStart(11));
  const servers = {};
  const cpuRows = [];
  pinSelf('client');
  try {
    servers.peer = await startServer('cors');
    servers.ours = await startServer('corsguard');
    for (const r of requests) {
      // Warm both (JIT, connections) before the rounds count.
      await load(servers.peer, r, { amount: QUICK ? 1000 : 5000 });
      await load(servers.ours, r, { amount: QUICK ? 1000 : 5000 });
      const rates = { peer: [], ours: [], ratios: [] };
      const cpu = { peer: [], ours: [], ratios: [] };
      for (let round = 0; round < HTTP_ROUNDS; round++) {
        const order = round % 2 === 0 ? ['peer', 'ours'] : ['ours', 'peer'];
        const best = { peer: 0, ours: 0 };
        const spent = { peer: 0, ours: 0 };
        // Noise (the client, other work) only ever lowers a window's rate,
        // so the best window of a round is the least disturbed one.
        for (let w = 0; w < windows; w++) {
          for (const lib of order) {
            const got = await load(servers[lib], r, { duration: DURATION / windows });
            best[lib] = Math.max(best[lib], got.rate);
            spent[lib] += got.cpu / windows;
          }
        }
        rates.peer.push(best.peer);
        rates.ours.push(best.ours);
        rates.ratios.push(best.ours / best.peer);
        cpu.peer.push(spent.peer);
        cpu.ours.push(spent.ours);
        cpu.ratios.push(spent.peer / spent.ours);
      }
      printRow(r.name, record('http', r.name, 'req/s', rates.ours, rates.peer, rates.ratios, HTTP_AIM));
      cpuRows.push([r.name, cpu]);
    }
    for (const [name, cpu] of cpuRows) {
      printRow(`${name}, server CPU`, record('http-cpu', name, 'µs/req', cpu.ours, cpu.peer, cpu.ratios, null), 1);
    }
  } finally {
    pinSelf('all');
    for (const s of Object.values(servers)) {
      s.child.removeAllListeners('exit');
      s.child.kill();
    }
  }
}

function writeJson(file) {
  const report = {
    suite: 'node',
    peer: `cors ${require('cors/package.json').version}`,
    machine: `${os.machine()}, ${os.cpus().length} cores, node ${process.version}`,
    results,
  };
  fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  console.log(`\nwrote ${file}`);
}

(async () => {
  console.log(`node ${process.version}, ${os.cpus().length} CPUs${QUICK ? ', --quick' : ''}`);
  if (runFresh) fresh();
  if (runMicro) micro();
  if (runHttp) await httpBench();
  if (JSON_FILE !== null) writeJson(JSON_FILE);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
