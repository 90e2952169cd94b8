'use strict';

// Agreement with a real browser: every scenario of lib/scenarios.js is sent
// from a page in Chromium to one of the misconfigured servers of
// fixtures/servers, then by `corsguard probe`; the two must reach the same
// verdict, and on a block probe must print the reason Chromium prints, and
// name the scenario's mistake.
//
// Origins: the page on http://127.0.0.1:P (the origin the servers are started
// to let in) and http://127.0.0.1:Q (one they do not); each API on
// http://127.0.0.1:A. What Chromium did is written to
// artifacts/agreement-browser.json.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { describe, it, before, after } = require('node:test');
const h = require('../lib/harness');
const a = require('../lib/agreement');
const { SCENARIOS } = require('../lib/scenarios');
const { startFixture, NAMES } = require('../fixtures/servers');

const BROWSER_RESULTS = path.join(h.ARTIFACTS, 'agreement-browser.json');

/** The server instance a scenario needs: its fixture, and the origin it is started to let in. */
const instanceKey = (s) => `${s.server}${s.allow === 'page/' ? ' (origin with a trailing slash)' : ''}`;

describe('corsguard probe agrees with Chromium on misconfigured servers', { timeout: 240000 }, () => {
  const apis = new Map(); // instance key -> started fixture
  let pages; // { page, other }: { origin, close, tab }
  let browser;
  let observed = []; // what Chromium did, one entry per scenario

  before(async () => {
    const keys = [...new Set(SCENARIOS.map(instanceKey))];
    const [pagePort, otherPort, ...apiPorts] = await h.freePorts(2 + keys.length);
    const page = await h.startStaticPage(pagePort, 'http://127.0.0.1:9');
    const other = await h.startStaticPage(otherPort, 'http://127.0.0.1:9');
    pages = { page: { ...page }, other: { ...other } };
    const started = await Promise.allSettled(
      keys.map((key, i) => {
        const scenario = SCENARIOS.find((s) => instanceKey(s) === key);
        const allowedOrigin = scenario.allow === 'page/' ? `${page.origin}/` : page.origin;
        return startFixture(scenario.server, { port: apiPorts[i], allowedOrigin, onSpawn: h.noteChild }).then(
          (api) => apis.set(key, api)
        );
      })
    );
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    browser = await h.launchBrowser();
    for (const which of ['page', 'other']) {
      const tab = await browser.context.newPage();
      a.consoleErrors(tab); // listening before the first fetch
      await tab.goto(`${pages[which].origin}/?autorun=0`);
      pages[which].tab = tab;
    }
  });

  after(async () => {
    if (browser) await browser.close();
    await Promise.all([...apis.values()].map((api) => api.close()));
    if (pages) await Promise.all(Object.values(pages).map((p) => p.close()));
  });

  it('covers every fixture, each with the scenario that shows its mistake', () => {
    const ids = SCENARIOS.map((s) => s.id);
    assert.equal(new Set(ids).size, ids.length, 'scenario ids are unique');
    for (const name of NAMES) {
      const own = SCENARIOS.filter((s) => s.server === name);
      // Its mistake shows as a block, as a mistake probe must name, or as an
      // origin it never meant to let in getting through.
      const shows = (s) => s.expect === 'blocked' || s.expectMistake || (s.from === 'other' && s.expect === 'allowed');
      assert.ok(own.some(shows), `${name} has a scenario showing its mistake`);
    }
    for (const s of SCENARIOS) assert.ok(NAMES.includes(s.server), `${s.id}: unknown server ${s.server}`);
  });

  it('Chromium reaches the verdict each scenario expects, and says why when it blocks', async () => {
    observed = [];
    for (const s of SCENARIOS) {
      const from = pages[s.from === 'other' ? 'other' : 'page'];
      const url = `${apis.get(instanceKey(s)).url}${s.path}`;
      const init = { ...s.init, cache: 'no-store' };
      const seen = await a.observe(from.tab, url, () => a.pageFetch(from.tab, url, init));
      observed.push({
        id: s.id,
        server: s.server,
        url,
        origin: from.origin,
        init: s.init,
        expect: s.expect,
        expectMistake: s.expectMistake,
        browserVerdict: seen.verdict,
        consoleText: seen.consoleText,
        consoleLine: seen.consoleLine,
        error: seen.result.ok ? null : seen.result.error,
        status: seen.result.ok ? seen.result.status : null,
      });
    }
    fs.mkdirSync(h.ARTIFACTS, { recursive: true });
    fs.writeFileSync(BROWSER_RESULTS, `${JSON.stringify(observed, null, 2)}\n`);

    const wrong = observed.filter(
      (o) =>
        o.browserVerdict !== o.expect ||
        (o.browserVerdict === 'blocked' && !o.consoleText) ||
        (o.status !== null && o.status !== 200)
    );
    const said = (o) => o.consoleText || o.error || 'no console message';
    assert.deepEqual(
      wrong.map((o) => `${o.id}: ${o.browserVerdict}${o.status ? ` ${o.status}` : ''} (${said(o)})`),
      [],
      `Chromium did not decide as the scenarios expect (all results in ${path.relative(h.ROOT, BROWSER_RESULTS)})`
    );
  });

  it('corsguard probe reaches the same verdict, with the same message and the mistake named', async (t) => {
    const missing = a.whyProbeIsMissing();
    if (missing) {
      assert.fail(`${missing}; Chromium's results are in ${path.relative(h.ROOT, BROWSER_RESULTS)}`);
    }
    assert.equal(observed.length, SCENARIOS.length, 'the Chromium half ran every scenario');
    const differences = await a.compareWithProbe(observed);
    assert.equal(
      differences.length,
      0,
      `corsguard probe and Chromium differ on ${differences.length} point(s):\n${a.differenceTable(differences)}`
    );
  });
});
