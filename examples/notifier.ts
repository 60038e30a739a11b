/**
 * A compute service publishing notifications: each instance it boots reports its lifecycle
 * (`compute.instance.create.start` / `.end` at info, a CPU `sample`), and a failed resize reports
 * at error. On memory:// a listener in the same process prints what arrives; on a real broker,
 * run examples/etl-ndjson.ts or etl-postgres.ts against the same URL to consume the events.
 *
 *   node dist/examples/notifier.js                    # memory://notifier
 *   node dist/examples/notifier.js rabbit://guest:guest@127.0.0.1:5672/
 */
import { hostname } from 'node:os';
import { firstValueFrom, take, toArray } from 'rxjs';
import { pathToFileURL } from 'node:url';
import { blockingExecutor, connect, notificationListener, notifier, target, type Context, type Notifier } from '../lib/index.js';

/** Reports the boot of one instance: what the service would do from its real code paths. */
export async function bootInstance(n: Notifier, instanceId: string, context: Context): Promise<void> {
  await n.info('compute.instance.create.start', { instance_id: instanceId, state: 'building' }, context);
  await n.sample('compute.instance.cpu', { instance_id: instanceId, cpu_percent: 12.5 }, context);
  await n.info('compute.instance.create.end', { instance_id: instanceId, state: 'active', flavor: 'm1.small' }, context);
}

export async function failResize(n: Notifier, instanceId: string, reason: string, context: Context): Promise<void> {
  await n.error('compute.instance.resize.error', { instance_id: instanceId, state: 'error', reason }, context);
}

/** How many notifications `publishDemoEvents` sends for `count` instances. */
export const demoEventCount = (count: number) => count * 3 + 1;

/** Demo traffic: `count` instances booted, the last one failing a resize. */
export async function publishDemoEvents(n: Notifier, count = 3): Promise<void> {
  for (let i = 1; i <= count; i++) {
    // A request context carries more than identities; the notifier keeps only oslo's safe keys.
    const context = { user_id: 'alice', project_id: 'demo', request_id: `req-${i}`, auth_token: 'gAAAAA-not-for-the-bus' };
    await bootInstance(n, `instance-${i}`, context);
    if (i === count) await failResize(n, `instance-${i}`, 'no host with enough memory', context);
  }
}

async function main(url: string): Promise<void> {
  const transport = await connect(url);
  console.log(`transport: ${url}`);
  const n = notifier(transport, { publisherId: `compute.${hostname()}` });
  n.failures$.subscribe((f) => console.error(`  could not publish ${f.eventType} through ${f.driver}: ${String(f.error)}`));

  const listener = url.startsWith('memory:')
    ? notificationListener(
        transport,
        [target({ topic: 'notifications' })],
        [
          {
            info: (ctxt: Context, publisherId: string, eventType: string, payload: unknown) =>
              console.log(`  info  ${eventType} from ${publisherId} ${JSON.stringify(payload)} ${JSON.stringify(ctxt)}`),
            error: (_ctxt: Context, _publisherId: string, eventType: string, payload: unknown) => console.log(`  ERROR ${eventType} ${JSON.stringify(payload)}`),
            sample: (_ctxt: Context, _publisherId: string, eventType: string, payload: unknown) => console.log(`  sample ${eventType} ${JSON.stringify(payload)}`),
          },
        ],
        { executor: blockingExecutor() },
      )
    : undefined;
  await listener?.start();
  const printed = listener && firstValueFrom(listener.outcomes$.pipe(take(demoEventCount(3)), toArray()));

  await publishDemoEvents(n, 3);
  console.log(`published ${demoEventCount(3)} notifications; ${n.failureCount} failure(s)`);
  await printed;
  await listener?.stop();
  await transport.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv[2] ?? 'memory://notifier');
