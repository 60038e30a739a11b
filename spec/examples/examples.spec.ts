/** The runnable examples do what their comments promise (on the in-memory transport). */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const run = promisify(execFile);
const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}.js`, import.meta.url));
// Plain text: the runner may force colours, which the examples' console.log would inherit.
const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
const output = async (name: string, ...args: string[]) => (await run(process.execPath, [example(name), ...args], { timeout: 60_000, env })).stdout;

const Examples = suite('examples');

Examples('should run the main demo: calls, a stream, casts, a fanout and a remote error', async () => {
  const out = await output('demo');
  assert.match(out, /call get_host → \{ id: 1, host: 'host-\d', state: 'active' \}/);
  assert.match(out, /call whoami \(context travels\) → alice on host-\d/);
  assert.match(out, /call\$ tail_log \(streamed\) → \[ 'host-2 log line 1', 'host-2 log line 2', 'host-2 log line 3' \]/);
  assert.match(out, /\[host-1\] reboot of instance 7 requested/);
  assert.match(out, /\[host-1\] cache refreshed \(fanout\)/);
  assert.match(out, /\[host-2\] cache refreshed \(fanout\)/);
  assert.match(out, /call resize → remote error: RangeError: no flavor 'xxl'/);
  assert.match(out, /done\n$/);
});

Examples('should stream five lines to call$', async () => {
  const out = await output('streaming');
  assert.is(out.match(/^received line \d/gm)?.length, 5);
  assert.match(out, /stream complete/);
});

Examples('should serve calls from a hand-written pipeline', async () => {
  const out = await output('stream-server');
  assert.match(out, /add → 5/);
  assert.match(out, /divide → 0\.25/);
  assert.match(out, /divide by zero → RangeError: division by zero/);
});

Examples('should count primes in worker threads while pings are answered', async () => {
  const out = await output('worker-pool');
  assert.match(out, /primes below 3,000,000: 216816 and 216816/);
  const [, pings] = /(\d+) pings were answered \(0 failed\)/.exec(out) ?? [];
  assert.ok(Number(pings) > 0, `pings should be answered during the work: ${out}`);
});

Examples('should print one trace across two services', async () => {
  const out = await output('tracing');
  assert.match(out, /^GET \/instances\/7 \[internal\] trace (\w{32})/m);
  assert.match(out, /^ {2}send compute \[producer\].*\n {4}process compute \[consumer\]/m);
  assert.match(out, /^ {2}send notifications\.info \[producer\].*\n {4}process notifications\.info \[consumer\]/m);
  assert.match(out, /1 trace, 5 spans/);
});

Examples('should cancel on the server a stream the caller stopped reading and a call it aborted', async () => {
  const out = await output('cancellation');
  assert.match(out, /read 3 lines, then stopped reading\nfollow: unsubscribed on the server\n/);
  assert.match(out, /the call rejected: AbortError\nexport_all: aborted on the server \(CallCancelled\)\n/);
});

Examples('should type and check a call with one contract at both ends', async () => {
  const out = await output('contracts');
  assert.match(out, /resize → \{ id: 7, state: 'resizing' \}/);
  assert.match(out, /refused: id: /);
  assert.match(out, /refused: flavor\.vcpus: /);
});

Examples.run();
