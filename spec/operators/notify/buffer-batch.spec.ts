import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bufferBatch } from '../../../operators/notify/buffer-batch.js';
import { testScheduler } from '../../helpers/marbles.js';

const BufferBatch = suite('bufferBatch');

BufferBatch('should emit a batch each time the size is reached, and the rest on completion', () => {
  testScheduler().run(({ cold, expectObservable }) => {
    const source = cold('-a-b-c-d-e-|');
    expectObservable(source.pipe(bufferBatch({ size: 2 }))).toBe('---x---y---(z|)', { x: ['a', 'b'], y: ['c', 'd'], z: ['e'] });
  });
});

BufferBatch('should emit a batch `timeout` after its first value, the clock starting with each batch', () => {
  testScheduler().run(({ cold, expectObservable }) => {
    const source = cold('-a-b------c--------|');
    const expected = '   -----x--------y----|';
    expectObservable(source.pipe(bufferBatch({ timeout: 4 }))).toBe(expected, { x: ['a', 'b'], y: ['c'] });
  });
});

BufferBatch('should flush at the size or the timeout, whichever comes first', () => {
  testScheduler().run(({ cold, expectObservable }) => {
    const source = cold('-abc--d----------|');
    const expected = '   ---x--------y----|';
    expectObservable(source.pipe(bufferBatch({ size: 3, timeout: 6 }))).toBe(expected, { x: ['a', 'b', 'c'], y: ['d'] });
  });
});

BufferBatch('should restart the clock after a batch filled up, so a full batch never leaves a stray timer', () => {
  testScheduler().run(({ cold, expectObservable }) => {
    const source = cold('-ab---c---------|');
    const expected = '   --x--------y----|';
    expectObservable(source.pipe(bufferBatch({ size: 2, timeout: 5 }))).toBe(expected, { x: ['a', 'b'], y: ['c'] });
  });
});

BufferBatch('should emit no empty batches while nothing arrives', () => {
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(cold('------------|').pipe(bufferBatch({ size: 10, timeout: 2 }))).toBe('------------|');
  });
});

BufferBatch('should pass an error on and cancel the pending timeout', () => {
  testScheduler().run(({ cold, expectObservable }) => {
    const source = cold('-a-#');
    expectObservable(source.pipe(bufferBatch({ timeout: 5 }))).toBe('---#');
  });
});

BufferBatch('should stop its timer when unsubscribed', () => {
  testScheduler().run(({ cold, expectObservable }) => {
    const source = cold('-a------');
    expectObservable(source.pipe(bufferBatch({ timeout: 5 })), '^--!').toBe('----');
  });
});

BufferBatch('should refuse a size or timeout that makes no batch', () => {
  assert.throws(() => bufferBatch({}), /needs a size, a timeout or both/);
  assert.throws(() => bufferBatch({ size: 0 }), /bufferBatch\(\): option size must be a positive integer, or Infinity/);
  assert.throws(() => bufferBatch({ size: 1.5 }), /option size must be a positive integer/);
  assert.throws(() => bufferBatch({ timeout: -1 }), /timeout must be/);
});

BufferBatch.run();
