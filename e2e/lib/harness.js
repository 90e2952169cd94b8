'use strict';

// What the browser tests stand on: free ports, the demo servers as child
// processes (each in its own process group, always killed), a second origin
// serving the page, plain HTTP to read a server's decision log, and
// Chromium with a fresh profile. Every wait here has a deadline.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const ROOT = path.resolve(__dirname, '..', '..');
const DEMO = path.join(ROOT, 'examples', 'demo');
const ARTIFACTS = path.join(__dirname, '..', 'artifacts');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or `fallback` after `ms` (the timer never outlives the race). */
function within(promise, ms, fallback = null) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A port nobody listens on now (the kernel's choice). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Whether nobody listens on 127.0.0.1:port now. */
function portIsFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function freePorts(n) {
  const ports = new Set();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/**
 * One HTTP request outside the browser (no CORS involved), on a fresh
 * connection: { status, headers, body }. Rejects after `timeout` ms.
 */
function request(method, url, { headers = {}, body, timeout = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false, timeout }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') })
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer within ${timeout} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Every child process started here, killed on exit whatever happens. */
const children = new Set();
process.on('exit', () => {
  for (const child of children) killGroup(child, 'SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

/**
 * Also noted in $E2E_PIDS_DIR (e2e/test.sh sets it), so that the script can
 * kill the servers' process groups even if this process is killed outright.
 */
function note(child) {
  children.add(child);
  if (process.env.E2E_PIDS_DIR) {
    try {
      fs.writeFileSync(path.join(process.env.E2E_PIDS_DIR, String(child.pid)), '');
    } catch {
      // the in-process cleanup still applies
    }
  }
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Starts one demo server (examples/demo/serve.sh RUNTIME, built beforehand
 * by examples/demo/build.sh) with the given ports and policy file, and
 * waits until both ports answer.
 */
async function startServer(runtime, { pagePort, apiPort, policy, altPagePort = 0, timeout = 30000 }) {
  const env = {
    ...process.env,
    DEMO_PAGE_PORT: String(pagePort),
    DEMO_ALT_PAGE_PORT: String(altPagePort), // the page's second port; 0: none
    DEMO_API_PORT: String(apiPort),
    DEMO_POLICY: policy,
  };
  const child = spawn(path.join(DEMO, 'serve.sh'), [runtime], {
    cwd: ROOT,
    env,
    detached: true, // its own process group: killed with everything it starts
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  note(child);
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-20000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exit = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      children.delete(child);
      resolve(exited);
    })
  );
  const server = {
    runtime,
    pagePort,
    apiPort,
    api: `http://localhost:${apiPort}`,
    page: `http://localhost:${pagePort}`,
    output: () => output,
    async stop() {
      if (exited) return exited;
      killGroup(child, 'SIGTERM');
      const done = await within(exit, 5000);
      if (done) return done;
      killGroup(child, 'SIGKILL');
      return within(exit, 5000);
    },
  };
  const deadline = Date.now() + timeout;
  for (const url of [`http://127.0.0.1:${apiPort}/api/hello`, `http://127.0.0.1:${pagePort}/`]) {
    for (;;) {
      if (exited) {
        throw new Error(`${runtime} server exited (${JSON.stringify(exited)}) before listening:\n${output}`);
      }
      const res = await request('GET', url, { timeout: 2000 }).catch(() => null);
      if (res && res.status === 200) break;
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`${runtime} server: ${url} did not answer within ${timeout} ms:\n${output}`);
      }
      await sleep(100);
    }
  }
  return server;
}

/**
 * Runs a server that is expected to refuse to start: resolves with its exit
 * status and output, or kills it after `timeout` ms.
 */
async function runToExit(runtime, { pagePort, apiPort, policy, timeout = 15000 }) {
  const child = spawn(path.join(DEMO, 'serve.sh'), [runtime], {
    cwd: ROOT,
    env: { ...process.env, DEMO_PAGE_PORT: String(pagePort), DEMO_API_PORT: String(apiPort), DEMO_POLICY: policy },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  note(child);
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const result = await within(exit, timeout);
  if (result === null) {
    killGroup(child, 'SIGKILL');
    await within(exit, 5000);
  }
  children.delete(child);
  return { exit: result, output };
}

/**
 * A second origin for the page: http://127.0.0.1:PORT serves the demo page
 * (pointed at `api`), an origin the demo policy does not list.
 */
function startStaticPage(port, api) {
  const html = fs
    .readFileSync(path.join(DEMO, 'index.html'), 'utf8')
    .replaceAll('http://localhost:8080', api);
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/' || req.url.startsWith('/?'))) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(html);
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  });
  server.keepAliveTimeout = 75000;
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve({
        origin: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      })
    );
  });
}

/**
 * The demo policy with the page port of this run in place of 3000, written
 * to `dir`: the same policy, for the origins this run serves the page from.
 */
function policyForPort(dir, pagePort, name = 'policy.json') {
  const text = fs.readFileSync(path.join(DEMO, 'policy.json'), 'utf8');
  const config = JSON.parse(text);
  config.allowOrigins = config.allowOrigins.map((o) => o.replace(/:3000$/, `:${pagePort}`));
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return { file, config };
}

/** Chromium with a fresh, empty profile; `close()` removes the profile. */
async function launchBrowser() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'corsguard-e2e-profile-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
      timeout: 60000,
    });
  } catch (err) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  context.setDefaultTimeout(20000);
  context.setDefaultNavigationTimeout(20000);
  return {
    context,
    async close() {
      await within(context.close().catch(() => {}), 15000);
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

module.exports = {
  ROOT,
  DEMO,
  ARTIFACTS,
  freePorts,
  portIsFree,
  request,
  sleep,
  startServer,
  runToExit,
  startStaticPage,
  policyForPort,
  launchBrowser,
  noteChild: note,
};
