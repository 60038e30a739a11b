/**
 * Moleculer on its AMQP transporter, as the simulator's roles. The server is a broker with a
 * `bench` service whose `info` action answers calls and whose `bench.info` event handler counts
 * casts; the client is a broker whose `call` waits for the response and whose `emit` returns once
 * the transporter handed the packet to amqplib: Moleculer publishes events without publisher
 * confirms, so its casts are not comparable with a confirmed cast.
 *
 * Settings chosen for speed: `prefetch: 256` (Moleculer's default of 1 allows one unacked request
 * per node at a time) and Nagle's algorithm off (`socketOptions: { noDelay: true }`, passed on to
 * amqplib). Each scenario's topic is the broker's namespace, so its queues are
 * `MOL-<topic>.…` and nothing collides; they expire 10 s after their consumers left, and the exchanges with their last queue.
 */
import type { BrokerOptions, Context, ServiceBroker } from 'moleculer';
import { runLoad } from '../../tools/metering/load.js';
import { cargo, epochMs, oneWayMs, readMessage, RPC_METHOD, simulatorMessage, SYNC_DONE } from '../../tools/simulator/message.js';
import type { RoleRunner } from '../../tools/simulator/index.js';
import { loadPacing, type RpcClientOptions, type RpcServerOptions, type SimulatorOptions } from '../../tools/simulator/options.js';
import { aborted, type RoleHooks } from '../../tools/simulator/role.js';
import { amqpUrl } from '../amqplib/connection.js';
import { syncCounter } from '../peers.js';

/** The service the server runs and the client calls. */
export const SERVICE = 'bench';

/** How long Moleculer's queues stay once nobody consumes them. */
const QUEUE_EXPIRY_MS = 10_000;

/** A broker's options; `requestTimeout` in ms (0: none). */
export function moleculerOptions(url: string, topic: string, role: string, requestTimeout = 0): BrokerOptions {
  // The transporter hands `socketOptions` to amqplib's connect, though its types do not list it.
  const transporter = { url: amqpUrl(url), prefetch: 256, socketOptions: { noDelay: true }, autoDeleteQueues: QUEUE_EXPIRY_MS, exchangeOptions: { autoDelete: true } };
  return {
    namespace: topic,
    nodeID: `${role}-${process.pid}-${Math.floor(Math.random() * 0xffffffff).toString(16)}`,
    transporter: { type: 'AMQP', options: transporter },
    logger: false,
    requestTimeout,
    // The simulator stops the role on SIGINT and SIGTERM itself.
    skipProcessEventRegistration: true,
  };
}

export function moleculerRoles(): RoleRunner {
  return (options: SimulatorOptions, hooks: RoleHooks) => {
    if (options.role === 'rpc-server') return runMoleculerServer(options, hooks);
    if (options.role === 'rpc-client') return runMoleculerClient(options, hooks);
    return Promise.reject(new RangeError(`the moleculer engine runs calls and casts, not ${options.role}`));
  };
}

type Params = { readonly message: unknown };

async function runMoleculerServer(options: RpcServerOptions, { meter, signal, onReady }: RoleHooks): Promise<void> {
  const { ServiceBroker } = await import('moleculer');
  const broker: ServiceBroker = new ServiceBroker(moleculerOptions(options.url, options.topic, 'server'));
  const sync = syncCounter(options.clients);
  broker.createService({
    name: SERVICE,
    actions: {
      [RPC_METHOD]: (ctx: Context<Params>) => {
        const received = readMessage(ctx.params.message);
        meter.record(oneWayMs(received), received[1].length);
        received[3] = epochMs() / 1000;
        return received;
      },
    },
    events: {
      [`${SERVICE}.${RPC_METHOD}`]: (ctx: Context<Params>) => {
        try {
          const received = readMessage(ctx.params.message);
          meter.record(oneWayMs(received), received[1].length);
        } catch (error) {
          meter.fail(error);
        }
      },
      [`${SERVICE}.${SYNC_DONE}`]: () => sync.arrived(),
    },
  });
  await broker.start();
  try {
    onReady?.();
    await Promise.race([sync.done, aborted(signal)]);
  } finally {
    await broker.stop();
  }
}

async function runMoleculerClient(options: RpcClientOptions, { meter, signal }: RoleHooks): Promise<void> {
  if (options.mode === 'fanout') throw new RangeError('the moleculer engine runs calls and casts, not fanout casts');
  const { ServiceBroker } = await import('moleculer');
  const broker: ServiceBroker = new ServiceBroker(moleculerOptions(options.url, options.topic, 'client', options.timeout * 1000));
  await broker.start();
  try {
    await broker.waitForServices(SERVICE, 30_000);
    const text = cargo(options.size);
    await runLoad({
      ...loadPacing(options),
      meter,
      send: async (seq) => {
        const message = simulatorMessage(seq, text);
        if (options.mode === 'call') readMessage(await broker.call(`${SERVICE}.${RPC_METHOD}`, { message }));
        else await broker.emit(`${SERVICE}.${RPC_METHOD}`, { message });
        return text.length;
      },
      ...(signal && { signal }),
    });
    // An event, so it queues behind the casts: Moleculer sends every event for a node to that node's one queue.
    if (options.sync) await broker.emit(`${SERVICE}.${SYNC_DONE}`, {});
  } finally {
    await broker.stop();
  }
}
