import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MalformedMessage } from '../../../lib/core/errors.js';
import { defaultCodec, type WireCodec } from '../../../lib/wire/codec.js';
import type { Notification } from '../../../lib/driver/notifications.js';
import type { RpcRequest } from '../../../lib/driver/rpc.js';
import { contextFromWire, contextToWire, decodeBody, encodeBody } from '../../../lib/wire/envelope.js';
import { incomingNotificationFromWire, notificationFromWire, notificationToWire } from '../../../lib/wire/notifications.js';
import { replyFromWire, replyToWire, rpcFromWire, rpcToWire } from '../../../lib/wire/rpc.js';

// --- Messages captured from oslo.messaging 14.0.3 on RabbitMQ (reference §3), verbatim ---

/** call({'user_id':'u1','project_id':'p1','request_id':'req-abc'}, 'echo', x=1, y='two') */
const CALL = `{"method": "echo", "args": {"x": 1, "y": "two"}, "_msg_id": "aabdfdbbe21a457589a955e37bf084e4",
 "_reply_q": "reply_18404a46816b4e898d0379174d73e31c", "_timeout": null,
 "_unique_id": "db8dfea9d14748fa93a46fc08831ad60",
 "_context_user_id": "u1", "_context_project_id": "p1", "_context_request_id": "req-abc"}`;

const CAST = `{"method": "note", "args": {"n": 1}, "_unique_id": "68fd…", "_context_user_id": "u1", "_context_project_id": "p1", "_context_request_id": "req-abc"}`;

const REPLY = `{"result": {"x": 1, "y": "two"}, "failure": null, "ending": true,
 "_msg_id": "aabdfdbbe21a457589a955e37bf084e4", "_unique_id": "6f18c9db64be4566af25845b64f640ad"}`;

const HEARTBEAT = `{"result": null, "failure": null, "ending": false, "_msg_id": "0e9e…", "_unique_id": "…"}`;

const FAILURE = String.raw`{"result": null, "ending": true, "_msg_id": "4856…", "_unique_id": "…",
 "failure": "{\"class\": \"MyError\", \"module\": \"__main__\", \"message\": \"custom\", \"tb\": [\"Traceback (most recent call last):\\n\", \"...\", \"MyError: custom\\n\"], \"args\": [\"custom\"], \"kwargs\": {\"code\": 42}}"}`;

const NOTIFICATION_V2 = `{"message_id": "5f5127be-2f82-408c-a20f-88817eb4b14c", "publisher_id": "compute.host1",
 "event_type": "compute.instance.create.end", "priority": "INFO",
 "payload": {"instance_id": "abc", "state": "active"}, "timestamp": "2026-11-22 05:25:21.387733",
 "_unique_id": "3300…", "_context_user_id": "u1", "_context_project_id": "p1", "_context_request_id": "req-n1"}`;

/** oslo's `messaging` (v1) driver sends the same dict unenveloped, here a warning. */
const NOTIFICATION_V1 = NOTIFICATION_V2.replace('"INFO"', '"WARN"');

/** oslo's 2.0 envelope around a message, as Python's json.dumps writes it. */
function envelope(message: string): Buffer {
  return Buffer.from(`{"oslo.version": "2.0", "oslo.message": ${JSON.stringify(message)}}`, 'utf8');
}

function bare(message: string): Buffer {
  return Buffer.from(message, 'utf8');
}

type Dict = Record<string, unknown>;

function parsed(message: string): Dict {
  return JSON.parse(message) as Dict;
}

/** The `MalformedMessage` `fn` throws, checked to say `reason`. */
function malformed(fn: () => unknown, reason: RegExp): MalformedMessage {
  try {
    fn();
  } catch (error) {
    assert.instance(error, MalformedMessage);
    assert.instance(error, Error);
    assert.is((error as Error).name, 'MalformedMessage');
    assert.match((error as Error).message, /^Malformed message: /);
    assert.match((error as Error).message, reason);
    return error as MalformedMessage;
  }
  assert.unreachable('expected a MalformedMessage');
  throw new Error('unreachable');
}

const CONTEXT = { user_id: 'u1', project_id: 'p1', request_id: 'req-abc' };

// --- decoding what oslo sends ---

const Decode = suite('wire: decoding oslo messages');

Decode('should open an oslo 2.0 envelope around a call', () => {
  assert.equal(decodeBody(defaultCodec, envelope(CALL)), parsed(CALL));
});

Decode('should take a bare (1.0) dict as it is', () => {
  assert.equal(decodeBody(defaultCodec, bare(CALL)), parsed(CALL));
});

Decode("should read the envelope however it is written: Python's separators, none, other keys or key order", () => {
  const message = JSON.stringify(CALL);
  for (const text of [
    `{"oslo.version": "2.0", "oslo.message": ${message}}`,
    `{"oslo.version":"2.0","oslo.message":${message}}`,
    `{"oslo.message": ${message}, "oslo.version": "2.0"}`,
    `{"oslo.version": "2.0", "oslo.message": ${message}, "x-extra": "1"}`,
    ` {"oslo.version": "2.0", "oslo.message": ${message}} `,
  ]) {
    assert.equal(decodeBody(defaultCodec, Buffer.from(text)), parsed(CALL), text.slice(0, 60));
  }
});

Decode('should accept any 2.x envelope version', () => {
  const bytes = Buffer.from(JSON.stringify({ 'oslo.version': '2.1', 'oslo.message': CAST }));
  assert.equal(decodeBody(defaultCodec, bytes), parsed(CAST));
});

Decode("should read oslo's call request with its reply address, context and the transport's timeout", () => {
  const request = rpcFromWire(decodeBody(defaultCodec, envelope(CALL)), 60_000);
  assert.equal(request, {
    method: 'echo',
    args: { x: 1, y: 'two' },
    context: CONTEXT,
    uniqueId: 'db8dfea9d14748fa93a46fc08831ad60',
    call: { msgId: 'aabdfdbbe21a457589a955e37bf084e4', replyTo: 'reply_18404a46816b4e898d0379174d73e31c', timeoutMs: 60_000 },
  });
  assert.not.ok('callMonitorTimeout' in request.call!, '"_timeout": null means no call monitor');
  assert.not.ok('namespace' in request);
  assert.not.ok('version' in request);
});

Decode("should read oslo's cast as a request without call", () => {
  const request = rpcFromWire(decodeBody(defaultCodec, envelope(CAST)));
  assert.equal(request, { method: 'note', args: { n: 1 }, context: CONTEXT, uniqueId: '68fd…' });
  assert.is(request.call, undefined);
});

Decode('should read namespace, version and a call monitor timeout when oslo sets them', () => {
  const body = { ...parsed(CALL), namespace: 'ns', version: '2.1', _timeout: 2 };
  const request = rpcFromWire(body, 5_000);
  assert.is(request.namespace, 'ns');
  assert.is(request.version, '2.1');
  assert.equal(request.call, { msgId: 'aabdfdbbe21a457589a955e37bf084e4', replyTo: 'reply_18404a46816b4e898d0379174d73e31c', timeoutMs: 5_000, callMonitorTimeout: 2_000 });
});

Decode('should default what a foreign client may leave out: args, _unique_id, timeout', () => {
  const request = rpcFromWire({ method: 'ping', _msg_id: 'm1', _reply_q: 'reply_x' });
  assert.equal(request, { method: 'ping', args: {}, context: {}, uniqueId: '', call: { msgId: 'm1', replyTo: 'reply_x', timeoutMs: 0 } });
});

Decode('should ignore a non-positive call monitor timeout and null namespace or version', () => {
  const request = rpcFromWire({ ...parsed(CALL), _timeout: 0, namespace: null, version: null });
  assert.not.ok('callMonitorTimeout' in request.call!);
  assert.not.ok('namespace' in request);
  assert.not.ok('version' in request);
});

Decode("should read oslo's reply", () => {
  assert.equal(replyFromWire(decodeBody(defaultCodec, envelope(REPLY))), {
    msgId: 'aabdfdbbe21a457589a955e37bf084e4',
    result: { x: 1, y: 'two' },
    failure: null,
    ending: true,
  });
});

Decode("should read oslo's heartbeat as a reply that does not end", () => {
  assert.equal(replyFromWire(decodeBody(defaultCodec, envelope(HEARTBEAT))), { msgId: '0e9e…', result: null, failure: null, ending: false });
});

Decode("should read oslo's failure reply, parsing the failure's JSON string", () => {
  const reply = replyFromWire(decodeBody(defaultCodec, envelope(FAILURE)));
  assert.is(reply.msgId, '4856…');
  assert.is(reply.result, null);
  assert.is(reply.ending, true);
  assert.equal(reply.failure, {
    class: 'MyError',
    module: '__main__',
    message: 'custom',
    tb: ['Traceback (most recent call last):\n', '...', 'MyError: custom\n'],
    args: ['custom'],
    kwargs: { code: 42 },
  });
});

Decode('should read unenveloped replies too (the envelope is optional for a foreign server)', () => {
  assert.equal(replyFromWire(decodeBody(defaultCodec, bare(REPLY))).result, { x: 1, y: 'two' });
});

Decode("should take a missing 'ending' as false and missing result and failure as null", () => {
  assert.equal(replyFromWire({ _msg_id: 'm' }), { msgId: 'm', result: null, failure: null, ending: false });
  assert.is(replyFromWire({ _msg_id: 'm', ending: 'yes' }).ending, false, "only the JSON 'true' ends a call");
});

Decode('should read a failure that is not JSON as a builtins Exception carrying the text', () => {
  const text = 'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: bad';
  assert.equal(replyFromWire({ _msg_id: 'm', ending: true, failure: text }).failure, {
    class: 'Exception',
    module: 'builtins',
    message: text,
    tb: [],
    args: [text],
    kwargs: {},
  });
});

Decode('should fill in missing failure fields with what oslo would mean', () => {
  assert.equal(replyFromWire({ _msg_id: 'm', ending: true, failure: '{"message": "boom", "tb": "not a list", "kwargs": []}' }).failure, {
    class: 'Exception',
    module: 'builtins',
    message: 'boom',
    tb: [],
    args: [],
    kwargs: {},
  });
});

Decode("should read oslo's v2 notification (enveloped), keeping its timestamp text", () => {
  const notification = notificationFromWire(decodeBody(defaultCodec, envelope(NOTIFICATION_V2)));
  assert.equal(notification, {
    messageId: '5f5127be-2f82-408c-a20f-88817eb4b14c',
    publisherId: 'compute.host1',
    eventType: 'compute.instance.create.end',
    priority: 'info',
    payload: { instance_id: 'abc', state: 'active' },
    timestamp: '2026-11-22 05:25:21.387733',
    context: { user_id: 'u1', project_id: 'p1', request_id: 'req-n1' },
    uniqueId: '3300…',
  });
});

Decode("should read oslo's v1 notification (bare), mapping 'WARN' to warn", () => {
  const notification = notificationFromWire(decodeBody(defaultCodec, bare(NOTIFICATION_V1)));
  assert.is(notification.priority, 'warn');
  assert.is(notification.eventType, 'compute.instance.create.end');
  assert.equal(notification.payload, { instance_id: 'abc', state: 'active' });
});

Decode("should read every priority in any case, and 'WARNING' as warn", () => {
  const base = parsed(NOTIFICATION_V2);
  const read = (priority: string) => notificationFromWire({ ...base, priority }).priority;
  assert.equal(['AUDIT', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SAMPLE'].map(read), ['audit', 'debug', 'info', 'warn', 'error', 'critical', 'sample']);
  assert.is(read('WARNING'), 'warn');
  assert.is(read('info'), 'info');
});

Decode('should default a notification without payload, publisher or _unique_id', () => {
  const notification = notificationFromWire({ message_id: 'id', event_type: 'e', priority: 'INFO', timestamp: 't' });
  assert.equal(notification, { messageId: 'id', publisherId: '', eventType: 'e', priority: 'info', payload: null, timestamp: 't', context: {} });
  assert.not.ok('uniqueId' in notification);
});

Decode("should build a driver's incoming notification from the body and the driver's settlement, with only the optional fields given", async () => {
  const settled: string[] = [];
  const plain = incomingNotificationFromWire(
    { message_id: 'id', event_type: 'e', priority: 'INFO', timestamp: 't', _unique_id: 'u' },
    { redelivered: true, ack: async () => void settled.push('ack'), requeue: async () => void settled.push('requeue') },
  );
  assert.equal(
    { ...plain, ack: undefined, requeue: undefined },
    {
      messageId: 'id',
      publisherId: '',
      eventType: 'e',
      priority: 'info',
      payload: null,
      timestamp: 't',
      context: {},
      redelivered: true,
      uniqueId: 'u',
      ack: undefined,
      requeue: undefined,
    },
  );
  assert.not.ok('deliveryCount' in plain || 'deadLetter' in plain);
  await plain.ack();
  await plain.requeue();
  assert.equal(settled, ['ack', 'requeue']);
  const counted = incomingNotificationFromWire(
    { message_id: 'id', event_type: 'e', priority: 'INFO', timestamp: 't' },
    { redelivered: false, ack: async () => undefined, requeue: async () => undefined, deliveryCount: 2, deadLetter: async () => void settled.push('dead') },
  );
  assert.is(counted.deliveryCount, 2);
  await counted.deadLetter?.();
  assert.equal(settled, ['ack', 'requeue', 'dead']);
  assert.throws(
    () => incomingNotificationFromWire({ event_type: 'e' }, { redelivered: false, ack: async () => undefined, requeue: async () => undefined }),
    (error: unknown) => error instanceof MalformedMessage,
  );
});

Decode("should leave oslo datetimes inside an enveloped message's arguments as the strings they are", () => {
  const message = JSON.stringify({ method: 'm', args: { at: '1920-02-03T04:05:06.000007' } });
  const request = rpcFromWire(decodeBody(defaultCodec, envelope(message)));
  assert.is(request.args['at'], '1920-02-03T04:05:06.000007');
});

Decode.run();

// --- encoding what oslo expects ---

const Encode = suite('wire: encoding as oslo does');

const CALL_REQUEST: RpcRequest = {
  method: 'echo',
  args: { x: 1, y: 'two' },
  context: CONTEXT,
  uniqueId: 'db8dfea9d14748fa93a46fc08831ad60',
  call: { msgId: 'aabdfdbbe21a457589a955e37bf084e4', replyTo: 'reply_18404a46816b4e898d0379174d73e31c', timeoutMs: 60_000 },
};

Encode("should write a call with exactly oslo's keys, in oslo's order, and '_timeout': null", () => {
  const body = rpcToWire(CALL_REQUEST);
  assert.equal(body, parsed(CALL));
  assert.equal(Object.keys(body), Object.keys(parsed(CALL)));
  assert.ok('_timeout' in body);
  assert.is(body['_timeout'], null);
});

Encode("should write a cast without '_msg_id', '_reply_q' or '_timeout'", () => {
  const body = rpcToWire({ method: 'note', args: { n: 1 }, context: CONTEXT, uniqueId: '68fd…' });
  assert.equal(body, parsed(CAST));
  assert.equal(Object.keys(body), Object.keys(parsed(CAST)));
});

Encode("should write namespace and version only when set, and the call monitor timeout as '_timeout'", () => {
  const body = rpcToWire({ ...CALL_REQUEST, namespace: 'ns', version: '2.1', call: { ...CALL_REQUEST.call!, callMonitorTimeout: 2_000 } });
  assert.equal(body, { ...parsed(CALL), namespace: 'ns', version: '2.1', _timeout: 2 });
  assert.not.ok('namespace' in rpcToWire(CALL_REQUEST));
  assert.not.ok('version' in rpcToWire(CALL_REQUEST));
});

Encode('should not put the overall timeout in the body (it travels as the AMQP expiration)', () => {
  assert.not.ok(JSON.stringify(rpcToWire(CALL_REQUEST)).includes('60000'));
});

Encode("should write a reply with exactly oslo's keys", () => {
  const body = replyToWire({ msgId: 'aabdfdbbe21a457589a955e37bf084e4', result: { x: 1, y: 'two' }, failure: null, ending: true }, '6f18c9db64be4566af25845b64f640ad');
  assert.equal(body, parsed(REPLY));
  assert.equal(Object.keys(body), Object.keys(parsed(REPLY)));
});

Encode('should write a heartbeat as oslo does, an undefined result as null', () => {
  assert.equal(replyToWire({ msgId: '0e9e…', result: undefined, failure: null, ending: false }, '…'), parsed(HEARTBEAT));
});

Encode("should write a failure as a JSON string of oslo's failure dict", () => {
  const failure = {
    class: 'MyError',
    module: '__main__',
    message: 'custom',
    tb: ['Traceback (most recent call last):\n', '...', 'MyError: custom\n'],
    args: ['custom'],
    kwargs: { code: 42 },
  };
  const body = replyToWire({ msgId: '4856…', result: null, failure, ending: true }, '…');
  const expected = parsed(FAILURE);
  assert.equal(Object.keys(body).sort(), Object.keys(expected).sort());
  assert.type(body['failure'], 'string');
  assert.equal(JSON.parse(body['failure'] as string), JSON.parse(expected['failure'] as string));
  assert.equal({ ...body, failure: null }, { ...expected, failure: null });
});

Encode("should write a notification with oslo's keys and the priority in upper case", () => {
  const notification: Notification = {
    messageId: '5f5127be-2f82-408c-a20f-88817eb4b14c',
    publisherId: 'compute.host1',
    eventType: 'compute.instance.create.end',
    priority: 'info',
    payload: { instance_id: 'abc', state: 'active' },
    timestamp: '2026-11-22 05:25:21.387733',
    context: { user_id: 'u1', project_id: 'p1', request_id: 'req-n1' },
  };
  const body = notificationToWire(notification, '3300…');
  assert.equal(body, parsed(NOTIFICATION_V2));
  assert.equal(Object.keys(body), Object.keys(parsed(NOTIFICATION_V2)));
  assert.is(notificationToWire({ ...notification, priority: 'warn' }, '3300…')['priority'], 'WARN');
  assert.is(notificationToWire({ ...notification, priority: 'sample' }, '3300…')['priority'], 'SAMPLE');
});

Encode("should wrap a JSON body in oslo's 2.0 envelope, the message as a JSON string", () => {
  const bytes = encodeBody(defaultCodec, rpcToWire(CALL_REQUEST));
  const outer = JSON.parse(bytes.toString('utf8')) as Dict;
  assert.equal(Object.keys(outer), ['oslo.version', 'oslo.message']);
  assert.is(outer['oslo.version'], '2.0');
  assert.type(outer['oslo.message'], 'string');
  assert.equal(JSON.parse(outer['oslo.message'] as string), parsed(CALL));
});

Encode("should write v1 notifications bare, as oslo's messaging driver does", () => {
  const body = parsed(NOTIFICATION_V1);
  const outer = JSON.parse(encodeBody(defaultCodec, body, false).toString('utf8')) as Dict;
  assert.equal(outer, body);
  assert.not.ok('oslo.version' in outer);
});

Encode('should not envelope bodies of a codec other than JSON', () => {
  const seen: unknown[] = [];
  const codec: WireCodec = {
    contentType: 'application/x-test',
    encode: (value) => {
      seen.push(value);
      return Buffer.from('x');
    },
    decode: () => ({}),
  };
  encodeBody(codec, { method: 'm' });
  assert.equal(seen, [{ method: 'm' }]);
});

Encode("should write Dates inside the envelope in oslo's datetime format and read that text back", () => {
  const at = new Date(Date.UTC(1920, 1, 3, 4, 5, 6, 7));
  const bytes = encodeBody(defaultCodec, rpcToWire({ ...CALL_REQUEST, args: { at } }));
  const inner = (JSON.parse(bytes.toString('utf8')) as Dict)['oslo.message'] as string;
  assert.ok(inner.includes('"at":"1920-02-03T04:05:06.007000"'), inner);
  const back = rpcFromWire(decodeBody(defaultCodec, bytes));
  assert.is(back.args['at'], '1920-02-03T04:05:06.007000');
});

Encode('should round-trip a call, a reply and a notification through the bytes', () => {
  const request = rpcFromWire(decodeBody(defaultCodec, encodeBody(defaultCodec, rpcToWire(CALL_REQUEST))), 60_000);
  assert.equal(request, CALL_REQUEST);
  const reply = { msgId: 'm', result: [1, 'a'], failure: { class: 'E', module: 'm', message: 'x', tb: ['t\n'], args: ['x'], kwargs: { a: 1 } }, ending: true };
  assert.equal(replyFromWire(decodeBody(defaultCodec, encodeBody(defaultCodec, replyToWire(reply, 'u')))), reply);
});

Encode("should convert callMonitorTimeout between rx-messaging's ms and oslo's seconds, both ways", () => {
  assert.is(rpcToWire({ ...CALL_REQUEST, call: { ...CALL_REQUEST.call!, callMonitorTimeout: 2_500 } })['_timeout'], 2.5);
  assert.is(rpcFromWire({ method: 'm', _msg_id: 'm1', _reply_q: 'q', _timeout: 2.5 }).call!.callMonitorTimeout, 2_500);
});

Encode.run();

// --- context ---

const Context = suite('wire: context');

Context("should prefix every context key with '_context_'", () => {
  assert.equal(contextToWire({ user_id: 'u1', roles: ['admin'], is_admin: false }), { _context_user_id: 'u1', _context_roles: ['admin'], _context_is_admin: false });
  assert.equal(contextToWire({}), {});
});

Context("should read only '_context_' keys, unprefixed", () => {
  assert.equal(contextFromWire(parsed(CALL)), CONTEXT);
  assert.equal(contextFromWire({ method: 'm', context_user_id: 'x', _context_: 'empty' }), { '': 'empty' });
});

Context.run();

// --- malformed input ---

const Malformed = suite('wire: malformed messages');

Malformed('should refuse bytes that are not JSON, naming the content type', () => {
  malformed(() => decodeBody(defaultCodec, Buffer.from('{"method": ')), /the body is not application\/json: /);
});

Malformed('should refuse a body that is not an object, saying what it is', () => {
  malformed(() => decodeBody(defaultCodec, Buffer.from('[1, 2]')), /the body is an array, not an object/);
  malformed(() => decodeBody(defaultCodec, Buffer.from('null')), /the body is null, not an object/);
  malformed(() => decodeBody(defaultCodec, Buffer.from('"echo"')), /the body is a string, not an object/);
  malformed(() => decodeBody(defaultCodec, Buffer.from('42')), /the body is a number, not an object/);
});

Malformed('should refuse an envelope version other than 2.x, quoting it', () => {
  malformed(
    () => decodeBody(defaultCodec, Buffer.from('{"oslo.version": "3.0", "oslo.message": "{}"}')),
    /unsupported envelope version "3\.0" \(2\.x or a bare 1\.0 dict is understood\)/,
  );
  malformed(() => decodeBody(defaultCodec, Buffer.from('{"oslo.version": 2, "oslo.message": "{}"}')), /unsupported envelope version 2 /);
});

Malformed("should refuse an envelope whose 'oslo.message' is not a JSON string of an object", () => {
  malformed(() => decodeBody(defaultCodec, Buffer.from('{"oslo.version": "2.0"}')), /the envelope's 'oslo\.message' is not a JSON string/);
  malformed(() => decodeBody(defaultCodec, Buffer.from('{"oslo.version": "2.0", "oslo.message": {"method": "m"}}')), /the envelope's 'oslo\.message' is not a JSON string/);
  malformed(() => decodeBody(defaultCodec, Buffer.from('{"oslo.version": "2.0", "oslo.message": "{nope"}')), /the envelope's 'oslo\.message' is not JSON: /);
  malformed(() => decodeBody(defaultCodec, Buffer.from('{"oslo.version": "2.0", "oslo.message": "[]"}')), /the enveloped message is an array, not an object/);
});

Malformed("should refuse a call or cast without a 'method' string", () => {
  malformed(() => rpcFromWire({ args: {} }), /the message has no 'method' string/);
  malformed(() => rpcFromWire({ method: '' }), /the message has no 'method' string/);
  malformed(() => rpcFromWire({ method: 7 }), /the message has no 'method' string/);
});

Malformed("should refuse 'args' that are not an object", () => {
  malformed(() => rpcFromWire({ method: 'm', args: [1] }), /'args' is an array, not an object/);
  malformed(() => rpcFromWire({ method: 'm', args: null }), /'args' is null, not an object/);
  malformed(() => rpcFromWire({ method: 'm', args: 'x' }), /'args' is a string, not an object/);
});

Malformed('should refuse a namespace, version or _unique_id that is not a string, naming it', () => {
  malformed(() => rpcFromWire({ method: 'm', namespace: 1 }), /'namespace' is a number, not a string/);
  malformed(() => rpcFromWire({ method: 'm', version: 2.1 }), /'version' is a number, not a string/);
  malformed(() => rpcFromWire({ method: 'm', _unique_id: {} }), /'_unique_id' is an? object, not a string/);
});

Malformed("should refuse a call without both '_msg_id' and '_reply_q' strings", () => {
  malformed(() => rpcFromWire({ method: 'm', _msg_id: 'id' }), /a call needs '_msg_id' and '_reply_q' strings/);
  malformed(() => rpcFromWire({ method: 'm', _msg_id: 5, _reply_q: 'q' }), /a call needs '_msg_id' and '_reply_q' strings/);
});

Malformed("should refuse a reply without '_msg_id' or with a failure that is not a string or object", () => {
  malformed(() => replyFromWire({ result: 1, failure: null, ending: true }), /a reply has no '_msg_id' string/);
  malformed(() => replyFromWire({ _msg_id: 'm', failure: 42, ending: true }), /a reply's 'failure' is a number/);
  malformed(() => replyFromWire({ _msg_id: 'm', failure: '[1]', ending: true }), /a reply's 'failure' is an array/);
});

Malformed('should refuse a notification without message_id, event_type or timestamp strings, naming the key', () => {
  const base = parsed(NOTIFICATION_V2);
  for (const key of ['message_id', 'event_type', 'timestamp']) {
    const { [key]: _dropped, ...rest } = base;
    malformed(() => notificationFromWire(rest), new RegExp(`a notification has no '${key}' string`));
    malformed(() => notificationFromWire({ ...base, [key]: 1 }), new RegExp(`a notification has no '${key}' string`));
  }
});

Malformed('should refuse an unknown notification priority, quoting it and listing the known ones', () => {
  malformed(
    () => notificationFromWire({ ...parsed(NOTIFICATION_V2), priority: 'LOUD' }),
    /a notification's priority "LOUD" is not one of audit, debug, info, warn, error, critical, sample/,
  );
  malformed(() => notificationFromWire({ ...parsed(NOTIFICATION_V2), priority: undefined }), /a notification's priority undefined is not one of/);
});

Malformed("should refuse a notification '_unique_id' that is not a string", () => {
  malformed(() => notificationFromWire({ ...parsed(NOTIFICATION_V2), _unique_id: 3 }), /'_unique_id' is a number, not a string/);
});

Malformed.run();
