import { lastValueFrom, of, throwError, EMPTY, concat, Subject } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { replyToCaller } from '../../../operators/rpc/reply-to-caller.js';
import { aCall, incomingCall } from '../../helpers/incoming.js';

const ReplyToCaller = suite('replyToCaller');
const run = async (results: Parameters<typeof lastValueFrom>[0]) => {
  const incoming = incomingCall({ method: 'm', call: aCall });
  const outcome = await lastValueFrom(results.pipe(replyToCaller(incoming)), { defaultValue: 'done' }).catch((error: Error) => error);
  return { replies: incoming.recorded.replies, outcome };
};

ReplyToCaller("should send one result as oslo's single ending reply", async () => {
  const { replies, outcome } = await run(of({ id: 1 }));
  assert.equal(replies, [{ result: { id: 1 }, failure: null, ending: true }]);
  assert.is(outcome, 'done');
});

ReplyToCaller('should send a stream as replies whose last carries the last value and ending', async () => {
  const { replies } = await run(of(1, 2, 3));
  assert.equal(replies, [
    { result: 1, failure: null, ending: false },
    { result: 2, failure: null, ending: false },
    { result: 3, failure: null, ending: true },
  ]);
});

ReplyToCaller('should send a value at once when the stream does not end with it, and the end as its own reply', async () => {
  const incoming = incomingCall({ method: 'm', call: aCall });
  const values = new Subject<number>();
  const outcome = lastValueFrom(values.pipe(replyToCaller(incoming)), { defaultValue: 'done' });
  values.next(1);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(incoming.recorded.replies, [{ result: 1, failure: null, ending: false }], 'the first value left before the second exists');
  values.next(2);
  await new Promise((resolve) => setImmediate(resolve));
  values.complete();
  assert.is(await outcome, 'done');
  assert.equal(incoming.recorded.replies, [
    { result: 1, failure: null, ending: false },
    { result: 2, failure: null, ending: false },
    { result: null, failure: null, ending: true },
  ]);
});

ReplyToCaller('should end with a null result when the handler produced nothing', async () => {
  const { replies } = await run(EMPTY);
  assert.equal(replies, [{ result: null, failure: null, ending: true }]);
});

ReplyToCaller('should send values before an error, then the failure, then re-emit the error', async () => {
  const { replies, outcome } = await run(
    concat(
      of(1),
      throwError(() => new RangeError('bad size')),
    ),
  );
  assert.is(replies.length, 2);
  assert.equal(replies[0], { result: 1, failure: null, ending: false });
  assert.is(replies[1]!.ending, true);
  // A RangeError goes out as Python's ValueError, its own class beside for rx-messaging callers.
  assert.is(replies[1]!.failure!.class, 'ValueError');
  assert.is(replies[1]!.failure!.javascript?.class, 'RangeError');
  assert.is(replies[1]!.failure!.message, 'bad size');
  assert.instance(outcome, RangeError);
});

ReplyToCaller('should report a reply that failed mid-stream when the stream ends, never as an unhandled rejection', async () => {
  const incoming = incomingCall({ method: 'm', call: aCall });
  incoming.reply = async () => {
    throw new Error('the connection went');
  };
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const values = new Subject<number>();
    const outcome = lastValueFrom(values.pipe(replyToCaller(incoming)), { defaultValue: 'done' }).catch((error: Error) => error);
    values.next(1);
    values.next(2); // sends 1, which fails while the handler still streams
    await new Promise((resolve) => setTimeout(resolve, 20));
    values.complete();
    const error = await outcome;
    assert.instance(error, Error);
    assert.is((error as Error).message, 'the connection went');
    assert.equal(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

ReplyToCaller.run();
