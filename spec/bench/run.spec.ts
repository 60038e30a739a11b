import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UsageError } from '../../tools/simulator/options.js';
import { fromRoot } from '../../bench/plan.js';
import { parseBenchArgs, runBench } from '../../bench/run.js';
import { SCENARIOS } from '../../bench/scenarios.js';

const Run = suite('npm run bench -- --quick (memory:// only)');

Run('should run every memory:// scenario in one process and measure each without errors', async () => {
  const out = await mkdtemp(join(tmpdir(), 'rxm-bench-spec-'));
  try {
    const lines: string[] = [];
    const run = await runBench({ quick: true, repeat: 1, seconds: 0.2, warmup: 0, url: 'rabbit://unused', out }, (line) => lines.push(line));
    const memory = SCENARIOS.filter((s) => s.broker === 'memory');
    assert.is(run.results.length, memory.length);
    for (const result of run.results) {
      assert.is(result.broker, 'memory');
      assert.is(result.skipped, undefined, `${result.scenario}: ${result.skipped}`);
      assert.ok(result.msg_per_s! > 0, result.scenario);
      assert.ok(result.p99_ms! >= result.p50_ms!, result.scenario);
      assert.is(result.errors, 0, result.scenario);
      assert.is(result.lost, 0, result.scenario);
    }
    assert.is(lines.length, memory.length);
    assert.is(run.machine['node'], process.version);
    assert.ok(run.targets.some((t) => /memory:\/\//.test(t.target) && t.met !== undefined));
    assert.ok(run.targets.filter((t) => /RabbitMQ/.test(t.target)).every((t) => t.met === undefined));
    assert.equal(
      run.codec.map((c) => [c.codec, c.size]),
      [
        ['json', 100],
        ['msgpack', 100],
        ['json', 10_000],
        ['msgpack', 10_000],
      ],
    );
    assert.ok(run.codec.every((c) => c.calls_per_s > 0 && c.bytes > 0));
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

Run.run();

const Args = suite('npm run bench: its command line');

Args('should read every option, with the documented defaults', () => {
  const defaults = parseBenchArgs([]);
  assert.is(defaults.seconds, 3);
  assert.is(defaults.repeat, 2);
  assert.is(defaults.warmup, 3);
  assert.is(defaults.quick, false);
  assert.is(defaults.only, undefined);
  const given = parseBenchArgs([
    '--only',
    'rabbit-call',
    '--engines',
    'rx,amqplib',
    '--seconds',
    '5',
    '--repeat',
    '3',
    '--warmup',
    '1.5',
    '--split',
    '--url',
    'rabbit://h/',
    '--oslo-wire-without',
    'confirms',
  ]);
  assert.ok(given.only!.test('rabbit-call-p5-100b'));
  assert.equal(given.engines, ['rx', 'amqplib']);
  assert.is(given.seconds, 5);
  assert.is(given.repeat, 3);
  assert.is(given.warmup, 1.5);
  assert.is(given.split, true);
  assert.is(given.url, 'rabbit://h/');
  assert.is(given.osloWireWithout, 'confirms');
  assert.is(parseBenchArgs(['--quick']).seconds, 0.5);
  assert.is(parseBenchArgs(['--quick']).warmup, 0);
});

Args('should refuse a bad value with a UsageError that names the option and what it takes', () => {
  const refusal = (argv: string[]) => {
    try {
      parseBenchArgs(argv);
    } catch (error) {
      assert.instance(error, UsageError);
      return (error as Error).message;
    }
    throw new Error(`${argv.join(' ')} was accepted`);
  };
  assert.match(refusal(['--repeat', '0']), /--repeat must be a positive integer, got 0/);
  assert.match(refusal(['--seconds', 'soon']), /--seconds must be a positive number/);
  assert.match(refusal(['--warmup=-1']), /--warmup must be a number of seconds, 0 or more, got -1/);
  assert.match(refusal(['--engines', 'rx,kombu']), /unknown engine 'kombu': use rx, rx-msgpack/);
  assert.match(refusal(['--only', '(']), /--only is not a regular expression/);
  assert.match(refusal(['--oslo-wire-without', 'headers']), /unknown part of oslo's wire format 'headers': use topic-exchange/);
});

Args('should print its usage on --help, and one line and exit code 2 on an unknown option, not a stack trace', async () => {
  const run = promisify(execFile);
  const help = await run(process.execPath, [fromRoot('dist/bench/run.js'), '--help']);
  assert.match(help.stdout, /^Usage: npm run bench -- \[options\]/);
  const refused = await run(process.execPath, [fromRoot('dist/bench/run.js'), '--bogus']).then(
    (): { code: number; stderr: string } => assert.unreachable('--bogus was accepted') as never,
    (error: { code: number; stderr: string }) => error,
  );
  assert.is(refused.code, 2);
  assert.match(refused.stderr, /^npm run bench: Unknown option '--bogus'\n\nUsage: npm run bench/);
  assert.not.match(refused.stderr, /\bat \S+ \(/);
});

Args.run();
