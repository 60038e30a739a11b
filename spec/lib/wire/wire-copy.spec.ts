import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultCodec } from '../../../lib/wire/codec.js';
import { UnserializableValue } from '../../../lib/core/errors.js';
import { cloneWireBody, wireCopy } from '../../../lib/wire/wire-copy.js';

const WireCopy = suite('wire copy');

function rejection(body: Record<string, unknown>): UnserializableValue {
  try {
    wireCopy(body);
  } catch (error) {
    assert.instance(error, UnserializableValue);
    return error as UnserializableValue;
  }
  return assert.unreachable('the body was accepted') as never;
}

/** What a receiver would get over a real JSON wire. */
const overTheWire = (body: Record<string, unknown>) => defaultCodec.decode(defaultCodec.encode(body));

class Flavor {
  readonly name = 'm1.small';
  readonly vcpus = 1;
  get doubled() {
    return this.vcpus * 2;
  }
}

WireCopy('should give what the JSON codec would deliver, value for value', () => {
  const shared = { id: 1 };
  const withProtoKey = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>;
  const bodies: Record<string, unknown>[] = [
    {
      method: 'm',
      args: { text: 's', n: 1.5, zero: -0, yes: true, none: null, absent: undefined, list: [1, 'two', { three: 3 }, undefined], nested: { deep: [[[]]] } },
      _context_roles: [shared, shared],
    },
    // Dates go out in oslo's format and arrive as that text; strings arrive as they were sent.
    { when: new Date(Date.UTC(2026, 10, 22, 8, 5, 6, 789)), text_date: '2026-11-22T08:05:06.123456', plain_date: '2024-01-01T00:00:00', iso: '2026-11-22T08:05:06.123Z' },
    { invalid: new Date(Number.NaN) },
    // toJSON decides (Buffer, custom); class instances travel as their own enumerable fields.
    { bytes: Buffer.from('xyz'), custom: { toJSON: (key: string) => `custom at ${key}` }, flavor: new Flavor(), boxed: [new Number(2), new String('s'), new Boolean(false)] },
    { unicode: 'ünïcødé \u2028 \ud83d\ude00', nullProto: Object.assign(Object.create(null) as object, { a: 1 }), withProtoKey },
  ];
  for (const body of bodies) {
    assert.equal(wireCopy(body), overTheWire(body));
    assert.equal(cloneWireBody(wireCopy(body)), overTheWire(body), 'and so does the clone each delivery gets');
  }
  const copied = wireCopy(bodies[4]!) as { withProtoKey: Record<string, unknown> };
  for (const { withProtoKey: copy } of [copied, cloneWireBody(copied) as typeof copied]) {
    assert.ok(Object.hasOwn(copy, '__proto__'), '"__proto__" stays an own key, as JSON.parse makes it');
    assert.is(Object.getPrototypeOf(copy), Object.prototype);
  }
});

WireCopy('should leave out what an object only inherits, as JSON does, even from a polluted Object.prototype', () => {
  const prototype = Object.prototype as Record<string, unknown>;
  prototype['polluted'] = { admin: true };
  try {
    const body = { args: { n: 1 }, inherits: Object.create({ inherited: 1 }) as object };
    assert.equal(wireCopy(body), overTheWire(body));
    assert.not.ok(Object.hasOwn(cloneWireBody(wireCopy(body)), 'polluted'));
  } finally {
    delete prototype['polluted'];
  }
});

WireCopy('should copy, so neither side sees the other change the body', () => {
  const args = { list: [1, 2], nested: { n: 1 } };
  const copied = wireCopy({ args }) as { args: typeof args };
  args.list.push(3);
  args.nested.n = 2;
  assert.equal(copied.args, { list: [1, 2], nested: { n: 1 } });
  const cloned = cloneWireBody(copied) as { args: typeof args };
  cloned.args.list.push(4);
  cloned.args.nested.n = 3;
  assert.equal(copied.args, { list: [1, 2], nested: { n: 1 } });
});

WireCopy('should reject a function, naming where it is', () => {
  const error = rejection({ args: { options: { callback: () => 1 } } });
  assert.is(error.path, 'args.options.callback');
  assert.match(error.message, /args\.options\.callback is a function/);
  assert.is(error.name, 'UnserializableValue');
});

WireCopy('should reject a circular reference, naming where the loop closes', () => {
  const node: Record<string, unknown> = { name: 'loop' };
  node['self'] = node;
  const error = rejection({ args: { node } });
  assert.is(error.path, 'args.node.self');
  assert.match(error.reason, /circular/);
  const ring: unknown[] = [1];
  ring.push({ back: ring });
  assert.is(rejection({ args: { ring } }).path, 'args.ring[1].back');
});

WireCopy('should accept a deep body without a cycle', () => {
  let deep: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < 200; i++) deep = { next: deep };
  const body = { args: { deep } };
  assert.equal(wireCopy(body), overTheWire(body));
});

WireCopy("should refuse a body nested deeper than oslo's JSON reads, naming where, without overflowing the stack", () => {
  let deep: unknown[] = [];
  for (let i = 0; i < 100_000; i++) deep = [deep];
  const refused = rejection({ result: deep });
  assert.match(refused.reason, /nested deeper than 1000 levels/);
  assert.ok(refused.path.startsWith('result[0][0]'));
  let cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  for (let i = 0; i < 2000; i++) cyclic = { next: cyclic };
  assert.match(rejection({ args: { cyclic } }).reason, /nested deeper/);
});

WireCopy('should reject values JSON loses or refuses, with array indexes in the path', () => {
  assert.is(rejection({ args: { list: [1, Symbol('s')] } }).path, 'args.list[1]');
  assert.match(rejection({ args: { big: 1n } }).reason, /bigint/);
  assert.match(rejection({ args: { n: Number.NaN } }).reason, /NaN/);
  assert.match(rejection({ args: { n: Infinity } }).reason, /Infinity/);
  assert.match(rejection({ args: { map: new Map([[1, 2]]) } }).reason, /Map/);
  assert.match(rejection({ args: { set: new Set([1]) } }).reason, /Set/);
  assert.match(rejection({ args: { pending: Promise.resolve(1) } }).reason, /Promise/);
});

WireCopy.run();
