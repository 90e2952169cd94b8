'use strict';

// The corsguard demo API on Express, protected by the corsguard Node addon.
//
//   node examples/node-server/server.js
//
// Serves the demo page (examples/demo/index.html) on http://localhost:3000
// and the API on http://localhost:8080. The page's port also serves what its
// playground loads: /corsguard-explain.wasm (the explainer, built by
// examples/demo/build.sh) and /policy.json (the policy file's bytes); a
// second page port (3001) serves the same, so that http://localhost:3001 is
// another origin for the playground to send requests from.
//
// The API goes through the addon's strict native `Policy`, loaded with
// `Policy.fromJSON` from the shared policy document (examples/demo/policy.json,
// the version-1 policy document every corsguard runtime reads), so the Python,
// C and Rust servers answer the same way. `policy.middleware()` writes the
// CORS answer; the decision log shows `policy.evaluate()` of the
// same request (a pure function of its headers and, for a document with
// routes, its path: the very decision the middleware applied), with
// corsguard's reason when it refused.
//
// Environment: DEMO_PAGE_PORT (3000), DEMO_ALT_PAGE_PORT (the page port + 1;
// 0: none), DEMO_API_PORT (8080), DEMO_POLICY (the policy file), DEMO_PAGE
// (the page), DEMO_WASM (target/demo/corsguard-explain.wasm), DEMO_HOST
// (127.0.0.1), CORSGUARD_NODE (where the addon is; bindings-node by default).

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const express = require('express');

// In an application: require('corsguard'), after `npm install ./bindings-node`.
const { Policy } = require(process.env.CORSGUARD_NODE || path.join(__dirname, '..', '..', 'bindings-node'));

const DEMO = path.join(__dirname, '..', 'demo');
const RUNTIME = { runtime: 'node', server: 'Express + the corsguard Node addon' };
const LOG_LIMIT = 200;

/** The policy document in `file`, loaded by the core (every problem is thrown at once). */
function loadPolicy(file) {
  return Policy.fromJSON(fs.readFileSync(file, 'utf8'));
}

/** The decisions corsguard made, tagged with the case the page is running. */
class DecisionLog {
  constructor() {
    this.case = '';
    this.entries = [];
  }

  /** `d` is null when the document has routes and none serves `path` (no CORS headers). */
  record(method, path, d) {
    if (this.entries.length >= LOG_LIMIT) return;
    this.entries.push({
      case: this.case,
      method,
      path,
      outcome: d === null ? 'unserved' : d.outcome,
      reason: d === null ? 'no policy serves this path, so no CORS headers are sent' : d.message,
      headers: d === null ? [] : d.headers.map(([name, value]) => `${name}: ${value}`),
    });
  }
}

/** One header's value as a string (repeated lines joined, as Node does). */
function headerValue(value) {
  return Array.isArray(value) ? value.join(',') : value;
}

function apiApp(policy, log) {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  // The log: what the policy decides for this request.
  app.use((req, res, next) => {
    if (!(req.path === '/api/decisions' || req.path.startsWith('/api/case/'))) {
      const d = policy.evaluate({
        method: req.method,
        origin: headerValue(req.headers.origin),
        requestMethod: headerValue(req.headers['access-control-request-method']),
        requestHeaders: headerValue(req.headers['access-control-request-headers']),
        requestPrivateNetwork: headerValue(req.headers['access-control-request-private-network']),
        // The policy serving this path, for a document with routes (the middleware routes the same way).
        path: req.originalUrl,
      });
      log.record(req.method, req.path, d);
    }
    next();
  });
  // CORS: answers preflights, adds the headers to every other response.
  app.use(policy.middleware());

  app.get('/api/hello', (req, res) => res.json({ message: 'hello from the API', ...RUNTIME }));
  app.post('/api/items', (req, res) => res.status(201).json({ created: 'teapot' }));
  app.delete('/api/items/:id', (req, res) => res.json({ deleted: true }));
  app.post('/api/login', (req, res) => {
    res.setHeader('Set-Cookie', 'demo_session=s3cr3t; Path=/; SameSite=Lax; HttpOnly');
    res.json({ logged_in: true });
  });
  app.get('/api/me', (req, res) => {
    const cookies = (req.headers.cookie || '').split(';').map((c) => c.trim());
    const found = cookies.find((c) => c.startsWith('demo_session='));
    res.json({ session: found ? found.slice('demo_session='.length) : '' });
  });
  app.get('/api/exposed', (req, res) => {
    res.setHeader('X-Corsguard-Demo', 'exposed-value');
    res.setHeader('X-Hidden', 'hidden-value');
    res.json({ headers: 'X-Corsguard-Demo is exposed, X-Hidden is not' });
  });
  app.get('/api/decisions', (req, res) => res.json(log.entries));
  app.post('/api/decisions', (req, res) => {
    log.entries = [];
    res.json({});
  });
  app.post('/api/case/:id', (req, res) => {
    log.case = req.params.id;
    res.json({});
  });
  app.use((req, res) => res.status(404).json({ error: 'not found' }));
  return app;
}

function pageApp(page, policyFile, wasmFile) {
  const app = express();
  app.disable('x-powered-by');
  app.get('/', (req, res) => res.type('html').send(page));
  // Read on each request: a rebuilt explainer is served without a restart.
  const file = (name, type) => (req, res) =>
    fs.readFile(name, (err, bytes) => {
      if (err) res.status(404).type('text').send(`${path.basename(name)}: ${err.code} (run examples/demo/build.sh)`);
      else res.type(type).set('Cache-Control', 'no-store').send(bytes);
    });
  app.get('/corsguard-explain.wasm', file(wasmFile, 'application/wasm'));
  app.get('/policy.json', file(policyFile, 'application/json'));
  app.use((req, res) => res.status(404).type('text').send('not found'));
  return app;
}

function listen(app, port, host) {
  const server = http.createServer(app);
  // Longer than any wait of the browser tests between two requests (Node's
  // default of 5 s would reset a connection the browser is about to reuse).
  server.keepAliveTimeout = 75000;
  server.headersTimeout = 80000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

async function main() {
  const pagePort = Number(process.env.DEMO_PAGE_PORT || 3000);
  const altPagePort = Number(process.env.DEMO_ALT_PAGE_PORT ?? pagePort + 1);
  const apiPort = Number(process.env.DEMO_API_PORT || 8080);
  const host = process.env.DEMO_HOST || '127.0.0.1';
  const policyFile = process.env.DEMO_POLICY || path.join(DEMO, 'policy.json');
  const pageFile = process.env.DEMO_PAGE || path.join(DEMO, 'index.html');
  const wasmFile = process.env.DEMO_WASM || path.join(DEMO, '..', '..', 'target', 'demo', 'corsguard-explain.wasm');
  let policy;
  try {
    policy = loadPolicy(policyFile);
  } catch (err) {
    console.error(`invalid policy ${policyFile}${err.code ? ` (${err.code})` : ''}: ${err.message}`);
    process.exit(1);
  }
  const page = fs
    .readFileSync(pageFile, 'utf8')
    .replaceAll('http://localhost:8080', `http://localhost:${apiPort}`)
    .replaceAll('http://localhost:3001', `http://localhost:${altPagePort}`);
  const pages = pageApp(page, policyFile, wasmFile);
  let servers;
  try {
    servers = await Promise.all([
      listen(pages, pagePort, host),
      listen(apiApp(policy, new DecisionLog()), apiPort, host),
      ...(altPagePort ? [listen(pages, altPagePort, host)] : []),
    ]);
  } catch (err) {
    console.error(`cannot listen: ${err.message}`);
    process.exit(1);
  }
  console.log(`corsguard demo (${RUNTIME.server}), policy ${policyFile}`);
  console.log(`  frontend: http://localhost:${pagePort}/   <- open this in a browser`);
  if (altPagePort) console.log(`  the same page on a second origin: http://localhost:${altPagePort}/`);
  console.log(`  API:      http://localhost:${apiPort}/api/hello`);
  console.log('Press Ctrl-C to stop.');
  const stop = () => {
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main();
