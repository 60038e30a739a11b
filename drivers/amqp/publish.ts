/**
 * Publishing with publisher confirms: a send resolves when the broker has taken the message.
 * One confirm channel per connection carries every publish; declarations run on channels of
 * their own (once per connection) so a 406 fails only the send that caused it. A mandatory
 * publish nobody can receive is rejected with `MessageUndeliverable` the moment the broker
 * returns it. A publish lost with its connection is sent again on the next one while `retry`
 * allows: receivers drop the duplicate by its `_unique_id`. Sends waiting for a connection are
 * bounded in number and bytes; past the bounds a send fails at once.
 */
import type { ChannelModel, ConfirmChannel, Message } from 'amqplib';
import { MessageDeliveryFailure, MessageUndeliverable } from '../../lib/core/errors.js';
import { getLogger } from '../../lib/core/logger.js';
import { openChannel, replyCode, withChannel, type WatchedChannel } from './channel.js';
import { asError, type Link } from './connection.js';
import type { OutgoingMessage } from './message.js';
import { declareTopology, describeTopology, type Topology } from './topology.js';

const log = getLogger('rx-messaging.amqp');

/** @internal */
export interface PublishRequest {
  readonly exchange: string;
  readonly routingKey: string;
  readonly message: OutgoingMessage;
  /** Ask the broker to return the message when no queue is bound for it. */
  readonly mandatory: boolean;
  /** Declared (once per connection, per object: reuse one object per destination) before publishing. */
  readonly topology?: Topology;
  /** Further connection attempts to wait through: undefined or negative forever, 0 none. */
  readonly retry?: number;
}

/** @internal */
export interface Publisher {
  publish(request: PublishRequest): Promise<void>;
}

/** The connection (or the channel) went while the publish was under way: it may be sent again. */
class PublishInterrupted extends Error {
  constructor(
    readonly channelError: Error | undefined,
    options?: ErrorOptions,
  ) {
    super(channelError ? `the channel was closed by the broker: ${channelError.message}` : 'the connection was lost', options);
  }
}

interface PendingReturn {
  readonly content: Buffer;
  readonly onReturn: (message: Message) => void;
}

interface ConfirmState {
  readonly watched: WatchedChannel<ConfirmChannel>;
  /** Mandatory publishes awaiting their confirm, by exchange and routing key. */
  readonly returnable: Map<string, Set<PendingReturn>>;
}

interface ConnectionState {
  confirm?: Promise<ConfirmState>;
  /** The confirm channel once open, for publishing without a Promise hop. */
  ready?: ConfirmState;
  /** Topologies whose declaration succeeded on this connection. */
  readonly done: Set<Topology>;
  /** By topology object: the driver hands the same object for the same destination (see `topologies`). */
  readonly declared: Map<Topology, Promise<void>>;
}

/** How many sends, and how many bytes of them, may wait for a connection at once. @internal */
export interface PendingLimits {
  readonly maxSends: number;
  readonly maxBytes: number;
}

/**
 * Set up on each confirm channel before anything is published on it (direct reply-to's
 * consumer); when it fails, the channel is closed and the publish tried again as after a drop.
 * @internal
 */
export type ChannelSetUp = (watched: WatchedChannel<ConfirmChannel>) => Promise<void>;

/** @internal */
export function createPublisher(link: Link, limits: PendingLimits, setUp?: ChannelSetUp): Publisher {
  const states = new WeakMap<ChannelModel, ConnectionState>();
  const stateOf = (model: ChannelModel) => {
    let state = states.get(model);
    if (!state) states.set(model, (state = { declared: new Map(), done: new Set() }));
    return state;
  };

  function declareOnce(model: ChannelModel, topology: Topology): Promise<void> {
    const state = stateOf(model);
    const key = topology;
    let declared = state.declared.get(key);
    if (!declared) {
      declared = withChannel(model, (channel) => declareTopology(channel, topology)).then(
        () => void state.done.add(topology),
        (error: unknown) => {
          state.declared.delete(key);
          if (replyCode(error) === undefined) throw new PublishInterrupted(undefined, { cause: error });
          throw new MessageDeliveryFailure(
            `RabbitMQ refused to declare ${describeTopology(topology)}: ${asError(error).message}. ` +
              'Declarations must match the existing ones: check amqp_durable_queues, amqp_auto_delete, rabbit_quorum_queue and rabbit_ha_queues against the other services.',
            { cause: error },
          );
        },
      );
      state.declared.set(key, declared);
    }
    return declared;
  }

  function confirmChannel(model: ChannelModel): Promise<ConfirmState> {
    const state = stateOf(model);
    if (!state.confirm) {
      const opening = openChannel(model, true).then(async (watched) => {
        const returnable = new Map<string, Set<PendingReturn>>();
        watched.channel.on('return', (message: Message) => {
          const pending = returnable.get(routeKey(message.fields.exchange, message.fields.routingKey));
          // The body carries a fresh _unique_id, so equal bytes are this very publish.
          const match = pending && [...pending].find((p) => p.content.equals(message.content));
          if (match) match.onReturn(message);
          else log.debug('a returned message matched no pending publish', { exchange: message.fields.exchange, routingKey: message.fields.routingKey });
        });
        void watched.closed.then((error) => {
          if (state.confirm === opening) delete state.confirm;
          if (error) {
            log.warn('the broker closed the publishing channel', { error: error.message });
            state.declared.clear();
            state.done.clear();
          }
        });
        if (setUp) {
          try {
            await setUp(watched);
          } catch (error) {
            await watched.close();
            throw error;
          }
        }
        const ready: ConfirmState = { watched, returnable };
        state.ready = ready;
        void watched.closed.then(() => {
          if (state.ready === ready) delete state.ready;
        });
        return ready;
      });
      // The caller of confirmChannel gets the error; here the failed opening is only forgotten.
      opening.catch(() => {
        if (state.confirm === opening) delete state.confirm;
      });
      state.confirm = opening;
    }
    return state.confirm;
  }

  async function publishOn(model: ChannelModel, request: PublishRequest): Promise<void> {
    if (request.topology) await declareOnce(model, request.topology);
    let confirm: ConfirmState;
    try {
      confirm = await confirmChannel(model);
    } catch (error) {
      throw new PublishInterrupted(undefined, { cause: error });
    }
    return publishOnChannel(model, confirm, request);
  }

  function publishOnChannel(model: ChannelModel, { watched, returnable }: ConfirmState, request: PublishRequest): Promise<void> {
    const { exchange, routingKey, message, mandatory } = request;
    return new Promise<void>((resolve, reject) => {
      const key = routeKey(exchange, routingKey);
      let pending: PendingReturn | undefined;
      const forget = () => {
        if (!pending) return;
        const set = returnable.get(key);
        set?.delete(pending);
        if (set?.size === 0) returnable.delete(key);
      };
      if (mandatory) {
        pending = {
          content: message.content,
          onReturn: (returned) => {
            forget();
            const { replyCode: code = 312, replyText: text = 'NO_ROUTE' } = returned.fields as { replyCode?: number; replyText?: string };
            reject(new MessageUndeliverable(exchange, routingKey, { cause: new Error(`basic.return ${code} ${text}`) }));
          },
        };
        const set = returnable.get(key) ?? new Set();
        set.add(pending);
        returnable.set(key, set);
      }
      try {
        message.properties.mandatory = mandatory;
        watched.channel.publish(exchange, routingKey, message.content, message.properties, (error: unknown) => {
          forget();
          if (error == null) return resolve();
          // amqplib reports a broker nack as 'message nacked', a closed channel as 'channel closed'.
          if (asError(error).message === 'message nacked') {
            return reject(new MessageDeliveryFailure(`RabbitMQ refused (nacked) the message to '${routingKey}' on exchange '${exchange}'`, { cause: error }));
          }
          void watched.closed.then((channelError) => reject(new PublishInterrupted(link.isOpen(model) ? channelError : undefined, { cause: error })));
        });
      } catch (error) {
        // publish throws at once on a channel that is already closed.
        forget();
        reject(new PublishInterrupted(undefined, { cause: error }));
      }
    });
  }

  /** Sends waiting for a connection now: with the broker down they would pile up in memory without limit. */
  const waiting = { sends: 0, bytes: 0 };

  /** The connection to publish on; while there is none, the wait is counted against `limits`, and a send past them fails at once. */
  async function connectionFor(request: PublishRequest, retry: number): Promise<ChannelModel> {
    if (link.status.state === 'connected') return link.connection(retry);
    const bytes = request.message.content.length;
    if (waiting.sends + 1 > limits.maxSends || waiting.bytes + bytes > limits.maxBytes) {
      throw new MessageDeliveryFailure(
        `Cannot send to '${request.routingKey}' on exchange '${request.exchange}': there is no connection to RabbitMQ and ${waiting.sends} sends (${waiting.bytes} bytes) already wait for one, ` +
          `the most rabbit_max_pending_sends (${limits.maxSends}) and rabbit_max_pending_bytes (${limits.maxBytes}) allow`,
      );
    }
    waiting.sends++;
    waiting.bytes += bytes;
    try {
      return await link.connection(retry);
    } finally {
      waiting.sends--;
      waiting.bytes -= bytes;
    }
  }

  /** The connection of the last publish: while it stays open, a publish needs no Promise hop to find it. */
  let lastModel: ChannelModel | undefined;

  /** Publishes, waiting for the connection and sending again after an interruption while `retry` allows. */
  async function retrying(request: PublishRequest, interrupted?: unknown): Promise<void> {
    const retry = request.retry ?? -1;
    let lost = 0;
    let channelErrors = 0;
    let error = interrupted;
    for (;;) {
      if (error !== undefined) {
        if (!(error instanceof PublishInterrupted)) throw error;
        if (error.channelError) {
          // A broker refusal on the shared channel (a deleted exchange's 404...): redeclare and try once more.
          if (++channelErrors > 1) {
            throw new MessageDeliveryFailure(`Publishing to '${request.routingKey}' on exchange '${request.exchange}' failed: ${error.channelError.message}`, {
              cause: error.channelError,
            });
          }
        } else {
          if (retry >= 0 && ++lost > retry) {
            throw new MessageDeliveryFailure(`The connection to RabbitMQ was lost while publishing to '${request.routingKey}' and retry=${retry} allows no further attempt`, {
              cause: error,
            });
          }
          log.info('publish interrupted by a lost connection; sending again on the next one', { exchange: request.exchange, routingKey: request.routingKey });
        }
        error = undefined;
      }
      const model = await connectionFor(request, retry < 0 ? -1 : retry - lost);
      lastModel = model;
      try {
        return await publishOn(model, request);
      } catch (caught) {
        error = caught;
      }
    }
  }

  return {
    publish(request) {
      // The common case: connected, confirm channel open, topology declared. Publish at once.
      const model = lastModel;
      if (model !== undefined && link.isOpen(model)) {
        const state = states.get(model);
        const ready = state?.ready;
        if (ready?.watched.isOpen && (!request.topology || state!.done.has(request.topology))) {
          return publishOnChannel(model, ready, request).catch((error: unknown) => retrying(request, error));
        }
      }
      return retrying(request);
    },
  };
}

function routeKey(exchange: string, routingKey: string): string {
  return `${exchange}\u0000${routingKey}`;
}
