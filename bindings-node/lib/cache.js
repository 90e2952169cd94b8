'use strict';

// A cache bounded twice: by its number of entries and by a byte budget
// (keys at two bytes per character, a JS string's worst case, plus what the
// caller says each value costs). When either bound would be passed, the
// least recently used entries are evicted first; an entry that alone
// exceeds the budget is not stored at all.

class BoundedCache {
  /**
   * @param {number} maxEntries the count bound
   * @param {number} maxBytes the byte budget
   */
  constructor(maxEntries, maxBytes) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.map = new Map();
    this.bytes = 0;
  }

  get(key) {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    // Map keeps insertion order: moving a hit to the end makes the first
    // key the least recently used.
    this.map.delete(key);
    this.map.set(key, entry);
    return entry.value;
  }

  /** Stores `value` (which costs `valueBytes` beyond its key); returns it. */
  set(key, value, valueBytes = 0) {
    const cost = keyBytes(key) + valueBytes;
    const old = this.map.get(key);
    if (old !== undefined) {
      this.map.delete(key);
      this.bytes -= old.cost;
    }
    if (cost > this.maxBytes) return value;
    // Each pass removes one entry, so this ends after at most size passes.
    while (this.map.size > 0 && (this.map.size >= this.maxEntries || this.bytes + cost > this.maxBytes)) {
      const [oldest, entry] = this.map.entries().next().value;
      this.map.delete(oldest);
      this.bytes -= entry.cost;
    }
    this.map.set(key, { value, cost });
    this.bytes += cost;
    return value;
  }

  get size() {
    return this.map.size;
  }

  clear() {
    this.map.clear();
    this.bytes = 0;
  }
}

/** What a key costs: strings at two bytes per character, anything else 8. */
function keyBytes(key) {
  return typeof key === 'string' ? 2 * key.length : 8;
}

module.exports = { BoundedCache, keyBytes };
