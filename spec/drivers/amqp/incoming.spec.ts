import type { ConsumeMessage } from 'amqplib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { toIncomingNotification } from '../../../drivers/amqp/incoming.js';
import type { Delivery } from '../../../drivers/amqp/consume.js';
import { defaultCodec } from '../../../lib/wire/codec.js';
import { encodeBody } from '../../../lib/wire/envelope.js';
import { notificationToWire } from '../../../lib/wire/notifications.js';

const Incoming = suite('amqp incoming notifications');

const notification = { messageId: 'm', publisherId: 'p', eventType: 'e', priority: 'info' as const, payload: {}, timestamp: '2026-01-01 00:00:00.000000', context: {} };

function delivery(headers: Record<string, unknown>, settled: string[]): Delivery {
  const message = {
    content: encodeBody(defaultCodec, notificationToWire(notification, 'u')),
    fields: { redelivered: true, exchange: 'openstack', routingKey: 'n.info', deliveryTag: 1 },
    properties: { contentType: 'application/json', contentEncoding: 'utf-8', headers },
  } as unknown as ConsumeMessage;
  return { message, ack: () => void settled.push('ack'), reject: (requeue) => void settled.push(requeue ? 'requeue' : 'reject') };
}

Incoming("should give a quorum queue's x-delivery-count as deliveryCount, and none for a classic queue", () => {
  assert.is(toIncomingNotification(delivery({ 'x-delivery-count': 2 }, []))?.deliveryCount, 2);
  assert.is(toIncomingNotification(delivery({}, []))?.deliveryCount, undefined);
});

Incoming('should dead-letter by rejecting without requeue only where the queues have dead-letter arguments', async () => {
  const settled: string[] = [];
  assert.is(toIncomingNotification(delivery({}, settled))?.deadLetter, undefined);
  await toIncomingNotification(delivery({}, settled), true)?.deadLetter?.();
  assert.equal(settled, ['reject']);
});

Incoming.run();
