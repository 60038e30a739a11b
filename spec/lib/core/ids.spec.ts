import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hexId, uuid } from '../../../lib/core/ids.js';

test("hexId() should give 32 hex digits, oslo's id shape, and a new id each time", () => {
  const ids = Array.from({ length: 1000 }, hexId);
  for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/);
  assert.is(new Set(ids).size, ids.length);
});

test("uuid() should give a uuid4's form, as Python's uuid module reads it, and a new id each time", () => {
  const ids = Array.from({ length: 1000 }, uuid);
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.is(new Set(ids).size, ids.length);
});

test.run();
