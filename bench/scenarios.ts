/**
 * What `npm run bench` measures: each scenario is one traffic shape (call, cast, fanout cast,
 * notification) at a concurrency and a message size, run by every engine that can, back to back
 * on the same broker, so their ratios come from one run.
 */

export type Kind = 'call' | 'cast' | 'fanout' | 'notify';

/**
 * Who does the messaging: rx-messaging (JSON or MessagePack), plain amqplib (publishing without
 * confirms, the reference; or waiting for them, as rx-messaging and oslo do; or sending oslo's
 * wire format, the protocol's floor), Python oslo.messaging, and the peers a team would weigh
 * rx-messaging against: NestJS microservices and Moleculer on their RabbitMQ transports (peers.ts);
 * on ZeroMQ, rx-messaging's ZeroMQ driver (`rx-zmq`, finding its servers through Redis) and plain
 * zeromq.js (`zeromq`, the ceiling).
 */
export type Engine = 'rx' | 'rx-msgpack' | 'amqplib' | 'amqplib-confirm' | 'amqplib-oslo' | 'oslo' | 'nestjs' | 'moleculer' | 'zeromq' | 'rx-zmq';

export const ENGINES: readonly Engine[] = ['rx', 'rx-msgpack', 'amqplib', 'amqplib-confirm', 'amqplib-oslo', 'oslo', 'nestjs', 'moleculer', 'zeromq', 'rx-zmq'];

/** Where messages travel: RabbitMQ, rx-messaging's in-process memory broker, or peer-to-peer ZeroMQ over loopback TCP. */
export type Broker = 'rabbit' | 'memory' | 'zmq';

export interface Scenario {
  readonly id: string;
  readonly kind: Kind;
  readonly broker: Broker;
  /** Concurrent callers or publishers. */
  readonly concurrency: number;
  /** Characters of cargo per message. */
  readonly size: number;
  readonly engines: readonly Engine[];
}

/** The engine every other one is compared with, per broker: memory:// has only rx-messaging. */
export const REFERENCE: Partial<Record<Broker, Engine>> = { rabbit: 'amqplib', zmq: 'zeromq' };

const ALL: readonly Engine[] = ['rx', 'amqplib', 'oslo'];
/** Calls also run by amqplib speaking oslo's wire format: what the protocol itself costs. */
const CALLS: readonly Engine[] = [...ALL, 'amqplib-oslo'];
/** The frameworks compared with rx-messaging on the calls and casts. */
const PEERS: readonly Engine[] = ['nestjs', 'moleculer'];
/** Where a publish may or may not wait for its confirm; and in oslo's wire format, what the protocol costs. */
const PUBLISHES: readonly Engine[] = ['rx', 'amqplib', 'amqplib-confirm', 'oslo', 'amqplib-oslo'];
/** On ZeroMQ: plain zeromq.js, the ceiling, and rx-messaging's driver. */
const ZMQ: readonly Engine[] = ['zeromq', 'rx-zmq'];

function scenario(kind: Kind, broker: Broker, concurrency: number, size: number, engines: readonly Engine[]): Scenario {
  return { id: `${broker}-${kind}-p${concurrency}-${size}b`, kind, broker, concurrency, size, engines };
}

export const SCENARIOS: readonly Scenario[] = [
  scenario('call', 'rabbit', 1, 100, [...CALLS, ...PEERS]),
  scenario('call', 'rabbit', 5, 100, [...CALLS, 'rx-msgpack', ...PEERS]),
  scenario('call', 'rabbit', 50, 100, [...CALLS, 'rx-msgpack', ...PEERS]),
  scenario('call', 'rabbit', 5, 10_000, [...ALL, 'rx-msgpack']),
  scenario('cast', 'rabbit', 50, 100, [...PUBLISHES, 'rx-msgpack', ...PEERS]),
  scenario('fanout', 'rabbit', 50, 100, ALL),
  scenario('notify', 'rabbit', 50, 100, PUBLISHES),
  scenario('call', 'memory', 1, 100, ['rx']),
  scenario('call', 'memory', 5, 100, ['rx']),
  scenario('call', 'memory', 50, 100, ['rx']),
  scenario('cast', 'memory', 50, 100, ['rx']),
  scenario('notify', 'memory', 50, 100, ['rx']),
  scenario('call', 'zmq', 1, 100, ZMQ),
  scenario('call', 'zmq', 5, 100, ZMQ),
  scenario('call', 'zmq', 50, 100, ZMQ),
  scenario('cast', 'zmq', 50, 100, ZMQ),
];
