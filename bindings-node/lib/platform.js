'use strict';

// The platform key napi-rs names addons and platform packages by
// (`corsguard.<key>.node`, `corsguard-<key>`): the OS, the CPU and, on
// Linux, the C library the running Node was linked against.

/** True when this Node runs on musl (Alpine), false on glibc. */
function isMusl() {
  // A glibc Node reports its runtime glibc version; a musl one reports none.
  const report = process.report && typeof process.report.getReport === 'function' ? process.report.getReport() : null;
  if (report) {
    const header = typeof report === 'string' ? JSON.parse(report).header : report.header;
    return !header.glibcVersionRuntime;
  }
  try {
    return require('node:fs').readFileSync('/usr/bin/ldd', 'utf8').includes('musl');
  } catch {
    return true;
  }
}

/** `linux-x64-gnu`, `linux-arm64-musl`, `darwin-arm64`, `win32-x64-msvc`... */
function platformKey(platform = process.platform, arch = process.arch) {
  if (platform === 'linux') {
    const musl = isMusl();
    if (arch === 'arm') return musl ? 'linux-arm-musleabihf' : 'linux-arm-gnueabihf';
    return `linux-${arch}-${musl ? 'musl' : 'gnu'}`;
  }
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

module.exports = { platformKey };
