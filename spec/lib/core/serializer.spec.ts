import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { jsonCodec } from '../../../lib/wire/codec.js';
import { jsonPayloadSerializer, noopSerializer, type Serializer } from '../../../lib/core/serializer.js';

const CONTEXT = { user_id: 'u1', project_id: 'p1' };

const Noop = suite('noopSerializer');

Noop('should pass entities through, the very same value', () => {
  const entity = { a: new Map([[1, 2]]), f: () => 1 };
  assert.is(noopSerializer.serializeEntity(CONTEXT, entity), entity);
  assert.is(noopSerializer.deserializeEntity(CONTEXT, entity), entity);
  assert.is(noopSerializer.serializeEntity(CONTEXT, undefined), undefined);
});

Noop('should pass a context through both ways unchanged', () => {
  assert.is(noopSerializer.serializeContext(CONTEXT), CONTEXT);
  const wire = { user_id: 'u1' };
  assert.is(noopSerializer.deserializeContext(wire), wire);
});

Noop.run();

const Json = suite('jsonPayloadSerializer');

const serialize = (entity: unknown) => jsonPayloadSerializer.serializeEntity(CONTEXT, entity);

Json('should keep JSON primitives, arrays and plain objects', () => {
  const entity = { s: 'x', n: 1.5, t: true, z: null, list: [1, 'a', [false]], nested: { deep: { k: 'v' } } };
  assert.equal(serialize(entity), entity);
  for (const value of ['x', 0, false, null]) assert.is(serialize(value), value);
});

Json('should turn class instances into plain objects of their own enumerable fields', () => {
  class Instance {
    // biome-ignore lint/correctness/noUnusedPrivateClassMembers: the serializer must copy a private field too
    private readonly secret = 's';
    constructor(
      readonly id: number,
      readonly name: string,
    ) {}
    get upper() {
      return this.name.toUpperCase();
    }
    describe() {
      return this.name;
    }
  }
  const out = serialize(new Instance(7, 'vm')) as Record<string, unknown>;
  assert.equal(out, { secret: 's', id: 7, name: 'vm' });
  assert.is(Object.getPrototypeOf(out), Object.prototype);
});

Json('should turn Maps into objects (keys as strings) and Sets into arrays', () => {
  assert.equal(
    serialize(
      new Map<unknown, unknown>([
        ['a', 1],
        [2, new Set(['x'])],
      ]),
    ),
    { a: 1, '2': ['x'] },
  );
  assert.equal(serialize(new Set([1, 2, 2, 3])), [1, 2, 3]);
});

Json('should turn bigints into strings', () => {
  assert.is(serialize(12345678901234567890n), '12345678901234567890');
  assert.equal(serialize({ big: 1n }), { big: '1' });
});

Json('should drop functions and symbols (undefined, which JSON leaves out)', () => {
  assert.equal(serialize({ a: 1, f: () => 1, s: Symbol('x') }), { a: 1, f: undefined, s: undefined });
  assert.is(
    serialize(() => 1),
    undefined,
  );
  assert.equal(JSON.parse(JSON.stringify(serialize({ a: 1, f: () => 1 }))), { a: 1 });
});

Json('should keep Dates as Dates for the codec to write', () => {
  const at = new Date(Date.UTC(1920, 1, 3, 4, 5, 6, 7));
  const out = serialize({ at, list: [at] }) as { at: Date; list: Date[] };
  assert.is(out.at, at);
  assert.is(out.list[0], at);
});

Json("should use an object's toJSON", () => {
  const money = { amount: 5, currency: 'EUR', toJSON: () => '5 EUR' };
  assert.equal(serialize({ price: money }), { price: '5 EUR' });
  const wrapped = { toJSON: () => ({ inner: new Set([1]) }) };
  assert.equal(serialize(wrapped), { inner: [1] });
});

Json("should write a circular reference as '?', as oslo's to_primitive does", () => {
  const node: Record<string, unknown> = { name: 'root' };
  node['self'] = node;
  node['children'] = [node];
  assert.equal(serialize(node), { name: 'root', self: '?', children: ['?'] });
});

Json('should serialize an object seen twice, but not in a cycle, in full each time', () => {
  const shared = { id: 1 };
  assert.equal(serialize({ a: shared, b: shared, list: [shared, shared] }), { a: { id: 1 }, b: { id: 1 }, list: [{ id: 1 }, { id: 1 }] });
});

Json('should not change the entity it serializes', () => {
  const set = new Set([1]);
  const entity = { set, big: 1n };
  serialize(entity);
  assert.is(entity.set, set);
  assert.is(entity.big, 1n);
});

Json('should give what the JSON codec encodes, dates in oslo format', () => {
  const at = new Date(Date.UTC(1920, 1, 3, 4, 5, 6, 7));
  const bytes = jsonCodec().encode(serialize({ at, tags: new Set(['a']), n: 2n }));
  assert.is(bytes.toString('utf8'), '{"at":"1920-02-03T04:05:06.007000","tags":["a"],"n":"2"}');
});

Json('should deserialize entities and contexts as they are, like the no-op serializer', () => {
  const entity = { a: 1 };
  assert.is(jsonPayloadSerializer.deserializeEntity(CONTEXT, entity), entity);
  const wire = { user_id: 'u1' };
  assert.is(jsonPayloadSerializer.deserializeContext(wire), wire);
  assert.is(jsonPayloadSerializer.serializeContext(CONTEXT), CONTEXT);
});

Json.run();

const Custom = suite('Serializer interface');

Custom('should let an application serializer turn its values into primitives and back', () => {
  class Money {
    constructor(readonly cents: number) {}
  }
  const serializer: Serializer = {
    ...noopSerializer,
    serializeEntity: (_context, entity) => (entity instanceof Money ? { __money: entity.cents } : entity),
    deserializeEntity: (_context, entity) => (typeof entity === 'object' && entity !== null && '__money' in entity ? new Money((entity as { __money: number }).__money) : entity),
  };
  const back = serializer.deserializeEntity(CONTEXT, JSON.parse(JSON.stringify(serializer.serializeEntity(CONTEXT, new Money(250)))));
  assert.instance(back, Money);
  assert.is((back as Money).cents, 250);
});

Custom.run();
