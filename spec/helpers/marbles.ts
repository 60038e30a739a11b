import { TestScheduler } from 'rxjs/testing';
import * as assert from 'uvu/assert';

/** A TestScheduler whose assertions are uvu's deep equality. */
export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => assert.equal(actual, expected));
}
