import { lastValueFrom, Subject, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MessageDeliveryFailure, TransportClosed } from '../../../lib/core/errors.js';
import type { LostCall, Reply } from '../../../lib/driver/rpc.js';
import { correlate } from '../../../operators/rpc/correlate.js';
import { replyRouter } from '../../../operators/rpc/reply-router.js';
import * as operators from '../../../operators/index.js';

const Correlate = suite('correlate');
const reply = (msgId: string, ending: boolean, result: unknown = null): Reply => ({ msgId, result, failure: null, ending });

Correlate('should listen before sending, so a reply produced during send is not lost', async () => {
  const replies$ = new Subject<Reply>();
  const send = async () => {
    replies$.next(reply('m1', true, 'sync'));
  };
  assert.equal(await lastValueFrom(replies$.pipe(correlate('m1', send), toArray())), [reply('m1', true, 'sync')]);
});

Correlate("should emit the call's replies, heartbeats included, and complete on the ending one", async () => {
  const replies$ = new Subject<Reply>();
  const seen = lastValueFrom(
    replies$.pipe(
      correlate('m1', async () => undefined),
      toArray(),
    ),
  );
  replies$.next(reply('m1', false));
  replies$.next(reply('m2', true, 'other call'));
  replies$.next(reply('m1', false, 1));
  replies$.next(reply('m1', true, 2));
  replies$.next(reply('m1', true, 3));
  assert.equal(await seen, [reply('m1', false), reply('m1', false, 1), reply('m1', true, 2)]);
});

Correlate('should fail with TransportClosed when the reply stream ends before the ending reply', async () => {
  const replies$ = new Subject<Reply>();
  const seen = lastValueFrom(replies$.pipe(correlate('m1', async () => undefined))).catch((error: unknown) => error);
  replies$.next(reply('m1', false));
  replies$.complete();
  assert.instance(await seen, TransportClosed);
});

Correlate('should fail a call its channel reports lost with the error given, at once, and keep the others waiting', async () => {
  const replies$ = new Subject<Reply>();
  const lost$ = new Subject<LostCall>();
  const lostCall = lastValueFrom(replies$.pipe(correlate('m1', async () => undefined, lost$))).catch((error: unknown) => error);
  const other = lastValueFrom(replies$.pipe(correlate('m2', async () => undefined, lost$)));
  const gone = new MessageDeliveryFailure('the connection to server h:1 was lost');
  lost$.next({ msgId: 'm1', error: gone });
  lost$.next({ msgId: 'm9', error: new Error('a call nobody waits for') });
  assert.is(await lostCall, gone);
  assert.is(replyRouter(replies$).pending, 1);
  replies$.next(reply('m2', true, 'answered'));
  assert.equal(await other, reply('m2', true, 'answered'));
});

Correlate('should not send when the reply stream has already ended', async () => {
  const replies$ = new Subject<Reply>();
  replyRouter(replies$);
  replies$.complete();
  let sent = 0;
  const error = await lastValueFrom(replies$.pipe(correlate('m1', async () => void sent++))).catch((e: unknown) => e);
  assert.instance(error, TransportClosed);
  assert.is(sent, 0);
});

Correlate('should fail with the error of a send that failed, and stop waiting', async () => {
  const replies$ = new Subject<Reply>();
  const refused = new Error('refused');
  const error = await lastValueFrom(replies$.pipe(correlate('m1', () => Promise.reject(refused)))).catch((e: unknown) => e);
  assert.is(error, refused);
  assert.is(replyRouter(replies$).pending, 0);
});

Correlate('should remove the waiter on unsubscribe', () => {
  const replies$ = new Subject<Reply>();
  const seen: Reply[] = [];
  const subscription = replies$.pipe(correlate('m1', async () => undefined)).subscribe((r) => seen.push(r));
  assert.is(replyRouter(replies$).pending, 1);
  subscription.unsubscribe();
  assert.is(replyRouter(replies$).pending, 0);
  replies$.next(reply('m1', true, 1));
  assert.equal(seen, []);
});

Correlate('should share one router among the calls on a reply stream', async () => {
  const replies$ = new Subject<Reply>();
  const first = lastValueFrom(replies$.pipe(correlate('m1', async () => undefined)));
  const second = lastValueFrom(replies$.pipe(correlate('m2', async () => undefined)));
  assert.is(replies$.observed && replyRouter(replies$).pending, 2);
  replies$.next(reply('m2', true, 'b'));
  replies$.next(reply('m1', true, 'a'));
  assert.equal(await Promise.all([first, second]), [reply('m1', true, 'a'), reply('m2', true, 'b')]);
});

Correlate('should be exported by the operators entry', () => {
  assert.is(operators.correlate, correlate);
});

Correlate.run();
