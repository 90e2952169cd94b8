'use strict';

// Helpers of the playground test: the explainer module loaded in Node (the
// same exports the page calls), and the playground driven like a user: fill
// the form, send, read the three sides from the page's data attributes.

const fs = require('node:fs');

/**
 * The explainer (target/demo/corsguard-explain.wasm) instantiated here:
 * `explain(policyBytes, request)` returns the module's JSON answer, as the
 * page reads it (a 4-byte little-endian length, then UTF-8 JSON).
 */
function loadExplainer(file) {
  const bytes = fs.readFileSync(file);
  const { exports: x } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  const put = (data) => {
    const ptr = x.alloc(data.length);
    new Uint8Array(x.memory.buffer, ptr, data.length).set(data);
    return ptr;
  };
  return {
    size: bytes.length,
    exports: x,
    /** `request` is an object (sent as JSON) or raw bytes (sent as they are). */
    explain(policy, request) {
      const p = Buffer.from(policy);
      const r = Buffer.isBuffer(request) ? request : Buffer.from(JSON.stringify(request));
      const pp = put(p);
      const rp = put(r);
      const out = x.explain(pp, p.length, rp, r.length);
      const n = new DataView(x.memory.buffer).getUint32(out, true);
      const text = Buffer.from(new Uint8Array(x.memory.buffer, out + 4, n)).toString('utf8');
      x.dealloc(out, n + 4);
      x.dealloc(pp, p.length);
      x.dealloc(rp, r.length);
      return JSON.parse(text);
    },
  };
}

/** The seed scenario: the page on its own origin POSTs JSON with X-Request-Id. */
const SEED = {
  origin: 'page',
  method: 'POST',
  path: '/api/items',
  headers: [
    ['Content-Type', 'application/json'],
    ['X-Request-Id', 'demo-1'],
  ],
  credentials: false,
};

/**
 * Fills the playground's form with `scenario` (SEED's shape; at most four
 * headers), sends it, and waits (bounded) until the three sides are shown.
 * Returns what the page shows: the data attributes and the texts.
 */
async function runScenario(page, scenario, { timeout = 45000 } = {}) {
  const s = { ...SEED, ...scenario };
  const before = Number((await page.getAttribute('#playground', 'data-run')) || 0);
  await page.selectOption('#pg-origin', s.origin);
  await page.fill('#pg-method', s.method);
  await page.fill('#pg-path', s.path);
  const rows = await page.$$('#pg-headers .pg-header');
  if (s.headers.length > rows.length) throw new Error(`the playground has ${rows.length} header rows`);
  for (const [i, row] of rows.entries()) {
    const [name, value] = s.headers[i] || ['', ''];
    await (await row.$('.pg-name')).fill(name);
    await (await row.$('.pg-value')).fill(value);
  }
  await page.setChecked('#pg-credentials', s.credentials);
  await page.click('#pg-send');
  await page.waitForSelector(`#playground[data-state="done"][data-run="${before + 1}"]`, { timeout });
  return page.$eval('#playground', (section) => {
    const text = (id) => document.getElementById(id).textContent;
    return {
      ...section.dataset,
      browserSeen: text('pg-browser-seen'),
      serverLog: text('pg-server-log'),
      explainCheck: text('pg-explain-check'),
      explainFix: text('pg-explain-fix'),
      explainMistakes: text('pg-explain-mistakes'),
      explainText: text('pg-text'),
    };
  });
}

/** A policy document with `n` allowed origins (https://app<i>.example.com). */
function manyOrigins(n) {
  const origins = Array.from({ length: n }, (_, i) => `https://app${i}.example.com`);
  return JSON.stringify({ version: 1, allowOrigins: origins, allowMethods: ['GET', 'POST'] });
}

module.exports = { loadExplainer, runScenario, SEED, manyOrigins };
