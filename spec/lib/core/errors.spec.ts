import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as errors from '../../../lib/core/errors.js';
import {
  AcknowledgeError,
  CallCancelled,
  CallLimitExceeded,
  DriverLoadFailure,
  ExecutorClosed,
  InvalidArguments,
  InvalidNotificationFilter,
  InvalidPayload,
  InvalidResult,
  InvalidRoutingConfig,
  InvalidTarget,
  InvalidOptions,
  InvalidTransportUrl,
  MalformedMessage,
  MessageDeliveryFailure,
  MessageUndeliverable,
  MessagingError,
  MessagingTimeout,
  MsgpackDecodeError,
  NoSuchMethod,
  NotificationPublishFailure,
  RemoteError,
  RpcVersionCapError,
  TransportClosed,
  UnsupportedCapability,
  MatchmakerUnavailable,
  InvalidCurveKey,
  UnserializableValue,
  UnsupportedVersion,
  WorkerCrashed,
} from '../../../lib/core/errors.js';
import * as memoryEntry from '../../../drivers/memory/index.js';
import * as driverEntry from '../../../lib/driver/index.js';
import * as barrel from '../../../lib/index.js';
import * as operatorsEntry from '../../../operators/index.js';

const cause = new Error('socket hang up');

const failure = { driver: 'log', messageId: 'n1', eventType: 'compute.start', priority: 'info', error: cause } as const;

/** One instance of every error class, built as rx-messaging builds them, each with a cause. */
const ALL = {
  MessagingError: new MessagingError('generic', { cause }),
  MessagingTimeout: new MessagingTimeout(
    'Timed out waiting for a reply to message ID m1',
    { method: 'echo', target: 'demo', waitedMs: 30_000, msgId: 'm1', kind: 'timeout' },
    { cause },
  ),
  RemoteError: new RemoteError('ValueError', 'bad', ['Traceback\n'], undefined, { cause }),
  MessageDeliveryFailure: new MessageDeliveryFailure('PRECONDITION_FAILED', { cause }),
  MessageUndeliverable: new MessageUndeliverable('openstack', 'demo', { cause }),
  InvalidTarget: new InvalidTarget('a call target needs a topic', { server: 's' }, { cause }),
  InvalidTransportUrl: new InvalidTransportUrl('rabbit://h:0/', 'bad port', { cause }),
  InvalidOptions: new InvalidOptions('rpcServer', 'executor', 'the function blockingExecutor', 'an executor, not its factory: call it (blockingExecutor())', { cause }),
  NoSuchMethod: new NoSuchMethod('echo2', { cause }),
  UnsupportedVersion: new UnsupportedVersion('3.0', 'echo', { cause }),
  InvalidArguments: new InvalidArguments(
    'get_host',
    [
      { path: 'id', message: 'Expected number' },
      { path: '', message: 'Unrecognized key: "x"' },
    ],
    { cause },
  ),
  InvalidResult: new InvalidResult('get_host', [{ path: 'host', message: 'Expected string' }], { cause }),
  InvalidPayload: new InvalidPayload('compute.instance.create.end', [{ path: 'instance_id', message: 'Required' }], { cause }),
  RpcVersionCapError: new RpcVersionCapError('2.6', '2.5', { cause }),
  DriverLoadFailure: new DriverLoadFailure('zmq', 'not installed', { cause }),
  TransportClosed: new TransportClosed(undefined, { cause }),
  UnsupportedCapability: new UnsupportedCapability('requeue', 'zmq', 'a notificationListener with allowRequeue', 'leave allowRequeue off', { cause }),
  InvalidCurveKey: new InvalidCurveKey('zmq_curve_secret_key', 'it is 39 characters long, not 40', { cause }),
  MatchmakerUnavailable: new MatchmakerUnavailable('127.0.0.1:6379', 'connect ECONNREFUSED', { cause }),
  ExecutorClosed: new ExecutorClosed('The worker pool is closed', { cause }),
  WorkerCrashed: new WorkerCrashed('resize', 7, 1, { cause }),
  CallCancelled: new CallCancelled('stopped', { method: 'resize', msgId: 'm1' }, { cause }),
  CallLimitExceeded: new CallLimitExceeded('resize', 64, { cause }),
  MalformedMessage: new MalformedMessage("the message has no 'method' string", { cause }),
  MsgpackDecodeError: new MsgpackDecodeError(3, { cause }),
  UnserializableValue: new UnserializableValue('args.callback', 'is a function', { cause }),
  NotificationPublishFailure: new NotificationPublishFailure([failure], { cause }),
  InvalidRoutingConfig: new InvalidRoutingConfig('routing.yaml', 'not a mapping', { cause }),
  InvalidNotificationFilter: new InvalidNotificationFilter('eventType', '(', { cause }),
  AcknowledgeError: new AcknowledgeError('ack', 2, { cause }),
};

/** Where users import each error from: the package barrel, unless the error belongs to another entry or is internal. */
const ENTRIES: Record<string, Record<string, unknown>> = { AcknowledgeError: operatorsEntry, UnserializableValue: memoryEntry, MalformedMessage: driverEntry };
const INTERNAL = new Set(['MsgpackDecodeError']);

const Common = suite('errors: common shape');

Common('should name every error after its class', () => {
  for (const [name, error] of Object.entries(ALL)) {
    assert.is(error.name, name);
    assert.is(error.constructor.name, name);
  }
});

Common('should make every error a MessagingError and an Error, with a stack', () => {
  for (const [name, error] of Object.entries(ALL)) {
    assert.instance(error, MessagingError, name);
    assert.instance(error, Error, name);
    assert.type(error.stack, 'string');
    assert.ok(error.stack!.startsWith(`${name}: `), `${name}'s stack starts with its name`);
  }
});

Common('should keep the cause when one is given', () => {
  for (const [name, error] of Object.entries(ALL)) assert.is(error.cause, cause, name);
  assert.is(new MessagingError('no cause').cause, undefined);
});

Common('should cover every error class of lib/core/errors.ts here', () => {
  const classes = Object.entries(errors).filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error);
  assert.equal(classes.map(([name]) => name).sort(), Object.keys(ALL).sort());
});

Common('should name a subclass defined by a user after that subclass', () => {
  class CircuitOpen extends MessagingError {}
  const error = new CircuitOpen('open');
  assert.is(error.name, 'CircuitOpen');
  assert.instance(error, MessagingError);
});

Common('should export every error class from the package barrel, or from the entry it belongs to', () => {
  for (const [name, error] of Object.entries(ALL)) {
    if (INTERNAL.has(name)) continue;
    assert.is((ENTRIES[name] ?? (barrel as Record<string, unknown>))[name], error.constructor, name);
  }
});

Common("should list every error in README's Errors section, and nothing else", () => {
  const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
  const section = /\n## Errors\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
  const listed = [...section.matchAll(/^- `(\w+)`/gm)].map((match) => match[1]);
  assert.equal(listed.sort(), Object.keys(ALL).sort());
});

Common.run();

const Facts = suite('errors: facts and messages');

Facts('should carry what a timeout waited for', () => {
  const error = ALL.MessagingTimeout;
  assert.is(error.message, 'Timed out waiting for a reply to message ID m1');
  assert.equal(error.info, { method: 'echo', target: 'demo', waitedMs: 30_000, msgId: 'm1', kind: 'timeout' });
  const monitor = new MessagingTimeout('silent server', { waitedMs: 2_000, kind: 'callMonitorTimeout' });
  assert.is(monitor.info.kind, 'callMonitorTimeout');
});

Facts("should carry the remote class, value, traceback and module, and show them as oslo's RemoteError does", () => {
  const error = new RemoteError('MyError', 'custom', ['Traceback (most recent call last):\n', '...', 'MyError: custom\n'], '__main__');
  assert.is(error.excType, 'MyError');
  assert.is(error.value, 'custom');
  assert.equal(error.traceback, ['Traceback (most recent call last):\n', '...', 'MyError: custom\n']);
  assert.is(error.module, '__main__');
  assert.is(error.message, 'Remote error: MyError custom\nTraceback (most recent call last):\n...MyError: custom\n');
});

Facts('should leave the traceback out of the message when there is none', () => {
  const error = new RemoteError('KeyError', "'k'");
  assert.is(error.message, "Remote error: KeyError 'k'");
  assert.equal(error.traceback, []);
  assert.is(error.module, undefined);
});

Facts('should say where an undeliverable message was going', () => {
  const error = ALL.MessageUndeliverable;
  assert.is(error.exchange, 'openstack');
  assert.is(error.routingKey, 'demo');
  assert.is(error.message, "No queue is bound for routing key 'demo' on exchange 'openstack': nobody can receive this message");
});

Facts('should carry the invalid target and say why', () => {
  const error = ALL.InvalidTarget;
  assert.equal(error.target, { server: 's' });
  assert.is(error.message, 'Invalid target: a call target needs a topic (target: {"server":"s"})');
});

Facts('should carry the method that does not exist', () => {
  assert.is(ALL.NoSuchMethod.method, 'echo2');
  assert.is(ALL.NoSuchMethod.message, 'Endpoint does not support RPC method echo2');
});

Facts('should carry the method and each failing path of a contract, and list them in the message', () => {
  assert.is(ALL.InvalidArguments.method, 'get_host');
  assert.equal(
    ALL.InvalidArguments.issues.map((issue) => issue.path),
    ['id', ''],
  );
  assert.is(ALL.InvalidArguments.message, 'Invalid arguments for get_host: id: Expected number; Unrecognized key: "x"');
  assert.is(ALL.InvalidResult.message, 'Invalid result of get_host: host: Expected string');
  assert.is(ALL.InvalidPayload.eventType, 'compute.instance.create.end');
  assert.is(ALL.InvalidPayload.message, 'Invalid payload for compute.instance.create.end: instance_id: Required');
});

Facts('should carry the unsupported version and the method attempted', () => {
  assert.is(ALL.UnsupportedVersion.version, '3.0');
  assert.is(ALL.UnsupportedVersion.method, 'echo');
  assert.is(ALL.UnsupportedVersion.message, 'Endpoint does not support RPC version 3.0. Attempted method: echo');
  assert.is(new UnsupportedVersion('3.0').message, 'Endpoint does not support RPC version 3.0. Attempted method: (unknown)');
});

Facts('should carry the version and the cap it exceeds', () => {
  const error = ALL.RpcVersionCapError;
  assert.is(error.version, '2.6');
  assert.is(error.versionCap, '2.5');
  assert.match(error.message, /^Requested message version, 2\.6 is incompatible\./);
  assert.match(error.message, /version cap 2\.5\.$/);
});

Facts('should name the driver that failed to load and why', () => {
  assert.is(ALL.DriverLoadFailure.driver, 'zmq');
  assert.is(ALL.DriverLoadFailure.message, "Cannot load driver 'zmq': not installed");
});

Facts('should name the capability, the driver, what asked for it and what to do instead', () => {
  const error = ALL.UnsupportedCapability;
  assert.is(error.capability, 'requeue');
  assert.is(error.driver, 'zmq');
  assert.is(error.message, "The 'zmq' driver lacks the capability 'requeue', which a notificationListener with allowRequeue needs: leave allowRequeue off");
});

Facts('should say the transport is closed, or what was given', () => {
  assert.is(new TransportClosed().message, 'The transport is closed');
  assert.is(new TransportClosed('The memory transport x is closed').message, 'The memory transport x is closed');
});

Facts('should carry a delivery failure message as given', () => {
  assert.is(ALL.MessageDeliveryFailure.message, 'PRECONDITION_FAILED');
});

Facts('should say which worker crashed running what, with the reason of its cause', () => {
  const error = new WorkerCrashed('resize', 7, 1, { cause: new Error('out of memory') });
  assert.equal([error.method, error.threadId, error.exitCode], ['resize', 7, 1]);
  assert.is(error.message, "Worker thread 7 exited with code 1 while running 'resize': out of memory; the pool replaces it");
});

Facts('should say which call was given up, and why', () => {
  assert.is(ALL.CallCancelled.why, 'stopped');
  assert.is(ALL.CallCancelled.message, 'The call to resize (message ID m1) was given up: the server stopped past its drain deadline');
  assert.is(new CallCancelled('cancelled').message, 'The call was given up: its caller cancelled it');
  assert.is(new CallCancelled('deadline', { method: 'echo' }).message, 'The call to echo was given up: its deadline passed');
});

Facts('should give the reason of an unreadable MessagePack body, without the payload msgpackr appends', () => {
  const error = new MsgpackDecodeError(3, { cause: new Error('Unexpected end of buffer reading {"a": 1') });
  assert.is(error.byteLength, 3);
  assert.is(error.message, 'cannot read 3 bytes as one MessagePack value: Unexpected end of buffer reading');
});

Facts('should say where an unserializable value sits, and why', () => {
  const error = ALL.UnserializableValue;
  assert.equal([error.path, error.reason], ['args.callback', 'is a function']);
  assert.is(error.message, 'Cannot send the message: args.callback is a function');
  assert.is(ALL.MalformedMessage.message, "Malformed message: the message has no 'method' string");
});

Facts("should make a notifier's driver failures the cause: the one failure, or all of them", () => {
  const one = new NotificationPublishFailure([failure]);
  assert.is(one.cause, cause);
  assert.is(one.message, 'Could not publish compute.start (info) through the log driver(s)');
  const other = new Error('refused');
  const two = new NotificationPublishFailure([failure, { ...failure, driver: 'messaging', error: other }]);
  assert.instance(two.cause, AggregateError);
  assert.equal((two.cause as AggregateError).errors, [cause, other]);
  assert.is(two.message, 'Could not publish compute.start (info) through the log, messaging driver(s)');
});

Facts('should name the routing source, the filter field and pattern, and the refused settlement', () => {
  assert.is(ALL.InvalidRoutingConfig.source, 'routing.yaml');
  assert.is(ALL.InvalidRoutingConfig.message, 'Invalid notification routing config (routing.yaml): not a mapping');
  assert.equal([ALL.InvalidNotificationFilter.field, ALL.InvalidNotificationFilter.pattern], ['eventType', '(']);
  assert.is(ALL.InvalidNotificationFilter.message, 'Invalid notification filter: eventType pattern "(" is not a valid regular expression');
  assert.equal([ALL.AcknowledgeError.action, ALL.AcknowledgeError.count], ['ack', 2]);
  assert.is(ALL.AcknowledgeError.message, 'Could not ack 2 messages; the broker will redeliver what it did not see settled');
  assert.is(new AcknowledgeError('requeue', 1).message, 'Could not requeue a message; the broker will redeliver what it did not see settled');
});

Facts.run();

const Url = suite('errors: InvalidTransportUrl');

Url('should quote the URL and the reason', () => {
  const error = new InvalidTransportUrl('kafka://h', "unknown scheme 'kafka'");
  assert.is(error.message, "Invalid transport URL 'kafka://h': unknown scheme 'kafka'");
  assert.is(error.url, 'kafka://h');
});

Url('should hide the password in the message and on the error', () => {
  const error = new InvalidTransportUrl('rabbit://guest:s3cret@127.0.0.1:5672/', 'bad');
  assert.is(error.message, "Invalid transport URL 'rabbit://guest:***@127.0.0.1:5672/': bad");
  assert.is(error.url, 'rabbit://guest:***@127.0.0.1:5672/');
});

Url('should hide the password of every host', () => {
  const error = new InvalidTransportUrl('rabbit://u1:p4ss1@h1:5672,u2:p4ss2@h2,h3/nova?ssl=1', 'bad');
  assert.is(error.message, "Invalid transport URL 'rabbit://u1:***@h1:5672,u2:***@h2,h3/nova?ssl=1': bad");
});

Url("should hide a password containing '@' or ':' entirely", () => {
  assert.is(new InvalidTransportUrl('rabbit://me:p@ss:w@h/', 'bad').message, "Invalid transport URL 'rabbit://me:***@h/': bad");
});

Url('should leave URLs without a password as they are', () => {
  for (const url of ['rabbit://admin@h/', 'amqp://[::1]:5672/', 'memory://', 'rabbit://h/vh?x=a:b@c', 'not a url']) {
    assert.is(new InvalidTransportUrl(url, 'r').message, `Invalid transport URL '${url}': r`);
  }
});

Url('should hide the password of an IPv6 host, and an empty one', () => {
  assert.is(new InvalidTransportUrl('amqp://u:p@[::1]:5672/', 'r').message, "Invalid transport URL 'amqp://u:***@[::1]:5672/': r");
  assert.is(new InvalidTransportUrl('amqp://u:@h/', 'r').message, "Invalid transport URL 'amqp://u:***@h/': r");
});

Url.run();
