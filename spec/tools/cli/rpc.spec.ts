import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import { type RxmProcess, runRxm, startRxm } from '../../helpers/rxm-process.js';
import { deleteQueuesStartingWith, osloUrl, serviceSuite } from '../../helpers/services.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/cli-endpoints.js', import.meta.url));
const PREFIX = `rxm_cli_rpc_${process.pid}`;
const URL_FLAG = ['--url', osloUrl()];
const TOPIC = ['--topic', PREFIX];

const Rpc = await serviceSuite<{ server?: RxmProcess; dir: string }>('rxm call and cast, against rxm serve on RabbitMQ', ['rabbitmq'], { dir: '' });

Rpc.before(async (context) => {
  context.dir = await mkdtemp(join(tmpdir(), 'rxm-cli-rpc-'));
  context.server = startRxm(['serve', FIXTURE, ...URL_FLAG, ...TOPIC, '--server', 's1']);
  await context.server.until(/^ready: serve/);
});

Rpc.after(async ({ server, dir }) => {
  server?.child.kill('SIGTERM');
  await server?.exit;
  await rm(dir, { recursive: true, force: true });
  await deleteQueuesStartingWith(PREFIX);
});

/** Resolves once `file` exists: a cast has no reply to wait for. */
async function arrived(file: string): Promise<string> {
  while (!existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 10));
  return readFile(file, 'utf8');
}

Rpc('should print the result as JSON and exit 0', async () => {
  const run = await runRxm(['call', 'add', '{"a": 1, "b": 2}', ...URL_FLAG, ...TOPIC]);
  assert.is(run.stderr, '');
  assert.is(run.stdout, '3\n');
  assert.is(run.code, 0);
});

Rpc('should reach the named server and pass the context', async () => {
  const run = await runRxm(['call', 'echo', '{"x": [1, "two"]}', ...URL_FLAG, ...TOPIC, '--server', 's1', '--context', '{"user": "alice"}']);
  assert.is(run.code, 0);
  assert.equal(JSON.parse(run.stdout), { args: { x: [1, 'two'] }, user: 'alice' });
});

Rpc('should print null for a handler that returned nothing', async () => {
  const run = await runRxm(['call', 'nothing', ...URL_FLAG, ...TOPIC]);
  assert.is(run.code, 0);
  assert.is(run.stdout, 'null\n');
});

Rpc('should print one JSON line per streamed value', async () => {
  const run = await runRxm(['call', 'count', '{"n": 3}', ...URL_FLAG, ...TOPIC]);
  assert.is(run.code, 0);
  assert.is(run.stdout, '1\n2\n3\n');
});

Rpc('should print each streamed value as it arrives', async ({ dir }) => {
  const file = join(dir, 'go-on');
  const call = startRxm(['call', 'streamUntilFile', JSON.stringify({ file }), ...URL_FLAG, ...TOPIC]);
  // The server sends 'second' only once this file exists, so 'first' was printed before the call ended.
  assert.is(await call.until(/^"first"$/), '"first"\n');
  await writeFile(file, '');
  const run = await call.exit;
  assert.is(run.code, 0);
  assert.is(run.stdout, '"first"\n"second"\n');
});

Rpc('should print the remote error class and message on stderr and exit 1', async () => {
  const run = await runRxm(['call', 'fail', '{"why": "too big"}', ...URL_FLAG, ...TOPIC]);
  assert.is(run.code, 1);
  assert.is(run.stdout, '');
  assert.is(run.stderr, 'rxm call: RangeError: too big\n');
});

Rpc('should exit 1 naming NoSuchMethod for a method the server lacks', async () => {
  const run = await runRxm(['call', 'missing', ...URL_FLAG, ...TOPIC]);
  assert.is(run.code, 1);
  assert.match(run.stderr, /^rxm call: NoSuchMethod: .*missing/);
});

Rpc('should exit 124 with one line when no reply comes in time', async () => {
  const run = await runRxm(['call', 'add', ...URL_FLAG, '--topic', `${PREFIX}_nobody`, '--timeout', '300']);
  assert.is(run.code, 124);
  assert.is(run.stdout, '');
  assert.match(run.stderr, /^rxm call: MessagingTimeout: .*no reply within 300 ms\n$/);
});

Rpc('should cast to the topic and exit 0', async ({ dir }) => {
  const file = join(dir, 'cast');
  const run = await runRxm(['cast', 'touch', JSON.stringify({ file, via: 'topic' }), ...URL_FLAG, ...TOPIC]);
  assert.is(run.code, 0);
  assert.is(run.stdout + run.stderr, '');
  assert.is(await arrived(file), '{"via":"topic"}');
});

Rpc('should cast to every server with --fanout', async ({ dir }) => {
  const file = join(dir, 'fanout');
  const run = await runRxm(['cast', 'touch', JSON.stringify({ file, via: 'fanout' }), ...URL_FLAG, ...TOPIC, '--fanout']);
  assert.is(run.code, 0);
  assert.is(await arrived(file), '{"via":"fanout"}');
});

Rpc('should exit 2 with one line naming what is wrong on the command line', async () => {
  const cases: [readonly string[], RegExp][] = [
    [['call', 'add', '{"a": ', ...URL_FLAG, ...TOPIC], /^rxm call: JSON_ARGS is not valid JSON: /],
    [['call', 'add', '[1, 2]', ...URL_FLAG, ...TOPIC], /^rxm call: JSON_ARGS must be a JSON object/],
    [['call', 'add', ...URL_FLAG, ...TOPIC, '--context', 'user=bob'], /^rxm call: --context is not valid JSON/],
    [['call', 'add', ...URL_FLAG, ...TOPIC, '--bogus'], /^rxm call: Unknown option '--bogus'/],
    [['call', 'add', ...URL_FLAG, ...TOPIC, '--timeout', 'soon'], /^rxm call: --timeout must be an integer/],
    [['call', 'add', ...URL_FLAG], /^rxm call: --topic is required/],
    [['call', ...URL_FLAG, ...TOPIC], /^rxm call: METHOD is missing/],
    [['call', 'add', '{}', 'extra', ...URL_FLAG, ...TOPIC], /^rxm call: unexpected argument 'extra'/],
    [['call', 'add', ...URL_FLAG, ...TOPIC, '--version', '1'], /^rxm call: Invalid target: version/],
    [['cast', 'add', ...URL_FLAG, ...TOPIC, '--timeout', '5'], /^rxm cast: Unknown option '--timeout'/],
  ];
  for (const [args, pattern] of cases) {
    const run = await runRxm(args);
    assert.is(run.code, 2, args.join(' '));
    assert.match(run.stderr, pattern);
    assert.is(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
    assert.is(run.stdout, '');
  }
});

Rpc('should print its usage with --help', async () => {
  for (const command of ['call', 'cast']) {
    const run = await runRxm([command, '--help']);
    assert.is(run.code, 0);
    assert.match(run.stdout, new RegExp(`^Usage: rxm ${command} METHOD \\[JSON_ARGS\\]`));
    for (const flag of ['--url', '--topic', '--server', '--namespace', '--version', '--context', command === 'call' ? '--timeout' : '--fanout'])
      assert.ok(run.stdout.includes(flag), flag);
  }
});

Rpc('should never print the password of the URL', async () => {
  const secret = 'Wr0ng-Secret';
  const url = osloUrl().replace(/\/\/([^:@/]*)(:[^@/]*)?@/, `//$1:${secret}@`);
  for (const args of [
    ['call', 'add', '--url', url, ...TOPIC],
    ['cast', 'add', '--url', url, ...TOPIC],
    ['call', 'add', '--url', `${url}?no_such_option=1`, ...TOPIC],
  ]) {
    const run = await runRxm(args);
    assert.ok(run.code === 1 || run.code === 2, `${args.join(' ')} exited ${run.code}`);
    assert.not.ok(`${run.stdout}${run.stderr}`.includes(secret), run.stderr);
  }
});

Rpc.run();
