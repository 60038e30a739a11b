import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { OsloDatetime } from '../../../lib/core/datetime.js';
import { datetimeSerializer } from '../../../lib/core/serializer.js';
import { defaultCodec } from '../../../lib/wire/codec.js';
import type { Context } from '../../../lib/core/context.js';

const Datetime = suite('OsloDatetime');

Datetime('should keep the microseconds and the very text it was read from', () => {
  const at = OsloDatetime.parse('2024-02-29T23:59:58.123456');
  assert.is(at.microsecond, 123_456);
  assert.is(at.text, '2024-02-29T23:59:58.123456');
  assert.is(OsloDatetime.parse('2024-01-01T00:00:00').microsecond, 0);
  assert.is(OsloDatetime.parse('2024-01-01T00:00:00.5').microsecond, 500_000);
  assert.is(OsloDatetime.parse('2024-01-01T00:00:00').toJSON(), '2024-01-01T00:00:00');
});

Datetime('should go over the JSON wire as its text, unchanged', () => {
  const at = OsloDatetime.parse('2024-02-29T23:59:58.123456');
  assert.is(defaultCodec.encode({ at }).toString('utf8'), '{"at":"2024-02-29T23:59:58.123456"}');
});

Datetime('should give the Date at millisecond precision, and be made from a Date with microseconds', () => {
  assert.is(OsloDatetime.parse('2024-02-29T23:59:58.123456').toDate().toISOString(), '2024-02-29T23:59:58.123Z');
  const date = new Date(Date.UTC(2024, 1, 29, 23, 59, 58, 123));
  assert.is(OsloDatetime.fromDate(date).text, '2024-02-29T23:59:58.123000');
  assert.is(OsloDatetime.fromDate(date, 123_456).text, '2024-02-29T23:59:58.123456');
});

Datetime('should refuse what is not an oslo datetime with a RangeError', () => {
  for (const text of ['2024-02-29 23:59:58.123456', '2024-02-29T23:59:58Z', '2024-02-29']) assert.throws(() => OsloDatetime.parse(text), RangeError);
  assert.throws(() => OsloDatetime.fromDate(new Date(Number.NaN)), RangeError);
  assert.throws(() => OsloDatetime.fromDate(new Date(0), 1_000_000), RangeError);
});

Datetime.run();

const Serializer = suite('datetimeSerializer()');
const CONTEXT = {} as Context;

Serializer('should revive oslo datetimes wherever they sit in a received entity, and nothing else', () => {
  const received = datetimeSerializer().deserializeEntity(CONTEXT, {
    at: '2024-02-29T23:59:58.123456',
    list: ['2024-01-01T00:00:00', 'x', 1],
    nested: { notification: '2024-01-01 00:00:00.000001' },
  }) as Record<string, unknown>;
  assert.instance(received['at'], OsloDatetime);
  assert.is(String(received['at']), '2024-02-29T23:59:58.123456');
  const [first, ...rest] = received['list'] as unknown[];
  assert.instance(first, OsloDatetime);
  assert.equal(rest, ['x', 1]);
  assert.equal(received['nested'], { notification: '2024-01-01 00:00:00.000001' });
});

Serializer('should revive as Dates with { as: "date" }', () => {
  assert.equal(datetimeSerializer({ as: 'date' }).deserializeEntity(CONTEXT, ['2024-02-29T23:59:58.123456']), [new Date('2024-02-29T23:59:58.123Z')]);
});

Serializer('should send entities as they are', () => {
  const entity = { at: '2024-01-01T00:00:00' };
  assert.is(datetimeSerializer().serializeEntity(CONTEXT, entity), entity);
});

Serializer.run();
