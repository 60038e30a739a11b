import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { amqpOptions, retryDelaySeconds, tlsVersion } from '../../../drivers/amqp/options.js';
import { notificationTopology, replyTopology, rpcServerTopology, sendTopology } from '../../../drivers/amqp/topology.js';
import { InvalidTransportUrl } from '../../../lib/core/errors.js';
import { target } from '../../../lib/core/target.js';
import { parseTransportUrl } from '../../../lib/core/url.js';

const options = (url = 'rabbit://h/', given: Record<string, unknown> = {}) => amqpOptions(parseTransportUrl(url), given);

// ---

const Options = suite('amqp options');

Options("should default to oslo's values, with prefetch 64 and no_delay", () => {
  const o = options();
  assert.is(o.amqp_durable_queues, false);
  assert.is(o.amqp_auto_delete, false);
  assert.is(o.rabbit_transient_queues_ttl, 1800);
  assert.is(o.heartbeat_timeout_threshold, 60);
  assert.is(o.rabbit_retry_interval, 1);
  assert.is(o.rabbit_retry_backoff, 2);
  assert.is(o.rabbit_interval_max, 30);
  assert.is(o.kombu_failover_strategy, 'round-robin');
  assert.is(o.kombu_missing_consumer_retry_timeout, 60);
  assert.is(o.direct_mandatory_flag, true);
  assert.is(o.rabbit_qos_prefetch_count, 64);
  assert.is(o.no_delay, true);
});

Options('should let URL query keys override options given by value, typed', () => {
  const o = options('rabbit://h/?rabbit_quorum_queue=true&heartbeat_timeout_threshold=20&kombu_compression=gzip', { heartbeat_timeout_threshold: 10, amqp_auto_delete: true });
  assert.is(o.rabbit_quorum_queue, true);
  assert.is(o.heartbeat_timeout_threshold, 20);
  assert.is(o.amqp_auto_delete, true);
  assert.is(o.kombu_compression, 'gzip');
});

Options('should refuse unknown keys, malformed values and combinations oslo refuses', () => {
  assert.throws(
    () => options('rabbit://h/?no_such_option=1'),
    (e: unknown) => e instanceof InvalidTransportUrl && /no_such_option/.test((e as Error).message),
  );
  assert.throws(() => options('rabbit://h/?rabbit_qos_prefetch_count=many'), /must be a number/);
  assert.throws(() => options('rabbit://h/?rabbit_qos_prefetch_count=-1'), />= 0/);
  assert.throws(() => options('rabbit://h/?rabbit_quorum_queue=true&rabbit_ha_queues=true'), /quorum or mirrored/);
  assert.throws(() => options('rabbit://h/?kombu_failover_strategy=random'), /round-robin/);
  assert.throws(() => options('rabbit://h/?kombu_compression=bz2'), /not supported/);
  assert.throws(() => options('rabbit://h/?ssl_version=SSLv3'), /ssl_version/);
});

Options("should read oslo's ssl_version names", () => {
  assert.is(tlsVersion('TLSv1_2'), 'TLSv1.2');
  assert.is(tlsVersion('PROTOCOL_TLSv1_3'), 'TLSv1.3');
  assert.is(tlsVersion('tlsv1.1'), 'TLSv1.1');
  assert.is(tlsVersion('SSLv23'), undefined);
});

Options('should back off between rounds of hosts as kombu does: interval + n × backoff, capped', () => {
  const o = options();
  assert.equal(
    [0, 1, 2, 10, 20].map((n) => retryDelaySeconds(o, n)),
    [1, 3, 5, 21, 30],
  );
});

Options.run();

// ---

const Topology = suite('amqp topology');
const server = target({ topic: 'demo', server: 'srv1' });

Topology("should declare an RPC server's queues as oslo does by default", () => {
  const t = rpcServerTopology(options(), server, 'openstack', 'abc');
  assert.equal(t.exchanges, [
    { name: 'openstack', type: 'topic', durable: false, autoDelete: false },
    { name: 'demo_fanout', type: 'fanout', durable: false, autoDelete: true },
  ]);
  assert.equal(t.queues, [
    { name: 'demo', durable: false, autoDelete: false, arguments: {}, bindings: [{ exchange: 'openstack', routingKey: 'demo' }] },
    { name: 'demo.srv1', durable: false, autoDelete: false, arguments: {}, bindings: [{ exchange: 'openstack', routingKey: 'demo.srv1' }] },
    { name: 'demo_fanout_abc', durable: false, autoDelete: false, arguments: { 'x-expires': 1800000 }, bindings: [{ exchange: 'demo_fanout', routingKey: 'demo' }] },
  ]);
});

Topology('should make quorum queues durable with their limits, and leave transient queues classic', () => {
  const o = options('rabbit://h/?rabbit_quorum_queue=true&rabbit_quorum_delivery_limit=5&rabbit_quroum_max_memory_length=100&rabbit_quroum_max_memory_bytes=4096');
  const t = rpcServerTopology(o, target({ topic: 'demo', server: 'srv1', exchange: 'nova' }), 'openstack', 'abc');
  assert.equal(t.exchanges[0], { name: 'nova', type: 'topic', durable: true, autoDelete: false });
  const quorum = { 'x-queue-type': 'quorum', 'x-delivery-limit': 5, 'x-max-in-memory-length': 100, 'x-max-in-memory-bytes': 4096 };
  assert.equal(t.queues[0]?.arguments, quorum);
  assert.is(t.queues[0]?.durable, true);
  assert.equal(t.queues[2]?.arguments, { 'x-expires': 1800000 });
  assert.is(t.queues[2]?.durable, false);
});

Topology('should add x-ha-policy and follow amqp_durable_queues / amqp_auto_delete', () => {
  const o = options('rabbit://h/?rabbit_ha_queues=true&amqp_durable_queues=true&amqp_auto_delete=true&rabbit_transient_queues_ttl=0');
  const t = rpcServerTopology(o, server, 'openstack', 'abc');
  assert.equal(t.queues[0], { name: 'demo', durable: true, autoDelete: true, arguments: { 'x-ha-policy': 'all' }, bindings: [{ exchange: 'openstack', routingKey: 'demo' }] });
  assert.equal(t.queues[2]?.arguments, { 'x-ha-policy': 'all' });
  assert.equal(replyTopology(o, 'r1').queues[0], { name: 'reply_r1', durable: false, autoDelete: false, arguments: { 'x-ha-policy': 'all' }, bindings: [] });
});

Topology('should give each notification priority its queue, and a pool one queue bound to all', () => {
  const o = options();
  const n = target({ topic: 'notifications' });
  const bindings = [
    { target: n, priority: 'info' as const },
    { target: n, priority: 'error' as const },
  ];
  assert.equal(
    notificationTopology(o, bindings, 'openstack').queues.map((q) => [q.name, q.bindings]),
    [
      ['notifications.info', [{ exchange: 'openstack', routingKey: 'notifications.info' }]],
      ['notifications.error', [{ exchange: 'openstack', routingKey: 'notifications.error' }]],
    ],
  );
  assert.equal(
    notificationTopology(o, bindings, 'openstack', 'audit-pool').queues.map((q) => [q.name, q.bindings]),
    [
      [
        'audit-pool',
        [
          { exchange: 'openstack', routingKey: 'notifications.info' },
          { exchange: 'openstack', routingKey: 'notifications.error' },
        ],
      ],
    ],
  );
});

Topology('should publish a fanout cast to the fanout exchange and the rest to the topic exchange', () => {
  assert.equal(sendTopology(options(), target({ topic: 'demo', fanout: true }), 'openstack').exchanges, [
    { name: 'demo_fanout', type: 'fanout', durable: false, autoDelete: true },
  ]);
  assert.equal(sendTopology(options(), target({ topic: 'demo', server: 's' }), 'openstack').exchanges, [{ name: 'openstack', type: 'topic', durable: false, autoDelete: false }]);
});

Topology.run();
