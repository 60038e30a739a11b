import { lastValueFrom, of, throwError, EMPTY, concat } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { replyToCaller } from '../../operators/reply-to-caller.js';
import { aCall, incomingCall } from '../helpers/incoming.js';

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

ReplyToCaller('should end with a null result when the handler produced nothing', async () => {
  const { replies } = await run(EMPTY);
  assert.equal(replies, [{ result: null, failure: null, ending: true }]);
});

ReplyToCaller('should send values before an error, then the failure, then re-emit the error', async () => {
  const { replies, outcome } = await run(concat(of(1), throwError(() => new RangeError('bad size'))));
  assert.is(replies.length, 2);
  assert.equal(replies[0], { result: 1, failure: null, ending: false });
  assert.is(replies[1]!.ending, true);
  assert.is(replies[1]!.failure!.class, 'RangeError');
  assert.is(replies[1]!.failure!.message, 'bad size');
  assert.instance(outcome, RangeError);
});

ReplyToCaller.run();
