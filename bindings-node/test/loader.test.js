'use strict';

// The loader: the platform key napi-rs names addons by, and the error when
// no addon loads (neither a source build nor the platform package).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { platformKey } = require('../lib/platform');
const native = require('../lib/native');

test('the platform key is the one napi-rs names this platform by', () => {
  assert.equal(platformKey('win32', 'x64'), 'win32-x64-msvc');
  assert.equal(platformKey('darwin', 'arm64'), 'darwin-arm64');
  const key = platformKey();
  if (process.platform === 'linux' && process.arch !== 'arm') {
    const gnu = Boolean(process.report.getReport().header.glibcVersionRuntime);
    assert.equal(key, `linux-${process.arch}-${gnu ? 'gnu' : 'musl'}`);
  }
  // The addon that loaded here is the source build, named by that key.
  assert.equal(native.ADDON_FILE, path.join(__dirname, '..', `corsguard.${key}.node`));
});

test('without an addon, require names the platform, the package and how to build one', () => {
  // The JS alone, where neither ../corsguard.<key>.node nor the package exists.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corsguard-noaddon-'));
  try {
    fs.cpSync(path.join(__dirname, '..', 'lib'), path.join(dir, 'lib'), { recursive: true });
    fs.copyFileSync(path.join(__dirname, '..', 'index.js'), path.join(dir, 'index.js'));
    let stderr = '';
    try {
      execFileSync(process.execPath, ['-e', 'require(process.argv[1])', path.join(dir, 'index.js')], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, NODE_PATH: '' },
      });
      assert.fail('require succeeded without an addon');
    } catch (error) {
      stderr = String(error.stderr);
    }
    const key = platformKey();
    assert.match(stderr, new RegExp(`no native addon loads for this platform \\(${key}\\)`));
    assert.ok(stderr.includes(`corsguard.${key}.node: Cannot find module`), stderr);
    assert.ok(stderr.includes(`the package corsguard-${key}: Cannot find module 'corsguard-${key}'`), stderr);
    assert.ok(stderr.includes('make -C bindings-node'), stderr);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
