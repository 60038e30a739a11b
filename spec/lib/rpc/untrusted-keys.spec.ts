import { connect as amqpConnect } from 'amqplib';
import { suite, type Test } from 'uvu';
import * as assert from 'uvu/assert';
import { hexId } from '../../../lib/core/ids.js';
import { topicQueue } from '../../../lib/core/target.js';
import { connect, rpcServer, target, type Transport } from '../../../lib/index.js';
import { publishRaw } from '../../../testing/memory.js';
import { amqpUrl, amqpUrlWith, deleteQueuesStartingWith, serviceSuite } from '../../helpers/services.js';

/** A cast as a hostile or careless peer might write it: keys that mean something to JavaScript objects. */
const hostileCast = () =>
  Buffer.from(
    `{"method":"whoami","args":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"prototype":1,"n":2},"_context_user":"u","_context___proto__":{"is_admin":true},"_context_constructor":"c","_unique_id":"${hexId()}"}`,
  );

interface Seen {
  readonly args: Record<string, unknown>;
  readonly context: Record<string, unknown>;
}

function specs(test: Test<{ transport: Transport; topic: string; publish: (topic: string, bytes: Buffer) => Promise<void> }>): void {
  test('should hand a handler __proto__, constructor and prototype keys as plain own data, never as a prototype', async ({ transport, topic, publish }) => {
    let seen!: (value: Seen) => void;
    const received = new Promise<Seen>((resolve) => (seen = resolve));
    const server = rpcServer(transport, target({ topic, server: 's' }), [
      { whoami: (args: Record<string, unknown>, context: Record<string, unknown>) => void seen({ args, context }) },
    ]);
    await server.start();
    await publish(topic, hostileCast());
    const { args, context } = await received;
    await server.stop();
    assert.is(Object.getPrototypeOf(context), Object.prototype);
    assert.is((context as { is_admin?: unknown }).is_admin, undefined, 'the context gained no inherited is_admin');
    assert.equal(Object.keys(context).sort(), ['__proto__', 'constructor', 'user']);
    assert.equal(Object.getOwnPropertyDescriptor(context, '__proto__')?.value, { is_admin: true });
    assert.is(Object.getPrototypeOf(args), Object.prototype);
    assert.is((args as { polluted?: unknown }).polluted, undefined);
    assert.equal(Object.keys(args).sort(), ['__proto__', 'constructor', 'n', 'prototype']);
    assert.equal(Object.getOwnPropertyDescriptor(args, '__proto__')?.value, { polluted: true });
    assert.is(({} as { polluted?: unknown; is_admin?: unknown }).polluted, undefined, 'Object.prototype untouched');
  });
}

const Memory = suite('untrusted keys on memory://', { transport: undefined as unknown as Transport, topic: '', publish: async (_topic: string, _bytes: Buffer) => {} });
Memory.before.each(async (context) => {
  const broker = `keys-${hexId()}`;
  context.transport = await connect(`memory:///${broker}`);
  context.topic = `t-${hexId()}`;
  context.publish = async (topic, bytes) => publishRaw(broker, 'openstack', topicQueue(target({ topic })), bytes);
});
Memory.after.each((context) => context.transport.close());
specs(Memory);
Memory.run();

const Rabbit = await serviceSuite('untrusted keys on RabbitMQ', ['rabbitmq'], {
  transport: undefined as unknown as Transport,
  topic: '',
  publish: async (_topic: string, _bytes: Buffer) => {},
});
Rabbit.before.each(async (context) => {
  context.transport = await connect(amqpUrlWith());
  context.topic = `spec_keys_${hexId()}`;
  context.publish = async (topic, bytes) => {
    const connection = await amqpConnect(amqpUrl());
    const channel = await connection.createConfirmChannel();
    channel.publish('openstack', topic, bytes, { contentType: 'application/json', contentEncoding: 'utf-8' });
    await channel.waitForConfirms();
    await connection.close();
  };
});
Rabbit.after.each(async (context) => {
  await context.transport.close();
  await deleteQueuesStartingWith(context.topic);
});
specs(Rabbit);
Rabbit.run();
