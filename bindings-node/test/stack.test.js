'use strict';

// Building a policy needs only a small native stack. Node runs a Worker's JS
// and native code on one thread, which it creates with the stack size
// `resourceLimits.stackSizeMb` asks for; JS may use all but the last 192 KiB
// (the smallest stack Node accepts), which are left to native code. So native
// code can never be given less than 192 KiB, and the 16 KiB bound itself is
// measured in Rust and C (the addon builds with the same code). What is
// tested here: small, default and large policies build in a Worker with a
// 320 KiB stack (192 KiB for native code, 128 KiB for JS, which loading the
// modules needs), where building them by value used to crash.
// Each run is a child process: an overflow is a SIGSEGV that fails the test
// instead of killing the test runner.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');

const WORKER = `
const { parentPort } = require('node:worker_threads');
const { load } = require(${JSON.stringify(path.join(root, 'lib', 'native.js'))});
const origins = (n) => Array.from({ length: n }, (_, i) => 'https://host-' + i + '.example');
const built = [];
// 200 origins need the default class; 1000 need the large one.
for (const n of [2, 200, 1000]) {
  const policy = load(JSON.stringify({ version: 1, allowOrigins: origins(n), allowCredentials: true }));
  const decision = policy.evaluate(undefined, 'GET', 'https://host-1.example');
  built.push(policy.sizeClass + ':' + decision.outcome);
}
parentPort.postMessage(built.join(' '));
`;

const MAIN = `
const { Worker } = require('node:worker_threads');
const stackSizeMb = Number(process.argv[1]);
const worker = new Worker(process.argv[2], { eval: true, resourceLimits: { stackSizeMb } });
worker.on('message', (m) => console.log(m));
worker.on('error', (e) => { console.error(e); process.exit(1); });
`;

function buildInWorker(stackSizeMb) {
  return spawnSync(process.execPath, ['-e', MAIN, String(stackSizeMb), WORKER], {
    encoding: 'utf8',
    timeout: 60000,
  });
}

test('small, default and large policies build in a Worker with a 320 KiB stack', () => {
  const result = buildInWorker(0.3125);
  assert.equal(result.signal, null, `the worker crashed: ${result.stderr}`);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), 'small:allowed default:allowed large:allowed');
});
