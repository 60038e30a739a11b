import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IdTable } from '../../../lib/core/id-table.js';

test('IdTable should find, replace and delete entries, and say when there was none', () => {
  const table = new IdTable<number>();
  table.set('a', 1);
  table.set('b', 2);
  table.set('a', 3);
  assert.is(table.get('a'), 3);
  assert.is(table.size, 2);
  assert.ok(table.delete('a'));
  assert.not.ok(table.delete('a'));
  assert.is(table.get('a'), undefined);
  assert.is(table.get('b'), 2);
  assert.is(table.size, 1);
});

test('IdTable should keep every colliding entry reachable as others around it are deleted', () => {
  // Ids that differ only before their last 8 characters hash alike: one long run of probes.
  const ids = Array.from({ length: 20 }, (_, i) => `${i}-00000000`);
  const table = new IdTable<string>(4);
  for (const id of ids) table.set(id, id);
  for (const id of ids.filter((_, i) => i % 3 === 0)) assert.ok(table.delete(id));
  for (const [i, id] of ids.entries()) assert.is(table.get(id), i % 3 === 0 ? undefined : id);
  assert.is(table.size, ids.length - 7);
});

test('IdTable should behave as a Map through a long mix of sets and deletes, growing past its first size', () => {
  const table = new IdTable<number>(2);
  const model = new Map<string, number>();
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let step = 0; step < 20_000; step++) {
    // Few distinct tails, so many keys collide.
    const key = `${Math.floor(random() * 500)}:${Math.floor(random() * 16)}`;
    if (random() < 0.55) {
      table.set(key, step);
      model.set(key, step);
    } else assert.is(table.delete(key), model.delete(key));
  }
  assert.is(table.size, model.size);
  for (const [key, value] of model) assert.is(table.get(key), value);
  assert.equal(
    table.entriesNow().sort(([a], [b]) => a.localeCompare(b)),
    [...model.entries()].sort(([a], [b]) => a.localeCompare(b)),
  );
  table.clear();
  assert.is(table.size, 0);
  assert.is(table.get([...model.keys()][0]!), undefined);
});

test.run();
