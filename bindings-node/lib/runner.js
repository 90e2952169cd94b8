'use strict';

// Runs requests through one native policy. The core is a pure function of
// the request's method, Origin, Access-Control-Request-Method, -Headers,
// -Private-Network and the host's verdict, so answers are memoized on
// exactly those inputs: repeated requests skip the native call.
// The memo is bounded (cleared when full), so hostile inputs cannot grow it,
// and it steps aside when inputs rarely repeat: filling it would then cost
// more than the native calls it saves.

const { prepareShape } = require('./write');

const UNCACHED = 0xffffffff;
const MEMO_LIMIT = 4096;

class Runner {
  constructor(native) {
    this.native = native;
    this.joinVary = native.varyMerge === 'join';
    this.shapes = [];
    this.memo = new Map();
    this.memoSize = 0;
    this.hits = 0;
    // Calls left to make without the memo after it proved useless.
    this.bypass = 0;
  }

  /** The shape of a native answer id (UNCACHED: a one-off answer). */
  shapeOf(id) {
    if (id === UNCACHED) return prepareShape(this.native.shape(id), this.joinVary);
    let shape = this.shapes[id];
    if (shape === undefined) {
      shape = prepareShape(this.native.shape(id), this.joinVary);
      this.shapes[id] = shape;
    }
    return shape;
  }

  /**
   * The shape of the answer. Arguments are strings or undefined; `verdict`
   * is undefined, false or true.
   */
  shape(method, origin, requestMethod, requestHeaders, privateNetwork, verdict) {
    if (this.bypass > 0) {
      this.bypass--;
      return this.shapeOf(this.native.run(method, origin, requestMethod, requestHeaders, privateNetwork, verdict));
    }
    let byOrigin = this.memo.get(method);
    if (byOrigin === undefined) {
      byOrigin = new Map();
      this.memo.set(method, byOrigin);
    }
    let byHeaders = byOrigin.get(origin);
    if (byHeaders === undefined) {
      byHeaders = new Map();
      byOrigin.set(origin, byHeaders);
    }
    let node = byHeaders.get(requestHeaders);
    if (node === undefined) {
      node = { ids: [-1, -1, -1], rest: null };
      byHeaders.set(requestHeaders, node);
    }
    // Access-Control-Request-Method and -Private-Network share one key,
    // built only when either is present (the drop-in never passes them).
    let ids = node.ids;
    if (requestMethod !== undefined || privateNetwork !== undefined) {
      if (node.rest === null) node.rest = new Map();
      const key = JSON.stringify([requestMethod, privateNetwork]);
      ids = node.rest.get(key);
      if (ids === undefined) {
        ids = [-1, -1, -1];
        node.rest.set(key, ids);
      }
    }
    const slot = verdict === undefined ? 0 : verdict ? 2 : 1;
    const known = ids[slot];
    if (known !== -1) {
      this.hits++;
      return this.shapes[known];
    }

    const id = this.native.run(method, origin, requestMethod, requestHeaders, privateNetwork, verdict);
    const shape = this.shapeOf(id);
    if (id === UNCACHED) return shape;
    if (this.memoSize >= MEMO_LIMIT) {
      // Mostly misses since the last clear: the inputs do not repeat (many
      // distinct origins, or hostile traffic), so skip the memo for a while.
      if (this.hits < MEMO_LIMIT) this.bypass = 16 * MEMO_LIMIT;
      this.memo.clear();
      this.memoSize = 0;
      this.hits = 0;
      return shape;
    }
    ids[slot] = id;
    this.memoSize++;
    return shape;
  }
}

module.exports = { Runner };
