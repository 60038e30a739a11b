import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { duplicateDetector } from '../../../lib/notify/duplicates.js';

const Duplicates = suite('duplicateDetector');

Duplicates('should recognise an id once it is remembered', () => {
  const detector = duplicateDetector();
  assert.not.ok(detector.seen('a'));
  detector.remember('a');
  assert.ok(detector.seen('a'));
});

Duplicates('should remember the last 16 ids by default, forgetting the oldest', () => {
  const detector = duplicateDetector();
  for (let i = 0; i < 17; i++) detector.remember(`id-${i}`);
  assert.not.ok(detector.seen('id-0'));
  assert.ok(detector.seen('id-1'));
  assert.ok(detector.seen('id-16'));
});

Duplicates('should not refresh an id remembered twice', () => {
  const detector = duplicateDetector(2);
  detector.remember('a');
  detector.remember('b');
  detector.remember('a');
  detector.remember('c');
  assert.equal([detector.seen('a'), detector.seen('b'), detector.seen('c')], [false, true, true]);
});

Duplicates('should never take a message without an id for a duplicate', () => {
  const detector = duplicateDetector();
  detector.remember(undefined);
  detector.remember('');
  assert.not.ok(detector.seen(undefined));
  assert.not.ok(detector.seen(''));
});

Duplicates.run();
