import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultCodec, formatDate, jsonCodec, parseDate } from '../../../lib/wire/codec.js';

/** 1920-02-03 04:05:06.007 UTC: the date oslo's own jsonutils tests use, at millisecond precision. */
const DATE = new Date(Date.UTC(1920, 1, 3, 4, 5, 6, 7));

const Dates = suite('formatDate() and parseDate()');

Dates("should write a Date as oslo's naive UTC datetime with microseconds", () => {
  assert.is(formatDate(DATE), '1920-02-03T04:05:06.007000');
  assert.is(formatDate(new Date(Date.UTC(2026, 10, 22, 5, 25, 21, 387))), '2026-11-22T05:25:21.387000');
  assert.is(formatDate(new Date(0)), '1970-01-01T00:00:00.000000');
});

Dates('should write the UTC time whatever the local time zone', () => {
  assert.match(formatDate(new Date('2024-06-01T23:30:00+02:00')), /^2024-06-01T21:30:00\.000000$/);
});

Dates("should read oslo's datetime as UTC, keeping milliseconds of the microseconds", () => {
  assert.is(parseDate('1920-02-03T04:05:06.000007').toISOString(), '1920-02-03T04:05:06.000Z');
  assert.is(parseDate('2026-11-22T05:25:21.387733').toISOString(), '2026-11-22T05:25:21.387Z');
  assert.is(parseDate('1920-02-03T04:05:06.5').toISOString(), '1920-02-03T04:05:06.500Z');
});

Dates('should read a datetime without fraction', () => {
  assert.is(parseDate('1920-02-03T04:05:06').toISOString(), '1920-02-03T04:05:06.000Z');
});

Dates('should give back the same Date after a round trip at millisecond precision', () => {
  for (const date of [DATE, new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 999)), new Date(Date.UTC(2000, 0, 1))]) {
    assert.is(parseDate(formatDate(date)).getTime(), date.getTime());
  }
});

Dates.run();

const Json = suite('jsonCodec()');

Json('should be marked application/json on the wire', () => {
  assert.is(jsonCodec().contentType, 'application/json');
  assert.is(defaultCodec.contentType, 'application/json');
});

Json('should encode to UTF-8 JSON bytes', () => {
  const bytes = jsonCodec().encode({ name: 'café', n: 1, list: [true, null] });
  assert.instance(bytes, Buffer);
  assert.is(bytes.toString('utf8'), '{"name":"café","n":1,"list":[true,null]}');
  assert.is(bytes.length, Buffer.byteLength('{"name":"café","n":1,"list":[true,null]}', 'utf8'));
});

Json("should write Dates in oslo's format wherever they are", () => {
  const text = jsonCodec()
    .encode({ at: DATE, list: [DATE], nested: { deep: { at: DATE } } })
    .toString('utf8');
  assert.is(text, '{"at":"1920-02-03T04:05:06.007000","list":["1920-02-03T04:05:06.007000"],"nested":{"deep":{"at":"1920-02-03T04:05:06.007000"}}}');
});

Json('should write a Date given as the whole value', () => {
  assert.is(jsonCodec().encode(DATE).toString('utf8'), '"1920-02-03T04:05:06.007000"');
});

Json("should leave oslo's datetime strings as strings on decode, as oslo does", () => {
  const text = '{"created_at":"2024-02-29T23:59:58.123456","list":["2024-01-01T00:00:00"]}';
  assert.equal(jsonCodec().decode(Buffer.from(text)), { created_at: '2024-02-29T23:59:58.123456', list: ['2024-01-01T00:00:00'] });
});

Json('should give back the datetime text of the Dates it encoded, and other strings as they were', () => {
  const codec = jsonCodec();
  const decoded = codec.decode(codec.encode({ at: DATE, text: '2024-01-01T00:00:00', iso: '2024-01-01T00:00:00.000Z' }));
  assert.equal(decoded, { at: '1920-02-03T04:05:06.007000', text: '2024-01-01T00:00:00', iso: '2024-01-01T00:00:00.000Z' });
});

Json('should leave strings that are not exactly an oslo datetime alone too', () => {
  const texts = [
    '2026-11-22 05:25:21.387733', // oslo's str(utcnow()) notification timestamp: a space, not 'T'
    '2026-11-22T05:25:21.387Z', // a zone
    '2026-11-22T05:25:21+00:00',
    '2026-11-22',
    '2026-11-22T05:25',
    '2026-11-22T05:25:21.1234567', // more than microseconds
    'at 2026-11-22T05:25:21',
  ];
  const decoded = jsonCodec().decode(Buffer.from(JSON.stringify(texts)));
  assert.equal(decoded, texts);
});

Json('should throw a SyntaxError on bytes that are not JSON', () => {
  assert.throws(
    () => jsonCodec().decode(Buffer.from('{"a":')),
    (error: unknown) => error instanceof SyntaxError,
  );
});

Json('should leave other values as JSON does (objects with toJSON, undefined fields)', () => {
  const text = jsonCodec()
    .encode({ a: undefined, b: { toJSON: () => 'custom' }, c: 1.5 })
    .toString('utf8');
  assert.is(text, '{"b":"custom","c":1.5}');
});

Json.run();
