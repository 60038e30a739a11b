/**
 * The raw amqplib server roles. rpc-server consumes the topic queue, its server queue and a
 * private queue on the topic's fanout exchange, acks each request on receipt (oslo's
 * at-most-once) and publishes the stamped message back to `replyTo` with the request's
 * `correlationId`. notify-server consumes `<topic>.info`. No envelope, no ids: the floor
 * rx-messaging is measured against. With `oslo`, the queues are bound to oslo's topic exchange
 * and requests, replies and notifications are oslo's messages (oslo-wire.ts).
 */
import type { Channel, ConsumeMessage } from 'amqplib';
import { epochMs, oneWayMs, readMessage, RPC_METHOD } from '../../tools/simulator/message.js';
import type { NotifyServerOptions, RpcServerOptions } from '../../tools/simulator/options.js';
import { aborted, type RoleHooks } from '../../tools/simulator/role.js';
import { INFO, openConnection, queues, SYNC_DONE } from './connection.js';
import { bindToOsloExchange, osloProperties, osloReply, readOsloNotification, readOsloRequest, type OsloWire } from './oslo-wire.js';

export async function runRawServer(options: RpcServerOptions | NotifyServerOptions, { meter, signal, onReady }: RoleHooks, oslo?: OsloWire): Promise<void> {
  const connection = await openConnection(options.url);
  try {
    const confirming = oslo?.confirms ? await connection.createConfirmChannel() : undefined;
    const channel = confirming ?? (await connection.createChannel());
    // Unacked requests at most; they are acked on receipt, so this only bounds a burst in memory.
    await channel.prefetch(options.executorSize * 4);
    let synced = 0;
    let allSynced!: () => void;
    const synced$ = new Promise<void>((resolve) => (allSynced = resolve));
    const sync = () => options.clients > 0 && ++synced >= options.clients && allSynced();
    const handle = (message: ConsumeMessage | null) => {
      if (message === null) return;
      channel.ack(message);
      if (oslo) return options.role === 'notify-server' ? handleOsloNotification(message) : handleOslo(message, oslo);
      if (message.properties.type === SYNC_DONE) {
        if (message.properties.replyTo) channel.publish('', message.properties.replyTo, Buffer.from('null'), { correlationId: message.properties.correlationId });
        return sync();
      }
      let received;
      try {
        received = readMessage(JSON.parse(message.content.toString('utf8')));
      } catch (error) {
        return meter.fail(error);
      }
      meter.record(oneWayMs(received), received[1].length);
      if (!message.properties.replyTo) return;
      received[3] = epochMs() / 1000;
      channel.publish('', message.properties.replyTo, Buffer.from(JSON.stringify(received)), { correlationId: message.properties.correlationId, type: INFO });
    };
    /** As oslo's server: the method from the body, the reply to `_reply_q` carrying `_msg_id`, mandatory and confirmed. */
    const handleOslo = (message: ConsumeMessage, wire: OsloWire) => {
      let request;
      try {
        request = readOsloRequest(message.content);
      } catch (error) {
        return meter.fail(error);
      }
      const { method, message: received, call } = request;
      const reply = (result: unknown) => {
        if (!call) return;
        const content = osloReply(wire, call.msgId, result);
        const properties = { ...osloProperties(wire), mandatory: true };
        if (confirming) confirming.publish('', call.replyTo, content, properties, () => {});
        else channel.publish('', call.replyTo, content, properties);
      };
      if (method === SYNC_DONE) {
        reply(null);
        return sync();
      }
      if (!received) return meter.fail(new TypeError(`the simulator calls '${RPC_METHOD}' or '${SYNC_DONE}', not '${method}'`));
      meter.record(oneWayMs(received), received[1].length);
      received[3] = epochMs() / 1000;
      reply(received);
    };
    /** As oslo's listener: the event type and payload from the enveloped body. */
    const handleOsloNotification = (message: ConsumeMessage) => {
      let notification;
      try {
        notification = readOsloNotification(message.content);
      } catch (error) {
        return meter.fail(error);
      }
      if (notification.sync) return sync();
      meter.record(oneWayMs(notification.message), notification.message[1].length);
    };
    for (const queue of await declare(channel, options, oslo !== undefined)) await channel.consume(queue, handle, { noAck: false });
    onReady?.();
    await Promise.race([synced$, aborted(signal)]);
    await channel.close();
  } finally {
    await connection.close();
  }
}

/** The queues a server of this role consumes, declared (and bound) as oslo would. */
async function declare(channel: Channel, options: RpcServerOptions | NotifyServerOptions, osloWire: boolean): Promise<string[]> {
  if (options.role === 'notify-server') {
    const name = queues.notifications(options.topic);
    await channel.assertQueue(name, { durable: false, autoDelete: false });
    if (osloWire) await bindToOsloExchange(channel, name);
    return [name];
  }
  const topic = queues.topic(options.topic);
  const server = queues.server(options.topic, options.server);
  await channel.assertQueue(topic, { durable: false, autoDelete: false });
  await channel.assertQueue(server, { durable: false, autoDelete: false });
  if (osloWire) {
    await bindToOsloExchange(channel, topic);
    await bindToOsloExchange(channel, server);
  }
  const fanout = queues.fanoutExchange(options.topic);
  await channel.assertExchange(fanout, 'fanout', { durable: false, autoDelete: true });
  const { queue: own } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  await channel.bindQueue(own, fanout, '');
  return [topic, server, own];
}
