import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import { runRxm, startRxm } from '../../helpers/rxm-process.js';
import { deleteQueuesStartingWith, osloUrl, serviceSuite } from '../../helpers/services.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));
const DEFAULT_EXPORT = fixture('cli-endpoints.js');
const ENDPOINTS_EXPORT = fixture('worker-endpoints.js');
const PREFIX = `rxm_cli_serve_${process.pid}`;
const URL_FLAG = ['--url', osloUrl()];

const Serve = await serviceSuite<{ n: number; dir: string }>('rxm serve on RabbitMQ', ['rabbitmq'], { n: 0, dir: '' });

Serve.before(async (context) => {
  context.dir = await mkdtemp(join(tmpdir(), 'rxm-cli-serve-'));
});

Serve.after(async ({ dir }) => {
  await rm(dir, { recursive: true, force: true });
  await deleteQueuesStartingWith(PREFIX);
});

/** A topic and server of this test's own. */
const targetOf = (context: { n: number }) => {
  const topic = `${PREFIX}_${++context.n}`;
  return { topic, flags: ['--topic', topic, '--server', 'host-1'] };
};

Serve('should answer the requests taken before SIGTERM, then exit 0', async (context) => {
  const { topic, flags } = targetOf(context);
  const server = startRxm(['serve', DEFAULT_EXPORT, ...URL_FLAG, ...flags]);
  const ready = await server.until(/^ready: serve/);
  assert.match(ready, new RegExp(`\\(1 endpoint\\) on rabbit://.* topic ${topic} server host-1`));
  const call = startRxm(['call', 'holdUntilSignal', ...URL_FLAG, '--topic', topic]);
  await server.until(/^holding$/);
  // The handler answers only once SIGTERM reached the server: the reply shows it drained.
  server.child.kill('SIGTERM');
  const answered = await call.exit;
  assert.is(answered.code, 0, answered.stderr);
  assert.is(answered.stdout, '"answered after SIGTERM"\n');
  const run = await server.exit;
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /^draining: .*\nstopped\n$/m);
});

Serve('should exit at once on a second signal while draining', async (context) => {
  const { topic, flags } = targetOf(context);
  const server = startRxm(['serve', DEFAULT_EXPORT, ...URL_FLAG, ...flags]);
  await server.until(/^ready: serve/);
  const call = startRxm(['call', 'holdUntilSignal', ...URL_FLAG, '--topic', topic]);
  await server.until(/^holding$/);
  // SIGINT drains, but the held handler waits for a SIGTERM: only the second signal ends the server.
  server.child.kill('SIGINT');
  await server.until(/^draining:/);
  server.child.kill('SIGINT');
  const run = await server.exit;
  assert.is(run.code, 130);
  assert.not.match(run.stdout, /^stopped$/m);
  call.child.kill('SIGTERM');
  await call.exit;
});

Serve('should serve every named export that is an object, and answer on the topic', async (context) => {
  const { topic, flags } = targetOf(context);
  const module = join(context.dir, 'named.mjs');
  await writeFile(
    module,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the module written here is JavaScript with a template of its own
    'export const calculator = { add: ({ a, b }) => a + b };\nexport const greeter = { hello: ({ name }) => `hello ${name}` };\nexport const VERSION = "1.0";\n',
  );
  const server = startRxm(['serve', module, ...URL_FLAG, ...flags, '--executor', 'blocking']);
  assert.match(await server.until(/^ready: serve/), /\(2 endpoints\)/);
  assert.is((await runRxm(['call', 'add', '{"a": 2, "b": 3}', ...URL_FLAG, '--topic', topic])).stdout, '5\n');
  assert.is((await runRxm(['call', 'hello', '{"name": "rxm"}', ...URL_FLAG, '--topic', topic, '--server', 'host-1'])).stdout, '"hello rxm"\n');
  server.child.kill('SIGTERM');
  assert.is((await server.exit).code, 0);
});

Serve('should run handlers in worker threads with --executor worker:N', async (context) => {
  const { topic, flags } = targetOf(context);
  const server = startRxm(['serve', ENDPOINTS_EXPORT, ...URL_FLAG, ...flags, '--executor', 'worker:2']);
  assert.match(await server.until(/^ready: serve/), /\(2 endpoints\)/);
  const run = await runRxm(['call', 'whoami', ...URL_FLAG, '--topic', topic]);
  assert.is(run.code, 0, run.stderr);
  assert.ok(Number(run.stdout) > 0, `a worker's threadId, got ${run.stdout}`);
  server.child.kill('SIGTERM');
  assert.is((await server.exit).code, 0);
});

Serve('should exit 2 with one line naming what is wrong on the command line', async (context) => {
  const empty = join(context.dir, 'empty.mjs');
  await writeFile(empty, 'export const answer = 42;\n');
  const flags = ['--topic', `${PREFIX}_usage`, '--server', 'host-1'];
  const cases: [readonly string[], RegExp][] = [
    [['serve', ...URL_FLAG, ...flags], /^rxm serve: MODULE is missing/],
    [['serve', DEFAULT_EXPORT, ...URL_FLAG, '--topic', `${PREFIX}_usage`], /^rxm serve: --server is required/],
    [['serve', DEFAULT_EXPORT, ...URL_FLAG, ...flags, '--executor', 'threads'], /^rxm serve: --executor must be microtask, blocking or worker:N/],
    [['serve', DEFAULT_EXPORT, ...URL_FLAG, ...flags, '--executor', 'worker:0'], /^rxm serve: --executor worker:N must be an integer of at least 1/],
    [['serve', DEFAULT_EXPORT, ...URL_FLAG, ...flags, '--executor', 'worker:2'], /^rxm serve: --executor worker:2 needs MODULE to export 'endpoints'/],
    [['serve', empty, ...URL_FLAG, ...flags], /^rxm serve: .*empty\.mjs exports no endpoint/],
  ];
  for (const [args, pattern] of cases) {
    const run = await runRxm(args);
    assert.is(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, pattern);
    assert.is(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
  }
});

Serve('should exit 1 for a module that cannot be imported', async (context) => {
  const broken = join(context.dir, 'broken.mjs');
  await writeFile(broken, 'export const = ;\n');
  const run = await runRxm(['serve', broken, ...URL_FLAG, '--topic', `${PREFIX}_broken`, '--server', 'host-1']);
  assert.is(run.code, 1);
  assert.match(run.stderr, /^rxm serve: SyntaxError: /);
});

Serve('should print its usage with --help', async () => {
  const run = await runRxm(['serve', '--help']);
  assert.is(run.code, 0);
  for (const text of ['Usage: rxm serve MODULE', '--url', '--topic', '--server', '--executor', 'worker:N']) assert.ok(run.stdout.includes(text), text);
});

Serve('should never print the password of the URL', async () => {
  const secret = 'Wr0ng-Secret';
  const url = osloUrl().replace(/\/\/([^:@/]*)(:[^@/]*)?@/, `//$1:${secret}@`);
  const run = await runRxm(['serve', DEFAULT_EXPORT, '--url', url, '--topic', `${PREFIX}_refused`, '--server', 'host-1']);
  assert.is(run.code, 1);
  assert.not.ok(`${run.stdout}${run.stderr}`.includes(secret), run.stderr);
});

Serve.run();
