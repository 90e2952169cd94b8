'use strict';

// Writes a decision shape onto a Node response: the header pairs in the
// order the core listed them, `Vary` added (never overwritten), and, for an
// answered preflight, the status and an empty (or the profile's) body.

const vary = require('vary');

const SOURCE_CONST = 0;
const SOURCE_ORIGIN = 1;
const SOURCE_REQUEST_HEADERS = 2;

/** A shape from the addon, prepared for writing. */
function prepareShape(native, joinVary) {
  const n = native.names.length;
  const isVary = new Array(n);
  for (let i = 0; i < n; i++) isVary[i] = native.names[i] === 'Vary';
  return {
    status: native.status,
    body: native.body == null ? null : native.body,
    names: native.names,
    sources: native.sources,
    values: native.values,
    isVary,
    joinVary,
    count: n,
  };
}

/** Adds `value` to the response's Vary by joining (Starlette's way). */
function joinVary(res, value) {
  const current = res.getHeader('Vary');
  if (current === undefined || current === null || current === '') {
    res.setHeader('Vary', value);
  } else {
    const text = Array.isArray(current) ? current.join(', ') : String(current);
    res.setHeader('Vary', text + ', ' + value);
  }
}

/** Sets the shape's headers; `origin` and `requestHeaders` are the request's strings. */
function writeHeaders(shape, res, origin, requestHeaders) {
  const { names, sources, values, isVary } = shape;
  for (let i = 0; i < shape.count; i++) {
    const source = sources[i];
    const value =
      source === SOURCE_ORIGIN ? origin : source === SOURCE_REQUEST_HEADERS ? requestHeaders : values[i];
    if (isVary[i]) {
      if (shape.joinVary) joinVary(res, value);
      else vary(res, value);
    } else {
      res.setHeader(names[i], value);
    }
  }
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

module.exports = { prepareShape, writeHeaders, respond, SOURCE_CONST };
