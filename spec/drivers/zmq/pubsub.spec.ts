/**
 * `use_pub_sub`: fanout casts published once through a real `rxm zmq-proxy` (started in this
 * process), each server of the topic subscribed on the proxy's backend. PUB/SUB is best effort
 * (a subscription not yet at the proxy misses what is published): probes are sent until every
 * server hears them, then one marked cast is counted.
 */
import { PassThrough } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InvalidTransportUrl } from '../../../lib/core/errors.js';
import { hexId } from '../../../lib/core/ids.js';
import { parseTransportUrl } from '../../../lib/core/url.js';
import { connect, rpcClient, rpcServer, target, type Transport } from '../../../lib/index.js';
import { zmqOptions } from '../../../drivers/zmq/options.js';
import { zmqProxy } from '../../../tools/zmq/proxy.js';
import { eventually } from './support.js';

const PubSub = suite('zmq: PUB/SUB fanout through the proxy');

PubSub('should refuse use_pub_sub without the proxy address, or with a port that is none, naming the option', () => {
  const refusal = (query: string, option: RegExp) =>
    assert.throws(
      () => zmqOptions(parseTransportUrl(`zmq://?${query}`), {}),
      (error: unknown) => error instanceof InvalidTransportUrl && option.test(error.message),
      query,
    );
  refusal('use_pub_sub=true', /zmq_proxy_host/);
  refusal('use_pub_sub=true&zmq_proxy_host=127.0.0.1&zmq_proxy_frontend_port=70000', /'zmq_proxy_frontend_port'/);
  refusal('use_pub_sub=true&zmq_proxy_host=127.0.0.1&zmq_proxy_backend_port=x', /zmq_proxy_backend_port/);
  refusal('use_pub_sub=true&zmq_proxy_hots=127.0.0.1', /'zmq_proxy_hots'/);
});

PubSub('should publish a fanout cast once and deliver it to every server of the topic exactly once, and not to a longer topic', async () => {
  const stop = new AbortController();
  const stdout = new PassThrough();
  let printed = '';
  stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  // Ports the system picks: a fixed one may be taken, by another listener or as some connection's local port.
  const proxy = zmqProxy(
    ['--frontend', 'tcp://127.0.0.1:*', '--backend', 'tcp://127.0.0.1:*', '--linger', '0'],
    { stdout, stderr: process.stderr, env: {} },
    { signal: stop.signal },
  );
  const transports: Transport[] = [];
  try {
    await eventually(async () => printed.includes('ready:'), 50, 'the proxy being ready');
    const [, frontend, backend] = /frontend tcp:\/\/127\.0\.0\.1:(\d+) backend tcp:\/\/127\.0\.0\.1:(\d+)/.exec(printed) ?? [];
    assert.ok(frontend && backend, `the proxy's ready line names its ports: ${printed}`);
    const url = `zmq://pubsub-${hexId()}?use_pub_sub=true&zmq_proxy_host=127.0.0.1&zmq_proxy_frontend_port=${frontend}&zmq_proxy_backend_port=${backend}`;
    const open = async () => {
      const transport = await connect(url);
      transports.push(transport);
      return transport;
    };
    const topic = `a${hexId()}`;
    const heard = new Map<string, string[]>();
    for (const [serverTopic, server] of [
      [topic, 's1'],
      [topic, 's2'],
      [`${topic}b`, 'longer'],
    ] as const) {
      heard.set(server, []);
      const rpc = rpcServer(await open(), target({ topic: serverTopic, server }), [{ note: (args: { what: string }) => void heard.get(server)?.push(args.what) }]);
      await rpc.start();
    }
    const fanout = rpcClient(await open(), target({ topic, fanout: true }));
    const longer = rpcClient(transports[2] as Transport, target({ topic: `${topic}b`, fanout: true }));
    // The slow joiner: casts published before a subscription reached the proxy are lost.
    await eventually(
      async () => {
        await fanout.cast('note', { what: 'probe' });
        await longer.cast('note', { what: 'probe' });
        await new Promise((resolve) => setTimeout(resolve, 50));
        return [...heard.values()].every((what) => what.includes('probe'));
      },
      50,
      'every server hearing a probe',
    );
    await fanout.cast('note', { what: 'counted' });
    await eventually(async () => heard.get('s1')?.includes('counted') === true && heard.get('s2')?.includes('counted') === true, 50, 'both servers hearing it');
    // A barrier: a cast to the longer topic sent after it, heard once that server has read past any copy it got.
    await longer.cast('note', { what: 'barrier' });
    await eventually(async () => heard.get('longer')?.includes('barrier') === true, 50, 'the longer topic hearing its own fanout');
    for (const server of ['s1', 's2']) assert.is(heard.get(server)?.filter((what) => what === 'counted').length, 1, `${server} heard it exactly once`);
    assert.not.ok(heard.get('longer')?.includes('counted'), "the longer topic did not get the shorter one's fanout");
  } finally {
    await Promise.all(transports.map((transport) => transport.close()));
    stop.abort();
    assert.is(await proxy, 0);
  }
});

PubSub.run();
