import { connect as amqpConnect } from 'amqplib';
import * as assert from 'uvu/assert';
import { type RxmProcess, runRxm, startRxm } from '../../helpers/rxm-process.js';
import { amqpUrl, deleteQueuesStartingWith, osloUrl, serviceSuite } from '../../helpers/services.js';

const PREFIX = `rxm_cli_notify_${process.pid}`;
const URL_FLAG = ['--url', osloUrl()];

interface Line {
  readonly priority: string;
  readonly eventType: string;
  readonly publisherId: string;
  readonly timestamp: string;
  readonly messageId: string;
  readonly payload: unknown;
  readonly context: Record<string, unknown>;
}

const Notifications = await serviceSuite<{ n: number; pools: string[] }>('rxm notify and rxm tail on RabbitMQ', ['rabbitmq'], { n: 0, pools: [] });

Notifications.after(async ({ pools }) => {
  for (const pool of [PREFIX, ...pools]) await deleteQueuesStartingWith(pool);
});

/** A topic of this test's own. */
const topicOf = (context: { n: number }) => `${PREFIX}_${++context.n}`;

/** Starts `rxm tail` and resolves once it listens; the pool it reads is noted for cleanup. */
async function startTail(context: { pools: string[] }, topic: string, args: readonly string[] = []): Promise<RxmProcess> {
  const tail = startRxm(['tail', ...URL_FLAG, '--topic', topic, ...args]);
  const ready = await tail.until(/^ready: tail/, 'stderr');
  context.pools.push(/ pool (\S+)/.exec(ready)![1]!);
  return tail;
}

const notify = (topic: string, eventType: string, payload: unknown, args: readonly string[] = []) =>
  runRxm(['notify', eventType, JSON.stringify(payload), ...URL_FLAG, '--topic', topic, ...args]);

const lines = (stdout: string): Line[] =>
  stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Line);

/** How many messages wait in a queue of the broker; undefined when there is no such queue. */
async function depth(queue: string): Promise<number | undefined> {
  const connection = await amqpConnect(amqpUrl());
  try {
    const channel = await connection.createChannel();
    // A missing queue closes the channel with 404: the rejection below says it.
    channel.on('error', () => {});
    return await channel.checkQueue(queue).then(
      ({ messageCount }) => messageCount,
      (error: { code?: number }) => (error.code === 404 ? undefined : Promise.reject(error)),
    );
  } finally {
    await connection.close();
  }
}

Notifications('should print each notification as one NDJSON line and stop after --count', async (context) => {
  const topic = topicOf(context);
  const tail = await startTail(context, topic, ['--count', '2']);
  const sent = await notify(topic, 'compute.instance.create.end', { instance_id: 'abc' }, [
    '--publisher-id',
    'compute.host-1',
    '--context',
    '{"request_id": "req-1", "user": "alice"}',
  ]);
  assert.is(sent.code, 0, sent.stderr);
  assert.is(sent.stdout + sent.stderr, '');
  assert.is((await notify(topic, 'compute.instance.delete.end', [1, 'two'], ['--priority', 'error'])).code, 0);
  const run = await tail.exit;
  assert.is(run.code, 0, run.stderr);
  const [first, second] = lines(run.stdout);
  assert.is(lines(run.stdout).length, 2);
  assert.equal(
    { ...first!, timestamp: '', messageId: '' },
    {
      priority: 'info',
      eventType: 'compute.instance.create.end',
      publisherId: 'compute.host-1',
      timestamp: '',
      messageId: '',
      payload: { instance_id: 'abc' },
      context: first!.context,
    },
  );
  assert.is(first!.context['request_id'], 'req-1');
  assert.is(first!.context['user'], 'alice');
  assert.match(first!.timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
  assert.match(first!.messageId, /^[0-9a-f-]{36}$/);
  assert.is(second!.priority, 'error');
  assert.equal(second!.payload, [1, 'two']);
  assert.match(second!.publisherId, /^rxm\./);
});

Notifications('should take nothing away from the topic own queues', async (context) => {
  const topic = topicOf(context);
  const tail = await startTail(context, topic, ['--count', '1']);
  assert.is((await notify(topic, 'kept.for.listeners', {})).code, 0);
  assert.is((await tail.exit).code, 0);
  // The listeners' queue still holds the message tail printed: tail read its own pool's copy.
  assert.is(await depth(`${topic}.info`), 1);
});

Notifications('should delete its own pool queue when it stops, and keep a named one', async (context) => {
  const topic = topicOf(context);
  const own = await startTail(context, topic, ['--count', '1']);
  const named = await startTail(context, topic, ['--pool', `${PREFIX}_kept`, '--count', '1']);
  assert.is((await notify(topic, 'seen.by.both', {})).code, 0);
  assert.is((await own.exit).code, 0);
  assert.is((await named.exit).code, 0);
  assert.is((await notify(topic, 'after.both', {})).code, 0);
  assert.is(await depth(context.pools.at(-2)!), undefined);
  assert.is(await depth(`${PREFIX}_kept`), 1);
});

Notifications('should stop cleanly on SIGINT and on SIGTERM', async (context) => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const topic = topicOf(context);
    const tail = await startTail(context, topic);
    assert.is((await notify(topic, `before.${signal}`, {})).code, 0);
    await tail.until(/"eventType":"before\./);
    tail.child.kill(signal);
    const run = await tail.exit;
    assert.is(run.code, 0, `${signal}: ${run.stderr}`);
    assert.is(lines(run.stdout)[0]!.eventType, `before.${signal}`);
  }
});

Notifications('should print only the priorities and the matches asked for', async (context) => {
  const topic = topicOf(context);
  const tail = await startTail(context, topic, [
    '--priority',
    'error',
    '--priority',
    'critical',
    '--filter',
    'eventType=keep\\.',
    '--filter',
    'payload.state=^act',
    '--count',
    '2',
  ]);
  assert.is((await notify(topic, 'keep.info', { state: 'active' })).code, 0);
  assert.is((await notify(topic, 'drop.error', { state: 'active' }, ['--priority', 'error'])).code, 0);
  assert.is((await notify(topic, 'keep.error', { state: 'deleted' }, ['--priority', 'error'])).code, 0);
  assert.is((await notify(topic, 'keep.error', { state: 'active' }, ['--priority', 'error'])).code, 0);
  assert.is((await notify(topic, 'keep.critical', { state: 'active' }, ['--priority', 'critical'])).code, 0);
  const run = await tail.exit;
  assert.is(run.code, 0, run.stderr);
  assert.equal(
    lines(run.stdout).map((line) => [line.priority, line.eventType]),
    [
      ['error', 'keep.error'],
      ['critical', 'keep.critical'],
    ],
  );
});

Notifications('should give each --pool its own copy', async (context) => {
  const topic = topicOf(context);
  const a = await startTail(context, topic, ['--pool', `${PREFIX}_pool_a`, '--count', '1']);
  const b = await startTail(context, topic, ['--pool', `${PREFIX}_pool_b`, '--count', '1']);
  assert.match(a.stderr(), new RegExp(` pool ${PREFIX}_pool_a `));
  assert.is((await notify(topic, 'to.every.pool', {})).code, 0);
  for (const tail of [a, b]) {
    const run = await tail.exit;
    assert.is(run.code, 0, run.stderr);
    assert.is(lines(run.stdout)[0]!.eventType, 'to.every.pool');
  }
});

Notifications('should exit 2 with one line naming what is wrong on the command line', async () => {
  const topic = `${PREFIX}_usage`;
  const cases: [readonly string[], RegExp][] = [
    [['notify', 'x', '{oops', ...URL_FLAG], /^rxm notify: JSON_PAYLOAD is not valid JSON/],
    [['notify', 'x', ...URL_FLAG, '--priority', 'loud'], /^rxm notify: --priority must be one of audit, debug, info/],
    [['notify', 'x', ...URL_FLAG, '--context', '[]'], /^rxm notify: --context must be a JSON object/],
    [['notify', ...URL_FLAG], /^rxm notify: EVENT_TYPE is missing/],
    [['tail', ...URL_FLAG, '--filter', 'eventType'], /^rxm tail: --filter must be FIELD=REGEX/],
    [['tail', ...URL_FLAG, '--filter', 'colour=red'], /^rxm tail: --filter field 'colour'/],
    [['tail', ...URL_FLAG, '--filter', 'eventType=(unclosed'], /^rxm tail: --filter: Invalid notification filter: eventType/],
    [['tail', ...URL_FLAG, '--priority', 'loud'], /^rxm tail: --priority must be one of/],
    [['tail', ...URL_FLAG, '--count', '0'], /^rxm tail: --count must be an integer of at least 1/],
    [['tail', ...URL_FLAG, '--topic', topic, '--pool', `${topic}.info`], /^rxm tail: --pool .* is the topic's own queue/],
    [['tail', 'extra', ...URL_FLAG], /^rxm tail: unexpected argument 'extra'/],
  ];
  for (const [args, pattern] of cases) {
    const run = await runRxm(args);
    assert.is(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, pattern);
    assert.is(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
  }
});

Notifications('should print its usage with --help, saying tail reads a pool of its own', async () => {
  const notifyHelp = await runRxm(['notify', '--help']);
  assert.is(notifyHelp.code, 0);
  for (const flag of ['EVENT_TYPE [JSON_PAYLOAD]', '--topic', '--priority', '--publisher-id', '--context']) assert.ok(notifyHelp.stdout.includes(flag), flag);
  const tailHelp = await runRxm(['tail', '--help']);
  assert.is(tailHelp.code, 0);
  for (const text of ['--topic', '--priority', '--pool', '--filter', '--count', 'rxm-tail-']) assert.ok(tailHelp.stdout.includes(text), text);
});

Notifications('should exit 1 when the publish fails, never printing the password', async () => {
  const secret = 'Wr0ng-Secret';
  const url = osloUrl().replace(/\/\/([^:@/]*)(:[^@/]*)?@/, `//$1:${secret}@`);
  const sent = await runRxm(['notify', 'x', '--url', url, '--topic', `${PREFIX}_refused`]);
  assert.is(sent.code, 1);
  assert.match(sent.stderr, /^rxm notify: /m);
  const tailed = await runRxm(['tail', '--url', url, '--topic', `${PREFIX}_refused`]);
  assert.is(tailed.code, 1);
  for (const run of [sent, tailed]) assert.not.ok(`${run.stdout}${run.stderr}`.includes(secret), run.stderr);
});

Notifications.run();
