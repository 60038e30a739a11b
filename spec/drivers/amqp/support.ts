/**
 * What the AMQP driver specs share: a driver on the spec broker, a raw amqplib channel to look
 * at the broker or publish garbage and a recorder for listener streams.
 */
import { randomBytes } from 'node:crypto';
import { connect as amqpConnect, type Channel, type ChannelModel } from 'amqplib';
import type { Observable, Subscription } from 'rxjs';
import { createDriver } from '../../../drivers/amqp/index.js';
import type { Driver } from '../../../lib/driver/driver.js';
import { parseTransportUrl } from '../../../lib/core/url.js';
import { amqpUrl, amqpUrlWith } from '../../helpers/services.js';

/** A fresh topic name, so specs never see each other's messages. */
export const uniqueTopic = (prefix = 'spec') => `${prefix}_${randomBytes(6).toString('hex')}`;

/** The spec broker's URL with `query` options, or with its host replaced (for a proxy). */
export function brokerUrl({ query = '', port }: { query?: string; port?: number } = {}): string {
  const base = amqpUrlWith(query);
  return port === undefined ? base : base.replace(/@([^:/]+)(:\d+)?/, `@$1:${port}`);
}

export function openDriver(url = brokerUrl(), options: Record<string, unknown> = {}): Promise<Driver> {
  return createDriver({ url: parseTransportUrl(url), options, controlExchange: 'openstack' });
}

/** A plain amqplib connection for looking at the broker as a third party. */
export interface RawBroker {
  readonly connection: ChannelModel;
  /** A new channel; a broker refusal closes it, so each check takes its own. */
  channel(): Promise<Channel>;
  /** True when the queue exists (a passive declare on a channel of its own). */
  queueExists(name: string): Promise<boolean>;
  /** Declares `name` with these flags on a channel of its own; resolves the broker's answer code (200 ok, 406...). */
  declareQueue(name: string, options: { durable: boolean; autoDelete: boolean; arguments?: Record<string, unknown> }): Promise<number>;
  messageCount(name: string): Promise<number>;
  deleteQueues(...names: string[]): Promise<void>;
  close(): Promise<void>;
}

export async function rawBroker(): Promise<RawBroker> {
  const connection = await amqpConnect(amqpUrl());
  connection.on('error', () => undefined);
  const channel = async () => {
    const ch = await connection.createChannel();
    // A refused declare closes the channel with an 'error' event; the rejected promise reports it.
    ch.on('error', () => undefined);
    return ch;
  };
  const onOwnChannel = async <T>(work: (ch: Channel) => Promise<T>): Promise<T> => {
    const ch = await channel();
    const result = await work(ch);
    await ch.close();
    return result;
  };
  return {
    connection,
    channel,
    async queueExists(name) {
      const ch = await channel();
      try {
        await ch.checkQueue(name);
        await ch.close();
        return true;
      } catch (error) {
        if ((error as { code?: number }).code === 404) return false;
        throw error;
      }
    },
    async declareQueue(name, options) {
      const ch = await channel();
      try {
        await ch.assertQueue(name, { exclusive: false, ...options });
        await ch.close();
        return 200;
      } catch (error) {
        const code = (error as { code?: number }).code;
        if (code === undefined) throw error;
        return code;
      }
    },
    messageCount: (name) => onOwnChannel(async (ch) => (await ch.checkQueue(name)).messageCount),
    deleteQueues: (...names) =>
      onOwnChannel(async (ch) => {
        for (const name of names) await ch.deleteQueue(name);
      }),
    close: () => connection.close(),
  };
}

/** A listener stream being recorded: what arrived, and promises for what is still to come. */
export interface Recorder<T> {
  readonly items: T[];
  /** Resolves when the driver says the consumer is in place. */
  readonly ready: Promise<void>;
  /** Resolves with the items once `count` have arrived; rejects if the stream fails first. */
  until(count: number): Promise<T[]>;
  /** Resolves with the stream's error; rejects if it completes. */
  readonly failed: Promise<Error>;
  readonly completed: Promise<void>;
  stop(): void;
}

export function record<T>(open: (onReady: () => void) => Observable<T>): Recorder<T> {
  const items: T[] = [];
  const waiters: { count: number; resolve: (items: T[]) => void; reject: (error: Error) => void }[] = [];
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  let fail!: (error: Error) => void;
  let notFailed!: (error: Error) => void;
  let complete!: () => void;
  const failed = new Promise<Error>((resolve, reject) => ((fail = resolve), (notFailed = reject)));
  const completed = new Promise<void>((resolve) => (complete = resolve));
  // Specs that expect success never look at `failed`; keep its rejection from going unhandled.
  failed.catch(() => undefined);
  let error: Error | undefined;
  const subscription: Subscription = open(markReady).subscribe({
    next(item) {
      items.push(item);
      for (const waiter of [...waiters]) {
        if (items.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(items.slice(0, waiter.count));
        }
      }
    },
    error(e: Error) {
      error = e;
      for (const waiter of waiters.splice(0)) waiter.reject(e);
      fail(e);
    },
    complete() {
      for (const waiter of waiters.splice(0)) waiter.reject(new Error(`the stream completed after ${items.length} item(s)`));
      notFailed(new Error('the stream completed without an error'));
      complete();
    },
  });
  return {
    items,
    ready,
    failed,
    completed,
    until(count) {
      if (items.length >= count) return Promise.resolve(items.slice(0, count));
      if (error) return Promise.reject(error);
      return new Promise((resolve, reject) => waiters.push({ count, resolve, reject }));
    },
    stop: () => subscription.unsubscribe(),
  };
}

/** The spec broker's host and port, as its URL gives them: what a TCP proxy in front of it connects to. */
export const brokerHost = () => /@([^:/]+)/.exec(amqpUrl())?.[1] ?? '127.0.0.1';
export const brokerPort = () => Number(/@[^:/]+:(\d+)/.exec(amqpUrl())?.[1] ?? 5672);

export { within } from '../../helpers/within.js';

/** A promise's rejection, or a failure if it resolved. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, but it resolved');
}
