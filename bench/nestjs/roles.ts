/**
 * NestJS microservices on its RabbitMQ transport (`Transport.RMQ`), as the simulator's roles. The
 * server is a Nest microservice whose controller answers `@MessagePattern('info')` calls and
 * counts `@EventPattern('cast_info')` events (and `sync_done`, an event too); the client is a `ClientRMQ` whose `send` waits for the
 * reply (on RabbitMQ's direct reply-to) and whose `emit` waits for the publisher confirm that
 * amqp-connection-manager's channel asks for. The decorators are applied as the functions they
 * are, so the bench's TypeScript needs no decorator support.
 *
 * Settings, from the transport's documented options, chosen for speed: `noAck: true` (the
 * default: requests are acked on delivery, as oslo's at-most-once), `persistent: false` (the
 * default), a non-durable queue (`queueOptions: { durable: false }`, as the documentation's
 * example), `prefetchCount: 256`, and Nagle's algorithm off (`socketOptions.connectionOptions.noDelay`,
 * passed on to amqplib).
 */
import type { ClientRMQ, RmqOptions } from '@nestjs/microservices';
import { lastValueFrom, timeout } from 'rxjs';
import { runLoad } from '../../tools/metering/load.js';
import { cargo, epochMs, oneWayMs, readMessage, RPC_METHOD, simulatorMessage, SYNC_DONE } from '../../tools/simulator/message.js';
import type { RoleRunner } from '../../tools/simulator/index.js';
import { loadPacing, type RpcClientOptions, type RpcServerOptions, type SimulatorOptions } from '../../tools/simulator/options.js';
import { aborted, type RoleHooks } from '../../tools/simulator/role.js';
import { amqpUrl } from '../amqplib/connection.js';
import { syncCounter } from '../peers.js';

/** The event a cast is emitted as (a pattern has either calls or events, not both). */
export const CAST_EVENT = 'cast_info';

/** The transport's options, the same on both sides; the queue is the scenario's topic. */
export function nestOptions(url: string, topic: string): NonNullable<RmqOptions['options']> {
  return {
    urls: [amqpUrl(url)],
    queue: topic,
    queueOptions: { durable: false },
    noAck: true,
    persistent: false,
    prefetchCount: 256,
    socketOptions: { connectionOptions: { noDelay: true } },
  };
}

export function nestRoles(): RoleRunner {
  return (options: SimulatorOptions, hooks: RoleHooks) => {
    if (options.role === 'rpc-server') return runNestServer(options, hooks);
    if (options.role === 'rpc-client') return runNestClient(options, hooks);
    return Promise.reject(new RangeError(`the nestjs engine runs calls and casts, not ${options.role}`));
  };
}

async function runNestServer(options: RpcServerOptions, { meter, signal, onReady }: RoleHooks): Promise<void> {
  await import('reflect-metadata');
  const { Controller, Module } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  const { EventPattern, MessagePattern, Transport } = await import('@nestjs/microservices');
  const sync = syncCounter(options.clients);
  class BenchController {
    info(data: unknown): unknown {
      const received = readMessage(data);
      meter.record(oneWayMs(received), received[1].length);
      received[3] = epochMs() / 1000;
      return received;
    }
    castInfo(data: unknown): void {
      try {
        const received = readMessage(data);
        meter.record(oneWayMs(received), received[1].length);
      } catch (error) {
        meter.fail(error);
      }
    }
    syncDone(): void {
      sync.arrived();
    }
  }
  const method = (name: keyof BenchController) => [BenchController.prototype, name, Object.getOwnPropertyDescriptor(BenchController.prototype, name)!] as const;
  MessagePattern(RPC_METHOD)(...method('info'));
  EventPattern(CAST_EVENT)(...method('castInfo'));
  EventPattern(SYNC_DONE)(...method('syncDone'));
  Controller()(BenchController);
  class BenchModule {}
  Module({ controllers: [BenchController] })(BenchModule);
  const app = await NestFactory.createMicroservice(BenchModule, { transport: Transport.RMQ, options: nestOptions(options.url, options.topic), logger: false });
  await app.listen();
  try {
    onReady?.();
    await Promise.race([sync.done, aborted(signal)]);
  } finally {
    await app.close();
  }
}

async function runNestClient(options: RpcClientOptions, { meter, signal }: RoleHooks): Promise<void> {
  if (options.mode === 'fanout') throw new RangeError('the nestjs engine runs calls and casts, not fanout casts');
  const { ClientRMQ } = await import('@nestjs/microservices');
  const client: ClientRMQ = new ClientRMQ(nestOptions(options.url, options.topic));
  await client.connect();
  try {
    const text = cargo(options.size);
    const call = (pattern: string, data: unknown, seconds: number) => lastValueFrom(client.send(pattern, data).pipe(timeout(seconds * 1000)));
    const emit = (pattern: string, data: unknown) => lastValueFrom(client.emit(pattern, data), { defaultValue: undefined });
    await runLoad({
      ...loadPacing(options),
      meter,
      send: async (seq) => {
        const message = simulatorMessage(seq, text);
        if (options.mode === 'call') readMessage(await call(RPC_METHOD, message, options.timeout));
        else await emit(CAST_EVENT, message);
        return text.length;
      },
      ...(signal && { signal }),
    });
    // An event, queued behind every call and event sent before it on the server's one queue; a
    // reply would race the server's close.
    if (options.sync) await emit(SYNC_DONE, {});
  } finally {
    await client.close();
  }
}
