/**
 * The raw amqplib client roles. A call publishes to the default exchange with `replyTo` (the
 * client's exclusive queue, consumed without acks) and a `correlationId`, and resolves when the
 * reply with that id arrives. Casts, fanout casts and notifications are plain publishes without
 * confirms, waiting only for the socket to drain when amqplib says its buffer is full; with
 * `confirm`, each waits for the broker's publisher confirm, as rx-messaging's and oslo's do.
 * With `osloWire`, every message is what oslo's protocol sends (oslo-wire.ts), confirmed.
 */
import type { Channel, ConsumeMessage, Options } from 'amqplib';
import { runLoad } from '../../lib/cli/load.js';
import { cargo, readMessage, simulatorMessage, SYNC_TIMEOUT_SECONDS } from '../../lib/cli/simulator/message.js';
import type { NotifyClientOptions, RpcClientOptions } from '../../lib/cli/simulator/options.js';
import type { RoleHooks } from '../../lib/cli/simulator/role.js';
import { INFO, openConnection, queues, SYNC_DONE } from './connection.js';
import { OSLO_EXCHANGE, osloProperties, osloRequest, readOsloReply } from './oslo-wire.js';

/** A call whose reply did not come before the run's timeout. */
export class RawCallTimeout extends Error {
  constructor(correlationId: string, seconds: number) {
    super(`no reply to call ${correlationId} within ${seconds} s`);
    this.name = 'RawCallTimeout';
  }
}

/** How the raw harness publishes: waiting for confirms or not, and in plain JSON or oslo's wire format. */
export interface RawWire {
  readonly confirm: boolean;
  readonly osloWire: boolean;
}

export async function runRawClient(options: RpcClientOptions | NotifyClientOptions, { meter, signal }: RoleHooks, { confirm, osloWire }: RawWire): Promise<void> {
  const connection = await openConnection(options.url);
  try {
    const confirming = confirm || osloWire ? await connection.createConfirmChannel() : undefined;
    const channel = confirming ?? (await connection.createChannel());
    const { exchange, routingKey } = await route(channel, options, osloWire);
    const replies = options.role === 'rpc-client' ? await replyQueue(channel) : undefined;
    const text = cargo(options.size);
    // One wait for the socket to drain, shared by every caller that found the buffer full.
    let drained: Promise<void> | undefined;
    const publish = async (body: Buffer, type: string, properties: Options.Publish = {}) => {
      if (drained) await drained;
      let written = true;
      const confirmed = new Promise<void>((resolve, reject) => {
        const publishOptions = { ...properties, type };
        if (!confirming) {
          written = channel.publish(exchange, routingKey, body, publishOptions);
          return resolve();
        }
        written = confirming.publish(exchange, routingKey, body, publishOptions, (error: unknown) => (error ? reject(error) : resolve()));
      });
      if (!written) {
        drained ??= new Promise<void>((resolve) => channel.once('drain', () => resolve((drained = undefined))));
        await drained;
      }
      await confirmed;
    };
    const call = replies && options.role === 'rpc-client' && options.mode === 'call';
    await runLoad({
      concurrency: options.concurrency,
      meter,
      send: async (seq) => {
        const message = simulatorMessage(seq, text);
        if (call) {
          const { correlationId, reply } = replies.expect(options.timeout);
          if (osloWire) {
            const timeoutMs = options.timeout * 1000;
            await publish(osloRequest(message, { msgId: correlationId, replyTo: replies.queue, timeoutMs }), INFO, { ...osloProperties(timeoutMs), replyTo: replies.queue, correlationId });
            readOsloReply((await reply).content);
          } else {
            await publish(Buffer.from(JSON.stringify(message)), INFO, { replyTo: replies.queue, correlationId });
            readMessage(JSON.parse((await reply).content.toString('utf8')));
          }
        } else if (osloWire) {
          await publish(osloRequest(message), INFO, osloProperties());
        } else {
          await publish(Buffer.from(JSON.stringify(message)), INFO);
        }
        return text.length;
      },
      pauseMs: options.waitSeconds * 1000,
      ...(options.messages !== undefined && { messagesPerCaller: options.messages }),
      ...(options.duration !== undefined && { seconds: options.duration }),
      ...(signal && { signal }),
    });
    if (options.sync) {
      const sync = options.role === 'rpc-client' && options.syncMode === 'fanout' ? await route(channel, { ...options, mode: 'fanout' }) : undefined;
      if (sync) channel.publish(sync.exchange, sync.routingKey, Buffer.from('null'), { type: SYNC_DONE });
      else if (replies) {
        const { correlationId, reply } = replies.expect(SYNC_TIMEOUT_SECONDS);
        await publish(Buffer.from('null'), SYNC_DONE, { replyTo: replies.queue, correlationId });
        await reply;
      } else await publish(Buffer.from('null'), SYNC_DONE);
    }
    await channel.close();
  } finally {
    await connection.close();
  }
}

/** Where this role publishes: the default exchange straight to a queue (oslo's topic exchange with `osloWire`), or the fanout exchange. */
async function route(channel: Channel, options: RpcClientOptions | NotifyClientOptions, osloWire = false): Promise<{ exchange: string; routingKey: string }> {
  if (options.role === 'notify-client') {
    const name = queues.notifications(options.topic);
    // As oslo's notifier, the publisher declares the queue so nothing is lost before a listener comes.
    await channel.assertQueue(name, { durable: false, autoDelete: false });
    return { exchange: '', routingKey: name };
  }
  if (options.mode === 'fanout') {
    const exchange = queues.fanoutExchange(options.topic);
    await channel.assertExchange(exchange, 'fanout', { durable: false, autoDelete: true });
    return { exchange, routingKey: '' };
  }
  const routingKey = options.server === undefined ? queues.topic(options.topic) : queues.server(options.topic, options.server);
  if (!osloWire) return { exchange: '', routingKey };
  await channel.assertExchange(OSLO_EXCHANGE, 'topic', { durable: false, autoDelete: false });
  return { exchange: OSLO_EXCHANGE, routingKey };
}

interface Replies {
  readonly queue: string;
  /** A fresh correlation id and the reply that will carry it, failing after `timeoutSeconds`. */
  expect(timeoutSeconds: number): { correlationId: string; reply: Promise<ConsumeMessage> };
}

async function replyQueue(channel: Channel): Promise<Replies> {
  const pending = new Map<string, { resolve: (message: ConsumeMessage) => void; timer: NodeJS.Timeout }>();
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  await channel.consume(
    queue,
    (message) => {
      const id = message?.properties.correlationId as string | undefined;
      const waiting = id === undefined ? undefined : pending.get(id);
      if (!message || !waiting) return;
      pending.delete(id!);
      clearTimeout(waiting.timer);
      waiting.resolve(message);
    },
    { noAck: true },
  );
  let next = 0;
  return {
    queue,
    expect(timeoutSeconds) {
      const correlationId = String(next++);
      const reply = new Promise<ConsumeMessage>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(correlationId);
          reject(new RawCallTimeout(correlationId, timeoutSeconds));
        }, timeoutSeconds * 1000);
        pending.set(correlationId, { resolve, timer });
      });
      return { correlationId, reply };
    },
  };
}
