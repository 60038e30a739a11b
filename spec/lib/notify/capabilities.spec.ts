import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { UnsupportedCapability } from '../../../lib/core/errors.js';
import { batchNotificationListener } from '../../../lib/notify/batch-listener.js';
import { notificationListener } from '../../../lib/notify/listener.js';
import type { Transport } from '../../../lib/transport.js';
import { limitedTransport } from '../../helpers/limited-driver.js';
import { thrown } from '../../helpers/thrown.js';

const endpoint = { info: () => undefined };
const targets = [{ topic: 'notifications' }];

const factories = {
  notificationListener: (transport: Transport, options: { allowRequeue?: boolean; pool?: string }) => notificationListener(transport, targets, [endpoint], options),
  batchNotificationListener: (transport: Transport, options: { allowRequeue?: boolean; pool?: string }) => batchNotificationListener(transport, targets, [endpoint], options),
};

const Capabilities = suite('notification listeners: capabilities');

for (const [name, make] of Object.entries(factories)) {
  Capabilities(`should refuse allowRequeue when ${name} is made on a driver that cannot requeue`, async () => {
    const transport = await limitedTransport();
    try {
      const error = thrown(() => make(transport, { allowRequeue: true }), UnsupportedCapability);
      assert.is(error.capability, 'requeue');
      assert.is(error.driver, 'limited');
      assert.is(
        error.message,
        `The 'limited' driver lacks the capability 'requeue', which a ${name} with allowRequeue needs: leave allowRequeue off (a message is then acked whatever its handler did, as oslo does by default), or connect to a broker transport (rabbit://)`,
      );
    } finally {
      await transport.close();
    }
  });

  Capabilities(`should refuse a pool when ${name} is made on a driver without pools`, async () => {
    const transport = await limitedTransport({ requeue: true });
    try {
      const error = thrown(() => make(transport, { pool: 'alerts' }), UnsupportedCapability);
      assert.is(error.capability, 'pools');
      assert.is(
        error.message,
        `The 'limited' driver lacks the capability 'pools', which a ${name} in a pool ('alerts') needs: listen without a pool, or connect to a broker transport (rabbit://)`,
      );
    } finally {
      await transport.close();
    }
  });

  Capabilities(`should make ${name} with what the driver claims, or with nothing asked`, async () => {
    const none = await limitedTransport();
    const both = await limitedTransport({ requeue: true, pools: true });
    try {
      assert.equal(make(none, {}).priorities, ['info']);
      assert.equal(make(none, { allowRequeue: false }).priorities, ['info']);
      const listener = make(both, { allowRequeue: true, pool: 'alerts' });
      await listener.start();
      assert.ok(listener.running);
      await listener.stop();
    } finally {
      await Promise.all([none.close(), both.close()]);
    }
  });
}

Capabilities.run();
