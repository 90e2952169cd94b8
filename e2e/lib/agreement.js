'use strict';

// Chromium against `corsguard probe`: a fetch sent from a page (its verdict and
// the reason Chromium prints in the console), the same request sent by the
// CLI (`corsguard probe ... --format json`), and a comparison that lists every
// difference. Used by tests/agreement.test.js (the misconfigured servers) and
// lib/suite.js (the demo servers).

const { execFile, spawnSync } = require('node:child_process');
const path = require('node:path');
const { ROOT } = require('./harness');

const CORSGUARD = path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target'), 'release', 'corsguard');

const BLOCKED_BY = 'blocked by CORS policy: ';
const OPAQUE_HINT =
  " If an opaque response serves your needs, set the request's mode to 'no-cors' to fetch the resource with CORS disabled.";

/**
 * Why the CLI half cannot run (a sentence), or null when `corsguard probe`
 * is there. Checked once per process.
 */
let probeMissing;
function whyProbeIsMissing() {
  if (probeMissing !== undefined) return probeMissing;
  const run = spawnSync(CORSGUARD, ['probe', '--help'], { encoding: 'utf8', timeout: 15000 });
  if (run.error) {
    probeMissing = `${path.relative(ROOT, CORSGUARD)} cannot run (${run.error.code || run.error.message}); build it: cargo build --release -p corsguard-cli`;
  } else if (run.status !== 0) {
    const said = `${run.stderr || ''}${run.stdout || ''}`.trim().split('\n')[0];
    probeMissing = `\`corsguard probe\` is not available yet (\`corsguard probe --help\` exited ${run.status}: ${said})`;
  } else {
    probeMissing = null;
  }
  return probeMissing;
}

/** What Chromium's console line says after "blocked by CORS policy: ", without the no-cors hint. */
function chromiumReason(text) {
  const at = text.indexOf(BLOCKED_BY);
  if (at < 0) return null;
  let reason = text.slice(at + BLOCKED_BY.length);
  if (reason.endsWith(OPAQUE_HINT)) reason = reason.slice(0, -OPAQUE_HINT.length);
  return reason;
}

/** Collects a page's console errors; attach once per page, before it fetches. */
const watched = new WeakMap();
function consoleErrors(page) {
  let list = watched.get(page);
  if (!list) {
    list = [];
    watched.set(page, list);
    page.on('console', (msg) => {
      if (msg.type() === 'error') list.push(msg.text());
    });
  }
  return list;
}

/** The CORS console line about `url` among the errors from index `from` on, or null. */
function corsLine(errors, from, url) {
  const prefix = `Access to fetch at '${url}'`;
  return errors.slice(from).find((t) => t.includes(BLOCKED_BY) && t.startsWith(prefix)) || null;
}

/**
 * Runs `run()` (which makes the page fetch `url`) and returns
 * { result, verdict, consoleText }: the verdict is 'allowed' when the fetch
 * resolved, 'blocked' when it threw a TypeError (else 'error'); consoleText
 * is what Chromium printed after "blocked by CORS policy: " (null when
 * allowed, or when nothing came within `wait` ms).
 */
async function observe(page, url, run, { wait = 3000 } = {}) {
  const errors = consoleErrors(page);
  const from = errors.length;
  const result = await run();
  const verdict = result.ok ? 'allowed' : /TypeError/.test(result.error || '') ? 'blocked' : 'error';
  let line = null;
  if (verdict === 'blocked') {
    const deadline = Date.now() + wait;
    while (!(line = corsLine(errors, from, url)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  return { result, verdict, consoleText: line === null ? null : chromiumReason(line), consoleLine: line };
}

/** fetch(url, init) in the page: { ok, status } or { ok: false, error }. */
function pageFetch(page, url, init) {
  return page.evaluate(
    async ({ url, init }) => {
      try {
        const res = await fetch(url, init);
        await res.text();
        return { ok: true, status: res.status };
      } catch (err) {
        return { ok: false, error: `${err.name}: ${err.message}` };
      }
    },
    { url, init }
  );
}

/** The `corsguard probe` arguments for fetch(url, init) from `origin`. */
function probeArgs(url, origin, init = {}) {
  const args = ['probe', url, '--origin', origin, '--method', (init.method || 'GET').toUpperCase()];
  const headers = init.headers || {};
  const entries = Array.isArray(headers) ? headers : Object.entries(headers);
  for (const [name, value] of entries) args.push('--header', `${name}: ${value}`);
  if (init.credentials === 'include') args.push('--credentials');
  args.push('--format', 'json');
  return args;
}

/**
 * Runs `corsguard probe` for fetch(url, init) from `origin`:
 * { args, code, report (the parsed JSON, or null), error (why not) }.
 */
function runProbe(url, origin, init, { timeout = 20000, format = 'json' } = {}) {
  const args = probeArgs(url, origin, init);
  if (format === 'text') args.splice(args.indexOf('--format'), 2);
  return new Promise((resolve) => {
    execFile(CORSGUARD, args, { encoding: 'utf8', timeout, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      if (code !== 0 && code !== 1) {
        const status = code ?? err.signal ?? err.code;
        resolve({ args, code, report: null, error: `exit ${status}: ${(stderr || '').trim()}` });
        return;
      }
      if (format === 'text') {
        resolve({ args, code, report: null, text: stdout, error: null });
        return;
      }
      try {
        resolve({ args, code, report: JSON.parse(stdout), error: null });
      } catch (parseError) {
        resolve({ args, code, report: null, error: `not JSON (${parseError.message}): ${stdout.slice(0, 300)}` });
      }
    });
  });
}

/**
 * Probes each case ({ id, url, origin, init, browserVerdict, consoleText,
 * expectMistake? }) and lists every difference from the browser:
 * [{ id, what, browser, probe }].
 */
async function compareWithProbe(cases) {
  const differences = [];
  for (const c of cases) {
    const { report, error, code } = await runProbe(c.url, c.origin, c.init);
    const row = (what, browser, probe) => differences.push({ id: c.id, what, browser, probe });
    if (!report) {
      row('probe ran', c.browserVerdict, error);
      continue;
    }
    if (report.verdict !== c.browserVerdict) row('verdict', c.browserVerdict, report.verdict);
    const exitWanted = c.browserVerdict === 'allowed' ? 0 : 1;
    if (code !== exitWanted) row('exit status', exitWanted, code);
    if (c.browserVerdict === 'blocked' && report.verdict === 'blocked') {
      const said = report.failure && report.failure.chromium;
      if (said !== c.consoleText) row('Chromium message', c.consoleText, said);
    }
    if (c.expectMistake) {
      const codes = (report.mistakes || []).map((m) => m.code);
      if (!codes.includes(c.expectMistake)) row('mistake named', c.expectMistake, codes.join(', ') || '(none)');
    }
    // The text output says the same: the verdict, Chromium's message, the mistake.
    const plain = await runProbe(c.url, c.origin, c.init, { format: 'text' });
    const text = plain.text || '';
    if (plain.code !== code) row('text exit status', code, plain.code);
    const verdictLine = c.browserVerdict === 'allowed' ? 'verdict: ALLOWED' : 'verdict: BLOCKED';
    if (!text.includes(verdictLine)) row('text verdict', verdictLine, text.split('\n').find((l) => l.startsWith('verdict')));
    if (c.browserVerdict === 'blocked' && c.consoleText && !text.includes(c.consoleText)) {
      row('text Chromium message', c.consoleText, '(not in the text output)');
    }
    if (c.expectMistake && !text.includes(`mistake [${c.expectMistake}]`)) {
      row('text mistake named', c.expectMistake, '(not in the text output)');
    }
  }
  return differences;
}

/** The differences as a plain-text table. */
function differenceTable(differences) {
  const head = ['scenario', 'what', 'Chromium', 'corsguard probe'];
  const rows = differences.map((d) => [d.id, d.what, String(d.browser), String(d.probe)]);
  const widths = head.map((h, i) => Math.min(90, Math.max(h.length, ...rows.map((r) => r[i].length))));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

module.exports = {
  CORSGUARD,
  whyProbeIsMissing,
  chromiumReason,
  consoleErrors,
  observe,
  pageFetch,
  probeArgs,
  runProbe,
  compareWithProbe,
  differenceTable,
};
