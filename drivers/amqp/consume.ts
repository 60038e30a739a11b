/**
 * A consumer as a cold Observable of deliveries that survives failures. Subscribing opens a
 * channel on the consuming link, sets the prefetch, declares the topology and consumes its
 * queues. When the connection drops, the next connection repeats all of that with the same
 * queue names; when the broker closes only the channel or cancels the consumer (a deleted
 * queue), a new channel does. Subscribers see nothing of it but, maybe, redeliveries. A broker
 * refusal while setting up (406, 403...) is an error on the Observable: it would only repeat.
 * Unsubscribing cancels the consumers; the channel stays open until every delivery it handed
 * out is settled, so in-flight work can still ack.
 */
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { defer, EMPTY, Observable, of, retry, switchMap, takeUntil, throwError, timer } from 'rxjs';
import { MessageDeliveryFailure } from '../../lib/core/errors.js';
import { getLogger } from '../../lib/core/logger.js';
import { openChannel, replyCode, type WatchedChannel } from './channel.js';
import { asError, type Link } from './connection.js';
import { checkTopology, declareTopology, describeTopology, type Topology } from './topology.js';

const log = getLogger('rx-messaging.amqp');

/** The pause before declaring again after a 404, doubled on each one in a row up to NOT_FOUND_MAX_DELAY_MS. */
const NOT_FOUND_FIRST_DELAY_MS = 50;
const NOT_FOUND_MAX_DELAY_MS = 5_000;
/** How long setups refused with 404 are tried again before the consumer fails, unless its spec says otherwise. */
const NOT_FOUND_TIMEOUT_MS = 30_000;

/** A received message and how to settle it. Settling twice, or after its channel went, does nothing. @internal */
export interface Delivery {
  readonly message: ConsumeMessage;
  ack(): void;
  reject(requeue: boolean): void;
}

/** What the driver's consumers share: the signal that it closes, and the cleanups close() waits for. @internal */
export interface ConsumerScope {
  readonly closing$: Observable<void>;
  /** close() waits for `cleanup` before closing the connections. */
  track(cleanup: Promise<void>): void;
}

interface ConsumeSpec {
  /** For logs and errors, e.g. "RPC server compute.host-1". */
  readonly description: string;
  /** Declared on every new channel; every queue in it is consumed. */
  readonly topology: Topology;
  /** `basic.qos` for each consumer; 0 leaves it unlimited. */
  readonly prefetch: number;
  readonly consumerArguments?: Readonly<Record<string, unknown>>;
  /** Called after each successful setup: `first` on the first one only. */
  readonly onConsuming?: (first: boolean) => void;
  /** Runs on the live channel when the consumer stops for good (unsubscribe or close), e.g. to delete a private queue. */
  readonly onStop?: (channel: Channel) => Promise<unknown>;
  /**
   * The broker forgets each message as it sends it (`no_ack`): no ack travels back, and settling
   * a delivery does nothing. For replies, which oslo treats as best-effort too. No prefetch applies.
   */
  readonly noAck?: boolean;
  /**
   * How long, in ms, setups refused with 404 are tried again (with growing pauses) before the
   * Observable fails; 30 s by default. A queue whose node is down answers 404 until it is back.
   */
  readonly notFoundTimeoutMs?: number;
  /**
   * Make the queues on the first setup only; later setups first check that they still exist (a
   * passive declare, 404 when gone), then declare them as usual, so that a queue declared
   * otherwise meanwhile is still refused. For a queue whose loss must be seen rather than papered
   * over: made again under its old name after its cluster node stopped, a reply queue could stay
   * out of the servers' reach while that node was away.
   */
  readonly madeOnce?: boolean;
}

/** What amqplib's ack() reads of a message: its delivery tag. */
const tagged = (deliveryTag: number) => ({ fields: { deliveryTag } }) as ConsumeMessage;

/** Settling a delivery consumed without acks: the broker forgot it when it sent it. */
const alreadySettled = () => undefined;

/** The broker took the channel or the consumer away while the connection stayed: set up again. */
class Resume extends Error {
  constructor(
    reason: string,
    /** How long to wait before setting up again. */
    readonly delayMs = 0,
  ) {
    super(reason);
    this.name = 'Resume';
  }
}

/** @internal */
export function consume(link: Link, scope: ConsumerScope, spec: ConsumeSpec): Observable<Delivery> {
  return defer(() => {
    // Where each stream queue is read from next: 'last' at first, then past the last message seen, so a reconnect misses nothing (oslo's next_stream_offset).
    const streamOffsets = new Map<string, number>();
    let setups = 0;
    let notFound = 0;
    let notFoundSince: number | undefined;
    link.start().catch((error: unknown) => log.warn(`no connection yet for ${spec.description}; still trying`, { error: asError(error).message }));
    return link.connection$.pipe(
      switchMap((model) =>
        model === null
          ? EMPTY
          : session(link, scope, spec, model, {
              consuming: () => {
                notFound = 0;
                notFoundSince = undefined;
                spec.onConsuming?.(++setups === 1);
              },
              // An auto-delete exchange (a topic's fanout) can vanish between its declaration and a
              // bind when its last other server stops, and a queue whose cluster node is down answers
              // 404 until the node is back: declaring again after growing pauses rides out both.
              retryNotFound: () => {
                const now = Date.now();
                notFoundSince ??= now;
                if (now - notFoundSince >= (spec.notFoundTimeoutMs ?? NOT_FOUND_TIMEOUT_MS)) return undefined;
                return Math.min(NOT_FOUND_FIRST_DELAY_MS * 2 ** notFound++, NOT_FOUND_MAX_DELAY_MS);
              },
              setUpBefore: () => setups > 0,
              streamOffsets,
            }).pipe(
              retry({
                delay: (error: unknown) => {
                  if (!(error instanceof Resume)) return throwError(() => error);
                  log.warn(`resuming ${spec.description}: ${error.message}`, error.delayMs > 0 ? { inMs: error.delayMs } : undefined);
                  return error.delayMs > 0 ? timer(error.delayMs) : of(0);
                },
              }),
            ),
      ),
      takeUntil(scope.closing$),
    );
  });
}

interface SessionHooks {
  /** The consumer is in place. */
  consuming(): void;
  /** The pause before retrying a 404 while setting up, or undefined when it has lasted too long. */
  retryNotFound(): number | undefined;
  /** Whether a setup was in place before this one. */
  readonly setUpBefore: () => boolean;
  /** The next offset to read of each stream queue, kept across sessions. */
  readonly streamOffsets: Map<string, number>;
}

/** One channel's worth of consuming, on one connection. */
function session(link: Link, scope: ConsumerScope, spec: ConsumeSpec, model: ChannelModel, hooks: SessionHooks): Observable<Delivery> {
  return new Observable<Delivery>((subscriber) => {
    let watched: WatchedChannel | undefined;
    let stopped = false;
    let ready = false;
    let unsettled = 0;
    let closeWhenSettled = false;
    /** Why the channel is being given up, when the driver gives it up itself. */
    let resumeReason: string | undefined;
    const tags: string[] = [];

    // Acks leave once per event-loop turn: every delivery settled in a turn is acked by one
    // basic.ack with `multiple` when every earlier delivery on the channel is settled too (the
    // broker numbers a channel's deliveries 1, 2, 3...), one by one otherwise. Rejections go at
    // once, after the acks before them.
    let floor = 0;
    const settledAbove = new Set<number>();
    let acks: number[] = [];
    let flushing = false;
    const flushAcks = (channel: WatchedChannel) => {
      flushing = false;
      if (acks.length === 0) return;
      const pending = acks;
      acks = [];
      if (!channel.isOpen) {
        log.debug('not acked: the channel is gone, so the broker delivers them again', { deliveries: pending.length });
        return;
      }
      let upTo = 0;
      for (const tag of pending) {
        if (tag <= floor) upTo = Math.max(upTo, tag);
        else channel.channel.ack(tagged(tag));
      }
      if (upTo > 0) channel.channel.ack(tagged(upTo), true);
    };
    const settleTag = (tag: number) => {
      if (tag === floor + 1) {
        floor = tag;
        while (settledAbove.delete(floor + 1)) floor++;
      } else settledAbove.add(tag);
    };

    const delivery = (channel: WatchedChannel, message: ConsumeMessage): Delivery => {
      let settled = false;
      const done = () => {
        if (--unsettled === 0 && closeWhenSettled) {
          flushAcks(channel);
          scope.track(channel.close());
        }
      };
      return {
        message,
        ack: () => {
          if (settled) return;
          settled = true;
          const tag = message.fields.deliveryTag;
          settleTag(tag);
          acks.push(tag);
          if (!flushing) {
            flushing = true;
            process.nextTick(flushAcks, channel);
          }
          done();
        },
        reject: (requeue) => {
          if (settled) return;
          settled = true;
          settleTag(message.fields.deliveryTag);
          flushAcks(channel);
          if (channel.isOpen) channel.channel.reject(message, requeue);
          else log.debug('not settled: its channel is gone, so the broker delivers it again', { routingKey: message.fields.routingKey });
          done();
        },
      };
    };

    const noAck = spec.noAck === true;

    const setUp = async () => {
      const channel = await openChannel(model);
      watched = channel;
      if (stopped) return channel.close();
      if (spec.prefetch > 0 && !noAck) await channel.channel.prefetch(spec.prefetch);
      if (spec.madeOnce && hooks.setUpBefore()) await checkTopology(channel.channel, spec.topology);
      await declareTopology(channel.channel, spec.topology);
      for (const queue of spec.topology.queues) {
        if (stopped) return;
        const { consumerTag } = await channel.channel.consume(
          queue.name,
          (message) => {
            if (message === null) {
              // basic.cancel from the broker: the queue was deleted or failed over. A new channel declares it again.
              resumeReason = `the broker cancelled the consumer of queue '${queue.name}'`;
              void channel.close();
              return;
            }
            if (queue.stream) {
              const offset: unknown = message.properties.headers?.['x-stream-offset'];
              if (typeof offset === 'number') hooks.streamOffsets.set(queue.name, offset + 1);
            }
            if (noAck) return subscriber.next({ message, ack: alreadySettled, reject: alreadySettled });
            if (stopped) {
              // Delivered between our basic.cancel and its answer: nobody will settle it, so give it back now.
              channel.channel.reject(message, true);
              return;
            }
            unsettled++;
            subscriber.next(delivery(channel, message));
          },
          // oslo consumes a stream with x-stream-offset alone.
          {
            noAck,
            ...(queue.stream
              ? { arguments: { 'x-stream-offset': hooks.streamOffsets.get(queue.name) ?? 'last' } }
              : spec.consumerArguments && { arguments: spec.consumerArguments }),
          },
        );
        tags.push(consumerTag);
      }
      if (stopped) return;
      ready = true;
      log.debug(`consuming for ${spec.description}`, { queues: spec.topology.queues.map((q) => q.name) });
      hooks.consuming();
      const error = await channel.closed;
      // A lost connection is the link's to handle: the next connection sets this consumer up again.
      if (stopped || !link.isOpen(model)) return;
      subscriber.error(new Resume(resumeReason ?? `the broker closed the channel: ${error?.message ?? 'no reason given'}`));
    };

    setUp().catch((error: unknown) => {
      if (stopped || !link.isOpen(model)) {
        log.debug(`setting up ${spec.description} was interrupted`, { error: asError(error).message });
        return;
      }
      if (ready) {
        subscriber.error(new Resume(asError(error).message));
        return;
      }
      const pause = replyCode(error) === 404 ? hooks.retryNotFound() : undefined;
      if (pause !== undefined) {
        subscriber.error(new Resume(asError(error).message, pause));
        return;
      }
      // Refused while setting up (by the broker, or locally): trying again would fail the same way.
      const refusal = replyCode(error) === undefined ? 'could not' : 'RabbitMQ refused to';
      subscriber.error(
        new MessageDeliveryFailure(
          `${refusal} set up ${spec.description} (${describeTopology(spec.topology)}): ${asError(error).message}. ` +
            'Declarations must match the existing ones: check amqp_durable_queues, amqp_auto_delete, rabbit_quorum_queue and rabbit_ha_queues against the other services.',
          { cause: error },
        ),
      );
    });

    return () => {
      stopped = true;
      const channel = watched;
      if (channel?.isOpen) scope.track(stop(channel));
    };

    async function stop(channel: WatchedChannel): Promise<void> {
      try {
        for (const tag of tags) await channel.channel.cancel(tag);
        if (spec.onStop) await spec.onStop(channel.channel);
      } catch (error) {
        log.warn(`stopping ${spec.description} cleanly failed; the broker cleans up when the channel closes`, { error: asError(error).message });
      }
      if (unsettled === 0) await channel.close();
      else closeWhenSettled = true;
    }
  });
}
