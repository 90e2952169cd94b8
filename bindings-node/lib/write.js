'use strict';

// Writes a decision shape onto a Node response: the header pairs in the
// order the core listed them, `Vary` added (never overwritten) by the core's
// `merge_vary` as the profile says, and, for an answered preflight, the
// status and an empty (or the profile's) body.

const { ServerResponse } = require('node:http');

const SOURCE_CONST = 0;
const SOURCE_ORIGIN = 1;
const SOURCE_REQUEST_HEADERS = 2;

// Node's own writeHead: given a flat [name, value, ...] array on a
// response with no header set yet, it hands the array to the serializer
// as it is, which writes the same bytes as setting each pair with
// setHeader and ending the response (the same names, values and order).
const NODE_WRITE_HEAD = ServerResponse.prototype.writeHead;

/**
 * A shape from the addon, prepared for writing. `policy` is the native
 * policy (its `mergeVary` merges a response's Vary as the profile of served
 * policy `index` says). Everything a request's answer does not change is
 * worked out here, once per shape: which slots are `Vary`, the Vary each
 * one leaves on a response that had none (`fresh`, asked of the core), and
 * for an answered preflight the whole head as one flat array (`head`),
 * with the places of the request's own values (`headOrigin`,
 * `headRequestHeaders`, -1 when absent) to fill in.
 */
function prepareShape(native, policy, index = 0) {
  const n = native.names.length;
  const isVary = new Array(n);
  const fresh = new Array(n);
  let varies = false;
  // The Vary each slot leaves when the ones before it were this shape's own.
  let vary = '';
  for (let i = 0; i < n; i++) {
    isVary[i] = native.names[i] === 'Vary';
    if (isVary[i]) {
      varies = true;
      if (native.values[i] != null) {
        vary = policy.mergeVary(vary, native.values[i], index);
        fresh[i] = vary;
      }
    }
  }
  const shape = {
    status: native.status,
    body: native.body == null ? null : native.body,
    // The core's reason code when it refused the request, else null.
    refusal: native.refusal == null ? null : native.refusal,
    // The request's kind as the core judged it: 'preflight', 'actual', ...
    kind: native.kind,
    names: native.names,
    sources: native.sources,
    values: native.values,
    isVary,
    fresh,
    varies,
    policy,
    index,
    count: n,
    head: null,
    headOrigin: -1,
    headRequestHeaders: -1,
  };
  if (shape.status !== -1) prepareHead(shape);
  return shape;
}

/**
 * The flat head of an answered preflight, as writeHeaders and respond
 * would leave it on a response that had no header: each name where it was
 * first set, Vary with the value the last Vary slot leaves, values that
 * are empty or absent left out (as addVary and setHeader skip them), then
 * the body's headers. Not built (null) when a value is not a string.
 */
function prepareHead(shape) {
  const head = [];
  const { names, sources, values, isVary, fresh } = shape;
  let varyAt = -1;
  for (let i = 0; i < shape.count; i++) {
    const source = sources[i];
    if (isVary[i]) {
      if (source !== SOURCE_CONST && source !== 3) return;
      if (!fresh[i]) continue;
      if (varyAt === -1) {
        varyAt = head.length + 1;
        head.push('Vary', fresh[i]);
      } else {
        head[varyAt] = fresh[i];
      }
    } else if (source === SOURCE_ORIGIN) {
      if (shape.headOrigin !== -1) return;
      shape.headOrigin = head.length + 1;
      head.push(names[i], '');
    } else if (source === SOURCE_REQUEST_HEADERS) {
      if (shape.headRequestHeaders !== -1) return;
      shape.headRequestHeaders = head.length + 1;
      head.push(names[i], '');
    } else {
      if (typeof values[i] !== 'string') return;
      // A name set twice keeps its first place and its last value.
      const at = nameAt(head, names[i]);
      if (at !== -1) head[at + 1] = values[i];
      else head.push(names[i], values[i]);
    }
  }
  if (shape.body === null) {
    head.push('Content-Length', '0');
  } else {
    head.push('Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(Buffer.byteLength(shape.body)));
  }
  shape.head = head;
}

/** Where `name` is in a flat head (its even places), or -1. */
function nameAt(head, name) {
  for (let i = 0; i < head.length; i += 2) if (head[i] === name) return i;
  return -1;
}

/** Adds the decision's Vary `value` to the response's (slot `i` of `shape`). */
function addVary(shape, i, res, value) {
  // A missing or empty Vary, as the `vary` package reads one.
  const current = res.getHeader('Vary') || '';
  const existing = Array.isArray(current) ? current.join(', ') : String(current);
  const merged = current === '' ? shape.fresh[i] : shape.policy.mergeVary(existing, value, shape.index);
  if (merged) res.setHeader('Vary', merged);
  return current === '';
}

/** Sets the shape's headers; `origin` and `requestHeaders` are the request's strings. */
function writeHeaders(shape, res, origin, requestHeaders) {
  const { names, sources, values, isVary } = shape;
  // Once a Vary slot found no Vary on the response, the later ones need not
  // read it back: it holds what the earlier slots of this shape left.
  let own = false;
  for (let i = 0; i < shape.count; i++) {
    const source = sources[i];
    const value =
      source === SOURCE_ORIGIN ? origin : source === SOURCE_REQUEST_HEADERS ? requestHeaders : values[i];
    if (isVary[i]) {
      if (own && source === SOURCE_CONST) {
        if (shape.fresh[i]) res.setHeader('Vary', shape.fresh[i]);
      } else {
        own = addVary(shape, i, res, value) && source === SOURCE_CONST;
      }
    } else res.setHeader(names[i], value);
  }
}

/**
 * Writes an answered preflight and ends it: with one writeHead of the
 * prepared flat head when the response is a node:http one with Node's own
 * writeHead and nothing set on it yet (then the bytes are the same as
 * below), else header by header and `end()`. Returns nothing.
 */
function answerPreflight(shape, res, origin, requestHeaders) {
  const head = shape.head;
  if (
    head !== null &&
    res.writeHead === NODE_WRITE_HEAD &&
    !res.headersSent &&
    res.getHeaderNames().length === 0 &&
    // A request value that is absent or empty is not written (setHeader
    // is skipped for it): the header-by-header path handles that.
    (shape.headOrigin === -1 || (typeof origin === 'string' && origin !== '')) &&
    (shape.headRequestHeaders === -1 || (typeof requestHeaders === 'string' && requestHeaders !== ''))
  ) {
    let out = head;
    if (shape.headOrigin !== -1 || shape.headRequestHeaders !== -1) {
      out = head.slice();
      if (shape.headOrigin !== -1) out[shape.headOrigin] = origin;
      if (shape.headRequestHeaders !== -1) out[shape.headRequestHeaders] = requestHeaders;
    }
    res.writeHead(shape.status, out);
    if (shape.body === null) res.end();
    else res.end(shape.body);
    return;
  }
  writeHeaders(shape, res, origin, requestHeaders);
  respond(shape, res);
}

/** Ends an answered preflight. */
function respond(shape, res) {
  res.statusCode = shape.status;
  if (shape.body === null) {
    res.setHeader('Content-Length', '0');
    res.end();
  } else {
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Content-Length', String(Buffer.byteLength(shape.body)));
    res.end(shape.body);
  }
}

module.exports = { prepareShape, writeHeaders, respond, answerPreflight, SOURCE_CONST };
