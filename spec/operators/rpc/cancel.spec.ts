import { Subject, VirtualTimeScheduler, type Observable } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Reply, RpcRequest, ServerIdentity } from '../../../lib/driver/rpc.js';
import { abortWith, cancelOnServer } from '../../../operators/rpc/cancel.js';
import { correlate } from '../../../operators/rpc/correlate.js';

const host = { topic: 'compute', server: 'host-1' };
const reply = (fields: Partial<Reply> = {}): Reply => ({ msgId: 'm1', result: null, failure: null, ending: false, ...fields });

/** A call's replies through `cancelOnServer`, with what it sent. */
function setup(deadline = Date.now() + 60_000, scheduler?: VirtualTimeScheduler) {
  const replies$ = new Subject<Reply>();
  const sent: { server: ServerIdentity; request: RpcRequest }[] = [];
  const send = async (server: ServerIdentity, request: RpcRequest) => void sent.push({ server, request });
  const call$: Observable<Reply> = replies$.pipe(
    correlate('m1', async () => undefined),
    cancelOnServer({ msgId: 'm1', deadline, replies$, send, ...(scheduler && { scheduler }) }),
  );
  return { replies$, sent, call$ };
}

const Cancel = suite('cancelOnServer');

Cancel('should cast _rxm_cancel to the server the replies named when unsubscribed before the end', () => {
  const { replies$, sent, call$ } = setup();
  const subscription = call$.subscribe();
  replies$.next(reply({ server: host }));
  subscription.unsubscribe();
  assert.is(sent.length, 1);
  assert.equal(sent[0]!.server, host);
  assert.equal([sent[0]!.request.method, sent[0]!.request.args, sent[0]!.request.call], ['_rxm_cancel', { msg_id: 'm1' }, undefined]);
});

Cancel('should send nothing once the ending reply came, even when it is what made the subscriber leave', () => {
  const { replies$, sent, call$ } = setup();
  const subscription = call$.subscribe((value) => value.ending && subscription.unsubscribe());
  replies$.next(reply({ server: host }));
  replies$.next(reply({ server: host, ending: true, failure: { class: 'E', module: 'm', message: '', tb: [], args: [], kwargs: {} } }));
  call$.subscribe().unsubscribe(); // another call, unsubscribed before any reply: it waits for one
  replies$.next(reply({ ending: true, server: host }));
  assert.equal(sent, []);
});

Cancel('should send nothing to a server that named none (an oslo server)', () => {
  const { replies$, sent, call$ } = setup();
  const subscription = call$.subscribe();
  replies$.next(reply({ result: 'partial' }));
  subscription.unsubscribe();
  replies$.next(reply({ result: 'more' }));
  assert.equal(sent, []);
});

Cancel('should learn the server from the first reply still to come when none had arrived', () => {
  const { replies$, sent, call$ } = setup();
  call$.subscribe().unsubscribe();
  replies$.next(reply({ msgId: 'other', server: { topic: 'compute', server: 'host-2' } }));
  replies$.next(reply({ server: host }));
  replies$.next(reply({ server: host }));
  assert.equal(
    sent.map(({ server }) => server),
    [host],
  );
});

Cancel('should stop waiting for the server at the deadline, when the server gives the call up itself', () => {
  const scheduler = new VirtualTimeScheduler();
  const { replies$, sent, call$ } = setup(Date.now() + 1_000, scheduler);
  call$.subscribe().unsubscribe();
  scheduler.flush();
  replies$.next(reply({ server: host }));
  assert.equal(sent, []);
  const { sent: late, call$: expired } = setup(Date.now() - 1);
  expired.subscribe().unsubscribe();
  assert.equal(late, []);
});

const Abort = suite('abortWith');

Abort("should fail with the signal's reason, after unsubscribing the source", () => {
  const source = new Subject<number>();
  const controller = new AbortController();
  const seen: unknown[] = [];
  source.pipe(abortWith(controller.signal)).subscribe({ next: (value) => seen.push(value), error: (error) => seen.push(error) });
  source.next(1);
  const reason = new Error('gone');
  controller.abort(reason);
  assert.equal(seen, [1, reason]);
  assert.not.ok(source.observed, 'the source was unsubscribed');
});

Abort('should fail at once, never subscribing the source, when the signal was already aborted', () => {
  const source = new Subject<number>();
  let failed: unknown;
  source.pipe(abortWith(AbortSignal.abort('late'))).subscribe({ error: (error) => (failed = error) });
  assert.is(failed, 'late');
  assert.not.ok(source.observed);
});

Cancel.run();
Abort.run();
