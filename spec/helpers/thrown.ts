import * as assert from 'uvu/assert';

/** The error `fn` throws, checked to be a `kind`; fails the test when nothing is thrown. */
export function thrown<E extends Error = Error>(fn: () => unknown, kind: abstract new (...args: never[]) => E = Error as never): E {
  try {
    fn();
  } catch (error) {
    assert.instance(error, kind);
    return error as E;
  }
  assert.unreachable(`expected ${kind.name} to be thrown`);
  throw new Error('unreachable');
}

/** The error `promise` rejects with, checked to be a `kind`; fails the test when it resolves. */
export async function rejection<E extends Error = Error>(promise: Promise<unknown>, kind: abstract new (...args: never[]) => E = Error as never): Promise<E> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, kind);
    return error as E;
  }
  assert.unreachable(`expected the promise to reject with ${kind.name}`);
  throw new Error('unreachable');
}
