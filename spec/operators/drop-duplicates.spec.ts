import { from, lastValueFrom, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { dropDuplicates } from '../../operators/drop-duplicates.js';

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
  assert.throws(() => dropDuplicates({ key: String, size: 0 }), /size must be a positive integer/);
});

DropDuplicates.run();
