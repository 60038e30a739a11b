/**
 * The raw amqplib client roles. A call publishes to the default exchange with `replyTo` (the
 * client's exclusive queue, consumed without acks) and a `correlationId`, and resolves when the
 * reply with that id arrives. Casts, fanout casts and notifications are plain publishes without
 * confirms, waiting only for the socket to drain when amqplib says its buffer is full; with
 * `confirm`, each waits for the broker's publisher confirm, as rx-messaging's and oslo's do.
 * With `oslo`, every message is what oslo's protocol sends (oslo-wire.ts).
 */
import type { Channel, ConsumeMessage, Options } from 'amqplib';
import { runLoad } from '../../tools/metering/load.js';
import { cargo, NOTIFY_EVENT, readMessage, RPC_METHOD, simulatorMessage, SYNC_TIMEOUT_SECONDS, type SimulatorMessage } from '../../tools/simulator/message.js';
import { loadPacing, type NotifyClientOptions, type RpcClientOptions } from '../../tools/simulator/options.js';
import type { RoleHooks } from '../../tools/simulator/role.js';
import { INFO, openConnection, queues, SYNC_DONE } from './connection.js';
import { bindToOsloExchange, OSLO_EXCHANGE, osloNotification, osloProperties, osloRequest, readOsloReply, type OsloCall, type OsloWire } from './oslo-wire.js';

/** A call whose reply did not come before the run's timeout. */
export class RawCallTimeout extends Error {
  constructor(correlationId: string, seconds: number) {
    super(`no reply to call ${correlationId} within ${seconds} s`);
    this.name = 'RawCallTimeout';
  }
}

/** A message ready to publish. */
interface Outgoing {
  readonly content: Buffer;
  readonly properties: Options.Publish;
}

/** How the raw harness publishes: waiting for confirms or not, and in plain JSON or oslo's wire format. */
export interface RawWire {
  readonly confirm: boolean;
  /** oslo's wire format, or the parts of it given; plain JSON when undefined. */
  readonly oslo?: OsloWire;
}

export async function runRawClient(options: RpcClientOptions | NotifyClientOptions, { meter, signal }: RoleHooks, { confirm, oslo }: RawWire): Promise<void> {
  const connection = await openConnection(options.url);
  try {
    const confirming = confirm || oslo?.confirms ? await connection.createConfirmChannel() : undefined;
    const channel = confirming ?? (await connection.createChannel());
    const { exchange, routingKey } = await route(channel, options, oslo?.topicExchange);
    const replies = options.role === 'rpc-client' ? await replyQueue(channel, oslo ? readOsloReplyMessage : readPlainReply) : undefined;
    const text = cargo(options.size);
    const publisherId = `amqplib-harness-${process.pid}`;
    // One wait for the socket to drain, shared by every caller that found the buffer full.
    let drained: Promise<void> | undefined;
    /** One message in this harness's wire format: the simulator message, or `sync_done` when `message` is undefined. */
    const encode = (message: SimulatorMessage | undefined, call?: OsloCall): Outgoing => {
      const type = message ? INFO : SYNC_DONE;
      const replyTo = call && { replyTo: call.replyTo, correlationId: call.msgId };
      if (!oslo) return { content: Buffer.from(JSON.stringify(message ?? null)), properties: { ...replyTo, type } };
      const content =
        options.role === 'notify-client'
          ? osloNotification(oslo, publisherId, message ? NOTIFY_EVENT : SYNC_DONE, message ?? null)
          : osloRequest(oslo, message ? RPC_METHOD : SYNC_DONE, message ? { message } : {}, call);
      return { content, properties: { ...osloProperties(oslo, call?.timeoutMs), ...replyTo, type } };
    };
    const publish = async ({ content, properties }: Outgoing, to = { exchange, routingKey }) => {
      if (drained) await drained;
      let written = true;
      const confirmed = new Promise<void>((resolve, reject) => {
        if (!confirming) {
          written = channel.publish(to.exchange, to.routingKey, content, properties);
          return resolve();
        }
        written = confirming.publish(to.exchange, to.routingKey, content, properties, (error: unknown) => (error ? reject(error) : resolve()));
      });
      if (!written) {
        drained ??= new Promise<void>((resolve) => channel.once('drain', () => resolve((drained = undefined))));
        await drained;
      }
      await confirmed;
    };
    const call = replies && options.role === 'rpc-client' && options.mode === 'call';
    await runLoad({
      ...loadPacing(options),
      meter,
      send: async (seq) => {
        const message = simulatorMessage(seq, text);
        if (call) {
          const { correlationId, reply } = replies.expect(options.timeout);
          await publish(encode(message, { msgId: correlationId, replyTo: replies.queue, timeoutMs: options.timeout * 1000 }));
          readMessage(await reply);
        } else {
          await publish(encode(message));
        }
        return text.length;
      },
      ...(signal && { signal }),
    });
    if (options.sync) {
      const fanout = options.role === 'rpc-client' && options.syncMode === 'fanout' ? await route(channel, { ...options, mode: 'fanout' }) : undefined;
      if (fanout) await publish(encode(undefined), fanout);
      else if (replies) {
        const { correlationId, reply } = replies.expect(SYNC_TIMEOUT_SECONDS);
        await publish(encode(undefined, { msgId: correlationId, replyTo: replies.queue, timeoutMs: SYNC_TIMEOUT_SECONDS * 1000 }));
        await reply;
      } else await publish(encode(undefined));
    }
    await channel.close();
  } finally {
    await connection.close();
  }
}

/** Where this role publishes: the default exchange straight to a queue (or oslo's topic exchange), or the fanout exchange. */
async function route(channel: Channel, options: RpcClientOptions | NotifyClientOptions, topicExchange = false): Promise<{ exchange: string; routingKey: string }> {
  if (options.role === 'notify-client') {
    const name = queues.notifications(options.topic);
    // As oslo's notifier, the publisher declares the queue so nothing is lost before a listener comes.
    await channel.assertQueue(name, { durable: false, autoDelete: false });
    if (!topicExchange) return { exchange: '', routingKey: name };
    await bindToOsloExchange(channel, name);
    return { exchange: OSLO_EXCHANGE, routingKey: name };
  }
  if (options.mode === 'fanout') {
    const exchange = queues.fanoutExchange(options.topic);
    await channel.assertExchange(exchange, 'fanout', { durable: false, autoDelete: true });
    return { exchange, routingKey: '' };
  }
  const routingKey = options.server === undefined ? queues.topic(options.topic) : queues.server(options.topic, options.server);
  if (!topicExchange) return { exchange: '', routingKey };
  await channel.assertExchange(OSLO_EXCHANGE, 'topic', { durable: false, autoDelete: false });
  return { exchange: OSLO_EXCHANGE, routingKey };
}

interface Replies {
  readonly queue: string;
  /** A fresh correlation id and the reply's result that will carry it, failing after `timeoutSeconds`. */
  expect(timeoutSeconds: number): { correlationId: string; reply: Promise<unknown> };
}

/** A reply's call id and result: plain replies carry the id as `correlationId`, oslo's as `_msg_id` in the body. */
type ReadReply = (message: ConsumeMessage) => { id: string | undefined; result: unknown };

const readPlainReply: ReadReply = (message) => ({ id: message.properties.correlationId as string | undefined, result: JSON.parse(message.content.toString('utf8')) });
const readOsloReplyMessage: ReadReply = (message) => readOsloReply(message.content);

async function replyQueue(channel: Channel, read: ReadReply): Promise<Replies> {
  const pending = new Map<string, { resolve: (result: unknown) => void; timer: NodeJS.Timeout }>();
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  await channel.consume(
    queue,
    (message) => {
      if (!message) return;
      const { id, result } = read(message);
      const waiting = id === undefined ? undefined : pending.get(id);
      if (!waiting) return;
      pending.delete(id!);
      clearTimeout(waiting.timer);
      waiting.resolve(result);
    },
    { noAck: true },
  );
  let next = 0;
  return {
    queue,
    expect(timeoutSeconds) {
      const correlationId = String(next++);
      const reply = new Promise<unknown>((resolve, reject) => {
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
