import { suite } from 'uvu';
import type { Reply } from '../../lib/driver.js';
import { TransportClosed } from '../../lib/errors.js';
import { correlate } from '../../operators/correlate.js';
import { testScheduler } from '../helpers/marbles.js';

const Correlate = suite('correlate');
const reply = (msgId: string, ending: boolean, result: unknown = null): Reply => ({ msgId, result, failure: null, ending });

Correlate("should keep the call's replies, heartbeats included, up to the ending one", () => {
  testScheduler().run(({ hot, expectObservable }) => {
    const values = { h: reply('m1', false), o: reply('other', true, 9), v: reply('m1', false, 1), e: reply('m1', true, 2), x: reply('m1', true, 3) };
    const replies = hot('-h-o-v-e-x-', values);
    expectObservable(replies.pipe(correlate('m1'))).toBe('-h---v-(e|)', values);
  });
});

Correlate('should fail with TransportClosed when the reply stream ends before the ending reply', () => {
  testScheduler().run(({ cold, expectObservable }) => {
    const values = { h: reply('m1', false) };
    expectObservable(cold('-h-|', values).pipe(correlate('m1'))).toBe('-h-#', values, new TransportClosed());
  });
});

Correlate.run();
