import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { acquireBroker, bind, declareQueue, exchangeOf, findBroker, releaseBroker, removeQueue, unbind } from '../../../drivers/memory/broker.js';
import { createMessage, publish, readyCount } from '../../../drivers/memory/queue.js';

const Broker = suite('memory broker');

Broker('should share one broker between users of a name and isolate other names', () => {
  const a1 = acquireBroker('broker-spec-a');
  const a2 = acquireBroker('broker-spec-a');
  const b = acquireBroker('broker-spec-b');
  try {
    assert.is(a1, a2);
    assert.is.not(a1, b);
    assert.is(findBroker('broker-spec-a'), a1);
  } finally {
    [a1, a2, b].forEach(releaseBroker);
  }
});

Broker('should drop a broker and its messages with its last user only', () => {
  const first = acquireBroker('broker-spec-release');
  const second = acquireBroker('broker-spec-release');
  const queue = declareQueue(exchangeOf(first, 'openstack'), 'demo');
  publish(queue, createMessage(Buffer.from('kept')));
  releaseBroker(first);
  assert.is(findBroker('broker-spec-release'), second);
  assert.is(readyCount(queue), 1);
  releaseBroker(second);
  assert.is(findBroker('broker-spec-release'), undefined);
  assert.is(readyCount(queue), 0);
  const fresh = acquireBroker('broker-spec-release');
  try {
    assert.is.not(fresh, first);
    assert.is(fresh.exchanges.size, 0);
  } finally {
    releaseBroker(fresh);
  }
});

Broker('should scope queue names by exchange', () => {
  const broker = acquireBroker('broker-spec-scope');
  try {
    const one = declareQueue(exchangeOf(broker, 'one'), 'demo');
    const two = declareQueue(exchangeOf(broker, 'two'), 'demo');
    assert.is.not(one, two);
    assert.is(declareQueue(exchangeOf(broker, 'one'), 'demo'), one);
  } finally {
    releaseBroker(broker);
  }
});

Broker('should report only new bindings and forget empty binding sets', () => {
  const broker = acquireBroker('broker-spec-bind');
  try {
    const exchange = exchangeOf(broker, 'openstack');
    const queue = declareQueue(exchange, 'demo_fanout_1');
    assert.ok(bind(exchange.fanouts, 'demo_fanout', queue));
    assert.not.ok(bind(exchange.fanouts, 'demo_fanout', queue));
    unbind(exchange.fanouts, 'demo_fanout', queue);
    assert.not.ok(exchange.fanouts.has('demo_fanout'));
  } finally {
    releaseBroker(broker);
  }
});

Broker('should forget a removed queue, so declaring the name again makes a new one', () => {
  const broker = acquireBroker('broker-spec-remove');
  try {
    const exchange = exchangeOf(broker, 'openstack');
    const queue = declareQueue(exchange, 'demo');
    publish(queue, createMessage(Buffer.from('x')));
    removeQueue(exchange, queue);
    assert.is(readyCount(queue), 0);
    const again = declareQueue(exchange, 'demo');
    assert.is.not(again, queue);
    assert.is(readyCount(again), 0);
  } finally {
    releaseBroker(broker);
  }
});

Broker.run();
