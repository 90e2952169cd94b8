'use strict';

// index.d.ts's PolicyDocument follows the policy document's JSON Schema
// (policy.schema.json at the repository root, the core's grammar): every
// key, and the enums written as unions (profile, preflightDetection).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'policy.schema.json'), 'utf8'));
const typings = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8');

/** The body of `interface PolicyDocument { ... }` (its closing brace is the first at two spaces). */
function policyDocument() {
  const start = typings.indexOf('interface PolicyDocument {');
  assert.ok(start >= 0, 'index.d.ts declares PolicyDocument');
  const end = typings.indexOf('\n  }', start);
  return typings.slice(start, end);
}

test('PolicyDocument declares every key of the schema, and no other', () => {
  const body = policyDocument();
  const declared = [...body.matchAll(/^\s{4}(\$?[A-Za-z]+)\??:/gm)].map((m) => m[1]).sort();
  assert.deepEqual(declared, Object.keys(schema.properties).sort());
});

for (const key of ['profile', 'preflightDetection']) {
  test(`PolicyDocument's ${key} union is the schema's enum`, () => {
    const line = policyDocument().match(new RegExp(`^\\s{4}${key}\\?: (.*);$`, 'm'));
    assert.ok(line, `${key} is declared on one line`);
    const members = [...line[1].matchAll(/'([^']+)'/g)].map((m) => m[1]);
    assert.deepEqual(members.sort(), [...schema.properties[key].enum].sort());
  });
}
