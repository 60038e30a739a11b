import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runBench } from '../../bench/run.js';
import { SCENARIOS } from '../../bench/scenarios.js';

const Run = suite('npm run bench -- --quick (memory:// only)');

Run('should run every memory:// scenario in one process and measure each without errors', async () => {
  const out = await mkdtemp(join(tmpdir(), 'rxm-bench-spec-'));
  try {
    const lines: string[] = [];
    const run = await runBench({ quick: true, repeat: 1, seconds: 0.2, url: 'rabbit://unused', out }, (line) => lines.push(line));
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
