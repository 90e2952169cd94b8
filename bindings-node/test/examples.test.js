'use strict';

// Every policy document under examples/ (a JSON object with a numeric
// `version`, or a `$schema` naming policy.schema.json) loads through
// Policy.fromJSON, as the example servers load them.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { Policy } = require('..');

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

/** The *.json files under `dir` (node_modules and build output left out), bounded in depth. */
function jsonFiles(dir, depth = 0) {
  if (depth > 8) return [];
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'target' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...jsonFiles(full, depth + 1));
    else if (entry.isFile() && entry.name.endsWith('.json')) out.push(full);
  }
  return out.sort();
}

function isPolicyDocument(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const schema = typeof value.$schema === 'string' && value.$schema.endsWith('policy.schema.json');
  return schema || typeof value.version === 'number';
}

const documents = jsonFiles(EXAMPLES).filter((file) => isPolicyDocument(JSON.parse(fs.readFileSync(file, 'utf8'))));

test('examples/ holds policy documents (the demo policy at least)', () => {
  assert.ok(documents.includes(path.join(EXAMPLES, 'demo', 'policy.json')), documents.join(', '));
});

for (const file of documents) {
  test(`examples: ${path.relative(EXAMPLES, file)} loads with Policy.fromJSON`, () => {
    const text = fs.readFileSync(file, 'utf8');
    const policy = Policy.fromJSON(text);
    assert.ok(['small', 'default', 'large'].includes(policy.sizeClass));
    // The same document as an object and as bytes loads too.
    Policy.fromJSON(JSON.parse(text));
    Policy.fromJSON(fs.readFileSync(file));
  });
}
