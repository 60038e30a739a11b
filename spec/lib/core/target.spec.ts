import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InvalidTarget, MessagingError } from '../../../lib/core/errors.js';
import { thrown } from '../../helpers/thrown.js';
import {
  acceptedNamespaces,
  acceptsNamespace,
  assertTargetFor,
  describeTarget,
  exchangeName,
  fanoutExchange,
  fanoutQueue,
  isTargetField,
  notificationQueue,
  poolQueue,
  replyQueue,
  retarget,
  routingKey,
  serverQueue,
  target,
  topicQueue,
  type Target,
} from '../../../lib/core/target.js';

function invalid(fn: () => unknown, reason: RegExp): InvalidTarget {
  const error = thrown(fn);
  assert.instance(error, InvalidTarget);
  assert.instance(error, MessagingError);
  assert.match(error.message, reason);
  return error as InvalidTarget;
}

// --- target() ---

const Build = suite('target()');

Build('should keep every field given', () => {
  const t = target({ exchange: 'nova', topic: 'compute', namespace: 'ns', version: '2.1', server: 'host-1', fanout: false, legacyNamespaces: ['old'] });
  assert.equal({ ...t }, { exchange: 'nova', topic: 'compute', namespace: 'ns', version: '2.1', server: 'host-1', fanout: false, legacyNamespaces: ['old'] });
});

Build('should return a frozen target, legacy namespaces included', () => {
  const t = target({ topic: 'compute', legacyNamespaces: ['a'] });
  assert.ok(Object.isFrozen(t));
  assert.ok(Object.isFrozen(t.legacyNamespaces));
  assert.throws(() => {
    (t as { topic?: string }).topic = 'other';
  }, TypeError);
});

Build('should copy its input, so changing the input later does not change the target', () => {
  const legacy = ['a'];
  const fields: { topic: string; legacyNamespaces: string[] } = { topic: 'compute', legacyNamespaces: legacy };
  const t = target(fields);
  fields.topic = 'changed';
  legacy.push('b');
  assert.is(t.topic, 'compute');
  assert.equal(t.legacyNamespaces, ['a']);
});

Build('should drop fields given as undefined', () => {
  const t = target({ topic: 'compute', server: undefined, namespace: undefined });
  assert.equal(Object.keys(t), ['topic']);
});

Build('should accept an empty target (the role check comes later)', () => {
  assert.equal({ ...target({}) }, {});
});

Build('should accept versions "X.Y" and "X.Y.Z"', () => {
  assert.is(target({ topic: 't', version: '1.0' }).version, '1.0');
  assert.is(target({ topic: 't', version: '12.34.5' }).version, '12.34.5');
});

Build('should reject a version that is not "X.Y[.Z]", quoting it', () => {
  for (const version of ['1', '1.', 'a.b', '1.2.3.4', 'v1.0', ' 1.0', '']) {
    const error = invalid(() => target({ topic: 't', version }), /version must look like "X\.Y" or "X\.Y\.Z"/);
    assert.ok(error.message.includes(`got ${JSON.stringify(version)}`), error.message);
  }
});

Build('should reject a version that is not a string', () => {
  invalid(() => target({ topic: 't', version: 1.0 as unknown as string }), /version must look like "X\.Y" or "X\.Y\.Z", got 1/);
});

Build('should reject names that are empty, or contain spaces, # or *, naming the field', () => {
  for (const key of ['exchange', 'topic', 'server', 'namespace'] as const) {
    for (const value of ['', 'a b', 'a#', '*', 'tab\there', 'nl\n']) {
      invalid(() => target({ [key]: value }), new RegExp(`^Invalid target: ${key} must be a non-empty string without spaces, '#' or '\\*'`));
    }
  }
});

Build('should reject names that are not strings', () => {
  invalid(() => target({ topic: 42 as unknown as string }), /topic must be a non-empty string/);
  invalid(() => target({ server: null as unknown as string }), /server must be a non-empty string/);
});

Build('should accept names with dots, dashes and underscores', () => {
  const t = target({ exchange: 'open-stack', topic: 'compute.cells_v2', server: 'host-1.example.com', namespace: 'base_api' });
  assert.is(t.topic, 'compute.cells_v2');
  assert.is(t.server, 'host-1.example.com');
});

Build('should reject a fanout that is not a boolean', () => {
  invalid(() => target({ topic: 't', fanout: 'yes' as unknown as boolean }), /fanout must be a boolean/);
});

Build('should reject unknown fields, naming all of them', () => {
  invalid(() => target({ topic: 't', host: 'h', legacy_namespaces: [] } as unknown as Target), /unknown field\(s\) host, legacy_namespaces/);
});

Build('should carry the offending fields on the error and in its message', () => {
  const error = invalid(() => target({ topic: 'bad topic' }), /\(target: \{"topic":"bad topic"\}\)/);
  assert.equal(error.target, { topic: 'bad topic' });
  assert.is(error.name, 'InvalidTarget');
});

Build("should know a target's fields, and nothing else, as fields", () => {
  for (const key of ['exchange', 'topic', 'namespace', 'version', 'server', 'fanout', 'legacyNamespaces']) assert.ok(isTargetField(key), key);
  for (const key of ['timeout', 'retry', 'host', 'toString', '__proto__', 'legacy_namespaces']) assert.not.ok(isTargetField(key), key);
});

Build.run();

// --- retarget() ---

const Retarget = suite('retarget()');

Retarget('should apply overrides on a copy, leaving the base as it was', () => {
  const base = target({ topic: 'compute', version: '1.0' });
  const next = retarget(base, { server: 'host-1', version: '1.3' });
  assert.equal({ ...next }, { topic: 'compute', version: '1.3', server: 'host-1' });
  assert.equal({ ...base }, { topic: 'compute', version: '1.0' });
  assert.ok(Object.isFrozen(next));
});

Retarget('should keep the base value where an override is undefined', () => {
  const base = target({ topic: 'compute', server: 'host-1' });
  assert.equal({ ...retarget(base, { server: undefined, fanout: true }) }, { topic: 'compute', server: 'host-1', fanout: true });
});

Retarget('should validate the result', () => {
  invalid(() => retarget(target({ topic: 'compute' }), { version: 'latest' }), /version must look like/);
});

Retarget.run();

// --- assertTargetFor() ---

const Roles = suite('assertTargetFor()');

Roles('should accept what each role needs', () => {
  assertTargetFor('call', target({ topic: 't' }));
  assertTargetFor('call', target({ topic: 't', server: 's' }));
  assertTargetFor('cast', target({ topic: 't', fanout: true }));
  assertTargetFor('cast', target({ topic: 't', server: 's' }));
  assertTargetFor('server', target({ topic: 't', server: 's' }));
  assertTargetFor('notifier', target({ topic: 'notifications', exchange: 'nova' }));
  assertTargetFor('listener', target({ topic: 'notifications' }));
});

Roles('should require a topic for every role, naming the role', () => {
  for (const role of ['call', 'cast', 'server', 'notifier', 'listener'] as const) {
    invalid(() => assertTargetFor(role, target({ server: 's' })), new RegExp(`a ${role} target needs a topic`));
  }
});

Roles('should require a server for an RPC server', () => {
  invalid(() => assertTargetFor('server', target({ topic: 't' })), /an RPC server target needs a server/);
});

Roles('should refuse a fanout call and point to cast', () => {
  invalid(() => assertTargetFor('call', target({ topic: 't', fanout: true })), /a call cannot be fanout: use cast/);
});

Roles('should refuse a server or fanout on notification targets', () => {
  invalid(() => assertTargetFor('notifier', target({ topic: 't', server: 's' })), /a notifier target takes a topic \(and exchange\), not server or fanout/);
  invalid(() => assertTargetFor('listener', target({ topic: 't', fanout: true })), /a listener target takes a topic/);
});

Roles.run();

// --- namespaces and descriptions ---

const Describe = suite('acceptedNamespaces() and describeTarget()');

Describe('should accept the null namespace for an endpoint without target', () => {
  assert.equal(acceptedNamespaces(undefined), [undefined]);
  assert.equal(acceptedNamespaces(target({})), [undefined]);
});

Describe('should accept the namespace and then the legacy namespaces', () => {
  assert.equal(acceptedNamespaces(target({ namespace: 'ns', legacyNamespaces: ['old', 'older'] })), ['ns', 'old', 'older']);
  assert.equal(acceptedNamespaces(target({ legacyNamespaces: ['old'] })), [undefined, 'old']);
});

Describe('should tell whether a namespace is accepted exactly as the list of accepted namespaces has it', () => {
  const scopes = [undefined, target({}), target({ namespace: 'ns', legacyNamespaces: ['old', 'older'] }), target({ legacyNamespaces: ['old'] })];
  for (const scope of scopes)
    for (const namespace of [undefined, 'ns', 'old', 'older', 'other'])
      assert.is(acceptsNamespace(scope, namespace), acceptedNamespaces(scope).includes(namespace), `${namespace} in ${JSON.stringify(scope)}`);
});

Describe('should describe a target by topic, server, fanout and exchange', () => {
  assert.is(describeTarget(target({ topic: 'compute' })), 'compute');
  assert.is(describeTarget(target({ topic: 'compute', server: 'h1' })), 'compute.h1');
  assert.is(describeTarget(target({ topic: 'compute', fanout: true })), 'compute(fanout)');
  assert.is(describeTarget(target({ topic: 'compute', server: 'h1', exchange: 'nova' })), 'nova/compute.h1');
});

Describe.run();

// --- names on the wire (reference §3: exchange openstack, topic demo, server srv1) ---

const Names = suite('wire names');

Names('should use the control exchange unless the target names one', () => {
  assert.is(exchangeName(target({ topic: 'demo' }), 'openstack'), 'openstack');
  assert.is(exchangeName(target({ topic: 'demo', exchange: 'nova' }), 'openstack'), 'nova');
});

Names("should name queues and routing keys as oslo does ('demo', 'demo.srv1')", () => {
  const t = target({ topic: 'demo', server: 'srv1' });
  assert.is(topicQueue(t), 'demo');
  assert.is(serverQueue(t), 'demo.srv1');
  assert.is(routingKey(t), 'demo.srv1');
  assert.is(routingKey(target({ topic: 'demo' })), 'demo');
});

Names("should name the fanout exchange '<topic>_fanout' and a server's fanout queue '<topic>_fanout_<unique>'", () => {
  const t = target({ topic: 'demo', server: 'srv1', fanout: true });
  assert.is(fanoutExchange(t), 'demo_fanout');
  assert.is(fanoutQueue(t, '0123456789abcdef0123456789abcdef'), 'demo_fanout_0123456789abcdef0123456789abcdef');
});

Names("should name notification queues '<topic>.<priority>' in lower case", () => {
  assert.is(notificationQueue(target({ topic: 'notifications' }), 'info'), 'notifications.info');
  assert.is(notificationQueue(target({ topic: 'notifications' }), 'warn'), 'notifications.warn');
});

Names('should name a pool queue after the pool and a reply queue reply_<unique>', () => {
  assert.is(poolQueue('audit-pool'), 'audit-pool');
  assert.is(replyQueue('18404a46816b4e898d0379174d73e31c'), 'reply_18404a46816b4e898d0379174d73e31c');
});

Names.run();
