'use strict';

// The bytes on the wire, compared with cors@2.8.6's: answered preflights
// are written with one writeHead of a flat header array when nothing was
// set on the response before (else header by header, as cors does); both
// must send the same status line, header names, case, values, order and
// body. Raw sockets on loopback, so nothing is parsed or normalized; only
// the Date line is left out.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const net = require('node:net');
const cors = require('cors');
const corsguard = require('..');
const { rng, listen, close, quietWarnings } = require('./helpers');

quietWarnings();

const SEED = Number(process.env.CORSGUARD_SEED || 20250611) + 15;

/** Sends `text` on a new connection to `port` and resolves with every byte the server sent, the Date line removed. */
function exchange(port, text, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1').replace(/\r\nDate: [^\r]*/, '')));
    socket.end(text);
  });
}

function requestText(method, path, headers) {
  let text = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n`;
  for (const [name, value] of headers) text += `${name}: ${value}\r\n`;
  return text + '\r\n';
}

const CONFIGS = [
  undefined,
  { origin: 'https://a.example' },
  { origin: ['https://a.example', 'https://b.example'], credentials: true, maxAge: 600 },
  { origin: ['https://a.example', /^https:\/\/[a-z]+\.c\.example$/], credentials: true, exposedHeaders: ['X-Total'] },
  { origin: true, allowedHeaders: ['Content-Type', 'Authorization'], methods: ['GET', 'PUT'] },
  { origin: (origin, cb) => cb(null, origin), credentials: true, optionsSuccessStatus: 200 },
  { methods: '', allowedHeaders: [], exposedHeaders: 'X-A', maxAge: 0 },
  { origin: ['https://a.example'], allowedHeaders: '', credentials: 'true', maxAge: '1000' },
];

const REQUESTS = [
  [],
  [['Origin', 'https://a.example']],
  [
    ['Origin', 'https://a.example'],
    ['Access-Control-Request-Method', 'PUT'],
  ],
  [
    ['Origin', 'https://x.c.example'],
    ['Access-Control-Request-Method', 'PUT'],
    ['Access-Control-Request-Headers', 'content-type, x-request-id'],
  ],
  [
    ['Origin', 'https://evil.example'],
    ['Access-Control-Request-Headers', ''],
  ],
  [
    ['Origin', 'https://b.example'],
    ['Access-Control-Request-Headers', 'X-A,x-b'],
  ],
];

/**
 * A bare node:http server running `factory(config)` for /c<i>, before the
 * app: `before(res)` sets what an earlier middleware would (or nothing).
 */
function server(factory, before) {
  const middlewares = CONFIGS.map((o) => factory(o));
  return http.createServer((req, res) => {
    before(res);
    const i = Number(req.url.slice(2));
    middlewares[i](req, res, (err) => {
      res.statusCode = err ? 500 : 200;
      res.end(err ? 'error' : 'app');
    });
  });
}

const BEFORE = {
  'nothing set before': () => {},
  'a header set before': (res) => res.setHeader('X-Powered-By', 'test'),
  'Vary set before': (res) => res.setHeader('Vary', 'Accept-Encoding'),
  'the same header set before': (res) => res.setHeader('access-control-allow-origin', 'https://stale.example'),
};

for (const [label, before] of Object.entries(BEFORE)) {
  test(`the wire bytes of every preflight and request match cors@2.8.6 (node:http, ${label})`, async () => {
    const theirs = server(cors, before);
    const ours = server(corsguard, before);
    const [pt, po] = await Promise.all([listen(theirs), listen(ours)]);
    try {
      const r = rng(SEED);
      let compared = 0;
      for (let i = 0; i < CONFIGS.length; i++) {
        for (const headers of REQUESTS) {
          for (const method of ['OPTIONS', 'GET', r.pick(['POST', 'options', 'OPTIONS'])]) {
            const text = requestText(method, `/c${i}`, headers);
            // Twice each: the second answer comes from the memo.
            for (let k = 0; k < 2; k++) {
              const [a, b] = await Promise.all([exchange(pt, text), exchange(po, text)]);
              assert.equal(b, a, `config ${i}, ${JSON.stringify(text)}`);
              compared++;
            }
          }
        }
      }
      assert.equal(compared, CONFIGS.length * REQUESTS.length * 3 * 2);
    } finally {
      await Promise.all([close(theirs), close(ours)]);
    }
  });
}

test('a response whose writeHead is not Node\'s own is written header by header', () => {
  const calls = [];
  const res = new http.ServerResponse(new http.IncomingMessage(null));
  // A wrapper such as on-headers installs (it reads header arrays as pairs).
  const writeHead = res.writeHead;
  res.writeHead = function wrapped(...args) {
    calls.push(['writeHead', ...args]);
    return writeHead.apply(this, args);
  };
  const setHeader = res.setHeader;
  res.setHeader = function recorded(name, value) {
    calls.push(['setHeader', name, value]);
    return setHeader.call(this, name, value);
  };
  res.end = () => calls.push(['end']);
  const req = { method: 'OPTIONS', headers: { origin: 'https://a.example', 'access-control-request-method': 'PUT' }, url: '/' };
  corsguard({ origin: ['https://a.example'], credentials: true })(req, res, () => calls.push(['next']));
  assert.deepEqual(calls, [
    ['setHeader', 'Access-Control-Allow-Origin', 'https://a.example'],
    ['setHeader', 'Vary', 'Origin'],
    ['setHeader', 'Access-Control-Allow-Credentials', 'true'],
    ['setHeader', 'Access-Control-Allow-Methods', 'GET,HEAD,PUT,PATCH,POST,DELETE'],
    ['setHeader', 'Vary', 'Origin, Access-Control-Request-Headers'],
    ['setHeader', 'Content-Length', '0'],
    ['end'],
  ]);
});
