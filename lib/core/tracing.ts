/**
 * OpenTelemetry traces across services, when `@opentelemetry/api` is installed (an optional peer)
 * and a tracer provider is registered. `connect()` imports the API once; without it, or with no
 * provider registered, every function here returns undefined at once and no span is made.
 *
 * Spans follow the messaging semantic conventions: a producer span per send (a call's lasts until
 * its result), a consumer span per handled message, whose parent is the sender's. The trace
 * context travels as W3C `traceparent` and `tracestate` keys of the message context (on the wire
 * `_context_traceparent`, which a Python service reads as context keys), written here rather
 * than by the global propagator, so they are there whatever propagators the process set up.
 */
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { Context } from './context.js';

type Api = typeof import('@opentelemetry/api');
type Tracer = import('@opentelemetry/api').Tracer;
type OtelSpan = import('@opentelemetry/api').Span;
type OtelContext = import('@opentelemetry/api').Context;

/** What a span says of the message it is about. */
export interface MessageSpanInfo {
  /** The transport's driver name ('memory', 'amqp', ...): `messaging.system` is read off it. */
  readonly driver: string;
  /** The topic (or queue) sent to or consumed from. */
  readonly destination: string;
  /** The RPC method, for calls and casts. */
  readonly method?: string;
  /** The message's id: a call's `_msg_id`, a cast's `_unique_id`, a notification's `message_id`. */
  readonly messageId?: string;
}

export interface MessageSpan {
  /** The trace context the message carries, as context keys: `traceparent` and, when there is one, `tracestate`. */
  readonly traceContext: Readonly<Record<string, string>>;
  /** Runs `fn` with this span active: spans started in it (a nested call) are its children. */
  run<T>(fn: () => T): T;
  /** Ends the span; with an error, it records it as an exception event and sets the error status. */
  end(error?: unknown): void;
}

let api: Api | undefined;
let loading: Promise<void> | undefined;
let noopProvider: unknown;
let tracerOf: { provider: unknown; tracer: Tracer } | undefined;

/** Imports `@opentelemetry/api` once, if it is installed; never rejects. */
export function loadTracing(): Promise<void> {
  loading ??= import('@opentelemetry/api').then(
    (loaded) => {
      api = loaded;
      // What an unregistered global provider delegates to: while it is this one, nothing is traced.
      noopProvider = new loaded.ProxyTracerProvider().getDelegate();
    },
    () => undefined,
  );
  return loading;
}

/** The tracer of the registered provider; undefined without the API or a registered provider. */
function activeTracer(): Tracer | undefined {
  if (!api) return undefined;
  const provider = (api.trace.getTracerProvider() as import('@opentelemetry/api').ProxyTracerProvider).getDelegate();
  if (provider === noopProvider) return undefined;
  if (tracerOf?.provider !== provider) tracerOf = { provider, tracer: provider.getTracer('rx-messaging') };
  return tracerOf.tracer;
}

/** oslo's driver names to OpenTelemetry's `messaging.system` values. */
const SYSTEMS: Readonly<Record<string, string>> = { amqp: 'rabbitmq', rabbit: 'rabbitmq', zmq: 'zeromq' };

function attributes(info: MessageSpanInfo, operation: 'send' | 'process'): Record<string, string> {
  const attrs: Record<string, string> = {
    'messaging.system': SYSTEMS[info.driver] ?? info.driver,
    'messaging.operation.type': operation,
    'messaging.operation.name': operation,
    'messaging.destination.name': info.destination,
  };
  if (info.method !== undefined) attrs['rpc.method'] = info.method;
  if (info.messageId !== undefined) attrs['messaging.message.id'] = info.messageId;
  return attrs;
}

/** A producer span for one send, child of the active span; undefined when nothing is traced. `describe` runs only when something is. */
export function sendSpan(describe: () => MessageSpanInfo): MessageSpan | undefined {
  const tracer = activeTracer();
  if (!tracer || !api) return undefined;
  const info = describe();
  const parent = api.context.active();
  return messageSpan(api, tracer.startSpan(`send ${info.destination}`, { kind: api.SpanKind.PRODUCER, attributes: attributes(info, 'send') }, parent), parent);
}

/** A consumer span for one handled message, child of the span that sent it (its context's `traceparent`); undefined when nothing is traced. */
export function processSpan(describe: () => MessageSpanInfo, context: Context): MessageSpan | undefined {
  const tracer = activeTracer();
  if (!tracer || !api) return undefined;
  const info = describe();
  const parent = remoteParent(api, context);
  return messageSpan(api, tracer.startSpan(`process ${info.destination}`, { kind: api.SpanKind.CONSUMER, attributes: attributes(info, 'process') }, parent), parent);
}

/** `context` with the span's trace context added; `context` itself when there is no span. */
export function withTraceContext<C extends Context>(context: C, span: MessageSpan | undefined): C {
  return span ? { ...context, ...span.traceContext } : context;
}

/** Ends `span` when the stream ends: completes, fails (with the error) or is unsubscribed. */
export function endingSpan<T>(span: MessageSpan): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      let ended = false;
      const end = (error?: unknown) => {
        if (!ended) span.end(error);
        ended = true;
      };
      const subscription = source.subscribe({
        next: (value) => subscriber.next(value),
        error: (error: unknown) => {
          end(error);
          subscriber.error(error);
        },
        complete: () => {
          end();
          subscriber.complete();
        },
      });
      return () => {
        end();
        subscription.unsubscribe();
      };
    });
}

/** Ends `span` when `work` settles, with its error if it rejects. */
export function endingWith<T>(span: MessageSpan, work: Promise<T>): Promise<T> {
  return work.then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      span.end(error);
      throw error;
    },
  );
}

function messageSpan(otel: Api, span: OtelSpan, parent: OtelContext): MessageSpan {
  const spanContext = span.spanContext();
  const traceContext: Record<string, string> = { traceparent: `00-${spanContext.traceId}-${spanContext.spanId}-${spanContext.traceFlags.toString(16).padStart(2, '0')}` };
  const state = spanContext.traceState?.serialize();
  if (state) traceContext['tracestate'] = state;
  const active = otel.trace.setSpan(parent, span);
  return {
    traceContext,
    run: (fn) => otel.context.with(active, fn),
    end(error) {
      if (error !== undefined) {
        const err = error instanceof Error ? error : new Error(String(error));
        span.recordException(err);
        span.setAttribute('error.type', err.name);
        span.setStatus({ code: otel.SpanStatusCode.ERROR, message: err.message });
      }
      span.end();
    },
  };
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-|$)/;

/** The active context with the sender's span as a remote parent, when the message carries a valid `traceparent`. */
function remoteParent(otel: Api, context: Context): OtelContext {
  const active = otel.context.active();
  const header = context['traceparent'];
  const match = typeof header === 'string' ? TRACEPARENT.exec(header) : null;
  if (!match || match[1] === 'ff') return active;
  const state = context['tracestate'];
  const spanContext = {
    traceId: match[2]!,
    spanId: match[3]!,
    traceFlags: Number.parseInt(match[4]!, 16),
    isRemote: true,
    ...(typeof state === 'string' && state && { traceState: otel.createTraceState(state) }),
  };
  return otel.trace.isSpanContextValid(spanContext) ? otel.trace.setSpanContext(active, spanContext) : active;
}
