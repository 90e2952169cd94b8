'use strict';

// Writes a decision shape onto a Node response: the header pairs in the
// order the core listed them, `Vary` added (never overwritten) by the core's
// `merge_vary` as the profile says, and, for an answered preflight, the
// status and an empty (or the profile's) body.

const SOURCE_CONST = 0;
const SOURCE_ORIGIN = 1;
const SOURCE_REQUEST_HEADERS = 2;

/**
 * A shape from the addon, prepared for writing. `policy` is the native
 * policy (its `mergeVary` merges a response's Vary as the profile of served
 * policy `index` says); `fresh[i]` is what a Vary slot writes onto a
 * response without one, asked of the core once.
 */
function prepareShape(native, policy, index = 0) {
  const n = native.names.length;
  const isVary = new Array(n);
  const fresh = new Array(n);
  for (let i = 0; i < n; i++) {
    isVary[i] = native.names[i] === 'Vary';
    if (isVary[i] && native.values[i] != null) fresh[i] = policy.mergeVary('', native.values[i], index);
  }
  return {
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
    policy,
    index,
    count: n,
  };
}

/** Adds the decision's Vary `value` to the response's (slot `i` of `shape`). */
function addVary(shape, i, res, value) {
  // A missing or empty Vary, as the `vary` package reads one.
  const current = res.getHeader('Vary') || '';
  const existing = Array.isArray(current) ? current.join(', ') : String(current);
  const merged = current === '' ? shape.fresh[i] : shape.policy.mergeVary(existing, value, shape.index);
  if (merged) res.setHeader('Vary', merged);
}

/** Sets the shape's headers; `origin` and `requestHeaders` are the request's strings. */
function writeHeaders(shape, res, origin, requestHeaders) {
  const { names, sources, values, isVary } = shape;
  for (let i = 0; i < shape.count; i++) {
    const source = sources[i];
    const value =
      source === SOURCE_ORIGIN ? origin : source === SOURCE_REQUEST_HEADERS ? requestHeaders : values[i];
    if (isVary[i]) addVary(shape, i, res, value);
    else res.setHeader(names[i], value);
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
