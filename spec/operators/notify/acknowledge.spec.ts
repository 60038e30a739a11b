import { firstValueFrom, from, of, throwError, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { setLogSink } from '../../../lib/core/logger.js';
import { AcknowledgeError } from '../../../lib/core/errors.js';
import { acknowledge } from '../../../operators/notify/acknowledge.js';
import { incomingNotification } from '../../helpers/notifications.js';

const Acknowledge = suite<{ restore: () => void }>('acknowledge', { restore: () => {} });

Acknowledge.before.each((context) => {
  context.restore = setLogSink(() => {});
});
Acknowledge.after.each((context) => context.restore());

Acknowledge('should ack everything that reaches it when there is no handler', async () => {
  const items = [incomingNotification({ messageId: 'a' }), incomingNotification({ messageId: 'b' })];
  const outcomes = await firstValueFrom(from(items).pipe(acknowledge(), toArray()));
  assert.equal(
    outcomes.map((o) => [o.item.messageId, o.outcome]),
    [
      ['a', 'acked'],
      ['b', 'acked'],
    ],
  );
  assert.equal(
    items.map((i) => i.events),
    [['ack'], ['ack']],
  );
});

Acknowledge('should ack only after the handler finished', async () => {
  const events: string[] = [];
  const item = incomingNotification({}, events);
  await firstValueFrom(
    of(item).pipe(
      acknowledge(async () => {
        await new Promise((r) => setImmediate(r));
        events.push('handled');
      }),
    ),
  );
  assert.equal(events, ['handled', 'ack']);
});

Acknowledge('should requeue when the handler throws, rejects or errors, and go on with the next items', async () => {
  const items = ['throws', 'rejects', 'errors', 'fine'].map((messageId) => incomingNotification({ messageId }));
  const handler = (n: (typeof items)[number]) => {
    if (n.messageId === 'throws') throw new Error('t');
    if (n.messageId === 'rejects') return Promise.reject(new Error('r'));
    if (n.messageId === 'errors') return throwError(() => new Error('e'));
    return 'ok';
  };
  const outcomes = await firstValueFrom(from(items).pipe(acknowledge(handler), toArray()));
  assert.equal(
    outcomes.map((o) => [o.item.messageId, o.outcome, o.error === undefined ? undefined : String(o.error)]),
    [
      ['throws', 'requeued', 'Error: t'],
      ['rejects', 'requeued', 'Error: r'],
      ['errors', 'requeued', 'Error: e'],
      ['fine', 'acked', undefined],
    ],
  );
  assert.equal(
    items.map((i) => i.events),
    [['requeue'], ['requeue'], ['requeue'], ['ack']],
  );
});

Acknowledge('should handle one item at a time by default, and up to `concurrency` when asked', async () => {
  const run = async (concurrency?: number) => {
    let inFlight = 0;
    let most = 0;
    const handler = async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
    };
    const items = [1, 2, 3, 4].map(() => incomingNotification());
    await firstValueFrom(from(items).pipe(acknowledge(concurrency === undefined ? { handler } : { handler, concurrency }), toArray()));
    return most;
  };
  assert.is(await run(), 1);
  assert.is(await run(3), 3);
});

Acknowledge('should fail with AcknowledgeError when the broker refuses the ack', async () => {
  const item = { ...incomingNotification(), ack: () => Promise.reject(new Error('channel closed')) };
  const error = await firstValueFrom(of(item).pipe(acknowledge())).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(error, AcknowledgeError);
  assert.is((error as AcknowledgeError).action, 'ack');
  assert.match(String((error as AcknowledgeError).cause), /channel closed/);
});

Acknowledge('should accept any value that can be acked and requeued, not only notifications', async () => {
  const events: string[] = [];
  const wrapped = { row: { id: 1 }, ack: async () => void events.push('ack'), requeue: async () => void events.push('requeue') };
  const [outcome] = await firstValueFrom(
    of(wrapped).pipe(
      acknowledge((w) => assert.equal(w.row, { id: 1 })),
      toArray(),
    ),
  );
  assert.is(outcome?.item, wrapped);
  assert.equal(events, ['ack']);
});

Acknowledge.run();
