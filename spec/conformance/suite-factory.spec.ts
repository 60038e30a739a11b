import { suite, type Callback, type Test } from 'uvu';
import * as assert from 'uvu/assert';
import { capabilitiesAt, needing } from './suite-factory.js';

/** A stand-in for a uvu suite that records what is registered to run and what to skip. */
function recordingSuite(): { test: Test<object>; ran: string[]; skipped: string[] } {
  const ran: string[] = [];
  const skipped: string[] = [];
  const register = (title: string, _handler: Callback<object>) => void ran.push(title);
  const test = Object.assign(register, {
    only: register,
    skip: (title?: string) => void skipped.push(title ?? ''),
    before: Object.assign(() => {}, { each: () => {} }),
    after: Object.assign(() => {}, { each: () => {} }),
    run: () => {},
  });
  return { test, ran, skipped };
}

/** The lines `fn` logs to the console. */
function logged(fn: () => void): string[] {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.join(' '));
  try {
    fn();
  } finally {
    console.log = original;
  }
  return lines;
}

const Needing = suite('conformance: cases that need a capability');

Needing('should run a case where the driver claims what it needs, and skip it naming what the driver lacks where not', () => {
  const { test, ran, skipped } = recordingSuite();
  const registerNeeding = needing(test, 'conformance: rpc (zmq)', { requeue: false, pools: true, durable: false, undeliverableDetection: true });
  const lines = logged(() => {
    registerNeeding([], 'should call', () => {});
    registerNeeding(['pools'], 'should pool', () => {});
    registerNeeding(['requeue'], 'should redeliver', () => {});
    registerNeeding(['durable', 'requeue', 'pools'], 'should keep and redeliver', () => {});
  });
  assert.equal(ran, ['should call', 'should pool']);
  assert.equal(skipped, ['should redeliver', 'should keep and redeliver']);
  assert.equal(lines, [
    "SKIPPED conformance: rpc (zmq) › should redeliver: the driver lacks 'requeue'",
    "SKIPPED conformance: rpc (zmq) › should keep and redeliver: the driver lacks 'durable', 'requeue'",
  ]);
});

Needing('should register every case when the capabilities are unknown (a suite skipped as a whole)', () => {
  const { test, ran, skipped } = recordingSuite();
  needing(test, 'conformance: rpc (rabbit)', undefined)(['requeue'], 'should redeliver', () => {});
  assert.equal(ran, ['should redeliver']);
  assert.equal(skipped, []);
});

Needing('should read the capabilities the driver at a URL claims', async () => {
  assert.equal(await capabilitiesAt('memory://suite-factory-spec'), { requeue: true, pools: true, durable: true, undeliverableDetection: true });
});

Needing.run();
