/** Traces across services: the W3C trace context crosses calls, casts and notifications, and handlers run in a span whose parent is the sender's. */
import { context as otelContext, ProxyTracerProvider, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hexId } from '../../lib/core/ids.js';
import { setLogSink } from '../../lib/core/logger.js';
import { connect, notificationListener, notifier, rpcClient, rpcServer, target, type Context, type Transport } from '../../lib/index.js';

interface Context_ {
  transport: Transport;
  topic: string;
  restoreLogs: () => void;
}
const Tracing = suite<Context_>('tracing', {} as Context_);
Tracing.before.each(async (context) => {
  context.transport = await connect(`memory://tracing-${hexId()}`);
  context.topic = `t-${hexId()}`;
  context.restoreLogs = setLogSink(() => undefined);
});
Tracing.after.each(async (context) => {
  await context.transport.close();
  context.restoreLogs();
});

const exporter = new InMemorySpanExporter();
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** Serves `topic` with `ping`, `note` (a cast) and `fail`, and listens to its notifications; says what contexts arrived. */
async function services(transport: Transport, topic: string) {
  const contexts: Context[] = [];
  const server = rpcServer(transport, target({ topic, server: 's' }), [
    {
      ping: (_args: unknown, ctx: Context) => (contexts.push(ctx), 'pong'),
      note: (_args: unknown, ctx: Context) => void contexts.push(ctx),
      fail: () => {
        throw new RangeError('no such flavor');
      },
      // A call made from a handler belongs to the handler's span.
      relay: () => rpcClient(transport, target({ topic })).call('ping'),
    },
  ]);
  const listener = notificationListener(transport, [target({ topic })], [{ info: (ctx) => void contexts.push(ctx) }]);
  await Promise.all([server.start(), listener.start()]);
  return { contexts, stop: () => Promise.all([server.stop(), listener.stop()]) };
}

/** Waits until the exporter holds `count` spans. */
async function spans(count: number): Promise<ReadableSpan[]> {
  while (exporter.getFinishedSpans().length < count) await tick();
  return exporter.getFinishedSpans();
}

const named = (all: readonly ReadableSpan[], name: string, kind: SpanKind, method?: string) =>
  all.filter((span) => span.name === name && span.kind === kind && (method === undefined || span.attributes['rpc.method'] === method));

Tracing('should carry no trace context and start no span while no tracer provider is registered', async ({ transport, topic }) => {
  const asked = { count: 0 };
  const { getTracer } = ProxyTracerProvider.prototype;
  ProxyTracerProvider.prototype.getTracer = function (...args) {
    asked.count++;
    return getTracer.apply(this, args);
  };
  try {
    const service = await services(transport, topic);
    const client = rpcClient(transport, target({ topic }));
    await client.call('ping');
    await client.cast('note');
    await notifier(transport, { publisherId: 'p', topics: [topic] }).info('e.v', {});
    while (service.contexts.length < 3) await tick();
    await service.stop();
    assert.equal(service.contexts, [{}, {}, {}], 'no traceparent on any message');
    assert.is(asked.count, 0, 'no tracer was asked for');
  } finally {
    ProxyTracerProvider.prototype.getTracer = getTracer;
  }
});

Tracing('should register the provider for the cases that follow', () => {
  otelContext.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
});

Tracing('should carry one trace across a call, a cast and a notification, each handled in a child of its send span', async ({ transport, topic }) => {
  exporter.reset();
  const service = await services(transport, topic);
  const root = trace.getTracer('spec').startSpan('request');
  const client = rpcClient(transport, target({ topic }));
  await otelContext.with(trace.setSpan(otelContext.active(), root), async () => {
    await client.call('ping');
    await client.cast('note');
    await notifier(transport, { publisherId: 'p', topics: [topic] }).info('compute.instance.create.end', { id: 1 });
  });
  root.end();
  const all = await spans(7);
  await service.stop();
  const traceId = root.spanContext().traceId;
  assert.ok(
    all.every((span) => span.spanContext().traceId === traceId),
    'every span is of the one trace',
  );

  const [callSend] = named(all, `send ${topic}`, SpanKind.PRODUCER, 'ping');
  const [castSend] = named(all, `send ${topic}`, SpanKind.PRODUCER, 'note');
  const [notifySend] = named(all, `send ${topic}.info`, SpanKind.PRODUCER);
  const [callProcess] = named(all, `process ${topic}`, SpanKind.CONSUMER, 'ping');
  const [castProcess] = named(all, `process ${topic}`, SpanKind.CONSUMER, 'note');
  const [notifyProcess] = named(all, `process ${topic}.info`, SpanKind.CONSUMER);
  for (const send of [callSend, castSend, notifySend]) assert.is(send?.parentSpanContext?.spanId, root.spanContext().spanId, 'a send is a child of the active span');
  assert.is(callProcess?.parentSpanContext?.spanId, callSend?.spanContext().spanId);
  assert.is(castProcess?.parentSpanContext?.spanId, castSend?.spanContext().spanId);
  assert.is(notifyProcess?.parentSpanContext?.spanId, notifySend?.spanContext().spanId);
  assert.ok(callProcess?.parentSpanContext?.isRemote, 'the parent came over the wire');

  assert.equal(callSend?.attributes, {
    'messaging.system': 'memory',
    'messaging.operation.type': 'send',
    'messaging.operation.name': 'send',
    'messaging.destination.name': topic,
    'rpc.method': 'ping',
    'messaging.message.id': callProcess?.attributes['messaging.message.id'],
  });
  assert.is(callProcess?.attributes['messaging.operation.type'], 'process');
  assert.is(notifyProcess?.attributes['messaging.message.id'], notifySend?.attributes['messaging.message.id']);
  const traceparent = `00-${traceId}-${callSend?.spanContext().spanId}-01`;
  assert.is(service.contexts[0]?.['traceparent'], traceparent, 'the handler sees the W3C traceparent in its context');
});

Tracing('should record a failing handler on its span, and make a call from a handler its child', async ({ transport, topic }) => {
  exporter.reset();
  const service = await services(transport, topic);
  const client = rpcClient(transport, target({ topic }));
  await client.call('fail').catch(() => undefined);
  await client.call('relay');
  const all = await spans(6);
  await service.stop();
  const [failSend] = named(all, `send ${topic}`, SpanKind.PRODUCER, 'fail');
  const [failProcess] = named(all, `process ${topic}`, SpanKind.CONSUMER, 'fail');
  assert.is(failProcess?.status.code, SpanStatusCode.ERROR);
  assert.is(failProcess?.attributes['error.type'], 'RangeError');
  assert.equal(
    failProcess?.events.map((event) => [event.name, event.attributes?.['exception.message']]),
    [['exception', 'no such flavor']],
  );
  assert.is(failSend?.status.code, SpanStatusCode.ERROR, "the caller's span fails with the call");
  const [relayProcess] = named(all, `process ${topic}`, SpanKind.CONSUMER, 'relay');
  const [nestedSend] = named(all, `send ${topic}`, SpanKind.PRODUCER, 'ping');
  assert.is(nestedSend?.parentSpanContext?.spanId, relayProcess?.spanContext().spanId);
});

Tracing('should stop tracing once the provider is gone', async ({ transport, topic }) => {
  trace.disable();
  otelContext.disable();
  exporter.reset();
  const service = await services(transport, topic);
  await rpcClient(transport, target({ topic })).call('ping');
  await service.stop();
  assert.equal(service.contexts, [{}]);
  assert.is(exporter.getFinishedSpans().length, 0);
});

Tracing.run();
