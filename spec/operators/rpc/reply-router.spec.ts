import { defer, lastValueFrom, Subject, throwError, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Reply } from '../../../lib/driver/rpc.js';
import { TransportClosed } from '../../../lib/core/errors.js';
import { replyRouter } from '../../../operators/rpc/reply-router.js';

const ReplyRouter = suite('replyRouter');
const reply = (msgId: string, ending: boolean, result: unknown = null): Reply => ({ msgId, result, failure: null, ending });
const channel = () => {
  const replies$ = new Subject<Reply>();
  return { replies$, channel: replies$.asObservable() };
};

ReplyRouter('should give each call its own replies, heartbeats included, up to the ending one', async () => {
  const { replies$, channel: opened } = channel();
  const router = replyRouter(opened);
  const first = lastValueFrom(router.repliesFor('m1').pipe(toArray()));
  const second = lastValueFrom(router.repliesFor('m2').pipe(toArray()));
  replies$.next(reply('m1', false));
  replies$.next(reply('m2', false, 1));
  replies$.next(reply('other', true, 9));
  replies$.next(reply('m1', true, 2));
  replies$.next(reply('m1', true, 3));
  replies$.next(reply('m2', true, 4));
  assert.equal(await first, [reply('m1', false), reply('m1', true, 2)]);
  assert.equal(await second, [reply('m2', false, 1), reply('m2', true, 4)]);
});

ReplyRouter('should be one router per reply stream', () => {
  const { channel: opened } = channel();
  assert.is(replyRouter(opened), replyRouter(opened));
});

ReplyRouter('should stop routing to a call that unsubscribed', () => {
  const { replies$, channel: opened } = channel();
  const seen: Reply[] = [];
  const subscription = replyRouter(opened)
    .repliesFor('m1')
    .subscribe((r) => seen.push(r));
  subscription.unsubscribe();
  replies$.next(reply('m1', true, 1));
  assert.equal(seen, []);
});

ReplyRouter('should fail waiting and later calls with TransportClosed when the reply stream ends', async () => {
  const { replies$, channel: opened } = channel();
  const router = replyRouter(opened);
  const waiting = lastValueFrom(router.repliesFor('m1')).catch((e: unknown) => e);
  replies$.complete();
  assert.instance(await waiting, TransportClosed);
  assert.instance(await lastValueFrom(router.repliesFor('m2')).catch((e: unknown) => e), TransportClosed);
});

ReplyRouter('should fail the calls waiting on a reply stream that failed, and subscribe again for later calls, so a stream that recovers serves them', async () => {
  const live = new Subject<Reply>();
  let subscriptions = 0;
  const replies$ = defer(() => (++subscriptions === 1 ? throwError(() => new Error('lost')) : live));
  const failed = replyRouter(replies$);
  const waiting = await lastValueFrom(failed.repliesFor('m1')).catch((e: unknown) => e);
  assert.instance(waiting, TransportClosed);
  assert.is((waiting as TransportClosed).message, 'The reply stream failed');
  const later = lastValueFrom(replyRouter(replies$).repliesFor('m2'));
  live.next(reply('m2', true, 2));
  assert.equal(await later, reply('m2', true, 2));
  assert.is(subscriptions, 2);
  assert.is(replyRouter(replies$), replyRouter(replies$), 'one router again while the stream lives');
});

ReplyRouter.run();
