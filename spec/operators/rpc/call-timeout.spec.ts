import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MessagingTimeout } from '../../../lib/core/errors.js';
import { callTimeout } from '../../../operators/rpc/call-timeout.js';
import { testScheduler } from '../../helpers/marbles.js';

const CallTimeout = suite('callTimeout');

CallTimeout('should pass replies through and complete when the call ends in time', () => {
  testScheduler().run(({ cold, expectObservable }) => {
    const replies = cold('  -a-b-|');
    expectObservable(replies.pipe(callTimeout({ timeout: 10 }))).toBe('-a-b-|');
  });
});

CallTimeout('should fail with MessagingTimeout once the overall timeout passes, heartbeats or not', () => {
  const scheduler = testScheduler();
  scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
    const replies = cold('  -h-h-h-h-h-h-|');
    const subs = '         ^----------!';
    const expected = '     -h-h-h-h-h-#';
    expectObservable(replies.pipe(callTimeout({ timeout: 11, callMonitorTimeout: 3, method: 'resize' })), undefined).toBe(
      expected,
      { h: 'h' },
      new MessagingTimeout('', { kind: 'timeout', waitedMs: 11, method: 'resize' }),
    );
    expectSubscriptions(replies.subscriptions).toBe(subs);
  });
});

CallTimeout('should fail after callMonitorTimeout of silence, reset by every reply', () => {
  testScheduler().run(({ cold, expectObservable }) => {
    const replies = cold('  -h-h------r|');
    const expected = '     -h-h---#';
    expectObservable(replies.pipe(callTimeout({ timeout: 100, callMonitorTimeout: 4 }))).toBe(
      expected,
      undefined,
      new MessagingTimeout('', { kind: 'callMonitorTimeout', waitedMs: 4 }),
    );
  });
});

CallTimeout('should name the method, target, message id and time waited in the error', () => {
  testScheduler().run(({ cold, flush }) => {
    let error: MessagingTimeout | undefined;
    cold('-')
      .pipe(callTimeout({ timeout: 5, method: 'get_host', target: 'compute.host-1', msgId: 'abc' }))
      .subscribe({ error: (e: MessagingTimeout) => (error = e) });
    flush();
    assert.instance(error, MessagingTimeout);
    assert.match(error!.message, /get_host/);
    assert.match(error!.message, /compute\.host-1/);
    assert.match(error!.message, /abc/);
    assert.match(error!.message, /5 ms/);
    assert.equal(error!.info, { kind: 'timeout', waitedMs: 5, method: 'get_host', target: 'compute.host-1', msgId: 'abc' });
  });
});

CallTimeout('should reject timeouts that are not positive', () => {
  assert.throws(() => callTimeout({ timeout: 0 }), /callTimeout\(\): option timeout must be a positive finite number/);
  assert.throws(() => callTimeout({ timeout: 10, callMonitorTimeout: -1 }), /option callMonitorTimeout must be a positive finite number/);
});

CallTimeout.run();
