import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { asyncScheduler, VirtualTimeScheduler } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { scheduleTimeout } from '../../../lib/core/shared-timeouts.js';

const SharedTimeouts = suite('scheduleTimeout');

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

SharedTimeouts('should run each timeout once, by due time then in the order set, and never one cleared', async () => {
  const ran: string[] = [];
  scheduleTimeout(asyncScheduler, () => ran.push('late'), 30);
  scheduleTimeout(asyncScheduler, () => ran.push('first'), 5);
  scheduleTimeout(asyncScheduler, () => ran.push('second'), 5);
  const cleared = scheduleTimeout(asyncScheduler, () => ran.push('cleared'), 1);
  scheduleTimeout(asyncScheduler, () => ran.push('middle'), 15);
  cleared.unsubscribe();
  cleared.unsubscribe();
  await settle(60);
  assert.equal(ran, ['first', 'second', 'middle', 'late']);
});

SharedTimeouts('should run a timeout set by a running one on a later turn, and the others after one that threw', async () => {
  const ran: string[] = [];
  const thrown: unknown[] = [];
  const onUncaught = (error: unknown) => thrown.push(error);
  process.prependListener('uncaughtException', onUncaught);
  try {
    scheduleTimeout(
      asyncScheduler,
      () => {
        ran.push('outer');
        scheduleTimeout(asyncScheduler, () => ran.push('inner'), 0);
        assert.equal(ran, ['outer']);
      },
      1,
    );
    scheduleTimeout(
      asyncScheduler,
      () => {
        throw new Error('boom');
      },
      2,
    );
    scheduleTimeout(asyncScheduler, () => ran.push('after'), 10);
    await settle(40);
  } finally {
    process.removeListener('uncaughtException', onUncaught);
  }
  assert.equal(ran, ['outer', 'inner', 'after']);
  assert.is((thrown[0] as Error).message, 'boom');
});

SharedTimeouts('should leave another scheduler, and asyncScheduler under a run mode, to schedule each timeout itself', () => {
  const virtual = new VirtualTimeScheduler();
  let ran = 0;
  scheduleTimeout(virtual, () => ran++, 10);
  virtual.flush();
  assert.is(ran, 1);
  const order: string[] = [];
  new TestScheduler(assert.equal).run(({ cold }) => {
    cold('---a|').subscribe((value) => order.push(value));
    scheduleTimeout(asyncScheduler, () => order.push('timeout'), 3);
    cold('---b|').subscribe((value) => order.push(value));
  });
  // Run mode flushes virtual time before it returns: the timeout ran at frame 3, among that frame's actions in the order they were set.
  assert.equal(order, ['a', 'timeout', 'b']);
});

SharedTimeouts.run();
