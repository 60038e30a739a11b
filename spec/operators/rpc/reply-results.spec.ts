import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Reply } from '../../../lib/driver/rpc.js';
import { RemoteError } from '../../../lib/core/errors.js';
import { toFailure } from '../../../lib/wire/failure.js';
import { replyResults } from '../../../operators/rpc/reply-results.js';
import { testScheduler } from '../../helpers/marbles.js';

const ReplyResults = suite('replyResults');
const reply = (result: unknown, ending = false, failure: Reply['failure'] = null): Reply => ({ msgId: 'm', result, failure, ending });

ReplyResults('should emit non-null results and skip heartbeats', () => {
  testScheduler().run(({ cold, expectObservable }) => {
    const replies = cold('-h-a-h-b|', { h: reply(null), a: reply(1), b: reply(2, true) });
    expectObservable(replies.pipe(replyResults())).toBe('---a---b|', { a: 1, b: 2 });
  });
});

ReplyResults('should error with the rebuilt failure', () => {
  class Denied extends Error {
    override name = 'Denied';
  }
  const failure = toFailure(Object.assign(new Denied('no'), { code: 7 }));
  testScheduler().run(({ cold, expectObservable }) => {
    const replies = cold('-f', { f: reply(null, true, failure) });
    const rebuilt = Object.assign(Object.create(Denied.prototype), { code: 7 });
    expectObservable(replies.pipe(replyResults([Denied]))).toBe('-#', undefined, rebuilt);
  });
  let seen: unknown;
  const unknown = toFailure(new Denied('nope'));
  testScheduler().run(({ cold, flush }) => {
    cold('-f', { f: reply(null, true, unknown) })
      .pipe(replyResults())
      .subscribe({ error: (e) => (seen = e) });
    flush();
  });
  assert.instance(seen, RemoteError);
  assert.is((seen as RemoteError).excType, 'Denied');
});

ReplyResults.run();
