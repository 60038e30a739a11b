import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../tools/simulator/options.js';
import { parseSoakArgs, runSoak } from '../../bench/soak.js';

const Soak = suite('runSoak() on memory://, a short one');

Soak('should sample every `every` messages of both phases and see no reply subscription or timer left', async () => {
  const seen: string[] = [];
  const { samples, verdicts } = await runSoak({
    url: 'memory://soak-spec',
    calls: 2000,
    notifications: 1000,
    concurrency: 5,
    every: 500,
    onSample: (s) => seen.push(`${s.phase} ${s.done}`),
  });
  assert.equal(seen, ['calls 0', 'calls 500', 'calls 1000', 'calls 1500', 'calls 2000', 'calls 2000', 'notifications 500', 'notifications 1000', 'notifications 1000']);
  assert.is(samples.length, seen.length);
  const during = samples.filter((s) => s.phase === 'calls' && s.done > 0 && s.done < 2000);
  assert.ok(
    during.every((s) => s.reply_subscriptions > 0 && s.reply_subscriptions <= 5),
    'calls in flight hold reply subscriptions',
  );
  assert.is(samples.at(-1)!.reply_subscriptions, 0);
  assert.is(samples.at(-1)!.timers, samples[0]!.timers);
  assert.ok(samples.every((s) => s.rss_mb > 0 && s.heap_mb > 0));
  const byCheck = Object.fromEntries(verdicts.map((v) => [v.check.split(' ')[0], v]));
  assert.is(byCheck['reply']!.met, true, byCheck['reply']!.measured);
  assert.is(byCheck['live']!.met, true, byCheck['live']!.measured);
  assert.is(verdicts.length, 4);
});

Soak.run();

const Args = suite('npm run bench:soak: its command line');

Args('should default to a million calls and notifications on memory:// and refuse a count that is not a positive integer', () => {
  const { options } = parseSoakArgs([]);
  assert.is(options.url, 'memory://soak');
  assert.is(options.calls, 1_000_000);
  assert.is(options.notifications, 1_000_000);
  assert.is(parseSoakArgs(['--calls', '2000', '--out', '/tmp/x']).options.calls, 2000);
  assert.is(parseSoakArgs(['--out', '/tmp/x']).out, '/tmp/x');
  for (const argv of [
    ['--calls', '0'],
    ['--notifications', '1.5'],
    ['--concurrency', 'many'],
  ]) {
    assert.throws(
      () => parseSoakArgs(argv),
      (error: unknown) => error instanceof UsageError && new RegExp(`^${argv[0]} must be a positive integer`).test((error as Error).message),
    );
  }
});

Args.run();
