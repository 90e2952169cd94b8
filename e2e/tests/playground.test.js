'use strict';

// The demo page's playground, driven in Chromium like a user: each scenario
// is sent for real from a frame on the chosen origin, and the page shows the
// browser's verdict, corsguard's decisions on the server (its decision log)
// and the explainer's account (the core compiled to WebAssembly). The three
// must agree. Also the explainer module on its own, loaded in Node.
//
// Origins of a run (ports chosen at random): http://localhost:P (the page,
// listed in the policy), http://localhost:P2 (the server's second page port,
// not listed), a sandboxed frame (`null`, not listed); the API on
// http://localhost:A. E2E_RUNTIMES picks the servers (all four by default).

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { describe, it, before, after } = require('node:test');
const h = require('../lib/harness');
const { loadExplainer, runScenario, SEED, manyOrigins } = require('../lib/playground');

const RUNTIMES = (process.env.E2E_RUNTIMES || 'node python c rust').split(/[\s,]+/).filter(Boolean);
const TARGET = process.env.CARGO_TARGET_DIR || path.join(h.ROOT, 'target');
const WASM = process.env.DEMO_WASM || path.join(TARGET, 'demo', 'corsguard-explain.wasm');
const SCREENSHOT = process.env.E2E_PLAYGROUND_SCREENSHOT || path.join(h.ROOT, 'docs', 'playground.png');
const DEMO_POLICY = fs.readFileSync(path.join(h.DEMO, 'policy.json'));

describe('the explainer module (examples/demo/explain-wasm, built by examples/demo/build.sh)', () => {
  let explainer;
  before(() => {
    assert.ok(fs.existsSync(WASM), `${WASM} is missing: run examples/demo/build.sh node`);
    explainer = loadExplainer(WASM);
  });

  it('exports only the plain C ABI: memory, alloc, dealloc, explain', () => {
    for (const name of ['memory', 'alloc', 'dealloc', 'explain']) assert.ok(name in explainer.exports, name);
  });

  it('explains the seed scenario: preflighted, allowed, with the waterfall', () => {
    const a = explainer.explain(DEMO_POLICY, {
      origin: 'http://localhost:3000',
      method: SEED.method,
      headers: SEED.headers,
      credentials: false,
      url: `http://localhost:8080${SEED.path}`,
    });
    assert.equal(a.verdict, 'allowed', JSON.stringify(a.failure));
    assert.equal(a.preflight.needed, true);
    assert.deepEqual(
      a.decisions.map((d) => [d.exchange, d.outcome]),
      [
        ['preflight', 'allowed'],
        ['actual', 'allowed'],
      ]
    );
    assert.match(a.text, /OPTIONS/);
  });

  it('explains a request against a 1,000-origin document (the large capacity class)', () => {
    const document = manyOrigins(1000);
    const request = (origin) => ({ origin, method: 'GET', headers: [], url: 'https://api.example.com/x' });
    assert.equal(explainer.explain(document, request('https://app999.example.com')).verdict, 'allowed');
    const refused = explainer.explain(document, request('https://app1000.example.com'));
    assert.equal(refused.verdict, 'blocked');
    assert.match(refused.failure.fix, /`https:\/\/app1000\.example\.com`.*allowOrigins/);
  });

  it('answers bad input with an error object, and keeps working after it', () => {
    const bad = explainer.explain(DEMO_POLICY, Buffer.from('{"origin": '));
    assert.equal(bad.refused, 'request');
    assert.equal(bad.errors[0].code, 'invalid_request');
    const wrongType = explainer.explain(DEMO_POLICY, { origin: 'null', method: 'GET', url: '/', headers: 'x' });
    assert.equal(wrongType.errors[0].path, '/headers');
    const doc = explainer.explain('{"version": 1, "allowOrigins": ["http://localhost:3000/"]}', {
      origin: 'http://localhost:3000',
      method: 'GET',
      url: 'http://localhost:8080/',
    });
    assert.equal(doc.refused, 'policy');
    assert.deepEqual(
      doc.mistakes.map((m) => m.code),
      ['trailing_slash_origin']
    );
    const notJson = explainer.explain('{', { origin: 'null', method: 'GET', url: '/' });
    assert.equal(notJson.refused, 'policy');
    const again = explainer.explain(DEMO_POLICY, { origin: 'null', method: 'GET', url: 'http://localhost:8080/' });
    assert.equal(again.verdict, 'blocked');
  });
});

/**
 * The scenarios, each with the verdict the demo policy gives it, the
 * outcomes of corsguard's decisions (preflight, then actual) and what the
 * fix must name (`alt`: the origin of the second page port).
 */
const SCENARIOS = [
  {
    title: 'the seed scenario (POST JSON with X-Request-Id from the page): allowed on all three sides',
    scenario: {},
    verdict: 'allowed',
    outcomes: 'allowed allowed',
  },
  {
    title: 'the same request from http://localhost:P2 (the second page port): blocked, add the origin',
    scenario: { origin: 'alt' },
    verdict: 'blocked',
    outcomes: 'denied',
    fix: (alt) => [new RegExp(`\`${alt}\``), /allowOrigins/],
  },
  {
    title: 'the same request from a sandboxed frame (Origin: null): blocked',
    scenario: { origin: 'null' },
    verdict: 'blocked',
    outcomes: 'denied',
    fix: () => [/`null`/, /allowOrigins/],
  },
  {
    title: 'DELETE /api/items/1: blocked at the preflight, add the method',
    scenario: { method: 'DELETE', path: '/api/items/1', headers: [] },
    verdict: 'blocked',
    outcomes: 'denied',
    fix: () => [/`DELETE`/, /allowMethods/],
  },
  {
    title: 'an extra header X-Custom: blocked at the preflight, add the header',
    scenario: { headers: [...SEED.headers, ['X-Custom', 'yes']] },
    verdict: 'blocked',
    outcomes: 'denied',
    fix: () => [/`x-custom`/, /allowHeaders/],
  },
  {
    title: 'a credentialed GET /api/me: allowed (allowCredentials)',
    scenario: { method: 'GET', path: '/api/me', headers: [], credentials: true },
    verdict: 'allowed',
    outcomes: 'allowed',
  },
];

/** Asserts that the browser, the server and the explainer agree on `shown`. */
function assertAgreement(shown, expected, alt) {
  const all = JSON.stringify(shown, null, 1);
  assert.equal(shown.browserVerdict, expected.verdict, `the browser: ${shown.browserSeen}\n${all}`);
  assert.equal(shown.explainVerdict, shown.browserVerdict, `the explainer disagrees with the browser:\n${all}`);
  assert.equal(shown.serverOutcomes, expected.outcomes, `the server's decisions:\n${shown.serverLog}`);
  assert.equal(shown.explainOutcomes, shown.serverOutcomes, `the explainer's decisions differ from the server's:\n${all}`);
  assert.equal(shown.serverOutcome, expected.verdict === 'allowed' ? 'allowed' : 'denied');
  if (expected.verdict === 'blocked') {
    assert.ok(shown.explainCheck, 'a blocked request names its failing check');
    assert.match(shown.explainText, /BLOCKED/);
  }
  for (const re of expected.fix ? expected.fix(alt) : []) assert.match(shown.explainFix, re, all);
}

async function openPlayground(browser, server) {
  const page = await browser.context.newPage();
  await page.goto(`${server.page}/`);
  // The table's cases first: the playground runs after them (one log).
  await page.waitForSelector('body[data-done="true"]', { timeout: 30000 });
  return page;
}

for (const runtime of RUNTIMES) {
  describe(`the playground in Chromium (${runtime} server)`, () => {
    let tmp;
    let server;
    let browser;
    let page;
    let altPagePort;

    before(async () => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), `corsguard-e2e-playground-${runtime}-`));
      let pagePort;
      let apiPort;
      [pagePort, altPagePort, apiPort] = await h.freePorts(3);
      const { file } = h.policyForPort(tmp, pagePort);
      server = await h.startServer(runtime, { pagePort, apiPort, altPagePort, policy: file });
      browser = await h.launchBrowser();
      page = await openPlayground(browser, server);
    });

    after(async () => {
      if (browser) await browser.close();
      if (server) await server.stop();
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('serves the explainer and the policy on both page ports', async () => {
      for (const port of [server.pagePort, altPagePort]) {
        const wasm = await h.request('GET', `http://127.0.0.1:${port}/corsguard-explain.wasm`);
        assert.equal(wasm.status, 200, `port ${port}: ${wasm.body.slice(0, 200)}`);
        assert.match(wasm.headers['content-type'], /^application\/wasm/);
        const policy = await h.request('GET', `http://127.0.0.1:${port}/policy.json`);
        assert.equal(policy.status, 200);
        assert.deepEqual(JSON.parse(policy.body).allowOrigins, [
          `http://localhost:${server.pagePort}`,
          `http://127.0.0.1:${server.pagePort}`,
        ]);
      }
    });

    for (const expected of SCENARIOS) {
      it(expected.title, async () => {
        const shown = await runScenario(page, expected.scenario);
        assertAgreement(shown, expected, `http://localhost:${altPagePort}`);
      });
    }
  });
}

describe('the playground screenshot', () => {
  const runtime = process.env.E2E_SCREENSHOT_RUNTIME || RUNTIMES[0];
  it(`saves the playground, the seed scenario run (${runtime} server), to ${path.relative(h.ROOT, SCREENSHOT)}`, async () => {
    // The README's origins (page 3000, second page 3001, API 8080, the
    // unmodified policy) when the ports are free; else ports of this run.
    const readme = (await h.portIsFree(3000)) && (await h.portIsFree(3001)) && (await h.portIsFree(8080));
    let tmp = null;
    let ports;
    let policy = path.join(h.DEMO, 'policy.json');
    if (readme) {
      ports = { pagePort: 3000, altPagePort: 3001, apiPort: 8080 };
    } else {
      const [pagePort, altPagePort, apiPort] = await h.freePorts(3);
      ports = { pagePort, altPagePort, apiPort };
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'corsguard-e2e-playground-shot-'));
      policy = h.policyForPort(tmp, pagePort).file;
    }
    const server = await h.startServer(runtime, { ...ports, policy });
    const browser = await h.launchBrowser();
    try {
      const page = await openPlayground(browser, server);
      const shown = await runScenario(page, {});
      assertAgreement(shown, SCENARIOS[0]);
      fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await (await page.$('#playground')).screenshot({ path: SCREENSHOT });
      assert.ok(fs.statSync(SCREENSHOT).size > 10000, `${SCREENSHOT} was written`);
    } finally {
      await browser.close();
      await server.stop();
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
