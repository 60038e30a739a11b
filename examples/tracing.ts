/**
 * One trace across two services: an API service calls a compute service and notifies; the
 * compute service handles the call inside a span whose parent is the caller's, and a listener
 * handles the notification the same way. Spans are kept in memory and printed as a tree.
 *
 * rx-messaging traces once `@opentelemetry/api` is installed and a tracer provider is
 * registered; an SDK (here `@opentelemetry/sdk-trace-base`) exports the spans.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { connect, notificationListener, notifier, rpcClient, rpcServer, target, type Context } from '../lib/index.js';

const exporter = new InMemorySpanExporter();
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));

// Two services, each with its own transport to the same broker.
const url = process.argv[2] ?? 'memory://tracing-example';
const [apiTransport, computeTransport] = await Promise.all([connect(url), connect(url)]);

const compute = rpcServer(computeTransport, target({ topic: 'compute', server: 'host-1' }), [
  { get_host: ({ id }: { id: number }, ctx: Context) => ({ id, host: 'host-1', traceparent: ctx['traceparent'] }) },
]);
let notified!: () => void;
const handled = new Promise<void>((resolve) => (notified = resolve));
const audit = notificationListener(computeTransport, [target({ topic: 'notifications' })], [{ info: () => notified() }]);
await Promise.all([compute.start(), audit.start()]);

const client = rpcClient(apiTransport, target({ topic: 'compute' }));
const events = notifier(apiTransport, { publisherId: 'api.host-0' });
await trace.getTracer('api').startActiveSpan('GET /instances/7', async (request) => {
  const host = await client.call('get_host', { id: 7 });
  console.log('get_host →', host);
  await events.info('compute.instance.show', { id: 7 });
  request.end();
});
await handled;
await Promise.all([compute.stop(), audit.stop()]);
await Promise.all([apiTransport.close(), computeTransport.close()]);

// The trace, parent before child.
const spans = exporter.getFinishedSpans();
const print = (span: ReadableSpan, depth: number): void => {
  const { traceId, spanId } = span.spanContext();
  console.log(`${'  '.repeat(depth)}${span.name} [${['internal', 'server', 'client', 'producer', 'consumer'][span.kind]}] trace ${traceId} span ${spanId}`);
  for (const child of spans.filter((s) => s.parentSpanContext?.spanId === spanId)) print(child, depth + 1);
};
for (const root of spans.filter((s) => !s.parentSpanContext)) print(root, 0);
console.log(`${new Set(spans.map((s) => s.spanContext().traceId)).size} trace, ${spans.length} spans`);
