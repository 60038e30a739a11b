import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect } from '../../../../lib/transport.js';
import { MessageDeliveryFailure } from '../../../../lib/core/errors.js';
import { hexId } from '../../../../lib/core/ids.js';
import { notifier } from '../../../../lib/notify/notifier.js';
import { messagingV1Driver, messagingV2Driver } from '../../../../lib/notify/notifier-drivers/messaging.js';
import { target } from '../../../../lib/core/target.js';
import { recordingTransport } from '../../../helpers/notifications.js';

const Messaging = suite('messaging drivers');

Messaging('should send enveloped (version 2) with messagingV2Driver and bare (version 1) with messagingV1Driver', async () => {
  const transport = recordingTransport();
  const route = { transport, topics: [target({ topic: 'notifications' })] };
  const notification = { messageId: 'm', publisherId: 'p', eventType: 'e', priority: 'info', payload: {}, timestamp: 't', context: {} } as const;
  await messagingV2Driver().notify(notification, undefined, route);
  await messagingV1Driver().notify(notification, 2, route);
  assert.equal(
    transport.published.map((p) => p.options),
    [{ version: 2 }, { retry: 2, version: 1 }],
  );
  assert.equal([messagingV2Driver().name, messagingV1Driver().name], ['messagingv2', 'messaging']);
});

Messaging('should still publish to the other topics when one fails, then reject with MessageDeliveryFailure naming it', async () => {
  const transport = recordingTransport();
  transport.fail('bad');
  const route = { transport, topics: ['good', 'bad', 'also_good'].map((topic) => target({ topic })) };
  const notification = { messageId: 'm', publisherId: 'p', eventType: 'e', priority: 'warn', payload: {}, timestamp: 't', context: {} } as const;
  const error = await messagingV2Driver()
    .notify(notification, undefined, route)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  assert.equal(
    transport.published.map((p) => p.target.topic),
    ['good', 'also_good'],
  );
  assert.instance(error, MessageDeliveryFailure);
  assert.match((error as Error).message, /to bad$/);
  assert.match(String((error as Error).cause), /broker refused bad/);
});

Messaging('should deliver both versions to a listener on a memory transport', async () => {
  const transport = await connect(`memory://messaging-${hexId()}`);
  try {
    const topic = `n-${hexId()}`;
    const v1 = notifier(transport, { publisherId: 'old', topics: [topic], driver: messagingV1Driver() });
    const v2 = notifier(transport, { publisherId: 'new', topics: [topic], driver: messagingV2Driver() });
    await v1.warn('legacy.event', { v: 1 });
    await v2.warn('current.event', { v: 2 });
    const received: string[] = [];
    await new Promise<void>((resolve) => {
      const subscription = transport.notifications([target({ topic })], { priorities: ['warn'] }).subscribe((n) => {
        received.push(`${n.publisherId}:${n.eventType}:${JSON.stringify(n.payload)}:${n.priority}`);
        void n.ack();
        if (received.length === 2) {
          subscription.unsubscribe();
          resolve();
        }
      });
    });
    assert.equal(received, ['old:legacy.event:{"v":1}:warn', 'new:current.event:{"v":2}:warn']);
  } finally {
    await transport.close();
  }
});

Messaging.run();
