import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { unpack } from 'msgpackr';
import { defaultCodec } from '../../../lib/wire/codec.js';
import type { Notification } from '../../../lib/driver/notifications.js';
import type { RpcRequest } from '../../../lib/driver/rpc.js';
import { MalformedMessage, MsgpackDecodeError } from '../../../lib/core/errors.js';
import { MSGPACK_CONTENT_TYPE } from '../../../lib/wire/codec.js';
import { msgpackCodec } from '../../../lib/wire/msgpack-codec.js';
import { decodeBody, encodeBody } from '../../../lib/wire/envelope.js';
import { notificationFromWire, notificationToWire } from '../../../lib/wire/notifications.js';
import { replyFromWire, replyToWire, rpcFromWire, rpcToWire } from '../../../lib/wire/rpc.js';

const codec = msgpackCodec();

const CALL: RpcRequest = {
  method: 'echo',
  args: { x: 1, y: 'two', nested: { list: [1, 2.5, null, true] } },
  context: { user_id: 'u1', project_id: 'p1', request_id: 'req-abc' },
  uniqueId: 'db8dfea9d14748fa93a46fc08831ad60',
  namespace: 'ns',
  version: '2.1',
  call: { msgId: 'aabdfdbbe21a457589a955e37bf084e4', replyTo: 'reply_18404a46816b4e898d0379174d73e31c', timeoutMs: 60_000, callMonitorTimeout: 2 },
};

const Codec = suite('msgpackCodec()');

Codec("should be marked with kombu's MessagePack content type", () => {
  assert.is(codec.contentType, 'application/x-msgpack');
  assert.is(MSGPACK_CONTENT_TYPE, 'application/x-msgpack');
});

Codec('should write standard MessagePack maps that any MessagePack decoder reads (no record extension)', () => {
  const bytes = codec.encode({ a: 1 });
  // map16 header with one entry, fixstr "a", positive fixint 1.
  assert.equal([...bytes], [0xde, 0x00, 0x01, 0xa1, 0x61, 0x01]);
  assert.equal(unpack(codec.encode({ method: 'm', args: { k: [1, 'v'] } })), { method: 'm', args: { k: [1, 'v'] } });
});

Codec('should give back what JSON would for plain data', () => {
  const value = { s: 'text ünïcode ✓', n: -12.75, i: 2 ** 40, b: false, z: null, list: [1, 'two', { three: 3 }], empty: {} };
  assert.equal(codec.decode(codec.encode(value)), JSON.parse(JSON.stringify(value)));
});

Codec('should carry Dates as Dates and Buffers as Buffers', () => {
  const when = new Date(Date.UTC(2026, 10, 22, 5, 25, 21, 387));
  const decoded = codec.decode(codec.encode({ when, data: Buffer.from([0, 1, 255]) })) as { when: Date; data: Buffer };
  assert.ok(decoded.when instanceof Date);
  assert.is(decoded.when.getTime(), when.getTime());
  assert.ok(Buffer.isBuffer(decoded.data));
  assert.equal([...decoded.data], [0, 1, 255]);
});

Codec('should write undefined as nil', () => {
  assert.equal(codec.decode(codec.encode({ gone: undefined, list: [undefined] })), { gone: null, list: [null] });
});

Codec('should not let a __proto__ key reach the prototype', () => {
  const decoded = codec.decode(codec.encode(JSON.parse('{"__proto__": {"polluted": true}}'))) as Record<string, unknown>;
  assert.is(({} as Record<string, unknown>)['polluted'], undefined);
  assert.is(Object.getPrototypeOf(decoded), Object.prototype);
});

Codec('should refuse bytes cut short, followed by more bytes, or never used, with MsgpackDecodeError', () => {
  const whole = codec.encode({ a: 'value' });
  for (const bad of [whole.subarray(0, whole.length - 2), Buffer.concat([whole, Buffer.from([0x01])]), Buffer.from([0xc1]), Buffer.alloc(0)]) {
    assert.throws(
      () => codec.decode(bad),
      (error: unknown) => error instanceof MsgpackDecodeError && error.byteLength === bad.length && /MessagePack/.test(error.message),
    );
  }
});

Codec.run();

const Wire = suite('msgpackCodec() with the oslo wire functions');

Wire('should carry a call body bare, without the JSON envelope', () => {
  const bytes = encodeBody(codec, rpcToWire(CALL));
  const raw = codec.decode(bytes) as Record<string, unknown>;
  assert.is(raw['oslo.version'], undefined);
  assert.is(raw['method'], 'echo');
  assert.is(raw['_context_user_id'], 'u1');
});

Wire('should give back the same call, cast, reply and notification', () => {
  assert.equal(rpcFromWire(decodeBody(codec, encodeBody(codec, rpcToWire(CALL))), 60_000), CALL);
  const { call: _call, ...cast } = CALL;
  assert.equal(rpcFromWire(decodeBody(codec, encodeBody(codec, rpcToWire(cast)))), cast);
  const reply = { msgId: 'm1', result: { rows: [1, 2] }, failure: null, ending: true };
  assert.equal(replyFromWire(decodeBody(codec, encodeBody(codec, replyToWire(reply, 'u1')))), reply);
  const notification: Notification = {
    messageId: '5f5127be-2f82-408c-a20f-88817eb4b14c',
    publisherId: 'compute.host1',
    eventType: 'compute.instance.create.end',
    priority: 'info',
    payload: { instance_id: 'abc' },
    timestamp: '2026-11-22 05:25:21.387733',
    context: { user_id: 'u1' },
  };
  assert.equal(notificationFromWire(decodeBody(codec, encodeBody(codec, notificationToWire(notification, 'u2')))), { ...notification, uniqueId: 'u2' });
});

Wire('should make bodies smaller than the JSON envelope oslo peers need', () => {
  const body = rpcToWire(CALL);
  assert.ok(encodeBody(codec, body).length < encodeBody(defaultCodec, body).length);
});

Wire('should be refused by decodeBody as MalformedMessage when the bytes are JSON or not a map', () => {
  assert.throws(
    () => decodeBody(codec, encodeBody(defaultCodec, rpcToWire(CALL))),
    (error: unknown) => error instanceof MalformedMessage && /application\/x-msgpack/.test(error.message),
  );
  assert.throws(
    () => decodeBody(codec, codec.encode([1, 2])),
    (error: unknown) => error instanceof MalformedMessage && /not an object/.test(error.message),
  );
});

Wire.run();
