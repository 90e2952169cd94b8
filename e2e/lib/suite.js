'use strict';

// The browser tests, run against one demo server (node, python, c or rust).
// Each asserts what Chromium itself decides (a fetch that resolves or throws,
// a header scripts can or cannot read, a preflight sent or skipped), and
// checks it against what the server's corsguard policy decided (its decision
// log, read over plain HTTP).
//
// Origins of a run (ports chosen at random, P = the page port):
//   http://localhost:P     the page, served by the server under test: allowed
//   http://127.0.0.1:P     the same page port by IP: allowed too (listed)
//   http://127.0.0.1:Q     the page served by the harness: NOT in the policy
// APIs: http://localhost:A (the demo policy, max-age 600, credentials) and
// http://localhost:C, a control instance of the same server with
// e2e/fixtures/policy-wildcard.json (`*`, no credentials, no max-age).
// The API is called as http://localhost:A so that cookies are same-site
// (Chromium blocks third-party cookies in a fresh profile).

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { describe, it, before, after } = require('node:test');
const h = require('./harness');
const agreement = require('./agreement');

/** Longer than Chromium's preflight cache without max-age (5 s). */
const PAST_DEFAULT_PREFLIGHT_CACHE_MS = 6500;

const RUNTIMES = (process.env.E2E_RUNTIMES || 'node python c rust').split(/[\s,]+/).filter(Boolean);
const SCREENSHOT_RUNTIME = process.env.E2E_SCREENSHOT_RUNTIME || RUNTIMES[0];
const SCREENSHOT = process.env.E2E_SCREENSHOT || path.join(h.ROOT, 'docs', 'demo.png');

/**
 * Opt-in: while a list is set here (each runtime's describe sets one), every
 * `probe` call also records the request, the page's origin, what Chromium
 * decided and the reason it printed, for the check that `corsguard probe`
 * agrees with the browser on each of them.
 */
let recorder = null;

/** Runs fetch(url, init) in the page; reports what the page's script sees. */
function probe(page, url, init = {}) {
  if (recorder) return recordProbe(recorder, page, url, init);
  return fetchInPage(page, url, init);
}

async function recordProbe(list, page, url, init) {
  const pageOrigin = await page.evaluate(() => location.origin);
  const seen = await agreement.observe(page, url, () => fetchInPage(page, url, init));
  list.push({ url, pageOrigin, init, browserVerdict: seen.verdict, consoleText: seen.consoleText });
  return seen.result;
}

function fetchInPage(page, url, init) {
  return page.evaluate(
    async ({ url, init }) => {
      try {
        const res = await fetch(url, init);
        const body = await res.text();
        return {
          ok: true,
          status: res.status,
          body,
          exposed: res.headers.get('X-Corsguard-Demo'),
          hidden: res.headers.get('X-Hidden'),
        };
      } catch (err) {
        return { ok: false, error: `${err.name}: ${err.message}` };
      }
    },
    { url, init }
  );
}

/** `probe`, and the response as the network saw it (before CORS hides it). */
async function probeWithNetwork(page, url, init = {}) {
  const method = init.method || 'GET';
  const [response, result] = await Promise.all([
    page.waitForResponse((r) => r.url() === url && r.request().method() === method, { timeout: 15000 }),
    probe(page, url, init),
  ]);
  return { result, headers: await response.allHeaders(), status: response.status() };
}

const blocked = (r) => !r.ok && /TypeError/.test(r.error);

/** A shell command line's words (plain words and single-quoted strings). */
function shellWords(line) {
  const words = [];
  let word = null;
  let quoted = false;
  for (const c of line) {
    if (quoted) {
      if (c === "'") quoted = false;
      else word += c;
    } else if (c === "'") {
      quoted = true;
      word = word ?? '';
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/**
 * The README's `corsguard probe` run on the demo (the block after the
 * `<!-- e2e probe-demo ... -->` line): the command's words (after `$ `,
 * lines continued with `\`) and what it prints.
 */
function readmeProbeRun() {
  const lines = fs.readFileSync(path.join(h.ROOT, 'README.md'), 'utf8').split('\n');
  const mark = lines.findIndex((l) => l.startsWith('<!-- e2e probe-demo'));
  assert.ok(mark >= 0, 'README.md marks its probe run with <!-- e2e probe-demo ... -->');
  assert.match(lines[mark + 1], /^```/);
  const end = lines.findIndex((l, i) => i > mark + 1 && l.startsWith('```'));
  const block = lines.slice(mark + 2, end);
  assert.ok(block[0].startsWith('$ '), `the block starts with the command: ${block[0]}`);
  let command = '';
  let i = 0;
  while (i < block.length) {
    const line = i === 0 ? block[i].slice(2) : block[i];
    i += 1;
    if (!line.endsWith('\\')) {
      command += line;
      break;
    }
    command += `${line.slice(0, -1)} `;
  }
  return { words: shellWords(command), output: `${block.slice(i).join('\n')}\n` };
}

async function clearLog(server) {
  const res = await h.request('POST', `${server.api}/api/decisions`);
  assert.equal(res.status, 200, `clearing the decision log of ${server.api}`);
}

async function tag(server, id) {
  await h.request('POST', `${server.api}/api/case/${id}`);
}

async function decisions(server, filter = {}) {
  const res = await h.request('GET', `${server.api}/api/decisions`);
  assert.equal(res.status, 200);
  const log = JSON.parse(res.body);
  return log.filter((d) => Object.entries(filter).every(([k, v]) => d[k] === v));
}

function suite(runtime) {
  const skip = RUNTIMES.includes(runtime) ? false : `not in E2E_RUNTIMES (${RUNTIMES.join(' ')})`;

  describe(`the ${runtime} server in Chromium`, { skip, timeout: 240000 }, () => {
    let tmp;
    let main;
    let control;
    let other;
    let browser;
    let page; // a page on the allowed origin http://localhost:P
    let pageOrigin;

    const recorded = []; // every probe() of this runtime, for the agreement check at the end

    before(async () => {
      recorder = recorded;
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), `corsguard-e2e-${runtime}-`));
      const [pagePort, apiPort, controlPagePort, controlApiPort, otherPort] = await h.freePorts(5);
      const { file } = h.policyForPort(tmp, pagePort);
      // The two instances start in parallel; on any failure, stop what started.
      const started = await Promise.allSettled([
        h.startServer(runtime, { pagePort, apiPort, policy: file }),
        h.startServer(runtime, {
          pagePort: controlPagePort,
          apiPort: controlApiPort,
          policy: path.join(__dirname, '..', 'fixtures', 'policy-wildcard.json'),
        }),
      ]);
      [main, control] = started.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
      const failed = started.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
      other = await h.startStaticPage(otherPort, main.api);
      browser = await h.launchBrowser();
      page = await browser.context.newPage();
      pageOrigin = main.page;
      await page.goto(`${main.page}/?autorun=0`);
    });

    after(async () => {
      recorder = null;
      if (browser) await browser.close();
      if (other) await other.close();
      await Promise.all([main, control].filter(Boolean).map((s) => s.stop()));
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('runs the demo page: every case ends as the policy says, with the server decisions shown', async () => {
      const demo = await browser.context.newPage();
      try {
        await demo.goto(`${main.page}/`);
        await demo.waitForSelector('body[data-done="true"]', { timeout: 30000 });
        const rows = await demo.$$eval('#results tr[id^="row-"]', (trs) =>
          trs.map((tr) => ({
            id: tr.id.slice(4),
            verdict: tr.dataset.verdict,
            expected: tr.dataset.expected,
            server: tr.cells[3].textContent,
          }))
        );
        assert.deepEqual(
          rows.map((r) => r.id),
          ['simple-get', 'json-post', 'credentialed', 'delete', 'exposed']
        );
        for (const r of rows) assert.equal(r.verdict, r.expected, `case ${r.id}: ${r.server}`);
        const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
        assert.match(byId['json-post'].server, /OPTIONS \/api\/items: allowed/);
        assert.match(byId['json-post'].server, /POST \/api\/items: allowed/);
        assert.match(byId.delete.server, /OPTIONS \/api\/items\/1: denied \(the method `DELETE` is not allowed/);
        assert.doesNotMatch(byId.delete.server, /^DELETE/m, 'the DELETE itself was never sent');
        assert.match(byId.credentialed.server, /GET \/api\/me: allowed/);
        assert.equal(await demo.getAttribute('body', 'data-runtime'), runtime, 'the page names the runtime');
        fs.mkdirSync(h.ARTIFACTS, { recursive: true });
        await demo.screenshot({ path: path.join(h.ARTIFACTS, `demo-${runtime}.png`), fullPage: true });
      } finally {
        await demo.close();
      }
    });

    // Once per run, with the first runtime (E2E_SCREENSHOT_RUNTIME).
    const itOnce = runtime === SCREENSHOT_RUNTIME ? it : () => {};
    itOnce(`saves the screenshot of the demo page to ${path.relative(h.ROOT, SCREENSHOT)}`, async () => {
      // The README's URLs (page on 3000, API on 8080, the unmodified policy
      // file) when both ports are free; else this run's ports.
      let server = main;
      let own = null;
      if ((await h.portIsFree(3000)) && (await h.portIsFree(8080))) {
        own = await h.startServer(runtime, {
          pagePort: 3000,
          apiPort: 8080,
          policy: path.join(h.DEMO, 'policy.json'),
        }).catch(() => null);
        if (own) server = own;
      }
      const demo = await browser.context.newPage();
      try {
        await demo.goto(`${server.page}/`);
        await demo.waitForSelector('body[data-done="true"]', { timeout: 30000 });
        const verdicts = await demo.$$eval('#results tr[id^="row-"]', (trs) =>
          trs.map((tr) => tr.dataset.verdict === tr.dataset.expected)
        );
        assert.deepEqual(verdicts, [true, true, true, true, true]);
        fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
        await demo.screenshot({ path: SCREENSHOT, fullPage: true });
        assert.ok(fs.statSync(SCREENSHOT).size > 10000, `${SCREENSHOT} was written`);
      } finally {
        await demo.close();
        if (own) await own.stop();
      }
    });

    it('lets allowed origins read responses and blocks every other origin', async () => {
      await clearLog(main);
      await tag(main, 'origins');
      const url = `${main.api}/api/hello`;
      const allowed = await probe(page, url, { cache: 'no-store' });
      assert.ok(allowed.ok, `allowed origin ${pageOrigin}: ${allowed.error}`);
      assert.equal(allowed.status, 200);
      assert.equal(JSON.parse(allowed.body).runtime, runtime);

      // The same page port by IP is listed too.
      const byIp = await browser.context.newPage();
      const otherPage = await browser.context.newPage();
      try {
        await byIp.goto(`http://127.0.0.1:${main.pagePort}/?autorun=0`);
        const second = await probe(byIp, url, { cache: 'no-store' });
        assert.ok(second.ok, `allowed origin http://127.0.0.1:${main.pagePort}: ${second.error}`);

        // An origin the policy does not list: the request reaches the server,
        // the browser hides the answer from the page.
        await otherPage.goto(`${other.origin}/?autorun=0`);
        const refused = await probe(otherPage, url, { cache: 'no-store' });
        assert.ok(blocked(refused), `origin ${other.origin} should be blocked: ${JSON.stringify(refused)}`);
      } finally {
        await byIp.close();
        await otherPage.close();
      }
      const log = await decisions(main, { case: 'origins', path: '/api/hello' });
      assert.deepEqual(
        log.map((d) => d.outcome),
        ['allowed', 'allowed', 'denied']
      );
      assert.match(log[2].reason, /origin/);
      assert.ok(!log[2].headers.some((x) => /^Access-Control-Allow-Origin:/i.test(x)), log[2].headers.join('; '));

      // The demo page itself, from the refused origin: every case blocked,
      // and the decision log unreadable.
      const demo = await browser.context.newPage();
      try {
        await demo.goto(`${other.origin}/`);
        await demo.waitForSelector('body[data-done="true"]', { timeout: 30000 });
        const verdicts = await demo.$$eval('#results tr[id^="row-"]', (trs) => trs.map((tr) => tr.dataset.verdict));
        assert.deepEqual(verdicts, ['blocked', 'blocked', 'blocked', 'blocked', 'blocked']);
        assert.match(await demo.textContent('#results'), /Could not read the server's decision log/);
        fs.mkdirSync(h.ARTIFACTS, { recursive: true });
        await demo.screenshot({ path: path.join(h.ARTIFACTS, `demo-${runtime}-refused-origin.png`), fullPage: true });
      } finally {
        await demo.close();
      }
    });

    it('sends preflights and lets through only what the policy allows', async () => {
      await clearLog(main);
      await tag(main, 'preflight');
      const json = { 'Content-Type': 'application/json' };
      const post = await probe(page, `${main.api}/api/items`, {
        method: 'POST',
        cache: 'no-store',
        headers: { ...json, 'X-Request-Id': 'e2e-1' },
        body: '{"name":"teapot"}',
      });
      assert.ok(post.ok, `POST JSON + X-Request-Id: ${post.error}`);
      assert.equal(post.status, 201);
      assert.deepEqual(JSON.parse(post.body), { created: 'teapot' });

      const del = await probe(page, `${main.api}/api/items/1`, { method: 'DELETE', cache: 'no-store' });
      assert.ok(blocked(del), `DELETE should be blocked: ${JSON.stringify(del)}`);

      const secret = await probe(page, `${main.api}/api/items`, {
        method: 'POST',
        cache: 'no-store',
        headers: { ...json, 'X-Secret': 'no' },
        body: '{}',
      });
      assert.ok(blocked(secret), `a header not allowed should be blocked: ${JSON.stringify(secret)}`);

      const log = await decisions(main, { case: 'preflight' });
      const lines = log.map((d) => `${d.method} ${d.path} ${d.outcome}`);
      assert.deepEqual(lines, [
        'OPTIONS /api/items allowed',
        'POST /api/items allowed',
        'OPTIONS /api/items/1 denied',
        'OPTIONS /api/items denied',
      ]);
      assert.ok(log[0].headers.includes('Access-Control-Allow-Methods: GET, POST, PUT'), log[0].headers.join('; '));
      assert.ok(log[0].headers.includes('Access-Control-Allow-Headers: content-type, x-request-id'));
      assert.match(log[2].reason, /the method `DELETE` is not allowed/);
      assert.match(log[3].reason, /x-secret/);
      // A refused preflight carries no grant at all.
      for (const d of log.slice(2)) {
        assert.ok(!d.headers.some((x) => /^Access-Control-Allow-/i.test(x)), d.headers.join('; '));
      }
    });

    it('sends cookies with credentials only to an exact, credentialed origin', async () => {
      await browser.context.clearCookies();
      await clearLog(main);
      await tag(main, 'credentials');
      const login = await probe(page, `${main.api}/api/login`, {
        method: 'POST',
        credentials: 'include',
        cache: 'no-store',
      });
      assert.ok(login.ok, `login: ${login.error}`);
      const cookies = await browser.context.cookies(main.api);
      assert.ok(cookies.some((c) => c.name === 'demo_session'), 'the browser stored the cookie');

      const me = await probeWithNetwork(page, `${main.api}/api/me`, { credentials: 'include', cache: 'no-store' });
      assert.ok(me.result.ok, `credentialed GET: ${me.result.error}`);
      assert.deepEqual(JSON.parse(me.result.body), { session: 's3cr3t' }, 'the cookie was sent and read');
      assert.equal(me.headers['access-control-allow-origin'], pageOrigin, 'the exact origin, never *');
      assert.equal(me.headers['access-control-allow-credentials'], 'true');

      const anonymous = await probe(page, `${main.api}/api/me`, { cache: 'no-store' });
      assert.ok(anonymous.ok);
      assert.deepEqual(JSON.parse(anonymous.body), { session: '' }, 'without credentials no cookie is sent');

      // The control API answers `*` (no credentials in its policy): readable
      // without credentials, blocked with them.
      const wildcardPlain = await probeWithNetwork(page, `${control.api}/api/me`, { cache: 'no-store' });
      assert.ok(wildcardPlain.result.ok, `wildcard, no credentials: ${wildcardPlain.result.error}`);
      assert.equal(wildcardPlain.headers['access-control-allow-origin'], '*');
      const wildcardCreds = await probe(page, `${control.api}/api/me`, { credentials: 'include', cache: 'no-store' });
      assert.ok(blocked(wildcardCreds), `wildcard with credentials should be blocked: ${JSON.stringify(wildcardCreds)}`);

      // An origin the policy does not list, with credentials: blocked.
      const otherPage = await browser.context.newPage();
      try {
        await otherPage.goto(`${other.origin}/?autorun=0`);
        const refused = await probe(otherPage, `${main.api}/api/me`, { credentials: 'include', cache: 'no-store' });
        assert.ok(blocked(refused), `credentials from ${other.origin}: ${JSON.stringify(refused)}`);
      } finally {
        await otherPage.close();
      }
      const log = await decisions(main, { case: 'credentials', path: '/api/me' });
      assert.deepEqual(
        log.map((d) => d.outcome),
        ['allowed', 'allowed', 'denied']
      );
      assert.ok(log[0].headers.includes('Access-Control-Allow-Credentials: true'));
    });

    it('lets scripts read an exposed header and hides an unexposed one', async () => {
      const url = `${main.api}/api/exposed`;
      const { result, headers } = await probeWithNetwork(page, url, { cache: 'no-store' });
      assert.ok(result.ok, result.error);
      assert.equal(result.exposed, 'exposed-value', 'X-Corsguard-Demo is exposed');
      assert.equal(result.hidden, null, 'X-Hidden is not exposed');
      // Both were on the wire: the browser hid X-Hidden from the script.
      assert.equal(headers['x-hidden'], 'hidden-value');
      assert.equal(headers['x-corsguard-demo'], 'exposed-value');
      assert.equal(headers['access-control-expose-headers'], 'x-corsguard-demo');
    });

    it('skips repeated preflights for Access-Control-Max-Age, and only then', async () => {
      await Promise.all([clearLog(main), clearLog(control)]);
      await Promise.all([tag(main, 'max-age'), tag(control, 'max-age')]);
      // Fresh URLs (the preflight cache is keyed by URL) and the default cache
      // mode (no-store and reload bypass the preflight cache).
      const stamp = `${Date.now()}-${process.pid}`;
      const targets = [`${main.api}/api/items?max-age=${stamp}`, `${control.api}/api/items?max-age=${stamp}`];
      const init = {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'max-age' },
        body: '{}',
      };
      const round = () => Promise.all(targets.map((url) => probe(page, url, init)));
      for (const r of await round()) assert.ok(r.ok, r.error);
      await h.sleep(PAST_DEFAULT_PREFLIGHT_CACHE_MS);
      for (const r of await round()) assert.ok(r.ok, r.error);

      const count = (log, method) => log.filter((d) => d.method === method).length;
      const mainLog = await decisions(main, { case: 'max-age' });
      const controlLog = await decisions(control, { case: 'max-age' });
      assert.equal(count(mainLog, 'POST'), 2);
      assert.equal(count(controlLog, 'POST'), 2);
      assert.equal(count(mainLog, 'OPTIONS'), 1, 'max-age 600: the second request reused the cached preflight');
      assert.equal(count(controlLog, 'OPTIONS'), 2, 'no max-age: the browser preflighted again after 5 s');
      const mainPreflight = mainLog.find((d) => d.method === 'OPTIONS');
      assert.ok(mainPreflight.headers.includes('Access-Control-Max-Age: 600'), mainPreflight.headers.join('; '));
      for (const d of controlLog.filter((x) => x.method === 'OPTIONS')) {
        assert.ok(!d.headers.some((x) => /^Access-Control-Max-Age:/i.test(x)), d.headers.join('; '));
      }
    });

    it('refuses to start with a policy the core rejects', async () => {
      const [pagePort, apiPort] = await h.freePorts(2);
      const { exit, output } = await h.runToExit(runtime, {
        pagePort,
        apiPort,
        policy: path.join(__dirname, '..', 'fixtures', 'policy-refused.json'),
      });
      assert.ok(exit, `the server kept running:\n${output}`);
      assert.notEqual(exit.code, 0, output);
      assert.match(output, /wildcard_origin_with_credentials/);
    });

    it("prints the README's corsguard probe run, byte for byte", () => {
      const { words, output } = readmeProbeRun();
      assert.equal(words[0], 'corsguard');
      // The README's URLs are the demo's defaults; this run's ports differ.
      const ours = (text) =>
        text.replace(/http:\/\/localhost:(8080|3000)\b/g, (_, port) => (port === '8080' ? main.api : pageOrigin));
      const run = require('node:child_process').spawnSync(agreement.CORSGUARD, words.slice(1).map(ours), {
        encoding: 'utf8',
        timeout: 20000,
      });
      assert.equal(run.status, 1, `exit status (blocked): ${run.stderr}`);
      assert.equal(run.stdout, ours(output));
    });

    // Last: it judges every request the tests above sent from a page.
    it('corsguard probe agrees with Chromium on every request above', async (t) => {
      fs.mkdirSync(h.ARTIFACTS, { recursive: true });
      const results = path.join(h.ARTIFACTS, `agreement-demo-${runtime}.json`);
      fs.writeFileSync(results, `${JSON.stringify(recorded, null, 2)}\n`);
      const missing = agreement.whyProbeIsMissing();
      if (missing) {
        assert.fail(`${missing}; Chromium's results are in ${path.relative(h.ROOT, results)}`);
      }
      const verdicts = new Set(recorded.map((r) => r.browserVerdict));
      assert.ok(
        verdicts.has('allowed') && verdicts.has('blocked'),
        `the tests above went through probe(): ${[...verdicts]}`
      );
      const cases = recorded.map((r, i) => ({
        id: `#${i + 1} ${(r.init.method || 'GET').toUpperCase()} ${r.url} from ${r.pageOrigin}`,
        url: r.url,
        origin: r.pageOrigin,
        init: r.init,
        browserVerdict: r.browserVerdict,
        consoleText: r.consoleText,
      }));
      const differences = await agreement.compareWithProbe(cases);
      assert.equal(
        differences.length,
        0,
        `corsguard probe and Chromium differ on ${differences.length} point(s):\n${agreement.differenceTable(differences)}`
      );
    });
  });
}

module.exports = { suite };
