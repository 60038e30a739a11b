import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TransportClosed } from '../../lib/core/errors.js';
import { createMemoryDriver } from '../../drivers/memory/driver.js';
import { publishRaw, queueDepth } from '../../testing/memory.js';

const Testing = suite('memory testing helpers');

Testing('should put raw bytes on a queue of an open broker and count what waits', async () => {
  const driver = createMemoryDriver({ brokerName: 'testing-spec', controlExchange: 'openstack', maxQueueLength: 100_000 });
  try {
    assert.is(queueDepth('testing-spec', 'openstack', 'demo'), undefined);
    publishRaw('testing-spec', 'openstack', 'demo', Buffer.from('anything'));
    publishRaw('testing-spec', 'openstack', 'demo', Buffer.from('at all'));
    assert.is(queueDepth('testing-spec', 'openstack', 'demo'), 2);
    assert.is(queueDepth('testing-spec', 'other', 'demo'), undefined);
  } finally {
    await driver.close();
  }
});

Testing('should refuse a broker no transport has open', () => {
  assert.throws(
    () => publishRaw('testing-spec-nobody', 'openstack', 'demo', Buffer.from('x')),
    (error: unknown) => error instanceof TransportClosed && /testing-spec-nobody/.test(error.message),
  );
  assert.is(queueDepth('testing-spec-nobody', 'openstack', 'demo'), undefined);
});

Testing.run();
