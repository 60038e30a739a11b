/**
 * The raw harness's connection: plain amqplib with TCP_NODELAY, the best the client does:
 * without it, Nagle's algorithm holds an ack written right after a reply until the reply's
 * segment is acknowledged.
 */
import { connect, type ChannelModel } from 'amqplib';

/** amqplib speaks only amqp(s)://; the simulator's rabbit:// URLs are the same broker. */
export function amqpUrl(url: string): string {
  return url.replace(/^(rabbit|kombu):\/\//, 'amqp://');
}

export function openConnection(url: string): Promise<ChannelModel> {
  return connect(amqpUrl(url), { noDelay: true });
}

/** The raw harness's message kinds, in the AMQP `type` property. */
export const INFO = 'info';
export const SYNC_DONE = 'sync_done';

/** Queue names as oslo's topology has them, so the runner cleans up the same names for every harness. */
export const queues = {
  topic: (topic: string) => topic,
  server: (topic: string, server: string) => `${topic}.${server}`,
  fanoutExchange: (topic: string) => `${topic}_fanout`,
  notifications: (topic: string) => `${topic}.info`,
};
