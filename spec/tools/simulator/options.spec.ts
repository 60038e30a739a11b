import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_URL, loadPacing, parseSimulatorArgs, type RpcClientOptions, UsageError } from '../../../tools/simulator/options.js';

const NO_ENV = {};

const Parse = suite('parseSimulatorArgs()');

Parse("should give an rpc-server oslo's simulator defaults", () => {
  assert.equal(parseSimulatorArgs(['rpc-server'], NO_ENV), {
    role: 'rpc-server',
    url: DEFAULT_URL,
    topic: 'profiler_topic',
    server: 'profiler_server',
    debug: false,
    waitSeconds: 0,
    executorSize: 64,
    clients: 1,
  });
});

Parse('should give an rpc-client one call of 100 characters, server-directed, with a 3 s timeout', () => {
  assert.equal(parseSimulatorArgs(['rpc-client'], NO_ENV), {
    role: 'rpc-client',
    url: DEFAULT_URL,
    topic: 'profiler_topic',
    server: 'profiler_server',
    debug: false,
    concurrency: 1,
    messages: 1,
    waitSeconds: 0,
    size: 100,
    sync: false,
    mode: 'call',
    syncMode: 'call',
    timeout: 3,
  });
});

Parse('should read every client option, short and long', () => {
  const options = parseSimulatorArgs(
    [
      'rpc-client',
      '--url',
      'memory://x',
      '--topic',
      't',
      '-p',
      '50',
      '-m',
      '10',
      '-l',
      '2.5',
      '-w',
      '0.1',
      '--size',
      '1000',
      '--sync',
      '--mode',
      'cast',
      '--timeout',
      '9',
      '--json',
      'out.json',
      '-d',
    ],
    NO_ENV,
  );
  assert.equal(options, {
    role: 'rpc-client',
    url: 'memory://x',
    topic: 't',
    server: 'profiler_server',
    debug: true,
    json: 'out.json',
    concurrency: 50,
    messages: 10,
    duration: 2.5,
    waitSeconds: 0.1,
    size: 1000,
    sync: true,
    mode: 'cast',
    syncMode: 'call',
    timeout: 9,
  });
});

Parse('should run for the duration alone when -l is given without -m', () => {
  const options = parseSimulatorArgs(['notify-client', '-l', '3'], NO_ENV);
  assert.is(options.role === 'notify-client' && options.messages, undefined);
  assert.is(options.role === 'notify-client' && options.duration, 3);
});

Parse("should take oslo's --is-cast and --is-fanout, and an empty --server for the shared topic queue", () => {
  const cast = parseSimulatorArgs(['rpc-client', '--is-cast', '--server', ''], NO_ENV);
  assert.is(cast.role === 'rpc-client' && cast.mode, 'cast');
  assert.is(cast.role === 'rpc-client' && cast.server, undefined);
  const fanout = parseSimulatorArgs(['rpc-client', '--is-fanout', '--sync-mode', 'fanout'], NO_ENV);
  assert.is(fanout.role === 'rpc-client' && fanout.mode, 'fanout');
  assert.is(fanout.role === 'rpc-client' && fanout.syncMode, 'fanout');
});

Parse('should read the notify-server options', () => {
  assert.equal(parseSimulatorArgs(['notify-server', '--requeue', '--pool', 'p1', '--clients', '0', '--executor-size', '8'], NO_ENV), {
    role: 'notify-server',
    url: DEFAULT_URL,
    topic: 'profiler_topic',
    debug: false,
    waitSeconds: 0,
    executorSize: 8,
    clients: 0,
    requeue: true,
    pool: 'p1',
  });
});

Parse('should take the URL from RXM_URL when --url is not given', () => {
  assert.is(parseSimulatorArgs(['rpc-server'], { RXM_URL: 'memory://env' }).url, 'memory://env');
  assert.is(parseSimulatorArgs(['rpc-server', '--url', 'memory://flag'], { RXM_URL: 'memory://env' }).url, 'memory://flag');
});

Parse('should read --warmup of an rpc-client and pace its load with it', () => {
  const options = parseSimulatorArgs(['rpc-client', '-p', '4', '-l', '3', '--warmup', '2'], NO_ENV);
  assert.is((options as RpcClientOptions).warmup, 2);
  assert.equal(loadPacing(options as RpcClientOptions), { concurrency: 4, pauseMs: 0, seconds: 3, warmupSeconds: 2 });
});

const refused: [string, string[], RegExp][] = [
  ['no role', [], /a role is needed/],
  ['an unknown role', ['batch-server'], /unknown role 'batch-server'/],
  ['an unknown option', ['rpc-server', '--colour'], /colour/],
  ["another role's option", ['rpc-server', '-p', '5'], /--concurrency is not an option of rpc-server/],
  ['a count that is not an integer', ['rpc-client', '-p', '2.5'], /--concurrency must be an integer of at least 1, got '2.5'/],
  ['a negative number', ['rpc-client', '--timeout=-1'], /--timeout must be a number of at least 0.001, got '-1'/],
  ['text for a number', ['rpc-client', '-m', 'many'], /--messages must be an integer/],
  ['two modes', ['rpc-client', '--is-cast', '--mode', 'fanout'], /choose one of --mode, --is-cast and --is-fanout/],
  ['an unknown mode', ['rpc-client', '--mode', 'multicast'], /--mode must be call, cast or fanout/],
  ['an empty server name for a server', ['rpc-server', '--server', ''], /--server must not be empty/],
  ['a positional argument', ['rpc-server', 'extra'], /extra/],
  ['a warm-up of casts', ['rpc-client', '--is-cast', '--warmup', '2'], /--warmup applies to calls only \(a server counts every cast it receives\), got --mode cast/],
  ['a warm-up on notify-client', ['notify-client', '--warmup', '2'], /--warmup is not an option of notify-client/],
];
for (const [what, argv, message] of refused) {
  Parse(`should refuse ${what} with a UsageError saying what is wrong`, () => {
    assert.throws(
      () => parseSimulatorArgs(argv, NO_ENV),
      (error: unknown) => error instanceof UsageError && message.test(error.message),
    );
  });
}

Parse.run();
