import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { heartbeat } from '../../../operators/rpc/heartbeat.js';
import { testScheduler } from '../../helpers/marbles.js';

const Heartbeat = suite('heartbeat');

Heartbeat('should beat every period while the source runs, and stop with it', () => {
  const scheduler = testScheduler();
  const beats: number[] = [];
  scheduler.run(({ cold, expectObservable }) => {
    const work = cold('----------r|');
    expectObservable(
      work.pipe(
        heartbeat(
          3,
          async () => void beats.push(scheduler.now()),
          () => {},
          scheduler,
        ),
      ),
    ).toBe('----------r|');
  });
  assert.equal(beats, [3, 6, 9]);
});

Heartbeat('should report a failed beat and keep the work going', async () => {
  const scheduler = testScheduler();
  const errors: unknown[] = [];
  scheduler.run(({ cold, expectObservable }) => {
    const work = cold('-----r|');
    expectObservable(
      work.pipe(
        heartbeat(
          2,
          () => Promise.reject(new Error('gone')),
          (e) => errors.push(e),
          scheduler,
        ),
      ),
    ).toBe('-----r|');
  });
  await Promise.resolve();
  assert.is(errors.length, 2);
});

Heartbeat('should pass the source through unchanged without a period', () => {
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(
      cold('-a-|').pipe(
        heartbeat(
          undefined,
          async () => assert.unreachable('no beat'),
          () => {},
        ),
      ),
    ).toBe('-a-|');
  });
});

Heartbeat.run();
