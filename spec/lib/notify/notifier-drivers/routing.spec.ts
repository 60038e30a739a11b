import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { setLogSink } from '../../../../lib/core/logger.js';
import { notifier } from '../../../../lib/notify/notifier.js';
import type { NotifierDriver } from '../../../../lib/notify/notifier-drivers/driver.js';
import { InvalidRoutingConfig } from '../../../../lib/core/errors.js';
import { routingDriver, type RoutingConfig } from '../../../../lib/notify/notifier-drivers/routing.js';
import { testDriver } from '../../../../testing/test-notifier-driver.js';
import { recordingTransport } from '../../../helpers/notifications.js';

const Routing = suite('routingDriver');

const directory = mkdtempSync(join(tmpdir(), 'rx-routing-'));

/** A notifier routing through `config`, with test drivers named `a`, `b` and `c`. */
function routed(config: RoutingConfig | string) {
  const drivers = { a: testDriver(), b: testDriver(), c: testDriver() };
  const transport = recordingTransport();
  const n = notifier(transport, { publisherId: 'p', driver: routingDriver(config, { drivers }) });
  const got = () => Object.fromEntries(Object.entries(drivers).map(([name, d]) => [name, d.notifications.map((r) => `${r.priority}:${r.message.eventType}`)]));
  return { n, got, transport };
}

Routing('should route by event type glob', async () => {
  const { n, got } = routed({ group: { a: { accepted_events: ['compute.instance.*'] }, b: { accepted_events: ['volume.*', 'image.upload'] } } });
  await n.info('compute.instance.create.end', {});
  await n.info('volume.attach', {});
  await n.info('image.upload', {});
  await n.info('network.create', {});
  assert.equal(got(), { a: ['info:compute.instance.create.end'], b: ['info:volume.attach', 'info:image.upload'], c: [] });
});

Routing('should route by priority, priority patterns taken in lower case', async () => {
  const { n, got } = routed({ group: { a: { accepted_priorities: ['ERROR', 'crit*'] } } });
  await n.info('e', {});
  await n.error('e', {});
  await n.critical('e', {});
  assert.equal(got().a, ['error:e', 'critical:e']);
});

Routing('should need both rules to accept when a driver has both, and take everything without rules', async () => {
  const { n, got } = routed({ group: { a: { accepted_events: ['compute.*'], accepted_priorities: ['warn'] }, b: {} } });
  await n.warn('compute.x', {});
  await n.info('compute.x', {});
  await n.warn('volume.x', {});
  assert.equal(got().a, ['warn:compute.x']);
  assert.equal(got().b, ['warn:compute.x', 'info:compute.x', 'warn:volume.x']);
});

Routing('should call a driver once when several groups accept the message', async () => {
  const { n, got } = routed({ one: { a: { accepted_events: ['compute.*'] } }, two: { a: { accepted_priorities: ['info'] }, c: { accepted_events: ['nothing'] } } });
  await n.info('compute.x', {});
  await n.info('other', {});
  await n.warn('compute.y', {});
  assert.equal(got(), { a: ['info:compute.x', 'info:other', 'warn:compute.y'], b: [], c: [] });
});

Routing("should read oslo's YAML routing_config file", async () => {
  const path = join(directory, 'routing.yaml');
  writeFileSync(
    path,
    `# as in oslo's docs
group_1:
  a:
    accepted_priorities: [warn, error]
  b:
    accepted_events:
      - compute.instance.*
group_2:
  c:
    accepted_priorities: ['info']
    accepted_events: ['compute.instance.exists']
`,
  );
  const { n, got } = routed(path);
  await n.info('compute.instance.exists', {});
  await n.error('compute.instance.delete', {});
  await n.info('volume.create', {});
  assert.equal(got(), { a: ['error:compute.instance.delete'], b: ['info:compute.instance.exists', 'error:compute.instance.delete'], c: ['info:compute.instance.exists'] });
});

Routing('should route nothing with an empty YAML file', async () => {
  const path = join(directory, 'empty.yaml');
  writeFileSync(path, '');
  const { n, got } = routed(path);
  await n.info('e', {});
  assert.equal(got(), { a: [], b: [], c: [] });
});

Routing('should resolve the built-in names: messagingv2 publishes, noop discards', async () => {
  const { n, transport } = routed({ g: { messagingv2: { accepted_events: ['keep.*'] }, noop: {} } });
  await n.info('keep.me', {});
  await n.info('drop.me', {});
  assert.equal(
    transport.published.map((p) => [p.notification.eventType, p.options?.version]),
    [['keep.me', 2]],
  );
});

Routing('should refuse an unknown driver name, malformed rules and an unreadable file with InvalidRoutingConfig', () => {
  const invalid = (config: unknown, pattern: RegExp) =>
    assert.throws(
      () => routingDriver(config as RoutingConfig),
      (e: unknown) => e instanceof InvalidRoutingConfig && pattern.test(e.message),
    );
  invalid({ g: { kafka: {} } }, /names driver 'kafka'.*known drivers are messaging, messagingv2, log, noop/);
  invalid({ g: { routing: {} } }, /names driver 'routing'/);
  invalid({ g: { log: { accepted_events: 'compute.*' } } }, /g\.log\.accepted_events must be a list/);
  invalid({ g: ['log'] }, /group 'g' must map/);
  invalid([], /top level/);
  invalid(join(directory, 'missing.yaml'), /missing\.yaml.*cannot read/);
  const bad = join(directory, 'bad.yaml');
  writeFileSync(bad, 'g: [unclosed');
  invalid(bad, /bad\.yaml.*YAML/);
});

Routing('should reject naming the sub-driver that failed, after the others have sent', async () => {
  const restore = setLogSink(() => {});
  try {
    const broken: NotifierDriver = { name: 'broken', enabled: true, notify: async () => Promise.reject(new Error('down')) };
    const fine = testDriver();
    const n = notifier(recordingTransport(), { publisherId: 'p', driver: routingDriver({ g: { x: {}, y: {} } }, { drivers: { x: broken, y: fine } }) });
    const failure = new Promise<unknown>((resolve) => n.failures$.subscribe((f) => resolve(f.error)));
    await n.info('e', {});
    assert.is(fine.notifications.length, 1);
    assert.match(String(await failure), /routing e: the broken driver\(s\) failed/);
  } finally {
    restore();
  }
});

Routing.run();
