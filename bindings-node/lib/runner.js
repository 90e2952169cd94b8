'use strict';

// Runs requests through one native policy (a loaded document: one served
// policy, or several picked by routes). The core is a pure function of the
// served policy and the request's method, Origin,
// Access-Control-Request-Method, -Headers, -Private-Network and the host's
// verdict, so answers are memoized on exactly those inputs (one memo for
// all served policies, its entries keyed by the policy's index too):
// repeated requests skip the native call.
// The memo is bounded by entries and by bytes (cleared when either is
// reached), inputs too long to be worth keeping are never stored, and it
// steps aside when inputs rarely repeat: filling it would then cost more
// than the native calls it saves. So hostile inputs cannot grow it.

const { prepareShape } = require('./write');
const { METHOD_CODES } = require('./native');

const UNCACHED = 0xffffffff;
// The memo's key for a present Origin when the served policy answers every
// origin alike (the core says so: `originMatters`), so that a request from
// a new origin is still a memo hit. Not a string: no Origin can equal it.
const ANY_ORIGIN = Symbol('any origin');
// The same for a caller that writes headers only (no refusal hook), when
// the core says the headers cannot depend on the origin although the
// verdict can (`headersMatter`: a fixed origin sent to everyone). Its own
// key, so that a caller that needs the verdict never reuses such an answer.
const ANY_ORIGIN_HEADERS = Symbol('any origin, headers only');
// The same for an origin the host's verdict admitted (a RegExp, a
// callback), when the core says every admitted origin gets one answer but
// for its echo (`admittedOriginMatters`): so the list-plus-RegExp options
// answer a new origin from the memo too. Only for a non-empty Origin
// without CR, LF or NUL, the values that promise covers.
const ADMITTED_ORIGIN = Symbol('an admitted origin');
const ORIGIN_MATTERS = 0;
const HEADERS_FREE = 1;
const ANSWER_FREE = 2;
const MEMO_LIMIT = 4096;
// Bytes a memo may hold: its keys at two bytes per character, plus an
// estimate of the Map nodes and id arrays around each entry.
const MEMO_BYTES = 256 * 1024;
const ENTRY_OVERHEAD = 96;
// Requests whose method, Origin and -Headers are longer than this in all
// skip the memo (real origins and header lists are far shorter).
const MEMO_KEY_CHARS = 512;

class Runner {
  constructor(native) {
    this.native = native;
    this.shapes = [];
    // Per served policy: method -> Origin -> -Headers -> ids. `memo` is
    // policy 0's (the only one without routes).
    this.memo = new Map();
    this.memos = [this.memo];
    this.memoSize = 0;
    this.memoBytes = 0;
    this.hits = 0;
    // Calls left to make without the memo after it proved useless.
    this.bypass = 0;
    // Per served policy, what the Origin's value changes, asked of the core
    // once: ORIGIN_MATTERS, HEADERS_FREE (not the headers, only the verdict)
    // or ANSWER_FREE (nothing).
    this.freedom = [];
    // Per served policy, whether an admitted origin's answer depends on its
    // value beyond the echo (asked of the core once).
    this.admittedFreedom = [];
    // The last answer and its inputs (one request's strings, at most
    // MEMO_KEY_CHARS of them): a request like the one before is answered
    // with a few comparisons, before any memo lookup.
    this.last = { index: -1, method: undefined, origin: undefined, requestHeaders: undefined, rest: null, slot: 0, shape: null };
  }

  /** The most bytes the memo holds (what a cache of runners charges for it). */
  get memoBudget() {
    return MEMO_BYTES;
  }

  /**
   * The shape of a native answer id of served policy `index` (UNCACHED: a
   * one-off answer). Ids name their policy, so one table serves them all.
   */
  shapeOf(id, index) {
    if (id === UNCACHED) return prepareShape(this.native.shape(id), this.native, index);
    let shape = this.shapes[id];
    if (shape === undefined) {
      shape = prepareShape(this.native.shape(id), this.native, index);
      this.shapes[id] = shape;
    }
    return shape;
  }

  /** What the Origin's value changes for served policy `index` (asked of the core once). */
  freedomOf(index) {
    let freedom = this.freedom[index];
    if (freedom === undefined) {
      if (this.native.originMatters(index) === false) freedom = ANSWER_FREE;
      else freedom = this.native.headersMatter(index) === false ? HEADERS_FREE : ORIGIN_MATTERS;
      this.freedom[index] = freedom;
    }
    return freedom;
  }

  /** Whether served policy `index` answers every admitted origin alike but for the echo (asked of the core once). */
  admittedFree(index) {
    let free = this.admittedFreedom[index];
    if (free === undefined) {
      free = this.native.admittedOriginMatters(index) === false;
      this.admittedFreedom[index] = free;
    }
    return free;
  }

  /** The native answer id: one call, its inputs packed as the addon's `answer` takes them. */
  run(index, method, origin, requestMethod, requestHeaders, privateNetwork, verdict) {
    const methodCode = method === undefined ? undefined : METHOD_CODES.get(method);
    const code = (index << 8) | ((methodCode === undefined ? 0 : methodCode) << 2) | (verdict === undefined ? 0 : verdict ? 2 : 1);
    if (requestMethod === undefined && privateNetwork === undefined) {
      return methodCode === undefined
        ? this.native.answer(code, origin, requestHeaders, method)
        : this.native.answer(code, origin, requestHeaders);
    }
    return this.native.answer(code, origin, requestHeaders, method, requestMethod, privateNetwork);
  }

  /**
   * The shape of the answer of served policy `index` (0, the only one
   * without routes; with routes, what `native.route(path)` gave). Arguments
   * are strings or undefined; `verdict` is undefined, false or true.
   */
  shape(method, origin, requestMethod, requestHeaders, privateNetwork, verdict, index = 0) {
    // Access-Control-Request-Method and -Private-Network share one key,
    // built only when either is present (the drop-in never passes them).
    const rest = requestMethod !== undefined || privateNetwork !== undefined ? JSON.stringify([requestMethod, privateNetwork]) : null;
    return this.answer(method, origin, requestHeaders, verdict, index, requestMethod, privateNetwork, rest);
  }

  /**
   * `shape` for a request without Access-Control-Request-Method and
   * -Private-Network (the drop-in's), or with `rest`, their key.
   */
  answer(method, origin, requestHeaders, verdict, index = 0, requestMethod = undefined, privateNetwork = undefined, rest = null, headersOnly = false) {
    let key = origin;
    if (origin !== undefined) {
      const freedom = this.freedomOf(index);
      if (freedom === ANSWER_FREE) key = ANY_ORIGIN;
      else if (freedom === HEADERS_FREE && headersOnly) key = ANY_ORIGIN_HEADERS;
      else if (verdict === true && this.admittedFree(index) && origin !== '' && !unsafe(origin)) key = ADMITTED_ORIGIN;
    }
    const free = key !== origin;
    const slot = verdict === undefined ? 0 : verdict ? 2 : 1;
    const last = this.last;
    if (
      last.index === index &&
      last.method === method &&
      last.origin === key &&
      last.requestHeaders === requestHeaders &&
      last.slot === slot &&
      last.rest === rest
    ) {
      this.hits++;
      return last.shape;
    }
    const chars =
      length(method) + (free ? 0 : length(origin)) + length(requestHeaders) + length(requestMethod) + length(privateNetwork);
    if (chars > MEMO_KEY_CHARS) {
      return this.shapeOf(this.run(index, method, origin, requestMethod, requestHeaders, privateNetwork, verdict), index);
    }
    let shape;
    if (this.bypass > 0) {
      this.bypass--;
      const id = this.run(index, method, origin, requestMethod, requestHeaders, privateNetwork, verdict);
      shape = this.shapeOf(id, index);
      if (id === UNCACHED) return shape;
    } else {
      const known = this.lookup(index, method, key, requestHeaders, rest, slot);
      if (known !== -1) {
        this.hits++;
        shape = this.shapes[known];
      } else {
        const id = this.run(index, method, origin, requestMethod, requestHeaders, privateNetwork, verdict);
        shape = this.shapeOf(id, index);
        if (id === UNCACHED) return shape;
        const cost = 2 * chars + ENTRY_OVERHEAD;
        if (this.memoSize >= MEMO_LIMIT || this.memoBytes + cost > MEMO_BYTES) this.reset();
        this.store(index, method, key, requestHeaders, rest, slot, id);
        this.memoSize++;
        this.memoBytes += cost;
      }
    }
    last.index = index;
    last.method = method;
    last.origin = key;
    last.requestHeaders = requestHeaders;
    last.rest = rest;
    last.slot = slot;
    last.shape = shape;
    return shape;
  }

  /** The memoized answer id, or -1. */
  lookup(index, method, origin, requestHeaders, rest, slot) {
    const memo = this.memos[index];
    const byOrigin = memo === undefined ? undefined : memo.get(method);
    const byHeaders = byOrigin === undefined ? undefined : byOrigin.get(origin);
    const node = byHeaders === undefined ? undefined : byHeaders.get(requestHeaders);
    if (node === undefined) return -1;
    const ids = rest === null ? node.ids : node.rest === null ? undefined : node.rest.get(rest);
    return ids === undefined ? -1 : ids[slot];
  }

  /** Memoizes answer `id`. */
  store(index, method, origin, requestHeaders, rest, slot, id) {
    let memo = this.memos[index];
    if (memo === undefined) {
      memo = new Map();
      this.memos[index] = memo;
    }
    let byOrigin = memo.get(method);
    if (byOrigin === undefined) {
      byOrigin = new Map();
      memo.set(method, byOrigin);
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
    let ids = node.ids;
    if (rest !== null) {
      if (node.rest === null) node.rest = new Map();
      ids = node.rest.get(rest);
      if (ids === undefined) {
        ids = [-1, -1, -1];
        node.rest.set(rest, ids);
      }
    }
    ids[slot] = id;
  }
  /** Empties a full memo. */
  reset() {
    // Fewer hits than entries since the last clear: the inputs do not repeat
    // (many distinct origins, or hostile traffic), so skip the memo a while.
    if (this.hits < this.memoSize) this.bypass = 16 * MEMO_LIMIT;
    this.memo.clear();
    this.memos.length = 1;
    this.memoSize = 0;
    this.memoBytes = 0;
    this.hits = 0;
  }
}

/**
 * Whether `value` holds CR, LF or NUL: what Node's HTTP parser never lets
 * into a header value, and the core refuses in a configured one (deviation
 * 1 in the README). indexOf is several times faster than a RegExp here.
 */
function unsafe(value) {
  return value.indexOf('\r') !== -1 || value.indexOf('\n') !== -1 || value.indexOf('\0') !== -1;
}

function length(value) {
  return value === undefined ? 0 : value.length;
}

module.exports = { Runner, unsafe };
