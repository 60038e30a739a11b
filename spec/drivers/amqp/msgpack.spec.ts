import type { ConsumeMessage } from 'amqplib';
import { Packr } from 'msgpackr';
import { tap } from 'rxjs';
import * as assert from 'uvu/assert';
import { InvalidTransportUrl } from '../../../lib/core/errors.js';
import { hexId } from '../../../lib/core/ids.js';
import { MSGPACK_CONTENT_TYPE } from '../../../lib/wire/codec.js';
import { notificationListener } from '../../../lib/notify/listener.js';
import { notifier } from '../../../lib/notify/notifier.js';
import { rpcClient } from '../../../lib/rpc/client.js';
import { rpcServer } from '../../../lib/rpc/server.js';
import { target } from '../../../lib/core/target.js';
import { connect, type Transport } from '../../../lib/transport.js';
import { serviceSuite } from '../../helpers/services.js';
import { captureLogs } from '../../helpers/logs.js';
import { brokerUrl, openDriver, rawBroker, record, rejectionOf, uniqueTopic, within, type RawBroker } from './support.js';

interface Context {
  broker: RawBroker;
  /** Queues a spec made, deleted after it. */
  queues: string[];
  transports: Transport[];
}

const Msgpack = await serviceSuite<Context>('amqp MessagePack codec', ['rabbitmq'], { queues: [] } as unknown as Context);

Msgpack.before.each(async (context) => {
  context.broker = await rawBroker();
  context.queues = [];
  context.transports = [];
});

Msgpack.after.each(async ({ broker, queues, transports }) => {
  await Promise.all(transports.map((t) => t.close()));
  if (queues.length) await broker.deleteQueues(...queues);
  await broker.close();
});

const packr = new Packr({ useRecords: false, mapsAsObjects: true });

async function open(context: Context, query = 'codec=msgpack'): Promise<Transport> {
  const transport = await connect(brokerUrl({ query }));
  context.transports.push(transport);
  return transport;
}

/** A raw queue of our own, bound to `exchange` with `routingKey` (or just a queue for replies): what arrives, as the wire has it. */
async function rawQueue(broker: RawBroker, queues: string[], bind?: { exchange: string; routingKey: string }): Promise<{ name: string; next(): Promise<ConsumeMessage> }> {
  const ch = await broker.channel();
  const name = `raw_${hexId()}`;
  queues.push(name);
  await ch.assertQueue(name, { durable: false, autoDelete: false });
  if (bind) await ch.bindQueue(name, bind.exchange, bind.routingKey);
  const received: ConsumeMessage[] = [];
  const waiting: ((m: ConsumeMessage) => void)[] = [];
  await ch.consume(name, (m) => m && (waiting.shift()?.(m) ?? received.push(m)), { noAck: true });
  return { name, next: () => (received.length ? Promise.resolve(received.shift()!) : new Promise((resolve) => waiting.push(resolve))) };
}

Msgpack('should make a call in MessagePack with codec=msgpack, with its content type on the wire', async (context) => {
  const { broker, queues } = context;
  const topic = uniqueTopic();
  queues.push(topic, `${topic}.s1`);
  const transport = await open(context);
  const tap = await rawQueue(broker, queues, { exchange: 'openstack', routingKey: `${topic}.s1` });
  const server = rpcServer(transport, { topic, server: 's1' }, [{ echo: (args: { when: Date; bytes: Buffer }) => ({ ...args, seen: true }) }]);
  await server.start();
  const client = rpcClient(transport, { topic, server: 's1' }, { timeout: 10_000 });
  const when = new Date('2026-11-22T05:25:21.387Z');
  const result = (await within(client.call('echo', { when, bytes: Buffer.from([1, 2, 3]) }), 'the call')) as { when: Date; bytes: Uint8Array; seen: boolean };
  // MessagePack carries Dates and bytes as themselves, not as text.
  assert.instance(result.when, Date);
  assert.is(result.when.getTime(), when.getTime());
  assert.equal([...result.bytes], [1, 2, 3]);
  assert.is(result.seen, true);
  const request = await within(tap.next(), 'the request on the wire');
  assert.is(request.properties.contentType, MSGPACK_CONTENT_TYPE);
  assert.is(request.properties.contentEncoding, undefined);
  const body = packr.unpack(request.content) as Record<string, unknown>;
  assert.is(body['method'], 'echo', 'the body is bare MessagePack, not in the JSON envelope');
  assert.type(body['_msg_id'], 'string');
  await server.stop();
});

Msgpack('should send notifications in MessagePack with codec=msgpack and read them back', async (context) => {
  const { broker, queues } = context;
  const topic = uniqueTopic('notifications');
  queues.push(`${topic}.info`);
  const transport = await open(context);
  const tap = await rawQueue(broker, queues, { exchange: 'openstack', routingKey: `${topic}.info` });
  const received: unknown[] = [];
  let got!: () => void;
  const arrived = new Promise<void>((resolve) => (got = resolve));
  const listener = notificationListener(
    transport,
    [{ topic }],
    [{ info: (_ctx: unknown, _publisher: string, _event: string, payload: unknown) => void (received.push(payload), got()) }],
  );
  await listener.start();
  await notifier(transport, { publisherId: 'spec', topics: [topic] }).info('thing.happened', { n: 1, at: new Date('2026-11-22T00:00:00Z') });
  await within(arrived, 'the notification');
  assert.equal(received, [{ n: 1, at: new Date('2026-11-22T00:00:00Z') }]);
  const wire = await within(tap.next(), 'the notification on the wire');
  assert.is(wire.properties.contentType, MSGPACK_CONTENT_TYPE);
  assert.is((packr.unpack(wire.content) as Record<string, unknown>)['event_type'], 'thing.happened');
  await listener.stop();
});

Msgpack('should keep notifications and calls in JSON on a transport that did not choose msgpack', async (context) => {
  const { broker, queues } = context;
  const topic = uniqueTopic('notifications');
  queues.push(`${topic}.info`);
  const transport = await open(context, '');
  const tap = await rawQueue(broker, queues, { exchange: 'openstack', routingKey: `${topic}.info` });
  await notifier(transport, { publisherId: 'spec', topics: [topic] }).info('thing.happened', { n: 1 });
  const wire = await within(tap.next(), 'the notification on the wire');
  assert.is(wire.properties.contentType, 'application/json');
  assert.is(wire.properties.contentEncoding, 'utf-8');
});

/** A call as a peer publishes it: JSON in oslo's envelope, or bare MessagePack. */
function rawCall(codec: 'json' | 'msgpack', replyTo: string, msgId: string): { content: Buffer; properties: Record<string, unknown> } {
  const body = { method: 'echo', args: { x: 1 }, _msg_id: msgId, _reply_q: replyTo, _unique_id: hexId(), _timeout: null, _context_user_id: 'u1' };
  return codec === 'json'
    ? {
        content: Buffer.from(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify(body) })),
        properties: { contentType: 'application/json', contentEncoding: 'utf-8' },
      }
    : { content: packr.pack(body), properties: { contentType: MSGPACK_CONTENT_TYPE } };
}

for (const [serverCodec, peerCodec] of [
  ['msgpack', 'json'],
  ['json', 'msgpack'],
] as const) {
  Msgpack(`should serve a ${peerCodec} caller from a ${serverCodec} transport and reply in the caller's codec`, async (context) => {
    const { broker, queues } = context;
    const topic = uniqueTopic();
    queues.push(topic, `${topic}.s1`);
    const transport = await open(context, serverCodec === 'msgpack' ? 'codec=msgpack' : '');
    const server = rpcServer(transport, { topic, server: 's1' }, [{ echo: (args: { x: number }) => ({ doubled: args.x * 2 }) }]);
    await server.start();
    const replies = await rawQueue(broker, queues);
    const msgId = hexId();
    const { content, properties } = rawCall(peerCodec, replies.name, msgId);
    const ch = await broker.channel();
    ch.publish('openstack', `${topic}.s1`, content, properties);
    const reply = await within(replies.next(), 'the reply');
    if (peerCodec === 'json') {
      assert.is(reply.properties.contentType, 'application/json');
      const body = JSON.parse(JSON.parse(reply.content.toString('utf8'))['oslo.message']) as Record<string, unknown>;
      assert.equal(body['result'], { doubled: 2 });
      assert.is(body['_msg_id'], msgId);
    } else {
      assert.is(reply.properties.contentType, MSGPACK_CONTENT_TYPE);
      const body = packr.unpack(reply.content) as Record<string, unknown>;
      assert.equal(body['result'], { doubled: 2 });
      assert.is(body['_msg_id'], msgId);
    }
    await ch.close();
    await server.stop();
  });
}

Msgpack('should reject and log a body in neither JSON nor MessagePack, never requeued', async (context) => {
  const { broker, queues } = context;
  const topic = uniqueTopic();
  queues.push(topic, `${topic}.s1`);
  const driver = await openDriver(brokerUrl({ query: 'codec=msgpack' }));
  const server = record((onReady) => driver.listen(target({ topic, server: 's1' }), { onReady }).pipe(tap((call) => void call.ack())));
  await within(server.ready, 'server consuming');
  const logs = captureLogs('rx-messaging.amqp');
  const ch = await broker.channel();
  ch.publish('openstack', `${topic}.s1`, Buffer.from('<xml/>'), { contentType: 'application/xml' });
  ch.publish('openstack', `${topic}.s1`, Buffer.from([0xc1]), { contentType: MSGPACK_CONTENT_TYPE });
  ch.publish('openstack', `${topic}.s1`, packr.pack({ method: 'fine', args: {} }), { contentType: MSGPACK_CONTENT_TYPE });
  const [call] = await within(server.until(1), 'the good one');
  assert.is(call!.method, 'fine');
  await within(
    logs.until(2, (r) => r.level === 'warn' && r.message.includes('malformed')),
    'two warnings',
  );
  logs.restore();
  assert.ok(logs.records.some((r) => String(r.fields?.['reason']).includes('application/xml')));
  assert.ok(logs.records.some((r) => String(r.fields?.['reason']).includes('MessagePack')));
  server.stop();
  await ch.close();
  await driver.close();
  assert.is(await broker.messageCount(`${topic}.s1`), 0, 'rejected without requeue');
});

Msgpack('should refuse a codec it does not know', async () => {
  assert.instance(await rejectionOf(openDriver(brokerUrl({ query: 'codec=yaml' }))), InvalidTransportUrl);
});

Msgpack.run();
