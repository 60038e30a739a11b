import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assertWireSafe, UnserializableValue } from '../../../drivers/memory/wire-safety.js';

const WireSafety = suite('memory wire safety');

function rejection(body: Record<string, unknown>): UnserializableValue {
  try {
    assertWireSafe(body);
  } catch (error) {
    assert.instance(error, UnserializableValue);
    return error as UnserializableValue;
  }
  return assert.unreachable('the body was accepted') as never;
}

WireSafety('should accept what JSON carries intact', () => {
  const shared = { id: 1 };
  assertWireSafe({
    method: 'm',
    args: { text: 's', n: 1.5, yes: true, none: null, absent: undefined, list: [1, 'two', { three: 3 }], when: new Date(0), bytes: Buffer.from('x') },
    // The same object twice is not a cycle.
    _context_roles: [shared, shared],
    nested: { custom: { toJSON: () => 'custom' } },
  });
});

WireSafety('should reject a function, naming where it is', () => {
  const error = rejection({ args: { options: { callback: () => 1 } } });
  assert.is(error.path, 'args.options.callback');
  assert.match(error.message, /args\.options\.callback is a function/);
  assert.is(error.name, 'UnserializableValue');
});

WireSafety('should reject a circular reference', () => {
  const node: Record<string, unknown> = { name: 'loop' };
  node['self'] = node;
  const error = rejection({ args: { node } });
  assert.is(error.path, 'args.node.self');
  assert.match(error.reason, /circular/);
});

WireSafety('should reject values JSON loses or refuses, with array indexes in the path', () => {
  assert.is(rejection({ args: { list: [1, Symbol('s')] } }).path, 'args.list[1]');
  assert.match(rejection({ args: { big: 1n } }).reason, /bigint/);
  assert.match(rejection({ args: { n: Number.NaN } }).reason, /NaN/);
  assert.match(rejection({ args: { n: Infinity } }).reason, /Infinity/);
  assert.match(rejection({ args: { map: new Map([[1, 2]]) } }).reason, /Map/);
  assert.match(rejection({ args: { set: new Set([1]) } }).reason, /Set/);
  assert.match(rejection({ args: { pending: Promise.resolve(1) } }).reason, /Promise/);
});

WireSafety.run();
