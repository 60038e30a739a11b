import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runLoad } from '../../../tools/metering/load.js';
import { createMeter } from '../../../tools/metering/meter.js';

const Load = suite('runLoad()');

Load('should send messagesPerCaller from each of the callers, numbered from 0', async () => {
  const meter = createMeter();
  const seen: number[] = [];
  await runLoad({ concurrency: 3, messagesPerCaller: 4, meter, send: async (seq) => (seen.push(seq), 10) });
  assert.equal(
    seen.sort((a, b) => a - b),
    [...Array(12).keys()],
  );
  assert.is(meter.summary().messages, 12);
  assert.is(meter.summary().bytes, 120);
});

Load('should keep at most `concurrency` messages in flight', async () => {
  let inFlight = 0;
  let peak = 0;
  await runLoad({
    concurrency: 4,
    messagesPerCaller: 5,
    meter: createMeter(),
    send: async () => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return 0;
    },
  });
  assert.is(peak, 4);
});

Load('should stop starting messages once `seconds` have passed on its clock', async () => {
  let now = 0;
  let sent = 0;
  await runLoad({
    concurrency: 2,
    seconds: 1,
    meter: createMeter(() => now),
    now: () => now,
    send: async () => {
      sent++;
      now += 100;
      return 0;
    },
  });
  assert.is(sent, 10);
});

Load('should count a failed message and go on with the next', async () => {
  const meter = createMeter();
  await runLoad({
    concurrency: 1,
    messagesPerCaller: 4,
    meter,
    send: async (seq) => {
      if (seq % 2) throw new TypeError('odd');
      return 1;
    },
  });
  assert.is(meter.summary().messages, 2);
  assert.equal(meter.summary().errors_by_type, { TypeError: 2 });
});

Load('should stop when the signal aborts', async () => {
  const stop = new AbortController();
  let sent = 0;
  await runLoad({
    concurrency: 2,
    messagesPerCaller: 1000,
    signal: stop.signal,
    meter: createMeter(),
    send: async () => {
      if (++sent === 5) stop.abort();
      return 0;
    },
  });
  assert.ok(sent >= 5 && sent <= 6, `sent ${sent}`);
});

Load('should refuse a concurrency below 1 and a load without an end', async () => {
  const failure = (options: Parameters<typeof runLoad>[0]) =>
    runLoad(options).then(
      () => undefined,
      (error: unknown) => error,
    );
  const zero = await failure({ concurrency: 0, messagesPerCaller: 1, meter: createMeter(), send: async () => 0 });
  assert.instance(zero, RangeError);
  const endless = await failure({ concurrency: 1, meter: createMeter(), send: async () => 0 });
  assert.instance(endless, RangeError);
  assert.match((endless as Error).message, /messagesPerCaller, seconds/);
});

Load('should stop on abort without waiting for the messages in flight, counting them neither sent nor failed', async () => {
  const meter = createMeter();
  const stop = new AbortController();
  let started = 0;
  const run = runLoad({
    concurrency: 2,
    messagesPerCaller: 3,
    meter,
    signal: stop.signal,
    // Never answered, as a call to a server that is not there.
    send: () => (started++, new Promise<number>(() => undefined)),
  });
  await new Promise((resolve) => setImmediate(resolve));
  stop.abort();
  await run;
  assert.is(started, 2);
  assert.is(meter.summary().messages, 0);
  assert.is(meter.summary().errors, 0);
});

Load('should measure nothing of the warm-up, then measure `seconds` after it', async () => {
  let now = 0;
  const sentAt: number[] = [];
  const meter = createMeter(() => now);
  await runLoad({
    concurrency: 1,
    seconds: 1,
    warmupSeconds: 2,
    meter,
    now: () => now,
    send: async () => {
      sentAt.push(now);
      now += 100;
      if (now === 500) throw new Error('failed while warming up');
      return 10;
    },
  });
  // 20 sends warm up (one of them failing), then 10 are measured.
  assert.is(sentAt.length, 30);
  assert.is(meter.summary().messages, 10);
  assert.is(meter.summary().errors, 0);
  assert.is(meter.summary().bytes, 100);
});

Load.run();
