'use strict';

// The drop-in warns about the core's findings (the same ones the Python
// drop-ins report and the strict Policy refuses), naming cors's options.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');

// Each case in a fresh process: warnings are emitted once per process.
function warningsOf(options) {
  const script = `
    const cors = require(${JSON.stringify(require.resolve('..'))});
    const seen = [];
    process.removeAllListeners('warning');
    process.on('warning', (w) => seen.push({ code: w.code, message: w.message }));
    cors(${options});
    setImmediate(() => process.stdout.write(JSON.stringify(seen)));
  `;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

const CASES = [
  ["{ origin: 'https://app.example.com/' }", 'CORSGUARD_MALFORMED_ORIGIN', 'origin `https://app.example.com/`'],
  ["{ origin: ['https://*.com'] }", 'CORSGUARD_MALFORMED_ORIGIN', 'origin `https://*.com`'],
  ["{ origin: ['https://*.co.uk'] }", 'CORSGUARD_MALFORMED_ORIGIN', 'origin `https://*.co.uk`'],
  ["{ methods: 'get,POST' }", 'CORSGUARD_METHOD_NOT_NORMALIZED', 'methods `get`'],
  ['{ maxAge: 1e9 }', 'CORSGUARD_MAX_AGE_OUT_OF_RANGE', 'maxAge 1000000000'],
  ["{ allowedHeaders: ['content-type', 'cookie'] }", 'CORSGUARD_FORBIDDEN_REQUEST_HEADER', 'allowedHeaders `cookie`'],
  ["{ exposedHeaders: 'x-total,set-cookie' }", 'CORSGUARD_FORBIDDEN_RESPONSE_HEADER', 'exposedHeaders `set-cookie`'],
  ["{ origin: '*', credentials: true }", 'CORSGUARD_WILDCARD_ORIGIN_WITH_CREDENTIALS', 'origin `*` with credentials'],
];

for (const [options, code, start] of CASES) {
  test(`cors(${options}) warns ${code}, naming the option as cors spells it`, () => {
    const seen = warningsOf(options);
    assert.equal(seen.length, 1, JSON.stringify(seen));
    assert.equal(seen[0].code, code);
    assert.ok(seen[0].message.startsWith('corsguard: ' + start), seen[0].message);
    assert.doesNotMatch(seen[0].message, /allowed_origins|allowed_methods|max_age/);
  });
}

test('a clean configuration warns about nothing', () => {
  const seen = warningsOf(
    "{ origin: ['https://app.example.com', /^https:\\/\\/[a-z]+\\.example\\.org$/], methods: 'GET,PUT', allowedHeaders: 'content-type', maxAge: 600, credentials: true }"
  );
  assert.deepEqual(seen, []);
});
