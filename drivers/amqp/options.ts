/**
 * The RabbitMQ driver's options, under oslo.messaging's `[oslo_messaging_rabbit]` names so an
 * OpenStack deployment's settings (and URL query keys) carry over unchanged. Set them by value
 * (`connect(url, { driverOptions })`) or in the URL query, which wins. README.md has the table.
 */
import { getFips } from 'node:crypto';
import { InvalidTransportUrl } from '../../lib/core/errors.js';
import { resolveOptions, type OptionSpec } from '../../lib/core/options.js';
import type { TransportUrl } from '../../lib/core/url.js';

/**
 * The RabbitMQ driver's options, by oslo's `[oslo_messaging_rabbit]` names; give any of them by
 * value (`connect(url, { driverOptions })`) or in the URL query.
 */
export interface AmqpOptions {
  /** Topic exchange, topic/server/notification queues durable. */
  readonly amqp_durable_queues: boolean;
  /** Topic exchange, topic/server/notification queues auto-delete. */
  readonly amqp_auto_delete: boolean;
  /** `x-ha-policy: all` on queues (RabbitMQ < 3.0 mirroring). */
  readonly rabbit_ha_queues: boolean;
  /** `x-queue-type: quorum` on topic/server/notification queues; implies durable. */
  readonly rabbit_quorum_queue: boolean;
  /** `x-delivery-limit` of quorum queues; 0 leaves it unset. */
  readonly rabbit_quorum_delivery_limit: number;
  /**
   * rx-messaging's own: topic, server and notification queues carry `x-dead-letter-exchange: ''`
   * and `x-dead-letter-routing-key: <queue>.dead-letter`, beside a durable dead-letter queue of
   * that name, so a message given up (a listener's `maxRedeliveries`, a quorum queue's delivery
   * limit) is kept there. Off by default: the broker refuses to redeclare a queue that exists
   * without these arguments (as one an oslo service declared).
   */
  readonly rabbit_dead_letter_queues: boolean;
  /** `x-max-in-memory-length` of quorum queues; 0 leaves it unset. */
  readonly rabbit_quorum_max_memory_length: number;
  /** `x-max-in-memory-bytes` of quorum queues; 0 leaves it unset. */
  readonly rabbit_quorum_max_memory_bytes: number;
  /** The spelling of oslo.messaging before 14.3.0 (an alias until 17.0.0 removed it), still accepted. */
  readonly rabbit_quroum_max_memory_length: number;
  /** The spelling of oslo.messaging before 14.3.0 (an alias until 17.0.0 removed it), still accepted. */
  readonly rabbit_quroum_max_memory_bytes: number;
  /** Reply and fanout queues quorum (and durable), their exchanges durable. */
  readonly rabbit_transient_quorum_queue: boolean;
  /** One stream queue `<topic>_fanout` per topic for fanout, read from `x-stream-offset`; needs transient quorum queues. */
  readonly rabbit_stream_fanout: boolean;
  /** Reply and fanout queue names from `hostname` and `processname` and a counter, stable across restarts. */
  readonly use_queue_manager: boolean;
  /** The queue manager's host name (default the machine's). */
  readonly hostname: string | undefined;
  /** The queue manager's process name (default the script's file name). */
  readonly processname: string | undefined;
  /** Up to this many seconds, at random, added to each reconnect delay, so clients do not reconnect in step. */
  readonly kombu_reconnect_splay: number;
  /** Seconds an unused reply or fanout queue lives (`x-expires`); 0 means forever. */
  readonly rabbit_transient_queues_ttl: number;
  /** Unacked messages per consumer (`basic.qos`); 0 is unlimited. */
  readonly rabbit_qos_prefetch_count: number;
  /** The AMQP heartbeat in seconds, negotiated with the broker; 0 disables heartbeats. */
  readonly heartbeat_timeout_threshold: number;
  /** Checks per threshold (oslo's default 3 since 14.5.0); accepted for oslo configs, amqplib checks twice per interval. */
  readonly heartbeat_rate: number;
  /** Seconds before reconnecting once every host failed. */
  readonly rabbit_retry_interval: number;
  /** Seconds added to that delay after each further failed round. */
  readonly rabbit_retry_backoff: number;
  /** The longest delay between rounds, in seconds. */
  readonly rabbit_interval_max: number;
  /** `round-robin` (hosts in turn) or `shuffle` (a random other host each time). */
  readonly kombu_failover_strategy: string;
  /** `gzip` compresses every body sent (zlib data, header `compression: application/x-gzip`). */
  readonly kombu_compression: string | undefined;
  /** Seconds a server keeps retrying a reply whose caller's queue is missing. */
  readonly kombu_missing_consumer_retry_timeout: number;
  /** Replies are published mandatory, so a missing caller is noticed and retried. */
  readonly direct_mandatory_flag: boolean;
  /** `x-cancel-on-ha-failover` on consumers. */
  readonly enable_cancel_on_failover: boolean;
  /** `AMQPLAIN` (oslo's default) or `PLAIN`. */
  readonly rabbit_login_method: string;
  /** TLS (also chosen by the `amqps://` scheme). */
  readonly ssl: boolean;
  /** e.g. `TLSv1_2`: the only TLS version accepted. */
  readonly ssl_version: string | undefined;
  /** Path of the client's private key (PEM), for certificate authentication. */
  readonly ssl_key_file: string | undefined;
  /** Path of the client's certificate (PEM), for certificate authentication. */
  readonly ssl_cert_file: string | undefined;
  /** CA bundle that signs the broker's certificate; the system CAs when unset. */
  readonly ssl_ca_file: string | undefined;
  /** Check the broker certificate's hostname (on by default here, unlike oslo). */
  readonly ssl_enforce_hostname_verification: boolean;
  /** Refuse to connect unless Node runs in FIPS mode (`node --enable-fips`). */
  readonly ssl_enforce_fips_mode: boolean;
  /** rx-messaging: TCP_NODELAY, so small writes (an ack after a reply) go out at once. */
  readonly no_delay: boolean;
  /** rx-messaging: seconds to wait for a TCP/TLS connection before trying the next host. */
  readonly connect_timeout: number;
  /** rx-messaging: `json` (oslo's, the default) or `msgpack` for what this transport sends; replies use the request's. */
  readonly codec: string;
  /**
   * rx-messaging: call requests also ask for RabbitMQ's direct reply-to (AMQP `reply_to`, which
   * oslo ignores), and requests asking for it are answered there: between rx-messaging services
   * replies skip the caller's reply queue. Python peers answer and are answered as before.
   */
  readonly rabbit_direct_reply_to: boolean;
  /** rx-messaging: the most bytes a compressed body may inflate to; a larger one is rejected as malformed (16 MiB). */
  readonly rabbit_max_inflated_bytes: number;
  /** rx-messaging: sends waiting for a connection at once; one more fails at once with `MessageDeliveryFailure` (10,000). */
  readonly rabbit_max_pending_sends: number;
  /** rx-messaging: the bytes of the sends waiting for a connection at once; past it a send fails at once (64 MiB). */
  readonly rabbit_max_pending_bytes: number;
}

const SPEC: OptionSpec<AmqpOptions> = {
  amqp_durable_queues: { default: false, kind: 'boolean' },
  amqp_auto_delete: { default: false, kind: 'boolean' },
  rabbit_ha_queues: { default: false, kind: 'boolean' },
  rabbit_quorum_queue: { default: false, kind: 'boolean' },
  rabbit_quorum_delivery_limit: { default: 0, kind: 'number' },
  rabbit_dead_letter_queues: { default: false, kind: 'boolean' },
  rabbit_quorum_max_memory_length: { default: 0, kind: 'number' },
  rabbit_quorum_max_memory_bytes: { default: 0, kind: 'number' },
  rabbit_quroum_max_memory_length: { default: 0, kind: 'number' },
  rabbit_quroum_max_memory_bytes: { default: 0, kind: 'number' },
  rabbit_transient_quorum_queue: { default: false, kind: 'boolean' },
  rabbit_stream_fanout: { default: false, kind: 'boolean' },
  use_queue_manager: { default: false, kind: 'boolean' },
  hostname: { default: undefined, kind: 'string' },
  processname: { default: undefined, kind: 'string' },
  kombu_reconnect_splay: { default: 0, kind: 'number' },
  rabbit_transient_queues_ttl: { default: 1800, kind: 'number' },
  // oslo's 0 lets the broker push a whole backlog into memory; 1 serialises every consumer.
  // 64 matches the default executor concurrency.
  rabbit_qos_prefetch_count: { default: 64, kind: 'number' },
  heartbeat_timeout_threshold: { default: 60, kind: 'number' },
  heartbeat_rate: { default: 3, kind: 'number' },
  rabbit_retry_interval: { default: 1, kind: 'number' },
  rabbit_retry_backoff: { default: 2, kind: 'number' },
  rabbit_interval_max: { default: 30, kind: 'number' },
  kombu_failover_strategy: { default: 'round-robin', kind: 'string' },
  kombu_compression: { default: undefined, kind: 'string' },
  kombu_missing_consumer_retry_timeout: { default: 60, kind: 'number' },
  direct_mandatory_flag: { default: true, kind: 'boolean' },
  enable_cancel_on_failover: { default: false, kind: 'boolean' },
  rabbit_login_method: { default: 'AMQPLAIN', kind: 'string' },
  ssl: { default: false, kind: 'boolean' },
  ssl_version: { default: undefined, kind: 'string' },
  ssl_key_file: { default: undefined, kind: 'string' },
  ssl_cert_file: { default: undefined, kind: 'string' },
  ssl_ca_file: { default: undefined, kind: 'string' },
  ssl_enforce_hostname_verification: { default: true, kind: 'boolean' },
  ssl_enforce_fips_mode: { default: false, kind: 'boolean' },
  no_delay: { default: true, kind: 'boolean' },
  connect_timeout: { default: 5, kind: 'number' },
  codec: { default: 'json', kind: 'string' },
  rabbit_direct_reply_to: { default: false, kind: 'boolean' },
  // A body inflating past this is a zip bomb, or nothing an oslo service sends.
  rabbit_max_inflated_bytes: { default: 16 * 1024 * 1024, kind: 'number' },
  // With the broker down, sends would otherwise pile up in memory without limit.
  rabbit_max_pending_sends: { default: 10_000, kind: 'number' },
  rabbit_max_pending_bytes: { default: 64 * 1024 * 1024, kind: 'number' },
};

/** Defaults, then `given`, then the URL query; checks what oslo would refuse too. @internal */
export function amqpOptions(url: TransportUrl, given: Readonly<Record<string, unknown>> | undefined): AmqpOptions {
  const options = resolveOptions(SPEC, given as Partial<AmqpOptions>, url.query, url.url);
  const fail = (reason: string) => {
    throw new InvalidTransportUrl(url.url, reason);
  };
  for (const key of Object.keys(SPEC) as (keyof AmqpOptions)[]) {
    const value = options[key];
    if (typeof value === 'number' && (!Number.isFinite(value) || value < 0)) fail(`option '${key}' must be a number >= 0, got ${value}`);
  }
  if (options.rabbit_quorum_queue && options.rabbit_ha_queues) {
    fail('rabbit_quorum_queue and rabbit_ha_queues are both set: a queue is quorum or mirrored (HA), not both');
  }
  if (options.rabbit_transient_quorum_queue && options.rabbit_ha_queues) {
    fail('rabbit_transient_quorum_queue and rabbit_ha_queues are both set: a queue is quorum or mirrored (HA), not both');
  }
  if (options.rabbit_stream_fanout && !options.rabbit_transient_quorum_queue)
    fail('rabbit_stream_fanout needs rabbit_transient_quorum_queue to be set (as oslo.messaging requires)');
  if (options.rabbit_stream_fanout && options.rabbit_qos_prefetch_count <= 0)
    fail('rabbit_stream_fanout needs rabbit_qos_prefetch_count > 0: RabbitMQ streams are consumed with a prefetch');
  const spellings = [
    ['rabbit_quorum_max_memory_length', 'rabbit_quroum_max_memory_length'],
    ['rabbit_quorum_max_memory_bytes', 'rabbit_quroum_max_memory_bytes'],
  ] as const;
  for (const [correct, misspelled] of spellings) {
    if (options[correct] && options[misspelled] && options[correct] !== options[misspelled])
      fail(`${correct} (${options[correct]}) and its old spelling ${misspelled} (${options[misspelled]}) disagree`);
  }
  if (!['round-robin', 'shuffle'].includes(options.kombu_failover_strategy)) {
    fail(`kombu_failover_strategy must be 'round-robin' or 'shuffle', got '${options.kombu_failover_strategy}'`);
  }
  if (options.kombu_compression !== undefined && options.kombu_compression !== 'gzip') {
    fail(`kombu_compression '${options.kombu_compression}' is not supported: use 'gzip' or leave it unset`);
  }
  if (!['AMQPLAIN', 'PLAIN'].includes(options.rabbit_login_method.toUpperCase())) {
    fail(`rabbit_login_method must be AMQPLAIN or PLAIN, got '${options.rabbit_login_method}'`);
  }
  if (!['json', 'msgpack'].includes(options.codec)) fail(`codec must be 'json' or 'msgpack', got '${options.codec}'`);
  for (const key of ['rabbit_max_inflated_bytes', 'rabbit_max_pending_sends', 'rabbit_max_pending_bytes'] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1) fail(`option '${key}' must be a whole number >= 1, got ${options[key]}`);
  }
  if (options.heartbeat_rate < 1) fail(`heartbeat_rate must be at least 1, got ${options.heartbeat_rate}`);
  if (options.ssl_version !== undefined && !tlsVersion(options.ssl_version)) {
    fail(`ssl_version '${options.ssl_version}' is not one of TLSv1, TLSv1_1, TLSv1_2, TLSv1_3`);
  }
  if (options.ssl_enforce_fips_mode && getFips() !== 1) {
    fail('ssl_enforce_fips_mode is set but Node is not in FIPS mode: start node with --enable-fips (and a FIPS OpenSSL)');
  }
  return options;
}

/** oslo's `ssl_version` names (`TLSv1_2`, `PROTOCOL_TLSv1_2`, `TLSv1.2`) as Node's. @internal */
export function tlsVersion(name: string): 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' | undefined {
  const normalized = name
    .replace(/^PROTOCOL_/i, '')
    .replace('_', '.')
    .toLowerCase();
  const versions = { tlsv1: 'TLSv1', 'tlsv1.1': 'TLSv1.1', 'tlsv1.2': 'TLSv1.2', 'tlsv1.3': 'TLSv1.3' } as const;
  return versions[normalized as keyof typeof versions];
}

/**
 * Seconds to wait before the next round over the hosts, after `rounds` failed rounds (kombu's
 * linear backoff), plus up to `kombu_reconnect_splay` at random (oslo's splay). @internal
 */
export function retryDelaySeconds(options: AmqpOptions, rounds: number, random: () => number = Math.random): number {
  const backoff = Math.min(options.rabbit_retry_interval + options.rabbit_retry_backoff * rounds, options.rabbit_interval_max);
  return options.kombu_reconnect_splay > 0 ? backoff + random() * options.kombu_reconnect_splay : backoff;
}

/** `x-max-in-memory-length` and `-bytes` of quorum queues, under either spelling. @internal */
export function quorumMemoryLimits(options: AmqpOptions): { readonly length: number; readonly bytes: number } {
  return {
    length: options.rabbit_quorum_max_memory_length || options.rabbit_quroum_max_memory_length,
    bytes: options.rabbit_quorum_max_memory_bytes || options.rabbit_quroum_max_memory_bytes,
  };
}
