import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InvalidTransportUrl, MessageDeliveryFailure } from '../../../lib/core/errors.js';
import { target } from '../../../lib/core/target.js';
import { connect, driverOf } from '../../../lib/transport.js';
import { parseTransportUrl } from '../../../lib/core/url.js';
import { brokerName, createDriver } from '../../../drivers/memory/index.js';
import { queueDepth } from '../../../testing/index.js';

const Index = suite('memory driver module');

Index('should name the broker after the path, else the host, else default', () => {
  assert.is(brokerName(parseTransportUrl('memory://')), 'default');
  assert.is(brokerName(parseTransportUrl('memory://orders')), 'orders');
  assert.is(brokerName(parseTransportUrl('memory:///orders')), 'orders');
  assert.is(brokerName(parseTransportUrl('memory://host/orders')), 'orders');
});

Index('should refuse an unknown URL query option', async () => {
  const error = await createDriver({ url: parseTransportUrl('memory://index-spec?bogus=1'), controlExchange: 'openstack' }).catch((e: unknown) => e);
  assert.instance(error, InvalidTransportUrl);
  assert.match((error as Error).message, /bogus/);
});

Index('should refuse an unknown option given by value', async () => {
  const error = await connect('memory://index-spec', { driverOptions: { heartbeat: 10 } }).catch((e: unknown) => e);
  assert.instance(error, InvalidTransportUrl);
  assert.match((error as Error).message, /heartbeat/);
});

Index('should take max_queue_length from the URL, and refuse one below 1', async () => {
  const transport = await connect('memory://index-spec-bounded?max_queue_length=1');
  try {
    const cast = { method: 'm', args: {}, context: {}, uniqueId: 'u' };
    await driverOf(transport).send(target({ topic: 'compute' }), cast);
    assert.instance(
      await driverOf(transport)
        .send(target({ topic: 'compute' }), cast)
        .catch((e: unknown) => e),
      MessageDeliveryFailure,
    );
  } finally {
    await transport.close();
  }
  const error = await connect('memory://index-spec-bounded?max_queue_length=0').catch((e: unknown) => e);
  assert.instance(error, InvalidTransportUrl);
  assert.match((error as Error).message, /max_queue_length' must be a whole number >= 1, got 0/);
});

Index('should be what connect() loads for memory:// URLs, sharing a broker per name', async () => {
  const one = await connect('memory://index-spec-shared', { controlExchange: 'nova' });
  const two = await connect('memory://index-spec-shared', { controlExchange: 'nova' });
  try {
    await driverOf(one).send(target({ topic: 'compute' }), { method: 'm', args: {}, context: {}, uniqueId: 'u' });
    assert.is(queueDepth('index-spec-shared', 'nova', 'compute'), 1);
    await one.close();
    assert.is(queueDepth('index-spec-shared', 'nova', 'compute'), 1, 'kept while a transport of the name is open');
  } finally {
    await one.close();
    await two.close();
  }
  assert.is(queueDepth('index-spec-shared', 'nova', 'compute'), undefined);
});

Index.run();
