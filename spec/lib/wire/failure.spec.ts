import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RemoteFailure } from '../../../lib/driver/rpc.js';
import { MessagingError, NoSuchMethod, RemoteError, UnsupportedVersion } from '../../../lib/core/errors.js';
import { DISPATCHER_MODULE, fromFailure, toFailure } from '../../../lib/wire/failure.js';
import { decodeBody } from '../../../lib/wire/envelope.js';
import { replyFromWire } from '../../../lib/wire/rpc.js';
import { defaultCodec } from '../../../lib/wire/codec.js';

/** The failure reply oslo.messaging 14.0.3 sent for `raise MyError('custom')` with `self.code = 42` (reference §3), verbatim. */
const OSLO_FAILURE_REPLY = String.raw`{"result": null, "ending": true, "_msg_id": "4856…", "_unique_id": "…",
 "failure": "{\"class\": \"MyError\", \"module\": \"__main__\", \"message\": \"custom\", \"tb\": [\"Traceback (most recent call last):\\n\", \"...\", \"MyError: custom\\n\"], \"args\": [\"custom\"], \"kwargs\": {\"code\": 42}}"}`;

function osloFailure(): RemoteFailure {
  const failure = replyFromWire(decodeBody(defaultCodec, Buffer.from(OSLO_FAILURE_REPLY))).failure;
  assert.ok(failure);
  return failure!;
}

function failure(fields: Partial<RemoteFailure>): RemoteFailure {
  return { class: 'Exception', module: 'builtins', message: '', tb: [], args: [], kwargs: {}, ...fields };
}

class QuotaExceeded extends Error {
  static readonly module = 'nova.exception';
  override name = 'QuotaExceeded';
  constructor(
    message: string,
    readonly quota = 0,
    readonly resource = '',
  ) {
    super(message);
  }
}

// --- toFailure ---

const To = suite('toFailure()');

To("should describe a built-in error with oslo's six keys, module builtins", () => {
  const error = new TypeError('bad id');
  const f = toFailure(error);
  assert.equal(Object.keys(f), ['class', 'module', 'message', 'tb', 'args', 'kwargs']);
  assert.is(f.class, 'TypeError');
  assert.is(f.module, 'builtins');
  assert.is(f.message, 'bad id');
  assert.equal(f.args, ['bad id']);
  assert.equal(f.kwargs, {});
});

To("should send the stack as oslo's traceback: lines each ending in a newline", () => {
  const error = new RangeError('out of range');
  const f = toFailure(error);
  assert.equal(
    f.tb,
    error.stack!.split('\n').map((line) => `${line}\n`),
  );
  assert.is(f.tb[0], 'RangeError: out of range\n');
  assert.ok(f.tb.every((line) => line.endsWith('\n')));
});

To('should make a traceback of name and message when the error has no stack', () => {
  const error = new Error('no stack');
  Object.defineProperty(error, 'stack', { value: undefined });
  assert.equal(toFailure(error).tb, ['Error: no stack\n']);
});

To('should send own fields as kwargs and the static module as module', () => {
  const f = toFailure(new QuotaExceeded('Quota exceeded for cores', 20, 'cores'));
  assert.is(f.class, 'QuotaExceeded');
  assert.is(f.module, 'nova.exception');
  assert.is(f.message, 'Quota exceeded for cores');
  assert.equal(f.kwargs, { quota: 20, resource: 'cores' });
});

To('should keep name, message, stack, cause and module out of kwargs', () => {
  const error = Object.assign(new Error('x', { cause: new Error('root') }), { module: 'app.errors', code: 7 });
  error.name = 'AppError';
  const f = toFailure(error);
  assert.equal(f.kwargs, { code: 7 });
  assert.is(f.module, 'app.errors');
  assert.is(f.class, 'AppError');
});

To('should use the class name of a subclass that does not set name', () => {
  class DiskFull extends Error {}
  const f = toFailure(new DiskFull('full'));
  assert.is(f.class, 'DiskFull');
  assert.is(f.module, 'rx_messaging.remote');
  class Negative extends RangeError {}
  assert.is(toFailure(new Negative('x')).class, 'Negative');
});

To("should use a name set on a plain Error, from rx-messaging's module: builtins has no such class", () => {
  const error = new Error('bad input');
  error.name = 'ValidationError';
  const f = toFailure(error);
  assert.is(f.class, 'ValidationError');
  assert.is(f.module, 'rx_messaging.remote');
});

To('should send each JavaScript built-in as the Python built-in that means the same, with no kwargs, its own class beside', () => {
  const expected: [ErrorConstructor | AggregateErrorConstructor, string][] = [
    [Error, 'Exception'],
    [TypeError, 'TypeError'],
    [RangeError, 'ValueError'],
    [SyntaxError, 'ValueError'],
    [ReferenceError, 'NameError'],
    [EvalError, 'Exception'],
    [URIError, 'ValueError'],
    [AggregateError, 'Exception'],
  ];
  for (const [cls, python] of expected) {
    const error = cls === AggregateError ? new AggregateError([], 'm') : new (cls as ErrorConstructor)('m');
    const f = toFailure(Object.assign(error, { code: 'E1' }));
    assert.is(f.class, python, cls.name);
    assert.is(f.module, 'builtins');
    assert.equal(f.args, ['m']);
    assert.equal(f.kwargs, {}, 'oslo rebuilds with klass(*args, **kwargs): a built-in takes no kwargs');
    assert.equal(f.javascript, { class: cls.name, kwargs: { code: 'E1' } });
  }
  assert.equal(Object.keys(toFailure(new TypeError('same name, no fields'))), ['class', 'module', 'message', 'tb', 'args', 'kwargs']);
});

To("should send rx-messaging's dispatch errors from oslo's dispatcher module", () => {
  const noSuch = toFailure(new NoSuchMethod('echo2'));
  assert.is(noSuch.class, 'NoSuchMethod');
  assert.is(noSuch.module, DISPATCHER_MODULE);
  assert.is(noSuch.module, 'oslo_messaging.rpc.dispatcher');
  assert.is(noSuch.message, 'Endpoint does not support RPC method echo2');
  assert.equal(noSuch.kwargs, { method: 'echo2' });
  const unsupported = toFailure(new UnsupportedVersion('3.0', 'echo'));
  assert.is(unsupported.class, 'UnsupportedVersion');
  assert.is(unsupported.module, DISPATCHER_MODULE);
  assert.equal(unsupported.kwargs, { version: '3.0', method: 'echo' });
});

To('should take args and kwargs an error carries itself', () => {
  const error = Object.assign(new Error('m'), { args: ['a', 1], kwargs: { code: 42 }, other: true });
  const f = toFailure(error);
  assert.equal(f.args, ['a', 1]);
  assert.equal(f.kwargs, { code: 42 });
});

To("should turn a thrown non-Error into an Error failure with its text, Python's Exception", () => {
  const f = toFailure('boom');
  assert.is(f.class, 'Exception');
  assert.is(f.module, 'builtins');
  assert.is(f.javascript?.class, 'Error');
  assert.is(f.message, 'boom');
  assert.equal(f.args, ['boom']);
  assert.is(toFailure(42).message, '42');
  assert.is(toFailure(undefined).message, 'undefined');
});

To('should be JSON as it is', () => {
  const f = toFailure(new QuotaExceeded('q', 1, 'ram'));
  assert.equal(JSON.parse(JSON.stringify(f)), f);
});

To.run();

// --- fromFailure ---

const From = suite('fromFailure()');

From('should rebuild JavaScript built-in errors as themselves', () => {
  for (const cls of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError]) {
    const error = fromFailure(failure({ class: cls.name, module: 'builtins', message: 'remote says no', tb: ['Trace\n', 'line\n'] }));
    assert.instance(error, cls);
    assert.is(error.name, cls.name);
    assert.is(error.message, 'remote says no');
    assert.is(error.constructor, cls);
  }
});

From('should rebuild the JavaScript built-ins a rx-messaging server sent as Python built-ins, with their fields', () => {
  for (const cls of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError]) {
    const sent = Object.assign(new cls('remote says no'), { code: 7 });
    const error = fromFailure(replyFromWire(decodeBody(defaultCodec, defaultCodec.encode({ _msg_id: 'm', failure: JSON.stringify(toFailure(sent)) }))).failure!);
    assert.is(error.constructor, cls);
    assert.is(error.name, cls.name);
    assert.is(error.message, 'remote says no');
    assert.is((error as unknown as { code: number }).code, 7);
    assert.match(error.stack!, new RegExp(`^${cls.name}: remote says no\n--- remote traceback ---\n`));
  }
});

From('should give RemoteError for a Python ValueError or NameError, which carry no JavaScript class', () => {
  for (const name of ['ValueError', 'NameError']) assert.instance(fromFailure(failure({ class: name, module: 'builtins', message: 'x' })), RemoteError);
});

From("should read Python 2's 'exceptions' module as builtins", () => {
  assert.instance(fromFailure(failure({ class: 'TypeError', module: 'exceptions', message: 'x' })), TypeError);
});

From('should put the remote traceback in the stack', () => {
  const error = fromFailure(failure({ class: 'TypeError', message: 'bad', tb: ['Traceback (most recent call last):\n', '  File "x"\n', 'TypeError: bad\n'] }));
  assert.is(error.stack, 'TypeError: bad\n--- remote traceback ---\nTraceback (most recent call last):\n  File "x"\nTypeError: bad\n');
});

From("should parse oslo's failure string (reference §3) and give RemoteError when MyError is not allowed", () => {
  const error = fromFailure(osloFailure());
  assert.instance(error, RemoteError);
  assert.instance(error, MessagingError);
  const remote = error as RemoteError;
  assert.is(remote.name, 'RemoteError');
  assert.is(remote.excType, 'MyError');
  assert.is(remote.value, 'custom');
  assert.is(remote.module, '__main__');
  assert.equal(remote.traceback, ['Traceback (most recent call last):\n', '...', 'MyError: custom\n']);
  assert.is(remote.message, 'Remote error: MyError custom\nTraceback (most recent call last):\n...MyError: custom\n');
});

From("should rebuild oslo's MyError with its kwargs when the class is allowed", () => {
  class MyError extends Error {
    declare code: number;
  }
  const error = fromFailure(osloFailure(), [MyError]);
  assert.instance(error, MyError);
  assert.instance(error, Error);
  assert.is(error.name, 'MyError');
  assert.is(error.message, 'custom');
  assert.is((error as MyError).code, 42);
  assert.match(error.stack!, /^MyError: custom\n--- remote traceback ---\nTraceback/);
});

From('should match an allowed class with a static module only from that module', () => {
  class MyError extends Error {
    static readonly module = '__main__';
  }
  class OtherMyError extends Error {
    static readonly module = 'elsewhere';
  }
  Object.defineProperty(OtherMyError, 'name', { value: 'MyError' });
  assert.instance(fromFailure(osloFailure(), [MyError]), MyError);
  assert.instance(fromFailure(osloFailure(), [OtherMyError]), RemoteError);
  assert.instance(fromFailure(osloFailure(), [OtherMyError, MyError]), MyError);
});

From('should not rebuild a class whose name differs', () => {
  class MyOtherError extends Error {}
  assert.instance(fromFailure(osloFailure(), [MyOtherError]), RemoteError);
});

From('should give RemoteError for Python built-ins JavaScript lacks, such as ValueError', () => {
  const error = fromFailure(failure({ class: 'ValueError', module: 'builtins', message: 'invalid literal', tb: ['ValueError: invalid literal\n'] }));
  assert.instance(error, RemoteError);
  assert.is((error as RemoteError).excType, 'ValueError');
  assert.is((error as RemoteError).module, 'builtins');
});

From('should rebuild a builtins failure into an allowed class without module (e.g. a ValueError stand-in)', () => {
  class ValueError extends Error {}
  class KeyError extends Error {
    static readonly module = 'app';
  }
  assert.instance(fromFailure(failure({ class: 'ValueError', module: 'builtins', message: 'x' }), [ValueError]), ValueError);
  assert.instance(fromFailure(failure({ class: 'KeyError', module: 'builtins', message: 'x' }), [KeyError]), RemoteError);
});

From('should not rebuild a built-in name sent from another module', () => {
  const error = fromFailure(failure({ class: 'TypeError', module: 'app.errors', message: 'x' }));
  assert.instance(error, RemoteError);
  assert.is((error as RemoteError).module, 'app.errors');
});

From("should rebuild NoSuchMethod and UnsupportedVersion from oslo's dispatcher module", () => {
  const noSuch = fromFailure(
    failure({
      class: 'NoSuchMethod',
      module: 'oslo_messaging.rpc.dispatcher',
      message: 'Endpoint does not support RPC method echo2',
      args: ['Endpoint does not support RPC method echo2'],
      kwargs: { method: 'echo2' },
    }),
  );
  assert.instance(noSuch, NoSuchMethod);
  assert.instance(noSuch, MessagingError);
  assert.is(noSuch.name, 'NoSuchMethod');
  assert.is(noSuch.message, 'Endpoint does not support RPC method echo2');
  assert.is((noSuch as NoSuchMethod).method, 'echo2');
  const unsupported = fromFailure(
    failure({
      class: 'UnsupportedVersion',
      module: DISPATCHER_MODULE,
      message: 'Endpoint does not support RPC version 3.0. Attempted method: echo',
      kwargs: { version: '3.0', method: 'echo' },
    }),
  );
  assert.instance(unsupported, UnsupportedVersion);
  assert.is((unsupported as UnsupportedVersion).version, '3.0');
  assert.is((unsupported as UnsupportedVersion).method, 'echo');
});

From('should rebuild dispatch errors sent by a Python server, which carry no kwargs', () => {
  const error = fromFailure(
    failure({ class: 'NoSuchMethod', module: DISPATCHER_MODULE, message: 'Endpoint does not support RPC method nope', args: ['Endpoint does not support RPC method nope'] }),
  );
  assert.instance(error, NoSuchMethod);
  assert.is(error.message, 'Endpoint does not support RPC method nope');
});

From("should give RemoteError for other classes of oslo's dispatcher module", () => {
  class ExpectedException extends Error {}
  const error = fromFailure(failure({ class: 'ExpectedException', module: DISPATCHER_MODULE, message: 'x' }), [ExpectedException]);
  assert.instance(error, RemoteError);
  assert.is((error as RemoteError).excType, 'ExpectedException');
});

From('should not rebuild NoSuchMethod sent from another module', () => {
  assert.instance(fromFailure(failure({ class: 'NoSuchMethod', module: 'app', message: 'x' })), RemoteError);
});

From('should not let kwargs replace name, message or stack', () => {
  class MyError extends Error {}
  const error = fromFailure(failure({ class: 'MyError', module: 'app', message: 'real', tb: ['t\n'], kwargs: { name: 'Fake', message: 'fake', stack: 'fake', extra: 1 } }), [
    MyError,
  ]);
  assert.is(error.name, 'MyError');
  assert.is(error.message, 'real');
  assert.match(error.stack!, /^MyError: real\n--- remote traceback ---\nt\n$/);
  assert.is((error as unknown as { extra: number }).extra, 1);
});

From("should ignore a '__proto__' kwarg rather than let it change the class", () => {
  class MyError extends Error {}
  const kwargs = JSON.parse('{"__proto__": {"forged": true}, "code": 1}') as Record<string, unknown>;
  const error = fromFailure(failure({ class: 'MyError', module: 'app', message: 'm', kwargs }), [MyError]);
  assert.instance(error, MyError);
  assert.is(Object.getPrototypeOf(error), MyError.prototype);
  assert.is((error as unknown as { forged?: boolean }).forged, undefined);
  assert.is((error as unknown as { code: number }).code, 1);
});

From('should round-trip an allowed error class with its fields through toFailure and JSON', () => {
  const sent = toFailure(new QuotaExceeded('Quota exceeded for ram', 2048, 'ram'));
  const error = fromFailure(JSON.parse(JSON.stringify(sent)) as RemoteFailure, [QuotaExceeded]);
  assert.instance(error, QuotaExceeded);
  assert.is(error.message, 'Quota exceeded for ram');
  assert.is((error as QuotaExceeded).quota, 2048);
  assert.is((error as QuotaExceeded).resource, 'ram');
});

From('should round-trip a subclass that does not set its name', () => {
  class DiskFull extends Error {
    constructor(readonly device: string) {
      super(`${device} is full`);
    }
  }
  const error = fromFailure(toFailure(new DiskFull('/dev/sda')), [DiskFull]);
  assert.instance(error, DiskFull);
  assert.is((error as DiskFull).device, '/dev/sda');
  assert.is(error.name, 'DiskFull');
});

From('should round-trip a disallowed error as RemoteError keeping class, message and module', () => {
  const error = fromFailure(toFailure(new QuotaExceeded('no', 1, 'x')));
  assert.instance(error, RemoteError);
  assert.is((error as RemoteError).excType, 'QuotaExceeded');
  assert.is((error as RemoteError).value, 'no');
  assert.is((error as RemoteError).module, 'nova.exception');
});

From.run();
