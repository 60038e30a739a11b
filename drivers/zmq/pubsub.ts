/**
 * oslo's optional PUB/SUB fanout (`use_pub_sub`): a fanout cast is published once, on a PUB
 * connected to the frontend of the `rxm zmq-proxy` (an XSUB/XPUB forwarder, tools/zmq/proxy.ts),
 * and each RPC server has a SUB on the proxy's backend subscribed to its topic. Best effort: a
 * SUB whose subscription has not reached the proxy yet misses what is published meanwhile (the
 * slow-joiner problem), and nothing tells a publisher who received a message.
 *
 * The topic frame is the matchmaker name followed by a NUL: SUB subscriptions match by prefix,
 * and the delimiter keeps topic `a` from matching the fanout of topic `ab`.
 */
import type { ZmqOptions } from './options.js';
import { commonOptions, createSender, readAll, type Frames, type Sender, type Zmq } from './sockets.js';
import { MessageDeliveryFailure } from '../../lib/core/errors.js';

/** The topic frame of fanout name `name`. @internal */
export function fanoutTopic(name: string): string {
  return `${name}\0`;
}

const endpoint = (options: ZmqOptions, port: number) => `tcp://${options.zmq_proxy_host}:${port}`;

/** The common socket options without those the socket does not have (a PUB receives nothing, a SUB sends nothing). */
function optionsFor(options: ZmqOptions, without: readonly string[]): Record<string, unknown> {
  const all = commonOptions(options);
  for (const key of without) delete all[key];
  return all;
}

/** Publishes fanout casts through the proxy's frontend: one PUB per transport. @internal */
export interface FanoutPublisher {
  /** Hands the message to ZeroMQ for every subscriber of `name` the proxy knows. */
  publish(name: string, frames: Frames): Promise<void>;
  close(): void;
}

/** The PUB of a transport, connected to the proxy's frontend at once (so its subscriptions arrive before the first fanout, as far as they can). @internal */
export function createFanoutPublisher(zmq: Zmq, options: ZmqOptions): FanoutPublisher {
  const publisher = new zmq.Publisher(optionsFor(options, ['receiveHighWaterMark']));
  const frontend = endpoint(options, options.zmq_proxy_frontend_port);
  publisher.connect(frontend);
  const sender: Sender = createSender(publisher, options, `the zmq proxy at ${frontend}`, () => new MessageDeliveryFailure(`the publisher to ${frontend} is closed`), true);
  return {
    publish: (name, frames) => sender.send([fanoutTopic(name), ...frames]),
    close: () => publisher.close(),
  };
}

/** A SUB on the proxy's backend for the fanout of `name`: `onMessage` gets the frames after the topic; `close()` ends it. @internal */
export function subscribeFanout(zmq: Zmq, options: ZmqOptions, name: string, onMessage: (frames: Buffer[]) => Promise<void>, describe: string): { close(): void } {
  const subscriber = new zmq.Subscriber(optionsFor(options, ['sendHighWaterMark', 'sendTimeout']));
  subscriber.connect(endpoint(options, options.zmq_proxy_backend_port));
  subscriber.subscribe(fanoutTopic(name));
  void readAll(subscriber, ([, ...frames]) => onMessage(frames), `${describe}'s fanout subscription`);
  return { close: () => subscriber.close() };
}
