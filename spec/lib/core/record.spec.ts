import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isRecord } from '../../../lib/core/record.js';

const IsRecord = suite('isRecord');

IsRecord('should take objects with named fields, class instances included', () => {
  for (const value of [{}, { a: 1 }, Object.create(null) as object, new Date(0), new Map()]) assert.ok(isRecord(value));
});

IsRecord('should refuse null, arrays and every other kind of value', () => {
  for (const value of [null, undefined, [], [1], 'text', 1, true, () => 1, Symbol('s')]) assert.not.ok(isRecord(value), typeof value);
});

IsRecord.run();
