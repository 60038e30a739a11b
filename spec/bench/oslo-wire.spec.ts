import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { osloNotification, osloProperties, osloReply, osloRequest, osloWireWithout, readOsloNotification, readOsloReply, readOsloRequest } from '../../bench/amqplib/oslo-wire.js';

const OsloWire = suite("the amqplib harness's oslo wire format");

OsloWire('should speak all of it by default, and leave out the parts named', () => {
  assert.equal(osloWireWithout(), { topicExchange: true, confirms: true, envelope: true, properties: true });
  assert.equal(osloWireWithout('confirms,envelope'), { topicExchange: true, confirms: false, envelope: false, properties: true });
  assert.throws(
    () => osloWireWithout('confirm'),
    (error: unknown) => error instanceof RangeError && /'confirm'.*topic-exchange, confirms, envelope, properties/.test(error.message),
  );
});

OsloWire("should write oslo's messages, enveloped or bare, and read either back", () => {
  for (const wire of [osloWireWithout(), osloWireWithout('envelope')]) {
    const message = [1, 'cargo', 1.5, null, null];
    const request = osloRequest(wire, 'info', { message }, { msgId: 'm1', replyTo: 'reply_q', timeoutMs: 30_000 });
    assert.is(JSON.parse(request.toString())['oslo.version'], wire.envelope ? '2.0' : undefined);
    assert.equal(readOsloRequest(request), { method: 'info', message, call: { msgId: 'm1', replyTo: 'reply_q' } });
    assert.equal(readOsloReply(osloReply(wire, 'm1', message)), { id: 'm1', result: message });
  }
  assert.equal(osloProperties(osloWireWithout(), 30_000), { contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 2, priority: 0, expiration: '30000' });
  assert.equal(osloProperties(osloWireWithout('properties'), 30_000), {});
});

OsloWire("should write oslo's info notifications, enveloped or bare, and read the simulator message or sync_done back", () => {
  for (const wire of [osloWireWithout(), osloWireWithout('envelope')]) {
    const message = [7, 'cargo', 1.5, null, null];
    const bytes = osloNotification(wire, 'harness-1', 'compute.start', message);
    const outer = JSON.parse(bytes.toString());
    const body = wire.envelope ? JSON.parse(outer['oslo.message']) : outer;
    assert.is(outer['oslo.version'], wire.envelope ? '2.0' : undefined);
    assert.is(body.priority, 'INFO');
    assert.is(body.publisher_id, 'harness-1');
    assert.match(body.message_id, /^[0-9a-f-]{36}$/);
    assert.match(body.timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    assert.equal(readOsloNotification(bytes), { sync: false, message });
    assert.equal(readOsloNotification(osloNotification(wire, 'harness-1', 'sync_done', null)), { sync: true });
  }
});

OsloWire.run();
