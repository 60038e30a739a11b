import { from, lastValueFrom, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { dropDuplicates, seenIds } from '../../operators/drop-duplicates.js';

const DropDuplicates = suite('dropDuplicates');
const ids = (list: string[], size?: number, dropped: string[] = []) =>
  lastValueFrom(from(list).pipe(dropDuplicates({ key: (id) => id, size, onDuplicate: (id) => dropped.push(id) }), toArray()));

DropDuplicates('should drop an id seen among the recent ones and report it', async () => {
  const dropped: string[] = [];
  assert.equal(await ids(['a', 'b', 'a', 'c', 'b'], 16, dropped), ['a', 'b', 'c']);
  assert.equal(dropped, ['a', 'b']);
});

DropDuplicates('should forget the oldest id beyond the window', async () => {
  assert.equal(await ids(['a', 'b', 'c', 'a'], 2), ['a', 'b', 'c', 'a']);
  assert.equal(await ids(['a', 'b', 'a'], 2), ['a', 'b']);
});

DropDuplicates('should always pass items without an id', async () => {
  assert.equal(await ids(['', '', 'x', ''], 16), ['', '', 'x', '']);
});

DropDuplicates('should remember ids per subscription', async () => {
  const source = from(['a', 'a']).pipe(dropDuplicates({ key: (id: string) => id }));
  assert.equal(await lastValueFrom(source.pipe(toArray())), ['a']);
  assert.equal(await lastValueFrom(source.pipe(toArray())), ['a']);
});

DropDuplicates('should reject a window that is not a positive integer', () => {
  assert.throws(() => dropDuplicates({ key: String, size: 0 }), /dropDuplicates\(\): option size must be a positive integer/);
});

DropDuplicates.run();

const SeenIds = suite('seenIds');

SeenIds('should recognise an id once it is remembered', () => {
  const seen = seenIds();
  assert.not.ok(seen.has('a'));
  seen.add('a');
  assert.ok(seen.has('a'));
});

SeenIds('should remember the last 16 ids by default, forgetting the oldest', () => {
  const seen = seenIds();
  for (let i = 0; i < 17; i++) seen.add(`id-${i}`);
  assert.not.ok(seen.has('id-0'));
  assert.ok(seen.has('id-1'));
  assert.ok(seen.has('id-16'));
});

SeenIds('should not refresh an id remembered twice', () => {
  const seen = seenIds(2);
  seen.add('a');
  seen.add('b');
  seen.add('a');
  seen.add('c');
  assert.equal([seen.has('a'), seen.has('b'), seen.has('c')], [false, true, true]);
});

SeenIds('should never take a message without an id for a duplicate', () => {
  const seen = seenIds();
  seen.add(undefined);
  seen.add('');
  assert.not.ok(seen.has(undefined));
  assert.not.ok(seen.has(''));
});

SeenIds('should tell ids apart that share their start and end, in small and large windows', () => {
  for (const size of [16, 32, 33, 1000]) {
    const seen = seenIds(size);
    // One process's ids share a prefix; these also end alike and are as long.
    const id = (n: number) => `4f2a9c81e0d3b7a6${n.toString(16).padStart(8, '0')}00000001`;
    for (let n = 0; n < size; n++) seen.add(id(n));
    assert.ok(seen.has(id(0)), `window ${size}: the oldest is still there`);
    assert.ok(seen.has(id(size - 1)), `window ${size}: the newest is there`);
    assert.not.ok(seen.has(id(size)), `window ${size}: one never added`);
    seen.add(id(size));
    assert.not.ok(seen.has(id(0)), `window ${size}: the oldest forgotten`);
    assert.ok(seen.has(id(1)), `window ${size}: the next oldest kept`);
  }
});

SeenIds('should reject a window that is not a positive integer', () => {
  assert.throws(() => seenIds(1.5), /option size must be a positive integer/);
});

SeenIds.run();
